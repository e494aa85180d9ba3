"""The searched design beside the LP sizing optimum (perfect foresight, :mod:`gpdc.optimal`).

The LP decides the same sizes over the same bounds with the same policy rules and the targets
it can express linearly; its dispatch knows the whole year in advance, so its cost is a lower
bound on what any rule-based operation of the same sizes achieves.  The gap between the
searched design (rule-based dispatch) and the LP optimum therefore has two parts: the value of
perfect foresight in operation, and any distance of the search from the best sizes; the
LP-sized design simulated with the rule-based dispatch separates them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from gpdc.sizing.search import SizingResult
from gpdc.sizing.spec import DURATION

#: sizing variable -> LP size name
LP_SIZES = {"wind.capacity_mw": "wind_mw", "solar.capacity_mw": "solar_mw", "storage.power_mw": "storage_power_mw",
            "storage.energy_mwh": "storage_energy_mwh", "line.rating_mw": "line_mw",
            "electrolyser.capacity_mw": "electrolyser_mw", "hydrogen.tank_kg": "tank_kg"}
#: target (metric, op) -> LP target name
LP_TARGETS = {("green_share_of_load", ">="): "min_green_share_of_load_frac",
              ("self_use_share", ">="): "min_self_use_frac", ("export_share", "<="): "max_export_frac",
              ("curtailment_rate", "<="): "max_curtailment_frac",
              ("hydrogen_co2_direct_kg_per_kg", "<="): "max_hydrogen_co2_kg_per_kg"}


@dataclass(frozen=True)
class LPComparison:
    """Search vs LP sizing: costs [yuan], the LP design simulated, and what could not be expressed."""

    search_cost_yuan: float  # the best design found, first-year cost (optimal.gap.first_year_cost)
    lp_cost_yuan: float  # the LP optimum (perfect-foresight dispatch)
    lp_design_rule_cost_yuan: float  # the LP's sizes run through the rule-based dispatch
    lp_design_meets_all: bool
    lp_sizes: dict[str, float]
    lp_seconds: float
    skipped: list[str]

    @property
    def gap_frac(self) -> float:
        """(search − LP optimum) / LP optimum."""
        return (self.search_cost_yuan - self.lp_cost_yuan) / abs(self.lp_cost_yuan)

    def text(self) -> str:
        """The comparison in words."""
        sizes = ", ".join(f"{k} {v:,.1f}" for k, v in self.lp_sizes.items())
        lines = [
            f"LP sizing optimum (perfect foresight, HiGHS, {self.lp_seconds:.0f} s): {self.lp_cost_yuan / 1e6:,.2f} M yuan "
            f"with {sizes}",
            f"searched design (rule-based dispatch): {self.search_cost_yuan / 1e6:,.2f} M yuan — "
            f"{self.gap_frac:+.2%} against the LP optimum",
            f"the LP's sizes run through the rule-based dispatch: {self.lp_design_rule_cost_yuan / 1e6:,.2f} M yuan"
            + ("" if self.lp_design_meets_all else " (and they miss a constraint there)"),
        ]
        if self.search_cost_yuan <= self.lp_design_rule_cost_yuan + 1e-6:
            lines.append("the search is at least as good as the LP's sizes under the same rule-based operation: the gap "
                         "to the LP is the value of perfect foresight in dispatch, not of the sizes")
        if self.skipped:
            lines.append("not expressed in the LP: " + "; ".join(self.skipped))
        return "\n".join(lines)


def compare_with_lp(result: SizingResult) -> LPComparison:
    """Solve the LP sizing problem for the same bounds, rules and (linear) targets."""
    from gpdc.optimal import optimal_sizing, sizing_check

    bounds: dict[str, tuple[float, float]] = {}
    skipped: list[str] = []
    var = {v.field: v for v in result.spec.variables}
    for f, v in var.items():
        if f in LP_SIZES:
            bounds[LP_SIZES[f]] = (v.low, v.high)
        elif f != DURATION:
            skipped.append(f"variable {f}")
    if DURATION in var:
        p, d = var["storage.power_mw"], var[DURATION]
        bounds["storage_energy_mwh"] = (p.low * d.low, p.high * d.high)
        skipped.append(f"storage duration {d.low:g}–{d.high:g} h (the LP bounds energy by power x duration limits "
                       "only)")
    targets: dict[str, float] = {}
    for t in result.spec.targets:
        key = LP_TARGETS.get((t.metric, t.op))
        if key is None:
            skipped.append(f"target {t}")
        else:
            targets[key] = t.value
    if list(result.spec.objective) != ["project_cost_yuan"]:
        skipped.append(f"objective {result.spec.objective_text()} (the LP minimises project_cost_yuan)")
    t0 = time.perf_counter()
    lp = optimal_sizing(result.base, bounds, targets, policy=result.spec.policy)
    seconds = time.perf_counter() - t0
    check = sizing_check(lp)
    kept = result.evaluated.metrics  # on the LP's terms: the first year's cost (see first_year_cost)
    search_cost = float(kept["project_cost_yuan"][result.best_row] - kept["levelised_adjustment_yuan"][result.best_row])
    return LPComparison(search_cost, float(lp.objective_yuan),
                        float(check.rule_cost_yuan), bool(check.meets_all), dict(lp.sizes), seconds, skipped)
