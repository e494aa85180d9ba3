"""The flexible elements' hourly inputs, shared by every design of a scenario (``KernelInputs.hourly``).

:func:`flexible_hourly` turns a scenario's ``[hydrogen]`` offtake, ``[flexible_load]`` windows and
``[ev_fleet]`` plug-in windows into the columns of :data:`gpdc.kernels.spec.HOURLY`, on the hours
of the profiles (local clock time of the site): the offtake in kg per step; for the shiftable
load the allowed steps, the allowed steps left in the window, the window's first and last step
(a window is a calendar day or an ISO week; the first and last window may be cut by the period)
and the baseline's share of the window's energy (evenly over its allowed steps); for the fleet
the plugged-in steps, the plugged steps left before it leaves, and the departures (the first
step away after a plug-in window).  See docs/flexible.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gpdc.kernels import layout as L
from gpdc.profiles.factors import read_hourly_series
from gpdc.scenario.schema import Scenario

__all__ = ["flexible_hourly", "run_lengths_after", "window_columns"]


def run_lengths_after(mask: np.ndarray, group: np.ndarray | None = None) -> np.ndarray:
    """For each step, how many steps of ``mask`` follow it within the same ``group`` (0 outside the mask) [1].

    Without ``group``: the steps of the same run of consecutive True values.
    """
    mask = np.asarray(mask, dtype=bool)
    n = mask.size
    if group is None:  # a run of True is a group
        group = np.cumsum(np.concatenate([[True], mask[1:] != mask[:-1]]))
    out = np.zeros(n)
    left = 0
    for t in range(n - 1, -1, -1):
        if t == n - 1 or group[t + 1] != group[t]:
            left = 0
        out[t] = left if mask[t] else 0.0
        left += 1 if mask[t] else 0
    return out


def window_columns(local: pd.DatetimeIndex, allowed_hours: list[int], period: str) -> dict[str, np.ndarray]:
    """The shiftable load's columns ``shift_*`` on the steps ``local`` (local clock time) [1]."""
    day = local.normalize()
    key = day - pd.to_timedelta(local.day_of_week, unit="D") if period == "week" else day
    window = np.asarray(pd.factorize(np.asarray(key))[0])
    allowed = np.isin(local.hour, allowed_hours)
    start = np.concatenate([[True], window[1:] != window[:-1]])
    end = np.concatenate([window[1:] != window[:-1], [True]])
    counts = np.bincount(window, weights=allowed.astype(float))
    base = np.where(allowed, 1.0 / np.maximum(counts[window], 1.0), 0.0)
    return {"shift_allowed": allowed.astype(float), "shift_after": run_lengths_after(allowed, window),
            "shift_start": start.astype(float), "shift_end": end.astype(float), "shift_base": base}


def flexible_hourly(scenario: Scenario, time: pd.DatetimeIndex, dt_h: float = 1.0) -> np.ndarray:
    """Return the flexible elements' hourly inputs, float64[n_hours, N_HOURLY] (zeros for an absent element).

    Raises
    ------
    ProfileError
        For an offtake or plug-in CSV that does not cover the simulated hours.
    """
    sc = scenario
    n = len(time)
    out = np.zeros((n, L.N_HOURLY))
    local = time.tz_convert(sc.site.timezone) if time.tz is not None else time
    h2 = sc.hydrogen
    if sc.electrolyser is not None and h2 is not None:
        if h2.offtake_csv is not None:
            kg_h, _ = read_hourly_series(h2.offtake_csv, time=time, timezone=sc.site.timezone,
                                         column="offtake_kg_per_h", field="hydrogen.offtake_csv", lo=0.0, hi=1e7,
                                         unit="kg/h")
        elif h2.offtake_kg_per_day is not None:
            kg_h = np.full(n, h2.offtake_kg_per_day / 24.0)
        else:
            kg_h = np.full(n, h2.offtake_kg_per_h or 0.0)
        out[:, L.H_OFFTAKE_KG] = kg_h * dt_h
    fl = sc.flexible_load
    if fl is not None:
        cols = window_columns(local, fl.allowed_hours, fl.period)
        for name in ("shift_allowed", "shift_after", "shift_start", "shift_end", "shift_base"):
            out[:, L.HOURLY_NAMES.index(name)] = cols[name]
    ev = sc.ev_fleet
    if ev is not None:
        if ev.plugged_csv is not None:
            plugged_f, _ = read_hourly_series(ev.plugged_csv, time=time, timezone=sc.site.timezone, column="plugged",
                                              field="ev_fleet.plugged_csv", lo=0.0, hi=1.0, unit="1")
            plugged = plugged_f > 0.5
        else:
            hour = np.asarray(local.hour)
            a, b = ev.plug_in_hour, ev.departure_hour
            plugged = (hour >= a) | (hour < b) if a > b else (hour >= a) & (hour < b)
        depart = np.zeros(n, dtype=bool)
        depart[1:] = plugged[:-1] & ~plugged[1:]
        out[:, L.H_EV_PLUGGED] = plugged
        out[:, L.H_EV_AFTER] = run_lengths_after(plugged)
        out[:, L.H_EV_DEPART] = depart
    return out
