"""Reports of real evaluations (evaluator.evaluate on a signed bundle of a real pytest report) in every format."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from junitparser import JUnitXml

from evaluator import schemas
from evaluator.report import FORMATS, JsonReport, JUnitReport, MarkdownReport
from evaluator.report.json import SCHEMA
from tests.conftest import sign_statement
from tests.evaluate.conftest import LOAD_POLICY, TESTS_POLICY, later, run, write_policy

UNDECLARED = """
package readiness.typos

import rego.v1

# METADATA
# title: Declared
# custom:
#   id: typos.declared
#   severity: low
#   requires: [tests]
#   remediation: Nothing.
deny contains result if {
	some item in input.evidence.tests
	result := {"criterion": "typos.undeclared", "msg": "names a criterion nobody declared", "evidence": item.id}
}
"""


@pytest.fixture
def evaluated(tmp_path, keyring, statement):
    """A no-go evaluation with a fail, a warning, missing evidence and an undeclared criterion."""
    envelope = sign_statement(statement, keyring["ci"])
    return run(envelope, write_policy(tmp_path, TESTS_POLICY, LOAD_POLICY, UNDECLARED), keyring)


@pytest.fixture
def stale(tmp_path, keyring, statement):
    """An evaluation whose only item is too old: unverified."""
    envelope = sign_statement(statement, keyring["ci"])
    return run(
        envelope,
        write_policy(tmp_path, TESTS_POLICY),
        keyring,
        at=later(statement, 48),
        max_age={"tests": timedelta(hours=24)},
    )


@pytest.mark.parametrize("name", ["evaluated", "stale"])
def test_json_of_a_real_evaluation_satisfies_the_schema(request, name):
    report = request.getfixturevalue(name)
    document = json.loads(JsonReport().render(report))
    assert schemas.problems(SCHEMA, document) == []
    assert document["verified"] is report.verified
    assert [c["id"] for c in document["criteria"]] == [v.criterion.id for v in report.verdicts]


def test_every_format_renders_a_real_evaluation(evaluated, stale):
    statuses = {v.criterion.id: v.status for v in evaluated.verdicts}
    assert statuses["tests.no_failures"] == "fail" and statuses["load.tested"] == "insufficient_evidence"
    assert statuses["typos.undeclared"] == "error" and statuses["tests.enough"] == "warn"
    for report in (evaluated, stale):
        for report_format in FORMATS:
            text = report_format().render(report).decode("utf-8")
            for verdict in report.verdicts:
                assert verdict.criterion.id in text
    assert "UNVERIFIED" in MarkdownReport().render(stale).decode("utf-8")
    (suite,) = list(JUnitXml.fromstring(JUnitReport().render(evaluated)))
    assert suite.tests == len(evaluated.verdicts)
