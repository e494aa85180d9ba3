"""Compute one chunk of a sweep: the group's prepared scenario, then its designs through the accounting.

Pure functions of a :class:`~gpdc.sweeps.plan.SweepPlan` and a chunk, so the same code runs
in the driver, in a process pool or on a Dask worker.  Each process keeps the prepared inputs
of the groups it has built (profiles take about a second), keyed by the plan's fingerprint.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from gpdc.accounting import evaluate
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


def evaluate_columns(prepared: Prepared, columns: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Every result variable of the designs given by ``columns`` (field -> values), each [n] or [n, k]."""
    return evaluate(prepared, Design(prepared.resolved, columns or None))


def compute_chunk(plan: SweepPlan, chunk: Chunk, prepared: Prepared | None = None) -> dict[str, np.ndarray]:
    """Run the designs of one chunk; each result variable shaped like the chunk's slab."""
    prepared = prepared if prepared is not None else group_inputs(plan, chunk.group)
    values = evaluate_columns(prepared, plan.columns(chunk) if plan.column_dims else None)
    return {name: np.asarray(v).reshape(chunk.shape + np.asarray(v).shape[1:]) for name, v in values.items()}


def chunk_task(plan: SweepPlan, index: int, numba_threads: int | None = None) -> tuple[int, str, dict[str, np.ndarray]]:
    """Compute chunk ``index`` in a worker: returns (index, group digest, values)."""
    if numba_threads is not None:
        import numba

        numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))  # type: ignore[attr-defined]
    chunk = plan.chunks[index]
    prepared = group_inputs(plan, chunk.group)
    return index, prepared.digest, compute_chunk(plan, chunk, prepared)
