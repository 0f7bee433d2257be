"""Snyk CLI JSON reports (`snyk test --json`, `snyk container test --json`, `snyk iac test --json`) into `security`.

Shapes read (one item per file):

- one project object (`snyk test --json`): `vulnerabilities[]` plus project fields (projectName,
  displayTargetFile, packageManager, path, filtered{ignore[], patch[]});
- an array of such objects (`--all-projects`, and `snyk iac test --json` over several files): combined;
- a container project (`snyk container test --json`: has `docker`, projectName `docker-image|…`), with the
  image's OS vulnerabilities and, in `applications[]`, the projects Snyk found inside the image;
- an IaC project (`infrastructureAsCodeIssues[]`: id, title, severity, msg, lineNumber, isIgnored …);
- a clean scan (`ok: true`, `vulnerabilities: []`) is valid evidence with zero findings;
- an error report (`{"ok": false, "error": "…", "path": "…"}`) is an InputError naming Snyk's message.
  `ok` and `summary` are never used as counts: the findings are counted from the lists.

Mapping (vulnerabilities):

    id                                      -> rule_id (also in ids)
    title                                   -> title
    severityWithCritical, else severity     -> severity (word as is in tool_severity)
    cvssScore + CVSSv3                      -> cvss (source "snyk")
    identifiers.CVE / identifiers.GHSA      -> ids;   identifiers.CWE -> cwe
    name (binary package of an OS package "src/bin" -> "bin"), version, fixedIn -> package
    packageManager                          -> package.ecosystem (debian:11 -> deb, alpine -> apk, pip -> pypi …)
    fixedIn non-empty or isUpgradable or isPatchable -> fix_available
    publicationTime                         -> published;   first_seen stays empty (Snyk does not say)
    displayTargetFile / targetFile          -> location.path (the manifest)
    type "license"                          -> category license; container projects -> container; else sca
    filtered.ignore[]                       -> suppression accepted, source snyk:ignore, reason of the rule
    filtered.patch[]                        -> suppression suppressed, source snyk:patch

Snyk lists one vulnerability once per dependency path (`from[]`): those rows share a fingerprint and become
one finding whose `occurrences` counts the paths; `--all-projects` reports merge the same way.

Mapping (IaC issues): id -> rule_id, title (else issue) -> title, severity, targetFile -> location.path,
lineNumber (when >= 0) -> location.line, msg (resource path) -> location.resource and the fingerprint's extra
part, iacDescription.resolve / remediation present -> fix_available, isIgnored -> suppression accepted.

Severity: Snyk words critical / high / medium / low map to themselves; anything else is `unknown`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from evaluator.collectors.interface import Collected
from evaluator.collectors.security import common
from evaluator.errors import InputError
from evaluator.evidence.security import Finding, Location, ScanType, Suppression

_WHAT = "a Snyk JSON report (snyk test --json)"
_ERROR_REPORT = re.compile(rb'"ok"\s*:\s*false\s*,\s*"error"\s*:\s*"')
_ECOSYSTEMS = {
    "pip": "pypi",
    "poetry": "pypi",
    "pipenv": "pypi",
    "yarn": "npm",
    "pnpm": "npm",
    "gradle": "maven",
    "sbt": "maven",
    "gomodules": "golang",
    "golangdep": "golang",
    "govendor": "golang",
    "rubygems": "gem",
    "deb": "deb",
    "apk": "apk",
    "rpm": "rpm",
}
_OS_PREFIXES = {
    "debian": "deb",
    "ubuntu": "deb",
    "alpine": "apk",
    "wolfi": "apk",
    "chainguard": "apk",
    "rhel": "rpm",
    "centos": "rpm",
    "amzn": "rpm",
    "amazon": "rpm",
    "oracle": "rpm",
    "sles": "rpm",
    "rocky": "rpm",
    "alma": "rpm",
}


class SnykJsonCollector(common.SecurityCollector):
    """Snyk CLI JSON: open source, container and IaC test reports."""

    format: ClassVar[str] = "snyk-json"
    description: ClassVar[str] = "Snyk CLI JSON (snyk test / container test / iac test --json, --all-projects)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True for Snyk's project objects (or arrays of them), IaC reports and Snyk error reports."""
        stripped = common.bom_free(head).lstrip()
        if not stripped.startswith((b"{", b"[")) or b'"bomFormat"' in head:
            return False
        if b'"infrastructureAsCodeIssues"' in head:
            return True
        if b'"vulnerabilities"' in head and b'"upgradePath"' in head and b'"isUpgradable"' in head:
            return True
        if b'"vulnerabilities"' in head and b'"dependencyCount"' in head and b'"packageManager"' in head:
            return True
        return _ERROR_REPORT.search(head[:4096]) is not None

    def collect(self, path: Path) -> Collected:
        """Read the Snyk report at `path`; InputError on error reports and anything not shaped like one."""
        document = common.load_document(path, _WHAT)
        projects = document if isinstance(document, list) else [document]
        common.expect(len(projects) > 0, path, f"empty JSON array, expected {_WHAT}")
        findings: list[Finding] = []
        scan_types: list[ScanType] = []
        targets: list[str] = []
        for index, project in enumerate(projects):
            where = f"project {index + 1}: " if isinstance(document, list) else ""
            _check_project(path, project, where)
            category = _project_type(project)
            scan_types.append(category)
            target = _target(project, category)
            if target and target not in targets:
                targets.append(target)
            findings.extend(_project_findings(path, project, category, where))
            for app_index, app in enumerate(_list(path, project, "applications", where)):
                app_where = f"{where}application {app_index + 1}: "
                _check_project(path, app, app_where)
                findings.extend(_project_findings(path, app, "container", app_where))
        data = common.build_scan("snyk", None, scan_types, ", ".join(targets) or None, findings)
        return common.collected(data)


