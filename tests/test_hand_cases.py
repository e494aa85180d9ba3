"""Hand-computed dispatch cases (docs/dispatch.md), run against every implementation.

Each expected total is worked out here, by hand, with the arithmetic in comments; no gpdc
function computes an expected value (``params_dict`` only builds inputs).

Implementations under test take the ``dispatch_python`` arguments and return the totals
as a dict keyed by ``TOTAL_NAMES`` (the kernels' totals, the twelve monthly peaks as one
``peak_import_mw``: every hand case is within one billing month).  Append further
``(id, callable)`` pairs to ``IMPLEMENTATIONS`` and every hand case runs against them too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pytest

from gpdc.kernels import spec
from gpdc.kernels.cpu import dispatch_batch_nb, dispatch_nb, dispatch_trace_nb
from gpdc.kernels.layout import N_HOURLY, N_PARAMS, N_TOTALS, N_TRACE, PARAM_NAMES
from gpdc.reference.dispatch_py import (
    dispatch_numpy,
    dispatch_python,
    params_array,
    params_dict,
)

Run = Callable[..., dict[str, float]]

#: the totals a hand case states: every kernel total, the monthly peaks as the year's peak
TOTAL_NAMES: tuple[str, ...] = tuple(t.name for t in spec.SUMS + spec.ENDS) + ("peak_import_mw",)


def _named(row: Sequence[float]) -> dict[str, float]:
    """A totals row (spec.TOTAL_COLUMNS) as the hand cases' names."""
    tot = spec.totals_dict(np.asarray(row, dtype=np.float64)[None, :])
    out = {name: float(tot[name][0]) for name in TOTAL_NAMES if name != "peak_import_mw"}
    out["peak_import_mw"] = float(tot["peak_import_month_mw"][0].max())
    return out


def _run_python(
    cf_wind: Sequence[float],
    cf_solar: Sequence[float],
    load_mw: Sequence[float],
    price_import: Sequence[float],
    price_export: Sequence[float],
    params: Mapping[str, float],
    dt_h: float = 1.0,
) -> dict[str, float]:
    totals, _ = dispatch_python(cf_wind, cf_solar, load_mw, price_import, price_export,
                                params, dt_h)
    return _named([totals[c] for c in spec.TOTAL_COLUMNS])


def _run_numpy(
    cf_wind: Sequence[float],
    cf_solar: Sequence[float],
    load_mw: Sequence[float],
    price_import: Sequence[float],
    price_export: Sequence[float],
    params: Mapping[str, float],
    dt_h: float = 1.0,
) -> dict[str, float]:
    out = dispatch_numpy(cf_wind, cf_solar, load_mw, price_import, price_export,
                         params_array([params]), dt_h)
    assert out.shape == (1, N_TOTALS)
    return _named(out[0])


def _kernel_runner(kind: str) -> Run:
    """Wrap a numba kernel (single, trace or batch) in the dispatch_python signature."""

    def run(
        cf_wind: Sequence[float],
        cf_solar: Sequence[float],
        load_mw: Sequence[float],
        price_import: Sequence[float],
        price_export: Sequence[float],
        params: Mapping[str, float],
        dt_h: float = 1.0,
    ) -> dict[str, float]:
        arrays = [np.ascontiguousarray(x, dtype=np.float64) for x in (cf_wind, cf_solar, load_mw, price_import, price_export)]
        n = arrays[0].shape[0]
        arrays += [np.zeros(n), np.zeros(n, dtype=np.int64), np.zeros((n, N_HOURLY))]  # no hourly factor; one
        # billing month; no flexible element
        p = params_array([params])
        out = np.zeros((1, N_TOTALS))
        if kind == "single":
            dispatch_nb(*arrays, dt_h, np.ascontiguousarray(p[:, 0]), out[0])
        elif kind == "trace":
            trace = np.zeros((arrays[0].shape[0], N_TRACE))
            dispatch_trace_nb(*arrays, dt_h, np.ascontiguousarray(p[:, 0]), out[0], trace)
        else:  # the batch kernel, the scenario among copies of itself in one block
            many = np.ascontiguousarray(np.repeat(p, 3, axis=1))
            outs = np.zeros((3, N_TOTALS))
            dispatch_batch_nb(*arrays, dt_h, many, outs)
            out[0] = outs[1]
        return _named(out[0])

    return run


