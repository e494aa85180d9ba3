"""The dispatch kernel's specification: one table of what it reads, carries and accumulates.

Everything else is derived from these tables — the row layout of the kernels
(:mod:`gpdc.kernels.layout`), the names of the totals and traces, the results registry's
entries for the kernel's own quantities, the reference implementations' parameter names and
the NumPy reduction of hourly flows into totals (:func:`reduce_flows`) that the LP and the
references use.  The step function (:mod:`gpdc.kernels.step`) computes the flows; the drivers
(:mod:`gpdc.kernels.cpu`) accumulate them as the :data:`TOTALS` rows say.

* :data:`PARAMS` — per-design parameters (one column of ``params`` per design);
* :data:`STATE` — what the dispatch carries from one step to the next;
* :data:`FLOWS` — what the step returns for every step, in this order (the hourly traces are
  the flows marked ``trace``, in this order);
* :data:`TOTALS` — accumulated per design: ``sum`` of a flow (times a weight), the flow's
  ``max`` or ``sum`` in each billing month (a block of 12 columns), or the ``end`` value of a state;
* :data:`HOURLY` — hourly inputs of the flexible elements that all designs share (columns of
  the kernels' ``hourly`` array: the hydrogen offtake, the shiftable load's windows, the fleet's
  plug-in windows).

Rows marked ``flex`` belong to the flexible elements (electrolyser and hydrogen, shiftable
load, EV fleet; ``docs/flexible.md``): the kernels compute and accumulate them only in blocks
that hold a design with a flexible element (parameter ``flex`` = 1), so a batch without one runs
the code it ran before they existed.

Adding an accumulated quantity means a :data:`TOTALS` row (and a :data:`FLOWS` row if the step
must return something new), the step function and the references — nothing else by hand.

Only the standard library and numpy here: the tables are read by numba as compile-time constants.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# --- the vocabulary ---------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """A per-design kernel parameter.

    ``reference_default`` is the value the reference implementations' ``params_dict`` uses
    when a test does not set it (test-friendly: nothing binds).  ``per_step`` marks a power
    limit that the kernels turn into an energy per step (x dt) before the hour loop.
    """

    name: str
    unit: str
    long_name: str
    reference_default: float
    per_step: bool = False
    flex: bool = False


@dataclass(frozen=True)
class Hourly:
    """An hourly input of the flexible elements, shared by every design of a batch (a column of ``hourly``)."""

    name: str
    unit: str
    long_name: str


@dataclass(frozen=True)
class State:
    """A quantity the dispatch carries from step to step; ``init`` names the parameter it starts from ('' = 0)."""

    name: str
    unit: str
    long_name: str
    init: str = ""


@dataclass(frozen=True)
class Flow:
    """A quantity the step returns for every step [per step].

    ``trace``: written to the hourly traces; ``grid_pool``: identically zero while the
    storage's grid pool is and stays empty (the kernels then skip its sums); ``flex``: a flow of
    the flexible elements, zero without them (skipped in blocks without one).
    """

    name: str
    unit: str
    long_name: str
    meaning: str
    trace: bool = True
    grid_pool: bool = False
    flex: bool = False


@dataclass(frozen=True)
class Total:
    """A quantity accumulated per design over the simulated steps.

    ``reduce``: ``"sum"`` (Σ flow · weight), ``"max_month"`` (the flow's maximum within each
    billing month, divided by the step length: a power; 12 columns), ``"sum_month"`` (the
    flow's sum within each billing month; 12 columns) or ``"end"`` (the state's value after the
    last step).  ``weight``: ``""`` (1), ``"price_import"``,
    ``"price_export"`` or ``"factor"`` (the hourly emission factor).
    """

    name: str
    unit: str
    long_name: str
    meaning: str
    source: str
    reduce: str = "sum"
    weight: str = ""


# --- the tables ---------------------------------------------------------------------------

PARAMS: tuple[Param, ...] = (
    Param("wind_mw", "MW", "wind plant rating (AC)", 100.0),
    Param("solar_mw", "MW", "PV plant rating (AC)", 100.0),
    Param("line_mw", "MW", "dedicated line rating", 1.0e6, per_step=True),
    Param("line_loss_frac", "1", "line loss as a share of the energy entering the line", 0.0),
    Param("charge_mw", "MW", "storage charge power limit (drawn from the user bus)", 0.0, per_step=True),
    Param("discharge_mw", "MW", "storage discharge power limit (delivered to the bus)", 0.0, per_step=True),
    Param("usable_mwh", "MWh", "usable storage energy, (soc_max - soc_min) x capacity", 0.0),
    Param("eta_charge", "1", "charge efficiency", 1.0),
    Param("eta_discharge", "1", "discharge efficiency", 1.0),
    Param("init_green_mwh", "MWh", "initial usable energy in the green pool", 0.0),
    Param("init_grid_mwh", "MWh", "initial usable energy in the grid pool", 0.0),
    Param("export_mw", "MW", "export limit of the grid connection", 1.0e6, per_step=True),
    Param("export_cap_frac", "1", "export cap as a share of available generation", 1.0),
    Param("export_rule", "code", "export-cap rule: 0 = running pro-rata, 1 = annual budget", 0.0),
    Param("import_mw", "MW", "contracted import capacity", 1.0e6, per_step=True),
    Param("grid_charge", "code", "1 = storage may charge from the grid, else 0", 0.0),
    Param("grid_charge_price_yuan_per_mwh", "yuan/MWh", "charge from the grid in steps priced at or below this",
          0.0),
    Param("import_target_mw", "MW", "peak shaving: hold the import at or below it (0 = off)", 0.0, per_step=True),
    # --- the storage strategy (docs/dispatch.md "Lookahead storage dispatch"); 0: green-first -------
    Param("lookahead", "code", "storage strategy: 1 = lookahead (discharge floor for dearer hours), 0 = green-first",
          0.0),
    Param("lookahead_h", "h", "lookahead horizon (the floors see the next lookahead_h hours)", 24.0),
    Param("lookahead_forecast", "code", "lookahead forecast: 0 = perfect, 1 = persistence (yesterday repeated)",
          0.0),
    # --- the flexible elements (docs/flexible.md); all 0: none ---------------------------------
    Param("flex", "code", "1 = the design has a flexible element (electrolyser, shiftable load or EV fleet)", 0.0,
          flex=True),
    Param("ely_mw", "MW", "electrolyser rated electrical input, balance of plant included", 0.0, per_step=True,
          flex=True),
    Param("ely_min_frac", "1", "electrolyser minimum stable load, share of the rating", 0.0, flex=True),
    Param("ely_mwh_per_kg", "MWh/kg", "electricity per kg of hydrogen: system specific energy + compression", 0.0,
          flex=True),
    Param("ely_standby_mw", "MW", "electrolyser stand-by power in steps without production", 0.0, per_step=True,
          flex=True),
    Param("ely_hold", "code", "1 = below the minimum load the electrolyser is held at it from storage / grid, "
          "0 = off", 0.0, flex=True),
    Param("ely_grid", "code", "1 = the electrolyser may draw grid power (to hold the minimum load, to meet the "
          "offtake)", 0.0, flex=True),
    Param("tank_kg", "kg", "usable hydrogen storage", 0.0, flex=True),
    Param("tank_init_kg", "kg", "hydrogen in store at the start", 0.0, flex=True),
    Param("shift_mw", "MW", "shiftable load: maximum power", 0.0, per_step=True, flex=True),
    Param("shift_mwh", "MWh", "shiftable load: energy to serve in each window", 0.0, flex=True),
    Param("ev_mwh", "MWh", "EV fleet: usable battery energy of all vehicles", 0.0, flex=True),
    Param("ev_charge_mw", "MW", "EV fleet: charging power of all chargers (drawn from the bus)", 0.0, per_step=True,
          flex=True),
    Param("ev_v2g_mw", "MW", "EV fleet: vehicle-to-grid power to the user bus (0 = no V2G)", 0.0, per_step=True,
          flex=True),
    Param("ev_v2g_min_frac", "1", "EV fleet: V2G never takes the fleet below this share of its battery", 0.0,
          flex=True),
    Param("ev_eta", "1", "EV fleet: charge efficiency, and discharge efficiency of V2G", 1.0, flex=True),
    Param("ev_need_mwh", "MWh", "EV fleet: energy the vehicles drive away with each day (taken at departure)", 0.0,
          flex=True),
    Param("ev_init_mwh", "MWh", "EV fleet: energy in the vehicles at the start", 0.0, flex=True),
)

HOURLY: tuple[Hourly, ...] = (
    Hourly("offtake_kg", "kg", "hydrogen offtake demanded in the step"),
    Hourly("shift_allowed", "1", "1 where the shiftable load may run in the step"),
    Hourly("shift_after", "1", "allowed steps left in the shiftable load's window after this one"),
    Hourly("shift_start", "1", "1 at the first step of a shiftable-load window"),
    Hourly("shift_end", "1", "1 at the last step of a shiftable-load window (its deadline)"),
    Hourly("shift_base", "1", "share of a window's energy its baseline schedule (evenly over the allowed steps) "
           "puts in the step"),
    Hourly("ev_plugged", "1", "1 where the fleet is plugged in"),
    Hourly("ev_after", "1", "plugged steps left after this one before the fleet leaves"),
    Hourly("ev_depart", "1", "1 at the first step after a plug-in window: the fleet leaves with the day's energy"),
)

STATE: tuple[State, ...] = (
    State("green_mwh", "MWh", "usable energy in the storage's green pool", "init_green_mwh"),
    State("grid_mwh", "MWh", "usable energy in the storage's grid pool", "init_grid_mwh"),
    State("cum_export_mwh", "MWh", "export so far (for the running and budget export caps)"),
    State("tank_kg", "kg", "hydrogen in store", "tank_init_kg"),
    State("ely_on", "1", "1 when the electrolyser produced in the previous step"),
    State("shift_rem_mwh", "MWh", "shiftable energy still owed in the current window"),
    State("ev_energy_mwh", "MWh", "energy in the EV fleet's batteries", "ev_init_mwh"),
)

FLOWS: tuple[Flow, ...] = (
    Flow("gen_avail_mwh", "MWh", "available renewable generation", "(wind_mw·cf_wind + solar_mw·cf_solar)·dt"),
    Flow("curtail_line_mwh", "MWh", "curtailment by the line rating", "max(gen − line_mw·dt, 0)"),
    Flow("line_loss_mwh", "MWh", "loss on the dedicated line", "line_loss_frac · energy entering the line"),
    Flow("direct_mwh", "MWh", "green energy used directly by the load", "min(energy arriving over the line, load)"),
    Flow("charge_green_mwh", "MWh", "storage charge from green surplus", "energy drawn from the user bus into storage"),
    Flow("charge_grid_mwh", "MWh", "storage charge from the grid", "energy drawn from the grid into storage",
         grid_pool=True),
    Flow("discharge_green_mwh", "MWh", "storage discharge, green part",
         "delivered to the load, pro rata to the green pool"),
    Flow("discharge_grid_mwh", "MWh", "storage discharge, grid part", "delivered to the load, pro rata to the grid pool",
         grid_pool=True),
    Flow("export_mwh", "MWh", "green energy fed into the public grid",
         "limited by the export MW and the export-share cap"),
    Flow("import_mwh", "MWh", "energy drawn from the public grid", "for the load and for grid charging"),
    Flow("curtail_bus_mwh", "MWh", "curtailment at the user bus", "surplus neither stored nor exported"),
    Flow("unserved_mwh", "MWh", "load not served", "deficit beyond storage and the contracted import capacity"),
    Flow("storage_green_mwh", "MWh", "usable green energy stored", "green pool at the end of the step"),
    Flow("storage_grid_mwh", "MWh", "usable grid energy stored", "grid pool at the end of the step", grid_pool=True),
    Flow("curtail_export_cap_mwh", "MWh", "curtailment caused by the export-share cap",
         "part of curtail_bus the connection could have exported but the cap (or a no-reverse-flow rule) forbade",
         trace=False),
    Flow("self_supply_steps", "1", "step fully supplied by green energy",
         "1 when no import for the load and no unserved energy, else 0", trace=False),
    # --- the flexible elements (docs/flexible.md) -----------------------------------------------
    Flow("electrolyser_mwh", "MWh", "electricity into the electrolyser",
         "production power + stand-by (hydrogen x specific energy + stand-by)", flex=True),
    Flow("electrolyser_green_mwh", "MWh", "green electricity into the electrolyser",
         "from the line at once + the green pool's share of storage discharge", trace=False, flex=True),
    Flow("electrolyser_grid_mwh", "MWh", "grid electricity into the electrolyser",
         "imported + the grid pool's share of storage discharge", trace=False, flex=True),
    Flow("electrolyser_standby_mwh", "MWh", "electrolyser stand-by electricity", "stand-by power in steps without "
         "production", trace=False, flex=True),
    Flow("electrolyser_starts", "1", "electrolyser start", "1 when it produces after a step without production",
         trace=False, flex=True),
    Flow("hydrogen_produced_kg", "kg", "hydrogen produced", "production power / specific energy", flex=True),
    Flow("hydrogen_offtake_kg", "kg", "hydrogen delivered to the offtake", "min(demand, store + production)",
         flex=True),
    Flow("hydrogen_unmet_kg", "kg", "hydrogen offtake not met", "demand − delivered", flex=True),
    Flow("hydrogen_tank_kg", "kg", "hydrogen in store", "at the end of the step", flex=True),
    Flow("flexible_load_mwh", "MWh", "shiftable load served", "green first, then storage and grid before the deadline",
         flex=True),
    Flow("flexible_load_shifted_mwh", "MWh", "shiftable load moved from its baseline schedule",
         "max(0, served − baseline)", trace=False, flex=True),
    Flow("flexible_load_unserved_mwh", "MWh", "shiftable energy not served by its deadline",
         "owed at the end of a window", flex=True),
    Flow("ev_charge_mwh", "MWh", "EV fleet charging", "energy drawn from the user bus", flex=True),
    Flow("v2g_discharge_mwh", "MWh", "vehicle-to-grid discharge", "delivered to the user bus for the load", flex=True),
    Flow("ev_unserved_mwh", "MWh", "driving energy the fleet lacked at departure", "need − energy in the vehicles",
         flex=True),
    Flow("ev_energy_mwh", "MWh", "energy in the EV fleet", "at the end of the step", flex=True),
)

TOTALS: tuple[Total, ...] = (
    Total("direct_mwh", "MWh", "green energy used directly by the load", "Σ min(energy arriving over the line, load)",
          "direct_mwh"),
    Total("charge_green_mwh", "MWh", "storage charge from green surplus", "energy drawn from the user bus into storage",
          "charge_green_mwh"),
    Total("charge_grid_mwh", "MWh", "storage charge from the grid", "energy drawn from the grid into storage",
          "charge_grid_mwh"),
    Total("discharge_green_mwh", "MWh", "storage discharge, green part",
          "delivered to the load, pro rata to the green pool", "discharge_green_mwh"),
    Total("discharge_grid_mwh", "MWh", "storage discharge, grid part",
          "delivered to the load, pro rata to the grid pool", "discharge_grid_mwh"),
    Total("export_mwh", "MWh", "green energy fed into the public grid", "limited by export MW and the export-share cap",
          "export_mwh"),
    Total("import_mwh", "MWh", "energy drawn from the public grid", "for the load and for grid charging",
          "import_mwh"),
    Total("curtail_line_mwh", "MWh", "curtailment by the line rating", "Σ max(gen − line_mw·dt, 0)",
          "curtail_line_mwh"),
    Total("curtail_bus_mwh", "MWh", "curtailment at the user bus", "surplus neither stored nor exported",
          "curtail_bus_mwh"),
    Total("curtail_export_cap_mwh", "MWh", "curtailment caused by the export-share cap",
          "part of curtail_bus the connection could have exported but the cap (or a no-reverse-flow rule) forbade",
          "curtail_export_cap_mwh"),
    Total("unserved_mwh", "MWh", "load not served", "deficit beyond storage and the contracted import capacity",
          "unserved_mwh"),
    Total("import_cost_yuan", "yuan", "grid import bill", "Σ import · hourly import price", "import_mwh",
          weight="price_import"),
    Total("export_revenue_yuan", "yuan", "export revenue", "Σ export · export price", "export_mwh",
          weight="price_export"),
    Total("self_supply_steps", "1", "steps fully supplied by green energy",
          "steps with no import for the load and no unserved energy", "self_supply_steps"),
    Total("unserved_cost_yuan", "yuan", "unserved load valued at the grid price",
          "Σ unserved · hourly import price (counted in project_cost)", "unserved_mwh", weight="price_import"),
    Total("import_co2_t", "t CO2", "grid import weighted by the hourly emission factor",
          "Σ_h import_h · f_h (0 without an hourly factor series)", "import_mwh", weight="factor"),
    Total("storage_green_end_mwh", "MWh", "usable green energy stored at the end", "green pool at the end of the period",
          "green_mwh", reduce="end"),
    Total("storage_grid_end_mwh", "MWh", "usable grid energy stored at the end", "grid pool at the end of the period",
          "grid_mwh", reduce="end"),
    Total("peak_import_month_mw", "MW", "peak grid import power in each billing month",
          "max over the month's steps of import/dt (0 in a month with no step)", "import_mwh", reduce="max_month"),
    # --- the flexible elements ---------------------------------------------------------------------
    *(Total(f.name, f.unit, f.long_name, f.meaning, f.name) for f in FLOWS
      if f.flex and f.name not in ("hydrogen_tank_kg", "ev_energy_mwh")),
    Total("electrolyser_grid_cost_yuan", "yuan", "cost of the electrolyser's grid electricity",
          "Σ electrolyser_grid · hourly import price", "electrolyser_grid_mwh", weight="price_import"),
    Total("electrolyser_grid_co2_t", "t CO2", "electrolyser grid electricity weighted by the hourly emission factor",
          "Σ_h electrolyser_grid_h · f_h (0 without an hourly factor series)", "electrolyser_grid_mwh",
          weight="factor"),
    Total("hydrogen_tank_end_kg", "kg", "hydrogen in store at the end", "tank at the end of the period", "tank_kg",
          reduce="end"),
    Total("ev_energy_end_mwh", "MWh", "energy in the EV fleet at the end", "at the end of the period",
          "ev_energy_mwh", reduce="end"),
    Total("electrolyser_grid_month_mwh", "MWh", "grid electricity into the electrolyser in each billing month",
          "Σ over the month's steps", "electrolyser_grid_mwh", reduce="sum_month"),
    Total("export_month_mwh", "MWh", "export in each billing month (electrolyser projects)",
          "Σ over the month's steps", "export_mwh", reduce="sum_month"),
    Total("hydrogen_produced_month_kg", "kg", "hydrogen produced in each billing month", "Σ over the month's steps",
          "hydrogen_produced_kg", reduce="sum_month"),
)

#: months per ``max_month`` total
N_MONTHS = 12
#: weight codes of :attr:`Total.weight`, in the kernels' numbering
WEIGHTS: dict[str, int] = {"": 0, "price_import": 1, "price_export": 2, "factor": 3}

# --- names and indices derived from the tables ----------------------------------------------

PARAM_NAMES: tuple[str, ...] = tuple(p.name for p in PARAMS)
STATE_NAMES: tuple[str, ...] = tuple(s.name for s in STATE)
FLOW_NAMES: tuple[str, ...] = tuple(f.name for f in FLOWS)
TRACE_NAMES: tuple[str, ...] = tuple(f.name for f in FLOWS if f.trace)
HOURLY_NAMES: tuple[str, ...] = tuple(h.name for h in HOURLY)
SUMS: tuple[Total, ...] = tuple(t for t in TOTALS if t.reduce == "sum")
MAXES: tuple[Total, ...] = tuple(t for t in TOTALS if t.reduce == "max_month")
MONTH_SUMS: tuple[Total, ...] = tuple(t for t in TOTALS if t.reduce == "sum_month")
ENDS: tuple[Total, ...] = tuple(t for t in TOTALS if t.reduce == "end")
#: names of the totals of the flexible elements (result variables only where a design has one)
FLEX_TOTALS: tuple[str, ...] = tuple(
    t.name for t in TOTALS
    if (t.reduce == "end" and t.source in ("tank_kg", "ev_energy_mwh"))
    or (t.reduce != "end" and next(f for f in FLOWS if f.name == t.source).flex) or t.reduce == "sum_month")
FLEX_TRACES: tuple[str, ...] = tuple(f.name for f in FLOWS if f.flex and f.trace)


def _check_tables() -> None:
    """Names unique, references resolvable, reduce and weight known (at import: a spec error is a bug)."""
    for table in (PARAM_NAMES, STATE_NAMES, FLOW_NAMES, HOURLY_NAMES, tuple(t.name for t in TOTALS)):
        if len(set(table)) != len(table):
            raise RuntimeError(f"kernel spec: duplicate names in {table}")
    for s in STATE:
        if s.init and s.init not in PARAM_NAMES:
            raise RuntimeError(f"kernel spec: state {s.name} starts from unknown parameter {s.init}")
    for t in TOTALS:
        known = STATE_NAMES if t.reduce == "end" else FLOW_NAMES
        if t.reduce not in ("sum", "max_month", "sum_month", "end") or t.weight not in WEIGHTS or t.source not in known:
            raise RuntimeError(f"kernel spec: total {t.name} has reduce {t.reduce!r}, weight {t.weight!r}, "
                               f"source {t.source!r}")


_check_tables()


def total_columns() -> tuple[str, ...]:
    """Names of the columns of the kernels' totals array: sums, ends, then 12 columns per monthly maximum and sum."""
    cols = [t.name for t in SUMS] + [t.name for t in ENDS]
    for t in MAXES + MONTH_SUMS:
        cols += [f"{t.name}[{m + 1}]" for m in range(N_MONTHS)]
    return tuple(cols)


