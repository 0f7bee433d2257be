"""The criteria catalogue: what each criterion is, parsed from the policies' METADATA annotations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SEVERITIES = ("critical", "high", "medium", "low", "info")
"""Severity levels, most severe first."""

DEFAULT_WEIGHTS = {"critical": 8, "high": 4, "medium": 2, "low": 1, "info": 0}
"""Score weight of a criterion by severity, unless its METADATA sets `weight`."""

RULE_KINDS = ("deny", "warn", "insufficient")
"""Rule names that declare criteria: a `deny` result fails the criterion, a `warn` result warns, an
`insufficient` result says the evidence present cannot decide it (insufficient_evidence)."""

CHECKED_RULE = "checked"
"""Rule name whose results report what a criterion checked when it passed (no METADATA needed)."""


def severity_rank(severity: str) -> int:
    """0 for critical … 4 for info; higher numbers are less severe."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Criterion:
    """One criterion: a named, documented requirement a release must meet."""

    id: str
    """Stable id, e.g. 'tests.no_failures'; results name criteria by it."""
    title: str
    """One-line title."""
    description: str
    """What is inspected and why."""
    severity: str
    """critical, high, medium, low or info."""
    requires: tuple[str, ...]
    """Evidence kinds the criterion needs; absent or stale kinds make it insufficient_evidence."""
    remediation: str
    """What to do when it fails."""
    package: str
    """Rego package path holding the rule, e.g. 'readiness.tests'."""
    rule: str
    """'deny' or 'warn'."""
    file: str
    """Policy file (relative to the policy directory)."""
    line: int
    """Line of the rule head in that file."""
    effective_on: date | None = None
    """Before this date a failure is only a warning that says when it becomes enforced."""
    weight: int | None = None
    """Score weight; defaults by severity (DEFAULT_WEIGHTS)."""
    tiers: tuple[str, ...] = ()
    """Tiers the criterion applies to; empty means every tier."""

    @property
    def score_weight(self) -> int:
        """The weight used in the readiness score."""
        return self.weight if self.weight is not None else DEFAULT_WEIGHTS[self.severity]

    @property
    def query(self) -> str:
        """The document holding this criterion's results, e.g. 'data.readiness.tests.deny'."""
        return f"data.{self.package}.{self.rule}"


@dataclass(frozen=True)
class PolicyPackage:
    """A Rego package and its package-scope METADATA."""

    path: str
    """Package path, e.g. 'readiness.tests'."""
    title: str
    """Package title."""
    description: str
    """What the package checks."""
    file: str
    """File declaring the package METADATA (or the first file of the package)."""


@dataclass(frozen=True)
class PolicyModule:
    """One Rego source file."""

    path: str
    """Path relative to the policy directory (the engine's module name)."""
    source: str
    """Rego source text."""
    package: str
    """Package path declared in the file."""
    is_test: bool = False
    """True for *_test.rego files."""


@dataclass(frozen=True)
class PolicySet:
    """Everything loaded from a policy directory: modules, data, catalogue, and their digests."""

    root: str
    """The policy directory as given."""
    modules: tuple[PolicyModule, ...]
    """Rego modules, tests included."""
    data: dict
    """Data merged from the directory's data files and --data files, placed under data.readiness."""
    criteria: tuple[Criterion, ...]
    """The criteria catalogue, sorted by id."""
    packages: tuple[PolicyPackage, ...] = ()
    """Packages with their METADATA."""
    digest: str = ""
    """sha256 over the policy files (path and content), for the report and reproducibility."""
    data_files: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """(file, sha256) of every data file merged."""

    def criterion(self, criterion_id: str) -> Criterion | None:
        """The criterion with this id, or None."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        return None
