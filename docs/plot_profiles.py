"""Draw the figures of the model pages (docs/solar.md, wind.md, synthetic.md, loads.md).

Run from the repository root: ``PYTHONPATH=. python docs/plot_profiles.py``; it writes
``docs/img/*.png`` (committed).  Every figure is made from the ready scenario
``scenarios/inner_mongolia_datacentre.toml`` (synthetic year, seed 2025) unless stated.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from gpdc.profiles import ARCHETYPES, hourly_index, load_profile, streams  # noqa: E402
from gpdc.plot.profiles import plot_profiles  # noqa: E402
from gpdc.profiles.wind import turbine_curve  # noqa: E402
from gpdc.scenario.load import load_scenario  # noqa: E402
from gpdc.pipeline import build_profiles  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"
SCENARIO = ROOT / "scenarios" / "inner_mongolia_datacentre.toml"


def _week(time: object, month: int) -> slice:
    import pandas as pd

    idx = pd.DatetimeIndex(time)
    i = int(np.flatnonzero((idx.month == month) & (idx.day_of_week == 0) & (idx.hour == 0))[0])
    return slice(i, i + 168)


def solar() -> None:
    """Draw fixed tilt vs single-axis tracking: a July week and the duration curves."""
    sc = load_scenario(SCENARIO)
    fixed = build_profiles(sc)
    track = build_profiles(load_scenario(SCENARIO, overrides={"solar.tracking": "single_axis"}))
    fig, axes = plt.subplots(1, 2, figsize=(12, 4), constrained_layout=True)
    w = _week(fixed.time, 7)
    axes[0].plot(fixed.time[w], fixed.cf_solar[w],
                 label=f"fixed tilt 40.8 deg (reference), {fixed.cf_solar.sum():,.0f} h")
    axes[0].plot(track.time[w], track.cf_solar[w], label=f"single-axis tracking, {track.cf_solar.sum():,.0f} h")
    axes[0].set_title("July week, Hohhot (same synthetic weather)")
    axes[0].tick_params(axis="x", labelrotation=30)
    axes[0].legend(fontsize=8)
    for p, lab in ((fixed, "fixed"), (track, "tracking")):
        axes[1].plot(np.sort(p.cf_solar)[::-1], label=lab)
    axes[1].set_title("Duration curves of the PV capacity factor")
    axes[1].set_xlabel("hours of the year at or above")
    axes[1].legend(fontsize=8)
    fig.savefig(IMG / "solar.png", dpi=90)
    plt.close(fig)


def wind() -> None:
    """Power curve of the default turbine, a January week and the duration curve."""
    sc = load_scenario(SCENARIO)
    p = build_profiles(sc)
    speeds, frac = turbine_curve("GE130/3200")
    fig, axes = plt.subplots(1, 3, figsize=(15, 4), constrained_layout=True)
    axes[0].plot(speeds, frac, marker=".")
    axes[0].set_title("GE130/3200 power curve (windpowerlib library)")
    axes[0].set_xlabel("hub-height speed [m/s]")
    w = _week(p.time, 1)
    axes[1].plot(p.time[w], p.cf_wind[w])
    axes[1].set_title("January week, Hohhot (synthetic, 2,600 h net)")
    axes[1].tick_params(axis="x", labelrotation=30)
    axes[2].plot(np.sort(p.cf_wind)[::-1])
    axes[2].set_title("Duration curve of the wind capacity factor")
    axes[2].set_xlabel("hours of the year at or above")
    fig.savefig(IMG / "wind.png", dpi=90)
    plt.close(fig)


def synthetic() -> None:
    """Draw the generator's year for the ready scenario: weeks, duration curves, diurnal means."""
    sc = load_scenario(SCENARIO)
    plot_profiles(IMG / "synthetic.png", build_profiles(sc), f"{sc.name}: synthetic year, seed {sc.seed}")


def loads() -> None:
    """One week of every archetype (per unit of its peak) and their duration curves."""
    idx = hourly_index(2025)
    fig, axes = plt.subplots(1, 2, figsize=(14, 4.5), constrained_layout=True)
    w = _week(idx, 1)
    w = slice(w.start + 24 * 21, w.stop + 24 * 21)  # the week of the 2025 Spring Festival (28 Jan - 4 Feb)
    for name in sorted(ARCHETYPES):
        x = load_profile(name, idx, streams(2025)[2], peak_mw=1.0)
        axes[0].plot(idx[w], x[w], label=name, lw=1.0)
        axes[1].plot(np.sort(x)[::-1], label=name)
    axes[0].set_title("Week of 27 Jan 2025 (Spring Festival from the 28th), per unit of peak")
    axes[0].tick_params(axis="x", labelrotation=30)
    axes[1].set_title("Duration curves, per unit of peak")
    axes[1].set_xlabel("hours of the year at or above")
    axes[1].legend(fontsize=7, ncol=2)
    fig.savefig(IMG / "loads.png", dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    IMG.mkdir(parents=True, exist_ok=True)
    for make in (solar, wind, synthetic, loads):
        make()
        print(f"drew {make.__name__}")
