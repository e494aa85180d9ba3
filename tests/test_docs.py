"""Documentation that must agree with the code."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_sources_page_is_up_to_date_and_claims_nothing_unseen() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_sources", ROOT / "docs" / "sources.py")
    assert spec is not None and spec.loader is not None
    sources = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sources)
    text = sources.page()
    assert (ROOT / "docs" / "sources.md").read_text(encoding="utf-8") == text, (
        "docs/sources.md is stale: run python docs/sources.py")
    # the old labels called second-hand figures verified; none is left, on the page or in a table
    assert "VERIFIED" not in text
    for name in ("inner_mongolia_datacentre.toml", "xinjiang_aluminium.toml"):
        assert f"## `scenarios/{name}`" in text
    # every figure of both ready scenarios is listed with a level, e.g. the energy price of each
    assert "| `energy_price_yuan_per_mwh` | 312.6 | yuan/MWh | derived | 2026-03 |" in text
    assert "| `energy_price_yuan_per_mwh` | 250 | yuan/MWh | recalled | 2019 |" in text
    assert "| `td_energy_yuan_per_mwh` | 80.8 | yuan/MWh | quoted from a copy | 2026-08-01 |" in text


def readme_commands() -> list[str]:
    """The ``gpdc`` commands of the README's "Using it" block, continuation lines joined, comments cut."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Using it", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands, current = [], ""
    for line in block.splitlines():
        code = line.split("  #", 1)[0].rstrip()
        if not code.strip():
            continue
        current += " " + code.strip().rstrip("\\").strip()
        if not code.endswith("\\"):
            commands.append(current.strip())
            current = ""
    return commands


#: what makes a README command small enough for the test suite (the command is otherwise run as written)
TINY = {
    "profiles.ensemble_size=20": "profiles.ensemble_size=3",
    "storage.energy_mwh=0:800:50": "storage.energy_mwh=0:800:400",
    "solar.capacity_mw=0:300:25": "solar.capacity_mw=0:300:150",
}


def test_every_readme_command_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex

    from typer.testing import CliRunner

    from gpdc.cli import app

    commands = readme_commands()
    assert len(commands) >= 12 and all(c.startswith("gpdc ") for c in commands), commands
    for sub in ("init", "run", "sweep", "size", "plot", "validate", "profiles", "info"):
        assert any(c.split()[1] == sub for c in commands), sub
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for command in commands:
        for big, small in TINY.items():
            command = command.replace(big, small)
        res = runner.invoke(app, shlex.split(command)[1:])
        assert res.exit_code == 0, f"{command}\n{res.output}"
        assert "Traceback" not in res.output and "internal error" not in res.output
    for made in ("totals.csv", "dispatch.png", "profiles.png", "best.toml", "my_project.toml",
                 "results/inner_mongolia_datacentre_sweep.h5", "results/inner_mongolia_datacentre_sweep-self_use_share.png"):
        assert (tmp_path / made).exists(), made
