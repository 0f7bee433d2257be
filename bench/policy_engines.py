"""Benchmark: the embedded engine (regorus) against real OPA on readiness policies over a large policy input.

Run with `python bench/policy_engines.py` (or `make bench`). It generates a seeded policy input
(schemas/policy-input.v1.schema.json) with large `tests` items, `security` items (schema security/v1)
holding 100,000 findings and `load` items (schema load/v1) holding 10,000 endpoints, and evaluates the
built-in library (policies/, whatever criteria it holds: readiness.security judges the security items)
plus the bench-only load criteria in bench/policies/ (readiness.bench_load) on both engines.

The security items look like the collectors' output (evaluator/collectors/security; findings built with
their fingerprint and severity helpers and assembled by their build_scan): a Trivy and a Grype scan of
one image, where 70% of Grype's findings are Trivy's too (same CVE, package and installed version, so
the same fingerprint, which the policies merge), a Snyk dependency scan (SARIF) whose findings mostly
state a first-seen time and a few of which the image scans report too, a Semgrep code scan and a
Gitleaks secrets scan (first-seen time: the commit's date); a few findings in each carry a suppression.

It first checks that both engines give identical results, then prints, best of --runs:

- the readiness path: `run_isolated`, exactly as `readiness evaluate` runs an engine (a child process
  that loads modules and data and evaluates each deny / warn / checked document, so input transfer and
  policy loading count), timed in a fresh interpreter holding what `readiness evaluate` holds;
- the engine alone: a fresh interpreter that has parsed the input, timing engine set-up and policy load
  apart from the evaluation of the queries.

Peak memory is each engine process's peak RSS (VmHWM), read inside that process, with the RSS it started
from. The target is "embedded engine <= 0.7x real OPA's time"; the memory ratio is printed beside it.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import multiprocessing.util
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from evaluator import __version__, schemas
from evaluator.collectors.security.common import (
    advisory_ids,
    build_scan,
    code_fingerprint,
    package_fingerprint,
    severity_from_score,
    severity_or_score,
)
from evaluator.engine import get_engine
from evaluator.engine.interface import EngineError, Undefined
from evaluator.engine.isolated import DEFAULT_TIMEOUT, Outcome, run_isolated
from evaluator.evaluate import _queries
from evaluator.evidence.security import Cvss, Finding, Location, Package, Severity, Suppression
from evaluator.policy.loader import load_policies
from evaluator.policy.model import PolicySet
from evaluator.timeutil import format_time

ROOT = Path(__file__).resolve().parent.parent
BENCH_POLICIES = ROOT / "bench" / "policies"
OUT = ROOT / "bench" / "out"
ENGINES = ("embedded", "opa")
TARGET_TIME_RATIO = 0.7
"""The issue's target: the embedded engine takes at most 0.7x real OPA's time."""
EVALUATED_AT = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
"""Evaluation time of the generated input (input.evaluation)."""
SEED = 20261127
BENCH_PACKAGES = ("readiness.bench_load",)
"""The bench-only packages in bench/policies."""

# --- the policies ---------------------------------------------------------------------------------


def load_bench_policies(packages: Sequence[str] = BENCH_PACKAGES, without: Sequence[str] = ()) -> PolicySet:
    """The built-in library (less the `without` packages and their tests) plus the bench/policies `packages`."""
    builtin = load_policies(ROOT / "policies", data_files=(BENCH_POLICIES / "data" / "thresholds.yaml",))
    dropped = {*without, *(f"{p}_test" for p in without)}
    missing = sorted(set(without) - {m.package for m in builtin.modules})
    if missing:
        raise ValueError(f"the built-in library has no package {missing[0]}")
    builtin = replace(
        builtin,
        modules=tuple(m for m in builtin.modules if m.package not in dropped),
        criteria=tuple(c for c in builtin.criteria if c.package not in dropped),
        packages=tuple(p for p in builtin.packages if p.path not in dropped),
    )
    bench = load_policies(BENCH_POLICIES, check=False)  # calls the library's helpers: checked below, together
    unknown = sorted(set(packages) - {m.package for m in bench.modules})
    if unknown:
        raise ValueError(f"bench/policies has no package {unknown[0]}")
    bench = replace(
        bench,
        modules=tuple(m for m in bench.modules if m.package in packages),
        criteria=tuple(c for c in bench.criteria if c.package in packages),
        packages=tuple(p for p in bench.packages if p.path in packages),
    )
    ids = {c.id for c in builtin.criteria}
    clash = sorted(ids & {c.id for c in bench.criteria})
    if clash:
        raise ValueError(f"bench/policies declares built-in criterion {clash[0]}")
    combined = replace(
        builtin,
        root=f"{builtin.root} + {bench.root}",
        modules=builtin.modules + bench.modules,
        criteria=tuple(sorted(builtin.criteria + bench.criteria, key=lambda c: c.id)),
        packages=builtin.packages + bench.packages,
    )
    refused = check_combined(combined)
    if refused:
        path, line, name = refused[0]
        raise ValueError(f"{path}:{line}: builtin {name} is not allowed on every engine")
    return combined


def check_combined(policy_set: PolicySet) -> list[tuple[str, int, str]]:
    """Builtins of the combined modules that evaluator.policy.builtins refuses (empty when all are allowed)."""
    from evaluator.policy.builtins import check_builtins

    return check_builtins([(m.path, m.source) for m in policy_set.modules])


def queries(policy_set: PolicySet) -> list[str]:
    """The deny / warn / checked documents readiness evaluates for this policy set."""
    return _queries(policy_set)


# --- the input ------------------------------------------------------------------------------------

LOAD_ITEMS = (
    ("load-k6-checkout", "k6", "k6-summary-export"),
    ("load-locust-catalog", "locust", "locust-csv"),
    ("load-jmeter-payments", "jmeter", "jtl-csv"),
    ("load-gatling-soak", "gatling", "gatling-stats-json"),  # every endpoint within budget: `checked` results
)
OVERRIDDEN_ENDPOINTS = {
    "GET /api/v1/search": 1200,
    "GET /api/v1/search/suggest": 800,
    "POST /api/v1/reports/export": 5000,
    "GET /api/v1/reports/download": 2500,
    "POST /api/v1/checkout/confirm": 900,
    "POST /api/v1/payments/authorize": 1500,
    "POST /api/v1/uploads/images": 3000,
    "GET /api/v1/recommendations/home": 700,
    "POST /api/v1/inventory/reserve": 600,
    "GET /api/v1/orders/history": 900,
}
"""Endpoints with a p95 override in bench/policies/data/thresholds.yaml, and that override (ms)."""
LOAD_DURATION_MS = 1_800_000
RESOURCES = (
    "accounts", "addresses", "baskets", "brands", "campaigns", "carts", "categories", "coupons", "customers",
    "deliveries", "devices", "discounts", "events", "favorites", "feeds", "gift-cards", "invoices", "items",
    "labels", "lists", "loyalty", "merchants", "messages", "notes", "notifications", "offers", "orders",
    "pages", "partners", "prices", "products", "profiles", "promotions", "queues", "ratings", "refunds",
    "regions", "returns", "reviews", "sessions", "shipments", "shops", "stock", "stores", "subscriptions",
    "suppliers", "tags", "tickets", "users", "vouchers", "warehouses", "wishlists",
)  # fmt: skip
ACTIONS = (
    ("GET", ""), ("GET", "/{id}"), ("POST", ""), ("PUT", "/{id}"), ("DELETE", "/{id}"), ("GET", "/{id}/history"),
    ("GET", "/search"), ("POST", "/{id}/archive"), ("GET", "/export"), ("PATCH", "/{id}"), ("GET", "/{id}/items"),
    ("POST", "/bulk"), ("GET", "/stats"), ("POST", "/{id}/notify"), ("GET", "/{id}/audit"), ("POST", "/import"),
)  # fmt: skip
TEST_RUNS = (
    # id, tests, failed, errored, skipped, flaky
    ("tests-unit", 24_000, 0, 0, 400, 0),
    ("tests-integration", 8_000, 1_400, 200, 300, 12),
    ("tests-e2e", 3_000, 900, 150, 600, 30),
    ("tests-contract", 5_000, 1_100, 0, 50, 0),
)
FAILURE = (
    "AssertionError: expected status 200 from {method} /api/v1/{resource} but got 503 Service Unavailable; "
    "upstream {upstream} timed out after {ms} ms (retry 3 of 3), request id {rid}"
)


def build_input(
    findings: int = 100_000, endpoints: int = 10_000, failures_listed: int = 1000, seed: int = SEED
) -> dict[str, Any]:
    """A policy input (policy-input.v1) with tests, security and load items; the same for the same arguments."""
    rng = random.Random(seed)
    epoch = int(EVALUATED_AT.timestamp())
    return {
        "subject": {
            "service": "checkout",
            "version": "1.42.0",
            "tier": "critical",
            "commit": f"{rng.getrandbits(160):040x}",
            "artifact_digest": f"sha256:{rng.getrandbits(256):064x}",
            "environment": "staging",
            "target_environment": "production",
        },
        "tier": "critical",
        "environments": {"evidence": "staging", "target": "production"},
        "evaluation": {
            "time": format_time(EVALUATED_AT),
            "epoch_seconds": epoch,
            "date": EVALUATED_AT.date().isoformat(),
        },
        "verified": True,
        "evidence": {
            "tests": [_tests_item(rng, *run, failures_listed) for run in TEST_RUNS],
            "security": _security_items(rng, findings),
            "load": _load_items(rng, endpoints),
        },
    }


def _item(rng: random.Random, item_id: str, kind: str, tool: str, fmt: str, data: dict[str, Any]) -> dict[str, Any]:
    end = EVALUATED_AT - timedelta(hours=2)
    return {
        "id": item_id,
        "kind": kind,
        "schema": f"{kind}/v1",
        "collected_at": format_time(end + timedelta(minutes=5)),
        "observed": {"start": format_time(end - timedelta(minutes=20)), "end": format_time(end)},
        "environment": "staging",
        "source": {"tool": tool, "format": fmt, "file": f"results/{item_id}.json", "sha256": rng.randbytes(32).hex()},
        "collector": {"name": fmt, "version": __version__},
        "data": data,
    }


def _split(total: int, parts: int) -> list[int]:
    """`total` in `parts` near-equal non-negative integers."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _tests_item(
    rng: random.Random, item_id: str, tests: int, failed: int, errored: int, skipped: int, flaky: int, listed: int
) -> dict[str, Any]:
    suites = max(1, tests // 60)
    names = [f"tests.{item_id.removeprefix('tests-')}.test_{RESOURCES[i % len(RESOURCES)]}_{i}" for i in range(suites)]
    counts = {k: _split(v, suites) for k, v in {"failed": failed, "errored": errored, "skipped": skipped}.items()}
    counts["flaky"] = _split(flaky, suites)
    counts["tests"] = _split(tests, suites)
    suite_rows = []
    for i, name in enumerate(names):
        bad = counts["failed"][i] + counts["errored"][i] + counts["skipped"][i]
        suite_rows.append(
            {
                "name": name,
                "tests": counts["tests"][i],
                "passed": counts["tests"][i] - bad,
                "failed": counts["failed"][i],
                "errored": counts["errored"][i],
                "skipped": counts["skipped"][i],
                "flaky": counts["flaky"][i],
                "duration_ms": rng.randint(200, 90_000),
            }
        )
    statuses = ["failed"] * failed + ["errored"] * errored
    rng.shuffle(statuses)
    failures = []
    for n, status in enumerate(statuses[:listed]):
        resource_name = RESOURCES[rng.randrange(len(RESOURCES))]
        message = FAILURE.format(
            method=rng.choice(("GET", "POST", "PUT")),
            resource=resource_name,
            upstream=rng.choice(("payment-gateway", "inventory", "search", "pricing")),
            ms=rng.choice((1000, 3000, 5000)),
            rid=f"{rng.getrandbits(64):016x}",
        )
        failures.append(
            {
                "suite": names[n % suites],
                "classname": names[n % suites],
                "name": f"test_{resource_name.replace('-', '_')}_{n}",
                "status": status,
                "type": "AssertionError" if status == "failed" else "RuntimeError",
                "message": message if status == "failed" else "fixture 'database' failed: connection refused",
                "file": f"{names[n % suites].replace('.', '/')}.py",
                "line": rng.randint(10, 900),
            }
        )
    flaky_cases = [
        {"suite": names[n % suites], "classname": names[n % suites], "name": f"test_retry_{n}", "failed_attempts": 1}
        for n in range(min(flaky, listed))
    ]
    totals = {
        "tests": tests,
        "passed": tests - failed - errored - skipped,
        "failed": failed,
        "errored": errored,
        "skipped": skipped,
        "flaky": flaky,
        "duration_ms": sum(s["duration_ms"] for s in suite_rows),
    }
    data = {"totals": totals, "suites": suite_rows, "failures": failures, "flaky_cases": flaky_cases}
    return _item(rng, item_id, "tests", "pytest", "junit-xml", data)


# The security items: five scans of one release, as the collectors in evaluator/collectors/security
# write them (findings built with their helpers and assembled by build_scan: fingerprints, severity
# mapping, sorting, counts). Trivy and Grype scan the same image, so a share of Grype's findings are
# Trivy's (same CVE, package and installed version: same fingerprint); Snyk scans the lock file of the
# Python packages the image also holds, so a few of its findings are Trivy's too.
SECURITY_ITEMS = (
    # id, tool, tool version, format, scan type, share of the findings
    ("security-trivy-image", "trivy", "0.57.1", "trivy-json", "container", 0.45),
    ("security-grype-image", "grype", "0.84.0", "grype-json", "container", 0.27),
    ("security-snyk-deps", "snyk", "1.1294.0", "sarif", "sca", 0.13),
    ("security-semgrep", "semgrep", "1.97.0", "semgrep-json", "sast", None),  # the rest
    ("security-gitleaks", "gitleaks", None, "gitleaks-json", "secrets", 0.003),
)
IMAGE = "registry.example.com/checkout:1.42.0"
GRYPE_OVERLAP = 0.7
"""Share of Grype's findings that Trivy reports too (same fingerprint)."""
SNYK_OVERLAP = 0.1
"""Share of Snyk's findings that Trivy reports too (the image's Python packages)."""
SNYK_FIRST_SEEN = 0.8
"""Share of Snyk's findings with a first-seen time (SARIF provenance.firstDetectionTimeUtc)."""
SEVERITY_WEIGHTS = {"critical": 3, "high": 12, "medium": 35, "low": 33, "info": 0, "unknown": 2}
"""Severity of a generated vulnerability (the vendor's, as Trivy reports it)."""
CVSS_X10 = {"critical": (90, 100), "high": (70, 89), "medium": (40, 69), "low": (10, 39)}
CVSS_VECTORS = {
    "critical": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "high": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
    "medium": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    "low": "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:L/I:N/A:N",
}
TRIVY_WORDS = {"critical": "CRITICAL", "high": "HIGH", "medium": "MEDIUM", "low": "LOW", "unknown": "UNKNOWN"}
GRYPE_WORDS = {
    "critical": "Critical", "high": "High", "medium": "Medium", "low": "Low", "info": "Negligible",
    "unknown": "Unknown",
}  # fmt: skip
SHIFTED = {"critical": "high", "high": "critical", "medium": "high", "low": "info", "unknown": "unknown"}
"""Grype's severity where it rates a vulnerability differently from Trivy (NVD's rating against the vendor's)."""
PACKAGES = {
    "deb": (
        "openssl", "glibc", "zlib", "curl", "libxml2", "expat", "sqlite", "krb5", "gnutls", "pcre2", "ncurses",
        "bash", "perl", "python3", "busybox", "libssh2", "nghttp2", "libpng", "libjpeg-turbo", "freetype",
    ),
    "pypi": (
        "requests", "urllib3", "django", "flask", "jinja2", "werkzeug", "pyyaml", "cryptography", "pillow",
        "lxml", "setuptools", "aiohttp", "sqlalchemy", "paramiko", "numpy", "protobuf", "grpcio", "certifi", "idna",
    ),
    "maven": ("log4j-core", "jackson-databind", "netty-codec", "spring-web", "guava", "commons-text"),
    "npm": ("lodash", "minimist", "axios", "express", "jsonwebtoken", "semver", "tar", "ws"),
}  # fmt: skip
ECOSYSTEM_WEIGHTS = {"deb": 55, "pypi": 30, "maven": 5, "npm": 10}
"""Ecosystems of the image's vulnerable packages."""
FLAWS = (
    ("buffer overflow in the parser", 120), ("use after free when closing a connection", 416),
    ("denial of service via crafted input", 400), ("improper certificate validation", 295),
    ("path traversal in archive extraction", 22), ("integer overflow in length handling", 190),
    ("regular expression denial of service", 1333), ("server-side request forgery via redirects", 918),
    ("prototype pollution", 1321), ("deserialization of untrusted data", 502),
    ("out-of-bounds read in decoder", 125), ("information disclosure in error messages", 209),
)  # fmt: skip
SAST_RULES = (
    ("python.lang.security.audit.eval-detected", "eval() on data that may come from a request", 95),
    ("python.django.security.injection.raw-query", "raw SQL query built from request data", 89),
    ("python.requests.security.disabled-cert-validation", "TLS certificate validation disabled", 295),
    ("python.flask.security.xss.direct-use-of-jinja2", "template rendered without autoescaping", 79),
    ("python.lang.security.audit.subprocess-shell-true", "subprocess call with shell=True", 78),
    ("python.lang.security.insecure-hash-algorithm-md5", "MD5 used for a security decision", 327),
    ("python.jwt.security.unverified-jwt-decode", "JWT decoded without verifying its signature", 347),
    ("generic.logging.sensitive-data", "request headers written to the log", 532),
)  # fmt: skip
SEMGREP_WORDS = {"ERROR": 20, "WARNING": 60, "INFO": 20}
SEMGREP_SEVERITIES: dict[str, Severity] = {"ERROR": "high", "WARNING": "medium", "INFO": "low"}
SECRET_RULES = (
    ("aws-access-token", "AWS Access Token"), ("github-pat", "GitHub Personal Access Token"),
    ("slack-webhook-url", "Slack Webhook"), ("private-key", "Private Key"),
    ("stripe-access-token", "Stripe Access Token"),
)  # fmt: skip


@dataclass(frozen=True)
class _Vulnerability:
    """A known vulnerability in one installed package version: what every scanner seeing it agrees on."""

    cve: str
    ghsa: str | None
    name: str
    ecosystem: str
    installed: str
    fixed: tuple[str, ...]
    severity: Severity
    score_x10: int | None
    cwe: int
    flaw: str
    published: str
    fingerprint: str
    """As Trivy reports it: package_fingerprint of its ids, CVE, package name and installed version."""

    def cvss(self) -> Cvss | None:
        if self.score_x10 is None:
            return None
        return Cvss(score_x10=self.score_x10, version="3.1", vector=CVSS_VECTORS[self.severity], source="nvd")

    def package(self, fixed: Sequence[str] | None = None) -> Package:
        """The Package as evaluator.collectors.security.common.package builds it (the values need no cleaning)."""
        return Package(
            name=self.name,
            installed=self.installed,
            fixed=list(self.fixed if fixed is None else fixed),
            ecosystem=self.ecosystem,
            purl=f"pkg:{self.ecosystem}/{self.name}@{self.installed}",
        )


def _age_seconds(rng: random.Random) -> int:
    """Age of a finding: most are recent, a long tail is months old."""
    roll = rng.random()
    days = rng.uniform(0, 14) if roll < 0.65 else rng.uniform(14, 60) if roll < 0.87 else rng.uniform(60, 400)
    return int(days * 86400)


def _first_seen(rng: random.Random) -> str:
    """A first-seen time (RFC 3339, "Z"), `_age_seconds` before the evaluation."""
    return format_time(EVALUATED_AT - timedelta(seconds=_age_seconds(rng)))


def _vulnerability(rng: random.Random, ecosystem: str) -> _Vulnerability:
    severity: Severity = rng.choices(tuple(SEVERITY_WEIGHTS), tuple(SEVERITY_WEIGHTS.values()))[0]
    names = PACKAGES[ecosystem]
    major, minor, patch = rng.randint(0, 9), rng.randint(0, 30), rng.randint(0, 20)
    installed = f"{major}.{minor}.{patch}"
    if ecosystem == "deb":
        installed += f"-{rng.randint(1, 4)}+deb12u{rng.randint(1, 9)}"
    fixed: tuple[str, ...] = ()
    if rng.random() < 0.55:
        fixed = (f"{major}.{minor}.{patch + rng.randint(1, 5)}",)
        if rng.random() < 0.2:
            fixed += (f"{major}.{minor + 1}.0",)
    flaw, cwe = FLAWS[rng.randrange(len(FLAWS))]
    year = rng.randint(2019, 2026)
    published = datetime(year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), tzinfo=UTC)
    cve = f"CVE-{year}-{rng.randint(1000, 59999)}"
    ghsa = None
    if ecosystem != "deb" and rng.random() < 0.6:
        ghsa = "GHSA-" + "-".join("".join(rng.choices("23456789cfghjmpqrvwx", k=4)) for _ in range(3))
    name = names[rng.randrange(len(names))]
    return _Vulnerability(
        cve=cve,
        ghsa=ghsa,
        name=name,
        ecosystem=ecosystem,
        installed=installed,
        fixed=fixed,
        severity=severity,
        score_x10=rng.randint(*CVSS_X10[severity]) if severity in CVSS_X10 and rng.random() < 0.9 else None,
        cwe=cwe,
        flaw=flaw,
        published=format_time(min(published, EVALUATED_AT)),
        fingerprint=package_fingerprint(advisory_ids(cve, ghsa), cve, name, installed),
    )


