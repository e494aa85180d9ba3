"""A fuzz corpus of more than 500 damaged inputs: not one internal error, traceback, crash or hang.

Issue 18, item 4.  Hypothesis (derandomized: the same cases every run) mutates the files gpdc
reads — scenario TOMLs, profile, weather, load, price, emission-factor, renewables.ninja,
tariff and designs CSVs — byte by byte, line by line and value by value, and damages a small
sweep file the ways a disk, a tool or a person can (datasets deleted, shortened, reshaped or
retyped, attributes and ledger entries rewritten, bytes of data overwritten, the ledger forged).
Each case runs in a worker process under a time limit (:mod:`tests.fuzz_worker`); it must end
*accepted* or with a *clean* :class:`~gpdc.errors.GpdcError`.  The summary is printed.

Out of scope, and said so in docs/reliability.md: random bytes in a results file's HDF5
*metadata* (the HDF5 library is not hardened against them).
"""

from __future__ import annotations

import multiprocessing
import tempfile
from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpdc.profiles import hourly_index
from gpdc.scenario.tables.core import raw_table

from .conftest import ALUMINIUM, DATACENTRE, ROOT

#: seconds a case may take before it counts as a hang (a generous bound, never the measure)
CASE_LIMIT_S = 60.0
#: cases per kind of input (more than 500 in all)
EXAMPLES = {"scenario": 130, "profile_csv": 45, "weather_csv": 35, "load_csv": 35, "prices_csv": 30,
            "factors_csv": 25, "tariff_csv": 35, "designs_csv": 40, "ninja_csv": 25, "sweep_file": 110}

TOKENS = ["", "0", "-1", "nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e-320", "9" * 40, "0x1F", "1_000",
          "true", "false", '"x"', "'", '"', "[1, 2]", "[]", "{}", "{ a = 1 }", "1979-05-27T07:32:00Z", "１２",
          "\u00a0", "\t", "é", "中文", "\\", "/dev/zero", "/proc/self/environ", "../../../etc/passwd", "{year}.csv",
          ",", ",,,", "\r", "2025-02-30 00:00", "2025-01-01T00:00+08:00", "24:00", "#", "=", "[[x]]", "[sweep]"]


