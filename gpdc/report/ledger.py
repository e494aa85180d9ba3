"""The green-power delivery record: every hour's green energy, chained by SHA-256 so that any change shows.

``gpdc run --ledger ledger.csv`` writes, for every step of a run, the green energy generated,
curtailed by the line, lost on it, delivered over it to the user, used at once, stored and
released, exported and curtailed at the user's bus, the user's grid import and load — and one
totals row per calendar year.  Each row carries the SHA-256 of the previous row's hash, a line
feed and its own text (a hash chain, as in a blockchain or Git's history); the first row's
previous hash is the SHA-256 of the header above it, so the header is covered too.  The last
hash, the chain's *head*, is stored in the results file's attributes (``ledger_sha256_head``),
and the same record is kept in the file's group ``ledger``.

:func:`verify_text` (``gpdc verify``) recomputes the chain, the energy balance of every row and
the annual totals, and names the first row where anything differs: a changed number, time or
hash; a removed, inserted or reordered row; a truncated record.  A record rewritten as a whole
with a new chain is internally consistent — only the head held elsewhere (the results file, a
certificate application, an auditor's copy) shows that; see docs/ledger.md for what the record
does and does not prove.

Numbers are written with 6 decimals of MWh (1 Wh); the totals rows are exact decimal sums of the
hourly rows as written, so a run's totals and its record's agree to that rounding (at most half
a watt-hour per row).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from gpdc.errors import GpdcError, LedgerError
from gpdc.io.atomic import atomic_path
from gpdc.results.lazy_dask import defer_dask
from gpdc.results.registry import LEDGER_ROW, LEDGER_VARIABLES, attrs_of

defer_dask()  # its Datasets built without importing dask (gpdc.results.lazy_dask)

__all__ = [
    "COLUMNS", "FORMAT", "Ledger", "LedgerCheck", "LedgerError", "build_ledger", "ledger_dataset",
    "ledger_from_run", "ledger_text_of", "read_ledger", "run_totals_of", "verify_text", "write_ledger_csv",
]

#: the first line of every record: what it is and its format version
FORMAT = "gpdc green-power delivery record, format 1"
#: the energy columns, in order (units and meanings: :data:`gpdc.results.registry.LEDGER_VARIABLES`)
COLUMNS: tuple[str, ...] = tuple(LEDGER_VARIABLES)
#: every column of a row, the hash last
HEADER_COLUMNS: tuple[str, ...] = ("row", "time_start", *COLUMNS, "sha256")
#: label of a totals row (its ``time_start`` holds the calendar year)
TOTAL = "total"
#: decimals of MWh written (1 Wh)
DECIMALS = 6
_HALF_UNIT = Decimal(1).scaleb(-DECIMALS) / 2

#: identities every row satisfies to rounding: (left column, right columns)
BALANCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("generation_mwh", ("curtailed_line_mwh", "line_loss_mwh", "delivered_mwh")),
    ("delivered_mwh", ("used_directly_mwh", "stored_mwh", "exported_mwh", "curtailed_bus_mwh")),
)

#: each column as a sum of a run's totals (a leading "-" subtracts): the record's totals equal these
RUN_TOTALS: dict[str, tuple[str, ...]] = {
    "generation_mwh": ("gen_avail_mwh",),
    "curtailed_line_mwh": ("curtail_line_mwh",),
    "line_loss_mwh": ("line_loss_mwh",),
    "delivered_mwh": ("gen_avail_mwh", "-curtail_line_mwh", "-line_loss_mwh"),
    "used_directly_mwh": ("direct_mwh",),
    "stored_mwh": ("charge_green_mwh",),
    "released_mwh": ("discharge_green_mwh",),
    "exported_mwh": ("export_mwh",),
    "curtailed_bus_mwh": ("curtail_bus_mwh",),
    "grid_import_mwh": ("import_mwh",),
    "load_mwh": ("load_mwh",),
}

CHAIN_RULE = ("sha256: SHA-256 (UTF-8) of the previous row's sha256, a line feed, and this row's text before "
              "',sha256'; the first row's previous hash is the SHA-256 of every line above it, these comment "
              "lines and the column names included, each ending in a line feed")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _num(x: float) -> str:
    """A number as the record writes it: 6 decimals, no negative zero."""
    s = f"{x:.{DECIMALS}f}"
    return s[1:] if s.startswith("-") and not s.strip("-0.") else s


def _clean(text: str) -> str:
    return " ".join(str(text).split())


@dataclass(frozen=True)
class Ledger:
    """A delivery record: its header, its rows as text, and their hashes.

    Attributes
    ----------
    header : str
        The comment lines and the column names, each ending in a line feed.
    lines : tuple of str
        Every row as written (hourly rows, then one totals row per calendar year), hash last.
    n_hourly : int
        Number of hourly rows (steps).
    """

    header: str
    lines: tuple[str, ...]
    n_hourly: int

    @property
    def head(self) -> str:
        """The chain's head: the last row's SHA-256 (hex)."""
        return self.lines[-1].rsplit(",", 1)[1]

    @property
    def text(self) -> str:
        """The record as a CSV text (header, then rows)."""
        return self.header + "".join(line + "\n" for line in self.lines)

    def frame(self) -> pd.DataFrame:
        """Every row as a DataFrame: ``row``, ``time_start``, the energy columns (float [MWh]), ``sha256``."""
        df = pd.read_csv(io.StringIO("".join(line + "\n" for line in self.lines)), header=None,
                         names=list(HEADER_COLUMNS), dtype=str, keep_default_na=False)
        for c in COLUMNS:
            df[c] = df[c].astype(np.float64)
        return df


def build_ledger(time: pd.DatetimeIndex, flows: Mapping[str, np.ndarray], meta: Mapping[str, str],
                 step_h: float = 1.0) -> Ledger:
    """Return the delivery record of hourly flows.

    Parameters
    ----------
    time : pandas.DatetimeIndex
        Local start of each step (no time zone: the zone is named in ``meta``).
    flows : mapping of str to ndarray
        Every column of :data:`COLUMNS`, float64[n_steps] [MWh per step].
    meta : mapping of str to str
        Header lines ``key: value`` after the format line, e.g. scenario, source, timezone.
    step_h : float
        Step length [h].

    Raises
    ------
    LedgerError
        If a column is missing, has the wrong length or holds a non-finite number.
    """
    n = len(time)
    cols: dict[str, list[str]] = {}
    for name in COLUMNS:
        if name not in flows:
            raise LedgerError(f"flows[{name!r}]", None, f"every column is needed: {', '.join(COLUMNS)}")
        x = np.asarray(flows[name], dtype=np.float64)
        if x.shape != (n,):
            raise LedgerError(f"flows[{name!r}]", f"shape {x.shape}", f"one value per step, shape ({n},)")
        if not np.all(np.isfinite(x)):
            i = int(np.flatnonzero(~np.isfinite(x))[0])
            raise LedgerError(f"flows[{name!r}][{i}]", float(x[i]), "must be a finite number [MWh]")
        cols[name] = [_num(v) for v in x.tolist()]
    stamps = [t.strftime("%Y-%m-%dT%H:%M") for t in time]
    head_lines = [f"# {FORMAT}"] + [f"# {k}: {_clean(v)}" for k, v in meta.items()] + [
        f"# step_h: {step_h:g}",
        f"# rows: {n}",
        f"# energies: MWh per row, {DECIMALS} decimals (1 Wh); a totals row per calendar year sums its hourly "
        "rows as written",
        f"# {CHAIN_RULE}",
        ",".join(HEADER_COLUMNS),
    ]
    header = "".join(line + "\n" for line in head_lines)
    prev = _sha(header)
    lines: list[str] = []
    for k in range(n):
        text = ",".join([str(k + 1), stamps[k], *(cols[c][k] for c in COLUMNS)])
        prev = _sha(f"{prev}\n{text}")
        lines.append(f"{text},{prev}")
    for year, total in _year_totals(stamps, cols).items():
        text = ",".join([TOTAL, year, *(f"{total[c]:.{DECIMALS}f}" for c in COLUMNS)])
        prev = _sha(f"{prev}\n{text}")
        lines.append(f"{text},{prev}")
    return Ledger(header, tuple(lines), n)


def _year_totals(stamps: list[str], cols: Mapping[str, list[str]]) -> dict[str, dict[str, Decimal]]:
    """Exact decimal sums of the columns per calendar year of ``time_start``, years in order."""
    out: dict[str, dict[str, Decimal]] = {}
    for k, stamp in enumerate(stamps):
        year = stamp[:4]
        acc = out.setdefault(year, {c: Decimal(0) for c in COLUMNS})
        for c in COLUMNS:
            acc[c] += Decimal(cols[c][k])
    return dict(sorted(out.items()))


def ledger_from_run(totals: xr.Dataset, traces: xr.Dataset) -> Ledger:
    """Return the delivery record of a run from its hourly traces (``gpdc run --ledger``).

    The header names the scenario, how the numbers were made (gpdc's version and the run's
    ``inputs_sha256``), the sources of the profiles (simulated weather, or the metered CSV the
    scenario reads), the time zone and the step.
    """
    step_h = float(totals.attrs.get("dt_h", 1.0))

    def tr(name: str) -> np.ndarray:
        return np.asarray(traces[name].values, dtype=np.float64)

    gen, cl, loss = tr("gen_avail_mwh"), tr("curtail_line_mwh"), tr("line_loss_mwh")
    flows = {
        "generation_mwh": gen, "curtailed_line_mwh": cl, "line_loss_mwh": loss, "delivered_mwh": gen - cl - loss,
        "used_directly_mwh": tr("direct_mwh"), "stored_mwh": tr("charge_green_mwh"),
        "released_mwh": tr("discharge_green_mwh"), "exported_mwh": tr("export_mwh"),
        "curtailed_bus_mwh": tr("curtail_bus_mwh"), "grid_import_mwh": tr("import_mwh"),
        "load_mwh": tr("load_mw") * step_h,
    }
    meta = {
        "scenario": str(totals.attrs.get("scenario_name", "")),
        "source": (f"hourly dispatch computed by gpdc {totals.attrs.get('gpdc_version', '?')} from inputs with "
                   f"SHA-256 {totals.attrs.get('inputs_sha256', '?')}"),
    }
    for name, text in json.loads(str(totals.attrs.get("profile_sources", "{}"))).items():
        meta[f"profile {name}"] = str(text)
    meta["timezone"] = f"{traces['time'].attrs.get('timezone', '')} (time_start: local start of each step)"
    return build_ledger(traces["time"].to_index(), flows, meta, step_h)


def run_totals_of(totals: xr.Dataset) -> dict[str, float]:
    """A run's totals in the record's columns [MWh]: what the record's totals rows must equal to rounding."""
    out = {}
    for col, parts in RUN_TOTALS.items():
        value = 0.0
        for p in parts:
            v = float(totals[p.lstrip("-")].values)
            value += -v if p.startswith("-") else v
        out[col] = value
    return out


