"""Fill a scenario's unset world numbers from the data tables, recording each one's source.

A :class:`Resolved` holds every number the simulation uses — policy thresholds, tariff
components, emission factor, coal rate, costs — each with the place it came from: the
scenario file itself, or a data-table row with its source and confidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gpdc.errors import DataTableError, ScenarioError, ScenarioErrors
from gpdc.scenario import tables
from gpdc.scenario.products import ProductTable, product_table
from gpdc.scenario.schema import Hydrogen, Scenario, Tariff
from gpdc.units import unit_of

FROM_SCENARIO = "scenario file"
#: how a resolved value says that the tariff data leaves it empty (not known) and gpdc counts 0
NOT_KNOWN = "empty (not known), counted as 0"


@dataclass(frozen=True)
class Value:
    """One resolved number with its unit and where it came from."""

    value: float
    unit: str
    source: str
    confidence: str = "user input"
    date: str = ""


@dataclass(frozen=True)
class Resolved:
    """Every number of a scenario that is not a plain scenario field, resolved.

    ``tou_float`` names the price components the TOU multiplier acts on (``"energy"`` first;
    :data:`gpdc.scenario.tables.TOU_FLOAT_COMPONENTS`); with an hourly energy price series it
    is ``("energy",)``: the series replaces the TOU float and every other component is flat.
    ``self_use_metering`` is where the self-use share's numerator is metered (``plant`` or
    ``user_bus``): the scenario's ``policy.self_use_metering``, else the rule set's.
    ``not_known`` lists the tariff fields the data leaves empty and gpdc counts as 0.
    """

    scenario: Scenario
    values: dict[str, Value] = field(default_factory=dict)
    tou_schedule: str = "flat"
    tou_source: str = ""
    rule_description: str = ""
    fee_regime: tables.FeeRegime = field(default_factory=lambda: tables.fee_regime("pilot_exemption"))
    basic_charge_basis: str = "capacity"
    products: ProductTable = field(default_factory=lambda: product_table(()))
    tou_float: tuple[str, ...] = ("energy",)
    tou_float_source: str = ""
    self_use_metering: str = "user_bus"
    not_known: tuple[str, ...] = ()

    def weak_bill_figures(self) -> list[str]:
        """Return what the bill rests on without a figure: each a sentence naming the field to set.

        A per-MWh component the fee regime charges that the tariff data leaves empty (counted
        as 0), and, under the 1192号 capacity fee, an average load rate that is an assumption
        rather than the locally published figure.
        """
        flags = self.fee_regime.flags
        out = []
        for c in tables.PER_MWH_COMPONENTS:
            name = "line_loss_rate_frac" if c == "line_loss" else f"{c}_yuan_per_mwh"
            used = [e for e in ("import", "self_use") if flags[f"{e}_{c}"]]
            if name in self.not_known and used:
                out.append(f"tariff.{name} is not known (empty in the tariff data) and counted as 0, though fee regime "
                           f"{self.fee_regime.regime} charges it on {' and '.join(_ENERGY_WORDS[e] for e in used)}: "
                           f"set tariff.{name}")
        alr = self.values.get("average_load_rate_frac")
        if flags["capacity_td_1192"] and alr is not None and alr.confidence == "assumption":
            out.append(f"tariff.average_load_rate_frac = {alr.value:g} is an assumption, not the figure the provincial "
                       "price authority published (1192号): set tariff.average_load_rate_frac")
        return out

    def __getitem__(self, key: str) -> float:
        return self.values[key].value

    def provenance(self) -> dict[str, dict[str, object]]:
        """Return ``{name: {value, unit, source, confidence, date}}`` for the results file."""
        return {
            k: {"value": v.value, "unit": v.unit, "source": v.source, "confidence": v.confidence, "date": v.date}
            for k, v in self.values.items()
        }

    def per_mwh(self, energy: str) -> dict[str, tuple[float, bool]]:
        """Return the per-MWh components other than the energy price that an energy bears.

        Parameters
        ----------
        energy : {"import", "self_use", "baseline"}
            ``import``: energy drawn from the grid with the project (the fee regime's ``import_*``
            flags); ``self_use``: self-used green energy (``self_use_*`` flags); ``baseline``:
            the user's consumption without the project (every component).

        Returns
        -------
        dict of str to (float, bool)
            ``{component: (value [yuan/MWh], floats with TOU)}`` for each component of
            :data:`gpdc.scenario.tables.PER_MWH_COMPONENTS` the energy bears.
        """
        flags = self.fee_regime.flags
        out: dict[str, tuple[float, bool]] = {}
        for c in tables.PER_MWH_COMPONENTS:
            if energy == "baseline" or flags[f"{energy}_{c}"]:
                out[c] = (self.values[f"{c}_yuan_per_mwh"].value, c in self.tou_float)
        return out


_ENERGY_WORDS = {"import": "grid-drawn energy", "self_use": "self-used energy"}


def _from_table(s: tables.Sourced) -> Value:
    return Value(float(s.value), s.unit, s.source, s.confidence, "" if s.year is None else str(s.year))


class _Values:
    """The numbers resolved so far, and the fields that could not be."""

    def __init__(self) -> None:
        self.values: dict[str, Value] = {}
        self.errors: list[ScenarioError] = []

    def put(self, name: str, given: float | None, default: Value | None, field_path: str, why: str) -> None:
        """The scenario's own value if given, else the default from the data, else an error naming the field."""
        if given is not None:
            self.values[name] = Value(float(given), unit_of(name) or "", FROM_SCENARIO)
        elif default is not None:
            self.values[name] = default
        else:
            self.errors.append(ScenarioError(field_path, None, f"must be set: {why}"))


