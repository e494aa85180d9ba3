"""Golden outputs: the main jobs give today exactly what they gave before the core redesign.

The reference files were written by ``python -m tests.golden --write`` on commit 4a4cd1c (before
the redesign) and rewritten when issue 15's tariff model changed the bills on purpose and when issue
14 levelised the project cost (see tests/golden.py); every data variable and coordinate of every case must be identical, bit for bit,
except where :func:`tests.golden.tolerance` says otherwise (the reasons are written beside it):
the hourly-factor CO2 to 1e-12 relative, and the runs' hourly traces to 1e-12 of each
variable's largest value.  Bit for bit holds where numpy runs the AVX-512 code the files were
computed with; elsewhere (AMD EPYC Zen 3, say) every number is compared to 1e-12 of its variable's
largest value and every flag, count and label exactly (:func:`tests.golden.written_instruction_set`
says why).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from . import golden


@pytest.fixture(scope="module")
def factor_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("golden")


#: bookkeeping variables of sweep files added after the golden files were written (issue 18: a design
#: that cannot be computed is recorded, not fatal): in these cases every design is computed
NEW_SINCE_GOLDEN = {"status": 1, "failure": -1}


@pytest.mark.parametrize("case", sorted(golden.cases()))
def test_golden_output_is_unchanged(case: str, factor_folder: Path) -> None:
    expected = golden.load(case)
    got = golden.flatten(golden.cases(factor_folder)[case]())
    for key in [k for k in got if k not in expected and k.rsplit("/", 1)[-1] in NEW_SINCE_GOLDEN]:
        assert (got.pop(key) == NEW_SINCE_GOLDEN[key.rsplit("/", 1)[-1]]).all(), key
    assert not sorted(set(expected) - set(got)), "variables missing"
    extra = sorted(k for k in set(got) - set(expected) if k.rsplit("/", 1)[-1] not in golden.ADDED)
    assert not extra, f"variables added without a line in tests/golden.py ADDED: {extra}"
    for key, want in expected.items():
        have = got[key]
        assert have.shape == want.shape, key
        tol = golden.tolerance(case, key)
        if want.dtype.kind not in "fc":  # flags, counts, labels, times: exactly, on every host
            assert np.array_equal(have, want), key
        elif tol == "rel":
            np.testing.assert_allclose(have, want, rtol=1e-12, atol=0.0, err_msg=key)
        elif tol == "scale":
            finite = np.abs(want[np.isfinite(want)])
            scale = float(finite.max()) if finite.size else 0.0
            np.testing.assert_allclose(have, want, rtol=0.0, atol=1e-12 * max(scale, 1.0), err_msg=key)
        else:
            assert np.array_equal(have, want, equal_nan=True), (key, np.max(np.abs(have - want)))
