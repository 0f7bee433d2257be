"""Terminal report: headline, criteria by status with the findings behind failures, plain text without colour."""

from __future__ import annotations

import re

import pytest

from evaluator.decide import Finding, Verdict
from evaluator.report.terminal import MAX_FINDINGS, WIDTH, TerminalReport
from tests.report.conftest import ALL_STATUSES, criterion

ANSI = re.compile(r"\x1b\[")
STATUS_ORDER = ("error", "fail", "insufficient_evidence", "warn", "waived", "pass", "not_applicable")


def _plain(report) -> str:
    return TerminalReport().render(report, color=False).decode("utf-8")


def test_plain_text_has_no_escape_codes(any_report):
    text = _plain(any_report)
    assert "\x1b" not in text
    assert all(len(line) <= WIDTH for line in text.split("\n"))
    assert all(line == line.rstrip() for line in text.split("\n"))


def test_colour_adds_escape_codes_and_keeps_the_words(nogo):
    text = TerminalReport().render(nogo, color=True).decode("utf-8")
    assert ANSI.search(text)
    assert ANSI.sub("", text).count("NO-GO") == 1
    assert "UNVERIFIED" in ANSI.sub("", text)


def test_headline(nogo, nogo_verified, go):
    first = _plain(nogo).split("\n")[0]
    assert first.split()[0] == "NO-GO"
    assert "checkout 1.42.0 → production" in first
    assert f"score {nogo.decision.score * 100:.1f}%" in first and "completeness 66.7%" in first
    assert first.rstrip().endswith("UNVERIFIED")
    assert "UNVERIFIED" not in _plain(nogo_verified)
    first = _plain(go).split("\n")[0]
    assert first.split()[0] == "GO"
    assert "NO-GO" not in _plain(go) and "UNVERIFIED" not in _plain(go)


def test_reasons_and_verification_failures(nogo):
    text = _plain(nogo)
    assert "Evidence is UNVERIFIED" in text
    assert "• signatures: 0 of 1 trusted keys signed" in text
    assert "Why no-go (criteria of severity high and above block):" in text
    assert "• load.latency_p95 (high) is fail: 2 endpoints exceed the p95 budget" in text


def _row_order(text: str, report) -> list[str]:
    positions = {
        v.criterion.id: re.search(rf"^\S+\s+\S+\s+{re.escape(v.criterion.id)}$", text, re.M) for v in report.verdicts
    }
    assert all(positions.values()), positions
    return [cid for cid, _ in sorted(positions.items(), key=lambda item: item[1].start())]


def test_criteria_sorted_by_status_severity(any_report):
    order = _row_order(_plain(any_report), any_report)
    status = {v.criterion.id: v.status for v in any_report.verdicts}
    assert [status[cid] for cid in order] == sorted((status[c] for c in order), key=STATUS_ORDER.index)


def test_each_row_shows_status_severity_id_and_message(nogo):
    text = _plain(nogo)
    for verdict in nogo.verdicts:
        row = re.search(rf"^(\S+)\s+(\S+)\s+{re.escape(verdict.criterion.id)}\n\s+(.*)$", text, re.M)
        assert row is not None, verdict.criterion.id
        assert row.group(1) == verdict.status and row.group(2) == verdict.criterion.severity
        assert row.group(3) == verdict.message[: len(row.group(3))]


def _block(text: str, criterion_id: str) -> str:
    """The lines of one criterion's row, up to the next criterion."""
    start = re.search(rf"^\S+\s+\S+\s+{re.escape(criterion_id)}$", text, re.M).end() - len(criterion_id)
    following = re.search(r"^\S+\s+\S+\s+\S+\.\S+$", text[start + len(criterion_id) :], re.M)
    return text[start : start + len(criterion_id) + (following.start() if following else len(text))]


