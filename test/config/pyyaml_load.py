"""Reference parse: prints {path: data} as JSON for each file, read as GPT-NeoX reads configs
(PyYAML FullLoader). An empty file gives null."""
import json
import sys

import yaml

result = {}
for path in sys.argv[1:]:
    with open(path) as handle:
        result[path] = yaml.load(handle, Loader=yaml.FullLoader)
json.dump(result, sys.stdout)
