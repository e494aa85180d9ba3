"""Fill a scenario's unset world numbers from the data tables, recording each one's source.

A :class:`Resolved` holds every number the simulation uses — policy thresholds, tariff
components, emission factor, coal rate, costs — each with the place it came from: the
scenario file itself, or a data-table row with its source and confidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gpdc.errors import DataTableError, ScenarioError, ScenarioErrors
from gpdc.scenario import tables
from gpdc.scenario.schema import Scenario
from gpdc.units import unit_of

FROM_SCENARIO = "scenario file"


@dataclass(frozen=True)
class Value:
    """One resolved number with its unit and where it came from."""

    value: float
    unit: str
    source: str
    confidence: str = "user input"


@dataclass(frozen=True)
class Resolved:
    """Every number of a scenario that is not a plain scenario field, resolved."""

    scenario: Scenario
    values: dict[str, Value] = field(default_factory=dict)
    tou_schedule: str = "flat"
    tou_source: str = ""
    rule_description: str = ""

    def __getitem__(self, key: str) -> float:
        return self.values[key].value

    def provenance(self) -> dict[str, dict[str, object]]:
        """Return ``{name: {value, unit, source, confidence}}`` for the results file."""
        return {
            k: {"value": v.value, "unit": v.unit, "source": v.source, "confidence": v.confidence}
            for k, v in self.values.items()
        }


def _from_table(s: tables.Sourced) -> Value:
    return Value(float(s.value), s.unit, s.source, s.confidence)


def resolve(scenario: Scenario) -> Resolved:
    """Resolve a scenario's policy, tariff, emissions and finance numbers.

    Raises
    ------
    ScenarioErrors
        When a number is neither in the scenario nor in the data tables (e.g. the
        provincial emission factor of a province the tables do not cover); the message
        names the field to set.
    """
    errors: list[ScenarioError] = []
    values: dict[str, Value] = {}
    sc = scenario
    prov = tables.province(sc.site.province)
    prov_src = f"provinces.csv row {prov.province}: {prov.source}"

    def put(name: str, given: float | None, default: Value | None, field_path: str, why: str) -> None:
        if given is not None:
            values[name] = Value(float(given), unit_of(name) or "", FROM_SCENARIO)
        elif default is not None:
            values[name] = default
        else:
            errors.append(ScenarioError(field_path, None, f"must be set: {why}"))

    # --- policy thresholds -------------------------------------------------------------
    rule = tables.policy_rule(sc.policy.rule_set)
    rule_src = f"policy_rules.csv row {rule.rule_set}: {rule.source}"
    put("min_self_use_frac", sc.policy.min_self_use_frac,
        Value(rule.min_self_use_frac, "1", rule_src, rule.confidence), "policy.min_self_use_frac", "")
    put("min_green_share_of_load_frac", sc.policy.min_green_share_of_load_frac,
        Value(rule.min_green_share_of_load_frac, "1", rule_src, rule.confidence),
        "policy.min_green_share_of_load_frac", "")
    rule_export = None if rule.max_export_frac is None else Value(
        rule.max_export_frac, "1", rule_src, rule.export_cap_confidence or rule.confidence)
    put("max_export_frac", sc.policy.max_export_frac, rule_export, "policy.max_export_frac",
        f"rule set {rule.rule_set} has no export cap")

    # --- the export cap the dispatch enforces ---------------------------------------------
    if not sc.grid.export_allowed:
        # no reverse flow: the project is judged against a cap of 0, not the rule set's share
        no_flow = Value(0.0, "1", "grid.export_allowed = false: no reverse flow where the spot market does "
                        "not run continuously (650号; policy-and-data.md 1.5)", "VERIFIED (paraphrased)")
        values["max_export_frac"] = no_flow
        values["export_cap_frac"] = no_flow
    elif sc.grid.export_cap_frac is not None:
        values["export_cap_frac"] = Value(sc.grid.export_cap_frac, "1", FROM_SCENARIO)
    elif "max_export_frac" in values:
        v = values["max_export_frac"]
        values["export_cap_frac"] = Value(v.value, "1", f"policy max_export_frac ({v.source})", v.confidence)

    # --- tariff -------------------------------------------------------------------------
    tou = sc.tariff.tou_schedule or prov.tou_schedule
    if tou is None:
        errors.append(ScenarioError(
            "tariff.tou_schedule", None,
            f"must be set: province {prov.province} has no TOU schedule in the data; "
            f"valid: {', '.join(tables.tou_schedule_names())}",
        ))
        tou = "flat"
    tou_source = FROM_SCENARIO if sc.tariff.tou_schedule else prov_src
    bench = None if prov.coal_benchmark_yuan_per_mwh is None else Value(
        prov.coal_benchmark_yuan_per_mwh, "yuan/MWh",
        f"coal benchmark price, {prov_src}", prov.confidence)
    put("energy_price_yuan_per_mwh", sc.tariff.energy_price_yuan_per_mwh, bench,
        "tariff.energy_price_yuan_per_mwh", "no coal benchmark price for this province")
    put("export_price_yuan_per_mwh", sc.tariff.export_price_yuan_per_mwh, bench,
        "tariff.export_price_yuan_per_mwh", "no coal benchmark price for this province")
    parts = {
        "T&D energy rate 110 kV": prov.td_energy_110kv_yuan_per_mwh,
        "government funds": prov.funds_yuan_per_mwh,
        "system operation fee": prov.system_operation_yuan_per_mwh,
    }
    known = {k: v for k, v in parts.items() if v is not None}
    missing = [k for k, v in parts.items() if v is None]
    note = f" (not in the data, counted as 0: {', '.join(missing)})" if missing else ""
    adders = Value(sum(known.values()), "yuan/MWh",
                   f"sum of {', '.join(known)}{note}; {prov_src}", prov.confidence)
    put("adders_yuan_per_mwh", sc.tariff.adders_yuan_per_mwh, adders, "tariff.adders_yuan_per_mwh", "")
    if sc.tariff.fee_regime == "pilot_exemption":
        fee = Value(0.0, "yuan/MWh", "fee regime pilot_exemption: no T&D or policy fees on self-used energy",
                    "VERIFIED (paraphrased)")
    else:
        fee = Value(adders.value, "yuan/MWh",
                    f"fee regime full_cost_sharing: self-used energy bears the non-floating adders ({adders.source})",
                    prov.confidence)
    put("self_use_fee_yuan_per_mwh", sc.tariff.self_use_fee_yuan_per_mwh, fee, "tariff.self_use_fee_yuan_per_mwh", "")

    # --- emissions -------------------------------------------------------------------------
    em = sc.emissions
    regions = {"grid_average": "national", "grid_average_excl_traded_nonfossil": "national", "fossil": "national",
               "provincial": prov.emission_region, "regional": prov.emission_regional_grid}
    # the user's own accounts use a consumption factor: by default the avoided-CO2 factor, but the
    # fossil-power factor describes displaced thermal generation, so there the grid average is used
    account_basis = em.account_basis or ("grid_average" if em.basis == "fossil" else em.basis)
    for name, basis, given, basis_field, given_field in (
        ("emission_factor_t_co2_per_mwh", em.basis, em.factor_t_co2_per_mwh, "basis", "factor_t_co2_per_mwh"),
        ("account_factor_t_co2_per_mwh", account_basis, em.account_factor_t_co2_per_mwh, "account_basis",
         "account_factor_t_co2_per_mwh"),
    ):
        if (name == "account_factor_t_co2_per_mwh" and given is None and em.account_basis is None
                and em.basis != "fossil"):
            if "emission_factor_t_co2_per_mwh" in values:  # same basis: the same number, wherever it came from
                values[name] = values["emission_factor_t_co2_per_mwh"]
            continue
        region = regions[basis]
        factor: Value | None = None
        why = ""
        if region is None:
            why = (f"the data has no {basis} factor for {prov.province}; choose another emissions.{basis_field} "
                   "or set the factor")
        elif given is None:
            try:
                factor = _from_table(tables.emission_factor(basis, region, em.factor_year))
            except DataTableError as exc:  # the year is what is missing: name that field
                errors.append(ScenarioError("emissions.factor_year", em.factor_year,
                                            f"{exc}; or set emissions.{given_field}"))
                continue
        put(name, given, factor, f"emissions.{given_field}", why)
    coal: Value | None = None
    if em.coal_rate_g_ce_per_kwh is None:
        try:
            coal = _from_table(tables.coal_rate(em.coal_rate_year))
        except DataTableError as exc:
            errors.append(ScenarioError("emissions.coal_rate_year", em.coal_rate_year,
                                        f"{exc}; or set emissions.coal_rate_g_ce_per_kwh"))
    if coal is not None or em.coal_rate_g_ce_per_kwh is not None:
        put("coal_rate_g_ce_per_kwh", em.coal_rate_g_ce_per_kwh, coal, "emissions.coal_rate_g_ce_per_kwh", "")
    for name in ("eu_carbon_price_eur_per_t_co2", "exchange_rate_yuan_per_eur",
                 "china_carbon_price_paid_yuan_per_t_co2"):
        market = tables.carbon_market(name)
        put(name, getattr(em, name), Value(market.value, market.unit, f"carbon_market.csv row {name}: {market.source}",
                                           market.confidence), f"emissions.{name}", "")
    gec = tables.carbon_market("gec_mwh_per_certificate")
    values["gec_mwh_per_certificate"] = Value(gec.value, gec.unit, f"carbon_market.csv row gec_mwh_per_certificate: "
                                              f"{gec.source}", gec.confidence)

    # --- finance -----------------------------------------------------------------------------
    fin = sc.finance
    for name, given, item in (
        ("wind_capex_yuan_per_kw", fin.wind_capex_yuan_per_kw, "wind_capex_yuan_per_kw"),
        ("solar_capex_yuan_per_kw", fin.solar_capex_yuan_per_kw, "solar_capex_yuan_per_kw"),
        ("storage_capex_yuan_per_kwh", fin.storage_capex_yuan_per_kwh, "storage_energy_capex_yuan_per_kwh"),
        ("line_capex_yuan_per_km", fin.line_capex_yuan_per_km, "line_capex_110kv_yuan_per_km"),
        ("wind_om_yuan_per_kw_year", fin.wind_om_yuan_per_kw_year, "wind_om_yuan_per_kw_year"),
        ("solar_om_yuan_per_kw_year", fin.solar_om_yuan_per_kw_year, "solar_om_yuan_per_kw_year"),
        ("storage_om_frac_per_year", fin.storage_om_frac_per_year, "storage_om_frac_of_capex_per_year"),
        ("lifetime_years", fin.lifetime_years, "wind_lifetime_years"),
        ("discount_rate_frac", fin.discount_rate_frac, "discount_rate_frac"),
    ):
        default = _from_table(tables.cost(item))
        put(name, given, Value(default.value, default.unit, f"costs.csv row {item}: {default.source}",
                               default.confidence), f"finance.{name}", "")

    if errors:
        raise ScenarioErrors(errors, source=sc.name)
    return Resolved(sc, values, tou_schedule=tou or "flat", tou_source=tou_source,
                    rule_description=rule.description)
