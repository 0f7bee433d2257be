"""Snyk CLI JSON collector: open source, all-projects, container and IaC reports, edge cases, failures, detection."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors import collect, detect
from evaluator.collectors.interface import HEAD_BYTES
from evaluator.collectors.security.common import code_fingerprint, package_fingerprint
from evaluator.collectors.security.snyk import SnykJsonCollector
from tests.collectors.security import helpers

DATA = helpers.TESTS_DATA / "security" / "snyk"
ERROR_REPORT = DATA / "snyk_error_report_handmade.json"
SAMPLES = sorted(p for p in DATA.glob("*.json") if p != ERROR_REPORT)
SINGLE = DATA / "snyk_test_single_project_maven.json"
ALL_PROJECTS = DATA / "snyk_test_all_projects_list.json"
NO_VULNS = DATA / "snyk_test_no_vulns.json"
CONTAINER = DATA / "snyk_container_with_app_vulns.json"
CONTAINER_EPSS = DATA / "snyk_container_test_epss.json"
IAC = DATA / "snyk_iac_test_report.json"
HANDMADE = DATA / "snyk_test_paths_ignore_license_handmade.json"
SNYK = "a Snyk JSON report (snyk test --json)"
NOT_SNYK = f"not {SNYK}"


def _raw(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _independent(document: Any) -> tuple[Counter[str], int, int]:
    """Counting severities straight from the JSON: one finding per (Snyk id, package, version) or per IaC issue.

    Returns the counted severities (not ignored), the number of ignored findings and the rows listed.
    """
    counted: dict[tuple[str, ...], str] = {}
    ignored: set[tuple[str, ...]] = set()
    rows = 0
    projects = document if isinstance(document, list) else [document]
    for project in list(projects):
        projects.extend(project.get("applications", []))
    for project in projects:
        for vuln in project.get("vulnerabilities", []):
            rows += 1
            key = ("pkg", vuln["id"], vuln["name"], vuln["version"])
            counted[key] = vuln.get("severityWithCritical") or vuln["severity"]
        for vuln in project.get("filtered", {}).get("ignore", []):
            rows += 1
            ignored.add(("pkg", vuln["id"], vuln["name"], vuln["version"]))
        for issue in project.get("infrastructureAsCodeIssues", []):
            rows += 1
            key = ("iac", project["targetFile"], issue["id"], str(issue["lineNumber"]), issue["msg"])
            if issue["isIgnored"]:
                ignored.add(key)
            else:
                counted[key] = issue["severity"]
    return Counter(counted.values()), len(ignored), rows


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_parses_with_counts_checked_against_the_raw_json(path: Path) -> None:
    expected, ignored, rows = _independent(_raw(path))
    item, as_json = helpers.collect_valid(path)
    assert item.source.format == "snyk-json" and item.source.tool == "snyk" and item.source.tool_version is None
    data = as_json["data"]
    assert data["scanner"] == {"name": "snyk"}
    assert data["counts"] == {s: expected.get(s, 0) for s in helpers.SEVERITIES}
    assert data["suppressed"] == ignored
    assert len(data["findings"]) == sum(expected.values()) + ignored
    assert sum(f["occurrences"] for f in data["findings"]) == rows
    assert data["truncated"] is False
    assert data["scan_errors"] == 0  # a Snyk project it could not test is an error report, not a count
    for finding in data["findings"]:
        assert "first_seen" not in finding  # Snyk never says when it first saw an issue in this project


def test_the_samples_cover_every_shape() -> None:
    """Guard against a sample losing its point: the counts above must not all be trivially zero."""
    assert _independent(_raw(ALL_PROJECTS))[2] == 4
    assert _independent(_raw(IAC))[0] == Counter({"medium": 15, "low": 12, "high": 3})
    assert _independent(_raw(HANDMADE))[1:] == (1, 5)


def test_single_project_finding_field_by_field() -> None:
    data = collect(SINGLE).to_json_dict()["data"]
    assert data["scan_types"] == ["sca"]
    assert data["target"] == "com.test:myframework (pom.xml)"
    finding = helpers.one_finding(data, "SNYK-JAVA-ORGAPACHESANTUARIO-460281")
    assert finding == {
        "fingerprint": package_fingerprint(["CVE-2019-12400"], "x", "org.apache.santuario:xmlsec", "2.1.1"),
        "category": "sca",
        "rule_id": "SNYK-JAVA-ORGAPACHESANTUARIO-460281",
        "title": "XML External Entity (XXE) Injection",
        "severity": "medium",
        "tool_severity": "medium",
        "cvss": {
            "score_x10": 65,
            "version": "3.1",
            "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:L",
            "source": "snyk",
        },
        "ids": ["CVE-2019-12400", "SNYK-JAVA-ORGAPACHESANTUARIO-460281"],
        "cwe": [611],
        "package": {
            "name": "org.apache.santuario:xmlsec",
            "installed": "2.1.1",
            "fixed": ["2.1.4"],
            "ecosystem": "maven",
        },
        "fix_available": True,
        "location": {"path": "pom.xml"},
        "published": "2019-08-25T13:53:19Z",
        "occurrences": 1,
    }


def test_no_vulnerabilities_is_a_clean_scan_not_an_error() -> None:
    data = collect(NO_VULNS).to_json_dict()["data"]
    assert data["findings"] == []
    assert data["counts"] == dict.fromkeys(helpers.SEVERITIES, 0)
    assert data["scan_types"] == ["sca"] and data["target"] == "com.test:maven-profiles (pom.xml)"


def test_all_projects_array_is_combined_and_the_same_package_version_counts_once() -> None:
    data = collect(ALL_PROJECTS).to_json_dict()["data"]
    assert data["target"] == (
        "com.test:version-collision (pom.xml), com.test:project-a (project-a\\pom.xml), "
        "com.test:project-b (project-b\\pom.xml)"
    )
    # guava 29.0-jre is vulnerable in two projects: one finding, two occurrences; guava 22.0 is another finding
    newer = helpers.one_finding(data, "SNYK-JAVA-COMGOOGLEGUAVA-1015415", installed="29.0-jre")
    older = helpers.one_finding(data, "SNYK-JAVA-COMGOOGLEGUAVA-1015415", installed="22.0")
    assert newer["occurrences"] == 2 and older["occurrences"] == 1
    assert newer["package"]["fixed"] == ["30.0-android", "30.0-jre"]
    # version-collision cannot upgrade it, project-b can: the merged finding keeps "a fix is known"
    assert newer["fix_available"] is True
    assert helpers.one_finding(data, "SNYK-JAVA-COMGOOGLEGUAVA-32236")["ids"] == [
        "CVE-2018-10237",
        "GHSA-mvr2-9pj6-7w5j",
        "SNYK-JAVA-COMGOOGLEGUAVA-32236",
    ]


def test_container_report_os_package_is_the_binary_package_and_category_container() -> None:
    data = collect(CONTAINER).to_json_dict()["data"]
    assert data["scan_types"] == ["container"]
    assert data["target"] == "vulnerable:latest (base image python:3.11.0b3-slim-buster)"
    zlib = helpers.one_finding(data, "SNYK-DEBIAN10-ZLIB-2976149")
    assert zlib["category"] == "container"
    assert zlib["severity"] == "critical" and zlib["cvss"]["score_x10"] == 98
    assert zlib["package"] == {
        "name": "zlib1g",
        "installed": "1:1.2.11.dfsg-1+deb10u1",
        "fixed": [],
        "ecosystem": "deb",
    }
    assert zlib["fix_available"] is False
    assert zlib["fingerprint"] == package_fingerprint(["CVE-2022-37434"], "x", "zlib1g", "1:1.2.11.dfsg-1+deb10u1")
    assert "location" not in zlib
    # the Go binary Snyk found inside the image (applications[])
    app = helpers.one_finding(data, "SNYK-GOLANG-GOLANGORGXCRYPTOSSH-551923")
    assert app["category"] == "container" and app["location"] == {"path": "/bin/gobin"}
    assert app["ids"] == ["CVE-2020-9283", "GHSA-ffhg-7mh4-33c4", "SNYK-GOLANG-GOLANGORGXCRYPTOSSH-551923"]
    assert app["package"]["ecosystem"] == "golang" and app["package"]["fixed"] == ["0.0.0-20200220183623-bac4c82f6975"]


def test_container_report_with_application_vulnerabilities() -> None:
    data = collect(CONTAINER_EPSS).to_json_dict()["data"]
    gcc = helpers.one_finding(data, "SNYK-DEBIAN11-GCC10-5901313")
    assert gcc["package"]["name"] == "libgcc-s1" and gcc["package"]["ecosystem"] == "deb"
    assert gcc["severity"] == "low" and gcc["cvss"]["score_x10"] == 48
    jwt = helpers.one_finding(data, "npm:jsonwebtoken:20150331")
    assert jwt["ids"] == ["CVE-2015-9235", "GHSA-c7hr-j4mj-j2w6", "npm:jsonwebtoken:20150331"]
    assert jwt["location"] == {"path": "/juice-shop/package.json"}
    assert jwt["package"] == {"name": "jsonwebtoken", "installed": "0.4.0", "fixed": ["4.2.2"], "ecosystem": "npm"}
    # no fixedIn but Snyk says an upgrade fixes it
    upgrade_only = helpers.one_finding(data, "npm:sanitize-html:20160801")
    assert upgrade_only["package"]["fixed"] == [] and upgrade_only["fix_available"] is True


def test_iac_report_finding_field_by_field() -> None:
    data = collect(IAC).to_json_dict()["data"]
    assert data["scan_types"] == ["iac"] and data["target"] == "snyk-iac-arm"
    no_line = helpers.one_finding(data, "SNYK-CC-TF-136")
    assert no_line == {
        "fingerprint": code_fingerprint(
            "iac",
            "snyk",
            "SNYK-CC-TF-136",
            "http-triggered_function.json",
            None,
            "resource.aws_redshift_cluster[denied2].logging",
        ),
        "category": "iac",
        "rule_id": "SNYK-CC-TF-136",
        "title": "Redshift cluster logging disabled",
        "severity": "low",
        "tool_severity": "low",
        "ids": [],
        "cwe": [],
        "fix_available": True,
        "location": {
            "path": "http-triggered_function.json",
            "resource": "resource.aws_redshift_cluster[denied2].logging",
        },
        "occurrences": 1,
    }
    ftp = [f for f in data["findings"] if f["rule_id"] == "SNYK-CC-AZURE-533"]
    assert {(f["location"]["path"], f["location"]["line"]) for f in ftp} == {
        ("http-triggered_function.json", 109),
        ("traffic_manager.json", 58),
        ("webapp_mysql.json", 139),
    }
    assert all(f["severity"] == "high" for f in ftp)


def test_paths_ignores_license_issues_and_severity_with_critical() -> None:
    data = collect(HANDMADE).to_json_dict()["data"]
    assert data["scan_types"] == ["sca", "license"]
    lodash = helpers.one_finding(data, "SNYK-JS-LODASH-1040724")
    assert lodash["occurrences"] == 2  # listed once per dependency path
    assert lodash["ids"] == ["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm", "SNYK-JS-LODASH-1040724"]
    assert lodash["location"] == {"path": "package-lock.json"}
    minimist = helpers.one_finding(data, "SNYK-JS-MINIMIST-2429795")
    assert minimist["severity"] == "critical" and minimist["tool_severity"] == "critical"
    licence = helpers.one_finding(data, "snyk:lic:npm:node-forge:GPL-2.0")
    assert licence["category"] == "license" and licence["severity"] == "medium" and licence["fix_available"] is False
    ignored = helpers.one_finding(data, "SNYK-JS-AXIOS-1038255")
    assert ignored["suppression"] == {
        "kind": "accepted",
        "source": "snyk:ignore",
        "justification": "Only used against internal hosts",
    }
    assert data["counts"] == {"critical": 1, "high": 1, "medium": 1, "low": 0, "info": 0, "unknown": 0}
    assert data["suppressed"] == 1


def test_iac_ignored_issue_is_suppressed(tmp_path: Path) -> None:
    document = _raw(IAC)
    document[2]["infrastructureAsCodeIssues"][0]["isIgnored"] = True
    data = collect(helpers.write_json(tmp_path, document)).to_json_dict()["data"]
    assert helpers.one_finding(data, "SNYK-CC-TF-136")["suppression"] == {"kind": "accepted", "source": "snyk:ignore"}
    assert data["suppressed"] == 1 and data["counts"]["low"] == 11


def test_error_report_is_an_input_error_naming_snyks_message() -> None:
    error = helpers.input_error(ERROR_REPORT)
    assert error.message == (
        "Snyk error report, not a scan result: Could not detect supported target files in "
        "/home/runner/work/shop-api. Please see our documentation for supported languages and target files: "
        "https://snyk.co/udVgQ and make sure you are in the right directory."
    )
    assert "\n" not in str(error)


def test_error_report_inside_all_projects_array(tmp_path: Path) -> None:
    document = [*_raw(ALL_PROJECTS), {"ok": False, "error": "Failed to get dependencies for project-c", "path": "."}]
    error = helpers.input_error(helpers.write_json(tmp_path, document))
    assert error.message == "Snyk error report, not a scan result: Failed to get dependencies for project-c"


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.json"
    blank.write_bytes(b"  \n")
    for path in (empty, blank):
        helpers.assert_empty_refused(path, SnykJsonCollector, "a Snyk JSON report (snyk test --json)", "snyk-json")


def test_truncated_json_is_located(tmp_path: Path) -> None:
    error = helpers.assert_malformed_json_located(helpers.cut_copy(tmp_path, SINGLE), "snyk-json")
    assert error.line is not None and error.line > 1
    # a cut large report is still recognised from its head, and then refused with the place of the cut
    size = len(CONTAINER_EPSS.read_bytes()) * 9 // 10
    error = helpers.assert_malformed_json_located(helpers.cut_copy(tmp_path, CONTAINER_EPSS, size))
    assert error.line is not None and error.line > 1


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"matches": [], "source": {}}, f"{NOT_SNYK}: no 'vulnerabilities' or 'infrastructureAsCodeIssues' list"),
        ([], f"empty JSON array, expected {SNYK}"),
        ("snyk", f"{NOT_SNYK}: not a JSON object"),
        ({"vulnerabilities": {"id": "x"}}, f"{NOT_SNYK}: no 'vulnerabilities' or 'infrastructureAsCodeIssues' list"),
        ({"vulnerabilities": [["x"]]}, f"{NOT_SNYK}: vulnerabilities[0] is not an object"),
        ({"vulnerabilities": [{"title": "x"}]}, f"{NOT_SNYK}: vulnerabilities[0] has no 'id'"),
        (
            {"vulnerabilities": [{"id": "SNYK-1", "severity": "high"}]},
            f"{NOT_SNYK}: vulnerabilities[0] (SNYK-1) has no 'packageName'",
        ),
        ([{"vulnerabilities": []}, 3], f"{NOT_SNYK}: project 2: not a JSON object"),
        (
            {"vulnerabilities": [], "filtered": {"ignore": "all"}},
            f"{NOT_SNYK}: 'filtered.ignore' is not a list",
        ),
        (
            {"infrastructureAsCodeIssues": [{"severity": "low"}], "targetFile": "a.tf"},
            f"{NOT_SNYK}: infrastructureAsCodeIssues[0] has no 'id'",
        ),
    ],
    ids=[
        "grype-like",
        "empty-array",
        "string",
        "vulns-object",
        "vuln-list",
        "no-id",
        "no-package",
        "project-int",
        "ignore-string",
        "iac-no-id",
    ],
)
def test_wrong_shapes_are_one_line_input_errors(tmp_path: Path, document: Any, message: str) -> None:
    helpers.assert_refused(tmp_path, document, "snyk-json", message)


def test_other_tools_json_named_as_snyk_is_refused() -> None:
    cyclonedx = helpers.TESTS_DATA / "security" / "cyclonedx" / "cdx1.4_grype0.41_log4j.json"
    assert helpers.input_error(cyclonedx, "snyk-json").message == f"a CycloneDX document, not {SNYK}"
    pip_audit = helpers.TESTS_DATA / "security" / "pip-audit" / "pip_audit_many_vulns_new.json"
    assert helpers.input_error(pip_audit, "snyk-json").message == (
        f"{NOT_SNYK}: no 'vulnerabilities' or 'infrastructureAsCodeIssues' list"
    )


def test_unknown_severity_word_is_unknown_not_info(tmp_path: Path) -> None:
    document = _raw(SINGLE)
    document["vulnerabilities"][0]["severity"] = "urgent"
    del document["vulnerabilities"][0]["severityWithCritical"]
    data = collect(helpers.write_json(tmp_path, document)).to_json_dict()["data"]
    finding = data["findings"][0]
    assert finding["severity"] == "unknown" and finding["tool_severity"] == "urgent"
    assert data["counts"]["unknown"] == 1


@pytest.mark.parametrize("path", [*SAMPLES, ERROR_REPORT], ids=lambda p: p.name)
def test_detect_recognises_every_snyk_sample(path: Path) -> None:
    assert SnykJsonCollector.detect(path.read_bytes()[:HEAD_BYTES])
    assert detect(path) is SnykJsonCollector


def _own(path: Path) -> bool:
    """Snyk files: checked by the test above, not as foreign files."""
    return path.parent == DATA or (path.is_relative_to(helpers.SHARED) and "snyk" in path.parts)


def test_detect_is_false_for_every_other_sample_and_test_file() -> None:
    helpers.assert_detect_is_specific(SnykJsonCollector, [], minimum=50, skip=_own)
