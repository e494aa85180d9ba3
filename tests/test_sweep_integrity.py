"""Sweeps that survive what went wrong: two writers, a full disk, designs that fail, damaged or forged files.

Issue 18, items 1, 2, 2b and 3.  Every test is deterministic: a concurrent sweep is a child
that pauses at a chosen chunk until this test lets it go (a pipe, no sleeps); a full disk is an
ENOSPC injected into ``os.pwrite`` once a chosen number of chunks are on disk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import h5py
import numpy as np
import pytest
from typer.testing import CliRunner

import gpdc
from gpdc import simulate
from gpdc.cli import app
from gpdc.errors import InputError, ProfileError, ResultsFileError, WriteError
from gpdc.io import sweep_store
from gpdc.io.sweep_store import failures, progress, read_ledger
from gpdc.profiles import hourly_index
from gpdc.profiles import wind as wind_model
from gpdc.profiles.calibrate import calibrate_scale
from gpdc.scenario.load import load_scenario
from gpdc.scenario.schema import Scenario
from gpdc.sweeps import execute, plan_sweep, run_sweep
from gpdc.sweeps.plan import SweepPlan
from gpdc.sweeps.runner import prepare_file
from gpdc.sweeps.spec import apply

from .conftest import DATACENTRE, ROOT
from .faults import assert_same_file, disk_full, gpdc_cli, leftovers

AXES = {"tariff.energy_price_yuan_per_mwh": [282.9, 320.0], "storage.energy_mwh": "0:400:100",
        "wind.capacity_mw": [120, 220]}


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load_scenario(DATACENTRE)


@pytest.fixture(scope="module")
def plan(base: Scenario) -> SweepPlan:
    return plan_sweep(base, AXES, chunk_size=4)  # 20 designs in 6 chunks over 2 groups


@pytest.fixture(scope="module")
def reference(plan: SweepPlan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ref") / "ref.h5"
    run_sweep(plan, path)
    return path


# --- 1. two sweeps on one new path -------------------------------------------------------------

_PAUSING_SWEEP = textwrap.dedent("""
    import os, sys
    from gpdc.scenario.load import load_scenario
    from gpdc.sweeps import plan_sweep, run_sweep
    axes = {"tariff.energy_price_yuan_per_mwh": [282.9, 320.0], "storage.energy_mwh": "0:400:100",
            "wind.capacity_mw": [120, 220]}
    plan = plan_sweep(load_scenario(sys.argv[1]), axes, chunk_size=4)
    def pause(i):
        if i == 0:  # its first chunk is on disk: say so, and wait for the test's word
            print("paused", os.getpid(), flush=True)
            sys.stdin.readline()
    run_sweep(plan, sys.argv[2], on_chunk=pause, quiet=True)
    print("finished", flush=True)
