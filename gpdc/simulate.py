"""One scenario end to end: validated scenario -> profiles -> kernel -> metrics -> Dataset.

This is the public ``simulate`` of :mod:`gpdc`; it connects the layers of DESIGN §4 and
holds no physics or accounting itself.
"""

from __future__ import annotations

import calendar
import dataclasses
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from gpdc import economics, emissions, engine, metrics
from gpdc.errors import ConsistencyError, ConsistencyWarning
from gpdc.kernels import layout as L
from gpdc.profiles import ProfileSet
from gpdc.profiles.factors import HourlyFactors, read_hourly_factors
from gpdc.results.dataset import inputs_hash, provenance_attrs, totals_dataset, trace_dataset
from gpdc.scenario import tables
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


def build_profiles(scenario: Scenario, weather_year: int | None = None) -> ProfileSet:
    """Return the hourly profiles of one weather year (ensemble member) of a scenario.

    ``weather_year`` is a label from :func:`weather_years` (None: the first, or only, year).
    Synthetic, CSV or weather-file profiles; see :mod:`gpdc.profiles.build`.
    """
    from gpdc.profiles.build import scenario_profiles

    return scenario_profiles(scenario, weather_year)


def weather_years(scenario: Scenario) -> list[int | None]:
    """Member labels of a scenario's weather-year ensemble.

    ``[None]`` for a single year; ``[0, ..., N-1]`` for ``profiles.ensemble_size = N``
    synthetic years (member ``m`` seeded from ``SeedSequence(seed, spawn_key=(0x5745, m))``);
    the calendar years of ``profiles.years`` for real-year files.
    """
    from gpdc.profiles.build import weather_years as members

    return members(scenario)


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
    issues = [] if sc.tariff.energy_price_csv is not None else tables.tou_ratio_issues(resolved.tou_schedule)
    if issues:
        _check(
            f"TOU schedule {resolved.tou_schedule!r} falls short of the 2021 national notice 发改价格〔2021〕1093号 "
            f"(peak/valley >= 3, critical peak >= 1.2 x peak): {'; '.join(issues[:3])}"
            + (f"; {len(issues) - 3} more" if len(issues) > 3 else ""),
            strict,
        )


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
    month_index, month_weight = engine.billing_months(prof)
    inputs = engine.make_inputs(prof.cf_wind, prof.cf_solar, prof.load_mw, price_import, price_export, params,
                                month_index=month_index, month_weight=month_weight)

    hourly = None
    if sc.emissions.hourly_factors_csv is not None:
        hourly = read_hourly_factors(sc.emissions.hourly_factors_csv, time=prof.time, timezone=sc.site.timezone)
    # totals always from the batch kernel (bit for bit what a sweep gives for this design); the
    # trace kernel adds the hours when they are asked for or weight the import by hourly factors
    raw = engine.run_totals(inputs)
    trace = engine.run_trace(inputs)[1] if (traces or hourly is not None) else None

    products = emissions.product_table(sc.products)
    import_co2 = load_co2 = None
    if hourly is not None:
        assert trace is not None  # noqa: S101 - the trace was run above
        import_co2, load_co2 = hourly_co2(hourly, trace[:, L.R_IMPORT][:, None], inputs)
    values = derive_metrics(design, inputs, raw, import_co2_t=import_co2, load_co2_t=load_co2, products=products)
    if not traces:
        trace = None
    for k in range(len(products)):
        if products.cbam_good[k] and products.direct_t_co2_per_t[k] == 0.0:
            _check(f"product '{products.name[k]}' ({products.sector[k]}) is a CBAM good but its direct_t_co2_per_t "
                   "is 0: its CBAM cost counts direct emissions, which gpdc then shows as zero; state them "
                   "([[products]] direct_t_co2_per_t)", strict)
    if len(products):
        used = float(np.sum(products.output_t_per_year * products.electricity_kwh_per_t)) / 1000.0
        year_load = float(values["load_mwh"][0]) / _period_years(sc, inputs)
        if used > 1.001 * year_load:
            _check(f"products use {used:,.0f} MWh/a of electricity ([[products]] output x kWh per t) but the "
                   f"load is {year_load:,.0f} MWh/a: check output_t_per_year and electricity_kwh_per_t", strict)
    if values["unserved_mwh"][0] > 0.0:
        log.warning("%.1f MWh of load is unserved: the import capacity is too small", values["unserved_mwh"][0])

    toml_text = to_toml(sc)
    arrays = {"cf_wind": prof.cf_wind, "cf_solar": prof.cf_solar, "load_mw": prof.load_mw,
              "price_import": price_import, "price_export": price_export, "params": params}
    if hourly is not None:
        arrays["factor_t_co2_per_mwh"] = hourly.factor_t_co2_per_mwh
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
            "fee_regime_description": resolved.fee_regime.description if resolved.fee_regime else "",
            "basic_charge_basis": resolved.basic_charge_basis,
            "tou_schedule": resolved.tou_schedule,
            "emission_factor_basis": sc.emissions.basis,
            "emission_factor_t_co2_per_mwh": resolved["emission_factor_t_co2_per_mwh"],
            "emission_factor_source": resolved.values["emission_factor_t_co2_per_mwh"].source,
            "coal_rate_g_ce_per_kwh": resolved["coal_rate_g_ce_per_kwh"],
            "coal_rate_source": resolved.values["coal_rate_g_ce_per_kwh"].source,
            **_carbon_attrs(resolved, hourly),
            "year": sc.profiles.year,
            "n_hours": inputs.n_hours,
            "dt_h": inputs.dt_h,
            "period_years": _period_years(sc, inputs),
        },
    )
    totals = totals_dataset(values, coords=products.coords() if len(products) else None, attrs=attrs)
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


