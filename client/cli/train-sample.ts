/**
 * The sample `neox train` prints at the end: maximum_tokens tokens generated from sample_prompt
 * with the config's temperature, top_k and top_p (0 = off), seeded by the run's seed.
 */
import type { NeoxConfig } from '../../common/config';
import type { Tokenizer } from '../../common/tokenizer';
import type { Engine } from '../../native/ts/native';
import { generateIds } from '../generate/generate';

export async function generateSample(engine: Engine, tokenizer: Tokenizer, config: NeoxConfig): Promise<{ text: string; tokens: number }> {
  const prompt = config.sample_prompt ?? '';
  const promptIds = tokenizer.encode(prompt);
  const room = config.seq_length - promptIds.length;
  const ids = await generateIds(engine, promptIds, {
    maxTokens: Math.max(0, Math.min(config.maximum_tokens, room)),
    temperature: config.temperature,
    topK: config.top_k > 0 ? config.top_k : null,
    topP: config.top_p > 0 ? config.top_p : null,
    seed: config.seed,
    stopAtEod: true,
  }, tokenizer.eod);
  return { text: prompt + tokenizer.decode(ids), tokens: ids.length };
}
