"""The commands: ``gpdc init | run | sweep | size | plot | validate | profiles | info``.

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

import typer
from rich.table import Table

from gpdc.cli.app import SHOWN_WARNINGS, app, fail, note, out, parse_sets, styled, warning, written
from gpdc.cli.render import (
    fmt,
    print_ensemble,
    print_lp_gap,
    print_result,
    print_sizing,
    print_sweep_summary,
)
from gpdc.errors import ConsistencyWarning, InputError, SchedulerWarning


@app.command()
def profiles(
    scenario: Annotated[Path, typer.Argument(help="scenario TOML file")],
    plot: Annotated[Path | None, typer.Option("--plot", help="draw a week in winter and summer and the "
                                              "duration curves of the profiles (PNG)")] = None,
    weather_year: Annotated[int | None, typer.Option("--weather-year", help="ensemble member to build")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="write the profiles as a profile CSV (time, cf_wind, "
                                             "cf_solar, load_mw), the format of [profiles] source = \"csv\"")] = None,
    sets: Annotated[list[str] | None, typer.Option("--set", help="override a field")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    """Build a scenario's hourly profiles, print their statistics and sources, optionally plot or save them."""
    import numpy as np

    from gpdc.pipeline import build_profiles, weather_years
    from gpdc.scenario.load import load_scenario

    try:
        if plot is not None:
            from gpdc.plot import check_format

            check_format(plot)
        sc = load_scenario(scenario, overrides=parse_sets(sets))
        prof = build_profiles(sc, weather_year)
        members = weather_years(sc)
        which = ("one weather year" if members == [None] else
                 f"weather year {weather_year if weather_year is not None else members[0]} of "
                 f"{', '.join(str(m) for m in members)}")
        t = Table(title=f"Profiles of {sc.name} ({which})", header_style="bold")
        for col in ("series", "annual", "mean", "max", "lag-1 autocorr.", "lag-24 autocorr."):
            t.add_column(col, justify="left" if col == "series" else "right")
        for name, unit in (("cf_wind", "full-load h"), ("cf_solar", "full-load h"), ("load_mw", "MWh")):
            x = getattr(prof, name)
            ac = [float(np.corrcoef(x[:-k], x[k:])[0, 1]) if np.std(x) > 0 else float("nan") for k in (1, 24)]
            t.add_row(name, f"{fmt(float(x.sum()))} {unit}", f"{x.mean():.3f}", f"{x.max():.3f}",
                      f"{ac[0]:.2f}", f"{ac[1]:.2f}")
        out.print(t)
        for name, text in prof.sources.items():
            out.print(styled((name, "bold"), f": {text}"), soft_wrap=True)
        if plot is not None:
            from gpdc.plot.profiles import plot_profiles

            written("plot", plot_profiles(plot, prof, sc.name))
        if csv is not None:
            from gpdc.io.csv import write_profile_csv

            written("profile CSV", write_profile_csv(csv, prof))
    except Exception as exc:  # noqa: BLE001 - the CLI turns every error into a message
        fail(exc, debug)


