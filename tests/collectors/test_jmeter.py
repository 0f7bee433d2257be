"""JMeter collectors: JTL CSV (layouts, delimiters, quoting), JTL XML, dashboard statistics.json, failure paths."""

from __future__ import annotations

import csv
import io
import json
import math
import tracemalloc
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evaluator.collectors import collect, detect
from evaluator.collectors.load import jmeter_jtl_csv
from evaluator.collectors.load.jmeter_dashboard import JMeterDashboardCollector
from evaluator.collectors.load.jmeter_jtl_csv import JMeterJtlCsvCollector
from evaluator.collectors.load.jmeter_jtl_xml import JMeterJtlXmlCollector
from evaluator.errors import InputError
from evaluator.evidence import item_problems

DATA = Path(__file__).parent.parent / "data" / "jmeter"
REAL_CSV = DATA / "jmeter5_results.jtl.csv"
CSV_VARIANTS = [
    "jmeter5_results.jtl.csv",
    "jmeter5_noheader.jtl.csv",
    "jmeter5_semicolon.jtl.csv",
    "jmeter5_tab_crlf.jtl.csv",
    "jmeter2_noheader.jtl.csv",
    "jmeter5_quoted_newline.jtl.csv",
]
CONTROLLER = "Test"


def _nearest_rank(values: list[int], p: float) -> int:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def _independent(path: Path = REAL_CSV) -> dict[str, dict[str, int]]:
    """Per label and in total (without the transaction controller): a plain csv + sorted-list pass."""
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        groups[row["label"]].append(row)
    groups["__total__"] = [r for r in rows if r["label"] != CONTROLLER]
    result = {}
    for label, members in groups.items():
        elapsed = [int(r["elapsed"]) for r in members]
        result[label] = {
            "requests": len(members),
            "failures": sum(r["success"] == "false" for r in members),
            "min": min(elapsed) * 1000,
            "max": max(elapsed) * 1000,
            "mean": round(sum(elapsed) * 1000 / len(elapsed)),
            **{f"p{p}": _nearest_rank(elapsed, p) * 1000 for p in (50, 90, 95, 99)},
        }
    result["__window__"] = {
        "start": min(int(r["timeStamp"]) for r in rows),
        "end": max(int(r["timeStamp"]) + int(r["elapsed"]) for r in rows),
        "threads": max(int(r["allThreads"]) for r in rows),
    }
    return result


