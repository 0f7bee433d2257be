"""Gitleaks JSON collector: real v7 and v8 reports, secrets never copied, `[]` as a clean scan, failure paths."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors import collect, detect
from evaluator.collectors.security.common import code_fingerprint
from evaluator.collectors.security.gitleaks import GitleaksJsonCollector
from tests.collectors.security import helpers

DATA = helpers.TESTS_DATA / "security" / "gitleaks"
SAMPLES = sorted(DATA.glob("*.json"))
V7 = DATA / "gitleaks_v7.5.0.json"
V7_REDACTED = DATA / "gitleaks_v8_redacted_many.json"  # v7 keys despite the name (see SOURCES.md)
V8 = DATA / "gitleaks_v8_many.json"
V8_SIMPLE = DATA / "gitleaks_v8_report_json_simple.json"
NOT_GITLEAKS = "not a Gitleaks JSON report"
NEVER_COPIED = (
    "Secret",
    "Match",
    "offender",
    "line",
    "Message",
    "commitMessage",
    "Author",
    "author",
    "Email",
    "email",
)


def _raw(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))


def _key(leak: dict[str, Any]) -> tuple[str, str, int, str]:
    """(rule, file, line, commit) read from either version's keys."""
    if "RuleID" in leak:
        return leak["RuleID"], leak["File"], leak["StartLine"], leak["Commit"]
    return leak["rule"], leak["file"], leak["lineNumber"], leak["commit"]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_parses_with_counts_checked_against_the_raw_json(path: Path) -> None:
    leaks = _raw(path)
    distinct = {_key(leak) for leak in leaks}
    item, as_json = helpers.collect_valid(path)
    assert item.source.format == "gitleaks-json"
    assert item.source.tool == "gitleaks" and item.source.tool_version is None
    assert item.observed is None
    data = as_json["data"]
    assert data["scanner"] == {"name": "gitleaks"}
    assert data["scan_types"] == ["secrets"] and "target" not in data
    assert data["counts"] == {"critical": 0, "high": len(distinct), "medium": 0, "low": 0, "info": 0, "unknown": 0}
    assert data["suppressed"] == 0 and data["truncated"] is False
    assert data["scan_errors"] == 0  # Gitleaks reports no file it could not scan
    assert sum(f["occurrences"] for f in data["findings"]) == len(leaks)
    assert {(f["category"], f["severity"]) for f in data["findings"]} == {("secrets", "high")}
    assert {f["fingerprint"] for f in data["findings"]} == {
        code_fingerprint("secrets", "gitleaks", *key) for key in distinct
    }


def test_sample_sizes() -> None:
    """The counts the other tests derive are not trivially zero."""
    assert [len(_raw(p)) for p in (V7, V8, V7_REDACTED, V8_SIMPLE)] == [8, 4, 6, 1]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_secrets_and_personal_data_never_enter_the_item(path: Path) -> None:
    never: set[str] = set()
    checked = 0
    for leak in _raw(path):
        for key in NEVER_COPIED:
            value = leak.get(key)
            # "REDACTED" is Gitleaks' placeholder, not a secret (our own masking writes "[REDACTED]")
            if not isinstance(value, str) or not value.strip() or value == "REDACTED":
                continue
            never |= {value, value.strip()}
            checked += 1
    assert checked >= 4
    helpers.assert_never_copied(collect(path).to_json_dict(), sorted(never))


def test_v8_fields() -> None:
    findings = collect(V8).to_json_dict()["data"]["findings"]
    aws = [f for f in findings if f["rule_id"] == "aws-access-token"]
    assert len(aws) == 2  # one file and line, two commits: two findings
    commit = "74d53286c550630f80847d37f68aa3065554ac813544072ccd1278da71fafe31"
    first = next(
        f
        for f in aws
        if f["fingerprint"] == code_fingerprint("secrets", "gitleaks", "aws-access-token", "/conf/aws.tf", 2, commit)
    )
    assert first == {
        "fingerprint": first["fingerprint"],
        "category": "secrets",
        "rule_id": "aws-access-token",
        "title": "AWS",
        "severity": "high",
        "ids": [],
        "cwe": [],
        "fix_available": False,
        "location": {"path": "/conf/aws.tf", "line": 2, "end_line": 2},
        "first_seen": "2021-10-14T17:05:15Z",
        "occurrences": 1,
    }
    rsa = next(f for f in findings if f["rule_id"] == "RSA-PK")  # --no-git style: no commit, no date
    assert rsa["title"] == "RSA private key" and "first_seen" not in rsa
    assert rsa["fingerprint"] == code_fingerprint("secrets", "gitleaks", "RSA-PK", "conf/rsa.pk", 57, "")
    # sorted by rule id within one severity
    assert [f["rule_id"] for f in findings] == ["RSA-PK", "aws-access-token", "aws-access-token", "generic-api-key"]


