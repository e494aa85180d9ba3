"""The bill's monthly charges and fee parts under a fee regime (docs/tariffs.md), vectorised over designs.

:func:`tariff_charges` takes the kernels' totals as they come — each design's maximum import
in every billing month is one of them — so demand billing costs no more than energy billing.
"""

from __future__ import annotations

import numpy as np

from gpdc.errors import InputError
from gpdc.pipeline import HOURS_PER_MONTH, Design, KernelInputs


def tariff_charges(design: Design, inputs: KernelInputs, energy: dict[str, np.ndarray],
                   peak_import_month_mw: np.ndarray) -> dict[str, np.ndarray]:
    """Return the monthly charges and fee parts of every design's bill under its fee regime [yuan].

    ``peak_import_month_mw`` is each design's maximum import in each billing month,
    float64[n, 12] [MW] (the kernels' ``peak_import_month_mw``); only demand billing reads it.
    """
    resolved = design.resolved
    flags = resolved.fee_regime.flags
    conn_mva = design.number("grid.connection_mva")
    conn_mva = np.where(np.isnan(conn_mva), design.number("grid.import_mw"), conn_mva)
    load_peak = np.zeros(12)
    np.maximum.at(load_peak, inputs.month_index, inputs.load_mw)
    # the user on the ordinary tariff pays every per-MWh component on all of its load
    extra = resolved["adders_yuan_per_mwh"] - resolved["import_adders_yuan_per_mwh"]
    base_energy = float(np.sum(inputs.load_mw * inputs.dt_h * inputs.price_import)) + float(
        np.sum(inputs.load_mw * inputs.dt_h)) * extra
    return charges(
        energy=energy,
        baseline_energy_cost_yuan=base_energy,
        month_weight=inputs.month_weight,
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
        import_peak_kw=np.asarray(peak_import_month_mw, dtype=np.float64) * 1000.0,
    )


def charges(
    *,
    energy: dict[str, np.ndarray],
    baseline_energy_cost_yuan: float,
    month_weight: np.ndarray,
    connection_kva: np.ndarray,
    capacity_charge_yuan_per_kva_month: np.ndarray,
    demand_charge_yuan_per_kw_month: np.ndarray,
    average_load_rate_frac: np.ndarray,
    td_energy_yuan_per_mwh: float,
    funds_yuan_per_mwh: float,
    system_operation_yuan_per_mwh: float,
    basic_charge_basis: str,
    flags: dict[str, bool],
    load_peak_kw: np.ndarray,
    import_peak_kw: np.ndarray,
) -> dict[str, np.ndarray]:
    """Return the monthly charges and the per-MWh fee parts of the bills [yuan] (docs/tariffs.md).

    Baseline (the user on the ordinary two-part tariff, no project): energy at the hourly
    price plus every per-MWh component (``baseline_energy_cost_yuan``), plus the basic charge
    — capacity: ``capacity_charge x connection_kva`` per month; demand: ``demand_charge x``
    the month's maximum load [kW].  With the project, under the fee regime's ``flags``: the
    basic charge on the same basis with the month's maximum *import* (``import_peak_kw``,
    float64[n, 12]; needed only for demand billing), the 1192号 capacity-based T&D fee
    ``td_energy / 1000 x average_load_rate x 730 h x connection_kva`` per month, and the
    parts of the import bill that are T&D, funds and system-operation fee.  Every monthly
    charge is weighted by ``month_weight`` (the share of each month simulated).
    """
    w = np.asarray(month_weight, dtype=np.float64)
    months = float(np.sum(w))
    conn = np.asarray(connection_kva, dtype=np.float64)
    cap_rate = np.asarray(capacity_charge_yuan_per_kva_month, dtype=np.float64)
    dem_rate = np.asarray(demand_charge_yuan_per_kw_month, dtype=np.float64)
    if basic_charge_basis == "capacity":
        baseline_basic = cap_rate * conn * months
        project_basic = baseline_basic
    elif basic_charge_basis == "demand":
        baseline_basic = dem_rate * float(np.sum(w * load_peak_kw))
        project_basic = dem_rate * np.sum(w * import_peak_kw, axis=-1)
    else:
        raise InputError(f"basic_charge_basis = {basic_charge_basis!r} is invalid: must be 'capacity' or 'demand'")
    project_basic = project_basic * (1.0 if flags["basic_charge"] else 0.0)
    hours_per_month = HOURS_PER_MONTH
    capacity_td = (td_energy_yuan_per_mwh / 1000.0 * np.asarray(average_load_rate_frac, dtype=np.float64)
                   * hours_per_month * conn * months) * (1.0 if flags["capacity_td_1192"] else 0.0)
    imp = energy["import_mwh"]
    import_td = imp * (td_energy_yuan_per_mwh if flags["import_td_energy"] else 0.0)
    import_funds = imp * (funds_yuan_per_mwh if flags["import_funds"] else 0.0)
    import_sysop = imp * (system_operation_yuan_per_mwh if flags["import_system_operation"] else 0.0)
    n = imp.shape[0]
    return {
        "baseline_energy_cost_yuan": np.full(n, baseline_energy_cost_yuan),
        "baseline_basic_charge_yuan": np.broadcast_to(baseline_basic, (n,)).astype(np.float64),
        "basic_charge_yuan": np.broadcast_to(project_basic, (n,)).astype(np.float64),
        "capacity_td_fee_yuan": np.broadcast_to(capacity_td, (n,)).astype(np.float64),
        "import_td_fee_yuan": import_td,
        "import_funds_yuan": import_funds,
        "import_system_operation_fee_yuan": import_sysop,
        "import_energy_cost_yuan": energy["import_cost_yuan"] - import_td - import_funds - import_sysop,
    }
