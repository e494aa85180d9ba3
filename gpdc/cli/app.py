"""The typer application and what every command shares: consoles, exit codes, ``--set``, error reporting."""

from __future__ import annotations

import errno
import tomllib
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

from gpdc.errors import (
    ConsistencyWarning,
    GpdcError,
    InputError,
    KernelCacheWarning,
    SchedulerWarning,
    command_line_spelling,
)

__all__ = ["EXIT_INPUT", "EXIT_INTERNAL", "SHOWN_WARNINGS", "app", "err", "fail", "note", "out", "parse_sets", "styled",
           "warning", "written"]

app = typer.Typer(
    name="gpdc",
    help="Simulate green power direct connection (绿电直连) projects hour by hour.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts are plain: "[sweep]" and "gpdc[plot]" print as written
)
# Text is printed as written: no console markup, no emoji codes, no highlighting.  A message
# about "[[products]]", the extra "gpdc[plot]" or a range "0:100:0" (an emoji code) must reach the
# user intact; styles are given explicitly (styled) instead of as markup in the text.  Messages
# (errors, warnings, notes, paths written) are not wrapped by rich: the terminal wraps them, and a
# path or value copied from them is whole.
out = Console(markup=False, emoji=False, highlight=False)
err = Console(stderr=True, markup=False, emoji=False, highlight=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Plain and styled pieces of one line, ``("PASS", "green")``: nothing in them is read as markup."""
    return Text.assemble(*parts)


def warning(message: object) -> None:
    """Print a warning on standard error."""
    err.print(styled(("warning:", "yellow"), " ", str(message)), soft_wrap=True)


def note(message: object) -> None:
    """Print a note on standard error."""
    err.print(styled(("note:", "yellow"), " ", str(message)), soft_wrap=True)


def written(what: str, path: object, after: str = "") -> None:
    """Say where an output was written: ``results written to PATH``."""
    out.print(styled(f"{what} written to ", (str(path), "bold"), after), soft_wrap=True)

EXIT_INPUT = 2
EXIT_INTERNAL = 3
#: warnings the commands print as ``warning: ...`` lines
SHOWN_WARNINGS = (ConsistencyWarning, KernelCacheWarning, SchedulerWarning)
#: operating-system errors that are the machine's state, not a bug: printed as errors (exit 2)
_OS_STATE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO)


def _version(value: bool) -> None:
    if value:
        from gpdc._version import __version__

        out.print(f"gpdc {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="print the version and exit", callback=_version,
                                 is_eager=True),
) -> None:
    """Simulate green power direct connection (绿电直连) projects hour by hour."""
    spelling = command_line_spelling()  # messages name --options, not Python keywords
    spelling.__enter__()
    ctx.call_on_close(lambda: spelling.__exit__(None, None, None))


def parse_sets(items: list[str] | None) -> dict[str, Any]:
    """``["storage.energy_mwh=400", "name=x"]`` -> ``{"storage.energy_mwh": 400, "name": "x"}``."""
    result: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise InputError(f"--set {item!r} is invalid: expected FIELD=VALUE, e.g. --set storage.energy_mwh=400")
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
        err.print(styled(("error:", "bold red"), " ", str(exc)), soft_wrap=True)  # paths unbroken, to copy
        raise typer.Exit(EXIT_INPUT)
    if isinstance(exc, OSError) and exc.errno in _OS_STATE:  # e.g. a full disk met outside gpdc's writers
        where = f" ({exc.filename})" if exc.filename else ""
        err.print(styled(("error:", "bold red"), f" {exc.strerror or exc}{where}"), soft_wrap=True)
        raise typer.Exit(EXIT_INPUT)
    err.print(styled(("internal error:", "bold red"), f" {type(exc).__name__}: {exc}\n"
                     "This is a bug in gpdc; rerun with --debug for the traceback and report it."), soft_wrap=True)
    raise typer.Exit(EXIT_INTERNAL)


