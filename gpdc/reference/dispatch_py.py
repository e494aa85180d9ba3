"""Reference implementations of the hourly dispatch, written for clarity.

Both functions follow ``docs/dispatch.md`` ("The hourly dispatch — exact rules") line by
line; the comments cite its steps.  They are independent of the numba kernels in
``gpdc.kernels.dispatch`` and exist so that the tests can hold the kernels against them.

* :func:`dispatch_python` — one scenario, a plain Python loop over Python floats; returns
  the year's totals and the hourly traces.
* :func:`dispatch_numpy` — many scenarios at once, a Python loop over the hours whose every
  step is a few NumPy vector operations over the scenarios; returns the totals only.  This
  is the "pure-NumPy reference" that the benchmarks time.

Both perform the same floating-point operations in the same order, so for the same inputs
they agree to the last bit (the tests still only ask for 1e-9 relative).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from gpdc.errors import ProfileError, ScenarioError
from gpdc.kernels import layout as L
from gpdc.kernels import spec

__all__ = ["dispatch_numpy", "dispatch_python", "lookahead_floors", "params_array", "params_dict"]

ArrayLike1D = Sequence[float] | npt.NDArray[np.floating]

# Defaults for :func:`params_dict` come from the kernel specification: 100 MW wind + 100 MW
# PV, a line, an export connection and an import contract far larger than anything the plants
# or a test load reach, no storage, no line loss, export cap 1 (never binds), running rule, no
# grid charging, no peak shaving.
_DEFAULT_PARAMS: dict[str, float] = {p.name: p.reference_default for p in spec.PARAMS}


# ---------------------------------------------------------------------------------------
# parameter helpers
# ---------------------------------------------------------------------------------------


def params_dict(**overrides: float | str) -> dict[str, float]:
    """Return a complete parameter dict with test-friendly defaults.

    The defaults describe 100 MW of wind and 100 MW of PV behind a line, an export
    connection and an import contract of 1e6 MW each (never binding), no line loss, no
    storage (all storage ratings 0, efficiencies 1), export cap 1 under the running rule
    (never binding) and no grid charging.

    Parameters
    ----------
    **overrides : float or str
        Values replacing the defaults, keyed by the names in
        ``gpdc.kernels.layout.PARAM_NAMES``.  ``export_rule`` may also be given as
        ``"running"`` or ``"budget"``.  Units as in ``gpdc.kernels.layout`` [-].

    Returns
    -------
    dict[str, float]
        One value per name in ``PARAM_NAMES``, in that order [-].

    Raises
    ------
    ScenarioError
        If an override names no parameter, or ``export_rule`` is an unknown word.
    """
    params = dict(_DEFAULT_PARAMS)
    for name, value in overrides.items():
        if name not in params:
            raise ScenarioError(name, value, f"must be one of {', '.join(L.PARAM_NAMES)}")
        if name == "export_rule" and isinstance(value, str):
            if value not in L.EXPORT_RULE_NAMES:
                raise ScenarioError(name, value, "must be 'running' or 'budget' (or 0 / 1)")
            value = L.EXPORT_RULE_NAMES[value]
        params[name] = float(value)
    return params


def _checked_params(params: Mapping[str, float]) -> dict[str, float]:
    """Return ``params`` as floats after checking it names exactly ``PARAM_NAMES``."""
    missing = [n for n in L.PARAM_NAMES if n not in params]
    unknown = [n for n in params if n not in L.PARAM_NAMES]
    if missing:
        raise ScenarioError(missing[0], None, "is required (missing from the parameter dict)")
    if unknown:
        raise ScenarioError(unknown[0], params[unknown[0]], "is not a dispatch parameter")
    return {n: float(params[n]) for n in L.PARAM_NAMES}


def params_array(dicts: Sequence[Mapping[str, float]]) -> npt.NDArray[np.float64]:
    """Stack parameter dicts into the kernels' parameter array.

    Parameters
    ----------
    dicts : sequence of mapping of str to float
        One complete parameter dict per scenario, keyed by ``PARAM_NAMES`` (e.g. from
        :func:`params_dict`) [-].

    Returns
    -------
    numpy.ndarray
        float64 array of shape ``(N_PARAMS, n_scen)``; row ``P_*`` holds that parameter
        of every scenario [-].

    Raises
    ------
    ScenarioError
        If a dict lacks a parameter or names an unknown one.
    """
    checked = [_checked_params(d) for d in dicts]
    out = np.empty((L.N_PARAMS, len(checked)), dtype=np.float64)
    for s, d in enumerate(checked):
        for row, name in enumerate(L.PARAM_NAMES):
            out[row, s] = d[name]
    return out


def _profiles(
    cf_wind: ArrayLike1D,
    cf_solar: ArrayLike1D,
    load_mw: ArrayLike1D,
    price_import: ArrayLike1D,
    price_export: ArrayLike1D,
) -> tuple[list[float], list[float], list[float], list[float], list[float]]:
    """Return the five hourly profiles as lists of Python floats of one common length."""
    named = {
        "cf_wind": cf_wind,
        "cf_solar": cf_solar,
        "load_mw": load_mw,
        "price_import": price_import,
        "price_export": price_export,
    }
    for name, v in named.items():
        if np.ndim(v) != 1:
            raise ProfileError(f"{name} must be one-dimensional, got shape {np.shape(v)}")
    lists = {name: [float(x) for x in v] for name, v in named.items()}
    n_hours = len(lists["cf_wind"])
    for name, values in lists.items():
        if len(values) != n_hours:
            raise ProfileError(
                f"{name} has {len(values)} steps but cf_wind has {n_hours}; "
                "all hourly profiles must have the same length"
            )
    return (
        lists["cf_wind"],
        lists["cf_solar"],
        lists["load_mw"],
        lists["price_import"],
        lists["price_export"],
    )


def _factor_and_months(
    factor: ArrayLike1D | None, month_index: Sequence[int] | npt.NDArray[np.integer] | None, n_hours: int,
) -> tuple[list[float], list[int]]:
    """The hourly emission factor (default 0) and billing month (default 0) of each step as lists."""
    fac = [0.0] * n_hours if factor is None else [float(x) for x in factor]
    month = [0] * n_hours if month_index is None else [int(m) for m in month_index]
    if len(fac) != n_hours or len(month) != n_hours:
        raise ProfileError(f"factor has {len(fac)} and month_index {len(month)} steps; the profiles have {n_hours}")
    if any(not 0 <= m <= 11 for m in month):
        raise ProfileError("month_index must hold billing months 0-11")
    return fac, month


def _hourly_lists(hourly: npt.ArrayLike | None, n_hours: int) -> dict[str, list[float]]:
    """The flexible elements' hourly inputs (float[n_hours, N_HOURLY] or None: zeros) as lists by name."""
    if hourly is None:
        return {name: [0.0] * n_hours for name in spec.HOURLY_NAMES}
    arr = np.asarray(hourly, dtype=np.float64)
    if arr.shape != (n_hours, len(spec.HOURLY_NAMES)):
        raise ProfileError(f"hourly has shape {arr.shape}; expected ({n_hours}, {len(spec.HOURLY_NAMES)})")
    return {name: [float(x) for x in arr[:, k]] for k, name in enumerate(spec.HOURLY_NAMES)}


