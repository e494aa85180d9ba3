"""The report's built-in sensitivity study: the verdict and the cost with each main input 20 % lower and higher.

Five inputs, each moved alone, both ways, through the same pipeline and accounting as the run
(:func:`gpdc.pipeline.prepare` and :func:`gpdc.accounting.evaluate`):

* wind yield and PV yield — the hourly capacity factors scaled (capped at 1, so +20 % can give a
  little less where the plant already runs near its rating; the change reached is reported);
* load — the hourly load scaled (the grid connection as contracted);
* energy price — the tariff's energy price (``tariff.energy_price_yuan_per_mwh``, before the TOU
  multipliers; the per-MWh T&D, funds and fees unchanged); not varied when an hourly price file
  sets it;
* capital cost — every capex input (wind, PV, storage energy and power, line, bays, grid
  connection) scaled together; storage O&M and replacement, shares of it, follow.

The base case is evaluated again and must equal the run's own totals: the study and the run
are then the same computation with one input moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gpdc.accounting import evaluate
from gpdc.pipeline import Design, Prepared, prepare
from gpdc.profiles import ProfileSet
from gpdc.scenario.load import apply_fields

__all__ = ["CHANGE", "METRICS", "Case", "Sensitivity", "sensitivity"]

#: how far each input moves, both ways [1]
CHANGE = 0.2
#: what each case keeps
METRICS = ("project_cost_yuan", "savings_yuan", "npv_yuan", "lcoe_yuan_per_mwh", "self_use_share",
           "green_share_of_load", "export_share", "compliant", "meets_self_use", "meets_green_share",
           "meets_export_cap")
#: the capital-cost inputs scaled together (fields a design column may set)
CAPEX_FIELDS = {
    "finance.wind_capex_yuan_per_kw": "wind_capex_yuan_per_kw",
    "finance.solar_capex_yuan_per_kw": "solar_capex_yuan_per_kw",
    "finance.storage_capex_yuan_per_kwh": "storage_capex_yuan_per_kwh",
    "finance.line_capex_yuan_per_km": "line_capex_yuan_per_km",
    "finance.storage_power_capex_yuan_per_kw": None,
    "finance.line_bays_capex_yuan": None,
    "finance.grid_connection_capex_yuan": None,
}


@dataclass(frozen=True)
class Case:
    """One input moved one way: the input's change reached [1] and the results (:data:`METRICS`)."""

    factor: str
    direction: str  # "low" or "high"
    change: float
    values: dict[str, float]
    nominal: float = 0.0  # the change asked for [1]


@dataclass(frozen=True)
class Sensitivity:
    """The base case and, per input, its low and high case; inputs that could not be varied with the reason."""

    base: dict[str, float]
    cases: list[tuple[Case, Case]]
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def factors(self) -> list[str]:
        """The inputs varied, in order."""
        return [low.factor for low, _ in self.cases]


def _pick(values: dict[str, np.ndarray], i: int = 0) -> dict[str, float]:
    return {k: float(np.asarray(values[k], dtype=np.float64).reshape(-1)[i]) for k in METRICS}


def _profiles(p: ProfileSet, cf_wind: float = 1.0, cf_solar: float = 1.0, load: float = 1.0) -> ProfileSet:
    return ProfileSet(p.time, np.minimum(p.cf_wind * cf_wind, 1.0), np.minimum(p.cf_solar * cf_solar, 1.0),
                      p.load_mw * load, dict(p.sources))


def _reached(new: np.ndarray, old: np.ndarray) -> float:
    total = float(np.sum(old))
    return float(np.sum(new)) / total - 1.0 if total > 0 else 0.0


def sensitivity(prepared: Prepared, change: float = CHANGE) -> Sensitivity:
    """Evaluate the run's design with each main input ``change`` lower and higher (see the module docstring).

    Parameters
    ----------
    prepared : Prepared
        The run's scenario with its profiles (:func:`gpdc.pipeline.prepare`).
    change : float
        The relative change of each input [1].
    """
    sc, prof = prepared.scenario, prepared.profiles
    base = _pick(evaluate(prepared))
    cases: list[tuple[Case, Case]] = []
    skipped: dict[str, str] = {}
    low, high = 1.0 - change, 1.0 + change

    for label, key in (("wind yield", "cf_wind"), ("PV yield", "cf_solar"), ("load", "load")):
        pair = []
        for direction, f in (("low", low), ("high", high)):
            p = _profiles(prof, **{key: f})
            reached = _reached(getattr(p, "load_mw" if key == "load" else key),
                               getattr(prof, "load_mw" if key == "load" else key))
            values = _pick(evaluate(prepare(sc, prepared.weather_year, p)))
            pair.append(Case(label, direction, reached, values, f - 1.0))
        if float(np.sum(getattr(prof, "load_mw" if key == "load" else key))) > 0:
            cases.append((pair[0], pair[1]))
        else:
            skipped[label] = "nothing to vary (the series is zero)"

    if sc.tariff.energy_price_csv is not None:
        skipped["energy price"] = "set hourly by tariff.energy_price_csv (not varied)"
    else:
        price = float(prepared.resolved["energy_price_yuan_per_mwh"])
        pair = []
        for direction, f in (("low", low), ("high", high)):
            moved = apply_fields(sc, {"tariff.energy_price_yuan_per_mwh": price * f})
            pair.append(Case("energy price", direction, f - 1.0,
                             _pick(evaluate(prepare(moved, prepared.weather_year, prof))), f - 1.0))
        cases.append((pair[0], pair[1]))

    design = prepared.design
    columns = {}
    for path, resolved_key in CAPEX_FIELDS.items():
        v = (float(design.value(resolved_key)[0]) if resolved_key
             else float(np.nan_to_num(design.number(path)[0])))
        columns[path] = np.array([v * low, v * high])
    both = evaluate(prepared, Design(prepared.resolved, columns))
    cases.append((Case("capital cost", "low", low - 1.0, _pick(both, 0), low - 1.0),
                  Case("capital cost", "high", high - 1.0, _pick(both, 1), high - 1.0)))
    return Sensitivity(base, cases, skipped)