class Worker:
    """The fuzz worker process; restarted after a hang or a crash."""

    def __init__(self, workdir: str) -> None:
        self.workdir = workdir
        self.ctx = multiprocessing.get_context("spawn")
        self.proc: Any = None
        self.conn: Any = None
        self.start()

    def start(self) -> None:
        from tests import fuzz_worker

        parent, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=fuzz_worker.serve, args=(child, self.workdir, str(ROOT)), daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent
        assert self.conn.poll(600), "the fuzz worker did not start"
        assert self.conn.recv()[0] == "ready"

    def run(self, kind: str, payload: Any) -> tuple[str, str]:
        """Send one case; return (outcome, detail) with outcome accepted | clean | internal | hang | crash."""
        try:
            self.conn.send((kind, payload))
            if self.conn.poll(CASE_LIMIT_S):
                return self.conn.recv()
            outcome = "hang"
        except (EOFError, BrokenPipeError, ConnectionResetError):
            outcome = "crash"
        code = self.proc.exitcode
        self.proc.kill()
        self.proc.join()
        self.start()
        return outcome, f"worker exit code {code}"

    def close(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.proc.join(60)
        if self.proc.is_alive():
            self.proc.kill()


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    with tempfile.TemporaryDirectory(prefix="gpdc-fuzz-") as tmp:
        w = Worker(tmp)
        try:
            yield w
        finally:
            w.close()


# --- the seeds -----------------------------------------------------------------------------------


def _hourly(header: str, row: Any) -> bytes:
    times = hourly_index(2025)
    return (header + "\n" + "".join(f"{t:%Y-%m-%d %H:%M},{row(i)}\n" for i, t in enumerate(times))).encode()


def seeds() -> dict[str, list[bytes]]:
    """Valid files of every kind (each accepted as it is)."""
    rows = raw_table("tariffs")
    tariff = rows[rows["tariff"] == "jiangsu"].to_csv(index=False).encode()
    ninja = (b'# {"params": {"capacity": 1000.0}}\n# units: kW\n' +
             _hourly("time,electricity", lambda i: f"{300 + (i % 24) * 10}").replace(b" ", b"T", 0))
    return {
        "scenario": [DATACENTRE.read_bytes(), ALUMINIUM.read_bytes()],
        "profile_csv": [_hourly("time,cf_wind,cf_solar,load_mw",
                                lambda i: f"{0.3 + 0.2 * np.sin(i / 30):.4f},{max(0.0, np.sin(i / 3.82)):.4f},80")],
        "weather_csv": [_hourly("time,ghi,temp_air,wind_speed", lambda i: f"{max(0.0, 600 * np.sin(i / 3.82)):.1f},"
                                f"{10 + 8 * np.sin(i / 3.82):.1f},{5 + (i % 7):.1f}")],
        "load_csv": [_hourly("time,load_mw", lambda i: f"{80 + 10 * np.sin(i / 3.82):.2f}")],
        "prices_csv": [_hourly("time,price_yuan_per_mwh", lambda i: f"{300 + (i % 24) * 5}")],
        "factors_csv": [_hourly("time,factor_t_co2_per_mwh", lambda i: f"{0.5 + 0.1 * np.sin(i / 3.82):.3f}")],
        "tariff_csv": [tariff],
        "designs_csv": [b"design,wind.capacity_mw,storage.energy_mwh,grid.export_cap_rule\n"
                        b"small,100,0,running\nbig,250,400,budget\nmid,180,200,running\n"],
        "ninja_csv": [ninja],
    }


# --- the mutations ---------------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` changed one to four times: bytes, lines, values, encodings."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        n = len(data)
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "dup_line", "drop_line", "swap_lines",
                                   "value", "garbage", "encoding", "header"]))
        at = draw(st.integers(0, max(n - 1, 0)))
        lines = bytes(data).split(b"\n")
        k = draw(st.integers(0, max(len(lines) - 1, 0)))
        if op == "flip" and n:
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS)).encode()
        elif op == "delete" and n:
            del data[at:at + draw(st.integers(1, 64))]
        elif op == "truncate":
            del data[at:]
        elif op == "dup_line":
            lines.insert(k, lines[k])
            data = bytearray(b"\n".join(lines))
        elif op == "drop_line" and len(lines) > 1:
            del lines[k]
            data = bytearray(b"\n".join(lines))
        elif op == "swap_lines" and len(lines) > 1:
            j = draw(st.integers(0, len(lines) - 1))
            lines[k], lines[j] = lines[j], lines[k]
            data = bytearray(b"\n".join(lines))
        elif op == "value":  # the value of a `key = value` line or a CSV cell
            line = lines[k]
            sep = b"=" if b"=" in line else b","
            parts = line.split(sep)
            if len(parts) > 1:
                parts[draw(st.integers(1, len(parts) - 1))] = b" " + draw(st.sampled_from(TOKENS)).encode()
                lines[k] = sep.join(parts)
                data = bytearray(b"\n".join(lines))
        elif op == "garbage":
            data[at:at] = draw(st.binary(min_size=1, max_size=24))
        elif op == "encoding":
            choice = draw(st.sampled_from(["utf16", "latin1", "bom", "nul", "crlf"]))
            text = bytes(data).decode("utf-8", "replace")
            data = bytearray({"utf16": text.encode("utf-16"), "latin1": text.encode("latin-1", "replace"),
                              "bom": b"\xef\xbb\xbf" + bytes(data), "nul": bytes(data[:at]) + b"\x00" + bytes(data[at:]),
                              "crlf": bytes(data).replace(b"\n", b"\r\n")}[choice])
        elif op == "header":
            lines[0] = draw(st.sampled_from([b"", b"time", b"a,b,c", b"time;load_mw", lines[0].upper(),
                                             lines[0] + b",extra", lines[0].replace(b",", b",,")]))
            data = bytearray(b"\n".join(lines))
    return bytes(data)


