"""What every security collector shares: severity mapping, fingerprints, advisory ids, and assembling the scan.

Fingerprints (`Finding.fingerprint`, "sha256:" + hex) are the sha256 of parts joined by U+001F:

- a vulnerability in a package (SCA, container, CycloneDX, pip-audit, Trivy, Grype, Snyk):
  "pkg", the primary advisory id (the lowest CVE id the finding names, else the lowest GHSA id, else the
  tool's id), the package name lower-cased, the installed version. Tool, tool version, file path and
  target are left out on purpose: the same CVE in the same package version is the same finding whichever
  scanner saw it, so two scanners of one release count it once, and a waiver keeps holding after a
  scanner upgrade;
- anything else (code, IaC, secrets, DAST): "code", the category, the tool name lower-cased, the rule id,
  the path (or DAST URL without query), the start line, and the collector's extra part (a DAST parameter,
  an IaC resource). Rule ids are the tool's own, so two tools' SAST findings stay separate. A secret's
  value never takes part (a hash of a low-entropy secret can be brute-forced).

Severity words are mapped by `severity_from_word`; numeric scores (CVSS, SARIF security-severity) by
`severity_from_score` with the CVSS v3 bands (9.0 critical, 7.0 high, 4.0 medium, 0.1 low, 0 info);
`severity_or_score` is the tool's word, else (word missing or "unknown") the band of the finding's CVSS.

Also shared: `SecurityCollector` (the kind and schema every collector here produces), `collected` (the
Collected of a built scan), `aware_time` (a report's time stamp for the observed window), `bom_free`
(a detect head without its UTF-8 byte order mark) and `entry_id` (a report entry's required id).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from evaluator.collectors.interface import Collected, Collector
from evaluator.errors import InputError
from evaluator.evidence.security import (
    MAX_FINDINGS,
    SCAN_TYPES,
    SEVERITIES,
    Cvss,
    Finding,
    Package,
    Scanner,
    ScanType,
    SecurityScan,
    Severity,
    SeverityCounts,
)
from evaluator.fileio import parse_json, read_bytes
from evaluator.redact import redact

_WORDS: dict[str, Severity] = {
    "critical": "critical",
    "crit": "critical",
    "very high": "critical",
    "high": "high",
    "error": "high",
    "important": "high",
    "medium": "medium",
    "moderate": "medium",
    "warning": "medium",
    "med": "medium",
    "low": "low",
    "minor": "low",
    "negligible": "info",
    "info": "info",
    "informational": "info",
    "information": "info",
    "note": "info",
    "none": "info",
    "unknown": "unknown",
    "unspecified": "unknown",
    "undefined": "unknown",
}
"""Severity words of the tools we read, lower-cased, to the normalized severity. 'error', 'warning',
'note' are SARIF levels (only used when a tool gives nothing better); 'negligible' is Grype's."""

_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$", re.I)
_GHSA = re.compile(r"^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$", re.I)
_CWE = re.compile(r"CWE-(\d+)", re.I)
_MAX_TEXT = 512


def severity_from_word(word: object) -> Severity | None:
    """The normalized severity of a tool's severity word; None when `word` is not one we know."""
    if not isinstance(word, str):
        return None
    return _WORDS.get(word.strip().lower())


def severity_from_score(score: float) -> Severity:
    """The CVSS v3 qualitative band of a 0-10 score (9.0 critical, 7.0 high, 4.0 medium, 0.1 low, else info)."""
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    if score > 0.0:
        return "low"
    return "info"


def severity_or_score(word: object, rating: Cvss | None) -> Severity:
    """The severity of a tool's word; when the word is missing, not known or "unknown" and the finding has a
    CVSS rating, the CVSS v3 band of its score instead; `unknown` when neither says."""
    found = severity_from_word(word)
    if (found is None or found == "unknown") and rating is not None:
        return severity_from_score(rating.score_x10 / 10)
    return found or "unknown"


def more_severe(a: Severity, b: Severity) -> Severity:
    """The more serious of two severities (`unknown` counts as less serious than any known one)."""
    return a if _SEVERITY_RANK[a] <= _SEVERITY_RANK[b] else b


def score(value: object) -> float | None:
    """A 0-10 score from a JSON number or numeric string; None when it is neither or out of range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value) or not 0 <= value <= 10:
        return None
    return float(value)


def cvss(value: object, vector: object = None, version: object = None, source: object = None) -> Cvss | None:
    """A Cvss of a 0-10 score (rounded to one decimal), with the vector, version and source when given."""
    number = score(value)
    if number is None:
        return None
    vector_text = vector.strip() if isinstance(vector, str) and vector.strip() else None
    version_text = cvss_version(version, vector_text)
    return Cvss(
        score_x10=math.floor(number * 10 + 0.5),
        version=version_text,
        vector=vector_text[:256] if vector_text else None,
        source=text(source, 64),
    )


def cvss_version(version: object, vector: str | None) -> str | None:
    """'2.0', '3.0', '3.1' or '4.0' from a stated version or the vector's prefix; None when unknown."""
    if isinstance(version, int | float) and not isinstance(version, bool):
        version = f"{float(version):.1f}"
    if isinstance(version, str):
        match = re.search(r"([234])(?:\.?([01]))?", version)
        if match:
            return f"{match.group(1)}.{match.group(2) or '0'}"
    if vector:
        match = re.match(r"CVSS:([34])\.([01])/", vector)
        if match:
            return f"{match.group(1)}.{match.group(2)}"
        if vector.startswith("AV:") or vector.startswith("(AV:"):
            return "2.0"
    return None


