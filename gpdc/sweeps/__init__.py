"""Sweeps: many designs of one scenario into one labelled Dataset, resumable, local or on Dask.

>>> from gpdc.sweeps import parse_range
>>> parse_range("100:300:100", "wind.capacity_mw")
(100, 200, 300)
"""

from gpdc.sweeps.plan import SweepPlan, make_plan
from gpdc.sweeps.runner import SweepReport, plan_sweep, run_sweep, sweep
from gpdc.sweeps.spec import Dim, SweepSpec, check_spec, parse_range, parse_vary, parse_zip

__all__ = [
    "Dim",
    "SweepPlan",
    "SweepReport",
    "SweepSpec",
    "check_spec",
    "make_plan",
    "parse_range",
    "parse_vary",
    "parse_zip",
    "plan_sweep",
    "run_sweep",
    "sweep",
]
