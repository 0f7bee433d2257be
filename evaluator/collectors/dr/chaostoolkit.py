"""Chaos Toolkit journals (`chaos run --journal-path journal.json`) into a `dr` evidence item (one drill).

Read: journals written by chaostoolkit-lib 1.x (checked with chaostoolkit 1.19.0 / chaostoolkit-lib 1.44.0): a JSON
object with `chaoslib-version`, `experiment`, `start`, `end`, `status`, `deviated`, `steady_states`
(`before`/`after`/`during`, each `{steady_state_met, probes[]}` or null), `run[]` and `rollbacks[]`, where each
activity run is `{activity: {type, name, ...}, status, start, end, duration, output|exception}`.

Times: chaostoolkit-lib 1.44 writes aware UTC times (`2026-11-27T20:21:05.167424+00:00`); older chaoslib releases
wrote `datetime.utcnow().isoformat()`, a naive time that is UTC, so a naive journal time is read as UTC.

Mapping (journal -> model):
  experiment.title                          -> scenario
  experiment.tags                           -> tags (the scenario classes tier data requires, e.g. instance-loss)
  status + deviated + steady_states.before  -> status:
      deviated true (any status)                           -> deviated
      steady_states.before.steady_state_met false          -> failed (the system was not steady: nothing was tried)
      "completed"                                          -> succeeded
      "failed"                                             -> failed
      "aborted", "interrupted"                             -> aborted
  start, end                                -> start, end (UTC, Z) and the item's observed window
  steady_states.before.probes[], run[], steady_states.after.probes[]
                                            -> steps, in that order: activity.name, activity.type (kind), status
                                               (succeeded/failed; a run cut short without a status -> failed),
                                               start, end, duration (seconds -> duration_ms, rounded). A
                                               hypothesis probe is named "steady state before|after: NAME",
                                               kind "steady-state", and its status is its tolerance: met ->
                                               succeeded, not met -> failed (before) or deviated (after); a
                                               probe that itself failed -> failed
  rollbacks[]                               -> rollbacks (same mapping, kind from activity.type)
  rto.measured_s                            -> from the start of the first run[] entry whose activity is an
                                               action to the end of the last probe of steady_states.after, when
                                               steady_states.after.steady_state_met is true (rounded up to a
                                               whole second); absent otherwise (no action, no hypothesis after, or
                                               the hypothesis did not hold: the service was not shown to recover)
  rpo.measured_s                            -> absent (a journal does not measure data loss)
  experiment.extensions[name=readiness]     -> rto_target_s, rpo_target_s (whole seconds), data_loss (bool),
                                               scope, operator (strings); all optional. Without that extension
                                               targets, data_loss, scope and operator are absent.
  chaoslib-version                          -> tool_version (tool "chaostoolkit")

The extension convention, in the experiment:
  "extensions": [{"name": "readiness", "rto_target_s": 60, "rpo_target_s": 0, "data_loss": false,
                  "scope": "checkout-db primary", "operator": "sre-oncall"}]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from evaluator.collectors.dr.common import parse_utc, seconds_value, text_value, utc_text, whole_seconds
from evaluator.collectors.interface import Collected, Collector
from evaluator.errors import InputError
from evaluator.evidence.dr import Drill, Drills, Objective, Step
from evaluator.fileio import parse_json, read_bytes

_START = re.compile(rb"\A\s*\{")
_MARK = b'"chaoslib-version"'
_WHAT = "a Chaos Toolkit journal (a JSON object with `chaoslib-version`, `experiment` and `run`)"
_STATUS = {"completed": "succeeded", "failed": "failed", "aborted": "aborted", "interrupted": "aborted"}
_RTO_SOURCE = "chaostoolkit journal: start of first method action to end of last steady-state probe after"
EXTENSION = "readiness"
"""Name of the experiment extension that carries RTO/RPO targets, data_loss, scope and operator."""


class ChaosToolkitJournalCollector(Collector):
    """Chaos Toolkit `chaos run` journal: one experiment run as one drill."""

    format: ClassVar[str] = "chaostoolkit-journal"
    kind: ClassVar[str] = "dr"
    schema: ClassVar[str] = "dr/v1"
    description: ClassVar[str] = "Chaos Toolkit journal.json (chaos run --journal-path), one experiment run as a drill"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when `head` opens a JSON object carrying chaoslib's `chaoslib-version` key and an experiment."""
        return bool(_START.match(head)) and _MARK in head and b'"experiment"' in head

    def collect(self, path: Path) -> Collected:
        """Parse one journal into one drill."""
        data = read_bytes(path)
        if not data.strip():
            raise InputError(path, "file is empty, expected a Chaos Toolkit journal")
        journal = parse_json(data, path)
        if not isinstance(journal, dict) or "chaoslib-version" not in journal:
            raise InputError(path, f"not {_WHAT}")
        experiment = journal.get("experiment")
        if not isinstance(experiment, dict):
            raise InputError(path, "Chaos Toolkit journal has no `experiment` object")
        runs = journal.get("run")
        if not isinstance(runs, list):
            raise InputError(path, "Chaos Toolkit journal has no `run` list (not a finished `chaos run` journal)")
        rollbacks = journal.get("rollbacks", [])
        if not isinstance(rollbacks, list):
            raise InputError(path, "Chaos Toolkit journal `rollbacks` is not a list")
        title = text_value(path, experiment.get("title"), "experiment.title")
        start = parse_utc(path, journal.get("start"), "journal start", naive_is_utc=True)
        end = parse_utc(path, journal.get("end"), "journal end", naive_is_utc=True) if journal.get("end") else None
        ext = _extension(path, experiment)
        steps = [
            *_hypothesis_steps(path, journal, "before"),
            *(_step(path, r, f"run[{i}]") for i, r in enumerate(runs)),
            *_hypothesis_steps(path, journal, "after"),
        ]
        rolled = [_step(path, r, f"rollbacks[{i}]") for i, r in enumerate(rollbacks)]
        rto_measured = _rto(path, journal, runs)
        drill = Drill(
            scenario=title,
            scope=ext.get("scope"),
            tags=_tags(path, experiment),
            status=_status(path, journal),
            start=utc_text(start),
            end=utc_text(end) if end else None,
            rto=Objective(
                target_s=ext.get("rto_target_s"),
                measured_s=rto_measured,
                source=_RTO_SOURCE if rto_measured is not None else None,
            ),
            rpo=Objective(target_s=ext.get("rpo_target_s")),
            data_loss=ext.get("data_loss"),
            steps=steps,
            rollbacks=rolled,
            operator=ext.get("operator"),
        )
        version = journal.get("chaoslib-version")
        return Collected(
            data=Drills(drills=[drill]),
            tool="chaostoolkit",
            tool_version=version if isinstance(version, str) and version else None,
            observed_start=start,
            observed_end=end,
        )


