"""Greedy generation with Hugging Face transformers' generate() in fp32, for test/generate/*.test.ts.

  hf_generate.py SPEC_JSON OUT.safetensors

SPEC_JSON: hf_causal_lm.py's model keys ("arch", "vocab", "hidden", "layers", "heads", "kv_heads",
  "intermediate", "rotary_pct", "rope_theta", "max_pos", "norm_eps", "seed") plus "prompts" (lists
  of token ids), "max_new_tokens" and "eos" (the end-of-document id generate() stops at).

Writes param.<neox name> (the same random weights as hf_causal_lm.py for that seed) and
generated.<i> (I32: the new ids of prompt i, greedy, do_sample=False; ends with eos when it stopped
there).
"""
import json
import sys

import torch
from safetensors.torch import save_file

from hf_causal_lm import build_model, neox, perturb


def main():
    spec = json.loads(sys.argv[1])
    torch.manual_seed(spec["seed"])
    model, config = build_model(spec)
    perturb(model)
    model.eval()
    out = neox("param.", model, config, spec["arch"], dict(model.named_parameters()))
    with torch.no_grad():
        for i, prompt in enumerate(spec["prompts"]):
            ids = torch.tensor([prompt], dtype=torch.int64)
            result = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=spec["max_new_tokens"],
                                    do_sample=False, eos_token_id=spec["eos"], pad_token_id=spec["eos"])
            out[f"generated.{i}"] = result[0, len(prompt):].to(torch.int32).contiguous()
    save_file(out, sys.argv[2])


if __name__ == "__main__":
    main()