def default_results_path(scenario: Path, overrides: dict[str, object], suffix: str = "") -> Path:
    """results/<scenario><suffix>.h5; with --set a name of its own, so the base scenario's file is never replaced."""
    if not overrides:
        return Path("results") / f"{scenario.stem}{suffix}.h5"
    import hashlib

    text = "\n".join(f"{k}={v!r}" for k, v in sorted(overrides.items()))
    return Path("results") / f"{scenario.stem}{suffix}-set-{hashlib.sha256(text.encode()).hexdigest()[:8]}.h5"


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
    show_all: Annotated[bool, typer.Option("--all", help="with weather years: list every variable")] = False,
    ledger: Annotated[Path | None, typer.Option(
        "--ledger", help="also write the hourly green-power delivery record, SHA-256 chained (CSV; also kept in "
        "the results file, its head in the attributes); check it with gpdc verify")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    """Simulate one scenario for one year, print the results and write them to HDF5.

    With --set and no --out the results go to results/<scenario>-set-<hash>.h5, never over the
    base scenario's file.
    """
    from gpdc.api import simulate, write_results
    from gpdc.io.atomic import check_writable
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

                check_format(check_writable(plot, "a plot"))
            overrides = parse_sets(sets)
            target = check_writable(out_path or default_results_path(scenario, overrides))
            if csv is not None:
                check_writable(csv, "CSV")
            if ledger is not None:
                check_writable(ledger, "the delivery record")
            sc = load_scenario(scenario, overrides=overrides)
            ensemble = run_ensemble(sc, strict=strict) if len(weather_years(sc)) > 1 else None
            if ensemble is None:
                result = simulate(sc, traces=traces or plot is not None or ledger is not None, strict=strict)
        for w in caught:
            if issubclass(w.category, SHOWN_WARNINGS):
                warning(w.message)
        if ensemble is not None:
            print_ensemble(ensemble, show_all)
            written("results", write_results(target, ensemble), " (dimension weather_year)")
            if traces or plot is not None or csv is not None or ledger is not None:
                note("--traces, --plot, --csv and --ledger apply to single-year runs; use `gpdc profiles --plot` for "
                     "the profiles")
            return
        print_result(result.totals)
        totals, groups = result.totals, {"cash_flow": result.cash_flow}
        if ledger is not None:
            from gpdc.report.ledger import ledger_dataset, ledger_from_run

            record = ledger_from_run(result.totals, result.traces)  # type: ignore[arg-type] # traced above
            totals = totals.assign_attrs(ledger_sha256_head=record.head, ledger_hourly_rows=record.n_hourly)
            groups["ledger"] = ledger_dataset(record)
        path_written = write_results(target, totals, result.traces if traces else None, groups=groups)
        written("results", path_written, " (with hourly traces)" if traces else "")
        if ledger is not None:
            from gpdc.report.ledger import write_ledger_csv

            written("delivery record", write_ledger_csv(ledger, record),
                    f" ({record.n_hourly} hourly rows; head {record.head})")
        if csv is not None:
            written("totals", write_totals_csv(csv, result.totals))
        if plot is not None:
            from gpdc.plot.dispatch import plot_dispatch

            if result.traces is not None:  # simulated with traces above
                written("plot", plot_dispatch(plot, result.totals, result.traces))
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
    backend: Annotated[str, typer.Option(
        "--backend", help="where the dispatch runs: auto (the GPU for large runs where one is usable), cpu, cuda "
        "(needs a CUDA GPU and pip install 'gpdc[gpu]')")] = "auto",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    """Simulate every design of a sweep into one HDF5 file (resumable: rerun the same command)."""
    from gpdc.io.atomic import check_writable
    from gpdc.io.sweep_store import columns_of, open_sweep, sweep_columns
    from gpdc.scenario.load import load_scenario
    from gpdc.sweeps import plan_sweep, run_sweep
    from gpdc.sweeps.select import SUMMARY_VARIABLES, best_points, parse_point, sweep_summary, write_traces
    from gpdc.sweeps.spec import combine, parse_vary, parse_zip, read_designs_csv, read_sweep_table

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        base = load_scenario(scenario, overrides=parse_sets(sets))
        dims = [parse_vary(v) for v in vary or []] + [parse_zip(z) for z in zips or []]
        if designs is not None:
            dims.append(read_designs_csv(designs))
        from gpdc.sweeps.runner import chunk_size_of
        from gpdc.sweeps.select import check_metric

        target = check_writable(out_path or default_results_path(scenario, parse_sets(sets), "_sweep"))
        if traces_best:
            check_metric(by)
        size_ = chunk_size or (None if overwrite else chunk_size_of(target)) or 65_536
        plan = plan_sweep(base, combine(read_sweep_table(scenario), dims), size_)
        wanted = [parse_point(t, plan) for t in traces_at or []]  # an off-grid design is refused before any work
        out.print(f"sweep of {plan.size:,} designs ({' × '.join(f'{d.where} {d.size}' for d in plan.dims)}) "
                  f"in {len(plan.chunks)} chunks -> {target}")
        if scheduler is not None:  # checked before any work; a remote one must be trusted
            from gpdc.sweeps.scheduler import check_scheduler

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", SchedulerWarning)
                check_scheduler(scheduler)
            for w in caught:
                warning(w.message)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SchedulerWarning)
            report = run_sweep(plan, target, overwrite=overwrite, scheduler=scheduler, workers=workers, quiet=quiet,
                               backend=backend)
        if report.chunks_resumed:
            out.print(f"resumed: {report.chunks_resumed} chunks were already done", highlight=False)
        if report.chunks_recomputed:
            out.print(f"{report.chunks_recomputed} chunks marked done failed their checksum and were computed again",
                      highlight=False)
        where = ""
        if report.backend == "cuda" and (scheduler is not None or workers):
            where = " on the Dask workers' GPUs"
        elif report.backend == "cuda":
            from gpdc.kernels.cuda import device_name

            where = f" on the GPU ({device_name()})"
        out.print(f"{report.chunks_run} chunks computed{where} in {report.seconds:.1f} s "
                  f"({report.designs_per_second:,.0f} designs/s)", highlight=False)
        # the summary reads six variables with h5py, without xarray (whose open_dataset of the whole file cost
        # 0.25 s of CPU and its import 0.15-0.2 s, a fifth of a warm 1,000-design sweep); --traces-best ranks
        # by any metric, so it opens them all
        points = list(wanted)
        if traces_best:
            with open_sweep(target) as ds:
                print_sweep_summary(sweep_summary(columns_of(ds, SUMMARY_VARIABLES)))
                best = best_points(ds, by, traces_best, largest=largest)
            if not best:
                out.print(f"--traces-best {traces_best}: no design meets every policy rule; no traces written")
            points += best
        else:
            print_sweep_summary(sweep_summary(sweep_columns(target, SUMMARY_VARIABLES)))
        if points:
            tpath = target.with_name(target.stem + ".traces.h5")
            write_traces(plan, points, tpath)
            written(f"hourly traces of {len(points)} designs", tpath)
        written("results", target)
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
    save_best: Annotated[Path | None, typer.Option(
        "--save-best", help="write the best design as a complete scenario file (gpdc run FILE reproduces it)")] = None,
    save_top: Annotated[tuple[int, Path] | None, typer.Option(
        "--save-top", help="write the top K designs as scenario files into a folder: --save-top K DIR")] = None,
    backend: Annotated[str, typer.Option(
        "--backend", help="where the dispatch runs: auto (the GPU for large runs where one is usable), cpu, cuda "
        "(needs a CUDA GPU and pip install 'gpdc[gpu]')")] = "auto",
    sets: Annotated[list[str] | None, typer.Option("--set", help="override a field of the base scenario")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    """Find the cheapest design that meets the rules: best design, ranked alternatives, binding constraints."""
    from gpdc.io.atomic import check_writable
    from gpdc.io.hdf5 import write_groups
    from gpdc.io.scenario_files import write_scenario
    from gpdc.scenario.load import load_scenario
    from gpdc.sizing import size as run_size
    from gpdc.sizing import spec_from
    from gpdc.sizing.spec import read_sizing_table

    try:
        if plot is not None:
            from gpdc.plot import check_format

            check_format(check_writable(plot, "a plot"))
        overrides = parse_sets(sets)
        target = check_writable(out_path or default_results_path(scenario, overrides, "_size"))
        for path in (save_best, None if save_top is None else save_top[1] / "probe.toml"):
            if path is not None:
                check_writable(path, "a scenario file")
        if save_top is not None and save_top[0] < 1:
            raise InputError(f"--save-top {save_top[0]} is invalid: K must be >= 1")
        base = load_scenario(scenario, overrides=overrides)
        spec = spec_from(read_sizing_table(scenario), variables or [], targets or [], objective, compliance_share,
                         not no_policy, max(top, save_top[0] if save_top else 0))
        from gpdc.backends import choose, using
        from gpdc.sizing.search import COARSE_BUDGET

        with using(choose(backend, COARSE_BUDGET)):
            result = run_size(base, spec)
        print_sizing(result)
        write_groups(target, result.datasets())
        written("results", target, " (root: ranked designs; groups pareto, evaluated)")
        if save_best is not None:
            written("best design", write_scenario(save_best, result.scenario(), _design_note(result, result.best_row)))
        if save_top is not None:
            for rank, row in enumerate(result.ranked_rows[: save_top[0]], start=1):
                path = save_top[1] / f"{scenario.stem}_rank{rank:02d}.toml"
                write_scenario(path, result.scenario(int(row)), _design_note(result, int(row), rank))
            written(f"the top {min(save_top[0], len(result.ranked_rows))} designs", save_top[1])
        if plot is not None:
            from gpdc.plot.sizing import plot_sizing
            from gpdc.sizing.report import compliance_map

            written("plot", plot_sizing(plot, result, compliance_map(result)))
        if compare_lp:
            print_lp_gap(result)
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI turns every error into a message
        fail(exc, debug)


def _design_note(result: object, row: int, rank: int | None = None) -> str:
    """The comment heading a saved design: where it came from and what it achieves."""
    ev = result.evaluated  # type: ignore[attr-defined]
    m = {k: float(v[row]) for k, v in ev.metrics.items()}
    which = f"rank {rank} of" if rank is not None else "the best design of"
    return (f"{which} `gpdc size` on {result.base.name} (objective {result.spec.objective_text()}): "  # type: ignore[attr-defined]
            f"project cost {m['project_cost_yuan'] / 1e6:,.3f} M yuan/a, self-use {m['self_use_share']:.1%}, "
            f"green share {m['green_share_of_load']:.1%}, export {m['export_share']:.1%}")


@app.command("plot")
def plot_cmd(
    results: Annotated[Path, typer.Argument(help="a sweep results file (gpdc sweep)")],
    metric: Annotated[str, typer.Option("--metric", "-m", help="the result variable to show")] = "project_cost_yuan",
    x: Annotated[str | None, typer.Option("--x", help="dimension on the x axis (default: the first swept)")] = None,
    y: Annotated[
        str | None, typer.Option("--y", help="dimension on the y axis: a heat map (default: the second swept)")
    ] = None,
    color: Annotated[str | None, typer.Option("--color", help="one line per value of this dimension")] = None,
    facet: Annotated[str | None, typer.Option("--facet", help="one panel per value of this dimension")] = None,
    where: Annotated[
        list[str] | None, typer.Option("--where", help="hold a dimension at a value: --where storage_energy_mwh=240")
    ] = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", "-o", help="image file (default: beside RESULTS, <stem>-<metric>.png)")
    ] = None,
    partial: Annotated[bool, typer.Option("--partial", help="draw an unfinished sweep (missing designs blank)")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    """Draw a metric of a sweep over one or two of its dimensions, with the boundary of compliance.

    Dimensions are named as in the file (storage_energy_mwh) or by field path (storage.energy_mwh).
    One dimension: a line (--color adds one line per value); two: a heat map with the
    non-compliant designs hatched; --facet one panel per value of a third. Others must be held
    with --where.
    """
    from gpdc.io.atomic import check_writable
    from gpdc.io.sweep_store import open_sweep
    from gpdc.plot import check_format
    from gpdc.sweeps.select import sweep_view

    try:
        target = out_path or results.with_name(f"{results.stem}-{metric}.png")
        check_format(check_writable(target, "a plot"))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ds = open_sweep(results, allow_partial=partial)
        for w in caught:
            if "unfinished" in str(w.message):
                warning(w.message)
        with ds:
            view = sweep_view(ds, metric, x=x, y=y, color=color, facet=facet, where=where or ())
            from gpdc.plot.sweep import plot_sweep

            title = f"{ds.attrs.get('scenario_name', results.stem)}: {metric}"
            written("plot", plot_sweep(target, view, title))
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
            checks.check_all(resolved, prepared.inputs.load_mw, prepared.inputs.dt_h)
    except Exception as exc:  # noqa: BLE001
        fail(exc, debug)
        return
    for w in caught:
        if issubclass(w.category, SHOWN_WARNINGS):
            warning(w.message)
    out.print(styled(("valid:", "green"), f" {scenario} — {sc.name}; profiles: {len(profiles.time)} hours"))
    out.print(styled("\n", ("numbers taken from the data tables", "bold"), " (set them in the scenario to override):"))
    for name, v in resolved.values.items():
        if v.source == "scenario file":
            continue
        unit = "" if v.unit in ("", "1") else f" {v.unit}"
        out.print(styled("  ", (name, "bold"), f" = {v.value:g}{unit}  ", (f"({v.confidence})", "dim")))
        source = v.source if len(v.source) <= 240 else v.source[:237] + "..."
        out.print(f"      {source}", style="dim", highlight=False, soft_wrap=True)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="the scenario file to write, e.g. my_project.toml")],
    province: Annotated[str | None, typer.Option("--province", help="province key (see `gpdc info`)")] = None,
    name: Annotated[str | None, typer.Option("--name", help="project name")] = None,
    load: Annotated[str, typer.Option("--load", help="load archetype (load_archetypes.csv)")] = "flat",
    annual_mwh: Annotated[float, typer.Option("--annual-mwh", help="the user's consumption [MWh/a]")] = 100_000.0,
    wind_mw: Annotated[
        float | None, typer.Option("--wind-mw", help="wind rating [MW] (default: generation = half the load)")
    ] = None,
    solar_mw: Annotated[
        float | None, typer.Option("--solar-mw", help="solar rating [MW] (default: generation = half the load)")
    ] = None,
    storage_mw: Annotated[float, typer.Option("--storage-mw", help="storage power [MW]")] = 0.0,
    storage_hours: Annotated[float, typer.Option("--storage-hours", help="storage energy per MW [h]")] = 2.0,
    fee_regime: Annotated[
        str, typer.Option("--fee-regime", help="fee regime (fee_regimes.csv)")
    ] = "nearby_consumption_2025",
    overwrite: Annotated[bool, typer.Option("--overwrite", help="replace an existing file")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
) -> None:
    """Write a new scenario for a province: every required field filled from the data, each with its source.

    Without --province, asks for it on a terminal. The file validates and runs as written:
    `gpdc validate FILE`, then `gpdc run FILE`.
    """
    import sys

    from gpdc.scenario import tables
    from gpdc.template import ProjectOptions, new_scenario

    try:
        if province is None:
            keys = tables.province_keys()
            if not sys.stdin.isatty():
                raise InputError(f"--province is required: one of {', '.join(keys)}")
            province = typer.prompt(f"province ({', '.join(keys)})")
        opts = ProjectOptions(
            province=str(province).strip(), name=name or f"{str(province).strip()} direct-connection project",
            archetype=load, annual_mwh=annual_mwh, wind_mw=wind_mw, solar_mw=solar_mw, storage_mw=storage_mw,
            storage_hours=storage_hours, fee_regime=fee_regime,
        )
        written("scenario", new_scenario(path, opts, overwrite=overwrite),
                f"; next: gpdc validate {path}, then gpdc run {path}")
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI turns every error into a message
        fail(exc, debug)


@app.command()
def info() -> None:
    """Print versions, the numba threading layer and the data tables."""
    import numba
    import numpy as np

    from gpdc.kernels.cpu import BLOCK
    from gpdc.kernels.step import CACHE
    from gpdc.results.provenance import version_record
    from gpdc.scenario import tables

    for k, v in version_record().items():
        out.print(f"{k:10s} {v}")
    out.print(f"numba threads: {numba.get_num_threads()}; cache: {CACHE}; "
              f"NUMBA_CACHE_DIR: {os.environ.get('NUMBA_CACHE_DIR', '(default: __pycache__)')}; batch block: {BLOCK}")
    try:
        from gpdc.kernel_cache import call
        from gpdc.kernels.dispatch import batch_totals
        from gpdc.kernels.layout import N_HOURLY, N_PARAMS

        x = np.zeros(2)
        call(batch_totals, x, x, x, x, x, x, np.zeros(2, dtype=np.int64), np.zeros((2, N_HOURLY)), 1.0,
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


