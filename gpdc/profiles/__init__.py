"""Hourly profiles: wind and PV capacity factors and the user's load, for one year.

From a CSV file (:func:`read_profile_csv`) or from the seeded, physically grounded
synthetic generator (:func:`synthetic_profiles`): pvlib clear sky with stochastic
cloudiness for PV, Weibull wind with persistence and cycles through a power curve, and
load archetypes — each calibrated to the site's full-load hours or the user's energy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gpdc.profiles.load import load_profile
from gpdc.profiles.readers import read_profile_csv
from gpdc.profiles.solar import solar_cf
from gpdc.profiles.wind import wind_cf

__all__ = ["ProfileSet", "hourly_index", "read_profile_csv", "synthetic_profiles"]


@dataclass(frozen=True)
class ProfileSet:
    """One year of hourly profiles on a local-time index.

    Attributes
    ----------
    time : pandas.DatetimeIndex
        Start of each hour, tz-aware local time.
    cf_wind, cf_solar : float64[n_hours]
        Capacity factors [-].
    load_mw : float64[n_hours]
        Mean load in each hour [MW].
    sources : dict of str to str
        Where each series came from, in words (for provenance).
    """

    time: pd.DatetimeIndex
    cf_wind: np.ndarray
    cf_solar: np.ndarray
    load_mw: np.ndarray
    sources: dict[str, str] = field(default_factory=dict)


def hourly_index(year: int, timezone: str = "Asia/Shanghai") -> pd.DatetimeIndex:
    """Hour-beginning timestamps of a calendar year in local time (8760 or 8784).

    >>> len(hourly_index(2024)), len(hourly_index(2025))
    (8784, 8760)
    """
    start = pd.Timestamp(year=year, month=1, day=1, tz=timezone)
    end = pd.Timestamp(year=year + 1, month=1, day=1, tz=timezone)
    return pd.date_range(start, end, freq="h", inclusive="left")


def synthetic_profiles(
    *,
    year: int,
    timezone: str,
    latitude_deg: float,
    longitude_deg: float,
    elevation_m: float,
    wind_full_load_hours_h: float,
    solar_full_load_hours_h: float,
    load_archetype: str,
    load_annual_mwh: float | None = None,
    load_peak_mw: float | None = None,
    seed: int,
) -> ProfileSet:
    """Generate a year of profiles for a site, deterministic for a seed.

    Wind, PV and load draw from independent child streams of one seed, so changing one
    input does not change the other series.
    """
    index = hourly_index(year, timezone)
    rng_wind, rng_solar, rng_load = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))
    cfw = wind_cf(index, wind_full_load_hours_h, rng_wind)
    cfs = solar_cf(index, latitude_deg, longitude_deg, elevation_m, solar_full_load_hours_h, rng_solar)
    load = load_profile(load_archetype, index, rng_load, annual_mwh=load_annual_mwh, peak_mw=load_peak_mw)
    scale = f"annual {load_annual_mwh} MWh" if load_annual_mwh is not None else f"peak {load_peak_mw} MW"
    return ProfileSet(
        time=index,
        cf_wind=cfw,
        cf_solar=cfs,
        load_mw=load,
        sources={
            "cf_wind": f"gpdc synthetic wind (Weibull + AR(1) copula, generic power curve), seed {seed}, "
            f"calibrated to {wind_full_load_hours_h} full-load hours",
            "cf_solar": f"gpdc synthetic PV (pvlib Ineichen clear sky at {latitude_deg}N {longitude_deg}E "
            f"{elevation_m} m, stochastic clearness), seed {seed}, calibrated to {solar_full_load_hours_h} "
            "full-load hours",
            "load_mw": f"gpdc load archetype {load_archetype!r}, {scale}, seed {seed}",
        },
    )