def _carbon_attrs(resolved: Resolved, hourly: HourlyFactors | None) -> dict[str, object]:
    """Attributes that say on which basis the carbon accounts were drawn up."""
    em = resolved.scenario.emissions
    account_basis = em.account_basis or ("grid_average" if em.basis == "fossil" else em.basis)
    attrs: dict[str, object] = {
        "emission_factor_year": em.factor_year,
        "emission_factor_confidence": resolved.values["emission_factor_t_co2_per_mwh"].confidence,
        "count_export_in_avoided": int(em.count_export_in_avoided),
        "account_factor_basis": f"hourly series ({hourly.source})" if hourly is not None else account_basis,
        "account_factor_t_co2_per_mwh": (hourly.mean_t_co2_per_mwh if hourly is not None
                                         else resolved["account_factor_t_co2_per_mwh"]),
        "account_factor_source": (hourly.source if hourly is not None
                                  else resolved.values["account_factor_t_co2_per_mwh"].source),
        "gec_basis": "1 GEC per MWh of green energy delivered over the line (direct + charge_green + export), "
                     "发改能源〔2023〕1044号",
    }
    for name in ("eu_carbon_price_eur_per_t_co2", "exchange_rate_yuan_per_eur",
                 "china_carbon_price_paid_yuan_per_t_co2"):
        attrs[name] = resolved[name]
        attrs[f"{name}_source"] = resolved.values[name].source
    return attrs


def hourly_co2(hourly: HourlyFactors, import_mwh: np.ndarray, inputs: engine.KernelInputs) -> tuple[
        np.ndarray, np.ndarray]:
    """Σ_h import_h·f_h per design (``import_mwh`` is [n_hours, n]) and Σ_h load_h·f_h, with hourly factors [t]."""
    f = hourly.factor_t_co2_per_mwh
    return (emissions.hourly_weighted_co2_t(import_mwh, f),
            emissions.hourly_weighted_co2_t(inputs.load_mw * inputs.dt_h, f))


