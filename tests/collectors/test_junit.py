"""JUnit XML collector: real reports of each tool, counting rules, messages, time, failure paths, schema."""

from __future__ import annotations

import copy
import json
import tracemalloc
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from evaluator import schemas
from evaluator.collectors import collect, detect
from evaluator.collectors.tests.junit import JUnitXmlCollector, parse_timestamp, seconds_to_ms
from evaluator.errors import InputError
from evaluator.evidence import item_problems
from evaluator.evidence.tests import MAX_LISTED_CASES, RunResults

DATA = Path(__file__).parent.parent / "data" / "junit"
SCHEMA = "evidence/tests.v1.schema.json"
REPORTS = sorted(p.name for p in DATA.glob("*.xml"))


def _collect(path: Path):
    return JUnitXmlCollector().collect(path)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# ---- every real report: counts, duration, window, tool --------------------------------------------

# Read from the files by hand (see SOURCES.md): tests, passed, failed, errored, skipped, flaky; the run's
# duration in ms; the observed window (None when the file has no timestamp); tool and version.
EXPECTED = {
    "pytest-xunit1.xml": (
        (12, 5, 3, 2, 2, 0),
        339,
        ("2026-11-27T15:53:43.571962", "2026-11-27T15:53:43.910962"),
        ("pytest", None),
    ),
    "pytest-xunit2.xml": (
        (12, 5, 3, 2, 2, 0),
        336,
        ("2026-11-27T15:53:44.229202", "2026-11-27T15:53:44.565202"),
        ("pytest", None),
    ),
    "surefire-rerun.xml": ((5, 2, 1, 1, 1, 1), 14, None, ("surefire", None)),
    "gradle.xml": ((3, 2, 1, 0, 0, 0), 2638, ("2026-05-28T22:31:02", "2026-05-28T22:31:04.638"), ("gradle", None)),
    "go-junit-report.xml": (
        (5, 2, 2, 0, 1, 0),
        1317,  # no root time: 0 + 482 + 835 from the three suites
        ("2022-10-13T21:53:32", "2022-10-13T21:53:32.835"),  # -05:00 in the file
        ("go-junit-report", None),
    ),
    "gotestsum.xml": (
        (7, 3, 3, 0, 1, 0),
        1405,
        ("2026-11-27T15:53:53", "2026-11-27T15:53:53.124"),
        ("gotestsum", None),
    ),
    "jest-junit.xml": (
        (6, 3, 2, 0, 1, 0),
        703,
        ("2026-11-27T15:54:47", "2026-11-27T15:54:47.351"),
        ("jest-junit", None),
    ),
    "phpunit-nested.xml": ((7, 3, 1, 1, 2, 0), 154, None, ("phpunit", None)),
    "ctest.xml": ((6, 2, 2, 0, 2, 0), 1000, ("2026-11-27T15:54:07", "2026-11-27T15:54:08"), ("ctest", None)),
    "ant.xml": ((4, 1, 1, 1, 1, 0), 333, ("2026-11-27T15:58:27", "2026-11-27T15:58:27.333"), ("ant", "1.10.13")),
    "ant-junitreport.xml": (
        (4, 1, 1, 1, 1, 0),
        333,
        ("2026-11-27T15:58:27", "2026-11-27T15:58:27.333"),
        ("ant", "1.10.13"),
    ),
}


def test_every_sample_file_has_expectations():
    assert sorted(EXPECTED) == REPORTS


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_counts_duration_window_and_tool(name):
    counts, duration_ms, window, tool = EXPECTED[name]
    collected = _collect(DATA / name)
    totals = collected.data.totals
    assert (totals.tests, totals.passed, totals.failed, totals.errored, totals.skipped, totals.flaky) == counts
    assert totals.duration_ms == duration_ms
    assert (collected.tool, collected.tool_version) == tool
    if window is None:
        assert collected.observed_start is None and collected.observed_end is None
    else:
        assert (collected.observed_start, collected.observed_end) == (_utc(window[0]), _utc(window[1]))


