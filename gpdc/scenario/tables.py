"""Reader of gpdc's reference data tables (policy, emission factors, coal rates, tariffs, costs).

This module is the only code that reads the CSV files in ``gpdc/scenario/data/``.  Every
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
==========================  ===============================================================

Confidence labels (column ``confidence``) are one of :data:`CONFIDENCE_LEVELS`.  Where a row
combines values of different confidence, the label is that of the weakest value and the note
says which values are stronger.

Every failed lookup raises :class:`gpdc.errors.DataTableError` naming what was asked and the
valid choices; a malformed table raises the same error naming the file, row and column.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import pandas as pd

from gpdc.errors import DataTableError

__all__ = [
    "BASE_BANDS",
    "CONFIDENCE_LEVELS",
    "OVERRIDE_BANDS",
    "TABLE_NAMES",
    "PolicyRule",
    "Province",
    "CbamSector",
    "FeeRegime",
    "Sourced",
    "TARIFF_FIELDS",
    "TariffField",
    "carbon_market",
    "carbon_market_items",
    "cbam_sector",
    "cbam_sector_keys",
    "coal_rate",
    "coal_rate_years",
    "cost",
    "cost_items",
    "emission_factor",
    "emission_factor_keys",
    "fee_regime",
    "fee_regime_names",
    "policy_rule",
    "policy_rule_sets",
    "province",
    "province_keys",
    "raw_table",
    "read_tariff_file",
    "tariff",
    "tariff_names",
    "tou_ratio_issues",
    "tou_bands",
    "tou_multipliers",
    "tou_schedule_names",
]

#: Allowed values of the ``confidence`` column.
CONFIDENCE_LEVELS: tuple[str, ...] = (
    "VERIFIED (quoted)",
    "VERIFIED (paraphrased)",
    "RECALLED, UNVERIFIED",
    "Derived",
    "ASSUMPTION",
)

#: TOU bands that together must cover every (month, hour) of a schedule exactly once.
BASE_BANDS: tuple[str, ...] = ("peak", "flat", "valley")
#: TOU bands that override the base band in their hours.
OVERRIDE_BANDS: tuple[str, ...] = ("critical_peak", "deep_valley")

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
)

#: Flag columns of ``fee_regimes.csv`` (1 = the energy named bears the component, 0 = it does not).
FEE_FLAGS: tuple[str, ...] = (
    "import_td_energy",
    "import_funds",
    "import_system_operation",
    "basic_charge",
    "capacity_td_1192",
    "self_use_td_energy",
    "self_use_funds",
    "self_use_system_operation",
)

_PROVENANCE = ("source", "confidence", "note")
_COLUMNS: dict[str, tuple[str, ...]] = {
    "policy_rules": (
        "rule_set",
        "min_self_use_frac",
        "min_green_share_of_load_frac",
        "max_export_frac",
        "description",
        "export_cap_confidence",
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
    "fee_regimes": ("regime", *FEE_FLAGS, "description"),
}
_KEYS: dict[str, tuple[str, ...]] = {
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
}
# Columns that must hold a number in every row / may be empty (-> None).
_NUMERIC_REQUIRED: dict[str, tuple[str, ...]] = {
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
}
_NUMERIC_OPTIONAL: dict[str, tuple[str, ...]] = {
    "policy_rules": ("max_export_frac",),
    "emission_factors": (),
    "coal_rates": (),
    "provinces": (
        "coal_benchmark_yuan_per_mwh",
        "td_energy_110kv_yuan_per_mwh",
        "funds_yuan_per_mwh",
        "system_operation_yuan_per_mwh",
    ),
    "tou_schedules": (),
    "costs": ("year",),
    "technical_defaults": ("year",),
    "carbon_market": ("year",),
    "cbam_sectors": (),
    "tariffs": (),
    "fee_regimes": (),
}
_INT_COLUMNS = {("emission_factors", "year"), ("coal_rates", "year"), ("costs", "year"), ("technical_defaults", "year")}


# --------------------------------------------------------------------------------------
# records
# --------------------------------------------------------------------------------------
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


@dataclass(frozen=True)
class PolicyRule:
    """GPDC thresholds of one rule set (all shares are fractions, 0.6 not 60).

    Attributes
    ----------
    rule_set : str
        Key, e.g. ``"national_2025"``.
    min_self_use_frac : float
        Minimum yearly self-consumed new energy / total available generation [1].
    min_green_share_of_load_frac : float
        Minimum yearly self-consumed new energy / total consumption of the user [1].
    max_export_frac : float or None
        Maximum yearly grid feed-in / total available generation [1]; None where the rule
        sets no cap.
    description : str
        The rule in words.
    source : str
        Document number(s) and URL(s), separated by ``" ; "``.
    confidence : str
        One of :data:`CONFIDENCE_LEVELS` (of the self-use and green-share thresholds;
        ``export_cap_confidence`` is that of ``max_export_frac``).
    note : str
        Which values are weaker or stronger than ``confidence`` and other caveats.
    """

    rule_set: str
    min_self_use_frac: float
    min_green_share_of_load_frac: float
    max_export_frac: float | None
    description: str
    source: str
    confidence: str
    note: str = ""
    export_cap_confidence: str = ""


@dataclass(frozen=True)
class Province:
    """Per-province (or per-grid-area) tariff adders, TOU schedule and regions.

    Empty cells of the table are ``None``; the caller decides what to use then.

    Attributes
    ----------
    province : str
        Key, e.g. ``"inner_mongolia_west"``.
    name_zh : str
        Chinese name.
    tou_schedule : str or None
        Name of the schedule in ``tou_schedules.csv``; None where no ratio is known.
    coal_benchmark_yuan_per_mwh : float or None
        Coal-fired benchmark on-grid price [yuan/MWh].
    td_energy_110kv_yuan_per_mwh : float or None
        Two-part T&D energy rate at 110 kV [yuan/MWh].
    funds_yuan_per_mwh : float or None
        Government funds and surcharges [yuan/MWh].
    system_operation_yuan_per_mwh : float or None
        System-operation fee per kWh drawn [yuan/MWh]; illustrative where given.
    emission_region : str or None
        Region key of the ``provincial`` rows of ``emission_factors.csv``; None where no
        provincial factor was found.
    emission_regional_grid : str or None
        Region key of the ``regional`` rows of ``emission_factors.csv``.
    solar_noon_beijing_time : str or None
        Solar noon in Beijing time, ``"HH:MM"``, from longitude only.
    source : str
        Sources of the row, separated by ``" ; "``.
    confidence : str
        One of :data:`CONFIDENCE_LEVELS` (the weakest value of the row).
    note : str
        Per-value confidence and caveats.
    """

    province: str
    name_zh: str
    tou_schedule: str | None
    coal_benchmark_yuan_per_mwh: float | None
    td_energy_110kv_yuan_per_mwh: float | None
    funds_yuan_per_mwh: float | None
    system_operation_yuan_per_mwh: float | None
    emission_region: str | None
    emission_regional_grid: str | None
    solar_noon_beijing_time: str | None
    source: str
    confidence: str
    note: str = ""

    @property
    def solar_noon_hours(self) -> float | None:
        """Solar noon as decimal hours of Beijing time [h], e.g. 12.55; None if unknown."""
        if self.solar_noon_beijing_time is None:
            return None
        hh, mm = self.solar_noon_beijing_time.split(":")
        return int(hh) + int(mm) / 60.0


# --------------------------------------------------------------------------------------
# loading and validation
# --------------------------------------------------------------------------------------
def _choices(values: object) -> str:
    return ", ".join(str(v) for v in sorted(set(values)))  # type: ignore[call-overload]


def _to_float(label: str, row: int, col: str, text: str) -> float:
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
def _load(name: str) -> pd.DataFrame:
    """Read and validate one table; numeric columns become float64 (int64 for years)."""
    if name not in TABLE_NAMES:
        raise DataTableError(f"unknown table {name!r}; valid: {_choices(TABLE_NAMES)}")
    path = files("gpdc.scenario") / "data" / f"{name}.csv"
    try:
        with path.open("r", encoding="utf-8") as fh:
            df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise DataTableError(f"cannot read {name}.csv: {exc}") from exc
    return _validate_frame(name, df, f"{name}.csv")


def _validate_frame(name: str, df: pd.DataFrame, label: str) -> pd.DataFrame:
    """Check the columns, provenance, numbers and keys of a table read from ``label``."""
    expected = _COLUMNS[name] + _PROVENANCE
    missing = [c for c in expected if c not in df.columns]
    if missing:
        raise DataTableError(f"{label} lacks column(s) {', '.join(missing)}")
    df = df.loc[:, list(expected)].copy()
    for col in expected:
        df[col] = df[col].astype(str).str.strip()
    if len(df) == 0:
        raise DataTableError(f"{label} has no rows")

    for i, (src, conf) in enumerate(zip(df["source"], df["confidence"], strict=True)):
        row = i + 2  # header is line 1
        if not src:
            raise DataTableError(f"{label} row {row}: empty source")
        if conf not in CONFIDENCE_LEVELS:
            raise DataTableError(
                f"{label} row {row}: confidence {conf!r} is not one of "
                f"{', '.join(repr(c) for c in CONFIDENCE_LEVELS)}"
            )

    for col in _NUMERIC_REQUIRED[name] + _NUMERIC_OPTIONAL[name]:
        required = col in _NUMERIC_REQUIRED[name]
        vals: list[float] = []
        for i, text in enumerate(df[col]):
            if text == "":
                if required:
                    raise DataTableError(f"{label} row {i + 2}, column {col!r}: empty")
                vals.append(math.nan)
            else:
                vals.append(_to_float(label, i + 2, col, text))
        if (name, col) in _INT_COLUMNS and required:
            if any(v != int(v) for v in vals):
                raise DataTableError(f"{label} column {col!r}: years must be integers")
            df[col] = np.asarray(vals, dtype=np.int64)
        else:
            df[col] = np.asarray(vals, dtype=np.float64)

    keys = _KEYS[name]
    if keys:
        for col in keys:
            if (df[col].astype(str) == "").any():
                raise DataTableError(f"{label}: empty key column {col!r}")
        dup = df.duplicated(subset=list(keys), keep=False)
        if dup.any():
            rows = ", ".join(str(i + 2) for i in np.flatnonzero(dup.to_numpy()))
            raise DataTableError(f"{label}: duplicate key {keys} in rows {rows}")
    return df


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
    return _load(name).copy()


def _opt_float(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def _opt_str(s: str) -> str | None:
    return s if s else None


# --------------------------------------------------------------------------------------
# policy rules
# --------------------------------------------------------------------------------------
def policy_rule_sets() -> list[str]:
    """Return the keys of ``policy_rules.csv``, sorted.

    Returns
    -------
    list of str
        Rule-set names, e.g. ``["hunan_853", "multi_user_2026", "national_2025", ...]``.
    """
    return sorted(_load("policy_rules")["rule_set"])


def policy_rule(rule_set: str) -> PolicyRule:
    """Return the GPDC thresholds of one rule set.

    Parameters
    ----------
    rule_set : str
        Key in ``policy_rules.csv``, e.g. ``"national_2025"``.

    Returns
    -------
    PolicyRule
        Thresholds as fractions [1] with their provenance.

    Raises
    ------
    DataTableError
        If ``rule_set`` is unknown; the message lists the valid keys.
    """
    df = _load("policy_rules")
    hit = df[df["rule_set"] == rule_set]
    if hit.empty:
        raise DataTableError(
            f"unknown policy rule set {rule_set!r}; valid: {_choices(df['rule_set'])}"
        )
    r = hit.iloc[0]
    return PolicyRule(
        rule_set=str(r["rule_set"]),
        min_self_use_frac=float(r["min_self_use_frac"]),
        min_green_share_of_load_frac=float(r["min_green_share_of_load_frac"]),
        max_export_frac=_opt_float(float(r["max_export_frac"])),
        description=str(r["description"]),
        source=str(r["source"]),
        confidence=str(r["confidence"]),
        note=str(r["note"]),
        export_cap_confidence=str(r["export_cap_confidence"]),
    )


# --------------------------------------------------------------------------------------
# emission factors and coal rates
# --------------------------------------------------------------------------------------
def emission_factor_keys() -> pd.DataFrame:
    """Return the available (basis, region, year) combinations.

    Returns
    -------
    pandas.DataFrame
        Columns ``basis`` (str), ``region`` (str), ``year`` (int64), sorted.
    """
    df = _load("emission_factors")
    keys = df.loc[:, ["basis", "region", "year"]].sort_values(["basis", "region", "year"])
    return keys.reset_index(drop=True)


def emission_factor(basis: str, region: str, year: int) -> Sourced:
    """Return one grid CO2 emission factor.

    Parameters
    ----------
    basis : str
        ``"grid_average"``, ``"grid_average_excl_traded_nonfossil"``, ``"fossil"``,
        ``"provincial"`` or ``"regional"`` (those present in the table).
    region : str
        ``"national"`` for national bases, a province key (``"inner_mongolia"``) for
        ``provincial``, a grid key (``"north"``) for ``regional``.
    year : int
        Data year.

    Returns
    -------
    Sourced
        Factor [t CO2/MWh] (equal to kg CO2/kWh) with its provenance.

    Raises
    ------
    DataTableError
        If the combination is absent; the message lists the regions and years available
        for ``basis`` (or the valid bases if ``basis`` is unknown).  No fallback to another
        year or region is made.
    """
    df = _load("emission_factors")
    sub = df[df["basis"] == basis]
    if sub.empty:
        raise DataTableError(
            f"unknown emission-factor basis {basis!r}; valid: {_choices(df['basis'])}"
        )
    hit = sub[(sub["region"] == region) & (sub["year"] == year)]
    if hit.empty:
        avail = "; ".join(
            f"{reg}: {_choices(g['year'])}" for reg, g in sorted(sub.groupby("region"))
        )
        raise DataTableError(
            f"no emission factor for basis {basis!r}, region {region!r}, year {year!r}; "
            f"available for {basis!r} (region: years): {avail}"
        )
    r = hit.iloc[0]
    return Sourced(
        value=float(r["factor_t_co2_per_mwh"]),
        unit="t CO2/MWh",
        source=str(r["source"]),
        confidence=str(r["confidence"]),
        note=str(r["note"]),
        year=int(r["year"]),
    )


def coal_rate_years() -> list[int]:
    """Return the years in ``coal_rates.csv``, sorted.

    Returns
    -------
    list of int
        Years with a coal rate.
    """
    return sorted(int(y) for y in _load("coal_rates")["year"])


def coal_rate(year: int) -> Sourced:
    """Return the coal use per kWh of thermal power in one year.

    Parameters
    ----------
    year : int
        Year; must be in the table exactly (no interpolation, no nearest year).

    Returns
    -------
    Sourced
        Coal rate [g ce/kWh] with its provenance (2025 is a target, see the note).

    Raises
    ------
    DataTableError
        If ``year`` is absent; the message lists the available years.
    """
    df = _load("coal_rates")
    hit = df[df["year"] == year]
    if hit.empty:
        raise DataTableError(
            f"no coal rate for year {year!r}; available years: {_choices(df['year'])}"
        )
    r = hit.iloc[0]
    return Sourced(
        value=float(r["coal_rate_g_ce_per_kwh"]),
        unit="g ce/kWh",
        source=str(r["source"]),
        confidence=str(r["confidence"]),
        note=str(r["note"]),
        year=int(r["year"]),
    )


# --------------------------------------------------------------------------------------
# provinces
# --------------------------------------------------------------------------------------
def province_keys() -> list[str]:
    """Return the keys of ``provinces.csv``, sorted.

    Returns
    -------
    list of str
        Province / grid-area keys, e.g. ``["gansu", "guangdong", ...]``.
    """
    return sorted(_load("provinces")["province"])


def province(key: str) -> Province:
    """Return the tariff adders, TOU schedule and regions of one province.

    Parameters
    ----------
    key : str
        Key in ``provinces.csv``, e.g. ``"inner_mongolia_west"``.

    Returns
    -------
    Province
        Prices in [yuan/MWh]; empty cells are None.

    Raises
    ------
    DataTableError
        If ``key`` is unknown; the message lists the valid keys.
    """
    df = _load("provinces")
    hit = df[df["province"] == key]
    if hit.empty:
        raise DataTableError(f"unknown province {key!r}; valid: {_choices(df['province'])}")
    r = hit.iloc[0]
    return Province(
        province=str(r["province"]),
        name_zh=str(r["name_zh"]),
        tou_schedule=_opt_str(str(r["tou_schedule"])),
        coal_benchmark_yuan_per_mwh=_opt_float(float(r["coal_benchmark_yuan_per_mwh"])),
        td_energy_110kv_yuan_per_mwh=_opt_float(float(r["td_energy_110kv_yuan_per_mwh"])),
        funds_yuan_per_mwh=_opt_float(float(r["funds_yuan_per_mwh"])),
        system_operation_yuan_per_mwh=_opt_float(float(r["system_operation_yuan_per_mwh"])),
        emission_region=_opt_str(str(r["emission_region"])),
        emission_regional_grid=_opt_str(str(r["emission_regional_grid"])),
        solar_noon_beijing_time=_opt_str(str(r["solar_noon_beijing_time"])),
        source=str(r["source"]),
        confidence=str(r["confidence"]),
        note=str(r["note"]),
    )


# --------------------------------------------------------------------------------------
# time-of-use schedules
# --------------------------------------------------------------------------------------
def _parse_ranges(text: str, lo: int, hi: int, what: str, where: str) -> list[int]:
    """Parse ``"1-5,9-12"`` (months, inclusive) or ``"6-8,22-2"`` (hours, half-open)."""
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            raise DataTableError(f"{where}: empty range in {what} {text!r}")
        a_s, sep, b_s = part.partition("-")
        try:
            a = int(a_s)
            b = int(b_s) if sep else None
        except ValueError:
            raise DataTableError(f"{where}: cannot parse {what} {text!r}") from None
        if what == "months":
            b = a if b is None else b
            if not (lo <= a <= b <= hi):
                raise DataTableError(f"{where}: bad month range {part!r} (1-12, ascending)")
            out.extend(range(a, b + 1))
        else:  # hours: [a, b), may wrap midnight; b may be 24
            if b is None or not (0 <= a <= 23 and 0 <= b <= 24) or a == b:
                raise DataTableError(
                    f"{where}: bad hour range {part!r} (start 0-23, end 0-24, start != end)"
                )
            if a < b:
                out.extend(range(a, b))
            else:
                out.extend(list(range(a, 24)) + list(range(0, b)))
    return out


@functools.lru_cache(maxsize=None)
def _tou_grid(schedule: str) -> tuple[np.ndarray, np.ndarray]:
    """Build and validate the 12 x 24 (month, hour) multiplier and band grids."""
    df = _load("tou_schedules")
    sub = df[df["schedule"] == schedule]
    if sub.empty:
        raise DataTableError(
            f"unknown TOU schedule {schedule!r}; valid: {_choices(df['schedule'])}"
        )
    base_mult = np.full((12, 24), np.nan)
    base_band = np.full((12, 24), "", dtype=object)
    over_mult = np.full((12, 24), np.nan)
    over_band = np.full((12, 24), "", dtype=object)
    for pos, (_, r) in zip(np.flatnonzero(df["schedule"] == schedule), sub.iterrows(), strict=True):
        where = f"tou_schedules.csv row {int(pos) + 2} (schedule {schedule!r})"
        band = str(r["band"])
        mult = float(r["multiplier"])
        if band not in BASE_BANDS + OVERRIDE_BANDS:
            raise DataTableError(
                f"{where}: band {band!r} is not one of {', '.join(BASE_BANDS + OVERRIDE_BANDS)}"
            )
        if not mult > 0:
            raise DataTableError(f"{where}: multiplier {mult!r} must be > 0")
        months = _parse_ranges(str(r["months"]), 1, 12, "months", where)
        hours = _parse_ranges(str(r["hours"]), 0, 24, "hours", where)
        is_base = band in BASE_BANDS
        tgt_band = base_band if is_base else over_band
        tgt_mult = base_mult if is_base else over_mult
        for m in months:
            for h in hours:
                if tgt_band[m - 1, h]:
                    kind = "base band" if is_base else "override band"
                    raise DataTableError(
                        f"TOU schedule {schedule!r}: month {m}, hour {h} covered twice by a "
                        f"{kind} ({tgt_band[m - 1, h]!r} and {band!r})"
                    )
                tgt_band[m - 1, h] = band
                tgt_mult[m - 1, h] = mult
    gaps = np.argwhere(base_band == "")
    if gaps.size:
        m, h = (int(v) for v in gaps[0])
        raise DataTableError(
            f"TOU schedule {schedule!r}: month {m + 1}, hour {h} is not covered by a base "
            f"band ({', '.join(BASE_BANDS)}); {len(gaps)} (month, hour) cell(s) uncovered"
        )
    has_over = over_band != ""
    grid_mult = np.where(has_over, over_mult, base_mult).astype(np.float64)
    bands = np.where(has_over, over_band, base_band).astype(object)
    grid_mult.setflags(write=False)
    bands.setflags(write=False)
    return grid_mult, bands


def tou_schedule_names() -> list[str]:
    """Return the TOU schedule names, sorted.

    Returns
    -------
    list of str
        Schedule names, e.g. ``["flat", "guangdong_331", "jiangsu_426_two_part", ...]``.
    """
    return sorted(set(_load("tou_schedules")["schedule"]))


def _month_hour(index: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(f"index must be a pandas.DatetimeIndex, got {type(index).__name__}")
    # .month / .hour are wall-clock values in the index's own time zone (if tz-aware).
    month = np.asarray(index.month, dtype=np.intp) - 1
    hour = np.asarray(index.hour, dtype=np.intp)
    return month, hour


def tou_multipliers(schedule: str, index: pd.DatetimeIndex) -> np.ndarray:
    """Return the TOU multiplier (relative to the flat price) at each timestamp.

    Parameters
    ----------
    schedule : str
        Schedule name in ``tou_schedules.csv``, e.g. ``"mengxi_1630"``.
    index : pandas.DatetimeIndex
        Timestamps; naive ones are taken as Beijing wall-clock time, tz-aware ones are
        read in their own wall-clock time (use Asia/Shanghai).  Only month and hour are
        used.

    Returns
    -------
    numpy.ndarray
        float64 array of ``len(index)`` multipliers [1]; critical-peak and deep-valley
        bands override the base band in their hours.

    Raises
    ------
    DataTableError
        If ``schedule`` is unknown (message lists the valid names) or malformed.
    TypeError
        If ``index`` is not a DatetimeIndex.
    """
    mult, _ = _tou_grid(schedule)
    month, hour = _month_hour(index)
    return np.array(mult[month, hour], dtype=np.float64)


def tou_bands(schedule: str, index: pd.DatetimeIndex) -> np.ndarray:
    """Return the TOU band name at each timestamp.

    Parameters
    ----------
    schedule : str
        Schedule name in ``tou_schedules.csv``.
    index : pandas.DatetimeIndex
        Timestamps, read as in :func:`tou_multipliers`.

    Returns
    -------
    numpy.ndarray
        object array of ``len(index)`` band names: ``"critical_peak"``, ``"peak"``,
        ``"flat"``, ``"valley"`` or ``"deep_valley"``.

    Raises
    ------
    DataTableError
        If ``schedule`` is unknown or malformed.
    TypeError
        If ``index`` is not a DatetimeIndex.
    """
    _, bands = _tou_grid(schedule)
    month, hour = _month_hour(index)
    return np.array(bands[month, hour], dtype=object)


# --------------------------------------------------------------------------------------
# costs
# --------------------------------------------------------------------------------------
def cost_items() -> list[str]:
    """Return the items of ``costs.csv``, sorted.

    Returns
    -------
    list of str
        Item names, e.g. ``["line_capex_110kv_yuan_per_km", ...]``.
    """
    return sorted(_load("costs")["item"])


def cost(item: str) -> Sourced:
    """Return one cost figure.

    Parameters
    ----------
    item : str
        Item in ``costs.csv``, e.g. ``"storage_energy_capex_yuan_per_kwh"``; the unit is
        in the name and in ``Sourced.unit``.

    Returns
    -------
    Sourced
        Value in its unit (e.g. [yuan/kW], [yuan/kWh], [1/yr]) with its provenance.

    Raises
    ------
    DataTableError
        If ``item`` is unknown; the message lists the valid items.
    """
    return _item("costs", item, "cost item")


def _item(table: str, item: str, what: str) -> Sourced:
    df = _load(table)
    hit = df[df["item"] == item]
    if hit.empty:
        raise DataTableError(f"unknown {what} {item!r}; valid: {_choices(df['item'])}")
    r = hit.iloc[0]
    year = float(r["year"])
    return Sourced(
        value=float(r["value"]),
        unit=str(r["unit"]),
        source=str(r["source"]),
        confidence=str(r["confidence"]),
        note=str(r["note"]),
        year=None if math.isnan(year) else int(year),
    )


def technical_default(item: str) -> Sourced:
    """Return a technical default (line loss, storage efficiency, SoC window) with its source.

    Raises
    ------
    DataTableError
        If ``item`` is unknown; the message lists the valid items.
    """
    return _item("technical_defaults", item, "technical default")


# --------------------------------------------------------------------------------------
# carbon market and CBAM scope
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CbamSector:
    """Whether a sector's goods fall under the EU CBAM, and whether indirect emissions count.

    Attributes
    ----------
    sector : str
        Key, e.g. ``"cement"``.
    cbam_good : bool
        The sector's goods are listed in Annex I of Reg. (EU) 2023/956.
    indirect_in_scope : bool
        Indirect (electricity) emissions count in the definitive period (from 2026): the good
        is not listed in Annex II.
    scope_reason : str
        Why, in words, with the article or annex.
    source, confidence, note : str
        Provenance, as in every table.
    """

    sector: str
    cbam_good: bool
    indirect_in_scope: bool
    scope_reason: str
    source: str
    confidence: str
    note: str = ""


def carbon_market_items() -> list[str]:
    """Return the items of ``carbon_market.csv``, sorted."""
    return sorted(_load("carbon_market")["item"])


def carbon_market(item: str) -> Sourced:
    """Return a carbon-market number (EU carbon price, exchange rate, ...) with its source.

    Raises
    ------
    DataTableError
        If ``item`` is unknown; the message lists the valid items.
    """
    return _item("carbon_market", item, "carbon-market item")


def cbam_sector_keys() -> list[str]:
    """Return the sector keys of ``cbam_sectors.csv``, sorted."""
    return sorted(_load("cbam_sectors")["sector"])


def cbam_sector(sector: str) -> CbamSector:
    """Return the CBAM scope of one sector.

    Raises
    ------
    DataTableError
        If ``sector`` is unknown (the message lists the valid sectors), or a flag of the
        row is not 0 or 1.
    """
    df = _load("cbam_sectors")
    hit = df[df["sector"] == sector]
    if hit.empty:
        raise DataTableError(f"unknown CBAM sector {sector!r}; valid: {_choices(df['sector'])}")
    r = hit.iloc[0]
    flags = {}
    for col in ("cbam_good", "indirect_in_scope"):
        x = float(r[col])
        if x not in (0.0, 1.0):
            raise DataTableError(f"cbam_sectors.csv row {sector}, column {col!r}: {x!r} is not 0 or 1")
        flags[col] = x == 1.0
    if flags["indirect_in_scope"] and not flags["cbam_good"]:
        raise DataTableError(f"cbam_sectors.csv row {sector}: indirect_in_scope = 1 needs cbam_good = 1")
    return CbamSector(
        sector=sector,
        cbam_good=flags["cbam_good"],
        indirect_in_scope=flags["indirect_in_scope"],
        scope_reason=str(r["scope_reason"]),
        source=str(r["source"]),
        confidence=str(r["confidence"]),
        note=str(r["note"]),
    )


# --------------------------------------------------------------------------------------
# tariff files and fee regimes
# --------------------------------------------------------------------------------------
#: Fields of a tariff file: name -> (kind, unit).  ``number`` fields may be empty (None: not
#: known; the caller counts it as 0 and says so), ``text`` fields must be set.
TARIFF_FIELDS: dict[str, tuple[str, str]] = {
    "tou_schedule": ("text", ""),
    "energy_price_yuan_per_mwh": ("number", "yuan/MWh"),
    "td_energy_yuan_per_mwh": ("number", "yuan/MWh"),
    "funds_yuan_per_mwh": ("number", "yuan/MWh"),
    "system_operation_yuan_per_mwh": ("number", "yuan/MWh"),
    "capacity_charge_yuan_per_kva_month": ("number", "yuan/(kVA month)"),
    "demand_charge_yuan_per_kw_month": ("number", "yuan/(kW month)"),
    "basic_charge_basis": ("text", ""),
    "average_load_rate_frac": ("number", "1"),
    "export_price_yuan_per_mwh": ("number", "yuan/MWh"),
}
_BASIC_BASES = ("capacity", "demand")


@dataclass(frozen=True)
class TariffField:
    """One field of a tariff file with its provenance.

    Attributes
    ----------
    value : float, str or None
        Number in ``unit`` (None where the file leaves it empty: not known), or text.
    unit, date, source, confidence, note : str
        Unit, the date the value refers to (validity or document date), provenance.
    illustrative : bool
        True where the value is not verified: it illustrates, it does not settle a bill.
    """

    value: float | str | None
    unit: str
    date: str
    illustrative: bool
    source: str
    confidence: str
    note: str = ""


def tariff_names() -> list[str]:
    """Return the names of the built-in tariffs of ``tariffs.csv``, sorted."""
    return sorted(set(_load("tariffs")["tariff"]))


def _tariff_rows(df: pd.DataFrame, name: str, label: str) -> dict[str, TariffField]:
    out: dict[str, TariffField] = {}
    for pos, (_, r) in zip(np.flatnonzero(df["tariff"] == name), df[df["tariff"] == name].iterrows(), strict=True):
        where = f"{label} row {int(pos) + 2} (tariff {name!r})"
        field = str(r["field"])
        if field not in TARIFF_FIELDS:
            raise DataTableError(f"{where}: unknown field {field!r}; valid: {', '.join(TARIFF_FIELDS)}")
        kind, unit = TARIFF_FIELDS[field]
        text = str(r["value"])
        if str(r["unit"]) != unit:
            raise DataTableError(f"{where}: field {field!r} has unit {str(r['unit'])!r}; expected {unit!r}")
        if float(r["illustrative"]) not in (0.0, 1.0):
            raise DataTableError(f"{where}: illustrative = {r['illustrative']!r} is not 0 or 1")
        if not str(r["date"]):
            raise DataTableError(f"{where}: empty date (write 'n/a' where the value has none)")
        value: float | str | None
        if kind == "text":
            if not text:
                raise DataTableError(f"{where}: field {field!r} must not be empty")
            if field == "tou_schedule" and text not in tou_schedule_names():
                raise DataTableError(f"{where}: unknown TOU schedule {text!r}; valid: {_choices(tou_schedule_names())}")
            if field == "basic_charge_basis" and text not in _BASIC_BASES:
                raise DataTableError(f"{where}: basic_charge_basis {text!r} is not one of {', '.join(_BASIC_BASES)}")
            value = text
        elif text == "":
            value = None
        else:
            value = _to_float(label, int(pos) + 2, "value", text)
            lo = -5000.0 if field in ("energy_price_yuan_per_mwh", "export_price_yuan_per_mwh") else 0.0
            hi = 1.0 if field == "average_load_rate_frac" else 20_000.0
            if not lo <= value <= hi:
                raise DataTableError(f"{where}: {field} = {value!r} is outside [{lo}, {hi}] {unit}")
        out[field] = TariffField(value, unit, str(r["date"]), float(r["illustrative"]) == 1.0, str(r["source"]),
                                 str(r["confidence"]), str(r["note"]))
    missing = [f for f in TARIFF_FIELDS if f not in out]
    if missing:
        raise DataTableError(f"{label}: tariff {name!r} lacks field(s) {', '.join(missing)}")
    return out


def tariff(name: str) -> dict[str, TariffField]:
    """Return a built-in tariff of ``tariffs.csv``: every field of :data:`TARIFF_FIELDS`.

    Raises
    ------
    DataTableError
        If ``name`` is unknown (the message lists the tariffs) or a row is malformed.
    """
    df = _load("tariffs")
    if name not in set(df["tariff"]):
        raise DataTableError(f"unknown tariff {name!r}; valid: {_choices(df['tariff'])}")
    return _tariff_rows(df, name, "tariffs.csv")


def read_tariff_file(path: str) -> dict[str, TariffField]:
    """Read a user's tariff file, a CSV in the format of ``tariffs.csv`` holding one tariff.

    Raises
    ------
    DataTableError
        Naming the file, the row and the problem (missing file or column, unknown field,
        wrong unit, empty source or date, bad confidence label, a number out of range), or
        if the file holds more than one tariff.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataTableError(f"cannot read tariff file {path}: {exc}") from exc
    df = _validate_frame("tariffs", df, str(path))
    names = sorted(set(df["tariff"]))
    if len(names) != 1:
        raise DataTableError(f"{path}: a tariff file holds one tariff; found {', '.join(names)}")
    return _tariff_rows(df, names[0], str(path))


