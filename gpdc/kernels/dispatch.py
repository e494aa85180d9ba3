"""The backend seam: which implementation runs the dispatch of a batch or traces one design.

Callers above the kernels (:mod:`gpdc.pipeline`) go through :func:`batch_totals` and
:func:`trace`; the backend behind them is chosen by name:

* ``"cpu"`` — the numba kernels of :mod:`gpdc.kernels.cpu` (all cores, vectorised across designs);
* ``"cuda"`` — :mod:`gpdc.kernels.cuda`, one GPU thread per design, the same step functions
  compiled for the GPU (totals within 1e-12 relative of the CPU's).  Needs a CUDA GPU and the
  extra ``pip install 'gpdc[gpu]'``; imported only when chosen.

Traces (the hourly flows of one design) always run on the CPU: one design gives a GPU nothing
to do in parallel.  :func:`choose` turns ``"auto"`` into a backend — ``"cuda"`` where a GPU is
usable and the batch is large enough to pay for the GPU's fixed costs, else ``"cpu"`` — and
refuses ``"cuda"`` with the reason where it cannot run.  :func:`using` makes a backend the
default of the calls in a ``with`` block (this thread only).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator

import numpy as np

from gpdc.errors import InputError
from gpdc.kernels import cpu
from gpdc.kernels.layout import N_TOTALS, N_TRACE

__all__ = ["BACKENDS", "CHOICES", "CPU_KERNEL_S_PER_SCENARIO_HOUR", "GPU_START_S", "MIN_DESIGNS_ENV",
           "auto_min_designs", "batch_totals", "choose", "current", "trace", "using"]

#: backends by name
BACKENDS: tuple[str, ...] = ("cpu", "cuda")
#: what a user may ask for (``auto``: see :func:`choose`)
CHOICES: tuple[str, ...] = ("auto", *BACKENDS)
#: CPU seconds of the batch kernel per scenario-hour: 41.86 s of CPU for 10⁶ scenario-years of
#: 8760 h (README "Speed", section 4; Intel Xeon, Emerald Rapids, default 256-bit build)
CPU_KERNEL_S_PER_SCENARIO_HOUR = 4.78e-9
#: what a GPU costs before it computes, in a fresh process [s]: CUDA context, loading (or on the
#: first run, compiling) the kernel, copying the inputs.  An estimate (docs/gpu.md): no GPU was
#: at hand to measure it; ``benchmarks/gpu.py`` prints the measured figure on one.
GPU_START_S = 2.0
#: the environment variable that overrides the design count from which ``auto`` picks the GPU
MIN_DESIGNS_ENV = "GPDC_CUDA_MIN_DESIGNS"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("gpdc_backend", default="cpu")


def _check_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise InputError(f"backend = {backend!r} is invalid: must be one of {', '.join(BACKENDS)}")
    return backend


def current() -> str:
    """The backend of kernel calls that name none (``"cpu"`` unless inside :func:`using`)."""
    return _current.get()


@contextlib.contextmanager
def using(backend: str) -> Iterator[str]:
    """Run the kernel calls of the ``with`` block on ``backend`` (a name of :data:`BACKENDS`)."""
    token = _current.set(_check_backend(backend))
    try:
        yield backend
    finally:
        _current.reset(token)


def auto_min_designs(n_hours: int = 8760) -> int:
    """The design count from which ``auto`` picks the GPU.

    :data:`MIN_DESIGNS_ENV` if set; else where the CPU's kernel, on all of numba's threads,
    would take longer than the GPU takes to start (:data:`GPU_START_S`): on 2 cores and 8760 h
    about 96,000 designs, on 16 cores about 760,000.
    """
    raw = os.environ.get(MIN_DESIGNS_ENV)
    if raw is None:
        import numba

        threads = max(1, int(numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
        return int(np.ceil(GPU_START_S * threads / (max(1, n_hours) * CPU_KERNEL_S_PER_SCENARIO_HOUR)))
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{MIN_DESIGNS_ENV} = {raw!r} is invalid: must be a whole number of designs") from None
    if value < 0:
        raise InputError(f"{MIN_DESIGNS_ENV} = {value} is invalid: must be >= 0")
    return value


def choose(backend: str, n_designs: int, n_hours: int = 8760) -> str:
    """Return the backend that runs ``n_designs`` designs of ``n_hours`` steps when the user asks for ``backend``.

    ``backend`` is one of :data:`CHOICES`.  ``auto``: ``cuda`` where it can run and
    ``n_designs >= auto_min_designs(n_hours)``, else ``cpu``.  ``cuda`` where it cannot run
    raises :class:`~gpdc.errors.InputError` saying why.
    """
    if backend not in CHOICES:
        raise InputError(f"backend = {backend!r} is invalid: must be one of {', '.join(CHOICES)}")
    if backend == "cpu":
        return "cpu"
    if backend == "auto" and n_designs < auto_min_designs(n_hours):
        return "cpu"
    from gpdc.kernels.cuda import unavailable_reason

    reason = unavailable_reason()
    if reason is None:
        return "cuda"
    if backend == "auto":
        return "cpu"
    raise InputError(f"backend = 'cuda' cannot run here: {reason}; use backend 'cpu' (or 'auto')")


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
    backend: str = "cpu",
) -> np.ndarray:
    """Return the totals of every design, float64[n_scen, N_TOTALS] (inputs as :mod:`gpdc.kernels.cpu`)."""
    if _check_backend(backend) == "cuda":
        from gpdc.kernels import cuda

        return cuda.batch_totals(cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly,
                                 dt, params)
    out = np.zeros((params.shape[1], N_TOTALS))
    cpu.dispatch_batch_nb(cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly, dt,
                          params, out)
    return out


def trace(
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
    backend: str = "cpu",
) -> tuple[np.ndarray, np.ndarray]:
    """Return one design's totals float64[N_TOTALS] and hourly traces float64[n_hours, N_TRACE] (on the CPU)."""
    _check_backend(backend)
    totals = np.zeros(N_TOTALS)
    out = np.zeros((cf_wind.shape[0], N_TRACE))
    cpu.dispatch_trace_nb(cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly, dt,
                          np.ascontiguousarray(params), totals, out)
    return totals, out
