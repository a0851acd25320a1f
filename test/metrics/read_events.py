"""Reference reader for the metrics tests: TensorBoard's own Python package, no TensorFlow.

  read_events.py scalars <dir>   -> JSON {"first_events": {file: file_version of its first event},
                                          "scalars": {tag: [[step, value, wall_time], ...]}}
  read_events.py crc <hex> ...   -> JSON [[crc32c, masked_crc32c], ...] computed by tensorboard's reader code

Non-finite values are written as the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers).
"""
import json
import math
import os
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import crc32c, masked_crc32c


def finite_or_name(x):
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def scalars(directory):
    accumulator = EventAccumulator(directory, size_guidance={"scalars": 0})
    accumulator.Reload()
    result = {}
    for tag in accumulator.Tags()["scalars"]:
        result[tag] = [[e.step, finite_or_name(e.value), e.wall_time] for e in accumulator.Scalars(tag)]
    first_events = {}
    for name in sorted(os.listdir(directory)):
        first = next(iter(EventFileLoader(os.path.join(directory, name)).Load()))
        first_events[name] = first.file_version
    return {"first_events": first_events, "scalars": result}


def crcs(hex_inputs):
    return [[crc32c(bytes.fromhex(h)), masked_crc32c(bytes.fromhex(h))] for h in hex_inputs]


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    print(json.dumps(scalars(args[0]) if mode == "scalars" else crcs(args)))
