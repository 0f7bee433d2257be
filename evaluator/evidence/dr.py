"""The `dr` kind: disaster-recovery and resilience drills (Chaos Toolkit, LitmusChaos, Velero, manual drills).

One item holds the drills one file records (a Chaos Toolkit journal is one drill; a drill record YAML may
list several). Times are RFC 3339 UTC strings, durations and RTO/RPO are integer seconds, so policies
compare integers; a value the source does not state is absent, never guessed.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from evaluator.evidence.registry import EvidenceKind

_Count = Field(ge=0)
_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"

DrillStatus = Literal["succeeded", "deviated", "failed", "aborted", "partially_failed", "in_progress"]
"""How a drill ended: the hypothesis held (succeeded), the system deviated from it, the drill itself
failed or was aborted, a backup/restore finished with errors (partially_failed), or it is still running."""
StepStatus = Literal["succeeded", "failed", "skipped", "deviated"]
"""How one step ended."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True)


class Objective(_Data):
    """A recovery objective: the target and, when the drill measured it, the measured value, in seconds."""

    target_s: int | None = Field(default=None, ge=0)
    """Target in seconds (from the drill record, the experiment's configuration, or absent)."""
    measured_s: int | None = Field(default=None, ge=0)
    """Measured in seconds (from the tool's own timings where it gives them)."""
    source: str | None = Field(default=None, min_length=1, max_length=256)
    """Where the measured value comes from (e.g. 'journal: start of method to end of last probe')."""


class Step(_Data):
    """One step of a drill: a Chaos Toolkit activity, a Litmus probe, a manual runbook step."""

    name: str = Field(min_length=1, max_length=512)
    """Step name as recorded."""
    kind: str | None = Field(default=None, min_length=1, max_length=64)
    """Step kind (action, probe, rollback, steady-state, backup, restore, manual …)."""
    status: StepStatus
    """How it ended."""
    start: str | None = Field(default=None, pattern=_TIME)
    """Start (UTC)."""
    end: str | None = Field(default=None, pattern=_TIME)
    """End (UTC)."""
    duration_ms: int | None = Field(default=None, ge=0)
    """Duration in milliseconds."""


class Drill(_Data):
    """One drill."""

    scenario: str = Field(min_length=1, max_length=512)
    """What was simulated (the experiment's title, the ChaosEngine's experiment, 'restore of backup X' …)."""
    scope: str | None = Field(default=None, min_length=1, max_length=512)
    """What it was run against (service, namespace, region, backup), when recorded."""
    tags: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(max_length=64)
    """Scenario classes the drill exercises (e.g. database-failover), which tier data requires by name."""
    status: DrillStatus
    """How it ended."""
    start: str = Field(pattern=_TIME)
    """Start (UTC)."""
    end: str | None = Field(default=None, pattern=_TIME)
    """End (UTC); absent while in progress."""
    rto: Objective
    """Recovery time objective: target and measured time to restore service."""
    rpo: Objective
    """Recovery point objective: target and measured data-loss window."""
    data_loss: bool | None = None
    """True when the drill lost data, False when it checked and lost none, absent when it did not check."""
    steps: list[Step] = Field(max_length=10_000)
    """Steps in order."""
    rollbacks: list[Step] = Field(max_length=1_000)
    """Rollback steps (Chaos Toolkit rollbacks), in order."""
    operator: str | None = Field(default=None, min_length=1, max_length=256)
    """Who ran it (a person or a system), when recorded."""


class Drills(_Data):
    """What a `dr` item holds in `data`."""

    drills: list[Drill] = Field(min_length=1, max_length=1_000)
    """The drills the file records."""


KIND = EvidenceKind(
    name="dr",
    version=1,
    model=Drills,
    schema_file="evidence/dr.v1.schema.json",
    description="disaster-recovery drills: scenario, status, RTO and RPO target and measured, data loss, steps",
)
