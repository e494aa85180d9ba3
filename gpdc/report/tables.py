"""The tables of a report, taken from a results file: one function per section, shared by HTML and Excel.

Every number here is a variable of the file (its name kept beside it, for the page's
``data-var`` attributes and the workbook's ``variable`` column) or a plain sum of the file's
hourly traces (the monthly table).  Labels and units come from the file's attributes, which
come from :mod:`gpdc.results.registry`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from gpdc.accounting.tariffs import IMPORT_PART_NAMES
from gpdc.results.registry import CASH_FLOW_VARIABLES, VARIABLES

__all__ = [
    "BILL_WITH", "BILL_WITHOUT", "MONTHLY", "Item", "Rule", "assumptions", "bill", "cash_flow_frame", "design",
    "emissions", "fmt", "flows", "items", "monthly", "products", "provenance", "verdict",
]


@dataclass(frozen=True)
class Item:
    """One number of a report: what it is, its value and unit, and the file variable it comes from."""

    label: str
    value: float
    unit: str
    var: str | None = None


@dataclass(frozen=True)
class Rule:
    """One policy rule of the verdict: the metric, the threshold, the margin and whether it passes."""

    name: str
    metric: str
    value: float
    op: str
    threshold: float
    margin_var: str
    margin: float
    passes: bool
    meets_var: str


def _f(ds: xr.Dataset, name: str) -> float:
    return float(np.asarray(ds[name].values, dtype=np.float64).reshape(-1)[0])


def items(ds: xr.Dataset, names: Sequence[str]) -> list[Item]:
    """The named scalar variables of ``ds`` with their long names and units (those absent are skipped)."""
    out = []
    for name in names:
        if name in ds.data_vars:
            var = ds[name]
            out.append(Item(str(var.attrs.get("long_name", name)), _f(ds, name), str(var.attrs.get("units", "")),
                            name))
    return out


#: variables shown as percentages
_PERCENT_UNITS = ("1",)
_FLAGS = ("compliant", "has_irr")


def fmt(value: float, unit: str, name: str | None = None) -> str:
    """Return a number as a report shows it, with its unit: shares in %, money in M yuan, energies in MWh.

    >>> fmt(0.6134, "1", "self_use_share")
    '61.3 %'
    >>> fmt(203_570_000.0, "yuan")
    '203.57 M yuan'
    >>> fmt(868_589.95, "MWh")
    '868,590 MWh'
    >>> fmt(float("nan"), "yuan")
    '—'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = float(value) + 0.0  # -0.0 + 0.0 is 0.0: no negative zero
    name = name or ""
    if name in _FLAGS or name.startswith(("meets_", "cbam_good", "cbam_indirect_in_scope")):
        return "yes" if value > 0.5 else "no"
    if name.endswith("_margin") or name in ("arbitrage_green_share_cost",):
        return f"{round(value * 100, 1) + 0.0:+.1f} pp"  # a margin of -1e-15 is +0.0 pp, not -0.0
    if unit == "1" and (name.endswith(("_share", "_rate")) or "share" in name):
        return f"{round(value * 100, 1) + 0.0:.1f} %"
    if unit == "1/a":
        return f"{value * 100:.2f} %/a"
    if unit in ("yuan", "yuan/a") and abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} M {unit}"
    if unit in ("MWh", "MWh/a", "t CO2", "t ce", "yuan", "yuan/a", "t/a"):
        return f"{value:,.0f} {unit}" if abs(value) >= 100 else f"{value:,.2f} {unit}"
    text = _plain(value)
    return text if unit in ("", "1") else f"{text} {unit}"


def _plain(value: float) -> str:
    """A number without its unit, never in exponent notation unless it is tiny: 745,638 · 12.35 · 0.6849."""
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 1:
        return f"{value:,.2f}"
    if size >= 1e-3 or size == 0.0:
        return f"{value:.4f}"
    return f"{value:.3e}"


