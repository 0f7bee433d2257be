"""Semgrep's JSON output (`semgrep scan --json -o semgrep.json`) into a `security` item (SAST, secrets).

Read: the CLI JSON of Semgrep 1.x (tested on 1.50 and 1.185): `version`, `results[]`, `errors[]`,
`paths.scanned`, plus timing and rule keys that are ignored. 1.x writes keys in either order (1.50 sorted,
later versions `version` first).

Mapping (source field -> model field):

    results[].check_id                 -> rule_id
    results[].extra.message            -> title (first line, credentials masked)
    results[].extra.severity           -> tool_severity, and severity (see below)
    results[].extra.metadata.cwe       -> cwe (a 'CWE-78: …' string or a list of them)
    results[].path, start.line         -> location.path, location.line
    results[].end.line                 -> location.end_line
    results[].extra.is_ignored = true  -> suppression (suppressed, source semgrep:nosemgrep); Semgrep lists
                                          `# nosemgrep` results only with --disable-nosem (1.50 marks them
                                          is_ignored; 1.185 leaves the flag out, so they read as findings)
    version                            -> scanner.version
    check_id, path, start.line         -> fingerprint (code_fingerprint, tool semgrep); Semgrep's own
                                          `extra.fingerprint` is not used (newer versions write 'requires login')

Category: `secrets` when the rule is a secrets rule (a `secrets` part in the check id, metadata
category 'secrets' or a metadata `secret_type`), else `sast`.

Severity: metadata `security-severity` (a 0-10 score, CVSS bands) when given, else metadata `impact`
(HIGH/MEDIUM/LOW, Semgrep registry rules), else the rule severity: ERROR high, WARNING medium,
INFO low, and the newer CRITICAL/HIGH/MEDIUM/LOW words as they read; INVENTORY and EXPERIMENT info;
anything else unknown.

Not copied: `extra.lines` (the matched source, which may hold a secret; newer versions write
'requires login'), `extra.metavars`, `extra.fix`.

Errors: Semgrep reports errors alongside results. An error of level 'error' (an invalid rule or config, a
fatal engine error) makes the report a scanner error report: InputError. Errors of level 'warn' (a file that
only parsed partially, a timeout on one file) are not fatal: the results stand, and the number of files they
name (distinct `path`s; one without a path counts alone) is `scan_errors`; their messages do not enter the
item. Errors of level 'info' are neither fatal nor counted. A report whose `paths.scanned` is empty scanned
nothing (e.g. every file ignored): InputError.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from evaluator.collectors.interface import Collected
from evaluator.collectors.security import common
from evaluator.errors import InputError
from evaluator.evidence.security import Finding, Location, ScanType, Severity, Suppression

TOOL = "semgrep"
_WHAT = "a Semgrep JSON report"
_RULE_SEVERITIES: dict[str, Severity] = {
    "ERROR": "high",
    "WARNING": "medium",
    "INFO": "low",
    "CRITICAL": "critical",
    "HIGH": "high",
    "MEDIUM": "medium",
    "LOW": "low",
    "INVENTORY": "info",
    "EXPERIMENT": "info",
}
_DETECT_NEW = re.compile(rb'^\{\s*"version"\s*:\s*"\d+\.\d+[^"]*"\s*,\s*"results"\s*:\s*\[')
_IMPACTS: dict[str, Severity] = {"CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low"}


class SemgrepJsonCollector(common.SecurityCollector):
    """Semgrep JSON output (`semgrep scan --json`)."""

    format: ClassVar[str] = "semgrep-json"
    description: ClassVar[str] = "Semgrep JSON output (semgrep scan --json -o semgrep.json)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when the file is a JSON object with Semgrep's results and errors and a Semgrep-only key."""
        start = common.bom_free(head).lstrip()
        if not start.startswith(b"{") or b'"check_type"' in start or b'"generated_at"' in start:
            return False
        if _DETECT_NEW.match(start):
            return True
        if b'"results"' not in start:
            return False
        semgrep_result = all(key in start for key in (b'"check_id"', b'"extra"', b'"start"', b'"end"'))
        semgrep_paths = b'"errors"' in start and b'"paths"' in start and b'"scanned"' in start
        return semgrep_result or semgrep_paths

    def collect(self, path: Path) -> Collected:
        """Read the Semgrep output at `path`; InputError when it is not one or reports a fatal error."""
        document = common.load_document(path, _WHAT)
        common.expect(isinstance(document, dict), path, f"not {_WHAT}: expected a JSON object")
        common.expect(
            isinstance(document.get("results"), list)
            and isinstance(document.get("errors"), list)
            and (isinstance(document.get("paths"), dict) or isinstance(document.get("version"), str)),
            path,
            f"not {_WHAT}: no 'results' and 'errors' lists with 'paths' or 'version'",
        )
        scan_errors = _check_errors(path, document["errors"])
        results = document["results"]
        paths = document.get("paths")
        scanned = paths.get("scanned") if isinstance(paths, dict) else None
        if isinstance(scanned, list) and not scanned and not results:
            raise InputError(path, "semgrep scanned no files (paths.scanned is empty): nothing was checked")
        findings = [_finding(path, i, result) for i, result in enumerate(results)]
        version = document.get("version") if isinstance(document.get("version"), str) else None
        data = common.build_scan(TOOL, version, ["sast"], None, findings, scan_errors)
        return common.collected(data)


