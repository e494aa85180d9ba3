"""Profile files: a CSV of ``time, cf_wind, cf_solar, load_mw`` read and checked.

Every problem is reported with the file, the column, the first offending data row
(1-based: the first row under the header is data row 1, file line 2) and its value, so
that the user can find and fix it.  Later readers (weather files, measured SCADA data)
belong in this module too, each returning a :class:`gpdc.profiles.ProfileSet`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gpdc.errors import ProfileError

if TYPE_CHECKING:
    from gpdc.profiles import ProfileSet

__all__ = ["DEFAULT_TZ", "REQUIRED", "hours_in_year", "read_profile_csv"]

#: Columns a profile CSV must have (in any order; more are ignored).
REQUIRED = ("time", "cf_wind", "cf_solar", "load_mw")
#: largest load the engine accepts [MW] (a sanity bound against unit slips, e.g. W for MW)
MAX_LOAD_MW = 1e12
#: Time zone of naive times in a profile file.
DEFAULT_TZ = "Asia/Shanghai"
_HOUR_NS = 3_600_000_000_000
_NAN_WORDS = ("nan", "na", "n/a", "null", "none")


def hours_in_year(year: int) -> int:
    """Return the number of hours in a calendar year: 8784 in a leap year, else 8760."""
    return 8784 if pd.Timestamp(year=year, month=1, day=1).is_leap_year else 8760


def _where(where: str, i: int, col: str) -> str:
    """Location of data row ``i`` (0-based) of column ``col``: data row i+1 = file line i+2."""
    return f"{where}: column {col}, data row {i + 1} (line {i + 2})"


def _parse_times(text: pd.Series, where: str, timezone: str) -> pd.DatetimeIndex:
    """Parse the ``time`` column; naive times are local time in ``timezone``."""
    empty = np.flatnonzero((text == "").to_numpy())
    if empty.size:
        raise ProfileError(f"{_where(where, int(empty[0]), 'time')}: empty time")
    try:
        times = pd.to_datetime(text, errors="coerce", format="mixed")
    except (ValueError, TypeError):  # mixed UTC offsets, or offsets mixed with naive times
        try:
            times = pd.to_datetime(text, errors="coerce", format="mixed", utc=True)
        except (ValueError, TypeError) as exc:
            raise ProfileError(f"{where}: column time cannot be read as date-times ({exc})") from None
        naive = np.flatnonzero(~text.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True).to_numpy())
        if naive.size:
            i = int(naive[0])
            raise ProfileError(
                f"{_where(where, i, 'time')}: {text.iloc[i]!r} has no UTC offset while other rows have one; "
                "give all times with an offset or all without (naive = local time)"
            ) from None
    bad = np.flatnonzero(times.isna().to_numpy())
    if bad.size:
        i = int(bad[0])
        raise ProfileError(f"{_where(where, i, 'time')}: cannot read {text.iloc[i]!r} as a date-time")
    idx = pd.DatetimeIndex(times)
    if idx.tz is None:
        try:
            idx = idx.tz_localize(timezone, ambiguous="raise", nonexistent="raise")
        except (ValueError, TypeError) as exc:  # DST gap/overlap (not in China since 1991)
            raise ProfileError(
                f"{where}: column time: naive times cannot be placed in {timezone} ({exc}); "
                "give times with a UTC offset"
            ) from None
    else:
        idx = idx.tz_convert(timezone)
    return idx.rename(None)


def _check_times(idx: pd.DatetimeIndex, text: pd.Series, where: str, year: int | None) -> int:
    """Check order, hourly steps, year, length and start; return the year."""
    steps = np.diff(idx.as_unit("ns").asi8)
    back = np.flatnonzero(steps <= 0)
    if back.size:
        i = int(back[0]) + 1
        raise ProfileError(
            f"{_where(where, i, 'time')}: {text.iloc[i]!r} does not come after {text.iloc[i - 1]!r} "
            "(times must increase)"
        )
    uneven = np.flatnonzero(steps != _HOUR_NS)
    if uneven.size:
        i = int(uneven[0]) + 1
        gap_h = steps[i - 1] / _HOUR_NS
        raise ProfileError(
            f"{_where(where, i, 'time')}: {text.iloc[i]!r} is {gap_h:g} h after {text.iloc[i - 1]!r}; "
            "rows must be hourly with no gaps"
        )
    first_year = int(idx[0].year)
    y = first_year if year is None else int(year)
    if first_year != y:
        raise ProfileError(
            f"{_where(where, 0, 'time')}: the file starts in {first_year} ({text.iloc[0]!r}); year {y} was asked for"
        )
    expected = hours_in_year(y)
    if len(idx) != expected:
        raise ProfileError(
            f"{where}: {len(idx)} data rows found; year {y} needs {expected} hourly rows "
            f"({'leap year' if expected == 8784 else 'not a leap year'})"
        )
    start = pd.Timestamp(year=y, month=1, day=1).tz_localize(idx.tz)
    if idx[0] != start:
        raise ProfileError(
            f"{_where(where, 0, 'time')}: {text.iloc[0]!r} is not {y}-01-01 00:00 local time; "
            "times are the start of each hour of the year"
        )
    return y


def _column(df: pd.DataFrame, col: str, where: str) -> np.ndarray:
    """Numeric column: no empty cells, finite, >= 0, and <= 1 for capacity factors."""
    text = df[col]
    empty = np.flatnonzero((text == "").to_numpy())
    if empty.size:
        raise ProfileError(f"{_where(where, int(empty[0]), col)}: empty value")
    num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(num))
    if bad.size:
        i = int(bad[0])
        kind = "NaN" if text.iloc[i].lower() in _NAN_WORDS else "not a finite number"
        raise ProfileError(f"{_where(where, i, col)}: {text.iloc[i]!r} is {kind}")
    neg = np.flatnonzero(num < 0.0)
    if neg.size:
        i = int(neg[0])
        raise ProfileError(f"{_where(where, i, col)}: {text.iloc[i]!r} is negative; must be >= 0")
    if col.startswith("cf_"):
        over = np.flatnonzero(num > 1.0)
        if over.size:
            i = int(over[0])
            raise ProfileError(
                f"{_where(where, i, col)}: {text.iloc[i]!r} is above 1; capacity factors must be in [0, 1]"
            )
    else:
        huge = np.flatnonzero(num > MAX_LOAD_MW)
        if huge.size:
            i = int(huge[0])
            raise ProfileError(f"{_where(where, i, col)}: {text.iloc[i]!r} is above {MAX_LOAD_MW:g} MW")
    return np.ascontiguousarray(num, dtype=np.float64)


def read_profile_csv(path: str | Path, *, year: int | None = None, timezone: str = DEFAULT_TZ) -> ProfileSet:
    """Read hourly profiles from a CSV file and check them.

    Parameters
    ----------
    path : str or Path
        CSV with a header row and columns ``time, cf_wind, cf_solar, load_mw`` (any order;
        more columns are ignored).  ``time`` is the start of each hour: naive times are
        local time in ``timezone``; times with a UTC offset are converted to it.
        ``cf_wind`` and ``cf_solar`` are capacity factors in [0, 1]; ``load_mw`` is the mean
        load in each hour [MW], >= 0.
    year : int, optional
        The year the file must cover (8760 rows, or 8784 in a leap year, from 1 January
        00:00); default: the year of the first row.
    timezone : str
        Time zone of naive times and of the returned index; default Asia/Shanghai.

    Returns
    -------
    ProfileSet
        With ``sources`` naming the file and its SHA-256.

    Raises
    ------
    ProfileError
        Naming the file, column, data row and value: missing column (the message lists
        those present), empty or unreadable time, times not increasing or not hourly,
        wrong year or number of rows (found and expected), empty/NaN value, negative
        value, capacity factor above 1.
    """
    from gpdc.profiles import ProfileSet  # the package imports this module

    path = Path(path)
    where = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ProfileError(f"{where}: file not found") from None
    except OSError as exc:
        raise ProfileError(f"{where}: cannot be read ({exc})") from None
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise ProfileError(f"{where}: file is empty; expected a header row {', '.join(REQUIRED)}") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise ProfileError(f"{where}: cannot be read as CSV ({exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ProfileError(
            f"{where}: missing column(s) {', '.join(missing)}; columns present: {', '.join(df.columns) or '(none)'}"
        )
    df = df[list(REQUIRED)].apply(lambda s: s.str.strip())
    # trailing blank lines are harmless; blank lines inside the data are reported by row
    filled = (df != "").any(axis=1).to_numpy()
    last = int(np.flatnonzero(filled)[-1]) + 1 if filled.any() else 0
    df = df.iloc[:last]
    if len(df) == 0:
        raise ProfileError(f"{where}: no data rows under the header")

    idx = _parse_times(df["time"], where, timezone)
    _check_times(idx, df["time"], where, year)
    values = {col: _column(df, col, where) for col in REQUIRED[1:]}
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return ProfileSet(
        time=idx,
        cf_wind=values["cf_wind"],
        cf_solar=values["cf_solar"],
        load_mw=values["load_mw"],
        sources={
            k: f"CSV file {path.resolve()} (sha256 {digest}...), column {k}" for k in ("cf_wind", "cf_solar", "load_mw")
        },
    )
