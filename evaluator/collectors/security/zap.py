"""OWASP ZAP's traditional JSON report (`zap-baseline.py -J`, `zap-full-scan.py -J`, the `traditional-json`
report template) into a `security` item, ZAP 2.8 to 2.16.

Shape read: {"@version", "@generated", "site": [{"@name", "@host", "@port", "@ssl", "alerts": [{"pluginid",
"alertRef" (2.9+), "alert", "name", "riskcode", "confidence", "riskdesc", "desc", "instances": [{"uri", "method",
"param", "attack", "evidence"}], "count", "solution", "reference", "cweid", "wascid", "sourceid"}]}]}, plus
"@programName" and "created" (ISO 8601, UTC) in newer reports (the 2.16 sample). Numbers are strings ("1", "-1");
plain JSON numbers are read too. A single site, alert or instance given as an object instead of a one-element
list, and an empty "alerts" given as "" (as XML-to-JSON conversions write them), are read too. Empty instance
fields may be left out (2.8).

Mapping (source field -> model field):

- "@version" -> scanner.version (tool "zap"); every finding's category is `dast`;
- "created" (UTC) else "@generated" -> observed start and end (the report gives one time, when it was
  written). "@generated" ("Sun, 8 Mar 2020 18:09:07") is the ZAP host's local time without a zone: it is read
  as UTC; a form we cannot read leaves the time unknown;
- site "@name" -> target; several sites are joined with ", " in report order;
- alert "alertRef", else "pluginid" -> rule_id. alertRef equals pluginid for most rules, and tells apart the
  several alerts one plugin raises (10049-1 "Non-Storable Content", 10049-3 "Storable and Cacheable Content"),
  which pluginid alone would merge into one finding;
- "alert" (else "name") -> title; "cweid" -> cwe ("-1" and "0" mean none); "riskdesc" (else "riskcode")
  -> tool_severity;
- "confidence" "0" (ZAP's "False Positive") -> suppression false_positive, source zap:confidence;
- instance "uri" without query string, fragment and user:password@ -> location.url.

One finding per alert per instance (URL, method, parameter): fingerprint
code_fingerprint("dast", "zap", rule_id, url, None, method + " " + param), so a waiver can name one vulnerable
page and parameter, and a fix on some pages shows up as fewer findings. Instances that repeat the same URL,
method and parameter (ZAP lists a page once per message) merge into one finding with `occurrences` counting
them. An alert listing no instance is one finding without location, with `occurrences` = its "count" (at least 1).
A site with no alert is a clean scan; a report with no site at all ("site": []) is an InputError: ZAP reached
nothing (for example an unreachable target), which must not read as "zero findings".

Never copied: instance "evidence", "attack" and "otherinfo" (they can hold tokens, cookies, or the payload sent),
the parameter name (it only takes part in the fingerprint), and desc, solution, reference (long HTML prose).

Severity (riskcode): "3" high, "2" medium, "1" low, "0" info (ZAP has no critical); anything else unknown.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from evaluator.collectors.interface import Collected
from evaluator.collectors.security import common
from evaluator.errors import InputError
from evaluator.evidence.security import Finding, Location, Severity, Suppression

TOOL = "zap"
WHAT = "an OWASP ZAP traditional JSON report"
_NOT = "not an OWASP ZAP traditional JSON report"
_RISK: dict[int, Severity] = {3: "high", 2: "medium", 1: "low", 0: "info"}
_OPEN = re.compile(r"^\s*\{")
_VERSION_KEY = re.compile(r'"@version"\s*:\s*"')
_GENERATED_KEY = re.compile(r'"@generated"\s*:\s*"')
_GENERATED = re.compile(
    r"^(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4}),?\s+(\d{1,2}):(\d{2}):(\d{2})$"
)
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}


class ZapJsonCollector(common.SecurityCollector):
    """OWASP ZAP traditional JSON report (sites, alerts, instances)."""

    format: ClassVar[str] = "zap-json"
    description: ClassVar[str] = "OWASP ZAP traditional JSON report (zap-*-scan.py -J, traditional-json), 2.8-2.16"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when the file is a JSON object naming ZAP's "@version" and "@generated" attributes."""
        content = common.bom_free(head).decode("utf-8", "replace")
        return (
            _OPEN.match(content) is not None
            and _VERSION_KEY.search(content) is not None
            and _GENERATED_KEY.search(content) is not None
        )

    def collect(self, path: Path) -> Collected:
        """Read the report at `path`; InputError when it is not a ZAP traditional JSON report."""
        document = common.load_document(path, WHAT)
        common.expect(isinstance(document, dict), path, f"{_NOT}: expected a JSON object with '@version' and 'site'")
        common.expect("site" in document, path, f"{_NOT}: no 'site' list")
        sites = _listed(document["site"], path, "'site'")
        common.expect(bool(sites), path, "the ZAP report lists no site: nothing was scanned (target unreachable?)")
        findings: list[Finding] = []
        names: list[str] = []
        for index, site in enumerate(sites, start=1):
            common.expect(isinstance(site, dict), path, f"{_NOT}: site {index} is not an object")
            name = common.text(site.get("@name"), 2048)
            if name and name not in names:
                names.append(name)
            alerts = _listed(site.get("alerts"), path, f"'alerts' of site {index}")
            for number, alert in enumerate(alerts, start=1):
                where = f"alert {number} of site {index}"
                common.expect(isinstance(alert, dict), path, f"{_NOT}: {where} is not an object")
                findings.extend(_findings(path, where, alert))
        observed = _observed(document)
        version = document.get("@version")
        data = common.build_scan(TOOL, version, ["dast"], ", ".join(names) or None, findings)
        return common.collected(data, observed)


