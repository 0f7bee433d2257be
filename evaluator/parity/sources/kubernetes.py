"""Kubernetes manifests: multi-document YAML, JSON manifests and `kubectl get -o yaml|json` lists.

Read: any `.yaml`/`.yml`/`.json` file of Kubernetes objects (documents with `apiVersion` and `kind`), such as
hand-written manifests, `kubectl kustomize` / `helm template` output, `kubectl create … --dry-run=client -o yaml`
and `kubectl get -o yaml|json` (`kind: List`, or any `*List` kind, whose `items` are read as objects). Empty
documents and comments are skipped. Detection: the file name ends in .yaml/.yml/.json, is not a kustomize build
input (`kustomization.yaml`), and its first 64 KiB has a column-0 `apiVersion:` plus column-0 `kind:` and
`metadata:`, or a column-0 `items:` (a list whose `kind: List` may come after 64 KiB) (YAML; a kubeconfig or
a tool's `kind: Config` without metadata is not a manifest), or the JSON document's first key is
`"apiVersion"` or `"kind"` (kubectl writes `"kind"` first for objects and `"apiVersion"` first for lists).

Object names: `"{apiVersion} {kind} {namespace}/{name}"`, e.g. `"apps/v1 Deployment shop/cart"`; cluster-scoped
kinds (Namespace, ClusterRole, CustomResourceDefinition … see `CLUSTER_SCOPED`) are `"{apiVersion} {kind}
{name}"`. A namespaced object without `metadata.namespace` is in `default`, as kubectl applies it (a custom
cluster-scoped kind not in `CLUSTER_SCOPED` is therefore named `…/default/name` on both sides alike).

Fields: dotted paths from the object's root (`spec.replicas`, `metadata.labels[app]`). List items are keyed by
identity, never by position:

- containers / initContainers / ephemeralContainers, volumes, imagePullSecrets, and any list whose items all
  have a distinct `name`: by name (`spec.template.spec.containers[app].image`);
- env by name (`…containers[app].env[LOG_LEVEL]`): a literal value as is (through `config_leaf`, so secret
  names and credential-shaped values are hashed), a reference as text: `secretKeyRef:NAME/KEY`,
  `configMapKeyRef:NAME/KEY`, `fieldRef:PATH`, `resourceFieldRef:CONTAINER/RESOURCE`;
- envFrom by `configMapRef:NAME` / `secretRef:NAME`; volumeMounts by mountPath; ports (container and Service) by
  name, else by containerPort/port (`8080`, or `53/UDP` for a non-TCP protocol); Ingress rules by host (`*` when
  absent) and their paths by path; Ingress tls by secretName; RBAC subjects by `KIND:NAME`; volumeClaimTemplates
  by metadata.name; lists whose items all have a distinct scalar `key` (tolerations, matchExpressions, items):
  by key; the identity field itself is not repeated as a field;
- a list of objects with no identity (e.g. RBAC rules) is one field: its items as sorted canonical JSON text
  (hashed as a whole when any key inside is secret-named); a repeated identity in containers, env or volumes
  (invalid, or last-wins in Kubernetes) is kept as `NAME#2`, elsewhere it makes the list one field;
- a list of scalars is one field holding JSON text: in order (args, command, and by default), or sorted for the
  set-like fields in `UNORDERED` (verbs, hosts, accessModes, capabilities …);
- map keys are `.key` when they are plain identifiers, else `[key]`; labels, annotations, matchLabels,
  nodeSelector, a Service's label `selector` and ConfigMap/Secret `data` are free-form maps and always `[key]`
  (`data[LOG_LEVEL]`, `metadata.labels[app.kubernetes.io/name]`);
- an empty map is the value "{}" and an empty list "[]" (`emptyDir: {}` is configuration).

Skipped as volatile or bookkeeping: `status`, metadata `uid`, `resourceVersion`, `generation`,
`creationTimestamp`, `managedFields`, `selfLink`, `deletionTimestamp`, `ownerReferences` (at any level of
metadata); the annotations `kubectl.kubernetes.io/last-applied-configuration` (it holds a copy of the object,
Secret data included), `kubectl.kubernetes.io/restartedAt`, `deployment.kubernetes.io/revision`,
`deprecated.daemonset.template.generation` and helm's `meta.helm.sh/*` (release bookkeeping: how the object was
installed, not what runs); the labels `pod-template-hash` and `controller-revision-hash`; and a Service's
cluster-assigned `spec.clusterIP`/`clusterIPs` unless "None" (headless).

Categories: any `image` field is "image" and holds the digest (`sha256:…`) when the reference has `@sha256:`,
else the full reference (so a tag change and a digest change are caught, a mirror with the same digest is not);
the labels `app.kubernetes.io/version` and `helm.sh/chart` are "version"; `replicas`, `minReplicas`,
`maxReplicas` and everything below a `resources` map (requests/limits, as the quantity text) are "capacity";
Secret `data` (base64-decoded first) and `stringData` merge into `data[KEY]` (stringData wins, as the API
server does) and are secret leaves holding only the run's HMAC; ConfigMap `binaryData` is "config" holding
`sha256:` of the decoded bytes; every other scalar is "config" through `config_leaf` (secret-named keys and
credential-shaped values are hashed), except reference fields (`*Name`, `*Ref`, `name`, `key`) that are only
hashed when the value itself looks like a credential.

Parsing uses libyaml (`yaml.CSafeLoader`) with `YamlLoader`'s resolvers (timestamps stay text) when PyYAML has
it, one document at a time, so reading is linear in the file size; a repeated mapping key keeps its last value
(as kubectl does). Errors: malformed YAML/JSON with line and column; a document that is not a mapping, has no
apiVersion/kind, or no metadata.name, an object twice in one file, or Secret data that is not base64 (the key
named, never the value): one line with the document's first line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import yaml

from evaluator.errors import InputError
from evaluator.fileio import YamlLoader, parse_json, read_bytes, yaml_error
from evaluator.parity.snapshot import (
    Leaf,
    LeafCategory,
    SecretHasher,
    config_leaf,
    is_secret_key,
    looks_like_credential,
    scalar,
)
from evaluator.parity.sources.interface import SnapshotSource

__all__ = ["CLUSTER_SCOPED", "UNORDERED", "KubernetesSource", "image_value", "object_name"]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YamlLoader's resolvers (timestamps stay strings) on the libyaml parser when it is available."""


