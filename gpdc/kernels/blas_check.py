"""numba's start-up BLAS check without importing scipy.linalg: a quarter second off every run.

The first call of any numba function in a process, compiled or loaded from the cache, loads
numba's CPU target, which imports ``numba.np.arraymath``.  That module decides once whether
``np.dot`` and friends may call BLAS (``_HAVE_BLAS = _check_blas()``) by importing
``scipy.linalg.cython_blas``, which imports all of ``scipy.linalg``: 0.25-0.3 s of CPU on this
project's machines (``python -X importtime``), a tenth of a warm ``gpdc run`` or 1,000-design
``gpdc sweep``, for a module gpdc's kernels never use (they call no BLAS function).

:func:`install` imports ``numba.np.arraymath`` itself with ``numba.np.linalg.ensure_blas``
replaced, for that import only, by a check that scipy ships ``scipy/linalg/cython_blas`` (the
file, found without importing scipy), then puts numba's function back in both modules.  So
``_HAVE_BLAS`` says what numba's check would say where scipy is installed or missing, and
everything that really uses BLAS goes through numba's own ``ensure_blas`` when it compiles (which
imports ``scipy.linalg.cython_blas`` then and checks its integer width, as before); numba's C
helpers import the module again when a BLAS routine is first called.  The one difference: a
scipy whose BLAS integer width does not match numba's stops numba's import with a RuntimeError
without this; with it, that error comes when a function that uses BLAS compiles.

It is applied only before ``numba.np.arraymath`` is imported and where numba has the names it
replaces (numba 0.68); elsewhere nothing changes (:data:`STATE` says why).
``GPDC_NUMBA_BLAS_CHECK=0`` in the environment leaves numba alone.  ``tests/test_blas_check.py``
checks that a kernel call leaves ``scipy.linalg`` unimported and that ``np.dot`` still compiles
to BLAS and agrees with NumPy.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

__all__ = ["ENV", "STATE", "install", "scipy_has_cython_blas"]

#: the environment variable that leaves numba's check as it is ("0")
ENV = "GPDC_NUMBA_BLAS_CHECK"

#: what :func:`install` did: "installed", or why not
STATE = "not installed yet"


def scipy_has_cython_blas() -> bool:
    """Whether the installed scipy ships ``scipy.linalg.cython_blas`` (found on disk, nothing imported)."""
    try:
        spec = importlib.util.find_spec("scipy")
    except (ImportError, ValueError):
        return False
    if spec is None or not spec.submodule_search_locations:
        return False
    for where in spec.submodule_search_locations:
        linalg = Path(where) / "linalg"
        if any(linalg.glob("cython_blas.*")):
            return True
    return False


def _light_ensure_blas() -> None:
    if not scipy_has_cython_blas():
        raise ImportError("scipy 0.16+ is required for linear algebra")


def install() -> str:
    """Import ``numba.np.arraymath`` with the light check (once per process); return :data:`STATE`."""
    global STATE
    if STATE == "installed":
        return STATE
    if os.environ.get(ENV, "1").strip() == "0":
        STATE = f"off ({ENV}=0)"
        return STATE
    if "numba.np.arraymath" in sys.modules:
        STATE = "numba.np.arraymath was imported before gpdc.kernels: its check had run"
        return STATE
    import numba.np.linalg as linalg

    original = getattr(linalg, "ensure_blas", None)
    if original is None:
        STATE = "numba.np.linalg has no ensure_blas (another numba version): left alone"
        return STATE
    linalg.ensure_blas = _light_ensure_blas
    try:
        import numba.np.arraymath as arraymath
    finally:
        linalg.ensure_blas = original
    if getattr(arraymath, "ensure_blas", None) is _light_ensure_blas:
        arraymath.ensure_blas = original
    STATE = "installed"
    return STATE