def derive_metrics(
    design: engine.Design,
    inputs: engine.KernelInputs,
    raw: np.ndarray,
    *,
    import_co2_t: np.ndarray | None = None,
    load_co2_t: np.ndarray | None = None,
    products: emissions.ProductTable | None = None,
) -> dict[str, np.ndarray]:
    """Energy, policy, economics and emissions variables of every design, each [n] (per product [n, k]).

    The one place where kernel totals become result variables: :func:`simulate` calls it for
    one design and :func:`gpdc.sweep` for a batch of designs, so both give the same values.
    With hourly emission factors, ``import_co2_t`` (Σ_h import_h·f_h per design) and
    ``load_co2_t`` (Σ_h load_h·f_h) replace the flat factor in the user's accounts.
    """
    resolved = design.resolved
    sc = resolved.scenario
    energy = metrics.energy_totals(inputs, raw)
    policy = metrics.policy_metrics(
        energy,
        design.value("min_self_use_frac"),
        design.value("min_green_share_of_load_frac"),
        design.value("max_export_frac"),
    )
    policy.update(green_first_comparison(inputs, raw, energy, policy))
    charges = tariff_charges(design, inputs, energy)
    baseline = charges["baseline_energy_cost_yuan"] + charges["baseline_basic_charge_yuan"]
    fixed = charges["basic_charge_yuan"] + charges["capacity_td_fee_yuan"]
    cost = economics.costs(
        energy=energy,
        baseline_cost_yuan=baseline,
        fixed_charges_yuan=fixed,
        wind_mw=design.field("wind.capacity_mw").astype(np.float64),
        solar_mw=design.field("solar.capacity_mw").astype(np.float64),
        storage_mwh=design.field("storage.energy_mwh").astype(np.float64),
        storage_mw=design.field("storage.power_mw").astype(np.float64),
        line_km=design.field("line.length_km").astype(np.float64),
        storage_power_capex_yuan_per_kw=design.field("finance.storage_power_capex_yuan_per_kw").astype(np.float64),
        line_bays_capex_yuan=design.field("finance.line_bays_capex_yuan").astype(np.float64),
        grid_connection_capex_yuan=design.field("finance.grid_connection_capex_yuan").astype(np.float64),
        **{k: design.value(k) for k in (
            "wind_capex_yuan_per_kw", "solar_capex_yuan_per_kw", "storage_capex_yuan_per_kwh",
            "line_capex_yuan_per_km", "wind_om_yuan_per_kw_year", "solar_om_yuan_per_kw_year",
            "storage_om_frac_per_year", "lifetime_years", "discount_rate_frac", "self_use_fee_yuan_per_mwh",
        )},
        period_years=_period_years(sc, inputs),
    )
    life, _ = economics.lifetime_finance(
        cost=cost, energy=energy, fixed_charges_yuan=fixed, period_years=_period_years(sc, inputs),
        per_year=lifetime_bills(design, inputs),
        **{k: design.value(k) for k in ("lifetime_years", "discount_rate_frac", "tariff_escalation_frac_per_year",
                                        "storage_lifetime_years", "storage_replacement_cost_frac")},
    )
    life["final_year_green_share_of_load"] = metrics.share(life["final_year_self_used_mwh"] * _period_years(
        sc, inputs), energy["load_mwh"])
    cost.update(life)
    em = emissions.emissions(
        energy, resolved["emission_factor_t_co2_per_mwh"], resolved["coal_rate_g_ce_per_kwh"],
        account_factor_t_co2_per_mwh=resolved["account_factor_t_co2_per_mwh"],
        count_export=sc.emissions.count_export_in_avoided,
        import_co2_t=import_co2_t, load_co2_t=load_co2_t,
        gec_mwh_per_certificate=resolved["gec_mwh_per_certificate"],
    )
    if products is not None and len(products):
        em.update(emissions.product_accounts(
            em, products, resolved["eu_carbon_price_eur_per_t_co2"], resolved["exchange_rate_yuan_per_eur"],
            resolved["china_carbon_price_paid_yuan_per_t_co2"]))
    return {**energy, **policy, **charges, **cost, **em}


def lifetime_bills(design: engine.Design, inputs: engine.KernelInputs) -> dict[str, np.ndarray] | None:
    """Re-dispatch every year of every design's life with PV and battery degradation: one batch-kernel call.

    None where no design degrades (every year is then the first).  Otherwise each year's
    bill (import + unserved + monthly charges + fees on self-used energy − export), self-used
    energy and fees − export revenue, each [n, N_max] over the simulated period; the weather
    year repeats.  See :func:`gpdc.engine.lifetime_params`.
    """
    pv = design.value("pv_degradation_frac_per_year")
    bat = design.value("battery_degradation_frac_per_year")
    if not (np.any(pv > 0.0) or np.any(bat > 0.0)):
        return None
    n_years = int(economics.project_years(design.value("lifetime_years")).max())
    params = engine.lifetime_params(inputs.params, n_years, pv, bat, design.value("storage_lifetime_years"))
    per = dataclasses.replace(inputs, params=params)
    raw = engine.run_totals(per)
    energy = metrics.energy_totals(per, raw)
    rep = engine.Design(design.resolved, {k: np.repeat(v, n_years) for k, v in design.columns.items()})
    charges = tariff_charges(rep, per, energy)
    fees = energy["self_used_mwh"] * np.repeat(design.value("self_use_fee_yuan_per_mwh"), n_years)
    bill = (energy["import_cost_yuan"] + energy["unserved_cost_yuan"] + charges["basic_charge_yuan"]
            + charges["capacity_td_fee_yuan"] + fees - energy["export_revenue_yuan"])
    shape = (design.n, n_years)
    return {"bill_yuan": bill.reshape(shape), "self_used_mwh": energy["self_used_mwh"].reshape(shape),
            "fees_minus_export_yuan": (fees - energy["export_revenue_yuan"]).reshape(shape)}


