"""The benchmark's policies and input stay right: allowed builtins, one answer on both engines, right results.

bench/policy_engines.py times the engines on the built-in library plus the bench-only load policies
(bench/policies) over a generated input; a benchmark of policies that misjudge, of an input the
policies do not read as intended, or of engines that disagree would mean nothing. This runs both
engines on a small generated input (200 findings, 50 endpoints) with planted violations, and checks
the bench_load results and the built-in security criteria's results against expectations computed
here from the input alone.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from evaluator.collectors.security.common import code_fingerprint, package_fingerprint
from evaluator.engine.isolated import run_isolated
from evaluator.policy.builtins import check_builtins
from evaluator.timeutil import format_time

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


TRIVY, GRYPE, SNYK = "security-trivy-image", "security-grype-image", "security-snyk-deps"
RULES = ("deny", "warn", "checked")
RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4, "unknown": 5}
SEVERITY_CRITERIA = {
    # criterion: categories judged, threshold (blocking severities), whether only findings with a fix count
    "security.fixable_vulnerabilities": ({"container", "sca"}, "fixable_severities", True),
    "security.iac_misconfigurations": ({"iac"}, "iac_severities", False),
    "security.dast_alerts": ({"dast"}, "dast_severities", False),
    "security.sast_findings": ({"sast"}, "sast_severities", False),
}
"""The built-in criteria that fail findings by severity (those the library declares are expected)."""
PLANTED: dict[str, str] = {}
"""Fingerprints of the planted security cases, by case (filled by the document fixture)."""


def _findings(document: dict[str, Any], item_id: str) -> list[dict[str, Any]]:
    return _item(document, item_id)["data"]["findings"]


def _shared(document: dict[str, Any], first: str, second: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Pairs of findings of two items with one fingerprint, in the first item's order."""
    by_fingerprint = {f["fingerprint"]: f for f in _findings(document, second)}
    return [
        (f, by_fingerprint[f["fingerprint"]]) for f in _findings(document, first) if f["fingerprint"] in by_fingerprint
    ]


def _recount(item: dict[str, Any]) -> None:
    """Counts and suppressed of a security item after its findings changed (as build_scan counts them)."""
    counts = dict.fromkeys(RANK, 0)
    for finding in item["data"]["findings"]:
        if "suppression" not in finding:
            counts[finding["severity"]] += 1
    item["data"]["counts"] = counts
    item["data"]["suppressed"] = sum("suppression" in f for f in item["data"]["findings"])


def _plant_security(doc: dict[str, Any]) -> None:
    """Findings reported by two scanners whose merge decides the result, and one of unknown severity."""
    fix = {"fix_available": True}
    pairs = [(t, g) for t, g in _shared(doc, TRIVY, GRYPE) if "suppression" not in t and "suppression" not in g]
    assert len(pairs) >= 3, "the generated input has too few findings shared by Trivy and Grype"
    vex = {"kind": "not_affected", "source": "grype:vex", "justification": "vulnerable_code_not_in_execute_path"}
    # Grype's copy suppressed, Trivy's not: it still fails, named by Trivy (the only source that counts).
    trivy, grype = pairs[0]
    trivy |= fix | {"severity": "critical", "tool_severity": "CRITICAL"}
    grype |= fix | {"severity": "critical", "tool_severity": "Critical", "suppression": vex}
    PLANTED["half_suppressed"] = trivy["fingerprint"]
    # Both copies suppressed: nothing about it.
    trivy, grype = pairs[1]
    trivy |= fix | {"severity": "critical", "suppression": {"kind": "not_affected", "source": "trivy:status"}}
    grype |= fix | {"severity": "critical", "suppression": vex}
    trivy["first_seen"] = grype["first_seen"] = format_time(bench.EVALUATED_AT.replace(year=2025))
    PLANTED["suppressed"] = trivy["fingerprint"]
    # Grype says low (and knows no fix), Trivy critical with a fix: it fails as critical, named by Trivy.
    trivy, grype = pairs[2]
    trivy |= fix | {"severity": "critical", "tool_severity": "CRITICAL"}
    grype |= {"severity": "low", "tool_severity": "Low", "fix_available": False}
    grype["package"]["fixed"] = []
    PLANTED["severity_merge"] = trivy["fingerprint"]
    # Snyk says medium, first seen 20 days ago; Trivy (no first-seen time) says critical: the critical
    # SLA (7 days on tier critical) applies, and the age is Snyk's.
    snyk, trivy = next((s, t) for s, t in _shared(doc, SNYK, TRIVY) if "suppression" not in t)
    snyk.pop("suppression", None)
    snyk |= {"severity": "medium", "first_seen": format_time(bench.EVALUATED_AT - timedelta(days=20))}
    trivy |= {"severity": "critical", "tool_severity": "CRITICAL"}
    PLANTED["sla_merge"] = snyk["fingerprint"]
    # A Trivy-only fixable finding of unknown severity: a warning.
    grype_fingerprints = {f["fingerprint"] for f in _findings(doc, GRYPE)}
    alone = next(
        f
        for f in _findings(doc, TRIVY)
        if f["fingerprint"] not in grype_fingerprints | set(PLANTED.values()) and "suppression" not in f
    )
    alone |= fix | {"severity": "unknown", "tool_severity": "UNKNOWN"}
    alone.pop("cvss", None)
    alone["package"]["fixed"] = alone["package"]["fixed"] or ["99.0.0"]
    PLANTED["unknown"] = alone["fingerprint"]
    for item in doc["evidence"]["security"]:
        _recount(item)


