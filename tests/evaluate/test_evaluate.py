"""Evaluation: verdicts per criterion and the fail-closed matrix, on both engines."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest

from evaluator.decide import AppliedWaiver
from evaluator.engine.regorus import RegorusEngine
from evaluator.errors import InputError
from evaluator.waivers import Waivers
from tests.evaluate.conftest import LOAD_POLICY, TESTS_POLICY, later, run, statuses, write_policy

ENGINES = ["embedded", "opa"]


@pytest.mark.parametrize("engine", ENGINES)
def test_failing_tests_fail_the_criterion_with_an_explained_violation(tmp_path, keyring, envelope, engine):
    report = run(envelope, write_policy(tmp_path, TESTS_POLICY), keyring, engine=engine)
    assert statuses(report) == {"tests.no_failures": "fail", "tests.enough": "warn"}
    verdict = next(v for v in report.verdicts if v.criterion.id == "tests.no_failures")
    (violation,) = verdict.violations
    assert (violation.observed, violation.comparator, violation.threshold) == (1, "<=", 0)
    assert (violation.evidence, violation.pointer) == ("tests-unit", "/data/totals/failed")
    assert violation.message == "1 tests failed in tests-unit"
    assert not report.decision.go
    assert any(r.startswith("tests.no_failures (high) is fail") for r in report.decision.reasons)
    assert report.engine == engine and report.engine_version.startswith(("regorus", "opa"))


@pytest.mark.parametrize("engine", ENGINES)
def test_passing_criteria_show_what_they_checked_and_decide_go(tmp_path, keyring, envelope, engine):
    report = run(
        envelope, write_policy(tmp_path, TESTS_POLICY, data={"limits": {"max_failed": 1}}), keyring, engine=engine
    )
    assert statuses(report)["tests.no_failures"] == "pass"
    verdict = next(v for v in report.verdicts if v.criterion.id == "tests.no_failures")
    assert [c.message for c in verdict.checked] == ["4 tests ran in tests-unit"]
    assert verdict.message == "4 tests ran in tests-unit"
    assert report.decision.go, report.decision.reasons  # the warn is low severity and does not block
    assert report.decision.score == pytest.approx((4 * 1 + 1 * 0.5) / 5, abs=1e-4)
    assert report.decision.completeness == 1.0


def test_missing_kind_is_insufficient_evidence_and_blocks(tmp_path, keyring, envelope):
    report = run(envelope, write_policy(tmp_path, TESTS_POLICY, LOAD_POLICY), keyring)
    verdict = next(v for v in report.verdicts if v.criterion.id == "load.tested")
    assert verdict.status == "insufficient_evidence"
    assert verdict.message == "no load evidence in the bundle"
    assert not report.decision.go
    assert report.decision.completeness == pytest.approx(2 / 3, abs=1e-4)


def test_stale_item_is_insufficient_evidence(tmp_path, keyring, envelope, statement):
    report = run(
        envelope,
        write_policy(tmp_path, TESTS_POLICY, data={"limits": {"max_failed": 5}}),
        keyring,
        at=later(statement, 48),
        max_age={"tests": timedelta(hours=24)},
    )
    assert statuses(report) == {"tests.no_failures": "insufficient_evidence", "tests.enough": "insufficient_evidence"}
    verdict = report.verdicts[0]
    assert "tests-unit" in verdict.message and "2d old, maximum 1d" in verdict.message
    assert not report.decision.go
    assert not report.verified
    assert [e["status"] for e in report.evidence] == ["stale"]


def test_result_naming_an_unknown_criterion_is_an_error(tmp_path, keyring, envelope):
    rogue = TESTS_POLICY.replace(
        '"criterion": "tests.no_failures",\n\t\t"msg"', '"criterion": "tests.typo",\n\t\t"msg"'
    )
    report = run(envelope, write_policy(tmp_path, rogue), keyring)
    assert statuses(report)["tests.typo"] == "error"
    assert not report.decision.go
    assert any("undeclared criterion 'tests.typo'" in r for r in report.decision.reasons)


@pytest.mark.parametrize("engine", ENGINES)
def test_engine_exception_makes_the_package_criteria_error(tmp_path, keyring, envelope, engine):
    broken = TESTS_POLICY.replace(
        "item.data.totals.failed > data",
        "ratio := 1 / (item.data.totals.failed - 1)\n\tratio > 0\n\titem.data.totals.failed > data",
        1,
    )
    report = run(envelope, write_policy(tmp_path, broken), keyring, engine=engine)
    assert statuses(report) == {"tests.no_failures": "error", "tests.enough": "error"}
    assert "divide by zero" in report.verdicts[0].message
    assert not report.decision.go


def test_real_engine_panic_is_an_error_not_a_crash(tmp_path, keyring, envelope):
    panicking = TESTS_POLICY.replace(
        "item.data.totals.failed > data",
        "count(numbers.range(1, 9223372036854775807)) > 0\n\titem.data.totals.failed > data",
    )
    report = run(envelope, write_policy(tmp_path, panicking), keyring, check=False)
    verdict = report.verdicts[0]
    assert verdict.status == "error"
    assert "PanicException" in verdict.message
    assert not report.decision.go


def test_simulated_panic_and_crash_in_the_engine(tmp_path, keyring, envelope, monkeypatch):
    class FakePanic(BaseException):
        pass

    def panics(self, path, input_document):
        raise FakePanic("boom")

    monkeypatch.setattr(RegorusEngine, "evaluate", panics)
    report = run(envelope, write_policy(tmp_path, TESTS_POLICY), keyring)
    assert set(statuses(report).values()) == {"error"} and "FakePanic" in report.verdicts[0].message

    monkeypatch.setattr(RegorusEngine, "evaluate", lambda self, path, doc: os._exit(9))
    report = run(envelope, write_policy(tmp_path, TESTS_POLICY), keyring)
    assert set(statuses(report).values()) == {"error"}
    assert "engine process died (exit code 9)" in report.verdicts[0].message


def test_time_out_is_an_error(tmp_path, keyring, envelope):
    slow = TESTS_POLICY.replace(
        "item.data.totals.failed > data",
        "count([x | some x in numbers.range(1, 50000000); x < 0]) == 0\n\titem.data.totals.failed > data",
    )
    report = run(envelope, write_policy(tmp_path, slow), keyring, timeout=1, check=False)
    assert statuses(report)["tests.no_failures"] == "error"
    assert "timed out after 1s" in report.verdicts[0].message
    assert not report.decision.go


def test_unexpected_policy_output_is_an_error(tmp_path, keyring, envelope):
    odd = TESTS_POLICY + '\nwarn contains "just a string" if { true }\n'
    report = run(envelope, write_policy(tmp_path, odd), keyring)
    assert set(statuses(report).values()) == {"error"}
    assert "expected an object" in report.verdicts[0].message


def test_effective_on_in_the_future_makes_a_failure_a_warning(tmp_path, keyring, envelope):
    phased = TESTS_POLICY.replace(
        "#   remediation: Fix the failing tests.",
        "#   remediation: Fix the failing tests.\n#   effective_on: 2999-01-01",
    )
    report = run(envelope, write_policy(tmp_path, phased), keyring)
    verdict = next(v for v in report.verdicts if v.criterion.id == "tests.no_failures")
    assert verdict.status == "warn" and verdict.enforced_from == date(2999, 1, 1)
    assert "enforced from 2999-01-01" in verdict.message


def _waiver(**overrides):
    base = dict(
        id="QA-1",
        criterion="tests.no_failures",
        justification="known flaky gateway",
        owner="payments",
        approver="lead",
        ticket="QA-1",
        created=date(2026, 1, 1),
        expires=date(2999, 1, 1),
        scope={},
    )
    base.update(overrides)
    return AppliedWaiver(**base)


def test_waiver_applies_to_a_failed_criterion(tmp_path, keyring, envelope):
    waivers = Waivers(active=(_waiver(), _waiver(id="QA-2", ticket="QA-2", criterion="tests.enough")), expired=())
    report = run(envelope, write_policy(tmp_path, TESTS_POLICY), keyring, waivers=waivers)
    assert statuses(report) == {"tests.no_failures": "waived", "tests.enough": "warn"}
    assert report.verdicts[0].violations[0].waived_by == "QA-1" if report.verdicts[0].status == "waived" else True
    assert report.decision.go
    assert [w.id for w in report.unused_waivers] == ["QA-2"], "a waiver never applies to a warning"


def test_finding_scoped_and_mismatched_waivers(tmp_path, keyring, envelope):
    scoped = Waivers(active=(_waiver(scope={"fingerprint": "tests-unit/failed"}),), expired=())
    report = run(envelope, write_policy(tmp_path, TESTS_POLICY), keyring, waivers=scoped)
    assert statuses(report)["tests.no_failures"] == "waived"
    other = Waivers(
        active=(_waiver(scope={"fingerprint": "other"}), _waiver(id="QA-3", scope={"service": "billing"})), expired=()
    )
    report = run(envelope, write_policy(tmp_path, TESTS_POLICY), keyring, waivers=other)
    assert statuses(report)["tests.no_failures"] == "fail"
    assert {w.id for w in report.unused_waivers} == {"QA-1", "QA-3"}


def test_expired_waiver_is_ignored_and_listed(tmp_path, keyring, envelope):
    expired = _waiver(expires=date(2026, 1, 2))
    report = run(envelope, write_policy(tmp_path, TESTS_POLICY), keyring, waivers=Waivers((), (expired,)))
    assert statuses(report)["tests.no_failures"] == "fail"
    assert report.expired_waivers == (expired,)
    assert not report.decision.go


def test_policy_that_does_not_compile_is_an_input_error(tmp_path, keyring, envelope):
    with pytest.raises(InputError, match=r"p0.rego:\d+: policy does not load"):
        run(envelope, write_policy(tmp_path, TESTS_POLICY + "\nbroken := \n"), keyring)


def test_an_empty_policy_never_decides_go(tmp_path, keyring, envelope):
    report = run(envelope, write_policy(tmp_path, "package readiness.empty\n\nx := 1\n"), keyring)
    assert report.verdicts == () and not report.decision.go


INSUFFICIENT_POLICY = """
package readiness.tests