TOTAL_COLUMNS: tuple[str, ...] = total_columns()
N_TOTALS = len(TOTAL_COLUMNS)


def column_of(name: str) -> int:
    """First column of total ``name`` in the totals array (of a monthly total: its January)."""
    key = name if name in TOTAL_COLUMNS else f"{name}[1]"
    return TOTAL_COLUMNS.index(key)


def totals_dict(raw: np.ndarray) -> dict[str, np.ndarray]:
    """The kernels' totals array [n, N_TOTALS] as ``{name: float64[n]}`` (monthly totals: float64[n, 12])."""
    raw = np.asarray(raw, dtype=np.float64)
    out = {t.name: raw[:, column_of(t.name)].copy() for t in SUMS + ENDS}
    for t in MAXES + MONTH_SUMS:
        k = column_of(t.name)
        out[t.name] = raw[:, k:k + N_MONTHS].copy()
    return out


def reduce_flows(
    flows: dict[str, np.ndarray],
    end_state: dict[str, float],
    price_import: np.ndarray,
    price_export: np.ndarray,
    factor: np.ndarray,
    month_index: np.ndarray,
    dt: float,
    flex: bool = False,
) -> np.ndarray:
    """Reduce one design's hourly flows into the kernels' totals array, float64[N_TOTALS], as :data:`TOTALS` says.

    For implementations that produce whole hourly arrays (the LP): numpy sums (pairwise, not
    hour by hour like the kernels: the two agree to rounding), each month's maximum divided by
    ``dt``, and the end values of the state.  ``flows`` needs the flows the totals name (the
    flexible elements' flows and states may be missing: their totals are then 0); the monthly
    sums only for a design with a flexible element (``flex``), as in the kernels.
    """
    weights = {"": None, "price_import": price_import, "price_export": price_export, "factor": factor}
    out = np.zeros(N_TOTALS)
    for t in SUMS:
        if t.source not in flows:
            continue
        x = np.asarray(flows[t.source], dtype=np.float64)
        w = weights[t.weight]
        out[column_of(t.name)] = float(np.sum(x if w is None else x * w))
    for t in ENDS:
        out[column_of(t.name)] = end_state.get(t.source, 0.0)
    for t in MAXES:
        k = column_of(t.name)
        peak = np.zeros(N_MONTHS)
        np.maximum.at(peak, np.asarray(month_index, dtype=np.int64), np.asarray(flows[t.source], dtype=np.float64))
        out[k:k + N_MONTHS] = peak / dt
    for t in MONTH_SUMS if flex else ():
        if t.source in flows:
            k = column_of(t.name)
            np.add.at(out[k:k + N_MONTHS], np.asarray(month_index, dtype=np.int64),
                      np.asarray(flows[t.source], dtype=np.float64))
    return out
