"""Everyday use (issue 17): each surprise a new user met, reproduced, and what happens now.

Grouped as the issue reports them: text the terminal library ate, silent surprises, user errors
reported as bugs, output that was hard to read, and what was missing.  ``gpdc init`` is tested in
``test_template.py``, ``gpdc plot`` in ``test_sweep_plot.py``, the sample weather files in
``test_examples.py``.
"""

from __future__ import annotations

import io
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
import xarray as xr
from typer.testing import CliRunner

import gpdc
from gpdc import errors
from gpdc.cli import app
from gpdc.cli.app import err, fail
from gpdc.errors import ConsistencyWarning, GpdcError, ScenarioError
from gpdc.scenario.load import load_scenario
from gpdc.sizing.spec import SizingError
from gpdc.sweeps.progress import LogLines, TerminalBar
from gpdc.sweeps.spec import SweepError

from .conftest import DATACENTRE

runner = CliRunner()


def flat(text: str) -> str:
    """Output with line wrapping undone."""
    return " ".join(text.split())


# --------------------------------------------------------------------------- text printed as written

def _commands() -> dict[str, object]:
    group = typer.main.get_command(app)
    return dict(group.commands)  # type: ignore[attr-defined]


def test_every_help_text_keeps_its_square_brackets() -> None:
    """Every ``[...]`` in a command's help or an option's help reaches the screen (rich ate them)."""
    commands = _commands()
    assert {"init", "run", "sweep", "size", "plot", "validate", "profiles", "info"} <= set(commands)
    checked = 0
    for name, cmd in commands.items():
        res = runner.invoke(app, [name, "--help"])
        assert res.exit_code == 0, (name, res.output)
        shown = flat(res.output)
        texts = [cmd.help or ""] + [getattr(p, "help", None) or "" for p in cmd.params]  # type: ignore[attr-defined]
        for text in texts:
            for bracket in re.findall(r"\[[^\]]*\]\]?", text):
                assert flat(bracket) in shown, (name, bracket)
                checked += 1
    assert checked >= 3  # "[sweep]", "[sizing]", "[[products]]"-like texts exist and were checked
    sweep_help = flat(runner.invoke(app, ["sweep", "--help"]).output)
    assert "(its [sweep] table is used too)" in sweep_help
    assert "(its [sizing] table is used too)" in flat(runner.invoke(app, ["size", "--help"]).output)


