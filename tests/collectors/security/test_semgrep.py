"""Semgrep JSON collector: real 1.50.0 and 1.185.0 outputs, nosemgrep, fatal vs non-fatal errors, failure paths."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors import collect, detect
from evaluator.collectors.interface import HEAD_BYTES
from evaluator.collectors.security.common import code_fingerprint
from evaluator.collectors.security.semgrep import SemgrepJsonCollector
from tests.collectors.security import helpers

DATA = helpers.TESTS_DATA / "security" / "semgrep"
VERSIONS = ("1.50.0", "1.185.0")
READABLE = [
    DATA / f"semgrep_{v}_{case}.json"
    for v in VERSIONS
    for case in ("app", "app_disable_nosem", "with_parse_error", "clean")
]
SECRETS = ("hunter2-Zq9vX7", "s3cr3t-Pa55w0rd")
WHAT = "not a Semgrep JSON report"


def _raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _expected_severity(result: dict[str, Any]) -> str:
    """Independent reading of the documented order: impact, else ERROR/WARNING/INFO."""
    impact = result["extra"]["metadata"].get("impact")
    if impact:
        return impact.lower()
    return {"ERROR": "high", "WARNING": "medium", "INFO": "low"}[result["extra"]["severity"]]


def _expected_counts(raw: dict[str, Any]) -> tuple[dict[str, int], int]:
    counted = Counter(_expected_severity(r) for r in raw["results"] if not r["extra"].get("is_ignored"))
    return {**helpers.ZERO, **counted}, sum(1 for r in raw["results"] if r["extra"].get("is_ignored"))


def _cwes(metadata: dict[str, Any]) -> list[int]:
    values = metadata.get("cwe", [])
    values = values if isinstance(values, list) else [values]
    return sorted({int(m) for v in values for m in re.findall(r"CWE-(\d+)", v)})


@pytest.mark.parametrize("path", READABLE, ids=lambda p: p.name)
def test_real_outputs_parse_with_counts_from_the_raw_json(path: Path) -> None:
    raw = _raw(path)
    item, _ = helpers.collect_valid(path)
    assert item.source.format == "semgrep-json"
    assert item.source.tool == "semgrep" and item.source.tool_version == raw["version"]
    data = item.data
    assert data["scanner"] == {"name": "semgrep", "version": raw["version"]}
    assert data["scan_types"] == ["sast"]
    counts, suppressed = _expected_counts(raw)
    assert data["counts"] == counts
    assert data["suppressed"] == suppressed
    assert data["scan_errors"] == len({e["path"] for e in raw["errors"] if e["level"] == "warn"})
    assert len(data["findings"]) == len(raw["results"])
    by_place = {(f["rule_id"], f["location"]["path"], f["location"]["line"]): f for f in data["findings"]}
    for result in raw["results"]:
        finding = by_place[(result["check_id"], result["path"], result["start"]["line"])]
        assert finding["category"] == "sast"
        assert finding["title"] == result["extra"]["message"]
        assert finding["tool_severity"] == result["extra"]["severity"]
        assert finding["severity"] == _expected_severity(result)
        assert finding["cwe"] == _cwes(result["extra"]["metadata"])
        assert finding["location"]["end_line"] == result["end"]["line"]
        assert finding["fingerprint"] == code_fingerprint(
            "sast", "semgrep", result["check_id"], result["path"], result["start"]["line"]
        )
        assert ("suppression" in finding) is bool(result["extra"].get("is_ignored"))
    assert item.observed is None


@pytest.mark.parametrize("version", VERSIONS)
def test_app_output_values(version: str) -> None:
    data = collect(DATA / f"semgrep_{version}_app.json").data
    assert data["counts"] == {**helpers.ZERO, "high": 1, "medium": 5, "low": 1}
    assert sorted((f["rule_id"], f["location"]["line"], f["severity"]) for f in data["findings"]) == [
        ("python-eval-use", 17, "medium"),  # ERROR rule, metadata impact MEDIUM wins
        ("python-eval-use", 21, "medium"),
        ("python-hardcoded-password-default", 40, "low"),  # INFO
        ("python-requests-verify-false", 33, "medium"),  # WARNING
        ("python-requests-verify-false", 37, "medium"),
        ("python-subprocess-shell-true", 13, "high"),  # ERROR
        ("python-weak-hash-md5", 29, "medium"),
    ]
    assert all(f["location"]["path"] == "src/app/views.py" for f in data["findings"])


def test_fingerprints_are_the_same_across_semgrep_versions() -> None:
    old = {f["fingerprint"] for f in collect(DATA / "semgrep_1.50.0_app.json").data["findings"]}
    new = {f["fingerprint"] for f in collect(DATA / "semgrep_1.185.0_app.json").data["findings"]}
    assert old == new and len(new) == 7


def test_nosemgrep_result_is_suppressed_when_semgrep_marks_it() -> None:
    raw = _raw(DATA / "semgrep_1.50.0_app_disable_nosem.json")
    ignored = [r for r in raw["results"] if r["extra"].get("is_ignored") is True]
    assert [(r["check_id"], r["start"]["line"]) for r in ignored] == [("python-subprocess-shell-true", 45)]
    data = collect(DATA / "semgrep_1.50.0_app_disable_nosem.json").data
    assert data["suppressed"] == 1
    assert data["counts"]["high"] == 1
    (suppressed,) = [f for f in data["findings"] if "suppression" in f]
    assert suppressed["location"]["line"] == 45
    assert suppressed["suppression"] == {"kind": "suppressed", "source": "semgrep:nosemgrep"}


def test_newer_semgrep_lists_nosemgrep_results_without_the_flag() -> None:
    raw = _raw(DATA / "semgrep_1.185.0_app_disable_nosem.json")
    assert all("is_ignored" not in r["extra"] for r in raw["results"])
    data = collect(DATA / "semgrep_1.185.0_app_disable_nosem.json").data
    assert data["suppressed"] == 0 and data["counts"]["high"] == 2


@pytest.mark.parametrize("path", READABLE, ids=lambda p: p.name)
def test_secrets_and_source_lines_never_reach_the_item(path: Path) -> None:
    extras = [result["extra"] for result in _raw(path)["results"]]
    copied = [*SECRETS, *(e["lines"] for e in extras), *(e["fingerprint"] for e in extras)]
    helpers.assert_never_copied(collect(path).to_json_dict(), copied)


def test_the_1_50_output_does_hold_the_secret_in_its_lines() -> None:
    """The test above is meaningful: the raw file really contains the password."""
    assert SECRETS[1] in (DATA / "semgrep_1.50.0_app.json").read_text()


@pytest.mark.parametrize("version", VERSIONS)
def test_partial_parse_warning_is_not_fatal(version: str) -> None:
    path = DATA / f"semgrep_{version}_with_parse_error.json"
    raw = _raw(path)
    assert [(e["level"], e["path"]) for e in raw["errors"]] == [("warn", "src/broken/broken.py")]
    data = collect(path).data
    assert ("python-eval-use", "src/broken/broken.py", 2) in {
        (f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in data["findings"]
    }
    assert data["counts"] == {**helpers.ZERO, "high": 1, "medium": 6, "low": 1}
    assert data["scan_errors"] == 1  # the partially parsed file, counted once
    assert "PartialParsing" not in json.dumps(data) and "Syntax error" not in json.dumps(data)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "semgrep_1.185.0_invalid_rule.json",
            "semgrep reported a fatal error (Rule parse error): Rule parse error in rule broken-rule: "
            "Invalid pattern for Python: Stdlib.Parsing.Parse_error",
        ),
        (
            "semgrep_1.50.0_invalid_rule.json",
            "semgrep reported a fatal error (PatternParseError): Pattern parse error in rule broken-rule: "
            "Invalid pattern for Python:",
        ),
        ("semgrep_1.185.0_no_files.json", "semgrep scanned no files (paths.scanned is empty): nothing was checked"),
    ],
)
def test_scanner_error_reports_are_input_errors(name: str, message: str) -> None:
    path = DATA / name
    raw = _raw(path)
    assert raw["results"] == []
    assert detect(path) is SemgrepJsonCollector
    assert str(helpers.input_error(path)) == f"{path}: {message}"


@pytest.mark.parametrize("version", VERSIONS)
def test_clean_output_is_zero_findings(version: str) -> None:
    data = collect(DATA / f"semgrep_{version}_clean.json").data
    assert data["findings"] == [] and data["counts"] == helpers.ZERO and data["suppressed"] == 0


# ---- severity and category rules on edited copies of a real output ---------------------------------


def _write(tmp_path: Path, document: Any) -> Path:
    return helpers.write_json(tmp_path, document, "semgrep.json")


def _one_result(**extra: Any) -> dict[str, Any]:
    document = _raw(DATA / "semgrep_1.185.0_app.json")
    document["results"] = document["results"][:1]
    document["results"][0]["extra"].update(extra)
    return document


@pytest.mark.parametrize(
    ("severity", "metadata", "expected"),
    [
        ("INFO", {"security-severity": 9.1}, "critical"),
        ("ERROR", {"security-severity": "5.0"}, "medium"),
        ("WARNING", {"impact": "HIGH"}, "high"),
        ("ERROR", {"impact": "LOW"}, "low"),
        ("CRITICAL", {}, "critical"),
        ("INVENTORY", {}, "info"),
        ("BOGUS", {}, "unknown"),
    ],
)
def test_severity_order(tmp_path: Path, severity: str, metadata: dict[str, Any], expected: str) -> None:
    data = collect(_write(tmp_path, _one_result(severity=severity, metadata=metadata))).data
    assert data["findings"][0]["severity"] == expected
    assert data["findings"][0]["tool_severity"] == severity


def test_secrets_rules_are_secrets_findings(tmp_path: Path) -> None:
    document = _one_result(metadata={"category": "security"})
    document["results"][0]["check_id"] = "generic.secrets.security.detected-aws-access-key-id-value"
    data = collect(_write(tmp_path, document)).data
    assert data["findings"][0]["category"] == "secrets"
    assert data["scan_types"] == ["sast", "secrets"]


# ---- failure paths ---------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "semgrep.json"
    path.write_text("")
    helpers.assert_empty_refused(path, SemgrepJsonCollector, "a Semgrep JSON report", "semgrep-json")


def test_truncated_json(tmp_path: Path) -> None:
    raw = (DATA / "semgrep_1.50.0_app.json").read_text(encoding="utf-8")
    path = tmp_path / "semgrep.json"
    path.write_text(raw[: len(raw) * 2 // 3])
    assert detect(path) is SemgrepJsonCollector
    helpers.assert_malformed_json_located(path)


@pytest.mark.parametrize(
    ("other", "message"),
    [
        (
            helpers.TESTS_DATA / "security" / "bandit" / "bandit_1.9.4_app.json",
            f"{WHAT}: no 'results' and 'errors' lists with 'paths' or 'version'",
        ),
        (
            helpers.TESTS_DATA / "security" / "checkov" / "checkov_3.3.30_terraform_k8s_secrets.json",
            f"{WHAT}: expected a JSON object",
        ),
        (helpers.SHARED / "security" / "gitleaks" / "gitleaks_v8_many.json", f"{WHAT}: expected a JSON object"),
    ],
    ids=lambda p: p.name if isinstance(p, Path) else "",
)
def test_other_tools_json_is_an_error(other: Path, message: str) -> None:
    assert detect(other) is not SemgrepJsonCollector
    assert str(helpers.input_error(other, "semgrep-json")) == f"{other}: {message}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("errors"), f"{WHAT}: no 'results' and 'errors' lists with 'paths' or 'version'"),
        (lambda d: d.update(results={}), f"{WHAT}: no 'results' and 'errors' lists with 'paths' or 'version'"),
        (lambda d: d.update(errors=["boom"]), f"{WHAT}: errors[0] is not an object"),
        (
            lambda d: [d.pop("paths"), d.pop("version")],
            f"{WHAT}: no 'results' and 'errors' lists with 'paths' or 'version'",
        ),
        (lambda d: d["results"][3].pop("check_id"), f"{WHAT}: results[3] has no 'check_id'"),
        (lambda d: d["results"][0].update(path=None), f"{WHAT}: results[0] has no 'path'"),
        (lambda d: d["results"][1].update(start={"line": "17"}), f"{WHAT}: results[1] has no valid 'start.line'"),
        (lambda d: d["results"][1].pop("extra"), f"{WHAT}: results[1] has no 'extra' object"),
        (lambda d: d["results"].append(3), f"{WHAT}: results[7] is not an object"),
    ],
)
def test_wrong_shapes(tmp_path: Path, change: Any, message: str) -> None:
    document = _raw(DATA / "semgrep_1.185.0_app.json")
    change(document)
    helpers.assert_refused(tmp_path, document, "semgrep-json", message, "semgrep.json")


# ---- detection -------------------------------------------------------------------------------------


def test_detect_is_specific() -> None:
    mine = set(DATA.glob("*.json"))
    assert len(mine) == 11
    helpers.assert_detect_is_specific(SemgrepJsonCollector, mine)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("indent", [None, 2])
def test_detect_on_a_large_output(version: str, indent: int | None) -> None:
    """Many results push 'errors' and 'paths' past the 64 KiB head (1.185 writes them last)."""
    document = _raw(DATA / f"semgrep_{version}_app.json")
    document["results"] = document["results"] * 300
    text = json.dumps(document, indent=indent).encode()
    assert len(text) > 4 * HEAD_BYTES
    assert SemgrepJsonCollector.detect(text[:HEAD_BYTES])
