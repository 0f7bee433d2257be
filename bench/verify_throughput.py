"""Benchmark: `readiness verify` on a ~100 MB signed bundle, next to `sha256sum` of the same file.

Run with `make bench` (or `python bench/verify_throughput.py [--size-mb N]`). It builds a bundle of
`tests` items collected from a generated pytest-style JUnit report, signs it with a fresh Ed25519
key, then times (best of several runs) the library verification and the whole CLI process, and
prints throughput in MB/s with the ratio to sha256sum, the tool a user would reach for to check a
file's integrity. Peak memory of the CLI run is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evaluator.bundle import Release, build_statement, generate, load_signer, sign_document, verify_envelope
from evaluator.bundle.trust import TrustedKey, TrustPolicy
from evaluator.collectors import collect

OUT = Path(__file__).parent / "out"
FAILURE = (
    "AssertionError: expected status 200 from POST /api/v1/checkout but got 503 Service Unavailable; "
    "upstream payment-gateway timed out after 3000 ms (retry 3 of 3), order id {n}, cart {m} items"
)


def junit_report(path: Path, cases: int, seed: int) -> None:
    """A pytest-shaped JUnit report: `cases` test cases in 40 suites, one in five failing with a message."""
    from xml.sax.saxutils import quoteattr

    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">')
        per_suite = cases // 40
        for s in range(40):
            out.write(
                f'<testsuite name="tests.integration.suite_{seed}_{s}" tests="{per_suite}" '
                f'time="12.5" timestamp="2026-11-27T10:00:00+00:00">'
            )
            for c in range(per_suite):
                n = s * per_suite + c
                out.write(
                    f'<testcase classname="tests.integration.test_checkout_{s}" name="test_case_{seed}_{n}" '
                    f'time="0.{n % 1000:03d}">'
                )
                if n % 5 == 0:
                    out.write(f"<failure message={quoteattr(FAILURE.format(n=n, m=n % 17))}>trace</failure>")
                out.write("</testcase>")
            out.write("</testsuite>")
        out.write("</testsuites>")


def build_envelope(size_mb: int, folder: Path) -> tuple[Path, TrustPolicy]:
    """Sign a bundle of about `size_mb` MB and return its path and a policy trusting the key."""
    report = folder / "report.xml"
    junit_report(report, 20_000, 0)
    base = collect(report, item_id="tests-0").to_json_dict()
    item_bytes = len(json.dumps(base))
    count = max(1, size_mb * 1_000_000 * 3 // 4 // item_bytes)  # base64 adds a third
    items = []
    for i in range(count):
        item = json.loads(json.dumps(base))
        item["id"] = f"tests-{i}"
        item["data"]["totals"]["duration_ms"] += i  # every item distinct
        items.append(item)
    statement = build_statement(
        items, Release("checkout", "1.42.0", "a" * 40, None, "staging", "production", "critical")
    )
    pair = generate("ed25519")
    (folder / "bench.key").write_bytes(pair.private_pem)
    (folder / "bench.pub").write_bytes(pair.public_pem)
    signer = load_signer(str(folder / "bench.key"))
    envelope, _ = sign_document(json.dumps(statement).encode(), signer, "statement.json")
    path = folder / "envelope.json"
    path.write_bytes(envelope)
    return path, TrustPolicy((TrustedKey("bench", signer.public_key),))


def best_of(runs: int, action) -> float:
    """Fastest wall time of `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=100, help="approximate bundle size (default 100)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement, best kept (default 5)")
    args = parser.parse_args()

    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        folder = Path(tmp)
        print(f"building and signing a ~{args.size_mb} MB bundle ...", flush=True)
        envelope, trust = build_envelope(args.size_mb, folder)
        size = envelope.stat().st_size
        mb = size / 1e6

        def verify_library() -> None:
            result = verify_envelope(envelope.read_bytes(), trust, str(envelope))
            assert result.ok, result.failures

        cli = [sys.executable, "-m", "evaluator.cli", "verify", str(envelope), "--key", str(folder / "bench.pub")]

        def verify_cli() -> None:
            subprocess.run(cli, check=True, stdout=subprocess.DEVNULL)

        sha256sum = shutil.which("sha256sum")

        def hash_file() -> None:
            subprocess.run([sha256sum, str(envelope)], check=True, stdout=subprocess.DEVNULL)

        verify_library()  # warm the page cache and the schema validators
        lib = best_of(args.runs, verify_library)
        whole = best_of(args.runs, verify_cli)
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        base = best_of(args.runs, hash_file) if sha256sum else float("nan")

    rows = [
        ("readiness verify (library call)", lib),
        ("readiness verify (whole CLI process)", whole),
        ("sha256sum (same file)", base),
    ]
    print(f"\nbundle: {mb:.1f} MB ({size} bytes), Ed25519, {os.cpu_count()} CPU(s), best of {args.runs}")
    print(f"{'':40} {'seconds':>8} {'MB/s':>8} {'vs sha256sum':>13}")
    for name, seconds in rows:
        print(f"{name:40} {seconds:8.3f} {mb / seconds:8.0f} {base / seconds:12.2f}x")
    print(f"peak memory of the CLI verify: {peak_kb / 1024:.0f} MiB ({peak_kb / 1024 / mb:.1f}x the bundle)")
    target = 200
    verdict = "meets" if mb / lib >= target else "misses"
    print(f"target >= {target} MB/s for verification: {verdict} it ({mb / lib:.0f} MB/s)")


if __name__ == "__main__":
    main()
