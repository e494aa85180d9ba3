"""Perfect-foresight linear programme over the simulated hours (linopy, solved by HiGHS), a reference.

The physics and accounting of the rule-based dispatch (``docs/dispatch.md``; the flexible
elements: :mod:`.flexible`), minimising ``project_cost_yuan`` as :func:`gpdc.accounting.derive`
defines it (formulation: ``docs/lp.md``).  At fixed sizes (:func:`optimal_dispatch`) every
rule-based schedule is feasible, so the LP's cost bounds ``gpdc.simulate``'s from below; with
sizes as variables (:func:`optimal_sizing`) it finds the cheapest design.  Written in linopy,
solved by HiGHS through highspy: the optional extra ``gpdc[lp]``.  :mod:`.result` reads a
solution through the simulator's own accounting.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from gpdc.accounting import period_years
from gpdc.accounting.costs import capital_recovery_factor
from gpdc.accounting.energy import energy_totals
from gpdc.accounting.tariffs import tariff_charges
from gpdc.errors import InputError, LPInfeasibleError, LPSolveError
from gpdc.kernels import layout as L
from gpdc.kernels.spec import N_TOTALS
from gpdc.optimal.flexible import flexible_model
from gpdc.optimal.result import LPResult, Problem, read_solution, sizes_of
from gpdc.pipeline import Prepared, prepare
from gpdc.profiles import ProfileSet
from gpdc.runs import as_resolved
from gpdc.scenario.resolve import Resolved
from gpdc.scenario.schema import Scenario

__all__ = ["TARGETS", "optimal_dispatch", "optimal_sizing"]

#: user targets :func:`optimal_sizing` accepts: name -> (metric, "min" or "max")
TARGETS: dict[str, tuple[str, str]] = {
    "min_self_use_frac": ("self_use_share", "min"), "min_green_share_of_load_frac": ("green_share_of_load", "min"),
    "max_export_frac": ("export_share", "max"), "max_curtailment_frac": ("curtailment_rate", "max"),
    "max_unserved_frac": ("unserved share of load", "max"),
    "max_hydrogen_co2_kg_per_kg": ("hydrogen_co2_direct_kg_per_kg", "max")}
#: binaries (surplus hours in sizing, the electrolyser's on/off) up to this many hours in "auto" modes
BINARY_UP_TO_HOURS = 744
#: from this many hours on, HiGHS's interior-point method (with crossover) instead of its default
IPM_FROM_HOURS = 2000
_FAILED = ("infeasible", "infeasible_or_unbounded")


def _build(pre: Prepared, bounds: dict[str, tuple[float, float]], *, policy: bool, targets: dict[str, float],
           end_storage: str, grid_charge_any_hour: bool, green_first: str = "binary", commit: bool = False,
           surplus_hours: np.ndarray | None = None, keep: set[str] | None = None) -> Problem:
    """The model of docs/lp.md; ``keep``: the policy and target constraints to include (None: all)."""
    import linopy

    t0 = time.perf_counter()
    r, sc, x = pre.resolved, pre.scenario, pre.inputs
    p, dt, n = x.params[:, 0], x.dt_h, x.n_hours
    load, cw, cs = x.load_mw * dt, x.cf_wind * dt, x.cf_solar * dt  # per step; generation per MW of plant
    loss, eta_c, eta_d = p[L.P_LINE_LOSS_FRAC], p[L.P_ETA_CHARGE], p[L.P_ETA_DISCHARGE]
    import_e, cap = p[L.P_IMPORT_MW] * dt, p[L.P_EXPORT_CAP_FRAC]
    init_frac = 0.0 if sc.storage.initial_soc_frac is None else sc.storage.initial_soc_frac - sc.storage.soc_min_frac
    m = linopy.Model()
    hours = pd.RangeIndex(n, name="t")

    def ser(a: Any) -> pd.Series:  # a number or an hourly array over the hour coordinate
        return pd.Series(np.broadcast_to(np.asarray(a, dtype=np.float64), (n,)), index=hours)

    def line_in(k: int) -> np.ndarray:  # energy into the line with the sizes' lower (0) or upper (1) bounds
        return np.minimum(bounds["wind_mw"][k] * cw + bounds["solar_mw"][k] * cs, bounds["line_mw"][k] * dt)

    # green energy serves the load first (docs/lp.md): with the plants given, what arrives is a number;
    # else hours whose class no sizes within the bounds can change are classed exactly
    fixed_gen = all(bounds[k][0] == bounds[k][1] for k in ("wind_mw", "solar_mw", "line_mw"))
    deficit, surplus = (1.0 - loss) * line_in(1) < load, (1.0 - loss) * line_in(0) >= load
    if surplus_hours is not None:  # the classing of a round of green_first="iterate"
        deficit, surplus = ~surplus_hours, surplus_hours
    fix = {}
    if fixed_gen:  # no hour to class: line_in and direct are fixed
        fix = {"line_in": line_in(0), "direct": np.minimum(line_in(0) * (1.0 - loss), load)}
        deficit = surplus = np.zeros(n, dtype=bool)
    binary = green_first == "binary" and not fixed_gen and surplus_hours is None
    # upper bounds; a surplus hour closes import, discharge and unserved, a deficit hour green charge and export
    cheap = grid_charge_any_hour | (x.price_import <= p[L.P_GRID_CHARGE_PRICE])
    grid_charge = np.full(n, p[L.P_GRID_CHARGE] == 1.0) & cheap
    upper = {"export": p[L.P_EXPORT_MW] * dt if cap > 0.0 else 0.0, "imp_load": np.minimum(load, import_e),
             "unserved": np.maximum(load - import_e, 0.0), "ch_grid": np.where(grid_charge, np.inf, 0.0)}
    closed = {"ch_green": deficit, "export": deficit, "imp_load": surplus, "unserved": surplus, "dis_green": surplus,
              "dis_grid": surplus}

    def var(name: str, lo: Any = 0.0, up: Any = np.inf, **kw: Any) -> Any:  # an hourly variable
        up = np.where(closed.get(name, False), 0.0, upper.get(name, up))
        return m.add_variables(lower=ser(fix.get(name, lo)), upper=ser(fix.get(name, up)), name=name, **kw)

    v = {b: var(b) for b in ("line_in", "direct", "ch_green", "ch_grid", "dis_green", "dis_grid", "green", "grid",
                             "export", "imp_load", "unserved")}
    s = {k: m.add_variables(lower=lo, upper=up, name=k) for k, (lo, up) in bounds.items()}
    kind, labels = {}, {}

    def add(name: str, con: Any, group: str = "physical", label: str = "") -> None:
        if group == "physical" or keep is None or name in keep:
            m.add_constraints(con, name=name)
            kind[name], labels[name] = group, label

    # flexible consumers (docs/flexible.md): green, storage and grid into them; their energy balances
    fx = flexible_model(m, pre, s, ser, var, add, commit) if sc.has_flexible else {}

    def plus(expr: Any, *names: str) -> Any:  # expr + the flexible elements' terms the model has
        return sum((fx[k] for k in names if k in fx), expr)

    add("line_gen", v["line_in"] - ser(cw) * s["wind_mw"] - ser(cs) * s["solar_mw"] <= 0)
    add("line_rating", v["line_in"] - dt * s["line_mw"] <= 0)
    add("green_bus", plus(v["direct"] + v["ch_green"] + v["export"], "fg") - (1.0 - loss) * v["line_in"] <= 0)
    if binary:  # surplus hour: no import, discharge or unserved; deficit hour: no green charge, no export
        hour_b = m.add_variables(lower=ser(np.where(surplus, 1.0, 0.0)), upper=ser(np.where(deficit, 0.0, 1.0)),
                                 name="surplus_hour", integer=True)
        add("green_first_surplus", v["ch_green"] + v["export"] - ser((1.0 - loss) * line_in(1)) * hour_b <= 0)
        add("green_first_deficit", v["imp_load"] + v["unserved"] + v["dis_green"] + v["dis_grid"]
            + ser(load) * hour_b <= ser(load))
    add("load_balance", plus(v["direct"] + v["dis_green"] + v["dis_grid"] + v["imp_load"] + v["unserved"], "v2g")
        == ser(load))
    imports = plus(v["imp_load"] + v["ch_grid"], "fi")
    add("import_limit", imports <= import_e)
    demand = r.basic_charge_basis == "demand" and r.fee_regime.flags["basic_charge"]
    months = pd.RangeIndex(12, name="month")
    if demand:  # one epigraph variable per billing month above every hour's import
        peak = m.add_variables(lower=0.0, coords=[months], name="peak_month")
        add("monthly_peak_import", imports / dt - peak.sel(month=pd.Series(x.month_index, index=hours).to_xarray())
            <= 0)
    add("charge_power", v["ch_green"] + v["ch_grid"] - dt * s["storage_power_mw"] <= 0)
    add("discharge_power", plus(v["dis_green"] + v["dis_grid"], "fdg", "fdr") - dt * s["storage_power_mw"] <= 0)
    first = ser(np.arange(n) == 0)
    add("green_pool", v["green"] - v["green"].shift(t=1).fillna(0) - eta_c * v["ch_green"]
        + plus(v["dis_green"], "fdg") / eta_d == 0)
    add("grid_pool", v["grid"] - v["grid"].shift(t=1).fillna(0) - eta_c * v["ch_grid"]
        + plus(v["dis_grid"], "fdr") / eta_d - init_frac * first * s["storage_energy_mwh"] == 0)
    usable = sc.storage.soc_max_frac - sc.storage.soc_min_frac
    add("storage_energy", v["green"] + v["grid"] - usable * s["storage_energy_mwh"] <= 0)
    if end_storage == "initial":
        add("end_storage", v["green"].isel(t=-1) + v["grid"].isel(t=-1) - init_frac * s["storage_energy_mwh"] >= 0)
    if cap > 0.0 and sc.grid.export_cap_rule == "running":  # the cap on the share of generation, every hour
        cum = m.add_variables(lower=0.0, coords=[hours], name="cum_export")
        add("cum_export_sum", cum - cum.shift(t=1).fillna(0) - v["export"] == 0)
        add("export_cap", cum - cap * ser(np.cumsum(cw)) * s["wind_mw"] - cap * ser(np.cumsum(cs)) * s["solar_mw"]
            <= 0)
    elif cap > 0.0:
        add("export_cap", v["export"].sum() - cap * cw.sum() * s["wind_mw"] - cap * cs.sum() * s["solar_mw"] <= 0)

    # policy ratios (the flexible consumption counts as load) and targets
    used = plus(v["direct"] + v["dis_green"], "fg", "fdg").sum()
    gen = cw.sum() * s["wind_mw"] + cs.sum() * s["solar_mw"]
    exported = v["export"].sum()
    consumed = fx["consumed"] + load.sum() if fx else load.sum()
    # the self-use share's numerator where the policy meters it (accounting.policy): at the plants it
    # is the self-used energy grossed up by the dedicated line's loss
    gross = 1.0 / (1.0 - sc.line.loss_frac) if r.self_use_metering == "plant" else 1.0
    limits = {"min_self_use_frac": lambda a: gross * used - a * gen >= 0,
              "min_green_share_of_load_frac": lambda a: used - a * consumed >= 0,
              "max_export_frac": lambda a: exported - a * gen <= 0,
              # curtailed = gen − line loss − (direct + flexible green + green charge + export) <= a·gen
              "max_curtailment_frac": lambda a: plus(v["direct"] + v["ch_green"] + v["export"] + loss * v["line_in"],
                                                     "fg").sum() - (1.0 - a) * gen >= 0,
              "max_unserved_frac": lambda a: v["unserved"].sum() <= a * load.sum(),
              "max_hydrogen_co2_kg_per_kg": lambda a: fx["h2_co2"] - a * fx["h2_kg"] <= 0}  # type: ignore[index]
    if policy:
        for key, word, group in (("min_self_use_frac", "self_use", "self-use share >="),
                                 ("min_green_share_of_load_frac", "green_share", "green share of load >="),
                                 ("max_export_frac", "export_share", "export share <=")):
            add(f"policy_{word}", limits[key](r[key]), "policy", f"{group} {r[key]:g} (policy)")
    for key, a in targets.items():
        metric, sense = TARGETS[key]
        add(f"target_{key}", limits[key](a), "target", f"{metric} {'>=' if sense == 'min' else '<='} {a:g} "
            f"(target {key})")

    # objective: the project cost over the period, term by term as accounting.derive
    period = period_years(sc.profiles.year, x)
    crf = float(capital_recovery_factor(r["discount_rate_frac"], r["lifetime_years"]))
    design, kw = pre.design, 1000.0
    cost = ((ser(x.price_import) * (imports + v["unserved"])).sum() + r["self_use_fee_yuan_per_mwh"] * used
            - (ser(x.price_export) * v["export"]).sum() + period * kw * (
                (r["wind_capex_yuan_per_kw"] * crf + r["wind_om_yuan_per_kw_year"]) * s["wind_mw"]
                + (r["solar_capex_yuan_per_kw"] * crf + r["solar_om_yuan_per_kw_year"]) * s["solar_mw"]
                + r["storage_capex_yuan_per_kwh"] * (crf + r["storage_om_frac_per_year"]) * s["storage_energy_mwh"]
                + crf * float(design.number("finance.storage_power_capex_yuan_per_kw")[0]) * s["storage_power_mw"]))
    fixed_capex = (sc.line.length_km * r["line_capex_yuan_per_km"] + float(
        design.number("finance.line_bays_capex_yuan")[0] + design.number("finance.grid_connection_capex_yuan")[0]))
    charges = tariff_charges(design, x, energy_totals(x, np.zeros((1, N_TOTALS))), np.zeros((1, 12)))
    # monthly charges that do not depend on the dispatch are a constant; a demand charge is priced on the epigraph
    constant = fixed_capex * crf * period + float(charges["basic_charge_yuan"][0] + charges["capacity_td_fee_yuan"][0])
    if demand:
        rate = float(design.value("demand_charge_yuan_per_kw_month")[0])
        cost = cost + (peak * pd.Series(rate * kw * x.month_weight, index=months)).sum()
    if fx:
        cost = cost + fx["cost"](crf, period)
        constant += fx["constant"]
    m.add_objective(cost)
    return Problem(m, constant, kind, labels, all(lo == up for lo, up in bounds.values()),
                   binary or bool(fx and fx["mip"]), n, time.perf_counter() - t0)


def _solve(prob: Problem, time_limit_s: float | None) -> str:
    """Solve with HiGHS; return linopy's termination condition."""
    options: dict[str, Any] = {"output_flag": False, "presolve": "on", "progress": False}
    options.update({} if time_limit_s is None else {"time_limit": float(time_limit_s)})
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
        return LPInfeasibleError(f"infeasible: {what} cannot be met with {sizes}: {detail}",
                                 [full.labels[g] for g in alone])
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


