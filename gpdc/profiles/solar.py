"""PV capacity factors per MW AC: weather -> plane of array -> cell temperature -> DC -> AC.

Two model chains, chosen by :attr:`PVSystem.model` (scenario ``solar.pv_model``):
``"gpdc"`` (the default, below) and ``"pvwatts_v8"`` (NREL PVWatts v8's model choices,
:mod:`gpdc.profiles.pvwatts_v8`; what each choice does: docs/solar.md).

The ``"gpdc"`` chain (pvlib functions throughout, PVWatts-style):

1. :func:`sun` — solar position at the middle of each hour, Ineichen clear sky (the Linke
   turbidity climatology ships with pvlib), extraterrestrial DNI and air mass.
2. :func:`plane_of_array` — Erbs decomposition when only GHI is given; fixed tilt or
   single-axis tracking with backtracking (``pvlib.tracking.singleaxis``); Perez
   transposition; the glass-cover angle-of-incidence loss on the beam (``pvlib.iam.physical``).
3. Cell temperature by the SAPM model (open rack, glass/polymer) from air temperature and
   wind speed.
4. :func:`ac_per_mw` — PVWatts DC (``pvwatts_dc``) with the temperature coefficient, the
   DC rating ``dc_ac_ratio`` per MW AC and DC system losses, then pvlib's PVWatts inverter
   with nominal efficiency and clipping at 1 MW AC.

:func:`pv_cf` runs the chain on a weather table (from the readers).  The synthetic
generator (:func:`synthetic_solar`) feeds it clear-sky GHI times a stochastic daily
clearness index (AR(1) on the logit scale around a seasonal mean, lognormal hourly noise)
and a synthetic air temperature, and shifts the logit mean of the clearness until the
*reference plant* (:func:`reference_pv`: fixed tilt at the latitude, DC/AC 1.2, 14 % losses,
PVWatts-like; ``profile_defaults.csv``) makes the target full-load hours: the resource is
calibrated once per site-year, and the scenario's own system (tracking, DC/AC, losses, ...)
then runs on that weather, so its parameters change the energy.  Night hours (sun below
the horizon at mid-hour) are exactly 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gpdc.errors import ProfileError
from gpdc.profiles.calibrate import ar1_normal, calibrate_scale, default
from gpdc.profiles.lazy import pvlib
from gpdc.profiles.pv_system import PV_MODELS, PVSystem
from gpdc.profiles.pvwatts_v8 import pvwatts_v8_hours, sun_position

__all__ = [
    "PV_MODELS",
    "PVSystem",
    "SolarResource",
    "ac_per_mw",
    "clear_sky",
    "daily_clearness",
    "plane_of_array",
    "pv_cf",
    "reference_pv",
    "solar_resource",
    "sun",
    "synthetic_solar",
]

_YEAR_DAYS = 365.25
#: Search interval of the shift of the logit clearness mean (numerics, not world data).
_MU_LO, _MU_HI = -8.0, 8.0
#: Accepted relative error of the calibrated full-load hours: the Perez model's sky-clearness
#: bins make the annual sum jump by a few mWh/MW at bin edges, so an exact root may not exist.
REL_TOL_SOLAR = 1e-5
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


def sun(index: pd.DatetimeIndex, latitude_deg: float, longitude_deg: float, elevation_m: float) -> pd.DataFrame:
    """Solar position, clear sky, extraterrestrial DNI and air mass at the middle of each hour.

    Returns a DataFrame indexed like ``index`` (hour-beginning, tz-aware) with columns
    ``apparent_zenith``, ``zenith``, ``azimuth`` [degree], ``ghi``, ``dni``, ``dhi``,
    ``dni_extra`` [W/m2] (clear sky) and ``airmass`` [-] (absolute).
    """
    _check_site(latitude_deg, longitude_deg, elevation_m)
    if index.tz is None:
        raise ProfileError("the hourly index must be tz-aware (local time), e.g. from hourly_index()")
    loc = pvlib.location.Location(latitude_deg, longitude_deg, tz="UTC", altitude=elevation_m)  # stamps are tz-aware
    mid = index + pd.Timedelta(minutes=30)
    pos = loc.get_solarposition(mid)
    cs = loc.get_clearsky(mid, model="ineichen", solar_position=pos)
    out = pd.concat([pos[["apparent_zenith", "zenith", "azimuth"]], cs[["ghi", "dni", "dhi"]]], axis=1)
    out["dni_extra"] = np.asarray(pvlib.irradiance.get_extra_radiation(mid), dtype=np.float64)
    out["airmass"] = np.asarray(loc.get_airmass(mid, solar_position=pos)["airmass_absolute"], dtype=np.float64)
    out.index = index
    return out


#: Backwards-compatible name: the clear-sky part of :func:`sun`.
clear_sky = sun


def daily_clearness(day_of_year: np.ndarray, z: np.ndarray, shift: float = 0.0) -> np.ndarray:
    """Daily clearness index (daily GHI over clear-sky GHI) for each day [-].

    ``expit(logit(m(doy)) + shift + sd/(m(1−m)) z)``: ``m`` the seasonal mean (lowest in the
    summer monsoon), ``z`` an AR(1) standard normal series (day-to-day persistence), ``sd``
    the spread; parameters from ``profile_defaults.csv``.
    """
    doy = np.asarray(day_of_year, dtype=np.float64)
    mean = default("solar_daily_clearness_mean") - default("solar_daily_clearness_seasonal_amplitude") * np.cos(
        2.0 * np.pi * (doy - default("solar_daily_clearness_min_day")) / _YEAR_DAYS
    )
    sd = default("solar_daily_clearness_sd")
    from scipy.special import expit, logit  # imported when a profile is built

    return expit(logit(mean) + shift + sd / (mean * (1.0 - mean)) * z)


def plane_of_array(
    sky: pd.DataFrame,
    ghi: np.ndarray,
    system: PVSystem,
    *,
    dni: np.ndarray | None = None,
    dhi: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Plane-of-array irradiance: (global, effective after the beam AOI loss) [W/m2].

    ``sky`` from :func:`sun`; ``system`` filled (:meth:`PVSystem.filled`).  Without ``dni``
    and ``dhi`` the Erbs model splits ``ghi``.  Zero (exactly) when the sun is below the
    horizon at mid-hour or ``ghi`` is 0.
    """
    ghi = np.asarray(ghi, dtype=np.float64)
    zen = sky["zenith"].to_numpy()
    app = sky["apparent_zenith"].to_numpy()
    azi = sky["azimuth"].to_numpy()
    if dni is None or dhi is None:
        doy = (sky.index + pd.Timedelta(minutes=30)).day_of_year.to_numpy()
        parts = pvlib.irradiance.erbs(ghi, zen, doy)
        dni = np.nan_to_num(np.asarray(parts["dni"], dtype=np.float64))
        dhi = np.nan_to_num(np.asarray(parts["dhi"], dtype=np.float64))
    if system.tracking == "single_axis":
        tr = pvlib.tracking.singleaxis(app, azi, axis_tilt=0.0, axis_azimuth=180.0,
                                       max_angle=system.max_angle_deg, backtrack=True, gcr=system.gcr)
        tilt = np.nan_to_num(np.asarray(tr["surface_tilt"], dtype=np.float64))
        az = np.nan_to_num(np.asarray(tr["surface_azimuth"], dtype=np.float64), nan=180.0)
    else:
        tilt = np.full_like(ghi, float(system.tilt_deg or 0.0))
        az = np.full_like(ghi, float(system.azimuth_deg or 0.0))
    irr = pvlib.irradiance.get_total_irradiance(
        surface_tilt=tilt, surface_azimuth=az, solar_zenith=app, solar_azimuth=azi,
        dni=np.asarray(dni, dtype=np.float64), ghi=ghi, dhi=np.asarray(dhi, dtype=np.float64),
        dni_extra=sky["dni_extra"].to_numpy(), airmass=sky["airmass"].to_numpy(),
        albedo=default("solar_albedo"), model="perez",
    )
    beam = np.clip(np.nan_to_num(np.asarray(irr["poa_direct"], dtype=np.float64)), 0.0, None)
    diffuse = np.clip(np.nan_to_num(np.asarray(irr["poa_diffuse"], dtype=np.float64)), 0.0, None)
    aoi = pvlib.irradiance.aoi(tilt, az, app, azi)
    iam = np.nan_to_num(np.asarray(pvlib.iam.physical(aoi), dtype=np.float64))
    night = (app >= 90.0) | (ghi <= 0.0)
    total = beam + diffuse
    effective = beam * iam + diffuse
    total[night] = 0.0
    effective[night] = 0.0
    return total, effective


