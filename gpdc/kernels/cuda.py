"""The CUDA driver of the batch dispatch (issue 20): one GPU thread per design, the CPU's own step.

The GPU runs exactly the functions of :mod:`gpdc.kernels.step` — :func:`~gpdc.kernels.step.step_nb`,
:func:`~gpdc.kernels.step.accumulate_nb` (generated from the kernel specification),
:func:`~gpdc.kernels.step.plan_day_nb`, :func:`~gpdc.kernels.step.close_month_nb` and the
parameter and totals helpers — compiled a second time, from their Python source, as CUDA device
functions.  There is no second copy of the dispatch rules to keep in step.

Layout.  Each design is one thread.  Its block row ``ROW`` lives in global memory at
``buf[ROW * stride + g]`` for thread ``g`` (``stride`` = the launch's design count rounded up
to a whole warp): the CPU batch kernel's layout with the whole launch as one block, so the 32
threads of a warp read and write each row in one coalesced transaction.  The hourly profiles
are shared by every thread (each step all threads read the same element: one broadcast from
the read-only cache).  Only the totals come back to the host.  The lookahead's scratch (the
day's floors, the ring of needs and charges, the horizon's forecast) uses the same strided
layout; its per-design price levels are a contiguous slice.

Variants.  Like the CPU driver, the designs are split by what they use — grid charging,
flexible elements, the lookahead — and each group runs a kernel compiled with those switches
as constants, so a design pays only for the code it needs and the threads of a warp follow
one path.  A design's totals do not depend on its group or on the other designs.

Numbers.  The same operations in the same order as the CPU; both compilers may fuse a multiply
and an add into one FMA in different places, so totals agree within 1e-12 relative, not bit
for bit (tests/test_cuda_backend.py checks every total of every strategy and element under
numba's CUDA simulator; ``benchmarks/gpu.py`` on a GPU).

The module imports numba's CUDA target only when a function here is called: installing and
using gpdc without a GPU never touches CUDA.  ``NUMBA_ENABLE_CUDASIM=1`` runs these kernels in
numba's CUDA simulator (pure Python, for tests of a few designs).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import numpy as np

from gpdc.kernels import cpu
from gpdc.kernels import step as _step
from gpdc.kernels.layout import (
    N_ROWS,
    N_TOTALS,
    P_FLEX,
    P_GRID_CHARGE,
    P_INIT_GRID_MWH,
    P_LOOKAHEAD,
    P_LOOKAHEAD_H,
)

__all__ = ["MAX_LAUNCH", "THREADS", "batch_totals", "device_name", "group_designs", "memory_per_design_bytes",
           "no_driver_here", "unavailable_reason"]

#: threads per CUDA block (a multiple of the warp, 32)
THREADS = 128
#: most designs in one launch; larger batches run as several launches (bounds the device memory)
MAX_LAUNCH = 1 << 20



#: the CPU driver's step counts of a planning day and of a lookahead horizon, run as Python
steps_per_day = cpu.steps_per_day.py_func
lookahead_steps = cpu.lookahead_steps.py_func


def simulated() -> bool:
    """True when numba's CUDA simulator stands in for a GPU (``NUMBA_ENABLE_CUDASIM=1``)."""
    return os.environ.get("NUMBA_ENABLE_CUDASIM", "0") == "1"


#: where a Linux machine with NVIDIA's driver has its device nodes: the driver's control node, and
#: WSL 2's GPU paravirtualisation device (its libcuda talks to /dev/dxg)
DRIVER_NODES = ("/dev/nvidiactl", "/dev/dxg")


def no_driver_here() -> bool:
    """Return True on a Linux machine without NVIDIA's driver: none of :data:`DRIVER_NODES` exists.

    Then no CUDA program can run, and :func:`unavailable_reason` says so without importing numba's
    CUDA target (about 0.1 s of CPU: a sweep on the ``auto`` backend asks once).  False elsewhere
    (other systems, numba's simulator, ``NUMBA_CUDA_DRIVER`` set: the full check decides).
    """
    if simulated() or os.environ.get("NUMBA_CUDA_DRIVER") or not sys.platform.startswith("linux"):
        return False
    return not any(os.path.exists(p) for p in DRIVER_NODES)


def unavailable_reason() -> str | None:
    """Return None when the CUDA backend can run here, else why not, in words for an error message."""
    if no_driver_here():
        return (f"no CUDA GPU with a working driver was found (no NVIDIA driver: none of {', '.join(DRIVER_NODES)} "
                "exists); with a GPU, install the extra: pip install 'gpdc[gpu]'")
    try:
        from numba import cuda
    except Exception as exc:  # noqa: BLE001 - any import failure means: no CUDA here
        return f"numba's CUDA target cannot be imported ({exc}); install the extra: pip install 'gpdc[gpu]'"
    if simulated():
        return None
    try:
        if not cuda.is_available():
            return ("no CUDA GPU with a working driver was found (numba.cuda.is_available() is False); "
                    "with a GPU, install the extra: pip install 'gpdc[gpu]'")
    except Exception as exc:  # noqa: BLE001 - a broken driver or toolkit
        return f"CUDA cannot start: {exc}"
    return None


def device_name() -> str:
    """The GPU the backend runs on, in words ("CUDA simulator" under ``NUMBA_ENABLE_CUDASIM=1``)."""
    if simulated():
        return "CUDA simulator"
    from numba import cuda

    dev = cuda.get_current_device()
    name = dev.name.decode() if isinstance(dev.name, bytes) else str(dev.name)
    return f"{name} (compute capability {dev.compute_capability[0]}.{dev.compute_capability[1]})"


