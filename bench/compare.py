#!/usr/bin/env python3
# Joins the peers' timings (JSON lines from bench/peers/run_peers.sh) with rnnc's
# Google Benchmark results (files written with --benchmark_format=json or
# --benchmark_out=FILE) and prints one Markdown table.
#
# rnnc benchmark naming convention (the rnnc benchmark programs must follow it):
#
#     <backend>/<cell>/<direction>/T:<T>/N:<N>/I:<I>/H:<H>/threads:<k>
#
#   backend    onednn, onednn_direct (the raw oneDNN primitive), llvm, aot, aot_onednn
#              (compiled .so libraries, inline or oneDNN GEMM), interp, ...
#   cell       rnn_tanh | lstm | gru_after (PyTorch's GRU, ONNX linear_before_reset=1)
#              | gru_before (Cho/Keras reset_after=False GRU, ONNX linear_before_reset=0)
#   direction  forward | bidirectional
#   T N I H    sequence length, batch, input size, hidden size; single layer, inference
#   k          the intra-op threads rnnc runs with (not Google Benchmark's ->Threads(),
#              which runs k copies of the benchmark at once: never use it here)
#
# e.g. onednn/lstm/forward/T:100/N:1/I:256/H:256/threads:1. Registering the benchmark
# as "onednn/lstm/forward" with ->ArgNames({"T", "N", "I", "H", "threads"})->Args({...})
# produces exactly these names. Suffixes Google Benchmark appends (/real_time,
# /min_time:..., /repeats:..., _mean, _median, ...) are ignored. The time is the
# benchmark's real_time in its time_unit, per iteration; with repetitions the
# median aggregate is used, otherwise the median of the iteration entries.
#
# FLOPs of one run: LSTM 2*T*N*4H*(I+H), GRU 2*T*N*3H*(I+H), RNN 2*T*N*H*(I+H),
# twice that bidirectional. Ratios are rnnc time / peer time: < 1 means rnnc is faster.
#
# With --bounds (bench/machine_bound_probe's JSON, repeatable), each row also gets the machine's
# bound, the larger of two floors measured on the same machine: the FLOPs at the fp32
# FMA peak of its threads, and T steps each streaming the recurrent weights
# (G·H·H floats, twice bidirectional) at the read bandwidth measured for the probed
# buffer nearest them in size. "<backend> of bound" is bound / time: 100% is the machine's limit.
# The bound is the best probe reading, so "llvm best of bound" also divides it by the LLVM
# backend's fastest run (the benchmark's min_ms counter, the median over repetitions of each
# repetition's fastest run): the same statistic on both sides, which another tenant's
# work on a shared host moves far less than the median.
#
# Usage: bench/compare.py [--peers out/bench/peers.jsonl] [--bounds bounds.json] [rnnc.json ...]
import argparse
import collections
import datetime
import json
import math
import os
import re
import statistics

NAME = re.compile(r"^(?P<backend>[^/]+)/(?P<cell>[^/]+)/(?P<direction>forward|bidirectional)"
                  r"/T:(?P<T>\d+)/N:(?P<N>\d+)/I:(?P<I>\d+)/H:(?P<H>\d+)/threads:(?P<threads>\d+)"
                  r"(?:/.*)?$")
GATES = {"rnn_tanh": 1, "lstm": 4, "gru_after": 3, "gru_before": 3}
CELL_ORDER = list(GATES)
DIRECTION_ORDER = ["forward", "bidirectional"]
BACKEND_ORDER = ["onednn", "onednn_direct", "llvm", "aot", "aot_onednn", "interp"]
BEST_OF_BOUND = ["llvm"]  # backends whose fastest runs get a column against the bound
PEER_ORDER = ["pytorch", "onnxruntime"]
TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
MISSING = "–"
NOISY = 0.10  # a peer row measured while other processes used more of the CPU gets a "*"


def flops(cell, direction, T, N, I, H):
    """FLOPs of one run, or None for a cell this script does not know."""
    if cell not in GATES:
        return None
    return 2 * T * N * GATES[cell] * H * (I + H) * (2 if direction == "bidirectional" else 1)


# What bench/machine_bound_probe measured: peak[threads] in GFLOP/s,
# bandwidth[(H, threads)] in GB/s, and every reading of the thread team's
# barrier in ns, which no bound counts (the table's header shows it).
Bounds = collections.namedtuple("Bounds", ["peak", "bandwidth", "barrier_ns"])


