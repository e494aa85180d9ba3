"""Plots of one scenario's hourly dispatch: two typical weeks, duration curves, storage.

Needs matplotlib (``pip install "gpdc[plot]"``); written atomically like the other outputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from gpdc.errors import GpdcError
from gpdc.io.atomic import atomic_path


#: image formats every matplotlib backend writes
FORMATS = ("png", "pdf", "svg", "jpg", "jpeg")


def check_format(path: str | Path) -> str:
    """The image format of ``path`` (its suffix; png when none), or a GpdcError naming the allowed ones."""
    fmt = Path(path).suffix.lstrip(".").lower() or "png"
    if fmt not in FORMATS:
        raise GpdcError(f"plot file {path}: format '{fmt}' is not supported; use one of {', '.join(FORMATS)}")
    return fmt


def _week(traces: xr.Dataset, month: int) -> xr.Dataset:
    """Return the 7 days that start on the first Monday of ``month``."""
    time = traces["time"].to_index()
    starts = np.flatnonzero((time.month == month) & (time.day_of_week == 0) & (time.hour == 0))
    start = int(starts[0]) if starts.size else 0
    return traces.isel(time=slice(start, start + 168))


def plot_dispatch(path: str | Path, totals: xr.Dataset, traces: xr.Dataset) -> Path:
    """Draw a winter and a summer week of hourly dispatch, duration curves and storage (PNG, PDF, SVG, JPEG).

    Raises
    ------
    GpdcError
        If matplotlib is not installed.
    ResultsFileError
        If the image cannot be written.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise GpdcError('plots need matplotlib: pip install "gpdc[plot]"') from None

    fig, axes = plt.subplots(2, 2, figsize=(14, 8.5), constrained_layout=True)
    supply = [
        ("direct_mwh", "green, direct", "#2ca25f"),
        ("discharge_green_mwh", "storage, green", "#99d8c9"),
        ("discharge_grid_mwh", "storage, grid", "#bcbddc"),
        ("import_mwh", "grid import", "#969696"),
    ]
    dt = float(totals.attrs.get("dt_h", 1.0))
    for ax, month, label in ((axes[0, 0], 1, "January week"), (axes[0, 1], 7, "July week")):
        wk = _week(traces, month)
        x = wk["time"].values
        ax.stackplot(x, *[wk[name].values / dt for name, _, _ in supply],
                     labels=[lab for _, lab, _ in supply], colors=[c for _, _, c in supply], alpha=0.9)
        ax.plot(x, wk["load_mw"].values, color="black", lw=1.2, label="load")
        ax.plot(x, wk["gen_avail_mwh"].values / dt, color="#e6550d", lw=1.0, label="available generation")
        ax.plot(x, -wk["export_mwh"].values / dt, color="#3182bd", lw=1.0, label="export (negative)")
        ax.plot(x, -(wk["curtail_bus_mwh"].values + wk["curtail_line_mwh"].values) / dt, color="#de2d26",
                lw=1.0, ls="--", label="curtailment (negative)")
        ax.axhline(0.0, color="grey", lw=0.5)
        ax.set_title(f"{label}: hourly supply of the load")
        ax.set_ylabel("MW")
        ax.tick_params(axis="x", labelrotation=30)
    axes[0, 0].legend(loc="upper left", fontsize=8, ncol=2)

    ax = axes[1, 0]
    hours = np.arange(traces.sizes["time"]) * dt
    for name, label, color in (("gen_avail_mwh", "available generation", "#e6550d"),
                               ("load_mw", "load", "black"), ("import_mwh", "grid import", "#969696"),
                               ("export_mwh", "export", "#3182bd")):
        values = traces[name].values / (1.0 if name == "load_mw" else dt)
        ax.plot(hours, np.sort(values)[::-1], label=label, color=color)
    ax.set_title("Duration curves")
    ax.set_xlabel("hours of the year at or above")
    ax.set_ylabel("MW")
    ax.legend(fontsize=8)

    ax = axes[1, 1]
    soc = traces["soc_frac"].to_series()
    daily = soc.resample("D").agg(["min", "mean", "max"])
    ax.fill_between(daily.index, daily["min"], daily["max"], color="#9ecae1", label="daily range")
    ax.plot(daily.index, daily["mean"], color="#08519c", lw=1.0, label="daily mean")
    ax.set_ylim(0.0, 1.0)
    ax.set_title("Storage state of charge")
    ax.set_ylabel("state of charge [-]")
    ax.legend(fontsize=8)

    share = float(totals["self_use_share"])
    green = float(totals["green_share_of_load"])
    export = float(totals["export_share"])
    verdict = "compliant" if bool(totals["compliant"]) else "NOT compliant"
    fig.suptitle(f"{totals.attrs.get('scenario_name', '')} — self-use {share:.1%}, green share of load "
                 f"{green:.1%}, export {export:.1%}: {verdict}")

    path = Path(path)
    try:
        with atomic_path(path, "plot") as tmp:
            fig.savefig(tmp, dpi=110, format=check_format(path))
    finally:
        plt.close(fig)
    return path


