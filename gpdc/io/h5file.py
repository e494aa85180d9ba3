"""HDF5 files that a full disk cannot crash: the HDF5 library never sees a failed write.

Why: when a write fails inside HDF5 (no space left, ``ulimit -f``, an I/O error), the library
reports it, but its file object is left half-flushed; the next use of it — the error path of
h5netcdf deleting a half-made variable, the close that flushes the metadata again, or the
library's own clean-up at exit ("Can't decrement id ref count") — dereferences freed state and
the process dies with a segmentation fault (HDF5 2.0, h5py 3.16: 7 of 8 ``ulimit -f`` levels of
``gpdc run --traces``, every level of a sweep's file creation).

How: gpdc's writers open HDF5 files through h5py's file-object driver on a :class:`GuardedFile`.
It writes with ``pwrite`` at the offsets HDF5 asks for; when a write fails it records the error
and keeps that write, and every later one, in memory, and reads them back from there, so the
library sees a consistent file to the end and closes it normally.  The writer then checks
:attr:`GuardedFile.error` and raises a :class:`~gpdc.errors.WriteError` ("no space left on ...
while writing ...; nothing was replaced"); the bytes held in memory never reach the disk.  Only
what HDF5 writes after the failure is held — the rest of a run file (a few MB), or a sweep's
metadata and the chunk in flight (the sweep writers stop at the first failure).
"""

from __future__ import annotations

import errno
import io
import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import h5py

from gpdc.errors import WriteError

__all__ = ["GuardedFile", "GuardedH5", "describe_write_error", "guard_error", "guarded_h5"]


class GuardedFile(io.RawIOBase):
    """A read-write file for h5py's ``fileobj`` driver whose writes never fail towards HDF5.

    Parameters
    ----------
    path : Path
        The file.
    create : bool
        Create (or truncate) the file; otherwise open an existing one for reading and writing.

    Attributes
    ----------
    error : OSError or None
        The first failed write, truncate or read; None while every operation succeeded.
    """

    def __init__(self, path: str | Path, create: bool) -> None:
        super().__init__()
        self.path = Path(path)
        flags = os.O_RDWR | getattr(os, "O_CLOEXEC", 0)
        if create:
            flags |= os.O_CREAT | os.O_TRUNC
        self._fd = os.open(self.path, flags, 0o666)
        self._pos = 0
        self._size = os.fstat(self._fd).st_size
        self._overlay: list[tuple[int, bytes]] = []
        self.error: OSError | None = None

    # --- io.RawIOBase ---------------------------------------------------------------------

    def readable(self) -> bool:  # noqa: D102
        return True

    def writable(self) -> bool:  # noqa: D102
        return True

    def seekable(self) -> bool:  # noqa: D102
        return True

    def fileno(self) -> int:  # noqa: D102
        return self._fd

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:  # noqa: D102
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = base + int(offset)
        return self._pos

    def tell(self) -> int:  # noqa: D102
        return self._pos

    def readinto(self, buffer: Any) -> int:  # noqa: D102
        view = memoryview(buffer).cast("B")
        n = len(view)
        got = 0
        while got < n:
            try:
                data = os.pread(self._fd, n - got, self._pos + got)
            except OSError as exc:
                self.error = self.error or exc
                break
            if not data:
                break
            view[got:got + len(data)] = data
            got += len(data)
        view[got:] = bytes(n - got)  # past the end of the file: zeros, as HDF5's own drivers give
        for off, data in self._overlay:  # what failed to reach the disk, in the order it was written
            lo, hi = max(off, self._pos), min(off + len(data), self._pos + n)
            if lo < hi:
                view[lo - self._pos:hi - self._pos] = data[lo - off:hi - off]
        self._pos += n
        return n

    def write(self, buffer: Any) -> int:  # noqa: D102
        view = memoryview(buffer).cast("B")
        n = len(view)
        if self.error is None:
            done = 0
            try:
                while done < n:
                    done += os.pwrite(self._fd, view[done:], self._pos + done)
            except OSError as exc:
                self.error = exc
        if self.error is not None:
            self._overlay.append((self._pos, bytes(view)))
        self._pos += n
        self._size = max(self._size, self._pos)
        return n

    def truncate(self, size: int | None = None) -> int:  # noqa: D102
        size = self._pos if size is None else int(size)
        if self.error is None:
            try:
                os.ftruncate(self._fd, size)
            except OSError as exc:
                self.error = exc
        self._size = size
        return size

    def flush(self) -> None:  # noqa: D102 - pwrite has handed every byte to the OS already
        return None

    def close(self) -> None:
        """Close the file descriptor (once)."""
        if not self.closed:
            try:
                os.close(self._fd)
            finally:
                super().close()

    def fsync(self) -> None:
        """Ask the OS to put the file on the disk; a failure is recorded in :attr:`error`."""
        if self.error is None:
            try:
                os.fsync(self._fd)
            except OSError as exc:
                self.error = exc


