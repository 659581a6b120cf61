#!/usr/bin/env bash
# Installs what the peer benchmarks need on Debian 12, as root: PyTorch, ONNX and
# NumPy from Debian, OpenBLAS selected as libblas.so.3 (PyTorch calls whatever
# libblas.so.3 is selected; the reference BLAS makes it 10-50x slow), Node.js and
# npm if absent, and onnxruntime-node from package-lock.json. Idempotent: what is
# already in place is left alone.
set -euo pipefail
cd "$(dirname "$0")"

packages=(python3-torch python3-numpy python3-onnx libopenblas0-openmp)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  ((EUID == 0)) || { echo "setup: run as root to install ${missing[*]}" >&2; exit 1; }
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Select OpenBLAS (OpenMP flavour) for libblas.so.3 and liblapack.so.3.
triplet="$(uname -m)-linux-gnu"
for lib in libblas.so.3 liblapack.so.3; do
  want="/usr/lib/$triplet/openblas-openmp/$lib"
  if [[ "$(readlink -f "/etc/alternatives/$lib-$triplet")" != "$(readlink -f "$want")" ]]; then
    ((EUID == 0)) || { echo "setup: run as root to select $want" >&2; exit 1; }
    update-alternatives --set "$lib-$triplet" "$want"
  fi
  echo "setup: $lib -> $(readlink -f "/etc/alternatives/$lib-$triplet")"
done

# onnxruntime-node ships its CPU binary in the npm package; skip its postinstall,
# which would try to download extra (GPU) binaries.
if [[ ! -d node_modules/onnxruntime-node || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm install (onnxruntime-node)"
  ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund
fi
echo "setup: onnxruntime-node $(node -p "require('./node_modules/onnxruntime-node/package.json').version")"
