"""The figures of an HTML report (``gpdc report``), each returned as an inline SVG element.

Each function takes plain numbers (arrays, lists, a traces Dataset) and returns the text of one
``<svg>`` element (:func:`gpdc.plot.svg`): the report embeds them, so it opens offline with
nothing to fetch.  Hourly series are reduced before drawing (duration curves sampled at 400
quantiles, the state of charge as a daily band), which keeps a year's report small.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from gpdc.plot import pyplot, svg
from gpdc.plot.dispatch import _week

__all__ = [
    "bill_comparison", "cash_flow", "compliance_map", "dispatch_weeks", "duration_curves", "energy_flows",
    "monthly_energy", "pareto", "state_of_charge", "tornado",
]

#: one colour per kind of energy, the same in every figure
COLOURS = {
    "direct": "#2ca25f", "stored": "#99d8c9", "released": "#66c2a4", "storage_grid": "#bcbddc",
    "export": "#3182bd", "curtail_line": "#de2d26", "curtail_bus": "#fc9272", "loss": "#969696",
    "import": "#737373", "unserved": "#000000", "generation": "#e6550d", "load": "#000000",
}

#: figure width [in] (the page scales the SVG to its column)
WIDTH_IN = 9.0


def energy_flows(generation: Sequence[tuple[str, float, str]], consumption: Sequence[tuple[str, float, str]]) -> str:
    """Two stacked bars: where the available green generation went, and where the load's energy came from.

    Parameters
    ----------
    generation, consumption : sequence of (label, energy, colour)
        The parts of each bar [MWh]; each bar sums to its whole.
    """
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 3.2), constrained_layout=True)
    bars = (("available generation", generation), ("user consumption", consumption))
    for y, (_, parts) in enumerate(bars):
        total = sum(v for _, v, _ in parts)
        left = 0.0
        for label, value, colour in parts:
            if value <= 0.0:
                continue
            gwh = value / 1000.0
            ax.barh(y, gwh, left=left, color=colour, edgecolor="white", label=label, height=0.6)
            share = value / total if total > 0 else 0.0
            if share >= 0.06:
                ax.text(left + gwh / 2, y, f"{share:.0%}", ha="center", va="center", fontsize=9,
                        color="white" if colour in ("#2ca25f", "#3182bd", "#de2d26", "#737373", "#000000") else "black")
            left += gwh
    ax.set_yticks([0, 1], [name for name, _ in bars])
    ax.invert_yaxis()
    ax.set_xlabel("GWh over the period")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=4, fontsize=8,
              frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return svg(fig, "energy_flows")


def monthly_energy(months: Sequence[str], supply: Sequence[tuple[str, np.ndarray, str]], generation: np.ndarray,
                   load: np.ndarray) -> str:
    """Monthly bars of how the load was supplied, with the available generation and the load as lines [GWh]."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 3.6), constrained_layout=True)
    x = np.arange(len(months))
    bottom = np.zeros(len(months))
    for label, values, colour in supply:
        v = np.asarray(values, dtype=np.float64) / 1000.0
        ax.bar(x, v, bottom=bottom, color=colour, label=label, width=0.7)
        bottom += v
    ax.plot(x, np.asarray(generation) / 1000.0, "-o", color=COLOURS["generation"], ms=3, label="available generation")
    ax.plot(x, np.asarray(load) / 1000.0, "--", color=COLOURS["load"], lw=1.0, label="load")
    ax.set_xticks(x, months)
    ax.set_ylabel("GWh")
    ax.legend(fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return svg(fig, "monthly_energy")


def dispatch_weeks(traces: xr.Dataset, dt_h: float) -> str:
    """A winter (January) and a summer (July) week of hourly dispatch: how the load was supplied, and the surplus."""
    plt = pyplot()
    fig, axes = plt.subplots(2, 1, figsize=(WIDTH_IN, 6.4), constrained_layout=True, sharey=True)
    supply = [("direct_mwh", "green, direct", COLOURS["direct"]),
              ("discharge_green_mwh", "storage, green", COLOURS["released"]),
              ("discharge_grid_mwh", "storage, grid", COLOURS["storage_grid"]),
              ("import_mwh", "grid import", COLOURS["import"])]
    for ax, month, label in ((axes[0], 1, "January"), (axes[1], 7, "July")):
        wk = _week(traces, month)
        x = wk["time"].values
        ax.stackplot(x, *[wk[name].values / dt_h for name, _, _ in supply], labels=[lab for _, lab, _ in supply],
                     colors=[c for _, _, c in supply], alpha=0.95)
        ax.plot(x, wk["load_mw"].values, color=COLOURS["load"], lw=1.0, label="load")
        ax.plot(x, wk["gen_avail_mwh"].values / dt_h, color=COLOURS["generation"], lw=1.0, label="available generation")
        ax.plot(x, -wk["export_mwh"].values / dt_h, color=COLOURS["export"], lw=1.0, label="export (below 0)")
        ax.plot(x, -(wk["curtail_bus_mwh"].values + wk["curtail_line_mwh"].values) / dt_h,
                color=COLOURS["curtail_line"], lw=1.0, ls="--", label="curtailment (below 0)")
        ax.axhline(0.0, color="grey", lw=0.5)
        start = str(np.datetime_as_string(x[0], unit="D")) if len(x) else ""
        ax.set_title(f"{label} week from {start}", fontsize=10, loc="left")
        ax.set_ylabel("MW")
        ax.spines[["top", "right"]].set_visible(False)
    axes[1].legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    return svg(fig, "dispatch_weeks")


def duration_curves(traces: xr.Dataset, dt_h: float, points: int = 400) -> str:
    """Duration curves of generation, load, import and export [MW], sampled at ``points`` quantiles."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 3.6), constrained_layout=True)
    n = traces.sizes["time"]
    hours = np.linspace(0.0, n * dt_h, points)
    idx = np.minimum((np.linspace(0.0, 1.0, points) * (n - 1)).round().astype(int), n - 1)
    for name, label, colour in (("gen_avail_mwh", "available generation", COLOURS["generation"]),
                                ("load_mw", "load", COLOURS["load"]), ("import_mwh", "grid import", COLOURS["import"]),
                                ("export_mwh", "export", COLOURS["export"])):
        values = np.asarray(traces[name].values, dtype=np.float64) / (1.0 if name == "load_mw" else dt_h)
        ax.plot(hours, np.sort(values)[::-1][idx], label=label, color=colour)
    ax.set_xlabel("hours of the period at or above")
    ax.set_ylabel("MW")
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return svg(fig, "duration_curves")


def state_of_charge(traces: xr.Dataset) -> str:
    """The storage's state of charge over the period: the daily range and mean [-]."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 3.0), constrained_layout=True)
    soc = traces["soc_frac"].to_series()
    daily = soc.resample("D").agg(["min", "mean", "max"])
    ax.fill_between(daily.index, daily["min"], daily["max"], color="#9ecae1", label="daily range")
    ax.plot(daily.index, daily["mean"], color="#08519c", lw=1.0, label="daily mean")
    ax.set_ylim(0.0, 1.0)
    ax.set_ylabel("state of charge [-]")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return svg(fig, "state_of_charge")


def bill_comparison(without: Sequence[tuple[str, float]], with_project: Sequence[tuple[str, float]]) -> str:
    """Two stacked bars: the user's cost without and with the project, by component [M yuan]; credits below 0."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.2), constrained_layout=True)
    cmap = plt.get_cmap("tab20")
    colours: dict[str, str] = {}
    for x, parts in ((0, without), (1, with_project)):
        up = down = 0.0
        for label, value in parts:
            colour = colours.setdefault(label, cmap(len(colours) % 20))
            v = value / 1e6
            if v >= 0:
                ax.bar(x, v, bottom=up, color=colour, label=label, width=0.55)
                up += v
            else:
                ax.bar(x, v, bottom=down, color=colour, label=label, width=0.55, hatch="//")
                down += v
        net = sum(v for _, v in parts) / 1e6
        ax.plot([x - 0.35, x + 0.35], [net, net], color="black", lw=1.5)
        ax.text(x + 0.36, net, f" {net:,.1f}", va="center", fontsize=9)
    ax.axhline(0.0, color="grey", lw=0.5)
    ax.set_xticks([0, 1], ["without the project\n(all from the grid)", "with the project"])
    ax.set_ylabel("M yuan over the period")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return svg(fig, "bill_comparison")


def cash_flow(years: np.ndarray, net_yuan: np.ndarray, cumulative_discounted_yuan: np.ndarray) -> str:
    """Yearly net cash flow against the grid-only baseline (bars) and its cumulative discounted sum (line) [M yuan]."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 3.6), constrained_layout=True)
    net = np.asarray(net_yuan, dtype=np.float64) / 1e6
    ax.bar(years, net, color=np.where(net >= 0, "#2ca25f", "#de2d26"), label="net cash flow")
    ax.plot(years, np.asarray(cumulative_discounted_yuan) / 1e6, "-o", ms=3, color="#08519c",
            label="cumulative discounted (NPV so far)")
    ax.axhline(0.0, color="grey", lw=0.5)
    ax.set_xlabel("project year")
    ax.set_ylabel("M yuan")
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return svg(fig, "cash_flow")


def tornado(factors: Sequence[str], cost_low: np.ndarray, cost_high: np.ndarray, share_low: np.ndarray,
            share_high: np.ndarray, base_cost: float, base_share: float, threshold_share: float) -> str:
    """Tornado charts: the change of the project cost [M yuan] and of the green share of load [pp].

    ``*_low`` / ``*_high`` are the values with each input at −20 % / +20 % (or as labelled),
    factors sorted by the width of their cost bar, the widest on top.
    """
    plt = pyplot()
    cl, ch = np.asarray(cost_low) - base_cost, np.asarray(cost_high) - base_cost
    sl, sh = np.asarray(share_low) - base_share, np.asarray(share_high) - base_share
    order = np.argsort(np.abs(ch - cl))
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH_IN, 0.55 * len(factors) + 1.6), constrained_layout=True, sharey=True)
    y = np.arange(len(factors))
    for ax, low, high, scale, title in ((axes[0], cl, ch, 1e6, "project cost [M yuan]"),
                                        (axes[1], sl, sh, 0.01, "green share of load [percentage points]")):
        ax.barh(y + 0.19, low[order] / scale, height=0.38, color="#6baed6", label="input −20 %")
        ax.barh(y - 0.19, high[order] / scale, height=0.38, color="#fd8d3c", label="input +20 %")
        ax.axvline(0.0, color="black", lw=0.8)
        ax.set_title(f"change of the {title}", fontsize=9)
        ax.spines[["top", "right"]].set_visible(False)
    gap = (threshold_share - base_share) / 0.01
    lo, hi = axes[1].get_xlim()
    if lo <= gap <= hi:
        axes[1].axvline(gap, color="#cf222e", ls=":", lw=1.2, label="rule threshold")
    axes[0].set_yticks(y, [factors[i] for i in order])
    axes[1].legend(fontsize=8, frameon=False, loc="lower right")
    return svg(fig, "tornado")


