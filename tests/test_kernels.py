"""The numba kernels against the independent reference, against each other, and in pools."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp

import numpy as np
import pytest

from gpdc.kernels import layout as L
from gpdc.kernels.dispatch import BLOCK, dispatch_batch_nb, dispatch_nb, dispatch_trace_nb
from gpdc.reference.dispatch_py import dispatch_numpy, dispatch_python


def random_case(rng: np.random.Generator, n_hours: int, n_scen: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Random profiles and parameters covering every feature (storage, grid charging, peak shaving, both rules)."""
    t = np.arange(n_hours)
    cfw = np.clip(rng.weibull(2.0, n_hours) * 0.35, 0.0, 1.0)
    cfs = np.clip(np.sin((t % 24 - 6) / 12 * np.pi), 0.0, None) * rng.uniform(0.3, 1.0, n_hours)
    load = rng.uniform(20.0, 120.0, n_hours)
    price = rng.choice([150.0, 400.0, 700.0], n_hours)
    price_x = rng.uniform(-50.0, 400.0, n_hours)
    p = np.zeros((L.N_PARAMS, n_scen))
    p[L.P_WIND_MW] = rng.uniform(0, 300, n_scen)
    p[L.P_SOLAR_MW] = rng.uniform(0, 300, n_scen)
    p[L.P_LINE_MW] = rng.uniform(20, 400, n_scen)
    p[L.P_LINE_LOSS_FRAC] = rng.uniform(0, 0.08, n_scen)
    p[L.P_CHARGE_MW] = rng.uniform(0, 80, n_scen) * (rng.random(n_scen) < 0.8)
    p[L.P_DISCHARGE_MW] = rng.uniform(0, 80, n_scen)
    p[L.P_USABLE_MWH] = rng.uniform(0, 400, n_scen)
    p[L.P_ETA_CHARGE] = rng.uniform(0.7, 1.0, n_scen)
    p[L.P_ETA_DISCHARGE] = rng.uniform(0.7, 1.0, n_scen)
    p[L.P_INIT_GREEN_MWH] = p[L.P_USABLE_MWH] * rng.uniform(0, 0.5, n_scen)
    p[L.P_INIT_GRID_MWH] = p[L.P_USABLE_MWH] * rng.uniform(0, 0.5, n_scen)
    p[L.P_EXPORT_MW] = rng.uniform(0, 150, n_scen)
    p[L.P_EXPORT_CAP_FRAC] = rng.choice([0.0, 0.1, 0.2, 1.0], n_scen)
    p[L.P_EXPORT_RULE] = rng.integers(0, 2, n_scen)
    p[L.P_IMPORT_MW] = rng.uniform(0, 150, n_scen)
    p[L.P_GRID_CHARGE] = rng.integers(0, 2, n_scen)
    p[L.P_GRID_CHARGE_PRICE] = rng.choice([150.0, 400.0], n_scen)
    p[L.P_IMPORT_TARGET_MW] = rng.uniform(0, 160, n_scen) * (rng.random(n_scen) < 0.5)  # peak shaving half the time
    return [cfw, cfs, load, price, price_x], np.ascontiguousarray(p)


def params_of(p: np.ndarray, s: int) -> dict[str, float]:
    return {name: float(p[k, s]) for k, name in enumerate(L.PARAM_NAMES)}


def assert_totals_close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-9) -> None:
    scale = np.maximum(np.abs(a), np.abs(b)).max(axis=0, keepdims=True) + 1.0
    diff = np.abs(a - b)
    np.testing.assert_array_less(diff, np.broadcast_to(rtol * scale, diff.shape))


@pytest.mark.parametrize("dt", [1.0, 0.5, 0.25])
def test_single_kernel_matches_pure_python_reference(dt: float) -> None:
    rng = np.random.default_rng(11)
    profiles, p = random_case(rng, 240, 25)
    for s in range(p.shape[1]):
        out = np.zeros(L.N_TOTALS)
        dispatch_nb(*profiles, dt, np.ascontiguousarray(p[:, s]), out)
        ref, _ = dispatch_python(*profiles, params_of(p, s), dt)
        assert_totals_close(out[None, :], np.array([[ref[n] for n in L.TOTAL_NAMES]]))


