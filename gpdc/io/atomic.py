"""Atomic file writes: lock the target, write under a temporary name in its folder, then rename.

A crash or an error never leaves a half-written file under the target name; an error removes
the temporary file, and a temporary file that a killed process left behind (``kill -9``, a
power cut) is removed by the next write to the same target.  The finished file gets the usual
permissions (0666 less the umask).  Only one process writes a target at a time
(:mod:`gpdc.io.lock`): the lock is taken before the temporary file is created.

Temporary files are named ``.NAME.gpdc-XXXXXXXX.tmp`` beside ``NAME`` (``.NAME.XXXXXXXX.tmp``
before gpdc 0.1.1; both are recognised as gpdc's own).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gpdc.errors import GpdcError, ResultsFileError
from gpdc.io.h5file import describe_write_error
from gpdc.io.lock import writer_lock

__all__ = ["atomic_path", "remove_stale_temporaries", "temporary_prefix"]

log = logging.getLogger(__name__)

#: the consequence of a failed atomic write, stated in every message
NOTHING_REPLACED = "nothing was replaced"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temporary_prefix(path: str | Path) -> str:
    """Return the name prefix of gpdc's temporary files for ``path``: ``.NAME.gpdc-``."""
    return f".{Path(path).name}.gpdc-"


def _is_own_temporary(name: str, target: str) -> bool:
    t = re.escape(target)
    return bool(re.fullmatch(rf"\.{t}\.gpdc-[A-Za-z0-9_]{{8}}\.tmp", name)
                or re.fullmatch(rf"\.{t}\.[a-z0-9_]{{8}}\.tmp", name))


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Remove temporary files of gpdc's own naming left beside ``path`` by an interrupted write.

    Call it only while holding the writer lock of ``path``: no live gpdc process can then be
    writing them.  Each removal is logged as a warning; a file that cannot be removed is
    reported and left.  Returns the files removed.
    """
    path = Path(path)
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    removed = []
    for name in sorted(names):
        if not _is_own_temporary(name, path.name):
            continue
        stale = path.parent / name
        try:
            size = stale.stat().st_size
            stale.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("cannot remove %s, a temporary file left by an interrupted write of %s: %s", stale, path,
                        exc.strerror or exc)
            continue
        log.warning("removed %s (%s bytes), a temporary file left by an interrupted write of %s", stale,
                    f"{size:,}", path)
        removed.append(stale)
    return removed


@contextmanager
def atomic_path(path: str | Path, what: str = "results") -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` if the block succeeds.

    The writer lock of ``path`` is held from before the temporary file is created until the
    rename (re-entrant: a caller that holds it already keeps it).

    Raises
    ------
    FileLockedError
        If another process is writing ``path`` (the message names it).
    WriteError
        If the file cannot be written or renamed — no space left, a file-size limit, an I/O
        error — with the target left as it was ("nothing was replaced") and the temporary
        file removed.
    ResultsFileError
        If the folder cannot be created.  Other exceptions propagate after cleanup.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsFileError(f"cannot write {what} to {path}: cannot create its folder "
                               f"({exc.strerror or exc})") from None
    with writer_lock(path, f"{what} write"):
        remove_stale_temporaries(path)
        try:
            fd, name = tempfile.mkstemp(prefix=temporary_prefix(path), suffix=".tmp", dir=path.parent)
            os.close(fd)
        except OSError as exc:
            raise describe_write_error(exc, path, what, NOTHING_REPLACED) from None
        tmp = Path(name)
        try:
            yield tmp
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        except GpdcError:
            tmp.unlink(missing_ok=True)
            raise
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise describe_write_error(exc, path, what, NOTHING_REPLACED) from None
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
