"""Terraform: the JSON of `terraform show -json` for a saved plan or for a state.

Detected by content: a JSON object whose first 64 KiB hold both `"format_version"` and `"terraform_version"`.
Read: format_version 0.1, 0.2, 1.0, 1.1 and 1.2 (Terraform 0.12 to 1.11: plans of 0.12-1.4 say 0.1-1.1,
1.5+ say 1.2; states say 0.1/0.2/1.0); any other format_version is an InputError naming the supported ones.
A plan (it has `planned_values`) is read from `planned_values`, a state from `values`; a JSON that has
neither (a state with no resources) gives only the `terraform` object.

Objects and fields:

- `<resource address>` (`aws_db_instance.main`, `module.db.aws_db_instance.main`, `aws_instance.web[0]`,
  `module.a.module.b.x.y["k"]`): managed resources of the root module and of every child module, nested to
  any depth; fields are the resource's `values` flattened like configuration files (evaluator/parity/sources/
  config.py): dotted paths, lists of scalars as one JSON text value, nested blocks (lists of objects) keyed
  by their `name` (else `key`) when every element has a distinct one, else by position (`vpc_config[0].
  subnet_ids`, `setting[min_size].value`). Data sources (`data.…`) and deposed objects are not read: they
  are lookups and leftovers, not the environment's configuration.
- `output <name>`: field `value` (or `value.<path>` for structured outputs).
- `provider <full name or name>`: field `version` = the provider's version constraint(s) from
  `configuration.provider_config` (several constraints joined by ", ", sorted); only providers with a
  constraint. The JSON holds no selected provider versions (those live in .terraform.lock.hcl), so the
  constraint is what is compared. Category version.
- `module <name>` (`module db`, nested `module app.worker`): fields `source` and, when the call has one,
  `version` (`version_constraint`), from `configuration.root_module.module_calls` recursively. Category
  version.
- `terraform`: field `version` = `terraform_version`. Category version.

Values: a value Terraform marks sensitive (`sensitive_values` in planned_values/values, else the resource
change's `after_sensitive`; outputs with `"sensitive": true`) is never kept: it becomes the run's HMAC
digest of the value (strings as they are, anything else as compact sorted JSON). A value whose attribute
name says secret (`password`, `token` …) or that looks like a credential is hashed the same way (older
formats do not mark sensitive values). A value unknown until apply (the resource change's `after_unknown`,
the output change's `after_unknown`) is the text `(known after apply)`.

`resource_changes` is read only for `after_unknown` and `after_sensitive` of the resource at the same
address: the actions (create, update, replace) are not compared, since two environments are compared by
what they will be after apply, not by how far each is from it.

Categories by attribute name (last path segment): capacity for sizes and counts (`instance_type`,
`instance_class`, `machine_type`, `vm_size`, `node_type`, `count`, `*_count`, `*_capacity`,
`desired_size`, `min_size`, `max_size`, `allocated_storage`, `max_allocated_storage`, `*_storage_gb`,
`memory_size`, `volume_size`, `disk_size_gb`, `replicas`, `num_cache_nodes`, `number_of_nodes`); image for
`ami`, `image`, `image_id`, `image_uri`, `*_image`, `*_ami`; version for non-boolean attributes whose name
holds `version` (`engine_version`, `kubernetes_version`) and `runtime`; config otherwise.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar

from evaluator.errors import InputError
from evaluator.fileio import load_json
from evaluator.parity.snapshot import Leaf, LeafCategory, SecretHasher, Value, config_leaf, scalar
from evaluator.parity.sources.config import flatten, type_name
from evaluator.parity.sources.interface import SnapshotSource

SUPPORTED_FORMAT_VERSIONS = ("0.1", "0.2", "1.0", "1.1", "1.2")
"""`format_version` values read."""
UNKNOWN_AFTER_APPLY = "(known after apply)"
"""The value of a field Terraform only knows after apply."""

_IDENTITY_KEYS = ("name", "key")
_CAPACITY_NAMES = frozenset(
    {
        "instance_type",
        "instance_class",
        "machine_type",
        "vm_size",
        "node_type",
        "cache_node_type",
        "count",
        "desired_size",
        "min_size",
        "max_size",
        "allocated_storage",
        "max_allocated_storage",
        "memory_size",
        "volume_size",
        "disk_size_gb",
        "replicas",
        "num_cache_nodes",
        "number_of_nodes",
    }
)
_CAPACITY_PATTERN = re.compile(r".+_(count|capacity|storage_gb)$")
_IMAGE_NAMES = frozenset({"ami", "image", "image_id", "image_uri"})
_IMAGE_PATTERN = re.compile(r".+_(image|ami)$")
_HEAD_START = re.compile(rb"^\s*\{")


class _Unknown:
    """Marks a value known only after apply."""

    def __repr__(self) -> str:
        return UNKNOWN_AFTER_APPLY


UNKNOWN = _Unknown()


class _Sensitive:
    """Wraps a value Terraform marks sensitive (hashed, never kept)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<sensitive>"


