"""LitmusChaos ChaosResult objects (`kubectl get chaosresult -o yaml|json`) into a `dr` evidence item.

Read: `apiVersion: litmuschaos.io/v1alpha1`, `kind: ChaosResult` objects as YAML or JSON: one object, several YAML
documents, or a list (`kind: List` / `ChaosResultList` with `items`, as `kubectl get chaosresult -o yaml` prints);
one drill per ChaosResult. `kubectl describe chaosresult` text is refused with a hint (it is not a stable format).
The verdict is read from the first of these that exists (the shapes Litmus wrote over time):
  status.experimentStatus   Litmus 2.x/3.x (litmus-go; history, probeStatuses, errorOutput/failureOutput in 3.x)
  status.experimentstatus   Litmus 1.x (failStep, probeSuccessPercentage, probeStatus[] with a phase -> text map)
  spec.experimentstatus     Litmus 0.x (2019: phase and a lower-case verdict only)

Mapping (object -> drill):
  spec.experiment, spec.engine     -> scenario "pod-delete (engine nginx-chaos)"; tags [experiment], plus the
                                      scenario class of the experiments that simulate losing an instance
                                      (INSTANCE_LOSS: pod-delete, container-kill, node-drain ... -> "instance-loss",
                                      the tag policies/data/dr.yaml requires). Without spec.experiment (0.x) the
                                      scenario is "ChaosResult NAME" and tags are empty.
                                      When status.history counts more than one run the scenario adds "last of N runs".
  status.history.targets[]         -> scope "targets: deployment/hello, ..." (what chaos was injected into); else
                                      metadata.namespace -> scope "namespace NS" (the namespace the result lives in,
                                      the chaos namespace, usually the application's)
  verdict (case-insensitive)       -> status: Pass -> succeeded; Fail, Error (3.x) -> failed; Stopped -> aborted;
                                      Awaited, Running (0.x) -> in_progress (aborted when the phase is Stopped or
                                      Aborted); an empty or other verdict is refused
  metadata.creationTimestamp       -> start (required). Litmus reuses one ChaosResult for every run of the same engine
                                      and experiment, so with several runs this is the FIRST run's start: the drill's
                                      window then spans all the runs while its status is the last run's verdict.
  metadata.managedFields[].time    -> end: the API server's time of the latest write, which for a finished result is
                                      the write of its verdict. kubectl >= 1.21 hides managedFields unless given
                                      --show-managed-fields, so end is usually absent; it is never guessed, and a
                                      finished result stays succeeded/failed/aborted without an end. No end while
                                      in progress.
  probes                           -> steps, in the object's order, kind = probe type:
      status.probeStatuses[] (2.x/3.x): name, mode, status.verdict Passed -> succeeded, Failed -> failed,
                                      N/A / Awaited -> skipped; step "probe NAME (MODE): DESCRIPTION"
      status.probeStatus[] / probestatus[] (1.x): status is a map phase -> "Passed 👍" / "Failed 👎" /
                                      "Better Luck Next Time 👎" / "Awaited" / "N/A"; one step per probe, failed when
                                      any phase failed, succeeded when all passed, skipped otherwise;
                                      step "probe NAME (Continuous: Passed, PostChaos: Passed)"
  the experiment itself            -> a last step "experiment pod-delete: verdict Fail, phase Completed, probe success
                                      50%, failed step: ..." (kind experiment; succeeded for Pass, failed otherwise)
                                      carrying probeSuccessPercentage and the failure: failStep (other than ""/"N/A"),
                                      3.x errorOutput {errorCode, reason} or failureOutput {errorCode, failedStep}.
                                      No steps while in progress. Texts copied from the object pass through redact().
  RTO / RPO measured, data_loss    -> absent: a ChaosResult measures neither recovery time nor data loss
  annotations readiness.dev/rto-target-s, readiness.dev/rpo-target-s
                                   -> rto.target_s / rpo.target_s: whole seconds as digits ("120"); anything else is
                                      refused. Set them on the result (kubectl annotate chaosresult NAME
                                      readiness.dev/rto-target-s=120) or in the engine's result template.
  labels app.kubernetes.io/version -> tool_version (when every object states the same one); tool "litmuschaos"
The observed window is the earliest start to the latest end when every drill has an end.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import yaml

from evaluator.collectors.dr.common import parse_utc, seconds_text, utc_text
from evaluator.collectors.interface import Collected, Collector
from evaluator.errors import InputError
from evaluator.evidence.dr import Drill, Drills, Objective, Step
from evaluator.fileio import YamlLoader, parse_json, read_bytes, yaml_error
from evaluator.redact import redact

API_VERSION = "litmuschaos.io/v1alpha1"
"""The apiVersion every ChaosResult carries."""
INSTANCE_LOSS = frozenset(
    {
        "pod-delete",
        "container-kill",
        "kubelet-service-kill",
        "node-drain",
        "node-restart",
        "ec2-terminate-by-id",
        "ec2-terminate-by-tag",
        "azure-instance-stop",
        "gcp-vm-instance-stop",
        "vm-poweroff",
    }
)
"""Litmus experiments that take an instance (pod, container, node, VM) away: tagged instance-loss too."""
RTO_TARGET_ANNOTATION = "readiness.dev/rto-target-s"
"""Annotation on a ChaosResult giving the RTO target in whole seconds."""
RPO_TARGET_ANNOTATION = "readiness.dev/rpo-target-s"
"""Annotation on a ChaosResult giving the RPO target in whole seconds."""

_API = re.compile(
    rb"""(?m)^\s*(?:-\s+)?["']?apiVersion["']?\s*:\s*["']?litmuschaos\.io/v1alpha1["']?\s*,?\s*$"""
    rb"""|"apiVersion"\s*:\s*"litmuschaos\.io/v1alpha1\""""
)
_KIND = re.compile(rb"""(?m)^\s*["']?kind["']?\s*:\s*["']?ChaosResult["']?\s*,?\s*$|"kind"\s*:\s*"ChaosResult\"""")
_STATUS_KEY = re.compile(rb"""(?i)["']?experimentstatus["']?\s*:""")
_DESCRIBE = re.compile(rb"(?m)^\s*API Version:\s+litmuschaos\.io/v1alpha1\s*$")
_DESCRIBE_KIND = re.compile(rb"(?m)^\s*Kind:\s+ChaosResult\s*$")
_DESCRIBE_NAME = re.compile(rb"(?m)^\s*Name:\s+([A-Za-z0-9][A-Za-z0-9.-]{0,252})\s*$")
_DESCRIBE_NAMESPACE = re.compile(rb"(?m)^\s*Namespace:\s+([a-z0-9][a-z0-9-]{0,62})\s*$")
_LISTS = ("List", "ChaosResultList")
_VERDICTS = {
    "pass": "succeeded",
    "fail": "failed",
    "error": "failed",
    "stopped": "aborted",
    "awaited": "in_progress",
    "running": "in_progress",
}
_PROBE_VERDICTS = {"passed": "succeeded", "failed": "failed", "n/a": "skipped", "awaited": "skipped"}
_NO_FAIL_STEP = {"", "n/a", "na", "none"}
_HIDDEN = "NAME"