def _status(path: Path, journal: dict[str, Any]) -> str:
    status = journal.get("status")
    if status not in _STATUS:
        raise InputError(path, f"Chaos Toolkit journal status {str(status)[:40]!r} is not one chaoslib writes")
    if journal.get("deviated") is True:
        return "deviated"
    before = (journal.get("steady_states") or {}).get("before")
    if isinstance(before, dict) and before.get("steady_state_met") is False:
        return "failed"
    return _STATUS[status]


def _tags(path: Path, experiment: dict[str, Any]) -> list[str]:
    """The experiment's `tags` (strings, in order, duplicates dropped), which name the scenario classes it exercises."""
    tags = experiment.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise InputError(path, "experiment.tags must be a list of non-empty strings")
    return list(dict.fromkeys(t.strip()[:128] for t in tags))[:64]


def _extension(path: Path, experiment: dict[str, Any]) -> dict[str, Any]:
    extensions = experiment.get("extensions") or []
    if not isinstance(extensions, list):
        raise InputError(path, "experiment.extensions is not a list")
    found: dict[str, Any] = {}
    for ext in extensions:
        if not isinstance(ext, dict) or ext.get("name") != EXTENSION:
            continue
        where = f"experiment extension {EXTENSION!r}"
        for key in ("rto_target_s", "rpo_target_s"):
            if key in ext:
                found[key] = seconds_value(path, ext[key], f"{where} {key}")
        if "data_loss" in ext:
            if not isinstance(ext["data_loss"], bool):
                raise InputError(path, f"{where} data_loss must be true or false, got {ext['data_loss']!r}")
            found["data_loss"] = ext["data_loss"]
        if "scope" in ext:
            found["scope"] = text_value(path, ext["scope"], f"{where} scope")
        if "operator" in ext:
            found["operator"] = text_value(path, ext["operator"], f"{where} operator", 256)
    return found


