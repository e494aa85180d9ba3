"""From a validated scenario to kernel inputs, and the kernel calls: the single copy of that way.

:func:`prepare` turns a scenario (and one weather year, or given profiles) into everything
the designs of that scenario share — resolved world numbers, hourly profiles, prices, the
billing months, an hourly emission-factor series if the scenario names one — as a
:class:`Prepared`.  :func:`gpdc.simulate`, sweeps, sizing, the LP reference and
``gpdc validate`` all start here.  :class:`Design` and :func:`design_params` turn scenario
fields (one design, or columns of many) into kernel parameters.

:func:`run_totals` and :func:`run_trace` are the only callers of the kernels' backend seam;
they hold one lock per process, so the parallel batch kernel is never entered from two
threads at once (numba's ``workqueue`` threading layer aborts when that happens).
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gpdc import kernel_cache
from gpdc.errors import InputError, ProfileError
from gpdc import backends
from gpdc.kernels import dispatch as backend
from gpdc.kernels import layout as L
from gpdc.kernels.layout import N_PARAMS, PARAM_NAMES
from gpdc.profiles import ProfileSet
from gpdc.profiles.build import scenario_profiles
from gpdc.profiles.build import weather_years as _members
from gpdc.profiles.factors import HourlyFactors, read_hourly_factors, read_hourly_prices
from gpdc.profiles.flexible import flexible_hourly
from gpdc.profiles.readers import MAX_LOAD_MW
from gpdc.scenario import tables
from gpdc.scenario.resolve import Resolved, resolve
from gpdc.scenario.schema import Scenario

#: Chinese tariff periods are defined on Beijing time (China Standard Time, UTC+8)
TARIFF_TIMEZONE = "Asia/Shanghai"
#: hours of a billing month in 1192号's capacity fee (8760 / 12)
HOURS_PER_MONTH = 730.0


# --- profiles ---------------------------------------------------------------------------------


def build_profiles(scenario: Scenario, weather_year: int | None = None) -> ProfileSet:
    """Return the hourly profiles of one weather year (ensemble member) of a scenario.

    ``weather_year`` is a label from :func:`weather_years` (None: the first, or only, year).
    Synthetic, CSV or weather-file profiles; see :mod:`gpdc.profiles.build`.
    """
    return scenario_profiles(scenario, weather_year)


def weather_years(scenario: Scenario) -> list[int | None]:
    """Member labels of a scenario's weather-year ensemble.

    ``[None]`` for a single year; ``[0, ..., N-1]`` for ``profiles.ensemble_size = N``
    synthetic years (member ``m`` seeded from ``SeedSequence(seed, spawn_key=(0x5745, m))``);
    the calendar years of ``profiles.years`` for real-year files.
    """
    return _members(scenario)


def member_scenario(scenario: Scenario, weather_year: Any) -> Scenario:
    """The scenario of one weather year: a real-weather member is simulated as its own calendar year."""
    if weather_year is None or scenario.profiles.years is None:
        return scenario
    return scenario.model_copy(update={"profiles": scenario.profiles.model_copy(update={"year": int(weather_year)})})


# --- kernel inputs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KernelInputs:
    """Everything a dispatch kernel reads, as checked C-contiguous arrays.

    Attributes
    ----------
    cf_wind, cf_solar : float64[n_hours]
        Capacity factors [-].
    load_mw : float64[n_hours]
        Mean load per step [MW].
    price_import, price_export : float64[n_hours]
        Energy prices [yuan/MWh].
    params : float64[N_PARAMS, n_scen]
        One column per design, rows as :data:`gpdc.kernels.spec.PARAMS`.
    dt_h : float
        Step length [h].
    month_index : int64[n_hours]
        Billing month of each step, 0-11 (Beijing time): the kernels keep each month's
        maximum import (the demand charge) by it.
    month_weight : float64[12]
        Share of each calendar month the steps cover [1]: monthly charges are multiplied by
        it (1 for every month of a full year).
    factor : float64[n_hours]
        Hourly grid emission factor [t CO2/MWh]; zeros without an hourly series (the kernels'
        ``import_co2_t`` is then 0 and the accounts use a flat factor).
    tou_multiplier : float64[n_hours]
        The TOU multiplier of each step [1] (ones with an hourly energy price series).  No
        kernel reads it: the accounting prices the baseline and splits the import bill by it.
    hourly : float64[n_hours, N_HOURLY]
        The flexible elements' hourly inputs, columns :data:`gpdc.kernels.spec.HOURLY` (the
        hydrogen offtake [kg per step], the shiftable load's windows, the fleet's plug-in
        windows); zeros without flexible elements.
    """

    cf_wind: np.ndarray
    cf_solar: np.ndarray
    load_mw: np.ndarray
    price_import: np.ndarray
    price_export: np.ndarray
    params: np.ndarray
    dt_h: float
    month_index: np.ndarray
    month_weight: np.ndarray
    factor: np.ndarray
    tou_multiplier: np.ndarray
    hourly: np.ndarray

    @property
    def n_hours(self) -> int:
        """Number of steps."""
        return int(self.cf_wind.shape[0])

    @property
    def n_scen(self) -> int:
        """Number of designs."""
        return int(self.params.shape[1])

    def with_params(self, params: np.ndarray) -> KernelInputs:
        """The same hourly inputs with other designs' parameters, float64[N_PARAMS, n]."""
        return dataclasses.replace(self, params=_check_params(params))


