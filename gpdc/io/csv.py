"""Flat CSV export of the totals: one row per scenario, one column per variable."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from gpdc.io.atomic import atomic_path


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