def _check_dt(dt_h: float) -> float:
    dt = float(dt_h)
    if not dt > 0.0:
        raise ScenarioError("dt_h", dt_h, "must be > 0 [h]")
    return dt


# ---------------------------------------------------------------------------------------
# the flexible elements of one scenario, plain Python
# ---------------------------------------------------------------------------------------


class FlexibleElements:
    """Electrolyser with hydrogen store and offtake, shiftable load and EV fleet, step 0 of docs/dispatch.md.

    Holds their state (hydrogen in store [kg], whether the electrolyser ran, shiftable energy
    owed [MWh], energy in the fleet [MWh]); :meth:`before_storage` runs step 0 of one step and
    returns what steps 1-4 of the dispatch take from it and the flows it adds.
    """

    def __init__(self, p: Mapping[str, float], dt: float) -> None:
        self.p = dict(p)
        self.dt = dt
        self.tank = p["tank_init_kg"]
        self.was_on = False
        self.rem = 0.0
        self.ev = p["ev_init_mwh"]

    def before_storage(self, t: int, hx: Mapping[str, list[float]], surplus: float, deficit: float, green: float,
                       grid: float, gc: bool, keep_e: float, cap_import_e: float, discharge_e: float,
                       eta_discharge: float, import_e: float) -> dict[str, float]:
        """Step 0 for step ``t``: the flexible consumers' take, and what storage, V2G and the grid give [MWh, kg]."""
        p, dt = self.p, self.dt
        # 0a. shiftable load: the window's energy, what may run and what must (latest start)
        sh_e = p["shift_mw"] * dt
        if hx["shift_start"][t] > 0.5:
            self.rem = p["shift_mwh"]
        can_f = min(sh_e, self.rem) if hx["shift_allowed"][t] > 0.5 else 0.0
        must_f = min(can_f, max(0.0, self.rem - hx["shift_after"][t] * sh_e))
        # 0a. fleet: departure takes the day's driving energy; what the next departure needs
        need_day, eta_v = p["ev_need_mwh"], p["ev_eta"]
        ev_short = 0.0
        if hx["ev_depart"][t] > 0.5:
            ev_short = max(0.0, need_day - self.ev)
            self.ev = max(0.0, self.ev - need_day)
        plugged = hx["ev_plugged"][t] > 0.5
        charger = p["ev_charge_mw"] * dt if plugged else 0.0
        can_v = max(0.0, min(charger, (p["ev_mwh"] - self.ev) / eta_v))
        must_v = min(can_v, max(0.0, (need_day - self.ev) / eta_v - hx["ev_after"][t] * charger))
        # 0b. green surplus: what must run, then what may
        green_f = min(surplus, must_f)
        surplus -= green_f
        green_v = min(surplus, must_v)
        surplus -= green_v
        extra_f = min(surplus, can_f - must_f)
        surplus -= extra_f
        extra_v = min(surplus, can_v - must_v)
        surplus -= extra_v
        short_f, short_v = must_f - green_f, must_v - green_v
        # 0c. storage for the load's deficit and the firm flexible demand (strategy rule), V2G, the grid
        deliverable = min(discharge_e, (green + grid) * eta_discharge)
        hold_back = cap_import_e if gc else keep_e
        dis_others = max(0.0, min(max(0.0, deficit + short_f + short_v - hold_back), deliverable))
        to_load = min(dis_others, deficit)
        to_f = min(dis_others - to_load, short_f)
        to_v = max(0.0, min(dis_others - to_load - to_f, short_v))
        dis_others = to_load + to_f + to_v
        floor = max(need_day, p["ev_v2g_min_frac"] * p["ev_mwh"])
        v2g_cap = p["ev_v2g_mw"] * dt if plugged else 0.0
        v2g = max(0.0, min(deficit - to_load, v2g_cap, (self.ev - floor) * eta_v))
        need = deficit - to_load - v2g
        imp_l = min(need, import_e)
        uns_l = need - imp_l
        imp_f = max(0.0, min(short_f - to_f, import_e - imp_l))
        imp_v = max(0.0, min(short_v - to_v, import_e - imp_l - imp_f))
        spare_dis = deliverable - dis_others
        spare_imp = import_e - imp_l - imp_f - imp_v
        # 0d. electrolyser
        ely_e = p["ely_mw"] * dt
        e_min = p["ely_min_frac"] * ely_e
        mpk = p["ely_mwh_per_kg"]
        demand = hx["offtake_kg"][t]
        e_cap = min(ely_e, (p["tank_kg"] - self.tank + demand) * mpk)
        can_run = e_cap > 0.0 and e_cap >= e_min
        e_firm = 0.0
        if can_run:
            rescue = min(e_cap, max(0.0, demand - self.tank) * mpk)
            e_firm = max(rescue, e_min if p["ely_hold"] == 1.0 else 0.0)
            if e_firm > 0.0:
                e_firm = max(e_firm, e_min)
        e_green = min(surplus, e_cap) if can_run else 0.0
        topup_avail = spare_dis + (spare_imp if p["ely_grid"] == 1.0 else 0.0)
        topup = min(max(0.0, e_firm - e_green), topup_avail)
        e = e_green + topup
        if not (e > 1e-9 * ely_e and e >= e_min):  # never below the minimum load (nor a crumb): off
            e = e_green = topup = 0.0
        e_dis = min(topup, spare_dis)
        e_imp = topup - e_dis
        surplus -= e_green
        sb = p["ely_standby_mw"] * dt if e == 0.0 else 0.0
        sb_green = min(surplus, sb)
        surplus -= sb_green
        sb_dis = max(0.0, min(sb - sb_green, spare_dis - e_dis))
        sb_imp = max(0.0, min(sb - sb_green - sb_dis, spare_imp - e_imp))
        h2 = e / mpk if mpk > 0.0 else 0.0
        delivered = min(demand, self.tank + h2)
        self.tank = self.tank + h2 - delivered
        start = 1.0 if (e > 0.0 and not self.was_on) else 0.0
        self.was_on = e > 0.0
        # 0e. the shiftable load's and the fleet's new state
        served_f = green_f + extra_f + to_f + imp_f
        self.rem -= served_f
        shifted = max(0.0, served_f - hx["shift_base"][t] * p["shift_mwh"])
        unserved_f = max(0.0, self.rem) if hx["shift_end"][t] > 0.5 else 0.0
        self.rem -= unserved_f
        served_v = green_v + extra_v + to_v + imp_v
        self.ev = self.ev + served_v * eta_v - v2g / eta_v
        return {
            "surplus": surplus,
            "direct": green_f + green_v + extra_f + extra_v + e_green + sb_green,
            "discharge": dis_others + e_dis + sb_dis,
            "need": need,
            "import": imp_l + imp_f + imp_v + e_imp + sb_imp,
            "unserved": uns_l + (sb - sb_green - sb_dis - sb_imp),
            "ely_green": e_green + sb_green,
            "ely_grid": e_imp + sb_imp,
            "ely_from_storage": e_dis + sb_dis,
            "electrolyser_mwh": e + sb,
            "electrolyser_standby_mwh": sb,
            "electrolyser_starts": start,
            "hydrogen_produced_kg": h2,
            "hydrogen_offtake_kg": delivered,
            "hydrogen_unmet_kg": demand - delivered,
            "hydrogen_tank_kg": self.tank,
            "flexible_load_mwh": served_f,
            "flexible_load_shifted_mwh": shifted,
            "flexible_load_unserved_mwh": unserved_f,
            "ev_charge_mwh": served_v,
            "v2g_discharge_mwh": v2g,
            "ev_unserved_mwh": ev_short,
            "ev_energy_mwh": self.ev,
        }


