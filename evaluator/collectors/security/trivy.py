"""Trivy JSON (`trivy image|fs|repo|config -f json`) into a `security` item.

Shapes read:

- SchemaVersion 2 (Trivy 0.20, Oct 2021, and later): an object with SchemaVersion, ArtifactName,
  ArtifactType, Results[] and, in newer versions, CreatedAt (2024+) and Trivy.Version. A report without
  Results is a scan that found nothing (Trivy leaves the key out then);
- the legacy shape (before 0.20, 2021): a top-level array of results, no artifact, no version;
- an object with Results but no SchemaVersion is read like SchemaVersion 2; any other SchemaVersion, or
  an object with neither Results nor SchemaVersion, is an input error.

Each result (Target, Class, Type) may hold Vulnerabilities, Misconfigurations, Secrets, Licenses and
ExperimentalModifiedFindings (findings ignored by .trivyignore, a policy or VEX, `--show-suppressed`).

Mapping (source field -> Finding field):

| Trivy                                             | Finding                                                |
|---------------------------------------------------|--------------------------------------------------------|
| Class os-pkgs / lang-pkgs                         | category container for ArtifactType container_image    |
|                                                   | (and os-pkgs of a legacy report), else sca             |
| Class config / secret / license, license-file     | category iac / secrets / license                       |
| Vulnerability VulnerabilityID                     | rule_id; ids with VendorIDs (GHSA …)                   |
| Title (else "<id> in <PkgName>")                  | title                                                  |
| Severity (UNKNOWN … CRITICAL)                     | severity, tool_severity                                |
| CVSS {nvd, ghsa, redhat …}: V40/V3/V2 Score+Vector| cvss: newest version, then highest score (best_cvss)   |
| CweIDs, PublishedDate                             | cwe, published                                         |
| PkgName, InstalledVersion, FixedVersion "a, b"    | package name, installed, fixed (split at commas)       |
| PkgIdentifier.PURL; purl type else result Type    | package purl, ecosystem                                |
| PkgPath (else Target for lang-pkgs), Layer.DiffID | location path, resource                                |
| Status fixed, or FixedVersion given               | fix_available                                          |
| Status not_affected                               | suppression not_affected, source trivy:status          |
| Misconfiguration ID (else AVDID), Title, Severity | rule_id, title, severity; only Status FAIL is a finding|
| CauseMetadata StartLine/EndLine/Resource, Target  | location line/end_line/resource, path                  |
| Misconfiguration Status EXCEPTION                 | kept, suppression suppressed, source trivy:exception   |
| Secret RuleID, Title, Severity, StartLine, EndLine| rule_id, title, severity, location; Match and Code are |
|                                                   | never read (they hold the secret, masked or not)       |
| License Name, Category, PkgName, FilePath         | rule_id, title, package name, location path            |
| ExperimentalModifiedFindings Status, Source,      | the Finding, with suppression not_affected (VEX) or    |
| Statement                                         | suppressed, source trivy:<Source>, justification       |
| ArtifactName (legacy: first Target)               | target                                                 |
| Trivy.Version                                     | scanner version                                        |
| CreatedAt                                         | observed start and end                                 |

Fingerprints: vulnerabilities package_fingerprint(ids, VulnerabilityID, PkgName, InstalledVersion) (so the
same CVE in the same package version from Grype matches); misconfigurations code_fingerprint(iac, rule,
Target, StartLine, Resource); secrets code_fingerprint(secrets, RuleID, Target, StartLine), never the value;
licenses code_fingerprint(license, Name, FilePath or Target, None, PkgName).

Severity: Trivy's word (CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN) maps one to one to critical, high, medium,
low, unknown. When the word is UNKNOWN or missing and the finding has a CVSS score, the severity is the
score's CVSS v3 band instead (tool_severity keeps Trivy's word).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from evaluator.collectors.interface import Collected
from evaluator.collectors.security import common
from evaluator.errors import InputError
from evaluator.evidence.security import Cvss, Finding, Location, ScanType, Suppression

TOOL = "trivy"
_WHAT = "a Trivy JSON report"
_EXPECTED = "expected a Trivy JSON report (an object with SchemaVersion 2 and Results, or a legacy array of results)"
_SCHEMA2 = re.compile(rb'^\s*\{\s*"SchemaVersion"\s*:\s*2\s*[,}]')
_SCHEMA2_ANYWHERE = re.compile(rb'"SchemaVersion"\s*:\s*2\s*[,}\n]')
_LEGACY = re.compile(rb'^\s*\[\s*\{\s*"Target"\s*:\s*"')
_RESULT_KEYS = (b'"Vulnerabilities"', b'"Misconfigurations"', b'"Secrets"', b'"Class"', b'"Licenses"')
_OS_TYPES = {
    "alma",
    "alpine",
    "amazon",
    "azurelinux",
    "bottlerocket",
    "cbl-mariner",
    "centos",
    "chainguard",
    "debian",
    "echo",
    "fedora",
    "minimos",
    "opensuse",
    "opensuse.leap",
    "opensuse.tumbleweed",
    "oracle",
    "photon",
    "redhat",
    "rocky",
    "sles",
    "slem",
    "suse linux enterprise server",
    "ubuntu",
    "wolfi",
}
_OS_SUFFIX = re.compile(r"\s+\([^()]*\)$")
_PURL_TYPE = re.compile(r"^pkg:([A-Za-z0-9.+-]+)/")


class TrivyJsonCollector(common.SecurityCollector):
    """Trivy JSON reports (SchemaVersion 2 and the legacy array): vulnerabilities, misconfigurations, secrets."""

    format: ClassVar[str] = "trivy-json"
    description: ClassVar[str] = (
        "Trivy JSON report (trivy image/fs/repo/config -f json; legacy array and SchemaVersion 2)"
    )

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True for an object opening with SchemaVersion 2 or an array of results opening with Target."""
        head = common.bom_free(head)
        if _SCHEMA2.match(head):
            return b'"ArtifactName"' in head or b'"Results"' in head or b'"ArtifactType"' in head
        if _LEGACY.match(head):
            return any(key in head for key in _RESULT_KEYS)
        stripped = head.lstrip()
        if stripped.startswith(b"{") and _SCHEMA2_ANYWHERE.search(head):
            # Key-sorted output (jq -S): ArtifactName and ArtifactType come first.
            return b'"ArtifactName"' in head and b'"ArtifactType"' in head
        return False

    def collect(self, path: Path) -> Collected:
        """Read the Trivy report at `path`; InputError when it is not one."""
        document = common.load_document(path, _WHAT)
        version: object = None
        created: str | None = None
        artifact_type: str | None = None
        target: str | None = None
        if isinstance(document, list):
            results = document
            common.expect(
                bool(results) and all(isinstance(r, dict) for r in results), path, f"not a Trivy report: {_EXPECTED}"
            )
            common.expect(
                all("Target" in r for r in results), path, f"not a Trivy report: a result has no Target; {_EXPECTED}"
            )
            first = results[0]
            name = first.get("Target")
            if isinstance(name, str) and _result_class(first) == "os-pkgs":
                name = _OS_SUFFIX.sub("", name)
            target = common.text(name, 2048)
        elif isinstance(document, dict):
            schema = document.get("SchemaVersion")
            common.expect(
                "Results" in document or "SchemaVersion" in document,
                path,
                f"not a Trivy report: no Results and no SchemaVersion; {_EXPECTED}",
            )
            if "SchemaVersion" in document and (isinstance(schema, bool) or schema != 2):
                raise InputError(path, f"unsupported Trivy SchemaVersion {schema!r}: only 2 is read; {_EXPECTED}")
            results = document.get("Results")
            if results is None:
                results = []
            common.expect(isinstance(results, list), path, "not a Trivy report: Results is not a list")
            common.expect(
                all(isinstance(r, dict) for r in results), path, "not a Trivy report: a Results entry is not an object"
            )
            trivy = document.get("Trivy")
            version = trivy.get("Version") if isinstance(trivy, dict) else None
            created = document.get("CreatedAt")
            artifact_type = document.get("ArtifactType") if isinstance(document.get("ArtifactType"), str) else None
            target = common.text(document.get("ArtifactName"), 2048)
        else:
            raise InputError(path, f"not a Trivy report: {_EXPECTED}")

        findings: list[Finding] = []
        scan_types: set[ScanType] = set()
        legacy = isinstance(document, list)
        for index, result in enumerate(results):
            reader = _Result(path, index, result, artifact_type, legacy)
            scan_types.update(reader.scan_types())
            findings.extend(reader.findings())
        if not scan_types:
            scan_types.add("container" if artifact_type == "container_image" else "sca")
        return common.collected(
            common.build_scan(TOOL, version, scan_types, target, findings), common.aware_time(created)
        )


