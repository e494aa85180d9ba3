"""One step of the dispatch and the block helpers that both drivers share (numba, inlined).

Everything works on the *block layout* of :mod:`gpdc.kernels.layout`: design ``j`` of a block
keeps its parameters, derived constants, state and accumulators in ``b[ROW * stride + j]``.
The batch driver passes its compile-time ``STRIDE`` (the designs of a block side by side, so
LLVM vectorises across them), the single-design driver ``stride = 1``; the code is the same.

* :func:`prepare_nb` — a design's parameters into the block (powers as energies per step),
  its derived constants and its initial state;
* :func:`step_nb` — the rules of ``docs/dispatch.md`` for one step; returns the flows in the
  order of :data:`gpdc.kernels.spec.FLOWS` (with ``flex`` a compile-time False, the flexible
  elements' code and flows drop out: their flows are the constant 0);
* :func:`accumulate_nb` — the flows into the accumulators, as :data:`gpdc.kernels.spec.TOTALS`
  says (the one accumulator: no second copy in any driver);
* :func:`close_month_nb` — at the end of a billing month, the month's maxima into their rows;
* :func:`write_trace_nb` — one step's traced flows into a row of the hourly traces;
* :func:`write_totals_nb` — the accumulators into a design's row of the totals array.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from numba import njit

from gpdc.kernels.layout import (
    A_MAX0,
    A_MONTH0,
    A_MSUM0,
    A_SUM0,
    C_END0,
    C_MONTH0,
    D_CAP_BASE,
    D_CAP_IMPORT,
    D_CAP_RUN_FRAC,
    D_ELY_KG_PER_MWH,
    D_ELY_MIN_E,
    D_EV_FLOOR,
    D_EV_INV_ETA,
    D_INV_ETA_CH,
    D_INV_ETA_DIS,
    END_STATE,
    FLEX_PARAMS,
    H_EV_AFTER,
    H_EV_DEPART,
    H_EV_PLUGGED,
    H_OFFTAKE_KG,
    H_SHIFT_AFTER,
    H_SHIFT_ALLOWED,
    H_SHIFT_BASE,
    H_SHIFT_END,
    H_SHIFT_START,
    MAX_FLOW,
    MSUM_FLOW,
    N_ENDS,
    N_MAXES,
    N_MONTHS,
    N_MSUMS,
    N_PARAMS,
    N_STATE,
    N_SUMS,
    P_CHARGE_MW,
    P_DISCHARGE_MW,
    P_ELY_GRID,
    P_ELY_HOLD,
    P_ELY_MIN_FRAC,
    P_ELY_MW,
    P_ELY_MWH_PER_KG,
    P_ELY_STANDBY_MW,
    P_ETA_CHARGE,
    P_ETA_DISCHARGE,
    P_EV_CHARGE_MW,
    P_EV_ETA,
    P_EV_MWH,
    P_EV_NEED_MWH,
    P_EV_V2G_MIN_FRAC,
    P_EV_V2G_MW,
    P_EXPORT_CAP_FRAC,
    P_EXPORT_MW,
    P_EXPORT_RULE,
    P_FLEX,
    P_GRID_CHARGE,
    P_GRID_CHARGE_PRICE,
    P_IMPORT_MW,
    P_IMPORT_TARGET_MW,
    P_LINE_LOSS_FRAC,
    P_LINE_MW,
    P_LOOKAHEAD,
    P_LOOKAHEAD_FORECAST,
    P_LOOKAHEAD_H,
    P_SHIFT_MW,
    P_SHIFT_MWH,
    P_SOLAR_MW,
    P_TANK_KG,
    P_USABLE_MWH,
    P_WIND_MW,
    PER_STEP_PARAMS,
    S0,
    S_CUM_EXPORT,
    S_ELY_ON,
    S_EV,
    S_GREEN,
    S_GRID,
    S_SHIFT_REM,
    S_TANK,
    STATE_INIT,
    SUM_FLEX,
    SUM_FLOW,
    SUM_GRID_POOL,
    SUM_WEIGHT,
    TRACE_FLOWS,
)

#: The on-disk cache is on unless GPDC_NUMBA_CACHE=0 (e.g. for a read-only install with no
#: writable NUMBA_CACHE_DIR).  Kernels compile once per machine, then load in milliseconds.
CACHE = os.environ.get("GPDC_NUMBA_CACHE", "1") != "0"

#: numba options of every kernel: no Python error checks on division (they block vectorisation),
#: and fastmath "contract" only — fused multiply-adds, no reassociation, NaN and Inf kept
JIT: dict[str, Any] = {"cache": CACHE, "nogil": True, "error_model": "numpy", "fastmath": {"contract"}}


@njit(inline="always", **JIT)
def profile_sums_nb(cf_wind: np.ndarray, cf_solar: np.ndarray, dt: float) -> tuple[float, float]:
    """Return (Σ cf_wind·dt, Σ cf_solar·dt) over all steps [h], summed in time order."""
    cw_tot = 0.0
    cs_tot = 0.0
    for t in range(cf_wind.shape[0]):
        cw_tot += cf_wind[t] * dt
        cs_tot += cf_solar[t] * dt
    return cw_tot, cs_tot


@njit(inline="always", **JIT)
def idle_lane_nb(b: np.ndarray, j: int, stride: int) -> None:
    """Give lane ``j`` harmless values (unit efficiencies: no division by zero) before any design."""
    b[P_ETA_CHARGE * stride + j] = 1.0
    b[P_ETA_DISCHARGE * stride + j] = 1.0
    b[P_EV_ETA * stride + j] = 1.0


@njit(inline="always", **JIT)
def load_params_nb(b: np.ndarray, j: int, stride: int, params: np.ndarray, s: int, dt: float) -> None:
    """Copy design ``s`` of ``params`` [N_PARAMS, n] into lane ``j``, powers as energies per step, and its initial state."""
    for r in range(N_PARAMS):
        b[r * stride + j] = params[r, s]
    for r in PER_STEP_PARAMS:
        b[r * stride + j] = params[r, s] * dt  # power limits as energy per step
    if not params[P_FLEX, s] > 0.5:  # no flexible element: its parameters are 0 whatever they hold
        for r in FLEX_PARAMS:
            b[r * stride + j] = 0.0
    for k in range(N_STATE):
        init = STATE_INIT[k]
        b[(S0 + k) * stride + j] = b[init * stride + j] if init >= 0 else 0.0


@njit(inline="always", **JIT)
def derive_lane_nb(b: np.ndarray, j: int, stride: int, cw_tot: float, cs_tot: float) -> None:
    """Compute lane ``j``'s derived constants from its parameters (after :func:`load_params_nb` or :func:`idle_lane_nb`)."""
    b[D_INV_ETA_CH * stride + j] = 1.0 / b[P_ETA_CHARGE * stride + j]
    b[D_INV_ETA_DIS * stride + j] = 1.0 / b[P_ETA_DISCHARGE * stride + j]
    frac = b[P_EXPORT_CAP_FRAC * stride + j]
    if b[P_EXPORT_RULE * stride + j] > 0.5:  # budget: the year's cap from the start
        b[D_CAP_BASE * stride + j] = frac * (b[P_WIND_MW * stride + j] * cw_tot + b[P_SOLAR_MW * stride + j] * cs_tot)
        b[D_CAP_RUN_FRAC * stride + j] = 0.0
    else:  # running: the share of the generation available so far
        b[D_CAP_BASE * stride + j] = 0.0
        b[D_CAP_RUN_FRAC * stride + j] = frac
    if not b[P_GRID_CHARGE * stride + j] > 0.5:
        b[P_GRID_CHARGE_PRICE * stride + j] = np.nan  # no grid-charging hours: no price compares <= NaN
    keep = b[P_IMPORT_TARGET_MW * stride + j]
    imp_cap = b[P_IMPORT_MW * stride + j]
    b[D_CAP_IMPORT * stride + j] = min(keep, imp_cap) if keep > 0.0 else imp_cap
    mpk = b[P_ELY_MWH_PER_KG * stride + j]
    b[D_ELY_KG_PER_MWH * stride + j] = 1.0 / mpk if mpk > 0.0 else 0.0
    b[D_ELY_MIN_E * stride + j] = b[P_ELY_MIN_FRAC * stride + j] * b[P_ELY_MW * stride + j]
    b[D_EV_INV_ETA * stride + j] = 1.0 / b[P_EV_ETA * stride + j]
    b[D_EV_FLOOR * stride + j] = max(b[P_EV_NEED_MWH * stride + j],
                                     b[P_EV_V2G_MIN_FRAC * stride + j] * b[P_EV_MWH * stride + j])


