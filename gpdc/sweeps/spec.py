"""What a sweep varies: dimensions of scenario-field values, parsed and checked before any work.

A sweep is the Cartesian product of its dimensions.  A dimension moves one field
(``--vary storage.energy_mwh=0:800:50``) or several fields together (a *zip*, e.g. storage
power and energy; or an explicit list of *designs*).  Field names are the scenario's own
dotted paths.  In a scenario file::

    [sweep.vary]
    "wind.capacity_mw" = [100, 150, 200]
    "storage.energy_mwh" = "0:800:50"        # start:stop:step, stop included

    [sweep.zip.storage_size]                  # one dimension; its fields move together
    "storage.power_mw" = [0, 50, 100]
    "storage.energy_mwh" = [0, 200, 400]

    [[sweep.designs]]                         # dimension "design", one entry per table
    "wind.capacity_mw" = 100
    "solar.capacity_mw" = 50

Every value is checked against the scenario schema (range, type, and the rules that tie a
section's fields together) before any simulation runs; errors name the dimension and value.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import tomllib
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from gpdc.errors import InputFileError, ScenarioError, ScenarioErrors
from gpdc.input_files import header_for_message, read_text
from gpdc.scenario.load import allowed_text, apply_fields, read_toml
from gpdc.scenario.schema import Scenario

#: fields that name or describe a scenario rather than change its results
NOT_SWEEPABLE = ("name", "description", "products",
                 # the ensemble itself becomes the weather_year dimension; it is not a design choice
                 "profiles.ensemble_size", "profiles.years")


class SweepError(ScenarioErrors):
    """An invalid sweep specification (unknown field, bad value, ragged zip...)."""


class _Problem(ScenarioError):
    """One problem of a sweep; without a value it reads ``where: message``."""

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        super().__init__(field, value, allowed)
        if value is None:
            self.args = (f"{field}: {allowed}",)


def _err(where: str, value: Any, message: str) -> SweepError:
    return SweepError([_Problem(where, value, message)])


def dim_name(field: str) -> str:
    """The dimension name of a one-field dimension: its field path as a Python identifier.

    >>> dim_name("storage.energy_mwh")
    'storage_energy_mwh'
    """
    return field.replace(".", "_")


@dataclass(frozen=True)
class Dim:
    """One sweep dimension: the fields it moves and their value at each index.

    Attributes
    ----------
    name : str
        The dimension's name, a Python identifier: the field path with ``_`` for ``.`` for a
        one-field dimension (``storage_energy_mwh``), else the zip's name (or ``design``).
    fields : tuple of str
        Dotted scenario field paths.
    values : tuple of tuple
        ``values[k][i]`` is field ``fields[k]`` at index ``i``.
    labels : tuple, optional
        Coordinate labels for a multi-field dimension (default: 0, 1, 2, ...).
    """

    name: str
    fields: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]
    labels: tuple[Any, ...] | None = None

    @property
    def size(self) -> int:
        """Number of points along the dimension."""
        return len(self.values[0])

    def point(self, i: int) -> dict[str, Any]:
        """The field values at index ``i``."""
        return {f: v[i] for f, v in zip(self.fields, self.values, strict=True)}

    @property
    def where(self) -> str:
        """How messages name the dimension: the field path of a one-field dimension, else its name."""
        return self.fields[0] if len(self.fields) == 1 and self.labels is None else self.name

    def coord(self) -> tuple[Any, ...]:
        """The dimension coordinate: the field's values, or the labels of a multi-field dimension."""
        if len(self.fields) == 1 and self.labels is None:
            return self.values[0]
        return self.labels if self.labels is not None else tuple(range(self.size))