def _element_tree_counts(path: Path) -> dict[str, int]:
    """The counting rules applied with a plain DOM pass, independently of the streaming collector."""
    counts: Counter[str] = Counter()
    for case in ET.parse(path).getroot().iter("testcase"):
        children = {child.tag for child in case}
        if "failure" in children:
            counts["failed"] += 1
        elif "error" in children:
            counts["errored"] += 1
        elif "skipped" in children:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
            counts["flaky"] += bool(children & {"flakyFailure", "flakyError"})
    counts["tests"] = counts["passed"] + counts["failed"] + counts["errored"] + counts["skipped"]
    return counts


@pytest.mark.parametrize("name", REPORTS)
def test_counts_agree_with_a_plain_element_tree_pass(name):
    totals = _collect(DATA / name).data.totals
    expected = _element_tree_counts(DATA / name)
    for field in ("tests", "passed", "failed", "errored", "skipped", "flaky"):
        assert getattr(totals, field) == expected[field], field


@pytest.mark.parametrize("name", REPORTS)
def test_suite_counts_add_up_to_the_totals(name):
    data = _collect(DATA / name).data
    for field in ("tests", "passed", "failed", "errored", "skipped", "flaky"):
        assert sum(getattr(s, field) for s in data.suites) == getattr(data.totals, field), field
    for suite in data.suites:
        assert suite.tests == suite.passed + suite.failed + suite.errored + suite.skipped


@pytest.mark.parametrize("name", REPORTS)
def test_detected_from_the_first_bytes(name):
    head = (DATA / name).read_bytes()[:65536]
    assert JUnitXmlCollector.detect(head)
    assert detect(DATA / name) is JUnitXmlCollector


@pytest.mark.parametrize("name", REPORTS)
def test_item_through_collect_validates_and_keeps_no_output_or_secret(name):
    item = collect(DATA / name, item_id="tests-unit", environment="staging").to_json_dict()
    assert item_problems(item) == []
    assert item["kind"] == "tests" and item["schema"] == "tests/v1"
    assert item["source"]["format"] == "junit-xml"
    assert item["source"]["tool"] == EXPECTED[name][3][0]
    text = json.dumps(item)
    for secret in ("hunter2-very-secret", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "s3cr3t-feed-pass"):
        assert secret not in text
    for output in ("Just system.out here", "expected 3 entries, found 4", "roundtrip ok", "java.class.path"):
        assert output not in text


# ---- failures, flaky cases, suites per tool -------------------------------------------------------


def _failures(name: str) -> list[tuple[str, str, str | None]]:
    return [(f.name, f.status, f.message) for f in _collect(DATA / name).data.failures]


def test_pytest_failures_names_messages_and_one_based_lines():
    data = _collect(DATA / "pytest-xunit1.xml").data
    assert [(f.name, f.status) for f in data.failures] == [
        ("test_fails", "failed"),
        ("test_fails_with_secret", "failed"),
        ("test_errors_in_setup", "errored"),
        ("test_param[3]", "failed"),
        ("test_teardown_error", "errored"),
    ]
    by_name = {f.name: f for f in data.failures}
    assert by_name["test_fails"].message.startswith("AssertionError: health endpoint degraded\nassert {'status'")
    assert by_name["test_fails_with_secret"].message == (
        "AssertionError: login failed for url https://admin:[REDACTED]@db.internal/app"
    )
    assert (
        by_name["test_errors_in_setup"].message
        == 'failed on setup with "RuntimeError: database fixture could not connect"'
    )
    assert by_name["test_teardown_error"].message == 'failed on teardown with "OSError: could not release temp dir"'
    # pytest writes 0-based lines (line="12" for `def test_fails` on line 13 of the suite in SOURCES.md).
    assert (by_name["test_fails"].file, by_name["test_fails"].line) == ("test_sample.py", 13)
    assert by_name["test_fails"].classname == "test_sample"
    assert by_name["test_fails"].suite == "pytest"
    assert [s.name for s in data.suites] == ["pytest"]


def test_pytest_xunit2_has_the_same_failures_without_file_and_line():
    one = _collect(DATA / "pytest-xunit1.xml").data.failures
    two = _collect(DATA / "pytest-xunit2.xml").data.failures
    assert [(f.name, f.status, f.message) for f in one] == [(f.name, f.status, f.message) for f in two]
    assert all(f.file is None and f.line is None for f in two)


