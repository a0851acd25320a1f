"""Independent numpy references for the data tests (test/data/*.test.ts).

Written from docs/gpt-neox-reference.md §4 (formats and formulas), not from the TypeScript code.
Every sub-command reads one JSON object on stdin and prints one JSON object on stdout.
"""
import json
import math
import struct
import sys

import numpy as np

DTYPE_CODES = {"uint8": 1, "int8": 2, "int16": 3, "int32": 4, "int64": 5, "uint16": 8}


def write_indexed(req):
    """Writes PREFIX.bin/.idx for a list of documents (one item each) in the MMIDIDX layout."""
    dtype = np.dtype(req["dtype"]).newbyteorder("<")
    docs = [np.asarray(d, dtype=dtype) for d in req["documents"]]
    sizes = np.array([len(d) for d in docs], dtype="<i4")
    pointers = np.zeros(len(docs), dtype="<i8")
    if len(docs) > 1:
        pointers[1:] = np.cumsum(sizes[:-1].astype(np.int64)) * dtype.itemsize
    doc_idx = np.arange(len(docs) + 1, dtype="<i8")
    with open(req["prefix"] + ".bin", "wb") as f:
        for d in docs:
            f.write(d.tobytes())
    with open(req["prefix"] + ".idx", "wb") as f:
        f.write(b"MMIDIDX\x00\x00")
        f.write(struct.pack("<Q", 1))
        f.write(struct.pack("<B", DTYPE_CODES[req["dtype"]]))
        f.write(struct.pack("<Q", len(sizes)))
        f.write(struct.pack("<Q", len(doc_idx)))
        f.write(sizes.tobytes())
        f.write(pointers.tobytes())
        f.write(doc_idx.tobytes())
    return {"ok": True}


