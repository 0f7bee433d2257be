"""Gitleaks JSON reports (`gitleaks detect --report-format json`, v7 `--report`) into a `security` item.

Shapes read: a JSON array of leaks, each either

- v8: {"Description", "StartLine", "EndLine", "StartColumn", "EndColumn", "Match", "Secret", "File",
  "SymlinkFile", "Commit", "Entropy", "Author", "Email", "Date", "Message", "Tags", "RuleID", "Fingerprint"},
  with or without --redact (Secret "REDACTED");
- v7: {"line", "lineNumber", "offender", "offenderEntropy", "commit", "repo", "repoURL", "leakURL", "rule",
  "commitMessage", "author", "email", "file", "date", "tags"}.

`[]` is a clean scan (Gitleaks writes it when nothing leaked): valid, zero findings. Detection needs the key names
of a leak (v8 "RuleID" + "StartLine", v7 "offender" + "lineNumber"), so an empty array is not auto-detected (it
says nothing about the tool): name the format, `--format gitleaks-json`, to read it.

Mapping (source field, v8 / v7 -> model field):

- RuleID / rule -> rule_id; Description (else the rule) / rule -> title;
- File / file -> location.path; StartLine / lineNumber -> location.line; EndLine (v8) -> location.end_line;
- Date / date (the commit's date: when the secret entered the history) -> first_seen, in UTC; absent
  (`--no-git` scans) or not ISO 8601 (e.g. "10-19-2003") -> none;
- fingerprint code_fingerprint("secrets", "gitleaks", rule, file, line, commit): the same leak in two commits
  is two findings (each commit has to be rewritten or the secret rotated), two hits of one rule on one line of
  one commit are one finding with occurrences 2. The secret never takes part;
- the scanner version is unknown (the JSON does not say it); tool "gitleaks"; no target, no scan time.

Never copied, not even masked: Secret, Match, offender, line, Message / commitMessage, Author / author,
Email / email, Entropy, Tags, Fingerprint (Gitleaks' own holds commit, file, rule and line, all kept otherwise).

Severity: Gitleaks gives none; every leak is `high` (a live credential in a repository is exploitable as found;
triage happens by rotating it or adding it to .gitleaksignore, which removes it from the report).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from evaluator.collectors.interface import Collected
from evaluator.collectors.security import common
from evaluator.errors import InputError
from evaluator.evidence.security import Finding, Location

TOOL = "gitleaks"
WHAT = "a Gitleaks JSON report"
_NOT = "not a Gitleaks JSON report"
_OPEN = re.compile(r"^\s*\[\s*\{")
_V8_KEYS = (re.compile(r'"RuleID"\s*:'), re.compile(r'"StartLine"\s*:'))
_V7_KEYS = (re.compile(r'"offender"\s*:'), re.compile(r'"lineNumber"\s*:'), re.compile(r'"rule"\s*:'))


class GitleaksJsonCollector(common.SecurityCollector):
    """Gitleaks JSON report, v7 and v8 (an array of leaks)."""

    format: ClassVar[str] = "gitleaks-json"
    description: ClassVar[str] = "Gitleaks JSON report (gitleaks detect --report-format json; v7 and v8)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when the file is a JSON array of objects with Gitleaks v8 or v7 leak keys."""
        content = common.bom_free(head).decode("utf-8", "replace")
        if _OPEN.match(content) is None:
            return False
        return all(k.search(content) for k in _V8_KEYS) or all(k.search(content) for k in _V7_KEYS)

    def collect(self, path: Path) -> Collected:
        """Read the report at `path`; InputError when it is not a Gitleaks JSON report."""
        document = common.load_document(path, WHAT)
        common.expect(isinstance(document, list), path, f"{_NOT}: expected a JSON array of leaks")
        findings = [_finding(path, index, leak) for index, leak in enumerate(document, start=1)]
        data = common.build_scan(TOOL, None, ["secrets"], None, findings)
        return common.collected(data)


def _finding(path: Path, index: int, leak: Any) -> Finding:
    where = f"leak {index}"
    common.expect(isinstance(leak, dict), path, f"{_NOT}: {where} is not an object")
    if "RuleID" in leak:
        keys = {"rule": "RuleID", "file": "File", "line": "StartLine", "commit": "Commit", "date": "Date"}
        description = leak.get("Description")
    elif "rule" in leak and ("offender" in leak or "lineNumber" in leak):
        keys = {"rule": "rule", "file": "file", "line": "lineNumber", "commit": "commit", "date": "date"}
        description = None
    else:
        raise InputError(path, f"{_NOT}: {where} has neither 'RuleID' (v8) nor 'rule' and 'offender' (v7)")
    rule = leak[keys["rule"]]
    common.expect(isinstance(rule, str) and bool(rule.strip()), path, f"{_NOT}: {where} has no {keys['rule']!r}")
    rule_id = rule.strip()[:256]
    file = _string(path, where, leak, keys["file"])
    commit = _string(path, where, leak, keys["commit"])
    line = _line(path, where, leak, keys["line"])
    end_line = _line(path, where, leak, "EndLine") if keys["line"] == "StartLine" else None
    location_path = common.text(file, 2048)
    location = None
    if location_path or line is not None:
        location = Location(path=location_path, line=line, end_line=end_line)
    return Finding(
        fingerprint=common.code_fingerprint("secrets", TOOL, rule_id, file, line, commit),
        category="secrets",
        rule_id=rule_id,
        title=common.title_of(description, fallback=rule_id),
        severity="high",
        ids=[],
        cwe=[],
        fix_available=False,
        location=location,
        first_seen=common.timestamp(leak.get(keys["date"])),
        occurrences=1,
    )


def _string(path: Path, where: str, leak: dict[str, Any], key: str) -> str:
    """A string field ("" when absent or null); InputError when it holds another type."""
    value = leak.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(path, f"{_NOT}: {where}: {key!r} is not a string")
    return value.strip()


def _line(path: Path, where: str, leak: dict[str, Any], key: str) -> int | None:
    """A line number (None when absent or negative); InputError when it is not an integer."""
    value = leak.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(path, f"{_NOT}: {where}: {key!r} is not an integer")
    return value if value >= 0 else None
