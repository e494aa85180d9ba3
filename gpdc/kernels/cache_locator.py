"""numba's on-disk cache of gpdc's kernels, keyed on every kernel source file, not only the kernel's own.

numba stamps a cached kernel with a hash of the file the kernel is defined in, and loads it
while that file is unchanged.  gpdc's batch kernels (:mod:`gpdc.kernels.cpu`) inline the step,
the layout and the spec from other files of this package: an edit to :mod:`gpdc.kernels.step`
alone left numba loading the old compiled kernel from ``__pycache__`` (a stale benchmark run in
a development tree, where the tests already kept their cache under a hash of every kernel
source).  :func:`install` puts two locators in front of numba's own, for functions defined in
the files of :mod:`gpdc.kernels` and :mod:`gpdc.accounting`: they keep numba's cache folders
(``NUMBA_CACHE_DIR`` when set, else the module's ``__pycache__``) and stamp each kernel with
:func:`source_stamp` — one SHA-256 over the names and contents of every ``.py`` file of
:mod:`gpdc.kernels` and of the kernel's own file — so a change to any of them recompiles.
Functions anywhere else keep numba's locators.  Where numba's caching classes differ from the
ones this was written against (numba 0.6x), :func:`install` leaves numba's locators alone.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

__all__ = ["KERNEL_DIR", "covered", "install", "source_stamp"]

#: the folder whose ``.py`` files every kernel's stamp covers
KERNEL_DIR = Path(__file__).resolve().parent
_PACKAGE_DIR = KERNEL_DIR.parent
#: the folders whose functions get the stamp (the kernels', the compiled finance's)
_COVERED = (KERNEL_DIR, _PACKAGE_DIR / "accounting")


def covered(py_file: str | Path) -> bool:
    """Tell whether ``py_file`` is a source file of gpdc's kernels or compiled accounting."""
    try:
        parent = Path(py_file).resolve().parent
    except (OSError, RuntimeError):
        return False
    return parent in _COVERED


def _files_key(py_file: str) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime ns, size) of every file the stamp hashes: the memo key, so that an edit is seen."""
    paths = sorted(set(KERNEL_DIR.glob("*.py")) | {Path(py_file).resolve()})
    key = []
    for p in paths:
        st = p.stat()
        key.append((str(p), st.st_mtime_ns, st.st_size))
    return tuple(key)


@functools.lru_cache(maxsize=64)
def _hash(key: tuple[tuple[str, int, int], ...]) -> str:
    h = hashlib.sha256()
    for path, _, _ in key:
        h.update(Path(path).name.encode())
        h.update(b"\0")
        h.update(Path(path).read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def source_stamp(py_file: str | Path) -> str:
    """SHA-256 (hex) over the names and contents of every ``.py`` file of gpdc.kernels and ``py_file``."""
    return _hash(_files_key(str(py_file)))


def _locators() -> tuple[type, type] | None:
    """Return the two locator classes, or None where numba's caching module lacks the classes they extend."""
    try:
        from numba.core import caching
        in_tree: Any = caching.InTreeCacheLocator
        user: Any = caching.UserProvidedCacheLocator
    except (ImportError, AttributeError):
        return None

    class _KernelStamp:
        """The stamp over every kernel file, for gpdc's kernel files only (other files: numba's locators)."""

        _py_file: str

        def get_source_stamp(self) -> str:
            return source_stamp(self._py_file)

        @classmethod
        def from_function(cls, py_func: Any, py_file: str) -> Any:
            return super().from_function(py_func, py_file) if covered(py_file) else None  # type: ignore[misc]

    class KernelUserProvidedLocator(_KernelStamp, user):  # type: ignore[misc, valid-type]
        """numba's ``NUMBA_CACHE_DIR`` locator with the kernel stamp."""

    class KernelInTreeLocator(_KernelStamp, in_tree):  # type: ignore[misc, valid-type]
        """numba's ``__pycache__`` locator with the kernel stamp."""

    return KernelUserProvidedLocator, KernelInTreeLocator


_INSTALLED: list[type] = []


def install() -> bool:
    """Put the kernel locators in front of numba's (once); True when they are in place.

    Must run before the kernels are decorated: numba picks a function's locator when it turns
    its cache on (``cache=True`` at decoration).
    """
    if _INSTALLED:
        return True
    classes = _locators()
    if classes is None:
        return False
    from numba.core import caching

    impl = getattr(caching, "CacheImpl", None) or getattr(caching, "_CacheImpl", None)  # 0.6x / older
    chain = getattr(impl, "_locator_classes", None)
    if not isinstance(chain, list):
        return False
    chain[:0] = list(classes)
    _INSTALLED.extend(classes)
    return True
