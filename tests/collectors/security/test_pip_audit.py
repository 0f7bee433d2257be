"""pip-audit JSON collector: public reports (current and legacy form), a real all-skipped run, formatter output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors import collect, detect
from evaluator.collectors.interface import HEAD_BYTES
from evaluator.collectors.security.common import package_fingerprint
from evaluator.collectors.security.pip_audit import PipAuditJsonCollector
from tests.collectors.security import helpers

DATA = helpers.TESTS_DATA / "security" / "pip-audit"
MANY = DATA / "pip_audit_many_vulns_new.json"
LEGACY = DATA / "pip_audit_legacy_zero_vulns.json"
ALL_SKIPPED = DATA / "pip_audit_2.10.1_all_skipped.json"
FORMATTER = DATA / "pip_audit_2.10.1_formatter_aliases.json"
PARSEABLE = [MANY, LEGACY, FORMATTER]
WHAT = "a pip-audit JSON report (pip-audit -f json)"


def _raw(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _dependencies(document: Any) -> list[dict[str, Any]]:
    return document["dependencies"] if isinstance(document, dict) else document


def _independent(document: Any) -> tuple[int, int]:
    """(distinct findings, listed vulnerability rows): one finding per (advisory, package, version).

    An advisory is named by the lowest CVE among its id and aliases, else the lowest GHSA, else its id.
    """
    keys = set()
    rows = 0
    for dependency in _dependencies(document):
        for vuln in dependency.get("vulns", []):
            rows += 1
            names = [vuln["id"], *vuln.get("aliases", [])]
            cves = sorted(n for n in names if n.startswith("CVE-"))
            ghsas = sorted(n for n in names if n.startswith("GHSA-"))
            keys.add(((cves or ghsas or [vuln["id"]])[0], dependency["name"].lower(), dependency["version"]))
    return len(keys), rows


@pytest.mark.parametrize("path", PARSEABLE, ids=lambda p: p.name)
def test_every_sample_parses_with_counts_checked_against_the_raw_json(path: Path) -> None:
    distinct, rows = _independent(_raw(path))
    item, as_json = helpers.collect_valid(path)
    assert item.source.format == "pip-audit-json"
    assert item.source.tool == "pip-audit" and item.source.tool_version is None and item.observed is None
    data = as_json["data"]
    assert data["scanner"] == {"name": "pip-audit"} and data["scan_types"] == ["sca"] and "target" not in data
    # pip-audit gives no severity: every finding counts as unknown
    assert data["counts"] == {s: (distinct if s == "unknown" else 0) for s in helpers.SEVERITIES}
    assert data["suppressed"] == 0 and len(data["findings"]) == distinct
    assert data["scan_errors"] == 0  # skipped dependencies are not files it failed to scan: they are not findings
    assert sum(f["occurrences"] for f in data["findings"]) == rows
    skipped = {d["name"] for d in _dependencies(_raw(path)) if "skip_reason" in d}
    assert skipped and not {f["package"]["name"] for f in data["findings"]} & skipped


def test_sample_counts_are_not_trivial() -> None:
    assert _independent(_raw(MANY)) == (7, 7)
    assert _independent(_raw(FORMATTER)) == (4, 4)
    assert _independent(_raw(LEGACY)) == (0, 0)


def test_many_vulns_findings_field_by_field() -> None:
    data = collect(MANY).to_json_dict()["data"]
    django = [f for f in data["findings"] if f["rule_id"] == "PYSEC-2021-439"]
    assert django == [
        {
            "fingerprint": package_fingerprint(["PYSEC-2021-439"], "PYSEC-2021-439", "django", "3.2.9"),
            "category": "sca",
            "rule_id": "PYSEC-2021-439",
            "title": (
                "In Django 2.2 before 2.2.25, 3.1 before 3.1.14, and 3.2 before 3.2.10, HTTP requests for URLs "
                "with trailing newlines could bypass upstream access control based on URL paths."
            ),
            "severity": "unknown",
            "ids": ["PYSEC-2021-439"],
            "cwe": [],
            "package": {
                "name": "django",
                "installed": "3.2.9",
                "fixed": ["2.2.25", "3.1.14", "3.2.10"],
                "ecosystem": "pypi",
            },
            "fix_available": True,
            "occurrences": 1,
        }
    ]
    lxml = next(f for f in data["findings"] if f["rule_id"] == "PYSEC-2021-852")
    assert lxml["package"]["fixed"] == [] and lxml["fix_available"] is False
    assert sorted(f["rule_id"] for f in data["findings"] if f["package"]["name"] == "twisted") == [
        "PYSEC-2019-128",
        "PYSEC-2019-129",
        "PYSEC-2020-259",
        "PYSEC-2020-260",
    ]


def test_aliases_make_the_ids_and_the_fingerprint() -> None:
    data = collect(FORMATTER).to_json_dict()["data"]
    proxy = next(f for f in data["findings"] if f["rule_id"] == "PYSEC-2023-74")
    assert proxy["ids"] == ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q", "PYSEC-2023-74"]
    assert proxy["fingerprint"] == package_fingerprint(["CVE-2023-32681"], "x", "requests", "2.25.1")
    assert proxy["package"] == {"name": "requests", "installed": "2.25.1", "fixed": ["2.31.0"], "ecosystem": "pypi"}
    assert proxy["title"].startswith("Requests is a HTTP library.")
    netrc = next(f for f in data["findings"] if f["rule_id"] == "GHSA-9hjg-9r4m-mvj7")
    assert netrc["ids"] == ["GHSA-9hjg-9r4m-mvj7"] and netrc["fix_available"] is False
    assert netrc["fingerprint"] == package_fingerprint([], "GHSA-9hjg-9r4m-mvj7", "requests", "2.25.1")
    assert {f["package"]["name"] for f in data["findings"]} == {"jinja2", "requests"}


def test_two_entries_for_one_cve_in_one_package_count_once(tmp_path: Path) -> None:
    document = _raw(FORMATTER)
    requests = next(d for d in document["dependencies"] if d["name"] == "requests")
    requests["vulns"].append({"id": "GHSA-j8r2-6x86-q33q", "fix_versions": ["2.31.0"], "aliases": ["CVE-2023-32681"]})
    data = collect(helpers.write_json(tmp_path, document)).to_json_dict()["data"]
    assert data["counts"]["unknown"] == 4 == _independent(document)[0]
    merged = [f for f in data["findings"] if "CVE-2023-32681" in f["ids"]]
    assert len(merged) == 1 and merged[0]["occurrences"] == 2


def test_no_dependencies_is_a_clean_scan(tmp_path: Path) -> None:
    data = collect(helpers.write_json(tmp_path, {"dependencies": [], "fixes": []})).to_json_dict()["data"]
    assert data["findings"] == [] and data["counts"] == dict.fromkeys(helpers.SEVERITIES, 0)


def test_a_run_that_skipped_every_dependency_audited_nothing() -> None:
    assert detect(ALL_SKIPPED) is PipAuditJsonCollector
    assert helpers.input_error(ALL_SKIPPED).message == (
        "pip-audit audited none of its 2 dependencies "
        "(all skipped: Dependency not found on PyPI and could not be audited: django (2.0))"
    )


def test_empty_and_truncated_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.json"
    blank.write_bytes(b"\n\n")
    for path in (empty, blank):
        helpers.assert_empty_refused(path, PipAuditJsonCollector, WHAT, "pip-audit-json")
    error = helpers.assert_malformed_json_located(helpers.cut_copy(tmp_path, MANY))
    assert error.line is not None and error.line > 10


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"results": []}, f"not {WHAT}: no 'dependencies' list"),
        ({"dependencies": [], "fixes": {}}, f"not {WHAT}: 'fixes' is not a list"),
        ("pip-audit", f"not {WHAT}: expected a JSON object or array"),
        ([1], f"not {WHAT}: dependencies[0] is not an object"),
        ([{"version": "1.0", "vulns": []}], f"not {WHAT}: dependencies[0] has no 'name'"),
        (
            [{"name": "a", "vulns": []}],
            f"not {WHAT}: dependencies[0] (a) needs 'version' and a 'vulns' list, or 'skip_reason'",
        ),
        (
            [{"name": "a", "version": "1", "vulns": {"id": "PYSEC-1"}}],
            f"not {WHAT}: dependencies[0] (a) needs 'version' and a 'vulns' list, or 'skip_reason'",
        ),
        (
            [{"name": "a", "version": "1", "vulns": ["PYSEC-1"]}],
            f"not {WHAT}: dependencies[0].vulns[0] is not an object",
        ),
        (
            [{"name": "a", "version": "1", "vulns": [{"fix_versions": []}]}],
            f"not {WHAT}: dependencies[0].vulns[0] has no 'id'",
        ),
        (
            [{"name": "a", "version": "1", "vulns": [{"id": "PYSEC-1", "fix_versions": "2.0"}]}],
            f"not {WHAT}: dependencies[0].vulns[0] (PYSEC-1) 'aliases' and 'fix_versions' must be lists",
        ),
    ],
    ids=[
        "other-object",
        "fixes-object",
        "string",
        "dep-int",
        "no-name",
        "no-version",
        "vulns-object",
        "vuln-string",
        "no-id",
        "fix-string",
    ],
)
def test_wrong_shapes_are_one_line_input_errors(tmp_path: Path, document: Any, message: str) -> None:
    helpers.assert_refused(tmp_path, document, "pip-audit-json", message)


def test_other_tools_json_named_as_pip_audit_is_refused() -> None:
    snyk = helpers.TESTS_DATA / "security" / "snyk" / "snyk_test_single_project_maven.json"
    assert helpers.input_error(snyk, "pip-audit-json").message == f"not {WHAT}: no 'dependencies' list"
    trivy_bom = helpers.TESTS_DATA / "security" / "cyclonedx" / "cdx1.5_trivy0.48.1_with_vulns.json"
    # a CycloneDX BOM has a 'dependencies' list too, but of refs: refused on its first entry
    assert helpers.input_error(trivy_bom, "pip-audit-json").message == f"not {WHAT}: dependencies[0] has no 'name'"


@pytest.mark.parametrize("path", sorted(DATA.glob("*.json")), ids=lambda p: p.name)
def test_detect_recognises_every_pip_audit_file(path: Path) -> None:
    assert PipAuditJsonCollector.detect(path.read_bytes()[:HEAD_BYTES])
    assert detect(path) is PipAuditJsonCollector


def test_detect_is_false_for_every_other_sample_and_test_file() -> None:
    helpers.assert_detect_is_specific(PipAuditJsonCollector, [], minimum=50, skip=lambda p: p.parent == DATA)