_Loader.yaml_implicit_resolvers = YamlLoader.yaml_implicit_resolvers

CLUSTER_SCOPED = frozenset(
    {
        "APIService",
        "CertificateSigningRequest",
        "ClusterIssuer",
        "ClusterRole",
        "ClusterRoleBinding",
        "ComponentStatus",
        "CSIDriver",
        "CSINode",
        "CustomResourceDefinition",
        "FlowSchema",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PodSecurityPolicy",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)
"""Built-in (and common) kinds that have no namespace."""

UNORDERED = frozenset(
    {
        "accessModes",
        "add",
        "apiGroups",
        "drop",
        "externalIPs",
        "finalizers",
        "hosts",
        "nonResourceURLs",
        "resourceNames",
        "resources",
        "values",
        "verbs",
    }
)
"""Lists of scalars that are sets: compared sorted. Every other list of scalars keeps its order."""

_YAML_SUFFIXES = (".yaml", ".yml")
_KUSTOMIZE_INPUTS = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
_YAML_API = re.compile(rb"(?m)^apiVersion[ \t]*:")
_YAML_KIND = re.compile(rb"(?m)^kind[ \t]*:")
_YAML_ITEMS = re.compile(rb"(?m)^items[ \t]*:")
_YAML_BODY = re.compile(rb"(?m)^(metadata|items)[ \t]*:")
_JSON_FIRST_KEY = re.compile(rb'\A(\xef\xbb\xbf)?\s*\{\s*"(apiVersion|kind)"\s*:')
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_REFERENCE_KEY = re.compile(r"(Name|Ref|^name|^key)\Z")
_FREE_FORM = frozenset({"labels", "annotations", "data", "stringData", "matchLabels", "nodeSelector", "selector"})
_VOLATILE_METADATA = frozenset(
    {
        "creationTimestamp",
        "deletionGracePeriodSeconds",
        "deletionTimestamp",
        "generation",
        "managedFields",
        "ownerReferences",
        "resourceVersion",
        "selfLink",
        "uid",
    }
)
_VOLATILE_ANNOTATIONS = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        "kubectl.kubernetes.io/restartedAt",
        "deployment.kubernetes.io/revision",
        "deprecated.daemonset.template.generation",
    }
)
_VOLATILE_LABELS = frozenset({"pod-template-hash", "controller-revision-hash"})
_VERSION_LABELS = frozenset({"app.kubernetes.io/version", "helm.sh/chart"})
_CAPACITY_KEYS = frozenset({"replicas", "minReplicas", "maxReplicas"})


