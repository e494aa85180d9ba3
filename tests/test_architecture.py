"""The layering of DESIGN §4: kernels know numpy and numba only; only io/ writes results."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "gpdc"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] if not a.name.startswith("gpdc") else a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module if node.module.startswith("gpdc") else node.module.split(".")[0])
    return names


def test_kernels_import_only_numpy_numba_and_layout() -> None:
    for path in (PKG / "kernels").glob("*.py"):
        allowed = {"__future__", "typing", "numpy", "numba", "os", "gpdc.kernels.layout"}
        assert imports_of(path) <= allowed, (path.name, imports_of(path) - allowed)


def test_only_io_writes_result_files() -> None:
    for path in PKG.rglob("*.py"):
        if path.parent.name == "io":
            continue
        text = path.read_text(encoding="utf-8")
        assert ".to_netcdf(" not in text, path
        assert "h5py.File(" not in text, path


def test_lower_layers_do_not_import_upper_ones() -> None:
    upper = {"gpdc.cli", "gpdc.simulate", "gpdc.io.hdf5", "gpdc.io.csv"}
    for sub in ("kernels", "scenario", "profiles", "results"):
        for path in (PKG / sub).glob("*.py"):
            assert not (imports_of(path) & upper), path
