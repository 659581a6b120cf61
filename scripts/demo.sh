#!/usr/bin/env bash
# Sets up the machine, builds rnnc, and shows a model going DSL -> IR text ->
# run -> shared library: the stacked-GRU classifier is built with the C++
# DSL, written as IR text and weights, read back by `rnnc opt`, run by
# `rnnc run` on every backend, compiled by `rnnc compile` and run again;
# then a GRU trains on Fashion-MNIST for an epoch.
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
echo "== 6. Ahead of time: a shared library and a C header that need only libc, libm, libstdc++"
build/tools/rnnc compile out/classifier.rnnc --weights out/classifier.weights.safetensors \
  -o out/libclassifier.so
readelf -d out/libclassifier.so | grep NEEDED
grep -E "^rnnc_status classifier_(create|run)" out/classifier.h
build/tools/rnnc run out/libclassifier.so --inputs out/classifier.inputs.safetensors

echo
echo "== 7. The bidirectional GRU tagger, same path"
build/examples/export_model tagger out 6 2 >/dev/null
build/tools/rnnc run out/tagger.rnnc --weights out/tagger.weights.safetensors \
  --inputs out/tagger.inputs.safetensors

echo
echo "== 8. Training: GRU(28->128) -> Dense(10) on Fashion-MNIST, one epoch on the LLVM backend"
build/examples/fashion_mnist --backend=llvm --epochs=1 --curves=out/fashion_mnist_curves.svg