def test_surefire_rerun_flaky_failure_and_error():
    data = _collect(DATA / "surefire-rerun.xml").data
    assert [(f.name, f.status, f.type, f.message) for f in data.failures] == [
        (
            "appliesVoucher",
            "failed",
            "org.opentest4j.AssertionFailedError",
            "voucher not applied ==> expected: <90> but was: <100>",
        ),
        ("loadsPriceTable", "errored", "java.lang.IllegalStateException", "price table missing: token=[REDACTED]"),
    ]
    [flaky] = data.flaky_cases
    assert (flaky.name, flaky.classname, flaky.failed_attempts) == (
        "reservesInventory",
        "com.example.checkout.CartTest",
        1,
    )
    assert flaky.message == "inventory service timed out ==> expected: <1> but was: <0>"
    # Surefire's suite attributes claim tests="2" failures="1" errors="1" skipped="0": the cases say otherwise.
    [suite] = data.suites
    assert (suite.tests, suite.passed, suite.failed, suite.errored, suite.skipped, suite.flaky) == (5, 2, 1, 1, 1, 1)


def test_go_messages_come_from_the_text_after_go_test_framing():
    assert _failures("gotestsum.xml") == [
        ("TestDiscount", "failed", "cart_test.go:23: Total with discount = 350, want 300"),
        ("TestTaxTable/fr", "failed", "cart_test.go:32: rate for fr is 20, above the cap"),
        ("TestTaxTable", "failed", "Failed"),  # the parent of a failed subtest has nothing more to say
    ]
    assert _failures("go-junit-report.xml") == [
        ("TestPackage3-1", "failed", "Just error here"),
        ("TestPackage3-4", "failed", "Failed"),
    ]


def test_go_junit_report_keeps_the_empty_package_suite():
    suites = _collect(DATA / "go-junit-report.xml").data.suites
    assert [(s.name, s.tests, s.duration_ms) for s in suites] == [
        ("github.com/company/package1", 0, 0),
        ("github.com/company/package2", 1, 482),
        ("github.com/company/package3", 4, 835),
    ]


def test_phpunit_nested_suites_count_each_case_once_in_its_leaf():
    data = _collect(DATA / "phpunit-nested.xml").data
    assert [(s.name, s.tests, s.passed, s.failed, s.errored, s.skipped, s.duration_ms) for s in data.suites] == [
        ("PriceTest", 4, 1, 0, 1, 2, 150),  # its own cases: 150 + 0 + 0 + 0 ms; the nested suite is listed apart
        ("PriceTest::testAddsVat", 3, 2, 1, 0, 0, 3),
    ]
    assert [(f.suite, f.name, f.status, f.message, f.line) for f in data.failures] == [
        (
            "PriceTest::testAddsVat",
            'testAddsVat with data set "luxembourg"',
            "failed",
            "Failed asserting that 117 is identical to 116.",
            8,
        ),
        (
            "PriceTest",
            "testReadsCurrencyFile",
            "errored",
            "fopen(/nonexistent/currencies.json): Failed to open stream: No such file or directory",
            29,
        ),
    ]


def test_jest_message_is_the_first_line_of_the_stack():
    assert _failures("jest-junit.xml") == [
        ("price applies the voucher", "failed", "Error: expect(received).toBe(expected) // Object.is equality"),
        (
            "session rejects an expired token",
            "failed",
            "TypeError: Cannot read properties of undefined (reading 'exp')",
        ),
    ]


def test_ctest_failures_without_message():
    assert _failures("ctest.xml") == [("cache_eviction", "failed", None), ("times_out", "failed", None)]


def test_gradle_multiline_message_attribute():
    [failure] = _collect(DATA / "gradle.xml").data.failures
    assert failure.type == "java.lang.AssertionError"
    assert failure.message.startswith(
        'java.lang.AssertionError: Response content\nExpected: a string containing "NOT_GONK"'
    )
    assert "MatcherAssert.java" not in failure.message


