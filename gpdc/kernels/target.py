"""The vector width the kernels are compiled for (issue 19): 512-bit where the CPU has AVX-512, on request.

LLVM's tuning for recent Intel CPUs prefers 256-bit vectors, so on a host with AVX-512 numba's
kernels vectorise on ``ymm``.  With ``GPDC_AVX512=1`` in the environment, importing
:mod:`gpdc.kernels` sets ``NUMBA_CPU_FEATURES`` to the host's features minus ``prefer-256-bit``
before numba compiles anything, and the batch kernel runs on ``zmm``.  numba keys its on-disk
cache by the CPU name and features, so the two builds are cached apart.  It falls back to the
default build, silently, where the host has no AVX-512, where ``NUMBA_CPU_FEATURES`` is already
set (the user's choice wins), or where numba had already set up its code generator in this
process (the features can no longer change).  Measured on an Intel Xeon (Emerald Rapids), one
thread, CPU time: green-first 4.34 -> 3.80 ns per scenario-hour, grid charging 5.37 -> 3.83,
results identical bit for bit on the benchmark's designs (tests/test_kernel_width.py checks
1e-12 relative); off by default until measured on a quiet machine and other CPUs.
"""

from __future__ import annotations

import os

__all__ = ["ENV", "configure", "wide_features"]

#: the environment variable that asks for 512-bit vectors
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
    if os.environ.get(ENV, "0") != "1" or os.environ.get("NUMBA_CPU_FEATURES"):
        return "default"
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
