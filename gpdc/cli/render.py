"""The tables the commands print: a run, a weather-year ensemble, a sweep's summary, a sizing study."""

from __future__ import annotations

import math
from typing import Any

from rich.table import Table
from rich.text import Text

from gpdc.cli.app import out, styled

__all__ = ["fmt", "pct", "print_ensemble", "print_flexible", "print_lp_gap", "print_result", "print_sizing",
           "print_sweep_summary"]


def pct(x: float, sign: str = "") -> str:
    """Format a share as a percentage, ``n/a`` when it is undefined (NaN)."""
    if math.isnan(x):
        return "n/a"
    return f"{0.0 if abs(x) < 5e-10 else x:{sign}.1%}"


def fmt(x: float, digits: int = 0) -> str:
    """Format a number with thousands separators, ``n/a`` when undefined."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:,.{digits}f}"


def print_result(ds: Any) -> None:
    """Print a run: energy flows, the policy rules, matching, curtailment, the bill and finance, carbon."""
    import numpy as np

    v = {k: float(ds[k].values) for k in ds.data_vars if ds[k].ndim == 0}
    title = f"{ds.attrs['scenario_name']} — {ds.attrs['year']}, {ds.attrs['n_hours']} h"
    out.rule(styled((title, "bold")))

    t = Table(title="Energy flows", show_header=True, header_style="bold")
    t.add_column("flow")
    t.add_column("MWh", justify="right")
    t.add_column("share of generation", justify="right")
    gen = v["gen_avail_mwh"]
    for name, label in (
        ("gen_avail_mwh", "available generation"),
        ("direct_mwh", "used directly"),
        ("charge_green_mwh", "stored (green)"),
        ("discharge_green_mwh", "discharged to load (green)"),
        ("self_used_mwh", "self-used green energy"),
        ("export_mwh", "exported to the grid"),
        ("line_loss_mwh", "line loss"),
        ("storage_loss_mwh", "storage loss"),
        ("load_mwh", "user consumption"),
        ("import_mwh", "imported from the grid"),
        ("charge_grid_mwh", "  of which grid charging"),
        ("unserved_mwh", "unserved load"),
    ):
        of_generation = name not in ("load_mwh", "import_mwh", "charge_grid_mwh", "unserved_mwh")
        t.add_row(label, fmt(v[name]), f"{v[name] / gen:.1%}" if of_generation and gen > 0 else "")
    out.print(t)

    t = Table(title=f"Policy rules ({ds.attrs['policy_rule_set']})", header_style="bold")
    for col in ("rule", "value", "threshold", "margin", "result"):
        t.add_column(col, justify="right" if col != "rule" else "left")

    def margin(x: float) -> str:
        return points(x)

    def verdict(ok: float) -> Text:
        return styled(("PASS", "green")) if ok else styled(("FAIL", "bold red"))

    t.add_row("self-used share of generation", pct(v["self_use_share"]),
              f"≥ {ds.attrs['policy_min_self_use_frac']:.0%}", margin(v["self_use_margin"]),
              verdict(v["meets_self_use"]))
    t.add_row("green share of consumption", pct(v["green_share_of_load"]),
              f"≥ {ds.attrs['policy_min_green_share_of_load_frac']:.0%}", margin(v['green_share_margin']),
              verdict(v["meets_green_share"]))
    t.add_row("exported share of generation", pct(v["export_share"]),
              f"≤ {ds.attrs['policy_max_export_frac']:.0%}", margin(v['export_margin']), verdict(v["meets_export_cap"]))
    t.add_row(styled(("compliant", "bold")), "", "", "", verdict(v["compliant"]))
    out.print(t)
    if "consumption_mwh" in v:
        print_flexible(v)

    t = Table(title="Matching and operation", header_style="bold")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    t.add_row("green share matched hour by hour (24/7)", pct(v["hourly_match_share"]))
    t.add_row("green share matched over the year", pct(v["annual_match_share"]))
    t.add_row("hours fully supplied by green energy", f"{fmt(v['self_supply_hours_h'])} h")
    t.add_row("peak grid import", f"{fmt(v['peak_import_mw'], 1)} MW")
    t.add_row("storage equivalent full cycles", f"{fmt(v['storage_cycles'], 0)}")
    out.print(t)

    t = Table(title="Curtailment by cause", header_style="bold")
    t.add_column("cause")
    t.add_column("MWh", justify="right")
    t.add_column("share of generation", justify="right")
    for name, label in (
        ("curtail_line_mwh", "line rating"),
        ("curtail_export_cap_mwh", "export-share cap / no reverse flow allowed"),
        ("curtail_storage_full_mwh", "storage full and export connection full"),
    ):
        t.add_row(label, fmt(v[name]), f"{v[name] / gen:.1%}" if gen > 0 else "")
    t.add_row(styled(("total", "bold")), fmt(v["curtail_line_mwh"] + v["curtail_bus_mwh"]), pct(v["curtailment_rate"]))
    out.print(t)

    t = Table(title=f"User's cost per year (fee regime: {ds.attrs['fee_regime']})", header_style="bold")
    t.add_column("item")
    t.add_column("million yuan", justify="right")
    cost_rows: tuple[tuple[str, str | Text], ...] = (
        ("baseline_cost_yuan", "all from the grid (baseline, equivalent annual cost)"),
        ("import_cost_yuan", "grid import bill"),
        ("import_energy_cost_yuan", "  of which energy"),
        ("import_td_fee_yuan", "  of which T&D energy rate"),
        ("import_funds_yuan", "  of which funds and surcharges"),
        ("import_system_operation_fee_yuan", "  of which system operation"),
        ("import_line_loss_fee_yuan", "  of which generation-side line loss"),
        ("import_capacity_compensation_yuan", "  of which capacity compensation"),
        ("unserved_cost_yuan", "unserved load, at the grid price"),
        ("basic_charge_yuan", f"basic charge ({ds.attrs.get('basic_charge_basis', 'capacity')})"),
        ("capacity_td_fee_yuan", "capacity-based T&D fee (1192号)"),
        ("self_use_fees_yuan", "fees on self-used energy"),
        ("export_revenue_yuan", "export revenue (credit)"),
        ("annualised_capex_yuan", "annualised capital cost"),
        ("om_cost_yuan", "operation and maintenance"),
        ("levelised_adjustment_yuan", "levelised escalation, degradation, replacements"),
        ("project_cost_yuan", "with the project (equivalent annual cost)"),
        ("savings_yuan", styled(("savings", "bold"))),
    )
    for name, cell in cost_rows:
        t.add_row(cell, fmt(v[name] / 1e6, 2))
    t.add_row("savings per MWh consumed", f"{fmt(v['savings_yuan_per_mwh'], 1)} yuan/MWh")
    t.add_row("LCOE (discounted cost / discounted delivered energy)", f"{fmt(v['lcoe_yuan_per_mwh'], 1)} yuan/MWh")
    t.add_row("net cost of self-used green power", f"{fmt(v['self_used_net_cost_yuan_per_mwh'], 1)} yuan/MWh")
    life = int(v["project_life_years"])
    t.add_row(f"NPV over {life} years (vs grid only)", fmt(v["npv_yuan"] / 1e6, 1))
    t.add_row("IRR", f"{v['irr_frac']:.1%}" if v["has_irr"] > 0.5 else
              "none: the cash flow never changes sign (or its NPV never reaches 0)")
    pay = v["discounted_payback_years"]
    t.add_row("discounted payback", f"{pay:.1f} years" if np.isfinite(pay) else f"not within {life} years")
    t.add_row("lifetime net cost of self-used green power",
              f"{fmt(v['lifetime_self_used_net_cost_yuan_per_mwh'], 1)} yuan/MWh")
    if v["arbitrage_green_share_cost"] != 0.0:
        t.add_row("green share lost to arbitrage / peak shaving",
                  f"{v['arbitrage_green_share_cost']:.1%} (green-first {v['green_share_of_load_green_first']:.1%})")
    out.print(t)

    print_carbon(ds, v)


def print_flexible(v: dict[str, float]) -> None:
    """Print the flexible elements beside the policy ratios: consumption counted, hydrogen and its standards, shifts."""
    t = Table(title="Flexible consumption (counted in the green share: docs/flexible.md)", header_style="bold")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    t.add_row("user's total consumption (load + flexible − V2G)", f"{fmt(v['consumption_mwh'])} MWh")
    t.add_row("  of which flexible", f"{fmt(v['flexible_consumption_mwh'])} MWh")
    if "hydrogen_produced_kg" in v:
        t.add_row("electrolyser electricity (green / grid)", f"{fmt(v['electrolyser_mwh'])} MWh "
                  f"({pct(v['electrolyser_green_share'])} green, {fmt(v['electrolyser_grid_mwh'])} MWh grid)")
        t.add_row("electrolyser full-load hours, starts", f"{fmt(v['electrolyser_full_load_hours_h'])} h, "
                  f"{fmt(v['electrolyser_starts'])}")
        t.add_row("hydrogen produced / offtake met / unmet", f"{fmt(v['hydrogen_produced_kg'] / 1000, 1)} / "
                  f"{fmt(v['hydrogen_offtake_kg'] / 1000, 1)} / {fmt(v['hydrogen_unmet_kg'] / 1000, 1)} t "
                  f"(demand {fmt(v['hydrogen_demand_kg'] / 1000, 1)} t)")
        t.add_row("levelised cost of hydrogen (IEA-style annuity)", f"{fmt(v['lcoh_yuan_per_kg'], 2)} yuan/kg")
        t.add_row("hydrogen CO2, direct-connection / location-based",
                  f"{fmt(v['hydrogen_co2_direct_kg_per_kg'], 2)} / {fmt(v['hydrogen_co2_location_kg_per_kg'], 2)} "
                  "kg CO2/kg")
    if "flexible_load_mwh" in v:
        t.add_row("shiftable load served / shifted / unserved", f"{fmt(v['flexible_load_mwh'])} / "
                  f"{fmt(v['flexible_load_shifted_mwh'])} / {fmt(v['flexible_load_unserved_mwh'])} MWh")
    if "ev_charge_mwh" in v:
        t.add_row("EV charging / V2G discharge / driving energy short", f"{fmt(v['ev_charge_mwh'])} / "
                  f"{fmt(v['v2g_discharge_mwh'])} / {fmt(v['ev_unserved_mwh'])} MWh")
    out.print(t)
    if "hydrogen_produced_kg" not in v:
        return

    def verdict(ok: float) -> str:
        return "[green]PASS[/]" if ok else "[bold red]FAIL[/]"

    s = Table(title="Green-hydrogen standards (electricity only; hydrogen_standards.csv)", header_style="bold")
    for col in ("standard", "intensity kg CO2/kg", "threshold", "result"):
        s.add_column(col, justify="left" if col == "standard" else "right")
    d = v["hydrogen_co2_direct_kg_per_kg"]
    s.add_row("T/CAB 0078-2020 low-carbon", fmt(d, 2), "≤ 14.51", verdict(v["meets_tcab_low_carbon"]))
    s.add_row("T/CAB 0078-2020 clean", fmt(d, 2), "≤ 4.9", verdict(v["meets_tcab_clean"]))
    s.add_row("T/CAB 0078-2020 renewable", fmt(d, 2), "≤ 4.9, no grid", verdict(v["meets_tcab_renewable"]))
    s.add_row("EU RFNBO, monthly matching (to 2029), worst month", fmt(v["hydrogen_co2_eu_monthly_kg_per_kg"], 2),
              "≤ 3.38", verdict(v["meets_eu_rfnbo_monthly"]))
    s.add_row("EU RFNBO, hourly matching (from 2030), worst month", fmt(v["hydrogen_co2_eu_hourly_kg_per_kg"], 2),
              "≤ 3.38", verdict(v["meets_eu_rfnbo_hourly"]))
    s.add_row("hydrogen offtake met as required", "", "", verdict(v["meets_hydrogen_offtake"]))
    out.print(s)


def print_carbon(ds: Any, v: dict[str, float]) -> None:
    """Print the carbon section: avoided CO2, the user's two accounts, GECs, products and CBAM."""
    exported = " + export" if ds.attrs.get("count_export_in_avoided") else ""
    t = Table(title="Carbon", header_style="bold")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    t.add_row(f"avoided CO2 (self-used{exported}, {ds.attrs['emission_factor_basis']} "
              f"{ds.attrs.get('emission_factor_year', '')})", f"{fmt(v['avoided_co2_t'])} t")
    t.add_row("standard coal saved", f"{fmt(v['coal_saved_tce'])} tce")
    t.add_row("user's CO2, location-based (all consumption)", f"{fmt(v['location_based_co2_t'])} t")
    t.add_row("user's CO2, direct-connection accounting (imports only)", f"{fmt(v['direct_connection_co2_t'])} t")
    if "location_based_t_co2_per_mwh" in v:
        t.add_row("  intensity, location-based / direct connection",
                  f"{v['location_based_t_co2_per_mwh']:.4f} / {v['direct_connection_t_co2_per_mwh']:.4f} t CO2/MWh")
        t.add_row("removed from the user's account by the direct line", f"{fmt(v['accounting_difference_co2_t'])} t")
    if "gec_count" in v:
        t.add_row("green electricity certificates (1 per MWh delivered)", fmt(v["gec_count"]))
    t.add_row("green share matched hour by hour (24/7 CFE) / over the year",
              f"{pct(v['hourly_match_share'])} / {pct(v['annual_match_share'])}")
    out.print(t)
    out.print(
        f"avoided-CO2 factor {ds.attrs['emission_factor_t_co2_per_mwh']} t CO2/MWh "
        f"({ds.attrs['emission_factor_basis']}; {ds.attrs['emission_factor_source']}); "
        + (f"account factor: {ds.attrs['account_factor_basis']}, {ds.attrs['account_factor_t_co2_per_mwh']:.4f} "
           "t CO2/MWh (mean); " if "account_factor_basis" in ds.attrs else "")
        + f"coal rate {ds.attrs['coal_rate_g_ce_per_kwh']} g ce/kWh",
        style="dim",
    )
    if "product" in ds.dims:
        _print_products(ds, v)
    print_reported(ds)


