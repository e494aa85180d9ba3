"""The on-disk cache of synthetic profiles (gpdc.profiles.cache): hit, miss, damaged files, checks, off switch."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gpdc.errors import ConsistencyWarning
from gpdc.profiles import ProfileSet, hourly_index
from gpdc.profiles import cache
from gpdc.profiles.build import scenario_profiles
from gpdc.scenario.load import load_scenario

from .conftest import DATACENTRE


@pytest.fixture(autouse=True)
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GPDC_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("GPDC_PROFILE_CACHE", raising=False)
    return tmp_path / "profiles"


class Counting:
    """A build function that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, *, year: int, timezone: str, seed: int, **_: Any) -> ProfileSet:
        self.calls += 1
        time = hourly_index(year, timezone)
        rng = np.random.default_rng(seed)
        return ProfileSet(time=time, cf_wind=rng.random(len(time)), cf_solar=rng.random(len(time)),
                          load_mw=rng.random(len(time)) * 100.0, sources={"cf_wind": f"seed {seed}"})


INPUTS = {"year": 2025, "timezone": "Asia/Shanghai", "seed": 7}


def same(a: ProfileSet, b: ProfileSet) -> bool:
    return (a.time.equals(b.time) and str(a.time.tz) == str(b.time.tz) and a.sources == b.sources
            and all(np.array_equal(getattr(a, n), getattr(b, n)) for n in ("cf_wind", "cf_solar", "load_mw")))


def test_the_profiles_of_a_scenario_come_back_bit_for_bit(cache_folder: Path) -> None:
    sc = load_scenario(DATACENTRE)
    built = scenario_profiles(sc)
    assert len(list(cache_folder.glob("*.npz"))) == 1
    again = scenario_profiles(sc)
    assert same(again, built) and again.time.freq == built.time.freq


def test_hit_and_miss_on_changed_inputs() -> None:
    build = Counting()
    first = cache.synthetic(build, INPUTS)
    assert same(cache.synthetic(build, INPUTS), first) and build.calls == 1
    other = cache.synthetic(build, {**INPUTS, "seed": 8})
    assert build.calls == 2 and not np.array_equal(other.cf_wind, first.cf_wind)
    assert cache.synthetic(build, {**INPUTS, "seed": 8}) is not None and build.calls == 2


def test_changed_code_or_packages_change_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache.key_of(INPUTS)
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another version of the code")
    assert cache.key_of(INPUTS) != key


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "other_key"])
def test_a_damaged_file_is_a_miss_and_is_replaced(cache_folder: Path, damage: str) -> None:
    build = Counting()
    first = cache.synthetic(build, INPUTS)
    (path,) = cache_folder.glob("*.npz")
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00" * 100 + data[100:])
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # a sound file of other inputs under this key's name
        cache.synthetic(build, {**INPUTS, "seed": 9})
        (other,) = [p for p in cache_folder.glob("*.npz") if p != path]
        path.write_bytes(other.read_bytes())
    calls = build.calls
    assert same(cache.synthetic(build, INPUTS), first) and build.calls == calls + 1
    assert same(cache.synthetic(build, INPUTS), first) and build.calls == calls + 1  # replaced: a hit again


def test_a_hit_warns_as_the_build_does(cache_folder: Path) -> None:
    # a hub 40 m above the reference plant's 120 m: the build's check warns, and so does a hit
    sc = load_scenario(DATACENTRE, {"wind.hub_height_m": 160.0})
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scenario_profiles(sc)
        assert [w.category for w in caught if issubclass(w.category, ConsistencyWarning)] == [ConsistencyWarning]
    assert len(list(cache_folder.glob("*.npz"))) == 1


def test_off_switch_and_unwritable_folder(cache_folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GPDC_PROFILE_CACHE", "0")
    build = Counting()
    cache.synthetic(build, INPUTS)
    cache.synthetic(build, INPUTS)
    assert build.calls == 2 and not cache_folder.exists()
    monkeypatch.delenv("GPDC_PROFILE_CACHE")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GPDC_CACHE_DIR", str(blocker))
    assert same(cache.synthetic(build, INPUTS), build(**INPUTS))  # no error: the profiles are only not kept


def test_a_users_power_curve_file_is_not_cached(cache_folder: Path) -> None:
    class Plant:
        power_curve_path = "curve.csv"

    build = Counting()
    cache.synthetic(build, {**INPUTS, "wind": Plant()})
    assert not cache_folder.exists() and build.calls == 1

