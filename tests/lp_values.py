"""Objective values of the LP reference on the ready scenarios, kept so that a new formulation can be held to them.

``python -m tests.lp_values --write`` solves every case of :func:`cases` and saves
``tests/data/lp_values.json`` with the objective [yuan], the sizes, a few totals, the
solver and the commit they came from.  It was run on commit b9b6855 and again on 4cc894c, after the tariff model of issue 15 changed the bills (the hand-built
``scipy.sparse`` LP solved by the HiGHS inside scipy) before the LP moved onto linopy;
``tests/test_lp_linopy.py`` solves the same cases with today's LP and asks for 1e-6 relative.

Cases: the two ready scenarios at their own sizes (``optimal_dispatch``, policy ratios as
constraints) and sized within the bounds of ``benchmarks/lp_gap.py`` (``optimal_sizing``),
each over the full year (8760 h; slow) and over the first four weeks (672 h).  Four-week
sizing uses ``green_first="relaxed"`` (one LP: its optimum is unique, whatever vertex a solver
returns) and ``"iterate"``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = {"datacentre": ROOT / "scenarios" / "inner_mongolia_datacentre.toml",
             "aluminium": ROOT / "scenarios" / "xinjiang_aluminium.toml"}
VALUES = ROOT / "tests" / "data" / "lp_values.json"
#: sizing bounds as multiples of the scenario's own sizes (as benchmarks/lp_gap.py)
BOUND_FACTORS = {"wind_mw": 2.5, "solar_mw": 4.0, "storage_energy_mwh": 4.0, "storage_power_mw": 4.0}
FOUR_WEEKS = 672
#: totals recorded beside the objective (compared loosely: a degenerate optimum may split them otherwise)
TOTALS = ("project_cost_yuan", "import_mwh", "export_mwh", "self_used_mwh", "unserved_mwh")


def _profiles(scenario: Any, hours: int | None) -> Any:
    from gpdc.pipeline import build_profiles
    from gpdc.profiles import ProfileSet

    full = build_profiles(scenario)
    if hours is None:
        return full
    return ProfileSet(full.time[:hours], full.cf_wind[:hours], full.cf_solar[:hours], full.load_mw[:hours],
                      dict(full.sources))


def _bounds(sc: Any) -> dict[str, tuple[float, float]]:
    own = {"wind_mw": sc.wind.capacity_mw, "solar_mw": sc.solar.capacity_mw,
           "storage_energy_mwh": sc.storage.energy_mwh, "storage_power_mw": sc.storage.power_mw}
    return {k: (0.0, BOUND_FACTORS[k] * v) for k, v in own.items()}


def _case(name: str, kind: str, hours: int | None, green_first: str = "auto") -> Callable[[], dict[str, Any]]:
    def run() -> dict[str, Any]:
        from gpdc.optimal import optimal_dispatch, optimal_sizing
        from gpdc.scenario.load import load_scenario

        sc = load_scenario(SCENARIOS[name])
        prof = _profiles(sc, hours)
        t0 = time.perf_counter()
        if kind == "dispatch":
            lp = optimal_dispatch(sc, prof)
        else:
            lp = optimal_sizing(sc, _bounds(sc), profiles=prof, green_first=green_first)  # type: ignore[arg-type]
        out = {"objective_yuan": lp.objective_yuan, "sizes": dict(lp.sizes),
               "totals": {k: lp.totals[k] for k in TOTALS}, "seconds": time.perf_counter() - t0}
        if "lower_bound_yuan" in lp.options:
            out["lower_bound_yuan"] = lp.options["lower_bound_yuan"]
        return out

    return run


def cases() -> dict[str, Callable[[], dict[str, Any]]]:
    """Every case by name: ``<kind>_<scenario>_<horizon>[_<green_first>]``."""
    out: dict[str, Callable[[], dict[str, Any]]] = {}
    for name in SCENARIOS:
        out[f"dispatch_{name}_4w"] = _case(name, "dispatch", FOUR_WEEKS)
        out[f"sizing_{name}_4w_relaxed"] = _case(name, "sizing", FOUR_WEEKS, "relaxed")
        out[f"sizing_{name}_4w_iterate"] = _case(name, "sizing", FOUR_WEEKS, "iterate")
        out[f"dispatch_{name}_year"] = _case(name, "dispatch", None)
        out[f"sizing_{name}_year"] = _case(name, "sizing", None)
    return out


def load() -> dict[str, Any]:
    """The saved values (``{"source": ..., "cases": {name: {...}}}``)."""
    return json.loads(VALUES.read_text(encoding="utf-8"))


def write(names: list[str] | None = None) -> None:
    """Solve the cases and save them (keeping saved cases not named)."""
    import scipy

    saved = load() if VALUES.exists() else {"cases": {}}
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=False).stdout.strip()
    for name, fn in cases().items():
        if names and name not in names:
            continue
        saved["cases"][name] = fn()
        print(f"{name}: {saved['cases'][name]['objective_yuan']!r} ({saved['cases'][name]['seconds']:.1f} s)")
    saved["source"] = (f"python -m tests.lp_values --write on commit {commit}: gpdc.optimal before the move to "
                       f"linopy (scipy.sparse matrix, scipy {scipy.__version__} linprog / HiGHS)")
    VALUES.write_text(json.dumps(saved, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main() -> None:
    """Command line: ``python -m tests.lp_values --write [CASE ...]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    if args.write:
        write(args.cases or None)


if __name__ == "__main__":
    main()