def write_ledger_csv(path: str | Path, ledger: Ledger) -> Path:
    """Write the record as CSV (UTF-8, line feeds) atomically; return the path."""
    path = Path(path)
    with atomic_path(path, "delivery record") as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write(ledger.text)
    return path


def ledger_dataset(ledger: Ledger) -> xr.Dataset:
    """The record as a Dataset for the results file's group ``ledger`` (dimension ``row``).

    The energy columns as float64 with their units, ``row_label`` and ``time_start`` as text,
    ``sha256``, and ``line``: each row exactly as written, from which (with the attribute
    ``header``) :func:`ledger_text_of` gives back the CSV text to verify.
    """
    df = ledger.frame()
    data = {name: xr.Variable((LEDGER_ROW,), df[name].to_numpy(np.float64), attrs_of(name, kind="ledger"))
            for name in COLUMNS}
    text_vars = {
        "row_label": (df["row"].to_numpy(str), "the row's number, or 'total' for a calendar year's totals"),
        "time_start": (df["time_start"].to_numpy(str), "local start of the step, or the year of a totals row"),
        "sha256": (df["sha256"].to_numpy(str), "the chain's hash after this row"),
        "line": (np.asarray(ledger.lines, dtype=str), "the row exactly as written in the CSV record"),
    }
    for name, (values, long_name) in text_vars.items():
        data[name] = xr.Variable((LEDGER_ROW,), values.astype(object), {"long_name": long_name})
    return xr.Dataset(data, attrs={"header": ledger.header, "sha256_head": ledger.head,
                                   "hourly_rows": ledger.n_hourly, "description": FORMAT})