IMPLEMENTATIONS: list[tuple[str, Run]] = [
    ("python", _run_python),
    ("numpy", _run_numpy),
    ("numba_single", _kernel_runner("single")),
    ("numba_trace", _kernel_runner("trace")),
    ("numba_batch", _kernel_runner("batch")),
]


def _over_implementations() -> pytest.MarkDecorator:
    return pytest.mark.parametrize(
        "run", [impl for _, impl in IMPLEMENTATIONS], ids=[name for name, _ in IMPLEMENTATIONS]
    )


def _expected(**values: float) -> dict[str, float]:
    """All totals, 0 unless given (keys are TOTAL_NAMES)."""
    unknown = set(values) - set(TOTAL_NAMES)
    assert not unknown, unknown
    return {name: float(values.get(name, 0.0)) for name in TOTAL_NAMES}


def _approx(expected: dict[str, float]) -> object:
    return pytest.approx(expected, rel=1e-9, abs=1e-9)


def _steps(*pieces: tuple[int, float]) -> list[float]:
    """Piecewise-constant profile: ``_steps((12, 0.2), (12, 0.9))`` -> 12 x 0.2, 12 x 0.9."""
    out: list[float] = []
    for count, value in pieces:
        out += [value] * count
    return out


# ---------------------------------------------------------------------------------------
# (a) no storage; the line limit binds; the running export cap binds part of the time
# ---------------------------------------------------------------------------------------


@_over_implementations()
def test_a_line_limit_and_running_export_cap(run: Run) -> None:
    # 100 MW wind, no PV.  Hours 0-11: cf 0.2 -> gen 20 MWh; hours 12-23: cf 0.9 -> gen 90.
    cf_wind = _steps((12, 0.2), (12, 0.9))
    cf_solar = _steps((24, 0.0))
    load = _steps((24, 30.0))
    p_imp = _steps((24, 400.0))
    p_exp = _steps((24, 300.0))
    params = params_dict(wind_mw=100.0, solar_mw=0.0, line_mw=60.0, line_loss_frac=0.05,
                         export_mw=25.0, export_cap_frac=0.2, export_rule=0.0)

    # Hours 0-11: line_in 20, curt_line 0, loss 20*0.05 = 1, arrive 19, direct 19,
    #   deficit 11 -> import 11 each hour; no surplus, no export.
    # Hours 12-23: line_in = min(90, 60) = 60, curt_line 30, loss 3, arrive 57,
    #   direct 30, surplus 27 -> exp_phys = min(27, 25) = 25 (connection limit).
    # Running cap at hour t >= 12: ref = 100*(12*0.2 + (t-11)*0.9) = 240 + 90*(t-11),
    #   cap*ref = 48 + 18*(t-11); allow = cap*ref - cum_export (before the hour).
    #   t=12: 66 - 0   = 66 -> export 25, cum  25
    #   t=13: 84 - 25  = 59 -> 25, cum  50
    #   t=14: 102 - 50 = 52 -> 25, cum  75
    #   t=15: 120 - 75 = 45 -> 25, cum 100
    #   t=16: 138 - 100 = 38 -> 25, cum 125
    #   t=17: 156 - 125 = 31 -> 25, cum 150
    #   t=18: 174 - 150 = 24 -> 24 (cap binds), cum 174, curt_cap 25-24 = 1
    #   t=19..23: allow = 18 each hour (cap*ref grows 18/h) -> 18, curt_cap 25-18 = 7
    export = 6 * 25 + 24 + 5 * 18  # = 264 = 0.2 * year's gen (0.2 * 1320): cap exhausted
    curt_cap = 1 + 5 * 7  # = 36
    curt_bus = 12 * 27 - export  # surplus not exported = 324 - 264 = 60
    # (= 6*(27-25) + (27-24) + 5*(27-18) = 12 + 3 + 45 = 60)
    imp = 12 * 11
    expected = _expected(
        direct_mwh=12 * 19 + 12 * 30,
        export_mwh=export,
        import_mwh=imp,
        curtail_line_mwh=12 * 30,
        curtail_bus_mwh=curt_bus,
        curtail_export_cap_mwh=curt_cap,
        peak_import_mw=11,
        import_cost_yuan=imp * 400,
        export_revenue_yuan=export * 300,
        self_supply_steps=12,  # the windy hours need no import
    )
    assert expected["export_mwh"] == 264 and curt_bus == 60
    assert run(cf_wind, cf_solar, load, p_imp, p_exp, params) == _approx(expected)