@njit(inline="always", **JIT)
def step_nb(
    b: np.ndarray,
    j: int,
    stride: int,
    cfw: float,
    cfs: float,
    load_mw: float,
    price_import: float,
    dt: float,
    cw: float,
    cs: float,
    green_only: bool,
    flex: bool,
    hx: np.ndarray,
    la: bool,
    floor: float,
    gch: int,
    rule: int,
) -> tuple[
    float, float, float, float, float, float, float, float,
    float, float, float, float, float, float, float, float,
    float, float, float, float, float, float, float, float,
    float, float, float, float, float, float, float, float,
]:  # fmt: skip
    """Advance design ``j`` of the block by one step (docs/dispatch.md); return its flows [MWh per step].

    ``cw`` and ``cs`` are the running sums Σ cf·dt up to and including this step (the running
    export cap).  The new state is written back into the block.  ``green_only`` (a compile-time
    constant at each call site) may be True only when the grid pool is and stays empty (no grid
    charging): the pro-rata share is then 1 and its division drops out, bit-identical results.
    ``flex`` (compile-time too) turns on the flexible elements, whose hourly inputs are ``hx``
    (this step's row of ``hourly``, columns :data:`gpdc.kernels.spec.HOURLY`); with ``flex``
    False their code drops out and their flows are 0.  ``la`` (compile-time) turns on the
    lookahead strategy: discharge draws the pools down to ``floor`` [MWh] only (the floor of this
    step from :func:`plan_day_nb`; 0 for a green-first design, which is then bit-identical).
    ``gch`` (compile-time) says whether this is a grid-charging step: -1 for each design by its
    own price (``price_import`` <= its grid-charging price), 0 for no design of the block, 1 for
    every one (a block whose designs share one grid-charging price decides once per step and
    runs the variant without the other's code; the same decision, so bit-identical).  ``rule``
    (compile-time) is the export-cap rule: -1 for each design by its rows (the cap as base +
    coefficient, no select), 0 running and 1 budget for a block whose designs all follow that rule
    (the other rule's term, exactly 0 for them, is then not computed: bit-identical).

    Returns
    -------
    tuple of float
        The flows in the order of :data:`gpdc.kernels.spec.FLOWS`: gen, curt_line, line_loss,
        direct, ch_green, ch_grid, dis_green, dis_grid, export, import, curt_bus, unserved,
        green pool and grid pool at the end of the step, curt_cap, self-supply (1 or 0), then
        the flexible elements' flows [MWh, kg, 1].
    """
    wind = b[P_WIND_MW * stride + j]
    solar = b[P_SOLAR_MW * stride + j]
    line_e = b[P_LINE_MW * stride + j]
    loss_frac = b[P_LINE_LOSS_FRAC * stride + j]
    ch_e = b[P_CHARGE_MW * stride + j]
    dis_e = b[P_DISCHARGE_MW * stride + j]
    usable = b[P_USABLE_MWH * stride + j]
    eta_ch = b[P_ETA_CHARGE * stride + j]
    inv_eta_ch = b[D_INV_ETA_CH * stride + j]
    eta_dis = b[P_ETA_DISCHARGE * stride + j]
    inv_eta_dis = b[D_INV_ETA_DIS * stride + j]
    exp_e = b[P_EXPORT_MW * stride + j]
    imp_e = b[P_IMPORT_MW * stride + j]
    gc_price = b[P_GRID_CHARGE_PRICE * stride + j]  # NaN where grid charging is off
    keep_e = b[P_IMPORT_TARGET_MW * stride + j]  # the peak-shaving target x dt (0: off)
    cap_imp_e = b[D_CAP_IMPORT * stride + j]
    # the export cap: budget rule base + 0 x (...), running rule 0 + frac x (...), bit for bit its rule's cap
    # (a product plus +0.0 is the product; 0 x a finite sum plus the budget is the budget), so a block of one
    # rule computes its rule's term only and gets the same bits (the running cap keeps its `+ 0.0`: the rounded
    # product, as the general step's multiply-add with base 0 gives, not fused into `cap_e - cum_export`)
    if rule == 1:
        cap_e = b[D_CAP_BASE * stride + j]
    elif rule == 0:
        cap_e = b[D_CAP_RUN_FRAC * stride + j] * (wind * cw + solar * cs) + 0.0
    else:
        cap_e = b[D_CAP_BASE * stride + j] + b[D_CAP_RUN_FRAC * stride + j] * (wind * cw + solar * cs)
    green = b[S_GREEN * stride + j]
    grid = 0.0 if green_only else b[S_GRID * stride + j]  # (green-only: the row holds +0.0 and is never written)
    cum_export = b[S_CUM_EXPORT * stride + j]

    gen = (wind * cfw + solar * cfs) * dt
    line_in = min(gen, line_e)
    curt_line = gen - line_in
    arrive = line_in - line_in * loss_frac
    load_e = load_mw * dt
    direct = min(arrive, load_e)
    surplus = arrive - direct
    deficit = load_e - direct
    if green_only or gch == 0:  # no design of the block charges from the grid in this step
        gc = False
    elif gch == 1:  # every design of the block does (they share one grid-charging price)
        gc = True
    else:
        gc = price_import <= gc_price  # gc_price is NaN when grid charging is off

    # 0. the flexible elements (docs/dispatch.md "Flexible elements"): their green take, and what
    #    storage, V2G and the grid give the load's deficit and the firm flexible demand
    direct_all = direct
    dis_x = 0.0  # storage discharge, for the load and the flexible consumers
    need = 0.0  # the load's deficit after storage and V2G
    imp_x = 0.0  # import before grid charging
    uns_x = 0.0
    ely_all = 0.0
    sb = 0.0
    d_ely = 0.0  # storage discharge into the electrolyser (production and stand-by)
    g_ely = 0.0  # green from the line and grid imports into the electrolyser
    i_ely = 0.0
    start = 0.0
    h2 = 0.0
    off = 0.0
    unmet = 0.0
    tank = 0.0
    served_f = 0.0
    shifted = 0.0
    uns_f = 0.0
    served_v = 0.0
    v2g = 0.0
    ev_short = 0.0
    ev = 0.0
    if flex:
        plugged = hx[H_EV_PLUGGED] > 0.5
        # shiftable load: the window's energy, what may run now, what must run now (latest start)
        sh_e = b[P_SHIFT_MW * stride + j]
        rem = b[P_SHIFT_MWH * stride + j] if hx[H_SHIFT_START] > 0.5 else b[S_SHIFT_REM * stride + j]
        cap_f = min(sh_e, rem) if hx[H_SHIFT_ALLOWED] > 0.5 else 0.0
        firm_f = min(cap_f, max(0.0, rem - hx[H_SHIFT_AFTER] * sh_e))
        # EV fleet: the day's driving energy leaves at departure; charge what the next departure needs
        ev = b[S_EV * stride + j]
        ev_need = b[P_EV_NEED_MWH * stride + j]
        eta_v = b[P_EV_ETA * stride + j]
        inv_eta_v = b[D_EV_INV_ETA * stride + j]
        depart = hx[H_EV_DEPART] > 0.5
        ev_short = max(0.0, ev_need - ev) if depart else 0.0
        ev = max(0.0, ev - ev_need) if depart else ev
        ch_v = b[P_EV_CHARGE_MW * stride + j] if plugged else 0.0
        cap_v = max(0.0, min(ch_v, (b[P_EV_MWH * stride + j] - ev) * inv_eta_v))
        firm_v = min(cap_v, max(0.0, (ev_need - ev) * inv_eta_v - hx[H_EV_AFTER] * ch_v))
        # green surplus: firm flexible demand first, then what the shiftable load and the fleet may take
        g_ff = min(surplus, firm_f)
        surplus = surplus - g_ff
        g_fv = min(surplus, firm_v)
        surplus = surplus - g_fv
        o_f = min(surplus, cap_f - firm_f)
        surplus = surplus - o_f
        o_v = min(surplus, cap_v - firm_v)
        surplus = surplus - o_v
        n_f = firm_f - g_ff
        n_v = firm_v - g_fv
        # storage serves the load's deficit and the firm flexible demand (3.), then V2G the load, then the grid
        deliv = min(dis_e, (green + grid) * eta_dis)
        dis_o = max(0.0, min(max(0.0, deficit + n_f + n_v - (cap_imp_e if gc else keep_e)), deliv))
        d_l = min(dis_o, deficit)
        d_f = min(dis_o - d_l, n_f)
        d_v = max(0.0, min(dis_o - d_l - d_f, n_v))  # (never a rounding crumb to a fleet that needs nothing)
        dis_o = d_l + d_f + d_v
        v2g_e = b[P_EV_V2G_MW * stride + j] if plugged else 0.0
        v2g = max(0.0, min(deficit - d_l, v2g_e, (ev - b[D_EV_FLOOR * stride + j]) * eta_v))
        need = deficit - d_l - v2g
        imp_l = min(need, imp_e)
        uns_l = need - imp_l
        imp_f = max(0.0, min(n_f - d_f, imp_e - imp_l))
        imp_v = max(0.0, min(n_v - d_v, imp_e - imp_l - imp_f))
        room_dis = deliv - dis_o
        room_imp = imp_e - imp_l - imp_f - imp_v
        # electrolyser: green up to its rating and what the store and the offtake take; below the minimum
        # load held there (switch) from storage then grid, or off; the offtake the store cannot meet
        # produced from storage / grid too; stand-by when it does not produce
        ely_e = b[P_ELY_MW * stride + j]
        e_min = b[D_ELY_MIN_E * stride + j]
        mpk = b[P_ELY_MWH_PER_KG * stride + j]
        tank = b[S_TANK * stride + j]
        dem = hx[H_OFFTAKE_KG] if b[P_FLEX * stride + j] > 0.5 else 0.0  # a design without them: none
        e_cap = min(ely_e, (b[P_TANK_KG * stride + j] - tank + dem) * mpk)
        can_run = e_cap > 0.0 and e_cap >= e_min
        hold_e = e_min if b[P_ELY_HOLD * stride + j] > 0.5 else 0.0
        e_firm = max(min(e_cap, max(0.0, dem - tank) * mpk), hold_e)
        e_firm = max(e_firm, e_min) if (can_run and e_firm > 0.0) else 0.0
        g_e = min(surplus, e_cap) if can_run else 0.0
        avail = room_dis + (room_imp if b[P_ELY_GRID * stride + j] > 0.5 else 0.0)
        top = min(max(0.0, e_firm - g_e), avail)
        e_run = g_e + top
        ok = e_run > 1e-9 * ely_e and e_run >= e_min  # (a rounding crumb of production is no start)
        g_e = g_e if ok else 0.0
        top = top if ok else 0.0
        e_run = e_run if ok else 0.0
        d_e = min(top, room_dis)
        i_e = top - d_e
        surplus = surplus - g_e
        sb = b[P_ELY_STANDBY_MW * stride + j] if not ok else 0.0
        sb_g = min(surplus, sb)
        surplus = surplus - sb_g
        sb_d = max(0.0, min(sb - sb_g, room_dis - d_e))
        sb_i = max(0.0, min(sb - sb_g - sb_d, room_imp - i_e))
        ely_all = e_run + sb
        d_ely = d_e + sb_d
        g_ely = g_e + sb_g
        i_ely = i_e + sb_i
        h2 = e_run * b[D_ELY_KG_PER_MWH * stride + j]
        off = min(dem, tank + h2)
        unmet = dem - off
        tank = tank + h2 - off
        start = 1.0 if (e_run > 0.0 and b[S_ELY_ON * stride + j] < 0.5) else 0.0
        b[S_ELY_ON * stride + j] = 1.0 if e_run > 0.0 else 0.0
        b[S_TANK * stride + j] = tank
        # what the shiftable load and the fleet got; the window's deadline
        served_f = g_ff + o_f + d_f + imp_f
        rem = rem - served_f
        shifted = max(0.0, served_f - hx[H_SHIFT_BASE] * b[P_SHIFT_MWH * stride + j])
        uns_f = max(0.0, rem) if hx[H_SHIFT_END] > 0.5 else 0.0
        b[S_SHIFT_REM * stride + j] = rem - uns_f
        served_v = g_fv + o_v + d_v + imp_v
        ev = ev + served_v * eta_v - v2g * inv_eta_v
        b[S_EV * stride + j] = ev
        direct_all = direct + g_ff + g_fv + o_f + o_v + g_ely
        dis_x = dis_o + d_ely
        imp_x = imp_l + imp_f + imp_v + i_ely
        uns_x = uns_l + (sb - sb_g - sb_d - sb_i)

    # 1. storage takes green surplus first
    green_in = green  # the pool as the step found it
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
    # green-only: the pool is green alone.  `green + 0.0` (grid's +0.0) is an add LLVM must keep, as it turns
    # a -0.0 into +0.0; without it the green-only step loop has 10 instructions (5 %) fewer per two steps, its
    # registers no longer spill as often.  Totals are the same bit for bit: only a green pool of -0.0 (an
    # initial -0.0) could differ, and then only in the sign of a zero discharge, which changes no total (the
    # pool takes it as `w + 0.0` below, the sums start at +0.0; tests/test_kernels.py)
    # without flexible elements a step charges (surplus > 0; then deficit and to_cover are 0 — the target and
    # the import cap are >= 0, gpdc.pipeline — and so is the discharge) or discharges (surplus == 0; then
    # ch_green is 0 and the charged green pool is the pool the step found), never both: the discharge and the
    # pro-rata share are computed from the pools as the step found them, the same values bit for bit (a zero's
    # sign aside, which no total sees), while charge and discharge run side by side rather than one after the
    # other (the pools' update, carried from step to step, is the loop's longest chain of dependent
    # instructions: llvm-mca, benchmarks/kernel_asm.py; docs/speed-history.md)
    split = not flex
    if green_only:
        stored = green_in if split else green
    else:
        stored = green_in + grid if split else green + grid
    if flex:
        dis = dis_x  # decided in 0. (no green charge in a step that discharges)
    else:
        # grid-charging hour: only what the import (cap) cannot; else the deficit above the target (0: all)
        to_cover = max(0.0, deficit - (cap_imp_e if gc else keep_e))
        if la:  # lookahead: keep the floor for dearer steps ahead (docs/dispatch.md)
            dis = max(0.0, min(to_cover, dis_e, (stored - floor) * eta_dis))
        else:
            dis = max(0.0, min(to_cover, dis_e, stored * eta_dis))
    if green_only:
        share = 1.0  # grid == 0, so green / stored == 1 exactly; with stored == 0, dis == 0
    else:
        share = (green_in if split else green) / stored if stored > 0.0 else 0.0
    w = dis * inv_eta_dis
    if green_only:
        # w stays a rounded product (`+ 0.0` is no identity LLVM may drop), as in the general step, where
        # its second use keeps it from being fused into the pool's update: fused, it would round once
        # less, and a design's last bit would depend on the block it runs in
        green = max(0.0, green - (w + 0.0))
    else:
        green = max(0.0, green - w * share)
        grid = max(0.0, grid - w * (1.0 - share))
    dis_green = dis * share
    dis_grid = dis - dis_green

    # 4. the grid serves the rest, up to the contracted import
    if flex:
        imp_load = imp_x
        unserved = uns_x
    else:
        need = deficit - dis
        imp_load = min(need, imp_e)
        unserved = need - imp_load

    # 5. grid charging with the charge power and import capacity left (never in a green-only block, nor
    #    in a step where no design of the block charges from the grid: saying so at compile time saves
    #    computing it and throwing it away)
    if green_only or gch == 0:
        ch_grid = 0.0
        imp = imp_load
    else:
        ch_grid = max(0.0, min(ch_e - ch_green, (usable - green - grid) * inv_eta_ch, cap_imp_e - imp_load))
        ch_grid = ch_grid if gc else 0.0
        grid = grid + ch_grid * eta_ch
        imp = imp_load + ch_grid

    b[S_GREEN * stride + j] = green
    b[S_CUM_EXPORT * stride + j] = cum_export
    if not green_only:  # with green_only the grid pool stays +0.0: its row is never written
        b[S_GRID * stride + j] = grid
    line_loss = (gen - curt_line) * loss_frac  # as reported (the step itself uses line_in)
    self_supply = 1.0 if need <= 0.0 else 0.0
    ely_green = g_ely + d_ely * share
    ely_grid = i_ely + (d_ely - d_ely * share)
    return (
        gen, curt_line, line_loss, direct_all, ch_green, ch_grid, dis_green, dis_grid,
        export, imp, curt_bus, unserved, green, grid, curt_cap, self_supply,
        ely_all, ely_green, ely_grid, sb, start, h2, off, unmet,
        tank, served_f, shifted, uns_f, served_v, v2g, ev_short, ev,
    )  # fmt: skip


