/**
 * `neox train CONFIG...`: trains on the embedded default — one CPU actor, in this process, until
 * the control plane runs it as a local coordinator and agent. Prints progress, a summary and (with
 * sample_prompt) a generated sample. Ctrl-C (or SIGTERM) stops after the step in flight and saves
 * a checkpoint when `save` is set; a second one exits at once.
 */
import { loadConfig, type NeoxConfig } from '../../../common/config';
import { UsageError } from '../../../common/errors';
import { createTokenizer } from '../../../common/tokenizer';
import { runLocal, type LocalRunResult } from '../../../node/actor/local-run';
import { progressLine } from './preprocess';
import { generateSample } from '../train-sample';
import type { Command, CommandContext } from '../command';

function threadsFlag(value: unknown): number | null {
  if (value === undefined) return null;
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) throw new UsageError(`--threads expects a whole number of CPU threads (0 = all cores), got '${String(value)}'`);
  return Number(text);
}

function describeModel(config: NeoxConfig, parameters: number, threads: number): string {
  const millions = (parameters / 1e6).toFixed(parameters < 1e7 ? 2 : 1);
  return `model: ${millions}M parameters (${config.num_layers} layers, hidden ${config.hidden_size}, ${config.num_attention_heads} heads, ` +
    `seq ${config.seq_length}), ${config.tokenizer_type}, batch ${config.train_batch_size}×${config.seq_length} tokens, ${threads} thread${threads === 1 ? '' : 's'}`;
}

function summary(result: LocalRunResult, config: NeoxConfig): string[] {
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

/** First signal: stop after the step in flight (and save); second: exit now. */
function stopOnSignals(controller: AbortController, stderr: NodeJS.WritableStream): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGTERM' ? 143 : 130);
    stderr.write(`\nneox: ${signal}: stopping after the current step (and saving if "save" is set); again to quit at once\n`);
    controller.abort(signal);
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
  summary: 'Train a model from GPT-NeoX YAML configs (embedded default: one local CPU actor)',
  usage: 'neox train CONFIG... [--set key=value]... [--threads N]',
  help: [
    'Merges the configs (as neox config show does), preprocesses raw input named by data_preprocess when',
    'the dataset does not exist yet, builds the index maps, resumes from the checkpoint in `load` when',
    'there is one, and trains for train_iters iterations: a progress line per step, evaluation every',
    'eval_interval, checkpoints on GPT-NeoX\'s schedule (checkpoint_factor, extra_save_iters) in `save`,',
    'metrics in log_dir/metrics.jsonl and TensorBoard files in tensorboard_dir. With sample_prompt set it',
    'ends by generating maximum_tokens tokens from that prompt.',
    '',
    'Ctrl-C stops after the current step and saves a checkpoint (when `save` is set); running the same',
    'command again resumes from it. A second Ctrl-C exits at once.',
    '',
    '  --set key=value  override one key (repeatable), e.g. --set train_iters=50',
    '  --threads N      CPU threads (default: actor_threads from the config; 0 = all cores)',
    '',
    'Example: neox train configs/quickstart.yml',
  ].join('\n'),
  options: {
    set: { type: 'string', multiple: true },
    threads: { type: 'string' },
  },
  async run({ positionals, values, stdout, stderr }: CommandContext) {
    if (positionals.length === 0) throw new UsageError('neox train needs at least one config file, e.g. neox train configs/quickstart.yml');
    const threads = threadsFlag(values.threads);
    const config = loadConfig(positionals, {
      purpose: 'train',
      overrides: (values.set as string[] | undefined) ?? [],
      onWarning: (message) => stderr.write(`neox: warning: ${message}\n`),
    });
    const tokenizer = createTokenizer({ tokenizer_type: config.tokenizer_type, vocab_file: config.vocab_file, merge_file: config.merge_file });
    const controller = new AbortController();
    const release = stopOnSignals(controller, stderr);
    const tty = (stdout as NodeJS.WriteStream).isTTY === true;
    let result: LocalRunResult;
    try {
      result = await runLocal({
        config, threads, console: stdout as NodeJS.WriteStream, signal: controller.signal,
        onPreprocess: {
          progress: (p) => stdout.write(tty ? `\r${progressLine(p)}\x1b[K` : `${progressLine(p)}\n`),
          done: (prefix, s) => stdout.write(`${tty ? '\n' : ''}preprocessed ${s.documents.toLocaleString('en-US')} documents (${s.tokens.toLocaleString('en-US')} tokens) into ${prefix}.bin/.idx\n`),
        },
        onStart: (engine) => stdout.write(`${describeModel(config, engine.parameterCount, engine.threads)}\n`),
      });
    } finally {
      release();
    }
    try {
      for (const line of summary(result, config)) stdout.write(`${line}\n`);
      if (config.sample_prompt && !result.outcome.interrupted) {
        const sample = await generateSample(result.engine, tokenizer, config);
        stdout.write(`sample (prompt ${JSON.stringify(config.sample_prompt)}, ${sample.tokens} tokens, temperature ${config.temperature}):\n${sample.text}\n`);
      }
    } finally {
      result.engine.close();
    }
    return result.outcome.interrupted ? 130 : 0;
  },
};
