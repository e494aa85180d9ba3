"""One scenario end to end, checked against totals worked out by hand."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
import pytest

from gpdc import simulate
from gpdc.errors import ConsistencyError, ConsistencyWarning
from gpdc.profiles import ProfileSet
from gpdc.results.registry import VARIABLES
from gpdc.scenario.load import load_scenario
from gpdc.scenario.schema import Scenario

from .conftest import ALUMINIUM, DATACENTRE


def val(ds: object, name: str) -> float:
    return float(ds[name].values)  # type: ignore[index]


def test_small_case_by_hand(small_scenario: Scenario, small_profiles: ProfileSet) -> None:
    r = simulate(small_scenario, profiles=small_profiles)
    ds = r.totals
    # PV 100 MW x 0.8 = 80 MW for 8 h a day, 2 days: 1280 MWh available
    assert val(ds, "gen_avail_mwh") == pytest.approx(1280.0)
    # load 50 MW: 50 used directly in the 16 sunny hours = 800 MWh; surplus 30 MW x 16 h = 480 MWh
    assert val(ds, "direct_mwh") == pytest.approx(800.0)
    # running cap 20 %: day 1 hours 10..17 -> cumulative allowance 0.2 x 80 x k; each hour 16 MWh,
    # export limit 50 MW is not binding, surplus 30 > 16, so export = 16 MWh per sunny hour
    assert val(ds, "export_mwh") == pytest.approx(16.0 * 16)
    assert val(ds, "curtail_export_cap_mwh") == pytest.approx((30.0 - 16.0) * 16)
    assert val(ds, "curtail_bus_mwh") == pytest.approx((30.0 - 16.0) * 16)
    assert val(ds, "import_mwh") == pytest.approx(50.0 * 32)
    assert val(ds, "self_use_share") == pytest.approx(800.0 / 1280.0)
    assert val(ds, "green_share_of_load") == pytest.approx(800.0 / 2400.0)
    assert val(ds, "export_share") == pytest.approx(0.2)
    assert val(ds, "curtailment_rate") == pytest.approx(224.0 / 1280.0)
    assert val(ds, "annual_match_share") == pytest.approx(1280.0 / 2400.0)
    assert bool(ds["meets_self_use"]) and bool(ds["meets_green_share"]) and bool(ds["compliant"])
    assert val(ds, "self_use_margin") == pytest.approx(800.0 / 1280.0 - 0.6)
    assert val(ds, "self_supply_hours_h") == 16.0
    # money: flat 400 yuan/MWh import, 250 export, no fee (pilot exemption)
    assert val(ds, "baseline_cost_yuan") == pytest.approx(2400.0 * 400.0)
    assert val(ds, "import_cost_yuan") == pytest.approx(1600.0 * 400.0)
    assert val(ds, "export_revenue_yuan") == pytest.approx(256.0 * 250.0)
    period = 48.0 / 8760.0
    capex = 100_000.0 * 3000.0  # kW x yuan/kW
    assert val(ds, "capex_yuan") == pytest.approx(capex)
    assert val(ds, "annualised_capex_yuan") == pytest.approx(capex / 20.0 * period)  # r = 0: capex / n
    assert val(ds, "om_cost_yuan") == pytest.approx(100_000.0 * 40.0 * period)
    project = 1600.0 * 400.0 - 256.0 * 250.0 + capex / 20.0 * period + 100_000.0 * 40.0 * period
    assert val(ds, "project_cost_yuan") == pytest.approx(project)
    assert val(ds, "savings_yuan") == pytest.approx(2400.0 * 400.0 - project)
    assert val(ds, "savings_yuan_per_mwh") == pytest.approx((2400.0 * 400.0 - project) / 2400.0)
    # CO2 and coal: 800 MWh x 0.5 t/MWh; 800 MWh x 300 g/kWh = 240 t
    assert val(ds, "avoided_co2_t") == pytest.approx(400.0)
    assert val(ds, "coal_saved_tce") == pytest.approx(240.0)
    assert val(ds, "direct_connection_co2_t") == pytest.approx(800.0)
    assert val(ds, "location_based_co2_t") == pytest.approx(1200.0)


def test_full_cost_sharing_charges_self_used_energy(small_scenario: Scenario, small_profiles: ProfileSet) -> None:
    sc = small_scenario.model_copy(update={"tariff": small_scenario.tariff.model_copy(
        update={"fee_regime": "full_cost_sharing", "self_use_fee_yuan_per_mwh": 60.0})})
    ds = simulate(sc, profiles=small_profiles).totals
    assert val(ds, "self_use_fees_yuan") == pytest.approx(800.0 * 60.0)


@pytest.mark.parametrize("path", [DATACENTRE, ALUMINIUM], ids=["datacentre", "aluminium"])
def test_ready_scenarios_balance_and_carry_units(path: object) -> None:
    r = simulate(load_scenario(path), traces=True)  # type: ignore[arg-type]
    ds = r.totals
    gen = val(ds, "gen_avail_mwh")
    parts = sum(val(ds, k) for k in ("direct_mwh", "charge_green_mwh", "export_mwh", "curtail_line_mwh",
                                     "curtail_bus_mwh", "line_loss_mwh"))
    assert parts == pytest.approx(gen, rel=1e-9)
    load = val(ds, "load_mwh")
    assert load + val(ds, "charge_grid_mwh") == pytest.approx(
        val(ds, "direct_mwh") + val(ds, "discharge_mwh") + val(ds, "import_mwh") + val(ds, "unserved_mwh"), rel=1e-9)
    for name in ds.data_vars:
        assert ds[name].attrs["units"] == VARIABLES[name].units
        assert ds[name].attrs["long_name"]
    assert val(ds, "export_share") <= ds.attrs["export_cap_frac"] + 1e-12
    assert r.traces is not None
    assert r.traces.sizes["time"] == 8760
    np.testing.assert_allclose(float(r.traces["direct_mwh"].sum()), val(ds, "direct_mwh"), rtol=1e-12)
    assert float(r.traces["soc_frac"].max()) <= r.resolved.scenario.storage.soc_max_frac + 1e-12


def test_emission_basis_is_selected_and_recorded() -> None:
    """The fossil basis (which the published 640,000 t for 760 GWh corresponds to) vs the grid average."""
    fossil = simulate(load_scenario(DATACENTRE, overrides={"emissions.basis": "fossil",
                                                           "emissions.factor_year": 2021})).totals
    average = simulate(load_scenario(DATACENTRE, overrides={"emissions.basis": "grid_average",
                                                            "emissions.factor_year": 2022})).totals
    assert fossil.attrs["emission_factor_t_co2_per_mwh"] == pytest.approx(0.8426)
    assert fossil.attrs["emission_factor_basis"] == "fossil"
    assert val(fossil, "avoided_co2_t") == pytest.approx(val(fossil, "self_used_mwh") * 0.8426)
    assert val(average, "avoided_co2_t") == pytest.approx(val(average, "self_used_mwh") * 0.5366)
    assert val(fossil, "self_used_mwh") == val(average, "self_used_mwh")  # the basis changes only the factor


def test_budget_rule_recorded_and_within_cap() -> None:
    run = simulate(load_scenario(DATACENTRE, overrides={"grid.export_cap_rule": "budget"})).totals
    assert run.attrs["export_cap_rule"] == "budget"
    assert val(run, "export_share") <= 0.2 + 1e-12


def test_the_dispatch_strategy_is_recorded_in_the_file(tmp_path: Path) -> None:
    from gpdc import open_results, write_results

    plain = simulate(load_scenario(DATACENTRE, overrides={}))
    assert plain.totals.attrs["storage_strategy"] == "green_first" and "lookahead_h" not in plain.totals.attrs
    ahead = simulate(load_scenario(DATACENTRE, overrides={"storage.strategy": "lookahead",
                                                          "storage.lookahead_h": 36, "storage.forecast": "persistence"}))
    write_results(tmp_path / "a.h5", ahead.totals)
    with open_results(tmp_path / "a.h5") as ds:
        assert (ds.attrs["storage_strategy"], ds.attrs["lookahead_h"], ds.attrs["lookahead_forecast"]) == (
            "lookahead", 36.0, "persistence")


def test_seed_reproducible_and_seed_sensitive() -> None:
    a = simulate(load_scenario(DATACENTRE)).totals
    b = simulate(load_scenario(DATACENTRE)).totals
    c = simulate(load_scenario(DATACENTRE, overrides={"seed": 99})).totals
    assert val(a, "self_used_mwh") == val(b, "self_used_mwh")
    assert a.attrs["inputs_sha256"] == b.attrs["inputs_sha256"]
    assert val(a, "self_used_mwh") != val(c, "self_used_mwh")
    assert a.attrs["inputs_sha256"] != c.attrs["inputs_sha256"]


def test_unserved_energy_is_reported_and_warned(caplog: pytest.LogCaptureFixture, small_scenario: Scenario,
                                                small_profiles: ProfileSet) -> None:
    sc = small_scenario.model_copy(update={"grid": small_scenario.grid.model_copy(update={"import_mw": 30.0})})
    with caplog.at_level(logging.WARNING), pytest.warns(ConsistencyWarning, match="grid.import_mw = 30.0 MW is below the peak load 50.0 MW"):
        ds = simulate(sc, profiles=small_profiles).totals
    # 32 dark hours x (50 - 30) MW, valued at the 400 yuan/MWh grid price in the project's cost
    assert val(ds, "unserved_mwh") == pytest.approx(32 * 20.0)
    assert val(ds, "unserved_cost_yuan") == pytest.approx(32 * 20.0 * 400.0)
    assert val(ds, "project_cost_yuan") == pytest.approx(
        val(ds, "import_cost_yuan") + val(ds, "unserved_cost_yuan") - val(ds, "export_revenue_yuan")
        + val(ds, "annualised_capex_yuan") + val(ds, "om_cost_yuan"))
    assert "MWh of load is unserved" in caplog.text
    with pytest.raises(ConsistencyError, match="below the peak load"):
        simulate(sc, profiles=small_profiles, strict=True)


def test_no_plausibility_warning_for_ready_scenarios() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConsistencyWarning)
        simulate(load_scenario(DATACENTRE))


def test_csv_profiles_give_the_same_result_as_the_same_profiles_in_memory(tmp_path: object) -> None:
    from pathlib import Path

    import pandas as pd

    from gpdc.pipeline import build_profiles

    sc = load_scenario(DATACENTRE)
    prof = build_profiles(sc)
    path = Path(str(tmp_path)) / "profiles.csv"
    pd.DataFrame({
        "time": prof.time.tz_localize(None).strftime("%Y-%m-%d %H:%M"),
        "cf_wind": [repr(float(x)) for x in prof.cf_wind],
        "cf_solar": [repr(float(x)) for x in prof.cf_solar],
        "load_mw": [repr(float(x)) for x in prof.load_mw],
    }).to_csv(path, index=False)
    from_csv = simulate(load_scenario(DATACENTRE, overrides={"profiles.source": "csv", "profiles.csv_path": str(path)}))
    in_memory = simulate(sc, profiles=prof)
    for name in ("self_used_mwh", "export_mwh", "import_cost_yuan", "compliant"):
        assert float(from_csv.totals[name]) == float(in_memory.totals[name])
    assert "profiles.csv" in from_csv.totals.attrs["profile_sources"]


def test_no_generation_exports_nothing_and_meets_only_the_export_rule(small_scenario: Scenario,
                                                                     small_profiles: ProfileSet) -> None:
    sc = small_scenario.model_copy(update={"solar": small_scenario.solar.model_copy(update={"capacity_mw": 0.0})})
    with pytest.warns(ConsistencyWarning, match="generates nothing"):
        ds = simulate(sc, profiles=small_profiles).totals
    assert np.isnan(val(ds, "self_use_share"))  # a share of nothing is undefined
    assert bool(ds["meets_export_cap"]) and not bool(ds["meets_self_use"]) and not bool(ds["compliant"])
