"""Synthetic PV capacity factors: pvlib clear sky for the site times stochastic cloudiness.

Steps (each a function, so that a weather-file reader can enter at any of them):

1. :func:`clear_sky` — solar position and Ineichen clear-sky irradiance at the middle of
   each hour (pvlib; the Linke turbidity climatology ships with pvlib, no download).
2. :func:`daily_clearness` — a daily clearness index (daily GHI over clear-sky GHI), AR(1)
   from day to day on a logit scale around a seasonal mean; :func:`cloudy_ghi` applies it
   and lognormal hourly noise to the clear-sky GHI.
3. :func:`plane_of_array` — Erbs decomposition and isotropic transposition to a fixed,
   equator-facing plane tilted at the latitude.
4. :func:`dc_per_unit` — PVWatts DC per kW of modules at 1000 W/m2, with an optional
   temperature derate (Faiman cell temperature) when an air temperature series is given.
5. :func:`calibrated_solar` — AC capacity factor ``min(scale · dc, 1)`` (inverter limit
   1.0 per MW AC) with the scale set so that the year's full-load hours equal the target.
   The scale plays the part of DC/AC ratio times system losses.

Night hours (sun below the horizon at mid-hour) are exactly 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib
from scipy.special import expit, logit

from gpdc.errors import ProfileError
from gpdc.profiles.calibrate import ar1_normal, calibrate_scale, default

__all__ = [
    "calibrated_solar",
    "clear_sky",
    "cloudy_ghi",
    "daily_clearness",
    "dc_per_unit",
    "plane_of_array",
    "solar_cf",
]

_YEAR_DAYS = 365.25


def _check_site(latitude_deg: float, longitude_deg: float, elevation_m: float) -> None:
    if not (np.isfinite(latitude_deg) and -90.0 <= latitude_deg <= 90.0):
        raise ProfileError(f"latitude_deg = {latitude_deg!r} is invalid: must be in [-90, 90] [degree]")
    if not (np.isfinite(longitude_deg) and -180.0 <= longitude_deg <= 360.0):
        raise ProfileError(f"longitude_deg = {longitude_deg!r} is invalid: must be in [-180, 360] [degree]")
    if not (np.isfinite(elevation_m) and -500.0 <= elevation_m <= 9000.0):
        raise ProfileError(f"elevation_m = {elevation_m!r} is invalid: must be in [-500, 9000] [m]")


def _day_number(index: pd.DatetimeIndex) -> np.ndarray:
    """Local day of each stamp counted from the first day of ``index`` (0, 1, ...)."""
    days = (index.normalize() - index[0].normalize()) / pd.Timedelta(days=1)
    return np.rint(np.asarray(days, dtype=np.float64)).astype(np.int64)


def clear_sky(index: pd.DatetimeIndex, latitude_deg: float, longitude_deg: float, elevation_m: float) -> pd.DataFrame:
    """Solar position and Ineichen clear-sky irradiance at the middle of each hour.

    Returns a DataFrame indexed like ``index`` with columns ``apparent_zenith``, ``zenith``,
    ``azimuth`` [degree] and ``ghi``, ``dni``, ``dhi`` [W/m2].
    """
    _check_site(latitude_deg, longitude_deg, elevation_m)
    if index.tz is None:
        raise ProfileError("the hourly index must be tz-aware (local time), e.g. from hourly_index()")
    loc = pvlib.location.Location(latitude_deg, longitude_deg, tz=str(index.tz), altitude=elevation_m)
    mid = index + pd.Timedelta(minutes=30)
    pos = loc.get_solarposition(mid)
    cs = loc.get_clearsky(mid, model="ineichen", solar_position=pos)
    out = pd.concat([pos[["apparent_zenith", "zenith", "azimuth"]], cs[["ghi", "dni", "dhi"]]], axis=1)
    out.index = index
    return out


def daily_clearness(day_of_year: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Daily clearness index (daily GHI over clear-sky GHI) for each day given [-].

    AR(1) from day to day on the logit scale around a seasonal mean (lowest in the summer
    monsoon); mean, spread, persistence and season from ``profile_defaults.csv``.
    """
    doy = np.asarray(day_of_year, dtype=np.float64)
    mean = default("solar_daily_clearness_mean") - default("solar_daily_clearness_seasonal_amplitude") * np.cos(
        2.0 * np.pi * (doy - default("solar_daily_clearness_min_day")) / _YEAR_DAYS
    )
    sd = default("solar_daily_clearness_sd")
    z = ar1_normal(len(doy), default("solar_daily_clearness_lag1"), rng)
    return expit(logit(mean) + sd / (mean * (1.0 - mean)) * z)