def print_reported(ds: Any) -> None:
    """The figures of ``[[reported]]`` beside gpdc's values of the same quantities (nothing if none)."""
    from gpdc.results.reported import compare

    rows = compare(ds)
    if not rows:
        return
    t = Table(title="Reported figures beside gpdc's", header_style="bold")
    for col in ("figure", "unit", "reported", "gpdc", "gpdc / reported"):
        t.add_column(col, justify="left" if col in ("figure", "unit") else "right")
    for c in rows:
        rep = f"{c.low:,.4g}" if c.high == c.low else f"{c.low:,.4g}–{c.high:,.4g}"
        verdict = f"{c.ratio:.2f}x" + (" (within)" if c.within else "")
        t.add_row(c.label, c.unit, rep, f"{c.gpdc:,.4g}", verdict)
    out.print(t)
    for c in rows:
        out.print(f"{c.label}: reported as \"{c.as_reported}\" — {c.source}", style="dim", soft_wrap=True)
        if c.implied:
            out.print(f"  {c.implied}", soft_wrap=True)


def _print_products(ds: Any, v: dict[str, float]) -> None:
    price = f"{fmt(v['cbam_net_carbon_price_yuan_per_t_co2'], 1)} yuan/t CO2"
    t = Table(title=f"Products and EU CBAM (net certificate price {price})", header_style="bold")
    for col in ("product", "sector", "indirect counted", "elec. t CO2/t loc. / direct", "CBAM yuan/t loc. / direct",
                "CBAM M yuan/a loc. / direct", "electricity yuan/t grid / project"):
        t.add_column(col, justify="left" if col in ("product", "sector", "indirect counted") else "right")
    for name in ds["product"].values:
        p = ds.sel(product=name)

        def pair(a: str, b: str, scale: float = 1.0, digits: int = 3, p: Any = p) -> str:
            return f"{float(p[a]) / scale:.{digits}f} / {float(p[b]) / scale:.{digits}f}"

        t.add_row(str(name), str(p["product_sector"].values),
                  "yes" if bool(p["cbam_indirect_in_scope"]) else styled(("no", "yellow")),
                  pair("product_electricity_co2_location_t_co2_per_t",
                       "product_electricity_co2_direct_connection_t_co2_per_t"),
                  pair("cbam_exposure_location_yuan_per_t", "cbam_exposure_direct_connection_yuan_per_t", digits=1),
                  pair("cbam_exposure_location_yuan_per_year", "cbam_exposure_direct_connection_yuan_per_year", 1e6, 2),
                  pair("product_electricity_cost_baseline_yuan_per_t", "product_electricity_cost_yuan_per_t",
                       digits=1))
    out.print(t)
    for name in ds["product"].values:
        out.print(f"{name}: {ds['cbam_scope_reason'].sel(product=name).values}", style="dim")


