"""Evaluating verified evidence with a policy set: one verdict per criterion, then the decision."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evaluator import __version__, schemas
from evaluator.bundle.verify import Verification
from evaluator.decide import AppliedWaiver, Finding, Verdict, decide
from evaluator.engine import get_engine
from evaluator.engine.isolated import DEFAULT_TIMEOUT, Outcome, run_isolated
from evaluator.policy.input import build_input
from evaluator.policy.model import CHECKED_RULE, RULE_KINDS, Criterion, PolicySet, severity_rank
from evaluator.report.interface import InputDigest, Report
from evaluator.timeutil import format_duration, format_time
from evaluator.waivers import Waivers

COMPARATORS = ("<=", "<", ">=", ">", "==", "!=", "in", "not in", "includes")
"""Comparators a result may name: how observed must compare with threshold for a pass (`includes`: the observed
collection holds the threshold, e.g. the scan types present include a required one)."""

_RESULT_KEYS = {"criterion", "msg", "observed", "threshold", "comparator", "evidence", "pointer", "fingerprint"}
_STATUS_ORDER = ("error", "fail", "insufficient_evidence", "warn", "waived", "pass", "not_applicable")


@dataclass(frozen=True)
class Options:
    """How to evaluate."""

    engine: str = "embedded"
    """Engine backend name."""
    blocking_severity: str = "high"
    """Criteria at or above this severity block on fail, insufficient_evidence or error."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds before unanswered queries become errors."""


class PolicyOutputError(Exception):
    """A rule produced something other than a set of result objects."""


def evaluate(
    verification: Verification,
    policy_set: PolicySet,
    bundle: InputDigest,
    evaluation_time: datetime,
    options: Options = Options(),
    waivers: Waivers | None = None,
    waivers_file: InputDigest | None = None,
    unsigned: bool = False,
) -> Report:
    """Verdicts for every criterion of `policy_set` on the verified statement, and the decision."""
    statement = verification.statement
    if statement is None:
        raise ValueError("evaluate needs a verification that produced a statement")
    engine = get_engine(options.engine)
    engine_version = engine.version()
    stale = {f.item: f.message for f in verification.failures if f.check == "freshness" and f.item}
    refused = {
        f.item: f"{f.check} failed" for f in verification.failures if f.check in ("digests", "item-schemas") and f.item
    }
    usable = [i.id for i in verification.items if i.id not in stale]
    verified = verification.ok and not unsigned
    input_document = build_input(statement, usable, evaluation_time, verified)
    problems = schemas.problems(schemas.POLICY_INPUT, input_document)
    if problems:  # pragma: no cover - build_input is tested to produce valid documents
        raise ValueError(f"policy input fails its schema: {problems[0]}")

    queries = _queries(policy_set)
    run = run_isolated(options.engine, policy_set.modules, policy_set.data, input_document, queries, options.timeout)
    run.check_loaded(policy_set.root, engine_version)
    results, package_errors = _collect(run.outcomes)
    items_by_kind = _items_by_kind(statement, usable)
    verdicts = [
        _verdict(
            c,
            results.get(c.id, {}),
            package_errors.get(c.package),
            input_document,
            items_by_kind,
            statement,
            stale,
            refused,
            evaluation_time,
        )
        for c in policy_set.criteria
    ]
    verdicts.extend(_undeclared(results, policy_set))
    verdicts, used = _apply_waivers(verdicts, waivers, input_document["subject"])
    verdicts.sort(key=lambda v: (_STATUS_ORDER.index(v.status), severity_rank(v.criterion.severity), v.criterion.id))

    extra = []
    if unsigned:
        extra.append("evidence is UNVERIFIED: evaluated with --allow-unsigned, signatures were not checked")
    else:
        extra.extend(f"verification: {f}" for f in verification.failures)
    decision = decide(verdicts, options.blocking_severity, tuple(extra))
    active = waivers.active if waivers else ()
    return Report(
        decision=decision,
        verdicts=tuple(verdicts),
        subject=input_document["subject"],
        verified=verified,
        verification_failures=tuple(
            str(f) for f in verification.failures if not (unsigned and f.check == "signatures")
        ),
        evaluation_time=evaluation_time,
        engine=options.engine,
        engine_version=engine_version,
        bundle=bundle,
        policy=InputDigest(policy_set.root, policy_set.digest),
        data=tuple(InputDigest(f, sha) for f, sha in policy_set.data_files),
        waivers_file=waivers_file,
        expired_waivers=waivers.expired if waivers else (),
        unused_waivers=tuple(w for w in active if w.id + w.criterion not in used),
        evidence=tuple(_evidence_summary(statement, verification, stale, refused)),
        generator=f"readiness {__version__}",
    )


def _queries(policy_set: PolicySet) -> list[str]:
    """Every deny / warn / checked document the non-test packages define, and every criterion's own rule.

    A criterion's rule is always queried, even where the source scan misses its head (odd layout):
    an unanswered rule must become an error, never a silent pass.
    """
    rules = re.compile(rf"^({'|'.join((*RULE_KINDS, CHECKED_RULE))})\b", re.MULTILINE)
    found: set[str] = {criterion.query for criterion in policy_set.criteria}
    for module in policy_set.modules:
        if module.is_test:
            continue
        for match in rules.finditer(module.source):
            found.add(f"data.{module.package}.{match.group(1)}")
    return sorted(found)