def object_name(api_version: str, kind: str, namespace: str | None, name: str) -> str:
    """The object's name in a snapshot: 'apiVersion kind namespace/name', or without namespace when cluster-scoped."""
    if kind in CLUSTER_SCOPED:
        return f"{api_version} {kind} {name}"
    return f"{api_version} {kind} {namespace or 'default'}/{name}"


def image_value(reference: str) -> str:
    """An image field's value: the digest ('sha256:…') when the reference pins one, else the whole reference."""
    _, at, digest = reference.rpartition("@")
    return digest if at and digest.startswith("sha256:") else reference


def _key_text(value: object) -> str:
    """An identity value as path text."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _port_id(item: dict[str, Any]) -> str | None:
    """A port's identity: its name, else its number (with a non-TCP protocol)."""
    if item.get("name"):
        return str(item["name"])
    number = item.get("containerPort", item.get("port"))
    if number is None:
        return None
    protocol = item.get("protocol")
    return f"{number}/{protocol}" if protocol and protocol != "TCP" else str(number)


def _env_from_id(item: dict[str, Any]) -> str | None:
    """An envFrom entry's identity: 'configMapRef:NAME' or 'secretRef:NAME' (with its prefix, if any)."""
    for ref in ("configMapRef", "secretRef"):
        target = item.get(ref)
        if isinstance(target, dict) and target.get("name"):
            prefix = item.get("prefix")
            return f"{ref}:{target['name']}" + (f" prefix={prefix}" if prefix else "")
    return None


def _rule_id(item: dict[str, Any]) -> str | None:
    """An Ingress rule's identity: its host, '*' when it has none (None for RBAC-style rules)."""
    if "host" in item or "http" in item:
        return str(item.get("host") or "*")
    return None


def _tls_id(item: dict[str, Any]) -> str | None:
    """An Ingress tls entry's identity: its secretName, else its sorted hosts."""
    if item.get("secretName"):
        return str(item["secretName"])
    hosts = item.get("hosts")
    return ",".join(sorted(str(h) for h in hosts)) if isinstance(hosts, list) and hosts else None


def _field(name: str) -> Callable[[dict[str, Any]], str | None]:
    """Identity from one scalar field of the item."""

    def identity(item: dict[str, Any]) -> str | None:
        value = item.get(name)
        return None if value is None or isinstance(value, dict | list) else _key_text(value)

    return identity


def _subject_id(item: dict[str, Any]) -> str | None:
    """An RBAC subject's identity: 'KIND:NAME' (with its namespace)."""
    if not item.get("name"):
        return None
    namespace = f"{item['namespace']}/" if item.get("namespace") else ""
    return f"{item.get('kind', '')}:{namespace}{item['name']}"


def _claim_template_id(item: dict[str, Any]) -> str | None:
    """A volumeClaimTemplate's identity: its metadata.name."""
    metadata = item.get("metadata")
    return str(metadata["name"]) if isinstance(metadata, dict) and metadata.get("name") else None


_IDENTITY: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "envFrom": _env_from_id,
    "ports": _port_id,
    "rules": _rule_id,
    "paths": lambda item: str(item.get("path") or "*"),
    "tls": _tls_id,
    "volumeMounts": _field("mountPath"),
    "volumeDevices": _field("devicePath"),
    "subjects": _subject_id,
    "volumeClaimTemplates": _claim_template_id,
    "hostAliases": _field("ip"),
    "topologySpreadConstraints": _field("topologyKey"),
}
_IDENTITY_FIELDS = frozenset(
    {"name", "key", "host", "path", "secretName", "mountPath", "devicePath", "ip", "topologyKey"}
)
"""Fields not repeated below an item when their value is the item's identity."""
_REPEATABLE = frozenset({"containers", "initContainers", "ephemeralContainers", "env", "volumes"})
"""Lists keyed by name even when a name repeats (invalid or last-wins in Kubernetes): the repeat is 'NAME#2'."""


