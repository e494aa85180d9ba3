"""How a sweep is cut into work: groups that share hourly inputs, and chunks within a group.

The dimensions of a sweep are reordered so that those which change the hourly inputs
(profiles, prices: the site, the load, a tariff, the weather year...) come first; each
combination of them is a *group*, built and validated once.  The remaining dimensions move
only :data:`gpdc.pipeline.COLUMN_FIELDS` — sizes, efficiencies, limits, costs — and every
design of a group runs through the batch kernel over the group's shared profiles.  A
*chunk* is a slab of one group: fixed indices on the leading dimensions and a range on one
dimension, whole along the rest, so that it is one contiguous hyperslab on disk.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gpdc._version import __version__
from gpdc.errors import InputError
from gpdc.pipeline import COLUMN_FIELDS
from gpdc.scenario.load import to_toml
from gpdc.scenario.schema import Scenario
from gpdc.sweeps.spec import Dim, SweepSpec

#: name of the dimension added when the scenario asks for several weather years
WEATHER_DIM = "weather_year"
#: pseudo-field of that dimension (not a scenario field)
WEATHER_FIELD = "weather_year"
#: default number of designs per chunk: ~40 MB of results, a few seconds of work
DEFAULT_CHUNK = 65_536


@dataclass(frozen=True)
class Chunk:
    """One unit of work and of writing.

    Attributes
    ----------
    index : int
        Position in the plan (the ledger's index).
    group : int
        Flat index of the group (the product of the group dimensions).
    start, stop : int
        Flat range of designs within the group's column dimensions.
    selection : tuple of (int or slice)
        Where the chunk sits in the full array, one entry per dimension.
    shape : tuple of int
        The chunk's shape (its slab), one entry per dimension.
    """

    index: int
    group: int
    start: int
    stop: int
    selection: tuple[int | slice, ...]
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        """Number of designs."""
        return self.stop - self.start


def is_column_dim(d: Dim) -> bool:
    """True when every field of the dimension can vary inside one kernel batch."""
    return all(f in COLUMN_FIELDS for f in d.fields)


@dataclass(frozen=True)
class SweepPlan:
    """A checked sweep cut into groups and chunks (picklable: it travels to Dask workers)."""

    base: Scenario
    spec: SweepSpec
    weather_years: tuple[Any, ...]
    group_dims: tuple[Dim, ...]
    column_dims: tuple[Dim, ...]
    chunk_size: int
    chunks: tuple[Chunk, ...] = field(default=())

    @property
    def dims(self) -> tuple[Dim, ...]:
        """All dimensions in the order of the results (group dimensions first)."""
        return self.group_dims + self.column_dims

    @property
    def shape(self) -> tuple[int, ...]:
        """Points per dimension."""
        return tuple(d.size for d in self.dims)

    @property
    def size(self) -> int:
        """Number of designs (weather years included)."""
        return math.prod(self.shape)

    @property
    def group_shape(self) -> tuple[int, ...]:
        """Points per group dimension."""
        return tuple(d.size for d in self.group_dims)

    @property
    def column_shape(self) -> tuple[int, ...]:
        """Points per column dimension."""
        return tuple(d.size for d in self.column_dims)

    @property
    def n_groups(self) -> int:
        """Number of groups."""
        return math.prod(self.group_shape)

    def group_values(self, g: int) -> tuple[dict[str, Any], Any]:
        """The field values of group ``g`` and its weather year (None for a single year)."""
        idx = np.unravel_index(g, self.group_shape) if self.group_dims else ()
        values: dict[str, Any] = {}
        year = self.weather_years[0] if len(self.weather_years) == 1 else None
        for d, i in zip(self.group_dims, idx, strict=True):
            for f, v in d.point(int(i)).items():
                if f == WEATHER_FIELD:
                    year = v
                else:
                    values[f] = v
        return values, year

    def columns(self, chunk: Chunk) -> dict[str, np.ndarray]:
        """The values of each column field for the designs of a chunk, in C order."""
        if not self.column_dims:
            return {}
        idx = np.unravel_index(np.arange(chunk.start, chunk.stop), self.column_shape)
        out: dict[str, np.ndarray] = {}
        for d, ii in zip(self.column_dims, idx, strict=True):
            for f, vals in zip(d.fields, d.values, strict=True):
                out[f] = _column(vals)[ii]
        return out

    def fingerprint(self) -> str:
        """SHA-256 of everything that decides the results file's content and layout."""
        h = hashlib.sha256()
        for part in (__version__, to_toml(self.base), self.spec.canonical(), repr(self.weather_years),
                     repr([d.name for d in self.dims]), str(self.chunk_size)):
            h.update(part.encode())
            h.update(b"\0")
        return h.hexdigest()

    def iter_chunks(self) -> Iterator[Chunk]:
        """The chunks in order."""
        return iter(self.chunks)


def _column(values: tuple[Any, ...]) -> np.ndarray:
    """A field's values as a design column: bool, float64, else object (None and text kept as they are).

    Unlike a coordinate (:func:`gpdc.sweeps.spec.coord_array`, which writes text), a column
    must keep ``None`` ("unset") for the pipeline to resolve.
    """
    if all(isinstance(v, bool) for v in values):
        return np.array(values, dtype=bool)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.float64)
    return np.array(values, dtype=object)


