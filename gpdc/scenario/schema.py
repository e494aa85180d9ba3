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
    # strict: no silent coercion (true -> 1.0 MW, "100" -> 100.0); an integer still counts as a float.
    # defer_build: each model's validator is built at its first use, not at import (the scenario's
    # validator builds its sections' inline): 0.05-0.09 s of CPU less for every command that reads one
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True, defer_build=True)


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
    """Wind plant: rating, turbine, losses and, for the synthetic generator, the site's full-load hours.

    ``full_load_hours_h`` is the site's typical net full-load hours of the *reference* wind
    plant (the default turbine at 120 m hub height with 12 % losses): the synthetic wind
    resource is calibrated to it, and this plant (turbine, hub height by shear, losses) runs
    on that weather.  Only ``capacity_mw`` leaves the capacity-factor profile unchanged;
    every other field may change it (see docs/wind.md and docs/synthetic.md).
    """

    capacity_mw: float = Field(ge=0.0, le=100_000.0)
    full_load_hours_h: float = Field(
        gt=0.0, le=8760.0, description=(
            "the site's typical annual full-load hours of the reference wind plant (default turbine at 120 m hub "
            "height, 12 % losses; profile_defaults.csv reference_wind_*), net of losses: the synthetic generator "
            "calibrates the wind resource to it; this plant's turbine, hub height and losses then change the energy"))
    turbine: str | None = Field(
        default=None, description="windpowerlib turbine type, e.g. 'GE130/3200'; default from profile_defaults.csv")
    power_curve_path: str | None = Field(
        default=None, description="CSV power curve (wind_speed_m_per_s, power_frac); replaces the turbine")
    hub_height_m: float | None = Field(default=None, ge=10.0, le=300.0)
    losses_frac: float | None = Field(
        default=None, ge=0.0, lt=1.0, description="wake, availability and electrical losses; default from data")
    weibull_k: float | None = Field(default=None, gt=1.0, le=5.0, description="synthetic generator: Weibull shape")
    measurement_height_m: float = Field(default=10.0, ge=1.0, le=300.0, description="height of measured speeds")
    shear_model: Literal["power", "log"] = "power"
    shear_exponent: float | None = Field(default=None, ge=0.0, le=1.0, description="power law; default from data")
    roughness_length_m: float | None = Field(default=None, gt=0.0, le=3.0, description="log law; default from data")

    @field_validator("turbine")
    @classmethod
    def _known_turbine(cls, v: str | None) -> str | None:
        if v is None:
            return v
        from gpdc.scenario import tables

        names = tables.turbine_types()
        if v not in names:
            close = [n for n in names if n.split("/")[0] == v.split("/")[0]] or names[:12]
            raise ValueError(f"unknown windpowerlib turbine type; e.g. {', '.join(close)}")
        return v


