"""Column layout shared by the dispatch kernels and their wrappers.

The kernels take plain float64 arrays; these integer constants name the rows of the
parameter array and the columns of the totals array.  Only numpy-free Python here, so
the constants are compile-time globals inside numba.

Parameter rows (``params[P_*, s]`` for scenario ``s``), all per scenario:

========================  ======================================================  ==========
name                      meaning                                                 unit
========================  ======================================================  ==========
P_WIND_MW                 wind plant rating (AC)                                  MW
P_SOLAR_MW                PV plant rating (AC)                                    MW
P_LINE_MW                 dedicated line rating                                   MW
P_LINE_LOSS_FRAC          line loss as a share of energy entering the line        1
P_CHARGE_MW               storage charge power limit (drawn from the user bus)    MW
P_DISCHARGE_MW            storage discharge power limit (delivered to the bus)    MW
P_USABLE_MWH              usable storage energy (soc_max - soc_min) x capacity    MWh
P_ETA_CHARGE              charge efficiency                                       1
P_ETA_DISCHARGE           discharge efficiency                                    1
P_INIT_GREEN_MWH          initial usable energy in the green pool                 MWh
P_INIT_GRID_MWH           initial usable energy in the grid pool                  MWh
P_EXPORT_MW               export limit of the grid connection                     MW
P_EXPORT_CAP_FRAC         export cap as share of available generation (0 = none)  1
P_EXPORT_RULE             0 = running pro-rata, 1 = annual budget                 code
P_IMPORT_MW               contracted import capacity                              MW
P_GRID_CHARGE             1 = storage may charge from the grid, else 0            code
P_GRID_CHARGE_PRICE       charge from grid in hours with price <= this            yuan/MWh
P_IMPORT_TARGET_MW        peak shaving: hold import at or below it (0 = off)      MW
========================  ======================================================  ==========

Totals columns (``totals[s, T_*]``), sums over the simulated hours unless noted.
"""

from __future__ import annotations

# --- parameter rows -------------------------------------------------------------------
P_WIND_MW = 0
P_SOLAR_MW = 1
P_LINE_MW = 2
P_LINE_LOSS_FRAC = 3
P_CHARGE_MW = 4
P_DISCHARGE_MW = 5
P_USABLE_MWH = 6
P_ETA_CHARGE = 7
P_ETA_DISCHARGE = 8
P_INIT_GREEN_MWH = 9
P_INIT_GRID_MWH = 10
P_EXPORT_MW = 11
P_EXPORT_CAP_FRAC = 12
P_EXPORT_RULE = 13
P_IMPORT_MW = 14
P_GRID_CHARGE = 15
P_GRID_CHARGE_PRICE = 16
P_IMPORT_TARGET_MW = 17
N_PARAMS = 18

PARAM_NAMES: tuple[str, ...] = (
    "wind_mw",
    "solar_mw",
    "line_mw",
    "line_loss_frac",
    "charge_mw",
    "discharge_mw",
    "usable_mwh",
    "eta_charge",
    "eta_discharge",
    "init_green_mwh",
    "init_grid_mwh",
    "export_mw",
    "export_cap_frac",
    "export_rule",
    "import_mw",
    "grid_charge",
    "grid_charge_price_yuan_per_mwh",
    "import_target_mw",
)

# --- export-cap rules ------------------------------------------------------------------
EXPORT_RULE_RUNNING = 0  # cumulative export <= cap x cumulative available generation
EXPORT_RULE_BUDGET = 1  # cumulative export <= cap x the year's available generation
EXPORT_RULE_NAMES: dict[str, int] = {"running": EXPORT_RULE_RUNNING, "budget": EXPORT_RULE_BUDGET}

# --- totals columns --------------------------------------------------------------------
T_DIRECT = 0  # green energy used at once by the load [MWh]
T_CHARGE_GREEN = 1  # energy drawn from the bus into storage from green surplus [MWh]
T_CHARGE_GRID = 2  # energy drawn from the grid into storage [MWh]
T_DISCHARGE_GREEN = 3  # energy delivered by storage to the load, green part [MWh]
T_DISCHARGE_GRID = 4  # energy delivered by storage to the load, grid part [MWh]
T_EXPORT = 5  # green energy fed into the public grid [MWh]
T_IMPORT = 6  # energy drawn from the grid, for load and for grid charging [MWh]
T_CURTAIL_LINE = 7  # available generation above the line rating [MWh]
T_CURTAIL_BUS = 8  # surplus at the user bus neither stored nor exported [MWh]
T_CURTAIL_EXPORT_CAP = 9  # part of T_CURTAIL_BUS that only the export-share cap blocked [MWh]
T_UNSERVED = 10  # load not served: import capacity exceeded [MWh]
T_PEAK_IMPORT = 11  # maximum hourly import power [MW]
T_IMPORT_COST = 12  # sum of import x import price [yuan]
T_EXPORT_REVENUE = 13  # sum of export x export price [yuan]
T_SELF_SUPPLY_STEPS = 14  # steps with no import for the load and no unserved energy [count]
T_GREEN_END = 15  # usable energy in the green pool at the end [MWh]
T_GRID_END = 16  # usable energy in the grid pool at the end [MWh]
T_UNSERVED_COST = 17  # sum of unserved x import price: what the unserved load would cost [yuan]
N_TOTALS = 18

TOTAL_NAMES: tuple[str, ...] = (
    "direct_mwh",
    "charge_green_mwh",
    "charge_grid_mwh",
    "discharge_green_mwh",
    "discharge_grid_mwh",
    "export_mwh",
    "import_mwh",
    "curtail_line_mwh",
    "curtail_bus_mwh",
    "curtail_export_cap_mwh",
    "unserved_mwh",
    "peak_import_mw",
    "import_cost_yuan",
    "export_revenue_yuan",
    "self_supply_steps",
    "storage_green_end_mwh",
    "storage_grid_end_mwh",
    "unserved_cost_yuan",
)

# --- hourly trace columns (dispatch_trace_nb) ------------------------------------------
R_GEN = 0
R_CURTAIL_LINE = 1
R_LINE_LOSS = 2
R_DIRECT = 3
R_CHARGE_GREEN = 4
R_CHARGE_GRID = 5
R_DISCHARGE_GREEN = 6
R_DISCHARGE_GRID = 7
R_EXPORT = 8
R_IMPORT = 9
R_CURTAIL_BUS = 10
R_UNSERVED = 11
R_STORAGE_GREEN = 12  # usable energy in the green pool at the end of the hour
R_STORAGE_GRID = 13  # usable energy in the grid pool at the end of the hour
N_TRACE = 14

TRACE_NAMES: tuple[str, ...] = (
    "gen_avail_mwh",
    "curtail_line_mwh",
    "line_loss_mwh",
    "direct_mwh",
    "charge_green_mwh",
    "charge_grid_mwh",
    "discharge_green_mwh",
    "discharge_grid_mwh",
    "export_mwh",
    "import_mwh",
    "curtail_bus_mwh",
    "unserved_mwh",
    "storage_green_mwh",
    "storage_grid_mwh",
)

assert len(PARAM_NAMES) == N_PARAMS  # noqa: S101 - module self-check, not user input
assert len(TOTAL_NAMES) == N_TOTALS  # noqa: S101
assert len(TRACE_NAMES) == N_TRACE  # noqa: S101
