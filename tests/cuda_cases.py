"""Small cases for the CUDA backend: every strategy and element, a few designs each (tests/test_cuda_backend.py).

Run as a script (``python tests/cuda_cases.py OUT.json [HOURS]``) in an interpreter where
``NUMBA_ENABLE_CUDASIM=1`` (or on a GPU): each case runs through the CPU batch kernel and the
CUDA kernel, and the largest relative difference over every total is written to ``OUT.json``
with the kernel variants each case used.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"

#: the flexible elements of tests/test_flexible_studies.py: an EV fleet with V2G
EV = {"ev_fleet.vehicles": 200, "ev_fleet.battery_kwh": 400.0, "ev_fleet.charger_kw": 120.0,
      "ev_fleet.energy_kwh_per_day": 250.0, "ev_fleet.plug_in_hour": 18, "ev_fleet.departure_hour": 7,
      "ev_fleet.v2g_kw": 60.0}
LA = {"storage.strategy": "lookahead"}
#: magnitudes below this (1 MWh, yuan, kg, t) compare absolutely: a total that is 0 up to rounding
#: (a pool emptied by pro-rata shares: 4e-16 MWh on one side, 2e-16 on the other) has no relative error
TINY = 1.0

#: name -> (scenario file, overrides)
CASES: dict[str, tuple[str, dict[str, object]]] = {
    "green_first": ("inner_mongolia_datacentre.toml", {}),
    "grid_charging": ("inner_mongolia_datacentre.toml", {"storage.grid_charging": True,
                                                         "storage.grid_charge_max_price_yuan_per_mwh": 300.0}),
    "peak_shaving": ("inner_mongolia_datacentre.toml", {"storage.import_target_mw": 60.0}),
    "export_budget": ("xinjiang_aluminium.toml", {"grid.export_cap_rule": "budget"}),
    "export_running": ("xinjiang_cement_pilot.toml", {"grid.export_cap_rule": "running"}),
    "lookahead_perfect_48h": ("inner_mongolia_datacentre.toml", {**LA, "storage.lookahead_h": 48.0}),
    "lookahead_persistence_24h": ("xinjiang_aluminium.toml", {**LA, "storage.lookahead_h": 24.0,
                                                             "storage.forecast": "persistence"}),
    "lookahead_grid_charging": ("inner_mongolia_datacentre.toml", {**LA, "storage.grid_charging": True,
                                                                   "storage.grid_charge_max_price_yuan_per_mwh": 300.0}),
    "electrolyser": ("kuqa_solar_hydrogen.toml", {}),
    "electrolyser_hold_grid": ("kuqa_solar_hydrogen.toml", {"electrolyser.below_min_load": "hold",
                                                            "electrolyser.grid_draw": True,
                                                            "electrolyser.standby_frac": 0.02}),
    "shiftable_load": ("cement_shiftable_mills.toml", {}),
    "ev_fleet_v2g": ("inner_mongolia_datacentre.toml", EV),
}


def case_inputs(name: str, hours: int, n_designs: int = 3, seed: int = 20) -> tuple[list[np.ndarray], float, np.ndarray]:
    """The shared inputs (first ``hours`` steps) and ``n_designs`` perturbed designs of a case."""
    import gpdc
    from gpdc.kernels import layout as L
    from gpdc.pipeline import prepare

    file, overrides = CASES[name]
    inp = prepare(gpdc.load_scenario(SCEN / file, overrides=overrides)).inputs
    rng = np.random.default_rng(seed)
    p = np.repeat(inp.params[:, :1], n_designs, axis=1)
    for row in (L.P_WIND_MW, L.P_SOLAR_MW, L.P_CHARGE_MW, L.P_DISCHARGE_MW, L.P_USABLE_MWH, L.P_ELY_MW, L.P_TANK_KG,
                L.P_SHIFT_MW, L.P_EV_MWH):
        p[row, 1:] *= rng.uniform(0.5, 1.5, n_designs - 1)  # design 0 is the scenario's own
    shared = [np.ascontiguousarray(x[:hours]) for x in (inp.cf_wind, inp.cf_solar, inp.load_mw, inp.price_import,
                                                         inp.price_export, inp.factor, inp.month_index, inp.hourly)]
    return shared, inp.dt_h, np.ascontiguousarray(p)


def mixed_batch(hours: int) -> tuple[list[np.ndarray], float, np.ndarray]:
    """One batch of designs that need different kernel variants, over the same hourly inputs."""
    from gpdc.kernels import layout as L

    shared, dt, p = case_inputs("green_first", hours, n_designs=6)
    p[L.P_GRID_CHARGE, 1::2] = 1.0  # grid charging in every other design
    p[L.P_GRID_CHARGE_PRICE, 1::2] = 300.0
    p[L.P_LOOKAHEAD, 2:5] = 1.0  # and the lookahead in three, one of them with persistence, horizons 24 and 48 h
    p[L.P_LOOKAHEAD_H, 2:5] = (24.0, 48.0, 36.0)
    p[L.P_LOOKAHEAD_FORECAST, 4] = 1.0
    return shared, dt, np.ascontiguousarray(p)


def compare(shared: list[np.ndarray], dt: float, params: np.ndarray) -> dict[str, object]:
    """Run both kernels; the largest relative difference over every total and the variants used."""
    from gpdc.kernels import cuda
    from gpdc.kernels import layout as L
    from gpdc.kernels.cpu import dispatch_batch_nb
    from gpdc.kernels.spec import TOTAL_COLUMNS

    cpu = np.zeros((params.shape[1], L.N_TOTALS))
    dispatch_batch_nb(*shared, dt, params, cpu)
    gpu = cuda.batch_totals(*shared, dt, params)
    both_nan = np.isnan(cpu) & np.isnan(gpu)  # (a total of an element a design lacks may be NaN on both)
    scale = np.maximum(np.maximum(np.abs(cpu), np.abs(gpu)), TINY)
    rel = np.where(both_nan | (cpu == gpu), 0.0, np.abs(gpu - cpu) / scale)
    rel = np.where(np.isnan(rel), np.inf, rel)
    worst = np.unravel_index(int(np.argmax(rel)), rel.shape)
    return {
        "max_rel": float(rel.max()),
        "worst_total": TOTAL_COLUMNS[worst[1]],
        "nonzero_totals": int((np.abs(cpu) > 0).any(axis=0).sum()),
        "same_nan": bool((np.isnan(cpu) == np.isnan(gpu)).all()),
        "variants": sorted("".join("gfl"[i] if k[i] else "-" for i in range(3))
                           for k in cuda.group_designs(params, dt)),
    }


def main(out: str, hours: int) -> None:
    results = {name: compare(*case_inputs(name, hours)) for name in CASES}
    results["mixed_batch"] = compare(*mixed_batch(hours))
    Path(out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 96)
