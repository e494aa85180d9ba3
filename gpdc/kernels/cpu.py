"""The CPU drivers of the dispatch: one design (totals, or totals and hourly traces) and batches.

All three run :func:`gpdc.kernels.step.step_nb` and accumulate with
:func:`gpdc.kernels.step.accumulate_nb` on the same block layout; they differ only in how many
designs sit side by side:

* :func:`dispatch_nb` — one design, totals only;
* :func:`dispatch_trace_nb` — one design, totals and hourly traces;
* :func:`dispatch_batch_nb` — many designs over shared hourly inputs.  The designs of a block of
  ``BLOCK`` sit in the inner loop over one contiguous buffer indexed ``buf[ROW * STRIDE + j]``
  with compile-time ``ROW`` and ``STRIDE``, so LLVM vectorises the step across designs.  The
  designs are grouped into blocks of one kind (:func:`block_plan`),
  and each kind has a parallel driver of its own (``prange`` over its blocks) with the step's
  switches fixed at compile time: green-only blocks run without the pro-rata division and grid
  charging, two steps per pass, and, when no step has an emission factor, without the CO2 sum
  and with their designs' one export-cap rule compiled in (a driver per rule); blocks with a grid
  pool share one grid-charging price and run a step with or without grid charging as the hour's
  price says; lookahead blocks plan their floors; flexible blocks run every branch.
  ``dispatch_batch_nb`` itself is Python: it calls only the drivers a batch needs, so only those
  are compiled or loaded from numba's cache.

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
    P_EXPORT_RULE,
    P_FLEX,
    P_GRID_CHARGE,
    P_GRID_CHARGE_PRICE,
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

#: designs per block in the batch kernel: the ~40 rows a step without flexible elements touches
#: x 72 x 8 B = 23 KB fit a 32 KiB L1d
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
def horizon_steps(hours: float | np.ndarray, dt: float) -> float | np.ndarray:
    """Return the steps of a lookahead horizon of ``hours`` [h], a float (ufuncs only: ``py_func`` takes arrays)."""
    return np.maximum(0.0, np.floor(hours / dt + 0.5))


@njit(inline="always", **JIT)
def lookahead_steps(hours: float, dt: float) -> int:
    """Steps of a lookahead horizon of ``hours`` [h] (:func:`horizon_steps`, one design)."""
    return int(horizon_steps(hours, dt))


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
                        hourly[t], la, floor, -1, -1)
        accumulate_nb(b, 0, 1, flows, price_import[t], price_export[t], factor[t], False, flex, True)
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
            flows = step_nb(buf, j, STRIDE, cfw, cfs, ld, pi, dt, cw, cs, green_only, flex, hx, la, floor, -1, -1)
            accumulate_nb(buf, j, STRIDE, flows, pi, pe, fac, green_only, flex, True)
        m = month_index[t]
        if t + 1 == n_hours or month_index[t + 1] != m:
            for j in range(BLOCK):
                close_month_nb(buf, j, STRIDE, m)


@njit(inline="always", **JIT)
def _two_steps_nb(
    buf: np.ndarray,
    t: int,
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    factor: np.ndarray,
    hourly: np.ndarray,
    dt: float,
    cw1: float,
    cs1: float,
    cw2: float,
    cs2: float,
    green_only: bool,
    gch: int,
    rule: int,
    co2: bool,
) -> None:
    """Steps ``t`` and ``t + 1`` of every design of the block in one pass (running sums through each step given)."""
    u = t + 1
    cfw1 = cf_wind[t]
    cfs1 = cf_solar[t]
    ld1 = load_mw[t]
    pi1 = price_import[t]
    pe1 = price_export[t]
    fac1 = factor[t]
    hx1 = hourly[t]
    cfw2 = cf_wind[u]
    cfs2 = cf_solar[u]
    ld2 = load_mw[u]
    pi2 = price_import[u]
    pe2 = price_export[u]
    fac2 = factor[u]
    hx2 = hourly[u]
    for j in range(BLOCK):
        f1 = step_nb(buf, j, STRIDE, cfw1, cfs1, ld1, pi1, dt, cw1, cs1, green_only, False, hx1, False, 0.0, gch,
                     rule)
        accumulate_nb(buf, j, STRIDE, f1, pi1, pe1, fac1, green_only, False, co2)
        f2 = step_nb(buf, j, STRIDE, cfw2, cfs2, ld2, pi2, dt, cw2, cs2, green_only, False, hx2, False, 0.0, gch,
                     rule)
        accumulate_nb(buf, j, STRIDE, f2, pi2, pe2, fac2, green_only, False, co2)


@njit(inline="always", **JIT)
def _one_step_nb(
    buf: np.ndarray,
    t: int,
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    factor: np.ndarray,
    hourly: np.ndarray,
    dt: float,
    cw: float,
    cs: float,
    green_only: bool,
    gch: int,
    rule: int,
    co2: bool,
) -> None:
    """Step ``t`` of every design of the block."""
    cfw = cf_wind[t]
    cfs = cf_solar[t]
    ld = load_mw[t]
    pi = price_import[t]
    pe = price_export[t]
    fac = factor[t]
    hx = hourly[t]
    for j in range(BLOCK):
        flows = step_nb(buf, j, STRIDE, cfw, cfs, ld, pi, dt, cw, cs, green_only, False, hx, False, 0.0, gch, rule)
        accumulate_nb(buf, j, STRIDE, flows, pi, pe, fac, green_only, False, co2)


@njit(inline="always", **JIT)
def _month_end_nb(month_index: np.ndarray, t: int) -> int:
    """Return the step after the run of steps from ``t`` in ``t``'s billing month (a month may come back later)."""
    n_hours = month_index.shape[0]
    m = month_index[t]
    end = t + 1
    while end < n_hours and month_index[end] == m:
        end += 1
    return end


