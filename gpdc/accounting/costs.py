"""The user's cost with the project and its life-cycle finance, vectorised over designs.

Baseline: everything bought from the grid on the ordinary two-part tariff (energy at the
hourly price, every per-MWh component, the basic capacity or demand charge).  With the project:
the import bill, plus the monthly charges (basic capacity/demand charge, the 1192号 capacity
fee), plus the fees self-used green energy bears under the fee regime, minus
export revenue, plus the project's annualised capital cost and its O&M — plus the unserved
load valued at the hour's import price, so that a design that cannot serve its load never
looks cheaper than the grid-only baseline for it.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def capital_recovery_factor(rate_frac: float | np.ndarray, lifetime_years: float | np.ndarray) -> np.ndarray:
    """Return the capital recovery factor r(1+r)^n / ((1+r)^n − 1) [1/a] (1/n when r = 0).

    Examples
    --------
    >>> round(float(capital_recovery_factor(0.06, 20)), 6)
    0.087185
    >>> float(capital_recovery_factor(1e-17, 20))  # the 1/n limit, not an overflow
    0.05
    """
    r = np.asarray(rate_frac, dtype=np.float64)
    n = np.asarray(lifetime_years, dtype=np.float64)
    safe_r = np.where(r > 0.0, r, 1.0)
    g = np.expm1(n * np.log1p(safe_r))  # (1+r)^n - 1 without cancellation for tiny r
    return np.where(r > 0.0, safe_r * (g + 1.0) / g, 1.0 / n)


def costs(
    *,
    energy: dict[str, np.ndarray],
    baseline_cost_yuan: float | np.ndarray,
    wind_mw: np.ndarray,
    solar_mw: np.ndarray,
    storage_mwh: np.ndarray,
    line_km: np.ndarray,
    wind_capex_yuan_per_kw: float | np.ndarray,
    solar_capex_yuan_per_kw: float | np.ndarray,
    storage_capex_yuan_per_kwh: float | np.ndarray,
    line_capex_yuan_per_km: float | np.ndarray,
    wind_om_yuan_per_kw_year: float | np.ndarray,
    solar_om_yuan_per_kw_year: float | np.ndarray,
    storage_om_frac_per_year: float | np.ndarray,
    lifetime_years: float | np.ndarray,
    discount_rate_frac: float | np.ndarray,
    self_use_fee_yuan_per_mwh: float | np.ndarray,
    period_years: float = 1.0,
    fixed_charges_yuan: float | np.ndarray = 0.0,
    storage_mw: float | np.ndarray = 0.0,
    storage_power_capex_yuan_per_kw: float | np.ndarray = 0.0,
    line_bays_capex_yuan: float | np.ndarray = 0.0,
    grid_connection_capex_yuan: float | np.ndarray = 0.0,
) -> dict[str, np.ndarray]:
    """Return the cost variables of each scenario over the simulated period [yuan, yuan/MWh].

    Capital and O&M costs are annual; for a period shorter than a year they are prorated by
    ``period_years`` (simulated hours / hours in the year), so that all cost terms cover
    the same time.  ``self_used_net_cost_yuan_per_mwh`` is the net cost of the self-used green
    power: annualised capex + O&M + fees on self-used energy − export revenue, per MWh used on
    site (called LCOE before; the LCOE by the standard definition is computed by
    :func:`lifetime_finance`).  ``project_cost_yuan`` and ``baseline_cost_yuan`` here are the first
    year's; :func:`lifetime_finance` levelises them.
    """
    kw = 1000.0
    n = np.shape(energy["import_mwh"])
    capex_wind = np.broadcast_to(wind_mw * kw * wind_capex_yuan_per_kw, n)
    capex_solar = np.broadcast_to(solar_mw * kw * solar_capex_yuan_per_kw, n)
    capex_storage = np.broadcast_to(storage_mwh * kw * storage_capex_yuan_per_kwh
                                    + np.asarray(storage_mw) * kw * storage_power_capex_yuan_per_kw, n)
    capex_line = np.broadcast_to(line_km * line_capex_yuan_per_km + np.asarray(line_bays_capex_yuan), n)
    capex_grid = np.broadcast_to(np.asarray(grid_connection_capex_yuan, dtype=np.float64), n)
    capex = capex_wind + capex_solar + capex_storage + capex_line + capex_grid
    crf = capital_recovery_factor(discount_rate_frac, lifetime_years)
    annual_capex = capex * crf * period_years
    om = period_years * (
        wind_mw * kw * wind_om_yuan_per_kw_year
        + solar_mw * kw * solar_om_yuan_per_kw_year
        + storage_mwh * kw * storage_capex_yuan_per_kwh * storage_om_frac_per_year
    )
    fees = energy["self_used_mwh"] * self_use_fee_yuan_per_mwh
    import_cost = energy["import_cost_yuan"]
    export_revenue = energy["export_revenue_yuan"]
    project = (import_cost + energy["unserved_cost_yuan"] + fees + fixed_charges_yuan - export_revenue
               + annual_capex + om)
    baseline = np.broadcast_to(np.asarray(baseline_cost_yuan, dtype=np.float64), project.shape).copy()
    savings = baseline - project
    load = energy["load_mwh"]
    used = energy["self_used_mwh"]
    out = {
        "capex_yuan": capex,
        "capex_wind_yuan": capex_wind.astype(np.float64),
        "capex_solar_yuan": capex_solar.astype(np.float64),
        "capex_storage_yuan": capex_storage.astype(np.float64),
        "capex_line_yuan": capex_line.astype(np.float64),
        "capex_grid_connection_yuan": capex_grid.astype(np.float64),
        "annualised_capex_yuan": annual_capex,
        "om_cost_yuan": om,
        "self_use_fees_yuan": fees,
        "baseline_cost_yuan": baseline,
        "project_cost_yuan": project,
        "savings_yuan": savings,
    }
    out["savings_yuan_per_mwh"] = np.divide(savings, load, out=np.full_like(savings, np.nan), where=load > 0)
    net = annual_capex + om + fees - export_revenue
    out["self_used_net_cost_yuan_per_mwh"] = np.divide(net, used, out=np.full_like(used, np.nan), where=used > 0)
    return out


def product_costs(cost: dict[str, np.ndarray], energy: dict[str, np.ndarray],
                  electricity_kwh_per_t: np.ndarray) -> dict[str, np.ndarray]:
    """Return each product's electricity cost per tonne with and without the project, and the saving [yuan/t].

    The user's cost per MWh consumed (``project_cost / load``, ``baseline_cost / load``) times
    the product's electricity per tonne: every MWh of the site costs the same, whichever product
    uses it.  Each entry has shape (n_scen, n_products); NaN where the load is 0.
    """
    load = np.asarray(energy["load_mwh"], dtype=np.float64)[:, None]
    mwh_per_t = np.asarray(electricity_kwh_per_t, dtype=np.float64)[None, :] / 1000.0
    ok = load > 0.0

    def per_t(total: np.ndarray) -> np.ndarray:
        per_mwh = np.divide(np.asarray(total, dtype=np.float64)[:, None], load, out=np.full_like(load, np.nan),
                            where=ok)
        return per_mwh * mwh_per_t

    with_project = per_t(cost["project_cost_yuan"])
    baseline = per_t(cost["baseline_cost_yuan"])
    return {"product_electricity_cost_yuan_per_t": with_project,
            "product_electricity_cost_baseline_yuan_per_t": baseline,
            "product_electricity_saving_yuan_per_t": baseline - with_project}


def project_years(lifetime_years: np.ndarray) -> np.ndarray:
    """Return the whole years of the cash flow, round(lifetime) half up, at least 1 [a]."""
    return np.maximum(np.floor(np.asarray(lifetime_years, dtype=np.float64) + 0.5).astype(np.int64), 1)


def lifetime_finance(
    *,
    cost: dict[str, np.ndarray],
    energy: dict[str, np.ndarray],
    fixed_charges_yuan: np.ndarray,
    period_years: float,
    lifetime_years: np.ndarray,
    discount_rate_frac: np.ndarray,
    tariff_escalation_frac_per_year: np.ndarray,
    storage_lifetime_years: np.ndarray,
    storage_replacement_cost_frac: np.ndarray,
    per_year: dict[str, np.ndarray] | None = None,
    other_capex_yuan: np.ndarray | None = None,
    other_om_yuan: np.ndarray | None = None,
    parts: bool = True,
    flows: bool = True,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Return the year-by-year cash flow against the grid-only baseline and its NPV, IRR, payback and LCOE.

    Year 0: ``−capex``.  Year y = 1 .. N (N = round(lifetime), half up), with the simulated
    period scaled to a year (÷ ``period_years``) and every price escalated by
    ``(1 + g)^(y−1)``:

    ``CF_y = (baseline − bill)·(1+g)^(y−1) − O&M − replacement_y``

    where ``bill`` = import + unserved load + monthly charges + fees on self-used energy −
    export revenue, and ``replacement_y`` = initial storage capex × replacement share in the
    years y = k·round(storage_lifetime) < N.  The net cost of the self-used green power
    (``lifetime_self_used_net_cost_yuan_per_mwh``) discounts ``capex + O&M + replacement +
    (fees − export revenue)·(1+g)^(y−1)`` over the self-used energy.  With ``per_year`` (``bill_yuan``, ``self_used_mwh``, ``fees_minus_export_yuan``,
    each [n, N_max] over the simulated period: the dispatch re-run for every year with
    degradation), year y uses its own values instead of the first year's.  Returns (scalars
    per design, flows each [n, N_max + 1], years 0 .. N_max): ``cash_flow_yuan`` (CF_y),
    ``green_cost_yuan`` and ``self_used_mwh`` (the net cost's numerator and denominator),
    ``plant_output_mwh`` (the LCOE's energy), and the
    parts of CF_y — ``capex_yuan`` (year 0), ``bill_savings_yuan`` ((baseline − bill)·(1+g)^(y−1)),
    ``om_yuan`` and ``replacement_yuan``, each ≥ 0 as spent or saved; 0 past a design's life.

    **One cost model.**  ``project_cost_yuan`` is the equivalent annual cost (EAC) of the very
    cost flow whose difference from the baseline flow is CF_y — ``capex`` in year 0, then
    ``bill·(1+g)^(y−1) + O&M + replacement_y`` — so that EAC = NPV(costs) · CRF(r, N), per
    simulated period (× ``period_years``); ``baseline_cost_yuan`` likewise of
    ``baseline·(1+g)^(y−1)``, and ``savings_yuan`` = their difference = NPV · CRF.  They are
    computed as the first year's value (``cost``) plus the levelised difference of each year
    from it (``levelised_adjustment_yuan``, ``baseline_levelised_adjustment_yuan``): escalation,
    degradation and storage replacements; 0, and the first year's value exactly, without them.

    **LCOE** (``lcoe_yuan_per_mwh``), the standard definition (NREL, SAM): the discounted
    lifetime cost of the project (capex, O&M, storage replacements) over the discounted energy
    the plants deliver after curtailment — used directly, stored or exported, at the user's bus
    after line loss (SAM: the system's net output after curtailment) — each year's own with
    degradation.  ``other_capex_yuan`` and ``other_om_yuan`` (over the simulated period) are the
    parts of ``capex_yuan`` and ``om_cost_yuan`` that are not the plants' (the flexible elements:
    electrolyser, hydrogen store, fleet): in the cash flow, not in the LCOE.  The old quantity, the net cost of the
    self-used green power over the life, is ``lifetime_self_used_net_cost_yuan_per_mwh``.
    ``parts=False`` leaves the four parts of CF_y out of the flows; ``flows=False`` returns no
    flows at all (a sweep does not store them): with the compiled finance each design's flows are
    then built and reduced one design at a time (:func:`gpdc.accounting.finance_nb.lifetime_scalars`),
    the same values bit for bit in the memory of one flow instead of seven.

    The NPVs, IRR, payback and LCOEs run compiled (:mod:`gpdc.accounting.finance_nb`, bit-identical
    to :mod:`gpdc.accounting.finance`'s NumPy definitions); a rate or escalation shared by every
    design is raised to its powers once, not once per design (the same ``np.power`` per element).
    """
    from gpdc.accounting import finance

    a = 1.0 / period_years
    bill = (energy["import_cost_yuan"] + energy["unserved_cost_yuan"] + fixed_charges_yuan
            + cost["self_use_fees_yuan"] - energy["export_revenue_yuan"])
    gain = (cost["baseline_cost_yuan"] - bill) * a
    om = cost["om_cost_yuan"] * a
    green_var = (cost["self_use_fees_yuan"] - energy["export_revenue_yuan"]) * a
    life = project_years(lifetime_years)
    n_max = int(life.max())
    y = np.arange(1, n_max + 1, dtype=np.float64)
    used = (energy["self_used_mwh"] * a)[:, None]
    plant = ((energy["direct_mwh"] + energy["charge_green_mwh"] + energy["export_mwh"]) * a)[:, None]
    bill_y = (bill * a)[:, None]
    if per_year is not None:
        gain = (cost["baseline_cost_yuan"][:, None] - per_year["bill_yuan"]) * a
        green_var = per_year["fees_minus_export_yuan"] * a
        used = per_year["self_used_mwh"] * a
        plant = per_year["plant_output_mwh"] * a
        bill_y = per_year["bill_yuan"] * a
    else:
        gain = gain[:, None]
        green_var = green_var[:, None]
    esc = np.power(1.0 + _shared(tariff_escalation_frac_per_year)[:, None], y[None, :] - 1.0)
    step = np.maximum(np.floor(np.asarray(storage_lifetime_years, dtype=np.float64) + 0.5), 1.0)
    n = gain.shape[0]
    fin = finance_nb_or_numpy(n)
    capex = cost["capex_yuan"]
    not_plant_capex = 0.0 if other_capex_yuan is None else other_capex_yuan
    not_plant_om = 0.0 if other_om_yuan is None else other_om_yuan * a
    per_design = (n,)
    args = {"capex": _row(capex, per_design), "plant_capex": _row(capex - not_plant_capex, per_design),
            "om": _row(om, per_design), "plant_om": _row(om - not_plant_om, per_design),
            "rep": _row(cost["capex_storage_yuan"] * storage_replacement_cost_frac, per_design),
            "step": _row(step, per_design), "life": np.ascontiguousarray(np.broadcast_to(life, per_design)),
            "gain": _rows(gain, n), "green_var": _rows(green_var, n), "used": _rows(used, n),
            "plant": _rows(plant, n), "bill_y": _rows(bill_y, n), "bill_1": _row(bill * a, per_design),
            "base_1": _row(cost["baseline_cost_yuan"] * a, per_design), "esc": np.ascontiguousarray(esc)}
    last = np.take_along_axis(np.broadcast_to(used, (n, n_max)), (life - 1)[:, None], axis=1)[:, 0]
    rate = np.asarray(discount_rate_frac, dtype=np.float64)
    disc = np.ascontiguousarray(finance.discount_factors(_shared(rate), n_max).reshape(-1, n_max + 1))
    if disc.shape[0] not in (1, n):
        disc = np.ascontiguousarray(np.broadcast_to(disc, (n, n_max + 1)))
    out: dict[str, np.ndarray] = {}
    if not flows and isinstance(fin, _CompiledRows):  # a sweep: one design's flows at a time, only CF_y kept
        from gpdc.accounting import finance_nb as nb

        cf, values = nb.lifetime_scalars(*(args[k] for k in _FLOW_ARGS if k != "parts"), disc)
        # the rows of values in the order of finance_nb's S_* names
        (npv_cf, payback, npv_delta, npv_delta_base, lcoe_green, lcoe_plant, plant_sum, replacement_sum,
         green_sum) = values
    else:
        cf, green_cost, green_mwh, delta_cost, delta_base, plant_cost, plant_mwh, replacement, bill_savings, om_flow = (
            fin.flows(**args, parts=parts and flows))
        npv_cf, payback = fin.npv_rows(cf, disc), fin.payback_rows(cf, disc)
        npv_delta, npv_delta_base = fin.npv_rows(delta_cost, disc), fin.npv_rows(delta_base, disc)
        # LCOE: discounted project cost over discounted plant output after curtailment
        lcoe_green, lcoe_plant = fin.lcoe_rows(green_cost, green_mwh, disc), fin.lcoe_rows(plant_cost, plant_mwh, disc)
        plant_sum, replacement_sum, green_sum = plant_mwh.sum(axis=1), replacement.sum(axis=1), green_mwh.sum(axis=1)
        if flows:
            out = {"cash_flow_yuan": cf, "green_cost_yuan": green_cost, "self_used_mwh": green_mwh,
                   "plant_output_mwh": plant_mwh}
        if flows and parts:
            out.update({name: np.zeros((n, n_max + 1)) for name in ("capex_yuan", "replacement_yuan")})
            out["capex_yuan"][:, 0] = cost["capex_yuan"]
            out["bill_savings_yuan"] = bill_savings
            out["om_yuan"] = om_flow
            out["replacement_yuan"][:, 1:] = replacement
    # the equivalent annual cost: the first year's value + the levelised difference of the other years
    crf = np.broadcast_to(capital_recovery_factor(rate, life.astype(np.float64)), (n,))
    adjust = npv_delta * crf * period_years
    adjust_base = npv_delta_base * crf * period_years
    project_cost = cost["project_cost_yuan"] + adjust
    baseline_cost = cost["baseline_cost_yuan"] + adjust_base
    savings = baseline_cost - project_cost
    load = energy["load_mwh"]
    irr = np.asarray(fin.irr(cf), dtype=np.float64).reshape(n)
    scalars = {
        "npv_yuan": npv_cf,
        "irr_frac": irr,
        "has_irr": np.where(np.isnan(irr), 0.0, 1.0),
        "discounted_payback_years": payback,
        "lifetime_self_used_net_cost_yuan_per_mwh": lcoe_green,
        "lcoe_yuan_per_mwh": lcoe_plant,
        "lifetime_plant_output_mwh": plant_sum,
        "project_cost_yuan": project_cost,
        "baseline_cost_yuan": baseline_cost,
        "savings_yuan": savings,
        "savings_yuan_per_mwh": np.divide(savings, load, out=np.full_like(savings, np.nan), where=load > 0),
        "levelised_adjustment_yuan": adjust,
        "baseline_levelised_adjustment_yuan": adjust_base,
        "project_life_years": life.astype(np.float64),
        "storage_replacement_yuan": replacement_sum,
        "lifetime_self_used_mwh": green_sum,
        "final_year_self_used_mwh": last,
    }
    return scalars, out


