"""Grype JSON (`grype <image|dir:…|sbom:…> -o json`) into a `security` item.

Shapes read (grype 0.7 to 0.9x): an object with matches[], source {type, target}, distro and descriptor
{name: grype, version, timestamp (newer)}; ignoredMatches[] (matches an ignore rule or a VEX document
left out) when present. Differences between versions that matter here:

- CVSS: `vulnerability.cvss[] {version, vector, metrics.baseScore, source}` (newer); older matches keep
  it only on the NVD record in `relatedVulnerabilities[].cvss` (distro namespaces), and the oldest ones as
  `cvssV2` / `cvssV3` (or `cvss-v2` / `cvss-v3`) objects with baseScore (base-score) and vector (taken from
  grype's early presenter source: no real report of that layout was available). All are read; the
  vulnerability's own ratings win over the related records';
- fix: `vulnerability.fix {versions, state: fixed | not-fixed | wont-fix | unknown | ""}`; before it the
  single `fixedInVersion` string (absent when there is no fix; also from the presenter source);
- source.target: an object with userInput for an image, a (sometimes quoted) string for a directory.

Mapping (source field -> Finding field):

| Grype                                           | Finding                                                 |
|-------------------------------------------------|---------------------------------------------------------|
| source.type image                               | category container; any other type: sca                 |
| vulnerability.id                                | rule_id                                                 |
| vulnerability.id + relatedVulnerabilities[].id  | ids (the CVE alias of a GHSA id, the NVD record …)      |
| vulnerability.severity (title case)             | severity, tool_severity                                 |
| cvss (see above)                                | cvss: newest version, then highest score (best_cvss)    |
| fix.versions (fixedInVersion), fix.state        | package fixed; fix_available when versions or "fixed"   |
| artifact name, version, purl                    | package name, installed, purl                           |
| purl type (pypi, deb …), else artifact.type     | package ecosystem (the same words as Trivy's)           |
| artifact.locations[0] path, layerID             | location path, resource                                 |
| vulnerability.cwes[].cwe (newer)                | cwe                                                     |
| "<id> in <name> <version>"                      | title (Grype has no title; descriptions are paragraphs) |
| ignoredMatches[].appliedIgnoreRules             | suppression: not_affected (vex-status not_affected,     |
|                                                 | source grype:vex) or suppressed (source grype:ignore)   |
| descriptor.version                              | scanner version                                         |
| source.target (userInput / the directory)       | target                                                  |
| descriptor.timestamp                            | observed start and end                                  |

Fingerprint: package_fingerprint(ids, id, artifact.name, artifact.version): the lowest CVE id among the
match's ids, so a GHSA match with a CVE alias and Trivy's CVE finding in the same package version agree.

Severity: Grype's word maps Critical -> critical, High -> high, Medium -> medium, Low -> low,
Negligible -> info, Unknown -> unknown. When the word is Unknown (or missing) and the match carries a
CVSS score, the severity is the score's CVSS v3 band instead (tool_severity keeps Grype's word).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from evaluator.collectors.interface import Collected
from evaluator.collectors.security import common
from evaluator.errors import InputError
from evaluator.evidence.security import Cvss, Finding, Location, ScanType, Suppression

TOOL = "grype"
_WHAT = "a Grype JSON report"
_EXPECTED = "expected a Grype JSON report (an object with matches and descriptor {name: grype})"
_OPENING = re.compile(rb'^\s*\{\s*"(?:matches|ignoredMatches)"\s*:\s*(?:\[|null)')
_MATCH_KEYS = (b'"matchDetails"', b'"relatedVulnerabilities"', b'"artifact"')
_DESCRIPTOR = re.compile(rb'"descriptor"\s*:\s*\{\s*"name"\s*:\s*"grype"')
_PURL_TYPE = re.compile(r"^pkg:([A-Za-z0-9.+-]+)/")


class GrypeJsonCollector(common.SecurityCollector):
    """Grype JSON reports (0.7 to 0.9x): matched vulnerabilities of an image, directory or SBOM."""

    format: ClassVar[str] = "grype-json"
    description: ClassVar[str] = "Grype JSON report (grype … -o json), 0.7 to 0.9x"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True for an object opening with matches whose entries look like Grype matches (or a clean scan)."""
        head = common.bom_free(head)
        if not _OPENING.match(head):
            return False
        if b'"vulnerability"' in head and any(key in head for key in _MATCH_KEYS):
            return True
        return _DESCRIPTOR.search(head) is not None

    def collect(self, path: Path) -> Collected:
        """Read the Grype report at `path`; InputError when it is not one."""
        document = common.load_document(path, _WHAT)
        common.expect(isinstance(document, dict), path, f"not a Grype report: {_EXPECTED}")
        common.expect("matches" in document, path, f"not a Grype report: no matches; {_EXPECTED}")
        descriptor = document.get("descriptor")
        common.expect(isinstance(descriptor, dict), path, f"not a Grype report: no descriptor; {_EXPECTED}")
        name = descriptor.get("name")
        common.expect(
            name is None or (isinstance(name, str) and name.strip().lower() == TOOL),
            path,
            f"not a Grype report: descriptor.name is {name!r}; {_EXPECTED}",
        )
        source = document.get("source") if isinstance(document.get("source"), dict) else {}
        category: ScanType = "container" if source.get("type") == "image" else "sca"
        findings: list[Finding] = []
        for field in ("matches", "ignoredMatches"):
            entries = document.get(field)
            if entries is None:
                continue
            common.expect(isinstance(entries, list), path, f"not a Grype report: {field} is not a list")
            for index, match in enumerate(entries):
                findings.append(_finding(path, f"{field}[{index}]", match, category, field == "ignoredMatches"))
        version = descriptor.get("version")
        data = common.build_scan(TOOL, version, [category], _target(source.get("target")), findings)
        return common.collected(data, common.aware_time(descriptor.get("timestamp")))


