"""Hand-computed 48-hour cases of the flexible elements (docs/dispatch.md "Flexible elements"), every implementation.

Each expected total is worked out here by hand, the arithmetic in comments; no gpdc function
computes an expected value.  The kernel cases run on the numba single, trace and batch kernels
and on the pure-Python reference; the same designs as scenarios run through ``gpdc.simulate``
(the pipeline's parameters and hourly inputs) and, at fixed sizes, through the LP reference,
whose optimum is checked against the hand-computed cost and the quantities the optimum fixes.

Common profiles: PV 100 MW at capacity factor 0.8 for 10:00-17:00 (8 h a day), nothing
otherwise, no wind; a 10 MW flat load; no storage, no export (cap 0), the line far above the
plant, no line loss; import 1,000 MW (never binding).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gpdc import simulate
from gpdc.kernels import layout as L
from gpdc.kernels import spec
from gpdc.kernels.cpu import dispatch_batch_nb, dispatch_nb, dispatch_trace_nb
from gpdc.optimal import optimal_dispatch
from gpdc.profiles import ProfileSet, hourly_index
from gpdc.reference.dispatch_py import dispatch_python, params_array, params_dict
from gpdc.scenario.load import load_scenario

from .conftest import DATACENTRE

N = 48
HOUR = np.arange(N) % 24
SUN = np.where((HOUR >= 10) & (HOUR < 18), 0.8, 0.0)
BASE = {"wind_mw": 0.0, "solar_mw": 100.0, "export_cap_frac": 0.0, "flex": 1.0}
PRICE = 400.0  # flat import price [yuan/MWh]


def _hourly(**columns: np.ndarray) -> np.ndarray:
    h = np.zeros((N, L.N_HOURLY))
    for name, values in columns.items():
        h[:, L.HOURLY_NAMES.index(name)] = values
    return h


def _run_kernels(cf_solar: np.ndarray, params: dict[str, float], hourly: np.ndarray,
                 load: float = 10.0) -> dict[str, dict[str, float]]:
    """Totals by implementation: the numba single, trace and batch kernels and the Python reference."""
    prof = [np.zeros(N), cf_solar, np.full(N, load), np.full(N, PRICE), np.full(N, 250.0), np.full(N, 0.5),
            np.zeros(N, dtype=np.int64), hourly]
    p = params_array([params_dict(**params)])
    out: dict[str, dict[str, float]] = {}

    def named(row: np.ndarray) -> dict[str, float]:
        return dict(zip(spec.TOTAL_COLUMNS, (float(x) for x in row), strict=True))

    single = np.zeros(L.N_TOTALS)
    dispatch_nb(*prof, 1.0, np.ascontiguousarray(p[:, 0]), single)
    out["single"] = named(single)
    trace = np.zeros((N, L.N_TRACE))
    traced = np.zeros(L.N_TOTALS)
    dispatch_trace_nb(*prof, 1.0, np.ascontiguousarray(p[:, 0]), traced, trace)
    out["trace"] = named(traced)
    many = np.zeros((3, L.N_TOTALS))  # among copies of itself in one block
    dispatch_batch_nb(*prof, 1.0, np.ascontiguousarray(np.repeat(p, 3, axis=1)), many)
    out["batch"] = named(many[1])
    ref, _ = dispatch_python(*prof[:5], params_dict(**params), 1.0, factor=prof[5], month_index=prof[6],
                             hourly=hourly)
    out["reference"] = ref
    return out


def _check(results: dict[str, dict[str, float]], expected: dict[str, float]) -> None:
    for impl, tot in results.items():
        for name, want in expected.items():
            assert tot[name] == pytest.approx(want, rel=1e-9, abs=1e-7), (impl, name)


def _profiles(cf_solar: np.ndarray, load: float = 10.0) -> ProfileSet:
    return ProfileSet(hourly_index(2025)[:N], np.zeros(N), cf_solar, np.full(N, load), {"all": "hand case"})


#: the same design as a scenario (the small scenario of the tests, no storage, no export, flat 400 yuan/MWh)
SCENARIO = {
    "wind.capacity_mw": 0.0, "solar.capacity_mw": 100.0, "line.rating_mw": 1000.0, "line.loss_frac": 0.0,
    "line.length_km": 0.0, "storage.energy_mwh": 0.0, "storage.power_mw": 0.0, "grid.import_mw": 1000.0,
    "grid.export_mw": 0.0, "grid.export_allowed": False, "tariff.tou_schedule": "flat",
    "tariff.energy_price_yuan_per_mwh": 300.0, "tariff.adders_yuan_per_mwh": 100.0,
    "tariff.export_price_yuan_per_mwh": 250.0, "tariff.capacity_charge_yuan_per_kva_month": 0.0,
    "finance.discount_rate_frac": 0.0, "finance.lifetime_years": 20.0, "finance.solar_capex_yuan_per_kw": 3000.0,
    "finance.solar_om_yuan_per_kw_year": 40.0, "emissions.factor_t_co2_per_mwh": 0.5,
    "emissions.account_factor_t_co2_per_mwh": 0.5, "policy.min_self_use_frac": 0.0,
    "policy.min_green_share_of_load_frac": 0.0,
}


def _simulate(overrides: dict[str, object], cf_solar: np.ndarray = SUN) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = simulate(load_scenario(DATACENTRE, overrides={**SCENARIO, **overrides}), profiles=_profiles(cf_solar))
    return {k: float(v) for k, v in res.totals.data_vars.items() if v.ndim == 0}


# ---------------------------------------------------------------------------------------
# electrolyser 1: green only, minimum load, the store fills and runs dry
# ---------------------------------------------------------------------------------------

ELY1 = {**BASE, "ely_mw": 50.0, "ely_min_frac": 0.2, "ely_mwh_per_kg": 0.05, "tank_kg": 2000.0}
#: 300 kg/h offtake; 50 kWh/kg = 20 kg/MWh; minimum load 10 MW; off below it; no grid, no stand-by
ELY1_EXPECTED = {
    # 00-09: no sun; the store is empty, the offtake would need 300 kg x 0.05 = 15 MWh of production,
    #   no green and no grid: off; 300 kg unmet each hour (day 1: 3,000 kg).
    # 10-17: 70 MWh surplus (80 - 10). 10:00: e_cap = min(50, (2000 - 0 + 300) x 0.05) = 50 -> 1,000 kg,
    #   store 700; 11:00: e_cap = min(50, (2000 - 700 + 300) x 0.05 = 80) = 50 -> store 1,400; 12:00:
    #   e_cap = (2000 - 1400 + 300) x 0.05 = 45 -> 900 kg, store 2,000; 13-17: e_cap = 300 x 0.05 = 15
    #   -> 300 kg each, store full. A day: 50 + 50 + 45 + 5 x 15 = 220 MWh, 4,400 kg.
    # 18-23: the store gives 6 x 300 = 1,800 kg -> 200 kg left.  Day 2 00:00: 200 delivered, 100 unmet,
    #   then 9 x 300 unmet: 2,800 kg.  Day 2 repeats day 1: the store ends at 200 kg.
    "electrolyser_mwh": 440.0, "electrolyser_green_mwh": 440.0, "electrolyser_grid_mwh": 0.0,
    "electrolyser_standby_mwh": 0.0, "electrolyser_starts": 2.0,
    "hydrogen_produced_kg": 8800.0, "hydrogen_offtake_kg": 8600.0, "hydrogen_unmet_kg": 5800.0,
    "hydrogen_tank_end_kg": 200.0,
    # green used at once: the load 10 x 16 + the electrolyser 440; curtailed per day 20 + 20 + 25 + 5 x 55
    "direct_mwh": 600.0, "curtail_bus_mwh": 680.0, "import_mwh": 320.0, "unserved_mwh": 0.0,
    "electrolyser_grid_cost_yuan": 0.0, "self_supply_steps": 16.0,
}


def test_electrolyser_green_only_every_kernel_and_the_reference() -> None:
    results = _run_kernels(SUN, ELY1, _hourly(offtake_kg=np.full(N, 300.0)))
    _check(results, ELY1_EXPECTED)


ELY1_SCENARIO = {"electrolyser.capacity_mw": 50.0, "electrolyser.min_load_frac": 0.2,
                 "electrolyser.specific_energy_kwh_per_kg": 49.5, "electrolyser.compression_kwh_per_kg": 0.5,
                 "hydrogen.tank_kg": 2000.0, "hydrogen.offtake_kg_per_h": 300.0,
                 "electrolyser.capex_yuan_per_kw": 1500.0, "hydrogen.tank_capex_yuan_per_kg": 2000.0,
                 "hydrogen.unmet_value_yuan_per_kg": 22.2}


def test_electrolyser_as_a_scenario_and_in_the_lp() -> None:
    sim = _simulate(ELY1_SCENARIO)
    for name in ("electrolyser_mwh", "hydrogen_produced_kg", "hydrogen_offtake_kg", "hydrogen_unmet_kg",
                 "direct_mwh", "import_mwh"):
        assert sim[name] == pytest.approx(ELY1_EXPECTED[name], rel=1e-9, abs=1e-7), name
    # consumption 480 + 440 = 920 MWh, green used 600 MWh: the green share counts the electrolyser
    assert sim["consumption_mwh"] == pytest.approx(920.0)
    assert sim["green_share_of_load"] == pytest.approx(600.0 / 920.0)
    assert sim["electrolyser_full_load_hours_h"] == pytest.approx(440.0 / 50.0)
    assert sim["hydrogen_co2_direct_kg_per_kg"] == 0.0  # no grid electricity
    assert sim["hydrogen_co2_location_kg_per_kg"] == pytest.approx(440.0 * 0.5 * 1000.0 / 8800.0)  # 12.5
    assert sim["meets_tcab_renewable"] == 1.0 and sim["meets_eu_rfnbo_monthly"] == 1.0
    # LP at these sizes: the store cannot carry a night (16 h x 300 = 4,800 kg > 2,000 kg), so at best
    # 3,000 kg (first morning) + 2,800 kg (the night) stay unmet, as in the rule; hydrogen has no value
    # beyond the offtake, so the LP may make less than the rule (which fills the store by habit) but
    # delivers the same 8,600 kg. Its cost: imports 320 x 400 + unmet 5,800 x 22.2 + capex and O&M.
    lp = optimal_dispatch(load_scenario(DATACENTRE, overrides={**SCENARIO, **ELY1_SCENARIO}), _profiles(SUN),
                          policy=False)
    years = 48.0 / 8760.0
    fixed = years * (100_000 * (3000 / 20 + 40) + 50_000 * 1500 * (1 / 20 + 0.04) + 2000 * 2000 * (1 / 20 + 0.02))
    assert lp.objective_yuan == pytest.approx(320 * 400.0 + 5800 * 22.2 + fixed, rel=1e-9)
    assert lp.totals["hydrogen_offtake_kg"] == pytest.approx(8600.0, rel=1e-9)
    assert lp.totals["hydrogen_unmet_kg"] == pytest.approx(5800.0, rel=1e-9)
    assert lp.totals["import_mwh"] == pytest.approx(320.0, rel=1e-9)
    assert 8600.0 - 1e-6 <= lp.totals["hydrogen_produced_kg"] <= 8800.0 + 1e-6
    assert lp.objective_yuan == pytest.approx(lp.totals["project_cost_yuan"], rel=1e-9)
    assert lp.objective_yuan <= sim["project_cost_yuan"] * (1 + 1e-9)
    # the LP never runs it between 0 and the minimum load (10 MW)
    e = lp.flows["electrolyser_mwh"]
    assert np.all((e < 1e-6) | (e >= 10.0 - 1e-6))


# ---------------------------------------------------------------------------------------
# electrolyser 2: held at the minimum load from the grid, a full store, stand-by
# ---------------------------------------------------------------------------------------

ELY2 = {**BASE, "solar_mw": 0.0, "ely_mw": 50.0, "ely_min_frac": 0.2, "ely_mwh_per_kg": 0.05,
        "ely_standby_mw": 1.0, "ely_hold": 1.0, "ely_grid": 1.0, "tank_kg": 1000.0}


def test_electrolyser_held_from_the_grid_with_a_full_store() -> None:
    # no generation; offtake 100 kg/h; held at the 10 MW minimum from the grid (200 kg/h): the store
    # grows 100 kg an hour, 0 -> 1,000 kg after 10 hours.  Then at 1,000 kg the hydrogen that fits is
    # (1000 - 1000 + 100) x 0.05 = 5 MWh < 10: off (stand-by 1 MW from the grid), the store gives 100
    # -> 900; next hour (1000 - 900 + 100) x 0.05 = 10 MWh: on at 10 MW -> 1,000 again; so it alternates
    # from hour 10 to 47: 19 hours off, 19 on.  On 10 + 19 = 29 h: 290 MWh, 5,800 kg; stand-by 19 MWh;
    # starts: hour 0 and the 19 restarts; every kg of the 4,800 demanded is delivered; store ends full.
    results = _run_kernels(np.zeros(N), ELY2, _hourly(offtake_kg=np.full(N, 100.0)))
    _check(results, {
        "electrolyser_mwh": 309.0, "electrolyser_grid_mwh": 309.0, "electrolyser_green_mwh": 0.0,
        "electrolyser_standby_mwh": 19.0, "electrolyser_starts": 20.0, "hydrogen_produced_kg": 5800.0,
        "hydrogen_offtake_kg": 4800.0, "hydrogen_unmet_kg": 0.0, "hydrogen_tank_end_kg": 1000.0,
        "import_mwh": 480.0 + 309.0, "electrolyser_grid_cost_yuan": 309.0 * PRICE,
        "electrolyser_grid_co2_t": 309.0 * 0.5, "direct_mwh": 0.0, "unserved_mwh": 0.0,
    })


# ---------------------------------------------------------------------------------------
# shiftable load: green surplus first, then the deadline catches up from the grid
# ---------------------------------------------------------------------------------------

DAY2_DIM = np.where(np.arange(N) < 24, SUN, SUN / 4.0)  # day 2: capacity factor 0.2 (20 MW)
SHIFT = {**BASE, "shift_mw": 20.0, "shift_mwh": 160.0}
SHIFT_HOURLY = _hourly(shift_allowed=np.ones(N), shift_after=23.0 - HOUR, shift_start=(HOUR == 0),
                       shift_end=(HOUR == 23), shift_base=np.full(N, 1 / 24))
SHIFT_EXPECTED = {
    # day 1: 70 MWh surplus in 10-17; nothing must run before 16:00 (160 - after x 20 < 0), so 20 MWh an
    #   hour comes from green 10:00-17:00: 160 MWh, all green.  Baseline 160/24 = 6.667 an hour: shifted
    #   8 x 13.333 = 106.667.
    # day 2: 10 MWh surplus in 10-17 -> 80 MWh green; 80 still owed at 18:00 with after = 5: the latest
    #   start needs 80 - 3 x 20 = 20 at 20:00, 20 at 21, 22 and 23 -> 80 MWh from the grid at full power.
    #   Shifted: 8 x (10 - 6.667) + 4 x (20 - 6.667) = 26.667 + 53.333 = 80.
    "flexible_load_mwh": 320.0, "flexible_load_unserved_mwh": 0.0, "flexible_load_shifted_mwh": 560.0 / 3.0,
    # green at once: load 10 x 16 + shiftable 160 + 80; generation 640 + 160; curtailed day 1 (70 - 20) x 8
    "direct_mwh": 400.0, "curtail_bus_mwh": 400.0,
    # imports: the load's 32 dark hours and the 80 MWh caught up
    "import_mwh": 400.0, "unserved_mwh": 0.0, "import_cost_yuan": 400.0 * PRICE,
}


def test_shiftable_load_every_kernel_and_the_reference() -> None:
    _check(_run_kernels(DAY2_DIM, SHIFT, SHIFT_HOURLY), SHIFT_EXPECTED)


def test_shiftable_load_unserved_when_the_window_is_too_short() -> None:
    # allowed only 20:00-23:00 (4 h x 20 MW = 80 MWh) for 160 MWh a day: 80 served at full power from the
    # grid each evening, 80 unserved at each deadline
    allowed = HOUR >= 20
    hourly = _hourly(shift_allowed=allowed, shift_after=np.where(allowed, 23.0 - HOUR, 0.0), shift_start=(HOUR == 0),
                     shift_end=(HOUR == 23), shift_base=np.where(allowed, 0.25, 0.0))
    _check(_run_kernels(SUN, SHIFT, hourly), {"flexible_load_mwh": 160.0, "flexible_load_unserved_mwh": 160.0,
                                              "flexible_load_shifted_mwh": 0.0})


def test_shiftable_load_as_a_scenario_and_in_the_lp() -> None:
    over = {"flexible_load.max_power_mw": 20.0, "flexible_load.energy_per_period_mwh": 160.0}
    sim = _simulate(over, DAY2_DIM)
    for name in ("flexible_load_mwh", "flexible_load_unserved_mwh", "flexible_load_shifted_mwh", "direct_mwh",
                 "import_mwh"):
        assert sim[name] == pytest.approx(SHIFT_EXPECTED[name], rel=1e-9, abs=1e-7), name
    assert sim["consumption_mwh"] == pytest.approx(480.0 + 320.0)
    assert sim["green_share_of_load"] == pytest.approx(400.0 / 800.0)
    # LP: the 240 MWh of green the windows can take are free; the other 80 MWh cost 400 yuan/MWh whether
    # bought (any hour of day 2) or left unserved (valued at the dearest price, 400 here): a degenerate optimum.
    # Its cost is fixed: imports for the load 320 x 400 + 80 x 400 + the PV's capex and O&M.
    lp = optimal_dispatch(load_scenario(DATACENTRE, overrides={**SCENARIO, **over}), _profiles(DAY2_DIM),
                          policy=False)
    years = 48.0 / 8760.0
    assert lp.objective_yuan == pytest.approx(400 * 400.0 + years * 100_000 * (3000 / 20 + 40), rel=1e-9)
    assert lp.totals["self_used_mwh"] == pytest.approx(400.0, rel=1e-9)
    assert lp.totals["flexible_load_mwh"] + lp.totals["flexible_load_unserved_mwh"] == pytest.approx(320.0)
    assert lp.objective_yuan == pytest.approx(lp.totals["project_cost_yuan"], rel=1e-9)


# ---------------------------------------------------------------------------------------
# EV fleet: V2G above the floor, green charging, catching up from the grid before departure
# ---------------------------------------------------------------------------------------

PLUGGED = (HOUR >= 9) & (HOUR < 18)
EV = {**BASE, "ev_mwh": 40.0, "ev_charge_mw": 10.0, "ev_v2g_mw": 5.0, "ev_v2g_min_frac": 0.25, "ev_eta": 1.0,
      "ev_need_mwh": 30.0, "ev_init_mwh": 40.0}
EV_HOURLY = _hourly(ev_plugged=PLUGGED, ev_after=np.where(PLUGGED, 17.0 - HOUR, 0.0), ev_depart=(HOUR == 18))
DAY1_ONLY = np.where(np.arange(N) < 24, SUN, 0.0)
EV_EXPECTED = {
    # 100 vehicles of 400 kWh (40 MWh), 100 kW chargers (10 MW), 50 kW V2G (5 MW), 300 kWh a day each
    # (30 MWh, taken at 18:00), floor max(30, 0.25 x 40) = 30 MWh; full at the start.  Day 2 has no sun.
    # day 1 09:00: plugged, 10 MWh deficit: V2G min(10, 5, 40 - 30) = 5 -> 35 MWh; 10:00: surplus 70,
    #   charge min(10, 40 - 35) = 5 -> full; 18:00: leaves with 30 -> 10 MWh.
    # day 2: plugged 09-17 with 10 MWh; nothing must charge while 20 - after x 10 <= 0: 16:00 (after 1)
    #   20 - 10 = 10 from the grid, 17:00 (after 0) 10 -> 30; leaves 18:00 -> 0, nothing lacking.
    "ev_charge_mwh": 25.0, "v2g_discharge_mwh": 5.0, "ev_unserved_mwh": 0.0, "ev_energy_end_mwh": 0.0,
    # green at once: load 80 + charging 5; curtailed 640 - 85; imports: the load's dark hours 160 - 5
    #   (V2G) on day 1, 240 on day 2, + 20 of charging
    "direct_mwh": 85.0, "curtail_bus_mwh": 555.0, "import_mwh": 415.0, "unserved_mwh": 0.0,
}


def test_ev_fleet_every_kernel_and_the_reference() -> None:
    _check(_run_kernels(DAY1_ONLY, EV, EV_HOURLY), EV_EXPECTED)


def test_ev_fleet_as_a_scenario_and_in_the_lp() -> None:
    over = {"ev_fleet.vehicles": 100, "ev_fleet.battery_kwh": 400.0, "ev_fleet.charger_kw": 100.0,
            "ev_fleet.energy_kwh_per_day": 300.0, "ev_fleet.plug_in_hour": 9, "ev_fleet.departure_hour": 18,
            "ev_fleet.v2g_kw": 50.0, "ev_fleet.v2g_min_soc_frac": 0.25, "ev_fleet.initial_soc_frac": 1.0,
            "ev_fleet.charge_efficiency_frac": 1.0, "ev_fleet.degradation_cost_yuan_per_mwh": 230.0}
    sim = _simulate(over, DAY1_ONLY)
    for name in ("ev_charge_mwh", "v2g_discharge_mwh", "ev_unserved_mwh", "direct_mwh", "import_mwh"):
        assert sim[name] == pytest.approx(EV_EXPECTED[name], rel=1e-9, abs=1e-7), name
    assert sim["consumption_mwh"] == pytest.approx(480.0 + 25.0 - 5.0)  # V2G energy is not consumed twice
    assert sim["ev_degradation_cost_yuan"] == pytest.approx(5.0 * 230.0)
    # LP: V2G at 09:00 on day 1 saves 400 and costs 230 of wear, refilled by free green: 5 MWh (the V2G
    # limit; the only plugged deficit hour on day 1); day 2 needs 20 MWh from the grid or lacking at
    # departure, both at 400: imports 415 (the load's 40 dark hours 400 - 5 of V2G + 20 of charging)
    # + wear 5 x 230 + PV capex and O&M
    lp = optimal_dispatch(load_scenario(DATACENTRE, overrides={**SCENARIO, **over}), _profiles(DAY1_ONLY),
                          policy=False)
    years = 48.0 / 8760.0
    want = (400 - 5 + 20) * 400.0 + 5 * 230.0 + years * 100_000 * (3000 / 20 + 40)
    assert lp.objective_yuan == pytest.approx(want, rel=1e-9)
    assert lp.totals["v2g_discharge_mwh"] == pytest.approx(5.0, rel=1e-9)
    assert lp.objective_yuan == pytest.approx(lp.totals["project_cost_yuan"], rel=1e-9)


# ---------------------------------------------------------------------------------------
# a design without flexible elements is the same in a block with flexible ones
# ---------------------------------------------------------------------------------------


def test_a_design_without_flexible_elements_is_bitwise_the_same_in_a_flexible_block() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(200)
    prof = [np.clip(rng.weibull(2.0, 200) * 0.35, 0, 1), np.clip(np.sin((t % 24 - 6) / 12 * np.pi), 0, None),
            rng.uniform(20, 60, 200), rng.choice([150.0, 450.0], 200), np.full(200, 250.0), rng.uniform(0.3, 0.9, 200),
            (t * 12 // 200).astype(np.int64), _hourly(offtake_kg=np.full(N, 300.0))[np.arange(200) % N]]
    plain = params_dict(wind_mw=80.0, solar_mw=90.0, charge_mw=20.0, discharge_mw=20.0, usable_mwh=60.0,
                        eta_charge=0.95, eta_discharge=0.95, import_mw=70.0, export_mw=20.0, export_cap_frac=0.2)
    # stray flexible parameters without flex = 1 do not count
    flexible = {**plain, **ELY1, "solar_mw": 90.0, "wind_mw": 80.0, "export_cap_frac": 0.2}
    alone = np.zeros((1, L.N_TOTALS))
    dispatch_batch_nb(*prof, 1.0, params_array([{**plain, "ely_mw": 30.0, "tank_kg": 500.0}]), alone)
    mixed = np.zeros((2, L.N_TOTALS))
    dispatch_batch_nb(*prof, 1.0, params_array([flexible, {**plain, "ely_mw": 30.0, "tank_kg": 500.0}]), mixed)
    np.testing.assert_array_equal(alone[0], mixed[1])
    assert mixed[0, spec.column_of("hydrogen_produced_kg")] > 0.0
    assert alone[0, spec.column_of("hydrogen_produced_kg")] == 0.0

