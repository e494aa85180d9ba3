"""The ``gpdc`` command line (typer + rich): ``gpdc run | sweep | size | validate | profiles | info | report``.

Also ``gpdc export`` and ``gpdc verify``.

:mod:`.app` holds the application and what every command shares, :mod:`.render` the tables,
:mod:`.commands` the study commands, :mod:`.report` the reports.  Thin by design: parse, call the
layers below, print.
"""

from __future__ import annotations

import sys

from gpdc.cli import commands, report  # noqa: F401 - importing them registers their commands on the app
from gpdc.cli.app import app, err

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``gpdc`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted — rerun the same command to resume (a sweep keeps every finished chunk)")
        sys.exit(130)


