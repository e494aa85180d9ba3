"""A sizing study: the Pareto frontier of cost against green share, and a compliance map."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gpdc.plot import pyplot, save
from gpdc.sizing.report import ComplianceMap
from gpdc.sizing.result import SizingResult

__all__ = ["plot_sizing"]


def plot_sizing(path: str | Path, result: SizingResult, cmap: ComplianceMap) -> Path:
    """Draw a sizing study: the Pareto frontier of cost against green share, and a compliance map.

    ``result`` is a :class:`gpdc.sizing.SizingResult`, ``cmap`` a
    :class:`gpdc.sizing.report.ComplianceMap` (green share and self-use share over wind MW x
    solar MW, with the policy thresholds drawn as contours).
    """
    plt = pyplot()
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
    return save(fig, path)