def scratch_rows(day: int, hmax: int) -> int:
    """Strided rows of the lookahead's scratch: floors, two rings, two horizons, R, three lane rows."""
    return day + 2 * (day + hmax) + 2 * hmax + 1 + 3


def memory_per_design_bytes(dt: float = 1.0, lookahead_h: float = 0.0) -> int:
    """Device memory one design of a launch needs [bytes]: its parameters, block rows, totals (and lookahead scratch)."""
    from gpdc.kernels.layout import N_PARAMS

    day = steps_per_day(dt)
    hmax = lookahead_steps(lookahead_h, dt)
    la = (scratch_rows(day, hmax) + day) if hmax > 0 else 0
    return 8 * (N_PARAMS + N_ROWS + N_TOTALS + la)


def kernel(green_only: bool, flex: bool, la: bool) -> Any:
    """The kernel of a (green_only, flex, la) group (numba compiles it at its first launch, or loads it from its cache)."""
    from gpdc.kernels import cuda_kernels  # imports numba's CUDA target

    return cuda_kernels.KERNELS[(green_only, flex, la)]


def group_designs(params: np.ndarray, dt: float) -> dict[tuple[bool, bool, bool], tuple[np.ndarray, int]]:
    """Split designs by kernel variant: ``{(green_only, flex, la): (design indices, horizon steps)}``.

    The same tests as the CPU driver's blocks, per design: a flexible design runs with grid
    pools (green_only False) and without the lookahead (a scenario refuses both); a lookahead
    design's horizon is its own, the group's the longest.
    """
    flex = params[P_FLEX] > 0.5
    green_only = ~((params[P_GRID_CHARGE] > 0.5) | (params[P_INIT_GRID_MWH] != 0.0)) & ~flex
    h = np.floor(params[P_LOOKAHEAD_H] / dt + 0.5)
    la = (params[P_LOOKAHEAD] > 0.5) & (h > 0) & ~flex
    groups: dict[tuple[bool, bool, bool], tuple[np.ndarray, int]] = {}
    for go in (True, False):
        for fx in (False, True):
            for lk in (False, True):
                idx = np.flatnonzero((green_only == go) & (flex == fx) & (la == lk))
                if idx.size:
                    hmax = max(lookahead_steps(x, dt) for x in params[P_LOOKAHEAD_H, idx]) if lk else 0
                    groups[(go, fx, lk)] = (idx, hmax)
    return groups


def batch_totals(
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    factor: np.ndarray,
    month_index: np.ndarray,
    hourly: np.ndarray,
    dt: float,
    params: np.ndarray,
    timings: dict[str, float] | None = None,
) -> np.ndarray:
    """Return every design's totals, float64[n_scen, N_TOTALS], computed on the GPU.

    Inputs as :func:`gpdc.kernels.cpu.dispatch_batch_nb`; the result equals what it writes
    within 1e-12 relative.  With ``timings`` (a dict) the wall seconds of the copies to the
    GPU (``to_gpu_s``), the kernels (``kernel_s``) and the copies back (``to_host_s``) are added
    to it, the GPU synchronised after each (benchmarks/gpu.py).  Raises RuntimeError (with
    :func:`unavailable_reason`) where CUDA cannot run.
    """
    reason = unavailable_reason()
    if reason is not None:
        raise RuntimeError(f"the CUDA backend cannot run: {reason}")
    from numba import cuda

    n_scen = params.shape[1]
    out = np.zeros((n_scen, N_TOTALS))
    if n_scen == 0:
        return out
    cw_tot, cs_tot = _step.profile_sums_nb(cf_wind, cf_solar, dt)
    day = steps_per_day(dt)

    def lap(key: str, t0: float) -> float:
        if timings is None:
            return t0
        cuda.synchronize()
        now = time.perf_counter()
        timings[key] = timings.get(key, 0.0) + now - t0
        return now

    t = time.perf_counter()
    shared = [cuda.to_device(np.ascontiguousarray(x)) for x in
              (cf_wind, cf_solar, load_mw, price_import, price_export, factor)]
    month_d = cuda.to_device(np.ascontiguousarray(month_index, dtype=np.int64))
    hourly_d = cuda.to_device(np.ascontiguousarray(hourly))
    t = lap("to_gpu_s", t)
    for (go, fx, lk), (idx, hmax) in group_designs(params, dt).items():
        fn = kernel(go, fx, lk)
        for a in range(0, idx.size, MAX_LAUNCH):
            part = idx[a:a + MAX_LAUNCH]
            n = part.size
            stride = -(-n // 32) * 32
            params_d = cuda.to_device(np.ascontiguousarray(params[:, part]))
            buf = cuda.device_array(N_ROWS * stride)
            scratch = cuda.device_array(scratch_rows(day, hmax) * stride if lk else 1)
            levels = cuda.device_array(day * n if lk else 1)
            out_d = cuda.device_array((n, N_TOTALS))
            t = lap("to_gpu_s", t)
            blocks = -(-n // THREADS)
            fn[blocks, THREADS](*shared, month_d, hourly_d, float(dt), params_d, float(cw_tot), float(cs_tot),
                                day, hmax, stride, buf, scratch, levels, out_d)
            t = lap("kernel_s", t)
            out[part] = out_d.copy_to_host()
            t = lap("to_host_s", t)
    return out
