"""The commands that turn results into what people read: ``gpdc report | export | verify``.

Thin like :mod:`gpdc.cli.commands`: parse, call :mod:`gpdc.report`, print.  ``gpdc verify``
exits 0 when a delivery record is intact, 1 when it was altered (naming the first bad row),
and 2 when it cannot be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gpdc.cli.app import app, err, fail, note, out, styled, written
from gpdc.errors import ReportError

#: exit status of ``gpdc verify`` for a record that was altered
EXIT_ALTERED = 1


@app.command()
def report(
    results: Annotated[Path, typer.Argument(help="results file of gpdc run, gpdc sweep or gpdc size")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="the HTML report to write")] = Path("report.html"),
    pdf: Annotated[Path | None, typer.Option(
        "--pdf", help="also print the report to PDF through headless Chromium (if one is installed)")] = None,
    designs: Annotated[int, typer.Option("--designs", help="sweep: how many of the cheapest compliant designs "
                                                           "to list")] = 5,
    detail: Annotated[int, typer.Option("--detail", help="sweep: how many of the listed designs get a full report "
                                                         "(cheapest first; 0 for none); sizing: 0 leaves out the "
                                                         "best design's")] = 1,
    no_sensitivity: Annotated[bool, typer.Option("--no-sensitivity", help="leave out the built-in ±20 % "
                                                                          "sensitivity study")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    """Write one self-contained HTML report (offline, printable) of a results file."""
    from gpdc.report.data import load
    from gpdc.report.html import render, write_html

    try:
        if designs < 1:
            raise ReportError("--designs", designs, "must be >= 1")
        if detail < 0:
            raise ReportError("--detail", detail, "must be >= 0")
        data = load(results, designs=designs, detail=detail)
        text = render(data, with_sensitivity=not no_sensitivity)
        written("report", write_html(out_path, text), f" ({len(text) / 1e6:.1f} MB)")
        if pdf is not None:
            from gpdc.io.atomic import atomic_path
            from gpdc.report.browser import open_page

            with open_page(out_path) as page:
                data_pdf = page.pdf()
            with atomic_path(pdf, "PDF") as tmp:
                tmp.write_bytes(data_pdf)
            written("PDF", pdf)
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI turns every error into a message
        fail(exc, debug)


@app.command()
def export(
    results: Annotated[Path, typer.Argument(help="results file of gpdc run, gpdc sweep or gpdc size")],
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="write an Excel workbook: summary (long form), "
                                                             "monthly, cash flow, hourly, assumptions")] = None,
    csv_long: Annotated[Path | None, typer.Option(
        "--csv-long", help="write every variable as tidy CSV (group, variable, dimensions, value, unit)")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    """Export a results file to Excel (--xlsx) and/or tidy CSV (--csv-long)."""
    from gpdc.report.xlsx import write_csv_long, write_xlsx

    try:
        if xlsx is None and csv_long is None:
            raise ReportError("gpdc export", "nothing to write", "give --xlsx FILE and/or --csv-long FILE")
        if xlsx is not None:
            written("workbook", write_xlsx(results, xlsx))
        if csv_long is not None:
            written("tidy CSV", write_csv_long(results, csv_long))
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI turns every error into a message
        fail(exc, debug)


@app.command()
def verify(
    record: Annotated[Path, typer.Argument(help="a delivery record (CSV of gpdc run --ledger), or a run file "
                                                "that keeps one")],
    head: Annotated[str | None, typer.Option("--head", help="the chain's head to expect (SHA-256, hex)")] = None,
    results: Annotated[Path | None, typer.Option(
        "--results", help="the run's results file: its recorded head and totals must match the record")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    """Check a green-power delivery record: its SHA-256 chain, every row's balance, the annual totals."""
    from gpdc.io.hdf5 import open_results
    from gpdc.report.ledger import DECIMALS, read_ledger, run_totals_of, verify_text

    try:
        text, recorded = read_ledger(record)
        expected = head or recorded
        run_totals = None
        if results is not None:
            with open_results(results) as ds:
                file_head = ds.attrs.get("ledger_sha256_head")
                run_totals = run_totals_of(ds.load())
            if file_head is None:
                raise ReportError("--results", str(results), "a run file that keeps a delivery record "
                                                           "(gpdc run --ledger)")
            if expected is not None and expected != str(file_head):
                raise ReportError("--head", expected, f"the head recorded in {results}: {file_head}")
            expected = str(file_head)
        check = verify_text(text, expected)
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI turns every error into a message
        fail(exc, debug)
        return
    if check.ok and run_totals is not None:
        years = list(check.totals)
        n = check.n_hourly
        bound = n * 0.5 * 10.0 ** -DECIMALS  # each row rounded to 1 Wh
        for col, want in run_totals.items():
            got = float(sum(check.totals[y][col] for y in years))
            if abs(got - want) > bound + 1e-9 * abs(want):
                check.ok = False
                check.reason = (f"the record's total {col} = {got:.6f} MWh differs from the run's {want:.6f} MWh by "
                                f"more than the rounding of {n} rows allows")
                break
    if not check.ok:
        err.print(styled((f"{record}: {check.message}", "bold red")), soft_wrap=True)
        raise typer.Exit(EXIT_ALTERED)
    out.print(styled((f"{record}: {check.message}", "green")), soft_wrap=True)
    if expected is None:
        note("no head to compare with (--head or --results): a record rewritten as a whole with a new chain would "
             "also pass")
    for year, sums in check.totals.items():
        out.print(f"{year}: " + ", ".join(f"{k} {v:,.3f}" for k, v in sums.items()), soft_wrap=True)
