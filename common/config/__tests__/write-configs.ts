/** Test helpers: config texts written to a fresh temporary directory, and loading with warnings collected. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig, loadConfigWithOrigins, type LoadConfigOptions, type NeoxConfig, type PartialNeoxConfig } from '..';

/** Writes each `name: text` into one new temporary directory; returns the paths in the same order. */
export function writeConfigs(files: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'neox-config-'));
  return Object.entries(files).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}

/** A small configuration that trains: every required key, nothing else. */
export const TRAINABLE = `{
  "num_layers": 2,
  "hidden_size": 64,
  "num_attention_heads": 4,
  "seq_length": 128,
  "max_position_embeddings": 128,
  "optimizer": {"type": "Adam", "params": {"lr": 0.001}},
  "train_micro_batch_size_per_gpu": 4,
  "train_iters": 100,
}
`;

export function loadTrain(files: string[], options: Omit<LoadConfigOptions, 'onWarning' | 'purpose'> = {}): { config: NeoxConfig; warnings: string[] } {
  const warnings: string[] = [];
  const config = loadConfig(files, { ...options, onWarning: (m) => warnings.push(m) });
  return { config, warnings };
}

export function loadShow(files: string[], options: Omit<LoadConfigOptions, 'onWarning' | 'purpose'> = {}): { config: PartialNeoxConfig; warnings: string[] } {
  const warnings: string[] = [];
  const config = loadConfig(files, { ...options, purpose: 'show', onWarning: (m) => warnings.push(m) });
  return { config, warnings };
}

export function loadWithOrigins(files: string[], options: Omit<LoadConfigOptions, 'onWarning'> = {}) {
  const warnings: string[] = [];
  const resolved = loadConfigWithOrigins(files, { ...options, onWarning: (m) => warnings.push(m) });
  return { ...resolved, warnings };
}
