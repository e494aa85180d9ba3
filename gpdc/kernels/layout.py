"""Integer layout of the kernels, derived from the tables of :mod:`gpdc.kernels.spec`.

Numba reads module-level ints and tuples of ints as compile-time constants, so the kernels
index with these names.  Nothing here is numbered by hand: every index is a position in a
spec table.

The *block layout* is what both drivers work on: one row per parameter (power limits as
energies per step), the derived per-design constants, the state, then the accumulators —
``buf[ROW * stride + j]`` for design ``j`` of a block (``stride`` = the block's padded width
in the batch kernel, 1 in the single-design kernel).
"""

from __future__ import annotations

from gpdc.kernels import spec

# --- parameters (rows of ``params`` and of the block) -----------------------------------------
N_PARAMS = len(spec.PARAMS)
PARAM_NAMES = spec.PARAM_NAMES
_p = PARAM_NAMES.index
P_WIND_MW = _p("wind_mw")
P_SOLAR_MW = _p("solar_mw")
P_LINE_MW = _p("line_mw")
P_LINE_LOSS_FRAC = _p("line_loss_frac")
P_CHARGE_MW = _p("charge_mw")
P_DISCHARGE_MW = _p("discharge_mw")
P_USABLE_MWH = _p("usable_mwh")
P_ETA_CHARGE = _p("eta_charge")
P_ETA_DISCHARGE = _p("eta_discharge")
P_INIT_GREEN_MWH = _p("init_green_mwh")
P_INIT_GRID_MWH = _p("init_grid_mwh")
P_EXPORT_MW = _p("export_mw")
P_EXPORT_CAP_FRAC = _p("export_cap_frac")
P_EXPORT_RULE = _p("export_rule")
P_IMPORT_MW = _p("import_mw")
P_GRID_CHARGE = _p("grid_charge")
P_GRID_CHARGE_PRICE = _p("grid_charge_price_yuan_per_mwh")
P_IMPORT_TARGET_MW = _p("import_target_mw")
P_LOOKAHEAD = _p("lookahead")
P_LOOKAHEAD_H = _p("lookahead_h")
P_LOOKAHEAD_FORECAST = _p("lookahead_forecast")
# the flexible elements
P_FLEX = _p("flex")
P_ELY_MW = _p("ely_mw")
P_ELY_MIN_FRAC = _p("ely_min_frac")
P_ELY_MWH_PER_KG = _p("ely_mwh_per_kg")
P_ELY_STANDBY_MW = _p("ely_standby_mw")
P_ELY_HOLD = _p("ely_hold")
P_ELY_GRID = _p("ely_grid")
P_TANK_KG = _p("tank_kg")
P_TANK_INIT_KG = _p("tank_init_kg")
P_SHIFT_MW = _p("shift_mw")
P_SHIFT_MWH = _p("shift_mwh")
P_EV_MWH = _p("ev_mwh")
P_EV_CHARGE_MW = _p("ev_charge_mw")
P_EV_V2G_MW = _p("ev_v2g_mw")
P_EV_V2G_MIN_FRAC = _p("ev_v2g_min_frac")
P_EV_ETA = _p("ev_eta")
P_EV_NEED_MWH = _p("ev_need_mwh")
P_EV_INIT_MWH = _p("ev_init_mwh")
#: parameters that are powers, turned into energies per step (x dt) in the block
PER_STEP_PARAMS: tuple[int, ...] = tuple(k for k, p in enumerate(spec.PARAMS) if p.per_step)
#: the flexible elements' parameters that are 0 unless ``flex`` = 1 (the kernels zero them otherwise)
FLEX_PARAMS: tuple[int, ...] = tuple(k for k, p in enumerate(spec.PARAMS)
                                     if p.flex and p.name not in ("flex", "ev_eta"))

# --- export-cap rules ------------------------------------------------------------------------
EXPORT_RULE_RUNNING = 0  # cumulative export <= cap x cumulative available generation
EXPORT_RULE_BUDGET = 1  # cumulative export <= cap x the year's available generation
EXPORT_RULE_NAMES: dict[str, int] = {"running": EXPORT_RULE_RUNNING, "budget": EXPORT_RULE_BUDGET}

# --- lookahead forecasts ----------------------------------------------------------------------
FORECAST_NAMES: dict[str, int] = {"perfect": 0, "persistence": 1}
STRATEGY_NAMES: tuple[str, ...] = ("green_first", "lookahead")

