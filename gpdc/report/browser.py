"""Headless Chromium, driven over the DevTools protocol on a pipe: render a report, watch it, print it.

What a report must survive — opening offline, with no console error and no network request —
is checked in a real browser, the operating system's Chromium (Debian: ``apt-get install
chromium``), with nothing to install from a package registry: Chromium is started with
``--remote-debugging-pipe`` and spoken to over file descriptors 3 and 4 (JSON messages
separated by NUL bytes, the transport Puppeteer uses), so neither a WebDriver nor a websocket
library is needed.  :func:`find_chromium` says where the browser is (``GPDC_CHROMIUM`` wins);
:func:`open_page` loads a file and returns what the browser saw: console errors, uncaught
exceptions, log errors, every request other than the page itself, and a handle to query the
page, take a screenshot or print it to PDF.

Chromium is started as the machine's probe showed it must be in a closed network and as root:
``--headless --disable-gpu --disable-quic --no-first-run --disable-background-networking
--disable-component-update --disable-sync`` with a new empty ``--user-data-dir`` (and
``--no-sandbox`` when running as root, which Chromium requires).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gpdc.errors import BrowserError

__all__ = ["BrowserError", "Page", "PageLog", "find_chromium", "open_page"]

#: executables tried in this order when ``GPDC_CHROMIUM`` is not set
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

#: the flags every start uses (see the module docstring)
FLAGS = (
    "--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--mute-audio", "--hide-scrollbars", "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    """Return the path of a Chromium executable (``GPDC_CHROMIUM``, then the usual names), or None."""
    env = os.environ.get("GPDC_CHROMIUM")
    if env:
        return env if Path(env).exists() else shutil.which(env)
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageLog:
    """What the browser reported while it loaded and showed a page.

    Attributes
    ----------
    console_errors : list of str
        ``console.error`` / ``console.assert`` messages and uncaught exceptions.
    log_errors : list of str
        Errors of the browser's own log (failed loads, blocked content, security errors).
    requests : list of str
        Every URL the page requested except the page itself and ``data:`` URLs — empty for a
        self-contained, offline report.
    """

    console_errors: list[str] = field(default_factory=list)
    log_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


class _Pipe:
    """The DevTools protocol over Chromium's pipe: requests, their answers, and the events in between."""

    def __init__(self, proc: subprocess.Popen[bytes], write_fd: int, read_fd: int, timeout_s: float) -> None:
        self.proc = proc
        self.write_fd = write_fd
        self.read_fd = read_fd
        self.timeout_s = timeout_s
        self.next_id = 0
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self.read_fd, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                self.messages.put(None)
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                self.messages.put(json.loads(raw))

    def _next(self) -> dict[str, Any]:
        try:
            msg = self.messages.get(timeout=self.timeout_s)
        except queue.Empty:
            raise BrowserError(f"Chromium did not answer within {self.timeout_s:g} s") from None
        if msg is None:
            raise BrowserError("Chromium closed the DevTools pipe (it exited; see its messages above)")
        return msg

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        """Send one command and return its result; events that arrive meanwhile are kept."""
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session is not None:
            msg["sessionId"] = session
        os.write(self.write_fd, json.dumps(msg).encode() + b"\0")
        while True:
            answer = self._next()
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise BrowserError(f"Chromium refused {method}: {answer['error'].get('message')}")
                return dict(answer.get("result", {}))
            self.events.append(answer)

    def wait_for(self, method: str, session: str | None = None) -> dict[str, Any]:
        """Return the first event ``method`` (of ``session``) not yet consumed, waiting for it if needed."""
        for i, ev in enumerate(self.events):
            if ev.get("method") == method and ev.get("sessionId") == session:
                return self.events.pop(i)
        while True:
            ev = self._next()
            if ev.get("method") == method and ev.get("sessionId") == session:
                return ev
            self.events.append(ev)