#: designs from which lifetime_finance runs the compiled finance; fewer (gpdc run, a few designs) run the
#: NumPy definitions, the same numbers bit for bit, without loading compiled code (~0.1-1 s of CPU once)
COMPILED_FROM_DESIGNS = 256


def _row(x: float | np.ndarray, shape: tuple[int]) -> np.ndarray:
    """``x`` as a contiguous float64 array of ``shape`` (one value per design)."""
    return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=np.float64), shape))


def _rows(x: np.ndarray, n: int) -> np.ndarray:
    """``x`` [n or 1, k] as a contiguous float64 array [n, k]."""
    x = np.asarray(x, dtype=np.float64)
    return np.ascontiguousarray(np.broadcast_to(x, (n, x.shape[1])))


def flows_numpy(*, capex: np.ndarray, plant_capex: np.ndarray, om: np.ndarray, plant_om: np.ndarray,
                rep: np.ndarray, step: np.ndarray, life: np.ndarray, gain: np.ndarray, green_var: np.ndarray,
                used: np.ndarray, plant: np.ndarray, bill_y: np.ndarray, bill_1: np.ndarray, base_1: np.ndarray,
                esc: np.ndarray, parts: bool) -> tuple[np.ndarray, ...]:
    """Return the year-by-year flows of :func:`lifetime_finance`, the NumPy definition.

    :func:`gpdc.accounting.finance_nb.lifetime_flows` (the same arguments, its docstring says
    which) computes the same values bit for bit in one compiled pass per design.
    """
    n, n_max = capex.shape[0], esc.shape[1]
    y = np.arange(1, n_max + 1, dtype=np.float64)
    active = y[None, :] <= life[:, None]
    replace_year = (np.mod(y[None, :], step[:, None]) == 0.0) & (y[None, :] < life[:, None])
    replacement = np.where(replace_year, rep[:, None], 0.0)
    cf = np.zeros((n, n_max + 1))
    cf[:, 0] = -capex
    cf[:, 1:] = np.where(active, gain * esc - om[:, None] - replacement, 0.0)
    green_cost = np.zeros((n, n_max + 1))
    green_cost[:, 0] = capex
    green_cost[:, 1:] = np.where(active, om[:, None] + replacement + green_var * esc, 0.0)
    green_mwh = np.zeros((n, n_max + 1))
    green_mwh[:, 1:] = np.where(active, np.broadcast_to(used, (n, n_max)), 0.0)
    delta_cost = np.zeros((n, n_max + 1))
    delta_cost[:, 1:] = np.where(active, bill_y * esc - bill_1[:, None] + replacement, 0.0)
    delta_base = np.zeros((n, n_max + 1))
    delta_base[:, 1:] = np.where(active, base_1[:, None] * esc - base_1[:, None], 0.0)
    plant_cost = np.zeros((n, n_max + 1))
    plant_cost[:, 0] = plant_capex
    plant_cost[:, 1:] = np.where(active, plant_om[:, None] + replacement, 0.0)
    plant_mwh = np.zeros((n, n_max + 1))
    plant_mwh[:, 1:] = np.where(active, np.broadcast_to(plant, (n, n_max)), 0.0)
    n_parts = n if parts else 0
    bill_savings = np.zeros((n_parts, n_max + 1))
    om_flow = np.zeros((n_parts, n_max + 1))
    if parts:
        bill_savings[:, 1:] = np.where(active, gain * esc, 0.0)
        om_flow[:, 1:] = np.where(active, np.broadcast_to(om[:, None], (n, n_max)), 0.0)
    return cf, green_cost, green_mwh, delta_cost, delta_base, plant_cost, plant_mwh, replacement, bill_savings, om_flow


