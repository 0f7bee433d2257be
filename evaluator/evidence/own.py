"""Evidence items readiness itself produces (`readiness parity`, `readiness drill run`), built and checked alike."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from evaluator import __version__
from evaluator.errors import InputError, UsageError
from evaluator.evidence.model import CollectorInfo, EvidenceItem, ObservedWindow, Source
from evaluator.evidence.registry import item_problems


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
    try:
        item = EvidenceItem(
            id=item_id,
            kind=kind,
            schema=f"{kind}/v1",
            collected_at=collected_at,
            observed=ObservedWindow(start=observed[0], end=observed[1]),
            environment=environment,
            source=Source(
                tool="readiness", tool_version=__version__, format=source_format, file=file_text, sha256=sha256
            ),
            collector=CollectorInfo(name=collector, version=__version__),
            data=data.model_dump(mode="json", exclude_none=True),
        )
    except ValueError as exc:
        first = str(exc).splitlines()
        raise UsageError(f"cannot build the {kind} item: {' '.join(first[:3])}") from None
    found = item_problems(item.to_json_dict())
    if found:
        raise InputError(file_text, f"{collector} produced evidence that fails its schema: {found[0]}")
    return item