class LitmusChaosResultCollector(Collector):
    """LitmusChaos ChaosResult custom resources (YAML or JSON, 1.x and 2.x/3.x shapes)."""

    format: ClassVar[str] = "litmus-chaosresult"
    kind: ClassVar[str] = "dr"
    schema: ClassVar[str] = "dr/v1"
    description: ClassVar[str] = "LitmusChaos ChaosResult objects (kubectl get chaosresult -o yaml|json)"

    @classmethod
    def detect(cls, head: bytes) -> bool:
        """True when `head` has apiVersion litmuschaos.io/v1alpha1, kind ChaosResult and an experiment status key."""
        return bool(_API.search(head)) and bool(_KIND.search(head)) and bool(_STATUS_KEY.search(head))

    def collect(self, path: Path) -> Collected:
        """Parse every ChaosResult into one drill each."""
        data = read_bytes(path)
        if not data.strip():
            raise InputError(path, "file is empty, expected LitmusChaos ChaosResult objects")
        _refuse_describe(path, data)
        objects: list[Any] = []
        for doc in _documents(path, data):
            if isinstance(doc, dict) and doc.get("kind") in _LISTS and isinstance(doc.get("items"), list):
                objects.extend(doc["items"])
            else:
                objects.append(doc)
        if not objects:
            raise InputError(path, "no ChaosResult object in the file")
        read = [_read(path, obj, i) for i, obj in enumerate(objects)]
        drills = [drill for drill, _ in read]
        versions = {version for _, version in read}
        starts = [parse_utc(path, d.start, "start") for d in drills]
        ends = [parse_utc(path, d.end, "end") for d in drills if d.end]
        whole = len(ends) == len(drills)
        return Collected(
            data=Drills(drills=drills),
            tool="litmuschaos",
            tool_version=versions.pop() if len(versions) == 1 else None,
            observed_start=min(starts) if whole else None,
            observed_end=max(ends) if whole else None,
        )


