"""Compiled per-design finance (issue 19): NPV, IRR, discounted payback and LCOE, row by row.

The functions take flows ``[n, n_years + 1]`` (one row per design) and return one value per row,
with the operations of the NumPy definitions in :mod:`gpdc.accounting.finance` in the same order,
so that the results are bit-identical to them:

* sums over the years are NumPy's pairwise summation (``np.sum`` along a contiguous last axis:
  8 running partial sums, combined as ``((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))``, the
  remainder added in order; halves above 128 terms), and products ``cf · d`` with the discount
  factors ``d`` NumPy computed (``np.power``), so NPV and LCOE equal ``np.sum(cf * d, axis=-1)``;
* the discounted payback is the running sum (``np.cumsum``) and the same interpolation;
* the IRR classifies each flow as NumPy does, bisects with Horner's rule (80 steps over the whole
  bracket for one sign change, 64 within the first grid bracket for several) — the same
  operations in the same order, so bit-identical.  The one difference: the grid scan that finds
  the first bracket of a flow with several sign changes sums ``cf_y · (1 + r_k)^-y`` in year order,
  where NumPy's matrix product sums in BLAS's order; the two values differ by rounding (about
  1e-16 of the largest term), which changes the bracket only where the NPV at a grid rate is
  within that rounding of zero.

Memory is bounded: the rows are handled in blocks of :data:`BLOCK` designs (years × BLOCK
buffers), never a designs × grid matrix; each block runs with the designs innermost, so the
Horner steps vectorise.  No ``fastmath``: contracting multiply-adds would change the bits.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from numba import njit

import gpdc.kernels  # noqa: F401 - the kernels' cache locator, before the njit decorators below

__all__ = ["BLOCK", "irr_rows", "lcoe_rows", "lifetime_flows", "lifetime_scalars", "npv_rows", "payback_rows"]

#: designs per block of the IRR's scan and bisections
BLOCK = 64

_JIT: dict[str, Any] = {"cache": os.environ.get("GPDC_NUMBA_CACHE", "1") != "0", "nogil": True, "error_model": "numpy"}


@njit(inline="always", **_JIT)
def _pairwise_block(a: np.ndarray, lo: int, n: int) -> float:  # pragma: no cover - compiled
    """NumPy's ``pairwise_sum`` of ``a[lo:lo + n]`` for n <= 128 (numpy/_core/src/umath/loops_utils.h)."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0 = a[lo]
    r1 = a[lo + 1]
    r2 = a[lo + 2]
    r3 = a[lo + 3]
    r4 = a[lo + 4]
    r5 = a[lo + 5]
    r6 = a[lo + 6]
    r7 = a[lo + 7]
    i = 8
    while i < n - (n % 8):
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(**_JIT)
def _pairwise(a: np.ndarray, lo: int, n: int) -> float:  # pragma: no cover - compiled
    """Sum ``a[lo:lo + n]`` as NumPy's ``pairwise_sum`` does.

    Above 128 terms: the sum of two halves (the first a multiple of 8 long), evaluated here with an
    explicit stack (numba's cache mishandles recursion).
    """
    if n <= 128:
        return _pairwise_block(a, lo, n)
    t_lo = np.empty(128, dtype=np.int64)  # tasks: (lo, n), n < 0 meaning "add the two values on top"
    t_n = np.empty(128, dtype=np.int64)
    vals = np.empty(128)
    nt = 1
    nv = 0
    t_lo[0] = lo
    t_n[0] = n
    while nt > 0:
        nt -= 1
        k_lo = t_lo[nt]
        k_n = t_n[nt]
        if k_n < 0:
            vals[nv - 2] = vals[nv - 2] + vals[nv - 1]
            nv -= 1
        elif k_n <= 128:
            vals[nv] = _pairwise_block(a, k_lo, k_n)
            nv += 1
        else:
            n2 = k_n // 2
            n2 -= n2 % 8
            t_lo[nt] = 0
            t_n[nt] = -1
            t_lo[nt + 1] = k_lo + n2
            t_n[nt + 1] = k_n - n2
            t_lo[nt + 2] = k_lo
            t_n[nt + 2] = n2
            nt += 3
    return vals[0]


