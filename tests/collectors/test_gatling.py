"""Gatling collectors: real stats.json / global_stats.json / simulation.log, version layouts, failure paths."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evaluator.collectors import COLLECTORS, collect, detect
from evaluator.collectors.load import gatling_log
from evaluator.collectors.load.gatling_log import GatlingLogCollector
from evaluator.collectors.load.gatling_stats import GatlingStatsCollector
from evaluator.errors import InputError
from evaluator.evidence import item_problems
from evaluator.evidence.load import LoadTest

DATA = Path(__file__).parent.parent / "data" / "gatling"
LOG_33 = DATA / "gatling3_simulation.log"
LOG_39 = DATA / "simulation-3.9-groups.log"
BINARY_312 = DATA / "simulation-3.12-binary.log"
STATS_3X = DATA / "gatling3_js_stats.json"
STATS_GROUPS = DATA / "stats-3x-groups-strings.json"
GLOBAL_2X = DATA / "gatling2_js_global_stats.json"
GLOBAL_310 = DATA / "gatling3_js_global_stats_openmrs.json"
FOREIGN = sorted((DATA / "foreign").glob("*.json"))

STATS_FILES = [STATS_3X, STATS_GROUPS, GLOBAL_2X, GLOBAL_310]
LOG_FILES = [LOG_33, LOG_39]


def _data(path: Path, format_name: str | None = None) -> dict:
    item = collect(path, format_name).to_json_dict()
    assert item_problems(item) == []
    assert item["kind"] == "load" and item["schema"] == "load/v1"
    return item


# ---- an independent reading of a simulation.log: a plain loop, no code shared with the collector -----------


def _plain_log_stats(path: Path) -> dict:
    """Counts, failures and sorted response times per endpoint, from the records, with a plain loop."""
    times: dict[str, list[int]] = defaultdict(list)
    failures: Counter[str] = Counter()
    run_start = last = 0
    active = peak = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if fields[0] == "RUN":
            run_start = last = int(fields[3])
            with_id = int(fields[5].split(".")[1]) < 4
        elif fields[0] == "REQUEST":
            groups, name, start, end, status = fields[2:7] if with_id else fields[1:6]
            full = " / ".join([*groups.split(","), name]) if groups else name
            times[full].append(int(end) - int(start))
            failures[full] += status == "KO"
            last = max(last, int(end))
        elif fields[0] == "USER":
            event = fields[3] if with_id else fields[2]
            active += 1 if event == "START" else -1
            peak = max(peak, active)
            last = max(last, int(fields[-1]))
        elif fields[0] == "GROUP":
            last = max(last, int(fields[-3]))
        elif fields[0] == "ERROR":
            last = max(last, int(fields[-1]))
    return {
        "times": {name: sorted(values) for name, values in times.items()},
        "failures": failures,
        "run_start": run_start,
        "last": last,
        "peak": peak,
    }


def _nearest_rank(values: list[int], p: int) -> int:
    return values[max(1, math.ceil(p * len(values) / 100)) - 1]


def _expected_latency_us(values: list[int]) -> dict[str, int]:
    total = sum(values)
    return {
        "min": values[0] * 1000,
        "mean": round(total * 1000 / len(values)),  # no .5 cases in these files
        "p50": _nearest_rank(values, 50) * 1000,
        "p90": _nearest_rank(values, 90) * 1000,
        "p95": _nearest_rank(values, 95) * 1000,
        "p99": _nearest_rank(values, 99) * 1000,
        "max": values[-1] * 1000,
    }


@pytest.mark.parametrize("path", LOG_FILES, ids=lambda p: p.name)
def test_log_numbers_agree_with_a_plain_pass_over_the_records(path):
    data = _data(path)["data"]
    plain = _plain_log_stats(path)
    assert data["percentiles"] == "exact"
    assert data["duration_ms"] == plain["last"] - plain["run_start"]
    assert data["vus_max"] == plain["peak"]
    assert [e["name"] for e in data["endpoints"]] == sorted(plain["times"])
    for endpoint in data["endpoints"]:
        values = plain["times"][endpoint["name"]]
        assert endpoint["requests"] == len(values)
        assert endpoint["failures"] == plain["failures"][endpoint["name"]]
        assert endpoint["error_rate_bp"] == math.ceil(endpoint["failures"] * 10000 / len(values))
        assert endpoint["throughput_mrps"] == len(values) * 1_000_000 // data["duration_ms"]
        assert endpoint["latency_us"] == _expected_latency_us(values)
    everything = sorted(v for values in plain["times"].values() for v in values)
    assert data["totals"]["requests"] == len(everything)
    assert data["totals"]["failures"] == sum(plain["failures"].values())
    assert data["totals"]["latency_us"] == _expected_latency_us(everything)


def test_log_33_window_version_and_hand_read_numbers():
    item = _data(LOG_33)
    assert item["source"]["tool"] == "gatling"
    assert item["source"]["tool_version"] == "3.3.1"
    # RUN start 1638907423554; the last record is USER END at 1638907524054.
    assert item["observed"] == {"start": "2021-12-07T20:03:43.554000Z", "end": "2021-12-07T20:05:24.054000Z"}
    data = item["data"]
    assert data["duration_ms"] == 100_500
    assert (data["totals"]["requests"], data["totals"]["failures"]) == (121, 109)
    assert data["totals"]["error_rate_bp"] == 9009  # 109/121 = 90.083 %, rounded up
    assert data["totals"]["throughput_mrps"] == 1203  # 121 requests / 100.5 s
    assert data["vus_max"] == 97


def test_log_33_agrees_with_the_stats_json_of_the_same_run():
    """Both files come from one run (ICTU/quality-time test data): totals match exactly, percentiles closely.

    In that pair, the request names FooList and BarList are swapped between the two files (every number of
    one matches the other's); see SOURCES.md. Per-request numbers are compared by matching the statistics.
    """
    log = _data(LOG_33)["data"]
    stats = _data(STATS_3X)["data"]
    for field in ("requests", "failures", "error_rate_bp"):
        assert log["totals"][field] == stats["totals"][field]
    for field in ("min", "max"):
        assert log["totals"]["latency_us"][field] == stats["totals"]["latency_us"][field]
    # Gatling rounds the mean to whole milliseconds.
    assert round(log["totals"]["latency_us"]["mean"] / 1000) * 1000 == stats["totals"]["latency_us"]["mean"]
    # Gatling's report estimates percentiles its own way (not nearest rank): equal here within 2 ms.
    for field in ("p50", "p95", "p99"):
        assert abs(log["totals"]["latency_us"][field] - stats["totals"]["latency_us"][field]) <= 2000

    def signature(endpoint: dict) -> tuple:
        latency = endpoint["latency_us"]
        return endpoint["requests"], endpoint["failures"], latency["min"], latency["max"]

    assert sorted(map(signature, log["endpoints"])) == sorted(map(signature, stats["endpoints"]))
    by_signature = {signature(e): e for e in stats["endpoints"]}
    for endpoint in log["endpoints"]:
        reported = by_signature[signature(endpoint)]
        assert round(endpoint["latency_us"]["mean"] / 1000) * 1000 == reported["latency_us"]["mean"]
        for field in ("p50", "p95", "p99"):
            assert abs(endpoint["latency_us"][field] - reported["latency_us"][field]) <= 2000


def _to_34_layout(source: Path, target: Path, version: str) -> None:
    """Rewrite a 3.0-3.3 log in the 3.4-3.11 layout (user ids dropped, as LogFileDataWriter 3.4+ writes it)."""
    lines = []
    for line in source.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if fields[0] == "RUN":
            fields[5] = version
        elif fields[0] == "USER":
            fields = [fields[0], fields[1], fields[3], fields[5] if fields[3] == "END" else fields[4]]
        elif fields[0] in ("REQUEST", "GROUP"):
            del fields[1]
        lines.append("\t".join(fields))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("version", ["3.4.0", "3.9.5", "3.11.5"])
def test_34_to_311_layout_reads_the_same_numbers(tmp_path, version):
    converted = tmp_path / "simulation.log"
    _to_34_layout(LOG_33, converted, version)
    original = _data(LOG_33)
    again = _data(converted)
    assert again["data"] == original["data"]
    assert again["observed"] == original["observed"]
    assert again["source"]["tool_version"] == version


def test_log_39_groups_assertion_group_and_error_records():
    item = _data(LOG_39)
    data = item["data"]
    assert item["source"]["tool_version"] == "3.9.5"
    assert [e["name"] for e in data["endpoints"]] == ["Home", "Search / Results / Computer", "Search / Search page"]
    home, computer, search = data["endpoints"]
    assert (home["requests"], home["failures"]) == (3, 0)
    assert home["latency_us"] == {
        "min": 40_000,
        "mean": 46_333,  # (40 + 52 + 47) / 3 ms
        "p50": 47_000,
        "p90": 52_000,
        "p95": 52_000,
        "p99": 52_000,
        "max": 52_000,
    }
    assert (computer["requests"], computer["failures"], computer["error_rate_bp"]) == (1, 1, 10000)
    assert (search["requests"], search["failures"], search["error_rate_bp"]) == (3, 1, 3334)
    # The ERROR record (t0 + 1500 ms) and the last USER END (t0 + 1800 ms) count for the window.
    assert data["duration_ms"] == 1800
    assert data["vus_max"] == 3
    assert item["observed"]["start"] == "2025-11-27T14:20:00Z"
    assert datetime.fromisoformat(item["observed"]["end"]) == datetime(2025, 11, 27, 14, 20, 1, 800000, UTC)


def test_log_falls_back_to_a_bounded_histogram(monkeypatch):
    monkeypatch.setattr(gatling_log, "MAX_EXACT_VALUES", 4)
    data = GatlingLogCollector().collect(LOG_33).data
    assert isinstance(data, LoadTest)
    assert data.percentiles == "histogram"
    plain = _plain_log_stats(LOG_33)
    everything = sorted(v for values in plain["times"].values() for v in values)
    expected = _expected_latency_us(everything)
    latency = data.totals.latency_us
    assert (latency.min, latency.max, latency.mean) == (expected["min"], expected["max"], expected["mean"])
    for field in ("p50", "p90", "p95", "p99"):
        assert abs(getattr(latency, field) - expected[field]) <= expected[field] // 100  # 3 significant digits


# ---- stats.json / global_stats.json ------------------------------------------------------------------------


def _stats_numbers(stats: dict, key: str) -> int | None:
    value = stats[key]["total"]
    return None if value in ("-", -1) else round(float(value) * 1000)


def _walk_requests(node: dict) -> list[tuple[str, dict]]:
    found = []
    for child in node.get("contents", {}).values():
        if child["type"] == "REQUEST":
            found.append((child["path"], child["stats"]))
        else:
            found.extend(_walk_requests(child))
    return found


@pytest.mark.parametrize("path", [STATS_3X, STATS_GROUPS], ids=lambda p: p.name)
def test_stats_json_endpoints_and_totals_match_the_file(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    data = _data(path)["data"]
    assert data["percentiles"] == "tool"
    expected = dict(_walk_requests(document))
    assert [e["name"] for e in data["endpoints"]] == sorted(expected)
    for endpoint in [*data["endpoints"], {"name": None, **data["totals"]}]:
        stats = expected[endpoint["name"]] if endpoint["name"] else document["stats"]
        assert endpoint["requests"] == int(stats["numberOfRequests"]["total"])
        assert endpoint["failures"] == int(stats["numberOfRequests"]["ko"])
        assert endpoint["throughput_mrps"] == round(float(stats["meanNumberOfRequestsPerSecond"]["total"]) * 1000)
        latency = endpoint["latency_us"]
        assert latency["min"] == _stats_numbers(stats, "minResponseTime")
        assert latency["mean"] == _stats_numbers(stats, "meanResponseTime")
        assert latency["max"] == _stats_numbers(stats, "maxResponseTime")
        # 3.x defaults: percentiles1..4 = 50, 75, 95, 99; the 75th has no place in the evidence.
        assert latency["p50"] == _stats_numbers(stats, "percentiles1")
        assert latency["p95"] == _stats_numbers(stats, "percentiles3")
        assert latency["p99"] == _stats_numbers(stats, "percentiles4")
        assert "p90" not in latency


def test_stats_json_group_paths_and_string_values_read_like_numbers():
    plain = _data(STATS_3X)["data"]
    grouped = _data(STATS_GROUPS)["data"]
    assert [e["name"] for e in grouped["endpoints"]] == ["GetToken", "Lists / BarList", "Lists / FooList"]
    assert grouped["totals"] == plain["totals"]
    renamed = {e["name"].removeprefix("Lists / "): {**e, "name": None} for e in grouped["endpoints"]}
    assert renamed == {e["name"]: {**e, "name": None} for e in plain["endpoints"]}


def test_stats_json_duration_is_derived_from_the_request_rate():
    data = _data(STATS_3X)["data"]
    assert data["duration_ms"] == 100_000  # 121 requests at 1.21 requests per second
    assert "vus_max" not in data
    item = collect(STATS_3X).to_json_dict()
    assert "observed" not in item
    assert "tool_version" not in item["source"]


def test_global_stats_2x_two_percentiles_and_ko_sentinel():
    data = _data(GLOBAL_2X)["data"]
    assert data["endpoints"] == []
    totals = data["totals"]
    assert (totals["requests"], totals["failures"], totals["error_rate_bp"]) == (5400, 0, 0)
    # Gatling 2.0 wrote two percentiles, 95th and 99th by default; there is no median to report.
    assert totals["latency_us"] == {
        "min": 74_000,
        "mean": 716_000,
        "p95": 1_546_000,
        "p99": 2_203_000,
        "max": 2_746_000,
    }
    assert totals["throughput_mrps"] == 41_410  # 41.41009025865969 requests per second
    assert data["duration_ms"] == 130_403  # 5400 / 41.41009025865969 s


def test_global_stats_310_with_html_names():
    data = _data(GLOBAL_310)["data"]
    totals = data["totals"]
    assert (totals["requests"], totals["failures"]) == (779_490, 6532)
    assert totals["error_rate_bp"] == 84  # 0.838 %, rounded up
    assert totals["latency_us"] == {
        "min": 1000,
        "mean": 809_000,
        "p50": 108_000,
        "p95": 3_603_000,
        "p99": 21_150_000,
        "max": 60_014_000,
    }
    assert totals["throughput_mrps"] == 68_575


def test_percentiles_named_in_the_file_win_over_the_defaults(tmp_path):
    document = json.loads(GLOBAL_310.read_text(encoding="utf-8"))
    for key, name in (("percentiles1", "90th percentile"), ("percentiles2", "95th percentile")):
        document[key]["name"] = name
    document["percentiles3"]["name"] = "99th percentile"
    document["percentiles4"]["name"] = "99.9th percentile"
    path = tmp_path / "global_stats.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    latency = _data(path)["data"]["totals"]["latency_us"]
    assert (latency["p90"], latency["p95"], latency["p99"]) == (108_000, 372_000, 3_603_000)
    assert "p50" not in latency


def test_an_unknown_set_of_percentile_keys_leaves_the_percentiles_out(tmp_path):
    document = json.loads(GLOBAL_310.read_text(encoding="utf-8"))
    del document["percentiles4"]
    path = tmp_path / "global_stats.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    latency = _data(path)["data"]["totals"]["latency_us"]
    assert set(latency) == {"min", "mean", "max"}


# ---- detection ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", STATS_FILES, ids=lambda p: p.name)
def test_stats_files_are_detected_as_gatling_stats_only(path):
    head = path.read_bytes()[:65536]
    assert [c for c in COLLECTORS if c.detect(head)] == [GatlingStatsCollector]
    assert detect(path) is GatlingStatsCollector


@pytest.mark.parametrize("path", [*LOG_FILES, BINARY_312], ids=lambda p: p.name)
def test_logs_are_detected_as_gatling_log_only(path):
    head = path.read_bytes()[:65536]
    assert [c for c in COLLECTORS if c.detect(head)] == [GatlingLogCollector]


@pytest.mark.parametrize("path", FOREIGN, ids=lambda p: p.name)
def test_other_tools_json_is_not_gatling(path):
    head = path.read_bytes()[:65536]
    assert not GatlingStatsCollector.detect(head)
    assert not GatlingLogCollector.detect(head)
    with pytest.raises(InputError, match="not Gatling statistics"):
        collect(path, "gatling-stats")
    with pytest.raises(InputError, match="expected the RUN record first"):
        collect(path, "gatling-log")


# ---- failure paths -----------------------------------------------------------------------------------------


def test_truncated_stats_json_names_the_line(tmp_path):
    text = STATS_3X.read_text(encoding="utf-8")
    path = tmp_path / "stats.json"
    path.write_text(text[:2500], encoding="utf-8")
    line = text[:2500].count("\n") + 1
    with pytest.raises(InputError) as raised:
        collect(path, "gatling-stats")
    assert raised.value.line == line
    assert "truncated" in raised.value.message
    assert "\n" not in str(raised.value)


def test_truncated_log_names_the_line(tmp_path):
    lines = LOG_33.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "simulation.log"
    cut = lines[26]  # a REQUEST record, cut inside its end timestamp
    assert cut.startswith("REQUEST")
    path.write_text("".join(lines[:26]) + cut[: cut.index("\tKO") - 4], encoding="utf-8")
    with pytest.raises(InputError, match="truncated") as raised:
        collect(path)
    assert raised.value.line == 27


def test_empty_files_are_refused(tmp_path):
    path = tmp_path / "stats.json"
    path.write_bytes(b"")
    for format_name in (None, "gatling-stats", "gatling-log"):
        with pytest.raises(InputError, match="empty"):
            collect(path, format_name)
    with pytest.raises(InputError, match="empty"):
        GatlingStatsCollector().collect(path)
    with pytest.raises(InputError, match="empty"):
        GatlingLogCollector().collect(path)
    path.write_text("ASSERTION\tAQEBAwIBAQAAAAAAAADwPw==\n", encoding="utf-8")
    with pytest.raises(InputError, match="no RUN record"):
        GatlingLogCollector().collect(path)


def test_binary_312_log_is_refused_in_one_line():
    with pytest.raises(InputError) as raised:
        collect(BINARY_312)
    message = str(raised.value)
    assert "3.12.0" in message and "binary" in message and "gatling-stats" in message
    assert "\n" not in message


def test_gatling_2_log_is_refused(tmp_path):
    path = tmp_path / "simulation.log"
    path.write_text(
        "RUN\tcomputerdatabase.BasicSimulation\t\tbasicsimulation\t1420070400000\t \t2.0\n"
        "USER\tUsers\t1\tSTART\t1420070400100\t1420070400100\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"2\.x simulation\.log is not supported") as raised:
        collect(path)
    assert raised.value.line == 1


def test_unknown_record_and_bad_status_name_their_line(tmp_path):
    path = tmp_path / "simulation.log"
    shutil.copyfile(LOG_39, path)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("REQUEST\t\tHome\t1764253201900\t1764253201950\tMAYBE\t \n")
    with pytest.raises(InputError, match="expected OK or KO") as raised:
        collect(path)
    assert raised.value.line == 19
    path.write_text(LOG_39.read_text(encoding="utf-8") + "HELLO\tworld\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown record type") as raised:
        collect(path)
    assert raised.value.line == 19


def test_failures_above_requests_are_refused(tmp_path):
    document = json.loads(GLOBAL_2X.read_text(encoding="utf-8"))
    document["numberOfRequests"]["ko"] = 6000
    path = tmp_path / "global_stats.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InputError, match="6000 failed requests out of 5400"):
        collect(path)


def test_garbage_statistics_are_refused_or_left_out(tmp_path):
    document = json.loads(GLOBAL_310.read_text(encoding="utf-8"))
    document["maxResponseTime"]["total"] = "1e999999"
    document["meanResponseTime"]["total"] = "NaN"
    path = tmp_path / "global_stats.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    latency = _data(path)["data"]["totals"]["latency_us"]
    assert "max" not in latency and "mean" not in latency
    document["numberOfRequests"]["total"] = 12.5
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InputError, match="expected a count"):
        collect(path)


def test_run_description_with_a_tab_still_reads(tmp_path):
    lines = LOG_39.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace("\t \t", "\tnightly\trun 42\t")  # Gatling writes the description unsanitised
    path = tmp_path / "simulation.log"
    path.write_text("".join(lines), encoding="utf-8")
    assert _data(path)["data"] == _data(LOG_39)["data"]


def test_too_many_request_names_are_refused(monkeypatch):
    monkeypatch.setattr(gatling_log, "MAX_ENDPOINTS", 2)
    with pytest.raises(InputError, match="more than 2 distinct request names") as raised:
        collect(LOG_39)
    assert raised.value.line == 8
