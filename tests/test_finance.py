"""NPV, IRR, discounted payback and LCOE against textbook cases worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gpdc.accounting.finance import discounted_payback_years, irr, lcoe, npv


def test_npv_textbook() -> None:
    cf = np.array([-1000.0, 300.0, 400.0, 500.0])
    # -1000 + 300/1.1 + 400/1.21 + 500/1.331 = -1000 + 272.7273 + 330.5785 + 375.6574
    assert npv(0.1, cf) == pytest.approx(-1000.0 + 300.0 / 1.1 + 400.0 / 1.21 + 500.0 / 1.331, rel=1e-14)
    assert npv(0.1, cf) == pytest.approx(-21.0368, abs=1e-4)
    assert npv(0.0, cf) == 200.0
    # many flows at once: one NPV per row
    both = npv(0.1, np.stack([cf, 2 * cf]))
    assert np.allclose(both, [-21.036814, -42.073629], atol=1e-6)


def test_irr_textbook() -> None:
    assert irr(np.array([-100.0, 110.0])) == pytest.approx(0.10, abs=1e-12)
    assert irr(np.array([-100.0, 0.0, 121.0])) == pytest.approx(0.10, abs=1e-12)
    # a 3-year annuity at 10 %: 1000 / (1/1.1 + 1/1.21 + 1/1.331) = 402.1148 a year
    pmt = 1000.0 / (1 / 1.1 + 1 / 1.21 + 1 / 1.331)
    assert irr(np.array([-1000.0, pmt, pmt, pmt])) == pytest.approx(0.10, abs=1e-10)
    # -1000, 300, 400, 500: the NPV at the IRR is zero (8.896 %, between 8 % and 9 %)
    r = irr(np.array([-1000.0, 300.0, 400.0, 500.0]))
    assert 0.08 < r < 0.09
    assert npv(r, np.array([-1000.0, 300.0, 400.0, 500.0])) == pytest.approx(0.0, abs=1e-8)
    # a loss-making flow has a negative IRR: -100 then 90 -> -10 %
    assert irr(np.array([-100.0, 90.0])) == pytest.approx(-0.10, abs=1e-12)


def test_no_irr_without_a_sign_change() -> None:
    assert math.isnan(irr(np.array([100.0, 50.0, 20.0])))   # all inflows
    assert math.isnan(irr(np.array([-100.0, -50.0, 0.0])))  # all outflows
    assert math.isnan(irr(np.zeros(5)))
    # signs change but the NPV never reaches 0: -100 + 50x - 100x^2 < 0 for every x = 1/(1+r)
    assert math.isnan(irr(np.array([-100.0, 50.0, -100.0])))
    out = irr(np.array([[-100.0, 110.0], [5.0, 5.0]]))
    assert out[0] == pytest.approx(0.1) and math.isnan(out[1])


def test_discounted_payback() -> None:
    cf = np.array([-1000.0, 300.0, 400.0, 500.0])
    # undiscounted: cumulative -700, -300, +200 -> 2 + 300/500 = 2.6 years
    assert discounted_payback_years(0.0, cf) == pytest.approx(2.6)
    # at 10 % the cumulative discounted flow ends at -21.04: never pays back
    assert math.isnan(discounted_payback_years(0.1, cf))
    # -100, then 60 a year at 20 %: cumulative -50, -8.333, +26.389 -> 2 + 8.333/34.722 = 2.24
    cf2 = np.array([-100.0, 60.0, 60.0, 60.0])
    assert discounted_payback_years(0.2, cf2) == pytest.approx(2.0 + (100.0 - 50.0 - 60.0 / 1.44) / (60.0 / 1.728))
    assert discounted_payback_years(0.1, np.array([0.0, 5.0])) == 0.0


def test_lcoe() -> None:
    # capex 1000, O&M 10 a year, 100 MWh a year for 10 years, no discounting: 1100 / 1000
    c = np.array([1000.0] + [10.0] * 10)
    e = np.array([0.0] + [100.0] * 10)
    assert lcoe(0.0, c, e) == pytest.approx(1.1)
    # one year at 10 %: (1000 + 10/1.1) / (100/1.1) = 1100/100 + ... = 11.1
    assert lcoe(0.1, np.array([1000.0, 10.0]), np.array([0.0, 100.0])) == pytest.approx((1000.0 + 10 / 1.1) / (100 / 1.1))
    assert math.isnan(lcoe(0.1, np.array([1000.0, 10.0]), np.zeros(2)))


# ---------------------------------------------------------------- project cash flow vs the grid-only baseline
def _flows(**over: float) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    from gpdc.accounting.costs import lifetime_finance

    a = lambda x: np.array([float(x)])  # noqa: E731
    imp = over.pop("import_cost", 50.0)
    cost = {"baseline_cost_yuan": a(100.0), "self_use_fees_yuan": a(0.0), "om_cost_yuan": a(10.0),
            "capex_yuan": a(500.0), "capex_storage_yuan": a(100.0), "project_cost_yuan": a(imp + 10.0 + 50.0)}
    energy = {"import_cost_yuan": a(imp), "unserved_cost_yuan": a(0.0), "load_mwh": a(20.0),
              "export_revenue_yuan": a(0.0), "self_used_mwh": a(10.0), "direct_mwh": a(8.0),
              "charge_green_mwh": a(2.5), "export_mwh": a(1.5)}
    kw = {"lifetime_years": 10.0, "discount_rate_frac": 0.0, "tariff_escalation_frac_per_year": 0.0,
          "storage_lifetime_years": 4.0, "storage_replacement_cost_frac": 0.5}
    kw.update(over)
    return lifetime_finance(cost=cost, energy=energy, fixed_charges_yuan=a(0.0), period_years=1.0,
                            **{k: a(v) for k, v in kw.items()})


def test_cash_flow_with_storage_replacement_by_hand() -> None:
    s, f = _flows()
    # CF_0 = -500; CF_y = (100 - 50) - 10 = 40, less 0.5 x 100 in years 4 and 8 (12 is past the end)
    expected = [-500.0] + [40.0, 40.0, 40.0, -10.0, 40.0, 40.0, 40.0, -10.0, 40.0, 40.0]
    assert f["cash_flow_yuan"][0].tolist() == expected
    assert s["npv_yuan"][0] == -500.0 + 8 * 40.0 - 20.0
    assert s["storage_replacement_yuan"][0] == 100.0 and s["project_life_years"][0] == 10.0
    # net cost of the self-used green power, r = 0: (500 + 10 x 10 + 100) / (10 x 10 MWh) = 7
    assert s["lifetime_self_used_net_cost_yuan_per_mwh"][0] == pytest.approx(7.0)
    # LCOE, r = 0: the same costs over the energy delivered, (8 + 2.5 + 1.5) x 10 MWh
    assert s["lcoe_yuan_per_mwh"][0] == pytest.approx(700.0 / 120.0)
    # escalation 10 %: the gain of year y is 50 x 1.1^(y-1)
    s2, f2 = _flows(tariff_escalation_frac_per_year=0.1, storage_replacement_cost_frac=0.0)
    assert f2["cash_flow_yuan"][0, 3] == pytest.approx(50.0 * 1.21 - 10.0)
    assert s2["npv_yuan"][0] == pytest.approx(-500.0 + 50.0 * (1.1**10 - 1) / 0.1 - 100.0)


def test_lcoe_is_nrels_discounted_cost_over_discounted_delivered_energy() -> None:
    # r = 8 %, 10 years, storage replaced at half its 100 yuan in years 4 and 8
    s, _ = _flows(discount_rate_frac=0.08)
    d = 1.08 ** -np.arange(1, 11)
    cost = 500.0 + np.sum(d * 10.0) + 50.0 * (1.08 ** -4 + 1.08 ** -8)
    energy = np.sum(d * (8.0 + 2.5 + 1.5))
    assert s["lcoe_yuan_per_mwh"][0] == pytest.approx(cost / energy, rel=1e-12)


def test_equivalent_annual_cost_times_the_annuity_factor_is_the_npv_of_costs() -> None:
    """project_cost (EAC) / CRF = NPV of the cost flow that NPV uses; savings / CRF = NPV (per-asset lives)."""
    from gpdc.accounting.costs import capital_recovery_factor, lifetime_finance

    n = 4
    capex = np.array([500.0, 800.0, 300.0, 1000.0])
    storage = np.array([100.0, 0.0, 150.0, 400.0])
    om = np.array([10.0, 12.0, 6.0, 30.0])
    bill = np.array([50.0, 40.0, 70.0, 20.0])
    base = np.full(n, 100.0)
    life = np.array([10.0, 25.0, 7.0, 20.0])
    storage_life = np.array([4.0, 10.0, 3.0, 6.0])
    repl_frac = np.array([0.5, 0.8, 1.0, 0.6])
    rate = np.array([0.06, 0.0, 0.1, 0.08])
    esc = np.array([0.0, 0.02, -0.01, 0.03])
    period = 0.5  # half a year simulated: first-year values are per half year
    first = bill + capex * capital_recovery_factor(rate, life) * period + om
    cost = {"baseline_cost_yuan": base, "self_use_fees_yuan": np.zeros(n), "om_cost_yuan": om,
            "capex_yuan": capex, "capex_storage_yuan": storage, "project_cost_yuan": first}
    energy = {"import_cost_yuan": bill, "unserved_cost_yuan": np.zeros(n), "export_revenue_yuan": np.zeros(n),
              "self_used_mwh": np.full(n, 10.0), "direct_mwh": np.full(n, 10.0), "charge_green_mwh": np.zeros(n),
              "export_mwh": np.zeros(n), "load_mwh": np.full(n, 20.0)}
    s, f = lifetime_finance(cost=cost, energy=energy, fixed_charges_yuan=np.zeros(n), period_years=period,
                            lifetime_years=life, discount_rate_frac=rate, tariff_escalation_frac_per_year=esc,
                            storage_lifetime_years=storage_life, storage_replacement_cost_frac=repl_frac)
    for k in range(n):
        years = np.arange(1, int(life[k]) + 1)
        d = (1.0 + rate[k]) ** -years.astype(float)
        g = (1.0 + esc[k]) ** (years - 1.0)
        repl = np.where((years % storage_life[k] == 0) & (years < life[k]), storage[k] * repl_frac[k], 0.0)
        npv_costs = capex[k] + np.sum(d * (bill[k] / period * g + om[k] / period + repl))
        npv_base = np.sum(d * base[k] / period * g)
        annuity = 1.0 / capital_recovery_factor(rate[k], life[k])
        assert s["project_cost_yuan"][k] / period * annuity == pytest.approx(npv_costs, rel=1e-12), k
        assert s["baseline_cost_yuan"][k] / period * annuity == pytest.approx(npv_base, rel=1e-12), k
        assert s["savings_yuan"][k] / period * annuity == pytest.approx(s["npv_yuan"][k], rel=1e-9, abs=1e-6), k
        assert s["project_cost_yuan"][k] == pytest.approx(first[k] + s["levelised_adjustment_yuan"][k], rel=1e-15)
    # without escalation, replacement or degradation the EAC is the first year's cost exactly
    s0, _ = lifetime_finance(cost=cost, energy=energy, fixed_charges_yuan=np.zeros(n), period_years=period,
                             lifetime_years=life, discount_rate_frac=rate, tariff_escalation_frac_per_year=np.zeros(n),
                             storage_lifetime_years=life + 1.0, storage_replacement_cost_frac=repl_frac)
    assert np.array_equal(s0["project_cost_yuan"], first) and np.array_equal(s0["baseline_cost_yuan"], base)


def test_project_that_never_pays_back_has_no_irr() -> None:
    s, _ = _flows(import_cost=95.0, storage_replacement_cost_frac=0.0)  # CF_y = 5 - 10 = -5: all outflows
    assert s["has_irr"][0] == 0.0 and math.isnan(s["irr_frac"][0])
    assert math.isnan(s["discounted_payback_years"][0])


def test_simulated_project_finance_by_hand(small_scenario: object, small_profiles: object) -> None:
    from gpdc import simulate

    ds = simulate(small_scenario, profiles=small_profiles).totals  # type: ignore[arg-type]
    v = {k: float(ds[k].values) for k in ("npv_yuan", "irr_frac", "discounted_payback_years",
                                          "lifetime_self_used_net_cost_yuan_per_mwh", "has_irr",
                                          "project_life_years")}
    # conftest: 48 h saving 2400 x 400 - (1600 x 400 - 256 x 250) = 384,000 yuan -> x 8760/48 a year
    # = 70.08 M; O&M 100 MW x 40 = 4 M; capex 100 MW x 3000 = 300 M; 20 years at r = 0
    gain = 384_000.0 * 8760.0 / 48.0 - 4.0e6
    assert v["project_life_years"] == 20.0
    assert v["npv_yuan"] == pytest.approx(-300.0e6 + 20 * gain)
    assert v["discounted_payback_years"] == pytest.approx(4.0 + (300.0e6 - 4 * gain) / gain)
    assert v["has_irr"] == 1.0
    assert npv(v["irr_frac"], np.array([-300.0e6] + [gain] * 20)) == pytest.approx(0.0, abs=1e-3)
    # LCOE: (300 M + 20 x (4 M - export 64,000 x 182.5)) / (20 x 800 x 182.5 MWh)
    assert v["lifetime_self_used_net_cost_yuan_per_mwh"] == pytest.approx(
        (300.0e6 + 20 * (4.0e6 - 64_000.0 * 182.5)) / (20 * 800.0 * 182.5))


def test_lifetime_redispatch_with_pv_degradation_by_hand(small_scenario: object) -> None:
    from gpdc import simulate
    from gpdc.profiles import ProfileSet

    sc = small_scenario.model_copy(update={  # type: ignore[attr-defined]
        "grid": small_scenario.grid.model_copy(update={"export_cap_frac": 0.0}),  # type: ignore[attr-defined]
        "finance": small_scenario.finance.model_copy(update={  # type: ignore[attr-defined]
            "lifetime_years": 3.0, "pv_degradation_frac_per_year": 0.2})})
    from gpdc.profiles import hourly_index

    index = hourly_index(2025)[:48]
    cfs = np.where((index.hour >= 10) & (index.hour < 18), 0.8, 0.0)
    prof = ProfileSet(index, np.zeros(48), cfs, np.full(48, 70.0), {"all": "test fixture"})
    ds = simulate(sc, profiles=prof).totals
    v = {k: float(ds[k].values) for k in ("npv_yuan", "lifetime_self_used_mwh", "final_year_green_share_of_load",
                                          "self_used_mwh", "green_share_of_load")}
    # PV 100, 80, 64 MW at cf 0.8 -> 80, 64, 51.2 MW against a 70 MW load, 16 sunny hours per 48 h:
    # self-used 1120, 1024, 819.2 MWh per 48 h; the first year is the plain run's
    assert v["self_used_mwh"] == pytest.approx(1120.0)
    assert v["final_year_green_share_of_load"] == pytest.approx(819.2 / 3360.0)
    a = 8760.0 / 48.0
    assert v["lifetime_self_used_mwh"] == pytest.approx(a * (1120.0 + 1024.0 + 819.2))
    # saving = self-used x 400 yuan/MWh (flat tariff, no export, no basic charge), O&M 4 M a year, r = 0
    assert v["npv_yuan"] == pytest.approx(-300.0e6 + a * 400.0 * (1120.0 + 1024.0 + 819.2) - 3 * 4.0e6)


def test_lifetime_sweep_point_equals_gpdc_run() -> None:
    from gpdc import simulate, sweep
    from gpdc.scenario.load import load_scenario

    from .conftest import DATACENTRE

    deg = {"finance.pv_degradation_frac_per_year": 0.005, "finance.battery_degradation_frac_per_year": 0.02}
    ds = sweep(load_scenario(DATACENTRE, overrides=deg), {"storage.energy_mwh": [0.0, 240.0],
                                                          "finance.battery_degradation_frac_per_year": [0.0, 0.03]})
    for e in (0.0, 240.0):
        for b in (0.0, 0.03):
            one = simulate(load_scenario(DATACENTRE, overrides={
                **deg, "storage.energy_mwh": e, "finance.battery_degradation_frac_per_year": b})).totals
            point = ds.sel({"storage_energy_mwh": e, "finance_battery_degradation_frac_per_year": b})
            for name in ("npv_yuan", "lifetime_self_used_mwh", "final_year_green_share_of_load", "irr_frac"):
                assert float(point[name]) == float(one[name].values), (e, b, name)
    # more battery fade, less green energy over the life
    fade = ds["lifetime_self_used_mwh"].sel({"storage_energy_mwh": 240.0}).values.ravel()
    assert fade[1] < fade[0]
