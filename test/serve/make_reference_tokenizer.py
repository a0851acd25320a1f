"""Builds the tokenizer of the reference model `neox serve --reference-model` serves in the tests.

Usage: make_reference_tokenizer.py CORPUS_JSONL OUT_DIR

A byte-level BPE like GPT-NeoX-20B's (NFC, ByteLevel pre-tokenizer and decoder, <|endoftext|> = 0),
trained with the reference library `tokenizers` on the quick-start corpus to 500 entries, so the
reference model's vocabulary (padded to 512) has padded ids too. Writes tokenizer.json (read by
neox) and tokenizer_config.json (so transformers.AutoTokenizer, and lm-eval's huggingface
backend, load the directory). The output is committed under test/serve/fixtures/; rerun only to
change it.
"""
import json
import os
import sys

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

VOCAB_SIZE = 500


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    with open(corpus, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    os.makedirs(out, exist_ok=True)
    tok.save(os.path.join(out, "tokenizer.json"))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "eos_token": "<|endoftext|>",
        "model_max_length": 256,
        "clean_up_tokenization_spaces": False,
    }
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
