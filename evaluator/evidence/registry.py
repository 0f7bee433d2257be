"""The registry of evidence kinds: each kind is a pydantic model of `data` plus its JSON Schema file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from evaluator import schemas
from evaluator.schemas import SchemaProblem
from evaluator.timeutil import parse_time


@dataclass(frozen=True)
class EvidenceKind:
    """One versioned kind of evidence and how its `data` is checked."""

    name: str
    """Kind name as it appears in items ('tests', 'load' …)."""
    version: int
    """Schema version of `data`; items say '<name>/v<version>'."""
    model: type[BaseModel]
    """Pydantic model collectors build `data` with."""
    schema_file: str
    """JSON Schema of `data`, relative to the schemas folder."""
    description: str
    """One line for `collect --list` and the docs."""

    @property
    def schema_id(self) -> str:
        """The value of an item's `schema` field for this kind and version."""
        return f"{self.name}/v{self.version}"


_KINDS: dict[str, EvidenceKind] = {}


def register(kind: EvidenceKind) -> EvidenceKind:
    """Add a kind; registering the same schema id twice is a programming error."""
    if kind.schema_id in _KINDS:
        raise ValueError(f"evidence kind {kind.schema_id} registered twice")
    _KINDS[kind.schema_id] = kind
    return kind


def get(schema_id: str) -> EvidenceKind | None:
    """The kind registered for '<name>/v<N>', or None."""
    return _KINDS.get(schema_id)


def all_kinds() -> list[EvidenceKind]:
    """Every registered kind, sorted by schema id."""
    return [_KINDS[k] for k in sorted(_KINDS)]


def item_problems(item: Any) -> list[SchemaProblem]:
    """Every way an evidence item document fails the envelope schema or its kind's data schema."""
    found = schemas.problems(schemas.EVIDENCE_ITEM, item)
    if found:
        return found
    # Two rules JSON Schema cannot express; the model enforces them too.
    observed = item.get("observed")
    if observed and parse_time(observed["end"]) < parse_time(observed["start"]):
        return [SchemaProblem("/observed/end", "observed.end is before observed.start")]
    if item["schema"].split("/", 1)[0] != item["kind"]:
        return [SchemaProblem("/schema", f"schema {item['schema']!r} does not belong to kind {item['kind']!r}")]
    kind = get(item["schema"])
    if kind is None:
        known = ", ".join(k.schema_id for k in all_kinds()) or "none"
        return [SchemaProblem("/schema", f"unknown evidence schema {item['schema']!r} (known: {known})")]
    return [SchemaProblem("/data" + p.pointer, p.message) for p in schemas.problems(kind.schema_file, item["data"])]
