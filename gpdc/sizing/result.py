"""What a sizing study found: every evaluated design, the best one and its alternatives, as arrays and Datasets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from gpdc._version import __version__
from gpdc.results.lazy_dask import defer_dask
from gpdc.results.provenance import SIZING_TITLE
from gpdc.results.registry import VARIABLES
from gpdc.scenario.load import apply_fields, to_toml
from gpdc.scenario.schema import Scenario
from gpdc.sizing.spec import DURATION, SizingSpec
from gpdc.sweeps.spec import dim_name
from gpdc.units import unit_of

defer_dask()  # its Datasets built without importing dask (gpdc.results.lazy_dask)

#: metrics kept for every evaluated design (means over the weather years)
KEPT = ("project_cost_yuan", "levelised_adjustment_yuan", "lcoe_yuan_per_mwh", "self_used_net_cost_yuan_per_mwh", "capex_yuan", "savings_yuan", "self_use_share",
        "green_share_of_load", "export_share", "curtailment_rate", "unserved_mwh", "import_mwh",
        "self_used_mwh", "avoided_co2_t")


@dataclass
class Evaluated:
    """Every design evaluated so far (rows), with what the search needs to rank them."""

    x: np.ndarray  # [n, n_vars] variable values
    objective: np.ndarray  # [n]
    compliance_share: np.ndarray  # [n] share of weather years in which every constraint holds
    feasible: np.ndarray  # [n] bool
    violation: np.ndarray  # [n] sum of relative violations in the mean year (0 when all met)
    margins: dict[str, np.ndarray]  # constraint name -> [n] margin in the mean year (>= 0 met)
    metrics: dict[str, np.ndarray]  # KEPT metric -> [n] mean over the weather years


def concat_evaluated(a: Evaluated, b: Evaluated) -> Evaluated:
    """Rows of ``a`` then rows of ``b``."""
    return Evaluated(
        np.vstack([a.x, b.x]), np.concatenate([a.objective, b.objective]),
        np.concatenate([a.compliance_share, b.compliance_share]), np.concatenate([a.feasible, b.feasible]),
        np.concatenate([a.violation, b.violation]),
        {k: np.concatenate([a.margins[k], b.margins[k]]) for k in a.margins},
        {k: np.concatenate([a.metrics[k], b.metrics[k]]) for k in a.metrics},
    )


@dataclass
class SizingResult:
    """The outcome of :func:`size`."""

    base: Scenario
    spec: SizingSpec
    evaluated: Evaluated
    best_row: int
    feasible: bool
    constraints: list[str]
    members: list[Any]
    seconds: float
    n_runs: int
    ranked_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def design(self, row: int | None = None) -> dict[str, float]:
        """The scenario fields of a design (the best one by default); energy from the duration if given."""
        x = self.evaluated.x[self.best_row if row is None else row]
        out = {v.field: float(val) for v, val in zip(self.spec.variables, x, strict=True)}
        if DURATION in out:
            out["storage.energy_mwh"] = float(np.float64(out["storage.power_mw"]) * np.float64(out[DURATION]))
        return out

    def scenario(self, row: int | None = None) -> Scenario:
        """The validated scenario of a design."""
        return apply_fields(self.base, {k: v for k, v in self.design(row).items() if k != DURATION})

    def datasets(self) -> dict[str | None, xr.Dataset]:
        """The result as labelled Datasets: root (None) the ranked designs, groups ``pareto`` and ``evaluated``."""
        return to_datasets(self)

    def binding(self) -> list[tuple[str, float, float | None]]:
        """(constraint, margin at the best design, saving if relaxed) for each constraint.

        ``saving`` is the relative objective improvement of the best evaluated design that
        violates only this constraint, or None when no such design is cheaper.  A constraint
        binds when relaxing it saves something, or when it sits at its limit (margin ~ 0: the
        export cap, which the dispatch itself enforces, can only show this way).
        """
        ev = self.evaluated
        out = []
        b = self.best_row
        for name in self.constraints:
            others = np.ones(len(ev.objective), dtype=bool)
            for o in self.constraints:
                if o != name:
                    others &= ev.margins[o] >= -1e-12
            only = others & (ev.margins[name] < -1e-12)
            saving = None
            if only.any():
                alt = float(np.min(ev.objective[only]))
                if alt < ev.objective[b]:
                    saving = (ev.objective[b] - alt) / abs(ev.objective[b]) if ev.objective[b] else None
            out.append((name, float(ev.margins[name][b]), saving))
        return out

    def pareto(self) -> np.ndarray:
        """Rows on the frontier of objective (lower) against green share of load (higher).

        Candidates meet every constraint except those on the green share (which the frontier
        trades), and, with an ensemble, the other rules in the required share of years.
        """
        ev = self.evaluated
        ok = np.ones(len(ev.objective), dtype=bool)
        for name in self.constraints:
            if "green share" not in name and "green_share" not in name:
                ok &= ev.margins[name] >= -1e-12
        rows = np.flatnonzero(ok & np.isfinite(ev.objective))
        order = rows[np.lexsort((ev.objective[rows], -ev.metrics["green_share_of_load"][rows]))]
        front, best_cost = [], np.inf
        for r in order:  # by decreasing green share: keep a design if it is cheaper than every greener one
            if not np.isfinite(best_cost) or ev.objective[r] < best_cost - 1e-9 * max(1.0, abs(best_cost)):
                front.append(r)
                best_cost = ev.objective[r]
        return np.array(front[::-1], dtype=np.int64)


def _var_attrs(name: str) -> dict[str, str]:
    if name in VARIABLES:
        v = VARIABLES[name]
        return {"units": v.units, "long_name": v.long_name + " (mean over weather years)"}
    if name == DURATION:
        return {"units": "h", "long_name": "storage duration: energy / power", "field": name}
    return {"units": unit_of(name.split(".")[-1]) or "1", "long_name": f"decision variable {name}", "field": name}


def _table(result: SizingResult, rows: np.ndarray, dim: str) -> xr.Dataset:
    ev = result.evaluated
    data: dict[str, xr.Variable] = {}
    for i, v in enumerate(result.spec.variables):
        data[dim_name(v.field)] = xr.Variable((dim,), ev.x[rows, i], _var_attrs(v.field))
    if DURATION in [v.field for v in result.spec.variables]:
        names = [v.field for v in result.spec.variables]
        energy = ev.x[rows, names.index("storage.power_mw")] * ev.x[rows, names.index(DURATION)]
        data["storage_energy_mwh"] = xr.Variable((dim,), energy, _var_attrs("storage.energy_mwh"))
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
    """Root: the top N designs ranked (dimension ``rank``); groups ``pareto`` and ``evaluated``.

    Decision variables are named as identifiers (``wind_capacity_mw``), their field path in the
    attribute ``field``, as the dimensions of a sweep file are.
    """
    ranked = _table(result, result.ranked_rows, "rank").assign_coords(rank=np.arange(1, len(result.ranked_rows) + 1))
    binding = result.binding()
    ranked.attrs.update({
        "title": SIZING_TITLE,
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
    ranked.attrs["scenario_toml"] = to_toml(result.base)
    ranked.attrs["gpdc_version"] = __version__
    pareto = _table(result, result.pareto(), "point")
    evaluated = _table(result, np.arange(len(result.evaluated.objective)), "design")
    return {None: ranked, "pareto": pareto, "evaluated": evaluated}
