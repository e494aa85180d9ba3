"""Synthetic profiles and the profile CSV reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gpdc.errors import ProfileError
from gpdc.profiles import hourly_index, read_profile_csv, synthetic_profiles
from gpdc.profiles.load import ARCHETYPES, load_profile
from gpdc.profiles.wind import generic_power_curve, rated_speed

SITES = {  # name: (lat, lon, elevation, wind FLH, PV FLH, expected PV peak hour in Beijing time)
    "hohhot": (40.8, 111.7, 1050.0, 2600.0, 1600.0, (12, 13)),
    "hami": (42.8, 93.5, 740.0, 2400.0, 1700.0, (13, 14)),
}


def make(site: str, seed: int = 1, archetype: str = "data_centre") -> object:
    lat, lon, elev, fw, fs, _ = SITES[site]
    return synthetic_profiles(year=2025, timezone="Asia/Shanghai", latitude_deg=lat, longitude_deg=lon,
                              elevation_m=elev, wind_full_load_hours_h=fw, solar_full_load_hours_h=fs,
                              load_archetype=archetype, load_annual_mwh=100_000.0, seed=seed)


@pytest.mark.parametrize("site", sorted(SITES))
def test_generators_hit_full_load_hours_and_stay_physical(site: str) -> None:
    p = make(site)
    _, _, _, fw, fs, peak = SITES[site]
    assert p.cf_wind.sum() == pytest.approx(fw, rel=1e-6)
    assert p.cf_solar.sum() == pytest.approx(fs, rel=1e-6)
    for cf in (p.cf_wind, p.cf_solar):
        assert cf.min() >= 0.0 and cf.max() <= 1.0
        assert cf.dtype == np.float64 and cf.flags.c_contiguous
    # PV is zero at night and peaks near local solar noon (Beijing time is east of most sites)
    diurnal = p.cf_solar.reshape(-1, 24).mean(axis=0)
    assert diurnal[0:5].max() == 0.0 and diurnal[23] == 0.0
    assert peak[0] <= int(diurnal.argmax()) <= peak[1]
    # wind persists hour to hour and blows harder in the windy season (Sep-May) than Jun-Aug
    lag1 = np.corrcoef(p.cf_wind[:-1], p.cf_wind[1:])[0, 1]
    assert 0.8 <= lag1 <= 0.97
    month = p.time.month.to_numpy()
    calm = (month >= 6) & (month <= 8)
    assert p.cf_wind[~calm].mean() > p.cf_wind[calm].mean()
    assert p.load_mw.sum() == pytest.approx(100_000.0, rel=1e-12)


def test_seeded_and_deterministic() -> None:
    a, b, c = make("hohhot", 5), make("hohhot", 5), make("hohhot", 6)
    for name in ("cf_wind", "cf_solar", "load_mw"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert not np.array_equal(getattr(a, name), getattr(c, name))


def test_leap_year_and_index() -> None:
    idx = hourly_index(2024)
    assert len(idx) == 8784
    assert str(idx.tz) == "Asia/Shanghai"
    assert idx[0] == pd.Timestamp("2024-01-01 00:00", tz="Asia/Shanghai")


def test_unreachable_full_load_hours_is_a_clear_error() -> None:
    with pytest.raises(ProfileError, match="solar: 4500.0 full-load hours cannot be reached; the most"):
        synthetic_profiles(year=2025, timezone="Asia/Shanghai", latitude_deg=40.0, longitude_deg=110.0,
                           elevation_m=0.0, wind_full_load_hours_h=2000, solar_full_load_hours_h=4500,
                           load_archetype="flat", load_peak_mw=10.0, seed=0)


def test_power_curve_shape() -> None:
    v_r = rated_speed(250.0, 1.1, 0.45)
    assert v_r == pytest.approx((500.0 / 0.495) ** (1 / 3))
    out = generic_power_curve(np.array([0.0, 2.9, v_r, 15.0, 25.0, 25.1]), 250.0, 1.1, 0.45, 3.0, 25.0)
    np.testing.assert_allclose(out, [0.0, 0.0, 1.0, 1.0, 1.0, 0.0])
    mid = generic_power_curve(np.array([6.0]), 250.0, 1.1, 0.45, 3.0, 25.0)[0]
    assert mid == pytest.approx((6.0**3 - 27.0) / (v_r**3 - 27.0))


@pytest.mark.parametrize("archetype", sorted(ARCHETYPES))
def test_archetypes_scale_exactly(archetype: str) -> None:
    idx = hourly_index(2025)
    rng = np.random.default_rng(0)
    by_energy = load_profile(archetype, idx, rng, annual_mwh=50_000.0)
    assert by_energy.sum() == pytest.approx(50_000.0, rel=1e-12)
    by_peak = load_profile(archetype, idx, np.random.default_rng(0), peak_mw=12.0)
    assert by_peak.max() == pytest.approx(12.0, rel=1e-12)
    assert by_peak.min() >= 0.0


def test_archetype_shapes() -> None:
    idx = hourly_index(2025)
    hour = idx.hour.to_numpy()
    cement = load_profile("cement", idx, np.random.default_rng(1), annual_mwh=1e5)
    assert cement[hour < 6].mean() > 1.2 * cement[(hour >= 18) & (hour < 22)].mean()
    alu = load_profile("electrolytic_aluminium", idx, np.random.default_rng(1), annual_mwh=1e5)
    assert alu.mean() / alu.max() > 0.95  # load factor
    dc = load_profile("data_centre", idx, np.random.default_rng(1), annual_mwh=1e5)
    month = idx.month.to_numpy()
    assert dc[(month >= 6) & (month <= 8)].mean() > dc[(month <= 2) | (month == 12)].mean()
    fac = load_profile("three_shift_factory", idx, np.random.default_rng(1), annual_mwh=1e5)
    weekend = idx.day_of_week.to_numpy() >= 5
    assert fac[weekend].mean() < 0.7 * fac[~weekend].mean()
    with pytest.raises(ProfileError, match="unknown load archetype 'bakery'; valid: cement"):
        load_profile("bakery", idx, np.random.default_rng(1), annual_mwh=1.0)
    with pytest.raises(ProfileError, match="exactly one of annual_mwh or peak_mw"):
        load_profile("flat", idx, np.random.default_rng(1))


def write_csv(path: Path, n: int = 8760, **edit: tuple[int, str, str]) -> Path:
    idx = hourly_index(2025)[:n].tz_localize(None)
    df = pd.DataFrame({"time": idx.strftime("%Y-%m-%d %H:%M"), "cf_wind": "0.3", "cf_solar": "0.2", "load_mw": "50"})
    for _, (row, col, value) in edit.items():
        df.loc[row, col] = value
    df.to_csv(path, index=False)
    return path


def test_csv_reader_reads_a_good_file(tmp_path: Path) -> None:
    p = read_profile_csv(write_csv(tmp_path / "ok.csv"))
    assert len(p.time) == 8760 and p.cf_wind.sum() == pytest.approx(0.3 * 8760)
    assert str(p.time.tz) == "Asia/Shanghai"
    assert "ok.csv" in p.sources["load_mw"]


@pytest.mark.parametrize(
    ("edit", "n", "message"),
    [
        ({"e": (4, "cf_wind", "nan")}, 8760, "column cf_wind, line 6: 'nan' is not a finite number"),
        ({"e": (9, "load_mw", "")}, 8760, "column load_mw, line 11: '' is not a finite number"),
        ({"e": (2, "load_mw", "-3")}, 8760, "column load_mw, line 4: -3.0 is negative"),
        ({"e": (7, "cf_solar", "1.5")}, 8760, "column cf_solar, line 9: 1.5 is above 1"),
        ({"e": (3, "time", "yesterday")}, 8760, "column time, line 5: cannot read 'yesterday' as a date-time"),
        ({"e": (3, "time", "2025-01-01 01:00")}, 8760, "column time, line 5: '2025-01-01 01:00' does not come after"),
        ({}, 8000, "8000 data rows; year 2025 needs 8760 hourly rows"),
    ],
)
def test_csv_reader_errors_name_file_line_and_value(tmp_path: Path, edit: dict, n: int, message: str) -> None:
    path = write_csv(tmp_path / "bad.csv", n, **edit)
    with pytest.raises(ProfileError) as info:
        read_profile_csv(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_csv_reader_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    pd.DataFrame({"time": ["2025-01-01 00:00"], "cf_wind": [0.1]}).to_csv(path, index=False)
    with pytest.raises(ProfileError, match=r"missing column\(s\) cf_solar, load_mw; found: time, cf_wind"):
        read_profile_csv(path)
    with pytest.raises(ProfileError, match="file not found"):
        read_profile_csv(tmp_path / "none.csv")
