"""Hourly profiles: synthetic wind/PV/load generators and the profile CSV reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import pytest

from gpdc.errors import DataTableError, ProfileError
from gpdc.profiles import ARCHETYPES, ProfileSet, hourly_index, read_profile_csv, synthetic_profiles
from gpdc.profiles.calibrate import ar1_normal, default, defaults_table
from gpdc.profiles.load import load_profile, non_working_days
from gpdc.profiles.solar import REL_TOL_SOLAR, PVSystem, synthetic_solar
from gpdc.profiles.wind import WindPlant, synthetic_wind
from gpdc.scenario.tables import CONFIDENCE_LEVELS

# name: (lat, lon, elevation, wind h, solar h, solar noon in Beijing time [h] from
# tariffs-resources-loads.md §6, hour-beginning stamps whose hour may hold the PV peak)
SITES = {
    "hohhot": (40.8, 111.7, 1050.0, 2600.0, 1600.0, 12.0 + 33 / 60, {12, 13}),
    "hami": (42.8, 93.5, 740.0, 2400.0, 1700.0, 13.0 + 46 / 60, {13, 14}),
}
SEED = 2025


def make(site: str, *, seed: int = SEED, year: int = 2025, **over: object) -> ProfileSet:
    lat, lon, elev, wind_h, solar_h, _, _ = SITES[site]
    kw: dict[str, object] = dict(
        year=year,
        timezone="Asia/Shanghai",
        latitude_deg=lat,
        longitude_deg=lon,
        elevation_m=elev,
        wind_full_load_hours_h=wind_h,
        solar_full_load_hours_h=solar_h,
        load_archetype="data_centre",
        load_annual_mwh=760_000.0,
        seed=seed,
    )
    kw.update(over)
    return synthetic_profiles(**kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=sorted(SITES))
def site(request: pytest.FixtureRequest) -> tuple[str, ProfileSet]:
    return request.param, make(request.param)


# --------------------------------------------------------------------------- generators


def test_full_load_hours_hit_exactly(site: tuple[str, ProfileSet]) -> None:
    name, p = site
    _, _, _, wind_h, solar_h, _, _ = SITES[name]
    assert abs(p.cf_wind.sum() - wind_h) <= 1e-6 * wind_h
    assert abs(p.cf_solar.sum() - solar_h) <= REL_TOL_SOLAR * solar_h
    assert p.load_mw.sum() == pytest.approx(760_000.0, rel=1e-12)


def test_arrays_are_float64_contiguous_and_in_range(site: tuple[str, ProfileSet]) -> None:
    _, p = site
    assert len(p.time) == 8760
    assert str(p.time.tz) == "Asia/Shanghai"
    for arr in (p.cf_wind, p.cf_solar, p.load_mw):
        assert arr.dtype == np.float64
        assert arr.flags.c_contiguous
        assert arr.shape == (8760,)
        assert np.all(np.isfinite(arr))
    for cf in (p.cf_wind, p.cf_solar):
        assert cf.min() >= 0.0
        assert cf.max() <= 1.0
    assert p.load_mw.min() > 0.0
    assert set(p.sources) == {"cf_wind", "cf_solar", "load_mw"}
    assert all(f"seed {SEED}" in s for s in p.sources.values())


def test_solar_is_exactly_zero_at_night(site: tuple[str, ProfileSet]) -> None:
    name, p = site
    lat, lon, elev = SITES[name][:3]
    pos = pvlib.solarposition.get_solarposition(p.time + pd.Timedelta(minutes=30), lat, lon, altitude=elev)
    night = pos["apparent_elevation"].to_numpy() < 0.0
    assert night.sum() > 3000
    assert np.all(p.cf_solar[night] == 0.0)
    assert np.all(p.cf_solar[p.time.hour.isin([0, 1, 2, 3, 23])] == 0.0)
    assert (p.cf_solar > 0).sum() > 3500  # the day hours do produce


def test_solar_peaks_at_local_solar_noon(site: tuple[str, ProfileSet]) -> None:
    name, p = site
    noon, peak_hours = SITES[name][5], SITES[name][6]
    diurnal = pd.Series(p.cf_solar).groupby(p.time.hour.to_numpy()).mean().to_numpy()
    assert int(np.argmax(diurnal)) in peak_hours
    # south-facing plane: the output is symmetric about solar noon (mid-hour stamps)
    centroid = float(np.sum((np.arange(24) + 0.5) * diurnal) / diurnal.sum())
    assert centroid == pytest.approx(noon, abs=0.25)


def test_hami_peaks_later_than_hohhot() -> None:
    peaks = {}
    for name in SITES:
        p = make(name)
        d = pd.Series(p.cf_solar).groupby(p.time.hour.to_numpy()).mean().to_numpy()
        peaks[name] = float(np.sum((np.arange(24) + 0.5) * d) / d.sum())
    assert peaks["hami"] - peaks["hohhot"] == pytest.approx((111.7 - 93.5) / 15.0, abs=0.1)


def test_wind_persistence(site: tuple[str, ProfileSet]) -> None:
    # targets: hour-to-hour 0.85-0.97 and day-scale (lag 24 h) 0.3-0.55, as at inland
    # hub-height sites (synoptic systems of 2-4 days); the previous single AR(1) gave 0.08
    _, p = site
    r1 = np.corrcoef(p.cf_wind[:-1], p.cf_wind[1:])[0, 1]
    r24 = np.corrcoef(p.cf_wind[:-24], p.cf_wind[24:])[0, 1]
    assert 0.85 < r1 < 0.97
    assert 0.3 < r24 < 0.55


def test_wind_windy_season_beats_calm_season(site: tuple[str, ProfileSet]) -> None:
    _, p = site
    calm = p.time.month.isin([6, 7, 8])
    assert p.cf_wind[~calm].mean() > p.cf_wind[calm].mean() * 1.1


def test_same_seed_bit_identical_other_seed_differs() -> None:
    a, b, c = make("hohhot"), make("hohhot"), make("hohhot", seed=SEED + 1)
    for name in ("cf_wind", "cf_solar", "load_mw"):
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes()
        assert not np.array_equal(getattr(a, name), getattr(c, name))
    assert a.sources == b.sources


def test_streams_are_independent() -> None:
    a = make("hohhot")
    b = make("hohhot", wind_full_load_hours_h=2200.0, load_archetype="cement")
    assert np.array_equal(a.cf_solar, b.cf_solar)
    c = make("hohhot", solar_full_load_hours_h=1400.0)
    assert np.array_equal(a.cf_wind, c.cf_wind)
    assert np.array_equal(a.load_mw, c.load_mw)


def test_leap_year_has_8784_hours() -> None:
    p = make("hami", year=2024)
    assert len(p.time) == 8784 == p.cf_wind.size == p.cf_solar.size == p.load_mw.size
    assert p.cf_wind.sum() == pytest.approx(2400.0, rel=1e-6)
    assert p.cf_solar.sum() == pytest.approx(1700.0, rel=REL_TOL_SOLAR)
    assert p.time[-1] == pd.Timestamp("2024-12-31 23:00", tz="Asia/Shanghai")


def test_hourly_index() -> None:
    idx = hourly_index(2025)
    assert len(idx) == 8760
    assert len(hourly_index(2024)) == 8784
    assert idx[0] == pd.Timestamp("2025-01-01 00:00", tz="Asia/Shanghai")
    assert np.all(np.diff(idx.as_unit("ns").asi8) == 3_600_000_000_000)
    with pytest.raises(ProfileError, match="daylight saving"):
        hourly_index(2025, "Europe/Berlin")
    with pytest.raises(ProfileError, match="daylight saving"):
        hourly_index(1988)  # China observed DST 1986-1991


def test_unreachable_targets_name_target_and_maximum() -> None:
    idx = hourly_index(2025)
    temp = np.full(8760, 10.0)
    with pytest.raises(
        ProfileError, match=r"solar: 5000\.0 full-load hours cannot be reached; the most .* is \d{4}\.\d h"
    ):
        synthetic_solar(idx, 40.8, 111.7, 1050.0, 5000.0, np.random.default_rng(1), PVSystem(), temp)
    with pytest.raises(
        ProfileError, match=r"wind: 8500\.0 full-load hours cannot be reached; the most .* is about \d+"
    ):
        synthetic_wind(idx, 8500.0, np.random.default_rng(1), WindPlant(), elevation_m=0.0, mean_temp_air_c=10.0)
    with pytest.raises(ProfileError, match="must be > 0"):
        synthetic_wind(idx, -5.0, np.random.default_rng(1), WindPlant(), elevation_m=0.0, mean_temp_air_c=10.0)


def test_wind_plant_parameters_change_the_energy_resource_parameters_not() -> None:
    idx = hourly_index(2025)

    def run(plant: WindPlant) -> np.ndarray:
        return synthetic_wind(idx, 2500.0, np.random.default_rng(3), plant, elevation_m=1000.0,
                              mean_temp_air_c=8.0)[0]

    base = run(WindPlant())  # the reference plant: hits the target
    assert base.sum() == pytest.approx(2500.0, rel=1e-6)
    assert base.max() == pytest.approx(1.0 - default("wind_losses_frac"))  # losses cap the output
    k24 = run(WindPlant(weibull_k=2.4))  # a resource parameter: the reference plant still hits the target
    assert k24.sum() == pytest.approx(2500.0, rel=1e-6)
    assert not np.array_equal(base, k24)
    # a low-specific-power turbine with lower losses on the same weather makes more
    other = run(WindPlant(turbine="SWT142/3150", losses_frac=0.05))
    assert other.sum() > 1.1 * base.sum()
    with pytest.raises(ProfileError, match="weibull_k"):
        run(WindPlant(weibull_k=0.0))


def test_ar1_normal_statistics() -> None:
    z = ar1_normal(200_000, 0.9, np.random.default_rng(0))
    assert z.std() == pytest.approx(1.0, abs=0.03)
    assert np.corrcoef(z[:-1], z[1:])[0, 1] == pytest.approx(0.9, abs=0.01)
    with pytest.raises(ProfileError, match="AR"):
        ar1_normal(10, 1.0, np.random.default_rng(0))


# --------------------------------------------------------------------------- load


@pytest.mark.parametrize("archetype", sorted(ARCHETYPES))
def test_archetypes_hit_energy_and_peak_exactly(archetype: str) -> None:
    idx = hourly_index(2025)
    e = load_profile(archetype, idx, np.random.default_rng(1), annual_mwh=500_000.0)
    assert e.sum() == pytest.approx(500_000.0, rel=1e-12)
    pk = load_profile(archetype, idx, np.random.default_rng(1), peak_mw=80.0)
    assert pk.max() == 80.0
    assert pk.min() >= 0.0
    assert pk.dtype == np.float64
    assert pk.flags.c_contiguous
    # same shape either way
    assert np.allclose(e / e.sum(), pk / pk.sum(), rtol=1e-12)
    assert ARCHETYPES[archetype].__doc__


def test_cement_mills_run_at_night_not_in_the_evening_peak() -> None:
    idx = hourly_index(2025)
    load = load_profile("cement", idx, np.random.default_rng(2), annual_mwh=300_000.0)
    hour = idx.hour.to_numpy()
    night = load[hour < 6].mean()
    evening = load[(hour >= 18) & (hour < 22)].mean()
    assert night > 1.5 * evening
    assert load.min() > 0.4 * load.mean()  # the kiln never stops


def test_data_centre_is_near_flat_with_summer_cooling() -> None:
    idx = hourly_index(2025)
    load = load_profile("data_centre", idx, np.random.default_rng(2), annual_mwh=760_000.0)
    month = idx.month.to_numpy()
    assert load[np.isin(month, [6, 7, 8])].mean() > 1.05 * load[np.isin(month, [12, 1, 2])].mean()
    # free cooling about half the year: winter months flat around their mean
    winter = load[np.isin(month, [12, 1, 2])]
    assert winter.std() / winter.mean() < 0.05
    assert load.mean() / load.max() > 0.8


def test_aluminium_flat_and_factory_weekend() -> None:
    idx = hourly_index(2025)
    al = load_profile("electrolytic_aluminium", idx, np.random.default_rng(2), peak_mw=200.0)
    assert al.mean() / al.max() > 0.93
    fac = load_profile("three_shift_factory", idx, np.random.default_rng(2), annual_mwh=100_000.0)
    off = non_working_days(idx)
    assert fac[off].mean() == pytest.approx(default("factory_weekend_factor") * fac[~off].mean(), rel=0.02)
    flat = load_profile("flat", idx, np.random.default_rng(2), annual_mwh=8760.0)
    assert np.allclose(flat, 1.0, rtol=1e-14)


def test_load_errors() -> None:
    idx = hourly_index(2025)
    rng = np.random.default_rng(0)
    with pytest.raises(ProfileError, match="unknown load archetype 'steel'; valid: cement, data_centre"):
        load_profile("steel", idx, rng, annual_mwh=1.0)
    with pytest.raises(ProfileError, match="exactly one of annual_mwh or peak_mw"):
        load_profile("flat", idx, rng)
    with pytest.raises(ProfileError, match="exactly one of annual_mwh or peak_mw"):
        load_profile("flat", idx, rng, annual_mwh=1.0, peak_mw=1.0)
    with pytest.raises(ProfileError, match=r"peak_mw = -3\.0 is invalid"):
        load_profile("flat", idx, rng, peak_mw=-3.0)


# --------------------------------------------------------------------------- defaults table


def test_defaults_table_has_provenance() -> None:
    table = defaults_table()
    assert list(table.reset_index().columns) == ["name", "value", "unit", "source", "confidence", "note"]
    assert table.index.is_unique
    assert set(table["confidence"]) <= set(CONFIDENCE_LEVELS)
    assert (table["source"].str.len() > 0).all()
    assert np.all(np.isfinite(table["value"].astype(float)))
    with pytest.raises(DataTableError, match="unknown profile default 'nope'"):
        default("nope")


# --------------------------------------------------------------------------- CSV reader


def frame(year: int = 2025) -> pd.DataFrame:
    n = 8784 if year % 4 == 0 else 8760
    t = pd.date_range(f"{year}-01-01", periods=n, freq="h")
    hour = t.hour.to_numpy()
    return pd.DataFrame(
        {
            "time": t.strftime("%Y-%m-%d %H:%M"),
            "cf_wind": np.round(0.3 + 0.2 * np.sin(np.arange(n) / 10.0), 6).astype(str),
            "cf_solar": np.where((hour >= 8) & (hour < 18), "0.5", "0"),
            "load_mw": "100.5",
            "comment": "x",
        }
    )


def write(tmp_path: Path, df: pd.DataFrame, name: str = "p.csv") -> Path:
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def reader_error(tmp_path: Path, df: pd.DataFrame, **kw: object) -> str:
    path = write(tmp_path, df)
    with pytest.raises(ProfileError) as info:
        read_profile_csv(path, **kw)  # type: ignore[arg-type]
    msg = str(info.value)
    assert str(path) in msg
    return msg


def test_reader_round_trip(tmp_path: Path) -> None:
    df = frame()
    p = read_profile_csv(write(tmp_path, df), year=2025)
    assert len(p.time) == 8760
    assert str(p.time.tz) == "Asia/Shanghai"
    assert p.time[0] == pd.Timestamp("2025-01-01 00:00", tz="Asia/Shanghai")  # naive = Beijing time
    assert np.array_equal(p.cf_wind, df["cf_wind"].astype(float).to_numpy())
    assert p.cf_solar.sum() == 3650 * 0.5
    assert np.all(p.load_mw == 100.5)
    for arr in (p.cf_wind, p.cf_solar, p.load_mw):
        assert arr.dtype == np.float64
        assert arr.flags.c_contiguous
    assert "p.csv" in p.sources["load_mw"]
    assert "sha256" in p.sources["load_mw"]


def test_reader_generator_round_trip(tmp_path: Path) -> None:
    p = make("hami", load_archetype="cement")
    df = pd.DataFrame(
        {
            "time": p.time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "cf_wind": [repr(float(x)) for x in p.cf_wind],
            "cf_solar": [repr(float(x)) for x in p.cf_solar],
            "load_mw": [repr(float(x)) for x in p.load_mw],
        }
    )
    q = read_profile_csv(write(tmp_path, df))
    assert q.time.equals(p.time)
    assert np.array_equal(q.cf_wind, p.cf_wind)
    assert np.array_equal(q.cf_solar, p.cf_solar)
    assert np.array_equal(q.load_mw, p.load_mw)


def test_reader_accepts_utc_offsets_leap_year_and_trailing_blank_line(tmp_path: Path) -> None:
    df = frame(2024)
    df["time"] = (
        pd.date_range("2024-01-01", periods=8784, freq="h", tz="Asia/Shanghai")
        .tz_convert("UTC")
        .strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    df.loc[0, "time"] = "2024-01-01T00:00:00+08:00"
    path = write(tmp_path, df)
    path.write_text(path.read_text() + "\n\n")
    p = read_profile_csv(path)
    assert len(p.time) == 8784
    assert p.time[0] == pd.Timestamp("2024-01-01", tz="Asia/Shanghai")


def test_reader_rejects_offsets_mixed_with_naive_times(tmp_path: Path) -> None:
    df = frame()
    df["time"] = pd.date_range("2025-01-01", periods=8760, freq="h", tz="Asia/Shanghai").strftime("%Y-%m-%dT%H:%M%z")
    df.loc[3, "time"] = "2025-01-01 03:00"
    msg = reader_error(tmp_path, df)
    assert "column time, data row 4 (line 5): '2025-01-01 03:00' has no UTC offset" in msg


def test_reader_missing_column(tmp_path: Path) -> None:
    msg = reader_error(tmp_path, frame().drop(columns=["cf_solar"]))
    assert "missing column(s) cf_solar" in msg
    assert "columns present: time, cf_wind, load_mw, comment" in msg


def test_reader_unparseable_time(tmp_path: Path) -> None:
    df = frame()
    df.loc[41, "time"] = "2025-02-30 17:00"
    msg = reader_error(tmp_path, df)
    assert "column time, data row 42 (line 43)" in msg
    assert "'2025-02-30 17:00'" in msg
    assert "date-time" in msg


def test_reader_empty_time(tmp_path: Path) -> None:
    df = frame()
    df.loc[9, "time"] = ""
    assert "column time, data row 10 (line 11): empty time" in reader_error(tmp_path, df)


def test_reader_non_monotonic_time(tmp_path: Path) -> None:
    df = frame()
    df.loc[[100, 101], "time"] = df.loc[[101, 100], "time"].to_numpy()
    msg = reader_error(tmp_path, df)
    assert "column time, data row 102 (line 103)" in msg
    assert "'2025-01-05 04:00' does not come after '2025-01-05 05:00'" in msg


def test_reader_gap_in_time(tmp_path: Path) -> None:
    df = frame()
    df.loc[500:, "time"] = pd.date_range("2025-01-21 21:00", periods=8760 - 500, freq="h").strftime("%Y-%m-%d %H:%M")
    msg = reader_error(tmp_path, df)
    assert "data row 501" in msg
    assert "2 h after" in msg
    assert "hourly" in msg


@pytest.mark.parametrize(("n", "found"), [(8759, "8759"), (24, "24")])
def test_reader_wrong_length(tmp_path: Path, n: int, found: str) -> None:
    msg = reader_error(tmp_path, frame().iloc[:n])
    assert f"{found} data rows found; year 2025 needs 8760 hourly rows" in msg


def test_reader_wrong_length_leap_year(tmp_path: Path) -> None:
    msg = reader_error(tmp_path, frame(2024).iloc[:8760], year=2024)
    assert "8760 data rows found; year 2024 needs 8784 hourly rows (leap year)" in msg


def test_reader_wrong_year_and_start(tmp_path: Path) -> None:
    msg = reader_error(tmp_path, frame(2025), year=2024)
    assert "starts in 2025" in msg
    assert "year 2024 was asked for" in msg
    df = frame()
    df["time"] = pd.date_range("2025-01-01 01:00", periods=8760, freq="h").strftime("%Y-%m-%d %H:%M")
    msg = reader_error(tmp_path, df)
    assert "'2025-01-01 01:00' is not 2025-01-01 00:00 local time" in msg


@pytest.mark.parametrize(
    ("col", "row", "value", "expect"),
    [
        ("cf_wind", 7, "", "empty value"),
        ("load_mw", 3000, "nan", "'nan' is NaN"),
        ("cf_solar", 12, "abc", "'abc' is not a finite number"),
        ("load_mw", 99, "inf", "'inf' is not a finite number"),
        ("load_mw", 4, "-0.5", "'-0.5' is negative"),
        ("cf_wind", 8000, "-0.01", "'-0.01' is negative"),
        ("cf_solar", 13, "1.2", "'1.2' is above 1; capacity factors must be in [0, 1]"),
        ("cf_wind", 0, "1.0001", "'1.0001' is above 1"),
        ("load_mw", 10, "1e13", "'1e13' is above 1e+12 MW"),
    ],
)
def test_reader_bad_values(tmp_path: Path, col: str, row: int, value: str, expect: str) -> None:
    df = frame()
    df.loc[row, col] = value
    df.loc[row + 5, col] = value  # only the first offending row is named
    msg = reader_error(tmp_path, df)
    assert f"column {col}, data row {row + 1} (line {row + 2}): {expect}" in msg


def test_reader_load_above_one_is_fine(tmp_path: Path) -> None:
    df = frame()
    df.loc[5, "load_mw"] = "1.0e3"
    assert read_profile_csv(write(tmp_path, df)).load_mw[5] == 1000.0


def test_reader_missing_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="nope.csv: file not found"):
        read_profile_csv(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ProfileError, match="empty.csv: file is empty"):
        read_profile_csv(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("time,cf_wind,cf_solar,load_mw\n")
    with pytest.raises(ProfileError, match="header.csv: no data rows"):
        read_profile_csv(header_only)


def test_profileset_checks_lengths() -> None:
    idx = hourly_index(2025)[:48]
    p = ProfileSet(idx, np.zeros(48, dtype=np.float32), [0.5] * 48, np.ones(48))  # type: ignore[arg-type]
    assert p.cf_wind.dtype == np.float64
    assert isinstance(p.cf_solar, np.ndarray)
    with pytest.raises(ProfileError, match=r"ProfileSet.load_mw has shape \(47,\); expected \(48,\)"):
        ProfileSet(idx, np.zeros(48), np.zeros(48), np.ones(47))


def test_ar1_normal_equals_scipy_lfilter_bit_for_bit() -> None:
    """The AR(1) recursion runs without scipy.signal (issue 19: its import cost 0.6 s of CPU per run); the
    series are those lfilter gave, bit for bit, so every profile is unchanged."""
    from scipy.signal import lfilter

    for n, phi, seed in [(8760, 0.9, 0), (8760, 0.97, 1), (3 * 8760, 0.999, 2), (2, -0.5, 3), (1, 0.3, 4), (0, 0.5, 5)]:
        got = ar1_normal(n, phi, np.random.default_rng(seed))
        eps = np.random.default_rng(seed).standard_normal(n)
        want = eps.copy()
        if n > 1:
            want[1:], _ = lfilter([np.sqrt(1.0 - phi * phi)], [1.0, -phi], eps[1:], zi=[phi * eps[0]])
        assert got.dtype == np.float64 and got.shape == (n,)
        assert np.array_equal(got, want)


def test_profiles_csv_reads_back_bit_for_bit_and_runs_like_the_scenario(tmp_path: Path) -> None:
    """`gpdc profiles --csv` writes the profile CSV format; read back it gives the same floats and the same run."""
    from typer.testing import CliRunner

    import gpdc
    from gpdc.cli import app
    from gpdc.pipeline import build_profiles
    from gpdc.scenario.load import load_scenario

    from .conftest import DATACENTRE

    path = tmp_path / "meters.csv"
    res = CliRunner().invoke(app, ["profiles", str(DATACENTRE), "--csv", str(path)])
    assert res.exit_code == 0, res.output
    assert "profile CSV written to" in " ".join(res.output.split())
    sc = load_scenario(DATACENTRE)
    built = build_profiles(sc)
    back = read_profile_csv(path, year=sc.profiles.year, timezone=sc.site.timezone)
    assert path.read_text(encoding="utf-8").splitlines()[0] == "time,cf_wind,cf_solar,load_mw"
    assert back.time.equals(built.time)
    for name in ("cf_wind", "cf_solar", "load_mw"):
        assert np.array_equal(getattr(back, name), getattr(built, name)), name
    one = gpdc.simulate(sc, profiles=built).totals
    two = gpdc.simulate(load_scenario(DATACENTRE, overrides={"profiles.source": "csv", "profiles.csv_path": str(path)}))
    for name in ("self_use_share", "import_mwh", "project_cost_yuan"):
        assert float(two.totals[name]) == float(one[name]), name
