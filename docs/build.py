"""Regenerate the reference pages of docs/ from the code: ``python docs/build.py``.

``tests/test_docs.py`` fails when a committed page differs from what this writes, so the
pages cannot drift from the schema and the result registry.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel

from gpdc.results.registry import CASH_FLOW_VARIABLES, LEDGER_VARIABLES, TRACE_VARIABLES, VARIABLES
from gpdc.scenario.schema import WARNING_DESCRIPTIONS, Scenario
from gpdc.units import unit_of

DOCS = Path(__file__).resolve().parent

METRICS_HEAD = """# Result variables and their definitions

Every variable gpdc writes, with its unit and definition. This page is generated from
`gpdc/results/registry.py` (the single place where output units are written) by
`python docs/build.py`; `tests/test_docs.py` fails if the two disagree.

Policy metrics follow 发改能源〔2025〕650号 and 发改价格〔2025〕1192号: both shares of
generation divide by the **total available generation**, curtailment included, so curtailing
more never makes a project look better. Green energy used on site is direct use plus the green
part of storage discharge; storage tracks green-charged and grid-charged energy in separate
pools and splits each discharge pro rata, so grid-charged energy never counts as green.
Thresholds come from the rule set (`gpdc/scenario/data/policy_rules.csv`) and are stored in the
file's attributes (`policy_min_self_use_frac`, …). Margins are positive when a rule is met.

Costs cover the simulated period (a year for the ready scenarios): annual capital and O&M costs
are prorated when a run is shorter. Emissions use the factor named in the attributes
`emission_factor_basis`, `emission_factor_t_co2_per_mwh` and `emission_factor_source`; the
user's own accounts use `account_factor_basis` (formulas and sources: [carbon.md](carbon.md)).
Variables starting `product_` or `cbam_` (except `cbam_net_carbon_price_yuan_per_t_co2`) have a
`product` dimension, one entry per `[[products]]` table, with coordinates `product_sector` and
`cbam_scope_reason`.
"""

SCENARIO_HEAD = """# Scenario file reference

A scenario is a TOML file with the sections below (see `scenarios/` for complete examples).
Every number has its unit in its name. Fields marked *from data* default to a value looked up
in `gpdc/scenario/data/*.csv` for the site's province, with its source; `gpdc validate FILE`
lists what it took from where. This page is generated from `gpdc/scenario/schema.py` by
`python docs/build.py`.

