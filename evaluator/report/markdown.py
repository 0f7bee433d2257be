"""The Markdown report: a GitHub step summary or pull-request comment that fits GitHub's size limit."""

from __future__ import annotations

import html
import re
from datetime import UTC
from typing import ClassVar

from evaluator.decide import AppliedWaiver, Finding, Verdict
from evaluator.report.interface import InputDigest, Report, ReportFormat
from evaluator.report.text import percent, value_text
from evaluator.timeutil import format_time

MAX_CHARS = 65_000
"""Budget in UTF-16 code units, under GitHub's 65,536-character limit for a comment."""

MAX_FINDINGS = 25
"""Findings listed per criterion before the list is shortened to fit the budget."""

MAX_CELL = 300
"""Characters kept from one message in a table cell."""

MAX_REASONS = 20
"""No-go reasons listed; the table shows every blocking criterion anyway."""

STATUS_ORDER = ("error", "fail", "insufficient_evidence", "warn", "waived", "pass", "not_applicable")
"""Statuses from most to least in need of attention; the table lists criteria in this order."""

STATUS_ICON = {
    "error": "💥",
    "fail": "❌",
    "insufficient_evidence": "❓",
    "warn": "⚠️",
    "waived": "☑️",
    "pass": "✅",
    "not_applicable": "➖",
}
"""Icon shown before each status."""

MARKER = "<!-- readiness:report -->"
"""Hidden last line, so a bot can find and update its earlier comment."""

_DETAILED = ("error", "fail", "insufficient_evidence", "warn", "waived")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_PUNCTUATION = re.compile(r"([\\`*\[\]<>&~|#])")
# An underscore between two letters or digits never starts or ends emphasis in GFM; escape the others.
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def _clip(text: str, limit: int = MAX_CELL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: object, limit: int = MAX_CELL) -> str:
    """Inline Markdown for untrusted text: punctuation escaped, newlines as <br>, safe in a table cell."""
    text = _CONTROL.sub("\ufffd", _clip(str(value), limit))
    text = _UNDERSCORE.sub(r"\\_", _PUNCTUATION.sub(r"\\\1", text))
    text = _NEWLINES.sub("<br>", text)
    return "\\" + text if text[:1] in ("-", "+", "=") else text


def _code(value: object, limit: int = MAX_CELL) -> str:
    """A code span for untrusted text, safe in a table cell (pipes escaped, newlines as spaces)."""
    text = _NEWLINES.sub(" ", _CONTROL.sub("\ufffd", _clip(str(value), limit))).replace("|", "\\|")
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _html(value: object) -> str:
    """Text inside an HTML element such as <summary>, where Markdown is not parsed."""
    return html.escape(_NEWLINES.sub(" ", _CONTROL.sub("\ufffd", _clip(str(value)))))


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _status(status: str) -> str:
    return f"{STATUS_ICON.get(status, '💥')} {_text(status)}"


def _sorted(verdicts: tuple[Verdict, ...]) -> list[Verdict]:
    rank = {status: i for i, status in enumerate(STATUS_ORDER)}
    return sorted(verdicts, key=lambda v: rank.get(v.status, -1))


