"""The kernels' on-disk cache is keyed on every kernel source file (gpdc.kernels.cache_locator)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from gpdc.accounting import finance_nb
from gpdc.kernels import cache_locator, cpu


def _locator(dispatcher: Any) -> Any:
    return dispatcher._cache._impl._locator


@pytest.mark.parametrize("dispatcher", [cpu.BATCH_DRIVERS["green-only, running cap"], cpu.dispatch_nb,
                                        finance_nb.npv_rows])
def test_kernels_use_the_kernel_locator_in_numbas_folder(dispatcher: Any) -> None:
    loc = _locator(dispatcher)
    assert type(loc).__name__ in ("KernelUserProvidedLocator", "KernelInTreeLocator")
    # numba's folder: NUMBA_CACHE_DIR when set (the tests set it), else the module's __pycache__
    given = os.environ.get("NUMBA_CACHE_DIR")
    if given:
        assert type(loc).__name__ == "KernelUserProvidedLocator"
        assert Path(loc.get_cache_path()).resolve().is_relative_to(Path(given).resolve())
    assert loc.get_source_stamp() == cache_locator.source_stamp(dispatcher.py_func.__code__.co_filename)


def test_stamp_changes_with_any_kernel_file_not_only_the_kernels_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "kernels"
    shutil.copytree(cache_locator.KERNEL_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache_locator, "KERNEL_DIR", copy)
    cpu_py = copy / "cpu.py"
    before = cache_locator.source_stamp(cpu_py)
    assert len(before) == 64 and before == cache_locator.source_stamp(cpu_py)
    step = copy / "step.py"
    original = step.read_bytes()
    step.write_bytes(original + b"\n# an edit to an inlined file\n")
    edited = cache_locator.source_stamp(cpu_py)
    assert edited != before  # numba's own stamp hashes cpu.py only, which did not change
    step.write_bytes(original)
    os.utime(step, ns=(step.stat().st_atime_ns, step.stat().st_mtime_ns + 1_000_000))
    assert cache_locator.source_stamp(cpu_py) == before  # contents, not times
    (copy / "new_helper.py").write_text("X = 1\n")
    assert cache_locator.source_stamp(cpu_py) != before


def test_only_gpdc_kernel_and_accounting_files_are_covered(tmp_path: Path) -> None:
    assert cache_locator.covered(cache_locator.KERNEL_DIR / "cpu.py")
    assert cache_locator.covered(Path(finance_nb.__file__))
    outside = tmp_path / "mine.py"
    outside.write_text("")
    assert not cache_locator.covered(outside)
    assert not cache_locator.covered(Path(cache_locator.KERNEL_DIR.parent / "api.py"))
    assert cache_locator.install()  # installed once, by gpdc.kernels; a second call changes nothing
    from numba.core import caching

    impl = getattr(caching, "CacheImpl", None) or getattr(caching, "_CacheImpl")  # noqa: B009 - older numba
    names = [c.__name__ for c in impl._locator_classes]
    assert names.count("KernelInTreeLocator") == 1 and names.count("KernelUserProvidedLocator") == 1
