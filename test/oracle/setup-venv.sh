#!/usr/bin/env bash
# Creates .venv with the Python packages the tests use as independent references (PyTorch,
# Hugging Face transformers/tokenizers, safetensors, numpy, tensorboard). The product itself needs
# no Python. Uses the machine's pip configuration (a local package mirror); re-running is cheap.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.venv"
packages=(torch transformers tokenizers safetensors numpy tensorboard)

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import torch, transformers, tokenizers, safetensors, numpy, tensorboard" 2>/dev/null; then
  echo "oracle: $venv ready"
  exit 0
fi

python3 -m venv "$venv"
# Index URLs from pip's own configuration, so pip does not wait on an unreachable default index.
index_args=()
extra="$(pip config get global.extra-index-url 2>/dev/null || true)"
if [ -n "$extra" ]; then
  read -r -a urls <<<"$extra"
  index_args+=(--index-url "${urls[0]}")
  for url in "${urls[@]:1}"; do index_args+=(--extra-index-url "$url"); done
fi
# (the mirror lacks some per-package folders; pip's "is ignored" warnings about them are noise)
"$venv/bin/pip" install --quiet "${index_args[@]}" "${packages[@]}" 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
"$venv/bin/python" -c "import torch, transformers, tokenizers, safetensors, numpy, tensorboard"
echo "oracle: installed ${packages[*]} into $venv"
