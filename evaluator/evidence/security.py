"""The `security` kind: the findings of one security scan (SAST, SCA, container, IaC, DAST, secrets, licenses).

Every number is an integer (CVSS scores are kept times ten, 9.8 -> 98), every severity is one of six
words, and every finding carries a fingerprint that stays the same across runs, tool versions and, for
package vulnerabilities, across tools (see `evaluator/collectors/security/common.py` for how it is built),
so that waivers can name one finding and two scanners reporting the same CVE in the same package count once.
Secret values never enter this kind: secret findings keep the rule, the place and a fingerprint only.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from evaluator.evidence.registry import EvidenceKind

_Count = Field(ge=0)
_Id = Annotated[str, Field(min_length=1, max_length=128)]
_Version = Annotated[str, Field(min_length=1, max_length=256)]

Severity = Literal["critical", "high", "medium", "low", "info", "unknown"]
"""Normalized severity; `unknown` when the tool gives none we can map (never silently `info`)."""
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low", "info", "unknown")
"""Severities from the most to the least serious (`unknown` last, though policies treat it with care)."""
ScanType = Literal["sast", "sca", "container", "iac", "dast", "secrets", "license"]
"""What a scan (or one finding) is about."""
SCAN_TYPES: tuple[ScanType, ...] = ("sast", "sca", "container", "iac", "dast", "secrets", "license")
"""Every scan type, in the order reports list them."""
MAX_FINDINGS = 200_000
"""At most this many findings are listed per item; the counts always count them all (`truncated` says so)."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True)


class Scanner(_Data):
    """The tool that ran the scan."""

    name: str = Field(min_length=1, max_length=128)
    """Tool name as it names itself (trivy, grype, snyk, zap, CodeQL, semgrep, bandit, checkov, gitleaks …)."""
    version: str | None = Field(default=None, min_length=1, max_length=64)
    """Tool version, when the report says it."""


class Cvss(_Data):
    """A CVSS rating the report gives for the finding (the highest-versioned, most authoritative one)."""

    score_x10: int = Field(ge=0, le=100)
    """Base score times ten (9.8 -> 98), so that policies compare integers."""
    version: str | None = Field(default=None, pattern=r"^[234](\.[01])?$")
    """CVSS version: 2.0, 3.0, 3.1 or 4.0, when known."""
    vector: str | None = Field(default=None, min_length=1, max_length=256)
    """Vector string, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H, when given."""
    source: str | None = Field(default=None, min_length=1, max_length=64)
    """Who scored it (nvd, ghsa, redhat, the tool …), when given."""


class Package(_Data):
    """The vulnerable package (SCA and container findings)."""

    name: str = Field(min_length=1, max_length=512)
    """Package name as the ecosystem spells it."""
    installed: str | None = Field(default=None, min_length=1, max_length=256)
    """Installed version."""
    fixed: list[_Version] = Field(max_length=64)
    """Versions that fix it (empty when no fix is known)."""
    ecosystem: str | None = Field(default=None, min_length=1, max_length=64)
    """Ecosystem or package type (pypi, npm, maven, apk, deb, rpm …), when known."""
    purl: str | None = Field(default=None, min_length=1, max_length=1024)
    """Package URL, when the report gives one."""


class Location(_Data):
    """Where the finding is: a file and line (code, IaC, secrets, lock files) or a URL (DAST)."""

    path: str | None = Field(default=None, min_length=1, max_length=2048)
    """File path as reported (relative to the scanned root when the tool says so)."""
    line: int | None = Field(default=None, ge=0)
    """First line, 1-based (0 when the tool reports a whole-file finding as line 0)."""
    end_line: int | None = Field(default=None, ge=0)
    """Last line, when given."""
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    """URL of a DAST alert instance (query string removed)."""
    resource: str | None = Field(default=None, min_length=1, max_length=1024)
    """IaC resource or container layer/image the finding is in, when given (e.g. aws_s3_bucket.data)."""


