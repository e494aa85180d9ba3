"""The products of a scenario (``[[products]]``) as arrays, with their EU CBAM scope from ``cbam_sectors.csv``.

Resolved with the scenario (:attr:`gpdc.scenario.resolve.Resolved.products`); the carbon
accounts per product are in :func:`gpdc.accounting.emissions.product_accounts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from gpdc.scenario import tables

__all__ = ["ProductTable", "product_table"]


class _ProductLike(Protocol):
    name: str
    sector: str
    output_t_per_year: float
    electricity_kwh_per_t: float
    direct_t_co2_per_t: float


@dataclass(frozen=True)
class ProductTable:
    """The products of a scenario as arrays of shape ``(n_products,)``, with their CBAM scope.

    Attributes
    ----------
    name, sector : tuple of str
        Product names (the ``product`` coordinate) and CBAM sector keys.
    output_t_per_year : float64[n_products]
        Output [t/a].
    electricity_kwh_per_t : float64[n_products]
        Electricity per tonne [kWh/t].
    direct_t_co2_per_t : float64[n_products]
        Direct (scope 1) emissions per tonne [t CO2/t].
    cbam_good : bool[n_products]
        The sector's goods are CBAM goods (Annex I of Reg. (EU) 2023/956).
    indirect_in_scope : bool[n_products]
        Indirect emissions count for CBAM from 2026 (not listed in Annex II).
    scope_reason : tuple of str
        Why, with the legal source, from ``cbam_sectors.csv``.
    """

    name: tuple[str, ...]
    sector: tuple[str, ...]
    output_t_per_year: np.ndarray
    electricity_kwh_per_t: np.ndarray
    direct_t_co2_per_t: np.ndarray
    cbam_good: np.ndarray
    indirect_in_scope: np.ndarray
    scope_reason: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.name)

    def coords(self) -> dict[str, tuple[str, np.ndarray, dict[str, str]]]:
        """Coordinates of the ``product`` dimension: names, sector and the CBAM scope reason."""
        return {
            "product": ("product", np.array(self.name, dtype=str), {"long_name": "product name ([[products]])"}),
            "product_sector": ("product", np.array(self.sector, dtype=str),
                               {"long_name": "CBAM sector key (cbam_sectors.csv)"}),
            "cbam_scope_reason": ("product", np.array(self.scope_reason, dtype=str),
                                  {"long_name": "why indirect emissions do or do not count for CBAM, "
                                                "with the legal source"}),
        }


def product_table(products: Sequence[_ProductLike]) -> ProductTable:
    """Return the products (e.g. ``scenario.products``) as arrays with their CBAM scope.

    Raises
    ------
    gpdc.errors.DataTableError
        If a sector is not in ``cbam_sectors.csv`` (the message lists the valid sectors).
    """
    scope = [tables.cbam_sector(p.sector) for p in products]
    return ProductTable(
        name=tuple(p.name for p in products),
        sector=tuple(p.sector for p in products),
        output_t_per_year=np.array([p.output_t_per_year for p in products], dtype=np.float64),
        electricity_kwh_per_t=np.array([p.electricity_kwh_per_t for p in products], dtype=np.float64),
        direct_t_co2_per_t=np.array([p.direct_t_co2_per_t for p in products], dtype=np.float64),
        cbam_good=np.array([s.cbam_good for s in scope], dtype=bool),
        indirect_in_scope=np.array([s.indirect_in_scope for s in scope], dtype=bool),
        scope_reason=tuple(s.scope_reason for s in scope),
    )