def test_findings_and_remediation_under_a_failure(nogo):
    block = _block(_plain(nogo), "load.latency_p95")
    assert "• POST /checkout p95 412ms exceeds 300ms" in block
    assert "observed 412, threshold <= 300" in block
    assert "evidence load-k6 /data/endpoints/0/p95_ms" in block
    assert 'observed ["POST /checkout","GET /cart"], threshold == []' in block
    assert "fix: Fix load.latency_p95." in block


def test_warning_error_and_missing_evidence_explain_themselves(nogo):
    text = _plain(nogo)
    warn = _block(text, "load.error_rate")
    assert "observed 210, threshold <= 100" in warn and "enforced from 2027-01-01" in warn
    assert "fix: Fix load.error_rate." in warn
    assert "undefined function lib.ratio" in _block(text, "parity.config_drift")
    missing = _block(text, "dr.rollback_drill")
    assert "requires evidence: rollout" in missing and "fix: Fix dr.rollback_drill." in missing
    assert "waived by SEC-1234 until 2026-12-31" in _block(text, "security.no_critical_vulns")
    passed = _block(text, "tests.no_failures")
    assert "fix:" not in passed and "observed" not in passed


def test_waivers_engine_and_inputs(nogo):
    text = _plain(nogo)
    waivers = text.split("\nWaivers\n", 1)[1]
    assert re.search(r"^applied\s+SEC-1234\s+security.no_critical_vulns, expires 2026-12-31", waivers, re.M)
    assert re.search(r"^expired\s+OPS-7\s+dr.rollback_drill, expires 2026-10-01", waivers, re.M)
    assert re.search(r"^unused\s+tests.no_failures@0\s+tests.no_failures", waivers, re.M)
    assert re.search(r"^engine\s+regorus 0.2.8$", text, re.M)
    assert re.search(r"^bundle\s+checkout-1.42.0.dsse.json  sha256:1{16}…$", text, re.M)
    assert re.search(r"^waivers\s+waivers.yaml", text, re.M)
    assert re.search(r"^evidence\s+load-k6  load/v1 k6$", text, re.M)
    assert re.search(r"^evaluated\s+2026-11-27T16:00:00Z by readiness 0.1.0$", text, re.M)
    assert text.index("\nWaivers\n") < text.index("\nengine ")


def test_long_findings_lists_are_shortened(make_report):
    findings = tuple(Finding(f"finding {i}", i, 0, "<=", "load-k6", f"/data/{i}") for i in range(MAX_FINDINGS + 5))
    verdict = Verdict(criterion("load.many", "high", ("load",)), "fail", "many", violations=findings)
    text = _plain(make_report((verdict,)))
    assert f"finding {MAX_FINDINGS - 1}" in text and f"finding {MAX_FINDINGS}\n" not in text
    assert "… 5 more findings (see --format json)" in text


def test_evidence_text_cannot_drive_the_terminal(make_report):
    evil = "name\x1b[2J\x1b]0;pwned\x07 \x9b31m"
    verdict = Verdict(criterion("tests.evil", "high", ("tests",)), "fail", evil, violations=(Finding(evil),))
    for color in (False, True):
        text = TerminalReport().render(make_report((verdict,)), color=color).decode("utf-8")
        assert "\x1b[2J" not in text and "\x07" not in text and "\x9b" not in text
    assert "name\\x1b[2J\\x1b]0;pwned\\x07 \\x9b31m" in _plain(make_report((verdict,)))


@pytest.mark.parametrize(
    "env", [{"COLUMNS": "40"}, {"FORCE_COLOR": "1"}, {"NO_COLOR": "1"}, {"TERM": "dumb"}, {"TTY_COMPATIBLE": "1"}]
)
def test_output_does_not_depend_on_the_environment(nogo, monkeypatch, env):
    plain, colored = _plain(nogo), TerminalReport().render(nogo, color=True)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _plain(nogo) == plain
    assert TerminalReport().render(nogo, color=True) == colored


def test_every_status_appears(make_report):
    text = _plain(make_report(ALL_STATUSES))
    for verdict in ALL_STATUSES:
        assert verdict.criterion.id in text
        assert re.search(rf"^{verdict.status}\s", text, re.M)
