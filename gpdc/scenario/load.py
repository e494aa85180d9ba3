"""Scenario files: TOML text -> validated :class:`Scenario`, and back.

Validation errors from pydantic are turned into :class:`gpdc.errors.ScenarioErrors`, one
:class:`gpdc.errors.ScenarioError` per field, each naming the field path, the value given
and what is allowed with its unit.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gpdc.errors import InputFileError, ScenarioError, ScenarioErrors
from gpdc.input_files import read_text
from gpdc.scenario.schema import Scenario
from gpdc.units import bracket

_MISSING = object()


def _stem(name: str) -> str:
    """Field name without its unit suffix: ``capacity_kw`` -> ``capacity``."""
    from gpdc.units import SUFFIX_UNITS

    for suffix in SUFFIX_UNITS:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    for suffix in ("_gw", "_gwh", "_w", "_wh", "_pct", "_percent", "_twh"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return ""


def allowed_text(err: Any, field: str, model_fields: list[str] | None) -> str:
    """Say in words what is allowed for one pydantic error (``err`` as in ``ValidationError.errors()``)."""
    kind = err["type"]
    ctx = err.get("ctx", {})
    unit = bracket(field.rsplit(".", 1)[-1])
    bounds = {
        "greater_than": ">",
        "greater_than_equal": ">=",
        "less_than": "<",
        "less_than_equal": "<=",
    }
    if kind in bounds:
        key = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt", "less_than_equal": "le"}[kind]
        return f"must be {bounds[kind]} {ctx.get(key)}{unit}"
    if kind == "missing":
        return f"is required{unit}"
    if kind == "extra_forbidden":
        name = field.rsplit(".", 1)[-1]
        stem = _stem(name)
        for candidate in model_fields or []:
            if stem and _stem(candidate) == stem and candidate != name:
                return (f"unit mismatch: gpdc takes {candidate}{bracket(candidate)}; "
                        f"convert the value and use that name")
        valid = f"; valid fields here: {', '.join(model_fields)}" if model_fields else ""
        return f"unknown field{valid}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        what = "an integer" if kind.startswith("int") else "a number"
        return f"must be {what}{unit}"
    if kind == "finite_number":
        return f"must be a finite number{unit}"
    if kind in ("bool_parsing", "bool_type"):
        return "must be true or false"
    if kind in ("string_type", "string_too_short"):
        return "must be a non-empty string"
    if kind == "model_type":
        return "must be a table (a [section] in TOML)"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    return str(err["msg"])


def _section_fields(loc: tuple[Any, ...]) -> list[str] | None:
    """Return the valid field names of the model that holds the location ``loc``."""
    model: Any = Scenario
    for part in loc[:-1]:
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return None
        model = info.annotation
    fields = getattr(model, "model_fields", None)
    return sorted(fields) if fields else None


def _lookup(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return _MISSING
    return data


#: tables of a scenario file that describe a study of the scenario (``gpdc sweep``, ``gpdc size``)
STUDY_TABLES = ("sweep", "sizing")


def scenario_from_dict(data: dict[str, Any], source: str | None = None) -> Scenario:
    """Validate a scenario given as nested dicts (the parsed TOML).

    Raises
    ------
    ScenarioErrors
        Listing every invalid field: path, value and what is allowed.
    """
    # what to do with the scenario, not part of it: read by gpdc.sweeps and gpdc.sizing
    data = {k: v for k, v in data.items() if k not in STUDY_TABLES}
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            field = ".".join(str(p) for p in loc) or "<scenario>"
            value = _lookup(data, loc)
            if value is _MISSING:
                value = err.get("input") if err["type"] != "missing" else None
            errors.append(ScenarioError(field, value, allowed_text(err, field, _section_fields(loc))))
        raise ScenarioErrors(errors, source) from None


#: every field of a scenario that names a file: (section, key)
PATH_FIELDS: tuple[tuple[str, str], ...] = (
    ("profiles", "csv_path"), ("profiles", "weather_path"), ("profiles", "solar_ninja_path"),
    ("profiles", "wind_ninja_path"), ("profiles", "load_csv_path"), ("wind", "power_curve_path"),
    ("emissions", "hourly_factors_csv"), ("tariff", "file"), ("tariff", "energy_price_csv"),
    ("tariff", "export_price_csv"), ("hydrogen", "offtake_csv"), ("ev_fleet", "plugged_csv"),
)


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file: a regular file within the size limit, UTF-8, valid TOML.

    Raises
    ------
    ScenarioErrors
        Naming the file and what is wrong: not found, not a regular file, too large, not
        UTF-8 (with the byte offset), or not valid TOML (with the line and column).
    """
    try:
        text = read_text(path, "scenario file")
    except InputFileError as exc:
        reason = str(exc).removeprefix(f"{path}: ")
        raise ScenarioErrors([ScenarioError("<file>", str(path), f"cannot be read: {reason}")]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioErrors([ScenarioError("<file>", str(path), f"is not valid TOML: {exc}")]) from None
    except RecursionError:
        raise ScenarioErrors([ScenarioError("<file>", str(path), "is not valid TOML: arrays or tables nested too "
                                                                 "deeply")]) from None


def resolve_paths(data: dict[str, Any], base: Path) -> None:
    """Make every relative path of :data:`PATH_FIELDS` in the parsed TOML absolute, against the folder ``base``."""
    for section, key in PATH_FIELDS:
        sec = data.get(section)
        if isinstance(sec, dict) and isinstance(sec.get(key), str) and sec[key] and not Path(sec[key]).is_absolute():
            sec[key] = str((base / sec[key]).resolve())


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read and validate a scenario file.

    Every relative path (:data:`PATH_FIELDS`: the profile, weather, load, power curve,
    emission-factor, tariff and hourly price files) is taken relative to the file's folder —
    in the file or given in ``overrides`` (``--set``) — and stored as an absolute path.

    Parameters
    ----------
    path : str or Path
        The TOML file.
    overrides : dict, optional
        Dotted field paths and values applied on top of the file,
        e.g. ``{"storage.energy_mwh": 400.0}``.

    Raises
    ------
    ScenarioErrors
        If the file cannot be read or parsed, or a field is invalid.
    """
    path = Path(path)
    data = read_toml(path)
    for dotted, value in (overrides or {}).items():
        set_dotted(data, dotted, value)
    resolve_paths(data, path.resolve().parent)
    return scenario_from_dict(data, source=str(path))


def apply_fields(base: Scenario, values: dict[str, Any]) -> Scenario:
    """Return a validated copy of ``base`` with the dotted fields set (``{"storage.energy_mwh": 400.0}``).

    Raises
    ------
    ScenarioErrors
        If a value is invalid for its field.
    """
    data = base.model_dump()
    for path, v in values.items():
        if "." in path:
            sec, name = path.split(".", 1)
            data[sec][name] = v
        else:
            data[path] = v
    return scenario_from_dict(data, source=base.name)


def set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``data["a"]["b"] = value`` for ``dotted = "a.b"``, creating tables as needed."""
    parts = dotted.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ScenarioErrors([ScenarioError(dotted, value, f"'{part}' is not a table")])
    node[parts[-1]] = value


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"cannot write non-finite float {value} to TOML")
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, list | tuple) and not any(isinstance(v, dict | list | tuple) for v in value):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def to_toml(scenario: Scenario) -> str:
    """Return the scenario as TOML text (every field, defaults included; unset ones omitted).

    ``tomllib.loads(to_toml(s))`` validates back to an equal scenario.
    """
    data = scenario.model_dump()
    lines: list[str] = []

    def tables_list(value: object) -> bool:
        return isinstance(value, list) and any(isinstance(v, dict) for v in value)

    for key, value in data.items():
        if not isinstance(value, dict) and not tables_list(value) and value is not None:
            lines.append(f"{key} = {_toml_value(value)}")
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append("")
            lines.append(f"[{key}]")
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in value.items() if v is not None)
    for key, value in data.items():
        if tables_list(value):  # arrays of tables, e.g. [[products]]
            for table in value:
                lines.append("")
                lines.append(f"[[{key}]]")
                lines.extend(f"{k} = {_toml_value(v)}" for k, v in table.items() if v is not None)
    return "\n".join(lines) + "\n"