def test_ant_error_message_is_redacted():
    assert _failures("ant.xml") == [
        (
            "readsWarehouseFeed",
            "errored",
            "feed URL https://feed:[REDACTED]@warehouse.example/feed is unreachable",
        ),
        ("releasesExpiredReservations", "failed", "expired reservations released expected:<0> but was:<2>"),
    ]


# ---- counting rules on small documents -----------------------------------------------------------


def _write(tmp_path: Path, text: str, name: str = "report.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_zero_test_cases_is_a_valid_report(tmp_path):
    for text, suites in (("<testsuites/>", 0), ('<testsuite name="none" tests="0" time="0"/>', 1)):
        collected = _collect(_write(tmp_path, text))
        totals = collected.data.totals
        assert (totals.tests, totals.passed, totals.failed, totals.duration_ms) == (0, 0, 0, 0)
        assert len(collected.data.suites) == suites
        assert collected.tool == "junit" and collected.observed_start is None
    item = collect(_write(tmp_path, "<testsuites/>"), format_name="junit-xml").to_json_dict()
    assert item_problems(item) == []


def test_case_status_precedence_and_flaky_variants(tmp_path):
    report = """<testsuite name="s">
      <testcase name="both"><error message="teardown"/><failure message="assertion"/></testcase>
      <testcase name="skipped-then-error"><skipped/><error message="teardown broke"/></testcase>
      <testcase name="flaky-error"><flakyError message="OOM"/><flakyFailure message="timeout"/></testcase>
      <testcase name="rerun-still-fails"><failure message="a"/><rerunFailure message="b"/></testcase>
    </testsuite>"""
    data = _collect(_write(tmp_path, report)).data
    assert [(f.name, f.status, f.message) for f in data.failures] == [
        ("both", "failed", "assertion"),
        ("skipped-then-error", "errored", "teardown broke"),
        ("rerun-still-fails", "failed", "a"),
    ]
    assert [(f.name, f.failed_attempts, f.message) for f in data.flaky_cases] == [("flaky-error", 2, "OOM")]
    assert (data.totals.passed, data.totals.flaky) == (1, 1)


def test_output_inside_a_rerun_element_is_never_read(tmp_path):
    # Surefire nests the attempt's output in <flakyFailure>; only its stack trace may give the message.
    report = """<testsuite name="s"><testcase name="t">
      <flakyFailure type="java.net.SocketTimeoutException">
        <system-out><![CDATA[connecting with api_key=live-123 ...]]></system-out>
        <stackTrace><![CDATA[java.net.SocketTimeoutException: Read timed out
        at Client.get(Client.java:10)]]></stackTrace>
      </flakyFailure>
    </testcase></testsuite>"""
    [flaky] = _collect(_write(tmp_path, report)).data.flaky_cases
    assert flaky.message == "java.net.SocketTimeoutException: Read timed out"


def test_time_in_locale_formats_and_missing(tmp_path):
    report = """<testsuites>
      <testsuite name="a"><testcase name="x" time="1,234.5"/><testcase name="y" time="0,25"/></testsuite>
      <testsuite name="b" time=""><testcase name="z"/><testcase name="w" time="garbage"/></testsuite>
    </testsuites>"""
    data = _collect(_write(tmp_path, report)).data
    assert [(s.name, s.duration_ms) for s in data.suites] == [("a", 1234750), ("b", 0)]
    assert data.totals.duration_ms == 1234750


def test_root_time_wins_over_the_sum_of_suites(tmp_path):
    report = '<testsuites time="9.5"><testsuite name="a" time="1"><testcase name="x"/></testsuite></testsuites>'
    assert _collect(_write(tmp_path, report)).data.totals.duration_ms == 9500


def test_observed_window_spans_the_suites_and_reads_naive_timestamps_as_utc(tmp_path):
    report = """<testsuites>
      <testsuite name="late" time="2.5" timestamp="2026-03-01T10:00:00"><testcase name="a"/></testsuite>
      <testsuite name="early" time="60" timestamp="2026-03-01T10:59:00+02:00"><testcase name="b"/></testsuite>
      <testsuite name="no-time" timestamp="2026-03-01T09:00:00Z"><testcase name="c" time="0.5"/></testsuite>
      <testsuite name="unreadable" timestamp="last tuesday"><testcase name="d"/></testsuite>
    </testsuites>"""
    collected = _collect(_write(tmp_path, report))
    assert collected.observed_start == _utc("2026-03-01T08:59:00")
    assert collected.observed_end == _utc("2026-03-01T10:00:02.500")


def test_cases_straight_under_testsuites_get_a_suite(tmp_path):
    report = '<testsuites name="e2e"><testcase name="a" time="1"/><testcase name="b"><failure/></testcase></testsuites>'
    data = _collect(_write(tmp_path, report)).data
    assert [(s.name, s.tests, s.failed, s.duration_ms) for s in data.suites] == [("e2e", 2, 1, 1000)]
    assert data.failures[0].suite == "e2e" and data.failures[0].message is None


def test_long_strings_are_cut_and_redacted_before_the_cut(tmp_path):
    message = "x" * 995 + " password=supersecretvalue and more"
    name = "n" * 600
    case = f'<testcase name="{name}" classname="c"><failure message="{message}"/></testcase>'
    report = f'<testsuite name="s">{case}</testsuite>'
    [failure] = _collect(_write(tmp_path, report)).data.failures
    assert len(failure.message) == 1000
    assert "super" not in failure.message
    assert failure.name == "n" * 512


def test_failure_list_is_capped_but_totals_count_everything(tmp_path):
    cases = "".join(
        f'<testcase name="t{i}"><failure message="m{i}"/></testcase>' for i in range(MAX_LISTED_CASES + 200)
    )
    data = _collect(_write(tmp_path, f'<testsuite name="s">{cases}</testsuite>')).data
    assert data.totals.failed == MAX_LISTED_CASES + 200
    assert len(data.failures) == MAX_LISTED_CASES
    assert data.failures[-1].name == f"t{MAX_LISTED_CASES - 1}"


def test_a_secret_in_a_failure_never_reaches_the_item(tmp_path):
    aws = "AKIAIOSFODNN7EXAMPLE"
    report = f"""<?xml version="1.0"?>
    <testsuites><testsuite name="deploy">
      <testcase name="uploads" classname="deploy.s3">
        <failure message="upload denied for {aws}">AccessDenied
  db_password=Tr0ub4dor&amp;3 {aws}</failure>
        <system-out>export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY</system-out>
      </testcase>
      <testcase name="connects"><error>password: Tr0ub4dor&amp;3 rejected</error></testcase>
    </testsuite></testsuites>"""
    item = collect(_write(tmp_path, report), item_id="tests-deploy").to_json_dict()
    assert item_problems(item) == []
    text = json.dumps(item)
    for secret in (aws, "Tr0ub4dor", "wJalrXUtnFEMI"):
        assert secret not in text
    messages = [f["message"] for f in item["data"]["failures"]]
    assert messages == ["upload denied for [REDACTED]", "password: [REDACTED] rejected"]


def test_memory_stays_bounded_on_huge_text(tmp_path):
    # 24 MB of failure text and system-out in one case: only the first kilobytes of the failure are kept.
    path = tmp_path / "huge.xml"
    line = "y" * 1023 + "\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<testsuite name="big"><testcase name="t"><failure>first line says why\n')
        fh.write(line * 12_000)
        fh.write("</failure><system-out>")
        fh.write(line * 12_000)
        fh.write("</system-out></testcase></testsuite>")
    tracemalloc.start()
    try:
        collected = _collect(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert collected.data.failures[0].message == "first line says why"
    assert peak < 4 * 1024 * 1024


# ---- failure paths --------------------------------------------------------------------------------


def test_malformed_xml_names_line_and_column(tmp_path):
    path = _write(tmp_path, '<testsuites>\n  <testsuite name="a">\n    <testcase name="x">\n  </testsuite>\n')
    with pytest.raises(InputError) as caught:
        _collect(path)
    error = caught.value
    assert error.message == "malformed XML: mismatched tag"
    assert (error.line, error.column) == (4, 5)
    assert str(error) == f"{path}:4:5: malformed XML: mismatched tag"


def test_truncated_report_is_malformed(tmp_path):
    real = (DATA / "pytest-xunit2.xml").read_bytes()
    path = tmp_path / "cut.xml"
    path.write_bytes(real[: len(real) // 2])
    with pytest.raises(InputError, match="truncated"):
        _collect(path)
    with pytest.raises(InputError, match="malformed XML"):
        collect(path)


def test_wrong_root_element_is_named(tmp_path):
    path = _write(
        tmp_path, '<?xml version="1.0"?>\n<!-- a Maven POM -->\n<project><modelVersion>4.0.0</modelVersion></project>'
    )
    with pytest.raises(InputError) as caught:
        _collect(path)
    assert "root element is <project>" in caught.value.message
    assert caught.value.line == 3
    with pytest.raises(InputError, match="root element is <project>"):
        collect(path, format_name="junit-xml")
    with pytest.raises(InputError, match="format not recognised"):
        collect(path)


def test_empty_file(tmp_path):
    for content in ("", "  \n\t\n"):
        path = _write(tmp_path, content)
        with pytest.raises(InputError, match="file is empty"):
            _collect(path)
        with pytest.raises(InputError, match="file is empty"):
            collect(path)


def test_json_file_is_not_junit(tmp_path):
    path = _write(tmp_path, json.dumps({"testsuites": [{"name": "a", "tests": 1}]}), "report.json")
    assert not JUnitXmlCollector.detect(path.read_bytes())
    with pytest.raises(InputError, match="format not recognised"):
        collect(path)
    with pytest.raises(InputError) as caught:
        collect(path, format_name="junit-xml")
    assert caught.value.message.startswith("malformed XML")
    assert (caught.value.line, caught.value.column) == (1, 1)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE testsuites [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<testsuites><testsuite name="s"><testcase name="t"><failure message="&lol9;"/></testcase></testsuite></testsuites>
"""


def test_entity_expansion_bomb_is_refused(tmp_path):
    path = _write(tmp_path, BILLION_LAUGHS)
    assert JUnitXmlCollector.detect(path.read_bytes())  # looks like a report: the parser must refuse it
    with pytest.raises(InputError, match="refused: the XML declares the entity 'lol'"):
        collect(path)


def test_external_entity_is_refused(tmp_path):
    secret = _write(tmp_path, "root:x:0:0", "passwd")
    report = (
        f'<?xml version="1.0"?><!DOCTYPE testsuite [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<testsuite name="s"><testcase name="t"><failure message="&xxe;"/></testcase></testsuite>'
    )
    with pytest.raises(InputError, match="refused"):
        _collect(_write(tmp_path, report))


def test_external_dtd_is_refused_without_fetching_it(tmp_path):
    report = (
        '<?xml version="1.0"?>\n<!DOCTYPE testsuite SYSTEM "http://127.0.0.1:9/junit.dtd">\n'
        '<testsuite name="s"><testcase name="t"/></testsuite>\n'
    )
    with pytest.raises(InputError, match="refused: the XML references an external resource"):
        _collect(_write(tmp_path, report))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        _collect(tmp_path / "absent.xml")
    with pytest.raises(InputError, match="is a directory"):
        _collect(tmp_path)


# ---- detection ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        b"<testsuites>",
        b'<testsuite name="x"/>',
        b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\r\n<testsuites name="pytest tests">',
        b'<?xml version="1.0"?>\n<!-- generated by a tool -->\n<?xml-stylesheet href="x.xsl"?>\n  <testsuite>',
        b"<!DOCTYPE testsuites>\n<testsuites>",
        '<?xml version="1.0" encoding="UTF-16"?><testsuites>'.encode("utf-16"),
        b"<ns2:testsuite xmlns:ns2='urn:x'>",
    ],
)
def test_detects_junit_roots(head):
    assert JUnitXmlCollector.detect(head)


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b'{"testsuites": []}',
        b'<?xml version="1.0"?><project><testsuite/></project>',
        b"<!-- <testsuites> --><coverage/>",
        b"<testsuitesx>",
        b"<testcase name='x'/>",
        b"testsuites",
    ],
)
def test_rejects_other_content(head):
    assert not JUnitXmlCollector.detect(head)


# ---- time and timestamp parsing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("0.25", 250),
        ("1", 1000),
        ("2.0005", 2001),
        ("1e-3", 1),
        ("1,234.5", 1234500),
        ("1.234,5", 1234500),
        ("0,5", 500),
        ("0,123", 123),
        ("12,5", 12500),
        ("1,234", 1234000),
        ("1,234,567", 1234567000),
        (" 3.5 ", 3500),
        (None, None),
        ("", None),
        ("abc", None),
        ("-1", None),
        ("NaN", None),
        ("inf", None),
        ("1e300", None),
    ],
)
def test_seconds_to_ms(text, ms):
    assert seconds_to_ms(text) == ms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-27T15:53:35.161935+00:00", "2026-11-27T15:53:35.161935"),
        ("2022-10-13T16:53:32-05:00", "2022-10-13T21:53:32"),
        ("2026-11-27T15:54:07", "2026-11-27T15:54:07"),
        ("2026-11-27 15:54:07Z", "2026-11-27T15:54:07"),
    ],
)
def test_parse_timestamp(text, expected):
    assert parse_timestamp(text) == _utc(expected)


@pytest.mark.parametrize("text", [None, "", "yesterday", "2026-13-01T00:00:00"])
def test_unreadable_timestamp_is_none(text):
    assert parse_timestamp(text) is None


# ---- the pydantic model and the JSON Schema agree -------------------------------------------------


FULL = {
    "totals": {"tests": 3, "passed": 1, "failed": 1, "errored": 1, "skipped": 0, "flaky": 1, "duration_ms": 1500},
    "suites": [
        {"name": "s", "tests": 3, "passed": 1, "failed": 1, "errored": 1, "skipped": 0, "flaky": 1, "duration_ms": 1500}
    ],
    "failures": [
        {
            "suite": "s",
            "classname": "pkg.C",
            "name": "t1",
            "status": "failed",
            "type": "AssertionError",
            "message": "boom",
            "file": "c.py",
            "line": 3,
        },
        {"suite": "s", "name": "t2", "status": "errored"},
    ],
    "flaky_cases": [{"suite": "s", "classname": "pkg.C", "name": "t3", "failed_attempts": 2, "message": "timeout"}],
}


def _changed(path: str, value: Any) -> dict[str, Any]:
    document = copy.deepcopy(FULL)
    *parents, last = path.split("/")
    target: Any = document
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return document


def test_model_output_validates_against_the_schema():
    model = RunResults.model_validate(FULL)
    assert model.model_dump(mode="json", exclude_none=True) == FULL
    assert schemas.problems(SCHEMA, FULL) == []
    for name in REPORTS:
        document = _collect(DATA / name).data.model_dump(mode="json", exclude_none=True)
        assert schemas.problems(SCHEMA, document) == [], name


INVALID = [
    ("totals/failed", -1),
    ("suites/0/duration_ms", -5),
    ("totals/tests", "3"),
    ("totals/tests", 1.5),
    ("totals/extra", 1),
    ("suites/0/owner", "me"),
    ("failures/0/severity", "high"),
    ("extra", True),
    ("failures/0/status", "broken"),
    ("failures/0/status", "passed"),
    ("failures/0/message", "m" * 1001),
    ("flaky_cases/0/message", "m" * 1001),
    ("failures/0/name", "n" * 513),
    ("failures/0/type", "t" * 257),
    ("failures/0/line", 0),
    ("flaky_cases/0/failed_attempts", 0),
    ("totals/flaky", ...),
    ("suites/0/flaky", ...),
    ("failures/1/status", ...),
    ("flaky_cases", ...),
    ("failures", [FULL["failures"][1]] * (MAX_LISTED_CASES + 1)),
    ("suites", {}),
]


@pytest.mark.parametrize(("path", "value"), INVALID, ids=[f"{p}={str(v)[:12]}" for p, v in INVALID])
def test_schema_and_model_reject_the_same_documents(path, value):
    document = _changed(path, value)
    assert schemas.problems(SCHEMA, document) != []
    with pytest.raises(ValidationError):
        RunResults.model_validate(document)
