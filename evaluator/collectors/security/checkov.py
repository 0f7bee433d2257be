"""Checkov's JSON output (`checkov -d <dir> -o json`) into a `security` item (IaC, secrets).

Read, as Checkov 3.x writes them (tested on 3.3.30 only):

- one framework: an object `{check_type, results: {passed_checks, failed_checks, skipped_checks,
  parsing_errors}, summary: {passed, failed, skipped, parsing_errors, resource_count, checkov_version}, url}`;
- several frameworks (terraform, kubernetes, secrets …): an array of such objects;
- `--quiet`: the same with `results` holding only `failed_checks`;
- nothing to check (a directory without resources Checkov has checks for): only the summary object
  `{passed, failed, skipped, parsing_errors, resource_count, checkov_version}`. Checkov writes exactly
  this for an empty directory too; it is read as a clean scan of scan type iac.

Mapping (source field -> model field), per failed or skipped check:

    check_id                           -> rule_id (CKV_AWS_20, CKV_K8S_16, CKV_SECRET_2 …)
    check_name                         -> title (SCA: short_description, then check_name)
    severity                           -> severity (CRITICAL/HIGH/MEDIUM/LOW/INFO as they read, NONE info);
                                          Checkov only fills it with a platform API key, so offline runs
                                          give null -> unknown; tool_severity keeps the word
    file_path, file_line_range         -> location.path (as Checkov reports it, relative to the scanned
                                          directory with a leading '/'), location.line, location.end_line
    resource                           -> location.resource (aws_s3_bucket.data, Deployment.default.web);
                                          not for secrets, where Checkov puts a hash of the secret there
    check_type                         -> category: secrets -> secrets, sca_image -> container,
                                          sca_package -> sca, anything else iac
    skipped_checks[]                   -> findings with suppression (suppressed, source checkov:skip,
                                          justification = check_result.suppress_comment)
    summary.checkov_version            -> scanner.version
    vulnerability_details (SCA only)   -> ids, package (package_name, package_version, lowest_fixed_version
                                          or fix_version), cvss (cvss, vector), published (published_date)
    category, check_id, file_path, first line, resource -> fingerprint (code_fingerprint, tool checkov;
                                          SCA: package_fingerprint)

Not copied: `code_block` (the source lines, which for secrets hold the masked secret), `guideline`
(the model has no field for it; offline runs give null), `entity`, `evaluations`, `file_abs_path`.

Errors: `results.parsing_errors` lists files Checkov could not parse. They are not fatal when other
checks ran: the number of distinct files listed (over every framework) is `scan_errors`. A report whose
frameworks ran no check at all and list parsing errors is a scanner error report (InputError), as are an
empty file, malformed JSON, another tool's JSON and wrong types.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from evaluator.collectors.interface import Collected
from evaluator.collectors.security import common
from evaluator.errors import InputError
from evaluator.evidence.security import Finding, Location, ScanType, Suppression

TOOL = "checkov"
_WHAT = "a Checkov JSON report"
_DETECT_REPORT = re.compile(rb'^\s*\[?\s*\{\s*"check_type"\s*:')
_DETECT_SUMMARY = re.compile(rb'^\s*\{\s*"passed"\s*:\s*\d+\s*,\s*"failed"\s*:')
_SUMMARY_KEYS = ("passed", "failed", "skipped", "parsing_errors", "resource_count")
_CATEGORIES: dict[str, ScanType] = {"secrets": "secrets", "sca_image": "container", "sca_package": "sca"}
_NO_FIX = {"N/A", "", "open"}


class CheckovJsonCollector(common.SecurityCollector):
    """Checkov JSON output (`checkov -o json`)."""

    format: ClassVar[str] = "checkov-json"
    description: ClassVar[str] = "Checkov JSON output (checkov -d <dir> -o json)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when the file opens with Checkov's check_type report(s) or its summary-only object."""
        start = common.bom_free(head)
        if _DETECT_REPORT.match(start):
            return b'"results"' in start or b'"summary"' in start
        return _DETECT_SUMMARY.match(start) is not None and b'"checkov_version"' in start

    def collect(self, path: Path) -> Collected:
        """Read the Checkov output at `path`; InputError when it is not one or nothing could be parsed."""
        document = common.load_document(path, _WHAT)
        if isinstance(document, dict) and "check_type" not in document and "checkov_version" in document:
            return _summary_only(path, document)
        reports = document if isinstance(document, list) else [document]
        common.expect(
            bool(reports) and all(isinstance(r, dict) and isinstance(r.get("check_type"), str) for r in reports),
            path,
            f"not {_WHAT}: expected an object or array of objects with 'check_type' and 'results'",
        )
        findings: list[Finding] = []
        types: set[ScanType] = set()
        version: str | None = None
        checks_run = 0
        parse_errors: list[str] = []  # one entry per file and framework: counted once per file
        for report in reports:
            check_type = report["check_type"]
            results = report.get("results")
            common.expect(
                isinstance(results, dict), path, f"not {_WHAT}: report {check_type!r} has no 'results' object"
            )
            category = _CATEGORIES.get(check_type, "iac")
            types.add(category)
            for key, skipped in (("failed_checks", False), ("skipped_checks", True), ("passed_checks", None)):
                checks = results.get(key, [])
                common.expect(isinstance(checks, list), path, f"not {_WHAT}: {check_type}.{key} is not a list")
                checks_run += len(checks)
                if skipped is None:
                    continue
                for i, check in enumerate(checks):
                    findings.append(_finding(path, f"{check_type}.{key}[{i}]", category, check, skipped))
            errors = results.get("parsing_errors", [])
            parse_errors += [str(e) for e in errors] if isinstance(errors, list) else []
            summary = report.get("summary")
            if isinstance(summary, dict) and isinstance(summary.get("checkov_version"), str):
                version = summary["checkov_version"]
        if parse_errors and checks_run == 0:
            raise InputError(
                path,
                f"checkov could not parse any file ({len(parse_errors)} parsing error(s), e.g. {parse_errors[0]}); "
                "no check ran",
            )
        data = common.build_scan(TOOL, version, sorted(types), None, findings, len(set(parse_errors)))
        return common.collected(data)


