"""Perfect-foresight LP reference: optimal dispatch for fixed sizes, optimal sizing, gaps.

See ``docs/lp.md``.  :func:`optimal_dispatch` and :func:`optimal_sizing` build and solve the
LP (:mod:`.lp`); :func:`dispatch_gap` and :func:`sizing_check` compare it with the
rule-based dispatch of :func:`gpdc.simulate` (:mod:`.gap`).
"""

from __future__ import annotations

from gpdc.optimal.gap import DispatchGap, SizingCheck, dispatch_gap, sizing_check
from gpdc.optimal.lp import TARGETS, optimal_dispatch, optimal_sizing
from gpdc.optimal.result import SIZE_FIELDS, LPResult, sized_scenario

__all__ = [
    "SIZE_FIELDS",
    "TARGETS",
    "DispatchGap",
    "LPResult",
    "SizingCheck",
    "dispatch_gap",
    "optimal_dispatch",
    "optimal_sizing",
    "sized_scenario",
    "sizing_check",
]
