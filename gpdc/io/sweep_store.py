"""The results file of a sweep: laid out in full before work starts, filled chunk by chunk.

Layout (netCDF4-compatible HDF5, readable by ``xarray.open_dataset(engine="h5netcdf")``):

* one dimension per sweep dimension (a Python identifier), its coordinate a dimension scale;
  a dimension that moves several fields also has one coordinate per field along it (named
  like a dimension, the field path in its ``field`` attribute);
* every result variable as an N-dimensional float64 array (booleans as int8 with
  ``dtype = "bool"``), allocated when the file is created but not filled: its fill value
  (NaN / 0) is recorded, yet the raw data of a chunk not yet written is whatever the disk
  holds (zeros in a new file) — the ledger says which designs are valid, and the readers
  mask the rest (writing the fill values cost as much as the sweep's HDF5 writes: 645 MB at
  10^6 designs); the flags below are filled;
* ``finished`` (int8 over the sweep dimensions): 1 where a design is done — computed, or
  failed for a reason recorded in the file;
* ``status`` (int8: 0 not computed, 1 computed, 2 failed) and ``failure`` (int32: the row of
  ``sweep_ledger/failure_message`` that says why a design failed, -1 for none);
* the group ``sweep_ledger``: ``chunk_done`` (int8 per chunk), ``chunk_slab`` (each chunk's
  hyperslab: start and stop on every sweep dimension), ``chunk_crc32`` (a CRC-32 of each done
  chunk's slab of every variable, in the order of the attribute ``checksum_variables``),
  ``failure_message`` (the distinct reasons designs failed, UTF-8) and the SHA-256 of each
  group's hourly inputs, checked when a run resumes.

Why this survives ``kill -9``: the file is created complete under a temporary name and
renamed into place; every dataset is contiguous and allocated at creation, so writing a
chunk changes raw data only, never HDF5 metadata.  A chunk's values are written and flushed,
then its checksum, and only then is it marked done in the ledger (and flushed again); a chunk
caught half-written is simply not marked and is computed again on the next run, which writes
the same values.

The ledger is the only record of what is done: a kill can land after a chunk's values (even
its ``finished`` flags) reached the disk but before its ledger mark, so :func:`open_sweep`
masks every design whose chunk the ledger does not mark done, whatever the raw data holds.
And the ledger is checked: every chunk marked done must have its ``finished`` flags, a status
for each design, finite values where a design was computed, and data matching its checksum;
a file that fails a check is refused with the chunk, the designs and what is wrong (a resumed
sweep recomputes such chunks instead).

Why a full disk cannot crash it: the writers open the file through
:class:`gpdc.io.h5file.GuardedFile`, so the HDF5 library never sees a failed write; the
writer stops at the first one with a :class:`~gpdc.errors.WriteError` and every chunk done
before stays done.
"""

from __future__ import annotations

import json
import warnings
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from gpdc.errors import ResultsFileError, argument
from gpdc.io.atomic import NOTHING_REPLACED, atomic_path
from gpdc.io.h5file import GuardedFile, describe_write_error, guarded_h5

LEDGER = "sweep_ledger"
FINISHED = "finished"
STATUS = "status"
FAILURE = "failure"
FAILURE_MESSAGE = "failure_message"
#: format of the sweep file; 2 added status, failure, the failure messages and the chunk checksums
FORMAT = 2
#: design status codes (the variable ``status``)
NOT_COMPUTED, COMPUTED, FAILED = 0, 1, 2
#: bytes of one failure message (UTF-8, cut at a character boundary)
MESSAGE_BYTES = 512
#: variables that are finite for every computed design: a done chunk with NaN there is damaged
SENTINELS = ("gen_avail_mwh", "load_mwh", "project_cost_yuan")
#: the types of the bookkeeping variables as written (result variables: float64, or int8 for booleans)
_DTYPES = {STATUS: (np.dtype(np.int8),), FAILURE: (np.dtype(np.int32),), FINISHED: (np.dtype(np.int8),)}


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


def _dcpl(fill: float | int | None, dtype: np.dtype, write_fill: bool = True) -> h5py.h5p.PropDCID:
    """Early allocation, filled at allocation with ``fill`` (None: HDF5's default, zero bytes).

    ``write_fill=False``: allocated at once all the same, the fill value recorded, but not written.
    """
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)  # storage exists from the start: later writes are raw data only
    dcpl.set_fill_time(h5py.h5d.FILL_TIME_ALLOC if write_fill else h5py.h5d.FILL_TIME_NEVER)
    if fill is not None:
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


def message_capacity(n_groups: int) -> int:
    """Rows of the failure-message table: room for a reason per group and more (distinct reasons only)."""
    return int(min(64 + 2 * n_groups, 65_536))


