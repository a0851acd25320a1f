"""Reference runs of Hugging Face causal LMs in fp32, written in neox names for test/model/*.test.ts.

  hf_causal_lm.py SPEC_JSON OUT.safetensors

SPEC_JSON: {"arch": "gpt_neox" | "llama", "vocab", "hidden", "layers", "heads", "kv_heads",
  "intermediate" (HF's: the second linear's input width), "rotary_pct", "rope_theta", "max_pos",
  "norm_eps", "seed", "batch", "seq", "steps", "gas", "micro", "lrs" (one per step), "betas",
  "adam_eps", "weight_decay", "clip"}

Writes (float32 unless said):
  param.<neox name>   the random initial weights (every tensor, norms and biases included, is
                      perturbed so nothing sits at 0 or 1)
  grad.<neox name>    gradient of the token-mean cross-entropy of `tokens`
  tokens (I32 [batch, seq+1]), logits ([batch, seq, vocab]), loss ([1], F64)
  train_tokens (I32 [steps, gas*micro, seq+1]), train_losses, train_grad_norms (F64 [steps]):
      `steps` AdamW steps over 4 random batches in turn: each micro-batch loss / gas, backward, clip_grad_norm_(clip), then
      torch.optim.AdamW (decay group: every weight matrix; no decay: biases and norm weights)
  final.<neox name>   the parameters after those steps
"""
import json
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import GPTNeoXConfig, GPTNeoXForCausalLM, LlamaConfig, LlamaForCausalLM

from hf_neox_names import to_neox


def build_model(spec):
    common = dict(vocab_size=spec["vocab"], hidden_size=spec["hidden"], num_hidden_layers=spec["layers"],
                  num_attention_heads=spec["heads"], intermediate_size=spec["intermediate"],
                  max_position_embeddings=spec["max_pos"], tie_word_embeddings=False)
    if spec["arch"] == "gpt_neox":
        config = GPTNeoXConfig(**common, rotary_pct=spec["rotary_pct"], rotary_emb_base=spec["rope_theta"],
                               use_parallel_residual=True, hidden_act="gelu", layer_norm_eps=spec["norm_eps"],
                               attention_bias=True, hidden_dropout=0.0, attention_dropout=0.0)
        config._attn_implementation = "eager"
        return GPTNeoXForCausalLM(config), config
    config = LlamaConfig(**common, num_key_value_heads=spec["kv_heads"], rms_norm_eps=spec["norm_eps"],
                         rope_theta=spec["rope_theta"], hidden_act="silu", attention_bias=False, mlp_bias=False)
    config._attn_implementation = "eager"
    return LlamaForCausalLM(config), config


def is_norm_or_bias(name):
    return name.endswith(".bias") or "norm" in name


def perturb(model):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name and name.endswith(".weight"):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            elif name.endswith(".bias"):
                p.copy_(0.05 * torch.randn_like(p))
            else:
                p.copy_(0.05 * torch.randn_like(p))


def mean_loss(model, rows, vocab):
    logits = model(input_ids=rows[:, :-1]).logits
    return F.cross_entropy(logits.reshape(-1, vocab), rows[:, 1:].reshape(-1)), logits


def neox(prefix, model, config, arch, values):
    return {prefix + name: t.detach().float().clone().contiguous() for name, t in to_neox(arch, values, config).items()}


def main():
    spec = json.loads(sys.argv[1])
    out_path = sys.argv[2]
    torch.manual_seed(spec["seed"])
    model, config = build_model(spec)
    perturb(model)
    model.train()
    arch, vocab, seq = spec["arch"], spec["vocab"], spec["seq"]
    out = neox("param.", model, config, arch, dict(model.named_parameters()))

    tokens = torch.randint(0, vocab, (spec["batch"], seq + 1), dtype=torch.int64)
    loss, logits = mean_loss(model, tokens, vocab)
    loss.backward()
    out.update(neox("grad.", model, config, arch, {n: p.grad for n, p in model.named_parameters()}))
    out["tokens"] = tokens.to(torch.int32)
    out["logits"] = logits.detach().contiguous()
    out["loss"] = torch.tensor([loss.item()], dtype=torch.float64)

    rows = spec["gas"] * spec["micro"]
    distinct = torch.randint(0, vocab, (4, rows, seq + 1), dtype=torch.int64)  # 4 batches in turn: the loss falls
    train_tokens = distinct[torch.arange(spec["steps"]) % 4]
    named = list(model.named_parameters())
    groups = [
        {"params": [p for n, p in named if not is_norm_or_bias(n)], "weight_decay": spec["weight_decay"]},
        {"params": [p for n, p in named if is_norm_or_bias(n)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=spec["lrs"][0], betas=tuple(spec["betas"]), eps=spec["adam_eps"])
    losses, norms = [], []
    for step in range(spec["steps"]):
        for group in optimizer.param_groups:
            group["lr"] = spec["lrs"][step]
        optimizer.zero_grad()
        total = 0.0
        for m in range(spec["gas"]):
            micro = train_tokens[step, m * spec["micro"]:(m + 1) * spec["micro"]]
            micro_loss, _ = mean_loss(model, micro, vocab)
            (micro_loss / spec["gas"]).backward()
            total += micro_loss.item() / spec["gas"]
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), spec["clip"])))
        optimizer.step()
        losses.append(total)
    out["train_tokens"] = train_tokens.to(torch.int32)
    out["train_losses"] = torch.tensor(losses, dtype=torch.float64)
    out["train_grad_norms"] = torch.tensor(norms, dtype=torch.float64)
    out.update(neox("final.", model, config, arch, dict(model.named_parameters())))
    save_file(out, out_path)


if __name__ == "__main__":
    main()
