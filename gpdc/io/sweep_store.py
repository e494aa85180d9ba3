"""The results file of a sweep: laid out in full before work starts, filled chunk by chunk.

Layout (netCDF4-compatible HDF5, readable by ``xarray.open_dataset(engine="h5netcdf")``):

* one dimension per sweep dimension (a Python identifier), its coordinate a dimension scale;
  a dimension that moves several fields also has one coordinate per field along it (named
  like a dimension, the field path in its ``field`` attribute);
* every result variable as an N-dimensional float64 array (booleans as int8 with
  ``dtype = "bool"``), allocated and filled with NaN / 0 when the file is created;
* ``finished`` (int8 over the sweep dimensions): 1 where a design's values are written;
* the group ``sweep_ledger``: ``chunk_done`` (int8 per chunk), ``chunk_slab`` (each chunk's
  hyperslab: start and stop on every sweep dimension) and the SHA-256 of each group's hourly
  inputs, checked when a run resumes.

Why this survives ``kill -9``: the file is created complete under a temporary name and
renamed into place; every dataset is contiguous and allocated at creation, so writing a
chunk changes raw data only, never HDF5 metadata.  A chunk is written, flushed, and only
then marked done in the ledger (and flushed again); a chunk caught half-written is simply
not marked and is computed again on the next run, which writes the same values.

The ledger is the only record of what is done: a kill can land after a chunk's values (even
its ``finished`` flags) reached the disk but before its ledger mark, so :func:`open_sweep`
masks every design whose chunk the ledger does not mark done, whatever the raw data holds.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from gpdc.errors import ResultsFileError, argument
from gpdc.io.atomic import atomic_path

LEDGER = "sweep_ledger"
FINISHED = "finished"


@dataclass(frozen=True)
class DimLayout:
    """One dimension on disk: its name, coordinate, and other coordinates along it (for multi-field dims)."""

    name: str
    coord: np.ndarray
    aux: Mapping[str, tuple[np.ndarray, Mapping[str, str]]]  # name -> (values along the dimension, attributes)
    attrs: Mapping[str, str]


@dataclass(frozen=True)
class VarLayout:
    """One result variable on disk."""

    name: str
    dtype: str  # "float64" or "bool"
    attrs: Mapping[str, str]
    trailing: tuple[str, ...] = ()  # dimensions after the sweep's, e.g. ("product",)


def _h5_array(values: np.ndarray) -> tuple[np.ndarray, dict[str, str]]:
    """Coordinates as HDF5 can hold them: strings as UTF-8, bools as int8 marked bool."""
    if values.dtype == object or values.dtype.kind in "US":
        return np.array([str(v) for v in values], dtype=h5py.string_dtype()), {}
    if values.dtype == bool:
        return values.astype(np.int8), {"dtype": "bool"}
    return values, {}


def _dcpl(fill: float | int, dtype: np.dtype) -> h5py.h5p.PropDCID:
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)  # storage exists from the start: later writes are raw data only
    dcpl.set_fill_time(h5py.h5d.FILL_TIME_ALLOC)
    dcpl.set_fill_value(np.array(fill, dtype=dtype))
    return dcpl


def slab_bounds(selection: Sequence[int | slice], shape: Sequence[int]) -> np.ndarray:
    """Return a chunk's hyperslab as int64[ndim, 2] (start, stop) from its selection (ints and slices)."""
    out = np.zeros((len(shape), 2), dtype=np.int64)
    for k, (sel, n) in enumerate(zip(selection, shape, strict=True)):
        if isinstance(sel, slice):
            start, stop, step = sel.indices(n)
            if step != 1:
                raise ValueError(f"chunk selection {selection} is not a contiguous slab (step {step})")
            out[k] = (start, stop)
        else:
            out[k] = (int(sel), int(sel) + 1)
    return out