def _fill_of(dtype: np.dtype) -> float | int:
    if dtype == np.float64:
        return np.nan
    return -1 if dtype == np.int32 else 0


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

    Raises
    ------
    FileLockedError
        If another process is writing ``path``.
    WriteError
        If the disk is full (or a file-size limit or an I/O error stops the write); nothing
        is replaced and the temporary file is removed.
    """
    shape = tuple(len(d.coord) for d in dims)
    n_chunks = len(chunk_selections)
    names = [d.name for d in dims]
    trailing_dims = {d.name: d for d in extra_dims}
    with atomic_path(path, "sweep results") as tmp, guarded_h5(tmp, "w", what="sweep results", target=path,
                                                               consequence=NOTHING_REPLACED) as handle:
        f = handle.file
        for k, v in attrs.items():
            f.attrs[k] = v
        f.attrs["sweep_format"] = FORMAT
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

        def make(name: str, dtype: np.dtype, fill: float | int, attrs_: Mapping[str, Any],
                 trailing: tuple[str, ...] = (), write_fill: bool = True) -> None:
            full = shape + tuple(len(trailing_dims[t].coord) for t in trailing)
            dset = h5py.Dataset(h5py.h5d.create(
                f.id, name.encode(), h5py.h5t.py_create(dtype), h5py.h5s.create_simple(full or (1,)),
                dcpl=_dcpl(fill, dtype, write_fill)))
            for i, dname in enumerate((*names, *trailing)):
                dset.dims[i].attach_scale(scale_of[dname])
            dset.attrs.update(attrs_)
            coords = [c for dname in (*names, *trailing) for c in aux_of[dname]]
            if coords:
                dset.attrs["coordinates"] = " ".join(coords)
            handle.check()  # a full disk stops the layout at once: little is held in memory

        checksummed = []
        for v in variables:
            if v.dtype == "bool":
                make(v.name, np.dtype(np.int8), 0, {**v.attrs, "dtype": "bool"}, v.trailing, write_fill=False)
            else:  # the results: valid where the ledger says, not filled (see the module's docstring)
                make(v.name, np.dtype(np.float64), np.nan, v.attrs, v.trailing, write_fill=False)
            checksummed.append(v.name)
        make(STATUS, np.dtype(np.int8), NOT_COMPUTED, {
            "long_name": "design status: 0 not computed, 1 computed, 2 failed (the reason: failure)", "units": "1",
            "flag_values": np.array([NOT_COMPUTED, COMPUTED, FAILED], dtype=np.int8),
            "flag_meanings": "not_computed computed failed"})
        make(FAILURE, np.dtype(np.int32), -1, {
            "long_name": f"row of {LEDGER}/{FAILURE_MESSAGE} (opened: the variable {FAILURE_MESSAGE}) that says why "
                         "this design failed; -1 if it did not", "units": "1"})
        make(FINISHED, np.dtype(np.int8), 0, {"long_name": "1 where this design is done (computed, or failed: see "
                                                           "status)", "units": "1", "dtype": "bool"})
        checksummed += [STATUS, FAILURE, FINISHED]
        ledger = f.create_group(LEDGER)
        ledger.attrs["checksum_variables"] = json.dumps(checksummed)
        ledger.create_dataset("chunk_done", shape=(n_chunks,), dtype=np.int8, fillvalue=0,
                              dcpl=_dcpl(0, np.dtype(np.int8)))
        crc = ledger.create_dataset("chunk_crc32", shape=(n_chunks,), dtype=np.uint32,
                                    dcpl=_dcpl(0, np.dtype(np.uint32)))
        crc.attrs["long_name"] = ("CRC-32 of each done chunk: its slab of every variable of checksum_variables in "
                                  "that order, as stored (C order, little-endian)")
        slabs = np.zeros((n_chunks, len(shape), 2), dtype=np.int64)
        for i, sel in enumerate(chunk_selections):
            slabs[i] = slab_bounds(sel, shape)
        slab = ledger.create_dataset("chunk_slab", data=slabs)
        slab.attrs["long_name"] = "each chunk's hyperslab: [start, stop) on every sweep dimension, in file order"
        sha = ledger.create_dataset("group_inputs_sha256", shape=(n_groups, 32), dtype=np.uint8,
                                    dcpl=_dcpl(0, np.dtype(np.uint8)))
        sha.attrs["long_name"] = "SHA-256 of each group's hourly inputs and resolved numbers"
        msg_type = np.dtype(f"S{MESSAGE_BYTES}")
        msg = ledger.create_dataset(FAILURE_MESSAGE, shape=(message_capacity(n_groups),), dtype=msg_type,
                                    dcpl=_dcpl(None, msg_type))
        msg.attrs["long_name"] = "the distinct reasons designs failed (UTF-8); status == 2 designs point here"
        f.attrs["sweep_dims"] = json.dumps(names)
        handle.check()


def _encode_message(text: str) -> bytes:
    raw = text.encode("utf-8")[:MESSAGE_BYTES]
    return raw.decode("utf-8", "ignore").encode("utf-8")


# --- reading and checking the ledger ------------------------------------------------------------


def _damaged(path: Path, what: str) -> ResultsFileError:
    return ResultsFileError(f"{path} is not a usable gpdc sweep file: {what}; the file is damaged or was changed "
                            "after gpdc wrote it (rerun the sweep with --overwrite to compute it again)")


@dataclass(frozen=True)
class Ledger:
    """What a sweep file's ledger says, its structure checked (:func:`read_ledger`).

    Attributes
    ----------
    names : list of str
        The sweep dimensions, in order.
    shape : tuple of int
        Points along each.
    done : bool[n_chunks]
        Chunks marked done.
    slabs : int64[n_chunks, ndim, 2]
        Each chunk's [start, stop) on every dimension.
    crc : uint32[n_chunks] or None
        Each done chunk's checksum (None in files written before checksums).
    checksum_variables : list of str
        The variables the checksums cover, in order (empty without checksums).
    messages : list of str
        The failure-message table (empty rows dropped at the end).
    fmt : int
        The file's format (1 before status and checksums).
    """

    names: list[str]
    shape: tuple[int, ...]
    done: np.ndarray
    slabs: np.ndarray
    crc: np.ndarray | None
    checksum_variables: list[str]
    messages: list[str]
    fmt: int

    def selection(self, i: int) -> tuple[slice, ...]:
        """Return the hyperslab of chunk ``i`` as slices."""
        return tuple(slice(int(a), int(b)) for a, b in self.slabs[i])

    def describe(self, i: int) -> str:
        """Chunk ``i`` in words: its index and ranges (``chunk 3 (designs wind.capacity_mw[0:2], ...)``)."""
        ranges = ", ".join(f"{n}[{a}]" if b - a == 1 else f"{n}[{a}:{b}]"
                           for n, (a, b) in zip(self.names, self.slabs[i].tolist(), strict=True))
        return f"chunk {i} (designs {ranges or 'the only design'})"


def _read(f: h5py.File, name: str, path: Path) -> np.ndarray:
    if name not in f:
        raise _damaged(path, f"{name} is missing")
    obj = f[name]
    if not isinstance(obj, h5py.Dataset):
        raise _damaged(path, f"{name} is not a dataset")
    return np.asarray(obj[()])


def _ledger_of(f: h5py.File, path: Path) -> Ledger:
    raw_dims = f.attrs.get("sweep_dims")
    if raw_dims is None or "sweep_fingerprint" not in f.attrs:
        raise ResultsFileError(f"{path} is not a gpdc sweep file (no sweep_dims / sweep_fingerprint attribute)")
    try:
        names = json.loads(raw_dims.decode() if isinstance(raw_dims, bytes) else str(raw_dims))
    except ValueError:
        raise _damaged(path, f"the attribute sweep_dims = {str(raw_dims)[:80]!r} is not a JSON list") from None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise _damaged(path, "the attribute sweep_dims is not a list of dimension names")
    shape = []
    for n in names:
        if n not in f or not isinstance(f[n], h5py.Dataset) or f[n].ndim != 1:
            raise _damaged(path, f"the coordinate of sweep dimension {n!r} is missing or not one-dimensional")
        shape.append(int(f[n].shape[0]))
    full = tuple(shape)
    if LEDGER not in f or not isinstance(f[LEDGER], h5py.Group):
        raise _damaged(path, f"the ledger group {LEDGER} is missing")
    led = f[LEDGER]
    done_raw = _read(led, "chunk_done", path)
    if done_raw.ndim != 1 or done_raw.dtype.kind not in "iub" or done_raw.size == 0:
        raise _damaged(path, f"{LEDGER}/chunk_done has shape {done_raw.shape} and type {done_raw.dtype}; "
                             "expected one integer flag per chunk")
    if not np.isin(done_raw, (0, 1)).all():
        raise _damaged(path, f"{LEDGER}/chunk_done holds {sorted(set(done_raw.tolist()) - {0, 1})[:3]}; "
                             "flags are 0 or 1")
    n = int(done_raw.size)
    fmt = int(f.attrs.get("sweep_format", 1))
    if "chunk_slab" in led:
        slabs = _read(led, "chunk_slab", path)
        if slabs.shape != (n, len(full), 2) or slabs.dtype.kind not in "iu":
            raise _damaged(path, f"{LEDGER}/chunk_slab has shape {slabs.shape}; expected ({n}, {len(full)}, 2) "
                                 f"({n} chunks, {len(full)} sweep dimensions, start and stop)")
        slabs = slabs.astype(np.int64)
        sizes = np.asarray(full, dtype=np.int64)
        bad = (slabs[..., 0] < 0) | (slabs[..., 1] > sizes) | (slabs[..., 0] >= slabs[..., 1])
        if bad.any():
            i = int(np.flatnonzero(bad.any(axis=1))[0])
            raise _damaged(path, f"{LEDGER}/chunk_slab of chunk {i} is {slabs[i].tolist()}, outside the sweep's "
                                 f"shape {full}")
        cover = np.zeros(full, dtype=np.int64)
        for i in range(n):
            cover[tuple(slice(int(a), int(b)) for a, b in slabs[i])] += 1
        if (cover != 1).any():
            at = tuple(int(x[0]) for x in np.nonzero(cover != 1))
            raise _damaged(path, f"the chunks of {LEDGER}/chunk_slab do not tile the sweep: design {at} is in "
                                 f"{int(cover[at])} chunks")
    elif fmt >= 2:
        raise _damaged(path, f"{LEDGER}/chunk_slab is missing")
    else:
        slabs = np.zeros((0, len(full), 2), dtype=np.int64)
    crc = None
    cvars: list[str] = []
    messages: list[str] = []
    if fmt >= 2:
        crc = _read(led, "chunk_crc32", path)
        if crc.shape != (n,):
            raise _damaged(path, f"{LEDGER}/chunk_crc32 has shape {crc.shape}; expected ({n},), one per chunk")
        crc = crc.astype(np.uint32)
        try:
            cvars = json.loads(str(led.attrs["checksum_variables"]))
        except (KeyError, ValueError):
            raise _damaged(path, f"the attribute checksum_variables of {LEDGER} is missing or not JSON") from None
        if not isinstance(cvars, list) or not all(isinstance(v, str) for v in cvars) or not cvars:
            raise _damaged(path, f"the attribute checksum_variables of {LEDGER} is not a list of variable names")
        for v in cvars:
            obj = f.get(v)  # looked up once: each h5py lookup builds an object (a hundred variables, twice a sweep)
            if not isinstance(obj, h5py.Dataset):
                raise _damaged(path, f"the variable {v} is missing")
            shape_v = tuple(obj.shape)
            if shape_v[:len(full)] != full:
                raise _damaged(path, f"the variable {v} has shape {shape_v}; the sweep's is {full}")
            want = _DTYPES.get(v, (np.dtype(np.float64), np.dtype(np.int8)))
            if obj.dtype not in want:
                raise _damaged(path, f"the variable {v} has type {obj.dtype}; gpdc writes "
                                     f"{' or '.join(str(w) for w in want)}")
            if v in _DTYPES and len(shape_v) != len(full):
                raise _damaged(path, f"the variable {v} has shape {shape_v}; the sweep's is {full}")
        table = _read(led, FAILURE_MESSAGE, path)
        if table.ndim != 1 or table.dtype.kind != "S" or table.size < 1:
            raise _damaged(path, f"{LEDGER}/{FAILURE_MESSAGE} is not a table of text")
        sha = led.get("group_inputs_sha256")
        if not isinstance(sha, h5py.Dataset) or sha.ndim != 2 or sha.shape[1] != 32 or sha.dtype != np.uint8:
            raise _damaged(path, f"{LEDGER}/group_inputs_sha256 is missing or not 32 bytes per group")
        messages = [bytes(m).decode("utf-8", "replace") for m in table]
        while messages and not messages[-1]:
            messages.pop()
    if FINISHED not in f or tuple(f[FINISHED].shape) != (full or (1,)):
        raise _damaged(path, f"the variable {FINISHED} is missing or has another shape than the sweep's {full}")
    return Ledger(list(names), full, done_raw.astype(bool), slabs, crc, cvars, messages, fmt)


def read_ledger(path: str | Path) -> Ledger:
    """Read a sweep file's ledger and check its structure.

    Raises
    ------
    ResultsFileError
        If the file cannot be read, is not a sweep file, or its ledger is damaged: the message
        names what is missing or of the wrong shape.
    """
    path = Path(path)
    try:
        with h5py.File(path, "r") as f:
            return _ledger_of(f, path)
    except ResultsFileError:
        raise
    except (OSError, KeyError, ValueError, TypeError, RuntimeError, IndexError) as exc:
        raise ResultsFileError(f"cannot read {path} as a gpdc sweep file: {exc}") from None


def _chunk_crc(arrays: Sequence[np.ndarray]) -> int:
    crc = 0
    for a in arrays:
        crc = zlib.crc32(np.ascontiguousarray(a).tobytes(), crc)
    return crc & 0xFFFFFFFF


def verify(path: str | Path, ledger: Ledger | None = None) -> dict[int, str]:
    """Check every chunk the ledger marks done against the data; return ``{chunk: what is wrong}``.

    A done chunk must have ``finished`` set for every design, a status (computed or failed)
    for each, a failure message for each failed design, finite :data:`SENTINELS` where a
    design was computed, and data matching its CRC-32.  Files written before checksums
    (format 1) get the ``finished`` and finite-value checks only.

    Raises
    ------
    ResultsFileError
        If the file cannot be read or its ledger structure is damaged (:func:`read_ledger`).
    """
    path = Path(path)
    led = ledger if ledger is not None else read_ledger(path)
    problems: dict[int, str] = {}
    done = np.flatnonzero(led.done)
    if not done.size:
        return problems
    if led.slabs.shape[0] == 0:  # format 1 without slabs: nothing to check per chunk
        return problems
    sels = {int(i): led.selection(int(i)) for i in done}

    def note(i: int, what: str) -> None:
        problems.setdefault(i, what)

    try:
        with h5py.File(path, "r") as f:
            fin = np.asarray(f[FINISHED][()]).reshape(led.shape)
            status = np.asarray(f[STATUS][()]).reshape(led.shape) if led.fmt >= 2 else None
            failure = np.asarray(f[FAILURE][()]).reshape(led.shape) if led.fmt >= 2 else None
            for i, sel in sels.items():
                if not (fin[sel] == 1).all():
                    note(i, f"is marked done but {int((fin[sel] != 1).sum())} of its designs are not finished")
                if status is not None and failure is not None:
                    st = status[sel]
                    if not np.isin(st, (COMPUTED, FAILED)).all():
                        note(i, "is marked done but some of its designs have no status (neither computed nor failed)")
                    fl = failure[sel][st == FAILED]
                    if fl.size and ((fl < 0) | (fl >= max(len(led.messages), 1))).any():
                        note(i, "has failed designs whose reason is missing from the failure-message table")
            for name in SENTINELS:
                if name not in f:
                    continue
                values = np.asarray(f[name][()]).reshape(led.shape + f[name].shape[len(led.shape):])
                for i, sel in sels.items():
                    v = values[sel]
                    computed = (status[sel] == COMPUTED) if status is not None else np.ones(v.shape[:len(sel)], bool)
                    if not np.isfinite(v[computed]).all():
                        note(i, f"is marked done but {name} is NaN or infinite for designs it computed")
            if led.crc is not None:
                crcs = {i: 0 for i in sels}
                for name in led.checksum_variables:
                    ds = f[name]
                    values = np.asarray(ds[()]).reshape(led.shape + ds.shape[len(led.shape):])
                    for i, sel in sels.items():
                        crcs[i] = zlib.crc32(np.ascontiguousarray(values[sel]).tobytes(), crcs[i])
                for i in sels:
                    want, got = int(led.crc[i]), crcs[i] & 0xFFFFFFFF
                    if want != got:
                        note(i, f"does not match its checksum (CRC-32 stored {want:08x}, of the data {got:08x})")
    except (OSError, KeyError, ValueError, TypeError, RuntimeError, IndexError) as exc:
        raise ResultsFileError(f"cannot read {path} as a gpdc sweep file: {exc}") from None
    return problems


def problems_text(path: Path, led: Ledger, problems: Mapping[int, str], limit: int = 3) -> str:
    """Say the problems of :func:`verify` in words, the first ``limit`` of them named."""
    items = sorted(problems.items())
    shown = "; ".join(f"{led.describe(i)} {what}" for i, what in items[:limit])
    extra = len(items) - limit
    more = f"; and {extra} more chunk{'s' if extra != 1 else ''}" if extra > 0 else ""
    return f"{path}: {shown}{more}"


# --- writing chunks ------------------------------------------------------------------------------


class Store:
    """An open sweep results file, written one chunk at a time by one process.

    The caller holds the file's writer lock (:func:`gpdc.io.lock.writer_lock`).  Writes go
    through a :class:`~gpdc.io.h5file.GuardedFile`: a full disk raises a
    :class:`~gpdc.errors.WriteError` from the chunk being written, and every chunk done
    before stays done.

    Raises
    ------
    ResultsFileError
        If the file cannot be opened, its ledger is damaged, or it was written by an older
        gpdc (without status and checksums).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.ledger = read_ledger(self.path)
        if self.ledger.fmt < FORMAT:
            raise ResultsFileError(f"{self.path} was written by an older gpdc (sweep file format "
                                   f"{self.ledger.fmt}, without checksums); rerun with --overwrite to compute it again")
        try:
            self.raw = GuardedFile(self.path, create=False)
        except OSError as exc:
            raise ResultsFileError(f"cannot open {self.path} to write sweep results: {exc.strerror or exc}") from None
        try:
            self.f = h5py.File(self.raw, "r+")
        except (OSError, ValueError) as exc:
            self.raw.close()
            raise ResultsFileError(f"cannot open {self.path} to write sweep results: {exc}") from None
        self.done = self.ledger.done.copy()
        self.digests = [bytes(row).hex() if row.any() else "" for row in self.f[LEDGER]["group_inputs_sha256"][...]]
        self.messages = {m: k for k, m in enumerate(self.ledger.messages) if m}
        self.n_message_rows = int(self.f[LEDGER][FAILURE_MESSAGE].shape[0])
        self._index_of = {tuple(map(tuple, s.tolist())): i for i, s in enumerate(self.ledger.slabs)}
        # each checksummed variable's low-level dataset, shape and type, looked up once: through h5py's
        # high-level objects a chunk's ~100 lookups and slab writes cost 86 ms, more than computing it
        self._datasets: dict[str, tuple[Any, tuple[int, ...], np.dtype]] = {}
        for name in self.ledger.checksum_variables:
            ds = self.f[name]
            self._datasets[name] = (ds.id, tuple(ds.shape), ds.dtype)
        self._ledger_ds = {k: self.f[LEDGER][k] for k in ("chunk_crc32", "chunk_done", "group_inputs_sha256")}
        self._closed = False

    def _check(self) -> None:
        if self.raw.error is not None:
            n = int(self.done.sum())
            raise describe_write_error(
                self.raw.error, self.path, "sweep results",
                f"the {n} chunk{'s' if n != 1 else ''} done before {'are' if n != 1 else 'is'} kept: free some space "
                "and rerun the same command to resume the sweep")

    def check_group(self, g: int, digest: str) -> None:
        """Refuse to mix results computed from different hourly inputs in one file."""
        known = self.digests[g]
        if digest and known and known != digest:
            raise ResultsFileError(
                f"{self.path}: the hourly inputs of group {g} differ from those its finished chunks were computed "
                f"with (a profile or tariff file changed?); rerun with {argument('overwrite=True', '--overwrite')} to start again"
            )

    def write(self, index: int, selection: tuple[int | slice, ...], group: int, digest: str,
              values: Mapping[str, np.ndarray], failure: np.ndarray | None = None,
              messages: Sequence[str] = ()) -> None:
        """Write one chunk (values, status, checksum), flush, then mark it done in the ledger and flush again."""
        self.write_values(selection, group, digest, values, failure, messages)
        self.mark_done(index, group, digest)

    def _message_rows(self, messages: Sequence[str]) -> np.ndarray:
        """Rows of the message table for the chunk's messages (new ones written; the last row takes the overflow)."""
        table = self.f[LEDGER][FAILURE_MESSAGE]
        rows = np.empty(len(messages), dtype=np.int32)
        for k, text in enumerate(messages):
            text = _encode_message(text).decode("utf-8")
            row = self.messages.get(text)
            if row is None:
                used = len(self.messages)
                if used < self.n_message_rows - 1:
                    row = used
                    table[row] = _encode_message(text)
                    self.messages[text] = row
                else:
                    row = self.n_message_rows - 1
                    overflow = (f"more distinct failure reasons than this file's table holds "
                                f"({self.n_message_rows - 1}); the log of the run lists them")
                    if overflow not in self.messages:
                        table[row] = _encode_message(overflow)
                        self.messages[overflow] = row
            rows[k] = row
        return rows

    def write_values(self, selection: tuple[int | slice, ...], group: int, digest: str,
                     values: Mapping[str, np.ndarray], failure: np.ndarray | None = None,
                     messages: Sequence[str] = ()) -> None:
        """Write one chunk's values, status and ``finished`` flags, flush, then its checksum, and flush again.

        ``failure`` (int, the chunk's shape) gives, for each design, the index in ``messages``
        of the reason it failed, or -1 where it was computed (None: every design computed).
        Variables missing from ``values`` (all of them when a whole group failed) are written
        with their fill value, so that the slab on disk is what the checksum covers.  The
        chunk is not done until :meth:`mark_done`.
        """
        self.check_group(group, digest)
        if not selection:
            raise ResultsFileError(f"{self.path}: a chunk of a sweep without dimensions cannot be written")
        bounds = slab_bounds(selection, self.ledger.shape)
        index = self._index_of.get(tuple(map(tuple, bounds.tolist())))
        if index is None:
            raise ResultsFileError(f"{self.path}: no chunk of the ledger has the slab {bounds.tolist()}")
        sel = tuple(slice(int(a), int(b)) for a, b in bounds)
        shape = tuple(int(b - a) for a, b in bounds)
        if failure is None:
            status = np.full(shape, COMPUTED, dtype=np.int8)
            codes = np.full(shape, -1, dtype=np.int32)
        else:
            local = np.asarray(failure, dtype=np.int64).reshape(shape)
            rows = self._message_rows(messages)
            status = np.where(local >= 0, FAILED, COMPUTED).astype(np.int8)
            codes = (np.where(local >= 0, rows[np.clip(local, 0, len(rows) - 1)], -1) if len(rows)
                     else np.full(shape, -1)).astype(np.int32)
        written: dict[str, np.ndarray] = {}
        for name in self.ledger.checksum_variables:
            dsid, ds_shape, ds_dtype = self._datasets[name]
            slab_shape = shape + ds_shape[len(sel):]
            a: np.ndarray
            if name == STATUS:
                a = status.reshape(slab_shape)
            elif name == FAILURE:
                a = codes.reshape(slab_shape)
            elif name == FINISHED:
                a = np.ones(slab_shape, dtype=np.int8)
            elif name in values:
                a = np.asarray(values[name])
                a = (a.astype(np.int8) if a.dtype == bool else a).astype(ds_dtype, copy=False)
                a = a.reshape(slab_shape) if a.ndim else np.full(slab_shape, a, dtype=ds_dtype)
            else:
                a = np.full(slab_shape, _fill_of(ds_dtype), dtype=ds_dtype)
            a = np.ascontiguousarray(a, dtype=ds_dtype)
            start = tuple(int(b[0]) for b in bounds) + (0,) * (len(ds_shape) - len(sel))
            fspace = dsid.get_space()
            if slab_shape:
                fspace.select_hyperslab(start, slab_shape)
            # what ds[slab] = a does, minus the lookups
            dsid.write(h5py.h5s.create_simple(slab_shape or (1,)), fspace, a)
            written[name] = a
            self._check()
        self.f.flush()
        self._check()
        crc = _chunk_crc([written[n] for n in self.ledger.checksum_variables])
        self._ledger_ds["chunk_crc32"][index] = np.uint32(crc)
        self.f.flush()
        self._check()

    def mark_done(self, index: int, group: int, digest: str) -> None:
        """Record chunk ``index`` (and its group's input digest) as done in the ledger, and flush."""
        if digest and not self.digests[group]:
            self._ledger_ds["group_inputs_sha256"][group] = np.frombuffer(bytes.fromhex(digest), dtype=np.uint8)
            self.digests[group] = digest
        self._ledger_ds["chunk_done"][index] = 1
        self.f.flush()
        self._check()
        self.done[index] = True

    def unmark(self, chunks: Sequence[int]) -> None:
        """Mark chunks not done (their data failed a check: they are computed again), and flush."""
        for i in chunks:
            self.f[LEDGER]["chunk_done"][int(i)] = 0
            self.done[int(i)] = False
        self.f.flush()
        self._check()

    def close(self) -> None:
        """Close the file (a write error met on the way is raised by the write that met it)."""
        if self._closed:
            return
        self._closed = True
        try:
            self.f.close()
        finally:
            self.raw.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_attrs(path: Path) -> dict[str, Any]:
    """The root attributes of an existing file (ResultsFileError if it is not readable)."""
    try:
        with h5py.File(path, "r") as f:
            return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise ResultsFileError(f"cannot read {path}: {exc}") from None


