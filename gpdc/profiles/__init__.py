"""Hourly profiles: wind and PV capacity factors and the user's load, for one year.

From weather files through pvlib's readers and the PV / wind model chains (:mod:`.solar`,
:mod:`.wind`, :mod:`.readers`), from renewables.ninja exports or a profile CSV, or — the
default, with no data files and no downloads — from the seeded, physically grounded
synthetic generator (:func:`synthetic_profiles`): pvlib clear sky times a stochastic
clearness index for PV, Weibull wind with two-timescale persistence and seasonal/diurnal
cycles through a windpowerlib power curve, a synthetic air temperature, and load
archetypes (:mod:`.load`).  The synthetic resource is calibrated once per site-year so
that *reference plants* (``reference_*`` rows of ``profile_defaults.csv``) make the site's
full-load hours; the scenario's own plants then run on that weather (cached per process,
:func:`_resource`).  A single year is the typical year; ensemble members scale the
reference full-load hours by seeded inter-annual factors (:func:`interannual_factors`).
Generator defaults from the world live in ``data/profile_defaults.csv`` and typical
provincial values in ``data/site_resources.csv``, with their sources.

>>> p = synthetic_profiles(year=2025, timezone="Asia/Shanghai", latitude_deg=40.8,
...     longitude_deg=111.7, elevation_m=1050.0, wind_full_load_hours_h=2600.0,
...     solar_full_load_hours_h=1600.0, load_archetype="flat", load_annual_mwh=8760.0, seed=1)
>>> len(p.time), round(float(p.cf_wind.sum()), 6), round(float(p.cf_solar.sum()), 6)
(8760, 2600.0, 1600.0)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from gpdc.errors import ProfileError
from gpdc.profiles.calibrate import default
from gpdc.profiles.climate import air_temperature, site_value
from gpdc.profiles.load import ARCHETYPES, load_profile
from gpdc.profiles.readers import read_profile_csv
from gpdc.profiles.solar import PVSystem, SolarResource, pv_cf, reference_pv, solar_resource
from gpdc.profiles.types import ProfileSet, hourly_index
from gpdc.profiles.wind import (
    WindPlant,
    check_shear_extrapolation,
    hub_speed,
    plant_wind_cf,
    reference_wind_plant,
    wind_cf,
    wind_resource,
)

__all__ = [
    "ARCHETYPES",
    "PVSystem",
    "ProfileSet",
    "WindPlant",
    "hourly_index",
    "interannual_factors",
    "load_profile",
    "member_seed",
    "pv_cf",
    "read_profile_csv",
    "streams",
    "synthetic_profiles",
    "wind_cf",
]


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


def interannual_factors(seed: int, member: int | None = None) -> tuple[float, float]:
    """Inter-annual factors (wind, PV) on the reference plants' full-load hours of one weather year.

    1 for a single-year scenario (``member`` None: the typical year).  For ensemble member
    ``m``, lognormal factors with mean 1 and coefficients of variation
    ``interannual_cv_wind_energy`` and ``interannual_cv_solar_energy``
    (``profile_defaults.csv``), drawn independently from the fifth child stream of
    :func:`member_seed` (the four streams of :func:`streams` are unchanged).
    """
    if member is None:
        member_seed(seed)  # validates the seed
        return 1.0, 1.0
    child = member_seed(seed, member).spawn(5)[4]
    z = np.random.Generator(np.random.PCG64(child)).standard_normal(2)
    out = []
    for cv, zi in zip((default("interannual_cv_wind_energy"), default("interannual_cv_solar_energy")), z, strict=True):
        sigma = float(np.sqrt(np.log1p(cv * cv)))
        out.append(float(np.exp(sigma * zi - 0.5 * sigma * sigma)))
    return out[0], out[1]


def _pv_chain(model: str) -> str:
    """Words for the PV model chain in the provenance line."""
    if model == "pvwatts_v8":
        return "Erbs split, pv_model 'pvwatts_v8'"
    return "Erbs, Perez, physical IAM, SAPM cell temperature, PVWatts DC and inverter"


@dataclass(frozen=True)
class _Resource:
    index: pd.DatetimeIndex
    speed_ref: np.ndarray
    wind_scale: float
    cf_wind_ref: np.ndarray
    solar: SolarResource


@lru_cache(maxsize=32)
def _resource(year: int, timezone: str, latitude_deg: float, longitude_deg: float, elevation_m: float,
              wind_target_h: float, solar_target_h: float, seed: int, member: int | None, province: str,
              weibull_k: float, pv_model: str = "gpdc") -> _Resource:
    """Calibrated synthetic weather of one site-year and member, cached within the process.

    Every plant parameter is evaluated on it afterwards, so sweeps over technology choices
    (tracking, DC/AC, losses, turbine, hub height) reuse one calibration.  The arrays are
    made read-only.
    """
    index = hourly_index(year, timezone)
    rng_wind, rng_solar, _, rng_temp = streams(seed, member)
    temp = air_temperature(index, province, longitude_deg, rng_temp)
    speed_ref, scale, cf_ref = wind_resource(index, wind_target_h, rng_wind, weibull_k, elevation_m=elevation_m,
                                             mean_temp_air_c=float(temp.mean()), longitude_deg=longitude_deg)
    solar = solar_resource(index, latitude_deg, longitude_deg, elevation_m, solar_target_h, rng_solar, temp,
                           pv_model=pv_model)
    for arr in (speed_ref, cf_ref, solar.ghi, solar.temp_air_c, solar.cf_reference):
        arr.flags.writeable = False
    return _Resource(index, speed_ref, scale, cf_ref, solar)


def check_synthetic_wind(wind: WindPlant | None) -> None:
    """The checks :func:`synthetic_profiles` makes of its wind plant before it builds anything.

    A hub far from the reference hub height: a :class:`~gpdc.errors.ConsistencyWarning` beyond
    35 m, a :class:`~gpdc.errors.ScenarioError` beyond 1.5 x without an explicit shear
    (:func:`~gpdc.profiles.wind.check_shear_extrapolation`).  The profile cache runs them on a hit.
    """
    check_shear_extrapolation(WindPlant() if wind is None else wind, default("reference_wind_hub_height_m"),
                              from_field="reference_wind_hub_height_m (profile_defaults.csv)", synthetic=True)


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
        The site's typical annual full-load hours of the reference plants [h] (wind net of
        losses; PV per MW AC): the resource is calibrated so that the reference plants make
        them (times the member's inter-annual factor); ``pv`` and ``wind`` then run on it.
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
    ScenarioError
        If the wind hub is more than 1.5 x the reference hub height without an explicit
        shear (:func:`~gpdc.profiles.wind.check_shear_extrapolation`; beyond 35 m a
        :class:`~gpdc.errors.ConsistencyWarning`).
    """
    pv = PVSystem() if pv is None else pv
    wind = WindPlant() if wind is None else wind
    check_synthetic_wind(wind)
    if wind.weibull_k is None:
        wind = WindPlant(**{**wind.__dict__, "weibull_k": site_value(province, "wind_weibull_k")})
    wf, pf = wind.filled(), pv.filled(latitude_deg)
    f_wind, f_solar = interannual_factors(seed, member)
    res = _resource(year, timezone, float(latitude_deg), float(longitude_deg), float(elevation_m),
                    float(wind_full_load_hours_h) * f_wind, float(solar_full_load_hours_h) * f_solar,
                    int(seed), member, province, float(wf.weibull_k or 2.0), pf.model)
    index, mean_temp = res.index, float(res.solar.temp_air_c.mean())
    cfw = plant_wind_cf(res.speed_ref, res.cf_wind_ref, wf, elevation_m=elevation_m, mean_temp_air_c=mean_temp)
    w_scale = res.wind_scale
    w_mean = float(np.mean(res.speed_ref)) * float(hub_speed(np.ones(1), replace(
        wf, measurement_height_m=default("reference_wind_hub_height_m")))[0])
    cfs, shift, ghi = res.solar.cf(pf), res.solar.shift, float(res.solar.ghi.sum() / 1000.0)
    rng_load = streams(seed, member)[2]
    load = load_profile(load_archetype, index, rng_load, annual_mwh=load_annual_mwh, peak_mw=load_peak_mw)
    scale = f"annual {load_annual_mwh:g} MWh" if load_annual_mwh is not None else f"peak {load_peak_mw:g} MW"
    where = f"{latitude_deg:g}N {longitude_deg:g}E {elevation_m:g} m"
    tag = f"seed {seed}" + ("" if member is None else f" weather-year member {member}")
    if member is None:
        year_w = year_s = "the typical year (inter-annual factor 1)"
    else:
        year_w = f"inter-annual factor {f_wind:.4f} (CV {default('interannual_cv_wind_energy'):g})"
        year_s = f"inter-annual factor {f_solar:.4f} (CV {default('interannual_cv_solar_energy'):g})"
    rw = reference_wind_plant(wf.weibull_k)
    rp = reference_pv(latitude_deg, pf.model)
    return ProfileSet(
        time=index,
        cf_wind=cfw,
        cf_solar=cfs,
        load_mw=load,
        sources={
            "cf_wind": (
                f"gpdc synthetic wind {year} (Weibull k {wf.weibull_k:g} marginal via a two-timescale AR(1) Gaussian "
                f"copula, seasonal and diurnal cycles; {wf.describe()}; air density at the mean synthetic "
                f"temperature; defaults in gpdc/profiles/data/*.csv), {tag} stream 0; resource calibrated so that "
                f"the reference plant ({rw.describe()}) makes {wind_full_load_hours_h:g} net full-load hours x "
                f"{year_w}: Weibull scale {w_scale:.3f} m/s at {rw.hub_height_m:g} m, mean hub-height speed "
                f"{w_mean:.2f} m/s; this plant {float(cfw.sum()):.1f} h"
            ),
            "cf_solar": (
                f"gpdc synthetic PV {year} at {where} (pvlib Ineichen clear sky with shipped Linke turbidity x AR(1) "
                f"daily clearness and hourly noise; {_pv_chain(pf.model)}; {pf.describe()}), {tag} stream 1; "
                f"resource calibrated so that the reference plant "
                f"({rp.describe()}) makes {solar_full_load_hours_h:g} full-load hours x {year_s}: clearness logit "
                f"shift {shift:+.4f}, annual GHI {ghi:.0f} kWh/m2; this plant {float(cfs.sum()):.1f} h"
            ),
            "load_mw": f"gpdc load archetype {load_archetype!r}, {scale}, {year}, {tag} stream 2",
        },
    )
