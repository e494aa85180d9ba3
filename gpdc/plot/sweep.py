"""A metric of a sweep over one or two of its dimensions (``gpdc plot``).

A line per value of the ``color`` dimension (designs that break a policy rule drawn hollow), or a
heat map over ``x`` and ``y`` with the boundary of compliance drawn and the non-compliant designs
hatched; one panel per value of the ``facet`` dimension.  What is shown is chosen by
:func:`gpdc.sweeps.select.sweep_view`; this module only draws it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from gpdc.plot import pyplot, save
from gpdc.sweeps.select import SweepView

__all__ = ["plot_sweep"]


def _label(da: xr.DataArray, name: str, unit: str | None = None) -> str:
    """Axis label of a variable or coordinate: its field path or long name, and its unit."""
    attrs = da.attrs
    text = str(attrs.get("field") or attrs.get("long_name") or name)
    unit = str(attrs.get("units", "")) if unit is None else unit
    return f"{text} [{unit}]" if unit and unit != "1" else text


def _scaled(da: xr.DataArray) -> tuple[xr.DataArray, str]:
    """Values in a unit that reads well: yuan as M yuan, tonnes above 10,000 as kt, fractions as %."""
    unit = str(da.attrs.get("units", ""))
    values = da.values.astype(np.float64) if da.dtype.kind in "fiub" else da.values
    peak = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
    if unit == "yuan" and peak >= 1e6:
        return da.astype(np.float64) / 1e6, "M yuan"
    if unit in ("t", "tCO2", "t CO2") and peak >= 1e4:
        return da.astype(np.float64) / 1e3, "k" + unit
    if unit in ("1", "") and da.dtype.kind == "f" and peak <= 1.0 and ("share" in str(da.name) or str(da.name).endswith("_frac")):
        return da * 100.0, "%"
    return da, unit


def _positions(coord: xr.DataArray) -> tuple[np.ndarray, list[str] | None]:
    """Numeric positions of a coordinate, with tick labels when its values are not numbers (zipped dims)."""
    values = coord.values
    if values.dtype.kind in "fiu":
        return values.astype(np.float64), None
    return np.arange(len(values), dtype=np.float64), [str(v) for v in values]


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around grid points (half-way between neighbours) for a heat map."""
    if len(centres) == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    mid = 0.5 * (centres[1:] + centres[:-1])
    return np.concatenate([[2 * centres[0] - mid[0]], mid, [2 * centres[-1] - mid[-1]]])


def _boundary(ax: Any, ex: np.ndarray, ey: np.ndarray, ok: np.ndarray) -> None:
    """Draw the edges between cells of which one meets every rule and the other does not."""
    segments = []
    for j, i in zip(*np.nonzero(ok[:, 1:] != ok[:, :-1]), strict=True):
        segments.append([(ex[i + 1], ey[j]), (ex[i + 1], ey[j + 1])])
    for j, i in zip(*np.nonzero(ok[1:, :] != ok[:-1, :]), strict=True):
        segments.append([(ex[i], ey[j + 1]), (ex[i + 1], ey[j + 1])])
    if segments:
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(segments, colors="white", linewidths=3.0))
        ax.add_collection(LineCollection(segments, colors="black", linewidths=1.2))


def _heat_map(ax: Any, fig: Any, view: SweepView, values: xr.DataArray, comp: xr.DataArray | None,
              limits: tuple[float, float], unit: str) -> None:
    from matplotlib.patches import Rectangle

    assert view.y is not None
    xs, xt = _positions(values[view.x])
    ys, yt = _positions(values[view.y])
    ex, ey = _edges(xs), _edges(ys)
    z = values.transpose(view.y, view.x).values.astype(np.float64)
    mesh = ax.pcolormesh(ex, ey, np.ma.masked_invalid(z), cmap="viridis", shading="flat", vmin=limits[0],
                         vmax=limits[1])
    fig.colorbar(mesh, ax=ax, shrink=0.9, label=_label(values, str(values.name), unit))
    if comp is not None:
        c = comp.transpose(view.y, view.x).values.astype(np.float64)
        for j, i in zip(*np.nonzero(c < 0.5), strict=True):  # NaN (unfinished) is neither
            ax.add_patch(Rectangle((ex[i], ey[j]), ex[i + 1] - ex[i], ey[j + 1] - ey[j], fill=False, hatch="//",
                                   edgecolor="0.15", linewidth=0.0))
        _boundary(ax, ex, ey, c > 0.5)
    if xt is not None:
        ax.set_xticks(xs, xt, rotation=30, ha="right")
    if yt is not None:
        ax.set_yticks(ys, yt)
    ax.set_xlabel(_label(values[view.x], view.x))
    ax.set_ylabel(_label(values[view.y], view.y))


