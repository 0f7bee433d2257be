"""Checkov JSON collector: real 3.3.30 outputs (array, object, summary-only), skips, secrets, failure paths."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors import collect, detect
from evaluator.collectors.security.checkov import CheckovJsonCollector
from evaluator.collectors.security.common import code_fingerprint, package_fingerprint
from tests.collectors.security import helpers

DATA = helpers.TESTS_DATA / "security" / "checkov"
MULTI = DATA / "checkov_3.3.30_terraform_k8s_secrets.json"
TERRAFORM = DATA / "checkov_3.3.30_terraform_only.json"
CLEAN = DATA / "checkov_3.3.30_clean.json"
PARSE_ERROR = DATA / "checkov_3.3.30_parse_error.json"
SCA = DATA / "edge_sca_package.json"  # hand-written, see SOURCES.md
READABLE = [MULTI, TERRAFORM, SCA]
SECRETS = ("AKIAQX4HMZT2LBNC7RWE", "q8Lr2vTz0Wc5Yh7Nk3Pb9Xs1Df6Gj4Mu8Ea2Ri0t", "AKIAQ*")
WHAT = "not a Checkov JSON report"
CATEGORY = {"secrets": "secrets", "sca_package": "sca", "sca_image": "container"}


def _reports(path: Path) -> list[dict[str, Any]]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return document if isinstance(document, list) else [document]


def _checks(path: Path, key: str) -> list[tuple[str, dict[str, Any]]]:
    return [(r["check_type"], c) for r in _reports(path) for c in r["results"].get(key, [])]


def _expected_counts(path: Path) -> dict[str, int]:
    words = Counter((c["severity"] or "unknown").lower() for _, c in _checks(path, "failed_checks"))
    return {**helpers.ZERO, **words}


@pytest.mark.parametrize("path", READABLE, ids=lambda p: p.name)
def test_outputs_parse_with_counts_from_the_raw_json(path: Path) -> None:
    item, _ = helpers.collect_valid(path)
    assert item.source.format == "checkov-json"
    assert item.source.tool == "checkov" and item.source.tool_version == "3.3.30"
    data = item.data
    assert data["scanner"] == {"name": "checkov", "version": "3.3.30"}
    assert data["counts"] == _expected_counts(path)
    skipped = _checks(path, "skipped_checks")
    failed = _checks(path, "failed_checks")
    assert data["suppressed"] == len(skipped)
    assert data["scan_errors"] == len({e for r in _reports(path) for e in r["results"].get("parsing_errors", [])})
    assert len(data["findings"]) == len(failed) + len(skipped)
    expected_types = {CATEGORY.get(t, "iac") for t, _ in failed + skipped} | {
        CATEGORY.get(r["check_type"], "iac") for r in _reports(path)
    }
    assert set(data["scan_types"]) == expected_types
    by_key = {(f["rule_id"], f["location"]["path"], f["location"]["line"]): f for f in data["findings"]}
    for check_type, check in failed + skipped:
        first, last = check["file_line_range"]
        finding = by_key[(check["check_id"], check["file_path"], first)]
        category = CATEGORY.get(check_type, "iac")
        assert finding["category"] == category
        assert finding["location"]["end_line"] == last
        assert finding["severity"] == (check["severity"] or "unknown").lower()
        if category in ("iac", "secrets"):
            assert finding["title"] == check["check_name"]
            resource = None if category == "secrets" else check["resource"]
            assert finding["location"].get("resource") == resource
            assert finding["fingerprint"] == code_fingerprint(
                category, "checkov", check["check_id"], check["file_path"], first, resource
            )


def test_several_frameworks_array() -> None:
    data = collect(MULTI).data
    assert [r["check_type"] for r in _reports(MULTI)] == ["kubernetes", "secrets", "terraform"]
    assert data["scan_types"] == ["iac", "secrets"]
    # offline Checkov gives no severity: every finding is unknown (20 kubernetes + 2 secrets + 13 terraform)
    assert data["counts"] == {**helpers.ZERO, "unknown": 35}
    assert data["suppressed"] == 1
    categories = Counter(f["category"] for f in data["findings"])
    assert categories == {"iac": 34, "secrets": 2}
    privileged = [f for f in data["findings"] if f["rule_id"] == "CKV_K8S_16"]
    assert [(f["location"]["path"], f["location"]["resource"]) for f in privileged] == [
        ("/src/k8s/deployment.yaml", "Deployment.default.web")
    ]
    assert all("tool_severity" not in f for f in data["findings"])


def test_single_framework_object() -> None:
    assert isinstance(json.loads(TERRAFORM.read_text()), dict)
    data = collect(TERRAFORM).data
    assert data["scan_types"] == ["iac"]
    assert data["counts"] == {**helpers.ZERO, "unknown": 13}
    rules = {f["rule_id"] for f in data["findings"]}
    assert {"CKV_AWS_20", "CKV_AWS_24", "CKV_AWS_41", "CKV_AWS_3"} <= rules


@pytest.mark.parametrize(
    ("path", "where"),
    [(MULTI, "/terraform/main.tf"), (TERRAFORM, "/main.tf")],  # relative to the scanned directory
    ids=["multi", "terraform"],
)
def test_inline_skip_is_a_suppressed_finding_with_its_reason(path: Path, where: str) -> None:
    (skipped,) = [f for f in collect(path).data["findings"] if "suppression" in f]
    assert skipped["rule_id"] == "CKV_AWS_3"
    assert skipped["location"] == {
        "path": where,
        "line": 23,
        "end_line": 27,
        "resource": "aws_ebs_volume.logs",
    }
    assert skipped["suppression"] == {
        "kind": "suppressed",
        "source": "checkov:skip",
        "justification": "volume holds public build logs only",
    }


def test_secrets_are_never_copied() -> None:
    never: list[str] = list(SECRETS)
    for check_type, check in _checks(MULTI, "failed_checks"):
        if check_type == "secrets":
            never.append(check["resource"])  # Checkov's hash of the secret
        never += [json.dumps(line.strip()) for _, line in check["code_block"] if line.strip()]
    helpers.assert_never_copied(collect(MULTI).to_json_dict(), never)
    secrets = sorted((f["rule_id"], f["title"]) for f in collect(MULTI).data["findings"] if f["category"] == "secrets")
    assert secrets == [("CKV_SECRET_2", "AWS Access Key"), ("CKV_SECRET_6", "Base64 High Entropy String")]


def test_the_source_does_hold_the_secrets() -> None:
    """The test above is meaningful: the scanned Terraform really contains the keys."""
    source = (DATA / "src" / "terraform" / "main.tf").read_text()
    assert SECRETS[0] in source and SECRETS[1] in source


def test_clean_directory_summary_only_output_is_zero_findings() -> None:
    raw = json.loads(CLEAN.read_text())
    assert "check_type" not in raw and raw["failed"] == 0 and raw["resource_count"] == 0
    item, _ = helpers.collect_valid(CLEAN)
    assert item.source.tool_version == raw["checkov_version"]
    assert item.data["findings"] == [] and item.data["counts"] == helpers.ZERO
    assert item.data["scan_types"] == ["iac"] and item.data["scan_errors"] == 0


def test_sca_package_check_maps_the_package() -> None:
    (finding,) = collect(SCA).data["findings"]
    details = _checks(SCA, "failed_checks")[0][1]["vulnerability_details"]
    assert finding["category"] == "sca"
    assert finding["severity"] == "critical"
    assert finding["ids"] == ["CVE-2020-14343"]
    assert finding["package"] == {"name": "pyyaml", "installed": "5.3.1", "fixed": ["5.4"], "ecosystem": "python"}
    assert finding["fix_available"] is True
    assert finding["cvss"] == {"score_x10": 98, "version": "3.1", "vector": details["vector"]}
    assert finding["published"] == "2021-02-09T21:15:00Z"
    assert finding["title"] == "CVE-2020-14343 - pyyaml: 5.3.1"
    assert finding["fingerprint"] == package_fingerprint(["CVE-2020-14343"], "CKV_CVE_2020_14343", "pyyaml", "5.3.1")


# ---- scanner error reports and failure paths --------------------------------------------------------


def test_report_where_nothing_could_be_parsed_is_an_error() -> None:
    assert detect(PARSE_ERROR) is CheckovJsonCollector
    (parse_error,) = _reports(PARSE_ERROR)[0]["results"]["parsing_errors"]
    assert str(helpers.input_error(PARSE_ERROR)) == (
        f"{PARSE_ERROR}: checkov could not parse any file (1 parsing error(s), e.g. {parse_error}); no check ran"
    )


def _write(tmp_path: Path, document: Any) -> Path:
    return helpers.write_json(tmp_path, document, "checkov.json")


def test_parsing_errors_beside_checks_are_not_fatal(tmp_path: Path) -> None:
    reports = _reports(MULTI)
    reports[2]["results"]["parsing_errors"] = ["/work/x/broken.tf"]
    data = collect(_write(tmp_path, reports)).data
    assert data["counts"] == {**helpers.ZERO, "unknown": 35}
    assert data["scan_errors"] == 1


def test_the_real_broken_folder_beside_checks_counts_one_scan_error(tmp_path: Path) -> None:
    """The real parse-error run's list, in the terraform and secrets reports of the real multi-framework run:
    the broken file is one file Checkov could not scan, however many frameworks list it."""
    (broken,) = _reports(PARSE_ERROR)[0]["results"]["parsing_errors"]
    reports = _reports(MULTI)
    for report in reports[1:]:
        report["results"]["parsing_errors"] = [broken]
    data = collect(_write(tmp_path, reports)).data
    assert data["scan_errors"] == 1
    assert data["counts"] == {**helpers.ZERO, "unknown": 35}
    assert "broken" not in json.dumps(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(failed=2), "checkov summary counts 2 failed check(s) but the report lists no results"),
        (lambda d: d.update(parsing_errors=1), "checkov could not parse 1 file(s) and ran no check"),
        (lambda d: d.update(passed="0"), f"{WHAT}: summary has no valid 'passed'"),
    ],
)
def test_summary_only_inconsistencies(tmp_path: Path, change: Any, message: str) -> None:
    document = json.loads(CLEAN.read_text())
    change(document)
    helpers.assert_refused(tmp_path, document, "checkov-json", message, "checkov.json")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "checkov.json"
    path.write_bytes(b"\n\n")
    helpers.assert_empty_refused(path, CheckovJsonCollector, "a Checkov JSON report", "checkov-json")


def test_truncated_json(tmp_path: Path) -> None:
    raw = MULTI.read_text(encoding="utf-8")
    path = tmp_path / "checkov.json"
    path.write_text(raw[:100_000])
    assert detect(path) is CheckovJsonCollector
    helpers.assert_malformed_json_located(path)


@pytest.mark.parametrize(
    "other",
    [
        helpers.TESTS_DATA / "security" / "bandit" / "bandit_1.9.4_app.json",
        helpers.TESTS_DATA / "security" / "semgrep" / "semgrep_1.50.0_app.json",
        helpers.SHARED / "security" / "snyk" / "snyk_iac_test_report.json",
        helpers.SHARED / "security" / "gitleaks" / "gitleaks_v8_many.json",
    ],
    ids=lambda p: p.name,
)
def test_other_tools_json_is_an_error(other: Path) -> None:
    assert detect(other) is not CheckovJsonCollector
    assert str(helpers.input_error(other, "checkov-json")) == (
        f"{other}: {WHAT}: expected an object or array of objects with 'check_type' and 'results'"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.clear(), f"{WHAT}: expected an object or array of objects with 'check_type' and 'results'"),
        (lambda d: d.append(4), f"{WHAT}: expected an object or array of objects with 'check_type' and 'results'"),
        (lambda d: d[1].pop("results"), f"{WHAT}: report 'secrets' has no 'results' object"),
        (
            lambda d: d[2]["results"].update(failed_checks={}),
            f"{WHAT}: terraform.failed_checks is not a list",
        ),
        (
            lambda d: d[0]["results"]["failed_checks"][3].pop("check_id"),
            f"{WHAT}: kubernetes.failed_checks[3] has no 'check_id'",
        ),
        (
            lambda d: d[2]["results"]["skipped_checks"][0].update(file_path=None),
            f"{WHAT}: terraform.skipped_checks[0] has no 'file_path'",
        ),
        (
            lambda d: d[1]["results"]["failed_checks"].append("CKV_SECRET_2"),
            f"{WHAT}: secrets.failed_checks[2] is not an object",
        ),
    ],
)
def test_wrong_shapes(tmp_path: Path, change: Any, message: str) -> None:
    document = _reports(MULTI)
    change(document)
    helpers.assert_refused(tmp_path, document, "checkov-json", message, "checkov.json")


# ---- detection -------------------------------------------------------------------------------------


def test_detect_is_specific() -> None:
    mine = set(DATA.glob("*.json"))
    assert len(mine) == 5
    helpers.assert_detect_is_specific(CheckovJsonCollector, mine)