def _error_classes() -> list[type[GpdcError]]:
    found: list[type[GpdcError]] = []
    todo: list[type[GpdcError]] = [GpdcError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _instance(cls: type[GpdcError], text: str) -> GpdcError:
    if issubclass(cls, errors.ScenarioErrors):
        return cls([ScenarioError("products", "[[products]]", text)])  # type: ignore[call-arg]
    if issubclass(cls, ScenarioError) or issubclass(cls, errors._FieldError):
        return cls("tariff.name", "[[products]]", text)  # type: ignore[call-arg]
    if cls is errors.LPInfeasibleError:
        return cls(text, ["[policy]"])  # type: ignore[call-arg]
    return cls(text)


def test_every_error_class_is_printed_as_written() -> None:
    text = 'see [[products]] and [sizing]; pip install "gpdc[plot]"; range 0:100:0 [MWh]'
    classes = _error_classes()
    assert {errors.ScenarioErrors, errors.ProfileError, errors.InputError, SweepError, SizingError,
            errors.ResultsFileError, errors.LPInfeasibleError} <= set(classes)
    for cls in classes:
        with err.capture() as cap, pytest.raises(typer.Exit) as exit_info:
            fail(_instance(cls, text), debug=False)
        assert exit_info.value.exit_code == 2, cls
        shown = cap.get()
        for piece in ("[[products]]", "[sizing]", '"gpdc[plot]"', "0:100:0", "[MWh]"):
            assert piece in shown, (cls.__name__, piece, shown)


def test_ranges_info_and_traces_at_values_are_printed_whole(tmp_path: Path) -> None:
    res = runner.invoke(app, ["sweep", str(DATACENTRE), "--vary", "wind.capacity_mw=0:100:0", "-o",
                              str(tmp_path / "s.h5")])
    assert res.exit_code == 2 and "wind.capacity_mw = '0:100:0' is invalid: STEP must be > 0" in res.output
    assert "💯" not in res.output
    assert "CBAM sectors ([[products]] sector): aluminium" in flat(runner.invoke(app, ["info"]).output)
    res = runner.invoke(app, ["sweep", str(DATACENTRE), "--vary", "wind.capacity_mw=100,200", "--traces-at",
                              "wind_capacity_mw=150", "-o", str(tmp_path / "s.h5")])
    assert res.exit_code == 2 and "is not on the sweep grid; values: 100, 200" in flat(res.output)


# --------------------------------------------------------------------------- silent surprises

def test_run_with_set_never_replaces_the_base_runs_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    base = runner.invoke(app, ["run", str(DATACENTRE)])
    assert base.exit_code == 0, base.output
    first = (tmp_path / "results" / "inner_mongolia_datacentre.h5").read_bytes()
    varied = runner.invoke(app, ["run", str(DATACENTRE), "--set", "storage.energy_mwh=480"])
    assert varied.exit_code == 0, varied.output
    assert (tmp_path / "results" / "inner_mongolia_datacentre.h5").read_bytes() == first
    other = re.search(r"results written to (\S+-set-[0-9a-f]{8}\.h5)", flat(varied.output))
    assert other is not None
    with xr.open_dataset(tmp_path / other.group(1), engine="h5netcdf") as ds:
        assert "storage.energy_mwh=480" in ds.attrs["scenario_toml"].replace(" ", "") or \
            "energy_mwh=480" in ds.attrs["scenario_toml"].replace(" ", "")


def _load_file(path: Path, mw: float) -> Path:
    t = pd.date_range("2025-01-01", periods=8760, freq="h")
    pd.DataFrame({"time": t.strftime("%Y-%m-%d %H:%M"), "load_mw": np.full(8760, mw)}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("mw", "code", "words"), [
    (120.0, "load_csv_differs", "the file's load is used, [load] is not"),      # 1,051 GWh against 760 GWh stated
    (86_758.0, "load_looks_like_kw", "it looks like kW"),                         # 760 GWh given in kW
    (0.0, "zero_load", "the load is 0 in every hour"),
])
def test_a_load_file_that_disagrees_with_load_is_named(tmp_path: Path, mw: float, code: str, words: str) -> None:
    path = _load_file(tmp_path / "load.csv", mw)
    sc = load_scenario(DATACENTRE, overrides={"profiles.load_csv_path": str(path), "grid.import_mw": 1e5})
    with pytest.warns(ConsistencyWarning) as caught:
        gpdc.simulate(sc)
    messages = [str(w.message) for w in caught]
    hit = [m for m in messages if code in m]
    assert hit and words in hit[0], messages
    silenced = load_scenario(DATACENTRE, overrides={"profiles.load_csv_path": str(path), "grid.import_mw": 1e5,
                                                    "ignore_warnings": [code]})
    import warnings

    with warnings.catch_warnings(record=True) as quiet:
        warnings.simplefilter("always", ConsistencyWarning)
        gpdc.simulate(silenced)
    assert not [w for w in quiet if code in str(w.message)]


@pytest.mark.parametrize(("overrides", "code", "words"), [
    ({"site.province": "ningxia", "site.latitude_deg": 38.5, "site.longitude_deg": -106.6,
      "tariff.name": None, "tariff.tou_schedule": "flat"}, "site_outside_province", "lie outside province 'ningxia'"),
    ({"site.province": "ningxia", "site.latitude_deg": 38.5, "site.longitude_deg": 106.3, "tariff.name": "jiangsu"},
     "tariff_of_other_province", "tariff.name = 'jiangsu' is the tariff of another province"),
    ({"tariff.tou_schedule": "jiangsu_2025"}, "tou_of_other_province", "is not a schedule of province"),
    ({"wind.capacity_mw": 0.0, "solar.capacity_mw": 0.0}, "no_generation", "the project generates nothing"),
])
def test_inputs_that_are_legal_but_probably_wrong_are_warned_about(overrides: dict, code: str, words: str) -> None:
    from gpdc.scenario import tables

    if "tariff.tou_schedule" in overrides and overrides["tariff.tou_schedule"] not in tables.tou_schedule_names():
        overrides = {**overrides, "tariff.tou_schedule": next(
            s for s in tables.tou_schedule_names() if s not in tables.tou_schedules_of("inner_mongolia_west")
            and s != "flat")}
    sc = load_scenario(DATACENTRE, overrides={k: v for k, v in overrides.items() if v is not None})
    with pytest.warns(ConsistencyWarning) as caught:
        gpdc.simulate(sc)
    hit = [str(w.message) for w in caught if code in str(w.message)]
    assert hit and words in hit[0], [str(w.message) for w in caught]
    assert f'ignore_warnings = ["{code}"]' in hit[0]


def test_unknown_keys_are_errors_everywhere(tmp_path: Path) -> None:
    text = DATACENTRE.read_text(encoding="utf-8")
    bad_sizing = tmp_path / "s.toml"
    bad_sizing.write_text(text.replace("[sizing]\n", '[sizing]\nobjectiv = "lcoe_yuan_per_mwh"\n', 1), encoding="utf-8")
    res = runner.invoke(app, ["size", str(bad_sizing), "-o", str(tmp_path / "s.h5")])
    assert res.exit_code == 2 and "sizing.objectiv = 'lcoe_yuan_per_mwh' is invalid: unknown key" in flat(res.output)
    assert not (tmp_path / "s.h5").exists()
    res = runner.invoke(app, ["validate", str(DATACENTRE), "--set", "site.latitude=40"])
    assert res.exit_code == 2 and "site.latitude = 40 is invalid: unknown field" in flat(res.output)
    assert "latitude_deg" in res.output


def test_an_unwritable_output_is_refused_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gpdc.runs

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated before checking the output path")

    monkeypatch.setattr(gpdc.runs, "run_scenario", no_work)
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    res = runner.invoke(app, ["run", str(DATACENTRE), "-o", str(blocker / "r.h5")])
    assert res.exit_code == 2 and "Traceback" not in res.output and str(blocker) in flat(res.output)
    res = runner.invoke(app, ["run", str(DATACENTRE), "-o", str(tmp_path / "r.h5"), "--plot", str(blocker / "p.png")])
    assert res.exit_code == 2 and "internal error" not in res.output


def test_an_off_grid_traces_at_is_refused_before_the_sweep(tmp_path: Path) -> None:
    out = tmp_path / "s.h5"
    res = runner.invoke(app, ["sweep", str(DATACENTRE), "--vary", "storage.energy_mwh=0,240", "--traces-at",
                              "storage.energy_mwh=100", "-o", str(out)])
    assert res.exit_code == 2 and "values: 0, 240" in flat(res.output)
    assert not out.exists()


# --------------------------------------------------------------------------- user errors are not bugs

def test_set_without_equals_is_a_user_error() -> None:
    res = runner.invoke(app, ["run", str(DATACENTRE), "--set", "storage.energy_mwh"])
    assert res.exit_code == 2
    assert "--set 'storage.energy_mwh' is invalid: expected FIELD=VALUE" in flat(res.output)
    assert "internal error" not in res.output and "bug" not in res.output


# --------------------------------------------------------------------------- readable output

def test_sizing_ranks_distinct_designs_and_prints_margins_in_points(tmp_path: Path) -> None:
    res = runner.invoke(app, ["size", str(DATACENTRE), "--var", "wind.capacity_mw=150:250:50",
                              "--var", "solar.capacity_mw=0:200:100", "--var", "storage.power_mw=0:30:30",
                              "--var", "storage.duration_h=1:3:1", "--top", "10", "-o", str(tmp_path / "s.h5")])
    assert res.exit_code == 0, res.output
    text = flat(res.output)
    margins = re.findall(r"([+-]?\d+\.\d) pp", text)
    assert len(margins) == 4, text  # three policy rules and a target, in percentage points (once +0.0927)
    assert "-0.0 pp" not in text and "duration h" in text and "wind MW" in text
    with xr.open_dataset(tmp_path / "s.h5", engine="h5netcdf") as ds:
        sizes = np.stack([ds["wind_capacity_mw"].values, ds["solar_capacity_mw"].values,
                          ds["storage_power_mw"].values, ds["storage_energy_mwh"].values], axis=1)
        assert ds["storage_energy_mwh"].attrs["field"] == "storage.energy_mwh"
    rows = {tuple(r) for r in sizes}
    assert len(rows) == len(sizes) == 10  # storage 0 MW at durations 1-3 h is one design, listed once
    assert sum(1 for r in rows if r[2] == 0.0) <= 6  # one per wind x solar, not three


def test_progress_lines_in_a_log_say_what_is_done_and_what_is_left() -> None:
    now = [0.0]
    stream = io.StringIO()
    p = LogLines(total_chunks=10, done_chunks=0, total_designs=1000, stream=stream, clock=lambda: now[0])
    for _ in range(4):
        now[0] += 3.0
        p.advance(100)
    now[0] += 3.0
    p.advance(100)
    lines = stream.getvalue().splitlines()
    assert lines == ["sweep: 4 of 10 chunks (40%), 400 designs in 0:00:12 (33 designs/s), about 0:00:18 left"]
    for _ in range(5):
        now[0] += 3.0
        p.advance(100)
    p.close()
    last = stream.getvalue().splitlines()[-1]
    assert last == "sweep: 10 of 10 chunks (100%), 1,000 designs in 0:00:30 (33 designs/s) — done"


def test_the_terminal_bar_labels_its_times() -> None:
    from rich.console import Console

    bar = TerminalBar(total_chunks=4, done_chunks=1, total_designs=40)
    bar.advance(10)
    screen = Console(width=200, record=True, markup=False, file=io.StringIO())
    screen.print(bar.bar.make_tasks_table(bar.bar.tasks))
    bar.close()
    line = flat(screen.export_text())
    assert "2/4 chunks" in line and "designs/s" in line
    assert re.search(r"elapsed \d:\d\d:\d\d · (\d:\d\d:\d\d|-:--:--) left", line), line


def test_a_zipped_dimension_is_summarised_by_its_field_values(tmp_path: Path) -> None:
    res = runner.invoke(app, ["sweep", str(DATACENTRE), "--vary", "wind.capacity_mw=150,200", "--zip",
                              "battery storage.power_mw=30,60 grid.import_mw=120,130", "-o", str(tmp_path / "z.h5")])
    assert res.exit_code == 0, res.output
    text = flat(res.output)
    # the zipped dimension's label comes with the field values it stands for
    assert "battery=1 (grid.import_mw=130, storage.power_mw=60)" in text


# --------------------------------------------------------------------------- what was missing

def test_version() -> None:
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.strip() == f"gpdc {gpdc.__version__}"


def test_save_best_reproduces_the_best_design_exactly(tmp_path: Path) -> None:
    best = tmp_path / "b.toml"
    res = runner.invoke(app, ["size", str(DATACENTRE), "--var", "wind.capacity_mw=150:250:50",
                              "--var", "solar.capacity_mw=0:200:100", "--var", "storage.power_mw=0:30:30",
                              "--top", "3", "-o", str(tmp_path / "s.h5"), "--save-best", str(best),
                              "--save-top", "2", str(tmp_path / "top")])
    assert res.exit_code == 0, res.output
    with xr.open_dataset(tmp_path / "s.h5", engine="h5netcdf") as ranked:
        first = ranked.isel(rank=0).load()
    again = gpdc.simulate(best).totals
    for name in ("project_cost_yuan", "self_use_share", "green_share_of_load", "export_share"):
        assert float(again[name]) == float(first[name]), name
    assert tomllib.loads(best.read_text(encoding="utf-8"))["wind"]["capacity_mw"] == float(first["wind_capacity_mw"])
    assert sorted(p.name for p in (tmp_path / "top").iterdir()) == [
        "inner_mongolia_datacentre_rank01.toml", "inner_mongolia_datacentre_rank02.toml"]
    assert (tmp_path / "top" / "inner_mongolia_datacentre_rank01.toml").read_text(encoding="utf-8").split(
        "\n", 1)[1] == best.read_text(encoding="utf-8").split("\n", 1)[1]


def test_sweep_dimensions_are_python_identifiers(tmp_path: Path) -> None:
    ds = gpdc.sweep(DATACENTRE, {"storage.energy_mwh": [0, 240], "wind.capacity_mw": [150, 200]},
                    out=tmp_path / "s.h5")
    assert set(ds.dims) >= {"storage_energy_mwh", "wind_capacity_mw"}
    assert ds["storage_energy_mwh"].attrs["field"] == "storage.energy_mwh"
    one = ds.sel(storage_energy_mwh=240)
    assert one["self_use_share"].dims == ("wind_capacity_mw",)
    assert ds.storage_energy_mwh.values.tolist() == [0, 240]  # attribute access
    frame = ds["self_use_share"].to_dataframe().reset_index()
    assert len(frame.query("storage_energy_mwh == 240 and wind_capacity_mw == 200")) == 1
    reopened = gpdc.open_results(tmp_path / "s.h5")
    assert float(reopened["self_use_share"].sel(storage_energy_mwh=240, wind_capacity_mw=200)) == \
        float(one["self_use_share"].sel(wind_capacity_mw=200))
    reopened.close()


def test_python_errors_name_keywords_and_the_shell_names_options(tmp_path: Path) -> None:
    out = tmp_path / "s.h5"
    gpdc.sweep(DATACENTRE, {"storage.energy_mwh": [0, 240]}, out=out)
    with pytest.raises(GpdcError, match=r"pass overwrite=True to replace it, or choose another out path"):
        gpdc.sweep(DATACENTRE, {"storage.energy_mwh": [0, 120, 240]}, out=out)
    res = runner.invoke(app, ["sweep", str(DATACENTRE), "--vary", "storage.energy_mwh=0,120,240", "-o", str(out)])
    assert res.exit_code == 2 and "pass --overwrite to replace it, or choose another --out" in flat(res.output)
