/**
 * Preprocessing benchmark: a generated jsonl corpus (default 200 MB) through `preprocess` with a
 * real byte-level BPE (GPT-2's vocabulary rebuilt from the tiktoken package's ranks, as an
 * HFTokenizer tokenizer.json) with 1 and 2 workers, and HF `tokenizers` in Python on one thread
 * for comparison. Prints MB/s (10^6 bytes of jsonl) and tokens/s.
 *
 *   npm run bench -- preprocess [--size-mb 200] [--workers 1,2] [--dir DIR] [--no-hf]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { preprocess } from '../../common/data/preprocess/preprocess';
import { packageRoot } from '../../common/paths';
import { venvPython } from '../oracle/python';
import { makeDocument, rng } from '../tokenizer/corpus';
import { buildFixtures } from '../tokenizer/fixtures';

function makeCorpus(path: string, bytes: number): void {
  if (existsSync(path) && statSync(path).size >= bytes) return;
  const random = rng(2024);
  const fd = openSync(path, 'w');
  let written = 0;
  let lines: string[] = [];
  let pending = 0;
  for (let i = 0; written + pending < bytes; i++) {
    const text = makeDocument(500 + Math.floor(random() * 8000), { seed: 10_000 + i });
    const line = JSON.stringify({ text, meta: { id: i } }) + '\n';
    lines.push(line);
    pending += Buffer.byteLength(line);
    if (pending > 8 << 20) {
      written += writeSync(fd, lines.join(''));
      lines = [];
      pending = 0;
    }
  }
  writeSync(fd, lines.join(''));
  closeSync(fd);
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { 'size-mb': { type: 'string' }, workers: { type: 'string' }, dir: { type: 'string' }, 'no-hf': { type: 'boolean' } },
  });
  const sizeMb = Number(values['size-mb'] ?? '200');
  const workerCounts = (values.workers ?? '1,2').split(',').map(Number);
  const dir = values.dir ?? join(tmpdir(), 'neox-bench-preprocess');
  mkdirSync(dir, { recursive: true });
  const corpus = join(dir, `corpus-${sizeMb}mb.jsonl`);
  let t0 = Date.now();
  makeCorpus(corpus, sizeMb * 1e6);
  const corpusBytes = statSync(corpus).size;
  process.stderr.write(`corpus ${corpus}: ${(corpusBytes / 1e6).toFixed(1)} MB (${((Date.now() - t0) / 1000).toFixed(1)} s to make or reuse)\n`);
  t0 = Date.now();
  const vocab = join(buildFixtures(['gpt2']), 'gpt2', 'tokenizer.json');
  process.stderr.write(`tokenizer ${vocab} (${((Date.now() - t0) / 1000).toFixed(1)} s to build)\n`);
  process.stderr.write(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n\n`);

  const rows: Array<{ name: string; seconds: number; cpuSeconds: number; bytes: number; tokens: number; documents: number }> = [];
  for (const workers of workerCounts) {
    const cpu = process.cpuUsage();
    const summary = await preprocess({
      inputs: [corpus], keys: ['text'], outputPrefix: join(dir, `out-w${workers}`), appendEod: true, workers, skipInvalid: false,
      tokenizer: { module: join(packageRoot(), 'dist', 'common', 'tokenizer', 'index.js'), exportName: 'createTokenizer', args: { tokenizer_type: 'HFTokenizer', vocab_file: vocab, merge_file: null } },
      onProgress: (p) => process.stderr.write(`\r  ${workers} worker(s): ${(p.bytes / 1e6).toFixed(0)} MB, ${(p.bytes / 1e6 / p.seconds).toFixed(2)} MB/s`),
    });
    process.stderr.write('\n');
    const used = process.cpuUsage(cpu);
    rows.push({ name: `neox preprocess, ${workers} worker${workers === 1 ? '' : 's'}`, seconds: summary.seconds, cpuSeconds: (used.user + used.system) / 1e6, bytes: summary.bytes, tokens: summary.tokens, documents: summary.documents });
  }
  if (!values['no-hf']) {
    const result = spawnSync(venvPython(), [join(packageRoot(), 'test', 'bench', 'preprocess_hf_reference.py'), vocab, corpus, '50256'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (result.status !== 0) throw new Error(`HF reference failed: ${result.stderr}`);
    const hf = JSON.parse(result.stdout) as { seconds: number; cpuSeconds: number; bytes: number; tokens: number; documents: number };
    rows.push({ name: 'HF tokenizers (Python, 1 thread)', ...hf });
  }
  // CPU seconds (all threads) make runs comparable when other processes share the machine.
  const line = (cells: string[]) => `${cells[0]!.padEnd(36)} ${cells.slice(1).map((c) => c.padStart(12)).join(' ')}`;
  console.log(line(['', 'seconds', 'MB/s', 'tokens/s', 'CPU s', 'MB/CPU-s', 'tokens']));
  for (const r of rows) {
    console.log(line([r.name, r.seconds.toFixed(1), (r.bytes / 1e6 / r.seconds).toFixed(2), Math.round(r.tokens / r.seconds).toLocaleString('en-US'),
      r.cpuSeconds.toFixed(1), (r.bytes / 1e6 / r.cpuSeconds).toFixed(2), r.tokens.toLocaleString('en-US')]));
  }
  console.log(`load average now: ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} cores`);
  const tokenCounts = new Set(rows.map((r) => r.tokens));
  console.log(tokenCounts.size === 1 ? 'all runs produced the same token count' : 'WARNING: token counts differ between runs');
  console.log(JSON.stringify({ bench: 'preprocess', corpusBytes, rows }));
}