class Suppression(_Data):
    """Why a finding does not count: suppressed in the tool, or declared not affected (VEX)."""

    kind: Literal["suppressed", "not_affected", "accepted", "false_positive"]
    """Tool suppression (SARIF, inline ignore), VEX not-affected, risk accepted, or false positive in the tool."""
    source: str = Field(min_length=1, max_length=128)
    """Where it was said (sarif:inSource, sarif:external, cyclonedx:analysis, snyk:ignore …)."""
    justification: str | None = Field(default=None, min_length=1, max_length=1024)
    """The reason given, when any."""


class Finding(_Data):
    """One finding of the scan."""

    fingerprint: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    """Stable id: same finding, same fingerprint across runs and tool versions (see collectors/security/common.py)."""
    category: ScanType
    """What the finding is about (a container scan yields sca-like package findings as `container`)."""
    rule_id: str = Field(min_length=1, max_length=256)
    """The tool's rule or advisory id (CVE-2021-44228, python.lang.security.audit.eval, B602, CKV_AWS_20 …)."""
    title: str = Field(min_length=1, max_length=512)
    """One-line title (never a secret value)."""
    severity: Severity
    """Normalized severity (mapping per tool in the collector's docstring)."""
    tool_severity: str | None = Field(default=None, min_length=1, max_length=64)
    """The severity exactly as the tool wrote it (e.g. 'Negligible', 'error', '2'), for the audit trail."""
    cvss: Cvss | None = None
    """CVSS rating, when the report gives one."""
    ids: list[_Id] = Field(max_length=64)
    """Advisory ids: CVE, GHSA, and others the report names (OSV, PYSEC, RUSTSEC …), sorted, no duplicates."""
    cwe: list[Annotated[int, Field(ge=1)]] = Field(max_length=32)
    """CWE numbers, when given (CWE-79 -> 79)."""
    package: Package | None = None
    """The vulnerable package, for SCA and container findings."""
    fix_available: bool
    """True when a fix is known (fixed versions given, or the tool says the finding is fixable)."""
    location: Location | None = None
    """Where it is, when the report says."""
    first_seen: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
    """When the finding was first seen (UTC, RFC 3339), only when the tool states it; never guessed."""
    published: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
    """When the advisory was published (UTC, RFC 3339), when given."""
    suppression: Suppression | None = None
    """Set when the finding does not count (suppressed or not affected); counts leave it out."""
    occurrences: int = Field(ge=1)
    """Times the report lists this same finding (same fingerprint), e.g. one DAST alert on several URLs."""


class SeverityCounts(_Data):
    """Findings per normalized severity."""

    critical: int = _Count
    """Critical findings."""
    high: int = _Count
    """High findings."""
    medium: int = _Count
    """Medium findings."""
    low: int = _Count
    """Low findings."""
    info: int = _Count
    """Informational findings."""
    unknown: int = _Count
    """Findings whose severity the tool did not give or we could not map."""


class SecurityScan(_Data):
    """What a `security` item holds in `data`."""

    scanner: Scanner
    """The tool."""
    scan_types: list[ScanType] = Field(min_length=1, max_length=7)
    """What the scan covered, sorted in SCAN_TYPES order (a Trivy image scan can be container + secrets)."""
    target: str | None = Field(default=None, min_length=1, max_length=2048)
    """What was scanned (image reference, repository path, URL), when the report says."""
    findings: list[Finding] = Field(max_length=MAX_FINDINGS)
    """Findings, one per fingerprint, sorted by severity, then rule id, then fingerprint."""
    counts: SeverityCounts
    """Findings that count (not suppressed), per severity, over every finding even when the list is truncated."""
    suppressed: int = _Count
    """Findings suppressed or declared not affected (left out of `counts`)."""
    truncated: bool
    """True when more than MAX_FINDINGS findings were found and only the most severe are listed."""
    scan_errors: int = _Count
    """Files or targets the scanner reported it could not scan (parse errors): the scan covers less than its target."""


KIND = EvidenceKind(
    name="security",
    version=1,
    model=SecurityScan,
    schema_file="evidence/security.v1.schema.json",
    description="security scan findings: scanner, scan types, target, findings with fingerprints, counts",
)
