"""The layering of DESIGN §4, checked for every module of the package (STYLE.md §1.1 and §1.8).

:data:`LAYERS` lists every module from the bottom up; a module may import only modules listed
before it (its own package's ``__init__`` excepted: importing a submodule runs it anyway).  Every
import counts — at module level, inside functions, and under ``TYPE_CHECKING``.  A module missing
from the list fails the test, so a new module must be placed in it on purpose.  Also: the kernels
import only numpy, numba and themselves; no module imports another package's private names or
assigns to another module's attributes (no monkeypatching); only ``io`` writes result files.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "gpdc"

#: every module, lowest layer first
LAYERS: tuple[str, ...] = (
    # the vocabulary
    "gpdc._version", "gpdc.errors", "gpdc.units", "gpdc.input_files",
    # kernels: numpy and numba only
    "gpdc.kernels.cache_locator", "gpdc.kernels.inline_copy", "gpdc.kernels.blas_check", "gpdc.kernels.target", "gpdc.kernels.spec", "gpdc.kernels.layout", "gpdc.kernels.step", "gpdc.kernels.cpu",
    "gpdc.kernels.cuda_kernels", "gpdc.kernels.cuda", "gpdc.kernels.dispatch", "gpdc.kernels", "gpdc.kernel_cache",
    # the independent reference dispatch
    "gpdc.reference.dispatch_py", "gpdc.reference",
    # scenarios: the data tables, the schema, loading, resolving world numbers, plausibility
    "gpdc.scenario.tables.core", "gpdc.scenario.tables.policy", "gpdc.scenario.tables.provinces",
    "gpdc.scenario.tables.emissions", "gpdc.scenario.tables.costs", "gpdc.scenario.tables.tou",
    "gpdc.scenario.tables.tariffs", "gpdc.scenario.tables.names", "gpdc.scenario.tables.flexible",
    "gpdc.scenario.tables",
    "gpdc.scenario.schema", "gpdc.scenario.load", "gpdc.scenario.products", "gpdc.scenario.resolve",
    "gpdc.scenario.checks", "gpdc.scenario",
    # profiles: the models and readers, then the scenario's profiles
    "gpdc.profiles.types", "gpdc.profiles.lazy", "gpdc.profiles.calibrate", "gpdc.profiles.climate", "gpdc.profiles.readers",
    "gpdc.profiles.factors", "gpdc.profiles.flexible", "gpdc.profiles.load", "gpdc.profiles.pv_system", "gpdc.profiles.pvwatts_v8",
    "gpdc.profiles.solar", "gpdc.profiles.wind", "gpdc.profiles", "gpdc.profiles.cache",
    "gpdc.profiles.build",
    # scenario -> kernel inputs; the kernel calls (on the backend gpdc.backends chose)
    "gpdc.backends", "gpdc.pipeline",
    # kernel totals -> quantities
    "gpdc.accounting.energy", "gpdc.accounting.policy", "gpdc.accounting.tariffs", "gpdc.accounting.finance_nb", "gpdc.accounting.finance",
    "gpdc.accounting.costs", "gpdc.accounting.emissions", "gpdc.accounting.flexible", "gpdc.accounting.derive",
    "gpdc.accounting",
    # quantities -> labelled datasets
    "gpdc.results.registry", "gpdc.results.reported", "gpdc.results.lazy_dask", "gpdc.results.dataset", "gpdc.results.provenance", "gpdc.results",
    # the only writers
    "gpdc.io.lock", "gpdc.io.h5file", "gpdc.io.atomic", "gpdc.io.sweep_store", "gpdc.io.hdf5", "gpdc.io.csv",
    "gpdc.io.scenario_files", "gpdc.io.weather_files", "gpdc.io",
    # studies
    "gpdc.runs", "gpdc.template",
    "gpdc.sweeps.spec", "gpdc.sweeps.plan", "gpdc.sweeps.execute", "gpdc.sweeps.select", "gpdc.sweeps.scheduler",
    "gpdc.sweeps.progress",
    "gpdc.sweeps.runner",
    "gpdc.sweeps",
    "gpdc.optimal.flexible", "gpdc.optimal.result", "gpdc.optimal.lp", "gpdc.optimal.gap", "gpdc.optimal",
    "gpdc.sizing.spec", "gpdc.sizing.result", "gpdc.sizing.search", "gpdc.sizing.report", "gpdc.sizing.lp_compare", "gpdc.sizing",
    # figures: nothing below imports them
    "gpdc.plot", "gpdc.plot.dispatch", "gpdc.plot.profiles", "gpdc.plot.sizing", "gpdc.plot.sweep", "gpdc.plot.report",
    # reports people read: the delivery record, what a results file holds, HTML, Excel, the browser
    "gpdc.report.browser", "gpdc.report.ledger", "gpdc.report.data", "gpdc.report.tables",
    "gpdc.report.sensitivity", "gpdc.report.xlsx", "gpdc.report.html", "gpdc.report",
    # the public API and the command line
    "gpdc.api", "gpdc", "gpdc.cli.app", "gpdc.cli.render", "gpdc.cli.commands", "gpdc.cli.report", "gpdc.cli.process_exit", "gpdc.cli",
)
RANK = {m: i for i, m in enumerate(LAYERS)}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_package(name: str) -> bool:
    return (PKG.parent / name.replace(".", "/") / "__init__.py").exists()


MODULES = {module_name(p): p for p in PKG.rglob("*.py")}


def gpdc_imports(path: Path) -> set[str]:
    """Every gpdc module a file imports (``from gpdc.x import y`` names gpdc.x.y when y is a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = module_name(path)
    package = me if is_package(me) else me.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "gpdc")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            if base.split(".")[0] != "gpdc":
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.add(sub if sub in MODULES else base)
    return out


