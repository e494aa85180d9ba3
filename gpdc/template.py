"""A new scenario for a province, every required field filled from the data tables (``gpdc init``).

:func:`new_scenario` writes a commented TOML file: the province's reference site, its typical
full-load hours (``site_resources.csv``), its TOU schedule (or flat, with a note, where the data
have none), its built-in tariff if any, the national rule set, the emission factor of the
province (or its regional grid) for the latest year in the data — each value with its source in a
comment — and the sizes and load given.  ``gpdc validate`` accepts it and ``gpdc run`` runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gpdc.errors import InputError, argument
from gpdc.io.atomic import atomic_path
from gpdc.profiles.climate import site_row
from gpdc.scenario import tables
from gpdc.scenario.load import scenario_from_dict

__all__ = ["ProjectOptions", "new_scenario", "scenario_text"]


@dataclass(frozen=True)
class ProjectOptions:
    """What a new project states; everything else comes from the data for its province.

    Attributes
    ----------
    province : str
        Key of ``provinces.csv``.
    name : str
        Scenario name.
    archetype : str
        Load archetype (``load_archetypes.csv``).
    annual_mwh : float
        The user's consumption [MWh/a].
    wind_mw, solar_mw : float or None
        Plant ratings [MW]; None: sized so that each plant's expected generation (the province's
        full-load hours) is half the user's consumption.
    storage_mw : float
        Storage power [MW].
    storage_hours : float
        Storage energy per MW of storage power [h].
    fee_regime : str
        Key of ``fee_regimes.csv``.
    """

    province: str
    name: str = "new direct-connection project"
    archetype: str = "flat"
    annual_mwh: float = 100_000.0
    wind_mw: float | None = None
    solar_mw: float | None = None
    storage_mw: float = 0.0
    storage_hours: float = 2.0
    fee_regime: str = "nearby_consumption_2025"


def _check(opts: ProjectOptions) -> None:
    def name(field: str) -> str:
        return argument(field, "--" + {"archetype": "load"}.get(field, field).replace("_", "-"))

    if opts.province not in tables.province_keys():
        raise InputError(f"{name('province')} {opts.province!r} is invalid: must be one of "
                         f"{', '.join(tables.province_keys())}")
    if opts.archetype not in tables.load_archetypes():
        raise InputError(f"{name('archetype')} {opts.archetype!r} is invalid: must be one of "
                         f"{', '.join(tables.load_archetypes())}")
    if opts.fee_regime not in tables.fee_regime_names():
        raise InputError(f"{name('fee_regime')} {opts.fee_regime!r} is invalid: must be one of "
                         f"{', '.join(tables.fee_regime_names())}")
    for field in ("annual_mwh", "wind_mw", "solar_mw", "storage_mw", "storage_hours"):
        value = getattr(opts, field)
        if value is not None and not value >= 0.0:
            raise InputError(f"{name(field)} = {value!r} is invalid: must be >= 0")
    if opts.annual_mwh <= 0.0:
        raise InputError(f"{name('annual_mwh')} = {opts.annual_mwh!r} is invalid: must be > 0 [MWh]")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _emission_basis(province: str) -> tuple[str, str, int]:
    """(basis, region, year) of the province's factor: provincial where the data have it, else its regional grid."""
    prov = tables.province(province)
    keys = tables.emission_factor_keys()
    for basis, region in (("provincial", prov.emission_region), ("regional", prov.emission_regional_grid)):
        if region is None:
            continue
        years = keys[(keys["basis"] == basis) & (keys["region"] == region)]["year"]
        if len(years):
            return basis, region, int(years.max())
    years = keys[(keys["basis"] == "grid_average") & (keys["region"] == "national")]["year"]
    return "grid_average", "national", int(years.max())