# --- derived per-design constants (kernel-internal rows after the parameters) ----------------
D_INV_ETA_CH = N_PARAMS  # 1 / eta_charge
D_INV_ETA_DIS = N_PARAMS + 1  # 1 / eta_discharge
# the export cap of either rule is cap_base + cap_run_frac x (wind x CW + solar x CS), CW and CS the running
# sums of the capacity factors x dt: budget rule cap_frac x (wind x CW_tot + solar x CS_tot) + 0 x (...),
# running rule 0 + cap_frac x (...) — each exactly its rule's cap, with no select between the two per step
D_CAP_BASE = N_PARAMS + 2  # budget rule: its cap; running rule: 0
D_CAP_IMPORT = N_PARAMS + 3  # the import that grid charging and the grid-charging-hour discharge aim at
D_ELY_KG_PER_MWH = N_PARAMS + 4  # 1 / ely_mwh_per_kg (0 without an electrolyser)
D_ELY_MIN_E = N_PARAMS + 5  # minimum stable load as energy per step: ely_min_frac x ely_mw x dt
D_EV_INV_ETA = N_PARAMS + 6  # 1 / ev_eta
D_EV_FLOOR = N_PARAMS + 7  # V2G floor: max(ev_need_mwh, ev_v2g_min_frac x ev_mwh)
D_CAP_RUN_FRAC = N_PARAMS + 8  # running rule: cap_frac; budget rule: 0
N_DERIVED = 9

# --- hourly inputs of the flexible elements (columns of ``hourly``) ---------------------------
N_HOURLY = len(spec.HOURLY)
HOURLY_NAMES = spec.HOURLY_NAMES
_h = spec.HOURLY_NAMES.index
H_OFFTAKE_KG = _h("offtake_kg")
H_SHIFT_ALLOWED = _h("shift_allowed")
H_SHIFT_AFTER = _h("shift_after")
H_SHIFT_START = _h("shift_start")
H_SHIFT_END = _h("shift_end")
H_SHIFT_BASE = _h("shift_base")
H_EV_PLUGGED = _h("ev_plugged")
H_EV_AFTER = _h("ev_after")
H_EV_DEPART = _h("ev_depart")

# --- state --------------------------------------------------------------------------------------
S0 = N_PARAMS + N_DERIVED
S_GREEN = S0 + spec.STATE_NAMES.index("green_mwh")
S_GRID = S0 + spec.STATE_NAMES.index("grid_mwh")
S_CUM_EXPORT = S0 + spec.STATE_NAMES.index("cum_export_mwh")
S_TANK = S0 + spec.STATE_NAMES.index("tank_kg")
S_ELY_ON = S0 + spec.STATE_NAMES.index("ely_on")
S_SHIFT_REM = S0 + spec.STATE_NAMES.index("shift_rem_mwh")
S_EV = S0 + spec.STATE_NAMES.index("ev_energy_mwh")
N_STATE = len(spec.STATE)
#: parameter row each state starts from (-1: from 0)
STATE_INIT: tuple[int, ...] = tuple(PARAM_NAMES.index(s.init) if s.init else -1 for s in spec.STATE)

# --- flows (positions in the step's returned tuple) ----------------------------------------------
N_FLOWS = len(spec.FLOWS)
_f = spec.FLOW_NAMES.index
F_IMPORT = _f("import_mwh")
TRACE_FLOWS: tuple[int, ...] = tuple(k for k, f in enumerate(spec.FLOWS) if f.trace)
TRACE_NAMES = spec.TRACE_NAMES
N_TRACE = len(TRACE_FLOWS)

# --- accumulators ----------------------------------------------------------------------------------
A_SUM0 = S0 + N_STATE
N_SUMS = len(spec.SUMS)
SUM_FLOW: tuple[int, ...] = tuple(_f(t.source) for t in spec.SUMS)
SUM_WEIGHT: tuple[int, ...] = tuple(spec.WEIGHTS[t.weight] for t in spec.SUMS)
SUM_GRID_POOL: tuple[bool, ...] = tuple(spec.FLOWS[_f(t.source)].grid_pool for t in spec.SUMS)
SUM_FLEX: tuple[bool, ...] = tuple(spec.FLOWS[_f(t.source)].flex for t in spec.SUMS)
A_MAX0 = A_SUM0 + N_SUMS  # the running maximum of the current month, one row per monthly maximum
N_MAXES = len(spec.MAXES)
MAX_FLOW: tuple[int, ...] = tuple(_f(t.source) for t in spec.MAXES)
A_MSUM0 = A_MAX0 + N_MAXES  # the running sum of the current month, one row per monthly sum (flexible blocks)
N_MSUMS = len(spec.MONTH_SUMS)
MSUM_FLOW: tuple[int, ...] = tuple(_f(t.source) for t in spec.MONTH_SUMS)
A_MONTH0 = A_MSUM0 + N_MSUMS  # then 12 rows per monthly total: the maxima, then the sums
N_MONTHS = spec.N_MONTHS
N_ENDS = len(spec.ENDS)
END_STATE: tuple[int, ...] = tuple(S0 + spec.STATE_NAMES.index(t.source) for t in spec.ENDS)
N_ROWS = A_MONTH0 + (N_MAXES + N_MSUMS) * N_MONTHS

# --- the totals array (columns as spec.TOTAL_COLUMNS: sums, ends, monthly maxima) -----------------
N_TOTALS = spec.N_TOTALS
C_END0 = N_SUMS
C_MONTH0 = N_SUMS + N_ENDS

TOTAL_NAMES = spec.TOTAL_COLUMNS