def _policy(v: _Values, sc: Scenario) -> tables.PolicyRule:
    """The three thresholds of the rule set, each overridable in ``[policy]``."""
    rule = tables.policy_rule(sc.policy.rule_set)
    rule_src = f"policy_rules.csv row {rule.rule_set}: {rule.source}"
    v.put("min_self_use_frac", sc.policy.min_self_use_frac,
          Value(rule.min_self_use_frac, "1", rule_src, rule.confidence, rule.date), "policy.min_self_use_frac", "")
    v.put("min_green_share_of_load_frac", sc.policy.min_green_share_of_load_frac,
          Value(rule.min_green_share_of_load_frac, "1", rule_src, rule.confidence, rule.date),
          "policy.min_green_share_of_load_frac", "")
    rule_export = None if rule.max_export_frac is None else Value(
        rule.max_export_frac, "1", rule_src, rule.export_cap_confidence or rule.confidence, rule.date)
    v.put("max_export_frac", sc.policy.max_export_frac, rule_export, "policy.max_export_frac",
          f"rule set {rule.rule_set} has no export cap")
    return rule


def _export_cap(v: _Values, sc: Scenario) -> None:
    """The export cap the dispatch enforces: 0 without reverse flow, the grid's own, else the policy's."""
    if not sc.grid.export_allowed:
        # no reverse flow: the project is judged against a cap of 0, not the rule set's share
        no_flow = Value(0.0, "1", "grid.export_allowed = false (the scenario's statement that the province's spot "
                        "market does not run continuously): then no reverse flow, 发改能源〔2025〕650号(六), "
                        "official text seen: '现货市场未连续运行地区，不允许向公共电网反送' (NEA page "
                        "https://www.nea.gov.cn/20250530/2d67a6e49c044f2eacabe1fddf48d20f/c.html)")
        v.values["max_export_frac"] = no_flow
        v.values["export_cap_frac"] = no_flow
    elif sc.grid.export_cap_frac is not None:
        v.values["export_cap_frac"] = Value(sc.grid.export_cap_frac, "1", FROM_SCENARIO)
    elif "max_export_frac" in v.values:
        m = v.values["max_export_frac"]
        v.values["export_cap_frac"] = Value(m.value, "1", f"policy max_export_frac ({m.source})", m.confidence)


@dataclass(frozen=True)
class _TariffChoice:
    tou_schedule: str
    tou_source: str
    basic_charge_basis: str
    fee_regime: tables.FeeRegime
    tou_float: tuple[str, ...]
    tou_float_source: str
    not_known: tuple[str, ...]


@dataclass(frozen=True)
class _TariffDefaults:
    """The tariff data's numbers by field, TOU schedule, basic-charge basis and float components."""

    numbers: dict[str, Value | None]
    tou_schedule: str | None
    basic_charge_basis: str
    tou_source: str
    tou_float: tuple[str, ...]
    tou_float_source: str