def category_of(name: str, value: Value) -> LeafCategory:
    """The category of an attribute by its name: capacity, image, version or config."""
    attribute = name.rsplit(".", 1)[-1]
    if attribute in _CAPACITY_NAMES or _CAPACITY_PATTERN.fullmatch(attribute):
        return "capacity"
    if attribute in _IMAGE_NAMES or _IMAGE_PATTERN.fullmatch(attribute):
        return "image"
    if ("version" in attribute or attribute == "runtime") and not isinstance(value, bool):
        return "version"
    return "config"


def _has_true(mark: Any) -> bool:
    """True when a marker structure (after_unknown, sensitive_values) marks anything."""
    if mark is True:
        return True
    if isinstance(mark, dict):
        return any(_has_true(m) for m in mark.values())
    if isinstance(mark, list):
        return any(_has_true(m) for m in mark)
    return False


def mark_unknown(value: Any, mark: Any) -> Any:
    """`value` with every place `mark` (an after_unknown structure) sets to true replaced by UNKNOWN."""
    if mark is True:
        return UNKNOWN
    if isinstance(mark, dict):
        if not isinstance(value, dict):
            if value is not None or not _has_true(mark):
                return value
            value = {}
        merged = dict(value)
        for key, inner in mark.items():
            if key in merged or _has_true(inner):
                merged[key] = mark_unknown(merged.get(key), inner)
        return merged
    if isinstance(mark, list):
        if not isinstance(value, list):
            if value is not None or not _has_true(mark):
                return value
            value = []
        items = list(value)
        for position, inner in enumerate(mark):
            if position < len(items):
                items[position] = mark_unknown(items[position], inner)
            elif _has_true(inner):
                items.append(mark_unknown(None, inner))
        return items
    return value


def mark_sensitive(value: Any, mark: Any) -> Any:
    """`value` with every place `mark` (a sensitive_values structure) sets to true wrapped as sensitive."""
    if mark is True:
        return value if value is UNKNOWN else _Sensitive(value)
    if isinstance(mark, dict) and isinstance(value, dict):
        return {key: mark_sensitive(inner, mark.get(key, False)) for key, inner in value.items()}
    if isinstance(mark, list) and isinstance(value, list):
        return [mark_sensitive(inner, mark[i] if i < len(mark) else False) for i, inner in enumerate(value)]
    return value


