"""Untrusted inputs: scenario paths, special and huge files, undecodable text, a damaged kernel cache, schedulers.

Issue 18, items 4, 5 and 6.  Every failure here must be a clean :class:`GpdcError` (exit 2 on
the command line) whose message names the file and what is wrong — never an internal error,
a hang or a copy of a file the scenario had no business reading.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from gpdc.cli import app
from gpdc.errors import (
    DataTableError,
    InputFileError,
    OptionError,
    ProfileError,
    ResultsFileError,
    ScenarioErrors,
    SchedulerWarning,
)
from gpdc.input_files import header_for_message, read_bytes
from gpdc.profiles import hourly_index
from gpdc.profiles.readers import read_load_csv, read_profile_csv, read_weather
from gpdc.scenario.load import PATH_FIELDS, load_scenario
from gpdc.scenario.tables.tariffs import read_tariff_file
from gpdc.sweeps.scheduler import check_scheduler, connect, is_loopback, quiet_dask
from gpdc.sweeps.spec import SweepError, read_designs_csv

from .conftest import DATACENTRE, ROOT
from .faults import gpdc_cli

runner = CliRunner()


def flat(text: str) -> str:
    return " ".join(text.split())


def _with_fields(text: str, fields: dict[tuple[str, str], str]) -> str:
    """The scenario text with ``key = "value"`` lines added under their ``[section]`` (created if missing)."""
    lines = text.splitlines()
    for (section, key), value in fields.items():
        line = f'{key} = "{value}"'
        try:
            at = lines.index(f"[{section}]")
            lines.insert(at + 1, line)
        except ValueError:
            lines += ["", f"[{section}]", line]
    return "\n".join(lines) + "\n"


# --- 5. paths resolve against the scenario's folder ------------------------------------------------


@pytest.mark.parametrize(("section", "key"), PATH_FIELDS)
def test_every_path_field_resolves_against_the_scenario_folder(tmp_path: Path, section: str, key: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    fields = {(section, key): "data/in.csv"}
    if key == "weather_path":
        fields[("profiles", "weather_format")] = "csv"
    text = _with_fields(DATACENTRE.read_text(encoding="utf-8"), fields)
    # the flexible sections the file lacks, with what they require beside the path
    companions = {"hydrogen": "[electrolyser]\ncapacity_mw = 100.0\n",
                  "ev_fleet": "vehicles = 100\nbattery_kwh = 60.0\ncharger_kw = 7.0\nenergy_kwh_per_day = 20.0\n"}
    if section == "hydrogen":
        text += "\n" + companions["hydrogen"]
    elif section == "ev_fleet":
        text = text.replace("[ev_fleet]\n", "[ev_fleet]\n" + companions["ev_fleet"])
    (proj / "s.toml").write_text(text, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    sc = load_scenario(Path("..") / "proj" / "s.toml")
    assert getattr(getattr(sc, section), key) == str((proj / "data" / "in.csv").resolve())


def _prices(path: Path, value: float) -> Path:
    times = hourly_index(2025)
    path.write_text("time,price_yuan_per_mwh\n" + "".join(f"{t:%Y-%m-%d %H:%M},{value}\n" for t in times),
                    encoding="utf-8")
    return path


def test_validate_finds_tariff_files_beside_the_scenario_from_any_folder(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # the case: `gpdc validate proj/s.toml` failed where `cd proj` worked
    from gpdc.scenario.tables.core import raw_table

    proj = tmp_path / "proj"
    proj.mkdir()
    rows = raw_table("tariffs")
    mine = rows[rows["tariff"] == "jiangsu"].copy()
    mine["tariff"] = "my_contract"
    mine.loc[mine["field"] == "energy_price_yuan_per_mwh", "value"] = "420"
    mine.to_csv(proj / "my_tariff.csv", index=False)
    _prices(proj / "export.csv", 250.0)
    text = _with_fields(DATACENTRE.read_text(encoding="utf-8"), {("tariff", "file"): "my_tariff.csv",
                                                                  ("tariff", "export_price_csv"): "export.csv"})
    (proj / "s.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["validate", "proj/s.toml"])
    assert res.exit_code == 0, res.output
    assert "my_tariff.csv" in flat(res.output)


# --- 5. only regular files, within a size limit, headers shown only for CSV ---------------------------


@pytest.mark.parametrize(("path", "kind"), [("/dev/zero", "a character device"), ("/dev/null", "a character device")])
def test_devices_are_refused_at_once(path: str, kind: str) -> None:
    with pytest.raises(ProfileError, match=f"{path}: is {kind}, not a regular file"):
        read_profile_csv(path)
    with pytest.raises(ProfileError, match="not a regular file"):
        read_weather(path, "epw", year=2025)


def test_a_fifo_and_a_folder_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "p.csv"
    os.mkfifo(fifo)  # nothing will ever write to it: opening it for reading must not wait
    with pytest.raises(ProfileError, match=r"is a FIFO \(named pipe\), not a regular file"):
        read_profile_csv(fifo)
    with pytest.raises(ProfileError, match="is a folder, not a regular file"):
        read_load_csv(tmp_path, year=2025)
    with pytest.raises(DataTableError, match="not a regular file"):
        read_tariff_file(str(fifo))


def test_a_scenario_cannot_make_gpdc_print_another_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.env"
    secret.write_text("API_TOKEN=hunter2-very-secret\nDB_PASSWORD=swordfish\n", encoding="utf-8")
    for read in (read_profile_csv, lambda p: read_load_csv(p, year=2025)):
        with pytest.raises(ProfileError) as exc:
            read(secret)
        assert "hunter2" not in str(exc.value) and "swordfish" not in str(exc.value) and "missing column" in str(
            exc.value)
    with pytest.raises(ProfileError) as exc:
        read_profile_csv("/proc/self/environ")  # NUL-separated: refused as binary, nothing quoted
    assert "contains a NUL byte at byte offset" in str(exc.value)
    assert os.environ.get("PATH", "@@") not in str(exc.value)
    with pytest.raises(SweepError) as sexc:
        read_designs_csv(secret)
    assert "hunter2" not in str(sexc.value) and "scenario field paths" in str(sexc.value)
    # a real CSV header is still shown, to help the user
    bad = tmp_path / "p.csv"
    bad.write_text("time,cf_wind,cf_solar,load\n2025-01-01 00:00,0,0,1\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="missing column.*load_mw; columns present: time, cf_wind, cf_solar, load"):
        read_profile_csv(bad)


def test_header_shown_only_when_it_reads_as_one() -> None:
    assert header_for_message(["time", "load_mw"]) == "time, load_mw"
    assert header_for_message(["时间", "负荷 (MW)"]) == "时间, 负荷 (MW)"
    assert header_for_message(["time"]) == "time"
    for secret in (["root:x:0:0:root:/root:/bin/bash"], ["API_TOKEN=abc", "x"], ["a\x00b", "c"], ["x" * 65, "y"]):
        assert header_for_message(secret).startswith("(not shown")


def test_files_beyond_the_size_limit_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"time,load_mw\n" + b"2025-01-01 00:00,1\n" * 200)
    monkeypatch.setenv("GPDC_MAX_INPUT_MB", "0.001")  # 1 KiB
    with pytest.raises(ProfileError, match=r"big.csv: is 3.7 KiB; input files are limited to 1.0 KiB \(set "
                                           r"GPDC_MAX_INPUT_MB"):
        read_load_csv(big, year=2025)
    with pytest.raises(InputFileError, match="holds more than 1.0 KiB"):
        read_bytes("/proc/self/maps")  # reports size 0, holds more: never read past the limit


# --- 4. decoding errors name the file and the byte offset --------------------------------------------


def test_a_binary_or_non_utf8_scenario_is_a_clean_error_with_the_byte_offset(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.toml"
    latin.write_bytes(b'name = "Hami"\ndescription = "caf\xe9"\n')
    with pytest.raises(ScenarioErrors, match=r"latin1.toml.*is not UTF-8 text: byte 0xe9 at byte offset 32 "
                                             r"\(line 2, column 19\)"):
        load_scenario(latin)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    res = runner.invoke(app, ["validate", str(binary)])
    assert res.exit_code == 2 and "is not UTF-8 text: byte 0x89 at byte offset 0" in flat(res.output)
    assert "Traceback" not in res.output and "internal error" not in res.output
    nul = tmp_path / "nul.toml"
    nul.write_bytes(b'name = "a"\x00\n')
    with pytest.raises(ScenarioErrors, match=r"contains a NUL byte at byte offset 10 \(line 1, column 11\)"):
        load_scenario(nul)
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(ScenarioErrors, match="is not valid TOML"):
        load_scenario(deep)


def test_a_csv_with_a_bad_byte_names_its_offset(tmp_path: Path) -> None:
    p = tmp_path / "load.csv"
    p.write_bytes(b"\xef\xbb\xbftime,load_mw\n2025-01-01 00:00,1\n2025-01-01 01:00,\xff\n")
    with pytest.raises(ProfileError, match=r"load.csv: is not UTF-8 text: byte 0xff at byte offset 52 \(line 3, "
                                           r"column 18\)"):
        read_load_csv(p, year=2025)


# --- 4. a damaged numba cache -------------------------------------------------------------------------

_TINY = textwrap.dedent("""
    from numba import njit

    @njit(cache=True)
    def add_one(x):
        return x + 1.0
