"""The ``gpdc`` command line: ``gpdc run | sweep | size | validate | profiles | info``.

Thin by design: parse the arguments, call the public API, print.  Errors about the input
are printed as one clear message (field, value, what is allowed) and exit with status 2;
no traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import tomllib
import warnings
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from gpdc.errors import ConsistencyWarning, GpdcError

app = typer.Typer(
    name="gpdc",
    help="Simulate green power direct connection (绿电直连) projects hour by hour.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

EXIT_INPUT = 2
EXIT_INTERNAL = 3


def _parse_sets(items: list[str] | None) -> dict[str, Any]:
    """``["storage.energy_mwh=400", "name=x"]`` -> ``{"storage.energy_mwh": 400, "name": "x"}``."""
    result: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise typer.BadParameter(f"--set {item!r}: expected FIELD=VALUE, e.g. storage.energy_mwh=400")
        key, raw = item.split("=", 1)
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        result[key.strip()] = value
    return result


def _fail(exc: BaseException, debug: bool) -> None:
    if debug:
        raise exc
    if isinstance(exc, GpdcError):
        err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        raise typer.Exit(EXIT_INPUT)
    err.print(
        f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n"
        "This is a bug in gpdc; rerun with --debug for the traceback and report it.",
        highlight=False,
    )
    raise typer.Exit(EXIT_INTERNAL)


def _pct(x: float, sign: str = "") -> str:
    """Format a share as a percentage, ``n/a`` when it is undefined (NaN)."""
    if math.isnan(x):
        return "n/a"
    return f"{0.0 if abs(x) < 5e-10 else x:{sign}.1%}"


def _fmt(x: float, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:,.{digits}f}"


def _print_result(ds: Any) -> None:
    v = {k: float(ds[k].values) for k in ds.data_vars if ds[k].ndim == 0}
    title = f"{ds.attrs['scenario_name']} — {ds.attrs['year']}, {ds.attrs['n_hours']} h"
    out.rule(f"[bold]{title}")

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
        t.add_row(label, _fmt(v[name]), f"{v[name] / gen:.1%}" if of_generation and gen > 0 else "")
    out.print(t)

    t = Table(title=f"Policy rules ({ds.attrs['policy_rule_set']})", header_style="bold")
    for col in ("rule", "value", "threshold", "margin", "result"):
        t.add_column(col, justify="right" if col != "rule" else "left")

    def margin(x: float) -> str:
        return _pct(x, "+")

    def verdict(ok: float) -> str:
        return "[green]PASS[/]" if ok else "[bold red]FAIL[/]"

    t.add_row("self-used share of generation", _pct(v["self_use_share"]),
              f"≥ {ds.attrs['policy_min_self_use_frac']:.0%}", margin(v["self_use_margin"]),
              verdict(v["meets_self_use"]))
    t.add_row("green share of consumption", _pct(v["green_share_of_load"]),
              f"≥ {ds.attrs['policy_min_green_share_of_load_frac']:.0%}", margin(v['green_share_margin']),
              verdict(v["meets_green_share"]))
    t.add_row("exported share of generation", _pct(v["export_share"]),
              f"≤ {ds.attrs['policy_max_export_frac']:.0%}", margin(v['export_margin']), verdict(v["meets_export_cap"]))
    t.add_row("[bold]compliant", "", "", "", verdict(v["compliant"]))
    out.print(t)

    t = Table(title="Matching and operation", header_style="bold")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    t.add_row("green share matched hour by hour (24/7)", _pct(v["hourly_match_share"]))
    t.add_row("green share matched over the year", _pct(v["annual_match_share"]))
    t.add_row("hours fully supplied by green energy", f"{_fmt(v['self_supply_hours_h'])} h")
    t.add_row("peak grid import", f"{_fmt(v['peak_import_mw'], 1)} MW")
    t.add_row("storage equivalent full cycles", f"{_fmt(v['storage_cycles'], 0)}")
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
        t.add_row(label, _fmt(v[name]), f"{v[name] / gen:.1%}" if gen > 0 else "")
    t.add_row("[bold]total", _fmt(v["curtail_line_mwh"] + v["curtail_bus_mwh"]), _pct(v["curtailment_rate"]))
    out.print(t)

    t = Table(title=f"User's cost per year (fee regime: {ds.attrs['fee_regime']})", header_style="bold")
    t.add_column("item")
    t.add_column("million yuan", justify="right")
    for name, label in (
        ("baseline_cost_yuan", "all from the grid (baseline)"),
        ("import_cost_yuan", "grid import bill"),
        ("unserved_cost_yuan", "unserved load, at the grid price"),
        ("basic_charge_yuan", f"basic charge ({ds.attrs.get('basic_charge_basis', 'capacity')})"),
        ("capacity_td_fee_yuan", "capacity-based T&D fee (1192号)"),
        ("self_use_fees_yuan", "fees on self-used energy"),
        ("export_revenue_yuan", "export revenue (credit)"),
        ("annualised_capex_yuan", "annualised capital cost"),
        ("om_cost_yuan", "operation and maintenance"),
        ("project_cost_yuan", "with the project"),
        ("savings_yuan", "[bold]savings"),
    ):
        t.add_row(label, _fmt(v[name] / 1e6, 2))
    t.add_row("savings per MWh consumed", f"{_fmt(v['savings_yuan_per_mwh'], 1)} yuan/MWh")
    t.add_row("cost of self-used green power", f"{_fmt(v['lcoe_yuan_per_mwh'], 1)} yuan/MWh")
    life = int(v["project_life_years"])
    t.add_row(f"NPV over {life} years (vs grid only)", _fmt(v["npv_yuan"] / 1e6, 1))
    t.add_row("IRR", f"{v['irr_frac']:.1%}" if v["has_irr"] > 0.5 else
              "none: the cash flow never changes sign (or its NPV never reaches 0)")
    pay = v["discounted_payback_years"]
    t.add_row("discounted payback", f"{pay:.1f} years" if np.isfinite(pay) else f"not within {life} years")
    t.add_row("lifetime cost of self-used green power", f"{_fmt(v['lifetime_lcoe_yuan_per_mwh'], 1)} yuan/MWh")
    if v["arbitrage_green_share_cost"] != 0.0:
        t.add_row("green share lost to arbitrage / peak shaving",
                  f"{v['arbitrage_green_share_cost']:.1%} (green-first {v['green_share_of_load_green_first']:.1%})")
    out.print(t)

    _print_carbon(ds, v)


def _print_carbon(ds: Any, v: dict[str, float]) -> None:
    """Print the carbon section: avoided CO2, the user's two accounts, GECs, products and CBAM."""
    exported = " + export" if ds.attrs.get("count_export_in_avoided") else ""
    t = Table(title="Carbon", header_style="bold")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    t.add_row(f"avoided CO2 (self-used{exported}, {ds.attrs['emission_factor_basis']} "
              f"{ds.attrs.get('emission_factor_year', '')})", f"{_fmt(v['avoided_co2_t'])} t")
    t.add_row("standard coal saved", f"{_fmt(v['coal_saved_tce'])} tce")
    t.add_row("user's CO2, location-based (all consumption)", f"{_fmt(v['location_based_co2_t'])} t")
    t.add_row("user's CO2, direct-connection accounting (imports only)", f"{_fmt(v['direct_connection_co2_t'])} t")
    if "location_based_t_co2_per_mwh" in v:
        t.add_row("  intensity, location-based / direct connection",
                  f"{v['location_based_t_co2_per_mwh']:.4f} / {v['direct_connection_t_co2_per_mwh']:.4f} t CO2/MWh")
        t.add_row("removed from the user's account by the direct line", f"{_fmt(v['accounting_difference_co2_t'])} t")
    if "gec_count" in v:
        t.add_row("green electricity certificates (1 per MWh delivered)", _fmt(v["gec_count"]))
    t.add_row("green share matched hour by hour (24/7 CFE) / over the year",
              f"{_pct(v['hourly_match_share'])} / {_pct(v['annual_match_share'])}")
    out.print(t)
    out.print(
        f"avoided-CO2 factor {ds.attrs['emission_factor_t_co2_per_mwh']} t CO2/MWh "
        f"({ds.attrs['emission_factor_basis']}; {ds.attrs['emission_factor_source']}); "
        + (f"account factor: {ds.attrs['account_factor_basis']}, {ds.attrs['account_factor_t_co2_per_mwh']:.4f} "
           "t CO2/MWh (mean); " if "account_factor_basis" in ds.attrs else "")
        + f"coal rate {ds.attrs['coal_rate_g_ce_per_kwh']} g ce/kWh",
        style="dim",
        highlight=False,
    )
    if "product" not in ds.dims:
        return
    price = f"{_fmt(v['cbam_net_carbon_price_yuan_per_t_co2'], 1)} yuan/t CO2"
    t = Table(title=f"Products and EU CBAM (net certificate price {price})", header_style="bold")
    for col in ("product", "sector", "indirect counted", "elec. t CO2/t loc. / direct", "CBAM yuan/t loc. / direct",
                "CBAM M yuan/a loc. / direct"):
        t.add_column(col, justify="left" if col in ("product", "sector", "indirect counted") else "right")
    for name in ds["product"].values:
        p = ds.sel(product=name)

        def pair(a: str, b: str, scale: float = 1.0, digits: int = 3, p: Any = p) -> str:
            return f"{float(p[a]) / scale:.{digits}f} / {float(p[b]) / scale:.{digits}f}"

        t.add_row(str(name), str(p["product_sector"].values),
                  "yes" if bool(p["cbam_indirect_in_scope"]) else "[yellow]no[/]",
                  pair("product_electricity_co2_location_t_co2_per_t",
                       "product_electricity_co2_direct_connection_t_co2_per_t"),
                  pair("cbam_exposure_location_yuan_per_t", "cbam_exposure_direct_connection_yuan_per_t", digits=1),
                  pair("cbam_exposure_location_yuan_per_year", "cbam_exposure_direct_connection_yuan_per_year", 1e6, 2))
    out.print(t)
    for name in ds["product"].values:
        out.print(f"{name}: {ds['cbam_scope_reason'].sel(product=name).values}", style="dim", highlight=False)


