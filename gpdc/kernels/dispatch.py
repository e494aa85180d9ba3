"""The backend seam: which implementation runs the dispatch of a batch or traces one design.

Callers above the kernels (:mod:`gpdc.pipeline`) go through :func:`batch_totals` and
:func:`trace`; the backend behind them is chosen by name:

* ``"cpu"`` — the numba kernels of :mod:`gpdc.kernels.cpu` (all cores, vectorised across designs);
* ``"cuda"`` — :mod:`gpdc.kernels.cuda`, one GPU thread per design, the same step functions
  compiled for the GPU (totals within 1e-12 relative of the CPU's).  Needs a CUDA GPU and the
  extra ``pip install 'gpdc[gpu]'``; imported only when chosen.

Traces (the hourly flows of one design) always run on the CPU: one design gives a GPU nothing
to do in parallel.  Which backend a run uses — ``auto``, a user's choice, the refusal where CUDA
cannot run — is decided above the kernels, in :mod:`gpdc.backends`.
"""

from __future__ import annotations

import numpy as np

from gpdc.kernels import cpu
from gpdc.kernels.layout import N_TOTALS, N_TRACE

__all__ = ["BACKENDS", "batch_totals", "trace"]

#: backends by name
BACKENDS: tuple[str, ...] = ("cpu", "cuda")


def _kernel_array(a: np.ndarray, dtype: type = np.float64) -> np.ndarray:
    """``a`` as the kernels' one array type: C-contiguous, writable, of ``dtype`` (copied only where it is not).

    numba compiles a kernel once per argument type, and a read-only array (pandas' copy-on-write
    values, ``np.broadcast_to``, a memory-mapped file) is another type: each such input cost a
    second compilation of the whole kernel, a minute or more, on a user's first run with it.
    """
    if a.dtype == dtype and a.flags.c_contiguous and a.flags.writeable:
        return a
    return np.array(a, dtype=dtype, order="C")


def _kernel_args(cf_wind: np.ndarray, cf_solar: np.ndarray, load_mw: np.ndarray, price_import: np.ndarray,
                 price_export: np.ndarray, factor: np.ndarray, month_index: np.ndarray, hourly: np.ndarray, dt: float,
                 params: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                              np.ndarray, np.ndarray, float, np.ndarray]:
    """The CPU kernels' inputs, each as :func:`_kernel_array` makes it (``month_index`` int64, ``dt`` a float)."""
    f = _kernel_array
    return (f(cf_wind), f(cf_solar), f(load_mw), f(price_import), f(price_export), f(factor),
            f(month_index, np.int64), f(hourly), float(dt), f(params))


def _check_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise ValueError(f"backend = {backend!r} is invalid: must be one of {', '.join(BACKENDS)}")
    return backend


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
    cpu.dispatch_batch_nb(*_kernel_args(cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index,
                                         hourly, dt, params), out)
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
    cpu.dispatch_trace_nb(*_kernel_args(cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index,
                                         hourly, dt, params), totals, out)
    return totals, out
