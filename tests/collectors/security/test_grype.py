"""Grype JSON collector: every sample (0.7 to 0.94), counts computed independently from the raw JSON,
findings field by field, the fingerprint shared with Trivy, failure paths, detection."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors import detect
from evaluator.collectors.security.common import package_fingerprint
from evaluator.collectors.security.grype import GrypeJsonCollector
from evaluator.errors import InputError
from tests.collectors.security import helpers

DATA = helpers.SECURITY_DATA
GRYPE = DATA / "grype"
TRIVY = DATA / "trivy"
SAMPLES = sorted(GRYPE.glob("*.json"))

# Grype's title-case severity words, written out here rather than taken from the collector.
WORDS = {
    "Critical": "critical",
    "High": "high",
    "Medium": "medium",
    "Low": "low",
    "Negligible": "info",
    "Unknown": "unknown",
}
RANK = list(helpers.SEVERITIES)


def _scores(record: dict[str, Any]) -> list[tuple[str, float]]:
    found = [(c["version"], c["metrics"]["baseScore"]) for c in record.get("cvss") or []]
    for key in ("cvssV3", "cvssV2"):
        if key in record:
            found.append(("3" if key == "cvssV3" else "2", record[key]["baseScore"]))
    return found


def _expected(document: dict[str, Any]) -> tuple[dict[tuple, dict[str, Any]], Counter[str], int]:
    """Findings by identity, counts per severity and the suppressed count, straight from the raw report."""
    found: dict[tuple, dict[str, Any]] = {}
    for field, suppressed in (("matches", False), ("ignoredMatches", True)):
        for match in document.get(field) or []:
            vulnerability, artifact = match["vulnerability"], match["artifact"]
            ids = {vulnerability["id"], *(r["id"] for r in match.get("relatedVulnerabilities") or [])}
            cves = sorted(i for i in ids if i.startswith("CVE-"))
            ghsas = sorted(i for i in ids if i.startswith("GHSA-"))
            primary = (cves or ghsas or [vulnerability["id"]])[0]
            key = (primary, artifact["name"].lower(), artifact["version"])
            severity = WORDS[vulnerability["severity"]]
            scores = _scores(vulnerability) or [
                s for r in match.get("relatedVulnerabilities") or [] for s in _scores(r)
            ]
            if severity == "unknown" and scores:
                severity = helpers.cvss_band(max(scores)[1])
            if key in found:
                found[key]["n"] += 1
                found[key]["severity"] = min(found[key]["severity"], severity, key=RANK.index)
                found[key]["suppressed"] = found[key]["suppressed"] and suppressed
            else:
                found[key] = {"n": 1, "severity": severity, "suppressed": suppressed}
    counts: Counter[str] = Counter()
    for entry in found.values():
        if not entry["suppressed"]:
            counts[entry["severity"]] += 1
    return found, counts, sum(e["suppressed"] for e in found.values())


# ---- every sample ------------------------------------------------------------------------------------


def test_every_sample_is_here() -> None:
    assert len(SAMPLES) == 5
    shared = helpers.SHARED / "security" / "grype"
    if shared.is_dir():
        assert {p.name for p in shared.glob("*.json")} <= {p.name for p in SAMPLES}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_counts_match_the_raw_report(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    expected, counts, suppressed = _expected(raw)
    document, data = helpers.item_and_data(path)
    assert document["source"]["format"] == "grype-json" and document["source"]["tool"] == "grype"
    assert document["source"]["tool_version"] == raw["descriptor"]["version"]
    assert data["scanner"] == {"name": "grype", "version": raw["descriptor"]["version"]}
    assert data["counts"] == {s: counts.get(s, 0) for s in RANK}
    assert data["suppressed"] == suppressed
    assert len(data["findings"]) == len(expected)
    assert sorted(f["occurrences"] for f in data["findings"]) == sorted(e["n"] for e in expected.values())
    assert data["scan_types"] == (["container"] if raw["source"]["type"] == "image" else ["sca"])
    assert data["scan_errors"] == 0  # Grype reports no file or target it could not scan


def test_sample_counts_are_not_trivial() -> None:
    """The independent counter itself, on numbers read off the files by hand."""
    by_name = {p.name: _expected(json.loads(p.read_text(encoding="utf-8"))) for p in SAMPLES}
    assert by_name["grype_v0.7_no_vulns.json"][1:] == (Counter(), 0)
    assert by_name["grype_v0.24_directory.json"][1] == Counter(critical=2, high=2, medium=5)
    # Six matches, the Django one listed twice: five findings.
    assert by_name["grype_v0.28_image_check_all_fields.json"][1] == Counter(critical=2, high=2, info=1)
    assert by_name["grype_v0.94_image_epss.json"][1] == Counter(critical=1, high=10, medium=2, low=2)
    assert by_name["grype_handwritten_edge_cases.json"][1:] == (Counter(high=1, medium=1, info=1, unknown=1), 2)


# ---- findings field by field -------------------------------------------------------------------------


def test_no_vulnerabilities_is_valid_evidence() -> None:
    document, data = helpers.item_and_data(GRYPE / "grype_v0.7_no_vulns.json")
    assert data["findings"] == [] and set(data["counts"].values()) == {0} and data["suppressed"] == 0
    assert data["target"] == "busybox:latest" and data["scan_types"] == ["container"]
    assert data["scanner"] == {"name": "grype", "version": "0.7.0"}
    assert "observed" not in document


def test_directory_scan_fields() -> None:
    _, data = helpers.item_and_data(GRYPE / "grype_v0.24_directory.json")
    assert data["target"] == "."  # grype 0.24 wrote the directory quoted: "\".\""
    assert data["scan_types"] == ["sca"]
    ghsa = helpers.one_finding(data, "GHSA-8v27-2fg9-7h62")
    assert ghsa["ids"] == ["CVE-2021-23334", "GHSA-8v27-2fg9-7h62"]
    assert ghsa["fingerprint"] == package_fingerprint(
        ["GHSA-8v27-2fg9-7h62", "CVE-2021-23334"], "GHSA-8v27-2fg9-7h62", "static-eval", "2.1.0"
    )
    assert ghsa["severity"] == "critical" and "cvss" not in ghsa
    assert ghsa["fix_available"] is False and ghsa["package"]["fixed"] == []
    clipboard = helpers.one_finding(data, "CVE-2014-5509")
    # v3.0 (5.5) outranks v2.0 (3.6); the tool's Medium stays.
    assert clipboard["cvss"] == {
        "score_x10": 55,
        "version": "3.0",
        "vector": clipboard["cvss"]["vector"],
        "source": "nvd",
    }
    assert clipboard["cvss"]["vector"].startswith("CVSS:3.0/")
    assert clipboard["severity"] == "medium" and clipboard["tool_severity"] == "Medium"
    assert clipboard["category"] == "sca"
    assert clipboard["location"] == {"path": "components/yarn.lock"}
    assert clipboard["package"] == {
        "name": "clipboard",
        "installed": "2.0.8",
        "fixed": [],
        "ecosystem": "npm",
        "purl": "pkg:npm/clipboard@2.0.8",
    }
    old = helpers.one_finding(data, "CVE-1999-1338")
    assert old["cvss"] == {"score_x10": 50, "version": "2.0", "vector": "AV:N/AC:L/Au:N/C:N/I:P/A:N", "source": "nvd"}


def test_image_scan_fields() -> None:
    _, data = helpers.item_and_data(GRYPE / "grype_v0.28_image_check_all_fields.json")
    assert data["target"] == "vulnerable-image:latest"
    negligible = helpers.one_finding(data, "CVE-2004-0971")
    assert (negligible["severity"], negligible["tool_severity"]) == ("info", "Negligible")
    # No rating on the debian record: the related NVD record's v2 rating is used.
    assert negligible["cvss"] == {
        "score_x10": 21,
        "version": "2.0",
        "vector": "AV:L/AC:L/Au:N/C:N/I:P/A:N",
        "source": "nvd",
    }
    assert negligible["location"]["path"] == "/var/lib/dpkg/status"
    assert negligible["location"]["resource"].startswith("sha256:88a5584c")
    assert negligible["category"] == "container" and negligible["package"]["ecosystem"] == "deb"
    django = helpers.one_finding(data, "GHSA-v6rh-hp5x-86rv")
    assert django["occurrences"] == 2
    assert django["ids"] == ["CVE-2021-44420", "GHSA-v6rh-hp5x-86rv"]
    assert django["fingerprint"] == package_fingerprint(["CVE-2021-44420"], "CVE-2021-44420", "django", "3.2.9")
    assert django["package"]["fixed"] == ["3.2.10"] and django["fix_available"] is True
    redis = helpers.one_finding(data, "CVE-2021-32626")
    assert redis["package"]["fixed"] == ["fix_1", "fix_2"] and redis["fix_available"] is True  # state wont-fix
    assert redis["package"]["ecosystem"] == "pypi"  # purl type, not grype's "python"
    assert redis["cvss"]["score_x10"] == 88 and redis["cvss"]["version"] == "3.1"
    assert (
        helpers.one_finding(data, "CVE-2021-33574", "libc6")["fingerprint"]
        != helpers.one_finding(data, "CVE-2021-33574", "libc-bin")["fingerprint"]
    )


def test_newest_grype_fields() -> None:
    document, data = helpers.item_and_data(GRYPE / "grype_v0.94_image_epss.json")
    assert document["observed"] == {"start": "2025-06-19T11:43:35Z", "end": "2025-06-19T11:43:35Z"}
    assert data["target"] == "busybox:1.32.1"
    fixed = helpers.one_finding(data, "CVE-2021-42376")
    assert fixed["package"]["fixed"] == ["1.34.0"] and fixed["fix_available"] is True
    assert fixed["cvss"]["score_x10"] == 55 and fixed["cvss"]["source"] == "nvd@nist.gov"
    unfixed = helpers.one_finding(data, "CVE-2022-48174")
    assert unfixed["fix_available"] is False and unfixed["severity"] == "critical"
    assert unfixed["cvss"]["vector"] == "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    assert unfixed["package"]["ecosystem"] == "generic" and unfixed["package"]["purl"] == "pkg:generic/busybox@1.32.1"
    assert unfixed["location"]["path"] == "/bin/["


def test_handwritten_edge_cases() -> None:
    document, data = helpers.item_and_data(GRYPE / "grype_handwritten_edge_cases.json")
    assert document["observed"]["start"] == "2025-01-10T08:05:00Z"
    unknown_with_score = helpers.one_finding(data, "CVE-2099-0001")
    assert (unknown_with_score["severity"], unknown_with_score["tool_severity"]) == ("high", "Unknown")
    assert unknown_with_score["cwe"] == [400]
    assert helpers.one_finding(data, "CVE-2099-0002")["severity"] == "unknown"
    legacy = helpers.one_finding(data, "CVE-2099-0003")  # cvssV3 / cvssV2 objects and fixedInVersion
    assert legacy["severity"] == "info"
    assert legacy["cvss"] == {
        "score_x10": 33,
        "version": "3.0",
        "vector": "CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N",
        "source": "debian:10",
    }
    assert legacy["package"]["fixed"] == ["2.28-11"] and legacy["fix_available"] is True
    vex = helpers.one_finding(data, "CVE-2099-0004")
    assert vex["suppression"] == {
        "kind": "not_affected",
        "source": "grype:vex",
        "justification": "vulnerable_code_not_in_execute_path",
    }
    ignored = helpers.one_finding(data, "CVE-2099-0005")
    assert ignored["suppression"] == {
        "kind": "suppressed",
        "source": "grype:ignore",
        "justification": "risk accepted until the base image update",
    }
    assert data["suppressed"] == 2 and data["counts"]["critical"] == 0


# ---- the same finding from Trivy and Grype -----------------------------------------------------------


def _fingerprint_of(path: Path, rule: str, package_name: str) -> str:
    _, data = helpers.item_and_data(path)
    return helpers.one_finding(data, rule, package_name)["fingerprint"]


def test_same_cve_in_same_package_version_from_trivy_and_grype() -> None:
    """Real Trivy alpine 3.10 reports against a hand-written Grype match (no real pair exists in the samples)."""
    grype = _fingerprint_of(GRYPE / "grype_handwritten_edge_cases.json", "CVE-2019-1549", "libcrypto1.1")
    expected = package_fingerprint(["CVE-2019-1549"], "CVE-2019-1549", "libcrypto1.1", "1.1.1c-r0")
    assert grype == expected
    for name in (
        "trivy_alpine310_image_legacy_list_2021-07.json",
        "trivy_alpine310_image_schema2_2021-10.json",
        "trivy_alpine310_image_schema2_2026.json",
    ):
        assert _fingerprint_of(TRIVY / name, "CVE-2019-1549", "libcrypto1.1") == grype


def test_ghsa_match_and_cve_finding_agree() -> None:
    """The real Grype GHSA match (with its CVE alias, package 'Django') and a hand-written Trivy CVE finding."""
    grype = _fingerprint_of(GRYPE / "grype_v0.28_image_check_all_fields.json", "GHSA-v6rh-hp5x-86rv", "Django")
    trivy = _fingerprint_of(TRIVY / "trivy_handwritten_edge_cases.json", "CVE-2021-44420", "django")
    assert grype == trivy


# ---- failure paths -----------------------------------------------------------------------------------


def _error(path: Path, format_name: str | None = "grype-json") -> InputError:
    return helpers.input_error(path, format_name)


def test_empty_file(tmp_path: Path) -> None:
    path = helpers.write_raw(tmp_path, "")
    helpers.assert_empty_refused(path, GrypeJsonCollector, "a Grype JSON report", "grype-json")


def test_truncated_json(tmp_path: Path) -> None:
    path = helpers.cut_copy(tmp_path, GRYPE / "grype_v0.94_image_epss.json", 5000)
    error = helpers.assert_malformed_json_located(path)  # still detected as Grype from its head
    assert error.line is not None


EXPECTED = "expected a Grype JSON report (an object with matches and descriptor {name: grype})"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"error": "failed to catalog"}', f"not a Grype report: no matches; {EXPECTED}"),
        ('{"matches": []}', f"not a Grype report: no descriptor; {EXPECTED}"),
        ('{"matches": [], "descriptor": "grype"}', f"not a Grype report: no descriptor; {EXPECTED}"),
        (
            '{"matches": [], "descriptor": {"name": "syft"}}',
            f"not a Grype report: descriptor.name is 'syft'; {EXPECTED}",
        ),
        ('{"matches": {}, "descriptor": {"name": "grype"}}', "not a Grype report: matches is not a list"),
        ('{"matches": [1], "descriptor": {"name": "grype"}}', "not a Grype report: matches[0] is not an object"),
        (
            '{"matches": [{"vulnerability": {"id": "CVE-1"}}], "descriptor": {"name": "grype"}}',
            "not a Grype report: matches[0] has no vulnerability or artifact object",
        ),
        (
            '{"matches": [{"vulnerability": {"id": 7}, "artifact": {"name": "a"}}], "descriptor": {"name": "grype"}}',
            "not a Grype report: matches[0] has no vulnerability.id or artifact.name",
        ),
        ('[{"vulnerability": {"id": "CVE-1999-0001"}}]', f"not a Grype report: {EXPECTED}"),
    ],
)
def test_wrong_shapes(tmp_path: Path, content: str, message: str) -> None:
    assert _error(helpers.write_raw(tmp_path, content)).message == message


@pytest.mark.parametrize(
    "other",
    [
        TRIVY / "trivy_alpine310_image_schema2_2026.json",
        helpers.SHARED / "security" / "snyk" / "snyk_test_no_vulns.json",
        helpers.SHARED / "security" / "cyclonedx" / "cdx1.4_grype0.41_log4j.json",
        helpers.SHARED / "security" / "gitleaks" / "gitleaks_v8_many.json",
    ],
    ids=lambda p: p.name,
)
def test_another_tools_json(other: Path) -> None:
    if not other.is_file():
        pytest.skip(f"{other} not present")
    error = _error(other)
    assert error.message.startswith("not a Grype report: ") and error.message.endswith(EXPECTED), error.message


# ---- detection ---------------------------------------------------------------------------------------


def test_detect_is_specific() -> None:
    """True for every Grype JSON sample, False for every other file of the shared samples and test data."""
    helpers.assert_detect_is_specific(
        GrypeJsonCollector, [*SAMPLES, *(helpers.SHARED / "security" / "grype").glob("*.json")]
    )


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_auto_detection_picks_grype(path: Path) -> None:
    assert detect(path) is GrypeJsonCollector


def test_detect_needs_grype_shape() -> None:
    assert not GrypeJsonCollector.detect(b'{"matches": []}')
    assert not GrypeJsonCollector.detect(b'{"matches": [{"name": "x"}]}')
    assert GrypeJsonCollector.detect(b'{"matches": [], "descriptor": {"name": "grype", "version": "0.7.0"}}')
