"""Atomic file writes: write under a temporary name in the target folder, then rename.

A crash or an error never leaves a half-written file under the target name, nor a
temporary file behind; the finished file gets the usual permissions (0666 less the umask).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gpdc.errors import ResultsFileError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | Path, what: str = "results") -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` if the block succeeds.

    Raises
    ------
    ResultsFileError
        If the folder cannot be created or the file cannot be written or renamed (the
        target is then left as it was).  Other exceptions propagate after cleanup.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise ResultsFileError(f"cannot write {what} to {path}: {exc.strerror or exc}") from None
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ResultsFileError(f"cannot write {what} to {path}: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def check_writable(path: str | Path, what: str = "results") -> Path:
    """Refuse, before any work, a target that cannot be written: its folder cannot be made or takes no file.

    Creates the folder if needed and a temporary file in it (removed at once); the target itself
    is not touched.

    Raises
    ------
    ResultsFileError
        Naming the path and why.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=path.parent)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise ResultsFileError(f"cannot write {what} to {path}: {exc.strerror or exc}") from None
    if path.is_dir():
        raise ResultsFileError(f"cannot write {what} to {path}: it is a folder; give a file name")
    return path
