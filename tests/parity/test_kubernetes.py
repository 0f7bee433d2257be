"""The Kubernetes snapshot source: real kustomize / kubectl output, identity-keyed fields, secrets, errors."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml

from evaluator.errors import InputError
from evaluator.parity.snapshot import Leaf, SecretHasher, Snapshot
from evaluator.parity.sources import detect_source, load_snapshot
from evaluator.parity.sources.kubernetes import KubernetesSource, image_value, object_name

DATA = Path(__file__).resolve().parents[1] / "data" / "parity" / "kubernetes"
PRODUCTION = DATA / "rendered" / "production"
STAGING = DATA / "rendered" / "staging"
LIST = DATA / "kubectl-get" / "shop-list.yaml"
CANARIES = (
    "CANARY-prod-db-7f3a9c",
    "CANARY-prod-token-51d2e8",
    "CANARY-staging-db-0b4e61",
    "CANARY-dryrun-pw-93c1",
    "CANARY-list-token-a90bc4",
    "CANARY-list-note-3c7d",
)
DEPLOYMENT = "apps/v1 Deployment shop/cart"
APP = "spec.template.spec.containers[app]"


@pytest.fixture
def hasher() -> SecretHasher:
    """One run's hasher."""
    return SecretHasher()


def snap(path: Path, hasher: SecretHasher) -> Snapshot:
    """Load a snapshot through the registry (auto-detection)."""
    return load_snapshot(path, hasher)


def differing(a: Snapshot, b: Snapshot) -> dict[tuple[str, str], tuple[Leaf | None, Leaf | None]]:
    """(object, field) -> (baseline leaf, candidate leaf) for every key that is not equal on both sides."""
    result = {}
    for name in set(a.objects) | set(b.objects):
        left, right = a.objects.get(name, {}), b.objects.get(name, {})
        for key in set(left) | set(right):
            if left.get(key) != right.get(key):
                result[(name, key)] = (left.get(key), right.get(key))
    return result


def write(tmp_path: Path, name: str, text: str) -> Path:
    """A file under tmp_path."""
    path = tmp_path / name
    path.write_text(text)
    return path


def read(path: Path, hasher: SecretHasher | None = None) -> dict[str, dict[str, Leaf]]:
    """KubernetesSource.read of one file."""
    return KubernetesSource().read(path, path.name, hasher or SecretHasher())


# --- detection ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        PRODUCTION / "cart.yaml",
        LIST,
        DATA / "dry-run" / "deployment-web.yaml",
        DATA / "dry-run" / "configmap-web-config.json",
        DATA / "edge" / "production-reordered.yaml",
    ],
)
def test_detects_manifests_and_lists(path: Path) -> None:
    assert detect_source(path) is KubernetesSource


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("kustomization.yaml", (DATA / "kustomize/overlays/staging/kustomization.yaml").read_text()),
        ("Chart.yaml", "apiVersion: v2\nname: cart\nversion: 0.4.2\n"),
        ("values.yaml", "replicaCount: 3\nimage:\n  tag: 1.8.0\n"),
        ("plan.json", '{"format_version": "1.2", "resource_changes": [{"apiVersion": "v1", "kind": "x"}]}'),
        ("deploy.txt", "apiVersion: apps/v1\nkind: Deployment\n"),
        ("nested.yaml", "config:\n  apiVersion: v1\n  kind: Pod\n"),
        ("kubeconfig.yaml", "apiVersion: v1\nkind: Config\nclusters: []\nusers:\n- name: u\n  user: {token: t}\n"),
        ("kind.yaml", "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n"),
    ],
)
def test_does_not_detect_other_files(tmp_path: Path, name: str, text: str) -> None:
    path = write(tmp_path, name, text)
    assert not KubernetesSource.detect(path, path.read_bytes())


