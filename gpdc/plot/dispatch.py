"""One scenario's hourly dispatch: a winter and a summer week, duration curves, storage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from gpdc.plot import pyplot, save

__all__ = ["plot_dispatch"]


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
    plt = pyplot()

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

    return save(fig, path)