# ---------------------------------------------------------------------------------------
# (b) storage: charged from day surplus, discharged at night
# ---------------------------------------------------------------------------------------


@_over_implementations()
def test_b_storage_day_charge_night_discharge(run: Run) -> None:
    # 100 MW PV, two identical days: hours 0-11 cf 0.5 (gen 50), hours 12-23 cf 0.
    cf_solar = _steps((12, 0.5), (12, 0.0)) * 2
    cf_wind = _steps((48, 0.0))
    load = _steps((48, 20.0))
    p_imp = _steps((48, 500.0))
    p_exp = _steps((48, 250.0))
    params = params_dict(wind_mw=0.0, solar_mw=100.0, charge_mw=20.0, discharge_mw=15.0,
                         usable_mwh=150.0, eta_charge=0.9, eta_discharge=0.95)
    eta_c, eta_d = 0.9, 0.95

    # Day: direct 20, surplus 30 each hour.
    #   ch_green = min(30, 20 (power limit), (150 - pool)/0.9); pool grows 20*0.9 = 18/h.
    #   hours 0-7: 20 each (pool 18, 36, ..., 144)
    #   hour 8: room (150-144)/0.9 = 6.667 -> ch 6.667, pool 150 (usable limit)
    #   hours 9-11: pool full, ch 0.
    ch_day = 8 * 20 + (150 - 144) / eta_c  # = 150/0.9 = 166.667
    export_day = 12 * 30 - ch_day  # everything not stored is exported (cap 1, no limit)
    # Night: deficit 20; dis = min(20, 15 (power limit), pool*0.95).
    #   deliverable at the start 150*0.95 = 142.5, falls 15 per hour:
    #   hours 12-20 (9 h): dis 15 (142.5 - 9*15 = 7.5 left), hour 21: dis 7.5, then 0.
    dis_night = 9 * 15 + 7.5  # = 142.5 = 150 * 0.95, pool empty again
    imp_night = 9 * (20 - 15) + (20 - 7.5) + 2 * 20  # = 45 + 12.5 + 40 = 97.5
    assert dis_night == pytest.approx(150 * eta_d)
    imp = 2 * imp_night
    export = 2 * export_day
    expected = _expected(
        direct_mwh=2 * 12 * 20,
        charge_green_mwh=2 * ch_day,
        discharge_green_mwh=2 * dis_night,
        export_mwh=export,
        import_mwh=imp,
        peak_import_mw=20,
        import_cost_yuan=imp * 500,
        export_revenue_yuan=export * 250,
        self_supply_steps=2 * 12,
        storage_green_end_mwh=0.0,
    )
    assert run(cf_wind, cf_solar, load, p_imp, p_exp, params) == _approx(expected)


# ---------------------------------------------------------------------------------------
# (c) export not allowed: all bus surplus is curtailed, and all of it by the cap
# ---------------------------------------------------------------------------------------


