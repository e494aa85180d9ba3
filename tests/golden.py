"""Golden outputs: every variable of the main jobs, saved from a known-good version and compared.

The cases cover what users run — ``gpdc run`` on both ready scenarios (totals and hourly
traces), a run with every strategy and fee switch on, sweeps (50 designs over a group
dimension; demand billing with degradation; an hourly emission-factor file with grid
charging; weather years with products), ``gpdc size`` and the LP reference on one week.

``python -m tests.golden --write`` saves them as ``tests/data/golden/<case>.npz`` (first on the
commit before the core redesign, 4a4cd1c; rewritten when the tariff model of issue 15 changed the
bills on purpose — its commit message lists what changed in which case and why; and when issue
14 made ``project_cost_yuan`` the equivalent annual cost of the cash flow NPV uses — only
``project_cost_yuan``, ``savings_yuan`` and ``savings_yuan_per_mwh`` changed in every run and sweep
case (levelised storage replacements), and the sizing study's choice with its objective; the
renamed ``self_used_net_cost_yuan_per_mwh`` kept the old ``lcoe_yuan_per_mwh`` bit for bit);
``tests/test_golden.py`` recomputes them and compares every data variable and coordinate, bit for
bit unless :func:`tolerance` says otherwise.  The files keep the names of that time: :func:`load`
renames what was renamed since on purpose (:data:`RENAMED`).
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import xarray as xr

ROOT = Path(__file__).resolve().parents[1]
DATACENTRE = ROOT / "scenarios" / "inner_mongolia_datacentre.toml"
ALUMINIUM = ROOT / "scenarios" / "xinjiang_aluminium.toml"
GOLDEN = ROOT / "tests" / "data" / "golden"

#: variables that may differ from the golden file by at most 1e-12 relative, and why: the CO2 of
#: grid imports under an hourly factor file was Σ_h import_h·f_h taken as numpy's dot product of
#: each design's traced imports (BLAS sums in SIMD partial sums); the kernel now accumulates it
#: hour by hour for every design, in time order, like every other total.
TOLERANT: dict[str, str] = {
    name: "hourly-factor CO2: kernel accumulation in hour order instead of numpy's blocked dot product"
    for name in (
        "direct_connection_co2_t", "direct_connection_t_co2_per_mwh", "accounting_difference_co2_t",
        "product_electricity_co2_direct_connection_t_co2_per_t", "product_co2_direct_connection_t_co2_per_t",
        "cbam_indirect_exposure_direct_connection_yuan_per_t", "cbam_exposure_direct_connection_yuan_per_t",
        "cbam_exposure_direct_connection_yuan_per_year", "cbam_saving_yuan_per_year",
    )
}
#: cases whose TOLERANT variables come from an hourly factor file (elsewhere they are exact)
HOURLY_CASES = ("run_datacentre_all_switches", "sweep_hourly_factors")
#: hourly traces of the runs may differ by at most 1e-12 of the variable's largest value, and why: the
#: trace kernel now runs the batch kernel's step on the same block layout, so its running export cap
#: (cap_frac · (wind·CW_t + solar·CS_t)) is fused into multiply-adds exactly as in the batch kernel;
#: the old trace kernel fused it differently, so its hourly export (and the curtailment at the bus
#: that follows from it) could differ from the batch totals by one rounding of the cap (~1e-11 MWh).
#: Now a design's traces and its totals come from the same arithmetic, bit for bit.
TRACE_CASES = ("run_datacentre", "run_aluminium", "run_datacentre_all_switches")


#: The LP reference moved from a hand-built scipy.sparse matrix solved by the HiGHS inside scipy (1.12)
#: onto linopy, solved by HiGHS 1.16 through highspy (issue 13).  The four-week LP of the Inner
#: Mongolia design has a degenerate optimum: when to store green surplus and when to export or
#: curtail it costs the same, so which optimal vertex a solver returns depends on its build, not on
#: the model.  Measured against these files: the objective and every cost and energy total agree to
#: <= 4e-16 relative (compared at 1e-12 relative below); the hourly flows the LP decides differ by up
#: to 100 MWh in single hours, and so do the three totals that follow from how a surplus hour is split
#: (curtailment by cause, hours without import).  Those are left out of the comparison for the LP
#: cases only; ``tests/test_lp_linopy.py`` holds the new LP's objective to the old one on both ready
#: scenarios (fixed sizes and sizing, four weeks and the full year).
LP_CASES = ("lp_four_weeks", "lp_four_weeks_demand")
LP_VERTEX = tuple(f"traces/var/{f}" for f in (
    "charge_green_mwh", "charge_grid_mwh", "discharge_green_mwh", "discharge_grid_mwh", "export_mwh", "import_mwh",
    "curtail_bus_mwh", "unserved_mwh", "storage_green_mwh", "storage_grid_mwh")) + tuple(
    f"totals/var/{t}" for t in ("curtail_storage_full_mwh", "curtail_export_cap_mwh", "self_supply_hours_h"))


def written_instruction_set() -> bool:
    """Whether numpy here runs the AVX-512 code the golden files were computed with (Intel Xeon, AVX-512).

    Bit for bit is a property of one instruction set.  numpy picks its SIMD code for sin, cos, exp
    and the like at run time, and its AVX-512 versions (``AVX512_SKX``) round some results to the
    other side of the last bit than its AVX2 ones: on a host without AVX-512 (AMD EPYC, Zen 3;
    measured 2026-12-03) the solar capacity factors differ from the files by up to 3e-15, and
    everything the dispatch computes from them by up to 3e-13 of each variable's largest value
    (largest: the hourly export of the Inner Mongolia run); no discrete result differs (compliance,
    the sizing study's choice, counts).  There every case is compared as the traces are:
    :func:`tolerance` says "scale".
    """
    try:
        from numpy._core._multiarray_umath import __cpu_features__  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - numpy < 2
        from numpy.core._multiarray_umath import __cpu_features__  # type: ignore[attr-defined,no-redef]
    return bool(__cpu_features__.get("AVX512_SKX", False))


def tolerance(case: str, key: str) -> str | None:
    """How a saved array may differ: None (bit for bit), "rel" (1e-12 relative) or "scale" (1e-12 of its max).

    "scale" everywhere where numpy's SIMD code is not the one the files were written with
    (:func:`written_instruction_set`); "scale" is never stricter than "rel" (1e-12 of the largest
    value, at least 1e-12, against 1e-12 of each value).
    """
    if not written_instruction_set():
        return "scale"
    name = key.rsplit("/", 1)[-1]
    if case in LP_CASES and key.startswith("totals/var/"):
        return "rel"
    if case in HOURLY_CASES and name in TOLERANT:
        return "rel"
    if case in TRACE_CASES and key.startswith("traces/var/"):
        return "scale"
    return None


def _factor_csv(folder: Path) -> Path:
    """A deterministic hourly grid factor for 2025 (Beijing time): dearer in the evening peak."""
    from gpdc.profiles import hourly_index

    times = hourly_index(2025, "Asia/Shanghai")
    h = np.arange(len(times))
    factors = 0.45 + 0.35 * ((h % 24) >= 17) * ((h % 24) < 23) + 0.05 * np.sin(h / 500.0)
    path = folder / "hourly_factors.csv"
    path.write_text("time,factor_t_co2_per_mwh\n" + "".join(
        f"{t:%Y-%m-%d %H:%M},{f:.6f}\n" for t, f in zip(times, factors, strict=True)), encoding="utf-8")
    return path


ALL_SWITCHES = {
    "tariff.basic_charge_basis": "demand",
    "tariff.fee_regime": "nearby_consumption_2025",
    "storage.grid_charging": True,
    "storage.grid_charge_max_price_yuan_per_mwh": 250.0,
    "storage.import_target_mw": 80.0,
    "finance.pv_degradation_frac_per_year": 0.005,
    "finance.battery_degradation_frac_per_year": 0.02,
    "grid.export_cap_rule": "budget",
}


def _api() -> tuple[Callable[..., object], Callable[..., xr.Dataset], Callable[..., object]]:
    """(load_scenario, simulate, sweep) of the public API."""
    import gpdc

    return gpdc.load_scenario, gpdc.simulate, gpdc.sweep


def _run(path: Path, overrides: dict[str, object] | None = None) -> dict[str, xr.Dataset]:
    load, simulate, _ = _api()
    result = simulate(load(path, overrides=overrides or {}), traces=True)
    return {"totals": result.totals, "traces": result.traces}  # type: ignore[attr-defined]


def _sweep(path: Path, axes: dict[str, object], overrides: dict[str, object] | None = None) -> dict[str, xr.Dataset]:
    load, _, sweep = _api()
    return {"totals": sweep(load(path, overrides=overrides or {}), axes)}


def _size() -> dict[str, xr.Dataset]:
    import tomllib

    import gpdc

    base = gpdc.load_scenario(DATACENTRE)
    table = tomllib.loads(DATACENTRE.read_text(encoding="utf-8"))["sizing"]
    result = gpdc.size(base, table)
    return {("totals" if k is None else k): v for k, v in result.datasets().items()}


def _lp_week(overrides: dict[str, object]) -> dict[str, xr.Dataset]:
    import gpdc
    from gpdc.optimal import optimal_dispatch
    from gpdc.pipeline import build_profiles
    from gpdc.profiles import ProfileSet

    sc = gpdc.load_scenario(DATACENTRE, overrides=overrides)
    full = build_profiles(sc)
    n = 168 * 4  # four weeks of January
    prof = ProfileSet(full.time[:n], full.cf_wind[:n], full.cf_solar[:n], full.load_mw[:n], dict(full.sources))
    lp = optimal_dispatch(sc, prof)
    values = {k: xr.DataArray(np.asarray(v, dtype=np.float64)) for k, v in lp.totals.items()}
    values["objective_yuan"] = xr.DataArray(lp.objective_yuan)
    flows = {k: xr.DataArray(np.asarray(v, dtype=np.float64), dims=("time",)) for k, v in lp.flows.items()
             if f"traces/var/{k}" not in LP_VERTEX}
    values = {k: v for k, v in values.items() if f"totals/var/{k}" not in LP_VERTEX}
    return {"totals": xr.Dataset(values), "traces": xr.Dataset(flows)}


def cases(folder: Path | None = None) -> dict[str, Callable[[], dict[str, xr.Dataset]]]:
    """Every golden case by name; ``folder`` holds the files a case writes (the factor CSV)."""
    factors = str(_factor_csv(folder)) if folder is not None else ""
    return {
        "run_datacentre": lambda: _run(DATACENTRE),
        "run_aluminium": lambda: _run(ALUMINIUM),
        "run_datacentre_all_switches": lambda: _run(
            DATACENTRE, {**ALL_SWITCHES, "emissions.hourly_factors_csv": factors}),
        "sweep_datacentre_50": lambda: _sweep(DATACENTRE, {
            "tariff.energy_price_yuan_per_mwh": [282.9, 320.0], "storage.energy_mwh": "0:400:100",
            "wind.capacity_mw": [120, 170, 220, 270, 320]}),
        "sweep_demand_billing": lambda: _sweep(DATACENTRE, {
            "storage.energy_mwh": [0, 240, 480], "storage.import_target_mw": [60.0, 90.0],
            "solar.capacity_mw": [100, 200]}, {
            "tariff.basic_charge_basis": "demand", "finance.pv_degradation_frac_per_year": 0.005,
            "finance.battery_degradation_frac_per_year": 0.02}),
        "sweep_hourly_factors": lambda: _sweep(DATACENTRE, {
            "storage.energy_mwh": [0, 300], "grid.import_mw": [110, 140], "storage.grid_charging": [False, True]}, {
            "emissions.hourly_factors_csv": factors, "storage.grid_charge_max_price_yuan_per_mwh": 250.0}),
        "sweep_aluminium_years": lambda: _sweep(ALUMINIUM, {
            "storage.energy_mwh": [0, 400], "wind.capacity_mw": [150, 250]}, {"profiles.ensemble_size": 2}),
        "size_datacentre": _size,
        "lp_four_weeks": lambda: _lp_week({}),
        "lp_four_weeks_demand": lambda: _lp_week({"tariff.basic_charge_basis": "demand"}),
    }


def flatten(parts: dict[str, xr.Dataset | None]) -> dict[str, np.ndarray]:
    """Every data variable and coordinate of a case's Datasets: ``"part/name"`` -> array (attributes dropped)."""
    out: dict[str, np.ndarray] = {}
    for part, ds in parts.items():
        if ds is None:
            continue
        for name, var in ds.variables.items():
            kind = "coord" if name in ds.coords else "var"
            out[f"{part}/{kind}/{name}"] = np.asarray(var.values)
    return out


def write(names: list[str] | None = None) -> None:
    """Compute the cases and save each as ``tests/data/golden/<case>.npz``."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, fn in cases(Path(tmp)).items():
            if names and name not in names:
                continue
            arrays = flatten(fn())
            target = GOLDEN / f"{name}.npz"
            np.savez_compressed(target, **{k.replace("/", "|"): v for k, v in arrays.items()})
            print(f"wrote {target.relative_to(ROOT)} ({len(arrays)} arrays)")


#: result variables added since the reference files were written, on purpose, and why; a case may
#: hold them beyond its file (none since the rewrite of issue 14)
ADDED: dict[str, str] = {}
#: result variables renamed since the reference files were written, on purpose: old name -> new name
#: (same values); none since the rewrite of issue 14 (which renamed ``lcoe_yuan_per_mwh`` to
#: ``self_used_net_cost_yuan_per_mwh`` and checked the values equal before rewriting)
VARIABLE_RENAMED: dict[str, str] = {}
#: renamed on purpose since the files were written, and why: sweep dimensions (and the coordinates
#: of zipped fields) are Python identifiers since issue 17 (``storage_energy_mwh``, the field path
#: in the coordinate's ``field`` attribute) instead of field paths (``storage.energy_mwh``)
RENAMED = "sweep coordinates and sizing decision variables named by field path are named by identifier (issue 17)"


def load(name: str) -> dict[str, np.ndarray]:
    """A saved case: ``"part/kind/name"`` -> array, with coordinate names as they are now (:data:`RENAMED`)."""
    with np.load(GOLDEN / f"{name}.npz", allow_pickle=False) as z:
        out = {}
        for k in z.files:
            part, kind, var = k.split("|", 2)
            renamed = kind == "coord" or name.startswith("size_")  # sizing variables too
            var = VARIABLE_RENAMED.get(var, var) if kind == "var" else var
            out[f"{part}/{kind}/{var.replace('.', '_') if renamed else var}"] = z[k]
    return {k: v for k, v in out.items() if not (name in LP_CASES and k in LP_VERTEX)}


def main() -> None:
    """Command line: ``python -m tests.golden --write [CASE ...]``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="compute the cases and save them")
    parser.add_argument("--any-instruction-set", action="store_true",
                        help="write even where numpy has no AVX-512 code (the files would then hold that host's bits)")
    parser.add_argument("cases", nargs="*")
    args = parser.parse_args()
    if args.write and not written_instruction_set() and not args.any_instruction_set:
        parser.error("this host's numpy has no AVX-512 code (AVX512_SKX): files written here would differ from "
                     "the others in the last bits and fail the bit-for-bit comparison on AVX-512 hosts; "
                     "write them on an AVX-512 host, or pass --any-instruction-set")
    if args.write:
        write(args.cases or None)


if __name__ == "__main__":
    main()
