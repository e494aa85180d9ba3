"""One step of the dispatch and the block helpers that both drivers share (numba, inlined).

Everything works on the *block layout* of :mod:`gpdc.kernels.layout`: design ``j`` of a block
keeps its parameters, derived constants, state and accumulators in ``b[ROW * stride + j]``.
The batch driver passes its compile-time ``STRIDE`` (the designs of a block side by side, so
LLVM vectorises across them), the single-design driver ``stride = 1``; the code is the same.

* :func:`prepare_nb` — a design's parameters into the block (powers as energies per step),
  its derived constants and its initial state;
* :func:`step_nb` — the rules of ``docs/dispatch.md`` for one step; returns the flows in the
  order of :data:`gpdc.kernels.spec.FLOWS`;
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
    A_SUM0,
    C_END0,
    C_MONTH0,
    D_CAP_BUDGET,
    D_CAP_IMPORT,
    D_INV_ETA_CH,
    D_INV_ETA_DIS,
    END_STATE,
    MAX_FLOW,
    N_ENDS,
    N_MAXES,
    N_MONTHS,
    N_PARAMS,
    N_STATE,
    N_SUMS,
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
    P_LINE_LOSS_FRAC,
    P_LINE_MW,
    P_SOLAR_MW,
    P_USABLE_MWH,
    P_WIND_MW,
    PER_STEP_PARAMS,
    S0,
    S_CUM_EXPORT,
    S_GREEN,
    S_GRID,
    STATE_INIT,
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


@njit(inline="always", **JIT)
def load_params_nb(b: np.ndarray, j: int, stride: int, params: np.ndarray, s: int, dt: float) -> None:
    """Copy design ``s`` of ``params`` [N_PARAMS, n] into lane ``j``, powers as energies per step, and its initial state."""
    for r in range(N_PARAMS):
        b[r * stride + j] = params[r, s]
    for r in PER_STEP_PARAMS:
        b[r * stride + j] = params[r, s] * dt  # power limits as energy per step
    for k in range(N_STATE):
        init = STATE_INIT[k]
        b[(S0 + k) * stride + j] = params[init, s] if init >= 0 else 0.0


@njit(inline="always", **JIT)
def derive_lane_nb(b: np.ndarray, j: int, stride: int, cw_tot: float, cs_tot: float) -> None:
    """Compute lane ``j``'s derived constants from its parameters (after :func:`load_params_nb` or :func:`idle_lane_nb`)."""
    b[D_INV_ETA_CH * stride + j] = 1.0 / b[P_ETA_CHARGE * stride + j]
    b[D_INV_ETA_DIS * stride + j] = 1.0 / b[P_ETA_DISCHARGE * stride + j]
    b[D_CAP_BUDGET * stride + j] = b[P_EXPORT_CAP_FRAC * stride + j] * (
        b[P_WIND_MW * stride + j] * cw_tot + b[P_SOLAR_MW * stride + j] * cs_tot
    )
    if not b[P_GRID_CHARGE * stride + j] > 0.5:
        b[P_GRID_CHARGE_PRICE * stride + j] = np.nan  # no grid-charging hours: no price compares <= NaN
    keep = b[P_IMPORT_TARGET_MW * stride + j]
    imp_cap = b[P_IMPORT_MW * stride + j]
    b[D_CAP_IMPORT * stride + j] = min(keep, imp_cap) if keep > 0.0 else imp_cap


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
) -> tuple[
    float, float, float, float, float, float, float, float,
    float, float, float, float, float, float, float, float,
]:  # fmt: skip
    """Advance design ``j`` of the block by one step (docs/dispatch.md); return its flows [MWh per step].

    ``cw`` and ``cs`` are the running sums Σ cf·dt up to and including this step (the running
    export cap).  The new state is written back into the block.  ``green_only`` (a compile-time
    constant at each call site) may be True only when the grid pool is and stays empty (no grid
    charging): the pro-rata share is then 1 and its division drops out, bit-identical results.

    Returns
    -------
    tuple of float
        The flows in the order of :data:`gpdc.kernels.spec.FLOWS`: gen, curt_line, line_loss,
        direct, ch_green, ch_grid, dis_green, dis_grid, export, import, curt_bus, unserved,
        green pool and grid pool at the end of the step, curt_cap, self-supply (1 or 0).
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
    budget = b[P_EXPORT_RULE * stride + j] > 0.5
    cap_run = b[P_EXPORT_CAP_FRAC * stride + j] * (wind * cw + solar * cs)
    cap_e = b[D_CAP_BUDGET * stride + j] if budget else cap_run
    green = b[S_GREEN * stride + j]
    grid = b[S_GRID * stride + j]
    cum_export = b[S_CUM_EXPORT * stride + j]

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

    b[S_GREEN * stride + j] = green
    b[S_CUM_EXPORT * stride + j] = cum_export
    if not green_only:  # with green_only the grid pool stays +0.0: its row is never written
        b[S_GRID * stride + j] = grid
    line_loss = (gen - curt_line) * loss_frac  # as reported (the step itself uses line_in)
    self_supply = 1.0 if need <= 0.0 else 0.0
    return (
        gen, curt_line, line_loss, direct, ch_green, ch_grid, dis_green, dis_grid,
        export, imp, curt_bus, unserved, green, grid, curt_cap, self_supply,
    )  # fmt: skip


def _accumulate_source() -> str:
    """Source of :func:`accumulate_nb`: one straight-line add (or multiply-add) per accumulator.

    Generated from :data:`gpdc.kernels.spec.TOTALS` (through the layout's ``SUM_*`` and
    ``MAX_FLOW`` tuples): a loop over the totals with a run-time tuple index compiles to
    switches that LLVM does not vectorise, straight-line code does.
    """
    weight = {0: "", 1: " * price_import", 2: " * price_export", 3: " * factor"}
    lines = [
        "def accumulate_nb(b, j, stride, flows, price_import, price_export, factor, green_only):",
        '    """Add one step\'s flows to design j\'s accumulators (generated from the kernel spec)."""',
    ]
    for k in range(N_SUMS):
        line = f"b[({A_SUM0 + k}) * stride + j] += flows[{SUM_FLOW[k]}]{weight[SUM_WEIGHT[k]]}"
        if SUM_GRID_POOL[k]:  # +0.0 while the grid pool is empty: skipped in green-only blocks
            lines.append(f"    if not green_only:\n        {line}")
        else:
            lines.append(f"    {line}")
    for k in range(N_MAXES):
        # `+ 0.0`: not a conditional (masked) store, very slow on some CPUs
        r = f"({A_MAX0 + k}) * stride + j"
        lines.append(f"    b[{r}] = max(b[{r}], flows[{MAX_FLOW[k]}]) + 0.0")
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
#: (``accumulate_nb(b, j, stride, flows, price_import, price_export, factor, green_only)``).  Each
#: accumulator is one straight-line add or multiply-add; with ``green_only`` the grid-pool sums
#: are skipped (their flows are +0.0).  Monthly maxima go into one running row per total, filed by
#: :func:`close_month_nb`.  The source is :data:`ACCUMULATE_SOURCE`.
accumulate_nb = njit(inline="always", **{**JIT, "cache": False})(_generated["accumulate_nb"])  # inlined: the
# drivers that inline it are cached
#: Write one step's traced flows into row ``t`` of ``out`` (float64[n_hours, N_TRACE]), columns
#: :data:`gpdc.kernels.spec.TRACE_NAMES` (``write_trace_nb(out, t, flows)``; source :data:`TRACE_SOURCE`).
write_trace_nb = njit(inline="always", **{**JIT, "cache": False})(_generated["write_trace_nb"])


@njit(inline="always", **JIT)
def close_month_nb(b: np.ndarray, j: int, stride: int, month: int) -> None:
    """File design ``j``'s running maxima under billing month ``month`` (0-11) and restart them."""
    for k in range(N_MAXES):
        cur = (A_MAX0 + k) * stride + j
        r = (A_MONTH0 + k * N_MONTHS + month) * stride + j
        b[r] = max(b[r], b[cur])  # a month may come back (profiles out of calendar order)
        b[cur] = 0.0


@njit(inline="always", **JIT)
def write_totals_nb(b: np.ndarray, j: int, stride: int, dt: float, out: np.ndarray) -> None:
    """Write design ``j``'s totals into ``out`` (float64[N_TOTALS]): sums, end states, monthly maxima / dt."""
    for k in range(N_SUMS):
        out[k] = b[(A_SUM0 + k) * stride + j]
    for k in range(N_ENDS):
        out[C_END0 + k] = b[END_STATE[k] * stride + j]
    for k in range(N_MAXES * N_MONTHS):
        out[C_MONTH0 + k] = b[(A_MONTH0 + k) * stride + j] / dt  # max(imp)/dt == max(imp/dt), dt > 0
