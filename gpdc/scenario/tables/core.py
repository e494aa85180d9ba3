"""The core of gpdc's reference data tables: reading, validation and the one row lookup.

This package is the only code that reads the CSV files in ``gpdc/scenario/data/``.  Every
number from the world lives in one of those files, next to its source, its confidence label
and a note; the functions below return it together with that provenance.

Tables (one CSV each, header row first, columns ``source``, ``confidence`` and ``note`` in
every table):

==========================  ===============================================================
file                        content
==========================  ===============================================================
``policy_rules.csv``        GPDC thresholds (self-use, green share of load, export cap) [1]
``emission_factors.csv``    grid CO2 factors by basis, region and year [t CO2/MWh]
``coal_rates.csv``          coal use per kWh of thermal power [g ce/kWh]
``provinces.csv``           per-province tariff adders [yuan/MWh], TOU schedule, regions
``tou_schedules.csv``       time-of-use bands and multipliers relative to flat [1]
``costs.csv``               capex, O&M, lifetimes (unit in the table)
``carbon_market.csv``       EU carbon price, exchange rate, China carbon price, GEC unit
``cbam_sectors.csv``        CBAM scope per sector (goods, indirect emissions) and why
``tariffs.csv``             built-in tariff files: one row per (tariff, field), with date and
                            an ``illustrative`` flag (users supply their own in this format)
``fee_regimes.csv``         which tariff components grid-drawn and self-used energy bear
``load_archetypes.csv``     the load archetypes a scenario may name (shapes: gpdc.profiles)
``province_bounds.csv``     approximate extent of each province (plausibility of site coordinates)
                            and a reference site (a city of its wind and PV bases) for new scenarios
``hydrogen_defaults.csv``   electrolyser, hydrogen store, EV fleet and shiftable-load figures,
                            each with its date
``hydrogen_standards.csv``  thresholds of the green-hydrogen standards (T/CAB 0078-2020, EU
                            RFNBO) and the EU's temporal-correlation dates
==========================  ===============================================================

Confidence labels (column ``confidence``) are one of :data:`CONFIDENCE_LEVELS`, strongest
first:

* ``verified (official text seen)`` — the issuing body's own text was read (its page or PDF,
  also as saved verbatim elsewhere), and the figure is in it;
* ``quoted from a copy`` — the figure was read in a reprint, news copy, translation or
  third-party transcription of the notice, not in the notice itself;
* ``derived`` — computed from other figures (the note says from which and how); it claims no
  more than the weakest of them;
* ``recalled`` — no text was seen: memory, an estimate or an example value;
* ``assumption`` — a modelling choice of gpdc where the world gives no figure.

Where a row combines values of different confidence, the label is that of the weakest value and
the note says which values are stronger (:func:`weakest`).  Nothing second-hand is labelled
verified.

Every failed lookup raises :class:`gpdc.errors.DataTableError` naming what was asked and the
valid choices; a malformed table raises the same error naming the file, row and column.
"""

from __future__ import annotations

import collections
import functools
import math
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import pandas as pd

from gpdc.errors import DataTableError

#: Allowed values of the ``confidence`` column, strongest first (see the module docstring).
CONFIDENCE_LEVELS: tuple[str, ...] = (
    "verified (official text seen)",
    "quoted from a copy",
    "derived",
    "recalled",
    "assumption",
)

#: CSV files read by this module, without the ``.csv`` suffix.
TABLE_NAMES: tuple[str, ...] = (
    "policy_rules",
    "emission_factors",
    "coal_rates",
    "provinces",
    "tou_schedules",
    "costs",
    "technical_defaults",
    "carbon_market",
    "cbam_sectors",
    "tariffs",
    "fee_regimes",
    "load_archetypes",
    "province_bounds",
    "hydrogen_defaults",
    "hydrogen_standards",
)

