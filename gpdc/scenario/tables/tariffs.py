"""Tariff files (built in: ``tariffs.csv``; a user's own in the same format) and fee regimes (``fee_regimes.csv``)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gpdc.errors import DataTableError, InputFileError
from gpdc.input_files import header_for_message, read_text
from gpdc.scenario.tables.core import FEE_FLAGS, choices, keys, load_table, row, to_float, validate_frame
from gpdc.scenario.tables.tou import tou_schedule_names

__all__ = ["FEE_FLAGS", "PER_MWH_COMPONENTS", "TARIFF_FIELDS", "TOU_FLOAT_COMPONENTS", "FeeRegime", "TariffField",
           "fee_regime", "fee_regime_names", "parse_float_components", "read_tariff_file", "tariff", "tariff_names"]


#: Fields of a tariff file: name -> (kind, unit).  ``number`` fields may be empty (None: not
#: known; the caller counts it as 0 and says so), ``text`` fields must be set.
TARIFF_FIELDS: dict[str, tuple[str, str]] = {
    "tou_schedule": ("text", ""),
    "tou_float_components": ("text", ""),
    "energy_price_yuan_per_mwh": ("number", "yuan/MWh"),
    "td_energy_yuan_per_mwh": ("number", "yuan/MWh"),
    "funds_yuan_per_mwh": ("number", "yuan/MWh"),
    "system_operation_yuan_per_mwh": ("number", "yuan/MWh"),
    "line_loss_rate_frac": ("number", "1"),
    "capacity_compensation_yuan_per_mwh": ("number", "yuan/MWh"),
    "capacity_charge_yuan_per_kva_month": ("number", "yuan/(kVA month)"),
    "demand_charge_yuan_per_kw_month": ("number", "yuan/(kW month)"),
    "basic_charge_basis": ("text", ""),
    "average_load_rate_frac": ("number", "1"),
    "export_price_yuan_per_mwh": ("number", "yuan/MWh"),
}
_BASIC_BASES = ("capacity", "demand")

#: The per-MWh components of a price other than the energy price, in bill order.  Each is one
#: key of the resolved values (``<name>_yuan_per_mwh``) and one ``import_<name>`` and one
#: ``self_use_<name>`` flag of ``fee_regimes.csv``.  ``line_loss`` is the generation-side
#: (上网环节) line-loss charge, priced from ``line_loss_rate_frac`` and the energy price.
PER_MWH_COMPONENTS: tuple[str, ...] = ("td_energy", "funds", "system_operation", "line_loss",
                                       "capacity_compensation")
#: What a tariff's ``tou_float_components`` may name: the components the TOU multiplier acts on.
TOU_FLOAT_COMPONENTS: tuple[str, ...] = ("energy", *PER_MWH_COMPONENTS)


def parse_float_components(text: str, where: str) -> tuple[str, ...]:
    """Parse ``tou_float_components`` (``"energy,td_energy,line_loss"``) into names, in table order.

    Raises
    ------
    DataTableError
        Naming ``where``, the text and the allowed names, for an unknown or repeated name or a
        list without ``energy`` (every TOU notice seen floats the energy price).
    """
    names = [t.strip() for t in text.split(",") if t.strip()]
    bad = [t for t in names if t not in TOU_FLOAT_COMPONENTS]
    if bad or len(set(names)) != len(names) or "energy" not in names:
        raise DataTableError(
            f"{where}: tou_float_components = {text!r} is invalid: a comma-separated list of distinct names that "
            f"includes energy, each one of {', '.join(TOU_FLOAT_COMPONENTS)}")
    return tuple(c for c in TOU_FLOAT_COMPONENTS if c in names)


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
    return keys("tariffs", "tariff")


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
                raise DataTableError(f"{where}: unknown TOU schedule {text!r}; valid: {choices(tou_schedule_names())}")
            if field == "basic_charge_basis" and text not in _BASIC_BASES:
                raise DataTableError(f"{where}: basic_charge_basis {text!r} is not one of {', '.join(_BASIC_BASES)}")
            if field == "tou_float_components":
                parse_float_components(text, where)
            value = text
        elif text == "":
            value = None
        else:
            value = to_float(label, int(pos) + 2, "value", text)
            lo = -5000.0 if field in ("energy_price_yuan_per_mwh", "export_price_yuan_per_mwh") else 0.0
            hi = {"average_load_rate_frac": 1.0, "line_loss_rate_frac": 0.5}.get(field, 20_000.0)
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
    df = load_table("tariffs")
    if name not in set(df["tariff"]):
        raise DataTableError(f"unknown tariff {name!r}; valid: {choices(df['tariff'])}")
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
        text = read_text(path, "tariff.file")
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except InputFileError as exc:
        raise DataTableError(f"cannot read tariff file {exc}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataTableError(f"cannot read tariff file {path} as CSV: {exc}") from None
    df.columns = [str(c).strip() for c in df.columns]
    if "tariff" not in df.columns:
        raise DataTableError(f"{path}: not a tariff file: no column 'tariff'; columns present: "
                             f"{header_for_message(list(df.columns))}")
    df = validate_frame("tariffs", df, str(path))
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
        One per :data:`FEE_FLAGS`: ``import_<component>`` per MWh drawn from the grid,
        ``self_use_<component>`` per MWh of self-used green energy (components:
        :data:`PER_MWH_COMPONENTS`), ``basic_charge`` the capacity/demand charge,
        ``capacity_td_1192`` the 1192号 capacity-based T&D fee.
    description, source, confidence, note : str
    date : str
        When the regime applies (the notice's date or date in force), or ``n/a``.
    """

    regime: str
    flags: dict[str, bool]
    description: str
    source: str
    confidence: str
    note: str = ""
    date: str = ""


def fee_regime_names() -> list[str]:
    """Return the fee regimes of ``fee_regimes.csv``, sorted."""
    return keys("fee_regimes", "regime")


def fee_regime(regime: str) -> FeeRegime:
    """Return one fee regime.

    Raises
    ------
    DataTableError
        If ``regime`` is unknown (the message lists the regimes) or a flag is not 0 or 1.
    """
    r = row("fee_regimes", "regime", regime, "fee regime")
    flags = {}
    for col in FEE_FLAGS:
        x = float(r[col])
        if x not in (0.0, 1.0):
            raise DataTableError(f"fee_regimes.csv row {regime}, column {col!r}: {x!r} is not 0 or 1")
        flags[col] = x == 1.0
    return FeeRegime(regime, flags, str(r["description"]), str(r["source"]), str(r["confidence"]), str(r["note"]),
                     str(r["date"]))