def test_detects_list_whose_kind_is_past_the_head(tmp_path: Path) -> None:
    items = "".join(f"- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c{i}\n" for i in range(3000))
    path = write(tmp_path, "big.yaml", f"apiVersion: v1\nitems:\n{items}kind: List\nmetadata: {{}}\n")
    assert len(path.read_bytes()) > 64 * 1024
    assert detect_source(path) is KubernetesSource
    assert len(read(path)) == 3000


# --- real kustomize output -----------------------------------------------------------------------------------


def test_production_objects_and_naming(hasher: SecretHasher) -> None:
    snapshot = snap(PRODUCTION, hasher)
    assert snapshot.source == "kubernetes"
    assert snapshot.files[0][0] == "cart.yaml"
    assert set(snapshot.objects) == {
        "v1 ConfigMap shop/cart-config",
        "v1 Secret default/cart-secrets",  # generated in the overlay: kustomize leaves it without namespace
        "v1 Service shop/cart",
        DEPLOYMENT,
        "networking.k8s.io/v1 Ingress shop/cart",
    }
    deployment = snapshot.objects[DEPLOYMENT]
    assert deployment["spec.replicas"] == Leaf(6, "capacity")
    assert deployment[f"{APP}.image"] == Leaf("sha256:" + "1" * 64, "image")
    assert deployment["spec.template.spec.containers[metrics].image"] == Leaf(
        "registry.example.com/observability/exporter:0.9.2", "image"
    )
    assert deployment["spec.template.spec.initContainers[migrate].args"] == Leaf(
        '["--wait", "--timeout=60s"]', "config"
    )
    assert deployment[f"{APP}.args"] == Leaf('["serve", "--port=8080"]', "config")
    assert deployment[f"{APP}.env[LOG_LEVEL]"] == Leaf("configMapKeyRef:cart-config/LOG_LEVEL", "config")
    assert deployment[f"{APP}.env[DB_PASSWORD]"] == Leaf("secretKeyRef:cart-secrets/db-password", "config")
    assert deployment[f"{APP}.env[DB_HOST]"] == Leaf("cart-db.shop.svc", "config")
    assert deployment[f"{APP}.ports[http].containerPort"] == Leaf(8080, "config")
    assert f"{APP}.ports[http].name" not in deployment
    assert deployment["spec.template.spec.containers[metrics].ports[9100].containerPort"] == Leaf(9100, "config")
    assert deployment[f"{APP}.resources.requests.cpu"] == Leaf("500m", "capacity")
    assert deployment[f"{APP}.resources.limits.memory"] == Leaf("1Gi", "capacity")
    assert deployment[f"{APP}.readinessProbe.httpGet.path"] == Leaf("/healthz/ready", "config")
    assert deployment[f"{APP}.livenessProbe.initialDelaySeconds"] == Leaf(15, "config")
    assert deployment[f"{APP}.volumeMounts[/var/cache/cart].name"] == Leaf("cache", "config")
    assert deployment["spec.template.spec.volumes[cache].emptyDir"] == Leaf("{}", "config")
    assert deployment["metadata.labels[app.kubernetes.io/version]"] == Leaf("1.8.0", "version")
    assert deployment["spec.selector.matchLabels[app]"] == Leaf("cart", "config")
    assert "metadata.name" not in deployment and "metadata.namespace" not in deployment
    service = snapshot.objects["v1 Service shop/cart"]
    assert service["spec.ports[http].port"] == Leaf(80, "config")
    assert service["spec.ports[metrics].targetPort"] == Leaf(9100, "config")
    assert service["spec.selector[app]"] == Leaf("cart", "config")
    ingress = snapshot.objects["networking.k8s.io/v1 Ingress shop/cart"]
    rule = "spec.rules[cart.shop.example.com]"
    assert ingress[f"{rule}.http.paths[/api/cart].backend.service.port.name"] == Leaf("http", "config")
    assert ingress[f"{rule}.http.paths[/api/cart].pathType"] == Leaf("Prefix", "config")
    assert f"{rule}.host" not in ingress
    assert snapshot.objects["v1 ConfigMap shop/cart-config"]["data[LOG_LEVEL]"] == Leaf("info", "config")


