"""Every model's JSON output satisfies its schema, and each schema rejects what its model rejects."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from evaluator import schemas
from evaluator.bundle.models import BundleStatement, TrustPolicyDocument
from evaluator.evidence import EvidenceItem, all_kinds, item_problems
from evaluator.resources import schemas_dir
from tests.documents import with_value


def test_every_schema_file_is_a_valid_2020_12_schema():
    files = sorted(schemas_dir().rglob("*.schema.json"))
    assert len(files) >= 6
    for path in files:
        schema = json.loads(path.read_text())
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", path
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$id"].endswith(str(path.relative_to(schemas_dir()))), path


# ---- evidence item envelope ----------------------------------------------------------------------

ITEM_INVALID = [
    ("id", "has space"),
    ("id", ""),
    ("kind", "Load"),
    ("schema", "tests/v0"),
    ("schema", "load/v1"),  # kind mismatch: a rule beyond JSON Schema, checked by item_problems and the model
    ("collected_at", "2026-11-27T14:03:11"),  # no UTC offset
    ("collected_at", "yesterday"),
    ("environment", "two words"),
    ("source/sha256", "ABC"),
    ("source/tool", ""),
    ("source/extra", "x"),
    ("collector", ...),
    ("data", ...),
    ("data", []),
    ("observed", {"start": "2026-11-27T14:00:00Z"}),
    ("observed", {"start": "2026-11-27T14:00:00Z", "end": "2026-11-27T13:00:00Z"}),  # end before start
    ("unexpected", 1),
]


def test_item_model_output_validates(item):
    model = EvidenceItem.model_validate(item)
    assert item_problems(model.to_json_dict()) == []
    assert schemas.problems(schemas.EVIDENCE_ITEM, model.to_json_dict()) == []
    assert model.to_json_dict() == item


@pytest.mark.parametrize(("path", "value"), ITEM_INVALID)
def test_item_schema_rejects_what_the_model_rejects(item, path, value):
    bad = with_value(item, path, value)
    with pytest.raises(ValidationError):
        EvidenceItem.model_validate(bad)
    assert item_problems(bad), f"{path}={value!r} passed the schema"


# ---- bundle statement ----------------------------------------------------------------------------

STATEMENT_INVALID = [
    ("_type", "https://in-toto.io/Statement/v0.1"),
    ("predicateType", "https://example.org/other"),
    ("subject", []),
    ("subject/0/digest", {}),
    ("subject/0/digest/gitCommit", "abc"),
    ("predicate/evidence", []),
    ("predicate/evidence/0/digest/sha256", "0" * 63),
    ("predicate/evidence/0/item", "not an object"),
    ("predicate/created_at", "2026-11-27"),
    ("predicate/generator", ...),
    ("predicate/version", "has space"),
    ("predicate/extra", True),
]


def test_statement_model_output_validates(statement):
    model = BundleStatement.model_validate(statement)
    assert schemas.problems(schemas.BUNDLE_STATEMENT, model.to_json_dict()) == []
    assert model.to_json_dict() == statement


@pytest.mark.parametrize(("path", "value"), STATEMENT_INVALID)
def test_statement_schema_rejects_what_the_model_rejects(statement, path, value):
    bad = with_value(statement, path, value)
    with pytest.raises(ValidationError):
        BundleStatement.model_validate(bad)
    assert schemas.problems(schemas.BUNDLE_STATEMENT, bad), f"{path}={value!r} passed the schema"


# ---- trust policy --------------------------------------------------------------------------------

TRUST = {
    "keys": [
        {"name": "ci-release", "public_key": "keys/ci.pub", "valid_from": "2026-01-01T00:00:00Z"},
        {"name": "qa", "public_key": "keys/qa.pub", "scheme": "ed25519", "valid_until": "2027-01-01T00:00:00+02:00"},
    ],
    "threshold": 2,
    "require": ["load", "security"],
    "max_age": {"load": "7d", "security": "24h"},
    "subject": {"service": "checkout", "commit": "a" * 40, "artifact_digest": "sha256:" + "b" * 64},
}

TRUST_INVALID = [
    ("keys", []),
    ("keys", ...),
    ("keys/0/name", "has space"),
    ("keys/0/public_key", ""),
    ("keys/0/valid_from", "2026-01-01T00:00:00"),
    ("keys/0/colour", "blue"),
    ("threshold", 0),
    ("threshold", "2"),
    ("require", ["load", "load"]),
    ("require", ["Load"]),
    ("max_age/load", "7 days"),
    ("max_age/load", "0d"),
    ("subject/commit", "abc"),
    ("subject/artifact_digest", "sha256:xyz"),
    ("subject/owner", "me"),
    ("extra", 1),
]


def test_trust_policy_model_output_validates():
    model = TrustPolicyDocument.model_validate(TRUST)
    dumped = model.model_dump(mode="json", exclude_none=True)
    assert schemas.problems(schemas.TRUST_POLICY, dumped) == []
    assert schemas.problems(schemas.TRUST_POLICY, TRUST) == []


@pytest.mark.parametrize(("path", "value"), TRUST_INVALID)
def test_trust_policy_schema_rejects_what_the_model_rejects(path, value):
    bad = with_value(TRUST, path, value)
    with pytest.raises(ValidationError):
        TrustPolicyDocument.model_validate(bad)
    assert schemas.problems(schemas.TRUST_POLICY, bad), f"{path}={value!r} passed the schema"


# ---- policy input --------------------------------------------------------------------------------


def test_policy_input_built_from_a_statement_matches_its_schema(statement):
    from datetime import UTC, datetime

    from evaluator.policy.input import build_input

    document = build_input(statement, ["tests-unit"], datetime(2026, 11, 27, 12, tzinfo=UTC), verified=True)
    assert schemas.problems(schemas.POLICY_INPUT, document) == []
    assert document["tier"] == "critical" and [i["id"] for i in document["evidence"]["tests"]] == ["tests-unit"]
    assert document["evaluation"] == {"time": "2026-11-27T12:00:00Z", "epoch_seconds": 1795780800, "date": "2026-11-27"}
    unusable = build_input(statement, [], datetime(2026, 11, 27, 12, tzinfo=UTC), verified=False)
    assert unusable["evidence"] == {} and schemas.problems(schemas.POLICY_INPUT, unusable) == []
    broken = {**document, "evidence": {"tests": []}}
    assert schemas.problems(schemas.POLICY_INPUT, broken), "a kind listed with no item is refused"
    assert schemas.problems(schemas.POLICY_INPUT, {**document, "tier": None})


def _normalized(node: Any, defs: dict[str, Any]) -> Any:
    """A schema with references inlined, pydantic's `X | None` read as an optional X, titles dropped."""
    if isinstance(node, list):
        return [_normalized(value, defs) for value in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        node = {**defs[node["$ref"].rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}
    if "anyOf" in node:
        options = [option for option in node["anyOf"] if option != {"type": "null"}]
        rest = {k: v for k, v in node.items() if k not in ("anyOf", "default")}
        if len(options) == 1:
            return _normalized({**rest, **options[0]}, defs)
        return {**_normalized(rest, defs), "anyOf": _normalized(options, defs)}
    return {
        key: sorted(value) if key == "required" else _normalized(value, defs)
        for key, value in node.items()
        if not (key in ("title", "$schema", "$id") and isinstance(value, str))
        and key not in ("default", "$defs")
        and not (key == "required" and value == [])
    }


def _descriptions(node: Any):
    if isinstance(node, dict):
        if isinstance(node.get("description"), str):
            yield node["description"]
        for value in node.values():
            yield from _descriptions(value)
    elif isinstance(node, list):
        for value in node:
            yield from _descriptions(value)


@pytest.mark.parametrize("kind", all_kinds(), ids=lambda k: k.schema_id)
def test_each_kind_schema_file_matches_its_model_field_for_field(kind):
    generated = kind.model.model_json_schema()
    written = schemas.load_schema(kind.schema_file)
    assert written["$id"] == f"https://readiness.dev/schemas/{kind.schema_file}"
    model_side = _normalized(generated, generated.get("$defs", {}))
    file_side = _normalized(written, written.get("$defs", {}))
    model_side.pop("description")
    file_side.pop("description")
    # Same properties, required fields, types, bounds, additionalProperties, and descriptions (field docstrings).
    assert model_side == file_side


@pytest.mark.parametrize("kind", all_kinds(), ids=lambda k: k.schema_id)
def test_each_kind_schema_describes_every_field_in_one_line(kind):
    descriptions = list(_descriptions(schemas.load_schema(kind.schema_file)))
    assert len(descriptions) >= 20
    assert all(d.strip() and "\n" not in d for d in descriptions)
