"""Validated scenario: the pydantic models of a scenario file, one per TOML section.

Every numeric field has its unit in its name (see :mod:`gpdc.units`) and bounds that say
what is allowed.  Fields whose default comes from the world (tariffs, emission factors,
costs, policy thresholds) default to ``None`` here and are filled from the data tables in
:mod:`gpdc.scenario.tables` by :func:`gpdc.scenario.resolve.resolve`, which records where
each number came from.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


def _technical(item: str) -> float:
    """Return a default from ``technical_defaults.csv`` (where its source is recorded)."""
    from gpdc.scenario import tables

    return tables.technical_default(item).value


class _Section(BaseModel):
    # strict: no silent coercion (true -> 1.0 MW, "100" -> 100.0); an integer still counts as a float
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


class Site(_Section):
    """Where the project is: drives solar geometry, tariffs and emission factors."""

    name: str = Field(min_length=1)
    province: str = Field(description="province or provincial grid key, e.g. inner_mongolia_west")
    latitude_deg: float = Field(ge=-90.0, le=90.0)
    longitude_deg: float = Field(ge=-180.0, le=180.0)
    elevation_m: float = Field(default=0.0, ge=-500.0, le=9000.0)
    timezone: str = "Asia/Shanghai"

    @field_validator("province")
    @classmethod
    def _known_province(cls, v: str) -> str:
        from gpdc.scenario import tables

        keys = tables.province_keys()
        if v not in keys:
            raise ValueError(f"unknown province; valid: {', '.join(keys)}")
        return v

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, v: str) -> str:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown IANA time zone, e.g. 'Asia/Shanghai'") from None
        return v


class Wind(_Section):
    """Wind plant: rating and, for the synthetic generator, the site's full-load hours."""

    capacity_mw: float = Field(ge=0.0, le=100_000.0)
    full_load_hours_h: float = Field(gt=0.0, le=8760.0, description="the site's annual full-load hours")


class Solar(_Section):
    """PV plant (AC rating) and, for the synthetic generator, the site's full-load hours."""

    capacity_mw: float = Field(ge=0.0, le=100_000.0)
    full_load_hours_h: float = Field(gt=0.0, le=4400.0, description="the site's annual full-load hours")


class Line(_Section):
    """The dedicated line from the plants to the user's bus."""

    rating_mw: float = Field(gt=0.0, le=100_000.0)
    loss_frac: float = Field(default_factory=lambda: _technical("line_loss_frac"), ge=0.0, lt=0.5)
    length_km: float = Field(default=0.0, ge=0.0, le=2000.0)


class Storage(_Section):
    """Battery at the user's bus.  ``energy_mwh = 0`` means no storage."""

    power_mw: float = Field(default=0.0, ge=0.0, le=100_000.0)
    energy_mwh: float = Field(default=0.0, ge=0.0, le=1_000_000.0)
    charge_efficiency_frac: float = Field(
        default_factory=lambda: _technical("storage_charge_efficiency_frac"), gt=0.0, le=1.0)
    discharge_efficiency_frac: float = Field(
        default_factory=lambda: _technical("storage_discharge_efficiency_frac"), gt=0.0, le=1.0)
    soc_min_frac: float = Field(default_factory=lambda: _technical("storage_soc_min_frac"), ge=0.0, lt=1.0)
    soc_max_frac: float = Field(default_factory=lambda: _technical("storage_soc_max_frac"), gt=0.0, le=1.0)
    initial_soc_frac: float | None = Field(default=None, ge=0.0, le=1.0)
    grid_charging: bool = False
    grid_charge_max_price_yuan_per_mwh: float | None = Field(default=None, ge=-10_000.0, le=100_000.0)

    @model_validator(mode="after")
    def _consistent(self) -> Storage:
        if self.soc_max_frac <= self.soc_min_frac:
            raise ValueError(
                f"soc_max_frac ({self.soc_max_frac}) must be > soc_min_frac ({self.soc_min_frac})"
            )
        if self.initial_soc_frac is not None and not (
            self.soc_min_frac <= self.initial_soc_frac <= self.soc_max_frac
        ):
            raise ValueError(
                f"initial_soc_frac ({self.initial_soc_frac}) must lie between soc_min_frac "
                f"({self.soc_min_frac}) and soc_max_frac ({self.soc_max_frac})"
            )
        if self.grid_charging and self.grid_charge_max_price_yuan_per_mwh is None:
            raise ValueError(
                "grid_charging = true needs grid_charge_max_price_yuan_per_mwh "
                "(storage charges from the grid in hours priced at or below it)"
            )
        return self


class Grid(_Section):
    """The project's connection to the public grid."""

    import_mw: float = Field(ge=0.0, le=100_000.0)
    export_mw: float = Field(default=0.0, ge=0.0, le=100_000.0)
    export_allowed: bool = Field(
        default=True,
        description="false where the spot market does not run continuously: no reverse flow",
    )
    export_cap_frac: float | None = Field(
        default=None, ge=0.0, le=1.0, description="default: the policy rule set's max_export_frac"
    )
    export_cap_rule: Literal["running", "budget"] = "running"


