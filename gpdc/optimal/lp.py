"""Perfect-foresight linear programme over the simulated hours (linopy, solved by HiGHS), a reference.

The LP has the physics and the accounting of the rule-based dispatch (``docs/dispatch.md``),
the flexible elements included (``docs/flexible.md``), and minimises the project's cost over
the period exactly as :func:`gpdc.accounting.derive` defines ``project_cost_yuan``; the
formulation is in ``docs/lp.md``.  For fixed sizes (:func:`optimal_dispatch`) every schedule
the rule-based dispatch can produce is feasible for the LP, so its cost is a lower bound on
``gpdc.simulate(...)``'s; with sizes as variables (:func:`optimal_sizing`) it gives the
cheapest design under perfect foresight.

The model is written in `linopy <https://linopy.readthedocs.io>`_ (labelled variables and
constraints over the hour dimension ``t``) and solved by HiGHS through ``highspy`` — the
optional extra ``gpdc[lp]``.  The hourly flows of the solution are reduced into the kernels'
totals (:func:`gpdc.kernels.spec.reduce_flows`) and go through :func:`gpdc.accounting.derive`,
so every metric of an LP result is computed by the same code as a simulation's.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from gpdc.accounting import derive, period_years, variants
from gpdc.accounting.costs import capital_recovery_factor
from gpdc.accounting.energy import energy_totals
from gpdc.accounting.tariffs import tariff_charges
from gpdc.errors import InputError, LPInfeasibleError, LPSolveError
from gpdc.kernels import layout as L
from gpdc.kernels.spec import N_TOTALS, reduce_flows
from gpdc.pipeline import Design, build_profiles, design_params, hourly_prices, make_inputs, run_totals
from gpdc.pipeline import billing_months as _billing_months
from gpdc.profiles import ProfileSet
from gpdc.profiles.factors import read_hourly_factors
from gpdc.profiles.flexible import flexible_hourly
from gpdc.scenario.load import load_scenario, scenario_from_dict, set_dotted
from gpdc.scenario.resolve import Resolved, resolve
from gpdc.scenario.schema import Scenario

__all__ = ["SIZE_FIELDS", "TARGETS", "LPResult", "optimal_dispatch", "optimal_sizing", "sized_scenario"]

#: the sizes the LP may treat as variables, and the scenario field each one sets
SIZE_FIELDS: dict[str, str] = {
    "wind_mw": "wind.capacity_mw", "solar_mw": "solar.capacity_mw", "storage_power_mw": "storage.power_mw",
    "storage_energy_mwh": "storage.energy_mwh", "line_mw": "line.rating_mw",
    "electrolyser_mw": "electrolyser.capacity_mw", "tank_kg": "hydrogen.tank_kg",
}
#: user targets :func:`optimal_sizing` accepts: name -> (metric, "min" or "max")
TARGETS: dict[str, tuple[str, str]] = {
    "min_self_use_frac": ("self_use_share", "min"),
    "min_green_share_of_load_frac": ("green_share_of_load", "min"),
    "max_export_frac": ("export_share", "max"),
    "max_curtailment_frac": ("curtailment_rate", "max"),
    "max_unserved_frac": ("unserved share of load", "max"),
    "max_hydrogen_co2_kg_per_kg": ("hydrogen_co2_direct_kg_per_kg", "max"),
}
#: binaries (surplus hours in sizing, the electrolyser's on/off) up to this many hours in "auto" modes
BINARY_UP_TO_HOURS = 744
#: from this many hours on, HiGHS's interior-point method (with crossover) instead of its default
IPM_FROM_HOURS = 2000
_FAILED = ("infeasible", "infeasible_or_unbounded")


@dataclass(frozen=True)
class LPResult:
    """The optimum of one LP.

    Attributes
    ----------
    objective_yuan : float
        Project cost over the period at the optimum [yuan], as ``project_cost_yuan``.
    sizes : dict of str to float
        The sizes of :data:`SIZE_FIELDS` the scenario has, at the optimum [MW, MWh, kg].
    flows : dict of str to float64[n_hours]
        Hourly flows in the names of the trace kernel [MWh, kg per step].
    totals : dict of str to float
        Every variable :func:`gpdc.accounting.derive` gives, computed from the LP's flows.
    binding : dict of str to float
        Policy and target constraints that bind, with their shadow price (NaN after a MILP).
    status : str
        ``"optimal"`` (anything else raises).
    solve_time_s, build_time_s : float
        Wall time of HiGHS and of building the model [s].
    n_variables, n_constraints : int
        Size of the model (before presolve).
    scenario : Scenario
        The scenario with the optimal sizes written in.
    profiles : ProfileSet
        The hourly profiles the LP ran on.
    options : dict
        The formulation options used.
    """

    objective_yuan: float
    sizes: dict[str, float]
    flows: dict[str, np.ndarray]
    totals: dict[str, float]
    binding: dict[str, float]
    status: str
    solve_time_s: float
    build_time_s: float
    n_variables: int
    n_constraints: int
    scenario: Scenario
    profiles: ProfileSet
    options: dict[str, Any] = field(default_factory=dict)


def as_resolved(scenario: Scenario | Resolved | str | Path) -> Resolved:
    """A scenario given as itself, resolved, or as a TOML file, resolved."""
    if isinstance(scenario, Resolved):
        return scenario
    return resolve(scenario if isinstance(scenario, Scenario) else load_scenario(scenario))


def profiles_of(resolved: Resolved, profiles: ProfileSet | None) -> ProfileSet:
    """The given profiles, else those the scenario builds."""
    return profiles if profiles is not None else build_profiles(resolved.scenario)


def sized_scenario(scenario: Scenario, sizes: dict[str, float]) -> Scenario:
    """Return ``scenario`` with the given sizes (keys of :data:`SIZE_FIELDS`) written in, validated again.

    Raises
    ------
    ScenarioErrors
        When a size is not a valid value of its field.
    """
    data = scenario.model_dump(mode="python")
    for key, value in sizes.items():
        set_dotted(data, SIZE_FIELDS[key], float(value))
    return scenario_from_dict(data, source=scenario.name)


def _sizes_of(sc: Scenario) -> dict[str, float]:
    """The scenario's own sizes (of the sections it has)."""
    out = {}
    for key, path in SIZE_FIELDS.items():
        section, name = path.split(".")
        if getattr(sc, section) is not None:
            out[key] = float(getattr(getattr(sc, section), name))
    return out


