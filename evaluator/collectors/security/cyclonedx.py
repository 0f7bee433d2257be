"""CycloneDX JSON with a `vulnerabilities` section (a scan report or a VEX) into a `security` item.

Read: CycloneDX 1.4, 1.5 and 1.6 JSON as written by scanners (Grype `-o cyclonedx-json`, Trivy
`--format cyclonedx --scanners vuln`, Sonatype jake, OWASP dependency-track exports …). Detected by
`"bomFormat": "CycloneDX"`. A BOM without a `vulnerabilities` array is an SBOM, not a scan report, and is
an InputError (it says nothing about vulnerabilities); a BOM with an empty `vulnerabilities` array is a clean scan.

Mapping:

    metadata.tools (1.4 array, 1.5+ {components, services}) -> scanner name / version (a scanner rather than
                                                               a cyclonedx-* library when both are listed)
    metadata.component name [+ version]     -> target; type "container" makes the findings `container`, else `sca`
    metadata.timestamp                      -> observed start and end (when the BOM was written)
    vulnerabilities[].id                    -> rule_id; with references[].id -> ids (CVE, GHSA, OSS Index …)
    description (else detail, else id)      -> title (first line)
    ratings[]                               -> severity and cvss (below)
    cwes[]                                  -> cwe
    affects[].ref                           -> the component with that bom-ref (nested components and
                                               metadata.component included): name (group:name for maven,
                                               group/name otherwise), version, purl; purl type -> ecosystem.
                                               A ref that is no bom-ref but a purl is read from the purl;
                                               anything else is an InputError. One finding per affected component.
    properties "…fixed_versions" (Grype), affects[].versions[] with status "unaffected" -> package.fixed
    published                               -> published;   first_seen stays empty (not stated)
    analysis.state not_affected             -> suppression not_affected, source cyclonedx:analysis
    analysis.state false_positive           -> suppression false_positive
    analysis.state resolved / resolved_with_pedigree -> suppression suppressed (remediated in this component)
    analysis.state exploitable / in_triage / none -> counts; analysis.justification (+ detail) -> justification

Severity: the rating given by the vulnerability's own source (ratings[].source.name == source.name, as
Trivy writes its data-source vendor), else a rating without a source (the tool's own, as Grype writes),
else the CVSS band of the chosen CVSS score, else the most serious word among the ratings, else `unknown`.
Words: critical, high, medium, low, info, none (-> info), unknown. CVSS: the newest method among
CVSSv2 / CVSSv3 / CVSSv31 / CVSSv4 (vector prefix wins over the method), preferring the vulnerability's
source, then nvd, then the highest score.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import unquote

from evaluator.collectors.interface import Collected
from evaluator.collectors.security import common
from evaluator.errors import InputError
from evaluator.evidence.security import Cvss, Finding, Package, ScanType, Severity, Suppression

_WHAT = "a CycloneDX JSON document with vulnerabilities"
_DETECT = re.compile(rb'"bomFormat"\s*:\s*"CycloneDX"')
_METHODS = {"CVSSV2": "2.0", "CVSSV3": "3.0", "CVSSV31": "3.1", "CVSSV4": "4.0", "CVSSV40": "4.0"}
_JOIN = {"maven": ":", "npm": "/", "golang": "/", "composer": "/", "github": "/", "swift": "/", "hex": "/"}
_STATES: dict[str, Literal["not_affected", "false_positive", "suppressed"]] = {
    "not_affected": "not_affected",
    "false_positive": "false_positive",
    "resolved": "suppressed",
    "resolved_with_pedigree": "suppressed",
}


class CycloneDxVexCollector(common.SecurityCollector):
    """CycloneDX JSON BOMs carrying vulnerabilities (scanner output or VEX)."""

    format: ClassVar[str] = "cyclonedx-vex"
    description: ClassVar[str] = "CycloneDX 1.4-1.6 JSON with vulnerabilities (Grype, Trivy, jake …; VEX analysis)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when the JSON names `"bomFormat": "CycloneDX"` (SBOMs too: collect rejects those clearly)."""
        stripped = common.bom_free(head).lstrip()
        return stripped.startswith(b"{") and _DETECT.search(stripped) is not None

    def collect(self, path: Path) -> Collected:
        """Read the BOM at `path`; InputError when it is not CycloneDX or has no vulnerabilities section."""
        document = common.load_document(path, _WHAT)
        common.expect(isinstance(document, dict), path, f"not {_WHAT}: the top level is not a JSON object")
        common.expect(document.get("bomFormat") == "CycloneDX", path, f'not {_WHAT}: no "bomFormat": "CycloneDX"')
        vulnerabilities = document.get("vulnerabilities")
        common.expect(
            "vulnerabilities" in document,
            path,
            "a CycloneDX SBOM without a 'vulnerabilities' section is not a scan report "
            "(run the scanner with CycloneDX vulnerability output, or give its own report)",
        )
        common.expect(isinstance(vulnerabilities, list), path, f"not {_WHAT}: 'vulnerabilities' is not a list")
        metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
        subject = metadata.get("component") if isinstance(metadata.get("component"), dict) else {}
        category: ScanType = "container" if subject.get("type") == "container" else "sca"
        components = _components(path, document, subject)
        findings: list[Finding] = []
        for index, vuln in enumerate(vulnerabilities):
            findings.extend(_findings(path, vuln, index, components, category))
        tool, version = _tool(metadata.get("tools"))
        data = common.build_scan(tool, version, [category], _target(subject), findings)
        return common.collected(data, common.aware_time(metadata.get("timestamp")))


