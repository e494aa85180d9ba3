"""Dask schedulers for sweeps: the address checked, a warning when it is not this machine, a connect that ends.

Trust: a Dask client unpickles what its scheduler sends it, so whoever controls the scheduler
can run code in the process that runs the sweep.  ``--scheduler`` must therefore name a
scheduler you trust; any address that is not this machine's loopback draws a
:class:`~gpdc.errors.SchedulerWarning` saying so (across networks, use ``tls://`` with
certificates: Dask's ``distributed.comm.tls`` settings).

The connection is bounded: Dask's own ``timeout`` does not cover a server that accepts the TCP
connection and never answers (it hung for minutes), and a server that answers something else
made it raise ``MemoryError``.  :func:`connect` therefore first asks the server who it is, in its
own event loop under :func:`asyncio.wait_for` — at most the connect timeout (Dask's
``distributed.comm.timeouts.connect``, e.g. the environment variable
``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=10s``; 20 s when unset), whose cancellation closes
the connection, so a failed attempt leaves no client, thread or socket behind in the process —
and makes a client only of a Dask scheduler that answered.  Every failure is a
:class:`~gpdc.errors.ResultsFileError`.

A local cluster's workers must start within :data:`WORKER_START_S` (Dask's ``death_timeout``);
a worker process that hangs while starting is an error naming the limit, not a sweep that waits
for ever.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import threading
import time
import warnings
from typing import Any
from urllib.parse import urlsplit

from gpdc.errors import OptionError, ResultsFileError, SchedulerWarning

__all__ = ["SCHEMES", "WORKER_START_S", "check_scheduler", "client_for", "connect", "connect_timeout_s", "is_loopback",
           "quiet_dask"]

#: address schemes of Dask's communication layer
SCHEMES = ("tcp", "tls", "ucx", "ws", "wss")
#: seconds a local cluster's worker process may take to start (importing Dask and numpy in a fresh
#: interpreter takes a few; a loaded machine, tens) before the sweep stops with an error
WORKER_START_S = 180.0
_LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def is_loopback(host: str) -> bool:
    """True when ``host`` is this machine's loopback (``localhost``, 127.0.0.0/8, ``::1``) — no DNS lookup."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_scheduler(address: str) -> tuple[str, str, int]:
    """Check a scheduler address ``SCHEME://HOST:PORT``; warn if it is not this machine; return (scheme, host, port).

    Raises
    ------
    OptionError
        Naming ``--scheduler``, the address and what is allowed (scheme among :data:`SCHEMES`,
        a host, a port 1-65535).
    """
    allowed = (f"must be SCHEME://HOST:PORT with SCHEME one of {', '.join(SCHEMES)}, a host name or IP address and "
               "a port 1-65535, e.g. tcp://10.0.0.5:8786")
    text = str(address).strip()
    if "://" not in text:
        raise OptionError("--scheduler", address, f"has no scheme; {allowed}")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise OptionError("--scheduler", address, f"has an invalid port; {allowed}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise OptionError("--scheduler", address, f"has the unknown scheme {scheme!r}; {allowed}")
    host = parts.hostname or ""
    if not host:
        raise OptionError("--scheduler", address, f"has no host; {allowed}")
    if port is None or not 1 <= port <= 65535:
        raise OptionError("--scheduler", address, f"has no port; {allowed}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise OptionError("--scheduler", address, f"has more than SCHEME://HOST:PORT; {allowed}")
    if not is_loopback(host):
        warnings.warn(
            f"the Dask scheduler {text} is not on this machine: a Dask client unpickles what its scheduler sends, "
            "so whoever controls that scheduler can run code in this process; use only a scheduler you trust "
            "(tls:// with certificates across networks)", SchedulerWarning, stacklevel=2)
    return scheme, host, port


def connect_timeout_s() -> float:
    """Dask's connect timeout in seconds (``distributed.comm.timeouts.connect``; 20 when unset)."""
    try:
        import dask.config
        from dask.utils import parse_timedelta

        value = dask.config.get("distributed.comm.timeouts.connect", None)
        return float(parse_timedelta(value, default="s")) if value is not None else 20.0
    except (ImportError, ValueError, TypeError):
        return 20.0


def quiet_dask(quiet: bool) -> None:
    """Keep Dask's INFO lines out of the way: WARNING and above normally, ERROR only when ``quiet``.

    Applies to this process and, through the environment, to the worker processes a local
    cluster starts.
    """
    level = "error" if quiet else "warning"
    os.environ["DASK_LOGGING__DISTRIBUTED"] = level
    for name in ("distributed", "dask"):
        logging.getLogger(name).setLevel(logging.ERROR if quiet else logging.WARNING)


def _probe(address: str, limit: float) -> dict[str, Any]:
    """Ask what answers at ``address`` who it is (Dask's ``identity``) within ``limit`` s, leaving nothing behind.

    Runs its own event loop in a helper thread (so it works where one already runs, as in a
    notebook); :func:`asyncio.wait_for` bounds the whole exchange and its cancellation closes the
    connection, so a server that never answers leaves no client, thread or socket waiting.
    Raises what the exchange raised, or ``TimeoutError``.
    """
    import asyncio

    from distributed.comm import connect as comm_connect
    from distributed.security import Security

    async def identity() -> Any:
        comm = await comm_connect(address, timeout=limit, **Security().get_connection_args("client"))
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    box: dict[str, Any] = {}

    def attempt() -> None:
        try:
            box["reply"] = asyncio.run(asyncio.wait_for(identity(), limit))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    helper = threading.Thread(target=attempt, name="gpdc-dask-probe", daemon=True)
    helper.start()
    helper.join(limit + max(1.0, limit / 4.0))  # wait_for ends it first; this is the backstop
    if helper.is_alive() or isinstance(box.get("error"), TimeoutError):  # asyncio.TimeoutError too
        raise TimeoutError
    if "error" in box:
        raise box["error"]
    return box["reply"]


def connect(address: str, timeout_s: float | None = None) -> Any:
    """Return a ``dask.distributed.Client`` of the scheduler at ``address``, or raise within the timeout.

    First asks the server who it is (:func:`_probe`, bounded, leaving nothing behind when it
    fails); only a Dask scheduler that answered gets a client.

    Raises
    ------
    ResultsFileError
        If no Dask scheduler answered within the timeout, the connection failed, or what
        answered is not a Dask scheduler.
    """
    from dask.distributed import Client

    limit = connect_timeout_s() if timeout_s is None else float(timeout_s)
    try:
        reply = _probe(address, limit)
    except TimeoutError:
        raise ResultsFileError(
            f"no Dask scheduler answered at {address} within {limit:g} s (is a Dask scheduler listening there? "
            "set DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT to wait longer)") from None
    except OSError as exc:
        raise ResultsFileError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a garbled answer raises whatever the bytes give (MemoryError too)
        raise ResultsFileError(f"what answered at {address} is not a Dask scheduler ({type(exc).__name__}: "
                               f"{str(exc)[:200]})") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        kind = reply.get("type") if isinstance(reply, dict) else type(reply).__name__
        raise ResultsFileError(f"what answered at {address} is not a Dask scheduler (it says it is {kind!r})")
    try:
        # never the process's default scheduler: later dask work (xarray's writers) must not go through it
        return Client(address, timeout=f"{limit}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ResultsFileError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def client_for(scheduler: str | None, workers: int | None, quiet: bool = False) -> tuple[Any, Any, int | None]:
    """A Dask client for a sweep: of ``scheduler``, or of a local cluster of ``workers`` processes.

    Returns ``(client, cluster or None, numba threads per task or None)``.

    Raises
    ------
    ResultsFileError
        If dask.distributed is not installed or the scheduler cannot be reached.
    """
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise ResultsFileError(
            "running on a Dask cluster needs dask.distributed: pip install 'gpdc[cluster]'") from None
    from dask.distributed import Client, LocalCluster

    quiet_dask(quiet)
    if scheduler:  # checked (and warned about) by the caller, before any work
        return connect(scheduler), None, None
    n = workers or 1
    started = time.monotonic()
    try:
        # death_timeout bounds each worker's start (Dask waits for ever without one)
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                               host="127.0.0.1", silence_logs=logging.ERROR if quiet else logging.WARNING,
                               death_timeout=WORKER_START_S)
    except Exception as exc:  # noqa: BLE001 - Dask fails to start in many ways (a timed-out start: AssertionError)
        if time.monotonic() - started >= WORKER_START_S:
            why = (f"did not start within {WORKER_START_S:g} s (a loaded machine? fewer --workers; "
                   "Dask's log above may say more)")
        else:
            cause = exc.__cause__ or exc
            why = f"could not start: {type(cause).__name__}: {str(cause)[:300]}"
        raise ResultsFileError(f"the local Dask cluster of {n} worker process(es) {why}") from None
    client = Client(cluster, set_as_default=False, timeout=f"{WORKER_START_S}s")
    return client, cluster, max(1, (os.cpu_count() or 1) // n)
