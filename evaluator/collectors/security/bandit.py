"""Bandit's JSON report (`bandit -r src -f json -o bandit.json`) into a `security` item (SAST).

Read: the JSON Bandit 1.x writes (tested on 1.7.5 and 1.9.4; keys sorted): `errors[]` (files it could
not parse: filename, reason), `generated_at` (UTC), `metrics` (per file and `_totals`: loc, nosec,
SEVERITY.*, CONFIDENCE.*), `results[]`. Results without `issue_cwe` or `line_range` (older Bandit) are
read too. The report does not state Bandit's version; it is taken from the documentation URL in
`more_info` (…/en/1.9.4/…) when present.

Mapping (source field -> model field):

    results[].test_id                  -> rule_id (B602 …)
    results[].issue_text               -> title (first line, credentials masked; for the hardcoded_password
                                          tests B105/B106/B107 only the words before the quoted value)
    results[].issue_severity           -> severity (Bandit's word: HIGH high, MEDIUM medium, LOW low,
                                          UNDEFINED unknown, any other word by severity_from_word) and tool_severity
    results[].issue_cwe.id             -> cwe
    results[].filename, line_number    -> location.path, location.line
    max(results[].line_range)          -> location.end_line
    generated_at                       -> observed start and end (the time the report was written)
    test_id, filename, line_number     -> fingerprint (code_fingerprint, category sast, tool bandit)

Not copied: `code` (the source lines, which may hold the very secret a finding is about), `issue_confidence`
(the model has no field for it), `more_info`. Lines marked `# nosec` are left out of `results` by Bandit
itself (it only counts them in metrics `nosec` / `skipped_tests`), so they cannot appear as suppressed
findings; a run with `--ignore-nosec` lists them as ordinary findings.

Errors: `errors[]` lists files Bandit could not parse; they are not fatal (the other files were scanned):
their number (distinct `filename`s) is `scan_errors`, their names and reasons do not enter the item.
A report in which every scanned file failed to parse is a scanner error report (InputError), as are an
empty file, malformed JSON, another tool's JSON or wrong types.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from evaluator.collectors.interface import Collected
from evaluator.collectors.security import common
from evaluator.errors import InputError
from evaluator.evidence.security import Finding, Location, Severity

TOOL = "bandit"
_WHAT = "a Bandit JSON report"
_SEVERITIES: dict[str, Severity] = {"HIGH": "high", "MEDIUM": "medium", "LOW": "low"}
_VERSION = re.compile(r"/en/(\d+\.\d+(?:\.\d+)?[^/]*)/")
_PASSWORD_TESTS = {"B105", "B106", "B107"}


class BanditJsonCollector(common.SecurityCollector):
    """Bandit JSON report (`bandit -f json`)."""

    format: ClassVar[str] = "bandit-json"
    description: ClassVar[str] = "Bandit JSON report (bandit -r <src> -f json -o bandit.json)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when the file is a JSON object naming Bandit's generated_at, metrics and result keys."""
        start = common.bom_free(head).lstrip()
        if not start.startswith(b"{"):
            return False
        return (
            b'"generated_at"' in start
            and b'"metrics"' in start
            and (b'"_totals"' in start or b'"SEVERITY.' in start or b'"issue_severity"' in start)
        )

    def collect(self, path: Path) -> Collected:
        """Read the Bandit report at `path`; InputError when it is not one or Bandit parsed no file."""
        document = common.load_document(path, _WHAT)
        common.expect(isinstance(document, dict), path, f"not {_WHAT}: expected a JSON object")
        common.expect(
            isinstance(document.get("results"), list) and isinstance(document.get("metrics"), dict),
            path,
            f"not {_WHAT}: no 'results' list and 'metrics' object",
        )
        errors = document.get("errors", [])
        common.expect(isinstance(errors, list), path, f"not {_WHAT}: 'errors' is not a list")
        scan_errors = _check_errors(path, errors, document["metrics"], document["results"])
        findings = [_finding(path, i, result) for i, result in enumerate(document["results"])]
        version = _version(document["results"])
        data = common.build_scan(TOOL, version, ["sast"], None, findings, scan_errors)
        return common.collected(data, common.aware_time(document.get("generated_at")))


def _check_errors(path: Path, errors: list[Any], metrics: dict[str, Any], results: list[Any]) -> int:
    """The number of files Bandit could not parse; InputError when that is every file it looked at."""
    failed: dict[str, str] = {}
    for i, error in enumerate(errors):
        common.expect(isinstance(error, dict), path, f"not {_WHAT}: errors[{i}] is not an object")
        failed[str(error.get("filename"))] = common.text(error.get("reason"), 200) or "no reason given"
    if not failed or results:
        return len(failed)
    files = [name for name in metrics if name != "_totals"]
    if all(name in failed for name in files):
        name, reason = next(iter(failed.items()))
        message = f"bandit could not parse any file ({len(failed)} error(s), e.g. {name}: {reason})"
        raise InputError(path, f"{message}; nothing was scanned")
    return len(failed)


def _finding(path: Path, index: int, result: Any) -> Finding:
    """One Bandit result as a Finding."""
    where = f"results[{index}]"
    common.expect(isinstance(result, dict), path, f"not {_WHAT}: {where} is not an object")
    rule_id, filename, line = result.get("test_id"), result.get("filename"), result.get("line_number")
    common.expect(isinstance(rule_id, str) and bool(rule_id.strip()), path, f"not {_WHAT}: {where} has no 'test_id'")
    common.expect(isinstance(filename, str) and bool(filename), path, f"not {_WHAT}: {where} has no 'filename'")
    common.expect(
        isinstance(line, int) and not isinstance(line, bool) and line >= 0,
        path,
        f"not {_WHAT}: {where} has no valid 'line_number'",
    )
    word = result.get("issue_severity")
    common.expect(isinstance(word, str), path, f"not {_WHAT}: {where} has no 'issue_severity'")
    rule_id = rule_id.strip()[:256]
    severity = _SEVERITIES.get(word.strip().upper()) or common.severity_from_word(word) or "unknown"
    line_range = result.get("line_range")
    line_range = line_range if isinstance(line_range, list) else []
    ends = [n for n in line_range if isinstance(n, int) and not isinstance(n, bool)]
    cwe = result.get("issue_cwe")
    return Finding(
        fingerprint=common.code_fingerprint("sast", TOOL, rule_id, filename, line),
        category="sast",
        rule_id=rule_id,
        title=_title(rule_id, result),
        severity=severity,
        tool_severity=common.text(word, 64),
        ids=[],
        cwe=common.cwe_numbers(cwe.get("id")) if isinstance(cwe, dict) else [],
        fix_available=False,
        location=Location(path=filename[:2048], line=line, end_line=max(ends) if ends and max(ends) >= line else None),
        occurrences=1,
    )


def _title(rule_id: str, result: dict[str, Any]) -> str:
    """The issue text, without the quoted value of a hard-coded password finding."""
    issue = result.get("issue_text")
    name = result.get("test_name")
    if isinstance(issue, str) and (
        rule_id in _PASSWORD_TESTS or (isinstance(name, str) and name.startswith("hardcoded_password"))
    ):
        issue = issue.split(":", 1)[0]
    return common.title_of(issue, name, fallback=rule_id)


def _version(results: list[Any]) -> str | None:
    """Bandit's version from the documentation URL of the first result that has one."""
    for result in results:
        if isinstance(result, dict) and isinstance(result.get("more_info"), str):
            match = _VERSION.search(result["more_info"])
            if match:
                return match.group(1)
    return None
