"""The synthetic resource is calibrated on a reference plant; the scenario's plant runs on it.

And ensemble members vary around the target with the documented inter-annual variability.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import gpdc
from gpdc.profiles import ProfileSet, PVSystem, WindPlant, interannual_factors, synthetic_profiles
from gpdc.profiles import _resource as resource_cache
from gpdc.profiles.calibrate import default
from gpdc.profiles.solar import REL_TOL_SOLAR, reference_pv
from gpdc.profiles.wind import reference_wind_plant
from gpdc.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[1]
HOHHOT: dict[str, object] = dict(year=2025, timezone="Asia/Shanghai", latitude_deg=40.8, longitude_deg=111.7,
                                 elevation_m=1050.0, wind_full_load_hours_h=2600.0, solar_full_load_hours_h=1600.0,
                                 load_archetype="flat", load_annual_mwh=8760.0, seed=21)


def make(**over: object) -> ProfileSet:
    return synthetic_profiles(**{**HOHHOT, **over})  # type: ignore[arg-type]


def test_reference_plants_are_the_default_plants_and_hit_the_target() -> None:
    assert PVSystem().filled(40.8) == reference_pv(40.8)
    ref_pv = reference_pv(40.8)
    assert (ref_pv.tracking, ref_pv.tilt_deg, ref_pv.azimuth_deg, ref_pv.dc_ac_ratio, ref_pv.losses_frac) == (
        "fixed", 40.8, 180.0, 1.2, 0.14)
    ref_w = reference_wind_plant(2.0)
    assert WindPlant(weibull_k=2.0).filled() == ref_w
    assert (ref_w.turbine, ref_w.hub_height_m, ref_w.losses_frac) == ("GE130/3200", 120.0, 0.12)
    p = make()
    assert p.cf_wind.sum() == pytest.approx(2600.0, rel=1e-6)
    assert p.cf_solar.sum() == pytest.approx(1600.0, rel=REL_TOL_SOLAR)
    # the same plant spelled out explicitly is the reference too
    q = make(pv=PVSystem(tracking="fixed", tilt_deg=40.8, azimuth_deg=180.0, dc_ac_ratio=1.2, losses_frac=0.14),
             wind=WindPlant(turbine="GE130/3200", hub_height_m=120.0, losses_frac=0.12))
    assert q.cf_solar.tobytes() == p.cf_solar.tobytes() and q.cf_wind.tobytes() == p.cf_wind.tobytes()


def test_tracking_makes_more_than_fixed_tilt_on_the_same_weather() -> None:
    fixed, tracked = make(), make(pv=PVSystem(tracking="single_axis"))
    assert tracked.cf_solar.sum() > 1.02 * fixed.cf_solar.sum()
    assert tracked.cf_wind.tobytes() == fixed.cf_wind.tobytes()  # the wind is not touched
    # same clouds: the two series move together from day to day (seasons differ: tilt vs horizontal axis)
    days_f = fixed.cf_solar.reshape(-1, 24).sum(axis=1)
    days_t = tracked.cf_solar.reshape(-1, 24).sum(axis=1)
    assert np.corrcoef(days_f, days_t)[0, 1] > 0.85


def test_higher_dc_ac_ratio_more_energy_per_mw_ac_but_more_clipping() -> None:
    r12, r14 = make().cf_solar, make(pv=PVSystem(dc_ac_ratio=1.4)).cf_solar
    assert r14.sum() > 1.08 * r12.sum()  # more energy per MW AC
    assert r14.sum() / 1.4 < r12.sum() / 1.2  # less per MW DC: clipping
    at_cap_12, at_cap_14 = int((r12 >= 1.0 - 1e-9).sum()), int((r14 >= 1.0 - 1e-9).sum())
    assert at_cap_14 > at_cap_12 + 50  # many more hours at the inverter limit
    assert r14.max() == pytest.approx(1.0)


def test_wind_losses_scale_the_energy_exactly() -> None:
    lo, hi = make(wind=WindPlant(losses_frac=0.05)).cf_wind, make(wind=WindPlant(losses_frac=0.20)).cf_wind
    assert hi.sum() / lo.sum() == pytest.approx(0.80 / 0.95, rel=1e-12)
    assert make().cf_wind.sum() / lo.sum() == pytest.approx(0.88 / 0.95, rel=1e-12)


def test_higher_hub_more_wind_energy_by_shear() -> None:
    e = [make(wind=WindPlant(hub_height_m=h)).cf_wind.sum() for h in (80.0, 120.0, 160.0)]
    assert e[0] < e[1] < e[2]
    assert e[1] == pytest.approx(2600.0, rel=1e-6)
    # power law 1/7 from 120 to 160 m: speeds x1.042; energy gain several per cent, less than (1.042)^3
    assert 1.03 < e[2] / e[1] < 1.042 ** 3
    # the plant's shear law does the extrapolation: the log law (z0 0.03 m) raises it too
    e_log = make(wind=WindPlant(hub_height_m=160.0, shear_model="log")).cf_wind.sum()
    assert e_log > e[1]


def test_sweep_over_tracking_changes_gen_avail() -> None:
    base = load_scenario(ROOT / "scenarios" / "inner_mongolia_datacentre.toml")
    axes = {"solar.tracking": ["fixed", "single_axis"], "wind.losses_frac": [0.05, 0.2]}
    ds = gpdc.sweep(base, axes)  # type: ignore[operator]
    g = ds["gen_avail_mwh"]
    fixed = float(g.sel({"solar_tracking": "fixed", "wind_losses_frac": 0.05}))
    tracked = float(g.sel({"solar_tracking": "single_axis", "wind_losses_frac": 0.05}))
    lossy = float(g.sel({"solar_tracking": "fixed", "wind_losses_frac": 0.2}))
    assert tracked > fixed > lossy
    assert len(np.unique(np.round(g.values, 3))) == 4


def test_ensemble_members_vary_with_the_documented_variability() -> None:
    n = 20
    flh = np.array([[make(member=m).cf_wind.sum(), make(member=m).cf_solar.sum()] for m in range(n)])
    cv = flh.std(axis=0, ddof=1) / flh.mean(axis=0)
    cv_w, cv_s = default("interannual_cv_wind_energy"), default("interannual_cv_solar_energy")
    assert 0.5 * cv_w < cv[0] < 1.6 * cv_w  # wind: the CSV says 6 %
    assert 0.5 * cv_s < cv[1] < 1.6 * cv_s  # PV: 3 %
    assert flh[:, 0].mean() == pytest.approx(2600.0, rel=0.04)  # ensemble mean near the target
    assert flh[:, 1].mean() == pytest.approx(1600.0, rel=0.02)
    # each member: the reference plant makes the target times the member's factor
    f = np.array([interannual_factors(21, m) for m in range(n)])
    assert np.allclose(flh[:, 0], 2600.0 * f[:, 0], rtol=1e-6)
    assert np.allclose(flh[:, 1], 1600.0 * f[:, 1], rtol=REL_TOL_SOLAR)
    # the factors are lognormal with mean 1: a large sample of them says so
    big = np.array([interannual_factors(3, m) for m in range(4000)])
    assert big.mean(axis=0) == pytest.approx([1.0, 1.0], abs=0.004)
    assert big.std(axis=0) == pytest.approx([cv_w, cv_s], rel=0.06)
    assert interannual_factors(21) == (1.0, 1.0)  # a single year is the typical year


def test_members_bit_identical_per_seed_without_the_cache() -> None:
    a = make(member=3, pv=PVSystem(tracking="single_axis"), wind=WindPlant(hub_height_m=150.0))
    resource_cache.cache_clear()
    b = make(member=3, pv=PVSystem(tracking="single_axis"), wind=WindPlant(hub_height_m=150.0))
    assert a.cf_wind.tobytes() == b.cf_wind.tobytes() and a.cf_solar.tobytes() == b.cf_solar.tobytes()
    assert make(member=3, seed=22).cf_wind.sum() != pytest.approx(a.cf_wind.sum(), rel=1e-9)