def _collect(outcomes: dict[str, Outcome]) -> tuple[dict[str, dict[str, list[Finding]]], dict[str, str]]:
    """Results per criterion id and rule kind, and the error of each package that failed."""
    results: dict[str, dict[str, list[Finding]]] = {}
    errors: dict[str, str] = {}
    for query, outcome in sorted(outcomes.items()):
        package, rule = query.removeprefix("data.").rsplit(".", 1)
        if outcome.error is not None or outcome.undefined:
            reason = outcome.error or f"{query} is undefined where a set of results was expected"
            errors.setdefault(package, f"engine error in {query}: {reason}")
            continue
        try:
            findings = _findings(outcome.value, query)
        except PolicyOutputError as exc:
            errors.setdefault(package, str(exc))
            continue
        for criterion_id, finding in findings:
            results.setdefault(criterion_id, {}).setdefault(rule, []).append(finding)
    for criterion_results in results.values():
        for rule_findings in criterion_results.values():
            rule_findings.sort(key=lambda f: (f.evidence or "", f.message))
    return results, errors


def _findings(value: Any, query: str) -> list[tuple[str, Finding]]:
    if not isinstance(value, list):
        raise PolicyOutputError(f"unexpected policy output from {query}: a {type(value).__name__}, expected a set")
    found = []
    for index, element in enumerate(value):
        where = f"unexpected policy output from {query}: result {index + 1}"
        if not isinstance(element, dict):
            raise PolicyOutputError(f"{where} is a {type(element).__name__}, expected an object")
        criterion = element.get("criterion")
        if not isinstance(criterion, str) or not criterion:
            raise PolicyOutputError(f"{where} names no criterion")
        message = element.get("msg")
        if not isinstance(message, str) or not message:
            raise PolicyOutputError(f"{where} ({criterion}) has no msg")
        comparator = element.get("comparator")
        if comparator is not None and comparator not in COMPARATORS:
            raise PolicyOutputError(f"{where} ({criterion}) has unknown comparator {comparator!r}")
        for key in ("evidence", "pointer", "fingerprint"):
            if element.get(key) is not None and not isinstance(element[key], str):
                raise PolicyOutputError(f"{where} ({criterion}) has a non-string {key}")
        pointer = element.get("pointer")
        if pointer and not pointer.startswith("/"):
            raise PolicyOutputError(f"{where} ({criterion}) has pointer {pointer!r}, not a JSON pointer")
        found.append(
            (
                criterion,
                Finding(
                    message=message,
                    observed=element.get("observed"),
                    threshold=element.get("threshold"),
                    comparator=comparator,
                    evidence=element.get("evidence"),
                    pointer=pointer,
                    fingerprint=element.get("fingerprint"),
                ),
            )
        )
    return found


def _items_by_kind(statement: dict[str, Any], usable: Iterable[str]) -> dict[str, list[str]]:
    keep = set(usable)
    kinds: dict[str, list[str]] = {}
    for entry in statement["predicate"]["evidence"]:
        kinds.setdefault(entry["item"]["kind"], [])
        if entry["id"] in keep:
            kinds[entry["item"]["kind"]].append(entry["id"])
    return kinds


def _verdict(
    criterion: Criterion,
    results: dict[str, list[Finding]],
    package_error: str | None,
    input_document: dict[str, Any],
    items_by_kind: dict[str, list[str]],
    statement: dict[str, Any],
    stale: dict[str, str],
    refused: dict[str, str],
    evaluation_time: datetime,
) -> Verdict:
    tier = input_document["tier"]
    if criterion.tiers and tier not in criterion.tiers:
        return Verdict(
            criterion, "not_applicable", f"applies to tiers {', '.join(criterion.tiers)}; this release is {tier}"
        )
    if package_error is not None:
        return Verdict(criterion, "error", package_error, violations=(Finding(package_error),))
    missing = _missing_evidence(criterion, items_by_kind, statement, stale, refused)
    if missing:
        return Verdict(criterion, "insufficient_evidence", missing)
    denies = results.get("deny", [])
    warns = results.get("warn", [])
    checked = tuple(results.get(CHECKED_RULE, []))
    if denies:
        summary = _summary(denies)
        if criterion.effective_on and evaluation_time.date() < criterion.effective_on:
            return Verdict(
                criterion,
                "warn",
                f"{summary} (enforced from {criterion.effective_on.isoformat()}; a warning until then)",
                violations=tuple(denies),
                checked=checked,
                enforced_from=criterion.effective_on,
            )
        return Verdict(criterion, "fail", summary, violations=tuple(denies), checked=checked)
    lacking = results.get("insufficient", [])
    if lacking:
        return Verdict(criterion, "insufficient_evidence", _summary(lacking), violations=tuple(lacking))
    if warns:
        return Verdict(criterion, "warn", _summary(warns), violations=tuple(warns), checked=checked)
    message = _summary(checked) if checked else "no violation found"
    return Verdict(criterion, "pass", message, checked=checked)


