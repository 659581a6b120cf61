#!/usr/bin/env bash
# The whole comparison in one run, so every number in the table is measured
# on the same machine in the same state: rnnc's backends (oneDNN through the
# executable, the raw oneDNN primitive, the LLVM JIT), PyTorch and ONNX
# Runtime over the same grid, and this machine's bounds. Writes
# out/bench/table.md. As root (the peers' setup installs packages). Run it
# on an idle machine: another busy process makes OpenMP's barriers stall.
set -euo pipefail
cd "$(dirname "$0")/.."
out=out/bench
mkdir -p "$out"

bash scripts/build.sh
# The probe runs before and after the grid, five times each: compare.py
# takes the best reading, as another tenant's work only lowers it.
probe() {
  echo "bench: machine bounds"
  build/bench/machine_bound_probe --benchmark_format=json --benchmark_repetitions=5 > "$1"
}
probe "$out/bounds.json"
# Repetitions of all rows run in random order, so that another tenant's
# burst of work, which lasts seconds, slows one repetition of many rows,
# which their medians shrug off, rather than every repetition of a few.
echo "bench: rnnc grid (onednn, onednn_direct, llvm, aot, aot_onednn; 1 and 2 threads)"
build/bench/recurrent_layers_bench --benchmark_format=json --benchmark_repetitions=5 \
  --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true \
  > "$out/rnnc.json"
echo "bench: peers (PyTorch, ONNX Runtime)"
bash bench/peers/run_peers.sh "$out/peers.jsonl"
probe "$out/bounds-after.json"
python3 bench/compare.py --peers "$out/peers.jsonl" --bounds "$out/bounds.json" \
  --bounds "$out/bounds-after.json" "$out/rnnc.json" | tee "$out/table.md"