# ---------------------------------------------------------------------------------------
# one scenario, plain Python
# ---------------------------------------------------------------------------------------


def lookahead_floors(
    t0: int,
    cfw: Sequence[float],
    cfs: Sequence[float],
    load: Sequence[float],
    p_imp: Sequence[float],
    p: Mapping[str, float],
    dt: float,
) -> list[float]:
    """The lookahead's discharge floors [MWh] of each step of the day that starts at step ``t0`` (docs/dispatch.md).

    Forecast of each horizon step k (``round(lookahead_h / dt)`` steps, within the data): the
    pool energy a deficit step would draw, need = min(max(deficit - target, 0), P_dis dt) / η_d,
    and a surplus step would add, chg = min(surplus, P_ch dt) η_c; perfect: step t0 + k;
    persistence: step t0 - day + (k mod day) (none on the first day: floors 0).  For each price
    level ℓ of the day: R = 0 after the last horizon step dearer than ℓ, then backwards
    R = min(max(R + (need - chg if price > ℓ else -chg), 0), usable); the floor of a day step priced ℓ is R after it.
    """
    n = len(cfw)
    day = max(1, int(np.floor(24.0 / dt + 0.5)))
    hs = max(0, int(np.floor(p["lookahead_h"] / dt + 0.5)))
    day_len = min(day, n - t0)
    kmax = min(hs, n - t0)
    persistence = p["lookahead_forecast"] > 0.5
    need: list[float] = []
    chg: list[float] = []
    for k in range(kmax):
        if persistence and t0 < day:  # no yesterday yet
            need.append(0.0)
            chg.append(0.0)
            continue
        src = t0 - day + k % day if persistence else t0 + k
        gen = (p["wind_mw"] * cfw[src] + p["solar_mw"] * cfs[src]) * dt
        line_in = min(gen, p["line_mw"] * dt)
        arrive = line_in - line_in * p["line_loss_frac"]
        load_e = load[src] * dt
        direct = min(arrive, load_e)
        to_cover = max(0.0, load_e - direct - p["import_target_mw"] * dt)
        chg.append(min(arrive - direct, p["charge_mw"] * dt) * p["eta_charge"])
        need.append(min(to_cover, p["discharge_mw"] * dt) * (1.0 / p["eta_discharge"]))
    floors = [0.0] * day_len
    levels: list[float] = []
    for k in range(day_len):
        if p_imp[t0 + k] not in levels:
            levels.append(p_imp[t0 + k])
    for lv in levels:
        dear = [k for k in range(kmax) if p_imp[t0 + k] > lv]
        if not dear:
            continue
        r = 0.0
        for k in range(dear[-1], -1, -1):
            if k < day_len and p_imp[t0 + k] == lv:
                floors[k] = r
            r = min(max(r + ((need[k] - chg[k]) if p_imp[t0 + k] > lv else 0.0 - chg[k]), 0.0), p["usable_mwh"])
    return floors