def _target(value: object) -> str | None:
    """What was scanned: an image's userInput (else its first tag or id), or the directory or file name."""
    if isinstance(value, dict):
        tags = value.get("tags")
        first_tag = tags[0] if isinstance(tags, list) and tags else None
        return (
            common.text(value.get("userInput"), 2048)
            or common.text(first_tag, 2048)
            or common.text(value.get("imageID"), 2048)
        )
    if isinstance(value, str):
        return common.text(value.strip().strip('"'), 2048)
    return None


def _ratings(record: dict[str, Any]) -> list[Cvss | None]:
    """Every CVSS rating of one vulnerability record, in either of Grype's layouts."""
    found: list[Cvss | None] = []
    namespace = record.get("namespace")
    entries = record.get("cvss")
    if isinstance(entries, list):
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            metrics = entry.get("metrics") if isinstance(entry.get("metrics"), dict) else {}
            found.append(
                common.cvss(
                    metrics.get("baseScore"),
                    entry.get("vector"),
                    entry.get("version"),
                    entry.get("source") or namespace,
                )
            )
    for key, version in (("cvssV2", "2.0"), ("cvss-v2", "2.0"), ("cvssV3", None), ("cvss-v3", None)):
        entry = record.get(key)
        if isinstance(entry, dict):
            score = entry.get("baseScore", entry.get("base-score"))
            found.append(common.cvss(score, entry.get("vector"), version, namespace))
    return found


def _fixed_versions(vulnerability: dict[str, Any]) -> tuple[list[str], str | None]:
    """Fixed versions and fix state: fix {versions, state} (newer) or fixedInVersion (older)."""
    fix = vulnerability.get("fix")
    if isinstance(fix, dict):
        versions = fix.get("versions")
        state = fix.get("state")
        return ([v for v in versions if isinstance(v, str)] if isinstance(versions, list) else []), (
            state if isinstance(state, str) else None
        )
    legacy = vulnerability.get("fixedInVersion", vulnerability.get("fixed-in-version"))
    if isinstance(legacy, str) and legacy.strip():
        return [legacy], None
    legacy_list = vulnerability.get("fixedInVersions")
    if isinstance(legacy_list, list):
        return [v for v in legacy_list if isinstance(v, str)], None
    return [], None


