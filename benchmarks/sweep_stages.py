"""Sweep benchmark (issue 19): a sweep of scenarios/inner_mongolia_datacentre.toml end to end, split by stage.

    python benchmarks/sweep_stages.py                      # 10^5 scenario-years
    python benchmarks/sweep_stages.py --designs 1000000    # 10^6
    python benchmarks/sweep_stages.py --designs 1000,100000 --chunk-size 65536

(benchmarks/sweep.py runs it as its section 4.)

Prints the CPU model, then per sweep: CPU seconds of the whole sweep and of its stages — the
dispatch kernel, finance (gpdc.accounting.costs.lifetime_finance: NPV, IRR, payback, LCOE), the
rest of the accounting, HDF5 (gpdc.io.sweep_store: file creation and chunk writes) and the
rest (planning, profiles, probe) — ns per scenario-hour, the kernel alone on the same designs
and the ratio kernel-alone / whole sweep, and peak memory (getrusage maxrss of this process).
Each design count runs ``--repeat`` times, the sweep and the kernel alone interleaved; the table
shows the fastest sweep (its stages) and the fastest kernel-alone run.
The stages are timed by wrapping the functions in this process (CPU time: time.process_time,
which counts every thread of the process).  The JIT is warmed first and not counted.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from machine import cpu_model  # benchmarks/machine.py

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCENARIO = ROOT / "scenarios" / "inner_mongolia_datacentre.toml"
T: dict[str, float] = {}




def timed(module: Any, name: str, key: str) -> None:
    """Wrap module.name so that its CPU time adds to T[key] (outermost call only)."""
    fn = getattr(module, name)
    depth = {"n": 0}

    def wrapper(*a: Any, **k: Any) -> Any:
        if depth["n"]:
            return fn(*a, **k)
        depth["n"] += 1
        t = time.process_time()
        try:
            return fn(*a, **k)
        finally:
            T[key] = T.get(key, 0.0) + time.process_time() - t
            depth["n"] -= 1

    setattr(module, name, wrapper)


def axes_for(n: int) -> dict[str, list[float]]:
    """About n designs: storage energy × wind × solar capacity."""
    k = max(1, round(n ** (1.0 / 3.0)))
    a = max(1, n // (k * k))
    return {"storage.energy_mwh": list(np.linspace(0.0, 800.0, a)),
            "wind.capacity_mw": list(np.linspace(100.0, 400.0, k)),
            "solar.capacity_mw": list(np.linspace(50.0, 300.0, k))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--designs", default="100000", help="comma-separated design counts")
    ap.add_argument("--chunk-size", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=3,
                    help="sweeps and kernel-alone runs per design count, interleaved; the minimum of each is shown")
    args = ap.parse_args()

    import importlib

    costs = importlib.import_module("gpdc.accounting.costs")
    derive = importlib.import_module("gpdc.accounting.derive")
    execute = importlib.import_module("gpdc.sweeps.execute")
    sweep_store = importlib.import_module("gpdc.io.sweep_store")
    pipeline = importlib.import_module("gpdc.pipeline")
    from gpdc.scenario.load import load_scenario
    from gpdc.sweeps import runner
    from gpdc.sweeps.runner import plan_sweep, run_sweep
    from gpdc.sweeps.spec import combine, read_sweep_table

    timed(pipeline, "run_totals", "kernel")
    derive.run_totals = pipeline.run_totals  # derive imported the name
    timed(costs, "lifetime_finance", "finance")
    timed(execute, "evaluate", "evaluate")
    timed(sweep_store.Store, "write", "hdf5")
    timed(sweep_store, "create", "hdf5")

    print(f"CPU: {cpu_model()}; {platform.python_version()}, numpy {np.__version__}")
    base = load_scenario(SCENARIO)
    chunk = args.chunk_size or runner.DEFAULT_CHUNK
    with tempfile.TemporaryDirectory() as tmp:
        # JIT and profiles cache; enough designs that the compiled finance is loaded (or compiled) here too
        warm_n = max(8, costs.COMPILED_FROM_DESIGNS)
        warm = plan_sweep(base, combine(read_sweep_table(SCENARIO), runner.to_spec(axes_for(warm_n))), chunk)
        run_sweep(warm, Path(tmp) / "warm.h5", quiet=True)
        rows = []
        for n in [int(x) for x in args.designs.split(",")]:
            plan = plan_sweep(base, combine(read_sweep_table(SCENARIO), runner.to_spec(axes_for(n))), chunk)
            from gpdc.sweeps.execute import group_inputs
            best: tuple[float, float, dict[str, float]] | None = None
            t_k = float("inf")
            for _ in range(args.repeat):  # interleaved: the sweep, then the kernel alone, on a noisy machine
                T.clear()
                t0 = time.process_time()
                w0 = time.perf_counter()
                run_sweep(plan, Path(tmp) / f"s{n}.h5", quiet=True)
                total = time.process_time() - t0
                wall = time.perf_counter() - w0
                if best is None or total < best[0]:
                    best = (total, wall, dict(T))
                # the kernel alone on the same designs: each chunk's inputs, run again
                prepared = group_inputs(plan, 0)
                t_one = 0.0
                for c in plan.chunks:
                    design = pipeline.Design(prepared.resolved, plan.columns(c) if plan.column_dims else None)
                    inputs = prepared.inputs.with_params(pipeline.design_params(design))
                    var = derive.variants(design, inputs)
                    allp = inputs.with_params(np.concatenate([inputs.params, var.params], axis=1))
                    t = time.process_time()
                    pipeline.run_totals(allp)
                    t_one += time.process_time() - t
                t_k = min(t_k, t_one)
                T.clear()
                Path(tmp, f"s{n}.h5").unlink()
            total, wall, stages = best  # type: ignore[misc]
            hours = prepared.inputs.cf_wind.shape[-1]
            kernel = stages.get("kernel", 0.0)
            finance = stages.get("finance", 0.0)
            accounting = stages.get("evaluate", 0.0) - kernel - finance
            hdf5 = stages.get("hdf5", 0.0)
            rest = total - stages.get("evaluate", 0.0) - hdf5
            rows.append((plan.size, total, wall, kernel, finance, accounting, hdf5, rest, t_k,
                         total / (plan.size * hours) * 1e9, hours))
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"chunk size {chunk}; hours per scenario-year {rows[0][10]}")
    print("| designs | CPU s | wall s | kernel | finance | accounting | HDF5 | rest | kernel alone | "
          "kernel alone / sweep | ns per scenario-hour |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, total, wall, k, f, a, h, r, ka, ns, _ in rows:
        print(f"| {n:,} | {total:.2f} | {wall:.2f} | {k:.2f} | {f:.2f} | {a:.2f} | {h:.2f} | {r:.2f} | {ka:.2f} | "
              f"{ka / total:.0%} | {ns:.2f} |")
    print(f"peak memory (maxrss of the process, all sweeps): {maxrss:.0f} MB")


if __name__ == "__main__":
    main()