def test_reordered_documents_containers_env_and_comments_give_the_same_snapshot(hasher: SecretHasher) -> None:
    production = snap(PRODUCTION, hasher)
    reordered = snap(DATA / "edge" / "production-reordered.yaml", hasher)
    assert reordered.objects == production.objects
    assert reordered.keys == production.keys == 57


def test_production_and_staging_differ_exactly_where_the_overlays_differ(hasher: SecretHasher) -> None:
    differences = differing(snap(PRODUCTION, hasher), snap(STAGING, hasher))
    assert set(differences) == {
        (DEPLOYMENT, "spec.replicas"),
        (DEPLOYMENT, f"{APP}.image"),
        (DEPLOYMENT, f"{APP}.env[DEBUG_SQL]"),
        ("v1 ConfigMap shop/cart-config", "data[LOG_LEVEL]"),
        ("v1 Secret default/cart-secrets", "data[db-password]"),
    }
    assert differences[(DEPLOYMENT, "spec.replicas")] == (Leaf(6, "capacity"), Leaf(2, "capacity"))
    assert differences[(DEPLOYMENT, f"{APP}.image")] == (
        Leaf("sha256:" + "1" * 64, "image"),
        Leaf("sha256:" + "2" * 64, "image"),
    )
    assert differences[(DEPLOYMENT, f"{APP}.env[DEBUG_SQL]")] == (None, Leaf("true", "config"))
    before, after = differences[("v1 Secret default/cart-secrets", "data[db-password]")]
    assert before is not None and after is not None
    assert before.category == after.category == "secret"


def test_removed_env_var_is_a_missing_key(tmp_path: Path, hasher: SecretHasher) -> None:
    documents = list(yaml.safe_load_all((PRODUCTION / "cart.yaml").read_text()))
    for document in documents:
        if document["kind"] == "Deployment":
            env = document["spec"]["template"]["spec"]["containers"][0]["env"]
            document["spec"]["template"]["spec"]["containers"][0]["env"] = [e for e in env if e["name"] != "DB_HOST"]
    edited = write(tmp_path, "cart.yaml", yaml.safe_dump_all(documents))
    differences = differing(snap(PRODUCTION, hasher), snap(edited, hasher))
    assert differences == {(DEPLOYMENT, f"{APP}.env[DB_HOST]"): (Leaf("cart-db.shop.svc", "config"), None)}


# --- secrets ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [PRODUCTION, STAGING, LIST, DATA / "dry-run", DATA / "edge"])
def test_secret_canaries_never_appear_in_a_snapshot(path: Path, hasher: SecretHasher) -> None:
    text = repr(snap(path, hasher).objects)
    for canary in CANARIES:
        assert canary not in text
        assert base64.b64encode(canary.encode()).decode() not in text
    assert "CANARY" not in text


def test_secret_data_is_hashed_and_equal_values_compare_equal(hasher: SecretHasher) -> None:
    production = snap(PRODUCTION, hasher).objects["v1 Secret default/cart-secrets"]
    staging = snap(STAGING, hasher).objects["v1 Secret default/cart-secrets"]
    assert production["data[api-token]"] == staging["data[api-token]"]
    assert production["data[api-token]"] == hasher.leaf("CANARY-prod-token-51d2e8")
    assert production["data[db-password]"] == hasher.leaf("CANARY-prod-db-7f3a9c")
    assert production["type"] == Leaf("Opaque", "config")
    assert set(production) == {"type", "data[api-token]", "data[db-password]"}


def test_string_data_and_data_merge_and_compare_equal(tmp_path: Path, hasher: SecretHasher) -> None:
    encoded = base64.b64encode(b"s3cr3t-value").decode()
    with_data = write(
        tmp_path, "a.yaml", f"apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\ndata: {{k: {encoded}}}\n"
    )
    with_string = write(
        tmp_path,
        "b.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: b2xk}\nstringData: {k: s3cr3t-value}\n",
    )
    assert (
        read(with_data, hasher)
        == read(with_string, hasher)
        == {"v1 Secret default/s": {"data[k]": hasher.leaf(b"s3cr3t-value")}}
    )


