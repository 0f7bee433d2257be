"""Inventory source: the documented format, its JSON Schema, detection, differences and failure paths."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from evaluator.errors import InputError
from evaluator.fileio import load_yaml
from evaluator.parity.compare import compare
from evaluator.parity.snapshot import Leaf, SecretHasher
from evaluator.parity.sources import detect_source, load_snapshot
from evaluator.parity.sources.inventory import InventorySource, image_value
from evaluator.resources import schemas_dir

DATA = Path(__file__).parent.parent / "data" / "parity" / "inventory"
SCHEMA = json.loads((schemas_dir() / "parity-inventory.v1.schema.json").read_text())
DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def read(path: Path) -> dict[str, dict[str, Leaf]]:
    """The objects of one inventory file."""
    return InventorySource().read(path, path.name, SecretHasher())


def schema_errors(document: Any) -> list[str]:
    """What the JSON Schema says about `document`."""
    return [error.message for error in jsonschema.Draft202012Validator(SCHEMA).iter_errors(document)]


def test_production_inventory() -> None:
    assert read(DATA / "production.yaml") == {
        "service cart": {"version": Leaf("1.4.2", "version"), "image": Leaf(DIGEST_A, "image")},
        "service payments": {"version": Leaf("2.0.1", "version")},
        "service search": {"image": Leaf("registry.example/search:7.17", "image")},
    }


def test_reordered_json_with_mirror_of_same_digest_gives_the_same_snapshot() -> None:
    assert read(DATA / "production-reordered.json") == read(DATA / "production.yaml")


def test_staging_differences() -> None:
    hasher = SecretHasher()
    prod = load_snapshot(DATA / "production.yaml", hasher)
    staging = load_snapshot(DATA / "staging.json", hasher)
    assert prod.source == staging.source == "inventory"
    parity = compare(prod, staging, None, ("production", "staging"), NOW)
    found = {(d.object, d.field): (d.category, d.baseline, d.candidate) for d in parity.differences}
    assert found == {
        ("service cart", "version"): ("version", "1.4.2", "1.5.0-rc.1"),
        ("service cart", "image"): ("image", DIGEST_A, DIGEST_B),
        ("service search", "image"): ("image", "registry.example/search:7.17", "registry.example/search:8.11"),
        ("service recommendations", ""): ("extra", None, None),
    }


@pytest.mark.parametrize("path", sorted(DATA.glob("*.json")) + sorted(DATA.glob("*.yaml")), ids=lambda p: p.name)
def test_every_data_file_is_detected_and_valid_against_the_schema(path: Path) -> None:
    assert detect_source(path) is InventorySource
    document = json.loads(path.read_text()) if path.suffix == ".json" else load_yaml(path)
    assert schema_errors(document) == []


@pytest.mark.parametrize(
    ("reference", "value"),
    [
        ("registry.example/cart:1.4.2@" + DIGEST_A, DIGEST_A),
        ("registry.example/cart@" + DIGEST_A.upper().replace("SHA256", "sha256"), DIGEST_A),
        ("registry.example/cart:1.4.2", "registry.example/cart:1.4.2"),
        ("cart", "cart"),
    ],
)
def test_image_compared_by_digest_when_present(reference: str, value: str) -> None:
    assert image_value(reference) == value


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("inv.yaml", b"# comment\ninventory: 1\nservices: {}\n", True),
        ("inv.yml", b"services: {}\ninventory: 2\n", True),
        ("inv.json", b'{"services": {}, "inventory": 1}', True),
        ("inv.yaml", b"ansible:\n  inventory: hosts.ini\n", False),
        ("inv.yaml", b"inventory: hosts.ini\n", False),
        ("inv.json", b'{"inventory": "hosts"}', False),
        ("inv.txt", b"inventory: 1\n", False),
    ],
)
def test_detect(name: str, head: bytes, expected: bool) -> None:
    assert InventorySource.detect(Path(name), head) is expected


NUMBER_HINT = " (quote it: YAML reads an unquoted 2.10 as the number 2.1)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("inventory: 2\nservices: {}\n", "inv.yaml: unsupported inventory version 2 (supported: 1)"),
        ("inventory: 1.5\nservices: {}\n", "inv.yaml: unsupported inventory version 1.5 (supported: 1)"),
        (
            "inventory: 1\n",
            "inv.yaml: services is missing: expected a mapping of service name to version or {version, image}",
        ),
        (
            "inventory: 1\nservices: [cart]\n",
            "inv.yaml: services is a list, expected a mapping of service name to version or {version, image}",
        ),
        (
            "inventory: 1\nservices: {}\nextra: 1\n",
            "inv.yaml: unknown key 'extra' (allowed: environment, inventory, services)",
        ),
        ("inventory: 1\nenvironment: 3\nservices: {}\n", "inv.yaml: environment is a number, expected a string"),
        (
            "inventory: 1\nservices:\n  payments: 2.10\n",
            "inv.yaml: services.payments is a number, expected a version string or {version, image}" + NUMBER_HINT,
        ),
        (
            "inventory: 1\nservices:\n  cart: {version: 1.4}\n",
            "inv.yaml: services.cart.version is a number, expected a string" + NUMBER_HINT,
        ),
        (
            "inventory: 1\nservices:\n  cart: {tag: '1.4'}\n",
            "inv.yaml: services.cart: unknown key 'tag' (allowed: image, version)",
        ),
        ("inventory: 1\nservices:\n  cart: {}\n", "inv.yaml: services.cart: neither version nor image"),
        ("inventory: 1\nservices:\n  cart: {image: ''}\n", "inv.yaml: services.cart.image is empty"),
        (
            "inventory: 1\nservices:\n  cart: [1]\n",
            "inv.yaml: services.cart is a list, expected a version string or {version, image}",
        ),
        (
            "inventory: 1\nservices: {}\n---\ninventory: 1\nservices: {}\n",
            "inv.yaml: an inventory is one document, found 2",
        ),
        (
            "inventory: 1\nservices: {cart: '1.0'\n",
            "inv.yaml:3:1: malformed YAML: expected ',' or '}', but got '<stream end>'",
        ),
    ],
)
def test_failure_paths(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "inv.yaml"
    path.write_text(text)
    assert detect_source(path) is InventorySource
    with pytest.raises(InputError) as caught:
        load_snapshot(path, SecretHasher())
    assert str(caught.value).replace(str(path), "inv.yaml") == message
    try:
        document = load_yaml(path)
    except InputError:
        return
    if "one document" not in message:
        assert schema_errors(document), "the schema rejects what the reader rejects"


def test_malformed_json_inventory(tmp_path: Path) -> None:
    path = tmp_path / "inv.json"
    path.write_text('{"inventory": 1, "services": {"cart": "1.0",}}')
    with pytest.raises(InputError) as caught:
        load_snapshot(path, SecretHasher())
    assert str(caught.value) == f"{path}:1:45: malformed JSON: Expecting property name enclosed in double quotes"