@njit(inline="always", **JIT)
def plan_day_nb(
    b: np.ndarray,
    stride: int,
    nl: int,
    t0: int,
    day: int,
    hmax: int,
    done: int,
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    dt: float,
    fl: np.ndarray,
    ring_d: np.ndarray,
    ring_c: np.ndarray,
    dd: np.ndarray,
    dc: np.ndarray,
    r: np.ndarray,
    levels: np.ndarray,
    lane: np.ndarray,
) -> int:
    """The lookahead's discharge floors of the day that starts at step ``t0``, lanes ``0..nl-1`` (docs/dispatch.md).

    Each step s of the data gets, once, per lane, the pool energy it would draw as a deficit
    step, ``need = min(max(deficit - target, 0), P_dis)/η_d``, or add as a surplus step,
    ``chg = min(surplus, P_ch)·η_c`` (one of them is 0), kept as ``need - chg`` and ``-chg`` in
    a ring of ``day + hmax`` steps (``ring_d``, ``ring_c``: steps t0 - day .. t0 + hmax - 1;
    steps from ``done`` on are computed now; returns the new ``done``).  The forecast of
    horizon step k is step t0 + k (perfect) or t0 - day + (k mod day) (persistence: yesterday
    repeated; none on the first day), 0 beyond the lane's horizon and for a green-first lane.
    Then, for each price level ℓ of the day (shared by the lanes), a backward pass from the last
    horizon step dearer than ℓ: ``R = min(max(R + (need - chg if price > ℓ else -chg), 0), usable)``;
    the floor of a day step priced ℓ is R after it (the pass stops at the day's first step priced
    ℓ: R before it is no floor).  Where every lane has the same forecast and a horizon that
    covers the data ahead (a sweep of one strategy), the passes read the ring in place instead of
    a per-lane copy.  Writes ``fl[k * stride + j]`` for the day's steps; the other arrays are
    scratch (``dd``, ``dc``: hmax rows; ``r``: one row; ``lane``: three rows; ``levels``: day
    values).
    """
    n = cf_wind.shape[0]
    ring = day + hmax
    day_len = min(day, n - t0)
    kmax = min(hmax, n - t0)
    past = t0 >= day
    # each step's need and charge, once (the ring holds yesterday and the horizon)
    for s in range(max(done, t0 - day, 0), min(t0 + hmax, n)):
        cfw = cf_wind[s]
        cfs = cf_solar[s]
        load_e = load_mw[s] * dt
        o = (s % ring) * stride
        for j in range(nl):
            gen = (b[P_WIND_MW * stride + j] * cfw + b[P_SOLAR_MW * stride + j] * cfs) * dt
            line_in = min(gen, b[P_LINE_MW * stride + j])
            arrive = line_in - line_in * b[P_LINE_LOSS_FRAC * stride + j]
            direct = min(arrive, load_e)
            to_cover = max(0.0, load_e - direct - b[P_IMPORT_TARGET_MW * stride + j])
            c = min(arrive - direct, b[P_CHARGE_MW * stride + j]) * b[P_ETA_CHARGE * stride + j]
            d = min(to_cover, b[P_DISCHARGE_MW * stride + j]) * b[D_INV_ETA_DIS * stride + j]
            ring_d[o + j] = d - c
            ring_c[o + j] = 0.0 - c
    done = max(done, min(t0 + hmax, n))
    # each lane's forecast over its horizon
    for j in range(nl):  # horizon steps with a forecast (0: none), persistence (1 / 0), usable energy
        pers = b[P_LOOKAHEAD_FORECAST * stride + j] > 0.5
        on = b[P_LOOKAHEAD * stride + j] > 0.5 and (past or not pers)
        lane[j] = float(int(b[P_LOOKAHEAD_H * stride + j] / dt + 0.5)) if on else 0.0  # floor of a positive
        lane[stride + j] = 1.0 if pers else 0.0
        lane[2 * stride + j] = b[P_USABLE_MWH * stride + j]
    # a block whose lanes all see the same forecast over the whole horizon (the usual sweep) reads
    # the ring in place; otherwise each lane's forecast is selected into dd / dc (0 beyond its horizon)
    uni = nl > 0 and lane[0] >= kmax
    for j in range(nl):
        if lane[j] != lane[0] or lane[stride + j] != lane[stride]:
            uni = False
    pers0 = lane[stride] > 0.5
    if not uni:
        for k in range(kmax):
            op = ((t0 + k) % ring) * stride
            oq = ((t0 - day + k % day) % ring) * stride if past else op
            ok = k * stride
            for j in range(nl):  # (every value loaded, then selected: branch-free across the lanes)
                xp = ring_d[op + j]
                xq = ring_d[oq + j]
                yp = ring_c[op + j]
                yq = ring_c[oq + j]
                pers = lane[stride + j] > 0.5
                use = k < lane[j]
                x = xq if pers else xp
                y = yq if pers else yp
                dd[ok + j] = x if use else 0.0
                dc[ok + j] = y if use else 0.0
    src_d = ring_d if uni else dd
    src_c = ring_c if uni else dc
    for k in range(day_len):
        for j in range(nl):
            fl[k * stride + j] = 0.0
    nlev = 0  # the day's price levels, shared by the lanes
    for k in range(day_len):
        p = price_import[t0 + k]
        new = True
        for i in range(nlev):
            if levels[i] == p:
                new = False
        if new:
            levels[nlev] = p
            nlev += 1
    for i in range(nlev):
        lv = levels[i]
        kend = -1  # the last step of the horizon dearer than the level
        for k in range(kmax - 1, -1, -1):
            if price_import[t0 + k] > lv:
                kend = k
                break
        if kend < 0:
            continue  # nothing dearer ahead: floor 0
        kfirst = 0  # the day's first step priced at the level: R before it is never a floor
        while price_import[t0 + kfirst] != lv:
            kfirst += 1
        for j in range(nl):
            r[j] = 0.0
        for k in range(kend, kfirst - 1, -1):
            pk = price_import[t0 + k]
            ok = k * stride
            if uni:  # the forecast step of horizon step k in the ring
                ok = ((t0 + k) % ring) * stride
                if pers0 and past:
                    ok = ((t0 - day + k % day) % ring) * stride
            if k < day_len and pk == lv:
                for j in range(nl):
                    fl[k * stride + j] = r[j]
            if pk > lv:
                for j in range(nl):
                    r[j] = min(max(r[j] + src_d[ok + j], 0.0), lane[2 * stride + j])
            else:
                for j in range(nl):
                    r[j] = min(max(r[j] + src_c[ok + j], 0.0), lane[2 * stride + j])
    return done