@_over_implementations()
def test_c_no_export_allowed(run: Run) -> None:
    # 100 MW wind at cf 0.6 all day -> gen 60; load 40 in hours 0-11, 80 in hours 12-23.
    cf_wind = _steps((24, 0.6))
    cf_solar = _steps((24, 0.0))
    load = _steps((12, 40.0), (12, 80.0))
    p_imp = _steps((24, 400.0))
    p_exp = _steps((24, 300.0))
    params = params_dict(wind_mw=100.0, solar_mw=0.0, charge_mw=10.0, discharge_mw=10.0,
                         usable_mwh=50.0, eta_charge=0.8, eta_discharge=0.8,
                         export_cap_frac=0.0)

    # Hours 0-11: direct 40, surplus 20; ch_green = min(20, 10, (50 - pool)/0.8),
    #   pool +8/h: hours 0-5 ch 10 (pool 48), hour 6 ch (50-48)/0.8 = 2.5 (pool 50), then 0.
    ch_green = 6 * 10 + 2.5  # = 62.5 = 50/0.8
    # cap 0 -> allow = 0 -> export 0; exp_phys = rest (connection generous), so
    # curt_cap = exp_phys - 0 = rest = curt_bus.
    curt = 12 * 20 - ch_green  # = 177.5
    # Hours 12-23: direct 60, deficit 20; dis = min(20, 10, pool*0.8): 40 deliverable,
    #   4 hours of 10, then 0.  Import = 12*20 - 40 = 200, peak 20.
    imp = 12 * 20 - 4 * 10
    expected = _expected(
        direct_mwh=12 * 40 + 12 * 60,
        charge_green_mwh=ch_green,
        discharge_green_mwh=4 * 10,
        import_mwh=imp,
        curtail_bus_mwh=curt,
        curtail_export_cap_mwh=curt,
        peak_import_mw=20,
        import_cost_yuan=imp * 400,
        self_supply_steps=12,
    )
    assert run(cf_wind, cf_solar, load, p_imp, p_exp, params) == _approx(expected)


# ---------------------------------------------------------------------------------------
# (d) import capacity too small -> unserved energy
# ---------------------------------------------------------------------------------------


@_over_implementations()
def test_d_import_capacity_too_small(run: Run) -> None:
    # 100 MW PV: cf 0.8 in hours 8-15 (gen 80), else 0; load 50; import contract 30 MW.
    cf_solar = _steps((8, 0.0), (8, 0.8), (8, 0.0))
    cf_wind = _steps((24, 0.0))
    load = _steps((24, 50.0))
    p_imp = _steps((24, 500.0))
    p_exp = _steps((24, 300.0))
    params = params_dict(wind_mw=0.0, solar_mw=100.0, import_mw=30.0)

    # Sunny hours (8): direct 50, surplus 30 exported (cap 1: allow = 80*k - 30*(k-1) > 30).
    # Dark hours (16): need 50, imp_load = min(50, 30) = 30, unserved 20.
    expected = _expected(
        direct_mwh=8 * 50,
        export_mwh=8 * 30,
        import_mwh=16 * 30,
        unserved_mwh=16 * 20,
        unserved_cost_yuan=16 * 20 * 500,  # unserved valued at the hour's import price
        peak_import_mw=30,
        import_cost_yuan=16 * 30 * 500,
        export_revenue_yuan=8 * 30 * 300,
        self_supply_steps=8,
    )
    assert run(cf_wind, cf_solar, load, p_imp, p_exp, params) == _approx(expected)


@_over_implementations()
def test_d2_grid_charging_hour_still_discharges_what_import_cannot_cover(run: Run) -> None:
    # One cheap hour (price 100 <= threshold 150): load 50 MWh, import contract 30 MW, no
    # generation; the battery holds 100 MWh of green energy (eta 1), discharge limit 40 MW.
    # The grid-charging rule must not leave load unserved while storage is full:
    # to_cover = max(0, 50 - 30) = 20 -> dis 20 (green), imp_load 30, unserved 0;
    # charge power left 25 MW but the pools are 80 of 100 -> ch_grid = min(25, 20, 30 - 30) = 0.
    params = params_dict(wind_mw=0.0, solar_mw=0.0, charge_mw=25.0, discharge_mw=40.0,
                         usable_mwh=100.0, eta_charge=1.0, eta_discharge=1.0,
                         init_green_mwh=100.0, import_mw=30.0, grid_charge=1.0,
                         grid_charge_price_yuan_per_mwh=150.0)
    expected = _expected(
        discharge_green_mwh=20.0,
        import_mwh=30.0,
        peak_import_mw=30.0,
        import_cost_yuan=30.0 * 100.0,
        storage_green_end_mwh=80.0,
    )
    assert run([0.0], [0.0], [50.0], [100.0], [50.0], params) == _approx(expected)


# ---------------------------------------------------------------------------------------
# (d3) peak shaving: storage keeps its energy for the deficit above an import target
# ---------------------------------------------------------------------------------------
_SHAVE_LOAD = _steps((18, 50.0), (3, 90.0), (3, 50.0))  # an evening peak of 90 MW in hours 18-20
_SHAVE_PRICE = _steps((9, 100.0), (15, 400.0))  # cheap hours 0-8