def _print_ensemble(ds: Any) -> None:
    """Each metric's mean, P50 and P90 over the weather years, and the share of compliant years."""
    from gpdc.runs import ensemble_summary

    summary = ensemble_summary(ds)
    n = ds.sizes["weather_year"]
    out.rule(f"[bold]{ds.attrs['scenario_name']} — {n} weather years ({ds.attrs['weather_years']})")
    t = Table(title="Compliance across weather years", header_style="bold")
    t.add_column("rule")
    t.add_column("share of years met", justify="right")
    for name, label in (("meets_self_use", "self-used share of generation"),
                        ("meets_green_share", "green share of consumption"),
                        ("meets_export_cap", "exported share of generation"),
                        ("compliant", "[bold]all rules (compliance probability)")):
        if name in summary:
            t.add_row(label, _pct(summary[name]["share"]))
    out.print(t)
    t = Table(title="Metrics across weather years (percentiles over the years; for an energy-yield 'P90' read "
              "the 10th percentile)", header_style="bold")
    for col in ("metric", "units", "mean", "10th pct", "median", "90th pct"):
        t.add_column(col, justify="left" if col in ("metric", "units") else "right", no_wrap=True)
    for name, stats in summary.items():
        if "mean" not in stats:
            continue
        units = str(ds[name].attrs.get("units", ""))
        share = units == "1" and (name.endswith(("_share", "_rate", "_margin", "_frac")) or "share" in name)
        # percentiles in increasing order of the value, whatever is better for this metric
        cells = [_pct(stats[k]) if share else _fmt(stats[k], 1) for k in ("mean", "p90", "p50", "p10")]
        t.add_row(name, units, *cells)
    out.print(t, width=max(out.width, 118))  # metric names whole, even on a narrow terminal
    if "product" in ds.dims:
        out.print("per-product values vary with the weather only through the account factors: see the results file",
                  style="dim")