def progress(path: Path) -> tuple[int, int]:
    """(chunks done, chunks in all) of a sweep file (ResultsFileError if its ledger is damaged)."""
    led = read_ledger(path)
    return int(led.done.sum()), int(led.done.size)


def done_mask(path: Path, ledger: Ledger | None = None) -> np.ndarray:
    """Return True for each design whose chunk the ledger marks done, bool over the sweep dimensions.

    Files written before the ledger recorded each chunk's slab fall back to ``finished``.
    """
    led = ledger if ledger is not None else read_ledger(path)
    if led.slabs.shape[0] == 0:
        with h5py.File(path, "r") as f:
            fin = np.asarray(f[FINISHED][...], dtype=bool)
        return fin.reshape(led.shape) if led.shape else fin.reshape(())
    mask = np.zeros(led.shape, dtype=bool)
    for i in np.flatnonzero(led.done):
        mask[led.selection(int(i))] = True
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


def _checked_ledger(path: Path, allow_partial: bool, verify_data: bool) -> tuple[Ledger, bool]:
    """Check a sweep file as :func:`open_sweep` does before it reads the data; return (ledger, unfinished)."""
    if not path.exists():
        raise ResultsFileError(f"results file {path} does not exist")
    led = read_ledger(path)
    if verify_data:
        problems = verify(path, led)
        if problems:
            raise ResultsFileError(problems_text(path, led, problems) + ": the file was changed or damaged after "
                                   "gpdc wrote it; rerun the same sweep command to recompute those chunks")
    done, total = int(led.done.sum()), int(led.done.size)
    partial = done < total
    if partial:
        msg = f"{path}: sweep unfinished ({done} of {total} chunks); rerun the same command to finish it"
        if not allow_partial:
            raise ResultsFileError(msg + ", or open it with allow_partial=True")
        warnings.warn(msg + "; unfinished designs are NaN (finished == False)", stacklevel=3)
    return led, partial


