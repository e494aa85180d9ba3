"""Carbon accounting of a direct-connection project, vectorised over scenarios.

Pure NumPy functions of the energy totals (shape ``(n_scen,)``):

* :func:`emissions` — avoided CO2 and standard coal on a stated factor basis, the user's
  electricity emissions under location-based and direct-connection accounting, and the green
  electricity certificates (GECs) the project's generation earns;
* :func:`product_accounts` — per product (shape ``(n_scen, n_products)``): electricity
  emissions per tonne under both accountings, and the EU CBAM certificate cost exposure
  (the products themselves are resolved with the scenario: :mod:`gpdc.scenario.products`).

The factor's basis (national grid average, provincial, regional or national fossil power) is
the user's choice and is recorded with the result: the published 640,000 t CO2 for 760 GWh at
an Inner Mongolia data centre corresponds to the 2021 national fossil-power factor
(0.8426 t/MWh), not to the grid average.  Formulas and sources: ``docs/carbon.md``.
"""

from __future__ import annotations

import math

import numpy as np

from gpdc.scenario.products import ProductTable

__all__ = ["emissions", "hourly_weighted_co2_t", "product_accounts"]

#: kWh per MWh over g per t: converts MWh x g/kWh into t
_T_PER_MWH_G_PER_KWH = 1000.0 / 1e6
#: MWh per kWh
_MWH_PER_KWH = 1e-3


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Return num / den, NaN where den is 0 (an intensity of no consumption is undefined)."""
    num = np.asarray(num, dtype=np.float64)
    den = np.broadcast_to(np.asarray(den, dtype=np.float64), num.shape)
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0.0)
    return out


def hourly_weighted_co2_t(energy_mwh: np.ndarray, factor_t_co2_per_mwh: np.ndarray) -> np.ndarray:
    """Return Σ_h energy_h · factor_h [t CO2] per scenario.

    Parameters
    ----------
    energy_mwh : float64[n_hours] or float64[n_hours, n_scen]
        Hourly energy (e.g. the import trace) [MWh].
    factor_t_co2_per_mwh : float64[n_hours]
        Hourly grid factor [t CO2/MWh].

    Returns
    -------
    float64[1] or float64[n_scen]

    Examples
    --------
    >>> hourly_weighted_co2_t(np.array([10.0, 0.0, 5.0]), np.array([0.8, 0.5, 0.2]))
    array([9.])
    """
    e = np.asarray(energy_mwh, dtype=np.float64)
    f = np.asarray(factor_t_co2_per_mwh, dtype=np.float64)
    if e.shape[0] != f.shape[0]:
        raise ValueError(f"energy has {e.shape[0]} hours, the factor series {f.shape[0]}")
    e2 = e.reshape(e.shape[0], -1)
    # the exactly rounded sum of the hourly products (math.fsum): the same bits on every CPU and
    # however many scenarios come together.  numpy's dot product went to OpenBLAS, whose kernel
    # (and so the order of the additions) is picked for the CPU at run time: an Intel and an AMD
    # host differed in the last bit.
    return np.array([math.fsum(f * e2[:, k]) for k in range(e2.shape[1])])


def emissions(
    energy: dict[str, np.ndarray],
    emission_factor_t_co2_per_mwh: float | np.ndarray,
    coal_rate_g_ce_per_kwh: float | np.ndarray,
    *,
    account_factor_t_co2_per_mwh: float | np.ndarray | None = None,
    count_export: bool = False,
    import_co2_t: np.ndarray | None = None,
    load_co2_t: np.ndarray | float | None = None,
    gec_mwh_per_certificate: float = 1.0,
) -> dict[str, np.ndarray]:
    """Return avoided CO2 and coal, the user's electricity emissions and the GEC count.

    Parameters
    ----------
    energy : dict of str to float64[n_scen]
        Energy totals of :func:`gpdc.accounting.energy.energy_totals` [MWh]; used: ``self_used_mwh``,
        ``export_mwh``, ``load_mwh``, ``import_mwh`` (which includes grid charging of storage),
        ``direct_mwh``, ``charge_green_mwh``.
    emission_factor_t_co2_per_mwh : float or float64[n_scen]
        Factor of the *avoided-emissions* basis (grid average, provincial, regional or fossil)
        [t CO2/MWh].
    coal_rate_g_ce_per_kwh : float or float64[n_scen]
        Standard coal per kWh of thermal power supplied [g ce/kWh].
    account_factor_t_co2_per_mwh : float or float64[n_scen], optional
        Flat grid factor of the user's own accounts [t CO2/MWh]; default: the avoided basis.
    count_export : bool
        Also count exported green energy as displacing grid generation.
    import_co2_t : float64[n_scen], optional
        Σ_h import_h · f_h [t CO2] for an hourly factor series f (grid-charged storage energy is
        in import_h, so it is counted at the factor of the hour it was charged).  None: a flat
        factor, ``import_mwh · account_factor``.
    load_co2_t : float or float64[n_scen], optional
        Σ_h load_h · f_h [t CO2] for the same series; None: ``load_mwh · account_factor``.
    gec_mwh_per_certificate : float
        Energy per green electricity certificate [MWh] (1 under 发改能源〔2023〕1044号).

    Returns
    -------
    dict of str to float64[n_scen]
        ``avoided_co2_t``, ``coal_saved_tce``, ``location_based_co2_t``,
        ``direct_connection_co2_t``, ``location_based_t_co2_per_mwh``,
        ``direct_connection_t_co2_per_mwh``, ``accounting_difference_co2_t``,
        ``gec_basis_mwh``, ``gec_count``.

    Examples
    --------
    The published Inner Mongolia figure, on the 2021 national fossil-power factor:

    >>> e = emissions({"self_used_mwh": np.array([760_000.0]), "load_mwh": np.array([760_000.0]),
    ...                "import_mwh": np.array([0.0]), "export_mwh": np.array([0.0]),
    ...                "direct_mwh": np.array([760_000.0]), "charge_green_mwh": np.array([0.0])},
    ...               0.8426, 305.5)
    >>> round(float(e["avoided_co2_t"][0]))
    640376
    """
    used = np.asarray(energy["self_used_mwh"], dtype=np.float64)
    displaced = used + energy["export_mwh"] if count_export else used
    f_acc = emission_factor_t_co2_per_mwh if account_factor_t_co2_per_mwh is None else account_factor_t_co2_per_mwh
    load = np.asarray(energy["load_mwh"], dtype=np.float64)
    location = load * f_acc if load_co2_t is None else np.broadcast_to(
        np.asarray(load_co2_t, dtype=np.float64), used.shape).copy()
    direct = energy["import_mwh"] * f_acc if import_co2_t is None else np.asarray(import_co2_t, dtype=np.float64)
    if direct.shape != used.shape:
        raise ValueError(f"import_co2_t has shape {direct.shape}; expected {used.shape} (one value per scenario)")
    gec_mwh = energy["direct_mwh"] + energy["charge_green_mwh"] + energy["export_mwh"]
    return {
        "avoided_co2_t": displaced * emission_factor_t_co2_per_mwh,
        "coal_saved_tce": displaced * coal_rate_g_ce_per_kwh * _T_PER_MWH_G_PER_KWH,
        "location_based_co2_t": location,
        "direct_connection_co2_t": direct,
        "location_based_t_co2_per_mwh": _ratio(location, load),
        "direct_connection_t_co2_per_mwh": _ratio(direct, load),
        "accounting_difference_co2_t": location - direct,
        "gec_basis_mwh": gec_mwh,
        # whole certificates; the tolerance keeps 1000.0 − 1e-9 MWh from losing one to rounding
        "gec_count": np.floor(gec_mwh / gec_mwh_per_certificate + 1e-9),
    }


def product_accounts(
    accounts: dict[str, np.ndarray],
    products: ProductTable,
    eu_carbon_price_eur_per_t_co2: float | np.ndarray,
    exchange_rate_yuan_per_eur: float | np.ndarray,
    china_carbon_price_paid_yuan_per_t_co2: float | np.ndarray = 0.0,
) -> dict[str, np.ndarray]:
    """Return each product's electricity footprint and CBAM exposure under both accountings.

    Parameters
    ----------
    accounts : dict of str to float64[n_scen]
        Output of :func:`emissions`; used: ``location_based_t_co2_per_mwh`` and
        ``direct_connection_t_co2_per_mwh`` (the user's average intensity of consumed
        electricity under each accounting).
    products : ProductTable
        From :func:`gpdc.scenario.products.product_table`.
    eu_carbon_price_eur_per_t_co2 : float or float64[n_scen]
        Price of a CBAM certificate (follows the EU ETS price) [EUR/t CO2].
    exchange_rate_yuan_per_eur : float or float64[n_scen]
        [yuan/EUR].
    china_carbon_price_paid_yuan_per_t_co2 : float or float64[n_scen]
        Carbon price effectively paid in China on the embedded emissions (Art. 9), deducted
        [yuan/t CO2].

    Returns
    -------
    dict of str to ndarray
        ``cbam_net_carbon_price_yuan_per_t_co2`` with shape ``(n_scen,)``; every other entry
        shape ``(n_scen, n_products)`` (see ``docs/carbon.md`` for each formula).
    """
    loc = np.asarray(accounts["location_based_t_co2_per_mwh"], dtype=np.float64)[:, None]
    dcn = np.asarray(accounts["direct_connection_t_co2_per_mwh"], dtype=np.float64)[:, None]
    n_scen = loc.shape[0]
    mwh_per_t = products.electricity_kwh_per_t[None, :] * _MWH_PER_KWH
    shape = (n_scen, len(products))
    elec_loc = mwh_per_t * loc
    elec_dc = mwh_per_t * dcn
    direct = np.broadcast_to(products.direct_t_co2_per_t[None, :], shape)
    good = np.broadcast_to(products.cbam_good[None, :], shape)
    indirect = np.broadcast_to(products.indirect_in_scope[None, :], shape)
    eu_yuan = np.asarray(eu_carbon_price_eur_per_t_co2, dtype=np.float64) * exchange_rate_yuan_per_eur
    net = np.broadcast_to(np.maximum(eu_yuan - china_carbon_price_paid_yuan_per_t_co2, 0.0), (n_scen,)).copy()
    price = net[:, None]
    out_t = products.output_t_per_year[None, :]
    direct_exp = np.where(good, direct * price, 0.0)
    ind_loc = np.where(indirect, elec_loc * price, 0.0)
    ind_dc = np.where(indirect, elec_dc * price, 0.0)
    exp_loc = direct_exp + ind_loc
    exp_dc = direct_exp + ind_dc
    return {
        "cbam_net_carbon_price_yuan_per_t_co2": net,
        "product_output_t_per_year": np.broadcast_to(out_t, shape).copy(),
        "product_electricity_mwh_per_year": np.broadcast_to(out_t * mwh_per_t, shape).copy(),
        "product_electricity_co2_location_t_co2_per_t": elec_loc,
        "product_electricity_co2_direct_connection_t_co2_per_t": elec_dc,
        "product_direct_co2_t_co2_per_t": direct.copy(),
        "product_co2_location_t_co2_per_t": direct + elec_loc,
        "product_co2_direct_connection_t_co2_per_t": direct + elec_dc,
        "cbam_good": good.copy(),
        "cbam_indirect_in_scope": indirect.copy(),
        "cbam_direct_exposure_yuan_per_t": direct_exp,
        "cbam_indirect_exposure_location_yuan_per_t": ind_loc,
        "cbam_indirect_exposure_direct_connection_yuan_per_t": ind_dc,
        "cbam_exposure_location_yuan_per_t": exp_loc,
        "cbam_exposure_direct_connection_yuan_per_t": exp_dc,
        "cbam_exposure_location_yuan_per_year": exp_loc * out_t,
        "cbam_exposure_direct_connection_yuan_per_year": exp_dc * out_t,
        "cbam_saving_yuan_per_year": (exp_loc - exp_dc) * out_t,
    }