def _headline(report: Report, cell: int) -> list[str]:
    decision = report.decision
    subject = report.subject
    verdict = "✅ GO" if decision.go else "❌ NO-GO"
    release = " ".join(_text(subject[k]) for k in ("service", "version") if subject.get(k))
    line = f"## readiness: {verdict}" + (f" for {release}" if release else "")
    if not report.verified:
        line += " · ⚠️ UNVERIFIED evidence"
    facts = [f"**Score** {percent(decision.score)}", f"**Completeness** {percent(decision.completeness)}"]
    if subject.get("commit"):
        facts.append(f"commit {_code(str(subject['commit'])[:12])}")
    if subject.get("tier"):
        facts.append(f"tier {_code(subject['tier'])}")
    if subject.get("environment") or subject.get("target_environment"):
        route = " → ".join(_text(subject[k]) for k in ("environment", "target_environment") if subject.get(k))
        facts.append(route)
    for key, value in sorted(report.extra.items()):
        if not isinstance(value, dict | list):
            facts.append(f"**{_text(key)}** {_text(value_text(value))}")
    lines = [line, "", " · ".join(facts), ""]
    if not report.verified:
        lines.append("> ⚠️ **UNVERIFIED evidence**: the bundle's signatures, digests or freshness did not check out.")
        lines.extend(f"> - {_text(failure)}" for failure in report.verification_failures)
        lines.append("")
    if decision.reasons:
        lines.append(f"**Why no-go** (criteria of severity {_text(decision.blocking_severity)} and above block):")
        lines.append("")
        lines.extend(f"- {_text(reason, cell)}" for reason in decision.reasons[:MAX_REASONS])
        if len(decision.reasons) > MAX_REASONS:
            lines.append(f"- … and {len(decision.reasons) - MAX_REASONS} more; the table below lists every criterion.")
        lines.append("")
    counts = [f"{STATUS_ICON[s]} {n} {s}" for s in STATUS_ORDER if (n := decision.counts.get(s, 0))]
    lines += [" · ".join(counts) or "No criteria were evaluated.", ""]
    return lines


def _criteria_table(verdicts: list[Verdict], cell: int) -> list[str]:
    lines = [_row("Status", "Severity", "Criterion", "Title", "Message"), _row(*["---"] * 5)]
    for verdict in verdicts:
        criterion = verdict.criterion
        lines.append(
            _row(
                _status(verdict.status),
                _text(criterion.severity),
                _code(criterion.id),
                _text(criterion.title, cell),
                _text(verdict.message, cell),
            )
        )
    return [*lines, ""]


def _evidence_cell(finding: Finding) -> str:
    return " ".join(_code(part) for part in (finding.evidence, finding.pointer) if part)


def _findings_table(findings: tuple[Finding, ...], limit: int) -> list[str]:
    if limit <= 0:
        return [f"_{len(findings)} findings not shown to fit the comment; the JSON report lists them._", ""]
    lines = [_row("Finding", "Observed", "Threshold", "Evidence"), _row(*["---"] * 4)]
    for finding in findings[:limit]:
        message = _text(finding.message)
        if finding.waived_by:
            message += f" (waived by {_code(finding.waived_by)})"
        observed = _code(value_text(finding.observed)) if finding.observed is not None else ""
        threshold = ""
        if finding.threshold is not None or finding.comparator:
            threshold = _code(f"{finding.comparator or ''} {value_text(finding.threshold)}".strip())
        lines.append(_row(message, observed, threshold, _evidence_cell(finding)))
    if len(findings) > limit:
        lines += ["", f"_… and {len(findings) - limit} more findings; the JSON report lists them all._"]
    return [*lines, ""]


def _details(verdict: Verdict, limit: int) -> list[str]:
    criterion = verdict.criterion
    summary = (
        f"{STATUS_ICON.get(verdict.status, '💥')} <b>{_html(verdict.status)}</b> · {_html(criterion.severity)} · "
        f"<code>{_html(criterion.id)}</code> · {_html(criterion.title)}"
    )
    lines = ["<details>", f"<summary>{summary}</summary>", "", _text(verdict.message, 2000), ""]
    if criterion.description.strip():
        lines += [f"_{_text(criterion.description.strip(), 2000)}_", ""]
    if verdict.violations:
        lines += _findings_table(verdict.violations, limit)
    if verdict.status == "insufficient_evidence" and criterion.requires:
        lines += ["Requires fresh, verified evidence of kind " + ", ".join(_code(k) for k in criterion.requires), ""]
    if verdict.enforced_from is not None:
        lines += [f"Enforced from **{verdict.enforced_from.isoformat()}**; until then a failure only warns.", ""]
    if criterion.remediation:
        lines += [f"**Remediation:** {_text(criterion.remediation, 2000)}", ""]
    return [*lines, "</details>", ""]