@dataclass(frozen=True)
class SweepSpec:
    """An ordered set of dimensions whose Cartesian product is the sweep."""

    dims: tuple[Dim, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        """Points per dimension."""
        return tuple(d.size for d in self.dims)

    @property
    def size(self) -> int:
        """Number of designs."""
        return math.prod(self.shape)

    @property
    def fields(self) -> tuple[str, ...]:
        """Every varied field."""
        return tuple(f for d in self.dims for f in d.fields)

    def canonical(self) -> str:
        """A JSON text that identifies the sweep (for the results file's fingerprint)."""
        return json.dumps(
            [{"name": d.name, "fields": d.fields, "values": d.values, "labels": d.labels} for d in self.dims],
            sort_keys=True, default=str,
        )

    def digest(self) -> str:
        """SHA-256 of :meth:`canonical`."""
        return hashlib.sha256(self.canonical().encode()).hexdigest()


# --- parsing -----------------------------------------------------------------------------------


def _scalar(text: str) -> Any:
    """``"100"`` -> 100, ``"0.5"`` -> 0.5, ``"true"`` -> True, ``"budget"`` -> "budget" (TOML rules)."""
    text = text.strip()
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_range(text: str, where: str) -> tuple[Any, ...]:
    """``"0:800:50"`` -> (0, 50, ..., 800): start, stop (included when on the grid), step.

    Integers stay integers; decimal steps are rounded to 12 significant digits so that
    ``0:1:0.1`` gives 0.3, not 0.30000000000000004.

    >>> parse_range("0:800:200", "x")
    (0, 200, 400, 600, 800)
    >>> parse_range("0.1:0.3:0.1", "x")
    (0.1, 0.2, 0.3)
    """
    parts = text.split(":")
    if len(parts) != 3:
        raise _err(where, text, "a range is START:STOP:STEP, e.g. 0:800:50")
    nums = [_scalar(p) for p in parts]
    if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in nums):
        raise _err(where, text, "START, STOP and STEP of a range must be numbers")
    start, stop, step = nums
    if not all(math.isfinite(x) for x in nums):
        raise _err(where, text, "range bounds must be finite")
    if step <= 0:
        raise _err(where, text, "STEP must be > 0")
    if stop < start:
        raise _err(where, text, "STOP must be >= START")
    n = int(math.floor((stop - start) / step * (1 + 1e-12) + 1e-9)) + 1
    if n > 10_000_000:
        raise _err(where, text, f"gives {n} values; at most 10,000,000 per dimension")
    if all(isinstance(x, int) for x in nums):
        return tuple(range(start, start + n * step, step))
    return tuple(float(f"{start + i * step:.12g}") for i in range(n))


def _values(raw: Any, where: str) -> tuple[Any, ...]:
    """Values of one field: a list, a range string, a comma list string, or one value."""
    if isinstance(raw, str):
        if raw.count(":") == 2 and "," not in raw:
            return parse_range(raw, where)
        return tuple(_scalar(x) for x in raw.split(",")) if "," in raw else (_scalar(raw),)
    if isinstance(raw, list | tuple):
        if not raw:
            raise _err(where, raw, "needs at least one value")
        return tuple(raw)
    return (raw,)


def parse_vary(item: str) -> Dim:
    """``"storage.energy_mwh=0:800:50"`` or ``"wind.capacity_mw=100,150,200"`` -> a Dim."""
    if "=" not in item:
        raise _err("--vary", item, "expected FIELD=VALUES, e.g. storage.energy_mwh=0:800:50 or wind.capacity_mw=100,150")
    field, raw = (s.strip() for s in item.split("=", 1))
    return Dim(dim_name(field), (field,), (_values(raw, field),))


def parse_zip(item: str) -> Dim:
    """``"storage_size storage.power_mw=0,50 storage.energy_mwh=0,200"`` -> one zipped Dim."""
    words = item.split()
    if len(words) < 3 or "=" in words[0]:
        raise _err("--zip", item, "expected NAME FIELD=VALUES FIELD=VALUES ..., "
                   "e.g. 'storage_size storage.power_mw=0,50 storage.energy_mwh=0,200'")
    table = {}
    for w in words[1:]:
        d = parse_vary(w)
        table[d.fields[0]] = list(d.values[0])
    return _zip_dim(words[0], table)


def _zip_dim(name: str, table: Mapping[str, Any]) -> Dim:
    if not name.isidentifier():
        raise _err(f"sweep.zip.{name}", name, "a zipped dimension's name must be a Python identifier (letters, "
                   "digits and _, not starting with a digit), e.g. storage_size")
    if not table:
        raise _err(f"sweep.zip.{name}", None, "needs at least one field")
    cols = {f: _values(v, f"sweep.zip.{name}.{f}") for f, v in table.items()}
    lengths = {f: len(v) for f, v in cols.items()}
    if len(set(lengths.values())) > 1:
        raise _err(f"sweep.zip.{name}", lengths, "zipped fields must have the same number of values")
    return Dim(name, tuple(cols), tuple(cols.values()))


def _designs_dim(designs: Sequence[Mapping[str, Any]], labels: Sequence[Any] | None = None) -> Dim:
    if not designs:
        raise _err("sweep.designs", designs, "needs at least one design")
    fields = tuple(designs[0])
    for i, d in enumerate(designs):
        if tuple(d) != fields and set(d) != set(fields):
            raise _err(f"sweep.designs[{i}]", sorted(d), f"every design must set the same fields: {sorted(fields)}")
    values = tuple(tuple(d[f] for d in designs) for f in fields)
    return Dim("design", fields, values, tuple(labels) if labels is not None else None)


