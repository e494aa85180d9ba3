"""The ready scenarios and the sample weather files: each validates and runs; the samples are what the writer gives."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from gpdc import load_scenario, simulate
from gpdc.errors import ConsistencyWarning
from gpdc.io.weather_files import SAMPLE_FILES, write_samples
from gpdc.profiles.readers import read_ninja

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "scenarios" / "examples"
WEATHER = EXAMPLES / "weather"
FORMATS = ("tmy3", "epw", "pvgis", "nsrdb", "csv", "ninja")


@pytest.fixture(scope="module")
def runs() -> dict[str, object]:
    out = {}
    for fmt in FORMATS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConsistencyWarning)
            out[fmt] = simulate(EXAMPLES / f"weather_{fmt}.toml")
        messages = [str(w.message) for w in caught if issubclass(w.category, ConsistencyWarning)]
        # the site is outside Shandong on purpose and silenced; the weather file is the site's own
        assert not any("outside" in m or "km from the site" in m for m in messages), messages
    return out


def test_every_weather_format_gives_the_same_year(runs: dict) -> None:
    ref = runs["tmy3"].totals
    assert float(ref["gen_avail_mwh"]) > 50_000.0 and bool(ref["compliant"])
    for fmt in ("epw", "pvgis", "nsrdb", "csv"):
        for name in ("gen_avail_mwh", "self_used_mwh", "export_mwh", "import_mwh", "project_cost_yuan"):
            assert float(runs[fmt].totals[name]) == pytest.approx(float(ref[name]), rel=1e-12), (fmt, name)
    # the ninja pair holds the same chains' capacity factors, rounded to 1 W per MW
    for name in ("gen_avail_mwh", "self_used_mwh"):
        assert float(runs["ninja"].totals[name]) == pytest.approx(float(ref[name]), rel=1e-5), name


def test_the_committed_samples_are_what_the_writer_gives(tmp_path: Path) -> None:
    files = write_samples(tmp_path)
    assert set(files) == set(SAMPLE_FILES)
    for fmt in ("tmy3", "epw", "pvgis", "nsrdb", "csv"):
        assert files[fmt].read_bytes() == (WEATHER / SAMPLE_FILES[fmt]).read_bytes(), fmt
    for fmt in ("ninja_pv", "ninja_wind"):  # model output: equal to the rounding of the file (1 W per MW)
        new, _ = read_ninja(files[fmt], year=2019)
        old, _ = read_ninja(WEATHER / SAMPLE_FILES[fmt], year=2019)
        np.testing.assert_allclose(new, old, atol=1.1e-6)
        assert 0.05 < old.mean() < 0.6
        head_new = files[fmt].read_text(encoding="utf-8").splitlines()[:4]
        assert head_new == (WEATHER / SAMPLE_FILES[fmt]).read_text(encoding="utf-8").splitlines()[:4]


def test_a_weather_file_for_another_place_is_named_with_its_distance() -> None:
    # also: a typical year (pvlib dates it 1990) read on Beijing time; China kept daylight saving
    # time in 1990, which once put one September hour in twice and refused the file
    sc = load_scenario(EXAMPLES / "weather_epw.toml",
                       overrides={"site.latitude_deg": 36.67, "site.longitude_deg": 117.0, "site.timezone": "Asia/Shanghai"})
    with pytest.warns(ConsistencyWarning, match=r"is for latitude 36.1, longitude -79.95, 1[0-9],[0-9]{3} km from the "
                                                r"site .*ignore_warnings = \[\"weather_file_elsewhere\"\]"):
        simulate(sc)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").rglob("*.toml")), ids=lambda p: p.name)
def test_every_ready_scenario_loads(path: Path) -> None:
    sc = load_scenario(path)
    assert sc.name