def _run(pre: Prepared, bounds: dict[str, tuple[float, float]], options: dict[str, Any], time_limit_s: float | None,
         surplus_hours: np.ndarray | None = None) -> LPResult:
    try:
        import linopy  # noqa: F401
    except ImportError as exc:
        raise LPSolveError("the LP needs the optional extra: pip install 'gpdc[lp]' (linopy, highspy)") from exc
    mode = options.get("green_first", "binary")
    commit = options["commitment"] == "binary"

    def build(keep: set[str] | None) -> Problem:
        return _build(pre, bounds, policy=options["policy"], targets=options["targets"],
                      end_storage=options["end_storage"], grid_charge_any_hour=options["grid_charge_any_hour"],
                      green_first="relaxed" if mode == "iterate" else mode, commit=commit,
                      surplus_hours=surplus_hours, keep=keep)

    prob, t0 = build(None), time.perf_counter()
    condition, solve_time = _solve(prob, time_limit_s), time.perf_counter() - t0
    if condition in _FAILED:
        raise _diagnose(build, time_limit_s)
    if condition != "optimal":
        what = {"time_limit": "HiGHS stopped at its time or iteration limit before the optimum",
                "unbounded": "the LP is unbounded: a size without a finite upper bound, or a negative price, lets "
                             "cost fall without limit"}.get(condition, "HiGHS failed")
        raise LPSolveError(f"{what} (HiGHS termination: {condition})")
    return read_solution(prob, pre, {**options, "_solve_time_s": solve_time})


