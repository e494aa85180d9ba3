"""Raw arrays + labels -> self-describing xarray Datasets.

Every data variable gets ``units``, ``long_name`` and ``definition`` from
:mod:`gpdc.results.registry`; a variable that is not registered is refused, so nothing is
written without a unit.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

import gpdc
from gpdc.results.registry import TRACE_VARIABLES, VARIABLES, Var


def version_record() -> dict[str, str]:
    """Versions of gpdc, Python and the numerical stack, for provenance."""
    import h5netcdf
    import h5py
    import numba
    import pvlib
    import scipy

    return {
        "gpdc": gpdc.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
        "xarray": xr.__version__,
        "h5py": h5py.__version__,
        "h5netcdf": h5netcdf.__version__,
        "pvlib": pvlib.__version__,
    }


def inputs_hash(text: str, arrays: Mapping[str, np.ndarray]) -> str:
    """SHA-256 of the scenario text and every input array (name, dtype, shape, bytes)."""
    h = hashlib.sha256(text.encode("utf-8"))
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}|{a.dtype.str}|{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _attrs(var: Var) -> dict[str, str]:
    return {"units": var.units, "long_name": var.long_name, "definition": var.definition}


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
    KeyError
        If a variable is not in the registry.
    """
    unknown = sorted(set(values) - set(VARIABLES))
    if unknown:
        raise KeyError(f"variables not in gpdc.results.registry.VARIABLES: {unknown}")
    shape = tuple(len(coords[d]) for d in dims) if (dims and coords) else ()
    data_vars = {}
    for name in VARIABLES:  # registry order: stable, readable files
        if name not in values:
            continue
        arr = np.asarray(values[name])
        trailing = VARIABLES[name].dims  # e.g. ("product",): shape (n_scen, n_products)
        tail = arr.shape[arr.ndim - len(trailing):] if trailing else ()
        arr = arr.reshape(shape + tail) if shape else arr.reshape(tail)
        data_vars[name] = xr.Variable(dims + trailing, arr, attrs=_attrs(VARIABLES[name]))
    return xr.Dataset(data_vars, coords=dict(coords or {}), attrs=dict(attrs or {}))


def trace_dataset(time: pd.DatetimeIndex, values: Mapping[str, np.ndarray], timezone: str) -> xr.Dataset:
    """Build the hourly traces Dataset on a ``time`` dimension (local wall-clock time)."""
    unknown = sorted(set(values) - set(TRACE_VARIABLES))
    if unknown:
        raise KeyError(f"trace variables not in gpdc.results.registry.TRACE_VARIABLES: {unknown}")
    local = time.tz_localize(None) if time.tz is not None else time
    data_vars = {
        name: xr.Variable(("time",), np.asarray(values[name]), attrs=_attrs(TRACE_VARIABLES[name]))
        for name in TRACE_VARIABLES
        if name in values
    }
    ds = xr.Dataset(data_vars, coords={"time": ("time", local.values.astype("datetime64[ns]"))})
    ds["time"].attrs.update({"long_name": "start of the step, local time", "timezone": timezone})
    return ds


def provenance_attrs(
    *,
    scenario_toml: str,
    thresholds: Mapping[str, float],
    profile_sources: Mapping[str, str],
    resolved: Mapping[str, Any],
    hash_hex: str,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Dataset attributes that make a results file self-describing."""
    attrs: dict[str, Any] = {
        "title": "gpdc green power direct connection simulation",
        "gpdc_version": gpdc.__version__,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario_toml": scenario_toml,
        "profile_sources": json.dumps(dict(profile_sources), ensure_ascii=False),
        "resolved_inputs": json.dumps(dict(resolved), ensure_ascii=False),
        "inputs_sha256": hash_hex,
        "version_record": json.dumps(version_record()),
    }
    for k, v in thresholds.items():
        attrs[f"policy_{k}"] = float(v)
    attrs.update(extra or {})
    return attrs
