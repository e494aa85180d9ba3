"""GPU benchmark (issue 20): the CUDA kernel against the CPU kernel, and a sweep end to end on the GPU.

    python benchmarks/gpu.py                               # 10^4 designs x 8760 h, then 10^6 scenario-years
    python benchmarks/gpu.py --designs 100000 --sweep 0    # the kernel only
    NUMBA_ENABLE_CUDASIM=1 python benchmarks/gpu.py --designs 4 --hours 96 --sweep 8   # the code path, simulated

Where no GPU can run the backend it prints "no GPU" with the reason and exits 0.  Otherwise:

1. the machine: CPU model, GPU model, numba and numba-cuda versions;
2. the kernel on random designs with every feature the kernel has (grid charging, both export
   rules, peak shaving, the lookahead with perfect and persistence forecasts): the CPU kernel
   (all of numba's threads) and the CUDA kernel on the same designs, the largest relative
   difference over every total (must be <= 1e-12; below 1 MWh / yuan / kg absolute), the
   first launch (compile or cache load), and per launch the wall seconds of the copies to the
   GPU, the kernel and the copies back, with ns per scenario-hour;
3. a sweep of ``--sweep`` scenario-years of scenarios/inner_mongolia_datacentre.toml into HDF5
   with ``backend="cuda"``: wall seconds, and the time in the kernel (with its copies),
   finance, the rest of the accounting and writing (summed over the two threads of the GPU
   runner, which overlap a chunk's kernel with the previous chunk's accounting).

Goals of the issue: the kernel under 1 s and the whole sweep of 10^6 scenario-years under 10 s
on one data-centre GPU.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from machine import cpu_model  # benchmarks/machine.py
from run import make_case  # benchmarks/run.py
from sweep_stages import axes_for  # benchmarks/sweep_stages.py

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SCENARIO = ROOT / "scenarios" / "inner_mongolia_datacentre.toml"
#: relative agreement required of every total (absolute below 1 MWh / yuan / kg)
TOL = 1e-12


def wall_timed(module: Any, name: str, key: str, acc: dict[str, float]) -> None:
    """Wrap module.name so that its wall seconds add to acc[key] (outermost call per thread)."""
    import threading

    fn = getattr(module, name)
    local = threading.local()

    def wrapper(*a: Any, **k: Any) -> Any:
        if getattr(local, "depth", 0):
            return fn(*a, **k)
        local.depth = 1
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            acc[key] = acc.get(key, 0.0) + time.perf_counter() - t
            local.depth = 0

    setattr(module, name, wrapper)


def kernel_case(n: int, hours: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Random designs with every kernel feature: benchmarks/run.py's case plus peak shaving and the lookahead."""
    from gpdc.kernels import layout as L

    prof, p = make_case(hours, n, seed=20, grid_charging=True)
    rng = np.random.default_rng(21)
    p[L.P_IMPORT_TARGET_MW] = np.where(rng.random(n) < 0.2, 90.0, 0.0)
    la = rng.random(n) < 0.25
    p[L.P_LOOKAHEAD] = la.astype(float)
    p[L.P_LOOKAHEAD_H] = rng.choice([24.0, 48.0], n)
    p[L.P_LOOKAHEAD_FORECAST] = (rng.random(n) < 0.5).astype(float)
    return prof, np.ascontiguousarray(p)


