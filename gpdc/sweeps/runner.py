"""Run a sweep: check it, lay out the results file, compute the chunks, write them as they finish.

Chunks run in this process (the batch kernel uses every core through ``prange``) or as tasks
on a Dask distributed cluster; either way this process is the only writer, and it holds the
file's writer lock (:mod:`gpdc.io.lock`) from before the file is created to the last chunk, so a
second sweep on the same file is refused at once.  A rerun of the same sweep against its
unfinished file resumes from the ledger — after checking every chunk marked done against its
checksum, and computing again any that fails; a different sweep or scenario is refused unless
``overwrite``.  Designs that cannot be computed are recorded with their reason
(:mod:`gpdc.sweeps.execute`) and the sweep goes on.
"""

from __future__ import annotations

import difflib
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gpdc._version import __version__
from gpdc.backends import choose, using
from gpdc.errors import GpdcError, ResultsFileError, UnregisteredVariableError, argument
from gpdc.io import sweep_store
from gpdc.io.atomic import remove_stale_temporaries
from gpdc.io.lock import writer_lock
from gpdc.pipeline import weather_years
from gpdc.results import provenance
from gpdc.results.registry import VARIABLES, attrs_of
from gpdc.scenario.load import to_toml
from gpdc.scenario.schema import Scenario
from gpdc.sweeps.execute import (
    ChunkResult,
    DispatchedChunk,
    account_chunk,
    chunk_result_task,
    compute_chunk,
    dispatch_chunk,
    group_inputs,
    redo_one_by_one,
)
from gpdc.sweeps.plan import DEFAULT_CHUNK, WEATHER_DIM, Chunk, SweepPlan, make_plan
from gpdc.sweeps.progress import progress_for
from gpdc.sweeps.scheduler import check_scheduler, client_for
from gpdc.sweeps.spec import Dim, SweepSpec, check_spec, coord_array, dim_name, parse_vary
from gpdc.units import unit_of

if TYPE_CHECKING:  # xarray is imported where a Dataset is built (0.15-0.2 s of CPU a `gpdc sweep` need not pay)
    import xarray as xr

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    """What a run did: chunks computed now and before, designs, failed designs, time.

    ``failed`` maps each reason a design failed in this run to the number of designs it
    stopped; ``chunks_recomputed`` counts chunks marked done whose data failed their check;
    ``backend`` says where the dispatch ran (``cpu`` or ``cuda``).
    """

    path: Path | None
    n_designs: int
    n_chunks: int
    chunks_run: int
    chunks_resumed: int
    seconds: float
    failed: Mapping[str, int] = dc_field(default_factory=dict)
    chunks_recomputed: int = 0
    backend: str = "cpu"

    @property
    def designs_per_second(self) -> float:
        """Designs computed per second in this run."""
        done = self.n_designs * self.chunks_run / max(self.n_chunks, 1)
        return done / self.seconds if self.seconds > 0 else float("nan")


def _weather_years(sc: Scenario) -> list[Any]:
    years = list(weather_years(sc))
    return years if len(years) > 1 else [None]


def to_spec(axes: SweepSpec | Mapping[str, Any] | None) -> SweepSpec:
    """A spec from a mapping ``{field: values or "start:stop:step"}`` (or a spec already)."""
    if axes is None:
        return SweepSpec(())
    if isinstance(axes, SweepSpec):
        return axes
    dims = []
    for field, values in axes.items():
        if isinstance(values, Dim):
            dims.append(values)
        elif isinstance(values, str):
            dims.append(parse_vary(f"{field}={values}"))
        else:
            vals = tuple(v.item() if isinstance(v, np.generic) else v for v in np.atleast_1d(np.asarray(values, dtype=object)))
            dims.append(Dim(dim_name(field), (field,), (vals,)))
    return SweepSpec(tuple(dims))


def plan_sweep(base: Scenario, axes: SweepSpec | Mapping[str, Any], chunk_size: int = DEFAULT_CHUNK) -> SweepPlan:
    """Check a sweep against its base scenario and cut it into chunks (no simulation yet).

    Every group (combination of the dimensions that change the hourly inputs) is validated
    and its world numbers resolved before any work, so that e.g. a province without the data
    another group needs is reported up front, with the group's coordinates.
    """
    from gpdc.sweeps.spec import SweepError, _err

    if chunk_size < 1:
        raise _err(argument("chunk_size", "--chunk-size"), chunk_size, "must be >= 1 design")
    spec = to_spec(axes)
    check_spec(base, spec)
    plan = make_plan(base, spec, _weather_years(base), chunk_size)
    _check_groups(plan, SweepError)
    return plan