@njit(inline="always", **JIT)
def _close_month_block_nb(buf: np.ndarray, m: int) -> None:
    """File every design's month ``m`` in a block buffer (:func:`gpdc.kernels.step.close_month_nb`)."""
    for j in range(BLOCK):
        close_month_nb(buf, j, STRIDE, m)


@njit(inline="always", **JIT)
def _green_hours_nb(
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
    rule: int,
    co2: bool,
) -> None:
    """Run all steps for one block of green-only designs (no grid pool, no flexible element), month by month.

    Each design runs two steps per pass over the block (its state and sums stay in registers from
    the first step to the second; the same operations in the same order, so bit-identical to one
    step per pass), a month's odd last step alone.  ``rule`` and ``co2`` (compile-time) as in
    :func:`gpdc.kernels.step.step_nb` and :func:`gpdc.kernels.step.accumulate_nb`: the export-cap
    rule of every design of the block (-1: each its own), and whether any step has an emission
    factor.  (A function apart from :func:`_pool_hours_nb`, not one with a switch: numba inlines
    every call of an inlined function, the dead branches' too, so one function for both kinds
    gave each driver five copies of the step to inline, type and lower where it runs two or three;
    the machine code is the same.)
    """
    n_hours = cf_wind.shape[0]
    cw = 0.0
    cs = 0.0
    t = 0
    while t < n_hours:
        m = month_index[t]
        end = _month_end_nb(month_index, t)
        while t < end:
            cw1 = cw + cf_wind[t] * dt
            cs1 = cs + cf_solar[t] * dt
            if t + 1 < end:
                cw = cw1 + cf_wind[t + 1] * dt
                cs = cs1 + cf_solar[t + 1] * dt
                _two_steps_nb(buf, t, cf_wind, cf_solar, load_mw, price_import, price_export, factor, hourly, dt,
                              cw1, cs1, cw, cs, True, 0, rule, co2)
                t += 2
            else:
                cw = cw1
                cs = cs1
                _one_step_nb(buf, t, cf_wind, cf_solar, load_mw, price_import, price_export, factor, hourly, dt,
                             cw, cs, True, 0, rule, co2)
                t += 1
        _close_month_block_nb(buf, m)


