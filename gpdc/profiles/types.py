"""The profile containers every profile module shares: :class:`ProfileSet` and the hourly time index."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gpdc.errors import ProfileError

__all__ = ["ProfileSet", "hourly_index"]


@dataclass(frozen=True)
class ProfileSet:
    """Hourly profiles on a local-time index (one year from the generators and readers).

    The arrays are stored as float64, C-contiguous (what the kernels take), and must all
    have ``len(time)`` values.

    Attributes
    ----------
    time : pandas.DatetimeIndex
        Start of each hour, tz-aware local time.
    cf_wind, cf_solar : float64[n_hours]
        Capacity factors [-], in [0, 1].
    load_mw : float64[n_hours]
        Mean load in each hour [MW].
    sources : dict of str to str
        Where each series came from, in words, with seed and parameters (provenance).
    """

    time: pd.DatetimeIndex
    cf_wind: np.ndarray
    cf_solar: np.ndarray
    load_mw: np.ndarray
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.time)
        for name in ("cf_wind", "cf_solar", "load_mw"):
            arr = np.ascontiguousarray(getattr(self, name), dtype=np.float64)
            if arr.ndim != 1 or arr.shape[0] != n:
                raise ProfileError(f"ProfileSet.{name} has shape {arr.shape}; expected ({n},) like time")
            object.__setattr__(self, name, arr)


def hourly_index(year: int, timezone: str = "Asia/Shanghai") -> pd.DatetimeIndex:
    """Hour-beginning timestamps of a calendar year in local time (8760 or 8784).

    Raises :class:`ProfileError` if the time zone shifts its clocks in that year (China
    has not since 1991): use a fixed-offset zone such as ``"Etc/GMT-8"`` instead.

    >>> len(hourly_index(2024)), len(hourly_index(2025))
    (8784, 8760)
    >>> str(hourly_index(2025)[0])
    '2025-01-01 00:00:00+08:00'
    """
    start = pd.Timestamp(year=year, month=1, day=1).tz_localize(timezone)
    end = pd.Timestamp(year=year + 1, month=1, day=1).tz_localize(timezone)
    index = pd.date_range(start, end, freq="h", inclusive="left")
    expected = 8784 if start.is_leap_year else 8760
    wall = index.tz_localize(None).hour.to_numpy()
    if len(index) != expected or not np.array_equal(wall, np.tile(np.arange(24), expected // 24)):
        raise ProfileError(
            f"timezone {timezone!r} shifts its clocks in {year} (daylight saving time); "
            "use a fixed-offset zone such as 'Etc/GMT-8'"
        )
    return index