def _refuse_describe(path: Path, data: bytes) -> None:
    if not (_DESCRIBE.search(data) and _DESCRIBE_KIND.search(data)):
        return
    name = _DESCRIBE_NAME.search(data)
    namespace = _DESCRIBE_NAMESPACE.search(data)
    target = name.group(1).decode() if name else _HIDDEN
    if namespace:
        target += f" -n {namespace.group(1).decode()}"
    raise InputError(path, f"kubectl describe output; export with kubectl get chaosresult {target} -o yaml")


def _documents(path: Path, data: bytes) -> list[Any]:
    if data.lstrip()[:1] in (b"{", b"["):
        return [parse_json(data, path)]
    try:
        return [d for d in yaml.load_all(data, Loader=YamlLoader) if d is not None]
    except yaml.YAMLError as exc:
        raise yaml_error(path, exc) from None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _read(path: Path, obj: Any, index: int) -> tuple[Drill, str | None]:
    if not isinstance(obj, dict) or obj.get("apiVersion") != API_VERSION or obj.get("kind") != "ChaosResult":
        what = ""
        if isinstance(obj, dict) and isinstance(obj.get("apiVersion"), str) and isinstance(obj.get("kind"), str):
            what = f" (it is {obj['apiVersion'][:60]} {obj['kind'][:60]})"
        raise InputError(path, f"object {index + 1} is not a {API_VERSION} ChaosResult{what}")
    meta, spec, status = _mapping(obj.get("metadata")), _mapping(obj.get("spec")), _mapping(obj.get("status"))
    name = _text(meta.get("name"))
    if not name:
        raise InputError(path, f"object {index + 1}: ChaosResult has no metadata.name")
    label = f"ChaosResult {name[:100]}"
    where, experiment_status = _experiment_status(status, spec)
    if experiment_status is None:
        raise InputError(path, f"{label} has no verdict (no status.experimentStatus)")
    verdict = _text(experiment_status.get("verdict"))
    if not verdict:
        raise InputError(path, f"{label} has no verdict ({where}.verdict is missing or empty)")
    if verdict.lower() not in _VERDICTS:
        raise InputError(path, f"{label}: verdict {verdict[:40]!r} is not one of Pass, Fail, Error, Stopped, Awaited")
    phase = _text(experiment_status.get("phase"))
    drill_status = _VERDICTS[verdict.lower()]
    if drill_status == "in_progress" and phase.lower() in ("stopped", "aborted"):
        drill_status = "aborted"
    created = meta.get("creationTimestamp")
    if not created:
        raise InputError(path, f"{label} has no metadata.creationTimestamp (export it with kubectl get -o yaml)")
    start = parse_utc(path, created, f"{label} metadata.creationTimestamp")
    end = _last_write(path, meta, label) if drill_status != "in_progress" else None
    if end is not None and end < start:
        raise InputError(path, f"{label}: metadata.managedFields time is before metadata.creationTimestamp")
    history = _mapping(status.get("history"))
    runs = sum(_count(history.get(key)) for key in ("passedRuns", "failedRuns", "stoppedRuns"))
    experiment = _text(spec.get("experiment"))
    engine = _text(spec.get("engine"))
    scenario = f"{experiment} (engine {engine})" if experiment and engine else experiment or label
    if runs > 1:
        scenario += f", last of {runs} runs"
    annotations = _mapping(meta.get("annotations"))
    steps: list[Step] = []
    if drill_status != "in_progress":
        steps = _probe_steps(path, status, label)
        steps.append(_experiment_step(experiment or name, verdict, phase, experiment_status, drill_status))
    drill = Drill(
        scenario=redact(scenario)[:512],
        scope=_scope(history, meta),
        tags=[experiment[:128], *(["instance-loss"] if experiment in INSTANCE_LOSS else [])] if experiment else [],
        status=drill_status,
        start=utc_text(start),
        end=utc_text(end) if end else None,
        rto=Objective(target_s=_target(path, annotations, RTO_TARGET_ANNOTATION, label)),
        rpo=Objective(target_s=_target(path, annotations, RPO_TARGET_ANNOTATION, label)),
        steps=steps,
        rollbacks=[],
    )
    version = _text(_mapping(meta.get("labels")).get("app.kubernetes.io/version"))
    return drill, version[:64] or None