def read_designs_csv(path: str | Path) -> Dim:
    """Explicit designs from a CSV: one column per field path, one row per design.

    An optional first column ``design`` gives each row a label.
    """
    import csv
    import io
    import re

    path = Path(path)
    try:
        text = read_text(path, "--designs")
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except InputFileError as exc:
        raise _err("--designs", str(path), f"cannot be read: {str(exc).removeprefix(f'{path}: ')}") from None
    except csv.Error as exc:
        raise _err("--designs", str(path), f"cannot be read as CSV ({exc})") from None
    if len(rows) < 2:
        raise _err("--designs", str(path), "needs a header of field paths and at least one design row")
    header = [h.strip() for h in rows[0]]
    if not header:
        raise _err(f"{path}:1", "", "the first line is empty; it must name scenario field paths")
    if not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", h) for h in header):
        raise _err(f"{path}:1", header_for_message(header), "the header must be scenario field paths such as "
                   "storage.energy_mwh (and an optional first column design)")
    if len(set(header)) != len(header):
        raise _err(f"{path}:1", header, "a column appears twice in the header")
    label_col = header[0] == "design"
    fields = header[1:] if label_col else header
    designs, labels = [], []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise _err(f"{path}:{line}", row, f"has {len(row)} columns; the header has {len(header)}")
        cells = row[1:] if label_col else row
        designs.append({f: _scalar(c) for f, c in zip(fields, cells, strict=True)})
        labels.append(row[0].strip() if label_col else line - 2)
    return _designs_dim(designs, labels if label_col else None)


def spec_from_table(table: Mapping[str, Any]) -> SweepSpec:
    """Build a spec from a scenario file's ``[sweep]`` table."""
    allowed = {"vary", "zip", "designs"}
    extra = sorted(set(table) - allowed)
    if extra:
        raise _err(f"sweep.{extra[0]}", table[extra[0]], f"unknown key; valid: {', '.join(sorted(allowed))}")
    dims: list[Dim] = []
    for field, raw in (table.get("vary") or {}).items():
        dims.append(Dim(dim_name(field), (field,), (_values(raw, f"sweep.vary.{field}"),)))
    for name, sub in (table.get("zip") or {}).items():
        if not isinstance(sub, dict):
            raise _err(f"sweep.zip.{name}", sub, "must be a table of FIELD = [values]")
        dims.append(_zip_dim(name, sub))
    if table.get("designs"):
        dims.append(_designs_dim(table["designs"]))
    return SweepSpec(tuple(dims))


def combine(*specs: SweepSpec | Iterable[Dim]) -> SweepSpec:
    """Concatenate the dimensions of several specs (e.g. the file's and the command line's)."""
    dims: list[Dim] = []
    for s in specs:
        dims.extend(s.dims if isinstance(s, SweepSpec) else s)
    return SweepSpec(tuple(dims))


def read_sweep_table(path: str | Path) -> SweepSpec:
    """The ``[sweep]`` table of a scenario file (an empty spec when it has none)."""
    path = Path(path)
    try:
        data = read_toml(path)
    except ScenarioErrors:
        return SweepSpec(())  # load_scenario reports file errors with their details
    table = data.get("sweep")
    if table is None:
        return SweepSpec(())
    if not isinstance(table, dict):
        raise _err("sweep", table, "must be a table")
    return spec_from_table(table)


# --- checking ----------------------------------------------------------------------------------


def _section_model(ann: Any) -> type[BaseModel] | None:
    """The section model of a root field's annotation (``X`` or an optional section ``X | None``), else None."""
    for a in (ann, *typing.get_args(ann)):
        if isinstance(a, type) and issubclass(a, BaseModel):
            return a
    return None


def _field_model(path: str) -> tuple[type[BaseModel] | None, str]:
    """The section model and field name of a dotted path (model None for a root field)."""
    if path in NOT_SWEEPABLE:
        raise KeyError(path)
    parts = path.split(".")
    root = Scenario.model_fields
    if len(parts) == 1:
        if parts[0] not in root or parts[0] in NOT_SWEEPABLE:
            raise KeyError(path)
        return None, parts[0]
    if len(parts) != 2 or parts[0] not in root:
        raise KeyError(path)
    ann = _section_model(root[parts[0]].annotation)
    if ann is None or parts[1] not in ann.model_fields:
        raise KeyError(path)
    return ann, parts[1]


def _valid_fields() -> list[str]:
    out = [k for k in Scenario.model_fields if k not in NOT_SWEEPABLE]
    out = [k for k in out if _section_model(Scenario.model_fields[k].annotation) is None]
    for sec, info in Scenario.model_fields.items():
        ann = _section_model(info.annotation)
        if ann is not None:
            out.extend(f"{sec}.{f}" for f in ann.model_fields if f"{sec}.{f}" not in NOT_SWEEPABLE)
    return out