def _check_project(path: Path, project: Any, where: str) -> None:
    if not isinstance(project, dict):
        raise InputError(path, f"not {_WHAT}: {where}not a JSON object")
    if project.get("ok") is False and "error" in project and "vulnerabilities" not in project:
        message = common.text(project.get("error"), 300) or "(no message)"
        raise InputError(path, f"Snyk error report, not a scan result: {message}")
    if "bomFormat" in project:
        raise InputError(path, f"a CycloneDX document, not {_WHAT}")
    if not isinstance(project.get("vulnerabilities"), list) and not isinstance(
        project.get("infrastructureAsCodeIssues"), list
    ):
        raise InputError(path, f"not {_WHAT}: {where}no 'vulnerabilities' or 'infrastructureAsCodeIssues' list")


def _project_type(project: dict[str, Any]) -> ScanType:
    if isinstance(project.get("infrastructureAsCodeIssues"), list):
        return "iac"
    name = project.get("projectName")
    if "docker" in project or (isinstance(name, str) and name.startswith("docker-image|")):
        return "container"
    return "sca"


def _target(project: dict[str, Any], category: ScanType) -> str | None:
    name = common.text(project.get("projectName"), 512)
    if category == "container":
        image = common.text(project.get("path"), 512) or (name.removeprefix("docker-image|") if name else None)
        docker = project.get("docker")
        base = common.text(docker.get("baseImage"), 512) if isinstance(docker, dict) else None
        return f"{image} (base image {base})" if image and base else image
    if category == "iac":
        return name or common.text(project.get("path"), 512)
    manifest = common.text(project.get("displayTargetFile"), 512) or common.text(project.get("targetFile"), 512)
    if name and manifest:
        return f"{name} ({manifest})"
    return name or manifest or common.text(project.get("path"), 512)


def _list(path: Path, project: dict[str, Any], key: str, where: str, label: str | None = None) -> list[Any]:
    value = project.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(path, f"not {_WHAT}: {where}'{label or key}' is not a list")
    return value


def _project_findings(path: Path, project: dict[str, Any], category: ScanType, where: str) -> list[Finding]:
    found: list[Finding] = []
    manifest = common.text(project.get("displayTargetFile"), 2048) or common.text(project.get("targetFile"), 2048)
    manager = project.get("packageManager")
    for index, vuln in enumerate(_list(path, project, "vulnerabilities", where)):
        found.append(_vulnerability(path, vuln, category, manifest, manager, f"{where}vulnerabilities[{index}]"))
    filtered = project.get("filtered")
    if isinstance(filtered, dict):
        for key, source in (("ignore", "snyk:ignore"), ("patch", "snyk:patch")):
            for index, vuln in enumerate(_list(path, filtered, key, where, f"filtered.{key}")):
                place = f"{where}filtered.{key}[{index}]"
                finding = _vulnerability(path, vuln, category, manifest, manager, place)
                found.append(finding.model_copy(update={"suppression": _filtered(vuln, key, source)}))
    iac_file = common.text(project.get("targetFile"), 2048) or common.text(project.get("displayTargetFile"), 2048)
    for index, issue in enumerate(_list(path, project, "infrastructureAsCodeIssues", where)):
        found.append(_iac_issue(path, issue, iac_file, f"{where}infrastructureAsCodeIssues[{index}]"))
    return found


