"""PV output per MW AC with the model choices of NREL's PVWatts v8, built from pvlib functions.

``pv_model = "pvwatts_v8"`` (``PVSystem.model``).  Each step follows what SAM's PVWatts v8
compute module does (``cmod_pvwattsv8.cpp`` and the SAM libraries it calls, read in
github.com/NREL/ssc at commit e97a19f, 2025-06-04; the sub-models are those of the SAM PV
technical reference, Gilman 2015, NREL/TP-6A20-64102, and of the PVWatts v5 manual, Dobos
2014, NREL/TP-6A20-62641); every constant is a ``pvwatts_v8_*`` row of
``profile_defaults.csv``:

1. :func:`sun_position` — hourly data are hour averages: the sun at the middle of the hour,
   in the sunrise hour at the middle between sunrise and the end of the hour, in the sunset
   hour between its start and sunset; before sunrise and after sunset the hour is dark (SPA
   sunrise and sunset).
2. :func:`plane_of_array` — beam on the plane; Perez 1990 sky diffuse with PVWatts'
   settings (Kasten 1966 relative air mass, a fixed 1367 W/m2 in the sky brightness,
   isotropic beyond 87.5° zenith, where the ground-reflected part is 0); ground-reflected
   from GHI rebuilt as ``DNI cos z + DHI``.
3. :func:`row_shading` — self-shading of long rows at the ground coverage ratio: the shaded
   fraction of the beam on fixed rows (pvlib ``shaded_fraction1d``; none on backtracking
   trackers), the sky view blocked by the row in front (pvlib ``vf_row_sky_2d_integ`` over
   the isotropic view) and the ground-reflected part from the unshaded ground between rows.
4. :func:`transmitted` — the De Soto glass cover on beam (anti-reflective glass), sky diffuse
   and ground-reflected at the Brandemuehl-Beckman effective angles (pvlib ``iam.physical``),
   normalised as PVWatts v8 does; then the air-mass spectral modifier of De Soto et al.
   (pvlib ``spectral_factor_sapm``).
5. :func:`cell_temperature` — SAM's NOCT model (pvlib ``noct_sam``, NOCT 45 °C, wind x 0.51).
6. :func:`dc_per_mw` — the CEC single-diode model of PVWatts' "standard" module (pvlib
   ``calcparams_cec`` + ``max_power_point``), scaled to the DC rating, then the DC losses.
7. :func:`ac_from_dc` — the Sandia inverter with PVWatts v8's parameters (linear above a
   self-consumption threshold, nominal efficiency, clipping at the AC rating).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gpdc.errors import ProfileError
from gpdc.profiles.calibrate import default
from gpdc.profiles.lazy import pvlib
from gpdc.profiles.pv_system import PVSystem

__all__ = [
    "PVWattsV8Hours",
    "ac_from_dc",
    "cell_temperature",
    "dc_per_mw",
    "plane_of_array",
    "pvwatts_v8_hours",
    "row_shading",
    "spectral_factor",
    "sun_position",
    "transmitted",
]

_HOUR = pd.Timedelta(hours=1)


def _fresnel_loss(n1: float, n2: float) -> float:
    """Reflectance of one interface at normal incidence, ((n2 - n1)/(n2 + n1))^2 [-]."""
    return ((n2 - n1) / (n2 + n1)) ** 2


def sun_position(
    index: pd.DatetimeIndex,
    latitude_deg: float,
    longitude_deg: float,
    elevation_m: float,
    *,
    pressure_pa: np.ndarray | None = None,
    temp_air_c: np.ndarray | None = None,
) -> pd.DataFrame:
    """Sun position of each hour-average as PVWatts v8 takes it [degree].

    For hour-beginning stamps ``t``: the middle of the hour ``t + 30 min``; in the hour that
    contains sunrise, the middle between sunrise and ``t + 1 h``; in the hour that contains
    sunset, the middle between ``t`` and sunset; hours before sunrise or after sunset are
    dark.  Sunrise and sunset are SPA's (upper limb at the horizon with standard refraction,
    pvlib ``sun_rise_set_transit_spa``); where a day has none (polar day or night) the
    middle of the hour is used and the sun is up when it is above the horizon there.

    Parameters
    ----------
    index : DatetimeIndex
        Hour-beginning, tz-aware local stamps.
    latitude_deg, longitude_deg, elevation_m : float
        Site [degree, degree, m].
    pressure_pa, temp_air_c : ndarray, optional
        For the refraction correction [Pa, degC]; default the standard atmosphere at the
        elevation and 12 degC.

    Returns
    -------
    DataFrame
        Indexed like ``index``: ``apparent_zenith``, ``zenith``, ``azimuth`` [degree] at the
        effective time, ``sun_up`` (bool) and ``time`` (the effective time, tz-aware).
    """
    if index.tz is None:
        raise ProfileError("the hourly index must be tz-aware (local time), e.g. from hourly_index()")
    utc = pd.DatetimeIndex(index).tz_convert("UTC")
    start = utc.as_unit("ns").asi8.astype(np.float64) / 3.6e12  # hours since the epoch, UTC
    end = start + 1.0
    mid = start + 0.5
    day = pd.DatetimeIndex(index + _HOUR / 2).normalize()  # local day of the hour's middle
    days = day.unique()
    rst = pvlib.solarposition.sun_rise_set_transit_spa(days + pd.Timedelta(hours=12), latitude_deg, longitude_deg)

    def hours_of(col: str) -> np.ndarray:
        t = pd.DatetimeIndex(rst[col])
        ok = ~t.isna()
        out = np.full(len(t), np.nan)
        out[ok] = t[ok].tz_convert("UTC").as_unit("ns").asi8.astype(np.float64) / 3.6e12
        return pd.Series(out, index=days).reindex(day).to_numpy()

    rise, sets = hours_of("sunrise"), hours_of("sunset")
    polar = np.isnan(rise) | np.isnan(sets)
    with np.errstate(invalid="ignore"):
        in_rise = ~polar & (rise > start) & (rise <= end)
        in_set = ~polar & ~in_rise & (sets >= start) & (sets < end)
        daylight = ~polar & (mid >= rise) & (mid <= sets)
    when = np.where(in_rise, (rise + end) / 2.0, np.where(in_set, (start + sets) / 2.0, mid))
    times = pd.DatetimeIndex(np.rint(when * 3.6e12).astype("datetime64[ns]")).tz_localize("UTC").tz_convert(index.tz)
    kw: dict[str, object] = {}
    if pressure_pa is not None:
        kw["pressure"] = np.asarray(pressure_pa, dtype=np.float64)
    else:
        kw["pressure"] = pvlib.atmosphere.alt2pres(elevation_m)
    if temp_air_c is not None:
        kw["temperature"] = np.asarray(temp_air_c, dtype=np.float64)
    pos = pvlib.solarposition.get_solarposition(times, latitude_deg, longitude_deg, altitude=elevation_m, **kw)
    app = pos["apparent_zenith"].to_numpy(dtype=np.float64)
    sun_up = in_rise | in_set | daylight | (polar & (app < 90.0))
    out = pd.DataFrame(
        {"apparent_zenith": app, "zenith": pos["zenith"].to_numpy(dtype=np.float64),
         "azimuth": pos["azimuth"].to_numpy(dtype=np.float64), "sun_up": sun_up, "time": times},
        index=index,
    )
    return out


def plane_of_array(
    apparent_zenith_deg: np.ndarray,
    azimuth_deg: np.ndarray,
    dni: np.ndarray,
    dhi: np.ndarray,
    surface_tilt_deg: np.ndarray,
    surface_azimuth_deg: np.ndarray,
    albedo: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Plane-of-array beam, sky diffuse and ground-reflected irradiance as in PVWatts v8 [W/m2].

    Beam ``DNI · max(cos AOI, 0)``; sky diffuse by pvlib's Perez model (``allsitescomposite1990``
    coefficients) with the Kasten 1966 relative air mass and a fixed extraterrestrial
    irradiance (``pvwatts_v8_perez_extraterrestrial_w_per_m2``), isotropic beyond
    ``pvwatts_v8_perez_max_zenith_deg``; ground-reflected ``albedo · (DNI cos z + DHI) ·
    (1 − cos tilt)/2``, 0 beyond that zenith.

    Returns
    -------
    beam, sky, ground, aoi_deg : ndarray
        Components [W/m2] and the angle of incidence [degree].
    """
    zen = np.asarray(apparent_zenith_deg, dtype=np.float64)
    dni = np.clip(np.nan_to_num(np.asarray(dni, dtype=np.float64)), 0.0, None)
    dhi = np.clip(np.nan_to_num(np.asarray(dhi, dtype=np.float64)), 0.0, None)
    tilt = np.asarray(surface_tilt_deg, dtype=np.float64)
    aoi = np.asarray(pvlib.irradiance.aoi(tilt, surface_azimuth_deg, zen, azimuth_deg), dtype=np.float64)
    beam = dni * np.clip(np.cos(np.radians(aoi)), 0.0, None)
    zmax = default("pvwatts_v8_perez_max_zenith_deg")
    low = zen > zmax
    zc = np.minimum(zen, zmax)
    am = np.asarray(pvlib.atmosphere.get_relative_airmass(zc, model="kasten1966"), dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        perez = pvlib.irradiance.perez(tilt, surface_azimuth_deg, dhi, dni,
                                       default("pvwatts_v8_perez_extraterrestrial_w_per_m2"), zc, azimuth_deg, am,
                                       model="allsitescomposite1990")
    sky = np.where(dhi > 0.0, np.nan_to_num(np.asarray(perez, dtype=np.float64)), 0.0)
    sky = np.where(low, np.asarray(pvlib.irradiance.isotropic(tilt, dhi), dtype=np.float64), sky)
    ghi = dni * np.cos(np.radians(zen)) + dhi
    ground = np.asarray(pvlib.irradiance.get_ground_diffuse(tilt, ghi, albedo=albedo), dtype=np.float64)
    ground = np.where(low, 0.0, np.clip(ground, 0.0, None))
    return beam, np.clip(sky, 0.0, None), ground, aoi


def row_shading(
    apparent_zenith_deg: np.ndarray,
    azimuth_deg: np.ndarray,
    dni: np.ndarray,
    dhi: np.ndarray,
    surface_tilt_deg: np.ndarray,
    surface_azimuth_deg: np.ndarray,
    gcr: float,
    albedo: float,
    *,
    beam_shading: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Self-shading of long, regularly spaced rows, as in PVWatts v8 [-].

    Returns the factors by which the beam, the sky diffuse and the ground-reflected
    irradiance on the plane are multiplied:

    * beam: ``1 − shaded fraction`` of a row by the row in front (2-D, infinitely long rows,
      pvlib ``shading.shaded_fraction1d``) when ``beam_shading`` (fixed rows); 1 for
      backtracking trackers, which avoid it;
    * sky: the view factor to the sky of an interior row averaged over its slant height
      (pvlib ``bifacial.utils.vf_row_sky_2d_integ``) over the unobstructed ``(1 + cos tilt)/2``;
    * ground: SAM's view factor from the row to the sunlit and to the whole ground between
      rows (infinitely many rows): with ``B`` the slant height, ``R = B/gcr`` the row pitch,
      ``α`` the sun elevation, ``F1 = ρ sin²(β/2)``, ``Y1 = R − B sin(180° − α − β)/sin α``
      (at least 1e-5 B), ``F(Y) = ρ/2 (1 + Y/B − √((Y/B)² − 2 (Y/B) cos(180° − β) + 1))``:
      ``(F(Y1) GHI_beam + F(R) DHI) / (F1 (GHI_beam + DHI))``.
    """
    tilt = np.asarray(surface_tilt_deg, dtype=np.float64)
    zen = np.asarray(apparent_zenith_deg, dtype=np.float64)
    n = tilt.shape
    if beam_shading:
        with np.errstate(divide="ignore", invalid="ignore"):
            shaded = pvlib.shading.shaded_fraction1d(zen, azimuth_deg, np.asarray(surface_azimuth_deg) - 90.0, tilt,
                                                     collector_width=1.0, pitch=1.0 / gcr)
        f_beam = 1.0 - np.clip(np.nan_to_num(np.asarray(shaded, dtype=np.float64)), 0.0, 1.0)
    else:
        f_beam = np.ones(n)
    iso = (1.0 + np.cos(np.radians(tilt))) / 2.0
    vf = np.asarray(pvlib.bifacial.utils.vf_row_sky_2d_integ(tilt, gcr, 0.0, 1.0), dtype=np.float64)
    f_sky = np.where(tilt > 0.0, np.minimum(vf / iso, 1.0), 1.0)
    b = 1.0
    r = b / gcr
    t = np.radians(tilt)
    alt = np.radians(90.0 - zen)
    with np.errstate(divide="ignore", invalid="ignore"):
        y1 = r - b * np.sin(np.pi - alt - t) / np.sin(alt)
    y1 = np.maximum(1e-5, np.nan_to_num(y1, nan=1e-5))

    def f_strip(y: np.ndarray | float) -> np.ndarray:
        return 0.5 * albedo * (1.0 + y / b - np.sqrt((y / b) ** 2 - 2.0 * (y / b) * np.cos(np.pi - t) + 1.0))

    gbh = np.clip(np.nan_to_num(np.asarray(dni, dtype=np.float64)), 0.0, None) * np.clip(np.cos(np.radians(zen)), 0.0,
                                                                                          None)
    dhi = np.clip(np.nan_to_num(np.asarray(dhi, dtype=np.float64)), 0.0, None)
    seen = albedo * np.sin(t / 2.0) ** 2 * (gbh + dhi)
    with np.errstate(divide="ignore", invalid="ignore"):
        f_ground = np.where(seen > 0.0, (f_strip(y1) * gbh + f_strip(r) * dhi) / seen, 1.0)
    return f_beam, f_sky, np.nan_to_num(f_ground, nan=1.0)


def transmitted(
    aoi_deg: np.ndarray,
    surface_tilt_deg: np.ndarray,
    beam: np.ndarray,
    sky: np.ndarray,
    ground: np.ndarray,
) -> np.ndarray:
    """Irradiance through the module cover as in PVWatts v8 (De Soto cover model) [W/m2].

    Beam through anti-reflective glass at the angle of incidence (clipped to 1–89°); sky
    diffuse and ground-reflected through the glass at the Brandemuehl-Beckman effective
    angles ``59.7 − 0.1388 β + 0.001497 β²`` and ``90 − 0.5788 β + 0.002693 β²`` (Duffie and
    Beckman eqs. 5.4.1–2).  PVWatts v8 divides all three by the normal-incidence
    transmittance of coating times *uncoated* glass, so the beam modifier is 1 up to about
    60° and the diffuse modifiers are ``1/(1 − ρ_coating)`` above the uncoated ones; each is
    capped at 1.  pvlib ``iam.physical`` gives the angular shapes; the normalisation
    constants come from the Fresnel reflectances at normal incidence.
    """
    n_g = default("pvwatts_v8_glass_refractive_index")
    n_ar = default("pvwatts_v8_ar_coating_refractive_index")
    k = default("pvwatts_v8_glass_extinction_per_m")
    thick = default("pvwatts_v8_glass_thickness_m")
    r_air_ar, r_ar_g, r_air_g = _fresnel_loss(1.0, n_ar), _fresnel_loss(n_ar, n_g), _fresnel_loss(1.0, n_g)
    # pvlib normalises the coated cover by its own normal transmittance (with inter-reflection);
    # PVWatts v8 by coating x uncoated glass: rescale
    to_v8 = ((1.0 - r_ar_g) / (1.0 - r_air_ar * r_ar_g)) / (1.0 - r_air_g)
    tilt = np.asarray(surface_tilt_deg, dtype=np.float64)
    aoi = np.clip(np.asarray(aoi_deg, dtype=np.float64), 1.0, 89.0)
    k_beam = np.minimum(np.asarray(pvlib.iam.physical(aoi, n=n_g, K=k, L=thick, n_ar=n_ar)) * to_v8, 1.0)
    th_sky = 59.7 - 0.1388 * tilt + 0.001497 * tilt**2
    th_gnd = 90.0 - 0.5788 * tilt + 0.002693 * tilt**2
    k_sky = np.minimum(np.asarray(pvlib.iam.physical(th_sky, n=n_g, K=k, L=thick)) / (1.0 - r_air_ar), 1.0)
    k_gnd = np.minimum(np.nan_to_num(np.asarray(pvlib.iam.physical(np.minimum(th_gnd, 89.999), n=n_g, K=k, L=thick)))
                       / (1.0 - r_air_ar), 1.0)
    return np.clip(beam * k_beam + sky * k_sky + ground * k_gnd, 0.0, None)


def spectral_factor(apparent_zenith_deg: np.ndarray, elevation_m: float) -> np.ndarray:
    """Air-mass (spectral) modifier of PVWatts v8 [-].

    Kasten-Young relative air mass at the zenith capped at ``pvwatts_v8_airmass_max_zenith_deg``,
    times ``exp(−k · elevation)``, into De Soto's polynomial (pvlib ``spectral_factor_sapm``).
    """
    zen = np.clip(np.asarray(apparent_zenith_deg, dtype=np.float64), 0.0, default("pvwatts_v8_airmass_max_zenith_deg"))
    am = np.asarray(pvlib.atmosphere.get_relative_airmass(zen, model="kastenyoung1989"), dtype=np.float64)
    am_abs = am * np.exp(-default("pvwatts_v8_airmass_elevation_decay_per_m") * elevation_m)
    coeff = {f"A{i}": default(f"pvwatts_v8_spectral_a{i}") for i in range(5)}
    return np.asarray(pvlib.spectrum.spectral_factor_sapm(am_abs, coeff), dtype=np.float64)


def _module_efficiency() -> float:
    """STC efficiency of the PVWatts v8 'standard' module, Vmp Imp / (1000 W/m2 · area) [-]."""
    return default("pvwatts_v8_module_vmp_v") * default("pvwatts_v8_module_imp_a") / (
        1000.0 * default("pvwatts_v8_module_area_m2"))


def cell_temperature(effective_w_per_m2: np.ndarray, temp_air_c: np.ndarray, wind_speed_m_per_s: np.ndarray | float
                     ) -> np.ndarray:
    """Cell temperature by SAM's NOCT model as PVWatts v8 runs it (pvlib ``noct_sam``) [degC].

    ``T = T_air + G_eff/800 (NOCT − 20) (1 − η/τα) · 9.5/(5.7 + 3.8 · 0.51 v)`` with the
    irradiance after the cover and the spectral modifier, NOCT 45 °C (rack mounting, no
    standoff adjustment), the module's STC efficiency and τα 0.9.
    """
    wind = np.clip(np.asarray(wind_speed_m_per_s, dtype=np.float64), 0.0, None)
    return np.asarray(pvlib.temperature.noct_sam(
        np.asarray(effective_w_per_m2, dtype=np.float64), np.asarray(temp_air_c, dtype=np.float64), wind,
        noct=default("pvwatts_v8_noct_c"), module_efficiency=_module_efficiency(),
        transmittance_absorptance=default("pvwatts_v8_transmittance_absorptance"), array_height=1, mount_standoff=4,
    ), dtype=np.float64)


def dc_per_mw(effective_w_per_m2: np.ndarray, temp_cell_c: np.ndarray, dc_ac_ratio: float, losses_frac: float
              ) -> np.ndarray:
    """DC output per MW AC from PVWatts v8's module model [-].

    CEC single-diode model of the "standard" module (pvlib ``calcparams_cec`` and
    ``max_power_point``), per unit of its STC rating ``Vmp · Imp``, times the DC/AC ratio
    and ``1 − losses``; 0 below 1 W/m2.
    """
    g = np.asarray(effective_w_per_m2, dtype=np.float64)
    lit = g >= 1.0
    il, i0, rs, rsh, nnsvth = pvlib.pvsystem.calcparams_cec(
        np.where(lit, g, 1000.0), np.asarray(temp_cell_c, dtype=np.float64),
        alpha_sc=default("pvwatts_v8_module_alpha_isc_a_per_c"), a_ref=default("pvwatts_v8_module_a_ref_v"),
        I_L_ref=default("pvwatts_v8_module_il_ref_a"), I_o_ref=default("pvwatts_v8_module_io_ref_a"),
        R_sh_ref=default("pvwatts_v8_module_rsh_ref_ohm"), R_s=default("pvwatts_v8_module_rs_ohm"),
        Adjust=100.0 * default("pvwatts_v8_module_isc_coeff_adjust_frac"),
        EgRef=default("pvwatts_v8_module_bandgap_ev"), dEgdT=default("pvwatts_v8_module_bandgap_temp_coeff_per_c"),
    )
    mpp = pvlib.pvsystem.max_power_point(il, i0, rs, rsh, nnsvth, method="newton")
    p = np.where(lit, np.nan_to_num(np.asarray(mpp["p_mp"], dtype=np.float64)), 0.0)
    rating = default("pvwatts_v8_module_vmp_v") * default("pvwatts_v8_module_imp_a")
    return np.clip(p, 0.0, None) / rating * dc_ac_ratio * (1.0 - losses_frac)


def ac_from_dc(dc_per_mw_ac: np.ndarray) -> np.ndarray:
    """AC output per MW AC by PVWatts v8's inverter (pvlib ``inverter.sandia``) [-].

    Sandia model with ``C0..C3 = 0`` and voltage terms off: ``AC = (DC − Pso)/(Pdco − Pso)``
    with ``Pdco = 1/η`` (``solar_inverter_efficiency_frac``) and ``Pso`` the
    self-consumption threshold (``pvwatts_v8_inverter_self_consumption_frac``), 0 below it,
    clipped at 1 (the AC rating).
    """
    eta = default("solar_inverter_efficiency_frac")
    dc = np.asarray(dc_per_mw_ac, dtype=np.float64)
    inv = {"Paco": 1.0, "Pdco": 1.0 / eta, "Vdco": 0.0, "Pso": default("pvwatts_v8_inverter_self_consumption_frac"),
           "C0": 0.0, "C1": 0.0, "C2": 0.0, "C3": 0.0, "Pnt": 0.0}
    ac = np.asarray(pvlib.inverter.sandia(np.zeros_like(dc), dc, inv), dtype=np.float64)
    return np.clip(np.nan_to_num(ac), 0.0, 1.0)


@dataclass(frozen=True)
class PVWattsV8Hours:
    """Hourly intermediate results of :func:`pvwatts_v8_hours` (float64[n_hours] each).

    Attributes
    ----------
    sun : DataFrame
        :func:`sun_position`.
    surface_tilt_deg : ndarray
        Plane tilt [degree] (tracker rotation for single-axis trackers).
    poa_w_per_m2 : ndarray
        Plane-of-array irradiance after row self-shading, before the cover [W/m2]
        (SAM's ``poa`` output).
    transmitted_w_per_m2 : ndarray
        Through the cover [W/m2].
    effective_w_per_m2 : ndarray
        Through the cover, times the spectral modifier [W/m2].
    temp_cell_c : ndarray
        Cell temperature [degC].
    dc_per_mw : ndarray
        DC output after the DC losses per MW AC [-].
    ac_per_mw : ndarray
        AC output per MW AC, in [0, 1] [-].
    """

    sun: pd.DataFrame
    surface_tilt_deg: np.ndarray
    poa_w_per_m2: np.ndarray
    transmitted_w_per_m2: np.ndarray
    effective_w_per_m2: np.ndarray
    temp_cell_c: np.ndarray
    dc_per_mw: np.ndarray
    ac_per_mw: np.ndarray


def pvwatts_v8_hours(
    index: pd.DatetimeIndex,
    latitude_deg: float,
    longitude_deg: float,
    elevation_m: float,
    system: PVSystem,
    *,
    ghi: np.ndarray,
    dni: np.ndarray | None = None,
    dhi: np.ndarray | None = None,
    temp_air_c: np.ndarray | float = 20.0,
    wind_speed_m_per_s: np.ndarray | float = 1.0,
    pressure_pa: np.ndarray | None = None,
    sun: pd.DataFrame | None = None,
) -> PVWattsV8Hours:
    """Run the PVWatts v8 chain on hour-average weather.

    Parameters
    ----------
    index : DatetimeIndex
        Hour-beginning tz-aware local stamps.
    latitude_deg, longitude_deg, elevation_m : float
        Site [degree, degree, m].
    system : PVSystem
        Filled (:meth:`PVSystem.filled`); ``gcr`` sets the row spacing of fixed rows and
        trackers alike.
    ghi, dni, dhi : ndarray
        Irradiance [W/m2]; without ``dni`` and ``dhi`` the Erbs model splits ``ghi`` (at the
        effective sun position).  With both, ``ghi`` is not used (PVWatts reads DNI and DHI).
    temp_air_c, wind_speed_m_per_s : ndarray or float
        Air temperature [degC] and wind speed [m/s] for the cell temperature.
    pressure_pa : ndarray, optional
        Station pressure [Pa] for the refraction correction.
    sun : DataFrame, optional
        :func:`sun_position` of ``index`` at this site, when already computed (calibration
        loops); otherwise computed here.

    Returns
    -------
    PVWattsV8Hours
    """
    n = len(index)
    temp = np.broadcast_to(np.asarray(temp_air_c, dtype=np.float64), (n,))
    if sun is None:
        sun = sun_position(index, latitude_deg, longitude_deg, elevation_m, pressure_pa=pressure_pa,
                           temp_air_c=None if np.ndim(temp_air_c) == 0 else temp)
    zen = sun["apparent_zenith"].to_numpy()
    azi = sun["azimuth"].to_numpy()
    up = sun["sun_up"].to_numpy(dtype=bool)
    ghi = np.asarray(ghi, dtype=np.float64)
    if dni is None or dhi is None:
        doy = pd.DatetimeIndex(sun["time"]).day_of_year.to_numpy()
        parts = pvlib.irradiance.erbs(ghi, zen, doy)
        dni = np.nan_to_num(np.asarray(parts["dni"], dtype=np.float64))
        dhi = np.nan_to_num(np.asarray(parts["dhi"], dtype=np.float64))
    dni = np.where(up, np.asarray(dni, dtype=np.float64), 0.0)
    dhi = np.where(up, np.asarray(dhi, dtype=np.float64), 0.0)
    if system.tracking == "single_axis":
        tr = pvlib.tracking.singleaxis(zen, azi, axis_tilt=0.0, axis_azimuth=180.0, max_angle=system.max_angle_deg,
                                       backtrack=True, gcr=system.gcr)
        tilt = np.nan_to_num(np.asarray(tr["surface_tilt"], dtype=np.float64))
        az = np.nan_to_num(np.asarray(tr["surface_azimuth"], dtype=np.float64), nan=180.0)
    else:
        tilt = np.full(n, float(system.tilt_deg or 0.0))
        az = np.full(n, float(system.azimuth_deg or 0.0))
    albedo = default("solar_albedo")
    beam, sky, ground, aoi = plane_of_array(zen, azi, dni, dhi, tilt, az, albedo)
    f_beam, f_sky, f_ground = row_shading(zen, azi, dni, dhi, tilt, az, system.gcr, albedo,
                                          beam_shading=system.tracking != "single_axis")
    beam, sky, ground = beam * f_beam, sky * f_sky, ground * f_ground
    poa = np.where(up, beam + sky + ground, 0.0)
    through = np.where(up, transmitted(aoi, tilt, beam, sky, ground), 0.0)
    eff = through * spectral_factor(zen, elevation_m)
    temp_cell = cell_temperature(eff, temp, wind_speed_m_per_s)
    dc = dc_per_mw(eff, temp_cell, float(system.dc_ac_ratio or 0.0), float(system.losses_frac or 0.0))
    ac = np.where(up, ac_from_dc(dc), 0.0)
    return PVWattsV8Hours(sun=sun, surface_tilt_deg=tilt, poa_w_per_m2=poa, transmitted_w_per_m2=through,
                          effective_w_per_m2=eff, temp_cell_c=temp_cell, dc_per_mw=dc,
                          ac_per_mw=np.ascontiguousarray(ac, dtype=np.float64))