def _accumulate_source() -> str:
    """Source of :func:`accumulate_nb`: one straight-line add (or multiply-add) per accumulator.

    Generated from :data:`gpdc.kernels.spec.TOTALS` (through the layout's ``SUM_*`` and
    ``MAX_FLOW`` tuples): a loop over the totals with a run-time tuple index compiles to
    switches that LLVM does not vectorise, straight-line code does.
    """
    weight = {0: "", 1: " * price_import", 2: " * price_export", 3: " * factor"}
    lines = [
        "def accumulate_nb(b, j, stride, flows, price_import, price_export, factor, green_only, flex, co2):",
        '    """Add one step\'s flows to design j\'s accumulators (generated from the kernel spec)."""',
    ]
    for k in range(N_SUMS):
        line = f"b[({A_SUM0 + k}) * stride + j] += flows[{SUM_FLOW[k]}]{weight[SUM_WEIGHT[k]]}"
        if SUM_WEIGHT[k] == 3:  # x the hourly emission factor: +0.0 without one, skipped then (co2 False)
            cond = "co2 and not green_only" if SUM_GRID_POOL[k] else ("co2 and flex" if SUM_FLEX[k] else "co2")
            lines.append(f"    if {cond}:\n        {line}")
        elif SUM_GRID_POOL[k]:  # +0.0 while the grid pool is empty: skipped in green-only blocks
            lines.append(f"    if not green_only:\n        {line}")
        elif SUM_FLEX[k]:  # the flexible elements' flows: 0 in blocks without one, skipped there
            lines.append(f"    if flex:\n        {line}")
        else:
            lines.append(f"    {line}")
    for k in range(N_MAXES):
        # `+ 0.0`: not a conditional (masked) store, very slow on some CPUs
        r = f"({A_MAX0 + k}) * stride + j"
        lines.append(f"    b[{r}] = max(b[{r}], flows[{MAX_FLOW[k]}]) + 0.0")
    for k in range(N_MSUMS):  # monthly sums (of the flexible elements' accounts): flexible blocks only
        # (x the design's flex flag, 1 or 0: a design without flexible elements keeps 0 in a flexible block)
        lines.append(f"    if flex:\n        b[({A_MSUM0 + k}) * stride + j] += flows[{MSUM_FLOW[k]}] * b[{P_FLEX} * stride + j]")
    return "\n".join(lines) + "\n"


