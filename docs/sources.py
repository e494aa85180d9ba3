"""Regenerate docs/sources.md, every figure the ready scenarios use with its source: ``python docs/sources.py``.

The page is built from what :func:`gpdc.scenario.resolve.resolve` takes from the data tables for
each scenario of ``scenarios/`` (the same values, sources, dates and confidence labels a results
file records), plus the rows of the tables behind them that are not single numbers: the policy
rule set, the fee regime and the TOU schedule.  ``tests/test_docs.py`` fails when the committed
page differs from what this writes, so a data table cannot change without the page.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from gpdc.scenario import tables
from gpdc.scenario.load import load_scenario
from gpdc.scenario.resolve import FROM_SCENARIO, Resolved, resolve

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "sources.md"
SCENARIOS = tuple(sorted((ROOT / "scenarios").glob("*.toml")))

HEAD = """# Where every figure comes from

Every number a ready scenario (`scenarios/*.toml`) takes from gpdc's data tables, with its
source, the date it refers to and how far it was checked. Generated from the tables by
`python docs/sources.py`; `tests/test_docs.py` fails when this page and the tables disagree.
`gpdc validate FILE` prints the same for any scenario, and every results file carries it in the
attribute `resolved_inputs`.

Confidence, strongest first (`gpdc/scenario/tables/core.py`, `CONFIDENCE_LEVELS`):

| level | meaning |
| --- | --- |
| verified (official text seen) | the issuing body's own text was read (its page, or the page as saved \
verbatim), and the figure is in it |
| quoted from a copy | the figure was read in a reprint, news copy, translation or third-party transcription \
of the notice, not in the notice |
| derived | computed from other figures (the source says from which); it claims no more than the weakest of them |
| recalled | no text was seen: memory, an estimate or an example value |
| assumption | a modelling choice of gpdc where the world gives no figure |

A row never claims more than its weakest figure. Nothing second-hand is called verified: most
provincial tariff figures rest on copies, because the official notices (1192号, 1077号's tables,
the provincial TOU notices, the grid companies' monthly agency-purchase announcements) could not
be read; where a figure was not found at all the source says **NOT FOUND** and gpdc counts it as
0 and warns (`tariff.*`, set it in the scenario).
"""


def _cell(text: object) -> str:
    """Return text as a markdown table cell: pipes escaped, whitespace collapsed."""
    return " ".join(str(text).replace("|", "\\|").split())


def _number(x: float) -> str:
    return f"{x:.6g}"


def _values_table(r: Resolved) -> list[str]:
    rows = ["| figure | value | unit | confidence | date | source |", "| --- | ---: | --- | --- | --- | --- |"]
    for name, v in r.values.items():
        if v.source == FROM_SCENARIO:
            conf, date, src = "scenario's own", "", "the scenario file"
        elif v.confidence not in tables.CONFIDENCE_LEVELS:  # a consequence of the scenario's own setting
            conf, date, src = "scenario's own", v.date, v.source
        else:
            conf, date, src = v.confidence, v.date, v.source
        rows.append(f"| `{name}` | {_number(v.value)} | {_cell(v.unit)} | {_cell(conf)} | {_cell(date)} "
                    f"| {_cell(src)} |")
    return rows


def _rule_rows(r: Resolved) -> list[str]:
    rule = tables.policy_rule(r.scenario.policy.rule_set)
    fee = r.fee_regime
    flags = ", ".join(f"`{k}`" for k, on in fee.flags.items() if on)
    return [
        "| item | value | confidence | date | source | note |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| policy rule set `{rule.rule_set}` | self-use ≥ {rule.min_self_use_frac:g}, green share ≥ "
        f"{rule.min_green_share_of_load_frac:g}, export ≤ {rule.max_export_frac} (export cap: "
        f"{rule.export_cap_confidence}) | {_cell(rule.confidence)} | {_cell(rule.date)} | {_cell(rule.source)} "
        f"| {_cell(rule.note)} |",
        f"| self-use metering | `{r.self_use_metering}` | "
        f"{'scenario' if r.scenario.policy.self_use_metering else 'rule set'} | | policy_rules.csv "
        f"`{rule.rule_set}` | see the rule set's note |",
        f"| fee regime `{fee.regime}` | {flags} | {_cell(fee.confidence)} | {_cell(fee.date)} | {_cell(fee.source)} "
        f"| {_cell(fee.note)} |",
        f"| TOU float components | {', '.join(r.tou_float)} | | | {_cell(r.tou_float_source)} | |",
        f"| TOU schedule `{r.tou_schedule}` | the rows below | | | {_cell(r.tou_source)} | |",
    ]


def _tou_rows(r: Resolved) -> list[str]:
    df = tables.raw_table("tou_schedules")
    sub = df[df["schedule"] == r.tou_schedule]
    rows = ["| months | band | hours (Beijing time) | multiplier | confidence | note |",
            "| --- | --- | --- | ---: | --- | --- |"]
    for _, t in sub.iterrows():
        rows.append(f"| {_cell(t['months'])} | {_cell(t['band'])} | {_cell(t['hours'])} | {float(t['multiplier']):g} "
                    f"| {_cell(t['confidence'])} | {_cell(t['note'])} |")
    sources = sorted(set(sub["source"]))
    rows.append("")
    rows.append("Source of the schedule rows: " + "; ".join(_cell(s) for s in sources) + ".")
    return rows


def _summary(r: Resolved) -> str:
    counts = Counter(v.confidence if v.source != FROM_SCENARIO and v.confidence in tables.CONFIDENCE_LEVELS
                     else "scenario's own" for v in r.values.values())
    order = [*tables.CONFIDENCE_LEVELS, "scenario's own"]
    return ", ".join(f"{counts[k]} {k}" for k in order if counts[k])


def page() -> str:
    """Return docs/sources.md as text."""
    out = [HEAD]
    for path in SCENARIOS:
        sc = load_scenario(path)
        r = resolve(sc)
        out.append(f"\n## `scenarios/{path.name}` — {sc.name}\n\n")
        out.append(f"Figures taken from the data: {_summary(r)}.\n")
        weak = r.weak_bill_figures()
        if weak:
            out.append("\nThe bill rests on figures the data does not have (gpdc warns when it runs): "
                       + "; ".join(weak) + ".\n")
        out.append("\n### Rules, fee regime, TOU\n\n")
        out.append("\n".join(_rule_rows(r)) + "\n")
        out.append(f"\n### TOU schedule `{r.tou_schedule}`\n\n")
        out.append("\n".join(_tou_rows(r)) + "\n")
        out.append("\n### Numbers\n\n")
        out.append("\n".join(_values_table(r)) + "\n")
    return "".join(out)


if __name__ == "__main__":
    PAGE.write_text(page(), encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