@pytest.mark.parametrize("dt", [1.0, 0.25])
def test_batch_kernel_matches_references_and_a_scenario_is_bitwise_the_same_in_any_block(dt: float) -> None:
    rng = np.random.default_rng(12)
    n = 2 * BLOCK + 37  # two full blocks and a partial one
    profiles, p = random_case(rng, 500, n)
    p[L.P_GRID_CHARGE, :BLOCK] = 0.0  # the first block runs the green-only specialisation
    p[L.P_INIT_GRID_MWH, :BLOCK] = 0.0
    batch = np.zeros((n, L.N_TOTALS))
    dispatch_batch_nb(*profiles, dt, p, batch)
    singles = np.zeros((n, L.N_TOTALS))
    for s in range(n):
        dispatch_nb(*profiles, dt, np.ascontiguousarray(p[:, s]), singles[s])
    assert_totals_close(batch, singles)  # the same rules; FMA contraction may differ in the last bit
    assert_totals_close(batch, dispatch_numpy(*profiles, p, dt))
    # a scenario alone (gpdc run) and in any block of a sweep: bit for bit the same
    for s in range(0, n, 7):
        one = np.zeros((1, L.N_TOTALS))
        dispatch_batch_nb(*profiles, dt, np.ascontiguousarray(p[:, s:s + 1]), one)
        np.testing.assert_array_equal(one[0], batch[s])
    moved = p.copy()
    moved[:, BLOCK + 1] = p[:, 0]  # a green-only scenario in a block that needs the general path
    again = np.zeros((n, L.N_TOTALS))
    dispatch_batch_nb(*profiles, dt, moved, again)
    np.testing.assert_array_equal(again[BLOCK + 1], batch[0])


def test_trace_kernel_totals_equal_single_and_sum_of_trace() -> None:
    rng = np.random.default_rng(13)
    profiles, p = random_case(rng, 300, 6)
    for s in range(6):
        col = np.ascontiguousarray(p[:, s])
        a = np.zeros(L.N_TOTALS)
        b = np.zeros(L.N_TOTALS)
        trace = np.zeros((300, L.N_TRACE))
        dispatch_nb(*profiles, 1.0, col, a)
        dispatch_trace_nb(*profiles, 1.0, col, b, trace)
        np.testing.assert_array_equal(a, b)
        for t_col, tot in ((L.R_DIRECT, L.T_DIRECT), (L.R_EXPORT, L.T_EXPORT), (L.R_IMPORT, L.T_IMPORT),
                           (L.R_CURTAIL_BUS, L.T_CURTAIL_BUS), (L.R_UNSERVED, L.T_UNSERVED)):
            assert trace[:, t_col].sum() == pytest.approx(b[tot], rel=1e-12, abs=1e-9)
        assert trace[-1, L.R_STORAGE_GREEN] == b[L.T_GREEN_END]
        ref_tot, ref_trace = dispatch_python(*profiles, params_of(p, s), 1.0)
        for k, name in enumerate(L.TRACE_NAMES):
            np.testing.assert_allclose(trace[:, k], ref_trace[name], rtol=1e-9, atol=1e-9, err_msg=name)


def test_empty_batch_and_zero_hours_do_nothing() -> None:
    x = np.zeros(0)
    out = np.zeros((3, L.N_TOTALS))
    p = np.ones((L.N_PARAMS, 3))
    dispatch_batch_nb(x, x, x, x, x, 1.0, p, out)
    assert not out[:, : L.T_GREEN_END].any()  # no flows
    np.testing.assert_array_equal(out[:, L.T_GREEN_END], p[L.P_INIT_GREEN_MWH])  # pools as they started
    np.testing.assert_array_equal(out[:, L.T_GRID_END], p[L.P_INIT_GRID_MWH])
    dispatch_batch_nb(np.ones(5), np.ones(5), np.ones(5), np.ones(5), np.ones(5), 1.0,
                      np.ones((L.N_PARAMS, 0)), np.zeros((0, L.N_TOTALS)))


def _run_batch_in_worker(seed: int) -> np.ndarray:
    profiles, p = random_case(np.random.default_rng(seed), 200, 40)
    out = np.zeros((40, L.N_TOTALS))
    dispatch_batch_nb(*profiles, 1.0, p, out)
    return out


def _expected(seed: int) -> np.ndarray:
    profiles, p = random_case(np.random.default_rng(seed), 200, 40)
    return dispatch_numpy(*profiles, p, 1.0)


def test_kernels_under_thread_pool() -> None:
    """The Dask-thread path: parallel kernels called from several threads at once."""
    with cf.ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(_run_batch_in_worker, range(6)))
    for seed, res in enumerate(results):
        assert_totals_close(res, _expected(seed))


def test_kernels_under_process_pool() -> None:
    """The cached kernels load in fresh worker processes (numba cache + multiprocessing)."""
    ctx = mp.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        results = list(pool.map(_run_batch_in_worker, range(3)))
    for seed, res in enumerate(results):
        assert_totals_close(res, _expected(seed))
