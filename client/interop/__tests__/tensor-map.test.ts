import test from 'ava';

import type { HfModelShape } from '../model-shape';
import { qkvRanges, tensorConversions } from '../tensor-map';

const llama: HfModelShape = {
  architecture: 'LlamaForCausalLM', layers: 1, hidden: 8, heads: 4, kvHeads: 2, headDim: 2, vocab: 10, mlpWidth: 6, gated: true,
  attentionBias: true, mlpBias: true, tied: false,
};

test('QKV rows: blocks [Q | K | V] with fewer key/value heads, per-head [q_h; k_h; v_h] otherwise', (t) => {
  t.deepEqual(qkvRanges(4, 2, 2), {
    q: [{ start: 0, count: 8 }], k: [{ start: 8, count: 4 }], v: [{ start: 12, count: 4 }],
  });
  const mha = qkvRanges(2, 2, 3);
  t.deepEqual(mha.q, [{ start: 0, count: 3 }, { start: 9, count: 3 }]);
  t.deepEqual(mha.k, [{ start: 3, count: 3 }, { start: 12, count: 3 }]);
  t.deepEqual(mha.v, [{ start: 6, count: 3 }, { start: 15, count: 3 }]);
});

test('every conversion splits and joins back to the same tensor, and HF names are unique', (t) => {
  for (const shape of [llama, { ...llama, kvHeads: 4 }, { ...llama, architecture: 'GPTNeoXForCausalLM' as const, gated: false, kvHeads: 4 }]) {
    const names = new Set<string>();
    for (const c of tensorConversions(shape)) {
      const size = c.neox.shape.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: size }, (_, i) => i);
      const parts = c.toHf(data);
      parts.forEach((part, i) => t.is(part.length, c.hf[i]!.shape.reduce((a, b) => a * b, 1), c.hf[i]!.name));
      t.deepEqual(c.toNeox(parts), data, c.neox.name);
      for (const ref of c.hf) {
        t.false(names.has(ref.name), ref.name);
        names.add(ref.name);
      }
    }
  }
});

test('Llama: linear1 rows are [up_proj; gate_proj]; q_proj takes the first NH·HS QKV rows with GQA', (t) => {
  const conversions = tensorConversions(llama);
  const linear1 = conversions.find((c) => c.neox.name === 'layers.0.mlp.linear1.weight')!;
  t.deepEqual(linear1.hf.map((r) => r.name), ['model.layers.0.mlp.up_proj.weight', 'model.layers.0.mlp.gate_proj.weight']);
  const [up, gate] = linear1.toHf(Float32Array.from({ length: 12 * 8 }, (_, i) => Math.floor(i / 8)));
  t.deepEqual([...new Set(up)], [0, 1, 2, 3, 4, 5]);
  t.deepEqual([...new Set(gate)], [6, 7, 8, 9, 10, 11]);
  const qkvBias = conversions.find((c) => c.neox.name === 'layers.0.attention.query_key_value.bias')!;
  const [q, k, v] = qkvBias.toHf(Float32Array.from({ length: 16 }, (_, i) => i));
  t.deepEqual([...q!], [0, 1, 2, 3, 4, 5, 6, 7]);
  t.deepEqual([...k!], [8, 9, 10, 11]);
  t.deepEqual([...v!], [12, 13, 14, 15]);
});