def _check_series(name: str, x: np.ndarray, n: int, lo: float, hi: float) -> np.ndarray:
    x = np.ascontiguousarray(x, dtype=np.float64)
    if x.ndim != 1 or x.shape[0] != n:
        raise ProfileError(f"{name} has shape {x.shape}; expected ({n},), one value per step")
    bad = ~np.isfinite(x) | (x < lo) | (x > hi)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ProfileError(f"{name}[{i}] = {float(x[i])!r} is invalid: must be finite and within [{lo}, {hi}]")
    return x


def _check_params(params: np.ndarray) -> np.ndarray:
    p = np.asarray(params, dtype=np.float64)
    if p.ndim == 1:
        p = p[:, None]
    if p.ndim != 2 or p.shape[0] != N_PARAMS:
        raise InputError(f"params has shape {p.shape}; expected ({N_PARAMS},) or ({N_PARAMS}, n_scen)")
    finite = np.isfinite(p)
    finite[L.P_GRID_CHARGE_PRICE] = ~np.isnan(p[L.P_GRID_CHARGE_PRICE])  # -inf = never
    if not finite.all():
        r, s = (int(v[0]) for v in np.nonzero(~finite))
        raise InputError(f"parameter {PARAM_NAMES[r]} of design {s} is {float(p[r, s])!r}: must be finite")
    # (the kernels rely on both: a step with a green surplus then never discharges, gpdc.kernels.step)
    for row, name, what in ((L.P_IMPORT_TARGET_MW, "import_target_mw", "0 = no peak shaving"),
                            (L.P_IMPORT_MW, "import_mw", "the contracted import capacity")):
        if (p[row] < 0.0).any():
            s = int(np.flatnonzero(p[row] < 0.0)[0])
            raise InputError(f"parameter {name} of design {s} is {float(p[row, s])!r}: must be >= 0 ({what}) [MW]")
    return np.ascontiguousarray(p)


