"""The installed ``gpdc`` script ends without the interpreter's teardown (gpdc.cli.process_exit), losing nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .faults import assert_same_file, file_content

ROOT = Path(__file__).resolve().parents[1]
DATACENTRE = ROOT / "scenarios" / "inner_mongolia_datacentre.toml"

# the console script as pip writes it, plus an atexit handler and an object only the teardown would finalise
CONSOLE = textwrap.dedent("""
    import atexit, os, sys
    from gpdc.cli import console

    atexit.register(lambda: sys.stdout.write("ATEXIT RAN\\n"))  # buffered: only a flush after the handlers shows it

    class Finalised:
        def __del__(self):
            os.write(2, b"TEARDOWN RAN\\n")

    keep = Finalised()
    sys.argv = ["gpdc", *sys.argv[1:]]
    sys.exit(console())
""")


def _console(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # stdout block-buffered, as a user's pipe is (PYTHONUNBUFFERED would flush every write)
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONUNBUFFERED", "GPDC_FAST_EXIT")}
    return subprocess.run([sys.executable, "-c", CONSOLE, *args], capture_output=True, text=True, timeout=600,
                          check=False, env={**base, "PYTHONPATH": str(ROOT), **env})


def test_console_skips_the_teardown_but_runs_atexit_and_flushes_the_pipe() -> None:
    fast, slow = _console("--help"), _console("--help", GPDC_FAST_EXIT="0")
    assert fast.returncode == slow.returncode == 0
    assert fast.stdout == slow.stdout and "Usage" in fast.stdout
    assert fast.stdout.endswith("ATEXIT RAN\n")  # the handlers ran, and stdout (a pipe) was flushed after them
    assert "TEARDOWN RAN" not in fast.stderr  # the interpreter's teardown was skipped ...
    assert "TEARDOWN RAN" in slow.stderr  # ... and is there with GPDC_FAST_EXIT=0


def test_console_keeps_exit_status_and_messages_of_a_failing_command(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.toml")
    fast, slow = _console("run", missing), _console("run", missing, GPDC_FAST_EXIT="0")
    assert fast.returncode == slow.returncode == 2
    assert "file not found" in fast.stderr
    assert fast.stdout == slow.stdout
    assert fast.stderr.replace("TEARDOWN RAN\n", "") == slow.stderr.replace("TEARDOWN RAN\n", "")


def test_a_run_through_the_console_writes_the_same_complete_file(tmp_path: Path) -> None:
    # the results file is written and renamed before the command returns: nothing is left to the teardown
    fast = _console("run", str(DATACENTRE), "-o", str(tmp_path / "fast.h5"))
    slow = _console("run", str(DATACENTRE), "-o", str(tmp_path / "slow.h5"), GPDC_FAST_EXIT="0")
    assert fast.returncode == slow.returncode == 0, fast.stderr[-2000:]
    assert "TEARDOWN RAN" not in fast.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fast.h5", "slow.h5"]  # no temporaries left
    assert len(file_content(tmp_path / "fast.h5")) > 50
    assert_same_file(tmp_path / "fast.h5", tmp_path / "slow.h5")  # every dataset and attribute but the time


REASONS = textwrap.dedent("""
    import json, os, sys, threading
    import h5py
    from gpdc.cli.process_exit import why_not_fast

    seen = {"plain": why_not_fast(0), "none": why_not_fast(None), "message": why_not_fast("bye")}
    os.environ["GPDC_FAST_EXIT"] = "0"
    seen["env"] = why_not_fast(0)
    del os.environ["GPDC_FAST_EXIT"]
    sys.settrace(lambda *a: None)
    seen["tracer"] = why_not_fast(0)
    sys.settrace(None)
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    seen["thread"] = why_not_fast(0)
    stop.set()
    worker.join()
    seen["thread_done"] = why_not_fast(0)
    f = h5py.File(sys.argv[1], "w")
    seen["hdf5_writing"] = why_not_fast(0)
    f.close()
    g = h5py.File(sys.argv[1], "r")
    seen["hdf5_reading"] = why_not_fast(0)
    g.close()
    print("SEEN", json.dumps(seen))
""")


def test_the_ordinary_exit_is_kept_wherever_skipping_could_lose_or_hide_something(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GPDC_FAST_EXIT"}
    proc = subprocess.run([sys.executable, "-c", REASONS, str(tmp_path / "f.h5")], capture_output=True, text=True,
                          timeout=300, check=False, env={**env, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(next(x for x in proc.stdout.splitlines() if x.startswith("SEEN "))[5:])
    assert seen == {
        "plain": None, "none": None, "message": "the exit status is a message", "env": "GPDC_FAST_EXIT=0",
        "tracer": "a tracer or profiler is active", "thread": "a non-daemon thread is still running",
        "thread_done": None, "hdf5_writing": "an HDF5 file is still open for writing", "hdf5_reading": None}


def test_console_makes_full_collections_rarer_and_keeps_the_young_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    # issue 19: the full collections set off by importing numba, xarray and pandas cost 0.13 s of a run
    import gc

    import gpdc.cli
    import gpdc.cli.process_exit

    seen: dict[str, object] = {}

    def command() -> None:
        seen["threshold"], seen["enabled"] = gc.get_threshold(), gc.isenabled()

    def end(code: object = 0) -> None:
        raise SystemExit(code)

    before = gc.get_threshold()
    monkeypatch.setattr(gpdc.cli, "main", command)
    monkeypatch.setattr(gpdc.cli.process_exit, "exit_process", end)
    try:
        with pytest.raises(SystemExit) as ended:
            gpdc.cli.console()
        assert ended.value.code == 0
    finally:
        gc.set_threshold(*before)
    assert seen["enabled"] is True
    assert seen["threshold"] == (before[0], before[1], 100)
