"""The evidence item envelope: what every collector produces, whatever the kind."""

from __future__ import annotations

import re
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_serializer, model_validator

from evaluator.errors import UsageError
from evaluator.timeutil import format_time

ITEM_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
KIND_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
SCHEMA_PATTERN = r"^[a-z][a-z0-9_]{0,31}/v[1-9][0-9]*$"
ENVIRONMENT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"


def check_item_options(item_id: str | None, environment: str | None) -> None:
    """UsageError unless --id and --environment (when given) are a valid item id and environment name."""
    if item_id is not None and not re.fullmatch(ITEM_ID_PATTERN, item_id):
        raise UsageError(f"--id {item_id!r}: an item id is 1 to 128 letters, digits, '.', '_', ':' or '-'")
    if environment is not None and not re.fullmatch(ENVIRONMENT_PATTERN, environment):
        raise UsageError(f"--environment {environment!r}: 1 to 64 letters, digits, '.', '_' or '-'")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_serializer("*", when_used="json", check_fields=False)
    def _times_in_utc(self, value: Any) -> Any:
        from datetime import datetime

        return format_time(value) if isinstance(value, datetime) else value


class ObservedWindow(_Strict):
    """When the tool observed the system (the test run, the scan), as opposed to when we collected it."""

    start: AwareDatetime
    """First moment the evidence describes."""
    end: AwareDatetime
    """Last moment the evidence describes; freshness is measured from here."""

    @model_validator(mode="after")
    def _ordered(self) -> ObservedWindow:
        if self.end < self.start:
            raise ValueError("observed.end is before observed.start")
        return self


class Source(_Strict):
    """The raw tool output an item was read from."""

    tool: str = Field(min_length=1, max_length=64)
    """Tool that wrote the file (k6, pytest, trivy …)."""
    tool_version: str | None = Field(default=None, min_length=1, max_length=64)
    """Tool version when the file says it."""
    format: str = Field(min_length=1, max_length=64)
    """Collector format name that read the file (see `readiness collect --list`)."""
    file: str = Field(min_length=1, max_length=1024)
    """File name as given on the command line."""
    sha256: str = Field(pattern=SHA256_PATTERN)
    """Hex sha256 of the raw file, so the item can be traced back to its exact input."""


class CollectorInfo(_Strict):
    """The program that produced the item."""

    name: str = Field(min_length=1, max_length=64)
    """Collector name (the format's implementation)."""
    version: str = Field(min_length=1, max_length=64)
    """Version of readiness that ran it."""


class EvidenceItem(_Strict):
    """One normalized, schema-checked piece of evidence about a release."""

    id: str = Field(pattern=ITEM_ID_PATTERN)
    """Unique within a bundle; policies and reports point at items by it."""
    kind: str = Field(pattern=KIND_PATTERN)
    """Evidence kind: load, security, parity, dr, tests, rollout."""
    schema_: str = Field(alias="schema", pattern=SCHEMA_PATTERN)
    """Versioned schema of `data`, '<kind>/v<N>'."""
    collected_at: AwareDatetime
    """When the collector ran."""
    observed: ObservedWindow | None = None
    """When the tool observed the system, if the file says so."""
    environment: str | None = Field(default=None, pattern=ENVIRONMENT_PATTERN)
    """Environment the evidence was gathered in (staging, production …)."""
    source: Source
    """The raw file the item came from."""
    collector: CollectorInfo
    """What produced the item."""
    data: dict[str, Any]
    """Kind-specific content, validated against schemas/evidence/<kind>.v<N>.schema.json."""

    @model_validator(mode="after")
    def _schema_matches_kind(self) -> EvidenceItem:
        if self.schema_.split("/", 1)[0] != self.kind:
            raise ValueError(f"schema {self.schema_!r} does not belong to kind {self.kind!r}")
        return self

    def to_json_dict(self) -> dict[str, Any]:
        """The item as a JSON-ready dict, field names as in the schema, absent options left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def evidence_time(self) -> Any:
        """The moment freshness is measured from: the end of the observed window, else collection time."""
        return self.observed.end if self.observed is not None else self.collected_at