class Solar(_Section):
    """PV plant (AC rating), its model chain ``pv_model`` and, for the synthetic generator, the site's full-load hours.

    ``full_load_hours_h`` is the site's typical full-load hours per MW AC of the *reference*
    PV plant (fixed tilt at the latitude, DC/AC 1.2, 14 % losses, modelled by ``pv_model``):
    the synthetic irradiance is calibrated to it, and this plant (tracking, DC/AC, losses,
    ...) runs on that weather (see docs/solar.md and docs/synthetic.md).  ``pv_model``:
    ``"gpdc"`` (default) or ``"pvwatts_v8"`` (NREL PVWatts v8's model choices; agrees with
    SAM within 0.1 % a year at 36 and 55 degree north).
    """

    capacity_mw: float = Field(ge=0.0, le=100_000.0)
    full_load_hours_h: float = Field(
        gt=0.0, le=4400.0, description=(
            "the site's typical annual full-load hours per MW AC of the reference PV plant (fixed tilt at the "
            "latitude, DC/AC 1.2, 14 % losses, PVWatts-like; profile_defaults.csv reference_solar_*): the synthetic "
            "generator calibrates the irradiance to it; this plant's tracking, DC/AC and losses then change the "
            "energy"))
    tracking: Literal["fixed", "single_axis"] = "fixed"
    tilt_deg: float | None = Field(default=None, ge=0.0, le=90.0, description="fixed tilt; default |latitude|")
    azimuth_deg: float | None = Field(default=None, ge=0.0, lt=360.0, description="default: facing the equator")
    dc_ac_ratio: float | None = Field(default=None, ge=0.5, le=3.0, description="DC over AC rating; default from data")
    losses_frac: float | None = Field(default=None, ge=0.0, lt=1.0, description="DC system losses; default from data")
    temp_coeff_per_c: float | None = Field(
        default=None, ge=-0.01, le=0.0, description="power temperature coefficient (pv_model 'gpdc' only)")
    tracker_max_angle_deg: float = Field(default=60.0, gt=0.0, le=90.0)
    ground_coverage_frac: float = Field(
        default=0.35, gt=0.0, lt=1.0,
        description="row spacing: single-axis backtracking; with pv_model 'pvwatts_v8' also row self-shading")
    pv_model: Literal["gpdc", "pvwatts_v8"] = Field(
        default="gpdc", description=(
            "PV model chain: 'gpdc' (pvlib Perez, beam-only glass loss, SAPM cell temperature, PVWatts DC and "
            "inverter; the default, unchanged) or 'pvwatts_v8' (NREL PVWatts v8's model choices: sunrise/sunset "
            "hours, Perez as PVWatts, row self-shading, cover loss on beam and diffuse, NOCT cell temperature, CEC "
            "standard module, Sandia inverter; agrees with SAM PVWatts v8 within 0.1 % a year); see docs/solar.md"))

    @model_validator(mode="after")
    def _model_fields(self) -> Solar:
        if self.pv_model == "pvwatts_v8" and self.temp_coeff_per_c is not None:
            raise ValueError(
                "temp_coeff_per_c applies to pv_model = 'gpdc' only: 'pvwatts_v8' uses PVWatts' standard module "
                "(CEC single-diode parameters); leave it unset")
        return self


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
    grid_charging: bool = Field(
        default=False, description="permission: storage may charge from the grid (TOU arbitrage) in hours priced at "
        "or below grid_charge_max_price_yuan_per_mwh")
    grid_charge_max_price_yuan_per_mwh: float | None = Field(default=None, ge=-10_000.0, le=100_000.0)
    import_target_mw: float | None = Field(
        default=None, ge=1e-6, le=100_000.0, description="peak shaving: storage keeps its energy for the deficit "
        "above this import (cuts the month's maximum import, the demand charge); grid charging, where allowed, "
        "stays below it. Unset: green-first, storage covers every deficit")
    strategy: Literal["green_first", "lookahead"] = Field(
        default="green_first", description="discharge strategy: green_first serves every deficit from storage at once; "
        "lookahead plans once a day, from the next lookahead_h hours of generation, load and import prices, a floor "
        "of stored energy kept for dearer hours (docs/dispatch.md)")
    lookahead_h: float = Field(
        default=24.0, ge=1.0, le=168.0, description="lookahead: hours ahead the daily plan sees (24: a day-ahead "
        "forecast, closes ~90 % of the gap to the LP; 48 sees the night after next and closes ~99 %, at about 1.2x "
        "the cost per scenario-hour; docs/dispatch.md)")
    forecast: Literal["perfect", "persistence"] = Field(
        default="perfect", description="lookahead: generation and load ahead as they will be (perfect) or as "
        "yesterday's repeated (persistence; the first day runs green-first); prices are the known tariff")

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
    connection_mva: float | None = Field(
        default=None, gt=0.0, le=100_000.0,
        description="capacity connected to the public grid (transformers in use), basis of capacity charges; "
        "default import_mw")


class Load(_Section):
    """The user's load: an archetype scaled to annual energy or peak (synthetic profiles)."""

    archetype: str = "flat"
    annual_mwh: float | None = Field(default=None, gt=0.0, le=1e9)
    peak_mw: float | None = Field(default=None, gt=0.0, le=1e6)

    @field_validator("archetype")
    @classmethod
    def _known_archetype(cls, v: str) -> str:
        from gpdc.scenario import tables

        valid = tables.load_archetypes()
        if v not in valid:
            raise ValueError(f"unknown load archetype; valid: {', '.join(valid)}")
        return v

    @model_validator(mode="after")
    def _one_scale(self) -> Load:
        if (self.annual_mwh is None) == (self.peak_mw is None):
            raise ValueError("give exactly one of annual_mwh or peak_mw")
        return self


def _flexible(item: str) -> float:
    """Return a default from ``hydrogen_defaults.csv`` (where its source, date and confidence are recorded)."""
    from gpdc.scenario import tables

    return tables.flexible_default(item).value


