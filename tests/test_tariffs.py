"""Tariffs, fee regimes and bills: hand-computed cases (docs/tariffs.md).

Every expected number is worked out here by hand, with the arithmetic in the comments.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gpdc import simulate, sweep
from gpdc.errors import ConsistencyError, DataTableError, ScenarioErrors
from gpdc.profiles import ProfileSet, hourly_index
from gpdc.scenario import tables as T
from gpdc.scenario.load import load_scenario
from gpdc.scenario.resolve import resolve
from gpdc.scenario.schema import Scenario

from .conftest import ALUMINIUM, DATACENTRE


def val(ds: object, name: str) -> float:
    return float(ds[name].values)  # type: ignore[index]


def _with_tariff(sc: Scenario, **tariff: object) -> Scenario:
    # the regime cases below leave out the line loss and capacity compensation (0) and float the
    # energy price only: the per-province bills further down hold those components by hand
    grid = sc.grid.model_copy(update={"export_cap_frac": 1.0, "connection_mva": 100.0})
    base = {"tou_schedule": "mengxi_1630", "energy_price_yuan_per_mwh": 300.0, "adders_yuan_per_mwh": None,
            "td_energy_yuan_per_mwh": 50.0, "funds_yuan_per_mwh": 20.0, "system_operation_yuan_per_mwh": 10.0,
            "line_loss_rate_frac": 0.0, "capacity_compensation_yuan_per_mwh": 0.0, "tou_float_components": ["energy"],
            "capacity_charge_yuan_per_kva_month": 20.0, "demand_charge_yuan_per_kw_month": 32.0,
            "average_load_rate_frac": 0.6, "export_price_yuan_per_mwh": None}
    base.update(tariff)
    return sc.model_copy(update={"grid": grid, "tariff": sc.tariff.model_copy(update=base)})


def _write_prices(path: Path, times: pd.DatetimeIndex, prices: np.ndarray) -> Path:
    lines = ["time,price_yuan_per_mwh"] + [f"{t:%Y-%m-%d %H:%M},{p}" for t, p in zip(times, prices, strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# The 48-hour case (conftest: 1-2 Jan 2025, PV 100 MW at cf 0.8 in hours 10-17, load 50 MW flat,
# no storage, no line loss), here on the Mengxi windy-season TOU schedule and export cap 1:
#   imports: 50 MW in the 16 dark hours a day; their bands (Jan): valley 0-3 (4 h, x0.48),
#   flat 4-5, 8-9, 22-23 (6 h), peak 6-7, 18-21 (6 h, x1.68):
#     energy part = 2 days x 50 x (4 x 0.48 + 6 + 6 x 1.68) x 300 = 2 x 50 x 18 x 300 = 540,000
#     import = 1,600 MWh; self-used 800 MWh; load 2,400 MWh
#   load bands a day: valley 0-3, 11-15 (9 h), flat 9 h, peak 6 h:
#     energy = 2 x 50 x (9 x 0.48 + 9 + 6 x 1.68) x 300 = 2 x 50 x 23.4 x 300 = 702,000
#   export: 30 MW surplus in hours 10-17 at the hourly price 100 + 10 x hour:
#     2 days x 30 x (8 x 100 + 10 x (10 + ... + 17)) = 2 x 30 x 1,880 = 112,800
#   monthly charges for 48 of January's 744 h: weight 48/744
#     basic (capacity) = 20 yuan/kVA-month x 100,000 kVA x 48/744
#     1192 capacity fee = 50/1000 x 0.6 x 730 x 100,000 x 48/744 = 2,190,000 x 48/744
W = 48.0 / 744.0
BASIC = 20.0 * 100_000.0 * W
CAP_TD = 0.05 * 0.6 * 730.0 * 100_000.0 * W
BASELINE = 702_000.0 + 2400.0 * (50.0 + 20.0 + 10.0) + BASIC
#            regime:                (import bill,               basic, 1192 fee, self-use fees)
# two_part_legacy: the 1192号 opt-out charges the energy-rate T&D on actual consumption, self-used
# energy included (copies; fee_regimes.csv), so self-used energy pays T&D 50 + funds 20 (it paid
# only the funds before this was corrected)
REGIMES = {
    "pilot_exemption": (540_000.0 + 1600.0 * 80.0, BASIC, 0.0, 0.0),
    "nearby_consumption_2025": (540_000.0 + 1600.0 * 30.0, BASIC, CAP_TD, 800.0 * 20.0),
    "two_part_legacy": (540_000.0 + 1600.0 * 80.0, BASIC, 0.0, 800.0 * 70.0),
    "full_cost_sharing": (540_000.0 + 1600.0 * 80.0, BASIC, 0.0, 800.0 * 80.0),
}


@pytest.mark.parametrize("regime", sorted(REGIMES))
def test_48_hour_bill_by_hand_under_each_fee_regime(regime: str, tmp_path: Path, small_scenario: Scenario,
                                                     small_profiles: ProfileSet) -> None:
    hour = small_profiles.time.hour.to_numpy()
    csv = _write_prices(tmp_path / "export.csv", small_profiles.time, 100.0 + 10.0 * hour)
    sc = _with_tariff(small_scenario, fee_regime=regime, export_price_csv=str(csv))
    ds = simulate(sc, profiles=small_profiles).totals
    imp_bill, basic, cap_td, fees = REGIMES[regime]
    assert val(ds, "import_mwh") == pytest.approx(1600.0)
    assert val(ds, "import_energy_cost_yuan") == pytest.approx(540_000.0)
    assert val(ds, "import_cost_yuan") == pytest.approx(imp_bill)
    assert val(ds, "export_revenue_yuan") == pytest.approx(112_800.0)
    assert val(ds, "basic_charge_yuan") == pytest.approx(basic)
    assert val(ds, "capacity_td_fee_yuan") == pytest.approx(cap_td)
    assert val(ds, "self_use_fees_yuan") == pytest.approx(fees)
    assert val(ds, "baseline_cost_yuan") == pytest.approx(BASELINE)
    assert val(ds, "baseline_basic_charge_yuan") == pytest.approx(BASIC)
    bill = val(ds, "project_cost_yuan") - val(ds, "annualised_capex_yuan") - val(ds, "om_cost_yuan")
    assert bill == pytest.approx(imp_bill + basic + cap_td + fees - 112_800.0)
    assert ds.attrs["fee_regime"] == regime


def test_pilot_exemption_saves_more_than_nearby_consumption(small_scenario: Scenario,
                                                            small_profiles: ProfileSet) -> None:
    pilot = simulate(_with_tariff(small_scenario, fee_regime="pilot_exemption"), profiles=small_profiles).totals
    near = simulate(_with_tariff(small_scenario, fee_regime="nearby_consumption_2025"),
                    profiles=small_profiles).totals
    # nearby: -1600 x 50 (no T&D per MWh drawn) + 1192 fee + 800 x 20 funds on self-used energy
    assert val(pilot, "savings_yuan") - val(near, "savings_yuan") == pytest.approx(-80_000.0 + CAP_TD + 16_000.0)


def _january(load_peak_hour: int | None) -> ProfileSet:
    """31 days of January: PV at cf 0.8 in hours 10-17, load 50 MW, 90 MW in one sunny hour."""
    index = hourly_index(2025)[:744]
    hour = index.hour.to_numpy()
    cfs = np.where((hour >= 10) & (hour < 18), 0.8, 0.0)
    load = np.full(744, 50.0)
    if load_peak_hour is not None:
        load[load_peak_hour] = 90.0
    return ProfileSet(index, np.zeros(744), cfs, load, {"all": "test fixture"})


def test_a_month_with_demand_charges(small_scenario: Scenario) -> None:
    prof = _january(4 * 24 + 12)  # 5 January, 12:00: 90 MW load while PV gives 80 MW
    sc = _with_tariff(small_scenario, basic_charge_basis="demand", fee_regime="pilot_exemption")
    ds = simulate(sc, profiles=prof).totals
    # the whole of January: weight 1.  Baseline: 32 yuan/kW-month x the month's maximum load 90 MW;
    # with the project the maximum import is 50 MW (dark hours): the 90 MW hour imports only 10 MW
    assert val(ds, "baseline_basic_charge_yuan") == pytest.approx(32.0 * 90_000.0)
    assert val(ds, "basic_charge_yuan") == pytest.approx(32.0 * 50_000.0)
    assert val(ds, "peak_import_mw") == pytest.approx(50.0)
    # same design on capacity billing: 20 x 100,000 kVA for the month, both sides
    cap = simulate(_with_tariff(small_scenario, fee_regime="pilot_exemption"), profiles=prof).totals
    assert val(cap, "basic_charge_yuan") == pytest.approx(2_000_000.0)
    assert val(cap, "baseline_basic_charge_yuan") == pytest.approx(2_000_000.0)


def test_demand_charge_over_two_months_uses_each_months_maximum(small_scenario: Scenario) -> None:
    index = hourly_index(2025)[:744 + 672]  # January and February
    load = np.full(len(index), 40.0)
    load[100] = 70.0  # a January night hour
    prof = ProfileSet(index, np.zeros(len(index)), np.zeros(len(index)), load, {"all": "test fixture"})
    sc = _with_tariff(small_scenario, basic_charge_basis="demand", fee_regime="two_part_legacy")
    ds = simulate(sc, profiles=prof).totals
    # no generation: import = load; 32 x (70,000 kW in January + 40,000 kW in February)
    assert val(ds, "basic_charge_yuan") == pytest.approx(32.0 * 110_000.0)
    assert val(ds, "baseline_basic_charge_yuan") == pytest.approx(32.0 * 110_000.0)


def test_regime_and_tariff_file_as_sweep_axes_equal_gpdc_run(tmp_path: Path, small_scenario: Scenario) -> None:
    base = load_scenario(DATACENTRE, overrides={"tariff.basic_charge_basis": "demand",
                                                "profiles.source": "synthetic"})
    ds = sweep(base, {"tariff.fee_regime": ["pilot_exemption", "nearby_consumption_2025"],
                      "storage.energy_mwh": [0.0, 240.0]})
    for regime in ("pilot_exemption", "nearby_consumption_2025"):
        for e in (0.0, 240.0):
            one = simulate(load_scenario(DATACENTRE, overrides={
                "tariff.basic_charge_basis": "demand", "tariff.fee_regime": regime, "storage.energy_mwh": e})).totals
            point = ds.sel({"tariff_fee_regime": regime, "storage_energy_mwh": e})
            for name in ("project_cost_yuan", "basic_charge_yuan", "capacity_td_fee_yuan", "baseline_cost_yuan"):
                assert float(point[name]) == val(one, name), (regime, e, name)
    pilot = ds.sel({"tariff_fee_regime": "pilot_exemption"})
    near = ds.sel({"tariff_fee_regime": "nearby_consumption_2025"})
    assert (near["capacity_td_fee_yuan"] > 0).all() and (pilot["capacity_td_fee_yuan"] == 0).all()


def test_built_in_tariffs_carry_source_date_and_illustrative_flag() -> None:
    assert {"inner_mongolia_west", "xinjiang", "jiangsu", "shandong", "guangdong"} <= set(T.tariff_names())
    for name in T.tariff_names():
        t = T.tariff(name)
        assert set(t) == set(T.TARIFF_FIELDS)
        for f in t.values():
            assert f.source and f.date and f.confidence in T.CONFIDENCE_LEVELS
            # anything whose official text was not seen is marked illustrative
            assert f.illustrative == (f.confidence != "verified (official text seen)")
    mx = T.tariff("inner_mongolia_west")
    assert mx["td_energy_yuan_per_mwh"].value == 52.0  # 0.0520 yuan/kWh, 110 kV (tariffs-resources-loads 2.3)
    assert mx["capacity_charge_yuan_per_kva_month"].value == 19.5
    assert mx["demand_charge_yuan_per_kw_month"].value == 31.2
    assert mx["tou_schedule"].value == "mengxi_1630"


def test_user_tariff_file_in_the_same_format(tmp_path: Path) -> None:
    rows = T.raw_table("tariffs")
    mine = rows[rows["tariff"] == "jiangsu"].copy()
    mine["tariff"] = "my_contract"
    mine.loc[mine["field"] == "energy_price_yuan_per_mwh", "value"] = "420"
    path = tmp_path / "my.csv"
    mine.to_csv(path, index=False)
    sc = load_scenario(DATACENTRE, overrides={"tariff.file": str(path)})
    r = resolve(sc)
    assert r["energy_price_yuan_per_mwh"] == 420.0 and r.tou_schedule == "jiangsu_426_two_part"
    assert r.values["energy_price_yuan_per_mwh"].source.startswith(f"tariff file {path}")
    bad = mine.copy()
    bad.loc[bad["field"] == "demand_charge_yuan_per_kw_month", "unit"] = "yuan/kW"
    bad.to_csv(path, index=False)
    with pytest.raises(DataTableError, match=r"my.csv row \d+ \(tariff 'my_contract'\): field "
                                             r"'demand_charge_yuan_per_kw_month' has unit 'yuan/kW'"):
        T.read_tariff_file(str(path))
    with pytest.raises(ScenarioErrors, match="tariff.file"):
        resolve(sc)


def test_tou_ratios_against_the_2021_notice() -> None:
    # 1093号: peak/valley >= 3 and critical peak >= 1.2 x peak.  Mengxi: 1.68/0.48 = 3.5 and
    # 1.848/1.54 = 1.2; Xinjiang's critical peak is 2.0 x flat on a 1.75 peak: 1.143 < 1.2
    assert T.tou_ratio_issues("mengxi_1630") == []
    assert T.tou_ratio_issues("guangdong_331") == []
    xj = T.tou_ratio_issues("xinjiang_2023_11")
    assert xj == [f"month {m}: critical peak/peak = 1.143 < 1.2" for m in (1, 7, 11, 12)]
    assert any("critical peak/peak = 1.176" in s for s in T.tou_ratio_issues("shandong_914"))


def test_tou_shortfall_warns_and_strict_raises(small_profiles: ProfileSet) -> None:
    sc = load_scenario(ALUMINIUM)
    with pytest.warns(UserWarning, match=r"xinjiang_2023_11' falls short of the 2021 national notice"):
        simulate(sc, profiles=small_profiles)
    with pytest.raises(ConsistencyError, match="critical peak/peak = 1.143"):
        simulate(sc, profiles=small_profiles, strict=True)


def test_scenario_errors_name_field_value_and_allowed() -> None:
    with pytest.raises(ScenarioErrors, match=r"tariff.fee_regime = 'free' is invalid: must be one of "
                                             r"full_cost_sharing, nearby_consumption_2025, pilot_exemption"):
        load_scenario(DATACENTRE, overrides={"tariff.fee_regime": "free"})
    with pytest.raises(ScenarioErrors, match="adders_yuan_per_mwh is a lump"):
        load_scenario(DATACENTRE, overrides={"tariff.adders_yuan_per_mwh": 80.0, "tariff.funds_yuan_per_mwh": 20.0})
    with pytest.raises(ScenarioErrors, match="tariff.name = 'mars' is invalid: unknown tariff; valid: guangdong"):
        load_scenario(DATACENTRE, overrides={"tariff.name": "mars"})


def test_unpaid_export_earns_nothing(small_scenario: Scenario, small_profiles: ProfileSet) -> None:
    ds = simulate(_with_tariff(small_scenario, export_paid=False), profiles=small_profiles).totals
    assert val(ds, "export_mwh") == pytest.approx(480.0) and val(ds, "export_revenue_yuan") == 0.0


def test_what_tou_arbitrage_costs_in_green_share(small_scenario: Scenario) -> None:
    # 24 h of 1 January, load 50 MW; PV at cf 0.8 only in hours 4-5 (30 MW surplus each);
    # storage 30 MW / 60 MWh, lossless, empty at the start; Mengxi valley 0-3 and 11-15 (0.48 x 300
    # + 100 = 244 yuan/MWh <= 250): grid charging fills the battery in hours 0-1, so the morning
    # surplus finds it full; green-first stores it and discharges 60 MWh green in hours 6-7
    index = hourly_index(2025)[:24]
    cfs = np.where(np.isin(index.hour, [4, 5]), 0.8, 0.0)
    prof = ProfileSet(index, np.zeros(24), cfs, np.full(24, 50.0), {"all": "test fixture"})
    storage = {"power_mw": 30.0, "energy_mwh": 60.0, "charge_efficiency_frac": 1.0,
               "discharge_efficiency_frac": 1.0, "soc_min_frac": 0.0, "soc_max_frac": 1.0}
    sc = small_scenario.model_copy(update={
        "storage": small_scenario.storage.model_copy(update={**storage, "grid_charging": True,
                                                             "grid_charge_max_price_yuan_per_mwh": 250.0}),
        "tariff": small_scenario.tariff.model_copy(update={"tou_schedule": "mengxi_1630"})})
    ds = simulate(sc, profiles=prof).totals
    assert val(ds, "discharge_green_mwh") == 0.0
    assert val(ds, "green_share_of_load") == pytest.approx(100.0 / 1200.0)       # direct only
    assert val(ds, "green_share_of_load_green_first") == pytest.approx(160.0 / 1200.0)
    assert val(ds, "arbitrage_green_share_cost") == pytest.approx(60.0 / 1200.0)
    off = sc.model_copy(update={"storage": sc.storage.model_copy(update={"grid_charging": False})})
    gf = simulate(off, profiles=prof).totals
    assert val(gf, "green_share_of_load") == val(ds, "green_share_of_load_green_first")
    assert val(gf, "arbitrage_green_share_cost") == 0.0


def test_peak_shaving_cuts_the_demand_charge(small_scenario: Scenario) -> None:
    # January: PV 80 MW in hours 10-17 (30 MW surplus fills the 90 MWh battery every day), load
    # 50 MW but 90 MW in hours 21-23.  Green-first empties the battery in hours 18-20 (3 x 30 MWh)
    # and imports the 90 MW peak; with a 60 MW target it keeps the energy for hours 21-23.
    index = hourly_index(2025)[:744]
    hour = index.hour.to_numpy()
    cfs = np.where((hour >= 10) & (hour < 18), 0.8, 0.0)
    load = np.where(hour >= 21, 90.0, 50.0)
    prof = ProfileSet(index, np.zeros(744), cfs, load, {"all": "test fixture"})
    storage = {"power_mw": 30.0, "energy_mwh": 90.0, "charge_efficiency_frac": 1.0,
               "discharge_efficiency_frac": 1.0, "soc_min_frac": 0.0, "soc_max_frac": 1.0}
    sc = _with_tariff(small_scenario, basic_charge_basis="demand", fee_regime="pilot_exemption")
    green_first = sc.model_copy(update={"storage": sc.storage.model_copy(update=storage)})
    shaving = sc.model_copy(update={"storage": sc.storage.model_copy(update={**storage, "import_target_mw": 60.0})})
    gf = simulate(green_first, profiles=prof).totals
    ps = simulate(shaving, profiles=prof).totals
    assert val(gf, "peak_import_mw") == pytest.approx(90.0)
    assert val(ps, "peak_import_mw") == pytest.approx(60.0)
    assert val(gf, "basic_charge_yuan") == pytest.approx(32.0 * 90_000.0)  # the whole of January
    assert val(ps, "basic_charge_yuan") == pytest.approx(32.0 * 60_000.0)
    # the same green energy is discharged, only later: shaving costs no green share here
    assert val(ps, "discharge_green_mwh") == pytest.approx(val(gf, "discharge_green_mwh"))
    assert val(ps, "arbitrage_green_share_cost") == pytest.approx(0.0, abs=1e-12)


def test_hourly_energy_price_series_replaces_the_tou_price(tmp_path: Path, small_scenario: Scenario,
                                                           small_profiles: ProfileSet) -> None:
    hour = small_profiles.time.hour.to_numpy()
    csv = _write_prices(tmp_path / "spot.csv", small_profiles.time, 200.0 + 10.0 * hour)
    sc = _with_tariff(small_scenario, tou_schedule=None, energy_price_yuan_per_mwh=None, energy_price_csv=str(csv))
    ds = simulate(sc, profiles=small_profiles).totals
    # imports: 50 MW in hours 0-9 and 18-23: per day Σ (200 + 10 h) = 16 x 200 + 10 x (45 + 123) = 4,880
    assert val(ds, "import_energy_cost_yuan") == pytest.approx(2 * 50.0 * 4880.0)
    assert val(ds, "import_cost_yuan") == pytest.approx(2 * 50.0 * 4880.0 + 1600.0 * 80.0)
    # baseline: all 24 h, Σ (200 + 10 h) = 24 x 200 + 10 x 276 = 7,560 a day, plus 80 yuan/MWh of adders
    assert val(ds, "baseline_energy_cost_yuan") == pytest.approx(2 * 50.0 * 7560.0 + 2400.0 * 80.0)
    with pytest.raises(ScenarioErrors, match="energy_price_csv is the hourly energy price"):
        load_scenario(DATACENTRE, overrides={"tariff.energy_price_csv": str(csv),
                                             "tariff.energy_price_yuan_per_mwh": 300.0})


def test_strategies_as_sweep_axes_equal_gpdc_run() -> None:
    over = {"storage.grid_charge_max_price_yuan_per_mwh": 250.0, "tariff.basic_charge_basis": "demand"}
    base = load_scenario(DATACENTRE, overrides=over)
    ds = sweep(base, {"storage.grid_charging": [False, True], "storage.import_target_mw": [None, 80.0]})
    for gc in (False, True):
        for target in (None, 80.0):
            one = simulate(load_scenario(DATACENTRE, overrides={
                **over, "storage.grid_charging": gc, "storage.import_target_mw": target})).totals
            point = ds.isel({"storage_grid_charging": int(gc), "storage_import_target_mw": 0 if target is None else 1})
            for name in ("project_cost_yuan", "basic_charge_yuan", "green_share_of_load",
                         "arbitrage_green_share_cost", "peak_import_mw"):
                assert float(point[name]) == val(one, name), (gc, target, name)


# ---------------------------------------------------------------------------------------------
# 48-hour hand bills per province: the province's TOU schedule and float structure from the data
# (tariffs.csv tou_float_components), round component values set here, fee regime 1192号
# (nearby_consumption_2025): system-operation fee and generation-side line loss on drawn energy.
#
# The same 48 h as above (1-2 January, Beijing time): imports 50 MW in hours 0-9 and 18-23 (1,600
# MWh), 800 MWh self-used, 480 MWh exported at 250 yuan/MWh.  Components: energy E = 300,
# T&D 50, funds 20, system operation 30, line-loss rate 0.04 -> line loss 300 x 0.04 / 0.96 = 12.5,
# capacity compensation 70 where the province has it (Shandong), all yuan/MWh.
#
# Sum of the January TOU multipliers over one day's import hours (0-9, 18-23) and over all 24 h:
#   Mengxi (1630号, windy season): valley 0-3 (0.48), flat 4-5, 8-9, 22-23, peak 6-7, 18-21 (1.68)
#     imports 4 x 0.48 + 6 x 1 + 6 x 1.68 = 18.0;   day: 9 x 0.48 + 9 + 6 x 1.68 = 23.4
#   Xinjiang (新发改规〔2023〕11号): flat 0-3, 18; valley 4-7 (0.25); peak 8-9, 21-23 (1.75);
#     critical peak 19-20 in January (2.0)
#     imports 5 x 1 + 4 x 0.25 + 5 x 1.75 + 2 x 2 = 18.75
#     day: flat 0-3, 11-12, 17-18 (8) + valley 4-7, 13-16 (8 x 0.25 = 2) + peak 8-10, 21-23 (6 x 1.75 = 10.5)
#          + critical 19-20 (4) = 24.5
#   Shandong (914号, Jan): flat 0-1, 6, 9, 15, 21-23; valley 2-5, 10, 14 (0.3); deep valley 11-13 (0.1);
#     peak 7-8, 19-20 (1.7); critical 16-18 (2.0)
#     imports: flat 0-1, 6, 9, 21-23 (7) + valley 2-5 (4 x 0.3 = 1.2) + peak 7-8, 19-20 (4 x 1.7 = 6.8)
#              + critical 18 (2.0) = 17.0
#     day: flat 8 + valley 6 x 0.3 = 1.8 + deep 3 x 0.1 = 0.3 + peak 4 x 1.7 = 6.8 + critical 3 x 2 = 6 -> 22.9
#   Guangdong (331号): valley 0-7 (0.38); flat 8-9, 12-13, 19-23; peak 10-11, 14-18 (1.7)
#     imports 8 x 0.38 + 7 x 1 + 1.7 (hour 18) = 11.74;   day: 3.04 + 9 + 7 x 1.7 = 23.94
# Each day's MWh-weighted sum is 50 MW x 2 days = 100 x the sums above.
#
# Import price per hour = (E + floating components on drawn energy) x m_t + flat ones; the
# baseline user pays every component, floating as the province says.
PROVINCES = {
    # tariff: (floats,
    #          import bill,
    #          {component: import part},
    #          baseline energy bill)
    "inner_mongolia_west": (
        ("energy",),
        # (300 x 18.0 + (20 + 30 + 12.5) x 16) x 100 = (5,400 + 1,000) x 100
        640_000.0,
        {"import_energy_cost_yuan": 540_000.0, "import_funds_yuan": 1600 * 20.0,
         "import_system_operation_fee_yuan": 1600 * 30.0, "import_line_loss_fee_yuan": 1600 * 12.5},
        # (300 x 23.4 + (50 + 20 + 30 + 12.5) x 24) x 100 = (7,020 + 2,700) x 100
        972_000.0,
    ),
    "xinjiang": (
        ("energy",),
        # (300 x 18.75 + 62.5 x 16) x 100 = (5,625 + 1,000) x 100
        662_500.0,
        {"import_energy_cost_yuan": 562_500.0, "import_funds_yuan": 32_000.0,
         "import_system_operation_fee_yuan": 48_000.0, "import_line_loss_fee_yuan": 20_000.0},
        # (300 x 24.5 + 112.5 x 24) x 100 = (7,350 + 2,700) x 100
        1_005_000.0,
    ),
    "shandong": (
        # 914号: purchase price, capacity compensation, line loss and (pumped-storage, coal-capacity
        # parts of) the system-operation fee float
        ("energy", "system_operation", "line_loss", "capacity_compensation"),
        # floating 300 + 30 + 12.5 + 70 = 412.5, flat funds 20: (412.5 x 17.0 + 20 x 16) x 100 = (7,012.5 + 320) x 100
        733_250.0,
        # TOU-weighted import 17.0 x 100 = 1,700 MWh carries each floating component
        {"import_energy_cost_yuan": 300.0 * 1700, "import_system_operation_fee_yuan": 30.0 * 1700,
         "import_line_loss_fee_yuan": 12.5 * 1700, "import_capacity_compensation_yuan": 70.0 * 1700,
         "import_funds_yuan": 20.0 * 1600},
        # floating 412.5, flat T&D 50 + funds 20: (412.5 x 22.9 + 70 x 24) x 100 = (9,446.25 + 1,680) x 100
        1_112_625.0,
    ),
    "guangdong": (
        # 331号: the agency-purchase price except the funds floats (energy, T&D, system operation, line loss)
        ("energy", "td_energy", "system_operation", "line_loss"),
        # no T&D on drawn energy under 1192号: floating 300 + 30 + 12.5 = 342.5, flat 20
        # (342.5 x 11.74 + 20 x 16) x 100 = (4,020.95 + 320) x 100
        434_095.0,
        {"import_energy_cost_yuan": 300.0 * 1174, "import_system_operation_fee_yuan": 30.0 * 1174,
         "import_line_loss_fee_yuan": 12.5 * 1174, "import_funds_yuan": 20.0 * 1600},
        # floating 300 + 50 + 30 + 12.5 = 392.5, flat 20: (392.5 x 23.94 + 20 x 24) x 100 = (9,396.45 + 480) x 100
        987_645.0,
    ),
}
IMPORT_PARTS = ("import_energy_cost_yuan", "import_td_fee_yuan", "import_funds_yuan", "import_system_operation_fee_yuan",
                "import_line_loss_fee_yuan", "import_capacity_compensation_yuan")


def _province_tariff(sc: Scenario, tariff: str, regime: str = "nearby_consumption_2025") -> Scenario:
    grid = sc.grid.model_copy(update={"export_cap_frac": 1.0, "connection_mva": 100.0})
    over = {"name": tariff, "tou_schedule": None, "tou_float_components": None, "fee_regime": regime,
            "energy_price_yuan_per_mwh": 300.0, "adders_yuan_per_mwh": None, "td_energy_yuan_per_mwh": 50.0,
            "funds_yuan_per_mwh": 20.0, "system_operation_yuan_per_mwh": 30.0, "line_loss_rate_frac": 0.04,
            "capacity_compensation_yuan_per_mwh": 70.0 if tariff == "shandong" else 0.0,
            "capacity_charge_yuan_per_kva_month": 20.0, "demand_charge_yuan_per_kw_month": 32.0,
            "average_load_rate_frac": 0.6, "export_price_yuan_per_mwh": 250.0}
    return sc.model_copy(update={"grid": grid, "tariff": sc.tariff.model_copy(update=over)})


@pytest.mark.parametrize("tariff", sorted(PROVINCES))
def test_48_hour_bill_by_hand_per_province(tariff: str, small_scenario: Scenario, small_profiles: ProfileSet) -> None:
    floats, imp_bill, parts, baseline_energy = PROVINCES[tariff]
    sc = _province_tariff(small_scenario, tariff)
    r = resolve(sc)
    assert r.tou_float == floats
    assert r["line_loss_yuan_per_mwh"] == pytest.approx(12.5)  # 300 x 0.04 / 0.96
    ds = simulate(sc, profiles=small_profiles).totals
    assert val(ds, "import_mwh") == pytest.approx(1600.0) and val(ds, "self_used_mwh") == pytest.approx(800.0)
    assert val(ds, "import_cost_yuan") == pytest.approx(imp_bill)
    for name in IMPORT_PARTS:
        assert val(ds, name) == pytest.approx(parts.get(name, 0.0)), name
    assert val(ds, "baseline_energy_cost_yuan") == pytest.approx(baseline_energy)
    # the 1192号 capacity fee and the basic charge as in the regime cases; funds on 800 MWh self-used
    assert val(ds, "capacity_td_fee_yuan") == pytest.approx(CAP_TD)
    assert val(ds, "self_use_fees_yuan") == pytest.approx(800.0 * 20.0)
    assert val(ds, "export_revenue_yuan") == pytest.approx(480.0 * 250.0)
    bill = val(ds, "project_cost_yuan") - val(ds, "annualised_capex_yuan") - val(ds, "om_cost_yuan")
    assert bill == pytest.approx(imp_bill + BASIC + CAP_TD + 800.0 * 20.0 - 480.0 * 250.0)
    assert val(ds, "baseline_cost_yuan") == pytest.approx(baseline_energy + BASIC)
    assert ds.attrs["tou_float_components"] == ",".join(floats)


def test_guangdong_td_floats_on_drawn_energy_under_the_pilot_exemption(tmp_path: Path, small_scenario: Scenario,
                                                                      small_profiles: ProfileSet) -> None:
    # the ordinary tariff on drawn energy: T&D floats with the rest of Guangdong's base price
    # floating 300 + 50 + 30 + 12.5 = 392.5, flat funds 20: (392.5 x 11.74 + 20 x 16) x 100 = (4,607.95 + 320) x 100
    ds = simulate(_province_tariff(small_scenario, "guangdong", "pilot_exemption"), profiles=small_profiles).totals
    assert val(ds, "import_cost_yuan") == pytest.approx(492_795.0)
    assert val(ds, "import_td_fee_yuan") == pytest.approx(50.0 * 1174)
    assert val(ds, "import_energy_cost_yuan") == pytest.approx(300.0 * 1174)
    assert val(ds, "capacity_td_fee_yuan") == 0.0 and val(ds, "self_use_fees_yuan") == 0.0
    # an hourly energy price series (300 every hour) replaces the float: every other component is then
    # flat, and the line loss is priced at the tariff's flat energy price, Guangdong's 453:
    # 453 x 0.04 / 0.96 = 18.875; import price 300 + 50 + 20 + 30 + 18.875 = 418.875 yuan/MWh
    csv = _write_prices(tmp_path / "energy.csv", small_profiles.time, np.full(48, 300.0))
    sc = _province_tariff(small_scenario, "guangdong", "pilot_exemption")
    sc = sc.model_copy(update={"tariff": sc.tariff.model_copy(update={"energy_price_csv": str(csv),
                                                                      "energy_price_yuan_per_mwh": None})})
    assert resolve(sc).tou_float == ("energy",)
    ds = simulate(sc, profiles=small_profiles).totals
    assert val(ds, "import_cost_yuan") == pytest.approx(1600.0 * 418.875)
    assert val(ds, "import_energy_cost_yuan") == pytest.approx(1600.0 * 300.0)
    assert val(ds, "import_td_fee_yuan") == pytest.approx(1600.0 * 50.0)
    assert val(ds, "import_line_loss_fee_yuan") == pytest.approx(1600.0 * 18.875)


def test_float_structure_of_each_built_in_tariff_is_sourced() -> None:
    expected = {"inner_mongolia_west": "energy", "xinjiang": "energy", "jiangsu": "energy",
                "shandong": "energy,system_operation,line_loss,capacity_compensation",
                "guangdong": "energy,td_energy,system_operation,line_loss"}
    for name, text in expected.items():
        f = T.tariff(name)["tou_float_components"]
        assert f.value == text and f.confidence == "quoted from a copy", name
    with pytest.raises(DataTableError, match=r"tou_float_components = 'td_energy' is invalid: .*includes energy"):
        T.parse_float_components("td_energy", "my.csv row 3")
    with pytest.raises(ScenarioErrors, match=r"tariff.tou_float_components = \['energy', 'fuel'\] is invalid"):
        load_scenario(DATACENTRE, overrides={"tariff.tou_float_components": ["energy", "fuel"]})
