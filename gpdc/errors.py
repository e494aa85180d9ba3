"""The exceptions gpdc raises: one small hierarchy, in one module.

Every error about user input names the field (or file and column), the value and what is
allowed, so that the CLI can print it as it is and the user can fix the input.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_SPELLING: ContextVar[str] = ContextVar("gpdc_argument_spelling", default="python")


@contextmanager
def command_line_spelling() -> Iterator[None]:
    """Within this block, messages name arguments as the command line spells them (``--overwrite``)."""
    token = _SPELLING.set("cli")
    try:
        yield
    finally:
        _SPELLING.reset(token)


def argument(python: str, cli: str) -> str:
    """The name of an argument as the user wrote it: ``overwrite=True`` from Python, ``--overwrite`` from a shell."""
    return cli if _SPELLING.get() == "cli" else python


class GpdcError(Exception):
    """Base class of every error gpdc raises on purpose."""


class ScenarioError(GpdcError, ValueError):
    """A scenario field has a value that is not allowed.

    Parameters
    ----------
    field : str
        Dotted path of the field, e.g. ``"storage.storage_mwh"``.
    value : Any
        The value given.
    allowed : str
        What is allowed, in words, with the unit, e.g. ``"must be >= 0 [MWh]"``.
    """

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field} = {value!r} is invalid: {allowed}")


class ScenarioErrors(GpdcError, ValueError):
    """Several scenario fields are invalid at once; ``errors`` holds each one."""

    def __init__(self, errors: list[ScenarioError], source: str | None = None) -> None:
        self.errors = errors
        self.source = source
        head = f"{source}: " if source else ""
        lines = "\n".join(f"  - {e}" for e in errors)
        n = len(errors)
        super().__init__(f"{head}{n} invalid field{'s' if n != 1 else ''}:\n{lines}")


class ProfileError(GpdcError, ValueError):
    """An hourly profile (file or array) is malformed: wrong length, NaN, out of range."""


class InputError(GpdcError, ValueError):
    """Kernel inputs given directly (arrays, parameters, step length) are not usable; the message says which and why."""


class DataTableError(GpdcError, LookupError):
    """A lookup in gpdc's reference data tables (policy, factors, tariffs, costs) failed."""


class UnregisteredVariableError(GpdcError, KeyError):
    """A result variable is not in :data:`gpdc.results.registry.VARIABLES`: it would be written without a unit."""


class ResultsFileError(GpdcError, OSError):
    """A results file cannot be written or read as a gpdc result."""


class FileLockedError(ResultsFileError):
    """Another process is writing this results file; ``holder_pid`` is its process id (None if unknown)."""

    def __init__(self, message: str, holder_pid: int | None = None) -> None:
        self.holder_pid = holder_pid
        super().__init__(message)


class WriteError(ResultsFileError):
    """Writing a results file failed (no space left, a file-size limit, an I/O error); nothing was replaced.

    ``errno`` is the operating system's error number (e.g. ``errno.ENOSPC``).
    """

    def __init__(self, message: str, errno_: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno_


class KernelCacheError(GpdcError, OSError):
    """numba's on-disk cache of the kernels is damaged and cannot be cleared (e.g. a read-only folder)."""


class InputFileError(GpdcError, ValueError):
    """An input file cannot be read: not a regular file, too large, or not UTF-8 text.

    The message names the file (scenario, profile, weather, tariff, designs) and, for text, the
    byte offset of the first bad byte.
    """


class _FieldError(GpdcError, ValueError):
    """An error that names the field (option, file, attribute, column), the value found and what is allowed."""

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field} = {value!r} is invalid: {allowed}")


class OptionError(_FieldError):
    """A command-line or API option has a value that is not allowed.

    Parameters
    ----------
    field : str
        The option, e.g. ``"--scheduler"``.
    value : Any
        The value given.
    allowed : str
        What is allowed, in words.
    """


class ConsistencyError(GpdcError, ValueError):
    """A plausibility check failed under ``strict=True``."""


class ConsistencyWarning(UserWarning):
    """A plausibility check failed; the run goes on."""


class KernelCacheWarning(UserWarning):
    """numba's on-disk cache of the kernels was damaged; it was cleared and the kernels recompiled."""


class SchedulerWarning(UserWarning):
    """A Dask scheduler address is not on this machine: the scheduler must be trusted."""


class LPInfeasibleError(GpdcError, ValueError):
    """The LP reference (:mod:`gpdc.optimal`) has no solution; ``groups`` names the constraints at fault."""

    def __init__(self, message: str, groups: list[str]) -> None:
        self.groups = groups
        super().__init__(message)


class LPSolveError(GpdcError, RuntimeError):
    """HiGHS stopped without an optimum (time limit, unbounded, numerical trouble)."""


class ReportError(_FieldError):
    """A results file cannot be reported or exported as asked (``gpdc report``, ``gpdc export``).

    Parameters
    ----------
    field : str
        What is wrong: an option, the file, one of its attributes or variables.
    value : Any
        What was found.
    allowed : str
        What a report needs, and how to get it.
    """


class LedgerError(_FieldError):
    """A green-power delivery record cannot be built or read (an altered one is a failed check, not an error).

    Parameters
    ----------
    field : str
        What is wrong: the file, a column, a header line.
    value : Any
        The value found.
    allowed : str
        What is allowed instead.
    """


class BrowserError(GpdcError, RuntimeError):
    """No usable Chromium, or the browser did not answer as expected; the message says what to do."""
