"""gpdc — simulation engine for green power direct connection (绿电直连) projects."""

from __future__ import annotations

__version__ = "0.1.0"