def make_inputs(
    cf_wind: np.ndarray,
    cf_solar: np.ndarray,
    load_mw: np.ndarray,
    price_import: np.ndarray,
    price_export: np.ndarray,
    params: np.ndarray,
    dt_h: float = 1.0,
    month_index: np.ndarray | None = None,
    month_weight: np.ndarray | None = None,
    factor: np.ndarray | None = None,
    tou_multiplier: np.ndarray | None = None,
    hourly: np.ndarray | None = None,
) -> KernelInputs:
    """Check and pack kernel inputs; ``params`` is float64[N_PARAMS] or [N_PARAMS, n_scen].

    ``month_index`` / ``month_weight`` (see :class:`KernelInputs`) default to one billing
    month covering the steps, weighted by their hours / 730 h; ``factor`` and ``hourly`` to zeros;
    ``tou_multiplier`` to ones.

    Raises
    ------
    ProfileError
        For a wrong length, NaN or out-of-range value in a profile.
    InputError
        For a parameter array of the wrong shape or a non-finite parameter, a step length
        that is not > 0, or billing months out of range.
    """
    n = int(np.asarray(cf_wind).shape[0])
    if n == 0:
        raise ProfileError("profiles are empty: need at least one step")
    big = MAX_LOAD_MW
    cfw = _check_series("cf_wind", cf_wind, n, 0.0, 1.0)
    cfs = _check_series("cf_solar", cf_solar, n, 0.0, 1.0)
    load = _check_series("load_mw", load_mw, n, 0.0, big)
    pi = _check_series("price_import", price_import, n, -big, big)
    pe = _check_series("price_export", price_export, n, -big, big)
    fac = np.zeros(n) if factor is None else _check_series("factor_t_co2_per_mwh", factor, n, 0.0, big)
    tou = np.ones(n) if tou_multiplier is None else _check_series("tou_multiplier", tou_multiplier, n, 0.0, big)
    p = _check_params(params)
    if not (dt_h > 0.0 and np.isfinite(dt_h)):
        raise InputError(f"dt_h = {dt_h!r} is invalid: must be a finite number > 0 [h]")
    if month_index is None:
        month_index = np.zeros(n, dtype=np.int64)
        month_weight = np.zeros(12)
        month_weight[0] = n * float(dt_h) / HOURS_PER_MONTH
    mi = np.ascontiguousarray(month_index, dtype=np.int64)
    if mi.shape != (n,) or mi.min() < 0 or mi.max() > 11:
        raise InputError(f"month_index must hold one month 0-11 per step ({n},); got shape {mi.shape}")
    mw = np.ascontiguousarray(month_weight, dtype=np.float64)
    if mw.shape != (12,) or not np.all(np.isfinite(mw)) or mw.min() < 0.0:
        raise InputError(f"month_weight must be 12 finite shares >= 0; got {mw!r}")
    hx = np.zeros((n, L.N_HOURLY)) if hourly is None else np.ascontiguousarray(hourly, dtype=np.float64)
    if hx.shape != (n, L.N_HOURLY) or not np.all(np.isfinite(hx)) or (hx < 0.0).any():
        raise InputError(f"hourly must be float64[{n}, {L.N_HOURLY}] of finite values >= 0; got shape {hx.shape}")
    return KernelInputs(cfw, cfs, load, pi, pe, p, float(dt_h), mi, mw, fac, tou, hx)


def _beijing(time: pd.DatetimeIndex) -> pd.DatetimeIndex:
    return time.tz_convert(TARIFF_TIMEZONE) if time.tz is not None else time


