"""SARIF 2.1.0 logs from any tool (CodeQL, Semgrep, Bandit, Checkov, Gitleaks, Trivy, Grype …) into a `security` item.

Shapes read: a SARIF 2.1.0 log (`{"version": "2.1.0", "runs": [...]}`, `$schema` optional: Semgrep puts it last)
with one or more runs. Rules are found in `tool.driver.rules` and `tool.extensions[].rules` (CodeQL 2.12+ query
packs), indexed once per run. A result names its rule by `rule.{id,index,toolComponent.index}`, `ruleIndex`
or `ruleId`; a hierarchical `ruleId` ("CA2101/1") falls back to its parent rule ("CA2101"); the rule id kept
is the result's own (`ruleId`, else `rule.id`, else the rule's `id`). Gitleaks 7 writes no rule id: its message
"<rule> secret detected" names a rule of the run, which is used. A result with no rule at all gets "(no rule id)".

Which results are findings: `kind` "fail" or absent (pass, open, review, notApplicable, informational are not);
`baselineState` "absent" results (gone since the baseline) are left out. An empty `results` array is a clean scan;
a run without one (absent or null: SARIF's "results not determined") is an InputError, never zero findings.
A run whose `invocations[].executionSuccessful` is false is a failed scan: InputError naming the tool and its first
error notification. `version` other than "2.1.0", `runs` missing, empty or not an array: InputError.

scan_errors: in a run that did succeed, `invocations[].toolExecutionNotifications` of level "error" are what the
tool could not do although the scan as a whole ran: CodeQL writes one per extraction error, Semgrep one per file it
could not parse. They are counted per file, not per notification: the distinct artifacts (`locations[]`
artifactLocation uri, else artifact index) they name, each run on its own and the runs added up; an error
notification naming no artifact counts alone. Counting notifications would overstate it: the real CodeQL
2.12.5 sample writes 97 error notifications, one per line of the single tsconfig.json it could not extract
(scan_errors 1). Notifications of level warning, note or none (CodeQL's "successfully extracted" list) and
`toolConfigurationNotifications` (problems with rules or settings, not with the scanned files) are not counted.
SARIF gives no certainty that an error notification is about a file left unscanned (a tool may report a crashed
rule this way); it is the closest the format comes, and either way the scan covers less than it says.

Mapping (SARIF field -> model field):

- result ruleId (see above) -> rule_id; advisory ids (CVE-…, GHSA-…) found in the rule id and in rule / result
  `properties.tags` -> ids; CWE numbers from tags ("external/cwe/cwe-079", "CWE-327: …") and `properties.cwe` -> cwe;
- title: rule shortDescription (unless it only repeats the rule id or is Semgrep's "Semgrep Finding: <id>"), else
  the result message's first line, else the rule's fullDescription / name / id. Secret findings never use the
  message (Gitleaks writes the secret there and in region.snippet): shortDescription, else name, else the rule id;
- locations[0].physicalLocation: artifactLocation.uri (or `run.artifacts[index]`), percent-decoded, `file://`
  stripped, relative to its uriBaseId as the tool wrote it -> location.path; region.startLine / endLine -> line /
  end_line; logicalLocations[0].fullyQualifiedName (else name) -> location.resource;
- provenance.firstDetectionTimeUtc -> first_seen (Gitleaks: the commit date, `properties.date` in v7 and
  `partialFingerprints.date` in v8, when ISO 8601); `fixes[]` non-empty or a fixed version -> fix_available;
- suppressions[]: a suppression with status "accepted" or no status suppresses (kind "suppressed", source
  "sarif:<kind>", its justification); "underReview" and "rejected" do not; an empty array means none;
- package vulnerabilities: a result naming an advisory id (or a Trivy `*PackageVulnerability` rule) whose package
  is identifiable: Trivy's message "Package: <name>\\nInstalled Version: <v>\\n…Fixed Version: <v>", Grype's
  "reports <name> at version <v>", else the rule's help text "Package: / Version: / Fix Version:" lines ->
  package + package_fingerprint (so they count once with the same CVE from Trivy JSON, Grype JSON …);
- everything else: code_fingerprint(category, driver name, rule id, path, start line, extra), extra = the IaC
  resource for iac findings, the commit for Gitleaks (matching the gitleaks-json collector). `partialFingerprints`
  and `fingerprints` are never used for the fingerprint (they change with tool versions and some need a login);
- cvss: only from rule / result `properties.cvssv3_baseScore` (+ `cvssv3_vector`), as Snyk writes them;
  security-severity alone is not a CVSS rating.

Severity, first that applies:

1. `properties["security-severity"]` (result, then rule; a 0-10 number or numeric string) -> CVSS v3 band
   (9.0 critical, 7.0 high, 4.0 medium, 0.1 low, 0 info);
2. the tool's own word where it writes one: Bandit `result.properties.issue_severity` (HIGH/MEDIUM/LOW, so
   Bandit LOW stays low instead of SARIF note/info); Trivy's severity tag in `rule.properties.tags`
   (CRITICAL/HIGH/MEDIUM/LOW/UNKNOWN, so CRITICAL is not flattened to error/high);
3. result `level`, then the rule's `defaultConfiguration.level` (the SARIF order: the result's level, when given,
   overrides the rule's default): error -> high, warning -> medium, note -> info, none -> info;
4. neither: SARIF's default level "warning" -> medium (Bandit MEDIUM and Semgrep results omit `level`),
   except Gitleaks -> high (it writes no level; high as in the gitleaks-json collector).

Checkov writes level "error" for every failed check (and "warning" for skipped ones) with no severity unless a
Prisma Cloud key is used: without security-severity its results are `unknown` (tool_severity keeps the level).
CodeQL: security-severity on security queries, otherwise the rule level (error/warning/recommendation=note).
Semgrep: the rule level (ERROR -> error -> high, WARNING -> medium, INFO -> note -> info).
tool_severity is the value used as the tool wrote it (none when the SARIF default applied).

Scan type (finding category) by driver name: CodeQL, Semgrep, Bandit, Gosec, ESLint, Brakeman, SpotBugs …
(anything not listed) -> sast; Checkov, tfsec, KICS, Terrascan, Trivy config -> iac; Gitleaks, TruffleHog,
detect-secrets -> secrets; Trivy, Grype, OSV-Scanner, Snyk Open Source, Dependency-Check -> sca (Snyk Container
-> container, Snyk IaC -> iac); Trivy's rule names refine it (OsPackageVulnerability -> container,
LanguageSpecificPackageVulnerability -> sca, Misconfiguration -> iac, Secret -> secrets, License -> license), and
so does Grype's message "… installed in the container" (-> container); ZAP -> dast. The scan's types are its
findings' categories (the tools' defaults when there are none).

Several runs: all results go into one scan. The scanner is the driver name when every run has the same one,
else the distinct names joined with " + " (each finding keeps its own run's tool in its fingerprint); its version is
the first run's driver semanticVersion (else version). Target: the first `invocations[].workingDirectory.uri` or
`originalUriBaseIds` SRCROOT / %SRCROOT% / ROOTPATH uri. Observed window: earliest startTimeUtc to latest
endTimeUtc of the invocations, when both are given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, urlparse

from evaluator.collectors.interface import Collected
from evaluator.collectors.security import common
from evaluator.errors import InputError
from evaluator.evidence.security import Cvss, Finding, Location, Package, ScanType, Severity, Suppression

WHAT = "a SARIF 2.1.0 log"
_NOT = "not a SARIF 2.1.0 log"
_OPEN = re.compile(r"^\s*\{")
_SCHEMA = re.compile(r'"\$schema"\s*:\s*"[^"]*sarif[^"]*"', re.I)
_VERSION = re.compile(r'"version"\s*:\s*"2\.1\.0"')
_RUNS = re.compile(r'"runs"\s*:\s*\[')
_ADVISORY = re.compile(r"\b(CVE-\d{4}-\d{4,}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3})\b", re.I)
_TRIVY_PACKAGE = re.compile(r"^Package: *(\S+)", re.M)
_TRIVY_INSTALLED = re.compile(r"^Installed Version: *(\S+)", re.M)
_TRIVY_FIXED = re.compile(r"^Fix(?:ed)? Version: *([^\n]*)", re.M)
_GRYPE_REPORTS = re.compile(r"\breports (\S+) at version (\S+)")
_HELP_VERSION = re.compile(r"^(?:Installed )?Version: *(\S+)", re.M)
_NO_RULE = "(no rule id)"
_LEVELS = {"error", "warning", "note", "none"}
_NOT_FINDINGS = {"pass", "open", "review", "notApplicable", "informational"}
_BASE_IDS = ("SRCROOT", "%SRCROOT%", "ROOTPATH")
_TRIVY_CATEGORIES: dict[str, ScanType] = {
    "OsPackageVulnerability": "container",
    "LanguageSpecificPackageVulnerability": "sca",
    "Misconfiguration": "iac",
    "Secret": "secrets",
    "License": "license",
}
_FAMILIES = ("bandit", "checkov", "gitleaks", "grype", "trivy")
_TOOL_TYPES: tuple[tuple[str, ScanType], ...] = (
    ("checkov", "iac"),
    ("tfsec", "iac"),
    ("kics", "iac"),
    ("terrascan", "iac"),
    ("gitleaks", "secrets"),
    ("trufflehog", "secrets"),
    ("detect-secrets", "secrets"),
    ("detect_secrets", "secrets"),
    ("trivy", "sca"),
    ("grype", "sca"),
    ("osv-scanner", "sca"),
    ("dependency-check", "sca"),
    ("snyk open source", "sca"),
    ("snyk container", "container"),
    ("snyk iac", "iac"),
    ("zap", "dast"),
)


class SarifCollector(common.SecurityCollector):
    """SARIF 2.1.0 log of any static-analysis, IaC, secret or dependency scanner."""

    format: ClassVar[str] = "sarif"
    description: ClassVar[str] = (
        "SARIF 2.1.0 log from any scanner (CodeQL, Semgrep, Bandit, Checkov, Gitleaks, Trivy …)"
    )

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when the file is a JSON object whose head names the SARIF schema, or version 2.1.0 with runs."""
        content = common.bom_free(head).decode("utf-8", "replace")
        if _OPEN.match(content) is None:
            return False
        if _SCHEMA.search(content):
            return True
        return _VERSION.search(content) is not None and _RUNS.search(content) is not None

    def collect(self, path: Path) -> Collected:
        """Read the SARIF log at `path`; InputError when it is not a usable SARIF 2.1.0 log."""
        document = common.load_document(path, WHAT)
        common.expect(isinstance(document, dict), path, f"{_NOT}: expected a JSON object with 'version' and 'runs'")
        version = document.get("version")
        common.expect("version" in document, path, f"{_NOT}: no 'version'")
        common.expect(version == "2.1.0", path, f"SARIF version {version!r} is not supported, expected '2.1.0'")
        runs = document.get("runs")
        common.expect(isinstance(runs, list), path, f"{_NOT}: 'runs' is not an array")
        common.expect(bool(runs), path, "SARIF log has no runs: it does not say which tool ran")
        contexts = [_Run.read(path, index, run) for index, run in enumerate(runs)]
        for context in contexts:
            context.check_success()
        findings = [finding for context in contexts for finding in context.findings()]
        names: list[str] = []
        for context in contexts:
            if context.name not in names:
                names.append(context.name)
        tool = " + ".join(names)[:128]
        categories = {f.category for f in findings}
        scan_types = categories or {c.default_category for c in contexts}
        target = next((c.target for c in contexts if c.target), None)
        scan_errors = sum(len(c.unscanned) for c in contexts)
        data = common.build_scan(tool, contexts[0].version, scan_types, target, findings, scan_errors)
        starts = [c.start for c in contexts if c.start]
        ends = [c.end for c in contexts if c.end]
        if not (starts and ends):
            return common.collected(data)
        return common.collected(data, min(starts), max(ends))