def open_sweep(path: str | Path, allow_partial: bool = False, verify_data: bool = True) -> Any:
    """Open a sweep results file as an xarray Dataset with the sweep dimensions as coordinates.

    With ``allow_partial`` an unfinished file opens too, with a warning: every variable is
    NaN wherever the design's chunk is not marked done in the ledger (booleans become
    float64 1/0/NaN there), whatever the raw data holds, ``finished`` follows the ledger,
    ``status`` is 0 (not computed) there and ``failure`` -1.  Designs that failed have status
    2 and NaN values; ``failure_message`` (dimension ``failure_reason``) holds the reasons,
    indexed by ``failure``.

    Parameters
    ----------
    path : path
        The sweep file.
    allow_partial : bool
        Open an unfinished sweep (masked by the ledger).
    verify_data : bool
        Check every done chunk against its checksum, its ``finished`` flags and its status
        (reads the whole file once); off only to open a huge file quickly.

    Raises
    ------
    ResultsFileError
        If the file is missing or not a sweep, (unless ``allow_partial``) unfinished, or
        damaged: a chunk marked done whose data do not match its checksum or its flags (the
        message names the chunk and what is wrong), or a ledger of the wrong shape.
    """
    import xarray as xr

    from gpdc.results.lazy_dask import defer_dask_array_type

    path = Path(path)
    led, partial = _checked_ledger(path, allow_partial, verify_data)
    # xarray asks for dask's array type when it indexes the opened variables: that imported dask.array
    # (0.3 s of CPU, a seventh of a 1,000-design `gpdc sweep`, which prints its summary from this file)
    defer_dask_array_type()
    try:
        ds = xr.open_dataset(path, engine="h5netcdf")
    except Exception as exc:  # noqa: BLE001 - its structure passed read_ledger: what fails here is the data's layout
        raise ResultsFileError(f"cannot read {path} as a gpdc sweep: {type(exc).__name__}: {exc}") from None
    if led.fmt >= 2 and led.messages:
        ds = ds.assign({FAILURE_MESSAGE: xr.DataArray(np.array(led.messages, dtype=object), dims=["failure_reason"],
                                                      attrs={"long_name": "why designs failed (indexed by failure)"})})
    ds = _identifier_names(ds)
    if not partial:
        return ds
    try:
        masked = _masked(ds, led, done_mask(path, led))
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        ds.close()
        raise ResultsFileError(f"cannot read {path} as a gpdc sweep: its variables do not follow its dimensions "
                               f"({type(exc).__name__}: {exc})") from None
    for name in masked.data_vars:  # where() keeps no encoding that names a bool dtype any more
        masked[name].encoding.pop("dtype", None)
    return masked


