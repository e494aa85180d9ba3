"""Weather files in the formats gpdc reads, written from a weather table: the sample files.

The inverse of :func:`gpdc.profiles.readers.read_weather` for EPW, NSRDB PSM4, PVGIS TMY (json)
and gpdc's weather CSV, and of :func:`gpdc.profiles.readers.read_ninja` for renewables.ninja
exports.  :func:`write_samples` writes one file per format from the real typical-year weather
of Greensboro, North Carolina (NREL TMY3 station 723170, the file that ships with pvlib), so that
the ``weather`` profile source can be tried without a download (``scenarios/examples/``).

Every writer is atomic (a temporary file, then a rename).
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from gpdc.errors import ConsistencyWarning
from gpdc.io.atomic import atomic_path

__all__ = [
    "SAMPLE_FILES",
    "SAMPLE_SITE",
    "pvlib_tmy3_path",
    "write_epw",
    "write_ninja",
    "write_nsrdb_psm4",
    "write_pvgis_tmy",
    "write_samples",
    "write_weather_csv",
]

#: the station of the samples: NREL TMY3 723170 (Greensboro Piedmont Triad Intl. Airport, NC), as
#: in the file's header; the file's clock is local standard time, UTC-5 (Etc/GMT+5).
SAMPLE_SITE = "Greensboro, NC (NREL TMY3 723170)"
#: the samples' clock: the station's local standard time
SAMPLE_TIMEZONE, SAMPLE_UTC_OFFSET_H = "Etc/GMT+5", -5.0
#: the calendar year the typical-year samples are placed on
SAMPLE_YEAR = 2019
#: file name of each sample, by the format name of ``[profiles] weather_format`` (ninja: two files)
SAMPLE_FILES = {
    "tmy3": "greensboro_tmy3.csv",
    "epw": "greensboro.epw",
    "pvgis": "greensboro_pvgis_tmy.json",
    "nsrdb": "greensboro_nsrdb_psm4.csv",
    "csv": "greensboro_weather.csv",
    "ninja_pv": "greensboro_ninja_pv.csv",
    "ninja_wind": "greensboro_ninja_wind.csv",
}
_PROVENANCE = ("real typical-year weather of Greensboro NC, NREL TMY3 station 723170 (public domain), "
               "from the copy that ships with pvlib (pvlib/data/723170TYA.CSV); rewritten in this format by gpdc")


def pvlib_tmy3_path() -> Path:
    """The TMY3 file of Greensboro NC that ships with pvlib."""
    import pvlib

    return Path(pvlib.__file__).parent / "data" / "723170TYA.CSV"


def _write(path: str | Path, text: str, what: str) -> Path:
    path = Path(path)
    with atomic_path(path, what) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return path


def _num(x: float, digits: int = 1) -> str:
    """A number as written in weather files: fixed decimals, never '-0.0'."""
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0.0 else text


def write_epw(path: str | Path, w: pd.DataFrame, meta: dict[str, float], name: str, utc_offset_h: float) -> Path:
    """EnergyPlus weather (EPW): the eight header records, then one record per hour (hour-ending, 1-24).

    Fields the table lacks carry EPW's "missing" codes; relative humidity and the other
    fields gpdc does not read are written as missing.
    """
    lines = [f"LOCATION,{name.replace(',', ' ')},-,-,gpdc sample,0,{meta['latitude']},{meta['longitude']},"
             f"{utc_offset_h:.1f},{meta['altitude']}",
             "DESIGN CONDITIONS,0", "TYPICAL/EXTREME PERIODS,0", "GROUND TEMPERATURES,0",
             "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0", f"COMMENTS 1,{_PROVENANCE.replace(',', ';')}",
             "COMMENTS 2,", "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31"]
    for t, r in w.iterrows():
        f = [t.year, t.month, t.day, t.hour + 1, 60, "?",
             _num(r.temp_air), 99.9, 999, _num(r.pressure, 0), 9999, 9999, 9999, _num(r.ghi, 0), _num(r.dni, 0),
             _num(r.dhi, 0), 999999, 999999, 999999, 9999, 999, _num(r.wind_speed), 99, 99, 9999, 99999, 9,
             999999999, 999, 0.999, 999, 99, 999, 999, 99]
        lines.append(",".join(str(x) for x in f))
    return _write(path, "\n".join(lines) + "\n", "EPW weather file")


def write_nsrdb_psm4(path: str | Path, w: pd.DataFrame, meta: dict[str, float], name: str,
                     utc_offset_h: float) -> Path:
    """NSRDB PSM4 CSV: two metadata lines, a header, one row per hour (local standard time, minute 30)."""
    off = f"{utc_offset_h:g}"
    head = ("Source,Location ID,City,State,Country,Latitude,Longitude,Time Zone,Elevation,Local Time Zone\n"
            f"NSRDB,0,{name.replace(',', ' ')},-,-,{meta['latitude']},{meta['longitude']},{off},"
            f"{int(meta['altitude'])},{off}\n"
            "Year,Month,Day,Hour,Minute,GHI,DNI,DHI,Temperature,Wind Speed,Pressure\n")
    rows = [f"{t.year},{t.month},{t.day},{t.hour},30,{_num(r.ghi, 0)},{_num(r.dni, 0)},{_num(r.dhi, 0)},"
            f"{_num(r.temp_air)},{_num(r.wind_speed)},{_num(r.pressure / 100.0, 0)}" for t, r in w.iterrows()]
    return _write(path, head + "\n".join(rows) + "\n", "NSRDB weather file")


def write_pvgis_tmy(path: str | Path, w: pd.DataFrame, meta: dict[str, float]) -> Path:
    """PVGIS TMY in its json form: ``inputs.location``, ``outputs.tmy_hourly`` with times in UTC."""
    utc = pd.DatetimeIndex(w.index).tz_convert("UTC")
    hourly = [{"time(UTC)": t.strftime("%Y%m%d:%H%M"), "T2m": round(float(r.temp_air), 1), "RH": 50.0,
               "G(h)": round(float(r.ghi), 1), "Gb(n)": round(float(r.dni), 1), "Gd(h)": round(float(r.dhi), 1),
               "IR(h)": 0.0, "WS10m": round(float(r.wind_speed), 1), "WD10m": 0.0, "SP": round(float(r.pressure))}
              for t, (_, r) in zip(utc, w.iterrows(), strict=True)]
    src = {"inputs": {"location": {"latitude": meta["latitude"], "longitude": meta["longitude"],
                                   "elevation": meta["altitude"]},
                      "meteo_data": {"source": _PROVENANCE}},
           "outputs": {"months_selected": [{"month": m, "year": SAMPLE_YEAR} for m in range(1, 13)],
                       "tmy_hourly": hourly},
           "meta": {"inputs": {}, "outputs": {"tmy_hourly": {"description": "RH, IR(h), WD10m: not in the source"}}}}
    return _write(path, json.dumps(src, separators=(",", ":")) + "\n", "PVGIS weather file")


def write_weather_csv(path: str | Path, w: pd.DataFrame) -> Path:
    """gpdc's weather CSV: ``time`` (local, naive) and ghi, dni, dhi, temp_air, wind_speed, pressure."""
    cols = [c for c in ("ghi", "dni", "dhi", "temp_air", "wind_speed", "pressure") if c in w.columns]
    digits = {"ghi": 0, "dni": 0, "dhi": 0, "temp_air": 1, "wind_speed": 1, "pressure": 0}
    times = pd.DatetimeIndex(w.index).tz_localize(None).strftime("%Y-%m-%d %H:%M")
    rows = [",".join([t] + [_num(float(v), digits[c]) for c, v in zip(cols, vals, strict=True)])
            for t, vals in zip(times, w[cols].to_numpy(), strict=True)]
    return _write(path, ",".join(["time", *cols]) + "\n" + "\n".join(rows) + "\n", "weather CSV")


