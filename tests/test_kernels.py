"""The numba kernels against the independent reference, against each other, against the spec, and in pools."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from gpdc.kernels import cpu, spec
from gpdc.kernels import layout as L
from gpdc.kernels.cpu import BLOCK, block_plan, dispatch_batch_nb, dispatch_nb, dispatch_trace_nb
from gpdc.reference.dispatch_py import dispatch_numpy, dispatch_python


def random_case(rng: np.random.Generator, n_hours: int, n_scen: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Random profiles and parameters covering every feature (storage, grid charging, peak shaving, both rules)."""
    t = np.arange(n_hours)
    cfw = np.clip(rng.weibull(2.0, n_hours) * 0.35, 0.0, 1.0)
    cfs = np.clip(np.sin((t % 24 - 6) / 12 * np.pi), 0.0, None) * rng.uniform(0.3, 1.0, n_hours)
    load = rng.uniform(20.0, 120.0, n_hours)
    price = rng.choice([150.0, 400.0, 700.0], n_hours)
    price_x = rng.uniform(-50.0, 400.0, n_hours)
    factor = rng.uniform(0.3, 0.9, n_hours)
    month = np.minimum(t * 12 // n_hours, 11).astype(np.int64)  # 12 billing months over the steps
    p = np.zeros((L.N_PARAMS, n_scen))
    p[L.P_WIND_MW] = rng.uniform(0, 300, n_scen)
    p[L.P_SOLAR_MW] = rng.uniform(0, 300, n_scen)
    p[L.P_LINE_MW] = rng.uniform(20, 400, n_scen)
    p[L.P_LINE_LOSS_FRAC] = rng.uniform(0, 0.08, n_scen)
    p[L.P_CHARGE_MW] = rng.uniform(0, 80, n_scen) * (rng.random(n_scen) < 0.8)
    p[L.P_DISCHARGE_MW] = rng.uniform(0, 80, n_scen)
    p[L.P_USABLE_MWH] = rng.uniform(0, 400, n_scen)
    p[L.P_ETA_CHARGE] = rng.uniform(0.7, 1.0, n_scen)
    p[L.P_ETA_DISCHARGE] = rng.uniform(0.7, 1.0, n_scen)
    p[L.P_INIT_GREEN_MWH] = p[L.P_USABLE_MWH] * rng.uniform(0, 0.5, n_scen)
    p[L.P_INIT_GRID_MWH] = p[L.P_USABLE_MWH] * rng.uniform(0, 0.5, n_scen)
    p[L.P_EXPORT_MW] = rng.uniform(0, 150, n_scen)
    p[L.P_EXPORT_CAP_FRAC] = rng.choice([0.0, 0.1, 0.2, 1.0], n_scen)
    p[L.P_EXPORT_RULE] = rng.integers(0, 2, n_scen)
    p[L.P_IMPORT_MW] = rng.uniform(0, 150, n_scen)
    p[L.P_GRID_CHARGE] = rng.integers(0, 2, n_scen)
    p[L.P_GRID_CHARGE_PRICE] = rng.choice([150.0, 400.0], n_scen)
    p[L.P_IMPORT_TARGET_MW] = rng.uniform(0, 160, n_scen) * (rng.random(n_scen) < 0.5)  # peak shaving half the time
    hourly = np.zeros((n_hours, L.N_HOURLY))  # no flexible element
    return [cfw, cfs, load, price, price_x, factor, month, hourly], np.ascontiguousarray(p)


def ref_kwargs(profiles: list[np.ndarray]) -> dict[str, np.ndarray]:
    """The hourly factor and billing months, as the references take them (keywords)."""
    return {"factor": profiles[5], "month_index": profiles[6]}


def params_of(p: np.ndarray, s: int) -> dict[str, float]:
    return {name: float(p[k, s]) for k, name in enumerate(L.PARAM_NAMES)}


def assert_totals_close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-9) -> None:
    scale = np.maximum(np.abs(a), np.abs(b)).max(axis=0, keepdims=True) + 1.0
    diff = np.abs(a - b)
    np.testing.assert_array_less(diff, np.broadcast_to(rtol * scale, diff.shape))