@pytest.fixture(scope="module")
def policy_set() -> Any:
    """The built-in library plus the bench packages, as the bench loads them."""
    return bench.load_bench_policies()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """A tiny generated input with known violations planted in it."""
    doc = bench.build_input(findings=200, endpoints=50, failures_listed=20, seed=7)
    _plant_security(doc)
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
    assert bench.input_problems(doc) == []
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


def _security_results(results: dict[str, list[dict[str, Any]]], rule: str) -> list[dict[str, Any]]:
    return results[f"data.readiness.security.{rule}"]


def _one(found: list[dict[str, Any]], criterion: str, evidence: str, pointer: str) -> dict[str, Any]:
    matching = [r for r in found if (r["criterion"], r["evidence"], r["pointer"]) == (criterion, evidence, pointer)]
    assert len(matching) == 1, f"{criterion} {evidence} {pointer}: {matching}"
    return matching[0]


def _threshold(policy_set: Any, document: dict[str, Any], kind: str, name: str) -> Any:
    """The tier's value of a threshold, else the default (a tier's value replaces the default as a whole)."""
    thresholds = policy_set.data["readiness"]["thresholds"]
    tier = thresholds["tiers"].get(document["tier"], {}).get(kind, {})
    return tier[name] if name in tier else thresholds["default"][kind][name]


def _epoch(text: str) -> int:
    """Whole seconds of an RFC 3339 'Z' time (the fraction dropped)."""
    return int(datetime.fromisoformat(text[:19] + "+00:00").timestamp())


