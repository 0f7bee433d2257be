"""The policy input document (schemas/policy-input.v1.schema.json), built from a verified statement."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from evaluator.timeutil import format_time

DEFAULT_TIER = "default"
"""Tier name used when the bundle names none."""


def build_input(
    statement: dict[str, Any], usable_items: Iterable[str], evaluation_time: datetime, verified: bool
) -> dict[str, Any]:
    """The document policies see as `input`: subject, tier, environments, evaluation time, evidence by kind.

    Only items whose ids are in `usable_items` (digest, schema and freshness checks passed) are
    included, so a criterion needing a kind whose items were all refused sees none and becomes
    insufficient_evidence.
    """
    usable = set(usable_items)
    predicate = statement["predicate"]
    digest = statement["subject"][0]["digest"]
    tier = predicate.get("tier") or DEFAULT_TIER
    subject: dict[str, Any] = {"service": predicate["service"], "version": predicate["version"], "tier": tier}
    if "gitCommit" in digest:
        subject["commit"] = digest["gitCommit"]
    if "sha256" in digest:
        subject["artifact_digest"] = f"sha256:{digest['sha256']}"
    for key in ("environment", "target_environment"):
        if key in predicate:
            subject[key] = predicate[key]
    evidence: dict[str, list[dict[str, Any]]] = {}
    for entry in predicate["evidence"]:
        if entry["id"] in usable:
            evidence.setdefault(entry["item"]["kind"], []).append(entry["item"])
    return {
        "subject": subject,
        "tier": tier,
        "environments": {
            "evidence": predicate.get("environment"),
            "target": predicate.get("target_environment"),
        },
        "evaluation": {
            "time": format_time(evaluation_time),
            "epoch_seconds": int(evaluation_time.timestamp()),
            "date": evaluation_time.date().isoformat(),
        },
        "verified": verified,
        "evidence": evidence,
    }
