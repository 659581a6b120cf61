# Debian 12's OpenBLAS 0.3.21 does not know every CPU it meets: on an
# Emerald Rapids Xeon (family 6, model 207) it falls back to its Prescott
# (SSE3) kernels, and PyTorch's layers took 1.1-7.1x (median 2.9x) as long
# as on its AVX-512 ones. A PyTorch user on that machine would set
# OPENBLAS_CORETYPE, so the peer scripts do: select() names the kernels of
# the best instruction set the CPU has, before torch (and so OpenBLAS)
# loads, unless the caller set one. Import this module before torch.
import ctypes
import os
import subprocess
import sys

OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0"
# OpenBLAS's core for an x86 CPU it cannot place, and what to use instead.
FALLBACK_CORES = {"Prescott", "Core2", "Penryn", "Nehalem", "Dunnington"}
BY_FEATURE = [("avx512f", "SkylakeX"), ("avx2", "Haswell")]


def core_name(library=OPENBLAS):
    """The kernels OpenBLAS picked in this process (None without OpenBLAS)."""
    try:
        openblas = ctypes.CDLL(library)
    except OSError:
        return None
    openblas.openblas_get_corename.restype = ctypes.c_char_p
    return openblas.openblas_get_corename().decode()


def select():
    if "OPENBLAS_CORETYPE" in os.environ or not os.path.exists(OPENBLAS):
        return
    detected = subprocess.run(
        [sys.executable, "-c", "import openblas_core; print(openblas_core.core_name())"],
        cwd=os.path.dirname(os.path.abspath(__file__)), capture_output=True, text=True,
        check=False).stdout.strip()
    if detected not in FALLBACK_CORES:
        return
    with open("/proc/cpuinfo") as cpuinfo:
        flags = next((line.split(":", 1)[1].split() for line in cpuinfo
                      if line.startswith("flags")), [])
    for feature, core in BY_FEATURE:
        if feature in flags:
            os.environ["OPENBLAS_CORETYPE"] = core
            print(f"openblas: this CPU is unknown to OpenBLAS (it chose {detected}); "
                  f"OPENBLAS_CORETYPE={core}", file=sys.stderr)
            return
