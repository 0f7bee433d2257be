"""Reports that cover every status, go and no-go, verified and unverified."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from evaluator.decide import AppliedWaiver, Finding, Verdict, decide
from evaluator.policy.model import Criterion
from evaluator.report.interface import InputDigest, Report

COMMIT = "3f786850e387550fdab836ed7e6dc881de23001b"
ARTIFACT = "sha256:" + "ab" * 32
SUBJECT = {
    "service": "checkout",
    "version": "1.42.0",
    "commit": COMMIT,
    "artifact_digest": ARTIFACT,
    "tier": "critical",
    "environment": "staging",
    "target_environment": "production",
}
EVIDENCE = (
    {"id": "tests-unit", "kind": "tests", "schema": "tests/v1", "tool": "pytest", "file": "pytest-junit.xml"},
    {"id": "load-k6", "kind": "load", "schema": "load/v1", "tool": "k6", "evidence_time": "2026-11-27T14:00:00Z"},
    {"id": "security-trivy", "kind": "security", "schema": "security/v1", "tool": "trivy"},
)
WAIVER = AppliedWaiver(
    id="SEC-1234",
    criterion="security.no_critical_vulns",
    justification="Not reachable: the vulnerable parser is never fed user input.",
    owner="payments-team",
    approver="security-lead",
    ticket="SEC-1234",
    created=date(2026, 11, 1),
    expires=date(2026, 12, 31),
    scope={"fingerprint": "CVE-2026-0001:libxml2"},
)
EXPIRED = AppliedWaiver(
    id="OPS-7",
    criterion="dr.rollback_drill",
    justification="Drill environment was down.",
    owner="sre",
    approver="ops-lead",
    ticket="OPS-7",
    created=date(2026, 9, 1),
    expires=date(2026, 10, 1),
)
UNUSED = AppliedWaiver(
    id="tests.no_failures@0",
    criterion="tests.no_failures",
    justification="Flaky test quarantined.",
    owner="qa",
    approver="qa-lead",
    ticket="QA-99",
    created=date(2026, 11, 20),
    expires=date(2026, 12, 20),
    scope={"service": "checkout"},
)


def criterion(criterion_id: str, severity: str, requires: tuple[str, ...], **extra: Any) -> Criterion:
    """A criterion declared in the package named by the id's first part."""
    area = criterion_id.split(".")[0]
    fields: dict[str, Any] = {
        "title": f"Title of {criterion_id}",
        "description": f"What {criterion_id} inspects, and why.",
        "remediation": f"Fix {criterion_id}.",
        "package": f"readiness.{area}",
        "rule": "deny",
        "file": f"readiness/{area}/{area}.rego",
        "line": 12,
    } | extra
    return Criterion(id=criterion_id, severity=severity, requires=requires, **fields)


