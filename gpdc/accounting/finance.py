"""Project finance: NPV, IRR, discounted payback and LCOE of yearly cash flows (docs/finance.md).

Cash flows are float64 arrays whose last axis is the year: element 0 falls at the start
(year 0, undiscounted), element ``y`` at the end of year ``y`` (discounted by
``(1 + r)^y``).  Functions take one flow ``[n_years + 1]`` or many ``[n, n_years + 1]``
(one per design) and return one value per flow.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["IRR_BRACKET", "discount_factors", "discounted_payback_years", "discounted_payback_years_numpy", "irr",
           "irr_numpy", "lcoe", "lcoe_numpy", "npv", "npv_numpy"]

#: rates searched for an IRR [1/a]: from -99 % to +1000 % a year
IRR_BRACKET = (-0.99, 10.0)


def discount_factors(rate_frac: float | np.ndarray, n_years: int) -> np.ndarray:
    """Return ``1 / (1 + r)^y`` for y = 0 .. n_years: float64[n_years + 1], or [n, n_years + 1] for n rates.

    >>> discount_factors(0.1, 2).round(6).tolist()
    [1.0, 0.909091, 0.826446]
    """
    r = np.asarray(rate_frac, dtype=np.float64)
    if not np.all(r > -1.0):
        raise ValueError(f"rate_frac = {rate_frac!r} is invalid: must be > -1 [1/a]")
    years = np.arange(n_years + 1, dtype=np.float64)
    return np.power(1.0 + r[..., None], -years) if r.ndim else np.power(1.0 + float(r), -years)


def _rows(rate_frac: float | np.ndarray, *flows: np.ndarray) -> tuple[list[np.ndarray], np.ndarray] | None:
    """Flows as C-contiguous [rows, m] float64 and the discount factors as [1 or rows, m]; None if another shape."""
    arrays = [np.asarray(f, dtype=np.float64) for f in flows]
    cf = arrays[0]
    if cf.ndim not in (1, 2) or cf.shape[-1] == 0 or any(a.shape != cf.shape for a in arrays):
        return None
    m = cf.shape[-1]
    d = discount_factors(rate_frac, m - 1)
    rows = 1 if cf.ndim == 1 else cf.shape[0]
    d2 = d.reshape(-1, m)
    if d2.shape[0] not in (1, rows) or (cf.ndim == 1 and d.ndim != 1):
        return None
    return [np.ascontiguousarray(a.reshape(rows, m)) for a in arrays], np.ascontiguousarray(d2)


def npv(rate_frac: float | np.ndarray, cash_flows: np.ndarray) -> np.ndarray | float:
    """Return the net present value Σ_y CF_y / (1 + r)^y [yuan] of each flow (one rate per flow, or one for all).

    >>> round(float(npv(0.1, np.array([-1000.0, 300.0, 400.0, 500.0]))), 2)
    -21.04
    """
    ready = _rows(rate_frac, cash_flows)
    if ready is None:
        return npv_numpy(rate_frac, cash_flows)
    from gpdc.accounting import finance_nb

    (cf,), d = ready
    out = finance_nb.npv_rows(cf, d)
    return float(out[0]) if np.ndim(cash_flows) == 1 else out


def npv_numpy(rate_frac: float | np.ndarray, cash_flows: np.ndarray) -> np.ndarray | float:
    """:func:`npv` in NumPy (the definition the compiled version equals bit for bit)."""
    cf = np.asarray(cash_flows, dtype=np.float64)
    out = np.sum(cf * discount_factors(rate_frac, cf.shape[-1] - 1), axis=-1)
    return float(out) if cf.ndim == 1 else out


def _irr_one(cf: np.ndarray, grid: np.ndarray) -> float:
    from scipy.optimize import brentq

    cf = cf[: int(np.flatnonzero(cf != 0.0)[-1]) + 1] if np.any(cf != 0.0) else cf
    signs = np.sign(cf[cf != 0.0])
    if signs.size == 0 or np.all(signs == signs[0]):
        return math.nan  # no sign change: NPV never crosses zero, no IRR exists
    years = np.arange(cf.size, dtype=np.float64)

    def f(r: float) -> float:
        return float(np.sum(cf * np.power(1.0 + r, -years)))

    values = np.array([f(r) for r in grid])
    for k in range(grid.size - 1):
        a, b = values[k], values[k + 1]
        if a == 0.0:
            return float(grid[k])
        if a * b < 0.0:
            return float(brentq(f, grid[k], grid[k + 1], xtol=1e-14, rtol=1e-12, maxiter=200))
    return float(grid[-1]) if values[-1] == 0.0 else math.nan


def irr(cash_flows: np.ndarray) -> np.ndarray | float:
    """Return the internal rate of return [1/a] of each flow; NaN where none exists.

    The rates of :data:`IRR_BRACKET` are scanned on a fine grid (denser near 0) for a
    change of sign of the NPV, and the first bracket found is solved by Brent's method to
    1e-12.  A flow without a sign change has no IRR, nor has one whose NPV keeps its sign
    over the bracket (e.g. -100, +50, -100): both give NaN, never a guess.  Where a flow has
    several IRRs (several sign changes) the lowest in the bracket is returned.

    >>> round(float(irr(np.array([-100.0, 110.0]))), 12)
    0.1
    >>> irr(np.array([100.0, 50.0, 20.0]))
    nan
    """
    cf = np.asarray(cash_flows, dtype=np.float64)
    grid = _irr_grid()
    if cf.ndim == 1:
        return _irr_one(cf, grid)
    from gpdc.accounting import finance_nb

    flat = np.ascontiguousarray(cf.reshape(-1, cf.shape[-1]))
    years = np.arange(flat.shape[1], dtype=np.float64)
    power = np.ascontiguousarray(np.power(1.0 + grid[None, :], -years[:, None]))
    return finance_nb.irr_rows(flat, grid, power, *IRR_BRACKET).reshape(cf.shape[:-1])


def irr_numpy(cash_flows: np.ndarray) -> np.ndarray | float:
    """:func:`irr` in NumPy, the definition the compiled version follows (see :mod:`gpdc.accounting.finance_nb`)."""
    cf = np.asarray(cash_flows, dtype=np.float64)
    grid = _irr_grid()
    if cf.ndim == 1:
        return _irr_one(cf, grid)
    return _irr_many(cf.reshape(-1, cf.shape[-1]), grid).reshape(cf.shape[:-1])


def _irr_grid() -> np.ndarray:
    lo, hi = IRR_BRACKET
    return np.unique(np.concatenate([np.linspace(lo, -0.1, 90), np.linspace(-0.1, 0.5, 601),
                                     np.geomspace(0.5, hi, 120)]))


def _npv_horner(cf: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Σ_y cf_y · x^y with x = 1 / (1 + r), by Horner's rule (no powers), row by row."""
    x = 1.0 / (1.0 + rate)
    f = cf[:, -1].copy()
    for y in range(cf.shape[1] - 2, -1, -1):
        f = f * x + cf[:, y]
    return f


