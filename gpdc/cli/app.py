"""The typer application and what every command shares: consoles, exit codes, ``--set``, error reporting."""

from __future__ import annotations

import errno
import tomllib
from typing import Any

import typer
from rich.console import Console

from gpdc.errors import ConsistencyWarning, GpdcError, KernelCacheWarning, SchedulerWarning

__all__ = ["EXIT_INPUT", "EXIT_INTERNAL", "SHOWN_WARNINGS", "app", "err", "fail", "out", "parse_sets"]

app = typer.Typer(
    name="gpdc",
    help="Simulate green power direct connection (绿电直连) projects hour by hour.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

EXIT_INPUT = 2
EXIT_INTERNAL = 3
#: warnings the commands print as ``warning: ...`` lines
SHOWN_WARNINGS = (ConsistencyWarning, KernelCacheWarning, SchedulerWarning)
#: operating-system errors that are the machine's state, not a bug: printed as errors (exit 2)
_OS_STATE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO)


def parse_sets(items: list[str] | None) -> dict[str, Any]:
    """``["storage.energy_mwh=400", "name=x"]`` -> ``{"storage.energy_mwh": 400, "name": "x"}``."""
    result: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise typer.BadParameter(f"--set {item!r}: expected FIELD=VALUE, e.g. storage.energy_mwh=400")
        key, raw = item.split("=", 1)
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except (tomllib.TOMLDecodeError, RecursionError):
            value = raw
        result[key.strip()] = value
    return result


def fail(exc: BaseException, debug: bool) -> None:
    """Print an error as a message (exit 2 for gpdc's own, 3 for a bug) or re-raise it under ``--debug``."""
    if debug:
        raise exc
    if isinstance(exc, GpdcError):
        err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        raise typer.Exit(EXIT_INPUT)
    if isinstance(exc, OSError) and exc.errno in _OS_STATE:  # e.g. a full disk met outside gpdc's writers
        where = f" ({exc.filename})" if exc.filename else ""
        err.print(f"[bold red]error:[/] {exc.strerror or exc}{where}", highlight=False)
        raise typer.Exit(EXIT_INPUT)
    err.print(
        f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n"
        "This is a bug in gpdc; rerun with --debug for the traceback and report it.",
        highlight=False,
    )
    raise typer.Exit(EXIT_INTERNAL)


