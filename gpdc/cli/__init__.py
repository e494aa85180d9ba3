"""The ``gpdc`` command line (typer + rich): ``gpdc run | sweep | size | validate | profiles | info | report``.

Also ``gpdc export`` and ``gpdc verify``.

:mod:`.app` holds the application and what every command shares, :mod:`.render` the tables,
:mod:`.commands` the study commands, :mod:`.report` the reports.  Thin by design: parse, call the
layers below, print.
"""

from __future__ import annotations

import sys
from typing import NoReturn

from gpdc.cli import commands, report  # noqa: F401 - importing them registers their commands on the app
from gpdc.cli.app import app, err

__all__ = ["app", "console", "main"]


_INTERRUPTED = "interrupted — rerun the same command to resume (a sweep keeps every finished chunk)"


def _from_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` was raised while handling a KeyboardInterrupt (typer turns Ctrl-C into ``SystemExit(130)``)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, KeyboardInterrupt):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False


def main() -> None:
    """Run the command line on ``sys.argv``; raises ``SystemExit`` with the exit status, as click does.

    Ctrl-C ends with status 130 and says how to go on (typer itself exits 130 without a word).
    """
    try:
        app()
    except KeyboardInterrupt:
        err.print(_INTERRUPTED)
        sys.exit(130)
    except SystemExit as exc:
        if exc.code == 130 and _from_interrupt(exc):
            err.print(_INTERRUPTED)
        raise


def console() -> NoReturn:
    """Entry point of the installed ``gpdc`` script: :func:`main`, then the end of the process.

    The process ends without the interpreter's teardown where nothing can be lost by that
    (:mod:`gpdc.cli.process_exit`: 0.3-0.5 s of CPU a command).
    """
    import gc

    from gpdc.cli.process_exit import exit_process

    # A command imports numba, xarray and pandas (a million objects that live as long as the
    # process); with the collector's default thresholds the full collections that each import
    # wave sets off cost 0.13-0.14 s of a 1.7 s `gpdc run` and find nothing.  Ten times fewer full
    # collections (every 100 collections of the middle generation, not 10); the young ones run as
    # before, so cycles made by a long sweep are still freed (issue 19).
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 100)
    try:
        main()
    except SystemExit as exc:
        exit_process(exc.code)
    exit_process(0)


