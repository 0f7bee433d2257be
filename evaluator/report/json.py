"""The machine-readable report: one JSON document following schemas/report.v1.schema.json."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from evaluator import __version__
from evaluator.decide import STATUSES, AppliedWaiver, Finding, Verdict
from evaluator.policy.model import severity_rank
from evaluator.report.interface import InputDigest, Report, ReportFormat
from evaluator.timeutil import format_time

SCHEMA = "report.v1.schema.json"
"""The report's JSON Schema, relative to the schemas folder (for evaluator.schemas.problems)."""

SCHEMA_VERSION = "report/v1"
"""Value of the document's `schema` field."""

SUBJECT_KEYS = ("service", "version", "commit", "artifact_digest", "tier", "environment", "target_environment")
"""Subject fields, in output order; each is present (null when unknown)."""

_EVIDENCE_KEYS = ("id", "kind", "schema")


def _utc(value: datetime) -> str:
    # A naive time is taken as UTC rather than as this machine's local time, so output never depends on TZ.
    return format_time(value if value.tzinfo is not None else value.replace(tzinfo=UTC))


def _jsonable(value: Any) -> Any:
    """A JSON value for `value`: dates as ISO strings, tuples as lists, dict keys as sorted strings."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return str(value)


def _ordered(value: dict[str, Any], first: tuple[str, ...]) -> dict[str, Any]:
    """`value` with the `first` keys in that order, then the rest sorted."""
    out = {k: _jsonable(value[k]) for k in first if k in value}
    out.update({str(k): _jsonable(value[k]) for k in sorted(value, key=str) if k not in first})
    return out


def _generator_version(generator: str) -> str:
    # Report.generator is "readiness 0.1.0" from evaluate(); a bare "0.1.0" is accepted too.
    return generator.removeprefix("readiness").strip() or __version__


def _digest(digest: InputDigest | None) -> dict[str, str] | None:
    return None if digest is None else {"file": digest.file, "sha256": digest.sha256}


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """One policy result, every field present (null when the policy did not give it)."""
    return {
        "message": finding.message,
        "observed": _jsonable(finding.observed),
        "comparator": finding.comparator,
        "threshold": _jsonable(finding.threshold),
        "evidence": finding.evidence,
        "pointer": finding.pointer,
        "fingerprint": finding.fingerprint,
        "waived_by": finding.waived_by,
    }


def waiver_to_dict(waiver: AppliedWaiver) -> dict[str, Any]:
    """One waiver with its dates as ISO strings."""
    return {
        "id": waiver.id,
        "criterion": waiver.criterion,
        "scope": _jsonable(waiver.scope),
        "justification": waiver.justification,
        "owner": waiver.owner,
        "approver": waiver.approver,
        "ticket": waiver.ticket,
        "created": waiver.created.isoformat(),
        "expires": waiver.expires.isoformat(),
    }


def verdict_to_dict(verdict: Verdict, blocking_severity: str) -> dict[str, Any]:
    """One criterion: what it is, its status, and the findings and waivers behind that status."""
    criterion = verdict.criterion
    return {
        "id": criterion.id,
        "title": criterion.title,
        "description": criterion.description,
        "severity": criterion.severity,
        "requires": list(criterion.requires),
        "remediation": criterion.remediation,
        "effective_on": criterion.effective_on.isoformat() if criterion.effective_on else None,
        "weight": criterion.score_weight,
        "tiers": list(criterion.tiers),
        "policy": {
            "package": criterion.package,
            "rule": criterion.rule,
            "file": criterion.file,
            "line": criterion.line,
        },
        "status": verdict.status,
        "blocks": verdict.blocking and severity_rank(criterion.severity) <= severity_rank(blocking_severity),
        "message": verdict.message,
        "enforced_from": verdict.enforced_from.isoformat() if verdict.enforced_from else None,
        "violations": [finding_to_dict(f) for f in verdict.violations],
        "checked": [finding_to_dict(f) for f in verdict.checked],
        "waivers": [waiver_to_dict(w) for w in verdict.waivers],
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dict whose keys come in a fixed order (schemas/report.v1.schema.json)."""
    decision = report.decision
    subject = {key: _jsonable(report.subject.get(key)) for key in SUBJECT_KEYS}
    subject.update({str(k): _jsonable(v) for k, v in sorted(report.subject.items()) if k not in SUBJECT_KEYS})
    return {
        "schema": SCHEMA_VERSION,
        "generator": {"name": "readiness", "version": _generator_version(report.generator)},
        "subject": subject,
        "evaluation_time": _utc(report.evaluation_time),
        "decision": {
            "outcome": "go" if decision.go else "no-go",
            "go": decision.go,
            "reasons": list(decision.reasons),
            "score": decision.score,
            "completeness": decision.completeness,
            "blocking_severity": decision.blocking_severity,
            "counts": {status: decision.counts.get(status, 0) for status in STATUSES},
        },
        "verified": report.verified,
        "verification_failures": list(report.verification_failures),
        "engine": {"name": report.engine, "version": report.engine_version},
        "inputs": {
            "bundle": _digest(report.bundle),
            "policy": _digest(report.policy),
            "data": [_digest(d) for d in report.data],
            "waivers": _digest(report.waivers_file),
        },
        "evidence": [_ordered(item, _EVIDENCE_KEYS) for item in report.evidence],
        "criteria": [verdict_to_dict(v, decision.blocking_severity) for v in report.verdicts],
        "waivers": {
            "expired": [waiver_to_dict(w) for w in report.expired_waivers],
            "unused": [waiver_to_dict(w) for w in report.unused_waivers],
        },
        "extra": _jsonable(report.extra),
    }


class JsonReport(ReportFormat):
    """The whole report as JSON for machines: stable key order, indent 2, UTF-8, trailing newline."""

    name: ClassVar[str] = "json"
    extension: ClassVar[str] = ".json"
    description: ClassVar[str] = "machine-readable report (schemas/report.v1.schema.json)"

    def render(self, report: Report, color: bool = False) -> bytes:
        """The report as UTF-8 JSON; `color` is ignored."""
        text = json.dumps(report_to_dict(report), indent=2, ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8", errors="replace") + b"\n"
