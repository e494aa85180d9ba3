"""The backend seam: which implementation runs the dispatch of a batch or traces one design.

Callers above the kernels (:mod:`gpdc.pipeline`) go through :func:`batch_totals` and
:func:`trace`; the backend behind them is chosen by name.  ``"cpu"`` is the numba kernels of
:mod:`gpdc.kernels.cpu`; another backend (a GPU) would implement the same two functions from
the same specification and be listed in :data:`BACKENDS`.
"""

from __future__ import annotations

import numpy as np

from gpdc.kernels import cpu
from gpdc.kernels.layout import N_TOTALS, N_TRACE

#: backends by name
BACKENDS: tuple[str, ...] = ("cpu",)


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"backend = {backend!r} is invalid: must be one of {', '.join(BACKENDS)}")


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
    _check_backend(backend)
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
    """Return one design's totals float64[N_TOTALS] and hourly traces float64[n_hours, N_TRACE]."""
    _check_backend(backend)
    totals = np.zeros(N_TOTALS)
    out = np.zeros((cf_wind.shape[0], N_TRACE))
    cpu.dispatch_trace_nb(cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly, dt,
                          np.ascontiguousarray(params), totals, out)
    return totals, out
