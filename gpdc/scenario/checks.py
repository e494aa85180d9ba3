"""Plausibility checks (PyPSA's ``check_*(…, strict)``): legal inputs that are probably wrong.

Each check warns with a :class:`gpdc.errors.ConsistencyWarning` that names the field, the value,
why it looks wrong and how to silence it (``ignore_warnings = ["code"]`` in the scenario, codes in
:data:`gpdc.scenario.schema.WARNING_CODES`) — or raises :class:`gpdc.errors.ConsistencyError`
under ``strict``.  They take the numbers they judge, not profiles or results, so they run before
any simulation (``gpdc validate``) as well as with one.
"""

from __future__ import annotations

import warnings

import numpy as np

from gpdc.errors import ConsistencyError, ConsistencyWarning
from gpdc.scenario import tables
from gpdc.scenario.resolve import Resolved
from gpdc.scenario.schema import WARNING_CODES, Scenario

#: a profile CSV's load may differ from ``[load]`` by this share before it is worth a word [1]
LOAD_TOLERANCE_FRAC = 0.1
#: a profile load this many times ``[load]``'s energy was most likely given in kW, not MW [1]
KW_SUSPICION_RATIO = 300.0
#: a weather file this far from the site [km] was most likely made for another place
WEATHER_DISTANCE_KM = 100.0


def report(message: str, strict: bool, stacklevel: int = 3, *, code: str | None = None,
           scenario: Scenario | None = None) -> None:
    """Warn about an implausible input (unless the scenario ignores ``code``), or raise under ``strict``."""
    if code is not None:
        if code not in WARNING_CODES:
            raise ValueError(f"unknown warning code {code!r}")
        if scenario is not None and code in scenario.ignore_warnings:
            return
        message = f"{message} (to silence: ignore_warnings = [\"{code}\"])"
    if strict:
        raise ConsistencyError(message)
    warnings.warn(message, ConsistencyWarning, stacklevel=stacklevel + 1)


def check_design(resolved: Resolved, peak_load_mw: float, strict: bool = False) -> None:
    """Warn of import below the peak load, a line far below the plants, no plants, a weak TOU schedule, missing figures.

    The TOU schedule is checked against the national ratios; the bill's figures against what the
    data has (:meth:`gpdc.scenario.resolve.Resolved.weak_bill_figures`).
    """
    sc = resolved.scenario
    if sc.grid.import_mw < peak_load_mw:
        report(
            f"grid.import_mw = {sc.grid.import_mw} MW is below the peak load {peak_load_mw:.1f} MW: "
            "load beyond the contracted import will be unserved whenever green supply falls short",
            strict, code="import_below_peak", scenario=sc,
        )
    plant = sc.wind.capacity_mw + sc.solar.capacity_mw
    if plant > 0 and sc.line.rating_mw < 0.3 * plant:
        report(
            f"line.rating_mw = {sc.line.rating_mw} MW is under 30% of the plant rating {plant} MW: "
            "most of the available generation will be curtailed by the line",
            strict, code="line_below_plants", scenario=sc,
        )
    if plant == 0:
        report("wind.capacity_mw and solar.capacity_mw are both 0: the project generates nothing, and the shares "
               "of generation are undefined", strict, code="no_generation", scenario=sc)
    issues = [] if sc.tariff.energy_price_csv is not None else tables.tou_ratio_issues(resolved.tou_schedule)
    if issues:
        report(
            f"TOU schedule {resolved.tou_schedule!r} falls short of the 2021 national notice 发改价格〔2021〕1093号 "
            f"(peak/valley >= 3, critical peak >= 1.2 x peak): {'; '.join(issues[:3])}"
            + (f"; {len(issues) - 3} more" if len(issues) > 3 else ""),
            strict, code="tou_ratio", scenario=sc,
        )
    weak = resolved.weak_bill_figures()
    if weak:
        report("the bill rests on figures the data does not have: " + "; ".join(weak), strict)


def check_site(resolved: Resolved, strict: bool = False) -> None:
    """Coordinates outside the province, and a tariff or TOU schedule of another province."""
    sc = resolved.scenario
    key = sc.site.province
    lat_lo, lat_hi, lon_lo, lon_hi = tables.province_bounds(key)
    lat, lon = sc.site.latitude_deg, sc.site.longitude_deg
    if not (lat_lo <= lat <= lat_hi and lon_lo <= lon <= lon_hi):
        report(f"site.latitude_deg = {lat}, site.longitude_deg = {lon} lie outside province {key!r} (about "
               f"{lat_lo}-{lat_hi} N, {lon_lo}-{lon_hi} E): the sun and the tariff hours would not match the site; "
               "check the coordinates (east longitudes are positive) and site.province",
               strict, code="site_outside_province", scenario=sc)
    name = sc.tariff.name
    if name is not None and name != key and name in tables.tariff_names():
        report(f"tariff.name = {name!r} is the tariff of another province than site.province = {key!r}",
               strict, code="tariff_of_other_province", scenario=sc)
    own = tables.tou_schedules_of(key)
    if sc.tariff.tou_schedule is not None and sc.tariff.tou_schedule not in own:
        report(f"tariff.tou_schedule = {sc.tariff.tou_schedule!r} is not a schedule of province {key!r} "
               f"(its own: {', '.join(sorted(own))})", strict, code="tou_of_other_province", scenario=sc)


