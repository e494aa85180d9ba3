"""The flexible elements in the LP reference: a few named linopy variables and constraints each (docs/lp.md).

:func:`flexible_model` adds to a model the flexible consumers' supply (green from the line
``fg``, storage discharge from the green and the grid pool ``fdg``, ``fdr``, import ``fi``) and
each element's variables and constraints; :func:`flexible_flows` reads a solution back into
the flows of the trace kernel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from gpdc.kernels import layout as L
from gpdc.pipeline import KernelInputs, Prepared
from gpdc.scenario.resolve import Resolved

__all__ = ["flexible_flows", "flexible_model"]


def flexible_model(m: Any, pre: Prepared, s: dict[str, Any], ser: Callable[[Any], Any], var: Callable[..., Any],
                   add: Callable[..., None], commit: bool) -> dict[str, Any]:
    """Add the flexible elements to model ``m``; return their bus terms, consumption, hydrogen CO2 and costs.

    * electrolyser: production ``ely_prod`` ≤ rating · on, ≥ minimum load · rating · on (``ely_on``
      binary with ``commit``, else in [0, 1]: a relaxation), stand-by ``ely_standby`` ≥ its power ·
      (1 − on); ``tank`` = previous + production / specific energy − ``offtake`` ≤ store size;
      ``offtake`` ≤ demand (= demand where unmet offtake is not allowed); ``ely_green`` labels the
      part of its electricity that is green (from ``fg`` or ``fdg``), the rest must be grid
      (``fi`` or ``fdr``); without ``grid_draw`` the grid feeds no production;
    * shiftable load: ``shift`` ≤ its power in allowed steps; Σ over each window + ``shift_unserved``
      = the window's energy;
    * fleet: ``ev_charge`` and ``v2g`` ≤ their powers while plugged; ``ev_energy`` = previous +
      η·charge − V2G/η − need at departures + ``ev_short``, within the batteries.

    Costs (returned as ``cost(crf, period)`` and ``constant``): electrolyser and store capex and
    O&M, unmet hydrogen at its value, unserved shiftable energy and the fleet's shortfall at the
    period's dearest import price, and V2G wear — as :mod:`gpdc.accounting.flexible`.
    """
    sc, r, x = pre.scenario, pre.resolved, pre.inputs
    p, dt, hx, pi = x.params[:, 0], x.dt_h, x.hourly, x.price_import
    first = ser(np.arange(len(hx)) == 0)
    fg, fdg, fdr, fi = (var(b) for b in ("fg", "fdg", "fdr", "fi"))
    out: dict[str, Any] = {"fg": fg, "fdg": fdg, "fdr": fdr, "fi": fi, "mip": False}
    demand, other, terms, constant = 0.0 * fg, 0.0 * fg, [], 0.0
    if sc.electrolyser is not None:
        e, h2 = sc.electrolyser, sc.hydrogen
        big = s["electrolyser_mw"].upper.item() * dt  # the largest rating allowed
        on, ep, sb, eg = var("ely_on", up=1.0, integer=commit), var("ely_prod"), var("ely_standby"), var("ely_green")
        tank, off = var("tank"), var("offtake", up=hx[:, L.H_OFFTAKE_KG])
        tank_kg = s.get("tank_kg", 0.0)  # without a [hydrogen] section: no store
        kpm = 1000.0 / (e.specific_energy_kwh_per_kg + e.compression_kwh_per_kg)
        out["mip"] = commit
        add("ely_rating", ep - dt * s["electrolyser_mw"] <= 0)
        add("ely_on_max", ep - big * on <= 0)
        add("ely_min_load", ep - e.min_load_frac * dt * s["electrolyser_mw"] + big * (1 - on) >= 0)
        add("ely_standby", sb - e.standby_frac * dt * s["electrolyser_mw"] + e.standby_frac * big * on >= 0)
        add("tank_balance", tank - tank.shift(t=1).fillna(0) - kpm * ep + off
            - (0.0 if h2 is None else h2.initial_fill_frac) * first * tank_kg == 0)
        add("tank_size", tank - tank_kg <= 0)
        if h2 is not None and not h2.unmet_allowed:
            add("offtake_met", off >= ser(hx[:, L.H_OFFTAKE_KG]))
        add("ely_green_label", eg - fg - fdg <= 0)
        add("ely_green_part", eg - ep - sb <= 0)
        add("ely_grid_part", ep + sb - eg - fi - fdr <= 0)
        value = r["hydrogen_unmet_value_yuan_per_kg"]
        constant += value * float(np.sum(hx[:, L.H_OFFTAKE_KG]))  # unmet = demand − offtake
        terms.append(lambda crf, period: (-value * off).sum() + period * 1000.0 * r["electrolyser_capex_yuan_per_kw"]
                     * (crf + r["electrolyser_om_frac_per_year"]) * s["electrolyser_mw"]
                     + period * r["hydrogen_tank_capex_yuan_per_kg"] * (crf + r["hydrogen_tank_om_frac_per_year"])
                     * tank_kg)
        demand = demand + ep + sb
        out.update(h2_co2=r["account_factor_t_co2_per_mwh"] * 1000.0 * (ep + sb - eg).sum(), h2_kg=kpm * ep.sum())
        other = other + sb  # without grid draw the grid feeds only its stand-by (and the other consumers)
    if sc.flexible_load is not None:
        x = var("shift", up=p[L.P_SHIFT_MW] * dt * hx[:, L.H_SHIFT_ALLOWED])
        window = pd.Series(np.cumsum(hx[:, L.H_SHIFT_START]) - 1, index=pd.RangeIndex(len(hx), name="t"), name="w")
        wu = m.add_variables(lower=0.0, coords=[pd.RangeIndex(int(window.max()) + 1, name="w")], name="shift_unserved")
        add("shift_window", x.groupby(window.to_xarray()).sum() + wu == p[L.P_SHIFT_MWH])
        terms.append(lambda crf, period: float(np.max(pi)) * wu.sum())  # at the dearest import price
        demand, other = demand + x, other + x
    if sc.ev_fleet is not None:
        plugged, depart, eta = hx[:, L.H_EV_PLUGGED], hx[:, L.H_EV_DEPART], p[L.P_EV_ETA]
        c, v2 = var("ev_charge", up=p[L.P_EV_CHARGE_MW] * dt * plugged), var("v2g", up=p[L.P_EV_V2G_MW] * dt * plugged)
        short, ev = var("ev_short", up=p[L.P_EV_NEED_MWH] * depart), var("ev_energy", up=p[L.P_EV_MWH])
        add("ev_balance", ev - ev.shift(t=1).fillna(0) - eta * c + v2 / eta - short
            == ser(p[L.P_EV_INIT_MWH] * (np.arange(len(hx)) == 0) - p[L.P_EV_NEED_MWH] * depart))
        wear = r["ev_degradation_cost_yuan_per_mwh"]
        terms.append(lambda crf, period: float(np.max(pi)) * short.sum() + wear * v2.sum())
        demand, other = demand + c - v2, other + c
        out["v2g"] = v2
    add("flex_bus", fg + fdg + fdr + fi - demand - out.get("v2g", 0.0) == 0)
    if sc.electrolyser is not None and not sc.electrolyser.grid_draw:
        add("ely_no_grid", fi - other <= 0)
    out.update(consumed=demand.sum(), constant=constant,
               cost=lambda crf, period: sum((term(crf, period) for term in terms), 0.0 * fg.sum()))
    return out


def flexible_flows(h: Callable[[str], np.ndarray], resolved: Resolved, inputs: KernelInputs) -> tuple[
        dict[str, np.ndarray], dict[str, float]]:
    """The flexible elements' flows of a solution (``h(name)``: a variable's values) and their end states."""
    sc, hx, n = resolved.scenario, inputs.hourly, inputs.n_hours
    flows: dict[str, np.ndarray] = {}
    end: dict[str, float] = {}
    if sc.electrolyser is not None:
        ep, sb, eg, on = h("ely_prod"), h("ely_standby"), h("ely_green"), h("ely_on") > 0.5
        kpm = 1000.0 / (sc.electrolyser.specific_energy_kwh_per_kg + sc.electrolyser.compression_kwh_per_kg)
        off = h("offtake")
        flows.update(electrolyser_mwh=ep + sb, electrolyser_green_mwh=eg, electrolyser_grid_mwh=ep + sb - eg,
                     electrolyser_standby_mwh=sb, hydrogen_produced_kg=kpm * ep, hydrogen_offtake_kg=off,
                     hydrogen_unmet_kg=np.maximum(hx[:, L.H_OFFTAKE_KG] - off, 0.0), hydrogen_tank_kg=h("tank"),
                     electrolyser_starts=(on & ~np.concatenate([[False], on[:-1]])).astype(np.float64))
        end["tank_kg"] = float(flows["hydrogen_tank_kg"][-1])
    if sc.flexible_load is not None:
        x, unserved = h("shift"), np.zeros(n)
        unserved[hx[:, L.H_SHIFT_END] > 0.5] = h("shift_unserved")
        flows.update(flexible_load_mwh=x, flexible_load_unserved_mwh=unserved, flexible_load_shifted_mwh=np.maximum(
            0.0, x - hx[:, L.H_SHIFT_BASE] * inputs.params[L.P_SHIFT_MWH, 0]))
    if sc.ev_fleet is not None:
        flows.update(ev_charge_mwh=h("ev_charge"), v2g_discharge_mwh=h("v2g"), ev_unserved_mwh=h("ev_short"),
                     ev_energy_mwh=h("ev_energy"))
        end["ev_energy_mwh"] = float(flows["ev_energy_mwh"][-1])
    return flows, end
