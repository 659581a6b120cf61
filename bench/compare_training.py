#!/usr/bin/env python3
# Joins rnnc's training-step benchmark (build/bench/training_step_bench with
# --benchmark_format=json) and PyTorch's (bench/peers/torch_training_step.py's
# JSON lines) into one Markdown table: per model and thread count, each
# side's fastest step (min_ms) and typical step (rnnc: Google Benchmark's
# mean real time; PyTorch: the median), and the ratios of the fastest steps,
# rnnc / PyTorch (< 1 means rnnc is faster). Files of several repetitions
# may be given (bench/training_step_compare.sh runs them back to back): each
# figure is then the smallest over them. The load average each file recorded
# is listed under the table.
#
# Usage: bench/compare_training.py RNNC.json PEER.jsonl [more of either ...]
import argparse
import json
import re

NAME = re.compile(r"^(?P<backend>[^/]+)/train/(?P<model>.+)/threads:(?P<threads>\d+)(?:/.*)?$")
TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


def keep_fastest(times, key, value):
    old = times.get(key)
    times[key] = value if old is None else (min(old[0], value[0]), min(old[1], value[1]))


def load_rnnc(report, times):
    """Adds {(backend, model, threads): (min_ms, mean_ms)} from Google Benchmark JSON; the load average."""
    for bench in report["benchmarks"]:
        match = NAME.match(bench["name"])
        if not match or bench.get("run_type", "iteration") != "iteration" or "error_occurred" in bench:
            continue
        key = (match["backend"], match["model"], int(match["threads"]))
        keep_fastest(times, key, (bench["min_ms"], bench["real_time"] * TO_MS[bench["time_unit"]]))
    return " ".join(f"{x:.2f}" for x in report["context"].get("load_avg", [])) or "?"


def load_peer(lines, times):
    """Adds {(peer, model, threads): (min_ms, median_ms)} from the peer's JSON lines; (BLAS, load)."""
    blas, load = "?", "?"
    for line in lines:
        record = json.loads(line)
        if "meta" in record:
            blas = f"{record['meta']['blas_kind']} ({record['meta']['sgemm_from']})"
            load = f"{record['meta']['loadavg']:.2f}"
            continue
        match = NAME.match(record["name"])
        keep_fastest(times, (record["peer"], match["model"], record["threads"]),
                     (record["min_ms"], record["median_ms"]))
    return blas, load


def main():
    parser = argparse.ArgumentParser(description="rnnc vs PyTorch training step, as a table.")
    parser.add_argument("files", nargs="+", help="rnnc's Google Benchmark JSON and PyTorch's JSON lines")
    args = parser.parse_args()
    rnnc, peer, blas, loads = {}, {}, set(), []
    for path in args.files:
        with open(path) as f:
            text = f.read()
        try:
            report = json.loads(text)  # one document: Google Benchmark's
        except json.JSONDecodeError:
            report = None  # several: JSON lines
        if isinstance(report, dict) and "benchmarks" in report:
            loads.append(f"{path} (rnnc, at its start, 1/5/15 min): {load_rnnc(report, rnnc)}")
        else:
            kind, load = load_peer(text.splitlines(), peer)
            blas.add(kind)
            loads.append(f"{path} (PyTorch, at its start, 1 min): {load}")
    print(f"PyTorch BLAS: {', '.join(sorted(blas))}\n")
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
    print("\nLoad average:\n")
    for line in loads:
        print(f"- {line}")


if __name__ == "__main__":
    main()
