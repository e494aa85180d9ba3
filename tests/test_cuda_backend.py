"""The CUDA backend (issue 20): same totals as the CPU, chosen only where it can run, refused clearly elsewhere.

Without a GPU the CUDA kernels run in numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``),
in a child interpreter (the simulator is chosen when numba is imported, and the rest of the
suite keeps the real CPU kernels).  The simulator runs the kernel's Python source thread by
thread: it checks the driver — the strided layout, the grouping into kernel variants, the
lookahead's scratch, the sweep's GPU runner — against the CPU kernel on every strategy and
element.  Where numba-cuda's compiler (NVVM) is installed, every kernel variant is also
compiled to PTX, as for a real GPU (no GPU needed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gpdc
from gpdc.errors import InputError
from gpdc import backends as dispatch
from tests.faults import gpdc_cli

ROOT = Path(__file__).resolve().parents[1]
IM = ROOT / "scenarios" / "inner_mongolia_datacentre.toml"
#: what tests/cuda_cases.py and the sweep comparison accept (relative; absolute below 1 MWh / yuan / kg)
TOL = 1e-12


def _sim_env() -> dict[str, str]:
    env = dict(os.environ)
    env["NUMBA_ENABLE_CUDASIM"] = "1"
    env.pop(dispatch.MIN_DESIGNS_ENV, None)
    return env


def _child(args: list[str], timeout: int = 900) -> subprocess.CompletedProcess[str]:
    res = subprocess.run([sys.executable, *args], env=_sim_env(), capture_output=True, text=True, timeout=timeout,
                         check=False, cwd=ROOT)
    assert res.returncode == 0, res.stderr[-4000:]
    return res


@pytest.fixture(scope="module")
def simulated_cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("cuda") / "cases.json"
    _child(["-W", "ignore::RuntimeWarning", str(ROOT / "tests" / "cuda_cases.py"), str(out), "168"])
    return json.loads(out.read_text())


def test_cuda_kernel_equals_the_cpu_kernel_on_every_strategy_and_element(simulated_cases: dict[str, dict]) -> None:
    from tests.cuda_cases import CASES

    assert set(simulated_cases) == {*CASES, "mixed_batch"}
    for name, r in simulated_cases.items():
        assert r["same_nan"], name
        assert r["max_rel"] <= TOL, (name, r)
        assert r["nonzero_totals"] >= 9, (name, r)  # the case exercises the dispatch, not an empty design
    # every kernel variant ran: g = green-only pools, f = flexible elements, l = lookahead
    used = {v for r in simulated_cases.values() for v in r["variants"]}
    assert used == {"g--", "---", "g-l", "--l", "-f-"}
    assert len(simulated_cases["mixed_batch"]["variants"]) == 4  # one batch, four variants, one result


def test_a_sweep_on_the_cuda_backend_equals_the_cpu_sweep(tmp_path: Path) -> None:
    """End to end: the sweep's GPU runner (two threads overlapping kernel and accounting) and every result variable."""
    axes = {"storage.energy_mwh": [0.0, 200.0], "wind.capacity_mw": [150.0, 250.0]}
    gpu_file = tmp_path / "cuda.h5"
    code = (f"import gpdc; gpdc.sweep({str(IM)!r}, {axes!r}, out={str(gpu_file)!r}, chunk_size=1, "
            "backend='cuda')")
    _child(["-W", "ignore::RuntimeWarning", "-c", code])
    cpu = gpdc.sweep(IM, axes, backend="cpu")
    with gpdc.open_results(gpu_file) as ds:
        gpu = ds.load()
    assert set(gpu.data_vars) == set(cpu.data_vars)
    compared = 0
    for name in cpu.data_vars:
        a, b = cpu[name].values, gpu[name].values
        if a.dtype.kind in "fc":
            same_nan = np.isnan(a) == np.isnan(b)
            assert same_nan.all(), name
            a, b = np.nan_to_num(a), np.nan_to_num(b)
            scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), 1.0)
            assert (np.abs(a - b) <= TOL * scale).all(), (name, float((np.abs(a - b) / scale).max()))
            compared += 1
        else:
            assert (a == b).all(), name
    assert compared > 50