def _components(path: Path, document: dict[str, Any], subject: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    pending: list[Any] = [subject]
    top = document.get("components", [])
    if not isinstance(top, list):
        raise InputError(path, f"not {_WHAT}: 'components' is not a list")
    pending.extend(top)
    while pending:
        component = pending.pop()
        if not isinstance(component, dict):
            continue
        ref = component.get("bom-ref")
        if isinstance(ref, str) and ref:
            found.setdefault(ref, component)
        nested = component.get("components")
        if isinstance(nested, list):
            pending.extend(nested)
    return found


def _tool(tools: object) -> tuple[str, str | None]:
    listed: list[Any] = []
    if isinstance(tools, list):
        listed = tools
    elif isinstance(tools, dict):
        for key in ("components", "services"):
            if isinstance(tools.get(key), list):
                listed.extend(tools[key])
    named = [t for t in listed if isinstance(t, dict) and common.text(t.get("name"), 128)]
    scanners = [t for t in named if not str(t["name"]).lower().startswith("cyclonedx")] or named
    if not scanners:
        return "cyclonedx", None
    chosen = scanners[0]
    return common.text(chosen["name"], 128) or "cyclonedx", common.text(chosen.get("version"), 64)


def _target(subject: dict[str, Any]) -> str | None:
    name = common.text(subject.get("name"), 1024)
    version = common.text(subject.get("version"), 256)
    if name and version and version not in name:
        return f"{name}@{version}"
    return name


def _purl(value: object) -> tuple[str, str, str, str | None, str | None] | None:
    """(type, namespace, name, version, epoch qualifier) of a package URL; None when `value` is not one."""
    if not isinstance(value, str) or not value.startswith("pkg:"):
        return None
    rest, _, qualifiers = value[4:].split("#", 1)[0].partition("?")
    rest = rest.strip("/")
    version = None
    if "@" in rest:
        rest, version = rest.rsplit("@", 1)
        version = unquote(version) or None
    parts = [unquote(p) for p in rest.split("/") if p]
    if len(parts) < 2:
        return None
    epoch = None
    for pair in qualifiers.split("&"):
        key, _, found = pair.partition("=")
        if key == "epoch" and found.isdigit() and found != "0":
            epoch = found
    return parts[0].lower(), "/".join(parts[1:-1]), parts[-1], version, epoch


def _package(component: dict[str, Any] | None, ref: str, fixed: list[str]) -> Package | None:
    purl_text = component.get("purl") if component else ref
    parsed = _purl(purl_text) or (_purl(ref) if component else None)
    kind = parsed[0] if parsed else None
    if component is not None:
        name = common.text(component.get("name"), 512)
        if not name:
            return None
        group = common.text(component.get("group"), 256)
        if not group and parsed and parsed[1] and parsed[2] == name and kind in _JOIN:
            group = parsed[1]
        installed = component.get("version")
    elif parsed:
        name, installed = parsed[2], parsed[3]
        group = parsed[1] if kind in _JOIN and parsed[1] else None
    else:
        return None
    if group:
        name = f"{group}{_JOIN.get(kind or '', '/')}{name}"
    epoch = parsed[4] if parsed else None
    if epoch and isinstance(installed, str) and installed and not installed.startswith(f"{epoch}:"):
        installed = f"{epoch}:{installed}"  # deb/rpm epoch, as the scanners' own reports print the version
    purl = purl_text if isinstance(purl_text, str) and purl_text.startswith("pkg:") else None
    return common.package(name, installed, fixed, kind, purl)


def _rating_cvss(rating: dict[str, Any]) -> Cvss | None:
    method = rating.get("method")
    version = _METHODS.get(method.upper()) if isinstance(method, str) else None
    vector = rating.get("vector")
    if version is None or rating.get("score") is None:
        return None
    if isinstance(vector, str) and vector.startswith("CVSS:"):
        version = None  # the vector's own prefix says the version
    return common.cvss(rating.get("score"), vector, version, _source(rating))


def _source(item: dict[str, Any]) -> str | None:
    source = item.get("source")
    return common.text(source.get("name"), 64) if isinstance(source, dict) else None


def _severity(vuln: dict[str, Any], ratings: list[dict[str, Any]]) -> tuple[Severity, str | None, Cvss | None]:
    """The severity, the tool's word for it, and the CVSS rating (see the module docstring)."""
    own = _source(vuln)
    own_key = own.lower() if own else None

    def rank(rating: dict[str, Any]) -> int:
        source = (_source(rating) or "").lower()
        return 0 if source and source == own_key else 1 if source == "nvd" else 2 if not source else 3

    scored = [(r, c) for r in ratings if (c := _rating_cvss(r)) is not None]
    best: Cvss | None = None
    if scored:
        newest = max(c.version or "0" for _, c in scored)
        same = [(r, c) for r, c in scored if (c.version or "0") == newest]
        best = min(same, key=lambda rc: (rank(rc[0]), -rc[1].score_x10))[1]
    worded = [(r, w, s) for r in ratings if (s := common.severity_from_word(w := r.get("severity"))) is not None]
    for wanted in (lambda r: own_key is not None and (_source(r) or "").lower() == own_key, lambda r: not _source(r)):
        for rating, word, severity in worded:
            if wanted(rating) and severity != "unknown":
                return severity, common.text(word, 64), best
    if best is not None:
        return common.severity_from_score(best.score_x10 / 10), None, best
    known = [(w, s) for _, w, s in worded if s != "unknown"]
    if known:
        severity: Severity = "unknown"
        for _, candidate in known:
            severity = common.more_severe(severity, candidate)
        word = next(w for w, s in known if s == severity)
        return severity, common.text(word, 64), None
    words = [w for _, w, _ in worded]
    return "unknown", common.text(words[0], 64) if words else None, None


def _fixed(vuln: dict[str, Any], affect: dict[str, Any]) -> list[str]:
    fixed: list[str] = []
    properties = vuln.get("properties")
    for prop in properties if isinstance(properties, list) else []:
        if isinstance(prop, dict) and str(prop.get("name", "")).endswith("fixed_versions"):
            value = prop.get("value")
            if isinstance(value, str):
                fixed.append(value)
    versions = affect.get("versions")
    for entry in versions if isinstance(versions, list) else []:
        if isinstance(entry, dict) and entry.get("status") == "unaffected" and isinstance(entry.get("version"), str):
            fixed.append(entry["version"])
    return fixed


def _suppression(analysis: object) -> Suppression | None:
    if not isinstance(analysis, dict):
        return None
    kind = _STATES.get(str(analysis.get("state", "")))
    if kind is None:
        return None
    reasons = [common.text(analysis.get("justification"), 256), common.text(analysis.get("detail"), 700)]
    if kind == "suppressed":
        reasons.insert(0, str(analysis.get("state")))
    justification = ": ".join(r for r in reasons if r) or None
    return Suppression(kind=kind, source="cyclonedx:analysis", justification=justification)


def _findings(
    path: Path, vuln: Any, index: int, components: dict[str, dict[str, Any]], category: ScanType
) -> list[Finding]:
    where = f"vulnerabilities[{index}]"
    rule_id = common.entry_id(path, vuln, where, f"not {_WHAT}")
    affects = vuln.get("affects")
    if not isinstance(affects, list) or not affects:
        raise InputError(path, f"not {_WHAT}: {where} ({rule_id}) has no 'affects' list")
    references = vuln.get("references")
    ref_ids = [r.get("id") for r in references if isinstance(r, dict)] if isinstance(references, list) else []
    ids = common.advisory_ids(rule_id, ref_ids)
    ratings = (
        [r for r in vuln.get("ratings", []) if isinstance(r, dict)] if isinstance(vuln.get("ratings"), list) else []
    )
    severity, word, rating = _severity(vuln, ratings)
    suppression = _suppression(vuln.get("analysis"))
    found: list[Finding] = []
    for affect in affects:
        ref = affect.get("ref") if isinstance(affect, dict) else None
        if not isinstance(ref, str) or not ref:
            raise InputError(path, f"not {_WHAT}: {where} ({rule_id}) has an 'affects' entry without 'ref'")
        component = components.get(ref)
        pkg = _package(component, ref, _fixed(vuln, affect))
        if pkg is None:
            raise InputError(path, f"{where} ({rule_id}) affects '{ref[:200]}', which is no component of the BOM")
        found.append(
            Finding(
                fingerprint=common.package_fingerprint(ids, rule_id, pkg.name, pkg.installed),
                category=category,
                rule_id=rule_id,
                title=common.title_of(vuln.get("description"), vuln.get("detail"), fallback=rule_id),
                severity=severity,
                tool_severity=word,
                cvss=rating,
                ids=ids[:64],
                cwe=common.cwe_numbers(vuln.get("cwes")),
                package=pkg,
                fix_available=bool(pkg.fixed),
                published=common.timestamp(vuln.get("published")),
                suppression=suppression,
                occurrences=1,
            )
        )
    return found
