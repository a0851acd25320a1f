"""Hugging Face side of `npm run bench -- generate`: transformers' generate() (greedy, KV cache)
on a randomly initialised GPTNeoXForCausalLM of the given shape, fp32, in its own process.

  generate_hf.py SPEC_JSON

SPEC_JSON: {"layers", "hidden", "heads", "vocab", "rotary_pct", "max_pos", "batch", "prompt",
  "new_tokens", "threads"}

After one untimed warm-up run it prints {"ready": true, "torch", "transformers", "threads",
"attention"}; then for every line "run" on stdin it generates exactly new_tokens tokens for `batch`
random prompts of `prompt` tokens (do_sample=False, min_new_tokens = max_new_tokens, no
end-of-sequence stop) and prints {"seconds": ...}, so the caller can interleave these runs with its
own. torch.set_num_threads(threads); the caller sets OMP_NUM_THREADS. Ends at end of input.
"""
import json
import sys
import time

import torch
import transformers
from transformers import GPTNeoXConfig, GPTNeoXForCausalLM


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(0)
    config = GPTNeoXConfig(vocab_size=spec["vocab"], hidden_size=spec["hidden"], num_hidden_layers=spec["layers"],
                           num_attention_heads=spec["heads"], intermediate_size=4 * spec["hidden"],
                           rotary_pct=spec["rotary_pct"], max_position_embeddings=spec["max_pos"],
                           use_parallel_residual=True, tie_word_embeddings=False, hidden_act="gelu")
    model = GPTNeoXForCausalLM(config).eval()
    prompts = torch.randint(0, spec["vocab"], (spec["batch"], spec["prompt"]), dtype=torch.int64)

    def run():
        with torch.inference_mode():
            out = model.generate(prompts, attention_mask=torch.ones_like(prompts), do_sample=False,
                                 max_new_tokens=spec["new_tokens"], min_new_tokens=spec["new_tokens"],
                                 eos_token_id=None, pad_token_id=0)
        assert out.shape == (spec["batch"], spec["prompt"] + spec["new_tokens"]), out.shape

    run()
    print(json.dumps({"ready": True, "torch": torch.__version__, "transformers": transformers.__version__,
                      "threads": torch.get_num_threads(), "attention": model.config._attn_implementation}), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            continue
        start = time.perf_counter()
        run()
        print(json.dumps({"seconds": time.perf_counter() - start}), flush=True)

if __name__ == "__main__":
    main()
