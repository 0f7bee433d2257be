"""Velero Backup and Restore objects (`kubectl get backup|restore -o yaml|json`) into a `dr` evidence item.

Read: `apiVersion: velero.io/v1` objects of kind Backup or Restore, as YAML or JSON, one object, several YAML
documents, or a list (`kind: List`/`BackupList`/`RestoreList` with `items`); one drill per Backup/Restore.
Velero's `velero ... describe` text output is not read (it is not a stable format).

Mapping (object -> drill):
  kind + metadata.name           -> scenario "backup NAME" / "restore NAME"; tags [backup] for a Backup,
                                    [restore, backup-restore] for a Restore (the class policies/data/dr.yaml requires)
  Backup spec.includedNamespaces -> scope "namespaces: a, b" (else spec.storageLocation "storage location X")
  Restore spec.backupName        -> scope "backup NAME"
  status.phase                   -> status: Completed -> succeeded; PartiallyFailed -> partially_failed;
                                    Failed, FailedValidation -> failed; New, InProgress, WaitingForPluginOperations*,
                                    Finalizing* -> in_progress (Deleting and unknown phases are refused)
  status.startTimestamp          -> start (metadata.creationTimestamp when the object has not started yet)
  status.completionTimestamp     -> end (absent while in progress)
  restore start -> completion    -> rto.measured_s for a Completed Restore (whole seconds, rounded up); a backup
                                    measures no RTO; targets, RPO and data_loss are absent (Velero states none)
  the object itself              -> one step: name "backup NAME" / "restore NAME" with item progress, errors
                                    and warnings (e.g. "backup x: 115/115 items, 1 error, 0 warnings"), kind
                                    backup/restore, status succeeded (Completed) or failed (PartiallyFailed,
                                    Failed*), start/end/duration_ms; no step while in progress
The observed window is the earliest start to the latest end when every object has finished.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import yaml

from evaluator.collectors.dr.common import parse_utc, utc_text, whole_seconds
from evaluator.collectors.interface import Collected, Collector
from evaluator.errors import InputError
from evaluator.evidence.dr import Drill, Drills, Objective, Step
from evaluator.fileio import YamlLoader, read_bytes, yaml_error

_API = re.compile(rb"""(?m)^\s*(?:-\s+)?["']?apiVersion["']?\s*:\s*["']?velero\.io/v1["']?\s*,?\s*$""")
_KIND = re.compile(rb"""(?m)^\s*["']?kind["']?\s*:\s*["']?(Backup|Restore)["']?\s*,?\s*$""")
_KINDS = {("velero.io/v1", "Backup"), ("velero.io/v1", "Restore")}
_PHASES = {
    "Completed": "succeeded",
    "PartiallyFailed": "partially_failed",
    "Failed": "failed",
    "FailedValidation": "failed",
    "New": "in_progress",
    "InProgress": "in_progress",
    "WaitingForPluginOperations": "in_progress",
    "WaitingForPluginOperationsPartiallyFailed": "in_progress",
    "Finalizing": "in_progress",
    "FinalizingPartiallyFailed": "in_progress",
}
_RTO_SOURCE = "velero Restore: status.startTimestamp to status.completionTimestamp"


class VeleroCollector(Collector):
    """Velero Backup/Restore custom resources (YAML or JSON)."""

    format: ClassVar[str] = "velero"
    kind: ClassVar[str] = "dr"
    schema: ClassVar[str] = "dr/v1"
    description: ClassVar[str] = "Velero Backup/Restore objects (kubectl get backup|restore -o yaml|json)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when `head` has `apiVersion: velero.io/v1` and `kind: Backup` or `Restore` on their own lines."""
        return bool(_API.search(head)) and bool(_KIND.search(head))

    def collect(self, path: Path) -> Collected:
        """Parse every Backup/Restore object into one drill each."""
        data = read_bytes(path)
        if not data.strip():
            raise InputError(path, "file is empty, expected Velero Backup/Restore objects")
        try:
            documents = [d for d in yaml.load_all(data, Loader=YamlLoader) if d is not None]
        except yaml.YAMLError as exc:
            raise yaml_error(path, exc) from None
        objects: list[Any] = []
        for doc in documents:
            if isinstance(doc, dict) and isinstance(doc.get("items"), list) and doc.get("kind") != "Backup":
                objects.extend(doc["items"])
            else:
                objects.append(doc)
        drills = [_drill(path, obj, i) for i, obj in enumerate(objects)]
        if not drills:
            raise InputError(path, "no Velero Backup or Restore object in the file")
        starts = [parse_utc(path, d.start, "start") for d in drills]
        ends = [parse_utc(path, d.end, "end") for d in drills if d.end]
        whole = len(ends) == len(drills)
        return Collected(
            data=Drills(drills=drills),
            tool="velero",
            observed_start=min(starts) if whole else None,
            observed_end=max(ends) if whole else None,
        )