#: Flag columns of ``fee_regimes.csv`` (1 = the energy named bears the component, 0 = it does not):
#: ``import_<c>`` and ``self_use_<c>`` for each per-MWh component ``c`` of
#: :data:`gpdc.scenario.tables.tariffs.PER_MWH_COMPONENTS`, and the two monthly charges.
FEE_FLAGS: tuple[str, ...] = (
    "import_td_energy",
    "import_funds",
    "import_system_operation",
    "import_line_loss",
    "import_capacity_compensation",
    "basic_charge",
    "capacity_td_1192",
    "self_use_td_energy",
    "self_use_funds",
    "self_use_system_operation",
    "self_use_line_loss",
    "self_use_capacity_compensation",
)

PROVENANCE = ("source", "confidence", "note")
COLUMNS: dict[str, tuple[str, ...]] = {
    "policy_rules": (
        "rule_set",
        "min_self_use_frac",
        "min_green_share_of_load_frac",
        "max_export_frac",
        "self_use_metering",
        "description",
        "export_cap_confidence",
        "date",
    ),
    "emission_factors": ("basis", "region", "year", "factor_t_co2_per_mwh"),
    "coal_rates": ("year", "coal_rate_g_ce_per_kwh"),
    "provinces": (
        "province",
        "name_zh",
        "tou_schedule",
        "coal_benchmark_yuan_per_mwh",
        "td_energy_110kv_yuan_per_mwh",
        "funds_yuan_per_mwh",
        "system_operation_yuan_per_mwh",
        "line_loss_rate_frac",
        "emission_region",
        "emission_regional_grid",
        "solar_noon_beijing_time",
    ),
    "tou_schedules": ("schedule", "months", "band", "hours", "multiplier"),
    "costs": ("item", "value", "unit", "year"),
    "technical_defaults": ("item", "value", "unit", "year"),
    "carbon_market": ("item", "value", "unit", "year"),
    "cbam_sectors": ("sector", "cbam_good", "indirect_in_scope", "scope_reason"),
    "tariffs": ("tariff", "field", "value", "unit", "date", "illustrative"),
    "fee_regimes": ("regime", *FEE_FLAGS, "description", "date"),
    "load_archetypes": ("archetype", "description"),
    "province_bounds": ("province", "lat_min_deg", "lat_max_deg", "lon_min_deg", "lon_max_deg", "ref_site",
                        "ref_latitude_deg", "ref_longitude_deg", "ref_elevation_m"),
    "hydrogen_defaults": ("item", "value", "unit", "date"),
    "hydrogen_standards": ("standard", "item", "value", "unit", "date"),
}
KEYS: dict[str, tuple[str, ...]] = {
    "policy_rules": ("rule_set",),
    "emission_factors": ("basis", "region", "year"),
    "coal_rates": ("year",),
    "provinces": ("province",),
    "tou_schedules": (),  # validated per schedule by _tou_grid
    "costs": ("item",),
    "technical_defaults": ("item",),
    "carbon_market": ("item",),
    "cbam_sectors": ("sector",),
    "tariffs": ("tariff", "field"),
    "fee_regimes": ("regime",),
    "load_archetypes": ("archetype",),
    "province_bounds": ("province",),
    "hydrogen_defaults": ("item",),
    "hydrogen_standards": ("standard", "item"),
}
# Columns that must hold a number in every row / may be empty (-> None).
NUMERIC_REQUIRED: dict[str, tuple[str, ...]] = {
    "policy_rules": ("min_self_use_frac", "min_green_share_of_load_frac"),
    "emission_factors": ("year", "factor_t_co2_per_mwh"),
    "coal_rates": ("year", "coal_rate_g_ce_per_kwh"),
    "provinces": (),
    "tou_schedules": ("multiplier",),
    "costs": ("value",),
    "technical_defaults": ("value",),
    "carbon_market": ("value",),
    "cbam_sectors": ("cbam_good", "indirect_in_scope"),
    "tariffs": ("illustrative",),
    "fee_regimes": FEE_FLAGS,
    "load_archetypes": (),
    "province_bounds": ("lat_min_deg", "lat_max_deg", "lon_min_deg", "lon_max_deg", "ref_latitude_deg",
                        "ref_longitude_deg", "ref_elevation_m"),
    "hydrogen_defaults": ("value",),
    "hydrogen_standards": ("value",),
}
NUMERIC_OPTIONAL: dict[str, tuple[str, ...]] = {
    "policy_rules": ("max_export_frac",),
    "emission_factors": (),
    "coal_rates": (),
    "provinces": (
        "coal_benchmark_yuan_per_mwh",
        "td_energy_110kv_yuan_per_mwh",
        "funds_yuan_per_mwh",
        "system_operation_yuan_per_mwh",
        "line_loss_rate_frac",
    ),
    "tou_schedules": (),
    "costs": ("year",),
    "technical_defaults": ("year",),
    "carbon_market": ("year",),
    "cbam_sectors": (),
    "tariffs": (),
    "fee_regimes": (),
    "load_archetypes": (),
    "province_bounds": (),
    "hydrogen_defaults": (),
    "hydrogen_standards": (),
}
INT_COLUMNS = {("emission_factors", "year"), ("coal_rates", "year"), ("costs", "year"), ("technical_defaults", "year")}




