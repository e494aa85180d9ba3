"""The flexible elements in runs, sweeps and sizing: the identities on every run and design, labelled sweeps,
`gpdc size` choosing the electrolyser and the store, the LP sizing them too, the CLI's section, the data.

Identities (docs/dispatch.md, "Flexible elements"), on the two ready scenarios, an EV-fleet variant
and every design of a sweep: electrolyser electricity = hydrogen x specific energy (+ compression)
+ stand-by; store end = start + produced − delivered; delivered + unmet = demanded; per window,
shiftable served + unserved = the window's energy; the extended bus balance and the generation
balance, yearly and hourly.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import gpdc
from gpdc.optimal import optimal_sizing, sizing_check
from gpdc.pipeline import build_profiles
from gpdc.profiles import ProfileSet
from gpdc.scenario import tables
from gpdc.sizing import size, spec_from

ROOT = Path(__file__).resolve().parents[1]
KUQA = ROOT / "scenarios" / "kuqa_solar_hydrogen.toml"
CEMENT = ROOT / "scenarios" / "cement_shiftable_mills.toml"
EV = {"ev_fleet.vehicles": 200, "ev_fleet.battery_kwh": 400.0, "ev_fleet.charger_kw": 120.0,
      "ev_fleet.energy_kwh_per_day": 250.0, "ev_fleet.plug_in_hour": 18, "ev_fleet.departure_hour": 7,
      "ev_fleet.v2g_kw": 60.0}


def _mwh_per_kg(sc: gpdc.Scenario) -> float:  # type: ignore[name-defined]
    return (sc.electrolyser.specific_energy_kwh_per_kg + sc.electrolyser.compression_kwh_per_kg) / 1000.0


def check_identities(ds: xr.Dataset, sc: object, tank_start_kg: float = 0.0) -> None:
    """The yearly identities on every design of a run or sweep Dataset."""
    v = {k: np.asarray(ds[k].values, dtype=np.float64) for k in ds.data_vars if ds[k].dtype.kind == "f"}
    scale = np.abs(v["gen_avail_mwh"]) + np.abs(v["consumption_mwh"]) + 1.0
    gen = (v["direct_mwh"] + v["charge_green_mwh"] + v["export_mwh"] + v["curtail_line_mwh"] + v["curtail_bus_mwh"]
           + v["line_loss_mwh"])
    assert np.all(np.abs(gen - v["gen_avail_mwh"]) <= 1e-9 * scale)
    flex = {k: v.get(k, 0.0) for k in ("electrolyser_mwh", "flexible_load_mwh", "ev_charge_mwh", "v2g_discharge_mwh")}
    bus_left = v["load_mwh"] + flex["electrolyser_mwh"] + flex["flexible_load_mwh"] + flex["ev_charge_mwh"] + v[
        "charge_grid_mwh"]
    bus_right = (v["direct_mwh"] + v["discharge_green_mwh"] + v["discharge_grid_mwh"] + flex["v2g_discharge_mwh"]
                 + v["import_mwh"] + v["unserved_mwh"])
    assert np.all(np.abs(bus_left - bus_right) <= 1e-9 * scale)
    assert np.allclose(v["consumption_mwh"], v["load_mwh"] + v["flexible_consumption_mwh"], rtol=1e-12)
    # the money: savings = baseline − project cost, per MWh of the whole consumption (flexible included)
    assert np.allclose(v["savings_yuan"], v["baseline_cost_yuan"] - v["project_cost_yuan"], rtol=1e-12)
    assert np.allclose(v["savings_yuan_per_mwh"], v["savings_yuan"] / v["consumption_mwh"], rtol=1e-12)
    if "hydrogen_produced_kg" in v:
        kg = v["hydrogen_produced_kg"]
        mpk = _mwh_per_kg(sc)  # type: ignore[arg-type]
        assert np.all(np.abs(v["electrolyser_mwh"] - (kg * mpk + v["electrolyser_standby_mwh"]))
                      <= 1e-9 * (v["electrolyser_mwh"] + 1.0))
        assert np.all(np.abs(v["hydrogen_offtake_kg"] + v["hydrogen_unmet_kg"] - v["hydrogen_demand_kg"])
                      <= 1e-9 * (v["hydrogen_demand_kg"] + 1.0))
        assert np.all(np.abs(v["hydrogen_tank_end_kg"] - (tank_start_kg + kg - v["hydrogen_offtake_kg"]))
                      <= 1e-9 * (kg + 1.0))
        assert np.allclose(v["electrolyser_green_mwh"] + v["electrolyser_grid_mwh"], v["electrolyser_mwh"],
                           rtol=1e-12, atol=1e-6)


def _traces_check(res: object, sc: object) -> None:
    """The identities hour by hour on a run's traces (the hydrogen store to 1e-9 kg, windows to 1e-9 MWh)."""
    tr = res.traces  # type: ignore[attr-defined]
    g = {k: tr[k].values for k in tr.data_vars}
    z = np.zeros(len(g["load_mw"]))
    left = g["load_mw"] + g.get("electrolyser_mwh", z) + g.get("flexible_load_mwh", z) + g.get("ev_charge_mwh", z) + \
        g["charge_grid_mwh"]
    right = (g["direct_mwh"] + g["discharge_green_mwh"] + g["discharge_grid_mwh"] + g.get("v2g_discharge_mwh", z)
             + g["import_mwh"] + g["unserved_mwh"])
    np.testing.assert_allclose(left, right, rtol=0, atol=1e-9)
    if "hydrogen_tank_kg" in g:
        tank = g["hydrogen_tank_kg"]
        start = sc.hydrogen.initial_fill_frac * sc.hydrogen.tank_kg  # type: ignore[attr-defined]
        prev = np.concatenate([[start], tank[:-1]])
        np.testing.assert_allclose(tank, prev + g["hydrogen_produced_kg"] - g["hydrogen_offtake_kg"], rtol=0, atol=1e-9)
    if "flexible_load_mwh" in g:
        per_day = (g["flexible_load_mwh"] + g["flexible_load_unserved_mwh"]).reshape(-1, 24).sum(axis=1)
        np.testing.assert_allclose(per_day, sc.flexible_load.energy_per_period_mwh, rtol=0, atol=1e-9)  # type: ignore


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[object, object]]:
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, path, over in (("kuqa", KUQA, {}), ("cement", CEMENT, {}), ("cement_ev", CEMENT, EV)):
            sc = gpdc.load_scenario(path, overrides=over)
            out[name] = (gpdc.simulate(sc, traces=True), sc)
    return out