def best_cvss(ratings: Iterable[Cvss | None]) -> Cvss | None:
    """The rating with the newest CVSS version, then the highest score (so a v4 score wins over a v3 one)."""
    found = [r for r in ratings if r is not None]
    if not found:
        return None
    return max(found, key=lambda r: (r.version or "0", r.score_x10))


def advisory_ids(*candidates: object) -> list[str]:
    """Sorted, unique advisory ids from strings or lists of strings; CVE ids upper-cased, GHSA ids normalized."""
    found: set[str] = set()
    for candidate in candidates:
        values = candidate if isinstance(candidate, list | tuple | set) else [candidate]
        for value in values:
            if not isinstance(value, str) or not value.strip():
                continue
            ident = value.strip()[:128]
            if _CVE.match(ident):
                ident = ident.upper()
            elif _GHSA.match(ident):
                ident = "GHSA-" + ident[5:].lower()
            found.add(ident)
    return sorted(found)


def primary_id(ids: Iterable[str], fallback: str) -> str:
    """The id a package fingerprint uses: the lowest CVE id, else the lowest GHSA id, else `fallback`."""
    ids = list(ids)
    for pattern in (_CVE, _GHSA):
        matching = sorted(i for i in ids if pattern.match(i))
        if matching:
            return matching[0]
    return fallback


def cwe_numbers(*candidates: object) -> list[int]:
    """Sorted, unique CWE numbers from 'CWE-79' strings, lists of them, or numbers."""
    found: set[int] = set()
    for candidate in candidates:
        values = candidate if isinstance(candidate, list | tuple | set) else [candidate]
        for value in values:
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                found.add(value)
            elif isinstance(value, str):
                found.update(int(n) for n in _CWE.findall(value) if int(n) > 0)
                if value.strip().isdigit() and int(value) > 0:
                    found.add(int(value))
    return sorted(found)[:32]


