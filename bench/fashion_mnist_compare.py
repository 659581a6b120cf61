#!/usr/bin/env python3
# rnnc against PyTorch on Fashion-MNIST, the same model and settings
# (GRU 28→128 → Dense 10, Adam lr 1e-3, batch 64, seed 0): runs
# build/examples/fashion_mnist --backend=llvm with OMP_NUM_THREADS=k and
# bench/peers/torch_fashion_mnist.py --threads k back to back, for each
# thread count, several repetitions, and prints one Markdown table: per
# epoch the test accuracy of both, the seconds of the training steps (the
# fastest repetition's) and of the test pass of both, and the rnnc /
# PyTorch ratio of the training time (< 1: rnnc is faster); then the BLAS
# torch loaded and the load average around every run. On a shared machine
# other processes only ever add time, so the fastest repetition is the
# steadiest figure.
#
#   bench/fashion_mnist_compare.py --out bench/results/fashion-mnist-<date>.md
#   bench/fashion_mnist_compare.py --repetitions 1 --max_steps_per_epoch 50   # quick
import argparse
import datetime
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Both programs print this line per epoch.
EPOCH = re.compile(r"^epoch (\d+): loss ([0-9.]+), test accuracy ([0-9.]+), training ([0-9.]+) s "
                   r"\(([0-9.]+) ms per step\), test ([0-9.]+) s$", re.M)
BLAS = re.compile(r"^torch .*BLAS: (.*)$", re.M)


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run(name, command, env):
    """The epochs a program printed, with the load average before and after it."""
    before = load_average()
    print(f"[{datetime.datetime.utcnow():%H:%M:%S}] {name}: {' '.join(command)}", file=sys.stderr,
          flush=True)
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"{name} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    epochs = [{"epoch": int(m[1]), "loss": float(m[2]), "accuracy": float(m[3]),
               "train_s": float(m[4]), "ms_per_step": float(m[5]), "test_s": float(m[6])}
              for m in EPOCH.finditer(result.stdout)]
    if not epochs:
        sys.exit(f"{name} printed no epoch lines:\n{result.stdout}{result.stderr}")
    blas = BLAS.search(result.stdout)
    for e in epochs:
        print(f"  epoch {e['epoch']}: accuracy {e['accuracy']:.4f}, training {e['train_s']:.2f} s, "
              f"test {e['test_s']:.2f} s", file=sys.stderr, flush=True)
    return {"epochs": epochs, "load": (before, load_average()), "blas": blas[1] if blas else None}


def fastest(runs, epoch, key):
    return min(r["epochs"][epoch][key] for r in runs)


def accuracies(runs, epoch):
    """The accuracy of every repetition, once each (they differ only if a run is not deterministic)."""
    return "/".join(f"{a:.4f}" for a in sorted({r["epochs"][epoch]["accuracy"] for r in runs}))


def main():
    parser = argparse.ArgumentParser(description="rnnc vs PyTorch on Fashion-MNIST, as a table.")
    parser.add_argument("--build", default=os.path.join(ROOT, "build"), help="rnnc's build folder")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--repetitions", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--max_steps_per_epoch", type=int, default=0)
    parser.add_argument("--max_test_examples", type=int, default=0)
    parser.add_argument("--out", help="also write the table there")
    args = parser.parse_args()
    common = [f"--epochs={args.epochs}", f"--max_steps_per_epoch={args.max_steps_per_epoch}",
              f"--max_test_examples={args.max_test_examples}"]
    rnnc_command = [os.path.join(args.build, "examples", "fashion_mnist"), "--backend=llvm",
                    "--curves="] + common
    threads = [int(k) for k in args.threads.split(",")]
    runs = {(side, k): [] for side in ("rnnc", "pytorch") for k in threads}
    started = datetime.datetime.now(datetime.timezone.utc)
    for repetition in range(args.repetitions):
        for k in threads:
            env = dict(os.environ, OMP_NUM_THREADS=str(k))
            runs[("rnnc", k)].append(run(f"rnnc k={k} #{repetition + 1}", rnnc_command, env))
            torch_command = ["/usr/bin/python3", os.path.join(ROOT, "bench/peers/torch_fashion_mnist.py"),
                             f"--threads={k}"] + common
            runs[("pytorch", k)].append(run(f"pytorch k={k} #{repetition + 1}", torch_command, env))

    lines = [f"Fashion-MNIST, GRU(28→128) → Dense(10), Adam lr 1e-3, batch 64, seed 0, "
             f"{args.epochs} epochs"
             + (f" of {args.max_steps_per_epoch} steps" if args.max_steps_per_epoch else "")
             + f"; rnnc `--backend=llvm`; started {started:%Y-%m-%d %H:%M} UTC; "
             f"times are the fastest of {args.repetitions} repetitions (s), run back to back.",
             "",
             "| threads | epoch | rnnc accuracy | pytorch accuracy | rnnc train s | pytorch train s "
             "| train rnnc / pytorch | rnnc ms/step | pytorch ms/step | rnnc test s | pytorch test s "
             "| train+test rnnc / pytorch |",
             "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for k in threads:
        ours, theirs = runs[("rnnc", k)], runs[("pytorch", k)]
        for e in range(len(ours[0]["epochs"])):
            train = (fastest(ours, e, "train_s"), fastest(theirs, e, "train_s"))
            test = (fastest(ours, e, "test_s"), fastest(theirs, e, "test_s"))
            lines.append(
                f"| {k} | {e + 1} | {accuracies(ours, e)} | {accuracies(theirs, e)} "
                f"| {train[0]:.2f} | {train[1]:.2f} | {train[0] / train[1]:.3f} "
                f"| {fastest(ours, e, 'ms_per_step'):.2f} | {fastest(theirs, e, 'ms_per_step'):.2f} "
                f"| {test[0]:.2f} | {test[1]:.2f} "
                f"| {(train[0] + test[0]) / (train[1] + test[1]):.3f} |")
    blas = {r["blas"] for k in threads for r in runs[("pytorch", k)]}
    lines += ["", f"PyTorch BLAS: {', '.join(sorted(b or '?' for b in blas))}", "",
              "Load average (1, 5, 15 min) before → after each run:", ""]
    for repetition in range(args.repetitions):
        for k in threads:
            for side in ("rnnc", "pytorch"):
                before, after = runs[(side, k)][repetition]["load"]
                lines.append(f"- #{repetition + 1} {side}, {k} thread{'s' if k > 1 else ''}: "
                             f"{before} → {after}")
    table = "\n".join(lines) + "\n"
    print(table, end="")
    if args.out:
        with open(args.out, "w") as f:
            f.write(table)


if __name__ == "__main__":
    main()
