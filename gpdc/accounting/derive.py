"""Kernel totals -> every result variable of a design: the one accounting step of runs, sweeps, sizing and the LP.

:func:`evaluate` dispatches designs of a :class:`gpdc.pipeline.Prepared` scenario and derives
their variables; :func:`derive` does the derivation alone, for totals that come from elsewhere
(the LP reference).  Some variables need the same design dispatched otherwise too — with grid
charging and peak shaving off (what arbitrage costs the green share), and every year of its
life with PV and battery degradation.  :func:`variants` says which; :func:`evaluate` runs them
with the designs themselves in **one** kernel call (a design's totals do not depend on the
batch it runs in), so the accounting never re-enters the kernel.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import numpy as np

from gpdc.accounting import costs as costs_
from gpdc.accounting import emissions as emissions_
from gpdc.accounting.energy import energy_totals, share
from gpdc.accounting.flexible import flexible_costs, flexible_energy, hydrogen_accounts
from gpdc.accounting.policy import policy_metrics
from gpdc.accounting.tariffs import tariff_charges
from gpdc.kernels import layout as L
from gpdc.kernels.spec import totals_dict
from gpdc.pipeline import Design, KernelInputs, Prepared, design_params, lifetime_params, run_totals
from gpdc.profiles.factors import HourlyFactors


def period_years(year: int, inputs: KernelInputs) -> float:
    """Return the simulated time as a share of the calendar year ``year`` [a]."""
    return inputs.n_hours * inputs.dt_h / (8784.0 if calendar.isleap(year) else 8760.0)


@dataclass(frozen=True)
class Variants:
    """Extra dispatches a set of designs needs, as parameter columns to run after the designs' own.

    ``green_first`` holds the designs (indices) that charge from the grid or shave peaks, run
    again with both off; ``lifetime`` holds every design in every year of its life
    (``n_years`` columns each, year 1 first) where PV or the battery degrades, else None.
    """

    green_first: np.ndarray
    green_first_params: np.ndarray
    n_years: int
    lifetime_params: np.ndarray | None

    @property
    def params(self) -> np.ndarray:
        """All extra columns, float64[N_PARAMS, k]: green-first ones, then lifetime ones."""
        blocks = [self.green_first_params]
        if self.lifetime_params is not None:
            blocks.append(self.lifetime_params)
        return np.ascontiguousarray(np.concatenate(blocks, axis=1))

    def split(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """The totals of the extra columns as (green-first, lifetime)."""
        k = self.green_first_params.shape[1]
        return raw[:k], (raw[k:] if self.lifetime_params is not None else None)


def variants(design: Design, inputs: KernelInputs) -> Variants:
    """Return the extra dispatches :func:`derive` needs for these designs (``inputs.params`` are theirs)."""
    p = inputs.params
    gc = np.flatnonzero((p[L.P_GRID_CHARGE] > 0.5) | (p[L.P_IMPORT_TARGET_MW] > 0.0))
    green_first = np.ascontiguousarray(p[:, gc])
    green_first[L.P_GRID_CHARGE] = 0.0
    green_first[L.P_IMPORT_TARGET_MW] = 0.0
    pv = design.value("pv_degradation_frac_per_year")
    bat = design.value("battery_degradation_frac_per_year")
    if not (np.any(pv > 0.0) or np.any(bat > 0.0)):
        return Variants(gc, green_first, 0, None)
    n_years = int(costs_.project_years(design.value("lifetime_years")).max())
    life = lifetime_params(p, n_years, pv, bat, design.value("storage_lifetime_years"))
    return Variants(gc, green_first, n_years, life)


def _green_first_comparison(raw: dict[str, np.ndarray], energy: dict[str, np.ndarray],
                            policy: dict[str, np.ndarray], green_first: np.ndarray,
                            green_first_raw: np.ndarray) -> dict[str, np.ndarray]:
    """The green share each design would reach under green-first, and what arbitrage costs it."""
    self_used = raw["direct_mwh"] + raw["discharge_green_mwh"]
    if green_first.size:
        again = totals_dict(green_first_raw)
        self_used = self_used.copy()
        self_used[green_first] = again["direct_mwh"] + again["discharge_green_mwh"]
    gf_share = share(self_used, energy["load_mwh"])
    return {"green_share_of_load_green_first": gf_share,
            "arbitrage_green_share_cost": gf_share - policy["green_share_of_load"]}


def _lifetime_bills(design: Design, inputs: KernelInputs, var: Variants,
                    lifetime_raw: np.ndarray | None) -> dict[str, np.ndarray] | None:
    """Each year's bill, self-used energy, plant output after curtailment and fees − export revenue, each [n, N_max].

    Over the simulated period; the dispatch re-run for every year of the life with degradation.
    """
    if lifetime_raw is None or var.lifetime_params is None:
        return None
    n_years = var.n_years
    per = inputs.with_params(var.lifetime_params)
    lifetime_totals = totals_dict(lifetime_raw)
    energy = energy_totals(per, lifetime_raw, lifetime_totals)
    rep = Design(design.resolved, {k: np.repeat(v, n_years) for k, v in design.columns.items()})
    charges = tariff_charges(rep, per, energy, lifetime_totals["peak_import_month_mw"])
    fees = energy["self_used_mwh"] * np.repeat(design.value("self_use_fee_yuan_per_mwh"), n_years)
    bill = (energy["import_cost_yuan"] + energy["unserved_cost_yuan"] + charges["basic_charge_yuan"]
            + charges["capacity_td_fee_yuan"] + fees - energy["export_revenue_yuan"])
    if design.resolved.scenario.has_flexible:  # what unmet flexible demand and V2G wear cost, year by year
        fx = flexible_energy(rep, per, lifetime_raw)
        bill = bill + flexible_costs(rep, per, {**energy, **fx}, np.zeros(per.n_scen),
                                     1.0)["flexible_penalty_cost_yuan"]
    shape = (inputs.n_scen, n_years)
    plant = energy["direct_mwh"] + energy["charge_green_mwh"] + energy["export_mwh"]
    return {"bill_yuan": bill.reshape(shape), "self_used_mwh": energy["self_used_mwh"].reshape(shape),
            "plant_output_mwh": plant.reshape(shape),
            "fees_minus_export_yuan": (fees - energy["export_revenue_yuan"]).reshape(shape)}


def derive(
    design: Design,
    inputs: KernelInputs,
    raw: np.ndarray,
    var: Variants,
    variants_raw: np.ndarray,
    *,
    hourly: HourlyFactors | None = None,
    cash_flows: bool = False,
) -> dict[str, np.ndarray]:
    """Energy, policy, bills, finance and emissions of every design, each [n] (per product [n, k]).

    Parameters
    ----------
    design : Design
        The designs (their scenario fields).
    inputs : KernelInputs
        The hourly inputs, ``params`` the designs' own.
    raw : float64[n, N_TOTALS]
        The designs' kernel totals (or the LP's, reduced from its flows).
    var, variants_raw
        :func:`variants` of the designs and the kernel totals of ``var.params``.
    hourly : HourlyFactors, optional
        The hourly grid factor series: the user's accounts then weight imports (the kernels'
        ``import_co2_t``) and load by it instead of a flat factor.
    cash_flows : bool
        Also return the year-by-year cash flow of every design, the variables of
        :data:`gpdc.results.registry.CASH_FLOW_VARIABLES`, each [n, N_max + 1] over project years
        0 .. N_max (a run keeps them; a sweep does not, they would multiply its file by the years).
    """
    resolved = design.resolved
    sc = resolved.scenario
    years = period_years(sc.profiles.year, inputs)
    totals = totals_dict(raw)
    green_first_raw, lifetime_raw = var.split(variants_raw)
    energy = energy_totals(inputs, raw, totals)
    flexible = sc.has_flexible
    if flexible:  # the flexible elements' totals; the shares count their consumption (docs/flexible.md)
        energy.update(flexible_energy(design, inputs, raw))
    counted = {**energy, "load_mwh": energy["consumption_mwh"]} if flexible else energy
    policy = policy_metrics(counted, design.value("min_self_use_frac"), design.value("min_green_share_of_load_frac"),
                            design.value("max_export_frac"), self_use_metering=resolved.self_use_metering,
                            line_loss_frac=inputs.params[L.P_LINE_LOSS_FRAC])
    policy.update(_green_first_comparison(totals, counted, policy, var.green_first, green_first_raw))
    charges = tariff_charges(design, inputs, energy, totals["peak_import_month_mw"])
    baseline = charges["baseline_energy_cost_yuan"] + charges["baseline_basic_charge_yuan"]
    fixed = charges["basic_charge_yuan"] + charges["capacity_td_fee_yuan"]
    cost = costs_.costs(
        energy=counted,
        baseline_cost_yuan=baseline,
        fixed_charges_yuan=fixed,
        wind_mw=design.number("wind.capacity_mw"),
        solar_mw=design.number("solar.capacity_mw"),
        storage_mwh=design.number("storage.energy_mwh"),
        storage_mw=design.number("storage.power_mw"),
        line_km=design.number("line.length_km"),
        storage_power_capex_yuan_per_kw=design.number("finance.storage_power_capex_yuan_per_kw"),
        line_bays_capex_yuan=design.number("finance.line_bays_capex_yuan"),
        grid_connection_capex_yuan=design.number("finance.grid_connection_capex_yuan"),
        **{k: design.value(k) for k in (
            "wind_capex_yuan_per_kw", "solar_capex_yuan_per_kw", "storage_capex_yuan_per_kwh",
            "line_capex_yuan_per_km", "wind_om_yuan_per_kw_year", "solar_om_yuan_per_kw_year",
            "storage_om_frac_per_year", "lifetime_years", "discount_rate_frac", "self_use_fee_yuan_per_mwh",
        )},
        period_years=years,
    )
    flexible_capex = flexible_om = np.zeros_like(cost["capex_yuan"])
    if flexible:  # the elements' capital, O&M and penalty costs; their baseline (docs/flexible.md)
        crf = costs_.capital_recovery_factor(design.value("discount_rate_frac"), design.value("lifetime_years"))
        fx = flexible_costs(design, inputs, energy, crf, years)
        flexible_capex = fx.pop("flexible_capex_yuan")
        cost["capex_yuan"] = cost["capex_yuan"] + flexible_capex
        cost["annualised_capex_yuan"] = cost["annualised_capex_yuan"] + fx["flexible_annualised_capex_yuan"]
        cost["om_cost_yuan"] = cost["om_cost_yuan"] + fx["flexible_om_cost_yuan"]
        cost["project_cost_yuan"] = (cost["project_cost_yuan"] + fx["flexible_annualised_capex_yuan"]
                                     + fx["flexible_om_cost_yuan"] + fx["flexible_penalty_cost_yuan"])
        cost["baseline_cost_yuan"] = cost["baseline_cost_yuan"] + fx["baseline_flexible_yuan"]
        cost["savings_yuan"] = cost["baseline_cost_yuan"] - cost["project_cost_yuan"]
        cost["savings_yuan_per_mwh"] = share(cost["savings_yuan"], counted["load_mwh"])
        flexible_om = fx["flexible_om_cost_yuan"]
        cost.update(fx)
        fixed = fixed + fx["flexible_penalty_cost_yuan"]  # billed every year like the monthly charges
    life, flows = costs_.lifetime_finance(
        cost=cost, energy=counted, fixed_charges_yuan=fixed, period_years=years,
        per_year=_lifetime_bills(design, inputs, var, lifetime_raw),
        other_capex_yuan=flexible_capex, other_om_yuan=flexible_om, parts=cash_flows, flows=cash_flows,
        **{k: design.value(k) for k in ("lifetime_years", "discount_rate_frac", "tariff_escalation_frac_per_year",
                                        "storage_lifetime_years", "storage_replacement_cost_frac")},
    )
    life["final_year_green_share_of_load"] = share(life["final_year_self_used_mwh"] * years, counted["load_mwh"])
    cost.update(life)
    import_co2 = load_co2 = None
    if hourly is not None:
        import_co2 = totals["import_co2_t"]
        load_co2 = emissions_.hourly_weighted_co2_t(inputs.load_mw * inputs.dt_h, hourly.factor_t_co2_per_mwh)
        if flexible:  # the flexible consumption at the mean factor (no hourly trace of it here)
            load_co2 = load_co2 + energy["flexible_consumption_mwh"] * hourly.mean_t_co2_per_mwh
    em = emissions_.emissions(
        counted, resolved["emission_factor_t_co2_per_mwh"], resolved["coal_rate_g_ce_per_kwh"],
        account_factor_t_co2_per_mwh=resolved["account_factor_t_co2_per_mwh"],
        count_export=sc.emissions.count_export_in_avoided,
        import_co2_t=import_co2, load_co2_t=load_co2,
        gec_mwh_per_certificate=resolved["gec_mwh_per_certificate"],
    )
    products = resolved.products
    if len(products):
        em.update(emissions_.product_accounts(
            em, products, resolved["eu_carbon_price_eur_per_t_co2"], resolved["exchange_rate_yuan_per_eur"],
            resolved["china_carbon_price_paid_yuan_per_t_co2"]))
        em.update(costs_.product_costs(cost, energy, products.electricity_kwh_per_t))
    if sc.electrolyser is not None:
        em.update(hydrogen_accounts(design, inputs, raw, energy, cost, hourly))
    out = {**energy, **policy, **charges, **cost, **em}
    if cash_flows:
        out.update(by_year(flows, design.value("discount_rate_frac")))
    return out


def by_year(flows: dict[str, np.ndarray], discount_rate_frac: np.ndarray) -> dict[str, np.ndarray]:
    """The cash-flow variables by project year from :func:`gpdc.accounting.costs.lifetime_finance`'s flows.

    Each [n, N_max + 1] [yuan or MWh]; ``cash_flow_discounted_yuan`` is CF_y / (1 + r)^y, so that
    its sum over the years is ``npv_yuan``.
    """
    from gpdc.accounting.finance import discount_factors

    cf = flows["cash_flow_yuan"]
    factors = discount_factors(np.broadcast_to(np.asarray(discount_rate_frac, dtype=np.float64), (cf.shape[0],)),
                               cf.shape[1] - 1)
    return {
        "cash_flow_capex_yuan": flows["capex_yuan"],
        "cash_flow_bill_savings_yuan": flows["bill_savings_yuan"],
        "cash_flow_om_yuan": flows["om_yuan"],
        "cash_flow_replacement_yuan": flows["replacement_yuan"],
        "cash_flow_yuan": cf,
        "cash_flow_discounted_yuan": cf * factors,
        "cash_flow_self_used_mwh": flows["self_used_mwh"],
        "cash_flow_green_cost_yuan": flows["green_cost_yuan"],
        "cash_flow_plant_output_mwh": flows["plant_output_mwh"],
    }


@dataclass(frozen=True)
class Dispatched:
    """Designs of a prepared scenario through the kernel, with their :class:`Variants`: what is left is accounting.

    :func:`dispatch` makes one; :meth:`results` derives every result variable.  The two halves
    of :func:`evaluate`, apart so that a sweep can account one chunk while the kernel runs the
    next (:mod:`gpdc.sweeps.execute`).
    """

    prepared: Prepared
    design: Design
    inputs: KernelInputs
    variants: Variants
    raw: np.ndarray  # float64[n + extra columns, N_TOTALS]: the designs' totals, then their variants'

    def results(self, *, cash_flows: bool = False) -> dict[str, np.ndarray]:
        """Every result variable of the designs, each [n] (per product [n, k]); no kernel call."""
        n = self.inputs.n_scen
        return derive(self.design, self.inputs, self.raw[:n], self.variants, self.raw[n:],
                      hourly=self.prepared.hourly_factors, cash_flows=cash_flows)


def dispatch(prepared: Prepared, design: Design | None = None) -> Dispatched:
    """Dispatch designs of a prepared scenario and the variants they need, in one kernel call.

    ``design`` defaults to the scenario's own.
    """
    design = design if design is not None else prepared.design
    inputs = prepared.inputs.with_params(design_params(design))
    var = variants(design, inputs)
    raw_all = run_totals(inputs.with_params(np.concatenate([inputs.params, var.params], axis=1)))
    return Dispatched(prepared, design, inputs, var, raw_all)


def evaluate(prepared: Prepared, design: Design | None = None, *, cash_flows: bool = False) -> dict[str, np.ndarray]:
    """Dispatch designs of a prepared scenario and derive every result variable, each [n] (per product [n, k]).

    ``design`` defaults to the scenario's own.  The designs and the :func:`variants` they
    need run in one kernel call.  ``cash_flows`` adds the year-by-year cash flow (see
    :func:`derive`).  The same as :func:`dispatch` then :meth:`Dispatched.results`.
    """
    return dispatch(prepared, design).results(cash_flows=cash_flows)
