"""Result writers under attack: a second writer, a full disk, a file-size limit, a killed writer's leftovers.

Issue 18, items 1 and 2.  Nothing here depends on timing: a concurrent writer is simulated by
holding the lock in this process (or in another thread) before the second writer starts, and a
full disk is a real ``ulimit -f`` in a child process or an ENOSPC injected into ``os.pwrite``.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import resource
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import h5py
import numpy as np
import pytest

from gpdc import simulate
from gpdc.errors import FileLockedError, ResultsFileError, WriteError
from gpdc.io import lock as lock_mod
from gpdc.io.atomic import remove_stale_temporaries
from gpdc.io.csv import write_totals_csv
from gpdc.io.h5file import GuardedFile
from gpdc.io.hdf5 import open_results, write_results
from gpdc.io.lock import holder_of, lock_path, writer_lock
from gpdc.profiles import ProfileSet
from gpdc.scenario.schema import Scenario

from .conftest import DATACENTRE, ROOT
from .faults import disk_full, gpdc_cli, leftovers


@pytest.fixture
def result(small_scenario: Scenario, small_profiles: ProfileSet) -> object:
    return simulate(small_scenario, profiles=small_profiles, traces=True)


# --- 1. one writer at a time -------------------------------------------------------------------


def test_lock_names_its_holder_and_is_removed_on_release(tmp_path: Path) -> None:
    target = tmp_path / "r.h5"
    with writer_lock(target) as lock:
        assert lock == lock_path(target).absolute() and lock.exists()
        info = holder_of(lock)
        assert info["pid"] == os.getpid() and info["host"]
        with writer_lock(target):  # re-entrant in the thread that holds it
            pass
        assert lock.exists()
    assert not lock.exists()


def test_another_thread_is_refused_at_once(tmp_path: Path, result: object) -> None:
    target = tmp_path / "r.h5"
    caught: list[BaseException] = []

    def second_writer() -> None:
        try:
            write_results(target, result.totals)  # type: ignore[attr-defined]
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            caught.append(exc)

    with writer_lock(target):
        t = threading.Thread(target=second_writer)
        t.start()
        t.join()
    assert len(caught) == 1 and isinstance(caught[0], FileLockedError)
    assert caught[0].holder_pid == os.getpid()
    assert f"process {os.getpid()}" in str(caught[0])
    assert not target.exists() and leftovers(tmp_path) == []


def test_a_run_while_another_process_writes_exits_2_naming_the_holder(tmp_path: Path) -> None:
    target = tmp_path / "dc.h5"
    target.write_bytes(b"the other writer's file")
    with writer_lock(target):  # this process is the live writer
        proc = gpdc_cli("run", str(DATACENTRE), "--out", str(target))
    assert proc.returncode == 2, proc.stderr
    err = " ".join(proc.stderr.split())
    assert f"is being written by process {os.getpid()}" in err and "Traceback" not in err
    assert target.read_bytes() == b"the other writer's file"
    assert leftovers(tmp_path) == []


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path: Path, result: object) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    pid = int(dead.stdout)
    target = tmp_path / "r.h5"
    lock_path(target).write_text(f'{{"pid": {pid}, "host": "{os.uname().nodename}"}}', encoding="utf-8")
    write_results(target, result.totals)  # type: ignore[attr-defined]
    assert target.exists() and not lock_path(target).exists()


def test_without_flock_a_stale_lock_is_detected_by_its_process_id(tmp_path: Path, result: object,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock_mod, "fcntl", None)  # a file system without flock: O_EXCL lock files
    target = tmp_path / "r.h5"
    host = os.uname().nodename
    lock_path(target).write_text(f'{{"pid": {os.getppid()}, "host": "{host}", "command": "gpdc sweep"}}',
                                 encoding="utf-8")  # a live process holds it
    with pytest.raises(FileLockedError, match=rf"process {os.getppid()} running `gpdc sweep`") as exc:
        write_results(target, result.totals)  # type: ignore[attr-defined]
    assert exc.value.holder_pid == os.getppid()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    lock_path(target).write_text(f'{{"pid": {int(dead.stdout)}, "host": "{host}"}}', encoding="utf-8")
    write_results(target, result.totals)  # type: ignore[attr-defined]  # its process is gone: stale
    assert target.exists() and not lock_path(target).exists()


# --- 2. full disks, file-size limits, leftovers ----------------------------------------------------


@pytest.mark.parametrize("fraction", [0.0, 0.02, 0.3, 0.95])
def test_no_space_left_is_a_clean_error_and_the_target_is_intact(tmp_path: Path, result: object,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  fraction: float) -> None:
    target = tmp_path / "r.h5"
    write_results(target, result.totals, result.traces)  # type: ignore[attr-defined]
    before = target.read_bytes()
    with disk_full(monkeypatch, tmp_path, int(fraction * len(before))), pytest.raises(WriteError) as exc:
        write_results(target, result.totals, result.traces)  # type: ignore[attr-defined]
    msg = str(exc.value)
    assert msg.startswith(f"no space left on the device of {tmp_path}") and "while writing results to" in msg
    assert msg.endswith("nothing was replaced") and exc.value.errno == errno.ENOSPC
    assert target.read_bytes() == before and leftovers(tmp_path) == []
    with open_results(target, group="traces") as tr:  # still a good file
        assert tr.sizes["time"] == 48


def test_no_space_left_for_a_csv(tmp_path: Path, result: object, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = Path.open

    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def open_(self: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        if "w" in mode and str(self).startswith(str(tmp_path)):
            real_open(self, mode, *args, **kwargs).close()  # the file exists, as it would
            return Full()
        return real_open(self, mode, *args, **kwargs)  # type: ignore[arg-type]

    (tmp_path / "t.csv").write_text("old totals\n")
    monkeypatch.setattr(Path, "open", open_)
    with pytest.raises(WriteError, match=r"no space left .* while writing CSV to .*; nothing was replaced"):
        write_totals_csv(tmp_path / "t.csv", result.totals)  # type: ignore[attr-defined]
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["t.csv"] and (tmp_path / "t.csv").read_text() == "old totals\n"


def test_guarded_file_keeps_what_failed_to_reach_the_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the guard's contract with HDF5: after a failed write, reads still return every byte written
    with disk_full(monkeypatch, tmp_path, after_bytes=10):
        raw = GuardedFile(tmp_path / "g.bin", create=True)
        raw.seek(0)
        assert raw.write(b"0123456789") == 10
        assert raw.write(b"abcdef") == 6  # fails on disk, kept in memory
        assert raw.error is not None and raw.error.errno == errno.ENOSPC
        raw.seek(100)
        raw.write(b"Z")
        buf = bytearray(16)
        raw.seek(4)
        raw.readinto(buf)
        assert bytes(buf) == b"456789abcdef" + bytes(4)
        assert raw.seek(0, os.SEEK_END) == 101
        raw.close()
    assert (tmp_path / "g.bin").read_bytes() == b"0123456789"


_ULIMIT_CHILD = textwrap.dedent("""
    import os, resource, sys
    import xarray as xr
    from gpdc.errors import WriteError
    from gpdc.io.hdf5 import write_results
    src, target = sys.argv[1], sys.argv[2]
    tot = xr.open_dataset(src, engine="h5netcdf").load()
    tr = xr.open_dataset(src, engine="h5netcdf", group="traces").load()
    size = os.path.getsize(src)
    before = open(target, "rb").read()
    for frac in (0.02, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.95):
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(frac * size), resource.RLIM_INFINITY))
        try:
            write_results(target, tot, tr)
        except WriteError as exc:
            assert "file too large" in str(exc) and str(exc).endswith("nothing was replaced"), exc
        else:
            raise SystemExit(f"no error at {frac}")
        resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        assert open(target, "rb").read() == before, frac
        left = [n for n in os.listdir(os.path.dirname(target)) if n.endswith((".tmp", ".lock"))]
        assert not left, (frac, left)
        print("ok", frac, flush=True)
