"""Scenario files written by gpdc (a sized design, a new project): complete TOML, atomically."""

from __future__ import annotations

from pathlib import Path

from gpdc.io.atomic import atomic_path
from gpdc.scenario.load import to_toml
from gpdc.scenario.schema import Scenario

__all__ = ["write_scenario"]


def write_scenario(path: str | Path, scenario: Scenario, note: str = "") -> Path:
    """Write ``scenario`` as a complete TOML file (every field, defaults included) with ``note`` as a comment.

    ``gpdc run`` on the file reproduces the scenario exactly (``load_scenario`` of it validates to an
    equal scenario).

    Raises
    ------
    ResultsFileError
        If the file cannot be written; the target is then left as it was.
    """
    path = Path(path)
    head = "".join(f"# {line}\n" for line in note.splitlines()) if note else ""
    head += "# written by gpdc: every field is given, the defaults included\n\n"
    with atomic_path(path, "scenario file") as tmp:
        tmp.write_text(head + to_toml(scenario), encoding="utf-8")
    return path