def _tariff_defaults(v: _Values, sc: Scenario, prov: tables.Province, prov_src: str) -> _TariffDefaults:
    """Defaults of the tariff fields: the tariff file (the scenario's, or the province's built-in), else provinces.csv."""
    ta = sc.tariff
    tf: dict[str, tables.TariffField] | None = None
    label = ""
    try:
        if ta.file is not None:
            tf, label = tables.read_tariff_file(ta.file), f"tariff file {ta.file}"
        elif ta.name is not None or prov.province in tables.tariff_names():
            name = ta.name or prov.province
            tf, label = tables.tariff(name), f"tariffs.csv tariff {name}"
    except DataTableError as exc:
        v.errors.append(ScenarioError("tariff.file", ta.file, str(exc)))

    defaults: dict[str, Value | None] = {}
    if tf is not None:
        for fname, (kind, _) in tables.TARIFF_FIELDS.items():
            if kind != "number":
                continue
            f = tf[fname]
            if f.value is None:
                defaults[fname] = Value(0.0, f.unit, f"{label}, {fname} {NOT_KNOWN}: {f.source}", "assumption", f.date)
            else:
                flag = ", ILLUSTRATIVE" if f.illustrative else ""
                defaults[fname] = Value(float(f.value), f.unit, f"{label}, {fname} (dated {f.date}{flag}): {f.source}",
                                        f.confidence, f.date)
        fl = tf["tou_float_components"]
        return _TariffDefaults(defaults, str(tf["tou_schedule"].value), str(tf["basic_charge_basis"].value),
                               f"{label}: {tf['tou_schedule'].source}",
                               tables.parse_float_components(str(fl.value), label),
                               f"{label}, tou_float_components (dated {fl.date}, {fl.confidence}): {fl.source}")
    # no tariff file for this province: the provinces.csv row, no basic charge
    bench = None if prov.coal_benchmark_yuan_per_mwh is None else Value(
        prov.coal_benchmark_yuan_per_mwh, "yuan/MWh", f"coal benchmark price, {prov_src}", prov.confidence)
    defaults["energy_price_yuan_per_mwh"] = bench
    defaults["export_price_yuan_per_mwh"] = bench
    for fname, col, unit in (("td_energy_yuan_per_mwh", prov.td_energy_110kv_yuan_per_mwh, "yuan/MWh"),
                             ("funds_yuan_per_mwh", prov.funds_yuan_per_mwh, "yuan/MWh"),
                             ("system_operation_yuan_per_mwh", prov.system_operation_yuan_per_mwh, "yuan/MWh"),
                             ("line_loss_rate_frac", prov.line_loss_rate_frac, "1")):
        defaults[fname] = (Value(0.0, unit, f"{NOT_KNOWN} (not in provinces.csv); {prov_src}", "assumption")
                           if col is None else Value(col, unit, prov_src, prov.confidence))
    no_file = f"province {prov.province} has no tariff file in tariffs.csv: counted as 0"
    defaults["capacity_charge_yuan_per_kva_month"] = Value(0.0, "yuan/(kVA month)", no_file, "assumption")
    defaults["demand_charge_yuan_per_kw_month"] = Value(0.0, "yuan/(kW month)", no_file, "assumption")
    defaults["capacity_compensation_yuan_per_mwh"] = Value(0.0, "yuan/MWh", no_file, "assumption")
    defaults["average_load_rate_frac"] = Value(
        0.75, "1", "1192号 average load rate NOT FOUND; 0.75 is the worked example of "
        "tariffs-resources-loads.md §2.3", "assumption")
    return _TariffDefaults(defaults, prov.tou_schedule, "capacity", prov_src, ("energy",),
                           f"province {prov.province} has no tariff file in tariffs.csv: the TOU multiplier acts on "
                           "the energy price only (assumption)")


