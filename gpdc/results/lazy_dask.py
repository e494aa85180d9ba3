"""Keep xarray from importing ``dask.array`` to build a Dataset of NumPy arrays.

Why: xarray asks for dask's array type the first time it builds a Variable (``isinstance(data,
array_type("dask"))`` in ``as_compatible_data``) and, where dask is installed, imports
``dask.array`` to answer — 0.4 s of CPU, a seventh of a ``gpdc run``, in a process that never
holds a dask array.

How: :func:`defer_dask_array_type` puts a stand-in into xarray's cache of duck-array modules
(``xarray.namedarray.pycompat._cached_duck_array_modules``) before xarray fills it.  Its
``type`` is ``()`` while ``dask.array`` is not imported — no dask array can exist then, so the
answer is the one xarray would give — and dask's ``Array`` once it is (the stand-in then gives
the entry back to xarray's own).  Anything else asked of it (``version``, ``module``,
``available``) makes xarray's own lookup.  Where xarray's internals differ from this (another
version), or dask is imported already, it does nothing: xarray then works as it always does.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["defer_dask_array_type"]


class _DaskUntilImported:
    """xarray's ``DuckArrayModule("dask")``, deferred until ``dask.array`` is imported."""

    def __init__(self, pycompat: Any) -> None:
        self._pycompat = pycompat

    def _real(self) -> Any:
        real = self._pycompat.DuckArrayModule("dask")
        cache = self._pycompat._cached_duck_array_modules
        if cache.get("dask") is self:
            cache["dask"] = real
        return real

    @property
    def type(self) -> tuple[type, ...]:
        array = getattr(sys.modules.get("dask.array"), "Array", None)
        if array is None:
            return ()
        return tuple(self._real().type)

    def __getattr__(self, name: str) -> Any:  # module, version, available
        return getattr(self._real(), name)


def defer_dask_array_type() -> bool:
    """Install the stand-in (once per process); True if it is in place."""
    if "dask.array" in sys.modules:
        return False
    try:
        from xarray.namedarray import pycompat
    except ImportError:  # pragma: no cover - another xarray layout
        return False
    cache = getattr(pycompat, "_cached_duck_array_modules", None)
    if not isinstance(cache, dict) or not hasattr(pycompat, "DuckArrayModule"):
        return False
    if "dask" not in cache:
        cache["dask"] = _DaskUntilImported(pycompat)
    return isinstance(cache["dask"], _DaskUntilImported)