def verdict(totals: xr.Dataset) -> list[Rule]:
    """The three rules of 发改能源〔2025〕650号 as the file's rule set states them, each with its margin."""
    a = totals.attrs
    return [
        Rule("self-use of the available generation", "self_use_share", _f(totals, "self_use_share"), "≥",
             float(a["policy_min_self_use_frac"]), "self_use_margin", _f(totals, "self_use_margin"),
             _f(totals, "meets_self_use") > 0.5, "meets_self_use"),
        Rule("green share of the user's consumption", "green_share_of_load", _f(totals, "green_share_of_load"), "≥",
             float(a["policy_min_green_share_of_load_frac"]), "green_share_margin", _f(totals, "green_share_margin"),
             _f(totals, "meets_green_share") > 0.5, "meets_green_share"),
        Rule("export share of the available generation", "export_share", _f(totals, "export_share"), "≤",
             float(a["policy_max_export_frac"]), "export_margin", _f(totals, "export_margin"),
             _f(totals, "meets_export_cap") > 0.5, "meets_export_cap"),
    ]


#: the scenario fields that describe a design: (section, field, label)
DESIGN_FIELDS = (
    ("wind", "capacity_mw", "wind plant"), ("solar", "capacity_mw", "PV plant (AC)"),
    ("line", "rating_mw", "dedicated line rating"), ("line", "length_km", "dedicated line length"),
    ("line", "loss_frac", "line loss"), ("storage", "power_mw", "storage power"),
    ("storage", "energy_mwh", "storage energy"), ("grid", "import_mw", "contracted grid import"),
    ("grid", "export_mw", "grid export capacity"),
)


def design(scenario: object, totals: xr.Dataset) -> tuple[list[Item], list[tuple[str, str]]]:
    """The design: sizes (scenario fields), capital cost by component (file variables), and text facts."""
    from gpdc.units import unit_of

    sizes = []
    for section, name, label in DESIGN_FIELDS:
        value = getattr(getattr(scenario, section), name)
        if value is not None:
            sizes.append(Item(label, float(value), unit_of(name) or "", f"{section}.{name}"))
    sizes += items(totals, ["load_mwh", "capex_wind_yuan", "capex_solar_yuan", "capex_storage_yuan", "capex_line_yuan",
                            "capex_grid_connection_yuan", "capex_yuan"])
    sc = scenario
    a = totals.attrs
    facts = [
        ("site", f"{sc.site.name or ''} ({sc.site.province}, {sc.site.latitude_deg:g}° N, "  # type: ignore[attr-defined]
                 f"{sc.site.longitude_deg:g}° E)"),  # type: ignore[attr-defined]
        ("load", f"{sc.load.archetype or 'profile'}"),  # type: ignore[attr-defined]
        ("grid export", "allowed" if sc.grid.export_allowed else "not allowed (no reverse flow)"),  # type: ignore[attr-defined]
        ("policy rule set", f"{a.get('policy_rule_set', '')}: {a.get('policy_rule_description', '')}"),
        ("fee regime", f"{a.get('fee_regime', '')}: {a.get('fee_regime_description', '')}"),
        ("tariff", f"TOU schedule {a.get('tou_schedule', '')}, basic charge by {a.get('basic_charge_basis', '')}"),
        ("simulated period", f"{a.get('year', '')}, {a.get('n_hours', '')} steps of {a.get('dt_h', '')} h"),
    ]
    return sizes, facts


