"""The `tests` kind: results of a test run (JUnit and friends)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from evaluator.evidence.registry import EvidenceKind

_Count = Field(ge=0)


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    duration_ms: int = _Count
    """Suite time in milliseconds."""


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
    line: int | None = Field(default=None, ge=0)
    """Source line of the case, when reported."""


class RunResults(_Data):
    """What a `tests` item holds in `data`."""

    totals: RunTotals
    """Counts over the whole run."""
    suites: list[SuiteResult]
    """Per-suite counts, in report order."""
    failures: list[FailedCase]
    """Every failed or errored test case, in report order."""


KIND = EvidenceKind(
    name="tests",
    version=1,
    model=RunResults,
    schema_file="evidence/tests.v1.schema.json",
    description="test run results: totals, per-suite counts, failing tests and their messages",
)
