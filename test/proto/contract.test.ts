import test from 'ava';
import * as grpc from '@grpc/grpc-js';

import { loadNeoxProtos } from '../../common/grpc/load-protos';
import type { AgentMessage__Output } from '../../proto/gen/neox/v1/AgentMessage';
import type { CoordinatorMessage } from '../../proto/gen/neox/v1/CoordinatorMessage';
import type { RunServiceHandlers } from '../../proto/gen/neox/v1/RunService';

test('the contract declares the run API, the agent session and the rendezvous store', (t) => {
  const v1 = loadNeoxProtos();
  t.deepEqual(Object.keys(v1.RunService.service).sort(), [
    'CancelRun', 'GetRun', 'ListCheckpoints', 'ListNodes', 'ListRuns', 'StreamLogs', 'SubmitRun', 'WatchRun',
  ]);
  const session = v1.AgentService.service.Session;
  t.true(session.requestStream && session.responseStream, 'Session is a bidirectional stream');
  t.deepEqual(Object.keys(v1.RendezvousService.service).sort(), [
    'Add', 'Get', 'ReportCheckpointShard', 'ReportProgress', 'Set',
  ]);
});

async function startServer(setup: (server: grpc.Server) => void): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server();
  setup(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { server, address: `127.0.0.1:${port}` };
}

test('a unary call and a bidirectional session round-trip through the generated types', async (t) => {
  const v1 = loadNeoxProtos();
  const runHandlers: Partial<RunServiceHandlers> = {
    SubmitRun(call, callback) {
      callback(null, { run_id: `run-${call.request.name}-${call.request.config_files.length}` });
    },
  };
  const { server, address } = await startServer((s) => {
    s.addService(v1.RunService.service, runHandlers as grpc.UntypedServiceImplementation);
    s.addService(v1.AgentService.service, {
      Session(stream: grpc.ServerDuplexStream<AgentMessage__Output, CoordinatorMessage>) {
        stream.on('data', (message: AgentMessage__Output) => {
          if (message.register) {
            stream.write({ registered: { agent_id: message.register.agent_id, heartbeat_interval_ms: 2000 } });
          }
          if (message.goodbye) stream.end();
        });
      },
    });
  });
  t.teardown(() => server.forceShutdown());

  const runClient = new v1.RunService(address, grpc.credentials.createInsecure());
  const reply = await new Promise<{ run_id: string }>((resolve, reject) =>
    runClient.SubmitRun({ name: 'tiny', config_files: [{ name: 'a.yml', content: 'x: 1' }] }, (e, r) =>
      e || !r ? reject(e) : resolve(r),
    ),
  );
  t.is(reply.run_id, 'run-tiny-1');

  const agentClient = new v1.AgentService(address, grpc.credentials.createInsecure());
  const session = agentClient.Session();
  const registered = new Promise<string>((resolve) =>
    session.on('data', (m) => {
      if (m.registered) resolve(`${m.registered.agent_id}/${m.registered.heartbeat_interval_ms}`);
    }),
  );
  session.write({ register: { agent_id: 'host-a', host: '127.0.0.1', slots: [{ index: 0, kind: 'DEVICE_KIND_CPU', threads: 2 }] } });
  t.is(await registered, 'host-a/2000');
  const ended = new Promise<void>((resolve, reject) => {
    session.on('end', resolve);
    session.on('error', reject);
  });
  session.write({ goodbye: { reason: 'test done' } });
  session.end();
  await ended; // the server ends its side after our goodbye: a clean end, not a cancellation
  runClient.close();
  agentClient.close();
});