def test_every_module_has_a_layer() -> None:
    missing = sorted(set(MODULES) - set(LAYERS))
    stale = sorted(set(LAYERS) - set(MODULES))
    assert not missing, f"place these modules in LAYERS: {missing}"
    assert not stale, f"LAYERS names modules that do not exist: {stale}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    own_packages = {".".join(module.split(".")[:k]) for k in range(1, module.count(".") + 1)}
    upward = sorted(m for m in gpdc_imports(MODULES[module])
                    if m != module and m not in own_packages and RANK[m] > RANK[module])
    assert not upward, f"{module} (layer {RANK[module]}) imports upper layers: {upward}"


def test_kernels_import_only_numpy_numba_and_themselves() -> None:
    allowed = {"__future__", "typing", "os", "dataclasses", "numpy", "numba", "time",  # (time: the GPU's timings)
               "functools", "hashlib", "pathlib",  # (the cache locator's source stamp)
               "inspect", "textwrap",  # (the inliner's fix: numba's own source, two lines changed)
               "importlib", "sys"}  # (numba's BLAS check: scipy's cython_blas found on disk, not imported)
    for name, path in MODULES.items():
        if not name.startswith("gpdc.kernels"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for m in mods:
                assert m.startswith("gpdc.kernels") or m.split(".")[0] in allowed, (name, m)


def _package_of(module: str) -> str:
    """The top-level subpackage a module belongs to (gpdc.scenario for gpdc.scenario.tables.core)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 and is_package(".".join(parts[:2])) else module


def test_no_module_imports_private_names_of_another_package() -> None:
    offences = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: dict[str, str] = {}  # local name -> gpdc module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gpdc"):
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    if sub in MODULES:
                        aliases[a.asname or a.name] = sub
                    elif (a.name.startswith("_") and not a.name.startswith("__")
                          and _package_of(node.module or "") != _package_of(name)):
                        offences.append(f"{name}: from {node.module} import {a.name}")
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("gpdc") and a.asname:
                        aliases[a.asname] = a.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr.startswith("_") and not node.attr.startswith("__")
                    and _package_of(aliases[node.value.id]) != _package_of(name)):
                offences.append(f"{name}: {node.value.id}.{node.attr}")
    assert not offences, offences


#: the only assignments to another module's attributes: gpdc.kernels.blas_check swaps numba's ensure_blas for
#: the one import of numba.np.arraymath and puts numba's back; gpdc.results.lazy_dask gives xarray a dask-collection
#: check with the same answers that imports dask only for an object with a graph (their module texts say why)
LIBRARY_PATCHES = {"gpdc.kernels.blas_check": {"linalg.ensure_blas = ...", "arraymath.ensure_blas = ..."},
                   "gpdc.results.lazy_dask": {"utils.is_dask_collection = ..."}}


def test_no_module_assigns_to_another_modules_attributes() -> None:
    offences = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(a.asname or a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                modules.update(a.asname or a.name for a in node.names
                               if f"{node.module}.{a.name}" in MODULES or (node.module or "").split(".")[0] != "gpdc")
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else [])
            for t in targets:
                if (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id in modules
                        and f"{t.value.id}.{t.attr} = ..." not in LIBRARY_PATCHES.get(name, set())):
                    offences.append(f"{name}: {t.value.id}.{t.attr} = ...")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr"
                    and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in modules):
                offences.append(f"{name}: setattr({node.args[0].id}, ...)")
    assert not offences, offences


def test_only_io_and_plot_write_files() -> None:
    for name, path in MODULES.items():
        if name.startswith(("gpdc.io", "gpdc.plot")):
            continue
        text = path.read_text(encoding="utf-8")
        assert ".to_netcdf(" not in text, name
        assert "h5py.File(" not in text, name
        assert ".savefig(" not in text, name


def test_the_layer_check_catches_an_upward_import(tmp_path: Path) -> None:
    # the check itself can fail: a kernel module that imports the pipeline is flagged
    fake = PKG / "kernels" / "spec.py"
    tree_text = fake.read_text(encoding="utf-8") + "\nfrom gpdc.pipeline import prepare\n"
    probe = tmp_path / "spec.py"
    probe.write_text(tree_text, encoding="utf-8")
    names = {n.module for n in ast.walk(ast.parse(tree_text)) if isinstance(n, ast.ImportFrom)}
    assert "gpdc.pipeline" in names and RANK["gpdc.pipeline"] > RANK["gpdc.kernels.spec"]
