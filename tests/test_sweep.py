"""Sweeps: specification and its errors, equality with single runs, resume after SIGKILL, Dask."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import gpdc
from gpdc import simulate
from gpdc.errors import ResultsFileError
from gpdc.io import sweep_store
from gpdc.io.sweep_store import done_mask, progress
from gpdc.results.registry import VARIABLES
from gpdc.scenario.load import load_scenario
from gpdc.sweeps import Dim, SweepSpec, check_spec, parse_range, parse_vary, parse_zip, plan_sweep, run_sweep
from gpdc.sweeps.execute import chunk_task
from gpdc.sweeps.plan import _column_chunks
from gpdc.sweeps.runner import prepare_file
from gpdc.sweeps.spec import SweepError, apply, combine, dim_name, read_designs_csv, spec_from_table

from .conftest import DATACENTRE, ROOT

# --- specification --------------------------------------------------------------------------


def test_ranges_include_stop_and_keep_integers() -> None:
    assert parse_range("0:800:200", "x") == (0, 200, 400, 600, 800)
    assert parse_range("0:1:0.1", "x")[3] == 0.3
    assert len(parse_range("0:1:0.1", "x")) == 11
    assert parse_range("0:750:200", "x") == (0, 200, 400, 600)  # stop off the grid: not included
    assert parse_range("5:5:1", "x") == (5,)


@pytest.mark.parametrize(("text", "message"), [
    ("0:800", "START:STOP:STEP"),
    ("0:800:0", "STEP must be > 0"),
    ("800:0:50", "STOP must be >= START"),
    ("a:1:1", "must be numbers"),
])
def test_bad_ranges_say_why(text: str, message: str) -> None:
    with pytest.raises(SweepError, match=message):
        parse_range(text, "storage.energy_mwh")


def test_vary_and_zip_parsing() -> None:
    d = parse_vary("wind.capacity_mw=100,150,200")
    assert (d.name, d.fields, d.values) == ("wind_capacity_mw", ("wind.capacity_mw",), ((100, 150, 200),))
    assert parse_vary("grid.export_cap_rule=running,budget").values == (("running", "budget"),)
    assert parse_vary("storage.grid_charging=true,false").values == ((True, False),)
    z = parse_zip("size storage.power_mw=0,50 storage.energy_mwh=0:200:200")
    assert z.name == "size" and z.size == 2 and z.point(1) == {"storage.power_mw": 50, "storage.energy_mwh": 200}
    with pytest.raises(SweepError, match="same number of values"):
        parse_zip("size storage.power_mw=0,50,100 storage.energy_mwh=0,200")
    with pytest.raises(SweepError, match="FIELD=VALUES"):
        parse_vary("wind.capacity_mw")


def test_sweep_table_in_a_scenario_file() -> None:
    spec = spec_from_table({
        "vary": {"wind.capacity_mw": [100, 200], "storage.energy_mwh": "0:400:200"},
        "zip": {"size": {"storage.power_mw": [10, 20], "grid.import_mw": [120, 130]}},
        "designs": [{"solar.capacity_mw": 10, "line.rating_mw": 300}, {"solar.capacity_mw": 20, "line.rating_mw": 350}],
    })
    assert [d.name for d in spec.dims] == ["wind_capacity_mw", "storage_energy_mwh", "size", "design"]
    assert spec.shape == (2, 3, 2, 2)
    with pytest.raises(SweepError, match="unknown key"):
        spec_from_table({"vary": {}, "axes": {}})


def test_designs_csv(tmp_path: Path) -> None:
    p = tmp_path / "d.csv"
    p.write_text("design,wind.capacity_mw,storage.energy_mwh\nsmall,100,0\nbig,250,400\n")
    d = read_designs_csv(p)
    assert d.labels == ("small", "big") and d.point(1) == {"wind.capacity_mw": 250, "storage.energy_mwh": 400}
    p.write_text("wind.capacity_mw,storage.energy_mwh\n100,0\n250\n")
    with pytest.raises(SweepError, match=r"d.csv:3.*has 1 columns; the header has 2"):
        read_designs_csv(p)


@pytest.fixture(scope="module")
def base() -> gpdc.scenario.schema.Scenario:  # type: ignore[name-defined]
    return load_scenario(DATACENTRE)


def _spec(*items: str) -> SweepSpec:
    return SweepSpec(tuple(parse_vary(i) for i in items))


def test_unknown_field_is_named_with_the_valid_ones(base) -> None:  # noqa: ANN001
    with pytest.raises(SweepError) as exc:
        check_spec(base, _spec("storage.energy_kwh=0,100"))
    msg = str(exc.value)
    assert "storage.energy_kwh" in msg and "unknown scenario field" in msg and "storage.energy_mwh" in msg


def test_out_of_range_value_names_axis_and_value(base) -> None:  # noqa: ANN001
    with pytest.raises(SweepError) as exc:
        check_spec(base, _spec("storage.energy_mwh=0,-50,100"))
    msg = str(exc.value)
    assert "storage.energy_mwh = -50" in msg and "must be >= 0.0" in msg


def test_wrong_type_and_literal_are_rejected(base) -> None:  # noqa: ANN001
    with pytest.raises(SweepError, match=r"grid.export_cap_rule = 'monthly'.*must be one of"):
        check_spec(base, _spec("grid.export_cap_rule=running,monthly"))
    with pytest.raises(SweepError, match="must be a number"):
        check_spec(base, _spec("wind.capacity_mw=100,big"))


def test_invalid_combination_across_dimensions(base) -> None:  # noqa: ANN001
    with pytest.raises(SweepError) as exc:
        check_spec(base, _spec("storage.soc_min_frac=0.1,0.6", "storage.soc_max_frac=0.5,0.9"))
    msg = str(exc.value)
    assert "invalid combination" in msg and "storage.soc_min_frac=0.6" in msg and "storage.soc_max_frac=0.5" in msg


def test_field_in_two_dimensions_and_empty_sweep(base) -> None:  # noqa: ANN001
    with pytest.raises(SweepError, match="also varied by dimension"):
        check_spec(base, combine(_spec("storage.power_mw=10,20"), [parse_zip("s storage.power_mw=1,2 grid.import_mw=120,130")]))
    with pytest.raises(SweepError, match="varies nothing"):
        check_spec(base, SweepSpec(()))
    with pytest.raises(SweepError, match="unknown scenario field 'name'"):
        check_spec(base, _spec("name=a,b"))


def test_chunks_tile_the_column_space_exactly() -> None:
    for shape, target in [((5, 7, 3), 10), ((5, 7, 3), 21), ((5, 7, 3), 1000), ((4,), 3), ((2, 3), 1)]:
        cover = np.zeros(shape, dtype=int)
        flat_next = 0
        for start, stop, sel, slab in _column_chunks(shape, target):
            assert start == flat_next  # contiguous in C order, in order
            flat_next = stop
            cover[sel] += 1
            assert int(np.prod(slab)) == stop - start
        assert flat_next == int(np.prod(shape)) and (cover == 1).all()


# --- results ----------------------------------------------------------------------------------

AXES = {
    "tariff.energy_price_yuan_per_mwh": [282.9, 320.0],  # changes the hourly prices: a group dimension
    "storage.energy_mwh": "0:600:200",
    "wind.capacity_mw": [120, 220],
    "grid.export_cap_rule": ["running", "budget"],
}


@pytest.fixture(scope="module")
def swept(base, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN001, ANN201
    zipped = parse_zip("battery storage.power_mw=25,50 storage.grid_charging=false,true")
    out = tmp_path_factory.mktemp("sweep") / "sw.h5"
    axes = {**AXES, "battery": zipped}
    base = apply(base, {"storage.grid_charge_max_price_yuan_per_mwh": 250.0})
    ds = gpdc.sweep(base, axes, out=out, chunk_size=7)
    return base, ds, out


def test_sweep_opens_with_its_axes_as_dimensions_and_units(swept) -> None:  # noqa: ANN001
    _, ds, out = swept
    # dimensions are Python identifiers; each names its scenario field in its attributes
    assert ds.sizes == {"tariff_energy_price_yuan_per_mwh": 2, "storage_energy_mwh": 4, "wind_capacity_mw": 2,
                        "grid_export_cap_rule": 2, "battery": 2}
    assert ds["storage_energy_mwh"].attrs["field"] == "storage.energy_mwh"
    assert ds["storage_power_mw"].attrs["field"] == "storage.power_mw"
    assert float(ds.sel(storage_energy_mwh=200, wind_capacity_mw=220, tariff_energy_price_yuan_per_mwh=282.9,
                        grid_export_cap_rule="running", battery=0)["storage_energy_mwh"]) == 200
    assert list(ds["storage_energy_mwh"].values) == [0, 200, 400, 600]
    assert list(ds["grid_export_cap_rule"].values) == ["running", "budget"]
    assert list(ds["storage_power_mw"].values) == [25, 50]  # a zipped field: coordinate along 'battery'
    for name in ds.data_vars:
        assert "units" in ds[name].attrs, name
        if name in VARIABLES:
            assert ds[name].attrs["units"] == VARIABLES[name].units
    assert bool(ds["finished"].all())
    with gpdc.open_results(out) as again:
        assert set(again.dims) == set(ds.dims)


def assert_light_read_equals_open_sweep(path: Path) -> None:
    """sweep_columns (h5py; what `gpdc sweep` prints its summary from) holds open_sweep's Dataset, to the bit."""
    import xarray as xr

    from gpdc.sweeps.select import SUMMARY_VARIABLES

    with sweep_store.open_sweep(path) as full:
        every = [str(n) for n in full.data_vars if n != sweep_store.FAILURE_MESSAGE]
        for names in (list(SUMMARY_VARIABLES), every):
            cols = sweep_store.sweep_columns(path, names)
            light = xr.Dataset({n: xr.Variable(*v) for n, v in cols.variables.items()},
                               coords={n: xr.Variable(*v) for n, v in cols.coords.items()}, attrs=cols.attrs)
            keep = [n for n in (*names, sweep_store.FAILURE_MESSAGE) if n in full]
            expected = full[keep].load()
            xr.testing.assert_identical(light, expected)
            assert list(light.variables) == list(expected.variables)  # the order too: a summary lists coordinates
            assert list(light.coords) == list(expected.coords)
            for name, var in light.variables.items():  # identical() compares values, not dtypes and attribute types
                assert var.dtype == full[name].dtype, name
                assert {k: type(v) for k, v in var.attrs.items()} == {k: type(v) for k, v in full[name].attrs.items()}
            assert {k: type(v) for k, v in light.attrs.items()} == {k: type(v) for k, v in full.attrs.items()}
    assert_summary_equals_xarrays(path)


