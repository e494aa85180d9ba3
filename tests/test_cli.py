"""The command line: output, files, exit codes, and errors without tracebacks."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gpdc.cli import app

from .conftest import ALUMINIUM, DATACENTRE

runner = CliRunner()


def flat(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(text.split())


def test_run_prints_results_and_writes_files(tmp_path: Path) -> None:
    out = tmp_path / "dc.h5"
    csv = tmp_path / "dc.csv"
    res = runner.invoke(app, ["run", str(DATACENTRE), "--out", str(out), "--traces", "--csv", str(csv)])
    assert res.exit_code == 0, res.output
    for text in ("Energy flows", "self-used share of generation", "green share of consumption",
                 "exported share of generation", "Curtailment by cause", "savings", "avoided CO2",
                 "standard coal saved", "PASS"):
        assert text in res.output
    assert out.exists() and csv.exists()
    assert "with hourly traces" in flat(res.output)


def test_run_reports_failure_of_a_rule_and_draws_a_plot(tmp_path: Path) -> None:
    png = tmp_path / "a.png"
    res = runner.invoke(app, ["run", str(ALUMINIUM), "--out", str(tmp_path / "a.h5"),
                              "--set", "policy.min_self_use_frac=0.95", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    assert "FAIL" in res.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000
    import h5py

    with h5py.File(tmp_path / "a.h5") as f:
        assert "traces" not in f  # --plot alone does not write traces


def test_invalid_input_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    res = runner.invoke(app, ["run", str(DATACENTRE), "--out", str(tmp_path / "x.h5"),
                              "--set", "storage.energy_mwh=-5"])
    assert res.exit_code == 2
    assert "storage.energy_mwh = -5 is invalid: must be >= 0.0 [MWh]" in flat(res.output)
    assert "Traceback" not in res.output
    assert not (tmp_path / "x.h5").exists()


def test_validate(tmp_path: Path) -> None:
    res = runner.invoke(app, ["validate", str(DATACENTRE)])
    assert res.exit_code == 0, res.output
    assert "valid:" in res.output
    assert "emission_factor_t_co2_per_mwh" in res.output
    bad = tmp_path / "bad.toml"
    bad.write_text(DATACENTRE.read_text(encoding="utf-8").replace('province = "inner_mongolia_west"',
                                                                   'province = "atlantis"'), encoding="utf-8")
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 2
    assert "site.province = 'atlantis' is invalid: unknown province; valid: gansu" in flat(res.output)
    res = runner.invoke(app, ["validate", str(tmp_path / "missing.toml")])
    assert res.exit_code == 2
    assert "cannot be read" in res.output


def test_bad_set_syntax_and_info() -> None:
    res = runner.invoke(app, ["run", str(DATACENTRE), "--set", "nonsense"])
    assert res.exit_code != 0
    assert "expected FIELD=VALUE" in res.output
    res = runner.invoke(app, ["info"])
    assert res.exit_code == 0
    assert "numba threading layer:" in res.output
    assert "inner_mongolia_west" in res.output


def test_profile_errors_reach_the_cli_as_messages(tmp_path: Path) -> None:
    bad = tmp_path / "p.csv"
    bad.write_text("time,cf_wind,cf_solar,load_mw\n2025-01-01 00:00,0.5,0.1,True\n", encoding="utf-8")
    for command in ("validate", "run"):
        res = runner.invoke(app, [command, str(DATACENTRE), "--set", 'profiles.source="csv"',
                                  "--set", f'profiles.csv_path="{bad}"'])
        assert res.exit_code == 2, (command, res.output)
        text = flat(res.output)
        assert str(bad) in text.replace(" ", "") or "p.csv" in text
        assert "Traceback" not in res.output
    res = runner.invoke(app, ["validate", str(DATACENTRE), "--set", 'profiles.source="csv"',
                              "--set", f'profiles.csv_path="{tmp_path / "none.csv"}"'])
    assert res.exit_code == 2
    assert "file not found" in flat(res.output)


def test_run_says_when_no_irr_exists(tmp_path: Path) -> None:
    # free grid energy and no export pay: every year's flow is -O&M, the cash flow never turns
    res = runner.invoke(app, ["run", str(DATACENTRE), "--out", str(tmp_path / "x.h5"),
                              "--set", "tariff.energy_price_yuan_per_mwh=0.0", "--set", "tariff.adders_yuan_per_mwh=0.0",
                              "--set", "tariff.export_paid=false"])
    assert res.exit_code == 0, res.output
    assert "none: the cash flow never changes" in res.output  # the IRR row (wrapped by rich)
    assert "not within 23 years" in res.output  # the discounted payback row


_HELP_IMPORTS = """
import sys
from gpdc.cli import main
sys.argv = ["gpdc", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
heavy = sorted(m for m in ("numpy", "pandas", "xarray", "numba", "scipy", "h5py", "pvlib") if m in sys.modules)
print("HEAVY", heavy)
"""


def test_help_imports_no_numerical_library() -> None:
    # `gpdc --help` and each command's help must answer at once: none of the numerical stack is imported
    # (numpy alone was half of the 0.27 s it took; measured as CPU time, not asserted)
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    for args in (["--help"], ["run", "--help"], ["sweep", "--help"], ["size", "--help"]):
        proc = subprocess.run([sys.executable, "-c", _HELP_IMPORTS, *args], capture_output=True, text=True,
                              timeout=300, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert "Usage" in proc.stdout and "HEAVY []" in proc.stdout, (args, proc.stdout[-500:])


_RUN_IMPORTS = """
import sys
from gpdc.cli import main
sys.argv = ["gpdc", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
print("IMPORTED", sorted(m for m in ("dask.array", "distributed", "pvlib", "windpowerlib") if m in sys.modules))
print("ALSO", sorted(m for m in ("dask", "scipy.linalg", "xarray") if m in sys.modules))
"""


def test_run_imports_neither_dask_array_nor_distributed_nor_pvlib_when_its_profiles_are_cached(tmp_path: Path) -> None:
    # a run holds no dask array: xarray imported dask.array to build the Datasets and distributed to ask
    # which scheduler writes the file, 0.5 s of the 2.9 s a warm `gpdc run` took (gpdc.results.lazy_dask,
    # gpdc.io.hdf5); the file itself is checked against xarray's to_netcdf in tests/test_results_io.py
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    # the first run may build the profiles (pvlib); the second finds them in the profile cache (gpdc.profiles.cache)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GPDC_CACHE_DIR": str(tmp_path / "cache")}
    # windpowerlib neither: validating the turbine type reads its library without importing it (and requests)
    cold = ("IMPORTED []", "IMPORTED ['pvlib']", "IMPORTED ['pvlib', 'windpowerlib']")
    # numba's BLAS check imports no scipy.linalg (gpdc.kernels.blas_check; pvlib does, when it builds profiles);
    # the file is written through xarray but without dask's core, which xarray imported to ask whether each
    # NumPy array is a dask collection (gpdc.io.hdf5, gpdc.results.dataset; the hourly time coordinate of
    # --traces still asks)
    warm = ("IMPORTED []",)
    for extra, imported, also in (([], cold, None), ([], warm, "ALSO ['xarray']"), (["--traces"], warm, "")):
        proc = subprocess.run([sys.executable, "-c", _RUN_IMPORTS, "run", str(DATACENTRE), "-o",
                               str(tmp_path / "r.h5"), *extra], capture_output=True, text=True, timeout=600,
                              check=False, env=env)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert any(line in proc.stdout for line in imported), proc.stdout[-500:]
        line = next(x for x in proc.stdout.splitlines() if x.startswith("ALSO "))
        if also:
            assert line == also, proc.stdout[-500:]
        elif also == "":
            assert "scipy.linalg" not in line, proc.stdout[-500:]


def test_sweep_imports_neither_dask_array_nor_profile_models_when_its_profiles_are_cached(tmp_path: Path) -> None:
    # the summary a sweep prints was read from its file by xarray, which imported dask.array to index it (0.3 s of
    # the 2.2 s a warm 1,000-design sweep took); now it is read with h5py and xarray is not imported at all
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    env = {**os.environ, "PYTHONPATH": str(ROOT), "GPDC_CACHE_DIR": str(tmp_path / "cache")}
    cold = ("IMPORTED []", "IMPORTED ['pvlib']", "IMPORTED ['pvlib', 'windpowerlib']")
    for imported in (cold, ("IMPORTED []",)):
        proc = subprocess.run([sys.executable, "-c", _RUN_IMPORTS, "sweep", str(DATACENTRE), "--vary",
                               "wind.capacity_mw=100,150", "--vary", "solar.capacity_mw=0,20", "-o",
                               str(tmp_path / "s.h5"), "--overwrite", "-q"], capture_output=True, text=True,
                              timeout=600, check=False, env=env)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert "cheapest compliant design" in proc.stdout or "compliant with every policy rule" in proc.stdout
        assert any(line in proc.stdout for line in imported), proc.stdout[-500:]
        if "IMPORTED []" in proc.stdout:  # (always the second: profiles cached; pvlib itself imports scipy.linalg)
            # nor xarray (the summary is read with h5py: gpdc.io.sweep_store.sweep_columns) nor scipy.linalg
            assert "ALSO []" in proc.stdout, proc.stdout[-500:]
