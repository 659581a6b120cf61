#!/usr/bin/python3
# Times PyTorch's training step for the models of bench/training_step_bench.cpp:
#   gru_after: nn.GRU(28, 128) → nn.Linear(128, 10) on the last step →
#     nn.CrossEntropyLoss, T = 28, N = 64;
#   keras_seed: nn.GRU(50, 128) returning sequences → nn.GRU(128, 64) →
#     nn.Linear(64, 1) on the last step → sigmoid → nn.BCELoss, N = 32,
#     T = 10 and T = 100.
# One step is forward + loss + backward (gradients zeroed first, no
# optimizer update, as rnnc's gradient graph computes the same).
# Prints torch's BLAS line and one JSON line per model and thread count on
# stdout, the benchmark name in rnnc's convention beside min_ms (the fastest
# step) and median_ms; bench/compare_training.py joins them with rnnc's
# JSON. Run with Debian's /usr/bin/python3 (python3-torch).
import argparse
import json
import statistics
import sys
import time

import openblas_core

openblas_core.select()
import torch  # noqa: E402 (after OPENBLAS_CORETYPE is set)

from torch_grid import blas_report

WARMUP = 5


class FashionMnistGru(torch.nn.Module):
    def __init__(self, inputs, hidden, classes):
        super().__init__()
        self.gru = torch.nn.GRU(inputs, hidden)
        self.fc = torch.nn.Linear(hidden, classes)

    def forward(self, x):
        _, h_n = self.gru(x)
        return self.fc(h_n[-1])


class KerasSeed(torch.nn.Module):
    """examples/Models.h's BuildGruClassifier."""

    def __init__(self, inputs, hidden1, hidden2):
        super().__init__()
        self.gru1 = torch.nn.GRU(inputs, hidden1)
        self.gru2 = torch.nn.GRU(hidden1, hidden2)
        self.dense = torch.nn.Linear(hidden2, 1)

    def forward(self, x):
        sequence, _ = self.gru1(x)
        _, h_n = self.gru2(sequence)
        return torch.sigmoid(self.dense(h_n[-1]))


def fashion_mnist_case():
    T, N, I, H, C = 28, 64, 28, 128, 10
    return (f"gru_after/T:{T}/N:{N}/I:{I}/H:{H}/C:{C}", FashionMnistGru(I, H, C),
            torch.rand(T, N, I), torch.randint(0, C, (N,)), torch.nn.CrossEntropyLoss())


def keras_seed_case(T):
    N, I, H1, H2 = 32, 50, 128, 64
    return (f"keras_seed/T:{T}/N:{N}/I:{I}/H1:{H1}/H2:{H2}", KerasSeed(I, H1, H2),
            torch.rand(T, N, I), torch.randint(0, 2, (N, 1)).float(), torch.nn.BCELoss())


def time_steps(model, x, labels, loss_fn, runs):
    """Every step's wall time in ms, after WARMUP untimed ones."""

    def step():
        model.zero_grad(set_to_none=True)
        loss_fn(model(x), labels).backward()

    for _ in range(WARMUP):
        step()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--runs", type=int, default=50, help="timed steps per model and thread count")
    parser.add_argument("--models", default="gru_after,keras_seed",
                        help="comma-separated: gru_after, keras_seed")
    args = parser.parse_args()
    torch.set_num_interop_threads(1)
    meta = blas_report()
    print(json.dumps({"peer": "pytorch", "meta": meta}), flush=True)
    torch.manual_seed(0)
    cases = []
    wanted = args.models.split(",")
    if "gru_after" in wanted:
        cases.append(fashion_mnist_case())
    if "keras_seed" in wanted:
        cases += [keras_seed_case(10), keras_seed_case(100)]
    for model_name, model, x, labels, loss_fn in cases:
        for k in (int(t) for t in args.threads.split(",")):
            torch.set_num_threads(k)
            times = time_steps(model, x, labels, loss_fn, args.runs)
            name = f"pytorch/train/{model_name}/threads:{k}"
            record = {"peer": "pytorch", "name": name, "threads": k, "runs": len(times),
                      "min_ms": round(min(times), 4), "median_ms": round(statistics.median(times), 4)}
            print(json.dumps(record), flush=True)
            print(f"{name}  min {record['min_ms']:.3f} ms  median {record['median_ms']:.3f} ms",
                  file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