@_over_implementations()
@pytest.mark.parametrize("case", ["shave", "shave_and_grid_charge", "arbitrage_only"])
def test_d3_peak_shaving_holds_the_import_below_the_target(run: Run, case: str) -> None:
    # No generation; storage 30 MW, 90 MWh usable, lossless.  Load 50 MW, 90 MW in hours 18-20.
    base = {"wind_mw": 0.0, "solar_mw": 0.0, "charge_mw": 30.0, "discharge_mw": 30.0, "usable_mwh": 90.0,
            "eta_charge": 1.0, "eta_discharge": 1.0}
    if case == "shave":
        # full at the start (counted as grid energy), target 60 MW: the 50 MW hours are below the
        # target, so nothing is discharged until hours 18-20 (90 - 60 = 30 MWh each, 90 in all).
        # import 18 x 50 + 3 x 60 + 3 x 50 = 1230 MWh; cost 9 x 50 x 100 + (9 x 50 + 180 + 150) x 400
        params = params_dict(**base, init_grid_mwh=90.0, import_target_mw=60.0)
        expected = _expected(discharge_grid_mwh=90.0, import_mwh=1230.0, peak_import_mw=60.0,
                             import_cost_yuan=45_000.0 + 780.0 * 400.0)
    elif case == "shave_and_grid_charge":
        # empty at the start; cheap hours 0-8 charge from the grid with what the 60 MW target leaves
        # over the 50 MW load: 10 MWh an hour, 90 MWh by hour 8; hours 18-20 as above.
        # import 9 x 60 + 9 x 50 + 3 x 60 + 3 x 50 = 1320; cost 540 x 100 + 780 x 400
        params = params_dict(**base, import_target_mw=60.0, grid_charge=1.0, grid_charge_price_yuan_per_mwh=200.0)
        expected = _expected(charge_grid_mwh=90.0, discharge_grid_mwh=90.0, import_mwh=1320.0,
                             peak_import_mw=60.0, import_cost_yuan=54_000.0 + 780.0 * 400.0)
    else:
        # the same grid charging without a target (green-first + arbitrage): full after hours 0-2
        # (import 80), emptied in hours 9-11 (import 20), so the evening peak is imported in full:
        # cost (240 + 300) x 100 + (60 + 300 + 270 + 150) x 400
        params = params_dict(**base, grid_charge=1.0, grid_charge_price_yuan_per_mwh=200.0)
        expected = _expected(charge_grid_mwh=90.0, discharge_grid_mwh=90.0, import_mwh=1320.0,
                             peak_import_mw=90.0, import_cost_yuan=54_000.0 + 780.0 * 400.0)
    zeros = _steps((24, 0.0))
    assert run(zeros, zeros, _SHAVE_LOAD, _SHAVE_PRICE, zeros, params) == _approx(expected)


# ---------------------------------------------------------------------------------------
# (e) grid charging in cheap hours, then a discharge split pro rata between the pools
# ---------------------------------------------------------------------------------------


