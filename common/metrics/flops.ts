/**
 * Model FLOP accounting and MFU.
 *
 * FLOPs per trained token = 6·N_matmul + 12·L·T·H
 * (source: /work/shared/docs/performance-notes.md, "FLOPs per trained token"). 6·N: each weight
 * that multiplies an activation costs 2 FLOPs per token forward and 4 backward. 12·L·T·H: per
 * layer and token, the scores Q·Kᵀ and the weighted sum A·V each take 2·T·H FLOPs forward (full
 * T×T, no causal halving), times 3 for forward plus backward. These are model FLOPs: activation
 * recomputation is not counted, so MFU = model FLOP/s ÷ peak FLOP/s.
 *
 * N_matmul counts exactly the weights of matrix products:
 *   per layer  QKV projection   H × (n·d + 2·k·d)   (d = H/n head size, k KV heads; k = n without GQA)
 *              attention output (n·d) × H
 *              MLP              H × F × 2 (non-gated: up, down) or H × F × 3 (gated: up, gate, down)
 *   once       output layer      V × H   (V = padded vocabulary)
 * and leaves out: the input token embedding and learned position embeddings (table lookups, not
 * products), biases, norm gains, rotary (no weights). Weight tying does not change N_matmul:
 * the shared matrix is multiplied once (as the output layer) and looked up once, so only the
 * total parameter count depends on it.
 */
import { ConfigError } from '../errors';

export interface ModelDimensions {
  /** L, num_layers. */
  layers: number;
  /** H, hidden_size. */
  hidden: number;
  /** n, num_attention_heads (query heads). */
  heads: number;
  /** k, num_kv_heads. @default heads */
  kvHeads?: number;
  /**
   * F, the MLP's inner width: the input width of its second linear (HF intermediate_size; NeoX
   * `in2`, see gpt-neox-reference.md §2.2). Pythia: 4H.
   */
  ffnHidden: number;
  /** Gated activation (swiglu, geglu, ...): the first linear outputs 2F, both halves. @default false */
  gatedMlp?: boolean;
  /** V, the padded vocabulary (rows of the output layer). */
  vocab: number;
}

function requirePositiveInteger(value: number, key: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigError(`${key} is ${value}; it must be a positive integer`, key);
}

/** N_matmul: parameters that take part in matrix products (see the file comment for the list). */
export function matmulParameterCount(dims: ModelDimensions): number {
  const kvHeads = dims.kvHeads ?? dims.heads;
  const checks: [number, string][] = [[dims.layers, 'num_layers'], [dims.hidden, 'hidden_size'], [dims.heads, 'num_attention_heads'], [kvHeads, 'num_kv_heads'], [dims.ffnHidden, 'intermediate_size'], [dims.vocab, 'padded_vocab_size']];
  for (const [value, key] of checks) requirePositiveInteger(value, key);
  if (dims.hidden % dims.heads !== 0) throw new ConfigError(`hidden_size ${dims.hidden} is not divisible by num_attention_heads ${dims.heads}; pick a head count that divides it`, 'num_attention_heads');
  if (dims.heads % kvHeads !== 0) throw new ConfigError(`num_attention_heads ${dims.heads} is not a multiple of num_kv_heads ${kvHeads}; pick a divisor of the head count`, 'num_kv_heads');
  const headSize = dims.hidden / dims.heads;
  const qkv = dims.hidden * (dims.heads * headSize + 2 * kvHeads * headSize);
  const attentionOutput = dims.heads * headSize * dims.hidden;
  const mlp = dims.hidden * dims.ffnHidden * (dims.gatedMlp ? 3 : 2);
  return dims.layers * (qkv + attentionOutput + mlp) + dims.vocab * dims.hidden;
}

export interface FlopsPerTokenInput {
  /** N_matmul (matmulParameterCount). */
  matmulParameters: number;
  /** L, num_layers. */
  layers: number;
  /** T, seq_length. */
  seqLength: number;
  /** H, hidden_size. */
  hidden: number;
}

/** Training FLOPs per token: 6·N_matmul + 12·L·T·H. */
export function flopsPerToken(input: FlopsPerTokenInput): number {
  requirePositiveInteger(input.seqLength, 'seq_length');
  return 6 * input.matmulParameters + 12 * input.layers * input.seqLength * input.hidden;
}

/** Model FLOP/s achieved at a throughput of `tokensPerSec` trained tokens per second. */
export function modelFlopsPerSecond(flopsPerTokenValue: number, tokensPerSec: number): number {
  return flopsPerTokenValue * tokensPerSec;
}

/** Model FLOPs utilisation: achieved ÷ peak, a fraction (0.42 = 42%). */
export function modelFlopsUtilization(achievedFlopsPerSec: number, peakFlopsPerSec: number): number {
  if (!(peakFlopsPerSec > 0) || !Number.isFinite(peakFlopsPerSec)) {
    throw new ConfigError(`peak FLOP/s is ${peakFlopsPerSec}; configure the hardware's peak as a positive number (e.g. 1.9e11 for fp32 sgemm on 2 cores)`);
  }
  return achievedFlopsPerSec / peakFlopsPerSec;
}
