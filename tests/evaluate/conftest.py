"""Fixtures for evaluation tests: small policy directories written per test, bundles from real reports."""

from __future__ import annotations

import json
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from evaluator.bundle import verify_envelope
from evaluator.bundle.verify import Verification
from evaluator.evaluate import Options, evaluate
from evaluator.policy.loader import load_policies
from evaluator.report.interface import InputDigest, Report
from evaluator.waivers import Waivers
from tests.conftest import evidence_time, policy, sign_statement

TESTS_POLICY = """
package readiness.tests

import rego.v1

# METADATA
# title: No failing tests
# description: Every test case passed.
# custom:
#   id: tests.no_failures
#   severity: high
#   requires: [tests]
#   remediation: Fix the failing tests.
deny contains result if {
	some item in input.evidence.tests
	item.data.totals.failed > data.readiness.limits.max_failed
	result := {
		"criterion": "tests.no_failures",
		"msg": sprintf("%d tests failed in %s", [item.data.totals.failed, item.id]),
		"observed": item.data.totals.failed, "comparator": "<=", "threshold": data.readiness.limits.max_failed,
		"evidence": item.id, "pointer": "/data/totals/failed",
		"fingerprint": sprintf("%s/failed", [item.id]),
	}
}

checked contains result if {
	some item in input.evidence.tests
	result := {"criterion": "tests.no_failures",
		"msg": sprintf("%d tests ran in %s", [item.data.totals.tests, item.id]),
		"observed": item.data.totals.failed, "comparator": "<=", "threshold": data.readiness.limits.max_failed,
		"evidence": item.id, "pointer": "/data/totals/failed"}
}

# METADATA
# title: Enough tests
# custom:
#   id: tests.enough
#   severity: low
#   requires: [tests]
#   remediation: Write more tests.
warn contains result if {
	some item in input.evidence.tests
	item.data.totals.tests < 10
	result := {"criterion": "tests.enough", "msg": sprintf("only %d tests", [item.data.totals.tests]),
		"observed": item.data.totals.tests, "comparator": ">=", "threshold": 10, "evidence": item.id,
		"pointer": "/data/totals/tests"}
}
"""

LOAD_POLICY = """
package readiness.load

import rego.v1

# METADATA
# title: Load tested
# custom:
#   id: load.tested
#   severity: critical
#   requires: [load]
#   remediation: Run a load test.
deny contains result if {
	some item in input.evidence.load
	item.data.failed
	result := {"criterion": "load.tested", "msg": "load test failed", "evidence": item.id}
}
"""


def write_policy(folder: Path, *sources: str, data: dict[str, Any] | None = None) -> Path:
    """A policy directory with the given modules and a data file."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, source in enumerate(sources):
        (folder / f"p{index}.rego").write_text(textwrap.dedent(source))
    (folder / "data").mkdir(exist_ok=True)
    (folder / "data" / "limits.json").write_text(
        json.dumps(data if data is not None else {"limits": {"max_failed": 0}})
    )
    return folder


@pytest.fixture
def envelope(keyring, statement) -> bytes:
    """The real pytest report (1 failed, 2 passed, 1 skipped), bundled and signed by `ci`."""
    return sign_statement(statement, keyring["ci"])


def run(
    data: bytes,
    policy_dir: Path,
    keyring: dict,
    *,
    at: Any = None,
    engine: str = "embedded",
    timeout: float = 30,
    waivers: Waivers | None = None,
    check: bool = False,
    **trust: Any,
) -> Report:
    """Verify `data` with the ci key and evaluate it with `policy_dir`."""
    verification: Verification = verify_envelope(data, policy(keyring["ci"].trusted(), **trust), "envelope.json", at)
    policy_set = load_policies(policy_dir, check=check)
    when = at or verification.reference_time
    return evaluate(
        verification,
        policy_set,
        InputDigest("envelope.json", "0" * 64),
        when,
        Options(engine, "high", timeout),
        waivers,
    )


def statuses(report: Report) -> dict[str, str]:
    """criterion id -> status."""
    return {v.criterion.id: v.status for v in report.verdicts}


def later(statement: dict[str, Any], hours: float) -> Any:
    """A time `hours` after the statement's first item's evidence time."""
    return evidence_time(statement["predicate"]["evidence"][0]["item"]) + timedelta(hours=hours)
