"""The tuned reference kernel (benchmarks/tuned_reference.py, issue 19's yardstick) equals gpdc's batch kernel.

Every total the tuned kernel computes agrees with ``dispatch_batch_nb`` to 1e-9 relative (scale
|value| + 1, as benchmarks/run.py's check), on random designs with every feature in scope (both
export rules, grid charging on and off at two prices, an initial grid pool without grid
charging, peak-shaving targets, an hourly emission factor, dt 1 and 0.5) and on the benchmark's
own designs; the columns it does not compute (flexible elements) are 0 in both.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from gpdc.kernels import layout as L
from gpdc.kernels.cpu import dispatch_batch_nb

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


_CACHE_SETTING = os.environ.get("GPDC_NUMBA_CACHE")
tuned = _load("tuned_reference")
run = _load("run")


def test_importing_the_benchmark_module_leaves_the_kernel_cache_as_it_was() -> None:
    # benchmarks/run.py turns numba's cache off only when run as a script; imported (here, at collection) it
    # turned it off for every later child process of the suite, each of which then compiled the kernels again
    assert os.environ.get("GPDC_NUMBA_CACHE") == _CACHE_SETTING


def random_designs(rng: np.random.Generator, n_hours: int, n: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Random profiles (with an hourly factor) and designs covering the tuned kernel's scope."""
    t = np.arange(n_hours)
    cfw = np.clip(rng.weibull(2.0, n_hours) * 0.35, 0.0, 1.0)
    cfs = np.clip(np.sin((t % 24 - 6) / 12 * np.pi), 0.0, None) * rng.uniform(0.3, 1.0, n_hours)
    load = rng.uniform(20.0, 120.0, n_hours)
    price = rng.choice([150.0, 400.0, 700.0], n_hours)
    price_x = rng.uniform(-50.0, 400.0, n_hours)
    factor = rng.uniform(0.3, 0.9, n_hours)
    month = np.minimum(t * 12 // n_hours, 11).astype(np.int64)
    month[(t >= 100) & (t < 101)] = 3  # a one-hour month segment, and a month that comes back
    p = np.zeros((L.N_PARAMS, n))
    p[L.P_WIND_MW] = rng.uniform(0, 300, n)
    p[L.P_SOLAR_MW] = rng.uniform(0, 300, n)
    p[L.P_LINE_MW] = rng.uniform(20, 400, n)
    p[L.P_LINE_LOSS_FRAC] = rng.uniform(0, 0.08, n)
    p[L.P_CHARGE_MW] = rng.uniform(0, 80, n) * (rng.random(n) < 0.8)
    p[L.P_DISCHARGE_MW] = rng.uniform(0, 80, n)
    p[L.P_USABLE_MWH] = rng.uniform(0, 400, n)
    p[L.P_ETA_CHARGE] = rng.uniform(0.7, 1.0, n)
    p[L.P_ETA_DISCHARGE] = rng.uniform(0.7, 1.0, n)
    p[L.P_INIT_GREEN_MWH] = p[L.P_USABLE_MWH] * rng.uniform(0, 0.5, n)
    p[L.P_INIT_GRID_MWH] = p[L.P_USABLE_MWH] * rng.uniform(0, 0.5, n) * (rng.random(n) < 0.5)
    p[L.P_EXPORT_MW] = rng.uniform(0, 150, n)
    p[L.P_EXPORT_CAP_FRAC] = rng.choice([0.0, 0.1, 0.2, 1.0], n)
    p[L.P_EXPORT_RULE] = rng.integers(0, 2, n)
    p[L.P_IMPORT_MW] = rng.uniform(0, 150, n)
    p[L.P_GRID_CHARGE] = rng.integers(0, 2, n)
    p[L.P_GRID_CHARGE_PRICE] = rng.choice([150.0, 400.0], n)
    p[L.P_IMPORT_TARGET_MW] = rng.uniform(0, 160, n) * (rng.random(n) < 0.5)
    p[L.P_LOOKAHEAD_H] = 24.0  # (the lookahead itself is off: out of scope)
    return [cfw, cfs, load, price, price_x, factor, month, np.zeros((n_hours, L.N_HOURLY))], np.ascontiguousarray(p)


def assert_agree(prof: list[np.ndarray], p: np.ndarray, dt: float, every: bool = True, **kw: object) -> None:
    n = p.shape[1]
    ref = np.zeros((n, L.N_TOTALS))
    got = np.zeros((n, L.N_TOTALS))
    dispatch_batch_nb(*prof, dt, p, ref)
    tuned.dispatch_tuned(*prof, dt, p, got, **kw)
    cols = [L.TOTAL_NAMES.index(c) for c in tuned.COMPUTED_COLUMNS]
    rel = np.abs(got[:, cols] - ref[:, cols]) / (np.abs(ref[:, cols]) + 1.0)
    assert rel.max() <= 1e-9, (rel.max(), tuned.COMPUTED_COLUMNS[int(np.argmax(rel.max(axis=0)))])
    rest = [c for c in range(L.N_TOTALS) if c not in cols]
    assert not ref[:, rest].any() and not got[:, rest].any()  # the flexible elements' totals: 0 in scope
    if every:  # (the case exercises every total it computes)
        assert ref[:, cols].any(axis=0).all()


@pytest.mark.parametrize("dt", [1.0, 0.5])
def test_tuned_reference_equals_batch_kernel_on_random_designs(dt: float) -> None:
    prof, p = random_designs(np.random.default_rng(19), 300, 150)
    assert_agree(prof, p, dt)


@pytest.mark.parametrize("grid_charging", [False, True])
def test_tuned_reference_equals_batch_kernel_on_the_benchmark_designs(grid_charging: bool) -> None:
    prof, p = run.make_case(300, 150, seed=5, grid_charging=grid_charging)
    prof[5] = np.random.default_rng(5).uniform(0.3, 0.9, 300)  # an hourly factor (the same compiled kinds)
    p[L.P_IMPORT_TARGET_MW, ::3] = 95.0  # peak shaving for a third of them
    assert_agree(prof, p, 1.0, every=False)


def test_ablation_paths_agree() -> None:
    """The docstring's ablations (designs in their own order; one hour per pass) compute the same totals."""
    prof, p = random_designs(np.random.default_rng(23), 200, 150)
    assert_agree(prof, p, 1.0, grouped=False, unroll=1)