def test_secret_like_env_values_and_config_keys_are_hashed(tmp_path: Path, hasher: SecretHasher) -> None:
    path = write(
        tmp_path,
        "app.yaml",
        """
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: n}
spec:
  containers:
  - name: app
    image: app:1
    env:
    - {name: DB_PASSWORD, value: hunter2-plain}
    - {name: DATABASE_URL, value: "postgres://app:hunter3@db:5432/app"}
    - {name: MODE, value: blue}
    volumeMounts:
    - {name: tls, mountPath: /tls}
  volumes:
  - name: tls
    secret: {secretName: app-tls}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: n}
data:
  api_key: plain-key-value
  color: green
""",
    )
    objects = read(path, hasher)
    pod = objects["v1 Pod n/p"]
    assert pod["spec.containers[app].env[DB_PASSWORD]"] == hasher.leaf("hunter2-plain")
    assert pod["spec.containers[app].env[DATABASE_URL]"].category == "secret"
    assert pod["spec.containers[app].env[MODE]"] == Leaf("blue", "config")
    assert pod["spec.volumes[tls].secret.secretName"] == Leaf("app-tls", "config")  # a reference, not a secret
    assert objects["v1 ConfigMap n/c"]["data[api_key]"] == hasher.leaf("plain-key-value")
    assert objects["v1 ConfigMap n/c"]["data[color]"] == Leaf("green", "config")
    assert "hunter" not in repr(objects) and "plain-key-value" not in repr(objects)


def test_bad_base64_in_secret_data_names_the_key_not_the_value(tmp_path: Path) -> None:
    path = write(
        tmp_path, "s.yaml", "---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  pw: not*base64!\n"
    )
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value) == f"{path}:2: document 1: data[pw] is not valid base64"
    assert "not*base64" not in str(caught.value)


# --- kubectl get -o yaml lists, dry-run output -------------------------------------------------------------------


def test_kubectl_get_list_skips_volatile_fields(hasher: SecretHasher) -> None:
    objects = snap(LIST, hasher).objects
    assert set(objects) == {DEPLOYMENT, "v1 Service shop/cart", "v1 Secret shop/cart-secrets", "v1 Namespace shop"}
    keys = [key for fields in objects.values() for key in fields]
    for volatile in (
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "managedFields",
        "status",
        "last-applied-configuration",
        "deployment.kubernetes.io/revision",
        "meta.helm.sh",
        "restartedAt",
        "clusterIP",
    ):
        assert not [key for key in keys if volatile in key], volatile
    deployment = objects[DEPLOYMENT]
    assert deployment["metadata.labels[helm.sh/chart]"] == Leaf("cart-0.4.2", "version")
    assert deployment[f"{APP}.image"] == Leaf("sha256:" + "1" * 64, "image")  # tag@digest: the digest
    assert deployment[f"{APP}.env[POD_IP]"] == Leaf("fieldRef:status.podIP", "config")
    assert deployment[f"{APP}.env[API_TOKEN]"] == Leaf("secretKeyRef:cart-secrets/api-token", "config")
    assert deployment["spec.strategy.rollingUpdate.maxSurge"] == Leaf("25%", "config")
    service = objects["v1 Service shop/cart"]
    assert service["spec.ports[53/UDP].targetPort"] == Leaf(5353, "config")
    assert service["spec.ports[http].protocol"] == Leaf("TCP", "config")
    assert "spec.ports[http].name" not in service
    assert service["spec.ipFamilies"] == Leaf('["IPv4"]', "config")
    assert objects["v1 Namespace shop"] == {
        "metadata.labels[kubernetes.io/metadata.name]": Leaf("shop", "config"),
        "spec.finalizers": Leaf('["kubernetes"]', "config"),
    }
    assert set(objects["v1 Secret shop/cart-secrets"]) == {"type", "data[api-token]", "data[note]"}