class Page:
    """A page loaded in headless Chromium: query it, screenshot it, print it."""

    def __init__(self, pipe: _Pipe, session: str, url: str) -> None:
        self._pipe = pipe
        self._session = session
        self.url = url

    def evaluate(self, expression: str) -> Any:
        """Return the value of a JavaScript expression evaluated in the page (JSON-serialisable values)."""
        res = self._pipe.call("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                              self._session)
        if "exceptionDetails" in res:
            raise BrowserError(f"the page could not evaluate {expression[:80]!r}: {res['exceptionDetails']}")
        return res.get("result", {}).get("value")

    def set_viewport(self, width_px: int, height_px: int, mobile: bool = False) -> None:
        """Lay the page out for a screen of this size (CSS pixels); ``mobile`` as a phone would."""
        self._pipe.call("Emulation.setDeviceMetricsOverride", {
            "width": width_px, "height": height_px, "deviceScaleFactor": 1, "mobile": mobile}, self._session)

    def screenshot(self) -> bytes:
        """Return a PNG of the visible part of the page (the first screen)."""
        res = self._pipe.call("Page.captureScreenshot", {"format": "png"}, self._session)
        return base64.b64decode(res["data"])

    def pdf(self) -> bytes:
        """Return the page printed to PDF by the browser (its print style sheet applies), A4."""
        res = self._pipe.call("Page.printToPDF", {
            "printBackground": True, "preferCSSPageSize": True, "paperWidth": 8.27, "paperHeight": 11.69,
            "marginTop": 0.5, "marginBottom": 0.5, "marginLeft": 0.5, "marginRight": 0.5}, self._session)
        return base64.b64decode(res["data"])

    def log(self) -> PageLog:
        """What the browser reported so far (see :class:`PageLog`)."""
        self.evaluate("0")  # flush events that arrived before this call
        out = PageLog()
        for ev in self._pipe.events:
            if ev.get("sessionId") != self._session:
                continue
            method, params = ev.get("method"), ev.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.console_errors.append(" ".join(str(a.get("value", a.get("description", "")))
                                                   for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                out.console_errors.append(str(details.get("exception", {}).get("description")
                                              or details.get("text")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                out.log_errors.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
            elif method == "Network.requestWillBeSent":
                url = str(params.get("request", {}).get("url", ""))
                if url != self.url and not url.startswith("data:"):
                    out.requests.append(url)
        return out


#: run in a child Python: put the two pipe ends on descriptors 3 and 4, close the originals, become Chromium
_TRAMPOLINE = (
    "import os, sys\n"
    "r, w = int(sys.argv[1]), int(sys.argv[2])\n"
    "os.dup2(r, 3)\n"
    "os.dup2(w, 4)\n"
    "os.close(r)\n"
    "os.close(w)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


def _high_fd(fd: int) -> int:
    """The same pipe end on a descriptor >= 10, so that moving it to 3 or 4 in the child cannot clash."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


class _Chromium:
    """One headless Chromium process spoken to over its DevTools pipe, with its own empty profile folder."""

    def __init__(self, exe: str, profile: str, timeout_s: float) -> None:
        cmd_r, self.cmd_w = (_high_fd(fd) for fd in os.pipe())  # we write commands; Chromium reads fd 3
        self.out_r, out_w = (_high_fd(fd) for fd in os.pipe())  # Chromium writes fd 4; we read
        args = [exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to start as root with its sandbox
        self.stderr_path = Path(profile) / "stderr.txt"
        try:
            with self.stderr_path.open("wb") as stderr:
                self.proc = subprocess.Popen(  # noqa: S603 - a fixed argument list, no shell
                    [sys.executable, "-c", _TRAMPOLINE, str(cmd_r), str(out_w), *args],
                    pass_fds=(cmd_r, out_w), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
        except OSError as exc:
            for fd in (cmd_r, out_w, self.cmd_w, self.out_r):
                os.close(fd)
            raise BrowserError(f"cannot start {exe}: {exc}") from None
        os.close(cmd_r)
        os.close(out_w)
        self.pipe = _Pipe(self.proc, self.cmd_w, self.out_r, timeout_s)

    def open(self, url: str, width_px: int, height_px: int) -> Page:
        """Open ``url`` in a new tab and return it once its load event has fired."""
        try:
            pipe = self.pipe
            target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                pipe.call(f"{domain}.enable", {}, session)
            page = Page(pipe, session, url)
            page.set_viewport(width_px, height_px)
            pipe.call("Page.navigate", {"url": url}, session)
            pipe.wait_for("Page.loadEventFired", session)
        except BrowserError as exc:
            text = self.stderr_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise BrowserError(f"{exc}\nChromium said:\n{text}") from None
        return page

    def close(self) -> None:
        """Ask Chromium to quit; end it if it does not within a few seconds."""
        if self.proc.poll() is None:
            self.pipe.timeout_s = min(self.pipe.timeout_s, 10.0)
            try:
                self.pipe.call("Browser.close")
            except (BrowserError, OSError):
                pass
            try:
                self.proc.wait(timeout=10.0)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        os.close(self.cmd_w)
        os.close(self.out_r)


@contextmanager
def open_page(path: str | Path, *, width_px: int = 1280, height_px: int = 900, timeout_s: float = 60.0,
              executable: str | None = None, attempts: int = 2) -> Iterator[Page]:
    """Start headless Chromium, load a local HTML file, and yield the :class:`Page` once it has loaded.

    Parameters
    ----------
    path : str or Path
        The HTML file.
    width_px, height_px : int
        The viewport [CSS px].
    timeout_s : float
        How long to wait for any one answer of the browser [s].
    executable : str, optional
        The browser; default :func:`find_chromium`.
    attempts : int
        Starts to try: a browser that does not come up (a loaded machine) is ended and started
        again, with a new empty profile.

    Raises
    ------
    BrowserError
        If no Chromium is found, or it does not start or answer.
    """
    exe = executable or find_chromium()
    if exe is None:
        raise BrowserError("no Chromium found: install the operating system's chromium (Debian/Ubuntu: "
                           "apt-get install chromium) or set GPDC_CHROMIUM to the browser's path")
    url = Path(path).resolve().as_uri()
    for attempt in range(1, max(attempts, 1) + 1):
        with tempfile.TemporaryDirectory(prefix="gpdc-chromium-") as profile:
            browser = _Chromium(exe, profile, timeout_s)
            try:
                page = browser.open(url, width_px, height_px)
            except BrowserError:
                browser.close()
                if attempt < attempts:
                    continue
                raise
            try:
                yield page
            finally:
                browser.close()
            return