def read_indexed(req):
    """Reads every document back with numpy views over the two files."""
    idx = open(req["prefix"] + ".idx", "rb").read()
    assert idx[:9] == b"MMIDIDX\x00\x00"
    (version,) = struct.unpack("<Q", idx[9:17])
    code = idx[17]
    n, d = struct.unpack("<QQ", idx[18:34])
    dtype = {v: k for k, v in DTYPE_CODES.items()}[code]
    sizes = np.frombuffer(idx, dtype="<i4", count=n, offset=34)
    pointers = np.frombuffer(idx, dtype="<i8", count=n, offset=34 + 4 * n)
    doc_idx = np.frombuffer(idx, dtype="<i8", count=d, offset=34 + 12 * n)
    data = np.fromfile(req["prefix"] + ".bin", dtype=np.dtype(dtype).newbyteorder("<"))
    item = np.dtype(dtype).itemsize
    docs = [data[p // item: p // item + s].tolist() for p, s in zip(pointers.tolist(), sizes.tolist())]
    return {"version": version, "dtype": dtype, "documents": docs, "doc_idx": doc_idx.tolist()}


def num_epochs(tokens_per_epoch, seq_length, num_samples):
    epochs = 0
    total = 0
    while True:
        epochs += 1
        total += tokens_per_epoch
        if (total - 1) // seq_length >= num_samples:
            return epochs


def index_maps(req):
    """GPT2Dataset index maps per §4.6, with numpy's RandomState, saved with np.save under the
    §4.8 names. sample_idx is found by binary search over cumulative sizes (a different method from
    the step-by-step walk, with the same definition: row s locates stream token s·S)."""
    sizes = np.asarray(req["sizes"], dtype=np.int32)
    documents = np.arange(req["start"], req["end"], dtype=np.int32)
    seq = req["seq_length"]
    tokens_per_epoch = int(np.sum(sizes[documents].astype(np.int64)))
    epochs = num_epochs(tokens_per_epoch, seq, req["num_samples"])
    rng = np.random.RandomState(seed=req["seed"])
    doc_idx = np.tile(documents, epochs).astype(np.int32)
    rng.shuffle(doc_idx)
    total = (epochs * tokens_per_epoch - 1) // seq
    cumulative = np.cumsum(sizes[doc_idx].astype(np.int64))
    starts = np.arange(total + 1, dtype=np.int64) * seq
    position = np.searchsorted(cumulative, starts, side="right")
    before = np.where(position > 0, cumulative[np.maximum(position - 1, 0)], 0)
    small = 2 * ((epochs * tokens_per_epoch - 1) / seq + 1) < np.iinfo(np.int32).max
    sample_idx = np.stack([position, starts - before], axis=1).astype(np.int32 if small else np.int64)
    shuffle_dtype = np.uint32 if total < np.iinfo(np.uint32).max - 1 else np.int64
    shuffle_idx = np.arange(total, dtype=shuffle_dtype)
    rng.shuffle(shuffle_idx)
    out = {"num_epochs": epochs, "total": total, "tokens_per_epoch": tokens_per_epoch}
    if req.get("save_prefix"):
        for name, array in (("doc_idx", doc_idx), ("sample_idx", sample_idx), ("shuffle_idx", shuffle_idx)):
            np.save(req["save_prefix"] + "_" + name + ".npy", array, allow_pickle=True)
    if req.get("return_arrays", True):
        out.update(doc_idx=doc_idx.tolist(), sample_idx=sample_idx.tolist(), shuffle_idx=shuffle_idx.tolist())
    if req.get("tokens"):
        # Serve every shuffled sample from the token values 100·item + t (the §4.7 convention).
        # The dataset's length is one less; GPT2Dataset still serves index `length` (shuffle_idx
        # has that entry) and wraps larger indices modulo the length.
        served = []
        length = min(len(shuffle_idx) - 1, len(sample_idx) - 1)
        out["length"] = length
        stream_items = np.repeat(doc_idx, sizes[doc_idx])
        stream_offsets = np.concatenate([np.arange(sizes[d]) for d in doc_idx]) if len(doc_idx) else np.array([])
        stream = stream_items.astype(np.int64) * 100 + stream_offsets
        for i in range(len(shuffle_idx)):
            j = int(shuffle_idx[i])
            served.append(stream[j * seq: j * seq + seq + 1].tolist())
        out["samples"] = served
    return out


def shuffle(req):
    # randint over the full uint32 range returns raw MT19937 outputs.
    raw = np.random.RandomState(req["seed"]).randint(0, 2**32, size=5, dtype=np.uint32)
    out = {"raw32": raw.tolist()}
    rng = np.random.RandomState(req["seed"])
    a = np.arange(req["n"], dtype=np.dtype(req.get("dtype", "int64")))
    rng.shuffle(a)
    out["shuffled"] = a.tolist()
    out["after"] = rng.randint(0, 2**32, size=4, dtype=np.uint32).tolist()
    return out


def save_npy(req):
    np.save(req["path"], np.asarray(req["values"], dtype=req["dtype"]).reshape(req["shape"]), allow_pickle=True)
    return {"ok": True}


def blend(req):
    """BlendableDataset: Python-normalized weights → np.float64 normalization → max-error rule."""
    weights = [w / sum(req["weights"]) for w in req["weights"]]
    num_samples = [int(math.ceil(req["num_samples"] * w * 1.005)) for w in weights]
    w = np.array(weights, dtype=np.float64)
    w /= np.sum(w)
    taken = [0] * len(w)
    order = []
    for t in range(req["size"]):
        scale = max(float(t), 1.0)
        best = 0
        best_error = w[0] * scale - taken[0]
        for d in range(1, len(w)):
            error = w[d] * scale - taken[d]
            if error > best_error:
                best_error, best = error, d
        order.append([best, taken[best]])
        taken[best] += 1
    return {"weights": [float(x) for x in weights], "numpy_weights": [float(x) for x in w], "num_samples": num_samples, "order": order}


def weights_by_num_docs(req):
    counts, alpha = req["counts"], req["alpha"]
    if len(counts) == 1:
        return {"weights": [1.0]}
    total = sum(counts)
    p = [c / total for c in counts]
    q = [x**alpha for x in p]
    q_sum = sum(q)
    q = [x / q_sum for x in q]
    w = [a * (1 - b) for a, b in zip(q, p)]
    w_sum = sum(w)
    return {"weights": [x / w_sum for x in w]}


def splits(req):
    return {"bounds": [split_one(c["split"], c["size"]) for c in req["cases"]]}


def split_one(text, size):
    if "," in text:
        parts = [float(s) for s in text.split(",")]
    elif "/" in text:
        parts = [float(s) for s in text.split("/")]
    else:
        parts = [float(text)]
    parts = (parts + [0.0, 0.0, 0.0])[:3]
    total = sum(parts)
    parts = [p / total for p in parts]
    index = [0]
    for p in parts:
        index.append(index[-1] + int(round(p * float(size))))
    diff = index[-1] - size
    return [index[0]] + [i - diff for i in index[1:]]


COMMANDS = {
    "write-indexed": write_indexed,
    "read-indexed": read_indexed,
    "index-maps": index_maps,
    "shuffle": shuffle,
    "save-npy": save_npy,
    "blend": blend,
    "weights-by-num-docs": weights_by_num_docs,
    "splits": splits,
}

if __name__ == "__main__":
    print(json.dumps(COMMANDS[sys.argv[1]](json.load(sys.stdin))))