@app.command()
def profiles(
    scenario: Annotated[Path, typer.Argument(help="scenario TOML file")],
    plot: Annotated[Path | None, typer.Option("--plot", help="draw a week in winter and summer and the "
                                              "duration curves of the profiles (PNG)")] = None,
    weather_year: Annotated[int | None, typer.Option("--weather-year", help="ensemble member to build")] = None,
    sets: Annotated[list[str] | None, typer.Option("--set", help="override a field")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    """Build a scenario's hourly profiles, print their statistics and sources, optionally plot them."""
    from gpdc.pipeline import build_profiles, weather_years
    from gpdc.scenario.load import load_scenario

    try:
        if plot is not None:
            from gpdc.plot import check_format

            check_format(plot)
        sc = load_scenario(scenario, overrides=_parse_sets(sets))
        prof = build_profiles(sc, weather_year)
        t = Table(title=f"Profiles of {sc.name} (members: {weather_years(sc)})", header_style="bold")
        for col in ("series", "annual", "mean", "max", "lag-1 autocorr.", "lag-24 autocorr."):
            t.add_column(col, justify="left" if col == "series" else "right")
        for name, unit in (("cf_wind", "full-load h"), ("cf_solar", "full-load h"), ("load_mw", "MWh")):
            x = getattr(prof, name)
            ac = [float(np.corrcoef(x[:-k], x[k:])[0, 1]) if np.std(x) > 0 else float("nan") for k in (1, 24)]
            t.add_row(name, f"{_fmt(float(x.sum()))} {unit}", f"{x.mean():.3f}", f"{x.max():.3f}",
                      f"{ac[0]:.2f}", f"{ac[1]:.2f}")
        out.print(t)
        for name, text in prof.sources.items():
            out.print(f"[bold]{name}[/]: {text}", highlight=False, soft_wrap=True)
        if plot is not None:
            from gpdc.plot.profiles import plot_profiles

            out.print(f"plot written to [bold]{plot_profiles(plot, prof, sc.name)}[/]")
    except Exception as exc:  # noqa: BLE001 - the CLI turns every error into a message
        _fail(exc, debug)


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="scenario TOML file")],
    out_path: Annotated[
        Path | None, typer.Option("--out", "-o", help="results file (default: results/<scenario>.h5)")
    ] = None,
    traces: Annotated[
        bool, typer.Option("--traces", help="also write hourly flows and state of charge (group 'traces')")
    ] = False,
    csv: Annotated[Path | None, typer.Option("--csv", help="also write the totals as a one-row CSV")] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="also draw two weeks of dispatch, duration curves and storage (PNG)")
    ] = None,
    sets: Annotated[
        list[str] | None, typer.Option("--set", help="override a field: --set storage.energy_mwh=400")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="treat plausibility warnings as errors")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    """Simulate one scenario for one year, print the results and write them to HDF5."""
    from gpdc.api import simulate, write_results
    from gpdc.io.csv import write_totals_csv
    from gpdc.pipeline import weather_years
    from gpdc.runs import run_ensemble
    from gpdc.scenario.load import load_scenario

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConsistencyWarning)
            if plot is not None:
                from gpdc.plot import check_format

                check_format(plot)
            sc = load_scenario(scenario, overrides=_parse_sets(sets))
            ensemble = run_ensemble(sc, strict=strict) if len(weather_years(sc)) > 1 else None
            if ensemble is None:
                result = simulate(sc, traces=traces or plot is not None, strict=strict)
        for w in caught:
            if issubclass(w.category, ConsistencyWarning):
                err.print(f"[yellow]warning:[/] {w.message}", highlight=False)
        if ensemble is not None:
            _print_ensemble(ensemble)
            target = out_path or Path("results") / f"{scenario.stem}.h5"
            out.print(f"results written to [bold]{write_results(target, ensemble)}[/] (dimension weather_year)")
            if traces or plot is not None or csv is not None:
                err.print("[yellow]note:[/] --traces, --plot and --csv apply to single-year runs; "
                          "use `gpdc profiles --plot` for the profiles", highlight=False)
            return
        _print_result(result.totals)
        target = out_path or Path("results") / f"{scenario.stem}.h5"
        written = write_results(target, result.totals, result.traces if traces else None)
        out.print(f"results written to [bold]{written}[/]" + (" (with hourly traces)" if traces else ""))
        if csv is not None:
            out.print(f"totals written to [bold]{write_totals_csv(csv, result.totals)}[/]")
        if plot is not None:
            from gpdc.plot.dispatch import plot_dispatch

            if result.traces is not None:  # simulated with traces above
                out.print(f"plot written to [bold]{plot_dispatch(plot, result.totals, result.traces)}[/]")
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI turns every error into a message
        _fail(exc, debug)