def _expected_security(document: dict[str, Any], policy_set: Any) -> dict[str, dict[tuple[str, str], dict[str, Any]]]:
    """The built-in security criteria's deny and warn results, computed from the input alone.

    Keyed (criterion, fingerprint), each {evidence, pointer, observed, threshold}. A finding counts unless
    it carries a suppression; the counted findings of every item are merged by fingerprint; a merged
    finding's severity is the most severe of its sources and the result names the first source (by item
    id, then index) giving it (for the SLA: the first source stating the earliest first-seen time).
    """

    def limit(name: str) -> Any:
        return _threshold(policy_set, document, "security", name)

    sources: dict[str, list[tuple[str, int, dict[str, Any]]]] = defaultdict(list)
    for item in sorted(document["evidence"]["security"], key=lambda i: i["id"]):
        for index, finding in enumerate(item["data"]["findings"]):
            if "suppression" not in finding:
                sources[finding["fingerprint"]].append((item["id"], index, finding))

    def merged(entries: list[tuple[str, int, dict[str, Any]]]) -> tuple[str, tuple[str, int, dict[str, Any]]]:
        severity = min((f["severity"] for _, _, f in entries), key=RANK.__getitem__)
        return severity, next(e for e in entries if e[2]["severity"] == severity)

    deny: dict[tuple[str, str], dict[str, Any]] = {}
    warn: dict[tuple[str, str], dict[str, Any]] = {}
    criteria = {c.id for c in policy_set.criteria}
    secrets = {}
    for fingerprint, entries in sources.items():
        for criterion, (categories, name, needs_fix) in SEVERITY_CRITERIA.items():
            judged = [e for e in entries if e[2]["category"] in categories]
            if (
                criterion not in criteria
                or not judged
                or (needs_fix and not any(f["fix_available"] for *_, f in judged))
            ):
                continue
            severity, (item_id, index, _) = merged(judged)
            result = {
                "evidence": item_id,
                "pointer": f"/data/findings/{index}/severity",
                "observed": severity,
                "threshold": limit(name),
            }
            if severity in limit(name):
                deny[criterion, fingerprint] = result
            elif severity == "unknown":
                warn[criterion, fingerprint] = result
        secret_entries = [e for e in entries if e[2]["category"] == "secrets"]
        if secret_entries:
            secrets[fingerprint] = merged(secret_entries)[1]
        seen = [_epoch(f["first_seen"]) for _, _, f in entries if "first_seen" in f]
        severity, _ = merged(entries)
        days = limit("sla_days").get(severity)
        if seen and days is not None:
            age = document["evaluation"]["epoch_seconds"] - min(seen)
            if age > days * DAY:
                item_id, index, _ = next(
                    e for e in entries if "first_seen" in e[2] and _epoch(e[2]["first_seen"]) == min(seen)
                )
                deny["security.remediation_sla", fingerprint] = {
                    "evidence": item_id,
                    "pointer": f"/data/findings/{index}",
                    "observed": -(-age // DAY),
                    "threshold": days,
                }
    if len(secrets) > limit("max_secrets"):
        for fingerprint, (item_id, index, _) in secrets.items():
            deny["security.no_secrets", fingerprint] = {
                "evidence": item_id,
                "pointer": f"/data/findings/{index}",
                "observed": len(secrets),
                "threshold": limit("max_secrets"),
            }
    return {"deny": deny, "warn": warn}


def _keyed(found: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    keyed = {(r["criterion"], r["fingerprint"]): r for r in found}
    assert len(keyed) == len(found), "two results of one criterion name one fingerprint"
    return keyed


def test_generated_input_is_valid_and_deterministic():
    small = bench.build_input(findings=200, endpoints=50, failures_listed=20, seed=7)
    assert bench.input_problems(small) == []
    assert small == bench.build_input(findings=200, endpoints=50, failures_listed=20, seed=7)
    evidence = small["evidence"]
    assert sum(len(i["data"]["findings"]) for i in evidence["security"]) == 200
    assert sum(len(i["data"]["endpoints"]) for i in evidence["load"]) == 50


def test_generated_security_items_look_like_collector_output():
    small = bench.build_input(findings=2000, endpoints=10, failures_listed=5, seed=11)
    items = {i["id"]: i for i in small["evidence"]["security"]}
    assert [i[0] for i in bench.SECURITY_ITEMS] == list(items)
    everything = [f for i in items.values() for f in i["data"]["findings"]]
    for item in items.values():
        data = item["data"]
        findings = data["findings"]
        assert len({f["fingerprint"] for f in findings}) == len(findings)  # one finding per fingerprint
        assert findings == sorted(findings, key=lambda f: (RANK[f["severity"]], f["rule_id"], f["fingerprint"]))
        counted = [f for f in findings if "suppression" not in f]
        assert data["counts"] == {s: sum(f["severity"] == s for f in counted) for s in RANK}
        assert data["suppressed"] == len(findings) - len(counted)
        assert (data["truncated"], data["scan_errors"]) == (False, 0)
        assert data["scan_types"] == sorted({f["category"] for f in findings})
    # Fingerprints follow the collectors' conventions, so the same CVE in the same package version
    # from Trivy and Grype (and Snyk, for the image's Python packages) is one fingerprint.
    for finding in everything:
        if "package" in finding:
            pkg = finding["package"]
            expected = package_fingerprint(finding["ids"], finding["rule_id"], pkg["name"], pkg["installed"])
            assert finding["fingerprint"] == expected
            assert finding["fix_available"] == bool(pkg["fixed"])
    for finding in items["security-semgrep"]["data"]["findings"]:
        where = finding["location"]
        assert finding["fingerprint"] == code_fingerprint(
            "sast", "semgrep", finding["rule_id"], where["path"], where["line"]
        )
    trivy = {f["fingerprint"] for f in items[TRIVY]["data"]["findings"]}
    grype = {f["fingerprint"] for f in items[GRYPE]["data"]["findings"]}
    snyk = {f["fingerprint"] for f in items[SNYK]["data"]["findings"]}
    assert round(len(grype) * bench.GRYPE_OVERLAP) == len(trivy & grype)
    assert 0 < len(trivy & snyk) < len(snyk)
    assert {f["severity"] for f in everything} == set(RANK)
    with_time = {i for i, item in items.items() if any("first_seen" in f for f in item["data"]["findings"])}
    assert with_time == {SNYK, "security-gitleaks"}
    assert all(f["first_seen"].endswith("Z") for f in everything if "first_seen" in f)
    assert 0 < sum("suppression" in f for f in everything) < len(everything) // 10
    assert any(f["occurrences"] > 1 for f in everything)


def test_policies_use_only_allowed_builtins(policy_set):
    bench_modules = [m for m in policy_set.modules if m.package.startswith("readiness.bench_")]
    assert {m.package for m in bench_modules} == set(bench.BENCH_PACKAGES) == {"readiness.bench_load"}
    assert check_builtins([(m.path, m.source) for m in policy_set.modules]) == []
    assert {c.id.split(".")[0] for c in policy_set.criteria} >= {"security", "bench_load", "tests", "load"}


def test_known_violations_are_reported_with_observed_threshold_and_pointer(results, document):
    deny = _bench_results(results, ".deny")
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


def test_planted_security_findings_are_judged_after_merging(results, document):
    deny = _keyed(_security_results(results, "deny"))
    warn = _keyed(_security_results(results, "warn"))

    def index(item_id: str, fingerprint: str) -> int:
        return next(i for i, f in enumerate(_findings(document, item_id)) if f["fingerprint"] == fingerprint)

    half = deny["security.fixable_vulnerabilities", PLANTED["half_suppressed"]]
    assert (half["evidence"], half["pointer"]) == (
        TRIVY,
        f"/data/findings/{index(TRIVY, PLANTED['half_suppressed'])}/severity",
    )
    assert GRYPE not in half["msg"]  # the suppressed source is not named
    assert not [key for key in {**deny, **warn} if key[1] == PLANTED["suppressed"]]
    merged = deny["security.fixable_vulnerabilities", PLANTED["severity_merge"]]
    assert (merged["evidence"], merged["observed"]) == (TRIVY, "critical")
    assert GRYPE in merged["msg"] and TRIVY in merged["msg"]  # both sources named
    sla = deny["security.remediation_sla", PLANTED["sla_merge"]]
    assert (sla["evidence"], sla["pointer"]) == (SNYK, f"/data/findings/{index(SNYK, PLANTED['sla_merge'])}")
    assert (sla["observed"], sla["comparator"], sla["threshold"]) == (20, "<=", 7)  # critical's SLA, not medium's
    unknown = warn["security.fixable_vulnerabilities", PLANTED["unknown"]]
    assert (unknown["evidence"], unknown["observed"]) == (TRIVY, "unknown")
    secrets = [r for key, r in deny.items() if key[0] == "security.no_secrets"]
    assert [r["evidence"] for r in secrets] == ["security-gitleaks"]


def test_every_result_points_into_its_item(results, document):
    for result in _bench_results(results, ".deny") + _bench_results(results, ".checked"):
        value = _resolve(_item(document, result["evidence"]), result["pointer"])
        if isinstance(value, list):  # a result about a whole list counts or summarises it
            assert isinstance(result["observed"], int)
        else:
            assert value == result["observed"], result
    for result in _security_results(results, "deny") + _security_results(results, "warn"):
        value = _resolve(_item(document, result["evidence"]), result["pointer"])
        if result["pointer"].endswith("/severity"):
            assert value == result["observed"], result
            value = _resolve(_item(document, result["evidence"]), result["pointer"].removesuffix("/severity"))
        assert value["fingerprint"] == result["fingerprint"], result
        assert "suppression" not in value, result


def test_deny_results_match_an_independent_reading_of_the_input(results, document, policy_set):
    def threshold(kind: str, name: str) -> Any:
        return _threshold(policy_set, document, kind, name)

    expected = set()
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


def test_security_results_match_an_independent_reading_of_the_input(results, document, policy_set):
    expected = _expected_security(document, policy_set)
    for rule in ("deny", "warn"):
        found = {
            key: {name: r[name] for name in ("evidence", "pointer", "observed", "threshold")}
            for key, r in _keyed(_security_results(results, rule)).items()
        }
        assert found == expected[rule], rule
    criteria = {c for c, _ in expected["deny"]}
    assert criteria >= {"security.fixable_vulnerabilities", "security.remediation_sla", "security.no_secrets"}
    others = [q for q in results if q.startswith("data.readiness.security.") and q.rsplit(".", 1)[1] not in RULES]
    assert [q for q in others if results[q]] == []  # e.g. insufficient: every scan type is present
    assert set(PLANTED.values()) - {PLANTED["suppressed"]} <= {f for _, f in {**expected["deny"], **expected["warn"]}}


def test_passing_items_report_what_was_checked(results):
    checked = {(r["criterion"], r["evidence"]) for r in _bench_results(results, ".checked")}
    soak = {c for c, evidence in checked if evidence == "load-gatling-soak"}
    assert soak == {"bench_load.latency_p95", "bench_load.latency_p99", "bench_load.error_rate"}
    security = _security_results(results, "checked")
    scan_types = {r["observed"] for r in security if r["criterion"] == "security.required_scan_types"}
    assert scan_types == {"sast", "sca", "container", "secrets"}  # tier critical requires all four
    assert ("security.remediation_sla", "security-semgrep") in {(r["criterion"], r["evidence"]) for r in security}
