"""Costs and technical defaults (``costs.csv``, ``technical_defaults.csv``): one figure per item, with its source."""

from __future__ import annotations

from gpdc.scenario.tables.core import Sourced, item, keys

__all__ = ["cost", "cost_items", "technical_default"]


def cost_items() -> list[str]:
    """Return the items of ``costs.csv``, sorted.

    Returns
    -------
    list of str
        Item names, e.g. ``["line_capex_110kv_yuan_per_km", ...]``.
    """
    return keys("costs", "item")


def cost(name: str) -> Sourced:
    """Return one cost figure.

    Parameters
    ----------
    name : str
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
    return item("costs", name, "cost item")


def technical_default(name: str) -> Sourced:
    """Return a technical default (line loss, storage efficiency, SoC window) with its source.

    Raises
    ------
    DataTableError
        If ``item`` is unknown; the message lists the valid items.
    """
    return item("technical_defaults", name, "technical default")