def load_bounds(paths):
    """Bounds with the best peak and bandwidth of every repetition in every file: on a
    shared machine another tenant's work only ever lowers a probe's reading (one run_all's
    two-thread FMA probe read 40 GFLOP/s, the one-thread figure, where the same binary
    reads 80 minutes later)."""
    peak, bandwidth, barrier = {}, {}, []
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        for b in data.get("benchmarks", []):
            if b.get("run_type") == "aggregate":
                continue
            name = b.get("run_name", b["name"])
            threads = int(re.search(r"threads:(\d+)", name)[1])
            if name.startswith("fma_peak") and "GFLOPS" in b:
                peak[threads] = max(peak.get(threads, 0), b["GFLOPS"])
            elif name.startswith("read_bandwidth") and "GBps" in b:
                key = (int(re.search(r"H:(\d+)", name)[1]), threads)
                bandwidth[key] = max(bandwidth.get(key, 0), b["GBps"])
            elif name.startswith("barrier") and "ns" in b:
                barrier.append(b["ns"])
    return Bounds(peak, bandwidth, barrier)


def bound_ms(key, bounds):
    """The machine's floor for one row (see the header), or None without the data."""
    cell, direction, T, N, I, H, threads = key
    peak, bandwidth = bounds.peak, bounds.bandwidth
    probed = sorted(h for h, k in bandwidth if k == threads)
    if threads not in peak or not probed or cell not in GATES:
        return None
    compute = flops(cell, direction, T, N, I, H) / (peak[threads] * 1e9)
    weights = GATES[cell] * H * H * 4 * (2 if direction == "bidirectional" else 1)
    # The reading of the buffer nearest the weights in size (the probe reads
    # 16·h² bytes): a plain RNN's H = 512 weights are 1 MiB, an LSTM's H = 256.
    nearest = min(probed, key=lambda h: abs(math.log(16 * h * h / weights)))
    stream = T * weights / (bandwidth[(nearest, threads)] * 1e9)
    return max(compute, stream) * 1e3


def load_peers(path):
    """(times, meta): times[(peer, key)] = (ms or None, mark); meta[peer] = meta record.
    The mark flags a void (reference BLAS) or noisy measurement."""
    times, meta = {}, {}
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            if "meta" in rec:
                meta[rec["peer"]] = rec["meta"]
                continue
            key = (rec["cell"], rec["direction"], rec["T"], rec["N"], rec["I"], rec["H"], rec["threads"])
            mark = " (VOID)" if rec.get("void") else "*" if rec.get("others_cpu", 0) > NOISY else ""
            times[(rec["peer"], key)] = (rec["ms"], mark)
    return times, meta


def load_rnnc(paths):
    """(times, fastest, context): times[(backend, key)] = ms, fastest[(backend, key)] = its
    min_ms counter, both medians over repetitions; context of the first file."""
    samples, medians, fastest_samples, fastest_medians, context = {}, {}, {}, {}, None
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        context = context or data.get("context", {})
        for b in data.get("benchmarks", []):
            name = b.get("run_name") or re.sub(r"_(mean|median|stddev|cv)$", "", b["name"])
            m = NAME.match(name)
            if not m or b.get("error_occurred"):
                continue
            key = (m["cell"], m["direction"], int(m["T"]), int(m["N"]), int(m["I"]), int(m["H"]),
                   int(m["threads"]))
            ms = b["real_time"] * TO_MS[b.get("time_unit", "ns")]
            if b.get("run_type") == "aggregate":
                if b.get("aggregate_name") == "median":
                    medians[(m["backend"], key)] = ms
                    if "min_ms" in b:
                        fastest_medians[(m["backend"], key)] = b["min_ms"]
            else:
                samples.setdefault((m["backend"], key), []).append(ms)
                if "min_ms" in b:
                    fastest_samples.setdefault((m["backend"], key), []).append(b["min_ms"])
    times = {k: statistics.median(v) for k, v in samples.items()}
    times.update(medians)
    fastest = {k: statistics.median(v) for k, v in fastest_samples.items()}
    fastest.update(fastest_medians)
    return times, fastest, context or {}


def ordered(names, preferred):
    return [n for n in preferred if n in names] + sorted(names - set(preferred))


def cpu_model():
    """The model name, family and model, and the widest vector ISA: a VM's "AMD EPYC"
    alone does not tell a Zen 1 with AVX2 from a Zen 4 with AVX-512."""
    fields = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if ":" in line:
                key, value = (part.strip() for part in line.split(":", 1))
                fields.setdefault(key, value)
    if "model name" not in fields:
        return "unknown CPU"
    flags = fields.get("flags", "").split()
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE"
    return (f"{fields['model name']} (family {fields.get('cpu family', '?')} "
            f"model {fields.get('model', '?')}, {isa})")