""")

_CALL = textwrap.dedent("""
    import sys, warnings
    sys.path.insert(0, sys.argv[1])
    import tinykernel
    from gpdc import kernel_cache
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        print(kernel_cache.call(tinykernel.add_one, 1.0, dispatchers=[tinykernel.add_one]))
    for w in caught:
        if w.category.__name__ == "KernelCacheWarning":
            print("WARNING", w.message)
""")


def test_a_damaged_kernel_cache_is_cleared_and_recompiled(tmp_path: Path) -> None:
    (tmp_path / "tinykernel.py").write_text(_TINY, encoding="utf-8")
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_CACHE_DIR": str(cache)}

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", _CALL, str(tmp_path)], capture_output=True, text=True, env=env,
                              timeout=600, check=False)

    first = run()
    assert first.returncode == 0 and first.stdout.split()[0] == "2.0" and "WARNING" not in first.stdout, first.stderr
    files = sorted(cache.rglob("*.nb*"))
    assert {f.suffix for f in files} == {".nbi", ".nbc"}
    for f in files:  # a disk error, a copy cut short: garbage where the pickles were
        f.write_bytes(b"\x80\x04garbage" + bytes(range(256)))
    second = run()
    assert second.returncode == 0, second.stderr
    assert second.stdout.split()[0] == "2.0"
    warning = flat(second.stdout.split("WARNING", 1)[1])
    assert f"in {files[0].parent} was damaged (" in warning  # ValueError, UnpicklingError...: whatever the bytes give
    assert "recompiled" in warning or "compiled again" in warning
    third = run()  # the cache was written anew
    assert third.returncode == 0 and "WARNING" not in third.stdout


_BATCH = textwrap.dedent("""
    import warnings
    import numpy as np
    from gpdc import pipeline
    from gpdc.kernels import layout as L
    p = np.zeros((L.N_PARAMS, 2))
    p[[L.P_ETA_CHARGE, L.P_ETA_DISCHARGE]] = 1.0
    inputs = pipeline.make_inputs(np.zeros(4), np.zeros(4), np.ones(4), np.ones(4), np.ones(4), p)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        print(pipeline.run_totals(inputs).shape)
    for w in caught:
        if w.category.__name__ == "KernelCacheWarning":
            print("WARNING", w.message)
