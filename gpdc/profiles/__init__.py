"""Hourly profiles: wind and PV capacity factors and the user's load, for one year.

From weather files through pvlib's readers and the PV / wind model chains (:mod:`.solar`,
:mod:`.wind`, :mod:`.readers`), from renewables.ninja exports or a profile CSV, or — the
default, with no data files and no downloads — from the seeded, physically grounded
synthetic generator (:func:`synthetic_profiles`): pvlib clear sky times a stochastic
clearness index for PV, Weibull wind with two-timescale persistence and seasonal/diurnal
cycles through a windpowerlib power curve, a synthetic air temperature, and load
archetypes (:mod:`.load`) — calibrated to the site's full-load hours or the user's energy.
Generator defaults from the world live in ``data/profile_defaults.csv`` and typical
provincial values in ``data/site_resources.csv``, with their sources.

>>> p = synthetic_profiles(year=2025, timezone="Asia/Shanghai", latitude_deg=40.8,
...     longitude_deg=111.7, elevation_m=1050.0, wind_full_load_hours_h=2600.0,
...     solar_full_load_hours_h=1600.0, load_archetype="flat", load_annual_mwh=8760.0, seed=1)
>>> len(p.time), round(float(p.cf_wind.sum()), 6), round(float(p.cf_solar.sum()), 6)
(8760, 2600.0, 1600.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gpdc.errors import ProfileError
from gpdc.profiles.climate import air_temperature, site_value
from gpdc.profiles.load import ARCHETYPES, load_profile
from gpdc.profiles.readers import read_profile_csv
from gpdc.profiles.solar import PVSystem, pv_cf, synthetic_solar
from gpdc.profiles.wind import WindPlant, synthetic_wind, wind_cf

__all__ = [
    "ARCHETYPES",
    "PVSystem",
    "ProfileSet",
    "WindPlant",
    "hourly_index",
    "load_profile",
    "member_seed",
    "pv_cf",
    "read_profile_csv",
    "streams",
    "synthetic_profiles",
    "wind_cf",
]


@dataclass(frozen=True)
class ProfileSet:
    """Hourly profiles on a local-time index (one year from the generators and readers).

    The arrays are stored as float64, C-contiguous (what the kernels take), and must all
    have ``len(time)`` values.

    Attributes
    ----------
    time : pandas.DatetimeIndex
        Start of each hour, tz-aware local time.
    cf_wind, cf_solar : float64[n_hours]
        Capacity factors [-], in [0, 1].
    load_mw : float64[n_hours]
        Mean load in each hour [MW].
    sources : dict of str to str
        Where each series came from, in words, with seed and parameters (provenance).
    """

    time: pd.DatetimeIndex
    cf_wind: np.ndarray
    cf_solar: np.ndarray
    load_mw: np.ndarray
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.time)
        for name in ("cf_wind", "cf_solar", "load_mw"):
            arr = np.ascontiguousarray(getattr(self, name), dtype=np.float64)
            if arr.ndim != 1 or arr.shape[0] != n:
                raise ProfileError(f"ProfileSet.{name} has shape {arr.shape}; expected ({n},) like time")
            object.__setattr__(self, name, arr)


def hourly_index(year: int, timezone: str = "Asia/Shanghai") -> pd.DatetimeIndex:
    """Hour-beginning timestamps of a calendar year in local time (8760 or 8784).

    Raises :class:`ProfileError` if the time zone shifts its clocks in that year (China
    has not since 1991): use a fixed-offset zone such as ``"Etc/GMT-8"`` instead.

    >>> len(hourly_index(2024)), len(hourly_index(2025))
    (8784, 8760)
    >>> str(hourly_index(2025)[0])
    '2025-01-01 00:00:00+08:00'
    """
    start = pd.Timestamp(year=year, month=1, day=1).tz_localize(timezone)
    end = pd.Timestamp(year=year + 1, month=1, day=1).tz_localize(timezone)
    index = pd.date_range(start, end, freq="h", inclusive="left")
    expected = 8784 if start.is_leap_year else 8760
    wall = index.tz_localize(None).hour.to_numpy()
    if len(index) != expected or not np.array_equal(wall, np.tile(np.arange(24), expected // 24)):
        raise ProfileError(
            f"timezone {timezone!r} shifts its clocks in {year} (daylight saving time); "
            "use a fixed-offset zone such as 'Etc/GMT-8'"
        )
    return index


def member_seed(seed: int, member: int | None = None) -> np.random.SeedSequence:
    """Return the root seed of one weather year.

    ``SeedSequence(seed)``, or for ensemble member ``m`` ``SeedSequence(seed, spawn_key=(0x5745, m))``
    (0x5745: a key space of its own, so no member coincides with a child stream of the
    single-year root).
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ProfileError(f"seed = {seed!r} is invalid: must be an integer >= 0")
    if member is None:
        return np.random.SeedSequence(int(seed))
    if not isinstance(member, (int, np.integer)) or member < 0:
        raise ProfileError(f"weather_year member = {member!r} is invalid: must be an integer >= 0")
    return np.random.SeedSequence(int(seed), spawn_key=(0x5745, int(member)))


