"""Bandit JSON collector: real 1.7.5 and 1.9.4 reports, nosec, secrets never copied, parse errors, failure paths."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors import collect, detect
from evaluator.collectors.interface import HEAD_BYTES
from evaluator.collectors.security.bandit import BanditJsonCollector
from evaluator.collectors.security.common import code_fingerprint
from tests.collectors.security import helpers

DATA = helpers.TESTS_DATA / "security" / "bandit"
APP = {"1.9.4": DATA / "bandit_1.9.4_app.json", "1.7.5": DATA / "bandit_1.7.5_app.json"}
WITH_PARSE_ERROR = {
    "1.9.4": DATA / "bandit_1.9.4_with_parse_error.json",
    "1.7.5": DATA / "bandit_1.7.5_with_parse_error.json",
}
CLEAN = DATA / "bandit_1.9.4_clean.json"
ONLY_PARSE_ERROR = DATA / "bandit_1.9.4_only_parse_error.json"
READABLE = [*APP.values(), *WITH_PARSE_ERROR.values(), CLEAN]
SECRETS = ("hunter2-Zq9vX7", "s3cr3t-Pa55w0rd")
WHAT = "not a Bandit JSON report"


def _raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _expected_counts(raw: dict[str, Any]) -> dict[str, int]:
    """Severity counts straight from the raw results (Bandit's words, lower-cased)."""
    words = Counter(r["issue_severity"] for r in raw["results"])
    counts = dict.fromkeys(("critical", "high", "medium", "low", "info", "unknown"), 0)
    for word, n in words.items():
        counts[{"HIGH": "high", "MEDIUM": "medium", "LOW": "low"}.get(word, "unknown")] += n
    return counts


@pytest.mark.parametrize("path", READABLE, ids=lambda p: p.name)
def test_real_reports_parse_with_counts_from_the_raw_json(path: Path) -> None:
    raw = _raw(path)
    item, _ = helpers.collect_valid(path)
    data = item.data
    assert data["scanner"]["name"] == "bandit"
    assert data["scan_errors"] == len({e["filename"] for e in raw["errors"]})
    assert data["scan_types"] == ["sast"]
    assert data["counts"] == _expected_counts(raw)
    assert data["suppressed"] == 0
    assert len(data["findings"]) == len(raw["results"])
    by_place = {(f["rule_id"], f["location"]["path"], f["location"]["line"]): f for f in data["findings"]}
    for result in raw["results"]:
        finding = by_place[(result["test_id"], result["filename"], result["line_number"])]
        assert finding["category"] == "sast"
        assert finding["tool_severity"] == result["issue_severity"]
        assert finding["cwe"] == [result["issue_cwe"]["id"]]
        assert finding["location"]["end_line"] == max(result["line_range"])
        assert finding["fingerprint"] == code_fingerprint(
            "sast", "bandit", result["test_id"], result["filename"], result["line_number"]
        )
    stamp = datetime.strptime(raw["generated_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert item.observed is not None
    assert item.observed.start == stamp and item.observed.end == stamp


@pytest.mark.parametrize("version", sorted(APP))
def test_app_report_values(version: str) -> None:
    item = collect(APP[version])
    data = item.data
    assert item.source.tool == "bandit" and item.source.tool_version == version
    assert item.source.format == "bandit-json"
    assert data["scanner"] == {"name": "bandit", "version": version}
    assert data["counts"] == {"critical": 0, "high": 4, "medium": 2, "low": 3, "info": 0, "unknown": 0}
    rules = sorted((f["rule_id"], f["location"]["line"]) for f in data["findings"])
    assert rules == [
        ("B105", 9),
        ("B107", 40),
        ("B307", 17),
        ("B324", 29),
        ("B404", 4),
        ("B501", 33),
        ("B506", 25),
        ("B602", 13),
        ("B602", 45),
    ]
    # most severe first
    assert [f["severity"] for f in data["findings"]] == ["high"] * 4 + ["medium"] * 2 + ["low"] * 3


def test_nosec_lines_are_not_findings() -> None:
    raw = _raw(APP["1.9.4"])
    assert raw["metrics"]["_totals"]["nosec"] == 1
    assert raw["metrics"]["_totals"]["skipped_tests"] == 1
    lines = {f["location"]["line"] for f in collect(APP["1.9.4"]).data["findings"]}
    assert 21 not in lines  # eval("1 + 1")  # nosec
    assert 37 not in lines  # requests.get(..., verify=False)  # nosec B501


def test_fingerprints_are_the_same_across_bandit_versions() -> None:
    old = {f["fingerprint"] for f in collect(APP["1.7.5"]).data["findings"]}
    new = {f["fingerprint"] for f in collect(APP["1.9.4"]).data["findings"]}
    assert old == new and len(new) == 9


@pytest.mark.parametrize("path", READABLE, ids=lambda p: p.name)
def test_secrets_and_code_never_reach_the_item(path: Path) -> None:
    code = [result["code"] for result in _raw(path)["results"]]
    helpers.assert_never_copied(collect(path).to_json_dict(), [*SECRETS, *code, "more_info"])


def test_hardcoded_password_titles_stop_before_the_value() -> None:
    titles = {f["rule_id"]: f["title"] for f in collect(APP["1.9.4"]).data["findings"]}
    assert titles["B105"] == "Possible hardcoded password"
    assert titles["B107"] == "Possible hardcoded password"
    assert titles["B602"] == "subprocess call with shell=True identified, security issue."


@pytest.mark.parametrize("version", sorted(WITH_PARSE_ERROR))
def test_a_file_that_fails_to_parse_is_not_fatal(version: str) -> None:
    raw = _raw(WITH_PARSE_ERROR[version])
    assert [e["filename"] for e in raw["errors"]] == ["src/broken/broken.py"]
    with_error = collect(WITH_PARSE_ERROR[version]).data
    without = collect(APP[version]).data
    assert with_error["findings"] == without["findings"]
    assert "broken" not in json.dumps(with_error)
    # the file Bandit could not parse is counted, not named
    assert (with_error["scan_errors"], without["scan_errors"]) == (1, 0)


def test_clean_report_is_zero_findings() -> None:
    item = collect(CLEAN)
    assert _raw(CLEAN)["results"] == []
    assert item.data["findings"] == []
    assert item.data["counts"] == dict.fromkeys(("critical", "high", "medium", "low", "info", "unknown"), 0)
    assert item.source.tool_version is None
    assert item.data["scanner"] == {"name": "bandit"}


def test_report_where_every_file_failed_to_parse_is_an_error() -> None:
    assert str(helpers.input_error(ONLY_PARSE_ERROR)) == (
        f"{ONLY_PARSE_ERROR}: bandit could not parse any file (1 error(s), e.g. src/broken/broken.py: "
        "syntax error while parsing AST from file); nothing was scanned"
    )


# ---- failure paths ---------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "bandit.json"
    path.write_text("  \n")
    helpers.assert_empty_refused(path, BanditJsonCollector, "a Bandit JSON report", "bandit-json")


def test_truncated_json(tmp_path: Path) -> None:
    raw = APP["1.9.4"].read_text(encoding="utf-8")
    path = tmp_path / "bandit.json"
    path.write_text(raw[: len(raw) // 2])
    helpers.assert_malformed_json_located(path)


@pytest.mark.parametrize(
    "other",
    [
        helpers.TESTS_DATA / "security" / "semgrep" / "semgrep_1.185.0_app.json",
        helpers.TESTS_DATA / "security" / "checkov" / "checkov_3.3.30_terraform_only.json",
        helpers.SHARED / "security" / "grype" / "grype_v0.24_directory.json",
    ],
    ids=lambda p: p.name,
)
def test_other_tools_json_is_an_error(other: Path) -> None:
    assert detect(other) is not BanditJsonCollector
    assert str(helpers.input_error(other, "bandit-json")) in (
        f"{other}: {WHAT}: no 'results' list and 'metrics' object",
        f"{other}: {WHAT}: expected a JSON object",
    )


def _write(tmp_path: Path, document: Any) -> Path:
    return helpers.write_json(tmp_path, document, "bandit.json")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(results={}), f"{WHAT}: no 'results' list and 'metrics' object"),
        (lambda d: d.pop("metrics"), f"{WHAT}: no 'results' list and 'metrics' object"),
        (lambda d: d.update(errors="none"), f"{WHAT}: 'errors' is not a list"),
        (lambda d: d["results"][2].pop("test_id"), f"{WHAT}: results[2] has no 'test_id'"),
        (lambda d: d["results"][0].update(filename=7), f"{WHAT}: results[0] has no 'filename'"),
        (lambda d: d["results"][1].update(line_number="9"), f"{WHAT}: results[1] has no valid 'line_number'"),
        (lambda d: d["results"][1].update(issue_severity=None), f"{WHAT}: results[1] has no 'issue_severity'"),
        (lambda d: d["results"].append("B101"), f"{WHAT}: results[9] is not an object"),
    ],
)
def test_wrong_shapes(tmp_path: Path, change: Any, message: str) -> None:
    document = _raw(APP["1.9.4"])
    change(document)
    helpers.assert_refused(tmp_path, document, "bandit-json", message, "bandit.json")


def test_a_json_array_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, [])
    assert str(helpers.input_error(path, "bandit-json")) == f"{path}: {WHAT}: expected a JSON object"


def test_undefined_severity_is_unknown(tmp_path: Path) -> None:
    document = _raw(APP["1.9.4"])
    document["results"] = document["results"][:1]
    document["results"][0]["issue_severity"] = "UNDEFINED"
    data = collect(_write(tmp_path, document)).data
    assert data["counts"]["unknown"] == 1
    assert data["findings"][0]["tool_severity"] == "UNDEFINED"


# ---- detection -------------------------------------------------------------------------------------


def test_detect_is_specific() -> None:
    mine = set(DATA.glob("*.json"))
    assert len(mine) == 6
    helpers.assert_detect_is_specific(BanditJsonCollector, mine)


def test_detect_on_a_large_report() -> None:
    """Absolute paths sort before '_totals' in Bandit's sorted metrics, pushing it past the 64 KiB head."""
    document = _raw(APP["1.9.4"])
    per_file = document["metrics"]["src/app/views.py"]
    document["metrics"].update({f"/abs/src/module_{i}.py": per_file for i in range(400)})
    text = json.dumps(document, sort_keys=True, indent=2).encode()
    assert text.index(b'"_totals"') > HEAD_BYTES
    assert BanditJsonCollector.detect(text[:HEAD_BYTES])
