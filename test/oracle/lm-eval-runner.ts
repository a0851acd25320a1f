/**
 * Runs lm-evaluation-harness (`.venv/bin/lm_eval`, offline) on local task YAMLs and reads its
 * results and logged samples back. The task folder is the working directory (the YAMLs name
 * their jsonl files relative to it); test/serve/python is put on PYTHONPATH for the stand-in of
 * pytablewriter, which the local pip mirror lacks and lm-eval's CLI imports to print its table.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { packageRoot } from '../../common/paths';
import { venvPython } from './python';

export const LM_EVAL = join(venvPython(), '..', 'lm_eval');

export interface LmEvalOptions {
  taskDir: string;
  tasks: string[];
  modelArgs: string;
  /** The model name in modelArgs (lm-eval writes its files under outDir/<name>). */
  modelName: string;
  outDir: string;
  extraArgs?: string[];
}

export interface LmEvalSample {
  doc_id: number;
  resps: unknown[][];
}

export interface LmEvalRun {
  results: Record<string, Record<string, unknown>>;
  samples(task: string): LmEvalSample[];
  log: string;
}

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

export function runLmEval(options: LmEvalOptions): Promise<LmEvalRun> {
  const args = [
    '--model', 'local-completions', '--model_args', options.modelArgs, '--tasks', options.tasks.join(','),
    '--include_path', options.taskDir, '--output_path', options.outDir, '--log_samples', ...(options.extraArgs ?? []),
  ];
  const env = {
    ...process.env,
    PYTHONPATH: join(packageRoot(), 'test', 'serve', 'python'),
    HF_DATASETS_OFFLINE: '1',
    HF_HUB_OFFLINE: '1',
    HF_DATASETS_CACHE: join(options.outDir, 'datasets-cache'),
    TOKENIZERS_PARALLELISM: 'false',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(LM_EVAL, args, { cwd: options.taskDir, env });
    let log = '';
    child.stdout.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`lm_eval exited with ${code}:\n${log.slice(-3000)}`));
      const dir = join(options.outDir, options.modelName);
      const files = readdirSync(dir);
      const results = JSON.parse(readFileSync(join(dir, files.find((f) => f.startsWith('results_'))!), 'utf8')) as { results: LmEvalRun['results'] };
      resolve({
        results: results.results,
        samples: (task) => readJsonl<LmEvalSample>(join(dir, files.find((f) => f.startsWith(`samples_${task}_`))!)).sort((a, b) => a.doc_id - b.doc_id),
        log,
      });
    });
  });
}