@dataclass
class _Problem:
    model: Any
    constant_yuan: float
    kind: dict[str, str]  # constraint name -> "physical" | "policy" | "target"
    labels: dict[str, str]
    fixed_sizes: bool
    mip: bool
    n_hours: int
    build_time_s: float


def _build(resolved: Resolved, prof: ProfileSet, size_bounds: dict[str, tuple[float, float]], *, policy: bool,
           targets: dict[str, float], end_storage: str, grid_charge_any_hour: bool, green_first: str = "binary",
           commit: bool = False, surplus_hours: np.ndarray | None = None, keep: set[str] | None = None) -> _Problem:
    """The model of docs/lp.md; ``keep``: the policy and target constraints to include (None: all)."""
    import linopy

    t0 = time.perf_counter()
    sc = resolved.scenario
    n, dt = len(prof.time), 1.0
    pi, pe = hourly_prices(resolved, prof)
    p = design_params(Design(resolved))[:, 0]
    load_e = np.asarray(prof.load_mw, dtype=np.float64) * dt
    cwd, csd = np.asarray(prof.cf_wind, dtype=np.float64) * dt, np.asarray(prof.cf_solar, dtype=np.float64) * dt
    cw_tot, cs_tot = float(np.sum(cwd)), float(np.sum(csd))
    loss, eta_c, eta_d = p[L.P_LINE_LOSS_FRAC], p[L.P_ETA_CHARGE], p[L.P_ETA_DISCHARGE]
    import_e, cap = p[L.P_IMPORT_MW] * dt, p[L.P_EXPORT_CAP_FRAC]
    init_frac = 0.0 if sc.storage.initial_soc_frac is None else sc.storage.initial_soc_frac - sc.storage.soc_min_frac
    fixed_gen = all(size_bounds[k][0] == size_bounds[k][1] for k in ("wind_mw", "solar_mw", "line_mw"))
    binary = green_first == "binary" and not fixed_gen and surplus_hours is None
    m = linopy.Model()
    hours = pd.RangeIndex(n, name="t")

    def ser(x: Any) -> pd.Series:
        return pd.Series(np.broadcast_to(np.asarray(x, dtype=np.float64), (n,)), index=hours)

    inf = np.full(n, np.inf)
    hi = {"ch_green": inf, "export": np.full(n, p[L.P_EXPORT_MW] * dt if cap > 0.0 else 0.0),
          "imp_load": np.minimum(load_e, import_e), "unserved": np.maximum(load_e - import_e, 0.0),
          "dis_green": inf, "dis_grid": inf}
    fix: dict[str, np.ndarray] = {}
    # green energy serves the load first (docs/lp.md): with the plants given, what arrives is a number;
    # else hours whose class no sizes in the bounds can change are fixed exactly
    if fixed_gen:
        line_in = np.minimum(size_bounds["wind_mw"][0] * cwd + size_bounds["solar_mw"][0] * csd,
                             size_bounds["line_mw"][0] * dt)
        fix = {"line_in": line_in, "direct": np.minimum(line_in * (1.0 - loss), load_e)}
    else:
        def arrive(k: int) -> np.ndarray:
            gen = size_bounds["wind_mw"][k] * cwd + size_bounds["solar_mw"][k] * csd
            return (1.0 - loss) * np.minimum(gen, size_bounds["line_mw"][k] * dt)

        deficit, surplus = arrive(1) < load_e, arrive(0) >= load_e
        if surplus_hours is not None:
            deficit, surplus = ~surplus_hours, surplus_hours
        for b in ("ch_green", "export"):
            hi[b] = np.where(deficit, 0.0, hi[b])
        for b in ("imp_load", "unserved", "dis_green", "dis_grid"):
            hi[b] = np.where(surplus, 0.0, hi[b])
    gc_hours = np.full(n, p[L.P_GRID_CHARGE] == 1.0) & (grid_charge_any_hour | (pi <= p[L.P_GRID_CHARGE_PRICE]))
    hi["ch_grid"] = np.where(gc_hours, np.inf, 0.0)

    def var(name: str, lo: Any = 0.0, up: Any = np.inf, **kw: Any) -> Any:
        return m.add_variables(lower=ser(fix.get(name, lo)), upper=ser(fix.get(name, hi.get(name, up))), name=name,
                               **kw)

    v = {b: var(b) for b in ("line_in", "direct", "ch_green", "ch_grid", "dis_green", "dis_grid", "green", "grid",
                             "export", "imp_load", "unserved")}
    s = {k: m.add_variables(lower=lo, upper=up, name=k) for k, (lo, up) in size_bounds.items()}
    kind: dict[str, str] = {}
    labels: dict[str, str] = {}

    def add(name: str, con: Any, group: str = "physical", label: str = "") -> None:
        if group == "physical" or keep is None or name in keep:
            m.add_constraints(con, name=name)
            kind[name], labels[name] = group, label

    # flexible consumers (docs/flexible.md): green, storage and grid into them; their energy balances
    fx = _flexible(m, resolved, prof, s, ser, var, add, commit) if sc.has_flexible else {}

    def plus(expr: Any, *names: str) -> Any:  # expr + the flexible elements' terms the model has
        return sum((fx[k] for k in names if k in fx), expr)

    add("line_gen", v["line_in"] - ser(cwd) * s["wind_mw"] - ser(csd) * s["solar_mw"] <= 0)
    add("line_rating", v["line_in"] - dt * s["line_mw"] <= 0)
    add("green_bus", plus(v["direct"] + v["ch_green"] + v["export"], "fg") - (1.0 - loss) * v["line_in"] <= 0)
    if binary:  # surplus hour: no import, discharge or unserved; deficit hour: no green charge, no export
        b = m.add_variables(lower=ser(np.where(surplus, 1.0, 0.0)), upper=ser(np.where(deficit, 0.0, 1.0)),
                            name="surplus_hour", integer=True)
        big = (1.0 - loss) * np.minimum(size_bounds["wind_mw"][1] * cwd + size_bounds["solar_mw"][1] * csd,
                                        size_bounds["line_mw"][1] * dt)
        add("green_first_surplus", v["ch_green"] + v["export"] - ser(big) * b <= 0)
        add("green_first_deficit", v["imp_load"] + v["unserved"] + v["dis_green"] + v["dis_grid"]
            + ser(load_e) * b <= ser(load_e))
    add("load_balance", plus(v["direct"] + v["dis_green"] + v["dis_grid"] + v["imp_load"] + v["unserved"], "v2g")
        == ser(load_e))
    imports = plus(v["imp_load"] + v["ch_grid"], "fi")
    add("import_limit", imports <= import_e)
    demand = resolved.basic_charge_basis == "demand" and resolved.fee_regime.flags["basic_charge"]
    month_index, month_weight = _billing_months(prof, dt)
    if demand:  # one epigraph variable per billing month above every hour's import
        peak = m.add_variables(lower=0.0, coords=[pd.RangeIndex(12, name="month")], name="peak_month")
        add("monthly_peak_import", imports / dt - peak.sel(month=pd.Series(month_index, index=hours).to_xarray()) <= 0)
    add("charge_power", v["ch_green"] + v["ch_grid"] - dt * s["storage_power_mw"] <= 0)
    add("discharge_power", plus(v["dis_green"] + v["dis_grid"], "fdg", "fdr") - dt * s["storage_power_mw"] <= 0)
    first = ser(np.arange(n) == 0)
    add("green_pool", v["green"] - v["green"].shift(t=1).fillna(0) - eta_c * v["ch_green"]
        + plus(v["dis_green"], "fdg") / eta_d == 0)
    add("grid_pool", v["grid"] - v["grid"].shift(t=1).fillna(0) - eta_c * v["ch_grid"] + plus(v["dis_grid"], "fdr") / eta_d
        - init_frac * first * s["storage_energy_mwh"] == 0)
    usable = sc.storage.soc_max_frac - sc.storage.soc_min_frac
    add("storage_energy", v["green"] + v["grid"] - usable * s["storage_energy_mwh"] <= 0)
    if end_storage == "initial":
        add("end_storage", v["green"].isel(t=-1) + v["grid"].isel(t=-1) - init_frac * s["storage_energy_mwh"] >= 0)
    if cap > 0.0 and sc.grid.export_cap_rule == "running":  # the cap on the share of generation, every hour
        cum = m.add_variables(lower=0.0, coords=[hours], name="cum_export")
        add("cum_export_sum", cum - cum.shift(t=1).fillna(0) - v["export"] == 0)
        add("export_cap", cum - cap * ser(np.cumsum(cwd)) * s["wind_mw"] - cap * ser(np.cumsum(csd)) * s["solar_mw"]
            <= 0)
    elif cap > 0.0:
        add("export_cap", v["export"].sum() - cap * cw_tot * s["wind_mw"] - cap * cs_tot * s["solar_mw"] <= 0)

    # policy ratios (the flexible consumption counts as load) and targets
    used = plus(v["direct"] + v["dis_green"], "fg", "fdg").sum()
    gen = cw_tot * s["wind_mw"] + cs_tot * s["solar_mw"]
    exported = v["export"].sum()
    load_tot = float(np.sum(load_e))
    consumed = fx["consumed"] + load_tot if fx else load_tot
    limits = {"min_self_use_frac": lambda x: used - x * gen >= 0,
              "min_green_share_of_load_frac": lambda x: used - x * consumed >= 0,
              "max_export_frac": lambda x: exported - x * gen <= 0,
              # curtailed = gen − line loss − (direct + flexible green + green charge + export) <= x·gen
              "max_curtailment_frac": lambda x: plus(v["direct"] + v["ch_green"] + v["export"] + loss * v["line_in"],
                                                     "fg").sum() - (1.0 - x) * gen >= 0,
              "max_unserved_frac": lambda x: v["unserved"].sum() <= x * load_tot,
              "max_hydrogen_co2_kg_per_kg": lambda x: fx["h2_co2"] - x * fx["h2_kg"] <= 0}  # type: ignore[index]
    if policy:
        for key, word, group in (("min_self_use_frac", "self_use", "self-use share >="),
                                 ("min_green_share_of_load_frac", "green_share", "green share of load >="),
                                 ("max_export_frac", "export_share", "export share <=")):
            add(f"policy_{word}", limits[key](resolved[key]), "policy", f"{group} {resolved[key]:g} (policy)")
    for key, x in targets.items():
        metric, sense = TARGETS[key]
        add(f"target_{key}", limits[key](x), "target", f"{metric} {'>=' if sense == 'min' else '<='} {x:g} "
            f"(target {key})")

    # objective: the project cost over the period, term by term as accounting.derive
    period = period_years(sc.profiles.year, make_inputs(cwd, csd, load_e, pi, pe, p))
    crf = float(capital_recovery_factor(resolved["discount_rate_frac"], resolved["lifetime_years"]))
    design, kw, r = Design(resolved), 1000.0, resolved
    cost = ((ser(pi) * (imports + v["unserved"])).sum() + r["self_use_fee_yuan_per_mwh"] * used
            - (ser(pe) * v["export"]).sum()
            + period * kw * (r["wind_capex_yuan_per_kw"] * crf + r["wind_om_yuan_per_kw_year"]) * s["wind_mw"]
            + period * kw * (r["solar_capex_yuan_per_kw"] * crf + r["solar_om_yuan_per_kw_year"]) * s["solar_mw"]
            + period * kw * r["storage_capex_yuan_per_kwh"] * (crf + r["storage_om_frac_per_year"])
            * s["storage_energy_mwh"]
            + period * kw * crf * float(design.number("finance.storage_power_capex_yuan_per_kw")[0])
            * s["storage_power_mw"])
    fixed_capex = (sc.line.length_km * r["line_capex_yuan_per_km"] + float(design.number("finance.line_bays_capex_yuan")[0])
                   + float(design.number("finance.grid_connection_capex_yuan")[0]))
    inputs = make_inputs(prof.cf_wind, prof.cf_solar, prof.load_mw, pi, pe, p, month_index=month_index,
                         month_weight=month_weight)
    charges = tariff_charges(design, inputs, energy_totals(inputs, np.zeros((1, N_TOTALS))), np.zeros((1, 12)))
    # monthly charges that do not depend on the dispatch are a constant; a demand charge is priced on the epigraph
    constant = fixed_capex * crf * period + float(charges["basic_charge_yuan"][0] + charges["capacity_td_fee_yuan"][0])
    if demand:
        rate = float(design.value("demand_charge_yuan_per_kw_month")[0])
        cost = cost + (peak * pd.Series(rate * kw * month_weight, index=pd.RangeIndex(12, name="month"))).sum()
    if fx:
        cost = cost + fx["cost"](crf, period)
        constant += fx["constant"]
    m.add_objective(cost)
    return _Problem(m, constant, kind, labels, all(lo == up for lo, up in size_bounds.values()),
                    binary or bool(fx and fx["mip"]), n, time.perf_counter() - t0)