def _waiver_row(state: str, waiver: AppliedWaiver) -> str:
    return _row(
        _text(state),
        _code(waiver.id),
        _code(waiver.criterion),
        waiver.expires.isoformat(),
        _text(waiver.owner),
        _text(waiver.approver),
        _text(waiver.ticket),
        _text(waiver.justification),
    )


def _waivers(report: Report) -> list[str]:
    listed = [
        ("applied", [w for v in report.verdicts for w in v.waivers]),
        ("expired", report.expired_waivers),
        ("unused", report.unused_waivers),
    ]
    if not any(waivers for _, waivers in listed):
        return []
    header = _row("State", "Waiver", "Criterion", "Expires", "Owner", "Approver", "Ticket", "Justification")
    lines = ["### Waivers", "", header, _row(*["---"] * 8)]
    lines += [_waiver_row(state, w) for state, waivers in listed for w in waivers]
    return [*lines, ""]


def _digest_row(role: str, digest: InputDigest) -> str:
    return _row(role, _code(digest.file), _code(digest.sha256))


def _inputs(report: Report) -> list[str]:
    when = report.evaluation_time
    when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    lines = [
        "<details>",
        "<summary>Engine and inputs</summary>",
        "",
        f"Evaluated at {format_time(when)} by {_text(report.engine)} {_text(report.engine_version)}".rstrip()
        + (f", readiness {_text(version)}" if (version := report.generator.removeprefix("readiness").strip()) else "")
        + ".",
        "",
        _row("Input", "File", "sha256"),
        _row(*["---"] * 3),
        _digest_row("bundle", report.bundle),
        _digest_row("policy", report.policy),
        *(_digest_row("data", d) for d in report.data),
    ]
    if report.waivers_file is not None:
        lines.append(_digest_row("waivers", report.waivers_file))
    lines.append("")
    if report.evidence:
        lines += [_row("Evidence", "Kind", "Details"), _row(*["---"] * 3)]
        for item in report.evidence:
            rest = ", ".join(f"{k}: {value_text(v)}" for k, v in sorted(item.items()) if k not in ("id", "kind"))
            lines.append(_row(_code(item.get("id", "?")), _text(item.get("kind", "")), _text(rest)))
        lines.append("")
    return [*lines, "</details>", ""]


def _document(report: Report, limit: int, details: bool = True, cell: int = MAX_CELL) -> str:
    verdicts = _sorted(report.verdicts)
    lines = _headline(report, cell) + _criteria_table(verdicts, cell)
    if details:
        for verdict in verdicts:
            if verdict.status in _DETAILED:
                lines += _details(verdict, limit)
    else:
        lines += ["_Details left out to fit the comment; the JSON report has every finding._", ""]
    lines += _waivers(report) + _inputs(report) + [MARKER]
    return "\n".join(lines) + "\n"


def render_markdown(report: Report) -> str:
    """The report as GitHub-flavoured Markdown, shortened until it fits MAX_CHARS."""
    for limit in (MAX_FINDINGS, 10, 5, 1, 0):
        text = _document(report, limit)
        if _utf16_length(text) <= MAX_CHARS:
            return text
    for cell in (MAX_CELL, 120, 60):
        text = _document(report, 0, details=False, cell=cell)
        if _utf16_length(text) <= MAX_CHARS:
            return text
    # Only a catalogue of thousands of criteria gets here: keep whole lines up to the budget.
    note = "\n_… truncated to fit a GitHub comment; the JSON report has everything._\n" + MARKER + "\n"
    kept, used = [], _utf16_length(note)
    for line in text.split("\n"):
        used += _utf16_length(line) + 1
        if used > MAX_CHARS:
            break
        kept.append(line)
    return "\n".join(kept) + "\n" + note


class MarkdownReport(ReportFormat):
    """A summary for a pull-request comment or a CI step summary."""

    name: ClassVar[str] = "markdown"
    extension: ClassVar[str] = ".md"
    description: ClassVar[str] = "GitHub-flavoured Markdown for pull-request comments and CI step summaries"

    def render(self, report: Report, color: bool = False) -> bytes:
        """The report as UTF-8 Markdown; `color` is ignored."""
        return render_markdown(report).encode("utf-8", errors="replace")
