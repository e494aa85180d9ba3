"""The public API: plain functions that no submodule shadows, callable any number of times in any order."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

import gpdc
from gpdc import api

from .conftest import DATACENTRE, ROOT

PUBLIC = ("load_scenario", "simulate", "sweep", "size", "open_results", "write_results")


def test_the_reported_failure_a_second_simulate_call_in_a_fresh_interpreter() -> None:
    # the reproduction from the issue, as written, in a fresh interpreter
    code = ("import gpdc; s='scenarios/inner_mongolia_datacentre.toml'; a = gpdc.simulate(s); b = gpdc.simulate(s); "
            "assert float(a.totals['project_cost_yuan']) == float(b.totals['project_cost_yuan']); print('ok')")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600,
                         check=False)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith("ok")


def test_public_names_are_the_api_functions_whatever_is_imported() -> None:
    assert set(PUBLIC) <= set(gpdc.__all__)
    assert "__getattr__" not in vars(gpdc)  # explicit re-exports, visible to type checkers
    for name in PUBLIC:
        assert getattr(gpdc, name) is getattr(api, name) and inspect.isfunction(getattr(gpdc, name))
    # import every module of the package (as notebooks, help() and the sweeps do): nothing shadows them
    for mod in pkgutil.walk_packages(gpdc.__path__, "gpdc."):
        importlib.import_module(mod.name)
    importlib.import_module("gpdc.sweeps")
    importlib.import_module("gpdc.sizing")
    help_text = pydoc_text(gpdc.simulate)
    assert "Simulate one scenario over its year" in help_text
    for name in PUBLIC:
        assert getattr(gpdc, name) is getattr(api, name) and callable(getattr(gpdc, name)), name


def pydoc_text(obj: object) -> str:
    import pydoc

    return pydoc.render_doc(obj, renderer=pydoc.plaintext)


def test_simulate_sweep_size_simulate_in_one_session(tmp_path: object) -> None:
    first = gpdc.simulate(str(DATACENTRE))
    sw = gpdc.sweep(str(DATACENTRE), {"storage.energy_mwh": [0, 240], "wind.capacity_mw": [200, 250]})
    assert isinstance(sw, xr.Dataset) and sw["project_cost_yuan"].shape == (2, 2)
    again = gpdc.simulate(gpdc.load_scenario(DATACENTRE))
    sized = gpdc.size(str(DATACENTRE), {"variables": {"wind.capacity_mw": "150:350:100"}, "top_n": 3})
    assert sized.feasible and len(sized.datasets()[None]["rank"]) >= 1
    third = gpdc.simulate(str(DATACENTRE))
    for r in (again, third):
        for name in ("project_cost_yuan", "self_use_share", "green_share_of_load"):
            assert float(r.totals[name]) == float(first.totals[name])
    # the sweep's point of the ready design is the single run, bit for bit
    point = sw.sel({"storage_energy_mwh": 240, "wind_capacity_mw": 250})
    assert float(point["project_cost_yuan"]) == float(first.totals["project_cost_yuan"])


def test_write_and_open_results_round_trip(tmp_path: object) -> None:
    from pathlib import Path

    r = gpdc.simulate(str(DATACENTRE), traces=True)
    path = gpdc.write_results(Path(str(tmp_path)) / "r.h5", r.totals, r.traces)
    with gpdc.open_results(path) as ds:
        assert float(ds["self_use_share"]) == float(r.totals["self_use_share"])
    with gpdc.open_results(path, group="traces") as tr:
        np.testing.assert_array_equal(tr["import_mwh"].values, r.traces["import_mwh"].values)  # type: ignore[index]


def test_importing_gpdc_compiles_nothing_and_loads_no_profile_model() -> None:
    code = ("import sys, gpdc; heavy = [m for m in ('numba', 'pvlib', 'windpowerlib', 'xarray') if m in sys.modules]; "
            "print(heavy)")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         check=False)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_function_documents_its_parameters(name: str) -> None:
    doc = inspect.getdoc(getattr(gpdc, name)) or ""
    params = [p for p in inspect.signature(getattr(gpdc, name)).parameters if p not in ("self",)]
    for p in params:
        assert p in doc, f"gpdc.{name}: parameter {p} is not documented"