@_over_implementations()
def test_e_grid_charging_and_pro_rata_discharge(run: Run) -> None:
    # 100 MW PV: hours 0-5 dark, hours 6-11 cf 0.5 (gen 50), hours 12-23 dark. Load 30.
    # Import price 150 in hours 0-5 (= threshold: grid-charging hours), 600 after.
    cf_solar = _steps((6, 0.0), (6, 0.5), (12, 0.0))
    cf_wind = _steps((24, 0.0))
    load = _steps((24, 30.0))
    p_imp = _steps((6, 150.0), (18, 600.0))
    p_exp = _steps((24, 200.0))
    params = params_dict(wind_mw=0.0, solar_mw=100.0, charge_mw=20.0, discharge_mw=25.0,
                         usable_mwh=100.0, eta_charge=0.9, eta_discharge=0.95,
                         init_green_mwh=30.0, import_mw=40.0, grid_charge=1.0,
                         grid_charge_price_yuan_per_mwh=150.0)
    eta_c, eta_d = 0.9, 0.95

    # Hours 0-5 (gc): no generation, deficit 30.  No discharge in gc hours (the 30 MWh
    #   green pool stays), imp_load 30.  ch_grid = min(20 - 0, (100 - pool)/0.9,
    #   40 - 30 = 10) = 10 (import limit binds); grid pool +9/h -> 54 after 6 hours.
    ch_grid = 6 * 10
    grid_pool = 6 * 10 * eta_c  # 54
    # Hours 6-11: direct 30, surplus 20.  Hour 6: room (100 - 30 - 54)/0.9 = 17.778 ->
    #   ch_green 17.778 (green -> 46, pool full), rest 2.222 exported; hours 7-11: 20 exported.
    ch_green = (100 - 30 - 54) / eta_c
    green_pool = 30 + ch_green * eta_c  # 46
    export = 6 * 20 - ch_green  # 102.222
    # Hours 12-23: deficit 30, dis = min(30, 25, pool*0.95); pool 100 -> 95 deliverable:
    #   25, 25, 25, 20, then 0.  share = 46/100 = 0.46 throughout (withdrawal is pro rata,
    #   so the ratio of the pools never changes).
    share = green_pool / (green_pool + grid_pool)
    assert share == pytest.approx(0.46)
    dis = 100 * eta_d  # 95
    imp_night = 3 * 5 + 10 + 8 * 30  # 265
    imp_cheap = 6 * (30 + 10)  # 240
    expected = _expected(
        direct_mwh=6 * 30,
        charge_green_mwh=ch_green,
        charge_grid_mwh=ch_grid,
        discharge_green_mwh=dis * 0.46,  # 43.7
        discharge_grid_mwh=dis * 0.54,  # 51.3
        export_mwh=export,
        import_mwh=imp_cheap + imp_night,
        peak_import_mw=40,
        import_cost_yuan=imp_cheap * 150 + imp_night * 600,  # 36000 + 159000
        export_revenue_yuan=export * 200,
        self_supply_steps=6,
    )
    assert run(cf_wind, cf_solar, load, p_imp, p_exp, params) == _approx(expected)


# ---------------------------------------------------------------------------------------
# (f) the budget rule exports more than the running rule when surplus comes first
# ---------------------------------------------------------------------------------------


@_over_implementations()
@pytest.mark.parametrize("rule", ["running", "budget"])
def test_f_budget_rule_exports_more_when_surplus_is_early(run: Run, rule: str) -> None:
    # 100 MW wind: hours 0-11 cf 0.75 (gen 75), hours 12-23 cf 0.25 (gen 25); load 25.
    # Surplus 50 in the first 12 hours, none later.  Year's gen 900 + 300 = 1200; cap 0.25.
    cf_wind = _steps((12, 0.75), (12, 0.25))
    cf_solar = _steps((24, 0.0))
    load = _steps((24, 25.0))
    p_imp = _steps((24, 400.0))
    p_exp = _steps((24, 300.0))
    params = params_dict(wind_mw=100.0, solar_mw=0.0, export_cap_frac=0.25,
                         export_rule=0.0 if rule == "running" else 1.0)

    if rule == "running":
        # cap*ref at hour t < 12 = 0.25 * 75*(t+1) = 18.75*(t+1); allow 18.75 every hour.
        export = 12 * 18.75  # 225
    else:
        # cap*ref = 0.25 * 1200 = 300 from the first hour: 50, 50, ... for 6 hours.
        export = 6 * 50  # 300
    curt = 12 * 50 - export  # all of it blocked by the cap (connection generous)
    expected = _expected(
        direct_mwh=24 * 25,
        export_mwh=export,
        curtail_bus_mwh=curt,
        curtail_export_cap_mwh=curt,
        export_revenue_yuan=export * 300,
        self_supply_steps=24,
    )
    assert run(cf_wind, cf_solar, load, p_imp, p_exp, params) == _approx(expected)
    assert export <= 0.25 * 1200


# ---------------------------------------------------------------------------------------
# (g) a half-hour step: energies are MWh per step, peak import is power
# ---------------------------------------------------------------------------------------