def _check_groups(plan: SweepPlan, error: type) -> None:
    """Validate, resolve and (for an hourly emission-factor file) length-check every group."""
    from gpdc.errors import GpdcError
    from gpdc.profiles import hourly_index
    from gpdc.profiles.factors import read_hourly_factors
    from gpdc.scenario.resolve import resolve
    from gpdc.sweeps.spec import _Problem, apply

    checked: set[tuple[Any, ...]] = set()
    for g in range(plan.n_groups):
        values, year = plan.group_values(g)
        where = ", ".join(f"{k}={v!r}" for k, v in values.items()) or "the base scenario"
        try:
            sc = apply(plan.base, values) if values else plan.base
            resolve(sc)
            if sc.emissions.hourly_factors_csv is not None:
                y = int(year) if (year is not None and sc.profiles.years is not None) else sc.profiles.year
                key = (sc.emissions.hourly_factors_csv, y, sc.site.timezone)
                if key not in checked:
                    checked.add(key)
                    read_hourly_factors(sc.emissions.hourly_factors_csv, time=hourly_index(y, sc.site.timezone),
                                        timezone=sc.site.timezone)
        except GpdcError as exc:
            raise error([_Problem(f"sweep group {where}", None, str(exc))]) from None


# --- layout ------------------------------------------------------------------------------------


def _dim_layouts(plan: SweepPlan) -> list[sweep_store.DimLayout]:
    out = []
    for d in plan.dims:
        coord = coord_array(d.coord())
        aux: dict[str, tuple[np.ndarray, dict[str, str]]] = {}
        if len(d.fields) > 1 or d.labels is not None:
            for f, v in zip(d.fields, d.values, strict=True):
                aux[dim_name(f)] = (coord_array(v), {"long_name": f"{f} along {d.name}", "field": f,
                                                     **_units(f)})
        if d.name == WEATHER_DIM:
            attrs = {"long_name": "weather year (ensemble member or calendar year)"}
        elif not aux:
            attrs = {"long_name": f"swept scenario field {d.fields[0]}", "field": d.fields[0],
                     "units": _units(d.fields[0]).get("units", "1")}
        else:
            attrs = {"long_name": f"index of {d.name}: fields {', '.join(d.fields)} move together",
                     "fields": ", ".join(d.fields)}
        out.append(sweep_store.DimLayout(d.name, coord, aux, attrs))
    return out


def _units(field: str) -> dict[str, str]:
    """``{"units": ...}`` of a scenario field from its name's suffix (empty when it has none)."""
    unit = unit_of(field.split(".")[-1])
    return {"units": unit} if unit else {}


def _extra_dims(plan: SweepPlan, g: int = 0) -> list[sweep_store.DimLayout]:
    """Dimensions after the sweep's: ``product`` when the scenario states products."""
    products = group_inputs(plan, g).resolved.products
    if not len(products):
        return []
    coords = products.coords()
    _, names, attrs = coords.pop("product")
    return [sweep_store.DimLayout("product", np.asarray(names, dtype=object),
                                  {k: (np.asarray(v, dtype=object), a) for k, (_, v, a) in coords.items()}, attrs)]


def _var_layouts(probe: Mapping[str, np.ndarray]) -> list[sweep_store.VarLayout]:
    out = []
    for name in VARIABLES:
        if name not in probe:
            continue
        dtype = "bool" if np.asarray(probe[name]).dtype == bool else "float64"
        out.append(sweep_store.VarLayout(name, dtype, attrs_of(name), tuple(VARIABLES[name].dims)))
    missing = sorted(set(probe) - set(VARIABLES))
    if missing:
        raise UnregisteredVariableError(f"variables not in gpdc.results.registry.VARIABLES: {missing}")
    return out