def test_cpu_is_chosen_unless_the_gpu_can_run_and_pays(monkeypatch: pytest.MonkeyPatch) -> None:
    from gpdc.kernels import cuda

    monkeypatch.delenv(dispatch.MIN_DESIGNS_ENV, raising=False)
    assert dispatch.choose("cpu", 10**9) == "cpu"
    n_min = dispatch.auto_min_designs(8760)
    import numba

    threads = numba.config.NUMBA_NUM_THREADS
    # where the CPU kernel on every thread would outlast the GPU's start
    assert n_min == int(np.ceil(dispatch.GPU_START_S * threads / (8760 * dispatch.CPU_KERNEL_S_PER_SCENARIO_HOUR)))
    assert dispatch.auto_min_designs(876) == pytest.approx(10 * n_min, abs=10)  # ten times fewer hours
    assert dispatch.choose("auto", n_min - 1) == "cpu"
    monkeypatch.setattr(cuda, "unavailable_reason", lambda: None)  # as on a machine with a GPU
    assert dispatch.choose("auto", n_min) == "cuda"
    assert dispatch.choose("cuda", 1) == "cuda"
    monkeypatch.setattr(cuda, "unavailable_reason", lambda: "no CUDA GPU with a working driver was found")
    assert dispatch.choose("auto", 10**9) == "cpu"  # auto falls back quietly
    with pytest.raises(InputError, match=r"backend = 'cuda' cannot run here: no CUDA GPU .*use backend 'cpu'"):
        dispatch.choose("cuda", 1)
    with pytest.raises(InputError, match=r"backend = 'gpu' is invalid: must be one of auto, cpu, cuda"):
        dispatch.choose("gpu", 1)
    monkeypatch.setenv(dispatch.MIN_DESIGNS_ENV, "1000")
    assert dispatch.auto_min_designs() == 1000
    monkeypatch.setenv(dispatch.MIN_DESIGNS_ENV, "many")
    with pytest.raises(InputError, match=r"GPDC_CUDA_MIN_DESIGNS = 'many' is invalid"):
        dispatch.auto_min_designs()


def test_using_sets_the_backend_of_kernel_calls_in_its_block_only() -> None:
    assert dispatch.current() == "cpu"
    with dispatch.using("cuda"):
        assert dispatch.current() == "cuda"
        with dispatch.using("cpu"):
            assert dispatch.current() == "cpu"
        assert dispatch.current() == "cuda"
    assert dispatch.current() == "cpu"
    with pytest.raises(InputError, match="must be one of cpu, cuda"), dispatch.using("auto"):
        pass


@pytest.mark.skipif(os.environ.get("NUMBA_ENABLE_CUDASIM") == "1", reason="the simulator stands in for a GPU")
def test_the_cli_refuses_cuda_without_a_gpu_and_says_why(tmp_path: Path) -> None:
    from gpdc.kernels.cuda import unavailable_reason

    reason = unavailable_reason()
    if reason is None:
        pytest.skip("this machine has a usable GPU")
    env = {"NUMBA_ENABLE_CUDASIM": "0"}
    for cmd in (["sweep", str(IM), "--vary", "storage.energy_mwh=0,100", "-o", str(tmp_path / "s.h5"), "-q"],
                ["size", str(IM), "-o", str(tmp_path / "z.h5")]):
        res = gpdc_cli(*cmd, "--backend", "cuda", cwd=tmp_path, env=env)
        assert res.returncode == 2, (cmd, res.stdout, res.stderr)
        assert "Traceback" not in res.stderr
        assert "backend = 'cuda' cannot run here" in res.stderr and "pip install 'gpdc[gpu]'" in res.stderr, res.stderr
        assert not (tmp_path / "s.h5").exists() and not (tmp_path / "z.h5").exists()  # refused before any work