@pytest.mark.parametrize("dt", [1.0, 0.5, 0.25])
def test_single_kernel_matches_pure_python_reference(dt: float) -> None:
    rng = np.random.default_rng(11)
    profiles, p = random_case(rng, 240, 25)
    for s in range(p.shape[1]):
        out = np.zeros(L.N_TOTALS)
        dispatch_nb(*profiles, dt, np.ascontiguousarray(p[:, s]), out)
        ref, _ = dispatch_python(*profiles[:5], params_of(p, s), dt, **ref_kwargs(profiles))
        assert list(ref) == list(spec.TOTAL_COLUMNS)
        assert_totals_close(out[None, :], np.array([[ref[n] for n in spec.TOTAL_COLUMNS]]))


@pytest.mark.parametrize(("dt", "hourly_factor"), [(1.0, True), (0.25, True), (1.0, False)])
def test_batch_kernel_matches_references_and_a_scenario_is_bitwise_the_same_in_any_block(
    dt: float, hourly_factor: bool
) -> None:
    rng = np.random.default_rng(12)
    n = 2 * BLOCK + 37  # two full blocks and a partial one
    profiles, p = random_case(rng, 500, n)
    if not hourly_factor:  # no emission factor: green-only blocks run without the CO2 sum (+0.0 either way)
        profiles[5][:] = 0.0
    p[L.P_GRID_CHARGE, :BLOCK] = 0.0  # a block and more run the green-only specialisation, both export rules
    p[L.P_INIT_GRID_MWH, :BLOCK] = 0.0
    assert 0 < p[L.P_EXPORT_RULE, :BLOCK].sum() < BLOCK
    batch = np.zeros((n, L.N_TOTALS))
    dispatch_batch_nb(*profiles, dt, p, batch)
    singles = np.zeros((n, L.N_TOTALS))
    for s in range(n):
        dispatch_nb(*profiles, dt, np.ascontiguousarray(p[:, s]), singles[s])
    # the same step and accumulator on the same block layout: without a factor, the green-only variants without
    # the CO2 sum and with one export rule's cap give the bits of the general step
    np.testing.assert_array_equal(batch, singles)
    co2 = batch[:, spec.column_of("import_co2_t")]
    assert (co2 > 0).any() if hourly_factor else (co2 == 0.0).all() and not np.signbit(co2).any()
    assert_totals_close(batch, dispatch_numpy(*profiles[:5], p, dt, **ref_kwargs(profiles)))
    # a scenario alone (gpdc run) and in any block of a sweep: bit for bit the same
    for s in range(0, n, 7):
        one = np.zeros((1, L.N_TOTALS))
        dispatch_batch_nb(*profiles, dt, np.ascontiguousarray(p[:, s:s + 1]), one)
        np.testing.assert_array_equal(one[0], batch[s])
    # the one green-only design among BLOCK designs with a grid pool runs first (block_plan), in a
    # block of its own, and still gives the same totals
    pooled = p[:, BLOCK:2 * BLOCK + 1].copy()
    pooled[L.P_GRID_CHARGE] = 1.0
    pooled[:, 5] = p[:, 0]
    order, starts, _ = block_plan(pooled, dt)
    assert order[0] == 5 and list(starts[:2]) == [0, 1]
    again = np.zeros((BLOCK + 1, L.N_TOTALS))
    dispatch_batch_nb(*profiles, dt, np.ascontiguousarray(pooled), again)
    np.testing.assert_array_equal(again[5], batch[0])


