"""Properties of the flexible elements over random designs and windows (hypothesis): limits never violated,
balances closed every hour, the kernels equal to the reference.

On the hourly traces of the trace kernel: the electrolyser never runs between 0 and its minimum
load nor above its rating; the store stays within [0, size]; the shiftable load runs only in
allowed steps, within its power, and meets every deadline the windows and the import allow; the
fleet charges and gives V2G only while plugged, within its batteries, never below the V2G floor,
and lacks nothing at departure when its chargers can deliver the day's energy; every hour closes
the extended bus balance, the generation balance, the hydrogen and fleet balances.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from gpdc.kernels import layout as L
from gpdc.kernels import spec
from gpdc.kernels.cpu import dispatch_batch_nb, dispatch_trace_nb
from gpdc.profiles import hourly_index
from gpdc.profiles.flexible import run_lengths_after, window_columns
from gpdc.reference.dispatch_py import dispatch_python, params_array, params_dict

N = 96
TOL = 1e-9


def _num(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats rounded to 1e-6 (a rating of 1e-300 MW tests rounding crumbs, nothing else)."""
    return st.floats(lo, hi).map(lambda v: round(v, 6))


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[np.ndarray], dict[str, float]]:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    t = np.arange(N)
    hour = t % 24
    cfw = np.clip(rng.weibull(2.0, N) * 0.3, 0.0, 1.0)
    cfs = np.clip(np.sin((hour - 6) / 12 * np.pi), 0.0, None) * rng.uniform(0.2, 1.0, N)
    load = rng.uniform(0.0, 40.0, N)
    price = rng.choice([150.0, 450.0], N)
    local = hourly_index(2025)[:N]
    allowed = sorted(set(draw(st.lists(st.integers(0, 23), min_size=1, max_size=24))))
    period = draw(st.sampled_from(["day", "week"]))
    win = window_columns(pd.DatetimeIndex(local), allowed, period)
    a, b = draw(st.integers(0, 23)), draw(st.integers(0, 23))
    plugged = ((hour >= a) | (hour < b)) if a > b else ((hour >= a) & (hour < b))
    depart = np.zeros(N, dtype=bool)
    depart[1:] = plugged[:-1] & ~plugged[1:]
    hx = np.zeros((N, L.N_HOURLY))
    hx[:, L.H_OFFTAKE_KG] = draw(_num(0.0, 600.0))
    for name, values in win.items():
        hx[:, L.HOURLY_NAMES.index(name)] = values
    hx[:, L.H_EV_PLUGGED], hx[:, L.H_EV_AFTER], hx[:, L.H_EV_DEPART] = plugged, run_lengths_after(plugged), depart
    big_import = draw(st.booleans())
    usable = draw(_num(0.0, 80.0))
    ev_mwh = draw(_num(1.0, 60.0))
    tank = draw(_num(0.0, 5000.0))
    p = params_dict(
        wind_mw=draw(_num(0.0, 80.0)), solar_mw=draw(_num(0.0, 150.0)), line_mw=draw(_num(20.0, 300.0)),
        line_loss_frac=draw(_num(0.0, 0.05)), charge_mw=draw(_num(0.0, 30.0)),
        discharge_mw=draw(_num(0.0, 30.0)), usable_mwh=usable, eta_charge=draw(_num(0.8, 1.0)),
        eta_discharge=draw(_num(0.8, 1.0)), init_grid_mwh=usable * draw(_num(0.0, 0.5)),
        export_mw=draw(_num(0.0, 40.0)), export_cap_frac=draw(st.sampled_from([0.0, 0.2])),
        import_mw=1e5 if big_import else draw(_num(5.0, 60.0)),
        grid_charge=float(draw(st.booleans())), grid_charge_price_yuan_per_mwh=200.0,
        import_target_mw=draw(st.sampled_from([0.0, 25.0])),
        flex=1.0, ely_mw=draw(_num(0.0, 60.0)), ely_min_frac=draw(_num(0.0, 0.5)),
        ely_mwh_per_kg=draw(_num(0.04, 0.07)), ely_standby_mw=draw(_num(0.0, 1.5)),
        ely_hold=float(draw(st.booleans())), ely_grid=float(draw(st.booleans())), tank_kg=tank,
        tank_init_kg=tank * draw(_num(0.0, 1.0)), shift_mw=draw(_num(0.0, 20.0)),
        shift_mwh=draw(_num(0.0, 200.0)), ev_mwh=ev_mwh, ev_charge_mw=draw(_num(0.0, 10.0)),
        ev_v2g_mw=draw(_num(0.0, 6.0)), ev_v2g_min_frac=draw(_num(0.0, 0.6)),
        ev_eta=draw(_num(0.85, 1.0)), ev_need_mwh=ev_mwh * draw(_num(0.0, 0.9)),
        ev_init_mwh=ev_mwh * draw(_num(0.0, 1.0)))
    prof = [cfw, cfs, load, price, np.full(N, 250.0), np.full(N, 0.6), (t * 12 // N).astype(np.int64), hx]
    return prof, p


@settings(max_examples=150, deadline=None)
@given(cases())
def test_limits_never_violated_and_every_hour_balances(case: tuple[list[np.ndarray], dict[str, float]]) -> None:
    prof, p = case
    hx = prof[7]
    out = np.zeros(L.N_TOTALS)
    trace = np.zeros((N, L.N_TRACE))
    dispatch_trace_nb(*prof, 1.0, np.ascontiguousarray(params_array([p])[:, 0]), out, trace)
    tr = {name: trace[:, k] for k, name in enumerate(L.TRACE_NAMES)}
    tot = spec.totals_dict(out[None, :])
    # electrolyser: off, or between its minimum load and its rating
    prod = tr["electrolyser_mwh"] - np.where(tr["hydrogen_produced_kg"] > 0, 0.0, p["ely_standby_mw"])
    assert np.all((prod <= TOL) | (prod >= p["ely_min_frac"] * p["ely_mw"] - 1e-9 * (1 + p["ely_mw"])))
    assert np.all(prod <= p["ely_mw"] * (1 + 1e-12) + TOL)
    # the store within [0, size]; hydrogen balance every hour
    tank = tr["hydrogen_tank_kg"]
    assert np.all(tank >= -1e-9) and np.all(tank <= p["tank_kg"] * (1 + 1e-12) + 1e-9)
    before = np.concatenate([[p["tank_init_kg"]], tank[:-1]])
    np.testing.assert_allclose(tank, before + tr["hydrogen_produced_kg"] - tr["hydrogen_offtake_kg"], rtol=0,
                               atol=1e-9 * (1 + p["tank_kg"]))
    np.testing.assert_allclose(tr["hydrogen_offtake_kg"] + tr["hydrogen_unmet_kg"], hx[:, L.H_OFFTAKE_KG], rtol=1e-12,
                               atol=1e-9)
    np.testing.assert_allclose(prod, tr["hydrogen_produced_kg"] * p["ely_mwh_per_kg"], rtol=1e-12, atol=1e-12)
    # shiftable: only in allowed steps, within its power; served + unserved = the window's energy
    shift = tr["flexible_load_mwh"]
    assert np.all(shift[hx[:, L.H_SHIFT_ALLOWED] < 0.5] == 0.0)
    assert np.all(shift <= p["shift_mw"] * (1 + 1e-12) + TOL)
    window = np.cumsum(hx[:, L.H_SHIFT_START])
    ended = hx[:, L.H_SHIFT_END] > 0.5
    served = np.bincount(window.astype(int), weights=shift + tr["flexible_load_unserved_mwh"])[1:]
    np.testing.assert_allclose(served, p["shift_mwh"], rtol=1e-9, atol=1e-9)
    assert np.all(tr["flexible_load_unserved_mwh"][~ended] == 0.0)
    capacity = np.bincount(window.astype(int), weights=hx[:, L.H_SHIFT_ALLOWED] * p["shift_mw"])[1:]
    if p["import_mw"] > 1e4:  # the grid never limits: every deadline the allowed hours can meet is met
        enough = capacity >= p["shift_mwh"] * (1 + 1e-9)
        unserved = np.bincount(window.astype(int), weights=tr["flexible_load_unserved_mwh"])[1:]
        assert np.all(unserved[enough] <= 1e-9 * (1 + p["shift_mwh"]))
    # fleet: charges and V2G only while plugged, within its batteries, V2G never below the floor
    plugged = hx[:, L.H_EV_PLUGGED] > 0.5
    assert np.all(tr["ev_charge_mwh"][~plugged] == 0.0) and np.all(tr["v2g_discharge_mwh"][~plugged] == 0.0)
    ev = tr["ev_energy_mwh"]
    assert np.all(ev >= -1e-9) and np.all(ev <= p["ev_mwh"] * (1 + 1e-12) + 1e-9)
    floor = max(p["ev_need_mwh"], p["ev_v2g_min_frac"] * p["ev_mwh"])
    assert np.all(ev[tr["v2g_discharge_mwh"] > 0] >= floor - 1e-9)
    # the fleet's balance every hour (departures take the day's need, less what was lacking)
    prev = np.concatenate([[p["ev_init_mwh"]], ev[:-1]])
    taken = hx[:, L.H_EV_DEPART] * p["ev_need_mwh"] - tr["ev_unserved_mwh"]
    np.testing.assert_allclose(ev, prev - taken + tr["ev_charge_mwh"] * p["ev_eta"] - tr["v2g_discharge_mwh"]
                               / p["ev_eta"], rtol=0, atol=1e-9 * (1 + p["ev_mwh"]))
    # the extended bus balance and the generation balance, every hour
    load = prof[2]
    left = load + tr["electrolyser_mwh"] + shift + tr["ev_charge_mwh"] + tr["charge_grid_mwh"]
    right = (tr["direct_mwh"] + tr["discharge_green_mwh"] + tr["discharge_grid_mwh"] + tr["v2g_discharge_mwh"]
             + tr["import_mwh"] + tr["unserved_mwh"])
    np.testing.assert_allclose(left, right, rtol=1e-12, atol=1e-9)
    gen = (tr["direct_mwh"] + tr["charge_green_mwh"] + tr["export_mwh"] + tr["curtail_line_mwh"]
           + tr["curtail_bus_mwh"] + tr["line_loss_mwh"])
    np.testing.assert_allclose(gen, tr["gen_avail_mwh"], rtol=1e-12, atol=1e-9)
    assert np.all(tr["import_mwh"] <= p["import_mw"] * (1 + 1e-12) + TOL)
    # yearly totals are the sums of the hours
    for name in ("electrolyser_mwh", "hydrogen_produced_kg", "flexible_load_mwh", "ev_charge_mwh", "v2g_discharge_mwh"):
        assert tot[name][0] == np.float64(tot[name][0]) and abs(tot[name][0] - tr[name].sum()) <= 1e-9 * (
            1 + abs(tr[name]).sum())


@settings(max_examples=40, deadline=None)
@given(cases())
def test_kernels_equal_the_reference_and_each_other(case: tuple[list[np.ndarray], dict[str, float]]) -> None:
    prof, p = case
    ref, ref_trace = dispatch_python(*prof[:5], p, 1.0, factor=prof[5], month_index=prof[6], hourly=prof[7])
    want = np.array([ref[c] for c in spec.TOTAL_COLUMNS])
    col = np.ascontiguousarray(params_array([p])[:, 0])
    single, trace = np.zeros(L.N_TOTALS), np.zeros((N, L.N_TRACE))
    dispatch_trace_nb(*prof, 1.0, col, single, trace)
    batch = np.zeros((3, L.N_TOTALS))
    dispatch_batch_nb(*prof, 1.0, np.ascontiguousarray(np.repeat(col[:, None], 3, axis=1)), batch)
    scale = np.abs(want) + 1.0
    assert np.all(np.abs(single - want) <= 1e-9 * scale)
    assert np.all(np.abs(batch[1] - want) <= 1e-9 * scale)
    for k, name in enumerate(L.TRACE_NAMES):
        np.testing.assert_allclose(trace[:, k], ref_trace[name], rtol=1e-9, atol=1e-9)
