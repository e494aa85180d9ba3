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
