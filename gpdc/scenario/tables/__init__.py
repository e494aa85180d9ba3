"""gpdc's reference data tables (``gpdc/scenario/data/*.csv``): every number from the world with its source.

One module per table around one generic row lookup (:func:`.core.row`): :mod:`.policy`,
:mod:`.provinces`, :mod:`.emissions` (factors, coal rates, carbon market, CBAM scope),
:mod:`.tou`, :mod:`.costs`, :mod:`.tariffs` (tariffs and fee regimes), :mod:`.names` (load archetypes,
turbine types).  :mod:`.core` reads and
validates the files (columns, provenance, numbers, keys).  Everything is re-exported here, so
``from gpdc.scenario import tables; tables.policy_rule("national_2025")`` reads as before.
"""

from gpdc.scenario.tables.core import CONFIDENCE_LEVELS, FEE_FLAGS, TABLE_NAMES, Sourced, raw_table, weakest
from gpdc.scenario.tables.costs import cost, cost_items, technical_default
from gpdc.scenario.tables.emissions import (
    CbamSector,
    carbon_market,
    carbon_market_items,
    cbam_sector,
    cbam_sector_keys,
    coal_rate,
    coal_rate_years,
    emission_factor,
    emission_factor_keys,
)
from gpdc.scenario.tables.flexible import HydrogenStandard, flexible_default, hydrogen_standard
from gpdc.scenario.tables.names import load_archetypes, turbine_types
from gpdc.scenario.tables.policy import SELF_USE_METERING, PolicyRule, policy_rule, policy_rule_sets
from gpdc.scenario.tables.provinces import (
    Province,
    province,
    province_bounds,
    province_keys,
    reference_site,
    tou_schedules_of,
)
from gpdc.scenario.tables.tariffs import (
    PER_MWH_COMPONENTS,
    TARIFF_FIELDS,
    TOU_FLOAT_COMPONENTS,
    FeeRegime,
    TariffField,
    fee_regime,
    fee_regime_names,
    parse_float_components,
    read_tariff_file,
    tariff,
    tariff_names,
)
from gpdc.scenario.tables.tou import (
    BASE_BANDS,
    MIN_CRITICAL_OVER_PEAK,
    MIN_PEAK_VALLEY_RATIO,
    OVERRIDE_BANDS,
    tou_bands,
    tou_multipliers,
    tou_ratio_issues,
    tou_schedule_names,
)

__all__ = [
    "BASE_BANDS",
    "CONFIDENCE_LEVELS",
    "FEE_FLAGS",
    "MIN_CRITICAL_OVER_PEAK",
    "MIN_PEAK_VALLEY_RATIO",
    "OVERRIDE_BANDS",
    "PER_MWH_COMPONENTS",
    "SELF_USE_METERING",
    "TABLE_NAMES",
    "TARIFF_FIELDS",
    "TOU_FLOAT_COMPONENTS",
    "CbamSector",
    "FeeRegime",
    "HydrogenStandard",
    "PolicyRule",
    "Province",
    "Sourced",
    "TariffField",
    "carbon_market",
    "carbon_market_items",
    "cbam_sector",
    "cbam_sector_keys",
    "coal_rate",
    "coal_rate_years",
    "cost",
    "cost_items",
    "emission_factor",
    "emission_factor_keys",
    "fee_regime",
    "fee_regime_names",
    "flexible_default",
    "hydrogen_standard",
    "load_archetypes",
    "parse_float_components",
    "policy_rule",
    "policy_rule_sets",
    "province",
    "province_bounds",
    "province_keys",
    "raw_table",
    "read_tariff_file",
    "reference_site",
    "tariff",
    "tariff_names",
    "technical_default",
    "tou_bands",
    "tou_multipliers",
    "tou_ratio_issues",
    "tou_schedule_names",
    "tou_schedules_of",
    "turbine_types",
    "weakest",
]
