"""The checkout example end to end: 1.42.0 is a go, 1.43.0 a no-go, identically on regorus and real OPA."""

from __future__ import annotations

import base64
import json
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evaluator.bundle import Release, build_statement, sign_document, verify_envelope
from evaluator.bundle.trust import load_trust_policy
from evaluator.collectors import collect
from evaluator.drill import rollout_item
from evaluator.evaluate import Options, evaluate
from evaluator.parity.run import parity_item
from evaluator.policy.loader import load_policies
from evaluator.report.interface import InputDigest
from tests.conftest import KeyFiles

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "checkout"
POLICIES = ROOT / "policies"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _operational_evidence(release: str, folder: Path) -> list[dict]:
    """Deploy the release to a local slot, run the instance-loss experiment (real Chaos Toolkit) and the
    deployment and rollback drill (readiness drill run) on it, like the demo does; the dr and rollout items."""
    slot, port = folder / f"{release}-slot", _free_port()
    deploy = [sys.executable, str(EXAMPLE / "localdeploy.py")]
    try:
        subprocess.run([*deploy, "deploy", release, "--slot", str(slot), "--port", str(port)], check=True, timeout=60)
        for _ in range(100):
            health = [*deploy, "health", "--slot", str(slot), "--port", str(port)]
            if subprocess.run(health, capture_output=True, check=False, timeout=30).returncode == 0:
                break
            time.sleep(0.1)
        journal = folder / f"{release}-journal.json"
        subprocess.run(
            [str(Path(sys.executable).parent / "chaos"), "--no-version-check", "--log-file", str(folder / "chaos.log"),
             "run", "--journal-path", str(journal), str(EXAMPLE / "chaos" / "instance-loss.json")],
            env={**os.environ, "CHECKOUT_SLOT": str(slot), "CHECKOUT_PORT": str(port),
                 "PYTHONPATH": str(EXAMPLE / "chaos")},
            capture_output=True, check=False, timeout=180,
        )  # fmt: skip
        dr = collect(journal, item_id="dr-instance-loss", environment="staging").to_json_dict()
        command = shlex.join(deploy)
        rollout = rollout_item(
            f"{command} deploy {release} --slot {slot} --port {port}",
            f"{command} health --slot {slot} --port {port}",
            f"{command} deploy 1.41.3 --slot {slot} --port {port}",
            timeout_s=60, health_timeout_s=30, health_interval_s=0.2, target=f"checkout {release}",
            item_id="rollout-staging", environment="staging",
        ).to_json_dict()  # fmt: skip
    finally:
        subprocess.run([*deploy, "stop", "--slot", str(slot)], check=False, timeout=60)
    return [dr, rollout]


