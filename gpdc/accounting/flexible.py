"""The flexible elements' accounts: consumption, costs, hydrogen CO2, the green-hydrogen standards and LCOH.

Vectorised over designs, for a scenario that has an ``[electrolyser]``, a ``[flexible_load]`` or
an ``[ev_fleet]`` (docs/flexible.md); :func:`gpdc.accounting.derive.derive` calls them.

* :func:`flexible_energy` — the elements' kernel totals (those of the elements the scenario
  has), the flexible consumption and the total consumption the policy ratios count;
* :func:`flexible_costs` — their capital and O&M costs, what unmet demand and V2G wear cost,
  and what the user would pay for the same service without the project (the baseline);
* :func:`hydrogen_accounts` — the hydrogen's CO2 intensity on two bases, the verdicts of
  T/CAB 0078-2020 and of the EU RFNBO rule with monthly and with hourly matching, and the
  levelised cost of hydrogen.

**Consumption.** The 2025 notice's shares are of the user's *total* consumption, which includes
what the flexible consumers draw: ``consumption = load + electrolyser + shiftable load + EV
charging − V2G discharge`` (energy the fleet returns to the bus serves the load and is not
consumed twice); ``green_share_of_load = self_used / consumption``, where ``self_used``
(``direct`` + green discharge) already includes the green energy the flexible consumers take.
"""

from __future__ import annotations

import numpy as np

from gpdc.accounting.energy import share
from gpdc.kernels import layout as L
from gpdc.kernels.spec import FLEX_TOTALS, FLEX_TRACES, totals_dict
from gpdc.pipeline import Design, KernelInputs
from gpdc.profiles.factors import HourlyFactors

__all__ = ["ELEMENT_TOTALS", "ELEMENT_TRACES", "flexible_costs", "flexible_energy", "hydrogen_accounts",
           "traces_of"]

#: the kernels' totals of each element (result variables where the scenario has the element)
ELEMENT_TOTALS: dict[str, tuple[str, ...]] = {
    "electrolyser": tuple(t for t in FLEX_TOTALS if t.startswith(("electrolyser_", "hydrogen_"))
                          and not t.endswith("_month_mwh") and not t.endswith("_month_kg")),
    "flexible_load": tuple(t for t in FLEX_TOTALS if t.startswith("flexible_load_")),
    "ev_fleet": tuple(t for t in FLEX_TOTALS if t.startswith(("ev_", "v2g_"))),
}
#: the hourly traces of each element
ELEMENT_TRACES: dict[str, tuple[str, ...]] = {
    "electrolyser": tuple(t for t in FLEX_TRACES if t.startswith(("electrolyser_", "hydrogen_"))),
    "flexible_load": tuple(t for t in FLEX_TRACES if t.startswith("flexible_load_")),
    "ev_fleet": tuple(t for t in FLEX_TRACES if t.startswith(("ev_", "v2g_"))),
}
#: kWh per MWh
_KWH = 1000.0


def _present(design: Design) -> tuple[str, ...]:
    sc = design.resolved.scenario
    return tuple(e for e in ELEMENT_TOTALS if getattr(sc, e) is not None)


def traces_of(scenario: object) -> tuple[str, ...]:
    """The flexible elements' trace names a scenario reports (those of the elements it has)."""
    return tuple(t for e, names in ELEMENT_TRACES.items() if getattr(scenario, e) is not None for t in names)


def flexible_energy(design: Design, inputs: KernelInputs, raw: np.ndarray) -> dict[str, np.ndarray]:
    """The elements' totals, ``flexible_consumption_mwh``, ``consumption_mwh`` and the electrolyser's use [MWh, kg, h]."""
    tot = totals_dict(raw)
    out: dict[str, np.ndarray] = {}
    for element in _present(design):
        out.update({k: tot[k] for k in ELEMENT_TOTALS[element]})
    flex = tot["electrolyser_mwh"] + tot["flexible_load_mwh"] + tot["ev_charge_mwh"] - tot["v2g_discharge_mwh"]
    out["flexible_consumption_mwh"] = flex
    out["consumption_mwh"] = float(np.sum(inputs.load_mw * inputs.dt_h)) + flex
    if design.resolved.scenario.electrolyser is not None:
        p = inputs.params
        demand = float(np.sum(inputs.hourly[:, L.H_OFFTAKE_KG]))
        out["hydrogen_demand_kg"] = np.full(inputs.n_scen, demand)
        rated = p[L.P_ELY_MW]
        production = tot["electrolyser_mwh"] - tot["electrolyser_standby_mwh"]
        out["electrolyser_full_load_hours_h"] = np.where(rated > 0.0, production / np.where(rated > 0.0, rated, 1.0),
                                                         0.0)
        out["electrolyser_green_share"] = share(tot["electrolyser_green_mwh"], tot["electrolyser_mwh"])
        must = not design.resolved.scenario.hydrogen.unmet_allowed if design.resolved.scenario.hydrogen else False
        out["meets_hydrogen_offtake"] = (tot["hydrogen_unmet_kg"] <= 1e-9 * max(demand, 1.0)) | (not must)
    return out


