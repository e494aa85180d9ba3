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

import functools
import typing
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
    from gpdc.results.lazy_dask import defer_dask_array_type

    defer_dask_array_type()  # reading NumPy-backed variables imports no dask.array (gpdc.results.lazy_dask)
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
    ordered = sorted(groups.items(), key=lambda kv: kv[0] is not None)
    with atomic_path(path) as tmp:
        raw = GuardedFile(tmp, create=True)
        try:
            if not _private_writer_available() or any(
                    v.chunks is not None for _, ds in ordered for v in ds.variables.values()):
                _write_with_to_netcdf(raw, ordered)
            else:
                _write_in_memory_datasets(raw, ordered)
            raw.fsync()
        finally:
            raw.close()
        guard_error(raw, path, "results", NOTHING_REPLACED)
    return path


def _private_writer_available() -> bool:
    """Whether this xarray has the internals :func:`_write_in_memory_datasets` uses (else: ``to_netcdf``)."""
    try:
        from xarray.backends import H5NetCDFStore, writers
        from xarray.backends.locks import HDF5_LOCK  # noqa: F401
    except ImportError:  # pragma: no cover - another xarray layout
        return False
    names = ("_validate_dataset_names", "_validate_attrs", "_sanitize_unlimited_dims", "dump_to_store", "ArrayWriter")
    return H5NetCDFStore is not None and all(hasattr(writers, n) for n in names)


def _write_with_to_netcdf(raw: GuardedFile, ordered: list[tuple[str | None, xr.Dataset]]) -> None:
    """xarray's own writer, one ``to_netcdf`` per group: for Datasets backed by dask arrays."""
    for k, (group, ds) in enumerate(ordered):
        ds.to_netcdf(raw, mode="w" if k == 0 else "a", group=group, engine="h5netcdf",
                     encoding=_encoding(ds, True))
        if raw.error is not None:
            break


def _write_in_memory_datasets(raw: GuardedFile, ordered: list[tuple[str | None, xr.Dataset]]) -> None:
    """What ``to_netcdf(engine="h5netcdf")`` does for in-memory Datasets, on one open file, without dask.

    ``to_netcdf`` asks dask which scheduler runs (``get_dask_scheduler``, for the file lock and
    for closing files between writes); where dask is installed that imports dask and
    ``distributed`` — half a second of a ``gpdc run`` — though nothing here is a dask array.
    The same encoding (:func:`xarray.backends.writers.dump_to_store`: CF conventions, the
    variables' encodings) reaches the same h5netcdf store; only the store is opened here, with
    xarray's HDF5 lock, on one h5netcdf file for every group.  These are xarray's internals
    (``xarray.backends.writers``): where a version lacks them, :func:`_private_writer_available`
    says so first and ``to_netcdf`` writes instead; tests/test_results_io.py checks that the file
    equals what ``to_netcdf`` writes.
    """
    import numpy as np
    from xarray.backends import H5NetCDFStore
    from xarray.backends import writers
    from xarray.backends.locks import HDF5_LOCK

    class NumpyArrayWriter(writers.ArrayWriter):  # type: ignore[misc,name-defined]
        """The ArrayWriter of xarray, without its question about NumPy arrays.

        ArrayWriter first asks whether each array is a chunked (dask) one: for a NumPy array that
        question imports dask's core (0.12 s of CPU a run) to answer no.  A NumPy array is written
        at once, as ArrayWriter writes every array that is not chunked; anything else is asked.
        """

        __slots__ = ()

        def add(self, source: object, target: object, region: object = None) -> None:
            if type(source) is not np.ndarray:
                super().add(source, target, region)
            elif region:
                target[region] = source  # type: ignore[index]
            else:
                target[...] = source  # type: ignore[index]

    kwargs: dict[str, object] = {"invalid_netcdf": None, "decode_vlen_strings": True, "driver": None,
                                 "format": "NETCDF4"}
    with _netcdf_file_class()(raw, "w", **kwargs) as root:
        for group, ds in ordered:
            # the checks to_netcdf makes before it writes (names, attribute types, unlimited dimensions)
            writers._validate_dataset_names(ds)
            writers._validate_attrs(ds, "h5netcdf", False)
            unlimited = writers._sanitize_unlimited_dims(ds, None)
            node = root  # the group, created as to_netcdf creates it (xarray's _nc4_require_group)
            for part in group.strip("/").split("/") if group else ():
                node = node.groups[part] if part in node.groups else node.create_group(part)
            store = H5NetCDFStore(node, mode="a", lock=HDF5_LOCK)
            writer = NumpyArrayWriter()
            writers.dump_to_store(ds, store, writer, encoding=_encoding(ds, True), unlimited_dims=unlimited)
            writer.sync()
            if raw.error is not None:
                break


@functools.cache
def _netcdf_file_class() -> type:
    """``h5netcdf.File`` whose variables and groups look their HDF5 object up once, not at every use.

    An h5netcdf variable or group finds its h5py object by its path in the file each time it needs
    it (``_h5ds``, ``_h5group``: a dtype, an attribute, a dimension scale, the data) — about 25
    lookups per variable written, 0.14 s of the 0.3 s of CPU that writing a run's 100 variables
    took (issue 19).  Variables and groups are created before their h5netcdf objects and are never
    replaced while the file is open (h5netcdf replaces only the placeholder datasets of dimensions,
    which are neither), so the first lookup can stand for the rest; once the file is closed, the
    lookup runs (and fails) as before.  Where h5netcdf is laid out otherwise, the plain
    ``h5netcdf.File`` writes.  tests/test_results_io.py checks that the file is the one
    ``to_netcdf`` writes, and that this class is the one used.
    """
    import h5netcdf
    from h5netcdf import core

    find_ds = getattr(core.BaseObject, "_h5ds", None)
    find_group = getattr(h5netcdf.Group, "_h5group", None)
    if not (isinstance(find_ds, property) and isinstance(find_group, property)
            and getattr(h5netcdf.Group, "_variable_cls", None) is core.Variable
            and isinstance(getattr(h5netcdf.Group, "_group_cls", None), property)):  # pragma: no cover
        return h5netcdf.File
    ds_lookup, group_lookup = typing.cast(property, find_ds), typing.cast(property, find_group)

    def found(obj: object, key: str, lookup: property) -> object:
        known = obj.__dict__.get(key)
        if known is None or getattr(obj._root, "_closed", True):  # type: ignore[attr-defined]
            known = obj.__dict__[key] = lookup.fget(obj)  # type: ignore[misc]
        return known

    class Variable(core.Variable):  # type: ignore[misc]
        _h5ds = property(lambda self: found(self, "_found_h5ds", ds_lookup))

    class Group(h5netcdf.Group):  # type: ignore[misc]
        _variable_cls = Variable
        _h5group = property(lambda self: found(self, "_found_h5group", group_lookup))
        _group_cls = property(lambda self: Group)

    class File(h5netcdf.File):  # type: ignore[misc]
        _variable_cls = Variable
        _h5group = property(lambda self: found(self, "_found_h5group", group_lookup))
        _group_cls = property(lambda self: Group)

    return File


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
