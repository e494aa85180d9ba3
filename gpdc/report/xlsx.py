"""A results file as a workbook a finance team opens, and as tidy CSV: ``gpdc export``.

``gpdc export RUN.h5 --xlsx out.xlsx`` writes (openpyxl; ``pip install "gpdc[report]"``):

* ``summary`` — every total in long form: ``variable``, ``product`` (for per-product variables),
  ``value``, ``unit``, ``description`` and ``definition`` (the file's attributes, which come from
  :mod:`gpdc.results.registry`);
* ``monthly`` — the monthly energies and shares (:func:`gpdc.report.tables.monthly`);
* ``cash flow`` — the year-by-year cash flow against the grid-only baseline;
* ``hourly`` — the hourly traces, where the file holds them (``gpdc run --traces``);
* ``assumptions`` — every number taken from the scenario or the data tables, with its unit,
  source and confidence, and the sources of the hourly profiles;
* ``provenance`` — the file's attributes (gpdc version, input hash, scenario TOML, ...).

A sweep or sizing file (or a run over several weather years) gives one long-form sheet per
group (a row per design and variable), with the ``assumptions`` and ``provenance`` of its base
scenario.  ``--csv-long out.csv`` writes
every numeric variable of every group as tidy CSV: ``group, variable``, a column per dimension,
``value, unit, description``.  Both are written atomically.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from gpdc.errors import GpdcError, ReportError
from gpdc.io.atomic import atomic_path
from gpdc.io.hdf5 import list_groups, open_results
from gpdc.report import tables
from gpdc.report.data import RunData, kind_of, load_run

__all__ = ["MAX_ROWS", "SUMMARY_COLUMNS", "long_frame", "write_csv_long", "write_xlsx"]

#: the columns of the summary sheet
SUMMARY_COLUMNS = ("variable", "product", "value", "unit", "description", "definition")
#: rows a worksheet holds (Excel's limit, less the header)
MAX_ROWS = 1_048_575


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise GpdcError('Excel export needs openpyxl: pip install "gpdc[report]"') from None
    return openpyxl


def summary_rows(totals: xr.Dataset) -> list[tuple[Any, ...]]:
    """Every total of a run in long form (:data:`SUMMARY_COLUMNS`), one row per variable (and product)."""
    rows: list[tuple[Any, ...]] = []
    for name, da in totals.data_vars.items():
        unit = str(da.attrs.get("units", ""))
        desc = str(da.attrs.get("long_name", ""))
        definition = str(da.attrs.get("definition", ""))
        values = np.asarray(da.values, dtype=np.float64)
        if "product" in da.dims:
            for p, v in zip(totals["product"].values, values.reshape(-1), strict=True):
                rows.append((str(name), str(p), _cell(v), unit, desc, definition))
        else:
            rows.append((str(name), "", _cell(values.reshape(-1)[0]), unit, desc, definition))
    return rows


def _cell(v: Any) -> Any:
    """A value as a worksheet cell: floats (NaN as an empty cell), text as it is."""
    if isinstance(v, str | bytes):
        return v if isinstance(v, str) else v.decode()
    f = float(v)
    return None if np.isnan(f) else f


def _header(names: Iterable[str], ds: xr.Dataset) -> list[str]:
    return [f"{n} [{ds[n].attrs.get('units', '')}]" if n in ds else n for n in names]


def _numeric(ds: xr.Dataset) -> list[str]:
    return [str(n) for n, v in ds.data_vars.items() if v.dtype.kind in "fiub"]


def long_frame(ds: xr.Dataset, group: str) -> pd.DataFrame:
    """Every numeric variable of ``ds`` in tidy form.

    Columns: ``group, variable``, one per dimension, ``value, unit, description``.
    """
    parts = []
    for name in _numeric(ds):
        da = ds[name]
        if da.dims:
            df = da.reset_coords(drop=True).to_dataframe(name="value").reset_index()
        else:
            df = pd.DataFrame({"value": [float(da.values)]})
        df.insert(0, "variable", name)
        df.insert(0, "group", group)
        df["value"] = df["value"].astype(np.float64)
        df["unit"] = str(da.attrs.get("units", ""))
        df["description"] = str(da.attrs.get("long_name", ""))
        parts.append(df)
    if not parts:
        return pd.DataFrame(columns=["group", "variable", "value", "unit", "description"])
    out = pd.concat(parts, ignore_index=True)
    dims = [c for c in out.columns if c not in ("group", "variable", "value", "unit", "description")]
    return out[["group", "variable", *dims, "value", "unit", "description"]]


def _groups(path: Path) -> dict[str, xr.Dataset]:
    """Every group of a results file, loaded (the root as ``totals``)."""
    out = {}
    with open_results(path) as ds:
        out["totals"] = ds.load()
    for g in list_groups(path):
        if g == "sweep_ledger":
            continue
        with open_results(path, group=g) as ds:
            out[g] = ds.load()
    return out


def write_csv_long(path_in: str | Path, path_out: str | Path) -> Path:
    """Write every numeric variable of every group of a results file as one tidy CSV; return the path."""
    frames = [long_frame(ds, g) for g, ds in _groups(Path(path_in)).items()]
    df = pd.concat(frames, ignore_index=True)
    dims = [c for c in df.columns if c not in ("group", "variable", "value", "unit", "description")]
    df = df[["group", "variable", *dims, "value", "unit", "description"]]
    path_out = Path(path_out)
    with atomic_path(path_out, "CSV") as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        df.to_csv(fh, index=False)
    return path_out


def _sheet(wb: Any, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    ws = wb.create_sheet(title)
    ws.append(list(header))
    n = 0
    for row in rows:
        n += 1
        if n > MAX_ROWS:
            raise ReportError(f"sheet {title!r}", f"more than {MAX_ROWS:,} rows",
                              "a worksheet holds at most 1,048,576 rows: use --csv-long for this file")
        ws.append([_cell(v) if isinstance(v, float | np.floating) else v for v in row])


def _assumption_rows(attrs: dict[str, Any]) -> list[tuple[Any, ...]]:
    df = tables.assumptions(attrs)
    rows: list[tuple[Any, ...]] = [tuple(r) for r in df.itertuples(index=False)]
    rows += [(f"profile {k}", None, "", v, "") for k, v in tables.profile_sources(attrs)]
    return rows


def _provenance_rows(attrs: dict[str, Any]) -> list[tuple[str, Any]]:
    skip = ("resolved_inputs", "profile_sources")
    return [(str(k), str(v) if not isinstance(v, float | int) else v) for k, v in attrs.items() if k not in skip]


def _run_workbook(wb: Any, run: RunData, file_traces: bool) -> None:
    t = run.totals
    _sheet(wb, "summary", SUMMARY_COLUMNS, summary_rows(t))
    monthly = tables.monthly(run.traces, run.dt_h)
    units = ["MWh"] * (len(monthly.columns) - 2) + ["1", "1"]
    _sheet(wb, "monthly", ["month", *[f"{c} [{u}]" for c, u in zip(monthly.columns, units, strict=True)]],
           ([m, *r] for m, r in zip(monthly.index, monthly.itertuples(index=False), strict=True)))
    cf = run.cash_flow
    names = [str(n) for n in cf.data_vars]
    _sheet(wb, "cash flow", ["project_year", *_header(names, cf)],
           ([int(y), *(float(cf[n].values[i]) for n in names)] for i, y in enumerate(cf["project_year"].values)))
    if file_traces:
        tr = run.traces
        names = _numeric(tr)
        times = tr["time"].to_index()
        cols = [np.asarray(tr[n].values, dtype=np.float64) for n in names]
        _sheet(wb, "hourly", ["time (local)", *_header(names, tr)],
               ([times[i].to_pydatetime(), *(float(c[i]) for c in cols)] for i in range(len(times))))
    attrs = dict(t.attrs)
    _sheet(wb, "assumptions", tables.ASSUMPTION_COLUMNS, _assumption_rows(attrs))
    _sheet(wb, "provenance", ("attribute", "value"), _provenance_rows(attrs))


def _study_workbook(wb: Any, groups: dict[str, xr.Dataset]) -> None:
    root = groups["totals"]
    for g, ds in groups.items():
        df = long_frame(ds, g)
        title = "summary" if g == "totals" else g[:31]
        _sheet(wb, title, list(df.columns), df.itertuples(index=False, name=None))
    attrs = dict(root.attrs)
    if "resolved_inputs" in attrs:
        _sheet(wb, "assumptions", tables.ASSUMPTION_COLUMNS, _assumption_rows(attrs))
    _sheet(wb, "provenance", ("attribute", "value"), _provenance_rows(attrs))


def write_xlsx(path_in: str | Path, path_out: str | Path) -> Path:
    """Write a results file as an Excel workbook (see the module docstring); return the path.

    Raises
    ------
    GpdcError
        If openpyxl is missing, the file cannot be read, or a sheet would exceed Excel's rows.
    """
    openpyxl = _openpyxl()
    path_in, path_out = Path(path_in), Path(path_out)
    wb = openpyxl.Workbook(write_only=True)
    with open_results(path_in) as ds:
        kind = kind_of(dict(ds.attrs))
        ensemble = "weather_year" in ds.dims
    if kind == "run" and not ensemble:
        import warnings

        from gpdc.errors import ConsistencyWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConsistencyWarning)
            run = load_run(path_in)
        _run_workbook(wb, run, "traces" not in run.recomputed)
    else:
        _study_workbook(wb, _groups(path_in))
    with atomic_path(path_out, "workbook") as tmp:
        wb.save(tmp)
    return path_out


def read_summary(path: str | Path) -> dict[str, tuple[Any, str]]:
    """The summary sheet of a workbook as ``{variable or variable[product]: (value, unit)}`` (for checks)."""
    openpyxl = _openpyxl()
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb["summary"].iter_rows(values_only=True))
    head = list(rows[0])
    out = {}
    for r in rows[1:]:
        d = dict(zip(head, r, strict=True))
        key = d["variable"] + (f"[{d['product']}]" if d.get("product") else "")
        out[key] = (d["value"], d["unit"])
    wb.close()
    return out