def _flexible(m: Any, resolved: Resolved, prof: ProfileSet, s: dict[str, Any], ser: Any, var: Any, add: Any,
              commit: bool) -> dict[str, Any]:
    """The flexible elements' variables and constraints (docs/lp.md "Flexible elements"), and their costs."""
    sc, dt, r = resolved.scenario, 1.0, resolved
    p = design_params(Design(resolved))[:, 0]
    hx = flexible_hourly(sc, prof.time)
    pi = hourly_prices(resolved, prof)[0]
    fg, fdg, fdr, fi = (var(b) for b in ("fg", "fdg", "fdr", "fi"))
    zero = 0.0 * fg
    out: dict[str, Any] = {"fg": fg, "fdg": fdg, "fdr": fdr, "fi": fi, "mip": False}
    demand_side, other, terms, constant = zero, zero, [], 0.0
    tank_kg = s.get("tank_kg", 0.0)  # an electrolyser without a [hydrogen] section has no store
    if sc.electrolyser is not None:
        e = sc.electrolyser
        up = s["electrolyser_mw"].upper.item() * dt  # big-M: the largest rating allowed
        on = var("ely_on", up=1.0, integer=commit)
        ep, sb, eg = var("ely_prod"), var("ely_standby"), var("ely_green")
        out["mip"] = commit
        add("ely_rating", ep - dt * s["electrolyser_mw"] <= 0)
        add("ely_on_max", ep - up * on <= 0)
        add("ely_min_load", ep - e.min_load_frac * dt * s["electrolyser_mw"] + up * (1 - on) >= 0)
        add("ely_standby", sb - e.standby_frac * dt * s["electrolyser_mw"] + e.standby_frac * up * on >= 0)
        kpm = 1000.0 / (e.specific_energy_kwh_per_kg + e.compression_kwh_per_kg)
        tank, off = var("tank"), var("offtake", up=hx[:, L.H_OFFTAKE_KG])
        h2 = sc.hydrogen
        init = 0.0 if h2 is None else h2.initial_fill_frac
        add("tank_balance", tank - tank.shift(t=1).fillna(0) - kpm * ep + off
            - init * ser(np.arange(len(hx)) == 0) * tank_kg == 0)
        add("tank_size", tank - tank_kg <= 0)
        if h2 is not None and not h2.unmet_allowed:
            add("offtake_met", off >= ser(hx[:, L.H_OFFTAKE_KG]))
        add("ely_green_label", eg - fg - fdg <= 0)  # green into it: from the line or the green pool
        add("ely_green_part", eg - ep - sb <= 0)
        add("ely_grid_part", ep + sb - eg - fi - fdr <= 0)
        value = r["hydrogen_unmet_value_yuan_per_kg"]
        constant += value * float(np.sum(hx[:, L.H_OFFTAKE_KG]))
        terms.append(lambda crf, period: (-value * off).sum() + period * 1000.0 * (
            r["electrolyser_capex_yuan_per_kw"] * (crf + r["electrolyser_om_frac_per_year"]) * s["electrolyser_mw"])
            + period * r["hydrogen_tank_capex_yuan_per_kg"] * (crf + r["hydrogen_tank_om_frac_per_year"])
            * tank_kg)
        demand_side = ep + sb
        f = r["account_factor_t_co2_per_mwh"] * 1000.0
        out.update(h2_co2=f * (ep + sb - eg).sum(), h2_kg=kpm * ep.sum(), ely=(ep, sb, eg, on, tank, off, kpm))
        if not e.grid_draw:
            other = other + sb  # the grid may feed its stand-by, not its production
    if sc.flexible_load is not None:
        x = var("shift", up=p[L.P_SHIFT_MW] * dt * hx[:, L.H_SHIFT_ALLOWED])
        window = np.cumsum(hx[:, L.H_SHIFT_START]) - 1
        wins = pd.RangeIndex(int(window.max()) + 1, name="w")
        end = np.flatnonzero(hx[:, L.H_SHIFT_END] > 0.5)
        wu = m.add_variables(lower=0.0, coords=[wins], name="shift_unserved")
        add("shift_window", x.groupby(pd.Series(window, index=pd.RangeIndex(len(window), name="t"),
                                                 name="w").to_xarray()).sum() + wu == p[L.P_SHIFT_MWH])
        terms.append(lambda crf, period: (wu * pd.Series(pi[end], index=wins)).sum())
        demand_side, other = demand_side + x, other + x
        out["shift"] = (x, wu, end)
    if sc.ev_fleet is not None:
        plugged, depart = hx[:, L.H_EV_PLUGGED], hx[:, L.H_EV_DEPART]
        c = var("ev_charge", up=p[L.P_EV_CHARGE_MW] * dt * plugged)
        v2 = var("v2g", up=p[L.P_EV_V2G_MW] * dt * plugged)
        short = var("ev_short", up=p[L.P_EV_NEED_MWH] * depart)
        ev = var("ev_energy", up=p[L.P_EV_MWH])
        eta = p[L.P_EV_ETA]
        add("ev_balance", ev - ev.shift(t=1).fillna(0) - eta * c + v2 / eta - short
            == ser(p[L.P_EV_INIT_MWH] * (np.arange(len(hx)) == 0) - p[L.P_EV_NEED_MWH] * depart))
        wear = r["ev_degradation_cost_yuan_per_mwh"]
        terms.append(lambda crf, period: (short * ser(pi)).sum() + wear * v2.sum())
        demand_side, other = demand_side + c - v2, other + c
        out.update(v2g=v2, ev=(c, v2, short, ev))
    add("flex_bus", fg + fdg + fdr + fi - demand_side - (out["v2g"] if "v2g" in out else 0.0) == 0)
    if sc.electrolyser is not None and not sc.electrolyser.grid_draw:
        add("ely_no_grid", fi - other <= 0)
    out["consumed"] = demand_side.sum()
    out["cost"] = lambda crf, period: sum((term(crf, period) for term in terms), 0.0 * fg.sum())
    out["constant"] = constant
    return out


