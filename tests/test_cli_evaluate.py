"""evaluate, gate and policy test from the command line: exit codes, reports, fail-closed inputs."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from junitparser import JUnitXml

from evaluator import schemas
from evaluator.report.json import SCHEMA as REPORT_SCHEMA
from tests.conftest import COMMIT
from tests.test_cli import bundle_and_sign, one_line_error, run
from tests.test_cli import work as work

BUILTIN = Path(__file__).resolve().parent.parent / "policies"


@pytest.fixture(scope="module")
def policies(tmp_path_factory) -> str:
    """The built-in library restricted to the criteria these bundles have evidence for (lib and tests)."""
    folder = tmp_path_factory.mktemp("policies")
    for part in ("readiness/lib", "readiness/tests"):
        shutil.copytree(BUILTIN / part, folder / part)
    (folder / "data").mkdir()
    shutil.copy(BUILTIN / "data" / "thresholds.yaml", folder / "data" / "thresholds.yaml")
    return str(folder)


def _day(offset: int) -> str:
    """Today (UTC) plus `offset` days, as a waiver date: the bundles here are made now, so waivers are too."""
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def gate(work: Path, policies: str, *extra: str) -> object:
    return run("gate", "envelope.json", "--policy", policies, "--key", "ci.pub", *extra, cwd=work)


def test_gate_no_go_on_the_real_failing_report_writes_every_format(work, policies):
    bundle_and_sign(work)  # the pytest report has one failed test
    proc = gate(
        work,
        policies,
        "--format",
        "terminal",
        "--format",
        "json=report.json",
        "--format",
        "markdown=summary.md",
        "--format",
        "junit=readiness.xml",
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "NO-GO" in proc.stdout and "tests.no_failures" in proc.stdout
    report = json.loads((work / "report.json").read_text())
    assert schemas.problems(REPORT_SCHEMA, report) == []
    assert (
        report["decision"]["go"] is False
        if isinstance(report["decision"], dict) and "go" in report["decision"]
        else "no-go" in json.dumps(report["decision"]).lower()
    )
    suite = JUnitXml.fromfile(str(work / "readiness.xml"))
    assert sum(1 for s in suite for _ in s) == len(report["criteria"])
    assert (work / "summary.md").read_text().startswith("## readiness: ❌ NO-GO")


def test_evaluate_exits_0_once_reported_even_for_no_go(work, policies):
    bundle_and_sign(work)
    proc = run("evaluate", "envelope.json", "--policy", policies, "--key", "ci.pub", "--format", "json", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["criteria"]


def test_waiver_turns_the_failure_into_a_go(work, policies):
    bundle_and_sign(work)
    (work / "waivers.yaml").write_text(
        "waivers:\n  - criterion: tests.no_failures\n    justification: Payment sandbox answers 503 this week.\n"
        "    owner: payments\n    approver: qa-lead\n    ticket: PAY-7\n"
        f"    created: {_day(-10)}\n    expires: {_day(30)}\n"
    )
    proc = gate(work, policies, "--waivers", "waivers.yaml", "--format", "json")
    report = json.loads(proc.stdout)
    statuses = {c["id"]: c["status"] for c in report["criteria"]}
    assert statuses["tests.no_failures"] == "waived"
    assert proc.returncode == 0, report


def test_expired_waiver_is_ignored_and_listed(work, policies):
    bundle_and_sign(work)
    (work / "waivers.yaml").write_text(
        "waivers:\n  - criterion: tests.no_failures\n    justification: Payment sandbox answers 503 this week.\n"
        "    owner: payments\n    approver: qa-lead\n    ticket: PAY-7\n"
        f"    created: {_day(-60)}\n    expires: {_day(-30)}\n"
    )
    proc = gate(work, policies, "--waivers", "waivers.yaml", "--format", "json")
    assert proc.returncode == 1
    assert "PAY-7" in json.dumps(json.loads(proc.stdout)["waivers"])


def test_invalid_waivers_file_is_an_input_error(work, policies):
    bundle_and_sign(work)
    (work / "waivers.yaml").write_text("waivers:\n  - criterion: tests.no_failures\n    owner: me\n")
    one_line_error(gate(work, policies, "--waivers", "waivers.yaml"), "waivers.yaml", "invalid waivers file")


def test_unsigned_statement_is_unverified_and_always_no_go(work, policies):
    proc = run(
        "bundle",
        "item.json",
        "--service",
        "checkout",
        "--version",
        "1",
        "--commit",
        COMMIT,
        "--tier",
        "standard",
        "-o",
        "statement.json",
        cwd=work,
    )
    assert proc.returncode == 0
    empty = work / "pass.yaml"
    empty.write_text("thresholds:\n  default:\n    tests: {max_failed: 5}\n")
    proc = run("gate", "statement.json", "--policy", policies, "--allow-unsigned", "--data", str(empty), cwd=work)
    assert proc.returncode == 1
    assert "UNVERIFIED" in proc.stdout
    proc = run("gate", "statement.json", "--policy", policies, "--key", "ci.pub", cwd=work)
    one_line_error(proc, "statement.json", "unsigned statement")


def test_signature_failure_stops_before_evaluation_with_exit_3(work, policies):
    bundle_and_sign(work)
    proc = run("gate", "envelope.json", "--policy", policies, "--key", "qa.pub", cwd=work)
    assert proc.returncode == 3 and "FAIL signatures" in proc.stdout


def test_policy_directory_errors_are_input_errors(work, policies, tmp_path):
    bundle_and_sign(work)
    (tmp_path / "bad.rego").write_text("package readiness.bad\n\nx := time.now_ns()\n")
    one_line_error(
        run("gate", "envelope.json", "--policy", str(tmp_path), "--key", "ci.pub", cwd=work),
        "bad.rego:3",
        "time.now_ns",
    )
    one_line_error(gate(work, policies, "--format", "pdf"), "unknown")
    one_line_error(gate(work, policies, "--format", "json", "--format", "markdown"), "only one --format")


@pytest.mark.parametrize("engine", ["embedded", "opa"])
def test_policy_test_runs_the_builtin_library_on_each_engine(tmp_path, engine):
    # The whole library's Rego tests: minutes on a loaded machine with OPA, hence the long time-out.
    proc = run("policy", "test", str(BUILTIN), "--engine", engine, "--min-coverage", "100", cwd=tmp_path, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " 0 failed" in proc.stdout


def test_policy_test_reports_failures_and_low_coverage(tmp_path):
    (tmp_path / "p.rego").write_text("package readiness.p\n\nx := 1\n\ny := 2 if input.a\n")
    (tmp_path / "p_test.rego").write_text(
        "package readiness.p_test\n\nimport data.readiness.p\n\ntest_x if p.x == 1\n\ntest_wrong if p.x == 2\n"
    )
    proc = run("policy", "test", str(tmp_path), "--min-coverage", "100", cwd=tmp_path)
    assert proc.returncode == 1
    assert "FAIL data.readiness.p_test.test_wrong" in proc.stdout
    assert "1 passed, 1 failed" in proc.stdout
    (tmp_path / "p_test.rego").write_text("package readiness.p_test\n\nimport data.readiness.p\n\ntest_x if p.x == 1\n")
    # OPA counts a line covered only when its expressions succeeded; regorus when they were evaluated.
    proc = run("policy", "test", str(tmp_path), "--min-coverage", "100", "--engine", "opa", cwd=tmp_path)
    assert proc.returncode == 1 and "below --min-coverage 100%" in proc.stdout
    assert "uncovered p.rego: lines 5" in proc.stdout


@pytest.mark.parametrize("engine", ["embedded", "opa"])
def test_gate_on_each_engine(work, policies, engine):
    bundle_and_sign(work)
    proc = gate(work, policies, "--engine", engine, "--format", "json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["engine"]["name"] == engine