def _attrs(plan: SweepPlan, g: int = 0) -> dict[str, Any]:
    """Return the file's attributes: its base scenario's (group ``g``, the first that builds) and the sweep's."""
    return provenance.sweep_attrs(group_inputs(plan, g), {
        "sweep_fingerprint": plan.fingerprint(),
        "sweep_spec": plan.spec.canonical(),
        "sweep_chunk_size": plan.chunk_size,
        "sweep_n_designs": plan.size,
        "sweep_group_dims": json.dumps([d.name for d in plan.group_dims]),
        "sweep_column_dims": json.dumps([d.name for d in plan.column_dims]),
    })


def _refusal(path: Path, attrs: Mapping[str, Any], plan: SweepPlan) -> str:
    """Say how the existing file's sweep differs from this one."""
    old_spec = str(attrs.get("sweep_spec", ""))
    new_spec = plan.spec.canonical()
    if "sweep_fingerprint" not in attrs:
        return f"{path} exists and is not a gpdc sweep file; {_another_out()}"
    if old_spec != new_spec:
        try:
            old = {(d["fields"][0] if len(d["fields"]) == 1 and not d.get("labels") else d["name"]): len(d["values"][0])
                   for d in json.loads(old_spec)}
        except (ValueError, KeyError, TypeError, IndexError):
            old = {}
        new = {d.where: d.size for d in plan.spec.dims}
        return (f"{path} holds a different sweep (dimensions {old}; this one {new}); "
                f"{_another_out()}")
    old_toml = str(attrs.get("scenario_toml", "")).splitlines()
    diff = [ln for ln in difflib.unified_diff(old_toml, to_toml(plan.base).splitlines(), lineterm="", n=0)
            if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    if diff:
        return (f"{path} was computed for a different scenario ({'; '.join(diff[:4])}); "
                f"{_another_out()}")
    if str(attrs.get("sweep_chunk_size")) != str(plan.chunk_size) and str(attrs.get("gpdc_version")) == str(
            __version__):
        try:
            done, total = sweep_store.progress(path)
        except (OSError, KeyError):
            done, total = 0, 0
        return (f"{path} holds this sweep cut into chunks of {attrs.get('sweep_chunk_size')} designs "
                f"({done} of {total} chunks done); rerun with "
                f"{argument('chunk_size=', '--chunk-size ')}{attrs.get('sweep_chunk_size')} "
                f"to resume it (or {argument('overwrite=True', '--overwrite')} to start again)")
    return (f"{path} was written by gpdc {attrs.get('gpdc_version')}; this is gpdc {__version__}: "
            f"{_another_out('recompute')}")


def _another_out(verb: str = "replace") -> str:
    return (f"pass {argument('overwrite=True', '--overwrite')} to {verb} it, or choose another "
            f"{argument('out path', '--out')}")


def chunk_size_of(path: str | Path) -> int | None:
    """The chunk size an existing sweep file was written with (None if there is no such file)."""
    p = Path(path)
    if not p.exists():
        return None
    try:
        v = sweep_store.read_attrs(p).get("sweep_chunk_size")
    except ResultsFileError:
        return None
    return int(v) if v is not None else None


#: designs of each group tried for the probe that lays out the results file
_PROBES_PER_GROUP = 16


def _probe(plan: SweepPlan) -> tuple[int, dict[str, np.ndarray]]:
    """Compute one design that can be computed — the first of each group in turn — and return (group, its values).

    Its variables lay out the file, so a sweep whose first designs fail still runs.

    Raises
    ------
    SweepError
        If no design tried can be computed (the first reason is given).
    """
    from gpdc.sweeps.execute import _group_or_reason
    from gpdc.sweeps.spec import _err

    first: str | None = None
    n_columns = int(np.prod(plan.column_shape)) if plan.column_dims else 1
    for g in range(plan.n_groups):
        prepared = _group_or_reason(plan, g)
        if isinstance(prepared, str):
            first = first or prepared
            continue
        for j in range(min(n_columns, _PROBES_PER_GROUP)):
            try:
                return g, compute_chunk(plan, Chunk(-1, g, j, j + 1, (), tuple(1 for _ in plan.dims)), prepared)
            except GpdcError as exc:
                first = first or str(exc)
    raise _err("sweep", None, f"no design of the sweep that was tried can be computed; the first reason: {first}")


def prepare_file(path: Path, plan: SweepPlan, overwrite: bool) -> tuple[list[sweep_store.VarLayout], int, int]:
    """Create the results file, or check an existing one for resuming; return (variables, chunks done, chunks to redo).

    The caller holds the file's writer lock.  An existing file of this sweep has every chunk
    marked done checked against its checksum and flags; a chunk that fails is logged and
    marked not done, so that it is computed again.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        attrs = sweep_store.read_attrs(path)
        if attrs.get("sweep_fingerprint") != plan.fingerprint():
            raise ResultsFileError(_refusal(path, attrs, plan))
        ledger = sweep_store.read_ledger(path)
        if ledger.fmt < sweep_store.FORMAT:
            raise ResultsFileError(f"{path} was written by an older gpdc (sweep file format {ledger.fmt}, without "
                                   "checksums); rerun with --overwrite to compute it again")
        if ledger.done.size != len(plan.chunks):
            raise ResultsFileError(f"{path}: its ledger has {ledger.done.size} chunks, this sweep {len(plan.chunks)}; "
                                   "the file was changed after gpdc wrote it: rerun with --overwrite")
        problems = sweep_store.verify(path, ledger)
        if problems:
            log.warning("%s; computing %s again", sweep_store.problems_text(path, ledger, problems),
                        "it" if len(problems) == 1 else f"these {len(problems)} chunks")
            with sweep_store.Store(path) as store:
                store.unmark(sorted(problems))
        return [], int(ledger.done.sum()) - len(problems), len(problems)
    g, probe = _probe(plan)
    variables = _var_layouts(probe)
    sweep_store.create(path, _dim_layouts(plan), variables, [c.selection for c in plan.chunks], plan.n_groups,
                       _attrs(plan, g), _extra_dims(plan, g))
    return variables, 0, 0


# --- execution ---------------------------------------------------------------------------------


def _local_cpu(plan: SweepPlan, todo: list[int]) -> Iterator[ChunkResult]:
    """Compute the chunks in this process on the CPU, in order, the kernel one chunk ahead of the accounting.

    One thread runs the kernel calls (:func:`~gpdc.sweeps.execute.dispatch_chunk`: numba's
    parallel threads, without the GIL), one at a time — so it is safe on every numba threading
    layer —, with as many numba threads as the calling thread has; while it runs chunk k + 1,
    this thread accounts chunk k (prices, finance, emissions: one core) and the caller writes
    it.  The single-threaded work no longer leaves cores idle between kernel calls: on 2 cores
    a 10^6-design sweep's wall time falls by about the accounting's and the writes' CPU time
    over two.  Memory: one chunk's kernel totals more.
    """
    if not todo:
        return
    from concurrent.futures import ThreadPoolExecutor

    import numba

    threads = numba.get_num_threads()  # thread-local in numba: the kernel thread takes this thread's

    def in_kernel_thread(fn: Callable[..., ChunkResult | DispatchedChunk], arg: Any) -> Any:
        numba.set_num_threads(threads)
        with using("cpu"):  # the backend is a context variable: a new thread starts from the default
            return fn(plan, arg)

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gpdc-kernel")
    try:
        ahead = pool.submit(in_kernel_thread, dispatch_chunk, todo[0])
        for k in range(len(todo)):
            staged = ahead.result()
            if k + 1 < len(todo):
                ahead = pool.submit(in_kernel_thread, dispatch_chunk, todo[k + 1])
            if isinstance(staged, ChunkResult):
                yield staged
                continue
            result = account_chunk(plan, staged)
            if result is None:  # its accounting raised a GpdcError: design by design, kernel calls in their thread
                result = pool.submit(in_kernel_thread, redo_one_by_one, staged).result()
            yield result
    finally:  # an error or an interrupt here: the chunk in the kernel finishes (a second or so), nothing more
        pool.shutdown(wait=True, cancel_futures=True)


def _local(plan: SweepPlan, todo: list[int], backend: str = "cpu") -> Iterator[ChunkResult]:
    """Compute the chunks in this process: on the CPU, :func:`_local_cpu`.

    On the GPU, two threads: one chunk's kernel runs while the CPU derives, prices and finances
    the chunk before (the kernel call waits on the GPU without the GIL).
    """
    if backend == "cpu":
        yield from _local_cpu(plan, todo)
        return
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    pending = iter(todo)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="gpdc-gpu") as pool:
        running = {pool.submit(chunk_result_task, plan, i, None, backend) for i in _take(pending, 2)}
        while running:
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                yield fut.result()
                running |= {pool.submit(chunk_result_task, plan, i, None, backend) for i in _take(pending, 1)}


def _dask(plan: SweepPlan, todo: list[int], scheduler: str | None, workers: int | None,
          quiet: bool = False, backend: str = "cpu") -> Iterator[ChunkResult]:
    client, cluster, threads = client_for(scheduler, workers, quiet)
    from dask.distributed import as_completed

    try:
        [plan_f] = client.scatter([plan], broadcast=True)
        window = 4 * max(1, len(client.scheduler_info().get("workers", {})) or 1)
        pending = iter(todo)
        futures = as_completed(loop=client.loop)
        for i in list(_take(pending, window)):
            futures.add(client.submit(chunk_result_task, plan_f, i, threads, backend, pure=False))
        for fut in futures:
            result = fut.result()
            yield result
            fut.release()
            for i in _take(pending, 1):
                futures.add(client.submit(chunk_result_task, plan_f, i, threads, backend, pure=False))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _take(it: Iterator[int], n: int) -> list[int]:
    out = []
    for _ in range(n):
        try:
            out.append(next(it))
        except StopIteration:
            break
    return out


def run_sweep(
    plan: SweepPlan,
    path: str | Path,
    *,
    overwrite: bool = False,
    scheduler: str | None = None,
    workers: int | None = None,
    quiet: bool = False,
    on_chunk: Callable[[int], None] | None = None,
    backend: str = "auto",
) -> SweepReport:
    """Compute every unfinished chunk of ``plan`` into the results file at ``path``.

    Parameters
    ----------
    plan : SweepPlan
        From :func:`plan_sweep`.
    path : path
        The HDF5 results file; created, or resumed if it holds this very sweep.
    overwrite : bool
        Replace a file that holds another sweep (or another scenario).
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:port``): chunks run there.
    workers : int, optional
        Start a local Dask cluster of this many worker processes.
    quiet : bool
        No progress bar (there is none anyway when stderr is not a terminal).
    on_chunk : callable, optional
        Called with each chunk's index once it is on disk (used by tests).
    backend : {"auto", "cpu", "cuda"}
        Where the dispatch runs (:func:`gpdc.kernels.dispatch.choose`): ``auto`` takes the GPU
        where one is usable and the sweep is large; ``cuda`` where none is raises an InputError
        saying why.  With Dask each worker uses its own GPU (docs/gpu.md).
    """
    path = Path(path)
    backend = choose(backend, plan.size, local=scheduler is None and not (workers is not None and workers > 0))
    if scheduler is not None:
        check_scheduler(scheduler)
    t0 = time.perf_counter()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResultsFileError(f"cannot write sweep results to {path}: cannot create its folder "
                               f"({exc.strerror or exc})") from None
    with writer_lock(path, "sweep"):
        remove_stale_temporaries(path)
        _, done, recomputed = prepare_file(path, plan, overwrite)
        if done == len(plan.chunks):
            log.info("%s already holds this whole sweep: nothing to do", path)
            return SweepReport(path, plan.size, len(plan.chunks), 0, done, time.perf_counter() - t0, backend=backend)
        failed: dict[str, int] = {}
        with sweep_store.Store(path) as store:
            todo = [c.index for c in plan.chunks if not store.done[c.index]]
            resumed = len(plan.chunks) - len(todo)
            if resumed and todo:
                log.info("resuming %s: %d of %d chunks already done", path, resumed, len(plan.chunks))
            shown = progress_for(len(plan.chunks), resumed, plan.size, quiet)
            use_dask = scheduler is not None or (workers is not None and workers > 0)
            if backend == "cuda" and not use_dask:
                from gpdc.kernels.cuda import device_name

                log.info("the dispatch runs on the GPU: %s", device_name())
            source = (_dask(plan, todo, scheduler, workers, quiet, backend) if (use_dask and todo)
                      else _local(plan, todo, backend))
            n_run = 0
            try:
                for result in source:
                    chunk = plan.chunks[result.index]
                    store.write(result.index, chunk.selection, chunk.group, result.digest, result.values,
                                result.failure, result.messages)
                    n_run += 1
                    if result.failure is not None:
                        for k, reason in enumerate(result.messages):
                            n_bad = int((result.failure == k).sum())
                            if n_bad:
                                if reason not in failed:
                                    log.warning("%d of the %s failed: %s", n_bad, chunk_words(plan, chunk), reason)
                                failed[reason] = failed.get(reason, 0) + n_bad
                    shown.advance(chunk.size)
                    if on_chunk is not None:
                        on_chunk(result.index)
            finally:
                shown.close()
    return SweepReport(path, plan.size, len(plan.chunks), n_run, resumed, time.perf_counter() - t0, failed,
                       recomputed, backend)


def chunk_words(plan: SweepPlan, chunk: Chunk) -> str:
    """Say where a chunk's designs are, for messages (``2 designs at wind.capacity_mw=120, ...``)."""
    parts = []
    for d, sel in zip(plan.dims, chunk.selection, strict=True):
        coord = d.coord()
        if isinstance(sel, slice):
            a, b, _ = sel.indices(d.size)
            parts.append(f"{d.name}={coord[a]!r}" if b - a == 1 else
                         (None if (a, b) == (0, d.size) else f"{d.name}={coord[a]!r}..{coord[b - 1]!r}"))
        else:
            parts.append(f"{d.name}={coord[sel]!r}")
    shown = ", ".join(p for p in parts if p)
    return f"{chunk.size} design{'s' if chunk.size != 1 else ''} at {shown or 'every point'}"