def header(peer_meta, context, bounds):
    parts = [datetime.date.today().isoformat(), f"{cpu_model()}, {os.cpu_count()} cores"]
    if bounds and bounds.barrier_ns:
        # How far apart the two cores were: the same vCPUs of a shared host
        # pass it in 80 ns or in 250, and batch-1 rows on two threads follow.
        fastest, slowest = min(bounds.barrier_ns), max(bounds.barrier_ns)
        parts.append(f"thread barrier {fastest:.0f}–{slowest:.0f} ns")
    if "pytorch" in peer_meta:
        m = peer_meta["pytorch"]
        void = " — VOID (reference BLAS)" if m.get("void") else ""
        core = f", {m['openblas_core']} kernels" if m.get("openblas_core") else ""
        blas = f"{m['blas_kind']}{core}"
        parts.append(f"PyTorch {m['version']} measured {m['date'][:10]}, "
                     f"sgemm from {os.path.basename(m['sgemm_from'])} ({blas}){void}")
    if "onnxruntime" in peer_meta:
        m = peer_meta["onnxruntime"]
        parts.append(f"ONNX Runtime {m['version']} measured {m['date'][:10]}")
    if context:
        parts.append(f"rnnc benchmarks run {context.get('date', '?')}"
                     f" ({context.get('library_build_type', '?')} Google Benchmark)")
    return "**rnnc vs peers** — " + " · ".join(parts)


def fmt(value, digits):
    return MISSING if value is None else f"{value:.{digits}f}"


def fmt_ms(ms):
    """Milliseconds to three significant digits."""
    return MISSING if ms is None else f"{ms:.{max(0, 2 - math.floor(math.log10(ms)))}f}"


def sort_key(key):
    """Cell, direction, then batch N, H, I, T and threads."""
    cell, direction, T, N, I, H, threads = key
    rank = lambda name, order: order.index(name) if name in order else len(order)
    return (rank(cell, CELL_ORDER), cell, rank(direction, DIRECTION_ORDER), N, H, I, T, threads)


def main():
    parser = argparse.ArgumentParser(description="Joins rnnc and peer timings into one Markdown table.")
    parser.add_argument("--peers", default="out/bench/peers.jsonl", help="peers' JSON lines")
    parser.add_argument("--bounds", action="append",
                        help="bench/machine_bound_probe's JSON (repeatable: the best reading "
                             "of all): adds the bound columns")
    parser.add_argument("rnnc", nargs="*", help="rnnc Google Benchmark JSON files")
    args = parser.parse_args()
    bounds = load_bounds(args.bounds) if args.bounds else None

    peer_times, peer_meta = load_peers(args.peers) if os.path.exists(args.peers) else ({}, {})
    rnnc_times, rnnc_fastest, context = load_rnnc(args.rnnc)
    backends = ordered({b for b, _ in rnnc_times}, BACKEND_ORDER)
    peers = ordered({p for p, _ in peer_times}, PEER_ORDER)
    keys = sorted({k for _, k in rnnc_times} | {k for _, k in peer_times}, key=sort_key)

    columns = ["cell", "dir", "T", "N", "I", "H", "thr"]
    columns += [c for b in backends for c in (f"{b} ms", f"{b} GFLOP/s")]
    columns += [f"{p} ms" for p in peers]
    columns += [f"{b}/{p}" for b in backends for p in peers]
    if bounds:
        best = [b for b in BEST_OF_BOUND if any(k[0] == b for k in rnnc_fastest)]
        columns += ["bound ms"] + [f"{b} of bound" for b in backends]
        columns += [f"{b} best of bound" for b in best]
    print(header(peer_meta, context, bounds))
    print()
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("---" if i < 2 else "--:" for i in range(len(columns))) + "|")
    for key in keys:
        cell, direction, T, N, I, H, k = key
        cells = [cell, "fwd" if direction == "forward" else "bidir", T, N, I, H, k]
        for b in backends:
            ms = rnnc_times.get((b, key))
            work = flops(cell, direction, T, N, I, H)
            gflops = None if ms is None or work is None else work / (ms * 1e-3) / 1e9
            cells += [fmt_ms(ms), fmt(gflops, 1)]
        for p in peers:
            ms, mark = peer_times.get((p, key), (None, ""))
            cells.append(fmt_ms(ms) + (mark if ms is not None else ""))
        for b in backends:
            for p in peers:
                ms_b, ms_p = rnnc_times.get((b, key)), peer_times.get((p, key), (None,))[0]
                cells.append(fmt(None if ms_b is None or ms_p is None else ms_b / ms_p, 2))
        if bounds:
            floor = bound_ms(key, bounds)
            cells.append(fmt_ms(floor))
            for ms in [rnnc_times.get((b, key)) for b in backends] + \
                    [rnnc_fastest.get((b, key)) for b in best]:
                cells.append(MISSING if floor is None or ms is None else f"{floor / ms:.0%}")
        print("| " + " | ".join(str(c) for c in cells) + " |")
    if any(mark == "*" for _, mark in peer_times.values()):
        print(f"\n\\* other processes used more than {NOISY:.0%} of the CPU while this was measured.")


if __name__ == "__main__":
    main()