def _fresh_vulnerabilities(
    rng: random.Random, count: int, ecosystems: dict[str, int], seen: set[str]
) -> list[_Vulnerability]:
    """`count` vulnerabilities whose fingerprints are not in `seen` (added to it)."""
    found = []
    while len(found) < count:
        vuln = _vulnerability(rng, rng.choices(tuple(ecosystems), tuple(ecosystems.values()))[0])
        if vuln.fingerprint not in seen:
            seen.add(vuln.fingerprint)
            found.append(vuln)
    return found


def _layer(rng: random.Random, layers: Sequence[str]) -> str:
    return layers[rng.randrange(len(layers))]


def _package_path(vuln: _Vulnerability, tool: str) -> str | None:
    """Where an image scanner finds the package (Trivy gives no path for OS packages, Grype the dpkg database)."""
    if vuln.ecosystem == "pypi":
        return f"/usr/local/lib/python3.12/site-packages/{vuln.name}-{vuln.installed}.dist-info/METADATA"
    if vuln.ecosystem == "npm":
        return f"/app/node_modules/{vuln.name}/package.json"
    if vuln.ecosystem == "maven":
        return f"/app/lib/{vuln.name}-{vuln.installed}.jar"
    return "/var/lib/dpkg/status" if tool == "grype" else None