@pytest.mark.parametrize("hourly_factor", [True, False])
def test_green_only_blocks_give_the_general_steps_bits_from_an_initial_green_pool_of_minus_zero(
    hourly_factor: bool,
) -> None:
    """The green-only step takes the pool as ``green``, the general one as ``green + grid`` (+0.0): no total differs.

    Only a pool of -0.0 tells the two apart; designs that start there (and some that keep it: no
    charging, no usable energy) give the single-design kernel's totals bit for bit, signs of zero
    included, in each green-only driver (with and without the hourly factor, both export-cap rules,
    lookahead).
    """
    rng = np.random.default_rng(31)
    n = BLOCK + 20
    profiles, p = random_case(rng, 300, n)
    if not hourly_factor:
        profiles[5][:] = 0.0
    p[L.P_GRID_CHARGE] = 0.0
    p[L.P_INIT_GRID_MWH] = 0.0
    p[L.P_INIT_GREEN_MWH] = -0.0
    p[L.P_CHARGE_MW, ::3] = 0.0  # the pool stays at -0.0 ...
    p[L.P_USABLE_MWH, 1::3] = 0.0  # ... or holds nothing
    p[L.P_LOOKAHEAD, -8:] = 1.0
    p[L.P_LOOKAHEAD_H, -8:] = 12.0
    assert np.signbit(p[L.P_INIT_GREEN_MWH]).all()
    batch = np.zeros((n, L.N_TOTALS))
    dispatch_batch_nb(*profiles, 1.0, p, batch)
    singles = np.zeros((n, L.N_TOTALS))
    for s in range(n):
        dispatch_nb(*profiles, 1.0, np.ascontiguousarray(p[:, s]), singles[s])
    assert (batch[:, spec.column_of("discharge_green_mwh")] > 0).any()  # the designs that charge do discharge
    np.testing.assert_array_equal(batch.view(np.int64), singles.view(np.int64))


def test_block_plan_groups_the_designs_by_the_variant_they_need() -> None:
    """Green-only, grid pool (by grid-charging price, none last), lookahead (by horizon; green-only, then pool), flexible."""
    kinds = ["pool200", "green", "flex", "la48", "green", "la24_pool", "pool100", "la24", "flex", "green", "pool200",
             "pool_none"]
    p = np.zeros((L.N_PARAMS, len(kinds)))
    for s, k in enumerate(kinds):
        p[L.P_GRID_CHARGE, s] = 1.0 if "pool" in k and k != "pool_none" else 0.0
        p[L.P_GRID_CHARGE_PRICE, s] = 200.0 if "200" in k else 100.0
        p[L.P_FLEX, s] = 1.0 if k == "flex" else 0.0
        p[L.P_LOOKAHEAD, s] = 1.0 if k.startswith("la") else 0.0
        p[L.P_LOOKAHEAD_H, s] = 48.0 if "48" in k else 24.0
    p[L.P_INIT_GRID_MWH, 4] = 5.0  # an initial grid pool needs the pro-rata split too (and never charges)
    p[L.P_INIT_GRID_MWH, 11] = 5.0
    order, starts, kinds = block_plan(np.ascontiguousarray(p), 1.0)
    assert list(order) == [1, 9, 6, 0, 10, 4, 11, 7, 3, 5, 2, 8]
    # blocks: green-only; pool at 100; pool at 200; pool never charging; lookahead (horizons mixed); its
    # pool kind; flexible
    assert list(starts) == [0, 2, 3, 5, 7, 9, 10, 12]
    assert list(kinds) == [cpu.KIND_GREEN, cpu.KIND_POOL, cpu.KIND_POOL, cpu.KIND_POOL, cpu.KIND_LOOKAHEAD_GREEN,
                           cpu.KIND_LOOKAHEAD_POOL, cpu.KIND_FLEX]
    # each block's driver, without an hourly emission factor: the green-only block its rule's, every other
    # kind its general driver (a grid-pool block may mix export-cap rules)
    p[L.P_EXPORT_RULE, [0, 10]] = 1.0  # the pool at 200 mixes both rules
    x = np.full(24, 0.5)
    *_, driver = cpu.batch_plan(x, x, np.zeros(24), np.ascontiguousarray(p), 1.0)
    assert [list(cpu.BATCH_DRIVERS)[d] for d in driver] == [
        "green-only, running cap", "grid pool", "grid pool", "grid pool", "lookahead", "lookahead, grid pool", "flexible"]


