"""Grid emission factors, coal rates, carbon-market figures and the EU CBAM scope of each sector."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gpdc.errors import DataTableError
from gpdc.scenario.tables.core import Sourced, choices, item, keys, load_table, row

__all__ = ["CbamSector", "carbon_market", "carbon_market_items", "cbam_sector", "cbam_sector_keys", "coal_rate",
           "coal_rate_years", "emission_factor", "emission_factor_keys"]


def emission_factor_keys() -> pd.DataFrame:
    """Return the available (basis, region, year) combinations.

    Returns
    -------
    pandas.DataFrame
        Columns ``basis`` (str), ``region`` (str), ``year`` (int64), sorted.
    """
    df = load_table("emission_factors")
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
    df = load_table("emission_factors")
    sub = df[df["basis"] == basis]
    if sub.empty:
        raise DataTableError(
            f"unknown emission-factor basis {basis!r}; valid: {choices(df['basis'])}"
        )
    hit = sub[(sub["region"] == region) & (sub["year"] == year)]
    if hit.empty:
        avail = "; ".join(
            f"{reg}: {choices(g['year'])}" for reg, g in sorted(sub.groupby("region"))
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
    return sorted(int(y) for y in load_table("coal_rates")["year"])


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
    df = load_table("coal_rates")
    hit = df[df["year"] == year]
    if hit.empty:
        raise DataTableError(
            f"no coal rate for year {year!r}; available years: {choices(df['year'])}"
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
    return keys("carbon_market", "item")


def carbon_market(name: str) -> Sourced:
    """Return a carbon-market number (EU carbon price, exchange rate, ...) with its source.

    Raises
    ------
    DataTableError
        If ``item`` is unknown; the message lists the valid items.
    """
    return item("carbon_market", name, "carbon-market item")


def cbam_sector_keys() -> list[str]:
    """Return the sector keys of ``cbam_sectors.csv``, sorted."""
    return keys("cbam_sectors", "sector")


def cbam_sector(sector: str) -> CbamSector:
    """Return the CBAM scope of one sector.

    Raises
    ------
    DataTableError
        If ``sector`` is unknown (the message lists the valid sectors), or a flag of the
        row is not 0 or 1.
    """
    r = row("cbam_sectors", "sector", sector, "CBAM sector")
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


