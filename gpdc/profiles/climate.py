"""Typical site climate per province and the synthetic air temperature.

``data/site_resources.csv`` holds, per province key, typical full-load hours, the air
temperature climate and the Weibull shape of wind speed, each with source and confidence
(most are recalled: provincial NEA/CEC tables were not found).  The scenario's
``full_load_hours_h`` are what the generator calibrates the resource to (for the reference
plants of ``profile_defaults.csv``); this table says what is typical so that the ready
scenarios and ``gpdc profiles`` can cite it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd

from gpdc.errors import DataTableError
from gpdc.profiles.calibrate import ar1_normal, default, mid_hour

__all__ = ["air_temperature", "site_row", "site_table", "site_value"]

_YEAR_DAYS = 365.25


@lru_cache(maxsize=1)
def site_table() -> pd.DataFrame:
    """Return ``site_resources.csv`` (province, name, value, unit, source, confidence, note)."""
    path = files("gpdc.profiles") / "data" / "site_resources.csv"
    with path.open("r", encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype={"province": str, "name": str, "unit": str, "source": str,
                                       "confidence": str, "note": str}, keep_default_na=False)
    dup = table[table.duplicated(["province", "name"])]
    if len(dup):
        raise DataTableError(f"site_resources.csv: duplicate row {tuple(dup.iloc[0][['province', 'name']])}")
    return table.set_index(["province", "name"]).sort_index()


def site_row(province: str, name: str) -> pd.Series:
    """Return the row of one typical site value (value, unit, source, confidence, note).

    Raises
    ------
    DataTableError
        Naming the province or the quantity and listing what the table has.
    """
    table = site_table()
    provinces = sorted(set(table.index.get_level_values(0)))
    if province not in provinces:
        raise DataTableError(f"site_resources.csv has no rows for province {province!r}; it has {', '.join(provinces)}")
    if (province, name) not in table.index:
        names = sorted(set(table.loc[province].index))
        raise DataTableError(f"site_resources.csv: no {name!r} for {province!r}; it has {', '.join(names)}")
    return table.loc[(province, name)]


def site_value(province: str, name: str) -> float:
    """Return a typical site value (see :func:`site_row`)."""
    return float(site_row(province, name)["value"])


def air_temperature(
    index: pd.DatetimeIndex, province: str, longitude_deg: float, rng: np.random.Generator
) -> np.ndarray:
    """Synthetic hourly air temperature [degC] of a province's typical climate.

    ``T = T_mean + A_s cos(2π(doy − d_max)/365.25) + A_d cos(2π(h_solar − h_max)/24) + a_day``
    with a daily AR(1) anomaly ``a_day`` (sd ``air_temp_noise_sd_c``, lag-1
    ``air_temp_noise_lag1``).  Draws one normal per day from ``rng``.
    """
    doy = (index + pd.Timedelta(minutes=30)).day_of_year.to_numpy()
    hour = mid_hour(index, longitude_deg)
    day = np.rint(np.asarray((index.normalize() - index[0].normalize()) / pd.Timedelta(days=1),
                             dtype=np.float64)).astype(np.int64)
    anomaly = default("air_temp_noise_sd_c") * ar1_normal(int(day[-1]) + 1, default("air_temp_noise_lag1"), rng)
    return (
        site_value(province, "air_temp_mean_c")
        + site_value(province, "air_temp_seasonal_amplitude_c")
        * np.cos(2.0 * np.pi * (doy - default("air_temp_warmest_day")) / _YEAR_DAYS)
        + site_value(province, "air_temp_diurnal_amplitude_c")
        * np.cos(2.0 * np.pi * (hour - default("air_temp_warmest_hour")) / 24.0)
        + anomaly[day]
    )