def _result_class(result: dict[str, Any]) -> str | None:
    """The result's Class; for legacy results without one, os-pkgs or lang-pkgs from its Type."""
    value = result.get("Class")
    if isinstance(value, str) and value:
        return value
    kind = result.get("Type")
    if "Vulnerabilities" in result:
        return "os-pkgs" if isinstance(kind, str) and kind.lower() in _OS_TYPES else "lang-pkgs"
    return None


def _list(path: Path, where: str, value: object) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InputError(path, f"not a Trivy report: {where} is not a list of objects")
    return value


def _int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


class _Result:
    """One entry of Results: its class, target and findings."""

    def __init__(self, path: Path, index: int, result: dict[str, Any], artifact_type: str | None, legacy: bool):
        self.path = path
        self.where = f"Results[{index}]"
        self.result = result
        self.target = common.text(result.get("Target"), 2048)
        self.cls = _result_class(result)
        self.type = result.get("Type") if isinstance(result.get("Type"), str) else None
        image = artifact_type == "container_image" or (legacy and self.cls == "os-pkgs")
        self.package_category: ScanType = "container" if image else "sca"

    def scan_types(self) -> set[ScanType]:
        """What this result says was scanned, findings or not."""
        found: set[ScanType] = set()
        if self.cls in ("os-pkgs", "lang-pkgs") or self.result.get("Vulnerabilities"):
            found.add(self.package_category)
        if self.cls == "config" or self.result.get("Misconfigurations"):
            found.add("iac")
        if self.cls == "secret" or self.result.get("Secrets"):
            found.add("secrets")
        if self.cls in ("license", "license-file") or self.result.get("Licenses"):
            found.add("license")
        return found

    def findings(self) -> list[Finding]:
        """Every finding of this result, the modified (ignored / not affected) ones included."""
        found: list[Finding] = []
        for i, item in enumerate(_list(self.path, f"{self.where}.Vulnerabilities", self.result.get("Vulnerabilities"))):
            found.append(self.vulnerability(item, f"{self.where}.Vulnerabilities[{i}]"))
        for item in _list(self.path, f"{self.where}.Misconfigurations", self.result.get("Misconfigurations")):
            misconfiguration = self.misconfiguration(item)
            if misconfiguration is not None:
                found.append(misconfiguration)
        for item in _list(self.path, f"{self.where}.Secrets", self.result.get("Secrets")):
            found.append(self.secret(item))
        for item in _list(self.path, f"{self.where}.Licenses", self.result.get("Licenses")):
            found.append(self.license(item))
        modified = _list(
            self.path, f"{self.where}.ExperimentalModifiedFindings", self.result.get("ExperimentalModifiedFindings")
        )
        for i, entry in enumerate(modified):
            finding = self.modified(entry, f"{self.where}.ExperimentalModifiedFindings[{i}]")
            if finding is not None:
                found.append(finding)
        return found

    def vulnerability(self, item: dict[str, Any], where: str) -> Finding:
        """A package vulnerability."""
        rule = item.get("VulnerabilityID")
        name = item.get("PkgName")
        if not isinstance(name, str) or not name.strip():
            name = item.get("PkgID")
        if not isinstance(rule, str) or not rule.strip() or not isinstance(name, str) or not name.strip():
            raise InputError(self.path, f"not a Trivy report: {where} has no VulnerabilityID or PkgName")
        rule = rule.strip()[:256]
        ids = common.advisory_ids(rule, item.get("VendorIDs"))
        installed = common.text(item.get("InstalledVersion"), 256)
        ratings: list[Cvss | None] = []
        sources = item.get("CVSS")
        if isinstance(sources, dict):
            for source, values in sources.items():
                if not isinstance(values, dict):
                    continue
                ratings.append(common.cvss(values.get("V40Score"), values.get("V40Vector"), "4.0", source))
                ratings.append(common.cvss(values.get("V3Score"), values.get("V3Vector"), None, source))
                ratings.append(common.cvss(values.get("V2Score"), values.get("V2Vector"), "2.0", source))
        rating = common.best_cvss(ratings)
        fixed_version = item.get("FixedVersion")
        identifier = item.get("PkgIdentifier")
        purl = identifier.get("PURL") if isinstance(identifier, dict) else None
        purl_type = _PURL_TYPE.match(purl) if isinstance(purl, str) else None
        pkg = common.package(
            name,
            installed,
            [fixed_version] if isinstance(fixed_version, str) else [],
            ecosystem=purl_type.group(1).lower() if purl_type else self.type,
            purl=purl,
        )
        status = item.get("Status")
        suppression = None
        if status == "not_affected":
            suppression = Suppression(kind="not_affected", source="trivy:status")
        return Finding(
            fingerprint=common.package_fingerprint(ids, rule, name, installed),
            category=self.package_category,
            rule_id=rule,
            title=common.title_of(item.get("Title"), fallback=f"{rule} in {name}"),
            severity=common.severity_or_score(item.get("Severity"), rating),
            tool_severity=common.text(item.get("Severity"), 64),
            cvss=rating,
            ids=ids[:64],
            cwe=common.cwe_numbers(item.get("CweIDs")),
            package=pkg,
            fix_available=bool(pkg.fixed) or status == "fixed",
            location=self.package_location(item),
            published=common.timestamp(item.get("PublishedDate")),
            suppression=suppression,
            occurrences=1,
        )

    def package_location(self, item: dict[str, Any]) -> Location | None:
        """Where the package is: PkgPath, or the lock file (lang-pkgs Target), and the image layer."""
        where = common.text(item.get("PkgPath"), 2048)
        if where is None and self.cls == "lang-pkgs":
            where = self.target
        layer = item.get("Layer")
        resource = None
        if isinstance(layer, dict):
            resource = common.text(layer.get("DiffID"), 1024) or common.text(layer.get("Digest"), 1024)
        if where is None and resource is None:
            return None
        return Location(path=where, resource=resource)

    def misconfiguration(self, item: dict[str, Any]) -> Finding | None:
        """A failed configuration check (passed checks are not findings; exceptions are kept, suppressed)."""
        status = item.get("Status")
        if isinstance(status, str) and status.upper() not in ("FAIL", "EXCEPTION"):
            return None
        rule = common.text(item.get("ID"), 256) or common.text(item.get("AVDID"), 256)
        if rule is None:
            raise InputError(self.path, f"not a Trivy report: a misconfiguration in {self.where} has no ID")
        cause = item.get("CauseMetadata") if isinstance(item.get("CauseMetadata"), dict) else {}
        line = _int(cause.get("StartLine"))
        resource = common.text(cause.get("Resource"), 1024)
        suppression = None
        if isinstance(status, str) and status.upper() == "EXCEPTION":
            suppression = Suppression(kind="suppressed", source="trivy:exception")
        return Finding(
            fingerprint=common.code_fingerprint("iac", TOOL, rule, self.target, line, resource),
            category="iac",
            rule_id=rule,
            title=common.title_of(item.get("Title"), fallback=rule),
            severity=common.severity_or_score(item.get("Severity"), None),
            tool_severity=common.text(item.get("Severity"), 64),
            ids=[],
            cwe=[],
            fix_available=False,
            location=self._location(line, _int(cause.get("EndLine")), resource),
            suppression=suppression,
            occurrences=1,
        )

    def secret(self, item: dict[str, Any]) -> Finding:
        """A secret: rule, file and line only; Match and Code (which hold the value) are never read."""
        rule = common.text(item.get("RuleID"), 256)
        if rule is None:
            raise InputError(self.path, f"not a Trivy report: a secret in {self.where} has no RuleID")
        line = _int(item.get("StartLine"))
        return Finding(
            fingerprint=common.code_fingerprint("secrets", TOOL, rule, self.target, line),
            category="secrets",
            rule_id=rule,
            title=common.title_of(item.get("Title"), common.text(item.get("Category")), fallback=rule),
            severity=common.severity_or_score(item.get("Severity"), None),
            tool_severity=common.text(item.get("Severity"), 64),
            ids=[],
            cwe=[],
            fix_available=False,
            location=self._location(line, _int(item.get("EndLine")), None),
            occurrences=1,
        )

    def license(self, item: dict[str, Any]) -> Finding:
        """A license finding (a package's or a loose file's license, classified by Trivy)."""
        name = common.text(item.get("Name"), 256)
        if name is None:
            raise InputError(self.path, f"not a Trivy report: a license in {self.where} has no Name")
        pkg_name = common.text(item.get("PkgName"), 512)
        where = common.text(item.get("FilePath"), 2048) or self.target
        category = common.text(item.get("Category"), 64)
        subject = f" in {pkg_name}" if pkg_name else (f" in {where}" if where else "")
        return Finding(
            fingerprint=common.code_fingerprint("license", TOOL, name, where, None, pkg_name),
            category="license",
            rule_id=name,
            title=common.title_of(f"License {name}{f' ({category})' if category else ''}{subject}", fallback=name),
            severity=common.severity_or_score(item.get("Severity"), None),
            tool_severity=common.text(item.get("Severity"), 64),
            ids=[],
            cwe=[],
            package=common.package(pkg_name) if pkg_name else None,
            fix_available=False,
            location=Location(path=where) if where else None,
            occurrences=1,
        )

    def modified(self, entry: dict[str, Any], where: str) -> Finding | None:
        """A finding Trivy left out (ignored, or not affected by VEX), kept as suppressed."""
        kind = entry.get("Type")
        original = entry.get("Finding")
        if not isinstance(original, dict):
            raise InputError(self.path, f"not a Trivy report: {where}.Finding is not an object")
        if kind == "vulnerability":
            finding: Finding | None = self.vulnerability(original, f"{where}.Finding")
        elif kind in ("misconfiguration", "misconfig"):
            finding = self.misconfiguration({**original, "Status": "FAIL"})
        elif kind == "secret":
            finding = self.secret(original)
        elif kind == "license":
            finding = self.license(original)
        else:
            return None
        if finding is None:
            return None
        status = entry.get("Status")
        source = common.text(entry.get("Source"), 120)
        suppression = Suppression(
            kind="not_affected" if status == "not_affected" else "suppressed",
            source=f"trivy:{source}" if source else "trivy:modified",
            justification=common.text(entry.get("Statement"), 1024),
        )
        return finding.model_copy(update={"suppression": suppression})

    def _location(self, line: int | None, end: int | None, resource: str | None) -> Location | None:
        if self.target is None and line is None and resource is None:
            return None
        return Location(path=self.target, line=line, end_line=end, resource=resource)
