"""gpdc — simulation engine for green power direct connection (绿电直连) projects.

Public API (:mod:`gpdc.api`)::

    import gpdc
    sc = gpdc.load_scenario("scenarios/inner_mongolia_datacentre.toml")
    result = gpdc.simulate(sc, traces=True)
    result.totals["self_use_share"]        # xarray, with units and long names
    gpdc.write_results("out.h5", result.totals, result.traces)
    ds = gpdc.open_results("out.h5")
    sw = gpdc.sweep(sc, {"storage.energy_mwh": "0:800:100", "wind.capacity_mw": [150, 250]})
    best = gpdc.size("scenarios/inner_mongolia_datacentre.toml")   # its [sizing] table

Importing gpdc compiles nothing and loads no profile model: each function imports its layer
when called.
"""

from __future__ import annotations

from gpdc._version import __version__
from gpdc.api import load_scenario, open_results, simulate, size, sweep, write_results

__all__ = ["__version__", "load_scenario", "open_results", "simulate", "size", "sweep", "write_results"]
