"""Tests of gpdc.scenario.tables: the reference data tables and their reader."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gpdc.errors import DataTableError
from gpdc.scenario import tables as T

EXPECTED_SCHEDULES = {
    "mengxi_1630",
    "xinjiang_2023_11",
    "jiangsu_426_two_part",
    "guangdong_331",
    "qinghai_179",
    "shandong_914",
    "flat",
}
EXPECTED_PROVINCES = {
    "inner_mongolia_west",
    "xinjiang",
    "jiangsu",
    "gansu",
    "ningxia",
    "qinghai",
    "shandong",
    "guangdong",
}


def _ts(s: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([pd.Timestamp(s)])


def _mult(schedule: str, s: str) -> float:
    return float(T.tou_multipliers(schedule, _ts(s))[0])


# ---------------------------------------------------------------- provenance, all tables
@pytest.mark.parametrize("name", T.TABLE_NAMES)
def test_every_row_has_source_and_allowed_confidence(name: str) -> None:
    df = T.raw_table(name)
    assert len(df) > 0
    assert list(df.columns[-3:]) == ["source", "confidence", "note"]
    assert (df["source"].str.len() > 0).all()
    assert df["confidence"].isin(T.CONFIDENCE_LEVELS).all()


@pytest.mark.parametrize("name", T.TABLE_NAMES)
def test_csv_header_is_first_line(name: str) -> None:
    from importlib.resources import files

    text = (files("gpdc.scenario") / "data" / f"{name}.csv").read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert not first.startswith("#")
    assert first.endswith("source,confidence,note")


def test_raw_table_is_a_copy() -> None:
    df = T.raw_table("costs")
    df.loc[:, "value"] = -1.0
    assert T.cost("wind_capex_yuan_per_kw").value > 0


def test_unknown_table() -> None:
    with pytest.raises(DataTableError, match="valid: carbon_market, cbam_sectors, coal_rates"):
        T.raw_table("nope")


# ---------------------------------------------------------------- policy
def test_national_2025_thresholds() -> None:
    r = T.policy_rule("national_2025")
    assert (r.min_self_use_frac, r.min_green_share_of_load_frac, r.max_export_frac) == (
        0.6,
        0.3,
        0.2,
    )
    assert "650" in r.source
    assert r.confidence in T.CONFIDENCE_LEVELS


def test_2030_readings_and_hunan() -> None:
    assert T.policy_rule("national_650_before_2030").min_green_share_of_load_frac == 0.35
    r1192 = T.policy_rule("national_1192_new_from_2030")
    assert r1192.min_green_share_of_load_frac == 0.35
    assert r1192.min_self_use_frac == 0.6
    assert "1192" in r1192.source
    hunan = T.policy_rule("hunan_853")
    assert hunan.max_export_frac == 0.2
    assert hunan.confidence == "quoted from a copy"  # English translations of 853号, not the notice
    assert T.policy_rule("multi_user_2026").min_self_use_frac == 0.6


def test_policy_rule_sets_and_fractions() -> None:
    sets = T.policy_rule_sets()
    assert {
        "national_2025",
        "national_650_before_2030",
        "national_1192_new_from_2030",
        "hunan_853",
        "multi_user_2026",
    } <= set(sets)
    for name in sets:
        r = T.policy_rule(name)
        for x in (r.min_self_use_frac, r.min_green_share_of_load_frac):
            assert 0 < x <= 1
        assert r.max_export_frac is None or 0 <= r.max_export_frac <= 1


def test_unknown_policy_rule() -> None:
    with pytest.raises(DataTableError, match=r"unknown policy rule set 'x'.*national_2025"):
        T.policy_rule("x")


# ---------------------------------------------------------------- emission factors
def test_fossil_2021_and_data_centre_check() -> None:
    f = T.emission_factor("fossil", "national", 2021)
    assert f.value == 0.8426
    assert f.unit == "t CO2/MWh"
    assert f.confidence == "quoted from a copy"
    # published by 公告2024年第12号 (April 2024), not by the December 2024 announcement of the 2022 factors
    assert "公告2024年第12号" in f.source and "2024-04-12" in f.source
    assert "公告2024年第33号" in T.emission_factor("fossil", "national", 2022).source
    assert "公告2025年第47号" in T.emission_factor("fossil", "national", 2023).source
    assert "2025-12-31" in T.emission_factor("fossil", "national", 2023).source
    # Inner Mongolia green data centre: 760 GWh/yr, 640,000 tCO2 avoided (policy-and-data §4)
    assert 760_000 * f.value == pytest.approx(640_000, rel=0.001)


def test_emission_factor_values() -> None:
    assert T.emission_factor("grid_average", "national", 2021).value == 0.5568
    assert T.emission_factor("grid_average", "national", 2022).value == 0.5366
    assert T.emission_factor("fossil", "national", 2022).value == 0.8325
    ex = T.emission_factor("grid_average_excl_traded_nonfossil", "national", 2022)
    assert ex.value == 0.5856
    assert T.emission_factor("provincial", "inner_mongolia", 2022).value == 0.6849
    assert T.emission_factor("provincial", "qinghai", 2022).value == 0.1567
    assert T.emission_factor("regional", "north", 2022).value == 0.6776
    assert T.emission_factor("regional", "northwest", 2022).value == 0.5857


def test_emission_factor_keys() -> None:
    keys = T.emission_factor_keys()
    assert list(keys.columns) == ["basis", "region", "year"]
    assert set(keys["basis"]) == {
        "grid_average",
        "grid_average_excl_traded_nonfossil",
        "fossil",
        "provincial",
        "regional",
    }
    regional = set(keys.loc[keys["basis"] == "regional", "region"])
    assert regional == {"north", "northwest", "east", "northeast", "central", "south", "southwest"}
    provincial = set(keys.loc[keys["basis"] == "provincial", "region"])
    # the ten of the Beijing News excerpt, plus provinces of provinces.csv from the transcribed full tables
    assert len(provincial) == 16 and {"xinjiang", "jiangsu", "gansu", "ningxia", "shandong", "guangdong"} <= provincial
    assert T.emission_factor("provincial", "xinjiang", 2022).value == 0.6231
    assert T.emission_factor("provincial", "inner_mongolia", 2023).value == 0.6479
    assert not keys.duplicated().any()


def test_emission_factor_missing_lists_choices() -> None:
    with pytest.raises(DataTableError, match=r"'xinjiang', year 2020.*inner_mongolia: 2021, 2022, 2023"):
        T.emission_factor("provincial", "xinjiang", 2020)
    with pytest.raises(DataTableError, match=r"year 2030.*national: 2021, 2022"):
        T.emission_factor("grid_average", "national", 2030)
    with pytest.raises(DataTableError, match=r"basis 'marginal'; valid: fossil"):
        T.emission_factor("marginal", "national", 2022)


# ---------------------------------------------------------------- coal rates
def test_coal_rates() -> None:
    c = T.coal_rate(2020)
    assert c.value == 305.5
    assert c.unit == "g ce/kWh"
    assert c.confidence == "quoted from a copy"  # tothetick.com / Reuters report of the NDRC plan
    assert T.coal_rate(2025).value == 300
    for y in (2021, 2022, 2023):
        assert T.coal_rate(y).confidence == "recalled"
        assert 295 < T.coal_rate(y).value < 310


def test_coal_rate_no_fallback() -> None:
    with pytest.raises(DataTableError, match=r"year 2024; available years: .*2023, 2025"):
        T.coal_rate(2024)


# ---------------------------------------------------------------- provinces
def test_province_keys_and_links() -> None:
    keys = T.province_keys()
    assert EXPECTED_PROVINCES <= set(keys)
    schedules = set(T.tou_schedule_names())
    ef = T.emission_factor_keys()
    prov_regions = set(ef.loc[ef["basis"] == "provincial", "region"])
    grids = set(ef.loc[ef["basis"] == "regional", "region"])
    for k in keys:
        p = T.province(k)
        assert p.tou_schedule is None or p.tou_schedule in schedules
        assert p.emission_region is None or p.emission_region in prov_regions
        assert p.emission_regional_grid in grids
        assert p.coal_benchmark_yuan_per_mwh is not None
        assert 200 < p.coal_benchmark_yuan_per_mwh < 500
        assert p.funds_yuan_per_mwh is not None and p.funds_yuan_per_mwh >= 0


def test_province_values() -> None:
    p = T.province("inner_mongolia_west")
    assert p.coal_benchmark_yuan_per_mwh == pytest.approx(282.9)
    assert p.td_energy_110kv_yuan_per_mwh == pytest.approx(52.0)
    assert p.funds_yuan_per_mwh == pytest.approx(22.425)
    assert p.tou_schedule == "mengxi_1630"
    assert p.emission_region == "inner_mongolia"
    assert p.emission_regional_grid == "north"
    assert p.solar_noon_hours == pytest.approx(12.55)
    x = T.province("xinjiang")
    assert x.emission_region == "xinjiang"  # 2022 provincial factor 0.6231 (transcribed full table)
    assert x.emission_regional_grid == "northwest"
    assert x.system_operation_yuan_per_mwh is None  # NOT FOUND -> lead decides
    assert x.coal_benchmark_yuan_per_mwh == pytest.approx(250.0)
    assert T.province("jiangsu").emission_regional_grid == "east"
    assert T.province("shandong").emission_regional_grid == "north"
    assert T.province("guangdong").emission_regional_grid == "south"
    assert T.province("shandong").solar_noon_hours is None


def test_unknown_province() -> None:
    with pytest.raises(DataTableError, match=r"unknown province 'mars'; valid: gansu, guangdong"):
        T.province("mars")


# ---------------------------------------------------------------- TOU schedules
def test_schedule_names() -> None:
    assert EXPECTED_SCHEDULES <= set(T.tou_schedule_names())


@pytest.mark.parametrize("schedule", sorted(EXPECTED_SCHEDULES))
def test_schedule_covers_every_month_hour_once(schedule: str) -> None:
    df = T.raw_table("tou_schedules")
    sub = df[(df["schedule"] == schedule) & df["band"].isin(T.BASE_BANDS)]
    count = np.zeros((12, 24), dtype=int)
    for _, r in sub.iterrows():
        months: list[int] = []
        for part in r["months"].split(","):
            a, _, b = part.partition("-")
            months += list(range(int(a), int(b or a) + 1))
        for part in r["hours"].split(","):
            a_s, _, b_s = part.partition("-")
            a, b = int(a_s), int(b_s)
            hours = list(range(a, b)) if a < b else list(range(a, 24)) + list(range(0, b))
            for m in months:
                count[m - 1, hours] += 1
    assert (count == 1).all(), np.argwhere(count != 1)
    # the reader gives a band and a positive multiplier for each of the 288 cells
    idx = pd.date_range("2025-01-01", "2025-12-31 23:00", freq="h")
    mult = T.tou_multipliers(schedule, idx)
    bands = T.tou_bands(schedule, idx)
    assert mult.dtype == np.float64 and (mult > 0).all()
    assert set(bands) <= set(T.BASE_BANDS + T.OVERRIDE_BANDS)


def test_mengxi_1630() -> None:
    s = "mengxi_1630"
    assert _mult(s, "2025-03-10 07:00") == 1.68
    assert _mult(s, "2025-03-10 12:00") == 0.48
    assert _mult(s, "2025-03-10 09:00") == 1.0
    assert _mult(s, "2025-07-10 20:00") == pytest.approx(1.848)
    assert _mult(s, "2025-07-10 14:00") == pytest.approx(0.352)
    assert _mult(s, "2025-07-10 12:00") == 0.44
    assert _mult(s, "2025-07-10 18:00") == 1.54
    assert _mult(s, "2025-07-10 02:00") == 1.0  # calm-season night is flat
    assert _mult(s, "2025-03-10 02:00") == 0.48  # windy-season night is valley
    assert T.tou_bands(s, _ts("2025-07-10 20:00"))[0] == "critical_peak"
    assert T.tou_bands(s, _ts("2025-07-10 14:00"))[0] == "deep_valley"


def test_xinjiang_2023_11() -> None:
    s = "xinjiang_2023_11"
    assert _mult(s, "2025-06-15 15:00") == pytest.approx(0.10)
    assert T.tou_bands(s, _ts("2025-06-15 15:00"))[0] == "deep_valley"
    assert _mult(s, "2025-01-15 20:00") == 2.0
    assert _mult(s, "2025-07-15 22:00") == 2.0
    assert _mult(s, "2025-07-15 20:00") == 1.75
    assert _mult(s, "2025-03-15 15:00") == 0.25
    assert _mult(s, "2025-03-15 23:00") == 1.75


def test_other_schedules() -> None:
    assert _mult("jiangsu_426_two_part", "2025-07-01 15:00") == 1.8
    assert _mult("jiangsu_426_two_part", "2025-04-01 14:00") == 1.0
    assert _mult("jiangsu_426_two_part", "2025-04-01 23:00") == 1.0  # 22-02 wrap
    assert _mult("jiangsu_426_two_part", "2025-04-01 01:00") == 1.0
    assert _mult("jiangsu_426_two_part", "2025-04-01 03:00") == 0.35
    assert _mult("guangdong_331", "2025-08-01 16:00") == pytest.approx(2.125)
    assert _mult("guangdong_331", "2025-05-01 16:00") == 1.7
    assert _mult("guangdong_331", "2025-05-01 05:00") == 0.38
    assert _mult("qinghai_179", "2025-05-01 12:00") == 0.35
    assert _mult("qinghai_179", "2025-05-01 18:00") == 1.63
    assert _mult("shandong_914", "2025-04-01 12:00") == pytest.approx(0.1)
    assert _mult("shandong_914", "2025-04-01 18:00") == 2.0
    assert _mult("shandong_914", "2025-07-01 03:00") == 0.3
    assert _mult("shandong_914", "2025-07-01 12:00") == 1.0
    assert _mult("shandong_914", "2025-06-01 08:00") == 0.3
    idx = pd.date_range("2025-01-01", periods=48, freq="h")
    assert (T.tou_multipliers("flat", idx) == 1.0).all()


def test_tz_aware_leap_year_index() -> None:
    idx = pd.date_range("2024-01-01", "2024-12-31 23:00", freq="h", tz="Asia/Shanghai")
    assert len(idx) == 8784
    mult = T.tou_multipliers("mengxi_1630", idx)
    assert mult.shape == (8784,) and mult.dtype == np.float64
    assert mult[7] == 1.68  # 2024-01-01 07:00 local
    # wall-clock time is used: the naive local index gives the same answer, UTC does not
    assert np.array_equal(T.tou_multipliers("mengxi_1630", idx.tz_localize(None)), mult)
    assert not np.array_equal(T.tou_multipliers("mengxi_1630", idx.tz_convert("UTC")), mult)
    bands = T.tou_bands("xinjiang_2023_11", idx)
    assert bands.dtype == object and bands.shape == (8784,)
    july20 = idx.get_loc(pd.Timestamp("2024-07-20 22:00", tz="Asia/Shanghai"))
    assert bands[july20] == "critical_peak"
    # daily means by hand: windy (6*1.68 + 9 + 9*0.48)/24; calm with overrides
    summer = (idx.month >= 6) & (idx.month <= 8)
    assert mult[~summer].mean() == pytest.approx((6 * 1.68 + 9 + 9 * 0.48) / 24)
    calm = 4 * 1.54 + 2 * 1.848 + 13 + 3 * 0.44 + 2 * 0.352
    assert mult[summer].mean() == pytest.approx(calm / 24)


def test_tou_errors() -> None:
    idx = pd.date_range("2025-01-01", periods=3, freq="h")
    with pytest.raises(DataTableError, match=r"unknown TOU schedule 'gansu'; valid: flat"):
        T.tou_multipliers("gansu", idx)
    with pytest.raises(DataTableError, match="valid: flat"):
        T.tou_bands("nope", idx)
    with pytest.raises(TypeError):
        T.tou_multipliers("flat", np.arange(3))  # type: ignore[arg-type]


def test_tou_validation_detects_gap_and_overlap() -> None:
    from gpdc.scenario.tables.tou import tou_grid

    good = T.raw_table("tou_schedules")
    gap = good[~((good["schedule"] == "qinghai_179") & (good["band"] == "valley"))]
    with pytest.raises(DataTableError, match=r"'qinghai_179': month 1, hour 9 is not covered"):
        tou_grid(gap, "qinghai_179")
    over = good.copy()
    over.loc[(over["schedule"] == "qinghai_179") & (over["band"] == "valley"), "hours"] = "8-17"
    with pytest.raises(DataTableError, match=r"'qinghai_179': month 1, hour 8 covered twice"):
        tou_grid(over, "qinghai_179")
    assert _mult("qinghai_179", "2025-05-01 12:00") == 0.35  # the shipped table is complete


# ---------------------------------------------------------------- costs
def test_costs() -> None:
    items = set(T.cost_items())
    assert {
        "wind_capex_yuan_per_kw",
        "solar_capex_yuan_per_kw",
        "storage_energy_capex_yuan_per_kwh",
        "storage_energy_capex_2h_yuan_per_kwh",
        "line_capex_110kv_yuan_per_km",
        "line_capex_220kv_yuan_per_km",
        "wind_om_yuan_per_kw_year",
        "solar_om_yuan_per_kw_year",
        "storage_om_frac_of_capex_per_year",
    } <= items
    s = T.cost("storage_energy_capex_yuan_per_kwh")
    assert s.value == 425 and s.unit == "yuan/kWh" and s.confidence == "quoted from a copy"
    assert s.year == 2025
    assert T.cost("storage_energy_capex_2h_yuan_per_kwh").value == 465
    w = T.cost("wind_capex_yuan_per_kw")
    assert w.value == 4000 and w.confidence == "recalled" and "MIDPOINT" in w.note
    assert T.cost("storage_om_frac_of_capex_per_year").value == pytest.approx(0.02)
    assert "discount_rate" not in items


def test_unknown_cost() -> None:
    with pytest.raises(DataTableError, match=r"unknown cost item 'x'; valid: .*wind_capex"):
        T.cost("x")


def test_policy_thresholds_and_export_cap_carry_their_own_confidence() -> None:
    r = T.policy_rule("national_2025")
    # 60 % / 30 % / ≤ 20 %: 650号(六), read on the NEA page as saved verbatim
    assert r.confidence == "verified (official text seen)" and r.date == "2025-05-21"
    assert r.export_cap_confidence == "verified (official text seen)"
    assert "一般不超过20%" in r.note
    assert T.policy_rule("hunan_853").export_cap_confidence == "quoted from a copy"


def _table_text(name: str) -> pd.DataFrame:
    from importlib.resources import files

    with (files("gpdc.scenario") / "data" / f"{name}.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def test_validate_frame_names_the_row_and_column_of_each_fault() -> None:
    from gpdc.scenario.tables.core import validate_frame

    good = _table_text("coal_rates")
    df = validate_frame("coal_rates", good.copy(), "c.csv")
    assert df["year"].dtype == np.int64 and df["coal_rate_g_ce_per_kwh"].dtype == np.float64
    assert list(df.columns) == ["year", "coal_rate_g_ce_per_kwh", "source", "confidence", "note"]
    padded = good.copy()
    padded.loc[0, "note"] = "  padded  "
    assert validate_frame("coal_rates", padded, "c.csv").loc[0, "note"] == "padded"

    dup = pd.concat([good, good.iloc[[0]]], ignore_index=True)
    with pytest.raises(DataTableError, match=rf"c.csv: duplicate key \('year',\) in rows 2, {len(good) + 2}$"):
        validate_frame("coal_rates", dup, "c.csv")
    for at, column, cell, message in (
            (1, "year", "2020.5", r"c.csv column 'year': years must be integers"),
            (1, "coal_rate_g_ce_per_kwh", " ", r"c.csv row 3, column 'coal_rate_g_ce_per_kwh': empty"),
            (0, "coal_rate_g_ce_per_kwh", "lots", r"c.csv row 2, column 'coal_rate_g_ce_per_kwh': 'lots' is not a number"),
            (1, "source", "", r"c.csv row 3: empty source")):
        faulty = good.copy()
        faulty.loc[at, column] = cell
        with pytest.raises(DataTableError, match=message):
            validate_frame("coal_rates", faulty, "c.csv")
    with pytest.raises(DataTableError, match=r"c.csv lacks column\(s\) note"):
        validate_frame("coal_rates", good.drop(columns="note"), "c.csv")
    with pytest.raises(DataTableError, match=r"c.csv has no rows"):
        validate_frame("coal_rates", good.iloc[:0], "c.csv")


def test_validate_frame_rejects_an_empty_key() -> None:
    from gpdc.scenario.tables.core import validate_frame

    costs = _table_text("costs")
    costs.loc[0, "item"] = ""
    with pytest.raises(DataTableError, match=r"c.csv: empty key column 'item'"):
        validate_frame("costs", costs, "c.csv")


def test_row_finds_the_first_row_of_each_key_as_a_boolean_lookup_does() -> None:
    from gpdc.scenario.tables.core import KEYS, TABLE_NAMES, load_table, row

    looked = 0
    for name in TABLE_NAMES:
        for column in KEYS[name][:1]:
            df = load_table(name)
            for key in dict.fromkeys(df[column].tolist()):
                expected = df[df[column] == key].iloc[0]
                pd.testing.assert_series_equal(row(name, column, key, "thing"), expected)
                looked += 1
    assert looked > 50
    with pytest.raises(DataTableError, match=r"unknown province 'atlantis'; valid: .*xinjiang"):
        row("provinces", "province", "atlantis", "province")


def test_row_follows_a_reloaded_table() -> None:
    from gpdc.scenario.tables import core

    before = core.row("provinces", "province", "xinjiang", "province")
    core.load_table.cache_clear()  # a new DataFrame: the row index is rebuilt for it, not reused
    after = core.row("provinces", "province", "xinjiang", "province")
    pd.testing.assert_series_equal(before, after)
    assert core._ROW_INDEX["provinces", "province"][0] is core.load_table("provinces")