def _trivy_finding(rng: random.Random, vuln: _Vulnerability, layers: Sequence[str]) -> Finding:
    rating = vuln.cvss()
    word = TRIVY_WORDS.get(vuln.severity, "UNKNOWN")
    ids = advisory_ids(vuln.cve, vuln.ghsa)
    pkg = vuln.package()
    return Finding(
        fingerprint=vuln.fingerprint,
        category="container",
        rule_id=vuln.cve,
        title=f"{vuln.name}: {vuln.flaw}",
        severity=severity_or_score(word, rating),
        tool_severity=word,
        cvss=rating,
        ids=ids,
        cwe=[vuln.cwe],
        package=pkg,
        fix_available=bool(pkg.fixed),
        location=Location(path=_package_path(vuln, "trivy"), resource=_layer(rng, layers)),
        published=vuln.published,
        suppression=Suppression(kind="not_affected", source="trivy:status") if rng.random() < 0.02 else None,
        occurrences=2 if rng.random() < 0.03 else 1,  # the same package version at two paths
    )


def _grype_finding(rng: random.Random, vuln: _Vulnerability, layers: Sequence[str]) -> Finding:
    rating = vuln.cvss()
    severity = SHIFTED[vuln.severity] if rng.random() < 0.12 else vuln.severity
    word = GRYPE_WORDS[severity]
    rule = vuln.ghsa or vuln.cve  # a GHSA match names its CVE among relatedVulnerabilities
    ids = advisory_ids(rule, vuln.cve)
    pkg = vuln.package(fixed=() if rng.random() < 0.1 else None)  # fix state "unknown" where Trivy knows one
    suppression = None
    if rng.random() < 0.02:
        suppression = Suppression(kind="suppressed", source="grype:ignore", justification="not reachable in checkout")
    return Finding(
        fingerprint=package_fingerprint(ids, rule, vuln.name, vuln.installed),
        category="container",
        rule_id=rule,
        title=f"{rule} in {vuln.name} {vuln.installed}",
        severity=severity_or_score(word, rating),
        tool_severity=word,
        cvss=rating,
        ids=ids,
        cwe=[vuln.cwe] if rng.random() < 0.7 else [],
        package=pkg,
        fix_available=bool(pkg.fixed),
        location=Location(path=_package_path(vuln, "grype"), resource=_layer(rng, layers)),
        suppression=suppression,
        occurrences=1,
    )


