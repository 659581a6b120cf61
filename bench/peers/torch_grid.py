#!/usr/bin/python3
# Times PyTorch's recurrent layers (inference, forward pass) over the benchmark
# grid in grid.json and prints one JSON line per (row, threads) on stdout, after
# one "meta" line saying which BLAS the process actually loaded. Progress goes to
# stderr. Run with Debian's /usr/bin/python3 (python3-torch); see ../README.md.
import argparse
import ctypes
import datetime
import json
import os
import re
import statistics
import sys
import time

import openblas_core

openblas_core.select()
import torch  # noqa: E402 (after OPENBLAS_CORETYPE is set)

from grid import load_rows, row_name

WARMUP_RUNS = 3
MIN_RUNS = 10
MIN_SECONDS = 0.5
# This machine is shared: a measurement starts once other processes use at most
# MAX_OTHERS_CPU of the machine (waiting up to MAX_WAIT_SECONDS) and is retried if
# they used more meanwhile.
MAX_OTHERS_CPU = 0.10
MAX_WAIT_SECONDS = 300
ATTEMPTS = 4
SCHED_POLICIES = {os.SCHED_OTHER: "other", os.SCHED_FIFO: "fifo", os.SCHED_RR: "rr",
                  os.SCHED_BATCH: "batch", os.SCHED_IDLE: "idle"}
REFERENCE_BLAS_DIR = "/blas/"  # Debian's reference BLAS: /usr/lib/<triplet>/blas/libblas.so.3


class _DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def mapped_libraries(pattern):
    """Paths of the shared libraries mapped into this process whose path matches pattern."""
    with open("/proc/self/maps") as maps:
        return sorted({line.split()[-1] for line in maps if re.search(pattern, line.split()[-1])})


def sgemm_provider():
    """The file that defines the sgemm_ libtorch_cpu calls: dlsym from libtorch_cpu's
    handle follows its dependencies as the loader does, dladdr names the file."""
    torch_cpu = ctypes.CDLL(mapped_libraries(r"/libtorch_cpu\.so")[0])
    info = _DlInfo()
    ctypes.CDLL(None).dladdr(ctypes.cast(torch_cpu.sgemm_, ctypes.c_void_p), ctypes.byref(info))
    return os.path.realpath(info.dli_fname.decode())


def blas_report():
    """Checks the BLAS in use, prints it to stderr and returns the meta record."""
    a = torch.randn(64, 64)
    (a @ a).sum().item()
    mapped = mapped_libraries(r"/lib(open)?blas[^/]*\.so")
    sgemm = sgemm_provider()
    config = ", ".join(re.findall(r"(?:BLAS|LAPACK)_INFO=[^,\s]*", torch.__config__.show()))
    if "openblas" in sgemm:
        kind = "openblas"
    elif REFERENCE_BLAS_DIR in sgemm:
        kind = "reference"
    else:
        kind = "other"
    print(f"pytorch {torch.__version__}: torch.__config__: {config}", file=sys.stderr)
    print(f"pytorch: BLAS libraries mapped after a matmul: {' '.join(mapped)}", file=sys.stderr)
    core = openblas_core.core_name() if kind == "openblas" else None
    print(f"pytorch: sgemm_ comes from {sgemm} ({kind}, kernels {core})", file=sys.stderr)
    void = kind == "reference"
    if void:
        print("!" * 78 + "\n"
              "!!! PyTorch is running on the REFERENCE BLAS (10-50x slow). Results are VOID.\n"
              "!!! Run bench/peers/setup.sh as root to select OpenBLAS for libblas.so.3.\n"
              + "!" * 78, file=sys.stderr)
    elif kind == "other":
        print("pytorch: warning: sgemm_ does not come from OpenBLAS", file=sys.stderr)
    return {"version": torch.__version__, "blas_mapped": mapped, "sgemm_from": sgemm,
            "blas_kind": kind, "openblas_core": core,
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
            "blas_config": config, "void": void,
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "loadavg": os.getloadavg()[0], "sched": SCHED_POLICIES[os.sched_getscheduler(0)]}