def _filtered(vuln: dict[str, Any], key: str, source: str) -> Suppression:
    reason = None
    rules = vuln.get("filtered")
    entries = rules.get("ignored" if key == "ignore" else "patches") if isinstance(rules, dict) else None
    for rule in entries if isinstance(entries, list) else []:
        if isinstance(rule, dict):
            reason = common.text(rule.get("reason"), 1024)
            if reason:
                break
    if key == "patch":
        return Suppression(kind="suppressed", source=source, justification=reason or "patched by snyk")
    return Suppression(kind="accepted", source=source, justification=reason)


def _ecosystem(manager: object) -> str | None:
    if not isinstance(manager, str) or not manager.strip():
        return None
    word = manager.strip().lower()
    prefix = word.split(":", 1)[0]
    return _OS_PREFIXES.get(prefix) or _ECOSYSTEMS.get(word) or word


def _vulnerability(
    path: Path, vuln: Any, category: ScanType, manifest: str | None, project_manager: object, where: str
) -> Finding:
    rule_id = common.entry_id(path, vuln, where, f"not {_WHAT}")
    source_name, name = vuln.get("packageName"), vuln.get("name")
    if not isinstance(name, str) or not name.strip():
        name = source_name
    if not isinstance(name, str) or not name.strip():
        raise InputError(path, f"not {_WHAT}: {where} ({rule_id}) has no 'packageName'")
    if isinstance(source_name, str) and source_name and name.startswith(source_name + "/"):
        name = name[len(source_name) + 1 :]  # an OS package "source/binary": the installed binary package
    word = vuln.get("severityWithCritical")
    severity = common.severity_from_word(word)
    if severity is None:
        word = vuln.get("severity")
        severity = common.severity_from_word(word) or "unknown"
    identifiers = vuln.get("identifiers") if isinstance(vuln.get("identifiers"), dict) else {}
    ids = common.advisory_ids(rule_id, identifiers.get("CVE"), identifiers.get("GHSA"))
    installed = vuln.get("version")
    fixed = vuln.get("fixedIn") if isinstance(vuln.get("fixedIn"), list) else []
    pkg = common.package(name, installed, fixed, _ecosystem(vuln.get("packageManager") or project_manager))
    is_license = vuln.get("type") == "license"
    return Finding(
        fingerprint=common.package_fingerprint(ids, rule_id, pkg.name, pkg.installed),
        category="license" if is_license else category,
        rule_id=rule_id,
        title=common.title_of(vuln.get("title"), fallback=rule_id),
        severity=severity,
        tool_severity=common.text(word, 64),
        cvss=common.cvss(vuln.get("cvssScore"), vuln.get("CVSSv3"), None, "snyk"),
        ids=ids[:64],
        cwe=common.cwe_numbers(identifiers.get("CWE")),
        package=pkg,
        fix_available=bool(pkg.fixed) or vuln.get("isUpgradable") is True or vuln.get("isPatchable") is True,
        location=Location(path=manifest) if manifest else None,
        published=common.timestamp(vuln.get("publicationTime")),
        occurrences=1,
    )


def _iac_issue(path: Path, issue: Any, target_file: str | None, where: str) -> Finding:
    rule_id = common.entry_id(path, issue, where, f"not {_WHAT}", ("id", "publicId"))
    word = issue.get("severity")
    line = issue.get("lineNumber")
    line = line if isinstance(line, int) and not isinstance(line, bool) and line >= 0 else None
    resource = common.text(issue.get("msg"), 1024)
    description = issue.get("iacDescription") if isinstance(issue.get("iacDescription"), dict) else {}
    fixable = (
        common.text(description.get("resolve")) or common.text(issue.get("resolve")) or issue.get("remediation") or None
    )
    return Finding(
        fingerprint=common.code_fingerprint("iac", "snyk", rule_id, target_file, line, resource),
        category="iac",
        rule_id=rule_id,
        title=common.title_of(issue.get("title"), issue.get("issue"), fallback=rule_id),
        severity=common.severity_from_word(word) or "unknown",
        tool_severity=common.text(word, 64),
        ids=[],
        cwe=[],
        fix_available=fixable is not None,
        location=Location(path=target_file, line=line, resource=resource)
        if target_file or line is not None or resource
        else None,
        suppression=Suppression(kind="accepted", source="snyk:ignore") if issue.get("isIgnored") is True else None,
        occurrences=1,
    )
