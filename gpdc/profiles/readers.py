"""Profile files: a CSV of ``time, cf_wind, cf_solar, load_mw`` read and checked.

Every problem is reported with the file, the column, the first offending data row
(1-based: the first row under the header is data row 1, file line 2) and its value, so
that the user can find and fix it.  Later readers (weather files, measured SCADA data)
belong in this module too, each returning a :class:`gpdc.profiles.ProfileSet`.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gpdc.errors import InputFileError, ProfileError
from gpdc.input_files import decode_text, header_for_message, read_bytes
from gpdc.profiles.types import ProfileSet, hourly_index

__all__ = [
    "DEFAULT_TZ",
    "REQUIRED",
    "WEATHER_FORMATS",
    "hours_in_year",
    "read_load_csv",
    "read_ninja",
    "read_profile_csv",
    "read_weather",
]

#: Columns a profile CSV must have (in any order; more are ignored).
REQUIRED = ("time", "cf_wind", "cf_solar", "load_mw")
#: largest load the engine accepts [MW] (a sanity bound against unit slips, e.g. W for MW)
MAX_LOAD_MW = 1e12
#: Time zone of naive times in a profile file.
DEFAULT_TZ = "Asia/Shanghai"
_HOUR_NS = 3_600_000_000_000
_NAN_WORDS = ("nan", "na", "n/a", "null", "none")


def read_input(path: str | Path, what: str, *, text: bool = True) -> tuple[bytes, str]:
    """Read a regular input file within the size limit (:mod:`gpdc.input_files`): its bytes and (if ``text``) text.

    Raises
    ------
    ProfileError
        If the file is missing, not a regular file, too large, or (``text``) not UTF-8 text:
        the message names the file and the byte offset of a bad byte.
    """
    try:
        raw = read_bytes(path, what)
        return raw, (decode_text(raw, path, what) if text else "")
    except InputFileError as exc:
        raise ProfileError(str(exc)) from None


def read_csv_text(text: str, where: str, **kwargs: object) -> pd.DataFrame:
    """``pandas.read_csv`` of decoded text, every column as text; parser errors as a ProfileError naming the file."""
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, **kwargs)  # type: ignore[call-overload]
    except pd.errors.EmptyDataError:
        raise ProfileError(f"{where}: file is empty; expected a header row") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise ProfileError(f"{where}: cannot be read as CSV ({exc})") from None


def columns_present(columns: pd.Index) -> str:
    """Return the columns of a CSV for a message (only if they read as a CSV header: :func:`header_for_message`)."""
    names = [str(c) for c in columns]
    return header_for_message(names) if names else "(none)"


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
    idx = _in_years(pd.DatetimeIndex(times), text, lambda i: _where(where, i, "time"))
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


#: years a date-time in an input file may have (beyond them the nanosecond clock of pandas overflows)
YEARS = (1900, 2200)


def _in_years(idx: pd.DatetimeIndex, text: pd.Series, at: Any) -> pd.DatetimeIndex:
    """Refuse date-times outside :data:`YEARS`; return ``idx`` in nanoseconds.  ``at(i)`` locates row ``i``."""
    years = idx.year.to_numpy()
    out = np.flatnonzero((years < YEARS[0]) | (years > YEARS[1]))
    if out.size:
        i = int(out[0])
        raise ProfileError(f"{at(i)}: {text.iloc[i]!r} is outside the years {YEARS[0]}-{YEARS[1]}")
    return idx.as_unit("ns")


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

    path = Path(path)
    where = str(path)
    raw, text = read_input(path, "profile CSV")
    if not text.strip():
        raise ProfileError(f"{where}: file is empty; expected a header row {', '.join(REQUIRED)}")
    df = read_csv_text(text, where, skip_blank_lines=False)
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ProfileError(
            f"{where}: missing column(s) {', '.join(missing)}; columns present: {columns_present(df.columns)}"
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


# --------------------------------------------------------------------------- weather files

#: Weather formats read through pvlib's iotools, and the plain CSV.
WEATHER_FORMATS = ("tmy3", "epw", "pvgis", "nsrdb", "csv")
#: Columns of the weather table the models take (pvlib names), after reading.
WEATHER_COLUMNS = ("ghi", "dni", "dhi", "temp_air", "wind_speed", "pressure")
#: Plain weather CSV: required and optional columns.
WEATHER_CSV_REQUIRED = ("time", "ghi")
WEATHER_CSV_OPTIONAL = ("dni", "dhi", "temp_air", "wind_speed", "pressure")


def _check_local(path: str | Path) -> Path:
    """Refuse URLs: gpdc never downloads (pvlib's EPW reader would)."""
    text = str(path)
    if "://" in text or text.lower().startswith("http"):
        raise ProfileError(f"{text}: gpdc reads local files only; download the file first and give its path")
    return Path(text)


def _to_local_year(df: pd.DataFrame, where: str, timezone: str, year: int, *, wrap: bool) -> pd.DataFrame:
    """Put hour-beginning rows on the local calendar year ``year`` (8760 or 8784 rows).

    The index is converted to ``timezone``; with ``wrap`` (typical years, and UTC-year
    exports) each row keeps its local month, day and hour and takes the year ``year``, so
    the hours that a time-zone shift moves across the year end wrap around to the other end.
    """

    idx = pd.DatetimeIndex(df.index)
    if idx.tz is None:
        idx = idx.tz_localize(timezone)
    if wrap:
        # local time by the zone's UTC offset in the target year, not in the file's own year: a
        # typical year's stamps (pvlib coerces them to 1990) would otherwise meet the daylight
        # saving time China kept in 1986-1991 (an hour twice in September 1990, one missing in April)
        offset = hourly_index(year, timezone)[0].utcoffset()
        naive = idx.tz_convert("UTC").tz_localize(None) + offset
        leap_day = (naive.month == 2) & (naive.day == 29)
        if leap_day.any() and hours_in_year(year) == 8760:
            raise ProfileError(f"{where}: the file has 29 February but year {year} has none; choose a leap year "
                               "or a file without it")
        stamps = pd.to_datetime({"year": np.full(len(naive), year), "month": naive.month, "day": naive.day,
                                 "hour": naive.hour})
        idx = pd.DatetimeIndex(stamps).tz_localize(timezone)
    else:
        idx = idx.tz_convert(timezone)
    out = df.copy()
    out.index = idx
    out = out.sort_index()
    dup = out.index[out.index.duplicated()]
    if len(dup):
        raise ProfileError(f"{where}: the hour {dup[0]} appears twice after conversion to {timezone}")
    target = hourly_index(year, timezone)
    out = out[(out.index >= target[0]) & (out.index <= target[-1])]
    if len(out) != len(target) or not out.index.equals(target):
        missing = target.difference(out.index)
        raise ProfileError(
            f"{where}: {len(out)} hourly rows fall in {year} ({timezone}); year {year} needs {len(target)} "
            f"({'leap year' if len(target) == 8784 else 'not a leap year'})"
            + (f"; first missing hour {missing[0]}" if len(missing) else "")
        )
    out.index = target
    return out


def _check_frame(df: pd.DataFrame, where: str, columns: tuple[str, ...], line_offset: int | None) -> None:
    """Check that times increase and ``columns`` hold no NaN; name the first offending row."""
    steps = np.diff(pd.DatetimeIndex(df.index).as_unit("ns").asi8)
    back = np.flatnonzero(steps <= 0)
    if back.size:
        i = int(back[0]) + 1
        line = f" (line {i + line_offset})" if line_offset is not None else ""
        raise ProfileError(f"{where}: data row {i + 1}{line}: time {df.index[i]} does not come after "
                           f"{df.index[i - 1]} (times must increase)")
    for col in columns:
        if col not in df.columns:
            raise ProfileError(f"{where}: missing column {col}; columns present: {columns_present(df.columns)}")
        vals = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(vals))
        if bad.size:
            i = int(bad[0])
            line = f" (line {i + line_offset})" if line_offset is not None else ""
            raise ProfileError(f"{where}: column {col}, data row {i + 1}{line} ({df.index[i]}): "
                               f"{df[col].iloc[i]!r} is NaN or not a number")


