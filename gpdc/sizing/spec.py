"""What a sizing study decides, minimises and must respect — parsed and checked before any work.

In a scenario file::

    [sizing]
    objective = "project_cost_yuan"               # or lcoe_yuan_per_mwh, or "project_cost_yuan:1, capex_yuan:0.05"
    targets = ["green_share_of_load >= 0.5", "curtailment_rate <= 0.1"]
    min_compliance_share = 0.9                     # with a weather-year ensemble: comply in >= 90 % of the years
    [sizing.variables]                             # LOW:HIGH:STEP (steps are turbine units, storage blocks, ...)
    "wind.capacity_mw" = "0:500:10"
    "solar.capacity_mw" = "0:400:10"
    "storage.power_mw" = "0:150:10"
    "storage.duration_h" = "1:6:1"                 # storage.energy_mwh = power x duration

On the command line: ``gpdc size FILE --var wind.capacity_mw=0:500:10 --target "green_share_of_load>=0.5"``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gpdc.errors import ScenarioError, ScenarioErrors
from gpdc.pipeline import COLUMN_FIELDS
from gpdc.results.registry import VARIABLES
from gpdc.scenario.load import read_toml

#: the storage duration [h]: not a scenario field, sets storage.energy_mwh = power x duration
DURATION = "storage.duration_h"
#: objectives that make sense to minimise (lower is better)
OBJECTIVES = ("project_cost_yuan", "lcoe_yuan_per_mwh", "capex_yuan", "annualised_capex_yuan",
              "direct_connection_co2_t", "import_mwh", "curtailment_rate", "export_share", "lcoh_yuan_per_kg",
              "hydrogen_co2_direct_kg_per_kg")
#: sizes a study may decide (fields that vary inside one kernel batch)
DECIDABLE = tuple(f for f in COLUMN_FIELDS if f.startswith(("wind.", "solar.", "line.rating", "storage.power",
                                                             "storage.energy", "grid.import", "grid.export_mw",
                                                             "electrolyser.capacity", "hydrogen.tank_kg",
                                                             "flexible_load.max_power", "ev_fleet.vehicles")))


class SizingError(ScenarioErrors):
    """An invalid sizing specification."""


def _err(where: str, value: Any, message: str) -> SizingError:
    return SizingError([ScenarioError(where, value, message)])


@dataclass(frozen=True)
class Variable:
    """A decision variable: a field (or the storage duration) on the grid ``low + k * step``."""

    field: str
    low: float
    high: float
    step: float

    @property
    def n(self) -> int:
        """Number of grid values."""
        return int(math.floor((self.high - self.low) / self.step + 1e-9)) + 1

    def snap(self, x: float) -> float:
        """The grid value nearest to ``x`` within the bounds."""
        k = min(max(round((x - self.low) / self.step), 0), self.n - 1)
        return float(f"{self.low + k * self.step:.12g}")


@dataclass(frozen=True)
class Target:
    """A hard constraint on a result variable: ``metric >= value`` or ``metric <= value``."""

    metric: str
    op: str
    value: float

    def margin(self, x: Any) -> Any:
        """Positive when met."""
        return x - self.value if self.op == ">=" else self.value - x

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


@dataclass(frozen=True)
class SizingSpec:
    """Decision variables, objective, constraints and options of a sizing study."""

    variables: tuple[Variable, ...]
    objective: Mapping[str, float] = field(default_factory=lambda: {"project_cost_yuan": 1.0})
    targets: tuple[Target, ...] = ()
    policy: bool = True  # the rule set's three rules are hard constraints
    min_compliance_share: float = 1.0
    top_n: int = 10

    def objective_text(self) -> str:
        """The objective in words."""
        return " + ".join(f"{w:g}·{m}" if w != 1.0 else m for m, w in self.objective.items())


def parse_variable(text: str) -> Variable:
    """``"wind.capacity_mw=0:500:10"`` -> Variable."""
    if "=" not in text:
        raise _err("--var", text, "expected FIELD=LOW:HIGH:STEP, e.g. wind.capacity_mw=0:500:10")
    f, rng = (s.strip() for s in text.split("=", 1))
    return _variable(f, rng)


def _variable(f: str, rng: Any) -> Variable:
    if f not in DECIDABLE and f != DURATION:
        raise _err(f, rng, f"is not a size gpdc can decide; valid: {', '.join((*DECIDABLE, DURATION))}")
    parts = str(rng).split(":")
    try:
        low, high, step = (float(p) for p in parts)
    except ValueError:
        raise _err(f, rng, "bounds are LOW:HIGH:STEP with numbers, e.g. 0:500:10") from None
    if not (math.isfinite(low) and math.isfinite(high) and math.isfinite(step)) or step <= 0 or high < low or low < 0:
        raise _err(f, rng, "needs 0 <= LOW <= HIGH and STEP > 0")
    if f == DURATION and low <= 0:
        raise _err(f, rng, "storage duration must be > 0 h")
    return Variable(f, low, high, step)


_TARGET = re.compile(r"^\s*([a-z_0-9]+)\s*(>=|<=)\s*([-+0-9.eE]+)\s*$")


def parse_target(text: str) -> Target:
    """``"green_share_of_load >= 0.5"`` -> Target."""
    m = _TARGET.match(text)
    if not m:
        raise _err("target", text, "expected METRIC >= VALUE or METRIC <= VALUE, e.g. 'green_share_of_load >= 0.5'")
    metric, op, value = m.group(1), m.group(2), float(m.group(3))
    if metric not in VARIABLES or VARIABLES[metric].dims:
        raise _err("target", text, f"unknown result variable '{metric}'; e.g. green_share_of_load, self_use_share, "
                   "export_share, curtailment_rate, unserved_mwh, lcoe_yuan_per_mwh")
    return Target(metric, op, value)


def parse_objective(text: str) -> dict[str, float]:
    """``"project_cost_yuan"`` or ``"project_cost_yuan:1, capex_yuan:0.05"`` -> weights."""
    out: dict[str, float] = {}
    for part in text.split(","):
        name, _, w = part.strip().partition(":")
        if name not in OBJECTIVES:
            raise _err("objective", text, f"'{name}' cannot be minimised; valid: {', '.join(OBJECTIVES)} "
                       "(NPV and IRR need the project-finance model, not yet in gpdc)")
        try:
            out[name] = float(w) if w else 1.0
        except ValueError:
            raise _err("objective", text, "a weight must be a number, e.g. capex_yuan:0.05") from None
    return out


def read_sizing_table(path: str | Path) -> dict[str, Any] | None:
    """The ``[sizing]`` table of a scenario file (None if it has none).

    Raises
    ------
    SizingError
        If the file cannot be read or parsed.
    """
    try:
        data = read_toml(path)
    except ScenarioErrors as exc:
        raise _err("<file>", str(path), f"cannot be read as TOML ({exc.errors[0].allowed})") from None
    table = data.get("sizing")
    return table if isinstance(table, dict) else None


def spec_from(table: Mapping[str, Any] | None = None, variables: Sequence[str] = (), targets: Sequence[str] = (),
              objective: str | None = None, min_compliance_share: float | None = None, policy: bool = True,
              top_n: int = 10) -> SizingSpec:
    """A spec from a scenario file's ``[sizing]`` table and command-line options (these win)."""
    table = dict(table or {})
    allowed = {"variables", "targets", "objective", "min_compliance_share", "policy", "top_n"}
    extra = sorted(set(table) - allowed)
    if extra:
        raise _err(f"sizing.{extra[0]}", table[extra[0]], f"unknown key; valid: {', '.join(sorted(allowed))}")
    vars_: dict[str, Variable] = {}
    for f, rng in (table.get("variables") or {}).items():
        vars_[f] = _variable(f, rng)
    for text in variables:
        v = parse_variable(text)
        vars_[v.field] = v
    if not vars_:
        raise _err("sizing", None, "decides nothing: give --var FIELD=LOW:HIGH:STEP (or [sizing.variables] in the file)")
    if DURATION in vars_ and "storage.energy_mwh" in vars_:
        raise _err(DURATION, None, "give storage.duration_h or storage.energy_mwh, not both")
    if DURATION in vars_ and "storage.power_mw" not in vars_:
        raise _err(DURATION, None, "needs storage.power_mw as a variable too (energy = power x duration)")
    tgs = [parse_target(t) for t in (table.get("targets") or [])] + [parse_target(t) for t in targets]
    share = min_compliance_share if min_compliance_share is not None else float(table.get("min_compliance_share", 1.0))
    if not 0.0 < share <= 1.0:
        raise _err("min_compliance_share", share, "must be in (0, 1]")
    obj = parse_objective(objective or str(table.get("objective", "project_cost_yuan")))
    return SizingSpec(tuple(vars_.values()), obj, tuple(tgs), bool(table.get("policy", policy)), share,
                      int(table.get("top_n", top_n)))