def _step(path: Path, run: Any, where: str) -> Step:
    if not isinstance(run, dict) or not isinstance(run.get("activity"), dict):
        raise InputError(path, f"Chaos Toolkit journal {where} is not an activity run")
    activity = run["activity"]
    name = text_value(path, activity.get("name"), f"{where}.activity.name")
    kind = activity.get("type")
    status = run.get("status")
    if status not in (None, "succeeded", "failed"):
        raise InputError(path, f"Chaos Toolkit journal {where} status {str(status)[:40]!r} is not succeeded/failed")
    start = parse_utc(path, run["start"], f"{where}.start", naive_is_utc=True) if run.get("start") else None
    end = parse_utc(path, run["end"], f"{where}.end", naive_is_utc=True) if run.get("end") else None
    duration = run.get("duration")
    duration_ms = None
    if isinstance(duration, int | float) and not isinstance(duration, bool) and duration >= 0:
        duration_ms = round(duration * 1000)
    return Step(
        name=name,
        kind=kind if isinstance(kind, str) and kind else None,
        status=status or "failed",
        start=utc_text(start) if start else None,
        end=utc_text(end) if end else None,
        duration_ms=duration_ms,
    )


def _hypothesis_steps(path: Path, journal: dict[str, Any], when: str) -> list[Step]:
    """The probes of the steady-state hypothesis checked `when` (before / after the method), as steps."""
    state = (journal.get("steady_states") or {}).get(when)
    if state is None:
        return []
    if not isinstance(state, dict) or not isinstance(state.get("probes", []), list):
        raise InputError(path, f"Chaos Toolkit journal steady_states.{when} is not a hypothesis result")
    steps = []
    for i, probe in enumerate(state.get("probes", [])):
        step = _step(path, probe, f"steady_states.{when}.probes[{i}]")
        met = probe.get("tolerance_met")
        if not isinstance(met, bool):
            raise InputError(path, f"Chaos Toolkit journal steady_states.{when}.probes[{i}] has no tolerance_met")
        status = "succeeded" if met else ("deviated" if when == "after" else "failed")
        if step.status == "failed":
            status = "failed"
        name = f"steady state {when}: {step.name}"[:512]
        steps.append(step.model_copy(update={"name": name, "kind": "steady-state", "status": status}))
    return steps


def _rto(path: Path, journal: dict[str, Any], runs: list[Any]) -> int | None:
    after = (journal.get("steady_states") or {}).get("after")
    if not isinstance(after, dict) or after.get("steady_state_met") is not True:
        return None
    probes = [p for p in after.get("probes") or [] if isinstance(p, dict) and p.get("end")]
    first = next(
        (
            r
            for r in runs
            if isinstance(r, dict) and (r.get("activity") or {}).get("type") == "action" and r.get("start")
        ),
        None,
    )
    if first is None or not probes:
        return None
    start = parse_utc(path, first["start"], "first action start", naive_is_utc=True)
    end = parse_utc(path, probes[-1]["end"], "steady_states.after probe end", naive_is_utc=True)
    return whole_seconds(start, end)
