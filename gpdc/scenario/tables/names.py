"""Names the scenario schema checks against: load archetypes and windpowerlib's turbine types.

Read from data — ``load_archetypes.csv`` here and the turbine library that windpowerlib
ships — so that validating a scenario imports no profile model.
"""

from __future__ import annotations

import functools
from importlib.util import find_spec
from pathlib import Path

import pandas as pd

from gpdc.scenario.tables.core import keys

__all__ = ["load_archetypes", "turbine_types"]


def load_archetypes() -> list[str]:
    """Return the load archetypes of ``load_archetypes.csv``, sorted."""
    return keys("load_archetypes", "archetype")


@functools.lru_cache(maxsize=1)
def turbine_types() -> list[str]:
    """Return the turbine types with a power curve in windpowerlib's packaged library (``oedb/turbine_data.csv``), sorted."""
    # found, not imported: importlib.resources.files would import windpowerlib, and with it requests
    # (0.05 s of CPU in every run and sweep that validates a scenario)
    spec = find_spec("windpowerlib")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("No module named 'windpowerlib'", name="windpowerlib")
    with (Path(spec.origin).parent / "oedb" / "turbine_data.csv").open("r", encoding="utf-8") as fh:
        table = pd.read_csv(fh)
    return sorted(table.loc[table["has_power_curve"].astype(bool), "turbine_type"].astype(str))
