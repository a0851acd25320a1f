"""PyTorch side of `npm run bench -- train`: the same GPT-NeoX-family model, trained in fp32 with
AdamW, timed per step (forward + backward + optimizer), in its own process.

  train_torch.py SPEC_JSON      -> one JSON line on stdout

SPEC_JSON: {"layers", "hidden", "heads", "vocab", "batch", "seq", "pos_emb": "rotary"|"learned",
  "rotary_pct", "parallel_residual", "tied", "threads", "warmup", "steps", "compile": bool}

The model is written for speed, not generality: one fused QKV linear, F.scaled_dot_product_attention
(causal, fused on CPU), tanh GELU, LayerNorm, cross-entropy over the padded vocabulary, and
torch.optim.AdamW with fused=True when this torch offers it (else foreach). torch.compile is an
option (`compile`). Threads: torch.set_num_threads(threads); the caller sets OMP_NUM_THREADS and
OMP_WAIT_POLICY=PASSIVE in the environment (performance-notes: one busy pool, no spinning).

Output: {"step_seconds": [...], "peak_rss_bytes", "threads", "torch", "compiled", "optimizer"}
"""
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, spec, rotary_cos, rotary_sin):
        super().__init__()
        d = spec["hidden"]
        self.heads = spec["heads"]
        self.head_size = d // self.heads
        self.parallel = spec["parallel_residual"]
        self.ln1 = nn.LayerNorm(d)
        self.ln2 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.dense = nn.Linear(d, d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)
        self.register_buffer("cos", rotary_cos, persistent=False)
        self.register_buffer("sin", rotary_sin, persistent=False)

    def rotate(self, u):
        if self.cos is None:
            return u
        r = self.cos.shape[-1] * 2
        half = r // 2
        x1, x2, rest = u[..., :half], u[..., half:r], u[..., r:]
        return torch.cat([x1 * self.cos - x2 * self.sin, x2 * self.cos + x1 * self.sin, rest], dim=-1)

    def attention(self, x):
        B, T, C = x.shape
        qkv = self.qkv(x).view(B, T, self.heads, 3 * self.head_size).transpose(1, 2)
        q, k, v = qkv.chunk(3, dim=-1)
        q, k = self.rotate(q), self.rotate(k)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.dense(y.transpose(1, 2).reshape(B, T, C))

    def mlp(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))

    def forward(self, x):
        if self.parallel:
            return x + self.attention(self.ln1(x)) + self.mlp(self.ln2(x))
        x = x + self.attention(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class Model(nn.Module):
    def __init__(self, spec):
        super().__init__()
        d, T = spec["hidden"], spec["seq"]
        self.embed = nn.Embedding(spec["vocab"], d)
        self.pos = nn.Embedding(T, d) if spec["pos_emb"] == "learned" else None
        cos = sin = None
        if spec["pos_emb"] == "rotary":
            r = int(d // spec["heads"] * spec["rotary_pct"])
            inv_freq = 1.0 / (10000 ** (torch.arange(0, r, 2).float() / r))
            angles = torch.outer(torch.arange(T).float(), inv_freq)
            cos, sin = angles.cos(), angles.sin()
        self.blocks = nn.ModuleList(Block(spec, cos, sin) for _ in range(spec["layers"]))
        self.final_norm = nn.LayerNorm(d)
        self.out = None if spec["tied"] else nn.Linear(d, spec["vocab"], bias=False)

    def forward(self, ids, targets):
        x = self.embed(ids)
        if self.pos is not None:
            x = x + self.pos(torch.arange(ids.shape[1]))
        for block in self.blocks:
            x = block(x)
        x = self.final_norm(x)
        logits = F.linear(x, self.embed.weight if self.out is None else self.out.weight)
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.reshape(-1))


def make_optimizer(model):
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}]
    try:
        return torch.optim.AdamW(groups, lr=1e-4, betas=(0.9, 0.95), eps=1e-8, fused=True), "AdamW(fused)"
    except (RuntimeError, TypeError, ValueError):
        return torch.optim.AdamW(groups, lr=1e-4, betas=(0.9, 0.95), eps=1e-8, foreach=True), "AdamW(foreach)"


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(0)
    model = Model(spec)
    optimizer, optimizer_name = make_optimizer(model)
    step_fn = torch.compile(model) if spec["compile"] else model
    gen = torch.Generator().manual_seed(1)
    tokens = torch.randint(0, spec["vocab"], (spec["batch"], spec["seq"] + 1), generator=gen)
    ids, targets = tokens[:, :-1].contiguous(), tokens[:, 1:].contiguous()
    times = []
    for step in range(spec["warmup"] + spec["steps"]):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = step_fn(ids, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        loss.item()
        if step >= spec["warmup"]:
            times.append(time.perf_counter() - start)
    print(json.dumps({
        "step_seconds": times,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "compiled": bool(spec["compile"]),
        "optimizer": optimizer_name,
    }))


if __name__ == "__main__":
    main()
