"""The `coverage` kind: code coverage of a test run (Cobertura XML, coverage.py JSON), overall and per package.

Every number is an integer: counts of lines and branches, rates in basis points (1 bp = 0.01 %) rounded
down, so a policy threshold is never met by rounding up.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from evaluator.evidence.registry import EvidenceKind

_Count = Field(ge=0)

MAX_LISTED_PACKAGES = 1000
"""At most this many packages are listed; the totals always count them all."""
MAX_LISTED_FILES = 100
"""At most this many least-covered files are listed."""


class _Data(BaseModel):
    # strict: no silent coercion ("3" -> 3), so the model accepts what the JSON Schema accepts; field
    # docstrings become schema descriptions, which the tests compare with schemas/evidence/coverage.v1.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True)


class CoverageCounts(_Data):
    """Line and branch counts and rates."""

    lines_valid: int = _Count
    """Executable lines (statements) measured."""
    lines_covered: int = _Count
    """Executable lines run at least once."""
    line_rate_bp: int = Field(ge=0, le=10000)
    """lines_covered / lines_valid in basis points, rounded down (10000 when there are no lines)."""
    branches_valid: int | None = Field(default=None, ge=0)
    """Branch destinations measured; absent when the tool measured no branches."""
    branches_covered: int | None = Field(default=None, ge=0)
    """Branch destinations taken at least once; absent when the tool measured no branches."""
    branch_rate_bp: int | None = Field(default=None, ge=0, le=10000)
    """branches_covered / branches_valid in basis points, rounded down; absent when no branches were measured."""


class PackageCoverage(CoverageCounts):
    """One package (Cobertura <package>) or directory (coverage.py JSON, files grouped by directory)."""

    name: str = Field(max_length=1024)
    """Package or directory name as reported ('.' for the top directory)."""
    files: int = _Count
    """Source files in the package."""


class FileCoverage(CoverageCounts):
    """One source file."""

    path: str = Field(max_length=1024)
    """File path as reported."""


class Coverage(_Data):
    """What a `coverage` item holds in `data`."""

    totals: CoverageCounts
    """Counts over every measured file."""
    files: int = _Count
    """Source files measured."""
    packages: list[PackageCoverage] = Field(max_length=MAX_LISTED_PACKAGES)
    """Per package or directory, sorted by name, the first 1000 when there are more."""
    least_covered: list[FileCoverage] = Field(max_length=MAX_LISTED_FILES)
    """Files with the lowest line rate, lowest first then by path, at most 100 (files without lines are left out)."""


KIND = EvidenceKind(
    name="coverage",
    version=1,
    model=Coverage,
    schema_file="evidence/coverage.v1.schema.json",
    description="code coverage: line and branch totals and rates, per package, the least-covered files",
)