def _release_bundle(release: str, folder: Path, keys: list[KeyFiles]) -> bytes:
    """Run the release's real test suite under coverage and Bandit, its drills, collect the reports, bundle and
    sign them like the demo does."""
    report, coverage_data = folder / f"{release}.xml", folder / f"{release}.coverage"
    env = {**os.environ, "PYTHONPATH": f"releases/{release}", "COVERAGE_FILE": str(coverage_data)}
    subprocess.run(
        [sys.executable, "-m", "coverage", "run", "--branch", f"--source=releases/{release}/service",
         "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", "-o", "junit_family=xunit2", "tests"],
        cwd=EXAMPLE, env=env, capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    coverage_json = folder / f"{release}-coverage.json"
    subprocess.run(
        [sys.executable, "-m", "coverage", "json", "-q", "-o", str(coverage_json)],
        cwd=EXAMPLE, env=env, capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    item = collect(report, item_id="tests-unit", environment="staging").to_json_dict()
    coverage = collect(coverage_json, item_id="coverage-unit", environment="staging").to_json_dict()
    load = collect(EXAMPLE / "evidence" / release / "k6-summary.json", item_id="load-k6-checkout",
                   environment="staging").to_json_dict()  # fmt: skip
    scan = folder / f"{release}-bandit.json"
    subprocess.run(
        [sys.executable, "-m", "bandit", "-r", "service", "-f", "json", "-o", str(scan), "-q"],
        cwd=EXAMPLE / "releases" / release, capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    security = collect(scan, item_id="security-bandit", environment="staging").to_json_dict()
    parity = parity_item(
        EXAMPLE / "deploy" / "rendered" / "production.yaml",
        EXAMPLE / "deploy" / "rendered" / f"staging-{release}.yaml",
        rules_path=EXAMPLE / "deploy" / "parity-rules.yaml",
        item_id="parity-staging",
        environment="staging",
    ).to_json_dict()
    commit = f"{abs(hash(release)):040x}"[-40:]
    release_ = Release("checkout", release, commit, None, "staging", "production", "standard")
    items = [item, coverage, load, security, parity, *_operational_evidence(release, folder)]
    statement = build_statement(items, release_)
    data = json.dumps(statement).encode()
    for key in keys:
        data, _ = sign_document(data, key.signer, "statement.json")
    return data


@pytest.fixture(scope="module")
def example(tmp_path_factory, keyring):
    """Both releases signed by the two keys the example trust policy names, and that policy."""
    folder = tmp_path_factory.mktemp("example")
    keys = folder / "out" / "keys"
    keys.mkdir(parents=True)
    (keys / "ci-release.pub").write_bytes(keyring["ci"].public.read_bytes())
    (keys / "qa-lead.pub").write_bytes(keyring["ec"].public.read_bytes())
    trust_dir = folder / "checkout"
    trust_dir.mkdir()
    (trust_dir / "trust.yaml").write_text((EXAMPLE / "trust.yaml").read_text())
    trust = load_trust_policy(trust_dir / "trust.yaml")
    bundles = {r: _release_bundle(r, folder, [keyring["ci"], keyring["ec"]]) for r in ("1.42.0", "1.43.0")}
    return bundles, trust


def _evaluate(data: bytes, trust, engine: str):
    verification = verify_envelope(data, trust, "envelope.json")
    assert verification.ok, verification.failures
    report = evaluate(
        verification,
        load_policies(POLICIES, (EXAMPLE / "policy-data.yaml",)),
        InputDigest("envelope.json", verification.envelope_sha256),
        verification.reference_time,
        Options(engine),
    )
    return verification, report


def _verdicts(report):
    return sorted(
        (v.criterion.id, v.status, tuple((f.message, f.observed, f.threshold, f.pointer) for f in v.violations))
        for v in report.verdicts
    )


@pytest.mark.parametrize("engine", ["embedded", "opa"])
def test_release_1_42_0_is_a_go(example, engine):
    bundles, trust = example
    _, report = _evaluate(bundles["1.42.0"], trust, engine)
    assert report.decision.go, report.decision.reasons
    assert {v.status for v in report.verdicts} == {"pass"}
    judged = {v.criterion.id for v in report.verdicts}
    assert {"coverage.line_floor", "dr.required_scenarios", "dr.rto", "rollout.rollback"} <= judged


@pytest.mark.parametrize("engine", ["embedded", "opa"])
def test_release_1_43_0_is_a_no_go_with_the_failing_test_and_slow_endpoint_named(example, engine):
    bundles, trust = example
    verification, report = _evaluate(bundles["1.43.0"], trust, engine)
    assert not report.decision.go
    failing = {v.criterion.id: v for v in report.verdicts if v.status == "fail"}
    expected = {
        "tests.no_failures", "load.latency_p95", "security.sast_findings", "parity.missing_keys", "dr.drill_outcome",
    }  # fmt: skip
    assert expected <= set(failing), sorted(failing)
    (missing,) = failing["parity.missing_keys"].violations
    assert "PAYMENT_TIMEOUT_MS" in missing.message and "apps/v1 Deployment shop/checkout" in missing.message
    assert "test_total_with_discount_and_tax" in failing["tests.no_failures"].message
    assert "POST /api/checkout" in failing["load.latency_p95"].message
    (drill,) = failing["dr.drill_outcome"].violations
    assert drill.observed == "failed" and "steady state before: checkout-p95-within-300-ms (failed)" in drill.message
    (shell,) = failing["security.sast_findings"].violations
    assert "B602" in shell.message and "service/receipts.py:23" in shell.message
    assert shell.fingerprint and shell.fingerprint.startswith("sha256:")
    failing = list(failing.values())
    items = {e["id"]: e["item"] for e in verification.statement["predicate"]["evidence"]}
    for verdict in failing:
        assert verdict.violations
        for finding in verdict.violations:
            assert finding.observed is not None and finding.threshold is not None and finding.comparator
            assert finding.evidence in items and finding.pointer
            assert _resolve(items[finding.evidence], finding.pointer) == finding.observed, finding


def test_both_engines_give_identical_verdicts_on_both_releases(example):
    bundles, trust = example
    for release, data in bundles.items():
        embedded = _verdicts(_evaluate(data, trust, "embedded")[1])
        opa = _verdicts(_evaluate(data, trust, "opa")[1])
        assert embedded == opa, release


def _resolve(document, pointer: str):
    """RFC 6901: follow `pointer` into `document`."""
    for token in pointer.lstrip("/").split("/") if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


def test_the_example_secrets_never_reach_the_bundle_or_the_reports(example):
    bundles, trust = example
    for data in bundles.values():
        verification, report = _evaluate(data, trust, "embedded")
        payload = json.dumps(verification.statement) + data.decode()
        text = payload + json.dumps([str(v) for v in report.verdicts])
        for canary in ("prod-db-password-never-in-evidence", "staging-db-password-never-in-evidence"):
            assert canary not in text
            assert base64.b64encode(canary.encode()).decode() not in text
