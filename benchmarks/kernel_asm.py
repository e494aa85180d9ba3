"""The batch kernel's vector width: instructions per lane-hour from its assembly, and ns per scenario-hour (issue 19).

    python benchmarks/kernel_asm.py                 # both widths: assembly, then timing (about 5 min)
    python benchmarks/kernel_asm.py --no-asm        # timing only (kernels from numba's cache)
    python benchmarks/kernel_asm.py --no-timing     # assembly (and llvm-mca's estimates) only
    python benchmarks/kernel_asm.py --cpu icelake-server   # the assembly another CPU would run (not run here)

Two builds of the same kernel: "wide" (512-bit vectors where the CPU has AVX-512, the default,
gpdc/kernels/target.py) and "narrow" (``GPDC_AVX512=0``: LLVM's own tuning, 256-bit on recent
Intel CPUs).  Each runs in its own interpreter, as the width is fixed before numba compiles.

1. Assembly (a child compiling with the on-disk cache off, since numba shows no assembly of
   cached code): every straight loop over the designs of a block (an innermost loop that counts
   to ``BLOCK``) with its instructions, the lanes one iteration handles (the induction step), and
   so the instructions per lane-hour (one design, one step), its registers, loads and stores
   (``stack``: those on the stack — spilled registers, loop constants without a register) and,
   where LLVM's ``llvm-mca`` is on PATH (Debian/Ubuntu: the ``llvm`` package), its estimate of
   cycles per iteration on the host CPU's scheduling model and the busiest resource: a static
   model, but one that a busy host does not disturb, and on Zen 3 it put gpdc against the tuned
   kernel at 1.08x where timing measured 1.09x (docs/speed-history.md).
   The loops are those of the kernel's parallel drivers that the designs run, one per kind of
   block, three for green-only ones (the general one and one per export-cap rule:
   ``gpdc.kernels.cpu.BATCH_DRIVERS``).  The largest are the step of the variants: green-only
   two steps per pass (so its instructions are per lane and *two* hours: halve them) and one (a
   month's odd last step), with a grid pool in a grid-charging step and in another, each of
   those with the lookahead's floor; small ones copy or close months.  The variant with
   flexible elements branches inside its loop (it is not vectorised) and is not among them.
   Then the same for ``benchmarks/tuned_reference.py``'s drivers of the designs that
   ``run.py --tuned-only`` times (kernel "tuned": green-only and grid-pool blocks of each
   export-cap rule, no hourly emission factor; two hours per pass, one for a month's odd hour;
   a grid-pool driver has a loop for each pattern of grid-charging hours in its pass), compiled
   in the same child.
   With ``--cpu NAME`` (an LLVM CPU name) the child compiles for that CPU instead of this one —
   ``NUMBA_CPU_NAME``, its own features, 512-bit vectors preferred in the wide build where it has
   them — without running anything (its instructions may not exist here; ``fn.compile`` on the
   argument types the callers pass), and llvm-mca reads the loops on that CPU's model: so a session
   on an AMD host can see what the Intel AVX-512 class of issue 19 runs, and the other way round.
2. Timing: process CPU time of the batch kernel on the same designs (``benchmarks/run.py``'s
   ``make_case``, 8760 h, one thread), the widths alternated over ``--rounds`` fresh processes,
   best of each; and whether the two builds' totals are identical.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_ASM_CHILD = r"""
import json, os, re, sys
sys.path.insert(0, sys.argv[1])
import numpy as np
from gpdc.kernels import layout as L, target
from gpdc.kernels.cpu import BLOCK, dispatch_batch_nb
from run import make_case
from kernel_asm import block_loops
prof, p = make_case(48, 70)
out = np.zeros((70, L.N_TOTALS))
dispatch_batch_nb(*prof, 1.0, p, out)  # green-only drivers of both export-cap rules, grid pool
la = p.copy()
la[L.P_LOOKAHEAD], la[L.P_LOOKAHEAD_H] = 1.0, 24.0
dispatch_batch_nb(*prof, 1.0, la, out)  # the lookahead drivers (a batch compiles only the drivers it runs)
prof[5] = np.full(48, 0.5)
dispatch_batch_nb(*prof, 1.0, p, out)  # an hourly emission factor: the general drivers (CO2 sums)
import warnings
from gpdc.kernels.cpu import BATCH_DRIVERS
import tuned_reference as tuned
warnings.simplefilter("ignore")  # numba: "Inspection disabled for cached code"
loops = []
for name, fn in BATCH_DRIVERS.items():
    if fn.signatures:
        asm = "\n".join(str(v) for v in fn.inspect_asm().values())
        loops += [dict(lp, driver=name) for lp in block_loops(asm, BLOCK)]