#: the metrics an ensemble summary shows by default: (variable, label, how to show it)
ENSEMBLE_METRICS: tuple[tuple[str, str, str], ...] = (
    ("self_use_share", "self-used share of generation", "pct"),
    ("green_share_of_load", "green share of consumption", "pct"),
    ("export_share", "exported share of generation", "pct"),
    ("curtailment_rate", "curtailed share of generation", "pct"),
    ("gen_avail_mwh", "available generation", "GWh"),
    ("self_used_mwh", "self-used green energy", "GWh"),
    ("import_mwh", "imported from the grid", "GWh"),
    ("unserved_mwh", "unserved load", "MWh"),
    ("project_cost_yuan", "cost with the project", "M yuan"),
    ("savings_yuan", "savings against the grid", "M yuan"),
    ("savings_yuan_per_mwh", "savings per MWh consumed", "yuan/MWh"),
    ("npv_yuan", "net present value", "M yuan"),
    ("irr_frac", "internal rate of return", "pct"),
    ("avoided_co2_t", "avoided CO2", "kt"),
)
_SCALE = {"GWh": 1e-3, "M yuan": 1e-6, "kt": 1e-3, "MWh": 1.0, "yuan/MWh": 1.0}


def print_ensemble(ds: Any, show_all: bool = False) -> None:
    """The share of weather years that comply, and each key metric's mean and percentiles over the years.

    ``show_all`` lists every variable (with its registry unit) instead of the key metrics.
    """
    from gpdc.runs import ensemble_summary

    summary = ensemble_summary(ds)
    n = ds.sizes["weather_year"]
    out.rule(styled((f"{ds.attrs['scenario_name']} — {n} weather years ({ds.attrs['weather_years']})", "bold")))
    t = Table(title="Compliance across weather years", header_style="bold")
    t.add_column("rule")
    t.add_column("share of years met", justify="right")
    for name, label in (("meets_self_use", "self-used share of generation"),
                        ("meets_green_share", "green share of consumption"),
                        ("meets_export_cap", "exported share of generation"),
                        ("compliant", styled(("all rules (compliance probability)", "bold")))):
        if name in summary:
            t.add_row(label, pct(summary[name]["share"]))
    out.print(t)
    t = Table(title="Across weather years: mean and percentiles (an energy-yield 'P90' is the 10th percentile "
              "of generation)", header_style="bold")
    for col in ("metric", "unit", "mean", "10th pct", "median", "90th pct"):
        t.add_column(col, justify="left" if col in ("metric", "unit") else "right")
    rows: list[tuple[str, str, str]]
    if show_all:
        rows = []
        for name, stats in summary.items():
            if "mean" in stats:
                units = str(ds[name].attrs.get("units", ""))
                rows.append((name, name, "pct" if units == "1" and "share" in name else units))
    else:
        rows = [r for r in ENSEMBLE_METRICS if r[0] in summary and "mean" in summary[r[0]]]
    for name, label, how in rows:
        stats = summary[name]
        # percentiles in increasing order of the value, whatever is better for this metric
        if how == "pct":
            cells, unit = [pct(stats[k]) for k in ("mean", "p90", "p50", "p10")], "%"
        else:
            scale = _SCALE.get(how, 1.0)
            cells, unit = [fmt(stats[k] * scale, 1) for k in ("mean", "p90", "p50", "p10")], how
        t.add_row(label, unit, *cells)
    out.print(t)
    if not show_all:
        out.print("every variable: gpdc run ... --all, or the results file", style="dim")
    if "product" in ds.dims:
        out.print("per-product values vary with the weather only through the account factors: see the results file",
                  style="dim")