def _snyk_finding(rng: random.Random, vuln: _Vulnerability) -> Finding:
    score_x10 = vuln.score_x10 if vuln.score_x10 is not None else rng.randint(40, 69)
    rating = Cvss(score_x10=score_x10, version="3.1", vector=CVSS_VECTORS[severity_from_score(score_x10 / 10)])
    ids = advisory_ids(vuln.cve, vuln.ghsa)
    rule = f"SNYK-PYTHON-{vuln.name.upper().replace('-', '')}-{int(vuln.fingerprint[7:15], 16) % 9_000_000 + 1_000_000}"
    suppression = None
    if rng.random() < 0.03:
        suppression = Suppression(kind="suppressed", source="sarif:external", justification="dev dependency only")
    pkg = vuln.package()
    return Finding(
        fingerprint=package_fingerprint(ids, rule, vuln.name, vuln.installed),
        category="sca",
        rule_id=rule,
        title=f"{severity_from_score(score_x10 / 10).title()} severity - {vuln.flaw} in {vuln.name}",
        severity=severity_from_score(score_x10 / 10),
        tool_severity=f"{score_x10 // 10}.{score_x10 % 10}",
        cvss=rating,
        ids=ids,
        cwe=[vuln.cwe],
        package=pkg,
        fix_available=bool(pkg.fixed),
        location=Location(path="requirements.lock", line=rng.randint(1, 400)),
        first_seen=max(_first_seen(rng), vuln.published) if rng.random() < SNYK_FIRST_SEEN else None,
        published=vuln.published,
        suppression=suppression,
        occurrences=1,
    )


def _semgrep_findings(rng: random.Random, count: int) -> list[Finding]:
    found: dict[str, Finding] = {}
    while len(found) < count:
        rule, title, cwe = SAST_RULES[rng.randrange(len(SAST_RULES))]
        path = f"src/checkout/{RESOURCES[rng.randrange(len(RESOURCES))].replace('-', '_')}/views.py"
        line = rng.randint(1, 1500)
        fingerprint = code_fingerprint("sast", "semgrep", rule, path, line)
        if fingerprint in found:
            continue
        word = rng.choices(tuple(SEMGREP_WORDS), tuple(SEMGREP_WORDS.values()))[0]
        found[fingerprint] = Finding(
            fingerprint=fingerprint,
            category="sast",
            rule_id=rule,
            title=title,
            severity=SEMGREP_SEVERITIES[word],
            tool_severity=word,
            ids=[],
            cwe=[cwe],
            fix_available=False,
            location=Location(path=path, line=line, end_line=line + rng.randint(0, 6)),
            suppression=Suppression(kind="suppressed", source="semgrep:nosemgrep") if rng.random() < 0.04 else None,
            occurrences=1,
        )
    return list(found.values())


