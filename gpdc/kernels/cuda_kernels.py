"""The CUDA kernels of :mod:`gpdc.kernels.cuda`: the CPU's step functions compiled as device functions.

Imported only when the CUDA backend runs (it imports numba's CUDA target).  Every function of
:mod:`gpdc.kernels.step` that the kernel calls is compiled from its Python source
(``py_func``) for the GPU: the dispatch rules exist once.  See :mod:`gpdc.kernels.cuda` for
the layout and the numbers.
"""

from __future__ import annotations

from typing import Any

from numba import cuda

from gpdc.kernels import step as _step
from gpdc.kernels.layout import N_ROWS
from gpdc.kernels.step import CACHE

__all__ = ["KERNELS", "SIGNATURE", "compile_ptx", "device", "run_design"]


def device(fn: Any) -> Any:
    """``fn`` (an njit function of :mod:`gpdc.kernels.step`) compiled again as a CUDA device function."""
    return cuda.jit(device=True, inline="always")(fn.py_func)


step_d = device(_step.step_nb)
accumulate_d = device(_step.accumulate_nb)
close_month_d = device(_step.close_month_nb)
load_params_d = device(_step.load_params_nb)
derive_lane_d = device(_step.derive_lane_nb)
plan_day_d = device(_step.plan_day_nb)
write_totals_d = device(_step.write_totals_nb)


@cuda.jit(device=True, inline="always")
def run_design(g, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly,  # type: ignore[no-untyped-def]
               dt, params, cw_tot, cs_tot, day, hmax, stride, buf, scratch, levels_all, out, green_only, flex, la):
    """Dispatch design ``g`` over every step into ``out[g]``, as :func:`gpdc.kernels.cpu._run_single_nb`.

    ``green_only``, ``flex`` and ``la`` are constants at each kernel's call (inlined): the
    switches of the CPU driver's blocks.
    """
    n_hours = cf_wind.shape[0]
    b = buf[g:]  # row ROW of this design at b[ROW * stride]: a warp reads a row in one transaction
    for k in range(N_ROWS):
        b[k * stride] = 0.0
    load_params_d(b, 0, stride, params, g, dt)
    derive_lane_d(b, 0, stride, cw_tot, cs_tot)
    ring = day + hmax  # the lookahead's scratch, strided as the block (see gpdc.kernels.cuda.scratch_rows)
    fl = scratch[g:]
    ring_d = scratch[day * stride + g:]
    ring_c = scratch[(day + ring) * stride + g:]
    dd = scratch[(day + 2 * ring) * stride + g:]
    dc = scratch[(day + 2 * ring + hmax) * stride + g:]
    r = scratch[(day + 2 * ring + 2 * hmax) * stride + g:]
    lane = scratch[(day + 2 * ring + 2 * hmax + 1) * stride + g:]
    levels = levels_all[g * day:(g + 1) * day] if la else levels_all
    t0 = 0
    done = 0
    cw = 0.0
    cs = 0.0
    for t in range(n_hours):
        cw += cf_wind[t] * dt
        cs += cf_solar[t] * dt
        floor = 0.0
        if la:
            if t % day == 0:
                t0 = t
                done = plan_day_d(b, stride, 1, t0, day, hmax, done, cf_wind, cf_solar, load_mw, price_import,
                                  dt, fl, ring_d, ring_c, dd, dc, r, levels, lane)
            floor = fl[(t - t0) * stride]
        flows = step_d(b, 0, stride, cf_wind[t], cf_solar[t], load_mw[t], price_import[t], dt, cw, cs,
                       green_only, flex, hourly[t], la, floor, -1, -1)  # general export cap (either rule)
        accumulate_d(b, 0, stride, flows, price_import[t], price_export[t], factor[t], green_only, flex, True)
        m = month_index[t]
        if t + 1 == n_hours or month_index[t + 1] != m:
            close_month_d(b, 0, stride, m)
    write_totals_d(b, 0, stride, dt, out[g])


