"""The 512-bit build of the batch kernel (the default where the CPU has AVX-512) agrees with LLVM's default build (issue 19).

Each build runs in its own interpreter (the vector width is fixed before numba compiles) on the
same random designs — every kernel feature in use, with and without grid charging — and the
totals must agree within 1e-12 relative.  The wide build is what a plain environment gets; the
other one is asked for with GPDC_AVX512=0.  Where the CPU has AVX-512 a loop compiled under the
wide setting must use zmm registers (the kernel itself may come from numba's cache, whose assembly
numba cannot show); where it has none, the setting falls back to the default build.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[2])
import numpy as np
from gpdc.kernels import layout as L, target
from gpdc.kernels.cpu import dispatch_batch_nb
from run import make_case
outs = []
for gc in (False, True):
    prof, p = make_case(8760, 300, seed=19, grid_charging=gc)
    out = np.zeros((300, L.N_TOTALS))
    dispatch_batch_nb(*prof, 1.0, p, out)
    outs.append(out)
np.save(sys.argv[1], np.stack(outs))
# the batch kernel may come from numba's cache, whose assembly numba cannot show: a small loop
# compiled here, under the same CPU features, shows the registers the width gives
from numba import njit
@njit(cache=False, error_model="numpy", fastmath={"contract"})
def axpy(a, x, y):
    for i in range(x.shape[0]):
        y[i] = min(y[i] + a * x[i], 1.0)
axpy(2.0, np.ones(64), np.zeros(64))
asm = "\n".join(axpy.inspect_asm().values())
print(json.dumps({"mode": target.MODE, "zmm": sum("zmm" in ln for ln in asm.splitlines())}))
"""


def _run(tmp: Path, wide: bool) -> tuple[np.ndarray, dict]:
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CPU_FEATURES", "NUMBA_CPU_NAME")}
    env = {k: v for k, v in env.items() if k != "GPDC_AVX512"}  # wide: what a plain environment gets
    env.update({"PYTHONPATH": str(ROOT)} if wide else {"GPDC_AVX512": "0", "PYTHONPATH": str(ROOT)})
    path = tmp / f"{'wide' if wide else 'default'}.npy"
    res = subprocess.run([sys.executable, "-c", CHILD, str(path), str(ROOT / "benchmarks")], env=env,
                         capture_output=True, text=True, timeout=900, check=False)
    assert res.returncode == 0, res.stderr[-3000:]
    return np.load(path), json.loads(res.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_512_and_256_bit_builds_agree(tmp_path: Path) -> None:
    from gpdc.kernels.target import wide_features

    narrow, info_n = _run(tmp_path, wide=False)
    wide, info_w = _run(tmp_path, wide=True)
    assert info_n["mode"] == "default"
    if wide_features() is None:  # no AVX-512: a clean fall-back to the default build
        assert info_w["mode"] == "default"
    else:
        assert info_w["mode"] == "avx512" and info_w["zmm"] > 0
    assert np.isfinite(narrow).all()
    scale = np.maximum(np.abs(narrow), 1e-300)
    rel = np.where(narrow == wide, 0.0, np.abs(wide - narrow) / scale)
    assert rel.max() <= 1e-12, rel.max()


def test_a_child_process_reports_the_width_it_inherits(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sweep worker inherits NUMBA_CPU_FEATURES from its gpdc parent: it compiles wide and says so."""
    from gpdc.kernels import target

    monkeypatch.delenv(target.ENV, raising=False)
    monkeypatch.setenv("NUMBA_CPU_FEATURES", "+avx2,+avx512f,+fma,-prefer-256-bit")
    assert target.configure() == "avx512"
    monkeypatch.setenv("NUMBA_CPU_FEATURES", "+avx2,+fma")  # the user's own choice, not wide
    assert target.configure() == "default"
    monkeypatch.setenv(target.ENV, "0")
    assert target.configure() == "default"
