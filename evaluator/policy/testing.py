"""`readiness policy test`: run the `test_*` rules of *_test.rego files and measure line coverage."""

from __future__ import annotations

import re
from dataclasses import dataclass

from evaluator.engine.isolated import DEFAULT_TIMEOUT, run_isolated
from evaluator.errors import InputError
from evaluator.policy.model import PolicySet

_TEST_RULE = re.compile(r"^(test_\w+)\b", re.MULTILINE)


@dataclass(frozen=True)
class TestOutcome:
    """One policy test and how it went."""

    __test__ = False  # not a pytest class

    name: str
    """Full document path, e.g. data.readiness.tests.test_fails_on_failures."""
    file: str
    """Test file."""
    passed: bool
    """True when the rule evaluated to true."""
    detail: str = ""
    """Why it failed: false, undefined, or the engine error."""


@dataclass(frozen=True)
class TestRun:
    """All policy tests of a directory and the coverage of the non-test modules."""

    __test__ = False

    outcomes: tuple[TestOutcome, ...]
    """Per test, in file then name order."""
    covered_lines: int
    """Policy lines (outside *_test.rego) evaluated at least once."""
    total_lines: int
    """Policy lines the engine reports as coverable."""
    uncovered: dict[str, list[int]]
    """Uncovered lines per policy file."""

    @property
    def coverage(self) -> float:
        """Line coverage in percent (100 when nothing is coverable)."""
        return 100.0 * self.covered_lines / self.total_lines if self.total_lines else 100.0

    @property
    def failed(self) -> int:
        """Number of failed tests."""
        return sum(1 for o in self.outcomes if not o.passed)


def run_policy_tests(policy_set: PolicySet, engine: str = "embedded", timeout: float = DEFAULT_TIMEOUT) -> TestRun:
    """Evaluate every test rule on `engine` with coverage; a directory without tests is an input error."""
    tests: list[tuple[str, str]] = []
    for module in policy_set.modules:
        if module.is_test:
            for name in sorted(set(_TEST_RULE.findall(module.source))):
                tests.append((f"data.{module.package}.{name}", module.path))
    if not tests:
        raise InputError(policy_set.root, "no test_* rules in any *_test.rego file")
    queries = [query for query, _ in tests]
    run = run_isolated(engine, policy_set.modules, policy_set.data, {}, queries, timeout * 4, coverage=True)
    if run.load_error is not None:
        error = run.load_error
        raise InputError(
            f"{policy_set.root}/{error.file}" if error.file else policy_set.root,
            f"policy does not load: {error.message}",
            error.line,
        )
    outcomes = []
    for query, path in tests:
        outcome = run.outcomes[query]
        if outcome.ok and outcome.value is True:
            outcomes.append(TestOutcome(query, path, True))
        elif outcome.error:
            outcomes.append(TestOutcome(query, path, False, outcome.error))
        elif outcome.undefined:
            outcomes.append(TestOutcome(query, path, False, "undefined (a condition in the test did not hold)"))
        else:
            outcomes.append(TestOutcome(query, path, False, f"evaluated to {outcome.value!r}, not true"))
    test_files = {m.path for m in policy_set.modules if m.is_test}
    covered = total = 0
    uncovered: dict[str, list[int]] = {}
    for path, (hit, missed) in sorted((run.coverage or {}).items()):
        if path in test_files:
            continue
        missed = missed - hit
        covered += len(hit)
        total += len(hit) + len(missed)
        if missed:
            uncovered[path] = sorted(missed)
    return TestRun(tuple(outcomes), covered, total, uncovered)
