"""A tuned, independent batch dispatch kernel of the same scope as gpdc's (issue 19's yardstick).

Scope: every non-flexible total that ``gpdc.kernels.cpu.dispatch_batch_nb`` writes, for designs
without flexible elements and without lookahead (``flex`` = 0, ``lookahead`` = 0) — green and
grid pools with pro-rata discharge, line rating and loss, running and budget export-cap rules
(per design), export MW limit, import cap, grid charging at or below a price, the peak-shaving
target, curtailment by line / bus / export cap, unserved energy, import cost, export revenue,
unserved cost, import CO2 with the hourly factor, self-supply steps, the monthly maximum import
and the end states.  Written from ``docs/dispatch.md`` ("One step"); it imports nothing from
``gpdc.kernels.step`` or ``cpu`` (only ``layout`` to read the parameter rows by name and to
write the totals in ``spec.TOTAL_COLUMNS`` order).  The numba options that change results are
gpdc's (``error_model="numpy"``, ``fastmath={"contract"}``: fused multiply-adds, no
reassociation), and each flow is the same expression as the spec's, summed hour by hour in time
order, so the totals agree with gpdc's to rounding (below).

:func:`dispatch_tuned` takes the arguments of ``dispatch_batch_nb`` (the ``hourly`` array of the
flexible elements is accepted and ignored) and writes the same ``out_totals`` layout.

Structure, and what each trick did.  Measured on the Intel Xeon VM this was written on (numba
names it ``rocketlake``; AVX-512; 2 cores shared with other work), 8760 h x 10,000 make_case
designs, one thread, best process CPU time of 3 interleaved repeats, ns per design-hour,
green-first / grid charging (make_case: half the designs charge from the grid):

* Designs side by side in one block buffer ``b[ROW * S + j]`` (B = 64 designs, compile-time
  ``ROW`` and stride ``S = B + 8``), designs in the inner loop: structure of arrays in one
  allocation, so LLVM sees every row apart and vectorises across the designs with no run-time
  alias checks.  Parameters are stored as the step uses them (powers x dt, 1/eta, the budget
  cap, the import a grid-charging hour aims at): no division in the step but the pro-rata share.
  This is gpdc's own structure; the same structure with per-design selects (``grouped=False,
  unroll=1``) runs at 2.44 / 3.19 against gpdc's 2.66 / 3.17.  Block size 32 / 64 / 128: 1.89 /
  1.87 / 1.83 and 2.19 / 2.20 / 2.23: no effect.
* **Homogeneous blocks** (``plan_blocks``): designs are grouped by (grid pool used, export rule,
  grid-charging price) before they are cut into blocks; the totals go back to the caller's
  order.  Each block runs a variant compiled for its kind: without a grid pool (no grid
  charging, no initial grid energy) the pool, the pro-rata division and step 5 are compiled
  out; the export rule is a compile-time constant (one cap, no select); and since a block's
  designs share one grid-charging price, "grid-charging hour" is one scalar per hour for the
  whole block: ordinary hours run a loop without step 5 and without the per-design select,
  grid-charging hours one without the peak-shaving select.  When this was written, gpdc
  specialised only a block whose 64 designs *all* lacked a grid pool (and even then evaluated
  step 5 under a per-design select, the grid-charging price being NaN), so with half the designs
  charging from the grid every one of its blocks ran the general step.  (gpdc has since taken
  these over in its own step: blocks of one kind and one grid-charging price, ``block_plan``,
  the grid-charging step decided per block, step 5 compiled out where no design charges, two
  steps per pass in green-only blocks, the export cap as base + coefficient with no select.
  Without an hourly emission factor its green-only blocks drop the CO2 sum and run their designs'
  one export-cap rule, grouped as here; with a grid pool it keeps both, and one step per pass.)  Effect: 2.44 -> 2.05 (green-first), 3.19 -> 2.24 (grid
  charging), one hour per pass.  Split (a second, slower run of the machine, one hour per pass;
  ``lane`` and ``rule_select`` put each back; noise about 5 %): grouped 2.20 / 2.37; with the
  grid-charging hour per design (step 5 under a select, as gpdc) 2.58 / 2.88; with the export
  rule per design 2.23 / 2.72; both 2.61 / 2.89; gpdc's structure (``grouped=False``) 2.66 /
  3.26; gpdc 2.87 / 3.39.  So in green-first almost all of it is step 5 evaluated and thrown
  away in every hour.  The kinds are separate parallel drivers (``prange`` splits each kind's
  blocks evenly over the threads).
* **Two hours per pass over the block** (register blocking in time, ``UNROLL``): a design's
  state and accumulators are loaded once, advanced through two hours in registers and stored
  once, which halves the loads and stores of the 16 sums, the state and the monthly maximum.
  The sums are still added hour after hour (the same order: bit-identical to one hour per pass).
  The hours run month by month so a pass never straddles a month end (an odd month ends with a
  one-hour pass); a pool block has one loop per pattern of grid-charging hours in the pass (4).
  Effect: 2.05 -> 1.87 and 2.24 -> 2.20; three and four hours per pass are slower (2.03 / 2.35,
  2.07 / 2.40) and four compile for 96 s; on the general per-design step two hours per pass are
  slower too (3.19 -> 3.74: the longer body with its division and selects no longer overlaps).
* Per-hour scalars (running sums of the capacity factors, load x dt) once per batch, not per
  block; without an hourly emission factor (all zeros) the CO2 sum is compiled out.
* Generated source, not ``inline="always"``: each kind's block loop is emitted as straight
  Python with its switches applied (``SOURCES`` keeps the text).  The first version inlined a
  step function into 32 call sites under ``parallel=True`` and had not finished compiling
  after ten minutes; generated, the four kinds of make_case compile in about 16 s (6 s for the
  two green-first kinds; numba 0.68).
* 512-bit vectors (``GPDC_AVX512=1``, which gpdc.kernels.target applies to every kernel of the
  process, this one too): ``run.py --tuned-only``, 20,000 designs, best of 5: gpdc 2.63 / 2.71,
  tuned 1.53 / 1.99 (ratios 1.71 / 1.36); another run (10,000 designs, best of 3, beside a test
  run) 1.98 / 3.53 against 1.44 / 2.00.  The default (256-bit) build, same command: gpdc 2.82 /
  3.32, tuned 1.92 / 2.24 (1.47 / 1.48).  A shared machine: take the ratios, not the values.

Totals agree with gpdc's to rounding: 94-97 % of the values bit for bit, the rest within 2e-13
relative (one multiply-add contracted differently, e.g. the running cap against the exported
sum, where gpdc's select between the two caps sits between the multiply and the subtraction).
"""

