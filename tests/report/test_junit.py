"""JUnit report: parses with junitparser, one case per criterion with the right outcome, consistent counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped, TestSuite

from evaluator.decide import Finding, Verdict
from evaluator.report.junit import JUnitReport
from tests.report.conftest import ALL_STATUSES, FAIL, criterion

# The outcome each status must become: the junitparser result class, or None for a plain (passed) case.
OUTCOME = {
    "pass": None,
    "warn": None,
    "fail": Failure,
    "error": Error,
    "insufficient_evidence": Error,
    "waived": Skipped,
    "not_applicable": Skipped,
}


def _suite(report) -> TestSuite:
    xml = JUnitXml.fromstring(JUnitReport().render(report))
    (suite,) = list(xml)
    return suite


def _properties(suite: TestSuite) -> dict[str, str]:
    return {p.name: p.value for p in suite.properties()}


def test_one_case_per_criterion_with_the_right_outcome(any_report):
    suite = _suite(any_report)
    cases = list(suite)
    assert [c.name for c in cases] == [v.criterion.id for v in any_report.verdicts]
    for case, verdict in zip(cases, any_report.verdicts, strict=True):
        assert case.classname == verdict.criterion.package
        expected = OUTCOME[verdict.status]
        if expected is None:
            assert case.result == [], verdict.status
            assert case.is_passed
        else:
            assert [type(r) for r in case.result] == [expected], verdict.status


def test_suite_counts_agree_with_the_cases(any_report):
    xml = JUnitXml.fromstring(JUnitReport().render(any_report))
    (suite,) = list(xml)
    cases = list(suite)
    outcomes = [type(c.result[0]) if c.result else None for c in cases]
    assert suite.tests == len(cases) == len(any_report.verdicts)
    assert suite.failures == outcomes.count(Failure)
    assert suite.errors == outcomes.count(Error)
    assert suite.skipped == outcomes.count(Skipped)
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (
        suite.tests,
        suite.failures,
        suite.errors,
        suite.skipped,
    )
    before = (suite.tests, suite.failures, suite.errors, suite.skipped)
    suite.update_statistics()
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == before


def test_counts_for_every_status(nogo):
    suite = _suite(nogo)
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (7, 1, 2, 2)


def test_failure_explains_observed_threshold_evidence_and_remediation(nogo):
    (case,) = [c for c in _suite(nogo) if c.name == "load.latency_p95"]
    (failure,) = case.result
    assert failure.message == "2 endpoints exceed the p95 budget"
    assert failure.type == "fail"
    assert "observed 412, threshold <= 300" in failure.text
    assert "evidence load-k6 /data/endpoints/0/p95_ms" in failure.text
    assert "GET /cart|items p95 350ms" in failure.text
    assert "remediation: Fix load.latency_p95." in failure.text
    assert "policy: readiness/load/load.rego:12" in failure.text


def test_error_and_insufficient_evidence_are_errors_with_their_type(nogo):
    cases = {c.name: c for c in _suite(nogo)}
    (error,) = cases["parity.config_drift"].result
    assert error.type == "error" and "undefined function lib.ratio" in error.text
    (missing,) = cases["dr.rollback_drill"].result
    assert missing.type == "insufficient_evidence" and "requires evidence: rollout" in missing.text


def test_waived_names_its_waiver_and_warn_explains_itself(nogo):
    cases = {c.name: c for c in _suite(nogo)}
    (skipped,) = cases["security.no_critical_vulns"].result
    assert skipped.message.startswith("waived by SEC-1234")
    (not_applicable,) = cases["tests.coverage"].result
    assert not_applicable.message.startswith("not applicable")
    warn = cases["load.error_rate"]
    assert "enforced from 2027-01-01" in warn.system_out
    assert "observed 210, threshold <= 100" in warn.system_out
    assert "observed 0, threshold <= 0" in cases["tests.no_failures"].system_out


def test_properties_give_decision_score_engine_subject(nogo, go):
    properties = _properties(_suite(nogo))
    assert properties["decision"] == "no-go"
    assert properties["score"] == str(nogo.decision.score)
    assert properties["completeness"] == str(nogo.decision.completeness)
    assert properties["engine"] == "regorus 0.2.8"
    assert properties["subject"] == "checkout 1.42.0"
    assert properties["subject.commit"] == nogo.subject["commit"]
    assert properties["verified"] == "false"
    assert properties["verification_failure.1"] == "signatures: 0 of 1 trusted keys signed"
    assert properties["reason.2"].startswith("load.latency_p95")
    properties = _properties(_suite(go))
    assert properties["decision"] == "go" and properties["verified"] == "true"
    assert not any(name.startswith("reason.") for name in properties)


def test_unverified_is_in_the_suite_name_and_output(nogo, go):
    suite = _suite(nogo)
    assert "UNVERIFIED" in suite.name
    out = ET.fromstring(JUnitReport().render(nogo)).find("./testsuite/system-out")
    assert out is not None and "UNVERIFIED evidence: signatures: 0 of 1 trusted keys signed" in (out.text or "")
    assert "UNVERIFIED" not in JUnitReport().render(go).decode()


def test_timestamp_is_utc_without_zone_as_the_junit_schema_wants(nogo):
    assert _suite(nogo).timestamp == "2026-11-27T16:00:00"


@pytest.mark.parametrize("text", ["bell\x07 nul\x00 esc\x1b[31m", "<tag attr='x'> & \"quotes\"", "]]> end of cdata"])
def test_any_text_makes_well_formed_xml(make_report, text):
    hostile = Verdict(
        criterion("tests.hostile", "high", ("tests",), title=text, remediation=text),
        "fail",
        text,
        violations=(
            Finding(text, observed=text, threshold=text, comparator="==", evidence="tests-unit", pointer="/x"),
        ),
    )
    data = JUnitReport().render(make_report((hostile, *ALL_STATUSES)))
    root = ET.fromstring(data)  # raises on malformed XML
    case = root.find("./testsuite/testcase[@name='tests.hostile']")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None
    expected = text.replace("\x07", "\ufffd").replace("\x00", "\ufffd").replace("\x1b", "\ufffd")
    assert failure.get("message") == expected


def test_starts_with_an_xml_declaration_and_is_stable(nogo):
    data = JUnitReport().render(nogo)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    assert data == JUnitReport().render(nogo)


def test_no_criteria_still_makes_a_valid_suite(make_report):
    suite = _suite(make_report(()))
    assert suite.tests == 0 and list(suite) == []
    assert _properties(suite)["decision"] == "no-go"


def test_unknown_status_is_an_error_not_a_pass(make_report):
    odd = Verdict(FAIL.criterion, "mystery", "the engine returned something new")
    suite = _suite(make_report((odd,)))
    (case,) = list(suite)
    assert [type(r) for r in case.result] == [Error]
    assert suite.errors == 1
