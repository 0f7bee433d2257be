"""The `tests` kind: results of a test run (JUnit and friends)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from evaluator.evidence.registry import EvidenceKind

_Count = Field(ge=0)

MAX_LISTED_CASES = 1000
"""At most this many failing (and flaky) test cases are listed; the totals always count them all."""


class _Data(BaseModel):
    # strict: no silent coercion ("3" -> 3), so the model accepts what the JSON Schema accepts; field
    # docstrings become schema descriptions, which the tests compare with schemas/evidence/tests.v1.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True)


class RunTotals(_Data):
    """Counts over the whole run."""

    tests: int = _Count
    """Test cases executed or skipped (passed + failed + errored + skipped)."""
    passed: int = _Count
    """Test cases that passed (including flaky ones that passed on a rerun)."""
    failed: int = _Count
    """Test cases with an assertion failure (<failure>)."""
    errored: int = _Count
    """Test cases that broke before an assertion could decide (<error>)."""
    skipped: int = _Count
    """Test cases skipped or expected to fail (<skipped>)."""
    flaky: int = _Count
    """Test cases that failed first and passed on a rerun (Surefire flakyFailure / flakyError)."""
    duration_ms: int = _Count
    """Wall time of the run in milliseconds, as the report states it."""


class SuiteResult(_Data):
    """One test suite (a <testsuite> element)."""

    name: str = Field(max_length=512)
    """Suite name as reported."""
    tests: int = _Count
    """Test cases in the suite."""
    passed: int = _Count
    """Passed test cases."""
    failed: int = _Count
    """Failed test cases."""
    errored: int = _Count
    """Errored test cases."""
    skipped: int = _Count
    """Skipped test cases."""
    flaky: int = _Count
    """Passed test cases that failed first and passed on a rerun."""
    duration_ms: int = _Count
    """Suite time in milliseconds (for a suite that also holds nested suites: its own test cases' time)."""


class FailedCase(_Data):
    """One test case that failed or errored."""

    suite: str = Field(max_length=512)
    """Suite the case belongs to."""
    classname: str | None = Field(default=None, max_length=512)
    """Class or module of the case, when reported."""
    name: str = Field(max_length=512)
    """Test case name."""
    status: Literal["failed", "errored"]
    """failed: an assertion failed; errored: the test could not run to a verdict."""
    type: str | None = Field(default=None, max_length=256)
    """Exception or failure type, when reported."""
    message: str | None = Field(default=None, max_length=1000)
    """First 1000 characters of the failure message, with credentials redacted."""
    file: str | None = Field(default=None, max_length=1024)
    """Source file of the case, when reported."""
    line: int | None = Field(default=None, ge=1)
    """Source line of the case (1-based), when reported."""


class FlakyCase(_Data):
    """One test case that failed at first and passed on a rerun."""

    suite: str = Field(max_length=512)
    """Suite the case belongs to."""
    classname: str | None = Field(default=None, max_length=512)
    """Class or module of the case, when reported."""
    name: str = Field(max_length=512)
    """Test case name."""
    failed_attempts: int = Field(ge=1)
    """Attempts that failed or errored before the passing one."""
    message: str | None = Field(default=None, max_length=1000)
    """First 1000 characters of the first attempt's failure message, with credentials redacted."""


class RunResults(_Data):
    """What a `tests` item holds in `data`."""

    totals: RunTotals
    """Counts over the whole run."""
    suites: list[SuiteResult]
    """Per-suite counts, in report order; nested suites are reported as their leaves."""
    failures: list[FailedCase] = Field(max_length=MAX_LISTED_CASES)
    """Failed or errored test cases in report order, the first 1000 when there are more."""
    flaky_cases: list[FlakyCase] = Field(max_length=MAX_LISTED_CASES)
    """Test cases that passed only on a rerun, in report order, the first 1000 when there are more."""


KIND = EvidenceKind(
    name="tests",
    version=1,
    model=RunResults,
    schema_file="evidence/tests.v1.schema.json",
    description="test run results: totals, per-suite counts, failing tests and their messages",
)