def xarray_summary(ds: Any) -> tuple[Any, ...]:
    """The sweep summary computed with xarray (gpdc's own works on NumPy arrays): an independent reference."""
    comp_da, cost_da, years = ds["compliant"], ds["project_cost_yuan"], 0
    if "weather_year" in comp_da.dims:
        comp_da, cost_da, years = comp_da.all("weather_year"), cost_da.mean("weather_year"), ds.sizes["weather_year"]
    comp = comp_da.values.astype(bool)
    cheapest = None
    if comp.any():
        idx = np.unravel_index(int(np.argmin(np.where(comp, cost_da.values, np.inf))), comp.shape)
        parts = []
        for d, i in zip(cost_da.dims, idx, strict=True):
            along = [str(c) for c in ds.coords if c != d and ds[c].dims == (d,) and "field" in ds[c].attrs]
            if "field" in ds[d].attrs:
                parts.append(f"{ds[d].attrs['field']}={ds[d].values[i]}")
            else:
                parts.append(f"{d}={ds[d].values[i]}" + (" (" + ", ".join(
                    f"{ds[c].attrs['field']}={ds[c].values[i]}" for c in along) + ")" if along else ""))
        point = ds.isel(dict(zip(cost_da.dims, idx, strict=True)))
        if "weather_year" in point.dims:
            point = point.mean("weather_year")
        cheapest = (", ".join(parts), float(point["project_cost_yuan"]), float(point["green_share_of_load"]),
                    float(point["self_use_share"]))
    return comp.size, int(comp.sum()), years, cheapest, sweep_store.failures(ds)