def billing_months(profiles: ProfileSet, dt_h: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Return the billing month of each step (0-11, Beijing time) and each month's covered share.

    The share of month m is (steps in m x dt) / (hours of the calendar month m): monthly
    charges of a period shorter than the month are prorated, as annual costs are by the
    period's share of the year.
    """
    bj = _beijing(profiles.time)
    month = np.asarray(bj.month, dtype=np.int64) - 1
    hours_in_month = np.asarray(bj.days_in_month, dtype=np.float64) * 24.0
    weight = np.zeros(12)
    np.add.at(weight, month, dt_h / hours_in_month)
    return month, weight


def tou_multiplier(resolved: Resolved, profiles: ProfileSet) -> np.ndarray:
    """Return the TOU multiplier of each hour [1]: ones where an hourly energy price series replaces the TOU float.

    TOU periods are set on Beijing time whatever the site's time zone (Xinjiang's tariff hours
    are Beijing hours), so the profile clock is converted first.
    """
    if resolved.scenario.tariff.energy_price_csv is not None:
        return np.ones(len(profiles.time))
    return np.ascontiguousarray(tables.tou_multipliers(resolved.tou_schedule, _beijing(profiles.time)),
                                dtype=np.float64)


def hourly_prices(resolved: Resolved, profiles: ProfileSet) -> tuple[np.ndarray, np.ndarray]:
    """Return the hourly import and export prices [yuan/MWh] for a scenario's year.

    Import price = (energy price + the floating components) x TOU multiplier of the hour + the
    flat components, over the per-MWh components that grid-drawn energy bears under the fee
    regime (:meth:`gpdc.scenario.resolve.Resolved.per_mwh`; which float is the tariff's
    ``tou_float_components``).  With ``tariff.energy_price_csv`` the hourly series replaces
    energy price x TOU multiplier and every component is added flat.  Export price: the flat
    price, or the hourly series of ``tariff.export_price_csv``.
    """
    sc = resolved.scenario
    parts = resolved.per_mwh("import")
    floating = sum(x for x, floats in parts.values() if floats)
    flat = sum(x for x, floats in parts.values() if not floats)
    if sc.tariff.energy_price_csv is not None:  # an hourly energy price (spot) replaces price x TOU
        energy, _ = read_hourly_prices(sc.tariff.energy_price_csv, time=profiles.time, timezone=sc.site.timezone,
                                       field="tariff.energy_price_csv")
        price_import = energy + floating + flat  # resolve floats nothing but the series here: floating is 0
    else:
        mult = tou_multiplier(resolved, profiles)
        price_import = (resolved["energy_price_yuan_per_mwh"] + floating) * mult + flat
    if sc.tariff.export_price_csv is not None and sc.tariff.export_paid:
        price_export, _ = read_hourly_prices(sc.tariff.export_price_csv, time=profiles.time,
                                             timezone=sc.site.timezone)
    else:
        price_export = np.full(len(profiles.time), resolved["export_price_yuan_per_mwh"])
    return np.ascontiguousarray(price_import, dtype=np.float64), np.ascontiguousarray(price_export, dtype=np.float64)


# --- designs ----------------------------------------------------------------------------------

#: scenario fields a sweep may vary design by design inside one batch (they change only the
#: kernel parameters and the per-design accounting, not the shared hourly inputs); other
#: fields vary between batches.  Each maps to the resolved value it sets, if any.
COLUMN_FIELDS: dict[str, str | None] = {
    "wind.capacity_mw": None,
    "solar.capacity_mw": None,
    "line.rating_mw": None,
    "line.loss_frac": None,
    "line.length_km": None,
    "storage.power_mw": None,
    "storage.energy_mwh": None,
    "storage.charge_efficiency_frac": None,
    "storage.discharge_efficiency_frac": None,
    "storage.soc_min_frac": None,
    "storage.soc_max_frac": None,
    "storage.initial_soc_frac": None,
    "storage.grid_charging": None,
    "storage.grid_charge_max_price_yuan_per_mwh": None,
    "storage.import_target_mw": None,
    "storage.strategy": None,
    "storage.lookahead_h": None,
    "storage.forecast": None,
    "grid.import_mw": None,
    "grid.export_mw": None,
    "grid.export_cap_rule": None,
    "policy.min_self_use_frac": "min_self_use_frac",
    "policy.min_green_share_of_load_frac": "min_green_share_of_load_frac",
    "tariff.self_use_fee_yuan_per_mwh": "self_use_fee_yuan_per_mwh",
    "tariff.capacity_charge_yuan_per_kva_month": "capacity_charge_yuan_per_kva_month",
    "tariff.demand_charge_yuan_per_kw_month": "demand_charge_yuan_per_kw_month",
    "tariff.average_load_rate_frac": "average_load_rate_frac",
    "grid.connection_mva": None,
    **{f"finance.{k}": k for k in (
        "wind_capex_yuan_per_kw", "solar_capex_yuan_per_kw", "storage_capex_yuan_per_kwh",
        "line_capex_yuan_per_km", "wind_om_yuan_per_kw_year", "solar_om_yuan_per_kw_year",
        "storage_om_frac_per_year", "lifetime_years", "discount_rate_frac", "storage_lifetime_years",
        "storage_replacement_cost_frac", "tariff_escalation_frac_per_year", "pv_degradation_frac_per_year",
        "battery_degradation_frac_per_year",
    )},
    "finance.storage_power_capex_yuan_per_kw": None,
    "finance.line_bays_capex_yuan": None,
    "finance.grid_connection_capex_yuan": None,
    # the flexible elements (a scenario that has the section)
    "electrolyser.capacity_mw": None,
    "electrolyser.min_load_frac": None,
    "electrolyser.specific_energy_kwh_per_kg": None,
    "electrolyser.standby_frac": None,
    "electrolyser.capex_yuan_per_kw": "electrolyser_capex_yuan_per_kw",
    "hydrogen.tank_kg": None,
    "hydrogen.initial_fill_frac": None,
    "hydrogen.tank_capex_yuan_per_kg": "hydrogen_tank_capex_yuan_per_kg",
    "hydrogen.unmet_value_yuan_per_kg": "hydrogen_unmet_value_yuan_per_kg",
    "flexible_load.max_power_mw": None,
    "flexible_load.energy_per_period_mwh": None,
    "ev_fleet.vehicles": None,
    "ev_fleet.v2g_kw": None,
    "ev_fleet.degradation_cost_yuan_per_mwh": "ev_degradation_cost_yuan_per_mwh",
}


class Design:
    """One resolved scenario, or many designs that differ only in :data:`COLUMN_FIELDS`.

    ``field(path)`` and ``value(key)`` return float64[n] (object[n] for text fields): the
    column where the field is varied, else the scenario's own value (resolved value) repeated.
    A single run uses ``Design(resolved)`` (n = 1); a sweep passes columns, so both go through
    the same arithmetic.
    """

    def __init__(self, resolved: Resolved, columns: dict[str, np.ndarray] | None = None) -> None:
        self.resolved = resolved
        self.columns = dict(columns or {})
        unknown = sorted(set(self.columns) - set(COLUMN_FIELDS))
        if unknown:
            raise InputError(f"fields {unknown} cannot vary within a batch; allowed: {sorted(COLUMN_FIELDS)}")
        sizes = {len(v) for v in self.columns.values()}
        if len(sizes) > 1:
            raise InputError(f"design columns differ in length: {sorted(sizes)}")
        self.n = sizes.pop() if sizes else 1

    def field(self, path: str) -> np.ndarray:
        """The field's value for every design (None stays None for a scalar field)."""
        if path in self.columns:
            return np.asarray(self.columns[path])
        section, name = path.split(".")
        v = getattr(getattr(self.resolved.scenario, section), name)
        if v is None:
            return np.full(self.n, np.nan)
        return np.full(self.n, v, dtype=object if isinstance(v, str) else np.float64)

    def number(self, path: str) -> np.ndarray:
        """A numeric field for every design, float64[n] (NaN where unset)."""
        return self.field(path).astype(np.float64)

    def value(self, key: str) -> np.ndarray:
        """A resolved number for every design (the column of the field that sets it, if varied)."""
        for path, k in COLUMN_FIELDS.items():
            if k == key and path in self.columns:
                return np.asarray(self.columns[path], dtype=np.float64)
        return np.full(self.n, self.resolved[key])