def cloudy_ghi(index: pd.DatetimeIndex, clear_ghi: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Clear-sky GHI times daily clearness times lognormal hourly noise [W/m2].

    Bounded above by ``solar_max_clear_sky_ratio`` times clear-sky GHI (cloud enhancement).
    Draws the daily clearness first, then the hourly noise.
    """
    day = _day_number(index)
    first_doy = int(index[0].day_of_year)
    n_days = int(day[-1]) + 1
    kd = daily_clearness(first_doy + np.arange(n_days), rng)[day]
    noise = np.exp(default("solar_hourly_noise_sd") * rng.standard_normal(len(index)))
    cs = np.asarray(clear_ghi, dtype=np.float64)
    return np.clip(cs * kd * noise, 0.0, default("solar_max_clear_sky_ratio") * cs)


def plane_of_array(
    index: pd.DatetimeIndex,
    ghi: np.ndarray,
    sky: pd.DataFrame,
    latitude_deg: float,
    *,
    surface_tilt_deg: float | None = None,
) -> np.ndarray:
    """Plane-of-array global irradiance on a fixed equator-facing plane [W/m2].

    Erbs decomposition of ``ghi``, then pvlib's isotropic transposition; tilt defaults to
    ``|latitude|``.  Zero (exactly) when the sun is below the horizon at mid-hour.
    """
    zenith = sky["zenith"].to_numpy()
    doy = (index + pd.Timedelta(minutes=30)).day_of_year.to_numpy()
    decomp = pvlib.irradiance.erbs(ghi, zenith, doy)
    tilt = abs(latitude_deg) if surface_tilt_deg is None else surface_tilt_deg
    poa = pvlib.irradiance.get_total_irradiance(
        surface_tilt=tilt,
        surface_azimuth=180.0 if latitude_deg >= 0 else 0.0,
        solar_zenith=sky["apparent_zenith"].to_numpy(),
        solar_azimuth=sky["azimuth"].to_numpy(),
        dni=np.nan_to_num(np.asarray(decomp["dni"], dtype=np.float64)),
        ghi=ghi,
        dhi=np.nan_to_num(np.asarray(decomp["dhi"], dtype=np.float64)),
        albedo=default("solar_albedo"),
        model="isotropic",
    )["poa_global"]
    out = np.clip(np.nan_to_num(np.asarray(poa, dtype=np.float64)), 0.0, None)
    out[(sky["apparent_zenith"].to_numpy() >= 90.0) | (ghi <= 0.0)] = 0.0
    return out


def dc_per_unit(poa_w_per_m2: np.ndarray, temp_air_c: np.ndarray | None = None) -> np.ndarray:
    """PVWatts DC output per unit of module rating (1.0 at 1000 W/m2 and 25 °C cells) [-].

    Without ``temp_air_c`` the cells are taken at 25 °C (no temperature derate); with it,
    the cell temperature follows pvlib's Faiman model and the power temperature
    coefficient is ``solar_gamma_pdc_per_c``.
    """
    poa = np.asarray(poa_w_per_m2, dtype=np.float64)
    if temp_air_c is None:
        temp_cell = np.full_like(poa, 25.0)
    else:
        temp_air = np.asarray(temp_air_c, dtype=np.float64)
        if temp_air.shape != poa.shape:
            raise ProfileError(f"temp_air_c has {temp_air.size} values; the index has {poa.size} hours")
        temp_cell = np.asarray(pvlib.temperature.faiman(poa, temp_air), dtype=np.float64)
    dc = pvlib.pvsystem.pvwatts_dc(poa, temp_cell, pdc0=1.0, gamma_pdc=default("solar_gamma_pdc_per_c"))
    out = np.clip(np.asarray(dc, dtype=np.float64), 0.0, None)
    out[poa <= 0.0] = 0.0
    return out


def calibrated_solar(
    index: pd.DatetimeIndex,
    latitude_deg: float,
    longitude_deg: float,
    elevation_m: float,
    full_load_hours_h: float,
    rng: np.random.Generator,
    *,
    temp_air_c: np.ndarray | None = None,
    surface_tilt_deg: float | None = None,
) -> tuple[np.ndarray, float]:
    """Like :func:`solar_cf`, but also return the calibration scale (DC/AC x losses) [-]."""
    sky = clear_sky(index, latitude_deg, longitude_deg, elevation_m)
    ghi = cloudy_ghi(index, sky["ghi"].to_numpy(), rng)
    poa = plane_of_array(index, ghi, sky, latitude_deg, surface_tilt_deg=surface_tilt_deg)
    dc = dc_per_unit(poa, temp_air_c)
    day = dc > 0.0
    n_day = int(day.sum())
    if n_day == 0:
        raise ProfileError(f"solar: {full_load_hours_h!r} full-load hours cannot be reached: the sun never rises")
    hi = 1.0 / float(dc[day].min()) * (1.0 + 1e-9)  # every daylight hour at the inverter limit

    def cf(scale: float) -> np.ndarray:
        return np.minimum(dc * scale, 1.0)

    scale, out = calibrate_scale(cf, full_load_hours_h, 1e-9, hi, "solar", max_reachable=float(n_day))
    return np.ascontiguousarray(out, dtype=np.float64), scale


def solar_cf(
    index: pd.DatetimeIndex,
    latitude_deg: float,
    longitude_deg: float,
    elevation_m: float,
    full_load_hours_h: float,
    rng: np.random.Generator,
    *,
    temp_air_c: np.ndarray | None = None,
    surface_tilt_deg: float | None = None,
) -> np.ndarray:
    """Hourly PV capacity factor per MW AC whose sum equals ``full_load_hours_h`` [-].

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hour-beginning timestamps, tz-aware local time (see :func:`gpdc.profiles.hourly_index`).
    latitude_deg, longitude_deg : float
        Site [degree north, degree east].
    elevation_m : float
        Site elevation [m].
    full_load_hours_h : float
        Target annual full-load hours [h]; met to 1e-6 relative.
    rng : numpy.random.Generator
        Random stream (seeded by the caller); draws daily clearness, then hourly noise.
    temp_air_c : ndarray, optional
        Air temperature [°C] per hour: enables the PVWatts temperature derate.
    surface_tilt_deg : float, optional
        Module tilt [degree]; default ``|latitude_deg|``.

    Returns
    -------
    ndarray
        float64, C-contiguous, in [0, 1], exactly 0 at night.

    Raises
    ------
    gpdc.errors.ProfileError
        If the target exceeds what clipping at the inverter limit allows (the number of
        daylight hours); the message names the target and that maximum.
    """
    return calibrated_solar(
        index,
        latitude_deg,
        longitude_deg,
        elevation_m,
        full_load_hours_h,
        rng,
        temp_air_c=temp_air_c,
        surface_tilt_deg=surface_tilt_deg,
    )[0]