def compliance_map(x: np.ndarray, y: np.ndarray, z: np.ndarray, compliant: np.ndarray, xlabel: str, ylabel: str,
                   zlabel: str) -> str:
    """A sweep's metric over two of its dimensions, compliant designs marked with a dot."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH_IN * 0.8, 4.6), constrained_layout=True)
    xs, ys = np.arange(len(x)), np.arange(len(y))
    im = ax.pcolormesh(xs, ys, np.asarray(z, dtype=np.float64).T, shading="nearest", cmap="viridis")
    cx, cy = np.nonzero(np.asarray(compliant, dtype=bool))
    ax.plot(cx, cy, "o", ms=4, mfc="white", mec="black", mew=0.6, ls="none", label="meets every rule")
    ax.set_xticks(xs, [f"{v:g}" if isinstance(v, float | int | np.number) else str(v) for v in x], rotation=45)
    ax.set_yticks(ys, [f"{v:g}" if isinstance(v, float | int | np.number) else str(v) for v in y])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.colorbar(im, ax=ax, label=zlabel)
    if cx.size:
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.25), frameon=False)
    return svg(fig, "compliance_map")


def pareto(green_share: np.ndarray, objective: np.ndarray, feasible: np.ndarray, front_share: np.ndarray,
           front_objective: np.ndarray, best: tuple[float, float], min_green_share: float | None, ylabel: str,
           scale: float) -> str:
    """Every evaluated design (cost against green share of load), the Pareto frontier and the best design."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 4.4), constrained_layout=True)
    feasible = np.asarray(feasible, dtype=bool)
    obj = np.asarray(objective, dtype=np.float64) / scale
    ax.scatter(green_share[~feasible], obj[~feasible], s=3, c="#cccccc", label="violates a constraint", rasterized=True)
    ax.scatter(green_share[feasible], obj[feasible], s=3, c="#9ecae1", label="feasible", rasterized=True)
    ax.plot(front_share, np.asarray(front_objective) / scale, "-o", ms=3, c="#de2d26", label="Pareto frontier")
    ax.plot(best[0], best[1] / scale, "*", ms=14, c="#08519c", label="best design")
    if min_green_share is not None:
        ax.axvline(min_green_share, color="k", ls=":", lw=1, label="policy minimum")
    finite = obj[np.isfinite(obj)]
    if finite.size:
        lo, hi = np.percentile(finite, [0, 98])
        ax.set_ylim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    ax.set_xlabel("green share of load [-]")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return svg(fig, "pareto")