prof, p = make_case(48, 70)  # the tuned reference's kinds of run.py --tuned-only: green-only, grid pool, both rules
tuned.dispatch_tuned(*prof, 1.0, p, out)
ref = []
for (pool, rule, fac, unroll, lane), fn in tuned._drivers.items():
    asm = "\n".join(str(v) for v in fn.inspect_asm().values())
    label = f"{'grid pool' if pool else 'green-only'}, {('running', 'budget')[rule]} cap{', hourly CO2' if fac else ''}"
    ref += [dict(lp, driver=label) for lp in block_loops(asm, tuned.B)]
import llvmlite.binding as ll
from numba.core import config
print(json.dumps({"mode": target.MODE, "cpu": config.CPU_NAME or ll.get_host_cpu_name(), "loops": loops, "tuned": ref}))
"""

_CROSS_CHILD = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
import numba, numpy as np
from gpdc.kernels import layout as L
from gpdc.kernels.cpu import BATCH_DRIVERS, BLOCK, DRIVER_KINDS, KIND_FLEX
from kernel_asm import block_loops
import tuned_reference as tuned
import warnings
warnings.simplefilter("ignore")  # numba: "Inspection disabled for cached code"
# compiled for another CPU, never run (its instructions may not exist here): arguments of the
# types the callers pass, made without calling any compiled function
n = 4
f = np.zeros(n)
hourly = np.zeros((n, L.N_HOURLY))
month = np.zeros(n, dtype=np.int64)
params = np.zeros((L.N_PARAMS, 2))
out = np.zeros((2, L.N_TOTALS))
ints = np.zeros(2, dtype=np.int64)
args = (f, f, f, f, f, f, month, hourly, 1.0, params, ints, ints, ints, 0.0, 0.0, out)
loops = []
for (name, fn), kind in zip(BATCH_DRIVERS.items(), DRIVER_KINDS):
    if kind == KIND_FLEX:  # (its loop branches: not vectorised, not among the loops shown)
        continue
    fn.compile(tuple(numba.typeof(a) for a in args))
    asm = "\n".join(str(v) for v in fn.inspect_asm().values())
    loops += [dict(lp, driver=name) for lp in block_loops(asm, BLOCK)]
targs = (np.zeros((8, n)), ints, ints, 1.0, params, ints, ints, ints, np.zeros(2), out)
ref = []
for pool in (False, True):  # the kinds of run.py --tuned-only: green-only and grid pool, each rule, no hourly CO2
    for rule in (0, 1):
        fn = tuned.driver(pool, rule, False)
        fn.compile(tuple(numba.typeof(a) for a in targs))
        asm = "\n".join(str(v) for v in fn.inspect_asm().values())
        label = f"{'grid pool' if pool else 'green-only'}, {('running', 'budget')[rule]} cap"
        ref += [dict(lp, driver=label) for lp in block_loops(asm, tuned.B)]
print(json.dumps({"mode": os.environ.get("NUMBA_CPU_FEATURES") or "default", "cpu": os.environ["NUMBA_CPU_NAME"],
                  "loops": loops, "tuned": ref}))
"""

_TIME_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import numba, numpy as np
from gpdc.kernels import layout as L, target
from gpdc.kernels.cpu import dispatch_batch_nb
from run import make_case
numba.set_num_threads(1)
n, repeat, out_path = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
res, outs = {}, []
for label, gc in (("green-first", False), ("grid charging", True)):
    prof, p = make_case(8760, n, grid_charging=gc)
    out = np.zeros((n, L.N_TOTALS))
    dispatch_batch_nb(*prof, 1.0, p, out)
    best = float("inf")
    for _ in range(repeat):
        c0 = time.process_time()
        dispatch_batch_nb(*prof, 1.0, p, out)
        best = min(best, time.process_time() - c0)
    res[label] = best / (8760 * n) * 1e9
    outs.append(out)
