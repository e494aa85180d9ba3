"""Sweep benchmark: the batch kernel per scenario-hour, and whole sweeps through `gpdc sweep` into HDF5.

    python benchmarks/sweep.py                       # 10^4, 10^5, 10^6 scenario-years
    python benchmarks/sweep.py --sizes 10000,100000  # quicker
    python benchmarks/sweep.py --scaling             # and 5.: designs x weather years, time and memory

Everything from one run on one machine:

1. the batch kernel, ns per scenario-hour, on 1 thread and on all threads — the default
   green-first strategy with every feature of the foundation (two pools, line loss, export
   rule, import cap, cost sums), 8760 h of profiles shared by the chunk;
2. end to end through the sweep runner (the code behind `gpdc sweep`: checking, planning,
   profiles, kernel, metrics, HDF5 writes with the ledger), each size in a fresh process so
   that its peak memory (max RSS) is its own; scenario-years per second;
3. ratios to the pure-Python loop, to the vectorised NumPy reference and, where nrel-pysam is
   installed, to one PySAM PV + battery year (Pvwattsv8 + Battery, default configuration);
4. the sweep split into stages — kernel, finance, accounting, HDF5, the rest — in CPU seconds,
   with the kernel alone on the same designs (benchmarks/sweep_stages.py, in a child process);
5. with --scaling: whole sweeps of 10^3 ... 10^6 designs and 1, 3 and 10 synthetic weather years
   (up to 10^6 scenario-years), CPU and wall time and peak memory, each in a fresh process.

Compilation is reported apart: the kernels load from numba's on-disk cache after the first run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from gpdc.kernels import layout as L  # noqa: E402
from gpdc.kernels.cpu import dispatch_batch_nb  # noqa: E402
from gpdc.reference.dispatch_py import dispatch_numpy, dispatch_python  # noqa: E402
from run import best_of, make_case  # noqa: E402, I001

SCENARIO = ROOT / "scenarios" / "inner_mongolia_datacentre.toml"

# one end-to-end sweep in a child process: prints a JSON line
_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from gpdc.scenario.load import load_scenario, scenario_from_dict, set_dotted
from gpdc.sweeps import plan_sweep, run_sweep
n, years = int(sys.argv[2]), int(sys.argv[5])
base = load_scenario(sys.argv[1])
if years > 1:  # synthetic weather years: the sweep's weather_year dimension
    data = base.model_dump(mode="python")
    set_dotted(data, "profiles.ensemble_size", years)
    base = scenario_from_dict(data, source=base.name)
# wind x solar x storage energy x line rating: sizes chosen to give n designs
axes = {"wind.capacity_mw": "50:295:5", "solar.capacity_mw": "0:195:5"}   # 50 x 40 = 2000
extra = max(1, n // 2000)
e = [i * 10 for i in range(extra)]
axes["storage.energy_mwh"] = e if n >= 2000 else e[:1]
if n < 2000:
    axes = {"wind.capacity_mw": [50 + 5 * i for i in range(n // 10)], "solar.capacity_mw": "0:45:5"}
plan = plan_sweep(base, axes, chunk_size=int(sys.argv[4]))
t1, c1 = time.perf_counter(), time.process_time()
rep = run_sweep(plan, sys.argv[3], overwrite=True, quiet=True)
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"n": plan.size, "years": years, "plan_s": t1 - t0, "run_s": t2 - t1, "run_cpu_s": c2 - c1,
                  "chunks": len(plan.chunks),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def sweep_child(n: int, years: int, out: str, chunk_size: int) -> dict | str:
    """One sweep of ``n`` designs x ``years`` weather years in a fresh process: its JSON line, or the error."""
    # as users run it: kernels from numba's on-disk cache
    env = {k: v for k, v in os.environ.items() if k != "GPDC_NUMBA_CACHE"} | {"PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-c", _CHILD, str(SCENARIO), str(n), out, str(chunk_size), str(years)],
                         capture_output=True, text=True, env=env, check=False)
    Path(out).unlink(missing_ok=True)
    if res.returncode != 0:
        return " ".join(res.stderr.strip().splitlines()[-1:])
    return dict(json.loads(res.stdout.strip().splitlines()[-1]))


def scaling(chunk_size: int, designs: list[int], years: list[int], max_scenario_years: int) -> None:
    """Print time and memory of whole sweeps over designs x weather years (each in a fresh process)."""
    print("\n5. scaling: whole sweeps (the runner of `gpdc sweep`) over designs x synthetic weather years, each in "
          "a fresh process")
    print(f"   {'designs':>9s} {'weather years':>13s} {'scenario-years':>14s} {'run CPU s':>9s} {'run wall s':>10s} "
          f"{'CPU us per scenario-year':>24s} {'peak RSS MB':>11s}")
    with tempfile.TemporaryDirectory() as tmp:
        for y in years:
            for n in designs:
                if n * y > max_scenario_years:
                    continue
                r = sweep_child(n, y, f"{tmp}/s.h5", chunk_size)
                if isinstance(r, str):
                    print(f"   {n:>9,d} {y:>13d} failed: {r}")
                    continue
                sy = r["n"]  # the plan's size counts designs x weather years
                print(f"   {sy // r['years']:>9,d} {r['years']:>13d} {sy:>14,d} {r['run_cpu_s']:>9.2f} "
                      f"{r['run_s']:>10.2f} {r['run_cpu_s'] / sy * 1e6:>24.1f} {r['max_rss_mb']:>11,.0f}", flush=True)
    print("   Linear growth: the CPU per scenario-year stays flat as designs and years grow (small sweeps carry the "
          "fixed costs of opening the file and the first chunk).")


def kernel_rows(n: int, repeat: int) -> list[tuple[str, float]]:
    """ns per scenario-hour of the batch kernel: green-only and grid charging, 1 and all threads."""
    rows = []
    threads = numba.config.NUMBA_NUM_THREADS
    for label, gc in (("green-first (default), all features", False), ("with grid charging", True)):
        prof, p = make_case(8760, n, grid_charging=gc)
        out = np.zeros((n, L.N_TOTALS))
        dispatch_batch_nb(*prof, 1.0, p, out)
        for th in sorted({1, threads}):
            numba.set_num_threads(th)
            t = best_of(lambda p=p, out=out: dispatch_batch_nb(*prof, 1.0, p, out), repeat)
            rows.append((f"batch kernel, {label}, {th} thread{'s' if th > 1 else ''}", t / (n * 8760) * 1e9))
    numba.set_num_threads(threads)
    return rows


def pysam_year_seconds() -> float | None:
    """Seconds for one PySAM PV + battery year (Pvwattsv8 on a TMY file pvlib ships + Battery), or None."""
    try:
        import PySAM.Battery as Battery
        import PySAM.Pvwattsv8 as Pvwatts
    except ImportError:
        return None
    try:
        import pvlib

        pv = Pvwatts.default("PVWattsBatteryCommercial")
        pv.SolarResource.solar_resource_file = str(Path(pvlib.__file__).parent / "data" / "723170TYA.CSV")
        batt = Battery.default("CustomGenerationBatteryCommercial")  # behind-the-meter battery on a given profile
        batt.value("system_use_lifetime_output", 0)  # one year, as gpdc
        batt.value("analysis_period", 1)
        batt.value("batt_replacement_option", 0)

        def year() -> None:
            pv.execute()
            batt.value("gen", pv.Outputs.gen)
            batt.execute()

        year()  # warm
        t0 = time.perf_counter()
        for _ in range(3):
            year()
        if not sum(batt.Outputs.system_to_batt) > 0:
            raise RuntimeError("the battery did not charge")
        return (time.perf_counter() - t0) / 3
    except Exception as exc:  # noqa: BLE001 - a benchmark column, not a feature
        print(f"PySAM: installed but the PV + battery run failed ({exc}); no PySAM column")
        return None


def main() -> None:
    """Run and print."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000", help="scenario-years per end-to-end sweep")
    ap.add_argument("--kernel-scenarios", type=int, default=8192)
    ap.add_argument("--chunk-size", type=int, default=65_536)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scaling", action="store_true", help="5.: sweeps over designs x weather years (time, memory)")
    ap.add_argument("--scaling-designs", default="1000,10000,100000,1000000")
    ap.add_argument("--scaling-years", default="1,3,10", help="synthetic weather years (profiles.ensemble_size)")
    ap.add_argument("--scaling-max", type=int, default=1_000_000, help="largest designs x years in the table")
    ap.add_argument("--scaling-only", action="store_true", help="only the scaling table")
    args = ap.parse_args()
    if args.scaling_only:
        scaling(args.chunk_size, [int(x) for x in args.scaling_designs.split(",")],
                [int(x) for x in args.scaling_years.split(",")], args.scaling_max)
        return

    print(f"gpdc sweep benchmark — {platform.machine()} {platform.processor()}, {os.cpu_count()} CPUs, "
          f"numba {numba.__version__} ({numba.config.NUMBA_NUM_THREADS} threads), numpy {np.__version__}")
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                   if ln.startswith("model name"))
        flags = Path("/proc/cpuinfo").read_text()
        simd = "AVX-512" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "SSE")
        print(f"CPU: {cpu}, widest SIMD {simd}")
    except (OSError, StopIteration):
        pass

    t0 = time.perf_counter()
    prof1, p1 = make_case(8760, 2)
    dispatch_batch_nb(*prof1, 1.0, p1, np.zeros((2, L.N_TOTALS)))
    print(f"batch kernel first call (compile or cache load): {time.perf_counter() - t0:.2f} s")
    from gpdc.kernels import target
    from gpdc.kernels.cpu import BLOCK
    from kernel_asm import summary

    regs = summary(BLOCK)
    print(f"vector width: {target.MODE} build (GPDC_AVX512={os.environ.get(target.ENV, 'unset')}); {regs}")

    print("\n1. batch kernel, 8760 h shared profiles, "
          f"{args.kernel_scenarios} scenarios (best of {args.repeat})")
    krows = kernel_rows(args.kernel_scenarios, args.repeat)
    for name, ns in krows:
        print(f"   {name:58s} {ns:6.2f} ns/scenario-hour")

    # references
    prof, p = make_case(8760, 1)
    par = {n: float(p[k, 0]) for k, n in enumerate(L.PARAM_NAMES)}
    t_py = best_of(lambda: dispatch_python(*prof[:5], par, 1.0, factor=prof[5], month_index=prof[6]), 1)
    prof_n, p_n = make_case(8760, 2000)
    t_np = best_of(lambda: dispatch_numpy(*prof_n[:5], p_n, 1.0, factor=prof_n[5], month_index=prof_n[6]), 1) / 2000
    t_sam = pysam_year_seconds()

    print("\n2. end to end through the sweep runner (check, plan, profiles, kernel, metrics, HDF5 + ledger)")
    print(f"   {'scenario-years':>14s} {'chunks':>7s} {'plan s':>7s} {'run s':>7s} {'years/s':>10s} "
          f"{'ns/scen-h':>9s} {'peak RSS MB':>11s}")
    best_rate = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            r = sweep_child(n, 1, f"{tmp}/s.h5", args.chunk_size)
            if isinstance(r, str):
                print(f"   {n:>14,d} failed: {r}")
                continue
            rate = r["n"] / r["run_s"]
            best_rate = max(best_rate, rate)
            print(f"   {r['n']:>14,d} {r['chunks']:>7d} {r['plan_s']:>7.2f} {r['run_s']:>7.2f} {rate:>10,.0f} "
                  f"{r['run_s'] / r['n'] / 8760 * 1e9:>9.2f} {r['max_rss_mb']:>11,.0f}")

    print("\n3. ratios (scenario-years per second; higher is better)")
    rate_py = 1.0 / t_py
    rate_np = 1.0 / t_np
    ns_k = min(ns for name, ns in krows if "default" in name)
    rate_k = 1e9 / (ns_k * 8760)
    print(f"   pure-Python loop      {rate_py:12,.1f} years/s")
    print(f"   NumPy reference       {rate_np:12,.1f} years/s (2000 scenarios vectorised)")
    if t_sam is not None:
        print(f"   PySAM PV + battery    {1 / t_sam:12,.1f} years/s ({t_sam:.3f} s per year)")
    else:
        print("   PySAM                 not installed (pip install nrel-pysam): no PySAM ratio")
    print(f"   gpdc kernel           {rate_k:12,.0f} years/s  = {rate_k / rate_py:,.0f}x Python, "
          f"{rate_k / rate_np:,.0f}x NumPy" + (f", {rate_k * t_sam:,.0f}x PySAM" if t_sam else ""))
    if best_rate:
        print(f"   gpdc sweep end to end {best_rate:12,.0f} years/s  = {best_rate / rate_py:,.0f}x Python, "
              f"{best_rate / rate_np:,.0f}x NumPy" + (f", {best_rate * t_sam:,.0f}x PySAM" if t_sam else ""))

    print("\n4. where a sweep's CPU time goes (benchmarks/sweep_stages.py)", flush=True)
    env = {k: v for k, v in os.environ.items() if k != "GPDC_NUMBA_CACHE"} | {"PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "sweep_stages.py"), "--designs", args.sizes,
                    "--chunk-size", str(args.chunk_size)], env=env, check=False)
    if args.scaling:
        scaling(args.chunk_size, [int(x) for x in args.scaling_designs.split(",")],
                [int(x) for x in args.scaling_years.split(",")], args.scaling_max)


if __name__ == "__main__":
    main()
