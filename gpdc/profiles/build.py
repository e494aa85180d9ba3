"""Profiles of a scenario: one weather year (ensemble member) at a time.

:func:`weather_years` lists the members a scenario asks for: ``[None]`` for one year;
``0 .. N-1`` for ``profiles.ensemble_size = N`` synthetic years (each seeded from
``(seed, member)`` by :func:`gpdc.profiles.member_seed`); the calendar years of
``profiles.years`` for real-year files (``{year}`` in the paths).  :func:`scenario_profiles`
builds the profiles of one member.  In ``[wind]`` and ``[solar]`` only ``capacity_mw``
leaves the profiles unchanged; every other field of those sections, of ``[site]``,
``[load]``, ``[profiles]`` and the root ``seed`` may change them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gpdc.errors import ProfileError
from gpdc.profiles import (
    ProfileSet,
    PVSystem,
    WindPlant,
    check_synthetic_wind,
    hourly_index,
    load_profile,
    pv_cf,
    read_profile_csv,
    streams,
    synthetic_profiles,
    wind_cf,
)
from gpdc.profiles import cache
from gpdc.profiles.readers import read_load_csv, read_ninja, read_weather
from gpdc.scenario.checks import check_weather_location

if TYPE_CHECKING:
    from gpdc.scenario.schema import Scenario

__all__ = ["pv_system", "scenario_profiles", "weather_years", "wind_plant"]


def weather_years(scenario: Scenario) -> list[int | None]:
    """Member labels of the scenario's weather-year ensemble (see the module docstring)."""
    src = scenario.profiles
    if src.years is not None:
        return list(src.years)
    if src.ensemble_size > 1:
        return list(range(src.ensemble_size))
    return [None]


def pv_system(scenario: Scenario) -> PVSystem:
    """Return the scenario's PV plant (defaults left as None, filled by the model)."""
    s = scenario.solar
    return PVSystem(tracking=s.tracking, tilt_deg=s.tilt_deg, azimuth_deg=s.azimuth_deg, dc_ac_ratio=s.dc_ac_ratio,
                    losses_frac=s.losses_frac, temp_coeff_per_c=s.temp_coeff_per_c,
                    max_angle_deg=s.tracker_max_angle_deg, gcr=s.ground_coverage_frac, model=s.pv_model)


def wind_plant(scenario: Scenario) -> WindPlant:
    """Return the scenario's wind plant (defaults left as None, filled by the model)."""
    w = scenario.wind
    return WindPlant(turbine=w.turbine, power_curve_path=w.power_curve_path, hub_height_m=w.hub_height_m,
                     losses_frac=w.losses_frac, measurement_height_m=w.measurement_height_m,
                     shear_model=w.shear_model, shear_exponent=w.shear_exponent,
                     roughness_length_m=w.roughness_length_m, weibull_k=w.weibull_k)


def _path(template: str | None, year: int) -> str | None:
    return None if template is None else template.replace("{year}", str(year))


def scenario_profiles(scenario: Scenario, weather_year: int | None = None) -> ProfileSet:
    """Build the profiles of one ensemble member of a scenario.

    Parameters
    ----------
    scenario : Scenario
        Validated scenario.
    weather_year : int, optional
        A label from :func:`weather_years`; None (or the only label) for a single year.

    Raises
    ------
    ProfileError
        For a label the scenario does not have, and for every file or calibration problem.
    """
    src = scenario.profiles
    members = weather_years(scenario)
    if weather_year is not None and weather_year not in members:
        raise ProfileError(f"weather_year {weather_year!r} is not a member of this scenario; members: {members}")
    if weather_year is None and members != [None]:
        weather_year = members[0]
    site = scenario.site
    if src.years is not None:
        year, member = int(weather_year or src.years[0]), None
    else:
        year, member = src.year, weather_year
    if src.source == "csv":
        prof = read_profile_csv(_path(src.csv_path, year) or "", year=year, timezone=site.timezone)
        return _with_load_csv(prof, scenario, year)
    if src.source == "synthetic":
        wind = wind_plant(scenario)
        prof = cache.synthetic(synthetic_profiles, dict(
            year=year, timezone=site.timezone, latitude_deg=site.latitude_deg, longitude_deg=site.longitude_deg,
            elevation_m=site.elevation_m, wind_full_load_hours_h=scenario.wind.full_load_hours_h,
            solar_full_load_hours_h=scenario.solar.full_load_hours_h, load_archetype=scenario.load.archetype,
            load_annual_mwh=scenario.load.annual_mwh, load_peak_mw=scenario.load.peak_mw, seed=scenario.seed,
            member=member, province=site.province, pv=pv_system(scenario), wind=wind,
        ), checks=lambda: check_synthetic_wind(wind))  # from the profile cache when built before (gpdc.profiles.cache)
        return _with_load_csv(prof, scenario, year)
    return _weather_profiles(scenario, year)