np.save(out_path, np.stack(outs))
print(json.dumps({"mode": target.MODE, "ns": res}))
"""


def block_loops(asm: str, block: int) -> list[dict[str, object]]:
    """The innermost loops of ``asm`` (AT&T syntax) that count an induction variable up to ``block``.

    Returns one dict per loop: ``instructions``, ``lanes`` (the induction step: designs per
    iteration), ``per_lane_hour`` (instructions / lanes), ``zmm`` / ``ymm`` (instructions using
    them), ``loads`` and ``stores`` (vector or scalar moves from / to memory, and arithmetic with a
    memory operand counted as a load), ``spills`` (those of them on the stack: spilled registers and
    loop constants that found no register) and ``body`` (the instructions), largest first.
    """
    lines = asm.splitlines()
    labels = {m.group(1): i for i, ln in enumerate(lines) if (m := re.match(r"^\s*([.\w$]+):", ln))}
    loops = set()
    for i, ln in enumerate(lines):
        m = re.match(r"\s*j\w+\s+([.\w$]+)\s*$", ln)
        if m and m.group(1) in labels and labels[m.group(1)] < i:
            loops.add((labels[m.group(1)], i))
    inner = [(a, b) for a, b in loops if not any((c, d) != (a, b) and a <= c and d <= b for c, d in loops)]
    out = []
    for a, b in sorted(inner):
        body = [ln.strip() for ln in lines[a:b + 1]]
        ins = [ln for ln in body if ln and not ln.startswith((".", "#")) and not re.match(r"^[.\w$]+:", ln)]
        tail = " ".join(ins[-4:])
        m_cmp = re.search(rf"cmpq\s+\${block},\s*(%\w+)", tail)
        if not m_cmp:
            continue
        reg = m_cmp.group(1)
        steps = [int(m.group(1)) if m.group(1) else 1 for ln in ins
                 if (m := re.match(rf"(?:addq\s+\$(\d+),|incq)\s*{reg}$", ln))]
        if not steps:
            continue
        lanes = steps[-1]
        mem = re.compile(r"-?\w*\(%\w+(,%\w+,\d)?\)")
        stores = sum(bool(re.match(r"v?mov\w*\s+%[xyz]mm\d+,\s*" + mem.pattern, ln)) for ln in ins)
        loads = sum(bool(mem.search(ln)) for ln in ins) - stores
        out.append({"instructions": len(ins), "lanes": lanes, "per_lane_hour": len(ins) / lanes,
                    "zmm": sum("zmm" in ln for ln in ins), "ymm": sum("ymm" in ln for ln in ins),
                    "loads": loads, "stores": stores, "spills": sum("(%rsp)" in ln for ln in ins), "body": ins})
    return sorted(out, key=lambda d: -int(d["instructions"]))  # type: ignore[call-overload]


def mca_tool() -> str | None:
    """The path of LLVM's machine-code analyser (``llvm-mca``, any version on PATH), or None."""
    import shutil

    for name in ["llvm-mca"] + [f"llvm-mca-{v}" for v in range(20, 9, -1)]:
        path = shutil.which(name)
        if path:
            return path
    return None


