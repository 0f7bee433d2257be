"""Benchmark: collecting and evaluating a 100,000-finding Trivy JSON and a 100,000-result SARIF file.

Run with `.venv/bin/python bench/security_scale.py` (or `make bench`; options: --findings N, --regenerate).
It writes into bench/out/ (git-ignored, reused across runs):

- a Trivy SchemaVersion 2 image report of `--findings` vulnerabilities (plus a few secrets) over 20
  results, realistic field sizes (titles, descriptions, CVSS per source, references);
- a SARIF 2.1.0 log of `--findings` results over 300 rules, Semgrep-shaped (rules with
  security-severity, results with locations, partial fingerprints and messages).

Then it runs the real command line, each step in a measured child process (wall time, CPU time, peak RSS
of the process tree; bench/measure.py): `readiness collect` of each file, `bundle` of both items, `sign`,
and `evaluate` with the built-in policy library on the embedded engine and on real OPA. Beside them, what a
user would otherwise write: a conftest-style Rego rule (fixable critical/high vulnerabilities) evaluated by
OPA directly over the raw Trivy JSON, with no normalisation, signing or verification.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path

from measure import run_measured

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
READINESS = [sys.executable, "-m", "evaluator.cli"]
TRIVY_SEVERITIES = (("CRITICAL", 0.04), ("HIGH", 0.18), ("MEDIUM", 0.42), ("LOW", 0.30), ("UNKNOWN", 0.06))
PACKAGES = [f"lib{name}{n}" for n in range(60) for name in ("ssl", "xml", "curl", "png", "z", "yaml", "json", "uv")]

CONFTEST = r"""
import json, sys, time
from evaluator.engine.opa import OpaEngine
from evaluator.policy.model import PolicyModule
POLICY = '''
package trivy

import rego.v1

deny contains msg if {
	some result in input.Results
	some vuln in result.Vulnerabilities
	vuln.Severity in {"CRITICAL", "HIGH"}
	vuln.FixedVersion != ""
	msg := sprintf("%s in %s %s (fixed in %s)", [vuln.VulnerabilityID, vuln.PkgName,
		vuln.InstalledVersion, vuln.FixedVersion])
}
'''
start = time.perf_counter()
document = json.load(open(sys.argv[1]))
engine = OpaEngine()
engine.load([PolicyModule("trivy.rego", POLICY, "trivy")], {})
denied = engine.evaluate("data.trivy.deny", document)
json.dump({"seconds": time.perf_counter() - start, "denied": len(denied)}, open(sys.argv[2], "w"))
"""


def generate_trivy(path: Path, findings: int, seed: int = 5) -> None:
    """A Trivy SchemaVersion 2 container image report with `findings` vulnerabilities and a few secrets."""
    rnd = random.Random(seed)
    results = []
    per_result = findings // 20
    for r in range(20):
        vulns = []
        for n in range(per_result if r < 19 else findings - 19 * per_result):
            severity = rnd.choices([s for s, _ in TRIVY_SEVERITIES], [w for _, w in TRIVY_SEVERITIES])[0]
            cve = f"CVE-{rnd.randint(2015, 2026)}-{rnd.randint(1000, 99999)}"
            package = PACKAGES[rnd.randrange(len(PACKAGES))]
            installed = f"{rnd.randint(0, 4)}.{rnd.randint(0, 20)}.{rnd.randint(0, 9)}-r{n % 5}"
            score = round(rnd.uniform(0.1, 10.0), 1)
            vuln = {
                "VulnerabilityID": cve,
                "PkgID": f"{package}@{installed}",
                "PkgName": package,
                "PkgIdentifier": {"PURL": f"pkg:apk/alpine/{package}@{installed}?arch=x86_64&distro=3.19.1"},
                "InstalledVersion": installed,
                "FixedVersion": f"{installed}.{rnd.randint(1, 9)}" if rnd.random() < 0.6 else "",
                "Status": "fixed" if rnd.random() < 0.6 else "affected",
                "Layer": {"DiffID": f"sha256:{rnd.getrandbits(256):064x}"},
                "SeveritySource": "nvd",
                "PrimaryURL": f"https://avd.aquasec.com/nvd/{cve.lower()}",
                "Title": f"{package}: {rnd.choice(['buffer overflow', 'use after free', 'int overflow'])} in parser",
                "Description": "A flaw was found in the handling of crafted input, which may allow a remote attacker "
                "to cause a denial of service or execute code. " * 2,
                "Severity": severity,
                "CweIDs": [f"CWE-{rnd.choice([20, 79, 119, 125, 416, 787])}"],
                "VendorSeverity": {"nvd": rnd.randint(1, 4), "redhat": rnd.randint(1, 4)},
                "CVSS": {
                    "nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": score},
                    "redhat": {"V3Vector": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": score},
                },
                "References": [f"https://nvd.nist.gov/vuln/detail/{cve}", f"https://security.example/{cve}"],
                "PublishedDate": "2024-03-01T15:15:00Z",
                "LastModifiedDate": "2025-01-10T12:00:00Z",
            }
            vulns.append(vuln)
        results.append({"Target": f"registry.example/checkout:1.42.0 (alpine 3.19.{r})", "Class": "os-pkgs",
                        "Type": "alpine", "Vulnerabilities": vulns})  # fmt: skip
    results.append({"Target": "/app/config/.env", "Class": "secret", "Secrets": [
        {"RuleID": "aws-access-key-id", "Category": "AWS", "Severity": "CRITICAL", "Title": "AWS Access Key ID",
         "StartLine": 3, "EndLine": 3, "Match": "AWS_ACCESS_KEY_ID=********************"}]})  # fmt: skip
    report = {
        "SchemaVersion": 2,
        "CreatedAt": "2026-11-27T09:00:00.000000000Z",
        "ArtifactName": "registry.example/checkout:1.42.0",
        "ArtifactType": "container_image",
        "Metadata": {"OS": {"Family": "alpine", "Name": "3.19.1"}, "ImageID": f"sha256:{rnd.getrandbits(256):064x}"},
        "Results": results,
    }
    _write(path, report)


def generate_sarif(path: Path, findings: int, seed: int = 9) -> None:
    """A Semgrep-shaped SARIF 2.1.0 log with `findings` results over 300 rules."""
    rnd = random.Random(seed)
    rules = []
    for n in range(300):
        rules.append({
            "id": f"python.lang.security.rule-{n:03d}",
            "name": f"python.lang.security.rule-{n:03d}",
            "shortDescription": {"text": f"Semgrep Finding: python.lang.security.rule-{n:03d}"},
            "fullDescription": {"text": "Detected a dangerous pattern that can lead to injection. " * 3},
            "defaultConfiguration": {"level": rnd.choice(["error", "warning", "note"])},
            "help": {"text": "Use the safe API instead.", "markdown": "Use the **safe** API instead."},
            "properties": {"precision": "very-high", "security-severity": f"{rnd.uniform(1, 10):.1f}",
                           "tags": [f"CWE-{rnd.choice([78, 79, 89, 94, 502])}: Improper Neutralization", "security"]},
        })  # fmt: skip
    results = []
    for n in range(findings):
        rule = rnd.randrange(300)
        line = rnd.randint(1, 3000)
        results.append({
            "ruleId": rules[rule]["id"],
            "ruleIndex": rule,
            "message": {"text": "Detected a dangerous pattern that can lead to injection; use the safe API."},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": f"src/checkout/module_{n % 2000:04d}.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": line, "startColumn": 5, "endLine": line + 1, "endColumn": 40,
                           "snippet": {"text": "subprocess.call(cmd, shell=True)"}}}}],
            "fingerprints": {"matchBasedId/v1": f"{rnd.getrandbits(256):064x}"},
            "properties": {},
        })  # fmt: skip
    log = {
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "Semgrep OSS", "semanticVersion": "1.185.0", "rules": rules}},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": []}],
            "results": results,
        }],
    }  # fmt: skip
    _write(path, log)


def _write(path: Path, document: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, indent=1))
    tmp.replace(path)


def step(name: str, command: list[str], rows: list[tuple[str, dict]], allowed: tuple[int, ...] = (0,)) -> dict:
    """Run one measured command line step; stop the benchmark if it fails."""
    result = run_measured(command)
    if result["status"] not in allowed:
        raise SystemExit(f"{name}: exit status {result['status']} ({' '.join(command)})")
    rows.append((name, result))
    return result


def _statuses(report: Path) -> dict[str, str]:
    """Criterion id -> status of a JSON report."""
    return {c["id"]: c["status"] for c in json.loads(report.read_text())["criteria"]}


def main() -> None:
    """Generate the inputs (once), run every step measured, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--regenerate", action="store_true", help="rewrite the inputs even if present")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    trivy = OUT / f"trivy-{args.findings}.json"
    sarif = OUT / f"sarif-{args.findings}.sarif"
    for path, generate in ((trivy, generate_trivy), (sarif, generate_sarif)):
        if args.regenerate or not path.exists():
            print(f"generating {path} …", flush=True)
            generate(path, args.findings)
    rows: list[tuple[str, dict]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, path in (("trivy", trivy), ("sarif", sarif)):
            size = path.stat().st_size / 1e6
            step(f"collect {name} ({size:.0f} MB)", [*READINESS, "collect", str(path), "--id", f"security-{name}",
                 "-o", str(work / f"{name}.json")], rows)  # fmt: skip
        step("bundle", [*READINESS, "bundle", str(work / "trivy.json"), str(work / "sarif.json"), "--service",
             "checkout", "--version", "1.42.0", "--commit", "a" * 40, "--tier", "critical", "-o",
             str(work / "statement.json")], rows)  # fmt: skip
        run_measured([*READINESS, "keygen", "--out", str(work / "ci")])
        step("sign", [*READINESS, "sign", str(work / "statement.json"), "--key", str(work / "ci.key"), "-o",
             str(work / "envelope.json")], rows)  # fmt: skip
        for engine in ("embedded", "opa"):
            step(f"evaluate --engine {engine}", [*READINESS, "evaluate", str(work / "envelope.json"), "--policy",
                 str(ROOT / "policies"), "--key", str(work / "ci.pub"), "--engine", engine, "--format",
                 f"json={work / f'report-{engine}.json'}"], rows)  # fmt: skip
        verdicts = {engine: _statuses(work / f"report-{engine}.json") for engine in ("embedded", "opa")}
        with tempfile.NamedTemporaryFile(suffix=".json") as result:
            conftest = run_measured([sys.executable, "-c", CONFTEST, str(trivy), result.name])
            denied = json.loads(Path(result.name).read_text())["denied"]
    pipeline = sum(
        r["wall"] for n, r in rows if n.startswith(("collect trivy", "bundle", "sign", "evaluate --engine e"))
    )
    print(f"\n{'step':34} {'wall s':>7} {'cpu s':>7} {'peak MiB':>9}")
    for name, result in rows:
        print(f"{name:34} {result['wall']:7.2f} {result['cpu']:7.2f} {result['peak_mib']:9.0f}")
    print(f"{'OPA over raw Trivy JSON (conftest)':34} {conftest['wall']:7.2f} {conftest['cpu']:7.2f} "
          f"{conftest['peak_mib']:9.0f}")  # fmt: skip
    print(
        f"\nTrivy: collect + bundle + sign + evaluate (embedded) {pipeline:.2f} s, "
        f"{pipeline / conftest['wall']:.2f}x the time of the bare OPA rule over the raw file ({denied} denials)"
    )
    security = {c: s for c, s in verdicts["embedded"].items() if c.startswith("security.")}
    print("security verdicts:", ", ".join(f"{c} {s}" for c, s in sorted(security.items())))
    same = verdicts["embedded"] == verdicts["opa"]
    print(f"embedded and OPA verdicts {'identical' if same else 'DIFFER'} ({len(verdicts['opa'])} criteria)")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
