/**
 * Tokenizer throughput, ours against Hugging Face `tokenizers` (Python binding, one thread:
 * RAYON_NUM_THREADS=1, TOKENIZERS_PARALLELISM=false) on the same generated documents and the same
 * tokenizer.json files; and TiktokenTokenizer against the tiktoken npm package (WASM).
 * A benchmark, not a test: it prints MB/s and tokens/s per CPU second (both sides measure CPU time
 * of one thread, so other load on a shared machine does not skew the ratio), and checks the token
 * totals agree.
 *
 *   node dist/test/tokenizer/bench-tokenizer.js [megabytes=20]
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { get_encoding } from 'tiktoken';

import { packageRoot } from '../../common/paths';
import { createTokenizer, type Tokenizer } from '../../common/tokenizer';
import { venvPython } from '../oracle/python';
import { makeDocument, rng } from './corpus';
import { buildFixtures } from './fixtures';

const megabytes = Number(process.argv[2] ?? 20);

function documents(): string[] {
  const random = rng(12345);
  const docs: string[] = [];
  let bytes = 0;
  while (bytes < megabytes * 1e6) {
    const doc = makeDocument(500 + Math.floor(random() * 12_000), { seed: 100_000 + docs.length });
    docs.push(doc);
    bytes += Buffer.byteLength(doc);
  }
  return docs;
}

/** CPU seconds (user + system) of this process, which a shared machine's other load does not inflate. */
function time(encode: (doc: string) => ArrayLike<number>, docs: string[]): { seconds: number; tokens: number } {
  const start = process.cpuUsage();
  let tokens = 0;
  for (const doc of docs) tokens += encode(doc).length;
  const used = process.cpuUsage(start);
  return { seconds: (used.user + used.system) / 1e6, tokens };
}

const rate = (bytes: number, tokens: number, seconds: number): string =>
  `${(bytes / seconds / 1e6).toFixed(2).padStart(6)} MB/s ${(tokens / seconds / 1e6).toFixed(2).padStart(5)} Mtok/s`;

function main(): void {
  const docs = documents();
  const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d), 0);
  const dir = buildFixtures(['gpt2', 'neox', 'llama3', 'spm']);
  const jsonl = join(dir, 'bench.jsonl');
  writeFileSync(jsonl, docs.map((text) => JSON.stringify({ text })).join('\n') + '\n');
  console.log(`${docs.length} documents, ${(bytes / 1e6).toFixed(1)} MB UTF-8; ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}; load average ${loadavg()[0]!.toFixed(1)}; node ${process.version}; one thread each`);
  for (const name of ['gpt2', 'neox', 'llama3', 'spm']) {
    const path = join(dir, name, 'tokenizer.json');
    const tokenizer: Tokenizer = createTokenizer({ tokenizer_type: 'HFTokenizer', vocab_file: path, merge_file: null });
    const cold = time((d) => tokenizer.encode(d), docs);
    const warm = time((d) => tokenizer.encode(d), docs);
    const result = spawnSync(venvPython(), [join(packageRoot(), 'test', 'tokenizer', 'bench_reference.py'), path, jsonl], {
      encoding: 'utf8',
      env: { ...process.env, RAYON_NUM_THREADS: '1', TOKENIZERS_PARALLELISM: 'false' },
      maxBuffer: 1 << 26,
    });
    if (result.status !== 0) throw new Error(`bench_reference.py failed: ${result.stderr}`);
    const hf = JSON.parse(result.stdout) as { single_seconds: number; single_seconds_second_pass: number; batch_seconds: number; tokens: number };
    const agree = hf.tokens === cold.tokens ? 'token totals agree' : `TOKEN TOTALS DIFFER: ours ${cold.tokens}, HF ${hf.tokens}`;
    console.log(`HFTokenizer ${name.padEnd(6)} ours first pass  ${rate(bytes, cold.tokens, cold.seconds)}   second pass ${rate(bytes, warm.tokens, warm.seconds)}`);
    console.log(`                   HF encode()      ${rate(bytes, hf.tokens, hf.single_seconds)}   second pass ${rate(bytes, hf.tokens, hf.single_seconds_second_pass)}   encode_batch ${rate(bytes, hf.tokens, hf.batch_seconds)}`);
    console.log(`                   ours / HF encode(): first pass ${(hf.single_seconds / cold.seconds).toFixed(2)}x, second pass ${(hf.single_seconds_second_pass / warm.seconds).toFixed(2)}x; ${agree}`);
  }
  for (const name of ['gpt2', 'cl100k_base'] as const) {
    const ours = createTokenizer({ tokenizer_type: 'TiktokenTokenizer', vocab_file: name, merge_file: null });
    const enc = get_encoding(name);
    const mine = time((d) => ours.encode(d), docs);
    const theirs = time((d) => enc.encode(d), docs);
    enc.free();
    const agree = mine.tokens === theirs.tokens ? 'token totals agree' : `TOKEN TOTALS DIFFER: ours ${mine.tokens}, tiktoken ${theirs.tokens}`;
    console.log(`Tiktoken ${name.padEnd(11)} ours ${rate(bytes, mine.tokens, mine.seconds)}   tiktoken (npm WASM) ${rate(bytes, theirs.tokens, theirs.seconds)}; ${agree}`);
  }
  rmSync(dir, { recursive: true, force: true });
}

main();