""")


@pytest.mark.slow
def test_the_real_kernels_recover_from_a_damaged_cache(tmp_path: Path) -> None:
    from gpdc.kernel_cache import kernel_dispatchers

    import gpdc

    dispatchers = kernel_dispatchers()
    assert dispatchers and all(d.stats.cache_path is not None for d in dispatchers)
    session_cache = Path(os.environ["NUMBA_CACHE_DIR"])
    cache = tmp_path / "cache"
    shutil.copytree(session_cache, cache)  # the session's compiled kernels
    # the session's cache may hold kernels of more than one copy of gpdc (the installed one and the
    # source tree, each in a folder named after its path): damage those of the gpdc this process
    # imported, and let the subprocess import that same copy
    folder = cache / Path(dispatchers[0].stats.cache_path).relative_to(session_cache)
    index = sorted(folder.glob("cpu.*.nbi"))  # every batch kernel's, whichever the run loads
    assert index
    for f in index:
        f.write_bytes(b"\x80\x04garbage")
    package_root = Path(gpdc.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(package_root), "NUMBA_CACHE_DIR": str(cache)}
    proc = subprocess.run([sys.executable, "-c", _BATCH], capture_output=True, text=True, env=env, timeout=900,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("(2, ") and f"in {folder} was damaged" in flat(proc.stdout)


# --- 6. schedulers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("address", "why"), [
    ("10.0.0.5:8786", "has no scheme"),
    ("tcp://10.0.0.5", "has no port"),
    ("http://10.0.0.5:8786", "has the unknown scheme 'http'"),
    ("tcp://:8786", "has no host"),
    ("tcp://host:99999", "has an invalid port"),
    ("tcp://host:8786/x?y=1", "has more than SCHEME://HOST:PORT"),
])
def test_scheduler_addresses_are_checked(address: str, why: str) -> None:
    with pytest.raises(OptionError, match=re.escape(f"--scheduler = '{address}' is invalid: {why}")):
        check_scheduler(address)


def test_a_bad_scheduler_address_exits_2_before_any_work(tmp_path: Path) -> None:
    res = runner.invoke(app, ["sweep", str(DATACENTRE), "--vary", "storage.energy_mwh=0,100", "-o",
                              str(tmp_path / "s.h5"), "--scheduler", "tcp://10.0.0.5"])
    assert res.exit_code == 2 and "has no port" in flat(res.output) and "Traceback" not in res.output
    assert not (tmp_path / "s.h5").exists()


@pytest.mark.parametrize(("address", "remote"), [
    ("tcp://127.0.0.1:8786", False), ("tcp://localhost:8786", False), ("tcp://[::1]:8786", False),
    ("tcp://127.0.0.2:8786", False), ("tcp://10.0.0.5:8786", True), ("tls://scheduler.example.org:8786", True),
    ("tcp://0.0.0.0:8786", True),
])
def test_a_remote_scheduler_is_warned_about(address: str, remote: bool) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_scheduler(address)
    said = [str(w.message) for w in caught if issubclass(w.category, SchedulerWarning)]
    assert bool(said) == remote
    if remote:
        assert "can run code in this process" in said[0] and "trust" in said[0]
    assert is_loopback(address.split("//")[1].rsplit(":", 1)[0]) != remote


class _Listener:
    """A TCP server on loopback that accepts and then says nothing (``None``) or ``answer``; ``close`` ends it all."""

    def __init__(self, answer: bytes | None) -> None:
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(8)
        self.srv.settimeout(0.1)
        self.port = self.srv.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(answer,), daemon=True)
        self.thread.start()

    def _serve(self, answer: bytes | None) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.srv.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(conn)
            if answer is not None:
                conn.settimeout(5.0)
                conn.recv(64)
                conn.sendall(answer)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5.0)
        for conn in self.accepted:
            conn.close()
        self.srv.close()


@pytest.mark.parametrize(("answer", "message"), [
    (None, "no Dask scheduler answered at tcp://127.0.0.1:"),
    (b"HTTP/1.1 400 Bad Request\r\n\r\n", "is not a Dask scheduler"),
])
def test_a_server_that_is_not_a_scheduler_is_a_bounded_clean_error(answer: bytes | None, message: str,
                                                                    tmp_path: Path) -> None:
    pytest.importorskip("distributed")

    from gpdc.io.hdf5 import write_results

    server = _Listener(answer)
    try:
        with pytest.raises(ResultsFileError, match=message):
            connect(f"tcp://127.0.0.1:{server.port}", timeout_s=1.0)  # Dask's own timeout did not hold: 90+ s
        # the failed attempt left nothing waiting in this process: no thread, and the server saw its connection close
        assert not [t.name for t in threading.enumerate() if t.name.startswith("gpdc-dask")]
        assert len(server.accepted) == 1
        conn = server.accepted[0]
        conn.settimeout(5.0)  # a connection left open would time out here
        while conn.recv(1 << 16):
            pass
    finally:
        server.close()
    # the client left hanging must not have become this process's dask scheduler: xarray's writers
    # would then take a distributed lock through it ("ConnectionPool closing")
    write_results(tmp_path / "after.h5", xr.Dataset({"x": 1.0}, attrs={"gpdc_version": "test"}))


def test_quiet_dask_silences_its_info_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DASK_LOGGING__DISTRIBUTED", raising=False)
    quiet_dask(True)
    assert os.environ["DASK_LOGGING__DISTRIBUTED"] == "error"
    assert logging.getLogger("distributed").getEffectiveLevel() == logging.ERROR
    quiet_dask(False)
    assert logging.getLogger("distributed").getEffectiveLevel() == logging.WARNING


@pytest.mark.slow
def test_a_local_cluster_sweep_under_quiet_prints_no_dask_info(tmp_path: Path) -> None:
    # as a user runs it, in a process of its own: a cluster started inside the test process shared it
    # with every client, thread and socket earlier tests left there, and once hung CI for an hour
    pytest.importorskip("distributed")
    out = tmp_path / "q.h5"
    proc = gpdc_cli("sweep", str(DATACENTRE), "--vary", "storage.energy_mwh=0:200:200", "--chunk-size", "1",
                    "--workers", "1", "--quiet", "-o", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "distributed." not in proc.stderr and " INFO " not in proc.stderr, proc.stderr[-2000:]
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.sizes["storage_energy_mwh"] == 2 and bool(np.isfinite(ds["avoided_co2_t"]).all())


def _run_script(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    """Run ``text`` as a script of its own (Dask's worker processes import its ``__main__``), with a hang guard."""
    script = tmp_path / "script.py"
    script.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=600, check=False)