@dataclass(frozen=True)
class FeeRegime:
    """Which tariff components grid-drawn and self-used energy bear under one fee regime.

    Attributes
    ----------
    regime : str
        Key, e.g. ``"nearby_consumption_2025"``.
    flags : dict of str to bool
        One per :data:`FEE_FLAGS`: ``import_*`` per MWh drawn from the grid, ``self_use_*``
        per MWh of self-used green energy, ``basic_charge`` the capacity/demand charge,
        ``capacity_td_1192`` the 1192号 capacity-based T&D fee.
    description, source, confidence, note : str
    """

    regime: str
    flags: dict[str, bool]
    description: str
    source: str
    confidence: str
    note: str = ""


def fee_regime_names() -> list[str]:
    """Return the fee regimes of ``fee_regimes.csv``, sorted."""
    return sorted(_load("fee_regimes")["regime"])


def fee_regime(regime: str) -> FeeRegime:
    """Return one fee regime.

    Raises
    ------
    DataTableError
        If ``regime`` is unknown (the message lists the regimes) or a flag is not 0 or 1.
    """
    df = _load("fee_regimes")
    hit = df[df["regime"] == regime]
    if hit.empty:
        raise DataTableError(f"unknown fee regime {regime!r}; valid: {_choices(df['regime'])}")
    r = hit.iloc[0]
    flags = {}
    for col in FEE_FLAGS:
        x = float(r[col])
        if x not in (0.0, 1.0):
            raise DataTableError(f"fee_regimes.csv row {regime}, column {col!r}: {x!r} is not 0 or 1")
        flags[col] = x == 1.0
    return FeeRegime(regime, flags, str(r["description"]), str(r["source"]), str(r["confidence"]), str(r["note"]))


