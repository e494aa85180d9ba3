"""Sweep benchmark (issue 19): a sweep of scenarios/inner_mongolia_datacentre.toml end to end, split by stage.

    python benchmarks/sweep_stages.py                      # 10^5 scenario-years
    python benchmarks/sweep_stages.py --designs 1000000    # 10^6
    python benchmarks/sweep_stages.py --designs 1000,100000 --chunk-size 65536

(benchmarks/sweep.py runs it as its section 4.)

Prints the CPU model, then per sweep: CPU seconds of the whole sweep and of its stages — the
dispatch kernel, finance (gpdc.accounting.costs.lifetime_finance: NPV, IRR, payback, LCOE), the
rest of the accounting, HDF5 (gpdc.io.sweep_store: file creation and chunk writes) and the
rest (the designs' parameters, planning, profiles, probe) — ns per scenario-hour, the kernel
alone on the same designs and the ratio kernel-alone / whole sweep, and peak memory (getrusage
maxrss of this process, at the end and after the first sweep of each size).
Each design count runs ``--repeat`` times, the sweep and the kernel alone interleaved; the table
shows the fastest sweep (its stages) and the fastest kernel-alone run.
The stages are timed by wrapping the functions in this process, in CPU time: a local sweep runs
the kernel in a thread of its own, one chunk ahead of the accounting and the writes in the main
thread, so the kernel counts the process's CPU time less the main thread's (numba's threads and
the kernel's), the other stages their own thread's (time.thread_time).  The JIT is warmed first
and not counted.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from machine import cpu_model  # benchmarks/machine.py

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCENARIO = ROOT / "scenarios" / "inner_mongolia_datacentre.toml"
T: dict[str, float] = {}




def _main_thread_cpu() -> float:
    """CPU seconds of the main thread (where the sweep accounts and writes its chunks)."""
    return time.clock_gettime(time.pthread_getcpuclockid(threading.main_thread().ident))  # type: ignore[arg-type]


def _kernel_clock() -> float:
    """CPU seconds the kernel's thread and numba's threads use: the process's, less the main thread's.

    A local CPU sweep runs the kernel in a thread of its own, one chunk ahead of the accounting
    and the writes in the main thread; called in the main thread (a sweep's probe, a run), the
    kernel is all the process does.
    """
    if threading.current_thread() is threading.main_thread():
        return time.process_time()
    return time.process_time() - _main_thread_cpu()


def timed(module: Any, name: str, key: str, clock: Any = time.thread_time) -> None:
    """Wrap module.name so that its CPU time by ``clock`` adds to T[key] (outermost call only)."""
    fn = getattr(module, name)
    depth = {"n": 0}

    def wrapper(*a: Any, **k: Any) -> Any:
        if depth["n"]:
            return fn(*a, **k)
        depth["n"] += 1
        t = clock()
        try:
            return fn(*a, **k)
        finally:
            T[key] = T.get(key, 0.0) + clock() - t
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
    ap.add_argument("--serial", action="store_true",
                    help="also run each sweep with its chunks one after the other in this thread (the kernel not "
                         "ahead of the accounting: gpdc before 2026-12-04), interleaved, and compare")
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

    # the kernel runs in a thread of its own while the main thread accounts and writes the chunk before:
    # the kernel's CPU is the process's less the main thread's; the other stages, their own thread's CPU
    timed(pipeline, "run_totals", "kernel", _kernel_clock)
    derive.run_totals = pipeline.run_totals  # derive imported the name
    timed(costs, "lifetime_finance", "finance")
    timed(execute, "account", "account")
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
        serial: dict[int, tuple[float, float]] = {}  # designs -> least CPU s, least wall s of the serial runs
        least_wall: dict[int, float] = {}  # designs -> least wall s of the (pipelined) sweeps
        first_peak: dict[int, float] = {}  # designs -> maxrss MB after the first sweep of that size

        def serial_chunks(plan: Any, todo: list[int]) -> Any:
            for i in todo:
                yield execute.chunk_result_task(plan, i)

        def serial_run(plan: Any, n: int) -> None:  # the same sweep, each chunk's kernel, accounting, write in turn
            pipelined = runner._local_cpu
            runner._local_cpu = serial_chunks
            try:
                t0, w0 = time.process_time(), time.perf_counter()
                run_sweep(plan, Path(tmp) / f"s{n}.h5", quiet=True)
                cpu_s, wall_s = time.process_time() - t0, time.perf_counter() - w0
            finally:
                runner._local_cpu = pipelined
            least = serial.get(plan.size, (cpu_s, wall_s))
            serial[plan.size] = (min(least[0], cpu_s), min(least[1], wall_s))
            T.clear()
            Path(tmp, f"s{n}.h5").unlink()

        for n in [int(x) for x in args.designs.split(",")]:
            plan = plan_sweep(base, combine(read_sweep_table(SCENARIO), runner.to_spec(axes_for(n))), chunk)
            from gpdc.sweeps.execute import group_inputs
            best: tuple[float, float, dict[str, float]] | None = None
            t_k = float("inf")
            for r in range(args.repeat):  # interleaved: the sweep, then the kernel alone, on a noisy machine
                if args.serial and r % 2:  # the serial sweep before the others every second repeat
                    serial_run(plan, n)
                T.clear()
                t0 = time.process_time()
                w0 = time.perf_counter()
                run_sweep(plan, Path(tmp) / f"s{n}.h5", quiet=True)
                total = time.process_time() - t0
                wall = time.perf_counter() - w0
                if best is None or total < best[0]:
                    best = (total, wall, dict(T))
                least_wall[plan.size] = min(least_wall.get(plan.size, wall), wall)
                if r == 0:  # the process's peak so far: the sweeps up to this one, none repeated yet
                    first_peak[plan.size] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
                # the kernel alone on the same designs: each chunk dispatched again in this thread (the
                # sweep's own first half, gpdc.accounting.derive.dispatch), its kernel call timed as above
                prepared = group_inputs(plan, 0)
                T.clear()
                for c in plan.chunks:
                    derive.dispatch(prepared, pipeline.Design(prepared.resolved,
                                                              plan.columns(c) if plan.column_dims else None))
                t_k = min(t_k, T.get("kernel", 0.0))
                T.clear()
                Path(tmp, f"s{n}.h5").unlink()
                if args.serial and not r % 2:
                    serial_run(plan, n)
            total, wall, stages = best  # type: ignore[misc]
            hours = prepared.inputs.cf_wind.shape[-1]
            kernel = stages.get("kernel", 0.0)
            finance = stages.get("finance", 0.0)
            accounting = stages.get("account", 0.0) - finance
            hdf5 = stages.get("hdf5", 0.0)
            rest = total - kernel - stages.get("account", 0.0) - hdf5
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
    print(f"peak memory (maxrss of the process, all sweeps and repeats): {maxrss:.0f} MB; after the first sweep "
          "of each size: " + ", ".join(f"{n:,}: {mb:.0f} MB" for n, mb in first_peak.items()))
    if serial:
        print("\nleast wall and CPU time of the repeats, and of the same sweeps with the chunks in turn in one "
              "thread (--serial):")
        print("| designs | wall s | serial wall s | wall / serial | CPU s | serial CPU s |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        for n, total, *_ in rows:
            cpu_s, wall_s = serial[n]
            wall = least_wall[n]
            print(f"| {n:,} | {wall:.2f} | {wall_s:.2f} | {wall / wall_s:.2f} | {total:.2f} | {cpu_s:.2f} |")


if __name__ == "__main__":
    main()
