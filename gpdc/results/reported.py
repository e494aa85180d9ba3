"""Figures reported elsewhere for a project (``[[reported]]``) beside gpdc's own.

A consultant defending a pilot's numbers wants the press release's "0.05 yuan per kWh" next to
what gpdc computes for the same project.  :func:`check` refuses a ``[[reported]]`` entry that
names no result variable (before any work); :func:`attrs_json` stores the entries in a results
file; :func:`compare` reads them back from a file and sets gpdc's value beside each, with
whether it falls within the reported range.  For a per-tonne saving of a product it also gives
the electricity intensity the reported figure implies (:attr:`Comparison.implied`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from gpdc.errors import ScenarioError, ScenarioErrors
from gpdc.results.registry import VARIABLES
from gpdc.scenario.schema import ReportedFigure

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["ATTR", "Comparison", "attrs_json", "check", "compare"]

#: the results-file attribute that keeps the entries (JSON list)
ATTR = "reported_figures"
#: the per-tonne saving whose reported value implies an electricity intensity
_PER_T_SAVING = "product_electricity_saving_yuan_per_t"


def check(reported: Sequence[ReportedFigure]) -> None:
    """Raise ScenarioErrors naming every entry whose metric is no result variable, or misses or needs a product."""
    errors = []
    examples = "e.g. savings_yuan_per_mwh, self_use_share, avoided_co2_t, product_electricity_saving_yuan_per_t"
    for k, r in enumerate(reported):
        var = VARIABLES.get(r.metric)
        if var is None:
            errors.append(ScenarioError(f"reported[{k}].metric", r.metric, f"a result variable ({examples}; "
                                                                         "docs/metrics.md lists them all)"))
        elif "product" in var.dims and r.product is None:
            errors.append(ScenarioError(f"reported[{k}].product", None, f"{r.metric} is per product: name the "
                                                                      "[[products]] entry"))
        elif "product" not in var.dims and r.product is not None:
            errors.append(ScenarioError(f"reported[{k}].product", r.product, f"{r.metric} is not per product: "
                                                                           "leave product out"))
    if errors:
        raise ScenarioErrors(errors)


def attrs_json(reported: Sequence[ReportedFigure]) -> str:
    """The entries as the JSON text of the results file's :data:`ATTR` attribute."""
    return json.dumps([r.model_dump() for r in reported], ensure_ascii=False)


@dataclass(frozen=True)
class Comparison:
    """One reported figure and gpdc's value of the same quantity.

    Attributes
    ----------
    label : str
        What the figure is (the variable's long name, and the product).
    metric, unit : str
        The result variable and its unit.
    low, high : float
        The reported value or range, in ``unit`` (``high`` equals ``low`` for one value).
    gpdc : float
        gpdc's value (NaN if the file lacks it).
    as_reported, source : str
        The figure as worded, and where.
    implied : str
        For a product's per-tonne saving: the electricity per tonne that the reported figure
        implies at gpdc's saving per MWh (and at a reported one), beside the product's own; "".
    """

    label: str
    metric: str
    unit: str
    low: float
    high: float
    gpdc: float
    as_reported: str
    source: str
    implied: str = ""

    @property
    def within(self) -> bool:
        """gpdc's value lies in the reported range (for one value: within 10 % of it)."""
        if self.high > self.low:
            return self.low <= self.gpdc <= self.high
        return bool(np.isclose(self.gpdc, self.low, rtol=0.1, atol=0.0))

    @property
    def ratio(self) -> float:
        """gpdc's value over the reported one (the middle of a range)."""
        mid = 0.5 * (self.low + self.high)
        return self.gpdc / mid if mid else float("nan")


def _value(ds: xr.Dataset, metric: str, product: str | None) -> float:
    if metric not in ds.data_vars:
        return float("nan")
    da = ds[metric]
    if product is not None:
        da = da.sel(product=product)
    if "weather_year" in da.dims:
        da = da.mean("weather_year")
    return float(da.values)


def compare(ds: xr.Dataset) -> list[Comparison]:
    """The file's ``[[reported]]`` figures beside its own values (empty when it has none)."""
    entries: list[dict[str, Any]] = json.loads(str(ds.attrs.get(ATTR, "[]")))
    per_mwh = [e for e in entries if e["metric"] == "savings_yuan_per_mwh"]
    out = []
    for e in entries:
        var = VARIABLES[e["metric"]]
        low = float(e["low"])
        high = float(e["high"]) if e.get("high") is not None else low
        label = var.long_name + (f" ({e['product']})" if e.get("product") else "")
        implied = ""
        if e["metric"] == _PER_T_SAVING and e.get("product"):
            kwh_per_t = float(ds["product_electricity_mwh_per_year"].sel(product=e["product"]).values.mean()
                              / ds["product_output_t_per_year"].sel(product=e["product"]).values.mean() * 1000.0)
            saving = _value(ds, "savings_yuan_per_mwh", None) / 1000.0  # yuan/kWh
            parts = [f"at gpdc's saving of {saving:.4f} yuan/kWh it implies {_kwh(low, high, saving)} kWh/t"]
            for r in per_mwh:
                s = float(r["low"]) / 1000.0
                parts.append(f"at the reported {s:g} yuan/kWh, {_kwh(low, high, s)} kWh/t")
            implied = "; ".join(parts) + f" — the product uses {kwh_per_t:,.0f} kWh/t"
        out.append(Comparison(label, e["metric"], var.units, low, high, _value(ds, e["metric"], e.get("product")),
                              e["as_reported"], e["source"], implied))
    return out


def _kwh(low: float, high: float, yuan_per_kwh: float) -> str:
    if not yuan_per_kwh > 0.0:
        return "no finite electricity use"
    a, b = low / yuan_per_kwh, high / yuan_per_kwh
    return f"{a:,.0f}" if a == b else f"{a:,.0f}–{b:,.0f}"
