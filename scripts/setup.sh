#!/usr/bin/env bash
# Installs what rnnc needs to build and test on Debian 12, as root. Packages
# already present are left alone, so a second run costs a few dpkg queries.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  llvm-19-dev
  libdnnl-dev ocl-icd-opencl-dev   # dnnl's CMake config asks for OpenCL
  libabsl-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  zlib1g-dev                       # gzipped IDX files (runtime/Gzip)
  dataset-fashion-mnist            # examples/fashion_mnist's data
)
# --with-python adds what regenerates golden data and runs the peer benchmarks.
if [[ "${1:-}" == "--with-python" ]]; then
  packages+=(python3-torch python3-numpy python3-onnx libopenblas0-openmp)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
