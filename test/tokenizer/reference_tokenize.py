"""Reference encodings for the tokenizer tests.

Reads one JSON request on stdin: {"mode": ..., "path": ..., "texts": [...]} and writes
{"ids": [[...]], "decoded": [...], "vocab_size": n, "eod": id} on stdout.

Modes (what GPT-NeoX's megatron/tokenizer/tokenizer.py calls for each tokenizer_type):
  hf            HFTokenizer: tokenizers.Tokenizer.from_file(path); encode(text).ids; decode(ids)
  hf-many       the same for each of "paths": {"results": [...]}
  hfgpt2        HFGPT2Tokenizer: transformers GPT2TokenizerFast.from_pretrained(dir) plus the
                <|padding|> special token; encode(text); decode(ids)
  gpt2-classic  GPT2BPETokenizer: GPT-NeoX's own byte-level BPE (gpt2_tokenization.py) over
                vocab.json + merges.txt: the `regex` module pattern, lowest-rank-first merges,
                no special-token matching, decode with errors="replace". Written here from that
                algorithm's description as an independent check of ours.
  classes       which code points tokenizers' regex engine puts in \p{L}, \p{N}, \p{Lu}, \p{M},
                \p{Cn} and \s: {"<class>": [code points]} (texts unused)
  charlevel     CharLevelTokenizer: UTF-8 bytes (numpy 1.x fromstring(text, uint8)); decode maps
                each id to chr(max(32, min(id, 512))).
"""
import json
import sys


def gpt2_classic(path, texts):
    import os
    import regex

    with open(os.path.join(path, "vocab.json"), encoding="utf-8") as f:
        encoder = json.load(f)
    with open(os.path.join(path, "merges.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")[1:-1]
    ranks = {tuple(line.split()): i for i, line in enumerate(lines)}
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    byte_encoder, extra = {}, 0
    for b in range(256):
        if b in printable:
            byte_encoder[b] = chr(b)
        else:
            byte_encoder[b] = chr(256 + extra)
            extra += 1
    byte_decoder = {v: k for k, v in byte_encoder.items()}
    decoder = {v: k for k, v in encoder.items()}
    pattern = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
    cache = {}

    def bpe(token):
        if token in cache:
            return cache[token]
        word = list(token)
        while len(word) > 1:
            pairs = [(word[i], word[i + 1]) for i in range(len(word) - 1)]
            best = min(pairs, key=lambda p: ranks.get(p, float("inf")))
            if best not in ranks:
                break
            merged, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and (word[i], word[i + 1]) == best:
                    merged.append(word[i] + word[i + 1])
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        cache[token] = word
        return word

    ids, decoded = [], []
    for text in texts:
        out = []
        for piece in pattern.findall(text):
            mapped = "".join(byte_encoder[b] for b in piece.encode("utf-8"))
            out.extend(encoder[t] for t in bpe(mapped))
        ids.append(out)
        chars = "".join(decoder[i] for i in out)
        decoded.append(bytearray(byte_decoder[c] for c in chars).decode("utf-8", errors="replace"))
    return {"ids": ids, "decoded": decoded, "vocab_size": len(encoder), "eod": encoder["<|endoftext|>"]}


def hf(path, texts):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(path)
    ids = [tok.encode(t).ids for t in texts]
    return {
        "ids": ids,
        "decoded": [tok.decode(i) for i in ids],
        "vocab_size": tok.get_vocab_size(),
        "eod": tok.token_to_id("<|endoftext|>"),
    }


def main():
    request = json.load(sys.stdin)
    mode, path, texts = request["mode"], request.get("path"), request["texts"]
    if mode == "hf":
        result = hf(path, texts)
    elif mode == "hf-many":
        result = {"results": [hf(p, texts) for p in request["paths"]]}
    elif mode == "hfgpt2":
        from transformers import GPT2TokenizerFast

        tok = GPT2TokenizerFast.from_pretrained(path)
        tok.add_special_tokens({"pad_token": "<|padding|>"})
        ids = [tok.encode(t) for t in texts]
        result = {"ids": ids, "decoded": [tok.decode(i) for i in ids], "vocab_size": len(tok), "eod": tok.eos_token_id}
    elif mode == "classes":
        from tokenizers import Regex, pre_tokenizers

        cps = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
        text = "\x00".join(chr(c) for c in cps)  # U+0000 is in none of the classes
        result = {}
        for name in ["\\p{L}", "\\p{N}", "\\p{Lu}", "\\p{M}", "\\p{Cn}", "\\s"]:
            split = pre_tokenizers.Split(Regex(name), behavior="removed", invert=True)
            result[name] = [ord(p) for p, _ in split.pre_tokenize_str(text) if len(p) == 1]
    elif mode == "gpt2-classic":
        result = gpt2_classic(path, texts)
    elif mode == "charlevel":
        ids = [list(t.encode("utf-8")) for t in texts]
        result = {
            "ids": ids,
            "decoded": ["".join(chr(max(32, min(i, 512))) for i in x) for x in ids],
            "vocab_size": 512,
            "eod": 0,
        }
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    json.dump(result, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