class Electrolyser(_Section):
    """An electrolyser at the user bus (docs/flexible.md): rating, minimum load, specific energy, switches.

    ``specific_energy_kwh_per_kg`` is the *system* figure at rated load (stack and balance of
    plant); ``compression_kwh_per_kg`` the compressor's into the store; their sum is the
    electricity per kg of hydrogen.  Below ``min_load_frac`` the electrolyser is off
    (``below_min_load = "off"``) or held at the minimum from storage, then grid
    (``"hold"``); ``grid_draw`` lets it draw grid power to hold the minimum or to meet the
    offtake when the store runs dry.
    """

    capacity_mw: float = Field(ge=0.0, le=100_000.0, description="rated electrical input, balance of plant included")
    min_load_frac: float = Field(default_factory=lambda: _flexible("electrolyser_min_load_frac"), ge=0.0, lt=1.0)
    specific_energy_kwh_per_kg: float = Field(
        default_factory=lambda: _flexible("electrolyser_specific_energy_kwh_per_kg"), gt=33.3, le=100.0,
        description="system electricity per kg of hydrogen at rated load (above the 33.3 kWh/kg lower heating value)")
    compression_kwh_per_kg: float = Field(
        default_factory=lambda: _flexible("compression_kwh_per_kg"), ge=0.0, le=10.0)
    standby_frac: float = Field(
        default=0.0, ge=0.0, le=0.2, description="stand-by power in steps without production, share of the rating "
        "(0: none; hydrogen_defaults.csv electrolyser_standby_frac has a recalled 2 %)")
    below_min_load: Literal["off", "hold"] = "off"
    grid_draw: bool = Field(default=False, description="may draw grid power (to hold the minimum load, to meet the "
                            "offtake when the store is dry)")
    capex_yuan_per_kw: float | None = Field(default=None, ge=0.0, le=100_000.0)
    om_frac_per_year: float | None = Field(default=None, ge=0.0, le=1.0, description="fixed O&M, share of capex")


