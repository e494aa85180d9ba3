"""Hourly traces for a few chosen designs of a sweep (by coordinates, or the best k by a metric).

A sweep keeps only per-design totals; the traces of the designs a user picks are computed
afterwards with :func:`gpdc.simulate` — exactly what ``gpdc run`` gives for that design —
and written atomically to a file beside the sweep's, on a ``selected`` dimension.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from gpdc.errors import ScenarioError
from gpdc.sweeps.plan import WEATHER_DIM, SweepPlan
from gpdc.sweeps.spec import SweepError, _scalar


def _grid_of(where: xr.Dataset | SweepPlan) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """The sweep's dimensions with their coordinate values, and the field path (or old name) of each dimension."""
    if isinstance(where, SweepPlan):
        grid = {d.name: list(d.coord()) for d in where.dims}
        alias = {f: d.name for d in where.dims for f in d.fields if len(d.fields) == 1 and d.labels is None}
    else:
        grid = {str(d): list(where[d].values) for d in where.dims if d in where.coords and d != "product"}
        alias = {str(where[d].attrs["field"]): str(d) for d in grid if "field" in where[d].attrs}
    alias.update({k.replace(".", "_"): k for k in list(grid)})  # the name itself
    return grid, alias


def parse_point(text: str, where: xr.Dataset | SweepPlan) -> dict[str, Any]:
    """``"wind_capacity_mw=150,storage_energy_mwh=400"`` -> coordinates of one design of a sweep.

    Each dimension is named by its name or, for a one-field dimension, by its field path
    (``storage.energy_mwh``); values are matched to the grid.  ``where`` is the sweep's Dataset
    or its plan (to check a request before the sweep runs).
    """
    grid, alias = _grid_of(where)
    dims = ", ".join(grid)
    point: dict[str, Any] = {}
    for part in text.split(","):
        if "=" not in part:
            raise SweepError([ScenarioError("--traces-at", text, f"expected DIM=VALUE for every sweep dimension ({dims})")])
        k, v = (s.strip() for s in part.split("=", 1))
        name = k if k in grid else alias.get(k, alias.get(k.replace(".", "_")))
        if name is None:
            raise SweepError([ScenarioError("--traces-at", k, f"is not a sweep dimension; dimensions: {dims}")])
        point[name] = _scalar(v)
    missing = [d for d in grid if d not in point]
    if missing:
        raise SweepError([ScenarioError("--traces-at", text, f"give a value for every dimension; missing: "
                                                              f"{', '.join(missing)}")])
    for k, v in point.items():
        coord = grid[k]
        hit = [c for c in coord if (c == v) or (isinstance(v, int | float) and isinstance(c, int | float | np.number)
                                                and np.isclose(float(c), float(v), rtol=1e-12, atol=0.0))]
        if not hit:
            values = ", ".join(str(_py(c)) for c in coord)
            raise SweepError([ScenarioError("--traces-at", f"{k}={v}", f"is not on the sweep grid; values: {values}")])
        point[k] = _py(hit[0])
    return point


def check_metric(metric: str) -> None:
    """Refuse an unknown ranking metric before a sweep runs."""
    from gpdc.results.registry import VARIABLES

    if metric not in VARIABLES or VARIABLES[metric].dims:
        raise SweepError([ScenarioError("--by", metric, "is not a result variable; e.g. project_cost_yuan, "
                                                         "lcoe_yuan_per_mwh, green_share_of_load")])


def best_points(ds: xr.Dataset, metric: str, k: int, largest: bool = False, compliant_only: bool = True) -> list[dict[str, Any]]:
    """Coordinates of the ``k`` designs with the smallest (or largest) ``metric``.

    With ``compliant_only`` only designs that meet every policy rule are ranked.
    """
    if metric not in ds.data_vars:
        raise SweepError([ScenarioError("--by", metric, "is not a result variable; e.g. project_cost_yuan, lcoe_yuan_per_mwh, "
                                                          "green_share_of_load")])
    var = ds[metric].astype(np.float64)
    comp = ds["compliant"] if "compliant" in ds else None
    if WEATHER_DIM in var.dims:
        # a design, not a weather year, is what gets ranked: its mean over the years, and it must
        # comply in every year
        var = var.mean(WEATHER_DIM)
        comp = comp.all(WEATHER_DIM) if comp is not None else None
    v = var.values.ravel()
    ok = np.isfinite(v)
    if compliant_only and comp is not None:
        ok &= comp.values.ravel().astype(bool)
    order = np.flatnonzero(ok)
    order = order[np.argsort(-v[order] if largest else v[order], kind="stable")][:k]
    dims = [str(d) for d in var.dims]
    shape = var.shape
    out = []
    for flat in order:
        idx = np.unravel_index(int(flat), shape)
        out.append({d: _py(ds[d].values[i]) for d, i in zip(dims, idx, strict=True)})
    return out


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def design_scenario(plan: SweepPlan, point: Mapping[str, Any]) -> tuple[Any, Any]:
    """The validated scenario of one sweep design, and its weather year."""
    from gpdc.sweeps.spec import apply

    values: dict[str, Any] = {}
    year = None
    for d in plan.dims:
        if d.name == WEATHER_DIM and d.name not in point:
            year = d.values[0][0]  # a design ranked over all years: trace it in the first one
            continue
        label = point[d.name]
        coord = list(d.coord())
        matches = [i for i, c in enumerate(coord) if c == label or str(c) == str(label)]
        if not matches:
            raise SweepError([ScenarioError(d.name, label, f"is not on the sweep grid; values: {coord}")])
        for f, v in d.point(matches[0]).items():
            if d.name == WEATHER_DIM:
                year = v
            else:
                values[f] = v
    return apply(plan.base, values), year


def write_traces(plan: SweepPlan, points: Sequence[Mapping[str, Any]], path: str | Path) -> Path:
    """Simulate each chosen design with hourly traces and write them on a ``selected`` dimension."""
    from gpdc.io.hdf5 import write_results
    from gpdc.runs import run_scenario

    parts = []
    for point in points:
        sc, year = design_scenario(plan, point)
        res = run_scenario(sc, traces=True, weather_year=year)
        if res.traces is not None:
            parts.append(res.traces)
    ds = xr.concat(parts, dim="selected")
    for d in plan.dims:
        vals = [point.get(d.name, d.values[0][0]) for point in points]
        ds = ds.assign_coords({d.name: ("selected", np.asarray([str(v) if isinstance(v, str) else v for v in vals]))})
    ds.attrs["description"] = "hourly traces of designs picked from the sweep (coordinates give each design)"
    return write_results(Path(path), ds)
