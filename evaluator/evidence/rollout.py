"""The `rollout` kind: a deployment and rollback drill that readiness ran itself (`readiness drill run`).

A drill has four phases, run in order: the user's deploy command, the health check after it, the user's
rollback command and the health check after that. The rollback runs even when the deploy or its health
check failed (that is when it matters); a phase that could not run is absent. Durations are integer
milliseconds, times RFC 3339 UTC strings. Commands and output tails are redacted before they are stored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from evaluator.evidence.registry import EvidenceKind

_Count = Field(ge=0)
_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"

MAX_TAIL_CHARS = 4000
"""At most this many characters of a command's output (its end) are kept."""
MAX_LINE_CHARS = 200
"""Longest command line and last output line kept for messages (policies cannot cut strings alike on every engine)."""

PhaseName = Literal["deploy", "health_after_deploy", "rollback", "health_after_rollback"]
"""The four phases of a drill."""
PhaseOutcome = Literal["succeeded", "failed", "timed_out", "not_started"]
"""How a phase ended: exit code 0 (for a health check: a check exited 0 in time), a non-zero exit
(for a health check: no check passed before its time-out), killed at its time-out, or the command
could not be started."""
Outcome = Literal["succeeded", "deploy_failed", "unhealthy_after_deploy", "rollback_failed", "unhealthy_after_rollback"]
"""The drill's outcome: the first of deploy, health after deploy, rollback, health after rollback that
did not succeed, or succeeded."""


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True)


class Phase(_Data):
    """One phase: a command (deploy, rollback) or a health check repeated until it passes or times out."""

    name: PhaseName
    """Which phase."""
    command: list[str] = Field(min_length=1, max_length=1000)
    """The command as run (argument list; with --shell, the shell and its script), secrets masked."""
    command_line: str = Field(min_length=1, max_length=MAX_LINE_CHARS)
    """The command as one line for messages (shell-quoted; with --shell, the script), cut to 200 characters."""
    shell: bool
    """True when the command ran through a shell (--shell)."""
    outcome: PhaseOutcome
    """How it ended."""
    start: str = Field(pattern=_TIME)
    """Start (UTC)."""
    end: str = Field(pattern=_TIME)
    """End (UTC)."""
    duration_ms: int = _Count
    """Wall time from start to end in milliseconds."""
    timeout_s: int = Field(ge=1)
    """Time-out of the phase in seconds; at the time-out the command's whole process group is killed."""
    attempts: int = Field(ge=0)
    """Times the command was run (1 for deploy and rollback; health checks repeat until one passes)."""
    exit_code: int | None = None
    """Exit code of the last run; absent when it was killed or could not start."""
    signal: int | None = Field(default=None, ge=1)
    """Signal that ended the last run, when one did (e.g. 9 after a time-out)."""
    error: str | None = Field(default=None, min_length=1, max_length=1000)
    """Why the command could not start (not found, not executable), when it could not."""
    output_tail: str = Field(max_length=MAX_TAIL_CHARS)
    """The end of the last run's combined stdout and stderr, decoded as UTF-8 with replacement, secrets masked."""
    output_bytes: int = _Count
    """Bytes the last run wrote in total; more than the tail when the tail was cut."""
    last_line: str | None = Field(default=None, min_length=1, max_length=MAX_LINE_CHARS)
    """The last non-blank line of the output tail, cut to 200 characters, for messages; absent without output."""


class Rollout(_Data):
    """What a `rollout` item holds in `data`."""

    target: str | None = Field(default=None, min_length=1, max_length=512)
    """What was deployed (--target: a version, an image, a release name), when given."""
    outcome: Outcome
    """The drill's outcome."""
    start: str = Field(pattern=_TIME)
    """Start of the deploy (UTC)."""
    end: str = Field(pattern=_TIME)
    """End of the last phase (UTC)."""
    deploy_ms: int | None = Field(default=None, ge=0)
    """Time to a healthy deployment: deploy command plus health checks until one passed; absent if never healthy."""
    rollback_ms: int | None = Field(default=None, ge=0)
    """Time to roll back: rollback command plus health checks until one passed; absent if never healthy."""
    healthy_after_deploy: bool
    """A health check passed after the deploy command succeeded."""
    healthy_after_rollback: bool
    """A health check passed after the rollback command succeeded."""
    phases: list[Phase] = Field(min_length=1, max_length=4)
    """The phases that ran, in order."""


KIND = EvidenceKind(
    name="rollout",
    version=1,
    model=Rollout,
    schema_file="evidence/rollout.v1.schema.json",
    description="deployment and rollback drill: command, exit status and duration per phase, health after each",
)
