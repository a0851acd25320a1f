/**
 * `neox generate` on a trainer checkpoint: greedy ids equal Hugging Face transformers' generate()
 * (GPTNeoXForCausalLM and LlamaForCausalLM built from the same weights, fp32); --json's shape; the
 * plain output; seeded sampling repeats; bad flags are refused by name.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SafetensorsFile } from '../../common/checkpoint';
import { createEngine } from '../../native/ts/native';
import { saveEngineCheckpoint } from '../../node/actor/engine-checkpoint';
import { initialTrainerState } from '../../node/actor/trainer-state';
import { tinyConfig, VOCAB, type Arch } from '../model/tiny-models';
import { runOracle } from '../oracle/python';
import { CLI } from '../serve/cli-server';
import { referenceTokenizer, TOKENIZER_JSON } from '../serve/helpers';

const tokenizer = referenceTokenizer();
const PROMPTS = ['Shall I compare thee to a summer', 'When forty winters'];
const NEW_TOKENS = 12;
const work = mkdtempSync(join(tmpdir(), 'neox-generate-cli-'));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

function neox(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, 'generate', ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** HF's weights and greedy generations for `arch`; the weights saved as a neox checkpoint. */
async function checkpointWithReference(arch: Arch): Promise<{ dir: string; generated: number[][] }> {
  const spec = {
    arch, vocab: VOCAB, hidden: 64, layers: 2, heads: 4, kv_heads: arch === 'llama' ? 2 : 4,
    intermediate: arch === 'llama' ? 96 : 256, rotary_pct: arch === 'llama' ? 1 : 0.25, rope_theta: 10000,
    max_pos: 64, norm_eps: 1e-5, seed: 5, prompts: PROMPTS.map((p) => tokenizer.encode(p)), max_new_tokens: NEW_TOKENS,
    eos: tokenizer.eod,
  };
  const path = join(work, `${arch}.safetensors`);
  runOracle('hf_generate.py', [JSON.stringify(spec), path]);
  const file = new SafetensorsFile(path);
  const config = tinyConfig(arch, { micro: 1, gas: 1 }, { tokenizer_type: 'HFTokenizer', vocab_file: TOKENIZER_JSON });
  const engine = await createEngine(config, { threads: null, seed: 1 });
  try {
    for (const info of engine.tensorInfo()) {
      if (info.kind === 'parameter') engine.setTensor(info.name, file.read(`param.${info.name}`) as Float32Array);
    }
    const dir = join(work, arch);
    saveEngineCheckpoint({
      saveDir: dir, engine, state: initialTrainerState(5), config: config as unknown as Record<string, unknown>,
      topology: { world_size: 1, data_parallel_size: 1, model_parallel_size: 1, pipe_parallel_size: 1, zero_stage: 0 },
      keepLast: null, tokenizerFiles: [TOKENIZER_JSON],
    });
    const generated = PROMPTS.map((_, i) => Array.from(file.read(`generated.${i}`) as Int32Array));
    return { dir, generated };
  } finally {
    engine.close();
    file.close();
  }
}

for (const arch of ['gpt_neox', 'llama'] as const) {
  test.serial(`${arch}: greedy --json ids equal transformers' generate() on the same weights`, async (t) => {
    const { dir, generated } = await checkpointWithReference(arch);
    for (const [i, prompt] of PROMPTS.entries()) {
      const run = neox('--checkpoint', dir, '--prompt', prompt, '--max-tokens', String(NEW_TOKENS), '--json');
      t.is(run.code, 0, run.stderr);
      const out = JSON.parse(run.stdout) as { prompt_ids: number[]; ids: number[]; text: string };
      t.deepEqual(Object.keys(out), ['prompt_ids', 'ids', 'text']);
      t.deepEqual(out.prompt_ids, tokenizer.encode(prompt));
      // transformers returns the end-of-document id it stopped at; neox generate does not.
      const expected = generated[i]!.at(-1) === tokenizer.eod ? generated[i]!.slice(0, -1) : generated[i]!;
      t.deepEqual(out.ids, expected, `prompt ${i}`);
      t.log(`prompt ${i}: ${expected.join(' ')}`);
      t.is(out.text, tokenizer.decode(out.ids));
    }
    const plain = neox('--checkpoint', dir, '--prompt', PROMPTS[0]!, '--max-tokens', '5');
    t.is(plain.code, 0, plain.stderr);
    const ids = (JSON.parse(neox('--checkpoint', dir, '--prompt', PROMPTS[0]!, '--max-tokens', '5', '--json').stdout) as { ids: number[] }).ids;
    t.is(plain.stdout, PROMPTS[0]! + tokenizer.decode(ids) + '\n');

    if (arch !== 'gpt_neox') return;
    // Seeded sampling: the same seed gives the same ids, another seed others.
    const sample = (seed: string) => neox('--checkpoint', dir, '--prompt', 'When', '--max-tokens', '20', '--temperature', '1.3', '--top-k', '100', '--top-p', '0.9', '--seed', seed, '--json').stdout;
    const first = sample('3');
    t.is(sample('3'), first);
    t.not(sample('4'), first);

    // Bad flags, each named.
    const refusals: [string[], string][] = [
      [['--prompt', 'x'], 'neox generate needs --checkpoint DIR (a neox checkpoint directory)'],
      [['--checkpoint', dir], 'neox generate needs --prompt TEXT (use --prompt "" to start from the end-of-document token)'],
      [['--checkpoint', dir, '--prompt', 'x', '--max-tokens=-1'], '--max-tokens -1 is not valid; use an integer >= 0'],
      [['--checkpoint', dir, '--prompt', 'x', '--temperature', 'hot'], '--temperature hot is not valid; use a number >= 0 (0 = greedy)'],
      [['--checkpoint', dir, '--prompt', 'x', '--top-k', '2.5'], '--top-k 2.5 is not valid; use an integer >= 0 (0 = off)'],
      [['--checkpoint', dir, '--prompt', 'x', '--top-p', '0'], '--top-p 0 is not valid; use a number in (0, 1] (1 = off)'],
      [['--checkpoint', dir, '--prompt', 'x', 'extra'], 'neox generate takes no positional arguments (got extra); use --prompt "TEXT"'],
    ];
    for (const [args, message] of refusals) t.deepEqual(neox(...args), { code: 2, stdout: '', stderr: `neox: error: ${message}\n` }, args.join(' '));
    const promptLength = tokenizer.encode(PROMPTS[0]!).length;
    t.deepEqual(neox('--checkpoint', dir, '--prompt', PROMPTS[0]!, '--max-tokens', '100'), {
      code: 2, stdout: '',
      stderr: `neox: error: the prompt (${promptLength} tokens) and --max-tokens 100 need ${promptLength + 99} positions; the model has 64. Shorten the prompt or use --max-tokens ${65 - promptLength} or fewer\n`,
    });
  });
}