@njit(inline="always", **_JIT)
def _discounted_sum(c: np.ndarray, d: np.ndarray, di: int, tmp: np.ndarray) -> float:  # pragma: no cover
    """``np.sum(c * d[di])`` of one row: the products, then the pairwise sum."""
    m = c.shape[0]
    for j in range(m):
        tmp[j] = c[j] * d[di, j]
    return _pairwise(tmp, 0, m)


@njit(inline="always", **_JIT)
def _lcoe(c: np.ndarray, e: np.ndarray, d: np.ndarray, di: int, tmp: np.ndarray) -> float:  # pragma: no cover
    """Σ c·d / Σ e·d of one row; NaN where the discounted energy is not > 0."""
    num = _discounted_sum(c, d, di, tmp)
    den = _discounted_sum(e, d, di, tmp)
    return num / den if den > 0.0 else np.nan


@njit(inline="always", **_JIT)
def _payback(cf: np.ndarray, d: np.ndarray, di: int, disc: np.ndarray, cum: np.ndarray) -> float:  # pragma: no cover
    """Return the discounted payback [a] of one row, as :func:`gpdc.accounting.finance.discounted_payback_years`."""
    m = cf.shape[0]
    s = 0.0
    for j in range(m):
        disc[j] = cf[j] * d[di, j]
        s = disc[j] if j == 0 else s + disc[j]
        cum[j] = s
    y = -1
    for j in range(m):
        if cum[j] >= 0.0:
            y = j
            break
    if y < 0:
        return np.nan
    if y == 0:
        return 0.0
    return (y - 1) + (-cum[y - 1]) / disc[y]


