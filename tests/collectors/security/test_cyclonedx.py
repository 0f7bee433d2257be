"""CycloneDX-with-vulnerabilities collector: Grype, jake and Trivy BOMs, a VEX edge case, failures, detection."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors import collect, detect
from evaluator.collectors.interface import HEAD_BYTES
from evaluator.collectors.security.common import package_fingerprint
from evaluator.collectors.security.cyclonedx import CycloneDxVexCollector
from tests.collectors.security import helpers

DATA = helpers.TESTS_DATA / "security" / "cyclonedx"
GRYPE = DATA / "cdx1.4_grype0.41_log4j.json"
JAKE = DATA / "cdx1.4_jake_python.json"
TRIVY = DATA / "cdx1.5_trivy0.48.1_with_vulns.json"
VEX = DATA / "cdx1.5_vex_handmade.json"
SBOM = DATA / "cdx1.5_sbom_without_vulnerabilities_handmade.json"
EMPTY_VULNS = DATA / "cdx1.4_empty_vulnerabilities_handmade.json"
REAL = [GRYPE, JAKE, TRIVY]
WHAT = "a CycloneDX JSON document with vulnerabilities"
SBOM_MESSAGE = (
    "a CycloneDX SBOM without a 'vulnerabilities' section is not a scan report "
    "(run the scanner with CycloneDX vulnerability output, or give its own report)"
)


def _raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _lowest(ids: list[str]) -> str:
    cves = sorted(i for i in ids if re.match(r"CVE-\d{4}-\d+$", i))
    ghsas = sorted(i for i in ids if i.startswith("GHSA-"))
    return (cves or ghsas or [ids[0]])[0]


def _independent(document: dict[str, Any]) -> Counter[str]:
    """Severities straight from the JSON of the real samples: one finding per (advisory, component name, version).

    All three real tools give the severity as a word: in the rating of the vulnerability's own source (Trivy,
    jake) or in a rating with no source (Grype). Components are looked up by bom-ref; Trivy's sample also has a
    ref to a package that is not in its component list, read here from the purl.
    """
    components = {c["bom-ref"]: (c["name"].lower(), c["version"]) for c in document["components"]}
    found: dict[tuple[str, str, str], str] = {}
    for vuln in document["vulnerabilities"]:
        own = vuln["source"]["name"]
        words = [r["severity"] for r in vuln["ratings"] if r.get("source", {}).get("name") == own and "severity" in r]
        words = words or [r["severity"] for r in vuln["ratings"] if "source" not in r and "severity" in r]
        assert len(words) == 1, vuln["id"]
        ids = [vuln["id"]] + [r["id"] for r in vuln.get("references", [])]
        for affect in vuln["affects"]:
            ref = affect["ref"]
            name, version = components.get(ref) or re.match(r"pkg:[^/]+/[^/]+/([^@]+)@([^?]+)", ref).groups()
            found[(_lowest(ids), name.lower(), version.replace("%2B", "+"))] = words[0]
    return Counter(found.values())


def _findings(data: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if f["rule_id"] == rule_id]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_every_real_sample_parses_with_counts_checked_against_the_raw_json(path: Path) -> None:
    document = _raw(path)
    expected = _independent(document)
    item, as_json = helpers.collect_valid(path)
    assert item.source.format == "cyclonedx-vex"
    tool = document["metadata"]["tools"][0]
    data = as_json["data"]
    assert data["scanner"] == {"name": tool["name"], "version": tool["version"]}
    assert (item.source.tool, item.source.tool_version) == (tool["name"], tool["version"])
    assert data["counts"] == {s: expected.get(s, 0) for s in helpers.SEVERITIES}
    assert data["suppressed"] == 0 and data["truncated"] is False
    assert data["scan_errors"] == 0  # a CycloneDX BOM names no component the scanner could not scan
    assert len(data["findings"]) == sum(expected.values())
    assert sum(len(v["affects"]) for v in document["vulnerabilities"]) == sum(
        f["occurrences"] for f in data["findings"]
    )
    stamp = datetime.fromisoformat(document["metadata"]["timestamp"]).astimezone(UTC).replace(microsecond=0)
    assert item.observed is not None and item.observed.start == item.observed.end == stamp


def test_real_sample_counts_are_not_trivial() -> None:
    assert _independent(_raw(GRYPE)) == Counter({"critical": 4, "medium": 3, "high": 1})
    assert _independent(_raw(JAKE)) == Counter({"medium": 4, "high": 3})
    assert _independent(_raw(TRIVY)) == Counter({"low": 13, "medium": 1})


def test_grype_finding_field_by_field() -> None:
    data = collect(GRYPE).to_json_dict()["data"]
    assert data["scan_types"] == ["sca"]
    assert data["target"] == "./configuration/.m2/repository/org/apache/logging/log4j/log4j-core/2.13.2"
    log4shell = helpers.one_finding(data, "CVE-2021-44228")
    description = _raw(GRYPE)["vulnerabilities"][0]["description"]
    assert log4shell == {
        "fingerprint": package_fingerprint(["CVE-2021-44228"], "x", "org.apache.logging.log4j:log4j-core", "2.13.2"),
        "category": "sca",
        "rule_id": "CVE-2021-44228",
        "title": description[:512],  # titles are cut at 512 characters
        "severity": "critical",
        "tool_severity": "critical",
        "cvss": {"score_x10": 100, "version": "3.1", "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"},
        "ids": ["CVE-2021-44228"],
        "cwe": [],
        "package": {
            "name": "org.apache.logging.log4j:log4j-core",
            "installed": "2.13.2",
            "fixed": [],
            "ecosystem": "maven",
            "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.13.2",
        },
        "fix_available": False,
        "occurrences": 1,
    }
    ghsa = helpers.one_finding(data, "GHSA-7rjr-3q55-vv33")  # in_triage counts; the fixed version is Grype's property
    assert ghsa["package"]["fixed"] == ["2.16.0"] and ghsa["fix_available"] is True and "suppression" not in ghsa
    assert ghsa["severity"] == "critical" and "cvss" not in ghsa


def test_jake_finding_field_by_field() -> None:
    item = collect(JAKE)
    data = item.to_json_dict()["data"]
    assert data["scanner"] == {"name": "cyclonedx-python-lib", "version": "1.3.0"} and "target" not in data
    finding = helpers.one_finding(data, "c7129ff8-08bc-4afe-82ec-7d97b9491741")
    assert finding["ids"] == ["CVE-2021-33203", "c7129ff8-08bc-4afe-82ec-7d97b9491741"]
    assert finding["fingerprint"] == package_fingerprint(["CVE-2021-33203"], "x", "django", "2.0")
    assert finding["title"].startswith("[CVE-2021-33203] Django before 2.2.24")
    assert finding["severity"] == "high" and finding["tool_severity"] == "high"
    # method CVSSv3 and a vector without prefix: version 3.0 from the method
    assert finding["cvss"] == {
        "score_x10": 75,
        "version": "3.0",
        "vector": "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        "source": "OSS Index",
    }
    assert finding["package"] == {
        "name": "Django",
        "installed": "2.0",
        "fixed": [],
        "ecosystem": "pypi",
        "purl": "pkg:pypi/django@2.0",
    }


def test_trivy_one_finding_per_affected_component_and_the_sources_own_severity() -> None:
    data = collect(TRIVY).to_json_dict()["data"]
    assert data["scan_types"] == ["container"] and data["target"] == "ubuntu:latest"
    gcc = _findings(data, "CVE-2022-27943")
    assert sorted(f["package"]["name"] for f in gcc) == ["gcc-12-base", "libgcc-s1", "libstdc++6"]
    assert len({f["fingerprint"] for f in gcc}) == 3
    first = gcc[0]
    # ubuntu (the vulnerability's source) says low although NVD scores 5.5; the CVSS shown is NVD's v3.1
    assert first["severity"] == "low" and first["tool_severity"] == "low"
    assert first["cvss"] == {
        "score_x10": 55,
        "version": "3.1",
        "vector": "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H",
        "source": "nvd",
    }
    assert first["cwe"] == [674] and first["published"] == "2022-03-26T13:15:07Z" and first["category"] == "container"
    pcre = helpers.one_finding(data, "CVE-2017-11164")
    assert pcre["package"]["installed"] == "2:8.39-13ubuntu0.22.04.1"  # the purl's epoch qualifier
    assert pcre["package"]["ecosystem"] == "deb"
    # a ref to a component the BOM does not list is read from its purl
    tar = helpers.one_finding(data, "TEMP-0290435-0B57B5")
    assert tar["package"]["name"] == "tar" and tar["package"]["installed"] == "1.30+dfsg-6"
    assert tar["severity"] == "low" and tar["title"] == "TEMP-0290435-0B57B5" and "cvss" not in tar


def test_vex_analysis_states_tools_object_nested_components_and_ratings() -> None:
    item = collect(VEX)
    data = item.to_json_dict()["data"]
    assert data["scanner"] == {"name": "grype", "version": "0.74.0"}  # not the cyclonedx-go library listed first
    assert data["target"] == "shop-api@2.3.0" and data["scan_types"] == ["sca"]
    assert data["counts"] == {"critical": 0, "high": 3, "medium": 0, "low": 0, "info": 0, "unknown": 1}
    assert data["suppressed"] == 3
    assert helpers.one_finding(data, "CVE-2023-32681")["suppression"] == {
        "kind": "not_affected",
        "source": "cyclonedx:analysis",
        "justification": "code_not_reachable: no proxies are configured",
    }
    assert helpers.one_finding(data, "CVE-2022-1471")["suppression"] == {
        "kind": "false_positive",
        "source": "cyclonedx:analysis",
        "justification": "only SafeConstructor is used",
    }
    snake = helpers.one_finding(data, "CVE-2022-1471")
    assert snake["package"]["name"] == "org.yaml:snakeyaml" and snake["severity"] == "critical"
    assert helpers.one_finding(data, "CVE-2024-35195")["suppression"] == {
        "kind": "suppressed",
        "source": "cyclonedx:analysis",
        "justification": "resolved: patched in our vendored copy",
    }
    # one advisory, two affected components (one of them nested): two findings; exploitable counts
    backtracking = _findings(data, "GHSA-q2q7-5pp4-w6pg")
    assert sorted(f["package"]["installed"] for f in backtracking) == ["1.25.8", "1.26.4"]
    for finding in backtracking:
        assert "suppression" not in finding and finding["severity"] == "high"
        assert finding["ids"] == ["CVE-2021-33503", "GHSA-q2q7-5pp4-w6pg"]
        assert (
            finding["title"]
            == "Catastrophic backtracking in URL authority parser when passed URL containing many @ characters"
        )
        assert (
            finding["cvss"]["version"] == "4.0"
            and finding["cvss"]["score_x10"] == 87
            and finding["cvss"]["source"] == "GHSA"
        )
    cookie = helpers.one_finding(data, "CVE-2023-43804")  # a score without a word: severity from the CVSS band
    assert cookie["severity"] == "high" and "tool_severity" not in cookie
    assert cookie["package"]["fixed"] == ["1.26.17"] and cookie["fix_available"] is True
    unrated = helpers.one_finding(data, "PYSEC-2023-212")
    assert unrated["severity"] == "unknown" and unrated["ids"] == ["CVE-2023-45803", "PYSEC-2023-212"]


def test_the_same_cve_in_the_same_package_has_pip_audits_fingerprint() -> None:
    vex = helpers.one_finding(collect(VEX).to_json_dict()["data"], "CVE-2023-32681")
    pip_audit = collect(helpers.TESTS_DATA / "security" / "pip-audit" / "pip_audit_2.10.1_formatter_aliases.json")
    same = [f for f in pip_audit.to_json_dict()["data"]["findings"] if "CVE-2023-32681" in f["ids"]]
    assert len(same) == 1 and same[0]["fingerprint"] == vex["fingerprint"]


def test_empty_vulnerabilities_array_is_a_clean_scan() -> None:
    data = collect(EMPTY_VULNS).to_json_dict()["data"]
    assert data["findings"] == [] and data["counts"] == dict.fromkeys(helpers.SEVERITIES, 0)
    assert data["scan_types"] == ["container"] and data["target"] == "registry.example/shop-api:2.3.0"


def test_sbom_without_vulnerabilities_is_not_a_scan_report() -> None:
    assert detect(SBOM) is CycloneDxVexCollector
    assert helpers.input_error(SBOM).message == SBOM_MESSAGE


def test_empty_and_truncated_files(tmp_path: Path) -> None:
    empty = helpers.write_raw(tmp_path, b"", "empty.json")
    helpers.assert_empty_refused(empty, CycloneDxVexCollector, WHAT, "cyclonedx-vex")
    error = helpers.assert_malformed_json_located(helpers.cut_copy(tmp_path, TRIVY))
    assert error.line is not None and error.line > 100


def _bom(**vulnerability: Any) -> dict[str, Any]:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": [{"bom-ref": "a", "name": "a", "version": "1"}],
        "vulnerabilities": [vulnerability],
    }


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"vulnerabilities": []}, f'not {WHAT}: no "bomFormat": "CycloneDX"'),
        (["CycloneDX"], f"not {WHAT}: the top level is not a JSON object"),
        ({"bomFormat": "CycloneDX", "vulnerabilities": {}}, f"not {WHAT}: 'vulnerabilities' is not a list"),
        (
            {"bomFormat": "CycloneDX", "components": {}, "vulnerabilities": []},
            f"not {WHAT}: 'components' is not a list",
        ),
        ({"bomFormat": "CycloneDX", "vulnerabilities": ["CVE-1"]}, f"not {WHAT}: vulnerabilities[0] is not an object"),
        (_bom(affects=[{"ref": "a"}]), f"not {WHAT}: vulnerabilities[0] has no 'id'"),
        (_bom(id="CVE-2024-1"), f"not {WHAT}: vulnerabilities[0] (CVE-2024-1) has no 'affects' list"),
        (
            _bom(id="CVE-2024-1", affects=[{}]),
            f"not {WHAT}: vulnerabilities[0] (CVE-2024-1) has an 'affects' entry without 'ref'",
        ),
        (
            _bom(id="CVE-2024-1", affects=[{"ref": "b"}]),
            "vulnerabilities[0] (CVE-2024-1) affects 'b', which is no component of the BOM",
        ),
    ],
    ids=[
        "no-bomformat",
        "array",
        "vulns-object",
        "components-object",
        "vuln-string",
        "no-id",
        "no-affects",
        "affects-no-ref",
        "dangling-ref",
    ],
)
def test_wrong_shapes_are_one_line_input_errors(tmp_path: Path, document: Any, message: str) -> None:
    helpers.assert_refused(tmp_path, document, "cyclonedx-vex", message)


def test_other_tools_json_named_as_cyclonedx_is_refused() -> None:
    snyk = helpers.TESTS_DATA / "security" / "snyk" / "snyk_test_single_project_maven.json"
    assert helpers.input_error(snyk, "cyclonedx-vex").message == f'not {WHAT}: no "bomFormat": "CycloneDX"'


def test_rating_without_any_word_or_score_is_unknown(tmp_path: Path) -> None:
    document = _bom(id="CVE-2024-1", ratings=[{"source": {"name": "x"}, "method": "other"}], affects=[{"ref": "a"}])
    data = collect(helpers.write_json(tmp_path, document)).to_json_dict()["data"]
    assert data["counts"]["unknown"] == 1 and data["findings"][0]["severity"] == "unknown"


@pytest.mark.parametrize("path", sorted(DATA.glob("*.json")), ids=lambda p: p.name)
def test_detect_recognises_every_cyclonedx_file(path: Path) -> None:
    assert CycloneDxVexCollector.detect(path.read_bytes()[:HEAD_BYTES])
    assert detect(path) is CycloneDxVexCollector


def _own(path: Path) -> bool:
    """CycloneDX files: checked by the test above, not as foreign files."""
    return path.parent == DATA or (path.is_relative_to(helpers.SHARED) and "cyclonedx" in path.parts)


def test_detect_is_false_for_every_other_sample_and_test_file() -> None:
    helpers.assert_detect_is_specific(CycloneDxVexCollector, [], minimum=50, skip=_own)
