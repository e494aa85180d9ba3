"""One scenario end to end: validated scenario -> profiles -> kernel -> metrics -> Dataset.

This is the public ``simulate`` of :mod:`gpdc`; it connects the layers of DESIGN §4 and
holds no physics or accounting itself.
"""

from __future__ import annotations

import calendar
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from gpdc import economics, emissions, engine, metrics
from gpdc.errors import ConsistencyError, ConsistencyWarning
from gpdc.kernels import layout as L
from gpdc.profiles import ProfileSet, read_profile_csv, synthetic_profiles
from gpdc.results.dataset import inputs_hash, provenance_attrs, totals_dataset, trace_dataset
from gpdc.scenario.load import load_scenario, to_toml
from gpdc.scenario.resolve import Resolved, resolve
from gpdc.scenario.schema import Scenario

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Result:
    """What :func:`simulate` returns: the totals and, if asked for, the hourly traces."""

    totals: xr.Dataset
    traces: xr.Dataset | None
    resolved: Resolved
    profiles: ProfileSet


def build_profiles(scenario: Scenario) -> ProfileSet:
    """Return the hourly profiles a scenario asks for (synthetic or from its CSV file)."""
    src = scenario.profiles
    if src.source == "csv":
        assert src.csv_path is not None  # noqa: S101 - guaranteed by the schema
        return read_profile_csv(src.csv_path, year=src.year, timezone=scenario.site.timezone)
    return synthetic_profiles(
        year=src.year,
        timezone=scenario.site.timezone,
        latitude_deg=scenario.site.latitude_deg,
        longitude_deg=scenario.site.longitude_deg,
        elevation_m=scenario.site.elevation_m,
        wind_full_load_hours_h=scenario.wind.full_load_hours_h,
        solar_full_load_hours_h=scenario.solar.full_load_hours_h,
        load_archetype=scenario.load.archetype,
        load_annual_mwh=scenario.load.annual_mwh,
        load_peak_mw=scenario.load.peak_mw,
        seed=scenario.seed,
    )


def _check(message: str, strict: bool) -> None:
    if strict:
        raise ConsistencyError(message)
    warnings.warn(message, ConsistencyWarning, stacklevel=3)


def plausibility_checks(resolved: Resolved, profiles: ProfileSet, strict: bool = False) -> None:
    """Warn (or raise under ``strict``) about designs that are legal but probably wrong."""
    sc = resolved.scenario
    peak_load = float(np.max(profiles.load_mw))
    if sc.grid.import_mw < peak_load:
        _check(
            f"grid.import_mw = {sc.grid.import_mw} MW is below the peak load {peak_load:.1f} MW: "
            "load beyond the contracted import will be unserved whenever green supply falls short",
            strict,
        )
    plant = sc.wind.capacity_mw + sc.solar.capacity_mw
    if plant > 0 and sc.line.rating_mw < 0.3 * plant:
        _check(
            f"line.rating_mw = {sc.line.rating_mw} MW is under 30% of the plant rating {plant} MW: "
            "most of the available generation will be curtailed by the line",
            strict,
        )
    if plant == 0:
        _check("wind.capacity_mw and solar.capacity_mw are both 0: the project generates nothing", strict)


