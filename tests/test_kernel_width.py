"""The 512-bit build of the batch kernel (GPDC_AVX512=1) agrees with the default build (issue 19).

Each build runs in its own interpreter (the vector width is fixed before numba compiles) on the
same random designs — every kernel feature in use, with and without grid charging — and the
totals must agree within 1e-12 relative.  Where the CPU has AVX-512 the wide build must use zmm
registers; where it has none, asking for it falls back to the default build.
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
asm = "\n".join(dispatch_batch_nb.inspect_asm().values())
print(json.dumps({"mode": target.MODE, "zmm": sum("zmm" in ln for ln in asm.splitlines())}))
"""


def _run(tmp: Path, wide: bool) -> tuple[np.ndarray, dict]:
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CPU_FEATURES", "NUMBA_CPU_NAME")}
    env.update({"GPDC_AVX512": "1" if wide else "0", "PYTHONPATH": str(ROOT)})
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
