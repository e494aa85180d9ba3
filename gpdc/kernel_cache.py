"""numba's on-disk cache of the kernels: a damaged cache is cleared and the kernels recompiled.

The kernels are compiled with ``cache=True`` (:mod:`gpdc.kernels.step`): numba pickles each
compiled kernel into an index (``.nbi``) and a data file (``.nbc``) in the kernels'
``__pycache__`` or under ``NUMBA_CACHE_DIR``.  A truncated or overwritten cache file (a full
disk while numba wrote it, a copied or restored tree, a disk error) made every later run fail
with ``UnpicklingError`` until the user found and deleted the files.  :func:`call` runs a
kernel; if loading it from the cache fails — an exception raised inside numba's caching
module — it deletes the kernels' cache files, warns (:class:`~gpdc.errors.KernelCacheWarning`,
naming the folder), and runs it again, which recompiles and rewrites the cache.
"""

from __future__ import annotations

import os
import traceback
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from gpdc.errors import KernelCacheError, KernelCacheWarning
from gpdc.kernels import cpu

__all__ = ["call", "clear", "from_numba_cache", "kernel_dispatchers"]

T = TypeVar("T")


def kernel_dispatchers(module: Any = cpu) -> list[Any]:
    """Return the numba dispatchers of a kernel module that keep an on-disk cache (inlined helpers keep none)."""
    return [obj for obj in vars(module).values()
            if hasattr(obj, "py_func") and hasattr(obj, "stats") and obj.stats.cache_path is not None]


def from_numba_cache(exc: BaseException) -> bool:
    """True when ``exc`` was raised while numba loaded a kernel from its on-disk cache."""
    marker = os.path.join("numba", "core", "caching.py")
    return any(frame.filename.endswith(marker) for frame in traceback.extract_tb(exc.__traceback__))


def clear(dispatchers: Iterable[Any]) -> list[Path]:
    """Delete the cache files (index and data) of ``dispatchers``; return the folders cleared.

    Raises
    ------
    KernelCacheError
        If a cache file cannot be deleted.
    """
    folders: list[Path] = []
    for d in dispatchers:
        if d.stats.cache_path is None:  # no on-disk cache
            continue
        folder = Path(d.stats.cache_path)
        stem = Path(d.py_func.__code__.co_filename).stem
        name = d.py_func.__name__
        try:
            entries = list(folder.iterdir()) if folder.is_dir() else []
        except OSError:
            entries = []
        for f in entries:
            if f.name.startswith(f"{stem}.{name}-") and f.suffix in (".nbi", ".nbc"):
                try:
                    f.unlink()
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    raise KernelCacheError(
                        f"numba's cache of the gpdc kernels in {folder} is damaged and {f.name} cannot be deleted "
                        f"({exc.strerror or exc}): delete the folder's .nbi/.nbc files, or set NUMBA_CACHE_DIR to a "
                        "writable folder (or GPDC_NUMBA_CACHE=0 to compile without a cache)") from None
        if folder not in folders:
            folders.append(folder)
    return folders


def call(fn: Callable[..., T], *args: Any, dispatchers: Iterable[Any] | None = None) -> T:
    """Return ``fn(*args)``; if loading a kernel from numba's cache fails, clear the cache, warn and try once more.

    Parameters
    ----------
    fn : callable
        Calls the kernels (compiling or loading them on first use).
    *args
        Its arguments.
    dispatchers : iterable, optional
        The dispatchers whose cache to clear (default: every kernel of :mod:`gpdc.kernels.cpu`).

    Raises
    ------
    KernelCacheError
        If the damaged cache cannot be cleared.
    """
    try:
        return fn(*args)
    except Exception as exc:
        if not from_numba_cache(exc):
            raise
        targets = list(dispatchers) if dispatchers is not None else kernel_dispatchers()
        folders = clear(targets)
        where = ", ".join(str(f) for f in folders) or "(unknown folder)"
        warnings.warn(f"numba's on-disk cache of the kernels in {where} was damaged ({type(exc).__name__}: "
                      f"{str(exc)[:120]}); it was cleared and the kernels are compiled again (once, about 30 s)",
                      KernelCacheWarning, stacklevel=2)
        return fn(*args)