@app.command()
def sweep(
    scenario: Annotated[Path, typer.Argument(help="base scenario TOML file (its [sweep] table is used too)")],
    vary: Annotated[list[str] | None, typer.Option(
        "--vary", help="a dimension: FIELD=START:STOP:STEP (stop included) or FIELD=V1,V2,...")] = None,
    zips: Annotated[list[str] | None, typer.Option(
        "--zip", help="fields that move together: 'NAME FIELD=V1,V2 FIELD=W1,W2'")] = None,
    designs: Annotated[Path | None, typer.Option(
        "--designs", help="CSV of explicit designs: a column per field path (optional first column 'design')")] = None,
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="results file (default results/<name>_sweep.h5)")] = None,
    chunk_size: Annotated[int | None, typer.Option(
        "--chunk-size", help="designs per chunk, the unit of work and of writing (default 65,536, or the "
        "existing file's when resuming)")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="replace a results file that holds another sweep")] = False,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address, tcp://HOST:PORT")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="run on a local Dask cluster of N processes")] = None,
    traces_at: Annotated[list[str] | None, typer.Option(
        "--traces-at", help="also write hourly traces of this design: DIM=VALUE,DIM=VALUE,...")] = None,
    traces_best: Annotated[int, typer.Option("--traces-best", help="also write traces of the best K compliant designs")] = 0,
    by: Annotated[str, typer.Option("--by", help="metric that ranks designs for --traces-best (smallest first)")] = (
        "project_cost_yuan"),
    largest: Annotated[bool, typer.Option("--largest", help="rank --traces-best by the largest value instead")] = False,
    sets: Annotated[list[str] | None, typer.Option("--set", help="override a field of the base scenario")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    """Simulate every design of a sweep into one HDF5 file (resumable: rerun the same command)."""
    from gpdc.io.sweep_store import open_sweep
    from gpdc.scenario.load import load_scenario
    from gpdc.sweeps import plan_sweep, run_sweep
    from gpdc.sweeps.select import best_points, parse_point, write_traces
    from gpdc.sweeps.spec import combine, parse_vary, parse_zip, read_designs_csv, read_sweep_table

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        base = load_scenario(scenario, overrides=_parse_sets(sets))
        dims = [parse_vary(v) for v in vary or []] + [parse_zip(z) for z in zips or []]
        if designs is not None:
            dims.append(read_designs_csv(designs))
        from gpdc.sweeps.runner import chunk_size_of
        from gpdc.sweeps.select import check_metric

        target = out_path or Path("results") / f"{scenario.stem}_sweep.h5"
        if traces_best:
            check_metric(by)
        size_ = chunk_size or (None if overwrite else chunk_size_of(target)) or 65_536
        plan = plan_sweep(base, combine(read_sweep_table(scenario), dims), size_)
        out.print(f"sweep of {plan.size:,} designs ({' × '.join(f'{d.name} {d.size}' for d in plan.dims)}) "
                  f"in {len(plan.chunks)} chunks -> {target}", highlight=False)
        report = run_sweep(plan, target, overwrite=overwrite, scheduler=scheduler, workers=workers, quiet=quiet)
        if report.chunks_resumed:
            out.print(f"resumed: {report.chunks_resumed} chunks were already done", highlight=False)
        out.print(f"{report.chunks_run} chunks computed in {report.seconds:.1f} s "
                  f"({report.designs_per_second:,.0f} designs/s)", highlight=False)
        with open_sweep(target) as ds:
            _print_sweep_summary(ds)
            points = [parse_point(t, ds) for t in traces_at or []]
            if traces_best:
                best = best_points(ds, by, traces_best, largest=largest)
                if not best:
                    out.print(f"--traces-best {traces_best}: no design meets every policy rule; no traces written")
                points += best
        if points:
            tpath = target.with_name(target.stem + ".traces.h5")
            write_traces(plan, points, tpath)
            out.print(f"hourly traces of {len(points)} designs written to [bold]{tpath}[/]")
        out.print(f"results written to [bold]{target}[/]")
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI turns every error into a message
        _fail(exc, debug)


def _print_sweep_summary(ds: Any) -> None:
    """How many designs comply (in every weather year), and the cheapest one that does."""
    import numpy as np

    comp_da = ds["compliant"]
    cost_da = ds["project_cost_yuan"]
    years = ""
    if "weather_year" in comp_da.dims:
        comp_da = comp_da.all("weather_year")
        cost_da = cost_da.mean("weather_year")
        years = f" in all {ds.sizes['weather_year']} weather years"
    comp = comp_da.values.astype(bool)
    n = comp.size
    out.print(f"compliant with every policy rule{years}: {int(comp.sum()):,} of {n:,} designs ({comp.mean():.1%})",
              highlight=False)
    if comp.any():
        cost = np.where(comp, cost_da.values, np.inf)
        idx = np.unravel_index(int(np.argmin(cost)), cost.shape)
        dims = cost_da.dims
        where = ", ".join(f"{d}={ds[d].values[i]}" for d, i in zip(dims, idx, strict=True))
        point = ds.isel(dict(zip(dims, idx, strict=True)))
        if "weather_year" in point.dims:
            point = point.mean("weather_year")
        mean = " (means over the weather years)" if years else ""
        out.print(f"cheapest compliant design: {where}: project cost {float(point['project_cost_yuan']) / 1e6:,.1f} "
                  f"M yuan, green share {float(point['green_share_of_load']):.1%}, "
                  f"self-use {float(point['self_use_share']):.1%}{mean}", highlight=False)


@app.command()
def size(
    scenario: Annotated[Path, typer.Argument(help="scenario TOML file (its [sizing] table is used too)")],
    variables: Annotated[list[str] | None, typer.Option(
        "--var", help="a size to decide: FIELD=LOW:HIGH:STEP, e.g. wind.capacity_mw=0:500:10 (storage.duration_h too)")] = None,
    targets: Annotated[list[str] | None, typer.Option(
        "--target", help="a hard constraint: 'METRIC>=VALUE' or 'METRIC<=VALUE', e.g. 'green_share_of_load>=0.5'")] = None,
    objective: Annotated[str | None, typer.Option(
        "--objective", help="what to minimise: project_cost_yuan (default), lcoe_yuan_per_mwh, or 'a:1,b:0.1'")] = None,
    compliance_share: Annotated[float | None, typer.Option(
        "--compliance-share", help="with a weather-year ensemble: comply in at least this share of years (0.9 = P90)")] = None,
    no_policy: Annotated[bool, typer.Option("--no-policy", help="do not impose the rule set's three rules")] = False,
    top: Annotated[int, typer.Option("--top", help="how many alternatives to rank")] = 10,
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="results file (default results/<name>_size.h5)")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="draw the Pareto frontier and the compliance map (PNG)")] = None,
    compare_lp: Annotated[bool, typer.Option("--lp", help="also solve the LP sizing optimum and print the gap")] = False,
    sets: Annotated[list[str] | None, typer.Option("--set", help="override a field of the base scenario")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    """Find the cheapest design that meets the rules: best design, ranked alternatives, binding constraints."""
    from gpdc.io.hdf5 import write_groups
    from gpdc.scenario.load import load_scenario
    from gpdc.sizing import size as run_size
    from gpdc.sizing import spec_from
    from gpdc.sizing.spec import read_sizing_table

    try:
        if plot is not None:
            from gpdc.plot import check_format

            check_format(plot)
        base = load_scenario(scenario, overrides=_parse_sets(sets))
        spec = spec_from(read_sizing_table(scenario), variables or [], targets or [], objective, compliance_share,
                         not no_policy, top)
        result = run_size(base, spec)
        _print_sizing(result)
        target = out_path or Path("results") / f"{scenario.stem}_size.h5"
        write_groups(target, result.datasets())
        out.print(f"results written to [bold]{target}[/] (root: ranked designs; groups pareto, evaluated)")
        if plot is not None:
            from gpdc.plot.sizing import plot_sizing
            from gpdc.sizing.report import compliance_map

            out.print(f"plot written to [bold]{plot_sizing(plot, result, compliance_map(result))}[/]")
        if compare_lp:
            _print_lp_gap(result)
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI turns every error into a message
        _fail(exc, debug)


def _print_sizing(result: Any) -> None:
    """The best design, the ranked alternatives and the constraints."""
    ev = result.evaluated
    b = result.best_row
    years = "" if result.members == [None] else f" over {len(result.members)} weather years"
    out.print(f"{len(ev.objective):,} designs evaluated ({result.n_runs:,} design-years{years}) "
              f"in {result.seconds:.1f} s; objective: {result.spec.objective_text()}", highlight=False)
    if not result.feasible:
        out.print("[bold red]no design meets every constraint[/]; the closest one:")
    t = Table(title="best design" if result.feasible else "closest design", header_style="bold")
    t.add_column("size")
    t.add_column("value", justify="right")
    for k, v in result.design().items():
        t.add_row(k, f"{v:,.4g}")
    out.print(t)
    m = {k: float(v[b]) for k, v in ev.metrics.items()}
    out.print(f"project cost {m['project_cost_yuan'] / 1e6:,.2f} M yuan/a, LCOE of self-used green power "
              f"{m['lcoe_yuan_per_mwh']:,.1f} yuan/MWh, savings {m['savings_yuan'] / 1e6:,.2f} M yuan/a; "
              f"self-use {m['self_use_share']:.1%}, green share {m['green_share_of_load']:.1%}, "
              f"export {m['export_share']:.1%}, curtailment {m['curtailment_rate']:.1%}"
              + (f"; complies in {ev.compliance_share[b]:.0%} of the years" if years else ""), highlight=False)
    c = Table(title="constraints at this design", header_style="bold")
    c.add_column("constraint")
    c.add_column("margin", justify="right")
    c.add_column("status")
    for name, margin, saving in result.binding():
        status = ("binding: relaxing it would save " + f"{saving:.2%}") if saving else (
            "at its limit" if abs(margin) < 1e-6 else ("met" if margin >= 0 else "[red]violated[/]"))
        c.add_row(name, f"{margin:+.4f}", status)
    out.print(c)
    if len(result.ranked_rows) > 1:
        r = Table(title=f"top {len(result.ranked_rows)} designs", header_style="bold")
        r.add_column("#", justify="right")
        names = [v.field for v in result.spec.variables]
        for n in names:
            r.add_column(n.replace("capacity_", "").replace("storage.", "st.").replace(".", " "), justify="right")
        cost = list(result.spec.objective) == ["project_cost_yuan"]
        r.add_column("cost M yuan/a" if cost else "objective", justify="right")
        r.add_column("green share", justify="right")
        for i, row in enumerate(result.ranked_rows, start=1):
            obj = f"{ev.objective[row] / 1e6:,.3f}" if cost else f"{ev.objective[row]:,.5g}"
            r.add_row(str(i), *[f"{x:g}" for x in ev.x[row]], obj,
                      f"{ev.metrics['green_share_of_load'][row]:.1%}")
        out.print(r)


def _print_lp_gap(result: Any) -> None:
    """The LP sizing optimum (perfect foresight) beside the searched design."""
    from gpdc.sizing.lp_compare import compare_with_lp

    out.print("solving the LP sizing problem (a full year takes a minute or two)...")
    out.print(compare_with_lp(result).text(), highlight=False)


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="scenario TOML file")],
    sets: Annotated[list[str] | None, typer.Option("--set", help="override a field")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    """Check a scenario without running the dispatch: fields, data lookups, profiles, plausibility."""
    from gpdc.pipeline import prepare
    from gpdc.scenario import checks
    from gpdc.scenario.load import load_scenario

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConsistencyWarning)
            sc = load_scenario(scenario, overrides=_parse_sets(sets))
            prepared = prepare(sc)
            resolved, profiles = prepared.resolved, prepared.profiles
            checks.check_design(resolved, float(np.max(profiles.load_mw)))
    except Exception as exc:  # noqa: BLE001
        _fail(exc, debug)
        return
    for w in caught:
        if issubclass(w.category, ConsistencyWarning):
            err.print(f"[yellow]warning:[/] {w.message}", highlight=False)
    out.print(f"[green]valid:[/] {scenario} — {sc.name}; profiles: {len(profiles.time)} hours")
    out.print("\n[bold]numbers taken from the data tables[/] (set them in the scenario to override):")
    for name, v in resolved.values.items():
        if v.source == "scenario file":
            continue
        unit = "" if v.unit in ("", "1") else f" {v.unit}"
        out.print(f"  [bold]{name}[/] = {v.value:g}{unit}  [dim]({v.confidence})[/]", highlight=False)
        source = v.source if len(v.source) <= 240 else v.source[:237] + "..."
        out.print(f"      {source}", style="dim", highlight=False, soft_wrap=True)