def ac_per_mw(
    poa_global: np.ndarray,
    poa_effective: np.ndarray,
    temp_air_c: np.ndarray,
    wind_speed_m_per_s: np.ndarray | float,
    system: PVSystem,
) -> np.ndarray:
    """AC output per MW of inverter rating [-]: SAPM cell temperature, PVWatts DC and inverter.

    ``pdc = dc_ac · G_eff/1000 · (1 + γ (T_cell − 25)) · (1 − losses)``; ``pac`` from
    ``pvlib.inverter.pvwatts`` with ``pac0 = 1``, nominal efficiency from the defaults,
    so output above 1 is clipped.
    """
    temp_cell = pvlib.temperature.sapm_cell(poa_global, temp_air_c, wind_speed_m_per_s,
                                          **pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_polymer"])
    dc = pvlib.pvsystem.pvwatts_dc(poa_effective, temp_cell, pdc0=float(system.dc_ac_ratio or 0.0),
                                   gamma_pdc=float(system.temp_coeff_per_c or 0.0))
    dc = np.clip(np.asarray(dc, dtype=np.float64), 0.0, None) * (1.0 - float(system.losses_frac or 0.0))
    eta = default("solar_inverter_efficiency_frac")
    ac = np.asarray(pvlib.inverter.pvwatts(dc, pdc0=1.0 / eta, eta_inv_nom=eta), dtype=np.float64)
    out = np.clip(np.nan_to_num(ac), 0.0, 1.0)
    out[poa_effective <= 0.0] = 0.0
    return out


def pv_cf(
    weather: pd.DataFrame,
    latitude_deg: float,
    longitude_deg: float,
    elevation_m: float,
    system: PVSystem,
) -> np.ndarray:
    """PV capacity factor per MW AC from a weather table [-].

    Parameters
    ----------
    weather : DataFrame
        Hour-beginning tz-aware index; ``ghi`` [W/m2] required; ``dni`` and ``dhi``
        [W/m2] used when both are present; ``temp_air`` [degC] (default 20) and
        ``wind_speed`` [m/s] (default 1) for the cell temperature; ``pressure`` [Pa] for
        the refraction of the sun position (``pvwatts_v8`` only).
    latitude_deg, longitude_deg, elevation_m : float
        Site.
    system : PVSystem
        The plant; defaults filled for the latitude; ``system.model`` picks the chain.

    Returns
    -------
    ndarray
        float64 in [0, 1], exactly 0 when the sun is down.
    """
    if "ghi" not in weather.columns:
        raise ProfileError(f"weather table has no ghi column; columns: {', '.join(map(str, weather.columns))}")
    index = pd.DatetimeIndex(weather.index)
    sys_ = system.filled(latitude_deg)
    has_beam = "dni" in weather.columns and "dhi" in weather.columns
    if sys_.model == "pvwatts_v8":
        _check_site(latitude_deg, longitude_deg, elevation_m)
        hours = pvwatts_v8_hours(
            index, latitude_deg, longitude_deg, elevation_m, sys_, ghi=weather["ghi"].to_numpy(dtype=np.float64),
            dni=weather["dni"].to_numpy(dtype=np.float64) if has_beam else None,
            dhi=weather["dhi"].to_numpy(dtype=np.float64) if has_beam else None,
            temp_air_c=weather["temp_air"].to_numpy(dtype=np.float64) if "temp_air" in weather.columns else 20.0,
            wind_speed_m_per_s=weather["wind_speed"].to_numpy(dtype=np.float64) if "wind_speed" in weather.columns
            else 1.0,
            pressure_pa=weather["pressure"].to_numpy(dtype=np.float64) if "pressure" in weather.columns else None,
        )
        return hours.ac_per_mw
    sky = sun(index, latitude_deg, longitude_deg, elevation_m)
    poa, eff = plane_of_array(
        sky, weather["ghi"].to_numpy(dtype=np.float64), sys_,
        dni=weather["dni"].to_numpy(dtype=np.float64) if has_beam else None,
        dhi=weather["dhi"].to_numpy(dtype=np.float64) if has_beam else None,
    )
    n = len(index)
    temp = weather["temp_air"].to_numpy(dtype=np.float64) if "temp_air" in weather.columns else np.full(n, 20.0)
    wind = weather["wind_speed"].to_numpy(dtype=np.float64) if "wind_speed" in weather.columns else 1.0
    return np.ascontiguousarray(ac_per_mw(poa, eff, temp, wind, sys_), dtype=np.float64)


def reference_pv(latitude_deg: float, model: str = "gpdc") -> PVSystem:
    """Return the reference PV plant on which ``full_load_hours_h`` is defined (``profile_defaults.csv``).

    Fixed tilt ``reference_solar_tilt_over_latitude · |latitude|`` facing the equator, DC/AC
    ``reference_solar_dc_ac_ratio``, losses ``reference_solar_losses_frac``, temperature
    coefficient ``reference_solar_temp_coeff_per_c`` (PVWatts-like; PVWatts' standard module
    under ``"pvwatts_v8"``), rows at the default ground coverage ratio, modelled by the
    scenario's chain ``model``: a fixed plant at the latitude then makes the site's
    full-load hours under either chain; filled.
    """
    return PVSystem(tracking="fixed", model=model,
                    tilt_deg=default("reference_solar_tilt_over_latitude") * abs(latitude_deg),
                    dc_ac_ratio=default("reference_solar_dc_ac_ratio"),
                    losses_frac=default("reference_solar_losses_frac"),
                    temp_coeff_per_c=default("reference_solar_temp_coeff_per_c") if model == "gpdc" else None,
                    ).filled(latitude_deg)


@dataclass(frozen=True)
class SolarResource:
    """Synthetic irradiance of one site-year, calibrated on the reference PV plant.

    Attributes: ``sky`` (:func:`sun`), ``ghi`` [W/m2], ``temp_air_c`` [degC], the logit
    ``shift`` of the clearness mean, ``cf_reference`` (the reference plant's series), the
    site (``latitude_deg``, ``longitude_deg`` [degree], ``elevation_m`` [m]) and ``model``,
    the PV chain of the reference plant it was calibrated on.
    """

    latitude_deg: float
    sky: pd.DataFrame
    ghi: np.ndarray
    temp_air_c: np.ndarray
    shift: float
    cf_reference: np.ndarray
    longitude_deg: float = 0.0
    elevation_m: float = 0.0
    model: str = "gpdc"

    def cf(self, system: PVSystem) -> np.ndarray:
        """Capacity factor per MW AC of ``system`` on this weather (the reference series as is).

        With ``system.model = "pvwatts_v8"`` the PVWatts v8 chain runs on the synthetic GHI
        (Erbs split at its own sun position, wind 1 m/s).
        """
        sys_ = system.filled(self.latitude_deg)
        if sys_ == reference_pv(self.latitude_deg, self.model):
            out = self.cf_reference.copy()
        elif sys_.model == "pvwatts_v8":
            out = pvwatts_v8_hours(pd.DatetimeIndex(self.sky.index), self.latitude_deg, self.longitude_deg,
                                   self.elevation_m, sys_, ghi=self.ghi, temp_air_c=self.temp_air_c,
                                   wind_speed_m_per_s=1.0).ac_per_mw
        else:
            poa, eff = plane_of_array(self.sky, self.ghi, sys_)
            out = ac_per_mw(poa, eff, self.temp_air_c, 1.0, sys_)
        return np.ascontiguousarray(out, dtype=np.float64)


def solar_resource(
    index: pd.DatetimeIndex,
    latitude_deg: float,
    longitude_deg: float,
    elevation_m: float,
    full_load_hours_h: float,
    rng: np.random.Generator,
    temp_air_c: np.ndarray,
    pv_model: str = "gpdc",
) -> SolarResource:
    """Synthetic GHI whose reference PV plant (:func:`reference_pv`) makes ``full_load_hours_h``.

    Draws the daily clearness series (one normal per day), then the hourly noise (one per
    hour), and finds the shift of the logit clearness mean by Brent's method.  The reference
    plant is modelled by the chain ``pv_model`` (the random draws do not depend on it).

    Raises
    ------
    ProfileError
        If the target is beyond what clear skies every day allow, or below what the
        darkest allowed sky gives; the message names the target and the bound.
    """
    sky = sun(index, latitude_deg, longitude_deg, elevation_m)
    ref = reference_pv(latitude_deg, pv_model)
    day = _day_number(index)
    n_days = int(day[-1]) + 1
    z = ar1_normal(n_days, default("solar_daily_clearness_lag1"), rng)
    noise = np.exp(default("solar_hourly_noise_sd") * rng.standard_normal(len(index)))
    doy = int(index[0].day_of_year) + np.arange(n_days)
    cs = sky["ghi"].to_numpy()
    cap = default("solar_max_clear_sky_ratio") * cs
    temp = np.asarray(temp_air_c, dtype=np.float64)
    if temp.shape != cs.shape:
        raise ProfileError(f"temp_air_c has {temp.size} values; the index has {cs.size} hours")

    def ghi_of(shift: float) -> np.ndarray:
        return np.minimum(cs * daily_clearness(doy, z, shift)[day] * noise, cap)

    if ref.model == "pvwatts_v8":
        sun8 = sun_position(index, latitude_deg, longitude_deg, elevation_m, temp_air_c=temp)

        def cf_of(shift: float) -> np.ndarray:
            return pvwatts_v8_hours(index, latitude_deg, longitude_deg, elevation_m, ref, ghi=ghi_of(shift),
                                    temp_air_c=temp, wind_speed_m_per_s=1.0, sun=sun8).ac_per_mw
    else:

        def cf_of(shift: float) -> np.ndarray:
            poa, eff = plane_of_array(sky, ghi_of(shift), ref)
            return ac_per_mw(poa, eff, temp, 1.0, ref)

    shift, cf = calibrate_scale(cf_of, full_load_hours_h, _MU_LO, _MU_HI, "solar", xtol=1e-9, rel_tol=REL_TOL_SOLAR)
    return SolarResource(latitude_deg, sky, ghi_of(shift), temp, shift, np.ascontiguousarray(cf, dtype=np.float64),
                         longitude_deg=float(longitude_deg), elevation_m=float(elevation_m), model=ref.model)


def synthetic_solar(
    index: pd.DatetimeIndex,
    latitude_deg: float,
    longitude_deg: float,
    elevation_m: float,
    full_load_hours_h: float,
    rng: np.random.Generator,
    system: PVSystem,
    temp_air_c: np.ndarray,
) -> tuple[np.ndarray, float, float]:
    """Synthetic PV capacity factor per MW AC of ``system`` on weather calibrated to the reference plant.

    The irradiance is calibrated so that the reference plant (:func:`reference_pv`, modelled
    by ``system.model``) makes ``full_load_hours_h`` (:func:`solar_resource`); ``system``
    then runs on it, so its sum
    equals the target only when it is the reference plant.  Returns ``(cf, shift,
    ghi_kwh_per_m2)``: the calibrated shift of the logit clearness mean and the annual GHI
    [kWh/m2].

    Raises
    ------
    ProfileError
        As :func:`solar_resource`.
    """
    res = solar_resource(index, latitude_deg, longitude_deg, elevation_m, full_load_hours_h, rng, temp_air_c,
                         pv_model=system.model)
    return res.cf(system), res.shift, float(res.ghi.sum() / 1000.0)
