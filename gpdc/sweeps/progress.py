"""How a long sweep shows progress: a bar on a terminal, a line every ~10 s in a log, nothing when quiet.

The runner calls :meth:`Progress.advance` after each chunk it writes and :meth:`Progress.close` at
the end; :func:`progress_for` picks the kind.  The clock is injectable, so the log lines can be
tested without waiting.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

__all__ = ["LOG_INTERVAL_S", "LogLines", "Progress", "TerminalBar", "progress_for"]

#: seconds between two progress lines when standard error is not a terminal
LOG_INTERVAL_S = 10.0


def _hms(seconds: float) -> str:
    s = int(round(max(seconds, 0.0)))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


class Progress:
    """No progress shown (quiet); the base of the others."""

    def __init__(self, total_chunks: int, done_chunks: int, total_designs: int) -> None:
        self.total = total_chunks
        self.done = done_chunks
        self.total_designs = total_designs
        self.designs_run = 0

    def advance(self, designs: int) -> None:
        """One more chunk of ``designs`` designs is on disk."""
        self.done += 1
        self.designs_run += designs

    def close(self) -> None:
        """The sweep ended (or stopped)."""


class LogLines(Progress):
    """A line on a stream every :data:`LOG_INTERVAL_S` seconds, and a summary at the end."""

    def __init__(self, total_chunks: int, done_chunks: int, total_designs: int, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic, interval_s: float = LOG_INTERVAL_S) -> None:
        super().__init__(total_chunks, done_chunks, total_designs)
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.interval = interval_s
        self.start = clock()
        self.last = self.start
        self.first = done_chunks

    def _line(self, now: float) -> str:
        elapsed = now - self.start
        rate = self.designs_run / elapsed if elapsed > 0 else float("nan")
        run = self.done - self.first
        left = (self.total - self.done) * elapsed / run if run else float("nan")
        eta = _hms(left) if left == left else "?"
        return (f"sweep: {self.done} of {self.total} chunks ({self.done / max(self.total, 1):.0%}), "
                f"{self.designs_run:,} designs in {_hms(elapsed)} ({rate:,.0f} designs/s), about {eta} left")

    def advance(self, designs: int) -> None:
        """Count the chunk; print a line when the interval has passed."""
        super().advance(designs)
        now = self.clock()
        if now - self.last >= self.interval and self.done < self.total:
            self.last = now
            print(self._line(now), file=self.stream, flush=True)

    def close(self) -> None:
        """Print the summary line."""
        now = self.clock()
        print(self._line(now).replace(", about 0:00:00 left", "") + " — done" * (self.done == self.total),
              file=self.stream, flush=True)


class TerminalBar(Progress):
    """A rich progress bar on standard error: chunks, rate, ``elapsed 0:00:05 · 0:00:03 left``."""

    def __init__(self, total_chunks: int, done_chunks: int, total_designs: int) -> None:
        super().__init__(total_chunks, done_chunks, total_designs)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        self.start = time.monotonic()
        self.bar: Any = RichProgress(
            TextColumn("sweep", style="bold", markup=False), BarColumn(), MofNCompleteColumn(),
            TextColumn("chunks", markup=False), TextColumn("{task.fields[rate]}", markup=False),
            TextColumn("elapsed", markup=False), TimeElapsedColumn(), TextColumn("·", markup=False),
            TimeRemainingColumn(), TextColumn("left", markup=False),
            console=Console(stderr=True, markup=False, emoji=False), transient=False,
        )
        self.bar.start()
        self.task = self.bar.add_task("sweep", total=total_chunks, completed=done_chunks, rate="")

    def advance(self, designs: int) -> None:
        """Move the bar by one chunk and show the rate."""
        super().advance(designs)
        rate = self.designs_run / max(time.monotonic() - self.start, 1e-9)
        self.bar.update(self.task, advance=1, rate=f"{rate:,.0f} designs/s")

    def close(self) -> None:
        """Stop the bar (it stays on screen)."""
        self.bar.stop()


def progress_for(total_chunks: int, done_chunks: int, total_designs: int, quiet: bool) -> Progress:
    """Nothing when quiet; a bar on a terminal; periodic lines otherwise (a log, a CI job)."""
    if quiet:
        return Progress(total_chunks, done_chunks, total_designs)
    if sys.stderr.isatty():
        return TerminalBar(total_chunks, done_chunks, total_designs)
    return LogLines(total_chunks, done_chunks, total_designs)
