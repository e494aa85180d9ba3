"""Avoided CO2 and standard coal, and the user's electricity emissions, vectorised.

The factor's basis (national grid average, provincial, regional or national fossil-power)
is the user's choice and is recorded with the result: the published figure of 640,000 t
CO2 for 760 GWh at an Inner Mongolia data centre corresponds to the 2021 national
fossil-power factor (0.8426 t/MWh), not to the grid average.
"""

from __future__ import annotations

import numpy as np

#: kWh per MWh over g per t: converts MWh x g/kWh into t
_T_PER_MWH_G_PER_KWH = 1000.0 / 1e6


def emissions(
    energy: dict[str, np.ndarray],
    emission_factor_t_co2_per_mwh: float,
    coal_rate_g_ce_per_kwh: float,
) -> dict[str, np.ndarray]:
    """Return avoided CO2 [t CO2], standard coal saved [t ce] and the user's emissions.

    * ``avoided_co2_t`` = green energy used on site x factor;
    * ``coal_saved_tce`` = green energy used on site x coal rate;
    * ``location_based_co2_t`` = all consumption x factor (grid-average accounting);
    * ``direct_connection_co2_t`` = energy imported from the grid x factor (direct-line
      accounting, the green supply counted at zero).

    Examples
    --------
    >>> e = emissions({"self_used_mwh": np.array([760_000.0]), "load_mwh": np.array([760_000.0]),
    ...                "import_mwh": np.array([0.0])}, 0.8426, 305.5)
    >>> round(float(e["avoided_co2_t"][0]))
    640376
    """
    used = energy["self_used_mwh"]
    return {
        "avoided_co2_t": used * emission_factor_t_co2_per_mwh,
        "coal_saved_tce": used * coal_rate_g_ce_per_kwh * _T_PER_MWH_G_PER_KWH,
        "location_based_co2_t": energy["load_mwh"] * emission_factor_t_co2_per_mwh,
        "direct_connection_co2_t": energy["import_mwh"] * emission_factor_t_co2_per_mwh,
    }