@njit(inline="always", **JIT)
def _pool_hours_nb(
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
    gc_price: float,
    rule: int,
    co2: bool,
) -> None:
    """Run all steps for one block of green-first designs with a grid pool and no flexible element, month by month.

    The designs share the grid-charging price ``gc_price`` (NaN: none charges from the grid;
    :func:`block_plan`), so each step is a grid-charging step for all of them or for none,
    decided once per step.  (Two steps per pass here too, with a loop for each pair of kinds,
    gave 3 % fewer instructions per ordinary step and 11 % per grid-charging step, for 70 s more
    compile time: not done.)  ``rule`` and ``co2`` as in :func:`_green_hours_nb`.
    """
    n_hours = cf_wind.shape[0]
    cw = 0.0
    cs = 0.0
    t = 0
    while t < n_hours:
        m = month_index[t]
        end = _month_end_nb(month_index, t)
        while t < end:
            cw = cw + cf_wind[t] * dt
            cs = cs + cf_solar[t] * dt
            if price_import[t] <= gc_price:
                _one_step_nb(buf, t, cf_wind, cf_solar, load_mw, price_import, price_export, factor, hourly, dt,
                             cw, cs, False, 1, rule, co2)
            else:
                _one_step_nb(buf, t, cf_wind, cf_solar, load_mw, price_import, price_export, factor, hourly, dt,
                             cw, cs, False, 0, rule, co2)
            t += 1
        _close_month_block_nb(buf, m)


#: the kinds of block, each run by a parallel driver of its own (:func:`block_plan`)
KIND_GREEN = 0  # green-first, no grid pool: no pro-rata division, no grid charging
KIND_POOL = 1  # green-first with a grid pool, one grid-charging price per block
KIND_LOOKAHEAD_GREEN = 2  # lookahead, no grid pool
KIND_LOOKAHEAD_POOL = 3  # lookahead with a grid pool
KIND_FLEX = 4  # with a flexible element: every branch of the step


@njit(inline="always", **JIT)
def _load_block_nb(params: np.ndarray, order: np.ndarray, s0: int, nb: int, dt: float, cw_tot: float,
                   cs_tot: float) -> np.ndarray:
    """Return a block buffer ((N_ROWS + 1) rows x STRIDE: the layout, FLOOR_ROW) holding ``order[s0 : s0 + nb]``."""
    buf = np.zeros((N_ROWS + 1) * STRIDE)
    for j in range(BLOCK):
        idle_lane_nb(buf, j, STRIDE)
    for j in range(nb):
        load_params_nb(buf, j, STRIDE, params, order[s0 + j], dt)
    for j in range(BLOCK):
        derive_lane_nb(buf, j, STRIDE, cw_tot, cs_tot)
    return buf


@njit(inline="always", **JIT)
def _store_block_nb(buf: np.ndarray, order: np.ndarray, s0: int, nb: int, dt: float, out_totals: np.ndarray) -> None:
    """Write the block's designs' totals into their rows of ``out_totals``."""
    for j in range(nb):
        write_totals_nb(buf, j, STRIDE, dt, out_totals[order[s0 + j]])


# One parallel driver per kind of block (and export-cap rule), its switches fixed: numba compiles
# (and caches) small functions faster than one prange body that inlines every variant of the step,
# and LLVM vectorises the step across a block's designs only inside a prange body (where the
# block's buffer is local).


@njit(inline="always", **JIT)
def _longest_horizon_nb(params: np.ndarray, order: np.ndarray, s0: int, nb: int, dt: float) -> int:
    """Return the longest lookahead horizon of the designs ``order[s0 : s0 + nb]`` [steps]: the block plans with it."""
    hmax = 0
    for j in range(nb):
        hmax = max(hmax, lookahead_steps(params[P_LOOKAHEAD_H, order[s0 + j]], dt))
    return hmax


@njit(parallel=True, **JIT)
def _batch_green_nb(cf_wind: np.ndarray, cf_solar: np.ndarray, load_mw: np.ndarray, price_import: np.ndarray,
                     price_export: np.ndarray, factor: np.ndarray, month_index: np.ndarray, hourly: np.ndarray,
                     dt: float, params: np.ndarray, order: np.ndarray, starts: np.ndarray, blocks: np.ndarray,
                     cw_tot: float, cs_tot: float, out_totals: np.ndarray) -> None:
    """Run the blocks ``blocks`` (indices into ``starts``), all of kind ``KIND_GREEN``, on all threads.

    For a run with an hourly emission factor (a step with a non-zero factor): the CO2 sum, and the
    export cap of either rule (base + coefficients, each design its own).
    """
    for i in prange(blocks.shape[0]):
        s0 = starts[blocks[i]]
        nb = starts[blocks[i] + 1] - s0
        buf = _load_block_nb(params, order, s0, nb, dt, cw_tot, cs_tot)
        _green_hours_nb(buf, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index,
                        hourly, dt, -1, True)
        _store_block_nb(buf, order, s0, nb, dt, out_totals)