def _check_traffic(traffic, expected: dict[str, int]) -> None:
    assert traffic.requests == expected["requests"]
    assert traffic.failures == expected["failures"]
    assert traffic.error_rate_bp == -(-expected["failures"] * 10000 // expected["requests"])
    latency = traffic.latency_us
    for field in ("min", "max", "mean", "p50", "p90", "p95", "p99"):
        assert getattr(latency, field) == expected[field], field


# ---- JTL CSV ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CSV_VARIANTS)
def test_csv_numbers_agree_with_a_plain_csv_pass(name):
    expected = _independent()
    data = JMeterJtlCsvCollector().collect(DATA / name).data
    _check_traffic(data.totals, expected["__total__"])
    assert [e.name for e in data.endpoints] == sorted(k for k in expected if not k.startswith("__"))
    for endpoint in data.endpoints:
        _check_traffic(endpoint, expected[endpoint.name])
    window = expected["__window__"]
    assert data.duration_ms == window["end"] - window["start"]
    assert data.vus_max == window["threads"]
    assert data.percentiles == "exact"
    assert data.totals.throughput_mrps == 50 * 1_000_000 // data.duration_ms


def test_csv_agrees_with_jmeters_own_dashboard_of_the_same_run():
    data = JMeterJtlCsvCollector().collect(REAL_CSV).data
    dashboard = json.loads((DATA / "jmeter5_dashboard_statistics.json").read_text())
    for endpoint in [*data.endpoints, data.totals]:
        stats = dashboard[getattr(endpoint, "name", "Total")]
        assert endpoint.requests == stats["sampleCount"]
        assert endpoint.failures == stats["errorCount"]
        assert endpoint.latency_us.min == stats["minResTime"] * 1000
        assert endpoint.latency_us.max == stats["maxResTime"] * 1000
        assert abs(endpoint.latency_us.mean - stats["meanResTime"] * 1000) <= 1


def test_csv_window_and_tool():
    collected = JMeterJtlCsvCollector().collect(REAL_CSV)
    window = _independent()["__window__"]
    assert collected.observed_start == datetime.fromtimestamp(window["start"] / 1000, UTC)
    assert collected.observed_end == datetime.fromtimestamp(window["end"] / 1000, UTC)
    assert (collected.tool, collected.tool_version) == ("jmeter", None)


def test_method_is_read_from_a_label_that_starts_with_one(tmp_path):
    path = tmp_path / "m.jtl"
    path.write_text(
        "timeStamp,elapsed,label,success,allThreads\n1700000000000,5,GET /cart,true,2\n1700000000001,7,login,false,3\n"
    )
    data = JMeterJtlCsvCollector().collect(path).data
    assert [(e.name, e.method) for e in data.endpoints] == [("GET /cart", "GET"), ("login", None)]
    assert (data.totals.requests, data.totals.failures, data.vus_max, data.duration_ms) == (2, 1, 3, 8)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_every_jmeter_delimiter_with_quoted_fields(tmp_path, delimiter):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["timeStamp", "elapsed", "label", "success", "failureMessage", "allThreads"])
    writer.writerow(["1700000000000", "10", f"a{delimiter}b", "true", "", "1"])
    writer.writerow(["1700000000005", "20", f"a{delimiter}b", "false", f'bad{delimiter} "x"\nmore', "4"])
    path = tmp_path / "d.jtl"
    path.write_text(out.getvalue())
    assert detect(path) is JMeterJtlCsvCollector
    data = JMeterJtlCsvCollector().collect(path).data
    assert [(e.name, e.requests, e.failures) for e in data.endpoints] == [(f"a{delimiter}b", 2, 1)]
    assert (data.duration_ms, data.vus_max, data.totals.latency_us.p99) == (25, 4, 20000)


def test_many_blocks_with_quotes_and_line_breaks_straddling_block_edges(tmp_path, monkeypatch):
    monkeypatch.setattr(jmeter_jtl_csv, "_BLOCK", 97)
    rows = ["timeStamp,elapsed,label,success,failureMessage"]
    for n in range(500):
        message = f'"line one, {n}\nline ""two"""' if n % 7 == 0 else ""
        rows.append(f"{1700000000000 + n},{n % 13},L{n % 4},{'false' if n % 7 == 0 else 'true'},{message}")
    path = tmp_path / "blocks.jtl"
    path.write_text("\n".join(rows) + "\n")
    data = JMeterJtlCsvCollector().collect(path).data
    assert data.totals.requests == 500
    assert data.totals.failures == len(range(0, 500, 7))
    assert data.totals.latency_us.max == 12000
    assert data.duration_ms == max(n + n % 13 for n in range(500))


def test_exact_counts_fold_into_histograms_past_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(jmeter_jtl_csv, "EXACT_KEYS_MAX", 10)
    lines = ["timeStamp,elapsed,label,success"] + [f"1700000000000,{v},x,true" for v in range(1, 2001)]
    path = tmp_path / "many.jtl"
    path.write_text("\n".join(lines) + "\n")
    data = JMeterJtlCsvCollector().collect(path).data
    assert data.percentiles == "histogram"
    for field, exact in (("p50", 1000), ("p90", 1800), ("p99", 1980)):
        assert abs(getattr(data.totals.latency_us, field) - exact * 1000) <= exact * 1000 // 1000
    assert (data.totals.latency_us.min, data.totals.latency_us.max) == (1000, 2_000_000)


# ---- JTL XML ---------------------------------------------------------------------------------------


def test_xml_counts_top_level_samples_once_and_agrees_with_the_csv():
    from_xml = JMeterJtlXmlCollector().collect(DATA / "jmeter5_results.xml.jtl")
    from_csv = JMeterJtlCsvCollector().collect(REAL_CSV)
    assert from_xml.data == from_csv.data  # the nested redirect /home-0 is not counted
    assert "/home-0" not in {e.name for e in from_xml.data.endpoints}
    assert (from_xml.observed_start, from_xml.observed_end) == (from_csv.observed_start, from_csv.observed_end)


