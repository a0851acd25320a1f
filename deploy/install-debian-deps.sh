#!/usr/bin/env bash
# Installs the Debian 12 packages neox builds and tests with, only those missing. Needs root (or
# sudo). Used by .ci/run and by the README's quick start.
set -euo pipefail

packages=(
  build-essential cmake pkg-config    # native toolchain
  libopenblas-openmp-dev              # BLAS sharing one OpenMP thread pool with our own loops
  libgloo-dev                         # CPU collectives (TCP)
  python3 python3-venv                # test oracles only (PyTorch, transformers); the product needs no Python
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deploy: Debian packages already installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "deploy: installing ${missing[*]}"
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