@njit(**_JIT)
def npv_rows(cf: np.ndarray, d: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """``np.sum(cf * d, axis=-1)`` of flows [n, m] and discount factors [1 or n, m]."""
    n, m = cf.shape
    out = np.empty(n)
    tmp = np.empty(m)
    one = d.shape[0] == 1
    for i in range(n):
        out[i] = _discounted_sum(cf[i], d, 0 if one else i, tmp)
    return out


@njit(**_JIT)
def lcoe_rows(c: np.ndarray, e: np.ndarray, d: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """Σ c·d / Σ e·d per row (pairwise sums); NaN where the discounted energy is not > 0."""
    n, m = c.shape
    out = np.empty(n)
    tmp = np.empty(m)
    one = d.shape[0] == 1
    for i in range(n):
        out[i] = _lcoe(c[i], e[i], d, 0 if one else i, tmp)
    return out


@njit(**_JIT)
def payback_rows(cf: np.ndarray, d: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """Return the discounted payback [a] of each row, as :func:`gpdc.accounting.finance.discounted_payback_years`."""
    n, m = cf.shape
    out = np.empty(n)
    disc = np.empty(m)
    cum = np.empty(m)
    one = d.shape[0] == 1
    for i in range(n):
        out[i] = _payback(cf[i], d, 0 if one else i, disc, cum)
    return out


#: the rows of :func:`_design_rows`' buffer
(R_CF, R_GREEN_COST, R_GREEN_MWH, R_DELTA_COST, R_DELTA_BASE, R_PLANT_COST, R_PLANT_MWH, R_REPLACEMENT,
 R_BILL_SAVINGS) = range(9)


@njit(inline="always", **_JIT)
def _design_rows(i: int, capex: np.ndarray, plant_capex: np.ndarray, om: np.ndarray, plant_om: np.ndarray,
                 rep: np.ndarray, step: np.ndarray, life: np.ndarray, gain: np.ndarray, green_var: np.ndarray,
                 used: np.ndarray, plant: np.ndarray, bill_y: np.ndarray, bill_1: np.ndarray, base_1: np.ndarray,
                 esc: np.ndarray, rows: np.ndarray) -> None:  # pragma: no cover - compiled
    """Write design ``i``'s flows into ``rows`` [9, N + 1] (the ``R_*`` rows; the replacements in columns 0 .. N − 1).

    Each value is the NumPy definition's expression (:func:`gpdc.accounting.costs.flows_numpy`),
    the same operations in the same order (no ``fastmath``), 0 past the design's life.
    """
    m = esc.shape[1]
    ei = 0 if esc.shape[0] == 1 else i
    yearly = gain.shape[1] > 1
    rows[R_CF, 0] = -capex[i]
    rows[R_GREEN_COST, 0] = capex[i]
    rows[R_GREEN_MWH, 0] = 0.0
    rows[R_DELTA_COST, 0] = 0.0
    rows[R_DELTA_BASE, 0] = 0.0
    rows[R_PLANT_COST, 0] = plant_capex[i]
    rows[R_PLANT_MWH, 0] = 0.0
    rows[R_REPLACEMENT, m] = 0.0
    rows[R_BILL_SAVINGS, 0] = 0.0
    next_replacement = step[i]  # y % step == 0 for whole numbers y, step >= 1 (NaN, inf: never), without a division
    for j in range(m):
        y = j + 1.0
        k = j if yearly else 0
        e = esc[ei, j]
        r = 0.0
        if y == next_replacement:
            next_replacement += step[i]
            if y < life[i]:
                r = rep[i]
        rows[R_REPLACEMENT, j] = r
        if y <= life[i]:
            rows[R_CF, j + 1] = gain[i, k] * e - om[i] - r
            rows[R_GREEN_COST, j + 1] = om[i] + r + green_var[i, k] * e
            rows[R_GREEN_MWH, j + 1] = used[i, k]
            rows[R_DELTA_COST, j + 1] = bill_y[i, k] * e - bill_1[i] + r
            rows[R_DELTA_BASE, j + 1] = base_1[i] * e - base_1[i]
            rows[R_PLANT_COST, j + 1] = plant_om[i] + r
            rows[R_PLANT_MWH, j + 1] = plant[i, k]
            rows[R_BILL_SAVINGS, j + 1] = gain[i, k] * e
        else:
            for row in range(R_REPLACEMENT):
                rows[row, j + 1] = 0.0
            rows[R_BILL_SAVINGS, j + 1] = 0.0


@njit(**_JIT)
def lifetime_flows(capex: np.ndarray, plant_capex: np.ndarray, om: np.ndarray, plant_om: np.ndarray,
                   rep: np.ndarray, step: np.ndarray, life: np.ndarray, gain: np.ndarray, green_var: np.ndarray,
                   used: np.ndarray, plant: np.ndarray, bill_y: np.ndarray, bill_1: np.ndarray, base_1: np.ndarray,
                   esc: np.ndarray, parts: bool) -> tuple:  # pragma: no cover - compiled
    """Return the flows of :func:`gpdc.accounting.costs.lifetime_finance`, one compiled pass per design.

    Per design [n]: ``capex``, ``plant_capex`` (capex less the flexible elements'), ``om`` and
    ``plant_om`` (per year), ``rep`` (a storage replacement's cost), ``step`` (years between
    replacements), ``life`` (whole years, int64); per design and year [n, 1] (the first year's, for
    every year) or [n, N]: ``gain`` (baseline − bill), ``green_var`` (fees − export revenue),
    ``used`` (self-used MWh), ``plant`` (plant output MWh), ``bill_y``; per design [n]: ``bill_1``
    and ``base_1`` (the first year's bill and baseline); ``esc`` [1 or n, N]: (1 + g)^(y − 1).
    Bit-identical to :func:`gpdc.accounting.costs.flows_numpy` (see :func:`_design_rows`).

    Returns ``cf, green_cost, green_mwh, delta_cost, delta_base, plant_cost, plant_mwh`` [n, N + 1],
    ``replacement`` [n, N], and with ``parts`` ``bill_savings, om_flow`` [n, N + 1] (else [0, N + 1]).
    """
    n = capex.shape[0]
    m = esc.shape[1]
    out = np.empty((R_REPLACEMENT, n, m + 1))
    replacement = np.empty((n, m))
    n_parts = n if parts else 0
    bill_savings = np.empty((n_parts, m + 1))
    om_flow = np.zeros((n_parts, m + 1))
    rows = np.empty((9, m + 1))
    for i in range(n):
        _design_rows(i, capex, plant_capex, om, plant_om, rep, step, life, gain, green_var, used, plant, bill_y,
                     bill_1, base_1, esc, rows)
        for row in range(R_REPLACEMENT):
            out[row, i, :] = rows[row, :]
        replacement[i, :] = rows[R_REPLACEMENT, :m]
        if parts:
            bill_savings[i, :] = rows[R_BILL_SAVINGS, :]
            for j in range(1, min(life[i], m) + 1):
                om_flow[i, j] = om[i]
    return (out[R_CF], out[R_GREEN_COST], out[R_GREEN_MWH], out[R_DELTA_COST], out[R_DELTA_BASE], out[R_PLANT_COST],
            out[R_PLANT_MWH], replacement, bill_savings, om_flow)


#: the columns of :func:`lifetime_scalars`' values
(S_NPV, S_PAYBACK, S_ADJUST, S_ADJUST_BASE, S_LCOE_GREEN, S_LCOE_PLANT, S_PLANT_MWH, S_REPLACEMENT,
 S_GREEN_MWH) = range(9)


@njit(**_JIT)
def lifetime_scalars(capex: np.ndarray, plant_capex: np.ndarray, om: np.ndarray, plant_om: np.ndarray,
                     rep: np.ndarray, step: np.ndarray, life: np.ndarray, gain: np.ndarray, green_var: np.ndarray,
                     used: np.ndarray, plant: np.ndarray, bill_y: np.ndarray, bill_1: np.ndarray, base_1: np.ndarray,
                     esc: np.ndarray, d: np.ndarray) -> tuple:  # pragma: no cover - compiled
    """Return the cash flows [n, N + 1] and the ``S_*`` values [9, n] of every design, without the other flows.

    :func:`lifetime_flows`' arguments and the discount factors ``d`` [1 or n, N + 1]; each design's
    flows live in a buffer of one design while its NPV (:func:`npv_rows`), discounted payback
    (:func:`payback_rows`), the NPVs of the cost and baseline deltas, the two LCOEs
    (:func:`lcoe_rows`) and the sums of plant output, replacements and self-used energy over the
    years (``np.sum``'s pairwise order) are taken — the same values as from the full flows, bit for
    bit, in a sweep's memory of one flow ([n, N + 1], for the IRR) instead of seven.
    """
    n = capex.shape[0]
    m = esc.shape[1]
    cf = np.empty((n, m + 1))
    out = np.empty((9, n))
    rows = np.empty((9, m + 1))
    tmp = np.empty(m + 1)
    cum = np.empty(m + 1)
    one = d.shape[0] == 1
    for i in range(n):
        _design_rows(i, capex, plant_capex, om, plant_om, rep, step, life, gain, green_var, used, plant, bill_y,
                     bill_1, base_1, esc, rows)
        cf[i, :] = rows[R_CF, :]
        di = 0 if one else i
        out[S_NPV, i] = _discounted_sum(rows[R_CF], d, di, tmp)
        out[S_PAYBACK, i] = _payback(rows[R_CF], d, di, tmp, cum)
        out[S_ADJUST, i] = _discounted_sum(rows[R_DELTA_COST], d, di, tmp)
        out[S_ADJUST_BASE, i] = _discounted_sum(rows[R_DELTA_BASE], d, di, tmp)
        out[S_LCOE_GREEN, i] = _lcoe(rows[R_GREEN_COST], rows[R_GREEN_MWH], d, di, tmp)
        out[S_LCOE_PLANT, i] = _lcoe(rows[R_PLANT_COST], rows[R_PLANT_MWH], d, di, tmp)
        out[S_PLANT_MWH, i] = _pairwise(rows[R_PLANT_MWH], 0, m + 1)
        out[S_REPLACEMENT, i] = _pairwise(rows[R_REPLACEMENT], 0, m)
        out[S_GREEN_MWH, i] = _pairwise(rows[R_GREEN_MWH], 0, m + 1)
    return cf, out


@njit(inline="always", **_JIT)
def _sgn(v: float) -> float:  # pragma: no cover - compiled
    """np.sign: -1, 0, +1, NaN for NaN."""
    if v > 0.0:
        return 1.0
    if v < 0.0:
        return -1.0
    if v == 0.0:
        return 0.0
    return np.nan


@njit(inline="always", **_JIT)
def _same_sign(a: float, b: float) -> bool:  # pragma: no cover - compiled
    """np.sign(a) == np.sign(b) (False when either is NaN)."""
    return (a > 0.0 and b > 0.0) or (a < 0.0 and b < 0.0) or (a == 0.0 and b == 0.0)


@njit(inline="always", **_JIT)
def _horner(ct: np.ndarray, m: int, rate: np.ndarray, f: np.ndarray, x: np.ndarray) -> None:  # pragma: no cover
    """f[j] = Σ_y ct[y, j] · (1 / (1 + rate[j]))^y by Horner's rule, as finance._npv_horner."""
    nb = f.shape[0]
    for j in range(nb):
        x[j] = 1.0 / (1.0 + rate[j])
        f[j] = ct[m - 1, j]
    for y in range(m - 2, -1, -1):
        for j in range(nb):
            f[j] = f[j] * x[j] + ct[y, j]


@njit(inline="always", **_JIT)
def _bisect(ct: np.ndarray, m: int, lo: np.ndarray, hi: np.ndarray, f_lo: np.ndarray, mid: np.ndarray,
            f_mid: np.ndarray, x: np.ndarray, iterations: int) -> None:  # pragma: no cover - compiled
    """Halve every lane's bracket [lo, hi] ``iterations`` times, keeping the half where the NPV changes sign."""
    for _ in range(iterations):
        for j in range(BLOCK):
            mid[j] = 0.5 * (lo[j] + hi[j])
        _horner(ct, m, mid, f_mid, x)
        for j in range(BLOCK):
            left = _same_sign(f_mid[j], f_lo[j])
            lo[j] = mid[j] if left else lo[j]
            f_lo[j] = f_mid[j] if left else f_lo[j]
            hi[j] = hi[j] if left else mid[j]


@njit(**_JIT)
def irr_rows(cf: np.ndarray, grid: np.ndarray, power: np.ndarray, lo_b: float, hi_b: float) -> np.ndarray:
    """Return the IRR [1/a] of each row as :func:`gpdc.accounting.finance._irr_many`; NaN where none.

    ``power`` [m, n_grid] = (1 + grid)^-y, the factors of the grid scan; ``lo_b``, ``hi_b`` the bracket.
    """  # pragma: no cover - compiled
    n, m = cf.shape
    g = grid.shape[0]
    out = np.full(n, np.nan)
    single = np.empty(n, dtype=np.int64)
    several = np.empty(n, dtype=np.int64)
    n_single = 0
    n_several = 0
    for i in range(n):  # classify as NumPy does: a sign change, and whether it is the only one
        first = 0.0
        for j in range(m):
            if cf[i, j] != 0.0:
                first = _sgn(cf[i, j])
                break
        change = False
        last_first = -1.0
        first_opp = np.inf
        for j in range(m):
            s = _sgn(cf[i, j])
            if cf[i, j] != 0.0 and s != first:
                change = True
            if s == first:
                last_first = float(j)
            if s == -first and first_opp == np.inf:
                first_opp = float(j)
        if not change:
            continue
        if last_first < first_opp:
            single[n_single] = i
            n_single += 1
        else:
            several[n_several] = i
            n_several += 1
    ct = np.zeros((m, BLOCK))  # a block's flows, designs innermost
    lo = np.empty(BLOCK)
    hi = np.empty(BLOCK)
    mid = np.empty(BLOCK)
    f_lo = np.empty(BLOCK)
    f_hi = np.empty(BLOCK)
    f_mid = np.empty(BLOCK)
    x = np.empty(BLOCK)
    ok = np.empty(BLOCK, dtype=np.bool_)
    # one sign change: one root; bisect the whole bracket, 80 steps
    for b0 in range(0, n_single, BLOCK):
        nb = min(BLOCK, n_single - b0)
        for j in range(BLOCK):
            for y in range(m):
                ct[y, j] = cf[single[b0 + j], y] if j < nb else 0.0
            lo[j] = lo_b
            hi[j] = hi_b
        _horner(ct, m, lo, f_lo, x)
        _horner(ct, m, hi, f_hi, x)
        for j in range(BLOCK):
            ok[j] = _sgn(f_lo[j]) * _sgn(f_hi[j]) < 0.0
        _bisect(ct, m, lo, hi, f_lo, mid, f_mid, x, 80)
        for j in range(nb):
            root = 0.5 * (lo[j] + hi[j]) if ok[j] else np.nan
            out[single[b0 + j]] = lo[j] if f_lo[j] == 0.0 else root
    # several sign changes: scan the grid upwards for the first bracket (or a zero), then bisect it
    v0 = np.empty(BLOCK)
    v1 = np.empty(BLOCK)
    k_found = np.empty(BLOCK, dtype=np.int64)
    for b0 in range(0, n_several, BLOCK):
        nb = min(BLOCK, n_several - b0)
        for j in range(BLOCK):
            for y in range(m):
                ct[y, j] = cf[several[b0 + j], y] if j < nb else 0.0
            k_found[j] = -1 if j < nb else g  # lanes past the block count as found
        for j in range(BLOCK):
            v = 0.0
            for y in range(m):
                v += ct[y, j] * power[y, 0]
            v0[j] = v
        left_to_find = nb
        for k in range(g - 1):
            for j in range(BLOCK):
                v1[j] = 0.0
            for y in range(m):
                p = power[y, k + 1]
                for j in range(BLOCK):
                    v1[j] += ct[y, j] * p
            for j in range(nb):
                if k_found[j] < 0:
                    a = v0[j]
                    b = v1[j]
                    if a == 0.0:
                        k_found[j] = k
                        out[several[b0 + j]] = grid[k]
                        left_to_find -= 1
                    elif (a < 0.0) != (b < 0.0) and b != 0.0:
                        k_found[j] = k
                        left_to_find -= 1
                v0[j] = v1[j]
            if left_to_find == 0:
                break
        for j in range(BLOCK):
            k = k_found[j]
            if j < nb and k < 0 and v0[j] == 0.0:  # no bracket, but the NPV is 0 at the last rate
                out[several[b0 + j]] = grid[g - 1]
            if j < nb and k >= 0 and np.isnan(out[several[b0 + j]]):
                lo[j] = grid[k]
                hi[j] = grid[k + 1]
            else:
                lo[j] = 0.0
                hi[j] = 0.0
        _horner(ct, m, lo, f_lo, x)
        _bisect(ct, m, lo, hi, f_lo, mid, f_mid, x, 64)
        for j in range(nb):
            k = k_found[j]
            i = several[b0 + j]
            if k >= 0 and np.isnan(out[i]):
                out[i] = 0.5 * (lo[j] + hi[j])
    return out