from __future__ import annotations

import os

import numpy as np
from numba import njit, prange

from gpdc.kernels import layout as L
from gpdc.kernels import spec

JIT = {"nogil": True, "error_model": "numpy", "fastmath": {"contract"}, "cache": False}

#: designs per block, and the row stride (padded: rows 64 + 8 doubles apart avoid 4 KiB aliasing)
B = int(os.environ.get("GPDC_TUNED_BLOCK", "64"))  # (an ablation knob: the measured best is 64)
S = B + 8

# --- the block's rows ---------------------------------------------------------------------------
R_WIND, R_SOLAR, R_LINE, R_LOSS, R_CH, R_DIS, R_USABLE, R_ETA_CH, R_IETA_CH, R_ETA_DIS, R_IETA_DIS = range(11)
R_EXP, R_IMP, R_KEEP, R_CAPIMP, R_CAPFRAC, R_CAPBUD, R_GCP, R_RULE = range(11, 19)
R_GREEN, R_GRID, R_CUM = range(19, 22)
A0 = 22
_SUM_NAMES = (
    "direct_mwh", "charge_green_mwh", "charge_grid_mwh", "discharge_green_mwh", "discharge_grid_mwh",
    "export_mwh", "import_mwh", "curtail_line_mwh", "curtail_bus_mwh", "curtail_export_cap_mwh", "unserved_mwh",
    "import_cost_yuan", "export_revenue_yuan", "self_supply_steps", "unserved_cost_yuan", "import_co2_t",
)  # fmt: skip
(A_DIRECT, A_CHG, A_CHR, A_DISG, A_DISR, A_EXP, A_IMP, A_CURTL, A_CURTB, A_CURTC, A_UNS, A_ICOST, A_EREV,
 A_SELF, A_UCOST, A_CO2) = range(A0, A0 + 16)  # fmt: skip