def _solve(prob: _Problem, time_limit_s: float | None) -> str:
    """Solve with HiGHS; return linopy's termination condition."""
    options: dict[str, Any] = {"output_flag": False, "presolve": "on", "progress": False}
    if time_limit_s is not None:
        options["time_limit"] = float(time_limit_s)
    if prob.mip:
        options["mip_rel_gap"] = 1e-9
    elif prob.n_hours >= IPM_FROM_HOURS:  # interior point + crossover: ~4x faster on a year
        options.update(solver="ipm", run_crossover="on")
    return str(prob.model.solve(solver_name="highs", **options)[1])


def _diagnose(build: Any, time_limit_s: float | None) -> LPInfeasibleError:
    """Find which constraint groups make the LP infeasible; return the error to raise."""
    full = build(None)
    extra = [g for g, k in full.kind.items() if k != "physical"]
    if _solve(build(set()), time_limit_s) in _FAILED:
        return LPInfeasibleError("infeasible: the physical constraints cannot be met with these bounds "
                                 "(energy balance, storage, line, import and export limits)", ["physical"])
    alone = [g for g in extra if _solve(build({g}), time_limit_s) in _FAILED]
    what = " and ".join(sorted({"policy": "the policy constraints", "target": "the targets"}[full.kind[g]]
                               for g in (alone or extra)))
    sizes = "these sizes" if full.fixed_sizes else "sizes within these bounds"
    if alone:
        detail = "; ".join(f"{full.labels[g]}{_shortfall(build, g, time_limit_s)}" for g in alone)
        return LPInfeasibleError(f"infeasible: {what} cannot be met with {sizes}: {detail}", [full.labels[g] for g in alone])
    return LPInfeasibleError(f"infeasible: {what} cannot be met together with {sizes} (each alone can): "
                             + "; ".join(full.labels[g] for g in extra), [full.labels[g] for g in extra])