def _fsize_limit() -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else int(soft)


def describe_write_error(exc: OSError, path: Path, what: str, consequence: str) -> WriteError:
    """Turn an OS error met while writing ``path`` into a :class:`WriteError` with a plain message.

    ``consequence`` says what became of the files, e.g. ``"nothing was replaced"``.
    """
    folder = Path(path).absolute().parent
    code = exc.errno
    if code == errno.ENOSPC:
        head = f"no space left on the device of {folder}"
    elif code == errno.EDQUOT:
        head = f"disk quota exceeded on {folder}"
    elif code == errno.EFBIG:
        limit = _fsize_limit()
        head = ("file too large: the file-size limit of this process (ulimit -f) is "
                f"{limit:,} bytes" if limit is not None else "file too large for the file system")
    elif code == errno.EROFS:
        head = f"{folder} is on a read-only file system"
    else:
        head = f"I/O error ({os.strerror(code) if code else exc})"
    return WriteError(f"{head} while writing {what} to {path}; {consequence}", code)


class GuardedH5:
    """An h5py file on a :class:`GuardedFile`, and what to say if a write fails.

    Attributes
    ----------
    file : h5py.File
        The open file.
    raw : GuardedFile
        Its storage; ``raw.error`` is the first failed write.
    """

    def __init__(self, file: h5py.File, raw: GuardedFile, target: Path, what: str, consequence: str) -> None:
        self.file = file
        self.raw = raw
        self.target = target
        self.what = what
        self.consequence = consequence

    def check(self) -> None:
        """Raise the :class:`WriteError` of the first failed write, if any (writers call it between steps)."""
        guard_error(self.raw, self.target, self.what, self.consequence)


@contextmanager
def guarded_h5(path: str | Path, mode: str, *, what: str, target: str | Path | None = None,
               consequence: str = "nothing was replaced") -> Iterator[GuardedH5]:
    """Open ``path`` with h5py on a :class:`GuardedFile`; raise a :class:`WriteError` after closing if a write failed.

    Parameters
    ----------
    path : path
        The file HDF5 writes (a temporary file, or a sweep file being filled).
    mode : {"w", "r+"}
        Create, or open an existing file for writing.
    what, target, consequence : str
        For the message: what is written, the file the user asked for (default ``path``), and
        what became of the files.

    Raises
    ------
    WriteError
        If any write failed (the HDF5 file was closed normally all the same); an exception of
        the block is chained to it.
    """
    if mode not in ("w", "r+"):
        raise ValueError(f"mode {mode!r}: must be 'w' or 'r+'")
    raw = GuardedFile(path, create=mode == "w")
    try:
        f = h5py.File(raw, mode)
    except BaseException:
        raw.close()
        raise
    handle = GuardedH5(f, raw, Path(target or path), what, consequence)
    try:
        try:
            yield handle
        finally:
            f.close()
            if mode == "w":
                raw.fsync()
    except BaseException as exc:
        if raw.error is not None and not isinstance(exc, WriteError):
            raw.close()
            raise describe_write_error(raw.error, handle.target, what, consequence) from exc
        raw.close()
        raise
    raw.close()
    handle.check()


def guard_error(raw: GuardedFile, target: str | Path, what: str, consequence: str) -> None:
    """Raise the :class:`WriteError` of a :class:`GuardedFile` whose write failed (nothing if none did)."""
    if raw.error is not None:
        raise describe_write_error(raw.error, Path(target), what, consequence)