def test_dry_run_yaml_and_json_default_namespace(hasher: SecretHasher) -> None:
    snapshot = snap(DATA / "dry-run", hasher)
    assert [relative for relative, _ in snapshot.files] == [
        "configmap-web-config.json",
        "deployment-web.yaml",
        "secret-web-creds.yaml",
        "service-web.yaml",
    ]
    assert snapshot.objects["v1 ConfigMap default/web-config"] == {"data[MODE]": Leaf("blue", "config")}
    deployment = snapshot.objects["apps/v1 Deployment default/web"]
    assert deployment["spec.template.spec.containers[nginx].image"] == Leaf("nginx:1.27.2", "image")
    assert deployment["spec.template.spec.containers[nginx].resources"] == Leaf("{}", "capacity")
    assert not [key for key in deployment if "creationTimestamp" in key or key.startswith("status")]
    assert snapshot.objects["v1 Service default/web"]["spec.ports[80-8080].targetPort"] == Leaf(8080, "config")
    assert snapshot.objects["v1 Secret default/web-creds"] == {"data[password]": hasher.leaf("CANARY-dryrun-pw-93c1")}


def test_json_list_and_empty_list(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "list.json",
        '{"apiVersion": "v1", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", '
        '"namespace": "x"}, "data": {"K": "1"}}], "kind": "ConfigMap' + 'List", "metadata": {}}',
    )
    assert read(path) == {"v1 ConfigMap x/a": {"data[K]": Leaf("1", "config")}}
    empty = write(tmp_path, "empty.yaml", "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: ''\n")
    assert read(empty) == {}


# --- naming and flattening rules ---------------------------------------------------------------------------------


def test_object_name_and_image_value() -> None:
    assert object_name("apps/v1", "Deployment", None, "web") == "apps/v1 Deployment default/web"
    assert object_name("apps/v1", "Deployment", "shop", "web") == "apps/v1 Deployment shop/web"
    assert object_name("rbac.authorization.k8s.io/v1", "ClusterRole", "shop", "r") == (
        "rbac.authorization.k8s.io/v1 ClusterRole r"
    )
    assert image_value("nginx:1.27.2") == "nginx:1.27.2"
    assert image_value("registry:5000/nginx:1.27.2") == "registry:5000/nginx:1.27.2"
    assert image_value("mirror.example/nginx@sha256:" + "a" * 64) == "sha256:" + "a" * 64
    assert image_value("nginx:1.27@sha256:" + "a" * 64) == "sha256:" + "a" * 64


RBAC = """
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules:
- apiGroups: [""]
  resources: [pods, configmaps]
  verbs: [get, list]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get]
"""
RBAC_REORDERED = """
# same rules, other order
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {namespace: shop, name: reader}
rules:
- verbs: [get]
  apiGroups: [apps]
  resources: [deployments]
- resources: [configmaps, pods]
  verbs: [list, get]
  apiGroups: [""]
"""


def test_lists_without_identity_are_one_sorted_value(tmp_path: Path, hasher: SecretHasher) -> None:
    first = read(write(tmp_path, "a.yaml", RBAC), hasher)
    second = read(write(tmp_path, "b.yaml", RBAC_REORDERED), hasher)
    assert first == second
    rules = first["rbac.authorization.k8s.io/v1 Role shop/reader"]["rules"]
    assert rules == Leaf(
        '[{"apiGroups": [""], "resources": ["configmaps", "pods"], "verbs": ["get", "list"]}, '
        '{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]}]',
        "config",
    )


def test_args_order_matters(tmp_path: Path) -> None:
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - {{name: a, image: i, args: {}}}\n"
    )
    first = read(write(tmp_path, "a.yaml", pod.format("[--a, --b]")))
    second = read(write(tmp_path, "b.yaml", pod.format("[--b, --a]")))
    assert first["v1 Pod default/p"]["spec.containers[a].args"] == Leaf('["--a", "--b"]', "config")
    assert second["v1 Pod default/p"]["spec.containers[a].args"] == Leaf('["--b", "--a"]', "config")


