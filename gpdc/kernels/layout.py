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
#: parameters that are powers, turned into energies per step (x dt) in the block
PER_STEP_PARAMS: tuple[int, ...] = tuple(k for k, p in enumerate(spec.PARAMS) if p.per_step)

# --- export-cap rules ------------------------------------------------------------------------
EXPORT_RULE_RUNNING = 0  # cumulative export <= cap x cumulative available generation
EXPORT_RULE_BUDGET = 1  # cumulative export <= cap x the year's available generation
EXPORT_RULE_NAMES: dict[str, int] = {"running": EXPORT_RULE_RUNNING, "budget": EXPORT_RULE_BUDGET}

# --- derived per-design constants (kernel-internal rows after the parameters) ----------------
D_INV_ETA_CH = N_PARAMS  # 1 / eta_charge
D_INV_ETA_DIS = N_PARAMS + 1  # 1 / eta_discharge
D_CAP_BUDGET = N_PARAMS + 2  # export cap of the budget rule: cap_frac x (wind x CW_tot + solar x CS_tot)
D_CAP_IMPORT = N_PARAMS + 3  # the import that grid charging and the grid-charging-hour discharge aim at
N_DERIVED = 4

# --- state --------------------------------------------------------------------------------------
S0 = N_PARAMS + N_DERIVED
S_GREEN = S0 + spec.STATE_NAMES.index("green_mwh")
S_GRID = S0 + spec.STATE_NAMES.index("grid_mwh")
S_CUM_EXPORT = S0 + spec.STATE_NAMES.index("cum_export_mwh")
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
A_MAX0 = A_SUM0 + N_SUMS  # the running maximum of the current month, one row per monthly total
N_MAXES = len(spec.MAXES)
MAX_FLOW: tuple[int, ...] = tuple(_f(t.source) for t in spec.MAXES)
A_MONTH0 = A_MAX0 + N_MAXES  # then 12 rows per monthly total
N_MONTHS = spec.N_MONTHS
N_ENDS = len(spec.ENDS)
END_STATE: tuple[int, ...] = tuple(S0 + spec.STATE_NAMES.index(t.source) for t in spec.ENDS)
N_ROWS = A_MONTH0 + N_MAXES * N_MONTHS

# --- the totals array (columns as spec.TOTAL_COLUMNS: sums, ends, monthly maxima) -----------------
N_TOTALS = spec.N_TOTALS
C_END0 = N_SUMS
C_MONTH0 = N_SUMS + N_ENDS

TOTAL_NAMES = spec.TOTAL_COLUMNS