R_MAX = A0 + 16  # running maximum of the import in the current month
R_MON0 = R_MAX + 1  # 12 rows: each billing month's maximum import [MWh per step]
N_ROWS = R_MON0 + 12

#: the totals array's column of each sum, of the two end states and of the first monthly maximum
SUM_COLS = np.array([spec.column_of(n) for n in _SUM_NAMES], dtype=np.int64)
COL_GREEN_END = spec.column_of("storage_green_end_mwh")
COL_GRID_END = spec.column_of("storage_grid_end_mwh")
COL_PEAK0 = spec.column_of("peak_import_month_mw")
#: the totals of the flexible elements (0 for every design in scope) and of the lookahead: not computed
COMPUTED_COLUMNS: tuple[str, ...] = tuple(
    [spec.TOTAL_COLUMNS[c] for c in SUM_COLS] + ["storage_green_end_mwh", "storage_grid_end_mwh"]
    + [f"peak_import_month_mw[{m + 1}]" for m in range(12)])

# --- the kernel, generated: one straight-line source per block kind -----------------------------
# Each variant is emitted as plain Python with its compile-time switches already applied (no
# `inline="always"` chain: numba's IR inliner and parfor passes over 32 inlined copies of the step
# took over ten minutes to compile; generated straight-line functions take seconds).


def _step_src(pool: bool, gc: bool, rule: int, x: str) -> list[str]:
    """One hour of design j from (green, grid, cum) [docs/dispatch.md "One step"]; hour scalars end in ``x``."""
    r = [
        f"gen = (wind * cfw{x} + solar * cfs{x}) * dt",
        "line_in = min(gen, line_e)",
        "curt_line = gen - line_in",
        "arrive = line_in - line_in * loss",
        f"direct = min(arrive, le{x})",
        "surplus = arrive - direct",
        f"deficit = le{x} - direct",
        # 1. green surplus into storage
        "ch_green = max(0.0, min(surplus, ch_e, " + ("(usable - green - grid)" if pool else "(usable - green)")
        + " * ieta_ch))",
        "green = green + ch_green * eta_ch",
        "rest = surplus - ch_green",
        # 2. export within the connection and the cap
        "allow = max(0.0, " + {1: "cap_bud", 0: f"cap_frac * (wind * cw{x} + solar * cs{x})",
                               2: f"(cap_bud if rule_l > 0.5 else cap_frac * (wind * cw{x} + solar * cs{x}))"}[rule]
        + " - cum)",
        "exp_phys = min(rest, exp_e)",
        "export = min(exp_phys, allow)",
        "cum = cum + export",
        "curt_cap = exp_phys - export",
        "curt_bus = rest - export",
        # 3. storage serves the deficit (grid-charging hour: what the import cap cannot; else above the target)
        "to_cover = max(0.0, deficit - " + {True: "cap_imp", False: "keep", "lane": "(cap_imp if gc else keep)"}[gc]
        + ")",
    ]
    if gc == "lane":  # (the generic variant: grid-charging hour per design, as gpdc's step)
        r.insert(0, f"gc = pi{x} <= gcp")
    if pool:
        r += [
            "stored = green + grid",
            "dis = max(0.0, min(to_cover, dis_e, stored * eta_dis))",
            "share = green / stored if stored > 0.0 else 0.0",
            "w = dis * ieta_dis",
            "green = max(0.0, green - w * share)",
            "grid = max(0.0, grid - w * (1.0 - share))",
            "dis_green = dis * share",
            "dis_grid = dis - dis_green",
        ]
    else:
        r += [
            "dis = max(0.0, min(to_cover, dis_e, green * eta_dis))",
            "green = max(0.0, green - dis * ieta_dis)",
            "dis_green = dis",
        ]
    r += [
        # 4. the grid serves the rest up to the contracted import
        "need = deficit - dis",
        "imp_load = min(need, imp_e)",
        "uns = need - imp_load",
    ]
    if gc:  # 5. grid charging with the charge power and import left
        r += [
            "ch_grid = max(0.0, min(ch_e - ch_green, (usable - green - grid) * ieta_ch, cap_imp - imp_load))",
            *(["ch_grid = ch_grid if gc else 0.0"] if gc == "lane" else []),
            "grid = grid + ch_grid * eta_ch",
            "imp = imp_load + ch_grid",
        ]
    else:
        r += ["imp = imp_load"]
    return r