@pytest.mark.parametrize("name", ["kuqa", "cement", "cement_ev"])
def test_identities_on_every_run(runs: dict[str, tuple[object, object]], name: str) -> None:
    res, sc = runs[name]
    start = sc.hydrogen.initial_fill_frac * sc.hydrogen.tank_kg if sc.hydrogen else 0.0  # type: ignore[attr-defined]
    check_identities(res.totals, sc, start)  # type: ignore[attr-defined]
    _traces_check(res, sc)


def test_ready_scenarios_report_the_flexible_results_and_verdicts(runs: dict[str, tuple[object, object]]) -> None:
    kuqa = runs["kuqa"][0].totals  # type: ignore[attr-defined]
    # 618 GWh of PV (the published yield) cannot make 20,000 t at 55.96 kWh/kg: the grid makes the rest
    assert float(kuqa["gen_avail_mwh"]) == pytest.approx(618_000.0, rel=1e-6)
    assert float(kuqa["electrolyser_grid_mwh"]) > 0.3 * float(kuqa["electrolyser_mwh"])
    assert float(kuqa["hydrogen_produced_kg"]) == pytest.approx(float(kuqa["hydrogen_demand_kg"]), rel=1e-3)
    for name in ("lcoh_yuan_per_kg", "hydrogen_co2_direct_kg_per_kg", "hydrogen_co2_location_kg_per_kg",
                 "meets_tcab_clean", "meets_eu_rfnbo_monthly", "meets_eu_rfnbo_hourly", "meets_eu_rfnbo"):
        assert name in kuqa and kuqa[name].attrs["units"]
    # grid electricity carries the grid factor: clean (<= 4.9) is out of reach with this much of it
    assert float(kuqa["hydrogen_co2_direct_kg_per_kg"]) > 4.9 and not bool(kuqa["meets_tcab_clean"])
    assert float(kuqa["hydrogen_co2_location_kg_per_kg"]) > float(kuqa["hydrogen_co2_direct_kg_per_kg"])
    # the green share counts the electrolyser's consumption
    assert float(kuqa["green_share_of_load"]) == pytest.approx(
        float(kuqa["self_used_mwh"]) / float(kuqa["consumption_mwh"]), rel=1e-12)
    cement = runs["cement"][0].totals  # type: ignore[attr-defined]
    assert float(cement["flexible_load_shifted_mwh"]) > 0.0 and float(cement["flexible_load_unserved_mwh"]) < 1e-6
    assert "electrolyser_mwh" not in cement and "ev_charge_mwh" not in cement  # only the elements it has
    # shifting the mills raises the green share against the same plant with the mills flat
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flat = gpdc.simulate(gpdc.load_scenario(CEMENT, overrides={"flexible_load.max_power_mw": 375.0 / 24}))
    assert float(cement["green_share_of_load"]) > float(flat.totals["green_share_of_load"]) + 0.03
    assert float(flat.totals["flexible_load_shifted_mwh"]) == pytest.approx(0.0, abs=1e-6)


