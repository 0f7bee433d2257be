"""`readiness parity` from the command line: the item it writes, its exit codes, and secrets kept out of everything.

The snapshots are hand-written here (Kubernetes manifests, dotenv files, inventories and JSON configuration files
in tmp_path) so each test shows exactly what differs; the sources themselves are tested on real tool output in
their own test files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from evaluator.evidence import item_problems
from evaluator.parity.sources import SOURCES
from tests.conftest import COMMIT
from tests.test_cli import one_line_error, run

RULES = Path(__file__).resolve().parent.parent / "data" / "parity" / "rules" / "rules.yaml"
POLICIES = Path(__file__).resolve().parent.parent.parent / "policies"

CANARY_SAME = "CANARY-same-7d1f0c2a"
CANARY_PROD = "CANARY-prod-41be9e07"
CANARY_STAGING = "CANARY-staging-93a6c5d8"
CANARY_URL_PROD = "CANARYurlprod5c21"
CANARY_URL_STAGING = "CANARYurlstaging88e0"
CANARIES = (CANARY_SAME, CANARY_PROD, CANARY_STAGING, CANARY_URL_PROD, CANARY_URL_STAGING)


def deployment(namespace: str, replicas: int, digest: str, env: list[tuple[str, str]], db_url: str) -> str:
    """A Deployment with two containers (sidecar first in production, app first in staging)."""
    env_text = "".join(f"            - name: {name}\n              value: {json.dumps(value)}\n" for name, value in env)
    app = (
        "        - name: app\n"
        f"          image: registry.example/cart@sha256:{digest}\n"
        "          env:\n"
        f"{env_text}"
        "            - name: DATABASE_URL\n"
        f"              value: {json.dumps(db_url)}\n"
        "          resources:\n"
        "            requests: {cpu: 500m, memory: 512Mi}\n"
    )
    sidecar = "        - name: proxy\n          image: registry.example/proxy:1.4.2\n"
    containers = sidecar + app if namespace == "production" else app + sidecar
    return (
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        f"  name: cart\n  namespace: {namespace}\n"
        "spec:\n"
        f"  replicas: {replicas}\n"
        "  selector:\n    matchLabels: {app: cart}\n"
        "  template:\n"
        "    metadata:\n      labels: {app: cart}\n"
        "    spec:\n"
        "      containers:\n"
        f"{containers}"
    )


def secret(namespace: str, password: str) -> str:
    """A Secret holding one value equal on both sides and one that differs (base64 as the API returns it)."""
    encode = lambda text: base64.b64encode(text.encode()).decode()  # noqa: E731
    return (
        "apiVersion: v1\n"
        "kind: Secret\n"
        "metadata:\n"
        f"  name: db\n  namespace: {namespace}\n"
        "type: Opaque\n"
        "data:\n"
        f"  api-key: {encode(CANARY_SAME)}\n"
        f"  password: {encode(password)}\n"
    )


def kubernetes_snapshots(root: Path) -> tuple[Path, Path]:
    """production/ and staging/ folders of manifests that differ in replicas, image digest, an env var, secrets."""
    prod, staging = root / "prod", root / "staging"
    prod.mkdir(parents=True)
    staging.mkdir(parents=True)
    prod_env = [("LOG_LEVEL", "info"), ("FEATURE_X", "on"), ("DB_PASSWORD", CANARY_SAME)]
    staging_env = [("DB_PASSWORD", CANARY_SAME), ("LOG_LEVEL", "debug")]  # reordered, FEATURE_X removed
    (prod / "app.yaml").write_text(
        "# production\n"
        + deployment("production", 3, "1" * 64, prod_env, f"postgres://u:{CANARY_URL_PROD}@db/cart")
        + "---\n"
        + secret("production", CANARY_PROD)
    )
    (staging / "app.yaml").write_text(  # documents in the other order
        secret("staging", CANARY_STAGING)
        + "---\n"
        + deployment("staging", 1, "2" * 64, staging_env, f"postgres://u:{CANARY_URL_STAGING}@db/cart")
    )
    return prod, staging


def snapshot_sha256(root: Path) -> str:
    """The Environment digest computed independently: sha256 over sorted 'relative\\0sha256\\n' lines."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for path in files:
        relative = path.name if path == root else path.relative_to(root).as_posix()
        digest.update(f"{relative}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()


def by_key(item: dict) -> dict[tuple[str, str], dict]:
    return {(d["object"], d["field"]): d for d in item["data"]["differences"]}


def test_kubernetes_snapshots_compared_with_rules(tmp_path):
    prod, staging = kubernetes_snapshots(tmp_path)
    shutil.copy(RULES, tmp_path / "rules.yaml")
    proc = run(
        "parity",
        "--baseline",
        "prod",
        "--candidate",
        "staging",
        "--rules",
        "rules.yaml",
        "--environment",
        "staging",
        "-o",
        "item.json",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    item = json.loads((tmp_path / "item.json").read_text())
    assert item_problems(item) == []
    assert (item["id"], item["kind"], item["schema"], item["environment"]) == (
        "parity-staging",
        "parity",
        "parity/v1",
        "staging",
    )
    assert item["source"]["tool"] == "readiness" and item["source"]["format"] == "parity-kubernetes"
    assert item["source"]["file"] == "prod vs staging"
    expected_sha = hashlib.sha256(
        f"{snapshot_sha256(prod)}\n{snapshot_sha256(staging)}\n{hashlib.sha256(RULES.read_bytes()).hexdigest()}\n".encode()
    ).hexdigest()
    assert item["source"]["sha256"] == expected_sha
    assert item["observed"] == {"start": item["collected_at"], "end": item["collected_at"]}
    assert item["collector"]["name"] == "parity"
    data = item["data"]
    assert data["baseline"]["name"] == "production" and data["candidate"]["name"] == "staging"
    assert data["baseline"]["sha256"] == snapshot_sha256(prod)
    assert (data["baseline"]["source"], data["baseline"]["files"], data["baseline"]["objects"]) == ("kubernetes", 1, 2)

    deploy = "apps/v1 Deployment production/cart"  # the staging namespace is mapped by the rules file
    found = by_key(item)
    replicas = found[(deploy, "spec.replicas")]
    assert (replicas["baseline"], replicas["candidate"], replicas["ratio_bp"]) == (3, 1, 3333)
    assert (replicas["allowed"], replicas["rule"]) == (True, "replicas-scaled-down")
    image = found[(deploy, "spec.template.spec.containers[app].image")]
    assert (image["category"], image["allowed"], image["rule"]) == ("image", False, "same-image")
    assert image["baseline"] == "sha256:" + "1" * 64 and image["candidate"] == "sha256:" + "2" * 64
    removed = [d for key, d in found.items() if "FEATURE_X" in key[1]]
    assert [(d["category"], d["baseline"], d["allowed"]) for d in removed] == [("missing", "on", False)]
    password = found[("v1 Secret production/db", "data[password]")]
    assert (password["category"], password["secret"], password["allowed"]) == ("secret", "differs", True)
    assert "baseline" not in password and "candidate" not in password
    assert ("v1 Secret production/db", "data[api-key]") not in found  # the same secret on both sides
    url = [d for key, d in found.items() if "DATABASE_URL" in key[1]]
    assert [(d["category"], d["secret"]) for d in url] == [("secret", "differs")]
    # reordered documents, containers and env vars, and the comment, give no difference of their own
    assert sorted(key[1] for key in found if key[0] == deploy) == sorted(
        [
            "spec.replicas",
            "spec.template.spec.containers[app].image",
            removed[0]["field"],
            url[0]["field"],
            next(k[1] for k in found if "LOG_LEVEL" in k[1]),
        ]
    )
    uses = {u["id"]: u for u in data["rules"]}
    assert uses["log-level"]["expired"] is True and uses["log-level"]["allowed"] == 0
    assert found[(deploy, next(k[1] for k in found if "LOG_LEVEL" in k[1]))]["note"] == "rule expired on 2026-01-31"
    assert sum(c["total"] for c in data["counts"]) == len(found)
    assert proc.stderr.startswith("wrote item.json: parity item 'parity-staging': ")
    assert f"{data['keys_equal']}/{data['keys_compared']} keys equal" in proc.stderr


def test_item_goes_to_stdout_without_output_and_names_are_used(tmp_path):
    kubernetes_snapshots(tmp_path)
    proc = run(
        "parity", "--baseline", "prod", "--candidate", "prod", "--baseline-name", "prod-eu", "--id", "parity-eu",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    item = json.loads(proc.stdout)
    assert item["id"] == "parity-eu" and "environment" not in item and proc.stderr == ""
    assert item["data"]["parity_bp"] == 10000 and item["data"]["differences"] == []
    assert item["data"]["baseline"]["name"] == "prod-eu" and item["data"]["candidate"]["name"] == "staging"
    assert (
        item["source"]["sha256"]
        == hashlib.sha256(
            f"{snapshot_sha256(tmp_path / 'prod')}\n{snapshot_sha256(tmp_path / 'prod')}\n\n".encode()
        ).hexdigest()
    )
    assert item["data"]["rules"] == []


# ---- secrets: nowhere in the item, the bundle or any report ----------------------------------------


def canary_snapshots(root: Path) -> tuple[str, str]:
    """Both sides with canary secrets in every source registered: Kubernetes Secret data and env, dotenv."""
    prod, staging = root / "prod", root / "staging"
    prod.mkdir()
    staging.mkdir()
    kubernetes_snapshots(root / "k8s")
    shutil.copy(root / "k8s" / "prod" / "app.yaml", prod / "app.yaml")
    shutil.copy(root / "k8s" / "staging" / "app.yaml", staging / "app.yaml")
    (prod / "app.env").write_text(
        f"DB_PASSWORD={CANARY_SAME}\nAPI_TOKEN={CANARY_PROD}\nDATABASE_URL=postgres://u:{CANARY_URL_PROD}@h/db\n"
    )
    (staging / "app.env").write_text(
        f"DB_PASSWORD={CANARY_SAME}\nAPI_TOKEN={CANARY_STAGING}\nDATABASE_URL=postgres://u:{CANARY_URL_STAGING}@h/db\n"
    )
    for side, url in ((prod, CANARY_URL_PROD), (staging, CANARY_URL_STAGING)):  # credential-shaped, plain key name
        (side / "settings.json").write_text(json.dumps({"upstream": f"postgres://u:{url}@h/db"}))
    return "prod", "staging"


def assert_no_canary(text: str, where: str) -> None:
    for canary in CANARIES:
        for form in (canary, base64.b64encode(canary.encode()).decode()):
            assert form not in text, f"{form} found in {where}"


def test_canary_secrets_appear_nowhere(tmp_path):
    baseline, candidate = canary_snapshots(tmp_path)
    shutil.copy(RULES, tmp_path / "rules.yaml")
    proc = run(
        "parity",
        "--baseline",
        baseline,
        "--candidate",
        candidate,
        "--rules",
        "rules.yaml",
        "-o",
        "item.json",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    outputs = {"parity stdout/stderr": proc.stdout + proc.stderr}
    item = json.loads((tmp_path / "item.json").read_text())
    secrets = [d for d in item["data"]["differences"] if d["category"] == "secret"]
    assert secrets and all("baseline" not in d and "candidate" not in d for d in secrets)
    assert {d["secret"] for d in secrets} == {"differs"}  # the equal ones are not differences at all
    assert "hmac-sha256" not in (tmp_path / "item.json").read_text()

    assert run("keygen", "--out", "ci", cwd=tmp_path).returncode == 0
    proc = run(
        "bundle", "item.json", "--service", "cart", "--version", "1.0.0", "--commit", COMMIT, "-o", "statement.json",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    proc = run("sign", "statement.json", "--key", "ci.key", "-o", "envelope.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    envelope = json.loads((tmp_path / "envelope.json").read_text())
    payload = base64.b64decode(envelope["payload"]).decode()
    outputs["bundle"] = (tmp_path / "statement.json").read_text()
    outputs["envelope"] = (tmp_path / "envelope.json").read_text()
    outputs["envelope payload"] = payload

    proc = run(
        "evaluate",
        "envelope.json",
        "--policy",
        str(POLICIES),
        "--allow-unsigned",
        "--format",
        "terminal",
        "--format",
        "json=report.json",
        "--format",
        "markdown=report.md",
        "--format",
        "junit=report.xml",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    outputs["terminal report"] = proc.stdout + proc.stderr
    for name in ("report.json", "report.md", "report.xml"):
        outputs[name] = (tmp_path / name).read_text()
        assert outputs[name].strip(), name
    json.loads(outputs["report.json"])
    for where, text in outputs.items():
        assert_no_canary(text, where)


# ---- dotenv, inventory and configuration files ----------------------------------------------------


def test_dotenv_files(tmp_path):
    (tmp_path / "production.env").write_text("# prod\nLOG_LEVEL=info\nWORKERS=8\nFEATURE_X=on\n")
    (tmp_path / "staging.env").write_text("WORKERS=2\nLOG_LEVEL=info\nNEW_FLAG=1\n")
    proc = run("parity", "--baseline", "production.env", "--candidate", "staging.env", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    item = json.loads(proc.stdout)
    assert item["source"]["format"] == "parity-dotenv"
    data = item["data"]
    assert (data["keys_compared"], data["keys_equal"], data["parity_bp"]) == (4, 1, 2500)
    # two files given directly: the candidate's file is compared with the baseline's, under the baseline's name
    assert [
        (d["object"], d["field"], d["category"], d.get("baseline"), d.get("candidate")) for d in data["differences"]
    ] == [
        ("production.env", "FEATURE_X", "missing", "on", None),
        ("production.env", "NEW_FLAG", "extra", None, "1"),
        ("production.env", "WORKERS", "config", "8", "2"),
    ]


def test_dotenv_folders(tmp_path):
    for side, text in (
        ("prod", "LOG_LEVEL=info\nWORKERS=8\nFEATURE_X=on\n"),
        ("staging", "WORKERS=2\nLOG_LEVEL=info\n"),
    ):
        (tmp_path / side / "config").mkdir(parents=True)
        (tmp_path / side / "config" / "app.env").write_text(text)
    proc = run("parity", "--baseline", "prod", "--candidate", "staging", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)["data"]
    assert (data["keys_compared"], data["keys_equal"], data["parity_bp"]) == (3, 1, 3333)
    assert [
        (d["object"], d["field"], d["category"], d.get("baseline"), d.get("candidate")) for d in data["differences"]
    ] == [
        ("config/app.env", "FEATURE_X", "missing", "on", None),
        ("config/app.env", "WORKERS", "config", "8", "2"),
    ]


def test_json_configuration_folders(tmp_path):
    (tmp_path / "prod").mkdir()
    (tmp_path / "staging").mkdir()
    (tmp_path / "prod" / "settings.json").write_text(
        json.dumps({"db": {"pool": 20, "host": "db.prod"}, "debug": False})
    )
    (tmp_path / "staging" / "settings.json").write_text(
        json.dumps({"debug": True, "db": {"host": "db.prod", "pool": 20}})
    )
    proc = run("parity", "--baseline", "prod", "--candidate", "staging", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    item = json.loads(proc.stdout)
    assert item["source"]["format"] == "parity-config"
    assert [(d["object"], d["field"], d["baseline"], d["candidate"]) for d in item["data"]["differences"]] == [
        ("settings.json", "debug", False, True)
    ]
    assert item["data"]["parity_bp"] == 6666


# ---- failures: one line, exit 2, nothing written ----------------------------------------------------


def test_missing_baseline_is_one_line_exit_2(tmp_path):
    (tmp_path / "staging").mkdir()
    proc = run("parity", "--baseline", "nope", "--candidate", "staging", "-o", "item.json", cwd=tmp_path)
    assert one_line_error(proc) == "readiness: error: nope: not found"
    assert not (tmp_path / "item.json").exists()


def test_folder_without_recognised_files_is_one_line_exit_2(tmp_path):
    (tmp_path / "prod").mkdir()
    (tmp_path / "prod" / "notes.txt").write_text("nothing to compare\n")
    (tmp_path / "prod" / "logo.png").write_bytes(b"\x89PNG\r\n")
    proc = run("parity", "--baseline", "prod", "--candidate", "prod", "-o", "item.json", cwd=tmp_path)
    line = one_line_error(proc, "readiness: error: prod: no recognised configuration: none of its 2 files is one of")
    assert line.endswith(f"known sources ({', '.join(s.format for s in SOURCES)})")
    assert not (tmp_path / "item.json").exists()


def test_invalid_rules_file_is_one_line_exit_2(tmp_path):
    (tmp_path / "rules.yaml").write_text("rules:\n  - id: r\n    match: '*'\n    expect: sometimes\n")
    proc = run(
        "parity", "--baseline", "x", "--candidate", "y", "--rules", "rules.yaml", "-o", "item.json", cwd=tmp_path
    )
    assert one_line_error(proc) == (
        'readiness: error: rules.yaml: invalid parity rules file at /rules/0/expect: "sometimes" is not one of '
        '"any", "differs" or 3 other candidates'
    )
    assert not (tmp_path / "item.json").exists()


def test_malformed_rules_yaml_names_line_and_column(tmp_path):
    (tmp_path / "rules.yaml").write_text("rules: [\n")
    proc = run("parity", "--baseline", "x", "--candidate", "y", "--rules", "rules.yaml", cwd=tmp_path)
    assert one_line_error(proc).startswith("readiness: error: rules.yaml:2:1: malformed YAML: ")


def test_bad_environment_name_is_one_line_exit_2(tmp_path):
    proc = run("parity", "--baseline", "x", "--candidate", "y", "--candidate-name", " ", cwd=tmp_path)
    assert one_line_error(proc) == "readiness: error: --candidate-name must be 1 to 128 characters, got ' '"


def test_namespace_mapping_collision_is_one_line_exit_2(tmp_path):
    staging = kubernetes_snapshots(tmp_path)[1]
    (staging / "more.yaml").write_text(secret("production", "x"))  # production/db and staging/db both in staging
    (tmp_path / "rules.yaml").write_text("namespaces: {staging: production}\n")
    proc = run("parity", "--baseline", "prod", "--candidate", "staging", "--rules", "rules.yaml", cwd=tmp_path)
    assert one_line_error(proc) == (
        "readiness: error: staging: the namespace mapping makes v1 Secret production/db and v1 Secret staging/db "
        "the same object v1 Secret production/db"
    )


def test_snapshots_of_different_kinds_are_one_line_exit_2(tmp_path):
    kubernetes_snapshots(tmp_path)
    (tmp_path / "staging.env").write_text("A=1\n")
    proc = run("parity", "--baseline", "prod", "--candidate", "staging.env", cwd=tmp_path)
    assert one_line_error(proc) == (
        "readiness: error: staging.env: the candidate is a dotenv snapshot but the baseline prod is kubernetes: "
        "compare snapshots of the same kind"
    )


def test_inventories_with_rules(tmp_path):
    digest = "sha256:" + "c" * 64
    (tmp_path / "prod.yaml").write_text(
        "inventory: 1\n"
        "environment: production\n"
        "services:\n"
        f"  cart: {{version: '1.4.2', image: 'registry.example/cart:1.4.2@{digest}'}}\n"
        "  payments: '2.0.1'\n"
    )
    (tmp_path / "staging.yaml").write_text(
        "inventory: 1\n"
        "environment: staging\n"
        "services:\n"
        "  payments: '2.0.2'\n"
        f"  cart: {{version: '1.4.2', image: 'mirror.example/cart:1.4.2@{digest}'}}\n"  # same digest: equal
        "  search: '0.9.0'\n"
    )
    (tmp_path / "rules.yaml").write_text(
        "rules:\n"
        "  - id: payments-canary\n"
        "    match: 'service payments#version'\n"
        "    category: version\n"
        "    expect: differs\n"
        "    reason: payments 2.0.2 is being verified in staging\n"
        "    owner: team-payments\n"
        "    expires: 2099-01-31\n"
    )
    proc = run(
        "parity", "--baseline", "prod.yaml", "--candidate", "staging.yaml", "--rules", "rules.yaml", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    item = json.loads(proc.stdout)
    assert item["source"]["format"] == "parity-inventory"
    data = item["data"]
    assert (data["keys_compared"], data["keys_equal"], data["parity_bp"]) == (4, 2, 5000)
    assert data["differences"] == [
        {
            "object": "service payments",
            "field": "version",
            "category": "version",
            "baseline": "2.0.1",
            "candidate": "2.0.2",
            "allowed": True,
            "rule": "payments-canary",
            "note": "payments 2.0.2 is being verified in staging",
        },
        {"object": "service search", "field": "", "category": "extra", "allowed": False},
    ]
    assert data["rules"] == [
        {"id": "payments-canary", "matched": 1, "allowed": 1, "expires": "2099-01-31", "expired": False}
    ]
    assert {c["category"]: (c["total"], c["allowed"]) for c in data["counts"]} == {
        "image": (0, 0),
        "version": (1, 1),
        "config": (0, 0),
        "capacity": (0, 0),
        "secret": (0, 0),
        "missing": (0, 0),
        "extra": (1, 0),
    }


def test_unparsable_manifest_is_one_line_exit_2(tmp_path):
    (tmp_path / "prod").mkdir()
    (tmp_path / "prod" / "app.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n")
    proc = run("parity", "--baseline", "prod", "--candidate", "prod", "-o", "item.json", cwd=tmp_path)
    assert one_line_error(proc).startswith("readiness: error: prod/app.yaml:4:1: malformed YAML: ")
    assert not (tmp_path / "item.json").exists()


def test_unsupported_terraform_format_version_is_one_line_exit_2(tmp_path):
    (tmp_path / "plan.json").write_text('{"format_version": "9.0", "terraform_version": "1.9.0", "values": {}}')
    proc = run("parity", "--baseline", "plan.json", "--candidate", "plan.json", cwd=tmp_path)
    assert one_line_error(proc, "readiness: error: plan.json: unsupported format_version 9.0")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--id", "bad id", "--id 'bad id': an item id is 1 to 128 letters, digits, '.', '_', ':' or '-'"),
        ("--environment", "two words", "--environment 'two words': 1 to 64 letters, digits, '.', '_' or '-'"),
    ],
)
def test_bad_id_or_environment_is_one_line_exit_2(tmp_path, option, value, message):
    proc = run("parity", "--baseline", "x", "--candidate", "y", option, value, cwd=tmp_path)
    assert one_line_error(proc) == f"readiness: error: {message}"