#: the sums: (accumulator row, expression of hour x); grid-pool sums only with a pool, CO2 only with a factor
def _sums(pool: bool, fac: bool, gc: bool, x: str) -> list[tuple[str, str]]:
    s = [("A_DIRECT", "direct"), ("A_CHG", "ch_green")]
    if pool:
        s.append(("A_CHR", "ch_grid" if gc else None))
    s.append(("A_DISG", "dis_green"))
    if pool:
        s.append(("A_DISR", "dis_grid"))
    s += [("A_EXP", "export"), ("A_IMP", "imp"), ("A_CURTL", "curt_line"), ("A_CURTB", "curt_bus"),
          ("A_CURTC", "curt_cap"), ("A_UNS", "uns"), ("A_ICOST", f"imp * pi{x}"), ("A_EREV", f"export * pe{x}"),
          ("A_SELF", "(1.0 if need <= 0.0 else 0.0)"), ("A_UCOST", f"uns * pi{x}")]
    if fac:
        s.append(("A_CO2", f"imp * fa{x}"))
    return s


_PARAMS = (("wind", "R_WIND"), ("solar", "R_SOLAR"), ("line_e", "R_LINE"), ("loss", "R_LOSS"), ("ch_e", "R_CH"),
           ("dis_e", "R_DIS"), ("usable", "R_USABLE"), ("eta_ch", "R_ETA_CH"), ("ieta_ch", "R_IETA_CH"),
           ("eta_dis", "R_ETA_DIS"), ("ieta_dis", "R_IETA_DIS"), ("exp_e", "R_EXP"), ("imp_e", "R_IMP"),
           ("keep", "R_KEEP"), ("cap_imp", "R_CAPIMP"), ("cap_frac", "R_CAPFRAC"), ("cap_bud", "R_CAPBUD"),
           ("gcp", "R_GCP"), ("rule_l", "R_RULE"))


def _pass_src(pool: bool, rule: int, fac: bool, hours: tuple[bool, ...], ind: str) -> list[str]:
    """Every design of the block through ``len(hours)`` consecutive hours from t (flag: grid-charging hour)."""
    r = []
    for i, _ in enumerate(hours):
        x = "abcd"[i]
        for k, name in enumerate(("cfw", "cfs", "le", "pi", "pe", "fa", "cw", "cs")):
            r.append(f"{name}{x} = h[{k}, t + {i}]")
    r.append("for j in range(B):")
    body = [f"{v} = b[{row} * S + j]" for v, row in _PARAMS]
    body += ["green = b[R_GREEN * S + j]", "grid = b[R_GRID * S + j]" if pool else "grid = 0.0",
             "cum = b[R_CUM * S + j]"]
    acc = {}
    for i, gc in enumerate(hours):
        x = "abcd"[i]
        body += _step_src(pool, gc, rule, x)
        for row, expr in _sums(pool, fac, gc, x):
            if expr is None:
                continue
            cur = acc.get(row, f"b[{row} * S + j]")
            body.append(f"acc_{row} = {cur} + {expr}")
            acc[row] = f"acc_{row}"
        cur = acc.get("R_MAX", "b[R_MAX * S + j]")
        body.append(f"acc_R_MAX = max({cur}, imp)")
        acc["R_MAX"] = "acc_R_MAX"
    body += ["b[R_GREEN * S + j] = green", "b[R_CUM * S + j] = cum"]
    if pool:
        body.append("b[R_GRID * S + j] = grid")
    for row, v in acc.items():
        body.append(f"b[{row} * S + j] = {v}" + (" + 0.0" if row == "R_MAX" else ""))
    r += ["    " + ln for ln in body]
    return [ind + ln for ln in r]


