"""Fixed costs (issue 19): CPU seconds of `gpdc --help`, a warm `gpdc run` and a warm 1,000-design `gpdc sweep`.

    python benchmarks/startup.py                          # this tree
    python benchmarks/startup.py --tree /path/to/other    # and another checkout, interleaved

Each command runs in a fresh interpreter (the console script's entry point, gpdc.cli:console); its
CPU time is the child's user + system time (getrusage of the children), the minimum over
--repeat runs, the trees interleaved.  "Warm": one run first fills numba's cache, gpdc's profile
cache and the OS's file cache; it is not counted.  The sweep: the Inner Mongolia scenario, wind
50-545 MW x PV 0-45 MW in 5 MW steps (1,000 designs), into a fresh file each time
(``--overwrite``).  The children write and reuse Python's bytecode caches (``__pycache__``), as a
user's interpreter does, even where this process runs with PYTHONDONTWRITEBYTECODE (compiling
gpdc's 80 modules from source costs about 0.2 s a run).  "Stack floor": a fresh interpreter that
imports numba, xarray and h5netcdf and calls one function from numba's cache — what any gpdc run
costs before it does anything of its own (numba's CPU target loads its registries, importing
scipy.linalg to check for BLAS, at the first call of any compiled function, cached or not; then
Python tears the interpreter down).  "Lean floor": the same where the BLAS check finds scipy's
cython_blas without importing scipy.linalg and the process ends without the teardown, as gpdc's
script does (gpdc.kernels.blas_check, gpdc.cli.process_exit).
Where the time goes: ``python -X importtime "$(command -v gpdc)" run ...``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "inner_mongolia_datacentre.toml"
ENTRY = ("import sys\ntry:\n    from gpdc.cli import console as entry\nexcept ImportError:  # a tree from before it\n"
         "    from gpdc.cli import main as entry\nsys.argv[0] = 'gpdc'\nentry()")
FLOOR_MODULE = """import numba


@numba.njit(cache=True)
def one(x):
    return x + 1.0
"""
FLOOR = "import xarray, h5netcdf, floor_module; floor_module.one(1.0)"
# the same with what gpdc does about two parts of it: numba's BLAS check without scipy.linalg
# (gpdc.kernels.blas_check, installed by importing gpdc.kernels) and no interpreter teardown
# (gpdc.cli.process_exit, the installed script's way to end)
LEAN_FLOOR = (f"import os, sys; sys.path.insert(0, {str(ROOT)!r}); "
              "import gpdc.kernels, xarray, h5netcdf, floor_module; floor_module.one(1.0); os._exit(0)")


def cpu_of(tree: Path, args: list[str], *, code: str = ENTRY) -> float:
    """CPU seconds of ``python -c code *args`` run in ``tree`` with ``tree`` on the path."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    subprocess.run([sys.executable, "-c", code, *args], cwd=tree, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tree", action="append", default=[], help="another checkout to compare (repeatable)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    trees = [ROOT, *[Path(t).resolve() for t in args.tree]]
    with tempfile.TemporaryDirectory() as tmp:
        commands = {"gpdc --help": ["--help"],
                    "gpdc run (warm)": ["run", str(SCENARIO), "-o", f"{tmp}/run.h5"],
                    "gpdc sweep, 1,000 designs (warm)": [
                        "sweep", str(SCENARIO), "--vary", "wind.capacity_mw=50:545:5", "--vary",
                        "solar.capacity_mw=0:45:5", "-o", f"{tmp}/sweep.h5", "--overwrite", "-q"]}
        floor_dir = Path(tmp) / "floor"
        floor_dir.mkdir()
        (floor_dir / "floor_module.py").write_text(FLOOR_MODULE)
        cpu_of(floor_dir, [], code=FLOOR)  # warm: numba's cache of the one function
        cpu_of(floor_dir, [], code=LEAN_FLOOR)
        floor = lean_floor = float("inf")
        for tree in trees:
            for warm in ("gpdc run (warm)", "gpdc sweep, 1,000 designs (warm)"):
                cpu_of(tree, commands[warm])  # warm: numba cache, profile cache, file cache
        best = {(t, c): float("inf") for t in trees for c in commands}
        for _ in range(args.repeat):
            floor = min(floor, cpu_of(floor_dir, [], code=FLOOR))
            lean_floor = min(lean_floor, cpu_of(floor_dir, [], code=LEAN_FLOOR))
            for c, a in commands.items():
                for t in trees:
                    best[t, c] = min(best[t, c], cpu_of(t, a))
    print("CPU seconds, min of", args.repeat, "(fresh interpreter each)")
    print("| command | " + " | ".join(str(t) for t in trees) + " |")
    print("| --- |" + " ---: |" * len(trees))
    for c in commands:
        print(f"| {c} | " + " | ".join(f"{best[t, c]:.2f}" for t in trees) + " |")
    print(f"| stack floor: numba, xarray, h5netcdf, one cached numba call | {floor:.2f} |" + " |" * (len(trees) - 1))
    print(f"| the same, numba's BLAS check without scipy.linalg, no teardown | {lean_floor:.2f} |"
          + " |" * (len(trees) - 1))


if __name__ == "__main__":
    main()
