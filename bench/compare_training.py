#!/usr/bin/env python3
# Joins rnnc's training-step benchmark (build/bench/training_step_bench with
# --benchmark_format=json) and PyTorch's (bench/peers/torch_training_step.py's
# JSON lines) into one Markdown table: per thread count, each side's fastest
# step (min_ms) and typical step (rnnc: Google Benchmark's mean real time;
# PyTorch: the median), and the ratios of the fastest steps, rnnc / PyTorch
# (< 1 means rnnc is faster).
#
# Usage: bench/compare_training.py RNNC.json PEER.jsonl
import argparse
import json
import re

NAME = re.compile(r"^(?P<backend>[^/]+)/train/(?P<model>.+)/threads:(?P<threads>\d+)(?:/.*)?$")
TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


def load_rnnc(path):
    """{(backend, model, threads): (min_ms, mean_ms)} from Google Benchmark JSON."""
    with open(path) as f:
        report = json.load(f)
    times = {}
    for bench in report["benchmarks"]:
        match = NAME.match(bench["name"])
        if not match or bench.get("run_type", "iteration") != "iteration" or "error_occurred" in bench:
            continue
        key = (match["backend"], match["model"], int(match["threads"]))
        times[key] = (bench["min_ms"], bench["real_time"] * TO_MS[bench["time_unit"]])
    return times


def load_peer(path):
    """({(peer, model, threads): (min_ms, median_ms)}, BLAS line) from the peer's JSON lines."""
    times, blas = {}, "?"
    with open(path) as f:
        for line in f:
            record = json.loads(line)
            if "meta" in record:
                blas = f"{record['meta']['blas_kind']} ({record['meta']['sgemm_from']})"
                continue
            match = NAME.match(record["name"])
            times[(record["peer"], match["model"], record["threads"])] = (
                record["min_ms"], record["median_ms"])
    return times, blas


def main():
    parser = argparse.ArgumentParser(description="rnnc vs PyTorch training step, as a table.")
    parser.add_argument("rnnc")
    parser.add_argument("peer")
    args = parser.parse_args()
    rnnc = load_rnnc(args.rnnc)
    peer, blas = load_peer(args.peer)
    print(f"PyTorch BLAS: {blas}\n")
    print("| model | threads | interp ms | llvm ms | pytorch ms | llvm / pytorch | interp / pytorch "
          "| interp / llvm |")
    print("|---|---|---|---|---|---|---|---|")
    for model, threads in sorted({(m, k) for (_, m, k) in list(rnnc) + list(peer)}):
        interp = rnnc.get(("interp", model, threads))
        llvm = rnnc.get(("llvm", model, threads))
        torch = peer.get(("pytorch", model, threads))

        def cell(t):
            return "–" if t is None else f"{t[0]:.3f} (typ. {t[1]:.3f})"

        def ratio(a, b):
            return "–" if a is None or b is None else f"{a[0] / b[0]:.2f}"

        print(f"| {model} | {threads} | {cell(interp)} | {cell(llvm)} | {cell(torch)} "
              f"| {ratio(llvm, torch)} | {ratio(interp, torch)} | {ratio(interp, llvm)} |")


if __name__ == "__main__":
    main()
