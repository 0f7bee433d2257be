"""Building schema-checked evidence items: from a collector's output (`collect`) and from readiness's own commands."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel

from evaluator import __version__
from evaluator.errors import InputError, UsageError
from evaluator.evidence.model import CollectorInfo, EvidenceItem, ObservedWindow, Source
from evaluator.evidence.registry import item_problems


def build_item(
    *,
    item_id: str,
    kind: str,
    schema: str,
    environment: str | None,
    collected_at: datetime,
    observed: tuple[datetime, datetime] | None,
    tool: str,
    tool_version: str | None,
    source_format: str,
    file_text: str,
    sha256: str,
    collector: str,
    data: BaseModel,
    what: str,
    where: str | Path,
    producer: str,
) -> EvidenceItem:
    """A checked item; UsageError "cannot build WHAT" on a bad envelope, InputError at WHERE on a schema miss."""
    try:
        item = EvidenceItem(
            id=item_id,
            kind=kind,
            schema=schema,
            collected_at=collected_at,
            observed=ObservedWindow(start=observed[0], end=observed[1]) if observed else None,
            environment=environment,
            source=Source(tool=tool, tool_version=tool_version, format=source_format, file=file_text, sha256=sha256),
            collector=CollectorInfo(name=collector, version=__version__),
            data=data.model_dump(mode="json", exclude_none=True),
        )
    except ValueError as exc:
        first = str(exc).splitlines()
        raise UsageError(f"cannot build {what}: {' '.join(first[:3])}") from None
    found = item_problems(item.to_json_dict())
    if found:
        raise InputError(where, f"{producer} produced evidence that fails its schema: {found[0]}")
    return item


def own_item(
    *,
    item_id: str,
    kind: str,
    environment: str | None,
    collected_at: datetime,
    observed: tuple[datetime, datetime],
    source_format: str,
    file_text: str,
    sha256: str,
    collector: str,
    data: BaseModel,
) -> EvidenceItem:
    """One schema-checked item of `kind` (schema `<kind>/v1`) whose source tool is readiness itself."""
    return build_item(
        item_id=item_id,
        kind=kind,
        schema=f"{kind}/v1",
        environment=environment,
        collected_at=collected_at,
        observed=observed,
        tool="readiness",
        tool_version=__version__,
        source_format=source_format,
        file_text=file_text,
        sha256=sha256,
        collector=collector,
        data=data,
        what=f"the {kind} item",
        where=file_text,
        producer=collector,
    )
