"""Synthetic PV capacity factors: pvlib clear sky for the site times stochastic cloudiness.

Steps: solar position and Ineichen clear-sky irradiance for the site (pvlib, Linke
turbidity from the climatology that ships with pvlib); a daily clearness index, AR(1) from
day to day on a logit scale, with hourly noise inside the day; Erbs decomposition and
isotropic transposition to a south-facing plane tilted at the latitude; DC power in
proportion to plane-of-array irradiance; inverter clipping at the AC rating (cf <= 1); and
finally a scale factor so that the year's full-load hours equal the target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib

from gpdc.profiles.calibrate import calibrate_scale, default


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def daily_clearness(n_days: int, rng: np.random.Generator) -> np.ndarray:
    """Daily clearness index (ratio of daily GHI to clear-sky GHI), AR(1) on a logit scale [-]."""
    mean = default("solar_daily_clearness_mean")
    sd = default("solar_daily_clearness_sd")
    phi = default("solar_daily_clearness_lag1")
    # logit-normal with roughly the given mean and spread
    mu = _logit(mean)
    s_logit = sd / (mean * (1.0 - mean))
    z = np.empty(n_days)
    eps = rng.standard_normal(n_days)
    z[0] = eps[0]
    for d in range(1, n_days):
        z[d] = phi * z[d - 1] + np.sqrt(1.0 - phi * phi) * eps[d]
    return 1.0 / (1.0 + np.exp(-(mu + s_logit * z)))


def plane_of_array_norm(
    index: pd.DatetimeIndex, latitude_deg: float, longitude_deg: float, elevation_m: float, rng: np.random.Generator
) -> np.ndarray:
    """Plane-of-array irradiance under synthetic cloudiness, per 1000 W/m2 [-].

    ``index`` holds hour-beginning stamps; the sun is placed at the middle of each hour.
    """
    tz = str(index.tz) if index.tz is not None else "Asia/Shanghai"
    loc = pvlib.location.Location(latitude_deg, longitude_deg, tz=tz, altitude=elevation_m)
    mid = index + pd.Timedelta(minutes=30)
    pos = loc.get_solarposition(mid)
    clear = loc.get_clearsky(mid, model="ineichen", solar_position=pos)
    days = np.asarray((mid.normalize() - mid.normalize()[0]).days)
    kd = daily_clearness(int(days.max()) + 1, rng)[days]
    noise = np.exp(default("solar_hourly_noise_sd") * rng.standard_normal(len(index)))
    ghi = np.clip(clear["ghi"].to_numpy() * kd * noise, 0.0, None)
    ghi = np.minimum(ghi, 1.1 * clear["ghi"].to_numpy())
    zenith = pos["apparent_zenith"].to_numpy()
    decomp = pvlib.irradiance.erbs(ghi, zenith, mid.day_of_year.to_numpy())
    poa = pvlib.irradiance.get_total_irradiance(
        surface_tilt=abs(latitude_deg),
        surface_azimuth=180.0 if latitude_deg >= 0 else 0.0,
        solar_zenith=zenith,
        solar_azimuth=pos["azimuth"].to_numpy(),
        dni=np.nan_to_num(np.asarray(decomp["dni"])),
        ghi=ghi,
        dhi=np.nan_to_num(np.asarray(decomp["dhi"])),
    )["poa_global"]
    out = np.nan_to_num(np.asarray(poa, dtype=np.float64)) / 1000.0
    out[zenith >= 90.0] = 0.0
    return np.clip(out, 0.0, None)


def solar_cf(
    index: pd.DatetimeIndex,
    latitude_deg: float,
    longitude_deg: float,
    elevation_m: float,
    full_load_hours_h: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Hourly PV capacity factor per MW AC whose annual sum equals ``full_load_hours_h`` [-].

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hour-beginning timestamps (tz-aware local time).
    latitude_deg, longitude_deg : float
        Site [degree].
    elevation_m : float
        Site elevation [m].
    full_load_hours_h : float
        Target annual full-load hours [h].
    rng : numpy.random.Generator
        Random stream (seeded by the caller).

    Raises
    ------
    gpdc.errors.ProfileError
        If the target cannot be reached under clipping at the AC rating.
    """
    poa = plane_of_array_norm(index, latitude_deg, longitude_deg, elevation_m, rng)
    dc_ac = default("solar_dc_ac_ratio")

    def cf(scale: float) -> np.ndarray:
        return np.minimum(poa * dc_ac * scale, 1.0)

    _, out = calibrate_scale(cf, full_load_hours_h, 1e-6, 1e3, "solar")
    return np.ascontiguousarray(out, dtype=np.float64)
