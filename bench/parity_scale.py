"""Benchmark: `readiness parity` on two environments of 5,000 Kubernetes objects each.

Run with `.venv/bin/python bench/parity_scale.py` (or `make bench`; options: --objects N, --regenerate).
It writes into bench/out/ (git-ignored, reused across runs) a production and a staging snapshot, each a
directory of multi-document YAML files (100 objects per file) of Deployments, Services, ConfigMaps and
Secrets, shaped like `kubectl kustomize` output. Staging lists the same objects in another order (files,
documents, containers and env vars shuffled), in another namespace, with 1 % of the Deployments on a
different image digest, 1 % with an env var removed, a third of production's replicas everywhere, and its
own Secret values.

It times, each in a measured child process (wall time, CPU time, peak RSS; bench/measure.py):

- `readiness parity` with an allow-rules file (namespace mapping, replicas ratio, own credentials),
  checking that exactly the planted differences come out unallowed;
- what a user would otherwise run: `diff -r` of the two directories (GNU diff, text lines), which knows
  nothing of reordering, namespaces or secrets, and reports nearly every line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from measure import run_measured

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PER_FILE = 100
RULES = """
namespaces:
  shop-staging: shop
rules:
  - id: staging-size
    match: "apps/v1 Deployment shop/*#spec.replicas"
    category: capacity
    expect: ratio
    min: 0.25
    max: 1.0
    reason: staging runs a third of production's replicas
    owner: team-platform
    expires: 2099-12-31
  - id: own-credentials
    match: "v1 Secret shop/*#*"
    category: secret
    expect: differs
    reason: each environment has its own credentials
    owner: team-security
    expires: 2099-12-31
"""


def _objects(env: str, count: int, rnd: random.Random, changed: set[int], dropped: set[int]) -> list[str]:
    """`count` objects (a quarter each of Deployments, Services, ConfigMaps, Secrets) as YAML documents."""
    namespace = "shop" if env == "production" else "shop-staging"
    documents = []
    for n in range(count // 4):
        name = f"svc-{n:04d}"
        digest = f"{(n * 7919 + (1 if env == 'staging' and n in changed else 0)):064x}"
        env_vars = [("LOG_LEVEL", "info"), ("POOL_SIZE", str(10 + n % 7)), ("REGION", "eu-west-1"),
                    ("FEATURE_FLAGS", "a,b,c"), ("TIMEOUT_MS", "3000")]  # fmt: skip
        if env == "staging" and n in dropped:
            env_vars = env_vars[:-1]
        if env == "staging":
            rnd.shuffle(env_vars)
        containers = [
            "      - name: app\n"
            f"        image: registry.example/shop/{name}@sha256:{digest}\n"
            "        env:\n" + "".join(f"        - name: {k}\n          value: \"{v}\"\n" for k, v in env_vars) +
            "        resources:\n          requests: {cpu: 250m, memory: 256Mi}\n",
            "      - name: sidecar\n        image: registry.example/proxy:1.27.3\n",
        ]  # fmt: skip
        if env == "staging":
            containers.reverse()
        replicas = 6 if env == "production" else 2
        documents += [
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            f"  labels: {{app.kubernetes.io/name: {name}}}\nspec:\n  replicas: {replicas}\n  template:\n"
            f"    spec:\n      containers:\n{''.join(containers)}",
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n"
            f"  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n",
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n  namespace: {namespace}\n"
            f'data:\n  CURRENCY: EUR\n  LIMIT: "{n % 50}"\n',
            f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}-db\n  namespace: {namespace}\n"
            f"stringData:\n  password: {env}-password-{n}\n",
        ]
    return documents


def generate(root: Path, count: int) -> None:
    """Production and staging snapshot directories of `count` objects each under `root`."""
    rnd = random.Random(3)
    changed = set(rnd.sample(range(count // 4), max(1, count // 400)))
    dropped = set(rnd.sample(range(count // 4), max(1, count // 400)))
    for env in ("production", "staging"):
        folder = root / env
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        documents = _objects(env, count, rnd, changed, dropped)
        if env == "staging":
            rnd.shuffle(documents)
        for start in range(0, len(documents), PER_FILE):
            (folder / f"part-{start // PER_FILE:03d}.yaml").write_text(
                "---\n".join(documents[start : start + PER_FILE])
            )
    (root / "expected.json").write_text(json.dumps({"image": len(changed), "missing": len(dropped)}))
    (root / "rules.yaml").write_text(RULES)


def main() -> None:
    """Generate the snapshots (once), time readiness parity and diff -r, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=5000, help="objects per environment (default 5,000)")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the snapshots even if present")
    args = parser.parse_args()
    root = OUT / f"parity-{args.objects}"
    if args.regenerate or not (root / "expected.json").exists():
        print(f"generating {root} …", flush=True)
        generate(root, args.objects)
    expected = json.loads((root / "expected.json").read_text())
    size = sum(p.stat().st_size for p in root.rglob("*.yaml")) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        item_path = Path(tmp) / "parity.json"
        ours = run_measured([sys.executable, "-m", "evaluator.cli", "parity", "--baseline", str(root / "production"),
                             "--candidate", str(root / "staging"), "--rules", str(root / "rules.yaml"), "-o",
                             str(item_path)])  # fmt: skip
        if ours["status"] != 0:
            raise SystemExit(f"readiness parity failed with status {ours['status']}")
        data = json.loads(item_path.read_text())["data"]
    diff = run_measured(["diff", "-r", str(root / "production"), str(root / "staging")], quiet=True)
    with open(os.devnull, "w") as sink:
        lines = subprocess.run(["diff", "-r", str(root / "production"), str(root / "staging")], stdout=subprocess.PIPE,
                               stderr=sink, check=False).stdout.count(b"\n")  # fmt: skip
    unallowed = {}
    for difference in data["differences"]:
        if not difference["allowed"]:
            unallowed[difference["category"]] = unallowed.get(difference["category"], 0) + 1
    print(f"\ntwo environments of {args.objects:,} objects each ({size:.1f} MB of YAML in all)")
    print(f"{'tool':34} {'wall s':>7} {'cpu s':>7} {'peak MiB':>9}")
    print(f"{'readiness parity':34} {ours['wall']:7.2f} {ours['cpu']:7.2f} {ours['peak_mib']:9.0f}")
    print(f"{'diff -r (text lines)':34} {diff['wall']:7.2f} {diff['cpu']:7.2f} {diff['peak_mib']:9.0f}")
    print(f"\nreadiness parity: {data['keys_compared']:,} keys compared, {data['keys_equal']:,} equal, "
          f"{len(data['differences']):,} differences, unallowed {unallowed} (planted: {expected})")  # fmt: skip
    print(f"diff -r: {lines:,} lines of output for the same two snapshots")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}")
    if unallowed != expected:
        raise SystemExit("the unallowed differences are not exactly the planted ones")


if __name__ == "__main__":
    main()
