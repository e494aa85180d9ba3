"""The pipeline: a scenario becomes checked kernel inputs once, at the boundary; the kernel calls are serialised."""

from __future__ import annotations

import numpy as np
import pytest

from gpdc import pipeline
from gpdc.errors import InputError, ProfileError
from gpdc.kernels import layout as L
from gpdc.kernels.spec import N_TOTALS, totals_dict
from gpdc.scenario.load import load_scenario

from .conftest import ALUMINIUM, DATACENTRE

H = 24


def good() -> dict[str, np.ndarray]:
    p = np.zeros(L.N_PARAMS)
    p[L.P_ETA_CHARGE] = p[L.P_ETA_DISCHARGE] = 1.0
    p[L.P_GRID_CHARGE_PRICE] = -np.inf
    return {"cf_wind": np.full(H, 0.3), "cf_solar": np.full(H, 0.2), "load_mw": np.full(H, 5.0),
            "price_import": np.full(H, 400.0), "price_export": np.full(H, 250.0), "params": p}


def test_good_inputs_are_packed_contiguous_float64() -> None:
    inputs = pipeline.make_inputs(**good())
    assert inputs.n_hours == H and inputs.n_scen == 1
    assert inputs.params.flags.c_contiguous and inputs.params.shape == (L.N_PARAMS, 1)
    assert pipeline.run_totals(inputs).shape == (1, N_TOTALS)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cf_wind", np.full(H, 1.2), "cf_wind[0] = 1.2 is invalid: must be finite and within [0.0, 1.0]"),
        ("cf_solar", np.r_[np.zeros(5), np.nan, np.zeros(H - 6)], "cf_solar[5] = nan is invalid"),
        ("load_mw", np.full(H, -1.0), "load_mw[0] = -1.0 is invalid"),
        ("price_import", np.full(H - 1, 400.0), "price_import has shape (23,); expected (24,)"),
    ],
)
def test_bad_profiles(field: str, value: np.ndarray, message: str) -> None:
    args = good()
    args[field] = value
    with pytest.raises(ProfileError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        pipeline.make_inputs(**args)


def test_bad_params_and_step() -> None:
    args = good()
    args["params"] = np.zeros(5)
    n = L.N_PARAMS  # the parameter rows of the kernel specification
    with pytest.raises(InputError, match=rf"params has shape \(5, 1\); expected \({n},\) or \({n}, n_scen\)"):
        pipeline.make_inputs(**args)
    args = good()
    args["params"][L.P_WIND_MW] = np.nan
    with pytest.raises(InputError, match="parameter wind_mw of design 0 is nan: must be finite"):
        pipeline.make_inputs(**args)
    with pytest.raises(InputError, match=r"dt_h = 0.0 is invalid: must be a finite number > 0 \[h\]"):
        pipeline.make_inputs(**good(), dt_h=0.0)
    # a negative import capacity or peak-shaving target would let a step with a green surplus discharge too,
    # which the kernels' step rules out (gpdc.kernels.step): refused, by name
    for row, name in ((L.P_IMPORT_MW, "import_mw"), (L.P_IMPORT_TARGET_MW, "import_target_mw")):
        args = good()
        args["params"][row] = -1.0
        with pytest.raises(InputError, match=rf"parameter {name} of design 0 is -1.0: must be >= 0 \("):
            pipeline.make_inputs(**args)
    empty = {k: (v[:0] if k != "params" else v) for k, v in good().items()}
    with pytest.raises(ProfileError, match="profiles are empty"):
        pipeline.make_inputs(**empty)


def test_prepare_builds_the_inputs_every_design_of_a_scenario_shares() -> None:
    sc = load_scenario(DATACENTRE)
    prepared = pipeline.prepare(sc)
    inputs = prepared.inputs
    assert inputs.n_hours == 8760 and inputs.n_scen == 1 and inputs.dt_h == 1.0
    np.testing.assert_array_equal(inputs.load_mw, prepared.profiles.load_mw)
    np.testing.assert_array_equal(inputs.params[:, 0], pipeline.design_params(pipeline.Design(prepared.resolved))[:, 0])
    # billing months on Beijing time: January is 744 h, and a full year weighs every month 1
    assert (inputs.month_index == 0).sum() == 744 and inputs.month_index[-1] == 11
    np.testing.assert_allclose(inputs.month_weight, np.ones(12))
    assert not inputs.factor.any() and prepared.hourly_factors is None  # no hourly factor file
    assert len(prepared.digest) == 64 and pipeline.prepare(sc).digest == prepared.digest


def test_synthetic_weather_members_keep_the_scenario_year() -> None:
    sc = load_scenario(ALUMINIUM, overrides={"profiles.ensemble_size": 2})
    assert pipeline.weather_years(sc) == [0, 1]
    assert pipeline.member_scenario(sc, 1) is sc  # synthetic members keep the scenario's year


def test_design_columns_vary_only_column_fields_and_keep_their_length() -> None:
    resolved = pipeline.prepare(load_scenario(DATACENTRE)).resolved
    d = pipeline.Design(resolved, {"storage.energy_mwh": np.array([0.0, 100.0, 400.0])})
    p = pipeline.design_params(d)
    assert p.shape == (L.N_PARAMS, 3)
    np.testing.assert_allclose(p[L.P_USABLE_MWH], [0.0, 90.0, 360.0])  # soc window 0.05-0.95
    np.testing.assert_array_equal(p[L.P_WIND_MW], [250.0] * 3)  # the scenario's own value, repeated
    with pytest.raises(InputError, match=r"fields \['site.latitude_deg'\] cannot vary within a batch"):
        pipeline.Design(resolved, {"site.latitude_deg": np.array([40.0])})
    with pytest.raises(InputError, match="design columns differ in length"):
        pipeline.Design(resolved, {"wind.capacity_mw": np.zeros(2), "solar.capacity_mw": np.zeros(3)})


def test_lifetime_params_degrade_pv_and_battery_and_renew_at_replacement() -> None:
    p = np.zeros((L.N_PARAMS, 1))
    p[L.P_SOLAR_MW], p[L.P_USABLE_MWH], p[L.P_WIND_MW] = 100.0, 200.0, 50.0
    out = pipeline.lifetime_params(p, 5, np.array([0.01]), np.array([0.1]), np.array([3.0]))
    assert out.shape == (L.N_PARAMS, 5)
    assert out[L.P_SOLAR_MW].tolist() == pytest.approx([100.0 * 0.99**k for k in range(5)])
    # the battery fades 10 %/a and is new again in year 4 (replaced after 3 years)
    assert out[L.P_USABLE_MWH].tolist() == pytest.approx([200.0, 180.0, 162.0, 200.0, 180.0])
    assert (out[L.P_WIND_MW] == 50.0).all() and np.array_equal(out[:, 0], p[:, 0])


def test_monthly_peaks_come_from_the_kernel_for_every_design() -> None:
    # demand billing needs each design's maximum import in every billing month: the batch kernel keeps them,
    # equal to the maximum of the design's hourly import trace in each month
    prepared = pipeline.prepare(load_scenario(DATACENTRE, overrides={"tariff.basic_charge_basis": "demand"}))
    d = pipeline.Design(prepared.resolved, {"storage.energy_mwh": np.array([0.0, 240.0, 600.0])})
    inputs = prepared.inputs.with_params(pipeline.design_params(d))
    peaks = totals_dict(pipeline.run_totals(inputs))["peak_import_month_mw"]
    for s in range(3):
        imp = pipeline.run_trace(inputs, s)[1][:, L.TRACE_NAMES.index("import_mwh")]
        for m in range(12):
            assert peaks[s, m] == imp[inputs.month_index == m].max()


def test_kernel_calls_from_many_threads_are_serialised() -> None:
    # numba's workqueue layer aborts when two threads enter parallel code: every call holds one lock
    from concurrent.futures import ThreadPoolExecutor

    inputs = pipeline.make_inputs(**good())
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: pipeline.run_totals(inputs), range(8)))
    for r in results:
        np.testing.assert_array_equal(r, results[0])


def test_tou_periods_follow_beijing_time_whatever_the_site_zone() -> None:
    from gpdc.profiles import ProfileSet, hourly_index

    r = pipeline.prepare(load_scenario(ALUMINIUM)).resolved
    shanghai = ProfileSet(hourly_index(2025, "Asia/Shanghai"), np.zeros(8760), np.zeros(8760), np.ones(8760))
    urumqi = ProfileSet(shanghai.time.tz_convert("Asia/Urumqi"), np.zeros(8760), np.zeros(8760), np.ones(8760))
    a, _ = pipeline.hourly_prices(r, shanghai)
    b, _ = pipeline.hourly_prices(r, urumqi)
    np.testing.assert_array_equal(a, b)  # the same instants get the same tariff band
    # Xinjiang valley 13-17 Beijing time, peak 19-24 (新发改规〔2023〕11号)
    hour = shanghai.time.hour.to_numpy()
    assert a[hour == 14].max() < a[hour == 20].min()