def sweep(
    scenario: Scenario | str | Path,
    axes: SweepSpec | Mapping[str, Any] | None = None,
    *,
    out: str | Path | None = None,
    chunk_size: int | None = None,
    overwrite: bool = False,
    scheduler: str | None = None,
    workers: int | None = None,
    quiet: bool = True,
    backend: str = "auto",
) -> xr.Dataset:
    """Simulate every design of a sweep and return one labelled Dataset.

    Parameters
    ----------
    scenario : Scenario or path
        The base scenario (a file's ``[sweep]`` table is added to ``axes``).
    axes : mapping or SweepSpec
        ``{"storage.energy_mwh": "0:800:50", "wind.capacity_mw": [100, 150, 200]}``; values
        are lists, ``"start:stop:step"`` ranges (stop included) or :class:`Dim` objects
        (zipped fields, explicit designs).
    out : path, optional
        Results file (kept, resumable); without it a temporary file is used and the
        Dataset is returned in memory.
    backend : {"auto", "cpu", "cuda"}
        Where the dispatch runs (see :func:`run_sweep`).

    Returns
    -------
    xarray.Dataset
        One dimension per swept field (dimensions that change the hourly inputs first),
        every result variable with its units.

    Examples
    --------
    >>> import gpdc
    >>> ds = gpdc.sweep("scenarios/inner_mongolia_datacentre.toml",
    ...                 {"storage.energy_mwh": [0, 400], "wind.capacity_mw": [150, 250]})  # doctest: +SKIP
    """
    import tempfile

    from gpdc.scenario.load import load_scenario
    from gpdc.sweeps.spec import combine, read_sweep_table

    if isinstance(scenario, Scenario):
        base, file_spec = scenario, SweepSpec(())
    else:
        base, file_spec = load_scenario(scenario), read_sweep_table(scenario)
    if chunk_size is None:  # resuming: the existing file's chunks
        chunk_size = (None if overwrite or out is None else chunk_size_of(out)) or DEFAULT_CHUNK
    plan = plan_sweep(base, combine(file_spec, to_spec(axes)), chunk_size)
    if out is not None:
        run_sweep(plan, out, overwrite=overwrite, scheduler=scheduler, workers=workers, quiet=quiet, backend=backend)
        return sweep_store.open_sweep(out)
    with tempfile.TemporaryDirectory(prefix="gpdc-sweep-") as tmp:
        target = Path(tmp) / "sweep.h5"
        run_sweep(plan, target, scheduler=scheduler, workers=workers, quiet=quiet, backend=backend)
        with sweep_store.open_sweep(target) as ds:
            return ds.load()