@_over_implementations()
def test_g_half_hour_step(run: Run) -> None:
    # 48 steps of 0.5 h; PV 100 MW at cf 0.5 in steps 0-23 (gen 25 MWh/step), dark after;
    # load 30 MW (15 MWh/step).
    cf_solar = _steps((24, 0.5), (24, 0.0))
    cf_wind = _steps((48, 0.0))
    load = _steps((48, 30.0))
    p_imp = _steps((48, 400.0))
    p_exp = _steps((48, 200.0))
    params = params_dict(wind_mw=0.0, solar_mw=100.0)
    # steps 0-23: direct 15, export 10; steps 24-47: import 15 MWh = 30 MW.
    expected = _expected(
        direct_mwh=24 * 15,
        export_mwh=24 * 10,
        import_mwh=24 * 15,
        peak_import_mw=30,
        import_cost_yuan=24 * 15 * 400,
        export_revenue_yuan=24 * 10 * 200,
        self_supply_steps=24,  # counted in steps
    )
    assert run(cf_wind, cf_solar, load, p_imp, p_exp, params, 0.5) == _approx(expected)


# ---------------------------------------------------------------------------------------
# random cross-checks
# ---------------------------------------------------------------------------------------


def _random_profiles(rng: np.random.Generator, n_hours: int) -> tuple[np.ndarray, ...]:
    hour = np.arange(n_hours) % 24
    cf_wind = np.clip(rng.normal(0.35, 0.25, n_hours), 0.0, 1.0)
    daylight = np.clip(np.sin((hour - 6) / 12 * np.pi), 0.0, None)
    cf_solar = daylight * rng.uniform(0.3, 1.0, n_hours)
    load = rng.uniform(20.0, 150.0, n_hours)
    price_import = np.choose(rng.integers(0, 3, n_hours), [250.0, 450.0, 800.0])
    price_export = rng.uniform(-50.0, 400.0, n_hours)
    return cf_wind, cf_solar, load, price_import, price_export


def _random_params(rng: np.random.Generator) -> dict[str, float]:
    usable = 0.0 if rng.random() < 0.2 else float(rng.uniform(10.0, 400.0))
    frac_green, frac_grid = rng.uniform(0.0, 0.5, 2)
    return params_dict(
        wind_mw=rng.uniform(0.0, 250.0),
        solar_mw=rng.uniform(0.0, 250.0),
        line_mw=rng.uniform(50.0, 300.0),
        line_loss_frac=rng.uniform(0.0, 0.08),
        charge_mw=rng.uniform(0.0, 80.0),
        discharge_mw=rng.uniform(0.0, 80.0),
        usable_mwh=usable,
        eta_charge=rng.uniform(0.8, 1.0),
        eta_discharge=rng.uniform(0.8, 1.0),
        init_green_mwh=frac_green * usable,
        init_grid_mwh=frac_grid * usable,
        export_mw=rng.uniform(0.0, 150.0),
        export_cap_frac=float(rng.choice([0.0, rng.uniform(0.05, 0.5), 1.0])),
        export_rule=float(rng.integers(0, 2)),
        import_mw=rng.uniform(60.0, 300.0),
        grid_charge=float(rng.integers(0, 2)),
        grid_charge_price_yuan_per_mwh=float(rng.choice([250.0, 450.0])),
    )


def test_python_and_numpy_agree_on_random_scenarios() -> None:
    rng = np.random.default_rng(20240611)
    checked = 0
    for _ in range(4):  # 4 profile sets x 5 scenarios, numpy runs each batch at once
        n_hours = int(rng.integers(72, 201))
        profiles = _random_profiles(rng, n_hours)
        scenarios = [_random_params(rng) for _ in range(5)]
        batch = dispatch_numpy(*profiles, params_array(scenarios))
        assert batch.shape == (5, N_TOTALS)
        for s, params in enumerate(scenarios):
            totals, _ = dispatch_python(*profiles, params)
            got = dict(zip(spec.TOTAL_COLUMNS, batch[s].tolist(), strict=True))
            assert got == pytest.approx(totals, rel=1e-9, abs=1e-9)
            checked += 1
    assert checked == 20


