"""Lifetime benchmark: 25 years with PV and battery degradation against one year, same design.

    PYTHONPATH=. python benchmarks/lifetime.py [--years 25] [--repeat 7]

The lifetime re-dispatches every year of the life (degraded PV rating and usable storage
energy) in one call of the batch kernel, the years side by side in its SIMD blocks
(``gpdc.pipeline.lifetime_params``).  Two ratios, each the best of ``--repeat`` runs after a
warm-up (JIT compile not counted): the kernel alone (one year = one column; 25 years = 25
columns), and ``gpdc.simulate`` end to end on prepared profiles (degradation off = the first
year used for every year; on = 25 dispatched years, their bills and the cash flow).  The
target of issue 5 is < 5x.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from gpdc import pipeline, simulate
from gpdc.pipeline import build_profiles
from gpdc.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Return the shortest wall time of ``repeat`` calls [s]."""
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    """Time one year and the whole life of the ready Inner Mongolia scenario."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--years", type=int, default=25)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    path = ROOT / "scenarios" / "inner_mongolia_datacentre.toml"
    one = load_scenario(path, overrides={"finance.lifetime_years": float(args.years)})
    life = load_scenario(path, overrides={"finance.lifetime_years": float(args.years),
                                          "finance.pv_degradation_frac_per_year": 0.005,
                                          "finance.battery_degradation_frac_per_year": 0.02})
    prof = build_profiles(one)

    # the kernel alone: one design-year against the design's N years in one call
    res = simulate(one, profiles=prof)
    inputs = pipeline.prepare(one, profiles=prof).inputs
    lp = pipeline.lifetime_params(inputs.params, args.years, np.array([0.005]), np.array([0.02]), np.array([15.0]))
    inputs_life = inputs.with_params(lp)
    k1 = best_of(lambda: pipeline.run_totals(inputs), args.repeat)
    kn = best_of(lambda: pipeline.run_totals(inputs_life), args.repeat)

    # end to end on prepared profiles
    s1 = best_of(lambda: simulate(one, profiles=prof), args.repeat)
    sn = best_of(lambda: simulate(life, profiles=prof), args.repeat)
    ds = simulate(life, profiles=prof).totals
    print(f"machine: {platform.processor() or platform.machine()}, {len(prof.time)} h, best of {args.repeat}")
    print(f"| run | one year | {args.years} years | ratio |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| batch kernel (one design) | {k1 * 1e3:.2f} ms | {kn * 1e3:.2f} ms | {kn / k1:.2f}x |")
    print(f"| gpdc.simulate, profiles prepared | {s1 * 1e3:.1f} ms | {sn * 1e3:.1f} ms | {sn / s1:.2f}x |")
    print(f"green share of load: year 1 {float(ds['green_share_of_load']):.3f}, year {args.years} "
          f"{float(ds['final_year_green_share_of_load']):.3f}; NPV {float(ds['npv_yuan']) / 1e6:,.0f} M yuan "
          f"(no degradation: {float(res.totals['npv_yuan']) / 1e6:,.0f} M)")
    ok = sn / s1 < 5.0
    print(f"lifetime < 5x one year: {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()
