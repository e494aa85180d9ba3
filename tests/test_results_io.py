"""Results files: HDF5 round trip with plain h5py and with xarray; atomic writes; CSV."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

from gpdc import simulate
from gpdc.errors import ResultsFileError
from gpdc.io.csv import write_totals_csv
from gpdc.io.hdf5 import open_results, write_results
from gpdc.profiles import ProfileSet
from gpdc.scenario.load import scenario_from_dict
from gpdc.scenario.schema import Scenario


@pytest.fixture
def result(small_scenario: Scenario, small_profiles: ProfileSet) -> object:
    return simulate(small_scenario, profiles=small_profiles, traces=True)


def test_round_trip_with_plain_h5py(tmp_path: Path, result: object) -> None:
    path = write_results(tmp_path / "r.h5", result.totals, result.traces)  # type: ignore[attr-defined]
    with h5py.File(path, "r") as f:
        assert f.attrs["gpdc_version"] == "0.1.0"
        sc = scenario_from_dict(tomllib.loads(f.attrs["scenario_toml"]))
        assert sc == result.resolved.scenario  # type: ignore[attr-defined]
        assert f.attrs["policy_min_self_use_frac"] == pytest.approx(0.6)
        assert len(f.attrs["inputs_sha256"]) == 64
        assert "numba" in json.loads(f.attrs["version_record"])
        assert f["self_use_share"].attrs["units"] == b"1" or f["self_use_share"].attrs["units"] == "1"
        assert f["export_mwh"][()] == pytest.approx(256.0)
        assert "traces" in f
        tr = f["traces"]
        assert tr["direct_mwh"].shape == (48,)
        assert np.sum(tr["direct_mwh"][()]) == pytest.approx(800.0)
        units = tr["import_mwh"].attrs["units"]
        assert (units.decode() if isinstance(units, bytes) else units) == "MWh"


def test_round_trip_with_xarray(tmp_path: Path, result: object) -> None:
    path = write_results(tmp_path / "r.h5", result.totals, result.traces)  # type: ignore[attr-defined]
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        xr.testing.assert_identical(ds.load(), result.totals)  # type: ignore[attr-defined]
        assert ds["compliant"].dtype == bool
    with xr.open_dataset(path, engine="h5netcdf", group="traces") as tr:
        xr.testing.assert_allclose(tr.load(), result.traces)  # type: ignore[attr-defined]
        assert tr["time"].attrs["timezone"] == "Asia/Shanghai"
        assert str(tr["time"].values[10])[:19] == "2025-01-01T10:00:00"
    with open_results(path) as ds:
        assert float(ds["gen_avail_mwh"]) == pytest.approx(1280.0)


def test_files_get_the_usual_permissions(tmp_path: Path, result: object) -> None:
    import os

    mask = os.umask(0)
    os.umask(mask)
    h5 = write_results(tmp_path / "r.h5", result.totals)  # type: ignore[attr-defined]
    csv = write_totals_csv(tmp_path / "r.csv", result.totals)  # type: ignore[attr-defined]
    for path in (h5, csv):
        assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_write_is_atomic(tmp_path: Path, result: object) -> None:
    target = tmp_path / "r.h5"
    target.write_bytes(b"previous result")
    bad = result.totals.copy()  # type: ignore[attr-defined]
    bad.attrs["unwritable"] = {"a dict": "cannot be a netCDF attribute"}
    with pytest.raises((TypeError, ValueError)):
        write_results(target, bad)
    assert target.read_bytes() == b"previous result"  # untouched
    assert [p.name for p in tmp_path.iterdir()] == ["r.h5"]  # no temp file left behind
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ResultsFileError, match="cannot write results"):
        write_results(blocker / "r.h5", result.totals)  # type: ignore[attr-defined]


def test_open_results_errors(tmp_path: Path) -> None:
    with pytest.raises(ResultsFileError, match="does not exist"):
        open_results(tmp_path / "none.h5")
    other = tmp_path / "other.h5"
    xr.Dataset({"x": ("t", [1.0])}).to_netcdf(other, engine="h5netcdf")
    with pytest.raises(ResultsFileError, match="is not a gpdc result"):
        open_results(other)


def test_csv_has_one_row_and_units(tmp_path: Path, result: object) -> None:
    path = write_totals_csv(tmp_path / "t.csv", result.totals)  # type: ignore[attr-defined]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    header = lines[0].split(",")
    assert "export_mwh [MWh]" in header
    assert "savings_yuan_per_mwh [yuan/MWh]" in header
    row = dict(zip(header, lines[1].split(",")))
    assert float(row["export_mwh [MWh]"]) == pytest.approx(256.0)


def _h5_contents(path: Path) -> dict[str, object]:
    """Every object of an HDF5 file: kind, attributes (references by name), dtype, shape, storage, data."""

    def norm(f: h5py.File, v: object) -> object:
        if isinstance(v, h5py.Reference):
            return ("ref", f[v].name if v else None)
        if isinstance(v, np.void) and v.dtype.names:
            return tuple(norm(f, v[n]) for n in v.dtype.names)
        if isinstance(v, np.ndarray) and (v.dtype.names or v.dtype == object):
            return tuple(norm(f, x) for x in v.ravel())
        if isinstance(v, np.ndarray):
            return (v.dtype.str, v.shape, v.tobytes())
        return repr(v)

    out: dict[str, object] = {}
    with h5py.File(path, "r") as f:
        def visit(name: str, obj: h5py.Group | h5py.Dataset) -> None:
            attrs = [(k, norm(f, obj.attrs[k])) for k in obj.attrs if k != "_NCProperties"]
            if isinstance(obj, h5py.Dataset):
                out[name] = (attrs, obj.dtype.str, obj.shape, obj.chunks, obj.compression, obj.compression_opts,
                             obj.shuffle, obj.maxshape, norm(f, np.asarray(obj.fillvalue)), norm(f, np.asarray(obj[()])))
            else:
                out[name] = attrs
        visit("/", f)
        f.visititems(visit)
    return out


def test_the_file_is_the_one_xarrays_to_netcdf_writes(tmp_path: Path, result: object) -> None:
    # the writer dumps into one h5netcdf file without asking dask for its scheduler (gpdc.io.hdf5); the file
    # must hold what one ``to_netcdf`` per group wrote: every variable, attribute, encoding and storage option
    from gpdc.io import hdf5

    groups = {None: result.totals, "traces": result.traces, "cash_flow": result.cash_flow}  # type: ignore[attr-defined]
    path = hdf5.write_groups(tmp_path / "new.h5", groups)
    old = tmp_path / "old.h5"
    for k, (group, ds) in enumerate(groups.items()):
        ds.to_netcdf(old, mode="w" if k == 0 else "a", group=group, engine="h5netcdf",
                     encoding=hdf5._encoding(ds, True))
    assert _h5_contents(path) == _h5_contents(old)
    import h5netcdf  # the writer's h5netcdf.File that looks each variable up once is the one in use (issue 19)

    assert issubclass(hdf5._netcdf_file_class(), h5netcdf.File) and hdf5._netcdf_file_class() is not h5netcdf.File
    for group in groups:
        with xr.open_dataset(path, engine="h5netcdf", group=group) as a, \
                xr.open_dataset(old, engine="h5netcdf", group=group) as b:
            xr.testing.assert_identical(a.load(), b.load())
            for name in a.variables:
                assert {k: repr(v) for k, v in a[name].encoding.items() if k != "source"} == \
                    {k: repr(v) for k, v in b[name].encoding.items() if k != "source"}, (group, name)  # NaN fills


def test_without_xarrays_internals_the_writer_falls_back_to_to_netcdf(tmp_path: Path, result: object,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # an xarray without the internals the direct writer uses: to_netcdf writes, the same file
    from gpdc.io import hdf5

    groups = {None: result.totals, "traces": result.traces}  # type: ignore[attr-defined]
    direct = hdf5.write_groups(tmp_path / "direct.h5", groups)
    monkeypatch.setattr(hdf5, "_private_writer_available", lambda: False)
    monkeypatch.setattr(hdf5, "_write_in_memory_datasets", None)  # would raise if it were called
    fallback = hdf5.write_groups(tmp_path / "fallback.h5", groups)
    assert _h5_contents(fallback) == _h5_contents(direct)


def test_a_dask_backed_dataset_is_written_too(tmp_path: Path, result: object) -> None:
    pytest.importorskip("dask.array")
    traces = result.traces.chunk({"time": 16})  # type: ignore[attr-defined]
    path = write_results(tmp_path / "r.h5", result.totals, traces)  # type: ignore[attr-defined]
    with xr.open_dataset(path, engine="h5netcdf", group="traces") as tr:
        xr.testing.assert_identical(tr.load(), result.traces)  # type: ignore[attr-defined]


_LAZY_DASK = """
import sys
import numpy as np
import xarray as xr
from gpdc.results.dataset import totals_dataset  # installs the stand-in
from xarray.namedarray.pycompat import array_type
totals_dataset({"load_mwh": np.array([1.0])})
assert "dask.array" not in sys.modules, "dask.array imported to build a NumPy Dataset"
assert array_type("dask") == ()
# an hourly time coordinate is encoded as CF datetimes (xarray asks whether it is a dask collection)
import os, tempfile
import pandas as pd
from gpdc.io.hdf5 import write_groups
hourly = xr.Dataset({"x": ("time", np.arange(3.0))}, coords={"time": pd.date_range("2025-01-01", periods=3, freq="h")})
with tempfile.TemporaryDirectory() as tmp:
    write_groups(os.path.join(tmp, "t.h5"), {None: hourly})
    assert "dask" not in sys.modules, "dask imported to write a NumPy Dataset with datetimes"
    with xr.open_dataset(os.path.join(tmp, "t.h5"), engine="h5netcdf") as back:
        xr.testing.assert_identical(back.load(), hourly)
        assert back["time"].encoding["units"].startswith("hours since 2025-01-01")
