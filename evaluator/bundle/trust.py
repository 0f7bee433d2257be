"""The trust policy: which keys are trusted (and when), how many must sign, and what evidence must hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from securesystemslib.signer import SSlibKey

from evaluator import schemas
from evaluator.bundle.keys import load_public_key, public_key_from_pem
from evaluator.bundle.models import TrustedKeyEntry, TrustPolicyDocument
from evaluator.errors import InputError, UsageError
from evaluator.timeutil import format_time, parse_duration

SUBJECT_FIELDS = ("service", "version", "commit", "artifact_digest", "environment", "target_environment", "tier")


@dataclass(frozen=True)
class TrustedKey:
    """One trusted public key and the window in which its signatures count."""

    name: str
    """Name shown in results."""
    key: SSlibKey
    """The public key; its keyid is what signatures carry."""
    valid_from: datetime | None = None
    """Signatures count from this time on."""
    valid_until: datetime | None = None
    """Signatures no longer count after this time."""

    def window_problem(self, at: datetime) -> str | None:
        """Why the key is not trusted at `at`, or None when it is."""
        if self.valid_from is not None and at < self.valid_from:
            return (
                f"key {self.name!r} is trusted only from {format_time(self.valid_from)} (checked at {format_time(at)})"
            )
        if self.valid_until is not None and at > self.valid_until:
            until = format_time(self.valid_until)
            return f"key {self.name!r} was trusted only until {until} (checked at {format_time(at)})"
        return None


@dataclass(frozen=True)
class TrustPolicy:
    """What a bundle must satisfy to verify."""

    keys: tuple[TrustedKey, ...]
    """Trusted keys, distinct key material."""
    threshold: int = 1
    """Distinct trusted keys that must have signed."""
    require: tuple[str, ...] = ()
    """Evidence kinds that must be present."""
    max_age: dict[str, timedelta] = field(default_factory=dict)
    """Maximum evidence age per kind."""
    subject: dict[str, str] = field(default_factory=dict)
    """Expected release fields (service, version, commit, artifact_digest, environment, target_environment, tier)."""
    origin: str = "<command line>"
    """Where the policy came from, for messages."""

    def __post_init__(self) -> None:
        if not self.keys:
            raise UsageError(f"{self.origin}: a trust policy needs at least one key")
        if not 1 <= self.threshold <= len(self.keys):
            raise UsageError(
                f"{self.origin}: threshold {self.threshold} must be between 1 and the {len(self.keys)} trusted key(s)"
            )

    def with_subject(self, **expected: str | None) -> TrustPolicy:
        """A copy expecting additional subject fields; a flag contradicting the policy file is a usage error."""
        subject = dict(self.subject)
        for name, value in expected.items():
            if value is None:
                continue
            if name in subject and subject[name] != value:
                raise UsageError(f"--{name.replace('_', '-')} {value!r} contradicts {self.origin} ({subject[name]!r})")
            subject[name] = value
        return TrustPolicy(self.keys, self.threshold, self.require, self.max_age, subject, self.origin)


def _distinct(keys: list[TrustedKey], origin: str | Path) -> tuple[TrustedKey, ...]:
    seen: dict[str, str] = {}
    names: set[str] = set()
    for key in keys:
        if key.name in names:
            raise InputError(origin, f"two trusted keys are named {key.name!r}")
        names.add(key.name)
        if key.key.keyid in seen:
            raise InputError(origin, f"keys {seen[key.key.keyid]!r} and {key.name!r} are the same key; list it once")
        seen[key.key.keyid] = key.name
    return tuple(keys)


def policy_from_keys(paths: list[str], threshold: int | None = None) -> TrustPolicy:
    """A trust policy made of public key files given on the command line; all must sign unless told otherwise."""
    keys = [TrustedKey(name=Path(p).stem or p, key=load_public_key(p)) for p in paths]
    keys = [
        TrustedKey(name=f"{k.name}#{i + 1}" if any(o.name == k.name for o in keys[:i]) else k.name, key=k.key)
        for i, k in enumerate(keys)
    ]
    return TrustPolicy(_distinct(keys, "--key"), threshold if threshold is not None else len(keys))


def load_trust_policy(path: str | Path) -> TrustPolicy:
    """Read and check a trust policy YAML file; key paths are relative to the file."""
    path = Path(path)
    parsed = schemas.load_yaml_document(
        path, "trust policy", schemas.TRUST_POLICY, TrustPolicyDocument, "a YAML mapping with at least `keys:`"
    )
    keys = [_trusted_key(entry, index, path) for index, entry in enumerate(parsed.keys)]
    try:
        max_age = {kind: parse_duration(text) for kind, text in parsed.max_age.items()}
    except ValueError as exc:
        raise InputError(path, f"max_age: {exc}") from None
    if parsed.threshold > len(keys):
        raise InputError(path, f"threshold {parsed.threshold} is more than the {len(keys)} trusted key(s)")
    return TrustPolicy(
        keys=_distinct(keys, path),
        threshold=parsed.threshold,
        require=tuple(parsed.require),
        max_age=max_age,
        subject=parsed.subject.model_dump(exclude_none=True),
        origin=str(path),
    )


def _trusted_key(entry: TrustedKeyEntry, index: int, path: Path) -> TrustedKey:
    where = f"keys[{index}] ({entry.name})"
    text = entry.public_key
    scheme = entry.scheme
    if "-----BEGIN" in text:
        key = public_key_from_pem(text.encode("utf-8"), f"{path} {where}", scheme)
    else:
        key_path = Path(text)
        if not key_path.is_absolute():
            key_path = path.parent / key_path
        key = load_public_key(key_path, scheme)
    start = entry.valid_from.astimezone(UTC) if entry.valid_from else None
    end = entry.valid_until.astimezone(UTC) if entry.valid_until else None
    if start and end and end <= start:
        raise InputError(path, f"{where}: valid_until is not after valid_from")
    return TrustedKey(entry.name, key, start, end)