def _baseline_schedule(inputs: KernelInputs, design: Design) -> np.ndarray:
    """Energy [MWh per step] the shiftable load and the fleet would draw without flexibility, float64[n_hours]."""
    sc = design.resolved.scenario
    hx = inputs.hourly
    energy = np.zeros(inputs.n_hours)
    if sc.flexible_load is not None:  # evenly over each window's allowed steps
        energy += hx[:, L.H_SHIFT_BASE] * float(design.number("flexible_load.energy_per_period_mwh")[0])
    if sc.ev_fleet is not None:  # the day's energy evenly over each plug-in window's steps
        plugged = hx[:, L.H_EV_PLUGGED] > 0.5
        run = hx[:, L.H_EV_AFTER]
        length = np.zeros(inputs.n_hours)
        start = 0
        for t in range(inputs.n_hours):
            if plugged[t] and (t == 0 or not plugged[t - 1]):
                start = t
            if plugged[t] and run[t] == 0.0:
                length[start:t + 1] = t + 1 - start
        need = float(inputs.params[L.P_EV_NEED_MWH, 0]) / float(inputs.params[L.P_EV_ETA, 0])
        energy += np.where(plugged, need / np.maximum(length, 1.0), 0.0)
    return energy


def flexible_costs(design: Design, inputs: KernelInputs, energy: dict[str, np.ndarray], crf: np.ndarray,
                   years: float) -> dict[str, np.ndarray]:
    """Capital, O&M and penalty costs of the flexible elements and their baseline, over the period [yuan].

    * ``capex_electrolyser_yuan`` = MW · 1000 · capex per kW; ``capex_hydrogen_tank_yuan`` = kg ·
      capex per kg; both annualised with the project's capital recovery factor, O&M a share of
      capex per year;
    * ``hydrogen_unmet_cost_yuan`` = unmet kg · ``hydrogen.unmet_value_yuan_per_kg`` (the grey
      hydrogen bought instead); the unserved shiftable energy and the driving energy the fleet
      lacked at the period's dearest import price (never cheaper than an MWh the grid could have
      supplied in any hour); ``ev_degradation_cost_yuan`` = V2G MWh · wear cost per MWh;
    * ``baseline_flexible_yuan`` — without the project: the offtake bought as grey hydrogen at
      the same value per kg, the shiftable load and the fleet on their baseline schedules at the
      ordinary tariff's hourly price (every per-MWh component).
    """
    sc = design.resolved.scenario
    n = inputs.n_scen
    zero = np.zeros(n)
    kw = 1000.0
    out: dict[str, np.ndarray] = {}
    capex = zero.copy()
    om = zero.copy()
    penalty = zero.copy()
    baseline = zero.copy()
    if sc.electrolyser is not None:
        ely = design.number("electrolyser.capacity_mw") * kw * design.value("electrolyser_capex_yuan_per_kw")
        tank = (design.number("hydrogen.tank_kg") * design.value("hydrogen_tank_capex_yuan_per_kg")
                if sc.hydrogen is not None else zero)
        out["capex_electrolyser_yuan"] = np.broadcast_to(ely, (n,)).astype(np.float64)
        out["capex_hydrogen_tank_yuan"] = np.broadcast_to(tank, (n,)).astype(np.float64)
        capex = capex + ely + tank
        om = om + years * (ely * design.value("electrolyser_om_frac_per_year")
                           + tank * design.value("hydrogen_tank_om_frac_per_year"))
        value = design.value("hydrogen_unmet_value_yuan_per_kg")
        out["hydrogen_unmet_cost_yuan"] = energy["hydrogen_unmet_kg"] * value
        penalty = penalty + out["hydrogen_unmet_cost_yuan"]
        baseline = baseline + energy["hydrogen_demand_kg"] * value
    dearest = float(np.max(inputs.price_import))  # an unserved MWh never costs less than any the grid could supply
    if sc.flexible_load is not None:
        out["flexible_load_unserved_cost_yuan"] = energy["flexible_load_unserved_mwh"] * dearest
        penalty = penalty + out["flexible_load_unserved_cost_yuan"]
    if sc.ev_fleet is not None:
        out["ev_unserved_cost_yuan"] = energy["ev_unserved_mwh"] * dearest
        out["ev_degradation_cost_yuan"] = energy["v2g_discharge_mwh"] * design.value("ev_degradation_cost_yuan_per_mwh")
        penalty = penalty + out["ev_unserved_cost_yuan"] + out["ev_degradation_cost_yuan"]
    if sc.flexible_load is not None or sc.ev_fleet is not None:
        r = design.resolved
        price = inputs.price_import + (r["adders_yuan_per_mwh"] - r["import_adders_yuan_per_mwh"])
        baseline = baseline + float(np.sum(_baseline_schedule(inputs, design) * price))
    out["flexible_annualised_capex_yuan"] = capex * crf * years
    out["flexible_om_cost_yuan"] = om
    out["flexible_penalty_cost_yuan"] = penalty
    out["baseline_flexible_yuan"] = baseline
    out["flexible_capex_yuan"] = capex
    return out