**Paths.** Every file a scenario names — `profiles.csv_path`, `weather_path`, `solar_ninja_path`,
`wind_ninja_path`, `load_csv_path`, `wind.power_curve_path`, `emissions.hourly_factors_csv`,
`tariff.file`, `tariff.energy_price_csv`, `tariff.export_price_csv` — is taken relative to the
scenario file's folder when relative (also when given with `--set`), so `gpdc run proj/s.toml`
and `cd proj && gpdc run s.toml` read the same files. Only regular files are read (not devices,
pipes or folders), each up to 256 MiB (`GPDC_MAX_INPUT_MB`), as UTF-8 text; see
docs/reliability.md for what a scenario from someone else can and cannot make gpdc do.
"""


def _table(rows: dict[str, typing.Any]) -> str:
    out = "| variable | units | meaning | definition |\n| --- | --- | --- | --- |\n"
    return out + "".join(f"| `{k}` | {v.units} | {v.long_name} | {v.definition} |\n" for k, v in rows.items())


def metrics_page() -> str:
    """Return docs/metrics.md as text."""
    return (METRICS_HEAD + "\n## Totals (one value per scenario)\n\n" + _table(VARIABLES)
            + "\n## Hourly traces (group `traces`, dimension `time`, local time)\n\n" + _table(TRACE_VARIABLES)
            + "\n## Cash flow by year (group `cash_flow` of a run file, dimension `project_year`)\n\n"
            + "Year 0 is the investment, years 1 .. N the project life ([finance.md](finance.md)); a sweep keeps "
            "only the NPV, IRR, payback and LCOE these add up to.\n\n" + _table(CASH_FLOW_VARIABLES)
            + "\n## Green-power delivery record (`gpdc run --ledger`, group `ledger`, dimension `row`)\n\n"
            + "One row per step, then one totals row per calendar year; every row chained by SHA-256 "
            "([ledger.md](ledger.md)).\n\n" + _table(LEDGER_VARIABLES))


def _type_name(annotation: typing.Any) -> str:
    union = isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union
    args = typing.get_args(annotation) if union else (annotation,)
    names = []
    for a in args:
        if a is type(None):
            continue
        if typing.get_origin(a) is typing.Literal:
            names.append(" \\| ".join(f'"{x}"' for x in typing.get_args(a)))
        else:
            names.append(getattr(a, "__name__", str(a)))
    return " or ".join(names)


def _choices() -> dict[str, list[str]]:
    from gpdc.profiles.load import ARCHETYPES
    from gpdc.scenario import tables

    return {
        "province": tables.province_keys(),
        "archetype": sorted(ARCHETYPES),
        "rule_set": tables.policy_rule_sets(),
        "tou_schedule": tables.tou_schedule_names(),
        "fee_regime": tables.fee_regime_names(),
        "sector": tables.cbam_sector_keys(),
    }


def _bounds(info: typing.Any, name: str = "") -> str:
    choices = _choices().get(name)
    if choices:
        return "one of " + ", ".join(f"`{c}`" for c in choices)
    parts = []
    for m in info.metadata:
        for cls, sym, attr in ((Ge, "≥", "ge"), (Gt, ">", "gt"), (Le, "≤", "le"), (Lt, "<", "lt")):
            if isinstance(m, cls):
                parts.append(f"{sym} {getattr(m, attr)}")
    return ", ".join(parts)


def _item_model(info: typing.Any) -> type[BaseModel] | None:
    """Return the model of a ``list[Model]`` field (an array of tables), else None."""
    args = typing.get_args(info.annotation)
    if typing.get_origin(info.annotation) is list and args and isinstance(args[0], type) and issubclass(
            args[0], BaseModel):
        return args[0]
    return None


def _top_default(info: typing.Any) -> str:
    """The default of a top-level field as the page shows it."""
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        return repr(info.default_factory())
    return repr(info.default)


def _optional_model(info: typing.Any) -> type[BaseModel] | None:
    """Return the model of an optional section (``Model | None``, e.g. ``[electrolyser]``), else None."""
    for a in typing.get_args(info.annotation) if isinstance(info.annotation, types.UnionType) else ():
        if isinstance(a, type) and issubclass(a, BaseModel):
            return a
    return None


def scenario_page() -> str:
    """Return docs/scenario.md as text."""
    text = [SCENARIO_HEAD]
    top = [(n, i) for n, i in Scenario.model_fields.items()
           if not (isinstance(i.annotation, type) and issubclass(i.annotation, BaseModel)) and _item_model(i) is None
           and _optional_model(i) is None]
    text.append("\n## Top level\n\n| field | type | unit | allowed | default |\n| --- | --- | --- | --- | --- |\n")
    text.extend(f"| `{n}` | {_type_name(i.annotation)} | {unit_of(n) or ''} | {_bounds(i)} | "
                f"{_top_default(i)} |\n" for n, i in top)
    text.append("\n`ignore_warnings` silences plausibility warnings — legal inputs that are probably wrong, each "
                "warned about with the field, the value and its code (`--strict` makes them errors):\n\n"
                "| code | warned when |\n| --- | --- |\n")
    text.extend(f"| `{code}` | {what} |\n" for code, what in WARNING_DESCRIPTIONS.items())
    for section, sinfo in Scenario.model_fields.items():
        model = sinfo.annotation
        array = _item_model(sinfo)
        optional = _optional_model(sinfo)
        if array is not None:  # an array of tables, e.g. [[products]]
            model = array
        elif optional is not None:  # an optional section (a flexible element): absent unless given
            model = optional
        elif not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        assert isinstance(model, type)  # noqa: S101 - for mypy
        assert issubclass(model, BaseModel)  # noqa: S101 - for mypy
        doc = (model.__doc__ or "").strip().splitlines()[0]
        head = f"[[{section}]]` (array of tables, optional)" if array is not None else (
            f"[{section}]` (optional: see flexible.md)" if optional is not None else
            f"[{section}]`{' (required)' if sinfo.is_required() else ''}")
        text.append(f"\n## `{head}\n\n{doc}\n\n")
        text.append("| field | type | unit | allowed | default |\n| --- | --- | --- | --- | --- |\n")
        for n, i in model.model_fields.items():
            if i.default_factory is not None and not isinstance(i.annotation, type(BaseModel)):
                default = ("*from data* (hydrogen_defaults.csv)" if optional is not None else
                           "*from data* (technical_defaults.csv)")
                if n == "allowed_hours":
                    default = "all 24 hours"
                text.append(f"| `{n}` | {_type_name(i.annotation)} | {unit_of(n) or ''} | {_bounds(i, n)} "
                            f"| {default} |\n")
                continue
            default = "required" if i.is_required() else ("*from data*" if i.default is None and n not in (
                "initial_soc_frac", "annual_mwh", "peak_mw", "csv_path", "grid_charge_max_price_yuan_per_mwh",
                "power_curve_path", "weather_path", "weather_format", "solar_ninja_path", "wind_ninja_path",
                "load_csv_path", "years", "tilt_deg", "azimuth_deg",
                "export_cap_frac", "min_self_use_frac", "min_green_share_of_load_frac", "max_export_frac",
                "tou_schedule", "hourly_factors_csv", "account_basis", "name", "file", "export_price_csv", "energy_price_csv", "import_target_mw",
                "self_use_fee_yuan_per_mwh", "adders_yuan_per_mwh", "connection_mva", "offtake_kg_per_h",
                "offtake_kg_per_day", "offtake_csv", "plugged_csv") else repr(i.default))
            text.append(f"| `{n}` | {_type_name(i.annotation)} | {unit_of(n) or ''} | {_bounds(i, n)} | {default} |\n")
    return "".join(text)


PAGES = {"metrics.md": metrics_page, "scenario.md": scenario_page}

if __name__ == "__main__":
    for name, make in PAGES.items():
        (DOCS / name).write_text(make(), encoding="utf-8")
        print(f"wrote docs/{name}")
