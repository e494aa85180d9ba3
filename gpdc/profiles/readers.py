"""Profile files: a CSV of ``time, cf_wind, cf_solar, load_mw`` read and checked.

Every problem is reported with the file, the column, the data line (1-based, the header is
line 1) and the value, so that the user can find it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gpdc.errors import ProfileError

REQUIRED = ("time", "cf_wind", "cf_solar", "load_mw")
DEFAULT_TZ = "Asia/Shanghai"


def _hours_in_year(year: int) -> int:
    return 8784 if pd.Timestamp(year=year, month=1, day=1).is_leap_year else 8760


def read_profile_csv(path: str | Path, *, year: int | None = None, timezone: str = DEFAULT_TZ) -> "ProfileSet":
    """Read hourly profiles from a CSV file.

    Parameters
    ----------
    path : str or Path
        CSV with columns ``time, cf_wind, cf_solar, load_mw`` (more columns are ignored);
        ``time`` is the start of each hour, local time (naive times are taken in ``timezone``).
    year : int, optional
        The year the file must cover (8760 or 8784 rows); default: the year of the first row.
    timezone : str
        Time zone of naive times.

    Raises
    ------
    ProfileError
        Naming the file, column, line and value: missing column, unreadable or
        non-increasing time, wrong number of rows, empty/NaN, negative value, capacity
        factor above 1.
    """
    from gpdc.profiles import ProfileSet

    path = Path(path)
    where = str(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ProfileError(f"{where}: file not found") from None
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{where}: cannot be read as CSV ({exc})") from None
    cols = [c.strip() for c in df.columns]
    df.columns = cols
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        raise ProfileError(f"{where}: missing column(s) {', '.join(missing)}; found: {', '.join(cols) or '(none)'}")
    if len(df) == 0:
        raise ProfileError(f"{where}: no data rows")

    times = pd.to_datetime(df["time"].str.strip(), errors="coerce", format="mixed")
    bad = np.flatnonzero(times.isna().to_numpy())
    if bad.size:
        i = int(bad[0])
        raise ProfileError(f"{where}: column time, line {i + 2}: cannot read {df['time'].iloc[i]!r} as a date-time")
    idx = pd.DatetimeIndex(times)
    if idx.tz is None:
        idx = idx.tz_localize(timezone)
    steps = np.diff(idx.as_unit("ns").asi8)
    nonmono = np.flatnonzero(steps <= 0)
    if nonmono.size:
        i = int(nonmono[0]) + 1
        raise ProfileError(
            f"{where}: column time, line {i + 2}: {df['time'].iloc[i]!r} does not come after "
            f"{df['time'].iloc[i - 1]!r} (times must increase)"
        )
    hour_ns = 3_600_000_000_000
    uneven = np.flatnonzero(steps != hour_ns)
    if uneven.size:
        i = int(uneven[0]) + 1
        raise ProfileError(f"{where}: column time, line {i + 2}: step to {df['time'].iloc[i]!r} is not one hour")
    y = int(idx[0].year) if year is None else year
    expected = _hours_in_year(y)
    if len(df) != expected:
        raise ProfileError(f"{where}: {len(df)} data rows; year {y} needs {expected} hourly rows")

    values: dict[str, np.ndarray] = {}
    for col in REQUIRED[1:]:
        text = df[col].str.strip()
        num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(num))
        if bad.size:
            i = int(bad[0])
            raise ProfileError(f"{where}: column {col}, line {i + 2}: {text.iloc[i]!r} is not a finite number")
        neg = np.flatnonzero(num < 0.0)
        if neg.size:
            i = int(neg[0])
            raise ProfileError(f"{where}: column {col}, line {i + 2}: {float(num[i])!r} is negative")
        if col.startswith("cf_"):
            over = np.flatnonzero(num > 1.0)
            if over.size:
                i = int(over[0])
                raise ProfileError(
                    f"{where}: column {col}, line {i + 2}: {float(num[i])!r} is above 1 (capacity factors are 0-1)"
                )
        values[col] = np.ascontiguousarray(num)
    return ProfileSet(
        time=idx,
        cf_wind=values["cf_wind"],
        cf_solar=values["cf_solar"],
        load_mw=values["load_mw"],
        sources={k: f"CSV file {path.resolve()}, column {k}" for k in ("cf_wind", "cf_solar", "load_mw")},
    )
