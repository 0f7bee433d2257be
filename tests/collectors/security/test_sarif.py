"""SARIF 2.1.0 collector: CodeQL, Gitleaks, Bandit, Semgrep, Checkov, Trivy and Grype logs, edge cases, failures.

Expected counts are computed here from the raw JSON with a per-tool severity rule written out in the test
(not by calling the collector's helpers), one finding per distinct (rule, path, line[, commit]) or per
(advisory, package, installed version).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors import collect, detect
from evaluator.collectors.security.common import code_fingerprint, package_fingerprint
from evaluator.collectors.security.sarif import SarifCollector
from tests.collectors.security import helpers

DATA = helpers.TESTS_DATA / "security" / "sarif"
CODEQL_NEW = DATA / "codeql" / "codeql_2.12.5_javascript_vulnerable_express.sarif"
CODEQL_OLD = DATA / "codeql" / "codeql_2.5.4_python_defectdojo.sarif"
GITLEAKS_7 = DATA / "gitleaks" / "gitleaks_v7.5.0.sarif"
GITLEAKS_8 = DATA / "gitleaks" / "gitleaks_v8_report_sarif_simple.sarif"
BANDIT = DATA / "bandit" / "bandit_1.9.4_app.sarif"
SEMGREP = DATA / "semgrep" / "semgrep_1.185.0_app.sarif"
SEMGREP_CLEAN = DATA / "semgrep" / "semgrep_1.185.0_clean.sarif"
CHECKOV = DATA / "checkov" / "checkov_3.3.30_terraform.sarif"
TRIVY = DATA / "trivy" / "trivy_dev_alpine310_image_golden.sarif"
GRYPE = DATA / "grype" / "grype_0.0.0-dev_image_golden.sarif"
EDGE = DATA / "edge"
TWO_RUNS = EDGE / "two_runs_extensions_suppressions.sarif"
LEVEL_WORDS = {"error": "high", "warning": "medium", "note": "info", "none": "info"}
NOT = "not a SARIF 2.1.0 log"


def _raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _region(result: dict[str, Any]) -> tuple[str, int]:
    physical = result["locations"][0]["physicalLocation"]
    return physical["artifactLocation"]["uri"], physical["region"]["startLine"]


Rule = dict[str, Any]


def _count(
    path: Path,
    severity: Callable[[dict[str, Any], Rule], str],
    key: Callable[[dict[str, Any]], tuple[Any, ...]] | None = None,
) -> tuple[Counter[str], int]:
    """Severity counts and the number of suppressed findings, straight from the raw log (single-run samples)."""
    run = _raw(path)["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"].get("rules", [])}
    found: dict[tuple[Any, ...], tuple[str, bool]] = {}
    for result in run["results"]:
        rule = rules.get(result.get("ruleId", ""), {})
        identity = key(result) if key else (result["ruleId"], *_region(result))
        suppressed = bool(result.get("suppressions"))
        found[identity] = (severity(result, rule), suppressed)
    counts = Counter(sev for sev, suppressed in found.values() if not suppressed)
    return counts, sum(1 for _, suppressed in found.values() if suppressed)


def _unscanned(path: Path) -> int:
    """Distinct files named by error-level execution notifications of successful invocations, per run."""
    total = 0
    for run in _raw(path)["runs"]:
        files = {
            location["physicalLocation"]["artifactLocation"]["uri"]
            for invocation in run.get("invocations", [])
            if invocation.get("executionSuccessful") is not False
            for notification in invocation.get("toolExecutionNotifications", [])
            if notification.get("level") == "error"
            for location in notification["locations"]
        }
        total += len(files)
    return total


def _check(path: Path, expected: Counter[str], suppressed: int = 0) -> dict[str, Any]:
    item, document = helpers.collect_valid(path)
    assert item.source.format == "sarif"
    data = document["data"]
    assert data["counts"] == {s: expected.get(s, 0) for s in helpers.SEVERITIES}
    assert data["suppressed"] == suppressed
    assert data["scan_errors"] == _unscanned(path)
    assert len(data["findings"]) == sum(expected.values()) + suppressed
    assert data["truncated"] is False
    return data


def _by_rule(data: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if f["rule_id"] == rule_id]


# --- CodeQL -------------------------------------------------------------------------------------------------------


def _codeql_severity(result: dict[str, Any], rule: Rule) -> str:
    properties = rule.get("properties", {})
    if "security-severity" in properties:
        return helpers.cvss_band(float(properties["security-severity"]))
    return LEVEL_WORDS[result.get("level") or rule["defaultConfiguration"]["level"]]


def test_codeql_2_12_security_severity_and_cwe() -> None:
    expected, _ = _count(CODEQL_NEW, _codeql_severity)
    assert expected == Counter({"medium": 12, "high": 2})  # 16 results, two pairs on one rule/path/line
    data = _check(CODEQL_NEW, expected)
    assert data["scanner"] == {"name": "CodeQL", "version": "2.12.5"}
    assert data["scan_types"] == ["sast"]
    xss = [f for f in _by_rule(data, "js/reflected-xss") if f["location"] == {"path": "app.ts", "line": 40}]
    assert len(xss) == 1
    assert xss[0]["title"] == "Reflected cross-site scripting"
    assert xss[0]["severity"] == "medium"
    assert xss[0]["tool_severity"] == "6.1"
    assert xss[0]["cwe"] == [79, 116]
    assert xss[0]["category"] == "sast"
    assert xss[0]["location"] == {"path": "app.ts", "line": 40}
    assert xss[0]["fingerprint"] == code_fingerprint("sast", "CodeQL", "js/reflected-xss", "app.ts", 40)
    doubled = [f for f in data["findings"] if f["occurrences"] == 2]
    assert {(f["rule_id"], f["location"]["path"]) for f in doubled} == {
        ("js/incomplete-sanitization", "app.ts"),
        ("js/incomplete-sanitization", "dist/app.js"),
    }


def test_codeql_extraction_errors_count_once_per_file() -> None:
    """97 error notifications, one per line of the one tsconfig.json CodeQL could not extract: one scan error."""
    (invocation,) = _raw(CODEQL_NEW)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    errors = [n for n in invocation["toolExecutionNotifications"] if n["level"] == "error"]
    assert len(errors) == 97
    assert {loc["physicalLocation"]["artifactLocation"]["uri"] for n in errors for loc in n["locations"]} == {
        "tsconfig.json"
    }
    data = collect(CODEQL_NEW).to_json_dict()["data"]
    assert data["scan_errors"] == 1 == _unscanned(CODEQL_NEW)
    assert "Extraction failed" not in json.dumps(data)


def test_scan_errors_from_execution_notifications(tmp_path: Path) -> None:
    """Error notifications count per artifact (uri, else index) and alone without one, each run on its own;
    warning / none notifications, configuration notifications and a run that failed as a whole do not count."""

    def notification(level: str | None, *locations: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = {"message": {"text": "could not analyse"}, "locations": list(locations)}
        return found if level is None else {**found, "level": level}

    def at(uri: str | None = None, index: int | None = None) -> dict[str, Any]:
        artifact = {"uri": uri} if uri is not None else {"index": index}
        return {"physicalLocation": {"artifactLocation": artifact}}

    def run(*notifications: dict[str, Any]) -> dict[str, Any]:
        invocation = {
            "executionSuccessful": True,
            "toolExecutionNotifications": list(notifications),
            "toolConfigurationNotifications": [notification("error", at("rules.yml"))],
        }
        return {"tool": {"driver": {"name": "Semgrep OSS"}}, "invocations": [invocation], "results": []}

    first = run(
        notification("error", at("a.py")),
        notification("error", at("a.py"), at("b.py")),
        notification("error", at(index=0)),
        notification("error"),
        notification("error"),
        notification("warning", at("c.py")),
        notification(None, at("d.py")),  # SARIF's default level is warning
        notification("none", at("e.py")),
    )
    second = run(notification("error", at("a.py")))
    path = helpers.write_json(tmp_path, {"version": "2.1.0", "runs": [first, second]}, "notifications.sarif")
    _, document = helpers.collect_valid(path)
    assert document["data"]["scan_errors"] == 2 + 1 + 2 + 1
    assert document["data"]["findings"] == []


def test_codeql_2_5_levels_without_security_severity() -> None:
    raw = _raw(CODEQL_OLD)["runs"][0]
    assert len(raw["results"]) == 72
    assert all("level" not in r for r in raw["results"])
    expected, _ = _count(CODEQL_OLD, _codeql_severity)
    data = _check(CODEQL_OLD, expected)
    assert data["counts"]["info"] == 57  # CodeQL "recommendation" queries: level note
    assert data["scanner"]["version"] == "2.5.4"
    flask = _by_rule(data, "py/flask-debug")
    assert {f["severity"] for f in flask} == {"high"}
    assert {f["tool_severity"] for f in flask} == {"error"}
    # partialFingerprints (primaryLocationLineHash) never reach the evidence
    assert "primaryLocationLineHash" not in json.dumps(data)
    assert raw["results"][0]["partialFingerprints"]["primaryLocationLineHash"] not in json.dumps(data)


# --- Gitleaks (secrets) --------------------------------------------------------------------------------------------


def _gitleaks_7_key(result: dict[str, Any]) -> tuple[Any, ...]:
    return (result["message"]["text"], *_region(result), result["properties"]["commit"])


def test_gitleaks_7_rule_from_message_and_no_secret_anywhere() -> None:
    raw = _raw(GITLEAKS_7)
    expected, _ = _count(GITLEAKS_7, lambda r, rule: "high", _gitleaks_7_key)
    assert expected == Counter({"high": 8})
    data = _check(GITLEAKS_7, expected)
    assert data["scanner"] == {"name": "Gitleaks", "version": "v7.4.0"}
    assert data["scan_types"] == ["secrets"]
    rules = Counter(f["rule_id"] for f in data["findings"])
    assert rules == Counter({"AWS Access Key": 6, "Asymmetric Private Key": 2})
    first = raw["runs"][0]["results"][0]
    uri, line = _region(first)
    commit = first["properties"]["commit"]
    match = [
        f
        for f in data["findings"]
        if f["fingerprint"] == code_fingerprint("secrets", "gitleaks", "AWS Access Key", uri, line, commit)
    ]
    assert len(match) == 1
    assert match[0]["title"] == "AWS Access Key"
    assert "tool_severity" not in match[0]  # Gitleaks writes no level: high, as the gitleaks-json collector
    assert match[0]["first_seen"] == "2021-07-15T15:00:32Z"  # properties.date 2021-07-15T22:00:32+07:00
    never = ["AKIAIOSFODNN7EXAMPLE", "PRIVATE KEY-----"]
    for result in raw["runs"][0]["results"]:
        never.append(result["properties"]["offender"])
        never.append(result["locations"][0]["physicalLocation"]["region"]["snippet"]["text"].strip())
        never.append(result["properties"]["commitMessage"][:40])
    helpers.assert_never_copied(collect(GITLEAKS_7).to_json_dict(), never)


def test_gitleaks_8_title_is_the_rule_never_the_message() -> None:
    raw = _raw(GITLEAKS_8)
    data = _check(GITLEAKS_8, Counter({"high": 1}))
    (finding,) = data["findings"]
    assert finding["rule_id"] == "test-rule"
    assert finding["title"] == "test-rule"  # the rule is not in the run's rules: its id, not the message
    assert finding["location"] == {"path": "auth.py", "line": 1, "end_line": 2}
    assert finding["fingerprint"] == code_fingerprint(
        "secrets", "gitleaks", "test-rule", "auth.py", 1, "0000000000000000"
    )
    result = raw["runs"][0]["results"][0]
    snippet = result["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]
    helpers.assert_never_copied(collect(GITLEAKS_8).to_json_dict(), [snippet, result["message"]["text"], "johndoe"])


# --- Bandit, Semgrep, Checkov (generated here, see SOURCES.md) -----------------------------------------------------


def test_bandit_issue_severity_and_medium_without_level() -> None:
    raw = _raw(BANDIT)["runs"][0]
    no_level = [r for r in raw["results"] if "level" not in r]
    assert {r["properties"]["issue_severity"] for r in no_level} == {"MEDIUM"}
    expected, _ = _count(BANDIT, lambda r, rule: r["properties"]["issue_severity"].lower())
    assert expected == Counter({"high": 2, "medium": 2, "low": 4})
    data = _check(BANDIT, expected)
    assert data["scanner"] == {"name": "Bandit", "version": "1.9.4"}
    (pickle,) = _by_rule(data, "B301")
    assert (pickle["severity"], pickle["tool_severity"], pickle["cwe"]) == ("medium", "MEDIUM", [502])
    (password,) = _by_rule(data, "B105")
    assert password["severity"] == "low"
    assert "hunter2" not in json.dumps(data)
    assert _by_rule(data, "B307") == []  # `# nosec`: Bandit leaves it out of the log


def test_semgrep_rule_levels_and_in_source_suppression() -> None:
    head = SEMGREP.read_bytes()[:200]
    assert b"$schema" not in head  # Semgrep writes $schema last: detected by version + runs
    expected, suppressed = _count(SEMGREP, lambda r, rule: LEVEL_WORDS[rule["defaultConfiguration"]["level"]])
    assert (expected, suppressed) == (Counter({"high": 1, "medium": 2, "info": 1}), 1)
    data = _check(SEMGREP, expected, suppressed)
    assert data["scanner"] == {"name": "Semgrep OSS", "version": "1.185.0"}
    evals = {f["location"]["line"]: f for f in _by_rule(data, "python-eval")}
    assert evals[37]["suppression"] == {"kind": "suppressed", "source": "sarif:inSource"}
    assert "suppression" not in evals[33]
    assert evals[33]["title"] == "eval() of a possibly untrusted expression"  # not "Semgrep Finding: python-eval"
    assert evals[33]["cwe"] == [95]


def test_semgrep_clean_scan_is_valid_evidence() -> None:
    assert _raw(SEMGREP_CLEAN)["runs"][0]["results"] == []
    data = _check(SEMGREP_CLEAN, Counter())
    assert data["findings"] == []
    assert data["scan_types"] == ["sast"]


def test_checkov_unknown_severity_iac_and_skip_comment() -> None:
    raw = _raw(CHECKOV)["runs"][0]
    assert {r["level"] for r in raw["results"] if "suppressions" not in r} == {"error"}
    expected, suppressed = _count(CHECKOV, lambda r, rule: "unknown")
    assert (expected, suppressed) == (Counter({"unknown": 10}), 1)
    data = _check(CHECKOV, expected, suppressed)
    assert data["scanner"] == {"name": "Checkov", "version": "3.3.30"}
    assert data["scan_types"] == ["iac"]
    (skipped,) = _by_rule(data, "CKV_AWS_18")
    assert skipped["suppression"] == {
        "kind": "suppressed",
        "source": "sarif:inSource",
        "justification": "access logging is done by the proxy",
    }
    (ssh,) = _by_rule(data, "CKV_AWS_24")
    assert ssh["tool_severity"] == "error"
    assert ssh["location"] == {"path": "src/main.tf", "line": 8, "end_line": 17}


# --- Trivy and Grype (package vulnerabilities) ---------------------------------------------------------------------


def _trivy_key(result: dict[str, Any]) -> tuple[Any, ...]:
    lines = dict(line.split(": ", 1) for line in result["message"]["text"].splitlines() if ": " in line)
    return result["ruleId"], lines["Package"], lines["Installed Version"]


def test_trivy_package_fingerprint_and_severity_tag() -> None:
    expected, _ = _count(TRIVY, lambda r, rule: rule["properties"]["tags"][-1].lower(), _trivy_key)
    assert expected == Counter({"medium": 6, "low": 2})
    data = _check(TRIVY, expected)
    assert data["scanner"] == {"name": "Trivy", "version": "dev"}
    assert data["scan_types"] == ["container"]
    (ssl,) = [f for f in _by_rule(data, "CVE-2019-1551") if f["package"]["name"] == "libssl1.1"]
    assert ssl["fingerprint"] == package_fingerprint(["CVE-2019-1551"], "CVE-2019-1551", "libssl1.1", "1.1.1c-r0")
    assert ssl["package"] == {"name": "libssl1.1", "installed": "1.1.1c-r0", "fixed": ["1.1.1d-r2"]}
    assert ssl["ids"] == ["CVE-2019-1551"]
    assert ssl["fix_available"] is True
    assert ssl["category"] == "container"
    assert ssl["tool_severity"] == "MEDIUM"


def test_grype_package_from_message_and_help() -> None:
    expected, _ = _count(GRYPE, lambda r, rule: helpers.cvss_band(float(rule["properties"]["security-severity"])))
    assert expected == Counter({"medium": 1, "low": 1})
    data = _check(GRYPE, expected)
    assert data["scanner"] == {"name": "grype", "version": "0.0.0-dev"}
    (first,) = _by_rule(data, "CVE-1999-0001-package-1")
    assert first["ids"] == ["CVE-1999-0001"]
    assert first["package"] == {"name": "package-1", "installed": "1.1.1", "fixed": ["the-next-version"]}
    assert first["fix_available"] is True
    assert first["category"] == "container"
    assert first["fingerprint"] == package_fingerprint(["CVE-1999-0001"], "x", "package-1", "1.1.1")
    (second,) = _by_rule(data, "CVE-1999-0002-package-2")
    assert second["package"]["fixed"] == []
    assert second["fix_available"] is False
    assert second["location"]["resource"] == "user-input@:/somefile-2.txt"


# --- Same finding, same fingerprint, whichever output format --------------------------------------------------------


@pytest.mark.parametrize(
    ("sarif", "other"),
    [
        (GITLEAKS_7, helpers.TESTS_DATA / "security" / "gitleaks" / "gitleaks_v7.5.0.json"),
        (TRIVY, helpers.TESTS_DATA / "security" / "trivy" / "trivy_alpine310_image_schema2_2021-10.json"),
    ],
)
def test_fingerprints_match_the_tools_json_collector(sarif: Path, other: Path) -> None:
    """Gitleaks 7 SARIF and JSON of one scan, Trivy SARIF and JSON of the same alpine 3.10 image: same findings."""
    from_sarif = {f["fingerprint"] for f in collect(sarif).to_json_dict()["data"]["findings"]}
    from_json = {f["fingerprint"] for f in collect(other).to_json_dict()["data"]["findings"]}
    assert len(from_sarif) == 8
    assert from_sarif <= from_json


# --- Hand-written edge cases ---------------------------------------------------------------------------------------


def test_two_runs_extensions_suppressions_kinds_and_levels() -> None:
    item, document = helpers.collect_valid(TWO_RUNS)
    data = document["data"]
    assert data["scanner"] == {"name": "CodeQL + Semgrep OSS", "version": "2.15.0"}
    assert item.source.tool == "CodeQL + Semgrep OSS"
    assert data["target"] == "/home/runner/work/shop/shop/"
    assert item.observed is not None
    assert item.observed.start == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert item.observed.end == datetime(2026, 3, 1, 10, 7, 30, tzinfo=UTC)
    # 16 CodeQL results: 4 are not findings (pass, notApplicable, informational, baseline absent), two merge
    assert data["counts"] == {"critical": 1, "high": 5, "medium": 2, "low": 0, "info": 2, "unknown": 0}
    assert data["suppressed"] == 2
    lines = {(f["rule_id"], f["location"].get("line")): f for f in data["findings"]}
    injection = lines[("js/code-injection", 10)]  # rule via rule.toolComponent.index -> extensions[1]
    assert (injection["severity"], injection["tool_severity"], injection["cwe"]) == ("critical", "9.8", [94, 95])
    assert injection["first_seen"] == "2026-01-02T01:04:05Z"
    assert injection["location"] == {"path": "src/app.js", "line": 10, "end_line": 12}
    sql = {line: f for (rule, line), f in lines.items() if rule == "js/sql-injection/1"}
    assert sorted(sql) == [20, 21, 22, 23, 24, 29]  # 25-28: pass, notApplicable, informational, absent
    assert {f["severity"] for f in sql.values()} == {"high"}  # parent rule js/sql-injection's 8.8
    assert sql[20]["title"] == "Database query built from user-controlled sources"
    assert sql[21]["suppression"] == {
        "kind": "suppressed",
        "source": "sarif:inSource",
        "justification": "input is a constant",
    }
    assert "suppression" not in sql[22]  # underReview
    assert "suppression" not in sql[23]  # rejected
    assert sql[24]["suppression"] == {
        "kind": "suppressed",
        "source": "sarif:external",
        "justification": "tracked in JIRA-1",
    }
    assert "suppression" not in sql[29]  # baselineState new, suppressions []
    assert (
        lines[("js/unused-local-variable", 30)]["severity"],
        lines[("js/unused-local-variable", 30)]["tool_severity"],
    ) == ("info", "note")
    assert lines[("js/unused-local-variable", 31)]["severity"] == "info"
    merged = lines[("js/unused-local-variable", 50)]
    assert (merged["occurrences"], merged["severity"]) == (2, "medium")  # partialFingerprints differ: same finding
    no_level = lines[("js/no-level", 40)]
    assert no_level["severity"] == "medium"
    assert "tool_severity" not in no_level
    assert no_level["location"]["path"] == "src/lib/my file.js"  # from run.artifacts[0], percent-decoded
    assert no_level["fix_available"] is True
    semgrep = lines[("python-eval", 7)]
    assert semgrep["fingerprint"] == code_fingerprint("sast", "Semgrep OSS", "python-eval", "tools/run.py", 7)
    assert semgrep["title"] == "eval() of a possibly untrusted expression"


def test_advisory_without_identifiable_package_and_review_kinds(tmp_path: Path) -> None:
    """A CVE rule whose package cannot be read keeps a code fingerprint; kinds open and review are not findings."""
    log = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "osv-scanner", "version": "1.9.0"}},
                "results": [
                    {
                        "ruleId": "GHSA-JFH8-C2JP-5V3Q",
                        "message": {"text": "log4j-core is vulnerable"},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "pom.xml"}}}],
                        "properties": {"tags": ["CVE-2021-44228"], "security-severity": "10.0"},
                    },
                    {"ruleId": "GHSA-JFH8-C2JP-5V3Q", "kind": "open", "message": {"text": "maybe"}},
                    {"ruleId": "GHSA-JFH8-C2JP-5V3Q", "kind": "review", "message": {"text": "check"}},
                ],
            }
        ],
    }
    path = tmp_path / "osv.sarif"
    path.write_text(json.dumps(log), encoding="utf-8")
    item, _ = helpers.collect_valid(path)
    (finding,) = item.to_json_dict()["data"]["findings"]
    assert finding["ids"] == ["CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q"]
    assert finding["category"] == "sca"
    assert "package" not in finding
    assert finding["severity"] == "critical"
    assert finding["fingerprint"] == code_fingerprint("sca", "osv-scanner", "GHSA-JFH8-C2JP-5V3Q", "pom.xml", None)


# --- Failures ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "failed_scan.sarif",
            "Trivy reports a failed scan (executionSuccessful false): "
            'image scan failed: unable to find the specified image "shop:1.2"',
        ),
        ("version_2.0.0.sarif", "SARIF version '2.0.0' is not supported, expected '2.1.0'"),
        ("no_runs.sarif", "SARIF log has no runs: it does not say which tool ran"),
        ("wrong_type_results.sarif", f"{NOT}: runs[0].results is not an array"),
        ("wrong_level.sarif", f"{NOT}: runs[0].results[0].level 'fatal' is not a SARIF level"),
        (
            "wrong_type_start_line.sarif",
            f"{NOT}: runs[0].results[0].locations[0].physicalLocation.region.startLine is not an integer",
        ),
    ],
)
def test_bad_logs_are_input_errors(name: str, message: str) -> None:
    assert helpers.input_error(EDGE / name).message == message


def test_empty_file() -> None:
    helpers.assert_empty_refused(EDGE / "empty.sarif", SarifCollector, "a SARIF 2.1.0 log", "sarif")


def test_truncated_json() -> None:
    error = helpers.input_error(EDGE / "truncated.sarif")
    assert error.message.startswith("malformed JSON")
    assert error.line == 5


def test_other_tools_json_is_an_input_error() -> None:
    other = helpers.TESTS_DATA / "security" / "trivy" / "trivy_alpine310_image_schema2_2026.json"
    assert helpers.input_error(other, "sarif").message == f"{NOT}: no 'version'"
    array = helpers.TESTS_DATA / "security" / "gitleaks" / "gitleaks_v8_many.json"
    assert helpers.input_error(array, "sarif").message == f"{NOT}: expected a JSON object with 'version' and 'runs'"


def test_wrong_types(tmp_path: Path) -> None:
    run = '{"tool": {"driver": {"name": "X"}}, "results": [%s]}'
    cases = {
        '{"version": "2.1.0", "runs": {}}': f"{NOT}: 'runs' is not an array",
        '{"version": "2.1.0", "runs": [[]]}': f"{NOT}: runs[0] is not an object",
        '{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}': f"{NOT}: runs[0].tool.driver has no 'name'",
        run % "1": f"{NOT}: runs[0].results[0] is not an object",
        run % '{"ruleId": 5}': f"{NOT}: runs[0].results[0].ruleId is not a string",
        run % '{"ruleId": "a", "kind": "bad"}': f"{NOT}: runs[0].results[0].kind 'bad' is not a SARIF result kind",
        run % '{"ruleId": "a", "suppressions": {}}': f"{NOT}: runs[0].results[0].suppressions is not an array",
        '{"version": 2.1, "runs": []}': "SARIF version 2.1 is not supported, expected '2.1.0'",
        '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "X"}}}]}': (
            "runs[0] of X has no 'results' array: the log does not say what the scan found"
        ),
        '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "X"}}, "results": null}]}': (
            "runs[0] of X has no 'results' array: the log does not say what the scan found"
        ),
    }
    for index, (content, message) in enumerate(cases.items()):
        path = tmp_path / f"case{index}.sarif"
        if content.startswith('{"tool"'):
            content = '{"version": "2.1.0", "runs": [' + content + "]}"
        path.write_text(content, encoding="utf-8")
        assert helpers.input_error(path, "sarif").message == message, content


# --- Detection -----------------------------------------------------------------------------------------------------


def test_detects_every_sarif_sample() -> None:
    for path in [CODEQL_NEW, CODEQL_OLD, GITLEAKS_7, GITLEAKS_8, BANDIT, SEMGREP, SEMGREP_CLEAN, CHECKOV, TRIVY, GRYPE]:
        assert detect(path) is SarifCollector, path


def test_detect_is_specific() -> None:
    """SARIF is detected in every .sarif file and in nothing else under the shared samples and tests/data."""
    mine = [p for p in helpers.every_sample_file() if p.suffix == ".sarif" and p.name != "empty.sarif"]
    assert len(mine) > 10
    helpers.assert_detect_is_specific(SarifCollector, mine, minimum=50)
