"""Hugging Face side of the export/import tests (test/interop/hf-interop.test.ts).

  hf_interop.py create JOBS_JSON
      JOBS: [{"spec": SPEC, "dir": OUT_DIR, "tokens": [[id, ...], ...], "logits": OUT.safetensors}].
      For each job a random tiny GPTNeoXForCausalLM or LlamaForCausalLM (every weight, norms and biases too,
      perturbed), saved with save_pretrained in SPEC["dtype"] ("float32" | "bfloat16" |
      "float16"), sharded when SPEC["max_shard_size"] is set. SPEC: {"arch", "vocab", "hidden",
      "layers", "heads", "kv_heads", "intermediate", "rotary_pct", "rope_theta", "max_pos",
      "norm_eps", "parallel_residual", "tied", "attention_bias", "mlp_bias", "seed", "dtype",
      "max_shard_size"}; then the job's logits as the next command writes them, from the saved
      (rounded) weights.

  hf_interop.py logits JOBS_JSON
      JOBS: [{"dir": MODEL_DIR, "tokens": [[id, ...], ...], "logits": OUT.safetensors}]. Loads each
      MODEL_DIR with AutoModelForCausalLM in float32 (eager attention), refuses missing,
      unexpected or mismatched keys, and writes "logits" [B, T, V] of the token rows. With "text"
      in a job, also encodes it with AutoTokenizer.from_pretrained(MODEL_DIR). Prints a JSON list
      of {"class": model class name, "ids": token ids (with "text")}.
"""
import json
import sys

import torch
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, AutoTokenizer, GPTNeoXConfig, GPTNeoXForCausalLM, LlamaConfig, LlamaForCausalLM

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def build(spec):
    common = dict(vocab_size=spec["vocab"], hidden_size=spec["hidden"], num_hidden_layers=spec["layers"],
                  num_attention_heads=spec["heads"], intermediate_size=spec["intermediate"],
                  max_position_embeddings=spec["max_pos"], tie_word_embeddings=spec["tied"],
                  bos_token_id=0, eos_token_id=0)
    if spec["arch"] == "gpt_neox":
        config = GPTNeoXConfig(**common, rotary_pct=spec["rotary_pct"], rotary_emb_base=spec["rope_theta"],
                               use_parallel_residual=spec["parallel_residual"], hidden_act="gelu",
                               layer_norm_eps=spec["norm_eps"], attention_bias=spec["attention_bias"])
        return GPTNeoXForCausalLM(config)
    config = LlamaConfig(**common, num_key_value_heads=spec["kv_heads"], rms_norm_eps=spec["norm_eps"],
                         rope_theta=spec["rope_theta"], hidden_act="silu", attention_bias=spec["attention_bias"],
                         mlp_bias=spec["mlp_bias"])
    return LlamaForCausalLM(config)


def create(job):
    spec, out_dir = job["spec"], job["dir"]
    torch.manual_seed(spec["seed"])
    model = build(spec)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name and name.endswith(".weight"):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            else:
                p.copy_(0.05 * torch.randn_like(p))
    model = model.to(DTYPES[spec["dtype"]])
    kwargs = {"max_shard_size": spec["max_shard_size"]} if spec.get("max_shard_size") else {}
    model.save_pretrained(out_dir, safe_serialization=True, **kwargs)
    return logits(job)


def logits(job):
    model_dir = job["dir"]
    model, info = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="eager",
                                                       output_loading_info=True)
    problems = {k: v for k, v in info.items() if v}
    if problems:
        raise SystemExit(f"loading {model_dir} was not clean: {problems}")
    model.eval()
    tokens = torch.tensor(job["tokens"], dtype=torch.int64)
    with torch.no_grad():
        out = model(input_ids=tokens).logits.float().contiguous()
    save_file({"logits": out}, job["logits"])
    result = {"class": type(model).__name__}
    if "text" in job:
        result["ids"] = AutoTokenizer.from_pretrained(model_dir).encode(job["text"], add_special_tokens=False)
    return result


if __name__ == "__main__":
    commands = {"create": create, "logits": logits}
    if len(sys.argv) != 3 or sys.argv[1] not in commands:
        raise SystemExit("usage: hf_interop.py create|logits JOBS_JSON")
    print(json.dumps([commands[sys.argv[1]](job) for job in json.loads(sys.argv[2])]))
