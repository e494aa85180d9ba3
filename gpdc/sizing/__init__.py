"""Sizing: the cheapest design that meets the rules, its alternatives, binding constraints and Pareto frontier.

>>> from gpdc.sizing import parse_target
>>> str(parse_target("green_share_of_load >= 0.5"))
'green_share_of_load >= 0.5'
"""

from gpdc.sizing.result import SizingResult
from gpdc.sizing.search import size
from gpdc.sizing.spec import SizingSpec, Target, Variable, parse_objective, parse_target, parse_variable, spec_from

__all__ = [
    "SizingResult",
    "SizingSpec",
    "Target",
    "Variable",
    "parse_objective",
    "parse_target",
    "parse_variable",
    "size",
    "spec_from",
]
