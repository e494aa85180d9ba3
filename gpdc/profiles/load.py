"""Load archetypes: hourly shapes of industrial users, scaled to annual energy or peak.

Each archetype is a function ``shape(index, rng) -> ndarray`` of relative load (about 1 on
average); its docstring says what the shape is and where it comes from.  The shape
parameters live in ``profile_defaults.csv`` with their sources.  :func:`load_profile`
scales a shape to the user's annual energy or peak exactly.  A user CSV
(``profiles.source = "csv"``) always wins over an archetype.

To add an archetype: write the shape function, put its parameters in the CSV, and
register it in :data:`ARCHETYPES` (the scenario schema validates names against it).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from gpdc.errors import ProfileError
from gpdc.profiles.calibrate import ar1_normal, default, mid_hour

__all__ = [
    "ARCHETYPES",
    "cement",
    "data_centre",
    "electrolytic_aluminium",
    "flat",
    "load_profile",
    "three_shift_factory",
]

_YEAR_DAYS = 365.25


def _noise(n: int, prefix: str, rng: np.random.Generator) -> np.ndarray:
    """AR(1) relative noise with ``{prefix}_noise_sd`` and ``{prefix}_noise_lag1`` from the CSV."""
    return default(f"{prefix}_noise_sd") * ar1_normal(n, default(f"{prefix}_noise_lag1"), rng)


def _in_window(hour: np.ndarray, start: float, end: float) -> np.ndarray:
    """Clock hours in ``[start, end)``, wrapping past midnight when ``start > end``."""
    if start <= end:
        return (hour >= start) & (hour < end)
    return (hour >= start) | (hour < end)


def flat(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Constant load: a reference case, and users who give only an annual energy.

    Draws nothing from ``rng``.
    """
    return np.ones(len(index))


def data_centre(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Return a data-centre shape: near-flat IT load plus cooling in summer and in the afternoon.

    Inner Mongolia hubs cool for free for up to six months a year (Xinhua, 24 Jan 2026;
    tariffs-resources-loads.md §5.1), so mechanical cooling adds load only in the warm half
    of the year: ``datacentre_cooling_swing`` at its height (PUE about 1.12 -> 1.25,
    recalled), zero for ``datacentre_free_cooling_fraction`` of the year.  The day is
    near-flat with a small afternoon cooling bump (load factor 0.7-0.9 recalled), larger
    in the cooling season (on the local clock); IT load varies a little from hour to hour
    (AR(1)).
    """
    doy = (index + pd.Timedelta(minutes=30)).day_of_year.to_numpy()
    hour = mid_hour(index)
    season = np.cos(2.0 * np.pi * (doy - default("datacentre_cooling_peak_day")) / _YEAR_DAYS)
    # cooling runs where the seasonal cosine exceeds the threshold that leaves the free-cooling share
    threshold = np.cos(np.pi * (1.0 - default("datacentre_free_cooling_fraction")))
    cooling = np.clip((season - threshold) / (1.0 - threshold), 0.0, 1.0)
    diurnal = (
        default("datacentre_diurnal_swing")
        * (1.0 + cooling)
        * np.cos(2.0 * np.pi * (hour - default("datacentre_diurnal_peak_hour")) / 24.0)
    )
    return 1.0 + default("datacentre_cooling_swing") * cooling + diurnal + _noise(len(index), "datacentre", rng)


def cement(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Cement plant: the kiln line runs continuously, the mills are shifted to night hours.

    Raw-meal and cement mills can be shifted because the intermediate products (raw meal,
    clinker) are stored; the kiln cannot (tariffs-resources-loads.md §5.2).  The kiln line
    takes ``cement_kiln_share`` (about 55 %, from kiln 50-60 of 85-110 kWh/t, recalled) of
    plant electricity with small AR(1) variation; the mills run at full load in the night
    valley (23-07), mostly stop in the evening peak (18-22, the Mengxi peak of
    tariffs-resources-loads.md §1.1) and run part-loaded otherwise.  Not modelled: the
    winter staggered-production stops of northern kilns and maintenance outages.
    """
    kiln_share = default("cement_kiln_share")
    hour = index.hour.to_numpy()
    valley = _in_window(hour, default("cement_mill_valley_start_h"), default("cement_mill_valley_end_h"))
    peak = _in_window(hour, default("cement_mill_peak_start_h"), default("cement_mill_peak_end_h"))
    mill = np.where(
        valley,
        default("cement_mill_valley_factor"),
        np.where(peak, default("cement_mill_peak_factor"), default("cement_mill_other_factor")),
    )
    mill = mill / mill.mean()
    return kiln_share * (1.0 + _noise(len(index), "cement", rng)) + (1.0 - kiln_share) * mill


def electrolytic_aluminium(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Electrolytic aluminium: pot lines run flat 24/7 at a very high load factor.

    A long outage freezes the pots, so the load is near-constant with a small, slow
    modulation of the line current (tariffs-resources-loads.md §5.3: near-flat, VERIFIED
    paraphrased; ±5-10 % modulation for hours, recalled).
    """
    return 1.0 + _noise(len(index), "aluminium", rng)


def three_shift_factory(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Three-shift factory: continuous on weekdays, reduced on Saturdays and Sundays.

    Three shifts keep the working days flat around the clock; the weekend level
    ``factory_weekend_factor`` is a modelling choice (no source).  Public holidays (Spring
    Festival) are not modelled.
    """
    weekend = index.day_of_week.to_numpy() >= 5
    base = np.where(weekend, default("factory_weekend_factor"), 1.0)
    return base * (1.0 + _noise(len(index), "factory", rng))


#: Name -> shape function ``(index, rng) -> relative load``.
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

    Parameters
    ----------
    archetype : str
        A key of :data:`ARCHETYPES`.
    index : pandas.DatetimeIndex
        Hour-beginning timestamps (local time; weekdays and hours on the local clock).
    rng : numpy.random.Generator
        Random stream (seeded by the caller).
    annual_mwh : float, optional
        Energy over ``index`` [MWh] (hourly steps: the sum of MW values).
    peak_mw : float, optional
        Largest hourly load [MW].  Give exactly one of ``annual_mwh`` and ``peak_mw``.

    Returns
    -------
    ndarray
        float64, C-contiguous, >= 0.

    Raises
    ------
    ProfileError
        For an unknown archetype (the message lists the valid ones), when not exactly one
        of ``annual_mwh`` and ``peak_mw`` is given, or when that value is not > 0.
    """
    if archetype not in ARCHETYPES:
        raise ProfileError(f"unknown load archetype {archetype!r}; valid: {', '.join(sorted(ARCHETYPES))}")
    if (annual_mwh is None) == (peak_mw is None):
        raise ProfileError(
            f"give exactly one of annual_mwh or peak_mw for the load (got annual_mwh={annual_mwh!r}, "
            f"peak_mw={peak_mw!r})"
        )
    name, target = ("annual_mwh", annual_mwh) if annual_mwh is not None else ("peak_mw", float(peak_mw or 0.0))
    if not (np.isfinite(target) and target > 0.0):
        raise ProfileError(f"{name} = {target!r} is invalid: must be > 0")
    shape = np.clip(np.asarray(ARCHETYPES[archetype](index, rng), dtype=np.float64), 0.0, None)
    if annual_mwh is not None:
        out = shape * (annual_mwh / shape.sum())
    else:
        out = shape * (peak_mw / shape.max())
        out[np.argmax(shape)] = peak_mw  # exact, not one rounding away
    return np.ascontiguousarray(out, dtype=np.float64)
