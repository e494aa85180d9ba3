"""Raw arrays + labels -> self-describing xarray Datasets.

Every data variable gets ``units``, ``long_name`` and ``definition`` from
:mod:`gpdc.results.registry`; a variable that is not registered is refused, so nothing is
written without a unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from gpdc.errors import UnregisteredVariableError
from gpdc.results.lazy_dask import defer_dask
from gpdc.results.registry import CASH_FLOW_VARIABLES, PROJECT_YEAR, TRACE_VARIABLES, VARIABLES, attrs_of

defer_dask()  # NumPy-backed Datasets built and written without importing dask (gpdc.results.lazy_dask)


def totals_dataset(
    values: Mapping[str, np.ndarray],
    *,
    dims: tuple[str, ...] = (),
    coords: Mapping[str, Any] | None = None,
    attrs: Mapping[str, Any] | None = None,
) -> xr.Dataset:
    """Build the totals Dataset.

    Parameters
    ----------
    values : mapping of str to ndarray
        Each registered variable, shape ``(n_scen,)``.  With ``dims == ()`` there must be
        exactly one scenario and the variables become scalars.
    dims, coords
        Dimensions to reshape ``n_scen`` into (C order) and their coordinates.  Variables
        registered with trailing ``dims`` (``("product",)``) have shape ``(n_scen, n_products)``
        and keep that dimension last; ``coords`` then holds its coordinate too.
    attrs
        Dataset attributes (provenance).

    Raises
    ------
    UnregisteredVariableError
        If a variable is not in the registry.
    """
    unknown = sorted(set(values) - set(VARIABLES))
    if unknown:
        raise UnregisteredVariableError(f"variables not in gpdc.results.registry.VARIABLES: {unknown}")
    shape = tuple(len(coords[d]) for d in dims) if (dims and coords) else ()
    data_vars = {}
    for name in VARIABLES:  # registry order: stable, readable files
        if name not in values:
            continue
        arr = np.asarray(values[name])
        trailing = VARIABLES[name].dims  # e.g. ("product",): shape (n_scen, n_products)
        tail = arr.shape[arr.ndim - len(trailing):] if trailing else ()
        arr = arr.reshape(shape + tail) if shape else arr.reshape(tail)
        data_vars[name] = xr.Variable(dims + trailing, arr, attrs=attrs_of(name))
    return xr.Dataset(data_vars, coords=dict(coords or {}), attrs=dict(attrs or {}))


def trace_dataset(time: pd.DatetimeIndex, values: Mapping[str, np.ndarray], timezone: str) -> xr.Dataset:
    """Build the hourly traces Dataset on a ``time`` dimension (local wall-clock time)."""
    unknown = sorted(set(values) - set(TRACE_VARIABLES))
    if unknown:
        raise UnregisteredVariableError(f"trace variables not in gpdc.results.registry.TRACE_VARIABLES: {unknown}")
    local = time.tz_localize(None) if time.tz is not None else time
    data_vars = {
        name: xr.Variable(("time",), np.asarray(values[name]), attrs=attrs_of(name, trace=True))
        for name in TRACE_VARIABLES
        if name in values
    }
    # the index from a pandas Index: from a NumPy array xarray builds it through dask's collection check, which
    # imports dask's core (0.12 s of CPU); the same index either way
    ds = xr.Dataset(data_vars, coords={"time": ("time", pd.DatetimeIndex(local.values.astype("datetime64[ns]")))})
    ds["time"].attrs.update({"long_name": "start of the step, local time", "timezone": timezone})
    return ds


def cash_flow_dataset(values: Mapping[str, np.ndarray], attrs: Mapping[str, Any] | None = None) -> xr.Dataset:
    """Build one design's year-by-year cash flow on a ``project_year`` dimension (0 = the investment).

    Parameters
    ----------
    values : mapping of str to ndarray
        The variables of :data:`gpdc.results.registry.CASH_FLOW_VARIABLES`, each
        ``(n_years + 1,)`` or ``(1, n_years + 1)`` [yuan or MWh].
    attrs
        Dataset attributes.

    Raises
    ------
    UnregisteredVariableError
        If a variable is not in the registry.
    """
    unknown = sorted(set(values) - set(CASH_FLOW_VARIABLES))
    if unknown:
        raise UnregisteredVariableError(f"cash-flow variables not in gpdc.results.registry.CASH_FLOW_VARIABLES: "
                                        f"{unknown}")
    data_vars = {
        name: xr.Variable((PROJECT_YEAR,), np.asarray(values[name], dtype=np.float64).reshape(-1),
                          attrs=attrs_of(name, kind="cash_flow"))
        for name in CASH_FLOW_VARIABLES
        if name in values
    }
    n = len(next(iter(data_vars.values()))) if data_vars else 0
    years = pd.Index(np.arange(n, dtype=np.int64))  # a pandas Index, as in trace_dataset: no dask import
    ds = xr.Dataset(data_vars, coords={PROJECT_YEAR: (PROJECT_YEAR, years)},
                    attrs=dict(attrs or {}))
    ds[PROJECT_YEAR].attrs.update({"long_name": "project year: 0 = the investment, 1 .. N the years of operation",
                                   "units": "a"})
    return ds
