"""Locust collectors: real --csv and --json runs of four Locust versions, cross-checked, and failure paths."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evaluator.collectors import collect, detect
from evaluator.collectors.load.locust_csv import LocustCsvCollector, read_failures
from evaluator.collectors.load.locust_json import LocustJsonCollector
from evaluator.collectors.load.stats import ms_to_us
from evaluator.errors import InputError
from evaluator.evidence import item_problems
from evaluator.evidence.load import Latency, LoadTest

DATA = Path(__file__).parent.parent / "data" / "locust"
STATS = sorted(DATA.glob("*/*_stats.csv"))
SHOP_STATS = [p for p in STATS if p.name == "shop_stats.csv"]
JSON_RUNS = ["locust-2.47", "locust-2.15"]
PERCENTILES = (("p50", "50%", 50), ("p90", "90%", 90), ("p95", "95%", 95), ("p99", "99%", 99))
SECRET = "fake-0123456789abcdef"


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


def _data(path: Path, format_name: str | None = None) -> LoadTest:
    item = collect(path, format_name=format_name, now=datetime(2026, 11, 27, 18, 0, tzinfo=UTC))
    assert item_problems(item.to_json_dict()) == []
    return LoadTest.model_validate(item.data)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _endpoints(data: LoadTest) -> dict[tuple[str, str | None], object]:
    return {(e.name, e.method): e for e in data.endpoints}


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _copy_run(tmp_path: Path, run: str, prefix: str = "shop") -> Path:
    for file in (DATA / run).glob(f"{prefix}*"):
        shutil.copy(file, tmp_path / file.name)
    return tmp_path / f"{prefix}_stats.csv"


# ---- CSV: every real run, against Locust's own columns --------------------------------------------


@pytest.mark.parametrize("path", STATS, ids=_ids(STATS))
def test_every_stats_file_is_detected_and_validates(path):
    assert detect(path) is LocustCsvCollector
    item = collect(path)
    assert item_problems(item.to_json_dict()) == []
    assert (item.kind, item.schema_, item.source.format, item.source.tool) == (
        "load",
        "load/v1",
        "locust-csv",
        "locust",
    )


@pytest.mark.parametrize("path", SHOP_STATS, ids=_ids(SHOP_STATS))
def test_stats_rows_become_endpoints_and_totals(path):
    data = _data(path)
    rows = _rows(path)
    total_row = rows[-1]
    assert total_row["Name"] == "Aggregated" and total_row["Type"] == ""
    endpoints = _endpoints(data)
    assert len(endpoints) == len(rows) - 1 == 6
    assert [e.name for e in data.endpoints] == sorted(e.name for e in data.endpoints)
    for row in rows:
        traffic = data.totals if row is total_row else endpoints[(row["Name"], row["Type"])]
        requests, failures = int(row["Request Count"]), int(row["Failure Count"])
        assert (traffic.requests, traffic.failures) == (requests, failures)
        assert traffic.error_rate_bp == -(-failures * 10000 // requests)
        latency = traffic.latency_us
        assert latency.min == ms_to_us(float(row["Min Response Time"]))
        assert latency.max == ms_to_us(float(row["Max Response Time"]))
        assert latency.mean == ms_to_us(float(row["Average Response Time"]))
        for key, column, _ in PERCENTILES:
            # Locust's rounded value, clamped into [min, max] (a 2-figure rounding may pass the exact max).
            assert getattr(latency, key) == min(max(ms_to_us(float(row[column])), latency.min), latency.max)
    assert sum(e.requests for e in data.endpoints) == data.totals.requests
    assert sum(e.failures for e in data.endpoints) == data.totals.failures
    assert data.percentiles == "tool"
    assert (data.checks, data.thresholds) == ([], [])
    # The failing endpoints of the workload: /report always, /checkout on 503.
    assert endpoints[("/report", "GET")].error_rate_bp == 10000
    assert 0 < endpoints[("/checkout", "POST")].failures < endpoints[("/checkout", "POST")].requests


def test_a_percentile_above_the_exact_max_is_clamped():
    # 2.47, /checkout: the slowest response took 178.93 ms, which Locust's 99% column rounds up to 180.
    row = next(r for r in _rows(DATA / "locust-2.47" / "shop_stats.csv") if r["Name"] == "/checkout")
    assert (row["99%"], row["Max Response Time"][:6]) == ("180", "178.93")
    checkout = _endpoints(_data(DATA / "locust-2.47" / "shop_stats.csv"))[("/checkout", "POST")].latency_us
    assert checkout.p99 == checkout.max == 178932


# Per run: Aggregated requests and Requests/s (the duration is their ratio), peak users, window (epoch s).
WINDOWS = {
    "locust-2.47": (411, 51.00267643946863, 10, (1795798618, 1795798627)),
    "locust-1.1": (393, 47.88494933369836, 10, (1795798652, 1795798661)),
    # History cut short by Locust (flushed every 10 s, not at exit): start only, peak users unknown.
    "locust-2.15": (398, 48.752575595298715, None, (1795798629, None)),
    "locust-1.6": (401, 48.05466597280107, None, (1795798641, None)),
}


@pytest.mark.parametrize("run", sorted(WINDOWS))
def test_duration_window_and_users(run):
    requests, rps, users, (start, end) = WINDOWS[run]
    path = DATA / run / "shop_stats.csv"
    item = collect(path)
    data = LoadTest.model_validate(item.data)
    assert data.duration_ms == round(requests / rps * 1000)
    assert 8000 < data.duration_ms < 8400  # users send for 8 s, from the first spawn
    assert data.vus_max == users
    assert item.observed is not None
    assert item.observed.start == _utc(start)
    expected_end = _utc(end) if end is not None else _utc(start + data.duration_ms / 1000)
    assert item.observed.end == expected_end
    # Throughput: requests over the duration, Locust's Requests/s column within rounding (the duration is
    # whole milliseconds: ±0.5 ms), total and per endpoint.
    tolerance = rps * 1000 / data.duration_ms + 1
    assert abs(data.totals.throughput_mrps - rps * 1000) <= tolerance
    for row in _rows(path)[:-1]:
        endpoint = _endpoints(data)[(row["Name"], row["Type"])]
        assert abs(endpoint.throughput_mrps - float(row["Requests/s"]) * 1000) <= tolerance


def test_history_with_every_endpoint_and_a_row_cut_short(tmp_path):
    # --csv-full-history adds per-endpoint rows (ignored); a last row cut off by an unflushed buffer is dropped.
    path = _copy_run(tmp_path, "locust-2.47")
    history = tmp_path / "shop_stats_history.csv"
    text = history.read_text()
    lines = text.splitlines(keepends=True)
    endpoint_row = lines[-1].replace(",,Aggregated,", ",GET,/health,").replace(",10,", ",99,", 1)
    history.write_text("".join(lines[:-1]) + endpoint_row + lines[-1] + "1795798140,12,,Aggre")
    item = collect(path)
    assert LoadTest.model_validate(item.data).vus_max == 10
    assert item.observed.end == _utc(1795798627)


def test_stats_alone_has_no_window(tmp_path):
    path = tmp_path / "renamed.csv"  # not named PREFIX_stats.csv: no siblings are looked for
    shutil.copy(DATA / "locust-2.47" / "shop_stats.csv", path)
    item = collect(path)
    assert item.observed is None
    data = LoadTest.model_validate(item.data)
    assert (data.duration_ms, data.vus_max, data.totals.requests) == (8058, None, 411)


@pytest.mark.parametrize("run", ["locust-2.47", "locust-1.6"])
def test_a_run_without_requests_is_valid_evidence(run):
    item = collect(DATA / run / "idle_stats.csv")
    assert item_problems(item.to_json_dict()) == []
    data = LoadTest.model_validate(item.data)
    assert data.endpoints == []
    assert (data.totals.requests, data.totals.failures, data.totals.error_rate_bp) == (0, 0, 0)
    assert data.totals.latency_us == Latency()
    assert data.vus_max is None  # nothing tells whether the history is complete
    assert data.duration_ms == (2000 if run == "locust-2.47" else 0)  # the history's span
    assert data.totals.throughput_mrps == (0 if run == "locust-2.47" else None)


# ---- failures file ---------------------------------------------------------------------------------


@pytest.mark.parametrize("run", sorted(WINDOWS))
def test_failures_are_read_masked_and_match_the_stats(run):
    groups = read_failures(DATA / run / "shop_failures.csv")
    stats = {(r["Type"], r["Name"]): int(r["Failure Count"]) for r in _rows(DATA / run / "shop_stats.csv")}
    assert {(g.method, g.name) for g in groups} == {("GET", "/report"), ("POST", "/checkout")}
    for group in groups:
        assert group.occurrences == stats[(group.method, group.name)]
        assert SECRET not in group.message
        assert len(group.message) <= 200
    checkout = next(g for g in groups if g.name == "/checkout")
    assert "payment declined: api_key=[REDACTED]" in checkout.message
    report = next(g for g in groups if g.name == "/report")
    assert "500 Server Error" in report.message


def test_failures_from_another_run_are_refused(tmp_path):
    path = _copy_run(tmp_path, "locust-2.47")
    failures = tmp_path / "shop_failures.csv"
    failures.write_text(failures.read_text().replace("gateway timeout'),6,", "gateway timeout'),7,"))
    with pytest.raises(InputError, match=r"lists 39 failures but shop_stats\.csv counts 38: the files are from"):
        collect(path)


def test_history_from_another_run_is_refused(tmp_path):
    path = _copy_run(tmp_path, "locust-2.47")
    history = tmp_path / "shop_stats_history.csv"
    history.write_text(history.read_text().replace(",411,38,", ",500,38,"))
    with pytest.raises(InputError, match=r"counts 500 requests, more than the 411 of shop_stats\.csv"):
        collect(path)


@pytest.mark.parametrize("name", ["shop_stats_history.csv", "shop_failures.csv"])
def test_passing_a_sibling_names_the_stats_file(tmp_path, name):
    _copy_run(tmp_path, "locust-2.47")
    with pytest.raises(InputError, match=r"pass shop_stats\.csv .* instead") as caught:
        collect(tmp_path / name)
    assert "\n" not in str(caught.value)
    assert detect(tmp_path / name) is LocustCsvCollector


def test_a_credential_in_an_endpoint_name_is_masked(tmp_path):
    path = _copy_run(tmp_path, "locust-2.47")
    token = "ghp_" + "a1B2c3D4" * 5
    path.write_text(path.read_text().replace("/health", f"/health?token={token}"))
    item = collect(path)
    assert token not in json.dumps(item.to_json_dict())
    assert ("/health?token=[REDACTED]", "GET") in _endpoints(LoadTest.model_validate(item.data))


# ---- JSON: against the CSV of the same run ---------------------------------------------------------


@pytest.mark.parametrize("run", JSON_RUNS)
def test_json_is_detected_and_matches_the_csv_of_the_same_run(run):
    path = DATA / run / "shop.json"
    assert detect(path) is LocustJsonCollector
    item = collect(path)
    assert (item.source.format, item.source.tool) == ("locust-json", "locust")
    data = _data(path)
    from_csv = _data(DATA / run / "shop_stats.csv")
    assert data.percentiles == "histogram"
    csv_endpoints = _endpoints(from_csv)
    assert set(_endpoints(data)) == set(csv_endpoints)
    pairs = [(data.totals, from_csv.totals)] + [(e, csv_endpoints[(e.name, e.method)]) for e in data.endpoints]
    compared = exact = 0
    for ours, theirs in pairs:
        assert (ours.requests, ours.failures, ours.error_rate_bp) == (
            theirs.requests,
            theirs.failures,
            theirs.error_rate_bp,
        )
        # Locust keeps min, max and the sum exact: the same numbers as the CSV's columns.
        assert (ours.latency_us.min, ours.latency_us.max) == (theirs.latency_us.min, theirs.latency_us.max)
        assert abs(ours.latency_us.mean - theirs.latency_us.mean) <= 1
        for key, _, p in PERCENTILES:
            mine, locust = getattr(ours.latency_us, key), getattr(theirs.latency_us, key)
            compared += 1
            # Same buckets; Locust takes rank floor(n·p)+1, nearest rank ceil(n·p): equal unless n·p is whole.
            if ours.requests * p % 100:
                assert mine == locust, (ours, key)
                exact += 1
            else:
                assert mine <= locust, (ours, key)
    assert compared == 28 and exact >= 20
    # The window: first request to last request start, a little shorter than Locust's own (from test start).
    assert 0 <= from_csv.duration_ms - data.duration_ms < 200
    assert data.vus_max is None


def test_json_window_is_first_start_to_last_request():
    path = DATA / "locust-2.47" / "shop.json"
    entries = json.loads(path.read_text())
    start = min(e["start_time"] for e in entries)
    end = max(e["last_request_timestamp"] for e in entries)
    item = collect(path)
    assert (item.observed.start, item.observed.end) == (_utc(start), _utc(end))
    data = LoadTest.model_validate(item.data)
    assert data.duration_ms == round((end - start) * 1000) == 7944
    assert data.totals.throughput_mrps == 411 * 1_000_000 // 7944


def test_json_p95_from_the_histogram_by_hand():
    # /products/[id] of 2.47: nearest rank ceil(132 · 0.95) = 126 over the sorted buckets.
    entry = next(
        e for e in json.loads((DATA / "locust-2.47" / "shop.json").read_text()) if e["name"] == "/products/[id]"
    )
    samples = sorted(int(ms) for ms, count in entry["response_times"].items() for _ in range(count))
    assert len(samples) == 132
    endpoint = _endpoints(_data(DATA / "locust-2.47" / "shop.json"))[("/products/[id]", "GET")]
    assert endpoint.latency_us.p95 == samples[126 - 1] * 1000 == 25000
    assert endpoint.latency_us.p50 == samples[66 - 1] * 1000 == 12000


def test_json_without_requests_needs_the_format_named():
    path = DATA / "locust-2.47" / "idle.json"
    assert path.read_text() == "[]"
    with pytest.raises(InputError, match="format not recognised"):
        collect(path)
    data = _data(path, "locust-json")
    assert (data.totals.requests, data.duration_ms, data.endpoints) == (0, 0, [])


# ---- failure paths: one clear line each ------------------------------------------------------------


def _one_line(caught: pytest.ExceptionInfo[InputError]) -> str:
    text = str(caught.value)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_missing_column_is_named(tmp_path):
    rows = _rows(DATA / "locust-2.47" / "shop_stats.csv")
    path = tmp_path / "cut_stats.csv"
    with open(path, "w", newline="") as fh:
        fields = [f for f in rows[0] if f != "Failure Count"]
        writer = csv.DictWriter(fh, fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    assert detect(path) is LocustCsvCollector
    with pytest.raises(InputError) as caught:
        collect(path)
    assert _one_line(caught) == f"{path}:1: the header lacks the column 'Failure Count'"


def test_truncated_stats_are_refused(tmp_path):
    real = (DATA / "locust-2.47" / "shop_stats.csv").read_bytes()
    path = tmp_path / "shop_stats.csv"
    path.write_bytes(real[: len(real) - 40])  # inside the Aggregated row
    with pytest.raises(InputError) as caught:
        collect(path)
    assert "truncated" in _one_line(caught)
    assert caught.value.line == 8
    path.write_bytes(real[: real.index(b",Aggregated")])  # at a row boundary: no total
    with pytest.raises(InputError, match="no Aggregated row: the file ends before Locust's total"):
        collect(path)


def test_a_cell_that_is_not_a_number_is_named(tmp_path):
    path = _copy_run(tmp_path, "locust-2.47")
    path.write_text(path.read_text().replace("GET,/report,32,", "GET,/report,thirty,"))
    with pytest.raises(InputError) as caught:
        collect(path)
    assert _one_line(caught).endswith(":6: column 'Request Count' is 'thirty', expected a number >= 0")


@pytest.mark.parametrize("name", ["empty_stats.csv", "empty.json"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    for content in ("", " \n"):
        path.write_text(content)
        with pytest.raises(InputError, match="file is empty"):
            collect(path)
        with pytest.raises(InputError, match="file is empty"):
            collect(path, format_name="locust-csv" if name.endswith(".csv") else "locust-json")
    with pytest.raises(InputError, match="file is empty"):
        LocustCsvCollector().collect(tmp_path / "empty_stats.csv" if name.endswith(".csv") else path)


K6_SUMMARY = {
    "root_group": {"name": "", "path": "", "checks": {}},
    "metrics": {"http_reqs": {"count": 10, "rate": 1.0}, "http_req_duration": {"avg": 12.5, "p(95)": 20}},
}


def test_another_tools_json_is_refused(tmp_path):
    path = tmp_path / "k6-summary.json"
    path.write_text(json.dumps(K6_SUMMARY))
    assert not LocustJsonCollector.detect(path.read_bytes())
    with pytest.raises(InputError) as caught:
        collect(path, format_name="locust-json")
    assert "not Locust --json output: the top level is an object, expected a list of endpoints" in _one_line(caught)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([1, 2], "entry 1 is not an object with endpoint stats"),
        ([{"name": "/a", "method": "GET"}], "entry 1 has no 'num_requests', 'num_failures', 'response_times'"),
        ("stats", "the top level is a str"),
        (
            [{"name": "/a", "method": "GET", "num_requests": 3, "num_failures": 0, "response_times": {"5": 2}}],
            "entry 1 ('/a'): response_times hold 2 samples but num_requests - num_none_requests is 3",
        ),
        (
            [{"name": "/a", "method": "GET", "num_requests": 1, "num_failures": 2, "response_times": {"5": 1}}],
            "2 failures, 0 untimed of 1 requests",
        ),
        (
            [{"name": "/a", "method": "GET", "num_requests": "1", "num_failures": 0, "response_times": {}}],
            "'num_requests' is '1', expected a whole number",
        ),
        (
            [{"name": "/a", "method": "GET", "num_requests": 1, "num_failures": 0, "response_times": {"fast": 1}}],
            "response_times has 'fast': 1, expected milliseconds: count",
        ),
    ],
)
def test_json_that_is_not_locust_stats_is_refused(tmp_path, document, message):
    path = tmp_path / "stats.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InputError) as caught:
        collect(path, format_name="locust-json")
    assert message in _one_line(caught)


def test_truncated_json_names_line_and_column(tmp_path):
    real = (DATA / "locust-2.47" / "shop.json").read_text()
    path = tmp_path / "shop.json"
    path.write_text(real[: len(real) // 2])
    assert detect(path) is LocustJsonCollector
    with pytest.raises(InputError) as caught:
        collect(path)
    text = _one_line(caught)
    assert "malformed JSON" in text and "truncated?" in text
    assert caught.value.line is not None and caught.value.column is not None


def test_missing_file_and_directory(tmp_path):
    for collector in (LocustCsvCollector(), LocustJsonCollector()):
        with pytest.raises(InputError, match="file not found"):
            collector.collect(tmp_path / "absent_stats.csv")
        with pytest.raises(InputError, match="is a directory"):
            collector.collect(tmp_path)


# ---- detection -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        b"Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
        b"Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,100%\r\n",
        b'"Method","Name","# requests","# failures","Median response time","Average response time",'
        b'"Min response time","Max response time","Average Content Size","Requests/s"\n',
        b"\xef\xbb\xbfType,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
        b"Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s\n",
    ],
)
def test_detects_stats_headers(head):
    assert LocustCsvCollector.detect(head)
    assert not LocustJsonCollector.detect(head)


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes\n",
        b"Label,# Samples,Average,Median,90% Line,95% Line,99% Line,Min,Max,Error %,Throughput\n",
        b'{"metrics": {"http_reqs": {"count": 1}}}',
        b'<testsuite name="x"/>',
        b"Name,Request Count\n",
    ],
)
def test_rejects_other_content(head):
    assert not LocustCsvCollector.detect(head)
    assert not LocustJsonCollector.detect(head)


def test_another_tools_csv_is_refused(tmp_path):
    path = tmp_path / "results.jtl"
    path.write_text("timeStamp,elapsed,label,responseCode,success,bytes\n1795798618000,12,home,200,true,512\n")
    with pytest.raises(InputError) as caught:
        collect(path, format_name="locust-csv")
    assert "not a Locust stats CSV: the first line is not its header" in _one_line(caught)
    assert caught.value.line == 1


def test_rows_after_the_total_and_history_going_backwards_are_refused(tmp_path):
    path = _copy_run(tmp_path, "locust-2.47")
    text = path.read_text()
    path.write_text(text + text.splitlines(keepends=True)[1])
    with pytest.raises(InputError, match="a row follows the Aggregated row, which Locust writes last"):
        collect(path)
    path.write_text(text)
    history = tmp_path / "shop_stats_history.csv"
    lines = history.read_text().splitlines(keepends=True)
    history.write_text("".join([lines[0], lines[2], lines[1], *lines[3:]]))
    with pytest.raises(InputError, match="timestamps go backwards"):
        collect(path)
