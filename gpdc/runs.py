"""One scenario end to end, and its weather-year ensemble: pipeline -> kernel -> accounting -> Dataset.

:func:`run_scenario` is what :func:`gpdc.simulate` does; :func:`run_ensemble` simulates every
weather year of a scenario; :func:`ensemble_summary` reduces an ensemble to means, percentiles
and the share of compliant years.  No physics or accounting here: the steps are
:func:`gpdc.pipeline.prepare`, :func:`gpdc.accounting.evaluate` and
:mod:`gpdc.results.dataset`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from gpdc.accounting import evaluate, period_years
from gpdc.accounting.flexible import traces_of
from gpdc.kernels import layout as L
from gpdc.kernels.spec import FLEX_TRACES
from gpdc.pipeline import Prepared, build_profiles, prepare, run_trace, weather_years
from gpdc.profiles import ProfileSet
from gpdc.results import provenance, reported
from gpdc.results.dataset import cash_flow_dataset, totals_dataset, trace_dataset
from gpdc.results.registry import CASH_FLOW_VARIABLES
from gpdc.scenario import checks
from gpdc.scenario.load import load_scenario
from gpdc.scenario.resolve import Resolved, resolve
from gpdc.scenario.schema import Scenario

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Result:
    """What :func:`gpdc.simulate` returns: the totals and, if asked for, the hourly traces.

    Attributes
    ----------
    totals : xarray.Dataset
        Every result variable, with units and long names; provenance in the attributes.
    traces : xarray.Dataset or None
        Hourly flows and state of charge (``traces=True``).
    resolved : Resolved
        The world numbers used, with their sources.
    profiles : ProfileSet
        The hourly profiles the run used.
    cash_flow : xarray.Dataset or None
        The year-by-year cash flow against the grid-only baseline (dimension ``project_year``,
        :data:`gpdc.results.registry.CASH_FLOW_VARIABLES`).
    """

    totals: xr.Dataset
    traces: xr.Dataset | None
    resolved: Resolved
    profiles: ProfileSet
    cash_flow: xr.Dataset | None = None


def as_scenario(scenario: Scenario | str | Path) -> Scenario:
    """A scenario given as itself or as a TOML file."""
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def as_resolved(scenario: Scenario | Resolved | str | Path) -> Resolved:
    """A scenario given as itself, resolved, or as a TOML file, resolved."""
    return scenario if isinstance(scenario, Resolved) else resolve(as_scenario(scenario))


def _traces(prepared: Prepared) -> xr.Dataset:
    sc = prepared.scenario
    inputs = prepared.inputs
    trace = run_trace(inputs)[1]
    keep = traces_of(sc)  # the flexible elements' traces only for the elements the scenario has
    tv = {name: trace[:, k] for k, name in enumerate(L.TRACE_NAMES) if name not in FLEX_TRACES or name in keep}
    e = sc.storage.energy_mwh
    stored = tv["storage_green_mwh"] + tv["storage_grid_mwh"]
    tv["soc_frac"] = (sc.storage.soc_min_frac * e + stored) / e if e > 0 else np.zeros(inputs.n_hours)
    tv["load_mw"] = inputs.load_mw
    tv["cf_wind"] = inputs.cf_wind
    tv["cf_solar"] = inputs.cf_solar
    tv["price_import_yuan_per_mwh"] = inputs.price_import
    ds = trace_dataset(prepared.profiles.time, tv, sc.site.timezone)
    ds.attrs["scenario_name"] = sc.name
    return ds


def run_scenario(
    scenario: Scenario | str | Path,
    *,
    traces: bool = False,
    strict: bool = False,
    profiles: ProfileSet | None = None,
    weather_year: int | None = None,
) -> Result:
    """Simulate one scenario over its year and return labelled results (see :func:`gpdc.simulate`)."""
    sc = as_scenario(scenario)
    reported.check(sc.reported)
    prepared = prepare(sc, weather_year, profiles)
    resolved = prepared.resolved
    checks.check_all(resolved, prepared.inputs.load_mw, prepared.inputs.dt_h, strict)
    values = evaluate(prepared, cash_flows=True)
    flows = {name: values.pop(name) for name in CASH_FLOW_VARIABLES}
    years = float(values["load_mwh"][0]) / period_years(sc.profiles.year, prepared.inputs)
    checks.check_products(resolved, years, strict)
    if values["unserved_mwh"][0] > 0.0:
        log.warning("%.1f MWh of load is unserved: the import capacity is too small", values["unserved_mwh"][0])
    products = resolved.products
    totals = totals_dataset(values, coords=products.coords() if len(products) else None,
                            attrs=provenance.run_attrs(prepared))
    cash_flow = cash_flow_dataset(flows, attrs={"scenario_name": sc.name})
    return Result(totals, _traces(prepared) if traces else None, resolved, prepared.profiles, cash_flow)


def run_ensemble(scenario: Scenario | str | Path, *, strict: bool = False) -> xr.Dataset:
    """Simulate every weather year of a scenario; totals stacked on a ``weather_year`` dimension.

    Members come from :func:`gpdc.pipeline.weather_years` (synthetic members 0..N-1, or
    calendar years); each is simulated as :func:`run_scenario` does for one year (a real-year
    member as its own calendar year).  The dataset's attributes are those of the first member
    plus ``weather_years``.
    """
    sc = as_scenario(scenario)
    members = weather_years(sc)
    parts = [run_scenario(sc, strict=strict, profiles=build_profiles(sc, m), weather_year=m).totals
             for m in members]
    labels = np.array([-1 if m is None else int(m) for m in members], dtype=np.int64)
    ds = xr.concat(parts, dim="weather_year", combine_attrs="drop_conflicts").assign_coords(weather_year=labels)
    ds["weather_year"].attrs.update(
        long_name="weather year: synthetic ensemble member (0..N-1) or calendar year of real weather", units="1"
    )
    ds.attrs.update(parts[0].attrs)
    ds.attrs["weather_years"] = ", ".join(str(m) for m in members)
    return ds


def ensemble_summary(ds: xr.Dataset) -> dict[str, dict[str, float]]:
    """Mean, P50 and P90 of each metric over ``weather_year``, and the share of compliant years.

    P90 is the value exceeded in 90 % of the years (the 10th percentile), the convention
    of energy-yield reports; for metrics where lower is better (export share, curtailment)
    read the 90th percentile from ``p10`` instead.  Returns ``{name: {mean, p50, p90, p10}}``
    plus ``{"compliant": {"share": ...}}`` and, per rule, ``meets_*`` shares.
    """
    out: dict[str, dict[str, float]] = {}
    for name, var in ds.data_vars.items():
        if "weather_year" not in var.dims or var.ndim > 1:  # per-product variables: not pooled across products
            continue
        x = np.asarray(var.values, dtype=np.float64)
        if name == "compliant" or str(name).startswith("meets_"):
            out[str(name)] = {"share": float(np.mean(x > 0.5))}
            continue
        out[str(name)] = {
            "mean": float(np.nanmean(x)),
            "p50": float(np.nanpercentile(x, 50)),
            "p90": float(np.nanpercentile(x, 10)),
            "p10": float(np.nanpercentile(x, 90)),
        }
    return out
