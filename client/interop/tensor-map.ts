/**
 * neox tensor names (native/src/model/param_layout.h) ↔ Hugging Face state-dict names, with the
 * layout changes between them (reference §6.4, §6.6). Every change is a choice of rows, so one
 * conversion is: a neox tensor whose rows, gathered in given ranges, form each HF tensor.
 *
 *   GPTNeoXForCausalLM: renames only; both use the head-interleaved QKV [q_h; k_h; v_h] per head.
 *   LlamaForCausalLM:   QKV → q_proj, k_proj, v_proj: blocks [Q | K | V] when NKV < NH, else
 *                       interleaved per head (GPT-NeoX's MHA layout, qkv_layout.h);
 *                       mlp.linear1 = [up_proj; gate_proj]; RMSNorm `.scale` ↔ `.weight`.
 * Biases split like their weights' rows.
 */
import { type HfModelShape, linear1Rows, qkvRows } from './model-shape';

export interface TensorRef {
  name: string;
  shape: number[];
}

export interface RowRange {
  start: number;
  count: number;
}

/** One neox tensor and the HF tensors made of its rows. */
export interface Conversion {
  neox: TensorRef;
  hf: TensorRef[];
  /** The HF tensors' data (in `hf` order) from the neox tensor's. */
  toHf(data: Float32Array): Float32Array[];
  /** The neox tensor's data from the HF tensors' (in `hf` order). */
  toNeox(parts: Float32Array[]): Float32Array;
}

function rowsConversion(neox: TensorRef, parts: { name: string; ranges: RowRange[] }[]): Conversion {
  const width = neox.shape.slice(1).reduce((a, b) => a * b, 1);
  const rowsOf = (ranges: RowRange[]) => ranges.reduce((sum, r) => sum + r.count, 0);
  const hf = parts.map((part) => ({ name: part.name, shape: [rowsOf(part.ranges), ...neox.shape.slice(1)] }));
  return {
    neox,
    hf,
    toHf(data) {
      return parts.map((part) => {
        const out = new Float32Array(rowsOf(part.ranges) * width);
        let at = 0;
        for (const r of part.ranges) {
          out.set(data.subarray(r.start * width, (r.start + r.count) * width), at);
          at += r.count * width;
        }
        return out;
      });
    },
    toNeox(values) {
      const out = new Float32Array(neox.shape.reduce((a, b) => a * b, 1));
      parts.forEach((part, i) => {
        let at = 0;
        for (const r of part.ranges) {
          out.set(values[i]!.subarray(at, at + r.count * width), r.start * width);
          at += r.count * width;
        }
      });
      return out;
    },
  };
}

const rename = (neox: TensorRef, hfName: string) => rowsConversion(neox, [{ name: hfName, ranges: [{ start: 0, count: neox.shape[0]! }] }]);

/** Row ranges of q, k and v inside GPT-NeoX's fused QKV rows. */
export function qkvRanges(heads: number, kvHeads: number, headDim: number): { q: RowRange[]; k: RowRange[]; v: RowRange[] } {
  if (kvHeads < heads) {
    return {
      q: [{ start: 0, count: heads * headDim }],
      k: [{ start: heads * headDim, count: kvHeads * headDim }],
      v: [{ start: (heads + kvHeads) * headDim, count: kvHeads * headDim }],
    };
  }
  const per = (offset: number) => Array.from({ length: heads }, (_, h) => ({ start: h * 3 * headDim + offset * headDim, count: headDim }));
  return { q: per(0), k: per(1), v: per(2) };
}

/** The weight and (when `bias`) the bias of a linear layer with `rows` outputs. */
function linear(prefix: string, rows: number, columns: number, bias: boolean): TensorRef[] {
  const weight = { name: `${prefix}.weight`, shape: [rows, columns] };
  return bias ? [weight, { name: `${prefix}.bias`, shape: [rows] }] : [weight];
}

/** `.weight` → `.bias` etc.: the last name part. */
const suffix = (ref: TensorRef) => ref.name.slice(ref.name.lastIndexOf('.'));

