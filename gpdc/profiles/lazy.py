"""pvlib, imported when a model first uses it: ``import gpdc.profiles`` does not pay for it.

pvlib imports every one of its modules, and with them scipy (0.4-0.6 s of CPU); a run whose
profiles come from the profile cache (:mod:`gpdc.profiles.cache`) or a CSV never calls it.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["pvlib"]


class _LazyModule:
    """Stands for a module; the first attribute asked for imports it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


#: the pvlib package (``pvlib.irradiance``, ``pvlib.solarposition``, ...)
pvlib: Any = _LazyModule("pvlib")
