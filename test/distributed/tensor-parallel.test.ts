/**
 * Tensor parallelism (Megatron: column-parallel QKV and MLP linear1, row-parallel dense and
 * linear2, vocabulary-parallel embedding and loss) across OS processes: 10 steps at (1,2,1) and
 * (2,2,1) with ZeRO 0/1/2 equal the (1,1,1) losses and gradient norms within 1e-5 relative, for
 * Pythia-style MHA, Llama-style GQA + SwiGLU without biases, and GPT-2-style tied embeddings
 * with learned positions; all ranks agree; a repeated layout is bitwise identical. Equal losses at
 * step 0 also show that every layout initializes the same global weights.
 */
import test from 'ava';

import { assertClose, assertRanksAgree } from './layout-assertions';
import type { RankReport } from './layout-worker';
import { runLayout } from './run-layout';

const ARCHITECTURES: Record<string, Record<string, unknown>> = {
  pythia: {},
  'llama (GQA 4/2, SwiGLU, RMSNorm)': {
    num_kv_heads: 2, norm: 'rmsnorm', activation: 'swiglu', intermediate_size: 192, use_bias_in_attn_linear: false,
    use_bias_in_mlp: false, gpt_j_residual: false, rotary_pct: 1,
  },
  'gpt-2 (tied, learned positions)': { pos_emb: 'learned', no_weight_tying: false, gpt_j_residual: false, bias_gelu_fusion: true },
};

const references = new Map<string, Promise<RankReport[]>>();
function reference(arch: string): Promise<RankReport[]> {
  if (!references.has(arch)) references.set(arch, runLayout({ dp: 1, tp: 1, pp: 1 }, { extra: ARCHITECTURES[arch]! }));
  return references.get(arch)!;
}

const CASES: [string, number, number][] = [
  ['pythia', 1, 0], ['pythia', 2, 0], ['pythia', 2, 1], ['pythia', 2, 2],
  ['llama (GQA 4/2, SwiGLU, RMSNorm)', 1, 0], ['llama (GQA 4/2, SwiGLU, RMSNorm)', 2, 2],
  ['gpt-2 (tied, learned positions)', 1, 0],
];

for (const [arch, dp, zeroStage] of CASES) {
  test.serial(`${arch}: (${dp},2,1) with ZeRO ${zeroStage} trains like (1,1,1)`, async (t) => {
    const [expected] = await reference(arch);
    const reports = await runLayout({ dp, tp: 2, pp: 1 }, { zeroStage, extra: ARCHITECTURES[arch]! });
    t.is(reports.length, 2 * dp);
    assertRanksAgree(t, reports);
    assertClose(t, reports[0]!.losses, expected!.losses, 'loss');
    assertClose(t, reports[0]!.gradNorms, expected!.gradNorms, 'gradient norm');
  });
}

test.serial('a tensor-parallel layout repeats bitwise', async (t) => {
  const first = await runLayout({ dp: 1, tp: 2, pp: 1 });
  const again = await runLayout({ dp: 1, tp: 2, pp: 1 });
  t.deepEqual(again[0]!.losses, first[0]!.losses);
  t.deepEqual(again[0]!.gradNorms, first[0]!.gradNorms);
});
