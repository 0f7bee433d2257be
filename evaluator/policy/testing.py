"""`readiness policy test`: run the `test_*` rules of *_test.rego files and measure line coverage."""

from __future__ import annotations

import re
from dataclasses import dataclass

from evaluator.engine.isolated import DEFAULT_TIMEOUT, Run, run_isolated
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
    """Evaluate every test rule on `engine` with coverage; a directory without tests is an input error.

    Each test package is evaluated as one document (`data.<package>`, every test rule at once): the engines
    prepare a query per evaluation, and for real OPA that costs about as much as the whole library, so one
    query per package instead of one per test makes the run ~30x faster on OPA. A test rule the document
    lacks is undefined. A package whose document does not evaluate (an error in one of its tests, a panic) is
    evaluated again test by test, so that each error is reported against the test that raised it.
    """
    tests: list[tuple[str, str, str]] = []
    for module in policy_set.modules:
        if module.is_test:
            for name in sorted(set(_TEST_RULE.findall(module.source))):
                tests.append((f"data.{module.package}", name, module.path))
    if not tests:
        raise InputError(policy_set.root, "no test_* rules in any *_test.rego file")
    packages = sorted({package for package, _, _ in tests})
    run = _run(policy_set, engine, packages, timeout)
    documents = {
        package: run.outcomes[package].value
        for package in packages
        if run.outcomes[package].ok and isinstance(run.outcomes[package].value, dict)
    }
    retry = [f"{package}.{name}" for package, name, _ in tests if package not in documents]
    single = _run(policy_set, engine, retry, timeout) if retry else None
    outcomes = []
    for package, name, path in tests:
        query = f"{package}.{name}"
        if package in documents:
            value = documents[package].get(name, _UNDEFINED)
            outcomes.append(_outcome(query, path, value))
            continue
        assert single is not None
        outcome = single.outcomes[query]
        if outcome.error:
            outcomes.append(TestOutcome(query, path, False, outcome.error))
        else:
            outcomes.append(_outcome(query, path, outcome.value if outcome.ok else _UNDEFINED))
    coverage = _merge(run.coverage or {}, (single.coverage or {}) if single else {})
    test_files = {m.path for m in policy_set.modules if m.is_test}
    covered = total = 0
    uncovered: dict[str, list[int]] = {}
    for path, (hit, missed) in sorted(coverage.items()):
        if path in test_files:
            continue
        missed = missed - hit
        covered += len(hit)
        total += len(hit) + len(missed)
        if missed:
            uncovered[path] = sorted(missed)
    return TestRun(tuple(outcomes), covered, total, uncovered)


_UNDEFINED = object()
"""Stands for a test rule that evaluated to nothing."""


def _run(policy_set: PolicySet, engine: str, queries: list[str], timeout: float) -> Run:
    """One isolated evaluation of `queries` with coverage; a policy that does not load is an input error."""
    run = run_isolated(engine, policy_set.modules, policy_set.data, {}, queries, timeout * 4, coverage=True)
    run.check_loaded(policy_set.root)
    return run


def _outcome(query: str, path: str, value: object) -> TestOutcome:
    """A test's outcome from the value its rule evaluated to."""
    if value is True:
        return TestOutcome(query, path, True)
    if value is _UNDEFINED:
        return TestOutcome(query, path, False, "undefined (a condition in the test did not hold)")
    return TestOutcome(query, path, False, f"evaluated to {value!r}, not true")


def _merge(*runs: dict[str, tuple[set[int], set[int]]]) -> dict[str, tuple[set[int], set[int]]]:
    """Coverage of several evaluations: a line covered in any of them is covered."""
    merged: dict[str, tuple[set[int], set[int]]] = {}
    for coverage in runs:
        for path, (hit, missed) in coverage.items():
            have = merged.setdefault(path, (set(), set()))
            have[0].update(hit)
            have[1].update(missed)
    return merged