def make_module(row):
    """The PyTorch layer for a grid row, or None when PyTorch has no such layer."""
    I, H = row["I"], row["H"]
    bidirectional = row["direction"] == "bidirectional"
    if row["cell"] == "rnn_tanh":
        return torch.nn.RNN(I, H, nonlinearity="tanh", bidirectional=bidirectional)
    if row["cell"] == "lstm":
        return torch.nn.LSTM(I, H, bidirectional=bidirectional)
    if row["cell"] == "gru_after":
        return torch.nn.GRU(I, H, bidirectional=bidirectional)
    return None


def cpu_ticks():
    """(busy ticks of the whole machine, all its ticks, this process's ticks)."""
    with open("/proc/stat") as f:
        user, nice, system, idle, iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(") ", 1)[1].split()
    busy = user + nice + system + irq + softirq + steal
    return busy, busy + idle + iowait, int(fields[11]) + int(fields[12])  # utime + stime


def others_cpu(before, after):
    """Share of the machine's CPU that other processes used between two cpu_ticks()."""
    busy, total, own = (a - b for a, b in zip(after, before))
    return max(0.0, (busy - own) / max(total, 1))


def wait_until_quiet(label):
    """Waits, up to MAX_WAIT_SECONDS, for a second in which other processes use at
    most MAX_OTHERS_CPU of the machine."""
    for waited in range(MAX_WAIT_SECONDS):
        before = cpu_ticks()
        time.sleep(1)
        share = others_cpu(before, cpu_ticks())
        if share <= MAX_OTHERS_CPU:
            return
        if waited % 60 == 0:
            print(f"pytorch  {label}: waiting, other processes use {share:.0%} of the CPU",
                  file=sys.stderr, flush=True)


def median_ms(run):
    """(median wall time of run() in ms, runs, share of the machine's CPU other processes
    used meanwhile), after warmup, over at least MIN_RUNS runs and MIN_SECONDS seconds."""
    for _ in range(WARMUP_RUNS):
        run()
    times = []
    before = cpu_ticks()
    start = time.perf_counter()
    while len(times) < MIN_RUNS or time.perf_counter() - start < MIN_SECONDS:
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3, len(times), others_cpu(before, cpu_ticks())


def measure(run, label):
    """median_ms(run) in a quiet moment, retried while other processes used the machine;
    the least disturbed attempt wins."""
    best = None
    for _ in range(ATTEMPTS):
        wait_until_quiet(label)
        result = median_ms(run)
        if best is None or result[2] < best[2]:
            best = result
        if best[2] <= MAX_OTHERS_CPU:
            break
        print(f"pytorch  {label}: other processes used {result[2]:.0%} of the CPU, retrying",
              file=sys.stderr, flush=True)
    return best


def main():
    parser = argparse.ArgumentParser(description="Times PyTorch recurrent layers over grid.json.")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--quick", action="store_true", help="tiny grid, for a smoke test")
    parser.add_argument("--rows", help="regex searched in cell/direction/T:../N:../I:../H:..")
    args = parser.parse_args()
    threads = [int(k) for k in args.threads.split(",")]

    torch.set_num_interop_threads(1)
    meta = blas_report()
    print(json.dumps({"peer": "pytorch", "meta": meta}), flush=True)

    torch.manual_seed(0)
    for row in load_rows(args.quick, args.rows):
        module = make_module(row)
        if module is not None:
            module.eval()
            x = torch.randn(row["T"], row["N"], row["I"])
        for k in threads:
            record = {"peer": "pytorch", **row, "threads": k}
            if module is None:
                record.update(ms=None, note="PyTorch has no GRU with linear_before_reset=0")
            else:
                torch.set_num_threads(k)
                with torch.inference_mode():
                    ms, runs, others = measure(lambda: module(x), f"{row_name(row)}  threads:{k}")
                record.update(ms=round(ms, 4), runs=runs, others_cpu=round(others, 3))
                if meta["void"]:
                    record["void"] = True
            print(json.dumps(record), flush=True)
            shown = "n/a" if record["ms"] is None else (
                f"{record['ms']:.3f} ms ({record['runs']} runs, others used {record['others_cpu']:.0%})")
            print(f"pytorch  {row_name(row)}  threads:{k}  {shown}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
