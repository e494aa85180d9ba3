"""End the ``gpdc`` process without Python's interpreter teardown: 0.3-0.5 s of CPU off every command.

When a command has finished, Python still tears the interpreter down: it clears the ~1,500
modules a run imports (numba's type registries, xarray, pandas, h5py) and collects their
objects, numba's LLVM handles among them.  Measured on this project's machines (Intel Xeon,
2026-12-03, CPU time of a warm ``gpdc sweep`` of 1,000 designs and of ``gpdc run``): 0.3-0.5 s,
as much as the sweep's own work, spent on memory the operating system frees anyway.

:func:`exit_process` does what the end of the interpreter does that matters to a user — it runs
the :mod:`atexit` handlers (logging's flush, weakref finalizers such as temporary folders,
multiprocessing and Dask clean-up, coverage's data file) and flushes stdout and stderr — and then
ends the process with ``os._exit`` and the command's exit status.  It takes the ordinary way
(``sys.exit``), teardown and all, whenever skipping could lose or hide anything:

* ``GPDC_FAST_EXIT=0`` in the environment;
* a tracer or profiler is active (a debugger, ``coverage``, ``python -m cProfile``, whose report
  is written after the script returns);
* a thread other than the main one and not a daemon is still running (Python would wait for it);
* an HDF5 file is still open for writing (the HDF5 library flushes it at its own exit);
* the exit status is not a number (``sys.exit("message")`` prints the message);
* stdout or stderr cannot be flushed (a closed pipe: Python reports it and exits with 120).

Only the installed ``gpdc`` script ends this way (:func:`gpdc.cli.console`); :func:`gpdc.cli.main`
raises ``SystemExit`` as before, for callers that go on after it.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import Any, NoReturn

__all__ = ["ENV", "exit_process", "why_not_fast"]

#: the environment variable that keeps Python's teardown ("0")
ENV = "GPDC_FAST_EXIT"


def _open_for_writing_hdf5() -> int:
    """How many HDF5 files this process holds open for writing (0 where h5py was never imported)."""
    h5py = sys.modules.get("h5py")
    if h5py is None:
        return 0
    h5f = h5py.h5f
    try:
        return sum(1 for fid in h5f.get_obj_ids(types=h5f.OBJ_FILE) if fid.get_intent() & h5f.ACC_RDWR)
    except Exception:  # noqa: BLE001 - any doubt about the library's state keeps the ordinary exit
        return 1


def why_not_fast(code: object) -> str | None:
    """Why the process must end the ordinary way (with teardown), or None where :func:`exit_process` may skip it."""
    if os.environ.get(ENV, "1").strip() == "0":
        return f"{ENV}=0"
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return "a tracer or profiler is active"
    if not (code is None or isinstance(code, int)):
        return "the exit status is a message"
    if not hasattr(atexit, "_run_exitfuncs"):
        return "this Python cannot run the atexit handlers early"
    main = threading.main_thread()
    if any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return "a non-daemon thread is still running"
    if _open_for_writing_hdf5():
        return "an HDF5 file is still open for writing"
    return None


def exit_process(code: Any = 0) -> NoReturn:
    """End the process with ``code`` (as ``sys.exit`` takes it), skipping the interpreter's teardown where safe."""
    if why_not_fast(code) is not None:
        sys.exit(code)
    status = 0 if code is None else int(code)  # why_not_fast: None or an int
    atexit._run_exitfuncs()  # runs each handler once and clears the list
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        sys.exit(code)  # Python's own exit reports the broken stream (and its status, 120)
    os._exit(status & 0xFF)  # what the operating system keeps of sys.exit's status too
