/**
 * `neox serve`: an OpenAI-compatible completions server (client/serve/) for lm-evaluation-harness
 * and OpenAI clients. Runs until SIGINT or SIGTERM.
 */
import { basename, resolve } from 'node:path';

import { UsageError } from '../../../common/errors';
import { loadServeModel } from '../../serve/load-model';
import { NeoxServer } from '../../serve/server';
import type { Command, CommandContext } from '../command';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/;

function flag(values: CommandContext['values'], name: string): string | null {
  const value = values[name];
  return typeof value === 'string' ? value : null;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`--port ${text} is not a port; use an integer from 0 to 65535 (0 picks a free one)`);
  return port;
}

/** Resolves on the first SIGINT or SIGTERM: stopping is how a server ends, so the exit code is 0. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve a checkpoint over an OpenAI-compatible completions API (for lm-evaluation-harness)',
  usage: 'neox serve --checkpoint DIR [--host 127.0.0.1] [--port 8000] [--model-name NAME]',
  help: [
    'Serves POST /v1/completions (prompts as text or token ids, echo, logprobs, temperature, top_p,',
    'top_k, seed, stop, n, stream), GET /v1/models and the tokenizer endpoints /tokenizer_info,',
    '/tokenize and /detokenize, batching concurrent requests. Runs until Ctrl-C or SIGTERM.',
    '',
    '  --checkpoint DIR   the checkpoint to serve',
    '  --host HOST        address to listen on (default 127.0.0.1; anything else is reachable by',
    '                     others and has no authentication)',
    '  --port N           port (default 8000; 0 picks a free one, printed at start)',
    '  --model-name NAME  the name clients send as "model" (default: the checkpoint directory name)',
    '',
    'lm-evaluation-harness: lm_eval --model local-completions --model_args',
    '  base_url=http://127.0.0.1:8000/v1/completions,model=NAME,tokenizer_backend=auto,max_length=CONTEXT',
  ].join('\n'),
  options: {
    checkpoint: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'model-name': { type: 'string' },
    // For tests (not in the help): serve the TypeScript reference model with this tokenizer.json.
    'reference-model': { type: 'string' },
  },
  async run({ values, stdout, stderr, positionals }) {
    if (positionals.length > 0) throw new UsageError(`neox serve takes no positional arguments (got ${positionals.join(' ')}); use --checkpoint DIR`);
    const checkpoint = flag(values, 'checkpoint');
    const reference = flag(values, 'reference-model');
    if (checkpoint !== null && reference !== null) throw new UsageError('give --checkpoint or --reference-model, not both');
    const host = flag(values, 'host') ?? '127.0.0.1';
    const port = parsePort(flag(values, 'port') ?? '8000');
    const { model, close } = await loadServeModel({ checkpoint, referenceTokenizer: reference });
    const name = flag(values, 'model-name') ?? (checkpoint !== null ? basename(resolve(checkpoint)) : 'neox-reference');
    const server = new NeoxServer({ name, model, log: (line) => stderr.write(line + '\n') });
    const address = await server.listen(port, host).catch((error: NodeJS.ErrnoException) => {
      close();
      if (error.code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${host} is in use; pick another with --port (0 picks a free one)`);
      throw error;
    });
    const stopped = untilSignal(); // before the line that tells scripts the server is up
    if (!LOOPBACK.test(host)) {
      stderr.write(
        `WARNING: neox serve is listening on ${host}, beyond loopback, with no authentication and no TLS: ` +
          `anyone who can reach port ${address.port} can use this model. Use --host 127.0.0.1 unless that is intended.\n`,
      );
    }
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    stdout.write(`neox serve: serving "${name}" (context ${model.maxContext}) at http://${shownHost}:${address.port}/v1/completions\n`);
    const signal = await stopped;
    await server.close();
    close();
    stderr.write(`neox serve: stopped (${signal})\n`);
    return 0;
  },
};