def mca(body: list[str], cpu: str, tool: str) -> dict[str, object] | None:
    """LLVM's static throughput estimate of a loop body on ``cpu``'s scheduling model (``llvm-mca -mcpu``).

    Returns ``cycles`` (per iteration, in the steady state of 200 iterations), ``rthroughput``
    (the block's reciprocal throughput: the busiest resource's cycles) and ``busiest`` (that
    resource, e.g. Zen 3's ``Zn3FPP45``, the pipes that carry vector loads and stores), or None
    where the tool fails.  A model, not a measurement: no caches, no front end beyond the
    model's; but it is the same on a busy machine as on an idle one, and it resolves differences
    that timing on a shared host does not.
    """
    res = subprocess.run([tool, f"-mcpu={cpu}", "-iterations=200", "-"], input="\n".join(body) + "\n",
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        return None
    out = res.stdout
    try:
        iters = int(re.search(r"Iterations:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
        cycles = int(re.search(r"Total Cycles:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
        rthr = float(re.search(r"Block RThroughput:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    except AttributeError:
        return None
    names = dict(re.findall(r"^\[([\d.]+)\]\s+-\s+(\w+)", out, flags=re.M))
    busiest = ""
    m = re.search(r"Resource pressure per iteration:\n(.*)\n(.*)\n", out)
    if m:
        heads = re.findall(r"\[([\d.]+)\]", m.group(1))
        vals = [0.0 if v == "-" else float(v) for v in m.group(2).split()]
        if heads and len(heads) == len(vals):
            busiest = names.get(heads[max(range(len(vals)), key=vals.__getitem__)], "")
    return {"cycles": cycles / iters, "rthroughput": rthr, "busiest": busiest}


def drivers_asm() -> str:
    """The assembly of the batch kernel's parallel drivers (one per kind of block) that this process compiled."""
    import warnings

    from gpdc.kernels.cpu import BATCH_DRIVERS

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba: "Inspection disabled for cached code"
        return "\n".join(str(v) for fn in BATCH_DRIVERS.values()
                         for v in fn.inspect_asm().values())  # type: ignore[attr-defined]


def summary(block: int) -> str:
    """One line on the batch kernel's step loops: instructions per lane-hour, lanes, registers (or why not shown)."""
    asm = drivers_asm()
    loops = [lp for lp in block_loops(asm, block) if int(lp["instructions"]) >= 40]  # type: ignore[call-overload]
    if not loops:
        return ("step loops not shown: the kernel came from numba's cache, whose assembly numba cannot show "
                "(benchmarks/kernel_asm.py compiles afresh)")
    regs = lambda lp: "zmm" if lp["zmm"] else ("ymm" if lp["ymm"] else "xmm")  # noqa: E731
    return "step loops in the assembly, instructions per lane-hour: " + ", ".join(
        f"{lp['per_lane_hour']:.2f} ({lp['instructions']} per {lp['lanes']} lanes, {regs(lp)})" for lp in loops)


def _child(code: str, args: list[str], wide: bool, cache: bool, cpu: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES", "GPDC_AVX512", "GPDC_NUMBA_CACHE")}
    env["PYTHONPATH"] = str(ROOT)
    if not wide:
        env["GPDC_AVX512"] = "0"
    if cpu:  # another CPU's code: its own features, 512-bit vectors preferred where it has them (wide)
        env["NUMBA_CPU_NAME"] = cpu
        env["NUMBA_CPU_FEATURES"] = "-prefer-256-bit" if wide else ""
        env["GPDC_AVX512"] = "0"  # (gpdc.kernels.target leaves the features given here alone)
    if not cache:
        env["GPDC_NUMBA_CACHE"] = "0"
    res = subprocess.run([sys.executable, "-c", code, str(ROOT / "benchmarks"), *args], env=env, capture_output=True,
                         text=True, check=False)
    if res.returncode != 0:
        raise SystemExit(res.stderr[-3000:])
    return dict(json.loads(res.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Run and print."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--designs", type=int, default=16384)
    ap.add_argument("--repeat", type=int, default=3, help="timed calls per process")
    ap.add_argument("--rounds", type=int, default=2, help="processes per width, alternated")
    ap.add_argument("--no-asm", action="store_true")
    ap.add_argument("--no-timing", action="store_true", help="the assembly (and llvm-mca) only")
    ap.add_argument("--cpu", metavar="NAME", help="the assembly for another CPU (an LLVM name, e.g. icelake-server): "
                    "compiled for it, never run, and llvm-mca on its model; implies --no-timing")
    args = ap.parse_args()
    if args.cpu:
        args.no_timing = True
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "unknown CPU") if Path("/proc/cpuinfo").exists() else "unknown CPU"
    if args.cpu:
        cpu = f"compiled for {args.cpu} on {cpu}, not run"
    print(f"batch kernel, wide (default) and narrow (GPDC_AVX512=0) builds — {cpu}")
    builds = {"wide": True, "narrow": False}
    if not args.no_asm:
        tool = mca_tool()
        print("\n1. loops over a block's designs in the assembly (compiled afresh, cache off), largest first; "
              + ("cycles: llvm-mca's steady-state estimate per iteration on the CPU's scheduling model, and the "
                 "busiest resource" if tool else "(llvm-mca not found: no cycle estimates)"))
        print(f"   {'build':8s} {'mode':8s} {'kernel':6s} {'driver':33s} {'instr':>6s} {'lanes':>5s} "
              f"{'instr per lane-hour':>20s} {'zmm':>5s} {'ymm':>5s} {'loads':>6s} {'stores':>6s} {'stack':>6s}"
              + (f" {'cycles':>7s} {'per lane-hour':>13s}  busiest" if tool else ""))
        ratios = []
        for name, wide in builds.items():
            info = _child(_CROSS_CHILD if args.cpu else _ASM_CHILD, [], wide, cache=False, cpu=args.cpu)
            two_step: dict[tuple[str, str], float] = {}
            for kernel, key in (("gpdc", "loops"), ("tuned", "tuned")):
                for lp in info[key]:
                    if lp["instructions"] < 40:  # copies, month closes
                        continue
                    est = mca(lp["body"], info["cpu"], tool) if tool else None
                    line = (f"   {name:8s} {info['mode']:8s} {kernel:6s} {lp['driver']:33s} {lp['instructions']:>6d} "
                            f"{lp['lanes']:>5d} {lp['per_lane_hour']:>20.2f} {lp['zmm']:>5d} {lp['ymm']:>5d} "
                            f"{lp['loads']:>6d} {lp['stores']:>6d} {lp['spills']:>6d}")
                    if est:
                        line += f" {est['cycles']:>7.1f} {est['cycles'] / lp['lanes']:>13.2f}  {est['busiest']}"
                        label = str(lp["driver"])
                        if label in ("green-only, running cap", "green-only, budget cap") \
                                and (kernel, label) not in two_step:  # the largest: the two-step pass
                            two_step[(kernel, label)] = float(est["cycles"]) / lp["lanes"]
                    print(line)
            for label in ("green-only, running cap", "green-only, budget cap"):
                if ("gpdc", label) in two_step and ("tuned", label) in two_step:
                    ratios.append(f"{name} build ({info['cpu']}), {label}: gpdc {two_step[('gpdc', label)]:.2f}, "
                                  f"tuned {two_step[('tuned', label)]:.2f} cycles per lane and two hours, "
                                  f"gpdc / tuned {two_step[('gpdc', label)] / two_step[('tuned', label)]:.3f}")
        if ratios:
            print("   llvm-mca, the green-only two-step pass (the loop most of a green-first run spends its time in):")
            for r in ratios:
                print(f"   {r}")
    if args.no_timing:
        return
    print(f"\n2. ns per scenario-hour, one thread, process CPU time, {args.designs:,} designs x 8760 h, best of "
          f"{args.repeat} calls x {args.rounds} processes per build, alternated")
    best: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for name, wide in builds.items():
                info = _child(_TIME_CHILD, [str(args.designs), str(args.repeat), f"{tmp}/{name}.npy"], wide, True)
                for k, v in info["ns"].items():
                    best.setdefault(name, {})[k] = min(best.get(name, {}).get(k, float("inf")), v)
                if r == 0:
                    best[name]["mode"] = info["mode"]  # type: ignore[assignment]
        import numpy as np

        same = np.array_equal(np.load(f"{tmp}/wide.npy"), np.load(f"{tmp}/narrow.npy"), equal_nan=True)
    for label in ("green-first", "grid charging"):
        w, n = best["wide"][label], best["narrow"][label]
        print(f"   {label:14s} narrow {n:6.2f}   wide {w:6.2f}   wide / narrow {w / n:5.2f}")
    print(f"   builds: wide = {best['wide']['mode']}, narrow = {best['narrow']['mode']}; totals identical bit for "
          f"bit: {same}")


if __name__ == "__main__":
    main()