def _per_design(design: Design, path: str, code: Callable[[Any], float]) -> list[float] | float:
    """``code`` of a (text) field's value for every design: once where the field is not varied.

    A Python loop over the designs cost 0.01 s per 65,536 for each such field in every chunk.
    """
    values = design.field(path)
    if path in design.columns or not design.n:
        return [code(v) for v in values]
    return code(values[0])  # every design holds the scenario's value


def design_params(design: Design) -> np.ndarray:
    """Return the kernel parameters of every design, float64[N_PARAMS, n]."""
    sc = design.resolved.scenario
    f = design.number
    p = np.zeros((N_PARAMS, design.n))
    p[L.P_WIND_MW] = f("wind.capacity_mw")
    p[L.P_SOLAR_MW] = f("solar.capacity_mw")
    p[L.P_LINE_MW] = f("line.rating_mw")
    p[L.P_LINE_LOSS_FRAC] = f("line.loss_frac")
    power = f("storage.power_mw")
    energy = f("storage.energy_mwh")
    soc_min = f("storage.soc_min_frac")
    p[L.P_CHARGE_MW] = power
    p[L.P_DISCHARGE_MW] = power
    p[L.P_USABLE_MWH] = (f("storage.soc_max_frac") - soc_min) * energy
    p[L.P_ETA_CHARGE] = f("storage.charge_efficiency_frac")
    p[L.P_ETA_DISCHARGE] = f("storage.discharge_efficiency_frac")
    init = f("storage.initial_soc_frac")
    init = np.where(np.isnan(init), soc_min, init)  # unset: start at soc_min
    # the initial usable energy is counted as grid energy: it cannot inflate the green share
    p[L.P_INIT_GREEN_MWH] = 0.0
    p[L.P_INIT_GRID_MWH] = (init - soc_min) * energy
    # With no reverse flow allowed the cap is 0 and nothing is exported; the export limit is
    # then the connection's rating (export_mw, else import_mw), so that the surplus the
    # connection could have carried is reported as curtailed by the rule (curt_cap).
    export_mw = f("grid.export_mw")
    import_mw = f("grid.import_mw")
    p[L.P_EXPORT_MW] = np.where(sc.grid.export_allowed | (export_mw > 0), export_mw, import_mw)
    p[L.P_EXPORT_CAP_FRAC] = design.value("export_cap_frac")
    p[L.P_EXPORT_RULE] = _per_design(design, "grid.export_cap_rule", lambda r: L.EXPORT_RULE_NAMES[str(r)])
    p[L.P_IMPORT_MW] = import_mw
    p[L.P_GRID_CHARGE] = np.where(design.field("storage.grid_charging").astype(bool), 1.0, 0.0)
    gc_price = f("storage.grid_charge_max_price_yuan_per_mwh")
    p[L.P_GRID_CHARGE_PRICE] = np.where(np.isnan(gc_price), -np.inf, gc_price)
    target = f("storage.import_target_mw")
    p[L.P_IMPORT_TARGET_MW] = np.where(np.isnan(target), 0.0, target)  # 0: no peak shaving (green-first)
    p[L.P_LOOKAHEAD] = _per_design(design, "storage.strategy", lambda v: 1.0 if str(v) == "lookahead" else 0.0)
    p[L.P_LOOKAHEAD_H] = f("storage.lookahead_h")
    p[L.P_LOOKAHEAD_FORECAST] = _per_design(design, "storage.forecast", lambda v: L.FORECAST_NAMES[str(v)])
    if sc.has_flexible:
        _flexible_params(design, p)
    return p