function gptNeoxConversions(s: HfModelShape): Conversion[] {
  const C = s.hidden;
  const norm = (prefix: string, hfPrefix: string) => [
    rename({ name: `${prefix}.weight`, shape: [C] }, `${hfPrefix}.weight`),
    rename({ name: `${prefix}.bias`, shape: [C] }, `${hfPrefix}.bias`),
  ];
  const out: Conversion[] = [rename({ name: 'embed.word_embeddings.weight', shape: [s.vocab, C] }, 'gpt_neox.embed_in.weight')];
  for (let i = 0; i < s.layers; i++) {
    const p = `layers.${i}`;
    const h = `gpt_neox.layers.${i}`;
    out.push(...norm(`${p}.input_layernorm`, `${h}.input_layernorm`));
    for (const t of linear(`${p}.attention.query_key_value`, qkvRows(s), C, s.attentionBias)) out.push(rename(t, `${h}.attention.query_key_value${suffix(t)}`));
    for (const t of linear(`${p}.attention.dense`, C, C, s.attentionBias)) out.push(rename(t, `${h}.attention.dense${suffix(t)}`));
    out.push(...norm(`${p}.post_attention_layernorm`, `${h}.post_attention_layernorm`));
    for (const t of linear(`${p}.mlp.linear1`, linear1Rows(s), C, true)) out.push(rename(t, `${h}.mlp.dense_h_to_4h${suffix(t)}`));
    for (const t of linear(`${p}.mlp.linear2`, C, s.mlpWidth, true)) out.push(rename(t, `${h}.mlp.dense_4h_to_h${suffix(t)}`));
  }
  out.push(...norm('final_norm', 'gpt_neox.final_layer_norm'));
  // Pythia's checkpoints call the output layer embed_out; transformers 5 renames it to lm_head on load.
  if (!s.tied) out.push(rename({ name: 'final_linear.weight', shape: [s.vocab, C] }, 'embed_out.weight'));
  return out;
}

function llamaConversions(s: HfModelShape): Conversion[] {
  const C = s.hidden;
  const scale = (prefix: string, hfName: string) => rename({ name: `${prefix}.scale`, shape: [C] }, hfName);
  const out: Conversion[] = [rename({ name: 'embed.word_embeddings.weight', shape: [s.vocab, C] }, 'model.embed_tokens.weight')];
  const qkv = qkvRanges(s.heads, s.kvHeads, s.headDim);
  const up = [{ start: 0, count: s.mlpWidth }];
  const gate = [{ start: s.mlpWidth, count: s.mlpWidth }];
  for (let i = 0; i < s.layers; i++) {
    const p = `layers.${i}`;
    const h = `model.layers.${i}`;
    out.push(scale(`${p}.input_layernorm`, `${h}.input_layernorm.weight`));
    for (const t of linear(`${p}.attention.query_key_value`, qkvRows(s), C, s.attentionBias)) {
      const x = suffix(t);
      out.push(rowsConversion(t, [
        { name: `${h}.self_attn.q_proj${x}`, ranges: qkv.q },
        { name: `${h}.self_attn.k_proj${x}`, ranges: qkv.k },
        { name: `${h}.self_attn.v_proj${x}`, ranges: qkv.v },
      ]));
    }
    for (const t of linear(`${p}.attention.dense`, C, C, s.attentionBias)) out.push(rename(t, `${h}.self_attn.o_proj${suffix(t)}`));
    out.push(scale(`${p}.post_attention_layernorm`, `${h}.post_attention_layernorm.weight`));
    for (const t of linear(`${p}.mlp.linear1`, linear1Rows(s), C, s.mlpBias)) {
      const x = suffix(t);
      out.push(rowsConversion(t, [{ name: `${h}.mlp.up_proj${x}`, ranges: up }, { name: `${h}.mlp.gate_proj${x}`, ranges: gate }]));
    }
    for (const t of linear(`${p}.mlp.linear2`, C, s.mlpWidth, s.mlpBias)) out.push(rename(t, `${h}.mlp.down_proj${suffix(t)}`));
  }
  out.push(scale('final_norm', 'model.norm.weight'));
  if (!s.tied) out.push(rename({ name: 'final_linear.weight', shape: [s.vocab, C] }, 'lm_head.weight'));
  return out;
}

/** Every parameter of the model as a conversion, in neox's layout order. */
export function tensorConversions(shape: HfModelShape): Conversion[] {
  return shape.architecture === 'GPTNeoXForCausalLM' ? gptNeoxConversions(shape) : llamaConversions(shape);
}

/** Other names an HF checkpoint may use for a tensor (older or newer transformers). */
export const HF_ALIASES: Record<string, string[]> = {
  'embed_out.weight': ['lm_head.weight'],
};

/**
 * HF checkpoint entries that are buffers, not weights (Pythia's `attention.bias`,
 * `attention.masked_bias`, `rotary_emb.inv_freq`); an importer skips them.
 */
export function isHfBuffer(name: string): boolean {
  return /\.attention\.(bias|masked_bias)$/.test(name) || /\.rotary_emb\.inv_freq$/.test(name);
}