@dataclass(frozen=True)
class Sourced:
    """A number from the world together with its provenance.

    Attributes
    ----------
    value : float
        The value, in ``unit``.
    unit : str
        Unit of ``value``, e.g. ``"t CO2/MWh"``.
    source : str
        URL(s) or document number(s); several are separated by ``" ; "``.
    confidence : str
        One of :data:`CONFIDENCE_LEVELS`.
    note : str
        Caveats, e.g. "midpoint of a recalled range".
    year : int or None
        Year the value refers to, where the table has one.
    """

    value: float
    unit: str
    source: str
    confidence: str
    note: str = ""
    year: int | None = None


def choices(values: object) -> str:
    """The distinct values, sorted and joined by commas (for error messages)."""
    return ", ".join(str(v) for v in sorted(set(values)))  # type: ignore[call-overload]


def weakest(*levels: str) -> str:
    """Return the weakest of confidence labels (:data:`CONFIDENCE_LEVELS` is ordered strongest first).

    Raises
    ------
    DataTableError
        If a label is not one of :data:`CONFIDENCE_LEVELS` (the message lists them).
    """
    bad = [c for c in levels if c not in CONFIDENCE_LEVELS]
    if bad or not levels:
        raise DataTableError(f"confidence {bad[0] if bad else None!r} is not one of "
                             f"{', '.join(repr(c) for c in CONFIDENCE_LEVELS)}")
    return max(levels, key=CONFIDENCE_LEVELS.index)


def to_float(label: str, row: int, col: str, text: str) -> float:
    """Parse a table cell as a finite float (DataTableError naming the file, row and column)."""
    try:
        x = float(text)
    except ValueError:
        raise DataTableError(
            f"{label} row {row}, column {col!r}: {text!r} is not a number"
        ) from None
    if not math.isfinite(x):
        raise DataTableError(f"{label} row {row}, column {col!r}: {text!r} is not finite")
    return x


@functools.lru_cache(maxsize=None)
def load_table(name: str) -> pd.DataFrame:
    """Read and validate one table; numeric columns become float64 (int64 for years)."""
    if name not in TABLE_NAMES:
        raise DataTableError(f"unknown table {name!r}; valid: {choices(TABLE_NAMES)}")
    path = files("gpdc.scenario") / "data" / f"{name}.csv"
    try:
        with path.open("r", encoding="utf-8") as fh:
            df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise DataTableError(f"cannot read {name}.csv: {exc}") from exc
    return validate_frame(name, df, f"{name}.csv")


