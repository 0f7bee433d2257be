"""The bench-only policies (bench/policies) stay correct: allowed builtins, one answer on both engines, right results.

bench/policy_engines.py times the engines on these policies plus the built-in library; a benchmark of
policies that misjudge, or of engines that disagree, would mean nothing. This runs both engines on a
tiny generated input (200 findings, 50 endpoints) with planted violations.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from evaluator.engine.isolated import run_isolated
from evaluator.policy.builtins import check_builtins

ROOT = Path(__file__).resolve().parent.parent


def _load_bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_policy_engines", ROOT / "bench" / "policy_engines.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench = _load_bench()
EPOCH = int(bench.EVALUATED_AT.timestamp())
DAY = 86400


def _resolve(document: Any, pointer: str) -> Any:
    """The value at an RFC 6901 pointer."""
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


def _item(document: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(i for kind in document["evidence"].values() for i in kind if i["id"] == item_id)


def _endpoint_index(item: dict[str, Any], key: str) -> int:
    return next(i for i, e in enumerate(item["data"]["endpoints"]) if f"{e['method']} {e['name']}" == key)


@pytest.fixture(scope="module")
def policy_set() -> Any:
    """The built-in library plus the bench packages, as the bench loads them."""
    return bench.load_bench_policies()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """A tiny generated input with known violations planted in it."""
    doc = bench.build_input(findings=200, endpoints=50, failures_listed=20, seed=7)
    image = _item(doc, "security-trivy-image")["data"]["findings"]
    package = {"name": "openssl", "installed_version": "3.0.1", "fixed_version": "3.0.8"}
    image[3] |= {"severity": "critical", "cvss": 98, "package": package, "suppressed": False}
    image[3]["first_seen"] = EPOCH - 20 * DAY  # critical SLA on the critical tier: 7 days
    image[4] |= {"severity": "critical", "package": package, "suppressed": True, "first_seen": EPOCH - 90 * DAY}
    _item(doc, "security-gitleaks")["data"]["findings"][0]["suppressed"] = False

    k6 = _item(doc, "load-k6-checkout")
    slow = next(
        i
        for i, e in enumerate(k6["data"]["endpoints"])
        if f"{e['method']} {e['name']}" not in bench.OVERRIDDEN_ENDPOINTS
    )
    k6["data"]["endpoints"][slow]["latency_us"] |= {"p95": 5_000_000, "p99": 6_000_000}
    k6["data"]["endpoints"][slow] |= {"failures": 90, "requests": 1000, "error_rate_bp": 900}
    search = k6["data"]["endpoints"][_endpoint_index(k6, "GET /api/v1/search")]
    search["latency_us"] |= {"p95": 1_100_000, "p99": 2_000_000}  # above the tier's budget, within its override
    search |= {"failures": 0, "error_rate_bp": 0}
    locust = _item(doc, "load-locust-catalog")
    locust["data"]["endpoints"][_endpoint_index(locust, "GET /api/v1/search")]["latency_us"]["p95"] = 1_300_000
    return doc


@pytest.fixture(scope="module")
def results(policy_set: Any, document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Per query, the results as objects, once both engines (through run_isolated, as readiness runs them) agree."""
    pytest.importorskip("opa_bindings", reason="real OPA (opa-golib-python-bindings) is not installed")
    found = {}
    for engine in bench.ENGINES:
        run = run_isolated(engine, policy_set.modules, policy_set.data, document, bench.queries(policy_set), 120)
        assert run.load_error is None, run.load_error
        canonical = bench.canonical(run.outcomes)
        for query, values in canonical.items():
            assert values[:1] not in (["error"], ["undefined"]), f"{engine} {query}: {values}"
        found[engine] = canonical
    assert bench.disagreement(found["embedded"], found["opa"]) is None
    assert found["embedded"] == found["opa"]
    return {query: [json.loads(v) for v in values] for query, values in found["embedded"].items()}


def _bench_results(results: dict[str, list[dict[str, Any]]], rule: str) -> list[dict[str, Any]]:
    return [r for q, rs in results.items() if q.startswith("data.readiness.bench_") and q.endswith(rule) for r in rs]


def _one(found: list[dict[str, Any]], criterion: str, evidence: str, pointer: str) -> dict[str, Any]:
    matching = [r for r in found if (r["criterion"], r["evidence"], r["pointer"]) == (criterion, evidence, pointer)]
    assert len(matching) == 1, f"{criterion} {evidence} {pointer}: {matching}"
    return matching[0]


def test_generated_input_is_valid_and_deterministic():
    small = bench.build_input(findings=200, endpoints=50, failures_listed=20, seed=7)
    assert bench.input_problems(small) == []
    assert small == bench.build_input(findings=200, endpoints=50, failures_listed=20, seed=7)
    evidence = small["evidence"]
    assert sum(len(i["data"]["findings"]) for i in evidence["security"]) == 200
    assert sum(len(i["data"]["endpoints"]) for i in evidence["load"]) == 50


def test_policies_use_only_allowed_builtins(policy_set):
    bench_modules = [m for m in policy_set.modules if m.package.startswith("readiness.bench_")]
    assert {m.package for m in bench_modules} == set(bench.BENCH_PACKAGES)
    assert check_builtins([(m.path, m.source) for m in policy_set.modules]) == []
    assert {c.id.split(".")[0] for c in policy_set.criteria} >= {"bench_security", "bench_load", "tests"}


