"""Trivy JSON collector: every sample (legacy array, SchemaVersion 2 from 2021 to 2026), counts computed
independently from the raw JSON, findings field by field, secrets never copied, failure paths, detection."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors import detect
from evaluator.collectors.security.common import code_fingerprint, package_fingerprint
from evaluator.collectors.security.trivy import TrivyJsonCollector
from evaluator.errors import InputError
from tests.collectors.security import helpers

DATA = helpers.SECURITY_DATA
TRIVY = DATA / "trivy"
SAMPLES = sorted(TRIVY.glob("*.json"))

# Trivy's severity words, written out here rather than taken from the collector.
WORDS = {"CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low", "UNKNOWN": "unknown"}
RANK = list(helpers.SEVERITIES)


def _top_score(cvss_sources: dict[str, Any] | None) -> float | None:
    """The score of the newest CVSS version any source gives (v4 over v3.1 over v3.0 over v2), highest first."""
    candidates = []
    for values in (cvss_sources or {}).values():
        if values.get("V40Score") is not None:
            candidates.append((4.0, values["V40Score"]))
        if values.get("V3Score") is not None:
            candidates.append(
                (3.1 if str(values.get("V3Vector", "")).startswith("CVSS:3.1") else 3.0, values["V3Score"])
            )
        if values.get("V2Score") is not None:
            candidates.append((2.0, values["V2Score"]))
    return max(candidates)[1] if candidates else None


def _primary(ids: set[str], fallback: str) -> str:
    cves = sorted(i for i in ids if i.startswith("CVE-"))
    ghsas = sorted(i for i in ids if i.startswith("GHSA-"))
    return (cves or ghsas or [fallback])[0]


def _expected(document: Any) -> tuple[dict[tuple, dict[str, Any]], Counter[str], int]:
    """Findings by identity, counts per severity and the suppressed count, straight from the raw report."""
    results = document if isinstance(document, list) else (document.get("Results") or [])
    found: dict[tuple, dict[str, Any]] = {}

    def add(key: tuple, severity: str, suppressed: bool) -> None:
        if key in found:
            seen = found[key]
            seen["n"] += 1
            seen["severity"] = min(seen["severity"], severity, key=RANK.index)
            seen["suppressed"] = seen["suppressed"] and suppressed
        else:
            found[key] = {"n": 1, "severity": severity, "suppressed": suppressed}

    def vulnerability(v: dict[str, Any], suppressed: bool) -> None:
        ids = {v["VulnerabilityID"], *(v.get("VendorIDs") or [])}
        key = ("pkg", _primary(ids, v["VulnerabilityID"]), v["PkgName"].lower(), v.get("InstalledVersion", ""))
        severity = WORDS[v.get("Severity", "UNKNOWN")]
        score = _top_score(v.get("CVSS"))
        if severity == "unknown" and score is not None:
            severity = helpers.cvss_band(score)
        add(key, severity, suppressed or v.get("Status") == "not_affected")

    def misconfiguration(m: dict[str, Any], target: str, suppressed: bool) -> None:
        cause = m.get("CauseMetadata") or {}
        key = ("iac", m.get("ID") or m.get("AVDID"), target, cause.get("StartLine"), cause.get("Resource"))
        add(key, WORDS[m["Severity"]], suppressed)

    for result in results:
        target = result.get("Target")
        for v in result.get("Vulnerabilities") or []:
            vulnerability(v, False)
        for m in result.get("Misconfigurations") or []:
            if m.get("Status", "FAIL") in ("FAIL", "EXCEPTION"):
                misconfiguration(m, target, m.get("Status") == "EXCEPTION")
        for s in result.get("Secrets") or []:
            add(("secret", s["RuleID"], target, s.get("StartLine")), WORDS[s["Severity"]], False)
        for lic in result.get("Licenses") or []:
            key = ("license", lic["Name"], lic.get("FilePath") or target, lic.get("PkgName") or None)
            add(key, WORDS[lic["Severity"]], False)
        for modified in result.get("ExperimentalModifiedFindings") or []:
            if modified["Type"] == "vulnerability":
                vulnerability(modified["Finding"], True)
            elif modified["Type"] == "misconfiguration":
                misconfiguration(modified["Finding"], target, True)
    counts: Counter[str] = Counter()
    suppressed = 0
    for entry in found.values():
        if entry["suppressed"]:
            suppressed += 1
        else:
            counts[entry["severity"]] += 1
    return found, counts, suppressed


# ---- every sample ------------------------------------------------------------------------------------


def test_every_sample_is_here() -> None:
    names = {p.name for p in SAMPLES}
    assert len(SAMPLES) == 10
    shared = helpers.SHARED / "security" / "trivy"
    if shared.is_dir():
        assert {p.name for p in shared.glob("*.json")} <= names


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_counts_match_the_raw_report(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    expected, counts, suppressed = _expected(raw)
    document, data = helpers.item_and_data(path)
    assert document["source"]["format"] == "trivy-json" and document["source"]["tool"] == "trivy"
    assert data["counts"] == {s: counts.get(s, 0) for s in RANK}
    assert data["suppressed"] == suppressed
    assert len(data["findings"]) == len(expected)
    assert sorted(f["occurrences"] for f in data["findings"]) == sorted(e["n"] for e in expected.values())
    assert data["truncated"] is False
    assert data["scanner"]["name"] == "trivy"
    assert data["scan_errors"] == 0  # Trivy's JSON names no file or target it could not scan


def test_sample_counts_are_not_trivial() -> None:
    """The independent counter itself, on numbers read off the files by hand."""
    by_name = {p.name: _expected(json.loads(p.read_text(encoding="utf-8"))) for p in SAMPLES}
    assert by_name["trivy_alpine310_image_legacy_list_2021-07.json"][1] == Counter(medium=6, low=2)
    assert by_name["trivy_scheme2_image_teamdojo.json"][1] == Counter(critical=1, high=1, medium=3)
    assert by_name["trivy_scheme2_all_statuses_2024.json"][1:] == (Counter(low=7), 1)
    assert by_name["trivy_handwritten_edge_cases.json"][1:] == (
        Counter(critical=2, high=3, low=1, unknown=1),
        2,
    )


# ---- findings field by field -------------------------------------------------------------------------


def test_schema2_2026_image_fields() -> None:
    document, data = helpers.item_and_data(TRIVY / "trivy_alpine310_image_schema2_2026.json")
    assert data["scanner"] == {"name": "trivy", "version": "dev"}
    assert document["source"]["tool_version"] == "dev"
    assert data["scan_types"] == ["container"]
    assert data["target"] == "testdata/fixtures/images/alpine-310.tar.gz"
    assert document["observed"] == {"start": "2021-08-25T12:20:30Z", "end": "2021-08-25T12:20:30Z"}
    finding = helpers.one_finding(data, "CVE-2019-1549", "libcrypto1.1")
    assert finding["fingerprint"] == package_fingerprint(
        ["CVE-2019-1549"], "CVE-2019-1549", "libcrypto1.1", "1.1.1c-r0"
    )
    assert finding["category"] == "container"
    assert finding["title"] == "openssl: information disclosure in fork()"
    assert (finding["severity"], finding["tool_severity"]) == ("medium", "MEDIUM")
    # nvd v3.1 (5.3) outranks redhat v3.0 (4.8) and nvd v2 (5.0).
    assert finding["cvss"] == {
        "score_x10": 53,
        "version": "3.1",
        "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        "source": "nvd",
    }
    assert finding["ids"] == ["CVE-2019-1549"] and finding["cwe"] == [330]
    assert finding["package"] == {
        "name": "libcrypto1.1",
        "installed": "1.1.1c-r0",
        "fixed": ["1.1.1d-r0"],
        "ecosystem": "apk",
        "purl": "pkg:apk/alpine/libcrypto1.1@1.1.1c-r0?arch=x86_64&distro=3.10.2",
    }
    assert finding["fix_available"] is True
    assert finding["published"] == "2019-09-10T17:15:00Z"
    assert finding["location"] == {
        "resource": "sha256:03901b4a2ea88eeaad62dbe59b072b28b6efa00491962b8741081c5df50c65e0"
    }
    assert "first_seen" not in finding and "suppression" not in finding
    assert finding["occurrences"] == 1


def test_legacy_array_fields() -> None:
    document, data = helpers.item_and_data(TRIVY / "trivy_alpine310_image_legacy_list_2021-07.json")
    assert data["scanner"] == {"name": "trivy"}
    assert "observed" not in document
    assert data["target"] == "testdata/fixtures/images/alpine-310.tar.gz"
    assert data["scan_types"] == ["container"]
    finding = helpers.one_finding(data, "CVE-2019-1551", "libssl1.1")
    # No nvd v3 rating in 2021: redhat's v3.0 outranks nvd's v2.
    assert finding["cvss"]["source"] == "redhat" and finding["cvss"]["version"] == "3.0"
    assert finding["package"]["fixed"] == ["1.1.1d-r2"]
    assert finding["package"]["ecosystem"] == "alpine" and "purl" not in finding["package"]


def test_same_findings_across_trivy_versions() -> None:
    """The 2021 legacy array and the 2021 SchemaVersion 2 report of one image give the same fingerprints."""
    _, legacy = helpers.item_and_data(TRIVY / "trivy_alpine310_image_legacy_list_2021-07.json")
    _, schema2 = helpers.item_and_data(TRIVY / "trivy_alpine310_image_schema2_2021-10.json")
    _, newest = helpers.item_and_data(TRIVY / "trivy_alpine310_image_schema2_2026.json")
    assert {f["fingerprint"] for f in legacy["findings"]} == {f["fingerprint"] for f in schema2["findings"]}
    assert {f["fingerprint"] for f in newest["findings"]} < {f["fingerprint"] for f in legacy["findings"]}


def test_cvss_v4_and_vendor_ids() -> None:
    document, data = helpers.item_and_data(TRIVY / "trivy_schema2_fs_cvssv4_v0.69.json")
    assert data["scanner"] == {"name": "trivy", "version": "0.69.1"}
    assert data["scan_types"] == ["sca"] and data["target"] == "lib/catalina.jar"
    assert document["observed"]["end"] == "2026-02-24T07:07:53Z"
    finding = helpers.one_finding(data, "CVE-2025-66614")
    assert finding["category"] == "sca"
    assert finding["cvss"] == {
        "score_x10": 63,
        "version": "4.0",
        "vector": "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N",
        "source": "ghsa",
    }
    assert finding["ids"] == ["CVE-2025-66614", "GHSA-fpj8-gq4v-p354"]
    assert finding["fingerprint"] == package_fingerprint(
        ["GHSA-fpj8-gq4v-p354", "CVE-2025-66614"], "CVE-2025-66614", "org.apache.tomcat:tomcat-catalina", "9.0.109"
    )
    assert finding["package"]["fixed"] == ["11.0.14", "10.1.49", "9.0.112"]
    assert finding["package"]["ecosystem"] == "maven"
    assert finding["location"] == {"path": "catalina.jar"}
    assert finding["published"] == "2026-02-17T19:21:55Z"


def test_statuses() -> None:
    document, data = helpers.item_and_data(TRIVY / "trivy_scheme2_all_statuses_2024.json")
    assert "target" not in data  # ArtifactName is ""
    assert document["observed"]["start"] == "2024-01-15T08:58:29Z"
    not_affected = helpers.one_finding(data, "CVE-2019-18276")
    assert not_affected["suppression"] == {"kind": "not_affected", "source": "trivy:status"}
    fixed_without_version = helpers.one_finding(data, "CVE-2018-1000876")
    assert fixed_without_version["package"]["fixed"] == [] and fixed_without_version["fix_available"] is True
    for rule in ("CVE-2018-12698", "CVE-2018-12699", "CVE-2018-12934", "TEMP-0841856-B18BAF", "CVE-2011-3374"):
        finding = helpers.one_finding(data, rule)  # will_not_fix, fix_deferred, end_of_life, affected, unknown
        assert finding["fix_available"] is False and "suppression" not in finding
    assert data["suppressed"] == 1


def test_lang_packages_in_an_image_are_container_findings() -> None:
    _, data = helpers.item_and_data(TRIVY / "trivy_scheme2_image_teamdojo.json")
    finding = helpers.one_finding(data, "CVE-2018-1324")
    assert finding["category"] == "container"
    assert finding["location"]["path"] == "app/libs/commons-compress-1.14"
    no_cvss = helpers.one_finding(data, "CVE-2019-12900")
    assert "cvss" not in no_cvss and no_cvss["severity"] == "critical"


def test_misconfigurations_from_a_config_scan() -> None:
    _, data = helpers.item_and_data(TRIVY / "trivy_config_dockerfile_golden.json")
    assert data["scan_types"] == ["iac"]
    (finding,) = data["findings"]
    assert finding["fingerprint"] == code_fingerprint("iac", "trivy", "DS002", "Dockerfile", None, None)
    assert finding["category"] == "iac" and finding["rule_id"] == "DS002"
    assert finding["title"] == "Image user should not be 'root'"
    assert finding["severity"] == "high" and finding["location"] == {"path": "Dockerfile"}
    assert "package" not in finding and finding["ids"] == []


def test_vex_not_affected_from_modified_findings() -> None:
    document, data = helpers.item_and_data(TRIVY / "trivy_schema2_npm_vex_suppressed_golden_2024.json")
    assert document["observed"]["start"] == "2024-09-09T07:21:09Z"  # +06:00 in the report
    finding = helpers.one_finding(data, "CVE-2017-16137")
    assert finding["suppression"] == {
        "kind": "not_affected",
        "source": "trivy:./vex.json",
        "justification": "vulnerable_code_not_in_execute_path",
    }
    assert data["counts"]["low"] == 0 and data["counts"]["high"] == 1 and data["suppressed"] == 1
    counted = helpers.one_finding(data, "CVE-2017-20165")
    assert counted["package"]["fixed"] == ["3.1.0", "2.6.9"] and counted["location"] == {"path": "package-lock.json"}


def test_handwritten_edge_cases() -> None:
    document, data = helpers.item_and_data(TRIVY / "trivy_handwritten_edge_cases.json")
    assert data["scan_types"] == ["container", "iac", "secrets", "license"]
    assert data["scanner"] == {"name": "trivy", "version": "0.58.1"}
    assert document["observed"]["start"] == "2025-01-10T08:00:00Z"
    unknown_with_score = helpers.one_finding(data, "TEMP-0000001-ABCDEF")
    assert (unknown_with_score["severity"], unknown_with_score["tool_severity"]) == ("critical", "UNKNOWN")
    assert unknown_with_score["cvss"]["score_x10"] == 98
    assert helpers.one_finding(data, "TEMP-0000002-ABCDEF")["severity"] == "unknown"
    assert helpers.one_finding(data, "CVE-2020-0001")["suppression"]["kind"] == "not_affected"
    django = helpers.one_finding(data, "CVE-2021-44420")
    assert django["occurrences"] == 2
    assert django["ids"] == ["CVE-2021-44420", "GHSA-v6rh-hp5x-86rv"]
    assert django["package"]["fixed"] == ["2.2.25", "3.1.14", "3.2.10"]
    assert django["package"]["ecosystem"] == "pypi"
    failed = helpers.one_finding(data, "AVD-AWS-0086")
    assert failed["fingerprint"] == code_fingerprint(
        "iac", "trivy", "AVD-AWS-0086", "infra/main.tf", 12, "aws_s3_bucket.data"
    )
    assert failed["location"] == {"path": "infra/main.tf", "line": 12, "end_line": 18, "resource": "aws_s3_bucket.data"}
    assert not [f for f in data["findings"] if f["rule_id"] == "AVD-AWS-0088"]  # PASS
    assert helpers.one_finding(data, "AVD-AWS-0089")["suppression"] == {
        "kind": "suppressed",
        "source": "trivy:exception",
    }
    license_finding = helpers.one_finding(data, "GPL-3.0")
    assert license_finding["category"] == "license" and license_finding["severity"] == "high"
    assert license_finding["location"] == {"path": "vendor/github.com/example/lib/LICENSE"}


# ---- secrets -----------------------------------------------------------------------------------------


def test_secret_values_never_reach_evidence() -> None:
    document, data = helpers.item_and_data(TRIVY / "trivy_secrets_repo_golden.json")
    helpers.assert_never_copied(
        document, ("ghp_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "GITHUB_PAT", "AWS_ACCESS_KEY_ID", "****", "echo")
    )
    finding = helpers.one_finding(data, "aws-access-key-id")
    assert finding["fingerprint"] == code_fingerprint("secrets", "trivy", "aws-access-key-id", "deploy.sh", 3)
    assert finding["category"] == "secrets" and finding["title"] == "AWS Access Key ID"
    assert finding["location"] == {"path": "deploy.sh", "line": 3, "end_line": 3}
    assert helpers.one_finding(data, "mysecret")["severity"] == "high"

    handwritten, _ = helpers.item_and_data(TRIVY / "trivy_handwritten_edge_cases.json")
    helpers.assert_never_copied(
        handwritten, ("AKIAZZZZEXAMPLEQ7Y4K", "handwritten-plain-value-0042", "AWS_ACCESS_KEY_ID=")
    )


def test_secret_fingerprint_ignores_the_value(tmp_path: Path) -> None:
    raw = json.loads((TRIVY / "trivy_secrets_repo_golden.json").read_text(encoding="utf-8"))
    raw["Results"][0]["Secrets"][0]["Match"] = "export AWS_ACCESS_KEY_ID=AKIAZZZZOTHERVALUE77"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(raw), encoding="utf-8")
    _, before = helpers.item_and_data(TRIVY / "trivy_secrets_repo_golden.json")
    _, after = helpers.item_and_data(changed)
    assert [f["fingerprint"] for f in before["findings"]] == [f["fingerprint"] for f in after["findings"]]


# ---- a clean scan and failure paths ------------------------------------------------------------------


def test_schema2_without_results_is_a_clean_scan(tmp_path: Path) -> None:
    path = helpers.write_raw(
        tmp_path, '{"SchemaVersion": 2, "ArtifactName": "alpine:3.20", "ArtifactType": "container_image"}'
    )
    _, data = helpers.item_and_data(path)
    assert data["findings"] == [] and data["suppressed"] == 0
    assert set(data["counts"].values()) == {0}
    assert data["scan_types"] == ["container"] and data["target"] == "alpine:3.20"


def _error(path: Path, format_name: str | None = "trivy-json") -> InputError:
    return helpers.input_error(path, format_name)


def test_empty_file(tmp_path: Path) -> None:
    path = helpers.write_raw(tmp_path, "  \n")
    helpers.assert_empty_refused(path, TrivyJsonCollector, "a Trivy JSON report", "trivy-json")


def test_truncated_json(tmp_path: Path) -> None:
    path = helpers.cut_copy(tmp_path, TRIVY / "trivy_alpine310_image_schema2_2026.json")
    error = helpers.assert_malformed_json_located(path)  # still detected as Trivy from its head
    assert error.line is not None and error.line > 1


EXPECTED = "expected a Trivy JSON report (an object with SchemaVersion 2 and Results, or a legacy array of results)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"error": "image not found"}', f"not a Trivy report: no Results and no SchemaVersion; {EXPECTED}"),
        ('{"SchemaVersion": 3, "Results": []}', f"unsupported Trivy SchemaVersion 3: only 2 is read; {EXPECTED}"),
        ('{"SchemaVersion": "2", "Results": []}', f"unsupported Trivy SchemaVersion '2': only 2 is read; {EXPECTED}"),
        ('{"SchemaVersion": 2, "Results": {"Target": "x"}}', "not a Trivy report: Results is not a list"),
        ('{"SchemaVersion": 2, "Results": ["x"]}', "not a Trivy report: a Results entry is not an object"),
        (
            '{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": "none"}]}',
            "not a Trivy report: Results[0].Vulnerabilities is not a list of objects",
        ),
        (
            '{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": [{"PkgName": "a"}]}]}',
            "not a Trivy report: Results[0].Vulnerabilities[0] has no VulnerabilityID or PkgName",
        ),
        (
            '{"SchemaVersion": 2, "Results": [{"Target": "x", "Secrets": [{"Match": "AKIAZZZZEXAMPLEQ7Y4K"}]}]}',
            "not a Trivy report: a secret in Results[0] has no RuleID",
        ),
        ("[]", f"not a Trivy report: {EXPECTED}"),
        ('[{"name": "x"}]', f"not a Trivy report: a result has no Target; {EXPECTED}"),
        ('"SchemaVersion"', f"not a Trivy report: {EXPECTED}"),
    ],
)
def test_wrong_shapes(tmp_path: Path, content: str, message: str) -> None:
    assert _error(helpers.write_raw(tmp_path, content)).message == message


@pytest.mark.parametrize(
    "other",
    [
        DATA / "grype" / "grype_v0.94_image_epss.json",
        helpers.SHARED / "security" / "snyk" / "snyk_test_no_vulns.json",
        helpers.SHARED / "security" / "zap" / "zap_2.16.0_traditional_json_2026.json",
        helpers.SHARED / "security" / "cyclonedx" / "cdx1.5_trivy0.48.1_with_vulns.json",
    ],
    ids=lambda p: p.name,
)
def test_another_tools_json(other: Path) -> None:
    if not other.is_file():
        pytest.skip(f"{other} not present")
    error = _error(other)
    assert error.message.startswith("not a Trivy report: "), error.message
    assert EXPECTED in error.message or "a result has no Target" in error.message


# ---- detection ---------------------------------------------------------------------------------------


def test_detect_is_specific() -> None:
    """True for every Trivy JSON sample, False for every other file of the shared samples and test data."""
    helpers.assert_detect_is_specific(
        TrivyJsonCollector, [*SAMPLES, *(helpers.SHARED / "security" / "trivy").glob("*.json")]
    )


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_auto_detection_picks_trivy(path: Path) -> None:
    assert detect(path) is TrivyJsonCollector


def test_detect_key_sorted_output() -> None:
    head = b'{"ArtifactName": "x", "ArtifactType": "filesystem", "Results": [], "SchemaVersion": 2}'
    assert TrivyJsonCollector.detect(head)
    assert not TrivyJsonCollector.detect(b'{"SchemaVersion": 2, "name": "x"}')
    assert not TrivyJsonCollector.detect(b'[{"Target": "x"}]')
