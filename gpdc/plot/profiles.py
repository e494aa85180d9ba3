"""Hourly profiles: a January and a July week of wind, PV and load, and their duration curves."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gpdc.plot import pyplot, save
from gpdc.profiles import ProfileSet

__all__ = ["plot_profiles"]


def _week_start(time: object, month: int) -> int:
    """Index of the first Monday 00:00 of ``month``."""
    import pandas as pd

    idx = pd.DatetimeIndex(time)
    starts = np.flatnonzero((idx.month == month) & (idx.day_of_week == 0) & (idx.hour == 0))
    return int(starts[0]) if starts.size else 0


def plot_profiles(path: str | Path, profiles: ProfileSet, title: str = "") -> Path:
    """Draw a January and a July week of ``cf_wind``, ``cf_solar`` and load, and duration curves.

    Raises
    ------
    GpdcError
        If matplotlib is not installed.
    ResultsFileError
        If the image cannot be written.
    """
    plt = pyplot()
    load_rel = profiles.load_mw / max(float(profiles.load_mw.max()), 1e-12)
    fig, axes = plt.subplots(2, 2, figsize=(13, 7.5), constrained_layout=True)
    for ax, month, label in ((axes[0, 0], 1, "January week"), (axes[0, 1], 7, "July week")):
        i = _week_start(profiles.time, month)
        x = profiles.time[i:i + 168]
        ax.plot(x, profiles.cf_wind[i:i + 168], color="#3182bd", lw=1.1, label="wind capacity factor")
        ax.plot(x, profiles.cf_solar[i:i + 168], color="#e6550d", lw=1.1, label="PV capacity factor")
        ax.plot(x, load_rel[i:i + 168], color="black", lw=1.0, label="load / peak load")
        ax.set_ylim(0.0, 1.05)
        ax.set_title(f"{label} (local time)")
        ax.tick_params(axis="x", labelrotation=30)
    axes[0, 0].legend(loc="upper left", fontsize=8)
    ax = axes[1, 0]
    hours = np.arange(len(profiles.time))
    for arr, label, color in ((profiles.cf_wind, "wind", "#3182bd"), (profiles.cf_solar, "PV", "#e6550d"),
                              (load_rel, "load / peak", "black")):
        ax.plot(hours, np.sort(arr)[::-1], color=color, label=f"{label} (sum {arr.sum():,.0f} h)")
    ax.set_title("Duration curves")
    ax.set_xlabel("hours of the year at or above")
    ax.set_ylabel("per unit")
    ax.legend(fontsize=8)
    ax = axes[1, 1]
    hour = profiles.time.hour.to_numpy()
    for arr, label, color in ((profiles.cf_wind, "wind", "#3182bd"), (profiles.cf_solar, "PV", "#e6550d"),
                              (load_rel, "load / peak", "black")):
        ax.plot(np.arange(24), [arr[hour == h].mean() for h in range(24)], color=color, marker="o", ms=3,
                label=label)
    ax.set_title("Mean by hour of day (local clock)")
    ax.set_xlabel("hour")
    ax.legend(fontsize=8)
    fig.suptitle(title or "gpdc profiles")
    return save(fig, path, dpi=100)
