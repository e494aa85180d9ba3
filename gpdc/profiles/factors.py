"""Hourly grid emission factors: a CSV of ``time, factor_t_co2_per_mwh`` read and checked.

The file gives the CO2 intensity of grid electricity in each hour of the simulated year
[t CO2/MWh] (equal to kg CO2/kWh), e.g. from a grid operator's published hourly mix.  It must
cover exactly the hours of the scenario's profiles.  Every problem is reported with the file,
the line, the column and what is wrong, as for profile files (:mod:`gpdc.profiles.readers`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gpdc.errors import ProfileError
from gpdc.profiles.readers import _parse_times, _where, columns_present, read_csv_text, read_input

__all__ = ["FACTOR_COLUMNS", "MAX_FACTOR_T_CO2_PER_MWH", "PRICE_COLUMNS", "HourlyFactors", "read_hourly_factors",
           "read_hourly_prices", "read_hourly_series"]

#: Columns an hourly-factor CSV must have (in any order; more are ignored).
FACTOR_COLUMNS = ("time", "factor_t_co2_per_mwh")
#: Largest factor accepted [t CO2/MWh]: lignite plants emit about 1.2; the bound catches g/kWh slips.
MAX_FACTOR_T_CO2_PER_MWH = 2.0


@dataclass(frozen=True)
class HourlyFactors:
    """Hourly grid CO2 factors aligned with a profile's time index.

    Attributes
    ----------
    factor_t_co2_per_mwh : float64[n_hours]
        Factor of each hour [t CO2/MWh].
    source : str
        The file, its SHA-256 (first 16 hex digits) and the column.
    """

    factor_t_co2_per_mwh: np.ndarray
    source: str

    @property
    def mean_t_co2_per_mwh(self) -> float:
        """Unweighted mean over the hours [t CO2/MWh]."""
        return float(np.mean(self.factor_t_co2_per_mwh))


def read_hourly_factors(path: str | Path, *, time: pd.DatetimeIndex, timezone: str) -> HourlyFactors:
    """Read hourly grid emission factors and align them with the simulation's hours.

    Parameters
    ----------
    path : str or Path
        CSV with a header row and columns ``time, factor_t_co2_per_mwh``.  ``time`` is the
        start of each hour: naive times are local time in ``timezone``, times with a UTC
        offset are converted to it.  Factors in t CO2/MWh (= kg CO2/kWh), in
        [0, :data:`MAX_FACTOR_T_CO2_PER_MWH`].
    time : pandas.DatetimeIndex
        The hours of the simulation (tz-aware, the profiles' ``time``).
    timezone : str
        Time zone of naive times.

    Returns
    -------
    HourlyFactors

    Raises
    ------
    ProfileError
        Naming the file, the line, the column and the problem: file missing or empty,
        missing column (lists those present), unreadable or out-of-order time, wrong year or
        number of rows, empty/NaN/negative value, a value above the bound, or times that do
        not match the simulated hours.
    """
    num, source = _read_hourly(path, time=time, timezone=timezone, columns=FACTOR_COLUMNS,
                               field="emissions.hourly_factors_csv", lo=0.0, hi=MAX_FACTOR_T_CO2_PER_MWH,
                               unit="t CO2/MWh", hint=" (factors are in t CO2/MWh = kg CO2/kWh, not g/kWh)")
    return HourlyFactors(factor_t_co2_per_mwh=num, source=source)


#: Columns of an hourly price CSV.
PRICE_COLUMNS = ("time", "price_yuan_per_mwh")
#: Bounds of an hourly price [yuan/MWh] (spot prices may be negative).
PRICE_BOUNDS_YUAN_PER_MWH = (-5_000.0, 20_000.0)


def read_hourly_prices(path: str | Path, *, time: pd.DatetimeIndex, timezone: str,
                       field: str = "tariff.export_price_csv") -> tuple[np.ndarray, str]:
    """Read an hourly price series (``time, price_yuan_per_mwh``) aligned with the simulated hours.

    The file rules are those of :func:`read_hourly_factors`; prices in yuan/MWh within
    :data:`PRICE_BOUNDS_YUAN_PER_MWH`.  Returns the prices [yuan/MWh] and a source line.

    Raises
    ------
    ProfileError
        Naming the file, the line, the column and the problem.
    """
    lo, hi = PRICE_BOUNDS_YUAN_PER_MWH
    return _read_hourly(path, time=time, timezone=timezone, columns=PRICE_COLUMNS, field=field, lo=lo, hi=hi,
                        unit="yuan/MWh", hint=" (prices are in yuan/MWh, not yuan/kWh x 1000?)")


def read_hourly_series(path: str | Path, *, time: pd.DatetimeIndex, timezone: str, column: str, field: str,
                       lo: float, hi: float, unit: str) -> tuple[np.ndarray, str]:
    """Read one hourly series (``time, <column>``) aligned with the simulated hours, values within [lo, hi] [unit].

    The file rules are those of :func:`read_hourly_factors` (e.g. a hydrogen offtake in kg/h, the
    hours an EV fleet is plugged in).  Returns the values and a source line.

    Raises
    ------
    ProfileError
        Naming the file, the line, the column and the problem.
    """
    return _read_hourly(path, time=time, timezone=timezone, columns=("time", column), field=field, lo=lo, hi=hi,
                        unit=unit, hint="")


def _read_hourly(path: str | Path, *, time: pd.DatetimeIndex, timezone: str, columns: tuple[str, str], field: str,
                 lo: float, hi: float, unit: str, hint: str) -> tuple[np.ndarray, str]:
    path = Path(path)
    where = str(path)
    raw, text = read_input(path, field)
    if not text.strip():
        raise ProfileError(f"{where}: file is empty; expected a header row {', '.join(columns)}")
    df = read_csv_text(text, where, skip_blank_lines=False)
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ProfileError(
            f"{where}: missing column(s) {', '.join(missing)}; columns present: {columns_present(df.columns)}"
        )
    df = df[list(columns)].apply(lambda s: s.str.strip())
    filled = (df != "").any(axis=1).to_numpy()
    last = int(np.flatnonzero(filled)[-1]) + 1 if filled.any() else 0
    df = df.iloc[:last]
    if len(df) == 0:
        raise ProfileError(f"{where}: no data rows under the header")

    idx = _parse_times(df["time"], where, timezone)
    if len(idx) != len(time):
        raise ProfileError(
            f"{where}: {len(idx)} data rows found; the simulation has {len(time)} hours "
            f"({time[0]} to {time[-1]}), one row per hour is needed"
        )
    differ = np.flatnonzero(idx.as_unit("ns").asi8 != pd.DatetimeIndex(time).as_unit("ns").asi8)
    if differ.size:
        i = int(differ[0])
        raise ProfileError(
            f"{_where(where, i, 'time')}: {df['time'].iloc[i]!r} is not the simulated hour {time[i]}"
        )

    col = columns[1]
    text = df[col]
    empty = np.flatnonzero((text == "").to_numpy())
    if empty.size:
        raise ProfileError(f"{_where(where, int(empty[0]), col)}: empty value")
    num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(num))
    if bad.size:
        i = int(bad[0])
        raise ProfileError(f"{_where(where, i, col)}: {text.iloc[i]!r} is not a finite number")
    neg = np.flatnonzero(num < lo)
    if neg.size:
        i = int(neg[0])
        what = "is negative" if lo == 0.0 else f"is below {lo:g}"
        raise ProfileError(f"{_where(where, i, col)}: {text.iloc[i]!r} {what}; must be >= {lo:g} [{unit}]")
    over = np.flatnonzero(num > hi)
    if over.size:
        i = int(over[0])
        raise ProfileError(f"{_where(where, i, col)}: {text.iloc[i]!r} is above {hi:g} {unit}{hint}")
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return np.ascontiguousarray(num, dtype=np.float64), f"CSV file {path.resolve()} (sha256 {digest}...), column {col}"
