"""Numba kernels for the hourly dispatch of a green-power direct-connection project.

The rules are those of ``docs/dispatch.md``; :func:`_step_nb` is their single
implementation, inlined into three drivers:

* :func:`dispatch_nb` — one scenario, totals only;
* :func:`dispatch_trace_nb` — one scenario, totals and hourly traces;
* :func:`dispatch_batch_nb` — many scenarios over shared hourly profiles.  The scenarios
  of a block of ``BLOCK`` sit in the inner loop over one contiguous buffer indexed
  ``buf[ROW * STRIDE + j]`` with compile-time ``ROW`` and ``STRIDE``, so LLVM vectorises
  the step across scenarios; ``prange`` runs blocks on all threads.

Kernels know arrays and numbers only: no validation (the engine checks shapes and
values first), no allocation inside the hour loop, no Python objects.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from numba import njit, prange

from gpdc.kernels.layout import (
    N_PARAMS,
    N_TOTALS,
    N_TRACE,
    P_CHARGE_MW,
    P_DISCHARGE_MW,
    P_ETA_CHARGE,
    P_ETA_DISCHARGE,
    P_EXPORT_CAP_FRAC,
    P_EXPORT_MW,
    P_EXPORT_RULE,
    P_GRID_CHARGE,
    P_GRID_CHARGE_PRICE,
    P_IMPORT_MW,
    P_IMPORT_TARGET_MW,
    P_INIT_GREEN_MWH,
    P_INIT_GRID_MWH,
    P_LINE_LOSS_FRAC,
    P_LINE_MW,
    P_SOLAR_MW,
    P_USABLE_MWH,
    P_WIND_MW,
    R_CHARGE_GREEN,
    R_CHARGE_GRID,
    R_CURTAIL_BUS,
    R_CURTAIL_LINE,
    R_DIRECT,
    R_DISCHARGE_GREEN,
    R_DISCHARGE_GRID,
    R_EXPORT,
    R_GEN,
    R_IMPORT,
    R_LINE_LOSS,
    R_STORAGE_GREEN,
    R_STORAGE_GRID,
    R_UNSERVED,
    T_CHARGE_GREEN,
    T_CHARGE_GRID,
    T_CURTAIL_BUS,
    T_CURTAIL_EXPORT_CAP,
    T_CURTAIL_LINE,
    T_DIRECT,
    T_DISCHARGE_GREEN,
    T_DISCHARGE_GRID,
    T_EXPORT,
    T_EXPORT_REVENUE,
    T_GREEN_END,
    T_GRID_END,
    T_IMPORT,
    T_IMPORT_COST,
    T_PEAK_IMPORT,
    T_SELF_SUPPLY_STEPS,
    T_UNSERVED,
    T_UNSERVED_COST,
)

# The on-disk cache is on unless GPDC_NUMBA_CACHE=0 (e.g. for a read-only install with no
# writable NUMBA_CACHE_DIR).  Kernels compile once per machine, then load in milliseconds.
CACHE = os.environ.get("GPDC_NUMBA_CACHE", "1") != "0"

#: scenarios per block in the batch kernel: 43 rows x 72 x 8 B = 25 KB fits a 32 KiB L1d
BLOCK = 64
#: row stride of the block buffer (compile-time constant, padded to whole cache lines)
STRIDE = BLOCK + 8

# rows of the block buffer after the N_PARAMS parameter rows
_S_GREEN = N_PARAMS
_S_GRID = N_PARAMS + 1
_S_CUM_EXPORT = N_PARAMS + 2
_S_INV_ETA_CH = N_PARAMS + 3  # 1 / eta_charge
_S_INV_ETA_DIS = N_PARAMS + 4  # 1 / eta_discharge
_S_CAP_BUDGET = N_PARAMS + 5  # cap_frac * (wind * CW_tot + solar * CS_tot)
_S_CAP_IMPORT = N_PARAMS + 6  # import cap of discharge in grid-charging hours and of grid charging
_A0 = N_PARAMS + 7  # first accumulator row; accumulator k is row _A0 + k
N_ROWS = _A0 + N_TOTALS

# fastmath "contract" only: fused multiply-adds (about 10% faster); no reassociation, NaN/Inf kept
_jit: dict[str, Any] = {"cache": CACHE, "nogil": True, "error_model": "numpy", "fastmath": {"contract"}}


@njit(inline="always", **_jit)
def _step_nb(
    cfw: float,
    cfs: float,
    load_mw: float,
    price_import: float,
    dt: float,
    cap_e: float,
    wind: float,
    solar: float,
    line_e: float,
    loss_frac: float,
    ch_e: float,
    dis_e: float,
    usable: float,
    eta_ch: float,
    inv_eta_ch: float,
    eta_dis: float,
    inv_eta_dis: float,
    exp_e: float,
    imp_e: float,
    gc_price: float,
    keep_e: float,
    cap_imp_e: float,
    green: float,
    grid: float,
    cum_export: float,
    green_only: bool,
) -> tuple[
    float, float, float, float, float, float, float, float, float,
    float, float, float, float, float, float, float,
]:  # fmt: skip
    """Advance one step; see docs/dispatch.md.  Energies [MWh], powers [MW].

    Power limits come in as energies per step (``line_e = line_mw * dt`` and so on) and
    efficiencies also as reciprocals, both computed once per scenario by the drivers.
    The export cap comes in as ``cap_e = cap_frac * (wind * CW + solar * CS)`` with the
    running or total sums of the export rule, and grid charging as ``gc_price``, NaN when
    it is off (no price compares ``<=`` NaN); the drivers compute both.  Peak shaving comes in
    as ``keep_e`` (the import target x dt, 0 when off: storage covers only the deficit above
    it) and ``cap_imp_e`` (min(target x dt, imp_e) when on, else imp_e: the import that grid
    charging and the grid-charging-hour discharge rule aim at).
    ``green_only`` (a compile-time constant at each call site) may be True only when the
    grid pool is empty and stays empty (no grid charging): the pro-rata share is then 1
    and its division drops out — the results are bit-identical to ``green_only=False``.

    Returns
    -------
    tuple
        ``(green, grid, cum_export, gen, direct, ch_green, ch_grid, dis_green, dis_grid,
        export, imp, curt_line, curt_bus, curt_cap, unserved, need)`` — the new pool
        energies and cumulative export, then this step's flows [MWh].
    """
    gen = (wind * cfw + solar * cfs) * dt
    line_in = min(gen, line_e)
    curt_line = gen - line_in
    arrive = line_in - line_in * loss_frac
    load_e = load_mw * dt
    direct = min(arrive, load_e)
    surplus = arrive - direct
    deficit = load_e - direct
    gc = price_import <= gc_price  # gc_price is NaN when grid charging is off

    # 1. storage takes green surplus first
    ch_green = max(0.0, min(surplus, ch_e, (usable - green - grid) * inv_eta_ch))
    green = green + ch_green * eta_ch
    rest = surplus - ch_green

    # 2. then the grid, within the connection and the export-share cap
    allow = max(0.0, cap_e - cum_export)
    exp_phys = min(rest, exp_e)
    export = min(exp_phys, allow)
    cum_export = cum_export + export
    curt_cap = exp_phys - export
    curt_bus = rest - export

    # 3. storage serves the deficit, pro rata from both pools (not in grid-charging hours)
    stored = green + grid
    # grid-charging hour: only what the import (cap) cannot; else the deficit above the target (0: all)
    to_cover = max(0.0, deficit - (cap_imp_e if gc else keep_e))
    dis = max(0.0, min(to_cover, dis_e, stored * eta_dis))
    if green_only:
        share = 1.0  # grid == 0, so green / stored == 1 exactly; with stored == 0, dis == 0
    else:
        share = green / stored if stored > 0.0 else 0.0
    w = dis * inv_eta_dis
    green = max(0.0, green - w * share)
    grid = max(0.0, grid - w * (1.0 - share))
    dis_green = dis * share
    dis_grid = dis - dis_green

    # 4. the grid serves the rest, up to the contracted import
    need = deficit - dis
    imp_load = min(need, imp_e)
    unserved = need - imp_load

    # 5. grid charging with the charge power and import capacity left
    ch_grid = max(0.0, min(ch_e - ch_green, (usable - green - grid) * inv_eta_ch, cap_imp_e - imp_load))
    ch_grid = ch_grid if gc else 0.0
    grid = grid + ch_grid * eta_ch
    imp = imp_load + ch_grid
    return (
        green, grid, cum_export, gen, direct, ch_green, ch_grid, dis_green, dis_grid,
        export, imp, curt_line, curt_bus, curt_cap, unserved, need,
    )  # fmt: skip


@njit(**_jit)
def _run_single_nb(
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    dt: float,
    params: np.ndarray,
    out_totals: np.ndarray,
    out_trace: np.ndarray,
    write_trace: bool,
) -> None:
    n_hours = cf_wind.shape[0]
    cw_tot = 0.0
    cs_tot = 0.0
    for t in range(n_hours):
        cw_tot += cf_wind[t] * dt
        cs_tot += cf_solar[t] * dt
    wind = params[P_WIND_MW]
    solar = params[P_SOLAR_MW]
    line_e = params[P_LINE_MW] * dt
    loss_frac = params[P_LINE_LOSS_FRAC]
    ch_e = params[P_CHARGE_MW] * dt
    dis_e = params[P_DISCHARGE_MW] * dt
    usable = params[P_USABLE_MWH]
    eta_ch = params[P_ETA_CHARGE]
    inv_eta_ch = 1.0 / eta_ch
    eta_dis = params[P_ETA_DISCHARGE]
    inv_eta_dis = 1.0 / eta_dis
    exp_e = params[P_EXPORT_MW] * dt
    cap_frac = params[P_EXPORT_CAP_FRAC]
    budget = params[P_EXPORT_RULE] > 0.5
    cap_budget = cap_frac * (wind * cw_tot + solar * cs_tot)  # the cap of the budget rule
    imp_e = params[P_IMPORT_MW] * dt
    gc_price = params[P_GRID_CHARGE_PRICE] if params[P_GRID_CHARGE] > 0.5 else np.nan
    keep_e = params[P_IMPORT_TARGET_MW] * dt
    cap_imp_e = min(keep_e, imp_e) if keep_e > 0.0 else imp_e
    green = params[P_INIT_GREEN_MWH]
    grid = params[P_INIT_GRID_MWH]
    cum_export = 0.0
    for k in range(N_TOTALS):
        out_totals[k] = 0.0
    cw = 0.0
    cs = 0.0
    for t in range(n_hours):
        cw += cf_wind[t] * dt
        cs += cf_solar[t] * dt
        cap_e = cap_budget if budget else cap_frac * (wind * cw + solar * cs)
        (
            green, grid, cum_export, gen, direct, ch_green, ch_grid, dis_green, dis_grid,
            export, imp, curt_line, curt_bus, curt_cap, unserved, need,
        ) = _step_nb(
            cf_wind[t], cf_solar[t], load_mw[t], price_import[t], dt, cap_e,
            wind, solar, line_e, loss_frac, ch_e, dis_e, usable, eta_ch, inv_eta_ch,
            eta_dis, inv_eta_dis, exp_e, imp_e, gc_price, keep_e, cap_imp_e, green, grid, cum_export,
            False,
        )  # fmt: skip
        out_totals[T_DIRECT] += direct
        out_totals[T_CHARGE_GREEN] += ch_green
        out_totals[T_CHARGE_GRID] += ch_grid
        out_totals[T_DISCHARGE_GREEN] += dis_green
        out_totals[T_DISCHARGE_GRID] += dis_grid
        out_totals[T_EXPORT] += export
        out_totals[T_IMPORT] += imp
        out_totals[T_CURTAIL_LINE] += curt_line
        out_totals[T_CURTAIL_BUS] += curt_bus
        out_totals[T_CURTAIL_EXPORT_CAP] += curt_cap
        out_totals[T_UNSERVED] += unserved
        out_totals[T_UNSERVED_COST] += unserved * price_import[t]
        # energy, power at the end; `+ 0.0` keeps LLVM from turning the batch kernel's store of
        # max(old, imp) into a conditional (masked) store, very slow on AMD Zen
        out_totals[T_PEAK_IMPORT] = max(out_totals[T_PEAK_IMPORT], imp) + 0.0
        out_totals[T_IMPORT_COST] += imp * price_import[t]
        out_totals[T_EXPORT_REVENUE] += export * price_export[t]
        out_totals[T_SELF_SUPPLY_STEPS] += 1.0 if need <= 0.0 else 0.0
        if write_trace:
            out_trace[t, R_GEN] = gen
            out_trace[t, R_CURTAIL_LINE] = curt_line
            out_trace[t, R_LINE_LOSS] = (gen - curt_line) * loss_frac
            out_trace[t, R_DIRECT] = direct
            out_trace[t, R_CHARGE_GREEN] = ch_green
            out_trace[t, R_CHARGE_GRID] = ch_grid
            out_trace[t, R_DISCHARGE_GREEN] = dis_green
            out_trace[t, R_DISCHARGE_GRID] = dis_grid
            out_trace[t, R_EXPORT] = export
            out_trace[t, R_IMPORT] = imp
            out_trace[t, R_CURTAIL_BUS] = curt_bus
            out_trace[t, R_UNSERVED] = unserved
            out_trace[t, R_STORAGE_GREEN] = green
            out_trace[t, R_STORAGE_GRID] = grid
    out_totals[T_PEAK_IMPORT] = out_totals[T_PEAK_IMPORT] / dt  # max(imp)/dt == max(imp/dt), dt > 0
    out_totals[T_GREEN_END] = green
    out_totals[T_GRID_END] = grid


@njit(**_jit)
def dispatch_nb(
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    dt: float,
    params: np.ndarray,
    out_totals: np.ndarray,
) -> None:
    """Dispatch one scenario over all hours and write its totals.

    Parameters
    ----------
    cf_wind, cf_solar : float64[n_hours]
        Capacity factors [-].
    load_mw : float64[n_hours]
        Mean load in each step [MW].
    price_import, price_export : float64[n_hours]
        Energy prices [yuan/MWh].
    dt : float
        Step length [h].
    params : float64[N_PARAMS]
        Scenario parameters, rows as in ``layout.P_*``.
    out_totals : float64[N_TOTALS]
        Written in place, columns as in ``layout.T_*``.
    """
    empty = np.empty((0, N_TRACE))
    _run_single_nb(cf_wind, cf_solar, load_mw, price_import, price_export, dt, params, out_totals, empty, False)


@njit(**_jit)
def dispatch_trace_nb(
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    dt: float,
    params: np.ndarray,
    out_totals: np.ndarray,
    out_trace: np.ndarray,
) -> None:
    """Dispatch one scenario and also write hourly flows and pool energies.

    As :func:`dispatch_nb`, plus ``out_trace : float64[n_hours, N_TRACE]`` written in place,
    columns as in ``layout.R_*`` [MWh per step; pools at the end of the step].
    """
    _run_single_nb(cf_wind, cf_solar, load_mw, price_import, price_export, dt, params, out_totals, out_trace, True)


@njit(inline="always", **_jit)
def _block_hours_nb(
    buf: np.ndarray,
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    dt: float,
    cw_tot: float,
    cs_tot: float,
    green_only: bool,
) -> None:
    """Run all hours for one block of BLOCK scenarios held in ``buf`` (rows x STRIDE)."""
    n_hours = cf_wind.shape[0]
    cw = 0.0
    cs = 0.0
    for t in range(n_hours):
        cw += cf_wind[t] * dt
        cs += cf_solar[t] * dt
        cfw = cf_wind[t]
        cfs = cf_solar[t]
        ld = load_mw[t]
        pi = price_import[t]
        pe = price_export[t]
        for j in range(BLOCK):
            wind = buf[P_WIND_MW * STRIDE + j]
            solar = buf[P_SOLAR_MW * STRIDE + j]
            budget = buf[P_EXPORT_RULE * STRIDE + j] > 0.5
            cap_run = buf[P_EXPORT_CAP_FRAC * STRIDE + j] * (wind * cw + solar * cs)
            cap_e = buf[_S_CAP_BUDGET * STRIDE + j] if budget else cap_run
            (
                green, grid, cum_export, gen, direct, ch_green, ch_grid, dis_green,
                dis_grid, export, imp, curt_line, curt_bus, curt_cap, unserved, need,
            ) = _step_nb(
                cfw, cfs, ld, pi, dt, cap_e, wind, solar,
                buf[P_LINE_MW * STRIDE + j],
                buf[P_LINE_LOSS_FRAC * STRIDE + j],
                buf[P_CHARGE_MW * STRIDE + j],
                buf[P_DISCHARGE_MW * STRIDE + j],
                buf[P_USABLE_MWH * STRIDE + j],
                buf[P_ETA_CHARGE * STRIDE + j],
                buf[_S_INV_ETA_CH * STRIDE + j],
                buf[P_ETA_DISCHARGE * STRIDE + j],
                buf[_S_INV_ETA_DIS * STRIDE + j],
                buf[P_EXPORT_MW * STRIDE + j],
                buf[P_IMPORT_MW * STRIDE + j],
                buf[P_GRID_CHARGE_PRICE * STRIDE + j],  # NaN where grid charging is off
                buf[P_IMPORT_TARGET_MW * STRIDE + j],  # x dt: keep_e
                buf[_S_CAP_IMPORT * STRIDE + j],
                buf[_S_GREEN * STRIDE + j],
                buf[_S_GRID * STRIDE + j],
                buf[_S_CUM_EXPORT * STRIDE + j],
                green_only,
            )  # fmt: skip
            buf[_S_GREEN * STRIDE + j] = green
            buf[_S_CUM_EXPORT * STRIDE + j] = cum_export
            if not green_only:
                # with green_only, grid, ch_grid and dis_grid are +0.0 every hour: the rows stay 0.0
                buf[_S_GRID * STRIDE + j] = grid
                buf[(_A0 + T_CHARGE_GRID) * STRIDE + j] += ch_grid
                buf[(_A0 + T_DISCHARGE_GRID) * STRIDE + j] += dis_grid
            buf[(_A0 + T_DIRECT) * STRIDE + j] += direct
            buf[(_A0 + T_CHARGE_GREEN) * STRIDE + j] += ch_green
            buf[(_A0 + T_DISCHARGE_GREEN) * STRIDE + j] += dis_green
            buf[(_A0 + T_EXPORT) * STRIDE + j] += export
            buf[(_A0 + T_IMPORT) * STRIDE + j] += imp
            buf[(_A0 + T_CURTAIL_LINE) * STRIDE + j] += curt_line
            buf[(_A0 + T_CURTAIL_BUS) * STRIDE + j] += curt_bus
            buf[(_A0 + T_CURTAIL_EXPORT_CAP) * STRIDE + j] += curt_cap
            buf[(_A0 + T_UNSERVED) * STRIDE + j] += unserved
            buf[(_A0 + T_UNSERVED_COST) * STRIDE + j] += unserved * pi
            # `+ 0.0`: not a conditional (masked) store, see _run_single_nb
            buf[(_A0 + T_PEAK_IMPORT) * STRIDE + j] = max(buf[(_A0 + T_PEAK_IMPORT) * STRIDE + j], imp) + 0.0
            buf[(_A0 + T_IMPORT_COST) * STRIDE + j] += imp * pi
            buf[(_A0 + T_EXPORT_REVENUE) * STRIDE + j] += export * pe
            buf[(_A0 + T_SELF_SUPPLY_STEPS) * STRIDE + j] += 1.0 if need <= 0.0 else 0.0


@njit(parallel=True, **_jit)
def dispatch_batch_nb(
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    dt: float,
    params: np.ndarray,
    out_totals: np.ndarray,
) -> None:
    """Dispatch many scenarios that share their hourly profiles.

    Parameters
    ----------
    cf_wind, cf_solar, load_mw, price_import, price_export, dt
        As in :func:`dispatch_nb`, shared by all scenarios.
    params : float64[N_PARAMS, n_scen]
        Scenario parameters, C-contiguous, one column per scenario.
    out_totals : float64[n_scen, N_TOTALS]
        Written in place.  Row ``s`` equals what :func:`dispatch_nb` writes for column
        ``s`` of ``params`` up to the last bit (the same arithmetic; multiply-adds may be
        fused differently in scalar and vector code).  A scenario's row does not depend on
        the other scenarios of the batch: alone or in any block, it is bit-identical.
    """
    n_hours = cf_wind.shape[0]
    n_scen = params.shape[1]
    n_blocks = (n_scen + BLOCK - 1) // BLOCK
    cw_tot = 0.0
    cs_tot = 0.0
    for t in range(n_hours):
        cw_tot += cf_wind[t] * dt
        cs_tot += cf_solar[t] * dt
    for b in prange(n_blocks):
        s0 = b * BLOCK
        nb = min(BLOCK, n_scen - s0)
        buf = np.zeros(N_ROWS * STRIDE)
        for j in range(BLOCK):
            # idle lanes get harmless values (unit efficiencies: no division by zero)
            buf[P_ETA_CHARGE * STRIDE + j] = 1.0
            buf[P_ETA_DISCHARGE * STRIDE + j] = 1.0
        for r in range(N_PARAMS):
            for j in range(nb):
                buf[r * STRIDE + j] = params[r, s0 + j]
        for r in (P_LINE_MW, P_CHARGE_MW, P_DISCHARGE_MW, P_EXPORT_MW, P_IMPORT_MW, P_IMPORT_TARGET_MW):
            for j in range(nb):
                buf[r * STRIDE + j] = params[r, s0 + j] * dt  # power limits as energy per step
        for j in range(BLOCK):
            buf[_S_INV_ETA_CH * STRIDE + j] = 1.0 / buf[P_ETA_CHARGE * STRIDE + j]
            buf[_S_INV_ETA_DIS * STRIDE + j] = 1.0 / buf[P_ETA_DISCHARGE * STRIDE + j]
            buf[_S_CAP_BUDGET * STRIDE + j] = buf[P_EXPORT_CAP_FRAC * STRIDE + j] * (
                buf[P_WIND_MW * STRIDE + j] * cw_tot + buf[P_SOLAR_MW * STRIDE + j] * cs_tot
            )
            if not buf[P_GRID_CHARGE * STRIDE + j] > 0.5:
                buf[P_GRID_CHARGE_PRICE * STRIDE + j] = np.nan  # no grid-charging hours
            keep = buf[P_IMPORT_TARGET_MW * STRIDE + j]
            imp_cap = buf[P_IMPORT_MW * STRIDE + j]
            buf[_S_CAP_IMPORT * STRIDE + j] = min(keep, imp_cap) if keep > 0.0 else imp_cap
        for j in range(nb):
            buf[_S_GREEN * STRIDE + j] = params[P_INIT_GREEN_MWH, s0 + j]
            buf[_S_GRID * STRIDE + j] = params[P_INIT_GRID_MWH, s0 + j]
        # blocks whose grid pool is and stays empty skip the pro-rata division
        green_only = True
        for j in range(nb):
            if params[P_GRID_CHARGE, s0 + j] > 0.5 or params[P_INIT_GRID_MWH, s0 + j] != 0.0:
                green_only = False
        if green_only:
            _block_hours_nb(buf, cf_wind, cf_solar, load_mw, price_import, price_export, dt, cw_tot, cs_tot, True)
        else:
            _block_hours_nb(buf, cf_wind, cf_solar, load_mw, price_import, price_export, dt, cw_tot, cs_tot, False)
        for j in range(nb):
            for k in range(N_TOTALS):
                out_totals[s0 + j, k] = buf[(_A0 + k) * STRIDE + j]
            out_totals[s0 + j, T_PEAK_IMPORT] = buf[(_A0 + T_PEAK_IMPORT) * STRIDE + j] / dt
            out_totals[s0 + j, T_GREEN_END] = buf[_S_GREEN * STRIDE + j]
            out_totals[s0 + j, T_GRID_END] = buf[_S_GRID * STRIDE + j]