def _listed(value: Any, path: Path, what: str) -> list[Any]:
    """A list as given, a single object as a one-element list, absent or "" as no elements."""
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        raise InputError(path, f"{_NOT}: {what} is not a list")
    return value


def _code(value: object) -> int | None:
    """An integer from a JSON integer or a numeric string ("1", "-1"); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
        return int(value)
    return None


def _ident(value: object) -> str | None:
    """A rule identifier from a string or an integer; None when blank or absent."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()[:256]
    return None


def _findings(path: Path, where: str, alert: dict[str, Any]) -> list[Finding]:
    rule_id = _ident(alert.get("alertRef")) or _ident(alert.get("pluginid"))
    if rule_id is None:
        raise InputError(path, f"{_NOT}: {where} has no 'pluginid'")
    risk = _code(alert.get("riskcode"))
    severity: Severity = _RISK.get(risk, "unknown") if risk is not None else "unknown"
    suppression = None
    if _code(alert.get("confidence")) == 0:
        suppression = Suppression(
            kind="false_positive", source="zap:confidence", justification="ZAP confidence 0 (False Positive)"
        )
    shared: dict[str, Any] = {
        "category": "dast",
        "rule_id": rule_id,
        "title": common.title_of(alert.get("alert"), alert.get("name"), fallback=f"ZAP alert {rule_id}"),
        "severity": severity,
        "tool_severity": common.text(alert.get("riskdesc"), 64)
        or common.text(str(risk) if risk is not None else None, 64),
        "ids": [],
        "cwe": common.cwe_numbers(alert.get("cweid")),
        "fix_available": False,
        "suppression": suppression,
    }
    instances = _listed(alert.get("instances"), path, f"'instances' of {where}")
    if not instances:
        count = _code(alert.get("count"))
        return [
            Finding(
                fingerprint=common.code_fingerprint("dast", TOOL, rule_id, None, None, None),
                occurrences=max(1, count or 1),
                **shared,
            )
        ]
    findings = []
    for number, instance in enumerate(instances, start=1):
        common.expect(isinstance(instance, dict), path, f"{_NOT}: instance {number} of {where} is not an object")
        url = _url(instance.get("uri"))
        method = instance.get("method") if isinstance(instance.get("method"), str) else ""
        param = instance.get("param") if isinstance(instance.get("param"), str) else ""
        findings.append(
            Finding(
                fingerprint=common.code_fingerprint("dast", TOOL, rule_id, url, None, f"{method.strip()} {param}"),
                location=Location(url=url) if url else None,
                occurrences=1,
                **shared,
            )
        )
    return findings


def _url(value: object) -> str | None:
    """The instance URL without query string, fragment and credentials; None when absent."""
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip()
    try:
        parts = urlsplit(raw)
    except ValueError:
        parts = None
    if parts is not None and parts.scheme and parts.netloc:
        cleaned = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
    else:
        cleaned = raw.split("#", 1)[0].split("?", 1)[0]
    return common.text(cleaned, 2048)


def _observed(document: dict[str, Any]) -> datetime | None:
    """When the report was written: "created" (UTC) when given, else "@generated" read as UTC."""
    return common.aware_time(document.get("created")) or generated_time(document.get("@generated"))


def generated_time(value: object) -> datetime | None:
    """ZAP's "@generated" ("Sun, 8 Mar 2020 18:09:07", no zone) as a UTC time; None when not in that form."""
    if not isinstance(value, str):
        return None
    match = _GENERATED.match(value.strip())
    if match is None:
        return None
    day, month, year, hour, minute, second = match.groups()
    month_number = _MONTHS.get(month.lower())
    if month_number is None:
        return None
    try:
        return datetime(int(year), month_number, int(day), int(hour), int(minute), int(second), tzinfo=UTC)
    except ValueError:
        return None