def check_load(resolved: Resolved, load_mw: np.ndarray, dt_h: float, from_file: bool, strict: bool = False) -> None:
    """No load at all; a load file that differs from ``[load]`` (which it replaces) or looks like kW."""
    sc = resolved.scenario
    total = float(np.sum(load_mw)) * dt_h
    if total <= 0.0:
        report("the load is 0 in every hour: the green share of load and the bill per MWh are undefined",
               strict, code="zero_load", scenario=sc)
        return
    if not from_file:
        return
    hours = len(load_mw) * dt_h
    stated = (sc.load.annual_mwh * hours / 8760.0 if sc.load.annual_mwh is not None
              else None)
    peak = float(np.max(load_mw))
    if stated is not None and total > KW_SUSPICION_RATIO * stated or (
            sc.load.peak_mw is not None and peak > KW_SUSPICION_RATIO * sc.load.peak_mw):
        report(f"the load file gives {total:,.0f} MWh (peak {peak:,.0f} MW), about 1000x what [load] states: it "
               "looks like kW; profile files take MW (the file's load is used, [load] is not)",
               strict, code="load_looks_like_kw", scenario=sc)
        return
    if stated is not None and abs(total / stated - 1.0) > LOAD_TOLERANCE_FRAC:
        report(f"the load file gives {total:,.0f} MWh over the simulated hours; load.annual_mwh = "
               f"{sc.load.annual_mwh:,.0f} implies {stated:,.0f}: the file's load is used, [load] is not",
               strict, code="load_csv_differs", scenario=sc)
    elif sc.load.peak_mw is not None and abs(peak / sc.load.peak_mw - 1.0) > LOAD_TOLERANCE_FRAC:
        report(f"the load file peaks at {peak:,.1f} MW; load.peak_mw = {sc.load.peak_mw:,.1f}: the file's load is "
               "used, [load] is not", strict, code="load_csv_differs", scenario=sc)


def check_products(resolved: Resolved, load_mwh_per_year: float, strict: bool = False) -> None:
    """CBAM goods without direct emissions, and products that use more electricity than the load."""
    sc = resolved.scenario
    products = resolved.products
    for k in range(len(products)):
        if products.cbam_good[k] and products.direct_t_co2_per_t[k] == 0.0:
            report(f"product '{products.name[k]}' ({products.sector[k]}) is a CBAM good but its direct_t_co2_per_t "
                   "is 0: its CBAM cost counts direct emissions, which gpdc then shows as zero; state them "
                   "([[products]] direct_t_co2_per_t)", strict, code="cbam_direct_zero", scenario=sc)
    if len(products):
        used = float(np.sum(products.output_t_per_year * products.electricity_kwh_per_t)) / 1000.0
        if used > 1.001 * load_mwh_per_year:
            report(f"products use {used:,.0f} MWh/a of electricity ([[products]] output x kWh per t) but the "
                   f"load is {load_mwh_per_year:,.0f} MWh/a: check output_t_per_year and electricity_kwh_per_t",
                   strict, code="products_exceed_load", scenario=sc)


def check_all(resolved: Resolved, load_mw: np.ndarray, dt_h: float, strict: bool = False) -> None:
    """Every check that needs no result: design, site, load."""
    sc = resolved.scenario
    from_file = sc.profiles.source == "csv" or sc.profiles.load_csv_path is not None
    check_design(resolved, float(np.max(load_mw)) if len(load_mw) else 0.0, strict)
    check_site(resolved, strict)
    check_load(resolved, load_mw, dt_h, from_file, strict)


def check_weather_location(scenario: Scenario, path: str, meta: dict[str, float], strict: bool = False) -> None:
    """Warn when a weather file states a location far from the site (its sun and its clock are another place's)."""
    if "latitude" not in meta or "longitude" not in meta:
        return
    site = scenario.site
    lat1, lon1, lat2, lon2 = map(np.radians, (site.latitude_deg, site.longitude_deg, meta["latitude"],
                                              meta["longitude"]))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    km = float(2 * 6371.0 * np.arcsin(np.sqrt(a)))
    if km > WEATHER_DISTANCE_KM:
        report(f"profiles.weather_path = {path!r} is for latitude {meta['latitude']:g}, longitude "
               f"{meta['longitude']:g}, {km:,.0f} km from the site (site.latitude_deg = {site.latitude_deg:g}, "
               f"site.longitude_deg = {site.longitude_deg:g}): the PV model puts the site's sun on that place's "
               "irradiance; give the file's coordinates as the site, or a file for the site",
               strict, code="weather_file_elsewhere", scenario=scenario)