def _canonical(value: object) -> str:
    """Canonical JSON text of a value (sorted keys)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


class KubernetesSource(SnapshotSource):
    """Kubernetes manifests (YAML/JSON, multi-document, kubectl lists) -> objects by apiVersion/kind/namespace/name."""

    format: ClassVar[str] = "kubernetes"
    description: ClassVar[str] = (
        "Kubernetes manifests: multi-document YAML/JSON, rendered Helm/Kustomize, kubectl lists"
    )

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        """A .yaml/.yml/.json file (not a kustomization) that starts like a Kubernetes object or list."""
        suffix = path.suffix.lower()
        if path.name in _KUSTOMIZE_INPUTS:
            return False
        if suffix in _YAML_SUFFIXES:
            if _YAML_API.search(head) is None or _YAML_BODY.search(head) is None:
                return False
            return _YAML_KIND.search(head) is not None or _YAML_ITEMS.search(head) is not None
        if suffix == ".json":
            return _JSON_FIRST_KEY.match(head) is not None
        return False

    def read(self, path: Path, relative: str, hasher: SecretHasher) -> dict[str, dict[str, Leaf]]:
        """Every object of the file, flattened; a malformed file or object is an InputError with its place."""
        data = read_bytes(path)
        documents = self._json_documents(data, path) if path.suffix.lower() == ".json" else _yaml_documents(data, path)
        objects: dict[str, dict[str, Leaf]] = {}
        where: dict[str, str] = {}
        for number, line, document in documents:
            for label, manifest in _manifests(document, number, line, path):
                name = _name_of(manifest, label, line, path)
                if name in objects:
                    raise InputError(path, f"{name} is defined twice in this file: {where[name]} and {label}", line)
                where[name] = label
                objects[name] = _Flattener(hasher, path, line, label).object_fields(manifest)
        return objects

    @staticmethod
    def _json_documents(data: bytes, path: Path) -> list[tuple[int, int | None, object]]:
        """The single document of a JSON file."""
        return [(1, None, parse_json(data, path))]


def _yaml_documents(data: bytes, path: Path) -> Iterator[tuple[int, int | None, object]]:
    """(document number, first line, value) of each non-empty YAML document; YAML errors located."""
    loader = _Loader(data)
    number = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            number += 1
            if node is None:
                continue
            value = loader.construct_document(node)
            if value is not None:
                yield number, node.start_mark.line + 1, value
    except yaml.YAMLError as exc:
        raise yaml_error(path, exc) from None
    finally:
        loader.dispose()


def _manifests(document: object, number: int, line: int | None, path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """The objects of one document: itself, or the items of a List."""
    label = f"document {number}"
    manifest = _checked(document, label, line, path)
    kind = manifest["kind"]
    if kind.endswith("List") and "items" in manifest:
        items = manifest["items"]
        if items is None:
            return
        if not isinstance(items, list):
            raise InputError(path, f"{label}: {kind} items is not a list", line)
        for index, item in enumerate(items, 1):
            yield f"item {index} of {label}", _checked(item, f"item {index} of {label}", line, path)
        return
    yield label, manifest


def _checked(value: object, label: str, line: int | None, path: Path) -> dict[str, Any]:
    """A document that is a Kubernetes object (a mapping with apiVersion and kind), else an InputError."""
    if not isinstance(value, dict):
        what = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
            type(value), type(value).__name__
        )
        raise InputError(path, f"{label} is {what}, expected a Kubernetes object (apiVersion, kind, metadata)", line)
    for key in ("apiVersion", "kind"):
        if not isinstance(value.get(key), str) or not value[key]:
            raise InputError(path, f"{label} has no {key}: not a Kubernetes object", line)
    return value


def _name_of(manifest: dict[str, Any], label: str, line: int | None, path: Path) -> str:
    """The object's snapshot name, or an InputError when it has no metadata.name."""
    metadata = manifest.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        raise InputError(path, f"{label} ({manifest['apiVersion']} {manifest['kind']}) has no metadata.name", line)
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    return object_name(manifest["apiVersion"], manifest["kind"], str(namespace) if namespace else None, name)


