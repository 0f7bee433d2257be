"""`readiness parity`: two snapshots and an optional rules file in, one `parity` evidence item out.

The item: kind `parity`, schema `parity/v1`; source tool `readiness` (its version), format
`parity-<source>` (the snapshots' source format: kubernetes, terraform, dotenv, config, inventory, or mixed),
file "<baseline path> vs <candidate path>" (cut to 1024 characters), and sha256 = sha256 of the text
"<baseline snapshot sha256>\\n<candidate snapshot sha256>\\n<rules file sha256 or empty>\\n", so the item
traces back to exactly the files compared and the rules applied. collected_at and observed start/end are the
moment of the comparison. One SecretHasher (a random HMAC key) serves both snapshots of a run and is then
dropped, so secrets compare equal across the two sides and nothing about them can be recovered afterwards.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path

from evaluator.errors import InputError, UsageError
from evaluator.evidence import EvidenceItem
from evaluator.evidence.build import own_item
from evaluator.evidence.model import check_item_options
from evaluator.parity.compare import align_single_files, compare
from evaluator.parity.rules import Rules, load_rules
from evaluator.parity.snapshot import SecretHasher, Snapshot
from evaluator.parity.sources import load_snapshot
from evaluator.timeutil import utcnow

MAX_NAME = 128
"""Longest environment name."""
_MAX_FILE = 1024


def _check_name(option: str, name: str) -> None:
    if not name.strip() or len(name) > MAX_NAME:
        raise UsageError(f"{option} must be 1 to {MAX_NAME} characters, got {name!r}")


def _default_id(candidate_name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", candidate_name).strip("-._") or "candidate"
    return f"parity-{stem}"[:128]


def _format(baseline: Snapshot, candidate: Snapshot) -> str:
    """The snapshots' common source format; InputError when the two sides are different kinds of files."""
    if baseline.source == candidate.source or "mixed" in (baseline.source, candidate.source):
        return baseline.source if baseline.source == candidate.source else "mixed"
    raise InputError(
        candidate.path,
        f"the candidate is a {candidate.source} snapshot but the baseline {baseline.path} is {baseline.source}: "
        "compare snapshots of the same kind",
    )


def item_digest(baseline: Snapshot, candidate: Snapshot, rules: Rules | None) -> str:
    """sha256 over the two snapshot digests and the rules file's digest."""
    rules_digest = rules.sha256 if rules is not None and rules.sha256 else ""
    return hashlib.sha256(f"{baseline.sha256}\n{candidate.sha256}\n{rules_digest}\n".encode()).hexdigest()


def parity_item(
    baseline: str | Path,
    candidate: str | Path,
    *,
    baseline_name: str = "production",
    candidate_name: str = "staging",
    rules_path: str | Path | None = None,
    item_id: str | None = None,
    environment: str | None = None,
    now: datetime | None = None,
) -> EvidenceItem:
    """Compare the candidate snapshot with the baseline into one schema-checked `parity` evidence item."""
    _check_name("--baseline-name", baseline_name)
    _check_name("--candidate-name", candidate_name)
    check_item_options(item_id, environment)
    now = now or utcnow()
    rules = load_rules(rules_path) if rules_path is not None else None
    hasher = SecretHasher()
    base = load_snapshot(Path(baseline), hasher)
    cand = load_snapshot(Path(candidate), hasher)
    del hasher
    source_format = _format(base, cand)
    align_single_files(base, cand)
    file_text = f"{baseline} vs {candidate}"
    if len(file_text) > _MAX_FILE:
        file_text = file_text[: _MAX_FILE - 1] + "…"
    try:
        parity = compare(base, cand, rules, (baseline_name, candidate_name), now)
    except ValueError as exc:
        first = str(exc).splitlines()
        raise UsageError(f"cannot build the parity item: {' '.join(first[:3])}") from None
    return own_item(
        item_id=item_id or _default_id(candidate_name),
        kind="parity",
        environment=environment,
        collected_at=now,
        observed=(now, now),
        source_format=f"parity-{source_format}",
        file_text=file_text,
        sha256=item_digest(base, cand, rules),
        collector="parity",
        data=parity,
    )