def _flexible_params(design: Design, p: np.ndarray) -> None:
    """The flexible elements' parameter rows (docs/flexible.md), written into ``p`` [N_PARAMS, n]."""
    sc = design.resolved.scenario
    f = design.number
    p[L.P_FLEX] = 1.0
    if sc.electrolyser is not None:
        ely = f("electrolyser.capacity_mw")
        p[L.P_ELY_MW] = ely
        p[L.P_ELY_MIN_FRAC] = f("electrolyser.min_load_frac")
        p[L.P_ELY_MWH_PER_KG] = (f("electrolyser.specific_energy_kwh_per_kg")
                                 + f("electrolyser.compression_kwh_per_kg")) / 1000.0
        p[L.P_ELY_STANDBY_MW] = f("electrolyser.standby_frac") * ely
        p[L.P_ELY_HOLD] = 1.0 if sc.electrolyser.below_min_load == "hold" else 0.0
        p[L.P_ELY_GRID] = 1.0 if sc.electrolyser.grid_draw else 0.0
        if sc.hydrogen is not None:
            tank = f("hydrogen.tank_kg")
            p[L.P_TANK_KG] = tank
            p[L.P_TANK_INIT_KG] = f("hydrogen.initial_fill_frac") * tank
    if sc.flexible_load is not None:
        p[L.P_SHIFT_MW] = f("flexible_load.max_power_mw")
        p[L.P_SHIFT_MWH] = f("flexible_load.energy_per_period_mwh")
    ev = sc.ev_fleet
    if ev is not None:
        n = f("ev_fleet.vehicles")
        p[L.P_EV_MWH] = n * ev.battery_kwh / 1000.0
        p[L.P_EV_CHARGE_MW] = n * ev.charger_kw / 1000.0
        p[L.P_EV_V2G_MW] = n * f("ev_fleet.v2g_kw") / 1000.0
        p[L.P_EV_V2G_MIN_FRAC] = ev.v2g_min_soc_frac
        p[L.P_EV_ETA] = design.resolved["ev_charge_efficiency_frac"]
        p[L.P_EV_NEED_MWH] = n * ev.energy_kwh_per_day / 1000.0
        p[L.P_EV_INIT_MWH] = ev.initial_soc_frac * p[L.P_EV_MWH]