def _masked(ds: Any, led: Ledger, mask: np.ndarray) -> Any:
    """Return the partial view: every variable NaN where the ledger does not mark a design's chunk done."""
    import xarray as xr

    names = [n.replace(".", "_") for n in led.names]  # as _identifier_names renamed them
    finished = xr.DataArray(mask, dims=names, attrs=dict(ds[FINISHED].attrs))
    finished.attrs.pop("dtype", None)
    keep = [n for n in (STATUS, FAILURE, FAILURE_MESSAGE) if n in ds]
    with ds:
        masked = ds.drop_vars([FINISHED, *keep]).where(finished)
        masked[FINISHED] = finished
        if STATUS in ds:
            masked[STATUS] = ds[STATUS].where(finished, NOT_COMPUTED).astype(np.int8)
        if FAILURE in ds:
            masked[FAILURE] = ds[FAILURE].where(finished, -1).astype(np.int32)
        if FAILURE_MESSAGE in ds:
            masked[FAILURE_MESSAGE] = ds[FAILURE_MESSAGE]
        return masked.load()


#: attributes that HDF5's dimension scales and netCDF keep for themselves (xarray shows none of them)
_H5_OWN_ATTRS = frozenset({"CLASS", "NAME", "REFERENCE_LIST", "DIMENSION_LIST", "_Netcdf4Dimid",
                           "_Netcdf4Coordinates", "_nc3_strict", "coordinates"})
