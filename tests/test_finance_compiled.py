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
