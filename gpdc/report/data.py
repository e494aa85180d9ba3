"""What a results file holds, ready for a report: one run, a sweep, or a sizing study.

:func:`load` reads a file written by ``gpdc run``, ``gpdc sweep`` or ``gpdc size`` and returns a
:class:`RunData`, :class:`SweepData` or :class:`SizingData`.  A run's report needs its hourly
traces and its year-by-year cash flow: where the file lacks them (``gpdc run`` without
``--traces``, or a file written by ``gpdc.write_results`` from Python) they are computed again
from the scenario the file records — and used only if that scenario still gives the file's
inputs (the same ``inputs_sha256``) and the file's totals bit for bit; otherwise the report
refuses, rather than show numbers that are not the file's.  The designs a sweep or sizing
report shows in detail are simulated the same way and checked against the file's values.
"""

from __future__ import annotations

import json
import math
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from gpdc.errors import ConsistencyWarning, ReportError
from gpdc.io.hdf5 import CASH_FLOW_GROUP, TRACES_GROUP, list_groups, open_results
from gpdc.pipeline import Prepared, prepare
from gpdc.profiles import ProfileSet
from gpdc.results import provenance
from gpdc.runs import run_scenario
from gpdc.scenario.load import apply_fields, scenario_from_dict
from gpdc.scenario.schema import Scenario

__all__ = ["ReportError", "RunData", "SizingData", "SweepData", "kind_of", "load", "load_run", "simulate_design"]

RUN, SWEEP, SIZING = "run", "sweep", "sizing"


@dataclass
class RunData:
    """One design's results as a report shows them.

    Attributes
    ----------
    totals : xarray.Dataset
        Every result variable, provenance in the attributes.
    traces : xarray.Dataset
        Hourly flows and state of charge.
    cash_flow : xarray.Dataset
        The year-by-year cash flow (dimension ``project_year``).
    prepared : Prepared
        The scenario's inputs (checked against the file's ``inputs_sha256``): what the
        sensitivity study moves.
    source : str
        Where the numbers come from (a file, or a design of a sweep or sizing file).
    recomputed : tuple of str
        Parts computed again from the recorded scenario (``traces``, ``cash_flow``), if any.
    """

    totals: xr.Dataset
    traces: xr.Dataset
    cash_flow: xr.Dataset
    prepared: Prepared
    source: str
    recomputed: tuple[str, ...] = ()

    @property
    def scenario(self) -> Scenario:
        """The run's scenario."""
        return self.prepared.scenario

    @property
    def dt_h(self) -> float:
        """The step length [h]."""
        return float(self.totals.attrs.get("dt_h", 1.0))


@dataclass
class SweepData:
    """A sweep file: its Dataset, dimensions, the designs chosen to show, and the first of them in detail."""

    ds: xr.Dataset
    source: str
    dims: list[str]
    chosen: list[dict[str, Any]]
    ranked_by: str
    compliant_only: bool
    details: list[RunData] = field(default_factory=list)


@dataclass
class SizingData:
    """A sizing file: ranked designs (root), the Pareto frontier, every evaluated design, the best in detail."""

    ranked: xr.Dataset
    pareto: xr.Dataset
    evaluated: xr.Dataset
    source: str
    detail: RunData | None = None
    notes: list[str] = field(default_factory=list)


def _attrs(ds: xr.Dataset) -> dict[str, Any]:
    return dict(ds.attrs)


def kind_of(attrs: dict[str, Any]) -> str:
    """``"run"``, ``"sweep"`` or ``"sizing"`` from a file's ``title`` attribute."""
    title = str(attrs.get("title", ""))
    return {provenance.RUN_TITLE: RUN, provenance.SWEEP_TITLE: SWEEP, provenance.SIZING_TITLE: SIZING}.get(title, "")


def scenario_of(attrs: dict[str, Any], source: str) -> Scenario:
    """The scenario a results file records (attribute ``scenario_toml``)."""
    text = attrs.get("scenario_toml")
    if not text:
        raise ReportError(f"{source}: attribute scenario_toml", None, "a results file written by gpdc records its "
                                                                      "scenario; this one does not")
    return scenario_from_dict(tomllib.loads(str(text)), source=f"{source} (scenario_toml)")


def _profiles_from(traces: xr.Dataset, attrs: dict[str, Any]) -> ProfileSet:
    """The hourly profiles a run used, from its traces (local time, the zone as recorded)."""
    time = traces["time"].to_index().tz_localize(str(traces["time"].attrs.get("timezone", "Asia/Shanghai")))
    return ProfileSet(time, traces["cf_wind"].values, traces["cf_solar"].values, traces["load_mw"].values,
                      json.loads(str(attrs.get("profile_sources", "{}"))))


