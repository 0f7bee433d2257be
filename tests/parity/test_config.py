"""Generic JSON/YAML configuration source: naming, lists, reordering, secrets, detection and failure paths."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evaluator.errors import InputError
from evaluator.parity.compare import align_single_files, compare
from evaluator.parity.snapshot import Leaf, SecretHasher
from evaluator.parity.sources import SOURCES, detect_source, load_snapshot
from evaluator.parity.sources.config import ConfigSource
from evaluator.parity.sources.kubernetes import KubernetesSource

DATA = Path(__file__).parent.parent / "data" / "parity" / "config"
PARITY_DATA = DATA.parent
CANARIES = ("CANARY-config-prod-pass-12ef", "CANARY-config-staging-pass-34ab", "CANARY-config-json-url-56cd")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def read(path: Path, hasher: SecretHasher, relative: str = "app.yaml") -> dict[str, Leaf]:
    """The fields of a one-document configuration file read under the name `relative`."""
    objects = ConfigSource().read(path, relative, hasher)
    assert list(objects) == [relative]
    return objects[relative]


def test_config_is_registered_last() -> None:
    assert SOURCES[-1] is ConfigSource


def test_production_yaml_fields() -> None:
    hasher = SecretHasher()
    assert read(DATA / "app-production.yaml", hasher) == {
        "server.port": Leaf(8080, "config"),
        "server.hosts": Leaf('["cart.example","www.cart.example"]', "config"),
        "server.timeout_seconds": Leaf("2.5", "config"),
        "database.host": Leaf("db.prod.internal", "config"),
        "database.pool.min": Leaf(5, "config"),
        "database.pool.max": Leaf(50, "config"),
        "database.password": Leaf(hasher.digest("CANARY-config-prod-pass-12ef"), "secret"),
        "listeners[http].port": Leaf(80, "config"),
        "listeners[admin].port": Leaf(9090, "config"),
        "listeners[admin].bind": Leaf("127.0.0.1", "config"),
        "features[0].checkout": Leaf(True, "config"),
        "features[1].wishlist": Leaf(False, "config"),
        "labels[app.kubernetes.io/name]": Leaf("cart", "config"),
        "started": Leaf("2026-11-27T10:00:00Z", "config"),
        "empty_list": Leaf("[]", "config"),
        "empty_map": Leaf("{}", "config"),
    }


def test_json_fields() -> None:
    hasher = SecretHasher()
    assert read(DATA / "settings.json", hasher, "settings.json") == {
        "service": Leaf("cart", "config"),
        "retries": Leaf(3, "config"),
        "ratio": Leaf("0.25", "config"),
        "big": Leaf(1000, "config"),
        "tags": Leaf('["a","b"]', "config"),
        "upstreams[7].url": Leaf("https://api.example", "config"),
        "upstreams[9].url": Leaf(hasher.digest("https://token:CANARY-config-json-url-56cd@hooks.example"), "secret"),
        "nested.deeper.flag": Leaf(None, "config"),
        "[odd key][x.y]": Leaf(1, "config"),
    }


def test_reordered_keys_lists_by_name_and_comments_give_the_same_snapshot() -> None:
    hasher = SecretHasher()
    assert read(DATA / "app-reordered.yaml", hasher) == read(DATA / "app-production.yaml", hasher)


def test_staging_differences_and_no_secret_in_the_item() -> None:
    hasher = SecretHasher()
    prod = load_snapshot(DATA / "app-production.yaml", hasher)
    staging = load_snapshot(DATA / "app-staging.yaml", hasher)
    assert prod.source == staging.source == "config"
    align_single_files(prod, staging)
    parity = compare(prod, staging, None, ("production", "staging"), NOW)
    found = {d.field: (d.category, d.baseline, d.candidate, d.secret) for d in parity.differences}
    assert found == {
        "server.hosts": ("config", '["cart.example","www.cart.example"]', '["www.cart.example","cart.example"]', None),
        "server.timeout_seconds": ("config", "2.5", 5, None),
        "database.host": ("config", "db.prod.internal", "db.staging.internal", None),
        "database.pool.min": ("config", 5, 1, None),
        "database.pool.max": ("config", 50, 10, None),
        "database.password": ("secret", None, None, "differs"),
        "listeners[admin].port": ("missing", 9090, None, None),
        "listeners[admin].bind": ("missing", "127.0.0.1", None, None),
        "features[0].checkout": ("missing", True, None, None),
        "features[0].wishlist": ("extra", None, False, None),
        "features[1].checkout": ("extra", None, True, None),
        "features[1].wishlist": ("missing", False, None, None),
    }
    text = json.dumps(parity.model_dump(mode="json")) + repr(prod) + repr(staging)
    for canary in CANARIES:
        assert canary not in text


def test_secret_named_key_inside_an_identity_list(tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_text("env:\n  - name: DB_PASSWORD\n    value: hunter2-canary\n  - name: MODE\n    value: fast\n")
    hasher = SecretHasher()
    assert read(path, hasher) == {
        "env[DB_PASSWORD].value": hasher.leaf("hunter2-canary"),
        "env[MODE].value": Leaf("fast", "config"),
    }


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("items: [{name: a}, {name: b}]\n", {"items[a]": Leaf("a", "config"), "items[b]": Leaf("b", "config")}),
        (
            "items: [{name: a}, {name: a, x: 1}]\n",
            {
                "items[0].name": Leaf("a", "config"),
                "items[1].name": Leaf("a", "config"),
                "items[1].x": Leaf(1, "config"),
            },
        ),
        ("items: [{id: 2, x: 1}, {id: 1, x: 2}]\n", {"items[2].x": Leaf(1, "config"), "items[1].x": Leaf(2, "config")}),
        ("items: [[1, 2], [3]]\n", {"items[0]": Leaf("[1,2]", "config"), "items[1]": Leaf("[3]", "config")}),
        ("items: [1, {a: 1}]\n", {"items[0]": Leaf(1, "config"), "items[1].a": Leaf(1, "config")}),
        (
            "2: two\ntrue: yes\n~: z\n",
            {"[2]": Leaf("two", "config"), "true": Leaf(True, "config"), "null": Leaf("z", "config")},
        ),
        ("{}\n", {}),
    ],
)
def test_list_and_key_naming(tmp_path: Path, text: str, fields: dict[str, Leaf]) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(text)
    assert read(path, SecretHasher()) == fields


def test_multi_document_yaml() -> None:
    objects = ConfigSource().read(DATA / "multi.yaml", "multi.yaml", SecretHasher())
    assert objects == {
        "multi.yaml#1": {"name": Leaf("first", "config"), "level": Leaf(1, "config")},
        "multi.yaml#2": {"name": Leaf("second", "config"), "level": Leaf(2, "config")},
    }


def test_comment_only_yaml_gives_no_object(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing here yet\n")
    assert ConfigSource().read(path, "empty.yaml", SecretHasher()) == {}


def test_kubernetes_yaml_is_not_config() -> None:
    path = DATA / "deployment.yaml"
    head = path.read_bytes()
    assert not ConfigSource.detect(path, head)
    assert detect_source(path) is KubernetesSource
    kustomization = b"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n"
    assert not ConfigSource.detect(Path("kustomization.yaml"), kustomization)
    k8s_list = b"apiVersion: v1\nitems: []\n"
    assert not ConfigSource.detect(Path("list.yaml"), k8s_list)


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.yaml", b"a: 1\n", True),
        ("a.YML", b"a: 1\n", True),
        ("a.json", b'{"a": 1}', True),
        ("a.json", b'{"kind": "Pod", "apiVersion": "v1"}', False),
        ("a.json", b'{"format_version": "1.0", "terraform_version": "1.9.0"}', False),
        ("a.yaml", b"inventory: 1\nservices: {}\n", False),
        ("a.yaml", b"kind: Note\n", True),
        ("a.toml", b"a = 1\n", False),
        ("a.env", b"A=1\n", False),
    ],
)
def test_detect(name: str, head: bytes, expected: bool) -> None:
    assert ConfigSource.detect(Path(name), head) is expected


def test_every_parity_data_file_goes_to_the_expected_source() -> None:
    expected = {"terraform": "terraform", "dotenv": "dotenv", "inventory": "inventory", "config": "config"}
    for folder, source in expected.items():
        for path in sorted((PARITY_DATA / folder).rglob("*")):
            if not path.is_file() or path.suffix in (".md", ".tf", ".tfvars"):
                continue
            found = detect_source(path)
            wanted = "kubernetes" if path.name == "deployment.yaml" else source
            assert found is not None and found.format == wanted, path


def test_directory_snapshot_reads_each_file_by_its_source() -> None:
    snapshot = load_snapshot(DATA, SecretHasher())
    assert snapshot.source == "mixed"
    assert sorted(snapshot.objects) == [
        "app-production.yaml",
        "app-reordered.yaml",
        "app-staging.yaml",
        "apps/v1 Deployment default/cart",
        "multi.yaml#1",
        "multi.yaml#2",
        "settings.json",
    ]
    assert "SOURCES.md" not in dict(snapshot.files)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "app.yaml",
            b"server:\n  port: 8080\n  hosts: [a, b\nother: 1\n",
            "app.yaml:4:6: malformed YAML: expected ',' or ']', but got ':'",
        ),
        ("app.yaml", b"a: 1\n b: 2\n", "app.yaml:2:3: malformed YAML: mapping values are not allowed here"),
        ("app.yaml", b"a: 'open\n", "app.yaml:2:1: malformed YAML: found unexpected end of stream"),
        ("app.yaml", b"- a\n- b\n", "app.yaml: not a configuration mapping: the top level is a list"),
        ("app.yaml", b"just text\n", "app.yaml: not a configuration mapping: the top level is a string"),
        ("app.yaml", b"a: 1\n---\n- x\n", "app.yaml: not a configuration mapping: the document 2 is a list"),
        ("app.json", b'{"a": 1,\n "b": }\n', "app.json:2:7: malformed JSON: Expecting value"),
        ("app.json", b"", "app.json: file is empty, expected JSON"),
        ("app.json", b"[1, 2]", "app.json: not a configuration mapping: the top level is a list"),
        ("app.json", b"42", "app.json: not a configuration mapping: the top level is a number"),
    ],
)
def test_failure_paths(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert detect_source(path) is ConfigSource
    with pytest.raises(InputError) as caught:
        load_snapshot(path, SecretHasher())
    assert str(caught.value).replace(str(path), name) == message
