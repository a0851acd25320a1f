#!/usr/bin/env bash
# Creates .venv with the Python packages the tests use as independent references (PyTorch,
# Hugging Face transformers/tokenizers, safetensors, numpy, tensorboard), and lm-evaluation-harness
# for the neox serve end-to-end tests. The product itself needs no Python. Uses the machine's pip
# configuration (a local package mirror); re-running is cheap.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.venv"
packages=(torch transformers tokenizers safetensors numpy tensorboard)

# Index URLs from pip's own configuration, so pip does not wait on an unreachable default index.
index_args=()
find_index_args() {
  local extra
  extra="$(pip config get global.extra-index-url 2>/dev/null || true)"
  if [ -n "$extra" ]; then
    read -r -a urls <<<"$extra"
    index_args+=(--index-url "${urls[0]}")
    for url in "${urls[@]:1}"; do index_args+=(--extra-index-url "$url"); done
  fi
}

# (the mirror lacks some per-package folders; pip's "is ignored" warnings about them are noise)
pip_install() {
  "$venv/bin/pip" install --quiet "${index_args[@]}" "$@" 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
}

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import torch, transformers, tokenizers, safetensors, numpy, tensorboard" 2>/dev/null; then
  echo "oracle: $venv ready"
else
  python3 -m venv "$venv"
  find_index_args
  pip_install "${packages[@]}"
  "$venv/bin/python" -c "import torch, transformers, tokenizers, safetensors, numpy, tensorboard"
  echo "oracle: installed ${packages[*]} into $venv"
fi

# lm-evaluation-harness (test/serve/lm-eval.test.ts). Installed without its dependency list,
# because the mirror lacks some of it (evaluate, pytablewriter, rouge-score, sqlitedict,
# word2number: metrics and output formatting the serve tests do not use); then the dependencies
# the harness core and its `local-completions` model need, which the mirror has.
lm_eval_version=0.4.13
lm_eval_deps=(datasets numpy jinja2 sacrebleu scikit-learn dill more_itertools typing_extensions tqdm requests aiohttp tenacity tiktoken)
# (find_spec, not import: the check stays fast when all is installed)
lm_eval_check="import importlib.metadata as m, importlib.util as u; assert m.version('lm_eval') == '$lm_eval_version'; assert all(u.find_spec(p) for p in ('datasets', 'sacrebleu', 'sklearn', 'dill', 'more_itertools', 'aiohttp', 'tenacity', 'requests', 'tiktoken'))"
if "$venv/bin/python" -c "$lm_eval_check" 2>/dev/null; then
  echo "oracle: lm-eval $lm_eval_version ready"
else
  [ ${#index_args[@]} -gt 0 ] || find_index_args
  pip_install --no-deps "lm_eval==$lm_eval_version"
  pip_install "${lm_eval_deps[@]}"
  "$venv/bin/python" -c "$lm_eval_check"
  echo "oracle: installed lm-eval $lm_eval_version (without evaluate, pytablewriter, rouge-score, sqlitedict, word2number) into $venv"
fi
