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

The same for the question "is this a dask collection?", which xarray asks of each array it
encodes as CF datetimes (a run's hourly ``time``: ``is_chunked_array`` -> ``is_dask_collection``)
and answers by importing ``dask.base`` — dask's core, 0.1-0.15 s of CPU a ``gpdc run --traces``.
dask's own answer is False for anything without a callable ``__dask_graph__`` (the collection
protocol; ``dask.base.is_dask_collection``), so :func:`defer_dask_collection_check` gives xarray
a check that says so without importing dask and asks xarray's own for anything else.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["defer_dask", "defer_dask_array_type", "defer_dask_collection_check"]


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


def defer_dask_collection_check() -> bool:
    """Answer xarray's "is this a dask collection?" without dask where the object has no graph; True if in place."""
    try:
        from xarray.namedarray import utils
    except ImportError:  # pragma: no cover - another xarray layout
        return False
    original = getattr(utils, "is_dask_collection", None)
    if original is None or not callable(original):  # pragma: no cover - another xarray layout
        return False
    if getattr(original, "_gpdc_deferred", False):
        return True

    def is_dask_collection(x: object) -> bool:
        if isinstance(x, type) or not callable(getattr(x, "__dask_graph__", None)):
            return False  # dask's own answer (dask.base.is_dask_collection), without importing dask
        return bool(original(x))

    is_dask_collection.__doc__ = original.__doc__
    is_dask_collection._gpdc_deferred = True  # type: ignore[attr-defined]
    utils.is_dask_collection = is_dask_collection  # type: ignore[assignment] # same answers, fewer imports
    return True


def defer_dask() -> None:
    """Both deferrals: for each module of gpdc that builds or writes xarray objects, at its import."""
    defer_dask_array_type()
    defer_dask_collection_check()