def assert_summary_equals_xarrays(path: Path) -> None:
    """The summary `gpdc sweep` prints (NumPy, from h5py or from an open Dataset) is what xarray computes."""
    from gpdc.sweeps.select import SUMMARY_VARIABLES, sweep_summary

    with sweep_store.open_sweep(path) as full:
        expected = xarray_summary(full)
        from_dataset = sweep_summary(sweep_store.columns_of(full, SUMMARY_VARIABLES))
    light = sweep_summary(sweep_store.sweep_columns(path, SUMMARY_VARIABLES))
    assert light == from_dataset
    best = light.cheapest
    got = (light.n_designs, light.n_compliant, light.weather_years,
           None if best is None else (best.where, best.project_cost_yuan, best.green_share_of_load, best.self_use_share),
           light.failures)
    assert got == expected  # to the bit


def test_the_summary_reader_gives_what_open_sweep_gives(swept) -> None:  # noqa: ANN001
    # string, integer, float and zipped (bool and float along 'battery') coordinates
    assert_light_read_equals_open_sweep(swept[2])


def test_every_point_equals_a_single_run(swept) -> None:  # noqa: ANN001
    base, ds, _ = swept
    rng = np.random.default_rng(7)
    dims = list(ds["project_cost_yuan"].dims)
    for _ in range(5):
        idx = {d: int(rng.integers(ds.sizes[d])) for d in dims}
        point = ds.isel(idx)
        values = {ds[d].attrs["field"]: point[d].item() for d in dims if d != "battery"}  # dims name their field
        values.update({"storage.power_mw": point["storage_power_mw"].item(),
                       "storage.grid_charging": bool(point["storage_grid_charging"].item())})
        single = simulate(apply(base, values)).totals
        for name in single.data_vars:
            a, b = np.asarray(single[name].values), np.asarray(point[name].values)
            assert np.array_equal(a, b, equal_nan=True), (name, values, a, b)