def test_v8_writer_output_with_empty_description_and_non_iso_date() -> None:
    findings = collect(V8_SIMPLE).to_json_dict()["data"]["findings"]
    assert findings == [
        {
            "fingerprint": code_fingerprint("secrets", "gitleaks", "test-rule", "auth.py", 1, "0000000000000000"),
            "category": "secrets",
            "rule_id": "test-rule",
            "title": "test-rule",  # Description "" falls back to the rule id
            "severity": "high",
            "ids": [],
            "cwe": [],
            "fix_available": False,
            "location": {"path": "auth.py", "line": 1, "end_line": 2},  # Date "10-19-2003": no first_seen
            "occurrences": 1,
        }
    ]


def test_v7_fields_and_first_seen_in_utc() -> None:
    findings = collect(V7).to_json_dict()["data"]["findings"]
    path = "dojo/unittests/scans/gitlab_secret_detection_report/gitlab_secret_detection_report_1_vuln.json"
    same_place = [f for f in findings if f["location"] == {"path": path, "line": 13}]
    assert len(same_place) == 2  # the same leak seen in two commits
    assert sorted(f["first_seen"] for f in same_place) == ["2021-07-15T15:00:32Z", "2021-07-27T16:19:31Z"]
    assert {(f["rule_id"], f["title"]) for f in findings} == {
        ("AWS Access Key", "AWS Access Key"),
        ("Asymmetric Private Key", "Asymmetric Private Key"),
    }
    assert "end_line" not in findings[0]["location"]


def test_v8_redact_keeps_the_same_findings_and_fingerprints(tmp_path: Path) -> None:
    plain = _raw(V8)
    redacted = copy.deepcopy(plain)
    for leak in redacted:  # what `gitleaks detect --redact` writes
        leak["Match"] = leak["Match"].replace(leak["Secret"], "REDACTED")
        leak["Secret"] = "REDACTED"
    data = collect(helpers.write_json(tmp_path, redacted)).to_json_dict()["data"]
    assert data == collect(V8).to_json_dict()["data"]


def test_one_rule_twice_on_one_line_of_one_commit_is_one_finding(tmp_path: Path) -> None:
    leaks = _raw(V8)[:1]
    second = dict(leaks[0], StartColumn=50, EndColumn=69, Secret="othersecretvalue", Match="othersecretvalue")
    data = collect(helpers.write_json(tmp_path, [leaks[0], second])).to_json_dict()["data"]
    assert [(f["rule_id"], f["occurrences"]) for f in data["findings"]] == [("aws-access-token", 2)]
    assert data["counts"]["high"] == 1


