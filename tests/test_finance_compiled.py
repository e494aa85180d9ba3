"""The compiled finance (gpdc.accounting.finance_nb) equals the NumPy definitions bit for bit (issue 19).

Random cash flows of every shape a sweep produces: one sign change (an investment paid back), several
(storage replacements turn years negative), none, zeros at the end (designs with shorter lives), and
rates per design or one for all.  NPV, LCOE and the discounted payback use the same products and
NumPy's pairwise summation; the IRR the same classification, grid scan and bisections.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gpdc.accounting import finance, finance_nb

_value = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


def _numpy(fn: object, *args: object) -> object:
    with np.errstate(all="ignore"):  # the reference warns where a quotient overflows; the compiled one does not
        return fn(*args)  # type: ignore[operator]


def _same(a: object, b: object) -> bool:
    return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))


@st.composite
def flows(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(1, 40))
    m = draw(st.integers(1, 45))
    cf = draw(arrays(np.float64, (n, m), elements=_value))
    if draw(st.booleans()):  # the usual profile: pay first, then earn, with negative replacement years
        cf[:, 0] = -np.abs(cf[:, 0]) - 1.0
        cf[:, 1:] = np.abs(cf[:, 1:])
        for y in draw(st.lists(st.integers(1, max(m - 1, 1)), max_size=3)):
            if y < m:
                cf[:, y] = -cf[:, y] * draw(st.floats(0.0, 20.0))
    cut = draw(st.integers(0, m))
    cf[: n // 2, cut:] = 0.0  # shorter lives: zeros at the end
    return cf


@settings(max_examples=150, deadline=None)
@given(cf=flows(), rate=st.floats(-0.5, 0.5), per_design=st.booleans())
def test_compiled_finance_equals_numpy(cf: np.ndarray, rate: float, per_design: bool) -> None:
    r = np.linspace(rate, rate + 0.1, cf.shape[0]) if per_design else rate
    assert _same(finance.npv(r, cf), _numpy(finance.npv_numpy, r, cf))
    assert _same(finance.discounted_payback_years(r, cf), _numpy(finance.discounted_payback_years_numpy, r, cf))
    e = np.abs(cf[::-1])
    assert _same(finance.lcoe(r, cf, e), _numpy(finance.lcoe_numpy, r, cf, e))
    assert _same(finance.irr(cf), _numpy(finance.irr_numpy, cf))


@settings(max_examples=100, deadline=None)
@given(cf=arrays(np.float64, st.integers(1, 30), elements=_value), rate=st.floats(0.0, 0.3))
def test_one_flow_compiled_equals_numpy(cf: np.ndarray, rate: float) -> None:
    assert _same(finance.npv(rate, cf), _numpy(finance.npv_numpy, rate, cf))
    assert _same(finance.discounted_payback_years(rate, cf), _numpy(finance.discounted_payback_years_numpy, rate, cf))
    assert _same(finance.lcoe(rate, cf, np.abs(cf)), _numpy(finance.lcoe_numpy, rate, cf, np.abs(cf)))


def test_several_sign_changes_on_many_designs() -> None:
    """Investment, earnings and replacements costlier than a year's earnings: several sign changes
    for every design, more designs than a block, NaN (no IRR) where the NPV keeps its sign."""
    rng = np.random.default_rng(19)
    n, m = 1000, 26
    cf = np.empty((n, m))
    cf[:, 0] = -rng.uniform(5e6, 1e7, n)
    cf[:, 1:] = rng.uniform(1e5, 1.5e6, (n, 1)) * 1.02 ** np.arange(m - 1)
    cf[:, 10] -= rng.uniform(1e6, 4e6, n)
    cf[:, 20] -= rng.uniform(1e6, 4e6, n)
    cf[-10:] = 0.0
    cf[-10:, :3] = [-1e7, 1e5, -1e7]  # -a + b·x - a·x² < 0 for every x: no IRR
    got, want = finance.irr(cf), _numpy(finance.irr_numpy, cf)
    assert _same(got, want)
    assert np.isnan(got).any() and np.isfinite(got).any()
    assert _same(finance.irr(cf[:1]), got[:1])  # a flow's IRR does not depend on the batch


def test_pairwise_sum_above_128_terms() -> None:
    """NumPy halves sums above 128 terms; the compiled sum does too (lives beyond 127 years)."""
    rng = np.random.default_rng(1)
    for m in (128, 129, 200, 300, 1000):
        cf = rng.standard_normal((20, m)) * 10.0 ** rng.integers(-5, 8, (20, m))
        assert _same(finance.npv(0.0, cf), _numpy(finance.npv_numpy, 0.0, cf))
        assert _same(finance_nb.npv_rows(cf, np.ones((1, m))), cf.sum(axis=-1))


@st.composite
def finance_inputs(draw: st.DrawFn) -> dict[str, object]:
    """A batch of designs for lifetime_finance: lives 1..40 years, storage replaced or not, per-year bills or not."""
    n = draw(st.integers(1, 30))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    u = lambda lo, hi: rng.uniform(lo, hi, n)  # noqa: E731
    cost = {"baseline_cost_yuan": u(0.0, 1e8), "self_use_fees_yuan": u(0.0, 1e6), "om_cost_yuan": u(0.0, 1e6),
            "capex_yuan": u(0.0, 1e9), "capex_storage_yuan": u(0.0, 1e8) * (rng.random(n) < 0.7),
            "project_cost_yuan": u(0.0, 1e8)}
    energy = {k: u(0.0, 1e7) for k in ("import_cost_yuan", "unserved_cost_yuan", "export_revenue_yuan",
                                       "self_used_mwh", "direct_mwh", "charge_green_mwh", "export_mwh", "load_mwh")}
    energy["load_mwh"][: n // 4] = 0.0
    shared = draw(st.booleans())  # one rate and escalation for every design, raised to powers once
    kw: dict[str, object] = {
        "lifetime_years": rng.integers(1, 41, n) + rng.choice([0.0, 0.4, 0.5], n),
        "discount_rate_frac": np.full(n, 0.06) if shared else u(-0.05, 0.2),
        "tariff_escalation_frac_per_year": np.full(n, 0.02) if shared else u(-0.03, 0.05),
        "storage_lifetime_years": rng.integers(1, 16, n) + rng.choice([0.0, 0.5], n),
        "storage_replacement_cost_frac": u(0.0, 1.2),
        "fixed_charges_yuan": u(0.0, 1e6), "period_years": draw(st.sampled_from([1.0, 0.5, 48 / 8760])),
        "parts": draw(st.booleans()),
    }
    if draw(st.booleans()):  # the flexible elements' capex and O&M, outside the plants' LCOE
        kw["other_capex_yuan"] = u(0.0, 1e8)
        kw["other_om_yuan"] = u(0.0, 1e5)
    if draw(st.booleans()):  # each year its own dispatch (degradation)
        m = int(np.floor(np.max(kw["lifetime_years"]) + 0.5))  # type: ignore[call-overload]
        kw["per_year"] = {k: rng.uniform(0.0, 1e7, (n, m)) for k in ("bill_yuan", "self_used_mwh",
                                                                       "fees_minus_export_yuan", "plant_output_mwh")}
    return {"cost": cost, "energy": energy, **kw}


@settings(max_examples=120, deadline=None)
@given(args=finance_inputs())
def test_lifetime_finance_compiled_equals_numpy(args: dict[str, object]) -> None:
    """The compiled finance equals the NumPy path (gpdc run) bit for bit: with the flows (lifetime_flows, a run
    of many designs) and without (lifetime_scalars, one design's flows at a time: a sweep's chunks)."""
    from gpdc.accounting import costs

    saved = costs.COMPILED_FROM_DESIGNS
    try:
        costs.COMPILED_FROM_DESIGNS = 10**9
        with np.errstate(all="ignore"):
            s_np, f_np = costs.lifetime_finance(**args)  # type: ignore[arg-type]
        costs.COMPILED_FROM_DESIGNS = 1
        s_nb, f_nb = costs.lifetime_finance(**args)  # type: ignore[arg-type]
        s_sweep, f_sweep = costs.lifetime_finance(**args, flows=False)  # type: ignore[arg-type]
    finally:
        costs.COMPILED_FROM_DESIGNS = saved
    assert s_nb.keys() == s_np.keys() == s_sweep.keys() and f_nb.keys() == f_np.keys() and f_sweep == {}
    for k in s_np:
        assert _same(s_nb[k], s_np[k]) and _same(s_sweep[k], s_np[k]), k
    for k in f_np:
        assert f_nb[k].shape == f_np[k].shape and _same(f_nb[k], f_np[k]), k


def test_compiled_flows_by_hand() -> None:
    """Two designs, 4 and 2 years, storage replaced every 2 years at 50: the flows of lifetime_finance's docstring."""
    one = np.ones(2)
    cf, green_cost, green_mwh, delta_cost, delta_base, plant_cost, plant_mwh, rep, bill_savings, om_flow = (
        finance_nb.lifetime_flows(
            np.array([500.0, 300.0]), np.array([400.0, 300.0]), 10.0 * one, 8.0 * one, 50.0 * one, 2.0 * one,
            np.array([4, 2]), np.array([[60.0], [30.0]]), np.array([[-5.0], [0.0]]), np.array([[7.0], [3.0]]),
            np.array([[9.0], [4.0]]), np.array([[40.0], [20.0]]), np.array([40.0, 20.0]), np.array([100.0, 50.0]),
            np.array([[1.0, 1.1, 1.21, 1.331]]), True))
    assert cf[0].tolist() == [-500.0, 50.0, 60.0 * 1.1 - 10.0 - 50.0, 60.0 * 1.21 - 10.0, 60.0 * 1.331 - 10.0]
    assert cf[1].tolist() == [-300.0, 20.0, 30.0 * 1.1 - 10.0, 0.0, 0.0]  # no replacement in the last year
    assert rep.tolist() == [[0.0, 50.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]
    assert green_mwh[1].tolist() == [0.0, 3.0, 3.0, 0.0, 0.0] and plant_mwh[0, 4] == 9.0
    assert plant_cost[0].tolist() == [400.0, 8.0, 58.0, 8.0, 8.0] and green_cost[0, 2] == 10.0 + 50.0 - 5.0 * 1.1
    assert delta_cost[0, 1] == 0.0 and delta_base[0, 2] == 100.0 * 1.1 - 100.0
    assert bill_savings[1].tolist() == [0.0, 30.0, 30.0 * 1.1, 0.0, 0.0] and om_flow[1, 3] == 0.0
