"""Times Hugging Face `tokenizers` on a JSONL file of documents ({"text": ...} per line), one thread.

Usage: RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false bench_reference.py TOKENIZER_JSON DOCS_JSONL
Prints {"single_seconds", "single_seconds_second_pass", "batch_seconds", "tokens", "bytes"}:
encode() one document at a time (as GPT-NeoX's preprocess_data.py does), twice (the second pass
with a warm word cache), and encode_batch() over chunks of 1000 documents; CPU seconds
(time.process_time), as the TypeScript side measures.
"""
import json
import sys
import time

from tokenizers import Tokenizer


def main():
    tok = Tokenizer.from_file(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        docs = [json.loads(line)["text"] for line in f]
    nbytes = sum(len(d.encode("utf-8")) for d in docs)
    single = []
    for _ in range(2):
        start = time.process_time()
        tokens = 0
        for d in docs:
            tokens += len(tok.encode(d).ids)
        single.append(time.process_time() - start)
    start = time.process_time()
    batch_tokens = 0
    for k in range(0, len(docs), 1000):
        batch_tokens += sum(len(e.ids) for e in tok.encode_batch(docs[k : k + 1000]))
    batch = time.process_time() - start
    assert batch_tokens == tokens
    json.dump({"single_seconds": single[0], "single_seconds_second_pass": single[1], "batch_seconds": batch, "tokens": tokens, "bytes": nbytes}, sys.stdout)


if __name__ == "__main__":
    main()
