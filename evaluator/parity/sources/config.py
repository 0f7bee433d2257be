"""Generic configuration files: any other JSON or YAML file whose document is a mapping of settings.

Read: files named `*.json`, `*.yaml` or `*.yml` (any case) that no earlier source claims. YAML is read with
the project's safe loader (timestamps stay text); a file of several YAML documents is read document by
document. Not detected: files the kubernetes source claims and any YAML with a column-0 `apiVersion:` and a
column-0 `kind:` or `items:` (Kubernetes objects, and kustomize build inputs, are not configuration files),
Terraform `show -json` output and inventories (their own sources). A detected file that is not a mapping of
settings is an InputError (a list or a bare value at the top level, malformed YAML with line and column,
malformed JSON with line and column).

Naming:

- object: the file's path relative to the snapshot root (`config/app.yaml`); with several non-empty YAML
  documents, `config/app.yaml#1`, `config/app.yaml#2`, … (1-based, counting non-empty documents in file
  order). An empty file or a document that holds only comments gives no object.
- field: the dotted path of a value (`database.pool.max`). A key that is not a plain identifier (a letter
  or `_`, then letters, digits, `_` or `-`) is written in brackets (`labels[app.kubernetes.io/name]`,
  `ports[8080]`), as the kubernetes source writes map keys.
- a list of scalars is one value: its JSON text, order kept (`hosts` = `["a","b"]`); an empty list is `[]`,
  an empty mapping `{}`.
- a list of mappings where every element has a distinct scalar `name` (else `id`) is keyed by it, so
  reordering the list changes nothing (`listeners[http].port`; the identity key itself is not repeated as a
  field, and an element holding nothing else is one field whose value is its identity); otherwise elements
  are keyed by position (`rules[0].path`).
- values: strings, integers, booleans and null as they are, other numbers as their text; every value goes
  through `config_leaf`, so a value whose key names a secret (`password`, `token`, `api_key` …, judged on
  the key and the identity of the list element it sits in: `env[DB_PASSWORD].value`) or that looks like a
  credential is kept only as the run's HMAC digest. Category: config.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import yaml

from evaluator.errors import InputError
from evaluator.fileio import YamlLoader, parse_json, read_bytes, yaml_error
from evaluator.parity.snapshot import Leaf, SecretHasher, Value, config_leaf, scalar
from evaluator.parity.sources.interface import SnapshotSource

JSON_SUFFIXES = (".json",)
"""File names read as JSON."""
YAML_SUFFIXES = (".yaml", ".yml")
"""File names read as YAML."""

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_K8S_API_VERSION = re.compile(rb"(?m)^apiVersion[ \t]*:")
_K8S_KIND = re.compile(rb"(?m)^(kind|items)[ \t]*:")

LeafMaker = Callable[[str, str, Any], Leaf]
"""Makes a leaf from (field path, key name that judges secrecy, raw value)."""


def key_segment(key: object) -> str:
    """A mapping key as a field path segment: plain identifiers as they are, anything else in brackets."""
    text = key_text(key)
    return text if _PLAIN_KEY.fullmatch(text) else f"[{text}]"


def key_text(key: object) -> str:
    """A mapping key as text (YAML may give booleans, numbers or null as keys)."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def join(prefix: str, key: object) -> str:
    """`prefix` extended by the mapping key `key`."""
    segment = key_segment(key)
    if not prefix or segment.startswith("["):
        return prefix + segment
    return f"{prefix}.{segment}"


def identity_segment(identity: str | int) -> str:
    """A list element's identity in brackets."""
    return f"[{identity}]"


def list_text(items: list[Any]) -> str:
    """A list of scalars as compact JSON text, order kept."""
    return json.dumps([scalar(item) for item in items], ensure_ascii=False, separators=(",", ":"))


def _identities(items: list[Any], identity_keys: tuple[str, ...]) -> tuple[str, list[str | int]] | None:
    """(key, identity of every element), by the first key every element has with distinct scalar values."""
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for key in identity_keys:
        values = [item.get(key) for item in items]
        scalars = all(isinstance(v, str | int) and not isinstance(v, bool) and v != "" for v in values)
        if scalars and len({str(v) for v in values}) == len(values):
            return key, values
    return None


