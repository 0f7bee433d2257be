"""Building the in-toto Statement v1 that carries a release's evidence items."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from evaluator import __version__
from evaluator.bundle.digest import item_digest
from evaluator.bundle.models import (
    BundlePredicate,
    BundleStatement,
    EvidenceEntry,
    Generator,
    Subject,
    SubjectDigest,
)
from evaluator.errors import UsageError
from evaluator.timeutil import utcnow

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://readiness.dev/attestation/evidence-bundle/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/@-]{0,127}$")
_ENV = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_COMMIT = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_SHA256 = re.compile(r"^sha256:([0-9a-f]{64})$")


@dataclass(frozen=True)
class Release:
    """The release a bundle is about: its subject."""

    service: str
    """Service name; also the in-toto subject name."""
    version: str
    """Release version."""
    commit: str | None = None
    """Full git commit id (40 or 64 hex digits)."""
    artifact_digest: str | None = None
    """Artifact digest 'sha256:<64 hex>' (e.g. the container image)."""
    environment: str | None = None
    """Environment the evidence was gathered in."""
    target_environment: str | None = None
    """Environment the release is going to."""
    tier: str | None = None
    """Service tier, selecting per-tier thresholds."""

    def check(self) -> None:
        """Raise UsageError naming the first field that is malformed."""
        if not _NAME.match(self.service):
            raise UsageError(f"--service {self.service!r}: letters, digits and . _ / @ - only, up to 128")
        if not self.version or len(self.version) > 128 or any(c.isspace() for c in self.version):
            raise UsageError(f"--version {self.version!r}: a non-empty version without spaces")
        if self.commit is not None and not _COMMIT.match(self.commit):
            raise UsageError(f"--commit {self.commit!r}: a full lowercase git commit id (40 or 64 hex digits)")
        if self.artifact_digest is not None and not _SHA256.match(self.artifact_digest):
            raise UsageError(f"--artifact-digest {self.artifact_digest!r}: expected sha256:<64 hex digits>")
        if self.commit is None and self.artifact_digest is None:
            raise UsageError("the release needs --commit or --artifact-digest (an in-toto subject needs a digest)")
        for flag, value in (
            ("--environment", self.environment),
            ("--target-environment", self.target_environment),
            ("--tier", self.tier),
        ):
            if value is not None and not _ENV.match(value):
                raise UsageError(f"{flag} {value!r}: letters, digits and . _ - only, up to 64")

    def subject_digest(self) -> dict[str, str]:
        """The in-toto subject digest set: gitCommit and/or sha256."""
        digest: dict[str, str] = {}
        if self.commit:
            digest["gitCommit"] = self.commit
        if self.artifact_digest:
            digest["sha256"] = self.artifact_digest.split(":", 1)[1]
        return digest


def build_statement(items: list[dict[str, Any]], release: Release, now: datetime | None = None) -> dict[str, Any]:
    """An in-toto Statement v1 whose predicate lists every item with the digest of its canonical JSON."""
    release.check()
    if not items:
        raise UsageError("a bundle needs at least one evidence item")
    seen: set[str] = set()
    evidence = []
    for item in items:
        if item["id"] in seen:
            raise UsageError(f"two evidence items share the id {item['id']!r}; give one another --id")
        seen.add(item["id"])
        evidence.append({"id": item["id"], "digest": {"sha256": item_digest(item)}, "item": item})
    statement = BundleStatement(
        _type=STATEMENT_TYPE,
        subject=[Subject(name=release.service, digest=SubjectDigest(**release.subject_digest()))],
        predicateType=PREDICATE_TYPE,
        predicate=BundlePredicate(
            service=release.service,
            version=release.version,
            tier=release.tier,
            environment=release.environment,
            target_environment=release.target_environment,
            created_at=now or utcnow(),
            generator=Generator(name="readiness", version=__version__),
            evidence=[EvidenceEntry.model_validate(e) for e in evidence],
        ),
    )
    return statement.to_json_dict()