def _iterate(pre: Prepared, bounds: dict[str, tuple[float, float]], options: dict[str, Any], time_limit_s: float | None,
             max_rounds: int = 8) -> LPResult:
    """Green first by classing hours: relaxed LP (lower bound), then LPs with the hours fixed (docs/lp.md)."""
    t0, x = time.perf_counter(), pre.inputs
    relaxed = _run(pre, bounds, {**options, "green_first": "relaxed"}, time_limit_s)
    best: LPResult | None = None
    seen: list[np.ndarray] = []
    sizes, rounds = relaxed.sizes, 0
    for rounds in range(1, max_rounds + 1):  # noqa: B007 - the count is reported
        gen = sizes["wind_mw"] * x.cf_wind + sizes["solar_mw"] * x.cf_solar
        mask = (1.0 - pre.scenario.line.loss_frac) * np.minimum(gen, sizes["line_mw"]) >= x.load_mw
        if any(np.array_equal(mask, x) for x in seen):
            break
        seen.append(mask)
        try:
            res = _run(pre, bounds, options, time_limit_s, surplus_hours=mask)
        except LPInfeasibleError:
            if best is None and rounds == max_rounds:
                raise
            sizes = {k: 0.5 * (sizes[k] + bounds[k][1]) for k in sizes}  # more plant: try wider surplus
            continue
        if best is None or res.objective_yuan < best.objective_yuan:
            best = res
        sizes = res.sizes
    if best is None:  # never a consistent classing: the exact MILP decides
        return _run(pre, bounds, {**options, "green_first": "binary"}, time_limit_s)
    opts = {**best.options, "lower_bound_yuan": relaxed.objective_yuan, "rounds": rounds}
    return dataclasses.replace(best, options=opts, solve_time_s=time.perf_counter() - t0)