def scenario_text(opts: ProjectOptions) -> str:
    """The commented TOML text of a new scenario (see the module docstring)."""
    _check(opts)
    p = opts.province
    prov = tables.province(p)
    site, lat, lon, elev, site_src = tables.reference_site(p)
    wind_h = site_row(p, "wind_full_load_hours_h")
    solar_h = site_row(p, "solar_full_load_hours_h")
    own_tariff = p in tables.tariff_names()
    tou_line = (f"# tou_schedule: {prov.tou_schedule!r} from the province's data (provinces.csv)"
                if prov.tou_schedule else
                f"tou_schedule = \"flat\"   # the data hold no TOU schedule for {p}: flat prices (no TOU) until you set "
                f"one; schedules: {', '.join(tables.tou_schedule_names())}")
    basis, region, year = _emission_basis(p)
    factor = tables.emission_factor(basis, region, year)
    coal_year = max(y for y in tables.coal_rate_years() if y <= year)
    peak_hint = opts.annual_mwh / 8760.0
    sized = "   # sized by gpdc init: expected generation = half the consumption"
    wind_mw, wind_note = (opts.wind_mw, "") if opts.wind_mw is not None else (
        float(round(0.5 * opts.annual_mwh / float(wind_h["value"]), 1)), sized)
    solar_mw, solar_note = (opts.solar_mw, "") if opts.solar_mw is not None else (
        float(round(0.5 * opts.annual_mwh / float(solar_h["value"]), 1)), sized)
    line_mw = max(wind_mw + solar_mw, 1.0)
    lines = [
        f"# {opts.name}: a new green power direct connection project in {prov.name_zh} ({p}), written by gpdc init.",
        "# Every number below either is yours (sizes, load) or comes from gpdc's data tables with the source in the",
        "# comment; `gpdc validate FILE` lists every number taken from the tables. Change what you know better.",
        "",
        f"name = {_quote(opts.name)}",
        f"description = {_quote(f'{opts.archetype} load of {opts.annual_mwh:,.0f} MWh/a in {p}')}",
        "seed = 2025",
        "",
        "[site]",
        f"name = {_quote(site)}           # {site_src}",
        f"province = {_quote(p)}",
        f"latitude_deg = {lat}",
        f"longitude_deg = {lon}",
        f"elevation_m = {elev}",
        'timezone = "Asia/Shanghai"   # Beijing time: China\'s tariff hours and the profiles\' clock',
        "",
        "[wind]",
        f"capacity_mw = {wind_mw}{wind_note}",
        f"full_load_hours_h = {float(wind_h['value'])}   # site_resources.csv: {wind_h['source']} ({wind_h['confidence']})",
        "",
        "[solar]",
        f"capacity_mw = {solar_mw}{solar_note}",
        f"full_load_hours_h = {float(solar_h['value'])}   # site_resources.csv: {solar_h['source']} "
        f"({solar_h['confidence']})",
        'tracking = "fixed"',
        "",
        "[line]",
        f"rating_mw = {line_mw}      # the plants' rating: the line curtails nothing",
        "length_km = 20.0            # yours to set: the line's capex is per km",
        "# loss_frac: technical_defaults.csv",
        "",
        "[storage]",
        f"power_mw = {opts.storage_mw}",
        f"energy_mwh = {opts.storage_mw * opts.storage_hours}",
        "",
        "[grid]",
        f"import_mw = {round(max(1.3 * peak_hint * 1.5, 1.0), 1)}   # yours to set: the contracted import "
        "(here 1.5 x mean load x 1.3)",
        f"export_mw = {round(max(0.2 * line_mw, 0.0), 1)}",
        "export_allowed = true   # false where the provincial spot market does not run continuously (650号)",
        "",
        "[load]",
        f"archetype = {_quote(opts.archetype)}   # load_archetypes.csv",
        f"annual_mwh = {opts.annual_mwh}",
        "",
        "[tariff]",
        f"fee_regime = {_quote(opts.fee_regime)}   # fee_regimes.csv: {', '.join(tables.fee_regime_names())}",
        (f"# the built-in tariff {p!r} of tariffs.csv applies (every field with its date and source)" if own_tariff
         else f"# no built-in tariff for {p}: the provinces.csv row gives the energy price and adders"),
        tou_line,
        "",
        "[policy]",
        'rule_set = "national_2025"   # policy_rules.csv: 发改能源〔2025〕650号',
        "",
        "[emissions]",
        f"basis = {_quote(basis)}   # {factor.value} t CO2/MWh for {region} in {year}: {factor.source} "
        f"({factor.confidence})",
        f"factor_year = {year}",
        f"coal_rate_year = {coal_year}   # coal_rates.csv",
        "",
        "[profiles]",
        'source = "synthetic"   # the seeded weather generator, calibrated to the full-load hours above',
        "year = 2025",
        "",
    ]
    text = "\n".join(lines)
    import tomllib

    scenario_from_dict(tomllib.loads(text), source=f"gpdc init {p}")  # the file must validate as written
    return text


def new_scenario(path: str | Path, opts: ProjectOptions, overwrite: bool = False) -> Path:
    """Write :func:`scenario_text` to ``path`` atomically (an existing file only with ``overwrite``).

    Raises
    ------
    InputError
        For an invalid option, or an existing file without ``overwrite``.
    ResultsFileError
        If the file cannot be written.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise InputError(f"{path} exists: choose another name, or pass {argument('overwrite=True', '--overwrite')} "
                         "to replace it")
    text = scenario_text(opts)
    with atomic_path(path, "scenario file") as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
