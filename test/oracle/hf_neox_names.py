"""Hugging Face <-> neox tensor names and layouts (reference §6.4, §6.6; names: native/src/model/param_layout.h).

to_neox(arch, hf_tensors, config) -> {neox name: tensor}. The same function maps parameters and their
gradients (every step is a concatenation or a row permutation, which gradients follow).

GPTNeoXForCausalLM: names change, layouts do not (both use the head-interleaved QKV).
LlamaForCausalLM:   q/k/v_proj -> one QKV weight, in GPT-NeoX's layout for the head counts:
                    blocks [Q | K | V] when num_key_value_heads < num_attention_heads, else
                    interleaved per head [q_h; k_h; v_h]; mlp.linear1 = [up_proj; gate_proj];
                    RMSNorm weights become `.scale`.
"""
import re

import torch

GPT_NEOX_RULES = [
    (r"^gpt_neox\.embed_in\.weight$", "embed.word_embeddings.weight"),
    (r"^gpt_neox\.layers\.(\d+)\.(input_layernorm|post_attention_layernorm)\.(weight|bias)$", r"layers.\1.\2.\3"),
    (r"^gpt_neox\.layers\.(\d+)\.attention\.(query_key_value|dense)\.(weight|bias)$", r"layers.\1.attention.\2.\3"),
    (r"^gpt_neox\.layers\.(\d+)\.mlp\.dense_h_to_4h\.(weight|bias)$", r"layers.\1.mlp.linear1.\2"),
    (r"^gpt_neox\.layers\.(\d+)\.mlp\.dense_4h_to_h\.(weight|bias)$", r"layers.\1.mlp.linear2.\2"),
    (r"^gpt_neox\.final_layer_norm\.(weight|bias)$", r"final_norm.\1"),
    # Hub checkpoints call the output layer embed_out; transformers 5 names the module lm_head.
    (r"^(embed_out|lm_head)\.weight$", "final_linear.weight"),
]

LLAMA_RULES = [
    (r"^model\.embed_tokens\.weight$", "embed.word_embeddings.weight"),
    (r"^model\.layers\.(\d+)\.(input_layernorm|post_attention_layernorm)\.weight$", r"layers.\1.\2.scale"),
    (r"^model\.layers\.(\d+)\.self_attn\.o_proj\.weight$", r"layers.\1.attention.dense.weight"),
    (r"^model\.layers\.(\d+)\.mlp\.down_proj\.weight$", r"layers.\1.mlp.linear2.weight"),
    (r"^model\.norm\.weight$", "final_norm.scale"),
    (r"^lm_head\.weight$", "final_linear.weight"),
]


def rename(rules, name):
    for pattern, replacement in rules:
        if re.match(pattern, name):
            return re.sub(pattern, replacement, name)
    raise KeyError(f"no neox name for Hugging Face tensor {name}")


def llama_qkv(q, k, v, heads, kv_heads):
    """GPT-NeoX's fused QKV rows from separate q, k, v (each [heads*d, C] or [kv_heads*d, C])."""
    if kv_heads < heads:
        return torch.cat([q, k, v], dim=0)
    d = q.shape[0] // heads
    parts = [t.reshape(heads, d, *t.shape[1:]) for t in (q, k, v)]
    return torch.stack(parts, dim=1).reshape(3 * heads * d, *q.shape[1:])


def to_neox(arch, tensors, config):
    if arch == "gpt_neox":
        return {rename(GPT_NEOX_RULES, name): t for name, t in tensors.items()}
    out = {}
    for i in range(config.num_hidden_layers):
        p = f"model.layers.{i}."
        out[f"layers.{i}.attention.query_key_value.weight"] = llama_qkv(
            tensors[p + "self_attn.q_proj.weight"], tensors[p + "self_attn.k_proj.weight"],
            tensors[p + "self_attn.v_proj.weight"], config.num_attention_heads, config.num_key_value_heads)
        out[f"layers.{i}.mlp.linear1.weight"] = torch.cat(
            [tensors[p + "mlp.up_proj.weight"], tensors[p + "mlp.gate_proj.weight"]], dim=0)
    for name, t in tensors.items():
        if re.search(r"\.(q_proj|k_proj|v_proj|up_proj|gate_proj)\.", name):
            continue
        out[rename(LLAMA_RULES, name)] = t
    return out