def print_sweep_summary(summary: Any) -> None:
    """How many designs comply (in every weather year), the cheapest one that does, and why designs failed.

    ``summary`` is a :class:`gpdc.sweeps.select.SweepSummary`.
    """
    years = f" in all {summary.weather_years} weather years" if summary.weather_years else ""
    n, k = summary.n_designs, summary.n_compliant
    out.print(f"compliant with every policy rule{years}: {k:,} of {n:,} designs ({k / n if n else float('nan'):.1%})",
              highlight=False)
    best = summary.cheapest
    if best is not None:
        mean = " (means over the weather years)" if years else ""
        out.print(f"cheapest compliant design: {best.where}: project cost {best.project_cost_yuan / 1e6:,.1f} "
                  f"M yuan, green share {best.green_share_of_load:.1%}, self-use {best.self_use_share:.1%}{mean}")
    for reason, count in summary.failures:
        out.print(styled((f"{count:,} design{'s' if count != 1 else ''} failed", "yellow"),
                         f" (status 2, NaN values): {reason}"), soft_wrap=True)


def _margin(result: Any, constraint: str, margin: float) -> str:
    """A constraint's margin in the metric's unit: shares as percentage points, others with their unit."""
    from gpdc.results.registry import VARIABLES

    target = next((t for t in result.spec.targets if constraint.startswith(str(t))), None)
    units = VARIABLES[target.metric].units if target is not None and target.metric in VARIABLES else "1"
    if units == "1":
        return points(margin)
    return f"{0.0 if abs(margin) < 5e-5 else margin:+,.4g} {units}"