def _shortfall(build: Any, group: str, time_limit_s: float | None) -> str:
    """By how much a one-row group is missed at best (MWh): its left side pushed as far as the physics allows."""
    prob = build({group})
    con = prob.model.constraints[group]
    if np.asarray(con.rhs.values).size != 1:
        return ""
    sign = str(np.asarray(con.sign.values).ravel()[0])
    prob.model.constraints.remove(group)
    prob.model.objective = (-1.0 if sign == ">=" else 1.0) * con.lhs
    if _solve(prob, time_limit_s) != "optimal":
        return ""
    best, bound = float(con.lhs.solution.values.ravel()[0]), float(np.asarray(con.rhs.values).ravel()[0])
    return f" (short by {(bound - best) if sign == '>=' else (best - bound):,.1f} MWh at best)"


def _read(prob: _Problem, resolved: Resolved, prof: ProfileSet, options: dict[str, Any]) -> LPResult:
    """Turn the solution into flows, the kernels' totals and derived metrics."""
    m, sc = prob.model, resolved.scenario

    def h(name: str) -> np.ndarray:
        return np.maximum(np.asarray(m.variables[name].solution.values, dtype=np.float64), 0.0)

    sizes = {k: float(h(k)) for k in _sizes_of(sc)}
    varied = {k: x for k, x in sizes.items() if m.variables[k].lower.item() != m.variables[k].upper.item()}
    design = Design(resolved, {SIZE_FIELDS[k]: np.array([x]) for k, x in sizes.items()})
    params = design_params(design)
    pi, pe = hourly_prices(resolved, prof)
    month_index, month_weight = _billing_months(prof)
    factors = None if sc.emissions.hourly_factors_csv is None else read_hourly_factors(
        sc.emissions.hourly_factors_csv, time=prof.time, timezone=sc.site.timezone)
    inputs = make_inputs(prof.cf_wind, prof.cf_solar, prof.load_mw, pi, pe, params, month_index=month_index,
                         month_weight=month_weight, factor=None if factors is None else factors.factor_t_co2_per_mwh,
                         hourly=flexible_hourly(sc, prof.time) if sc.has_flexible else None)
    p, dt, n = params[:, 0], inputs.dt_h, inputs.n_hours
    gen = (p[L.P_WIND_MW] * inputs.cf_wind + p[L.P_SOLAR_MW] * inputs.cf_solar) * dt
    line_in = np.minimum(gen, p[L.P_LINE_MW] * dt)  # as the kernel reports it: the line carries what it can
    arrive = line_in * (1.0 - p[L.P_LINE_LOSS_FRAC])
    flex = sc.has_flexible
    fl = {b: (h(b) if flex else np.zeros(n)) for b in ("fg", "fdg", "fdr", "fi")}
    direct, ch_green, export = h("direct") + fl["fg"], h("ch_green"), h("export")
    curt_bus = np.maximum(arrive - direct - ch_green - export, 0.0)
    flows = {"gen_avail_mwh": gen, "curtail_line_mwh": gen - line_in, "line_loss_mwh": line_in - arrive,
             "direct_mwh": direct, "charge_green_mwh": ch_green, "charge_grid_mwh": h("ch_grid"),
             "discharge_green_mwh": h("dis_green") + fl["fdg"], "discharge_grid_mwh": h("dis_grid") + fl["fdr"],
             "export_mwh": export, "import_mwh": h("imp_load") + h("ch_grid") + fl["fi"], "curtail_bus_mwh": curt_bus,
             "unserved_mwh": h("unserved"), "storage_green_mwh": h("green"), "storage_grid_mwh": h("grid")}
    end = {"green_mwh": float(flows["storage_green_mwh"][-1]), "grid_mwh": float(flows["storage_grid_mwh"][-1])}
    if sc.electrolyser is not None:
        ep, sb, eg, on = h("ely_prod"), h("ely_standby"), h("ely_green"), h("ely_on") > 0.5
        kpm = 1000.0 / (sc.electrolyser.specific_energy_kwh_per_kg + sc.electrolyser.compression_kwh_per_kg)
        demand, off = inputs.hourly[:, L.H_OFFTAKE_KG], h("offtake")
        flows.update(electrolyser_mwh=ep + sb, electrolyser_green_mwh=eg, electrolyser_grid_mwh=ep + sb - eg,
                     electrolyser_standby_mwh=sb, hydrogen_produced_kg=kpm * ep, hydrogen_offtake_kg=off,
                     hydrogen_unmet_kg=np.maximum(demand - off, 0.0), hydrogen_tank_kg=h("tank"),
                     electrolyser_starts=(on & ~np.concatenate([[False], on[:-1]])).astype(np.float64))
        end["tank_kg"] = float(flows["hydrogen_tank_kg"][-1])
    if sc.flexible_load is not None:
        x, unserved = h("shift"), np.zeros(n)
        unserved[np.flatnonzero(inputs.hourly[:, L.H_SHIFT_END] > 0.5)] = h("shift_unserved")
        flows.update(flexible_load_mwh=x, flexible_load_unserved_mwh=unserved, flexible_load_shifted_mwh=np.maximum(
            0.0, x - inputs.hourly[:, L.H_SHIFT_BASE] * p[L.P_SHIFT_MWH]))
    if sc.ev_fleet is not None:
        flows.update(ev_charge_mwh=h("ev_charge"), v2g_discharge_mwh=h("v2g"), ev_unserved_mwh=h("ev_short"),
                     ev_energy_mwh=h("ev_energy"))
        end["ev_energy_mwh"] = float(flows["ev_energy_mwh"][-1])
    tol = 1e-7 * max(1.0, float(np.max(inputs.load_mw)) * dt)
    exp_phys = np.minimum(curt_bus + export, p[L.P_EXPORT_MW] * dt)
    reduced = {**flows, "curtail_export_cap_mwh": np.maximum(exp_phys - export, 0.0),
               "self_supply_steps": (h("imp_load") + flows["unserved_mwh"] <= tol).astype(np.float64)}
    raw = reduce_flows(reduced, end, inputs.price_import, inputs.price_export, inputs.factor, inputs.month_index,
                       dt, flex)[None, :]
    # what the accounting dispatches otherwise (green-first, every year of the life) with the LP's sizes
    var = variants(design, inputs)
    values = derive(design, inputs, raw, var, run_totals(inputs.with_params(var.params)), hourly=factors)
    totals = {k: float(np.asarray(x).ravel()[0]) for k, x in values.items() if np.asarray(x).size == 1}
    binding: dict[str, float] = {}
    for name, group in prob.kind.items():
        con = m.constraints[name]
        if group == "physical":
            continue
        act, bound = float(con.lhs.solution.values.ravel()[0]), float(np.asarray(con.rhs.values).ravel()[0])
        if abs(act - bound) > 1e-6 * max(1.0, float(np.max(prof.load_mw)), abs(bound)):
            continue
        if prob.mip:  # a MILP has no duals: binding by slack
            binding[prob.labels[name]] = float("nan")
        elif abs(float(con.dual.values.ravel()[0])) > 1e-9:  # tight and with a price
            binding[prob.labels[name]] = abs(float(con.dual.values.ravel()[0]))
    return LPResult(objective_yuan=float(m.objective.value) + prob.constant_yuan, sizes=sizes, flows=flows,
                    totals=totals, binding=binding, status="optimal", solve_time_s=float(options.pop("_solve_time_s")),
                    build_time_s=prob.build_time_s, n_variables=int(m.nvars), n_constraints=int(m.ncons),
                    scenario=sized_scenario(sc, varied) if varied else sc, profiles=prof, options=options)


