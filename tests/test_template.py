"""``gpdc init``: a new scenario per province that validates and runs as written, with its sources."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpdc import load_scenario, simulate
from gpdc.cli import app
from gpdc.errors import InputError
from gpdc.profiles.climate import site_row
from gpdc.scenario import tables
from gpdc.template import ProjectOptions, new_scenario, scenario_text

runner = CliRunner()


@pytest.mark.parametrize("province", tables.province_keys())
def test_every_province_gets_a_scenario_that_runs(tmp_path: Path, province: str) -> None:
    path = new_scenario(tmp_path / f"{province}.toml", ProjectOptions(province=province, storage_mw=10.0))
    sc = load_scenario(path)
    assert sc.site.province == province
    result = simulate(sc)
    t = result.totals
    # the sizes written by init: each plant's expected generation is half the consumption
    available = float(t["gen_avail_mwh"])
    assert available == pytest.approx(100_000.0, rel=0.02)
    assert float(t["load_mwh"]) == pytest.approx(100_000.0, rel=1e-9)
    # the energy balance of the user holds for the written project
    served = (float(t["self_used_mwh"]) + float(t["discharge_grid_mwh"]) + float(t["import_mwh"])
              - float(t["charge_grid_mwh"]))
    assert served + float(t["unserved_mwh"]) == pytest.approx(float(t["load_mwh"]), rel=1e-9)


def test_the_file_names_the_source_of_each_number_from_the_tables() -> None:
    text = scenario_text(ProjectOptions(province="gansu", wind_mw=80.0, solar_mw=0.0))
    data = tomllib.loads(text)
    assert data["wind"]["capacity_mw"] == 80.0 and data["solar"]["capacity_mw"] == 0.0
    row = site_row("gansu", "wind_full_load_hours_h")
    assert data["wind"]["full_load_hours_h"] == float(row["value"])
    line = next(ln for ln in text.splitlines() if ln.startswith("full_load_hours_h") and "wind" not in ln)
    assert "site_resources.csv" in line
    basis_line = next(ln for ln in text.splitlines() if ln.startswith("basis ="))
    factor = tables.emission_factor(data["emissions"]["basis"], tables.province("gansu").emission_regional_grid
                                    if data["emissions"]["basis"] == "regional"
                                    else tables.province("gansu").emission_region, data["emissions"]["factor_year"])
    assert f"{factor.value} t CO2/MWh" in basis_line and factor.confidence in basis_line


def test_init_on_the_command_line_refuses_to_overwrite_and_names_bad_options(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    res = runner.invoke(app, ["init", str(path), "--province", "jiangsu", "--load", "three_shift_factory", "--annual-mwh", "5e4"])
    assert res.exit_code == 0, res.output
    assert "next: gpdc validate" in " ".join(res.output.split())
    assert tomllib.loads(path.read_text(encoding="utf-8"))["load"]["annual_mwh"] == 50_000.0
    before = path.read_bytes()
    res = runner.invoke(app, ["init", str(path), "--province", "jiangsu"])
    assert res.exit_code == 2 and "--overwrite" in res.output and "Traceback" not in res.output
    assert path.read_bytes() == before
    res = runner.invoke(app, ["init", str(tmp_path / "q.toml"), "--province", "hainan"])
    assert res.exit_code == 2 and "--province 'hainan' is invalid" in " ".join(res.output.split())
    assert "jiangsu" in res.output
    res = runner.invoke(app, ["init", str(tmp_path / "q.toml"), "--province", "jiangsu", "--wind-mw", "-5"])
    assert res.exit_code == 2 and "--wind-mw = -5.0 is invalid" in " ".join(res.output.split())
    res = runner.invoke(app, ["init", str(tmp_path / "q.toml")])  # no terminal: no prompt, a clear error
    assert res.exit_code == 2 and "--province is required" in res.output
    assert not (tmp_path / "q.toml").exists()
    res = runner.invoke(app, ["validate", str(path)])
    assert res.exit_code == 0, res.output


def test_unknown_options_are_errors_named_as_python_spells_them(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="archetype 'bakery' is invalid: must be one of cement, data_centre"):
        scenario_text(ProjectOptions(province="gansu", archetype="bakery"))
    with pytest.raises(InputError, match="fee_regime 'none' is invalid"):
        scenario_text(ProjectOptions(province="gansu", fee_regime="none"))
    path = new_scenario(tmp_path / "a.toml", ProjectOptions(province="gansu"))
    runner.invoke(app, ["init", str(path), "--province", "gansu"])  # the command line's spelling ends with it
    with pytest.raises(InputError, match="pass overwrite=True to replace it"):
        new_scenario(path, ProjectOptions(province="gansu"))
