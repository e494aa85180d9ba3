"""Where the figures come from: confidence labels that claim no more than was seen, and the metering switch.

docs/sources.md lists every figure of the ready scenarios (tests/test_docs.py keeps it up to
date); these tests hold the rules behind the labels and the policy switch for where the self-use
numerator is metered, with hand-computed cases.
"""

from __future__ import annotations

import pytest

from gpdc import simulate
from gpdc.errors import DataTableError, ScenarioErrors
from gpdc.profiles import ProfileSet
from gpdc.scenario import tables as T
from gpdc.scenario.load import load_scenario
from gpdc.scenario.resolve import resolve
from gpdc.scenario.schema import Scenario

from .conftest import ALUMINIUM, DATACENTRE

VERIFIED = "verified (official text seen)"


def test_levels_are_ordered_and_the_weakest_wins() -> None:
    assert T.CONFIDENCE_LEVELS == (VERIFIED, "quoted from a copy", "derived", "recalled", "assumption")
    assert T.weakest(VERIFIED, "quoted from a copy") == "quoted from a copy"
    assert T.weakest("derived", "recalled", VERIFIED) == "recalled"
    with pytest.raises(DataTableError, match=r"confidence 'VERIFIED \(quoted\)' is not one of 'verified"):
        T.weakest("VERIFIED (quoted)")


def test_only_official_texts_read_are_verified() -> None:
    # a 'verified' row names the official page it was read on; copies, reprints and transcriptions never are
    for name in T.TABLE_NAMES:
        df = T.raw_table(name)
        for col in ("confidence", "export_cap_confidence"):
            if col not in df:
                continue
            for _, row in df[df[col] == VERIFIED].iterrows():
                assert "saved verbatim" in row["source"] and ("nea.gov.cn" in row["source"] or "ndrc.gov.cn"
                                                              in row["source"]), (name, row.iloc[0])
    # every built-in tariff figure rests on copies or less: none is verified, all are illustrative
    for tariff in T.tariff_names():
        for field, f in T.tariff(tariff).items():
            assert f.confidence != VERIFIED and f.illustrative, (tariff, field)


def test_a_row_claims_no_more_than_its_weakest_figure() -> None:
    # provinces.csv rows hold the 2019 coal benchmark, which is recalled
    for key in T.province_keys():
        assert T.province(key).confidence == "recalled", key
    # derived values in a scenario take the weakest level of what they are derived from
    r = resolve(load_scenario(DATACENTRE))
    e, rate, loss = (r.values[k] for k in ("energy_price_yuan_per_mwh", "line_loss_rate_frac", "line_loss_yuan_per_mwh"))
    assert (e.confidence, rate.confidence) == ("derived", "quoted from a copy")
    assert loss.confidence == "recalled"  # the / (1 - rate) form is recalled
    # 312.6 x 0.0281 / (1 - 0.0281) = 9.038 yuan/MWh
    assert loss.value == pytest.approx(312.6 * 0.0281 / 0.9719)
    # the fee on drawn energy is as weak as its weakest component: Mengxi's system-operation fee (an estimate)
    assert r.values["import_adders_yuan_per_mwh"].confidence == "recalled"
    # Xinjiang's system-operation fee is not known: counted as 0, an assumption, and named for the warning
    x = resolve(load_scenario(ALUMINIUM))
    assert x["system_operation_yuan_per_mwh"] == 0.0 and x.not_known == ("system_operation_yuan_per_mwh",)
    assert x.values["import_adders_yuan_per_mwh"].confidence == "assumption"


def test_the_fee_regimes_say_what_their_clauses_rest_on() -> None:
    pilot = T.fee_regime("pilot_exemption")
    assert pilot.confidence == "recalled" and "各地不得违反国家规定减免有关费用" in pilot.note
    near = T.fee_regime("nearby_consumption_2025")
    assert near.confidence == "quoted from a copy" and near.date == "2025-10-01"
    assert near.flags["import_system_operation"] and near.flags["import_line_loss"]
    assert not near.flags["import_td_energy"] and near.flags["capacity_td_1192"]
    legacy = T.fee_regime("two_part_legacy")
    assert legacy.flags["self_use_td_energy"] and "实际用电量" in legacy.description


def test_missing_bill_figures_warn_and_strict_raises(small_profiles: ProfileSet) -> None:
    sc = load_scenario(ALUMINIUM, overrides={"tariff.tou_schedule": "flat"})  # no TOU warning in the way
    with pytest.warns(UserWarning, match=r"tariff.system_operation_yuan_per_mwh is not known .* counted as 0, though "
                                         r"fee regime nearby_consumption_2025 charges it on grid-drawn energy"):
        simulate(sc, profiles=small_profiles)
    with pytest.raises(Exception, match=r"average_load_rate_frac = 0.75 is an assumption"):
        simulate(sc, profiles=small_profiles, strict=True)
    # given both, the bill rests on the user's figures: nothing to warn about
    given = load_scenario(ALUMINIUM, overrides={"tariff.tou_schedule": "flat",
                                                "tariff.system_operation_yuan_per_mwh": 20.0,
                                                "tariff.average_load_rate_frac": 0.7})
    assert resolve(given).weak_bill_figures() == []


# ---------------------------------------------------------------- where self-use is metered
def _lossy(sc: Scenario, **policy: object) -> Scenario:
    line = sc.line.model_copy(update={"loss_frac": 0.02})
    return sc.model_copy(update={"line": line, "policy": sc.policy.model_copy(update=policy)})


def test_self_use_metering_at_the_plant_or_the_user_bus(small_scenario: Scenario, small_profiles: ProfileSet) -> None:
    # 48 h, PV 100 MW at cf 0.8 in hours 10-17: 16 h x 80 MW = 1,280 MWh available; line loss 2 %,
    # so 78.4 MW arrive and the 50 MW load uses 50 MW: 16 h x 50 = 800 MWh self-used at the user bus
    bus = simulate(_lossy(small_scenario), profiles=small_profiles).totals
    assert float(bus["self_used_mwh"]) == pytest.approx(800.0)
    assert bus.attrs["policy_self_use_metering"] == "user_bus"  # national_2025: 650号 gives no formula
    assert float(bus["self_use_share"]) == pytest.approx(800.0 / 1280.0)  # 0.625
    # at the plants: the 800 MWh left them as 800 / 0.98 = 816.33 MWh (688号: generation − export)
    plant = simulate(_lossy(small_scenario, self_use_metering="plant"), profiles=small_profiles).totals
    assert plant.attrs["policy_self_use_metering"] == "plant"
    assert float(plant["self_use_share"]) == pytest.approx(800.0 / 0.98 / 1280.0)  # 0.6378
    assert float(plant["self_use_margin"]) == pytest.approx(800.0 / 0.98 / 1280.0 - 0.6)
    # the green share of load is at the user bus either way: 800 / 2,400
    assert float(plant["green_share_of_load"]) == float(bus["green_share_of_load"]) == pytest.approx(800.0 / 2400.0)
    # the multi-user rule set meters at the plant by default (688号(十一), official text)
    multi = resolve(_lossy(small_scenario, rule_set="multi_user_2026"))
    assert multi.self_use_metering == "plant"
    assert T.policy_rule("multi_user_2026").confidence == VERIFIED
    with pytest.raises(ScenarioErrors, match=r"policy.self_use_metering = 'meter' is invalid"):
        load_scenario(DATACENTRE, overrides={"policy.self_use_metering": "meter"})
