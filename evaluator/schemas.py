"""JSON Schema 2020-12 validation of every document the tool reads or writes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import jsonschema_rs

from evaluator.resources import schemas_dir

if TYPE_CHECKING:
    from pydantic import BaseModel

ModelT = TypeVar("ModelT", bound="BaseModel")

EVIDENCE_ITEM = "evidence-item.v1.schema.json"
BUNDLE_PREDICATE = "bundle-predicate.v1.schema.json"
BUNDLE_STATEMENT = "bundle-statement.v1.schema.json"
TRUST_POLICY = "trust-policy.v1.schema.json"
VERIFICATION_RESULT = "verification-result.v1.schema.json"
WAIVERS = "waivers.v1.schema.json"
PARITY_RULES = "parity-rules.v1.schema.json"
POLICY_INPUT = "policy-input.v1.schema.json"
DRILL_RECORD = "drill-record.v1.schema.json"


@dataclass(frozen=True)
class SchemaProblem:
    """One way a document fails its schema."""

    pointer: str
    """JSON pointer to the offending value ('' for the document itself)."""
    message: str
    """What is wrong, in the validator's words."""

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema file `name` (relative to the schemas folder)."""
    with open(schemas_dir() / name, encoding="utf-8") as fh:
        return json.load(fh)


@cache
def _registry() -> Any:
    resources = []
    for path in sorted(schemas_dir().rglob("*.schema.json")):
        schema = load_schema(str(path.relative_to(schemas_dir())))
        if "$id" in schema:
            resources.append((schema["$id"], schema))
    return jsonschema_rs.Registry(resources)


@cache
def _validator(name: str) -> Any:
    return jsonschema_rs.Draft202012Validator(load_schema(name), validate_formats=True, registry=_registry())


def _pointer(path: Any) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "".join("/" + p for p in parts)


def problems(name: str, document: Any, limit: int = 20) -> list[SchemaProblem]:
    """Every way `document` fails schema `name` (at most `limit`), most specific place first."""
    validator = _validator(name)
    if validator.is_valid(document):
        return []
    found: list[SchemaProblem] = []
    for error in validator.iter_errors(document):
        found.append(SchemaProblem(_pointer(error.instance_path), error.message))
        if len(found) >= limit:
            break
    found.sort(key=lambda p: (-p.pointer.count("/"), p.pointer))
    return found


def load_yaml_document(path: str | Path, what: str, schema: str, model: type[ModelT], shape: str) -> ModelT:
    """Read a YAML file, check it against `schema`, and parse it into `model`; InputError naming the place otherwise.

    `shape` says what the file should look like when it is not even a mapping ('a YAML mapping with …').
    """
    from pydantic import ValidationError

    from evaluator.errors import InputError
    from evaluator.fileio import load_yaml

    document = load_yaml(path, what)
    if not isinstance(document, dict):
        raise InputError(path, f"a {what} is {shape}")
    found = problems(schema, document)
    if found:
        raise InputError(path, f"invalid {what} at {found[0]}")
    try:
        return model.model_validate(document)
    except ValidationError as exc:  # a rule the schema cannot express
        first = exc.errors()[0]
        where = "/".join(str(part) for part in first.get("loc", ()))
        raise InputError(path, f"invalid {what} at /{where}: {first.get('msg')}") from None


def is_valid(name: str, document: Any) -> bool:
    """True when `document` satisfies schema `name`."""
    return bool(_validator(name).is_valid(document))
