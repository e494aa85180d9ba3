"""Draw the figures of docs/flexible.md and print the ready scenarios' flexible results.

    PYTHONPATH=. python docs/plot_flexible.py     # writes docs/img/flexible_hydrogen_week.png, flexible_shift.png

1. A week of the Kuqa-like hydrogen scenario (June): PV generation, electrolyser input (green and
   grid), the store's hydrogen and the offtake delivered and unmet.
2. The cement plant's mills: the same June week with the mills shifting (25 MW) and without
   (15.6 MW, their average power: no room to move), beside PV + wind generation.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from gpdc import load_scenario, simulate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"
KUQA = ROOT / "scenarios" / "kuqa_solar_hydrogen.toml"
CEMENT = ROOT / "scenarios" / "cement_shiftable_mills.toml"
#: the mills at their average power: 375 MWh a day / 24 h (nothing to shift)
FLAT_MILLS_MW = 375.0 / 24.0


def _week(time: np.ndarray) -> slice:
    idx = pd.DatetimeIndex(time)
    i = int(np.flatnonzero((idx.month == 6) & (idx.day_of_week == 0) & (idx.hour == 0))[0])
    return slice(i, i + 168)


def hydrogen_week() -> Path:
    """Generation, electrolyser (green / grid), store and offtake over a June week of the Kuqa-like plant."""
    res = simulate(KUQA, traces=True)
    tr = res.traces
    w = _week(tr["time"].values)
    t = np.arange(168)
    gen = tr["gen_avail_mwh"].values[w]
    ely = tr["electrolyser_mwh"].values[w]
    grid = np.minimum(ely, tr["import_mwh"].values[w])
    fig, (a, b) = plt.subplots(2, 1, figsize=(11, 6.5), sharex=True)
    a.fill_between(t, 0, ely - grid, step="mid", color="#4caf50", alpha=0.7, label="electrolyser, green")
    a.fill_between(t, ely - grid, ely, step="mid", color="#9e9e9e", alpha=0.7, label="electrolyser, grid")
    a.plot(t, gen, drawstyle="steps-mid", color="#f9a825", lw=1.5, label="PV generation (available)")
    a.axhline(0.3 * 260.0, color="k", ls=":", lw=0.8, label="minimum load 30 % (78 MW)")
    a.set_ylabel("MWh per hour")
    a.legend(loc="upper right", fontsize=8, ncol=2)
    a.set_title("Kuqa-like solar-to-hydrogen plant: a June week (scenarios/kuqa_solar_hydrogen.toml)")
    b.plot(t, tr["hydrogen_tank_kg"].values[w] / 1000.0, drawstyle="steps-mid", color="#1565c0",
           label="hydrogen in store [t]")
    b.plot(t, tr["hydrogen_offtake_kg"].values[w] / 1000.0, drawstyle="steps-mid", color="#6a1b9a",
           label="offtake delivered [t/h]")
    b.plot(t, tr["hydrogen_unmet_kg"].values[w] / 1000.0, drawstyle="steps-mid", color="#c62828",
           label="offtake unmet [t/h]")
    b.set_ylabel("t, t/h")
    b.set_xlabel("hour of the week (Monday 00:00)")
    b.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    out = IMG / "flexible_hydrogen_week.png"
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def shift_week() -> Path:
    """The mills' consumption with and without room to shift, against the green generation, a June week."""
    runs = {}
    for label, mw in (("shifting (25 MW mills)", 25.0), ("not shifting (15.6 MW flat)", FLAT_MILLS_MW)):
        sc = load_scenario(CEMENT, overrides={"flexible_load.max_power_mw": mw})
        runs[label] = simulate(sc, traces=True)
    tr0 = next(iter(runs.values())).traces
    w = _week(tr0["time"].values)
    t = np.arange(168)
    fig, ax = plt.subplots(figsize=(11, 4.5))
    gen = tr0["gen_avail_mwh"].values[w]
    kiln = tr0["load_mw"].values[w]
    ax.fill_between(t, 0, gen - kiln, step="mid", color="#fff59d", label="green surplus over the kiln line")
    for (label, res), colour in zip(runs.items(), ("#2e7d32", "#757575"), strict=True):
        ax.plot(t, res.traces["flexible_load_mwh"].values[w], drawstyle="steps-mid", color=colour, lw=1.6,
                label=f"mills, {label}: green share {float(res.totals['green_share_of_load']):.1%}")
    ax.set_ylim(bottom=0)
    ax.set_ylabel("MWh per hour")
    ax.set_xlabel("hour of the week (Monday 00:00)")
    ax.set_title("Cement mills shifted into green hours (scenarios/cement_shiftable_mills.toml)")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    out = IMG / "flexible_shift.png"
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    print(hydrogen_week())
    print(shift_week())