def lifetime_params(params: np.ndarray, n_years: int, pv_degradation: np.ndarray, battery_degradation: np.ndarray,
                    storage_life_years: np.ndarray) -> np.ndarray:
    """Return the parameters of every design in every year of its life, float64[N_PARAMS, n * n_years].

    Column ``s * n_years + k`` is design ``s`` in year ``k + 1``: PV rating x (1 − d_pv)^k,
    usable storage energy (and the initial grid-pool energy) x (1 − d_bat)^j with j the
    years since the last replacement (every ``storage_life_years``, rounded).  Year 1 is the
    design's own column, bit for bit.  All years run in one call of the batch kernel, side by
    side in its blocks: a design's 25 years cost about what its one year costs.
    """
    n = params.shape[1]
    k = np.arange(n_years, dtype=np.float64)
    out = np.repeat(params, n_years, axis=1)
    step = np.maximum(np.floor(np.asarray(storage_life_years, dtype=np.float64) + 0.5), 1.0)
    pv = np.power(1.0 - np.asarray(pv_degradation, dtype=np.float64)[:, None], k[None, :]).reshape(n * n_years)
    age = np.mod(k[None, :], step[:, None])
    bat = np.power(1.0 - np.asarray(battery_degradation, dtype=np.float64)[:, None], age).reshape(n * n_years)
    out[L.P_SOLAR_MW] *= pv
    out[L.P_USABLE_MWH] *= bat
    out[L.P_INIT_GRID_MWH] *= bat
    return np.ascontiguousarray(out)


# --- the shared inputs of a scenario ------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """What every design of one scenario in one weather year shares.

    Attributes
    ----------
    scenario : Scenario
        The scenario (of its weather year).
    resolved : Resolved
        Its world numbers with their sources.
    profiles : ProfileSet
        The hourly profiles.
    inputs : KernelInputs
        Kernel inputs, with the scenario's own design as the one column of ``params``.
    hourly_factors : HourlyFactors or None
        The hourly grid emission factors of ``emissions.hourly_factors_csv``.
    weather_year : int or None
        The ensemble member (None for a single year).
    digest : str
        SHA-256 of the hourly inputs and resolved numbers (a sweep checks it on resume).
    """

    scenario: Scenario
    resolved: Resolved
    profiles: ProfileSet
    inputs: KernelInputs
    hourly_factors: HourlyFactors | None
    weather_year: Any
    digest: str

    @property
    def design(self) -> Design:
        """The scenario's own design."""
        return Design(self.resolved)


def _digest(inputs: KernelInputs, resolved: Resolved, hourly: HourlyFactors | None) -> str:
    h = hashlib.sha256()
    for arr in (inputs.cf_wind, inputs.cf_solar, inputs.load_mw, inputs.price_import, inputs.price_export,
                inputs.tou_multiplier):
        h.update(np.ascontiguousarray(arr).tobytes())
    if resolved.scenario.has_flexible:
        h.update(inputs.hourly.tobytes())
    h.update(repr(sorted(resolved.provenance().items())).encode())
    h.update(repr((resolved.tou_float, resolved.self_use_metering)).encode())
    if hourly is not None:
        h.update(np.ascontiguousarray(hourly.factor_t_co2_per_mwh).tobytes())
    return h.hexdigest()