def green_first_comparison(inputs: engine.KernelInputs, raw: np.ndarray, energy: dict[str, np.ndarray],
                           policy: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Return the green share each design would reach under the green-first strategy, and what arbitrage costs.

    Designs that charge storage from the grid (TOU arbitrage) or shave peaks are dispatched again
    through the batch kernel with grid charging and peak shaving off, everything else equal; for
    the others the green-first share is their own.  ``arbitrage_green_share_cost`` = green-first
    share − actual share.
    """
    gc = (inputs.params[L.P_GRID_CHARGE] > 0.5) | (inputs.params[L.P_IMPORT_TARGET_MW] > 0.0)
    self_used = raw[:, L.T_DIRECT] + raw[:, L.T_DISCHARGE_GREEN]
    if gc.any():
        p = inputs.params.copy()
        p[L.P_GRID_CHARGE] = 0.0
        p[L.P_IMPORT_TARGET_MW] = 0.0
        again = engine.run_totals(dataclasses.replace(inputs, params=p))
        self_used = np.where(gc, again[:, L.T_DIRECT] + again[:, L.T_DISCHARGE_GREEN], self_used)
    share = metrics.share(self_used, energy["load_mwh"])
    return {"green_share_of_load_green_first": share,
            "arbitrage_green_share_cost": share - policy["green_share_of_load"]}


def tariff_charges(design: engine.Design, inputs: engine.KernelInputs,
                   energy: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Return the monthly charges and fee parts of every design's bill under its fee regime (docs/tariffs.md)."""
    resolved = design.resolved
    assert resolved.fee_regime is not None  # noqa: S101 - resolve() always sets it
    assert inputs.month_index is not None  # noqa: S101 - make_inputs() always sets it
    flags = resolved.fee_regime.flags
    conn_mva = design.field("grid.connection_mva").astype(np.float64)
    conn_mva = np.where(np.isnan(conn_mva), design.field("grid.import_mw").astype(np.float64), conn_mva)
    load_peak = np.zeros(12)
    np.maximum.at(load_peak, inputs.month_index, inputs.load_mw)
    demand = resolved.basic_charge_basis == "demand" and flags["basic_charge"]
    import_peak = engine.monthly_peak_import_mw(inputs) * 1000.0 if demand else None
    # the user on the ordinary tariff pays every per-MWh component on all of its load
    extra = resolved["adders_yuan_per_mwh"] - resolved["import_adders_yuan_per_mwh"]
    base_energy = float(np.sum(inputs.load_mw * inputs.dt_h * inputs.price_import)) + float(
        np.sum(inputs.load_mw * inputs.dt_h)) * extra
    return economics.tariff_charges(
        energy=energy,
        baseline_energy_cost_yuan=base_energy,
        month_weight=inputs.month_weight,  # type: ignore[arg-type]
        connection_kva=conn_mva * 1000.0,
        capacity_charge_yuan_per_kva_month=design.value("capacity_charge_yuan_per_kva_month"),
        demand_charge_yuan_per_kw_month=design.value("demand_charge_yuan_per_kw_month"),
        average_load_rate_frac=design.value("average_load_rate_frac"),
        td_energy_yuan_per_mwh=resolved["td_energy_yuan_per_mwh"],
        funds_yuan_per_mwh=resolved["funds_yuan_per_mwh"],
        system_operation_yuan_per_mwh=resolved["system_operation_yuan_per_mwh"],
        basic_charge_basis=resolved.basic_charge_basis,
        flags=flags,
        load_peak_kw=load_peak * 1000.0,
        import_peak_kw=import_peak,
    )



def simulate_ensemble(scenario: Scenario | str | Path, *, strict: bool = False) -> xr.Dataset:
    """Simulate every weather year of a scenario; totals stacked on a ``weather_year`` dimension.

    Members come from :func:`weather_years` (synthetic members 0..N-1, or calendar years);
    each is simulated as :func:`simulate` does for one year.  The dataset's attributes are
    those of the first member plus ``weather_years``.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    members = weather_years(sc)
    parts = []
    for m in members:
        # a real-year member is simulated as its own calendar year (8784 h in a leap year)
        member_sc = sc if sc.profiles.years is None or m is None else sc.model_copy(
            update={"profiles": sc.profiles.model_copy(update={"year": int(m)})})
        parts.append(simulate(member_sc, strict=strict, profiles=build_profiles(sc, m)).totals)
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
