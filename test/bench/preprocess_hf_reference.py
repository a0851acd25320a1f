"""HF `tokenizers` on the same jsonl as the preprocess benchmark, one thread, for comparison.

Usage: preprocess_hf_reference.py TOKENIZER_JSON CORPUS_JSONL EOD_ID
Prints {"seconds", "cpuSeconds", "bytes", "documents", "tokens"} (tokens include one EOD per document).
"""
import json
import os
import sys
import time

os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ["RAYON_NUM_THREADS"] = "1"

from tokenizers import Tokenizer  # noqa: E402

tokenizer = Tokenizer.from_file(sys.argv[1])
documents = tokens = size = 0
start = time.perf_counter()
cpu = time.process_time()
with open(sys.argv[2], "rb") as f:
    for line in f:
        size += len(line)
        text = json.loads(line)["text"]
        if text:
            tokens += len(tokenizer.encode(text).ids) + 1
            documents += 1
print(json.dumps({"seconds": time.perf_counter() - start, "cpuSeconds": time.process_time() - cpu, "bytes": size, "documents": documents, "tokens": tokens}))
