"""Project finance: NPV, IRR, discounted payback and LCOE of yearly cash flows (docs/finance.md).

Cash flows are float64 arrays whose last axis is the year: element 0 falls at the start
(year 0, undiscounted), element ``y`` at the end of year ``y`` (discounted by
``(1 + r)^y``).  Functions take one flow ``[n_years + 1]`` or many ``[n, n_years + 1]``
(one per design) and return one value per flow.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

__all__ = ["IRR_BRACKET", "discount_factors", "discounted_payback_years", "irr", "lcoe", "npv"]

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


def npv(rate_frac: float | np.ndarray, cash_flows: np.ndarray) -> np.ndarray | float:
    """Return the net present value Σ_y CF_y / (1 + r)^y [yuan] of each flow (one rate per flow, or one for all).

    >>> round(float(npv(0.1, np.array([-1000.0, 300.0, 400.0, 500.0]))), 2)
    -21.04
    """
    cf = np.asarray(cash_flows, dtype=np.float64)
    out = np.sum(cf * discount_factors(rate_frac, cf.shape[-1] - 1), axis=-1)
    return float(out) if cf.ndim == 1 else out


def _irr_one(cf: np.ndarray, grid: np.ndarray) -> float:
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
    lo, hi = IRR_BRACKET
    grid = np.unique(np.concatenate([np.linspace(lo, -0.1, 90), np.linspace(-0.1, 0.5, 601),
                                     np.geomspace(0.5, hi, 120)]))
    if cf.ndim == 1:
        return _irr_one(cf, grid)
    return np.array([_irr_one(row, grid) for row in cf.reshape(-1, cf.shape[-1])]).reshape(cf.shape[:-1])


def discounted_payback_years(rate_frac: float | np.ndarray, cash_flows: np.ndarray) -> np.ndarray | float:
    """Years until the cumulative discounted cash flow turns non-negative [a]; NaN if it never does.

    Within the year it turns, the year's discounted flow is taken as spread evenly
    (linear interpolation); a flow that starts non-negative pays back at 0.

    >>> float(discounted_payback_years(0.0, np.array([-1000.0, 300.0, 400.0, 500.0])))
    2.6
    """
    cf = np.asarray(cash_flows, dtype=np.float64)
    flat = cf.reshape(-1, cf.shape[-1])
    disc = flat * discount_factors(rate_frac, cf.shape[-1] - 1).reshape(-1, cf.shape[-1])
    cum = np.cumsum(disc, axis=-1)
    out = np.full(flat.shape[0], np.nan)
    for i in range(flat.shape[0]):
        hit = np.flatnonzero(cum[i] >= 0.0)
        if hit.size == 0:
            continue
        y = int(hit[0])
        if y == 0:
            out[i] = 0.0
        else:
            # cum[y-1] < 0 <= cum[y]; the year's flow disc[y] > 0
            out[i] = (y - 1) + (-cum[i, y - 1]) / disc[i, y]
    return float(out[0]) if cf.ndim == 1 else out.reshape(cf.shape[:-1])


def lcoe(rate_frac: float | np.ndarray, costs_yuan: np.ndarray, energy_mwh: np.ndarray) -> np.ndarray | float:
    """Levelised cost Σ_y disc_y · cost_y / Σ_y disc_y · energy_y [yuan/MWh]; NaN without energy.

    >>> float(lcoe(0.0, np.array([1000.0] + [10.0] * 10), np.array([0.0] + [100.0] * 10)))
    1.1
    """
    c = np.asarray(costs_yuan, dtype=np.float64)
    e = np.asarray(energy_mwh, dtype=np.float64)
    d = discount_factors(rate_frac, c.shape[-1] - 1)
    num = np.sum(c * d, axis=-1)
    den = np.sum(e * d, axis=-1)
    out = np.divide(num, den, out=np.full(np.shape(num), np.nan), where=np.asarray(den) > 0.0)
    return float(out) if c.ndim == 1 else out
