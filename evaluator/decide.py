"""Verdicts → decision: go / no-go, the weighted readiness score and validation completeness."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from evaluator.policy.model import Criterion, severity_rank

STATUSES = ("pass", "fail", "warn", "waived", "insufficient_evidence", "error", "not_applicable")
"""Every verdict status."""

BLOCKING_STATUSES = ("fail", "insufficient_evidence", "error")
"""Statuses that make the decision no-go for a criterion at or above the blocking severity."""

STATUS_SCORE = {"pass": 1.0, "warn": 0.5}
"""Score value of a status; every other status counts 0."""


@dataclass(frozen=True)
class Finding:
    """One result a policy reported for a criterion: a violation, a warning, or what a pass checked."""

    message: str
    """Human sentence, e.g. 'POST /checkout p95 412ms exceeds 300ms'."""
    observed: Any = None
    """The value observed in the evidence."""
    threshold: Any = None
    """The value it was compared with."""
    comparator: str | None = None
    """How they must compare for a pass: '<=', '<', '>=', '>', '==', '!=', 'in', 'not in'."""
    evidence: str | None = None
    """Id of the evidence item that drove the result."""
    pointer: str | None = None
    """RFC 6901 JSON pointer into that item (e.g. '/data/totals/failed')."""
    fingerprint: str | None = None
    """Stable id of the finding (a vulnerability, a failing test), for finding-scoped waivers."""
    waived_by: str | None = None
    """Id of the waiver that accepted this finding, when one did."""


@dataclass(frozen=True)
class AppliedWaiver:
    """A waiver as it applied to a verdict (or was listed as expired or unused)."""

    id: str
    """Waiver id (its ticket, else criterion@index)."""
    criterion: str
    """Criterion it targets."""
    justification: str
    """Why the risk is accepted."""
    owner: str
    """Who owns the fix."""
    approver: str
    """Who accepted the risk."""
    ticket: str
    """Tracking ticket."""
    created: date
    """When it was granted."""
    expires: date
    """Last day it applies."""
    scope: dict[str, str] = field(default_factory=dict)
    """Narrower scope: service, environment, fingerprint."""


@dataclass(frozen=True)
class Verdict:
    """The outcome for one criterion."""

    criterion: Criterion
    """The criterion judged."""
    status: str
    """One of STATUSES."""
    message: str
    """One line summarising why."""
    violations: tuple[Finding, ...] = ()
    """deny/warn results (for fail, warn and waived), or the engine error for error."""
    checked: tuple[Finding, ...] = ()
    """What the criterion checked when it passed, when the policy reports it."""
    waivers: tuple[AppliedWaiver, ...] = ()
    """Waivers that accepted (some of) its violations."""
    enforced_from: date | None = None
    """For a warning issued before effective_on: the date the criterion becomes enforced."""

    @property
    def blocking(self) -> bool:
        """True when this verdict's status is one that blocks at its severity (see Decision)."""
        return self.status in BLOCKING_STATUSES


@dataclass(frozen=True)
class Decision:
    """Go or no-go, and the numbers that summarise the verdicts."""

    go: bool
    """True for go."""
    reasons: tuple[str, ...]
    """Why no-go (empty for go): one line per blocking verdict or verification problem."""
    score: float
    """Weighted readiness score in [0, 1]: pass 1, warn 0.5, else 0, weights by severity."""
    completeness: float
    """Criteria evaluated with sufficient evidence / all applicable criteria, in [0, 1]."""
    blocking_severity: str
    """Criteria at or above this severity block on fail, insufficient_evidence or error."""
    counts: dict[str, int]
    """Number of verdicts per status."""


def decide(verdicts: list[Verdict], blocking_severity: str = "high", extra_reasons: tuple[str, ...] = ()) -> Decision:
    """The decision over `verdicts`; `extra_reasons` (unverified evidence, …) force no-go on their own."""
    limit = severity_rank(blocking_severity)
    reasons = list(extra_reasons)
    for verdict in verdicts:
        if verdict.blocking and severity_rank(verdict.criterion.severity) <= limit:
            criterion = verdict.criterion
            reasons.append(f"{criterion.id} ({criterion.severity}) is {verdict.status}: {verdict.message}")
    applicable = [v for v in verdicts if v.status != "not_applicable"]
    total_weight = sum(v.criterion.score_weight for v in applicable)
    score = (
        sum(v.criterion.score_weight * STATUS_SCORE.get(v.status, 0.0) for v in applicable) / total_weight
        if total_weight
        else 0.0
    )
    sufficient = [v for v in applicable if v.status not in ("insufficient_evidence", "error")]
    completeness = len(sufficient) / len(applicable) if applicable else 0.0
    if not verdicts:
        reasons.append("no criteria were evaluated: an empty policy never decides go")
    counts = {status: sum(1 for v in verdicts if v.status == status) for status in STATUSES}
    return Decision(
        go=not reasons,
        reasons=tuple(reasons),
        score=round(score, 4),
        completeness=round(completeness, 4),
        blocking_severity=blocking_severity,
        counts=counts,
    )