# The kernel variants: the CPU driver's five kinds of block.  Arguments: the shared hourly inputs
# (as gpdc.kernels.cpu.dispatch_batch_nb), dt, params float64[N_PARAMS, n], cw_tot / cs_tot (the
# sums of cf x dt over all steps), day and hmax (steps of a planning day and of the longest
# horizon), stride (n rounded up to a warp), buf float64[N_ROWS x stride], the lookahead's scratch
# and levels (one element each without it) and out float64[n, N_TOTALS].


@cuda.jit(cache=CACHE)
def green_first_cuda(cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly,  # type: ignore[no-untyped-def]
                     dt, params, cw_tot, cs_tot, day, hmax, stride, buf, scratch, levels_all, out):
    """Designs without grid charging, flexible elements or the lookahead."""
    g = cuda.grid(1)
    if g < params.shape[1]:
        run_design(g, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly, dt,
                   params, cw_tot, cs_tot, day, hmax, stride, buf, scratch, levels_all, out, True, False, False)


@cuda.jit(cache=CACHE)
def grid_pools_cuda(cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly,  # type: ignore[no-untyped-def]
                    dt, params, cw_tot, cs_tot, day, hmax, stride, buf, scratch, levels_all, out):
    """Designs with a grid pool (grid charging or initial grid energy)."""
    g = cuda.grid(1)
    if g < params.shape[1]:
        run_design(g, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly, dt,
                   params, cw_tot, cs_tot, day, hmax, stride, buf, scratch, levels_all, out, False, False, False)


@cuda.jit(cache=CACHE)
def lookahead_cuda(cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly,  # type: ignore[no-untyped-def]
                   dt, params, cw_tot, cs_tot, day, hmax, stride, buf, scratch, levels_all, out):
    """Designs with the lookahead and no grid pool."""
    g = cuda.grid(1)
    if g < params.shape[1]:
        run_design(g, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly, dt,
                   params, cw_tot, cs_tot, day, hmax, stride, buf, scratch, levels_all, out, True, False, True)


@cuda.jit(cache=CACHE)
def lookahead_grid_pools_cuda(cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index,  # type: ignore[no-untyped-def]
                              hourly, dt, params, cw_tot, cs_tot, day, hmax, stride, buf, scratch, levels_all, out):
    """Designs with the lookahead and a grid pool."""
    g = cuda.grid(1)
    if g < params.shape[1]:
        run_design(g, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly, dt,
                   params, cw_tot, cs_tot, day, hmax, stride, buf, scratch, levels_all, out, False, False, True)


@cuda.jit(cache=CACHE)
def flexible_cuda(cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly,  # type: ignore[no-untyped-def]
                  dt, params, cw_tot, cs_tot, day, hmax, stride, buf, scratch, levels_all, out):
    """Designs with flexible elements (grid pools on, no lookahead: a scenario refuses both)."""
    g = cuda.grid(1)
    if g < params.shape[1]:
        run_design(g, cf_wind, cf_solar, load_mw, price_import, price_export, factor, month_index, hourly, dt,
                   params, cw_tot, cs_tot, day, hmax, stride, buf, scratch, levels_all, out, False, True, False)


#: the kernel of each (green_only, flex, la) group of :func:`gpdc.kernels.cuda.group_designs`
KERNELS: dict[tuple[bool, bool, bool], Any] = {
    (True, False, False): green_first_cuda,
    (False, False, False): grid_pools_cuda,
    (True, False, True): lookahead_cuda,
    (False, False, True): lookahead_grid_pools_cuda,
    (False, True, False): flexible_cuda,
}


#: the kernel's argument types, as :func:`gpdc.kernels.cuda.batch_totals` passes them
SIGNATURE = ("void(float64[::1], float64[::1], float64[::1], float64[::1], float64[::1], float64[::1], int64[::1], "
             "float64[:, ::1], float64, float64[:, ::1], float64, float64, int64, int64, int64, float64[::1], "
             "float64[::1], float64[::1], float64[:, ::1])")


def compile_ptx(green_only: bool, flex: bool, la: bool, cc: tuple[int, int] = (9, 0)) -> str:
    """The PTX of a kernel variant for compute capability ``cc``: compiles with NVVM, needs no GPU."""
    ptx, _ = cuda.compile_ptx(KERNELS[(green_only, flex, la)].py_func, SIGNATURE, cc=cc)
    return str(ptx)