def _tariff(v: _Values, sc: Scenario, prov: tables.Province, prov_src: str) -> _TariffChoice:
    """Energy and export prices, per-MWh components, monthly charges and what the fee regime makes each energy bear."""
    ta = sc.tariff
    regime = tables.fee_regime(ta.fee_regime)
    d = _tariff_defaults(v, sc, prov, prov_src)
    defaults = d.numbers
    tou = ta.tou_schedule or d.tou_schedule
    if tou is None:
        v.errors.append(ScenarioError(
            "tariff.tou_schedule", None,
            f"must be set: province {prov.province} has no TOU schedule in the data; "
            f"valid: {', '.join(tables.tou_schedule_names())}",
        ))
        tou = "flat"
    tou_source = FROM_SCENARIO if ta.tou_schedule else d.tou_source
    basic_basis = ta.basic_charge_basis or d.basic_charge_basis
    v.put("energy_price_yuan_per_mwh", ta.energy_price_yuan_per_mwh, defaults.get("energy_price_yuan_per_mwh"),
          "tariff.energy_price_yuan_per_mwh", "no energy price for this province")
    if not ta.export_paid:
        v.values["export_price_yuan_per_mwh"] = Value(0.0, "yuan/MWh", "tariff.export_paid = false: no remuneration")
    elif ta.export_price_csv is None:
        v.put("export_price_yuan_per_mwh", ta.export_price_yuan_per_mwh, defaults.get("export_price_yuan_per_mwh"),
              "tariff.export_price_yuan_per_mwh", "no export price for this province")
    lump = ta.adders_yuan_per_mwh
    for fname in ("td_energy_yuan_per_mwh", "funds_yuan_per_mwh", "system_operation_yuan_per_mwh",
                  "line_loss_rate_frac", "capacity_compensation_yuan_per_mwh"):
        given = getattr(ta, fname)
        if lump is not None:  # the lump is the T&D energy rate; the other components are 0
            given = lump if fname == "td_energy_yuan_per_mwh" else 0.0
        v.put(fname, given, defaults.get(fname), f"tariff.{fname}", "")
    for fname in ("capacity_charge_yuan_per_kva_month", "demand_charge_yuan_per_kw_month", "average_load_rate_frac"):
        v.put(fname, getattr(ta, fname), defaults.get(fname), f"tariff.{fname}", "")
    tou_float, tou_float_src = _tou_float(ta, d)
    values = v.values
    if "energy_price_yuan_per_mwh" in values and "line_loss_rate_frac" in values:
        # generation-side line loss: the energy bought to cover the losses of delivering 1 MWh,
        # energy price x r / (1 - r) (526号: '按实际购电上网电价和综合线损率计算'; the / (1 - r) form is recalled)
        e, r = values["energy_price_yuan_per_mwh"], values["line_loss_rate_frac"]
        values["line_loss_yuan_per_mwh"] = Value(
            e.value * r.value / (1.0 - r.value), "yuan/MWh",
            f"energy price {e.value:g} yuan/MWh x line-loss rate {r.value:g} / (1 - {r.value:g}); energy price: "
            f"{e.source}; rate: {r.source}; the / (1 - rate) form is recalled",
            tables.weakest(_level(e), _level(r), "recalled"), max(e.date, r.date))
    names = [f"{c}_yuan_per_mwh" for c in tables.PER_MWH_COMPONENTS]
    if all(k in values for k in names):
        reg_src = f"fee_regimes.csv row {regime.regime}: {regime.source}"
        comp = {c: values[f"{c}_yuan_per_mwh"].value for c in tables.PER_MWH_COMPONENTS}
        fl = regime.flags
        level = {c: _level(values[f"{c}_yuan_per_mwh"]) for c in tables.PER_MWH_COMPONENTS}
        on_import = [c for c in tables.PER_MWH_COMPONENTS if fl[f"import_{c}"]]
        on_self_use = [c for c in tables.PER_MWH_COMPONENTS if fl[f"self_use_{c}"]]
        values["adders_yuan_per_mwh"] = Value(sum(comp.values()), "yuan/MWh",
                                              "T&D energy rate + funds + system-operation fee + line loss + capacity "
                                              "compensation, at their flat values",
                                              tables.weakest("derived", *level.values()))
        values["import_adders_yuan_per_mwh"] = Value(
            sum(comp[c] for c in on_import), "yuan/MWh",
            f"per-MWh components that grid-drawn energy bears under {reg_src}, at their flat values",
            tables.weakest(regime.confidence, *(level[c] for c in on_import)), regime.date)
        fee = Value(sum(comp[c] for c in on_self_use), "yuan/MWh",
                    f"per-MWh components that self-used energy bears under {reg_src}",
                    tables.weakest(regime.confidence, *(level[c] for c in on_self_use)), regime.date)
        v.put("self_use_fee_yuan_per_mwh", ta.self_use_fee_yuan_per_mwh, fee, "tariff.self_use_fee_yuan_per_mwh", "")
    not_known = tuple(f for f, d in defaults.items() if d is not None and NOT_KNOWN in d.source and values.get(f) is d)
    return _TariffChoice(tou or "flat", tou_source, basic_basis, regime, tou_float, tou_float_src, not_known)


