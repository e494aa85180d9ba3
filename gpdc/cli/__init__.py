"""The ``gpdc`` command line (typer + rich): ``gpdc run | sweep | size | validate | profiles | info``.

:mod:`.app` holds the application and what every command shares, :mod:`.render` the tables,
:mod:`.commands` the commands.  Thin by design: parse, call the layers below, print.
"""

from __future__ import annotations

import sys

from gpdc.cli import commands  # noqa: F401 - registers the commands on the app
from gpdc.cli.app import app, err

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``gpdc`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted — rerun the same command to resume (a sweep keeps every finished chunk)")
        sys.exit(130)


