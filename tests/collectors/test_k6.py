"""k6 collectors: real summaries and metric streams checked against k6's own numbers, detection, failure paths."""

from __future__ import annotations

import gzip
import json
import math
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors import collect, detect
from evaluator.collectors.interface import HEAD_BYTES
from evaluator.collectors.load import k6_json
from evaluator.collectors.load.k6_common import split_metric_key
from evaluator.collectors.load.k6_handle_summary import K6HandleSummaryCollector
from evaluator.collectors.load.k6_json import K6JsonCollector
from evaluator.collectors.load.k6_summary_export import K6SummaryExportCollector
from evaluator.collectors.load.k6_summary_v2 import K6SummaryV2Collector
from evaluator.collectors.load.stats import bucket, ms_to_us
from evaluator.errors import InputError
from evaluator.evidence import item_problems

DATA = Path(__file__).parent.parent / "data" / "k6"
SHARED = Path("/work/shared/samples/loadtest")
K6_COLLECTORS = (K6SummaryExportCollector, K6HandleSummaryCollector, K6JsonCollector, K6SummaryV2Collector)
SAMPLES = sorted(p.name for p in DATA.iterdir() if p.name.endswith((".json", ".gz")))


def _item(path: Path, **kwargs: Any) -> dict[str, Any]:
    item = collect(path, **kwargs).to_json_dict()
    assert item_problems(item) == []
    return item


def _k6_numbers(name: str) -> dict[str, Any]:
    """The handleSummary data k6 wrote for the run (its own aggregates)."""
    return json.loads((DATA / name).read_text())["metrics"]


def _write(tmp_path: Path, content: str | bytes, name: str = "k6.json") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


# ---- every sample: format, tool, totals -----------------------------------------------------------

# format, (requests, failures, error_rate_bp), duration_ms, vus_max, percentiles, tool_version, observed
EXPECTED = {
    "k6_v0.3x_summary_export_2021.json": ("k6-summary-export", (493168, 0, 0), 115009, 149, "tool", None, None),
    "k6_handlesummary_data_2025.json": ("k6-summary", (950, 7, 74), 40803, 5, "tool", None, None),
    "run-summary-export.json": ("k6-summary-export", (78, 9, 1154), 3090, 2, "tool", None, None),
    "run-handle-summary.json": ("k6-summary", (78, 9, 1154), 3090, 2, "tool", None, None),
    "run-stream.json": (
        "k6-json",
        (78, 9, 1154),
        3083,
        2,
        "histogram",
        None,
        ("2026-11-27T16:47:41.637216Z", "2026-11-27T16:47:44.721015Z"),
    ),
    "run-stream.json.gz": (
        "k6-json",
        (78, 9, 1154),
        3083,
        2,
        "histogram",
        None,
        ("2026-11-27T16:47:41.637216Z", "2026-11-27T16:47:44.721015Z"),
    ),
    "handmade-summary-v2.json": ("k6-summary-v2", (78, 9, 1154), 3090, 2, "tool", "2.0.0", None),
    "nothing-summary-export.json": ("k6-summary-export", (0, 0, 0), 100, None, "tool", None, None),
    "nothing-handle-summary.json": ("k6-summary", (0, 0, 0), 100, None, "tool", None, None),
    "nothing-stream.json": (
        "k6-json",
        (0, 0, 0),
        0,
        None,
        "histogram",
        None,
        ("2026-11-27T16:47:44.859693Z", "2026-11-27T16:47:44.859693Z"),
    ),
}