def test_rerun_is_refused_for_another_sweep_or_scenario(swept) -> None:  # noqa: ANN001
    base, _, out = swept
    longer = {**AXES, "storage.energy_mwh": "0:800:200",
              "battery": parse_zip("battery storage.power_mw=25,50 storage.grid_charging=false,true")}
    with pytest.raises(ResultsFileError, match=r"holds a different sweep .*storage.energy_mwh': 4.*storage.energy_mwh': 5"):
        gpdc.sweep(base, longer, out=out, chunk_size=7)
    other = apply(base, {"line.loss_frac": 0.05})
    same = {**AXES, "battery": parse_zip("battery storage.power_mw=25,50 storage.grid_charging=false,true")}
    with pytest.raises(ResultsFileError, match=r"different scenario .*loss_frac"):
        gpdc.sweep(other, same, out=out, chunk_size=7)
    # the same sweep again: nothing to do, the file is returned as it is
    plan = plan_sweep(base, combine(SweepSpec(()), [Dim(dim_name(k), (k,), (tuple(parse_vary(f"{k}={v}").values[0]) if isinstance(v, str)
                                                                    else tuple(v),)) for k, v in AXES.items()]
                                    + [same["battery"]]), 7)
    report = run_sweep(plan, out)
    assert report.chunks_run == 0 and report.chunks_resumed == len(plan.chunks)


def test_traces_of_the_best_designs(swept, tmp_path: Path) -> None:  # noqa: ANN001
    from gpdc.sweeps.select import best_points, parse_point, write_traces

    base, ds, _ = swept
    plan = plan_sweep(base, {**AXES, "battery": parse_zip("battery storage.power_mw=25,50 storage.grid_charging=false,true")}, 7)
    best = best_points(ds, "project_cost_yuan", 2)
    cost = np.where(ds["compliant"].values, ds["project_cost_yuan"].values, np.inf)
    assert ds.sel(best[0])["project_cost_yuan"].item() == cost.min()
    at = parse_point("tariff.energy_price_yuan_per_mwh=320,storage.energy_mwh=200,wind.capacity_mw=220,"
                     "grid.export_cap_rule=budget,battery=1", ds)
    path = write_traces(plan, [*best, at], tmp_path / "t.h5")
    import xarray as xr

    with xr.open_dataset(path, engine="h5netcdf") as tr:
        assert tr.sizes["selected"] == 3 and tr.sizes["time"] == 8760
        assert np.isclose(tr["import_mwh"].isel(selected=2).sum().item(), ds.sel(at)["import_mwh"].item(), rtol=1e-12)
    with pytest.raises(SweepError, match="not on the sweep grid"):
        parse_point("tariff.energy_price_yuan_per_mwh=1,storage.energy_mwh=200,wind.capacity_mw=220,"
                    "grid.export_cap_rule=budget,battery=1", ds)


# --- kill and resume -----------------------------------------------------------------------------

