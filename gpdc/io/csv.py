"""Flat CSV export of the totals: one row per scenario, one column per variable."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from gpdc.io.atomic import atomic_path


def write_totals_csv(path: str | Path, totals: xr.Dataset) -> Path:
    """Write every scalar-per-scenario variable as CSV, the unit in each header.

    Headers read ``name [unit]``; swept dimensions become leading columns.  Atomic like
    :func:`gpdc.io.hdf5.write_results`.
    """
    path = Path(path)
    df = totals.to_dataframe() if totals.sizes else totals.expand_dims("scenario").to_dataframe()
    df = df.rename(columns={c: f"{c} [{totals[c].attrs.get('units', '')}]" for c in df.columns})
    with atomic_path(path, "CSV") as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        df.to_csv(fh, index=bool(totals.sizes))
    return path