def test_every_sample_is_listed():
    assert sorted(EXPECTED) == SAMPLES
    for name in SAMPLES:
        assert (DATA / name).stat().st_size < 1024 * 1024, name


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_is_detected_and_read(name):
    fmt, (requests, failures, rate), duration_ms, vus_max, percentiles, version, observed = EXPECTED[name]
    path = DATA / name
    head = path.read_bytes()[:HEAD_BYTES]
    assert [c.format for c in K6_COLLECTORS if c.detect(head)] == [fmt]
    assert detect(path).format == fmt
    item = _item(path, item_id="load-k6", environment="staging")
    assert (item["kind"], item["schema"]) == ("load", "load/v1")
    assert item["source"]["format"] == fmt
    assert item["source"]["tool"] == "k6"
    assert item["source"].get("tool_version") == version
    data = item["data"]
    totals = data["totals"]
    assert (totals["requests"], totals["failures"], totals["error_rate_bp"]) == (requests, failures, rate)
    assert data["duration_ms"] == duration_ms
    assert data.get("vus_max") == vus_max
    assert data["percentiles"] == percentiles
    if observed is None:
        assert item.get("observed") is None
    else:
        assert (item["observed"]["start"], item["observed"]["end"]) == observed


# ---- summaries: k6's numbers, passes/fails, thresholds ---------------------------------------------


def test_summary_export_numbers_are_k6s():
    data = _item(DATA / "run-summary-export.json")["data"]
    assert data["totals"] == {
        "requests": 78,
        "failures": 9,
        "error_rate_bp": 1154,
        "throughput_mrps": 25239,
        "latency_us": {
            "min": 5526,
            "mean": 45407,
            "p50": 57122,
            "p90": 71882,
            "p95": 72623,
            "p99": 79639,
            "max": 79682,
        },
    }
    assert [(e["name"], e["requests"], e["failures"], e["latency_us"]["p95"]) for e in data["endpoints"]] == [
        ("GET /api/items", 26, 0, 6372),
        ("GET /api/items/:id", 26, 3, 60829),
        ("POST /api/orders", 26, 6, 78655),
    ]
    assert data["checks"] == [
        {"name": "browse::item is 200", "passes": 23, "fails": 3},
        {"name": "browse::list is 200", "passes": 26, "fails": 0},
        {"name": "buy::order is 201", "passes": 20, "fails": 6},
    ]


def test_http_req_failed_passes_are_failed_requests():
    # k6's rate metric counts non-zero samples as "passes"; http_req_failed is 1 for a failed request.
    raw = json.loads((DATA / "run-summary-export.json").read_text())["metrics"]["http_req_failed"]
    assert (raw["passes"], raw["fails"]) == (9, 69)
    statuses = [
        r["data"]["tags"]["status"]
        for r in _records(DATA / "run-stream.json")
        if r["type"] == "Point" and r["metric"] == "http_req_duration"
    ]
    assert sum(s in ("404", "500") for s in statuses) == 9
    assert _item(DATA / "run-summary-export.json")["data"]["totals"]["failures"] == 9
    # The 2021 export: 493168 requests, all checks passed, passes 0 = no failed request.
    assert _item(DATA / "k6_v0.3x_summary_export_2021.json")["data"]["totals"]["failures"] == 0
    # The 2025 handleSummary: rate 0.0074 = 7 / 950, and 7 failed checks.
    assert _item(DATA / "k6_handlesummary_data_2025.json")["data"]["totals"]["failures"] == 7


def test_export_threshold_true_means_crossed():
    raw = json.loads((DATA / "run-summary-export.json").read_text())["metrics"]
    assert raw["http_req_failed"]["thresholds"] == {"rate<0.01": True}  # rate was 11.5 %: crossed
    thresholds = _item(DATA / "run-summary-export.json")["data"]["thresholds"]
    assert len(thresholds) == 12
    failed = [(t["metric"], t["expression"]) for t in thresholds if not t["ok"]]
    # k6 said: thresholds on metrics 'http_req_duration, http_req_failed, http_req_failed{name:POST /api/orders}'
    # have been crossed (exit code 99).
    assert failed == [
        ("http_req_duration", "avg<5"),
        ("http_req_failed", "rate<0.01"),
        ("http_req_failed{name:POST /api/orders}", "rate<0.1"),
    ]


def test_export_and_handle_summary_of_one_run_agree():
    export = _item(DATA / "run-summary-export.json")["data"]
    handle = _item(DATA / "run-handle-summary.json")["data"]
    v2 = _item(DATA / "handmade-summary-v2.json")["data"]
    assert export == handle == v2