def _level(value: Value) -> str:
    """Return a value's confidence as a level of the tables (a scenario's own number counts as an assumption)."""
    return value.confidence if value.confidence in tables.CONFIDENCE_LEVELS else "assumption"


def _tou_float(ta: Tariff, d: _TariffDefaults) -> tuple[tuple[str, ...], str]:
    """Return the components the TOU multiplier acts on, and where that came from."""
    if ta.energy_price_csv is not None:
        return ("energy",), ("tariff.energy_price_csv: the hourly series replaces energy price x TOU multiplier; every "
                             "other component is added at its flat value")
    if ta.tou_float_components is not None:
        return tuple(ta.tou_float_components), FROM_SCENARIO
    return d.tou_float, d.tou_float_source


def _emissions(v: _Values, sc: Scenario, prov: tables.Province) -> None:
    """The avoided-CO2 factor and the user's account factor on their bases, the coal rate, carbon-market figures."""
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
            if "emission_factor_t_co2_per_mwh" in v.values:  # same basis: the same number, wherever it came from
                v.values[name] = v.values["emission_factor_t_co2_per_mwh"]
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
                v.errors.append(ScenarioError("emissions.factor_year", em.factor_year,
                                              f"{exc}; or set emissions.{given_field}"))
                continue
        v.put(name, given, factor, f"emissions.{given_field}", why)
    coal: Value | None = None
    if em.coal_rate_g_ce_per_kwh is None:
        try:
            coal = _from_table(tables.coal_rate(em.coal_rate_year))
        except DataTableError as exc:
            v.errors.append(ScenarioError("emissions.coal_rate_year", em.coal_rate_year,
                                          f"{exc}; or set emissions.coal_rate_g_ce_per_kwh"))
    if coal is not None or em.coal_rate_g_ce_per_kwh is not None:
        v.put("coal_rate_g_ce_per_kwh", em.coal_rate_g_ce_per_kwh, coal, "emissions.coal_rate_g_ce_per_kwh", "")
    for name in ("eu_carbon_price_eur_per_t_co2", "exchange_rate_yuan_per_eur",
                 "china_carbon_price_paid_yuan_per_t_co2"):
        market = tables.carbon_market(name)
        v.put(name, getattr(em, name), Value(market.value, market.unit,
                                             f"carbon_market.csv row {name}: {market.source}", market.confidence,
                                             "" if market.year is None else str(market.year)),
              f"emissions.{name}", "")
    gec = tables.carbon_market("gec_mwh_per_certificate")
    v.values["gec_mwh_per_certificate"] = Value(gec.value, gec.unit, f"carbon_market.csv row gec_mwh_per_certificate: "
                                                f"{gec.source}", gec.confidence, str(gec.year or ""))


#: finance fields and the costs.csv item each defaults to
_FINANCE_ITEMS: tuple[tuple[str, str], ...] = (
    ("wind_capex_yuan_per_kw", "wind_capex_yuan_per_kw"),
    ("solar_capex_yuan_per_kw", "solar_capex_yuan_per_kw"),
    ("storage_capex_yuan_per_kwh", "storage_energy_capex_yuan_per_kwh"),
    ("line_capex_yuan_per_km", "line_capex_110kv_yuan_per_km"),
    ("wind_om_yuan_per_kw_year", "wind_om_yuan_per_kw_year"),
    ("solar_om_yuan_per_kw_year", "solar_om_yuan_per_kw_year"),
    ("storage_om_frac_per_year", "storage_om_frac_of_capex_per_year"),
    ("lifetime_years", "wind_lifetime_years"),
    ("discount_rate_frac", "discount_rate_frac"),
    ("storage_lifetime_years", "storage_lifetime_years"),
    ("storage_replacement_cost_frac", "storage_replacement_cost_frac"),
    ("tariff_escalation_frac_per_year", "tariff_escalation_frac_per_year"),
    ("pv_degradation_frac_per_year", "pv_degradation_frac_per_year"),
    ("battery_degradation_frac_per_year", "battery_degradation_frac_per_year"),
)


