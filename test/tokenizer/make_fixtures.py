"""Builds the tokenizer files the tokenizer tests and benchmark compare against Hugging Face.

Usage: make_fixtures.py OUT_DIR CORPUS_FILE TIKTOKEN_ENCODERS_DIR

Writes, all with the reference library (`tokenizers`), nothing downloaded:
  gpt2/            GPT-2 rebuilt from tiktoken's r50k_base ranks (the npm package ships them):
                   vocab.json + merges.txt (GPT2BPETokenizer / HFGPT2Tokenizer) and tokenizer.json
  neox/            byte-level BPE trained like GPT-NeoX-20B's tokenizer (NFC, ByteLevel, specials
                   <|endoftext|> = 0 and <|padding|> = 1) plus added tokens with lstrip/rstrip/
                   single_word/normalized flags
  llama3/          Llama-3 style: Split(regex, Isolated) + ByteLevel(use_regex=false), ignore_merges,
                   merges in the array form, TemplateProcessing with <|begin_of_text|>
  spm/             SentencePiece-style BPE: Prepend+Replace normalizer, byte_fallback, fuse_unk,
                   Replace/ByteFallback/Fuse/Strip decoder, TemplateProcessing with <s>
  metaspace/       Metaspace pre-tokenizer (prepend_scheme first, split) + Metaspace decoder,
                   Lowercase normalizer, Digits pre-tokenizer, merges in the string form
"""
import base64
import json
import os
import sys

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from tokenizers import AddedToken, Regex

LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def bytes_to_unicode():
    """GPT-2's printable stand-ins for the 256 byte values (the published mapping)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    mapping = {}
    extra = 0
    for b in range(256):
        if b in printable:
            mapping[b] = chr(b)
        else:
            mapping[b] = chr(256 + extra)
            extra += 1
    return mapping


def tiktoken_ranks(encoders_dir, name):
    with open(os.path.join(encoders_dir, name + ".json"), encoding="utf-8") as f:
        data = json.load(f)
    parts = data["bpe_ranks"].split(" ")
    assert parts[0] == "!", "unexpected bpe_ranks layout"
    offset = int(parts[1])
    return {base64.b64decode(tok): offset + i for i, tok in enumerate(parts[2:])}, data


def split_by_lower_ranks(ranks, token, max_rank):
    """Merges `token`'s bytes with every rank below max_rank; a real BPE token ends in two parts."""
    parts = [token[i : i + 1] for i in range(len(token))]
    while True:
        best, best_rank = None, None
        for i in range(len(parts) - 1):
            r = ranks.get(parts[i] + parts[i + 1])
            if r is not None and r < max_rank and (best_rank is None or r < best_rank):
                best, best_rank = i, r
        if best is None:
            return parts
        parts = parts[:best] + [parts[best] + parts[best + 1]] + parts[best + 2 :]


def write_gpt2(out, encoders_dir):
    ranks, data = tiktoken_ranks(encoders_dir, "r50k_base")
    b2u = bytes_to_unicode()
    to_text = lambda bs: "".join(b2u[b] for b in bs)
    vocab = {to_text(tok): rank for tok, rank in ranks.items()}
    merges = []
    for tok, rank in sorted(ranks.items(), key=lambda kv: kv[1]):
        if len(tok) < 2:
            continue
        parts = split_by_lower_ranks(ranks, tok, rank)
        assert len(parts) == 2, (tok, parts)
        merges.append((to_text(parts[0]), to_text(parts[1])))
    for special, sid in data["special_tokens"].items():
        vocab[special] = sid
    d = os.path.join(out, "gpt2")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(d, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=True)
    tok.add_special_tokens([AddedToken("<|endoftext|>", special=True, normalized=False)])
    tok.save(os.path.join(d, "tokenizer.json"))


def train(tok, corpus, vocab_size, special_tokens, **extra):
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=special_tokens, show_progress=False, **extra
    )
    tok.train([corpus], trainer)


def write_neox(out, corpus):
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=True)
    train(tok, corpus, 3000, ["<|endoftext|>", "<|padding|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.add_special_tokens([AddedToken("<|fim|>", special=True, normalized=False, lstrip=True, rstrip=True)])
    tok.add_tokens([
        AddedToken("  ", normalized=False),  # whitespace token like the 20B tokenizer's
        AddedToken("<tag>", single_word=True, normalized=True),
        AddedToken("Ångström", normalized=True),  # NFC-normalized before matching
    ])
    d = os.path.join(out, "neox")
    os.makedirs(d, exist_ok=True)
    tok.save(os.path.join(d, "tokenizer.json"))


def write_llama3(out, corpus):
    tok = Tokenizer(models.BPE(ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|endoftext|>"] + [f"<|reserved_special_token_{i}|>" for i in range(4)]
    train(tok, corpus, 3000, specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|>:1 $B:1", special_tokens=[("<|begin_of_text|>", bos)]),
    ])
    d = os.path.join(out, "llama3")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "tokenizer.json")
    tok.save(path)
    # Llama-3's file stores merges as pairs; make sure this fixture does too.
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    data["model"]["merges"] = [m.split(" ", 1) if isinstance(m, str) else m for m in data["model"]["merges"]]
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)


def write_spm(out, corpus):
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.decoder = decoders.Sequence([
        decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)
    ])
    byte_tokens = [f"<0x{b:02X}>" for b in range(256)]
    train(tok, corpus, 3000, ["<unk>", "<s>", "</s>"] + byte_tokens, limit_alphabet=300)
    bos = tok.token_to_id("<s>")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", bos)])
    d = os.path.join(out, "spm")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "tokenizer.json")
    tok.save(path)
    # As in Llama-2's file, the <0xHH> byte tokens live in the model vocabulary only.
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    data["added_tokens"] = [t for t in data["added_tokens"] if t["content"] not in byte_tokens]
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)


def write_metaspace(out, corpus):
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=True),
    ])
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first", split=True)
    train(tok, corpus, 2500, ["<unk>", "<|endoftext|>"], limit_alphabet=400)
    d = os.path.join(out, "metaspace")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "tokenizer.json")
    tok.save(path)
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    data["model"]["merges"] = [" ".join(m) if isinstance(m, list) else m for m in data["model"]["merges"]]
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)


def main():
    out, corpus, encoders_dir = sys.argv[1:4]
    which = set(sys.argv[4].split(",")) if len(sys.argv) > 4 else {"gpt2", "neox", "llama3", "spm", "metaspace"}
    os.makedirs(out, exist_ok=True)
    if "gpt2" in which:
        write_gpt2(out, encoders_dir)
    if "neox" in which:
        write_neox(out, corpus)
    if "llama3" in which:
        write_llama3(out, corpus)
    if "spm" in which:
        write_spm(out, corpus)
    if "metaspace" in which:
        write_metaspace(out, corpus)


if __name__ == "__main__":
    main()
