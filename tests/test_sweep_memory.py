"""A sweep's memory is bounded by its chunk size, not by its design count (issue 19).

The high-water mark of the memory the sweep allocates (numpy buffers included: numpy reports its
allocations to tracemalloc) is measured for a sweep of a few chunks and for one of 16 times as
many designs with the same small chunk size: the chunk buffers — the kernel's totals, the cash
flows, the result variables, the slabs written — are freed chunk by chunk, so the peak hardly
grows.  Not RSS, not timing.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np

from gpdc.scenario.load import load_scenario
from gpdc.sweeps import plan_sweep, run_sweep

DATACENTRE = Path(__file__).resolve().parents[1] / "scenarios" / "inner_mongolia_datacentre.toml"
CHUNK = 32


def _peak(base: object, n_wind: int, out: Path) -> tuple[int, int]:
    axes = {"storage.energy_mwh": list(np.linspace(0.0, 600.0, 16)),
            "wind.capacity_mw": list(np.linspace(100.0, 300.0, n_wind))}
    plan = plan_sweep(base, axes, CHUNK)  # type: ignore[arg-type]
    tracemalloc.reset_peak()
    start = tracemalloc.get_traced_memory()[0]
    run_sweep(plan, out, quiet=True)
    return plan.size, tracemalloc.get_traced_memory()[1] - start


def test_chunk_buffers_stay_bounded(tmp_path: Path) -> None:
    base = load_scenario(DATACENTRE)
    run_sweep(plan_sweep(base, {"storage.energy_mwh": [0.0, 100.0]}, CHUNK), tmp_path / "warm.h5", quiet=True)
    tracemalloc.start()
    try:
        n_small, small = _peak(base, 4, tmp_path / "small.h5")
        n_large, large = _peak(base, 64, tmp_path / "large.h5")
    finally:
        tracemalloc.stop()
    assert (n_small, n_large) == (64, 1024)
    # 16x the designs and chunks: the peak may grow by what the plan holds per design, not per chunk's data
    assert large < 1.25 * small + 256 * n_large, (small, large)
    # and a chunk of 32 designs never needs more than a few MB (the hourly profiles included)
    assert large < 48 * 2**20, large