def streams(seed: int, member: int | None = None) -> tuple[np.random.Generator, ...]:
    """Independent PCG64 streams for wind, solar, load and air temperature, from one seed."""
    return tuple(np.random.Generator(np.random.PCG64(c)) for c in member_seed(seed, member).spawn(4))


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
    member: int | None = None,
    province: str = "inner_mongolia_west",
    pv: PVSystem | None = None,
    wind: WindPlant | None = None,
) -> ProfileSet:
    """Generate a year of hourly profiles for a site, deterministic for a seed (and member).

    Wind, PV, load and air temperature draw from independent child streams of one seed
    (:func:`streams`), so changing the inputs of one series does not change the others.

    Parameters
    ----------
    year : int
        Calendar year (8760 or 8784 hours).
    timezone : str
        Local time zone of the index (Asia/Shanghai in China).
    latitude_deg, longitude_deg, elevation_m : float
        Site [degree north, degree east, m].
    wind_full_load_hours_h, solar_full_load_hours_h : float
        Annual full-load hours the capacity factors sum to [h] (wind net of losses).
    load_archetype : str
        A key of :data:`ARCHETYPES`.
    load_annual_mwh, load_peak_mw : float, optional
        Exactly one: the load's annual energy [MWh] or its peak [MW].
    seed : int
        Seed (>= 0).
    member : int, optional
        Ensemble member (weather year label 0, 1, ...); None for a single year.
    province : str
        Key of ``site_resources.csv``: the air-temperature climate and the Weibull shape.
    pv, wind : PVSystem, WindPlant, optional
        The plants; defaults from ``profile_defaults.csv``.

    Raises
    ------
    ProfileError
        If a target cannot be reached or an input is invalid; the message says which.
    """
    index = hourly_index(year, timezone)
    rng_wind, rng_solar, rng_load, rng_temp = streams(seed, member)
    pv = PVSystem() if pv is None else pv
    wind = WindPlant() if wind is None else wind
    if wind.weibull_k is None:
        wind = WindPlant(**{**wind.__dict__, "weibull_k": site_value(province, "wind_weibull_k")})
    temp = air_temperature(index, province, longitude_deg, rng_temp)
    cfw, w_scale, w_mean = synthetic_wind(index, wind_full_load_hours_h, rng_wind, wind, elevation_m=elevation_m,
                                          mean_temp_air_c=float(temp.mean()), longitude_deg=longitude_deg)
    cfs, shift, ghi = synthetic_solar(index, latitude_deg, longitude_deg, elevation_m, solar_full_load_hours_h,
                                      rng_solar, pv, temp)
    load = load_profile(load_archetype, index, rng_load, annual_mwh=load_annual_mwh, peak_mw=load_peak_mw)
    scale = f"annual {load_annual_mwh:g} MWh" if load_annual_mwh is not None else f"peak {load_peak_mw:g} MW"
    where = f"{latitude_deg:g}N {longitude_deg:g}E {elevation_m:g} m"
    tag = f"seed {seed}" + ("" if member is None else f" weather-year member {member}")
    wf, pf = wind.filled(), pv.filled(latitude_deg)
    return ProfileSet(
        time=index,
        cf_wind=cfw,
        cf_solar=cfs,
        load_mw=load,
        sources={
            "cf_wind": (
                f"gpdc synthetic wind {year} (Weibull k {wf.weibull_k:g} marginal via a two-timescale AR(1) Gaussian "
                f"copula, seasonal and diurnal cycles; {wf.describe()}; air density at the mean synthetic "
                f"temperature; defaults in gpdc/profiles/data/*.csv), {tag} stream 0, calibrated to "
                f"{wind_full_load_hours_h:g} net full-load hours: Weibull scale {w_scale:.3f} m/s, mean hub-height "
                f"speed {w_mean:.2f} m/s"
            ),
            "cf_solar": (
                f"gpdc synthetic PV {year} at {where} (pvlib Ineichen clear sky with shipped Linke turbidity x AR(1) "
                f"daily clearness and hourly noise; Erbs, Perez, physical IAM, SAPM cell temperature, PVWatts DC and "
                f"inverter; {pf.describe()}), {tag} stream 1, calibrated to {solar_full_load_hours_h:g} full-load "
                f"hours: clearness logit shift {shift:+.4f}, annual GHI {ghi:.0f} kWh/m2"
            ),
            "load_mw": f"gpdc load archetype {load_archetype!r}, {scale}, {year}, {tag} stream 2",
        },
    )
