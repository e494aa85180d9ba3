"""A sizing result as labelled Datasets (for HDF5) and the data of its compliance map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from gpdc.results.registry import VARIABLES
from gpdc.sizing.search import KEPT, SizingResult
from gpdc.sizing.spec import DURATION


def _var_attrs(name: str) -> dict[str, str]:
    if name in VARIABLES:
        v = VARIABLES[name]
        return {"units": v.units, "long_name": v.long_name + " (mean over weather years)"}
    if name == DURATION:
        return {"units": "h", "long_name": "storage duration: energy / power"}
    from gpdc.units import unit_of

    return {"units": unit_of(name.split(".")[-1]) or "1", "long_name": f"decision variable {name}"}


def _table(result: SizingResult, rows: np.ndarray, dim: str) -> xr.Dataset:
    ev = result.evaluated
    data: dict[str, xr.Variable] = {}
    for i, v in enumerate(result.spec.variables):
        data[v.field] = xr.Variable((dim,), ev.x[rows, i], _var_attrs(v.field))
    if DURATION in [v.field for v in result.spec.variables]:
        names = [v.field for v in result.spec.variables]
        energy = ev.x[rows, names.index("storage.power_mw")] * ev.x[rows, names.index(DURATION)]
        data["storage.energy_mwh"] = xr.Variable((dim,), energy, _var_attrs("storage.energy_mwh"))
    data["objective"] = xr.Variable((dim,), ev.objective[rows], {
        "units": "yuan" if list(result.spec.objective) == ["project_cost_yuan"] else "mixed",
        "long_name": f"objective: {result.spec.objective_text()} (mean over weather years)"})
    data["feasible"] = xr.Variable((dim,), ev.feasible[rows], {"units": "1", "long_name": "meets every constraint"})
    data["compliance_share"] = xr.Variable((dim,), ev.compliance_share[rows], {
        "units": "1", "long_name": "share of weather years in which every constraint holds"})
    for k in KEPT:
        data[k] = xr.Variable((dim,), ev.metrics[k][rows], _var_attrs(k))
    for i, name in enumerate(result.constraints):
        data[f"margin_{i}"] = xr.Variable((dim,), ev.margins[name][rows], {
            "units": "1 or the metric's unit", "long_name": f"margin to '{name}' (>= 0 met; mean year)"})
    return xr.Dataset(data)


def to_datasets(result: SizingResult) -> dict[str | None, xr.Dataset]:
    """Root: the top N designs ranked (dimension ``rank``); groups ``pareto`` and ``evaluated``."""
    ranked = _table(result, result.ranked_rows, "rank").assign_coords(rank=np.arange(1, len(result.ranked_rows) + 1))
    binding = result.binding()
    ranked.attrs.update({
        "title": "gpdc sizing",
        "objective": result.spec.objective_text(),
        "feasible": int(result.feasible),
        "best_design": repr(result.design()),
        "constraints": "; ".join(result.constraints),
        "binding": "; ".join(f"{n}: margin {m:.4g}" + (f", relaxing saves {s:.2%}" if s else "")
                             for n, m, s in binding if s or abs(m) < 1e-6),
        "min_compliance_share": result.spec.min_compliance_share,
        "weather_years": ", ".join(str(m) for m in result.members),
        "designs_evaluated": len(result.evaluated.objective),
        "design_years_simulated": result.n_runs,
        "seconds": result.seconds,
    })
    from gpdc.scenario.load import to_toml

    ranked.attrs["scenario_toml"] = to_toml(result.base)
    from gpdc.results.dataset import version_record

    ranked.attrs["gpdc_version"] = version_record()["gpdc"]
    pareto = _table(result, result.pareto(), "point")
    evaluated = _table(result, np.arange(len(result.evaluated.objective)), "design")
    return {None: ranked, "pareto": pareto, "evaluated": evaluated}


@dataclass(frozen=True)
class ComplianceMap:
    """Green share, self-use share and export share over a wind x solar grid, other sizes at the best design."""

    wind_mw: np.ndarray
    solar_mw: np.ndarray
    green_share_of_load: np.ndarray  # [n_solar, n_wind]
    self_use_share: np.ndarray
    export_share: np.ndarray
    objective: np.ndarray
    min_self_use_frac: float
    min_green_share_of_load_frac: float
    max_export_frac: float
    best: tuple[float, float]


def compliance_map(result: SizingResult, n: int = 31) -> ComplianceMap:
    """Evaluate a wind x solar grid (the variables' bounds, else 0..2x the best) in one batch."""
    from gpdc.sweeps.execute import evaluate, scenario_inputs

    design = result.design()
    bounds = {v.field: (v.low, v.high) for v in result.spec.variables}
    base_sc = result.scenario()
    lo_w, hi_w = bounds.get("wind.capacity_mw", (0.0, 2.0 * max(base_sc.wind.capacity_mw, 1.0)))
    lo_s, hi_s = bounds.get("solar.capacity_mw", (0.0, 2.0 * max(base_sc.solar.capacity_mw, 1.0)))
    w = np.linspace(lo_w, hi_w, n)
    s = np.linspace(lo_s, hi_s, n)
    ww, ss = np.meshgrid(w, s)
    gi = scenario_inputs(base_sc, result.members[0])
    cols = {k: np.full(ww.size, float(v)) for k, v in design.items() if k != DURATION}
    cols["wind.capacity_mw"] = ww.ravel()
    cols["solar.capacity_mw"] = ss.ravel()
    v = evaluate(gi, cols)
    obj = sum(wt * np.asarray(v[k]) for k, wt in result.spec.objective.items())
    r = gi.resolved
    return ComplianceMap(
        w, s, np.asarray(v["green_share_of_load"]).reshape(ss.shape), np.asarray(v["self_use_share"]).reshape(ss.shape),
        np.asarray(v["export_share"]).reshape(ss.shape), np.asarray(obj).reshape(ss.shape),
        r["min_self_use_frac"], r["min_green_share_of_load_frac"], r["max_export_frac"],
        (design.get("wind.capacity_mw", base_sc.wind.capacity_mw), design.get("solar.capacity_mw", base_sc.solar.capacity_mw)),
    )
