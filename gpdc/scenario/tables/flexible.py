"""The flexible elements' figures and the green-hydrogen standards (``hydrogen_defaults.csv``, ``hydrogen_standards.csv``)."""

from __future__ import annotations

from gpdc.scenario.tables.core import Sourced, load_table, row

__all__ = ["HydrogenStandard", "flexible_default", "hydrogen_standard"]


def flexible_default(name: str) -> Sourced:
    """Return one figure of ``hydrogen_defaults.csv`` (electrolyser, store, fleet, shiftable load) with its source.

    Parameters
    ----------
    name : str
        Its item, e.g. ``"electrolyser_specific_energy_kwh_per_kg"``; the unit is in the name
        and in ``Sourced.unit``.

    Raises
    ------
    DataTableError
        If the item is unknown; the message lists the valid items.
    """
    r = row("hydrogen_defaults", "item", name, "hydrogen / flexible-load default")
    note = f"{r['note']} (dated {r['date']})" if str(r["date"]) not in ("", "nan") else str(r["note"])
    return Sourced(value=float(r["value"]), unit=str(r["unit"]), source=str(r["source"]),
                   confidence=str(r["confidence"]), note=note)


class HydrogenStandard(dict):  # type: ignore[type-arg]
    """A standard's rows, ``{item: Sourced}``, e.g. ``{"clean_max_co2_kg_per_kg": Sourced(4.9, ...)}``."""


def hydrogen_standard(standard: str) -> HydrogenStandard:
    """Return the thresholds of one green-hydrogen standard (``tcab_0078_2020`` or ``eu_rfnbo``) with their sources.

    Raises
    ------
    DataTableError
        If the standard is unknown; the message lists the valid ones.
    """
    df = load_table("hydrogen_standards")
    row("hydrogen_standards", "standard", standard, "hydrogen standard")  # the error names the valid ones
    out = HydrogenStandard()
    for _, r in df[df["standard"] == standard].iterrows():
        out[str(r["item"])] = Sourced(value=float(r["value"]), unit=str(r["unit"]), source=str(r["source"]),
                                      confidence=str(r["confidence"]), note=f"{r['note']} (dated {r['date']})")
    return out
