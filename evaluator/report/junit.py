"""The JUnit XML report: each criterion a test case, so CI test dashboards show the readiness verdicts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC
from typing import Any, ClassVar

from evaluator.decide import Finding, Verdict
from evaluator.report.interface import Report, ReportFormat
from evaluator.report.text import value_text
from evaluator.timeutil import format_time

SKIPPED_STATUSES = ("waived", "not_applicable")
"""Statuses reported as <skipped>."""

ERROR_STATUSES = ("error", "insufficient_evidence")
"""Statuses reported as <error>: the criterion could not be judged."""

# Characters XML 1.0 cannot carry at all; ElementTree would write them and produce a broken file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(value: object) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def _finding(finding: Finding) -> str:
    """One finding as a few lines of plain text: message, observed vs threshold, evidence pointer."""
    lines = [f"- {finding.message}"]
    compared = []
    if finding.observed is not None:
        compared.append(f"observed {value_text(finding.observed)}")
    if finding.threshold is not None or finding.comparator:
        compared.append(f"threshold {finding.comparator or ''} {value_text(finding.threshold)}".replace("  ", " "))
    if compared:
        lines.append("  " + ", ".join(compared))
    if finding.evidence or finding.pointer:
        lines.append("  evidence " + " ".join(p for p in (finding.evidence, finding.pointer) if p))
    if finding.waived_by:
        lines.append(f"  waived by {finding.waived_by}")
    return "\n".join(lines)


def _body(verdict: Verdict) -> str:
    """The text under a case: message, findings, what is required and what to do."""
    criterion = verdict.criterion
    lines = [f"{criterion.id} ({criterion.severity}): {criterion.title}", verdict.message]
    lines += [_finding(f) for f in verdict.violations or verdict.checked]
    if verdict.status == "insufficient_evidence" and criterion.requires:
        lines.append("requires evidence: " + ", ".join(criterion.requires))
    if verdict.enforced_from is not None:
        lines.append(f"enforced from {verdict.enforced_from.isoformat()}")
    for waiver in verdict.waivers:
        lines.append(
            f"waived by {waiver.id} (ticket {waiver.ticket}, owner {waiver.owner}, approved by {waiver.approver}, "
            f"expires {waiver.expires.isoformat()}): {waiver.justification}"
        )
    if verdict.status not in ("pass", "not_applicable") and criterion.remediation:
        lines.append(f"remediation: {criterion.remediation}")
    if criterion.file:
        lines.append(f"policy: {criterion.file}:{criterion.line} ({criterion.package})")
    return _clean("\n".join(lines))


def _testcase(suite: ET.Element, verdict: Verdict) -> None:
    criterion = verdict.criterion
    classname = _clean(criterion.package or "readiness")
    case = ET.SubElement(suite, "testcase", classname=classname, name=_clean(criterion.id), time="0")
    message = _clean(verdict.message)
    status = verdict.status
    if status == "fail":
        ET.SubElement(case, "failure", message=message, type="fail").text = _body(verdict)
    elif status in ERROR_STATUSES:
        ET.SubElement(case, "error", message=message, type=status).text = _body(verdict)
    elif status == "waived":
        waivers = ", ".join(w.id for w in verdict.waivers) or "an unnamed waiver"
        ET.SubElement(case, "skipped", message=_clean(f"waived by {waivers}: {verdict.message}"))
        ET.SubElement(case, "system-out").text = _body(verdict)
    elif status == "not_applicable":
        ET.SubElement(case, "skipped", message=_clean(f"not applicable: {verdict.message}"))
    elif status == "warn" or verdict.checked:
        ET.SubElement(case, "system-out").text = _body(verdict)
    elif status != "pass":
        # A status this format does not know is an error, never a silent pass.
        ET.SubElement(case, "error", message=message, type=_clean(status)).text = _body(verdict)


def _properties(suite: ET.Element, report: Report) -> None:
    decision = report.decision
    properties = ET.SubElement(suite, "properties")
    engine = f"{report.engine} {report.engine_version}".strip()
    values: list[tuple[str, Any]] = [
        ("decision", "go" if decision.go else "no-go"),
        ("score", decision.score),
        ("completeness", decision.completeness),
        ("blocking_severity", decision.blocking_severity),
        ("verified", "true" if report.verified else "false"),
        ("engine", engine),
        ("subject", " ".join(str(report.subject[k]) for k in ("service", "version") if report.subject.get(k))),
    ]
    values += [(f"subject.{k}", v) for k, v in sorted(report.subject.items()) if v is not None]
    values += [(f"reason.{i}", reason) for i, reason in enumerate(decision.reasons, 1)]
    values += [(f"verification_failure.{i}", f) for i, f in enumerate(report.verification_failures, 1)]
    values += [("bundle.sha256", report.bundle.sha256), ("policy.sha256", report.policy.sha256)]
    if version := report.generator.removeprefix("readiness").strip():
        values.append(("generator", f"readiness {version}"))
    for name, value in values:
        ET.SubElement(properties, "property", name=_clean(name), value=_clean(value_text(value)))


def _summary(report: Report) -> str:
    decision = report.decision
    lines = [f"readiness: {'GO' if decision.go else 'NO-GO'}"]
    if not report.verified:
        lines.append("UNVERIFIED evidence: " + ("; ".join(report.verification_failures) or "not verified"))
    lines += [f"reason: {reason}" for reason in decision.reasons]
    lines.append(f"score {decision.score}, completeness {decision.completeness}")
    return _clean("\n".join(lines))


def render_junit(report: Report) -> bytes:
    """The report as a JUnit XML document with one testsuite."""
    verdicts = report.verdicts
    statuses = [v.status for v in verdicts]
    failures = statuses.count("fail")
    skipped = sum(statuses.count(s) for s in SKIPPED_STATUSES)
    errors = len(statuses) - failures - skipped - statuses.count("pass") - statuses.count("warn")
    subject = report.subject
    name = "readiness " + " ".join(str(subject[k]) for k in ("service", "version") if subject.get(k))
    if not report.verified:
        name += " (UNVERIFIED evidence)"
    when = report.evaluation_time
    when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    counts = {"tests": str(len(verdicts)), "failures": str(failures), "errors": str(errors), "skipped": str(skipped)}
    root = ET.Element("testsuites", {"name": "readiness", **counts, "time": "0"})
    # The JUnit XSD's timestamp carries no zone; this one is UTC.
    attributes = {"name": _clean(name), **counts, "time": "0", "timestamp": format_time(when)[:19]}
    suite = ET.SubElement(root, "testsuite", attributes)
    _properties(suite, report)
    for verdict in verdicts:
        _testcase(suite, verdict)
    ET.SubElement(suite, "system-out").text = _summary(report)
    ET.indent(root, space="  ")
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    return text.encode("utf-8", errors="replace")


class JUnitReport(ReportFormat):
    """Each criterion as a JUnit test case: fail a failure, error and missing evidence errors, waived skipped."""

    name: ClassVar[str] = "junit"
    extension: ClassVar[str] = ".xml"
    description: ClassVar[str] = "JUnit XML, one test case per criterion, for CI test dashboards"

    def render(self, report: Report, color: bool = False) -> bytes:
        """The report as JUnit XML (UTF-8); `color` is ignored."""
        return render_junit(report)
