import { loadNative } from '../../../native/ts/native';
import type { Command } from '../command';

/** `neox info`: what this installation was built with. */
export const infoCommand: Command = {
  name: 'info',
  summary: 'Show the native build (BLAS, OpenMP, Gloo, CUDA) and thread count',
  usage: 'neox info [--json]',
  help: 'Prints what the native trainer was built with and how many threads it uses.\n\n  --json  print one JSON object',
  options: { json: { type: 'boolean' } },
  async run({ values, stdout }) {
    const native = loadNative();
    const info = { ...native.buildInfo(), threads: native.numThreads(), node: process.version };
    if (values.json) {
      stdout.write(JSON.stringify(info, null, 2) + '\n');
      return;
    }
    const mark = (ok: boolean) => (ok ? '✓' : '✗');
    stdout.write(
      [
        `CPU BLAS  ✓ ${info.blas}`,
        `OpenMP    ✓ ${info.openmp}`,
        `Gloo      ${mark(info.gloo)}`,
        `CUDA      ${mark(info.cuda)}`,
        `compiler  ${info.compiler}`,
        `threads   ${info.threads}`,
        `node      ${info.node}`,
      ].join('\n') + '\n',
    );
  },
};
