"""Designs chosen from a sweep: its summary (the cheapest compliant one), views, the best k, their hourly traces.

A sweep keeps only per-design totals; the traces of the designs a user picks are computed
afterwards with :func:`gpdc.simulate` — exactly what ``gpdc run`` gives for that design —
and written atomically to a file beside the sweep's, on a ``selected`` dimension.
:func:`sweep_summary` works on NumPy arrays (:class:`gpdc.io.sweep_store.SweepColumns`), so
that ``gpdc sweep`` prints it without importing xarray.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gpdc.errors import ScenarioError
from gpdc.io.sweep_store import FAILURE, FAILURE_MESSAGE, STATUS, SweepColumns, failure_counts
from gpdc.sweeps.plan import WEATHER_DIM, SweepPlan
from gpdc.sweeps.spec import SweepError, _scalar

if TYPE_CHECKING:  # imported where a Dataset is built: `gpdc sweep` parses --traces-at without it
    import xarray as xr


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
        point[k] = _on_grid("--traces-at", k, v, grid[k])
    return point


def _on_grid(option: str, dim: str, value: Any, coord: Sequence[Any]) -> Any:
    """The grid value of ``dim`` equal to ``value`` (floats to 1e-12 relative), or an error listing the grid."""
    hit = [c for c in coord if (c == value) or str(c) == str(value)
           or (isinstance(value, int | float) and isinstance(c, int | float | np.number)
               and np.isclose(float(c), float(value), rtol=1e-12, atol=0.0))]
    if not hit:
        values = ", ".join(str(_py(c)) for c in coord)
        raise SweepError([ScenarioError(option, f"{dim}={value}", f"is not on the sweep grid; values: {values}")])
    return _py(hit[0])


def dimension(option: str, name: str, ds: xr.Dataset) -> str:
    """The sweep dimension a user names by its identifier or, for a one-field dimension, its field path."""
    grid, alias = _grid_of(ds)
    found = name if name in grid else alias.get(name, alias.get(name.replace(".", "_")))
    if found is None:
        raise SweepError([ScenarioError(option, name, f"is not a sweep dimension; dimensions: {', '.join(grid)}")])
    return found


@dataclass(frozen=True)
class SweepView:
    """One metric of a sweep over at most four dimensions, the others fixed, ready to draw.

    Attributes
    ----------
    values : xr.DataArray
        The metric over the dimensions of the view: ``x`` then ``y``, ``color``, ``facet`` as given.
    compliant : xr.DataArray or None
        Whether each design meets every policy rule (same dimensions); None when the file has no
        ``compliant`` variable.
    x, y, color, facet : str or None
        The dimension in each role: ``x`` always; ``y`` for a heat map; ``color`` for one line per
        value (line plots); ``facet`` for one panel per value.
    fixed : dict
        The dimensions held at one value (``--where``, or with one value in the file).
    note : str
        How weather years entered (their mean; compliant only where every year complies), or "".
    """

    values: xr.DataArray
    compliant: xr.DataArray | None
    x: str
    y: str | None
    color: str | None
    facet: str | None
    fixed: dict[str, Any]
    note: str


def sweep_view(ds: xr.Dataset, metric: str, x: str | None = None, y: str | None = None, color: str | None = None,
               facet: str | None = None, where: Sequence[str] = ()) -> SweepView:
    """Choose what a sweep figure shows (``gpdc plot``).

    Dimensions are named by identifier or field path.  Unnamed dimensions with one value are
    fixed; of the others, the first free one becomes ``x``, then ``y`` (unless ``color`` is
    given), then ``facet``; any left over must be fixed with ``where`` (``DIM=VALUE``).  A
    ``weather_year`` dimension not named anywhere is averaged over, and a design counts as
    compliant only if it complies in every year (as in the ranking of ``--best``).

    Raises
    ------
    SweepError
        For an unknown metric or dimension, a value off the grid, a dimension named twice, or
        dimensions left over.
    """
    if metric not in ds.data_vars or "product" in ds[metric].dims:
        key = [m for m in ("project_cost_yuan", "self_use_share", "green_share_of_load", "export_share",
                           "savings_yuan", "npv_yuan", "lcoe_yuan_per_mwh", "avoided_co2_t") if m in ds.data_vars]
        raise SweepError([ScenarioError("--metric", metric, f"is not a result variable of this sweep; e.g. "
                                                             f"{', '.join(key)} ({len(ds.data_vars)} in the file)")])
    grid, _ = _grid_of(ds)
    fixed: dict[str, Any] = {}
    for item in where:
        if "=" not in item:
            raise SweepError([ScenarioError("--where", item, "expected DIM=VALUE, e.g. storage_energy_mwh=240")])
        k, v = (t.strip() for t in item.split("=", 1))
        name = dimension("--where", k, ds)
        fixed[name] = _on_grid("--where", name, _scalar(v), grid[name])
    roles: dict[str, str | None] = {}
    for role, given in (("x", x), ("y", y), ("color", color), ("facet", facet)):
        roles[role] = dimension(f"--{role}", given, ds) if given is not None else None
    named = [d for d in roles.values() if d is not None] + list(fixed)
    twice = sorted({d for d in named if named.count(d) > 1})
    if twice:
        raise SweepError([ScenarioError("--x/--y/--color/--facet/--where", twice[0], "names a dimension twice")])
    metric_dims = [str(d) for d in ds[metric].dims]
    free = [d for d in metric_dims if d not in named and len(grid.get(d, [])) > 1 and d != WEATHER_DIM]
    for d in metric_dims:
        if d not in named and len(grid.get(d, [])) == 1:
            fixed[d] = _py(grid[d][0])
    order = ["x", "y", "facet"] if roles["color"] is None else ["x", "facet"]
    for role in order:
        if roles[role] is None and free:
            roles[role] = free.pop(0)
    if roles["x"] is None:
        raise SweepError([ScenarioError("--x", None, "this sweep varies nothing that could go on the x axis")])
    if free:
        raise SweepError([ScenarioError("--where", None, "fix the dimensions a figure cannot show: " + "; ".join(
            f"{d} (values {', '.join(str(_py(v)) for v in grid[d][:6])}{', ...' if len(grid[d]) > 6 else ''})"
            for d in free))])
    values = ds[metric]
    comp = ds["compliant"] if "compliant" in ds.data_vars else None
    sel = {d: v for d, v in fixed.items() if d in values.dims}
    values = values.sel(sel)
    comp = comp.sel({d: v for d, v in sel.items() if d in comp.dims}) if comp is not None else None
    note = ""
    shown = [r for r in (roles["x"], roles["y"], roles["color"], roles["facet"]) if r is not None]
    if WEATHER_DIM in values.dims and WEATHER_DIM not in shown:
        n = values.sizes[WEATHER_DIM]
        values = values.astype(np.float64).mean(WEATHER_DIM)
        if comp is not None:
            comp = (comp.astype(np.float64).min(WEATHER_DIM) > 0.5) if comp.dtype.kind == "f" else comp.all(WEATHER_DIM)
        note = f"mean over {n} weather years; compliant where every year complies"
    values = values.transpose(*shown)
    if comp is not None:
        comp = comp.transpose(*[d for d in shown if d in comp.dims])
    return SweepView(values=values, compliant=comp, x=str(roles["x"]), y=roles["y"], color=roles["color"],
                     facet=roles["facet"], fixed=fixed, note=note)


#: the variables :func:`sweep_summary` reads (``gpdc sweep`` reads only these: gpdc.io.sweep_store.sweep_columns)
SUMMARY_VARIABLES = ("compliant", "project_cost_yuan", "green_share_of_load", "self_use_share", STATUS, FAILURE)


@dataclass(frozen=True)
class Cheapest:
    """The cheapest design that meets every policy rule (in every weather year: its figures the years' means).

    Attributes
    ----------
    where : str
        Its coordinates: ``field=value`` per dimension, a zipped dimension's label with its fields.
    project_cost_yuan, green_share_of_load, self_use_share : float
        Its figures.
    """

    where: str
    project_cost_yuan: float
    green_share_of_load: float
    self_use_share: float


@dataclass(frozen=True)
class SweepSummary:
    """How many designs of a sweep comply (in every weather year), the cheapest that does, and why designs failed.

    Attributes
    ----------
    n_designs, n_compliant : int
        Designs (weather years not counted) and those compliant in every weather year.
    weather_years : int
        How many weather years the sweep ran (0 without a weather-year dimension).
    cheapest : Cheapest or None
        None where no design complies.
    failures : list of (str, int)
        Each reason designs failed, with how many designs it stopped, most first.
    """

    n_designs: int
    n_compliant: int
    weather_years: int
    cheapest: Cheapest | None
    failures: list[tuple[str, int]]


def _axis_mean(values: np.ndarray, axis: int | tuple[int, ...]) -> np.ndarray:
    """The mean over ``axis`` skipping NaN, as xarray's ``mean`` does (all NaN: NaN, no warning)."""
    if values.dtype.kind != "f":
        return np.mean(values, axis=axis)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a slice of NaN only: NaN
        return np.nanmean(values, axis=axis)


def _coordinate_text(coords: Mapping[str, Any], dim: str, i: int) -> str:
    """``field=value`` of a one-field dimension; ``name=label (field=value, ...)`` of a zipped one."""
    _, values, attrs = coords[dim]
    if "field" in attrs:
        return f"{attrs['field']}={values[i]}"
    along = [c for c, (cdims, _, cattrs) in coords.items() if c != dim and cdims == (dim,) and "field" in cattrs]
    if not along:
        return f"{dim}={values[i]}"
    return f"{dim}={values[i]} (" + ", ".join(f"{coords[c][2]['field']}={coords[c][1][i]}" for c in along) + ")"


def sweep_summary(cols: SweepColumns) -> SweepSummary:
    """Summarise a finished sweep from its :data:`SUMMARY_VARIABLES` (and ``failure_message``).

    Compliant means compliant in every weather year; the cheapest compliant design is the one
    of least ``project_cost_yuan`` (its mean over the weather years, NaN skipped), the first in
    the file's order among equals; its figures are its means over the weather years.
    """
    comp_dims, comp, _ = cols.variables["compliant"]
    cost_dims, cost, _ = cols.variables["project_cost_yuan"]
    comp = np.transpose(comp, [comp_dims.index(d) for d in cost_dims])
    years = 0
    dims = cost_dims
    if WEATHER_DIM in cost_dims:
        axis = cost_dims.index(WEATHER_DIM)
        years = int(cost.shape[axis])
        comp = np.all(comp, axis=axis)
        cost = _axis_mean(cost, axis)
        dims = tuple(d for d in cost_dims if d != WEATHER_DIM)
    comp = np.asarray(comp).astype(bool)
    cheapest = None
    if comp.any():
        idx = np.unravel_index(int(np.argmin(np.where(comp, cost, np.inf))), cost.shape)
        at = dict(zip(dims, idx, strict=True))

        def figure(name: str) -> float:
            vdims, values, _ = cols.variables[name]
            picked = np.asarray(values[tuple(at.get(d, slice(None)) for d in vdims)])
            return float(_axis_mean(picked, tuple(range(picked.ndim))) if picked.ndim else picked)

        cheapest = Cheapest(", ".join(_coordinate_text(cols.coords, d, int(i)) for d, i in at.items()),
                            figure("project_cost_yuan"), figure("green_share_of_load"), figure("self_use_share"))
    failed: list[tuple[str, int]] = []
    if STATUS in cols.variables and FAILURE_MESSAGE in cols.variables:
        failed = failure_counts(cols.variables[STATUS][1], cols.variables[FAILURE][1],
                                cols.variables[FAILURE_MESSAGE][1])
    return SweepSummary(int(comp.size), int(comp.sum()), years, cheapest, failed)


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
    import xarray as xr

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
