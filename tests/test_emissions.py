"""Carbon accounting: factor lookups, the published 640,000 t, the user's two accounts, hourly
factors, GECs, product footprints and the EU CBAM exposure — each checked against numbers
worked out by hand in the comments."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gpdc import simulate
from gpdc.accounting import emissions as E
from gpdc.cli import app
from gpdc.errors import DataTableError, ProfileError, ScenarioErrors
from gpdc.profiles import ProfileSet
from gpdc.profiles.factors import read_hourly_factors
from gpdc.results.dataset import totals_dataset
from gpdc.results.registry import VARIABLES
from gpdc.scenario import tables
from gpdc.scenario.load import load_scenario, scenario_from_dict, to_toml
from gpdc.scenario.products import product_table
from gpdc.scenario.resolve import resolve
from gpdc.scenario.schema import Product, Scenario

from .conftest import ALUMINIUM, DATACENTRE

EU, FX = 75.0, 8.3129  # EUR/t CO2 and yuan/EUR of carbon_market.csv
NET = EU * FX  # 623.4675 yuan/t CO2 with no carbon price paid in China


def val(ds: object, name: str) -> float:
    return float(ds[name].values)  # type: ignore[index]


def energy(**kw: float) -> dict[str, np.ndarray]:
    base = {"self_used_mwh": 0.0, "export_mwh": 0.0, "load_mwh": 0.0, "import_mwh": 0.0,
            "direct_mwh": 0.0, "charge_green_mwh": 0.0}
    base.update(kw)
    return {k: np.array([v]) for k, v in base.items()}


# --- factors ------------------------------------------------------------------------------
@pytest.mark.parametrize(("basis", "region", "year", "value"), [
    ("grid_average", "national", 2021, 0.5568),
    ("grid_average", "national", 2022, 0.5366),
    ("grid_average", "national", 2023, 0.5306),
    ("grid_average_excl_traded_nonfossil", "national", 2023, 0.6096),
    ("fossil", "national", 2021, 0.8426),
    ("fossil", "national", 2022, 0.8325),
    ("fossil", "national", 2023, 0.8273),
    ("regional", "north", 2023, 0.6361),
    ("regional", "northwest", 2022, 0.5857),
    ("provincial", "inner_mongolia", 2022, 0.6849),
    ("provincial", "qinghai", 2022, 0.1567),
])
def test_factor_lookup_by_basis_region_and_year(basis: str, region: str, year: int, value: float) -> None:
    f = tables.emission_factor(basis, region, year)
    assert f.value == value and f.unit == "t CO2/MWh" and f.year == year
    assert f.source and f.confidence == "quoted from a copy"  # reprints and transcriptions of the MEE/NBS tables


def test_unknown_factor_lookups_name_the_value_and_the_valid_set() -> None:
    with pytest.raises(DataTableError, match=r"unknown emission-factor basis 'marginal'; valid: fossil, grid_average"):
        tables.emission_factor("marginal", "national", 2022)
    with pytest.raises(DataTableError, match=r"region 'tibet', year 2022; available for 'provincial' "
                                             r"\(region: years\): anhui: 2022;"):
        tables.emission_factor("provincial", "tibet", 2022)
    with pytest.raises(DataTableError, match=r"year 2019; .*national: 2021, 2022, 2023"):
        tables.emission_factor("fossil", "national", 2019)
    with pytest.raises(DataTableError, match=r"no coal rate for year 2019; available years: 2005, 2020"):
        tables.coal_rate(2019)
    with pytest.raises(DataTableError, match=r"unknown CBAM sector 'steel'; valid: aluminium, cement, .*iron_steel"):
        tables.cbam_sector("steel")
    with pytest.raises(DataTableError, match=r"unknown carbon-market item 'eua'; valid: china_carbon_price"):
        tables.carbon_market("eua")


def test_scenario_errors_name_the_field_the_value_and_the_choices() -> None:
    sc = load_scenario(ALUMINIUM, overrides={"emissions.factor_year": 2019})
    with pytest.raises(ScenarioErrors, match=r"emissions.factor_year = 2019 is invalid: no emission factor for basis "
                                             r"'regional', region 'northwest', year 2019; .*northwest: 2021, 2022, 2023; .*; "
                                             r"or set emissions.factor_t_co2_per_mwh"):
        resolve(sc)
    with pytest.raises(ScenarioErrors, match=r"emissions.coal_rate_year = 2019 is invalid: no coal rate for year "
                                             r"2019; available years: 2005, 2020, 2021"):
        resolve(load_scenario(ALUMINIUM, overrides={"emissions.coal_rate_year": 2019}))
    with pytest.raises(ScenarioErrors, match=r"emissions.basis = 'marginal' is invalid"):
        load_scenario(ALUMINIUM, overrides={"emissions.basis": "marginal"})
    with pytest.raises(ScenarioErrors, match=r"products.0.sector = 'steel' is invalid: unknown CBAM sector; "
                                             r"valid: aluminium, cement"):
        load_scenario(ALUMINIUM, overrides={"products": [{"name": "rebar", "sector": "steel",
                                                          "output_t_per_year": 1.0, "electricity_kwh_per_t": 1.0}]})
    two = {"name": "clinker", "sector": "cement", "output_t_per_year": 1.0, "electricity_kwh_per_t": 1.0}
    with pytest.raises(ScenarioErrors, match=r"product names must be unique; repeated: clinker"):
        load_scenario(ALUMINIUM, overrides={"products": [two, two]})


def test_carbon_market_defaults_are_sourced_and_overridable() -> None:
    r = resolve(load_scenario(ALUMINIUM))
    assert r["eu_carbon_price_eur_per_t_co2"] == EU and r["exchange_rate_yuan_per_eur"] == FX
    assert r["china_carbon_price_paid_yuan_per_t_co2"] == 0.0
    assert "veyt.com" in r.values["eu_carbon_price_eur_per_t_co2"].source
    assert r.values["china_carbon_price_paid_yuan_per_t_co2"].confidence == "assumption"
    r = resolve(load_scenario(ALUMINIUM, overrides={"emissions.eu_carbon_price_eur_per_t_co2": 90.0}))
    assert r["eu_carbon_price_eur_per_t_co2"] == 90.0 and r.values["eu_carbon_price_eur_per_t_co2"].source == \
        "scenario file"


def test_account_factor_defaults_to_the_grid_average_on_the_fossil_basis() -> None:
    r = resolve(load_scenario(DATACENTRE, overrides={"emissions.basis": "fossil", "emissions.factor_year": 2021}))
    assert r["emission_factor_t_co2_per_mwh"] == 0.8426
    assert r["account_factor_t_co2_per_mwh"] == 0.5568  # grid average 2021, not the fossil factor
    r = resolve(load_scenario(DATACENTRE, overrides={"emissions.basis": "provincial"}))
    assert r["account_factor_t_co2_per_mwh"] == r["emission_factor_t_co2_per_mwh"] == 0.6849
    r = resolve(load_scenario(DATACENTRE, overrides={"emissions.account_basis": "regional"}))
    assert r["account_factor_t_co2_per_mwh"] == 0.6776  # North China grid 2022


# --- the published Inner Mongolia figure -------------------------------------------------------
def test_published_640000_t_is_the_2021_fossil_factor() -> None:
    # 760 GWh used on site x 0.8426 t/MWh = 640,376 t: the published "640,000 t"
    fossil = tables.emission_factor("fossil", "national", 2021).value
    e = E.emissions(energy(self_used_mwh=760_000.0, load_mwh=760_000.0, direct_mwh=760_000.0), fossil, 305.5)
    assert e["avoided_co2_t"][0] == pytest.approx(640_376.0)
    assert abs(e["avoided_co2_t"][0] - 640_000.0) / 640_000.0 < 1e-3
    # beside it, the grid averages (docs/carbon.md): 2021 0.5568 -> 423,168 t; 2022 0.5366 -> 407,816 t
    for year, expected in ((2021, 423_168.0), (2022, 407_816.0), (2023, 403_256.0)):
        avg = tables.emission_factor("grid_average", "national", year).value
        assert E.emissions(energy(self_used_mwh=760_000.0), avg, 305.5)["avoided_co2_t"][0] == pytest.approx(expected)
    # the published 210,000 tce is NOT reproduced by any supply coal rate: 760 GWh x 305.5 g/kWh = 232,180 tce
    assert e["coal_saved_tce"][0] == pytest.approx(232_180.0)


# --- the user's accounts, by hand ---------------------------------------------------------------
def test_location_based_and_direct_connection_accounts_by_hand() -> None:
    # 1000 MWh consumed: 600 green (500 direct, 100 via storage), 400 imported (of which 50 charged
    # storage); 200 MWh exported; factor 0.6 t/MWh; coal 300 g/kWh
    e = E.emissions(energy(self_used_mwh=600.0, load_mwh=1000.0, import_mwh=400.0, export_mwh=200.0,
                           direct_mwh=500.0, charge_green_mwh=105.3), 0.6, 300.0)
    assert e["location_based_co2_t"][0] == pytest.approx(600.0)  # 1000 x 0.6
    assert e["direct_connection_co2_t"][0] == pytest.approx(240.0)  # 400 x 0.6, green at 0
    assert e["location_based_t_co2_per_mwh"][0] == pytest.approx(0.6)
    assert e["direct_connection_t_co2_per_mwh"][0] == pytest.approx(0.24)
    assert e["accounting_difference_co2_t"][0] == pytest.approx(360.0)
    assert e["avoided_co2_t"][0] == pytest.approx(360.0)  # 600 self-used x 0.6
    assert e["coal_saved_tce"][0] == pytest.approx(180.0)  # 600 MWh x 300 g/kWh
    # GECs: 500 + 105.3 + 200 = 805.3 MWh delivered -> 805 whole certificates
    assert e["gec_basis_mwh"][0] == pytest.approx(805.3) and e["gec_count"][0] == 805.0
    # exports counted as displacing grid power: (600 + 200) x 0.6
    e = E.emissions(energy(self_used_mwh=600.0, export_mwh=200.0), 0.6, 300.0, count_export=True)
    assert e["avoided_co2_t"][0] == pytest.approx(480.0) and e["coal_saved_tce"][0] == pytest.approx(240.0)
    # a separate account factor (fossil basis for avoided, grid average for the accounts)
    e = E.emissions(energy(self_used_mwh=600.0, load_mwh=1000.0, import_mwh=400.0), 0.8426, 300.0,
                    account_factor_t_co2_per_mwh=0.5366)
    assert e["avoided_co2_t"][0] == pytest.approx(505.56)
    assert e["direct_connection_co2_t"][0] == pytest.approx(214.64)


def test_small_simulation_accounts_and_gecs(small_scenario: Scenario, small_profiles: ProfileSet) -> None:
    ds = simulate(small_scenario, profiles=small_profiles).totals
    # conftest case: 2400 MWh load, 1600 imported, 800 direct, 256 exported, factor 0.5
    assert val(ds, "location_based_co2_t") == pytest.approx(1200.0)
    assert val(ds, "direct_connection_co2_t") == pytest.approx(800.0)
    assert val(ds, "direct_connection_t_co2_per_mwh") == pytest.approx(1.0 / 3.0)
    assert val(ds, "accounting_difference_co2_t") == pytest.approx(400.0)
    assert val(ds, "gec_count") == 1056.0  # 800 direct + 256 exported
    assert ds.attrs["account_factor_basis"] == "provincial"  # the scenario's basis (its factor set to 0.5)
    assert ds.attrs["account_factor_t_co2_per_mwh"] == 0.5
    assert ds.attrs["count_export_in_avoided"] == 0
    # the hourly CFE score against annual matching: 800/2400 hour by hour, 1280/2400 over the year
    assert val(ds, "hourly_match_share") == pytest.approx(1.0 / 3.0)
    assert val(ds, "annual_match_share") == pytest.approx(1280.0 / 2400.0)


def _write_factors(path: Path, times: object, factors: np.ndarray) -> Path:
    lines = ["time,factor_t_co2_per_mwh"] + [f"{t:%Y-%m-%d %H:%M},{f}" for t, f in zip(times, factors, strict=True)]  # type: ignore[call-overload]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_hourly_factors_by_hand(tmp_path: Path, small_scenario: Scenario, small_profiles: ProfileSet) -> None:
    hour = small_profiles.time.hour.to_numpy()
    # 0.9 at night (0-9 h), 0.1 while the sun shines (10-17 h), 0.3 in the evening (18-23 h)
    f = np.where(hour < 10, 0.9, np.where(hour < 18, 0.1, 0.3))
    csv = _write_factors(tmp_path / "f.csv", small_profiles.time, f)
    sc = small_scenario.model_copy(update={"emissions": small_scenario.emissions.model_copy(
        update={"hourly_factors_csv": str(csv)})})
    ds = simulate(sc, profiles=small_profiles).totals
    # imports: 50 MW in the 16 dark hours a day -> 2 days x 50 x (10 x 0.9 + 6 x 0.3) = 1080 t
    assert val(ds, "direct_connection_co2_t") == pytest.approx(1080.0)
    # load: 2 days x 50 x (10 x 0.9 + 8 x 0.1 + 6 x 0.3) = 1160 t
    assert val(ds, "location_based_co2_t") == pytest.approx(1160.0)
    assert val(ds, "avoided_co2_t") == pytest.approx(400.0)  # stays on the flat basis: 800 x 0.5
    assert ds.attrs["account_factor_basis"].startswith("hourly series (CSV file")
    assert ds.attrs["account_factor_t_co2_per_mwh"] == pytest.approx(float(np.mean(f)))


def test_grid_charging_is_counted_at_the_factor_of_its_hour(tmp_path: Path, small_scenario: Scenario,
                                                            small_profiles: ProfileSet) -> None:
    # storage charging from the grid at every price (flat 400 yuan/MWh <= 1000)
    sc = small_scenario.model_copy(update={"storage": small_scenario.storage.model_copy(update={
        "power_mw": 20.0, "energy_mwh": 80.0, "grid_charging": True, "grid_charge_max_price_yuan_per_mwh": 1000.0})})
    hour = small_profiles.time.hour.to_numpy()
    f = np.where(hour < 10, 0.9, np.where(hour < 18, 0.1, 0.3))
    csv = _write_factors(tmp_path / "f.csv", small_profiles.time, f)
    sc = sc.model_copy(update={"emissions": sc.emissions.model_copy(update={"hourly_factors_csv": str(csv)})})
    r = simulate(sc, profiles=small_profiles, traces=True)
    tr, ds = r.traces, r.totals
    assert tr is not None
    assert val(ds, "charge_grid_mwh") > 0.0
    by_hand = float(np.sum(tr["import_mwh"].values * f))
    assert val(ds, "direct_connection_co2_t") == pytest.approx(by_hand)
    without_charging = float(np.sum((tr["import_mwh"].values - tr["charge_grid_mwh"].values) * f))
    assert val(ds, "direct_connection_co2_t") > without_charging  # grid charging is in the account


def test_hourly_factor_file_errors_name_file_line_and_column(tmp_path: Path, small_profiles: ProfileSet) -> None:
    t = small_profiles.time
    f = np.full(48, 0.5)
    kw = {"time": t, "timezone": "Asia/Shanghai"}
    ok = read_hourly_factors(_write_factors(tmp_path / "ok.csv", t, f), **kw)  # type: ignore[arg-type]
    assert ok.factor_t_co2_per_mwh.shape == (48,) and "sha256" in ok.source
    bad = f.copy()
    bad[4] = 530.0  # g/kWh instead of t/MWh
    p = _write_factors(tmp_path / "g.csv", t, bad)
    with pytest.raises(ProfileError, match=r"g.csv: column factor_t_co2_per_mwh, data row 5 \(line 6\): '530.0' is "
                                           r"above 2 t CO2/MWh"):
        read_hourly_factors(p, **kw)  # type: ignore[arg-type]
    bad[4] = -0.1
    with pytest.raises(ProfileError, match=r"data row 5 \(line 6\): '-0.1' is negative"):
        read_hourly_factors(_write_factors(tmp_path / "n.csv", t, bad), **kw)  # type: ignore[arg-type]
    with pytest.raises(ProfileError, match=r"s.csv: 47 data rows found; the simulation has 48 hours"):
        read_hourly_factors(_write_factors(tmp_path / "s.csv", t[:47], f[:47]), **kw)  # type: ignore[arg-type]
    with pytest.raises(ProfileError, match=r"h.csv: column time, data row 1 \(line 2\): '2025-01-01 01:00' is not "
                                           r"the simulated hour 2025-01-01 00:00"):
        read_hourly_factors(_write_factors(tmp_path / "h.csv", t + (t[1] - t[0]), f), **kw)  # type: ignore[arg-type]
    (tmp_path / "c.csv").write_text("time,factor\n2025-01-01 00:00,0.5\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"c.csv: missing column\(s\) factor_t_co2_per_mwh; columns present: "
                                           r"time, factor"):
        read_hourly_factors(tmp_path / "c.csv", **kw)  # type: ignore[arg-type]
    with pytest.raises(ProfileError, match=r"nowhere.csv: file not found"):
        read_hourly_factors(tmp_path / "nowhere.csv", **kw)  # type: ignore[arg-type]


def test_relative_hourly_factor_path_is_taken_from_the_scenario_folder(tmp_path: Path) -> None:
    text = DATACENTRE.read_text(encoding="utf-8").replace("[emissions]", '[emissions]\nhourly_factors_csv = "f.csv"')
    (tmp_path / "s.toml").write_text(text, encoding="utf-8")
    sc = load_scenario(tmp_path / "s.toml")
    assert sc.emissions.hourly_factors_csv == str((tmp_path / "f.csv").resolve())


# --- products and CBAM -------------------------------------------------------------------------
def _products(*items: Product) -> E.ProductTable:
    return product_table(list(items))


def test_cbam_exposure_of_cement_in_scope_by_hand() -> None:
    # cement: 1 Mt/yr at 100 kWh/t and 0.6 t CO2/t direct (inputs of this test, not data)
    cement = Product(name="cement", sector="cement", output_t_per_year=1e6, electricity_kwh_per_t=100.0,
                     direct_t_co2_per_t=0.6)
    acc = {"location_based_t_co2_per_mwh": np.array([0.5857]), "direct_connection_t_co2_per_mwh": np.array([0.2])}
    p = E.product_accounts(acc, _products(cement), EU, FX, 0.0)
    assert p["cbam_net_carbon_price_yuan_per_t_co2"][0] == pytest.approx(623.4675)  # 75 EUR x 8.3129
    assert p["product_electricity_co2_location_t_co2_per_t"][0, 0] == pytest.approx(0.05857)  # 0.1 MWh x 0.5857
    assert p["product_electricity_co2_direct_connection_t_co2_per_t"][0, 0] == pytest.approx(0.02)
    assert bool(p["cbam_indirect_in_scope"][0, 0]) and bool(p["cbam_good"][0, 0])
    assert p["cbam_indirect_exposure_location_yuan_per_t"][0, 0] == pytest.approx(0.05857 * 623.4675)  # 36.52
    assert p["cbam_indirect_exposure_direct_connection_yuan_per_t"][0, 0] == pytest.approx(0.02 * 623.4675)  # 12.47
    assert p["cbam_direct_exposure_yuan_per_t"][0, 0] == pytest.approx(0.6 * 623.4675)  # 374.08
    assert p["cbam_exposure_location_yuan_per_t"][0, 0] == pytest.approx(0.65857 * 623.4675)
    assert p["cbam_exposure_location_yuan_per_year"][0, 0] == pytest.approx(0.65857 * 623.4675 * 1e6)
    # the direct line saves (0.05857 - 0.02) t/t x 623.4675 yuan/t x 1 Mt = 24.05 million yuan a year
    assert p["cbam_saving_yuan_per_year"][0, 0] == pytest.approx(0.03857 * 623.4675 * 1e6)
    assert p["product_co2_direct_connection_t_co2_per_t"][0, 0] == pytest.approx(0.62)
    # a carbon price paid in China of 100 yuan/t is deducted: 523.4675 yuan/t
    p = E.product_accounts(acc, _products(cement), EU, FX, 100.0)
    assert p["cbam_exposure_direct_connection_yuan_per_t"][0, 0] == pytest.approx(0.62 * 523.4675)
    # never below zero when China's price exceeds the EU's
    p = E.product_accounts(acc, _products(cement), EU, FX, 1000.0)
    assert p["cbam_exposure_location_yuan_per_t"][0, 0] == 0.0


def test_cbam_exposure_of_aluminium_is_zero_for_electricity_and_says_why() -> None:
    aluminium = Product(name="ingot", sector="aluminium", output_t_per_year=1e5, electricity_kwh_per_t=13_500.0,
                        direct_t_co2_per_t=1.5)
    table = _products(aluminium)
    acc = {"location_based_t_co2_per_mwh": np.array([0.5857]), "direct_connection_t_co2_per_mwh": np.array([0.2])}
    p = E.product_accounts(acc, table, EU, FX)
    # the footprint is still reported: 13.5 MWh/t x 0.5857 = 7.907 t CO2/t location-based, 2.7 direct connection
    assert p["product_electricity_co2_location_t_co2_per_t"][0, 0] == pytest.approx(7.90695)
    assert p["product_electricity_co2_direct_connection_t_co2_per_t"][0, 0] == pytest.approx(2.7)
    assert not bool(p["cbam_indirect_in_scope"][0, 0])
    for name in ("cbam_indirect_exposure_location_yuan_per_t", "cbam_indirect_exposure_direct_connection_yuan_per_t",
                 "cbam_saving_yuan_per_year"):
        assert p[name][0, 0] == 0.0
    # only direct emissions count: 1.5 x 623.4675 yuan/t in both accountings
    assert p["cbam_exposure_location_yuan_per_t"][0, 0] == pytest.approx(1.5 * NET)
    assert p["cbam_exposure_direct_connection_yuan_per_t"][0, 0] == pytest.approx(1.5 * NET)
    assert "Annex II of Reg. (EU) 2023/956" in table.scope_reason[0]
    assert "only direct emissions count" in table.scope_reason[0]
    # not a CBAM good at all: nothing is due, and the reason says so
    dc = _products(Product(name="compute", sector="data_centre", output_t_per_year=1.0, electricity_kwh_per_t=1.0,
                           direct_t_co2_per_t=1.0))
    p = E.product_accounts(acc, dc, EU, FX)
    assert p["cbam_exposure_location_yuan_per_t"][0, 0] == 0.0 and not bool(p["cbam_good"][0, 0])
    assert "not goods listed in Annex I" in dc.scope_reason[0]


def test_products_in_a_simulation_carry_a_product_dimension(small_scenario: Scenario, small_profiles: ProfileSet,
                                                            tmp_path: Path) -> None:
    from gpdc.io.csv import write_totals_csv
    from gpdc.io.hdf5 import write_results

    sc = small_scenario.model_copy(update={"products": [
        Product(name="clinker", sector="cement", output_t_per_year=10_000.0, electricity_kwh_per_t=100.0),
        Product(name="ingot", sector="aluminium", output_t_per_year=100.0, electricity_kwh_per_t=13_500.0),
    ]})
    ds = simulate(sc, profiles=small_profiles).totals
    assert list(ds["product"].values) == ["clinker", "ingot"]
    assert list(ds["product_sector"].values) == ["cement", "aluminium"]
    # intensities 0.5 (location) and 1600 x 0.5 / 2400 = 1/3 (direct connection) t CO2/MWh
    e_loc = ds["product_electricity_co2_location_t_co2_per_t"]
    e_dc = ds["product_electricity_co2_direct_connection_t_co2_per_t"]
    assert float(e_loc.sel(product="clinker")) == pytest.approx(0.05)
    assert float(e_dc.sel(product="clinker")) == pytest.approx(0.1 / 3.0)
    assert float(e_dc.sel(product="ingot")) == pytest.approx(4.5)
    saving = ds["cbam_saving_yuan_per_year"]
    assert float(saving.sel(product="clinker")) == pytest.approx((0.05 - 0.1 / 3.0) * NET * 10_000.0)
    assert float(saving.sel(product="ingot")) == 0.0
    assert "Annex II" in str(ds["cbam_scope_reason"].sel(product="ingot").values)
    assert ds["cbam_saving_yuan_per_year"].attrs["units"] == "yuan/a"
    assert ds.attrs["eu_carbon_price_eur_per_t_co2"] == EU and "veyt" in ds.attrs["eu_carbon_price_eur_per_t_co2_source"]
    # written and read back; the CSV keeps one row per scenario, one column per product
    write_results(tmp_path / "p.h5", ds)
    csv = write_totals_csv(tmp_path / "p.csv", ds).read_text(encoding="utf-8").splitlines()
    assert len(csv) == 2 and "cbam_saving_yuan_per_year[ingot] [yuan/a]" in csv[0]
    # the scenario with its products round-trips through TOML
    import tomllib

    assert scenario_from_dict(tomllib.loads(to_toml(sc))) == sc


def test_accounting_is_vectorised_over_scenarios_for_sweeps() -> None:
    # three scenarios in one call, as a sweep gives them; two products
    en = {"self_used_mwh": np.array([600.0, 700.0, 0.0]), "export_mwh": np.array([0.0, 50.0, 0.0]),
          "load_mwh": np.array([1000.0, 1000.0, 1000.0]), "import_mwh": np.array([400.0, 300.0, 1000.0]),
          "direct_mwh": np.array([600.0, 650.0, 0.0]), "charge_green_mwh": np.array([0.0, 60.0, 0.0])}
    e = E.emissions(en, 0.5, 300.0, import_co2_t=np.array([100.0, 90.0, 500.0]))
    assert e["direct_connection_co2_t"].tolist() == [100.0, 90.0, 500.0]
    assert e["direct_connection_t_co2_per_mwh"] == pytest.approx([0.1, 0.09, 0.5])
    assert e["gec_count"].tolist() == [600.0, 760.0, 0.0]
    table = _products(Product(name="a", sector="cement", output_t_per_year=10.0, electricity_kwh_per_t=1000.0),
                      Product(name="b", sector="aluminium", output_t_per_year=10.0, electricity_kwh_per_t=1000.0))
    p = E.product_accounts(e, table, np.array([70.0, 80.0, 90.0]), FX)
    assert p["cbam_exposure_direct_connection_yuan_per_t"].shape == (3, 2)
    assert p["cbam_exposure_direct_connection_yuan_per_t"][:, 0] == pytest.approx(
        [0.1 * 70 * FX, 0.09 * 80 * FX, 0.5 * 90 * FX])
    assert p["cbam_exposure_direct_connection_yuan_per_t"][:, 1].tolist() == [0.0, 0.0, 0.0]
    # into a swept Dataset: dimension "case" first, "product" last
    values = {**e, **p}
    ds = totals_dataset(values, dims=("case",), coords={"case": [1, 2, 3], **table.coords()})
    assert ds["cbam_saving_yuan_per_year"].dims == ("case", "product")
    assert ds["direct_connection_co2_t"].dims == ("case",)
    assert E.hourly_weighted_co2_t(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, 0.1])).tolist() == [0.8, 1.4]


def test_every_carbon_variable_is_registered_with_units() -> None:
    names = set(E.emissions(energy(load_mwh=1.0), 0.5, 300.0)) | set(E.product_accounts(
        {"location_based_t_co2_per_mwh": np.array([0.5]), "direct_connection_t_co2_per_mwh": np.array([0.1])},
        _products(Product(name="a", sector="cement", output_t_per_year=1.0, electricity_kwh_per_t=1.0)), EU, FX))
    for n in names:
        assert n in VARIABLES and VARIABLES[n].units and VARIABLES[n].long_name and VARIABLES[n].definition, n


def test_every_cbam_sector_row_is_consistent() -> None:
    for key in tables.cbam_sector_keys():
        s = tables.cbam_sector(key)
        assert s.scope_reason and s.source and (s.cbam_good or not s.indirect_in_scope)
    in_scope = {k for k in tables.cbam_sector_keys() if tables.cbam_sector(k).indirect_in_scope}
    assert in_scope == {"cement", "fertilisers"}  # policy-and-data.md §8.3


def test_run_prints_the_carbon_section_with_products(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["run", str(ALUMINIUM), "--out", str(tmp_path / "a.h5")])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    for part in ("Carbon", "location-based", "direct-connection accounting", "green electricity certificates",
                 "Products and EU CBAM", "primary aluminium: aluminium goods are listed in Annex II",
                 "only direct emissions count"):
        assert part in text, part


def test_products_using_more_electricity_than_the_load_are_flagged(small_scenario: Scenario,
                                                                    small_profiles: ProfileSet) -> None:
    from gpdc.errors import ConsistencyError

    # the 48 h case consumes 2400 MWh, i.e. 438,000 MWh a year; 1 Mt x 1000 kWh/t = 1,000,000 MWh/a
    sc = small_scenario.model_copy(update={"products": [
        Product(name="x", sector="other", output_t_per_year=1e6, electricity_kwh_per_t=1000.0)]})
    with pytest.raises(ConsistencyError, match=r"products use 1,000,000 MWh/a of electricity .* but the load is "
                                               r"438,000 MWh/a"):
        simulate(sc, profiles=small_profiles, strict=True)
