"""Which backend runs the dispatch: the user's choice, ``auto``, and the refusal where CUDA cannot run.

The kernels' seam (:mod:`gpdc.kernels.dispatch`) runs a batch on a named backend, ``"cpu"`` or
``"cuda"``; this module decides the name.  :func:`choose` turns what a user asks for
(:data:`CHOICES`) into a backend — ``auto`` picks the GPU where one is usable and the batch is
large enough to pay for the GPU's start, else the CPU — and refuses ``cuda`` with the reason
where it cannot run (an :class:`~gpdc.errors.InputError`: the command line prints it and exits
2).  :func:`using` makes a backend the default of the kernel calls in a ``with`` block (this
thread or task only: a context variable), which is how sweeps and sizing pass it down to
:func:`gpdc.pipeline.run_totals` without threading it through every call.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator

import numpy as np

from gpdc.errors import InputError
from gpdc.kernels.dispatch import BACKENDS

__all__ = ["CHOICES", "CPU_KERNEL_S_PER_SCENARIO_HOUR", "GPU_START_S", "MIN_DESIGNS_ENV", "auto_min_designs", "check_here", "choose",
           "current", "using"]

#: what a user may ask for (``auto``: see :func:`choose`)
CHOICES: tuple[str, ...] = ("auto", *BACKENDS)
#: CPU seconds of the batch kernel per scenario-hour: 41.86 s of CPU for 10⁶ scenario-years of
#: 8760 h (README "Speed", section 4; Intel Xeon, Emerald Rapids, default 256-bit build)
CPU_KERNEL_S_PER_SCENARIO_HOUR = 4.78e-9
#: what a GPU costs before it computes, in a fresh process [s]: CUDA context, loading (or on the
#: first run, compiling) the kernel, copying the inputs.  An estimate (docs/gpu.md): no GPU was
#: at hand to measure it; ``benchmarks/gpu.py`` prints the measured figure on one.
GPU_START_S = 2.0
#: the environment variable that overrides the design count from which ``auto`` picks the GPU
MIN_DESIGNS_ENV = "GPDC_CUDA_MIN_DESIGNS"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("gpdc_backend", default="cpu")


def _check(backend: str) -> str:
    if backend not in BACKENDS:
        raise InputError(f"backend = {backend!r} is invalid: must be one of {', '.join(BACKENDS)}")
    return backend


def current() -> str:
    """The backend of kernel calls that name none (``"cpu"`` unless inside :func:`using`)."""
    return _current.get()


@contextlib.contextmanager
def using(backend: str) -> Iterator[str]:
    """Run the kernel calls of the ``with`` block on ``backend`` (a name of :data:`BACKENDS`)."""
    token = _current.set(_check(backend))
    try:
        yield backend
    finally:
        _current.reset(token)


def auto_min_designs(n_hours: int = 8760) -> int:
    """The design count from which ``auto`` picks the GPU.

    :data:`MIN_DESIGNS_ENV` if set; else where the CPU's kernel, on all of numba's threads,
    would take longer than the GPU takes to start (:data:`GPU_START_S`): on 2 cores and 8760 h
    about 96,000 designs, on 16 cores about 760,000.
    """
    raw = os.environ.get(MIN_DESIGNS_ENV)
    if raw is None:
        import numba

        threads = max(1, int(numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
        return int(np.ceil(GPU_START_S * threads / (max(1, n_hours) * CPU_KERNEL_S_PER_SCENARIO_HOUR)))
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{MIN_DESIGNS_ENV} = {raw!r} is invalid: must be a whole number of designs") from None
    if value < 0:
        raise InputError(f"{MIN_DESIGNS_ENV} = {value} is invalid: must be >= 0")
    return value


def choose(backend: str, n_designs: int, n_hours: int = 8760, local: bool = True) -> str:
    """Return the backend that runs ``n_designs`` designs of ``n_hours`` steps when the user asks for ``backend``.

    ``backend`` is one of :data:`CHOICES`.  ``auto``: ``cuda`` where it can run and
    ``n_designs >= auto_min_designs(n_hours)``, else ``cpu``.  ``cuda`` where it cannot run
    raises :class:`~gpdc.errors.InputError` saying why.  With ``local`` False (the chunks run
    on Dask workers) this process cannot see the workers' GPUs: ``cuda`` is passed on for each
    worker to check (:func:`check_here`) and ``auto`` means ``cpu``.
    """
    if backend not in CHOICES:
        raise InputError(f"backend = {backend!r} is invalid: must be one of {', '.join(CHOICES)}")
    if backend == "cpu" or (backend == "auto" and not local):
        return "cpu"
    if not local:
        return "cuda"
    if backend == "auto" and n_designs < auto_min_designs(n_hours):
        return "cpu"
    from gpdc.kernels.cuda import unavailable_reason

    reason = unavailable_reason()
    if reason is None:
        return "cuda"
    if backend == "auto":
        return "cpu"
    raise InputError(f"backend = 'cuda' cannot run here: {reason}; use backend 'cpu' (or 'auto')")


def check_here(backend: str) -> None:
    """Raise an InputError naming this host where ``backend`` cannot run in this process (a Dask worker's check)."""
    if _check(backend) != "cuda":
        return
    from gpdc.kernels.cuda import unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        import socket

        raise InputError(f"backend = 'cuda' cannot run on {socket.gethostname()} (pid {os.getpid()}): {reason}")