def validate_frame(name: str, df: pd.DataFrame, label: str) -> pd.DataFrame:
    """Return the table after checking the columns, provenance, numbers and keys of a table read from ``label``.

    The cells are checked as Python strings and the table is built once at the end: the same
    checks column by column through pandas cost 0.1 s of CPU a ``gpdc run`` (issue 19).
    """
    expected = COLUMNS[name] + PROVENANCE
    missing = [c for c in expected if c not in df.columns]
    if missing:
        raise DataTableError(f"{label} lacks column(s) {', '.join(missing)}")
    text: dict[str, list[str]] = {col: [str(x).strip() for x in df[col].tolist()] for col in expected}
    if len(df) == 0:
        raise DataTableError(f"{label} has no rows")

    for i, (src, conf) in enumerate(zip(text["source"], text["confidence"], strict=True)):
        row = i + 2  # header is line 1
        if not src:
            raise DataTableError(f"{label} row {row}: empty source")
        if conf not in CONFIDENCE_LEVELS:
            raise DataTableError(
                f"{label} row {row}: confidence {conf!r} is not one of "
                f"{', '.join(repr(c) for c in CONFIDENCE_LEVELS)}"
            )

    columns: dict[str, object] = dict(text)
    for col in NUMERIC_REQUIRED[name] + NUMERIC_OPTIONAL[name]:
        required = col in NUMERIC_REQUIRED[name]
        vals: list[float] = []
        for i, cell in enumerate(text[col]):
            if cell == "":
                if required:
                    raise DataTableError(f"{label} row {i + 2}, column {col!r}: empty")
                vals.append(math.nan)
            else:
                vals.append(to_float(label, i + 2, col, cell))
        if (name, col) in INT_COLUMNS and required:
            if any(v != int(v) for v in vals):
                raise DataTableError(f"{label} column {col!r}: years must be integers")
            columns[col] = np.asarray(vals, dtype=np.int64)
        else:
            columns[col] = np.asarray(vals, dtype=np.float64)

    keys = KEYS[name]
    if keys:
        for col in keys:
            if any(str(v) == "" for v in columns[col]):  # type: ignore[attr-defined]
                raise DataTableError(f"{label}: empty key column {col!r}")
        key_rows = list(zip(*(columns[col] for col in keys), strict=True))  # type: ignore[call-overload]
        seen = collections.Counter(key_rows)
        dup = [i + 2 for i, k in enumerate(key_rows) if seen[k] > 1]
        if dup:
            raise DataTableError(f"{label}: duplicate key {keys} in rows {', '.join(map(str, dup))}")
    return pd.DataFrame(columns, columns=list(expected))


def raw_table(name: str) -> pd.DataFrame:
    """Return a copy of one validated table.

    Parameters
    ----------
    name : str
        Table name without suffix, one of :data:`TABLE_NAMES`.

    Returns
    -------
    pandas.DataFrame
        The table, numeric columns as float64 (years as int64), empty optional numbers NaN,
        strings stripped; a copy the caller may modify.
    """
    return load_table(name).copy()


def opt_float(x: float) -> float | None:
    """None for an empty (NaN) number cell."""
    return None if math.isnan(x) else float(x)


def opt_str(s: str) -> str | None:
    """None for an empty text cell."""
    return s if s else None




def row(name: str, column: str, key: object, what: str) -> pd.Series:
    """Return the row of table ``name`` whose ``column`` equals ``key``.

    The one lookup of the tables: an absent key raises :class:`DataTableError` naming
    ``what`` was asked for, the key, and the valid keys.
    """
    df = load_table(name)
    at = _row_index(name, column, df).get(key)
    if at is None:
        raise DataTableError(f"unknown {what} {key!r}; valid: {choices(df[column])}")
    return df.iloc[at]


#: per (table, column): the table it was built from and each key's first row (a run looks up some 40 rows)
_ROW_INDEX: dict[tuple[str, str], tuple[pd.DataFrame, dict[object, int]]] = {}


def _row_index(name: str, column: str, df: pd.DataFrame) -> dict[object, int]:
    """Each value of ``column`` and the position of its first row in ``df``, built once per loaded table."""
    known = _ROW_INDEX.get((name, column))
    if known is not None and known[0] is df:
        return known[1]
    index: dict[object, int] = {}
    for at, value in enumerate(df[column].tolist()):
        index.setdefault(value, at)
    _ROW_INDEX[name, column] = (df, index)
    return index


def keys(name: str, column: str) -> list[str]:
    """Return the distinct values of a key column, sorted."""
    return sorted(set(load_table(name)[column]))


def item(table: str, name: str, what: str) -> Sourced:
    """Return one ``item`` row of an item table (costs, technical defaults, carbon market) as :class:`Sourced`."""
    r = row(table, "item", name, what)
    year = float(r["year"])
    return Sourced(
        value=float(r["value"]),
        unit=str(r["unit"]),
        source=str(r["source"]),
        confidence=str(r["confidence"]),
        note=str(r["note"]),
        year=None if math.isnan(year) else int(year),
    )
