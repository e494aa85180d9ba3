"""Wind capacity factors: speed at hub height -> air-density-corrected power curve -> losses.

The model chain (windpowerlib throughout; its turbine library is read from the file that
ships inside the package, never fetched):

1. :func:`hub_speed` — speeds measured at ``measurement_height_m`` to hub height by the
   power law (``windpowerlib.wind_speed.hellman``) or the log law
   (``windpowerlib.wind_speed.logarithmic_profile``).  :func:`check_shear_extrapolation`
   guards it: a :class:`~gpdc.errors.ConsistencyWarning` beyond
   ``wind_shear_warn_extrapolation_m`` (35 m, SAM's limit) and a refusal when the hub is
   more than ``wind_shear_max_hub_over_height_ratio`` (1.5) times higher than the speeds
   (measured below 2/3 of the hub height) unless the shear is set explicitly
   (``shear_exponent`` or ``roughness_length_m``).
2. :func:`air_density` — temperature to hub height by the linear gradient
   (``windpowerlib.temperature.linear_gradient``), density by the barometric formula
   (``windpowerlib.density.barometric``) from the station pressure (or, if none is given,
   pvlib's standard atmosphere at the site elevation).
3. :func:`power_frac` — a windpowerlib turbine's power curve per unit of rating (or a
   user's curve table), density-corrected (``windpowerlib.power_output.power_curve``).
4. ``cf = (1 − losses) · P/P_rated`` (wake, availability and electrical losses).

The synthetic generator (:func:`synthetic_wind`) draws hub-height speeds
``v_t = c · s(t) · d(t) · W(Φ(z_t))``: ``z_t = √w · z_slow + √(1−w) · z_fast`` is a mix of
two unit AR(1) processes (hour-to-hour turbulence/mesoscale and multi-day synoptic
persistence), ``Φ`` the normal CDF and ``W`` the unit-scale Weibull(k) quantile (a
Gaussian copula keeps the marginal Weibull), ``s`` a seasonal and ``d`` a diurnal cycle
on the scale, and ``c`` the Weibull scale [m/s] found so that the *reference plant*
(:func:`reference_wind_plant`: the default turbine at ``reference_wind_hub_height_m`` with
``reference_wind_losses_frac``) makes the target net full-load hours.  The speeds are
those at the reference hub height; the scenario's plant takes them to its own hub height
by its shear law, through its own (density-corrected) power curve and losses
(:func:`plant_wind_cf`), so turbine, hub height and losses change the energy.  The air
density is the site's annual mean at each hub height (one corrected curve).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pandas as pd

from gpdc.errors import ConsistencyWarning, ProfileError, ScenarioError
from gpdc.profiles.calibrate import ar1_normal, calibrate_scale, default, mid_hour
from gpdc.profiles.lazy import pvlib
from gpdc.profiles.readers import columns_present, read_csv_text, read_input
from gpdc.scenario import tables

__all__ = [
    "DEFAULT_TURBINE",
    "WindPlant",
    "air_density",
    "check_shear_extrapolation",
    "hub_speed",
    "plant_wind_cf",
    "power_frac",
    "read_power_curve_csv",
    "reference_wind_plant",
    "speed_shape",
    "synthetic_wind",
    "turbine_curve",
    "turbine_types",
    "wind_cf",
    "wind_resource",
]

#: Default turbine (why: ``wind_default_turbine_rotor_m`` in profile_defaults.csv).
DEFAULT_TURBINE = "GE130/3200"
#: windpowerlib's packaged turbine library (OEDB snapshot shipped in the wheel).
TURBINE_LIBRARY = Path(getattr(find_spec("windpowerlib"), "origin", None) or "").parent / "oedb"  # not imported to find it
_YEAR_DAYS = 365.25
_RHO0 = 1.225  # kg/m3, standard density of the power curves (windpowerlib)
#: Search interval of the Weibull scale [m/s] and number of scan points (numerics, not world data).
_SCALE_LO, _SCALE_HI, _N_SCAN = 0.5, 40.0, 60


def turbine_types() -> list[str]:
    """Turbine types with a power curve in windpowerlib's packaged library (sorted)."""
    return tables.turbine_types()


