"""Compute one chunk of a sweep: the group's prepared scenario, then its designs through the accounting.

Pure functions of a :class:`~gpdc.sweeps.plan.SweepPlan` and a chunk, so the same code runs
in the driver, in a process pool or on a Dask worker.  Each process keeps the prepared inputs
of the groups it has built (profiles take about a second), keyed by the plan's fingerprint.

A design that cannot be computed does not stop the sweep: :func:`chunk_task` records why.  A
group whose inputs cannot be built (its profiles, say, cannot reach the full-load hours asked
for) fails all its designs with that reason; a chunk whose batch raises is run again design by
design, so that only the designs at fault fail.  Only gpdc's own errors (:class:`GpdcError`:
bad input found late) are recorded so; any other exception is a bug and stops the sweep.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gpdc.accounting.derive import Dispatched, dispatch
from gpdc.backends import check_here, using
from gpdc.errors import GpdcError
from gpdc.pipeline import Design, Prepared, build_profiles, prepare
from gpdc.profiles import ProfileSet
from gpdc.scenario.schema import Scenario
from gpdc.sweeps.plan import Chunk, SweepPlan
from gpdc.sweeps.spec import apply

#: profile-defining fields: whole sections, and every wind/solar field but the rating
_PROFILE_SECTIONS = ("site", "load", "profiles")


def profile_key(sc: Scenario, weather_year: Any) -> str:
    """Identify the profiles a scenario builds: equal keys, equal profiles."""
    data = sc.model_dump()
    parts: dict[str, Any] = {k: data[k] for k in _PROFILE_SECTIONS}
    parts["wind"] = {k: v for k, v in data["wind"].items() if k != "capacity_mw"}
    parts["solar"] = {k: v for k, v in data["solar"].items() if k != "capacity_mw"}
    parts["seed"] = data["seed"]
    parts["weather_year"] = weather_year
    return repr(sorted(parts.items()))


_PROFILES: OrderedDict[str, ProfileSet] = OrderedDict()
_GROUPS: OrderedDict[tuple[str, int], Prepared] = OrderedDict()
_FAILED_GROUPS: OrderedDict[tuple[str, int], str] = OrderedDict()
_CACHE_SIZE = 8


def _profiles(sc: Scenario, weather_year: Any) -> ProfileSet:
    key = profile_key(sc, weather_year)
    if key in _PROFILES:
        _PROFILES.move_to_end(key)
        return _PROFILES[key]
    prof = build_profiles(sc, weather_year)
    _PROFILES[key] = prof
    if len(_PROFILES) > _CACHE_SIZE:
        _PROFILES.popitem(last=False)
    return prof


def prepare_group(sc: Scenario, weather_year: Any = None) -> Prepared:
    """The prepared inputs of one scenario in one weather year, profiles shared with equal scenarios."""
    return prepare(sc, weather_year, _profiles(sc, weather_year))


def group_inputs(plan: SweepPlan, g: int) -> Prepared:
    """Build (or fetch from this process's cache) the prepared inputs of group ``g``."""
    key = (plan.fingerprint(), g)
    if key in _GROUPS:
        _GROUPS.move_to_end(key)
        return _GROUPS[key]
    values, year = plan.group_values(g)
    prepared = prepare_group(apply(plan.base, values) if values else plan.base, year)
    _GROUPS[key] = prepared
    if len(_GROUPS) > _CACHE_SIZE:
        _GROUPS.popitem(last=False)
    return prepared


def dispatch_columns(prepared: Prepared, columns: dict[str, np.ndarray] | None = None) -> Dispatched:
    """Run the designs given by ``columns`` (field -> values) through the kernel.

    The first half of :func:`evaluate_columns`.
    """
    return dispatch(prepared, Design(prepared.resolved, columns or None))


def account(dispatched: Dispatched) -> dict[str, np.ndarray]:
    """Derive every result variable of dispatched designs, each [n] or [n, k].

    The second half of :func:`evaluate_columns`: no kernel call.
    """
    return dispatched.results()


def evaluate_columns(prepared: Prepared, columns: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Every result variable of the designs given by ``columns`` (field -> values), each [n] or [n, k]."""
    return account(dispatch_columns(prepared, columns))


def _slabs(chunk: Chunk, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: np.asarray(v).reshape(chunk.shape + np.asarray(v).shape[1:]) for name, v in values.items()}


def compute_chunk(plan: SweepPlan, chunk: Chunk, prepared: Prepared | None = None) -> dict[str, np.ndarray]:
    """Run the designs of one chunk; each result variable shaped like the chunk's slab."""
    prepared = prepared if prepared is not None else group_inputs(plan, chunk.group)
    return _slabs(chunk, evaluate_columns(prepared, plan.columns(chunk) if plan.column_dims else None))


@dataclass(frozen=True)
class ChunkResult:
    """What a worker returns for one chunk.

    Attributes
    ----------
    index : int
        The chunk.
    digest : str
        SHA-256 of the group's hourly inputs ("" when the group could not be built).
    values : dict
        Result variables shaped like the chunk's slab (NaN / False for failed designs; empty
        when no design of the chunk could be computed).
    failure : ndarray of int or None
        Per design, the index in ``messages`` of the reason it failed, -1 where it was
        computed; None when every design was computed.
    messages : tuple of str
        The distinct reasons.
    """

    index: int
    digest: str
    values: dict[str, np.ndarray]
    failure: np.ndarray | None = None
    messages: tuple[str, ...] = field(default=())

    @property
    def n_failed(self) -> int:
        """Number of designs that failed."""
        return 0 if self.failure is None else int((self.failure >= 0).sum())


def _reason(exc: GpdcError) -> str:
    return str(exc).strip() or type(exc).__name__


def _group_or_reason(plan: SweepPlan, g: int) -> Prepared | str:
    """Return the group's prepared inputs, or why they cannot be built (remembered per process)."""
    key = (plan.fingerprint(), g)
    if key in _FAILED_GROUPS:
        return _FAILED_GROUPS[key]
    try:
        return group_inputs(plan, g)
    except GpdcError as exc:
        values, year = plan.group_values(g)
        where = ", ".join(f"{k}={v!r}" for k, v in values.items())
        if year is not None:
            where = f"{where}, weather_year={year!r}" if where else f"weather_year={year!r}"
        reason = f"inputs of the group {where or '(base scenario)'} cannot be built: {_reason(exc)}"
        _FAILED_GROUPS[key] = reason
        if len(_FAILED_GROUPS) > 4 * _CACHE_SIZE:
            _FAILED_GROUPS.popitem(last=False)
        return reason


def _one_by_one(plan: SweepPlan, chunk: Chunk, prepared: Prepared) -> ChunkResult:
    """Run a chunk's designs one at a time: the ones that raise a GpdcError fail, the others are computed."""
    columns = plan.columns(chunk) if plan.column_dims else {}
    n = chunk.size
    results: list[dict[str, np.ndarray] | None] = []
    codes = np.full(n, -1, dtype=np.int64)
    messages: list[str] = []
    for i in range(n):
        one = {k: v[i:i + 1] for k, v in columns.items()}
        try:
            results.append(evaluate_columns(prepared, one or None))
        except GpdcError as exc:
            reason = _reason(exc)
            if reason not in messages:
                messages.append(reason)
            codes[i] = messages.index(reason)
            results.append(None)
    template = next((r for r in results if r is not None), None)
    values: dict[str, np.ndarray] = {}
    if template is not None:
        for name, first in template.items():
            first = np.asarray(first)
            fill = False if first.dtype == bool else np.nan
            col = np.full((n, *first.shape[1:]), fill, dtype=bool if first.dtype == bool else np.float64)
            for i, r in enumerate(results):
                if r is not None:
                    col[i] = np.asarray(r[name])[0]
            values[name] = col.reshape(chunk.shape + col.shape[1:])
    return ChunkResult(chunk.index, prepared.digest, values, codes.reshape(chunk.shape), tuple(messages))


@dataclass(frozen=True)
class DispatchedChunk:
    """A chunk through the kernel (:func:`dispatch_chunk`), its accounting still to do (:func:`account_chunk`)."""

    index: int
    digest: str
    dispatched: Dispatched


def dispatch_chunk(plan: SweepPlan, index: int) -> DispatchedChunk | ChunkResult:
    """Run the first half of :func:`run_chunk`: the chunk's kernel call.

    Returns what :func:`account_chunk` finishes, or the chunk's final :class:`ChunkResult`
    where its group cannot be built or its batch raised a GpdcError (then its designs ran one
    by one, as :func:`run_chunk` runs them).
    """
    chunk = plan.chunks[index]
    prepared = _group_or_reason(plan, chunk.group)
    if isinstance(prepared, str):
        return ChunkResult(index, "", {}, np.zeros(chunk.shape, dtype=np.int64), (prepared,))
    try:
        return DispatchedChunk(index, prepared.digest,
                               dispatch_columns(prepared, plan.columns(chunk) if plan.column_dims else None))
    except GpdcError:
        return _one_by_one(plan, chunk, prepared)


def account_chunk(plan: SweepPlan, staged: DispatchedChunk) -> ChunkResult | None:
    """Run the second half of :func:`run_chunk`: the accounting of a dispatched chunk, no kernel call.

    None where the accounting raised a GpdcError: then :func:`redo_one_by_one` runs the chunk's
    designs one at a time (kernel calls: in the thread that runs the kernel).
    """
    try:
        return ChunkResult(staged.index, staged.digest, _slabs(plan.chunks[staged.index], account(staged.dispatched)))
    except GpdcError:
        return None


def redo_one_by_one(plan: SweepPlan, staged: DispatchedChunk) -> ChunkResult:
    """Run a chunk whose accounting raised design by design (:func:`run_chunk`'s fallback)."""
    return _one_by_one(plan, plan.chunks[staged.index], staged.dispatched.prepared)


def run_chunk(plan: SweepPlan, index: int) -> ChunkResult:
    """Compute chunk ``index``, recording the designs that cannot be computed and why.

    :func:`dispatch_chunk` then :func:`account_chunk`, in this thread; a local CPU sweep calls the
    two halves one chunk apart (:func:`gpdc.sweeps.runner._local_cpu`).
    """
    staged = dispatch_chunk(plan, index)
    if isinstance(staged, ChunkResult):
        return staged
    return account_chunk(plan, staged) or redo_one_by_one(plan, staged)


def _threads(numba_threads: int | None) -> None:
    if numba_threads is not None:
        import numba

        numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))  # type: ignore[attr-defined]


def chunk_task(plan: SweepPlan, index: int, numba_threads: int | None = None,
               backend: str = "cpu") -> tuple[int, str, dict[str, np.ndarray]]:
    """Compute chunk ``index`` in a worker: returns (index, group digest, values); a GpdcError stops it."""
    _threads(numba_threads)
    chunk = plan.chunks[index]
    prepared = group_inputs(plan, chunk.group)
    with using(backend):
        return index, prepared.digest, compute_chunk(plan, chunk, prepared)


def chunk_result_task(plan: SweepPlan, index: int, numba_threads: int | None = None,
                      backend: str = "cpu") -> ChunkResult:
    """Compute chunk ``index`` in a worker (:func:`run_chunk`), with ``numba_threads`` threads, on ``backend``."""
    _threads(numba_threads)
    check_here(backend)  # a worker without a usable GPU says so, by name, instead of failing each design
    with using(backend):
        return run_chunk(plan, index)