class _Flattener:
    """Flattens one object into field -> leaf."""

    def __init__(self, hasher: SecretHasher, path: Path, line: int | None, label: str) -> None:
        self.hasher = hasher
        self.path = path
        self.line = line
        self.label = label
        self.out: dict[str, Leaf] = {}

    def object_fields(self, manifest: dict[str, Any]) -> dict[str, Leaf]:
        """Every field of the object, volatile ones skipped."""
        kind = manifest["kind"]
        for key, value in manifest.items():
            key = str(key)
            if key in ("apiVersion", "kind", "status"):
                continue
            if key == "metadata" and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k not in ("name", "namespace")}
                if not value:
                    continue
            if kind == "Secret" and key in ("data", "stringData"):
                continue
            if kind == "ConfigMap" and key == "binaryData" and isinstance(value, dict):
                for entry, content in value.items():
                    digest = hashlib.sha256(self._decode(entry, content, "binaryData")).hexdigest()
                    self.out[f"binaryData[{entry}]"] = Leaf(f"sha256:{digest}", "config")
                continue
            if kind == "Service" and key == "spec" and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k not in ("clusterIP", "clusterIPs") or _headless(v)}
            self.walk(value, self.child("", key, False), key, None)
        if kind == "Secret":
            self.secret_data(manifest)
        return self.out

    def secret_data(self, manifest: dict[str, Any]) -> None:
        """Secret data (base64-decoded) and stringData, merged into data[KEY] and hashed."""
        values: dict[str, bytes] = {}
        data = manifest.get("data")
        if isinstance(data, dict):
            for key, value in data.items():
                values[str(key)] = self._decode(str(key), value, "data")
        elif data is not None:
            raise InputError(self.path, f"{self.label}: Secret data is not a mapping", self.line)
        string_data = manifest.get("stringData")
        if isinstance(string_data, dict):
            for key, value in string_data.items():
                values[str(key)] = b"" if value is None else str(scalar(value)).encode("utf-8")
        elif string_data is not None:
            raise InputError(self.path, f"{self.label}: Secret stringData is not a mapping", self.line)
        for key, value in values.items():
            self.out[f"data[{key}]"] = self.hasher.leaf(value)

    def _decode(self, key: str, value: object, where: str) -> bytes:
        """Base64-decoded bytes of a data value, or an InputError that never shows the value."""
        if value is None:
            return b""
        try:
            return base64.b64decode(str(value).encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise InputError(self.path, f"{self.label}: {where}[{key}] is not valid base64", self.line) from None

    @staticmethod
    def child(path: str, key: str, free_form: bool) -> str:
        """The path of a map entry: '.key' for plain keys of structured maps, else '[key]'."""
        if free_form or not _PLAIN_KEY.match(key):
            return f"{path}[{key}]"
        return f"{path}.{key}" if path else key

    def walk(self, value: object, path: str, name: str, category: LeafCategory | None) -> None:
        """Flatten `value` found at `path` under the key `name`; `category` is inherited (capacity below resources)."""
        if isinstance(value, dict):
            self.walk_map(value, path, name, category)
        elif isinstance(value, list):
            self.walk_list(value, path, name, category)
        else:
            self.leaf(path, name, value, category)

    def walk_map(self, value: dict[Any, Any], path: str, name: str, category: LeafCategory | None) -> None:
        """A mapping: each entry, volatile metadata and annotations skipped."""
        if not value:
            self.out[path] = Leaf("{}", category or "config")
            return
        free_form = name in _FREE_FORM and (
            name != "selector" or not any(isinstance(v, dict | list) for v in value.values())
        )
        for key, entry in value.items():
            key = str(key)
            if name == "metadata" and key in _VOLATILE_METADATA:
                continue
            if name == "annotations" and (key in _VOLATILE_ANNOTATIONS or key.startswith("meta.helm.sh/")):
                continue
            if name == "labels" and key in _VOLATILE_LABELS:
                continue
            child_category = category
            if name == "labels" and key in _VERSION_LABELS:
                child_category = "version"
            elif name == "resources" or key in _CAPACITY_KEYS:
                child_category = "capacity"
            self.walk(entry, self.child(path, key, free_form), key, child_category)

    def walk_list(self, items: list[Any], path: str, name: str, category: LeafCategory | None) -> None:
        """A list: items by identity, or the list as one value."""
        if not items:
            self.out[path] = Leaf("[]", category or "config")
            return
        if not all(isinstance(item, dict) for item in items):
            ordered = [scalar(item) if not isinstance(item, dict | list) else item for item in items]
            if name in UNORDERED:
                ordered = sorted(ordered, key=_canonical)
            self.leaf(path, name, _canonical(ordered), category)
            return
        keyed = self.identities(items, name)
        if keyed is None:
            text = "[" + ", ".join(sorted(_canonical(_normal(item, name)) for item in items)) + "]"
            if _has_secret_key(items):
                self.out[path] = self.hasher.leaf(text)
            else:
                self.leaf(path, name, text, category)
            return
        for identity, item in zip(keyed, items, strict=True):
            item_path = f"{path}[{identity}]"
            if name == "env":
                self.env(item, item_path)
                continue
            base = identity.partition("#")[0]
            for key, entry in item.items():
                key = str(key)
                if key in _IDENTITY_FIELDS and not isinstance(entry, dict | list) and _key_text(entry) == base:
                    continue
                child_category = "capacity" if key in _CAPACITY_KEYS or key == "resources" else category
                self.walk(entry, self.child(item_path, key, False), key, child_category)

    @staticmethod
    def identities(items: list[dict[str, Any]], name: str) -> list[str] | None:
        """The identity of every item, or None when some item has none; repeated identities get '#2', '#3' …"""
        special = _IDENTITY.get(name)
        found: list[str | None] = [special(item) for item in items] if special is not None else [None]
        if any(identity is None for identity in found):
            for field in ("name", "key"):
                if all(isinstance(item.get(field), str | int) and item.get(field) != "" for item in items):
                    found = [_key_text(item[field]) for item in items]
                    break
            else:
                return None
            if len(set(found)) != len(found) and name not in _REPEATABLE:
                return None
        counts: dict[str, int] = {}
        result: list[str] = []
        for identity in found:
            text = str(identity)
            counts[text] = counts.get(text, 0) + 1
            result.append(text if counts[text] == 1 else f"{text}#{counts[text]}")
        return result

    def env(self, item: dict[str, Any], path: str) -> None:
        """One env var: its literal value (secret-checked) or its reference as text."""
        name = str(item.get("name", ""))
        if "valueFrom" in item and isinstance(item["valueFrom"], dict):
            self.out[path] = Leaf(_reference(item["valueFrom"]), "config")
        else:
            self.out[path] = config_leaf(name, scalar(item.get("value", "")), self.hasher)

    def leaf(self, path: str, name: str, value: object, category: LeafCategory | None) -> None:
        """One scalar leaf with its category."""
        value = scalar(value)
        if category in ("version", "capacity"):
            self.out[path] = Leaf(value, category)
        elif name == "image" and isinstance(value, str):
            self.out[path] = Leaf(image_value(value), "image")
        elif isinstance(value, str) and _REFERENCE_KEY.search(name):
            self.out[path] = self.hasher.leaf(value) if looks_like_credential(value) else Leaf(value, "config")
        else:
            self.out[path] = config_leaf(name, value, self.hasher)


def _normal(value: object, name: str) -> object:
    """`value` with the set-like lists in it (UNORDERED) sorted, for a canonical text."""
    if isinstance(value, dict):
        return {str(k): _normal(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_normal(item, name) for item in value]
        return sorted(items, key=_canonical) if name in UNORDERED else items
    return scalar(value)


def _has_secret_key(value: object) -> bool:
    """True when a nested structure has a key whose name says it holds a secret (password, token …)."""
    if isinstance(value, dict):
        return any(is_secret_key(str(k)) or _has_secret_key(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_secret_key(item) for item in value)
    return False


def _headless(value: object) -> bool:
    """True for a headless Service's clusterIP ('None'), the only clusterIP that is configuration."""
    return value == "None" or value == ["None"]


def _reference(value_from: dict[str, Any]) -> str:
    """An env valueFrom as text: 'secretKeyRef:NAME/KEY', 'configMapKeyRef:NAME/KEY', 'fieldRef:PATH' …"""
    for ref in ("secretKeyRef", "configMapKeyRef"):
        target = value_from.get(ref)
        if isinstance(target, dict):
            optional = " optional" if target.get("optional") else ""
            return f"{ref}:{target.get('name', '')}/{target.get('key', '')}{optional}"
    field_ref = value_from.get("fieldRef")
    if isinstance(field_ref, dict):
        return f"fieldRef:{field_ref.get('fieldPath', '')}"
    resource = value_from.get("resourceFieldRef")
    if isinstance(resource, dict):
        divisor = f" divisor={resource['divisor']}" if resource.get("divisor") is not None else ""
        return f"resourceFieldRef:{resource.get('containerName', '')}/{resource.get('resource', '')}{divisor}"
    return "valueFrom:" + _canonical(value_from)