def flows(totals: xr.Dataset) -> tuple[list[tuple[str, str, float]], list[tuple[str, str, float]]]:
    """Where the available generation went, and where the load's energy came from: (label, variable, MWh).

    The generation parts add up to ``gen_avail_mwh``; the consumption parts to ``load_mwh``
    (the grid import for the load is ``import_mwh − charge_grid_mwh``, named ``import_for_load``).
    """
    v = {name: _f(totals, name) for name in ("direct_mwh", "charge_green_mwh", "export_mwh", "curtail_line_mwh",
                                             "curtail_bus_mwh", "line_loss_mwh", "discharge_green_mwh",
                                             "discharge_grid_mwh", "import_mwh", "charge_grid_mwh", "unserved_mwh")}
    generation = [
        ("green used directly", "direct_mwh", v["direct_mwh"]), ("stored", "charge_green_mwh", v["charge_green_mwh"]),
        ("exported", "export_mwh", v["export_mwh"]),
        ("curtailed: line", "curtail_line_mwh", v["curtail_line_mwh"]),
        ("curtailed: user bus", "curtail_bus_mwh", v["curtail_bus_mwh"]),
        ("line loss", "line_loss_mwh", v["line_loss_mwh"]),
    ]
    consumption = [
        ("green used directly", "direct_mwh", v["direct_mwh"]),
        ("green, from storage", "discharge_green_mwh", v["discharge_green_mwh"]),
        ("grid, from storage", "discharge_grid_mwh", v["discharge_grid_mwh"]),
        ("grid import", "import_for_load", v["import_mwh"] - v["charge_grid_mwh"]),
        ("unserved", "unserved_mwh", v["unserved_mwh"]),
    ]
    return generation, consumption


#: the monthly table: (column, label, trace variables summed (a leading "-" subtracts), the file's annual total)
MONTHLY: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("generation_mwh", "available generation", ("gen_avail_mwh",), "gen_avail_mwh"),
    ("used_directly_mwh", "green used directly", ("direct_mwh",), "direct_mwh"),
    ("stored_mwh", "green stored", ("charge_green_mwh",), "charge_green_mwh"),
    ("released_mwh", "green from storage", ("discharge_green_mwh",), "discharge_green_mwh"),
    ("exported_mwh", "exported", ("export_mwh",), "export_mwh"),
    ("curtailed_mwh", "curtailed", ("curtail_line_mwh", "curtail_bus_mwh"), ""),
    ("grid_import_mwh", "grid import", ("import_mwh",), "import_mwh"),
    ("unserved_mwh", "unserved", ("unserved_mwh",), "unserved_mwh"),
    ("load_mwh", "load", ("load_mw",), "load_mwh"),
)


def monthly(traces: xr.Dataset, dt_h: float) -> pd.DataFrame:
    """Monthly energies [MWh] from the hourly traces (columns of :data:`MONTHLY`) and the monthly shares [1].

    Rows are the calendar months of the local time; ``green_share_of_load`` = (used directly +
    from storage) / load, ``self_use_share`` = the same / available generation.
    """
    time = traces["time"].to_index()
    data = {}
    for column, _, parts, _ in MONTHLY:
        x = np.zeros(len(time))
        for p in parts:
            values = np.asarray(traces[p.lstrip("-")].values, dtype=np.float64) * (dt_h if p == "load_mw" else 1.0)
            x = x - values if p.startswith("-") else x + values
        data[column] = x
    df = pd.DataFrame(data, index=time).groupby(time.month).sum()
    df.index = pd.Index([pd.Timestamp(2001, m, 1).strftime("%b") for m in df.index], name="month")
    used = df["used_directly_mwh"] + df["released_mwh"]
    df["green_share_of_load"] = used / df["load_mwh"].where(df["load_mwh"] > 0)
    df["self_use_share"] = used / df["generation_mwh"].where(df["generation_mwh"] > 0)
    return df