import rego.v1

# METADATA
# title: Integration tests ran
# custom:
#   id: tests.integration_ran
#   severity: high
#   requires: [tests]
#   remediation: Run the integration suite and bundle its report.
insufficient contains result if {
	not _integration
	result := {"criterion": "tests.integration_ran", "msg": "no integration test run among the tests evidence",
		"observed": count(input.evidence.tests), "comparator": "includes", "threshold": "integration",
		"evidence": null, "pointer": "/evidence/tests"}
}

deny contains result if {
	_integration
	some item in input.evidence.tests
	item.data.totals.failed > 5
	result := {"criterion": "tests.integration_ran", "msg": "too many failures", "observed": item.data.totals.failed,
		"comparator": "<=", "threshold": 5, "evidence": item.id, "pointer": "/data/totals/failed"}
}

_integration if {
	some item in input.evidence.tests
	contains(item.id, data.readiness.suite)
}
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_an_insufficient_result_makes_the_criterion_insufficient_evidence(tmp_path, keyring, envelope, engine):
    policy_dir = write_policy(tmp_path, INSUFFICIENT_POLICY, data={"suite": "integration"})
    report = run(envelope, policy_dir, keyring, engine=engine)
    (verdict,) = report.verdicts
    assert (verdict.status, verdict.message) == (
        "insufficient_evidence",
        "no integration test run among the tests evidence",
    )
    assert verdict.violations[0].threshold == "integration"
    assert not report.decision.go
    # Once the evidence is there, the criterion is judged on it.
    report = run(
        envelope, write_policy(tmp_path / "b", INSUFFICIENT_POLICY, data={"suite": "unit"}), keyring, engine=engine
    )
    assert statuses(report) == {"tests.integration_ran": "pass"}