@pytest.mark.parametrize("seed", range(6))
def test_identities_hold_on_hourly_traces(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    n_hours = int(rng.integers(72, 201))
    dt = float(rng.choice([1.0, 0.5]))
    cf_wind, cf_solar, load, p_imp, p_exp = _random_profiles(rng, n_hours)
    params = _random_params(rng)
    totals, tr = dispatch_python(cf_wind, cf_solar, load, p_imp, p_exp, params, dt)
    eta_c, eta_d = params["eta_charge"], params["eta_discharge"]
    tol = 1e-9

    green_prev, grid_prev = params["init_green_mwh"], params["init_grid_mwh"]
    cum_export = cum_gen = 0.0
    for t in range(n_hours):
        # gen_avail = direct + ch_green + export + curt_line + curt_bus + line_loss
        rhs1 = (tr["direct_mwh"][t] + tr["charge_green_mwh"][t] + tr["export_mwh"][t]
                + tr["curtail_line_mwh"][t] + tr["curtail_bus_mwh"][t]
                + tr["line_loss_mwh"][t])
        assert tr["gen_avail_mwh"][t] == pytest.approx(rhs1, rel=tol, abs=tol)
        # load + ch_grid = direct + dis_green + dis_grid + import + unserved
        lhs2 = load[t] * dt + tr["charge_grid_mwh"][t]
        rhs2 = (tr["direct_mwh"][t] + tr["discharge_green_mwh"][t]
                + tr["discharge_grid_mwh"][t] + tr["import_mwh"][t] + tr["unserved_mwh"][t])
        assert lhs2 == pytest.approx(rhs2, rel=tol, abs=tol)
        # pool change = (ch_green + ch_grid)*eta_c - (dis_green + dis_grid)/eta_d
        green, grid = tr["storage_green_mwh"][t], tr["storage_grid_mwh"][t]
        lhs3 = (green + grid) - (green_prev + grid_prev)
        rhs3 = ((tr["charge_green_mwh"][t] + tr["charge_grid_mwh"][t]) * eta_c
                - (tr["discharge_green_mwh"][t] + tr["discharge_grid_mwh"][t]) / eta_d)
        assert lhs3 == pytest.approx(rhs3, rel=tol, abs=tol)
        assert green >= 0.0 and grid >= 0.0
        assert green + grid <= params["usable_mwh"] + tol or green + grid <= green_prev + grid_prev
        green_prev, grid_prev = green, grid
        # running rule: the cap holds hour by hour on the cumulative sums
        cum_export += tr["export_mwh"][t]
        cum_gen += tr["gen_avail_mwh"][t]
        if params["export_rule"] == 0.0:
            assert cum_export <= params["export_cap_frac"] * cum_gen + tol

    # export <= export_cap_frac * gen_avail (either rule)
    assert sum(tr["export_mwh"]) <= params["export_cap_frac"] * sum(tr["gen_avail_mwh"]) + tol
    # the totals are the sums of the traces
    for name in ("direct_mwh", "charge_green_mwh", "charge_grid_mwh", "discharge_green_mwh",
                 "discharge_grid_mwh", "export_mwh", "import_mwh", "curtail_line_mwh",
                 "curtail_bus_mwh", "unserved_mwh"):
        assert totals[name] == pytest.approx(sum(tr[name]), rel=tol, abs=tol)
    assert totals["storage_green_end_mwh"] == tr["storage_green_mwh"][-1]
    assert totals["storage_grid_end_mwh"] == tr["storage_grid_mwh"][-1]
    assert totals["peak_import_month_mw[1]"] == pytest.approx(max(tr["import_mwh"]) / dt)  # one billing month


def test_params_helpers() -> None:
    d = params_dict(export_rule="budget", usable_mwh=10.0)
    assert tuple(d) == PARAM_NAMES
    assert d["export_rule"] == 1.0 and d["usable_mwh"] == 10.0
    arr = params_array([d, params_dict()])
    assert arr.shape == (N_PARAMS, 2)
    assert arr[PARAM_NAMES.index("usable_mwh"), 0] == 10.0
    with pytest.raises(ValueError, match="no_such"):
        params_dict(no_such=1.0)
    incomplete = dict(d)
    del incomplete["line_mw"]
    with pytest.raises(ValueError, match="line_mw"):
        params_array([incomplete])
