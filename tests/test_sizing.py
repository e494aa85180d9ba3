"""Sizing: specification errors, optimality on the variables' grid, constraints met in the simulator."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gpdc import simulate
from gpdc.cli import app
from gpdc.scenario.load import load_scenario
from gpdc.sizing import SizingSpec, parse_target, size, spec_from
from gpdc.sizing.search import Evaluator
from gpdc.sizing.spec import SizingError

from .conftest import ALUMINIUM, DATACENTRE


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"variables": ["wind.capacity_kw=0:10:1"]}, "is not a size gpdc can decide"),
    ({"variables": ["wind.capacity_mw=10:0:1"]}, "needs 0 <= LOW <= HIGH and STEP > 0"),
    ({"variables": ["wind.capacity_mw=0:100"]}, "LOW:HIGH:STEP"),
    ({"variables": ["storage.duration_h=1:4:1"]}, "needs storage.power_mw as a variable too"),
    ({"variables": ["wind.capacity_mw=0:100:10"], "targets": ["green_share >= 0.5"]}, "unknown result variable 'green_share'"),
    ({"variables": ["wind.capacity_mw=0:100:10"], "targets": ["green_share_of_load = 0.5"]}, "METRIC >= VALUE"),
    ({"variables": ["wind.capacity_mw=0:100:10"], "objective": "npv_yuan"}, "cannot be minimised"),
    ({}, "decides nothing"),
])
def test_spec_errors_say_what_is_wrong(kwargs: dict, message: str) -> None:
    with pytest.raises(SizingError, match=message):
        spec_from(**kwargs)


def test_target_margins() -> None:
    t = parse_target("curtailment_rate <= 0.1")
    assert t.margin(0.08) == pytest.approx(0.02) and t.margin(0.15) < 0
    assert parse_target("green_share_of_load>=0.5").margin(0.55) == pytest.approx(0.05)


@pytest.fixture(scope="module")
def dc():  # noqa: ANN201
    return load_scenario(DATACENTRE)


def test_search_finds_the_exhaustive_optimum_on_the_grid(dc) -> None:  # noqa: ANN001
    spec = spec_from(variables=["wind.capacity_mw=0:400:20", "solar.capacity_mw=0:300:20"],
                     targets=["curtailment_rate <= 0.1", "green_share_of_load >= 0.55"])
    res = size(dc, spec, coarse_budget=16)  # a coarse pass of 4 x 4: refinement must do the rest
    # every design of the 21 x 16 grid, evaluated independently
    ev = Evaluator(dc, spec)
    grid = np.array(list(itertools.product(np.arange(0, 401, 20.0), np.arange(0, 301, 20.0))))
    rows = ev(grid)
    assert ev.data is not None
    feas = ev.data.feasible[rows]
    best = rows[feas][np.argmin(ev.data.objective[rows][feas])]
    assert res.feasible
    assert res.evaluated.objective[res.best_row] == pytest.approx(ev.data.objective[best], rel=1e-12)
    assert res.n_runs < len(grid)  # and it did not simply try them all


def test_sized_design_meets_every_constraint_in_the_simulator(dc) -> None:  # noqa: ANN001
    spec = spec_from(variables=["wind.capacity_mw=0:500:10", "solar.capacity_mw=0:400:10",
                                "storage.power_mw=0:150:10", "storage.duration_h=1:6:1"],
                     targets=["curtailment_rate <= 0.1", "green_share_of_load >= 0.6"])
    res = size(dc, spec)
    assert res.feasible
    totals = simulate(res.scenario()).totals
    assert bool(totals["compliant"])
    assert float(totals["curtailment_rate"]) <= 0.1 and float(totals["green_share_of_load"]) >= 0.6
    assert float(totals["project_cost_yuan"]) == res.evaluated.objective[res.best_row]
    d = res.design()
    assert d["storage.energy_mwh"] == d["storage.power_mw"] * d["storage.duration_h"]
    # no feasible neighbour on the variables' grid is cheaper
    ev = Evaluator(dc, spec)
    x0 = res.evaluated.x[res.best_row]
    steps = np.array([v.step for v in spec.variables])
    nb = np.array([[v.snap(c) for v, c in zip(spec.variables, x0 + np.array(m) * steps, strict=True)]
                   for m in itertools.product((-1, 0, 1), repeat=4)])
    rows = ev(nb)
    assert ev.data is not None
    cheaper = ev.data.feasible[rows] & (ev.data.objective[rows] < res.evaluated.objective[res.best_row] * (1 - 1e-12))
    assert not cheaper.any()
    # the ranking: best first, all feasible, objective non-decreasing
    obj = res.evaluated.objective[res.ranked_rows]
    assert res.ranked_rows[0] == res.best_row and (np.diff(obj) >= 0).all() and res.evaluated.feasible[res.ranked_rows].all()


def test_pareto_frontier_is_not_dominated(dc) -> None:  # noqa: ANN001
    spec = spec_from(variables=["wind.capacity_mw=0:400:25", "solar.capacity_mw=0:300:25", "storage.power_mw=0:100:25"])
    res = size(dc, spec, coarse_budget=2000)
    front = res.pareto()
    ev = res.evaluated
    gs, cost = ev.metrics["green_share_of_load"], ev.objective
    assert len(front) >= 3
    assert (np.diff(gs[front]) > 0).all() and (np.diff(cost[front]) > 0).all()
    ok = np.ones(len(cost), dtype=bool)
    for name in res.constraints:
        if "green share" not in name:
            ok &= ev.margins[name] >= -1e-12
    for r in front:
        dominated = ok & (gs >= gs[r]) & (cost < cost[r] - 1e-6)
        assert not dominated.any()


def test_infeasible_study_says_which_constraint_fails(dc, tmp_path: Path) -> None:  # noqa: ANN001
    spec = spec_from(variables=["wind.capacity_mw=0:100:10", "solar.capacity_mw=0:100:10"],
                     targets=["green_share_of_load >= 0.9"])
    res = size(dc, spec)
    assert not res.feasible
    failing = [n for n, m, _ in res.binding() if m < 0]
    assert any("green_share_of_load >= 0.9" in n for n in failing)
    r = CliRunner().invoke(app, ["size", str(DATACENTRE), "--var", "wind.capacity_mw=0:100:10", "--var",
                                 "solar.capacity_mw=0:100:10", "--target", "green_share_of_load>=0.9",
                                 "-o", str(tmp_path / "x.h5")])
    assert r.exit_code == 0, r.output
    text = flat(r.output)
    assert "no design meets every constraint" in text and "violated" in text


def test_weather_robust_sizing_reports_the_share_of_compliant_years(tmp_path: Path) -> None:
    base = load_scenario(ALUMINIUM, overrides={"profiles.ensemble_size": 3})
    spec = spec_from(variables=["wind.capacity_mw=100:500:20", "solar.capacity_mw=0:400:20"],
                     targets=["green_share_of_load >= 0.45"], min_compliance_share=1.0)
    res = size(base, spec, coarse_budget=400)
    assert res.members == [0, 1, 2] and res.feasible
    assert res.evaluated.compliance_share[res.best_row] == 1.0
    # every year of the chosen design meets the target in the simulator
    from gpdc.pipeline import build_profiles

    sc = res.scenario()
    for m in res.members:
        t = simulate(sc, profiles=build_profiles(sc, m)).totals
        assert float(t["green_share_of_load"]) >= 0.45 and bool(t["compliant"])


def test_cli_uses_the_sizing_table_and_writes_results(tmp_path: Path) -> None:
    out = tmp_path / "s.h5"
    r = CliRunner().invoke(app, ["size", str(DATACENTRE), "--top", "3", "-o", str(out), "--plot", str(tmp_path / "s.png")])
    assert r.exit_code == 0, r.output
    text = flat(r.output)
    assert "best design" in text and "top 3 designs" in text and "curtailment_rate <= 0.1 (target)" in text
    import xarray as xr

    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.sizes["rank"] == 3 and bool(ds["feasible"].all())
        assert ds["project_cost_yuan"].attrs["units"] == "yuan"
    with xr.open_dataset(out, engine="h5netcdf", group="pareto") as p:
        assert p.sizes["point"] >= 1
    assert (tmp_path / "s.png").stat().st_size > 10_000
    bad = CliRunner().invoke(app, ["size", str(DATACENTRE), "--var", "wind.capacity_mw=0:-5:1"])
    assert bad.exit_code == 2 and "wind.capacity_mw" in bad.output and "Traceback" not in bad.output


def test_spec_is_a_value_object() -> None:
    s = spec_from(variables=["wind.capacity_mw=0:100:10"])
    assert isinstance(s, SizingSpec) and s.variables[0].n == 11 and s.variables[0].snap(47) == 50.0
