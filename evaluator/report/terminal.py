"""The terminal summary for people: the decision, a table of criteria with the findings behind failures, the inputs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC
from io import StringIO
from typing import Any, ClassVar

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from evaluator.decide import Finding, Verdict
from evaluator.report.interface import InputDigest, Report, ReportFormat
from evaluator.report.text import percent, value_text
from evaluator.timeutil import format_time

STATUS_ORDER = ("error", "fail", "insufficient_evidence", "warn", "waived", "pass", "not_applicable")
"""Statuses from most to least in need of attention; the table lists criteria in this order."""

WIDTH = 100
"""Fixed output width, so the rendering does not depend on the terminal it is written to."""

MAX_FINDINGS = 10
"""Findings shown under one criterion; the rest are counted (the JSON report has them all)."""

_DETAILED = frozenset({"error", "fail", "insufficient_evidence", "warn"})
_STATUS_STYLE = {
    "error": "bold red",
    "fail": "bold red",
    "insufficient_evidence": "bold magenta",
    "warn": "bold yellow",
    "waived": "cyan",
    "pass": "green",
    "not_applicable": "dim",
}
# C0 controls other than tab and newline, DEL and C1 controls: evidence text must never drive the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean(text: object) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def _value(value: Any) -> str:
    """value_text, with control characters made visible."""
    return _clean(value_text(value))


def sort_by_status(verdicts: tuple[Verdict, ...]) -> list[Verdict]:
    """Verdicts in STATUS_ORDER (unknown statuses first), keeping their given order within a status."""
    rank = {status: i for i, status in enumerate(STATUS_ORDER)}
    return sorted(verdicts, key=lambda v: rank.get(v.status, -1))


def _indent(renderable: RenderableType, columns: int) -> Padding:
    return Padding(renderable, (0, 0, 0, columns))


def _finding(finding: Finding) -> Iterator[RenderableType]:
    yield _indent(Text.assemble("• ", _clean(finding.message)), 2)
    parts: list[str | tuple[str, str]] = []
    if finding.observed is not None:
        parts += ["observed ", (_value(finding.observed), "bold")]
    if finding.threshold is not None or finding.comparator:
        parts += [", " if parts else "", "threshold "]
        parts.append((f"{finding.comparator or ''} {_value(finding.threshold)}".strip(), "bold"))
    if parts:
        yield _indent(Text.assemble(*parts), 4)
    if finding.evidence or finding.pointer:
        where = " ".join(_clean(p) for p in (finding.evidence, finding.pointer) if p)
        yield _indent(Text.assemble("evidence ", (where, "cyan")), 4)
    if finding.waived_by:
        yield _indent(Text.assemble("waived by ", (_clean(finding.waived_by), "cyan")), 4)


def _criterion_cell(verdict: Verdict) -> Group:
    criterion = verdict.criterion
    lines: list[RenderableType] = [Text(_clean(criterion.id), style="bold"), Text(_clean(verdict.message))]
    if verdict.status in _DETAILED:
        findings = verdict.violations
        for finding in findings[:MAX_FINDINGS]:
            lines.extend(_finding(finding))
        if len(findings) > MAX_FINDINGS:
            more = f"… {len(findings) - MAX_FINDINGS} more findings (see --format json)"
            lines.append(_indent(Text(more, style="dim"), 2))
        if verdict.status == "insufficient_evidence" and criterion.requires:
            needs = ", ".join(map(_clean, criterion.requires))
            lines.append(_indent(Text.assemble("requires evidence: ", (needs, "bold")), 2))
        if verdict.enforced_from is not None:
            lines.append(_indent(Text(f"enforced from {verdict.enforced_from.isoformat()}", style="yellow"), 2))
        if criterion.remediation:
            lines.append(_indent(Text.assemble(("fix: ", "bold"), _clean(criterion.remediation)), 2))
    for waiver in verdict.waivers:
        accepted = f"waived by {_clean(waiver.id)} until {waiver.expires.isoformat()} ({_clean(waiver.owner)})"
        lines.append(_indent(Text(accepted, style="cyan"), 2))
    return Group(*lines)


def _headline(report: Report) -> Text:
    decision = report.decision
    subject = report.subject
    release = " ".join(_clean(subject[k]) for k in ("service", "version") if subject.get(k))
    if subject.get("target_environment"):
        release += f" → {_clean(subject['target_environment'])}"
    parts: list[str | tuple[str, str]] = [
        (" GO ", "bold white on green") if decision.go else (" NO-GO ", "bold white on red"),
        "  ",
        (release or "(unnamed release)", "bold"),
        f"   score {percent(decision.score)}   completeness {percent(decision.completeness)}",
    ]
    if not report.verified:
        parts += ["   ", ("UNVERIFIED", "bold red")]
    return Text.assemble(*parts)


def _short(value: str) -> str:
    algorithm, _, digest = value.rpartition(":")
    prefix = f"{algorithm}:" if algorithm else ""
    return f"{prefix}{digest[:12]}…" if len(digest) > 12 else value


def _summary(report: Report) -> Iterator[RenderableType]:
    decision = report.decision
    subject = report.subject
    facts = []
    if subject.get("commit"):
        facts.append(f"commit {_short(_clean(subject['commit']))}")
    if subject.get("artifact_digest"):
        facts.append(f"artifact {_short(_clean(subject['artifact_digest']))}")
    if subject.get("tier"):
        facts.append(f"tier {_clean(subject['tier'])}")
    if subject.get("environment"):
        facts.append(f"evidence from {_clean(subject['environment'])}")
    if facts:
        yield Text(" · ".join(facts), style="dim")
    counts = [f"{n} {status}" for status in STATUS_ORDER if (n := decision.counts.get(status, 0))]
    yield Text(" · ".join(counts) or "no criteria", style="dim")
    scalars = [f"{_clean(k)} {_value(v)}" for k, v in sorted(report.extra.items()) if not isinstance(v, dict | list)]
    if scalars:
        yield Text(" · ".join(scalars))
    if not report.verified:
        yield Text("")
        yield Text("Evidence is UNVERIFIED: its signatures, digests or freshness did not check out.", "bold red")
        for failure in report.verification_failures:
            yield _indent(Text.assemble("• ", _clean(failure)), 2)
    if decision.reasons:
        yield Text("")
        yield Text(f"Why no-go (criteria of severity {decision.blocking_severity} and above block):", style="bold")
        for reason in decision.reasons:
            yield _indent(Text.assemble("• ", _clean(reason)), 2)


def _criteria_table(report: Report) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False, show_edge=False)
    table.add_column("Status", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Criterion", ratio=1, overflow="fold")
    verdicts = sort_by_status(report.verdicts)
    for index, verdict in enumerate(verdicts):
        detailed = verdict.status in _DETAILED or bool(verdict.waivers)
        last = index == len(verdicts) - 1
        table.add_row(
            Text(_clean(verdict.status), style=_STATUS_STYLE.get(verdict.status, "bold red")),
            _clean(verdict.criterion.severity),
            _criterion_cell(verdict),
            end_section=detailed and not last,
        )
    return table


def _waivers(report: Report) -> Table | None:
    applied = [w for v in report.verdicts for w in v.waivers]
    listed = [("applied", applied), ("expired", report.expired_waivers), ("unused", report.unused_waivers)]
    if not any(waivers for _, waivers in listed):
        return None
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for state, waivers in listed:
        for waiver in waivers:
            grid.add_row(
                Text(state, style="cyan" if state == "applied" else "yellow"),
                _clean(waiver.id),
                f"{_clean(waiver.criterion)}, expires {waiver.expires.isoformat()}, owner {_clean(waiver.owner)}, "
                f"approved by {_clean(waiver.approver)}, ticket {_clean(waiver.ticket)}",
            )
    return grid


def _digest(digest: InputDigest) -> Text:
    return Text.assemble(_clean(digest.file), ("  sha256:" + _clean(digest.sha256)[:16] + "…", "dim"))


def _inputs(report: Report) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("engine", f"{_clean(report.engine)} {_clean(report.engine_version)}".strip())
    grid.add_row("bundle", _digest(report.bundle))
    grid.add_row("policy", _digest(report.policy))
    for data in report.data:
        grid.add_row("data", _digest(data))
    if report.waivers_file is not None:
        grid.add_row("waivers", _digest(report.waivers_file))
    for item in report.evidence:
        about = " ".join(_clean(item[k]) for k in ("schema", "tool", "file") if item.get(k))
        about = about or _clean(item.get("kind") or "")
        grid.add_row("evidence", Text.assemble(_clean(item.get("id", "?")), (f"  {about}", "dim")))
    when = report.evaluation_time
    when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    version = report.generator.removeprefix("readiness").strip()
    generator = f" by readiness {_clean(version)}" if version else ""
    grid.add_row("evaluated", f"{format_time(when)}{generator}")
    return grid


def sections(report: Report) -> Iterator[RenderableType]:
    """The renderables of the summary, top to bottom."""
    yield _headline(report)
    yield from _summary(report)
    yield Text("")
    yield _criteria_table(report)
    yield Text("")
    waivers = _waivers(report)
    if waivers is not None:
        yield Text("Waivers", style="bold")
        yield waivers
        yield Text("")
    yield _inputs(report)


class TerminalReport(ReportFormat):
    """A summary for people at a terminal or reading a CI log; coloured only when asked."""

    name: ClassVar[str] = "terminal"
    extension: ClassVar[str] = ".txt"
    description: ClassVar[str] = "human summary for a terminal or CI log (coloured unless NO_COLOR or not a tty)"

    def render(self, report: Report, color: bool = False) -> bytes:
        """The summary as UTF-8 text, with ANSI colours only when `color` is true."""
        buffer = StringIO()
        # Every option that rich would otherwise read from the environment or the terminal is fixed here.
        console = Console(
            file=buffer,
            width=WIDTH,
            height=50,
            color_system="standard" if color else None,
            force_terminal=color,
            force_jupyter=False,
            force_interactive=False,
            no_color=not color,
            legacy_windows=False,
            markup=False,
            emoji=False,
            highlight=False,
            soft_wrap=False,
        )
        for renderable in sections(report):
            console.print(renderable)
        text = buffer.getvalue()
        if not color:
            text = "\n".join(line.rstrip(" ") for line in text.split("\n"))
        return text.encode("utf-8", errors="replace")
