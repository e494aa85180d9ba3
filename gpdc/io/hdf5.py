"""Write and read gpdc results as netCDF4/HDF5 files through h5netcdf.

:func:`write_groups` writes whole result files (a run: totals and the group ``traces``; a sizing
study: its groups); sweep files, laid out first and filled chunk by chunk, are
:mod:`gpdc.io.sweep_store`'s.  Both take each variable's attributes from
:mod:`gpdc.results.registry` and the file's from :mod:`gpdc.results.provenance`.  Writes are
atomic: the file is written under a temporary name in the target folder and renamed into place
only when complete, so a crash never leaves a half-written result; one process writes a target at
a time (:mod:`gpdc.io.lock`); and HDF5 writes through :class:`gpdc.io.h5file.GuardedFile`, so a
full disk or a file-size limit is a clean :class:`~gpdc.errors.WriteError`, never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import xarray as xr

from gpdc.errors import ResultsFileError
from gpdc.io.atomic import NOTHING_REPLACED, atomic_path
from gpdc.io.h5file import GuardedFile, guard_error

TRACES_GROUP = "traces"
CASH_FLOW_GROUP = "cash_flow"
LEDGER_GROUP = "ledger"


def _encoding(ds: xr.Dataset, compress: bool) -> dict[str, dict[str, object]]:
    if not compress:
        return {}
    return {str(name): {"zlib": True, "complevel": 4} for name in ds.data_vars if ds[name].ndim > 0}


def write_results(path: str | Path, totals: xr.Dataset, traces: xr.Dataset | None = None,
                  groups: Mapping[str, xr.Dataset | None] | None = None) -> Path:
    """Write a result atomically; return the final path.

    Parameters
    ----------
    path : str or Path
        Target file (``.h5`` or ``.nc``); its folder is created if needed.
    totals : xr.Dataset
        Written to the root group.
    traces : xr.Dataset, optional
        Written to the group ``traces``.
    groups : mapping of str to xr.Dataset, optional
        Further groups by name, e.g. ``{"cash_flow": ..., "ledger": ...}`` (None values skipped).

    Raises
    ------
    ResultsFileError
        If the file cannot be written; the target is then left as it was.
    """
    out: dict[str | None, xr.Dataset] = {None: totals}
    if traces is not None:
        out[TRACES_GROUP] = traces
    out.update({name: ds for name, ds in (groups or {}).items() if ds is not None})
    return write_groups(path, out)


def open_results(path: str | Path, group: str | None = None, allow_partial: bool = False) -> xr.Dataset:
    """Open a results file (the totals, or ``group="traces"``) lazily with xarray.

    A sweep file opens with the sweep dimensions as coordinates; an unfinished sweep is
    refused unless ``allow_partial`` (its unfinished designs are then NaN).

    Raises
    ------
    ResultsFileError
        If the file does not exist or is not a gpdc result.
    """
    path = Path(path)
    if not path.exists():
        raise ResultsFileError(f"results file {path} does not exist")
    if group is None and _is_sweep(path):
        from gpdc.io.sweep_store import open_sweep

        return open_sweep(path, allow_partial=allow_partial)
    try:
        ds = xr.open_dataset(path, engine="h5netcdf", group=group)
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign file fails in h5py, h5netcdf or xarray
        raise ResultsFileError(f"cannot read {path} as a gpdc result: {type(exc).__name__}: {exc}") from None
    if group is None and "gpdc_version" not in ds.attrs:
        ds.close()
        raise ResultsFileError(f"{path} is not a gpdc result (no gpdc_version attribute)")
    return ds


def _is_sweep(path: Path) -> bool:
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return "sweep_fingerprint" in f.attrs
    except OSError:
        return False


def write_groups(path: str | Path, groups: dict[str | None, xr.Dataset]) -> Path:
    """Write several Datasets into one file atomically: ``None`` is the root group, other keys groups."""
    path = Path(path)
    with atomic_path(path) as tmp:
        raw = GuardedFile(tmp, create=True)
        try:
            for k, (group, ds) in enumerate(sorted(groups.items(), key=lambda kv: kv[0] is not None)):
                ds.to_netcdf(raw, mode="w" if k == 0 else "a", group=group, engine="h5netcdf",
                             encoding=_encoding(ds, True))
                if raw.error is not None:
                    break
            raw.fsync()
        finally:
            raw.close()
        guard_error(raw, path, "results", NOTHING_REPLACED)
    return path


def list_groups(path: str | Path) -> list[str]:
    """The names of the groups of a results file (``traces``, ``cash_flow``, ``ledger``, ``pareto``, ...).

    Raises
    ------
    ResultsFileError
        If the file does not exist or is not HDF5.
    """
    import h5py

    path = Path(path)
    try:
        with h5py.File(path, "r") as f:
            return sorted(k for k, v in f.items() if isinstance(v, h5py.Group))
    except OSError as exc:
        raise ResultsFileError(f"cannot read {path} as a gpdc result: {exc}") from None