@dataclass(frozen=True)
class _Rule:
    """What a rule gives every result that names it, computed once per rule (and rule id)."""

    rule: dict[str, Any]
    props: dict[str, Any]
    tags: tuple[str, ...]
    ids: list[str]
    cwe: list[int]
    category: ScanType
    package_rule: bool
    """A Trivy *PackageVulnerability rule (its results are package vulnerabilities even without a CVE id)."""
    severity: tuple[Severity, str | None] | None
    """The severity from the rule's security-severity or the tool's own word, when it gives one."""
    level: str | None
    """The rule's defaultConfiguration.level, when it is a SARIF level."""
    title: str | None
    """The title from the rule's shortDescription, when it is a usable one."""
    fallback_titles: tuple[str | None, ...]
    """fullDescription and name, for when neither shortDescription nor the message gives a title."""
    cvss: Cvss | None


@dataclass
class _Run:
    """One run of the log: its tool, its rules indexed once, and where it is in the file."""

    path: Path
    where: str
    run: dict[str, Any]
    name: str
    version: str | None
    components: list[list[Any]]
    """Rules per tool component: index 0 is the driver, index i + 1 is extensions[i]."""
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    target: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    lower: str = ""
    """The driver name lower-cased."""
    family: str = ""
    """bandit, checkov, gitleaks, grype or trivy when the tool is one whose quirks are handled, else ''."""
    default_category: ScanType = "sast"
    """The scan type this tool's findings have unless a result says otherwise."""
    rules: dict[tuple[int, str], _Rule] = field(default_factory=dict)
    paths: dict[str, str | None] = field(default_factory=dict)
    unscanned: set[str] = field(default_factory=set)
    """The artifacts (or, for notifications naming none, the notifications) error notifications name."""

    @classmethod
    def read(cls, path: Path, index: int, run: Any) -> _Run:
        """The run at `index`, its tool and rules checked."""
        where = f"runs[{index}]"
        common.expect(isinstance(run, dict), path, f"{_NOT}: {where} is not an object")
        tool = run.get("tool")
        common.expect(isinstance(tool, dict), path, f"{_NOT}: {where} has no 'tool' object")
        driver = tool.get("driver")
        common.expect(isinstance(driver, dict), path, f"{_NOT}: {where}.tool has no 'driver' object")
        name = driver.get("name")
        common.expect(isinstance(name, str) and bool(name.strip()), path, f"{_NOT}: {where}.tool.driver has no 'name'")
        extensions = tool.get("extensions", [])
        common.expect(isinstance(extensions, list), path, f"{_NOT}: {where}.tool.extensions is not an array")
        components: list[list[Any]] = []
        for number, component in enumerate([driver, *extensions]):
            label = f"{where}.tool.driver" if number == 0 else f"{where}.tool.extensions[{number - 1}]"
            common.expect(isinstance(component, dict), path, f"{_NOT}: {label} is not an object")
            rules = component.get("rules") or []
            common.expect(isinstance(rules, list), path, f"{_NOT}: {label}.rules is not an array")
            components.append(rules)
        version = driver.get("semanticVersion") or driver.get("version")
        context = cls(path, where, run, name.strip()[:128], common.text(version, 64), components)
        context.lower = context.name.lower()
        context.family = next((f for f in _FAMILIES if context.lower.startswith(f)), "")
        context.default_category = next((c for word, c in _TOOL_TYPES if word in context.lower), "sast")
        for rules in components:
            for rule in rules:
                if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                    context.by_id.setdefault(rule["id"], rule)
        context._read_invocations()
        return context

    def _read_invocations(self) -> None:
        invocations = self.run.get("invocations") or []
        common.expect(isinstance(invocations, list), self.path, f"{_NOT}: {self.where}.invocations is not an array")
        for invocation in invocations:
            if not isinstance(invocation, dict):
                continue
            start, end = (
                common.aware_time(invocation.get("startTimeUtc")),
                common.aware_time(invocation.get("endTimeUtc")),
            )
            if start and (self.start is None or start < self.start):
                self.start = start
            if end and (self.end is None or end > self.end):
                self.end = end
            if invocation.get("executionSuccessful") is not False:
                self._read_errors(invocation)
            directory = invocation.get("workingDirectory")
            if self.target is None and isinstance(directory, dict):
                self.target = _uri_path(directory.get("uri"))
        bases = self.run.get("originalUriBaseIds")
        if self.target is None and isinstance(bases, dict):
            for key in _BASE_IDS:
                base = bases.get(key)
                if isinstance(base, dict) and _uri_path(base.get("uri")):
                    self.target = _uri_path(base.get("uri"))
                    break

    def _read_errors(self, invocation: dict[str, Any]) -> None:
        """Note what the invocation's error-level execution notifications name (see scan_errors in the module)."""
        for notification in _list(invocation.get("toolExecutionNotifications")):
            if not isinstance(notification, dict) or notification.get("level") != "error":
                continue
            places: set[str] = set()
            for location in _list(notification.get("locations")):
                artifact = _dict(_dict(_dict(location).get("physicalLocation")).get("artifactLocation"))
                if isinstance(artifact.get("uri"), str) and artifact["uri"]:
                    places.add(f"uri:{artifact.get('uriBaseId') or ''}:{artifact['uri']}")
                elif isinstance(artifact.get("index"), int):
                    places.add(f"index:{artifact['index']}")
            self.unscanned.update(places or {f"notification:{len(self.unscanned)}"})

    def check_success(self) -> None:
        """InputError when an invocation of this run says the scan failed."""
        for invocation in self.run.get("invocations") or []:
            if isinstance(invocation, dict) and invocation.get("executionSuccessful") is False:
                reason = _failure_reason(invocation)
                raise InputError(self.path, f"{self.name} reports a failed scan (executionSuccessful false): {reason}")

    def findings(self) -> Iterator[Finding]:
        """The run's findings, one per result that is a finding."""
        results = self.run.get("results")
        common.expect(
            results is not None,
            self.path,
            f"{self.where} of {self.name} has no 'results' array: the log does not say what the scan found",
        )
        common.expect(isinstance(results, list), self.path, f"{_NOT}: {self.where}.results is not an array")
        for index, result in enumerate(results):
            finding = self._finding(f"{self.where}.results[{index}]", result)
            if finding is not None:
                yield finding

    def _rule(self, where: str, result: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The result's rule id and rule object ({} when the run does not describe the rule)."""
        reference = result.get("rule")
        rule_id = result.get("ruleId")
        common.expect(rule_id is None or isinstance(rule_id, str), self.path, f"{_NOT}: {where}.ruleId is not a string")
        common.expect(
            reference is None or isinstance(reference, dict),
            self.path,
            f"{_NOT}: {where}.rule is not an object",
        )
        component, index = 0, result.get("ruleIndex")
        if reference:
            rule_id = rule_id or reference.get("id")
            index = reference.get("index", index)
            tool_component = reference.get("toolComponent")
            if isinstance(tool_component, dict) and isinstance(tool_component.get("index"), int):
                component = tool_component["index"] + 1
        rule: Any = None
        usable = isinstance(index, int) and not isinstance(index, bool) and index >= 0
        if usable and 0 <= component < len(self.components):
            rules = self.components[component]
            rule = rules[index] if index < len(rules) else None
        if not isinstance(rule, dict) and isinstance(rule_id, str):
            rule = self._rule_by_id(rule_id)
        if not isinstance(rule, dict):
            rule = {}
        if not (isinstance(rule_id, str) and rule_id.strip()):
            rule_id = rule.get("id") if isinstance(rule.get("id"), str) else None
        if not (isinstance(rule_id, str) and rule_id.strip()):
            rule_id, rule = self._rule_from_message(result)
        return rule_id.strip()[:256], rule

    def _rule_by_id(self, rule_id: str) -> dict[str, Any] | None:
        rule = self.by_id.get(rule_id)
        parent = rule_id
        while rule is None and "/" in parent:
            parent = parent.rsplit("/", 1)[0]
            rule = self.by_id.get(parent)
        return rule

    def _rule_from_message(self, result: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Gitleaks 7 names the rule only in its message: '<rule id> secret detected'."""
        message = _message(result)
        if message and message.endswith(" secret detected"):
            candidate = message.removesuffix(" secret detected")
            if candidate in self.by_id:
                return candidate, self.by_id[candidate]
        return _NO_RULE, {}

    def _rule_info(self, rule_id: str, rule: dict[str, Any]) -> _Rule:
        """The rule's share of a finding, computed on its first use and then reused."""
        key = (id(rule), rule_id)
        known = self.rules.get(key)
        if known is not None:
            return known
        props = _dict(rule.get("properties"))
        tags = tuple(t for t in _list(props.get("tags")) if isinstance(t, str))
        ids = common.advisory_ids([m.group(1) for m in _ADVISORY.finditer(" ".join([rule_id, *tags]))])
        rule_name = rule.get("name") if isinstance(rule.get("name"), str) else None
        package_rule = self.family == "trivy" and bool(rule_name) and str(rule_name).endswith("PackageVulnerability")
        if package_rule and not ids:
            ids = common.advisory_ids(rule_id)
        category = self.default_category
        if self.family == "trivy":
            category = _TRIVY_CATEGORIES.get(rule_name or "", category)
        severity: tuple[Severity, str | None] | None = _security_severity(props)
        if severity is None and self.family == "trivy":
            word = next((t for t in tags if t.isupper() and common.severity_from_word(t)), None)
            severity = (common.severity_from_word(word) or "unknown", word) if word else None
        level = _dict(rule.get("defaultConfiguration")).get("level")
        short = _text_of(rule.get("shortDescription"))
        if short and (short == rule_id or short.startswith("Semgrep Finding:")):
            short = None
        info = _Rule(
            rule=rule,
            props=props,
            tags=tags,
            ids=ids,
            cwe=common.cwe_numbers(list(tags), props.get("cwe")),
            category=category,
            package_rule=package_rule,
            severity=severity,
            level=level if isinstance(level, str) and level in _LEVELS else None,
            title=common.title_of(short, fallback=rule_id) if short else None,
            fallback_titles=(_text_of(rule.get("fullDescription")), rule_name),
            cvss=_cvss(props),
        )
        self.rules[key] = info
        return info

    def _finding(self, where: str, result: Any) -> Finding | None:
        common.expect(isinstance(result, dict), self.path, f"{_NOT}: {where} is not an object")
        kind = result.get("kind", "fail")
        if (isinstance(kind, str) and kind in _NOT_FINDINGS) or result.get("baselineState") == "absent":
            return None
        common.expect(kind == "fail", self.path, f"{_NOT}: {where}.kind {repr(kind)[:40]} is not a SARIF result kind")
        rule_id, rule_object = self._rule(where, result)
        rule = self._rule_info(rule_id, rule_object)
        props = _dict(result.get("properties"))
        ids, cwe = rule.ids, rule.cwe
        result_tags = [t for t in _list(props.get("tags")) if isinstance(t, str)]
        if result_tags or "cwe" in props:
            found_ids = [m.group(1) for m in _ADVISORY.finditer(" ".join(result_tags))]
            ids = common.advisory_ids(ids, found_ids)
            cwe = common.cwe_numbers(cwe, result_tags, props.get("cwe"))
        category = rule.category
        if self.family == "grype" and "installed in the container" in (_message(result) or ""):
            category = "container"
        severity, tool_severity = self._severity(where, result, rule, props)
        location = self._location(where, result)
        found_package = self._package(result, rule.rule) if ids or rule.package_rule else None
        title = self._title(rule_id, rule, result, category == "secrets", found_package)
        if found_package is not None:
            fingerprint = common.package_fingerprint(ids, rule_id, found_package.name, found_package.installed)
        else:
            extra = None
            if category == "iac" and location is not None:
                extra = location.resource
            if self.family == "gitleaks":
                extra = _gitleaks_commit(result)
            where_path = location.path if location else None
            line = location.line if location else None
            fingerprint = common.code_fingerprint(category, self.name, rule_id, where_path, line, extra)
        first_seen = common.timestamp(_dict(result.get("provenance")).get("firstDetectionTimeUtc"))
        if first_seen is None and self.family == "gitleaks":
            first_seen = common.timestamp(props.get("date")) or common.timestamp(
                _dict(result.get("partialFingerprints")).get("date")
            )
        fixes = result.get("fixes")
        return Finding(
            fingerprint=fingerprint,
            category=category,
            rule_id=rule_id,
            title=title,
            severity=severity,
            tool_severity=tool_severity,
            cvss=_cvss(props) or rule.cvss,
            ids=ids[:64],
            cwe=cwe[:32],
            package=found_package,
            fix_available=bool(isinstance(fixes, list) and fixes) or bool(found_package and found_package.fixed),
            location=location,
            first_seen=first_seen,
            suppression=self._suppression(where, result),
            occurrences=1,
        )

    def _severity(
        self, where: str, result: dict[str, Any], rule: _Rule, props: dict[str, Any]
    ) -> tuple[Severity, str | None]:
        found = _security_severity(props) or rule.severity
        if found is not None:
            return found
        if self.family == "bandit":
            word = props.get("issue_severity")
            mapped = common.severity_from_word(word)
            if mapped:
                return mapped, common.text(word, 64)
        level = result.get("level")
        valid = level is None or (isinstance(level, str) and level in _LEVELS)
        common.expect(valid, self.path, f"{_NOT}: {where}.level {repr(level)[:40]} is not a SARIF level")
        level = level or rule.level
        if self.family == "checkov":
            return "unknown", level
        if level is None:
            return ("high" if self.family == "gitleaks" else "medium"), None
        return common.severity_from_word(level) or "unknown", level

    def _title(self, rule_id: str, rule: _Rule, result: dict[str, Any], secret: bool, found: Package | None) -> str:
        if rule.title:
            return rule.title
        full, name = rule.fallback_titles
        if secret:
            return common.title_of(name, fallback=rule_id)
        if found is not None:
            return common.title_of(full, _message(result), name, fallback=rule_id)
        return common.title_of(_message(result), full, name, fallback=rule_id)

    def _location(self, where: str, result: dict[str, Any]) -> Location | None:
        locations = result.get("locations")
        if locations is None:
            return None
        common.expect(isinstance(locations, list), self.path, f"{_NOT}: {where}.locations is not an array")
        if not locations:
            return None
        first = locations[0]
        common.expect(isinstance(first, dict), self.path, f"{_NOT}: {where}.locations[0] is not an object")
        physical = _dict(first.get("physicalLocation"))
        artifact = _dict(physical.get("artifactLocation"))
        uri = artifact.get("uri")
        if uri is None and isinstance(artifact.get("index"), int):
            artifacts = self.run.get("artifacts")
            if isinstance(artifacts, list) and 0 <= artifact["index"] < len(artifacts):
                uri = _dict(_dict(artifacts[artifact["index"]]).get("location")).get("uri")
        region = _dict(physical.get("region"))
        line = _line(self.path, f"{where}.locations[0].physicalLocation.region", region, "startLine")
        end_line = _line(self.path, f"{where}.locations[0].physicalLocation.region", region, "endLine")
        resource = None
        logical = first.get("logicalLocations")
        if isinstance(logical, list) and logical and isinstance(logical[0], dict):
            resource = common.text(logical[0].get("fullyQualifiedName") or logical[0].get("name"), 1024)
        if isinstance(uri, str):
            if uri not in self.paths:
                self.paths[uri] = _uri_path(uri)
            found_path = self.paths[uri]
        else:
            found_path = None
        if found_path is None and line is None and resource is None:
            return None
        return Location(path=found_path, line=line, end_line=end_line, resource=resource)

    def _package(self, result: dict[str, Any], rule: dict[str, Any]) -> Package | None:
        """The vulnerable package a Trivy or Grype result names, when it can be read."""
        message = _message(result) or ""
        help_text = _text_of(rule.get("help"), keep_lines=True) or ""
        name = installed = None
        fixed: list[str] = []
        matched = _TRIVY_PACKAGE.search(message)
        if matched:
            name = matched.group(1)
            version = _TRIVY_INSTALLED.search(message)
            installed = version.group(1) if version else None
            fix = _TRIVY_FIXED.search(message)
            fixed = [fix.group(1)] if fix else []
        else:
            reports = _GRYPE_REPORTS.search(message)
            if reports:
                name, installed = reports.group(1), reports.group(2)
            help_package = _TRIVY_PACKAGE.search(help_text)
            if help_package and (name is None or help_package.group(1) == name):
                name = help_package.group(1)
                version = _HELP_VERSION.search(help_text)
                installed = installed or (version.group(1) if version else None)
                fix = _TRIVY_FIXED.search(help_text)
                fixed = [fix.group(1)] if fix else []
        if not name:
            return None
        return common.package(name, installed, fixed)

    def _suppression(self, where: str, result: dict[str, Any]) -> Suppression | None:
        suppressions = result.get("suppressions")
        if suppressions is None:
            return None
        common.expect(isinstance(suppressions, list), self.path, f"{_NOT}: {where}.suppressions is not an array")
        for entry in suppressions:
            common.expect(
                isinstance(entry, dict), self.path, f"{_NOT}: {where}.suppressions has an entry that is not an object"
            )
            status = entry.get("status")
            if status is None or status == "accepted":
                kind = entry.get("kind") if isinstance(entry.get("kind"), str) else "unknown"
                return Suppression(
                    kind="suppressed",
                    source=f"sarif:{kind}"[:128],
                    justification=common.text(entry.get("justification"), 1024),
                )
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _message(result: dict[str, Any]) -> str | None:
    message = _dict(result.get("message")).get("text")
    return message.strip() if isinstance(message, str) and message.strip() else None


def _text_of(value: Any, keep_lines: bool = False) -> str | None:
    """The `text` of a SARIF multiformatMessageString (whitespace collapsed unless `keep_lines`)."""
    raw = _dict(value).get("text")
    if not isinstance(raw, str) or not raw.strip():
        return None
    return raw if keep_lines else " ".join(raw.split())


def _line(path: Path, where: str, region: dict[str, Any], key: str) -> int | None:
    value = region.get(key)
    if value is None:
        return None
    common.expect(
        isinstance(value, int) and not isinstance(value, bool), path, f"{_NOT}: {where}.{key} is not an integer"
    )
    return value if value >= 0 else None


def _uri_path(uri: Any) -> str | None:
    """A path from a SARIF URI: percent-decoded, `file://` scheme removed; None when absent."""
    if not isinstance(uri, str) or not uri.strip():
        return None
    raw = uri.strip()
    if raw.lower().startswith("file:"):
        raw = urlparse(raw).path or raw
    return common.text(unquote(raw), 2048)


def _failure_reason(invocation: dict[str, Any]) -> str:
    """The first error (else any) notification message of a failed invocation, cut to one line."""
    notifications = [
        n
        for key in ("toolExecutionNotifications", "toolConfigurationNotifications")
        for n in _list(invocation.get(key))
        if isinstance(n, dict)
    ]
    notifications.sort(key=lambda n: 0 if n.get("level") == "error" else 1)
    for notification in notifications:
        message = _message(notification)
        if message:
            return common.title_of(message, fallback="no message")[:300]
    return common.text(invocation.get("exitCodeDescription"), 300) or "no notification message"


def _gitleaks_commit(result: dict[str, Any]) -> str | None:
    commit = _dict(result.get("properties")).get("commit") or _dict(result.get("partialFingerprints")).get("commitSha")
    return commit.strip() if isinstance(commit, str) and commit.strip() else None


def _security_severity(props: dict[str, Any]) -> tuple[Severity, str | None] | None:
    """The CVSS band of a `security-severity` property and the value as written; None when absent or not a score."""
    raw = props.get("security-severity")
    number = common.score(raw)
    if number is None:
        return None
    return common.severity_from_score(number), common.text(str(raw), 64)


def _cvss(props: dict[str, Any]) -> Cvss | None:
    """A Cvss from Snyk's `cvssv3_baseScore` (+ `cvssv3_vector`) property; None when absent."""
    for key in ("cvssv3_baseScore", "cvssV3_baseScore"):
        if key in props:
            found = common.cvss(props[key], props.get("cvssv3_vector") or props.get("cvssV3_vector"))
            if found is not None:
                return found
    return None