@njit(parallel=True, **JIT)
def _batch_green_running_nb(cf_wind: np.ndarray, cf_solar: np.ndarray, load_mw: np.ndarray, price_import: np.ndarray,
                     price_export: np.ndarray, factor: np.ndarray, month_index: np.ndarray, hourly: np.ndarray,
                     dt: float, params: np.ndarray, order: np.ndarray, starts: np.ndarray, blocks: np.ndarray,
                     cw_tot: float, cs_tot: float, out_totals: np.ndarray) -> None:
    """Run green-only blocks as :func:`_batch_green_nb`, for a run without an hourly emission factor.

    Every design of the blocks is on the running export-cap rule: no CO2 sum (it is +0.0 either
    way), the running rule's cap only.
    """
    for i in prange(blocks.shape[0]):
        s0 = starts[blocks[i]]
        nb = starts[blocks[i] + 1] - s0
        buf = _load_block_nb(params, order, s0, nb, dt, cw_tot, cs_tot)
        _green_hours_nb(buf, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index,
                        hourly, dt, 0, False)
        _store_block_nb(buf, order, s0, nb, dt, out_totals)


@njit(parallel=True, **JIT)
def _batch_green_budget_nb(cf_wind: np.ndarray, cf_solar: np.ndarray, load_mw: np.ndarray, price_import: np.ndarray,
                     price_export: np.ndarray, factor: np.ndarray, month_index: np.ndarray, hourly: np.ndarray,
                     dt: float, params: np.ndarray, order: np.ndarray, starts: np.ndarray, blocks: np.ndarray,
                     cw_tot: float, cs_tot: float, out_totals: np.ndarray) -> None:
    """Run green-only blocks as :func:`_batch_green_running_nb`, every design of them on the budget export-cap rule."""
    for i in prange(blocks.shape[0]):
        s0 = starts[blocks[i]]
        nb = starts[blocks[i] + 1] - s0
        buf = _load_block_nb(params, order, s0, nb, dt, cw_tot, cs_tot)
        _green_hours_nb(buf, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index,
                        hourly, dt, 1, False)
        _store_block_nb(buf, order, s0, nb, dt, out_totals)


@njit(parallel=True, **JIT)
def _batch_pool_nb(cf_wind: np.ndarray, cf_solar: np.ndarray, load_mw: np.ndarray, price_import: np.ndarray,
                     price_export: np.ndarray, factor: np.ndarray, month_index: np.ndarray, hourly: np.ndarray,
                     dt: float, params: np.ndarray, order: np.ndarray, starts: np.ndarray, blocks: np.ndarray,
                     cw_tot: float, cs_tot: float, out_totals: np.ndarray) -> None:
    """Run the blocks ``blocks`` (indices into ``starts``), all of kind ``KIND_POOL``, on all threads.

    The general step: the CO2 sums and each design's own export-cap rule.  (Drivers per rule
    without the CO2 sums, as for green-only blocks, were tried: 3 % fewer instructions per lane-hour
    on the running rule, 8 % on the budget rule, no difference the interleaved timing could
    resolve, for about 50 s more cold compile per rule a run uses: not kept.)
    """
    for i in prange(blocks.shape[0]):
        s0 = starts[blocks[i]]
        nb = starts[blocks[i] + 1] - s0
        buf = _load_block_nb(params, order, s0, nb, dt, cw_tot, cs_tot)
        # the block's designs share one grid-charging price (block_plan): lane 0's (NaN: none)
        _pool_hours_nb(buf, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index,
                       hourly, dt, buf[P_GRID_CHARGE_PRICE * STRIDE], -1, True)
        _store_block_nb(buf, order, s0, nb, dt, out_totals)


