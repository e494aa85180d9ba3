"""The worker process of the fuzz corpus (tests/test_fuzz.py): runs one case at a time and says how it ended.

It runs in a child process so that a case that hangs or crashes the interpreter is seen as
such (the test kills the worker after a case's time limit and starts a new one) instead of
stopping the test run.  Each case is ``(kind, payload)``: the bytes of an input file, or a list
of changes to a sweep file; the answer is ``(outcome, detail)`` with outcome ``"accepted"``
(no error), ``"clean"`` (a :class:`gpdc.errors.GpdcError`: exit 2 on the command line) or
``"internal"`` (anything else: exit 3, a bug; ``detail`` is the traceback).
"""

from __future__ import annotations

import os
import shutil
import traceback
import warnings
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import h5py
import numpy as np

#: the tiny sweep whose file the sweep-file cases change: 4 designs in 2 chunks, one group
SWEEP_AXES = {"storage.energy_mwh": [0.0, 200.0], "wind.capacity_mw": [120.0, 220.0]}
SWEEP_CHUNK = 2


def _apply(f: h5py.File, op: tuple[Any, ...]) -> None:
    """One change to an open sweep file (see tests/test_fuzz.py for the list)."""
    kind = op[0]
    if kind == "delete":
        if op[1] in f:
            del f[op[1]]
    elif kind in ("shorten", "reshape", "retype") and op[1] in f and isinstance(f[op[1]], h5py.Dataset):
        data = f[op[1]][()]
        del f[op[1]]
        if kind == "shorten":
            data = data[:-1] if data.ndim else data
        elif kind == "reshape":
            data = data.reshape(-1)[::-1].copy() if data.ndim != 1 else data.reshape(1, -1)
        else:
            data = np.asarray(data).astype(op[2]) if np.asarray(data).dtype.kind != "S" else np.zeros(3)
        f[op[1]] = data
    elif kind == "attr":
        f.attrs[op[1]] = op[2]
    elif kind == "ledger_attr" and "sweep_ledger" in f:
        f["sweep_ledger"].attrs[op[1]] = op[2]
    elif kind == "delattr":
        if op[1] in f.attrs:
            del f.attrs[op[1]]
    elif kind == "set" and op[1] in f and isinstance(f[op[1]], h5py.Dataset) and f[op[1]].size:
        ds = f[op[1]]
        flat = np.asarray(ds[()]).reshape(-1).copy()
        i = op[2] % flat.size
        try:
            flat[i] = op[3]
        except (ValueError, TypeError, OverflowError):
            return
        ds[...] = flat.reshape(ds.shape)
    elif kind == "bytes" and op[1] in f and isinstance(f[op[1]], h5py.Dataset):
        ds = f[op[1]]
        offset = ds.id.get_offset()
        nbytes = ds.id.get_storage_size()
        if offset is None or nbytes == 0:
            return
        at = int(offset) + op[2] % int(nbytes)
        f.flush()
        with open(f.filename, "r+b") as fh:
            fh.seek(at)
            fh.write(bytes(op[3])[: max(0, int(offset) + int(nbytes) - at)])


def serve(conn: Connection, workdir: str, root: str) -> None:
    """Answer cases from ``conn`` until it sends None."""
    import logging

    warnings.simplefilter("ignore")
    logging.getLogger("gpdc").setLevel(logging.ERROR)  # "computing it again": expected here, every other case
    from gpdc.errors import GpdcError
    from gpdc.io.hdf5 import open_results
    from gpdc.profiles import hourly_index
    from gpdc.profiles.factors import read_hourly_factors, read_hourly_prices
    from gpdc.profiles.readers import read_load_csv, read_ninja, read_profile_csv, read_weather
    from gpdc.scenario.load import load_scenario
    from gpdc.scenario.resolve import resolve
    from gpdc.scenario.tables.tariffs import read_tariff_file
    from gpdc.sizing.spec import read_sizing_table
    from gpdc.sweeps import check_spec, plan_sweep, run_sweep
    from gpdc.sweeps.spec import SweepSpec, read_designs_csv, read_sweep_table

    work = Path(workdir)
    base = load_scenario(Path(root) / "scenarios" / "inner_mongolia_datacentre.toml")
    plan = plan_sweep(base, SWEEP_AXES, chunk_size=SWEEP_CHUNK)
    seed_sweep = work / "seed_sweep.h5"
    run_sweep(plan, seed_sweep)
    hours = hourly_index(2025)

    deep = os.environ.get("GPDC_FUZZ_DEEP") == "1"  # exploring by hand: run accepted scenarios too (slow)

    def scenario(path: Path) -> None:
        sc = load_scenario(path)
        read_sweep_table(path)
        read_sizing_table(path)
        resolve(sc)
        if deep:
            from gpdc.api import simulate

            simulate(sc)

    def designs(path: Path) -> None:
        check_spec(base, SweepSpec((read_designs_csv(path),)))

    readers: dict[str, Callable[[Path], Any]] = {
        "scenario": scenario,
        "profile_csv": read_profile_csv,
        "weather_csv": lambda p: read_weather(p, "csv", year=2025),
        "load_csv": lambda p: read_load_csv(p, year=2025),
        "prices_csv": lambda p: read_hourly_prices(p, time=hours, timezone="Asia/Shanghai"),
        "factors_csv": lambda p: read_hourly_factors(p, time=hours, timezone="Asia/Shanghai"),
        "tariff_csv": lambda p: read_tariff_file(str(p)),
        "designs_csv": designs,
        "ninja_csv": lambda p: read_ninja(p, year=2025),
    }
    conn.send(("ready", ""))
    n = 0
    while True:
        case = conn.recv()
        if case is None:
            return
        kind, payload = case
        n += 1
        steps: list[Callable[[], Any]] = []
        if kind == "sweep_file":
            path = work / f"sweep_{n}.h5"
            shutil.copy(seed_sweep, path)
            with h5py.File(path, "r+") as f:
                for op in payload:
                    try:
                        _apply(f, op)
                    except Exception:  # noqa: BLE001, S112 - a change h5py cannot make: the case goes on without it
                        continue

            def open_it(p: Path = path) -> None:
                with open_results(p, allow_partial=True):
                    pass

            steps = [open_it, lambda p=path: run_sweep(plan, p)]  # resuming: refused, or recomputed
        else:
            path = work / f"case_{n}{'.toml' if kind == 'scenario' else '.csv'}"
            path.write_bytes(payload)
            steps = [lambda p=path, read=readers[kind]: read(p)]
        outcome, detail = "accepted", ""
        for step in steps:
            try:
                step()
            except GpdcError as exc:
                text = str(exc)
                if not text or "Traceback" in text:
                    outcome, detail = "internal", f"{type(exc).__name__} without a proper message: {text[:500]}"
                    break
                outcome, detail = "clean", text[:500]
            except Exception:  # noqa: BLE001 - what the fuzz looks for
                outcome, detail = "internal", traceback.format_exc()[-3000:]
                break
        path.unlink(missing_ok=True)
        conn.send((outcome, detail))
