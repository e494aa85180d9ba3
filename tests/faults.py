"""Fault injection and file comparison shared by the robustness tests (no timing anywhere).

* :func:`gpdc_cli` runs the command line in a child process (exit codes, no core dumps);
* :func:`disk_full` makes ``os.pwrite`` — the only way gpdc's HDF5 writers reach the disk —
  fail with ENOSPC for files in one folder, after some bytes or once a condition holds;
* :func:`file_content` / :func:`assert_same_file` compare two HDF5 files value for value.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import h5py
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CLI = "import sys; from gpdc.cli import main; sys.argv[0] = 'gpdc'; main()"


def gpdc_cli(*args: str, cwd: Path | None = None, preexec: Callable[[], None] | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the gpdc command line in a child process (a hang guard of 900 s, never reached by a passing test)."""
    return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, preexec_fn=preexec,
                          timeout=900, check=False)


def leftovers(folder: Path) -> list[str]:
    """Temporary and lock files left in a folder."""
    return sorted(n for n in os.listdir(folder) if n.endswith((".tmp", ".lock")))


@contextmanager
def disk_full(monkeypatch: pytest.MonkeyPatch, folder: Path, after_bytes: int = 0,
              when: Callable[[], bool] = lambda: True) -> Iterator[list[int]]:
    """Make ``os.pwrite`` to files in ``folder`` fail with ENOSPC once ``after_bytes`` were written and ``when()``."""
    real = os.pwrite
    written = [0]

    def pwrite(fd: int, data: bytes, offset: int) -> int:
        target = os.readlink(f"/proc/self/fd/{fd}")
        if target.startswith(str(folder)):
            if when() and written[0] + len(data) > after_bytes:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            written[0] += len(data)
        return real(fd, data, offset)

    monkeypatch.setattr(os, "pwrite", pwrite)
    try:
        yield written
    finally:
        monkeypatch.setattr(os, "pwrite", real)


def file_content(path: Path) -> dict[str, object]:
    """Every dataset of an HDF5 file, and its root attributes."""
    content: dict[str, object] = {}

    def visit(name: str, obj: object) -> None:
        if isinstance(obj, h5py.Dataset):
            content[name] = obj[...]

    with h5py.File(path, "r") as f:
        f.visititems(visit)
        content["attrs"] = {k: f.attrs[k] for k in f.attrs}
    return content


def assert_same_file(a_path: Path, b_path: Path) -> None:
    """Two files hold the same datasets with the same values (NaN equal) and attributes but the creation time."""
    a, b = file_content(a_path), file_content(b_path)
    assert a.keys() == b.keys()
    for k in a:
        if k == "attrs":
            same = {x: str(v) for x, v in a[k].items() if x != "created_utc"}  # type: ignore[union-attr]
            assert json.dumps(same) == json.dumps({x: str(v) for x, v in b[k].items()  # type: ignore[union-attr]
                                                   if x != "created_utc"})
        else:
            x, y = np.asarray(a[k]), np.asarray(b[k])
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), k
