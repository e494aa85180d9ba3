"""Synthetic wind capacity factors: Weibull speeds with persistence, through a power curve.

Hub-height speed ``v_t = c · s(t) · d(t) · W(Φ(z_t))``: ``z_t`` an AR(1) Gaussian process
with lag-1 correlation about 0.9, ``Φ`` the normal CDF and ``W`` the inverse CDF of a
unit-scale Weibull(k) (a Gaussian copula: the marginal stays Weibull, the hours stay
correlated); ``s`` a seasonal cycle (windy September–May, calm June–August) and ``d`` a
diurnal cycle, both multiplying the scale; ``c`` the Weibull scale [m/s].  The
:func:`generic_power_curve` (cut-in, cubic ramp to rated at the speed implied by the
specific power, flat to cut-out) turns speed into per-unit output, and ``c`` is found
(bracketed scan, then brentq) so that the year's full-load hours equal the target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr

from gpdc.errors import ProfileError
from gpdc.profiles.calibrate import ar1_normal, calibrate_scale, default, mid_hour

__all__ = ["calibrated_wind", "generic_power_curve", "rated_speed", "speed_shape", "wind_cf"]

_YEAR_DAYS = 365.25
#: Search interval of the Weibull scale [m/s] and number of scan points (numerics, not world data).
_SCALE_LO, _SCALE_HI, _N_SCAN = 0.5, 40.0, 80


def rated_speed(specific_power_w_per_m2: float, air_density_kg_per_m3: float, cp: float) -> float:
    """Rated wind speed ``v_r = (2·SP / (ρ·Cp))^(1/3)`` [m/s] (tariffs-resources-loads.md §4)."""
    for name, v in (
        ("specific_power_w_per_m2", specific_power_w_per_m2),
        ("air_density_kg_per_m3", air_density_kg_per_m3),
        ("cp", cp),
    ):
        if not (np.isfinite(v) and v > 0.0):
            raise ProfileError(f"{name} = {v!r} is invalid: must be > 0")
    if cp > 16.0 / 27.0:
        raise ProfileError(f"cp = {cp!r} is invalid: must be <= 16/27 (Betz limit)")
    return float((2.0 * specific_power_w_per_m2 / (air_density_kg_per_m3 * cp)) ** (1.0 / 3.0))


def generic_power_curve(
    speed_m_per_s: np.ndarray,
    specific_power_w_per_m2: float,
    air_density_kg_per_m3: float | None = None,
    cp: float | None = None,
    cut_in: float | None = None,
    cut_out: float | None = None,
) -> np.ndarray:
    """Per-unit output of a generic turbine at the given hub-height speeds [-].

    0 below ``cut_in`` and above ``cut_out``; a cubic ramp
    ``(v³ − v_in³)/(v_r³ − v_in³)`` from cut-in to the rated speed ``v_r`` implied by the
    specific power; 1 from ``v_r`` to ``cut_out``.  Unset parameters come from
    ``profile_defaults.csv`` (ρ 1.1 kg/m3, Cp 0.45, cut-in 3 m/s, cut-out 25 m/s).

    >>> generic_power_curve(np.array([2.0, 20.0, 30.0]), 250.0).tolist()
    [0.0, 1.0, 0.0]
    """
    rho = default("wind_air_density_kg_per_m3") if air_density_kg_per_m3 is None else air_density_kg_per_m3
    cp_ = default("wind_power_coefficient") if cp is None else cp
    v_in = default("wind_cut_in_m_per_s") if cut_in is None else cut_in
    v_out = default("wind_cut_out_m_per_s") if cut_out is None else cut_out
    v_r = rated_speed(specific_power_w_per_m2, rho, cp_)
    if not 0.0 <= v_in < v_r < v_out:
        raise ProfileError(
            f"power curve needs 0 <= cut_in < rated < cut_out; got cut_in {v_in!r}, rated {v_r:.2f} "
            f"(from {specific_power_w_per_m2!r} W/m2), cut_out {v_out!r} [m/s]"
        )
    v = np.asarray(speed_m_per_s, dtype=np.float64)
    ramp = (v * v * v - v_in**3) / (v_r**3 - v_in**3)
    return np.where((v < v_in) | (v > v_out), 0.0, np.clip(ramp, 0.0, 1.0))


def speed_shape(
    index: pd.DatetimeIndex,
    rng: np.random.Generator,
    *,
    weibull_k: float | None = None,
    lag1_autocorrelation: float | None = None,
    seasonal_amplitude: float | None = None,
    diurnal_amplitude: float | None = None,
    longitude_deg: float | None = None,
) -> np.ndarray:
    """Hub-height speed per m/s of Weibull scale: ``s(t) · d(t) · W(Φ(z_t))`` [-].

    The diurnal cycle runs on local mean solar time when ``longitude_deg`` is given, else
    on the clock.  Draws exactly ``len(index)`` standard normals from ``rng``.
    """
    k = default("wind_weibull_k") if weibull_k is None else weibull_k
    phi = default("wind_lag1_autocorrelation") if lag1_autocorrelation is None else lag1_autocorrelation
    a_s = default("wind_seasonal_amplitude") if seasonal_amplitude is None else seasonal_amplitude
    a_d = default("wind_diurnal_amplitude") if diurnal_amplitude is None else diurnal_amplitude
    if not (np.isfinite(k) and k > 0.0):
        raise ProfileError(f"weibull_k = {k!r} is invalid: must be > 0")
    for name, a in (("seasonal_amplitude", a_s), ("diurnal_amplitude", a_d)):
        if not 0.0 <= a < 1.0:
            raise ProfileError(f"{name} = {a!r} is invalid: must be in [0, 1)")
    u = ndtr(ar1_normal(len(index), phi, rng))
    base = (-np.log1p(-np.minimum(u, 1.0 - 1e-16))) ** (1.0 / k)  # unit-scale Weibull(k)
    doy = (index + pd.Timedelta(minutes=30)).day_of_year.to_numpy()
    hour = mid_hour(index, longitude_deg)
    season = 1.0 - a_s * np.cos(2.0 * np.pi * (doy - default("wind_seasonal_min_day")) / _YEAR_DAYS)
    diurnal = 1.0 + a_d * np.cos(2.0 * np.pi * (hour - default("wind_diurnal_peak_hour")) / 24.0)
    return base * season * diurnal


def calibrated_wind(
    index: pd.DatetimeIndex,
    full_load_hours_h: float,
    rng: np.random.Generator,
    *,
    weibull_k: float | None = None,
    specific_power_w_per_m2: float | None = None,
    air_density_kg_per_m3: float | None = None,
    cp: float | None = None,
    cut_in: float | None = None,
    cut_out: float | None = None,
    lag1_autocorrelation: float | None = None,
    seasonal_amplitude: float | None = None,
    diurnal_amplitude: float | None = None,
    longitude_deg: float | None = None,
) -> tuple[np.ndarray, float, float]:
    """Like :func:`wind_cf`, but also return the Weibull scale and the mean hub-height speed [m/s]."""
    shape = speed_shape(
        index,
        rng,
        weibull_k=weibull_k,
        lag1_autocorrelation=lag1_autocorrelation,
        seasonal_amplitude=seasonal_amplitude,
        diurnal_amplitude=diurnal_amplitude,
        longitude_deg=longitude_deg,
    )
    sp = default("wind_specific_power_w_per_m2") if specific_power_w_per_m2 is None else specific_power_w_per_m2
    generic_power_curve(np.zeros(1), sp, air_density_kg_per_m3, cp, cut_in, cut_out)  # validate once

    def cf(scale: float) -> np.ndarray:
        return generic_power_curve(shape * scale, sp, air_density_kg_per_m3, cp, cut_in, cut_out)

    scale, out = calibrate_scale(cf, full_load_hours_h, _SCALE_LO, _SCALE_HI, "wind", n_scan=_N_SCAN)
    return np.ascontiguousarray(out, dtype=np.float64), scale, float(np.mean(shape) * scale)


def wind_cf(
    index: pd.DatetimeIndex,
    full_load_hours_h: float,
    rng: np.random.Generator,
    *,
    weibull_k: float | None = None,
    specific_power_w_per_m2: float | None = None,
    air_density_kg_per_m3: float | None = None,
    cp: float | None = None,
    cut_in: float | None = None,
    cut_out: float | None = None,
    lag1_autocorrelation: float | None = None,
    seasonal_amplitude: float | None = None,
    diurnal_amplitude: float | None = None,
    longitude_deg: float | None = None,
) -> np.ndarray:
    """Hourly wind capacity factor whose sum equals ``full_load_hours_h`` [-].

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hour-beginning timestamps (local time).
    full_load_hours_h : float
        Target annual full-load hours [h]; met to 1e-6 relative.
    rng : numpy.random.Generator
        Random stream (seeded by the caller).
    weibull_k, specific_power_w_per_m2, air_density_kg_per_m3, cp, cut_in, cut_out, \
lag1_autocorrelation, seasonal_amplitude, diurnal_amplitude : float, optional
        Override the defaults of ``profile_defaults.csv`` (units as there).
    longitude_deg : float, optional
        Site longitude [degree east]: puts the diurnal cycle on local solar time.

    Returns
    -------
    ndarray
        float64, C-contiguous, in [0, 1].

    Raises
    ------
    gpdc.errors.ProfileError
        If the target is not reachable with this power curve at any Weibull scale (the
        message names the target and the maximum), or a parameter is invalid.
    """
    return calibrated_wind(
        index,
        full_load_hours_h,
        rng,
        weibull_k=weibull_k,
        specific_power_w_per_m2=specific_power_w_per_m2,
        air_density_kg_per_m3=air_density_kg_per_m3,
        cp=cp,
        cut_in=cut_in,
        cut_out=cut_out,
        lag1_autocorrelation=lag1_autocorrelation,
        seasonal_amplitude=seasonal_amplitude,
        diurnal_amplitude=diurnal_amplitude,
        longitude_deg=longitude_deg,
    )[0]