def test_repeated_env_name_is_kept_with_a_suffix(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: i\n"
        "    env: [{name: X, value: '1'}, {name: X, value: '2'}]\n",
    )
    fields = read(path)["v1 Pod default/p"]
    assert fields["spec.containers[a].env[X]"] == Leaf("1", "config")
    assert fields["spec.containers[a].env[X#2]"] == Leaf("2", "config")


# --- failures -------------------------------------------------------------------------------------------------------


def test_malformed_yaml_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a\ndata: {}\n")
    with pytest.raises(InputError) as caught:
        snap(path, SecretHasher())
    assert str(caught.value) == f"{path}:5:5: malformed YAML: did not find expected ',' or ']'"
    assert (caught.value.line, caught.value.column) == (5, 5)


def test_malformed_json_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '{"apiVersion": "v1", "kind": "ConfigMap",\n "metadata": }\n')
    with pytest.raises(InputError) as caught:
        snap(path, SecretHasher())
    assert str(caught.value) == f"{path}:2:14: malformed JSON: Expecting value"


def test_document_without_kind(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "m.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# second\napiVersion: v1\nmetadata: {name: b}\n",
    )
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value) == f"{path}:6: document 2 has no kind: not a Kubernetes object"


def test_list_item_without_kind(tmp_path: Path) -> None:
    path = write(tmp_path, "l.yaml", "apiVersion: v1\nitems:\n- apiVersion: v1\n  metadata: {name: a}\nkind: List\n")
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value) == f"{path}:1: item 1 of document 1 has no kind: not a Kubernetes object"


def test_document_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- just\n- a list\n")
    with pytest.raises(InputError) as caught:
        read(path)
    assert (
        str(caught.value)
        == f"{path}:5: document 2 is a list, expected a Kubernetes object (apiVersion, kind, metadata)"
    )


def test_object_without_name(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: x}\n")
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value) == f"{path}:1: document 1 (v1 ConfigMap) has no metadata.name"


def test_object_twice_in_one_file(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", "kind: ConfigMap\napiVersion: v1\nmetadata: {name: a}\n---\n" * 2)
    with pytest.raises(InputError) as caught:
        read(path)
    assert (
        str(caught.value)
        == f"{path}:5: v1 ConfigMap default/a is defined twice in this file: document 1 and document 2"
    )


def test_object_in_two_files(tmp_path: Path) -> None:
    (tmp_path / "env").mkdir()
    write(tmp_path, "env/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n")
    write(tmp_path, "env/b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    with pytest.raises(InputError) as caught:
        snap(tmp_path / "env", SecretHasher())
    assert str(caught.value) == (
        f"{tmp_path / 'env' / 'b.yaml'}: v1 ConfigMap default/a is defined twice in the snapshot: in a.yaml and b.yaml"
    )


def test_only_comments_and_empty_documents_read_as_no_objects(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.yaml", "# nothing here\n---\n---\n# apiVersion: v1\n")
    assert read(path) == {}


# --- many objects (timings are bench/parity_scale.py's job, not the test suite's) -----------------------------------


def test_many_objects_in_one_file_are_all_read(tmp_path: Path) -> None:
    template = (PRODUCTION / "cart.yaml").read_text().split("---\n")
    documents = [
        document.replace("name: cart\n", f"name: cart-{i}\n").replace("name: cart-config\n", f"name: cart-config-{i}\n")
        for i in range(125)
        for document in template
        if "kind: Secret" not in document
    ]
    path = write(tmp_path, "big.yaml", "---\n".join(documents))
    snapshot = snap(path, SecretHasher())
    assert len(snapshot.objects) == 500
    first, last = (
        snapshot.objects["apps/v1 Deployment shop/cart-0"],
        snapshot.objects["apps/v1 Deployment shop/cart-124"],
    )
    assert first.keys() == last.keys() and first["spec.replicas"] == last["spec.replicas"]