def _trace_source() -> str:
    """Source of :func:`write_trace_nb`: one straight-line store per traced flow (as :func:`_accumulate_source`)."""
    lines = [
        "def write_trace_nb(out, t, flows):",
        '    """Write one step\'s traced flows into row t of out (generated from the kernel spec)."""',
    ]
    lines += [f"    out[t, {k}] = flows[{f}]" for k, f in enumerate(TRACE_FLOWS)]
    return "\n".join(lines) + "\n"


ACCUMULATE_SOURCE = _accumulate_source()
TRACE_SOURCE = _trace_source()
_generated: dict[str, Any] = {}
for _src in (ACCUMULATE_SOURCE, TRACE_SOURCE):
    exec(compile(_src, "<gpdc.kernels.step: generated from the kernel spec>", "exec"),
         _generated)  # noqa: S102 - code generated from the package's own constant tables
#: Add one step's flows to design ``j``'s accumulators as :data:`gpdc.kernels.spec.TOTALS` says
#: (``accumulate_nb(b, j, stride, flows, price_import, price_export, factor, green_only, flex, co2)``).
#: Each accumulator is one straight-line add or multiply-add; with ``green_only`` the grid-pool
#: sums are skipped (their flows are +0.0), without ``flex`` the flexible elements' sums, without
#: ``co2`` (all compile-time) the sums weighted by the hourly emission factor (+0.0 when every
#: factor is 0: a flow x +0.0 is ±0.0, and +0.0 + -0.0 is +0.0, so the sum stays +0.0).  Monthly maxima go into one running row per total, filed by
#: :func:`close_month_nb`.  The source is :data:`ACCUMULATE_SOURCE`.
accumulate_nb = njit(inline="always", **{**JIT, "cache": False})(_generated["accumulate_nb"])  # inlined: the
# drivers that inline it are cached
#: Write one step's traced flows into row ``t`` of ``out`` (float64[n_hours, N_TRACE]), columns
#: :data:`gpdc.kernels.spec.TRACE_NAMES` (``write_trace_nb(out, t, flows)``; source :data:`TRACE_SOURCE`).
write_trace_nb = njit(inline="always", **{**JIT, "cache": False})(_generated["write_trace_nb"])