@lru_cache(maxsize=64)
def turbine_curve(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Power curve of a library turbine: (speeds [m/s], power per unit of rating [-])."""
    if name not in turbine_types():
        raise ProfileError(f"unknown windpowerlib turbine type {name!r}; e.g. {', '.join(turbine_types()[:10])}")
    with warnings.catch_warnings():  # windpowerlib 0.2 uses dropna(inplace=True), deprecated in pandas 3.1
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        from windpowerlib.wind_turbine import get_turbine_data_from_file  # windpowerlib: imported when used

        curve = get_turbine_data_from_file(name, str(TURBINE_LIBRARY / "power_curves.csv"))
    data = pd.read_csv(TURBINE_LIBRARY / "turbine_data.csv", index_col="turbine_type")
    rated = float(data.loc[name, "nominal_power"])
    speeds = curve["wind_speed"].to_numpy(dtype=np.float64)
    frac = np.clip(curve["value"].to_numpy(dtype=np.float64) / rated, 0.0, 1.0)
    return speeds, frac


def read_power_curve_csv(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a user power curve: columns ``wind_speed_m_per_s`` and ``power_frac`` (per unit).

    Raises
    ------
    ProfileError
        Naming the file, the line and the problem: missing column, non-numeric or NaN
        value, speeds not increasing, power outside [0, 1], fewer than 3 points.
    """
    path = Path(path)
    _, text = read_input(path, "wind.power_curve_path")
    df = read_csv_text(text, str(path))
    df.columns = [str(c).strip() for c in df.columns]
    for col in ("wind_speed_m_per_s", "power_frac"):
        if col not in df.columns:
            raise ProfileError(f"{path}: missing column {col}; columns present: {columns_present(df.columns)}")
    out = []
    for col in ("wind_speed_m_per_s", "power_frac"):
        num = pd.to_numeric(df[col].str.strip(), errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(num))
        if bad.size:
            i = int(bad[0])
            raise ProfileError(f"{path}, line {i + 2}, column {col}: {df[col].iloc[i]!r} is not a finite number")
        out.append(num)
    v, p = out
    if len(v) < 3:
        raise ProfileError(f"{path}: {len(v)} points; a power curve needs at least 3")
    back = np.flatnonzero(np.diff(v) <= 0.0)
    if back.size:
        i = int(back[0]) + 1
        raise ProfileError(f"{path}, line {i + 2}, column wind_speed_m_per_s: {v[i]:g} does not increase "
                           f"after {v[i - 1]:g}")
    out_of = np.flatnonzero((p < 0.0) | (p > 1.0))
    if out_of.size:
        i = int(out_of[0])
        raise ProfileError(f"{path}, line {i + 2}, column power_frac: {p[i]:g} is outside [0, 1] (per unit of rating)")
    return v, p


@dataclass(frozen=True)
class WindPlant:
    """A wind farm per MW of rating.  ``None`` fields take ``profile_defaults.csv`` values."""

    turbine: str | None = None
    power_curve_path: str | None = None
    hub_height_m: float | None = None
    losses_frac: float | None = None
    measurement_height_m: float = 10.0
    shear_model: str = "power"
    shear_exponent: float | None = None
    roughness_length_m: float | None = None
    weibull_k: float | None = None

    def filled(self) -> WindPlant:
        """Return a copy with the defaults filled in."""
        if self.shear_model not in ("power", "log"):
            raise ProfileError(f"shear_model = {self.shear_model!r} is invalid: must be 'power' or 'log'")
        return replace(
            self,
            turbine=DEFAULT_TURBINE if self.turbine is None and self.power_curve_path is None else self.turbine,
            hub_height_m=default("wind_hub_height_m") if self.hub_height_m is None else self.hub_height_m,
            losses_frac=default("wind_losses_frac") if self.losses_frac is None else self.losses_frac,
            shear_exponent=default("wind_shear_exponent") if self.shear_exponent is None else self.shear_exponent,
            roughness_length_m=default("wind_roughness_length_m") if self.roughness_length_m is None
            else self.roughness_length_m,
            weibull_k=default("wind_weibull_k") if self.weibull_k is None else self.weibull_k,
        )

    def curve(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the power curve (a user table wins over the library turbine)."""
        if self.power_curve_path is not None:
            return read_power_curve_csv(self.power_curve_path)
        return turbine_curve(self.turbine or DEFAULT_TURBINE)

    def describe(self) -> str:
        """One line for provenance."""
        curve = f"power curve {self.power_curve_path}" if self.power_curve_path else f"windpowerlib {self.turbine}"
        return f"{curve}, hub {self.hub_height_m:g} m, losses {self.losses_frac:g}"


def _shear_is_explicit(plant: WindPlant) -> bool:
    """Return True when the (unfilled) plant's shear law has its parameter set by the user."""
    if plant.shear_model == "log":
        return plant.roughness_length_m is not None
    return plant.shear_exponent is not None


def check_shear_extrapolation(plant: WindPlant, from_height_m: float, *, from_field: str, synthetic: bool) -> None:
    """Guard the extrapolation of wind speeds from ``from_height_m`` to the plant's hub height.

    * More than ``wind_shear_warn_extrapolation_m`` (35 m) up or down: a
      :class:`~gpdc.errors.ConsistencyWarning` naming the fields, the heights, the law and
      its speed factor (SAM Windpower refuses this outright).
    * A hub more than ``wind_shear_max_hub_over_height_ratio`` (1.5) times higher than the
      speeds, i.e. speeds from below 2/3 of the hub height (bankable measurements reach 2/3
      of the hub height):
      refused unless the shear is set explicitly (``shear_exponent`` for the power law,
      ``roughness_length_m`` for the log law): then the shear assumption dominates the
      energy and must be the user's.

    Parameters
    ----------
    plant : WindPlant
        The plant as given (unfilled: ``None`` shear parameters mean "default").
    from_height_m : float
        Height of the speeds [m].
    from_field : str
        Where that height comes from, for messages (e.g. ``"wind.measurement_height_m"``).
    synthetic : bool
        True for the synthetic generator's reference-height speeds: the refusal names
        ``wind.hub_height_m``; otherwise ``wind.measurement_height_m``.

    Raises
    ------
    ScenarioError
        Beyond the 1.5 x limit without an explicit shear (field, value, what is allowed).
    """
    hub = default("wind_hub_height_m") if plant.hub_height_m is None else float(plant.hub_height_m)
    h0 = float(from_height_m)
    if hub == h0:
        return
    ratio = default("wind_shear_max_hub_over_height_ratio")
    explicit = _shear_is_explicit(plant)
    how = ("shear exponent wind.shear_exponent" if plant.shear_model == "power"
           else "roughness length wind.roughness_length_m with wind.shear_model = 'log'")
    if hub > ratio * h0 and not explicit:
        if synthetic:
            raise ScenarioError(
                "wind.hub_height_m", hub,
                f"the synthetic wind speeds are made at {from_field} = {h0:g} m; a hub above {ratio * h0:g} m "
                f"({ratio:g} x that height) needs the {how} set explicitly [m]")
        raise ScenarioError(
            "wind.measurement_height_m", h0,
            f"the hub (wind.hub_height_m = {hub:g} m) is more than {ratio:g} x this height, and speeds measured "
            f"below {hub / ratio:g} m are not extrapolated with a default shear; set the {how} explicitly, or use "
            f"speeds measured at {hub / ratio:g} m or higher [m]")
    limit = default("wind_shear_warn_extrapolation_m")
    if abs(hub - h0) > limit:
        factor = float(hub_speed(np.ones(1), replace(plant.filled(), measurement_height_m=h0))[0])
        law = (f"power law, alpha {plant.filled().shear_exponent:g}" if plant.shear_model == "power"
               else f"log law, z0 {plant.filled().roughness_length_m:g} m")
        warnings.warn(
            f"wind.hub_height_m = {hub:g} m is {abs(hub - h0):g} m {'above' if hub > h0 else 'below'} the wind "
            f"speed height {from_field} = {h0:g} m: extrapolated over more than {limit:g} m by the {law} "
            f"(x {factor:.3f} in speed, x {factor ** 3:.2f} in wind power density); SAM refuses more than "
            f"{limit:g} m: the result rests on this shear assumption",
            ConsistencyWarning, stacklevel=3)


def hub_speed(speed_m_per_s: np.ndarray, plant: WindPlant) -> np.ndarray:
    """Measured speeds to hub height by the power or log law (windpowerlib) [m/s]."""
    p = plant.filled()
    v = np.asarray(speed_m_per_s, dtype=np.float64)
    if p.hub_height_m == p.measurement_height_m:
        return v
    from windpowerlib.wind_speed import hellman, logarithmic_profile

    if p.shear_model == "log":
        z0 = float(p.roughness_length_m or 0.0)
        if min(p.measurement_height_m, float(p.hub_height_m or 0.0)) <= z0:
            raise ProfileError(f"roughness_length_m = {z0:g} is invalid: the log law needs both heights "
                               f"({p.measurement_height_m:g} m, {p.hub_height_m:g} m) above it [m]")
        return np.asarray(logarithmic_profile(v, p.measurement_height_m, p.hub_height_m, z0),
                          dtype=np.float64)
    return np.asarray(hellman(v, p.measurement_height_m, p.hub_height_m, hellman_exponent=p.shear_exponent),
                      dtype=np.float64)


def air_density(
    temp_air_c: np.ndarray | float,
    plant: WindPlant,
    elevation_m: float,
    pressure_pa: np.ndarray | float | None = None,
    temp_height_m: float = 2.0,
) -> np.ndarray:
    """Air density at hub height [kg/m3] (windpowerlib linear gradient + barometric formula).

    ``pressure_pa`` is the station pressure at ``temp_height_m`` above ground; without it
    pvlib's standard atmosphere at ``elevation_m`` stands in.
    """
    from windpowerlib.density import barometric
    from windpowerlib.temperature import linear_gradient

    p = plant.filled()
    t_k = np.asarray(temp_air_c, dtype=np.float64) + 273.15
    t_hub = np.asarray(linear_gradient(t_k, temp_height_m, p.hub_height_m), dtype=np.float64)
    pres = pvlib.atmosphere.alt2pres(elevation_m) if pressure_pa is None else np.asarray(pressure_pa, dtype=np.float64)
    return np.asarray(barometric(pres, temp_height_m, p.hub_height_m, t_hub), dtype=np.float64)


def power_frac(
    hub_speed_m_per_s: np.ndarray, plant: WindPlant, density_kg_per_m3: np.ndarray | float | None = None
) -> np.ndarray:
    """Gross turbine output per unit of rating [-], density-corrected when a density is given."""
    from windpowerlib.power_output import power_curve

    speeds, frac = plant.filled().curve()
    v = np.asarray(hub_speed_m_per_s, dtype=np.float64)
    if density_kg_per_m3 is None:
        out = power_curve(v, speeds, frac)
    else:
        rho = np.broadcast_to(np.asarray(density_kg_per_m3, dtype=np.float64), v.shape)
        out = power_curve(v, speeds, frac, density=rho, density_correction=True)
    return np.clip(np.asarray(out, dtype=np.float64), 0.0, 1.0)


def wind_cf(
    speed_m_per_s: np.ndarray,
    plant: WindPlant,
    *,
    elevation_m: float = 0.0,
    temp_air_c: np.ndarray | None = None,
    pressure_pa: np.ndarray | None = None,
) -> np.ndarray:
    """Wind capacity factor from measured speeds [-]: hub height, density, curve, losses.

    Without ``temp_air_c`` the power curve is used as published (standard density).  The
    extrapolation from ``measurement_height_m`` is checked first
    (:func:`check_shear_extrapolation`: a warning beyond 35 m, a :class:`ScenarioError`
    below 2/3 of the hub height without an explicit shear).
    """
    check_shear_extrapolation(plant, plant.measurement_height_m, from_field="wind.measurement_height_m",
                              synthetic=False)
    p = plant.filled()
    v = np.asarray(speed_m_per_s, dtype=np.float64)
    if not np.all(np.isfinite(v)) or np.any(v < 0.0):
        i = int(np.flatnonzero(~np.isfinite(v) | (v < 0.0))[0])
        raise ProfileError(f"wind speed at hour {i} is {v[i]!r}; must be finite and >= 0 [m/s]")
    rho = None if temp_air_c is None else air_density(temp_air_c, p, elevation_m, pressure_pa)
    out = (1.0 - float(p.losses_frac or 0.0)) * power_frac(hub_speed(v, p), p, rho)
    return np.ascontiguousarray(out, dtype=np.float64)


def speed_shape(
    index: pd.DatetimeIndex,
    rng: np.random.Generator,
    weibull_k: float,
    *,
    longitude_deg: float | None = None,
) -> np.ndarray:
    """Hub-height speed per m/s of Weibull scale: ``s(t) · d(t) · W(Φ(z_t))`` [-].

    ``z`` mixes a fast AR(1) (``wind_lag1_autocorrelation``) and a slow, synoptic AR(1)
    (``wind_slow_lag1_autocorrelation``, variance share ``wind_slow_weight``).  The diurnal
    cycle runs on local mean solar time when ``longitude_deg`` is given.  Draws ``2 n``
    standard normals (fast, then slow).
    """
    if not (np.isfinite(weibull_k) and weibull_k > 0.0):
        raise ProfileError(f"weibull_k = {weibull_k!r} is invalid: must be > 0")
    n = len(index)
    w = default("wind_slow_weight")
    fast = ar1_normal(n, default("wind_lag1_autocorrelation"), rng)
    slow = ar1_normal(n, default("wind_slow_lag1_autocorrelation"), rng)
    z = np.sqrt(1.0 - w) * fast + np.sqrt(w) * slow
    from scipy.special import ndtr  # imported when a profile is built, not with gpdc.profiles

    u = ndtr(z)
    base = (-np.log1p(-np.minimum(u, 1.0 - 1e-16))) ** (1.0 / weibull_k)  # unit-scale Weibull(k)
    doy = (index + pd.Timedelta(minutes=30)).day_of_year.to_numpy()
    hour = mid_hour(index, longitude_deg)
    a_s = default("wind_seasonal_amplitude")
    a_d = default("wind_diurnal_amplitude")
    season = 1.0 - a_s * np.cos(2.0 * np.pi * (doy - default("wind_seasonal_min_day")) / _YEAR_DAYS)
    diurnal = 1.0 + a_d * np.cos(2.0 * np.pi * (hour - default("wind_diurnal_peak_hour")) / 24.0)
    return base * season * diurnal


def reference_wind_plant(weibull_k: float | None = None) -> WindPlant:
    """Return the reference wind plant on which ``full_load_hours_h`` is defined (``profile_defaults.csv``).

    The default turbine (:data:`DEFAULT_TURBINE`) at ``reference_wind_hub_height_m`` with
    ``reference_wind_losses_frac``; ``weibull_k`` is the site's (a resource property).
    """
    return WindPlant(turbine=DEFAULT_TURBINE, hub_height_m=default("reference_wind_hub_height_m"),
                     losses_frac=default("reference_wind_losses_frac"), weibull_k=weibull_k).filled()


def _cf_from_reference_speed(
    speed_ref: np.ndarray, plant: WindPlant, *, elevation_m: float, mean_temp_air_c: float
) -> np.ndarray:
    """Net capacity factor of a (filled) plant from speeds at the reference hub height.

    Shear extrapolation from ``reference_wind_hub_height_m`` to the plant's hub height by the
    plant's shear law (none when the heights are equal), the power curve corrected to the air
    density at the plant's hub height (one density: the site's annual mean), then losses.
    """
    ref_hub = default("reference_wind_hub_height_m")
    factor = float(hub_speed(np.ones(1), replace(plant, measurement_height_m=ref_hub))[0])
    speeds, frac = plant.curve()
    rho = float(air_density(mean_temp_air_c, plant, elevation_m))
    # windpowerlib's density correction (power_curve_density_correction), for one density:
    # v_site = v_std (rho0/rho)^p(v_std), p from 1/3 below 7.5 m/s to 2/3 above 12.5 m/s
    site_speeds = speeds * (_RHO0 / rho) ** np.interp(speeds, [7.5, 12.5], [1.0 / 3.0, 2.0 / 3.0])
    keep = 1.0 - float(plant.losses_frac or 0.0)
    v = speed_ref if factor == 1.0 else speed_ref * factor
    return keep * np.interp(v, site_speeds, frac, left=0.0, right=0.0)


def wind_resource(
    index: pd.DatetimeIndex,
    full_load_hours_h: float,
    rng: np.random.Generator,
    weibull_k: float,
    *,
    elevation_m: float,
    mean_temp_air_c: float,
    longitude_deg: float | None = None,
) -> tuple[np.ndarray, float, np.ndarray]:
    """Synthetic speeds at the reference hub height, calibrated on the reference plant.

    The Weibull scale is found so that :func:`reference_wind_plant` yields
    ``full_load_hours_h`` net full-load hours.  Returns ``(speed_ref_m_per_s, scale,
    cf_reference)``.
    """
    ref = reference_wind_plant(weibull_k)
    shape = speed_shape(index, rng, float(weibull_k), longitude_deg=longitude_deg)

    def cf(scale: float) -> np.ndarray:
        return _cf_from_reference_speed(shape * scale, ref, elevation_m=elevation_m, mean_temp_air_c=mean_temp_air_c)

    scale, out = calibrate_scale(cf, full_load_hours_h, _SCALE_LO, _SCALE_HI, "wind", n_scan=_N_SCAN, xtol=1e-12)
    return shape * scale, scale, out


def synthetic_wind(
    index: pd.DatetimeIndex,
    full_load_hours_h: float,
    rng: np.random.Generator,
    plant: WindPlant,
    *,
    elevation_m: float,
    mean_temp_air_c: float,
    longitude_deg: float | None = None,
) -> tuple[np.ndarray, float, float]:
    """Synthetic wind capacity factor of ``plant`` on weather calibrated to the reference plant.

    The resource (:func:`wind_resource`, the site's Weibull k from ``plant``) is calibrated
    so that the reference plant makes ``full_load_hours_h`` net; ``plant`` (turbine, hub
    height with shear extrapolation, losses) then runs on it, so its sum equals the target
    only when the plant is the reference.  Returns ``(cf, weibull_scale_m_per_s,
    mean_hub_speed_m_per_s)`` (scale at the reference hub height, mean speed at the plant's).

    Raises
    ------
    ProfileError
        If no Weibull scale reaches the target with the reference plant (the message names
        the target and the maximum).
    ScenarioError
        If the hub is more than 1.5 x the reference hub height without an explicit shear
        (:func:`check_shear_extrapolation`; beyond 35 m a warning).
    """
    check_shear_extrapolation(plant, default("reference_wind_hub_height_m"),
                              from_field="reference_wind_hub_height_m (profile_defaults.csv)", synthetic=True)
    p = plant.filled()
    speed_ref, scale, cf_ref = wind_resource(
        index, full_load_hours_h, rng, float(p.weibull_k if p.weibull_k is not None else 2.0),
        elevation_m=elevation_m, mean_temp_air_c=mean_temp_air_c, longitude_deg=longitude_deg)
    return plant_wind_cf(speed_ref, cf_ref, p, elevation_m=elevation_m, mean_temp_air_c=mean_temp_air_c), scale, \
        float(np.mean(speed_ref)) * float(hub_speed(np.ones(1), replace(
            p, measurement_height_m=default("reference_wind_hub_height_m")))[0])


def plant_wind_cf(
    speed_ref: np.ndarray, cf_ref: np.ndarray, plant: WindPlant, *, elevation_m: float, mean_temp_air_c: float
) -> np.ndarray:
    """Net capacity factor of ``plant`` (filled) on calibrated reference-height speeds.

    ``cf_ref`` (the reference plant's series) is returned as is when the plant is the
    reference plant, so a scenario without plant parameters hits the target exactly.
    """
    if plant == reference_wind_plant(plant.weibull_k):
        out = cf_ref.copy()
    else:
        out = _cf_from_reference_speed(speed_ref, plant, elevation_m=elevation_m, mean_temp_air_c=mean_temp_air_c)
    return np.ascontiguousarray(out, dtype=np.float64)