def _summary(findings: list[Finding] | tuple[Finding, ...]) -> str:
    first = findings[0].message
    return first if len(findings) == 1 else f"{first} (and {len(findings) - 1} more)"


def _missing_evidence(
    criterion: Criterion,
    items_by_kind: dict[str, list[str]],
    statement: dict[str, Any],
    stale: dict[str, str],
    refused: dict[str, str],
) -> str | None:
    problems = []
    for kind in criterion.requires:
        if items_by_kind.get(kind):
            continue
        present = [e["id"] for e in statement["predicate"]["evidence"] if e["item"].get("kind") == kind]
        if not present:
            problems.append(f"no {kind} evidence in the bundle")
            continue
        reasons = [stale.get(i) or refused.get(i) or "unusable" for i in present]
        problems.append(
            f"{kind} evidence unusable: " + "; ".join(f"{i}: {r}" for i, r in zip(present, reasons, strict=True))
        )
    return "; ".join(problems) or None


def _undeclared(results: dict[str, dict[str, list[Finding]]], policy_set: PolicySet) -> list[Verdict]:
    verdicts = []
    for criterion_id in sorted(set(results) - {c.id for c in policy_set.criteria}):
        criterion = Criterion(
            id=criterion_id,
            title="Undeclared criterion",
            description="A policy result names a criterion that no METADATA block declares.",
            severity="critical",
            requires=(),
            remediation="Declare the criterion with a METADATA block, or correct the id the rule reports.",
            package="",
            rule="deny",
            file="",
            line=0,
        )
        reported = [f for findings in results[criterion_id].values() for f in findings]
        message = f"policy results name the undeclared criterion {criterion_id!r}: {reported[0].message}"
        verdicts.append(Verdict(criterion, "error", message, violations=tuple(reported)))
    return verdicts


def _scope_matches(waiver: AppliedWaiver, subject: dict[str, Any]) -> bool:
    scope = waiver.scope
    if "service" in scope and scope["service"] != subject.get("service"):
        return False
    return not ("environment" in scope and scope["environment"] != subject.get("environment"))


def _apply_waivers(
    verdicts: list[Verdict], waivers: Waivers | None, subject: dict[str, Any]
) -> tuple[list[Verdict], set[str]]:
    """Waive failed criteria (or single findings by fingerprint); returns the verdicts and the waivers used."""
    used: set[str] = set()
    if not waivers or not waivers.active:
        return verdicts, used
    out = []
    for verdict in verdicts:
        matching = [w for w in waivers.active if w.criterion == verdict.criterion.id and _scope_matches(w, subject)]
        if verdict.status != "fail" or not matching:
            out.append(verdict)
            continue
        blanket = next((w for w in matching if "fingerprint" not in w.scope), None)
        by_print = {w.scope["fingerprint"]: w for w in matching if "fingerprint" in w.scope}
        applied: dict[str, AppliedWaiver] = {}
        violations = []
        for finding in verdict.violations:
            waiver = blanket or (by_print.get(finding.fingerprint) if finding.fingerprint else None)
            if waiver is not None:
                applied[waiver.id + waiver.criterion] = waiver
                finding = Finding(**{**finding.__dict__, "waived_by": waiver.id})
            violations.append(finding)
        used.update(applied)
        remaining = [f for f in violations if f.waived_by is None]
        if not applied:
            out.append(verdict)
        elif remaining:
            out.append(
                Verdict(
                    verdict.criterion,
                    "fail",
                    f"{_summary(remaining)} ({len(violations) - len(remaining)} waived)",
                    tuple(violations),
                    verdict.checked,
                    tuple(applied.values()),
                )
            )
        else:
            ids = ", ".join(sorted({w.id for w in applied.values()}))
            out.append(
                Verdict(
                    verdict.criterion,
                    "waived",
                    f"waived by {ids}: {verdict.message}",
                    tuple(violations),
                    verdict.checked,
                    tuple(applied.values()),
                )
            )
    return out, used


def _evidence_summary(
    statement: dict[str, Any], verification: Verification, stale: dict[str, str], refused: dict[str, str]
) -> Iterable[dict[str, Any]]:
    times = {i.id: i.evidence_time for i in verification.items}
    for entry in statement["predicate"]["evidence"]:
        item = entry["item"]
        source = item.get("source", {}) if isinstance(item, dict) else {}
        status = "stale" if entry["id"] in stale else "refused" if entry["id"] in refused else "used"
        summary = {
            "id": entry["id"],
            "kind": item.get("kind"),
            "schema": item.get("schema"),
            "sha256": entry["digest"]["sha256"],
            "tool": source.get("tool"),
            "file": source.get("file"),
            "status": status,
        }
        if entry["id"] in times:
            summary["evidence_time"] = format_time(times[entry["id"]])
            summary["age"] = format_duration(verification.reference_time - times[entry["id"]])
        yield summary