def write_ninja(path: str | Path, cf: np.ndarray, times_utc: pd.DatetimeIndex, meta: dict[str, float], kind: str,
                capacity_kw: float = 1000.0, source: str = "") -> Path:
    """A renewables.ninja point export: comment lines (the request as JSON), ``time`` in UTC, ``electricity`` in kW."""
    params = {"lat": meta["latitude"], "lon": meta["longitude"], "capacity": capacity_kw, "format": "csv"}
    head = (f"# {kind} point output in the renewables.ninja export format; NOT from renewables.ninja: {source}\n"
            "# Units: time in UTC, other columns in kW\n"
            f"# {json.dumps({'params': params})}\n")
    rows = [f"{t},{_num(float(v) * capacity_kw, 3)}" for t, v in
            zip(times_utc.strftime("%Y-%m-%d %H:%M"), cf, strict=True)]
    return _write(path, head + "time,electricity\n" + "\n".join(rows) + "\n", "renewables.ninja file")


def write_samples(folder: str | Path) -> dict[str, Path]:
    """Write the sample weather files (:data:`SAMPLE_FILES`) into ``folder``; return them by format.

    The TMY3 file is pvlib's, copied as it is; the others hold the same hours (placed on
    :data:`SAMPLE_YEAR`, local standard time UTC-5).  The renewables.ninja pair holds the
    capacity factors gpdc's own chains give for that weather (pvlib PVWatts with gpdc's default
    fixed-tilt plant; windpowerlib with gpdc's default turbine at hub height), for a 1 MW plant.
    """
    from gpdc.profiles.readers import read_weather
    from gpdc.profiles.solar import PVSystem, pv_cf
    from gpdc.profiles.wind import WindPlant, wind_cf

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tz, off, name = SAMPLE_TIMEZONE, SAMPLE_UTC_OFFSET_H, SAMPLE_SITE
    files = {k: folder / v for k, v in SAMPLE_FILES.items()}
    src = pvlib_tmy3_path()
    with atomic_path(files["tmy3"], "TMY3 weather file") as tmp:
        shutil.copyfile(src, tmp)
    w, meta = read_weather(files["tmy3"], "tmy3", year=SAMPLE_YEAR, timezone=tz)
    write_epw(files["epw"], w, meta, name, off)
    write_nsrdb_psm4(files["nsrdb"], w, meta, name, off)
    write_pvgis_tmy(files["pvgis"], w, meta)
    write_weather_csv(files["csv"], w)
    utc = pd.DatetimeIndex(w.index).tz_convert("UTC")
    pv = pv_cf(w, meta["latitude"], meta["longitude"], meta["altitude"], PVSystem())
    from gpdc.profiles.calibrate import default

    # the airport's mast is at 10 m: the shear must be stated to reach the hub; the power law with
    # the open-terrain exponent of profile_defaults.csv (wind_shear_exponent) is the stated assumption
    plant = WindPlant(shear_model="power", shear_exponent=default("wind_shear_exponent"))
    with warnings.catch_warnings():  # the extrapolation warning: the assumption is stated in the file's header
        warnings.simplefilter("ignore", ConsistencyWarning)
        wind = wind_cf(w["wind_speed"].to_numpy(), plant, elevation_m=meta["altitude"],
                       temp_air_c=w["temp_air"].to_numpy(), pressure_pa=w["pressure"].to_numpy())
    pv_text = PVSystem().filled(meta["latitude"]).describe()
    write_ninja(files["ninja_pv"], pv, utc, meta, "PV", source=f"gpdc's pvlib chain ({pv_text}) on the {_PROVENANCE}")
    write_ninja(files["ninja_wind"], wind, utc, meta, "Wind",
                source=f"gpdc's windpowerlib chain ({plant.filled().describe()}; 10 m speeds to the hub by the power "
                       f"law, exponent {plant.shear_exponent:g}) on the {_PROVENANCE}")
    return files


if __name__ == "__main__":  # python -m gpdc.io.weather_files FOLDER
    import sys

    for fmt, p in write_samples(sys.argv[1] if len(sys.argv) > 1 else "scenarios/examples/weather").items():
        sys.stdout.write(f"{fmt:10s} {p} ({p.stat().st_size:,} bytes)\n")
