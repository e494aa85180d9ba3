"""Synthetic wind capacity factors: Weibull speeds with persistence, through a power curve.

Hub-height speed = Weibull inverse CDF of Φ(z_t), z_t an AR(1) Gaussian process (a Gaussian
copula: the marginal stays Weibull, the hours stay correlated); the Weibull scale follows a
seasonal and a diurnal cycle.  A generic power curve (cut-in, cubic ramp to rated at the
speed implied by the specific power, flat to cut-out) turns speed into per-unit output, and
the Weibull scale is set so that the year's full-load hours equal the target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr

from gpdc.profiles.calibrate import calibrate_scale, default


def rated_speed(specific_power_w_per_m2: float, air_density_kg_per_m3: float, cp: float) -> float:
    """Rated wind speed v_r = (2·SP / (ρ·Cp))^(1/3) [m/s]."""
    return float((2.0 * specific_power_w_per_m2 / (air_density_kg_per_m3 * cp)) ** (1.0 / 3.0))


def generic_power_curve(
    speed_m_per_s: np.ndarray,
    specific_power_w_per_m2: float | None = None,
    air_density_kg_per_m3: float | None = None,
    cp: float | None = None,
    cut_in: float | None = None,
    cut_out: float | None = None,
) -> np.ndarray:
    """Per-unit output of a generic turbine at the given hub-height speeds [-].

    0 below cut-in and above cut-out; a cubic ramp (v³ − v_in³)/(v_r³ − v_in³) up to the
    rated speed; 1 from rated to cut-out.
    """
    sp = default("wind_specific_power_w_per_m2") if specific_power_w_per_m2 is None else specific_power_w_per_m2
    rho = default("wind_air_density_kg_per_m3") if air_density_kg_per_m3 is None else air_density_kg_per_m3
    cp_ = default("wind_power_coefficient") if cp is None else cp
    v_in = default("wind_cut_in_m_per_s") if cut_in is None else cut_in
    v_out = default("wind_cut_out_m_per_s") if cut_out is None else cut_out
    v_r = rated_speed(sp, rho, cp_)
    v = np.asarray(speed_m_per_s, dtype=np.float64)
    ramp = (v**3 - v_in**3) / (v_r**3 - v_in**3)
    return np.where((v < v_in) | (v > v_out), 0.0, np.clip(ramp, 0.0, 1.0))


def ar1_uniform(n: int, phi: float, rng: np.random.Generator) -> np.ndarray:
    """Uniform(0,1) marginals with AR(1) Gaussian dependence (lag-1 correlation ≈ phi)."""
    eps = rng.standard_normal(n)
    z = np.empty(n)
    z[0] = eps[0]
    s = np.sqrt(1.0 - phi * phi)
    for t in range(1, n):
        z[t] = phi * z[t - 1] + s * eps[t]
    return np.clip(ndtr(z), 1e-12, 1.0 - 1e-12)


def wind_cf(
    index: pd.DatetimeIndex,
    full_load_hours_h: float,
    rng: np.random.Generator,
    *,
    weibull_k: float | None = None,
    specific_power_w_per_m2: float | None = None,
) -> np.ndarray:
    """Hourly wind capacity factor whose annual sum equals ``full_load_hours_h`` [-].

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Hour-beginning timestamps (local time: the diurnal cycle uses the clock hour).
    full_load_hours_h : float
        Target annual full-load hours [h].
    rng : numpy.random.Generator
        Random stream (seeded by the caller).
    weibull_k : float, optional
        Weibull shape [-]; default from ``profile_defaults.csv``.
    specific_power_w_per_m2 : float, optional
        Turbine rating over swept area [W/m2]; sets the rated speed.

    Raises
    ------
    gpdc.errors.ProfileError
        If the target is not reachable with this power curve.
    """
    k = default("wind_weibull_k") if weibull_k is None else weibull_k
    u = ar1_uniform(len(index), default("wind_lag1_autocorrelation"), rng)
    base = (-np.log1p(-u)) ** (1.0 / k)  # Weibull(k) with unit scale
    doy = index.day_of_year.to_numpy()
    hour = index.hour.to_numpy() + 0.5
    season = 1.0 - default("wind_seasonal_amplitude") * np.cos(
        2.0 * np.pi * (doy - default("wind_seasonal_min_day")) / 365.25
    )
    diurnal = 1.0 + default("wind_diurnal_amplitude") * np.cos(2.0 * np.pi * (hour - default("wind_diurnal_peak_hour")) / 24.0)
    shape = base * season * diurnal

    def cf(scale: float) -> np.ndarray:
        return generic_power_curve(shape * scale, specific_power_w_per_m2)

    # the scale is the mean-speed knob: search up to the speed where output would fall again
    _, out = calibrate_scale(cf, full_load_hours_h, 0.1, 12.0, "wind")
    return np.ascontiguousarray(out, dtype=np.float64)