def _section_of(path: str) -> str:
    return path.split(".")[0] if "." in path else ""


def _validate_section(base: Scenario, section: str, updates: Mapping[str, Any]) -> str | None:
    """Validate one section (or the root) with ``updates`` applied; the problem, or None."""
    if section == "":
        data = base.model_dump()
        data.update(updates)
        model: type[BaseModel] = Scenario
    else:
        current = getattr(base, section)
        data = current.model_dump()
        data.update({p.split(".", 1)[1]: v for p, v in updates.items()})
        model = type(current)
    try:
        model.model_validate(data)
    except ValidationError as exc:
        e = exc.errors()[0]
        loc = ".".join(str(x) for x in e["loc"])
        where = f"{section}.{loc}" if section and loc else (loc or section or "<scenario>")
        return f"{where}: {allowed_text(e, where, None)}"
    return None


def check_spec(base: Scenario, spec: SweepSpec, max_combinations: int = 2_000_000) -> None:
    """Reject a spec whose fields or values are invalid, naming the dimension and value.

    Checks: each field exists and is sweepable, no field is in two dimensions, every value
    is valid for its field, and every combination of values that meets in one section
    passes that section's cross-field rules (e.g. ``soc_max_frac > soc_min_frac``).

    Raises
    ------
    SweepError
    """
    if not spec.dims:
        raise _err("sweep", None, "varies nothing: give --vary FIELD=VALUES (or a [sweep] table in the file)")
    names = [d.name for d in spec.dims]
    for d in spec.dims:
        if names.count(d.name) > 1:
            raise _err(d.where, None, "is varied twice (e.g. in the file's [sweep] table and on the command line); "
                       "vary each field in one dimension")
    seen: dict[str, str] = {}
    for d in spec.dims:
        for f in d.fields:
            try:
                _field_model(f)
            except KeyError:
                close = [v for v in _valid_fields() if v.split(".")[0] == f.split(".")[0]] or _valid_fields()
                raise _err(d.where, None, f"unknown scenario field '{f}'; valid: {', '.join(close)}") from None
            if f in seen:
                raise _err(d.where, None, f"field '{f}' is also varied by dimension '{seen[f]}'")
            seen[f] = d.where
    for d in spec.dims:
        points = [tuple(repr(v) for v in col) for col in zip(*d.values, strict=True)]
        dup = next((p for i, p in enumerate(points) if p in points[:i]), None)
        if dup is not None:
            raise _err(d.where, ", ".join(dup), "appears twice along this dimension; give each value once")
        if d.labels is not None and len(set(map(str, d.labels))) != len(d.labels):
            raise _err(d.where, [str(x) for x in d.labels], "design labels must be unique")
    # one value at a time
    for d in spec.dims:
        for i in range(d.size):
            for f, v in d.point(i).items():
                problem = _validate_section(base, _section_of(f), {f: v})
                if problem is not None:
                    raise _err(d.where, v, f"is not a valid value: {problem}")
    # combinations that meet in one section
    sections = {_section_of(f) for f in spec.fields}
    for sec in sorted(sections):
        touching = [d for d in spec.dims if any(_section_of(f) == sec for f in d.fields)]
        if len(touching) < 2 and all(len(d.fields) == 1 for d in touching):
            continue  # one field alone: checked above
        n = math.prod(d.size for d in touching)
        if n > max_combinations:
            raise _err(sec or "<scenario>", n, f"{n} combinations of its varied fields; at most {max_combinations} can be checked")
        for idx in itertools.product(*(range(d.size) for d in touching)):
            upd = {f: v for d, i in zip(touching, idx, strict=True) for f, v in d.point(i).items()
                   if _section_of(f) == sec}
            problem = _validate_section(base, sec, upd)
            if problem is not None:
                where = ", ".join(f"{d.where}={d.coord()[i]!r}" for d, i in zip(touching, idx, strict=True))
                raise _err(" × ".join(d.where for d in touching), where, f"is an invalid combination: {problem}")


def apply(base: Scenario, values: Mapping[str, Any]) -> Scenario:
    """A validated copy of ``base`` with the dotted fields set (see :func:`gpdc.scenario.load.apply_fields`)."""
    return apply_fields(base, dict(values))


def coord_array(values: Sequence[Any]) -> np.ndarray:
    """A coordinate as a numpy array: float64, int64, bool or str."""
    if all(isinstance(v, bool) for v in values):
        return np.array(values, dtype=bool)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.int64)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.float64)
    return np.array([str(v) for v in values], dtype=object)