#: attributes whose CF decoding xarray would apply (masking, scaling, times): such a file is opened by xarray
_CF_CODED_ATTRS = frozenset({"_FillValue", "missing_value", "scale_factor", "add_offset", "_Unsigned", "calendar"})


def _decoded(dset: h5py.Dataset) -> tuple[np.ndarray, dict[str, Any]] | None:
    """Decode a dataset as xarray does (strings, ``dtype = "bool"``): (values, attributes); None where it does more."""
    attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in dset.attrs.items() if k not in _H5_OWN_ATTRS}
    if _CF_CODED_ATTRS & attrs.keys() or " since " in str(attrs.get("units", "")):
        return None
    # strings: fixed-width str, as xarray decodes them
    values = np.asarray(dset.asstr()[()]).astype(str) if h5py.check_string_dtype(dset.dtype) else np.asarray(dset[()])
    if attrs.pop("dtype", None) == "bool":
        values = values.astype(bool)
    return values, attrs


#: one variable or coordinate read without xarray: (dimensions, values, attributes)
Column = tuple[tuple[str, ...], np.ndarray, dict[str, Any]]


@dataclass(frozen=True)
class SweepColumns:
    """Some variables of a finished sweep as NumPy arrays, with every coordinate: what a summary needs.

    Attributes
    ----------
    variables : dict
        Name -> (dimensions, values, attributes), decoded as xarray decodes them (booleans,
        strings); ``failure_message`` (dimension ``failure_reason``) where designs failed.
    coords : dict
        The coordinates the same way, in the order xarray lists them.
    attrs : dict
        The file's attributes.
    """

    variables: dict[str, Column]
    coords: dict[str, Column]
    attrs: dict[str, Any]


