/**
 * Index-map construction at Pythia scale: 146,432,000 × 1.005 = 147,164,160 requested samples of
 * 2048 tokens over a synthetic corpus (default 150M documents of 1..3000 tokens), timing each
 * GPT2Dataset step and the .npy writes.
 *
 *   npm run bench -- index-maps [--documents 150000000] [--samples 147164160] [--dir DIR]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { buildDocIdx, buildSampleIdx, buildShuffleIdx, planIndex } from '../../common/data/gpt2-index';
import { indexMapFiles, writeIndexMaps } from '../../common/data/index-cache';
import { RandomState } from '../../common/data/numpy-random';

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { documents: { type: 'string' }, samples: { type: 'string' }, dir: { type: 'string' } } });
  const documents = Number(values.documents ?? 150_000_000);
  const numSamples = Number(values.samples ?? 147_164_160);
  const seqLength = 2048;
  const timings: Record<string, number> = {};
  const cpuTimings: Record<string, number> = {};
  // Wall and CPU seconds: CPU time stays meaningful when other processes share the machine.
  const time = <T>(name: string, fn: () => T): T => {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const out = fn();
    const used = process.cpuUsage(cpu);
    timings[name] = Number(process.hrtime.bigint() - start) / 1e9;
    cpuTimings[name] = (used.user + used.system) / 1e6;
    process.stderr.write(`${name.padEnd(22)} ${timings[name]!.toFixed(2)} s wall, ${cpuTimings[name]!.toFixed(2)} s CPU\n`);
    return out;
  };
  const sizes = time('synthetic sizes', () => {
    const out = new Int32Array(documents);
    let x = 12345;
    for (let i = 0; i < documents; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      out[i] = 1 + (x % 3000);
    }
    return out;
  });
  const range = { start: 0, end: documents };
  const plan = time('plan (token count)', () => planIndex(sizes, range, numSamples, seqLength));
  process.stderr.write(`  ${plan.tokensPerEpoch.toLocaleString('en-US')} tokens/epoch, ${plan.numEpochs} epochs, ${plan.totalSamples.toLocaleString('en-US')} samples, sample_idx ${plan.sampleIdxDtype}\n`);
  const rng = new RandomState(1234);
  const docIdx = time('doc_idx + shuffle', () => buildDocIdx(range, plan.numEpochs, rng));
  const sampleIdx = time('sample_idx', () => buildSampleIdx(sizes, docIdx, seqLength, plan));
  const shuffleIdx = time('shuffle_idx + shuffle', () => buildShuffleIdx(plan.totalSamples, plan.shuffleIdxDtype, rng));
  const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'neox-bench-index-'));
  const files = indexMapFiles({ dataPrefix: join(dir, 'synthetic'), name: 'train_0', numSamples, seqLength, seed: 1234 });
  time('write 3 .npy (fsync)', () => writeIndexMaps(files, { plan, docIdx, sampleIdx, shuffleIdx }));
  const sum = (t: Record<string, number>) => Object.entries(t).filter(([k]) => k !== 'synthetic sizes').reduce((a, [, v]) => a + v, 0);
  console.log(`index maps for ${numSamples.toLocaleString('en-US')} samples over ${documents.toLocaleString('en-US')} documents: ${sum(timings).toFixed(1)} s wall, ${sum(cpuTimings).toFixed(1)} s CPU (excluding the synthetic sizes; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
  console.log(JSON.stringify({ bench: 'index-maps', documents, numSamples, seqLength, plan, timings, cpuTimings }));
  if (!values.dir) rmSync(dir, { recursive: true, force: true });
}