import dask.array as da
from xarray.namedarray.utils import is_dask_collection
from xarray.namedarray.pycompat import is_chunked_array
assert array_type("dask") == (da.Array,)
assert is_dask_collection(da.arange(4, chunks=2)) and is_chunked_array(da.arange(4, chunks=2))
assert not is_dask_collection(np.arange(4)) and not is_dask_collection(da.Array)
v = xr.Variable(("x",), da.ma.masked_array(da.arange(4.0, chunks=2), mask=[0, 1, 0, 0]))
assert v.chunks == ((2, 2),) and np.isnan(v.values[1])  # as_compatible_data saw the dask masked array
ds = xr.Dataset({"a": ("x", np.arange(4.0))}).chunk({"x": 2})
assert ds["a"].chunks == ((2, 2),) and float(ds["a"].sum()) == 6.0
print("OK")
"""


def test_datasets_do_not_import_dask_and_dask_still_works_after() -> None:
    import subprocess
    import sys

    pytest.importorskip("dask.array")
    proc = subprocess.run([sys.executable, "-c", _LAZY_DASK], capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0 and "OK" in proc.stdout, proc.stderr[-3000:]


@pytest.mark.parametrize("module", ["gpdc.sizing.result", "gpdc.report.ledger", "gpdc.results.dataset"])
def test_each_module_that_builds_datasets_defers_dask(module: str) -> None:
    # `gpdc size` imported dask and dask.array (0.4 s) to build its Datasets before gpdc.sizing.result deferred them
    import subprocess
    import sys

    pytest.importorskip("dask")
    code = (f"import sys, numpy as np, xarray as xr, {module}\n"
            "xr.Dataset({'a': ('x', np.arange(3.0))}, coords={'x': np.arange(3)})\n"
            "assert 'dask' not in sys.modules, sorted(m for m in sys.modules if m.startswith('dask'))\n"
            "print('OK')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0 and "OK" in proc.stdout, proc.stderr[-3000:]