def _secret_text(value: Any) -> str:
    """What a sensitive value is hashed as: a string itself, anything else its compact sorted JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _plain(value: Any) -> Any:
    """A marked structure back to plain JSON values (markers inside a sensitive value are dropped)."""
    if isinstance(value, _Sensitive):
        return _plain(value.value)
    if value is UNKNOWN:
        return UNKNOWN_AFTER_APPLY
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    return scalar(value)


def _is_marker(value: Any) -> bool:
    """True for UNKNOWN and sensitive values: leaves whatever they hold."""
    return value is UNKNOWN or isinstance(value, _Sensitive)


class TerraformSource(SnapshotSource):
    """`terraform show -json` of a plan or a state: resources by address, outputs, provider and module versions."""

    format: ClassVar[str] = "terraform"
    description: ClassVar[str] = "Terraform plan or state JSON (terraform show -json)"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        """A JSON object holding `format_version` and `terraform_version`."""
        return bool(_HEAD_START.match(head)) and b'"format_version"' in head and b'"terraform_version"' in head

    def read(self, path: Path, relative: str, hasher: SecretHasher) -> dict[str, dict[str, Leaf]]:
        """Resources, outputs, provider and module versions and the Terraform version of one plan or state."""
        return _Reader(path, hasher).read(load_json(path))


class _Reader:
    """Reads one parsed `terraform show -json` document."""

    def __init__(self, path: Path, hasher: SecretHasher) -> None:
        self.path = path
        self.hasher = hasher
        self.objects: dict[str, dict[str, Leaf]] = {}

    def fail(self, message: str) -> InputError:
        """An InputError about this file."""
        return InputError(self.path, message)

    def expect(self, value: Any, kind: type, where: str) -> Any:
        """`value` when it is of `kind` (dict or list), else an InputError naming `where`."""
        if not isinstance(value, kind):
            wanted = "a mapping" if kind is dict else "a list"
            raise self.fail(f"{where} is {type_name(value)}, expected {wanted}")
        return value

    def read(self, document: Any) -> dict[str, dict[str, Leaf]]:
        """Objects -> fields -> leaves."""
        document = self.expect(document, dict, "the document")
        version = document.get("format_version")
        if not isinstance(version, str) or version not in SUPPORTED_FORMAT_VERSIONS:
            shown = version if isinstance(version, str) else json.dumps(version)
            supported = ", ".join(SUPPORTED_FORMAT_VERSIONS)
            raise self.fail(f"unsupported format_version {shown} (supported: {supported})")
        terraform_version = document.get("terraform_version")
        if not isinstance(terraform_version, str) or not terraform_version:
            raise self.fail("terraform_version is not a version string")
        self.objects["terraform"] = {"version": Leaf(terraform_version, "version")}
        key = "planned_values" if "planned_values" in document else "values"
        values = self.expect(document.get(key, {}), dict, key)
        changes: dict[str, dict[str, Any]] = {}
        output_changes: dict[str, Any] = {}
        if key == "planned_values":
            changes = self.resource_changes(document.get("resource_changes", []))
            output_changes = self.expect(document.get("output_changes", {}), dict, "output_changes")
        if "root_module" in values:
            self.module(values["root_module"], f"{key}.root_module", changes)
        self.outputs(self.expect(values.get("outputs", {}), dict, f"{key}.outputs"), output_changes)
        configuration = self.expect(document.get("configuration", {}), dict, "configuration")
        self.providers(self.expect(configuration.get("provider_config", {}), dict, "configuration.provider_config"))
        root = self.expect(configuration.get("root_module", {}), dict, "configuration.root_module")
        self.module_calls(root.get("module_calls", {}), "")
        return self.objects

    def resource_changes(self, changes: Any) -> dict[str, dict[str, Any]]:
        """Each current (not deposed) resource change's `change`, by address."""
        by_address: dict[str, dict[str, Any]] = {}
        for position, change in enumerate(self.expect(changes, list, "resource_changes")):
            change = self.expect(change, dict, f"resource_changes[{position}]")
            address = change.get("address")
            if not isinstance(address, str) or change.get("deposed") or change.get("deposed_key"):
                continue
            by_address[address] = self.expect(change.get("change", {}), dict, f"resource_changes[{address}].change")
        return by_address

    def module(self, module: Any, where: str, changes: dict[str, dict[str, Any]]) -> None:
        """The managed resources of a module and of its child modules."""
        module = self.expect(module, dict, where)
        for position, resource in enumerate(self.expect(module.get("resources", []), list, f"{where}.resources")):
            self.resource(self.expect(resource, dict, f"{where}.resources[{position}]"), where, changes)
        children = self.expect(module.get("child_modules", []), list, f"{where}.child_modules")
        for position, child in enumerate(children):
            self.module(child, f"{where}.child_modules[{position}]", changes)

    def resource(self, resource: dict[str, Any], where: str, changes: dict[str, dict[str, Any]]) -> None:
        """One resource's values as an object named by its address."""
        address = resource.get("address")
        if not isinstance(address, str) or not address:
            raise self.fail(f"{where}: a resource has no address")
        if resource.get("mode", "managed") != "managed" or resource.get("deposed_key"):
            return
        if address in self.objects:
            raise self.fail(f"resource {address} appears twice")
        values = resource.get("values", {})
        values = self.expect(values if values is not None else {}, dict, f"{address}.values")
        change = changes.get(address, {})
        values = mark_unknown(values, change.get("after_unknown", False))
        sensitive = resource.get("sensitive_values", change.get("after_sensitive", False))
        values = mark_sensitive(values, sensitive)
        self.objects[address] = dict(flatten(values, self.make, _IDENTITY_KEYS, is_leaf=_is_marker))

    def outputs(self, outputs: dict[str, Any], changes: dict[str, Any]) -> None:
        """Each output's value as object `output <name>`."""
        for name, output in outputs.items():
            output = self.expect(output, dict, f"output {name}")
            change = changes.get(name, {})
            unknown = change.get("after_unknown", False) if isinstance(change, dict) else False
            value = mark_unknown(output.get("value"), unknown) if "value" in output or unknown else UNKNOWN
            if output.get("sensitive") is True:
                value = mark_sensitive(value, True)
            self.objects[f"output {name}"] = dict(
                flatten(value, self.make, _IDENTITY_KEYS, "value", "value", _is_marker)
            )

    def providers(self, provider_config: dict[str, Any]) -> None:
        """`provider <name>` with its version constraints, for providers that have one."""
        constraints: dict[str, set[str]] = {}
        for key, provider in provider_config.items():
            provider = self.expect(provider, dict, f"configuration.provider_config.{key}")
            name = provider.get("full_name") or provider.get("name") or key
            constraint = provider.get("version_constraint")
            if isinstance(constraint, str) and constraint:
                constraints.setdefault(str(name), set()).add(constraint)
        for name, found in constraints.items():
            self.objects[f"provider {name}"] = {"version": Leaf(", ".join(sorted(found)), "version")}

    def module_calls(self, calls: Any, parent: str) -> None:
        """`module <name>` with source and version of every module call, nested calls as `parent.child`."""
        where = f"module {parent}" if parent else "configuration.root_module"
        for name, call in self.expect(calls, dict, f"{where}.module_calls").items():
            full = f"{parent}.{name}" if parent else name
            call = self.expect(call, dict, f"module {full}")
            fields: dict[str, Leaf] = {}
            source = call.get("source")
            if isinstance(source, str):
                fields["source"] = Leaf(source, "version")
            version = call.get("version_constraint", call.get("version"))
            if isinstance(version, str) and version:
                fields["version"] = Leaf(version, "version")
            self.objects[f"module {full}"] = fields
            inner = self.expect(call.get("module", {}), dict, f"module {full}.module")
            self.module_calls(inner.get("module_calls", {}), full)

    def make(self, field: str, name: str, value: Any) -> Leaf:
        """A leaf for an attribute value: hashed when sensitive or secret-looking, categorised by name."""
        if value is UNKNOWN:
            return Leaf(UNKNOWN_AFTER_APPLY, category_of(name or field, None))
        if isinstance(value, _Sensitive):
            return self.hasher.leaf(_secret_text(value.value))
        leaf_value = scalar(value)
        return config_leaf(name or field, leaf_value, self.hasher, category_of(name or field, leaf_value))