def test_a_scenario_without_flexible_elements_reports_none_of_their_variables() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = gpdc.simulate(ROOT / "scenarios" / "inner_mongolia_datacentre.toml", traces=True)
    names = set(res.totals.data_vars) | set(res.traces.data_vars)
    for name in ("consumption_mwh", "electrolyser_mwh", "flexible_load_mwh", "ev_charge_mwh", "lcoh_yuan_per_kg"):
        assert name not in names


def test_sweep_over_electrolyser_tank_and_pv_is_labelled_and_balanced() -> None:
    sc = gpdc.load_scenario(KUQA)
    axes = {"electrolyser.capacity_mw": [180.0, 260.0], "hydrogen.tank_kg": [0.0, 18880.0],
            "solar.capacity_mw": [300.0, 450.0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = gpdc.sweep(sc, axes)
    dims = tuple(d.replace(".", "_") for d in axes)  # sweep dimensions are identifiers (field in attrs)
    assert {d: ds.sizes[d] for d in dims} == {d: 2 for d in dims}
    assert [ds[d].attrs["field"] for d in dims] == list(axes)
    assert ds["electrolyser_capacity_mw"].attrs["units"] == "MW" and ds["hydrogen_tank_kg"].attrs["units"] == "kg"
    assert ds["hydrogen_produced_kg"].dims == dims and ds["lcoh_yuan_per_kg"].attrs["units"] == "yuan/kg"
    # every design: the identities (the store starts half full: initial_fill_frac x its own size)
    for ely in axes["electrolyser.capacity_mw"]:
        for tank in axes["hydrogen.tank_kg"]:
            for pv in axes["solar.capacity_mw"]:
                point = ds.sel({"electrolyser_capacity_mw": ely, "hydrogen_tank_kg": tank, "solar_capacity_mw": pv})
                check_identities(point, sc, 0.5 * tank)
    # more PV: more of the electrolyser's electricity is green and its hydrogen carries less CO2
    share = ds["electrolyser_green_share"]
    assert bool((share.sel(solar_capacity_mw=450.0) > share.sel(solar_capacity_mw=300.0)).all())
    # a sweep point equals the run of that design
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = gpdc.simulate(gpdc.load_scenario(KUQA, overrides={"electrolyser.capacity_mw": 180.0,
                                                                "hydrogen.tank_kg": 0.0, "solar.capacity_mw": 450.0}))
    point = ds.sel({"electrolyser_capacity_mw": 180.0, "hydrogen_tank_kg": 0.0, "solar_capacity_mw": 450.0})
    for name in ("hydrogen_produced_kg", "lcoh_yuan_per_kg", "project_cost_yuan", "green_share_of_load"):
        assert float(point[name]) == float(one.totals[name]), name


def test_size_chooses_electrolyser_and_store_under_a_hydrogen_standard() -> None:
    spec = spec_from({"objective": "lcoh_yuan_per_kg", "targets": ["hydrogen_co2_direct_kg_per_kg <= 14.51"],
                      "variables": {"solar.capacity_mw": "300:700:200", "electrolyser.capacity_mw": "150:300:50",
                                    "hydrogen.tank_kg": "0:40000:20000"}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = size(gpdc.load_scenario(KUQA), spec)
    assert res.feasible
    best = res.design()
    assert 300.0 <= best["solar.capacity_mw"] <= 700.0 and 150.0 <= best["electrolyser.capacity_mw"] <= 300.0
    ev = res.evaluated
    b = res.best_row
    # the best meets the standard and the policy, and no feasible evaluated design has a lower LCOH
    assert all(margin >= -1e-9 for _, margin, _ in res.binding())
    assert ev.objective[b] <= ev.objective[ev.feasible].min() + 1e-9
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = gpdc.simulate(res.scenario())
    assert float(sim.totals["lcoh_yuan_per_kg"]) == pytest.approx(ev.objective[b], rel=1e-12)
    assert float(sim.totals["hydrogen_co2_direct_kg_per_kg"]) <= 14.51


def test_lp_sizes_electrolyser_and_store_and_the_gap_is_reported() -> None:
    sc = gpdc.load_scenario(KUQA)
    full = build_profiles(sc)
    n = 24 * 14  # two June weeks
    i = int(np.flatnonzero(np.asarray(full.time.month) == 6)[0])
    prof = ProfileSet(full.time[i:i + n], full.cf_wind[i:i + n], full.cf_solar[i:i + n], full.load_mw[i:i + n],
                      dict(full.sources))
    bounds = {"solar_mw": (300.0, 900.0), "electrolyser_mw": (100.0, 300.0), "tank_kg": (0.0, 60000.0)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lp = optimal_sizing(sc, bounds, {"max_hydrogen_co2_kg_per_kg": 14.51}, profiles=prof, green_first="relaxed",
                            commitment="relaxed")
        check = sizing_check(lp)
    for key, (lo, hi) in bounds.items():
        assert lo - 1e-6 <= lp.sizes[key] <= hi + 1e-6
    assert lp.objective_yuan == pytest.approx(lp.totals["project_cost_yuan"], rel=1e-9)
    assert lp.totals["hydrogen_co2_direct_kg_per_kg"] <= 14.51 + 1e-6
    # the LP-sized design run by the rules: never cheaper than the LP's own (relaxed) dispatch of it
    assert check.gap_yuan >= -1e-6 * abs(check.lp_cost_yuan)


def test_flexible_inputs_are_checked() -> None:
    from gpdc.errors import ScenarioErrors

    with pytest.raises(ScenarioErrors, match="needs an \\[electrolyser\\] section"):
        gpdc.load_scenario(CEMENT, overrides={"hydrogen.tank_kg": 100.0})
    with pytest.raises(ScenarioErrors, match="exceeds what max_power_mw can serve"):
        gpdc.load_scenario(CEMENT, overrides={"flexible_load.max_power_mw": 10.0})
    with pytest.raises(ScenarioErrors, match="give one offtake"):
        gpdc.load_scenario(KUQA, overrides={"hydrogen.offtake_kg_per_day": 1000.0})
    with pytest.raises(ScenarioErrors, match="electrolyser.min_load_frac"):
        gpdc.load_scenario(KUQA, overrides={"electrolyser.min_load_frac": 1.5})


def test_data_tables_carry_source_date_and_confidence() -> None:
    for name in ("hydrogen_defaults", "hydrogen_standards"):
        df = tables.raw_table(name)
        assert df["source"].str.len().min() > 10 and df["confidence"].isin(tables.CONFIDENCE_LEVELS).all()
        assert "date" in df.columns
    std = tables.hydrogen_standard("tcab_0078_2020")
    assert std["low_carbon_max_co2_kg_per_kg"].value == 14.51 and std["clean_max_co2_kg_per_kg"].value == 4.9
    eu = tables.hydrogen_standard("eu_rfnbo")
    assert eu["max_co2_kg_per_kg"].value == pytest.approx(94 * 0.3 * 120 / 1000)  # 3.384
    assert eu["hourly_matching_from_year"].value == 2030.0


def test_cli_prints_the_flexible_section_beside_the_policy_table(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gpdc.cli import app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = CliRunner().invoke(app, ["run", str(CEMENT), "-o", str(tmp_path / "c.h5")], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # rich's line wrapping undone
    assert text.index("Policy rules") < text.index("Flexible consumption") < text.index("Curtailment by cause")
    assert "shiftable load served / shifted / unserved" in text


def test_size_keeps_an_offtake_that_must_be_met() -> None:
    # 2,283 kg/h at 55.96 kWh/kg needs 128 MW on average: a 100 MW electrolyser cannot meet it
    # even with the grid, so where unmet offtake is not allowed the search rejects it
    sc = gpdc.load_scenario(KUQA, overrides={"hydrogen.unmet_allowed": False})
    spec = spec_from({"objective": "lcoh_yuan_per_kg", "variables": {"electrolyser.capacity_mw": "100:300:100"}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = size(sc, spec)
    assert any("hydrogen offtake met" in c for c in res.constraints)
    assert res.feasible and res.design()["electrolyser.capacity_mw"] >= 200.0
    ev = res.evaluated
    small = np.flatnonzero(ev.x[:, 0] == 100.0)
    assert small.size and not ev.feasible[small].any()


def test_every_numeric_field_of_the_flexible_sections_has_a_unit() -> None:
    from gpdc.scenario.schema import Electrolyser, EvFleet, FlexibleLoad, Hydrogen
    from gpdc.units import DIMENSIONLESS_FIELDS, unit_of

    for model in (Electrolyser, Hydrogen, FlexibleLoad, EvFleet):
        for name, info in model.model_fields.items():
            if any(a in (int, float) for a in (info.annotation, *getattr(info.annotation, "__args__", ()))):
                assert unit_of(name) is not None or name in DIMENSIONLESS_FIELDS, (model.__name__, name)
