"""The dr, rollout and coverage criteria on evidence collected from real outputs, through verify and evaluate on
both engines: a drill that deviated, a rollback that failed, a drill older than allowed, an RPO over target and
coverage under the floor each fail their criterion with the observed value, the threshold and a pointer that
resolves to the observed value in the item."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from evaluator.bundle import Release, build_statement, verify_envelope
from evaluator.collectors import collect
from evaluator.drill import rollout_item
from evaluator.evaluate import Options, evaluate
from evaluator.policy.loader import load_policies
from evaluator.report.interface import InputDigest
from tests.conftest import COMMIT, policy, sign_statement

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
JOURNALS = DATA / "dr" / "chaostoolkit"
ENGINES = ["embedded", "opa"]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in library restricted to the dr, rollout and coverage packages (and lib), with their data."""
    folder = tmp_path_factory.mktemp("policies")
    for part in ("lib", "dr", "rollout", "coverage"):
        shutil.copytree(ROOT / "policies" / "readiness" / part, folder / "readiness" / part)
    shutil.copytree(ROOT / "policies" / "data", folder / "data")
    return folder


def _report(
    items: list[dict[str, Any]], keyring: Any, engine: str, at: datetime, library: Path, data: Path | None = None
) -> Any:
    """The built-in library's report on a bundle of `items` (tier standard), signed, verified and judged at `at`."""
    statement = build_statement(items, Release("checkout", "1.42.0", COMMIT, None, "staging", "production", "standard"))
    envelope = sign_statement(statement, keyring["ci"])
    verification = verify_envelope(envelope, policy(keyring["ci"].trusted()), "envelope.json", at=at)
    assert verification.ok, verification.failures
    policies = load_policies(library, (data,) if data else ())
    digest = InputDigest("envelope.json", verification.envelope_sha256)
    return evaluate(verification, policies, digest, verification.reference_time, Options(engine))


def _verdict(report: Any, criterion: str) -> Any:
    (verdict,) = [v for v in report.verdicts if v.criterion.id == criterion]
    return verdict


def _resolve(document: Any, pointer: str) -> Any:
    for token in pointer.lstrip("/").split("/") if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


def _only_violation(report: Any, criterion: str, items: list[dict[str, Any]], derived_from: Any = None) -> Any:
    """The one violation of a failed criterion, checked to explain itself: observed, threshold, and a pointer to
    the observed value, or to the value it is derived from (an age points at the time it is counted from)."""
    verdict = _verdict(report, criterion)
    assert verdict.status == "fail", (criterion, verdict.status, verdict.message)
    (finding,) = verdict.violations
    assert finding.threshold is not None and finding.comparator
    (item,) = [i for i in items if i["id"] == finding.evidence]
    assert _resolve(item, finding.pointer) == (finding.observed if derived_from is None else derived_from)
    return finding


def _summary(report: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (v.criterion.id, v.status, tuple((f.message, f.observed, f.threshold, f.pointer) for f in v.violations))
        for v in report.verdicts
        if v.criterion.id.split(".")[0] in ("dr", "rollout", "coverage")
    )