@njit(parallel=True, **JIT)
def _batch_lookahead_green_nb(cf_wind: np.ndarray, cf_solar: np.ndarray, load_mw: np.ndarray, price_import: np.ndarray,
                     price_export: np.ndarray, factor: np.ndarray, month_index: np.ndarray, hourly: np.ndarray,
                     dt: float, params: np.ndarray, order: np.ndarray, starts: np.ndarray, blocks: np.ndarray,
                     cw_tot: float, cs_tot: float, out_totals: np.ndarray) -> None:
    """Run the blocks ``blocks`` (indices into ``starts``), all of kind ``KIND_LOOKAHEAD_GREEN``, on all threads."""
    for i in prange(blocks.shape[0]):
        s0 = starts[blocks[i]]
        nb = starts[blocks[i] + 1] - s0
        buf = _load_block_nb(params, order, s0, nb, dt, cw_tot, cs_tot)
        _block_hours_nb(buf, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index,
                        hourly, dt, True, False, True, _longest_horizon_nb(params, order, s0, nb, dt))
        _store_block_nb(buf, order, s0, nb, dt, out_totals)


@njit(parallel=True, **JIT)
def _batch_lookahead_pool_nb(cf_wind: np.ndarray, cf_solar: np.ndarray, load_mw: np.ndarray, price_import: np.ndarray,
                     price_export: np.ndarray, factor: np.ndarray, month_index: np.ndarray, hourly: np.ndarray,
                     dt: float, params: np.ndarray, order: np.ndarray, starts: np.ndarray, blocks: np.ndarray,
                     cw_tot: float, cs_tot: float, out_totals: np.ndarray) -> None:
    """Run the blocks ``blocks`` (indices into ``starts``), all of kind ``KIND_LOOKAHEAD_POOL``, on all threads."""
    for i in prange(blocks.shape[0]):
        s0 = starts[blocks[i]]
        nb = starts[blocks[i] + 1] - s0
        buf = _load_block_nb(params, order, s0, nb, dt, cw_tot, cs_tot)
        _block_hours_nb(buf, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index,
                        hourly, dt, False, False, True, _longest_horizon_nb(params, order, s0, nb, dt))
        _store_block_nb(buf, order, s0, nb, dt, out_totals)


@njit(parallel=True, **JIT)
def _batch_flex_nb(cf_wind: np.ndarray, cf_solar: np.ndarray, load_mw: np.ndarray, price_import: np.ndarray,
                     price_export: np.ndarray, factor: np.ndarray, month_index: np.ndarray, hourly: np.ndarray,
                     dt: float, params: np.ndarray, order: np.ndarray, starts: np.ndarray, blocks: np.ndarray,
                     cw_tot: float, cs_tot: float, out_totals: np.ndarray) -> None:
    """Run the blocks ``blocks`` (indices into ``starts``), all of kind ``KIND_FLEX``, on all threads."""
    for i in prange(blocks.shape[0]):
        s0 = starts[blocks[i]]
        nb = starts[blocks[i] + 1] - s0
        buf = _load_block_nb(params, order, s0, nb, dt, cw_tot, cs_tot)
        _block_hours_nb(buf, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index,
                        hourly, dt, False, True, False, 0)
        _store_block_nb(buf, order, s0, nb, dt, out_totals)