def columns_of(ds: Any, names: Sequence[str]) -> SweepColumns:
    """The :class:`SweepColumns` of an opened sweep Dataset (``names`` it lacks left out)."""
    def column(v: Any) -> Column:
        return tuple(str(d) for d in v.dims), np.asarray(v.values), dict(v.attrs)

    keep = [n for n in (*names, FAILURE_MESSAGE) if n in ds.data_vars]
    return SweepColumns({n: column(ds[n]) for n in dict.fromkeys(keep)},
                        {str(c): column(ds[c]) for c in ds.coords}, dict(ds.attrs))


def _light_read(path: Path, names: Sequence[str]) -> SweepColumns | None:
    """Check a finished sweep as :func:`open_sweep` does and read ``names`` with h5py; None where xarray must."""
    led, _ = _checked_ledger(path, allow_partial=False, verify_data=True)
    if not led.names or any("." in n for n in led.names):
        return None
    try:
        with h5py.File(path, "r") as f:
            read = _variables_of(f, list(names))
    except (OSError, KeyError, ValueError, TypeError, RuntimeError, IndexError) as exc:
        raise ResultsFileError(f"cannot read {path} as a gpdc sweep: {type(exc).__name__}: {exc}") from None
    if read is None:
        return None
    data_vars, coords, attrs = read
    if led.fmt >= 2 and led.messages:  # as open_sweep adds it, after the variables
        data_vars[FAILURE_MESSAGE] = (("failure_reason",), np.array(led.messages, dtype=object),
                                      {"long_name": "why designs failed (indexed by failure)"})
    return SweepColumns(data_vars, coords, attrs)


