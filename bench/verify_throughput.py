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


DIFF = (
    " ; diff: expected {{'status': 'confirmed', 'items': [{{'sku': 'book', 'qty': 2}}, {{'sku': 'pen', 'qty': 1}}], "
    "'total_cents': 4588, 'currency': 'EUR'}} but got {{'status': 'payment_failed', 'items': [{{'sku': 'book', "
    "'qty': 2}}, {{'sku': 'pen', 'qty': 1}}], 'total_cents': 4588, 'currency': 'EUR', 'error': 'gateway timeout'}}"
)
SHAPES = {
    "dense": FAILURE,
    "verbose": FAILURE + DIFF * 2,
}
"""dense: short failure messages, the most objects per MB; verbose: assertion diffs of ~900 characters."""


def junit_report(path: Path, cases: int, seed: int, message: str = FAILURE) -> None:
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
                    out.write(f"<failure message={quoteattr(message.format(n=n, m=n % 17))}>trace</failure>")
                out.write("</testcase>")
            out.write("</testsuite>")
        out.write("</testsuites>")


def build_envelope(size_mb: int, folder: Path, message: str = FAILURE) -> tuple[Path, TrustPolicy]:
    """Sign a bundle of about `size_mb` MB and return its path and a policy trusting the key."""
    report = folder / "report.xml"
    junit_report(report, 20_000, 0, message)
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


def peak_memory_kb(command: list[str]) -> int:
    """Peak RSS of `command`, measured from a small intermediate process.

    A child forked from this (large) process would count our own memory as its peak, since Linux
    keeps the high-water mark across exec; the intermediate interpreter is small when it forks.
    """
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


def best_of(runs: int, action) -> float:
    """Fastest wall time of `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(shape: str, size_mb: int, runs: int) -> tuple[float, list[tuple[str, float]], int]:
    """Bundle size in MB, (name, seconds) rows and the CLI's peak memory in KiB for one bundle shape."""
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        folder = Path(tmp)
        print(f"building and signing a ~{size_mb} MB {shape} bundle ...", flush=True)
        envelope, trust = build_envelope(size_mb, folder, SHAPES[shape])
        mb = envelope.stat().st_size / 1e6

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
        rows = [
            ("readiness verify (library call)", best_of(runs, verify_library)),
            ("readiness verify (whole CLI process)", best_of(runs, verify_cli)),
            ("sha256sum (same file)", best_of(runs, hash_file) if sha256sum else float("nan")),
        ]
        return mb, rows, peak_memory_kb(cli)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=100, help="approximate bundle size (default 100)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement, best kept (default 5)")
    parser.add_argument("--shape", choices=[*SHAPES, "all"], default="all", help="bundle shape (default: all)")
    args = parser.parse_args()

    OUT.mkdir(exist_ok=True)
    target = 200
    for shape in SHAPES if args.shape == "all" else [args.shape]:
        mb, rows, peak_kb = measure(shape, args.size_mb, args.runs)
        base = rows[-1][1]
        print(f"\n{shape} bundle: {mb:.1f} MB, Ed25519, {os.cpu_count()} CPU(s), best of {args.runs}")
        print(f"{'':40} {'seconds':>8} {'MB/s':>8} {'vs sha256sum':>13}")
        for name, seconds in rows:
            print(f"{name:40} {seconds:8.3f} {mb / seconds:8.0f} {base / seconds:12.2f}x")
        print(f"peak memory of the CLI verify: {peak_kb / 1024:.0f} MiB ({peak_kb / 1024 / mb:.1f}x the bundle)")
        library = mb / rows[0][1]
        verdict = "meets" if library >= target else "misses"
        print(f"target >= {target} MB/s for verification: {verdict} it ({library:.0f} MB/s)")


if __name__ == "__main__":
    main()
