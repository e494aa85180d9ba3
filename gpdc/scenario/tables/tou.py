"""Time-of-use schedules (``tou_schedules.csv``): bands and multipliers by month and hour; the national ratio check."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from gpdc.errors import DataTableError
from gpdc.scenario.tables.core import choices, load_table

__all__ = ["BASE_BANDS", "MIN_CRITICAL_OVER_PEAK", "MIN_PEAK_VALLEY_RATIO", "OVERRIDE_BANDS", "tou_bands", "tou_grid",
           "tou_multipliers", "tou_ratio_issues", "tou_schedule_names"]

#: TOU bands that together must cover every (month, hour) of a schedule exactly once.
BASE_BANDS: tuple[str, ...] = ("peak", "flat", "valley")
#: TOU bands that override the base band in their hours.
OVERRIDE_BANDS: tuple[str, ...] = ("critical_peak", "deep_valley")


def _parse_ranges(text: str, lo: int, hi: int, what: str, where: str) -> list[int]:
    """Parse ``"1-5,9-12"`` (months, inclusive) or ``"6-8,22-2"`` (hours, half-open)."""
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            raise DataTableError(f"{where}: empty range in {what} {text!r}")
        a_s, sep, b_s = part.partition("-")
        try:
            a = int(a_s)
            b = int(b_s) if sep else None
        except ValueError:
            raise DataTableError(f"{where}: cannot parse {what} {text!r}") from None
        if what == "months":
            b = a if b is None else b
            if not (lo <= a <= b <= hi):
                raise DataTableError(f"{where}: bad month range {part!r} (1-12, ascending)")
            out.extend(range(a, b + 1))
        else:  # hours: [a, b), may wrap midnight; b may be 24
            if b is None or not (0 <= a <= 23 and 0 <= b <= 24) or a == b:
                raise DataTableError(
                    f"{where}: bad hour range {part!r} (start 0-23, end 0-24, start != end)"
                )
            if a < b:
                out.extend(range(a, b))
            else:
                out.extend(list(range(a, 24)) + list(range(0, b)))
    return out


@functools.lru_cache(maxsize=None)
def _tou_grid(schedule: str) -> tuple[np.ndarray, np.ndarray]:
    """The validated grids of one schedule of ``tou_schedules.csv`` (cached)."""
    return tou_grid(load_table("tou_schedules"), schedule)


def tou_grid(df: pd.DataFrame, schedule: str) -> tuple[np.ndarray, np.ndarray]:
    """Build and validate the 12 x 24 (month, hour) multiplier and band grids of one schedule.

    ``df`` holds the rows of a table in the format of ``tou_schedules.csv``.

    Raises
    ------
    DataTableError
        If the schedule is unknown, a row is malformed, or its base bands leave a (month,
        hour) uncovered or cover one twice.
    """
    sub = df[df["schedule"] == schedule]
    if sub.empty:
        raise DataTableError(
            f"unknown TOU schedule {schedule!r}; valid: {choices(df['schedule'])}"
        )
    base_mult = np.full((12, 24), np.nan)
    base_band = np.full((12, 24), "", dtype=object)
    over_mult = np.full((12, 24), np.nan)
    over_band = np.full((12, 24), "", dtype=object)
    for pos, (_, r) in zip(np.flatnonzero(df["schedule"] == schedule), sub.iterrows(), strict=True):
        where = f"tou_schedules.csv row {int(pos) + 2} (schedule {schedule!r})"
        band = str(r["band"])
        mult = float(r["multiplier"])
        if band not in BASE_BANDS + OVERRIDE_BANDS:
            raise DataTableError(
                f"{where}: band {band!r} is not one of {', '.join(BASE_BANDS + OVERRIDE_BANDS)}"
            )
        if not mult > 0:
            raise DataTableError(f"{where}: multiplier {mult!r} must be > 0")
        months = _parse_ranges(str(r["months"]), 1, 12, "months", where)
        hours = _parse_ranges(str(r["hours"]), 0, 24, "hours", where)
        is_base = band in BASE_BANDS
        tgt_band = base_band if is_base else over_band
        tgt_mult = base_mult if is_base else over_mult
        for m in months:
            for h in hours:
                if tgt_band[m - 1, h]:
                    kind = "base band" if is_base else "override band"
                    raise DataTableError(
                        f"TOU schedule {schedule!r}: month {m}, hour {h} covered twice by a "
                        f"{kind} ({tgt_band[m - 1, h]!r} and {band!r})"
                    )
                tgt_band[m - 1, h] = band
                tgt_mult[m - 1, h] = mult
    gaps = np.argwhere(base_band == "")
    if gaps.size:
        m, h = (int(v) for v in gaps[0])
        raise DataTableError(
            f"TOU schedule {schedule!r}: month {m + 1}, hour {h} is not covered by a base "
            f"band ({', '.join(BASE_BANDS)}); {len(gaps)} (month, hour) cell(s) uncovered"
        )
    has_over = over_band != ""
    grid_mult = np.where(has_over, over_mult, base_mult).astype(np.float64)
    bands = np.where(has_over, over_band, base_band).astype(object)
    grid_mult.setflags(write=False)
    bands.setflags(write=False)
    return grid_mult, bands


def tou_schedule_names() -> list[str]:
    """Return the TOU schedule names, sorted.

    Returns
    -------
    list of str
        Schedule names, e.g. ``["flat", "guangdong_331", "jiangsu_426_two_part", ...]``.
    """
    return sorted(set(load_table("tou_schedules")["schedule"]))


def _month_hour(index: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(f"index must be a pandas.DatetimeIndex, got {type(index).__name__}")
    # .month / .hour are wall-clock values in the index's own time zone (if tz-aware).
    month = np.asarray(index.month, dtype=np.intp) - 1
    hour = np.asarray(index.hour, dtype=np.intp)
    return month, hour


def tou_multipliers(schedule: str, index: pd.DatetimeIndex) -> np.ndarray:
    """Return the TOU multiplier (relative to the flat price) at each timestamp.

    Parameters
    ----------
    schedule : str
        Schedule name in ``tou_schedules.csv``, e.g. ``"mengxi_1630"``.
    index : pandas.DatetimeIndex
        Timestamps; naive ones are taken as Beijing wall-clock time, tz-aware ones are
        read in their own wall-clock time (use Asia/Shanghai).  Only month and hour are
        used.

    Returns
    -------
    numpy.ndarray
        float64 array of ``len(index)`` multipliers [1]; critical-peak and deep-valley
        bands override the base band in their hours.

    Raises
    ------
    DataTableError
        If ``schedule`` is unknown (message lists the valid names) or malformed.
    TypeError
        If ``index`` is not a DatetimeIndex.
    """
    mult, _ = _tou_grid(schedule)
    month, hour = _month_hour(index)
    return np.array(mult[month, hour], dtype=np.float64)


def tou_bands(schedule: str, index: pd.DatetimeIndex) -> np.ndarray:
    """Return the TOU band name at each timestamp.

    Parameters
    ----------
    schedule : str
        Schedule name in ``tou_schedules.csv``.
    index : pandas.DatetimeIndex
        Timestamps, read as in :func:`tou_multipliers`.

    Returns
    -------
    numpy.ndarray
        object array of ``len(index)`` band names: ``"critical_peak"``, ``"peak"``,
        ``"flat"``, ``"valley"`` or ``"deep_valley"``.

    Raises
    ------
    DataTableError
        If ``schedule`` is unknown or malformed.
    TypeError
        If ``index`` is not a DatetimeIndex.
    """
    _, bands = _tou_grid(schedule)
    month, hour = _month_hour(index)
    return np.array(bands[month, hour], dtype=object)


#: 发改价格〔2021〕1093号 (policy-and-data.md §6.1): peak/valley >= 3 (>= 4 where the system
#: peak-valley difference exceeds 40 %), critical peak >= 1.2 x peak.
MIN_PEAK_VALLEY_RATIO = 3.0
MIN_CRITICAL_OVER_PEAK = 1.2


def tou_ratio_issues(schedule: str) -> list[str]:
    """Return where a TOU schedule falls short of the 2021 national notice, one line each.

    Checked per month on the schedule's multipliers: peak / valley >= 3 (the notice asks
    for >= 4 where the system's peak-valley difference exceeds 40 %; gpdc does not know that
    difference, so only 3 is checked) and critical peak >= 1.2 x peak.  The ``flat``
    reference schedule has no bands to compare and passes.  An empty list: compliant.
    """
    mult, bands = _tou_grid(schedule)
    issues: list[str] = []
    for m in range(12):
        row_m, row_b = mult[m], bands[m]
        peak = row_m[row_b == "peak"]
        valley = row_m[row_b == "valley"]
        critical = row_m[row_b == "critical_peak"]
        if peak.size and valley.size and peak.max() / valley.min() < MIN_PEAK_VALLEY_RATIO - 1e-12:
            issues.append(f"month {m + 1}: peak/valley = {peak.max() / valley.min():.3g} < "
                          f"{MIN_PEAK_VALLEY_RATIO:g}")
        if critical.size and peak.size and critical.min() / peak.max() < MIN_CRITICAL_OVER_PEAK - 1e-12:
            issues.append(f"month {m + 1}: critical peak/peak = {critical.min() / peak.max():.4g} < "
                          f"{MIN_CRITICAL_OVER_PEAK:g}")
    return issues