def _gitleaks_findings(rng: random.Random, count: int) -> list[Finding]:
    found = []
    for n in range(count):
        rule, title = SECRET_RULES[rng.randrange(len(SECRET_RULES))]
        path = f"tests/fixtures/config_{n}.env" if n % 3 else f"deploy/staging/values-{n}.yaml"
        line = rng.randint(1, 60)
        commit = f"{rng.getrandbits(160):040x}"
        found.append(
            Finding(
                fingerprint=code_fingerprint("secrets", "gitleaks", rule, path, line, commit),
                category="secrets",
                rule_id=rule,
                title=title,
                severity="high",
                ids=[],
                cwe=[],
                fix_available=False,
                location=Location(path=path, line=line, end_line=line),
                first_seen=_first_seen(rng),  # the commit's date
                occurrences=1,
            )
        )
    return found


def _security_items(rng: random.Random, total: int) -> list[dict[str, Any]]:
    """The security items (schema security/v1) holding `total` findings, as the collectors write them."""
    sizes = [max(1, round(total * share)) if share else 0 for *_, share in SECURITY_ITEMS]
    sizes[3] = max(0, total - sum(sizes))
    trivy_size, grype_size, snyk_size, semgrep_size, gitleaks_size = sizes
    layers = [f"sha256:{rng.getrandbits(256):064x}" for _ in range(12)]
    seen: set[str] = set()
    trivy_vulns = _fresh_vulnerabilities(rng, trivy_size, ECOSYSTEM_WEIGHTS, seen)
    shared = rng.sample(trivy_vulns, min(len(trivy_vulns), round(grype_size * GRYPE_OVERLAP)))
    grype_vulns = shared + _fresh_vulnerabilities(rng, grype_size - len(shared), ECOSYSTEM_WEIGHTS, seen)
    python = [v for v in trivy_vulns if v.ecosystem == "pypi"]
    shared = rng.sample(python, min(len(python), round(snyk_size * SNYK_OVERLAP)))
    snyk_vulns = shared + _fresh_vulnerabilities(rng, snyk_size - len(shared), {"pypi": 1}, seen)
    findings: dict[str, list[Finding]] = {
        "security-trivy-image": [_trivy_finding(rng, v, layers) for v in trivy_vulns],
        "security-grype-image": [_grype_finding(rng, v, layers) for v in grype_vulns],
        "security-snyk-deps": [_snyk_finding(rng, v) for v in snyk_vulns],
        "security-semgrep": _semgrep_findings(rng, semgrep_size),
        "security-gitleaks": _gitleaks_findings(rng, gitleaks_size),
    }
    items = []
    for item_id, tool, version, fmt, scan_type, _ in SECURITY_ITEMS:
        target = {"container": IMAGE, "sca": "requirements.lock", "sast": "."}.get(scan_type)  # gitleaks: none
        scan = build_scan(tool, version, [scan_type], target, findings[item_id])
        items.append(_item(rng, item_id, "security", tool, fmt, scan.model_dump(mode="json", exclude_none=True)))
    return items


