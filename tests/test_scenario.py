"""Scenario files: every validation error by its message, overrides, TOML round trip, resolution."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from gpdc.errors import ScenarioErrors
from gpdc.scenario.load import load_scenario, scenario_from_dict, to_toml
from gpdc.scenario.resolve import resolve

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


def base() -> dict:
    return tomllib.loads((ROOT / "scenarios" / "inner_mongolia_datacentre.toml").read_text(encoding="utf-8"))


def error_for(mutate: dict[str, object] | None = None, drop: str | None = None) -> str:
    data = base()
    for dotted, value in (mutate or {}).items():
        *head, last = dotted.split(".")
        node = data
        for h in head:
            node = node.setdefault(h, {})
        node[last] = value
    if drop:
        *head, last = drop.split(".")
        node = data
        for h in head:
            node = node[h]
        del node[last]
    with pytest.raises(ScenarioErrors) as info:
        scenario_from_dict(data, source="test.toml")
    return str(info.value)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_ready_scenarios_validate_and_resolve(path: Path) -> None:
    sc = load_scenario(path)
    r = resolve(sc)
    assert 0.0 < r["min_self_use_frac"] <= 1.0
    assert r["emission_factor_t_co2_per_mwh"] > 0.0
    assert all(v.source for v in r.values.values())


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        ({"storage.energy_mwh": -5.0}, "storage.energy_mwh = -5.0 is invalid: must be >= 0.0 [MWh]"),
        ({"wind.capacity_mw": "lots"}, "wind.capacity_mw = 'lots' is invalid: must be a number [MW]"),
        ({"line.loss_frac": 0.7}, "line.loss_frac = 0.7 is invalid: must be < 0.5 [1]"),
        ({"line.rating_mw": 0.0}, "line.rating_mw = 0.0 is invalid: must be > 0.0 [MW]"),
        ({"storage.charge_efficiency_frac": 1.2}, "storage.charge_efficiency_frac = 1.2 is invalid: must be <= 1.0 [1]"),
        ({"site.province": "mars"}, "site.province = 'mars' is invalid: unknown province; valid: "),
        ({"site.latitude_deg": 123.0}, "site.latitude_deg = 123.0 is invalid: must be <= 90.0 [degree]"),
        ({"site.timezone": "Mars/Olympus"}, "unknown IANA time zone"),
        ({"load.archetype": "bakery"}, "load.archetype = 'bakery' is invalid: unknown load archetype; valid: "),
        ({"policy.rule_set": "utopia"}, "policy.rule_set = 'utopia' is invalid: unknown policy rule set; valid: hunan_853, "),
        ({"tariff.tou_schedule": "nope"}, "tariff.tou_schedule = 'nope' is invalid: unknown TOU schedule; valid: "),
        ({"tariff.fee_regime": "free"}, "tariff.fee_regime = 'free' is invalid: must be one of "),
        ({"grid.export_cap_rule": "monthly"}, "grid.export_cap_rule = 'monthly' is invalid: must be one of 'running' or 'budget'"),
        ({"grid.import_mw": float("nan")}, "grid.import_mw = nan is invalid: must be a finite number [MW]"),
        ({"storage.soc_min_frac": 0.9, "storage.soc_max_frac": 0.5}, "soc_max_frac (0.5) must be > soc_min_frac (0.9)"),
        ({"storage.initial_soc_frac": 0.99}, "initial_soc_frac (0.99) must lie between soc_min_frac (0.05) and soc_max_frac (0.95)"),
        ({"storage.grid_charging": True}, "grid_charging = true needs grid_charge_max_price_yuan_per_mwh"),
        ({"load.peak_mw": 100.0}, "give exactly one of annual_mwh or peak_mw"),
        ({"profiles.source": "csv"}, "source = 'csv' needs csv_path"),
        ({"wind.capacity_kw": 5.0}, "wind.capacity_kw = 5.0 is invalid: unit mismatch: gpdc takes capacity_mw [MW]"),
        ({"line.loss_pct": 2.0}, "line.loss_pct = 2.0 is invalid: unit mismatch: gpdc takes loss_frac [1]"),
        ({"wind.colour": "red"}, "wind.colour = 'red' is invalid: unknown field; valid fields here: capacity_mw, full_load_hours_h"),
        ({"profiles.year": 1800}, "profiles.year = 1800 is invalid: must be >= 1900"),
        ({"wind.capacity_mw": True}, "wind.capacity_mw = True is invalid: must be a number [MW]"),
        ({"wind.capacity_mw": "100"}, "wind.capacity_mw = '100' is invalid: must be a number [MW]"),
        ({"grid.export_allowed": "yes"}, "grid.export_allowed = 'yes' is invalid: must be true or false"),
        ({"seed": True}, "seed = True is invalid: must be an integer"),
    ],
)
def test_validation_errors_name_field_value_and_allowed(mutate: dict[str, object], expected: str) -> None:
    assert expected in error_for(mutate)


def test_missing_section_and_field_are_named() -> None:
    assert "grid = None is invalid: is required" in error_for(drop="grid")
    assert "wind.capacity_mw = None is invalid: is required [MW]" in error_for(drop="wind.capacity_mw")


def test_all_errors_reported_at_once() -> None:
    msg = error_for({"storage.energy_mwh": -1.0, "line.loss_frac": 2.0})
    assert "2 invalid fields" in msg
    assert "storage.energy_mwh" in msg
    assert "line.loss_frac" in msg
    assert msg.startswith("test.toml: ")


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioErrors, match="cannot be read"):
        load_scenario(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioErrors, match="is not valid TOML"):
        load_scenario(bad)


def test_overrides_and_relative_csv_path(tmp_path: Path) -> None:
    src = ROOT / "scenarios" / "inner_mongolia_datacentre.toml"
    sc = load_scenario(src, overrides={"storage.energy_mwh": 400.0, "profiles.source": "csv",
                                       "profiles.csv_path": "data/p.csv"})
    assert sc.storage.energy_mwh == 400.0
    assert sc.profiles.csv_path == str((ROOT / "scenarios" / "data" / "p.csv").resolve())


def test_toml_round_trip() -> None:
    for path in SCENARIOS:
        sc = load_scenario(path)
        again = scenario_from_dict(tomllib.loads(to_toml(sc)))
        assert again == sc


def test_resolution_records_sources_and_honours_overrides() -> None:
    sc = load_scenario(ROOT / "scenarios" / "inner_mongolia_datacentre.toml",
                       overrides={"policy.min_self_use_frac": 0.5, "emissions.basis": "fossil",
                                  "emissions.factor_year": 2021})
    r = resolve(sc)
    assert r["min_self_use_frac"] == 0.5
    assert r.values["min_self_use_frac"].source == "scenario file"
    assert r["min_green_share_of_load_frac"] == 0.30
    assert r["emission_factor_t_co2_per_mwh"] == pytest.approx(0.8426)
    assert "policy_rules.csv" in r.values["max_export_frac"].source
    assert r["export_cap_frac"] == r["max_export_frac"]


def test_no_reverse_flow_sets_export_cap_and_threshold_zero() -> None:
    sc = load_scenario(ROOT / "scenarios" / "xinjiang_aluminium.toml")
    r = resolve(sc)
    assert r["export_cap_frac"] == 0.0
    assert r["max_export_frac"] == 0.0  # judged against no reverse flow, not the rule set's 20 %
    assert "export_allowed = false" in r.values["max_export_frac"].source


def test_missing_world_number_names_the_field_to_set() -> None:
    # Xinjiang's provincial factors exist for 2021-2023 only (MEE/NBS tables as transcribed)
    sc = load_scenario(ROOT / "scenarios" / "xinjiang_aluminium.toml",
                       overrides={"emissions.basis": "provincial", "emissions.factor_year": 2020})
    with pytest.raises(ScenarioErrors, match=r"emissions.factor_year = 2020 is invalid: no emission factor for basis "
                                             r"'provincial', region 'xinjiang', year 2020; .*xinjiang: 2021, 2022, 2023; "
                                             r".*or set emissions.factor_t_co2_per_mwh"):
        resolve(sc)
    sc = load_scenario(ROOT / "scenarios" / "xinjiang_aluminium.toml",
                       overrides={"emissions.basis": "provincial", "emissions.factor_year": 2020,
                                  "emissions.factor_t_co2_per_mwh": 0.6})
    assert resolve(sc)["emission_factor_t_co2_per_mwh"] == 0.6
    sc = load_scenario(ROOT / "scenarios" / "xinjiang_aluminium.toml", overrides={"emissions.basis": "provincial"})
    assert resolve(sc)["emission_factor_t_co2_per_mwh"] == 0.6231  # 2022, 公告2024年第33号 (copy)


def test_every_numeric_field_has_a_unit_suffix() -> None:
    import types
    import typing

    from pydantic import BaseModel

    from gpdc.scenario.schema import Scenario
    from gpdc.units import DIMENSIONLESS_FIELDS, unit_of

    def numeric(annotation: object) -> bool:
        args = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
        return any(a in (int, float) for a in args)

    checked = 0
    for section in Scenario.model_fields.values():
        model = section.annotation
        fields = model.model_fields if isinstance(model, type) and issubclass(model, BaseModel) else {}
        for name, info in fields.items():
            if numeric(info.annotation):
                checked += 1
                assert unit_of(name) is not None or name in DIMENSIONLESS_FIELDS, name
    assert checked > 40
