/**
 * `neox preprocess`: jsonl → Megatron indexed dataset, as GPT-NeoX's
 * tools/datasets/preprocess_data.py (same flags where they exist, same output names and bytes).
 */
import { existsSync } from 'node:fs';

import { InterruptedError, preprocess, PreprocessOptions, PreprocessProgress, PreprocessSummary } from '../../../common/data/preprocess/preprocess';
import { tokenizerSourceFor } from '../../../common/data/preprocess/tokenizer-source';
import { FileError, UsageError } from '../../../common/errors';
import type { Command, CommandContext } from '../command';

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const compact = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)}G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : `${Math.round(n)}`);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** One progress line: totals and rates (MB = 10^6 bytes of uncompressed input). */
export function progressLine(p: PreprocessProgress): string {
  const s = Math.max(p.seconds, 1e-9);
  return `preprocess: ${count(p.documents)} docs, ${mb(p.bytes)}, ${compact(p.tokens)} tokens | ${count(p.documents / s)} docs/s, ${(p.bytes / 1e6 / s).toFixed(2)} MB/s, ${compact(p.tokens / s)} tokens/s`;
}

export function summaryText(summary: PreprocessSummary, workers: number, inputs: number): string {
  const lines = summary.outputs.map((o) =>
    `wrote ${o.prefix}.bin/.idx: ${count(o.documents)} documents, ${count(o.tokens)} tokens (${summary.dtype})${o.emptyDropped ? `, ${count(o.emptyDropped)} empty dropped` : ''}`);
  lines.push(`${progressLine(summary).replace('preprocess: ', `read ${inputs} file(s) in ${summary.seconds.toFixed(1)} s: `)} (${workers} worker${workers === 1 ? '' : 's'}, ${summary.tokenizerType}, vocab ${summary.vocabSize})`);
  if (summary.blankLines) lines.push(`skipped ${count(summary.blankLines)} blank line(s)`);
  if (summary.invalidSkipped) lines.push(`skipped ${count(summary.invalidSkipped)} invalid line(s); first: ${summary.invalidExamples[0]}`);
  return lines.join('\n') + '\n';
}

/**
 * Runs a preprocessing job with the CLI's behaviour: a progress line on stderr, Ctrl-C (or
 * SIGTERM) stops it cleanly and a second one exits at once, a summary (or JSON) on stdout.
 * Returns the exit code (130 after SIGINT, 143 after SIGTERM).
 */
