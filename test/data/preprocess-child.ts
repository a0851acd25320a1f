/**
 * Runs one preprocessing job exactly as `neox preprocess` does (same runner: progress, summary,
 * Ctrl-C handling) but with the test byte tokenizer, so tests can drive it as a process.
 * Usage: node preprocess-child.js '<json: PreprocessOptions without tokenizer, plus tokenizerArgs>'
 */
import { join } from 'node:path';

import { runPreprocessJob } from '../../client/cli/commands/preprocess';
import type { PreprocessOptions } from '../../common/data/preprocess/preprocess';
import { describeError } from '../../common/errors';

const request = JSON.parse(process.argv[2]!) as Omit<PreprocessOptions, 'tokenizer'> & { tokenizerArgs?: unknown; json?: boolean };
const tokenizer = { module: join(__dirname, 'byte-tokenizer.js'), exportName: 'createByteTokenizer', args: request.tokenizerArgs ?? {} };

runPreprocessJob({ ...request, tokenizer }, { stdout: process.stdout, stderr: process.stderr }, request.json ?? false).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`neox: error: ${describeError(error)}\n`);
    process.exitCode = 1;
  },
);
