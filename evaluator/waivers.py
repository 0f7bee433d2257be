"""Waivers: time-boxed, approved acceptance of a failed criterion (or of single findings in it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from evaluator import schemas
from evaluator.decide import AppliedWaiver
from evaluator.errors import InputError

DEFAULT_MAX_TERM_DAYS = 90
"""Longest a waiver may run from created to expires, unless the command line says otherwise."""


class WaiverScope(BaseModel):
    """Narrows a waiver: all given fields must match."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    service: StrictStr | None = Field(default=None, min_length=1)
    """Only for this service."""
    environment: StrictStr | None = Field(default=None, min_length=1)
    """Only for evidence from this environment."""
    fingerprint: StrictStr | None = Field(default=None, min_length=1)
    """Only this finding (a result's fingerprint), not the whole criterion."""


class WaiverEntry(BaseModel):
    """One waiver as written in the waivers file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    criterion: StrictStr = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    """Criterion id it accepts a failure of."""
    scope: WaiverScope = Field(default_factory=WaiverScope)
    """Optional narrower scope."""
    justification: StrictStr = Field(min_length=10)
    """Why the risk is accepted (a sentence, not a word)."""
    owner: StrictStr = Field(min_length=1)
    """Who owns the fix."""
    approver: StrictStr = Field(min_length=1)
    """Who accepted the risk."""
    ticket: StrictStr = Field(min_length=1)
    """Tracking ticket; also the waiver's id in reports."""
    created: date
    """Day the waiver was granted (YYYY-MM-DD)."""
    expires: date
    """Last day the waiver applies (YYYY-MM-DD)."""


class WaiversDocument(BaseModel):
    """The waivers file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    waivers: list[WaiverEntry]
    """The waivers; an empty list is allowed."""


@dataclass(frozen=True)
class Waivers:
    """Waivers read from a file and sorted by what they can do on the evaluation day."""

    active: tuple[AppliedWaiver, ...]
    """Waivers in force on the evaluation day."""
    expired: tuple[AppliedWaiver, ...]
    """Waivers past their expiry: ignored, and listed in the report."""


def load_waivers(path: str | Path, today: date, max_term_days: int = DEFAULT_MAX_TERM_DAYS) -> Waivers:
    """Read and check a waivers file; any invalid waiver makes the whole file an input error."""
    path = Path(path)
    parsed = schemas.load_yaml_document(
        path, "waivers file", schemas.WAIVERS, WaiversDocument, "a YAML mapping with a `waivers:` list"
    )
    active, expired = [], []
    seen: set[str] = set()
    for index, entry in enumerate(parsed.waivers):
        label = f"waiver {index + 1} ({entry.ticket}, {entry.criterion})"
        if entry.expires < entry.created:
            raise InputError(path, f"{label}: expires {entry.expires} is before created {entry.created}")
        if entry.created > today:
            raise InputError(path, f"{label}: created {entry.created} is in the future (evaluated on {today})")
        term = (entry.expires - entry.created).days
        if term > max_term_days:
            raise InputError(path, f"{label}: runs {term} days, longer than the maximum of {max_term_days}")
        key = f"{entry.ticket}/{entry.criterion}/{entry.scope.fingerprint or ''}"
        if key in seen:
            raise InputError(path, f"{label}: listed twice")
        seen.add(key)
        waiver = AppliedWaiver(
            id=entry.ticket,
            criterion=entry.criterion,
            justification=entry.justification,
            owner=entry.owner,
            approver=entry.approver,
            ticket=entry.ticket,
            created=entry.created,
            expires=entry.expires,
            scope=entry.scope.model_dump(exclude_none=True),
        )
        (expired if entry.expires < today else active).append(waiver)
    return Waivers(tuple(active), tuple(expired))
