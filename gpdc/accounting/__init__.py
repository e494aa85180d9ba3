"""Accounting: kernel totals -> energy, policy ratios, bills, finance and emissions (PyPSA's ``statistics`` layer).

Each module is a concern — :mod:`.energy`, :mod:`.policy`, :mod:`.tariffs`, :mod:`.costs`,
:mod:`.finance`, :mod:`.emissions` — vectorised over designs; :mod:`.derive` puts them
together: :func:`~gpdc.accounting.derive.evaluate` for designs of a prepared scenario,
:func:`~gpdc.accounting.derive.derive` for totals from elsewhere.
"""

from gpdc.accounting.derive import derive, evaluate, period_years, variants

__all__ = ["derive", "evaluate", "period_years", "variants"]
