"""The green-power delivery record: its hash chain, what verification catches, and its totals against the run's."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from gpdc.cli import app
from gpdc.report.ledger import (
    COLUMNS,
    DECIMALS,
    build_ledger,
    read_ledger,
    run_totals_of,
    verify_text,
    write_ledger_csv,
)

from .conftest import DATACENTRE

runner = CliRunner()


def flat(text: str) -> str:
    return " ".join(text.split())


def small_ledger(n: int = 30, seed: int = 7):  # noqa: ANN201 - a Ledger
    """``n`` hours across a new year (so two totals rows), every row balanced as the dispatch balances it."""
    rng = np.random.default_rng(seed)
    time = pd.date_range("2024-12-31 12:00", periods=n, freq="h")
    gen = rng.uniform(0.0, 300.0, n)
    cl = np.where(gen > 250.0, gen - 250.0, 0.0)
    loss = 0.02 * (gen - cl)
    delivered = gen - cl - loss
    load = rng.uniform(50.0, 120.0, n)
    direct = np.minimum(delivered, load)
    surplus = delivered - direct
    stored = 0.5 * surplus
    exported = 0.3 * surplus
    flows = {
        "generation_mwh": gen, "curtailed_line_mwh": cl, "line_loss_mwh": loss, "delivered_mwh": delivered,
        "used_directly_mwh": direct, "stored_mwh": stored, "released_mwh": rng.uniform(0.0, 5.0, n),
        "exported_mwh": exported, "curtailed_bus_mwh": surplus - stored - exported,
        "grid_import_mwh": np.maximum(load - direct, 0.0), "load_mwh": load,
    }
    return build_ledger(time, flows, {"scenario": "test, 30 h", "timezone": "Asia/Shanghai"})


LEDGER = small_ledger()
ROWS = LEDGER.text.splitlines()
HEADER_LINES = LEDGER.header.count("\n")
N_DATA = len(LEDGER.lines)  # 30 hourly rows + 2 totals rows


def with_rows(rows: list[str]) -> str:
    return LEDGER.header + "".join(r + "\n" for r in rows)


def test_an_untouched_record_verifies_with_its_head_and_exact_totals() -> None:
    check = verify_text(LEDGER.text, LEDGER.head)
    assert check.ok, check.message
    assert check.n_hourly == 30 and check.head == LEDGER.head
    assert sorted(check.totals) == ["2024", "2025"]
    # the totals rows are the exact decimal sums of the hourly rows as written
    hourly = [line.split(",") for line in LEDGER.lines if not line.startswith("total")]
    for fields in (line.split(",") for line in LEDGER.lines if line.startswith("total")):
        year = fields[1]
        for k, c in enumerate(COLUMNS, start=2):
            want = sum((Decimal(r[k]) for r in hourly if r[1].startswith(year)), Decimal(0))
            assert Decimal(fields[k]) == want == check.totals[year][c]
    assert [line[:10] for line in LEDGER.lines[-2:]] == ["total,2024", "total,2025"]


@settings(max_examples=150)
@given(st.data())
def test_any_single_altered_number_is_caught_at_its_row(data: st.DataObject) -> None:
    k = data.draw(st.integers(1, N_DATA), label="row")
    col = data.draw(st.integers(2, 2 + len(COLUMNS) - 1), label="column")
    fields = LEDGER.lines[k - 1].split(",")
    new = data.draw(st.decimals(min_value=0, max_value=10**6, places=DECIMALS, allow_nan=False, allow_infinity=False)
                    .map(lambda d: f"{d:.{DECIMALS}f}").filter(lambda s: s != fields[col]), label="new value")
    fields[col] = new
    rows = list(LEDGER.lines)
    rows[k - 1] = ",".join(fields)
    check = verify_text(with_rows(rows))
    assert not check.ok
    assert check.bad_row == k, check.message
    assert check.bad_line == HEADER_LINES + k
    assert f"row {k} (line {HEADER_LINES + k})" in check.message


@settings(max_examples=100)
@given(st.data())
def test_reordered_rows_are_caught_at_the_first_moved_row(data: st.DataObject) -> None:
    i = data.draw(st.integers(1, N_DATA - 1), label="first")
    j = data.draw(st.integers(i + 1, N_DATA), label="second")
    rows = list(LEDGER.lines)
    rows[i - 1], rows[j - 1] = rows[j - 1], rows[i - 1]
    check = verify_text(with_rows(rows))
    assert not check.ok
    assert check.bad_row == i, check.message


@settings(max_examples=60)
@given(st.integers(1, N_DATA))
def test_a_removed_row_is_caught_where_it_was(k: int) -> None:
    rows = list(LEDGER.lines)
    del rows[k - 1]
    check = verify_text(with_rows(rows))
    assert not check.ok
    assert check.bad_row == k, check.message


def test_the_header_is_covered_and_a_rewritten_record_shows_only_by_its_head() -> None:
    altered = LEDGER.text.replace("# scenario: test, 30 h", "# scenario: another project")
    check = verify_text(altered)
    assert not check.ok and check.bad_row == 1  # the first row's previous hash is the header's
    # a forger who rebuilds the chain over changed numbers gets a consistent record ...
    forged = small_ledger(seed=8)
    assert verify_text(forged.text).ok
    # ... whose head is not the one recorded with the run
    check = verify_text(forged.text, LEDGER.head)
    assert not check.ok and check.bad_row is None
    assert "head" in check.reason


def test_a_rehashed_change_of_one_number_breaks_that_rows_energy_balance() -> None:
    # change a generation figure and recompute every hash after it: the chain is intact, the balance is not
    import hashlib

    rows = list(LEDGER.lines)
    k = 5
    fields = rows[k - 1].split(",")
    fields[2] = f"{Decimal(fields[2]) + 10:.{DECIMALS}f}"
    rows[k - 1] = ",".join(fields)
    prev = LEDGER.lines[k - 2].rsplit(",", 1)[1]
    for i in range(k - 1, len(rows)):
        text = rows[i].rsplit(",", 1)[0]
        prev = hashlib.sha256(f"{prev}\n{text}".encode()).hexdigest()
        rows[i] = f"{text},{prev}"
    check = verify_text(with_rows(rows))
    assert not check.ok and check.bad_row == k
    assert "generation_mwh differs" in check.reason


def test_a_changed_total_is_caught_at_the_totals_row() -> None:
    import hashlib

    rows = list(LEDGER.lines)
    fields = rows[-1].split(",")
    fields[2] = f"{Decimal(fields[2]) + 1:.{DECIMALS}f}"
    text = ",".join(fields[:-1])
    prev = rows[-2].rsplit(",", 1)[1]
    digest = hashlib.sha256((prev + "\n" + text).encode()).hexdigest()
    rows[-1] = f"{text},{digest}"  # rehashed: only the sum is off
    check = verify_text(with_rows(rows))
    assert not check.ok and check.bad_row == N_DATA
    assert "the 2025 total of generation_mwh" in check.reason


@pytest.fixture(scope="module")
def run_with_ledger(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("ledger")
    h5, csv = folder / "dc.h5", folder / "dc_ledger.csv"
    res = runner.invoke(app, ["run", str(DATACENTRE), "--out", str(h5), "--ledger", str(csv)])
    assert res.exit_code == 0, res.output
    assert "delivery record written to" in flat(res.output)
    return h5, csv


def test_run_ledger_totals_equal_the_runs_totals(run_with_ledger: tuple[Path, Path]) -> None:
    import xarray as xr

    h5, csv = run_with_ledger
    text, recorded = read_ledger(csv)
    assert recorded is None  # a CSV carries no head beside it; the results file does
    with xr.open_dataset(h5, engine="h5netcdf") as ds:
        head = str(ds.attrs["ledger_sha256_head"])
        totals = ds.load()
    check = verify_text(text, head)
    assert check.ok, check.message
    assert check.n_hourly == 8760
    run = run_totals_of(totals)
    bound = 8760 * 0.5 * 10.0 ** -DECIMALS  # each hourly value rounded to 1 Wh
    for col, want in run.items():
        got = float(check.totals["2025"][col])
        assert abs(got - want) <= bound + 1e-9 * abs(want), (col, got, want)
    # the energy used on site in the record is the run's self-used green energy
    used = float(check.totals["2025"]["used_directly_mwh"] + check.totals["2025"]["released_mwh"])
    assert used == pytest.approx(float(totals["self_used_mwh"]), abs=2 * bound)
    # the copy inside the results file is the same record
    in_file, file_head = read_ledger(h5)
    assert in_file == text and file_head == head


def test_gpdc_verify_accepts_the_record_and_names_the_first_altered_row(run_with_ledger: tuple[Path, Path],
                                                                        tmp_path: Path) -> None:
    h5, csv = run_with_ledger
    res = runner.invoke(app, ["verify", str(csv), "--results", str(h5)])
    assert res.exit_code == 0, res.output
    assert "intact: 8760 hourly rows" in flat(res.output)
    res = runner.invoke(app, ["verify", str(h5)])
    assert res.exit_code == 0, res.output
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.startswith("100,"))
    fields = lines[first].split(",")
    fields[6] = f"{Decimal(fields[6]) + Decimal('0.001'):.{DECIMALS}f}"  # 1 kWh more used directly in hour 100
    lines[first] = ",".join(fields)
    bad = tmp_path / "bad.csv"
    bad.write_text("".join(lines), encoding="utf-8")
    res = runner.invoke(app, ["verify", str(bad)])
    assert res.exit_code == 1
    assert f"first bad row: row 100 (line {first + 1})" in flat(res.output)
    res = runner.invoke(app, ["verify", str(tmp_path / "missing.csv")])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_gpdc_verify_with_the_wrong_head_fails(run_with_ledger: tuple[Path, Path]) -> None:
    _, csv = run_with_ledger
    res = runner.invoke(app, ["verify", str(csv), "--head", "0" * 64])
    assert res.exit_code == 1
    assert "rewritten as a whole" in flat(res.output)


def test_metered_generation_and_load_through_the_profile_csv(tmp_path: Path) -> None:
    """Metered hourly MWh, as capacity factors of the nameplate, give a record of the metered generation."""
    import xarray as xr

    time = pd.date_range("2025-01-01", periods=8760, freq="h")
    h = np.arange(8760)
    wind_mwh = 250.0 * np.clip(0.35 + 0.25 * np.sin(h / 37.0) + 0.1 * np.cos(h / 5.0), 0.0, 1.0)
    solar_mwh = 150.0 * np.clip(np.sin((h % 24 - 6) / 12.0 * np.pi), 0.0, None) * 0.8
    load_mwh = 85.0 + 5.0 * np.sin(h / 24.0 * 2 * np.pi)
    meters = tmp_path / "meters.csv"
    pd.DataFrame({"time": time.strftime("%Y-%m-%d %H:%M"), "cf_wind": wind_mwh / 250.0,
                  "cf_solar": solar_mwh / 150.0, "load_mw": load_mwh}).to_csv(meters, index=False)
    h5, csv = tmp_path / "metered.h5", tmp_path / "metered_ledger.csv"
    res = runner.invoke(app, ["run", str(DATACENTRE), "--out", str(h5), "--ledger", str(csv),
                              "--set", 'profiles.source="csv"', "--set", f'profiles.csv_path="{meters}"'])
    assert res.exit_code == 0, res.output
    text = csv.read_text(encoding="utf-8")
    header = text.split("\nrow,time_start")[0]
    assert f"# profile cf_wind: CSV file {meters.resolve()} (sha256 " in header  # the meter export it came from
    check = verify_text(text)
    assert check.ok, check.message
    df = pd.read_csv(csv, comment="#")
    hourly = df[df["row"] != "total"]
    np.testing.assert_allclose(hourly["generation_mwh"].to_numpy(float), wind_mwh + solar_mwh, atol=1e-6)
    np.testing.assert_allclose(hourly["load_mwh"].to_numpy(float), load_mwh, atol=1e-6)
    with xr.open_dataset(h5, engine="h5netcdf") as ds:
        assert str(ds.attrs["ledger_sha256_head"]) == check.head


def test_write_ledger_csv_is_atomic_and_round_trips(tmp_path: Path) -> None:
    path = write_ledger_csv(tmp_path / "sub" / "l.csv", LEDGER)
    assert path.read_text(encoding="utf-8") == LEDGER.text
    assert not [p for p in path.parent.iterdir() if p.name != "l.csv"]  # no temporary file left behind


def test_a_record_needs_every_column_finite() -> None:
    from gpdc.errors import LedgerError

    with pytest.raises(LedgerError, match="must be a finite number"):
        build_ledger(pd.date_range("2025-01-01", periods=2, freq="h"),
                     {c: np.array([1.0, np.nan]) for c in COLUMNS}, {})
    with pytest.raises(LedgerError, match="every column is needed"):
        build_ledger(pd.date_range("2025-01-01", periods=2, freq="h"), {}, {})