#: each parallel driver: its name, its function, the kind of block it runs and its export-cap rule
#: variant (-1: the general step, each design its own rule, with the sums weighted by the hourly
#: emission factor; 0 running, 1 budget: every design of the block on that rule, no such sums — for
#: a run without an hourly factor).  :func:`batch_plan` numbers the drivers in this order.  A
#: kind may have drivers for one rule only where :func:`block_plan` never mixes rules in its
#: blocks (green-only; ``tests/test_kernels.py`` checks the table).
_DRIVERS = (
    ("green-only, hourly CO2", _batch_green_nb, KIND_GREEN, -1),
    ("green-only, running cap", _batch_green_running_nb, KIND_GREEN, 0),
    ("green-only, budget cap", _batch_green_budget_nb, KIND_GREEN, 1),
    ("grid pool", _batch_pool_nb, KIND_POOL, -1),
    ("lookahead", _batch_lookahead_green_nb, KIND_LOOKAHEAD_GREEN, -1),
    ("lookahead, grid pool", _batch_lookahead_pool_nb, KIND_LOOKAHEAD_POOL, -1),
    ("flexible", _batch_flex_nb, KIND_FLEX, -1),
)
#: the parallel drivers of the blocks, by name, in :func:`batch_plan`'s order; the benchmarks read their assembly
BATCH_DRIVERS = {name: fn for name, fn, _, _ in _DRIVERS}
#: the kind of block each driver runs
DRIVER_KINDS = tuple(kind for _, _, kind, _ in _DRIVERS)
#: the export-cap rule each driver is compiled for (-1: each design its own, with the CO2 sums)
DRIVER_RULES = tuple(rule for _, _, _, rule in _DRIVERS)


