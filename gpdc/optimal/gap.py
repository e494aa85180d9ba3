"""How far the rule-based dispatch (and a design) is from the LP optimum.

:func:`dispatch_gap` runs :func:`gpdc.simulate` and :func:`optimal_dispatch` on the same
design and profiles; :func:`sizing_check` simulates an LP-sized design with the rule-based
dispatch and says whether it still meets what it was sized for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gpdc.optimal.lp import TARGETS, optimal_dispatch
from gpdc.optimal.result import LPResult
from gpdc.pipeline import build_profiles
from gpdc.profiles import ProfileSet
from gpdc.runs import as_resolved, run_scenario
from gpdc.scenario.resolve import Resolved
from gpdc.scenario.schema import Scenario

__all__ = ["DispatchGap", "SizingCheck", "dispatch_gap", "first_year_cost", "sizing_check"]

#: tolerance on a share when judging a constraint met (the LP meets its rows to ~1e-7 MWh)
SHARE_TOL = 1e-6


@dataclass(frozen=True)
class DispatchGap:
    """Rule-based against optimal dispatch of one design.

    Attributes
    ----------
    rule_cost_yuan, lp_cost_yuan : float
        The first-year cost (:func:`first_year_cost`) of the rule-based dispatch and the LP optimum [yuan].
    gap_yuan : float
        rule − LP (≥ 0 up to solver tolerance) [yuan].
    gap_frac : float
        gap / rule-based cost [1].
    rule_compliant : bool
        Whether the rule-based dispatch meets the three policy ratios.
    policy_applied : bool
        Whether the LP had the policy ratios as constraints.
    rule_totals : dict of str to float
        The scalar totals of the simulation.
    lp : LPResult
        The LP solution.
    """

    rule_cost_yuan: float
    lp_cost_yuan: float
    gap_yuan: float
    gap_frac: float
    rule_compliant: bool
    policy_applied: bool
    rule_totals: dict[str, float]
    lp: LPResult


@dataclass(frozen=True)
class SizingCheck:
    """An LP-sized design run through the rule-based dispatch.

    Attributes
    ----------
    lp_cost_yuan, rule_cost_yuan : float
        Cost of the sized design under the LP's dispatch and under the rule-based one [yuan].
    gap_yuan, gap_frac : float
        rule − LP [yuan], and as a share of the rule-based cost [1].
    checks : dict of str to (float, float, bool)
        For each policy ratio and target: (value in the simulation, threshold, met).
    meets_all : bool
        Every check met.
    rule_totals : dict of str to float
        The scalar totals of the simulation.
    """

    lp_cost_yuan: float
    rule_cost_yuan: float
    gap_yuan: float
    gap_frac: float
    checks: dict[str, tuple[float, float, bool]]
    meets_all: bool
    rule_totals: dict[str, float]


def _scalars(result_totals: object) -> dict[str, float]:
    ds = result_totals
    out: dict[str, float] = {}
    for name, var in ds.data_vars.items():  # type: ignore[attr-defined]
        if var.ndim == 0:
            out[str(name)] = float(var.values)
    return out


def dispatch_gap(
    scenario: Scenario | Resolved | str | Path,
    profiles: ProfileSet | None = None,
    policy: bool | Literal["auto"] = "auto",
    **lp_options: object,
) -> DispatchGap:
    """Compare the rule-based dispatch of a design with the LP optimum for the same design.

    Parameters
    ----------
    scenario : Scenario, Resolved, str or Path
        The design.
    profiles : ProfileSet, optional
        Hourly profiles (default: built from the scenario).
    policy : bool or "auto"
        Impose the policy ratios in the LP; ``"auto"`` imposes them when the rule-based
        dispatch meets them (then the LP is never dearer) and leaves them out otherwise.
    **lp_options
        Passed to :func:`optimal_dispatch` (``end_storage``, ``grid_charge_any_hour``, …).

    Returns
    -------
    DispatchGap
    """
    resolved = as_resolved(scenario)
    prof = profiles if profiles is not None else build_profiles(resolved.scenario)
    sim = run_scenario(resolved.scenario, profiles=prof)
    rule = _scalars(sim.totals)
    compliant = bool(rule["compliant"])
    apply = compliant if policy == "auto" else bool(policy)
    lp = optimal_dispatch(resolved, prof, apply, **lp_options)  # type: ignore[arg-type]
    cost = first_year_cost(rule)
    gap = cost - lp.objective_yuan
    return DispatchGap(cost, lp.objective_yuan, gap, gap / abs(cost) if cost else float("nan"),
                       compliant, apply, rule, lp)


def first_year_cost(totals: dict[str, float]) -> float:
    """The rule-based dispatch's cost on the LP's terms: ``project_cost_yuan`` of the first year [yuan].

    The LP optimises one simulated period: annualised capex, O&M and that period's bill.
    ``project_cost_yuan`` is the equivalent annual cost over the project's life; it adds
    ``levelised_adjustment_yuan`` (tariff escalation, degradation, storage replacements), which
    lies outside the LP's horizon, so the comparison takes it out.
    """
    return totals["project_cost_yuan"] - totals["levelised_adjustment_yuan"]


def _checks(totals: dict[str, float], resolved: Resolved, policy: bool,
            targets: dict[str, float]) -> dict[str, tuple[float, float, bool]]:
    out: dict[str, tuple[float, float, bool]] = {}
    wanted: list[tuple[str, str, str, float]] = []
    if policy:
        wanted += [("policy min_self_use_frac", "self_use_share", "min", resolved["min_self_use_frac"]),
                   ("policy min_green_share_of_load_frac", "green_share_of_load", "min",
                    resolved["min_green_share_of_load_frac"]),
                   ("policy max_export_frac", "export_share", "max", resolved["max_export_frac"])]
    for key, v in targets.items():
        metric, sense = TARGETS[key]
        wanted.append((f"target {key}", metric, sense, v))
    for label, metric, sense, v in wanted:
        if metric == "unserved share of load":
            value = totals["unserved_mwh"] / totals["load_mwh"] if totals["load_mwh"] > 0 else 0.0
        else:
            value = totals[metric]
        met = value >= v - SHARE_TOL if sense == "min" else value <= v + SHARE_TOL
        out[label] = (value, v, bool(met))
    return out


def sizing_check(lp: LPResult) -> SizingCheck:
    """Simulate an LP-sized design with the rule-based dispatch and check its constraints.

    Parameters
    ----------
    lp : LPResult
        From :func:`optimal_sizing` (or :func:`optimal_dispatch`).

    Returns
    -------
    SizingCheck
        Cost of the design under both dispatches and, for each policy ratio (if the LP had
        them) and target, the simulated value, the threshold and whether it is met.  The
        rule-based dispatch lacks perfect foresight, so it may cost more and may miss a
        constraint the LP's dispatch meets.
    """
    sim = run_scenario(lp.scenario, profiles=lp.profiles)
    rule = _scalars(sim.totals)
    checks = _checks(rule, sim.resolved, bool(lp.options.get("policy")), dict(lp.options.get("targets") or {}))
    cost = first_year_cost(rule)
    gap = cost - lp.objective_yuan
    return SizingCheck(lp.objective_yuan, cost, gap, gap / abs(cost) if cost else float("nan"),
                       checks, all(m for _, _, m in checks.values()), rule)
