"""The CPU drivers of the dispatch: one design (totals, or totals and hourly traces) and batches.

All three run :func:`gpdc.kernels.step.step_nb` and accumulate with
:func:`gpdc.kernels.step.accumulate_nb` on the same block layout; they differ only in how many
designs sit side by side:

* :func:`dispatch_nb` — one design, totals only;
* :func:`dispatch_trace_nb` — one design, totals and hourly traces;
* :func:`dispatch_batch_nb` — many designs over shared hourly inputs.  The designs of a block of
  ``BLOCK`` sit in the inner loop over one contiguous buffer indexed ``buf[ROW * STRIDE + j]``
  with compile-time ``ROW`` and ``STRIDE``, so LLVM vectorises the step across designs;
  ``prange`` runs the blocks on all threads.

Kernels know arrays and numbers only: no validation (the pipeline checks shapes and values
first), no allocation inside the hour loop, no Python objects.

Inputs shared by every design (float64[n_hours] unless noted): ``cf_wind``, ``cf_solar``
capacity factors [-]; ``load_mw`` mean load per step [MW]; ``price_import``, ``price_export``
[yuan/MWh]; ``factor`` hourly grid emission factor [t CO2/MWh] (zeros without one);
``month_index`` int64[n_hours], the billing month 0-11 of each step; ``hourly``
float64[n_hours, N_HOURLY], the flexible elements' hourly inputs (columns
:data:`gpdc.kernels.spec.HOURLY`; zeros without them); ``dt`` the step [h].

A block without a design that has a flexible element (parameter ``flex``) runs the step with the
flexible elements compiled out: the same code, and the same speed, as before they existed.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from gpdc.kernels.layout import (
    N_PARAMS,
    N_ROWS,
    N_TOTALS,
    N_TRACE,
    P_FLEX,
    P_GRID_CHARGE,
    P_INIT_GRID_MWH,
    P_LOOKAHEAD,
    P_LOOKAHEAD_H,
)
from gpdc.kernels.step import (
    JIT,
    accumulate_nb,
    close_month_nb,
    derive_lane_nb,
    idle_lane_nb,
    load_params_nb,
    plan_day_nb,
    profile_sums_nb,
    step_nb,
    write_totals_nb,
    write_trace_nb,
)

#: designs per block in the batch kernel: 54 rows x 72 x 8 B = 31 KB fits a 32 KiB L1d
BLOCK = 64
#: row stride of the block buffer (compile-time constant, padded to whole cache lines)
STRIDE = BLOCK + 8
#: a row past the layout's, in the batch driver's block: the lookahead's floor of the current step,
#: copied there from the day's plan each step so that the step reads it at a constant row (LLVM then
#: sees it apart from the rows the step writes, as every other row; read from the plan's own array
#: the step paid a run-time overlap check each step: 0.7 ns per design-hour)
FLOOR_ROW = N_ROWS


@njit(inline="always", **JIT)
def steps_per_day(dt: float) -> int:
    """Steps in a planning day of the lookahead (24 h; the profiles start at local midnight)."""
    return max(1, int(np.floor(24.0 / dt + 0.5)))


@njit(inline="always", **JIT)
def lookahead_steps(hours: float, dt: float) -> int:
    """Steps of a lookahead horizon of ``hours`` [h]."""
    return max(0, int(np.floor(hours / dt + 0.5)))


@njit(**JIT)
def _run_single_nb(
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    factor: np.ndarray,
    month_index: np.ndarray,
    hourly: np.ndarray,
    dt: float,
    params: np.ndarray,
    out_totals: np.ndarray,
    out_trace: np.ndarray,
    write_trace: bool,
) -> None:
    n_hours = cf_wind.shape[0]
    cw_tot, cs_tot = profile_sums_nb(cf_wind, cf_solar, dt)
    b = np.zeros(N_ROWS)
    load_params_nb(b, 0, 1, params.reshape((N_PARAMS, 1)), 0, dt)
    derive_lane_nb(b, 0, 1, cw_tot, cs_tot)
    flex = params[P_FLEX] > 0.5
    la = params[P_LOOKAHEAD] > 0.5 and not flex
    day = steps_per_day(dt)
    hmax = lookahead_steps(params[P_LOOKAHEAD_H], dt) if la else 0
    fl = np.zeros(day)
    ring_d = np.zeros(day + hmax)
    ring_c = np.zeros(day + hmax)
    dd = np.zeros(hmax)
    dc = np.zeros(hmax)
    r = np.zeros(1)
    levels = np.zeros(day)
    lane = np.zeros(3)
    t0 = 0
    done = 0
    cw = 0.0
    cs = 0.0
    for t in range(n_hours):
        cw += cf_wind[t] * dt
        cs += cf_solar[t] * dt
        floor = 0.0
        if la:
            if t % day == 0:
                t0 = t
                done = plan_day_nb(b, 1, 1, t0, day, hmax, done, cf_wind, cf_solar, load_mw, price_import, dt, fl,
                                   ring_d, ring_c, dd, dc, r, levels, lane)
            floor = fl[t - t0]
        flows = step_nb(b, 0, 1, cf_wind[t], cf_solar[t], load_mw[t], price_import[t], dt, cw, cs, False, flex,
                        hourly[t], la, floor)
        accumulate_nb(b, 0, 1, flows, price_import[t], price_export[t], factor[t], False, flex)
        m = month_index[t]
        if t + 1 == n_hours or month_index[t + 1] != m:
            close_month_nb(b, 0, 1, m)
        if write_trace:
            write_trace_nb(out_trace, t, flows)
    write_totals_nb(b, 0, 1, dt, out_totals)


@njit(**JIT)
def dispatch_nb(
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    factor: np.ndarray,
    month_index: np.ndarray,
    hourly: np.ndarray,
    dt: float,
    params: np.ndarray,
    out_totals: np.ndarray,
) -> None:
    """Dispatch one design over all steps and write its totals.

    Parameters
    ----------
    cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly, dt
        The shared hourly inputs (see the module docstring).
    params : float64[N_PARAMS]
        The design's parameters, rows as in :data:`gpdc.kernels.spec.PARAMS`.
    out_totals : float64[N_TOTALS]
        Written in place, columns as in :data:`gpdc.kernels.spec.TOTAL_COLUMNS`.
    """
    empty = np.empty((0, N_TRACE))
    _run_single_nb(cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly, dt, params,
                   out_totals, empty, False)


@njit(**JIT)
def dispatch_trace_nb(
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    factor: np.ndarray,
    month_index: np.ndarray,
    hourly: np.ndarray,
    dt: float,
    params: np.ndarray,
    out_totals: np.ndarray,
    out_trace: np.ndarray,
) -> None:
    """Dispatch one design and also write its hourly traces.

    As :func:`dispatch_nb`, plus ``out_trace : float64[n_hours, N_TRACE]`` written in place,
    columns as :data:`gpdc.kernels.spec.TRACE_NAMES` [MWh per step; pools at the end of the step].
    """
    _run_single_nb(cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly, dt, params,
                   out_totals, out_trace, True)


@njit(inline="always", **JIT)
def _block_hours_nb(
    buf: np.ndarray,
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    factor: np.ndarray,
    month_index: np.ndarray,
    hourly: np.ndarray,
    dt: float,
    green_only: bool,
    flex: bool,
    la: bool,
    hmax: int,
) -> None:
    """Run all steps for one block of BLOCK designs held in ``buf`` ((N_ROWS + 1) rows x STRIDE: the layout, FLOOR_ROW).

    With ``la`` (compile-time) the lookahead's floors are planned at each day start
    (:func:`plan_day_nb`, all lanes at once, horizon ``hmax`` steps = the block's longest).
    """
    n_hours = cf_wind.shape[0]
    day = steps_per_day(dt)
    fl = np.zeros(day * STRIDE if la else 0)  # the day's floors, then the plan's scratch
    ring_d = np.zeros((day + hmax) * STRIDE if la else 0)
    ring_c = np.zeros((day + hmax) * STRIDE if la else 0)
    dd = np.zeros(hmax * STRIDE if la else 0)
    dc = np.zeros(hmax * STRIDE if la else 0)
    r = np.zeros(STRIDE if la else 0)
    levels = np.zeros(day if la else 0)
    lane = np.zeros(3 * STRIDE if la else 0)
    t0 = 0
    done = 0
    cw = 0.0
    cs = 0.0
    for t in range(n_hours):
        if la and t % day == 0:
            t0 = t
            done = plan_day_nb(buf, STRIDE, BLOCK, t0, day, hmax, done, cf_wind, cf_solar, load_mw, price_import, dt,
                               fl, ring_d, ring_c, dd, dc, r, levels, lane)
        k0 = (t - t0) * STRIDE
        cw += cf_wind[t] * dt
        cs += cf_solar[t] * dt
        cfw = cf_wind[t]
        cfs = cf_solar[t]
        ld = load_mw[t]
        pi = price_import[t]
        pe = price_export[t]
        fac = factor[t]
        hx = hourly[t]
        if la:
            for j in range(BLOCK):
                buf[FLOOR_ROW * STRIDE + j] = fl[k0 + j]
        for j in range(BLOCK):
            floor = buf[FLOOR_ROW * STRIDE + j] if la else 0.0
            flows = step_nb(buf, j, STRIDE, cfw, cfs, ld, pi, dt, cw, cs, green_only, flex, hx, la, floor)
            accumulate_nb(buf, j, STRIDE, flows, pi, pe, fac, green_only, flex)
        m = month_index[t]
        if t + 1 == n_hours or month_index[t + 1] != m:
            for j in range(BLOCK):
                close_month_nb(buf, j, STRIDE, m)


@njit(**JIT)
def block_order_nb(params: np.ndarray, dt: float) -> np.ndarray:
    """Return the designs' indices grouped by the variant of the step their block runs, stable within a group.

    Groups, in this order: green-only (no grid pool), with a grid pool (grid charging or an initial
    grid pool), lookahead green-only, lookahead with a grid pool — these two sorted by their horizon
    in steps —, with a flexible element.  A block runs the slowest variant any of its designs
    needs (a flexible element: the step with every branch; a grid pool: the pro-rata division;
    the longest lookahead horizon of the block), so a batch that mixes them runs each design with
    designs of its own kind.  Results do not change: a design's totals do not depend on the block
    it runs in (see :func:`dispatch_batch_nb`).
    """
    n = params.shape[1]
    key = np.empty(n, dtype=np.int64)
    for s in range(n):
        pool = params[P_GRID_CHARGE, s] > 0.5 or params[P_INIT_GRID_MWH, s] != 0.0
        if params[P_FLEX, s] > 0.5:
            kind = 4
            h = 0
        elif params[P_LOOKAHEAD, s] > 0.5:
            kind = 3 if pool else 2
            h = lookahead_steps(params[P_LOOKAHEAD_H, s], dt)
        else:
            kind = 1 if pool else 0
            h = 0
        key[s] = kind * (1 << 40) + h
    return np.argsort(key, kind="mergesort")


@njit(parallel=True, **JIT)
def dispatch_batch_nb(
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    factor: np.ndarray,
    month_index: np.ndarray,
    hourly: np.ndarray,
    dt: float,
    params: np.ndarray,
    out_totals: np.ndarray,
) -> None:
    """Dispatch many designs that share their hourly inputs.

    Parameters
    ----------
    cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly, dt
        As in :func:`dispatch_nb`, shared by all designs.
    params : float64[N_PARAMS, n_scen]
        Design parameters, C-contiguous, one column per design.
    out_totals : float64[n_scen, N_TOTALS]
        Written in place.  Row ``s`` equals what :func:`dispatch_nb` writes for column ``s`` of
        ``params`` (the same step and accumulator; multiply-adds may be fused differently in
        scalar and vector code).  A design's row does not depend on the other designs of the
        batch: alone or in any block, it is bit-identical.  The designs run in the order of
        :func:`block_order_nb`, each kind in blocks of its own.
    """
    n_scen = params.shape[1]
    n_blocks = (n_scen + BLOCK - 1) // BLOCK
    cw_tot, cs_tot = profile_sums_nb(cf_wind, cf_solar, dt)
    order = block_order_nb(params, dt)  # designs of a kind in blocks of their own
    for i in prange(n_blocks):
        # blocks from both ends in turn: prange gives each thread a contiguous range of i, and the
        # kinds, sorted, differ in cost (green-only blocks are the cheapest), so each thread gets a mix
        blk = i // 2 if i % 2 == 0 else n_blocks - 1 - i // 2
        s0 = blk * BLOCK
        nb = min(BLOCK, n_scen - s0)
        buf = np.zeros((N_ROWS + 1) * STRIDE)  # the layout's rows and FLOOR_ROW
        for j in range(BLOCK):
            idle_lane_nb(buf, j, STRIDE)
        for j in range(nb):
            load_params_nb(buf, j, STRIDE, params, order[s0 + j], dt)
        for j in range(BLOCK):
            derive_lane_nb(buf, j, STRIDE, cw_tot, cs_tot)
        # blocks whose grid pool is and stays empty skip the pro-rata division; blocks without a
        # flexible element skip the flexible elements (compiled out)
        # blocks without a lookahead design skip its planning and floors (compiled out too)
        green_only = True
        flex = False
        hmax = 0
        for j in range(nb):
            s = order[s0 + j]
            if params[P_GRID_CHARGE, s] > 0.5 or params[P_INIT_GRID_MWH, s] != 0.0:
                green_only = False
            if params[P_FLEX, s] > 0.5:
                flex = True
            if params[P_LOOKAHEAD, s] > 0.5:
                hmax = max(hmax, lookahead_steps(params[P_LOOKAHEAD_H, s], dt))
        la = hmax > 0 and not flex  # (a flexible block runs green-first: the scenario refuses both)
        if flex:
            _block_hours_nb(buf, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly,
                            dt, False, True, False, 0)
        elif la and green_only:
            _block_hours_nb(buf, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly,
                            dt, True, False, True, hmax)
        elif la:
            _block_hours_nb(buf, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly,
                            dt, False, False, True, hmax)
        elif green_only:
            _block_hours_nb(buf, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly,
                            dt, True, False, False, 0)
        else:
            _block_hours_nb(buf, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly,
                            dt, False, False, False, 0)
        for j in range(nb):
            write_totals_nb(buf, j, STRIDE, dt, out_totals[order[s0 + j]])


__all__ = ["BLOCK", "N_TOTALS", "STRIDE", "block_order_nb", "dispatch_batch_nb", "dispatch_nb", "dispatch_trace_nb"]
