"""Perfect-foresight linear programme over the simulated hours (scipy's HiGHS), a reference.

The LP has the physics and the accounting of the rule-based dispatch (``docs/dispatch.md``)
and minimises the project's cost over the period exactly as
:func:`gpdc.accounting.costs.costs` defines ``project_cost_yuan``; the formulation is in
``docs/lp.md``.  For fixed sizes (:func:`optimal_dispatch`) every schedule the rule-based
dispatch can produce is feasible for the LP, so the LP's cost is a lower bound on
``gpdc.simulate(...)``'s ``project_cost_yuan``; with sizes as variables
(:func:`optimal_sizing`) it gives the cheapest design under perfect foresight.

The matrix is built without loops over hours: every hourly constraint group is one set of
NumPy index arrays, assembled once into a ``scipy.sparse`` matrix.  The hourly flows of the
solution are reduced into the kernels' totals (:func:`gpdc.kernels.spec.reduce_flows`) and go
through :func:`gpdc.accounting.derive`, so every metric of an LP result is computed by the same
code as a simulation's — the demand charge on the LP's own monthly maximum import.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from gpdc.accounting import derive, period_years, variants
from gpdc.accounting.costs import capital_recovery_factor
from gpdc.accounting.energy import energy_totals
from gpdc.accounting.tariffs import tariff_charges
from gpdc.errors import InputError, LPInfeasibleError, LPSolveError
from gpdc.kernels import layout as L
from gpdc.kernels.spec import N_TOTALS, reduce_flows
from gpdc.pipeline import (
    Design,
    KernelInputs,
    billing_months,
    build_profiles,
    design_params,
    hourly_prices,
    make_inputs,
    run_totals,
    tou_multiplier,
)
from gpdc.profiles import ProfileSet
from gpdc.scenario.load import load_scenario, scenario_from_dict, set_dotted
from gpdc.scenario.resolve import Resolved, resolve
from gpdc.scenario.schema import Scenario

__all__ = [
    "SIZE_FIELDS",
    "TARGETS",
    "LPResult",
    "optimal_dispatch",
    "optimal_sizing",
    "sized_scenario",
]

#: the sizes the LP may treat as variables, and the scenario field each one sets
SIZE_FIELDS: dict[str, str] = {
    "wind_mw": "wind.capacity_mw",
    "solar_mw": "solar.capacity_mw",
    "storage_power_mw": "storage.power_mw",
    "storage_energy_mwh": "storage.energy_mwh",
    "line_mw": "line.rating_mw",
}

#: user targets :func:`optimal_sizing` accepts: name -> (metric, "min" or "max")
TARGETS: dict[str, tuple[str, str]] = {
    "min_self_use_frac": ("self_use_share", "min"),
    "min_green_share_of_load_frac": ("green_share_of_load", "min"),
    "max_export_frac": ("export_share", "max"),
    "max_curtailment_frac": ("curtailment_rate", "max"),
    "max_unserved_frac": ("unserved share of load", "max"),
}

#: hourly variable blocks, in column order
_BLOCKS: tuple[str, ...] = (
    "line_in",  # energy entering the line [MWh]
    "direct",  # green energy used at once by the load [MWh]
    "ch_green",  # storage charge from green surplus, drawn from the bus [MWh]
    "ch_grid",  # storage charge from the grid [MWh]
    "dis_green",  # storage discharge, green pool, delivered to the load [MWh]
    "dis_grid",  # storage discharge, grid pool, delivered to the load [MWh]
    "green",  # usable energy in the green pool at the end of the step [MWh]
    "grid",  # usable energy in the grid pool at the end of the step [MWh]
    "export",  # green energy fed into the grid [MWh]
    "cum_export",  # cumulative export (running export rule only) [MWh]
    "imp_load",  # import for the load [MWh]
    "unserved",  # load not served [MWh]
    "surplus_hour",  # 1 where green energy exceeds the load (binary; sizing with green_first="binary")
)
_SIZES: tuple[str, ...] = tuple(SIZE_FIELDS)
#: optimal_sizing(green_first="auto") solves the exact MILP up to this many hours
BINARY_UP_TO_HOURS = 744
#: from this many hours on, HiGHS's interior-point method (with crossover) instead of its default
IPM_FROM_HOURS = 2000
_PHYSICAL = "physical"
_POLICY_NAMES = {
    "policy_self_use": "self-use share >= {v:g} (policy)",
    "policy_green_share": "green share of load >= {v:g} (policy)",
    "policy_export_share": "export share <= {v:g} (policy)",
}


@dataclass(frozen=True)
class LPResult:
    """The optimum of one LP.

    Attributes
    ----------
    objective_yuan : float
        Project cost over the period at the optimum [yuan]: import bill (hourly price with the
        fee regime's per-MWh components) + unserved load at the hour's import price + fees on
        self-used energy + monthly charges (basic capacity or demand charge, 1192号 capacity
        fee) − export revenue + annualised capex + O&M, as ``project_cost_yuan`` of
        :func:`gpdc.simulate`; a demand charge is on the LP's own monthly maximum import.
    sizes : dict of str to float
        ``wind_mw``, ``solar_mw``, ``storage_power_mw``, ``storage_energy_mwh``, ``line_mw``
        at the optimum (the scenario's own values where they were fixed) [MW, MWh].
    flows : dict of str to float64[n_hours]
        Hourly flows in the names of the trace kernel (``gen_avail_mwh``, ``direct_mwh``,
        ``charge_green_mwh`` …, ``storage_green_mwh``, ``storage_grid_mwh``) [MWh per step].
    totals : dict of str to float
        Every variable :func:`gpdc.accounting.derive` gives (energy, policy, cost,
        emissions), computed from the LP's flows by the same code [units as in docs/metrics.md].
    binding : dict of str to float
        Policy and target constraints that bind at the optimum, with their shadow price
        [yuan per MWh of the constraint's energy] (NaN after a MILP, which has no duals; after
        ``green_first="iterate"``, the prices of the last LP, hours classed).
    status : str
        ``"optimal"`` (anything else raises).
    solve_time_s, build_time_s : float
        Wall time of HiGHS and of building the matrix [s].
    n_variables, n_constraints : int
        Size of the LP (before HiGHS's presolve).
    scenario : Scenario
        The scenario with the optimal sizes written in.
    profiles : ProfileSet
        The hourly profiles the LP ran on.
    options : dict
        The formulation options used (policy, targets, end condition, grid-charging hours).
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


# ---------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------


def as_resolved(scenario: Scenario | Resolved | str | Path) -> Resolved:
    """A scenario given as itself, resolved, or as a TOML file, resolved."""
    if isinstance(scenario, Resolved):
        return scenario
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    return resolve(sc)


def profiles_of(resolved: Resolved, profiles: ProfileSet | None) -> ProfileSet:
    """The given profiles, else those the scenario builds."""
    return profiles if profiles is not None else build_profiles(resolved.scenario)


def sized_scenario(scenario: Scenario, sizes: dict[str, float]) -> Scenario:
    """Return ``scenario`` with the given sizes written in (validated again).

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    sizes : dict of str to float
        Keys of :data:`SIZE_FIELDS` [MW, MWh].

    Raises
    ------
    ScenarioErrors
        When a size is not a valid value of its field.
    """
    data = scenario.model_dump(mode="python")
    for key, value in sizes.items():
        set_dotted(data, SIZE_FIELDS[key], float(value))
    return scenario_from_dict(data, source=scenario.name)


# ---------------------------------------------------------------------------------------
# the LP
# ---------------------------------------------------------------------------------------


class _Rows:
    """Constraint rows collected as COO triplets, one named group at a time."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.groups: dict[str, tuple[int, int]] = {}
        self.kind: dict[str, str] = {}
        self.n = 0

    def add(self, name: str, n_rows: int, lo: Any, hi: Any, *terms: tuple[Any, Any, Any],
            kind: str = _PHYSICAL) -> None:
        """Add ``n_rows`` rows ``lo <= Σ terms <= hi``; a term is (local rows, columns, values)."""
        for r, c, v in terms:
            r_, c_, v_ = np.broadcast_arrays(np.asarray(r), np.asarray(c), np.asarray(v, dtype=np.float64))
            self.rows.append(self.n + r_.ravel())
            self.cols.append(c_.ravel())
            self.vals.append(v_.ravel())
        self.lo.append(np.broadcast_to(np.asarray(lo, dtype=np.float64), (n_rows,)))
        self.hi.append(np.broadcast_to(np.asarray(hi, dtype=np.float64), (n_rows,)))
        start = self.groups[name][0] if name in self.groups else self.n
        self.groups[name] = (start, self.n + n_rows)
        self.kind[name] = kind
        self.n += n_rows

    def matrix(self, n_cols: int) -> tuple[sp.csr_array, np.ndarray, np.ndarray]:
        a = sp.coo_array((np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
                         shape=(self.n, n_cols)).tocsr()
        return a, np.concatenate(self.lo), np.concatenate(self.hi)


@dataclass
class _Problem:
    """One assembled LP with what is needed to read its solution."""

    c: np.ndarray
    a: sp.csr_array
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    integrality: np.ndarray
    constant_yuan: float
    groups: dict[str, tuple[int, int]]
    kind: dict[str, str]
    labels: dict[str, str]
    col: dict[str, int]
    n_hours: int
    build_time_s: float


def _build(
    resolved: Resolved,
    prof: ProfileSet,
    size_bounds: dict[str, tuple[float, float]],
    *,
    policy: bool,
    targets: dict[str, float],
    end_storage: Literal["free", "initial"],
    grid_charge_any_hour: bool,
    green_first: Literal["binary", "relaxed"] = "binary",
    surplus_hours: np.ndarray | None = None,
) -> _Problem:
    t0 = time.perf_counter()
    sc = resolved.scenario
    n = len(prof.time)
    dt = 1.0
    price_import, price_export = hourly_prices(resolved, prof)
    p = design_params(Design(resolved))[:, 0]
    load_e = np.asarray(prof.load_mw, dtype=np.float64) * dt
    cwd = np.asarray(prof.cf_wind, dtype=np.float64) * dt
    csd = np.asarray(prof.cf_solar, dtype=np.float64) * dt
    cw_tot, cs_tot = float(np.sum(cwd)), float(np.sum(csd))

    # column layout: hourly blocks, then the five sizes
    col: dict[str, int] = {}
    fixed_gen = all(size_bounds[k][0] == size_bounds[k][1] for k in ("wind_mw", "solar_mw", "line_mw"))
    binary = green_first == "binary" and not fixed_gen and surplus_hours is None
    blocks = [b for b in _BLOCKS if (b != "cum_export" or sc.grid.export_cap_rule == "running")
              and (b != "surplus_hour" or binary)]
    for k, b in enumerate(blocks):
        col[b] = k * n
    n_cols = len(blocks) * n + len(_SIZES) + 12
    for k, s in enumerate(_SIZES):
        col[s] = len(blocks) * n + k
    col["peak_month"] = len(blocks) * n + len(_SIZES)  # 12 monthly maximum imports [MW] (demand charge)
    t = np.arange(n)

    def h(block: str) -> np.ndarray:
        return col[block] + t

    col_lo = np.zeros(n_cols)
    col_hi = np.full(n_cols, np.inf)
    for s in _SIZES:
        col_lo[col[s]], col_hi[col[s]] = size_bounds[s]

    loss = p[L.P_LINE_LOSS_FRAC]
    eta_c, eta_d = p[L.P_ETA_CHARGE], p[L.P_ETA_DISCHARGE]
    soc_min = sc.storage.soc_min_frac
    usable_frac = sc.storage.soc_max_frac - soc_min
    init_soc = sc.storage.initial_soc_frac
    init_frac = 0.0 if init_soc is None else init_soc - soc_min  # all counted as grid energy
    import_e = p[L.P_IMPORT_MW] * dt
    cap = p[L.P_EXPORT_CAP_FRAC]

    # variable bounds that are plain numbers
    col_hi[h("export")] = p[L.P_EXPORT_MW] * dt if cap > 0.0 else 0.0
    col_hi[h("unserved")] = np.maximum(load_e - import_e, 0.0)
    col_hi[h("imp_load")] = np.minimum(load_e, import_e)
    integrality = np.zeros(n_cols, dtype=np.int64)
    # green energy serves the load first (docs/dispatch.md): direct = min(arrive, load), so the
    # store charges from green and the project exports only in hours of green surplus, and the
    # load imports or discharges only in hours of deficit.  Without it the LP could import for
    # the load while charging "green" (grid charging under a green label) or while exporting.
    if fixed_gen:  # the plants are given: what arrives each hour is a number
        line_in = np.minimum(size_bounds["wind_mw"][0] * cwd + size_bounds["solar_mw"][0] * csd,
                             size_bounds["line_mw"][0] * dt)
        col_lo[h("line_in")] = col_hi[h("line_in")] = line_in
        col_lo[h("direct")] = col_hi[h("direct")] = np.minimum(line_in * (1.0 - p[L.P_LINE_LOSS_FRAC]), load_e)
    else:
        # hours whose class no sizes within the bounds can change: deficit even with the
        # largest plants, surplus even with the smallest — exact in every mode
        def arrive(k: int) -> np.ndarray:
            gen = size_bounds["wind_mw"][k] * cwd + size_bounds["solar_mw"][k] * csd
            return (1.0 - p[L.P_LINE_LOSS_FRAC]) * np.minimum(gen, size_bounds["line_mw"][k] * dt)

        always_deficit, always_surplus = arrive(1) < load_e, arrive(0) >= load_e
        for block in ("ch_green", "export"):
            col_hi[h(block)] = np.where(always_deficit, 0.0, col_hi[h(block)])
        for block in ("imp_load", "unserved", "dis_green", "dis_grid"):
            col_hi[h(block)] = np.where(always_surplus, 0.0, col_hi[h(block)])
        if surplus_hours is not None:  # hours classed beforehand: surplus or deficit, linear again
            for block in ("imp_load", "unserved", "dis_green", "dis_grid"):
                col_hi[h(block)] = np.where(surplus_hours, 0.0, col_hi[h(block)])
            for block in ("ch_green", "export"):
                col_hi[h(block)] = np.where(surplus_hours, col_hi[h(block)], 0.0)
        elif binary:  # a binary only where the class is open
            col_lo[h("surplus_hour")] = np.where(always_surplus, 1.0, 0.0)
            col_hi[h("surplus_hour")] = np.where(always_deficit, 0.0, 1.0)
            integrality[h("surplus_hour")] = 1
    gc_hours = np.full(n, p[L.P_GRID_CHARGE] == 1.0)
    if not grid_charge_any_hour:
        gc_hours &= price_import <= p[L.P_GRID_CHARGE_PRICE]
    col_hi[h("ch_grid")] = np.where(gc_hours, np.inf, 0.0)

    rows = _Rows()
    z = np.zeros(n, dtype=np.int64)
    one = np.ones(n)
    # line: what enters it is at most the available generation and the rating
    rows.add("line", n, -np.inf, 0.0, (t, h("line_in"), 1.0), (t, col["wind_mw"], -cwd), (t, col["solar_mw"], -csd))
    rows.add("line", n, -np.inf, 0.0, (t, h("line_in"), 1.0), (t, col["line_mw"], -dt * one))
    # green side of the user bus: direct use, green charge and export come from what arrives
    rows.add("green bus", n, -np.inf, 0.0, (t, h("direct"), 1.0), (t, h("ch_green"), 1.0), (t, h("export"), 1.0),
             (t, h("line_in"), -(1.0 - loss)))
    if binary:  # surplus hour: no import, discharge or unserved; deficit hour: no green charge, no export
        big_gen = (1.0 - p[L.P_LINE_LOSS_FRAC]) * np.minimum(
            size_bounds["wind_mw"][1] * cwd + size_bounds["solar_mw"][1] * csd, size_bounds["line_mw"][1] * dt)
        rows.add("green first", n, -np.inf, 0.0, (t, h("ch_green"), 1.0), (t, h("export"), 1.0),
                 (t, h("surplus_hour"), -big_gen))
        rows.add("green first", n, -np.inf, load_e, (t, h("imp_load"), 1.0), (t, h("unserved"), 1.0),
                 (t, h("dis_green"), 1.0), (t, h("dis_grid"), 1.0), (t, h("surplus_hour"), load_e))
    # load side: the load is served by direct use, discharge, import and (priced) unserved energy
    rows.add("load balance", n, load_e, load_e, (t, h("direct"), 1.0), (t, h("dis_green"), 1.0),
             (t, h("dis_grid"), 1.0), (t, h("imp_load"), 1.0), (t, h("unserved"), 1.0))
    rows.add("import limit", n, -np.inf, import_e, (t, h("imp_load"), 1.0), (t, h("ch_grid"), 1.0))
    demand = resolved.basic_charge_basis == "demand" and resolved.fee_regime.flags["basic_charge"]
    month_of_hour, _ = billing_months(prof, dt)
    if demand:
        rows.add("monthly peak import", n, -np.inf, 0.0, (t, h("imp_load"), 1.0 / dt),
                 (t, h("ch_grid"), 1.0 / dt), (t, col["peak_month"] + month_of_hour, -1.0))
    rows.add("storage power", n, -np.inf, 0.0, (t, h("ch_green"), 1.0), (t, h("ch_grid"), 1.0),
             (t, col["storage_power_mw"], -dt * one))
    rows.add("storage power", n, -np.inf, 0.0, (t, h("dis_green"), 1.0), (t, h("dis_grid"), 1.0),
             (t, col["storage_power_mw"], -dt * one))
    # the two pools: end-of-step energy = previous + charge·η_c − discharge/η_d
    prev = t[1:]
    for pool, ch, dis in (("green", "ch_green", "dis_green"), ("grid", "ch_grid", "dis_grid")):
        terms: list[tuple[Any, Any, Any]] = [(t, h(pool), 1.0), (prev, col[pool] + prev - 1, -1.0),
                                             (t, h(ch), -eta_c), (t, h(dis), 1.0 / eta_d)]
        if pool == "grid":  # the initial usable energy (∝ storage energy) starts in the grid pool
            terms.append((0, col["storage_energy_mwh"], -init_frac))
        rows.add("storage balance", n, 0.0, 0.0, *terms)
    rows.add("storage energy", n, -np.inf, 0.0, (t, h("green"), 1.0), (t, h("grid"), 1.0),
             (t, col["storage_energy_mwh"], -usable_frac * one))
    if end_storage == "initial":
        rows.add("end storage", 1, 0.0, np.inf, (0, col["green"] + n - 1, 1.0), (0, col["grid"] + n - 1, 1.0),
                 (0, col["storage_energy_mwh"], -init_frac))
    # export cap on the share of available generation
    if cap > 0.0 and sc.grid.export_cap_rule == "running":
        rows.add("export cap", n, 0.0, 0.0, (t, h("cum_export"), 1.0), (prev, col["cum_export"] + prev - 1, -1.0),
                 (t, h("export"), -1.0))
        rows.add("export cap", n, -np.inf, 0.0, (t, h("cum_export"), 1.0),
                 (t, col["wind_mw"], -cap * np.cumsum(cwd)), (t, col["solar_mw"], -cap * np.cumsum(csd)))
    elif cap > 0.0:
        rows.add("export cap", 1, -np.inf, 0.0, (z, h("export"), 1.0), (0, col["wind_mw"], -cap * cw_tot),
                 (0, col["solar_mw"], -cap * cs_tot))
    elif "cum_export" in col:
        col_hi[h("cum_export")] = 0.0

    labels: dict[str, str] = {}
    used = [(z, h("direct"), 1.0), (z, h("dis_green"), 1.0)]

    def share_of_gen(name: str, label: str, v: float, sign: float, terms: list[tuple[Any, Any, Any]],
                     kind: str) -> None:
        # sign·(Σ terms − v·gen_avail) ≥ 0
        gen_terms = [(0, col["wind_mw"], -v * cw_tot), (0, col["solar_mw"], -v * cs_tot)]
        all_terms = [(r, c, sign * np.asarray(x)) for r, c, x in [*terms, *gen_terms]]
        rows.add(name, 1, 0.0, np.inf, *all_terms, kind=kind)
        labels[name] = label

    load_tot = float(np.sum(load_e))
    # the self-use share's numerator where the policy meters it (accounting.policy): at the plants it
    # is the self-used energy grossed up by the dedicated line's loss
    gross = 1.0 / (1.0 - sc.line.loss_frac) if resolved.self_use_metering == "plant" else 1.0
    used_metered = [(r, c, x * gross) for r, c, x in used]
    if policy:
        v = resolved["min_self_use_frac"]
        share_of_gen("policy_self_use", _POLICY_NAMES["policy_self_use"].format(v=v), v, 1.0, used_metered, "policy")
        v = resolved["min_green_share_of_load_frac"]
        rows.add("policy_green_share", 1, v * load_tot, np.inf, *used, kind="policy")
        labels["policy_green_share"] = _POLICY_NAMES["policy_green_share"].format(v=v)
        v = resolved["max_export_frac"]
        share_of_gen("policy_export_share", _POLICY_NAMES["policy_export_share"].format(v=v), v, -1.0,
                     [(z, h("export"), 1.0)], "policy")
    for key, v in targets.items():
        name = f"target_{key}"
        metric, sense = TARGETS[key]
        label = f"{metric} {'>=' if sense == 'min' else '<='} {v:g} (target {key})"
        if key == "min_self_use_frac":
            share_of_gen(name, label, v, 1.0, used_metered, "target")
        elif key == "min_green_share_of_load_frac":
            rows.add(name, 1, v * load_tot, np.inf, *used, kind="target")
            labels[name] = label
        elif key == "max_export_frac":
            share_of_gen(name, label, v, -1.0, [(z, h("export"), 1.0)], "target")
        elif key == "max_curtailment_frac":
            # curtailed = gen − line loss − (direct + green charge + export); ≤ v·gen, i.e.
            # direct + ch_green + export + loss·line_in − (1 − v)·gen ≥ 0
            share_of_gen(name, label, 1.0 - v, 1.0,
                         [(z, h("direct"), 1.0), (z, h("ch_green"), 1.0), (z, h("export"), 1.0),
                          (z, h("line_in"), loss)], "target")
        else:  # max_unserved_frac
            rows.add(name, 1, -np.inf, v * load_tot, (z, h("unserved"), 1.0), kind="target")
            labels[name] = label

    a, row_lo, row_hi = rows.matrix(n_cols)

    # objective: the project cost over the period, term by term as accounting.costs.costs
    period = period_years(sc.profiles.year, make_inputs(cwd, csd, load_e, price_import, price_export, p))
    crf = float(capital_recovery_factor(resolved["discount_rate_frac"], resolved["lifetime_years"]))
    kw = 1000.0
    c = np.zeros(n_cols)
    c[h("imp_load")] = price_import
    c[h("ch_grid")] = price_import
    c[h("unserved")] = price_import
    fee = resolved["self_use_fee_yuan_per_mwh"]
    c[h("direct")] = fee
    c[h("dis_green")] = fee
    c[h("export")] = -price_export
    c[col["wind_mw"]] = period * kw * (resolved["wind_capex_yuan_per_kw"] * crf + resolved["wind_om_yuan_per_kw_year"])
    c[col["solar_mw"]] = period * kw * (resolved["solar_capex_yuan_per_kw"] * crf
                                         + resolved["solar_om_yuan_per_kw_year"])
    c[col["storage_energy_mwh"]] = period * kw * resolved["storage_capex_yuan_per_kwh"] * (
        crf + resolved["storage_om_frac_per_year"])
    design = Design(resolved)
    c[col["storage_power_mw"]] = period * kw * crf * float(
        design.field("finance.storage_power_capex_yuan_per_kw").astype(np.float64)[0])
    fixed_capex = (sc.line.length_km * resolved["line_capex_yuan_per_km"]
                   + float(design.field("finance.line_bays_capex_yuan").astype(np.float64)[0])
                   + float(design.field("finance.grid_connection_capex_yuan").astype(np.float64)[0]))
    constant = fixed_capex * crf * period
    # monthly charges (docs/tariffs.md): the capacity-based basic charge and the 1192号 T&D
    # capacity fee do not depend on the dispatch; a demand charge is one epigraph variable per
    # billing month, peak_m >= import_h / dt for every hour h of month m
    month_index, month_weight = billing_months(prof, dt)
    charges = _monthly_charges(design, make_inputs(prof.cf_wind, prof.cf_solar, prof.load_mw, price_import,
                                                   price_export, p, month_index=month_index,
                                                   month_weight=month_weight))
    constant += float(charges["basic_charge_yuan"][0] + charges["capacity_td_fee_yuan"][0])
    if demand:
        rate = float(design.value("demand_charge_yuan_per_kw_month")[0])
        c[col["peak_month"] + np.arange(12)] = rate * kw * month_weight
    return _Problem(c, a, row_lo, row_hi, col_lo, col_hi, integrality, constant, rows.groups, rows.kind, labels, col, n,
                    time.perf_counter() - t0)


def _monthly_charges(design: Design, inputs: KernelInputs) -> dict[str, np.ndarray]:
    """Return the monthly charges that do not depend on the dispatch (the capacity-based basic charge, 1192号 fee).

    A demand charge is the LP's own variable (one epigraph per billing month); here its peak is 0.
    """
    energy = energy_totals(inputs, np.zeros((1, N_TOTALS)))
    return tariff_charges(design, inputs, energy, np.zeros((1, 12)))


def _solve(prob: _Problem, keep: set[str] | None = None, time_limit_s: float | None = None) -> Any:
    """Solve with HiGHS, keeping only the row groups in ``keep`` (all when None)."""
    mask = np.ones(prob.a.shape[0], dtype=bool)
    if keep is not None:
        for name, (r0, r1) in prob.groups.items():
            if name not in keep:
                mask[r0:r1] = False
    a = prob.a[mask] if keep is not None else prob.a
    lo, hi = prob.row_lo[mask], prob.row_hi[mask]
    eq = lo == hi
    up = ~eq & np.isfinite(hi)
    dn = ~eq & np.isfinite(lo)
    a_ub = sp.vstack([a[up], -a[dn]], format="csr")
    b_ub = np.concatenate([hi[up], -lo[dn]])
    options: dict[str, Any] = {"presolve": True}
    if time_limit_s is not None:
        options["time_limit"] = float(time_limit_s)
    # interior point + crossover is ~4x faster than dual simplex on a year (docs/lp.md)
    mip = bool(prob.integrality.any())
    method = "highs" if mip or prob.n_hours < IPM_FROM_HOURS else "highs-ipm"
    res = linprog(prob.c, A_ub=a_ub if a_ub.shape[0] else None, b_ub=b_ub if a_ub.shape[0] else None,
                  A_eq=a[eq] if eq.any() else None, b_eq=lo[eq] if eq.any() else None,
                  bounds=np.column_stack([prob.col_lo, prob.col_hi]), method=method, options=options,
                  integrality=prob.integrality if mip else None)
    # duals of the kept rows, in the original row order (≥ 0: yuan saved per unit of relaxation)
    duals = np.zeros(prob.a.shape[0])
    if res.status == 0 and not mip:
        kept = np.flatnonzero(mask)
        d = np.zeros(mask.sum())
        if res.ineqlin is not None and up.any():
            d[up] = -res.ineqlin.marginals[: up.sum()]
        if res.ineqlin is not None and dn.any():
            d[dn] = -res.ineqlin.marginals[up.sum():]
        if res.eqlin is not None and eq.any():
            d[eq] = res.eqlin.marginals
        duals[kept] = d
    res.row_duals = duals
    return res


def _diagnose(prob: _Problem, time_limit_s: float | None) -> LPInfeasibleError:
    """Find which constraint groups make the LP infeasible; return the error to raise."""
    physical = {g for g, k in prob.kind.items() if k == _PHYSICAL}
    extra = [g for g, k in prob.kind.items() if k != _PHYSICAL]
    base = _solve(prob, physical, time_limit_s)
    if base.status == 2:
        return LPInfeasibleError(
            "infeasible: the physical constraints cannot be met with these bounds "
            "(energy balance, storage, line, import and export limits)", ["physical"])
    alone = [g for g in extra if _solve(prob, physical | {g}, time_limit_s).status == 2]
    kinds = {prob.kind[g] for g in (alone or extra)}
    what = " and ".join(sorted({"policy": "the policy constraints", "target": "the targets"}[k] for k in kinds))
    sizes_word = "these sizes" if all(prob.col_lo[prob.col[s]] == prob.col_hi[prob.col[s]] for s in _SIZES) \
        else "sizes within these bounds"
    if alone:
        detail = "; ".join(f"{prob.labels[g]}{_shortfall(prob, physical, g, time_limit_s)}" for g in alone)
        return LPInfeasibleError(f"infeasible: {what} cannot be met with {sizes_word}: {detail}",
                                 [prob.labels[g] for g in alone])
    detail = "; ".join(prob.labels[g] for g in extra)
    return LPInfeasibleError(f"infeasible: {what} cannot be met together with {sizes_word} "
                             f"(each alone can): {detail}", [prob.labels[g] for g in extra])


def _shortfall(prob: _Problem, keep: set[str], group: str, time_limit_s: float | None) -> str:
    """Say by how much a one-row group is missed at best (MWh), from one more LP."""
    r0, r1 = prob.groups[group]
    if r1 - r0 != 1:
        return ""
    row = prob.a[[r0]].toarray().ravel()
    lo, hi = prob.row_lo[r0], prob.row_hi[r0]
    sign = -1.0 if np.isfinite(lo) else 1.0  # maximise the row for a ≥ row, minimise for a ≤ row
    alt = _Problem(sign * row, prob.a, prob.row_lo, prob.row_hi, prob.col_lo, prob.col_hi, prob.integrality, 0.0,
                   prob.groups,
                   prob.kind, prob.labels, prob.col, prob.n_hours, 0.0)
    res = _solve(alt, keep, time_limit_s)
    if res.status != 0:
        return ""
    best = float(row @ res.x)
    short = (lo - best) if np.isfinite(lo) else (best - hi)
    return f" (short by {short:,.1f} MWh at best)"


def _status_error(res: Any) -> LPSolveError:
    what = {1: "HiGHS stopped at its time or iteration limit before the optimum",
            3: "the LP is unbounded: a size without a finite upper bound, or a negative price, lets cost fall "
               "without limit",
            4: "HiGHS ran into numerical difficulties"}.get(int(res.status), "HiGHS failed")
    return LPSolveError(f"{what} (HiGHS status {res.status}: {res.message})")


def _read(prob: _Problem, res: Any, resolved: Resolved, prof: ProfileSet, options: dict[str, Any]) -> LPResult:
    """Turn the solution into flows, the kernels' totals and derived metrics."""
    x = np.maximum(res.x, 0.0)
    n = prob.n_hours
    col = prob.col

    def h(block: str) -> np.ndarray:
        return x[col[block]: col[block] + n]

    sizes = {s: float(x[col[s]]) for s in _SIZES}
    sc = resolved.scenario
    varied = {s: v for s, v in sizes.items() if prob.col_lo[col[s]] != prob.col_hi[col[s]]}
    sized = sized_scenario(sc, varied) if varied else sc
    design = Design(resolved, {SIZE_FIELDS[s]: np.array([v]) for s, v in sizes.items()})
    params = design_params(design)
    price_import, price_export = hourly_prices(resolved, prof)
    month_index, month_weight = billing_months(prof)
    factors = None
    if sc.emissions.hourly_factors_csv is not None:
        from gpdc.profiles.factors import read_hourly_factors

        factors = read_hourly_factors(sc.emissions.hourly_factors_csv, time=prof.time, timezone=sc.site.timezone)
    inputs = make_inputs(prof.cf_wind, prof.cf_solar, prof.load_mw, price_import, price_export, params,
                         month_index=month_index, month_weight=month_weight,
                         factor=None if factors is None else factors.factor_t_co2_per_mwh,
                         tou_multiplier=tou_multiplier(resolved, prof))
    p = params[:, 0]
    dt = inputs.dt_h

    gen = (p[L.P_WIND_MW] * inputs.cf_wind + p[L.P_SOLAR_MW] * inputs.cf_solar) * dt
    line_in = np.minimum(gen, p[L.P_LINE_MW] * dt)  # reported as the kernel does: the line carries what it can
    arrive = line_in * (1.0 - p[L.P_LINE_LOSS_FRAC])
    direct, ch_green, export = h("direct"), h("ch_green"), h("export")
    curt_bus = np.maximum(arrive - direct - ch_green - export, 0.0)
    exp_phys = np.minimum(curt_bus + export, p[L.P_EXPORT_MW] * dt)
    imp = h("imp_load") + h("ch_grid")
    unserved = h("unserved")
    flows = {
        "gen_avail_mwh": gen,
        "curtail_line_mwh": gen - line_in,
        "line_loss_mwh": line_in - arrive,
        "direct_mwh": direct,
        "charge_green_mwh": ch_green,
        "charge_grid_mwh": h("ch_grid"),
        "discharge_green_mwh": h("dis_green"),
        "discharge_grid_mwh": h("dis_grid"),
        "export_mwh": export,
        "import_mwh": imp,
        "curtail_bus_mwh": curt_bus,
        "unserved_mwh": unserved,
        "storage_green_mwh": h("green"),
        "storage_grid_mwh": h("grid"),
    }
    tol = 1e-7 * max(1.0, float(np.max(inputs.load_mw)) * dt)
    reduced = {**flows,
               "curtail_export_cap_mwh": np.maximum(exp_phys - export, 0.0),
               "self_supply_steps": (h("imp_load") + unserved <= tol).astype(np.float64)}
    end = {"green_mwh": float(flows["storage_green_mwh"][-1]), "grid_mwh": float(flows["storage_grid_mwh"][-1])}
    raw = reduce_flows(reduced, end, inputs.price_import, inputs.price_export, inputs.factor, inputs.month_index,
                       dt)[None, :]
    # what the accounting dispatches otherwise (green-first, every year of the life) with the LP's sizes
    var = variants(design, inputs)
    values = derive(design, inputs, raw, var, run_totals(inputs.with_params(var.params)), hourly=factors)
    totals = {k: float(np.asarray(v).ravel()[0]) for k, v in values.items() if np.asarray(v).size == 1}

    binding: dict[str, float] = {}
    for g, kind in prob.kind.items():
        if kind == _PHYSICAL:
            continue
        r0, _ = prob.groups[g]
        act = float((prob.a[[r0]] @ res.x)[0])
        bound = prob.row_lo[r0] if np.isfinite(prob.row_lo[r0]) else prob.row_hi[r0]
        if abs(act - bound) > 1e-6 * max(1.0, abs(bound), float(np.max(prof.load_mw))):
            continue
        if prob.integrality.any():  # a MILP has no duals: binding by slack
            binding[prob.labels[g]] = float("nan")
        elif abs(float(res.row_duals[r0])) > 1e-9:  # tight and with a price (a 0 export cap with 0 export is not)
            binding[prob.labels[g]] = abs(float(res.row_duals[r0]))
    return LPResult(
        objective_yuan=float(res.fun) + prob.constant_yuan,
        sizes=sizes,
        flows=flows,
        totals=totals,
        binding=binding,
        status="optimal",
        solve_time_s=float(options.pop("_solve_time_s")),
        build_time_s=prob.build_time_s,
        n_variables=int(prob.a.shape[1]),
        n_constraints=int(prob.a.shape[0]),
        scenario=sized,
        profiles=prof,
        options=options,
    )


def _run(resolved: Resolved, prof: ProfileSet, bounds: dict[str, tuple[float, float]], options: dict[str, Any],
         time_limit_s: float | None, surplus_hours: np.ndarray | None = None) -> LPResult:
    mode = options.get("green_first", "binary")
    prob = _build(resolved, prof, bounds, policy=options["policy"], targets=options["targets"],
                  end_storage=options["end_storage"], grid_charge_any_hour=options["grid_charge_any_hour"],
                  green_first="relaxed" if mode == "iterate" else mode, surplus_hours=surplus_hours)
    t0 = time.perf_counter()
    res = _solve(prob, None, time_limit_s)
    solve_time = time.perf_counter() - t0
    if res.status == 2:
        raise _diagnose(prob, time_limit_s)
    if res.status != 0:
        raise _status_error(res)
    return _read(prob, res, resolved, prof, {**options, "_solve_time_s": solve_time})


def _surplus_hours(resolved: Resolved, prof: ProfileSet, sizes: dict[str, float]) -> np.ndarray:
    """Hours in which green energy arriving at the bus covers the load, for these sizes."""
    loss = resolved.scenario.line.loss_frac
    gen = sizes["wind_mw"] * prof.cf_wind + sizes["solar_mw"] * prof.cf_solar
    arrive = (1.0 - loss) * np.minimum(gen, sizes["line_mw"])
    return np.asarray(arrive >= prof.load_mw, dtype=bool)


def _iterate(resolved: Resolved, prof: ProfileSet, bounds: dict[str, tuple[float, float]], options: dict[str, Any],
             time_limit_s: float | None, max_rounds: int = 8) -> LPResult:
    """Green first by classing hours: relaxed LP (lower bound), then LPs with the hours fixed.

    Round k classes each hour as surplus or deficit with the sizes of round k − 1 and solves
    the LP in which surplus hours neither import nor discharge and deficit hours neither
    charge green nor export; every such solution keeps the rule, so its cost is an upper
    bound on the exact (MILP) optimum, and the relaxed LP of round 0 a lower bound.  Stops
    when the classes repeat.
    """
    t0 = time.perf_counter()
    relaxed = _run(resolved, prof, bounds, {**options, "green_first": "relaxed"}, time_limit_s)
    best: LPResult | None = None
    seen: list[np.ndarray] = []
    sizes = relaxed.sizes
    rounds = 0
    for rounds in range(1, max_rounds + 1):  # noqa: B007 - the count is reported
        mask = _surplus_hours(resolved, prof, sizes)
        if any(np.array_equal(mask, m) for m in seen):
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


def _fixed_bounds(sc: Scenario) -> dict[str, tuple[float, float]]:
    out = {}
    for s, path in SIZE_FIELDS.items():
        section, name = path.split(".")
        v = float(getattr(getattr(sc, section), name))
        out[s] = (v, v)
    return out


def optimal_dispatch(
    scenario: Scenario | Resolved | str | Path,
    profiles: ProfileSet | None = None,
    policy: bool = True,
    *,
    end_storage: Literal["free", "initial"] = "free",
    grid_charge_any_hour: bool = False,
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
        Impose the three policy ratios of the scenario's rule set (self-use share ≥ min,
        green share of load ≥ min, export share ≤ max) as constraints.
    end_storage : {"free", "initial"}
        Stored energy at the end: free (as the rule-based dispatch), or at least the initial.
    grid_charge_any_hour : bool
        With ``storage.grid_charging``, allow charging from the grid in every hour rather
        than only where the import price is at or below the scenario's threshold.
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
        When HiGHS stops without an optimum.
    """
    resolved = as_resolved(scenario)
    prof = profiles_of(resolved, profiles)
    options = {"kind": "dispatch", "policy": bool(policy), "targets": {}, "end_storage": end_storage,
               "grid_charge_any_hour": bool(grid_charge_any_hour)}
    return _run(resolved, prof, _fixed_bounds(resolved.scenario), options, time_limit_s)


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
    time_limit_s: float | None = None,
) -> LPResult:
    """Return the cheapest sizes and their dispatch, with perfect foresight.

    Parameters
    ----------
    scenario : Scenario, Resolved, str or Path
        The base scenario: sizes not in ``bounds`` stay at its values; costs per unit come
        from its resolved finance numbers.
    bounds : dict of str to (float, float)
        ``{size: (lower, upper)}`` for any of ``wind_mw``, ``solar_mw``, ``storage_power_mw``,
        ``storage_energy_mwh``, ``line_mw`` [MW, MWh]; finite, 0 ≤ lower ≤ upper.  Storage power
        (unless ``finance.storage_power_capex_yuan_per_kw`` > 0) and line rating cost nothing
        in :func:`gpdc.economics.costs` (line capex is per km), so the LP returns any value of
        them that works.
    targets : dict of str to float, optional
        Hard constraints on top of the policy: any of :data:`TARGETS`, e.g.
        ``{"min_green_share_of_load_frac": 0.5, "max_curtailment_frac": 0.1}`` [1].
    profiles : ProfileSet, optional
        Hourly profiles (default: built from the scenario).
    policy : bool
        Impose the scenario's policy ratios.
    green_first : {"auto", "binary", "iterate", "relaxed"}
        How "green energy serves the load first" is kept when the plant sizes vary (then what
        arrives each hour is not known in advance): ``"binary"`` adds one binary per hour
        (surplus or deficit hour) and solves a MILP — exact, but slow beyond a few weeks;
        ``"iterate"`` classes the hours with the sizes of the previous round and solves LPs
        (a few rounds; a feasible design, with the relaxed optimum as a lower bound in
        ``options["lower_bound_yuan"]``); ``"relaxed"`` drops the rule and solves one LP —
        a lower bound, in which the load may import while the store charges green or the
        project exports (grid charging or import-export arbitrage under a green label).
        ``"auto"``: binary up to :data:`BINARY_UP_TO_HOURS` hours, else iterate.  With wind,
        solar and line fixed the rule is exact bounds in every mode.
    end_storage, grid_charge_any_hour, time_limit_s
        As for :func:`optimal_dispatch`.

    Returns
    -------
    LPResult
        The optimal ``sizes``, their dispatch and ``scenario`` with the sizes written in.

    Raises
    ------
    ValueError
        For an unknown size or target, or bounds that are not finite with 0 ≤ lower ≤ upper.
    LPInfeasibleError
        When no sizes within the bounds meet the policy and the targets (the message names
        the constraints that cannot be met).
    LPSolveError
        When HiGHS stops without an optimum.
    """
    resolved = as_resolved(scenario)
    prof = profiles_of(resolved, profiles)
    size_bounds = _fixed_bounds(resolved.scenario)
    for key, pair in bounds.items():
        if key not in SIZE_FIELDS:
            raise InputError(f"bounds: unknown size {key!r}; allowed: {', '.join(SIZE_FIELDS)}")
        lo, hi = (float(v) for v in pair)
        if not (np.isfinite(lo) and np.isfinite(hi) and 0.0 <= lo <= hi):
            raise InputError(f"bounds[{key!r}] = {pair!r} is invalid: need finite 0 <= lower <= upper")
        size_bounds[key] = (lo, hi)
    tg = {k: float(v) for k, v in (targets or {}).items()}
    for key, v in tg.items():
        if key not in TARGETS:
            raise InputError(f"targets: unknown target {key!r}; allowed: {', '.join(TARGETS)}")
        if not (0.0 <= v <= 1.0):
            raise InputError(f"targets[{key!r}] = {v!r} is invalid: must be a share within [0, 1]")
    if green_first == "auto":
        green_first = "binary" if len(prof.time) <= BINARY_UP_TO_HOURS else "iterate"
    if green_first not in ("binary", "iterate", "relaxed"):
        raise InputError(f"green_first = {green_first!r} is invalid: 'auto', 'binary', 'iterate' or 'relaxed'")
    options = {"kind": "sizing", "policy": bool(policy), "targets": tg, "end_storage": end_storage,
               "grid_charge_any_hour": bool(grid_charge_any_hour), "green_first": green_first,
               "bounds": dict(size_bounds)}
    if green_first == "iterate":
        return _iterate(resolved, prof, size_bounds, options, time_limit_s)
    return _run(resolved, prof, size_bounds, options, time_limit_s)