@pytest.fixture(scope="module")
def failed_rollback(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real drill run whose rollback command fails (exit 3, an error line) after a deploy that went well."""
    python = shlex.quote(sys.executable)
    return rollout_item(
        f"{python} -c \"print('deployed 1.42.0')\"",
        f"{python} -c pass",
        f"{python} -c \"import sys; print('pulling 1.41.3'); print('error: image 1.41.3 not found'); sys.exit(3)\"",
        health_timeout_s=5,
        health_interval_s=0.05,
        target="checkout 1.42.0",
        item_id="rollout-staging",
    ).to_json_dict()


@pytest.fixture(scope="module")
def evidence(tmp_path_factory: pytest.TempPathFactory, failed_rollback: dict[str, Any]) -> dict[str, Any]:
    """Items from real outputs, and a drill record whose RPO exceeds its target (a hand-made edge case)."""
    folder = tmp_path_factory.mktemp("operational")
    record = (DATA / "dr" / "drill-record" / "db-failover-2026-11.yaml").read_text(encoding="utf-8")
    assert "      measured_s: 3\n" in record
    lossy = folder / "db-failover-lossy.yaml"
    lossy.write_text(record.replace("      measured_s: 3\n", "      measured_s: 240\n"), encoding="utf-8")
    return {
        "deviated": collect(JOURNALS / "journal-deviated.json", item_id="dr-deviated").to_json_dict(),
        "succeeded": collect(JOURNALS / "journal-succeeded.json", item_id="dr-succeeded").to_json_dict(),
        "lossy": collect(lossy, item_id="dr-db-failover").to_json_dict(),
        "coverage": collect(
            DATA / "coverage" / "coveragepy" / "cov7-branch.json", item_id="coverage-unit"
        ).to_json_dict(),
        "rollout": failed_rollback,
    }


def _journal_end(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["observed"]["end"].replace("Z", "+00:00"))


@pytest.mark.parametrize("engine", ENGINES)
def test_deviated_drill_failed_rollback_and_low_coverage_fail_with_their_numbers(evidence, keyring, library, engine):
    items = [evidence["deviated"], evidence["rollout"], evidence["coverage"]]
    report = _report(items, keyring, engine, _journal_end(evidence["deviated"]) + timedelta(days=1), library)
    assert not report.decision.go
    deviated = _only_violation(report, "dr.drill_outcome", items)
    assert (deviated.observed, deviated.threshold, deviated.pointer) == (
        "deviated",
        "succeeded",
        "/data/drills/0/status",
    )
    assert "steady state after: service-answers-200 (deviated)" in deviated.message
    rollback = _only_violation(report, "rollout.rollback", items)
    assert (rollback.observed, rollback.pointer) == ("failed", "/data/phases/2/outcome")
    assert "exited 3" in rollback.message and "output ends: error: image 1.41.3 not found" in rollback.message
    assert _verdict(report, "rollout.rollback_time").status == "insufficient_evidence"
    assert _verdict(report, "rollout.deploy").status == "pass"
    coverage = _only_violation(report, "coverage.line_floor", items)
    assert (coverage.observed, coverage.threshold) == (6333, 7000)
    assert "63.33%" in coverage.message
    # the deviated journal measured no recovery (the hypothesis did not hold after the method)
    assert _verdict(report, "dr.rto").status == "insufficient_evidence"


@pytest.mark.parametrize("engine", ENGINES)
def test_drill_older_than_allowed_fails_with_its_age(evidence, keyring, library, engine, tmp_path):
    data = tmp_path / "data.yaml"
    data.write_text(json.dumps({"thresholds": {"tiers": {"standard": {"dr": {"required_scenarios": ["local"]}}}}}))
    items = [evidence["succeeded"], evidence["coverage"]]
    at = _journal_end(evidence["succeeded"]) + timedelta(days=91, hours=1)
    report = _report(items, keyring, engine, at, library, data)
    drill_end = evidence["succeeded"]["data"]["drills"][0]["end"]
    old = _only_violation(report, "dr.required_scenarios", items, derived_from=drill_end)
    assert (old.observed, old.threshold, old.pointer) == (91, 90, "/data/drills/0/end")
    assert "latest drill of required scenario local" in old.message and "91 day(s)" in old.message
    assert _verdict(report, "dr.drill_outcome").status == "pass"
    recent = _report(items, keyring, engine, at - timedelta(days=2), library, data)
    assert _verdict(recent, "dr.required_scenarios").status == "pass"


@pytest.mark.parametrize("engine", ENGINES)
def test_rpo_over_target_fails_with_the_measured_window(evidence, keyring, library, engine):
    items = [evidence["lossy"], evidence["coverage"]]
    report = _report(items, keyring, engine, datetime.now(UTC) + timedelta(minutes=1), library)
    rpo = _only_violation(report, "dr.rpo", items)
    assert (rpo.observed, rpo.threshold, rpo.pointer) == (240, 60, "/data/drills/0/rpo/measured_s")
    assert "recovery point (RPO) 240 s, over the limit of 60 s" in rpo.message
    assert _verdict(report, "dr.rto").status == "pass"
    assert _verdict(report, "dr.data_loss").status == "pass"


def test_both_engines_agree_on_the_operational_criteria(evidence, keyring, library):
    items = [evidence["deviated"], evidence["lossy"], evidence["rollout"], evidence["coverage"]]
    at = _journal_end(evidence["deviated"]) + timedelta(days=3)
    embedded = _summary(_report(items, keyring, "embedded", at, library))
    assert embedded == _summary(_report(items, keyring, "opa", at, library))
    assert ("dr.rpo", "fail") in {(criterion, status) for criterion, status, _ in embedded}