def _column_chunks(shape: tuple[int, ...], target: int) -> list[tuple[int, int, tuple[int | slice, ...], tuple[int, ...]]]:
    """Cut a C-ordered block of ``shape`` into contiguous slabs of about ``target`` points."""
    if not shape:
        return [(0, 1, (), ())]
    m = len(shape)
    tail = [math.prod(shape[k + 1:]) for k in range(m)]
    k = next((i for i in range(m) if tail[i] <= target), m - 1)
    step = max(1, target // tail[k])
    out = []
    for prefix in np.ndindex(*shape[:k]):
        for a in range(0, shape[k], step):
            b = min(a + step, shape[k])
            start = int(np.ravel_multi_index((*prefix, a, *([0] * (m - k - 1))), shape))
            size = (b - a) * tail[k]
            sel: tuple[int | slice, ...] = (*(int(i) for i in prefix), slice(a, b), *([slice(None)] * (m - k - 1)))
            slab = (*([1] * k), b - a, *shape[k + 1:])
            out.append((start, start + size, sel, slab))
    return out


def make_plan(base: Scenario, spec: SweepSpec, weather_years: list[Any] | tuple[Any, ...] = (None,),
              chunk_size: int = DEFAULT_CHUNK) -> SweepPlan:
    """Order the dimensions, form groups and cut chunks (the spec must be checked first)."""
    if chunk_size < 1:
        raise InputError(f"chunk_size = {chunk_size} is invalid: must be >= 1")
    years = tuple(weather_years) or (None,)
    group_dims = [d for d in spec.dims if not is_column_dim(d)]
    column_dims = [d for d in spec.dims if is_column_dim(d)]
    if len(years) > 1:
        group_dims.insert(0, Dim(WEATHER_DIM, (WEATHER_FIELD,), (years,)))
    plan = SweepPlan(base, spec, years, tuple(group_dims), tuple(column_dims), chunk_size)
    n_groups = plan.n_groups
    slabs = _column_chunks(plan.column_shape, chunk_size)
    chunks: list[Chunk] = []
    for g in range(n_groups):
        gidx = tuple(int(i) for i in np.unravel_index(g, plan.group_shape)) if plan.group_dims else ()
        for start, stop, sel, slab in slabs:
            chunks.append(Chunk(len(chunks), g, start, stop, (*gidx, *sel), (*([1] * len(gidx)), *slab)))
    return SweepPlan(base, spec, years, tuple(group_dims), tuple(column_dims), chunk_size, tuple(chunks))