def _suppression(match: dict[str, Any]) -> Suppression:
    """Why an ignored match was left out: a VEX statement or an ignore rule."""
    rules = match.get("appliedIgnoreRules")
    rules = [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []
    for rule in rules:
        status = rule.get("vex-status")
        if isinstance(status, str) and status.strip().lower() == "not_affected":
            return Suppression(
                kind="not_affected", source="grype:vex", justification=common.text(rule.get("vex-justification"), 1024)
            )
    reason = next((common.text(r.get("reason"), 1024) for r in rules if common.text(r.get("reason"), 1024)), None)
    return Suppression(kind="suppressed", source="grype:ignore", justification=reason)


def _finding(path: Path, where: str, match: object, category: ScanType, ignored: bool) -> Finding:
    """One match as a package finding."""
    if not isinstance(match, dict):
        raise InputError(path, f"not a Grype report: {where} is not an object")
    vulnerability = match.get("vulnerability")
    artifact = match.get("artifact")
    if not isinstance(vulnerability, dict) or not isinstance(artifact, dict):
        raise InputError(path, f"not a Grype report: {where} has no vulnerability or artifact object")
    rule = vulnerability.get("id")
    name = artifact.get("name")
    if not isinstance(rule, str) or not rule.strip() or not isinstance(name, str) or not name.strip():
        raise InputError(path, f"not a Grype report: {where} has no vulnerability.id or artifact.name")
    rule = rule.strip()[:256]
    related = match.get("relatedVulnerabilities")
    related = [r for r in related if isinstance(r, dict)] if isinstance(related, list) else []
    ids = common.advisory_ids(rule, [r.get("id") for r in related])
    rating = common.best_cvss(_ratings(vulnerability))
    if rating is None:
        rating = common.best_cvss(r for record in related for r in _ratings(record))
    installed = common.text(artifact.get("version"), 256)
    versions, state = _fixed_versions(vulnerability)
    purl = artifact.get("purl") if isinstance(artifact.get("purl"), str) and artifact.get("purl") else None
    purl_type = _PURL_TYPE.match(purl) if purl else None
    kind = artifact.get("type") if isinstance(artifact.get("type"), str) else None
    ecosystem = purl_type.group(1).lower() if purl_type else kind
    pkg = common.package(name, installed, versions, ecosystem=ecosystem, purl=purl)
    return Finding(
        fingerprint=common.package_fingerprint(ids, rule, name, installed),
        category=category,
        rule_id=rule,
        title=common.title_of(fallback=f"{rule} in {pkg.name}{f' {installed}' if installed else ''}"),
        severity=common.severity_or_score(vulnerability.get("severity"), rating),
        tool_severity=common.text(vulnerability.get("severity"), 64),
        cvss=rating,
        ids=ids[:64],
        cwe=_cwes(vulnerability.get("cwes")),
        package=pkg,
        fix_available=bool(pkg.fixed) or (state or "").lower() == "fixed",
        location=_location(artifact.get("locations")),
        suppression=_suppression(match) if ignored else None,
        occurrences=1,
    )


def _cwes(entries: object) -> list[int]:
    """CWE numbers of `cwes[] {cwe: "CWE-79"}` (grype 0.8x and later)."""
    if not isinstance(entries, list):
        return []
    return common.cwe_numbers([e.get("cwe") for e in entries if isinstance(e, dict)])


def _location(locations: object) -> Location | None:
    """The first location Grype gives for the package (its path and image layer)."""
    if not isinstance(locations, list):
        return None
    for entry in locations:
        if isinstance(entry, dict):
            where = common.text(entry.get("path"), 2048)
            layer = common.text(entry.get("layerID"), 1024)
            if where or layer:
                return Location(path=where, resource=layer)
    return None
