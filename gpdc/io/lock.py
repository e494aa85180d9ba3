"""One writer per results file: an OS file lock next to the target, taken before any temporary file.

A results file (a run, a sweep, a sizing study, a CSV, a plot) is written by one process at a
time.  The writer holds an exclusive lock on ``.NAME.lock`` in the target's folder for as long
as it writes: from before the temporary file is created until the file is renamed into place
(or, for a sweep, until its last chunk is written).  A second writer is refused at once with a
:class:`FileLockedError` that names the holder (process id, host, command, start time), so that
two sweeps on one path never race and ``--overwrite`` never replaces a file under a live writer.

How the lock works:

* ``flock(LOCK_EX | LOCK_NB)`` on the lock file.  The kernel drops the lock when its holder
  exits, however it exits (``kill -9`` too): a lock file left behind by a dead process is not
  locked, and the next writer takes it over (the stale holder's process id is logged).
* After locking, the lock file must still be the one at the path (a holder unlinks it when it
  is done; a writer that locked an unlinked file tries again), and the holder's process id,
  host and command are written into it for the message a second writer prints.
* Where the file system has no ``flock`` (some network file systems), the lock file is created
  with ``O_EXCL`` instead; a lock file whose process no longer runs on this host is stale and
  is replaced.
* The lock is re-entrant within a thread (a sweep holds it while it creates its file); another
  thread of the same process is refused like another process.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gpdc.errors import FileLockedError, ResultsFileError

try:  # POSIX; elsewhere only the O_EXCL fallback
    import fcntl
except ImportError:  # pragma: no cover - not on Linux/macOS
    fcntl = None  # type: ignore[assignment]

__all__ = ["holder_of", "lock_path", "writer_lock"]

log = logging.getLogger(__name__)

#: errno values meaning "this file system cannot flock": use the O_EXCL fallback
_NO_FLOCK = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL}

_held: dict[Path, tuple[int, int, int]] = {}  # lock path -> (fd or -1, thread id, depth)
_held_guard = threading.Lock()


def lock_path(target: str | Path) -> Path:
    """Return the lock file of a results file: ``.NAME.lock`` in the same folder."""
    target = Path(target)
    return target.parent / f".{target.name}.lock"


def _describe() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "command": " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:300],
            "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def holder_of(lock: Path) -> dict[str, Any]:
    """Return what a lock file says about its holder (``{}`` if it says nothing readable)."""
    try:
        with open(lock, "rb") as fh:
            raw = fh.read(4096)
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _holder_text(info: dict[str, Any]) -> str:
    if not info:
        return "another process (its lock file does not name it: just started, or the disk is full)"
    parts = [f"process {info.get('pid', '?')}"]
    if info.get("host") and info.get("host") != socket.gethostname():
        parts.append(f"on host {info['host']}")
    if info.get("command"):
        parts.append(f"running `{info['command']}`")
    if info.get("started_utc"):
        parts.append(f"since {info['started_utc']}")
    return " ".join(parts)


def _refuse(target: Path, lock: Path, what: str, info: dict[str, Any]) -> FileLockedError:
    pid = info.get("pid") if isinstance(info.get("pid"), int) else None
    return FileLockedError(
        f"{target} is being written by {_holder_text(info)}; a results file has one writer at a time, so "
        f"this {what} was not started: wait for that process to finish (or stop it), or choose another --out "
        f"(lock file {lock})", holder_pid=pid)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _write_info(fd: int) -> None:
    """Record the holder in the lock file; best effort: on a full disk the lock holds without it."""
    data = json.dumps(_describe()).encode("utf-8")
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
    except OSError:
        log.debug("could not record this process in its lock file", exc_info=True)


def _acquire_flock(target: Path, lock: Path, what: str) -> int | None:
    """Lock with flock; return the fd, or None when the file system cannot flock."""
    assert fcntl is not None
    for _ in range(100):  # a holder may unlink the lock between our open and our flock: try again
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise _refuse(target, lock, what, holder_of(lock)) from None
            if exc.errno in _NO_FLOCK:
                return None
            raise
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # we locked a file its holder had just unlinked
            os.close(fd)
            continue
        stale = holder_of(lock)
        if stale.get("pid") and stale.get("pid") != os.getpid():
            log.info("taking over the lock %s left by process %s, which no longer holds it", lock, stale.get("pid"))
        _write_info(fd)
        return fd
    raise ResultsFileError(f"cannot lock {lock}: it keeps being replaced by other processes")


def _acquire_exclusive(target: Path, lock: Path, what: str) -> None:
    """The fallback without flock: create the lock file with O_EXCL; replace it if its process is gone."""
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
        except FileExistsError:
            info = holder_of(lock)
            pid = info.get("pid")
            same_host = info.get("host") in (None, socket.gethostname())
            if isinstance(pid, int) and same_host and pid != os.getpid() and not _pid_alive(pid):
                log.warning("removing the stale lock %s of process %d, which no longer runs", lock, pid)
                lock.unlink(missing_ok=True)
                continue
            raise _refuse(target, lock, what, info) from None
        _write_info(fd)
        os.close(fd)
        return
    raise ResultsFileError(f"cannot lock {lock}: it keeps being replaced by other processes")


@contextmanager
def writer_lock(target: str | Path, what: str = "write") -> Iterator[Path]:
    """Hold the exclusive writer lock of ``target`` for the block; yield the lock file's path.

    Parameters
    ----------
    target : str or Path
        The results file to be written (it need not exist; its folder must).
    what : str
        What is being written, for the refusal message (``"sweep"``, ``"results write"``).

    Raises
    ------
    FileLockedError
        If another process (or another thread of this one) holds the lock; the message names
        the holder's process id, host, command and start time.
    ResultsFileError
        If the lock file cannot be created (e.g. the folder is read-only).
    """
    target = Path(target)
    lock = lock_path(target).absolute()
    me = threading.get_ident()
    with _held_guard:
        held = _held.get(lock)
        if held is not None:
            fd, owner, depth = held
            if owner != me:
                raise _refuse(target, lock, what, holder_of(lock))
            _held[lock] = (fd, owner, depth + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield lock
        finally:
            with _held_guard:
                fd, owner, depth = _held[lock]
                _held[lock] = (fd, owner, depth - 1)
        return
    try:
        got = _acquire_flock(target, lock, what) if fcntl is not None else None
        if got is None:
            _acquire_exclusive(target, lock, what)
        fd = -1 if got is None else got
    except FileLockedError:
        raise
    except OSError as exc:
        raise ResultsFileError(f"cannot lock {target} for writing ({lock}): {exc.strerror or exc}") from None
    with _held_guard:
        _held[lock] = (fd, me, 1)
    try:
        yield lock
    finally:
        with _held_guard:
            del _held[lock]
        try:
            lock.unlink(missing_ok=True)  # unlink while still locked: a waiter that locks it sees it is gone
        finally:
            if fd >= 0:
                os.close(fd)  # releases the flock