def test_handle_summary_thresholds_and_checks():
    data = _item(DATA / "k6_handlesummary_data_2025.json")["data"]
    assert data["thresholds"] == [
        {"metric": "http_req_duration", "expression": "p(98)<200", "ok": False},
        {"metric": "http_req_failed", "expression": "rate<0.01", "ok": True},
    ]
    assert {c["name"]: (c["passes"], c["fails"]) for c in data["checks"]}["OG response status is 200"] == (165, 7)
    assert data["endpoints"] == []
    assert data["totals"]["latency_us"] == {"min": 1716, "mean": 29550, "p50": 8163, "max": 483387}  # only p(98)
    assert data["totals"]["throughput_mrps"] == 23282


def test_zero_requests_invent_nothing():
    for name in ("nothing-summary-export.json", "nothing-handle-summary.json", "nothing-stream.json"):
        data = _item(DATA / name)["data"]
        # k6 writes http_req_duration zeros for the empty run: they are not measurements.
        assert data["totals"] == {"requests": 0, "failures": 0, "error_rate_bp": 0, "latency_us": {}}, name
        assert data["endpoints"] == [] and data["checks"] == []


def test_v2_summary_reads_version_and_thresholds():
    item = _item(DATA / "handmade-summary-v2.json")
    assert item["source"]["tool_version"] == "2.0.0"
    assert {"metric": "http_req_duration", "expression": "avg<5", "ok": False} in item["data"]["thresholds"]


# ---- the NDJSON stream against k6's own summary of the same run -----------------------------------