class Hydrogen(_Section):
    """The hydrogen store and offtake of an electrolyser: tank, initial fill, offtake profile, unmet offtake.

    The offtake is one of ``offtake_kg_per_h`` (constant), ``offtake_kg_per_day`` (spread evenly
    over the day's hours) or ``offtake_csv`` (columns time, offtake_kg_per_h; local time).
    """

    tank_kg: float = Field(default=0.0, ge=0.0, le=1e9, description="usable hydrogen storage")
    initial_fill_frac: float = Field(default=0.0, ge=0.0, le=1.0, description="share of tank_kg in store at the start")
    offtake_kg_per_h: float | None = Field(default=None, ge=0.0, le=1e7)
    offtake_kg_per_day: float | None = Field(default=None, ge=0.0, le=1e8)
    offtake_csv: str | None = Field(default=None, description="CSV of time, offtake_kg_per_h")
    unmet_allowed: bool = Field(
        default=True, description="true: unmet offtake is reported and costs unmet_value_yuan_per_kg; false: it must "
        "be met (a design that misses it fails meets_hydrogen_offtake; the LP forbids it)")
    unmet_value_yuan_per_kg: float | None = Field(
        default=None, ge=0.0, le=10_000.0, description="what an unmet kg costs (bought-in grey hydrogen); default "
        "from hydrogen_defaults.csv")
    tank_capex_yuan_per_kg: float | None = Field(default=None, ge=0.0, le=100_000.0)
    tank_om_frac_per_year: float | None = Field(default=None, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _one_offtake(self) -> Hydrogen:
        given = [f for f in ("offtake_kg_per_h", "offtake_kg_per_day", "offtake_csv") if getattr(self, f) is not None]
        if len(given) > 1:
            raise ValueError(f"give one offtake: offtake_kg_per_h, offtake_kg_per_day or offtake_csv, not {given}")
        return self


class FlexibleLoad(_Section):
    """A shiftable load: energy per window (a day or a week) within allowed hours, up to a power (docs/flexible.md)."""

    max_power_mw: float = Field(ge=0.0, le=100_000.0)
    energy_per_period_mwh: float = Field(ge=0.0, le=1e8, description="energy to serve in each window")
    period: Literal["day", "week"] = "day"
    allowed_hours: list[int] = Field(
        default_factory=lambda: list(range(24)), min_length=1, max_length=24,
        description="hours of the day (0-23, local time) in which it may run")

    @field_validator("allowed_hours")
    @classmethod
    def _hours(cls, v: list[int]) -> list[int]:
        if any(not 0 <= h <= 23 for h in v) or len(set(v)) != len(v):
            raise ValueError("must be distinct hours of the day 0-23")
        return sorted(v)

    @model_validator(mode="after")
    def _servable(self) -> FlexibleLoad:
        days = 7 if self.period == "week" else 1
        most = self.max_power_mw * len(self.allowed_hours) * days
        if self.energy_per_period_mwh > most * (1.0 + 1e-9):
            raise ValueError(f"energy_per_period_mwh = {self.energy_per_period_mwh:g} exceeds what max_power_mw can "
                             f"serve in the allowed hours of a {self.period} ({most:g} MWh)")
        return self


class EvFleet(_Section):
    """An EV fleet charging at the user bus, with optional vehicle-to-grid to the bus (docs/flexible.md).

    Per vehicle: battery, charger, the energy it drives away with each day (taken when it leaves);
    the fleet is plugged in from ``plug_in_hour`` to ``departure_hour`` (local time) every day,
    or as ``plugged_csv`` says (columns time, plugged 0/1).
    """

    vehicles: int = Field(ge=0, le=10_000_000)
    battery_kwh: float = Field(gt=0.0, le=10_000.0, description="usable battery per vehicle")
    charger_kw: float = Field(gt=0.0, le=10_000.0, description="charging power per vehicle")
    energy_kwh_per_day: float = Field(ge=0.0, le=10_000.0, description="driven away per vehicle and day")
    plug_in_hour: int = Field(default=18, ge=0, le=23)
    departure_hour: int = Field(default=7, ge=0, le=23)
    plugged_csv: str | None = Field(default=None, description="CSV of time, plugged (1 plugged in, 0 away)")
    v2g_kw: float = Field(default=0.0, ge=0.0, le=10_000.0, description="V2G power per vehicle to the bus (0: none)")
    v2g_min_soc_frac: float = Field(default=0.3, ge=0.0, le=1.0, description="V2G never takes a vehicle below it")
    initial_soc_frac: float = Field(default=0.5, ge=0.0, le=1.0)
    charge_efficiency_frac: float | None = Field(default=None, gt=0.0, le=1.0)
    degradation_cost_yuan_per_mwh: float | None = Field(
        default=None, ge=0.0, le=100_000.0, description="battery wear per MWh discharged by V2G")

    @model_validator(mode="after")
    def _consistent(self) -> EvFleet:
        if self.energy_kwh_per_day > self.battery_kwh:
            raise ValueError(f"energy_kwh_per_day ({self.energy_kwh_per_day:g}) exceeds battery_kwh "
                             f"({self.battery_kwh:g})")
        if self.plugged_csv is None and self.plug_in_hour == self.departure_hour:
            raise ValueError("plug_in_hour and departure_hour must differ (the fleet is away in between)")
        return self


class Tariff(_Section):
    """Grid tariff seen by the user and the fee regime of the project (see docs/tariffs.md).

    Unset numbers come from the tariff file: ``file`` (a CSV in the format of
    ``gpdc/scenario/data/tariffs.csv``), else the built-in tariff ``name``, else the built-in
    tariff of the site's province, else the province's row of ``provinces.csv``.

    Per MWh drawn from the grid: the energy price and the per-MWh components the fee regime
    puts on drawn energy — ``td_energy_yuan_per_mwh`` (energy-rate T&D price),
    ``funds_yuan_per_mwh`` (government funds and surcharges), ``system_operation_yuan_per_mwh``,
    the generation-side line loss (``energy_price x line_loss_rate_frac / (1 - line_loss_rate_frac)``)
    and ``capacity_compensation_yuan_per_mwh`` (Shandong).  The components named in
    ``tou_float_components`` (always the energy price) are multiplied by the hour's TOU
    multiplier, the others are added flat; ``energy_price_csv`` (e.g. spot prices) replaces
    energy price x TOU multiplier and adds every other component flat.  Monthly: the basic
    charge (capacity per kVA of ``grid.connection_mva`` or demand per kW of the month's maximum
    import) and, under ``nearby_consumption_2025``, the 1192号 capacity fee.
    """

    name: str | None = Field(default=None, description="built-in tariff of tariffs.csv; default: the province's")
    file: str | None = Field(default=None, description="a tariff CSV in the format of tariffs.csv (one tariff)")
    tou_schedule: str | None = None
    energy_price_yuan_per_mwh: float | None = Field(default=None, ge=-5_000.0, le=20_000.0)
    energy_price_csv: str | None = Field(
        default=None, description="CSV of time, price_yuan_per_mwh: an hourly energy price (e.g. spot) that "
        "replaces energy_price x TOU multiplier")
    td_energy_yuan_per_mwh: float | None = Field(default=None, ge=0.0, le=10_000.0)
    funds_yuan_per_mwh: float | None = Field(default=None, ge=0.0, le=10_000.0)
    system_operation_yuan_per_mwh: float | None = Field(default=None, ge=0.0, le=10_000.0)
    line_loss_rate_frac: float | None = Field(
        default=None, ge=0.0, lt=0.5, description="generation-side (上网环节) line-loss rate: the charge per MWh "
        "drawn is energy price x rate / (1 - rate)")
    capacity_compensation_yuan_per_mwh: float | None = Field(
        default=None, ge=0.0, le=10_000.0,
        description="capacity-compensation price per MWh drawn (Shandong 容量补偿电价)")
    tou_float_components: list[str] | None = Field(
        default=None, description="the components the TOU multiplier acts on: energy plus any of td_energy, funds, "
        "system_operation, line_loss, capacity_compensation")
    adders_yuan_per_mwh: float | None = Field(
        default=None, ge=0.0, le=10_000.0,
        description="one lump for the per-kWh components, counted as the T&D energy rate (funds, system-operation "
        "fee, line loss and capacity compensation 0); not together with them")
    capacity_charge_yuan_per_kva_month: float | None = Field(default=None, ge=0.0, le=1_000.0)
    demand_charge_yuan_per_kw_month: float | None = Field(default=None, ge=0.0, le=1_000.0)
    basic_charge_basis: Literal["capacity", "demand"] | None = Field(
        default=None, description="capacity: per kVA of connection; demand: per kW of the month's maximum import")
    average_load_rate_frac: float | None = Field(
        default=None, gt=0.0, le=1.0, description="1192号 average load rate of the capacity-based T&D fee")
    export_price_yuan_per_mwh: float | None = Field(default=None, ge=-5_000.0, le=20_000.0)
    export_price_csv: str | None = Field(
        default=None, description="CSV of time, price_yuan_per_mwh: export paid at an hourly price")
    export_paid: bool = Field(default=True, description="false: exported energy earns nothing")
    fee_regime: str = "pilot_exemption"
    self_use_fee_yuan_per_mwh: float | None = Field(
        default=None, ge=0.0, le=10_000.0, description="replaces the regime's per-MWh fee on self-used energy")

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

    @field_validator("tou_float_components")
    @classmethod
    def _known_components(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        from gpdc.errors import DataTableError
        from gpdc.scenario import tables

        try:
            return list(tables.parse_float_components(",".join(v), "tariff"))
        except DataTableError:
            raise ValueError(f"must name distinct components, energy included, each one of "
                             f"{', '.join(tables.TOU_FLOAT_COMPONENTS)}") from None

    @field_validator("name")
    @classmethod
    def _known_tariff(cls, v: str | None) -> str | None:
        if v is None:
            return v
        from gpdc.scenario import tables

        names = tables.tariff_names()
        if v not in names:
            raise ValueError(f"unknown tariff; valid: {', '.join(names)}")
        return v

    @field_validator("fee_regime")
    @classmethod
    def _known_regime(cls, v: str) -> str:
        from gpdc.scenario import tables

        names = tables.fee_regime_names()
        if v not in names:
            raise ValueError(f"must be one of {', '.join(names)}")
        return v

    @model_validator(mode="after")
    def _one_adder_form(self) -> Tariff:
        split = [f for f in ("td_energy_yuan_per_mwh", "funds_yuan_per_mwh", "system_operation_yuan_per_mwh",
                             "line_loss_rate_frac", "capacity_compensation_yuan_per_mwh")
                 if getattr(self, f) is not None]
        if self.adders_yuan_per_mwh is not None and split:
            raise ValueError(f"adders_yuan_per_mwh is a lump of the per-kWh components: give it or {', '.join(split)}"
                             ", not both")
        if self.energy_price_csv is not None and (self.energy_price_yuan_per_mwh is not None
                                                  or self.tou_schedule is not None):
            raise ValueError("energy_price_csv is the hourly energy price: give it or energy_price_yuan_per_mwh "
                             "and tou_schedule, not both")
        if self.export_price_csv is not None and self.export_price_yuan_per_mwh is not None:
            raise ValueError("give export_price_yuan_per_mwh (flat) or export_price_csv (hourly), not both")
        return self


class Policy(_Section):
    """The rule set the project is judged by; thresholds may be overridden one by one."""

    rule_set: str = "national_2025"
    min_self_use_frac: float | None = Field(default=None, ge=0.0, le=1.0)
    min_green_share_of_load_frac: float | None = Field(default=None, ge=0.0, le=1.0)
    max_export_frac: float | None = Field(default=None, ge=0.0, le=1.0)
    self_use_metering: Literal["plant", "user_bus"] | None = Field(
        default=None, description="where the self-use share's numerator is metered: plant (before the dedicated line's "
        "loss) or user_bus (where it is used); default: the rule set's")

    @field_validator("rule_set")
    @classmethod
    def _known_rule_set(cls, v: str) -> str:
        from gpdc.scenario import tables

        names = tables.policy_rule_sets()
        if v not in names:
            raise ValueError(f"unknown policy rule set; valid: {', '.join(names)}")
        return v


class Emissions(_Section):
    """The emission-factor basis for avoided CO2, the coal rate for standard coal, and CBAM prices."""

    basis: Literal["grid_average", "grid_average_excl_traded_nonfossil", "provincial", "regional", "fossil"] = (
        "grid_average")
    factor_year: int = Field(default=2022, ge=2000, le=2100)
    factor_t_co2_per_mwh: float | None = Field(default=None, ge=0.0, le=2.0)
    coal_rate_year: int = Field(default=2020, ge=2000, le=2100)
    coal_rate_g_ce_per_kwh: float | None = Field(default=None, gt=0.0, le=600.0)
    account_basis: Literal[
        "grid_average", "grid_average_excl_traded_nonfossil", "provincial", "regional", "fossil"] | None = Field(
        default=None, description="factor basis of the user's own emissions; default: basis, but grid_average "
        "where basis is fossil")
    account_factor_t_co2_per_mwh: float | None = Field(default=None, ge=0.0, le=2.0)
    count_export_in_avoided: bool = Field(
        default=False, description="also count exported green energy as displacing grid generation")
    hourly_factors_csv: str | None = Field(
        default=None, description="CSV of time, factor_t_co2_per_mwh: the user's emissions hour by hour")
    eu_carbon_price_eur_per_t_co2: float | None = Field(default=None, ge=0.0, le=10_000.0)
    exchange_rate_yuan_per_eur: float | None = Field(default=None, gt=0.0, le=1_000.0)
    china_carbon_price_paid_yuan_per_t_co2: float | None = Field(default=None, ge=0.0, le=100_000.0)


class Product(_Section):
    """A product made at the site (one ``[[products]]`` table each): its carbon footprint and CBAM exposure."""

    name: str = Field(min_length=1)
    sector: str = Field(description="CBAM sector key of cbam_sectors.csv, e.g. cement, aluminium, other")
    output_t_per_year: float = Field(gt=0.0, le=1e10)
    electricity_kwh_per_t: float = Field(ge=0.0, le=1e6)
    direct_t_co2_per_t: float = Field(default=0.0, ge=0.0, le=100.0, description="direct (scope 1) emissions")

    @field_validator("sector")
    @classmethod
    def _known_sector(cls, v: str) -> str:
        from gpdc.scenario import tables

        keys = tables.cbam_sector_keys()
        if v not in keys:
            raise ValueError(f"unknown CBAM sector; valid: {', '.join(keys)}")
        return v


class ReportedFigure(_Section):
    """A figure reported elsewhere for this project (``[[reported]]``), printed beside gpdc's own.

    ``metric`` names a result variable (``docs/metrics.md``); for a per-product variable,
    ``product`` names the ``[[products]]`` entry.  ``low`` (and ``high`` for a range) are in the
    variable's unit, e.g. 50 yuan/MWh for "0.05 yuan/kWh".
    """

    metric: str = Field(min_length=1, description="result variable, e.g. savings_yuan_per_mwh")
    product: str | None = Field(default=None, description="the [[products]] name, for a per-product variable")
    low: float = Field(description="the reported value (or the low end of a range), in the variable's unit")
    high: float | None = Field(default=None, description="the high end of a reported range")
    as_reported: str = Field(min_length=1, description="the figure as the source words it")
    source: str = Field(min_length=1, description="where it was reported")

    @model_validator(mode="after")
    def _ordered(self) -> ReportedFigure:
        if self.high is not None and self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


class Finance(_Section):
    """Capital and operating costs; unset numbers come from the cost table."""

    wind_capex_yuan_per_kw: float | None = Field(default=None, ge=0.0, le=100_000.0)
    solar_capex_yuan_per_kw: float | None = Field(default=None, ge=0.0, le=100_000.0)
    storage_capex_yuan_per_kwh: float | None = Field(default=None, ge=0.0, le=100_000.0)
    line_capex_yuan_per_km: float | None = Field(default=None, ge=0.0, le=1e9)
    wind_om_yuan_per_kw_year: float | None = Field(default=None, ge=0.0, le=10_000.0)
    solar_om_yuan_per_kw_year: float | None = Field(default=None, ge=0.0, le=10_000.0)
    storage_om_frac_per_year: float | None = Field(default=None, ge=0.0, le=1.0)
    lifetime_years: float | None = Field(
        default=None, gt=0.0, le=100.0, description="project life; the cash flow runs round(lifetime) years")
    discount_rate_frac: float | None = Field(default=None, ge=0.0, le=1.0)
    storage_power_capex_yuan_per_kw: float = Field(
        default=0.0, ge=0.0, le=100_000.0, description="per kW of storage power, on top of the per-kWh price")
    line_bays_capex_yuan: float = Field(default=0.0, ge=0.0, le=1e11, description="line bays and substation works")
    grid_connection_capex_yuan: float = Field(default=0.0, ge=0.0, le=1e11, description="grid connection works")
    storage_lifetime_years: float | None = Field(default=None, gt=0.0, le=100.0)
    storage_replacement_cost_frac: float | None = Field(
        default=None, ge=0.0, le=2.0, description="replacement cost as a share of the initial storage capex")
    tariff_escalation_frac_per_year: float | None = Field(
        default=None, ge=-0.5, le=0.5, description="yearly change of the grid bill, fees and export revenue")
    pv_degradation_frac_per_year: float | None = Field(
        default=None, ge=0.0, le=0.2, description="PV output lost per year; > 0 re-dispatches every year of the life")
    battery_degradation_frac_per_year: float | None = Field(
        default=None, ge=0.0, le=0.5, description="usable storage energy lost per year (new again at replacement)")


class ProfileSource(_Section):
    """Where the hourly profiles come from: synthetic weather, a profile CSV, or weather files.

    ``weather_path`` and the ``*_ninja_path`` / ``csv_path`` files may contain ``{year}``,
    replaced by each of ``years`` (a real-year ensemble).  ``ensemble_size`` > 1 asks the
    synthetic generator for that many weather years, varying around the typical year.
    ``load_csv_path`` always wins over the load archetype.
    """

    source: Literal["synthetic", "csv", "weather"] = "synthetic"
    csv_path: str | None = None
    weather_path: str | None = None
    weather_format: Literal["tmy3", "epw", "pvgis", "nsrdb", "csv"] | None = None
    solar_ninja_path: str | None = None
    wind_ninja_path: str | None = None
    load_csv_path: str | None = None
    year: int = Field(default=2025, ge=1900, le=2100)
    years: list[int] | None = Field(default=None, min_length=1, max_length=100)
    ensemble_size: int = Field(
        default=1, ge=1, le=1000,
        description=("synthetic weather years; 1 is the typical year (reference plants hit the full-load hours); "
                     "each member of a larger ensemble has its own seeded inter-annual resource factor (CV 6 % wind, "
                     "3 % PV; profile_defaults.csv interannual_cv_*), mean 1"))

    @model_validator(mode="after")
    def _csv_needs_path(self) -> ProfileSource:
        if self.source == "csv" and not self.csv_path:
            raise ValueError("source = 'csv' needs csv_path (columns time, cf_wind, cf_solar, load_mw)")
        if self.source == "weather" and not (self.weather_path or (self.solar_ninja_path and self.wind_ninja_path)):
            raise ValueError("source = 'weather' needs weather_path (and weather_format), or both ninja paths")
        if self.weather_path and self.weather_format is None:
            raise ValueError("weather_path needs weather_format: tmy3, epw, pvgis, nsrdb or csv")
        if self.years is not None and self.ensemble_size > 1:
            raise ValueError("give either years (real weather years) or ensemble_size (synthetic years), not both")
        if self.years is not None and self.source == "synthetic":
            raise ValueError("years needs weather files (source = 'csv' or 'weather'); use ensemble_size instead")
        if self.years is not None and len(set(self.years)) != len(self.years):
            raise ValueError("years must not repeat")
        return self


#: plausibility warnings a scenario may silence with ``ignore_warnings`` (gpdc.scenario.checks), and when each is given
WARNING_DESCRIPTIONS: dict[str, str] = {
    "import_below_peak": "grid.import_mw is below the peak load: load beyond it goes unserved when green supply falls short",
    "line_below_plants": "line.rating_mw is under 30 % of the plants' rating: the line curtails most of the generation",
    "no_generation": "no wind and no PV: the shares of generation are undefined",
    "tou_ratio": "the TOU schedule falls short of the 2021 national notice's ratios (peak/valley >= 3, critical peak >= 1.2 x peak)",
    "site_outside_province": "the site's coordinates lie outside the province's bounds (province_bounds.csv)",
    "tariff_of_other_province": "tariff.name is the built-in tariff of another province",
    "tou_of_other_province": "tariff.tou_schedule is a schedule of another province",
    "load_csv_differs": "a load file's energy (or peak) differs from [load] by more than 10 % (the file is used)",
    "load_looks_like_kw": "a load file gives about 1000 x the energy [load] states: probably kW, not MW",
    "zero_load": "the load is 0 in every hour: the green share of load and the bill per MWh are undefined",
    "cbam_direct_zero": "a CBAM good without direct emissions: its CBAM cost shows as zero",
    "products_exceed_load": "the products use more electricity than the load",
    "weather_file_elsewhere": "a weather file states a location more than 100 km from the site",
}
WARNING_CODES: tuple[str, ...] = tuple(WARNING_DESCRIPTIONS)


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
    products: list[Product] = Field(default_factory=list, description="[[products]] tables")
    reported: list[ReportedFigure] = Field(default_factory=list,
                                           description="[[reported]] tables: figures reported elsewhere, shown beside gpdc's")
    ignore_warnings: list[str] = Field(default_factory=list, description="plausibility warnings to silence, by code")
    electrolyser: Electrolyser | None = None
    hydrogen: Hydrogen | None = None
    flexible_load: FlexibleLoad | None = None
    ev_fleet: EvFleet | None = None

    @property
    def has_flexible(self) -> bool:
        """Whether the scenario has a flexible element (electrolyser, shiftable load or EV fleet)."""
        return self.electrolyser is not None or self.flexible_load is not None or self.ev_fleet is not None

    @model_validator(mode="after")
    def _lookahead_without_flexible(self) -> Scenario:
        if self.storage.strategy == "lookahead" and self.has_flexible:
            raise ValueError("storage.strategy = 'lookahead' is not available with flexible elements (electrolyser, "
                             "shiftable load, EV fleet): their storage rule decides the discharge")
        return self

    @model_validator(mode="after")
    def _hydrogen_needs_electrolyser(self) -> Scenario:
        if self.hydrogen is not None and self.electrolyser is None:
            raise ValueError("[hydrogen] (store and offtake) needs an [electrolyser] section")
        return self

    @field_validator("ignore_warnings")
    @classmethod
    def _known_codes(cls, v: list[str]) -> list[str]:
        unknown = [c for c in v if c not in WARNING_CODES]
        if unknown:
            raise ValueError(f"unknown warning code {unknown[0]!r}; valid: {', '.join(WARNING_CODES)}")
        return v

    @model_validator(mode="after")
    def _reported_products_exist(self) -> Scenario:
        names = [p.name for p in self.products]
        for k, r in enumerate(self.reported):
            if r.product is not None and r.product not in names:
                raise ValueError(f"reported[{k}].product {r.product!r} is not a [[products]] name; names: "
                                 f"{', '.join(names) or '(no [[products]])'}")
        return self

    @field_validator("products")
    @classmethod
    def _unique_product_names(cls, v: list[Product]) -> list[Product]:
        names = [p.name for p in v]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"product names must be unique; repeated: {', '.join(dup)}")
        return v
