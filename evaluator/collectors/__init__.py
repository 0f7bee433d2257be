"""Collectors: the registry of source formats and `collect`, which turns one file into one evidence item."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from evaluator.collectors.dr.chaostoolkit import ChaosToolkitJournalCollector
from evaluator.collectors.dr.drill_record import DrillRecordCollector
from evaluator.collectors.dr.litmus import LitmusChaosResultCollector
from evaluator.collectors.dr.velero import VeleroCollector
from evaluator.collectors.interface import HEAD_BYTES, Collected, Collector
from evaluator.collectors.load.gatling_log import GatlingLogCollector
from evaluator.collectors.load.gatling_stats import GatlingStatsCollector
from evaluator.collectors.load.jmeter_dashboard import JMeterDashboardCollector
from evaluator.collectors.load.jmeter_jtl_csv import JMeterJtlCsvCollector
from evaluator.collectors.load.jmeter_jtl_xml import JMeterJtlXmlCollector
from evaluator.collectors.load.k6_handle_summary import K6HandleSummaryCollector
from evaluator.collectors.load.k6_json import K6JsonCollector
from evaluator.collectors.load.k6_summary_export import K6SummaryExportCollector
from evaluator.collectors.load.k6_summary_v2 import K6SummaryV2Collector
from evaluator.collectors.load.locust_csv import LocustCsvCollector
from evaluator.collectors.load.locust_json import LocustJsonCollector
from evaluator.collectors.security.bandit import BanditJsonCollector
from evaluator.collectors.security.checkov import CheckovJsonCollector
from evaluator.collectors.security.cyclonedx import CycloneDxVexCollector
from evaluator.collectors.security.gitleaks import GitleaksJsonCollector
from evaluator.collectors.security.grype import GrypeJsonCollector
from evaluator.collectors.security.pip_audit import PipAuditJsonCollector
from evaluator.collectors.security.sarif import SarifCollector
from evaluator.collectors.security.semgrep import SemgrepJsonCollector
from evaluator.collectors.security.snyk import SnykJsonCollector
from evaluator.collectors.security.trivy import TrivyJsonCollector
from evaluator.collectors.security.zap import ZapJsonCollector
from evaluator.collectors.tests.cobertura import CoberturaXmlCollector
from evaluator.collectors.tests.coverage_json import CoverageJsonCollector
from evaluator.collectors.tests.junit import JUnitXmlCollector
from evaluator.errors import InputError, UsageError
from evaluator.evidence import EvidenceItem
from evaluator.evidence.build import build_item
from evaluator.fileio import sha256_file
from evaluator.timeutil import utcnow

# One line per format (and one import above per module).
COLLECTORS: tuple[type[Collector], ...] = (
    JUnitXmlCollector,
    CoberturaXmlCollector,
    CoverageJsonCollector,
    GatlingStatsCollector,
    GatlingLogCollector,
    JMeterJtlCsvCollector,
    JMeterJtlXmlCollector,
    JMeterDashboardCollector,
    K6SummaryExportCollector,
    K6HandleSummaryCollector,
    K6JsonCollector,
    K6SummaryV2Collector,
    LocustCsvCollector,
    LocustJsonCollector,
    ZapJsonCollector,
    GitleaksJsonCollector,
    TrivyJsonCollector,
    GrypeJsonCollector,
    SnykJsonCollector,
    CycloneDxVexCollector,
    PipAuditJsonCollector,
    SarifCollector,
    BanditJsonCollector,
    SemgrepJsonCollector,
    CheckovJsonCollector,
    ChaosToolkitJournalCollector,
    DrillRecordCollector,
    VeleroCollector,
    LitmusChaosResultCollector,
)

__all__ = ["COLLECTORS", "Collected", "Collector", "collect", "detect", "get_collector"]


def get_collector(name: str) -> type[Collector]:
    """The collector registered under format `name`; a UsageError listing the formats otherwise."""
    for collector in COLLECTORS:
        if collector.format == name:
            return collector
    known = ", ".join(c.format for c in COLLECTORS)
    raise UsageError(f"unknown format {name!r} (known: {known}; see `readiness collect --list`)")


def _read_head(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(HEAD_BYTES)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, expected a tool output file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None


def detect(path: Path, head: bytes | None = None) -> type[Collector]:
    """The one collector whose format matches the file's content; InputError when none or several do."""
    head = _read_head(path) if head is None else head
    if not head.strip():
        raise InputError(path, "file is empty")
    matches = [c for c in COLLECTORS if c.detect(head)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise InputError(
            path, "format not recognised from its content; name it with --format (see `readiness collect --list`)"
        )
    names = ", ".join(c.format for c in matches)
    raise InputError(path, f"content matches several formats ({names}); name one with --format")


def _default_id(kind: str, path: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.name.split(".")[0]).strip("-._") or "item"
    return f"{kind}-{stem}"[:128]


def collect(
    path: str | Path,
    format_name: str | None = None,
    item_id: str | None = None,
    environment: str | None = None,
    now: datetime | None = None,
) -> EvidenceItem:
    """Read one tool output file into one schema-checked evidence item."""
    path = Path(path)
    head = _read_head(path)
    collector_cls = get_collector(format_name) if format_name else detect(path, head)
    if format_name and not head.strip():
        raise InputError(path, "file is empty")
    collected = collector_cls().collect(path)
    window = None
    if collected.observed_start is not None and collected.observed_end is not None:
        window = (collected.observed_start, collected.observed_end)
    return build_item(
        item_id=item_id or _default_id(collector_cls.kind, path),
        kind=collector_cls.kind,
        schema=collector_cls.schema,
        environment=environment,
        collected_at=now or utcnow(),
        observed=window,
        tool=collected.tool,
        tool_version=collected.tool_version,
        source_format=collector_cls.format,
        file_text=str(path),
        sha256=sha256_file(path),
        collector=collector_cls.format,
        data=collected.data,
        what=f"evidence item from {path}",
        where=path,
        producer="collector",
    )
