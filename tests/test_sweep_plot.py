"""``gpdc plot``: what a sweep figure shows (dimensions, held values, weather years) and that it is drawn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

import gpdc
from gpdc.cli import app
from gpdc.sweeps.select import sweep_view
from gpdc.sweeps.spec import SweepError

from .conftest import DATACENTRE

runner = CliRunner()


def synthetic(weather: bool = False) -> xr.Dataset:
    """A sweep-shaped Dataset: 3 x 4 x 2 designs (x 3 weather years), a cost and a compliance flag."""
    coords = {"wind_capacity_mw": [100, 150, 200], "storage_energy_mwh": [0.0, 100.0, 200.0, 300.0],
              "grid_import_mw": [120, 140]}
    shape = [3, 4, 2]
    if weather:
        coords["weather_year"] = [0, 1, 2]
        shape.append(3)
    rng = np.random.default_rng(3)
    cost = rng.uniform(1e8, 2e8, size=shape)
    compliant = rng.uniform(size=shape) > 0.3
    ds = xr.Dataset({"project_cost_yuan": (list(coords), cost, {"units": "yuan"}),
                     "compliant": (list(coords), compliant)}, coords=coords)
    ds["wind_capacity_mw"].attrs["field"] = "wind.capacity_mw"
    ds["storage_energy_mwh"].attrs["field"] = "storage.energy_mwh"
    ds["grid_import_mw"].attrs["field"] = "grid.import_mw"
    return ds


def test_free_dimensions_fill_x_y_and_facet_in_order() -> None:
    ds = synthetic()
    v = sweep_view(ds, "project_cost_yuan")
    assert (v.x, v.y, v.facet, v.color) == ("wind_capacity_mw", "storage_energy_mwh", "grid_import_mw", None)
    assert v.values.dims == ("wind_capacity_mw", "storage_energy_mwh", "grid_import_mw")
    np.testing.assert_array_equal(v.values.values, ds["project_cost_yuan"].values)


def test_held_dimensions_by_field_path_and_line_colour() -> None:
    ds = synthetic()
    v = sweep_view(ds, "project_cost_yuan", x="storage.energy_mwh", color="wind_capacity_mw",
                   where=["grid.import_mw=140"])
    assert (v.x, v.y, v.color, v.facet) == ("storage_energy_mwh", None, "wind_capacity_mw", None)
    assert v.fixed == {"grid_import_mw": 140}
    np.testing.assert_array_equal(v.values.values,
                                  ds["project_cost_yuan"].sel(grid_import_mw=140).transpose(
                                      "storage_energy_mwh", "wind_capacity_mw").values)
    np.testing.assert_array_equal(v.compliant.values,
                                  ds["compliant"].sel(grid_import_mw=140).values.T)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"metric": "nope"}, "--metric = 'nope' is invalid: is not a result variable of this sweep; e.g. project_cost_yuan"),
    ({"x": "solar.capacity_mw"}, "--x = 'solar.capacity_mw' is invalid: is not a sweep dimension; dimensions: "
                                 "wind_capacity_mw, storage_energy_mwh, grid_import_mw"),
    ({"where": ["storage_energy_mwh=150"]}, "is not on the sweep grid; values: 0.0, 100.0, 200.0, 300.0"),
    ({"where": ["storage_energy_mwh"]}, "expected DIM=VALUE"),
    ({"x": "wind_capacity_mw", "color": "wind.capacity_mw"}, "names a dimension twice"),
    ({"x": "wind_capacity_mw", "color": "grid_import_mw", "facet": "grid.import_mw"}, "names a dimension twice"),
])
def test_errors_name_the_option_and_what_is_allowed(kwargs: dict, message: str) -> None:
    kwargs = {"metric": "project_cost_yuan", **kwargs}
    with pytest.raises(SweepError, match=None) as info:
        sweep_view(synthetic(), **kwargs)
    assert message in str(info.value)


def test_dimensions_left_over_must_be_held() -> None:
    ds = synthetic().expand_dims(solar_capacity_mw=[0, 50])
    with pytest.raises(SweepError) as info:
        sweep_view(ds, "project_cost_yuan")
    assert "fix the dimensions a figure cannot show: grid_import_mw (values 120, 140)" in str(info.value)


def test_weather_years_are_averaged_and_a_design_complies_only_in_every_year() -> None:
    ds = synthetic(weather=True)
    v = sweep_view(ds, "project_cost_yuan", where=["grid_import_mw=120"])
    assert "weather_year" not in v.values.dims and "mean over 3 weather years" in v.note
    np.testing.assert_allclose(v.values.values, ds["project_cost_yuan"].sel(grid_import_mw=120).mean("weather_year"))
    np.testing.assert_array_equal(v.compliant.values,
                                  ds["compliant"].sel(grid_import_mw=120).all("weather_year").values)
    shown = sweep_view(ds, "project_cost_yuan", x="weather_year", where=["grid_import_mw=120"])
    assert shown.x == "weather_year" and shown.note == ""


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plot") / "sw.h5"
    gpdc.sweep(DATACENTRE, {"wind.capacity_mw": [100, 200], "solar.capacity_mw": [0, 150, 300],
                            "storage.energy_mwh": [0, 240]}, out=out, chunk_size=4)
    return out


def test_plot_command_draws_lines_and_heat_maps_with_the_count_of_breaking_designs(sweep_file: Path) -> None:
    ds = gpdc.open_results(sweep_file)
    assert float(ds["self_use_share"].sel(storage_energy_mwh=240, wind_capacity_mw=200, solar_capacity_mw=300)) > 0
    n_bad = int((~ds["compliant"].sel(storage_energy_mwh=240)).sum())
    ds.close()
    svg = sweep_file.with_name("heat.svg")
    res = runner.invoke(app, ["plot", str(sweep_file), "-m", "green_share_of_load", "--x", "wind.capacity_mw",
                              "--y", "solar_capacity_mw", "--where", "storage.energy_mwh=240", "-o", str(svg)])
    assert res.exit_code == 0, res.output
    text = svg.read_text(encoding="utf-8")
    expected = f"hatched: {n_bad} of 6 designs break a policy rule" if n_bad else "all 6 designs meet every policy rule"
    assert expected in text and "storage_energy_mwh = 240" in text
    png = sweep_file.with_name("lines.png")
    res = runner.invoke(app, ["plot", str(sweep_file), "--x", "solar_capacity_mw", "--color", "storage_energy_mwh",
                              "--facet", "wind_capacity_mw", "-o", str(png)])
    assert res.exit_code == 0, res.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    res = runner.invoke(app, ["plot", str(sweep_file)])  # default: x, y, facet; next to the file
    assert res.exit_code == 0, res.output
    assert sweep_file.with_name("sw-project_cost_yuan.png").exists()


def test_plot_command_errors_come_before_any_drawing(sweep_file: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["plot", str(sweep_file), "--where", "storage_energy_mwh=100", "-o",
                              str(tmp_path / "a.png")])
    assert res.exit_code == 2 and "values: 0, 240" in " ".join(res.output.split())
    res = runner.invoke(app, ["plot", str(sweep_file), "-o", str(tmp_path / "a.tiff")])
    assert res.exit_code == 2 and "format 'tiff' is not supported" in res.output
    res = runner.invoke(app, ["plot", str(tmp_path / "missing.h5")])
    assert res.exit_code == 2 and "does not exist" in res.output
    assert not list(tmp_path.glob("*.png"))