_SLOW_START = textwrap.dedent("""
    from gpdc.errors import ResultsFileError
    from gpdc.sweeps import scheduler
    if __name__ == "__main__":
        scheduler.WORKER_START_S = 0.05  # no worker process starts this fast
        try:
            scheduler.client_for(None, 1, quiet=True)
        except ResultsFileError as exc:
            print("REFUSED", exc)
""")


def test_a_local_cluster_whose_worker_does_not_start_in_time_is_an_error_not_a_hang(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    proc = _run_script(tmp_path, _SLOW_START)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert ("REFUSED the local Dask cluster of 1 worker process(es) did not start within 0.05 s"
            in proc.stdout), proc.stdout + proc.stderr[-2000:]


_REAL_SCHEDULER = textwrap.dedent("""
    import threading
    from distributed import LocalCluster
    from gpdc.sweeps.scheduler import connect
    if __name__ == "__main__":
        with LocalCluster(n_workers=0, processes=True, dashboard_address=None, host="127.0.0.1") as cluster:
            client = connect(cluster.scheduler_address, timeout_s=30.0)
            print("TYPE", client.scheduler_info()["type"])
            client.close()
        print("LEFT", [t.name for t in threading.enumerate() if t.name.startswith("gpdc-dask")])
""")


def test_connect_gives_a_client_of_a_real_scheduler(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    proc = _run_script(tmp_path, _REAL_SCHEDULER)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "TYPE Scheduler" in proc.stdout and "LEFT []" in proc.stdout, proc.stdout + proc.stderr[-2000:]


def test_weather_and_price_files_refuse_what_they_cannot_read(tmp_path: Path) -> None:
    csv = tmp_path / "w.csv"
    csv.write_bytes(b"time,ghi\n2025-01-01 00:00,\xfe\n")
    with pytest.raises(ProfileError, match="is not UTF-8 text: byte 0xfe"):
        read_weather(csv, "csv", year=2025)
    from gpdc.profiles.factors import read_hourly_prices

    with pytest.raises(ProfileError, match="is a character device"):
        read_hourly_prices("/dev/zero", time=hourly_index(2025), timezone="Asia/Shanghai")
    frame = pd.DataFrame({"time": hourly_index(2025)[:3], "x": np.arange(3)})
    frame.to_csv(tmp_path / "short.csv", index=False)
    with pytest.raises(ProfileError, match="missing column.*columns present: time, x"):
        read_hourly_prices(tmp_path / "short.csv", time=hourly_index(2025), timezone="Asia/Shanghai")


def test_what_the_fuzz_found_is_a_clean_error(tmp_path: Path) -> None:
    from gpdc.io.hdf5 import open_results
    from gpdc.profiles.readers import read_ninja

    empty_header = tmp_path / "d.csv"
    empty_header.write_text("\nsmall,100\n", encoding="utf-8")
    with pytest.raises(SweepError, match="the first line is empty"):
        read_designs_csv(empty_header)
    far = tmp_path / "p.csv"
    far.write_text("time,cf_wind,cf_solar,load_mw\n2025-01-01 00:00,0,0,1\n225-01-01 01:00,0,0,1\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"column time, data row 2 \(line 3\): '225-01-01 01:00' is outside the "
                                           r"years 1900-2200"):
        read_profile_csv(far)
    ninja = tmp_path / "n.csv"
    ninja.write_text("time,electricity\n2025-01-01 00:00+08:00,1\n2025-01-01 01:00+00:00,1\n", encoding="utf-8")
    with pytest.raises(ProfileError):
        read_ninja(ninja, year=2025)  # mixed offsets: converted to UTC, then one year is asked for
    import h5py

    with h5py.File(tmp_path / "r.h5", "w") as f:  # a netCDF variable whose dimension scale is gone
        f["x"] = np.arange(3.0)
        f["x"].make_scale("x")
        f["v"] = np.arange(3.0)
        f["v"].dims[0].attach_scale(f["x"])
        del f["x"]
    with pytest.raises(ResultsFileError, match="cannot read .* as a gpdc result"):
        open_results(tmp_path / "r.h5")