def _experiment_status(status: dict[str, Any], spec: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    for where, holder, key in (
        ("status.experimentStatus", status, "experimentStatus"),
        ("status.experimentstatus", status, "experimentstatus"),
        ("spec.experimentstatus", spec, "experimentstatus"),
    ):
        if isinstance(holder.get(key), dict):
            return where, holder[key]
    return "status.experimentStatus", None


def _last_write(path: Path, meta: dict[str, Any], label: str) -> datetime | None:
    fields = meta.get("managedFields")
    if not isinstance(fields, list):
        return None
    times = [
        parse_utc(path, entry["time"], f"{label} metadata.managedFields[{i}].time")
        for i, entry in enumerate(fields)
        if isinstance(entry, dict) and entry.get("time")
    ]
    return max(times) if times else None


def _target(path: Path, annotations: dict[str, Any], key: str, label: str) -> int | None:
    if key not in annotations:
        return None
    return seconds_text(path, annotations[key], f"{label} annotation {key}")


def _scope(history: dict[str, Any], meta: dict[str, Any]) -> str | None:
    targets = history.get("targets")
    names = []
    if isinstance(targets, list):
        for target in targets:
            target = _mapping(target)
            name, kind = _text(target.get("name")), _text(target.get("kind"))
            if name:
                names.append(f"{kind}/{name}" if kind else name)
    if names:
        return redact("targets: " + ", ".join(names))[:512]
    namespace = _text(meta.get("namespace"))
    return f"namespace {namespace}"[:512] if namespace else None


def _probe_steps(path: Path, status: dict[str, Any], label: str) -> list[Step]:
    statuses = status.get("probeStatuses")
    if isinstance(statuses, list):
        return [_probe_step_v2(path, _mapping(p), label, i) for i, p in enumerate(statuses)]
    for key in ("probeStatus", "probestatus"):
        if isinstance(status.get(key), list):
            return [_probe_step_v1(path, _mapping(p), label, key, i) for i, p in enumerate(status[key])]
    return []


def _probe_name(probe: dict[str, Any], where: str) -> str:
    return _text(probe.get("name")) or where


def _probe_step_v2(path: Path, probe: dict[str, Any], label: str, index: int) -> Step:
    name = _probe_name(probe, f"probeStatuses[{index}]")
    result = _mapping(probe.get("status"))
    verdict = _text(result.get("verdict"))
    if verdict.lower() not in _PROBE_VERDICTS:
        raise InputError(
            path, f"{label}: probe {name[:80]} verdict {verdict[:40]!r} is not one of Passed, Failed, N/A, Awaited"
        )
    mode, description = _text(probe.get("mode")), _text(result.get("description"))
    text = f"probe {name}" + (f" ({mode})" if mode else "") + (f": {description}" if description else "")
    return Step(
        name=redact(text)[:512],
        kind=_text(probe.get("type"))[:64] or "probe",
        status=_PROBE_VERDICTS[verdict.lower()],
    )


def _probe_outcome(text: str) -> str | None:
    words = re.sub(r"[^A-Za-z/ ]+", " ", text).strip().lower()
    if words.startswith("passed"):
        return "succeeded"
    if words.startswith(("failed", "better luck next time")):
        return "failed"
    if words in ("awaited", "n/a", "na", ""):
        return "skipped"
    return None


def _probe_step_v1(path: Path, probe: dict[str, Any], label: str, key: str, index: int) -> Step:
    name = _probe_name(probe, f"{key}[{index}]")
    phases = _mapping(probe.get("status"))
    outcomes, shown = [], []
    for phase, value in phases.items():
        outcome = _probe_outcome(value) if isinstance(value, str) else None
        if outcome is None:
            raise InputError(
                path,
                f"{label}: probe {name[:80]} status {str(phase)[:40]} {str(value)[:40]!r} is not Passed, Failed, "
                "Better Luck Next Time, Awaited or N/A",
            )
        outcomes.append(outcome)
        shown.append(f"{phase}: {re.sub(r'[^A-Za-z/ ]+', ' ', value).strip() or value.strip()}")
    if "failed" in outcomes:
        step_status = "failed"
    elif outcomes and all(o == "succeeded" for o in outcomes):
        step_status = "succeeded"
    else:
        step_status = "skipped"
    text = f"probe {name}" + (f" ({', '.join(shown)})" if shown else "")
    return Step(
        name=redact(text)[:512],
        kind=_text(probe.get("type"))[:64] or "probe",
        status=step_status,
    )


def _reason(text: str) -> str:
    """litmus-go 3.x writes errorOutput.reason as a JSON object {errorCode, phase, reason, target}: its reason."""
    if not text.startswith("{"):
        return text
    try:
        inner = json.loads(text)
    except ValueError:
        return text
    if not isinstance(inner, dict) or not _text(inner.get("reason")):
        return text
    phase = _text(inner.get("phase"))
    return _text(inner["reason"]) + (f" ({phase})" if phase else "")


def _failure(experiment_status: dict[str, Any]) -> str:
    step = _text(experiment_status.get("failStep") or experiment_status.get("failstep"))
    code = ""
    for key, text_key in (("errorOutput", "reason"), ("failureOutput", "failedStep")):
        output = _mapping(experiment_status.get(key))
        code = code or _text(output.get("errorCode"))
        if step.lower() in _NO_FAIL_STEP:
            step = _reason(_text(output.get(text_key)))
    if step.lower() in _NO_FAIL_STEP:
        step = ""
    if not step and not code:
        return ""
    return f"[{code}] {step}".strip() if code else step


def _experiment_step(
    experiment: str, verdict: str, phase: str, experiment_status: dict[str, Any], drill_status: str
) -> Step:
    parts = [f"verdict {verdict}"]
    if phase:
        parts.append(f"phase {phase}")
    score = experiment_status.get("probeSuccessPercentage", experiment_status.get("probesuccesspercentage"))
    if isinstance(score, (int, float)) and not isinstance(score, bool):
        parts.append(f"probe success {score:g}%")
    elif isinstance(score, str) and re.fullmatch(r"\d{1,3}(\.\d+)?%?", score.strip()):
        parts.append(f"probe success {score.strip().rstrip('%')}%")
    failure = _failure(experiment_status)
    if failure:
        parts.append(f"failed step: {failure}")
    return Step(
        name=redact(f"experiment {experiment}: " + ", ".join(parts))[:512],
        kind="experiment",
        status="succeeded" if drill_status == "succeeded" else "failed",
    )