def _summary_only(path: Path, document: dict[str, Any]) -> Collected:
    """The summary Checkov writes when it found nothing to check: a clean iac scan."""
    for key in _SUMMARY_KEYS:
        value = document.get(key)
        common.expect(
            isinstance(value, int) and not isinstance(value, bool) and value >= 0,
            path,
            f"not {_WHAT}: summary has no valid {key!r}",
        )
    if document["failed"] or document["skipped"]:
        raise InputError(
            path, f"checkov summary counts {document['failed']} failed check(s) but the report lists no results"
        )
    if document["parsing_errors"]:
        raise InputError(path, f"checkov could not parse {document['parsing_errors']} file(s) and ran no check")
    version = document.get("checkov_version") if isinstance(document.get("checkov_version"), str) else None
    data = common.build_scan(TOOL, version, ["iac"], None, [])
    return common.collected(data)


def _finding(path: Path, where: str, category: ScanType, check: Any, skipped: bool) -> Finding:
    """One failed or skipped Checkov check as a Finding."""
    common.expect(isinstance(check, dict), path, f"not {_WHAT}: {where} is not an object")
    rule_id, file = check.get("check_id"), check.get("file_path")
    common.expect(isinstance(rule_id, str) and bool(rule_id.strip()), path, f"not {_WHAT}: {where} has no 'check_id'")
    common.expect(isinstance(file, str) and bool(file), path, f"not {_WHAT}: {where} has no 'file_path'")
    rule_id = rule_id.strip()[:256]
    lines = check.get("file_line_range")
    numbers = (
        [n for n in lines if isinstance(n, int) and not isinstance(n, bool) and n >= 0]
        if isinstance(lines, list)
        else []
    )
    line = numbers[0] if numbers else None
    end_line = numbers[-1] if len(numbers) > 1 and line is not None and numbers[-1] >= line else None
    resource = None if category == "secrets" else common.text(check.get("resource"), 1024)
    word = check.get("severity")
    suppression = None
    if skipped:
        result = check.get("check_result")
        comment = result.get("suppress_comment") if isinstance(result, dict) else None
        suppression = Suppression(kind="suppressed", source="checkov:skip", justification=common.text(comment, 1024))
    details = check.get("vulnerability_details")
    fields: dict[str, Any] = {}
    if category in ("sca", "container") and isinstance(details, dict) and isinstance(details.get("package_name"), str):
        fields = _package_fields(rule_id, details)
    fingerprint = fields.pop("fingerprint", None) or common.code_fingerprint(
        category, TOOL, rule_id, file, line, resource
    )
    return Finding(
        fingerprint=fingerprint,
        category=category,
        rule_id=rule_id,
        title=_title(check, category, rule_id),
        severity=common.severity_from_word(word) or "unknown",
        tool_severity=common.text(word, 64),
        ids=fields.pop("ids", []),
        cwe=[],
        fix_available=bool(fields.get("package") and fields["package"].fixed),
        location=Location(path=file[:2048], line=line, end_line=end_line, resource=resource),
        suppression=suppression,
        occurrences=1,
        **fields,
    )


def _title(check: dict[str, Any], category: ScanType, rule_id: str) -> str:
    """The check name; for SCA checks the short description ('CVE-… - package: version'), which says more."""
    name, short = check.get("check_name"), check.get("short_description")
    if category in ("sca", "container"):
        return common.title_of(short, name, fallback=rule_id)
    return common.title_of(name, short, fallback=rule_id)


def _package_fields(rule_id: str, details: dict[str, Any]) -> dict[str, Any]:
    """Package, advisory ids, CVSS, published date and package fingerprint of an SCA check."""
    ids = common.advisory_ids(details.get("id"))
    fixed = [
        v.replace("fixed in", "").strip()
        for v in (details.get("lowest_fixed_version"), details.get("fix_version"))
        if isinstance(v, str) and v.strip() not in _NO_FIX
    ]
    found = common.package(
        details["package_name"], details.get("package_version"), fixed, ecosystem=details.get("package_type")
    )
    return {
        "fingerprint": common.package_fingerprint(ids, rule_id, found.name, found.installed),
        "ids": ids,
        "package": found,
        "cvss": common.cvss(details.get("cvss"), details.get("vector")),
        "published": common.timestamp(details.get("published_date")),
    }
