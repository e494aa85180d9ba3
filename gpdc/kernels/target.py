"""The vector width the kernels are compiled for (issue 19): 512-bit wherever the CPU has AVX-512.

LLVM's tuning for recent Intel CPUs prefers 256-bit vectors, so on a host with AVX-512 numba's
kernels would vectorise on ``ymm``.  Importing :mod:`gpdc.kernels` therefore sets
``NUMBA_CPU_FEATURES`` to the host's features minus ``prefer-256-bit`` before numba compiles
anything, and the batch kernel runs on ``zmm``.  ``GPDC_AVX512=0`` in the environment keeps
LLVM's default (``1`` or unset: wide where possible).  numba keys its on-disk cache by the CPU
name and features, so the two builds are cached apart, and child processes (sweep workers)
inherit the setting through the environment.  It falls back to the default build, silently,
where the host has no AVX-512, where ``NUMBA_CPU_FEATURES`` is already set (the user's choice
wins), or where numba had already set up its code generator in this process (the features can
no longer change).

Measured, one thread, process CPU time, the two builds in turn: Intel Xeon (Emerald Rapids),
2026-12-01: green-first 4.34 -> 3.80 ns per scenario-hour, grid charging 5.37 -> 3.83; Intel
Xeon, 2026-12-02 (``benchmarks/kernel_asm.py``, 16,384 designs x 8760 h, processes alternated):
green-first 2.71 -> 1.95, grid charging 2.89 -> 2.21; 27.5 -> 13.75 instructions per lane-hour
in the green-only step (4 -> 8 lanes per iteration).  The totals are identical bit for bit (the same
operations per design, in the same order; tests/test_kernel_width.py checks 1e-12 relative on
random designs).  Not yet measured on AMD (Zen 4 executes 512-bit operations in two halves;
LLVM's tuning for it does not prefer 256-bit, so there the setting changes little).
"""

from __future__ import annotations

import os

__all__ = ["ENV", "configure", "wide_features"]

#: the environment variable that turns 512-bit vectors off ("0"; "1" or unset: on where the CPU has AVX-512)
ENV = "GPDC_AVX512"


def wide_features() -> str | None:
    """Return the host's LLVM feature string with ``-prefer-256-bit`` added, or None without AVX-512."""
    from numba.core import codegen

    features = codegen.ll.get_host_cpu_features().flatten()
    if "+avx512f" not in features.split(","):
        return None
    return features + ",-prefer-256-bit"


def configure() -> str:
    """Apply :data:`ENV`: ``"avx512"`` when the kernels will be compiled for 512-bit vectors, else ``"default"``."""
    if os.environ.get(ENV, "1") == "0":
        return "default"
    given = os.environ.get("NUMBA_CPU_FEATURES")
    if given:  # set by the user, or inherited from a gpdc parent process (a sweep worker)
        return "avx512" if {"+avx512f", "-prefer-256-bit"} <= set(given.split(",")) else "default"
    features = wide_features()
    if features is None:
        return "default"
    from numba.core import config
    from numba.core.registry import cpu_target

    if "_toplevel_target_context" in vars(cpu_target):  # pragma: no cover - numba's code generator already exists
        return "default"
    os.environ["NUMBA_CPU_FEATURES"] = features
    config.reload_config()
    return "avx512"


#: what :func:`configure` did when gpdc.kernels was imported
MODE = configure()
