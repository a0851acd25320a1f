"""Writes a small BPE tokenizer.json with added tokens (some already in the vocabulary, some new)
to argv[1] and prints the Hugging Face library's get_vocab_size(with_added_tokens=True)."""
import sys

from tokenizers import AddedToken, Tokenizer, models

vocab = {"<|endoftext|>": 0, "a": 1, "b": 2, "ab": 3, "c": 4, "abc": 5}
tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[("a", "b"), ("ab", "c")]))
tokenizer.add_special_tokens(["<|endoftext|>", "<|padding|>"])
tokenizer.add_tokens([AddedToken("  ", normalized=False), "c", "zzz"])
tokenizer.save(sys.argv[1])
print(tokenizer.get_vocab_size(with_added_tokens=True))