def _finance(v: _Values, sc: Scenario) -> None:
    """Capital and O&M costs, lifetimes, the discount rate, escalation and degradation: the scenario's or costs.csv's."""
    for name, item in _FINANCE_ITEMS:
        default = _from_table(tables.cost(item))
        v.put(name, getattr(sc.finance, name), Value(default.value, default.unit,
                                                     f"costs.csv row {item}: {default.source}", default.confidence,
                                                     default.date),
              f"finance.{name}", "")


def _sourced(s: tables.Sourced, where: str) -> Value:
    return Value(s.value, s.unit, f"{where}: {s.source}" + (f" ({s.note})" if s.note else ""), s.confidence)


def _flexible(v: _Values, sc: Scenario) -> None:
    """Costs and figures of the flexible elements a scenario has, and the green-hydrogen thresholds."""
    ely, h2, ev = sc.electrolyser, sc.hydrogen, sc.ev_fleet
    if ely is not None:
        cost = tables.cost("electrolyser_capex_yuan_per_kw")
        v.put("electrolyser_capex_yuan_per_kw", ely.capex_yuan_per_kw,
              _sourced(cost, "costs.csv row electrolyser_capex_yuan_per_kw"), "electrolyser.capex_yuan_per_kw", "")
        v.put("electrolyser_om_frac_per_year", ely.om_frac_per_year,
              _sourced(tables.flexible_default("electrolyser_om_frac_per_year"),
                       "hydrogen_defaults.csv row electrolyser_om_frac_per_year"), "electrolyser.om_frac_per_year", "")
        h = h2 if h2 is not None else Hydrogen()  # no [hydrogen] section: no store, no offtake
        for name, item in (("tank_capex_yuan_per_kg", "hydrogen_tank_capex_yuan_per_kg"),
                           ("tank_om_frac_per_year", "hydrogen_tank_om_frac_per_year"),
                           ("unmet_value_yuan_per_kg", "hydrogen_unmet_value_yuan_per_kg")):
            v.put(f"hydrogen_{name}", getattr(h, name),
                  _sourced(tables.flexible_default(item), f"hydrogen_defaults.csv row {item}"), f"hydrogen.{name}", "")
        for std in ("tcab_0078_2020", "eu_rfnbo"):
            for item, row in tables.hydrogen_standard(std).items():
                v.values[f"{std}_{item}"] = _sourced(row, f"hydrogen_standards.csv row {std} {item}")
    if ev is not None:
        for name, item in (("charge_efficiency_frac", "ev_charge_efficiency_frac"),
                           ("degradation_cost_yuan_per_mwh", "ev_degradation_cost_yuan_per_mwh")):
            v.put(f"ev_{name}", getattr(ev, name),
                  _sourced(tables.flexible_default(item), f"hydrogen_defaults.csv row {item}"), f"ev_fleet.{name}", "")


def resolve(scenario: Scenario) -> Resolved:
    """Resolve a scenario's policy, tariff, emissions and finance numbers, one section at a time.

    Raises
    ------
    ScenarioErrors
        When a number is neither in the scenario nor in the data tables (e.g. the
        provincial emission factor of a province the tables do not cover); the message
        names the field to set (every such field at once).
    """
    sc = scenario
    prov = tables.province(sc.site.province)
    prov_src = f"provinces.csv row {prov.province}: {prov.source}"
    v = _Values()
    rule = _policy(v, sc)
    _export_cap(v, sc)
    tariff = _tariff(v, sc, prov, prov_src)
    _emissions(v, sc, prov)
    _finance(v, sc)
    _flexible(v, sc)
    if v.errors:
        raise ScenarioErrors(v.errors, source=sc.name)
    return Resolved(sc, v.values, tou_schedule=tariff.tou_schedule, tou_source=tariff.tou_source,
                    rule_description=rule.description, fee_regime=tariff.fee_regime,
                    self_use_metering=sc.policy.self_use_metering or rule.self_use_metering,
                    basic_charge_basis=tariff.basic_charge_basis, products=product_table(sc.products),
                    tou_float=tariff.tou_float, tou_float_source=tariff.tou_float_source,
                    not_known=tariff.not_known)