def _lines(ax: Any, plt: Any, view: SweepView, values: xr.DataArray, comp: xr.DataArray | None, unit: str) -> None:
    xs, xt = _positions(values[view.x])
    groups = [(None, values, comp)] if view.color is None else [
        (v, values.isel({view.color: i}), comp.isel({view.color: i}) if comp is not None else None)
        for i, v in enumerate(values[view.color].values)]
    colours = plt.get_cmap("viridis")(np.linspace(0.0, 0.85, max(len(groups), 1)))
    for (label, y, c), colour in zip(groups, colours, strict=True):
        yv = y.values.astype(np.float64)
        name = None if label is None else f"{view.color} = {label.item() if hasattr(label, 'item') else label}"
        ax.plot(xs, yv, "-", color=colour, lw=1.4, label=name)
        ok = np.ones_like(yv, dtype=bool) if c is None else c.values.astype(np.float64) > 0.5
        ax.plot(xs[ok], yv[ok], "o", color=colour, ms=5)
        ax.plot(xs[~ok], yv[~ok], "o", mfc="white", mec=colour, ms=5)
    if comp is not None:
        ax.plot([], [], "o", color="0.3", ms=5, label="meets every policy rule")
        ax.plot([], [], "o", mfc="white", mec="0.3", ms=5, label="breaks a policy rule")
    if xt is not None:
        ax.set_xticks(xs, xt, rotation=30, ha="right")
    ax.set_xlabel(_label(values[view.x], view.x))
    ax.set_ylabel(_label(values, str(values.name), unit))
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)


def plot_sweep(path: str | Path, view: SweepView, title: str) -> Path:
    """Draw ``view`` (see :func:`gpdc.sweeps.select.sweep_view`) to ``path`` (PNG, PDF, SVG, JPEG)."""
    plt = pyplot()
    panels: list[Any] = [None] if view.facet is None else list(view.values[view.facet].values)
    scaled, unit = _scaled(view.values)
    scaled.attrs = dict(view.values.attrs)
    finite = scaled.values[np.isfinite(scaled.values)] if scaled.dtype.kind == "f" else scaled.values.ravel()
    limits = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    ncol = min(len(panels), 3)
    nrow = -(-len(panels) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(6.2 * ncol, 4.6 * nrow), squeeze=False, constrained_layout=True)
    for k, panel in enumerate(panels):
        ax = axes[k // ncol][k % ncol]
        values, comp = scaled, view.compliant
        if view.facet is not None:
            values = values.isel({view.facet: k})
            comp = comp.isel({view.facet: k}) if comp is not None and view.facet in comp.dims else comp
            ax.set_title(f"{view.facet} = {panel.item() if hasattr(panel, 'item') else panel}", fontsize=10)
        if view.y is not None:
            _heat_map(ax, fig, view, values, comp, limits, unit)
        else:
            _lines(ax, plt, view, values, comp, unit)
    for k in range(len(panels), nrow * ncol):
        axes[k // ncol][k % ncol].set_visible(False)
    held = ", ".join(f"{d} = {v}" for d, v in view.fixed.items())
    breaking = ""
    if view.compliant is not None:
        c = view.compliant.values.astype(np.float64)
        n_bad, n = int(np.sum(c < 0.5)), int(np.sum(np.isfinite(c)))
        breaking = (f"{'hatched' if view.y is not None else 'hollow'}: {n_bad} of {n} designs break a policy rule"
                    if n_bad else f"all {n} designs meet every policy rule")
    sub = "; ".join(t for t in (held and f"at {held}", view.note, breaking) if t)
    fig.suptitle(title + (f"\n{sub}" if sub else ""), fontsize=11)
    return save(fig, path)