def _run(resolved: Resolved, prof: ProfileSet, bounds: dict[str, tuple[float, float]], options: dict[str, Any],
         time_limit_s: float | None, surplus_hours: np.ndarray | None = None) -> LPResult:
    try:
        import linopy  # noqa: F401
    except ImportError as exc:
        raise LPSolveError("the LP reference needs the optional extra: pip install 'gpdc[lp]' (linopy, highspy)") from exc
    mode = options.get("green_first", "binary")
    commit = options["commitment"] == "binary"

    def build(keep: set[str] | None) -> _Problem:
        return _build(resolved, prof, bounds, policy=options["policy"], targets=options["targets"],
                      end_storage=options["end_storage"], grid_charge_any_hour=options["grid_charge_any_hour"],
                      green_first="relaxed" if mode == "iterate" else mode, commit=commit,
                      surplus_hours=surplus_hours, keep=keep)

    prob = build(None)
    t0 = time.perf_counter()
    condition = _solve(prob, time_limit_s)
    solve_time = time.perf_counter() - t0
    if condition in _FAILED:
        raise _diagnose(build, time_limit_s)
    if condition != "optimal":
        what = {"time_limit": "HiGHS stopped at its time or iteration limit before the optimum",
                "unbounded": "the LP is unbounded: a size without a finite upper bound, or a negative price, lets "
                             "cost fall without limit"}.get(condition, "HiGHS failed")
        raise LPSolveError(f"{what} (HiGHS termination: {condition})")
    return _read(prob, resolved, prof, {**options, "_solve_time_s": solve_time})


