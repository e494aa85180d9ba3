"""The one place where result variables get their units, long names and definitions.

Every data variable gpdc writes is registered here; :mod:`gpdc.results.dataset` refuses to
write a variable that is not.  (After reV's ``output_attributes``.)  The kernels' own totals
and the hourly traces are registered from the kernel specification (:mod:`gpdc.kernels.spec`);
the quantities the accounting derives are written out below.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpdc.errors import UnregisteredVariableError
from gpdc.kernels import spec


@dataclass(frozen=True)
class Var:
    """A result variable: its unit, long name, kind and definition."""

    units: str
    long_name: str
    definition: str
    kind: str = "total"  # "total" (per scenario) or "trace" (per scenario and hour)
    dims: tuple[str, ...] = ()  # trailing dimensions after the scenario ones, e.g. ("product",)


def _v(units: str, long_name: str, definition: str, kind: str = "total") -> Var:
    return Var(units, long_name, definition, kind)


def _p(units: str, long_name: str, definition: str) -> Var:
    """Return a per-product total: shape (n_scen, n_products), dimension ``product`` last."""
    return Var(units, long_name, definition, "total", ("product",))


#: kernel totals that are accounting inputs, not result variables (self-supply steps are reported in hours)
_KERNEL_ONLY = ("import_co2_t", "peak_import_month_mw", "self_supply_steps", "electrolyser_grid_month_mwh",
                "export_month_mwh", "hydrogen_produced_month_kg")

VARIABLES: dict[str, Var] = {
    # --- the kernels' totals (from the kernel specification) -------------------------------
    **{t.name: _v(t.unit, t.long_name, t.meaning) for t in spec.TOTALS if t.name not in _KERNEL_ONLY},
    # --- energy totals -------------------------------------------------------------------
    "gen_avail_mwh": _v("MWh", "available renewable generation", "Σ (wind_mw·cf_wind + solar_mw·cf_solar)·dt, before any curtailment"),
    "self_used_mwh": _v("MWh", "green energy used on site", "direct + green part of storage discharge"),
    "discharge_mwh": _v("MWh", "storage discharge", "discharge_green + discharge_grid"),
    "curtail_storage_full_mwh": _v("MWh", "curtailment with storage full and export limit reached", "curtail_bus − curtail_export_cap"),
    "line_loss_mwh": _v("MWh", "loss on the dedicated line", "line_loss_frac · energy entering the line"),
    "storage_loss_mwh": _v("MWh", "storage conversion loss", "charge·(1−η_ch) + discharge·(1/η_dis − 1)"),
    "storage_delta_mwh": _v("MWh", "change of usable stored energy over the period", "end − start, both pools"),
    "load_mwh": _v("MWh", "user consumption", "Σ load_mw·dt"),
    "peak_import_mw": _v("MW", "peak grid import power", "max over steps of import/dt"),
    "self_supply_hours_h": _v("h", "hours fully supplied by green energy", "steps with no import for the load and no unserved energy"),
    "storage_cycles": _v("1", "equivalent full storage cycles", "discharge / usable energy"),
    # --- policy ----------------------------------------------------------------------------
    "self_use_share": _v("1", "self-used share of available generation", "self_used / gen_avail (650号: ≥ threshold); self_used / (1 − line_loss_frac) / gen_avail where the policy meters self-use at the plant (attribute policy_self_use_metering)"),
    "green_share_of_load": _v("1", "green share of the user's consumption", "self_used / load (650号: ≥ threshold)"),
    "export_share": _v("1", "exported share of available generation", "export / gen_avail (≤ provincial cap)"),
    "green_share_of_load_green_first": _v("1", "green share of load under the green-first strategy", "the same design dispatched with grid charging and peak shaving off: self_used / load"),
    "arbitrage_green_share_cost": _v("1", "green share of load that TOU arbitrage and peak shaving cost", "green_share_of_load_green_first − green_share_of_load (0 under green-first)"),
    "curtailment_rate": _v("1", "curtailed share of available generation", "(curtail_line + curtail_bus) / gen_avail"),
    "utilisation_rate": _v("1", "utilisation rate of available generation", "1 − curtailment_rate"),
    "hourly_match_share": _v("1", "hourly-matched green share of load (24/7 CFE score)", "Σ_h min(load, green used)_h / Σ load; equals green_share_of_load here"),
    "annual_match_share": _v("1", "annually matched green share of load", "min(Σ gen_avail, Σ load) / Σ load"),
    "self_use_margin": _v("1", "margin to the self-use threshold", "self_use_share − min_self_use_frac (≥ 0 passes)"),
    "green_share_margin": _v("1", "margin to the green-share threshold", "green_share_of_load − min_green_share_of_load_frac (≥ 0 passes)"),
    "export_margin": _v("1", "margin to the export cap", "max_export_frac − export_share (≥ 0 passes)"),
    "meets_self_use": _v("1", "meets the self-use rule", "self_use_margin ≥ 0"),
    "meets_green_share": _v("1", "meets the green-share-of-load rule", "green_share_margin ≥ 0"),
    "meets_export_cap": _v("1", "meets the export cap", "export_margin ≥ 0"),
    "compliant": _v("1", "meets all three rules", "meets_self_use ∧ meets_green_share ∧ meets_export_cap"),
    # --- economics ---------------------------------------------------------------------------
    "self_use_fees_yuan": _v("yuan", "fees on self-used green energy", "self_used · self_use_fee (fee regime)"),
    "capex_yuan": _v("yuan", "capital cost of the project", "wind + PV + storage + line + grid connection"),
    "capex_wind_yuan": _v("yuan", "capital cost, wind", "wind MW · capex per kW"),
    "capex_solar_yuan": _v("yuan", "capital cost, PV", "PV MW · capex per kW"),
    "capex_storage_yuan": _v("yuan", "capital cost, storage", "energy MWh · capex per kWh + power MW · capex per kW"),
    "capex_line_yuan": _v("yuan", "capital cost, dedicated line", "length · capex per km + bays"),
    "capex_grid_connection_yuan": _v("yuan", "capital cost, grid connection", "as given in finance.grid_connection_capex_yuan"),
    "npv_yuan": _v("yuan", "net present value against the grid-only baseline", "Σ_y CF_y/(1+r)^y over the project life; CF_0 = −capex, CF_y = (baseline − bill)·(1+g)^(y−1) − O&M − storage replacement (docs/finance.md)"),
    "irr_frac": _v("1/a", "internal rate of return against the grid-only baseline", "rate with NPV = 0 (Brent's method on a scanned bracket, −99 % to +1000 %); NaN where no IRR exists (see has_irr)"),
    "has_irr": _v("1", "an IRR exists", "1 where the cash flow changes sign and its NPV crosses 0 in the bracket, else 0 (irr_frac NaN)"),
    "discounted_payback_years": _v("a", "discounted payback period", "years until the cumulative discounted cash flow turns ≥ 0 (linear within the year); NaN: not within the project life"),
    "lifetime_self_used_net_cost_yuan_per_mwh": _v("yuan/MWh", "net cost of the self-used green power over the project life", "Σ disc·(capex + O&M + replacement + fees − export revenue) / Σ disc·self_used (called lifetime LCOE before issue 14)"),
    "lcoe_yuan_per_mwh": _v("yuan/MWh", "levelised cost of energy (LCOE)", "Σ_y disc_y·(capex (y = 0) + O&M + storage replacement) / Σ_y disc_y·delivered_y, delivered = direct + charge_green + export (the plants' output after curtailment, at the user's bus after line loss; each year's own with degradation): NREL's definition, SAM's energy"),
    "lifetime_plant_output_mwh": _v("MWh", "plants' output after curtailment over the project life", "Σ_y (direct + charge_green + export)_y"),
    "levelised_adjustment_yuan": _v("yuan", "levelised escalation, degradation and storage replacements of the project's cost", "CRF · Σ_y disc_y·(bill_y·(1+g)^(y−1) − bill_1 + replacement_y), per simulated period: project_cost − its first-year parts"),
    "baseline_levelised_adjustment_yuan": _v("yuan", "levelised escalation of the grid-only bill", "CRF · Σ_y disc_y·baseline_1·((1+g)^(y−1) − 1), per simulated period"),
    "project_life_years": _v("a", "years of the cash flow", "round(finance.lifetime_years), half up"),
    "lifetime_self_used_mwh": _v("MWh", "self-used green energy over the project life", "Σ_y self_used_y (each year re-dispatched with PV and battery degradation when they are set)"),
    "final_year_self_used_mwh": _v("MWh/a", "self-used green energy in the last year of the life", "self_used of year N (degraded PV and battery)"),
    "final_year_green_share_of_load": _v("1", "green share of load in the last year of the life", "final_year_self_used / annual load"),
    "storage_replacement_yuan": _v("yuan", "storage replacements over the project life (undiscounted)", "storage capex · replacement share, every storage lifetime before the end"),
    "annualised_capex_yuan": _v("yuan", "annualised capital cost over the period", "capex · capital recovery factor · period_years"),
    "om_cost_yuan": _v("yuan", "operation and maintenance cost over the period", "per kW of plant and share of storage capex, · period_years"),
    "baseline_cost_yuan": _v("yuan", "bill buying everything from the grid", "equivalent annual cost of the grid-only bill over the project life: baseline_energy_cost + baseline_basic_charge (ordinary two-part tariff) + baseline_levelised_adjustment"),
    "baseline_energy_cost_yuan": _v("yuan", "baseline energy bill", "Σ_t load_t · ((energy price + floating components) · TOU multiplier_t + flat components), over every per-MWh component: T&D energy rate, funds, system-operation fee, line loss, capacity compensation (which float: the tariff's tou_float_components)"),
    "baseline_basic_charge_yuan": _v("yuan", "baseline basic (capacity or demand) charge", "capacity: rate · connection kVA · months; demand: rate · Σ_m month's maximum load [kW] (weighted by the share of each month simulated)"),
    "basic_charge_yuan": _v("yuan", "basic (capacity or demand) charge with the project", "as baseline_basic_charge with the month's maximum import; 0 where the fee regime drops it"),
    "capacity_td_fee_yuan": _v("yuan", "1192号 capacity-based T&D fee", "T&D energy rate · average load rate · 730 h · connection kVA per month (nearby_consumption_2025 only)"),
    "import_energy_cost_yuan": _v("yuan", "energy part of the import bill", "energy price · Σ_t import_t · TOU multiplier_t (or Σ_t import_t · hourly energy price) = import_cost − the per-MWh components below"),
    "import_td_fee_yuan": _v("yuan", "energy-rate T&D on grid-drawn energy", "T&D energy rate · import (· TOU multiplier where it floats) where the fee regime charges it"),
    "import_funds_yuan": _v("yuan", "government funds on grid-drawn energy", "funds rate · import (· TOU multiplier where it floats) where the fee regime charges it"),
    "import_system_operation_fee_yuan": _v("yuan", "system-operation fee on grid-drawn energy", "system-operation fee · import (· TOU multiplier where it floats) where the fee regime charges it (1192号: on drawn energy)"),
    "import_line_loss_fee_yuan": _v("yuan", "generation-side line-loss charge on grid-drawn energy", "energy price · r/(1 − r) · import (· TOU multiplier where it floats), r the on-grid line-loss rate, where the fee regime charges it"),
    "import_capacity_compensation_yuan": _v("yuan", "capacity compensation on grid-drawn energy", "capacity-compensation price · import (· TOU multiplier where it floats) where the fee regime charges it (Shandong 容量补偿电价)"),
    "project_cost_yuan": _v("yuan", "cost with the project", "equivalent annual cost of the project's cost flow, NPV(costs)·CRF(r, N) per simulated period = import bill + unserved load at the grid price + basic charge + 1192号 capacity fee + fees on self-used energy − export revenue + annualised capex + O&M (first year) + levelised_adjustment"),
    "savings_yuan": _v("yuan", "savings against the grid-only baseline", "baseline_cost − project_cost = NPV · CRF(r, N) per simulated period"),
    "savings_yuan_per_mwh": _v("yuan/MWh", "savings per MWh consumed", "savings / load"),
    "self_used_net_cost_yuan_per_mwh": _v("yuan/MWh", "net cost of the self-used green power", "(annualised capex + O&M + fees − export revenue) / self_used, first year (called LCOE before issue 14)"),
    # --- emissions ---------------------------------------------------------------------------
    "avoided_co2_t": _v("t CO2", "avoided CO2", "(self_used [+ export if emissions.count_export_in_avoided]) · emission factor (basis in attribute emission_factor_basis)"),
    "coal_saved_tce": _v("t ce", "standard coal saved", "(self_used [+ export if counted]) · coal rate"),
    "location_based_co2_t": _v("t CO2", "user's electricity CO2, location-based", "load · account factor, or Σ_h load_h · f_h with hourly factors (attribute account_factor_basis)"),
    "direct_connection_co2_t": _v("t CO2", "user's electricity CO2, direct-connection accounting", "import · account factor, or Σ_h import_h · f_h with hourly factors; green from the line at 0, grid charging at the factor of its hour"),
    "location_based_t_co2_per_mwh": _v("t CO2/MWh", "user's electricity CO2 intensity, location-based", "location_based_co2 / load"),
    "direct_connection_t_co2_per_mwh": _v("t CO2/MWh", "user's electricity CO2 intensity, direct-connection accounting", "direct_connection_co2 / load"),
    "accounting_difference_co2_t": _v("t CO2", "CO2 the direct connection removes from the user's account", "location_based_co2 − direct_connection_co2"),
    "gec_basis_mwh": _v("MWh", "green energy delivered over the line (GEC basis)", "direct + charge_green + export: green energy used, stored or fed in, after line loss and curtailment"),
    "gec_count": _v("1", "green electricity certificates (GECs) earned", "floor(gec_basis / 1 MWh per certificate) (发改能源〔2023〕1044号)"),
    "cbam_net_carbon_price_yuan_per_t_co2": _v("yuan/t CO2", "CBAM certificate price net of the carbon price paid in China", "max(EU carbon price · yuan per EUR − China carbon price paid, 0)"),
    # --- the flexible elements (docs/flexible.md; a scenario with the element) -----------------
    "flexible_consumption_mwh": _v("MWh", "consumption of the flexible elements", "electrolyser + shiftable load + EV charging − V2G discharge"),
    "consumption_mwh": _v("MWh", "user's total consumption", "load + flexible consumption: the denominator of green_share_of_load (650号's total consumption)"),
    "hydrogen_demand_kg": _v("kg", "hydrogen offtake demanded", "Σ offtake profile"),
    "electrolyser_full_load_hours_h": _v("h", "electrolyser full-load hours", "(electrolyser − stand-by) / rating"),
    "electrolyser_green_share": _v("1", "green share of the electrolyser's electricity", "electrolyser_green / electrolyser"),
    "meets_hydrogen_offtake": _v("1", "the offtake is met as the scenario requires", "hydrogen_unmet == 0, or unmet offtake allowed (hydrogen.unmet_allowed)"),
    "capex_electrolyser_yuan": _v("yuan", "capital cost, electrolyser", "MW · capex per kW"),
    "capex_hydrogen_tank_yuan": _v("yuan", "capital cost, hydrogen store", "usable kg · capex per kg"),
    "hydrogen_unmet_cost_yuan": _v("yuan", "cost of the unmet hydrogen offtake", "unmet kg · hydrogen.unmet_value_yuan_per_kg (grey hydrogen bought instead)"),
    "ev_degradation_cost_yuan": _v("yuan", "battery wear of V2G", "V2G discharge · ev_fleet.degradation_cost_yuan_per_mwh"),
    "flexible_load_unserved_cost_yuan": _v("yuan", "unserved shiftable energy, valued", "flexible_load_unserved · the period's dearest import price"),
    "ev_unserved_cost_yuan": _v("yuan", "driving energy the fleet lacked, valued", "ev_unserved · the period's dearest import price"),
    "flexible_annualised_capex_yuan": _v("yuan", "annualised capital cost of the flexible elements", "(electrolyser + store capex) · capital recovery factor · period_years"),
    "flexible_om_cost_yuan": _v("yuan", "O&M of the flexible elements", "capex · O&M share per year · period_years"),
    "flexible_penalty_cost_yuan": _v("yuan", "cost of unmet flexible demand and V2G wear", "hydrogen unmet cost + unserved shiftable and fleet energy at the dearest import price + V2G wear"),
    "baseline_flexible_yuan": _v("yuan", "baseline cost of the flexible elements' service", "offtake as grey hydrogen + shiftable load and fleet on their baseline schedules at the ordinary tariff"),
    "hydrogen_co2_direct_kg_per_kg": _v("kg CO2/kg", "hydrogen CO2 intensity, direct-connection basis", "grid electricity into the electrolyser · grid factor / hydrogen produced (green electricity 0; electricity only)"),
    "hydrogen_co2_location_kg_per_kg": _v("kg CO2/kg", "hydrogen CO2 intensity, location-based", "all electricity into the electrolyser · grid factor / hydrogen produced"),
    "meets_tcab_low_carbon": _v("1", "low-carbon hydrogen under T/CAB 0078-2020", "hydrogen_co2_direct ≤ 14.51 kg CO2e/kg"),
    "meets_tcab_clean": _v("1", "clean hydrogen under T/CAB 0078-2020", "hydrogen_co2_direct ≤ 4.9 kg CO2e/kg"),
    "meets_tcab_renewable": _v("1", "renewable hydrogen under T/CAB 0078-2020", "hydrogen_co2_direct ≤ 4.9 kg CO2e/kg and no grid electricity"),
    "hydrogen_co2_eu_monthly_kg_per_kg": _v("kg CO2/kg", "worst month's hydrogen CO2 intensity, EU monthly matching", "max over months of (grid − own export of the month)⁺ · factor / hydrogen of the month"),
    "hydrogen_co2_eu_hourly_kg_per_kg": _v("kg CO2/kg", "worst month's hydrogen CO2 intensity, EU hourly matching", "max over months of grid · factor / hydrogen of the month"),
    "meets_eu_rfnbo_monthly": _v("1", "RFNBO with monthly matching (until 2029)", "every month ≤ 3.384 kg CO2e/kg (2023/1184 Art. 6, 2023/1185)"),
    "meets_eu_rfnbo_hourly": _v("1", "RFNBO with hourly matching (from 2030)", "every month ≤ 3.384 kg CO2e/kg, grid matched by the hour only"),
    "meets_eu_rfnbo": _v("1", "RFNBO under the rule of the simulated year", "monthly matching until 2029, hourly from 2030"),
    "lcoh_yuan_per_kg": _v("yuan/kg", "levelised cost of hydrogen (IEA-style annuity)", "(electrolyser and store capex · CRF + O&M + green electricity · lcoe + grid electricity bill) / hydrogen produced"),
    # --- products (dimension product; coordinates product_sector, cbam_scope_reason) --------
    "product_output_t_per_year": _p("t/a", "product output", "as stated in [[products]]"),
    "product_electricity_mwh_per_year": _p("MWh/a", "electricity used by the product", "output · kWh per t / 1000"),
    "product_electricity_co2_location_t_co2_per_t": _p("t CO2/t", "electricity CO2 per tonne, location-based", "kWh per t / 1000 · location_based_t_co2_per_mwh"),
    "product_electricity_co2_direct_connection_t_co2_per_t": _p("t CO2/t", "electricity CO2 per tonne, direct-connection accounting", "kWh per t / 1000 · direct_connection_t_co2_per_mwh"),
    "product_direct_co2_t_co2_per_t": _p("t CO2/t", "direct (scope 1) CO2 per tonne", "as stated in [[products]]"),
    "product_co2_location_t_co2_per_t": _p("t CO2/t", "direct + electricity CO2 per tonne, location-based", "direct + electricity CO2 (location-based)"),
    "product_co2_direct_connection_t_co2_per_t": _p("t CO2/t", "direct + electricity CO2 per tonne, direct-connection accounting", "direct + electricity CO2 (direct connection)"),
    "product_electricity_cost_yuan_per_t": _p("yuan/t", "electricity cost per tonne with the project", "project_cost / load · kWh per t / 1000"),
    "product_electricity_cost_baseline_yuan_per_t": _p("yuan/t", "electricity cost per tonne, all from the grid", "baseline_cost / load · kWh per t / 1000"),
    "product_electricity_saving_yuan_per_t": _p("yuan/t", "electricity cost saved per tonne", "savings_yuan_per_mwh · kWh per t / 1000"),
    "cbam_good": _p("1", "the product is a CBAM good", "sector listed in Annex I of Reg. (EU) 2023/956 (cbam_sectors.csv)"),
    "cbam_indirect_in_scope": _p("1", "indirect (electricity) emissions count for CBAM", "CBAM good not listed in Annex II of Reg. (EU) 2023/956, definitive period from 2026; why: coordinate cbam_scope_reason"),
    "cbam_direct_exposure_yuan_per_t": _p("yuan/t", "CBAM cost of direct emissions per tonne", "cbam_good · direct CO2 per t · net carbon price"),
    "cbam_indirect_exposure_location_yuan_per_t": _p("yuan/t", "CBAM cost of electricity emissions per tonne, location-based", "cbam_indirect_in_scope · electricity CO2 per t (location) · net carbon price; 0 out of scope"),
    "cbam_indirect_exposure_direct_connection_yuan_per_t": _p("yuan/t", "CBAM cost of electricity emissions per tonne, direct connection", "cbam_indirect_in_scope · electricity CO2 per t (direct connection) · net carbon price; 0 out of scope"),
    "cbam_exposure_location_yuan_per_t": _p("yuan/t", "CBAM certificate cost per tonne, location-based", "direct + indirect exposure (location-based)"),
    "cbam_exposure_direct_connection_yuan_per_t": _p("yuan/t", "CBAM certificate cost per tonne, direct-connection accounting", "direct + indirect exposure (direct connection)"),
    "cbam_exposure_location_yuan_per_year": _p("yuan/a", "CBAM certificate cost per year, location-based", "cbam_exposure_location per t · output"),
    "cbam_exposure_direct_connection_yuan_per_year": _p("yuan/a", "CBAM certificate cost per year, direct-connection accounting", "cbam_exposure_direct_connection per t · output"),
    "cbam_saving_yuan_per_year": _p("yuan/a", "CBAM cost the direct connection saves per year", "cbam_exposure_location − cbam_exposure_direct_connection, per year"),
}

TRACE_VARIABLES: dict[str, Var] = {
    # the kernels' hourly flows (from the kernel specification)
    **{f.name: _v(f.unit, f.long_name, f"{f.meaning} (per step)", "trace") for f in spec.FLOWS if f.trace},
    "soc_frac": _v("1", "state of charge", "(soc_min·E + green + grid) / E at the end of the step", "trace"),
    "load_mw": _v("MW", "user load", "mean over the step", "trace"),
    "cf_wind": _v("1", "wind capacity factor", "per step", "trace"),
    "cf_solar": _v("1", "PV capacity factor", "per step", "trace"),
    "price_import_yuan_per_mwh": _v("yuan/MWh", "import price", "per step", "trace"),
}


#: the dimension of the year-by-year cash flow: project years 0 (the investment) .. N (the life)
PROJECT_YEAR = "project_year"


def _y(units: str, long_name: str, definition: str) -> Var:
    """Return a cash-flow variable: one value per project year, dimension ``project_year``."""
    return Var(units, long_name, definition, "cash_flow", (PROJECT_YEAR,))


#: the year-by-year cash flow of a run (group ``cash_flow`` of a run file; sweeps keep only its NPV,
#: IRR, payback and LCOE, which these add up to); amounts in the project year, 0 after the life
CASH_FLOW_VARIABLES: dict[str, Var] = {
    "cash_flow_capex_yuan": _y("yuan", "capital spent in the project year", "capex_yuan in year 0, else 0"),
    "cash_flow_bill_savings_yuan": _y("yuan", "grid bill avoided in the project year", "(baseline_cost − bill with the project, before capex and O&M) · (1 + tariff escalation)^(y−1), scaled to a year; each year's own dispatch where PV or storage degrade"),
    "cash_flow_om_yuan": _y("yuan", "operation and maintenance cost in the project year", "om_cost_yuan scaled to a year"),
    "cash_flow_replacement_yuan": _y("yuan", "storage replacement in the project year", "storage capex · replacement share in the years k · storage lifetime < life"),
    "cash_flow_yuan": _y("yuan", "net cash flow against the grid-only baseline in the project year", "bill savings − capex − O&M − replacement (CF_y of docs/finance.md)"),
    "cash_flow_discounted_yuan": _y("yuan", "discounted net cash flow in the project year", "CF_y / (1 + discount rate)^y; Σ_y = npv_yuan"),
    "cash_flow_self_used_mwh": _y("MWh", "self-used green energy in the project year", "self_used scaled to a year (0 in year 0); Σ_y = lifetime_self_used_mwh"),
    "cash_flow_green_cost_yuan": _y("yuan", "cost of the self-used green power in the project year", "capex (year 0) + O&M + replacement + (fees − export revenue) · (1 + g)^(y−1): the numerator of lifetime_self_used_net_cost_yuan_per_mwh before discounting"),
    "cash_flow_plant_output_mwh": _y("MWh", "energy the plants deliver in the project year", "direct + charge_green + export at the user's bus, scaled to a year, each year with its own degradation (0 in year 0); Σ_y = lifetime_plant_output_mwh; Σ_y discounted is the denominator of lcoe_yuan_per_mwh"),
}


#: the dimension of a delivery record: its hourly rows, then one totals row per calendar year
LEDGER_ROW = "row"


def _l(long_name: str, definition: str) -> Var:
    """Return a column of the green-power delivery record [MWh per row], dimension ``row``."""
    return Var("MWh", long_name, definition, "ledger", (LEDGER_ROW,))


#: the columns of the green-power delivery record (``gpdc run --ledger``, group ``ledger`` of a run
#: file; :mod:`gpdc.report.ledger`), in their order in the record; per hour, and summed in the totals rows
LEDGER_VARIABLES: dict[str, Var] = {
    "generation_mwh": _l("green energy generated", "available wind + PV generation in the hour, before any curtailment (trace gen_avail_mwh)"),
    "curtailed_line_mwh": _l("green energy curtailed by the line rating", "trace curtail_line_mwh"),
    "line_loss_mwh": _l("loss on the dedicated line", "trace line_loss_mwh"),
    "delivered_mwh": _l("green energy delivered to the user over the line", "generation − curtailed_line − line_loss: what arrives at the user's bus"),
    "used_directly_mwh": _l("green energy used by the load as it arrived", "trace direct_mwh"),
    "stored_mwh": _l("green energy put into storage", "trace charge_green_mwh"),
    "released_mwh": _l("green energy released from storage to the load", "trace discharge_green_mwh (the green pool's share of the discharge)"),
    "exported_mwh": _l("green energy fed into the public grid", "trace export_mwh"),
    "curtailed_bus_mwh": _l("green energy curtailed at the user's bus", "trace curtail_bus_mwh: storage full, export limit or cap reached"),
    "grid_import_mwh": _l("energy drawn from the public grid", "trace import_mwh, for the load and for grid charging"),
    "load_mwh": _l("user consumption", "trace load_mw · step length"),
}


def attrs_of(name: str, trace: bool = False, *, kind: str | None = None) -> dict[str, str]:
    """The file attributes of a registered variable: ``units``, ``long_name``, ``definition``.

    Every writer (run files, sweep files) takes them from here.  ``kind`` names the table:
    ``"total"`` (:data:`VARIABLES`, the default), ``"trace"`` (:data:`TRACE_VARIABLES`, also
    ``trace=True``), ``"cash_flow"`` (:data:`CASH_FLOW_VARIABLES`) or ``"ledger"``
    (:data:`LEDGER_VARIABLES`).

    Raises
    ------
    UnregisteredVariableError
        If ``name`` is not registered.
    """
    kind = kind or ("trace" if trace else "total")
    tables = {"total": ("VARIABLES", VARIABLES), "trace": ("TRACE_VARIABLES", TRACE_VARIABLES),
              "cash_flow": ("CASH_FLOW_VARIABLES", CASH_FLOW_VARIABLES),
              "ledger": ("LEDGER_VARIABLES", LEDGER_VARIABLES)}
    label, table = tables[kind]
    if name not in table:
        raise UnregisteredVariableError(f"variable {name!r} is not in gpdc.results.registry.{label}")
    v = table[name]
    return {"units": v.units, "long_name": v.long_name, "definition": v.definition}
