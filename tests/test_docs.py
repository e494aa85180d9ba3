"""Documentation that must agree with the code."""

from __future__ import annotations

from pathlib import Path

from gpdc.results.registry import CASH_FLOW_VARIABLES, LEDGER_VARIABLES, TRACE_VARIABLES, VARIABLES

ROOT = Path(__file__).resolve().parents[1]


def test_generated_pages_are_up_to_date() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_build", ROOT / "docs" / "build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for name, make in build.PAGES.items():
        committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert committed == make(), f"docs/{name} is stale: run python docs/build.py"


def test_metrics_page_lists_every_variable_with_its_unit() -> None:
    text = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    for table in (VARIABLES, TRACE_VARIABLES, CASH_FLOW_VARIABLES, LEDGER_VARIABLES):
        for name, var in table.items():
            assert f"| `{name}` | {var.units} |" in text, name


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```bash") + 1 : lines.index("```bash") + 3]
    run_cmd = block[0].split("#")[0].strip()
    test_cmd = block[1].split("#")[0].strip()
    assert run_cmd.startswith("python -m pip install . && gpdc run scenarios/")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmd in ci


def test_fee_regime_example_page_matches_its_script() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("example", ROOT / "docs" / "example_fee_regimes.py")
    assert spec is not None and spec.loader is not None
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    res = ex.results()
    page = (ROOT / "docs" / "example_fee_regimes.md").read_text(encoding="utf-8")
    assert ex.table(res) in page, "docs/example_fee_regimes.md is stale: run python docs/example_fee_regimes.py"
    assert ex.breakdown(res) in page
    # the pilot exemption saves more per kWh than the 2025 nearby-consumption regime on the same design
    assert res["pilot_exemption"]["savings_yuan_per_mwh"] > res["nearby_consumption_2025"]["savings_yuan_per_mwh"]
    assert (ROOT / "docs" / "img" / "fee_regimes.png").stat().st_size > 10_000
