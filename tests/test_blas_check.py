"""numba's BLAS check without importing scipy.linalg (gpdc.kernels.blas_check): same answer, no quarter second."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from gpdc.kernels import blas_check

ROOT = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np
    import gpdc.kernels  # installs the check (or not: GPDC_NUMBA_BLAS_CHECK=0)
    from gpdc.kernels import blas_check
    from numba import njit

    @njit(cache=False)
    def plus_one(x):
        return x + 1.0

    assert plus_one(1.0) == 2.0  # loads numba's CPU target, which imports numba.np.arraymath
    import numba.np.arraymath as arraymath
    import numba.np.linalg as linalg
    seen = {"state": blas_check.STATE, "have_blas": arraymath._HAVE_BLAS,
            "scipy_linalg_after_first_call": "scipy.linalg" in sys.modules,
            "numba_function_restored": arraymath.ensure_blas is linalg.ensure_blas
                                       and linalg.ensure_blas.__module__ == "numba.np.linalg"
                                       and linalg.ensure_blas.__name__ == "ensure_blas"}

    @njit(cache=False)
    def matmul(a, b):
        return np.dot(a, b)

    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(7, 5)), rng.normal(size=(5, 4))
    seen["dot_max_error"] = float(np.max(np.abs(matmul(a, b) - a @ b)))
    seen["cython_blas_after_dot"] = "scipy.linalg.cython_blas" in sys.modules
    print("SEEN", json.dumps(seen))
""")


def _child(**env: str) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("SEEN "))
    return json.loads(line[5:])


@pytest.mark.slow
def test_the_check_finds_blas_without_importing_scipy_linalg_and_dot_still_uses_blas() -> None:
    fast = _child()
    numba_own = _child(GPDC_NUMBA_BLAS_CHECK="0")
    assert fast["state"] == "installed"
    assert numba_own["state"] == "off (GPDC_NUMBA_BLAS_CHECK=0)"
    # the same answer as numba's own check, without its import of scipy.linalg
    assert fast["have_blas"] is True and numba_own["have_blas"] is True
    assert fast["scipy_linalg_after_first_call"] is False
    assert numba_own["scipy_linalg_after_first_call"] is True
    # numba's ensure_blas is back in place: np.dot compiles through it (importing cython_blas then) and is right
    assert fast["numba_function_restored"] is True
    assert fast["cython_blas_after_dot"] is True
    assert fast["dot_max_error"] < 1e-12 and numba_own["dot_max_error"] < 1e-12


def _fake_scipy(monkeypatch: pytest.MonkeyPatch, where: Path | None) -> None:
    spec = None if where is None else SimpleNamespace(submodule_search_locations=[str(where)])
    monkeypatch.setattr(blas_check.importlib.util, "find_spec", lambda name: spec if name == "scipy" else None)


def test_scipy_has_cython_blas_looks_for_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert blas_check.scipy_has_cython_blas() is True  # the scipy gpdc depends on
    _fake_scipy(monkeypatch, None)
    assert blas_check.scipy_has_cython_blas() is False  # no scipy
    (tmp_path / "linalg").mkdir()
    _fake_scipy(monkeypatch, tmp_path)
    assert blas_check.scipy_has_cython_blas() is False  # a scipy without cython_blas
    with pytest.raises(ImportError, match="scipy 0.16\\+ is required for linear algebra"):
        blas_check._light_ensure_blas()  # numba's message, so numba's _check_blas says False
    (tmp_path / "linalg" / "cython_blas.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    assert blas_check.scipy_has_cython_blas() is True