def test_the_cpu_paths_never_import_numba_cuda() -> None:
    code = ("import sys, gpdc; gpdc.sweep(" + repr(str(IM)) + ", {'storage.energy_mwh': [0, 100]}); "
            "gpdc.simulate(gpdc.load_scenario(" + repr(str(IM)) + ")); print('numba.cuda' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_ENABLE_CUDASIM", dispatch.MIN_DESIGNS_ENV)}
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600,
                         check=False)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.strip().splitlines()[-1] == "False"


def test_without_an_nvidia_driver_the_check_needs_no_numba_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    """Linux without /dev/nvidiactl or /dev/dxg: CUDA cannot run, said without importing numba's CUDA target."""
    from gpdc.kernels import cuda

    monkeypatch.delenv("NUMBA_ENABLE_CUDASIM", raising=False)
    monkeypatch.delenv("NUMBA_CUDA_DRIVER", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    present: set[str] = set()
    monkeypatch.setattr(os.path, "exists", lambda p: p in present)
    assert cuda.no_driver_here()
    reason = cuda.unavailable_reason()
    assert reason is not None and "no NVIDIA driver: none of /dev/nvidiactl, /dev/dxg exists" in reason
    with pytest.raises(InputError, match=r"backend = 'cuda' cannot run here: no CUDA GPU .*no NVIDIA driver"):
        dispatch.choose("cuda", 1)
    for node in cuda.DRIVER_NODES:  # a driver's node (or WSL's GPU device): numba's own check decides
        present.add(node)
        assert not cuda.no_driver_here()
        present.clear()
    monkeypatch.setenv("NUMBA_CUDA_DRIVER", "/opt/driver/libcuda.so")
    assert not cuda.no_driver_here()
    monkeypatch.delenv("NUMBA_CUDA_DRIVER")
    monkeypatch.setenv("NUMBA_ENABLE_CUDASIM", "1")
    assert not cuda.no_driver_here()
    monkeypatch.delenv("NUMBA_ENABLE_CUDASIM")
    monkeypatch.setattr(sys, "platform", "win32")
    assert not cuda.no_driver_here()


def gpdc_cuda_no_driver() -> bool:
    """True on a machine where :func:`gpdc.kernels.cuda.no_driver_here` holds (and the simulator is off)."""
    from gpdc.kernels.cuda import no_driver_here

    return os.environ.get("NUMBA_ENABLE_CUDASIM") != "1" and no_driver_here()


@pytest.mark.skipif(not gpdc_cuda_no_driver(), reason="this machine has NVIDIA's driver (or runs the simulator)")
def test_an_auto_sweep_large_enough_for_the_gpu_does_not_import_numba_cuda_without_a_driver(tmp_path: Path) -> None:
    code = ("import sys; from gpdc import backends; "
            "print(backends.choose('auto', 10**9), 'numba.cuda' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_ENABLE_CUDASIM", "NUMBA_CUDA_DRIVER",
                                                            dispatch.MIN_DESIGNS_ENV)}
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300,
                         check=False)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.strip().splitlines()[-1] == "cpu False"


def _nvvm() -> bool:
    """True where numba-cuda (the extra's CUDA target) and its compiler (NVVM) are installed: PTX without a GPU.

    numba's own, deprecated CUDA target needs a GPU's driver to compile device functions, so a
    machine with the CUDA toolkit but without numba-cuda cannot build the kernels' PTX.
    """
    import importlib.util

    if importlib.util.find_spec("numba_cuda") is None:
        return False
    code = ("from numba import cuda\n"
            "def k(a):\n    a[0] = 1.0\n"
            "cuda.compile_ptx(k, 'void(float64[::1])', cc=(8, 0))\n")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    try:
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=300,
                              check=False).returncode == 0
    except subprocess.TimeoutExpired:
        return False


