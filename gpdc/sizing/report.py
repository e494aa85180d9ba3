"""The data of a sizing study's compliance map (and, for older callers, :func:`to_datasets`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gpdc.accounting import evaluate
from gpdc.pipeline import Design, prepare
from gpdc.sizing.result import SizingResult, to_datasets
from gpdc.sizing.spec import DURATION

__all__ = ["ComplianceMap", "compliance_map", "to_datasets"]


@dataclass(frozen=True)
class ComplianceMap:
    """Green share, self-use share and export share over a wind x solar grid, other sizes at the best design."""

    wind_mw: np.ndarray
    solar_mw: np.ndarray
    green_share_of_load: np.ndarray  # [n_solar, n_wind]
    self_use_share: np.ndarray
    export_share: np.ndarray
    objective: np.ndarray
    min_self_use_frac: float
    min_green_share_of_load_frac: float
    max_export_frac: float
    best: tuple[float, float]


def compliance_map(result: SizingResult, n: int = 31) -> ComplianceMap:
    """Evaluate a wind x solar grid (the variables' bounds, else 0..2x the best) in one batch."""
    design = result.design()
    bounds = {v.field: (v.low, v.high) for v in result.spec.variables}
    base_sc = result.scenario()
    lo_w, hi_w = bounds.get("wind.capacity_mw", (0.0, 2.0 * max(base_sc.wind.capacity_mw, 1.0)))
    lo_s, hi_s = bounds.get("solar.capacity_mw", (0.0, 2.0 * max(base_sc.solar.capacity_mw, 1.0)))
    w = np.linspace(lo_w, hi_w, n)
    s = np.linspace(lo_s, hi_s, n)
    ww, ss = np.meshgrid(w, s)
    prepared = prepare(base_sc, result.members[0])
    cols = {k: np.full(ww.size, float(v)) for k, v in design.items() if k != DURATION}
    cols["wind.capacity_mw"] = ww.ravel()
    cols["solar.capacity_mw"] = ss.ravel()
    v = evaluate(prepared, Design(prepared.resolved, cols))
    obj = sum(wt * np.asarray(v[k]) for k, wt in result.spec.objective.items())
    r = prepared.resolved
    return ComplianceMap(
        w, s, np.asarray(v["green_share_of_load"]).reshape(ss.shape), np.asarray(v["self_use_share"]).reshape(ss.shape),
        np.asarray(v["export_share"]).reshape(ss.shape), np.asarray(obj).reshape(ss.shape),
        r["min_self_use_frac"], r["min_green_share_of_load_frac"], r["max_export_frac"],
        (design.get("wind.capacity_mw", base_sc.wind.capacity_mw), design.get("solar.capacity_mw", base_sc.solar.capacity_mw)),
    )