def plot_sizing(path: str | Path, result: object, cmap: object) -> Path:
    """Draw a sizing study: the Pareto frontier of cost against green share, and a compliance map.

    ``result`` is a :class:`gpdc.sizing.SizingResult`, ``cmap`` a
    :class:`gpdc.sizing.report.ComplianceMap` (green share and self-use share over wind MW x
    solar MW, with the policy thresholds drawn as contours).
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise GpdcError('plots need matplotlib: pip install "gpdc[plot]"') from None
    from gpdc.sizing.report import ComplianceMap
    from gpdc.sizing.search import SizingResult

    assert isinstance(result, SizingResult) and isinstance(cmap, ComplianceMap)  # noqa: S101
    ev = result.evaluated
    scale = 1e6 if list(result.spec.objective) == ["project_cost_yuan"] else 1.0
    unit = "M yuan" if scale == 1e6 else ""
    fig, axes = plt.subplots(1, 3, figsize=(18, 5.6), constrained_layout=True)
    ax = axes[0]
    gs = ev.metrics["green_share_of_load"]
    ax.scatter(gs[~ev.feasible], ev.objective[~ev.feasible] / scale, s=3, c="#cccccc", label="violates a constraint")
    ax.scatter(gs[ev.feasible], ev.objective[ev.feasible] / scale, s=3, c="#9ecae1", label="feasible")
    front = result.pareto()
    ax.plot(gs[front], ev.objective[front] / scale, "-o", ms=3, c="#de2d26", label="Pareto frontier")
    b = result.best_row
    ax.plot(gs[b], ev.objective[b] / scale, "*", ms=16, c="#08519c", label="best design")
    ax.axvline(cmap.min_green_share_of_load_frac, color="k", ls=":", lw=1, label="policy minimum")
    finite = ev.objective[np.isfinite(ev.objective)] / scale
    if finite.size:
        lo, hi = np.percentile(finite, [0, 98])
        ax.set_ylim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    ax.set_xlabel("green share of load [-]")
    ax.set_ylabel(f"{result.spec.objective_text()} [{unit}]")
    ax.set_title(f"{len(ev.objective):,} designs evaluated")
    ax.legend(fontsize=8)
    for ax, field, thr, title in (
        (axes[1], cmap.green_share_of_load, cmap.min_green_share_of_load_frac, "green share of load"),
        (axes[2], cmap.self_use_share, cmap.min_self_use_frac, "self-use share of generation"),
    ):
        im = ax.contourf(cmap.wind_mw, cmap.solar_mw, field, levels=np.linspace(0, 1, 21), cmap="viridis")
        cs = ax.contour(cmap.wind_mw, cmap.solar_mw, field, levels=[thr], colors="white", linewidths=2)
        ax.clabel(cs, fmt={thr: f"{thr:.0%} threshold"}, fontsize=8)
        ax.plot(*cmap.best, "*", ms=16, c="#de2d26")
        ax.set_xlabel("wind [MW]")
        ax.set_ylabel("PV [MW]")
        ax.set_title(f"{title} (other sizes at the best design)")
        fig.colorbar(im, ax=ax, shrink=0.85)
    fig.suptitle(f"Sizing: {result.base.name}", fontsize=12)
    path = Path(path)
    with atomic_path(path, "plot") as tmp:
        fig.savefig(tmp, dpi=110, format=check_format(path))
    plt.close(fig)
    return path