def flatten(
    value: Any,
    make: LeafMaker,
    identity_keys: tuple[str, ...],
    prefix: str = "",
    name: str = "",
    is_leaf: Callable[[Any], bool] | None = None,
) -> Iterator[tuple[str, Leaf]]:
    """(field path, leaf) for every value below `value`, following the naming rules of this module."""
    if is_leaf is not None and is_leaf(value):
        yield prefix, make(prefix, name, value)
    elif isinstance(value, dict):
        if not value and prefix:
            yield prefix, make(prefix, name, "{}")
        for key, item in value.items():
            yield from flatten(item, make, identity_keys, join(prefix, key), key_text(key), is_leaf)
    elif isinstance(value, list):
        if all(not isinstance(item, dict | list) and not (is_leaf and is_leaf(item)) for item in value):
            yield prefix, make(prefix, name, list_text(value))
            return
        identities = _identities(value, identity_keys)
        for position, item in enumerate(value):
            if identities is not None:
                identity_key, identity = identities[0], identities[1][position]
                elements = {k: v for k, v in item.items() if k != identity_key}
                segment = prefix + identity_segment(identity)
                if not elements:
                    yield segment, make(segment, identity_key, identity)
                yield from _flatten_element(elements, make, identity_keys, segment, str(identity), is_leaf)
            else:
                yield from flatten(item, make, identity_keys, f"{prefix}[{position}]", name, is_leaf)
    else:
        yield prefix, make(prefix, name, value)


def _flatten_element(
    item: dict[str, Any],
    make: LeafMaker,
    identity_keys: tuple[str, ...],
    prefix: str,
    identity: str,
    is_leaf: Callable[[Any], bool] | None,
) -> Iterator[tuple[str, Leaf]]:
    """The fields of one identity-keyed list element; secrecy is judged on `identity.key`."""
    for key, inner in item.items():
        yield from flatten(inner, make, identity_keys, join(prefix, key), f"{identity}.{key_text(key)}", is_leaf)


def yaml_documents(path: Path, data: bytes) -> list[Any]:
    """Every document of a YAML file (safe loader); malformed YAML is an InputError with line and column."""
    try:
        return list(yaml.load_all(data, Loader=YamlLoader))
    except yaml.YAMLError as exc:
        raise yaml_error(path, exc) from None
    except RecursionError:
        raise InputError(path, "malformed YAML: nested too deeply") from None


def load_documents(path: Path) -> list[Any]:
    """The documents of a JSON file (one) or a YAML file (each, empty ones dropped)."""
    data = read_bytes(path)
    if path.name.lower().endswith(JSON_SUFFIXES):
        return [parse_json(data, path)]
    return [document for document in yaml_documents(path, data) if document is not None]


def type_name(value: object) -> str:
    """A JSON-ish name of a value's type for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _looks_like_kubernetes(path: Path, head: bytes) -> bool:
    """True when the kubernetes source claims the file, or YAML shows a column-0 `apiVersion:` and `kind:`."""
    from evaluator.parity.sources.kubernetes import KubernetesSource

    if KubernetesSource.detect(path, head):
        return True
    yaml_file = path.name.lower().endswith(YAML_SUFFIXES)
    return yaml_file and bool(_K8S_API_VERSION.search(head)) and bool(_K8S_KIND.search(head))


class ConfigSource(SnapshotSource):
    """Any other JSON or YAML configuration file: one object per file, dotted paths as fields."""

    format: ClassVar[str] = "config"
    description: ClassVar[str] = "JSON or YAML configuration file (a mapping of settings)"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        """A .json/.yaml/.yml file that is not Kubernetes objects, a Terraform JSON or an inventory."""
        from evaluator.parity.sources.inventory import InventorySource
        from evaluator.parity.sources.terraform import TerraformSource

        if not path.name.lower().endswith(JSON_SUFFIXES + YAML_SUFFIXES):
            return False
        if _looks_like_kubernetes(path, head):
            return False
        return not (TerraformSource.detect(path, head) or InventorySource.detect(path, head))

    def read(self, path: Path, relative: str, hasher: SecretHasher) -> dict[str, dict[str, Leaf]]:
        """One object per file (per non-empty document of a multi-document YAML file)."""
        documents = load_documents(path)
        for number, document in enumerate(documents, start=1):
            if not isinstance(document, dict):
                where = f"document {number} is" if len(documents) > 1 else "top level is"
                raise InputError(path, f"not a configuration mapping: the {where} {type_name(document)}")

        def make(field: str, name: str, value: Any) -> Leaf:
            leaf_value: Value = scalar(value)
            return config_leaf(name or field, leaf_value, hasher)

        objects: dict[str, dict[str, Leaf]] = {}
        for number, document in enumerate(documents, start=1):
            name = relative if len(documents) == 1 else f"{relative}#{number}"
            objects[name] = dict(flatten(document, make, ("name", "id")))
        return objects