""")


def test_two_sweeps_on_one_new_path_one_proceeds_the_other_exits_2_naming_it(tmp_path: Path,
                                                                             reference: Path) -> None:
    target = tmp_path / "sw.h5"
    first = subprocess.Popen([sys.executable, "-c", _PAUSING_SWEEP, str(DATACENTRE), str(target)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        line = first.stdout.readline()  # type: ignore[union-attr]  # blocks until the first sweep holds the file
        assert line.split() == ["paused", str(first.pid)], (line, first.stderr.read())  # type: ignore[union-attr]
        second = gpdc_cli("sweep", str(DATACENTRE), "--vary", "tariff.energy_price_yuan_per_mwh=282.9,320.0",
                          "--vary", "storage.energy_mwh=0:400:100", "--vary", "wind.capacity_mw=120,220",
                          "--chunk-size", "4", "-o", str(target), "-q")
        assert second.returncode == 2, second.stderr
        err = " ".join(second.stderr.split())
        assert f"is being written by process {first.pid}" in err and "Traceback" not in err
        again = gpdc_cli("sweep", str(DATACENTRE), "--vary", "storage.energy_mwh=0,100", "-o", str(target),
                         "--overwrite", "-q")  # --overwrite never pulls the file from under the live writer
        assert again.returncode == 2 and f"process {first.pid}" in " ".join(again.stderr.split())
        out, err_first = first.communicate("go\n", timeout=900)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0 and "finished" in out, err_first
    assert_same_file(reference, target)
    assert leftovers(tmp_path) == []


def test_overwrite_while_another_process_writes_is_refused(tmp_path: Path, reference: Path) -> None:
    from gpdc.io.lock import writer_lock

    target = tmp_path / "sw.h5"
    shutil.copy(reference, target)
    before = target.read_bytes()
    with writer_lock(target):  # this process is the live writer
        proc = gpdc_cli("sweep", str(DATACENTRE), "--vary", "storage.energy_mwh=0,100", "-o", str(target),
                        "--overwrite", "-q")
    assert proc.returncode == 2 and f"process {os.getpid()}" in " ".join(proc.stderr.split())
    assert target.read_bytes() == before


# --- 2. a full disk --------------------------------------------------------------------------------


def test_a_full_disk_keeps_every_finished_chunk_and_the_sweep_resumes(tmp_path: Path, plan: SweepPlan,
                                                                       reference: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "disk"
    folder.mkdir()
    path = folder / "sw.h5"
    written: list[int] = []
    with disk_full(monkeypatch, folder, when=lambda: len(written) >= 2), pytest.raises(WriteError) as exc:
        run_sweep(plan, path, on_chunk=written.append)
    msg = str(exc.value)
    assert msg.startswith(f"no space left on the device of {folder} while writing sweep results to {path}")
    assert msg.endswith("the 2 chunks done before are kept: free some space and rerun the same command to resume "
                        "the sweep")
    assert progress(path) == (2, len(plan.chunks)) and leftovers(folder) == []
    assert sweep_store.verify(path) == {}
    report = run_sweep(plan, path)  # space is back
    assert report.chunks_resumed == 2 and report.chunks_run == len(plan.chunks) - 2
    assert_same_file(reference, path)


def test_a_full_disk_while_the_file_is_laid_out_leaves_nothing(tmp_path: Path, plan: SweepPlan,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "sw.h5"
    with disk_full(monkeypatch, tmp_path, after_bytes=4096), pytest.raises(WriteError,
                                                                          match="nothing was replaced"):
        run_sweep(plan, path)
    assert os.listdir(tmp_path) == []


# --- 2b. designs that cannot be computed ----------------------------------------------------------


def test_a_group_that_cannot_be_built_fails_its_designs_and_the_sweep_goes_on(tmp_path: Path,
                                                                              base: Scenario) -> None:
    out = tmp_path / "flh.h5"
    res = CliRunner().invoke(app, ["sweep", str(DATACENTRE), "--vary", "wind.full_load_hours_h=2600,6000",
                                   "--vary", "storage.energy_mwh=0,200,400", "--chunk-size", "2", "-o", str(out),
                                   "-q"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "3 designs failed (status 2, NaN values): inputs of the group wind.full_load_hours_h=6000" in text
    assert "6000.0 full-load hours cannot be reached" in text
    with gpdc.open_results(out) as ds:
        bad = ds.sel(wind_full_load_hours_h=6000)
        good = ds.sel(wind_full_load_hours_h=2600)
        assert (bad["status"] == 2).all() and (good["status"] == 1).all() and bool(ds["finished"].all())
        assert np.isnan(bad["project_cost_yuan"]).all() and np.isfinite(good["project_cost_yuan"]).all()
        assert (bad["failure"] == 0).all() and (good["failure"] == -1).all()
        assert "cannot be reached" in str(ds["failure_message"].values[0])
        assert failures(ds) == [(str(ds["failure_message"].values[0]), 3)]
        single = simulate(apply(base, {"wind.full_load_hours_h": 2600.0, "storage.energy_mwh": 200})).totals
        point = good.sel(storage_energy_mwh=200)
        for name in ("project_cost_yuan", "self_use_share", "import_mwh"):
            assert np.array_equal(single[name].values, point[name].values), name
    from .test_sweep import assert_light_read_equals_open_sweep

    assert_light_read_equals_open_sweep(out)  # failed designs, and their failure_message


def _fail_where(monkeypatch: pytest.MonkeyPatch, stage: str, storage_mwh: float, message: str) -> None:
    """Make the designs with ``storage.energy_mwh == storage_mwh`` raise an InputError in one stage of a chunk.

    ``dispatch_columns``: before the kernel returns; ``account``: found late, in the accounting.
    """
    real = getattr(execute, stage)

    def bad(columns: dict[str, np.ndarray] | None) -> bool:
        return bool(columns) and bool((np.asarray(columns["storage.energy_mwh"]) == storage_mwh).any())

    def dispatch_columns(prepared: object, columns: dict[str, np.ndarray] | None = None) -> object:
        if bad(columns):
            raise InputError(message)
        return real(prepared, columns)

    def account(dispatched: object) -> dict[str, np.ndarray]:
        if bad(dispatched.design.columns):  # type: ignore[attr-defined]
            raise InputError(message)
        return real(dispatched)

    monkeypatch.setattr(execute, stage, {"dispatch_columns": dispatch_columns, "account": account}[stage])


@pytest.mark.parametrize("stage", ["dispatch_columns", "account"])
def test_designs_that_fail_late_fail_alone(tmp_path: Path, plan: SweepPlan, reference: Path,
                                           monkeypatch: pytest.MonkeyPatch, stage: str) -> None:
    # in the kernel's half of a chunk or in its accounting (which runs while the kernel runs the next)
    _fail_where(monkeypatch, stage, 200, "storage.energy_mwh = 200 is infeasible here (found late, for the test)")
    path = tmp_path / "late.h5"
    report = run_sweep(plan, path)
    assert report.failed == {"storage.energy_mwh = 200 is infeasible here (found late, for the test)": 4}
    with gpdc.open_results(path) as ds, gpdc.open_results(reference) as ref:
        failed = (ds["status"] == 2).values
        assert np.array_equal(failed, (ds["storage_energy_mwh"] == 200).broadcast_like(ds["status"]).values)
        for name in ("project_cost_yuan", "green_share_of_load", "compliant"):
            assert np.array_equal(ds[name].values[~failed], ref[name].values[~failed]), name
        assert np.isnan(ds["project_cost_yuan"].values[failed]).all()
        assert not ds["compliant"].values[failed].any()
    monkeypatch.undo()
    assert run_sweep(plan, path).chunks_run == 0  # a failure is a result: a rerun does not redo it


@pytest.mark.parametrize("stage", ["dispatch_columns", "account"])
def test_a_sweep_whose_first_designs_fail_still_lays_out_its_file(tmp_path: Path, base: Scenario,
                                                                   monkeypatch: pytest.MonkeyPatch, stage: str) -> None:
    _fail_where(monkeypatch, stage, 0, "no storage: refused late (for the test)")
    plan = plan_sweep(base, {"storage.energy_mwh": [0, 100, 200]}, chunk_size=2)
    report = run_sweep(plan, tmp_path / "s.h5")
    assert report.failed == {"no storage: refused late (for the test)": 1}
    with gpdc.open_results(tmp_path / "s.h5") as ds:
        assert list(ds["status"].values) == [2, 1, 1] and np.isfinite(ds["project_cost_yuan"].values[1:]).all()


@pytest.mark.parametrize(("seed", "target_h"), [(0, 1500.0), (1, 1774.6), (4, 2461.1)])
def test_wind_calibration_meets_targets_inside_a_cut_in_step(seed: int, target_h: float) -> None:
    # these three stopped with "calibration ... stopped at ... h; try another seed" before
    index = hourly_index(2025)
    speed, _, cf = wind_model.wind_resource(index, target_h, np.random.default_rng(seed), 2.0, elevation_m=1000.0,
                                            mean_temp_air_c=5.0)
    assert abs(cf.sum() - target_h) <= 1e-9 * target_h
    plain = wind_model._cf_from_reference_speed(speed, wind_model.reference_wind_plant(2.0), elevation_m=1000.0,
                                                mean_temp_air_c=5.0)
    changed = np.flatnonzero(np.abs(cf - plain) > 1e-9)  # elsewhere: the last bit between adjacent scales
    assert 1 <= changed.size <= 3  # only the hours at the step share it
    assert ((cf[changed] > 0) & (cf[changed] < 0.05)).all()  # at cut-in: part of the first curve value


def test_calibration_blends_the_hours_that_switch_at_a_step() -> None:
    base = np.linspace(0.0, 1.0, 10)

    def cf(scale: float) -> np.ndarray:  # continuous, plus a step of 0.5 in hour 0 at scale 1.0
        out = np.clip(base * scale * 0.1, 0.0, 1.0)
        out[0] = 0.5 if scale >= 1.0 else 0.0
        return out

    target = float(cf(1.0).sum()) - 0.2  # inside the step: no scale reaches it
    scale, got = calibrate_scale(cf, target, 0.5, 2.0, "test")
    assert got.sum() == pytest.approx(target, rel=1e-12)
    assert got[0] == pytest.approx(0.3) and np.array_equal(got[1:], cf(scale)[1:])
    with pytest.raises(ProfileError, match="cannot be reached"):
        calibrate_scale(cf, 100.0, 0.5, 2.0, "test")


# --- 3. partial, damaged and forged files --------------------------------------------------------


def _partial(plan: SweepPlan, path: Path, n_done: int) -> None:
    """A sweep file with its first ``n_done`` chunks written and marked done."""
    prepare_file(path, plan, overwrite=False)
    with sweep_store.Store(path) as store:
        for c in plan.chunks[:n_done]:
            index, digest, values = execute.chunk_task(plan, c.index)
            store.write(index, c.selection, c.group, digest, values)


def _slab_offset(f: h5py.File, name: str, flat_index: int) -> int:
    ds = f[name]
    return int(ds.id.get_offset()) + flat_index * ds.dtype.itemsize


def test_random_bytes_in_a_done_chunk_are_refused_then_recomputed(tmp_path: Path, plan: SweepPlan,
                                                                  reference: Path) -> None:
    path = tmp_path / "sw.h5"
    shutil.copy(reference, path)
    led = read_ledger(path)
    start = int(np.ravel_multi_index(tuple(int(a) for a in led.slabs[3][:, 0]), led.shape))
    with h5py.File(path, "r") as f:
        offset = _slab_offset(f, "import_mwh", start + 1)
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(b"\x13\x37\xc0\xde\x00\x01\x02\x03")
    with pytest.raises(ResultsFileError) as exc:
        gpdc.open_results(path)
    assert f"{led.describe(3)} does not match its checksum" in str(exc.value)
    report = run_sweep(plan, path)  # the same command again: recomputes the damaged chunk only
    assert report.chunks_recomputed == 1 and report.chunks_run == 1
    assert_same_file(reference, path)


def test_a_forged_all_done_ledger_is_refused_never_summarised_as_nan(tmp_path: Path, plan: SweepPlan,
                                                                     reference: Path) -> None:
    path = tmp_path / "sw.h5"
    _partial(plan, path, 2)
    with h5py.File(path, "r+") as f:
        f["sweep_ledger/chunk_done"][...] = 1
    with pytest.raises(ResultsFileError, match=r"chunk 2 \(designs .*\) is marked done but 2 of its designs are not "
                                               r"finished; chunk 3 .*; and 1 more chunk: the file was changed"):
        gpdc.open_results(path)
    res = CliRunner().invoke(app, ["sweep", str(DATACENTRE), "--vary", "tariff.energy_price_yuan_per_mwh=282.9,320.0",
                                   "--vary", "storage.energy_mwh=0:400:100", "--vary", "wind.capacity_mw=120,220",
                                   "--chunk-size", "4", "-o", str(path), "-q"])
    assert res.exit_code == 0, res.output
    assert "4 chunks marked done failed their checksum and were computed again" in " ".join(res.output.split())
    assert "nan" not in res.output.lower()
    assert_same_file(reference, path)


def test_nan_under_a_recomputed_checksum_is_still_refused(tmp_path: Path, reference: Path) -> None:
    path = tmp_path / "sw.h5"
    shutil.copy(reference, path)
    led = read_ledger(path)
    with h5py.File(path, "r+") as f:  # a forger who knows the checksum
        sel = led.selection(1)
        v = f["gen_avail_mwh"][...]
        v[sel] = np.nan
        f["gen_avail_mwh"][...] = v
        crc = 0
        for name in led.checksum_variables:
            crc = zlib.crc32(np.ascontiguousarray(f[name][...][sel]).tobytes(), crc)
        f["sweep_ledger/chunk_crc32"][1] = crc
    with pytest.raises(ResultsFileError, match=r"chunk 1 .* gen_avail_mwh is NaN or infinite"):
        gpdc.open_results(path)


def _delete(f: h5py.File, name: str) -> None:
    del f[name]


def _shorten(f: h5py.File, name: str) -> None:
    data = f[name][...]
    del f[name]
    f[name] = data[:-1]


def _reshape(f: h5py.File, name: str) -> None:
    data = f[name][...]
    del f[name]
    f[name] = data.reshape(-1)


@pytest.mark.parametrize(("damage", "message"), [
    (lambda f: _delete(f, "sweep_ledger"), "the ledger group sweep_ledger is missing"),
    (lambda f: _delete(f, "sweep_ledger/chunk_done"), "chunk_done is missing"),
    (lambda f: _shorten(f, "sweep_ledger/chunk_slab"), r"chunk_slab has shape \(5, 3, 2\); expected \(6, 3, 2\)"),
    (lambda f: _shorten(f, "sweep_ledger/chunk_crc32"), r"chunk_crc32 has shape \(5,\); expected \(6,\)"),
    (lambda f: _delete(f, "project_cost_yuan"), "the variable project_cost_yuan is missing"),
    (lambda f: _reshape(f, "project_cost_yuan"), r"project_cost_yuan has shape \(20,\); the sweep's is \(2, 5, 2\)"),
    (lambda f: f.attrs.__setitem__("sweep_dims", "not json"), "sweep_dims = 'not json' is not a JSON list"),
    (lambda f: f["sweep_ledger/chunk_done"].__setitem__(0, 7), r"chunk_done holds \[7\]"),
    (lambda f: f["sweep_ledger/chunk_slab"].__setitem__((0, 1, 1), 99), "outside the sweep's shape"),
])
def test_a_damaged_ledger_or_variable_is_a_precise_error(tmp_path: Path, plan: SweepPlan, reference: Path,
                                                         damage: object, message: str) -> None:
    path = tmp_path / "sw.h5"
    shutil.copy(reference, path)
    with h5py.File(path, "r+") as f:
        damage(f)  # type: ignore[operator]
    with pytest.raises(ResultsFileError, match=message):
        gpdc.open_results(path, allow_partial=True)
    with pytest.raises(ResultsFileError):  # a rerun too: a clean error, not an internal one
        run_sweep(plan, path)
