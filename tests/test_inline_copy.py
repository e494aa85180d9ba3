"""numba's inliner with one copy memo per function (gpdc.kernels.inline_copy): same code, far less copying."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# a parallel kernel with inlined helpers nested two deep, loops and branches: the shape of the drivers
CHILD = textwrap.dedent("""
    import hashlib, json, re
    import numpy as np
    import gpdc.kernels  # installs the fix (or not: GPDC_NUMBA_INLINE_COPY=0) before anything compiles
    from gpdc.kernels import inline_copy
    from numba import njit, prange
    from numba.core import ir

    copies = [0]
    var_copy = ir.Var.__deepcopy__
    def counted(self, memo):
        copies[0] += 1
        return var_copy(self, memo)
    ir.Var.__deepcopy__ = counted

    @njit(inline="always")
    def clip(x, lo, hi):
        if x < lo:
            return lo
        if x > hi:
            return hi
        return x

    @njit(inline="always")
    def row_sum(a, j, n):
        s = 0.0
        for k in range(n):
            v = clip(a[j, k], 0.1, 0.9)
            if v > 0.5:
                s += 2.0 * v
            else:
                s -= v
        return s

    @njit(parallel=True, cache=False)
    def kernel(a, out):
        for j in prange(a.shape[0]):
            out[j] = row_sum(a, j, a.shape[1]) + clip(out[j], -1.0, 1.0)

    a = np.random.default_rng(8).uniform(0.0, 1.0, (64, 37))
    out = np.linspace(-2.0, 2.0, 64)
    kernel(a, out)
    llvm = kernel.inspect_llvm(kernel.signatures[0])
    llvm = re.sub(r"gufunc_0x[0-9a-f]+", "gufunc_ADDR", llvm)  # the one process-specific name
    print(json.dumps({"state": inline_copy.STATE, "var_copies": copies[0], "out": out.tolist(),
                      "llvm": hashlib.sha256(llvm.encode()).hexdigest()}))
""")


def _child(fix: bool) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GPDC_NUMBA_INLINE_COPY": "1" if fix else "0"}
    res = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=600,
                         check=False)
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_the_fix_changes_how_much_is_copied_not_the_compiled_code() -> None:
    fixed, plain = _child(fix=True), _child(fix=False)
    if not fixed["state"] == "installed":
        pytest.skip(f"the fix does not apply to this numba: {fixed['state']}")
    assert plain["state"] == "off (GPDC_NUMBA_INLINE_COPY=0)"
    assert fixed["llvm"] == plain["llvm"]  # the same LLVM IR, line for line
    assert fixed["out"] == plain["out"]
    # numba's per-block copies copy the scope's every variable once per block; one memo, once
    assert 0 < fixed["var_copies"] < plain["var_copies"] / 3, (fixed["var_copies"], plain["var_copies"])


def test_the_fix_is_installed_on_this_numba_and_is_idempotent() -> None:
    import numba
    from numba.core.inline_closurecall import InlineWorker

    from gpdc.kernels import inline_copy

    if inline_copy.STATE.startswith(("not installed: numba's inline_ir differs", "off")):
        pytest.skip(f"numba {numba.__version__}: {inline_copy.STATE}")  # another numba, or the user's choice
    assert inline_copy.STATE == "installed"
    method = InlineWorker.inline_ir
    assert inline_copy.install() == "installed" and InlineWorker.inline_ir is method  # not applied twice
    assert method.__code__.co_filename == "<numba's InlineWorker.inline_ir, gpdc.kernels.inline_copy>"
