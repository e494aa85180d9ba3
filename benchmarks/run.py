"""Dispatch-kernel benchmark: parity check first, then ns per scenario-hour and ratios.

    python benchmarks/run.py                       # 8760 h; one scenario, then batches of 1,000 to 100,000
    python benchmarks/run.py --scenarios 1,100000 --repeat 5
    python benchmarks/run.py --baseline b9b6855       # today's batch kernel against a commit's, interleaved
    python benchmarks/run.py --tuned-only --repeat 5  # gpdc's batch kernel against benchmarks/tuned_reference.py

Everything comes from one run on one machine: the numba kernels (one scenario; a batch on
1 thread and on all threads), the independent pure-Python loop and the pure-NumPy reference
(gpdc.reference), and PySAM where installed.  JIT compile time is reported apart from run
time (the on-disk cache is off here unless --cache, so the compile is real).
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

if __name__ == "__main__" and "--cache" not in sys.argv:
    # before gpdc.kernels is imported; only when run as a script: a module that imports this one
    # (sweep.py, kernel_asm.py, the tests) keeps its cache, and so do the processes it starts
    os.environ["GPDC_NUMBA_CACHE"] = "0"

import numba
import numpy as np

from gpdc.kernels import layout as L
from gpdc.kernels import spec
from gpdc.kernels.cpu import BLOCK, dispatch_batch_nb, dispatch_nb
from gpdc.reference.dispatch_py import dispatch_numpy, dispatch_python


def make_case(
    n_hours: int, n_scen: int, seed: int = 1, grid_charging: bool = True
) -> tuple[list[np.ndarray], np.ndarray]:
    """Shared profiles with a daily solar shape; every kernel feature in use (grid charging optional)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_hours)
    cfw = np.clip(rng.weibull(2.0, n_hours) * 0.35, 0.0, 1.0)
    cfs = np.clip(np.sin((t % 24 - 6) / 12 * np.pi), 0.0, None) * rng.uniform(0.4, 1.0, n_hours)
    load = 80.0 + 20.0 * rng.random(n_hours)
    price = np.where((t % 24 >= 11) & (t % 24 < 16), 150.0, 450.0)
    price_x = np.full(n_hours, 280.0)
    p = np.zeros((L.N_PARAMS, n_scen))
    p[L.P_WIND_MW] = rng.uniform(50, 300, n_scen)
    p[L.P_SOLAR_MW] = rng.uniform(50, 300, n_scen)
    p[L.P_LINE_MW] = rng.uniform(150, 400, n_scen)
    p[L.P_LINE_LOSS_FRAC] = 0.02
    p[L.P_CHARGE_MW] = p[L.P_DISCHARGE_MW] = rng.uniform(0, 80, n_scen)
    p[L.P_USABLE_MWH] = p[L.P_CHARGE_MW] * 4 * 0.9
    p[L.P_ETA_CHARGE] = p[L.P_ETA_DISCHARGE] = 0.95
    p[L.P_EXPORT_MW] = 60.0
    p[L.P_EXPORT_CAP_FRAC] = 0.2
    p[L.P_EXPORT_RULE] = rng.integers(0, 2, n_scen)
    p[L.P_IMPORT_MW] = 110.0
    p[L.P_GRID_CHARGE] = rng.integers(0, 2, n_scen) if grid_charging else 0.0
    p[L.P_GRID_CHARGE_PRICE] = 200.0
    factor = np.zeros(n_hours)  # no hourly emission factor
    month = np.minimum(t * 12 // n_hours, 11).astype(np.int64)
    prof = [cfw, cfs, load, price, price_x, factor, month]
    if hasattr(L, "N_HOURLY"):  # the flexible elements' hourly inputs: none
        prof.append(np.zeros((n_hours, L.N_HOURLY)))
    return prof, np.ascontiguousarray(p)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``repeat`` calls [s]."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def check(n_hours: int) -> None:
    """Numba kernels against the pure-Python and NumPy references; exit non-zero on mismatch."""
    prof, p = make_case(n_hours, 2 * BLOCK + 5, seed=7)
    batch = np.zeros((p.shape[1], L.N_TOTALS))
    dispatch_batch_nb(*prof, 1.0, p, batch)
    ref_np = dispatch_numpy(*prof[:5], p, 1.0, factor=prof[5], month_index=prof[6])
    worst = 0.0
    for s in range(p.shape[1]):
        alone = np.zeros((1, L.N_TOTALS))
        dispatch_batch_nb(*prof, 1.0, np.ascontiguousarray(p[:, s:s + 1]), alone)
        if not np.array_equal(alone[0], batch[s]):
            sys.exit(f"CHECK FAILED: scenario {s} alone differs from its row in the batch")
        single = np.zeros(L.N_TOTALS)
        dispatch_nb(*prof, 1.0, np.ascontiguousarray(p[:, s]), single)
        worst = max(worst, float(np.max(np.abs(batch[s] - single) / (np.abs(single) + 1.0))))
        scale = np.abs(ref_np[s]) + 1.0
        worst = max(worst, float(np.max(np.abs(batch[s] - ref_np[s]) / scale)))
        if s < 5:
            ref_py, _ = dispatch_python(*prof[:5], {n: float(p[k, s]) for k, n in enumerate(L.PARAM_NAMES)}, 1.0,
                                        factor=prof[5], month_index=prof[6], hourly=prof[7])
            ref = np.array([ref_py[n] for n in spec.TOTAL_COLUMNS])
            worst = max(worst, float(np.max(np.abs(batch[s] - ref) / (np.abs(ref) + 1.0))))
    if worst > 1e-9:
        sys.exit(f"CHECK FAILED: batch vs single kernel / references relative difference {worst:.2e} > 1e-9")
    print(f"check: {p.shape[1]} scenarios x {n_hours} h — each scenario alone == its batch row bit for bit; "
          f"max relative difference to the single kernel and the references {worst:.1e}  OK")


def baseline_kernels(ref: str) -> tuple[ModuleType, ModuleType]:
    """The batch kernel and layout of ``gpdc/kernels`` at git commit ``ref``, imported as a package of their own."""
    root = Path(__file__).resolve().parents[1]
    names = subprocess.run(["git", "-C", str(root), "ls-tree", "--name-only", ref, "gpdc/kernels/"],
                           capture_output=True, text=True, check=True).stdout.split()
    pkg = Path(tempfile.mkdtemp()) / "gpdc_baseline_kernels"
    pkg.mkdir()
    for name in names:
        if name.endswith(".py"):
            text = subprocess.run(["git", "-C", str(root), "show", f"{ref}:{name}"], capture_output=True, text=True,
                                  check=True).stdout
            (pkg / Path(name).name).write_text(text.replace("gpdc.kernels", "gpdc_baseline_kernels"), encoding="utf-8")
    sys.path.insert(0, str(pkg.parent))
    return importlib.import_module("gpdc_baseline_kernels.cpu"), importlib.import_module("gpdc_baseline_kernels.layout")


def compare_baseline(ref: str, n_hours: int, n_scen: int, repeat: int) -> None:
    """Today's batch kernel against ``ref``'s on the same designs (no flexible element), interleaved, CPU time.

    Each repeat runs the baseline, then today's kernel, for both strategies; the best CPU time
    (``time.process_time``: all threads of the process) of each is reported in ns per
    scenario-hour, on one thread and on all.  Both kernels are compiled first (not timed).
    """
    old_cpu, old_l = baseline_kernels(ref)
    n_threads = numba.get_num_threads()
    print(f"\nbaseline {ref}: batch kernel of that commit against today's, {n_scen:,} designs x {n_hours} h, "
          f"best of {repeat} interleaved repeats, process CPU time")
    print(f"{'strategy':24s} {'threads':>7s} {'baseline ns':>12s} {'today ns':>10s} {'today/base':>11s}")
    for label, gc in (("green-first", False), ("grid charging", True)):
        prof, p = make_case(n_hours, n_scen, grid_charging=gc)
        p_old = np.zeros((old_l.N_PARAMS, n_scen))
        for k, name in enumerate(old_l.PARAM_NAMES):
            p_old[k] = p[L.PARAM_NAMES.index(name)]
        old_prof = prof[:7] + ([prof[7]] if hasattr(old_l, "N_HOURLY") else [])
        out_old = np.zeros((n_scen, old_l.N_TOTALS))
        out_new = np.zeros((n_scen, L.N_TOTALS))
        run_old = lambda: old_cpu.dispatch_batch_nb(*old_prof, 1.0, p_old, out_old)  # noqa: E731
        run_new = lambda: dispatch_batch_nb(*prof, 1.0, p, out_new)  # noqa: E731
        for threads in sorted({1, n_threads}):
            numba.set_num_threads(threads)
            run_old()
            run_new()
            best = {"old": float("inf"), "new": float("inf")}
            for _ in range(repeat):
                for key, fn in (("old", run_old), ("new", run_new)):
                    c0 = time.process_time()
                    fn()
                    best[key] = min(best[key], time.process_time() - c0)
            ns = {k: v / (n_hours * n_scen) * 1e9 for k, v in best.items()}
            print(f"{label:24s} {threads:>7d} {ns['old']:>12.3f} {ns['new']:>10.3f} {ns['new'] / ns['old']:>10.3f}x")
        cols = [old_l.TOTAL_NAMES.index(c) for c in old_l.TOTAL_NAMES]
        same = np.array_equal(out_old[:, cols], out_new[:, [L.TOTAL_NAMES.index(c) for c in old_l.TOTAL_NAMES]])
        print(f"{'':24s} totals of the baseline's columns identical: {same}")
    numba.set_num_threads(n_threads)


def compare_tuned(n_hours: int, n_scen: int, repeat: int) -> None:
    """gpdc's batch kernel against the tuned reference of the same scope (benchmarks/tuned_reference.py).

    The same make_case designs (no flexible element, no lookahead), green-first and with grid
    charging; each repeat runs gpdc's kernel, then the tuned one (interleaved, so both see the same
    machine); best process CPU time of ``repeat`` (``time.process_time``: all threads of the
    process), on one thread and on all, in ns per scenario-hour, and the ratio gpdc / tuned (the
    goal of issue 19: at most 1.0).  Both are compiled first (the tuned kernel's compile time is
    printed); then the two kernels' agreement on every total the tuned one computes.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import tuned_reference as tuned

    cols = [L.TOTAL_NAMES.index(c) for c in tuned.COMPUTED_COLUMNS]
    n_threads = numba.get_num_threads()
    print(f"\ntuned reference: gpdc's batch kernel against benchmarks/tuned_reference.py, {n_scen:,} designs x "
          f"{n_hours} h, best of {repeat} interleaved repeats, process CPU time, vector mode {_vector_mode()}")
    print(f"{'strategy':24s} {'threads':>7s} {'gpdc ns':>10s} {'tuned ns':>10s} {'gpdc/tuned':>11s}")
    for label, gc in (("green-first", False), ("grid charging", True)):
        prof, p = make_case(n_hours, n_scen, grid_charging=gc)
        out_g = np.zeros((n_scen, L.N_TOTALS))
        out_t = np.zeros((n_scen, L.N_TOTALS))
        run_g = lambda prof=prof, p=p, out=out_g: dispatch_batch_nb(*prof, 1.0, p, out)  # noqa: E731
        run_t = lambda prof=prof, p=p, out=out_t: tuned.dispatch_tuned(*prof, 1.0, p, out)  # noqa: E731
        c0 = time.perf_counter()
        _, p_all = make_case(48, 4 * BLOCK, grid_charging=gc)  # every block kind of the case compiled
        tuned.dispatch_tuned(*[x[:48] for x in prof], 1.0, p_all, np.zeros((p_all.shape[1], L.N_TOTALS)))
        print(f"{'':24s} tuned kernel's JIT compile (its block kinds here): {time.perf_counter() - c0:.1f} s")
        for threads in sorted({1, n_threads}):
            numba.set_num_threads(threads)
            run_g()
            run_t()
            best = {"g": float("inf"), "t": float("inf")}
            for _ in range(repeat):
                for key, fn in (("g", run_g), ("t", run_t)):
                    c0 = time.process_time()
                    fn()
                    best[key] = min(best[key], time.process_time() - c0)
            ns = {k: v / (n_hours * n_scen) * 1e9 for k, v in best.items()}
            print(f"{label:24s} {threads:>7d} {ns['g']:>10.3f} {ns['t']:>10.3f} {ns['g'] / ns['t']:>10.3f}x")
        a = out_g[:, cols]
        b = out_t[:, cols]
        worst = float(np.max(np.abs(a - b) / (np.abs(a) + 1.0)))
        print(f"{'':24s} agreement on its {len(cols)} totals: max |gpdc - tuned| / (|gpdc| + 1) = {worst:.1e}, "
              f"bit-identical {np.mean(a == b) * 100:.2f} % of values  {'OK' if worst <= 1e-9 else 'MISMATCH'}")
    numba.set_num_threads(n_threads)


def _vector_mode() -> str:
    """The kernels' vector width setting (gpdc.kernels.target, GPDC_AVX512), where this gpdc has it."""
    try:
        from gpdc.kernels import target
    except ImportError:  # pragma: no cover - older trees
        return "default"
    return target.MODE


def main() -> None:
    """Run the benchmark and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hours", type=int, default=8760)
    ap.add_argument("--scenarios", default="1000,10000,100000", help="comma-separated batch sizes (> 1)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--python-hours", type=int, default=8760, help="hours for the pure-Python loop")
    ap.add_argument("--numpy-max-scenarios", type=int, default=10000, help="largest batch for the NumPy reference")
    ap.add_argument("--cache", action="store_true", help="use numba's on-disk cache (compile time then = load time)")
    ap.add_argument("--baseline", help="git commit: time its batch kernel against today's (interleaved, CPU time) "
                    "and stop")
    ap.add_argument("--baseline-scenarios", type=int, default=20000, help="designs for --baseline")
    ap.add_argument("--tuned-only", action="store_true", help="only time gpdc's batch kernel against the tuned "
                    "reference (benchmarks/tuned_reference.py), interleaved, CPU time, and stop")
    ap.add_argument("--tuned-scenarios", type=int, default=20000, help="designs for the tuned-reference comparison")
    args = ap.parse_args()
    if args.baseline:
        compare_baseline(args.baseline, args.hours, args.baseline_scenarios, args.repeat)
        return
    if args.tuned_only:
        compare_tuned(args.hours, args.tuned_scenarios, args.repeat)
        return
    sizes = [int(s) for s in args.scenarios.split(",") if int(s) > 1]  # one scenario: dispatch_nb above
    H = args.hours

    print(f"gpdc dispatch benchmark — {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, numba {numba.__version__}, numpy {np.__version__}")
    prof, p1 = make_case(H, 1)
    out1 = np.zeros(L.N_TOTALS)
    t0 = time.perf_counter()
    dispatch_nb(*prof, 1.0, np.ascontiguousarray(p1[:, 0]), out1)
    t_compile_single = time.perf_counter() - t0
    t0 = time.perf_counter()
    dispatch_batch_nb(*prof, 1.0, p1, np.zeros((1, L.N_TOTALS)))
    t_compile_batch = time.perf_counter() - t0
    what = "cache load" if args.cache else "JIT compile"
    print(f"{what}: single-scenario kernel {t_compile_single:.2f} s, batch kernel {t_compile_batch:.2f} s "
          f"(threading layer {numba.threading_layer()}, {numba.get_num_threads()} threads)")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from kernel_asm import summary

    print(f"vector width: {_vector_mode()}; {summary(BLOCK)}")
    check(min(H, 2000))

    rows: list[tuple[str, int, float]] = []  # (implementation, scenarios, ns per scenario-hour)
    hp = min(args.python_hours, H)
    prof_py = [x[:hp] for x in prof]
    par = {n: float(p1[k, 0]) for k, n in enumerate(L.PARAM_NAMES)}
    t = best_of(lambda: dispatch_python(*prof_py[:5], par, 1.0, factor=prof_py[5], month_index=prof_py[6]), 1)
    ns_python = t / hp * 1e9
    rows.append(("pure-Python loop (reference)", 1, ns_python))
    t = best_of(lambda: dispatch_nb(*prof, 1.0, np.ascontiguousarray(p1[:, 0]), out1), args.repeat)
    rows.append(("numba, one scenario", 1, t / H * 1e9))

    ns_numpy: dict[int, float] = {}
    n_threads = numba.get_num_threads()
    for n in sizes:
        _, p = make_case(H, n)
        out = np.zeros((n, L.N_TOTALS))
        if n <= args.numpy_max_scenarios and n > 1:
            t = best_of(lambda p=p: dispatch_numpy(*prof[:5], p, 1.0, factor=prof[5], month_index=prof[6]), 1)
            ns_numpy[n] = t / (H * n) * 1e9
            rows.append(("pure-NumPy reference", n, ns_numpy[n]))
        for label, gc in (("grid charging", True), ("green-only", False)):
            _, p = make_case(H, n, grid_charging=gc)
            numba.set_num_threads(1)
            t = best_of(lambda p=p, out=out: dispatch_batch_nb(*prof, 1.0, p, out), args.repeat)
            rows.append((f"numba batch, {label}, 1 thread", n, t / (H * n) * 1e9))
            numba.set_num_threads(n_threads)
            if n_threads > 1:
                t = best_of(lambda p=p, out=out: dispatch_batch_nb(*prof, 1.0, p, out), args.repeat)
                rows.append((f"numba batch, {label}, {n_threads} thr", n, t / (H * n) * 1e9))

    try:
        import PySAM  # noqa: F401

        print("PySAM is installed: benchmarks/sweep.py times its PV + battery year against gpdc (section 3)")
    except ImportError:
        print("PySAM: not installed (pip install nrel-pysam) — no PySAM column")

    print()
    print(f"{'implementation':38s} {'scenarios':>10s} {'ns/scen-hour':>13s} {'s/scen-year':>12s} "
          f"{'vs Python':>10s} {'vs NumPy':>9s}")
    for name, n, ns in rows:
        vs_np = ns_numpy.get(n)
        print(f"{name:38s} {n:>10,d} {ns:>13.2f} {ns * 8760e-9:>12.2e} {ns_python / ns:>9.0f}x "
              f"{(f'{vs_np / ns:.1f}x' if vs_np else '-'):>9s}")
    print("\nvs Python / vs NumPy: how many times faster than the pure-Python loop and than the "
          "NumPy reference at the same batch size (higher is better).")


if __name__ == "__main__":
    main()
