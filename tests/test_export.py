"""``gpdc export``: the Excel workbook opens with openpyxl and holds the run's totals with units; tidy CSV."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

import gpdc
from gpdc.cli import app
from gpdc.report import tables

from .conftest import DATACENTRE

openpyxl = pytest.importorskip("openpyxl", reason="the Excel export needs openpyxl (pip install 'gpdc[report]')")
runner = CliRunner()


@pytest.fixture(scope="module")
def run_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = gpdc.simulate(DATACENTRE, traces=True)
    return gpdc.write_results(tmp_path_factory.mktemp("export") / "dc.h5", result.totals, result.traces,
                              groups={"cash_flow": result.cash_flow})


@pytest.fixture(scope="module")
def workbook(run_file: Path) -> Path:
    out = run_file.with_name("dc.xlsx")
    res = runner.invoke(app, ["export", str(run_file), "--xlsx", str(out)])
    assert res.exit_code == 0, res.output
    return out


def sheet(path: Path, name: str) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb[name].iter_rows(values_only=True))
    wb.close()
    return rows


def test_summary_sheet_equals_the_runs_totals_with_units(run_file: Path, workbook: Path) -> None:
    wb = openpyxl.load_workbook(workbook, read_only=True)
    assert wb.sheetnames == ["summary", "monthly", "cash flow", "hourly", "assumptions", "provenance"]
    wb.close()
    rows = sheet(workbook, "summary")
    assert rows[0] == ("variable", "product", "value", "unit", "description", "definition")
    got = {(r[0], r[1] or ""): r for r in rows[1:]}
    with xr.open_dataset(run_file, engine="h5netcdf") as ds:
        totals = ds.load()
    n = 0
    for name, da in totals.data_vars.items():
        products = [str(p) for p in totals["product"].values] if "product" in da.dims else [""]
        values = np.asarray(da.values, dtype=np.float64).reshape(-1)
        for p, want in zip(products, values, strict=True):
            _, _, value, unit, description, definition = got[(name, p)]
            # openpyxl writes numbers with 16 significant digits (Excel keeps 15): the total as written
            assert (value is None and math.isnan(want)) or value == float(f"{want:.16g}"), (name, p, value, want)
            assert unit == da.attrs["units"] and description == da.attrs["long_name"], name
            assert definition == da.attrs["definition"], name
            n += 1
    assert n == len(rows) - 1  # nothing more, nothing less
    assert got[("self_use_share", "")][3] == "1" and got[("project_cost_yuan", "")][3] == "yuan"


def test_monthly_cash_flow_hourly_and_assumption_sheets(run_file: Path, workbook: Path) -> None:
    with xr.open_dataset(run_file, engine="h5netcdf") as ds:
        totals = ds.load()
    monthly = sheet(workbook, "monthly")
    assert monthly[0][0] == "month" and len(monthly) == 13
    head = list(monthly[0])
    for column, _, _, total in tables.MONTHLY:
        if total:
            col = head.index(f"{column} [MWh]")
            assert math.fsum(r[col] for r in monthly[1:]) == pytest.approx(float(totals[total]), rel=1e-9, abs=1e-6)
    cash = sheet(workbook, "cash flow")
    head = list(cash[0])
    assert head[0] == "project_year" and "cash_flow_discounted_yuan [yuan]" in head
    col = head.index("cash_flow_discounted_yuan [yuan]")
    assert math.fsum(r[col] for r in cash[1:]) == pytest.approx(float(totals["npv_yuan"]), rel=1e-9)
    hourly = sheet(workbook, "hourly")
    assert len(hourly) == 8761 and hourly[0][0] == "time (local)" and "import_mwh [MWh]" in hourly[0]
    col = list(hourly[0]).index("import_mwh [MWh]")
    assert math.fsum(r[col] for r in hourly[1:]) == pytest.approx(float(totals["import_mwh"]), rel=1e-9)
    assumptions = sheet(workbook, "assumptions")
    assert assumptions[0] == ("name", "value", "unit", "source", "confidence")
    resolved = json.loads(totals.attrs["resolved_inputs"])
    by_name = {r[0]: r for r in assumptions[1:]}
    for name, v in resolved.items():
        # a spreadsheet keeps about 16 significant digits (openpyxl writes the shortest repr it can read back)
        assert by_name[name][1] == pytest.approx(v["value"], rel=1e-15, abs=0.0) and by_name[name][3] == v["source"], name
        assert by_name[name][4] == v["confidence"], name
    provenance = dict(sheet(workbook, "provenance")[1:])
    assert provenance["inputs_sha256"] == totals.attrs["inputs_sha256"]


def test_a_run_without_traces_has_no_hourly_sheet(tmp_path: Path) -> None:
    result = gpdc.simulate(DATACENTRE)
    h5 = gpdc.write_results(tmp_path / "t.h5", result.totals)
    out = tmp_path / "t.xlsx"
    res = runner.invoke(app, ["export", str(h5), "--xlsx", str(out)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out, read_only=True)
    assert "hourly" not in wb.sheetnames and "cash flow" in wb.sheetnames
    wb.close()


def test_csv_long_is_tidy_and_equals_the_file(run_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "long.csv"
    res = runner.invoke(app, ["export", str(run_file), "--csv-long", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert list(df.columns[:2]) == ["group", "variable"] and list(df.columns[-3:]) == ["value", "unit", "description"]
    with xr.open_dataset(run_file, engine="h5netcdf") as ds:
        totals = ds.load()
    scalars = df[df["group"] == "totals"].set_index("variable")
    assert len(scalars) == len(totals.data_vars)  # no products in this scenario: one row per total
    for name in ("self_use_share", "project_cost_yuan", "gen_avail_mwh"):
        assert scalars.loc[name, "value"] == float(totals[name])
        assert scalars.loc[name, "unit"] == totals[name].attrs["units"]
    cash = df[df["group"] == "cash_flow"]
    assert math.fsum(cash[cash["variable"] == "cash_flow_discounted_yuan"]["value"]) == pytest.approx(
        float(totals["npv_yuan"]), rel=1e-9)
    assert (df["group"] == "traces").sum() == 8760 * len([v for v in gpdc.open_results(run_file, group="traces")
                                                          .data_vars])


def test_export_of_a_sweep_and_the_errors(tmp_path: Path) -> None:
    sw = tmp_path / "sw.h5"
    gpdc.sweep(DATACENTRE, {"storage.energy_mwh": [0, 240], "wind.capacity_mw": [200, 250]}, out=sw)
    out = tmp_path / "sw.xlsx"
    res = runner.invoke(app, ["export", str(sw), "--xlsx", str(out), "--csv-long", str(tmp_path / "sw.csv")])
    assert res.exit_code == 0, res.output
    rows = sheet(out, "summary")
    head = list(rows[0])
    assert head[:2] == ["group", "variable"] and "storage_energy_mwh" in head and "wind_capacity_mw" in head
    costs = [r for r in rows[1:] if r[1] == "project_cost_yuan"]
    assert len(costs) == 4
    with gpdc.open_results(sw) as ds:
        want = float(ds["project_cost_yuan"].sel(storage_energy_mwh=240, wind_capacity_mw=250))
    got = [r[-3] for r in costs if r[head.index("storage_energy_mwh")] == 240 and r[head.index("wind_capacity_mw")] == 250]
    assert got == [float(f"{want:.16g}")]  # as openpyxl writes it
    res = runner.invoke(app, ["export", str(sw)])
    assert res.exit_code == 2 and "nothing to write" in res.output
