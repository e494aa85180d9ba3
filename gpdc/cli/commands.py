"""The commands: ``gpdc run | sweep | size | validate | profiles | info``.

Thin by design: parse the arguments, call the layers below, print (:mod:`gpdc.cli.render`).
Errors about the input are printed as one clear message (field, value, what is allowed) and exit
with status 2; no traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from gpdc.cli.app import app, err, fail, out, parse_sets
from gpdc.cli.render import (
    fmt,
    print_ensemble,
    print_lp_gap,
    print_result,
    print_sizing,
    print_sweep_summary,
)
from gpdc.errors import ConsistencyWarning


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
        sc = load_scenario(scenario, overrides=parse_sets(sets))
        prof = build_profiles(sc, weather_year)
        t = Table(title=f"Profiles of {sc.name} (members: {weather_years(sc)})", header_style="bold")
        for col in ("series", "annual", "mean", "max", "lag-1 autocorr.", "lag-24 autocorr."):
            t.add_column(col, justify="left" if col == "series" else "right")
        for name, unit in (("cf_wind", "full-load h"), ("cf_solar", "full-load h"), ("load_mw", "MWh")):
            x = getattr(prof, name)
            ac = [float(np.corrcoef(x[:-k], x[k:])[0, 1]) if np.std(x) > 0 else float("nan") for k in (1, 24)]
            t.add_row(name, f"{fmt(float(x.sum()))} {unit}", f"{x.mean():.3f}", f"{x.max():.3f}",
                      f"{ac[0]:.2f}", f"{ac[1]:.2f}")
        out.print(t)
        for name, text in prof.sources.items():
            out.print(f"[bold]{name}[/]: {text}", highlight=False, soft_wrap=True)
        if plot is not None:
            from gpdc.plot.profiles import plot_profiles

            out.print(f"plot written to [bold]{plot_profiles(plot, prof, sc.name)}[/]")
    except Exception as exc:  # noqa: BLE001 - the CLI turns every error into a message
        fail(exc, debug)


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
            sc = load_scenario(scenario, overrides=parse_sets(sets))
            ensemble = run_ensemble(sc, strict=strict) if len(weather_years(sc)) > 1 else None
            if ensemble is None:
                result = simulate(sc, traces=traces or plot is not None, strict=strict)
        for w in caught:
            if issubclass(w.category, ConsistencyWarning):
                err.print(f"[yellow]warning:[/] {w.message}", highlight=False)
        if ensemble is not None:
            print_ensemble(ensemble)
            target = out_path or Path("results") / f"{scenario.stem}.h5"
            out.print(f"results written to [bold]{write_results(target, ensemble)}[/] (dimension weather_year)")
            if traces or plot is not None or csv is not None:
                err.print("[yellow]note:[/] --traces, --plot and --csv apply to single-year runs; "
                          "use `gpdc profiles --plot` for the profiles", highlight=False)
            return
        print_result(result.totals)
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
        fail(exc, debug)


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
        base = load_scenario(scenario, overrides=parse_sets(sets))
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
            print_sweep_summary(ds)
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
        fail(exc, debug)


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
        base = load_scenario(scenario, overrides=parse_sets(sets))
        spec = spec_from(read_sizing_table(scenario), variables or [], targets or [], objective, compliance_share,
                         not no_policy, top)
        result = run_size(base, spec)
        print_sizing(result)
        target = out_path or Path("results") / f"{scenario.stem}_size.h5"
        write_groups(target, result.datasets())
        out.print(f"results written to [bold]{target}[/] (root: ranked designs; groups pareto, evaluated)")
        if plot is not None:
            from gpdc.plot.sizing import plot_sizing
            from gpdc.sizing.report import compliance_map

            out.print(f"plot written to [bold]{plot_sizing(plot, result, compliance_map(result))}[/]")
        if compare_lp:
            print_lp_gap(result)
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI turns every error into a message
        fail(exc, debug)


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
            sc = load_scenario(scenario, overrides=parse_sets(sets))
            prepared = prepare(sc)
            resolved, profiles = prepared.resolved, prepared.profiles
            checks.check_design(resolved, float(np.max(profiles.load_mw)))
    except Exception as exc:  # noqa: BLE001
        fail(exc, debug)
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
        from gpdc.kernels.layout import N_HOURLY, N_PARAMS

        x = np.zeros(2)
        batch_totals(x, x, x, x, x, x, np.zeros(2, dtype=np.int64), np.zeros((2, N_HOURLY)), 1.0,
                     np.ones((N_PARAMS, 2)))
        out.print(f"numba threading layer: {numba.threading_layer()}")
    except Exception as exc:  # noqa: BLE001
        out.print(f"numba threading layer: unavailable ({exc})")
    out.print(f"provinces: {', '.join(tables.province_keys())}")
    out.print(f"policy rule sets: {', '.join(tables.policy_rule_sets())}")
    out.print(f"TOU schedules: {', '.join(tables.tou_schedule_names())}")
    out.print(f"tariffs (tariff.name): {', '.join(tables.tariff_names())}")
    out.print(f"fee regimes (tariff.fee_regime): {', '.join(tables.fee_regime_names())}")
    out.print(f"CBAM sectors ([[products]] sector): {', '.join(tables.cbam_sector_keys())}")


