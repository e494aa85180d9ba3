"""The HTML report: sections and figures, its numbers against the results file's, offline, and in headless Chromium.

The reports of both ready scenarios and of a sizing study (and of a small sweep) are rendered
once per module.  The datacentre's run file has its traces and cash flow (``gpdc run --traces
--ledger``); the aluminium's has neither (``gpdc.write_results`` of the totals alone), so its
report computes them again from the recorded scenario, checked against the file's input hash.
The browser tests need the operating system's Chromium (``.ci/run`` installs it); where none can
be found they are skipped, saying so.
"""

from __future__ import annotations

import math
import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

import gpdc
from gpdc.cli import app
from gpdc.errors import ConsistencyWarning, ReportError
from gpdc.report import tables
from gpdc.report.browser import find_chromium, open_page
from gpdc.report.data import load
from gpdc.report.html import RUN_FIGURES, RUN_SECTIONS, render, write_html

from .conftest import ALUMINIUM, DATACENTRE, ROOT

runner = CliRunner()


class Marked(HTMLParser):
    """Every element with ``data-var``: its attributes and text; and the ids of sections and figures, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.marked: list[tuple[dict[str, str], str]] = []
        self.sections: list[str] = []
        self.figures: list[str] = []
        self._open: list[tuple[str, dict[str, str], list[str]]] = []
        self.tags: set[str] = set()
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        if tag == "meta":
            self.meta[a.get("http-equiv") or a.get("name") or a.get("charset", "")] = a.get("content", "")
        if tag == "section" and "id" in a:
            self.sections.append(a["id"])
        if tag == "figure" and "id" in a:
            self.figures.append(a["id"])
        if "data-var" in a:
            self._open.append((tag, a, []))

    def handle_data(self, data: str) -> None:
        for _, _, text in self._open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, a, text = self._open.pop()
            self.marked.append((a, "".join(text).strip()))


def parse(text: str) -> Marked:
    p = Marked()
    p.feed(text)
    return p


def shown_matches(text: str, value: float, unit: str) -> bool:
    """The number a reader sees agrees with the exact value to the precision shown."""
    if text in ("yes", "no", "PASS", "FAIL") or text.startswith(("Meets every rule", "Does not meet")):
        return (value > 0.5) == (text in ("yes", "PASS") or text.startswith("Meets"))
    if text == "—":
        return math.isnan(value)
    m = re.match(r"^([+-]?[\d,]*\.?\d+)(e[+-]\d+)?\s*(.*)$", text.replace("−", "-"))
    assert m, text
    number, rest = float(m.group(1).replace(",", "") + (m.group(2) or "")), m.group(3)
    decimals = len(m.group(1).split(".")[1]) if "." in m.group(1) else 0
    if m.group(2):
        decimals -= int(m.group(2)[1:])
    scale = 1.0
    if rest.startswith(("%", "pp")):
        scale = 100.0
    elif rest.startswith("M "):
        scale = 1e-6
    elif rest == "" and unit == "yuan":  # the cash-flow table: M yuan in its header
        scale = 1e-6
    return abs(value * scale - number) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9) + 1e-12


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    with warnings.catch_warnings():  # the ready scenarios' plausibility warnings, tested elsewhere
        warnings.simplefilter("ignore", ConsistencyWarning)
        return _files(tmp_path_factory)


def _files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    out = {}
    dc = folder / "dc.h5"
    res = runner.invoke(app, ["run", str(DATACENTRE), "--out", str(dc), "--traces", "--ledger", str(folder / "l.csv")])
    assert res.exit_code == 0, res.output
    out["datacentre"] = dc
    al = folder / "al.h5"
    result = gpdc.simulate(ALUMINIUM)
    gpdc.write_results(al, result.totals)  # totals only: the report computes traces and cash flow again
    out["aluminium"] = al
    from gpdc.io.hdf5 import write_groups

    sized = gpdc.size(gpdc.load_scenario(DATACENTRE), variables=[
        "wind.capacity_mw=100:300:50", "solar.capacity_mw=0:300:100", "storage.power_mw=0:120:60",
        "storage.duration_h=2:4:2"], top=5)
    out["sizing"] = write_groups(folder / "size.h5", sized.datasets())
    out["sweep"] = folder / "sweep.h5"
    gpdc.sweep(DATACENTRE, {"storage.energy_mwh": [0, 200, 400], "wind.capacity_mw": [150, 250]}, out=out["sweep"])
    return out


@pytest.fixture(scope="module")
def loaded(files: dict[str, Path]) -> dict[str, object]:
    return {name: load(path, designs=3) for name, path in files.items()}


@pytest.fixture(scope="module")
def reports(loaded: dict[str, object], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("html")
    return {name: write_html(folder / f"{name}.html", render(data)) for name, data in loaded.items()}  # type: ignore[arg-type]


RUNS = ("datacentre", "aluminium")


def test_run_report_has_every_section_and_figure_in_order(reports: dict[str, Path]) -> None:
    for name in RUNS:
        p = parse(reports[name].read_text(encoding="utf-8"))
        assert p.sections == [sid for sid, _ in RUN_SECTIONS], name
        assert p.figures == [fid for fid, _ in RUN_FIGURES], name


def _file_value(var: str, index: str | None, totals: xr.Dataset, cash: xr.Dataset) -> float:
    if "." in var:  # a scenario field: as the file records the scenario
        import tomllib

        section, field = var.split(".")
        return float(tomllib.loads(str(totals.attrs["scenario_toml"]))[section][field])
    if var in cash.data_vars:
        return float(cash[var].sel(project_year=int(index or 0)).values)
    da = totals[var]
    if "product" in da.dims:
        return float(da.sel(product=index).values)
    return float(da.values)


def test_run_report_numbers_equal_the_results_files(files: dict[str, Path], loaded: dict[str, object],
                                                    reports: dict[str, Path]) -> None:
    for name in RUNS:
        with xr.open_dataset(files[name], engine="h5netcdf") as ds:
            totals = ds.load()
        cash = loaded[name].cash_flow  # type: ignore[attr-defined] # the file's group, or computed again (aluminium)
        if name == "datacentre":
            with xr.open_dataset(files[name], engine="h5netcdf", group="cash_flow") as ds:
                xr.testing.assert_identical(ds.load(), cash)
        p = parse(reports[name].read_text(encoding="utf-8"))
        checked: set[str] = set()
        monthly: dict[str, float] = {}
        for a, text in p.marked:
            var, value = a["data-var"], float(a["data-value"])
            if var.startswith("monthly:"):
                monthly[var[8:]] = monthly.get(var[8:], 0.0) + value
                continue
            want = _file_value(var, a.get("data-index"), totals, cash)
            assert value == want or (math.isnan(value) and math.isnan(want)), (name, var, value, want)
            unit = a.get("data-unit", "")
            if a.get("data-sign") == "-1":
                value = -value
            assert shown_matches(text, value, unit), (name, var, text, value)
            checked.add(var)
        # every total the verdict, bill, finance and emissions sections show is marked and checked
        for must in ("compliant", "self_use_share", "green_share_of_load", "export_share", "self_use_margin",
                     "green_share_margin", "export_margin", "baseline_cost_yuan", "project_cost_yuan", "npv_yuan",
                     "irr_frac", "discounted_payback_years", "lcoe_yuan_per_mwh", "avoided_co2_t",
                     "coal_saved_tce", "gec_count", "capex_yuan", "cash_flow_yuan", "cash_flow_discounted_yuan"):
            assert must in checked, (name, must)
        # the monthly table adds up to the file's annual totals
        for column, _, _, total in tables.MONTHLY:
            want = sum(float(totals[v].values) for v in (
                [total] if total else ["curtail_line_mwh", "curtail_bus_mwh"]))
            assert monthly[column] == pytest.approx(want, rel=1e-9, abs=1e-6), (name, column)


def test_bill_parts_add_up_to_the_costs_and_the_cash_flow_to_the_npv(files: dict[str, Path],
                                                                     reports: dict[str, Path]) -> None:
    for name in RUNS:
        p = parse(reports[name].read_text(encoding="utf-8"))
        with xr.open_dataset(files[name], engine="h5netcdf") as ds:
            totals = ds.load()
        signed = [float(a["data-sign"]) * float(a["data-value"]) for a, _ in p.marked if "data-sign" in a]
        assert len(signed) == len(tables.BILL_WITH)
        assert math.fsum(signed) == pytest.approx(float(totals["project_cost_yuan"]), rel=1e-12)
        without = [float(a["data-value"]) for a, _ in p.marked if a["data-var"] in dict(tables.BILL_WITHOUT).values()]
        assert math.fsum(without) == pytest.approx(float(totals["baseline_cost_yuan"]), rel=1e-12)
        disc = [float(a["data-value"]) for a, _ in p.marked if a["data-var"] == "cash_flow_discounted_yuan"]
        assert math.fsum(disc) == pytest.approx(float(totals["npv_yuan"]), rel=1e-9)


def test_reports_are_self_contained(reports: dict[str, Path]) -> None:
    for name, path in reports.items():
        text = path.read_text(encoding="utf-8")
        p = parse(text)
        assert "script" not in p.tags and "link" not in p.tags and "iframe" not in p.tags, name
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text, re.IGNORECASE), name
        assert "@import" not in text and "url(http" not in text, name
        assert p.meta["Content-Security-Policy"].startswith("default-src 'none';"), name
        assert "@media print" in text and "width=device-width" in p.meta["viewport"], name
        assert p.figures and text.count("<svg") >= len(p.figures), name


def test_sweep_report_lists_chosen_designs_from_the_file(files: dict[str, Path], reports: dict[str, Path]) -> None:
    p = parse(reports["sweep"].read_text(encoding="utf-8"))
    assert p.sections[:3] == ["overview", "compliance", "chosen"]
    assert p.sections[3:] == [f"design-{sid}" for sid, _ in RUN_SECTIONS]
    assert "fig-compliance" in p.figures and "design-fig-tornado" in p.figures
    with gpdc.open_results(files["sweep"]) as ds:
        cost = ds["project_cost_yuan"].load()
        comp = ds["compliant"].load()
    shown = [float(a["data-value"]) for a, _ in p.marked if a["data-var"] == "project_cost_yuan"
             and a.get("data-index") is not None]
    best = np.sort(cost.values[comp.values.astype(bool)])[:3]
    assert shown[:3] == best.tolist()


def test_sizing_report_ranks_binds_and_draws_the_frontier(files: dict[str, Path], reports: dict[str, Path]) -> None:
    p = parse(reports["sizing"].read_text(encoding="utf-8"))
    assert p.sections[:4] == ["sizing", "ranked", "binding", "pareto"]
    assert p.sections[4:] == [f"design-{sid}" for sid, _ in RUN_SECTIONS]
    assert "fig-pareto" in p.figures
    groups = {g: gpdc.open_results(files["sizing"], group=g).load() for g in (None, "pareto")}
    n = 0
    for a, _ in p.marked:
        kind, _, var = a["data-var"].partition(":")
        if kind in ("ranked", "pareto"):
            ds = groups[None if kind == "ranked" else "pareto"]
            dim = "rank" if kind == "ranked" else "point"
            assert float(a["data-value"]) == float(ds[var].isel({dim: int(a["data-index"])}).values), a
            n += 1
    assert n >= 5 * 5
    # the best design in detail is the ranked first, simulated again: its cost is the file's
    detail = [float(a["data-value"]) for a, _ in p.marked if a["data-var"] == "project_cost_yuan"]
    assert detail and detail[0] == pytest.approx(float(groups[None]["project_cost_yuan"].values[0]), rel=1e-9)


def test_report_refuses_a_file_whose_scenario_no_longer_gives_its_inputs(tmp_path: Path) -> None:
    result = gpdc.simulate(DATACENTRE)
    path = gpdc.write_results(tmp_path / "x.h5", result.totals.assign_attrs(inputs_sha256="0" * 64))
    with pytest.raises(ReportError, match="inputs_sha256"):
        load(path)


def test_cli_report_and_its_errors(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = runner.invoke(app, ["report", str(files["datacentre"]), "-o", str(out), "--no-sensitivity"])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "Not computed for this report" in text and 'id="fig-tornado"' not in text
    res = runner.invoke(app, ["report", str(tmp_path / "missing.h5"), "-o", str(out)])
    assert res.exit_code == 2 and "does not exist" in " ".join(res.output.split()) and "Traceback" not in res.output


# --- in a real browser -----------------------------------------------------------------------------------

CHROMIUM = find_chromium()
needs_browser = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on this machine (apt-get install chromium, or set GPDC_CHROMIUM); "
                             ".ci/run installs it, so CI runs these tests")

BROWSER_CASES = {"datacentre": "", "aluminium": "", "sizing": "design-"}


@needs_browser
@pytest.mark.parametrize("name", sorted(BROWSER_CASES))
def test_report_in_headless_chromium(name: str, reports: dict[str, Path]) -> None:
    prefix = BROWSER_CASES[name]
    with open_page(reports[name], width_px=1280, height_px=900) as page:
        sections = page.evaluate("[...document.querySelectorAll('section[id]')].map(s => s.id)")
        want = [f"{prefix}{sid}" for sid, _ in RUN_SECTIONS]
        assert sections[-len(want):] == want
        if name == "sizing":
            assert sections[:4] == ["sizing", "ranked", "binding", "pareto"]
        figures = page.evaluate("[...document.querySelectorAll('figure[id]')].map(f => {"
                                "const r = f.querySelector('svg').getBoundingClientRect();"
                                "return [f.id, r.width, r.height]; })")
        ids = [f[0] for f in figures]
        for fid, _ in RUN_FIGURES:
            assert f"{prefix}{fid}" in ids
        for fid, w, h in figures:  # drawn, not just present
            assert w > 600 and h > 150, (fid, w, h)
        first = page.screenshot()
        assert first[:8] == b"\x89PNG\r\n\x1a\n" and len(first) > 20_000
        page.set_viewport(390, 844, mobile=True)  # a phone: nothing wider than the screen
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        pdf = page.pdf()  # printed with the print style sheet
        assert pdf[:5] == b"%PDF-" and len(pdf) > 50_000
        log = page.log()
    assert log.requests == [], log.requests
    assert log.console_errors == [], log.console_errors
    assert log.log_errors == [], log.log_errors


@needs_browser
def test_the_browser_check_catches_requests_and_errors(tmp_path: Path) -> None:
    # the harness itself can fail: a page that fetches and logs an error is reported as such
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><img src="http://192.0.2.1/x.png">'
                   '<script>console.error("boom")</script></body></html>', encoding="utf-8")
    with open_page(bad) as page:
        log = page.log()
    assert log.requests == ["http://192.0.2.1/x.png"]
    assert log.console_errors == ["boom"]


def test_the_screenshot_in_the_docs_is_a_report() -> None:
    png = ROOT / "docs" / "img" / "report.png"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 800 and height >= 600
    assert "docs/img/report.png" in (ROOT / "README.md").read_text(encoding="utf-8")


@needs_browser
def test_cli_report_prints_to_pdf(files: dict[str, Path], tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    res = runner.invoke(app, ["report", str(files["datacentre"]), "-o", str(tmp_path / "r.html"),
                              "--no-sensitivity", "--pdf", str(pdf)])
    assert res.exit_code == 0, res.output
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and data.count(b"/Type /Page") + data.count(b"/Type/Page") >= 5  # several A4 pages


def test_sweep_report_details_as_many_designs_as_asked(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "s.html"
    res = runner.invoke(app, ["report", str(files["sweep"]), "-o", str(out), "--designs", "2", "--detail", "2",
                              "--no-sensitivity"])
    assert res.exit_code == 0, res.output
    sections = parse(out.read_text(encoding="utf-8")).sections
    assert sections == ["overview", "compliance", "chosen", *[f"design-{s}" for s, _ in RUN_SECTIONS],
                        *[f"design2-{s}" for s, _ in RUN_SECTIONS]]
    res = runner.invoke(app, ["report", str(files["sweep"]), "-o", str(out), "--detail", "0"])
    assert res.exit_code == 0, res.output
    assert parse(out.read_text(encoding="utf-8")).sections == ["overview", "compliance", "chosen"]
    res = runner.invoke(app, ["report", str(files["sweep"]), "-o", str(out), "--detail", "-1"])
    assert res.exit_code == 2 and "--detail = -1 is invalid: must be >= 0" in " ".join(res.output.split())


def test_a_browser_that_does_not_come_up_is_an_error_not_a_hang(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from gpdc.errors import BrowserError

    page = tmp_path / "p.html"
    page.write_text("<!DOCTYPE html><p>x</p>", encoding="utf-8")
    with pytest.raises(BrowserError, match="closed the DevTools pipe"), open_page(page, executable="/bin/false"):
        pass
    monkeypatch.setenv("GPDC_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(BrowserError, match="no Chromium found"), open_page(page):
        pass
