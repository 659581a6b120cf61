#!/usr/bin/env bash
# Runs the whole peer side of the benchmark: setup (idempotent), the ONNX models,
# then PyTorch and ONNX Runtime over the grid, writing all their JSON lines to OUT
# (default out/bench/peers.jsonl under the repo root) and progress to the terminal.
# Usage: bench/peers/run_peers.sh [OUT] [--quick] [--threads 1,2] [--rows REGEX]
# (the flags after OUT go to both torch_grid.py and ort_grid.mjs).
set -euo pipefail
peers="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$peers/../.." && pwd)"
out="$root/out/bench/peers.jsonl"
if [[ $# -gt 0 && "$1" != --* ]]; then
  out="$1"
  shift
fi
mkdir -p "$(dirname "$out")"

load="$(cut -d' ' -f1 /proc/loadavg)"
if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
  echo "run_peers: warning: load average is $load; other work on the machine skews the timings" >&2
fi

echo "== setup"
bash "$peers/setup.sh"
echo "== ONNX models"
/usr/bin/python3 "$peers/make_onnx.py"
echo "== PyTorch"
/usr/bin/python3 "$peers/torch_grid.py" "$@" >"$out"
echo "== ONNX Runtime"
node "$peers/ort_grid.mjs" "$@" >>"$out"
echo "run_peers: $(grep -vc '"meta"' "$out") rows in $out"