def compare(cpu: np.ndarray, gpu: np.ndarray) -> float:
    """The largest difference over every total, relative (absolute below 1)."""
    both_nan = np.isnan(cpu) & np.isnan(gpu)
    scale = np.maximum(np.maximum(np.abs(cpu), np.abs(gpu)), 1.0)
    rel = np.where(both_nan | (cpu == gpu), 0.0, np.abs(gpu - cpu) / scale)
    return float(np.nan_to_num(rel, nan=np.inf).max())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--designs", type=int, default=10_000, help="designs of the kernel comparison")
    ap.add_argument("--hours", type=int, default=8760, help="hours of the kernel comparison")
    ap.add_argument("--sweep", type=int, default=1_000_000, help="scenario-years of the end-to-end sweep (0: none)")
    ap.add_argument("--chunk-size", type=int, default=None, help="designs per chunk of the sweep")
    args = ap.parse_args()

    import numba

    from gpdc.kernels import cuda
    from gpdc.kernels import layout as L
    from gpdc.kernels.cpu import dispatch_batch_nb

    print(f"CPU: {cpu_model()}, numba {numba.__version__} ({numba.config.NUMBA_NUM_THREADS} threads)")
    reason = cuda.unavailable_reason()
    if reason is not None:
        print(f"no GPU: {reason}")
        print("skipped: the CUDA kernel needs a CUDA GPU (tests/test_cuda_backend.py checks it in numba's simulator)")
        return 0
    try:
        from importlib.metadata import version

        nc = f", numba-cuda {version('numba-cuda')}"
    except Exception:  # noqa: BLE001 - the built-in CUDA target
        nc = ""
    print(f"GPU: {cuda.device_name()}{nc}")
    if cuda.simulated():
        print("(numba's CUDA simulator: the figures below time Python, not a GPU)")

    # 2. the kernel
    n, hours = args.designs, args.hours
    prof, p = kernel_case(n, hours)
    cpu = np.zeros((n, L.N_TOTALS))
    dispatch_batch_nb(*prof, 1.0, p[:, :64].copy(), np.zeros((64, L.N_TOTALS)))  # compile / cache load
    t = time.perf_counter()
    dispatch_batch_nb(*prof, 1.0, p, cpu)
    cpu_s = time.perf_counter() - t
    t = time.perf_counter()
    cuda.batch_totals(*prof, 1.0, p[:, :64].copy())  # every variant compiled or loaded from the cache
    first_s = time.perf_counter() - t
    timings: dict[str, float] = {}
    t = time.perf_counter()
    gpu = cuda.batch_totals(*prof, 1.0, p, timings=timings)
    gpu_s = time.perf_counter() - t
    worst = compare(cpu, gpu)
    sh = n * hours
    print(f"\n1. kernel: {n:,} random designs x {hours} h (grid charging, export rules, peak shaving, lookahead)")
    print(f"   CPU kernel, {numba.config.NUMBA_NUM_THREADS} threads      {cpu_s:9.3f} s wall  "
          f"{cpu_s / sh * 1e9:8.3f} ns/scenario-hour")
    print(f"   GPU first launch (compile/load) {first_s:9.3f} s")
    print(f"   GPU copies to the GPU           {timings.get('to_gpu_s', 0.0):9.3f} s")
    print(f"   GPU kernel                      {timings.get('kernel_s', 0.0):9.3f} s wall  "
          f"{timings.get('kernel_s', 0.0) / sh * 1e9:8.3f} ns/scenario-hour")
    print(f"   GPU copies back                 {timings.get('to_host_s', 0.0):9.3f} s")
    print(f"   GPU whole call                  {gpu_s:9.3f} s wall  = {cpu_s / gpu_s:.1f}x the CPU kernel")
    ok = worst <= TOL
    print(f"   largest difference over every total: {worst:.2e} ({'PASS' if ok else 'FAIL'}: <= {TOL:g})")

    # 3. a sweep end to end
    if args.sweep > 0:
        from gpdc.scenario.load import load_scenario
        from gpdc.sweeps import runner
        from gpdc.sweeps.runner import plan_sweep, run_sweep
        from gpdc.sweeps.spec import combine, read_sweep_table

        pipeline = importlib.import_module("gpdc.pipeline")
        derive = importlib.import_module("gpdc.accounting.derive")
        costs = importlib.import_module("gpdc.accounting.costs")
        execute = importlib.import_module("gpdc.sweeps.execute")
        sweep_store = importlib.import_module("gpdc.io.sweep_store")
        acc: dict[str, float] = {}
        gpu_t: dict[str, float] = {}
        real = cuda.batch_totals
        cuda.batch_totals = lambda *a, **k: real(*a, **{**k, "timings": gpu_t})  # type: ignore[assignment]
        wall_timed(pipeline, "run_totals", "kernel", acc)
        derive.run_totals = pipeline.run_totals  # derive imported the name
        wall_timed(costs, "lifetime_finance", "finance", acc)
        wall_timed(execute, "evaluate_columns", "evaluate", acc)  # the GPU runner: run_chunk, kernel inside
        wall_timed(sweep_store.Store, "write", "hdf5", acc)
        wall_timed(sweep_store, "create", "hdf5", acc)
        base = load_scenario(SCENARIO)
        chunk = args.chunk_size or runner.DEFAULT_CHUNK
        with tempfile.TemporaryDirectory() as tmp:
            warm = plan_sweep(base, combine(read_sweep_table(SCENARIO), runner.to_spec(axes_for(8))), chunk)
            run_sweep(warm, Path(tmp) / "warm.h5", quiet=True, backend="cuda")  # profiles, JIT of the accounting
            plan = plan_sweep(base, combine(read_sweep_table(SCENARIO), runner.to_spec(axes_for(args.sweep))), chunk)
            acc.clear()
            gpu_t.clear()
            t = time.perf_counter()
            c = time.process_time()
            report = run_sweep(plan, Path(tmp) / "sweep.h5", quiet=True, backend="cuda")
            wall = time.perf_counter() - t
            cpu_time = time.process_time() - c
        kernel = acc.get("kernel", 0.0)
        finance = acc.get("finance", 0.0)
        accounting = acc.get("evaluate", 0.0) - kernel - finance
        print(f"\n2. sweep end to end: {plan.size:,} scenario-years into HDF5, backend {report.backend}, "
              f"chunks of {chunk:,}")
        print(f"   wall {wall:.2f} s, CPU {cpu_time:.2f} s, {plan.size / wall:,.0f} scenario-years/s")
        print("   time per stage, summed over the two threads of the GPU runner (they overlap):")
        for name, sec in (("kernel calls (copies, kernel, copies back)", kernel),
                          ("  of which copies to the GPU", gpu_t.get("to_gpu_s", 0.0)),
                          ("  of which GPU kernel", gpu_t.get("kernel_s", 0.0)),
                          ("  of which copies back", gpu_t.get("to_host_s", 0.0)),
                          ("finance", finance), ("rest of the accounting", accounting),
                          ("HDF5 writing (main thread)", acc.get("hdf5", 0.0))):
            print(f"   {name:44s} {sec:9.2f} s  {sec / wall:6.0%} of the wall time")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