#: 发改价格〔2021〕1093号 (policy-and-data.md §6.1): peak/valley >= 3 (>= 4 where the system
#: peak-valley difference exceeds 40 %), critical peak >= 1.2 x peak.
MIN_PEAK_VALLEY_RATIO = 3.0
MIN_CRITICAL_OVER_PEAK = 1.2


def tou_ratio_issues(schedule: str) -> list[str]:
    """Return where a TOU schedule falls short of the 2021 national notice, one line each.

    Checked per month on the schedule's multipliers: peak / valley >= 3 (the notice asks
    for >= 4 where the system's peak-valley difference exceeds 40 %; gpdc does not know that
    difference, so only 3 is checked) and critical peak >= 1.2 x peak.  The ``flat``
    reference schedule has no bands to compare and passes.  An empty list: compliant.
    """
    mult, bands = _tou_grid(schedule)
    issues: list[str] = []
    for m in range(12):
        row_m, row_b = mult[m], bands[m]
        peak = row_m[row_b == "peak"]
        valley = row_m[row_b == "valley"]
        critical = row_m[row_b == "critical_peak"]
        if peak.size and valley.size and peak.max() / valley.min() < MIN_PEAK_VALLEY_RATIO - 1e-12:
            issues.append(f"month {m + 1}: peak/valley = {peak.max() / valley.min():.3g} < "
                          f"{MIN_PEAK_VALLEY_RATIO:g}")
        if critical.size and peak.size and critical.min() / peak.max() < MIN_CRITICAL_OVER_PEAK - 1e-12:
            issues.append(f"month {m + 1}: critical peak/peak = {critical.min() / peak.max():.4g} < "
                          f"{MIN_CRITICAL_OVER_PEAK:g}")
    return issues