def _same(a: xr.Dataset, b: xr.Dataset, source: str) -> None:
    """Refuse when a recomputed design's totals are not the file's, bit for bit."""
    for name in a.data_vars:
        if name not in b.data_vars:
            continue
        x = np.asarray(a[name].values, dtype=np.float64)
        y = np.asarray(b[name].values, dtype=np.float64)
        if x.shape != y.shape or not np.array_equal(x, y, equal_nan=True):
            raise ReportError(f"{source}: {name}", float(np.ravel(x)[0]) if x.size else None,
                              f"the recorded scenario now gives {float(np.ravel(y)[0]) if y.size else None}; "
                              "rerun the study with this gpdc and report the new file")


def simulate_design(scenario: Scenario, source: str, weather_year: Any = None) -> RunData:
    """Simulate one design with its traces and cash flow, as ``gpdc run`` does, for a report."""
    res = run_scenario(scenario, traces=True, weather_year=weather_year)
    prepared = prepare(scenario, weather_year, res.profiles)
    return RunData(res.totals, _present(res.traces), _present(res.cash_flow), prepared, source,
                   ("traces", "cash_flow"))


def _present(ds: xr.Dataset | None) -> xr.Dataset:
    """A part a run was asked for (traces, cash flow): never None then."""
    if ds is None:
        raise RuntimeError("a run asked for traces and its cash flow returned none")  # a bug, not an input
    return ds


def load_run(path: str | Path) -> RunData:
    """Read a run file for a report (see the module docstring for what is recomputed and checked).

    Raises
    ------
    ReportError
        If the file is not a single-year run, or its scenario no longer gives its inputs or totals.
    ResultsFileError
        If the file cannot be read.
    """
    path = Path(path)
    source = path.name
    with open_results(path) as ds:
        totals = ds.load()
    if "weather_year" in totals.dims:
        raise ReportError(f"{source}: dimension weather_year", totals.sizes["weather_year"],
                          "a report shows one weather year: run the scenario without an ensemble, or report a sweep")
    groups = list_groups(path)
    traces = cash = None
    if TRACES_GROUP in groups:
        with open_results(path, group=TRACES_GROUP) as ds:
            traces = ds.load()
    if CASH_FLOW_GROUP in groups:
        with open_results(path, group=CASH_FLOW_GROUP) as ds:
            cash = ds.load()
    attrs = _attrs(totals)
    scenario = scenario_of(attrs, source)
    prepared = prepare(scenario, None, _profiles_from(traces, attrs) if traces is not None else None)
    digest = provenance.scenario_attrs(prepared)["inputs_sha256"]
    if digest != attrs.get("inputs_sha256"):
        raise ReportError(f"{source}: inputs_sha256", attrs.get("inputs_sha256"),
                          f"the scenario it records now gives inputs {digest} (a profile, tariff or data file "
                          "changed?); rerun gpdc run --traces and report the new file")
    recomputed: tuple[str, ...] = ()
    if traces is None or cash is None:
        res = run_scenario(scenario, traces=True, profiles=prepared.profiles)
        _same(totals, res.totals, source)
        recomputed = tuple(n for n, have in (("traces", traces), ("cash_flow", cash)) if have is None)
        traces = traces if traces is not None else res.traces
        cash = cash if cash is not None else res.cash_flow
    return RunData(totals, _present(traces), _present(cash), prepared, source, recomputed)


def _point_fields(ds: xr.Dataset, dims: list[str], point: dict[str, int]) -> tuple[dict[str, Any], Any]:
    """The scenario fields of one sweep design (by index on each dimension), and its weather year."""
    values: dict[str, Any] = {}
    year = None
    for d in dims:
        i = point[d]
        if d == "weather_year":
            y = int(ds[d].values[i])
            year = None if y < 0 else y
            continue
        # the scenario field of each coordinate along d: the dimension itself (one field) or the
        # coordinates of a zipped dimension, each naming its field path in the attribute "field"
        along = [str(c) for c in ds.coords if ds[c].dims == (d,) and "field" in ds[c].attrs]
        for name in along:
            v = ds[name].values[i]
            values[str(ds[name].attrs["field"])] = v.item() if isinstance(v, np.generic) else v
    return values, year