SWEEP_DATASETS = ["sweep_ledger", "sweep_ledger/chunk_done", "sweep_ledger/chunk_slab", "sweep_ledger/chunk_crc32",
                  "sweep_ledger/failure_message", "sweep_ledger/group_inputs_sha256", "finished", "status", "failure",
                  "project_cost_yuan", "gen_avail_mwh", "compliant", "storage.energy_mwh", "wind.capacity_mw"]
SWEEP_VALUES = [0, 1, -1, 2, 7, 255, 99, 2**31 - 1, float("nan"), float("inf"), -0.5, 1e300]


def sweep_ops() -> st.SearchStrategy[list[tuple[Any, ...]]]:
    """One to four changes to the seed sweep file (applied by tests.fuzz_worker._apply)."""
    target = st.sampled_from(SWEEP_DATASETS)
    value = st.sampled_from(SWEEP_VALUES)
    op = st.one_of(
        st.tuples(st.just("delete"), target),
        st.tuples(st.just("shorten"), target),
        st.tuples(st.just("reshape"), target),
        st.tuples(st.just("retype"), target, st.sampled_from(["float32", "int64", "int8", "S8"])),
        st.tuples(st.just("attr"), st.sampled_from(["sweep_dims", "sweep_fingerprint", "sweep_format",
                                                    "sweep_chunk_size", "sweep_spec"]),
                  st.sampled_from(['["nope"]', "not json", "[]", '["storage.energy_mwh"]', "3", "x" * 300])),
        st.tuples(st.just("ledger_attr"), st.just("checksum_variables"),
                  st.sampled_from(['["finished"]', "[]", "{}", "not json", '["nope"]'])),
        st.tuples(st.just("delattr"), st.sampled_from(["sweep_dims", "sweep_fingerprint", "sweep_format"])),
        st.tuples(st.just("set"), target, st.integers(0, 64), value),
        st.tuples(st.just("bytes"), target, st.integers(0, 10_000), st.binary(min_size=1, max_size=16)),
    )
    return st.lists(op, min_size=1, max_size=4)


def test_fuzz_corpus_gives_no_internal_errors_tracebacks_or_hangs(worker: Worker,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    corpus = seeds()
    tally: dict[str, Counter[str]] = {kind: Counter() for kind in EXAMPLES}
    bad: list[str] = []

    def check(kind: str, payload: Any) -> None:
        outcome, detail = worker.run(kind, payload)
        tally[kind][outcome] += 1
        if outcome not in ("accepted", "clean"):
            bad.append(f"{kind}: {outcome}: {detail}\n  case: {payload!r:.300}")

    for kind, seed_list in corpus.items():  # every seed is accepted as it is
        for seed in seed_list:
            outcome, detail = worker.run(kind, seed)
            assert outcome == "accepted", (kind, detail)

    def cases_of(kind: str, n: int) -> Any:
        strategy = sweep_ops() if kind == "sweep_file" else st.sampled_from(corpus[kind]).flatmap(mutated)

        @settings(max_examples=n, deadline=None, database=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
                                         HealthCheck.function_scoped_fixture])
        @given(case=strategy)
        def run(case: Any) -> None:
            check(kind, case)

        return run

    for kind, n in EXAMPLES.items():
        cases_of(kind, n)()

    total = Counter[str]()
    for c in tally.values():
        total.update(c)
    lines = [f"{'input':<13}{'cases':>7}{'clean errors':>14}{'accepted':>10}{'internal':>10}{'hangs':>7}{'crashes':>9}"]
    for kind, c in [*tally.items(), ("all", total)]:
        lines.append(f"{kind:<13}{sum(c.values()):>7}{c['clean']:>14}{c['accepted']:>10}{c['internal']:>10}"
                     f"{c['hang']:>7}{c['crash']:>9}")
    with capsys.disabled():
        print("\nfuzz corpus summary (issue 18):\n" + "\n".join(lines))  # noqa: T201 - the summary is the point
    assert not bad, "\n\n".join(bad[:10])
    assert sum(total.values()) >= 500
    assert total["internal"] == total["hang"] == total["crash"] == 0
