"""Cost of the lookahead storage strategy in the batch kernel: ns per scenario-hour, green-first vs lookahead.

    python benchmarks/lookahead.py                          # Inner Mongolia, 4,096 designs, 1 thread
    python benchmarks/lookahead.py --scenario scenarios/xinjiang_aluminium.toml --designs 8192 --repeat 7

One process, one machine: the same designs (the scenario's, with wind, PV, storage power and
energy drawn around its sizes) on the scenario's own profiles and TOU prices, run by the batch
kernel as green-first, as lookahead with a perfect 24 h forecast (the default), 48 h, and persistence 24 h and 48 h.
Each repeat runs every variant in turn (interleaved); the best process CPU time
(``time.process_time``) of each is reported in ns per scenario-hour, with the CPU model.  The
kernels are compiled (or loaded from the cache) before anything is timed.  Must show: lookahead
at most 2x green-first per scenario-hour.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numba
import numpy as np
from machine import cpu_model  # benchmarks/machine.py

from gpdc import pipeline
from gpdc.kernels import layout as L
from gpdc.kernels.cpu import dispatch_batch_nb
from gpdc.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]




def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "inner_mongolia_datacentre.toml"))
    ap.add_argument("--designs", type=int, default=4096)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1, help="numba threads (default 1: per-core cost)")
    args = ap.parse_args()
    prep = pipeline.prepare(load_scenario(args.scenario))
    i = prep.inputs
    n = args.designs
    rng = np.random.default_rng(1)
    base = np.repeat(i.params, n, axis=1)
    for row in (L.P_WIND_MW, L.P_SOLAR_MW, L.P_CHARGE_MW, L.P_USABLE_MWH):
        base[row] *= rng.uniform(0.5, 1.5, n)
    base[L.P_DISCHARGE_MW] = base[L.P_CHARGE_MW]
    variants: dict[str, np.ndarray] = {}
    for label, la, h, fc in (("green-first", 0, 24, 0), ("lookahead perfect 24 h (default)", 1, 24, 0),
                             ("lookahead perfect 48 h", 1, 48, 0), ("lookahead persistence 24 h", 1, 24, 1),
                             ("lookahead persistence 48 h", 1, 48, 1)):
        p = base.copy()
        p[L.P_LOOKAHEAD], p[L.P_LOOKAHEAD_H], p[L.P_LOOKAHEAD_FORECAST] = la, h, fc
        variants[label] = np.ascontiguousarray(p)
    shared = (i.cf_wind, i.cf_solar, i.load_mw, i.price_import, i.price_export, i.factor, i.month_index, i.hourly,
              i.dt_h)
    out = np.zeros((n, L.N_TOTALS))
    numba.set_num_threads(args.threads)
    t0 = time.perf_counter()
    for p in variants.values():
        dispatch_batch_nb(*shared, p[:, :2].copy(), np.zeros((2, L.N_TOTALS)))
    t_compile = time.perf_counter() - t0
    best = dict.fromkeys(variants, float("inf"))
    ratios: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(args.repeat):
        took = {}
        for label, p in variants.items():
            c0 = time.process_time()
            dispatch_batch_nb(*shared, p, out)
            took[label] = time.process_time() - c0
            best[label] = min(best[label], took[label])
        for label in variants:  # against green-first of the same repeat, run moments before
            ratios[label].append(took[label] / took["green-first"])
    hours = i.cf_wind.shape[0]
    ns = {k: v / (n * hours) * 1e9 for k, v in best.items()}
    print(f"lookahead benchmark — {cpu_model()}, {args.threads} numba thread(s), numba {numba.__version__}; "
          f"{Path(args.scenario).name}: {n:,} designs x {hours} h, {args.repeat} interleaved repeats, "
          f"process CPU time (compile/cache load {t_compile:.1f} s, not timed)")
    print("ns/scen-hour: the best repeat; vs green-first: the median (and range) over the repeats of each repeat's "
          "ratio to its own green-first run (a shared machine's drift cancels)")
    print(f"{'strategy':34s} {'ns/scen-hour':>13s} {'vs green-first':>15s} {'range':>14s}")
    for label, v in ns.items():
        r = np.array(ratios[label])
        print(f"{label:34s} {v:>13.3f} {np.median(r):>14.2f}x {r.min():>6.2f}-{r.max():.2f}x")

if __name__ == "__main__":
    main()
