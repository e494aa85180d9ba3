"""The year-by-year cash flow of a run: its parts add up to CF_y, and its sums to the NPV, the LCOE and the lifetime totals."""

from __future__ import annotations

import numpy as np
import pytest

import gpdc
from gpdc.accounting import evaluate
from gpdc.pipeline import Design, prepare
from gpdc.profiles import ProfileSet
from gpdc.results.registry import CASH_FLOW_VARIABLES
from gpdc.scenario.load import apply_fields
from gpdc.scenario.schema import Scenario

OVERRIDES = {
    "storage.power_mw": 20.0, "storage.energy_mwh": 40.0, "finance.discount_rate_frac": 0.06,
    "finance.tariff_escalation_frac_per_year": 0.02, "finance.pv_degradation_frac_per_year": 0.005,
    "finance.battery_degradation_frac_per_year": 0.02, "finance.storage_lifetime_years": 8.0,
}


@pytest.fixture
def scenario(small_scenario: Scenario) -> Scenario:
    return apply_fields(small_scenario, OVERRIDES)


def test_the_parts_add_up_and_the_sums_are_the_runs_finance(scenario: Scenario, small_profiles: ProfileSet) -> None:
    r = gpdc.simulate(scenario, profiles=small_profiles)
    cf, t = r.cash_flow, r.totals
    assert cf is not None and sorted(cf.data_vars) == sorted(CASH_FLOW_VARIABLES)
    life = int(t["project_life_years"])
    assert cf.sizes["project_year"] == life + 1 and cf["project_year"].values.tolist() == list(range(life + 1))
    for name in CASH_FLOW_VARIABLES:
        assert cf[name].attrs["units"] == CASH_FLOW_VARIABLES[name].units
    net = (cf["cash_flow_bill_savings_yuan"] - cf["cash_flow_capex_yuan"] - cf["cash_flow_om_yuan"]
           - cf["cash_flow_replacement_yuan"])
    np.testing.assert_allclose(net, cf["cash_flow_yuan"], rtol=1e-12, atol=1e-6)
    assert float(cf["cash_flow_capex_yuan"][0]) == float(t["capex_yuan"])
    assert float(cf["cash_flow_discounted_yuan"].sum()) == pytest.approx(float(t["npv_yuan"]), rel=1e-12)
    assert float(cf["cash_flow_replacement_yuan"].sum()) == pytest.approx(float(t["storage_replacement_yuan"]),
                                                                          rel=1e-12)
    assert np.count_nonzero(cf["cash_flow_replacement_yuan"].values) == len(range(8, life, 8))
    assert float(cf["cash_flow_self_used_mwh"].sum()) == pytest.approx(float(t["lifetime_self_used_mwh"]), rel=1e-12)
    # degradation: each year its own dispatch, less green energy as PV and storage age
    used = cf["cash_flow_self_used_mwh"].values[1:]
    assert used[-1] < used[0]
    disc = (1.0 + 0.06) ** -np.arange(life + 1)
    lcoe = np.sum(disc * cf["cash_flow_green_cost_yuan"].values) / np.sum(disc * cf["cash_flow_self_used_mwh"].values)
    assert lcoe == pytest.approx(float(t["lifetime_self_used_net_cost_yuan_per_mwh"]), rel=1e-12)
    # the LCOE (NREL): the discounted capex, O&M and replacements over the discounted plant output
    spent = cf["cash_flow_capex_yuan"].values + cf["cash_flow_om_yuan"].values + cf["cash_flow_replacement_yuan"].values
    delivered = cf["cash_flow_plant_output_mwh"].values
    assert float(delivered.sum()) == pytest.approx(float(t["lifetime_plant_output_mwh"]), rel=1e-12)
    assert delivered[0] == 0.0 and delivered[-1] < delivered[1]  # nothing in year 0; PV ages
    assert np.sum(disc * spent) / np.sum(disc * delivered) == pytest.approx(float(t["lcoe_yuan_per_mwh"]), rel=1e-12)
    # payback: the first year the cumulative discounted flow turns >= 0, linear within it
    cum = np.cumsum(cf["cash_flow_discounted_yuan"].values)
    y = int(np.flatnonzero(cum >= 0)[0])
    assert float(t["discounted_payback_years"]) == pytest.approx(y - 1 + (-cum[y - 1]) / (cum[y] - cum[y - 1]),
                                                                 rel=1e-12)


def test_a_batch_gives_each_design_its_own_run(scenario: Scenario, small_profiles: ProfileSet) -> None:
    prepared = prepare(scenario, None, small_profiles)
    sizes = np.array([20.0, 60.0])
    both = evaluate(prepared, Design(prepared.resolved, {"solar.capacity_mw": sizes}), cash_flows=True)
    for i, mw in enumerate(sizes):
        one = gpdc.simulate(apply_fields(scenario, {"solar.capacity_mw": float(mw)}), profiles=small_profiles)
        for name in CASH_FLOW_VARIABLES:
            assert np.array_equal(both[name][i], one.cash_flow[name].values), name  # type: ignore[index]
    assert not any(name in evaluate(prepared) for name in CASH_FLOW_VARIABLES)  # only on request


def test_gpdc_run_keeps_the_cash_flow_in_its_file(tmp_path, scenario: Scenario, small_profiles: ProfileSet) -> None:  # noqa: ANN001
    r = gpdc.simulate(scenario, profiles=small_profiles)
    path = gpdc.write_results(tmp_path / "x.h5", r.totals, groups={"cash_flow": r.cash_flow})
    back = gpdc.open_results(path, group="cash_flow").load()
    assert back.equals(r.cash_flow)
    assert back["cash_flow_yuan"].attrs["long_name"] == CASH_FLOW_VARIABLES["cash_flow_yuan"].long_name