def _block_src(pool: bool, rule: int, fac: bool, unroll: int, lane: bool = False) -> str:
    """All hours of one block, month by month, ``unroll`` hours per pass; grid-charging hours per block (scalar)."""
    r = ["def _block(b, h, seg, seg_month, dt, price):",
         "    for k in range(seg.shape[0] - 1):",
         "        t = seg[k]",
         "        end = seg[k + 1]",
         f"        while t + {unroll - 1} < end:"]
    ind = " " * 12
    if lane:  # (ablation) the grid-charging hour chosen per design, as gpdc's step
        r += _pass_src(pool, rule, fac, ("lane",) * unroll, ind)
    elif rule == 2 and pool:  # the generic variant (ablation): grid-charging hour and export rule per design
        r += _pass_src(pool, rule, fac, ("lane",) * unroll, ind)
    elif pool:  # every combination of grid-charging hours in the pass, each its own loop
        r.append(ind + "code = 0")
        for i in range(unroll):
            r.append(ind + f"if h[3, t + {i}] <= price:\n{ind}    code += {1 << i}")
        for c in range(1 << unroll):
            hours = tuple(bool(c >> i & 1) for i in range(unroll))
            r.append(ind + ("if" if c == 0 else "elif") + f" code == {c}:")
            r += _pass_src(pool, rule, fac, hours, ind + "    ")
    else:
        r += _pass_src(pool, rule, fac, (False,) * unroll, ind)
    r.append(ind + f"t += {unroll}")
    r.append("        while t < end:")
    if lane or (rule == 2 and pool):
        r += _pass_src(pool, rule, fac, ("lane",), ind)
    elif pool:
        r.append(ind + "if h[3, t] <= price:")
        r += _pass_src(pool, rule, fac, (True,), ind + "    ")
        r.append(ind + "else:")
        r += _pass_src(pool, rule, fac, (False,), ind + "    ")
    else:
        r += _pass_src(pool, rule, fac, (False,), ind)
    r.append(ind + "t += 1")
    r += ["        m = seg_month[k]",
          "        for j in range(B):",
          "            r = (R_MON0 + m) * S + j",
          "            b[r] = max(b[r], b[R_MAX * S + j])",
          "            b[R_MAX * S + j] = 0.0"]
    return "\n".join(r) + "\n"


_DRIVER_SRC = '''
def _drive(h, seg, seg_month, dt, params, order, blk_start, blk_len, blk_price, out):
    cw_tot = h[6, h.shape[1] - 1]
    cs_tot = h[7, h.shape[1] - 1]
    for q in prange(blk_start.shape[0]):
        b = np.zeros(N_ROWS * S)
        _load_block(b, params, order, blk_start[q], blk_len[q], dt, cw_tot, cs_tot)
        _block(b, h, seg, seg_month, dt, blk_price[q])
        _store_block(b, out, order, blk_start[q], blk_len[q], dt)
'''


@njit(**JIT)
def _load_block(b: np.ndarray, params: np.ndarray, order: np.ndarray, s0: int, nb: int, dt: float, cw_tot: float,
                cs_tot: float) -> None:
    """Designs order[s0 : s0 + nb] into the block's lanes (powers x dt, 1/eta, caps); idle lanes harmless."""
    for j in range(B):
        b[R_ETA_CH * S + j] = 1.0
        b[R_IETA_CH * S + j] = 1.0
        b[R_ETA_DIS * S + j] = 1.0
        b[R_IETA_DIS * S + j] = 1.0
    for j in range(nb):
        s = order[s0 + j]
        wind = params[L.P_WIND_MW, s]
        solar = params[L.P_SOLAR_MW, s]
        b[R_WIND * S + j] = wind
        b[R_SOLAR * S + j] = solar
        b[R_LINE * S + j] = params[L.P_LINE_MW, s] * dt
        b[R_LOSS * S + j] = params[L.P_LINE_LOSS_FRAC, s]
        b[R_CH * S + j] = params[L.P_CHARGE_MW, s] * dt
        b[R_DIS * S + j] = params[L.P_DISCHARGE_MW, s] * dt
        b[R_USABLE * S + j] = params[L.P_USABLE_MWH, s]
        b[R_ETA_CH * S + j] = params[L.P_ETA_CHARGE, s]
        b[R_IETA_CH * S + j] = 1.0 / params[L.P_ETA_CHARGE, s]
        b[R_ETA_DIS * S + j] = params[L.P_ETA_DISCHARGE, s]
        b[R_IETA_DIS * S + j] = 1.0 / params[L.P_ETA_DISCHARGE, s]
        b[R_EXP * S + j] = params[L.P_EXPORT_MW, s] * dt
        imp_e = params[L.P_IMPORT_MW, s] * dt
        keep = params[L.P_IMPORT_TARGET_MW, s] * dt
        b[R_IMP * S + j] = imp_e
        b[R_KEEP * S + j] = keep
        b[R_CAPIMP * S + j] = min(keep, imp_e) if keep > 0.0 else imp_e
        frac = params[L.P_EXPORT_CAP_FRAC, s]
        b[R_CAPFRAC * S + j] = frac
        b[R_CAPBUD * S + j] = frac * (wind * cw_tot + solar * cs_tot)
        b[R_GCP * S + j] = params[L.P_GRID_CHARGE_PRICE, s] if params[L.P_GRID_CHARGE, s] > 0.5 else np.nan
        b[R_RULE * S + j] = params[L.P_EXPORT_RULE, s]
        b[R_GREEN * S + j] = params[L.P_INIT_GREEN_MWH, s]
        b[R_GRID * S + j] = params[L.P_INIT_GRID_MWH, s]


