"""Compute one chunk of a sweep: the group's shared inputs, the batch kernel, the metrics.

Pure functions of a :class:`~gpdc.sweeps.plan.SweepPlan` and a chunk, so the same code runs
in the driver, in a process pool or on a Dask worker.  Each process keeps the inputs of the
groups it has built (profiles take about a second), keyed by the plan's fingerprint.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np

from gpdc import engine
from gpdc.scenario.resolve import Resolved, resolve
from gpdc.scenario.schema import Scenario
from gpdc.sweeps.plan import Chunk, SweepPlan
from gpdc.sweeps.spec import apply

#: profile-defining fields: whole sections, and every wind/solar field but the rating
_PROFILE_SECTIONS = ("site", "load", "profiles")


@dataclass(frozen=True)
class GroupInputs:
    """What every design of one group shares: its scenario, resolved numbers and hourly arrays."""

    scenario: Scenario
    resolved: Resolved
    kernel: engine.KernelInputs  # params of the group's base design (replaced per chunk)
    weather_year: Any
    digest: str  # SHA-256 of the hourly arrays and resolved numbers (checked on resume)
    products: Any  # gpdc.emissions.ProductTable of the group's scenario
    hourly_factors: Any  # gpdc.profiles.factors.HourlyFactors, or None for a flat factor
    profile_sources: Any = None  # where each profile came from (provenance)


def profile_key(sc: Scenario, weather_year: Any) -> str:
    """Identify the profiles a scenario builds: equal keys, equal profiles."""
    data = sc.model_dump()
    parts: dict[str, Any] = {k: data[k] for k in _PROFILE_SECTIONS}
    parts["wind"] = {k: v for k, v in data["wind"].items() if k != "capacity_mw"}
    parts["solar"] = {k: v for k, v in data["solar"].items() if k != "capacity_mw"}
    parts["seed"] = data["seed"]
    parts["weather_year"] = weather_year
    return repr(sorted(parts.items()))


#: one kernel call at a time per process: the batch kernel already uses every core through
#: prange, and numba's default ``workqueue`` threading layer aborts when two threads enter
#: parallel code at once (e.g. a Dask worker with several threads)
_KERNEL_LOCK = threading.Lock()

_PROFILES: OrderedDict[str, Any] = OrderedDict()
_GROUPS: OrderedDict[tuple[str, int], GroupInputs] = OrderedDict()
_CACHE_SIZE = 8


def _build_profiles(sc: Scenario, weather_year: Any) -> Any:
    from gpdc import simulate as sim

    key = profile_key(sc, weather_year)
    if key in _PROFILES:
        _PROFILES.move_to_end(key)
        return _PROFILES[key]
    if weather_year is None:
        prof = sim.build_profiles(sc)
    else:
        prof = sim.build_profiles(sc, weather_year=weather_year)  # type: ignore[call-arg]
    _PROFILES[key] = prof
    if len(_PROFILES) > _CACHE_SIZE:
        _PROFILES.popitem(last=False)
    return prof


def group_inputs(plan: SweepPlan, g: int) -> GroupInputs:
    """Build (or fetch from this process's cache) the shared inputs of group ``g``."""
    key = (plan.fingerprint(), g)
    if key in _GROUPS:
        _GROUPS.move_to_end(key)
        return _GROUPS[key]
    values, year = plan.group_values(g)
    gi = scenario_inputs(apply(plan.base, values) if values else plan.base, year)
    _GROUPS[key] = gi
    if len(_GROUPS) > _CACHE_SIZE:
        _GROUPS.popitem(last=False)
    return gi


def scenario_inputs(sc: Scenario, weather_year: Any = None) -> GroupInputs:
    """The shared inputs of every design of one scenario in one weather year."""
    from gpdc import emissions
    from gpdc.profiles.factors import read_hourly_factors

    if weather_year is not None and sc.profiles.years is not None:
        # a real-weather member is simulated as its own calendar year (as gpdc run does)
        sc = sc.model_copy(update={"profiles": sc.profiles.model_copy(update={"year": int(weather_year)})})
    resolved = resolve(sc)
    prof = _build_profiles(sc, weather_year)
    price_import, price_export = engine.hourly_prices(resolved, prof)
    params = engine.design_params(engine.Design(resolved))
    month_index, month_weight = engine.billing_months(prof)
    kin = engine.make_inputs(prof.cf_wind, prof.cf_solar, prof.load_mw, price_import, price_export, params,
                             month_index=month_index, month_weight=month_weight)
    h = hashlib.sha256()
    for arr in (kin.cf_wind, kin.cf_solar, kin.load_mw, kin.price_import, kin.price_export):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(repr(sorted(resolved.provenance().items())).encode())
    hourly = None
    if sc.emissions.hourly_factors_csv is not None:
        hourly = read_hourly_factors(sc.emissions.hourly_factors_csv, time=prof.time, timezone=sc.site.timezone)
        h.update(np.ascontiguousarray(hourly.factor_t_co2_per_mwh).tobytes())
    return GroupInputs(sc, resolved, kin, weather_year, h.hexdigest(), emissions.product_table(sc.products), hourly,
                       dict(prof.sources))


def evaluate(gi: GroupInputs, columns: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Every result variable of the designs given by ``columns`` (field -> values), each [n] or [n, k]."""
    from gpdc.kernels import layout as L
    from gpdc.simulate import derive_metrics, hourly_co2

    design = engine.Design(gi.resolved, columns or None)
    params = engine.design_params(design)
    k = gi.kernel
    inputs = engine.make_inputs(k.cf_wind, k.cf_solar, k.load_mw, k.price_import, k.price_export, params, k.dt_h,
                                month_index=k.month_index, month_weight=k.month_weight)
    with _KERNEL_LOCK:
        raw = engine.run_totals(inputs)
    import_co2 = load_co2 = None
    if gi.hourly_factors is not None:
        # Σ_h import_h·f_h needs each design's hourly imports: traced one design at a time
        # (summed design by design: memory stays one trace, whatever the chunk size)
        import_co2 = np.empty(inputs.n_scen)
        for s in range(inputs.n_scen):
            one, load_co2 = hourly_co2(gi.hourly_factors, engine.run_trace(inputs, s)[1][:, L.R_IMPORT][:, None], inputs)
            import_co2[s] = one[0]
    return derive_metrics(design, inputs, raw, import_co2_t=import_co2, load_co2_t=load_co2, products=gi.products)


def compute_chunk(plan: SweepPlan, chunk: Chunk, gi: GroupInputs | None = None) -> dict[str, np.ndarray]:
    """Run the designs of one chunk; each result variable shaped like the chunk's slab."""
    gi = gi if gi is not None else group_inputs(plan, chunk.group)
    values = evaluate(gi, plan.columns(chunk) if plan.column_dims else None)
    return {name: np.asarray(v).reshape(chunk.shape + np.asarray(v).shape[1:]) for name, v in values.items()}


def chunk_task(plan: SweepPlan, index: int, numba_threads: int | None = None) -> tuple[int, str, dict[str, np.ndarray]]:
    """Compute chunk ``index`` in a worker: returns (index, group digest, values)."""
    if numba_threads is not None:
        import numba

        numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))
    chunk = plan.chunks[index]
    gi = group_inputs(plan, chunk.group)
    return index, gi.digest, compute_chunk(plan, chunk, gi)