class _NumpyRows:
    """The NumPy definitions with the interface of :mod:`gpdc.accounting.finance_nb` (rows, discount factors)."""

    flows = staticmethod(flows_numpy)

    @staticmethod
    def npv_rows(cf: np.ndarray, d: np.ndarray) -> np.ndarray:
        return np.sum(cf * d, axis=-1)

    @staticmethod
    def lcoe_rows(c: np.ndarray, e: np.ndarray, d: np.ndarray) -> np.ndarray:
        num = np.sum(c * d, axis=-1)
        den = np.sum(e * d, axis=-1)
        return np.divide(num, den, out=np.full(np.shape(num), np.nan), where=den > 0.0)

    @staticmethod
    def payback_rows(cf: np.ndarray, d: np.ndarray) -> np.ndarray:
        from gpdc.accounting.finance import discounted_payback_years_numpy

        # the factors are the rows of discount_factors(rate): pass them through a rate of 0 ((1 + 0)^-y = 1)
        return np.asarray(discounted_payback_years_numpy(0.0, cf * d), dtype=np.float64)

    @staticmethod
    def irr(cf: np.ndarray) -> np.ndarray:
        from gpdc.accounting.finance import irr_numpy

        return np.asarray(irr_numpy(cf), dtype=np.float64)


class _CompiledRows:
    @staticmethod
    def _nb() -> Any:
        from gpdc.accounting import finance_nb

        return finance_nb

    def flows(self, **kw: Any) -> tuple[np.ndarray, ...]:
        return self._nb().lifetime_flows(*(kw[k] for k in _FLOW_ARGS))

    def npv_rows(self, cf: np.ndarray, d: np.ndarray) -> np.ndarray:
        return self._nb().npv_rows(cf, d)

    def lcoe_rows(self, c: np.ndarray, e: np.ndarray, d: np.ndarray) -> np.ndarray:
        return self._nb().lcoe_rows(c, e, d)

    def payback_rows(self, cf: np.ndarray, d: np.ndarray) -> np.ndarray:
        return self._nb().payback_rows(cf, d)

    @staticmethod
    def irr(cf: np.ndarray) -> np.ndarray:
        from gpdc.accounting.finance import irr

        return np.asarray(irr(cf), dtype=np.float64)


#: the arguments of the flows, in the compiled function's order
_FLOW_ARGS = ("capex", "plant_capex", "om", "plant_om", "rep", "step", "life", "gain", "green_var", "used", "plant",
              "bill_y", "bill_1", "base_1", "esc", "parts")


def finance_nb_or_numpy(n: int) -> Any:
    """Return the per-row finance for ``n`` designs: compiled from :data:`COMPILED_FROM_DESIGNS`, NumPy below."""
    return _CompiledRows() if n >= COMPILED_FROM_DESIGNS else _NumpyRows()


def _shared(x: float | np.ndarray) -> np.ndarray:
    """``x`` as float64[n], or as float64[1] when every design has the same value (raised to powers once)."""
    a = np.atleast_1d(np.asarray(x, dtype=np.float64))
    return a[:1] if a.size > 1 and a.ndim == 1 and np.all(a == a[0]) else a