def _records(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _durations(records: list[dict[str, Any]], name: str | None = None) -> list[int]:
    return sorted(
        ms_to_us(r["data"]["value"])
        for r in records
        if r["type"] == "Point"
        and r["metric"] == "http_req_duration"
        and (name is None or r["data"]["tags"]["name"] == name)
    )


def _assert_matches_k6(ours: dict[str, int], samples: list[int], k6: dict[str, float]) -> None:
    assert len(samples) == k6["count"]
    assert ours["min"] == ms_to_us(k6["min"]) and ours["max"] == ms_to_us(k6["max"])
    assert abs(ours["mean"] - k6["avg"] * 1000) <= 1
    for key, p in (("p50", "med"), ("p90", "p(90)"), ("p95", "p(95)"), ("p99", "p(99)")):
        q = {"p50": 50, "p90": 90, "p95": 95, "p99": 99}[key]
        rank = max(1, math.ceil(q / 100 * len(samples)))
        exact = samples[rank - 1]  # nearest rank
        # The histogram keeps 3 significant digits (truncated): the error is under 1 % of the sample value.
        # (stats.py's docstring says 0.1 %; 57092 µs is kept as 57000, 0.16 % off: reported to its owner.)
        assert ours[key] == (exact if rank == len(samples) else max(bucket(exact), samples[0])), key
        assert 0 <= exact - ours[key] < exact / 100, key
        # k6 interpolates linearly between the two samples around (n - 1) * q: the nearest rank is one of them.
        position = (len(samples) - 1) * q / 100
        low, high = samples[math.floor(position)], samples[math.ceil(position)]
        assert low - 1 <= k6[p] * 1000 <= high + 1, key
        assert exact in (low, high, samples[min(math.ceil(position) + 1, len(samples) - 1)])


@pytest.mark.parametrize("name", ["run-stream.json", "run-stream.json.gz"])
def test_stream_matches_k6_summary_of_the_same_run(name):
    item = _item(DATA / name)
    data = item["data"]
    k6 = _k6_numbers("run-handle-summary.json")
    records = _records(DATA / name)
    _assert_matches_k6(data["totals"]["latency_us"], _durations(records), k6["http_req_duration"]["values"])
    assert data["totals"]["requests"] == k6["http_reqs"]["values"]["count"]
    assert data["totals"]["failures"] == k6["http_req_failed"]["values"]["passes"]
    for endpoint in data["endpoints"]:
        tagged = f"{{name:{endpoint['name']}}}"
        _assert_matches_k6(
            endpoint["latency_us"], _durations(records, endpoint["name"]), k6[f"http_req_duration{tagged}"]["values"]
        )
        assert endpoint["requests"] == k6[f"http_reqs{tagged}"]["values"]["count"]
        assert endpoint["failures"] == k6[f"http_req_failed{tagged}"]["values"]["passes"]
    assert [(e["name"], e["method"]) for e in data["endpoints"]] == [
        ("GET /api/items", "GET"),
        ("GET /api/items/:id", "GET"),
        ("POST /api/orders", "POST"),
    ]
    assert data["checks"] == _item(DATA / "run-handle-summary.json")["data"]["checks"]
    assert data["vus_max"] == k6["vus"]["values"]["max"]
    # The window spans the samples; k6's testRunDurationMs (3090) also counts start-up and tear-down.
    assert abs(data["duration_ms"] - 3090) < 50
    assert data["thresholds"] == []  # the stream names thresholds but never says whether they held
    assert data["totals"]["throughput_mrps"] == 78 * 1_000_000 // 3083


def test_gzip_and_plain_stream_give_the_same_data():
    assert _item(DATA / "run-stream.json")["data"] == _item(DATA / "run-stream.json.gz")["data"]


def test_status_tags_count_failures_without_http_req_failed(tmp_path):
    # k6 before v0.31 wrote no http_req_failed: a status of 0 or >= 400 counts as failed.
    kept = [json.dumps(r) for r in _records(DATA / "run-stream.json") if r["metric"] != "http_req_failed"]
    data = _item(_write(tmp_path, "\n".join(kept) + "\n"))["data"]
    assert (data["totals"]["requests"], data["totals"]["failures"]) == (78, 9)


def test_old_stream_records_with_null_tags(tmp_path):
    lines = [
        '{"type":"Metric","data":{"type":"gauge","contains":"default","tainted":null,"thresholds":[],'
        '"submetrics":null},"metric":"vus"}',
        '{"type":"Point","data":{"time":"2017-05-09T14:34:45.625742514+02:00","value":5,"tags":null},"metric":"vus"}',
        '{"type":"Point","data":{"time":"2017-05-09T14:34:45.239531499+02:00","value":459.865729,"tags":{"group":'
        '"::my group::json","method":"GET","status":"200","url":"https://httpbin.org/get"}},"metric":"http_req_duration"}',
    ]
    item = _item(_write(tmp_path, "\n".join(lines)))
    assert item["observed"] == {"start": "2017-05-09T12:34:45.239531Z", "end": "2017-05-09T12:34:45.625742Z"}
    data = item["data"]
    assert data["vus_max"] == 5 and data["duration_ms"] == 386
    assert data["endpoints"][0]["name"] == "https://httpbin.org/get"  # no name tag: the url
    assert data["endpoints"][0]["latency_us"]["p95"] == 459866


def test_stream_memory_stays_bounded(tmp_path, monkeypatch):
    monkeypatch.setenv("READINESS_NO_DUCKDB", "1")  # the streaming reader's own memory; DuckDB has its limit
    path = tmp_path / "big.json"
    with open(path, "w") as fh:
        for i in range(40_000):
            tags = f'{{"method":"GET","name":"GET /e{i % 7}","status":"{500 if i % 50 == 0 else 200}"}}'
            time = f"2026-11-27T10:{i // 6000:02d}:{(i // 100) % 60:02d}.{i % 100:02d}0000Z"
            for metric, value in (("http_req_duration", i % 997 + 0.5), ("http_req_failed", int(i % 50 == 0))):
                data = f'{{"time":"{time}","value":{value},"tags":{tags}}}'
                fh.write(f'{{"metric":"{metric}","type":"Point","data":{data}}}\n')
    assert path.stat().st_size > 8 * 1024 * 1024
    tracemalloc.start()
    try:
        collected = K6JsonCollector().collect(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    totals = collected.data.totals
    assert (totals.requests, totals.failures, len(collected.data.endpoints)) == (40_000, 800, 7)
    assert peak < 4 * 1024 * 1024


def test_too_many_endpoints_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(k6_json, "MAX_ENDPOINTS", 2)
    point = (
        '{"metric":"http_req_duration","type":"Point",'
        '"data":{"time":"2026-11-27T10:00:00Z","value":1,"tags":{"url":"/u%d"}}}'
    )
    path = _write(tmp_path, "\n".join(point % i for i in range(3)))
    with pytest.raises(InputError, match="tag requests with `name`") as caught:
        K6JsonCollector().collect(path)
    assert caught.value.line == 3


# ---- submetric endpoints in summaries --------------------------------------------------------------


def test_split_metric_key():
    assert split_metric_key("http_req_duration") == ("http_req_duration", {})
    assert split_metric_key("http_req_duration{name:GET /a,method:GET}") == (
        "http_req_duration",
        {"name": "GET /a", "method": "GET"},
    )
    assert split_metric_key("http_req_duration{expected_response:true}") == (
        "http_req_duration",
        {"expected_response": "true"},
    )


def _export(metrics: dict[str, Any]) -> str:
    return json.dumps({"root_group": {"name": "", "path": "", "groups": {}, "checks": {}}, "metrics": metrics})


def test_summary_endpoint_needs_known_failures(tmp_path):
    metrics = {
        "http_reqs": {"count": 10, "rate": 5},
        "http_req_failed": {"passes": 1, "fails": 9, "value": 0.1},
        "http_req_duration": {"avg": 10, "min": 1, "med": 9, "max": 30, "p(90)": 20, "p(95)": 25},
        # Only a latency submetric: the endpoint's failures are unknown, so it is left out.
        "http_req_duration{name:GET /only-latency}": {"avg": 10, "min": 1, "med": 9, "max": 30, "p(95)": 25},
        "http_req_duration{name:GET /a,method:GET}": {"avg": 12, "min": 2, "med": 11, "max": 31, "p(95)": 26},
        "http_req_failed{name:GET /a,method:GET}": {"passes": 1, "fails": 3, "value": 0.25},
        "http_req_duration{status:500}": {"avg": 1, "min": 1, "med": 1, "max": 1},
    }
    data = _item(_write(tmp_path, _export(metrics)))["data"]
    assert data["duration_ms"] == 2000  # 10 requests at 5/s
    assert data["endpoints"] == [
        {
            "name": "GET /a",
            "method": "GET",
            "requests": 4,
            "failures": 1,
            "error_rate_bp": 2500,
            "throughput_mrps": 2000,
            "latency_us": {"min": 2000, "mean": 12000, "p50": 11000, "p95": 26000, "max": 31000},
        }
    ]


def test_summary_without_http_req_failed_is_refused(tmp_path):
    metrics = {"http_reqs": {"count": 10, "rate": 5}, "http_req_duration": {"avg": 10, "min": 1, "max": 30}}
    with pytest.raises(InputError, match="no http_req_failed metric"):
        collect(_write(tmp_path, _export(metrics)))


def test_summary_with_more_failures_than_requests_is_refused(tmp_path):
    metrics = {"http_reqs": {"count": 2, "rate": 5}, "http_req_failed": {"passes": 3, "fails": 0, "value": 1}}
    with pytest.raises(InputError, match="3 failed requests out of 2"):
        collect(_write(tmp_path, _export(metrics)))


def test_summary_with_non_numeric_stat_is_refused(tmp_path):
    metrics = {"http_reqs": {"count": "ten", "rate": 5}, "http_req_failed": {"passes": 0, "fails": 1, "value": 0}}
    with pytest.raises(InputError, match="metric 'http_reqs': count is 'ten'"):
        collect(_write(tmp_path, _export(metrics)))


# ---- failure paths --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["run-summary-export.json", "run-handle-summary.json", "handmade-summary-v2.json"])
def test_truncated_summary_names_line_and_column(tmp_path, name):
    text = (DATA / name).read_text()
    path = _write(tmp_path, text[: len(text) // 2])
    with pytest.raises(InputError) as caught:
        collect(path)
    error = caught.value
    assert error.message.startswith("malformed JSON") and "truncated?" in error.message
    assert error.line is not None and error.line > 10 and error.column is not None
    assert "\n" not in str(error)
    assert str(error).startswith(f"{path}:{error.line}:{error.column}: malformed JSON")


def test_malformed_summary_in_the_middle(tmp_path):
    path = _write(tmp_path, '{\n  "metrics": {\n    "http_reqs": {"count": 1,, "rate": 1}\n  }\n}\n')
    with pytest.raises(InputError) as caught:
        K6SummaryExportCollector().collect(path)
    assert (caught.value.line, caught.value.column) == (3, 30)  # the second comma
    assert "truncated" not in caught.value.message


@pytest.mark.parametrize(
    "sample",
    [
        "jmeter/jmeter5_dashboard_statistics.json",
        "gatling/gatling3_js_stats.json",
        "gatling/gatling2_js_global_stats.json",
    ],
)
def test_another_tools_json_is_not_k6(sample):
    path = SHARED / sample
    if not path.exists():
        pytest.skip(f"{path} not present")
    head = path.read_bytes()[:HEAD_BYTES]
    assert not any(c.detect(head) for c in K6_COLLECTORS)
    for collector in (K6SummaryExportCollector, K6HandleSummaryCollector, K6SummaryV2Collector):
        with pytest.raises(InputError, match="not a k6"):
            collector().collect(path)
    with pytest.raises(InputError) as caught:
        K6JsonCollector().collect(path)
    assert caught.value.line == 1


def test_one_summary_shape_given_as_another(tmp_path):
    with pytest.raises(InputError, match="nests its values"):
        K6SummaryExportCollector().collect(DATA / "run-handle-summary.json")
    with pytest.raises(InputError, match="has no `values` object"):
        K6HandleSummaryCollector().collect(DATA / "run-summary-export.json")
    with pytest.raises(InputError, match=r"no `results\.metrics` array"):
        K6SummaryV2Collector().collect(DATA / "run-handle-summary.json")
    with pytest.raises(InputError, match="not a k6 --out json metric stream") as caught:
        K6JsonCollector().collect(_write(tmp_path, '[{"metric": 1}]\n'))
    assert caught.value.line == 1
    with pytest.raises(InputError, match="top level is a JSON array"):
        K6SummaryExportCollector().collect(_write(tmp_path, '[{"metrics": {}}]'))


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_empty_file(tmp_path, content):
    path = _write(tmp_path, content)
    with pytest.raises(InputError, match="file is empty"):
        collect(path)
    for collector in K6_COLLECTORS:
        with pytest.raises(InputError, match="file is empty"):
            collector().collect(path)
        with pytest.raises(InputError, match="file is empty"):
            collect(path, format_name=collector.format)


def test_malformed_stream_line_is_named(tmp_path):
    lines = (DATA / "run-stream.json").read_text().splitlines(keepends=True)
    lines[41] = lines[41][:60] + "\n"
    path = _write(tmp_path, "".join(lines))
    with pytest.raises(InputError) as caught:
        collect(path)
    error = caught.value
    assert error.line == 42 and error.column is not None
    assert error.message.startswith("malformed JSON")
    assert str(error).startswith(f"{path}:42:")


def test_bad_stream_records_are_named(tmp_path):
    good = '{"metric":"vus","type":"Point","data":{"time":"2026-11-27T10:00:00Z","value":1,"tags":{}}}'
    cases = [
        ('{"metric":"vus","type":"Point","data":{"time":"yesterday","value":1}}', "not an RFC 3339 timestamp"),
        ('{"metric":"vus","type":"Point","data":{"time":"2026-11-27T10:00:00Z","value":"1"}}', "expected a number"),
        ('{"metric":"vus","type":"Point","data":[]}', "without a data object"),
        ("[1, 2]", "not a k6 record"),
    ]
    for bad, message in cases:
        with pytest.raises(InputError, match=message) as caught:
            K6JsonCollector().collect(_write(tmp_path, f"{good}\n\n{bad}\n{good}\n"))
        assert caught.value.line == 3


def test_truncated_gzip_stream(tmp_path):
    raw = (DATA / "run-stream.json.gz").read_bytes()
    path = _write(tmp_path, raw[: len(raw) // 2], "cut.json.gz")
    assert detect(path).format == "k6-json"
    with pytest.raises(InputError, match=r"gzip stream ends early \(truncated file\?\)"):
        collect(path)


def test_corrupt_gzip_stream(tmp_path):
    raw = bytearray((DATA / "run-stream.json.gz").read_bytes())
    raw[len(raw) // 2 : len(raw) // 2 + 64] = bytes(64)
    path = _write(tmp_path, bytes(raw), "bad.json.gz")
    with pytest.raises(InputError, match=r"corrupt gzip data|malformed"):
        K6JsonCollector().collect(path)


def test_missing_file_and_directory(tmp_path):
    for collector in K6_COLLECTORS:
        with pytest.raises(InputError, match="file not found"):
            collector().collect(tmp_path / "absent.json")
        with pytest.raises(InputError, match="is a directory"):
            collector().collect(tmp_path)


# ---- detection ------------------------------------------------------------------------------------

DETECTED = [
    (b'{"metrics": {"http_reqs": {"count": 1, "rate": 1}}, "root_group": {"groups": {}}}', "k6-summary-export"),
    (b'\xef\xbb\xbf  {"root_group": {"checks": {}}, "metrics": {}}', "k6-summary-export"),
    (b'{"metrics": {"http_reqs": {"type": "counter", "values": {"count": 1}}}}', "k6-summary"),
    (b'{"state": {"testRunDurationMs": 5}, "metrics": {"iterations": {}}}', "k6-summary"),
    (
        b'{"version": "1", "metadata": {"k6Version": "2.0.0"}, "results": {"metrics": [{"name": "http_reqs"',
        "k6-summary-v2",
    ),
    (b'{"type":"Metric","data":{"type":"gauge"},"metric":"vus"}\n{"type":"Point"', "k6-json"),
    (b'{"metric":"http_reqs","type":"Point","data":{"time":"2026-11-27T10:00:00Z","value":1,"tags":{}}}\n', "k6-json"),
    (gzip.compress(b'{"metric":"vus","type":"Point","data":{"time":"t","value":1}}\n' * 5000)[:2000], "k6-json"),
]


@pytest.mark.parametrize(("head", "fmt"), DETECTED)
def test_detects_each_shape(head, fmt):
    assert [c.format for c in K6_COLLECTORS if c.detect(head)] == [fmt]


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"{}",
        b'{"metrics": {"requests": 5}}',
        b'[{"name": "Aggregated", "num_requests": 10}]',
        b'{"Total": {"transaction": "Total", "sampleCount": 5}}',
        b'{"type": "GROUP", "name": "All Requests", "stats": {}}',
        b'{"type":"Point","metric":"x"}',
        b"<testsuites>",
        gzip.compress(b"hello world\n"),
        b"\x1f\x8b\x08\x00garbage",
        b"metric,timestamp\nhttp_reqs,1\n",
    ],
)
def test_rejects_other_content(head):
    assert not any(c.detect(head) for c in K6_COLLECTORS)


def test_threshold_shapes(tmp_path):
    base = {"http_reqs": {"count": 1, "rate": 1}, "http_req_failed": {"passes": 0, "fails": 1, "value": 0}}
    export = {**base, "http_req_duration": {"avg": 1, "thresholds": {"avg<2": False, "avg<0.5": True}}}
    data = _item(_write(tmp_path, _export(export)))["data"]
    assert [(t["expression"], t["ok"]) for t in data["thresholds"]] == [("avg<0.5", False), ("avg<2", True)]
    bad = {**base, "http_req_duration": {"avg": 1, "thresholds": {"avg<2": "yes"}}}
    with pytest.raises(InputError, match="metric 'http_req_duration': unreadable threshold"):
        collect(_write(tmp_path, _export(bad)))
    handle = {
        "state": {"testRunDurationMs": 1000},
        "metrics": {
            "http_reqs": {"type": "counter", "values": {"count": 1, "rate": 1}},
            "http_req_failed": {"type": "rate", "values": {"passes": 0, "fails": 1}, "thresholds": {"rate<0.1": True}},
        },
    }
    with pytest.raises(InputError, match="unreadable threshold true"):
        collect(_write(tmp_path, json.dumps(handle)), format_name="k6-summary")
