/**
 * `neox train CONFIG...`: trains on the embedded default — one CPU actor, in this process, or with
 * --world-size N, N rank processes on this machine (node/actor/local-ranks.ts) — until the control
 * plane runs it as a local coordinator and agent. Prints progress, a summary and (with
 * sample_prompt) a generated sample. Ctrl-C (or SIGTERM) stops after the step in flight and saves
 * a checkpoint when `save` is set; a second one exits at once.
 */
import { loadConfig, type NeoxConfig } from '../../../common/config';
import { UsageError } from '../../../common/errors';
import { createTokenizer } from '../../../common/tokenizer';
import type { ChildProcess } from 'node:child_process';

import { runLocal } from '../../../node/actor/local-run';
import { runLocalRanks } from '../../../node/actor/local-ranks';
import { describeModel, type RunReport } from '../../../node/actor/run-report';
import type { Engine } from '../../../native/ts/native';
import { loadCheckpointEngine } from '../../checkpoint/checkpoint-model';
import { progressLine } from './preprocess';
import { generateSample } from '../train-sample';
import type { Command, CommandContext } from '../command';

function threadsFlag(value: unknown): number | null {
  if (value === undefined) return null;
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) throw new UsageError(`--threads expects a whole number of CPU threads (0 = all cores), got '${String(value)}'`);
  return Number(text);
}

function worldSizeFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--world-size expects a whole number of rank processes >= 1, got '${String(value)}'`);
  return Number(text);
}

function summary(result: RunReport, config: NeoxConfig): string[] {
  const { outcome, state, startIteration, trainSeconds } = result;
  const steps = state.iteration - startIteration;
  const lines: string[] = [];
  if (steps === 0) {
    lines.push(`nothing to train: the checkpoint is already at iteration ${state.iteration} of train_iters ${config.train_iters}`);
  } else {
    const tokens = steps * config.train_batch_size * config.seq_length;
    const first = outcome.losses[0]!;
    const last = outcome.losses[outcome.losses.length - 1]!;
    lines.push(
      `${outcome.interrupted ? 'stopped' : 'trained'} iterations ${startIteration} → ${state.iteration} of ${config.train_iters} in ${trainSeconds.toFixed(1)} s ` +
        `(${Math.round(tokens / trainSeconds).toLocaleString('en-US')} tokens/s); loss ${first.toFixed(4)} → ${last.toFixed(4)}` +
        (state.skipped_steps > 0 ? `; ${state.skipped_steps} update(s) skipped (non-finite)` : ''),
    );
  }
  if (outcome.lastSavedIteration !== null && config.save) lines.push(`checkpoint: ${config.save}/global_step${outcome.lastSavedIteration}`);
  if (config.tensorboard_dir) lines.push(`tensorboard: tensorboard --logdir ${config.tensorboard_dir}`);
  if (config.log_dir) lines.push(`metrics: ${config.log_dir}/metrics.jsonl`);
  return lines;
}

/**
 * First signal: stop after the step in flight (and save); second: exit now. Rank processes get
 * each signal too (a terminal's Ctrl-C reaches them already; asking twice is harmless) and are
 * killed on the second.
 */
function stopOnSignals(controller: AbortController, stderr: NodeJS.WritableStream, ranks: () => ChildProcess[]): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      for (const rank of ranks()) rank.kill('SIGKILL');
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    }
    stderr.write(`\nneox: ${signal}: stopping after the current step (and saving if "save" is set); again to quit at once\n`);
    controller.abort(signal);
    for (const rank of ranks()) rank.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'Train a model from GPT-NeoX YAML configs (embedded default: local CPU actors)',
  usage: 'neox train CONFIG... [--set key=value]... [--threads N] [--world-size N]',
  help: [
    'Merges the configs (as neox config show does), preprocesses raw input named by data_preprocess when',
    'the dataset does not exist yet, builds the index maps, resumes from the checkpoint in `load` when',
    'there is one, and trains for train_iters iterations: a progress line per step, evaluation every',
    'eval_interval, checkpoints on GPT-NeoX\'s schedule (checkpoint_factor, extra_save_iters) in `save`,',
    'metrics in log_dir/metrics.jsonl and TensorBoard files in tensorboard_dir. With sample_prompt set it',
    'ends by generating maximum_tokens tokens from that prompt.',
    '',
    'With a world size above 1 (--world-size or global_num_gpus) the run is that many processes on this',
    'machine, one per rank of data x tensor x pipeline parallelism (model_parallel_size,',
    'pipe_parallel_size, zero_optimization); they meet over Gloo and train as one run, rank 0 printing.',
    'Checkpoints load at any layout, so a run may resume with a different world size.',
    '',
    'Ctrl-C stops after the current step and saves a checkpoint (when `save` is set); running the same',
    'command again resumes from it. A second Ctrl-C exits at once.',
    '',
    '  --set key=value   override one key (repeatable), e.g. --set train_iters=50',
    '  --threads N       CPU threads of each process (default: actor_threads from the config, or cores /',
    '                    world size with several processes; 0 = all cores)',
    '  --world-size N    rank processes (default: global_num_gpus from the config, else 1)',
    '',
    'Examples: neox train configs/quickstart.yml',
    '          neox train configs/quickstart.yml --world-size 2 --set model_parallel_size=2',
  ].join('\n'),
  options: {
    set: { type: 'string', multiple: true },
    threads: { type: 'string' },
    'world-size': { type: 'string' },
  },
  async run({ positionals, values, stdout, stderr }: CommandContext) {
    if (positionals.length === 0) throw new UsageError('neox train needs at least one config file, e.g. neox train configs/quickstart.yml');
    const threads = threadsFlag(values.threads);
    const config = loadConfig(positionals, {
      purpose: 'train',
      overrides: (values.set as string[] | undefined) ?? [],
      worldSize: worldSizeFlag(values['world-size']),
      onWarning: (message) => stderr.write(`neox: warning: ${message}\n`),
    });
    const tokenizer = createTokenizer({ tokenizer_type: config.tokenizer_type, vocab_file: config.vocab_file, merge_file: config.merge_file });
    const controller = new AbortController();
    let ranks: ChildProcess[] = [];
    const release = stopOnSignals(controller, stderr, () => ranks);
    const tty = (stdout as NodeJS.WriteStream).isTTY === true;
    const onPreprocess = {
      progress: (p: Parameters<typeof progressLine>[0]) => stdout.write(tty ? `\r${progressLine(p)}\x1b[K` : `${progressLine(p)}\n`),
      done: (prefix: string, s: { documents: number; tokens: number }) =>
        stdout.write(`${tty ? '\n' : ''}preprocessed ${s.documents.toLocaleString('en-US')} documents (${s.tokens.toLocaleString('en-US')} tokens) into ${prefix}.bin/.idx\n`),
    };
    let report: RunReport;
    let engine: Engine | null = null;
    try {
      if (config.world_size > 1) {
        report = await runLocalRanks({ config, threadsPerRank: threads, onPreprocess, onStarted: (children) => (ranks = children), signal: controller.signal });
      } else {
        const result = await runLocal({
          config, threads, console: stdout as NodeJS.WriteStream, signal: controller.signal, onPreprocess,
          onStart: (e) => stdout.write(`${describeModel(config, e.parameterCount, e.threads)}\n`),
        });
        ({ engine } = result);
        report = result;
      }
    } finally {
      release();
    }
    try {
      for (const line of summary(report, config)) stdout.write(`${line}\n`);
      if (config.sample_prompt && !report.outcome.interrupted) {
        if (engine === null && report.outcome.lastSavedIteration !== null && config.save) {
          // Several processes held the model: sample from the checkpoint they saved, in this process.
          engine = (await loadCheckpointEngine(config.save, { threads })).engine;
        }
        if (engine === null) {
          stdout.write('no sample: a run of several processes samples from its last checkpoint; set "save" to get one\n');
        } else {
          const sample = await generateSample(engine, tokenizer, config);
          stdout.write(`sample (prompt ${JSON.stringify(config.sample_prompt)}, ${sample.tokens} tokens, temperature ${config.temperature}):\n${sample.text}\n`);
        }
      }
    } finally {
      engine?.close();
    }
    return report.outcome.interrupted ? 130 : 0;
  },
};