export async function runPreprocessJob(options: PreprocessOptions, io: Pick<CommandContext, 'stdout' | 'stderr'>, json = false): Promise<number> {
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGTERM' ? 143 : 130);
    stoppedBy = signal;
    controller.abort();
  };
  const tty = (io.stderr as NodeJS.WriteStream).isTTY === true;
  let shown = false;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await preprocess({
      ...options,
      signal: controller.signal,
      progressIntervalMs: options.progressIntervalMs ?? (tty ? 1000 : 10000),
      onProgress: (p) => {
        io.stderr.write(tty ? `\r${progressLine(p)}\x1b[K` : `${progressLine(p)}\n`);
        shown = true;
      },
    });
    if (shown && tty) io.stderr.write('\n');
    io.stdout.write(json ? JSON.stringify(summary, null, 2) + '\n' : summaryText(summary, options.workers, options.inputs.length));
    return 0;
  } catch (error) {
    if (shown && tty) io.stderr.write('\n');
    if (error instanceof InterruptedError) {
      io.stderr.write(`neox: ${error.message}\n`);
      return stoppedBy === 'SIGTERM' ? 143 : 130;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function listOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items.flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter((s) => s.length > 0);
}

function stringFlag(values: CommandContext['values'], name: string): string | null {
  const value = values[name];
  return typeof value === 'string' ? value : null;
}

export const preprocessCommand: Command = {
  name: 'preprocess',
  summary: 'Tokenize jsonl files into a Megatron indexed dataset (.bin/.idx) for training',
  usage: 'neox preprocess --input FILE.jsonl[.gz|.zst] [--input …] --output-prefix PREFIX --tokenizer-type TYPE [--vocab-file F] [--merge-file F] [--jsonl-keys text] [--append-eod] [--workers N] [--skip-invalid] [--json]',
  help: [
    'Reads each line of the inputs as a JSON object, tokenizes the value of every --jsonl-keys key',
    'as one document, and writes PREFIX_KEY_document.bin and .idx in GPT-NeoX\'s mmap format (uint16',
    'tokens when the vocabulary is below 65500, else int32). Documents keep input order whatever',
    '--workers is; empty texts are dropped. Outputs appear only when complete: after an error or',
    'Ctrl-C no partial files remain and existing outputs are untouched.',
    '',
    '  --input FILE        jsonl, .jsonl.gz or .jsonl.zst; repeat, comma-separate, or list after the flags',
    '  --output-prefix P   output path prefix (its directory must exist)',
    '  --jsonl-keys K      keys to extract (repeat or comma-separate; default text)',
    '  --tokenizer-type T  HFTokenizer, GPT2BPETokenizer, CharLevelTokenizer, TiktokenTokenizer, …',
    '  --vocab-file F      tokenizer.json (HFTokenizer) or vocab file',
    '  --merge-file F      BPE merges (GPT2BPETokenizer)',
    '  --append-eod        append the tokenizer\'s end-of-document id to every document',
    '  --workers N         tokenizer threads (default 1)',
    '  --skip-invalid      skip and count lines that are not JSON objects with the keys (default: stop',
    '                      at the first, naming FILE:LINE)',
    '  --dataset-impl mmap accepted for GPT-NeoX command lines; mmap is the only output format',
    '  --json              print the summary as JSON',
    '',
    'Progress (documents, MB and tokens per second; MB = 10^6 bytes of uncompressed text) goes to',
    'stderr. Example:',
    '  neox preprocess --input data.jsonl.zst --output-prefix data/pile --tokenizer-type HFTokenizer \\',
    '      --vocab-file 20B_tokenizer.json --append-eod --workers 8',
  ].join('\n'),
  options: {
    input: { type: 'string', multiple: true },
    'output-prefix': { type: 'string' },
    'jsonl-keys': { type: 'string', multiple: true },
    'tokenizer-type': { type: 'string' },
    'vocab-file': { type: 'string' },
    'merge-file': { type: 'string' },
    'append-eod': { type: 'boolean' },
    workers: { type: 'string' },
    'skip-invalid': { type: 'boolean' },
    'dataset-impl': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals, stdout, stderr }) {
    const inputs = [...listOf(values.input), ...positionals];
    const outputPrefix = stringFlag(values, 'output-prefix');
    if (!outputPrefix) throw new UsageError('--output-prefix is required (outputs are PREFIX_KEY_document.bin/.idx)');
    const type = stringFlag(values, 'tokenizer-type');
    if (!type) throw new UsageError('--tokenizer-type is required, e.g. --tokenizer-type HFTokenizer --vocab-file tokenizer.json');
    const impl = stringFlag(values, 'dataset-impl');
    if (impl !== null && impl !== 'mmap') throw new UsageError(`--dataset-impl ${impl} is not supported; neox writes only the mmap format`);
    const workersText = stringFlag(values, 'workers') ?? '1';
    const workers = Number(workersText);
    if (!/^\d+$/.test(workersText) || workers < 1) throw new UsageError(`--workers ${workersText} must be an integer ≥ 1`);
    const vocabFile = stringFlag(values, 'vocab-file');
    const mergeFile = stringFlag(values, 'merge-file');
    for (const file of [vocabFile, mergeFile]) {
      if (file !== null && !existsSync(file)) throw new FileError(file, `tokenizer file ${file} does not exist`);
    }
    const keys = listOf(values['jsonl-keys']);
    return runPreprocessJob({
      inputs,
      keys: keys.length > 0 ? keys : ['text'],
      outputPrefix,
      tokenizer: tokenizerSourceFor({ tokenizer_type: type, vocab_file: vocabFile, merge_file: mergeFile }),
      appendEod: values['append-eod'] === true,
      workers,
      skipInvalid: values['skip-invalid'] === true,
    }, { stdout, stderr }, values.json === true);
  },
};
