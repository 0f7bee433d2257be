"""Report formats: the registry of output formats and `get_format`, which picks one by name."""

from __future__ import annotations

from evaluator.errors import UsageError
from evaluator.report.interface import InputDigest, Report, ReportFormat
from evaluator.report.json import JsonReport, report_to_dict
from evaluator.report.junit import JUnitReport
from evaluator.report.markdown import MarkdownReport
from evaluator.report.terminal import TerminalReport

# One line per format.
FORMATS: tuple[type[ReportFormat], ...] = (
    TerminalReport,
    JsonReport,
    MarkdownReport,
    JUnitReport,
)

__all__ = [
    "FORMATS",
    "InputDigest",
    "JUnitReport",
    "JsonReport",
    "MarkdownReport",
    "Report",
    "ReportFormat",
    "TerminalReport",
    "get_format",
    "report_to_dict",
]


def get_format(name: str) -> type[ReportFormat]:
    """The report format registered under `name`; a UsageError listing the formats otherwise."""
    for report_format in FORMATS:
        if report_format.name == name:
            return report_format
    known = ", ".join(f.name for f in FORMATS)
    raise UsageError(f"unknown report format {name!r} (known: {known})")