def _hourly_mean(df: pd.DataFrame, where: str) -> pd.DataFrame:
    """Resample a regular sub-hourly table to hourly means (mean power, not a sample).

    Steps must divide the hour evenly and every hour must be complete.
    """
    idx = pd.DatetimeIndex(df.index)
    if len(idx) < 2:
        return df
    steps = np.diff(idx.as_unit("ns").asi8)
    step = int(steps[0])
    if step >= _HOUR_NS:
        return df
    if _HOUR_NS % step or np.any(steps != step):
        i = int(np.flatnonzero(steps != step)[0]) + 1 if np.any(steps != step) else 1
        raise ProfileError(f"{where}: data row {i + 1}: time steps must be regular and divide the hour "
                           f"(first step {step / 60e9:g} min)")
    per_hour = _HOUR_NS // step
    hours = idx.floor("h")
    counts = pd.Series(1, index=hours).groupby(level=0).size()
    short = counts[counts != per_hour]
    if len(short):
        raise ProfileError(f"{where}: the hour starting {short.index[0]} has {int(short.iloc[0])} of {per_hour} "
                           "sub-hourly values; every hour must be complete")
    return df.groupby(hours).mean()


def read_weather(
    path: str | Path, fmt: str, *, year: int, timezone: str = DEFAULT_TZ
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Read a weather file into an hourly table on the local calendar year.

    Parameters
    ----------
    path : str or Path
        Local file (URLs are refused).
    fmt : {"tmy3", "epw", "pvgis", "nsrdb", "csv"}
        ``tmy3`` (NREL TMY3 CSV, pvlib ``read_tmy3``), ``epw`` (EnergyPlus, ``read_epw``),
        ``pvgis`` (PVGIS TMY in json/csv/epw, ``read_pvgis_tmy``, or PVGIS hourly
        series on a horizontal plane in json/csv, ``read_pvgis_hourly``), ``nsrdb``
        (NSRDB PSM / SAM CSV, ``read_nsrdb_psm4``), ``csv`` (columns ``time, ghi`` and
        optionally ``dni, dhi, temp_air, wind_speed, pressure``; sub-hourly rows are
        averaged to hours).
    year : int
        Calendar year of the result.  Typical-year files (TMY3, EPW, PVGIS TMY) and
        single-year files are placed on it by month, day and hour.
    timezone : str
        Local time of the result.

    Returns
    -------
    weather, meta : DataFrame, dict
        Hour-beginning local index of ``year``; columns of :data:`WEATHER_COLUMNS` that
        the file has (W/m2, degC, m/s at the file's measurement height, Pa); ``meta`` with
        ``latitude``, ``longitude``, ``altitude`` where the file gives them.

    Raises
    ------
    ProfileError
        Naming the file and, where it applies, the column, row and value: unreadable
        file, missing column, NaN, times not increasing, wrong number of hours.
    """
    import pvlib

    p = _check_local(path)
    where = str(p)
    if fmt not in WEATHER_FORMATS:
        raise ProfileError(f"{where}: weather format {fmt!r} is unknown; valid: {', '.join(WEATHER_FORMATS)}")
    read_input(p, f"{fmt} weather file", text=False)  # a regular file within the size limit
    if fmt == "csv":
        return _read_weather_csv(p, year, timezone), {}
    offset: int | None = None
    try:
        if fmt == "tmy3":
            data, meta = pvlib.iotools.read_tmy3(p, coerce_year=1990, map_variables=True)
            data.index = data.index - pd.Timedelta(hours=1)  # pvlib: hour-ending -> hour-beginning
            meta = {"latitude": meta["latitude"], "longitude": meta["longitude"], "altitude": meta["altitude"]}
            offset = 3
        elif fmt == "epw":
            data, meta = pvlib.iotools.read_epw(p, coerce_year=1990)
            meta = {"latitude": meta["latitude"], "longitude": meta["longitude"], "altitude": meta["altitude"]}
            data = data.rename(columns={"atmospheric_pressure": "pressure"})
            offset = 9
        elif fmt == "nsrdb":
            data, meta = pvlib.iotools.read_nsrdb_psm4(p, map_variables=True)
            data.index = pd.DatetimeIndex(data.index).floor("h")
            meta = {k: float(meta[k]) for k in ("latitude", "longitude", "altitude") if k in meta}
            offset = 4
        else:
            data, meta = _read_pvgis(p)
    except ProfileError:
        raise
    except Exception as exc:  # noqa: BLE001 - pvlib raises many kinds; name the file and the cause
        raise ProfileError(f"{where}: cannot be read as {fmt} ({type(exc).__name__}: {exc})") from None
    cols = [c for c in WEATHER_COLUMNS if c in data.columns]
    data = data[cols].astype(np.float64)
    _check_frame(data, where, ("ghi",) + tuple(c for c in cols if c != "ghi"), offset)
    data = _to_local_year(data, where, timezone, year, wrap=True)
    if "pressure" in data.columns and fmt in ("tmy3", "nsrdb") and data["pressure"].median() < 2000.0:
        data["pressure"] = data["pressure"] * 100.0  # mbar -> Pa
    return data, {k: float(v) for k, v in meta.items() if v is not None}


def _read_pvgis(p: Path) -> tuple[pd.DataFrame, dict[str, float]]:
    """PVGIS TMY (json/csv/epw) or PVGIS hourly series on a horizontal plane (json/csv)."""
    import pvlib

    text = p.read_text(encoding="utf-8", errors="replace")
    hourly = '"hourly"' in text or "G(i)" in text
    if not hourly:
        data, meta = pvlib.iotools.read_pvgis_tmy(p, map_variables=True)
        loc = meta.get("inputs", {}).get("location", meta) if isinstance(meta, dict) else {}
        data = data.rename(columns={"SP": "pressure"})
        return data, _site_of(loc)
    data, meta = pvlib.iotools.read_pvgis_hourly(p, map_variables=True)
    inputs = meta.get("inputs", meta)
    slope = float(inputs.get("mounting_system", {}).get("fixed", {}).get("slope", {}).get("value", 0.0)) \
        if isinstance(inputs.get("mounting_system"), dict) else 0.0
    if slope != 0.0:
        raise ProfileError(f"{p}: PVGIS hourly data on a plane tilted {slope:g} deg; request it for a horizontal "
                           "plane (slope 0) so that gpdc can transpose it itself")
    out = pd.DataFrame(index=pd.DatetimeIndex(data.index).floor("h"))
    out["ghi"] = data["poa_global"].to_numpy() if "poa_global" in data else (
        data["poa_direct"] + data["poa_sky_diffuse"] + data.get("poa_ground_diffuse", 0.0)).to_numpy()
    if "poa_sky_diffuse" in data:
        out["dhi_"] = data["poa_sky_diffuse"].to_numpy()
    for c in ("temp_air", "wind_speed"):
        if c in data:
            out[c] = data[c].to_numpy()
    loc = inputs.get("location", {})
    return out.drop(columns=[c for c in out.columns if c.endswith("_")]), _site_of(loc)


def _site_of(loc: dict[str, Any]) -> dict[str, float]:
    """Return latitude, longitude and altitude of a PVGIS ``inputs.location`` (those present)."""
    names = {"latitude": "latitude", "longitude": "longitude", "altitude": "elevation"}
    return {k: float(loc[v]) for k, v in names.items() if isinstance(loc.get(v), (int, float))}


def _read_weather_csv(p: Path, year: int, timezone: str) -> pd.DataFrame:
    """Plain weather CSV: ``time, ghi`` [+ ``dni, dhi, temp_air, wind_speed, pressure``]."""
    where = str(p)
    _, text = read_input(p, "weather CSV")
    if not text.strip():
        raise ProfileError(f"{where}: file is empty; expected a header row time, ghi, ...")
    df = read_csv_text(text, where)
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in WEATHER_CSV_REQUIRED if c not in df.columns]
    if missing:
        raise ProfileError(f"{where}: missing column(s) {', '.join(missing)}; columns present: "
                           f"{columns_present(df.columns)}")
    cols = ["ghi"] + [c for c in WEATHER_CSV_OPTIONAL if c in df.columns]
    idx = _parse_times(df["time"].str.strip(), where, timezone)
    steps = np.diff(idx.as_unit("ns").asi8)
    back = np.flatnonzero(steps <= 0)
    if back.size:
        i = int(back[0]) + 1
        raise ProfileError(f"{_where(where, i, 'time')}: {df['time'].iloc[i]!r} does not come after "
                           f"{df['time'].iloc[i - 1]!r} (times must increase)")
    values = {c: _column_float(df, c, where) for c in cols}
    table = pd.DataFrame(values, index=idx)
    table = _hourly_mean(table, where)
    return _to_local_year(table, where, timezone, year, wrap=False)


def _column_float(df: pd.DataFrame, col: str, where: str) -> np.ndarray:
    """Return a numeric column whose every cell is finite; name the first bad cell."""
    text = df[col].str.strip()
    num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(num))
    if bad.size:
        i = int(bad[0])
        kind = "empty" if text.iloc[i] == "" else ("NaN" if text.iloc[i].lower() in _NAN_WORDS else "not a number")
        raise ProfileError(f"{_where(where, i, col)}: {text.iloc[i]!r} is {kind}")
    return num


def read_ninja(path: str | Path, *, year: int, timezone: str = DEFAULT_TZ) -> tuple[np.ndarray, str]:
    """Read a renewables.ninja PV or wind export: hourly capacity factors on the local year.

    The file has ``#`` comment lines (one holds the request parameters as JSON, with the
    ``capacity`` the output is in, kW; 1 if absent), a header with ``time`` (UTC) and
    ``electricity`` (kW).  ``cf = electricity / capacity``, placed on the local calendar year
    ``year`` by month, day and hour (hours shifted across the year end wrap around).

    Returns ``(cf, description)``.

    Raises
    ------
    ProfileError
        Naming the file, the line and the problem.
    """
    import json

    p = _check_local(path)
    where = str(p)
    raw, text = read_input(p, "renewables.ninja export")
    lines = text.splitlines()
    n_comment = 0
    capacity = 1.0
    for line in lines:
        if not line.startswith("#"):
            break
        n_comment += 1
        start = line.find("{")
        if start >= 0:
            try:
                params = json.loads(line[start:])
            except json.JSONDecodeError:
                continue
            params = params.get("params", params) if isinstance(params, dict) else {}
            params = params if isinstance(params, dict) else {}
            try:
                capacity = float(params.get("capacity", 1.0))
            except (TypeError, ValueError):
                raise ProfileError(f"{where}, line {n_comment}: capacity {params.get('capacity')!r} is not a "
                                   "number [kW]") from None
    if not (np.isfinite(capacity) and capacity > 0.0):
        raise ProfileError(f"{where}, line {n_comment}: capacity {capacity!r} must be > 0")
    df = read_csv_text(text, where, skiprows=n_comment)
    df.columns = [str(c).strip() for c in df.columns]
    for col in ("time", "electricity"):
        if col not in df.columns:
            raise ProfileError(f"{where}: missing column {col}; columns present: {columns_present(df.columns)}")
    off = n_comment + 2  # data row i (0-based) is file line i + off
    try:
        times = pd.to_datetime(df["time"].str.strip(), errors="coerce", format="mixed")
    except (ValueError, TypeError):  # mixed UTC offsets: renewables.ninja times are UTC, convert each
        try:
            times = pd.to_datetime(df["time"].str.strip(), errors="coerce", format="mixed", utc=True)
        except (ValueError, TypeError) as exc:
            raise ProfileError(f"{where}: column time cannot be read as date-times ({exc})") from None
    bad = np.flatnonzero(times.isna().to_numpy())
    if bad.size:
        i = int(bad[0])
        raise ProfileError(f"{where}: column time, line {i + off}: cannot read {df['time'].iloc[i]!r} as a date-time")
    idx = _in_years(pd.DatetimeIndex(times), df["time"], lambda i: f"{where}: column time, line {i + off}")
    idx = idx.tz_localize("UTC") if idx.tz is None else idx.tz_convert("UTC")
    steps = np.diff(idx.as_unit("ns").asi8)
    back = np.flatnonzero(steps <= 0)
    if back.size:
        i = int(back[0]) + 1
        raise ProfileError(f"{where}: column time, line {i + off}: {df['time'].iloc[i]!r} does not come after "
                           f"{df['time'].iloc[i - 1]!r} (times must increase)")
    elec = pd.to_numeric(df["electricity"].str.strip(), errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(elec) | (elec < 0.0))
    if bad.size:
        i = int(bad[0])
        raise ProfileError(f"{where}: column electricity, line {i + off}: {df['electricity'].iloc[i]!r} is not a "
                           "finite number >= 0")
    cf = elec / capacity
    over = np.flatnonzero(cf > 1.0 + 1e-9)
    if over.size:
        i = int(over[0])
        raise ProfileError(f"{where}: column electricity, line {i + off}: {elec[i]:g} kW is above the capacity "
                           f"{capacity:g} kW")
    table = _to_local_year(_hourly_mean(pd.DataFrame({"cf": cf}, index=idx), where), where, timezone, year, wrap=True)
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return (np.ascontiguousarray(np.clip(table["cf"].to_numpy(), 0.0, 1.0), dtype=np.float64),
            f"renewables.ninja export {p.resolve()} (sha256 {digest}...), capacity {capacity:g} kW")


def read_load_csv(path: str | Path, *, year: int, timezone: str = DEFAULT_TZ) -> tuple[np.ndarray, str]:
    """Read a user's load: columns ``time, load_mw``; sub-hourly rows become hourly mean power.

    Returns ``(load_mw, description)``.

    Raises
    ------
    ProfileError
        Naming the file, column, row and value (missing column, NaN, negative value, times
        not increasing, irregular or incomplete sub-hourly steps, wrong number of hours).
    """
    p = _check_local(path)
    where = str(p)
    raw, text = read_input(p, "load CSV")
    df = read_csv_text(text, where)
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in ("time", "load_mw") if c not in df.columns]
    if missing:
        raise ProfileError(f"{where}: missing column(s) {', '.join(missing)}; columns present: "
                           f"{columns_present(df.columns)}")
    idx = _parse_times(df["time"].str.strip(), where, timezone)
    steps = np.diff(idx.as_unit("ns").asi8)
    back = np.flatnonzero(steps <= 0)
    if back.size:
        i = int(back[0]) + 1
        raise ProfileError(f"{_where(where, i, 'time')}: {df['time'].iloc[i]!r} does not come after "
                           f"{df['time'].iloc[i - 1]!r} (times must increase)")
    load = _column_float(df, "load_mw", where)
    neg = np.flatnonzero(load < 0.0)
    if neg.size:
        raise ProfileError(f"{_where(where, int(neg[0]), 'load_mw')}: {load[neg[0]]:g} is negative; must be >= 0")
    table = _to_local_year(_hourly_mean(pd.DataFrame({"load_mw": load}, index=idx), where), where, timezone, year,
                           wrap=False)
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return (np.ascontiguousarray(table["load_mw"].to_numpy(), dtype=np.float64),
            f"load CSV {p.resolve()} (sha256 {digest}...), hourly mean power")