def _irr_many(cf: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """:func:`irr` of many flows at once [n, n_years + 1]: the same grid scan, then bisection.

    Vectorised over the flows (a sweep has tens of thousands): the grid values come from one
    matrix product; each flow's first bracket is then bisected to 1e-14 with row-wise sums, so
    a flow's IRR does not depend on the other flows of the batch.
    """
    n, m = cf.shape
    years = np.arange(m, dtype=np.float64)
    out = np.full(n, np.nan)
    nz = cf != 0.0
    first = np.where(nz.any(axis=1), np.sign(cf[np.arange(n), np.argmax(nz, axis=1)]), 0.0)
    change = (nz & (np.sign(cf) != first[:, None])).any(axis=1)  # a sign change among the non-zero flows
    if not change.any():
        return out
    # one sign change (the usual investment profile): NPV has exactly one root, found by bisecting
    # the whole bracket; several sign changes: the grid scan below finds the lowest root
    sg = np.sign(cf)
    last_first = np.where(sg == first[:, None], years[None, :], -1.0).max(axis=1)
    first_opp = np.where(sg == -first[:, None], years[None, :], np.inf).min(axis=1)
    single = change & (last_first < first_opp)
    if single.any():
        cs = cf[single]
        lo = np.full(len(cs), IRR_BRACKET[0])
        hi = np.full(len(cs), IRR_BRACKET[1])
        f_lo, f_hi = _npv_horner(cs, lo), _npv_horner(cs, hi)
        ok = np.sign(f_lo) * np.sign(f_hi) < 0.0
        for _ in range(80):  # fixed count: the result does not depend on the batch
            mid = 0.5 * (lo + hi)
            f_mid = _npv_horner(cs, mid)
            left = np.sign(f_mid) == np.sign(f_lo)
            lo = np.where(left, mid, lo)
            f_lo = np.where(left, f_mid, f_lo)
            hi = np.where(left, hi, mid)
        root = np.where(ok, 0.5 * (lo + hi), np.nan)
        root = np.where(f_lo == 0.0, lo, root)
        out[np.flatnonzero(single)] = root
    change = change & ~single
    if not change.any():
        return out
    rows = np.flatnonzero(change)
    c = cf[rows]
    values = c @ np.power(1.0 + grid[None, :], -years[:, None])  # [k, n_grid]
    exact = values[:, :-1] == 0.0
    neg = values < 0.0
    cross = exact | ((neg[:, :-1] != neg[:, 1:]) & (values[:, 1:] != 0.0))  # strict sign change, or a zero
    found = cross.any(axis=1)
    k = np.argmax(cross, axis=1)
    at_zero = found & exact[np.arange(len(rows)), k]
    out[rows[at_zero]] = grid[k[at_zero]]
    last_zero = ~found & (values[:, -1] == 0.0)
    out[rows[last_zero]] = grid[-1]
    todo = found & ~at_zero
    if todo.any():
        cc = c[todo]
        lo = grid[k[todo]].copy()
        hi = grid[k[todo] + 1].copy()
        f_lo = _npv_horner(cc, lo)
        for _ in range(64):  # a fixed count (brackets are < 0.3 wide: 2^-64 of that is below one ulp), so that
            # a flow's result does not depend on how many other flows share the batch
            mid = 0.5 * (lo + hi)
            f_mid = _npv_horner(cc, mid)
            left = np.sign(f_mid) == np.sign(f_lo)
            lo = np.where(left, mid, lo)
            f_lo = np.where(left, f_mid, f_lo)
            hi = np.where(left, hi, mid)
        out[rows[todo]] = 0.5 * (lo + hi)
    return out


def discounted_payback_years(rate_frac: float | np.ndarray, cash_flows: np.ndarray) -> np.ndarray | float:
    """Years until the cumulative discounted cash flow turns non-negative [a]; NaN if it never does.

    Within the year it turns, the year's discounted flow is taken as spread evenly
    (linear interpolation); a flow that starts non-negative pays back at 0.

    >>> float(discounted_payback_years(0.0, np.array([-1000.0, 300.0, 400.0, 500.0])))
    2.6
    """
    ready = _rows(rate_frac, cash_flows)
    if ready is None:
        return discounted_payback_years_numpy(rate_frac, cash_flows)
    from gpdc.accounting import finance_nb

    (flat,), d = ready
    out = finance_nb.payback_rows(flat, d)
    cf = np.asarray(cash_flows)
    return float(out[0]) if cf.ndim == 1 else out.reshape(cf.shape[:-1])


def discounted_payback_years_numpy(rate_frac: float | np.ndarray, cash_flows: np.ndarray) -> np.ndarray | float:
    """:func:`discounted_payback_years` in NumPy (the definition the compiled version equals bit for bit)."""
    cf = np.asarray(cash_flows, dtype=np.float64)
    flat = cf.reshape(-1, cf.shape[-1])
    disc = flat * discount_factors(rate_frac, cf.shape[-1] - 1).reshape(-1, cf.shape[-1])
    cum = np.cumsum(disc, axis=-1)
    hit = cum >= 0.0
    y = np.argmax(hit, axis=1)
    i = np.arange(flat.shape[0])
    prev = np.maximum(y - 1, 0)
    # cum[y-1] < 0 <= cum[y]; the year's discounted flow disc[y] > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = (y - 1) + (-cum[i, prev]) / disc[i, y]
    out = np.where(hit.any(axis=1), np.where(y == 0, 0.0, frac), np.nan)
    return float(out[0]) if cf.ndim == 1 else out.reshape(cf.shape[:-1])


def lcoe(rate_frac: float | np.ndarray, costs_yuan: np.ndarray, energy_mwh: np.ndarray) -> np.ndarray | float:
    """Levelised cost Σ_y disc_y · cost_y / Σ_y disc_y · energy_y [yuan/MWh]; NaN without energy.

    >>> float(lcoe(0.0, np.array([1000.0] + [10.0] * 10), np.array([0.0] + [100.0] * 10)))
    1.1
    """
    ready = _rows(rate_frac, costs_yuan, energy_mwh)
    if ready is None:
        return lcoe_numpy(rate_frac, costs_yuan, energy_mwh)
    from gpdc.accounting import finance_nb

    (c, e), d = ready
    out = finance_nb.lcoe_rows(c, e, d)
    return float(out[0]) if np.ndim(costs_yuan) == 1 else out


def lcoe_numpy(rate_frac: float | np.ndarray, costs_yuan: np.ndarray, energy_mwh: np.ndarray) -> np.ndarray | float:
    """:func:`lcoe` in NumPy (the definition the compiled version equals bit for bit)."""
    c = np.asarray(costs_yuan, dtype=np.float64)
    e = np.asarray(energy_mwh, dtype=np.float64)
    d = discount_factors(rate_frac, c.shape[-1] - 1)
    num = np.sum(c * d, axis=-1)
    den = np.sum(e * d, axis=-1)
    out = np.divide(num, den, out=np.full(np.shape(num), np.nan), where=np.asarray(den) > 0.0)
    return float(out) if c.ndim == 1 else out
