/**
 * Loads the neox.v1 wire contract at run time with @grpc/proto-loader, typed by the interfaces
 * proto-loader-gen-types generated into proto/gen at build time (never hand-written).
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';

import type { ProtoGrpcType as AgentProto } from '../../proto/gen/agent_service';
import type { ProtoGrpcType as RendezvousProto } from '../../proto/gen/rendezvous_service';
import type { ProtoGrpcType as RunProto } from '../../proto/gen/run_service';
import { packageRoot } from '../paths';

/** Options that match the generator flags in proto/generate.sh (keepCase, Number longs, String enums). */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

export type NeoxV1 = RunProto['neox']['v1'] & AgentProto['neox']['v1'] & RendezvousProto['neox']['v1'];

let cached: NeoxV1 | null = null;

export function loadNeoxProtos(): NeoxV1 {
  if (cached) return cached;
  const protoRoot = join(packageRoot(), 'proto');
  const files = ['run_service.proto', 'agent_service.proto', 'rendezvous_service.proto'].map((f) => `neox/v1/${f}`);
  const definition = protoLoader.loadSync(files, { ...PROTO_LOADER_OPTIONS, includeDirs: [protoRoot] });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as RunProto & AgentProto & RendezvousProto;
  cached = loaded.neox.v1 as NeoxV1;
  return cached;
}
