"""Service inventories: a small YAML or JSON file naming each service's version and image.

Format (version 1; JSON Schema: schemas/parity-inventory.v1.schema.json)::

    inventory: 1                  # required: the format version, the integer 1
    environment: production       # optional, informational: not compared
    services:                     # required: service name -> version, or -> {version, image}
      payments: "2.0.1"           # shorthand: the version only
      cart:
        version: "1.4.2"          # optional string
        image: "registry.example/cart:1.4.2@sha256:<64 hex>"   # optional string

In JSON: `{"inventory": 1, "services": {"cart": {"version": "1.4.2", "image": "…"}, "payments": "2.0.1"}}`.
A service names at least one of version and image. Versions and images are strings: YAML reads an unquoted
`2.10` as the number 2.1, so a number is refused rather than guessed at. Unknown keys are refused.

Detected by content in a `.json`, `.yaml` or `.yml` file: an `inventory` key with a number (in YAML a line
starting `inventory: <digit>`; in JSON an object with `"inventory": <digit>` in its first 64 KiB), so a
configuration file that merely has an `inventory` setting is left to the config source.

Naming: object `service <name>`; field `version` (category version) and field `image` (category image).
An image is compared by digest when it has one (the value is then `sha256:<hex>`, the digest alone: the
tag and registry do not change what runs), else by the reference as written (`registry.example/cart:1.4.2`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from evaluator.errors import InputError
from evaluator.parity.snapshot import Leaf, SecretHasher
from evaluator.parity.sources.config import JSON_SUFFIXES, YAML_SUFFIXES, load_documents, type_name
from evaluator.parity.sources.interface import SnapshotSource

SUPPORTED_INVENTORY_VERSIONS = (1,)
"""`inventory` format versions read."""

_YAML_KEY = re.compile(rb"(?m)^inventory[ \t]*:[ \t]*[0-9]")
_JSON_KEY = re.compile(rb'^\s*\{[\s\S]*?"inventory"\s*:\s*[0-9]')
_DIGEST = re.compile(r"@(sha256:[0-9a-fA-F]{64})$")
_TOP_KEYS = ("environment", "inventory", "services")
_SERVICE_KEYS = ("image", "version")
_SERVICES_SHAPE = "a mapping of service name to version or {version, image}"
_NUMBER_HINT = " (quote it: YAML reads an unquoted 2.10 as the number 2.1)"


def image_value(reference: str) -> str:
    """What an image is compared by: its digest when the reference has one, else the reference."""
    match = _DIGEST.search(reference)
    return match.group(1).lower() if match else reference


class InventorySource(SnapshotSource):
    """A service inventory: service name -> version and image."""

    format: ClassVar[str] = "inventory"
    description: ClassVar[str] = "service inventory (YAML/JSON with `inventory: 1` and services -> version/image)"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        """A .json/.yaml/.yml file with a top-level `inventory` key."""
        name = path.name.lower()
        if name.endswith(JSON_SUFFIXES):
            return bool(_JSON_KEY.match(head))
        if name.endswith(YAML_SUFFIXES):
            return bool(_YAML_KEY.search(head))
        return False

    def read(self, path: Path, relative: str, hasher: SecretHasher) -> dict[str, dict[str, Leaf]]:
        """One object per service."""
        documents = load_documents(path)
        if len(documents) != 1:
            raise InputError(path, f"an inventory is one document, found {len(documents)}")
        document = documents[0]
        if not isinstance(document, dict):
            raise InputError(path, f"not an inventory: the top level is {type_name(document)}")
        for key in document:
            if key not in _TOP_KEYS:
                raise InputError(path, f"unknown key {key!r} (allowed: {', '.join(_TOP_KEYS)})")
        version = document.get("inventory")
        if isinstance(version, bool) or version not in SUPPORTED_INVENTORY_VERSIONS:
            supported = ", ".join(str(v) for v in SUPPORTED_INVENTORY_VERSIONS)
            raise InputError(path, f"unsupported inventory version {version!r} (supported: {supported})")
        environment = document.get("environment")
        if environment is not None and not isinstance(environment, str):
            raise InputError(path, f"environment is {type_name(environment)}, expected a string")
        if "services" not in document:
            raise InputError(path, f"services is missing: expected {_SERVICES_SHAPE}")
        services = document["services"]
        if not isinstance(services, dict):
            raise InputError(path, f"services is {type_name(services)}, expected {_SERVICES_SHAPE}")
        return {f"service {name}": _service(path, str(name), spec) for name, spec in services.items()}


def _service(path: Path, name: str, spec: Any) -> dict[str, Leaf]:
    """The fields of one service entry."""
    where = f"services.{name}"
    if not name.strip():
        raise InputError(path, "services: a service name is empty")
    if isinstance(spec, str):
        return {"version": Leaf(_text(path, where, spec), "version")}
    if not isinstance(spec, dict):
        hint = _NUMBER_HINT if isinstance(spec, int | float) and not isinstance(spec, bool) else ""
        raise InputError(path, f"{where} is {type_name(spec)}, expected a version string or {{version, image}}{hint}")
    for key in spec:
        if key not in _SERVICE_KEYS:
            raise InputError(path, f"{where}: unknown key {key!r} (allowed: {', '.join(_SERVICE_KEYS)})")
    if not spec:
        raise InputError(path, f"{where}: neither version nor image")
    fields: dict[str, Leaf] = {}
    if "version" in spec:
        fields["version"] = Leaf(_text(path, f"{where}.version", spec["version"]), "version")
    if "image" in spec:
        fields["image"] = Leaf(image_value(_text(path, f"{where}.image", spec["image"])), "image")
    return fields


def _text(path: Path, where: str, value: Any) -> str:
    """A non-empty string value, else an InputError naming `where`."""
    if not isinstance(value, str):
        hint = _NUMBER_HINT if isinstance(value, int | float) and not isinstance(value, bool) else ""
        raise InputError(path, f"{where} is {type_name(value)}, expected a string{hint}")
    if not value.strip():
        raise InputError(path, f"{where} is empty")
    return value
