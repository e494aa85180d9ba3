"""Figures of results: dispatch weeks, profiles, sizing studies (matplotlib; ``pip install "gpdc[plot]"``).

Nothing below this package imports it: computation and I/O never draw.  Every figure is written
atomically through :func:`save` (a temporary file, then a rename) in a format checked first by
:func:`check_format`.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from gpdc.errors import GpdcError
from gpdc.io.atomic import atomic_path

__all__ = ["FORMATS", "check_format", "pyplot", "save", "svg"]

#: image formats every matplotlib backend writes
FORMATS = ("png", "pdf", "svg", "jpg", "jpeg")


def check_format(path: str | Path) -> str:
    """Return the image format of ``path`` (its suffix; png when none), or raise a GpdcError naming the allowed ones."""
    fmt = Path(path).suffix.lstrip(".").lower() or "png"
    if fmt not in FORMATS:
        raise GpdcError(f"plot file {path}: format '{fmt}' is not supported; use one of {', '.join(FORMATS)}")
    return fmt


def pyplot() -> Any:
    """Return ``matplotlib.pyplot`` on the non-interactive Agg backend (a GpdcError if matplotlib is missing)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise GpdcError('plots need matplotlib: pip install "gpdc[plot]"') from None
    return plt


def save(fig: Any, path: str | Path, dpi: int = 110) -> Path:
    """Write ``fig`` to ``path`` atomically in the format of its suffix, close it and return the path."""
    plt = pyplot()
    path = Path(path)
    try:
        with atomic_path(path, "plot") as tmp:
            fig.savefig(tmp, dpi=dpi, format=check_format(path))
    finally:
        plt.close(fig)
    return path


def svg(fig: Any, name: str) -> str:
    """Return ``fig`` as an inline SVG element (text, no XML prologue) and close it.

    Text stays text (``svg.fonttype = "none"``: the page's fonts draw it, small and selectable);
    ``name`` salts the ids matplotlib gives clip paths, so several figures can share one HTML page
    without clashing ids, and the same figure always gives the same SVG (no date either).
    """
    import warnings

    import matplotlib

    plt = pyplot()
    buf = io.StringIO()
    try:
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}), warnings.catch_warnings():
            # the browser draws the text with its own fonts (Chinese ones too): matplotlib's lack of a glyph
            # only affects its estimate of the text's width
            warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
            fig.savefig(buf, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    text = buf.getvalue()
    return text[text.find("<svg"):]
