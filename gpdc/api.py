"""The public API of gpdc: thin functions over the layers below (re-exported by :mod:`gpdc`).

Each function imports what it needs when it is called, so that ``import gpdc`` stays light
(no numba compile, no pvlib) — and each is a plain function of this module, which no
submodule shadows: ``gpdc.simulate`` is always this function.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import xarray as xr

    from gpdc.profiles import ProfileSet
    from gpdc.runs import Result
    from gpdc.scenario.schema import Scenario
    from gpdc.sizing.search import SizingResult
    from gpdc.sizing.spec import SizingSpec
    from gpdc.sweeps.spec import SweepSpec

__all__ = ["load_scenario", "open_results", "simulate", "size", "sweep", "write_results"]


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        The TOML file; relative paths in it are taken relative to its folder.
    overrides : mapping, optional
        Dotted field paths and values applied on top of the file, e.g.
        ``{"storage.energy_mwh": 400.0}``.

    Raises
    ------
    gpdc.errors.ScenarioErrors
        If the file cannot be read or parsed, or a field is invalid (each error names the
        field, the value and what is allowed).
    """
    from gpdc.scenario.load import load_scenario as _load

    return _load(path, dict(overrides or {}))


def simulate(
    scenario: Scenario | str | Path,
    *,
    traces: bool = False,
    strict: bool = False,
    profiles: ProfileSet | None = None,
) -> Result:
    """Simulate one scenario over its year and return labelled results.

    Parameters
    ----------
    scenario : Scenario or path
        A validated scenario, or a TOML file to load.
    traces : bool
        Also return hourly flows and state of charge.
    strict : bool
        Turn plausibility warnings into :class:`gpdc.errors.ConsistencyError`.
    profiles : ProfileSet, optional
        Use these profiles instead of building them from the scenario.

    Returns
    -------
    gpdc.runs.Result
        ``totals`` (scalar variables with units), ``traces`` (or None), the resolved inputs
        and the profiles.

    Examples
    --------
    >>> import gpdc
    >>> r = gpdc.simulate("scenarios/inner_mongolia_datacentre.toml")  # doctest: +SKIP
    >>> r.totals["self_use_share"].attrs["units"]  # doctest: +SKIP
    '1'
    """
    from gpdc.runs import run_scenario

    return run_scenario(scenario, traces=traces, strict=strict, profiles=profiles)


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
        are lists, ``"start:stop:step"`` ranges (stop included) or
        :class:`gpdc.sweeps.Dim` objects (zipped fields, explicit designs).
    out : path, optional
        Results file (kept, resumable); without it a temporary file is used and the
        Dataset is returned in memory.
    chunk_size : int, optional
        Designs per chunk (default 65,536, or the existing file's when resuming).
    overwrite : bool
        Replace an ``out`` file that holds another sweep.
    scheduler, workers
        Run the chunks on a Dask cluster (an address, or a local cluster of N processes).
    quiet : bool
        No progress bar (there is none anyway when standard error is not a terminal).
    backend : {"auto", "cpu", "cuda"}
        Where the dispatch runs: ``cuda`` on a GPU (``pip install 'gpdc[gpu]'``; an InputError
        says why where it cannot), ``auto`` on the GPU where one is usable and the sweep is large
        (docs/gpu.md), else the CPU.  Totals agree within 1e-12 relative.

    Returns
    -------
    xarray.Dataset
        One dimension per swept field (dimensions that change the hourly inputs first),
        every result variable with its units.
    """
    from gpdc.sweeps.runner import sweep as _sweep

    return _sweep(scenario, axes, out=out, chunk_size=chunk_size, overwrite=overwrite, scheduler=scheduler,
                  workers=workers, quiet=quiet, backend=backend)


def size(
    scenario: Scenario | str | Path,
    spec: SizingSpec | Mapping[str, Any] | None = None,
    *,
    variables: Sequence[str] = (),
    targets: Sequence[str] = (),
    objective: str | None = None,
    min_compliance_share: float | None = None,
    policy: bool = True,
    top: int = 10,
    backend: str = "auto",
) -> SizingResult:
    """Find the cheapest design that meets the rules (and the targets) by search on the batch kernel.

    Parameters
    ----------
    scenario : Scenario or path
        The base scenario; a file's ``[sizing]`` table is used unless ``spec`` is given.
    spec : SizingSpec or mapping, optional
        A sizing specification, or a ``[sizing]``-style table (``variables``, ``targets``,
        ``objective``, ``min_compliance_share``, ``policy``, ``top_n``).
    variables, targets, objective, min_compliance_share, policy, top
        As the command line's ``--var FIELD=LOW:HIGH:STEP``, ``--target 'METRIC>=VALUE'``,
        ``--objective``, ``--compliance-share``, ``--no-policy`` and ``--top``; they add to
        (or replace) the table's.
    backend : {"auto", "cpu", "cuda"}
        Where the candidate designs are dispatched (as :func:`sweep`; ``auto`` judges by the
        coarse pass's batch).

    Returns
    -------
    gpdc.sizing.search.SizingResult
        The best design, ranked alternatives, binding constraints, the Pareto frontier;
        ``datasets()`` gives them as labelled Datasets.
    """
    from gpdc.runs import as_scenario
    from gpdc.sizing import size as _size
    from gpdc.sizing.spec import SizingSpec as _Spec
    from gpdc.sizing.spec import read_sizing_table, spec_from

    from gpdc.backends import choose, using
    from gpdc.sizing.search import COARSE_BUDGET

    base = as_scenario(scenario)
    if not isinstance(spec, _Spec):
        table = spec if spec is not None else (None if not isinstance(scenario, str | Path) else
                                              read_sizing_table(scenario))
        spec = spec_from(table, variables, targets, objective, min_compliance_share, policy, top)
    with using(choose(backend, COARSE_BUDGET)):
        return _size(base, spec)


def open_results(path: str | Path, group: str | None = None, allow_partial: bool = False) -> xr.Dataset:
    """Open a results file (run, sweep or sizing) with xarray.

    Parameters
    ----------
    path : str or Path
        The file.
    group : str, optional
        A group of the file: ``"traces"`` (a run's hourly traces), ``"pareto"`` or
        ``"evaluated"`` (a sizing study's).
    allow_partial : bool
        Open an unfinished sweep too: designs whose chunk the file's ledger does not mark
        done are then NaN (``finished`` False).

    Raises
    ------
    gpdc.errors.ResultsFileError
        If the file does not exist or is not a gpdc result.
    """
    from gpdc.io.hdf5 import open_results as _open

    return _open(path, group=group, allow_partial=allow_partial)


def write_results(path: str | Path, totals: xr.Dataset, traces: xr.Dataset | None = None, *,
                  groups: Mapping[str, xr.Dataset | None] | None = None) -> Path:
    """Write a run's totals (and hourly traces) to a netCDF4/HDF5 file atomically; return the path.

    Parameters
    ----------
    path : str or Path
        Target file; its folder is created if needed.
    totals : xarray.Dataset
        Written to the root group.
    traces : xarray.Dataset, optional
        Written to the group ``traces``.
    groups : mapping of str to xarray.Dataset, optional
        Further groups, e.g. ``{"cash_flow": result.cash_flow}`` (what ``gpdc run`` writes).

    Raises
    ------
    gpdc.errors.ResultsFileError
        If the file cannot be written; the target is then left as it was.
    """
    from gpdc.io.hdf5 import write_results as _write

    return _write(path, totals, traces, groups)
