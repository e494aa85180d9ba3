"""Rule-based dispatch against the perfect-foresight LP on the ready scenarios (full year).

    python benchmarks/lp_gap.py                          # both scenarios in scenarios/
    python benchmarks/lp_gap.py scenarios/xinjiang_aluminium.toml --no-sizing

For each scenario: the rule-based ``project_cost_yuan`` (gpdc.simulate), the LP dispatch
optimum for the same design (with the policy ratios as constraints when the design meets
them, and without), the gap and where it comes from (cost components side by side), the
main energy totals, and the solve times.  Then, unless ``--no-sizing``, the LP sizing optimum
within the bounds below and that design run through the rule-based dispatch.  Prints Markdown
(the tables in docs/lp.md come from this script).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gpdc.optimal import dispatch_gap, optimal_dispatch, optimal_sizing, sizing_check  # noqa: E402
from gpdc.scenario.load import load_scenario  # noqa: E402
from gpdc.pipeline import build_profiles  # noqa: E402

#: sizing bounds as multiples of the scenario's own sizes (line rating stays fixed)
BOUND_FACTORS = {"wind_mw": 2.5, "solar_mw": 4.0, "storage_energy_mwh": 4.0, "storage_power_mw": 4.0}

COMPONENTS = ("import_cost_yuan", "unserved_cost_yuan", "self_use_fees_yuan", "basic_charge_yuan",
              "capacity_td_fee_yuan", "export_revenue_yuan", "annualised_capex_yuan", "om_cost_yuan",
              "project_cost_yuan")
ENERGY = ("self_used_mwh", "direct_mwh", "discharge_green_mwh", "charge_grid_mwh", "import_mwh", "export_mwh",
          "unserved_mwh", "curtail_line_mwh", "curtail_bus_mwh", "self_use_share", "green_share_of_load",
          "export_share", "curtailment_rate", "storage_cycles")


def _fmt(v: float) -> str:
    return f"{v:,.4f}" if abs(v) < 10 else f"{v:,.0f}"


def report(path: Path, sizing: bool) -> None:
    sc = load_scenario(path)
    t0 = time.perf_counter()
    prof = build_profiles(sc)
    t_prof = time.perf_counter() - t0
    gap = dispatch_gap(sc, prof, policy="auto")
    free = optimal_dispatch(sc, prof, policy=False)
    print(f"\n### {sc.name} (`{path.name}`, {len(prof.time)} h)\n")
    print(f"Profiles built in {t_prof:.1f} s. LP: {gap.lp.n_variables:,} variables, {gap.lp.n_constraints:,} "
          f"constraints; built in {gap.lp.build_time_s:.2f} s, solved by HiGHS in {gap.lp.solve_time_s:.1f} s "
          f"(policy) and {free.solve_time_s:.1f} s (no policy).\n")
    print(f"Rule-based dispatch compliant: {gap.rule_compliant}; policy ratios imposed on the LP: "
          f"{gap.policy_applied}. Binding policy constraints (shadow price, yuan/MWh): "
          f"{', '.join(f'{k}: {v:,.1f}' for k, v in gap.lp.binding.items()) or 'none'}.\n")
    print("| quantity | rule-based | LP, policy | LP, no policy | LP (policy) − rule |")
    print("| --- | ---: | ---: | ---: | ---: |")
    r, lp, fr = gap.rule_totals, gap.lp.totals, free.totals
    for k in COMPONENTS + ENERGY:
        print(f"| `{k}` | {_fmt(r[k])} | {_fmt(lp[k])} | {_fmt(fr[k])} | {_fmt(lp[k] - r[k])} |")
    print(f"\n**Gap** (rule-based − LP with policy): {gap.gap_yuan:,.0f} yuan = {100 * gap.gap_frac:.2f} % of the "
          f"rule-based cost; without the policy constraints "
          f"{gap.rule_cost_yuan - free.objective_yuan:,.0f} yuan "
          f"({100 * (gap.rule_cost_yuan - free.objective_yuan) / gap.rule_cost_yuan:.2f} %).")
    if not sizing:
        return
    own = {"wind_mw": sc.wind.capacity_mw, "solar_mw": sc.solar.capacity_mw,
           "storage_energy_mwh": sc.storage.energy_mwh, "storage_power_mw": sc.storage.power_mw}
    bounds = {k: (0.0, BOUND_FACTORS[k] * v) for k, v in own.items()}
    size = optimal_sizing(sc, bounds, profiles=prof)
    check = sizing_check(size)
    print(f"\nLP sizing within {', '.join(f'{k} ∈ [0, {hi:g}]' for k, (_, hi) in bounds.items())} "
          f"(policy as constraints; {size.n_variables:,} variables, solved in {size.solve_time_s:.1f} s):\n")
    print("| size | scenario | LP optimum |")
    print("| --- | ---: | ---: |")
    for k, v in own.items():
        print(f"| `{k}` | {v:,.1f} | {size.sizes[k]:,.1f} |")
    if "lower_bound_yuan" in size.options:
        low = size.options["lower_bound_yuan"]
        print(f"\nGreen first by classing hours ({size.options['rounds']} rounds): exact optimum between "
              f"the relaxed LP {low:,.0f} yuan and this design's {size.objective_yuan:,.0f} yuan "
              f"({100 * (size.objective_yuan / low - 1):.2f} % apart). Binding: "
              f"{', '.join(f'{k}: {v:,.1f}' for k, v in size.binding.items()) or 'none'}.")
    print(f"\nLP sizing optimum {size.objective_yuan:,.0f} yuan against {gap.rule_cost_yuan:,.0f} yuan for the "
          f"scenario's design (rule-based) and {gap.lp_cost_yuan:,.0f} yuan (LP dispatch). The LP-sized design "
          f"simulated by the rule-based dispatch costs {check.rule_cost_yuan:,.0f} yuan "
          f"(gap {check.gap_yuan:,.0f} yuan, {100 * check.gap_frac:.2f} %); constraints met in the simulation: "
          f"{check.meets_all} ("
          + ", ".join(f"{k} {v:.4f} vs {thr:g}: {'met' if ok else 'MISSED'}"
                      for k, (v, thr, ok) in check.checks.items())
          + ").")


def main() -> None:
    """Print the report for the given scenarios (default: every file in scenarios/)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--no-sizing", action="store_true")
    args = ap.parse_args()
    paths = args.paths or sorted((ROOT / "scenarios").glob("*.toml"))
    warnings.simplefilter("ignore")
    for path in paths:
        report(path, not args.no_sizing)


if __name__ == "__main__":
    main()