def test_xml_missing_attribute_names_it_and_its_place(tmp_path):
    path = tmp_path / "bad.jtl"
    path.write_text('<?xml version="1.0"?>\n<testResults version="1.2">\n<httpSample t="5" lb="x" s="true"/>\n')
    with pytest.raises(InputError) as err:
        JMeterJtlXmlCollector().collect(path)
    assert "no 'ts' attribute" in str(err.value) and err.value.line == 3


def test_xml_wrong_root_and_entities_refused(tmp_path):
    other = tmp_path / "other.xml"
    other.write_text("<testsuites><testsuite/></testsuites>")
    with pytest.raises(InputError, match="root element is <testsuites>"):
        JMeterJtlXmlCollector().collect(other)
    bomb = tmp_path / "bomb.jtl"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><testResults>&a;</testResults>')
    with pytest.raises(InputError, match="refused"):
        JMeterJtlXmlCollector().collect(bomb)


# ---- dashboard -------------------------------------------------------------------------------------


def test_dashboard_maps_jmeters_statistics():
    collected = JMeterDashboardCollector().collect(DATA / "jmeter5_dashboard_statistics.json")
    data = collected.data
    stats = json.loads((DATA / "jmeter5_dashboard_statistics.json").read_text())
    total = stats["Total"]
    assert data.percentiles == "tool"
    assert (data.totals.requests, data.totals.failures, data.totals.error_rate_bp) == (50, 30, 6000)
    assert data.totals.latency_us.p90 == 152200 and data.totals.latency_us.p95 == 815850
    assert data.totals.latency_us.p99 == 1214000 and data.totals.latency_us.mean == 85720
    assert data.totals.throughput_mrps == round(total["throughput"] * 1000)
    assert data.duration_ms == round(total["sampleCount"] / total["throughput"] * 1000)
    assert [e.name for e in data.endpoints] == sorted(k for k in stats if k != "Total")
    zoek = next(e for e in data.endpoints if e.name == "/api/programmas/zoek")
    assert (zoek.latency_us.p50, zoek.latency_us.p90, zoek.latency_us.max) == (16000, 104300, 114000)
    assert data.vus_max is None and collected.observed_start is None


def test_another_tools_json_is_not_a_dashboard(tmp_path):
    k6 = tmp_path / "k6-summary.json"
    k6.write_text(json.dumps({"metrics": {"http_reqs": {"count": 3}}, "root_group": {}}))
    assert not JMeterDashboardCollector.detect(k6.read_bytes())
    with pytest.raises(InputError, match=r"not a JMeter dashboard statistics\.json: no 'Total' entry"):
        JMeterDashboardCollector().collect(k6)
    broken = tmp_path / "statistics.json"
    broken.write_text('{"Total": {"transaction": "Total", "sampleCount": "many"}}')
    with pytest.raises(InputError, match="entry 'Total' has no valid 'sampleCount'"):
        JMeterDashboardCollector().collect(broken)


# ---- through collect(): detection and schema -------------------------------------------------------

ALL = [(name, JMeterJtlCsvCollector) for name in CSV_VARIANTS] + [
    ("jmeter5_results.xml.jtl", JMeterJtlXmlCollector),
    ("jmeter5_dashboard_statistics.json", JMeterDashboardCollector),
]


@pytest.mark.parametrize(("name", "collector"), ALL)
def test_detected_and_valid_through_collect(name, collector):
    assert detect(DATA / name) is collector
    item = collect(DATA / name, item_id="load-jmeter", environment="staging").to_json_dict()
    assert item_problems(item) == []
    assert (item["kind"], item["schema"], item["source"]["format"]) == ("load", "load/v1", collector.format)


# ---- failure paths: one clear line each ------------------------------------------------------------


def _error(path: Path, collector=JMeterJtlCsvCollector) -> InputError:
    with pytest.raises(InputError) as err:
        collector().collect(path)
    message = str(err.value)
    assert "\n" not in message and "Traceback" not in message
    return err.value


def test_truncated_csv_names_the_last_line(tmp_path):
    text = REAL_CSV.read_text()
    path = tmp_path / "truncated.jtl"
    path.write_text(text[: text.rindex("\n", 0, len(text) - 1) + 40])
    error = _error(path)
    assert error.line == 61 and "truncated?" in error.message