_CHILD = textwrap.dedent("""
    import os, signal, sys
    from gpdc.io import sweep_store
    from gpdc.scenario.load import load_scenario
    from gpdc.sweeps import plan_sweep, run_sweep
    base = load_scenario(sys.argv[1])
    plan = plan_sweep(base, {"tariff.energy_price_yuan_per_mwh": [282.9, 320.0], "storage.energy_mwh": "0:600:50",
                             "wind.capacity_mw": [120, 170, 220], "solar.capacity_mw": [0, 60]}, chunk_size=5)
    mode, n = sys.argv[3], int(sys.argv[4])
    calls = {"chunk": 0, "mark": 0}
    def die():
        os.kill(os.getpid(), signal.SIGKILL)
    def tick(i):
        calls["chunk"] += 1
        if mode == "after_chunk" and calls["chunk"] >= n:
            die()  # between chunks: chunk i is on disk and marked done
    if mode == "before_mark":
        mark = sweep_store.Store.mark_done
        def mark_or_die(self, *args):
            calls["mark"] += 1
            if calls["mark"] >= n:
                die()  # the chunk's values and finished flags are written and flushed, its ledger mark is not
            mark(self, *args)
        sweep_store.Store.mark_done = mark_or_die
    run_sweep(plan, sys.argv[2], on_chunk=tick, quiet=True)
    print("finished", flush=True)
""")