def block_plan(params: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the designs' order, the blocks they run in and each block's kind: ``(order, starts, kinds)``.

    The designs are grouped by the variant of the step their block runs, stable within a group;
    groups, in this order: green-only (no grid pool; the running export-cap rule, then the
    budget rule), with a grid pool (grid charging or an initial grid pool) — sorted by their
    grid-charging price, those that never charge from the grid last —, lookahead green-only,
    lookahead with a grid pool — these two sorted by their horizon in steps —, with a flexible
    element.  Block ``i`` runs the designs ``order[starts[i]:starts[i + 1]]``: at most
    ``BLOCK``, never from two groups, with a grid pool never two grid-charging prices, green-only
    never two export-cap rules — so each block runs the variant compiled for its kind (no
    pro-rata division without a grid pool, no grid charging in a step where no design of the
    block charges from the grid, one rule's export cap in a green-only block) and, without
    lookahead and flexible elements, decides once per step whether it is a grid-charging step.
    (Lookahead blocks may mix horizons: they plan with the longest.)  ``kinds[i]`` is block
    ``i``'s ``KIND_*`` (the group's: a flexible design runs green-first, as the scenario refuses
    lookahead with flexible elements).  Results do not depend on the plan: a design's totals do
    not depend on the block it runs in (see :func:`dispatch_batch_nb`).

    NumPy, not numba: the plan is a few sorts per batch, and compiled (``np.argsort`` and all) it
    cost 4-6 s of a first run's compile.  ``order`` and ``starts`` are int64 arrays, C-contiguous.
    """
    n = params.shape[1]
    gc = params[P_GRID_CHARGE] > 0.5
    pool = gc | (params[P_INIT_GRID_MWH] != 0.0)
    flex = params[P_FLEX] > 0.5
    la = ~flex & (params[P_LOOKAHEAD] > 0.5)
    kind = np.where(flex, KIND_FLEX, np.where(la, np.where(pool, KIND_LOOKAHEAD_POOL, KIND_LOOKAHEAD_GREEN),
                                              np.where(pool, KIND_POOL, KIND_GREEN))).astype(np.int64)
    h = np.zeros(n, dtype=np.int64)  # lookahead: the horizon in steps; green-only: the export-cap rule
    if la.any():
        h[la] = horizon_steps.py_func(params[P_LOOKAHEAD_H, la], dt).astype(np.int64)  # the kernels' rule, on arrays
    green = kind == KIND_GREEN
    h[green] = params[P_EXPORT_RULE, green] > 0.5
    charge_price = params[P_GRID_CHARGE_PRICE]
    charges = (kind == KIND_POOL) & gc & (charge_price == charge_price)  # (a NaN price never charges)
    price = np.where(charges, charge_price, 0.0)
    never = ((kind == KIND_POOL) & ~charges).astype(np.int64)
    key = (kind << 41) + (never << 40) + h
    by_price = np.argsort(price, kind="stable")
    order = by_price[np.argsort(key[by_price], kind="stable")].astype(np.int64)
    # a block starts at each group's start and every BLOCK designs into a group
    ks, ps = key[order], price[order]
    kd = ks >> 41
    group = np.ones(n, dtype=bool)
    group[1:] = ((kd[1:] != kd[:-1]) | ((kd[1:] == KIND_POOL) & ((ks[1:] != ks[:-1]) | (ps[1:] != ps[:-1])))
                 | ((kd[1:] == KIND_GREEN) & (ks[1:] != ks[:-1])))
    pos = np.arange(n, dtype=np.int64)
    first = np.maximum.accumulate(np.where(group, pos, 0)) if n else pos
    begins = np.flatnonzero((pos - first) % BLOCK == 0)
    starts = np.append(begins, n).astype(np.int64)
    return np.ascontiguousarray(order), starts, kd[begins].astype(np.int64)


def batch_plan(cf_wind: np.ndarray, cf_solar: np.ndarray, factor: np.ndarray, params: np.ndarray,
               dt: float) -> tuple[float, float, np.ndarray, np.ndarray, np.ndarray]:
    """Return what the batch's drivers share and which runs which block: ``(cw_tot, cs_tot, order, starts, driver)``.

    ``cw_tot``, ``cs_tot``: the profiles' sums (:func:`gpdc.kernels.step.profile_sums_nb`, compiled:
    summed in time order with the kernels' multiply-adds); ``order``, ``starts``:
    :func:`block_plan`'s; ``driver[i]``: the index into :data:`BATCH_DRIVERS` of the driver that
    runs block ``i``: of its kind (:data:`DRIVER_KINDS`) and, where the kind has drivers for one
    export-cap rule (:data:`DRIVER_RULES`) and no step of the run has an emission factor (NaN
    counts as one), the one of its designs' rule, without the sums weighted by the factor (which
    stay +0.0); else the kind's general driver (rule -1).
    """
    cw_tot, cs_tot = profile_sums_nb(cf_wind, cf_solar, dt)
    co2 = bool(np.any(factor != 0.0))
    order, starts, kinds = block_plan(params, dt)  # designs of a kind in blocks of their own
    # green-only blocks: one rule (block_plan); other kinds have only a general driver
    rule = np.full(kinds.shape[0], -1, dtype=np.int64)
    if not co2:
        rule = np.where(params[P_EXPORT_RULE, order[starts[:-1]]] > 0.5, 1, 0)
    driver = np.full(kinds.shape[0], -1, dtype=np.int64)
    for d in range(len(DRIVER_KINDS)):
        mine = kinds == DRIVER_KINDS[d]
        if DRIVER_RULES[d] == -1:
            driver[mine & (driver < 0)] = d  # the kind's general driver, unless one for the block's rule follows
        else:
            driver[mine & (rule == DRIVER_RULES[d])] = d
    return float(cw_tot), float(cs_tot), order, starts, driver


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
    *,
    compiled: bool = True,
) -> None:
    """Dispatch many designs that share their hourly inputs.

    A Python function over numba kernels: it plans the blocks (:func:`batch_plan`) and calls
    the parallel driver of each kind of block the batch has (:data:`BATCH_DRIVERS`), so a run
    compiles — or loads from numba's cache — only the drivers its designs need (a cold compile of
    all seven takes minutes; a green-only design without an hourly emission factor, the usual
    case, needs one).  The kernels' inputs must be as :func:`gpdc.kernels.dispatch.batch_totals`
    makes them: C-contiguous, writable float64 (``month_index`` int64), ``dt`` a float.

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
        :func:`block_plan`, each kind in blocks of its own.
    compiled : bool, default True
        False runs the same functions as Python (numba's ``py_func``; slow: for tests).
    """
    cw_tot, cs_tot, order, starts, driver = batch_plan(cf_wind, cf_solar, factor, params, dt)
    for d, fn in enumerate(BATCH_DRIVERS.values()):
        blocks = np.flatnonzero(driver == d)
        if blocks.shape[0]:
            (fn if compiled else fn.py_func)(cf_wind, cf_solar, load_mw, price_import, price_export, factor,
                                             month_index, hourly, dt, params, order, starts, blocks, cw_tot, cs_tot,
                                             out_totals)


__all__ = ["BATCH_DRIVERS", "BLOCK", "DRIVER_KINDS", "DRIVER_RULES", "N_TOTALS", "STRIDE", "batch_plan",
           "block_plan", "dispatch_batch_nb", "dispatch_nb", "dispatch_trace_nb"]
