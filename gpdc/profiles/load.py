"""Load archetypes: hourly shapes of industrial users, scaled to annual energy or peak.

Each archetype is a function ``shape(index, rng) -> ndarray`` of relative load; its
docstring says what the shape is and where it comes from.  The shape parameters live in
``profile_defaults.csv`` with their sources.  A user CSV (``profiles.source = "csv"``)
always wins over an archetype.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from gpdc.errors import ProfileError
from gpdc.profiles.calibrate import default


def _ar1(n: int, phi: float, sd: float, rng: np.random.Generator) -> np.ndarray:
    eps = rng.standard_normal(n) * sd * np.sqrt(1.0 - phi * phi)
    x = np.empty(n)
    x[0] = eps[0] / np.sqrt(1.0 - phi * phi) if phi < 1 else eps[0]
    for t in range(1, n):
        x[t] = phi * x[t - 1] + eps[t]
    return x


def flat(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Constant load: a reference case, and users who give only an annual energy."""
    return np.ones(len(index))


def data_centre(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Data centre: near-flat IT load plus cooling that rises in summer and in the afternoon.

    Inner Mongolia hubs cool for free about half the year (Xinhua 2026; tariffs-resources-
    loads.md §5.1), so the seasonal swing comes from summer cooling; the daily profile is
    near-flat with a small afternoon cooling bump.
    """
    doy = index.day_of_year.to_numpy()
    hour = index.hour.to_numpy() + 0.5
    seasonal = default("datacentre_seasonal_swing") * np.cos(2.0 * np.pi * (doy - 200) / 365.25)
    diurnal = default("datacentre_diurnal_swing") * np.cos(2.0 * np.pi * (hour - 15.0) / 24.0)
    noise = _ar1(len(index), 0.8, default("datacentre_noise_sd"), rng)
    return 1.0 + seasonal + diurnal + noise


def cement(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Cement plant: the kiln line runs continuously, the mills are shifted to night hours.

    Raw-meal and cement mills can be shifted because intermediate products are stored; the
    kiln cannot (tariffs-resources-loads.md §5.2).  Kiln share of plant electricity about
    55 %; mills at full load 23:00-07:00 and partly loaded otherwise.
    """
    kiln_share = default("cement_kiln_share")
    hour = index.hour.to_numpy()
    night = (hour >= 23) | (hour < 7)
    mill = np.where(night, default("cement_mill_night_factor"), default("cement_mill_day_factor"))
    mill = mill / mill.mean()
    noise = _ar1(len(index), 0.7, 0.02, rng)
    return kiln_share * (1.0 + noise) + (1.0 - kiln_share) * mill


def electrolytic_aluminium(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Electrolytic aluminium: pot lines run flat 24/7 at a very high load factor.

    A long outage freezes the pots, so the load is near-constant with a small modulation
    (tariffs-resources-loads.md §5.3).
    """
    return 1.0 + _ar1(len(index), 0.95, default("aluminium_noise_sd"), rng)


def three_shift_factory(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Three-shift factory: continuous on weekdays, reduced on Saturdays and Sundays."""
    weekend = index.day_of_week.to_numpy() >= 5
    base = np.where(weekend, default("factory_weekend_factor"), 1.0)
    return base * (1.0 + _ar1(len(index), 0.8, 0.02, rng))


ARCHETYPES: dict[str, Callable[[pd.DatetimeIndex, np.random.Generator], np.ndarray]] = {
    "flat": flat,
    "data_centre": data_centre,
    "cement": cement,
    "electrolytic_aluminium": electrolytic_aluminium,
    "three_shift_factory": three_shift_factory,
}


def load_profile(
    archetype: str,
    index: pd.DatetimeIndex,
    rng: np.random.Generator,
    *,
    annual_mwh: float | None = None,
    peak_mw: float | None = None,
) -> np.ndarray:
    """Hourly load [MW] of an archetype, scaled to its annual energy or to its peak exactly.

    Raises
    ------
    ProfileError
        For an unknown archetype (the message lists the valid ones) or when not exactly one
        of ``annual_mwh`` and ``peak_mw`` is given.
    """
    if archetype not in ARCHETYPES:
        raise ProfileError(f"unknown load archetype {archetype!r}; valid: {', '.join(sorted(ARCHETYPES))}")
    if (annual_mwh is None) == (peak_mw is None):
        raise ProfileError("give exactly one of annual_mwh or peak_mw for the load")
    shape = np.clip(ARCHETYPES[archetype](index, rng), 0.0, None)
    if annual_mwh is not None:
        out = shape * (annual_mwh / shape.sum())  # hourly steps: MW x 1 h = MWh
    else:
        out = shape * (peak_mw / shape.max())
    return np.ascontiguousarray(out, dtype=np.float64)