def _drill(path: Path, obj: Any, index: int) -> Drill:
    where = f"object {index + 1}"
    if (
        not isinstance(obj, dict)
        or obj.get("apiVersion") != "velero.io/v1"
        or obj.get("kind") not in ("Backup", "Restore")
    ):
        raise InputError(path, f"{where} is not a velero.io/v1 Backup or Restore")
    kind = obj["kind"]
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(path, f"{where}: {kind} has no metadata.name")
    phase = status.get("phase", "New")
    if phase not in _PHASES:
        raise InputError(path, f"{kind} {name}: phase {str(phase)[:40]!r} is not a finished or running phase")
    drill_status = _PHASES[phase]
    start_text = status.get("startTimestamp") or meta.get("creationTimestamp")
    if not start_text:
        raise InputError(path, f"{kind} {name} has neither status.startTimestamp nor metadata.creationTimestamp")
    start = parse_utc(path, start_text, f"{kind} {name} start")
    end: datetime | None = None
    if drill_status != "in_progress" and status.get("completionTimestamp"):
        end = parse_utc(path, status["completionTimestamp"], f"{kind} {name} status.completionTimestamp")
        if end < start:
            raise InputError(path, f"{kind} {name}: completionTimestamp is before startTimestamp")
    label = f"{kind.lower()} {name}"
    steps = []
    if drill_status != "in_progress":
        steps.append(
            Step(
                name=f"{label}: {_details(status)}"[:512],
                kind=kind.lower(),
                status="succeeded" if drill_status == "succeeded" else "failed",
                start=utc_text(start),
                end=utc_text(end) if end else None,
                duration_ms=round((end - start).total_seconds() * 1000) if end else None,
            )
        )
    measured = whole_seconds(start, end) if kind == "Restore" and drill_status == "succeeded" and end else None
    return Drill(
        scenario=label[:512],
        scope=_scope(kind, spec),
        tags=["backup"] if kind == "Backup" else ["restore", "backup-restore"],
        status=drill_status,
        start=utc_text(start),
        end=utc_text(end) if end else None,
        rto=Objective(measured_s=measured, source=_RTO_SOURCE if measured is not None else None),
        rpo=Objective(),
        steps=steps,
        rollbacks=[],
    )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _details(status: dict[str, Any]) -> str:
    parts = []
    progress = status.get("progress")
    if isinstance(progress, dict):
        done = progress.get("itemsBackedUp", progress.get("itemsRestored"))
        total = progress.get("totalItems")
        if isinstance(done, int) and isinstance(total, int):
            parts.append(f"{done}/{total} items")
    errors, warnings = _count(status.get("errors")), _count(status.get("warnings"))
    parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)


def _scope(kind: str, spec: dict[str, Any]) -> str | None:
    if kind == "Restore":
        backup = spec.get("backupName")
        return f"backup {backup}"[:512] if isinstance(backup, str) and backup else None
    namespaces = spec.get("includedNamespaces")
    if isinstance(namespaces, list) and namespaces and all(isinstance(n, str) for n in namespaces):
        return f"namespaces: {', '.join(namespaces)}"[:512]
    location = spec.get("storageLocation")
    return f"storage location {location}"[:512] if isinstance(location, str) and location else None