def test_block_plan_puts_green_only_designs_of_each_export_cap_rule_in_blocks_of_their_own() -> None:
    """A green-only block runs one rule's export cap (compiled in): running-rule designs first, then budget."""
    n = 2 * BLOCK + 10  # 92 running (a full block and 28), 46 budget
    p = np.zeros((L.N_PARAMS, n))
    p[L.P_EXPORT_RULE] = np.arange(n) % 3 == 0  # every third design on the budget rule
    order, starts, kinds = block_plan(np.ascontiguousarray(p), 1.0)
    running = [s for s in range(n) if s % 3]
    budget = [s for s in range(n) if s % 3 == 0]
    assert list(order) == running + budget  # stable within each rule
    assert list(starts) == [0, BLOCK, len(running), n]
    assert list(kinds) == [cpu.KIND_GREEN] * 3
    # the drivers: without an hourly emission factor each rule's own (no CO2 sum); with one, the general
    x = np.full(24, 0.5)
    names = list(cpu.BATCH_DRIVERS)
    for factor, expected in ((np.zeros(24), ["green-only, running cap"] * 2 + ["green-only, budget cap"]),
                             (np.r_[np.zeros(23), np.nan], ["green-only, hourly CO2"] * 3),
                             (np.r_[0.7, np.zeros(23)], ["green-only, hourly CO2"] * 3)):
        cw, cs, order2, starts2, driver = cpu.batch_plan(x, x, factor, np.ascontiguousarray(p), 1.0)
        assert (cw, cs) == (12.0, 12.0) and list(order2) == list(order) and list(starts2) == list(starts)
        assert [names[d] for d in driver] == expected
        assert all(cpu.DRIVER_KINDS[d] == k for d, k in zip(driver, kinds, strict=True))


def test_each_kind_of_block_has_one_general_driver_and_only_green_only_blocks_have_rule_drivers() -> None:
    """The drivers' table: each kind's general driver (each design its own rule, the CO2 sums) exists once.

    A driver compiled for one export-cap rule runs every design of a block on it: only green-only
    blocks never mix rules (block_plan), so only they may have such drivers.
    """
    kinds = (cpu.KIND_GREEN, cpu.KIND_POOL, cpu.KIND_LOOKAHEAD_GREEN, cpu.KIND_LOOKAHEAD_POOL, cpu.KIND_FLEX)
    pairs = list(zip(cpu.DRIVER_KINDS, cpu.DRIVER_RULES, strict=True))
    assert len(pairs) == len(set(pairs)) == len(cpu.BATCH_DRIVERS)
    for k in kinds:
        assert pairs.count((k, -1)) == 1
        assert {r for kk, r in pairs if kk == k} == ({-1, 0, 1} if k == cpu.KIND_GREEN else {-1})


