"""gpdc — simulation engine for green power direct connection (绿电直连) projects.

Public API::

    import gpdc
    sc = gpdc.load_scenario("scenarios/inner_mongolia_datacentre.toml")
    result = gpdc.simulate(sc, traces=True)
    result.totals["self_use_share"]        # xarray, with units and long names
    gpdc.write_results("out.h5", result.totals, result.traces)
    ds = gpdc.open_results("out.h5")
    sw = gpdc.sweep(sc, {"storage.energy_mwh": "0:800:100", "wind.capacity_mw": [150, 200, 250]})
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "load_scenario", "open_results", "simulate", "sweep", "write_results"]


def __getattr__(name: str) -> object:
    # lazy: importing gpdc must not compile kernels or load pvlib
    if name == "load_scenario":
        from gpdc.scenario.load import load_scenario

        return load_scenario
    if name == "simulate":
        from gpdc.simulate import simulate

        return simulate
    if name == "sweep":
        from gpdc.sweeps import sweep

        return sweep
    if name in ("write_results", "open_results"):
        from gpdc.io import hdf5

        return getattr(hdf5, name)
    raise AttributeError(f"module 'gpdc' has no attribute {name!r}")