PASS = Verdict(
    criterion("tests.no_failures", "high", ("tests",)),
    "pass",
    "0 of 120 tests failed",
    checked=(
        Finding("0 of 120 tests failed in tests-unit", 0, 0, "<=", "tests-unit", "/data/totals/failed", None, None),
    ),
)
FAIL = Verdict(
    criterion("load.latency_p95", "high", ("load",), title="p95 latency | within budget", weight=5),
    "fail",
    "2 endpoints exceed the p95 budget",
    violations=(
        Finding("POST /checkout p95 412ms exceeds 300ms", 412, 300, "<=", "load-k6", "/data/endpoints/0/p95_ms"),
        Finding(
            "GET /cart|items p95 350ms exceeds 300ms\nsecond line",
            observed=350,
            threshold=300,
            comparator="<=",
            evidence="load-k6",
            pointer="/data/endpoints/3/p95_ms",
        ),
        Finding(
            "3 endpoints measured, 2 over budget",
            observed=["POST /checkout", "GET /cart"],
            threshold=[],
            comparator="==",
            evidence="load-k6",
            pointer="/data/endpoints",
        ),
    ),
)
WARN = Verdict(
    criterion("load.error_rate", "critical", ("load",), effective_on=date(2027, 1, 1)),
    "warn",
    "error rate 210 bp exceeds 100 bp; enforced from 2027-01-01",
    violations=(Finding("error rate 2.1% exceeds 1%", 210, 100, "<=", "load-k6", "/data/totals/error_rate_bp"),),
    enforced_from=date(2027, 1, 1),
)
WAIVED = Verdict(
    criterion("security.no_critical_vulns", "critical", ("security",)),
    "waived",
    "1 critical vulnerability, accepted by SEC-1234",
    violations=(
        Finding(
            "CVE-2026-0001 in libxml2 2.9.1",
            "CVE-2026-0001",
            [],
            "not in",
            "security-trivy",
            "/data/findings/0/id",
            "CVE-2026-0001:libxml2",
            "SEC-1234",
        ),
    ),
    waivers=(WAIVER,),
)
INSUFFICIENT = Verdict(
    criterion("dr.rollback_drill", "high", ("rollout",)),
    "insufficient_evidence",
    "no fresh rollout evidence",
)
ERROR = Verdict(
    criterion("parity.config_drift", "medium", ("parity",)),
    "error",
    "the engine failed evaluating data.readiness.parity.deny",
    violations=(Finding("rego_type_error: undefined function lib.ratio (parity.rego:31)"),),
)
NOT_APPLICABLE = Verdict(
    criterion("tests.coverage", "low", ("tests",), tiers=("low",)),
    "not_applicable",
    "applies to tiers: low",
)
LOW_FAIL = Verdict(
    criterion("docs.runbook", "low", ("docs",)),
    "fail",
    "runbook link missing",
    violations=(Finding("service has no runbook link", None, None, None, None, None),),
)

ALL_STATUSES = (WAIVED, WARN, FAIL, INSUFFICIENT, PASS, ERROR, NOT_APPLICABLE)


def _digest(name: str, fill: str) -> InputDigest:
    return InputDigest(name, fill * 64)


def build_report(
    verdicts: tuple[Verdict, ...], verified: bool = True, failures: tuple[str, ...] = (), **extra: Any
) -> Report:
    """A report over `verdicts`, no-go on its own when not verified (as the CLI does)."""
    reasons = () if verified else ("evidence is not verified: " + "; ".join(failures or ("unsigned",)),)
    fields: dict[str, Any] = {
        "subject": dict(SUBJECT),
        "evaluation_time": datetime(2026, 11, 27, 16, 0, 0, tzinfo=UTC),
        "engine": "regorus",
        "engine_version": "0.2.8",
        "bundle": _digest("checkout-1.42.0.dsse.json", "1"),
        "policy": _digest("policies", "2"),
        "data": (_digest("policies/data/thresholds.yaml", "3"), _digest("strict.yaml", "4")),
        "waivers_file": _digest("waivers.yaml", "5"),
        "expired_waivers": (EXPIRED,),
        "unused_waivers": (UNUSED,),
        "evidence": EVIDENCE,
        "generator": "readiness 0.1.0",
        "extra": {"parity_ratio": 0.97, "by_kind": {"tests": 1, "load": 1}},
    } | extra
    return Report(
        decision=decide(list(verdicts), extra_reasons=reasons),
        verdicts=verdicts,
        verified=verified,
        verification_failures=failures,
        **fields,
    )


@pytest.fixture
def nogo() -> Report:
    """Every status, unverified: no-go."""
    return build_report(ALL_STATUSES, verified=False, failures=("signatures: 0 of 1 trusted keys signed",))


@pytest.fixture
def nogo_verified() -> Report:
    """Every status, verified: no-go because of the failing high criteria."""
    return build_report(ALL_STATUSES)


@pytest.fixture
def go() -> Report:
    """Pass, warn, waived, not applicable and a non-blocking low failure, verified: go."""
    return build_report((WAIVED, WARN, PASS, LOW_FAIL, NOT_APPLICABLE))


@pytest.fixture
def make_report() -> Callable[..., Report]:
    """The report builder, for tests that need a variation."""
    return build_report


@pytest.fixture(params=["nogo", "nogo_verified", "go"])
def any_report(request: pytest.FixtureRequest) -> Report:
    """Each of the fixture reports in turn."""
    return request.getfixturevalue(request.param)
