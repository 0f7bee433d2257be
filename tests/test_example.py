"""The checkout example end to end: 1.42.0 is a go, 1.43.0 a no-go, identically on regorus and real OPA."""

from __future__ import annotations

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
from evaluator.policy.loader import load_policies
from evaluator.report.interface import InputDigest
from tests.conftest import KeyFiles

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "checkout"
POLICIES = ROOT / "policies"


def _release_bundle(release: str, folder: Path, keys: list[KeyFiles]) -> bytes:
    """Run the release's real test suite, collect the report, bundle and sign it like the demo does."""
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
    commit = f"{abs(hash(release)):040x}"[-40:]
    release_ = Release("checkout", release, commit, None, "staging", "production", "standard")
    statement = build_statement([item, load], release_)
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
        load_policies(POLICIES),
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
    assert {"tests.no_failures", "load.latency_p95"} <= set(failing), sorted(failing)
    assert "test_total_with_discount_and_tax" in failing["tests.no_failures"].message
    assert "POST /api/checkout" in failing["load.latency_p95"].message
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
