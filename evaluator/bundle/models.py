"""Pydantic models of the bundle statement and the trust policy file, mirrored by schemas/*.schema.json."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, model_validator

from evaluator.evidence.model import (
    ENVIRONMENT_PATTERN,
    ITEM_ID_PATTERN,
    KIND_PATTERN,
    SHA256_PATTERN,
    _Strict,
)

SERVICE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/@-]{0,127}$"
VERSION_PATTERN = r"^\S{1,128}$"
COMMIT_PATTERN = r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$"
ARTIFACT_DIGEST_PATTERN = r"^sha256:[0-9a-f]{64}$"
KEY_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"
DURATION_PATTERN = r"^\s*[1-9][0-9]*\s*[wdhms]\s*$"


class SubjectDigest(_Strict):
    """Digest set of the release."""

    gitCommit: str | None = Field(default=None, pattern=COMMIT_PATTERN)
    """Full git commit id."""
    sha256: str | None = Field(default=None, pattern=SHA256_PATTERN)
    """Artifact sha256, hex."""

    @model_validator(mode="after")
    def _not_empty(self) -> SubjectDigest:
        if self.gitCommit is None and self.sha256 is None:
            raise ValueError("a subject digest needs gitCommit or sha256")
        return self


class Subject(_Strict):
    """The in-toto subject: the release."""

    name: str = Field(min_length=1)
    """Service name."""
    digest: SubjectDigest
    """Commit and/or artifact digest."""


class Generator(_Strict):
    """The program that assembled the bundle."""

    name: str = Field(min_length=1)
    """Program name."""
    version: str = Field(min_length=1)
    """Program version."""


class ItemDigest(_Strict):
    """Digest of an item's RFC 8785 canonical JSON."""

    sha256: str = Field(pattern=SHA256_PATTERN)
    """Hex sha256."""


class EvidenceEntry(_Strict):
    """One evidence item in the bundle, with its digest."""

    id: str = Field(pattern=ITEM_ID_PATTERN)
    """The item's id."""
    digest: ItemDigest
    """Digest of the item's canonical JSON."""
    item: dict[str, Any]
    """The evidence item (checked on its own against evidence-item.v1.schema.json)."""


class BundlePredicate(_Strict):
    """The evidence-bundle predicate: one release and its evidence."""

    service: str = Field(pattern=SERVICE_PATTERN)
    """Service name; equals the subject name."""
    version: str = Field(pattern=VERSION_PATTERN)
    """Release version."""
    tier: str | None = Field(default=None, pattern=ENVIRONMENT_PATTERN)
    """Service tier."""
    environment: str | None = Field(default=None, pattern=ENVIRONMENT_PATTERN)
    """Environment the evidence was gathered in."""
    target_environment: str | None = Field(default=None, pattern=ENVIRONMENT_PATTERN)
    """Environment the release is going to."""
    created_at: AwareDatetime
    """When the bundle was assembled."""
    generator: Generator
    """The program that assembled it."""
    evidence: list[EvidenceEntry] = Field(min_length=1)
    """The evidence items."""


class BundleStatement(_Strict):
    """An in-toto Statement v1 carrying a bundle predicate."""

    type_: Literal["https://in-toto.io/Statement/v1"] = Field(alias="_type")
    """in-toto Statement type."""
    subject: list[Subject] = Field(min_length=1, max_length=1)
    """The release."""
    predicateType: Literal["https://readiness.dev/attestation/evidence-bundle/v1"]
    """Evidence-bundle predicate type."""
    predicate: BundlePredicate
    """The bundle."""

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready dict with in-toto field names, absent options left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class TrustedKeyEntry(_Strict):
    """A trusted key as written in the trust policy file."""

    name: str = Field(pattern=KEY_NAME_PATTERN)
    """Name shown in results."""
    public_key: str = Field(min_length=1)
    """Inline PEM, or a path relative to the policy file."""
    scheme: str | None = Field(default=None, min_length=1)
    """Signature scheme when the key type allows several."""
    valid_from: AwareDatetime | None = None
    """Trusted from this time on."""
    valid_until: AwareDatetime | None = None
    """Trusted until this time."""


class ExpectedSubject(_Strict):
    """What the bundle must be about."""

    service: str | None = Field(default=None, min_length=1)
    """Expected service."""
    version: str | None = Field(default=None, min_length=1)
    """Expected version."""
    commit: str | None = Field(default=None, pattern=COMMIT_PATTERN)
    """Expected git commit id."""
    artifact_digest: str | None = Field(default=None, pattern=ARTIFACT_DIGEST_PATTERN)
    """Expected artifact digest."""
    environment: str | None = Field(default=None, min_length=1)
    """Expected evidence environment."""
    target_environment: str | None = Field(default=None, min_length=1)
    """Expected target environment."""
    tier: str | None = Field(default=None, min_length=1)
    """Expected tier."""


class TrustPolicyDocument(BaseModel):
    """The trust policy file as written (YAML)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    keys: list[TrustedKeyEntry] = Field(min_length=1)
    """Trusted public keys."""
    threshold: StrictInt = Field(default=1, ge=1)
    """Distinct trusted keys that must have signed."""
    require: list[str] = Field(default_factory=list)
    """Evidence kinds that must be present."""
    max_age: dict[str, str] = Field(default_factory=dict)
    """Maximum age per kind (7d, 12h, 30m, 45s, 2w)."""
    subject: ExpectedSubject = Field(default_factory=ExpectedSubject)
    """Expected release fields."""

    @model_validator(mode="after")
    def _well_formed(self) -> TrustPolicyDocument:
        import re

        if len(set(self.require)) != len(self.require):
            raise ValueError("require lists a kind twice")
        for kind in self.require:
            if not re.match(KIND_PATTERN, kind):
                raise ValueError(f"require: {kind!r} is not a kind name")
        for kind, duration in self.max_age.items():
            if not re.match(KIND_PATTERN, kind) or not re.match(DURATION_PATTERN, duration):
                raise ValueError(f"max_age: {kind}: {duration!r} is not a duration like 7d")
        return self
