"""``[[reported]]``: figures reported elsewhere beside gpdc's own; the cement pilot scenario."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import gpdc
from gpdc.cli import app
from gpdc.errors import ScenarioErrors
from gpdc.results import reported
from gpdc.scenario.load import load_scenario

from .conftest import DATACENTRE, ROOT

CEMENT = ROOT / "scenarios" / "xinjiang_cement_pilot.toml"


def flat(text: str) -> str:
    """Output with line wrapping and table rules undone."""
    return " ".join(text.replace("│", " ").split())


def test_cement_pilot_runs_from_its_readme_line_and_prints_the_reported_figures(tmp_path: Path) -> None:
    import re

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    command = re.search(r"`(gpdc run scenarios/xinjiang_cement_pilot\.toml[^`]*)`", readme).group(1).split()
    res = CliRunner().invoke(app, [*command[1:], "--out", str(tmp_path / "c.h5")])
    assert res.exit_code == 0, res.output
    text = flat(res.output)
    assert "Reported figures beside gpdc's" in text
    assert 'reported as "about 0.05 yuan per kWh lower electricity cost"' in text
    assert 'reported as "300-400 yuan per tonne of product"' in text
    ds = gpdc.open_results(tmp_path / "c.h5")
    per_mwh = float(ds["savings_yuan_per_mwh"])
    per_t = float(ds["product_electricity_saving_yuan_per_t"].sel(product="cement"))
    assert bool(ds["compliant"]) and per_mwh > 0
    # per tonne: the saving per MWh consumed times the product's 90 kWh/t
    assert per_t == pytest.approx(per_mwh * 90.0 / 1000.0, rel=1e-12)
    assert f"savings per MWh consumed yuan/MWh 50 {per_mwh:,.4g}" in text
    assert f"300–400 {per_t:,.4g}" in text
    # the reported 300-400 yuan/t at the reported 0.05 yuan/kWh would need 6,000-8,000 kWh per tonne
    assert "at the reported 0.05 yuan/kWh, 6,000–8,000 kWh/t — the product uses 90 kWh/t" in text
    lo, hi = 300.0 / (per_mwh / 1000.0), 400.0 / (per_mwh / 1000.0)
    assert f"it implies {lo:,.0f}–{hi:,.0f} kWh/t" in text
    assert json.loads(ds.attrs["reported_figures"])[0]["metric"] == "savings_yuan_per_mwh"
    ds.close()


def test_comparison_by_hand() -> None:
    c = reported.Comparison("x", "m", "yuan/MWh", 50.0, 50.0, 53.0, "about 0.05", "s")
    assert c.within and c.ratio == pytest.approx(1.06)
    r = reported.Comparison("x", "m", "yuan/t", 300.0, 400.0, 6.0, "300-400", "s")
    assert not r.within and r.ratio == pytest.approx(6.0 / 350.0)
    assert reported.Comparison("x", "m", "u", 300.0, 400.0, 400.0, "", "").within


@pytest.mark.parametrize(("entry", "message"), [
    ({"metric": "savings", "low": 1.0}, "reported[0].metric = 'savings' is invalid: a result variable"),
    ({"metric": "product_electricity_saving_yuan_per_t", "low": 1.0},
     "reported[0].product = None is invalid: product_electricity_saving_yuan_per_t is per product"),
    ({"metric": "savings_yuan_per_mwh", "product": "cement", "low": 1.0},
     "reported[0].product = 'cement' is invalid: savings_yuan_per_mwh is not per product"),
])
def test_an_entry_naming_no_result_is_refused_before_any_work(entry: dict, message: str) -> None:
    sc = load_scenario(CEMENT, overrides={"reported": [{**entry, "as_reported": "x", "source": "y"}]})
    with pytest.raises(ScenarioErrors) as info:
        gpdc.simulate(sc)
    assert message in str(info.value)


def test_schema_checks_the_range_and_the_product_name() -> None:
    with pytest.raises(ScenarioErrors, match=r"high \(1.0\) must be >= low \(2.0\)"):
        load_scenario(CEMENT, overrides={"reported": [{"metric": "savings_yuan_per_mwh", "low": 2.0, "high": 1.0,
                                                       "as_reported": "x", "source": "y"}]})
    with pytest.raises(ScenarioErrors, match="'clinker' is not a \\[\\[products\\]\\] name; names: cement"):
        load_scenario(CEMENT, overrides={"reported": [{"metric": "product_electricity_saving_yuan_per_t",
                                                       "product": "clinker", "low": 1.0, "as_reported": "x",
                                                       "source": "y"}]})


def test_a_scenario_without_reported_figures_prints_no_such_table(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["run", str(DATACENTRE), "--out", str(tmp_path / "d.h5")])
    assert res.exit_code == 0 and "Reported figures" not in res.output
    ds = gpdc.open_results(tmp_path / "d.h5")
    assert "reported_figures" not in ds.attrs and reported.compare(ds) == []
    ds.close()


def test_product_cost_per_tonne_is_the_cost_per_mwh_consumed_times_the_intensity() -> None:
    from gpdc.accounting.costs import product_costs

    out = product_costs({"project_cost_yuan": np.array([100.0, 50.0]), "baseline_cost_yuan": np.array([150.0, 50.0])},
                        {"load_mwh": np.array([10.0, 0.0])}, np.array([200.0, 1000.0]))
    np.testing.assert_allclose(out["product_electricity_cost_yuan_per_t"][0], [2.0, 10.0])
    np.testing.assert_allclose(out["product_electricity_saving_yuan_per_t"][0], [1.0, 5.0])
    assert np.isnan(out["product_electricity_cost_yuan_per_t"][1]).all()  # no load: undefined
