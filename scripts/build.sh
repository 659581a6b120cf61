#!/usr/bin/env bash
# Configures and builds rnnc into build/ (Release by default).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh "$@"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${RNNC_BUILD_TYPE:-Release}" >/dev/null
cmake --build build -j "$(nproc)"
