"""The notebooks of docs/notebooks run headless from top to bottom without an error (nbclient), so they never rot."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import ROOT

nbclient = pytest.importorskip("nbclient", reason="executing the notebooks needs nbclient and ipykernel")
nbformat = pytest.importorskip("nbformat", reason="executing the notebooks needs nbformat")
pytest.importorskip("ipykernel", reason="executing the notebooks needs ipykernel")

NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))


def test_there_are_three_notebooks() -> None:
    assert [p.stem for p in NOTEBOOKS] == ["01_first_run", "02_sweep_analysis", "03_sizing"]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_headless(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPDC_NOTEBOOK_OUT", str(tmp_path))  # the kernel inherits it: files go to tmp_path
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit notebooks without outputs"
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    assert list(tmp_path.glob("*.html")), "each notebook ends with a report"