@pytest.mark.slow
def test_every_kernel_variant_compiles_for_a_gpu() -> None:
    """What the simulator cannot show: numba-cuda lowers every variant to PTX (no GPU needed; skipped without NVVM)."""
    if not _nvvm():
        pytest.skip("numba-cuda with NVVM is not installed (pip install 'gpdc[gpu]')")
    code = ("import json\nfrom gpdc.kernels import cuda_kernels as k\n"
            "print(json.dumps({''.join('gfl'[i] if key[i] else '-' for i in range(3)): "
            "k.compile_ptx(*key, cc=(9, 0)).count('.entry') for key in k.KERNELS}))")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=1200,
                         check=False, cwd=ROOT)
    assert res.returncode == 0, res.stderr[-4000:]
    entries = json.loads(res.stdout.strip().splitlines()[-1])
    assert entries == {"g--": 1, "---": 1, "g-l": 1, "--l": 1, "-f-": 1}


def test_dask_workers_check_their_own_gpu_and_name_themselves(monkeypatch: pytest.MonkeyPatch) -> None:
    from gpdc.kernels import cuda

    monkeypatch.setattr(cuda, "unavailable_reason", lambda: "no CUDA GPU with a working driver was found")
    # the client cannot see the workers' GPUs: cuda is passed on, auto stays on the CPU
    assert dispatch.choose("cuda", 1, local=False) == "cuda"
    assert dispatch.choose("auto", 10**9, local=False) == "cpu"
    with pytest.raises(InputError, match=r"backend = 'cuda' cannot run on \S+ \(pid \d+\): no CUDA GPU"):
        dispatch.check_here("cuda")
    dispatch.check_here("cpu")  # nothing to check
    from gpdc.sweeps.execute import chunk_result_task
    from gpdc.sweeps.runner import plan_sweep

    plan = plan_sweep(gpdc.load_scenario(IM), {"storage.energy_mwh": [0.0, 100.0]})
    with pytest.raises(InputError, match="cannot run on"):
        chunk_result_task(plan, 0, None, "cuda")  # before any design runs


def test_memory_per_design_is_what_a_launch_allocates() -> None:
    from gpdc.kernels import cuda
    from gpdc.kernels import layout as L

    assert cuda.memory_per_design_bytes() == 8 * (L.N_PARAMS + L.N_ROWS + L.N_TOTALS)
    # the lookahead's scratch: floors (day), two rings (day + horizon), two horizons, R, three lane rows, the levels
    assert cuda.memory_per_design_bytes(1.0, 48.0) - cuda.memory_per_design_bytes() == 8 * (24 + 2 * 72 + 2 * 48 + 4 + 24)


def test_size_dispatches_on_the_backend_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """gpdc.size(backend="cuda") sends every batch of candidates to the CUDA backend (a spy that runs the CPU kernel)."""
    from gpdc.kernels import cuda
    from gpdc.kernels import dispatch as seam

    calls: list[int] = []

    def spy(*args: object, **kwargs: object) -> np.ndarray:
        calls.append(args[-1].shape[1])  # type: ignore[attr-defined]
        return seam.batch_totals(*args, backend="cpu")  # type: ignore[arg-type]

    cpu_result = gpdc.size(IM, backend="cpu")
    assert not calls
    monkeypatch.setattr(cuda, "unavailable_reason", lambda: None)
    monkeypatch.setattr(cuda, "batch_totals", spy)
    gpu_result = gpdc.size(IM, backend="cuda")
    assert calls and sum(calls) >= 1000  # the coarse pass and the refinement, all through the CUDA seam
    assert gpu_result.scenario().model_dump() == cpu_result.scenario().model_dump()
    assert dispatch.current() == "cpu"  # the choice does not outlive the call