def _iterate(resolved: Resolved, prof: ProfileSet, bounds: dict[str, tuple[float, float]], options: dict[str, Any],
             time_limit_s: float | None, max_rounds: int = 8) -> LPResult:
    """Green first by classing hours: relaxed LP (lower bound), then LPs with the hours fixed (docs/lp.md)."""
    t0 = time.perf_counter()
    relaxed = _run(resolved, prof, bounds, {**options, "green_first": "relaxed"}, time_limit_s)
    best: LPResult | None = None
    seen: list[np.ndarray] = []
    sizes, rounds = relaxed.sizes, 0
    for rounds in range(1, max_rounds + 1):  # noqa: B007 - the count is reported
        gen = sizes["wind_mw"] * prof.cf_wind + sizes["solar_mw"] * prof.cf_solar
        mask = (1.0 - resolved.scenario.line.loss_frac) * np.minimum(gen, sizes["line_mw"]) >= prof.load_mw
        if any(np.array_equal(mask, x) for x in seen):
            break
        seen.append(mask)
        try:
            res = _run(resolved, prof, bounds, options, time_limit_s, surplus_hours=mask)
        except LPInfeasibleError:
            if best is None and rounds == max_rounds:
                raise
            sizes = {k: 0.5 * (sizes[k] + bounds[k][1]) for k in sizes}  # more plant: try wider surplus
            continue
        if best is None or res.objective_yuan < best.objective_yuan:
            best = res
        sizes = res.sizes
    if best is None:  # never a consistent classing: the exact MILP decides
        return _run(resolved, prof, bounds, {**options, "green_first": "binary"}, time_limit_s)
    opts = {**best.options, "lower_bound_yuan": relaxed.objective_yuan, "rounds": rounds}
    return dataclasses.replace(best, options=opts, solve_time_s=time.perf_counter() - t0)


def _commitment(mode: str, n_hours: int) -> str:
    if mode == "auto":
        return "binary" if n_hours <= BINARY_UP_TO_HOURS else "relaxed"
    if mode not in ("binary", "relaxed"):
        raise InputError(f"commitment = {mode!r} is invalid: 'auto', 'binary' or 'relaxed'")
    return mode


