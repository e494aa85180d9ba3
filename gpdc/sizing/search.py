"""The cheapest design that meets the rules: a coarse global pass on the batch kernel, then local refinement.

1. **Global pass.** Every variable on a coarse grid (about ``coarse_budget`` designs in all),
   evaluated in one batch per weather year: the kernel is fast enough to look everywhere, so
   the search cannot be trapped by the steps that compliance creates in the objective.
2. **Refinement.** From the best few feasible coarse designs, a pattern search on the
   variables' own grids (turbine units, storage blocks): evaluate all 3^n neighbours at the
   current spacing (one batch), move to the best feasible improvement, halve the spacing
   when none improves, stop at the variables' steps.  Infeasible designs are never accepted,
   so the result meets every constraint in the simulator itself.
3. **Report.** The best design, the top N distinct designs, which constraints bind (a cheaper
   evaluated design exists that violates only that constraint), the Pareto frontier of the
   objective against the green share of load, and — when nothing is feasible — the design that
   came closest and by how much each constraint fails.

With a weather-year ensemble, every design runs in every year; the objective is the mean
over the years and a design is feasible when it complies in at least ``min_compliance_share``
of them (e.g. 0.9: a P90 design).
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np

from gpdc.accounting import evaluate
from gpdc.pipeline import Design, prepare, weather_years
from gpdc.scenario.schema import Scenario
from gpdc.sizing.result import KEPT, Evaluated, SizingResult, concat_evaluated
from gpdc.sizing.spec import DURATION, SizingSpec, Target, Variable

#: policy rules as (name, margin variable, description)
POLICY = (
    ("self-use share", "self_use_margin", "meets_self_use"),
    ("green share of load", "green_share_margin", "meets_green_share"),
    ("export share", "export_margin", "meets_export_cap"),
)
#: designs of the coarse pass (the largest batch the search dispatches at once)
COARSE_BUDGET = 20_000


class Evaluator:
    """Evaluate designs (rows of variable values) through the batch kernel, every weather year."""

    def __init__(self, base: Scenario, spec: SizingSpec) -> None:
        self.base = base
        self.spec = spec
        self.members = weather_years(base)
        self.inputs = [prepare(base, m) for m in self.members]
        self.constraints: list[tuple[str, Target | None, str]] = []
        if spec.policy:
            r = self.inputs[0].resolved
            thr = {"self_use_margin": f"≥ {r['min_self_use_frac']:.0%}",
                   "green_share_margin": f"≥ {r['min_green_share_of_load_frac']:.0%}",
                   "export_margin": f"≤ {r['max_export_frac']:.0%}"}
            for name, margin, _ in POLICY:
                self.constraints.append((f"{name} {thr[margin]} (policy)", None, margin))
        for t in spec.targets:
            self.constraints.append((f"{t} (target)", t, t.metric))
        h2 = base.hydrogen
        if h2 is not None and not h2.unmet_allowed:  # the offtake must be met: a constraint of every design
            must = Target("hydrogen_unmet_kg", "<=", 1.0)
            self.constraints.append(("hydrogen offtake met, unmet <= 1 kg (hydrogen.unmet_allowed = false)", must,
                                     must.metric))
        self._rows: dict[tuple[float, ...], int] = {}
        self.data: Evaluated | None = None
        self.n_runs = 0

    def columns(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Scenario fields of the designs in ``x``."""
        cols: dict[str, np.ndarray] = {}
        names = [v.field for v in self.spec.variables]
        for i, f in enumerate(names):
            if f != DURATION:
                cols[f] = np.ascontiguousarray(x[:, i], dtype=np.float64)
        if DURATION in names:
            cols["storage.energy_mwh"] = cols["storage.power_mw"] * x[:, names.index(DURATION)]
        return cols

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Evaluate the new rows of ``x``; return the row indices of all of ``x`` in :attr:`data`."""
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        keys = [tuple(r) for r in x]
        new = [i for i, k in enumerate(keys) if k not in self._rows]
        seen: set[tuple[float, ...]] = set()
        uniq = []
        for i in new:
            if keys[i] not in seen:
                seen.add(keys[i])
                uniq.append(i)
        if uniq:
            xn = x[uniq]
            cols = self.columns(xn)
            n, m = len(uniq), len(self.inputs)
            ok = np.zeros((m, n), dtype=bool)
            obj = np.zeros((m, n))
            margins = {c[0]: np.zeros((m, n)) for c in self.constraints}
            kept = {k: np.zeros((m, n)) for k in KEPT}
            for j, prepared in enumerate(self.inputs):
                v = evaluate(prepared, Design(prepared.resolved, cols))
                self.n_runs += n
                good = np.ones(n, dtype=bool)
                for name, target, var in self.constraints:
                    if target is None:
                        mg = np.asarray(v[var], dtype=np.float64)
                        met = np.asarray(v[dict((p[1], p[2]) for p in POLICY)[var]], dtype=bool)
                    else:
                        mg = target.margin(np.asarray(v[var], dtype=np.float64))
                        met = mg >= -1e-12 * max(1.0, abs(target.value))
                    margins[name][j] = np.nan_to_num(mg, nan=-1.0)
                    good &= met
                ok[j] = good
                obj[j] = sum(w * np.asarray(v[k], dtype=np.float64) for k, w in self.spec.objective.items())
                for k in KEPT:
                    kept[k][j] = v[k]
            share = ok.mean(axis=0)
            mean_margins = {k: a.mean(axis=0) for k, a in margins.items()}
            viol = np.zeros(n)
            for name, target, _ in self.constraints:
                scale = max(abs(target.value), 1e-3) if target is not None else 0.1
                viol += np.maximum(0.0, -mean_margins[name]) / scale
            block = Evaluated(xn, np.nan_to_num(obj.mean(axis=0), nan=np.inf), share,
                              share >= self.spec.min_compliance_share - 1e-12, viol, mean_margins,
                              {k: a.mean(axis=0) for k, a in kept.items()})
            start = 0 if self.data is None else len(self.data.objective)
            self.data = block if self.data is None else concat_evaluated(self.data, block)
            for r, i in enumerate(uniq):
                self._rows[keys[i]] = start + r
        return np.array([self._rows[k] for k in keys], dtype=np.int64)


def coarse_grid(variables: tuple[Variable, ...], budget: int) -> list[np.ndarray]:
    """Per variable, about ``budget ** (1 / n)`` values spread over its bounds, on its own grid."""
    per = max(3, int(math.floor(budget ** (1.0 / len(variables)) + 1e-9)))
    out = []
    for v in variables:
        k = min(per, v.n)
        out.append(np.unique([v.snap(x) for x in np.linspace(v.low, v.high, k)]))
    return out


def _score(ev: Evaluated, rows: np.ndarray) -> np.ndarray:
    """Lower is better: feasible designs by objective, then infeasible ones by violation."""
    big = np.where(ev.feasible[rows], ev.objective[rows], np.inf)
    return np.where(np.isfinite(big), big, 1e300 + ev.violation[rows])


def pattern_search(evaluator: Evaluator, start: np.ndarray, spacing: np.ndarray) -> int:
    """Refine from ``start`` on the variables' grids; return the row of the best design found."""
    variables = evaluator.spec.variables
    steps = np.array([v.step for v in variables])
    h = np.maximum(1, np.round(spacing / steps)).astype(np.int64)  # spacing in grid steps
    cur = evaluator(start[None, :])[0]
    assert evaluator.data is not None  # noqa: S101 - filled by the call above
    full = len(variables) <= 6
    while True:
        x0 = evaluator.data.x[cur]
        if full:
            moves = np.array(list(itertools.product((-1, 0, 1), repeat=len(variables))), dtype=np.float64)
        else:  # coordinate moves only: 2n neighbours
            moves = np.vstack([np.eye(len(variables)), -np.eye(len(variables))])
        cand = x0 + moves * h * steps
        cand = np.array([[v.snap(c) for v, c in zip(variables, row, strict=True)] for row in cand])
        rows = evaluator(cand)
        sc = _score(evaluator.data, rows)
        best = rows[int(np.argmin(sc))]
        if _score(evaluator.data, np.array([best]))[0] < _score(evaluator.data, np.array([cur]))[0] * (1 - 1e-12) - 1e-9:
            cur = best
            continue
        if (h <= 1).all():
            return int(cur)
        h = np.maximum(1, h // 2)


def physical_design(spec: SizingSpec, x: np.ndarray) -> tuple[tuple[str, float], ...]:
    """The scenario fields a row of variable values sets (storage energy from power x duration), as a key."""
    d = {v.field: float(val) for v, val in zip(spec.variables, x, strict=True)}
    if DURATION in d:
        d["storage.energy_mwh"] = float(np.float64(d["storage.power_mw"]) * np.float64(d.pop(DURATION)))
    return tuple(sorted(d.items()))


def size(base: Scenario, spec: SizingSpec, *, coarse_budget: int = COARSE_BUDGET, refine_from: int = 4) -> SizingResult:
    """Find the design that minimises the objective subject to the constraints.

    Parameters
    ----------
    base : Scenario
        Every field not decided by the study keeps its value.
    spec : SizingSpec
        Variables, objective, targets, policy switch, compliance share.
    coarse_budget : int
        About how many designs the global pass evaluates.
    refine_from : int
        How many of the best distinct coarse designs the refinement starts from.
    """
    t0 = time.perf_counter()
    ev = Evaluator(base, spec)
    grids = coarse_grid(spec.variables, coarse_budget)
    x = np.array(list(itertools.product(*grids)), dtype=np.float64)
    rows = ev(x)
    assert ev.data is not None  # noqa: S101
    spacing = np.array([(g[1] - g[0]) if len(g) > 1 else v.step for g, v in zip(grids, spec.variables, strict=True)])
    order = rows[np.argsort(_score(ev.data, rows), kind="stable")][:refine_from]
    for r in order:  # every design a refinement evaluates is kept in ev.data; the best is picked below
        pattern_search(ev, ev.data.x[r], spacing)
    data = ev.data
    all_rows = np.arange(len(data.objective))
    best = int(all_rows[np.argmin(_score(data, all_rows))])
    ranked = all_rows[np.argsort(_score(data, all_rows), kind="stable")]
    if data.feasible[best]:
        ranked = ranked[data.feasible[ranked]]
    # distinct designs only: rows equal in every physical quantity (storage of 0 MW at any duration) are one
    keys = [physical_design(spec, data.x[r]) for r in ranked]
    first: dict[tuple[tuple[str, float], ...], int] = {}
    for r, k in zip(ranked, keys, strict=True):
        first.setdefault(k, r)
    ranked = np.array([r for r, k in zip(ranked, keys, strict=True) if first[k] == r], dtype=np.int64)[: spec.top_n]
    return SizingResult(base, spec, data, best, bool(data.feasible[best]), [c[0] for c in ev.constraints],
                        list(ev.members), time.perf_counter() - t0, ev.n_runs, ranked)