def _endpoint_names(count: int, offset: int) -> list[tuple[str, str]]:
    """(method, name) of `count` distinct endpoints, the overridden ones first."""
    names: list[tuple[str, str]] = []
    for key in list(OVERRIDDEN_ENDPOINTS)[:count]:
        method, name = key.split(" ", 1)
        names.append((method, name))
    n = offset
    while len(names) < count:
        method, suffix = ACTIONS[n % len(ACTIONS)]
        resource_name = RESOURCES[(n // len(ACTIONS)) % len(RESOURCES)]
        version = 1 + n // (len(ACTIONS) * len(RESOURCES))
        names.append((method, f"/api/v{version}/{resource_name}{suffix}"))
        n += 1
    return names


def _endpoint(rng: random.Random, method: str, name: str, within: bool) -> dict[str, Any]:
    """One endpoint of a load/v1 item; `within` keeps it inside the tier's budgets (and any override)."""
    override = OVERRIDDEN_ENDPOINTS.get(f"{method} {name}")
    if override is not None:
        p95_ms = override * rng.uniform(0.6, 0.95 if within else 1.1)
    else:
        p95_ms = rng.lognormvariate(4.6, 0.55)  # median ~100 ms, a few % above 300 ms
        if within:
            p95_ms = min(p95_ms, 290)
    p95 = int(p95_ms * 1000)
    p50 = max(1, int(p95 * rng.uniform(0.2, 0.5)))
    p90 = max(p50, int(p95 * rng.uniform(0.7, 0.95)))
    p99 = int(p95 * rng.uniform(1.2, 3.5))
    if within:
        p99 = min(p99, int(override * 2400) if override else 950_000)
    roll = rng.random()
    rate_bp = (
        rng.randint(0, 20) if roll < 0.9 or within else rng.randint(20, 80) if roll < 0.97 else rng.randint(80, 2000)
    )
    requests = rng.randint(200, 20_000)
    failures = requests * rate_bp // 10_000
    return {
        "name": name,
        "method": method,
        "requests": requests,
        "failures": failures,
        "error_rate_bp": -(-failures * 10_000 // requests),
        "throughput_mrps": requests * 1_000_000 // LOAD_DURATION_MS,
        "latency_us": {
            "min": max(1, p50 // 4),
            "mean": (p50 + p90) // 2,
            "p50": p50,
            "p90": p90,
            "p95": p95,
            "p99": p99,
            "max": int(p99 * rng.uniform(1.1, 4)),
        },
    }


def _load_items(rng: random.Random, total: int) -> list[dict[str, Any]]:
    items = []
    for index, ((item_id, tool, fmt), size) in enumerate(zip(LOAD_ITEMS, _split(total, len(LOAD_ITEMS)), strict=True)):
        within = index == len(LOAD_ITEMS) - 1
        endpoints = [_endpoint(rng, m, n, within) for m, n in _endpoint_names(size, index * 7)]
        endpoints.sort(key=lambda e: (e["name"], e["method"]))
        requests = sum(e["requests"] for e in endpoints)
        failures = sum(e["failures"] for e in endpoints)
        position = min(len(endpoints) - 1, len(endpoints) * 9 // 10)
        overall = {
            key: sorted(e["latency_us"][key] for e in endpoints)[position] if endpoints else 0
            for key in ("min", "mean", "p50", "p90", "p95", "p99", "max")
        }
        data = {
            "duration_ms": LOAD_DURATION_MS,
            "vus_max": 500,
            "totals": {
                "requests": requests,
                "failures": failures,
                "error_rate_bp": -(-failures * 10_000 // max(1, requests)),
                "throughput_mrps": requests * 1_000_000 // LOAD_DURATION_MS,
                "latency_us": overall,
            },
            "endpoints": endpoints,
            "checks": [{"name": "status is 200", "passes": requests - failures, "fails": failures}],
            "thresholds": [{"metric": "http_req_duration", "expression": "p(95)<300", "ok": not within}],
            "percentiles": "histogram",
        }
        items.append(_item(rng, item_id, "load", tool, fmt, data))
    return items


def input_problems(document: dict[str, Any]) -> list[str]:
    """Schema problems of a generated input: the document, its items, and their data where the kind has a schema."""
    from evaluator.resources import schemas_dir

    found = [f"input {p}" for p in schemas.problems(schemas.POLICY_INPUT, document)]
    for kind, items in document["evidence"].items():
        data_schema = f"evidence/{kind}.v1.schema.json"
        for item in items:
            found += [f"{item['id']} {p}" for p in schemas.problems(schemas.EVIDENCE_ITEM, item)]
            if (schemas_dir() / data_schema).exists():
                found += [f"{item['id']} data{p} ({data_schema})" for p in schemas.problems(data_schema, item["data"])]
    return found


# --- results --------------------------------------------------------------------------------------


def canonical(outcomes: dict[str, Outcome]) -> dict[str, Any]:
    """Per query: its results as sorted canonical JSON strings, or ['undefined'] / ['error', message]."""
    out: dict[str, Any] = {}
    for query, outcome in sorted(outcomes.items()):
        if outcome.error is not None:
            out[query] = ["error", outcome.error]
        elif outcome.undefined:
            out[query] = ["undefined"]
        else:
            values = outcome.value if isinstance(outcome.value, list) else [outcome.value]
            out[query] = sorted(json.dumps(v, sort_keys=True, ensure_ascii=False) for v in values)
    return out


def digest(results: dict[str, Any]) -> str:
    """sha256 of canonical results."""
    return hashlib.sha256(json.dumps(results, sort_keys=True).encode()).hexdigest()


def disagreement(first: dict[str, Any], second: dict[str, Any]) -> str | None:
    """Where two engines' canonical results differ, or None when they are identical."""
    for query in sorted(set(first) | set(second)):
        a, b = first.get(query), second.get(query)
        if a == b:
            continue
        if a is None or b is None or a[:1] in (["error"], ["undefined"]) or b[:1] in (["error"], ["undefined"]):
            return f"{query}: {str(a)[:300]} != {str(b)[:300]}"
        only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
        return (
            f"{query}: {len(a)} vs {len(b)} results; first only in one: "
            f"{(only_a or ['-'])[0][:400]} | {(only_b or ['-'])[0][:400]}"
        )
    return None


# --- measuring inside the engine processes ------------------------------------------------------

PEAK_DIR = "READINESS_BENCH_PEAK_DIR"
"""Set in a measuring process: each engine child it starts writes its start and peak RSS into this folder."""


class _Anchor:
    """Keeps the after-fork hook registered (multiprocessing holds only a weak reference)."""


_ANCHOR = _Anchor()


def status_kib(field: str) -> int:
    """A field of /proc/self/status (VmRSS, VmHWM) in KiB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def reset_peak() -> bool:
    """Reset this process's peak RSS to its current RSS (Linux 4.0+); False when the kernel refuses."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def _instrument_engine_child(_: object = None) -> None:
    """In an engine child of run_isolated: note its RSS when it builds the engine and its peak when it is done.

    Nothing in evaluator changes: the child's `get_engine` lookup and its pipe's `send` are wrapped in
    this process only, and the numbers go to a file named by the child's pid.
    """
    import evaluator.engine

    folder = os.environ[PEAK_DIR]
    report: dict[str, int] = {}
    get_engine_original = evaluator.engine.get_engine
    send_original = multiprocessing.connection.Connection.send

    def get_engine_and_record(name: str) -> Any:
        report["start_kib"] = status_kib("VmRSS")  # the input is in memory (inherited or unpickled), no engine yet
        return get_engine_original(name)

    def send_and_record(self: multiprocessing.connection.Connection, obj: Any) -> None:
        if isinstance(obj, tuple) and obj[:1] == ("done",):
            report["peak_kib"] = status_kib("VmHWM")
            Path(folder, f"{os.getpid()}.json").write_text(json.dumps(report))
        send_original(self, obj)

    evaluator.engine.get_engine = get_engine_and_record  # type: ignore[assignment]
    multiprocessing.connection.Connection.send = send_and_record  # type: ignore[method-assign]


if os.environ.get(PEAK_DIR) and __name__ == "__mp_main__":
    # A spawned engine child (real OPA) imports the main script as __mp_main__ before it runs; spawned
    # processes do not run after-fork hooks, so it instruments itself here.
    _instrument_engine_child()


@dataclass(frozen=True)
class PathRun:
    """One timed run_isolated call, from a process holding what `readiness evaluate` holds."""

    engine: str
    wall: float
    """Seconds run_isolated took: child start, input transfer, policy load, every query, results back."""
    cpu: float
    """CPU seconds of the engine child (user + system, every thread)."""
    parent_kib: int
    """RSS of the calling process when it called run_isolated."""
    start_kib: int | None
    """RSS of the engine child as it built the engine, input in memory (a forked child shares the caller's pages)."""
    peak_kib: int | None
    """Peak RSS of the engine child, read inside it before it reported 'done'."""
    results: dict[str, Any]


def readiness_path(engine: str, input_path: str, timeout: float, policy_set: PolicySet) -> PathRun:
    """In a fresh interpreter: hold the policies and the input like `readiness evaluate`, then time run_isolated.

    The policy set comes from the main process, so every run evaluates the same policy text even when
    someone edits policies/ meanwhile; loading it (done before run_isolated in readiness) is not timed.
    """
    with open(input_path, "rb") as fh:
        document = json.load(fh)
    gc.collect()
    with tempfile.TemporaryDirectory(dir=OUT) as folder:
        os.environ[PEAK_DIR] = folder
        multiprocessing.util.register_after_fork(_ANCHOR, _instrument_engine_child)  # forked children (regorus)
        parent_kib = status_kib("VmRSS")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        run = run_isolated(engine, policy_set.modules, policy_set.data, document, queries(policy_set), timeout)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        reports = [json.loads(p.read_text()) for p in Path(folder).glob("*.json")]
    if run.load_error is not None:
        raise RuntimeError(f"{engine}: policies do not load: {run.load_error.message}")
    peak = max(reports, key=lambda r: r["peak_kib"]) if reports else {}
    return PathRun(
        engine=engine,
        wall=wall,
        cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        parent_kib=parent_kib,
        start_kib=peak.get("start_kib"),
        peak_kib=peak.get("peak_kib"),
        results=canonical(run.outcomes),
    )


@dataclass(frozen=True)
class AloneRun:
    """One engine on its own in a fresh interpreter that has already parsed the input."""

    engine: str
    setup: float
    """Seconds to build the engine and load the modules and data."""
    evaluation: float
    """Seconds to evaluate every query (each call hands the input over again, as readiness does)."""
    evaluation_cpu: float
    """CPU seconds of the evaluation (user + system, every thread)."""
    per_query: dict[str, float]
    input_encode: float
    """Seconds json.dumps takes for the input once: both engines' Python side do it on every evaluate."""
    base_kib: int
    """RSS with the input parsed, before the engine exists."""
    peak_kib: int
    """Peak RSS from then until the last query answered."""
    results_digest: str


def engine_alone(
    engine_name: str, input_path: str, modules: Sequence[Any], data: dict[str, Any], query_list: Sequence[str]
) -> AloneRun:
    """In a fresh interpreter: parse the input, then time engine set-up and each query, and read the peak RSS."""
    with open(input_path, "rb") as fh:
        document = json.load(fh)
    gc.collect()
    reset_peak()
    base_kib = status_kib("VmRSS")
    start = time.perf_counter()
    engine = get_engine(engine_name)()
    engine.load(modules, data)
    setup = time.perf_counter() - start
    per_query: dict[str, float] = {}
    outcomes: dict[str, Outcome] = {}
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    for query in query_list:
        began = time.perf_counter()
        try:
            outcomes[query] = Outcome(query, value=engine.evaluate(query, document))
        except Undefined:
            outcomes[query] = Outcome(query, undefined=True)
        except EngineError as exc:
            outcomes[query] = Outcome(query, error=str(exc))
        per_query[query] = time.perf_counter() - began
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    peak_kib = status_kib("VmHWM")
    began = time.perf_counter()
    json.dumps(document)
    input_encode = time.perf_counter() - began
    return AloneRun(
        engine=engine_name,
        setup=setup,
        evaluation=sum(per_query.values()),
        evaluation_cpu=(cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime),
        per_query=per_query,
        input_encode=input_encode,
        base_kib=base_kib,
        peak_kib=peak_kib,
        results_digest=digest(canonical(outcomes)),
    )


def _reply(connection: Any, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        result = function(*args)
    except BaseException as exc:
        import traceback

        result = RuntimeError(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    connection.send(result)


def in_fresh_interpreter(function: Callable[..., Any], *args: Any) -> Any:
    """`function(*args)` run in a newly spawned interpreter (so no memory or engine state carries over)."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_reply, args=(sender, function, args))
    process.start()
    sender.close()
    try:
        result = receiver.recv()
    except EOFError:
        process.join()
        raise RuntimeError(f"benchmark process died (exit code {process.exitcode})") from None
    finally:
        receiver.close()
    process.join()
    if isinstance(result, BaseException):
        raise result
    return result


# --- reporting ------------------------------------------------------------------------------------


def mib(kib: int | None) -> str:
    """KiB as MiB for a table cell."""
    return "n/a" if kib is None else f"{kib / 1024:,.0f}"


def ratio(a: float | None, b: float | None) -> str:
    """a / b as '0.62x'."""
    return "n/a" if not a or not b else f"{a / b:.2f}x"


def describe_input(document: dict[str, Any], size: int) -> str:
    """One paragraph: the input's size and what it holds."""
    evidence = document["evidence"]
    tests = evidence["tests"]
    findings = sum(len(i["data"]["findings"]) for i in evidence["security"])
    open_findings = sum("suppression" not in f for i in evidence["security"] for f in i["data"]["findings"])
    distinct = len({f["fingerprint"] for i in evidence["security"] for f in i["data"]["findings"]})
    endpoints = sum(len(i["data"]["endpoints"]) for i in evidence["load"])
    return (
        f"input: {size / 1e6:.1f} MB of JSON (tier {document['tier']}): "
        f"{len(tests)} tests items ({sum(i['data']['totals']['tests'] for i in tests):,} test cases, "
        f"{sum(len(i['data']['failures']) for i in tests):,} failures listed), "
        f"{len(evidence['security'])} security items ({findings:,} findings, {distinct:,} fingerprints, "
        f"{open_findings:,} not suppressed), "
        f"{len(evidence['load'])} load items ({endpoints:,} endpoints)"
    )


def describe_results(results: dict[str, Any], policy_set: PolicySet) -> list[str]:
    """Lines counting the results per query, and the deny results per criterion."""
    lines = []
    per_criterion: dict[str, int] = {}
    for query, values in results.items():
        lines.append(f"  {query:40} {len(values):>7,} results")
        if query.endswith(".deny") or query.endswith(".warn"):
            for value in values:
                criterion = json.loads(value)["criterion"]
                per_criterion[criterion] = per_criterion.get(criterion, 0) + 1
    failing = ", ".join(f"{c} {n:,}" for c, n in sorted(per_criterion.items()))
    lines.append(f"  deny/warn results per criterion ({len(policy_set.criteria)} criteria): {failing}")
    return lines


@dataclass(frozen=True)
class Measurements:
    """Every run of both measurements, per engine."""

    path: dict[str, list[PathRun]]
    alone: dict[str, list[AloneRun]]


def measure(policy_set: PolicySet, input_path: Path, runs: int, timeout: float) -> Measurements:
    """Run both measurements `runs` times per engine, alternating the order; exit when the engines disagree."""
    query_list = queries(policy_set)
    path: dict[str, list[PathRun]] = {name: [] for name in ENGINES}
    alone: dict[str, list[AloneRun]] = {name: [] for name in ENGINES}
    for run in range(runs):
        for name in ENGINES if run % 2 == 0 else ENGINES[::-1]:
            print(f"run {run + 1}/{runs}: {name} through run_isolated ...", flush=True)
            path[name].append(in_fresh_interpreter(readiness_path, name, str(input_path), timeout, policy_set))
        if run == 0:
            problem = disagreement(path["embedded"][0].results, path["opa"][0].results)
            if problem:
                sys.exit(f"the engines disagree, so timing them means nothing: {problem}")
    for run in range(runs):
        for name in ENGINES if run % 2 == 0 else ENGINES[::-1]:
            print(f"run {run + 1}/{runs}: {name} alone ...", flush=True)
            alone[name].append(
                in_fresh_interpreter(
                    engine_alone, name, str(input_path), policy_set.modules, policy_set.data, query_list
                )
            )
    reference = digest(path["embedded"][0].results)
    found = {digest(r.results) for rs in path.values() for r in rs}
    found |= {r.results_digest for rs in alone.values() for r in rs}
    if found != {reference}:
        sys.exit("the engines (or two runs of one engine) gave different results in a later run")
    return Measurements(path, alone)


def report(measured: Measurements, policy_set: PolicySet, runs: int) -> None:
    """Print the results summary, both tables and the ratios against the target."""
    e, o = ENGINES
    print("results: identical on both engines, in every run")
    for line in describe_results(measured.path[e][0].results, policy_set):
        print(line)
    path = {name: min(rs, key=lambda r: r.wall) for name, rs in measured.path.items()}
    path_cpu = {name: min(r.cpu for r in rs) for name, rs in measured.path.items()}
    path_peak = {name: max((r.peak_kib or 0) for r in rs) or None for name, rs in measured.path.items()}
    path_growth = {
        name: max((r.peak_kib - r.start_kib for r in rs if r.peak_kib and r.start_kib), default=None)
        for name, rs in measured.path.items()
    }
    alone = {name: min(rs, key=lambda r: r.evaluation) for name, rs in measured.alone.items()}
    alone_cpu = {name: min(r.evaluation_cpu for r in rs) for name, rs in measured.alone.items()}
    alone_setup = {name: min(r.setup for r in rs) for name, rs in measured.alone.items()}
    alone_peak = {name: max(r.peak_kib for r in rs) for name, rs in measured.alone.items()}
    alone_growth = {name: max(r.peak_kib - r.base_kib for r in rs) for name, rs in measured.alone.items()}

    print(
        f"\n{os.cpu_count()} CPU(s), Python {sys.version.split()[0]}; time: best of {runs}, memory: highest of {runs}"
    )
    for name in ENGINES:
        print(f"  {name:9} {get_engine(name).version()}")
    print("\nreadiness path: run_isolated (child process, input transfer, policy load, every query, results back)")
    header = f"{'caller RSS MiB':>15} {'child start MiB':>16} {'child peak MiB':>15}"
    print(f"{'engine':10} {'wall s':>8} {'cpu s':>8} {header}")
    for name in ENGINES:
        r = path[name]
        print(
            f"{name:10} {r.wall:8.2f} {path_cpu[name]:8.2f} {mib(r.parent_kib):>15} {mib(r.start_kib):>16} "
            f"{mib(path_peak[name]):>15}"
        )
    print("  child start = RSS when the child builds the engine, with the input in memory (a forked child shares")
    print("  the caller's pages, a spawned one unpickled its own copy); child peak - child start = the engine's growth")
    print("\nengine alone: fresh interpreter with the input parsed; set-up = engine + modules + data (OPA compiles")
    print("the modules on the first query, so its compile time is in that query)")
    print(
        f"{'engine':10} {'setup s':>8} {'eval s':>8} {'eval cpu s':>11} {'json.dumps s':>13} "
        f"{'base MiB':>9} {'peak MiB':>9} {'growth MiB':>11}"
    )
    for name in ENGINES:
        r = alone[name]
        print(
            f"{name:10} {alone_setup[name]:8.2f} {r.evaluation:8.2f} {alone_cpu[name]:11.2f} {r.input_encode:13.2f} "
            f"{mib(r.base_kib):>9} {mib(alone_peak[name]):>9} {mib(alone_growth[name]):>11}"
        )
    print("  per query, wall seconds (every evaluate hands the whole input over again; json.dumps above is the")
    print("  Python half of that, once):")
    for query in queries(policy_set):
        cells = "  ".join(f"{name} {alone[name].per_query[query]:7.2f}" for name in ENGINES)
        print(f"    {query:40} {cells}")

    path_ratio = path[e].wall / path[o].wall
    eval_ratio = alone[e].evaluation / alone[o].evaluation
    print(f"\nembedded / OPA (target: time <= {TARGET_TIME_RATIO}x)")
    print(f"  time, readiness path, wall:         {path_ratio:.2f}x  {_verdict(path_ratio)}")
    print(f"  time, evaluation alone, wall:       {eval_ratio:.2f}x  {_verdict(eval_ratio)}")
    print(f"  time, readiness path, CPU:          {ratio(path_cpu[e], path_cpu[o])}")
    print(f"  time, evaluation alone, CPU:        {ratio(alone_cpu[e], alone_cpu[o])}")
    print(f"  time, set-up alone, wall:           {ratio(alone_setup[e], alone_setup[o])}")
    print(f"  memory, readiness path child peak:  {ratio(path_peak[e], path_peak[o])}")
    print(f"  memory, readiness path growth:      {ratio(path_growth[e], path_growth[o])}")
    print(f"  memory, engine alone peak:          {ratio(alone_peak[e], alone_peak[o])}")
    print(f"  memory, engine alone growth:        {ratio(alone_growth[e], alone_growth[o])}")
    slowest = max(path[name].wall for name in ENGINES)
    if slowest > DEFAULT_TIMEOUT:
        print(
            f"note: a run took {slowest:.0f} s, more than readiness's default evaluation time-out "
            f"({DEFAULT_TIMEOUT:g} s): `readiness evaluate` would report errors on this input"
        )


def _verdict(value: float) -> str:
    return f"meets the target (<= {TARGET_TIME_RATIO}x)" if value <= TARGET_TIME_RATIO else "MISSES the target"


def main() -> None:
    """Generate the input, check both engines agree, time them, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per engine and measurement; best time kept (3)")
    parser.add_argument("--findings", type=int, default=100_000, help="security findings in total (100000)")
    parser.add_argument("--endpoints", type=int, default=10_000, help="load test endpoints in total (10000)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"seed of the generated input ({SEED})")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before run_isolated gives up (1800)")
    parser.add_argument(
        "--bench-packages",
        default=",".join(BENCH_PACKAGES),
        help="bench/policies packages to add to the built-in library, comma-separated ('' for none)",
    )
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="PACKAGE",
        help="leave a built-in package (and its tests) out, e.g. readiness.load; repeatable",
    )
    args = parser.parse_args()

    for name in ENGINES:
        get_engine(name).version()  # EngineUnavailable says what is missing
    OUT.mkdir(exist_ok=True)
    policy_set = load_bench_policies(tuple(p for p in args.bench_packages.split(",") if p), tuple(args.without))
    library = f"built-in library without {', '.join(args.without)}" if args.without else "built-in library"
    print(
        f"policies: {library} + {args.bench_packages or 'no bench package'}: {len(policy_set.modules)} modules, "
        f"{len(policy_set.criteria)} criteria, {len(queries(policy_set))} queries; every builtin allowed",
        flush=True,
    )
    print(f"generating the input (seed {args.seed}) ...", flush=True)
    document = build_input(args.findings, args.endpoints, seed=args.seed)
    problems = input_problems(document)
    if problems:
        sys.exit(f"the generated input fails its schemas (update build_input): {problems[0]}")
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        input_path = Path(tmp) / "policy-input.json"
        input_path.write_text(json.dumps(document), encoding="utf-8")
        print(describe_input(document, input_path.stat().st_size), flush=True)
        del document
        gc.collect()
        measured = measure(policy_set, input_path, args.runs, args.timeout)
    report(measured, policy_set, args.runs)
    load_after = os.getloadavg()[0]
    if max(load_before, load_after) > (os.cpu_count() or 1):
        print(
            f"note: the machine was busy (load average {load_before:.1f} before, {load_after:.1f} after, "
            f"{os.cpu_count()} CPUs): wall times include waiting for a CPU; the CPU rows are steadier"
        )


if __name__ == "__main__":
    main()
