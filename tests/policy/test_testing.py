"""`policy test` on both engines: every test rule gets its own outcome whether its package evaluates as one
document or, when one of its tests raises an error, test by test; coverage counts lines any evaluation covered."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluator.policy.loader import load_policies
from evaluator.policy.testing import run_policy_tests

POLICY = """package readiness.p

x := 1

doubled(n) := n * 2
"""

CONFLICT = """package readiness.q

conflict := 1 if count([1]) == 1

conflict := 2 if count([1, 2]) == 2
"""

GOOD_TESTS = """package readiness.good_test

import data.readiness.p

test_x if p.x == 1

test_doubled if p.doubled(2) == 4

test_false := false

test_undefined if p.x == 2
"""

BROKEN_TESTS = """package readiness.broken_test

import data.readiness.p
import data.readiness.q

test_fine if p.x == 1

test_conflict if q.conflict == 1
"""


DETAIL = {"embedded": "q.rego:5: rule conflicts with rule at q.rego:3:1", "opa": "q.rego:5: "}


def _run(tmp_path: Path, engine: str, *files: tuple[str, str]):
    for name, text in files:
        (tmp_path / name).write_text(text)
    return run_policy_tests(load_policies(tmp_path, ()), engine)


@pytest.mark.parametrize("engine", ["embedded", "opa"])
def test_each_test_rule_gets_its_own_outcome(tmp_path, engine):
    run = _run(
        tmp_path,
        engine,
        ("p.rego", POLICY),
        ("q.rego", CONFLICT),
        ("good_test.rego", GOOD_TESTS),
        ("broken_test.rego", BROKEN_TESTS),
    )
    outcomes = {o.name.removeprefix("data.readiness."): (o.passed, o.detail) for o in run.outcomes}
    assert outcomes["good_test.test_x"] == (True, "")
    assert outcomes["good_test.test_doubled"] == (True, "")
    assert outcomes["good_test.test_false"] == (False, "evaluated to False, not true")
    assert outcomes["good_test.test_undefined"] == (False, "undefined (a condition in the test did not hold)")
    # The conflict makes the whole broken_test document an error: its tests are run one by one, so the
    # error lands on the test that raised it and the other one still passes.
    assert outcomes["broken_test.test_fine"] == (True, "")
    passed, detail = outcomes["broken_test.test_conflict"]
    assert not passed and detail.startswith(DETAIL[engine]) and "conflict" in detail, detail
    assert len(run.outcomes) == 6 and run.failed == 3
    assert run.covered_lines > 0
