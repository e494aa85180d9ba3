"""Energy totals and policy metrics from the kernel's raw totals, vectorised over scenarios.

Definitions follow DESIGN §2 and the 2025 national notice (发改能源〔2025〕650号): both
shares of generation use the *total available* generation, curtailment included, so that
curtailing more never makes a project look better.
"""

from __future__ import annotations

import numpy as np

from gpdc.engine import KernelInputs
from gpdc.kernels import layout as L


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Return num / den, NaN where den is zero or subnormal (a share of nothing is undefined).

    A subnormal denominator (< 2.2e-308 MWh) is treated as zero rather than letting the
    quotient overflow.
    """
    num = np.asarray(num, dtype=np.float64)
    den = np.broadcast_to(np.asarray(den, dtype=np.float64), num.shape)
    out = np.full(num.shape, np.nan)
    with np.errstate(over="ignore"):
        np.divide(num, den, out=out, where=den >= np.finfo(np.float64).tiny)
    return out


def share(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Return num / den as a share [1]: NaN where den is zero or subnormal (see :func:`_ratio`)."""
    return _ratio(num, den)


def energy_totals(inputs: KernelInputs, totals: np.ndarray) -> dict[str, np.ndarray]:
    """Return the annual energy totals of each scenario [MWh], derived ones included.

    Parameters
    ----------
    inputs : KernelInputs
        What the kernel ran on.
    totals : float64[n_scen, N_TOTALS]
        The kernel's totals.

    Returns
    -------
    dict of str to float64[n_scen]
        Every column of ``layout.TOTAL_NAMES`` (self-supply steps as ``self_supply_hours_h``)
        plus ``gen_avail_mwh``, ``line_loss_mwh``,
        ``storage_loss_mwh``, ``load_mwh``, ``self_used_mwh``, ``discharge_mwh``,
        ``storage_delta_mwh`` and ``storage_cycles``.
    """
    p = inputs.params
    out = {name: totals[:, k].copy() for k, name in enumerate(L.TOTAL_NAMES)}
    dt = inputs.dt_h
    cw_tot = float(np.sum(inputs.cf_wind * dt))
    cs_tot = float(np.sum(inputs.cf_solar * dt))
    gen = p[L.P_WIND_MW] * cw_tot + p[L.P_SOLAR_MW] * cs_tot
    out["gen_avail_mwh"] = gen
    out["line_loss_mwh"] = p[L.P_LINE_LOSS_FRAC] * (gen - out["curtail_line_mwh"])
    charge = out["charge_green_mwh"] + out["charge_grid_mwh"]
    discharge = out["discharge_green_mwh"] + out["discharge_grid_mwh"]
    out["discharge_mwh"] = discharge
    out["storage_loss_mwh"] = charge * (1.0 - p[L.P_ETA_CHARGE]) + discharge * (1.0 / p[L.P_ETA_DISCHARGE] - 1.0)
    out["storage_delta_mwh"] = (
        out["storage_green_end_mwh"] + out["storage_grid_end_mwh"] - p[L.P_INIT_GREEN_MWH] - p[L.P_INIT_GRID_MWH]
    )
    out["self_supply_hours_h"] = out.pop("self_supply_steps") * dt
    out["load_mwh"] = np.full(inputs.n_scen, float(np.sum(inputs.load_mw * dt)))
    out["self_used_mwh"] = out["direct_mwh"] + out["discharge_green_mwh"]
    usable = p[L.P_USABLE_MWH]
    out["curtail_storage_full_mwh"] = out["curtail_bus_mwh"] - out["curtail_export_cap_mwh"]
    out["storage_cycles"] = np.where(usable > 0.0, discharge / np.where(usable > 0.0, usable, 1.0), 0.0)
    return out


def policy_metrics(
    energy: dict[str, np.ndarray],
    min_self_use_frac: float | np.ndarray,
    min_green_share_of_load_frac: float | np.ndarray,
    max_export_frac: float | np.ndarray,
) -> dict[str, np.ndarray]:
    """Return the policy ratios, pass/fail flags and margins to each threshold.

    Margins are positive when the rule is met: ``self_use_margin = self_use_share − min``,
    ``green_share_margin = green_share_of_load − min``, ``export_margin = max − export_share``.
    """
    gen = energy["gen_avail_mwh"]
    load = energy["load_mwh"]
    used = energy["self_used_mwh"]
    m: dict[str, np.ndarray] = {}
    m["self_use_share"] = _ratio(used, gen)
    m["green_share_of_load"] = _ratio(used, load)
    m["export_share"] = _ratio(energy["export_mwh"], gen)
    m["curtailment_rate"] = _ratio(energy["curtail_line_mwh"] + energy["curtail_bus_mwh"], gen)
    m["utilisation_rate"] = 1.0 - m["curtailment_rate"]
    # green energy used on site is matched hour by hour by construction (it never exceeds the
    # hour's load), so the hourly-matched (24/7 CFE) share is the green share of load.
    m["hourly_match_share"] = m["green_share_of_load"].copy()
    m["annual_match_share"] = _ratio(np.minimum(gen, load), load)
    m["self_use_margin"] = m["self_use_share"] - min_self_use_frac
    m["green_share_margin"] = m["green_share_of_load"] - min_green_share_of_load_frac
    m["export_margin"] = max_export_frac - m["export_share"]
    # NaN (no generation or no load) compares False: such a project does not comply
    m["meets_self_use"] = m["self_use_margin"] >= 0.0
    m["meets_green_share"] = m["green_share_margin"] >= 0.0
    # judged on energies, so that exporting nothing meets the cap even with no generation;
    # tolerate rounding of the running cap (cumulative sums) at 1e-12 of generation
    m["meets_export_cap"] = energy["export_mwh"] <= (max_export_frac + 1e-12) * gen
    m["compliant"] = m["meets_self_use"] & m["meets_green_share"] & m["meets_export_cap"]
    return m
