/**
 * What the tensor mapping needs to know about a model, for both Hugging Face families neox
 * converts: GPTNeoXForCausalLM (LayerNorm, GELU, MHA, rotary) and LlamaForCausalLM (RMSNorm,
 * SwiGLU, GQA allowed, rotary over the whole head).
 */
export type HfArchitecture = 'GPTNeoXForCausalLM' | 'LlamaForCausalLM';

export interface HfModelShape {
  architecture: HfArchitecture;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Embedding rows: neox's padded_vocab_size, HF's vocab_size. */
  vocab: number;
  /** Input width of the second MLP linear (HF intermediate_size); the first has twice it when gated. */
  mlpWidth: number;
  gated: boolean;
  attentionBias: boolean;
  mlpBias: boolean;
  /** Output layer reads the word embeddings (no final_linear / lm_head tensor). */
  tied: boolean;
}

/** Rows of the first MLP linear: [up; gate] halves when gated. */
export function linear1Rows(shape: HfModelShape): number {
  return shape.gated ? 2 * shape.mlpWidth : shape.mlpWidth;
}

/** Rows of the fused QKV projection: (NH + 2·NKV)·HS. */
export function qkvRows(shape: HfModelShape): number {
  return (shape.heads + 2 * shape.kvHeads) * shape.headDim;
}