@njit(**JIT)
def _store_block(b: np.ndarray, out: np.ndarray, order: np.ndarray, s0: int, nb: int, dt: float) -> None:
    """The block's sums, end states and monthly maxima (per hour: / dt) into the designs' rows of ``out``."""
    for j in range(nb):
        o = out[order[s0 + j]]
        for k in range(16):
            o[SUM_COLS[k]] = b[(A0 + k) * S + j]
        o[COL_GREEN_END] = b[R_GREEN * S + j]
        o[COL_GRID_END] = b[R_GRID * S + j]
        for m in range(12):
            o[COL_PEAK0 + m] = b[(R_MON0 + m) * S + j] / dt


#: hours per pass over the block (register blocking in time)
UNROLL = 2
_drivers: dict[tuple[bool, int, bool, int, bool], object] = {}
SOURCES: dict[tuple[bool, int, bool, int, bool], str] = {}


def driver(pool: bool, rule: int, fac: bool, unroll: int = UNROLL, lane: bool = False) -> object:
    """The parallel batch driver of one block kind, generated and compiled on first use."""
    key = (pool, rule, fac, unroll, lane)
    if key not in _drivers:
        ns = {k: v for k, v in globals().items() if k.isupper() or k.startswith(("R_", "A_"))}
        ns.update(np=np, prange=prange, _load_block=_load_block, _store_block=_store_block)
        src = _block_src(pool, rule, fac, unroll, lane)
        SOURCES[key] = src
        exec(compile(src, f"<tuned block {key}>", "exec"), ns)  # noqa: S102 - generated from this module's templates
        ns["_block"] = njit(**JIT)(ns["_block"])
        exec(compile(_DRIVER_SRC, f"<tuned driver {key}>", "exec"), ns)  # noqa: S102
        _drivers[key] = njit(parallel=True, **JIT)(ns["_drive"])
    return _drivers[key]


