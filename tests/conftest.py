"""Shared fixtures: a small 48-hour scenario with hand-checkable profiles, and kernels compiled once."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

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


@pytest.fixture(scope="session", autouse=True)
def compiled_kernels() -> None:
    """Compile (or load from the cache) the batch, trace and single-design kernels once, before any test times itself.

    The trace and single-design kernels are two specialisations of one function (``trace`` a
    literal): each worker process of the suite (pytest-xdist) compiles both here, in the same
    order, so that later only that function's third entry (``trace`` not a constant, from
    ``py_func`` calls) can be saved, and two workers never save different entries of its cache
    index at once (docs/reliability.md).
    """
    from gpdc import pipeline
    from gpdc.kernels import layout as L
    from gpdc.kernels.cpu import dispatch_nb

    p = np.zeros((L.N_PARAMS, 2))
    p[[L.P_ETA_CHARGE, L.P_ETA_DISCHARGE]] = 1.0
    inputs = pipeline.make_inputs(np.zeros(4), np.zeros(4), np.ones(4), np.ones(4), np.ones(4), p)
    pipeline.run_totals(inputs)
    pipeline.run_trace(inputs)
    dispatch_nb(inputs.cf_wind, inputs.cf_solar, inputs.load_mw, inputs.price_import, inputs.price_export,
                inputs.factor, inputs.month_index, inputs.hourly, inputs.dt_h, np.ascontiguousarray(p[:, 0]),
                np.zeros(L.N_TOTALS))


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
