"""Reading input files safely: regular files only, a size limit, text decoded with the byte offset of a fault.

Every file a scenario names (profiles, weather, tariffs, prices, factors, power curves, designs)
and the scenario file itself is read through :func:`read_bytes` and, for text,
:func:`decode_text`:

* only a **regular file** is read — a device (``/dev/zero`` would never end), a FIFO (opened
  without blocking, then refused), a socket or a folder is refused with what it is;
* at most :func:`max_bytes` bytes (256 MiB; the environment variable ``GPDC_MAX_INPUT_MB``
  changes it): a larger file is refused with its size, and no more than the limit is ever
  read, even from files that do not report their size (``/proc``);
* text must be UTF-8 (a byte-order mark is allowed) without NUL bytes; otherwise the message
  names the file, the **byte offset** (and line and column) of the first bad byte.

Error messages that quote a file's first line (the columns a CSV has) go through
:func:`header_for_message`, which shows the header only when it reads as a comma-separated
header, so that a scenario pointing at ``/proc/self/environ`` or ``/etc/passwd`` cannot make
gpdc print that file.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from gpdc.errors import InputFileError

__all__ = ["DEFAULT_MAX_MB", "decode_text", "header_for_message", "max_bytes", "read_bytes", "read_text"]

#: default limit on an input file [MiB]
DEFAULT_MAX_MB = 256.0


def max_bytes() -> int:
    """The largest input file gpdc reads [bytes]: ``GPDC_MAX_INPUT_MB`` MiB, else :data:`DEFAULT_MAX_MB`."""
    raw = os.environ.get("GPDC_MAX_INPUT_MB")
    try:
        mb = float(raw) if raw else DEFAULT_MAX_MB
    except ValueError:
        mb = DEFAULT_MAX_MB
    if not mb > 0:
        mb = DEFAULT_MAX_MB
    return int(mb * 1024 * 1024)


def _size_text(n: float) -> str:
    if n >= 2**20:
        return f"{n / 2**20:,.1f} MiB"
    if n >= 2**10:
        return f"{n / 2**10:,.1f} KiB"
    return f"{int(n)} bytes"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(path: str | Path, what: str = "input file") -> bytes:
    """Return the content of the regular file ``path``, refusing anything else and anything too large.

    Parameters
    ----------
    path : str or Path
        The file.
    what : str
        What it is, for messages (``"profile CSV"``, ``"scenario file"``).

    Raises
    ------
    InputFileError
        ``PATH: file not found``, ``PATH: is a character device, not a regular file``,
        ``PATH: is 300.0 MiB; input files are limited to 256 MiB``, or ``PATH: cannot be read
        (reason)``.
    """
    p = Path(path)
    limit = max_bytes()
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputFileError(f"{p}: file not found ({what})") from None
    except IsADirectoryError:
        raise InputFileError(f"{p}: is a folder, not a regular file ({what})") from None
    except OSError as exc:
        raise InputFileError(f"{p}: cannot be read ({exc.strerror or exc}) ({what})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(f"{p}: is {_kind(info.st_mode)}, not a regular file; gpdc reads only regular "
                                 f"files ({what})")
        if info.st_size > limit:
            raise InputFileError(f"{p}: is {_size_text(info.st_size)}; input files are limited to "
                                 f"{_size_text(limit)} (set GPDC_MAX_INPUT_MB to change it) ({what})")
        chunks = []
        total = 0
        while True:
            try:
                block = os.read(fd, min(1 << 20, limit + 1 - total))
            except BlockingIOError:
                block = b""
            if not block:
                break
            chunks.append(block)
            total += len(block)
            if total > limit:
                raise InputFileError(f"{p}: holds more than {_size_text(limit)}; input files are limited to "
                                     f"that (set GPDC_MAX_INPUT_MB to change it) ({what})")
        return b"".join(chunks)
    except OSError as exc:
        raise InputFileError(f"{p}: cannot be read ({exc.strerror or exc}) ({what})") from None
    finally:
        os.close(fd)


def decode_text(raw: bytes, path: str | Path, what: str = "input file") -> str:
    """Decode UTF-8 text (a leading byte-order mark dropped); name the byte offset of the first bad byte.

    Raises
    ------
    InputFileError
        ``PATH: is not UTF-8 text: byte 0xff at byte offset 1234 (line 5, column 17)``, or
        ``PATH: contains a NUL byte at byte offset 12 (line 1, column 13): a binary file, not text``.
    """
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    base = 3 if bom else 0

    def where(offset: int) -> str:
        line = raw.count(b"\n", 0, offset) + 1
        col = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
        return f"byte offset {offset} (line {line}, column {col})"

    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        off = base + int(exc.start)
        raise InputFileError(f"{path}: is not UTF-8 text: byte 0x{raw[off]:02x} at {where(off)} ({what}); save it "
                             "as UTF-8") from None
    nul = body.find(b"\x00")
    if nul >= 0:
        raise InputFileError(f"{path}: contains a NUL byte at {where(base + nul)}: a binary file, not text ({what})")
    return text


def read_text(path: str | Path, what: str = "input file") -> str:
    """:func:`read_bytes` then :func:`decode_text`."""
    return decode_text(read_bytes(path, what), path, what)


_NAME = re.compile(r"[\w .()/%\[\]+-]{1,64}")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")


def header_for_message(columns: list[str] | tuple[str, ...]) -> str:
    """The columns of a CSV header as a message may show them — or a neutral phrase if they do not read as one.

    A header is shown when it has two or more names, each short and made of letters, digits,
    spaces and ``_ . ( ) / % [ ] + -``, or one name that looks like an identifier; anything
    else (a line of ``/etc/passwd``, ``KEY=value`` text, control characters) is described, not
    quoted.
    """
    names = [str(c).strip() for c in columns]
    if len(names) == 1 and _IDENTIFIER.fullmatch(names[0]):
        return names[0]
    if 2 <= len(names) <= 200 and all(_NAME.fullmatch(n) for n in names):
        return ", ".join(names)
    return f"(not shown: the first line does not read as a comma-separated header; {len(names)} field" \
           f"{'s' if len(names) != 1 else ''})"
