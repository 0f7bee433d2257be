"""The report plugin family: one evaluated release in, one rendering (terminal, JSON, Markdown, JUnit …) out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from evaluator.decide import AppliedWaiver, Decision, Verdict


@dataclass(frozen=True)
class InputDigest:
    """A file that went into the decision, and its sha256."""

    file: str
    """Path as given."""
    sha256: str
    """Hex sha256 of its bytes (of the sorted file list for a policy directory)."""


@dataclass(frozen=True)
class Report:
    """Everything a report format renders: the decision, every verdict, and what they were based on."""

    decision: Decision
    """Go / no-go, score, completeness."""
    verdicts: tuple[Verdict, ...]
    """One per criterion, sorted by severity then id."""
    subject: dict[str, Any]
    """The release: service, version, commit, artifact_digest, tier, environment, target_environment."""
    verified: bool
    """False when the bundle was evaluated with --allow-unsigned or failed verification: every format says so."""
    verification_failures: tuple[str, ...]
    """One line per verification failure (empty when verified)."""
    evaluation_time: datetime
    """The time the evaluation was judged at."""
    engine: str
    """Engine name, e.g. 'regorus' or 'opa'."""
    engine_version: str
    """Engine version."""
    bundle: InputDigest
    """The evaluated envelope (or statement, when unsigned)."""
    policy: InputDigest
    """The policy directory."""
    data: tuple[InputDigest, ...] = ()
    """Data files merged under data.readiness."""
    waivers_file: InputDigest | None = None
    """The waivers file, when one was given."""
    expired_waivers: tuple[AppliedWaiver, ...] = ()
    """Waivers past their expiry date: ignored, listed so they get renewed or removed."""
    unused_waivers: tuple[AppliedWaiver, ...] = ()
    """Waivers that matched no failed criterion."""
    evidence: tuple[dict[str, Any], ...] = ()
    """Evidence items evaluated: id, kind, schema, source tool and file, evidence time."""
    generator: str = ""
    """readiness version that produced the report."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Kind-specific summaries (e.g. parity_ratio) that formats may show."""


class ReportFormat(ABC):
    """Renders a Report into one output format."""

    name: ClassVar[str]
    """The name users pass to --format, e.g. 'json'."""
    extension: ClassVar[str]
    """Usual file extension, e.g. '.json'."""
    description: ClassVar[str]
    """One line for help texts."""

    @abstractmethod
    def render(self, report: Report, color: bool = False) -> bytes:
        """The report as bytes in this format; `color` only matters to terminal formats."""
