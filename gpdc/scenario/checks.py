"""Plausibility checks (PyPSA's ``check_*(…, strict)``): legal designs that are probably wrong.

Each check warns with a :class:`gpdc.errors.ConsistencyWarning` that names the field, the value
and why it looks wrong — or raises :class:`gpdc.errors.ConsistencyError` under ``strict``.
They take the numbers they judge, not profiles or results, so they run before any simulation
(``gpdc validate``) as well as with one.
"""

from __future__ import annotations

import warnings

import numpy as np

from gpdc.errors import ConsistencyError, ConsistencyWarning
from gpdc.scenario import tables
from gpdc.scenario.resolve import Resolved


def report(message: str, strict: bool, stacklevel: int = 3) -> None:
    """Warn about an implausible input, or raise :class:`ConsistencyError` under ``strict``."""
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
            strict,
        )
    plant = sc.wind.capacity_mw + sc.solar.capacity_mw
    if plant > 0 and sc.line.rating_mw < 0.3 * plant:
        report(
            f"line.rating_mw = {sc.line.rating_mw} MW is under 30% of the plant rating {plant} MW: "
            "most of the available generation will be curtailed by the line",
            strict,
        )
    if plant == 0:
        report("wind.capacity_mw and solar.capacity_mw are both 0: the project generates nothing", strict)
    issues = [] if sc.tariff.energy_price_csv is not None else tables.tou_ratio_issues(resolved.tou_schedule)
    if issues:
        report(
            f"TOU schedule {resolved.tou_schedule!r} falls short of the 2021 national notice 发改价格〔2021〕1093号 "
            f"(peak/valley >= 3, critical peak >= 1.2 x peak): {'; '.join(issues[:3])}"
            + (f"; {len(issues) - 3} more" if len(issues) > 3 else ""),
            strict,
        )
    weak = resolved.weak_bill_figures()
    if weak:
        report("the bill rests on figures the data does not have: " + "; ".join(weak), strict)


def check_products(resolved: Resolved, load_mwh_per_year: float, strict: bool = False) -> None:
    """CBAM goods without direct emissions, and products that use more electricity than the load."""
    products = resolved.products
    for k in range(len(products)):
        if products.cbam_good[k] and products.direct_t_co2_per_t[k] == 0.0:
            report(f"product '{products.name[k]}' ({products.sector[k]}) is a CBAM good but its direct_t_co2_per_t "
                   "is 0: its CBAM cost counts direct emissions, which gpdc then shows as zero; state them "
                   "([[products]] direct_t_co2_per_t)", strict)
    if len(products):
        used = float(np.sum(products.output_t_per_year * products.electricity_kwh_per_t)) / 1000.0
        if used > 1.001 * load_mwh_per_year:
            report(f"products use {used:,.0f} MWh/a of electricity ([[products]] output x kWh per t) but the "
                   f"load is {load_mwh_per_year:,.0f} MWh/a: check output_t_per_year and electricity_kwh_per_t",
                   strict)