def dispatch_python(
    cf_wind: ArrayLike1D,
    cf_solar: ArrayLike1D,
    load_mw: ArrayLike1D,
    price_import: ArrayLike1D,
    price_export: ArrayLike1D,
    params: Mapping[str, float],
    dt_h: float = 1.0,
    *,
    factor: ArrayLike1D | None = None,
    month_index: Sequence[int] | npt.NDArray[np.integer] | None = None,
    hourly: npt.ArrayLike | None = None,
) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Dispatch one scenario hour by hour in plain Python (docs/dispatch.md).

    Parameters
    ----------
    cf_wind : sequence of float
        Wind capacity factor of each step, 0–1 [-].
    cf_solar : sequence of float
        PV capacity factor of each step, 0–1 [-].
    load_mw : sequence of float
        Mean load in each step [MW].
    price_import : sequence of float
        Price of energy drawn from the grid in each step [yuan/MWh].
    price_export : sequence of float
        Price paid for energy fed into the grid in each step [yuan/MWh].
    params : mapping of str to float
        One value per name in ``gpdc.kernels.layout.PARAM_NAMES`` (``export_rule``
        0 = running, 1 = budget; ``grid_charge`` 0 / 1); units as in that module [-].
    dt_h : float, optional
        Length of a step, default 1 [h].
    factor : sequence of float, optional
        Hourly grid emission factor [t CO2/MWh]; default 0 (``import_co2_t`` is then 0).
    month_index : sequence of int, optional
        Billing month 0-11 of each step; default all 0.
    hourly : array_like, optional
        The flexible elements' hourly inputs, float[n_hours, N_HOURLY], columns
        ``gpdc.kernels.spec.HOURLY_NAMES`` (offtake [kg per step], windows [1]); default zeros.

    Returns
    -------
    totals : dict[str, float]
        The year's totals keyed by ``gpdc.kernels.spec.TOTAL_COLUMNS`` (energies [MWh],
        monthly peak import [MW], cost and revenue [yuan], import x factor [t CO2],
        self-supply steps counted as steps) [-].
    traces : dict[str, list[float]]
        Per-step values keyed by ``TRACE_NAMES``, each a list of ``n_hours`` floats; the
        two storage traces are the pool energies at the END of each step [MWh].

    Raises
    ------
    ProfileError
        If the profiles are not one-dimensional or differ in length.
    ScenarioError
        If ``params`` lacks a parameter or names an unknown one, or ``dt_h <= 0``.
    """
    cfw, cfs, load, p_imp, p_exp = _profiles(cf_wind, cf_solar, load_mw, price_import,
                                             price_export)
    p = _checked_params(params)
    dt = _check_dt(dt_h)
    n_hours = len(cfw)
    fac, month = _factor_and_months(factor, month_index, n_hours)
    hx = _hourly_lists(hourly, n_hours)
    flex = FlexibleElements(p, dt) if p["flex"] == 1.0 else None
    if flex is None:  # no flexible element: their parameters do not count
        p = {**p, **{q.name: 0.0 for q in spec.PARAMS if q.flex and q.name not in ("flex", "ev_eta")}}
    # the lookahead strategy (not with flexible elements: their rule decides the discharge)
    lookahead = p["lookahead"] > 0.5 and flex is None
    day = max(1, int(np.floor(24.0 / dt + 0.5)))
    floors: list[float] = []
    t0 = 0

    wind_mw = p["wind_mw"]
    solar_mw = p["solar_mw"]
    line_mw = p["line_mw"]
    line_loss_frac = p["line_loss_frac"]
    charge_mw = p["charge_mw"]
    discharge_mw = p["discharge_mw"]
    usable_mwh = p["usable_mwh"]
    eta_charge = p["eta_charge"]
    eta_discharge = p["eta_discharge"]
    export_mw = p["export_mw"]
    export_cap_frac = p["export_cap_frac"]
    budget_rule = p["export_rule"] == float(L.EXPORT_RULE_BUDGET)
    import_mw = p["import_mw"]
    grid_charge = p["grid_charge"]
    grid_charge_price = p["grid_charge_price_yuan_per_mwh"]
    # peak shaving: storage covers only the deficit above the target; 0 = off (covers it all)
    keep_e = p["import_target_mw"] * dt
    cap_import_e = min(keep_e, import_mw * dt) if keep_e > 0.0 else import_mw * dt

    # CW_tot, CS_tot: dt x the sum of all capacity factors (for the budget rule).
    sum_cf_wind_all = 0.0
    sum_cf_solar_all = 0.0
    for t in range(n_hours):
        sum_cf_wind_all += cfw[t]
        sum_cf_solar_all += cfs[t]
    cw_tot = dt * sum_cf_wind_all
    cs_tot = dt * sum_cf_solar_all

    # state
    green = p["init_green_mwh"]  # usable energy in the green pool [MWh]
    grid = p["init_grid_mwh"]  # usable energy in the grid pool [MWh]
    cum_export = 0.0
    sum_cf_wind = 0.0  # running sums, this hour included
    sum_cf_solar = 0.0

    # accumulators (ordinary, in hour order)
    tot_direct = 0.0
    tot_ch_green = 0.0
    tot_ch_grid = 0.0
    tot_dis_green = 0.0
    tot_dis_grid = 0.0
    tot_export = 0.0
    tot_import = 0.0
    tot_curt_line = 0.0
    tot_curt_bus = 0.0
    tot_curt_cap = 0.0
    tot_unserved = 0.0
    unserved_cost = 0.0
    peak_by_month = [0.0] * 12
    import_co2 = 0.0
    import_cost = 0.0
    export_revenue = 0.0
    self_supply_steps = 0.0
    fx_tot = {name: 0.0 for name in spec.FLEX_TOTALS if "month" not in name and not name.endswith("end_kg")
              and not name.endswith("end_mwh")}
    fx_month = {name: [0.0] * 12 for name in ("electrolyser_grid_month_mwh", "export_month_mwh",
                                              "hydrogen_produced_month_kg")}

    traces: dict[str, list[float]] = {name: [] for name in L.TRACE_NAMES}

    for t in range(n_hours):
        if lookahead and t % day == 0:  # the day's floors, planned at its start
            t0 = t
            floors = lookahead_floors(t0, cfw, cfs, load, p_imp, p, dt)
        # CW_t, CS_t (running sums, this hour included)
        sum_cf_wind += cfw[t]
        sum_cf_solar += cfs[t]
        cw_t = dt * sum_cf_wind
        cs_t = dt * sum_cf_solar

        # --- preamble of "One step" ---
        gen = (wind_mw * cfw[t] + solar_mw * cfs[t]) * dt  # available generation
        line_in = min(gen, line_mw * dt)
        curt_line = gen - line_in  # curtailed by the line
        loss = line_in * line_loss_frac
        arrive = line_in - loss
        load_e = load[t] * dt
        direct = min(arrive, load_e)
        surplus = arrive - direct
        deficit = load_e - direct
        gc = grid_charge == 1.0 and p_imp[t] <= grid_charge_price  # grid-charging hour

        # --- 0. the flexible elements ("Flexible elements" of docs/dispatch.md) ---
        fx: dict[str, float] = {}
        if flex is not None:
            fx = flex.before_storage(t, hx, surplus, deficit, green, grid, gc, keep_e, cap_import_e,
                                     discharge_mw * dt, eta_discharge, import_mw * dt)
            surplus = fx["surplus"]

        # --- 1. storage takes green surplus first ---
        ch_green = max(0.0, min(surplus, charge_mw * dt,
                                (usable_mwh - green - grid) / eta_charge))
        green += ch_green * eta_charge
        rest = surplus - ch_green

        # --- 2. then the grid takes what the connection and the export cap allow ---
        if budget_rule:
            ref = wind_mw * cw_tot + solar_mw * cs_tot
        else:
            ref = wind_mw * cw_t + solar_mw * cs_t
        allow = max(0.0, export_cap_frac * ref - cum_export)
        exp_phys = min(rest, export_mw * dt)
        export = min(exp_phys, allow)
        cum_export += export
        curt_cap = exp_phys - export  # curtailed only because of the export-share cap
        curt_bus = rest - export  # all curtailment at the user bus (includes curt_cap)

        # --- 3. storage serves the deficit (in grid-charging hours only what import cannot,
        #        otherwise the part above the peak-shaving target, all of it without one) ---
        if gc:
            to_cover = max(0.0, deficit - cap_import_e)
        else:
            to_cover = max(0.0, deficit - keep_e)
        if lookahead:  # down to the floor kept for dearer steps ahead
            dis = max(0.0, min(to_cover, discharge_mw * dt, (green + grid - floors[t - t0]) * eta_discharge))
        else:
            dis = max(0.0, min(to_cover, discharge_mw * dt, (green + grid) * eta_discharge))
        if flex is not None:
            dis = fx["discharge"]
        pool = green + grid
        share = green / pool if pool > 0.0 else 0.0
        w = dis / eta_discharge  # energy leaving the pools
        green = max(green - w * share, 0.0)  # each clamped at >= 0
        grid = max(grid - w * (1.0 - share), 0.0)
        dis_green = dis * share
        dis_grid = dis - dis_green

        # --- 4. the grid serves the rest, up to the contracted import ---
        need = deficit - dis
        imp_load = min(need, import_mw * dt)
        unserved = need - imp_load
        if flex is not None:
            need, imp_load, unserved = fx["need"], fx["import"], fx["unserved"]

        # --- 5. grid charging, with what charge power and import remain ---
        if gc:
            ch_grid = max(0.0, min(charge_mw * dt - ch_green,
                                   (usable_mwh - green - grid) / eta_charge,
                                   cap_import_e - imp_load))
        else:
            ch_grid = 0.0
        grid += ch_grid * eta_charge
        imp = imp_load + ch_grid
        if flex is not None:  # green used at once by every consumer; the electrolyser's green and grid parts
            direct = fx["direct"] + direct
            fx["electrolyser_green_mwh"] = fx["ely_green"] + fx["ely_from_storage"] * share
            fx["electrolyser_grid_mwh"] = fx["ely_grid"] + fx["ely_from_storage"] * (1.0 - share)
            for name in fx_tot:
                if name in fx:
                    fx_tot[name] += fx[name]
            fx_tot["electrolyser_grid_cost_yuan"] += fx["electrolyser_grid_mwh"] * p_imp[t]
            fx_tot["electrolyser_grid_co2_t"] += fx["electrolyser_grid_mwh"] * fac[t]
            fx_month["electrolyser_grid_month_mwh"][month[t]] += fx["electrolyser_grid_mwh"]
            fx_month["export_month_mwh"][month[t]] += export
            fx_month["hydrogen_produced_month_kg"][month[t]] += fx["hydrogen_produced_kg"]

        # --- sums over the year ---
        tot_direct += direct
        tot_ch_green += ch_green
        tot_ch_grid += ch_grid
        tot_dis_green += dis_green
        tot_dis_grid += dis_grid
        tot_export += export
        tot_import += imp
        tot_curt_line += curt_line
        tot_curt_bus += curt_bus
        tot_curt_cap += curt_cap
        tot_unserved += unserved
        unserved_cost += unserved * p_imp[t]
        import_cost += imp * p_imp[t]
        export_revenue += export * p_exp[t]
        import_co2 += imp * fac[t]
        peak_by_month[month[t]] = max(peak_by_month[month[t]], imp / dt)
        if need == 0.0:  # self-supply step: the load entirely served by green energy
            self_supply_steps += 1.0

        # --- hourly traces (pools at the END of the hour) ---
        traces["gen_avail_mwh"].append(gen)
        traces["curtail_line_mwh"].append(curt_line)
        traces["line_loss_mwh"].append(loss)
        traces["direct_mwh"].append(direct)
        traces["charge_green_mwh"].append(ch_green)
        traces["charge_grid_mwh"].append(ch_grid)
        traces["discharge_green_mwh"].append(dis_green)
        traces["discharge_grid_mwh"].append(dis_grid)
        traces["export_mwh"].append(export)
        traces["import_mwh"].append(imp)
        traces["curtail_bus_mwh"].append(curt_bus)
        traces["unserved_mwh"].append(unserved)
        traces["storage_green_mwh"].append(green)
        traces["storage_grid_mwh"].append(grid)
        for name in spec.FLEX_TRACES:
            traces[name].append(fx.get(name, 0.0))

    totals = {
        "direct_mwh": tot_direct,
        "charge_green_mwh": tot_ch_green,
        "charge_grid_mwh": tot_ch_grid,
        "discharge_green_mwh": tot_dis_green,
        "discharge_grid_mwh": tot_dis_grid,
        "export_mwh": tot_export,
        "import_mwh": tot_import,
        "curtail_line_mwh": tot_curt_line,
        "curtail_bus_mwh": tot_curt_bus,
        "curtail_export_cap_mwh": tot_curt_cap,
        "unserved_mwh": tot_unserved,
        "import_cost_yuan": import_cost,
        "export_revenue_yuan": export_revenue,
        "self_supply_steps": self_supply_steps,
        "unserved_cost_yuan": unserved_cost,
        "import_co2_t": import_co2,
        "storage_green_end_mwh": green,
        "storage_grid_end_mwh": grid,
        **{f"peak_import_month_mw[{m + 1}]": peak_by_month[m] for m in range(12)},
        **fx_tot,
        "hydrogen_tank_end_kg": flex.tank if flex is not None else p["tank_init_kg"],
        "ev_energy_end_mwh": flex.ev if flex is not None else p["ev_init_mwh"],
        **{f"{name}[{m + 1}]": v[m] for name, v in fx_month.items() for m in range(12)},
    }
    return {name: totals[name] for name in spec.TOTAL_COLUMNS}, traces


# ---------------------------------------------------------------------------------------
# many scenarios, NumPy vectors over the scenarios
# ---------------------------------------------------------------------------------------


def dispatch_numpy(
    cf_wind: ArrayLike1D,
    cf_solar: ArrayLike1D,
    load_mw: ArrayLike1D,
    price_import: ArrayLike1D,
    price_export: ArrayLike1D,
    params: npt.NDArray[np.float64],
    dt_h: float = 1.0,
    *,
    factor: ArrayLike1D | None = None,
    month_index: Sequence[int] | npt.NDArray[np.integer] | None = None,
) -> npt.NDArray[np.float64]:
    """Dispatch many scenarios at once, vectorised over the scenarios (docs/dispatch.md).

    Parameters
    ----------
    cf_wind : array_like of float
        Wind capacity factor of each step, shared by all scenarios, 0–1 [-].
    cf_solar : array_like of float
        PV capacity factor of each step, shared by all scenarios, 0–1 [-].
    load_mw : array_like of float
        Mean load in each step [MW].
    price_import : array_like of float
        Price of energy drawn from the grid in each step [yuan/MWh].
    price_export : array_like of float
        Price paid for energy fed into the grid in each step [yuan/MWh].
    params : numpy.ndarray
        float64 array of shape ``(N_PARAMS, n_scen)``, rows ``P_*`` of
        ``gpdc.kernels.layout`` (e.g. from :func:`params_array`); units as there [-].
    dt_h : float, optional
        Length of a step, default 1 [h].
    factor, month_index : optional
        As in :func:`dispatch_python`.

    Returns
    -------
    numpy.ndarray
        float64 totals of shape ``(n_scen, N_TOTALS)``, columns as
        ``gpdc.kernels.spec.TOTAL_COLUMNS`` [-].

    Raises
    ------
    ProfileError
        If the profiles are not one-dimensional or differ in length.
    ScenarioError
        If ``params`` does not have shape ``(N_PARAMS, n_scen)``, or ``dt_h <= 0``.
    """
    cfw, cfs, load, p_imp, p_exp = _profiles(cf_wind, cf_solar, load_mw, price_import,
                                             price_export)
    dt = _check_dt(dt_h)
    prm = np.asarray(params, dtype=np.float64)
    if prm.ndim != 2 or prm.shape[0] != L.N_PARAMS:
        raise ScenarioError("params", f"array of shape {prm.shape}",
                            f"must have shape (N_PARAMS={L.N_PARAMS}, n_scen)")
    n_hours = len(cfw)
    n_scen = prm.shape[1]
    fac, month = _factor_and_months(factor, month_index, n_hours)
    if (prm[L.P_FLEX] != 0.0).any():
        raise ScenarioError("flex", 1.0, "dispatch_numpy has no flexible elements: use dispatch_python")
    if (prm[L.P_LOOKAHEAD] != 0.0).any():
        raise ScenarioError("lookahead", 1.0, "dispatch_numpy has no lookahead strategy: use dispatch_python")

    wind_mw = prm[L.P_WIND_MW]
    solar_mw = prm[L.P_SOLAR_MW]
    line_e = prm[L.P_LINE_MW] * dt
    line_loss_frac = prm[L.P_LINE_LOSS_FRAC]
    charge_e = prm[L.P_CHARGE_MW] * dt
    discharge_e = prm[L.P_DISCHARGE_MW] * dt
    usable_mwh = prm[L.P_USABLE_MWH]
    eta_charge = prm[L.P_ETA_CHARGE]
    eta_discharge = prm[L.P_ETA_DISCHARGE]
    export_e = prm[L.P_EXPORT_MW] * dt
    export_cap_frac = prm[L.P_EXPORT_CAP_FRAC]
    budget_rule = prm[L.P_EXPORT_RULE] == float(L.EXPORT_RULE_BUDGET)
    import_e = prm[L.P_IMPORT_MW] * dt
    grid_charge_on = prm[L.P_GRID_CHARGE] == 1.0
    grid_charge_price = prm[L.P_GRID_CHARGE_PRICE]
    keep_e = prm[L.P_IMPORT_TARGET_MW] * dt
    cap_import_e = np.where(keep_e > 0.0, np.minimum(keep_e, import_e), import_e)

    # CW_tot, CS_tot and the budget-rule reference (same summation order as the loop)
    sum_cf_wind_all = 0.0
    sum_cf_solar_all = 0.0
    for t in range(n_hours):
        sum_cf_wind_all += cfw[t]
        sum_cf_solar_all += cfs[t]
    ref_budget = wind_mw * (dt * sum_cf_wind_all) + solar_mw * (dt * sum_cf_solar_all)

    green = prm[L.P_INIT_GREEN_MWH].copy()
    grid = prm[L.P_INIT_GRID_MWH].copy()
    cum_export = np.zeros(n_scen)
    zeros = np.zeros(n_scen)
    tot = {name: np.zeros(n_scen) for name in (t.name for t in spec.SUMS)}
    peak = np.zeros((12, n_scen))
    sum_cf_wind = 0.0
    sum_cf_solar = 0.0

    for t in range(n_hours):
        sum_cf_wind += cfw[t]
        sum_cf_solar += cfs[t]

        # preamble
        gen = (wind_mw * cfw[t] + solar_mw * cfs[t]) * dt
        line_in = np.minimum(gen, line_e)
        curt_line = gen - line_in
        arrive = line_in - line_in * line_loss_frac
        load_e = load[t] * dt
        direct = np.minimum(arrive, load_e)
        surplus = arrive - direct
        deficit = load_e - direct
        gc = grid_charge_on & (p_imp[t] <= grid_charge_price)

        # 1. storage takes green surplus first
        room = (usable_mwh - green - grid) / eta_charge
        ch_green = np.maximum(0.0, np.minimum(np.minimum(surplus, charge_e), room))
        green = green + ch_green * eta_charge
        rest = surplus - ch_green

        # 2. export under the connection limit and the cap
        ref_running = wind_mw * (dt * sum_cf_wind) + solar_mw * (dt * sum_cf_solar)
        ref = np.where(budget_rule, ref_budget, ref_running)
        allow = np.maximum(0.0, export_cap_frac * ref - cum_export)
        exp_phys = np.minimum(rest, export_e)
        export = np.minimum(exp_phys, allow)
        cum_export = cum_export + export
        curt_cap = exp_phys - export
        curt_bus = rest - export

        # 3. storage serves the deficit (in grid-charging hours only what import cannot)
        to_cover = np.maximum(0.0, deficit - np.where(gc, cap_import_e, keep_e))
        dis = np.maximum(
            0.0, np.minimum(np.minimum(to_cover, discharge_e), (green + grid) * eta_discharge)
        )
        pool = green + grid
        share = np.divide(green, pool, out=zeros.copy(), where=pool > 0.0)
        w = dis / eta_discharge
        green = np.maximum(green - w * share, 0.0)
        grid = np.maximum(grid - w * (1.0 - share), 0.0)
        dis_green = dis * share
        dis_grid = dis - dis_green

        # 4. the grid serves the rest, up to the contracted import
        need = deficit - dis
        imp_load = np.minimum(need, import_e)
        unserved = need - imp_load

        # 5. grid charging in grid-charging hours
        ch_grid_free = np.maximum(0.0, np.minimum(
            np.minimum(charge_e - ch_green, (usable_mwh - green - grid) / eta_charge),
            cap_import_e - imp_load,
        ))
        ch_grid = np.where(gc, ch_grid_free, 0.0)
        grid = grid + ch_grid * eta_charge
        imp = imp_load + ch_grid

        # sums over the year
        tot["direct_mwh"] += direct
        tot["charge_green_mwh"] += ch_green
        tot["charge_grid_mwh"] += ch_grid
        tot["discharge_green_mwh"] += dis_green
        tot["discharge_grid_mwh"] += dis_grid
        tot["export_mwh"] += export
        tot["import_mwh"] += imp
        tot["curtail_line_mwh"] += curt_line
        tot["curtail_bus_mwh"] += curt_bus
        tot["curtail_export_cap_mwh"] += curt_cap
        tot["unserved_mwh"] += unserved
        tot["unserved_cost_yuan"] += unserved * p_imp[t]
        tot["import_cost_yuan"] += imp * p_imp[t]
        tot["export_revenue_yuan"] += export * p_exp[t]
        tot["import_co2_t"] += imp * fac[t]
        np.maximum(peak[month[t]], imp / dt, out=peak[month[t]])
        tot["self_supply_steps"] += need == 0.0

    tot["storage_green_end_mwh"] = green
    tot["storage_grid_end_mwh"] = grid
    tot["hydrogen_tank_end_kg"] = prm[L.P_TANK_INIT_KG].copy()
    tot["ev_energy_end_mwh"] = prm[L.P_EV_INIT_MWH].copy()
    for m in range(12):
        tot[f"peak_import_month_mw[{m + 1}]"] = peak[m]
    for name in ("electrolyser_grid_month_mwh", "export_month_mwh", "hydrogen_produced_month_kg"):
        for m in range(12):
            tot[f"{name}[{m + 1}]"] = zeros.copy()
    return np.ascontiguousarray(np.stack([tot[name] for name in spec.TOTAL_COLUMNS], axis=1))
