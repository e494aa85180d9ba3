"""The bill's monthly charges and fee parts under a fee regime (docs/tariffs.md), vectorised over designs.

:func:`tariff_charges` takes the kernels' totals as they come — each design's maximum import
in every billing month is one of them — so demand billing costs no more than energy billing.
The kernels price every MWh drawn at the hour's import price; :func:`import_bill_parts` splits
that bill into the energy price and each per-MWh component again, floating ones included.
"""

from __future__ import annotations

import numpy as np

from gpdc.errors import InputError
from gpdc.pipeline import HOURS_PER_MONTH, Design, KernelInputs
from gpdc.scenario.tables import PER_MWH_COMPONENTS

#: result variable of each per-MWh component's share of the import bill
IMPORT_PART_NAMES: dict[str, str] = {
    "td_energy": "import_td_fee_yuan",
    "funds": "import_funds_yuan",
    "system_operation": "import_system_operation_fee_yuan",
    "line_loss": "import_line_loss_fee_yuan",
    "capacity_compensation": "import_capacity_compensation_yuan",
}


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
    # the user on the ordinary tariff pays every per-MWh component on all of its load, each
    # floating with TOU as the tariff says: price_t + (floating it adds) x m_t + (flat it adds)
    imp, base = resolved.per_mwh("import"), resolved.per_mwh("baseline")
    float_extra = sum(x for x, f in base.values() if f) - sum(x for x, f in imp.values() if f)
    flat_extra = sum(x for x, f in base.values() if not f) - sum(x for x, f in imp.values() if not f)
    load_e = inputs.load_mw * inputs.dt_h
    base_energy = (float(np.sum(load_e * inputs.price_import)) + float(np.sum(load_e * inputs.tou_multiplier))
                   * float_extra + float(np.sum(load_e)) * flat_extra)
    out = charges(
        energy=energy,
        baseline_energy_cost_yuan=base_energy,
        month_weight=inputs.month_weight,
        connection_kva=conn_mva * 1000.0,
        capacity_charge_yuan_per_kva_month=design.value("capacity_charge_yuan_per_kva_month"),
        demand_charge_yuan_per_kw_month=design.value("demand_charge_yuan_per_kw_month"),
        average_load_rate_frac=design.value("average_load_rate_frac"),
        td_energy_yuan_per_mwh=resolved["td_energy_yuan_per_mwh"],
        basic_charge_basis=resolved.basic_charge_basis,
        flags=flags,
        load_peak_kw=load_peak * 1000.0,
        import_peak_kw=np.asarray(peak_import_month_mw, dtype=np.float64) * 1000.0,
    )
    out.update(import_bill_parts(energy["import_mwh"], energy["import_cost_yuan"],
                                 resolved["energy_price_yuan_per_mwh"], imp))
    return out


def import_bill_parts(import_mwh: np.ndarray, import_cost_yuan: np.ndarray, energy_price_yuan_per_mwh: float,
                      parts: dict[str, tuple[float, bool]]) -> dict[str, np.ndarray]:
    """Split the import bill into the energy part and each per-MWh component the fee regime puts on drawn energy [yuan].

    The kernels price the hour's import at ``(E + F) x m_t + N``: ``E`` the energy price, ``F``
    the floating components, ``N`` the flat ones, ``m_t`` the TOU multiplier.  So
    ``import_cost = (E + F) x S + N x import`` with ``S = Σ_t import_t · m_t`` (the
    TOU-weighted import), and ``S = (import_cost − N x import) / (E + F)``; a floating
    component ``c`` costs ``c x S``, a flat one ``c x import``, and the energy part is the rest.
    With an hourly energy price series nothing floats (``F = 0``) and the energy part is
    ``import_cost − N x import``.  Where ``E + F = 0`` (a negative energy price cancelling the
    floating components) their hourly prices are 0 and ``S`` cannot be told: the split then
    counts ``S = import`` (the total is still exact).

    Parameters
    ----------
    import_mwh, import_cost_yuan : float64[n]
        Energy drawn from the grid [MWh] and its bill at the hourly import price [yuan].
    energy_price_yuan_per_mwh : float
        The flat energy price ``E`` [yuan/MWh].
    parts : dict of str to (float, bool)
        The components on drawn energy, ``{name: (value [yuan/MWh], floats)}``
        (:meth:`gpdc.scenario.resolve.Resolved.per_mwh` of ``"import"``).

    Returns
    -------
    dict of str to float64[n]
        ``import_energy_cost_yuan`` and one variable of :data:`IMPORT_PART_NAMES` per component
        (0 for those the regime does not put on drawn energy); they sum to ``import_cost_yuan``.
    """
    imp = np.asarray(import_mwh, dtype=np.float64)
    floating = sum(x for x, f in parts.values() if f)
    flat = sum(x for x, f in parts.values() if not f)
    floating_bill = np.asarray(import_cost_yuan, dtype=np.float64) - flat * imp
    denom = energy_price_yuan_per_mwh + floating
    weighted = floating_bill / denom if denom != 0.0 else imp
    out = {IMPORT_PART_NAMES[c]: np.zeros_like(imp) for c in PER_MWH_COMPONENTS}
    for c, (x, floats) in parts.items():
        out[IMPORT_PART_NAMES[c]] = x * (weighted if floats else imp)
    out["import_energy_cost_yuan"] = floating_bill - floating * weighted
    return out


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
    basic_charge_basis: str,
    flags: dict[str, bool],
    load_peak_kw: np.ndarray,
    import_peak_kw: np.ndarray,
) -> dict[str, np.ndarray]:
    """Return the monthly charges of the bills and the baseline energy bill [yuan] (docs/tariffs.md).

    Baseline (the user on the ordinary two-part tariff, no project): energy at the hourly
    price plus every per-MWh component (``baseline_energy_cost_yuan``), plus the basic charge
    — capacity: ``capacity_charge x connection_kva`` per month; demand: ``demand_charge x``
    the month's maximum load [kW].  With the project, under the fee regime's ``flags``: the
    basic charge on the same basis with the month's maximum *import* (``import_peak_kw``,
    float64[n, 12]; needed only for demand billing) and the 1192号 capacity-based T&D fee
    ``td_energy / 1000 x average_load_rate x 730 h x connection_kva`` per month.  Every
    monthly charge is weighted by ``month_weight`` (the share of each month simulated).
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
    n = energy["import_mwh"].shape[0]
    return {
        "baseline_energy_cost_yuan": np.full(n, baseline_energy_cost_yuan),
        "baseline_basic_charge_yuan": np.broadcast_to(baseline_basic, (n,)).astype(np.float64),
        "basic_charge_yuan": np.broadcast_to(project_basic, (n,)).astype(np.float64),
        "capacity_td_fee_yuan": np.broadcast_to(capacity_td, (n,)).astype(np.float64),
    }