def _run_child(path: Path, mode: str = "none", n: int = 0) -> bool:
    """Run the sweep in a subprocess that SIGKILLs itself at a chosen point (no timing); True if it finished."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(DATACENTRE), str(path), mode, str(n)],
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    if mode == "none":
        assert proc.returncode == 0, proc.stderr
    else:
        assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stderr)
    return proc.returncode == 0 and "finished" in proc.stdout


def _file_content(path: Path) -> dict[str, object]:
    content: dict[str, object] = {}

    def visit(name: str, obj: object) -> None:
        if isinstance(obj, h5py.Dataset):
            content[name] = obj[...]

    with h5py.File(path, "r") as f:
        f.visititems(visit)
        content["attrs"] = {k: f.attrs[k] for k in f.attrs}
    return content


def _assert_same_file(a_path: Path, b_path: Path) -> None:
    a, b = _file_content(a_path), _file_content(b_path)
    assert a.keys() == b.keys()
    for k in a:
        if k == "attrs":  # everything but the creation time of each file
            same = {x: str(v) for x, v in a[k].items() if x != "created_utc"}  # type: ignore[union-attr]
            assert json.dumps(same) == json.dumps({x: str(v) for x, v in b[k].items() if x != "created_utc"})  # type: ignore[union-attr]
        else:
            x, y = np.asarray(a[k]), np.asarray(b[k])
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), k


def _assert_partial_view_follows_the_ledger(path: Path, written_not_marked: tuple[int | slice, ...] | None) -> None:
    """Open with allow_partial: done designs hold values, every other design is NaN, finished == ledger."""
    mask = done_mask(path)
    with h5py.File(path, "r") as f:
        raw_value = f["self_use_share"][...]
        raw_finished = f["finished"][...].astype(bool)
    if written_not_marked is not None:  # the injection really left values on disk that the ledger does not own
        assert np.isfinite(raw_value[written_not_marked]).all() and raw_finished[written_not_marked].all()
        assert not mask[written_not_marked].any()
    with pytest.raises(ResultsFileError, match="unfinished"):
        gpdc.open_results(path)
    with pytest.warns(UserWarning, match="unfinished"):
        part = gpdc.open_results(path, allow_partial=True)
    with part:
        fin = part["finished"].values
        assert fin.dtype == bool and np.array_equal(fin, mask)
        assert fin.any() and not fin.all()
        for name in ("self_use_share", "project_cost_yuan", "compliant", "meets_self_use"):
            v = np.asarray(part[name].values, dtype=np.float64)
            assert np.isnan(v[~fin]).all(), name
            assert np.isfinite(v[fin]).all(), name
        assert np.array_equal(part["self_use_share"].values[fin], raw_value[fin])
        assert part["self_use_share"].attrs["units"] == "1"


def test_ctrl_c_exits_130_says_how_to_resume_and_the_rerun_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    # Ctrl-C (a KeyboardInterrupt) while the third chunk is written, the kernel already on the fourth:
    # exit status 130 and the hint on stderr (typer alone exits 130 without a word), the two chunks
    # written kept; the same command again resumes and finishes
    from gpdc.cli import main

    out = tmp_path / "s.h5"
    argv = ["gpdc", "sweep", str(DATACENTRE), "--vary", "storage.energy_mwh=0:400:100", "--vary",
            "wind.capacity_mw=120,220", "--chunk-size", "2", "--quiet", "-o", str(out)]
    real = sweep_store.Store.write
    calls = {"n": 0}

    def write(self: Any, *a: Any, **k: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, *a, **k)

    monkeypatch.setattr(sweep_store.Store, "write", write)
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 130
    assert "interrupted — rerun the same command to resume" in " ".join(capsys.readouterr().err.split())
    assert progress(out) == (2, 5)
    monkeypatch.setattr(sweep_store.Store, "write", real)
    with pytest.raises(SystemExit) as stop:
        main()
    assert not stop.value.code
    assert progress(out) == (5, 5)


@pytest.mark.slow
def test_sigkill_then_rerun_gives_the_uninterrupted_file(tmp_path: Path) -> None:
    ref = tmp_path / "ref.h5"
    assert _run_child(ref)
    killed = tmp_path / "killed.h5"
    # killed between chunks (after the 3rd), then between the 5th chunk's data flush and its ledger mark
    assert not _run_child(killed, "after_chunk", 3)
    assert progress(killed)[0] == 3
    assert not _run_child(killed, "before_mark", 2)
    done, total = progress(killed)
    assert done == 4 < total
    plan = plan_sweep(load_scenario(DATACENTRE), {
        "tariff.energy_price_yuan_per_mwh": [282.9, 320.0], "storage.energy_mwh": "0:600:50",
        "wind.capacity_mw": [120, 170, 220], "solar.capacity_mw": [0, 60]}, chunk_size=5)
    _assert_partial_view_follows_the_ledger(killed, plan.chunks[4].selection)
    assert _run_child(killed)
    _assert_same_file(ref, killed)


def test_values_written_without_their_ledger_mark_read_as_unfinished(base, tmp_path: Path) -> None:  # noqa: ANN001
    # a kill after the data flush but before the ledger mark, by injection: the second chunk's values
    # and finished flags are on disk, the ledger does not mark it; the partial view must not show them
    plan = _plan(base)
    ref = tmp_path / "ref.h5"
    run_sweep(plan, ref)
    path = tmp_path / "partial.h5"
    prepare_file(path, plan, overwrite=False)
    with sweep_store.Store(path) as store:
        for c in plan.chunks[:2]:
            index, digest, values = chunk_task(plan, c.index)
            store.write_values(c.selection, c.group, digest, values)
            if c.index == 0:
                store.mark_done(index, c.group, digest)
    _assert_partial_view_follows_the_ledger(path, plan.chunks[1].selection)
    with pytest.warns(UserWarning, match="unfinished"):
        part = gpdc.open_results(path, allow_partial=True)
    with part, gpdc.open_results(ref) as full:
        fin = part["finished"].values
        assert fin.sum() == plan.chunks[0].size
        for name in ("self_use_share", "savings_yuan", "import_mwh"):
            assert np.array_equal(part[name].values[fin], full[name].values[fin]), name
        assert part["compliant"].dtype == np.float64  # booleans: 1/0 where done, NaN elsewhere
    run_sweep(plan, path)  # resumes: redoes the unmarked chunk and the rest
    _assert_same_file(ref, path)


# --- other executors ---------------------------------------------------------------------------------


def _plan(base):  # noqa: ANN001, ANN202
    return plan_sweep(base, {"tariff.energy_price_yuan_per_mwh": [282.9, 320.0], "storage.energy_mwh": "0:400:100",
                             "wind.capacity_mw": [120, 220]}, chunk_size=4)


def test_chunks_in_a_spawned_process_pool_equal_local(base) -> None:  # noqa: ANN001
    plan = _plan(base)
    local = [chunk_task(plan, c.index) for c in plan.chunks]
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        remote = list(pool.map(chunk_task, [plan] * len(plan.chunks), [c.index for c in plan.chunks], [1] * len(plan.chunks)))
    for (i, d, v), (j, e, w) in zip(local, remote, strict=True):
        assert i == j and d == e
        for k in v:
            assert np.array_equal(v[k], w[k], equal_nan=True), k


def test_chunks_from_a_thread_pool_equal_local(base) -> None:  # noqa: ANN001
    from concurrent.futures import ThreadPoolExecutor

    plan = _plan(base)
    local = [chunk_task(plan, c.index) for c in plan.chunks]
    with ThreadPoolExecutor(4) as pool:  # several threads enter the (parallel) kernel path at once
        threaded = list(pool.map(lambda i: chunk_task(plan, i), [c.index for c in plan.chunks]))
    for (i, d, v), (j, e, w) in zip(local, threaded, strict=True):
        assert i == j and d == e
        for k in v:
            assert np.array_equal(v[k], w[k], equal_nan=True), k


def test_the_kernel_runs_the_next_chunk_while_this_one_is_accounted(base, tmp_path: Path,  # noqa: ANN001
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # a local CPU sweep: the kernel of chunk k + 1 starts before the accounting of chunk k ends (no
    # sleeps: each accounting waits, with a generous limit, for the next chunk's kernel call to begin),
    # one kernel call at a time, in a thread with the caller's numba thread count; the file is the
    # one a serial run of the chunks writes
    import importlib
    import threading

    import numba

    from gpdc import pipeline
    from gpdc.sweeps import execute

    derive = importlib.import_module("gpdc.accounting.derive")  # the module (the package exports its function)

    plan = _plan(base)
    started = [threading.Event() for _ in plan.chunks]
    seen: dict[str, Any] = {"threads": [], "numba": set(), "inside": 0, "most_inside": 0}
    lock = threading.Lock()
    real_totals, real_account, real_dispatch = pipeline.run_totals, execute.account, execute.dispatch_columns

    def run_totals(inputs: Any) -> np.ndarray:
        with lock:
            seen["inside"] += 1
            seen["most_inside"] = max(seen["most_inside"], seen["inside"])
        seen["threads"].append(threading.current_thread().name)
        seen["numba"].add(numba.get_num_threads())
        try:
            return real_totals(inputs)
        finally:
            with lock:
                seen["inside"] -= 1

    order: list[int] = []
    probe: set[int] = set()  # the file's layout comes from one design computed in this thread first
    chunk_of: dict[int, int] = {}

    def dispatch_columns(prepared: Any, columns: Any = None) -> Any:
        if threading.current_thread() is threading.main_thread():
            out = real_dispatch(prepared, columns)
            probe.add(id(out))
            return out
        k = len(order)
        order.append(k)
        started[k].set()
        out = real_dispatch(prepared, columns)
        chunk_of[id(out)] = k
        return out

    def account(dispatched: Any) -> dict[str, np.ndarray]:
        k = chunk_of.get(id(dispatched), -1)
        if id(dispatched) not in probe and k + 1 < len(started):
            assert started[k + 1].wait(60.0), "the next chunk's kernel did not start while this one was accounted"
        return real_account(dispatched)

    monkeypatch.setattr(derive, "run_totals", run_totals)
    monkeypatch.setattr(execute, "dispatch_columns", dispatch_columns)
    monkeypatch.setattr(execute, "account", account)
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        run_sweep(plan, tmp_path / "pipelined.h5", quiet=True)
    finally:
        numba.set_num_threads(before)
    monkeypatch.undo()
    assert order == list(range(len(plan.chunks)))
    assert seen["most_inside"] == 1 and seen["numba"] == {1}
    kernel_thread = [name for name in seen["threads"] if name != "MainThread"]
    assert len(kernel_thread) == len(plan.chunks) and all(name.startswith("gpdc-kernel") for name in kernel_thread)
    assert seen["threads"].count("MainThread") == len(probe)
    serial = {c.index: chunk_task(plan, c.index)[2] for c in plan.chunks}
    with h5py.File(tmp_path / "pipelined.h5", "r") as f:
        for c in plan.chunks:
            for name, v in serial[c.index].items():
                got = np.asarray(f[name][c.selection]).reshape(v.shape)  # an integer index drops its dimension
                assert np.array_equal(got, v, equal_nan=True), (c.index, name)


@pytest.mark.slow
def test_dask_local_cluster_equals_single_process(base, tmp_path: Path) -> None:  # noqa: ANN001
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install 'gpdc[cluster]')")
    from .faults import gpdc_cli

    plan = _plan(base)
    run_sweep(plan, tmp_path / "one.h5")
    # the cluster in a process of its own, as a user starts it: not sharing this one's threads and sockets
    proc = gpdc_cli("sweep", str(DATACENTRE), "--vary", "tariff.energy_price_yuan_per_mwh=282.9,320.0",
                    "--vary", "storage.energy_mwh=0:400:100", "--vary", "wind.capacity_mw=120,220",
                    "--chunk-size", "4", "--workers", "2", "--quiet", "-o", str(tmp_path / "dask.h5"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert " INFO " not in proc.stderr and "distributed." not in proc.stderr, proc.stderr[-2000:]  # -q: no Dask INFO
    a, b = _file_content(tmp_path / "one.h5"), _file_content(tmp_path / "dask.h5")
    assert a.keys() == b.keys()
    for k in a:
        if k != "attrs":
            x, y = np.asarray(a[k]), np.asarray(b[k])
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), k


# --- weather years, products, hourly emission factors -------------------------------------------


def test_weather_years_and_products_become_dimensions(tmp_path: Path) -> None:
    from gpdc.pipeline import build_profiles

    from .conftest import ALUMINIUM

    base = load_scenario(ALUMINIUM, overrides={"profiles.ensemble_size": 2})
    ds = gpdc.sweep(base, {"storage.energy_mwh": [0, 400], "wind.capacity_mw": [200, 300]}, out=tmp_path / "w.h5")
    assert list(ds["project_cost_yuan"].dims) == ["weather_year", "storage_energy_mwh", "wind_capacity_mw"]
    assert list(ds["weather_year"].values) == [0, 1]
    prod_vars = [n for n in ds.data_vars if "product" in ds[n].dims]
    assert prod_vars and ds[prod_vars[0]].dims[-1] == "product"
    assert list(ds["product"].values) == [p.name for p in base.products]
    # the two years differ, and each point is gpdc run on that member's profiles
    assert not np.array_equal(ds["gen_avail_mwh"].isel(weather_year=0), ds["gen_avail_mwh"].isel(weather_year=1))
    sc = apply(base, {"storage.energy_mwh": 400, "wind.capacity_mw": 200})
    single = simulate(sc, profiles=build_profiles(sc, 1)).totals
    point = ds.sel({"weather_year": 1, "storage_energy_mwh": 400, "wind_capacity_mw": 200})
    for name in single.data_vars:
        assert np.array_equal(np.asarray(single[name].values), np.asarray(point[name].values), equal_nan=True), name
    ds.close()
    assert_light_read_equals_open_sweep(tmp_path / "w.h5")  # weather years and products


def test_hourly_emission_factors_in_a_sweep(base, tmp_path: Path) -> None:  # noqa: ANN001
    from gpdc.pipeline import build_profiles

    times = build_profiles(base).time
    factors = 0.4 + 0.4 * (np.arange(len(times)) % 24 >= 18)
    csv = tmp_path / "f.csv"
    csv.write_text("time,factor_t_co2_per_mwh\n" + "".join(f"{t:%Y-%m-%d %H:%M},{f}\n" for t, f in zip(times, factors)))
    sc = apply(base, {"emissions.hourly_factors_csv": str(csv)})
    ds = gpdc.sweep(sc, {"storage.energy_mwh": [0, 300], "grid.import_mw": [110, 140]})
    for e, imp in [(0, 110), (300, 140)]:
        single = simulate(apply(sc, {"storage.energy_mwh": e, "grid.import_mw": imp})).totals
        point = ds.sel({"storage_energy_mwh": e, "grid_import_mw": imp})
        for name in single.data_vars:
            assert np.array_equal(np.asarray(single[name].values), np.asarray(point[name].values), equal_nan=True), name
    assert not np.allclose(ds["direct_connection_co2_t"].values,
                           ds["import_mwh"].values * float(ds.attrs.get("account_factor_t_co2_per_mwh", 0.0) or 0.5))


def test_a_sweep_table_in_the_scenario_file(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from gpdc.cli import app

    text = DATACENTRE.read_text(encoding="utf-8")
    f = tmp_path / "dc.toml"
    f.write_text(text + '\n[sweep.vary]\n"storage.energy_mwh" = "0:400:200"\n"wind.capacity_mw" = [150, 250]\n',
                 encoding="utf-8")
    assert load_scenario(f) == load_scenario(DATACENTRE)  # gpdc run uses the base scenario
    res = CliRunner().invoke(app, ["sweep", str(f), "--vary", "solar.capacity_mw=100,150", "-o", str(tmp_path / "s.h5"), "-q"])
    assert res.exit_code == 0, res.output
    with gpdc.open_results(tmp_path / "s.h5") as ds:
        assert ds["project_cost_yuan"].shape == (3, 2, 2)
    bad = CliRunner().invoke(app, ["sweep", str(f), "--vary", "storage.energy_mwh=0,100", "-o", str(tmp_path / "t.h5")])
    assert bad.exit_code == 2 and "storage.energy_mwh: is varied twice" in bad.output and "Traceback" not in bad.output