def test_truncated_inside_a_quoted_field(tmp_path):
    text = (DATA / "jmeter5_quoted_newline.jtl.csv").read_text()
    path = tmp_path / "cut.jtl"
    path.write_text(text[: text.index("second line")])
    error = _error(path)
    assert error.line == 3 and "truncated?" in error.message


def test_missing_required_column_is_named(tmp_path):
    path = tmp_path / "nolabel.jtl"
    path.write_text("timeStamp,elapsed,success\n1700000000000,5,true\n")
    error = _error(path)
    assert error.message == "the header has no 'label' column (required: timeStamp, elapsed, label, success)"
    assert error.line == 1


def test_bad_values_name_line_and_column(tmp_path):
    path = tmp_path / "bad.jtl"
    path.write_text("timeStamp,elapsed,label,success\n1700000000000,5,a,true\n1700000000001,fast,a,true\n")
    assert _error(path).line == 3 and "elapsed is 'fast'" in str(_error(path))
    dated = tmp_path / "dated.jtl"
    dated.write_text("timeStamp,elapsed,label,success\n2026/11/27 10:00:00.000,5,a,true\n")
    assert "timestamp_format=ms" in _error(dated).message
    odd = tmp_path / "odd.jtl"
    odd.write_text("timeStamp,elapsed,label,success\n1700000000000,5,a,yes\n")
    assert "success is 'yes'" in _error(odd).message


@pytest.mark.parametrize(("content", "message"), [(b"", "file is empty"), (b"\n\n", "file is empty")])
def test_empty_files(tmp_path, content, message):
    for collector, name in ((JMeterJtlCsvCollector, "e.jtl"), (JMeterDashboardCollector, "statistics.json")):
        path = tmp_path / name
        path.write_bytes(content)
        assert message in _error(path, collector).message
    xml = tmp_path / "e.xml"
    xml.write_bytes(content)
    assert "file is empty" in _error(xml, JMeterJtlXmlCollector).message


def test_header_only_and_unknown_layout(tmp_path):
    path = tmp_path / "h.jtl"
    path.write_text(REAL_CSV.read_text().splitlines()[0] + "\n")
    assert _error(path).message == "the JTL holds no samples"
    other = tmp_path / "o.csv"
    other.write_text("Type,Name,Request Count\nGET,/x,3\n")
    assert not JMeterJtlCsvCollector.detect(other.read_bytes())
    assert "not a JMeter JTL CSV" in _error(other).message


def test_truncated_xml(tmp_path):
    text = (DATA / "jmeter5_results.xml.jtl").read_text()
    path = tmp_path / "cut.jtl"
    path.write_text(text[: len(text) // 2])
    assert "ends before </testResults> (truncated" in _error(path, JMeterJtlXmlCollector).message


def test_layouts_by_field_count():
    assert Counter(len(v) for v in jmeter_jtl_csv.DEFAULT_LAYOUTS.values()) == Counter({17: 1, 16: 1, 13: 1, 12: 1})
    for width, layout in jmeter_jtl_csv.DEFAULT_LAYOUTS.items():
        assert len(layout) == width and set(jmeter_jtl_csv.REQUIRED) <= set(layout)


def test_memory_stays_bounded_as_the_file_grows(tmp_path, monkeypatch):
    monkeypatch.setattr(jmeter_jtl_csv, "_BLOCK", 256 * 1024)
    monkeypatch.setenv("READINESS_NO_DUCKDB", "1")  # the streaming reader's own memory; DuckDB has its own limit
    peaks = []
    for rows in (20_000, 80_000):
        path = tmp_path / f"{rows}.jtl"
        with open(path, "w") as out:
            out.write("timeStamp,elapsed,label,success,failureMessage,allThreads\n")
            for n in range(rows):
                failed = n % 50 == 0
                message = '"code 503, expected 200"' if failed else ""
                out.write(f"{1700000000000 + n},{n % 997},L{n % 20},{str(not failed).lower()},{message},{n % 64}\n")
        tracemalloc.start()
        data = JMeterJtlCsvCollector().collect(path).data
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert data.totals.requests == rows and data.percentiles == "exact"
    assert peaks[1] < 24 * 1024 * 1024
    assert peaks[1] < peaks[0] * 1.5  # four times the samples, about the same memory