""")


def test_file_size_limits_from_2_to_95_percent_never_crash(tmp_path: Path) -> None:
    # the case: (ulimit -f N; gpdc run S --out u.h5 --traces) segfaulted at 7 of 8 levels
    src = tmp_path / "full.h5"
    proc = gpdc_cli("run", str(DATACENTRE), "--out", str(src), "--traces")
    assert proc.returncode == 0, proc.stderr
    target = tmp_path / "u.h5"
    target.write_bytes(b"previous results")
    child = subprocess.run([sys.executable, "-c", _ULIMIT_CHILD, str(src), str(target)], capture_output=True,
                           text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=900, check=False)
    assert child.returncode == 0, (child.returncode, child.stdout, child.stderr[-3000:])
    assert child.stdout.count("ok") == 8
    # and the command line itself, under a real `ulimit -f` of 300 kB
    proc = gpdc_cli("run", str(DATACENTRE), "--out", str(target), "--traces",
                    preexec=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000)))
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])  # not 139 (SIGSEGV) nor -25 (SIGXFSZ)
    assert proc.returncode != -signal.SIGSEGV
    err = " ".join(proc.stderr.split())
    assert "file too large" in err and "nothing was replaced" in err and "Traceback" not in err
    assert target.read_bytes() == b"previous results" and leftovers(tmp_path) == []


def test_stale_temporaries_of_gpdc_naming_are_removed_by_the_next_write(tmp_path: Path, result: object,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    target = tmp_path / "r.h5"
    stale = [tmp_path / ".r.h5.gpdc-a1b2c3d4.tmp", tmp_path / ".r.h5.k9_x7y2z.tmp"]  # new and older naming
    others = [tmp_path / ".r.h5.notours.tmp", tmp_path / ".other.h5.gpdc-a1b2c3d4.tmp", tmp_path / "r.h5.tmp"]
    for p in stale + others:
        p.write_bytes(b"\x89HDF left by kill -9")
    with caplog.at_level(logging.WARNING, logger="gpdc.io.atomic"):
        write_results(target, result.totals)  # type: ignore[attr-defined]
    assert not any(p.exists() for p in stale) and all(p.exists() for p in others)
    assert sum("left by an interrupted write" in r.getMessage() for r in caplog.records) == 2
    assert remove_stale_temporaries(target) == []


def test_writer_errors_are_results_file_errors(tmp_path: Path, result: object) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "blocker").write_text("x")
    with pytest.raises(ResultsFileError):
        write_results(folder / "blocker" / "r.h5", result.totals)  # type: ignore[attr-defined]  # a file, not a folder
    with h5py.File(tmp_path / "plain.h5", "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(ResultsFileError, match="not a gpdc result"):
        open_results(tmp_path / "plain.h5")
