#!/usr/bin/env bash
# Sets up the machine, builds rnnc, and shows a model going DSL -> IR text ->
# run: the stacked-GRU classifier is built with the C++ DSL, written as IR
# text and weights, read back by `rnnc opt`, and run by `rnnc run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
mkdir -p out

echo "== 1. The C++ DSL builds the model (examples/Models.h) and prints its IR"
build/examples/export_model classifier out 20 4

echo
echo "== 2. rnnc opt parses and verifies the IR text"
build/tools/rnnc opt out/classifier.rnnc | head -n 3
echo "   ..."

echo
echo "== 3. rnnc run binds T=20, N=4 from the inputs and runs it (interpreter)"
build/tools/rnnc run out/classifier.rnnc --weights out/classifier.weights.safetensors \
  --inputs out/classifier.inputs.safetensors --outputs out/classifier.outputs.safetensors

echo
echo "== 4. The same model on every backend: interpreter, oneDNN primitives, LLVM JIT"
for backend in interp onednn llvm; do
  printf '%-7s' "$backend"
  build/tools/rnnc run out/classifier.rnnc --weights out/classifier.weights.safetensors \
    --inputs out/classifier.inputs.safetensors --backend "$backend"
done

echo
echo "== 5. What the LLVM backend's pipeline makes of it (rnnc opt --passes=...)"
build/tools/rnnc opt out/classifier.rnnc --passes=expand-rnn-layers,fuse-gate-matmuls,hoist-input-projection,canonicalize,cse,dce \
  | grep -E "scan|matmul" | head -n 6
echo "   ... (rnnc dot out/classifier.rnnc | dot -Tsvg draws it)"

echo
echo "== 6. The bidirectional GRU tagger, same path"
build/examples/export_model tagger out 6 2 >/dev/null
build/tools/rnnc run out/tagger.rnnc --weights out/tagger.weights.safetensors \
  --inputs out/tagger.inputs.safetensors