def prepare(scenario: Scenario | Resolved, weather_year: Any = None, profiles: ProfileSet | None = None) -> Prepared:
    """Resolve a scenario and build its shared inputs for one weather year (or the given profiles).

    A scenario given resolved (as the LP reference takes one) is used as it is, with its own year.

    Raises
    ------
    ScenarioErrors
        For world numbers that are neither in the scenario nor in the data tables.
    ProfileError
        For profiles, price or factor files that cannot be used.
    """
    if isinstance(scenario, Resolved):
        resolved, sc = scenario, scenario.scenario
        prof = profiles if profiles is not None else build_profiles(sc)
    else:
        sc = member_scenario(scenario, weather_year)
        resolved = resolve(sc)
        prof = profiles if profiles is not None else build_profiles(scenario, weather_year)
    price_import, price_export = hourly_prices(resolved, prof)
    hourly = None
    if sc.emissions.hourly_factors_csv is not None:
        hourly = read_hourly_factors(sc.emissions.hourly_factors_csv, time=prof.time, timezone=sc.site.timezone)
    month_index, month_weight = billing_months(prof)
    inputs = make_inputs(prof.cf_wind, prof.cf_solar, prof.load_mw, price_import, price_export,
                         design_params(Design(resolved)), month_index=month_index, month_weight=month_weight,
                         factor=None if hourly is None else hourly.factor_t_co2_per_mwh,
                         tou_multiplier=tou_multiplier(resolved, prof),
                         hourly=flexible_hourly(sc, prof.time) if sc.has_flexible else None)
    return Prepared(sc, resolved, prof, inputs, hourly, weather_year, _digest(inputs, resolved, hourly))


# --- the kernel calls -------------------------------------------------------------------------

#: one kernel call at a time per process: the batch kernel already uses every core through
#: prange, and numba's ``workqueue`` threading layer aborts when two threads enter parallel
#: code at once (e.g. a Dask worker with several threads)
_KERNEL_LOCK = threading.Lock()


def run_totals(inputs: KernelInputs, backend_name: str | None = None) -> np.ndarray:
    """Run the dispatch of every design and return totals, float64[n_scen, N_TOTALS] (:data:`gpdc.kernels.spec.TOTAL_COLUMNS`).

    Always through the batch kernel, one design too: a design's totals are the same bit for
    bit whether it runs alone (``gpdc run``) or in any block of a sweep.  ``backend_name``
    (``"cpu"`` or ``"cuda"``) defaults to the one :func:`gpdc.backends.using` set,
    else the CPU; the GPU's totals equal the CPU's within 1e-12 relative.
    """
    name = backend_name or backends.current()
    with _KERNEL_LOCK:  # a damaged numba cache is cleared and the kernel compiled again
        return kernel_cache.call(backend.batch_totals, inputs.cf_wind, inputs.cf_solar, inputs.load_mw,
                                 inputs.price_import, inputs.price_export, inputs.factor, inputs.month_index,
                                 inputs.hourly, inputs.dt_h, inputs.params, name)


def run_trace(inputs: KernelInputs, design: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Run one design with hourly traces.

    Returns
    -------
    totals : float64[N_TOTALS]
        Bit for bit what :func:`run_totals` gives for this design.
    trace : float64[n_hours, N_TRACE]
        Hourly flows [MWh per step] and pool energies at the end of each step [MWh], columns
        :data:`gpdc.kernels.spec.TRACE_NAMES`.
    """
    with _KERNEL_LOCK:
        return kernel_cache.call(backend.trace, inputs.cf_wind, inputs.cf_solar, inputs.load_mw, inputs.price_import,
                                 inputs.price_export, inputs.factor, inputs.month_index, inputs.hourly, inputs.dt_h,
                                 np.ascontiguousarray(inputs.params[:, design]))
