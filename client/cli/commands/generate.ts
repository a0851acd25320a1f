/**
 * `neox generate`: text from a checkpoint on the native engine's KV cache (client/generate/),
 * with the checkpoint's own config, weights and stored tokenizer (client/checkpoint/checkpoint-model.ts).
 */
import { UsageError } from '../../../common/errors';
import { generateIds } from '../../generate/generate';
import { loadCheckpointEngine } from '../../checkpoint/checkpoint-model';
import type { Command, CommandContext } from '../command';

function flag(values: CommandContext['values'], name: string): string | null {
  const value = values[name];
  return typeof value === 'string' ? value : null;
}

/** A number flag, checked against `valid` (whose description goes into the error). */
function numberFlag(values: CommandContext['values'], name: string, fallback: number, valid: (x: number) => boolean, expected: string): number {
  const text = flag(values, name);
  if (text === null) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !valid(value)) throw new UsageError(`--${name} ${text} is not valid; use ${expected}`);
  return value;
}

const integer = (min: number) => (x: number) => Number.isSafeInteger(x) && x >= min;

export const generateCommand: Command = {
  name: 'generate',
  summary: 'Generate text from a checkpoint (KV-cached, greedy or sampled)',
  usage: 'neox generate --checkpoint DIR --prompt TEXT [--max-tokens 64] [--temperature 0] [--top-k 0] [--top-p 1] [--seed S] [--threads N] [--json]',
  help: [
    'Continues the prompt with the checkpoint\'s model and tokenizer (the copy stored in the',
    'checkpoint, else the config\'s files). Prints the prompt followed by the generated text; with',
    '--json one object {"prompt_ids", "ids", "text"} (ids: the generated token ids; text: their',
    'decoding). Generation stops after --max-tokens or at the end-of-document token (not printed).',
    '',
    '  --checkpoint DIR   a checkpoint directory (manifest.json) or a save directory (latest)',
    '  --prompt TEXT      the prompt ("" starts from the end-of-document token)',
    '  --max-tokens N     tokens to generate at most (default 64)',
    '  --temperature T    sampling temperature >= 0 (default 0: greedy unless --top-k/--top-p are set)',
    '  --top-k K          keep the K most likely tokens (default 0 = off)',
    '  --top-p P          nucleus sampling mass in (0, 1] (default 1 = off)',
    '  --seed S           sampling seed (default: the config\'s seed); the same seed gives the same text',
    '  --threads N        CPU threads (default: the config\'s actor_threads, 0 = all cores)',
    '  --json             print {"prompt_ids", "ids", "text"} as one JSON line',
    '',
    'Example: neox generate --checkpoint checkpoints/quickstart --prompt "Shall I compare thee" --max-tokens 40',
  ].join('\n'),
  options: {
    checkpoint: { type: 'string' },
    prompt: { type: 'string' },
    'max-tokens': { type: 'string' },
    temperature: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    seed: { type: 'string' },
    threads: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, stdout, positionals }) {
    if (positionals.length > 0) throw new UsageError(`neox generate takes no positional arguments (got ${positionals.join(' ')}); use --prompt "TEXT"`);
    const checkpoint = flag(values, 'checkpoint');
    if (checkpoint === null) throw new UsageError('neox generate needs --checkpoint DIR (a neox checkpoint directory)');
    const prompt = flag(values, 'prompt');
    if (prompt === null) throw new UsageError('neox generate needs --prompt TEXT (use --prompt "" to start from the end-of-document token)');
    const maxTokens = numberFlag(values, 'max-tokens', 64, integer(0), 'an integer >= 0');
    const temperature = numberFlag(values, 'temperature', 0, (x) => x >= 0, 'a number >= 0 (0 = greedy)');
    const topK = numberFlag(values, 'top-k', 0, integer(0), 'an integer >= 0 (0 = off)');
    const topP = numberFlag(values, 'top-p', 1, (x) => x > 0 && x <= 1, 'a number in (0, 1] (1 = off)');
    const seedFlag = flag(values, 'seed') === null ? null : numberFlag(values, 'seed', 0, integer(Number.MIN_SAFE_INTEGER), 'an integer');
    const threads = flag(values, 'threads') === null ? null : numberFlag(values, 'threads', 0, integer(0), 'an integer >= 0 (0 = all cores)');

    const { engine, config, tokenizer, context } = await loadCheckpointEngine(checkpoint, { threads });
    try {
      const promptIds = tokenizer.encode(prompt);
      const needed = Math.max(promptIds.length, 1) + maxTokens - 1;
      if (needed > context) {
        throw new UsageError(
          `the prompt (${promptIds.length} tokens) and --max-tokens ${maxTokens} need ${needed} positions; the model has ${context}. ` +
            `Shorten the prompt or use --max-tokens ${Math.max(0, context - Math.max(promptIds.length, 1) + 1)} or fewer`,
        );
      }
      const seed = seedFlag ?? config.seed;
      const ids = await generateIds(engine, promptIds, { maxTokens, temperature, topK, topP, seed, stopAtEod: true }, tokenizer.eod);
      const text = tokenizer.decode(ids);
      stdout.write(values.json === true ? JSON.stringify({ prompt_ids: promptIds, ids, text }) + '\n' : prompt + text + '\n');
    } finally {
      engine.close();
    }
    return 0;
  },
};
