"""Shared helpers of the profile generators: the defaults table, calibration, AR(1) noise.

* :func:`default` reads a generator default from ``data/profile_defaults.csv`` (every
  number from the world lives there, with its source and confidence label).
* :func:`calibrate_scale` finds the scale at which an hourly capacity-factor series sums
  to the target full-load hours; solar and wind both use it.
* :func:`ar1_normal` is the stationary AR(1) Gaussian process behind the wind copula,
  the day-to-day cloudiness and the load noise.
* :func:`mid_hour` is the hour of day at the middle of each step, on the clock or on local
  mean solar time (for cycles driven by the sun: wind, cooling).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd

from gpdc.errors import DataTableError, ProfileError

__all__ = ["REL_TOL", "ar1_normal", "calibrate_scale", "default", "default_row", "defaults_table", "mid_hour"]

#: Relative tolerance on the calibrated annual sum (the target is met far more closely).
REL_TOL = 1e-6


@lru_cache(maxsize=1)
def defaults_table() -> pd.DataFrame:
    """Return the generator defaults table, indexed by ``name`` (value, unit, source, confidence, note)."""
    path = files("gpdc.profiles") / "data" / "profile_defaults.csv"
    with path.open("r", encoding="utf-8") as fh:
        table = pd.read_csv(
            fh, dtype={"name": str, "unit": str, "source": str, "confidence": str, "note": str}, keep_default_na=False
        )
    dup = table["name"][table["name"].duplicated()]
    if len(dup):
        raise DataTableError(f"profile_defaults.csv: duplicate name {dup.iloc[0]!r}")
    return table.set_index("name")


def default(name: str) -> float:
    """Return a generator default from ``profile_defaults.csv`` (its source is there).

    Raises
    ------
    DataTableError
        If ``name`` is not in the table; the message lists the valid names.
    """
    return float(default_row(name)["value"])


def default_row(name: str) -> pd.Series:
    """Return the whole row of a default: value, unit, source, confidence, note."""
    table = defaults_table()
    if name not in table.index:
        raise DataTableError(f"unknown profile default {name!r}; valid: {', '.join(table.index)}")
    return table.loc[name]


def ar1_normal(n: int, phi: float, rng: np.random.Generator) -> np.ndarray:
    """Stationary AR(1) Gaussian series with unit variance and lag-1 correlation ``phi``.

    ``z[0] ~ N(0, 1)``, ``z[t] = phi z[t-1] + sqrt(1 - phi²) e[t]``; draws exactly ``n``
    standard normals from ``rng``.
    """
    if not -1.0 < phi < 1.0:
        raise ProfileError(f"AR(1) coefficient {phi!r} is invalid: must be in (-1, 1)")
    eps = rng.standard_normal(n)
    if n == 0:
        return eps
    s = np.sqrt(1.0 - phi * phi)
    # the recursion as scipy.signal.lfilter([s], [1, -phi], eps[1:], zi=[phi eps[0]]) evaluates it,
    # y = s·e[t] + phi·y[t-1] in float64 (same bits, tests/test_profile_models.py), without importing
    # scipy.signal (0.6 s of CPU, more than the 8760 steps of this loop cost)
    x = eps.tolist()
    sf, pf = float(s), float(phi)
    prev = x[0]
    out = [prev]
    append = out.append
    for e in x[1:]:
        prev = sf * e + pf * prev
        append(prev)
    return np.array(out, dtype=np.float64)


def mid_hour(index: pd.DatetimeIndex, longitude_deg: float | None = None) -> np.ndarray:
    """Hour of day at the middle of each hour-beginning step [h], in [0, 24) plus any shift.

    On the local clock when ``longitude_deg`` is None; otherwise on local mean solar time,
    ``clock − UTC offset + longitude/15`` (e.g. about 1.8 h behind Beijing time at Hami).
    """
    clock = index.hour.to_numpy() + index.minute.to_numpy() / 60.0 + 0.5
    if longitude_deg is None:
        return clock.astype(np.float64)
    if index.tz is None:
        raise ProfileError("solar time needs a tz-aware index (local time)")
    offset_h = np.asarray(
        (index.tz_localize(None) - index.tz_convert("UTC").tz_localize(None)) / pd.Timedelta(hours=1), dtype=np.float64
    )
    return clock - offset_h + longitude_deg / 15.0


def calibrate_scale(
    cf_of_scale: Callable[[float], np.ndarray],
    target_sum: float,
    lo: float,
    hi: float,
    what: str,
    *,
    n_scan: int = 0,
    max_reachable: float | None = None,
    xtol: float = 1e-14,
    rel_tol: float = REL_TOL,
) -> tuple[float, np.ndarray]:
    """Find the scale at which ``cf_of_scale(scale).sum()`` equals ``target_sum``.

    Parameters
    ----------
    cf_of_scale : callable
        Scale -> hourly capacity factors in [0, 1].  Continuous in the scale except for
        downward jumps (wind cut-out); need not be monotonic over ``[lo, hi]``.
    target_sum : float
        Target annual full-load hours [h] (the sum of hourly capacity factors).
    lo, hi : float
        Search interval of the scale.
    what : str
        Name used in error messages (``"wind"``, ``"solar"``).
    n_scan : int
        If > 1, scan ``n_scan`` geometrically spaced scales first: the largest sum seen is
        the maximum reachable, and the root is bracketed below the first scale that reaches
        the target (for sums that rise and then fall, such as wind with cut-out).
        Otherwise the sum must be non-decreasing and its value at ``hi`` is the maximum.
    xtol : float
        Absolute tolerance of the root in the scale (brentq).
    rel_tol : float
        Accepted relative error of the sum (larger for sums with small jumps, such as the
        Perez sky-clearness bins of PV).
    max_reachable : float, optional
        The supremum of the sum to report when the target cannot be met (e.g. the number of
        daylight hours for PV, reached only at an infinite scale).

    Returns
    -------
    scale, cf : float, ndarray
        The scale and the capacity factors at that scale; ``|cf.sum() - target_sum| <=
        REL_TOL * target_sum``.

    Raises
    ------
    ProfileError
        Naming the target and the largest (or smallest) reachable sum when the target cannot
        be met.
    """
    if not np.isfinite(target_sum) or target_sum <= 0.0:
        raise ProfileError(f"{what}: target of {target_sum!r} full-load hours is invalid: must be > 0 [h]")

    def total(s: float) -> float:
        return float(cf_of_scale(s).sum())

    if n_scan > 1:
        grid = np.geomspace(lo, hi, n_scan)
        sums = np.array([total(s) for s in grid])
        top = float(sums.max())
        reach = np.flatnonzero(sums >= target_sum)
        if reach.size == 0:
            raise ProfileError(
                f"{what}: {target_sum:.1f} full-load hours cannot be reached; the most this resource "
                f"and year allow is about {top:.1f} h"
            )
        j = int(reach[0])
        if j == 0:
            raise ProfileError(f"{what}: {target_sum:.1f} full-load hours is below the least reachable {sums[0]:.1f} h")
        a, b = float(grid[j - 1]), float(grid[j])
    else:
        top = total(hi)
        if target_sum > top:
            shown = top if max_reachable is None else max_reachable
            raise ProfileError(
                f"{what}: {target_sum:.1f} full-load hours cannot be reached; the most this resource "
                f"and year allow is {shown:.1f} h"
            )
        bottom = total(lo)
        if target_sum < bottom:
            raise ProfileError(f"{what}: {target_sum:.1f} full-load hours is below the least reachable {bottom:.1f} h")
        a, b = lo, hi
    from scipy.optimize import brentq  # imported when used (scipy.optimize is slow to import)

    scale = float(brentq(lambda s: total(s) - target_sum, a, b, xtol=xtol, rtol=1e-14, maxiter=500))
    cf = cf_of_scale(scale)
    got = float(cf.sum())
    if abs(got - target_sum) <= rel_tol * target_sum:
        return scale, cf
    return _across_a_step(cf_of_scale, target_sum, scale, a, b, rel_tol, what)


def _across_a_step(
    cf_of_scale: Callable[[float], np.ndarray], target_sum: float, scale: float, a: float, b: float,
    rel_tol: float, what: str,
) -> tuple[float, np.ndarray]:
    """Meet the target where the sum steps over it: blend the hours that switch at the step.

    The sum of a power curve's output is not continuous in the scale: an hour whose speed
    crosses the cut-in speed adds the curve's first value at once (0.0175 of rated power for
    the default turbine) and one that crosses the cut-out speed drops to zero.  When the
    target lies inside such a step, no scale meets it (brentq stops at the step).  The step is
    located to adjacent floating-point scales ``lo < hi``; the hours that change between them
    are the ones at cut-in or cut-out, and they take the share ``theta`` of their change that
    makes the sum exact — as if part of a farm's turbines had started (or stopped).  The scale
    returned is ``lo``; only those few hours differ from ``cf_of_scale(lo)``.
    """
    f_a = float(cf_of_scale(a).sum()) - target_sum
    f_s = float(cf_of_scale(scale).sum()) - target_sum
    lo, hi = (a, scale) if (f_a < 0.0) != (f_s < 0.0) else (scale, b)
    f_lo = float(cf_of_scale(lo).sum()) - target_sum
    for _ in range(2200):  # bisection down to adjacent floats (at most ~2100 halvings for doubles)
        mid = 0.5 * (lo + hi)
        if not lo < mid < hi:
            break
        f_mid = float(cf_of_scale(mid).sum()) - target_sum
        if (f_mid < 0.0) == (f_lo < 0.0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    cf_lo, cf_hi = cf_of_scale(lo), cf_of_scale(hi)
    s_lo, s_hi = float(cf_lo.sum()), float(cf_hi.sum())
    for s_x, cf_x, x in ((s_lo, cf_lo, lo), (s_hi, cf_hi, hi)):
        if abs(s_x - target_sum) <= rel_tol * target_sum:
            return x, cf_x
    if (s_lo - target_sum) * (s_hi - target_sum) > 0.0 or s_hi == s_lo:
        raise ProfileError(
            f"{what}: calibration to {target_sum:.6f} full-load hours stopped at {s_lo:.6f} h (scale {lo!r}); "
            "the sum of the capacity factors does not cross the target there"
        )
    diff = cf_hi - cf_lo
    step = np.abs(diff) > 1e-9  # the hours that switch; elsewhere adjacent scales differ in the last bit only
    jump = float(diff[step].sum())
    cf = cf_lo.copy()
    if jump != 0.0:
        theta = (target_sum - s_lo) / jump
        cf[step] = np.clip(cf_lo[step] + theta * diff[step], 0.0, 1.0)
    if abs(float(cf.sum()) - target_sum) > rel_tol * target_sum:
        raise ProfileError(
            f"{what}: calibration to {target_sum:.6f} full-load hours stopped at {s_lo:.6f} h (scale {lo!r}); "
            "the hours that switch there cannot close the gap"
        )
    return lo, cf