def fingerprint(*parts: object) -> str:
    """'sha256:' + hex digest of the parts (None as empty) joined by U+001F."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return "sha256:" + hashlib.sha256(joined.encode("utf-8")).hexdigest()


def package_fingerprint(ids: Iterable[str], rule_id: str, package: str, installed: str | None) -> str:
    """The fingerprint of a vulnerability in a package (tool-independent, see the module docstring)."""
    return fingerprint("pkg", primary_id(ids, rule_id), package.lower(), installed or "")


def code_fingerprint(
    category: ScanType, tool: str, rule_id: str, where: str | None, line: int | None, extra: str | None = None
) -> str:
    """The fingerprint of a code, IaC, secret or DAST finding (see the module docstring)."""
    return fingerprint("code", category, tool.lower(), rule_id, where or "", "" if line is None else line, extra or "")


def text(value: object, limit: int = _MAX_TEXT) -> str | None:
    """A non-empty string cut to `limit` characters with credentials masked; None when `value` is not one."""
    if not isinstance(value, str):
        return None
    stripped = " ".join(value.split())
    if not stripped:
        return None
    return redact(stripped)[:limit]


def title_of(*candidates: object, fallback: str) -> str:
    """The first usable candidate as a one-line title (first line only, masked, at most 512 characters)."""
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            first = candidate.strip().splitlines()[0]
            found = text(first)
            if found:
                return found
    return text(fallback) or "(untitled)"


def timestamp(value: object) -> str | None:
    """An RFC 3339 UTC timestamp ('…Z', whole seconds) from an ISO 8601 string; None when absent or unparsable."""
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip().replace(" ", "T", 1)
    if raw.endswith("Z") or raw.endswith("z"):
        raw = raw[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def aware_time(value: object) -> datetime | None:
    """`timestamp(value)` as a timezone-aware UTC datetime (whole seconds), for Collected.observed_start/end;
    None when absent or unparsable."""
    stamp = timestamp(value)
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) if stamp else None


def package(
    name: str, installed: object = None, fixed: Iterable[object] = (), ecosystem: object = None, purl: object = None
) -> Package:
    """A Package with versions cleaned up (blank and duplicate fixed versions dropped, order kept)."""
    fixed_versions: list[str] = []
    for version in fixed:
        if isinstance(version, str):
            for part in version.split(","):
                part = part.strip()
                if part and part not in fixed_versions:
                    fixed_versions.append(part[:256])
    return Package(
        name=name.strip()[:512],
        installed=text(installed, 256),
        fixed=fixed_versions[:64],
        ecosystem=text(ecosystem, 64),
        purl=text(purl, 1024),
    )


def load_document(path: Path, what: str) -> Any:
    """The parsed JSON of `path` (BOM allowed); InputError naming `what` when empty, unreadable or malformed."""
    raw = read_bytes(path, what).removeprefix(b"\xef\xbb\xbf")
    if not raw.strip():
        raise InputError(path, f"file is empty, expected {what}")
    return parse_json(raw, path)


def bom_free(head: bytes) -> bytes:
    """The head `detect` sees, without a leading UTF-8 byte order mark."""
    return head.removeprefix(b"\xef\xbb\xbf")


def entry_id(path: Path, entry: object, where: str, refusal: str, keys: tuple[str, ...] = ("id",)) -> str:
    """The id of a report entry: `entry` must be an object whose first truthy `keys` value is a non-blank
    string; returned stripped, at most 256 characters. InputError "<refusal>: <where> is not an object" or
    "<refusal>: <where> has no '<keys[0]>'" otherwise."""
    expect(isinstance(entry, dict), path, f"{refusal}: {where} is not an object")
    assert isinstance(entry, dict)
    value = entry.get(keys[0])
    for key in keys[1:]:
        value = value or entry.get(key)
    expect(isinstance(value, str) and bool(value.strip()), path, f"{refusal}: {where} has no '{keys[0]}'")
    return str(value).strip()[:256]


def expect(condition: bool, path: Path, message: str) -> None:
    """Raise InputError(path, message) unless `condition`."""
    if not condition:
        raise InputError(path, message)


def build_scan(
    tool: str,
    version: object,
    scan_types: Iterable[ScanType],
    target: object,
    findings: Iterable[Finding],
    scan_errors: int = 0,
) -> SecurityScan:
    """The scan's data: findings merged by fingerprint, counted, sorted, and cut at MAX_FINDINGS.

    Two findings with one fingerprint become one: occurrences add up, the more serious severity and
    the union of ids and fixed versions are kept, and it counts as suppressed only if both were.
    """
    merged: dict[str, Finding] = {}
    for finding in findings:
        seen = merged.get(finding.fingerprint)
        merged[finding.fingerprint] = finding if seen is None else merge(seen, finding)
    types = set(scan_types) | {f.category for f in merged.values()}
    ordered = sorted(merged.values(), key=lambda f: (_SEVERITY_RANK[f.severity], f.rule_id, f.fingerprint))
    counts = dict.fromkeys(SEVERITIES, 0)
    suppressed = 0
    for finding in ordered:
        if finding.suppression is None:
            counts[finding.severity] += 1
        else:
            suppressed += 1
    return SecurityScan(
        scanner=Scanner(name=tool, version=text(version, 64)),
        scan_types=[t for t in SCAN_TYPES if t in types],
        target=text(target, 2048),
        findings=ordered[:MAX_FINDINGS],
        counts=SeverityCounts(**counts),
        suppressed=suppressed,
        truncated=len(ordered) > MAX_FINDINGS,
        scan_errors=scan_errors,
    )


def merge(a: Finding, b: Finding) -> Finding:
    """One finding of two with the same fingerprint (see `build_scan`)."""
    fixed = list(a.package.fixed) if a.package else []
    if a.package and b.package:
        fixed += [v for v in b.package.fixed if v not in fixed]
    return a.model_copy(
        update={
            "severity": more_severe(a.severity, b.severity),
            "ids": sorted(set(a.ids) | set(b.ids))[:64],
            "cwe": sorted(set(a.cwe) | set(b.cwe))[:32],
            "cvss": best_cvss([a.cvss, b.cvss]),
            "fix_available": a.fix_available or b.fix_available,
            "package": a.package.model_copy(update={"fixed": fixed[:64]}) if a.package else b.package,
            "suppression": a.suppression if b.suppression is not None else None,
            "first_seen": min(filter(None, [a.first_seen, b.first_seen]), default=None),
            "occurrences": a.occurrences + b.occurrences,
        }
    )


class SecurityCollector(Collector):
    """Base of the collectors in this package: they all produce `security` items of schema security/v1."""

    kind: ClassVar[str] = "security"
    schema: ClassVar[str] = "security/v1"


def collected(data: SecurityScan, start: datetime | None = None, end: datetime | None = None) -> Collected:
    """The Collected of a built scan: tool and version are the scan's scanner; the observed window is
    `start` to `end` (`end` defaults to `start`: most reports state one time, when they were written)."""
    return Collected(
        data=data,
        tool=data.scanner.name,
        tool_version=data.scanner.version,
        observed_start=start,
        observed_end=end if end is not None else start,
    )
