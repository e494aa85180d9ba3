"""The unit vocabulary: a field's name suffix says its unit.

Inputs carry the unit in their name (``storage_mwh``, ``price_yuan_per_mwh``); result
variables carry it in their ``units`` attribute.  This module owns the map from suffix to
unit string, so that the schema, the error messages and the result registry agree.
"""

from __future__ import annotations

#: name suffix -> unit string (longest suffixes first so that lookups are unambiguous)
SUFFIX_UNITS: dict[str, str] = {
    "_kg_per_kg": "kg/kg",
    "_eur_per_t_co2": "EUR/t CO2",
    "_yuan_per_t_co2": "yuan/t CO2",
    "_t_co2_per_t": "t CO2/t",
    "_kwh_per_t": "kWh/t",
    "_yuan_per_eur": "yuan/EUR",
    "_yuan_per_t": "yuan/t",
    "_t_per_year": "t/a",
    "_yuan_per_year": "yuan/a",
    "_mwh_per_year": "MWh/a",
    "_yuan_per_kva_month": "yuan/(kVA month)",
    "_yuan_per_kw_month": "yuan/(kW month)",
    "_yuan_per_kw_year": "yuan/(kW a)",
    "_frac_per_year": "1/a",
    "_per_c": "1/degC",
    "_yuan_per_mwh": "yuan/MWh",
    "_yuan_per_kwh": "yuan/kWh",
    "_yuan_per_kw": "yuan/kW",
    "_yuan_per_km": "yuan/km",
    "_yuan_per_kg": "yuan/kg",
    "_kwh_per_kg": "kWh/kg",
    "_kg_per_day": "kg/d",
    "_kwh_per_day": "kWh/d",
    "_kg_per_h": "kg/h",
    "_t_co2_per_mwh": "t CO2/MWh",
    "_g_ce_per_kwh": "g ce/kWh",
    "_t_co2": "t CO2",
    "_tce": "t ce",
    "_yuan": "yuan",
    "_mwh": "MWh",
    "_kwh": "kWh",
    "_kg": "kg",
    "_mva": "MVA",
    "_mw": "MW",
    "_kw": "kW",
    "_km": "km",
    "_deg": "degree",
    "_years": "a",
    "_frac": "1",
    "_share": "1",
    "_rate": "1",
    "_h": "h",
    "_m": "m",
}

#: numeric input fields without a unit suffix, each with the reason it needs none
DIMENSIONLESS_FIELDS: dict[str, str] = {
    "seed": "random-number seed, a label not a quantity",
    "year": "calendar year",
    "factor_year": "calendar year of the emission factor",
    "coal_rate_year": "calendar year of the coal rate",
    "commissioning_year": "calendar year",
    "weibull_k": "shape parameter of a Weibull distribution",
    "shear_exponent": "exponent of the power-law wind profile (Hellman)",
    "dc_ac_ratio": "ratio of the DC module rating to the AC inverter rating",
    "ensemble_size": "number of synthetic weather years, a count",
    "years": "calendar years",
    "vehicles": "number of vehicles in the fleet, a count",
    "plug_in_hour": "hour of the day (0-23, local time) when the fleet plugs in, a clock time",
    "departure_hour": "hour of the day (0-23, local time) when the fleet leaves, a clock time",
    "allowed_hours": "hours of the day (0-23, local time) in which the load may run, clock times",
}


def unit_of(name: str) -> str | None:
    """Return the unit string for a field or variable name, from its suffix.

    Parameters
    ----------
    name : str
        A field name such as ``"storage_mwh"``.

    Returns
    -------
    str or None
        The unit (``"MWh"``), or None when the name has no known suffix.

    Examples
    --------
    >>> unit_of("export_price_yuan_per_mwh")
    'yuan/MWh'
    >>> unit_of("line_loss_frac")
    '1'
    """
    for suffix, unit in SUFFIX_UNITS.items():
        if name.endswith(suffix):
            return unit
    return None


def bracket(name: str) -> str:
    """Return ``" [unit]"`` for a field name, or an empty string when it has no unit."""
    unit = unit_of(name)
    return f" [{unit}]" if unit else ""