def _sweep(path: Path, designs: int, detail: int) -> SweepData:
    source = path.name
    with open_results(path) as opened:
        ds = opened.load()
    dims = json.loads(str(ds.attrs.get("sweep_dims", "[]")))
    metric = "project_cost_yuan"
    cost = ds[metric]
    comp = ds["compliant"].astype(bool)
    if "weather_year" in cost.dims:
        cost, comp = cost.mean("weather_year"), comp.all("weather_year")
    order_dims = [d for d in dims if d in cost.dims]
    cost = cost.transpose(*order_dims)
    comp = comp.transpose(*order_dims)
    flat = np.asarray(cost.values, dtype=np.float64).reshape(-1)
    ok = np.isfinite(flat)
    compliant_only = bool(np.any(ok & np.asarray(comp.values).reshape(-1)))
    if compliant_only:
        ok &= np.asarray(comp.values).reshape(-1)
    rows = np.flatnonzero(ok)
    rows = rows[np.argsort(flat[rows], kind="stable")][:designs]
    chosen = [dict(zip(order_dims, (int(i) for i in np.unravel_index(int(r), cost.shape)), strict=True)) for r in rows]
    data = SweepData(ds, source, dims, chosen, metric, compliant_only)
    base = scenario_of(_attrs(ds), source) if detail > 0 and chosen else None
    for chosen_point in chosen[:detail] if base is not None else []:
        point = dict(chosen_point)
        if "weather_year" in dims:
            point["weather_year"] = 0
        fields, year = _point_fields(ds, dims, point)
        label = ", ".join(f"{k} = {v}" for k, v in fields.items())
        run = simulate_design(apply_fields(base, fields), f"{source}, design {label}", year)  # type: ignore[arg-type]
        if "weather_year" not in dims:
            at = ds.isel({d: point[d] for d in dims})
            _same(at.drop_vars([v for v in at.data_vars if v == "finished"]), run.totals, source)
        data.details.append(run)
    return data


def _sizing(path: Path, detail: int) -> SizingData:
    source = path.name
    groups = list_groups(path)
    with open_results(path) as ds:
        ranked = ds.load()
    parts = {}
    for g in ("pareto", "evaluated"):
        if g not in groups:
            raise ReportError(f"{source}: group {g}", None, "a sizing file written by gpdc size has it")
        with open_results(path, group=g) as ds:
            parts[g] = ds.load()
    data = SizingData(ranked, parts["pareto"], parts["evaluated"], source)
    if detail > 0 and ranked.sizes.get("rank", 0) > 0:
        base = scenario_of(_attrs(ranked), source)
        fields = {str(ranked[n].attrs["field"]): float(ranked[n].values[0]) for n in ranked.data_vars
                  if "field" in ranked[n].attrs and ranked[n].attrs["field"] != "storage.duration_h"}
        run = simulate_design(apply_fields(base, fields), f"{source}, best design")
        if len(str(ranked.attrs.get("weather_years", "None")).split(",")) == 1:
            for name in ("project_cost_yuan", "green_share_of_load", "self_use_share", "export_share"):
                want, have = float(ranked[name].values[0]), float(run.totals[name].values)
                if not math.isclose(want, have, rel_tol=1e-9, abs_tol=1e-12):
                    raise ReportError(f"{source}: {name} of the best design", want,
                                      f"simulating that design now gives {have}; rerun gpdc size with this gpdc")
        else:
            data.notes.append("the design in detail is simulated on the scenario's typical weather year; the ranked "
                              "table shows means over the weather years")
        data.detail = run
    return data


def load(path: str | Path, designs: int = 5, detail: int = 1) -> RunData | SweepData | SizingData:
    """Read any gpdc results file for a report: a run, a sweep or a sizing study.

    Parameters
    ----------
    path : str or Path
        The file.
    designs : int
        For a sweep: how many designs to list (the cheapest that meet every rule).
    detail : int
        For a sweep: how many of the listed designs to simulate for a full report each (the
        cheapest first; 0 for none).  For a sizing study: 0 leaves out the full report of the
        best design.

    Raises
    ------
    ReportError
        If the file is not one of these, or its recorded scenario no longer gives its numbers.
    ResultsFileError
        If the file cannot be read.
    """
    path = Path(path)
    with open_results(path) as ds:
        kind = kind_of(_attrs(ds))
    with warnings.catch_warnings():  # plausibility warnings were shown when the study ran
        warnings.simplefilter("ignore", ConsistencyWarning)
        if kind == RUN:
            return load_run(path)
        if kind == SWEEP:
            return _sweep(path, designs, detail)
        if kind == SIZING:
            return _sizing(path, detail)
    raise ReportError(f"{path.name}: attribute title", None, "a file written by gpdc run, gpdc sweep or gpdc size")
