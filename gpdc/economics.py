"""The user's electricity cost with and without the project, vectorised over scenarios.

Baseline: everything bought from the grid at the hourly import price.  With the project:
the import bill, plus the fees self-used green energy bears under the fee regime, minus
export revenue, plus the project's annualised capital cost and its O&M — plus the unserved
load valued at the hour's import price, so that a design that cannot serve its load never
looks cheaper than the grid-only baseline for it.
"""

from __future__ import annotations

import numpy as np


def capital_recovery_factor(rate_frac: float | np.ndarray, lifetime_years: float | np.ndarray) -> np.ndarray:
    """Return the capital recovery factor r(1+r)^n / ((1+r)^n − 1) [1/a] (1/n when r = 0).

    Examples
    --------
    >>> round(float(capital_recovery_factor(0.06, 20)), 6)
    0.087185
    >>> float(capital_recovery_factor(1e-17, 20))  # the 1/n limit, not an overflow
    0.05
    """
    r = np.asarray(rate_frac, dtype=np.float64)
    n = np.asarray(lifetime_years, dtype=np.float64)
    safe_r = np.where(r > 0.0, r, 1.0)
    g = np.expm1(n * np.log1p(safe_r))  # (1+r)^n - 1 without cancellation for tiny r
    return np.where(r > 0.0, safe_r * (g + 1.0) / g, 1.0 / n)


def costs(
    *,
    energy: dict[str, np.ndarray],
    baseline_cost_yuan: float,
    wind_mw: np.ndarray,
    solar_mw: np.ndarray,
    storage_mwh: np.ndarray,
    line_km: np.ndarray,
    wind_capex_yuan_per_kw: float,
    solar_capex_yuan_per_kw: float,
    storage_capex_yuan_per_kwh: float,
    line_capex_yuan_per_km: float,
    wind_om_yuan_per_kw_year: float,
    solar_om_yuan_per_kw_year: float,
    storage_om_frac_per_year: float,
    lifetime_years: float,
    discount_rate_frac: float,
    self_use_fee_yuan_per_mwh: float,
    period_years: float = 1.0,
) -> dict[str, np.ndarray]:
    """Return the cost variables of each scenario over the simulated period [yuan, yuan/MWh].

    Capital and O&M costs are annual; for a period shorter than a year they are prorated by
    ``period_years`` (simulated hours / hours in the year), so that all cost terms cover
    the same time.  ``lcoe_yuan_per_mwh`` is the all-in cost of the self-used green power:
    annualised capex + O&M + fees on self-used energy − export revenue, per MWh used on site.
    """
    kw = 1000.0
    capex = (
        wind_mw * kw * wind_capex_yuan_per_kw
        + solar_mw * kw * solar_capex_yuan_per_kw
        + storage_mwh * kw * storage_capex_yuan_per_kwh
        + line_km * line_capex_yuan_per_km
    )
    crf = capital_recovery_factor(discount_rate_frac, lifetime_years)
    annual_capex = capex * crf * period_years
    om = period_years * (
        wind_mw * kw * wind_om_yuan_per_kw_year
        + solar_mw * kw * solar_om_yuan_per_kw_year
        + storage_mwh * kw * storage_capex_yuan_per_kwh * storage_om_frac_per_year
    )
    fees = energy["self_used_mwh"] * self_use_fee_yuan_per_mwh
    import_cost = energy["import_cost_yuan"]
    export_revenue = energy["export_revenue_yuan"]
    project = import_cost + energy["unserved_cost_yuan"] + fees - export_revenue + annual_capex + om
    baseline = np.full_like(project, baseline_cost_yuan)
    savings = baseline - project
    load = energy["load_mwh"]
    used = energy["self_used_mwh"]
    out = {
        "capex_yuan": capex,
        "annualised_capex_yuan": annual_capex,
        "om_cost_yuan": om,
        "self_use_fees_yuan": fees,
        "baseline_cost_yuan": baseline,
        "project_cost_yuan": project,
        "savings_yuan": savings,
    }
    out["savings_yuan_per_mwh"] = np.divide(savings, load, out=np.full_like(savings, np.nan), where=load > 0)
    lcoe_num = annual_capex + om + fees - export_revenue
    out["lcoe_yuan_per_mwh"] = np.divide(lcoe_num, used, out=np.full_like(used, np.nan), where=used > 0)
    return out
