#!/usr/bin/python3
# Times PyTorch's training step for the model of bench/training_step_bench.cpp:
# nn.GRU(28, 128) → nn.Linear(128, 10) on the last step → nn.CrossEntropyLoss,
# T = 28, N = 64; one step is forward + loss + backward (gradients zeroed
# first, no optimizer update, as rnnc's gradient graph computes the same).
# Prints torch's BLAS line and one JSON line per thread count on stdout, the
# benchmark name in rnnc's convention beside min_ms (the fastest step) and
# median_ms; bench/compare_training.py joins them with rnnc's JSON. Run with
# Debian's /usr/bin/python3 (python3-torch).
import argparse
import json
import statistics
import sys
import time

import torch

from torch_grid import blas_report

T, N, I, H, C = 28, 64, 28, 128, 10
WARMUP = 5


class Classifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(I, H)
        self.fc = torch.nn.Linear(H, C)

    def forward(self, x):
        _, h_n = self.gru(x)
        return self.fc(h_n[-1])


def time_steps(model, x, labels, runs):
    """Every step's wall time in ms, after WARMUP untimed ones."""
    loss_fn = torch.nn.CrossEntropyLoss()

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
    parser.add_argument("--runs", type=int, default=50, help="timed steps per thread count")
    args = parser.parse_args()
    torch.set_num_interop_threads(1)
    meta = blas_report()
    print(json.dumps({"peer": "pytorch", "meta": meta}), flush=True)
    torch.manual_seed(0)
    model = Classifier()
    x = torch.rand(T, N, I)
    labels = torch.randint(0, C, (N,))
    for k in (int(t) for t in args.threads.split(",")):
        torch.set_num_threads(k)
        times = time_steps(model, x, labels, args.runs)
        name = f"pytorch/train/gru_after/T:{T}/N:{N}/I:{I}/H:{H}/C:{C}/threads:{k}"
        record = {"peer": "pytorch", "name": name, "threads": k, "runs": len(times),
                  "min_ms": round(min(times), 4), "median_ms": round(statistics.median(times), 4)}
        print(json.dumps(record), flush=True)
        print(f"{name}  min {record['min_ms']:.3f} ms  median {record['median_ms']:.3f} ms",
              file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
