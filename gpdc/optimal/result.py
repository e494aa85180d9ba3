"""An LP's solution as a result: the hourly flows, the kernels' totals and every derived variable.

:func:`read_solution` turns a solved model into an :class:`LPResult`: the flows in the names of
the trace kernel, reduced into the kernels' totals (:func:`gpdc.kernels.spec.reduce_flows`) and
derived by :func:`gpdc.accounting.derive` — the same code as a simulation's — and the policy
and target constraints that bind, with their shadow prices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gpdc.accounting import derive, variants
from gpdc.kernels import layout as L
from gpdc.kernels.spec import reduce_flows
from gpdc.optimal.flexible import flexible_flows
from gpdc.pipeline import Design, Prepared, design_params, run_totals
from gpdc.profiles import ProfileSet
from gpdc.scenario.load import scenario_from_dict, set_dotted
from gpdc.scenario.schema import Scenario

__all__ = ["SIZE_FIELDS", "LPResult", "Problem", "read_solution", "sized_scenario", "sizes_of"]

#: the sizes the LP may treat as variables, and the scenario field each one sets
SIZE_FIELDS: dict[str, str] = {
    "wind_mw": "wind.capacity_mw", "solar_mw": "solar.capacity_mw", "storage_power_mw": "storage.power_mw",
    "storage_energy_mwh": "storage.energy_mwh", "line_mw": "line.rating_mw",
    "electrolyser_mw": "electrolyser.capacity_mw", "tank_kg": "hydrogen.tank_kg",
}


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


@dataclass
class Problem:
    """A built linopy model with what reading its solution needs."""

    model: Any
    constant_yuan: float
    kind: dict[str, str]  # constraint name -> "physical" | "policy" | "target"
    labels: dict[str, str]
    fixed_sizes: bool
    mip: bool
    n_hours: int
    build_time_s: float


def sizes_of(sc: Scenario) -> dict[str, float]:
    """The scenario's own sizes, of the sections it has [MW, MWh, kg]."""
    out = {}
    for key, path in SIZE_FIELDS.items():
        section, name = path.split(".")
        if getattr(sc, section) is not None:
            out[key] = float(getattr(getattr(sc, section), name))
    return out


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


def read_solution(prob: Problem, pre: Prepared, options: dict[str, Any]) -> LPResult:
    """Turn a solved model into flows, the kernels' totals and every derived variable."""
    m, sc = prob.model, pre.scenario

    def h(name: str) -> np.ndarray:
        return np.maximum(np.asarray(m.variables[name].solution.values, dtype=np.float64), 0.0)

    sizes = {k: float(h(k)) for k in sizes_of(sc)}
    varied = {k: x for k, x in sizes.items() if m.variables[k].lower.item() != m.variables[k].upper.item()}
    design = Design(pre.resolved, {SIZE_FIELDS[k]: np.array([x]) for k, x in sizes.items()})
    inputs = pre.inputs.with_params(design_params(design))  # the hourly inputs with the LP's sizes
    p, dt, flex = inputs.params[:, 0], inputs.dt_h, sc.has_flexible
    gen = (p[L.P_WIND_MW] * inputs.cf_wind + p[L.P_SOLAR_MW] * inputs.cf_solar) * dt
    line_in = np.minimum(gen, p[L.P_LINE_MW] * dt)  # as the kernel reports it: the line carries what it can
    arrive = line_in * (1.0 - p[L.P_LINE_LOSS_FRAC])
    f = {b: (h(b) if flex else np.zeros(inputs.n_hours)) for b in ("fg", "fdg", "fdr", "fi")}
    direct, ch_green, export = h("direct") + f["fg"], h("ch_green"), h("export")
    curt_bus = np.maximum(arrive - direct - ch_green - export, 0.0)
    flows = {"gen_avail_mwh": gen, "curtail_line_mwh": gen - line_in, "line_loss_mwh": line_in - arrive,
             "direct_mwh": direct, "charge_green_mwh": ch_green, "charge_grid_mwh": h("ch_grid"),
             "discharge_green_mwh": h("dis_green") + f["fdg"], "discharge_grid_mwh": h("dis_grid") + f["fdr"],
             "export_mwh": export, "import_mwh": h("imp_load") + h("ch_grid") + f["fi"], "curtail_bus_mwh": curt_bus,
             "unserved_mwh": h("unserved"), "storage_green_mwh": h("green"), "storage_grid_mwh": h("grid")}
    end = {"green_mwh": float(flows["storage_green_mwh"][-1]), "grid_mwh": float(flows["storage_grid_mwh"][-1])}
    if flex:
        more, ends = flexible_flows(h, pre.resolved, inputs)
        flows.update(more)
        end.update(ends)
    tol = 1e-7 * max(1.0, float(np.max(inputs.load_mw)) * dt)
    exp_phys = np.minimum(curt_bus + export, p[L.P_EXPORT_MW] * dt)
    reduced = {**flows, "curtail_export_cap_mwh": np.maximum(exp_phys - export, 0.0),
               "self_supply_steps": (h("imp_load") + flows["unserved_mwh"] <= tol).astype(np.float64)}
    raw = reduce_flows(reduced, end, inputs.price_import, inputs.price_export, inputs.factor, inputs.month_index,
                       dt, flex)[None, :]
    # what the accounting dispatches otherwise (green-first, every year of the life) with the LP's sizes
    var = variants(design, inputs)
    values = derive(design, inputs, raw, var, run_totals(inputs.with_params(var.params)), hourly=pre.hourly_factors)
    totals = {k: float(np.asarray(x).ravel()[0]) for k, x in values.items() if np.asarray(x).size == 1}
    binding: dict[str, float] = {}
    for name in (k for k, group in prob.kind.items() if group != "physical"):
        con = m.constraints[name]
        act, bound = float(con.lhs.solution.values.ravel()[0]), float(np.asarray(con.rhs.values).ravel()[0])
        if abs(act - bound) > 1e-6 * max(1.0, float(np.max(inputs.load_mw)), abs(bound)):
            continue
        if prob.mip:  # a MILP has no duals: binding by slack
            binding[prob.labels[name]] = float("nan")
        elif abs(float(con.dual.values.ravel()[0])) > 1e-9:  # tight and with a price
            binding[prob.labels[name]] = abs(float(con.dual.values.ravel()[0]))
    return LPResult(objective_yuan=float(m.objective.value) + prob.constant_yuan, sizes=sizes, flows=flows,
                    totals=totals, binding=binding, status="optimal", solve_time_s=float(options.pop("_solve_time_s")),
                    build_time_s=prob.build_time_s, n_variables=int(m.nvars), n_constraints=int(m.ncons),
                    scenario=sized_scenario(sc, varied) if varied else sc, profiles=pre.profiles, options=options)