def create(
    path: Path,
    dims: Sequence[DimLayout],
    variables: Sequence[VarLayout],
    chunk_selections: Sequence[Sequence[int | slice]],
    n_groups: int,
    attrs: Mapping[str, Any],
    extra_dims: Sequence[DimLayout] = (),
) -> None:
    """Create the complete, empty results file atomically (temporary name, then rename).

    ``chunk_selections`` holds each chunk's place in the sweep (one int or slice per sweep
    dimension), recorded in the ledger so that a reader can tell done designs from undone
    ones without the plan.  ``extra_dims`` are dimensions some variables have after the
    sweep's (e.g. ``product``).
    """
    shape = tuple(len(d.coord) for d in dims)
    n_chunks = len(chunk_selections)
    names = [d.name for d in dims]
    trailing_dims = {d.name: d for d in extra_dims}
    with atomic_path(path, "sweep results") as tmp, h5py.File(tmp, "w") as f:
        for k, v in attrs.items():
            f.attrs[k] = v
        scales = []
        for d in (*dims, *extra_dims):
            data, extra = _h5_array(np.asarray(d.coord))
            ds = f.create_dataset(d.name, data=data)
            ds.make_scale(d.name)
            ds.attrs.update({**d.attrs, **extra})
            scales.append(ds)
        aux = []
        for d, scale in zip((*dims, *extra_dims), scales, strict=True):
            for name, (vals, aux_attrs) in d.aux.items():
                data, extra = _h5_array(np.asarray(vals))
                ds = f.create_dataset(name, data=data)
                ds.dims[0].attach_scale(scale)
                ds.attrs.update({**aux_attrs, **extra})
                aux.append(name)
        scale_of = dict(zip([d.name for d in (*dims, *extra_dims)], scales, strict=True))
        aux_of = {d.name: list(d.aux) for d in (*dims, *extra_dims)}

        def make(name: str, dtype: np.dtype, fill: float | int, attrs_: Mapping[str, str],
                 trailing: tuple[str, ...] = ()) -> None:
            full = shape + tuple(len(trailing_dims[t].coord) for t in trailing)
            dset = h5py.Dataset(h5py.h5d.create(
                f.id, name.encode(), h5py.h5t.py_create(dtype), h5py.h5s.create_simple(full or (1,)),
                dcpl=_dcpl(fill, dtype)))
            for i, dname in enumerate((*names, *trailing)):
                dset.dims[i].attach_scale(scale_of[dname])
            dset.attrs.update(attrs_)
            coords = [c for dname in (*names, *trailing) for c in aux_of[dname]]
            if coords:
                dset.attrs["coordinates"] = " ".join(coords)

        for v in variables:
            if v.dtype == "bool":
                make(v.name, np.dtype(np.int8), 0, {**v.attrs, "dtype": "bool"}, v.trailing)
            else:
                make(v.name, np.dtype(np.float64), np.nan, v.attrs, v.trailing)
        make(FINISHED, np.dtype(np.int8), 0, {"long_name": "1 where this design's values are written",
                                            "units": "1", "dtype": "bool"})
        ledger = f.create_group(LEDGER)
        ledger.create_dataset("chunk_done", shape=(n_chunks,), dtype=np.int8, fillvalue=0,
                              dcpl=_dcpl(0, np.dtype(np.int8)))
        slabs = np.zeros((n_chunks, len(shape), 2), dtype=np.int64)
        for i, sel in enumerate(chunk_selections):
            slabs[i] = slab_bounds(sel, shape)
        slab = ledger.create_dataset("chunk_slab", data=slabs)
        slab.attrs["long_name"] = "each chunk's hyperslab: [start, stop) on every sweep dimension, in file order"
        sha = ledger.create_dataset("group_inputs_sha256", shape=(n_groups, 32), dtype=np.uint8,
                                    dcpl=_dcpl(0, np.dtype(np.uint8)))
        sha.attrs["long_name"] = "SHA-256 of each group's hourly inputs and resolved numbers"
        f.attrs["sweep_dims"] = json.dumps(names)


class Store:
    """An open sweep results file, written one chunk at a time by one process."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.f = h5py.File(self.path, "r+")
        except OSError as exc:
            raise ResultsFileError(
                f"cannot open {self.path} to write sweep results: {exc} (is it open in another program or notebook?)"
            ) from None
        self.done = np.array(self.f[LEDGER]["chunk_done"][...], dtype=bool)
        self.digests = [bytes(row).hex() if row.any() else "" for row in self.f[LEDGER]["group_inputs_sha256"][...]]

    def check_group(self, g: int, digest: str) -> None:
        """Refuse to mix results computed from different hourly inputs in one file."""
        known = self.digests[g]
        if known and known != digest:
            raise ResultsFileError(
                f"{self.path}: the hourly inputs of group {g} differ from those its finished chunks were computed "
                f"with (a profile or tariff file changed?); rerun with {argument('overwrite=True', '--overwrite')} to start again"
            )

    def write(self, index: int, selection: tuple[int | slice, ...], group: int, digest: str,
              values: Mapping[str, np.ndarray]) -> None:
        """Write one chunk's values, flush, then mark it done in the ledger and flush again."""
        self.write_values(selection, group, digest, values)
        self.mark_done(index, group, digest)

    def write_values(self, selection: tuple[int | slice, ...], group: int, digest: str,
                     values: Mapping[str, np.ndarray]) -> None:
        """Write one chunk's values and its ``finished`` flags, and flush (the chunk is not done yet)."""
        self.check_group(group, digest)
        sel = selection if selection else (0,)
        for name, arr in values.items():
            ds = self.f[name]
            a = np.asarray(arr)
            if a.dtype == bool:
                a = a.astype(np.int8)
            full = sel + (slice(None),) * (ds.ndim - len(sel))
            ds[full] = a.reshape(ds[full].shape) if a.ndim else a
        fin = self.f[FINISHED]
        fin[sel] = np.ones(fin[sel].shape, dtype=np.int8)
        self.f.flush()

    def mark_done(self, index: int, group: int, digest: str) -> None:
        """Record chunk ``index`` (and its group's input digest) as done in the ledger, and flush."""
        if not self.digests[group]:
            self.f[LEDGER]["group_inputs_sha256"][group] = np.frombuffer(bytes.fromhex(digest), dtype=np.uint8)
            self.digests[group] = digest
        self.f[LEDGER]["chunk_done"][index] = 1
        self.f.flush()
        self.done[index] = True

    def close(self) -> None:
        """Close the file."""
        self.f.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_attrs(path: Path) -> dict[str, Any]:
    """The root attributes of an existing file (ResultsFileError if it is not readable)."""
    try:
        with h5py.File(path, "r") as f:
            return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    except OSError as exc:
        raise ResultsFileError(f"cannot read {path}: {exc}") from None