def test_known_violations_are_reported_with_observed_threshold_and_pointer(results, document):
    deny = _bench_results(results, ".deny")
    fixable = _one(deny, "bench_security.fixable_findings", "security-trivy-image", "/data/findings/3/severity")
    finding = _item(document, "security-trivy-image")["data"]["findings"][3]
    assert (fixable["observed"], fixable["comparator"], fixable["threshold"]) == (
        "critical",
        "not in",
        ["critical", "high"],
    )
    assert fixable["fingerprint"] == finding["fingerprint"]
    assert "fixed in 3.0.8" in fixable["msg"] and "CVSS 9.8" in fixable["msg"]

    overdue = _one(deny, "bench_security.sla_age", "security-trivy-image", "/data/findings/3/first_seen")
    assert (overdue["observed"], overdue["comparator"], overdue["threshold"]) == (
        EPOCH - 20 * DAY,
        ">=",
        EPOCH - 7 * DAY,
    )
    assert "open 20 days" in overdue["msg"]
    suppressed = [
        r for r in deny if r["evidence"] == "security-trivy-image" and r["pointer"].startswith("/data/findings/4/")
    ]
    assert suppressed == []

    secrets = _one(deny, "bench_security.no_secrets", "security-gitleaks", "/data/findings")
    assert (secrets["observed"], secrets["threshold"]) == (1, 0)

    k6 = _item(document, "load-k6-checkout")
    slow = next(i for i, e in enumerate(k6["data"]["endpoints"]) if e["latency_us"]["p95"] == 5_000_000)
    p95 = _one(deny, "bench_load.latency_p95", "load-k6-checkout", f"/data/endpoints/{slow}/latency_us/p95")
    assert (p95["observed"], p95["comparator"], p95["threshold"]) == (5_000_000, "<=", 300_000)
    assert "5000.000 ms exceeds its 300 ms budget" in p95["msg"]
    errors = _one(deny, "bench_load.error_rate", "load-k6-checkout", f"/data/endpoints/{slow}/error_rate_bp")
    assert (errors["observed"], errors["threshold"]) == (900, 50)

    search = _endpoint_index(k6, "GET /api/v1/search")
    assert [
        r for r in deny if r["evidence"] == "load-k6-checkout" and r["pointer"].startswith(f"/data/endpoints/{search}/")
    ] == []
    locust = _item(document, "load-locust-catalog")
    index = _endpoint_index(locust, "GET /api/v1/search")
    override = _one(deny, "bench_load.latency_p95", "load-locust-catalog", f"/data/endpoints/{index}/latency_us/p95")
    assert (override["observed"], override["threshold"]) == (1_300_000, 1_200_000)
    assert "(endpoint override)" in override["msg"]


def test_every_bench_result_points_into_its_item(results, document):
    for result in _bench_results(results, ".deny") + _bench_results(results, ".checked"):
        value = _resolve(_item(document, result["evidence"]), result["pointer"])
        if isinstance(value, list):  # a result about a whole list counts or summarises it
            assert isinstance(result["observed"], int)
        else:
            assert value == result["observed"], result


def test_deny_results_match_an_independent_reading_of_the_input(results, document, policy_set):
    thresholds = policy_set.data["readiness"]["thresholds"]

    def threshold(kind: str, name: str) -> Any:
        return thresholds["tiers"].get(document["tier"], {}).get(kind, {}).get(name, thresholds["default"][kind][name])

    expected = set()
    blocking = set(threshold("bench_security", "fixable_severities"))
    cutoff = {s: EPOCH - days * DAY for s, days in threshold("bench_security", "sla_days").items()}
    for item in document["evidence"]["security"]:
        open_findings = [(i, f) for i, f in enumerate(item["data"]["findings"]) if not f["suppressed"]]
        for i, finding in open_findings:
            if finding["severity"] in blocking and finding.get("package", {}).get("fixed_version"):
                expected.add(("bench_security.fixable_findings", item["id"], f"/data/findings/{i}/severity"))
            if finding["severity"] in cutoff and finding["first_seen"] < cutoff[finding["severity"]]:
                expected.add(("bench_security.sla_age", item["id"], f"/data/findings/{i}/first_seen"))
        if item["data"]["scan_type"] == "secrets" and len(open_findings) > threshold("bench_security", "max_secrets"):
            expected.add(("bench_security.no_secrets", item["id"], "/data/findings"))
    overrides = threshold("bench_load", "endpoint_overrides")
    for item in document["evidence"]["load"]:
        for i, endpoint in enumerate(item["data"]["endpoints"]):
            own = overrides.get(f"{endpoint['method']} {endpoint['name']}", {})
            budget = {
                name: own.get(name, threshold("bench_load", name)) for name in ("p95_ms", "p99_ms", "max_error_rate_bp")
            }
            for percentile in ("p95", "p99"):
                if endpoint["latency_us"][percentile] > budget[f"{percentile}_ms"] * 1000:
                    pointer = f"/data/endpoints/{i}/latency_us/{percentile}"
                    expected.add((f"bench_load.latency_{percentile}", item["id"], pointer))
            if endpoint["error_rate_bp"] > budget["max_error_rate_bp"]:
                expected.add(("bench_load.error_rate", item["id"], f"/data/endpoints/{i}/error_rate_bp"))

    found = {(r["criterion"], r["evidence"], r["pointer"]) for r in _bench_results(results, ".deny")}
    assert found == expected
    assert {c for c, _, _ in expected} == {c.id for c in policy_set.criteria if c.id.startswith("bench_")}


def test_passing_items_report_what_was_checked(results):
    checked = {(r["criterion"], r["evidence"]) for r in _bench_results(results, ".checked")}
    soak = {c for c, evidence in checked if evidence == "load-gatling-soak"}
    assert soak == {"bench_load.latency_p95", "bench_load.latency_p99", "bench_load.error_rate"}
    assert ("bench_security.fixable_findings", "security-semgrep") in checked  # SAST findings name no package