def _commitment(mode: str, n_hours: int) -> str:
    if mode not in ("auto", "binary", "relaxed"):
        raise InputError(f"commitment = {mode!r} is invalid: 'auto', 'binary' or 'relaxed'")
    return ("binary" if n_hours <= BINARY_UP_TO_HOURS else "relaxed") if mode == "auto" else mode


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
        The electrolyser's on/off: one binary per hour (a MILP, exact) or in [0, 1] (a lower
        bound); "auto": binary up to :data:`BINARY_UP_TO_HOURS` hours.
    time_limit_s : float, optional
        HiGHS time limit [s].

    Returns
    -------
    LPResult
        ``objective_yuan`` is comparable with ``project_cost_yuan`` of :func:`gpdc.simulate`.

    Raises
    ------
    LPInfeasibleError
        When the policy cannot be met with these sizes (naming it and the best reachable value).
    LPSolveError
        When HiGHS stops without an optimum, or linopy / highspy are not installed.
    """
    pre = prepare(as_resolved(scenario), profiles=profiles)
    bounds = {k: (x, x) for k, x in sizes_of(pre.scenario).items()}
    options = {"kind": "dispatch", "policy": bool(policy), "targets": {}, "end_storage": end_storage,
               "grid_charge_any_hour": bool(grid_charge_any_hour),
               "commitment": _commitment(commitment, pre.inputs.n_hours)}
    return _run(pre, bounds, options, time_limit_s)


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
        ``{size: (lower, upper)}`` for sizes of :data:`SIZE_FIELDS` the scenario has, finite,
        0 ≤ lower ≤ upper [MW, MWh, kg].
    targets : dict of str to float, optional
        Hard constraints on top of the policy, :data:`TARGETS` [1; kg CO2/kg for hydrogen].
    profiles, policy, commitment, end_storage, grid_charge_any_hour, time_limit_s
        As for :func:`optimal_dispatch`.
    green_first : {"auto", "binary", "iterate", "relaxed"}
        How green energy serves the load first when the plants vary: one binary per hour
        (a MILP, exact); hours classed with the previous round's sizes (LPs, the relaxed
        optimum in ``options["lower_bound_yuan"]``); the rule dropped (a lower bound).
        "auto": binary up to :data:`BINARY_UP_TO_HOURS` hours, else iterate.

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
    size_bounds = {k: (x, x) for k, x in sizes_of(resolved.scenario).items()}
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
    pre = prepare(resolved, profiles=profiles)
    if green_first == "auto":
        green_first = "binary" if pre.inputs.n_hours <= BINARY_UP_TO_HOURS else "iterate"
    if green_first not in ("binary", "iterate", "relaxed"):
        raise InputError(f"green_first = {green_first!r} is invalid: 'auto', 'binary', 'iterate' or 'relaxed'")
    options = {"kind": "sizing", "policy": bool(policy), "targets": tg, "end_storage": end_storage,
               "grid_charge_any_hour": bool(grid_charge_any_hour), "green_first": green_first,
               "commitment": _commitment(commitment, pre.inputs.n_hours), "bounds": dict(size_bounds)}
    return (_iterate if green_first == "iterate" else _run)(pre, size_bounds, options, time_limit_s)
