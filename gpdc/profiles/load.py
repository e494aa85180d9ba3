"""Load archetypes: hourly shapes of industrial users, scaled to annual energy or peak.

Each archetype is a function ``shape(index, rng) -> ndarray`` of relative load (about 1 on
average); its docstring says what the shape is and where it comes from.  The shape
parameters live in ``profile_defaults.csv`` with their sources.  :func:`load_profile`
scales a shape to the user's annual energy or peak exactly.  A user CSV
(``profiles.source = "csv"``) always wins over an archetype.

To add an archetype: write the shape function, put its parameters in the CSV, and
register it in :data:`ARCHETYPES` and name it in ``gpdc/scenario/data/load_archetypes.csv`` (the
scenario schema validates names against that table; a test holds the two equal).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd

from gpdc.errors import ProfileError
from gpdc.profiles.calibrate import ar1_normal, default, mid_hour

__all__ = [
    "ARCHETYPES",
    "cement",
    "data_centre",
    "electric_arc_steel",
    "electrolytic_aluminium",
    "ev_fleet",
    "flat",
    "load_profile",
    "non_working_days",
    "one_shift_factory",
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


@lru_cache(maxsize=1)
def _holiday_table() -> pd.DataFrame:
    path = files("gpdc.profiles") / "data" / "holidays_cn.csv"
    with path.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def non_working_days(index: pd.DatetimeIndex) -> np.ndarray:
    """Flag hours on a Chinese non-working day (weekend or public holiday, local clock).

    Years listed in ``data/holidays_cn.csv`` (the State Council holiday notices, with the
    make-up working days on weekends) use it exactly; other years fall back to weekends
    plus the fixed-date holidays (1 January, 1-5 May, 1-7 October): the lunar-calendar
    holidays (Spring Festival, Qingming, Dragon Boat, Mid-Autumn) are then missing.
    """
    table = _holiday_table()
    local = index.tz_localize(None) if index.tz is not None else index
    dates = local.normalize()
    off = local.day_of_week.to_numpy() >= 5
    listed_years = {int(d[:4]) for d in table["date"]}
    years = local.year.to_numpy()
    for kind, value in (("holiday", True), ("workday", False)):
        days = pd.DatetimeIndex(pd.to_datetime(table.loc[table["kind"] == kind, "date"]))
        off = np.where(dates.isin(days), value, off)
    month, mday = local.month.to_numpy(), local.day.to_numpy()
    fixed = ((month == 1) & (mday == 1)) | ((month == 5) & (mday <= 5)) | ((month == 10) & (mday <= 7))
    unlisted = ~np.isin(years, sorted(listed_years))
    return np.asarray(off | (unlisted & fixed), dtype=bool)


def three_shift_factory(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Three-shift factory: continuous on working days, reduced on weekends and holidays.

    Three shifts keep the working days flat around the clock; on weekends and Chinese
    public holidays (:func:`non_working_days`) the load drops to ``factory_weekend_factor``
    (a modelling choice, no source).
    """
    base = np.where(non_working_days(index), default("factory_weekend_factor"), 1.0)
    return base * (1.0 + _noise(len(index), "factory", rng))


def one_shift_factory(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """One-shift factory: full load in the day shift of working days, base load otherwise.

    Shift ``one_shift_start_h``-``one_shift_end_h`` on the local clock on working days
    (weekends and Chinese public holidays off, :func:`non_working_days`); outside it
    ``one_shift_base_frac`` of the shift load (lighting, compressors, standby).  All three
    numbers are modelling choices (no source).
    """
    hour = index.hour.to_numpy()
    shift = _in_window(hour, default("one_shift_start_h"), default("one_shift_end_h")) & ~non_working_days(index)
    base = np.where(shift, 1.0, default("one_shift_base_frac"))
    return base * (1.0 + _noise(len(index), "factory", rng))


def electric_arc_steel(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Electric-arc-furnace steel: batch melting at full power, auxiliaries between heats.

    A heat lasts ``steel_tap_to_tap_h`` (about 90 min, steeluniversity) with the arc on
    for ``steel_power_on_frac`` of it (0.6-0.7, derived from 37 min power-on per heat;
    tariffs-resources-loads.md §5.4); between melts the ladle furnace and auxiliaries draw
    ``steel_aux_frac``.  The hourly value is the mean power over the hour of a sequence of
    heats whose start times jitter (uniform, up to one heat).  No melting in the evening
    peak (``steel_peak_stop_*``): "mills operate during off-peak hours" where TOU prices
    apply (§5.4).  Draws one uniform per hour.
    """
    n = len(index)
    t2t = default("steel_tap_to_tap_h")
    on = default("steel_power_on_frac")
    aux = default("steel_aux_frac")
    # minute grid: arc on in the first `on` share of each heat; heats shifted by a random phase per day
    minutes = np.arange(n * 60) / 60.0
    day = np.repeat(np.arange(n) // 24, 60)
    phase = rng.uniform(0.0, t2t, size=n)[::24][day] if n else np.zeros(0)
    arc = ((minutes + phase) % t2t) < on * t2t
    hour = index.hour.to_numpy()
    stop = np.repeat(_in_window(hour, default("steel_peak_stop_start_h"), default("steel_peak_stop_end_h")), 60)
    power = np.where(arc & ~stop, 1.0, aux)
    return power.reshape(n, 60).mean(axis=1)


def ev_fleet(index: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Depot-charged electric fleet (buses, trucks): overnight charging and a midday top-up.

    Charging from ``ev_depot_arrival_h`` to ``ev_depot_departure_h`` (overnight, the first
    hours hardest as batteries are emptiest: a linear taper to half), midday opportunity
    charging 11-14 at ``ev_midday_frac``, ``ev_weekend_frac`` of the energy on weekends
    and holidays, and small day-to-day variation (AR(1)).  Modelling choices; no source
    for the Chinese fleet shape was found.
    """
    hour = index.hour.to_numpy().astype(np.float64)
    arr, dep = default("ev_depot_arrival_h"), default("ev_depot_departure_h")
    night = _in_window(hour, arr, dep)
    since = (hour - arr) % 24.0
    span = (dep - arr) % 24.0
    taper = 1.0 - 0.5 * since / span
    midday = _in_window(hour, 11.0, 14.0)
    shape = np.where(night, taper, np.where(midday, default("ev_midday_frac"), 0.02))
    shape = shape * np.where(non_working_days(index), default("ev_weekend_frac"), 1.0)
    return shape * (1.0 + _noise(len(index), "factory", rng))


#: Name -> shape function ``(index, rng) -> relative load``.
ARCHETYPES: dict[str, Callable[[pd.DatetimeIndex, np.random.Generator], np.ndarray]] = {
    "flat": flat,
    "data_centre": data_centre,
    "cement": cement,
    "electrolytic_aluminium": electrolytic_aluminium,
    "three_shift_factory": three_shift_factory,
    "one_shift_factory": one_shift_factory,
    "electric_arc_steel": electric_arc_steel,
    "ev_fleet": ev_fleet,
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