def plan_blocks(params: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Group the designs (grid pool, export rule, grid-charging price) and cut each group into blocks.

    Returns, per block kind (bit 0: budget rule, bit 1: grid pool), ``(kind, order, starts,
    lengths, prices)``: the kind's designs in group order, and per block its first position in
    ``order``, its length and its grid-charging price (NaN: never charges from the grid).  A
    block never mixes groups, so every block runs the variant compiled for its kind and, in each
    hour, all its designs do or do not charge from the grid.
    """
    gc = params[L.P_GRID_CHARGE] > 0.5
    pool = gc | (params[L.P_INIT_GRID_MWH] != 0.0)
    kind = (params[L.P_EXPORT_RULE] > 0.5).astype(np.int64) + 2 * pool.astype(np.int64)
    key_price = np.where(gc, params[L.P_GRID_CHARGE_PRICE], np.inf)  # (NaN prices sort last, their own group)
    plans = []
    for kk in range(4):
        idx = np.flatnonzero(kind == kk)
        if idx.size == 0:
            continue
        order = idx[np.argsort(key_price[idx], kind="stable")]
        pr = key_price[order]
        cut = np.flatnonzero(~((pr[1:] == pr[:-1]) | (np.isnan(pr[1:]) & np.isnan(pr[:-1])))) + 1
        bounds = np.concatenate(([0], cut, [order.size]))
        starts, lens, prices = [], [], []
        for g0, g1 in zip(bounds[:-1], bounds[1:], strict=True):
            for s0 in range(g0, g1, B):
                starts.append(s0)
                lens.append(min(B, g1 - s0))
                prices.append(np.nan if np.isinf(pr[g0]) else pr[g0])
        plans.append((kk, order.astype(np.int64), np.array(starts, dtype=np.int64), np.array(lens, dtype=np.int64),
                      np.array(prices, dtype=np.float64)))
    return plans


def hourly_rows(cf_wind: np.ndarray, cf_solar: np.ndarray, load_mw: np.ndarray, price_import: np.ndarray,
                price_export: np.ndarray, factor: np.ndarray, dt: float) -> np.ndarray:
    """The per-hour scalars once per batch: cf_wind, cf_solar, load x dt, prices, factor, running Σ cf·dt."""
    n = cf_wind.shape[0]
    h = np.empty((8, n))
    h[0] = cf_wind
    h[1] = cf_solar
    h[2] = load_mw * dt
    h[3] = price_import
    h[4] = price_export
    h[5] = factor
    h[6] = _running_sum(np.ascontiguousarray(cf_wind, dtype=np.float64), dt)
    h[7] = _running_sum(np.ascontiguousarray(cf_solar, dtype=np.float64), dt)
    return h


@njit(**JIT)
def _running_sum(x: np.ndarray, dt: float) -> np.ndarray:
    out = np.empty_like(x)
    c = 0.0
    for t in range(x.shape[0]):
        c += x[t] * dt  # time order, as the spec's running sums
        out[t] = c
    return out


def month_segments(month_index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boundaries of the runs of equal billing month, and the month of each run."""
    m = np.asarray(month_index, dtype=np.int64)
    cut = np.flatnonzero(np.diff(m) != 0) + 1
    seg = np.concatenate(([0], cut, [m.size])).astype(np.int64)
    return seg, m[seg[:-1]].copy()


def dispatch_tuned(cf_wind: np.ndarray, cf_solar: np.ndarray, load_mw: np.ndarray, price_import: np.ndarray,
                   price_export: np.ndarray, factor: np.ndarray, month_index: np.ndarray, hourly: np.ndarray, dt: float,
                   params: np.ndarray, out_totals: np.ndarray, grouped: bool = True, unroll: int = UNROLL,
                   lane: bool = False, rule_select: bool = False, fac: bool | None = None) -> None:
    """Dispatch the designs of ``params`` [N_PARAMS, n] (no flexible element, no lookahead) into ``out_totals``.

    Same arguments and output layout as ``gpdc.kernels.cpu.dispatch_batch_nb``; ``hourly`` is
    ignored; the columns of the flexible elements are left as they are (0 for every design in
    scope).  The keywords are for the ablations in the docstring: ``grouped=False`` runs the
    designs in their own order with the grid-charging hour and the export rule chosen per
    design (only blocks without any grid pool specialised, as gpdc does); ``unroll`` hours per
    pass; ``fac`` forces the CO2 sum in (True) or out (False; only right for zero factors);
    ``lane`` chooses the grid-charging hour per design in every block (step 5 under a select, as
    gpdc); ``rule_select`` the export rule per design.
    """
    del hourly
    h = hourly_rows(cf_wind, cf_solar, load_mw, price_import, price_export, factor, dt)
    seg, seg_month = month_segments(month_index)
    if fac is None:
        fac = bool(np.any(np.asarray(factor) != 0.0))
    plans = plan_blocks(params) if grouped else plan_blocks_ungrouped(params)
    for kind, order, starts, lens, prices in plans:
        rule = 2 if kind >= 4 or rule_select else kind & 1
        run = driver(bool(kind & 2), rule, fac, unroll, lane or kind >= 4)
        run(h, seg, seg_month, float(dt), params, order, starts, lens, prices, out_totals)


def plan_blocks_ungrouped(params: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Blocks of B designs in their own order (ablation): kind 6 where a design of the block has a grid pool, else 4."""
    n = params.shape[1]
    pool = (params[L.P_GRID_CHARGE] > 0.5) | (params[L.P_INIT_GRID_MWH] != 0.0)
    order = np.arange(n, dtype=np.int64)
    starts = np.arange(0, n, B, dtype=np.int64)
    lens = np.minimum(B, n - starts).astype(np.int64)
    with_pool = np.array([pool[s:s + B].any() for s in starts], dtype=bool)
    return [(kind, order, starts[sel], lens[sel], np.full(int(sel.sum()), np.nan))
            for kind, sel in ((4, ~with_pool), (6, with_pool)) if sel.any()]


__all__ = ["COMPUTED_COLUMNS", "dispatch_tuned", "plan_blocks"]