@njit(inline="always", **JIT)
def close_month_nb(b: np.ndarray, j: int, stride: int, month: int) -> None:
    """File design ``j``'s running maxima and sums under billing month ``month`` (0-11) and restart them."""
    for k in range(N_MAXES):
        cur = (A_MAX0 + k) * stride + j
        r = (A_MONTH0 + k * N_MONTHS + month) * stride + j
        b[r] = max(b[r], b[cur])  # a month may come back (profiles out of calendar order)
        b[cur] = 0.0
    for k in range(N_MSUMS):
        cur = (A_MSUM0 + k) * stride + j
        r = (A_MONTH0 + (N_MAXES + k) * N_MONTHS + month) * stride + j
        b[r] = b[r] + b[cur]
        b[cur] = 0.0


@njit(inline="always", **JIT)
def write_totals_nb(b: np.ndarray, j: int, stride: int, dt: float, out: np.ndarray) -> None:
    """Write design ``j``'s totals into ``out`` (float64[N_TOTALS]): sums, end states, monthly maxima / dt, monthly sums."""
    for k in range(N_SUMS):
        out[k] = b[(A_SUM0 + k) * stride + j]
    for k in range(N_ENDS):
        out[C_END0 + k] = b[END_STATE[k] * stride + j]
    for k in range(N_MAXES * N_MONTHS):
        out[C_MONTH0 + k] = b[(A_MONTH0 + k) * stride + j] / dt  # max(imp)/dt == max(imp/dt), dt > 0
    for k in range(N_MAXES * N_MONTHS, (N_MAXES + N_MSUMS) * N_MONTHS):
        out[C_MONTH0 + k] = b[(A_MONTH0 + k) * stride + j]  # monthly sums
