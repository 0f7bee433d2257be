"""pip-audit JSON (`pip-audit -f json`) into a `security` item.

Shapes read: `{"dependencies": [...], "fixes": [...]}` (pip-audit 2.x; `fixes` may be absent) and the
older top-level array of dependencies. A dependency is `{"name", "version", "vulns": [...]}`, or
`{"name", "skip_reason"}` when pip-audit could not audit it: skipped dependencies are not findings, but a
report in which every dependency was skipped audited nothing and is an InputError (never "zero findings").
A report with no dependencies at all (an empty environment or requirements file) is a clean scan.

Mapping (one finding per dependency and advisory):

    vulns[].id                    -> rule_id (PYSEC-…, GHSA-…, CVE-…, OSV ids)
    vulns[].id + aliases[]        -> ids (the package fingerprint takes the lowest CVE, else GHSA, else the id)
    description (first line)      -> title (else the id)
    name, version, fix_versions[] -> package (ecosystem pypi); fix_versions non-empty -> fix_available
    category                      -> sca; the report names no target, tool version, CVSS, CWE or dates

Severity: pip-audit reports none (neither the PyPI nor the OSV service result carries one into its JSON),
so every finding is `unknown` with no tool severity. Policies must treat `unknown` with care; a scanner that
reports severities (Trivy, Grype, Snyk) seeing the same advisory in the same package version yields the
same fingerprint, so the two can be read together.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from evaluator.collectors.interface import Collected
from evaluator.collectors.security import common
from evaluator.errors import InputError
from evaluator.evidence.security import Finding

_WHAT = "a pip-audit JSON report (pip-audit -f json)"
_CURRENT = re.compile(rb'^\s*\{\s*"dependencies"\s*:\s*\[\s*(\]\s*,\s*"fixes"|\{\s*"name"\s*:)')
_LEGACY = re.compile(rb'^\s*\[\s*\{\s*"name"\s*:\s*"[^"]*"\s*,\s*"(version|skip_reason)"\s*:')


class PipAuditJsonCollector(common.SecurityCollector):
    """pip-audit's JSON output (current object form and the older array form)."""

    format: ClassVar[str] = "pip-audit-json"
    description: ClassVar[str] = "pip-audit JSON (pip-audit -f json): Python dependency vulnerabilities"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when the file opens like pip-audit's dependency list and names its `vulns` or `skip_reason`."""
        stripped = common.bom_free(head)
        if _CURRENT.match(stripped):
            return b'"vulns"' in head or b'"skip_reason"' in head or b'"fixes"' in head
        return _LEGACY.match(stripped) is not None and (b'"vulns"' in head or b'"skip_reason"' in head)

    def collect(self, path: Path) -> Collected:
        """Read the pip-audit report at `path`; InputError when it is not one or audited nothing."""
        document = common.load_document(path, _WHAT)
        if isinstance(document, dict):
            dependencies = document.get("dependencies")
            common.expect(isinstance(dependencies, list), path, f"not {_WHAT}: no 'dependencies' list")
            fixes = document.get("fixes", [])
            common.expect(isinstance(fixes, list), path, f"not {_WHAT}: 'fixes' is not a list")
        elif isinstance(document, list):
            dependencies = document
        else:
            raise InputError(path, f"not {_WHAT}: expected a JSON object or array")
        findings: list[Finding] = []
        skipped: list[str] = []
        for index, dependency in enumerate(dependencies):
            findings.extend(_dependency(path, dependency, index, skipped))
        if dependencies and len(skipped) == len(dependencies):
            raise InputError(
                path, f"pip-audit audited none of its {len(dependencies)} dependencies (all skipped: {skipped[0]})"
            )
        return common.collected(common.build_scan("pip-audit", None, ["sca"], None, findings))


def _dependency(path: Path, dependency: Any, index: int, skipped: list[str]) -> list[Finding]:
    where = f"dependencies[{index}]"
    if not isinstance(dependency, dict):
        raise InputError(path, f"not {_WHAT}: {where} is not an object")
    name = dependency.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(path, f"not {_WHAT}: {where} has no 'name'")
    if "skip_reason" in dependency and "vulns" not in dependency:
        skipped.append(common.text(dependency.get("skip_reason"), 200) or name)
        return []
    version = dependency.get("version")
    vulns = dependency.get("vulns")
    if not isinstance(version, str) or not version.strip() or not isinstance(vulns, list):
        raise InputError(path, f"not {_WHAT}: {where} ({name}) needs 'version' and a 'vulns' list, or 'skip_reason'")
    found: list[Finding] = []
    for vuln_index, vuln in enumerate(vulns):
        place = f"{where}.vulns[{vuln_index}]"
        rule_id = common.entry_id(path, vuln, place, f"not {_WHAT}")
        aliases = vuln.get("aliases")
        fixes = vuln.get("fix_versions")
        if (aliases is not None and not isinstance(aliases, list)) or (
            fixes is not None and not isinstance(fixes, list)
        ):
            raise InputError(path, f"not {_WHAT}: {place} ({rule_id}) 'aliases' and 'fix_versions' must be lists")
        ids = common.advisory_ids(rule_id, aliases or [])
        pkg = common.package(name, version, fixes or [], "pypi")
        found.append(
            Finding(
                fingerprint=common.package_fingerprint(ids, rule_id, pkg.name, pkg.installed),
                category="sca",
                rule_id=rule_id,
                title=common.title_of(vuln.get("description"), fallback=f"{rule_id} in {pkg.name}"),
                severity="unknown",
                ids=ids[:64],
                cwe=[],
                package=pkg,
                fix_available=bool(pkg.fixed),
                occurrences=1,
            )
        )
    return found