#: the user's cost without the project: (label, variable)
BILL_WITHOUT: tuple[tuple[str, str], ...] = (
    ("energy at the tariff (TOU price and per-MWh parts)", "baseline_energy_cost_yuan"),
    ("basic charge (capacity or demand)", "baseline_basic_charge_yuan"),
    ("levelised escalation over the life", "baseline_levelised_adjustment_yuan"),
)
#: label of each per-MWh part of the import bill (gpdc.accounting.tariffs.IMPORT_PART_NAMES: one per component)
_IMPORT_PART_LABELS = {
    "import_td_fee_yuan": "T&D on grid energy",
    "import_funds_yuan": "government funds on grid energy",
    "import_system_operation_fee_yuan": "system-operation fee on grid energy",
    "import_line_loss_fee_yuan": "generation-side line-loss charge on grid energy",
    "import_capacity_compensation_yuan": "capacity compensation on grid energy",
}
assert set(_IMPORT_PART_LABELS) == set(IMPORT_PART_NAMES.values()), "a new part of the import bill needs a label"
#: the user's cost with the project: (label, variable, sign)
BILL_WITH: tuple[tuple[str, str, float], ...] = (
    ("grid energy", "import_energy_cost_yuan", 1.0),
    *((_IMPORT_PART_LABELS[name], name, 1.0) for name in IMPORT_PART_NAMES.values()),
    ("unserved load at the grid price", "unserved_cost_yuan", 1.0),
    ("basic charge (capacity or demand)", "basic_charge_yuan", 1.0),
    ("capacity-based T&D fee (notice 1192, 2025)", "capacity_td_fee_yuan", 1.0),
    ("fees on self-used green energy", "self_use_fees_yuan", 1.0),
    ("export revenue", "export_revenue_yuan", -1.0),
    ("annualised capital cost", "annualised_capex_yuan", 1.0),
    ("operation and maintenance", "om_cost_yuan", 1.0),
    ("levelised escalation, degradation and storage replacements", "levelised_adjustment_yuan", 1.0),
)


def bill(totals: xr.Dataset) -> tuple[list[tuple[str, str, float]], list[tuple[str, str, float]]]:
    """The cost without and with the project by component: (label, variable, signed yuan).

    The parts add up to ``baseline_cost_yuan`` and ``project_cost_yuan`` (credits negative).
    """
    without = [(label, name, _f(totals, name)) for label, name in BILL_WITHOUT]
    with_ = [(label, name, sign * _f(totals, name)) for label, name, sign in BILL_WITH]
    return without, with_


def cash_flow_frame(cash_flow: xr.Dataset) -> pd.DataFrame:
    """The year-by-year cash flow [yuan, MWh] with its cumulative discounted sum, indexed by project year."""
    names = [n for n in CASH_FLOW_VARIABLES if n in cash_flow.data_vars]
    df = pd.DataFrame({n: np.asarray(cash_flow[n].values, dtype=np.float64) for n in names},
                      index=pd.Index(cash_flow["project_year"].values, name="project_year"))
    df["cumulative_discounted_yuan"] = df["cash_flow_discounted_yuan"].cumsum()
    return df


#: the finance summary under the cash-flow table
FINANCE = ("npv_yuan", "irr_frac", "discounted_payback_years", "lcoe_yuan_per_mwh",
           "lifetime_self_used_net_cost_yuan_per_mwh", "self_used_net_cost_yuan_per_mwh",
           "savings_yuan", "savings_yuan_per_mwh", "project_life_years", "storage_replacement_yuan")

#: the emissions and certificates section
EMISSIONS = ("avoided_co2_t", "coal_saved_tce", "location_based_co2_t", "direct_connection_co2_t",
             "accounting_difference_co2_t", "location_based_t_co2_per_mwh", "direct_connection_t_co2_per_mwh",
             "gec_basis_mwh", "gec_count", "cbam_net_carbon_price_yuan_per_t_co2")


def emissions(totals: xr.Dataset) -> tuple[list[Item], list[tuple[str, str]]]:
    """CO2, standard coal and certificates (file variables), and the basis they were drawn up on (attributes)."""
    a = totals.attrs
    basis = [
        ("avoided CO2 and coal", f"grid factor {a.get('emission_factor_basis', '')} "
                                 f"{a.get('emission_factor_year', '')}: "
                                 f"{float(a.get('emission_factor_t_co2_per_mwh', math.nan)):.4f} t CO2/MWh "
                                 f"({a.get('emission_factor_confidence', '')}); export counted: "
                                 f"{'yes' if int(a.get('count_export_in_avoided', 0)) else 'no'}"),
        ("factor source", str(a.get("emission_factor_source", ""))),
        ("coal rate", f"{float(a.get('coal_rate_g_ce_per_kwh', math.nan)):.1f} g ce/kWh — "
                      f"{a.get('coal_rate_source', '')}"),
        ("user's accounts", f"{a.get('account_factor_basis', '')}: "
                            f"{float(a.get('account_factor_t_co2_per_mwh', math.nan)):.4f} t CO2/MWh — "
                            f"{a.get('account_factor_source', '')}"),
        ("certificates", str(a.get("gec_basis", ""))),
    ]
    return items(totals, EMISSIONS), basis