def sweep_columns(path: str | Path, names: Sequence[str]) -> SweepColumns:
    """Read some variables of a finished sweep (and every coordinate) as NumPy arrays, without xarray.

    What ``open_sweep(path)[names]`` holds, decoded the same way, read with h5py: xarray's
    ``open_dataset`` opens every variable of the file (a hundred; 0.25 s of CPU in a
    1,000-design ``gpdc sweep``) and its import costs 0.15-0.2 s more, for a summary of six
    variables.  The file is checked as :func:`open_sweep` checks it (the ledger, every done
    chunk's checksum; an unfinished sweep is refused); ``failure_message`` is added as
    :func:`open_sweep` adds it.  Files this reader does not decode as xarray would (no sweep
    dimension, dotted names of old files, CF-coded variables) are read through :func:`open_sweep`.

    Raises
    ------
    ResultsFileError
        As :func:`open_sweep` (``allow_partial=False``).  A name the file lacks is left out.
    """
    path = Path(path)
    light = _light_read(path, names)
    if light is not None:
        return light
    with open_sweep(path, verify_data=False) as full:  # checked by _light_read
        return columns_of(full, names)


def _variables_of(f: h5py.File, names: list[str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]] | None:
    """Read variables, their coordinates and the file's attributes; None where xarray would decode more than this.

    Each variable and coordinate as (dims, values, attributes).
    """
    data_vars: dict[str, Any] = {}
    coords: dict[str, Any] = {}
    for name in names:
        if name not in f:  # as ``open_sweep(path)[names]`` would not hold it
            continue
        dset = f[name]
        dims = []
        for axis in dset.dims:
            scales = list(axis.keys())
            if len(scales) != 1:
                return None
            dims.append(str(scales[0]))
        got = _decoded(dset)
        if got is None:
            return None
        data_vars[name] = (tuple(dims), *got)
        aux = str(dset.attrs.get("coordinates", "")).split()
        for c in [*dims, *aux]:
            if c in coords:
                continue
            cset = f[c]
            got = _decoded(cset)
            if got is None:
                return None
            cdims = (c,) if c in dims else tuple(str(list(axis.keys())[0]) for axis in cset.dims)
            coords[c] = (cdims, *got)
    attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items() if k not in _H5_OWN_ATTRS}
    # the coordinates in the file's order, as xarray lists them (a zipped dimension's label prints its fields so)
    order = {k: i for i, k in enumerate(f)}
    return data_vars, dict(sorted(coords.items(), key=lambda kv: order[kv[0]])), attrs


def failures(ds: Any) -> list[tuple[str, int]]:
    """Return the reasons designs failed in an opened sweep and how many designs each stopped, most first."""
    if STATUS not in ds or FAILURE_MESSAGE not in ds:
        return []
    return failure_counts(ds[STATUS].values, ds[FAILURE].values, ds[FAILURE_MESSAGE].values)


def failure_counts(status: np.ndarray, failure: np.ndarray, messages: Any) -> list[tuple[str, int]]:
    """The reasons designs failed and how many designs each stopped, most first, from the status and failure codes."""
    codes = np.asarray(failure)[np.asarray(status) == FAILED]
    if not codes.size:
        return []
    table = [str(m) for m in messages]
    rows, counts = np.unique(codes, return_counts=True)
    out = [(table[r] if 0 <= r < len(table) else f"(reason {r} missing)", int(c)) for r, c in zip(rows, counts,
                                                                                                   strict=True)]
    return sorted(out, key=lambda rc: -rc[1])