def optimal_dispatch(
    scenario: Scenario | Resolved | str | Path,
    profiles: ProfileSet | None = None,
    policy: bool = True,
    *,
    end_storage: Literal["free", "initial"] = "free",
    grid_charge_any_hour: bool = False,
    commitment: Literal["auto", "binary", "relaxed"] = "auto",
    time_limit_s: float | None = None,
) -> LPResult:
    """Return the cheapest dispatch of a scenario's fixed design, with perfect foresight.

    Parameters
    ----------
    scenario : Scenario, Resolved, str or Path
        The design (a scenario file is loaded and resolved).
    profiles : ProfileSet, optional
        Hourly profiles (default: built from the scenario, as :func:`gpdc.simulate` does).
    policy : bool
        Impose the three policy ratios of the scenario's rule set as constraints.
    end_storage : {"free", "initial"}
        Stored energy at the end: free (as the rule-based dispatch), or at least the initial.
    grid_charge_any_hour : bool
        With ``storage.grid_charging``, allow charging from the grid in every hour.
    commitment : {"auto", "binary", "relaxed"}
        The electrolyser's on/off (minimum load, stand-by): one binary per hour (a MILP, exact)
        or relaxed to [0, 1] (an LP, a lower bound); "auto": binary up to
        :data:`BINARY_UP_TO_HOURS` hours.
    time_limit_s : float, optional
        HiGHS time limit [s].

    Returns
    -------
    LPResult
        ``objective_yuan`` is comparable with ``project_cost_yuan`` of :func:`gpdc.simulate`.

    Raises
    ------
    LPInfeasibleError
        When the policy constraints cannot be met with these sizes (the message names them
        and the best reachable value); never for the physical constraints alone.
    LPSolveError
        When HiGHS stops without an optimum, or linopy / highspy are not installed.
    """
    resolved = as_resolved(scenario)
    prof = profiles_of(resolved, profiles)
    bounds = {k: (x, x) for k, x in _sizes_of(resolved.scenario).items()}
    options = {"kind": "dispatch", "policy": bool(policy), "targets": {}, "end_storage": end_storage,
               "grid_charge_any_hour": bool(grid_charge_any_hour),
               "commitment": _commitment(commitment, len(prof.time))}
    return _run(resolved, prof, bounds, options, time_limit_s)


def optimal_sizing(
    scenario: Scenario | Resolved | str | Path,
    bounds: dict[str, tuple[float, float]],
    targets: dict[str, float] | None = None,
    *,
    profiles: ProfileSet | None = None,
    policy: bool = True,
    end_storage: Literal["free", "initial"] = "free",
    grid_charge_any_hour: bool = False,
    green_first: Literal["auto", "binary", "iterate", "relaxed"] = "auto",
    commitment: Literal["auto", "binary", "relaxed"] = "auto",
    time_limit_s: float | None = None,
) -> LPResult:
    """Return the cheapest sizes and their dispatch, with perfect foresight.

    Parameters
    ----------
    scenario : Scenario, Resolved, str or Path
        The base scenario: sizes not in ``bounds`` stay at its values.
    bounds : dict of str to (float, float)
        ``{size: (lower, upper)}`` for keys of :data:`SIZE_FIELDS` the scenario has [MW, MWh,
        kg]; finite, 0 ≤ lower ≤ upper.
    targets : dict of str to float, optional
        Hard constraints on top of the policy: any of :data:`TARGETS` (shares [1]; the
        hydrogen CO2 intensity [kg CO2/kg]).
    profiles : ProfileSet, optional
        Hourly profiles (default: built from the scenario).
    policy : bool
        Impose the scenario's policy ratios.
    green_first : {"auto", "binary", "iterate", "relaxed"}
        How "green energy serves the load first" is kept when the plant sizes vary:
        ``"binary"`` one binary per hour (a MILP, exact); ``"iterate"`` hours classed with
        the sizes of the previous round (LPs; the relaxed optimum as a lower bound in
        ``options["lower_bound_yuan"]``); ``"relaxed"`` the rule dropped (one LP, a lower
        bound).  ``"auto"``: binary up to :data:`BINARY_UP_TO_HOURS` hours, else iterate.
    commitment, end_storage, grid_charge_any_hour, time_limit_s
        As for :func:`optimal_dispatch`.

    Returns
    -------
    LPResult
        The optimal ``sizes``, their dispatch and ``scenario`` with the sizes written in.

    Raises
    ------
    InputError
        For an unknown size or target, or bounds that are not finite with 0 ≤ lower ≤ upper.
    LPInfeasibleError
        When no sizes within the bounds meet the policy and the targets.
    LPSolveError
        When HiGHS stops without an optimum.
    """
    resolved = as_resolved(scenario)
    size_bounds = {k: (x, x) for k, x in _sizes_of(resolved.scenario).items()}
    for key, pair in bounds.items():
        if key not in size_bounds:
            raise InputError(f"bounds: unknown size {key!r}; allowed: {', '.join(size_bounds)}")
        lo, hi = (float(v) for v in pair)
        if not (np.isfinite(lo) and np.isfinite(hi) and 0.0 <= lo <= hi):
            raise InputError(f"bounds[{key!r}] = {pair!r} is invalid: need finite 0 <= lower <= upper")
        size_bounds[key] = (lo, hi)
    tg = {k: float(v) for k, v in (targets or {}).items()}
    for key, v in tg.items():
        if key not in TARGETS or (key == "max_hydrogen_co2_kg_per_kg" and resolved.scenario.electrolyser is None):
            raise InputError(f"targets: unknown target {key!r}; allowed: {', '.join(TARGETS)}")
        if not (0.0 <= v <= (100.0 if key == "max_hydrogen_co2_kg_per_kg" else 1.0)):
            raise InputError(f"targets[{key!r}] = {v!r} is invalid: must be a share within [0, 1] "
                             "(a hydrogen CO2 intensity within [0, 100] kg CO2/kg)")
    prof = profiles_of(resolved, profiles)
    if green_first == "auto":
        green_first = "binary" if len(prof.time) <= BINARY_UP_TO_HOURS else "iterate"
    if green_first not in ("binary", "iterate", "relaxed"):
        raise InputError(f"green_first = {green_first!r} is invalid: 'auto', 'binary', 'iterate' or 'relaxed'")
    options = {"kind": "sizing", "policy": bool(policy), "targets": tg, "end_storage": end_storage,
               "grid_charge_any_hour": bool(grid_charge_any_hour), "green_first": green_first,
               "commitment": _commitment(commitment, len(prof.time)), "bounds": dict(size_bounds)}
    return (_iterate if green_first == "iterate" else _run)(resolved, prof, size_bounds, options, time_limit_s)
