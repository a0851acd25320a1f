/**
 * Test-time tokenizer fixtures and references: trains/builds tokenizer files with the reference
 * library into a fresh temporary directory (make_fixtures.py) and asks reference_tokenize.py for
 * the reference ids. Nothing is downloaded; the GPT-2 files come from the tiktoken package's ranks.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { packageRoot } from '../../common/paths';
import { venvPython } from '../oracle/python';
import { makeDocument } from './corpus';

export type FixtureName = 'gpt2' | 'neox' | 'llama3' | 'spm' | 'metaspace';

function runPython(script: string, args: string[], input?: string): string {
  const result = spawnSync(venvPython(), [join(packageRoot(), 'test', 'tokenizer', script), ...args], {
    encoding: 'utf8',
    input,
    maxBuffer: 1 << 30,
    env: { ...process.env, TOKENIZERS_PARALLELISM: 'false', RAYON_NUM_THREADS: '1', PYTHONIOENCODING: 'utf-8' },
  });
  if (result.status !== 0) throw new Error(`${script} failed (${result.status}): ${result.stderr || result.error?.message}`);
  return result.stdout;
}

/** The directory of the tiktoken package's rank files. */
export function tiktokenEncodersDir(): string {
  return join(dirname(require.resolve('tiktoken')), 'encoders');
}

/** Builds the named fixtures in a new temporary directory; returns it (one sub-directory per name). */
export function buildFixtures(names: FixtureName[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'neox-tok-'));
  const corpus = join(dir, 'train.txt');
  const docs: string[] = [];
  for (let i = 0; i < 60; i++) docs.push(makeDocument(20_000, { seed: 500 + i }));
  writeFileSync(corpus, docs.join('\n'));
  runPython('make_fixtures.py', [dir, corpus, tiktokenEncodersDir(), names.join(',')]);
  return dir;
}

export interface Reference {
  ids: number[][];
  decoded: string[];
  vocab_size: number;
  eod: number | null;
}

export type ReferenceMode = 'hf' | 'hfgpt2' | 'gpt2-classic' | 'charlevel' | 'classes';

/** Reference ids/decodes for `texts` (see reference_tokenize.py for what each mode runs). */
export function reference(mode: ReferenceMode, path: string | null, texts: string[]): Reference {
  return JSON.parse(runPython('reference_tokenize.py', [], JSON.stringify({ mode, path, texts }))) as Reference;
}

/** HFTokenizer references for several tokenizer.json files in one Python process. */
export function referenceMany(paths: string[], texts: string[]): Reference[] {
  const out = JSON.parse(runPython('reference_tokenize.py', [], JSON.stringify({ mode: 'hf-many', paths, texts }))) as { results: Reference[] };
  return out.results;
}

/** First index where two id lists differ, with a few ids of context, or null when equal. */
export function firstDifference(ours: ArrayLike<number>, theirs: ArrayLike<number>): string | null {
  const n = Math.max(ours.length, theirs.length);
  for (let k = 0; k < n; k++) {
    if (ours[k] !== theirs[k]) {
      const ctx = (a: ArrayLike<number>): number[] => Array.from(a).slice(Math.max(0, k - 2), k + 4);
      return `at ${k}: ours ${JSON.stringify(ctx(ours))} vs reference ${JSON.stringify(ctx(theirs))} (lengths ${ours.length}/${theirs.length})`;
    }
  }
  return null;
}
