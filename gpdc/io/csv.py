"""CSV files: the totals flat (one row per scenario, one column per variable); hourly profiles as a profile CSV."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from gpdc.io.atomic import atomic_path
from gpdc.profiles import ProfileSet


def write_totals_csv(path: str | Path, totals: xr.Dataset) -> Path:
    """Write every scalar-per-scenario variable as CSV, the unit in each header.

    Headers read ``name [unit]`` (``name[product] [unit]`` for per-product variables); swept
    dimensions become leading columns.  Atomic like
    :func:`gpdc.io.hdf5.write_results`.
    """
    path = Path(path)
    if "product" in totals.dims:  # per-product variables become one column per product
        flat = totals.drop_dims("product")
        for name, var in totals.data_vars.items():
            if "product" in var.dims:
                for prod in totals["product"].values:
                    col = var.sel(product=prod).reset_coords(drop=True)
                    col.attrs = dict(var.attrs)
                    flat[f"{name}[{prod}]"] = col
        totals = flat
    df = totals.to_dataframe() if totals.sizes else totals.expand_dims("scenario").to_dataframe()
    df = df.rename(columns={c: f"{c} [{totals[c].attrs.get('units', '')}]" for c in df.columns})
    with atomic_path(path, "CSV") as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        df.to_csv(fh, index=bool(totals.sizes))
    return path


def write_profile_csv(path: str | Path, profiles: ProfileSet) -> Path:
    """Write ``time, cf_wind, cf_solar, load_mw`` atomically (UTF-8, line feeds); return the path.

    ``time`` is the start of each hour with its UTC offset (the reader converts it to the
    scenario's time zone); the values are written with ``repr`` so that reading the file back
    gives the same floats bit for bit.
    """
    path = Path(path)
    with atomic_path(path, "profile CSV") as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write("time,cf_wind,cf_solar,load_mw\n")
        for t, w, s, ld in zip(profiles.time, profiles.cf_wind, profiles.cf_solar, profiles.load_mw, strict=True):
            fh.write(f"{t.isoformat()},{float(w)!r},{float(s)!r},{float(ld)!r}\n")
    return path
