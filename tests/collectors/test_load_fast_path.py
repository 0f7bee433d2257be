"""The DuckDB fast path of the JTL CSV and k6 NDJSON collectors gives exactly what their own readers give.

Every JTL CSV and k6 stream under tests/data is collected twice, with DuckDB and with READINESS_NO_DUCKDB=1,
and the results must be equal, with DuckDB actually used the first time. Files DuckDB rejects, or accepts
but our rules reject, must come back with the collector's own one-line error.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import duckdb
import pytest

from evaluator.collectors.load import k6_json, sql, stats
from evaluator.collectors.load.jmeter_jtl_csv import JMeterJtlCsvCollector
from evaluator.collectors.load.k6_json import K6JsonCollector
from evaluator.errors import InputError

DATA = Path(__file__).parent.parent / "data"
JTL = sorted(p for p in (DATA / "jmeter").glob("*.jtl.csv"))
K6_STREAMS = [DATA / "k6" / "run-stream.json", DATA / "k6" / "run-stream.json.gz", DATA / "k6" / "nothing-stream.json"]


@pytest.fixture
def scans(monkeypatch):
    """The outcome of every DuckDB scan made."""
    outcomes: list[bool] = []
    real = sql.scan

    def spy(*args, **kwargs):
        outcomes.append(real(*args, **kwargs))
        return outcomes[-1]

    monkeypatch.setattr(sql, "scan", spy)
    return outcomes


def _both(collector, path: Path, monkeypatch, scans):
    def run():
        collected = collector().collect(path)
        return collected.data.model_dump(), collected.observed_start, collected.observed_end

    monkeypatch.setenv("READINESS_NO_DUCKDB", "1")
    own = run()
    assert scans == [False] * len(scans)
    monkeypatch.delenv("READINESS_NO_DUCKDB")
    fast = run()
    return own, fast


@pytest.mark.parametrize("path", JTL, ids=lambda p: p.name)
def test_jtl_fast_path_equals_the_streaming_reader(path, monkeypatch, scans):
    own, fast = _both(JMeterJtlCsvCollector, path, monkeypatch, scans)
    assert scans[-1] is True
    assert fast == own


@pytest.mark.parametrize("path", K6_STREAMS, ids=lambda p: p.name)
def test_k6_fast_path_equals_the_streaming_reader(path, monkeypatch, scans):
    own, fast = _both(K6JsonCollector, path, monkeypatch, scans)
    assert scans and all(scans[len(scans) // 2 :])
    assert fast == own


def test_k6_fast_path_on_a_generated_stream_with_every_latency_range(tmp_path, monkeypatch, scans):
    """Latencies from 0 to minutes (every bucket width), checks, vus, failures by status and by metric."""
    rnd = random.Random(7)
    lines = []
    for n in range(6000):
        value = round(rnd.choice([rnd.random() * 10, rnd.random() * 1000, rnd.random() * 200_000]), 3)
        name, status = f"GET /e{n % 5}", rnd.choice(["200", "200", "503", "0"])
        tags = f'{{"name":"{name}","method":"GET","status":"{status}","group":"::g"}}'
        stamp = f"2026-11-27T10:{n // 600:02d}:{n % 60:02d}.{n % 1000:03d}+01:00"
        lines.append(
            f'{{"type":"Point","metric":"http_req_duration","data":{{"time":"{stamp}","value":{value},"tags":{tags}}}}}'
        )
        failed = int(status != "200")
        lines.append(
            f'{{"type":"Point","metric":"http_req_failed","data":{{"time":"{stamp}","value":{failed},"tags":{tags}}}}}'
        )
        check = '{"check":"ok","group":"::g"}'
        lines.append(
            f'{{"type":"Point","metric":"checks","data":{{"time":"{stamp}","value":{1 - failed},"tags":{check}}}}}'
        )
        lines.append(f'{{"type":"Point","metric":"vus","data":{{"time":"{stamp}","value":{n % 40},"tags":{{}}}}}}')
    path = tmp_path / "stream.json.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    own, fast = _both(K6JsonCollector, path, monkeypatch, scans)
    assert scans[-2:] == [True, True]
    assert fast == own
    assert own[0]["vus_max"] == 39 and own[0]["totals"]["requests"] == 6000


def test_the_sql_bucket_is_stats_bucket():
    values = [0, 1, 9_999, 10_000, 10_001, 99_999, 100_000, 123_456, 999_999, 1_000_000, 987_654_321, 2**40 + 7]
    values += [random.Random(1).randrange(0, 10**12) for _ in range(2000)]
    con = duckdb.connect()
    rows = con.execute(f"SELECT us, {k6_json._BUCKET_SQL} FROM unnest($v) AS t(us)", {"v": values}).fetchall()
    assert [b for _, b in rows] == [stats.bucket(v) for v, _ in rows]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("timeStamp,elapsed,label,success\n1,2,a,true\n3,x,a,true\n", "elapsed is 'x', expected a whole number"),
        ("timeStamp,elapsed,label,success\n1,2,a,true\n3,4,a,yes\n", "success is 'yes', expected true or false"),
        ("timeStamp,elapsed,label,success\n1,2,a,true\n3,4,a\n", "a row of 3 fields, expected 4 (truncated?)"),
        ("timeStamp,elapsed,label,success\n1,2,a,true\n3,,a,true\n", "elapsed is '', expected a whole number"),
    ],
)
def test_jtl_rows_the_fast_path_refuses_get_the_readers_error(tmp_path, content, message, scans):
    path = tmp_path / "bad.jtl"
    path.write_text(content)
    with pytest.raises(InputError) as raised:
        JMeterJtlCsvCollector().collect(path)
    assert (raised.value.message, raised.value.line) == (message, 3)
    assert scans == [False] or scans == [True]  # refused by DuckDB, or by the value check after it


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            '{"type":"Point","metric":"vus","data":{"time":"2026-11-27T10:00:00Z","value":"x","tags":{}}}',
            "value is 'x'",
        ),
        ('{"type":"Point","metric":"vus","data":{"time":"yesterday","value":1,"tags":{}}}', "is not an RFC 3339"),
        ('{"type":"Point","metric":"http_req_duration","data":{"time":"2026-11-27T10:00:00Z","value":-1}}', "negative"),
        ("[1, 2]", "not a k6 record"),
    ],
)
def test_k6_records_the_fast_path_refuses_get_the_readers_error(tmp_path, record, message):
    good = '{"type":"Point","metric":"vus","data":{"time":"2026-11-27T10:00:00Z","value":1,"tags":{}}}'
    path = tmp_path / "bad.json"
    path.write_text(f"{good}\n{record}\n")
    with pytest.raises(InputError) as raised:
        K6JsonCollector().collect(path)
    assert message in raised.value.message and raised.value.line == 2


def test_duckdb_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("READINESS_NO_DUCKDB", "1")
    assert sql.available() is False
    assert sql.scan(tmp_path, "SELECT 1", {}, lambda rows: None) is False


def test_duckdb_runs_silently_within_its_limits(tmp_path):
    """No progress bar of DuckDB's own on stdout (ours follows query_progress), the memory limit, no extensions."""
    rows: list[tuple] = []
    query = (
        "SELECT current_setting('enable_progress_bar'), current_setting('memory_limit'), "
        "current_setting('autoload_known_extensions'), current_setting('threads'), $path"
    )
    assert sql.scan(tmp_path, query, {}, rows.extend) is True
    ((progress, memory, autoload, threads, path),) = rows
    assert (progress, autoload, threads, path) == (False, False, sql.THREADS, str(tmp_path))
    assert memory.replace(" ", "").upper().startswith(("122", "128"))  # DuckDB prints 128MB as its MiB value


def test_a_duckdb_failure_at_any_step_is_a_refusal_not_a_crash(tmp_path, monkeypatch):
    import duckdb as real

    def broken(*args, **kwargs):
        raise real.InvalidInputException("cannot connect")

    monkeypatch.setattr(real, "connect", broken)
    assert sql.scan(tmp_path, "SELECT 1", {}, lambda rows: None) is False
