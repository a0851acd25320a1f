"""Independent safetensors reference for tests (the `safetensors` package with numpy).

  safetensors_tool.py dump FILE         -> JSON {name: {"dtype", "shape", "values"}} on stdout
  safetensors_tool.py write FILE JSON   -> writes FILE from {name: {"dtype", "shape", "values"}}
"""
import json
import sys

import numpy as np
from safetensors.numpy import load_file, save_file

NUMPY = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64, "U8": np.uint8, "U16": np.uint16}


def dump(path):
    tensors = load_file(path)
    out = {}
    for name, array in tensors.items():
        kind = {v: k for k, v in NUMPY.items()}[array.dtype.type]
        out[name] = {"dtype": kind, "shape": list(array.shape), "values": array.reshape(-1).tolist()}
    json.dump(out, sys.stdout)


def write(path, spec):
    tensors = {
        name: np.asarray(t["values"], dtype=NUMPY[t["dtype"]]).reshape(t["shape"]) for name, t in json.loads(spec).items()
    }
    save_file(tensors, path)


if __name__ == "__main__":
    {"dump": lambda: dump(sys.argv[2]), "write": lambda: write(sys.argv[2], sys.argv[3])}[sys.argv[1]]()