def _with_load_csv(prof: ProfileSet, scenario: Scenario, year: int) -> ProfileSet:
    """Replace the load by the user's load CSV, which wins over the archetype and a profile CSV."""
    path = _path(scenario.profiles.load_csv_path, year)
    if path is None:
        return prof
    load, desc = read_load_csv(path, year=year, timezone=scenario.site.timezone)
    return ProfileSet(time=prof.time, cf_wind=prof.cf_wind, cf_solar=prof.cf_solar, load_mw=load,
                      sources={**prof.sources, "load_mw": desc})


def _weather_profiles(scenario: Scenario, year: int) -> ProfileSet:
    """Profiles from a weather file and/or renewables.ninja exports; load from its CSV or archetype."""
    src, site = scenario.profiles, scenario.site
    index = hourly_index(year, site.timezone)
    sources: dict[str, str] = {}
    weather = None
    if src.weather_path is not None:
        path = _path(src.weather_path, year) or ""
        weather, meta = read_weather(path, src.weather_format or "csv", year=year, timezone=site.timezone)
        check_weather_location(scenario, path, meta)
        desc = f"{src.weather_format} weather file {path}"
    cf_solar: np.ndarray
    cf_wind: np.ndarray
    if src.solar_ninja_path is not None:
        cf_solar, sources["cf_solar"] = read_ninja(_path(src.solar_ninja_path, year) or "", year=year,
                                                   timezone=site.timezone)
    else:
        assert weather is not None  # noqa: S101 - the schema asks for weather_path or both ninja paths
        system = pv_system(scenario)
        cf_solar = pv_cf(weather, site.latitude_deg, site.longitude_deg, site.elevation_m, system)
        sources["cf_solar"] = f"{desc}: pvlib chain ({system.filled(site.latitude_deg).describe()})"
    if src.wind_ninja_path is not None:
        cf_wind, sources["cf_wind"] = read_ninja(_path(src.wind_ninja_path, year) or "", year=year,
                                                 timezone=site.timezone)
    else:
        assert weather is not None  # noqa: S101
        if "wind_speed" not in weather.columns:
            raise ProfileError(f"{src.weather_path}: no wind_speed column; give wind_ninja_path or a file with wind")
        plant = wind_plant(scenario)
        cf_wind = wind_cf(
            weather["wind_speed"].to_numpy(), plant, elevation_m=site.elevation_m,
            temp_air_c=weather["temp_air"].to_numpy() if "temp_air" in weather.columns else None,
            pressure_pa=weather["pressure"].to_numpy() if "pressure" in weather.columns else None,
        )
        sources["cf_wind"] = (f"{desc}: windpowerlib chain ({plant.filled().describe()}, measured at "
                              f"{plant.measurement_height_m:g} m, {plant.shear_model} law)")
    if src.load_csv_path is not None:
        load, sources["load_mw"] = read_load_csv(_path(src.load_csv_path, year) or "", year=year,
                                                 timezone=site.timezone)
    else:
        rng_load = streams(scenario.seed)[2]
        load = load_profile(scenario.load.archetype, index, rng_load, annual_mwh=scenario.load.annual_mwh,
                            peak_mw=scenario.load.peak_mw)
        sources["load_mw"] = f"gpdc load archetype {scenario.load.archetype!r}, {year}, seed {scenario.seed} stream 2"
    return ProfileSet(time=index, cf_wind=cf_wind, cf_solar=cf_solar, load_mw=load, sources=sources)