class Load(_Section):
    """The user's load: an archetype scaled to annual energy or peak (synthetic profiles)."""

    archetype: str = "flat"
    annual_mwh: float | None = Field(default=None, gt=0.0, le=1e9)
    peak_mw: float | None = Field(default=None, gt=0.0, le=1e6)

    @field_validator("archetype")
    @classmethod
    def _known_archetype(cls, v: str) -> str:
        from gpdc.profiles.load import ARCHETYPES

        if v not in ARCHETYPES:
            raise ValueError(f"unknown load archetype; valid: {', '.join(sorted(ARCHETYPES))}")
        return v

    @model_validator(mode="after")
    def _one_scale(self) -> Load:
        if (self.annual_mwh is None) == (self.peak_mw is None):
            raise ValueError("give exactly one of annual_mwh or peak_mw")
        return self


class Tariff(_Section):
    """Grid tariff seen by the user.  Unset numbers come from the province's data row.

    Hourly import price = ``energy_price_yuan_per_mwh`` x TOU multiplier of the hour +
    ``adders_yuan_per_mwh`` (the non-floating components: T&D energy rate, government
    funds, system-operation fee).
    """

    tou_schedule: str | None = None
    energy_price_yuan_per_mwh: float | None = Field(default=None, ge=-5_000.0, le=20_000.0)
    adders_yuan_per_mwh: float | None = Field(default=None, ge=0.0, le=10_000.0)
    export_price_yuan_per_mwh: float | None = Field(default=None, ge=-5_000.0, le=20_000.0)
    fee_regime: Literal["pilot_exemption", "full_cost_sharing"] = "pilot_exemption"
    self_use_fee_yuan_per_mwh: float | None = Field(default=None, ge=0.0, le=10_000.0)

    @field_validator("tou_schedule")
    @classmethod
    def _known_schedule(cls, v: str | None) -> str | None:
        if v is None:
            return v
        from gpdc.scenario import tables

        names = tables.tou_schedule_names()
        if v not in names:
            raise ValueError(f"unknown TOU schedule; valid: {', '.join(names)}")
        return v


class Policy(_Section):
    """The rule set the project is judged by; thresholds may be overridden one by one."""

    rule_set: str = "national_2025"
    min_self_use_frac: float | None = Field(default=None, ge=0.0, le=1.0)
    min_green_share_of_load_frac: float | None = Field(default=None, ge=0.0, le=1.0)
    max_export_frac: float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("rule_set")
    @classmethod
    def _known_rule_set(cls, v: str) -> str:
        from gpdc.scenario import tables

        names = tables.policy_rule_sets()
        if v not in names:
            raise ValueError(f"unknown policy rule set; valid: {', '.join(names)}")
        return v


class Emissions(_Section):
    """The emission-factor basis for avoided CO2, and the coal rate for standard coal."""

    basis: Literal["grid_average", "provincial", "regional", "fossil"] = "grid_average"
    factor_year: int = Field(default=2022, ge=2000, le=2100)
    factor_t_co2_per_mwh: float | None = Field(default=None, ge=0.0, le=2.0)
    coal_rate_year: int = Field(default=2020, ge=2000, le=2100)
    coal_rate_g_ce_per_kwh: float | None = Field(default=None, gt=0.0, le=600.0)


class Finance(_Section):
    """Capital and operating costs; unset numbers come from the cost table."""

    wind_capex_yuan_per_kw: float | None = Field(default=None, ge=0.0, le=100_000.0)
    solar_capex_yuan_per_kw: float | None = Field(default=None, ge=0.0, le=100_000.0)
    storage_capex_yuan_per_kwh: float | None = Field(default=None, ge=0.0, le=100_000.0)
    line_capex_yuan_per_km: float | None = Field(default=None, ge=0.0, le=1e9)
    wind_om_yuan_per_kw_year: float | None = Field(default=None, ge=0.0, le=10_000.0)
    solar_om_yuan_per_kw_year: float | None = Field(default=None, ge=0.0, le=10_000.0)
    storage_om_frac_per_year: float | None = Field(default=None, ge=0.0, le=1.0)
    lifetime_years: float | None = Field(default=None, gt=0.0, le=100.0)
    discount_rate_frac: float | None = Field(default=None, ge=0.0, le=1.0)


class ProfileSource(_Section):
    """Where the hourly profiles come from."""

    source: Literal["synthetic", "csv"] = "synthetic"
    csv_path: str | None = None
    year: int = Field(default=2025, ge=1900, le=2100)

    @model_validator(mode="after")
    def _csv_needs_path(self) -> ProfileSource:
        if self.source == "csv" and not self.csv_path:
            raise ValueError("source = 'csv' needs csv_path (columns time, cf_wind, cf_solar, load_mw)")
        return self


class Scenario(_Section):
    """One project design over one year: the root of a scenario file."""

    name: str = Field(min_length=1)
    description: str = ""
    seed: int = Field(default=0, ge=0, le=2**63 - 1)
    site: Site
    wind: Wind
    solar: Solar
    line: Line
    storage: Storage = Field(default_factory=Storage)
    grid: Grid
    load: Load
    tariff: Tariff = Field(default_factory=Tariff)
    policy: Policy = Field(default_factory=Policy)
    emissions: Emissions = Field(default_factory=Emissions)
    finance: Finance = Field(default_factory=Finance)
    profiles: ProfileSource = Field(default_factory=ProfileSource)
