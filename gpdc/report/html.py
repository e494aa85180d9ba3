"""One self-contained HTML report of a results file: offline, readable on a phone, printable.

``gpdc report RESULTS.h5 -o report.html`` writes one file with nothing to fetch: the style
sheet is inline, every figure is an inline SVG drawn by matplotlib (:mod:`gpdc.plot.report`),
and there is no script.  The page's Content-Security-Policy forbids every fetch (``default-src
'none'``), so a browser would refuse a request even if one crept in; the tests load the page in
headless Chromium and check that none is made and nothing is logged as an error.

A run's report has these sections, in this order (ids in brackets): the verdict (``verdict``),
the design (``design``), energy flows (``flows``), monthly energy (``monthly``), a winter and a
summer week (``weeks``), duration curves (``duration``), state of charge (``soc``), the bill
with and without the project (``bill``), the cash flow by year (``cashflow``), CO2, coal and the
footprint per product (``emissions``), sensitivity (``sensitivity``), assumptions
(``assumptions``) and provenance (``provenance``).  A sweep's report starts with an overview,
a compliance map and the chosen designs; a sizing study's with the ranked designs, the binding
constraints and the Pareto frontier — then the best design's full report, its ids prefixed
``design-``.

Every number taken from the file is marked with ``data-var`` (the variable) and ``data-value``
(its exact value), so a reader — or a test — can hold the page to the file.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from gpdc.io.atomic import atomic_path
from gpdc.plot import report as fig
from gpdc.report import tables
from gpdc.report.data import RunData, SizingData, SweepData
from gpdc.report.sensitivity import Sensitivity, sensitivity
from gpdc.report.tables import Item, fmt

__all__ = ["RUN_FIGURES", "RUN_SECTIONS", "render", "write_html"]

#: the sections of a run's report, in order: (id, title)
RUN_SECTIONS: tuple[tuple[str, str], ...] = (
    ("verdict", "Verdict"), ("design", "Design"), ("flows", "Energy flows"), ("monthly", "Monthly energy"),
    ("weeks", "A winter and a summer week"), ("duration", "Duration curves"), ("soc", "Storage state of charge"),
    ("bill", "The bill with and without the project"), ("cashflow", "Cash flow by year"),
    ("emissions", "CO2, coal and the footprint per product"), ("sensitivity", "Sensitivity"),
    ("assumptions", "Assumptions and sources"), ("provenance", "Provenance"),
)
#: the figures of a run's report: (id, section)
RUN_FIGURES: tuple[tuple[str, str], ...] = (
    ("fig-flows", "flows"), ("fig-monthly", "monthly"), ("fig-weeks", "weeks"), ("fig-duration", "duration"),
    ("fig-soc", "soc"), ("fig-bill", "bill"), ("fig-cashflow", "cashflow"), ("fig-tornado", "sensitivity"),
)

CSS = """
:root{--ok:#1a7f37;--bad:#cf222e;--ink:#1f2328;--muted:#59636e;--line:#d0d7de;--soft:#f6f8fa}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--ink);background:#fff;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"Noto Sans","Noto Sans CJK SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif}
main{max-width:1080px;margin:0 auto;padding:0 16px 48px}
header.top{padding:20px 0 8px;border-bottom:3px solid var(--ink)}
header.top h1{margin:0 0 4px;font-size:1.6em;line-height:1.25}
.sub{color:var(--muted);margin:2px 0}
nav.toc{margin:12px 0;font-size:.9em;line-height:1.9}
nav.toc a{color:var(--ink);margin-right:12px;white-space:nowrap}
section{margin:28px 0}
h2{font-size:1.3em;border-bottom:1px solid var(--line);padding-bottom:4px;margin:0 0 12px}
h2.part{font-size:1.5em;border-bottom:3px solid var(--ink);margin-top:40px}
h3{font-size:1.05em;margin:16px 0 8px}
p,li{max-width:80ch}
.banner{padding:12px 16px;border-radius:8px;font-size:1.15em;font-weight:600;margin-bottom:12px}
.banner.pass{background:#dafbe1;color:var(--ok)}
.banner.fail{background:#ffebe9;color:var(--bad)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(210px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.card .big{font-size:1.6em;font-weight:600}
.card .rule{color:var(--muted);font-size:.9em}
.pass{color:var(--ok)} .fail{color:var(--bad)}
.table-wrap{overflow-x:auto;max-width:100%;margin:8px 0}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:.92em}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap}
tr.total td{font-weight:600;border-top:2px solid var(--ink)}
td.src{overflow-wrap:anywhere;min-width:12em;color:var(--muted);font-size:.9em}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}
dl.facts dt{font-weight:600} dl.facts dd{margin:0;overflow-wrap:anywhere}
figure{margin:12px 0}
figure svg{display:block;width:100%;height:auto;max-width:100%}
figcaption{color:var(--muted);font-size:.9em}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--soft);padding:8px;font-size:.85em}
details summary{cursor:pointer;color:var(--muted)}
.note{color:var(--muted);font-size:.9em}
@media (max-width:640px){
 body{font-size:14px} main{padding:0 10px 32px} header.top h1{font-size:1.3em}
 th,td{padding:3px 5px} dl.facts{grid-template-columns:1fr} dl.facts dd{margin-bottom:6px}
}
@media print{
 body{font-size:10.5pt} main{max-width:none;padding:0} nav.toc{display:none}
 section{break-inside:auto} figure,table,.cards,.banner{break-inside:avoid}
 h2{break-after:avoid} .table-wrap{overflow:visible} a{color:inherit;text-decoration:none}
 details>*:not(summary){display:block}
 @page{size:A4;margin:14mm 12mm}
}
"""

#: what the page may load: nothing (styles inline, images only as data: URIs inside SVG)
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _val(value: float) -> str:
    """The exact value for ``data-value`` (Python's shortest round-trip repr; nan as 'nan')."""
    return repr(float(value))


def _num(value: float, unit: str, var: str | None, *, name: str | None = None, index: Any = None) -> str:
    """A table cell with a number, its unit, and the variable it shows."""
    attrs = ""
    if var is not None:
        attrs = f' data-var="{_e(var)}" data-value="{_val(value)}" data-unit="{_e(unit)}"'
        if index is not None:
            attrs += f' data-index="{_e(index)}"'
    return f'<td class="num"{attrs}>{_e(fmt(value, unit, name or var))}</td>'


def _table(head: Sequence[str], rows: Iterable[str], num_cols: Sequence[int] = (), cls: str = "") -> str:
    ths = "".join(f'<th class="num">{_e(h)}</th>' if i in num_cols else f"<th>{_e(h)}</th>"
                  for i, h in enumerate(head))
    body = "".join(rows)
    return (f'<div class="table-wrap"><table class="{cls}"><thead><tr>{ths}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _item_rows(its: Sequence[Item]) -> list[str]:
    return [f"<tr><td>{_e(it.label)}</td>{_num(it.value, it.unit, it.var)}</tr>" for it in its]


def _figure(fid: str, svg_text: str, caption: str) -> str:
    return (f'<figure id="{_e(fid)}" role="img" aria-label="{_e(caption)}">{svg_text}'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _section(sid: str, title: str, body: str) -> str:
    return f'<section id="{_e(sid)}"><h2>{_e(title)}</h2>{body}</section>'


def _facts(pairs: Sequence[tuple[str, str]]) -> str:
    return '<dl class="facts">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in pairs) + "</dl>"


# --- a run ----------------------------------------------------------------------------------------


def _verdict(run: RunData) -> str:
    t = run.totals
    rules = tables.verdict(t)
    compliant = float(t["compliant"].values) > 0.5
    failing = [r.name for r in rules if not r.passes]
    banner = ("Meets every rule of the rule set" if compliant
              else "Does not meet: " + "; ".join(failing))
    cards = []
    for r in rules:
        state = "pass" if r.passes else "fail"
        cards.append(
            f'<div class="card {state}"><div class="rule">{_e(r.name)}</div>'
            f'<div class="big" data-var="{r.metric}" data-value="{_val(r.value)}">'
            f'{_e(fmt(r.value, "1", r.metric))}</div>'
            f'<div>rule: {_e(r.op)} {_e(fmt(r.threshold, "1", r.metric))} · margin '
            f'<span data-var="{r.margin_var}" data-value="{_val(r.margin)}">'
            f'{_e(fmt(r.margin, "1", r.margin_var))}</span>'
            f'</div><div class="{state}" data-var="{r.meets_var}" data-value="{_val(float(r.passes))}">'
            f'{"PASS" if r.passes else "FAIL"}</div></div>')
    rows = _item_rows(tables.items(t, ["curtailment_rate", "utilisation_rate", "hourly_match_share",
                                       "annual_match_share", "unserved_mwh", "peak_import_mw", "self_supply_hours_h",
                                       "green_share_of_load_green_first", "arbitrage_green_share_cost"]))
    rule_set = t.attrs.get("policy_rule_set", "")
    return (f'<div class="banner {"pass" if compliant else "fail"}" data-var="compliant" '
            f'data-value="{_val(float(compliant))}">{_e(banner)}</div>'
            f'<p class="note">Rule set <b>{_e(rule_set)}</b>: {_e(t.attrs.get("policy_rule_description", ""))}. '
            "Both shares of generation divide by the total available generation, curtailment included.</p>"
            f'<div class="cards">{"".join(cards)}</div>'
            + _table(["other measures", "value"], rows, (1,)))


def _design(run: RunData) -> str:
    sizes, facts = tables.design(run.scenario, run.totals)
    return _table(["", "value"], _item_rows(sizes), (1,)) + _facts(facts)


def _flows(run: RunData) -> str:
    gen, use = tables.flows(run.totals)
    colours = fig.COLOURS
    gen_c = [colours[k] for k in ("direct", "stored", "export", "curtail_line", "curtail_bus", "loss")]
    use_c = [colours[k] for k in ("direct", "released", "storage_grid", "import", "unserved")]
    svg_text = fig.energy_flows([(label, v, c) for (label, _, v), c in zip(gen, gen_c, strict=True)],
                                [(label, v, c) for (label, _, v), c in zip(use, use_c, strict=True)])
    t = run.totals
    gen_total, load_total = float(t["gen_avail_mwh"].values), float(t["load_mwh"].values)

    def rows(parts: list[tuple[str, str, float]], total: float, total_var: str, total_label: str) -> list[str]:
        out = []
        for label, var, v in parts:
            cell = _num(v, "MWh", var if var != "import_for_load" else None)
            part = fmt(v / total if total else math.nan, "1", "share")
            out.append(f"<tr><td>{_e(label)}</td>{cell}<td class='num'>{_e(part)}</td></tr>")
        out.append(f'<tr class="total"><td>{_e(total_label)}</td>{_num(total, "MWh", total_var)}'
                   '<td class="num">100.0 %</td></tr>')
        return out

    return (_figure("fig-flows", svg_text, "Where the available green generation went (top) and where the user's "
                                           "consumption came from (bottom), over the simulated period")
            + "<h3>Available generation</h3>" + _table(["", "energy", "share"], rows(gen, gen_total, "gen_avail_mwh",
                                                                                      "available generation"), (1, 2))
            + "<h3>User consumption</h3>" + _table(["", "energy", "share"], rows(use, load_total, "load_mwh",
                                                                                 "user consumption"), (1, 2)))


def _monthly(run: RunData) -> str:
    df = tables.monthly(run.traces, run.dt_h)
    cols = [c for c, _, _, _ in tables.MONTHLY]
    labels = {c: lab for c, lab, _, _ in tables.MONTHLY}
    head = ["month", *[labels[c] + " [MWh]" for c in cols], "green share of load", "self-use share"]
    rows = []
    for month, r in df.iterrows():
        cells = "".join(f'<td class="num" data-var="monthly:{c}" data-index="{_e(month)}" data-value="{_val(r[c])}">'
                        f"{r[c]:,.0f}</td>" for c in cols)
        cells += (f'<td class="num">{_e(fmt(r["green_share_of_load"], "1", "share"))}</td>'
                  f'<td class="num">{_e(fmt(r["self_use_share"], "1", "share"))}</td>')
        rows.append(f"<tr><td>{_e(month)}</td>{cells}</tr>")
    sums = df[cols].sum()
    t = run.totals
    cells = "".join(f'<td class="num">{sums[c]:,.0f}</td>' for c in cols)
    cells += (f'{_num(float(t["green_share_of_load"].values), "1", "green_share_of_load")}'
              f'{_num(float(t["self_use_share"].values), "1", "self_use_share")}')
    rows.append(f'<tr class="total"><td>year</td>{cells}</tr>')
    supply = [("green, direct", df["used_directly_mwh"].to_numpy(), fig.COLOURS["direct"]),
              ("green, from storage", df["released_mwh"].to_numpy(), fig.COLOURS["released"]),
              ("grid import", df["grid_import_mwh"].to_numpy(), fig.COLOURS["import"])]
    svg_text = fig.monthly_energy(list(df.index), supply, df["generation_mwh"].to_numpy(), df["load_mwh"].to_numpy())
    return (_figure("fig-monthly", svg_text, "Monthly supply of the load (bars), available generation and load "
                                             "(lines); grid import includes any grid charging of storage")
            + _table(head, rows, tuple(range(1, len(head)))))


def _weeks(run: RunData) -> str:
    return _figure("fig-weeks", fig.dispatch_weeks(run.traces, run.dt_h),
                   "Hourly supply of the load in the first full week of January and of July; export and curtailment "
                   "below zero")


def _duration(run: RunData) -> str:
    return _figure("fig-duration", fig.duration_curves(run.traces, run.dt_h),
                   "Duration curves: the hours of the period in which each power was at or above a level")


def _soc(run: RunData) -> str:
    if float(run.scenario.storage.energy_mwh) <= 0.0:
        return "<p>This design has no storage.</p>"
    cycles = tables.items(run.totals, ["storage_cycles", "charge_green_mwh", "charge_grid_mwh", "discharge_mwh",
                                       "storage_loss_mwh"])
    return (_figure("fig-soc", fig.state_of_charge(run.traces), "State of charge of the storage: daily range and mean")
            + _table(["", "value"], _item_rows(cycles), (1,)))


def _bill(run: RunData) -> str:
    without, with_ = tables.bill(run.totals)
    t = run.totals
    rows = []
    for label, var, v in without:
        rows.append(f"<tr><td>without</td><td>{_e(label)}</td>{_num(v, 'yuan', var)}</tr>")
    rows.append(f'<tr class="total"><td>without</td><td>total: everything from the grid</td>'
                f'{_num(float(t["baseline_cost_yuan"].values), "yuan", "baseline_cost_yuan")}</tr>')
    for (label, var, sign), (_, _, v) in zip(tables.BILL_WITH, with_, strict=True):
        raw = float(t[var].values)
        rows.append(f'<tr><td>with</td><td>{_e(label)}</td><td class="num" data-var="{var}" data-value="{_val(raw)}" '
                    f'data-sign="{sign:g}">{_e(fmt(v, "yuan"))}</td></tr>')
    rows.append(f'<tr class="total"><td>with</td><td>total: the cost with the project</td>'
                f'{_num(float(t["project_cost_yuan"].values), "yuan", "project_cost_yuan")}</tr>')
    summary = _item_rows(tables.items(t, ["savings_yuan", "savings_yuan_per_mwh", "lcoe_yuan_per_mwh",
                                          "self_used_net_cost_yuan_per_mwh"]))
    svg_text = fig.bill_comparison([(label, v) for label, _, v in without], [(label, v) for label, _, v in with_])
    return (_figure("fig-bill", svg_text, "The user's cost over the period without the project (everything bought "
                                          "from the grid) and with it, by component; credits below zero")
            + f'<p class="note">Fee regime <b>{_e(t.attrs.get("fee_regime", ""))}</b>: '
              f'{_e(t.attrs.get("fee_regime_description", ""))}</p>'
            + _table(["case", "component", "cost"], rows, (2,))
            + _table(["", "value"], summary, (1,)))


def _cashflow(run: RunData) -> str:
    df = tables.cash_flow_frame(run.cash_flow)
    cols = [("cash_flow_capex_yuan", "capital"), ("cash_flow_bill_savings_yuan", "bill savings"),
            ("cash_flow_om_yuan", "O&M"), ("cash_flow_replacement_yuan", "storage replacement"),
            ("cash_flow_yuan", "net cash flow"), ("cash_flow_discounted_yuan", "discounted"),
            ("cumulative_discounted_yuan", "cumulative discounted"), ("cash_flow_self_used_mwh", "self-used green")]
    rows = []
    for year, r in df.iterrows():
        cells = ""
        for c, _ in cols:
            v = float(r[c]) + 0.0
            text = f"{v:,.0f}" if c.endswith("_mwh") else f"{v / 1e6:,.2f}"
            if text in ("-0", "-0.00"):
                text = text[1:]
            unit = "MWh" if c.endswith("_mwh") else "yuan"
            attrs = (f' data-var="{c}" data-index="{_e(year)}" data-value="{_val(v)}" data-unit="{unit}"'
                     if c != "cumulative_discounted_yuan" else "")
            cells += f'<td class="num"{attrs}>{text}</td>'
        rows.append(f"<tr><td>{_e(year)}</td>{cells}</tr>")
    summary = _item_rows(tables.items(run.totals, tables.FINANCE))
    svg_text = fig.cash_flow(df.index.to_numpy(), df["cash_flow_yuan"].to_numpy(),
                             df["cumulative_discounted_yuan"].to_numpy())
    return (_table(["", "value"], summary, (1,))
            + _figure("fig-cashflow", svg_text, "Net cash flow against the grid-only baseline by project year, and its "
                                                "cumulative discounted sum (the NPV after that year)")
            + _table(["year", *[f"{label} [{'MWh' if c.endswith('_mwh') else 'M yuan'}]" for c, label in cols]], rows,
                     tuple(range(1, len(cols) + 1)))
            + '<p class="note">Year 0 is the investment; each later year repeats the simulated year with prices '
              "escalated (and re-dispatched where PV or storage degrade); see docs/finance.md.</p>")


def _emissions(run: RunData) -> str:
    its, basis = tables.emissions(run.totals)
    body = _table(["", "value"], _item_rows(its), (1,)) + _facts(basis)
    names, rows, notes = tables.products(run.totals)
    if names:
        trs = []
        for label, unit, var, values in rows:
            cells = "".join(_num(v, unit, var, index=p) for v, p in zip(values, names, strict=True))
            trs.append(f"<tr><td>{_e(label)} [{_e(unit)}]</td>{cells}</tr>")
        body += "<h3>Footprint per product</h3>" + _table(["", *names], trs, tuple(range(1, len(names) + 1)))
        body += "".join(f'<p class="note">{_e(n)}</p>' for n in notes)
    else:
        body += '<p class="note">No [[products]] are stated in the scenario: no footprint per product.</p>'
    return body


def _sensitivity(run: RunData, sens: Sensitivity | None) -> str:
    if sens is None:
        return '<p class="note">Not computed for this report (--no-sensitivity).</p>'
    t = run.totals
    threshold = float(t.attrs["policy_min_green_share_of_load_frac"])
    sides = ((0, "low"), (1, "high"))
    cost = {d: np.array([c[i].values["project_cost_yuan"] for c in sens.cases]) for i, d in sides}
    share = {d: np.array([c[i].values["green_share_of_load"] for c in sens.cases]) for i, d in sides}
    svg_text = fig.tornado(sens.factors, cost["low"], cost["high"], share["low"], share["high"],
                           sens.base["project_cost_yuan"], sens.base["green_share_of_load"], threshold)
    rows = [f'<tr><td>base (this design)</td><td class="num">—</td>'
            f'{_num(sens.base["project_cost_yuan"], "yuan", "project_cost_yuan")}'
            f'{_num(sens.base["green_share_of_load"], "1", "green_share_of_load")}'
            f'{_num(sens.base["self_use_share"], "1", "self_use_share")}'
            f'{_num(sens.base["export_share"], "1", "export_share")}'
            f'<td>{"meets every rule" if sens.base["compliant"] > 0.5 else "fails"}</td></tr>']
    for pair in sens.cases:
        for case in pair:
            v = case.values
            failing = [name for name, key in (("self-use", "meets_self_use"), ("green share", "meets_green_share"),
                                              ("export", "meets_export_cap")) if v[key] < 0.5]
            verdict = "meets every rule" if v["compliant"] > 0.5 else "fails: " + ", ".join(failing)
            rows.append(f"<tr><td>{_e(case.factor)} {case.nominal * 100:+.0f} %</td>"
                        f'<td class="num">{case.change * 100:+.1f} %</td>'
                        f'<td class="num">{_e(fmt(v["project_cost_yuan"], "yuan"))}</td>'
                        f'<td class="num">{_e(fmt(v["green_share_of_load"], "1", "share"))}</td>'
                        f'<td class="num">{_e(fmt(v["self_use_share"], "1", "share"))}</td>'
                        f'<td class="num">{_e(fmt(v["export_share"], "1", "share"))}</td>'
                        f'<td class="{"pass" if v["compliant"] > 0.5 else "fail"}">{_e(verdict)}</td></tr>')
    skipped = "".join(f'<p class="note">{_e(k)}: {_e(r)}</p>' for k, r in sens.skipped.items())
    return (_figure("fig-tornado", svg_text, "Change of the cost with the project and of the green share of load "
                                             "with each input 20 % lower (blue) or higher (orange), the others as "
                                             "in the run")
            + _table(["case", "input changed by", "project cost", "green share of load", "self-use share",
                      "export share", "verdict"], rows, (1, 2, 3, 4, 5))
            + skipped
            + '<p class="note">Yields scale the hourly capacity factors (capped at 1: the change reached is shown); '
              "load scales the hourly load; the energy price is the tariff's before TOU multipliers; capital cost "
              "scales every capex input together. Each case runs the same pipeline and accounting as the run.</p>")


def _assumptions(run: RunData) -> str:
    df = tables.assumptions(dict(run.totals.attrs))
    rows = []
    for r in df.itertuples(index=False):
        value = r.value if isinstance(r.value, str) else (f"{r.value:,.6g}" if r.value is not None else "—")
        rows.append(f'<tr><td>{_e(r.name)}</td><td class="num" data-assumption="{_e(r.name)}">{_e(value)}</td>'
                    f'<td>{_e(r.unit)}</td><td>{_e(r.confidence)}</td><td class="src">{_e(r.source)}</td></tr>')
    sources = tables.profile_sources(dict(run.totals.attrs))
    return (_table(["input", "value", "unit", "confidence", "source"], rows, (1,))
            + "<h3>Hourly profiles</h3>" + _facts(sources))


def _provenance(run: RunData) -> str:
    rows = tables.provenance(dict(run.totals.attrs), run.source)
    if run.recomputed:
        rows.append(("computed again for this report", ", ".join(run.recomputed) + " (from the recorded scenario, "
                                                                                    "whose inputs hash matches)"))
    toml_text = str(run.totals.attrs.get("scenario_toml", ""))
    return (_facts(rows) + f"<details><summary>the scenario as simulated (TOML)</summary><pre>{_e(toml_text)}</pre>"
                           "</details>")


def run_sections(run: RunData, *, with_sensitivity: bool = True, prefix: str = "") -> list[tuple[str, str, str]]:
    """The sections of a run's report: (id, title, HTML body), in the order of :data:`RUN_SECTIONS`."""
    sens = sensitivity(run.prepared) if with_sensitivity else None
    if sens is not None and not math.isclose(sens.base["project_cost_yuan"], float(run.totals["project_cost_yuan"]),
                                             rel_tol=0.0, abs_tol=0.0):
        from gpdc.errors import ReportError

        raise ReportError("sensitivity base case: project_cost_yuan", sens.base["project_cost_yuan"],
                          f"must equal the file's {float(run.totals['project_cost_yuan'])}")
    body = {
        "verdict": _verdict(run), "design": _design(run), "flows": _flows(run), "monthly": _monthly(run),
        "weeks": _weeks(run), "duration": _duration(run), "soc": _soc(run), "bill": _bill(run),
        "cashflow": _cashflow(run), "emissions": _emissions(run), "sensitivity": _sensitivity(run, sens),
        "assumptions": _assumptions(run), "provenance": _provenance(run),
    }
    out = []
    for sid, title in RUN_SECTIONS:
        text = body[sid]
        if prefix:
            text = text.replace('id="fig-', f'id="{prefix}fig-')
        out.append((prefix + sid, title, text))
    return out


# --- a sweep -----------------------------------------------------------------------------------------

#: metrics listed for each chosen design of a sweep
SWEEP_METRICS = ("project_cost_yuan", "savings_yuan", "npv_yuan", "self_use_share", "green_share_of_load",
                 "export_share", "curtailment_rate", "compliant")


def _coord_text(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float | int | np.floating | np.integer) and not isinstance(v, bool) else str(v)


def sweep_sections(sw: SweepData) -> list[tuple[str, str, str]]:
    """The overview of a sweep: its dimensions, compliance, a compliance map, the chosen designs."""
    ds = sw.ds
    comp = ds["compliant"].astype(bool)
    n = int(np.prod([ds.sizes[d] for d in sw.dims])) if sw.dims else 1
    n_ok = int(comp.all("weather_year").sum()) if "weather_year" in comp.dims else int(comp.sum())
    cost = ds["project_cost_yuan"]
    facts = [("designs", f"{n:,}"), ("meet every rule", f"{n_ok:,} ({n_ok / n:.1%})" if n else "0"),
             ("project cost, range", f"{fmt(float(cost.min()), 'yuan')} to {fmt(float(cost.max()), 'yuan')}"),
             ("rule set", f"{ds.attrs.get('policy_rule_set', '')}: {ds.attrs.get('policy_rule_description', '')}"),
             ("base scenario", str(ds.attrs.get("scenario_name", "")))]
    def values(name: str) -> str:
        v = ds[name].values
        return ", ".join(_coord_text(x) for x in v[:40]) + (" …" if len(v) > 40 else "")

    dim_rows = []
    for d in sw.dims:
        fields = [str(c) for c in ds.coords if str(c) != d and "field" in ds[c].attrs and ds[c].dims == (d,)]
        moved = "".join(f"<br>{_e(str(ds[f].attrs['field']))}: {_e(values(f))}" for f in fields)
        dim_rows.append(f"<tr><td>{_e(d)}</td><td class='num'>{ds.sizes[d]}</td><td>{_e(values(d))}{moved}</td></tr>")
    overview = _facts(facts) + _table(["dimension", "points", "values"], dim_rows, (1,))
    # the compliance map: green share of load over the first two dimensions, the others at the best design
    axes = [d for d in sw.dims if d != "weather_year" and ds.sizes[d] > 1][:2]
    at = sw.chosen[0] if sw.chosen else {d: 0 for d in sw.dims}
    share = ds["green_share_of_load"]
    if "weather_year" in share.dims:
        share = share.mean("weather_year")
        comp = comp.all("weather_year")
    fixed = {str(d): at.get(str(d), 0) for d in share.dims if d not in axes}
    z_da, c_da = share.isel(fixed), comp.isel({d: i for d, i in fixed.items() if d in comp.dims})
    none = np.array(["—"])
    if axes:
        z_da, c_da = z_da.transpose(*axes), c_da.transpose(*axes)
    z = np.asarray(z_da.values, dtype=np.float64).reshape(-1, 1) if len(axes) < 2 else np.asarray(z_da.values)
    c = np.asarray(c_da.values, dtype=bool).reshape(-1, 1) if len(axes) < 2 else np.asarray(c_da.values)
    x = ds[axes[0]].values if axes else none
    y = ds[axes[1]].values if len(axes) > 1 else none
    others = ", ".join(f"{d} = {_coord_text(ds[d].values[i])}" for d, i in fixed.items())
    svg_text = fig.compliance_map(x, y, z, c, axes[0] if axes else "", axes[1] if len(axes) > 1 else "",
                                  "green share of load [-]")
    cmap = _figure("fig-compliance", svg_text, "Green share of load over the sweep" + (f" ({others})" if others else "")
                   + "; dots: designs that meet every rule")
    head = [*[d for d in sw.dims if d != "weather_year"],
            *[str(ds[m].attrs.get("long_name", m)) for m in SWEEP_METRICS]]
    rows = []
    for k, point in enumerate(sw.chosen):
        at_ds = ds.isel({d: i for d, i in point.items()})
        if "weather_year" in at_ds.dims:
            at_ds = at_ds.mean("weather_year")
        cells = "".join(f"<td>{_e(_coord_text(ds[d].values[point[d]]))}</td>" for d in sw.dims if d != "weather_year")
        for m in SWEEP_METRICS:
            v = float(np.asarray(at_ds[m].values, dtype=np.float64).reshape(-1)[0])
            cells += _num(v, str(ds[m].attrs.get("units", "")), m, index=k)
        rows.append(f"<tr>{cells}</tr>")
    which = ("the cheapest designs that meet every rule" if sw.compliant_only
             else "no design meets every rule: the cheapest designs")
    chosen = (f"<p>{_e(which.capitalize())}, by {_e(sw.ranked_by)}.</p>"
              + _table(head, rows, tuple(range(len(sw.dims), len(head)))))
    return [("overview", "Sweep overview", overview), ("compliance", "Compliance map", cmap),
            ("chosen", "Chosen designs", chosen)]


# --- a sizing study ------------------------------------------------------------------------------------

NOT_BINDING = "no constraint binds: relaxing none would make the best design cheaper"
SIZING_METRICS = ("objective", "project_cost_yuan", "lcoe_yuan_per_mwh", "capex_yuan", "self_use_share",
                  "green_share_of_load", "export_share", "curtailment_rate", "compliance_share")


def sizing_sections(sz: SizingData) -> list[tuple[str, str, str]]:
    """A sizing study: summary, ranked designs, binding constraints, the Pareto frontier."""
    r, a = sz.ranked, sz.ranked.attrs
    decisions = [str(n) for n in r.data_vars if "field" in r[n].attrs]
    facts = [("objective", str(a.get("objective", ""))), ("constraints", str(a.get("constraints", ""))),
             ("a feasible design found", "yes" if int(a.get("feasible", 0)) else "no"),
             ("designs evaluated", f"{int(a.get('designs_evaluated', 0)):,}"),
             ("weather years", str(a.get("weather_years", ""))), ("best design", str(a.get("best_design", "")))]
    summary = _facts(facts) + "".join(f'<p class="note">{_e(n)}</p>' for n in sz.notes)
    head = ["rank", *decisions, *[str(r[m].attrs.get("long_name", m)) for m in SIZING_METRICS if m in r]]
    rows = []
    for i in range(r.sizes.get("rank", 0)):
        cells = f"<td>{int(r['rank'].values[i])}</td>"
        for name in (*decisions, *[m for m in SIZING_METRICS if m in r]):
            unit = str(r[name].attrs.get("units", ""))
            cells += _num(float(r[name].values[i]), unit if unit != "mixed" else "", f"ranked:{name}", index=i,
                          name=name)
        rows.append(f"<tr>{cells}</tr>")
    ranked = _table(head, rows, tuple(range(1, len(head))))
    margins = [str(n) for n in r.data_vars if str(n).startswith("margin_")]
    binding_text = str(a.get("binding", ""))
    brows = []
    for name in margins:
        label = str(r[name].attrs.get("long_name", name))
        m = float(r[name].values[0]) if r.sizes.get("rank", 0) else math.nan
        constraint = label.split("'")[1] if label.count("'") >= 2 else label
        binds = constraint in binding_text
        brows.append(f"<tr><td>{_e(constraint)}</td><td class='num' data-var='ranked:{_e(name)}' data-index='0' "
                     f"data-value='{_val(m)}'>{m:.4g}</td><td class='{'fail' if binds else ''}'>"
                     f"{'binding' if binds else 'slack'}</td></tr>")
    binding = (_table(["constraint", "margin at the best design", ""], brows, (1,))
               + f'<p class="note">{_e(binding_text or NOT_BINDING)}</p>')
    ev, pf = sz.evaluated, sz.pareto
    objective_unit = str(ev["objective"].attrs.get("units", ""))
    scale = 1e6 if objective_unit == "yuan" else 1.0
    best = (float(r["green_share_of_load"].values[0]), float(r["objective"].values[0])) if r.sizes.get("rank", 0) \
        else (math.nan, math.nan)
    min_gs = None
    rules = json_rules(a)
    if rules is not None:
        min_gs = rules
    svg_text = fig.pareto(ev["green_share_of_load"].values, ev["objective"].values, ev["feasible"].values.astype(bool),
                          pf["green_share_of_load"].values, pf["objective"].values, best, min_gs,
                          f"{a.get('objective', 'objective')} [{'M yuan' if scale == 1e6 else objective_unit}]", scale)
    prow = []
    for i in range(pf.sizes.get("point", 0)):
        cells = "".join(_num(float(pf[n].values[i]), str(pf[n].attrs.get("units", "")), f"pareto:{n}", index=i,
                             name=n) for n in (*decisions, "objective", "green_share_of_load") if n in pf)
        prow.append(f"<tr>{cells}</tr>")
    pareto = (_figure("fig-pareto", svg_text, "Every evaluated design: the objective against the green share of load, "
                                              "the Pareto frontier (no greener design is cheaper) and the best design")
              + _table([*decisions, "objective", "green share of load"], prow,
                       tuple(range(len(decisions) + 2))))
    return [("sizing", "Sizing study", summary), ("ranked", "Ranked designs", ranked),
            ("binding", "Binding constraints", binding), ("pareto", "Pareto frontier", pareto)]


def json_rules(attrs: dict[str, Any]) -> float | None:
    """The green-share threshold of a sizing study's constraints, if it has one (for the Pareto figure)."""
    for part in str(attrs.get("constraints", "")).split(";"):
        if "green_share_of_load" in part and ">=" in part:
            try:
                return float(part.split(">=")[1].split()[0])
            except (ValueError, IndexError):
                return None
    return None


# --- the page ----------------------------------------------------------------------------------------


def _page(title: str, subtitle: list[str], parts: list[tuple[str, list[tuple[str, str, str]]]]) -> str:
    toc = " ".join(f'<a href="#{_e(sid)}">{_e(t)}</a>' for _, secs in parts for sid, t, _ in secs)
    body = ""
    for heading, secs in parts:
        if heading:
            body += f'<h2 class="part">{_e(heading)}</h2>'
        body += "".join(_section(sid, t, text) for sid, t, text in secs)
    subs = "".join(f'<p class="sub">{_e(s)}</p>' for s in subtitle)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="generator" content="gpdc">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body><main>"
            f'<header class="top"><h1>{_e(title)}</h1>{subs}</header>'
            f'<nav class="toc" aria-label="sections">{toc}</nav>{body}</main></body></html>\n')


def render(data: RunData | SweepData | SizingData, *, with_sensitivity: bool = True) -> str:
    """Return the report of a run, a sweep or a sizing study as one HTML page (see the module docstring)."""
    if isinstance(data, RunData):
        a = data.totals.attrs
        sc = data.scenario
        return _page(str(a.get("scenario_name", sc.name)),
                     [sc.description or "", f"gpdc report of {data.source} · gpdc {a.get('gpdc_version', '')} · "
                                            f"results created {a.get('created_utc', '')}"],
                     [("", run_sections(data, with_sensitivity=with_sensitivity))])
    if isinstance(data, SweepData):
        a = data.ds.attrs
        parts = [("", sweep_sections(data))]
        for k, run in enumerate(data.details):
            which = "The cheapest design" if k == 0 else f"Design {k + 1} of the chosen"
            parts.append((f"{which} in detail: {run.source}",
                          run_sections(run, with_sensitivity=with_sensitivity,
                                       prefix="design-" if k == 0 else f"design{k + 1}-")))
        return _page(f"Sweep: {a.get('scenario_name', '')}",
                     [f"gpdc report of {data.source} · gpdc {a.get('gpdc_version', '')} · results created "
                      f"{a.get('created_utc', '')}"], parts)
    a = data.ranked.attrs
    parts = [("", sizing_sections(data))]
    if data.detail is not None:
        parts.append(("The best design in detail",
                      run_sections(data.detail, with_sensitivity=with_sensitivity, prefix="design-")))
    name = data.detail.totals.attrs.get("scenario_name", "") if data.detail is not None else ""
    return _page(f"Sizing: {name}".rstrip(": "), [f"gpdc report of {data.source} · gpdc {a.get('gpdc_version', '')}"],
                 parts)


def write_html(path: str | Path, text: str) -> Path:
    """Write a report atomically (temporary file, then rename); return the path."""
    path = Path(path)
    with atomic_path(path, "report") as tmp, tmp.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return path
