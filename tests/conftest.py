"""Shared fixtures: a small 48-hour scenario with hand-checkable profiles, and kernels compiled once."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

# the tests keep their compiled kernels apart from the tree's __pycache__, in a folder named after a
# hash of every kernel source (before anything imports numba); within it, gpdc.kernels.cache_locator
# stamps each kernel with a hash of every kernel source too, so an edited kernel is compiled afresh
_KERNEL_SOURCES = sorted((Path(__file__).resolve().parents[1] / "gpdc" / "kernels").glob("*.py"))
if "NUMBA_CACHE_DIR" not in os.environ:
    _fingerprint = hashlib.sha256(b"".join(p.read_bytes() for p in _KERNEL_SOURCES)).hexdigest()[:16]
    os.environ["NUMBA_CACHE_DIR"] = str(Path(__file__).resolve().parents[1] / ".numba_cache" / _fingerprint)

# the profile cache (gpdc.profiles.cache) of the tests, theirs and their child processes', not the user's:
# a fresh folder per test session, so that every session builds its profiles once (a cache kept from an
# earlier session could hide a change of code outside the cache's key)
if "GPDC_CACHE_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    _PROFILE_CACHE = tempfile.mkdtemp(prefix="gpdc-test-cache-")
    os.environ["GPDC_CACHE_DIR"] = _PROFILE_CACHE
    atexit.register(shutil.rmtree, _PROFILE_CACHE, ignore_errors=True)

# child processes (CLI runs, notebooks, interrupted sweeps) import the gpdc under test, this tree, not a copy
# installed beside it (CI installs one): a second copy also compiled every kernel again, minutes of CI
_TREE = str(Path(__file__).resolve().parents[1])
if _TREE not in os.environ.get("PYTHONPATH", "").split(os.pathsep):
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_TREE, os.environ.get("PYTHONPATH", "")) if p)

import numpy as np  # noqa: E402 - after the cache folder is set
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from gpdc.profiles import ProfileSet, hourly_index  # noqa: E402
from gpdc.scenario.load import load_scenario  # noqa: E402
from gpdc.scenario.schema import Scenario  # noqa: E402

# Property tests draw their examples from a fixed seed and have no per-example deadline: a test
# run fails only on a real defect, never because of the draw or of a loaded machine.  Explore
# new examples with ``pytest --hypothesis-profile=explore`` (random seeds, more examples).
settings.register_profile("deterministic", derandomize=True, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          max_examples=1000)
settings.load_profile("deterministic")

ROOT = Path(__file__).resolve().parents[1]
DATACENTRE = ROOT / "scenarios" / "inner_mongolia_datacentre.toml"
ALUMINIUM = ROOT / "scenarios" / "xinjiang_aluminium.toml"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the long tests (marked ``slow``) first, in their collected order, then the rest.

    The two workers (pytest-xdist, ``--dist worksteal``) start on the two halves of the list and
    an idle one takes tests from the tail of the other's: with the long tests first, the last
    minutes are short tests shared by both workers rather than a long one that a single worker
    runs while the other waits.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def _compile_jobs() -> list[tuple[str, Callable[[], object]]]:
    """The suite's long numba compiles, each a call that compiles (or loads from the cache) whole entries.

    One job per function whose entries it saves, so that no two jobs save entries of one function:
    the batch plan (its one compiled part, the profiles' sums); each parallel driver of the batch
    kernel, called with no block to run (numba compiles for the arguments' types, not their values:
    these are the types ``dispatch_batch_nb`` passes); the single-design kernel's two
    specialisations, trace and totals, in that order, with the wrappers that call them.  (The functions these call, the step and its helpers, are compiled
    by whichever job comes first, each with one signature: two workers may save the same entry,
    never different ones.)
    """
    from gpdc import pipeline
    from gpdc.kernels import layout as L
    from gpdc.kernels.cpu import BATCH_DRIVERS, batch_plan, dispatch_nb

    p = np.zeros((L.N_PARAMS, 2))
    p[[L.P_ETA_CHARGE, L.P_ETA_DISCHARGE]] = 1.0
    i = pipeline.make_inputs(np.zeros(4), np.zeros(4), np.ones(4), np.ones(4), np.ones(4), p)
    out = np.zeros((2, L.N_TOTALS))

    def plan() -> object:
        return batch_plan(i.cf_wind, i.cf_solar, i.factor, i.params, i.dt_h)

    # what batch_plan returns, made without it (a driver's job must not compile the plan):
    # C-contiguous int64 arrays; no block to run
    order, starts, none = np.arange(2, dtype=np.int64), np.array([0, 2], dtype=np.int64), np.zeros(0, np.int64)

    def driver(fn: Any) -> Callable[[], object]:
        def call() -> object:
            return fn(i.cf_wind, i.cf_solar, i.load_mw, i.price_import, i.price_export, i.factor, i.month_index,
                      i.hourly, i.dt_h, i.params, order, starts, none, 0.0, 0.0, out)
        return call

    def single() -> object:
        pipeline.run_trace(i)
        return dispatch_nb(i.cf_wind, i.cf_solar, i.load_mw, i.price_import, i.price_export, i.factor,
                           i.month_index, i.hourly, i.dt_h, np.ascontiguousarray(p[:, 0]), np.zeros(L.N_TOTALS))

    return [("batch plan", plan), *((name, driver(fn)) for name, fn in BATCH_DRIVERS.items()),
            ("single-design kernel", single)]


def _run_compile_jobs(jobs: list[tuple[str, Callable[[], object]]], folder: Path, reverse: bool) -> None:
    """Run every job, sharing the work with the suite's other worker processes through one lock file per job.

    A worker takes a job's lock before it runs it: the first to take it compiles and saves the
    entries, the others find them in numba's cache.  Workers start from opposite ends of the list
    (``reverse``) and pass over a job another holds, coming back to it when it has nothing else to
    do, so two workers compile different kernels side by side rather than each all of them.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: each worker compiles what it needs
        for _, job in jobs:
            job()
        return

    def run_locked(name: str, job: Callable[[], object], wait: bool) -> bool:
        lock = folder / f"compile-{''.join(c if c.isalnum() else '-' for c in name)}.lock"
        with open(lock, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # another worker runs it
            except OSError:  # a file system without flock: each worker compiles what it needs, as before
                job()
                return True
            try:
                job()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return True

    folder.mkdir(parents=True, exist_ok=True)
    pending = list(reversed(jobs)) if reverse else list(jobs)
    while pending:
        for name, job in pending:
            if run_locked(name, job, wait=False):
                pending.remove((name, job))
                break
        else:  # every job left is another worker's for now: wait for the first
            run_locked(*pending.pop(0), wait=True)


@pytest.fixture(scope="session", autouse=True)
def compiled_kernels(worker_id: str) -> None:
    """Compile (or load from the cache) the batch kernel's plan and drivers and the single-design kernel, before any test.

    Every test then finds them compiled, in its process or in numba's cache, and no test times a
    compile.  The suite's worker processes (pytest-xdist) share the work (:func:`_run_compile_jobs`):
    in a fresh cache each function is compiled by one worker, the other loads it, and no two
    workers save entries of one function at the same instant (numba does not lock a function's
    cache index; docs/reliability.md).  The trace and single-design kernels are two
    specialisations of one function (``trace`` a literal), compiled in one job in the same order,
    so that later only its third entry (``trace`` not a constant, from ``py_func`` calls) can be
    saved.
    """
    odd = worker_id.startswith("gw") and int(worker_id[2:]) % 2 == 1  # "master" without workers
    _run_compile_jobs(_compile_jobs(), Path(os.environ["NUMBA_CACHE_DIR"]), reverse=odd)


@pytest.fixture
def small_scenario() -> Scenario:
    """100 MW PV, 100 MW flat load, no storage, flat tariff 300 + 100 yuan/MWh, no basic charge."""
    return load_scenario(
        DATACENTRE,
        overrides={
            "wind.capacity_mw": 0.0,
            "solar.capacity_mw": 100.0,
            "line.rating_mw": 200.0,
            "line.loss_frac": 0.0,
            "line.length_km": 0.0,
            "storage.energy_mwh": 0.0,
            "storage.power_mw": 0.0,
            "grid.import_mw": 200.0,
            "grid.export_mw": 50.0,
            "grid.export_cap_frac": 0.2,
            "tariff.tou_schedule": "flat",
            "tariff.energy_price_yuan_per_mwh": 300.0,
            "tariff.adders_yuan_per_mwh": 100.0,
            "tariff.export_price_yuan_per_mwh": 250.0,
            "tariff.capacity_charge_yuan_per_kva_month": 0.0,
            "tariff.demand_charge_yuan_per_kw_month": 0.0,
            "finance.discount_rate_frac": 0.0,
            "finance.lifetime_years": 20.0,
            "finance.solar_capex_yuan_per_kw": 3000.0,
            "finance.solar_om_yuan_per_kw_year": 40.0,
            "emissions.factor_t_co2_per_mwh": 0.5,
            "emissions.coal_rate_g_ce_per_kwh": 300.0,
        },
    )


@pytest.fixture
def small_profiles() -> ProfileSet:
    """48 h: PV at 0.8 for 10-17 h (8 h a day), 0 otherwise; load 50 MW flat."""
    index = hourly_index(2025)[:48]
    hour = index.hour.to_numpy()
    cfs = np.where((hour >= 10) & (hour < 18), 0.8, 0.0)
    return ProfileSet(index, np.zeros(48), cfs, np.full(48, 50.0), {"all": "test fixture"})
