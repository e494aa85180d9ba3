"""Shared helpers: the generator defaults table and full-load-hour calibration."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from gpdc.errors import DataTableError, ProfileError


@lru_cache(maxsize=1)
def _defaults() -> pd.DataFrame:
    path = files("gpdc.profiles") / "data" / "profile_defaults.csv"
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"name": str}).set_index("name")


def default(name: str) -> float:
    """Return a generator default from ``profile_defaults.csv`` (with its source there).

    Raises
    ------
    DataTableError
        If ``name`` is not in the table; the message lists the valid names.
    """
    table = _defaults()
    if name not in table.index:
        raise DataTableError(f"unknown profile default {name!r}; valid: {', '.join(table.index)}")
    return float(table.loc[name, "value"])


def calibrate_scale(
    cf_of_scale: Callable[[float], np.ndarray],
    target_sum: float,
    lo: float,
    hi: float,
    what: str,
) -> tuple[float, np.ndarray]:
    """Find the scale at which ``cf_of_scale(scale).sum() == target_sum`` (to 1e-9 relative).

    ``cf_of_scale`` must be non-decreasing in the scale.  Raises :class:`ProfileError` naming
    the target and the largest reachable value when the target cannot be met.
    """
    top = float(cf_of_scale(hi).sum())
    if target_sum > top:
        raise ProfileError(
            f"{what}: {target_sum:.1f} full-load hours cannot be reached; the most this resource and "
            f"year allow is {top:.1f} h"
        )
    bottom = float(cf_of_scale(lo).sum())
    if target_sum <= bottom:
        raise ProfileError(f"{what}: {target_sum:.1f} full-load hours is below the least reachable {bottom:.1f} h")
    scale = brentq(lambda s: float(cf_of_scale(s).sum()) - target_sum, lo, hi, xtol=1e-12, rtol=1e-13, maxiter=500)
    return scale, cf_of_scale(scale)
