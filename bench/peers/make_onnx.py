#!/usr/bin/python3
# Writes the ONNX models ort_grid.mjs times: one single-node RNN/LSTM/GRU model per
# (cell, direction, I, H) of the full and quick grids in grid.json, with input X of
# shape [T, N, I] (T and N symbolic) and random weights as initializers in ONNX
# gate order. Files already in the cache folder are kept; manifest.json there maps
# "<cell>/<direction>/I:<I>/H:<H>" to the file name for ort_grid.mjs.
import argparse
import json
import os
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from grid import load_rows

OPSET = 14
# ONNX op, gate count (LSTM gates i,o,f,c; GRU gates z,r,h) and linear_before_reset.
CELLS = {
    "rnn_tanh": ("RNN", 1, None),
    "lstm": ("LSTM", 4, None),
    "gru_after": ("GRU", 3, 1),  # PyTorch's GRU: reset gate applied after the matmul
    "gru_before": ("GRU", 3, 0),  # Cho / Keras reset_after=False GRU
}
DEFAULT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")


def model_file(cell, direction, I, H):
    return f"{cell}_{direction}_I{I}_H{H}_opset{OPSET}.onnx"


def make_model(cell, direction, I, H):
    rng = np.random.default_rng(zlib.crc32(model_file(cell, direction, I, H).encode()))
    op, gates, linear_before_reset = CELLS[cell]
    D = 2 if direction == "bidirectional" else 1
    bound = 1.0 / np.sqrt(H)  # PyTorch's default init range

    def uniform(name, shape):
        return numpy_helper.from_array(rng.uniform(-bound, bound, shape).astype(np.float32), name)

    initializers = [uniform("W", (D, gates * H, I)),
                    uniform("R", (D, gates * H, H)),
                    uniform("B", (D, 2 * gates * H))]
    attributes = {"hidden_size": H, "direction": direction}
    if op == "RNN":
        attributes["activations"] = ["Tanh"] * D
    if linear_before_reset is not None:
        attributes["linear_before_reset"] = linear_before_reset
    node = helper.make_node(op, ["X", "W", "R", "B"], ["Y"], name=cell, **attributes)
    graph = helper.make_graph(
        [node], f"{cell}_{direction}_I{I}_H{H}",
        inputs=[helper.make_tensor_value_info("X", TensorProto.FLOAT, ["T", "N", I])],
        outputs=[helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["T", D, "N", H])],
        initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="rnnc bench/peers/make_onnx.py")
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    parser = argparse.ArgumentParser(description="Writes the ONNX models for the peer benchmark.")
    parser.add_argument("--out", default=DEFAULT_DIR, help=f"cache folder (default {DEFAULT_DIR})")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    keys = sorted({(r["cell"], r["direction"], r["I"], r["H"])
                   for quick in (False, True) for r in load_rows(quick)})
    manifest = {}
    for key in keys:
        manifest["{}/{}/I:{}/H:{}".format(*key)] = model_file(*key)
        path = os.path.join(args.out, model_file(*key))
        if not os.path.exists(path):
            onnx.save(make_model(*key), path)
            print(f"make_onnx: wrote {path}")
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"make_onnx: {len(keys)} models in {args.out}")


if __name__ == "__main__":
    main()