#: per-product footprint variables (dimension ``product``)
PRODUCT_VARS = ("product_output_t_per_year", "product_electricity_mwh_per_year",
                "product_electricity_co2_location_t_co2_per_t", "product_electricity_co2_direct_connection_t_co2_per_t",
                "product_direct_co2_t_co2_per_t", "product_co2_location_t_co2_per_t",
                "product_co2_direct_connection_t_co2_per_t", "cbam_good", "cbam_indirect_in_scope",
                "cbam_exposure_location_yuan_per_t", "cbam_exposure_direct_connection_yuan_per_t",
                "cbam_exposure_location_yuan_per_year", "cbam_exposure_direct_connection_yuan_per_year",
                "cbam_saving_yuan_per_year")


def products(totals: xr.Dataset) -> tuple[list[str], list[tuple[str, str, str, list[float]]], list[str]]:
    """The footprint per product: (products, rows of (label, unit, variable, one value per product), CBAM notes)."""
    if "product" not in totals.dims:
        return [], [], []
    names = [str(p) for p in totals["product"].values]
    rows = []
    for var in PRODUCT_VARS:
        if var in totals.data_vars:
            da = totals[var]
            rows.append((str(da.attrs.get("long_name", var)), str(da.attrs.get("units", "")), var,
                         [float(x) for x in np.asarray(da.values, dtype=np.float64).reshape(-1)]))
    notes = []
    if "cbam_scope_reason" in totals.coords:
        notes = [f"{p}: {r}" for p, r in zip(names, totals["cbam_scope_reason"].values, strict=True)]
    return names, rows, notes


#: columns of the assumptions table (the file attribute ``resolved_inputs``)
ASSUMPTION_COLUMNS = ("name", "value", "unit", "source", "confidence")


def assumptions(attrs: dict[str, object]) -> pd.DataFrame:
    """Every number the run took from the scenario or the data tables, with its unit, source and confidence."""
    data = json.loads(str(attrs.get("resolved_inputs", "{}")))
    rows = [{"name": k, "value": v.get("value"), "unit": v.get("unit", ""), "source": v.get("source", ""),
             "confidence": v.get("confidence", "")} for k, v in data.items()]
    return pd.DataFrame(rows, columns=list(ASSUMPTION_COLUMNS))


def profile_sources(attrs: dict[str, object]) -> list[tuple[str, str]]:
    """Where each hourly profile came from, in words (the file attribute ``profile_sources``)."""
    return [(k, str(v)) for k, v in json.loads(str(attrs.get("profile_sources", "{}"))).items()]


def provenance(attrs: dict[str, object], source: str) -> list[tuple[str, str]]:
    """How the results were made: file, gpdc version, time, input hash, the numerical stack, the record's head."""
    rows = [("results file", source), ("gpdc version", str(attrs.get("gpdc_version", ""))),
            ("created (UTC)", str(attrs.get("created_utc", ""))),
            ("inputs SHA-256", str(attrs.get("inputs_sha256", "")))]
    if "ledger_sha256_head" in attrs:
        rows.append(("delivery record head (SHA-256)", str(attrs["ledger_sha256_head"])))
    versions = attrs.get("version_record")
    if versions:
        rows.append(("numerical stack", ", ".join(f"{k} {v}" for k, v in json.loads(str(versions)).items())))
    return rows


def registry_unit(name: str) -> str:
    """The registered unit of a total (for numbers computed from the file, e.g. sensitivity results)."""
    return VARIABLES[name].units if name in VARIABLES else ""