def hydrogen_accounts(design: Design, inputs: KernelInputs, raw: np.ndarray, energy: dict[str, np.ndarray],
                      cost: dict[str, np.ndarray], hourly: HourlyFactors | None) -> dict[str, np.ndarray]:
    """The hydrogen's CO2 intensity, the standards' verdicts and the levelised cost of hydrogen.

    * ``hydrogen_co2_direct_kg_per_kg`` — direct-connection basis: only grid electricity into the
      electrolyser carries CO2 (the account factor, or the hourly series), green electricity 0;
      ``hydrogen_co2_location_kg_per_kg`` — all its electricity at the grid factor. Electricity
      only: the standards' other life-cycle stages are not modelled.
    * T/CAB 0078-2020: low-carbon ≤ 14.51, clean ≤ 4.9, renewable ≤ 4.9 and no grid electricity
      (``hydrogen_standards.csv``), on the direct-connection basis.
    * EU RFNBO (≤ 3.384 kg CO2e/kg) with each calendar month's intensity: monthly matching (until
      2029) counts the project's own export of the month as renewable supply matched to the
      month's grid draw; hourly matching (from 2030) only the same hour, i.e. none (export and
      grid draw never coincide). ``meets_eu_rfnbo`` applies the rule of the scenario's year.
    * ``lcoh_yuan_per_kg`` — IEA-style annuity (not NREL H2A's discounted cash flow with taxes):
      (electrolyser and tank capex · capital recovery factor + their O&M + green electricity ·
      ``lcoe_yuan_per_mwh`` + the grid electricity's import bill) / hydrogen produced; stack
      replacement not modelled.
    """
    r = design.resolved
    tot = totals_dict(raw)
    kg = energy["hydrogen_produced_kg"]
    grid = energy["electrolyser_grid_mwh"]
    factor = r["account_factor_t_co2_per_mwh"]
    grid_co2 = energy["electrolyser_grid_co2_t"] if hourly is not None else grid * factor
    mean_f = hourly.mean_t_co2_per_mwh if hourly is not None else factor
    out: dict[str, np.ndarray] = {}
    out["hydrogen_co2_direct_kg_per_kg"] = share(grid_co2 * _KWH, kg)
    out["hydrogen_co2_location_kg_per_kg"] = share(energy["electrolyser_mwh"] * mean_f * _KWH, kg)
    direct = out["hydrogen_co2_direct_kg_per_kg"]
    out["meets_tcab_low_carbon"] = direct <= r["tcab_0078_2020_low_carbon_max_co2_kg_per_kg"]
    out["meets_tcab_clean"] = direct <= r["tcab_0078_2020_clean_max_co2_kg_per_kg"]
    out["meets_tcab_renewable"] = (direct <= r["tcab_0078_2020_renewable_max_co2_kg_per_kg"]) & (grid <= 1e-9)
    month_kg = tot["hydrogen_produced_month_kg"]
    month_grid = tot["electrolyser_grid_month_mwh"]
    matched = np.maximum(0.0, month_grid - tot["export_month_mwh"])
    limit = r["eu_rfnbo_max_co2_kg_per_kg"]
    for basis, unmatched in (("monthly", matched), ("hourly", month_grid)):
        month_co2 = np.where(month_kg > 0.0, unmatched * mean_f * _KWH / np.where(month_kg > 0.0, month_kg, 1.0),
                             0.0)
        worst = np.where((month_kg > 0.0).any(axis=1), month_co2.max(axis=1), np.nan)
        out[f"hydrogen_co2_eu_{basis}_kg_per_kg"] = worst
        out[f"meets_eu_rfnbo_{basis}"] = worst <= limit
    hourly_rule = design.resolved.scenario.profiles.year >= r["eu_rfnbo_hourly_matching_from_year"]
    out["meets_eu_rfnbo"] = out["meets_eu_rfnbo_hourly" if hourly_rule else "meets_eu_rfnbo_monthly"]
    equipment = cost["flexible_annualised_capex_yuan"] + cost["flexible_om_cost_yuan"]
    electricity = energy["electrolyser_green_mwh"] * np.nan_to_num(cost["lcoe_yuan_per_mwh"]) + energy[
        "electrolyser_grid_cost_yuan"]
    out["lcoh_yuan_per_kg"] = share(equipment + electricity, kg)
    return out