def progress(path: Path) -> tuple[int, int]:
    """(chunks done, chunks in all) of a sweep file."""
    with h5py.File(path, "r") as f:
        done = f[LEDGER]["chunk_done"][...]
    return int(done.sum()), int(done.size)


def done_mask(path: Path) -> np.ndarray:
    """Return True for each design whose chunk the ledger marks done, bool over the sweep dimensions.

    Files written before the ledger recorded each chunk's slab fall back to ``finished``.
    """
    with h5py.File(path, "r") as f:
        names = json.loads(f.attrs["sweep_dims"])
        shape = tuple(int(f[n].shape[0]) for n in names)
        ledger = f[LEDGER]
        if "chunk_slab" not in ledger:
            fin = np.asarray(f[FINISHED][...], dtype=bool)
            return fin.reshape(shape) if shape else fin.reshape(())
        done = np.asarray(ledger["chunk_done"][...], dtype=bool)
        slabs = np.asarray(ledger["chunk_slab"][...])
    mask = np.zeros(shape, dtype=bool)
    for i in np.flatnonzero(done):
        mask[tuple(slice(int(a), int(b)) for a, b in slabs[i])] = True
    return mask


def _identifier_names(ds: Any) -> Any:
    """Files of gpdc before 0.1 named dimensions by field path (``storage.energy_mwh``): rename them as now."""
    old = {str(n): str(n).replace(".", "_") for n in ds.variables if "." in str(n)}
    if not old:
        return ds
    ds = ds.rename(old)
    for dotted, name in old.items():
        ds[name].attrs.setdefault("field", dotted)
    if "sweep_dims" in ds.attrs:
        ds.attrs["sweep_dims"] = json.dumps([n.replace(".", "_") for n in json.loads(str(ds.attrs["sweep_dims"]))])
    return ds


def open_sweep(path: str | Path, allow_partial: bool = False) -> Any:
    """Open a sweep results file as an xarray Dataset with the sweep dimensions as coordinates.

    With ``allow_partial`` an unfinished file opens too, with a warning: every variable is
    NaN wherever the design's chunk is not marked done in the ledger (booleans become
    float64 1/0/NaN there), whatever the raw data holds, and ``finished`` follows the ledger.

    Raises
    ------
    ResultsFileError
        If the file is missing or not a sweep, or (unless ``allow_partial``) unfinished.
    """
    import xarray as xr

    path = Path(path)
    if not path.exists():
        raise ResultsFileError(f"results file {path} does not exist")
    done, total = progress(path)
    partial = done < total
    if partial:
        msg = f"{path}: sweep unfinished ({done} of {total} chunks); rerun the same command to finish it"
        if not allow_partial:
            raise ResultsFileError(msg + ", or open it with allow_partial=True")
        warnings.warn(msg + "; unfinished designs are NaN (finished == False)", stacklevel=2)
    try:
        ds = xr.open_dataset(path, engine="h5netcdf")
    except (OSError, ValueError) as exc:
        raise ResultsFileError(f"cannot read {path} as a gpdc sweep: {exc}") from None
    ds = _identifier_names(ds)
    if not partial:
        return ds
    names = json.loads(str(ds.attrs["sweep_dims"]))  # identifiers (renamed above for older files)
    finished = xr.DataArray(done_mask(path), dims=names, attrs=dict(ds[FINISHED].attrs))
    finished.attrs.pop("dtype", None)
    with ds:
        masked = ds.drop_vars(FINISHED).where(finished)
        masked[FINISHED] = finished
        masked = masked.load()
    for name in masked.data_vars:  # where() keeps no encoding that names a bool dtype any more
        masked[name].encoding.pop("dtype", None)
    return masked