def test_a_batch_compiles_and_loads_only_the_drivers_its_designs_need() -> None:
    """dispatch_batch_nb is Python: a fresh process running green-only designs touches one parallel driver."""
    code = textwrap.dedent("""
        import numpy as np
        from gpdc.kernels import cpu, layout as L, spec
        p = np.zeros((L.N_PARAMS, 3))
        p[[L.P_ETA_CHARGE, L.P_ETA_DISCHARGE]] = 1.0
        p[L.P_SOLAR_MW] = 10.0
        p[L.P_LINE_MW] = 100.0
        x = np.full(24, 0.5)
        out = np.zeros((3, L.N_TOTALS))
        cpu.dispatch_batch_nb(x, x, x, x, x, np.zeros(24), np.zeros(24, dtype=np.int64),
                              np.zeros((24, L.N_HOURLY)), 1.0, p, out)
        assert (spec.totals_dict(out)["direct_mwh"] == 12.0).all()  # the 0.5 MW load, 24 h, all from PV
        print([name for name, fn in cpu.BATCH_DRIVERS.items() if fn.signatures])
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "['green-only, running cap']"


def test_block_plan_cuts_groups_into_blocks_of_at_most_block_designs() -> None:
    n = 3 * BLOCK + 5
    p = np.zeros((L.N_PARAMS, n))
    p[L.P_GRID_CHARGE, : 2 * BLOCK] = 1.0
    p[L.P_GRID_CHARGE_PRICE, :BLOCK + 3] = 150.0  # BLOCK + 3 at 150, BLOCK - 3 at 300, BLOCK + 5 green-only
    p[L.P_GRID_CHARGE_PRICE, BLOCK + 3:] = 300.0
    order, starts, _ = block_plan(np.ascontiguousarray(p), 1.0)
    green = list(range(2 * BLOCK, n))
    assert list(order) == green + list(range(BLOCK + 3)) + list(range(BLOCK + 3, 2 * BLOCK))
    b = BLOCK
    assert list(starts) == [0, b, b + 5, 2 * b + 5, 2 * b + 8, 3 * b + 5]



def test_block_plan_on_random_designs_makes_full_blocks_of_one_variant_in_group_order() -> None:
    """The plan's rules on random mixes: a permutation, grouped and stable, blocks full but at a group's end."""
    rng = np.random.default_rng(17)
    for _ in range(200):
        n = int(rng.integers(0, 3 * BLOCK))
        p = np.zeros((L.N_PARAMS, n))
        p[L.P_GRID_CHARGE] = rng.random(n) < 0.4
        p[L.P_GRID_CHARGE_PRICE] = rng.choice([100.0, 200.0, np.nan, -0.0, 0.0], n)
        p[L.P_INIT_GRID_MWH] = np.where(rng.random(n) < 0.1, 5.0, 0.0)
        p[L.P_FLEX] = rng.random(n) < 0.1
        p[L.P_LOOKAHEAD] = rng.random(n) < 0.2
        p[L.P_LOOKAHEAD_H] = rng.choice([12.0, 24.0, 48.0], n)
        p[L.P_EXPORT_RULE] = rng.random(n) < 0.5
        dt = float(rng.choice([1.0, 0.5]))
        order, starts, kinds = block_plan(np.ascontiguousarray(p), dt)
        assert order.dtype == starts.dtype == kinds.dtype == np.int64
        assert sorted(order) == list(range(n)) and starts[0] == 0 and starts[-1] == n
        # each design's group, as the docstring orders them
        gc = p[L.P_GRID_CHARGE] > 0.5
        pool = gc | (p[L.P_INIT_GRID_MWH] != 0.0)
        flex = p[L.P_FLEX] > 0.5
        la = ~flex & (p[L.P_LOOKAHEAD] > 0.5)
        price = p[L.P_GRID_CHARGE_PRICE]
        charging = gc & ~np.isnan(price)

        def group(s: int) -> tuple[int, float, float]:
            if flex[s]:
                return (cpu.KIND_FLEX, 0.0, 0.0)
            if la[s]:
                return (cpu.KIND_LOOKAHEAD_POOL if pool[s] else cpu.KIND_LOOKAHEAD_GREEN,
                        np.floor(p[L.P_LOOKAHEAD_H, s] / dt + 0.5), 0.0)
            if pool[s]:
                return (cpu.KIND_POOL, 0.0 if charging[s] else 1.0, price[s] if charging[s] else 0.0)
            return (cpu.KIND_GREEN, float(p[L.P_EXPORT_RULE, s]), 0.0)

        keys = [group(s) for s in order]
        assert keys == sorted(keys)  # grouped in the documented order ...
        for a, b in zip(order[:-1], order[1:], strict=True):
            if group(a) == group(b):
                assert a < b  # ... stable within a group
        for i in range(len(kinds)):
            members = order[starts[i]:starts[i + 1]]
            first = group(members[0])
            assert 0 < len(members) <= BLOCK and kinds[i] == first[0]
            if first[0] in (cpu.KIND_GREEN, cpu.KIND_POOL):  # one rule / one grid-charging price in a block
                assert all(group(s) == first for s in members)
            else:
                assert all(group(s)[0] == first[0] for s in members)
            if len(members) < BLOCK and starts[i + 1] < n:  # a short block ends its group
                nxt = group(order[starts[i + 1]])
                assert nxt != first if first[0] in (cpu.KIND_GREEN, cpu.KIND_POOL) else nxt[0] != first[0]

def test_trace_kernel_totals_equal_single_and_sum_of_trace() -> None:
    rng = np.random.default_rng(13)
    profiles, p = random_case(rng, 300, 6)
    tcol = {name: k for k, name in enumerate(L.TRACE_NAMES)}
    month = profiles[6]
    batch = np.zeros((6, L.N_TOTALS))
    dispatch_batch_nb(*profiles, 1.0, p, batch)
    for s in range(6):
        col = np.ascontiguousarray(p[:, s])
        a = np.zeros(L.N_TOTALS)
        b = np.zeros(L.N_TOTALS)
        trace = np.zeros((300, L.N_TRACE))
        dispatch_nb(*profiles, 1.0, col, a)
        dispatch_trace_nb(*profiles, 1.0, col, b, trace)
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(b, batch[s])  # traces come from the very arithmetic of the batch totals
        tot = spec.totals_dict(b[None, :])
        for name in ("direct_mwh", "export_mwh", "import_mwh", "curtail_bus_mwh", "unserved_mwh"):
            assert trace[:, tcol[name]].sum() == pytest.approx(tot[name][0], rel=1e-12, abs=1e-9)
        assert trace[-1, tcol["storage_green_mwh"]] == tot["storage_green_end_mwh"][0]
        imp = trace[:, tcol["import_mwh"]]
        # the per-month accumulators: each billing month's maximum import, and import x hourly factor
        for m in range(12):
            assert tot["peak_import_month_mw"][0, m] == imp[month == m].max()
        assert tot["import_co2_t"][0] == pytest.approx(float(np.dot(imp, profiles[5])), rel=1e-13)
        ref_tot, ref_trace = dispatch_python(*profiles[:5], params_of(p, s), 1.0, **ref_kwargs(profiles))
        assert list(ref_trace) == list(L.TRACE_NAMES)
        for k, name in enumerate(L.TRACE_NAMES):
            np.testing.assert_allclose(trace[:, k], ref_trace[name], rtol=1e-9, atol=1e-9, err_msg=name)


def test_no_step_both_charges_and_discharges_the_storage() -> None:
    """What the step's side-by-side charge and discharge rest on (gpdc/kernels/step.py, step 3).

    Without flexible elements a step with a green surplus (what the line brings beyond the load:
    charged, exported or curtailed at the bus) discharges nothing, and a step without one charges
    no green energy: every design of a random mix (grid charging, peak shaving, both export-cap
    rules, lookahead) over every hour; the designs do both kinds of step.
    """
    rng = np.random.default_rng(17)
    profiles, p = random_case(rng, 400, 24)
    p[L.P_LOOKAHEAD, ::4] = 1.0
    p[L.P_LOOKAHEAD_H, ::4] = 24.0
    col = {name: k for k, name in enumerate(L.TRACE_NAMES)}
    charged = discharged = 0
    for s in range(p.shape[1]):
        trace = np.zeros((400, L.N_TRACE))
        dispatch_trace_nb(*profiles, 1.0, np.ascontiguousarray(p[:, s]), np.zeros(L.N_TOTALS), trace)
        ch = trace[:, col["charge_green_mwh"]]
        surplus = ch + trace[:, col["export_mwh"]] + trace[:, col["curtail_bus_mwh"]]
        dis = trace[:, col["discharge_green_mwh"]] + trace[:, col["discharge_grid_mwh"]]
        assert not ((surplus > 0.0) & (dis > 0.0)).any(), s
        assert (trace[:, col["direct_mwh"]][surplus > 0.0] == profiles[2][surplus > 0.0]).all()  # load all served
        charged += int((ch > 0.0).sum())
        discharged += int((dis > 0.0).sum())
    assert charged > 100 and discharged > 100


def test_the_step_returns_the_flows_of_the_spec_in_its_order() -> None:
    # the drivers take the flows by position: a flow out of place would put one quantity under
    # another's name; the independent reference names them, so compare every flow by name
    rng = np.random.default_rng(14)
    profiles, p = random_case(rng, 120, 4)
    from gpdc.kernels.step import step_nb

    assert len(spec.FLOWS) == L.N_FLOWS
    for s in range(4):
        trace = np.zeros((120, L.N_TRACE))
        dispatch_trace_nb(*profiles, 1.0, np.ascontiguousarray(p[:, s]), np.zeros(L.N_TOTALS), trace)
        _, ref = dispatch_python(*profiles[:5], params_of(p, s), 1.0, **ref_kwargs(profiles))
        for name in L.TRACE_NAMES:
            np.testing.assert_allclose(trace[:, L.TRACE_NAMES.index(name)], ref[name], rtol=1e-9, atol=1e-9)
    assert callable(step_nb)


def test_reduce_flows_gives_the_kernel_totals() -> None:
    # the NumPy reduction (used by the LP) applies the same TOTALS rows as the kernels' accumulator
    rng = np.random.default_rng(15)
    profiles, p = random_case(rng, 400, 3)
    for s in range(3):
        out = np.zeros(L.N_TOTALS)
        trace = np.zeros((400, L.N_TRACE))
        dispatch_trace_nb(*profiles, 0.5, np.ascontiguousarray(p[:, s]), out, trace)
        ref_tot, flows = dispatch_python(*profiles[:5], params_of(p, s), 0.5, **ref_kwargs(profiles))
        hourly = {name: np.asarray(v) for name, v in flows.items()}
        # the reference reports curtailment by the cap and self-supply only as totals: give them hourly by
        # differences of a second run is not possible, so take them from the kernel's totals here
        hourly["curtail_export_cap_mwh"] = np.full(400, out[spec.column_of("curtail_export_cap_mwh")] / 400)
        hourly["self_supply_steps"] = np.full(400, out[spec.column_of("self_supply_steps")] / 400)
        end = {"green_mwh": hourly["storage_green_mwh"][-1], "grid_mwh": hourly["storage_grid_mwh"][-1]}
        red = spec.reduce_flows(hourly, end, profiles[3], profiles[4], profiles[5], profiles[6], 0.5)
        assert_totals_close(red[None, :], out[None, :], rtol=1e-11)
        np.testing.assert_array_equal(red[spec.column_of("peak_import_month_mw"):],
                                      out[spec.column_of("peak_import_month_mw"):])


@pytest.mark.slow
def test_compiled_kernels_equal_their_python_functions() -> None:
    # numba's compiled code and the same source run as Python (vectorbt's test_use_numba): 48 h, 3 designs
    rng = np.random.default_rng(16)
    profiles, p = random_case(rng, 48, 3)
    compiled = np.zeros((3, L.N_TOTALS))
    dispatch_batch_nb(*profiles, 1.0, p, compiled)
    python = np.zeros((3, L.N_TOTALS))
    dispatch_batch_nb(*profiles, 1.0, p, python, compiled=False)
    assert_totals_close(compiled, python, rtol=1e-13)
    one = np.zeros(L.N_TOTALS)
    dispatch_nb.py_func(*profiles, 1.0, np.ascontiguousarray(p[:, 1]), one)
    np.testing.assert_allclose(one, compiled[1], rtol=1e-13, atol=1e-12)


def test_empty_batch_and_zero_hours_do_nothing() -> None:
    x = np.zeros(0)
    out = np.zeros((3, L.N_TOTALS))
    p = np.ones((L.N_PARAMS, 3))
    dispatch_batch_nb(x, x, x, x, x, x, np.zeros(0, dtype=np.int64), np.zeros((0, L.N_HOURLY)), 1.0, p, out)
    tot = spec.totals_dict(out)
    for name in ("direct_mwh", "import_mwh", "export_mwh", "unserved_mwh"):
        assert not tot[name].any()  # no flows
    assert not tot["peak_import_month_mw"].any()
    np.testing.assert_array_equal(tot["storage_green_end_mwh"], p[L.P_INIT_GREEN_MWH])  # pools as they started
    np.testing.assert_array_equal(tot["storage_grid_end_mwh"], p[L.P_INIT_GRID_MWH])
    dispatch_batch_nb(np.ones(5), np.ones(5), np.ones(5), np.ones(5), np.ones(5), np.ones(5),
                      np.zeros(5, dtype=np.int64), np.zeros((5, L.N_HOURLY)), 1.0, np.ones((L.N_PARAMS, 0)),
                      np.zeros((0, L.N_TOTALS)))


def _run_batch_in_worker(seed: int) -> np.ndarray:
    profiles, p = random_case(np.random.default_rng(seed), 200, 40)
    out = np.zeros((40, L.N_TOTALS))
    dispatch_batch_nb(*profiles, 1.0, p, out)
    return out


def _expected(seed: int) -> np.ndarray:
    profiles, p = random_case(np.random.default_rng(seed), 200, 40)
    return dispatch_numpy(*profiles[:5], p, 1.0, **ref_kwargs(profiles))


def test_kernels_under_thread_pool() -> None:
    """The Dask-thread path: parallel kernels called from several threads at once."""
    with cf.ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(_run_batch_in_worker, range(6)))
    for seed, res in enumerate(results):
        assert_totals_close(res, _expected(seed))


def test_kernels_under_process_pool() -> None:
    """The cached kernels load in fresh worker processes (numba cache + multiprocessing)."""
    ctx = mp.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        results = list(pool.map(_run_batch_in_worker, range(3)))
    for seed, res in enumerate(results):
        assert_totals_close(res, _expected(seed))


def test_read_only_inputs_reuse_the_compiled_kernels() -> None:
    # a read-only array (pandas' copy-on-write values, np.broadcast_to) is another numba type: before the
    # seam made every input a writable C array, each one compiled the whole kernel again (minutes in CI)
    from gpdc import pipeline
    from gpdc.kernels import dispatch

    p = np.zeros((L.N_PARAMS, 2))
    p[[L.P_ETA_CHARGE, L.P_ETA_DISCHARGE]] = 1.0
    p[L.P_SOLAR_MW] = 10.0
    inputs = pipeline.make_inputs(np.zeros(48), np.full(48, 0.5), np.full(48, 4.0), np.full(48, 300.0),
                                  np.full(48, 200.0), p)
    args = [inputs.cf_wind, inputs.cf_solar, inputs.load_mw, inputs.price_import, inputs.price_export,
            inputs.factor, inputs.month_index, inputs.hourly, inputs.dt_h, inputs.params]
    writable = dispatch.batch_totals(*args)
    trace_writable = dispatch.trace(*args[:-1], np.ascontiguousarray(inputs.params[:, 0]))
    batch_kernels = list(cpu.BATCH_DRIVERS.values())
    n_batch = [len(k.signatures) for k in batch_kernels]
    n_trace = len(dispatch_trace_nb.signatures)
    frozen = []
    for a in args:
        if isinstance(a, np.ndarray):
            a = a.copy()
            a.flags.writeable = False
        frozen.append(a)
    assert np.array_equal(dispatch.batch_totals(*frozen), writable)
    totals, out = dispatch.trace(*frozen[:-1], inputs.params[:, 0])  # a strided column too
    assert np.array_equal(totals, trace_writable[0]) and np.array_equal(out, trace_writable[1])
    assert ([len(k.signatures) for k in batch_kernels], len(dispatch_trace_nb.signatures)) == (n_batch, n_trace)
    assert all(not a.flags.writeable for a in frozen if isinstance(a, np.ndarray))  # the caller's arrays untouched