@app.command()
def info() -> None:
    """Print versions, the numba threading layer and the data tables."""
    import numba

    from gpdc.kernels.cpu import BLOCK
    from gpdc.kernels.step import CACHE
    from gpdc.results.provenance import version_record
    from gpdc.scenario import tables

    for k, v in version_record().items():
        out.print(f"{k:10s} {v}")
    out.print(f"numba threads: {numba.get_num_threads()}; cache: {CACHE}; "
              f"NUMBA_CACHE_DIR: {os.environ.get('NUMBA_CACHE_DIR', '(default: __pycache__)')}; batch block: {BLOCK}")
    try:
        from gpdc.kernels.dispatch import batch_totals
        from gpdc.kernels.layout import N_PARAMS

        x = np.zeros(2)
        batch_totals(x, x, x, x, x, x, np.zeros(2, dtype=np.int64), 1.0, np.ones((N_PARAMS, 2)))
        out.print(f"numba threading layer: {numba.threading_layer()}")
    except Exception as exc:  # noqa: BLE001
        out.print(f"numba threading layer: unavailable ({exc})")
    out.print(f"provinces: {', '.join(tables.province_keys())}")
    out.print(f"policy rule sets: {', '.join(tables.policy_rule_sets())}")
    out.print(f"TOU schedules: {', '.join(tables.tou_schedule_names())}")
    out.print(f"tariffs (tariff.name): {', '.join(tables.tariff_names())}")
    out.print(f"fee regimes (tariff.fee_regime): {', '.join(tables.fee_regime_names())}")
    out.print(f"CBAM sectors ([[products]] sector): {', '.join(tables.cbam_sector_keys())}")


def main() -> None:
    """Entry point of the ``gpdc`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