@pytest.mark.parametrize("content", [b"[]", b"[]\n", b"  [ ]  \r\n", b"\xef\xbb\xbf[]"], ids=repr)
def test_empty_array_named_explicitly_is_a_clean_scan(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "gitleaks-report.json"
    path.write_bytes(content)
    _, as_json = helpers.collect_valid(path, format_name="gitleaks-json")
    assert as_json["data"]["findings"] == []
    assert as_json["data"]["counts"] == helpers.ZERO
    assert as_json["data"]["scan_types"] == ["secrets"]


def test_empty_array_is_not_auto_detected(tmp_path: Path) -> None:
    path = tmp_path / "gitleaks-report.json"
    path.write_bytes(b"[]\n")
    assert not GitleaksJsonCollector.detect(b"[]\n")
    assert helpers.input_error(path).message.startswith("format not recognised from its content")


def test_empty_file_is_not_a_clean_scan(tmp_path: Path) -> None:
    empty = tmp_path / "gitleaks-report.json"
    empty.write_bytes(b"")
    helpers.assert_empty_refused(empty, GitleaksJsonCollector, "a Gitleaks JSON report", "gitleaks-json")
    empty.write_bytes(b" \n")
    helpers.assert_empty_refused(empty, GitleaksJsonCollector, "a Gitleaks JSON report", "gitleaks-json")


def test_truncated_json_is_located(tmp_path: Path) -> None:
    error = helpers.assert_malformed_json_located(helpers.cut_copy(tmp_path, V7))  # still detected from its head
    assert error.line is not None and error.line > 20


def test_unrelated_arrays_are_input_errors(tmp_path: Path) -> None:
    unrelated = helpers.write_json(tmp_path, [{"name": "x", "version": "1.0"}, {"name": "y"}])
    assert helpers.input_error(unrelated).message.startswith("format not recognised from its content")
    assert helpers.input_error(unrelated, "gitleaks-json").message == (
        f"{NOT_GITLEAKS}: leak 1 has neither 'RuleID' (v8) nor 'rule' and 'offender' (v7)"
    )
    numbers = helpers.write_json(tmp_path, [1, 2, 3])
    assert helpers.input_error(numbers, "gitleaks-json").message == f"{NOT_GITLEAKS}: leak 1 is not an object"
    mixed = helpers.write_json(tmp_path, [*_raw(V8_SIMPLE), {"ruleId": "x"}])
    assert helpers.input_error(mixed).message == (
        f"{NOT_GITLEAKS}: leak 2 has neither 'RuleID' (v8) nor 'rule' and 'offender' (v7)"
    )


def test_other_tools_json_is_an_input_error() -> None:
    zap = helpers.TESTS_DATA / "security" / "zap" / "zap_2.8.0_traditional_json_2020.json"
    assert helpers.input_error(zap, "gitleaks-json").message == f"{NOT_GITLEAKS}: expected a JSON array of leaks"


def _other_json_samples() -> list[Path]:
    found = sorted(p for p in (helpers.SHARED / "security").rglob("*.json") if p.parent.name != "gitleaks")
    return found or [helpers.TESTS_DATA / "security" / "zap" / "zap_2.8.0_traditional_json_2020.json"]


@pytest.mark.parametrize("path", _other_json_samples(), ids=lambda p: p.name)
def test_every_other_tools_sample_read_as_gitleaks_is_an_input_error(path: Path) -> None:
    assert helpers.input_error(path, "gitleaks-json").message.startswith(f"{NOT_GITLEAKS}: ")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"StartLine": "1"}, "leak 1: 'StartLine' is not an integer"),
        ({"EndLine": True}, "leak 1: 'EndLine' is not an integer"),
        ({"RuleID": ""}, "leak 1 has no 'RuleID'"),
        ({"RuleID": 7}, "leak 1 has no 'RuleID'"),
        ({"File": ["auth.py"]}, "leak 1: 'File' is not a string"),
        ({"Commit": 0}, "leak 1: 'Commit' is not a string"),
    ],
    ids=["startline-string", "endline-bool", "ruleid-empty", "ruleid-number", "file-list", "commit-number"],
)
def test_wrong_types_v8(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    leak = dict(_raw(V8_SIMPLE)[0], **change)
    assert helpers.input_error(helpers.write_json(tmp_path, [leak])).message == f"{NOT_GITLEAKS}: {message}"


def test_wrong_types_v7(tmp_path: Path) -> None:
    leak = dict(_raw(V7)[0], lineNumber=13.0)
    assert (
        helpers.input_error(helpers.write_json(tmp_path, [leak])).message
        == f"{NOT_GITLEAKS}: leak 1: 'lineNumber' is not an integer"
    )
    leak = dict(_raw(V7)[0], file=None, lineNumber=None)  # null place: a finding without location
    finding = collect(helpers.write_json(tmp_path, [leak])).to_json_dict()["data"]["findings"][0]
    assert "location" not in finding


def test_not_an_array(tmp_path: Path) -> None:
    assert helpers.input_error(
        helpers.write_json(tmp_path, {"RuleID": "x", "StartLine": 1}), "gitleaks-json"
    ).message == (f"{NOT_GITLEAKS}: expected a JSON array of leaks")


def _gitleaks_json(path: Path) -> bool:
    return path.parent.name == "gitleaks" and path.suffix == ".json"


def test_detect_is_specific() -> None:
    # Gitleaks JSON elsewhere (the shared samples) is left out, as it always was: only these samples must be claimed
    helpers.assert_detect_is_specific(
        GitleaksJsonCollector, SAMPLES, minimum=20, skip=lambda p: _gitleaks_json(p) and p not in SAMPLES
    )
    assert any(p.suffix == ".sarif" and "gitleaks" in p.name for p in helpers.every_sample_file())  # not this format
    for sample in SAMPLES:
        assert detect(sample) is GitleaksJsonCollector
    for other in (b"[]", b'[{"ruleId": "x", "startLine": 1}]', b'{"RuleID": "x", "StartLine": 1}', b"[1, 2]"):
        assert not GitleaksJsonCollector.detect(other)