def simulate(
    scenario: Scenario | str | Path,
    *,
    traces: bool = False,
    strict: bool = False,
    profiles: ProfileSet | None = None,
) -> Result:
    """Simulate one scenario over its year and return labelled results.

    Parameters
    ----------
    scenario : Scenario or path
        A validated scenario, or a TOML file to load.
    traces : bool
        Also return hourly flows and state of charge.
    strict : bool
        Turn plausibility warnings into :class:`gpdc.errors.ConsistencyError`.
    profiles : ProfileSet, optional
        Use these profiles instead of building them from the scenario.

    Returns
    -------
    Result
        ``totals`` (scalar variables with units), ``traces`` (or None), the resolved
        inputs and the profiles.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    resolved = resolve(sc)
    prof = profiles if profiles is not None else build_profiles(sc)
    plausibility_checks(resolved, prof, strict)
    price_import, price_export = engine.hourly_prices(resolved, prof)
    design = engine.Design(resolved)
    params = engine.design_params(design)
    inputs = engine.make_inputs(prof.cf_wind, prof.cf_solar, prof.load_mw, price_import, price_export, params)

    if traces:
        tot, trace = engine.run_trace(inputs)
        raw = tot[None, :]
    else:
        raw = engine.run_totals(inputs)
        trace = None

    values = derive_metrics(design, inputs, raw)
    if values["unserved_mwh"][0] > 0.0:
        log.warning("%.1f MWh of load is unserved: the import capacity is too small", values["unserved_mwh"][0])

    toml_text = to_toml(sc)
    arrays = {"cf_wind": prof.cf_wind, "cf_solar": prof.cf_solar, "load_mw": prof.load_mw,
              "price_import": price_import, "price_export": price_export, "params": params}
    thresholds = {k: resolved[k] for k in ("min_self_use_frac", "min_green_share_of_load_frac", "max_export_frac")}
    attrs = provenance_attrs(
        scenario_toml=toml_text,
        thresholds=thresholds,
        profile_sources=prof.sources,
        resolved=resolved.provenance(),
        hash_hex=inputs_hash(toml_text, arrays),
        extra={
            "scenario_name": sc.name,
            "policy_rule_set": sc.policy.rule_set,
            "policy_rule_description": resolved.rule_description,
            "export_cap_rule": sc.grid.export_cap_rule,
            "export_cap_frac": resolved["export_cap_frac"],
            "fee_regime": sc.tariff.fee_regime,
            "tou_schedule": resolved.tou_schedule,
            "emission_factor_basis": sc.emissions.basis,
            "emission_factor_t_co2_per_mwh": resolved["emission_factor_t_co2_per_mwh"],
            "emission_factor_source": resolved.values["emission_factor_t_co2_per_mwh"].source,
            "coal_rate_g_ce_per_kwh": resolved["coal_rate_g_ce_per_kwh"],
            "coal_rate_source": resolved.values["coal_rate_g_ce_per_kwh"].source,
            "year": sc.profiles.year,
            "n_hours": inputs.n_hours,
            "dt_h": inputs.dt_h,
            "period_years": _period_years(sc, inputs),
        },
    )
    totals = totals_dataset(values, attrs=attrs)
    trace_ds = None
    if trace is not None:
        tv = {name: trace[:, k] for k, name in enumerate(L.TRACE_NAMES)}
        e = sc.storage.energy_mwh
        stored = trace[:, L.R_STORAGE_GREEN] + trace[:, L.R_STORAGE_GRID]
        tv["soc_frac"] = (sc.storage.soc_min_frac * e + stored) / e if e > 0 else np.zeros(inputs.n_hours)
        tv["load_mw"] = inputs.load_mw
        tv["cf_wind"] = inputs.cf_wind
        tv["cf_solar"] = inputs.cf_solar
        tv["price_import_yuan_per_mwh"] = inputs.price_import
        trace_ds = trace_dataset(prof.time, tv, sc.site.timezone)
        trace_ds.attrs["scenario_name"] = sc.name
    return Result(totals, trace_ds, resolved, prof)


def _period_years(sc: Scenario, inputs: engine.KernelInputs) -> float:
    """Return the simulated time as a share of the scenario's calendar year [a]."""
    return inputs.n_hours * inputs.dt_h / (8784.0 if calendar.isleap(sc.profiles.year) else 8760.0)


def derive_metrics(design: engine.Design, inputs: engine.KernelInputs, raw: np.ndarray) -> dict[str, np.ndarray]:
    """Energy, policy, economics and emissions variables of every design, each float64[n] (or bool[n]).

    The one place where kernel totals become result variables: :func:`simulate` calls it for
    one design and :func:`gpdc.sweep` for a batch of designs, so both give the same values.
    """
    sc = design.resolved.scenario
    energy = metrics.energy_totals(inputs, raw)
    policy = metrics.policy_metrics(
        energy,
        design.value("min_self_use_frac"),
        design.value("min_green_share_of_load_frac"),
        design.value("max_export_frac"),
    )
    baseline = float(np.sum(inputs.load_mw * inputs.dt_h * inputs.price_import))
    cost = economics.costs(
        energy=energy,
        baseline_cost_yuan=baseline,
        wind_mw=design.field("wind.capacity_mw").astype(np.float64),
        solar_mw=design.field("solar.capacity_mw").astype(np.float64),
        storage_mwh=design.field("storage.energy_mwh").astype(np.float64),
        line_km=design.field("line.length_km").astype(np.float64),
        **{k: design.value(k) for k in (
            "wind_capex_yuan_per_kw", "solar_capex_yuan_per_kw", "storage_capex_yuan_per_kwh",
            "line_capex_yuan_per_km", "wind_om_yuan_per_kw_year", "solar_om_yuan_per_kw_year",
            "storage_om_frac_per_year", "lifetime_years", "discount_rate_frac", "self_use_fee_yuan_per_mwh",
        )},
        period_years=_period_years(sc, inputs),
    )
    em = emissions.emissions(energy, design.resolved["emission_factor_t_co2_per_mwh"],
                             design.resolved["coal_rate_g_ce_per_kwh"])
    return {**energy, **policy, **cost, **em}