def _check_errors(path: Path, errors: list[Any]) -> int:
    """InputError on the first fatal (level 'error') Semgrep error; else the number of files with a
    non-fatal (level 'warn') error: distinct `path`s, an error naming no path counting alone."""
    warned: set[object] = set()
    for i, error in enumerate(errors):
        common.expect(isinstance(error, dict), path, f"not {_WHAT}: errors[{i}] is not an object")
        level = str(error.get("level", "error")).lower()
        if level in ("warn", "warning"):
            where = error.get("path")
            warned.add(where if isinstance(where, str) and where else i)
        if level != "error":
            continue
        kind = error.get("type")
        kind = kind[0] if isinstance(kind, list) and kind else kind
        label = common.text(kind, 64) or "error"
        raise InputError(path, f"semgrep reported a fatal error ({label}): {_summary(error.get('message'))}")
    return len(warned)


def _summary(message: object) -> str:
    """The leading lines of an error message (up to a pattern block), as one masked line."""
    if not isinstance(message, str):
        return "no message"
    lines: list[str] = []
    for line in message.strip().splitlines():
        if line.strip().startswith("-"):
            break
        lines.append(line)
    return common.text(" ".join(lines), 300) or "no message"


def _finding(path: Path, index: int, result: Any) -> Finding:
    """One Semgrep result as a Finding."""
    where = f"results[{index}]"
    common.expect(isinstance(result, dict), path, f"not {_WHAT}: {where} is not an object")
    rule_id, file, start = result.get("check_id"), result.get("path"), result.get("start")
    common.expect(isinstance(rule_id, str) and bool(rule_id.strip()), path, f"not {_WHAT}: {where} has no 'check_id'")
    common.expect(isinstance(file, str) and bool(file), path, f"not {_WHAT}: {where} has no 'path'")
    line = start.get("line") if isinstance(start, dict) else None
    common.expect(
        isinstance(line, int) and not isinstance(line, bool) and line >= 0,
        path,
        f"not {_WHAT}: {where} has no valid 'start.line'",
    )
    extra = result.get("extra")
    common.expect(isinstance(extra, dict), path, f"not {_WHAT}: {where} has no 'extra' object")
    metadata = extra.get("metadata") if isinstance(extra.get("metadata"), dict) else {}
    end = result.get("end")
    end_line = end.get("line") if isinstance(end, dict) else None
    if not isinstance(end_line, int) or isinstance(end_line, bool) or end_line < line:
        end_line = None
    rule_id = rule_id.strip()[:256]
    category = _category(rule_id, metadata)
    suppression = None
    if extra.get("is_ignored") is True:
        suppression = Suppression(kind="suppressed", source="semgrep:nosemgrep")
    return Finding(
        fingerprint=common.code_fingerprint(category, TOOL, rule_id, file, line),
        category=category,
        rule_id=rule_id,
        title=common.title_of(extra.get("message"), fallback=rule_id),
        severity=_severity(extra.get("severity"), metadata),
        tool_severity=common.text(extra.get("severity"), 64),
        ids=[],
        cwe=common.cwe_numbers(metadata.get("cwe")),
        fix_available=False,
        location=Location(path=file[:2048], line=line, end_line=end_line),
        suppression=suppression,
        occurrences=1,
    )


def _category(rule_id: str, metadata: dict[str, Any]) -> ScanType:
    """`secrets` for a secrets rule, else `sast`."""
    parts = rule_id.lower().replace("-", ".").split(".")
    if "secrets" in parts or str(metadata.get("category", "")).lower() == "secrets" or "secret_type" in metadata:
        return "secrets"
    return "sast"


def _severity(word: object, metadata: dict[str, Any]) -> Severity:
    """Metadata security-severity score, else metadata impact, else the rule severity (module docstring)."""
    number = common.score(metadata.get("security-severity"))
    if number is not None:
        return common.severity_from_score(number)
    impact = metadata.get("impact")
    if isinstance(impact, str) and impact.strip().upper() in _IMPACTS:
        return _IMPACTS[impact.strip().upper()]
    if isinstance(word, str) and word.strip().upper() in _RULE_SEVERITIES:
        return _RULE_SEVERITIES[word.strip().upper()]
    return common.severity_from_word(word) or "unknown"