def points(share_margin: float) -> str:
    """A margin between two shares in percentage points: ``+3.2 pp``; a margin that rounds to zero is ``0.0 pp``."""
    text = f"{share_margin * 100:+.1f}"
    return "0.0 pp" if float(text) == 0.0 else f"{text} pp"


def print_sizing(result: Any) -> None:
    """The best design, the ranked alternatives and the constraints."""
    ev = result.evaluated
    b = result.best_row
    years = "" if result.members == [None] else f" over {len(result.members)} weather years"
    out.print(f"{len(ev.objective):,} designs evaluated ({result.n_runs:,} design-years{years}) "
              f"in {result.seconds:.1f} s; objective: {result.spec.objective_text()}")
    if not result.feasible:
        out.print(styled(("no design meets every constraint", "bold red"), "; the closest one:"))
    t = Table(title="best design" if result.feasible else "closest design", header_style="bold")
    t.add_column("size")
    t.add_column("value", justify="right")
    for k, v in result.design().items():
        t.add_row(k, f"{v:,.4g}")
    out.print(t)
    m = {k: float(v[b]) for k, v in ev.metrics.items()}
    out.print(f"project cost {m['project_cost_yuan'] / 1e6:,.2f} M yuan/a, LCOE "
              f"{m['lcoe_yuan_per_mwh']:,.1f} yuan/MWh, savings {m['savings_yuan'] / 1e6:,.2f} M yuan/a; "
              f"self-use {m['self_use_share']:.1%}, green share {m['green_share_of_load']:.1%}, "
              f"export {m['export_share']:.1%}, curtailment {m['curtailment_rate']:.1%}"
              + (f"; complies in {ev.compliance_share[b]:.0%} of the years" if years else ""))
    c = Table(title="constraints at this design", header_style="bold")
    c.add_column("constraint")
    c.add_column("margin", justify="right")
    c.add_column("status")
    for name, margin, saving in result.binding():
        status = ("binding: relaxing it would save " + f"{saving:.2%}") if saving else (
            "at its limit" if abs(margin) < 1e-6 else ("met" if margin >= 0 else styled(("violated", "red"))))
        c.add_row(name, _margin(result, name, margin), status)
    out.print(c)
    if len(result.ranked_rows) > 1:
        r = Table(title=f"top {len(result.ranked_rows)} designs", header_style="bold")
        r.add_column("#", justify="right")
        names = [v.field for v in result.spec.variables]
        for n in names:
            r.add_column(_size_header(n), justify="right")
        cost = list(result.spec.objective) == ["project_cost_yuan"]
        r.add_column("cost M yuan/a" if cost else "objective", justify="right")
        r.add_column("green share", justify="right")
        for i, row in enumerate(result.ranked_rows, start=1):
            obj = f"{ev.objective[row] / 1e6:,.3f}" if cost else f"{ev.objective[row]:,.5g}"
            r.add_row(str(i), *[f"{x:g}" for x in ev.x[row]], obj,
                      f"{ev.metrics['green_share_of_load'][row]:.1%}")
        out.print(r)


def _size_header(field: str) -> str:
    """A decision variable as a column head: ``wind.capacity_mw`` -> ``wind MW``, ``storage.duration_h`` -> ``storage h``."""
    section, name = field.split(".", 1) if "." in field else ("", field)
    unit = {"mw": "MW", "mwh": "MWh", "h": "h", "km": "km", "frac": "share"}.get(name.rsplit("_", 1)[-1], "")
    what = name.rsplit("_", 1)[0].replace("capacity", "").replace("_", " ").strip()
    return " ".join(p for p in (section, what, unit) if p)


def print_lp_gap(result: Any) -> None:
    """The LP sizing optimum (perfect foresight) beside the searched design."""
    from gpdc.sizing.lp_compare import compare_with_lp

    out.print("solving the LP sizing problem (a full year takes a minute or two)...")
    out.print(compare_with_lp(result).text())


