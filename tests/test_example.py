"""The checkout example end to end: 1.42.0 is a go, 1.43.0 a no-go, identically on regorus and real OPA."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evaluator.bundle import Release, build_statement, sign_document, verify_envelope
from evaluator.bundle.trust import load_trust_policy
from evaluator.collectors import collect
from evaluator.evaluate import Options, evaluate
from evaluator.parity.run import parity_item
from evaluator.policy.loader import load_policies
from evaluator.report.interface import InputDigest
from tests.conftest import KeyFiles

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "checkout"
POLICIES = ROOT / "policies"


def _release_bundle(release: str, folder: Path, keys: list[KeyFiles]) -> bytes:
    """Run the release's real test suite and Bandit, collect the reports, bundle and sign them like the demo does."""
    report = folder / f"{release}.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}",
         "-o", "junit_family=xunit2", "tests"],
        cwd=EXAMPLE, env={**os.environ, "PYTHONPATH": f"releases/{release}"}, capture_output=True, check=False,
        timeout=120,
    )  # fmt: skip
    item = collect(report, item_id="tests-unit", environment="staging").to_json_dict()
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
    statement = build_statement([item, load, security, parity], release_)
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


@pytest.mark.parametrize("engine", ["embedded", "opa"])
def test_release_1_43_0_is_a_no_go_with_the_failing_test_and_slow_endpoint_named(example, engine):
    bundles, trust = example
    verification, report = _evaluate(bundles["1.43.0"], trust, engine)
    assert not report.decision.go
    failing = {v.criterion.id: v for v in report.verdicts if v.status == "fail"}
    expected = {"tests.no_failures", "load.latency_p95", "security.sast_findings", "parity.missing_keys"}
    assert expected <= set(failing), sorted(failing)
    (missing,) = failing["parity.missing_keys"].violations
    assert "PAYMENT_TIMEOUT_MS" in missing.message and "apps/v1 Deployment shop/checkout" in missing.message
    assert "test_total_with_discount_and_tax" in failing["tests.no_failures"].message
    assert "POST /api/checkout" in failing["load.latency_p95"].message
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
