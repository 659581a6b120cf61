#!/bin/bash
# The training-step comparison, rnnc and PyTorch back to back: REPETITIONS
# (default 3) rounds of build/bench/training_step_bench (JSON) then
# bench/peers/torch_training_step.py, each into OUT_DIR, then
# bench/compare_training.py over all of them (each figure the fastest over
# the rounds: on a shared machine other processes only ever add time).
#
#   bench/training_step_compare.sh [OUT_DIR] [REPETITIONS] [-- extra training_step_bench flags]
#   bench/training_step_compare.sh out/bench/train 3 -- --benchmark_filter=keras_seed
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/bench/train}
repetitions=${2:-3}
shift $(( $# < 2 ? $# : 2 ))
[[ "${1:-}" == "--" ]] && shift
mkdir -p "$out"
files=()
for ((r = 1; r <= repetitions; r++)); do
  echo "round $r/$repetitions: rnnc, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  build/bench/training_step_bench --benchmark_format=json "$@" > "$out/rnnc-$r.json"
  echo "round $r/$repetitions: PyTorch, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  (cd bench/peers && /usr/bin/python3 torch_training_step.py) > "$out/peer-$r.jsonl"
  files+=("$out/rnnc-$r.json" "$out/peer-$r.jsonl")
done
python3 bench/compare_training.py "${files[@]}"