def ledger_text_of(ds: xr.Dataset) -> str:
    """The CSV text of a record kept in a results file's group ``ledger`` (:func:`ledger_dataset`)."""
    return str(ds.attrs["header"]) + "".join(f"{line}\n" for line in ds["line"].values.tolist())


def read_ledger(path: str | Path) -> tuple[str, str | None]:
    """Return (the record's CSV text, the head recorded beside it or None) from a CSV or a results file.

    A results file (``.h5``/``.nc``) gives its group ``ledger`` and its ``ledger_sha256_head``.

    Raises
    ------
    LedgerError
        If the file cannot be read or holds no record.
    """
    path = Path(path)
    if path.suffix.lower() in (".h5", ".nc", ".hdf5"):
        from gpdc.io.hdf5 import LEDGER_GROUP, open_results

        with open_results(path) as root:
            head = root.attrs.get("ledger_sha256_head")
        try:
            with open_results(path, group=LEDGER_GROUP) as ds:
                return ledger_text_of(ds.load()), (str(head) if head is not None else None)
        except GpdcError:
            raise LedgerError(str(path), "no group 'ledger'", "a run file written by gpdc run --ledger") from None
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return fh.read(), None
    except OSError as exc:
        raise LedgerError(str(path), "unreadable", f"a readable delivery record ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise LedgerError(str(path), "not UTF-8 text", "a delivery record written by gpdc run --ledger") from None


@dataclass
class LedgerCheck:
    """What :func:`verify_text` found.

    Attributes
    ----------
    ok : bool
        The chain, every row's balance and the totals are intact (and the head is the expected one).
    bad_row : int or None
        The first row (1-based, in file order; hourly rows first, then the totals rows) where
        something differs; 0 for the header; None when nothing or only the head differs.
    bad_line : int or None
        That row's line number in the file.
    reason : str
        What differs, in words ("" when ok).
    head : str
        The head of the chain recomputed from the rows.
    n_hourly : int
        Hourly rows read.
    totals : dict
        Per calendar year, each column's sum over the hourly rows as read [MWh] (exact decimals).
    """

    ok: bool
    bad_row: int | None = None
    bad_line: int | None = None
    reason: str = ""
    head: str = ""
    n_hourly: int = 0
    totals: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """One line for people: intact, or where and what."""
        if self.ok:
            return f"intact: {self.n_hourly} hourly rows, head {self.head}"
        where = ("the header" if self.bad_row == 0 else f"row {self.bad_row}" if self.bad_row is not None
                 else "the record as a whole")
        line = f" (line {self.bad_line})" if self.bad_line is not None else ""
        return f"altered: first bad row: {where}{line}: {self.reason}"


def _fail(k: int | None, line: int | None, reason: str, head: str = "", n: int = 0) -> LedgerCheck:
    return LedgerCheck(False, k, line, reason, head, n)


def verify_text(text: str, expected_head: str | None = None) -> LedgerCheck:
    """Verify a delivery record: its chain, each row's energy balance, the annual totals, the head.

    Parameters
    ----------
    text : str
        The record's CSV text.
    expected_head : str, optional
        The head recorded elsewhere (the results file's ``ledger_sha256_head``): a record
        rewritten with a new chain passes every other check but not this one.

    Returns
    -------
    LedgerCheck
        ``ok``, or the first bad row (rows counted from 1 after the header, the header being 0),
        its line number and what differs.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    h = 0
    while h < len(lines) and lines[h].startswith("#"):
        h += 1
    if h >= len(lines) or not lines or lines[0] != f"# {FORMAT}":
        return _fail(0, 1, f"not a record of this format: the first line must read '# {FORMAT}'")
    if lines[h] != ",".join(HEADER_COLUMNS):
        return _fail(0, h + 1, f"the column names differ from {','.join(HEADER_COLUMNS)}")
    header = "".join(line + "\n" for line in lines[: h + 1])
    match = next((re.fullmatch(r"# rows: (\d+)", line) for line in lines[:h] if line.startswith("# rows: ")), None)
    if match is None:
        return _fail(0, h, "the header does not state the number of rows ('# rows: N')")
    n_stated = int(match.group(1))
    rows = lines[h + 1:]
    prev = _sha(header)
    sums: dict[str, dict[str, Decimal]] = {}
    last_time = ""
    n_hourly = 0
    years_done: list[str] = []
    for k, line in enumerate(rows, start=1):
        lineno = h + 1 + k
        fields = next(csv.reader([line]))
        if len(fields) != len(HEADER_COLUMNS):
            return _fail(k, lineno, f"{len(fields)} fields where {len(HEADER_COLUMNS)} are expected", prev, n_hourly)
        label, stamp, stated = fields[0], fields[1], fields[-1]
        content = line[: line.rfind(",")]
        hourly = k <= n_stated
        if hourly and label != str(k):
            return _fail(k, lineno, f"row number {label!r} where {k} is expected: rows were removed, inserted or "
                                    "reordered", prev, n_hourly)
        if not hourly and label != TOTAL:
            return _fail(k, lineno, f"row {label!r} after the {n_stated} hourly rows the header states, where a "
                                    f"'{TOTAL}' row is expected", prev, n_hourly)
        prev = _sha(f"{prev}\n{content}")
        if stated != prev:
            return _fail(k, lineno, "its sha256 does not match its content and the previous row's hash: the row "
                                    "(or its hash) was altered", prev, n_hourly)
        try:
            values = {c: Decimal(v) for c, v in zip(COLUMNS, fields[2:-1], strict=True)}
        except InvalidOperation:
            return _fail(k, lineno, "a value is not a number", prev, n_hourly)
        if not all(v.is_finite() for v in values.values()):
            return _fail(k, lineno, "a value is not a finite number", prev, n_hourly)
        for left, right in BALANCES if hourly else ():  # a totals row is checked against the sums below
            gap = values[left] - sum((values[c] for c in right), Decimal(0))
            if abs(gap) > _HALF_UNIT * (1 + len(right)):
                return _fail(k, lineno, f"{left} differs from {' + '.join(right)} by {gap} MWh (more than the "
                                        "rounding allows)", prev, n_hourly)
        if hourly:
            if stamp <= last_time:
                return _fail(k, lineno, f"time_start {stamp} does not follow {last_time}", prev, n_hourly)
            last_time = stamp
            acc = sums.setdefault(stamp[:4], {c: Decimal(0) for c in COLUMNS})
            for c in COLUMNS:
                acc[c] += values[c]
            n_hourly += 1
            continue
        expected_years = sorted(sums)
        i = len(years_done)
        if i >= len(expected_years) or stamp != expected_years[i]:
            return _fail(k, lineno, f"a totals row for {stamp!r} where {expected_years[i:i + 1] or 'none'} is "
                                    "expected", prev, n_hourly)
        for c in COLUMNS:
            if values[c] != sums[stamp][c]:
                return _fail(k, lineno, f"the {stamp} total of {c} is {values[c]}, the hourly rows sum to "
                                        f"{sums[stamp][c]:.{DECIMALS}f}", prev, n_hourly)
        years_done.append(stamp)
    if n_hourly < n_stated:
        return _fail(len(rows) + 1, None, f"the record ends after {n_hourly} of the {n_stated} hourly rows its "
                                          "header states: rows were removed", prev, n_hourly)
    missing = [y for y in sorted(sums) if y not in years_done]
    if missing:
        return _fail(len(rows) + 1, None, f"no totals row for {', '.join(missing)}: rows were removed", prev, n_hourly)
    if expected_head is not None and prev != expected_head:
        return LedgerCheck(False, None, None, f"every row is consistent, but the head {prev} differs from the "
                                              f"recorded head {expected_head}: the record was rewritten as a whole, "
                                              "or belongs to another run", prev, n_hourly, sums)
    return LedgerCheck(True, None, None, "", prev, n_hourly, sums)
