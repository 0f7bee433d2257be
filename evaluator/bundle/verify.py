"""Verifying a signed evidence bundle against a trust policy.

Order: envelope shape, signatures (over DSSE PAE), payload type, statement shape, item digests,
item schemas, required kinds, freshness, subject. The first four gate the rest: nothing in the
payload is read before its signatures verify, and the payload is parsed exactly once, from the
very bytes that were verified. The later checks all run and every failure is reported.
"""

from __future__ import annotations

import binascii
import gc
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import msgspec
import pybase64
from securesystemslib.signer import Signature

from evaluator import schemas
from evaluator.bundle.digest import digest_matches
from evaluator.bundle.statement import PAYLOAD_TYPE, PREDICATE_TYPE, STATEMENT_TYPE
from evaluator.bundle.trust import TrustPolicy
from evaluator.errors import InputError
from evaluator.evidence import item_problems
from evaluator.fileio import parse_json
from evaluator.timeutil import format_duration, format_time, parse_time, utcnow

CHECKS = (
    "envelope",
    "signatures",
    "payload-type",
    "statement",
    "digests",
    "item-schemas",
    "required-kinds",
    "freshness",
    "subject",
)
"""Every check, in the order it runs."""

CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a timestamp may lie before it is called a failure."""


@dataclass(frozen=True)
class Failure:
    """One reason a bundle does not verify."""

    check: str
    """Which check failed (one of CHECKS)."""
    message: str
    """What is wrong, with expected and actual values."""
    item: str | None = None
    """The evidence item concerned, when there is one."""

    def __str__(self) -> str:
        where = f" [{self.item}]" if self.item else ""
        return f"{self.check}{where}: {self.message}"


@dataclass(frozen=True)
class VerifiedItem:
    """An evidence item that passed its digest and schema checks."""

    id: str
    """Item id."""
    kind: str
    """Evidence kind."""
    schema: str
    """Data schema, '<kind>/v<N>'."""
    sha256: str
    """Digest recorded in the statement (and matched)."""
    evidence_time: datetime
    """Observed end, else collection time."""
    age: timedelta
    """Reference time minus evidence time."""


@dataclass
class Verification:
    """The outcome of verifying one envelope: every check's status and every failure."""

    source: str
    """Envelope file name."""
    envelope_sha256: str
    """sha256 of the envelope file as read."""
    reference_time: datetime
    """The time key windows and freshness were judged at."""
    failures: list[Failure] = field(default_factory=list)
    """Every failure found, in check order."""
    status: dict[str, str] = field(default_factory=lambda: dict.fromkeys(CHECKS, "not-run"))
    """pass / fail / not-run per check."""
    signers: list[str] = field(default_factory=list)
    """Names of the trusted keys whose signatures verified and counted."""
    threshold: int = 1
    """Distinct trusted keys required."""
    statement: dict[str, Any] | None = None
    """The verified statement (parsed once from the signed payload); None when signatures failed."""
    items: list[VerifiedItem] = field(default_factory=list)
    """Items that passed their digest and schema checks."""

    @property
    def ok(self) -> bool:
        """True only when every check ran and passed."""
        return not self.failures and all(s == "pass" for s in self.status.values())

    def _record(self, check: str, failures: list[Failure]) -> bool:
        self.failures.extend(failures)
        self.status[check] = "fail" if failures else "pass"
        return not failures

    def to_json(self) -> dict[str, Any]:
        """Machine-readable result (schemas/verification-result.v1.schema.json)."""
        result: dict[str, Any] = {
            "verified": self.ok,
            "envelope": {"file": self.source, "sha256": self.envelope_sha256},
            "reference_time": format_time(self.reference_time),
            "checks": [{"check": c, "status": self.status[c]} for c in CHECKS],
            "failures": [
                {"check": f.check, "message": f.message, **({"item": f.item} if f.item else {})} for f in self.failures
            ],
            "signatures": {"threshold": self.threshold, "signers": self.signers},
        }
        if self.statement is not None:
            predicate = self.statement.get("predicate", {})
            subject = (self.statement.get("subject") or [{}])[0]
            result["subject"] = {
                "name": subject.get("name"),
                "digest": subject.get("digest", {}),
                **{k: predicate[k] for k in ("version", "tier", "environment", "target_environment") if k in predicate},
            }
            result["evidence"] = [
                {
                    "id": i.id,
                    "kind": i.kind,
                    "schema": i.schema,
                    "sha256": i.sha256,
                    "evidence_time": format_time(i.evidence_time),
                    "age_seconds": int(i.age.total_seconds()),
                }
                for i in self.items
            ]
        return result


class _Signature(msgspec.Struct, forbid_unknown_fields=True):
    sig: str
    keyid: str = ""


class _Envelope(msgspec.Struct, forbid_unknown_fields=True):
    # The payload stays raw JSON text: a 100 MB base64 string is decoded once, straight from the file's bytes.
    payload: msgspec.Raw
    payloadType: str
    signatures: list[_Signature]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while a large document is built: it rescans every new container otherwise."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _b64decode(text: str | bytes | memoryview) -> bytes:
    """Strict standard base64, refusing non-canonical padding bits so every byte of the text matters."""
    data = pybase64.b64decode(text, validate=True)
    tail = bytes(text[-4:]) if not isinstance(text, str) else text[-4:].encode("ascii")
    if data:
        if pybase64.b64encode(data[-(len(data) % 3 or 3) :]) != tail:
            raise binascii.Error("non-canonical base64 encoding")
    elif len(text):
        raise binascii.Error("non-canonical base64 encoding")
    return data


def _payload_bytes(raw: msgspec.Raw) -> bytes:
    """Decode the payload's JSON string to bytes; escapes (never needed in base64) take the slow path."""
    text = memoryview(raw)
    if len(text) < 2 or text[0] != ord('"'):
        raise binascii.Error("payload is not a JSON string")
    try:
        return _b64decode(text[1:-1])
    except (binascii.Error, ValueError):
        # JSON escapes are legal (and never needed in base64): decode the string properly, then retry.
        return _b64decode(msgspec.json.decode(raw, type=str))


def _pae(payload_type: str, payload: bytes) -> bytes:
    encoded = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(encoded), encoded, len(payload), payload)


def _wrong_kind_hint(document: Any) -> str | None:
    if not isinstance(document, dict):
        return f"not a DSSE envelope (the file holds a JSON {type(document).__name__})"
    if {"payload", "payloadType", "signatures"} & document.keys():
        return None
    if document.get("_type") == STATEMENT_TYPE:
        return "not a DSSE envelope but an unsigned statement; sign it first with `readiness sign`"
    if {"kind", "data", "schema"} <= document.keys():
        return "not a DSSE envelope but an evidence item; bundle and sign it first"
    return "not a DSSE envelope (no payload, payloadType or signatures)"


def parse_envelope(data: bytes, origin: str) -> dict[str, Any]:
    """The envelope's JSON document; InputError when the file is not JSON or not an envelope at all."""
    with _gc_paused():
        document = parse_json(data, origin)
    hint = _wrong_kind_hint(document)
    if hint:
        raise InputError(origin, hint)
    return document


def _decode_envelope(data: bytes, origin: str) -> _Envelope | str:
    """The envelope, or why its shape is wrong; InputError when the file is not JSON or not an envelope."""
    try:
        return msgspec.json.decode(data, type=_Envelope)
    except msgspec.ValidationError as exc:
        parse_envelope(data, origin)  # raises for a file of another kind
        return f"malformed DSSE envelope: {exc}"
    except msgspec.DecodeError:
        parse_json(data, origin)  # raises with line and column
        raise  # pragma: no cover - both parsers agree on what is JSON


def verify_envelope(
    data: bytes, policy: TrustPolicy, origin: str = "<envelope>", at: datetime | None = None
) -> Verification:
    """Verify envelope bytes against `policy` at time `at` (now by default); never raises on a bad bundle."""
    decoded = _decode_envelope(data, origin)
    # hashlib releases the GIL: the file digest for the record costs nothing while signatures verify.
    file_digest = hashlib.sha256()
    hasher = threading.Thread(target=file_digest.update, args=(data,), daemon=True)
    hasher.start()
    result = Verification(
        source=origin,
        envelope_sha256="",
        reference_time=at or utcnow(),
        threshold=policy.threshold,
    )
    try:
        _verify_decoded(decoded, policy, result)
    finally:
        hasher.join()
        result.envelope_sha256 = file_digest.hexdigest()
    return result


def _verify_decoded(decoded: _Envelope | str, policy: TrustPolicy, result: Verification) -> None:
    envelope = _check_envelope(decoded, result)
    if envelope is None:
        return
    payload_type, payload, signatures = envelope
    del envelope  # the payload's memory goes as soon as the statement is parsed
    if not result._record("signatures", _check_signatures(payload_type, payload, signatures, policy, result)):
        return
    if not result._record("payload-type", _check_payload_type(payload_type)):
        return
    statement = _parse_statement(payload, result)
    del payload
    if statement is None:
        return
    _check_evidence(statement, policy.require, policy.max_age, policy.subject, result)


def _check_evidence(
    statement: dict[str, Any],
    require: tuple[str, ...],
    max_age: dict[str, timedelta],
    subject: dict[str, str],
    result: Verification,
) -> None:
    """The checks after the statement is trusted: digests, item schemas, required kinds, freshness, subject."""
    result.statement = statement
    entries = statement["predicate"]["evidence"]
    digest_ok = _check_digests(entries, result)
    schema_ok = _check_item_schemas(entries, result)
    result.items = [
        _verified_item(e, result.reference_time) for e in entries if e["id"] in digest_ok and e["id"] in schema_ok
    ]
    result._record("required-kinds", _check_required(result.items, require))
    result._record("freshness", _check_freshness(result.items, max_age, result.reference_time))
    result._record("subject", _check_subject(statement, subject))


def verify_unsigned(
    data: bytes,
    origin: str,
    require: tuple[str, ...] = (),
    max_age: dict[str, timedelta] | None = None,
    subject: dict[str, str] | None = None,
    at: datetime | None = None,
) -> Verification:
    """Check a statement (or an envelope, ignoring its signatures) for policy development: never verified.

    Every check but the signatures runs; the signatures check fails with a note saying why, so the
    result is never `ok` and whatever is decided on it is no-go.
    """
    document = parse_json(data, origin)
    result = Verification(
        source=origin, envelope_sha256=hashlib.sha256(data).hexdigest(), reference_time=at or utcnow()
    )
    if isinstance(document, dict) and {"payload", "payloadType", "signatures"} <= document.keys():
        decoded = _decode_envelope(data, origin)
        envelope = _check_envelope(decoded, result)
        if envelope is None:
            return result
        payload_type, payload, _ = envelope
        if not result._record("payload-type", _check_payload_type(payload_type)):
            return result
    elif isinstance(document, dict) and document.get("_type") == STATEMENT_TYPE:
        result.status["envelope"] = "not-run"
        result.status["payload-type"] = "not-run"
        payload = data
    else:
        raise InputError(origin, "neither an in-toto statement made by `readiness bundle` nor a DSSE envelope")
    result._record("signatures", [Failure("signatures", "not checked: evaluated with --allow-unsigned")])
    statement = _parse_statement(payload, result)
    if statement is not None:
        _check_evidence(statement, require, max_age or {}, subject or {}, result)
    return result


def _check_envelope(decoded: _Envelope | str, result: Verification) -> tuple[str, bytes, list[_Signature]] | None:
    if isinstance(decoded, str):
        result._record("envelope", [Failure("envelope", decoded)])
        return None
    failures: list[Failure] = []
    if not decoded.signatures:
        failures.append(Failure("envelope", "the envelope carries no signature"))
    try:
        payload = _payload_bytes(decoded.payload)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        failures.append(Failure("envelope", "payload is not canonical standard base64"))
        payload = b""
    for index, signature in enumerate(decoded.signatures, 1):
        try:
            _b64decode(signature.sig)
        except (binascii.Error, ValueError):
            failures.append(Failure("envelope", f"signature {index} is not canonical standard base64"))
    if not result._record("envelope", failures):
        return None
    return decoded.payloadType, payload, decoded.signatures


def _check_signatures(
    payload_type: str, payload: bytes, signatures: list[_Signature], policy: TrustPolicy, result: Verification
) -> list[Failure]:
    pae = _pae(payload_type, payload)
    counted: dict[str, str] = {}
    notes: list[str] = []
    by_keyid = {k.key.keyid: k for k in policy.keys}
    for index, signature in enumerate(signatures, 1):
        raw = _b64decode(signature.sig)
        label = f"signature {index}" + (f" (keyid {signature.keyid[:12]}…)" if signature.keyid else "")
        # A keyid is a hint, not signed: when it names a trusted key only that key may verify it,
        # so a swapped keyid fails; without a keyid every trusted key is tried.
        if signature.keyid:
            candidates = [by_keyid[signature.keyid]] if signature.keyid in by_keyid else []
        else:
            candidates = list(policy.keys)
        if not candidates:
            notes.append(f"{label} is not from a trusted key")
            continue
        verified_by = None
        for trusted in candidates:
            try:
                trusted.key.verify_signature(Signature(trusted.key.keyid, raw.hex()), pae)
            except Exception:
                continue
            verified_by = trusted
            break
        if verified_by is None:
            who = f"by key {candidates[0].name!r} " if len(candidates) == 1 else ""
            notes.append(f"{label} {who}does not verify (the envelope was altered or the signature is corrupt)")
            continue
        problem = verified_by.window_problem(result.reference_time)
        if problem:
            notes.append(f"{label} verifies but {problem}")
            continue
        counted.setdefault(verified_by.key.keyid, verified_by.name)
    result.signers = sorted(counted.values())
    if len(counted) >= policy.threshold:
        return []
    have = ", ".join(result.signers) or "none"
    message = f"{len(counted)} of {policy.threshold} required trusted key(s) signed (counted: {have})"
    if notes:
        message += "; " + "; ".join(notes)
    return [Failure("signatures", message)]


def _check_payload_type(payload_type: str) -> list[Failure]:
    if payload_type == PAYLOAD_TYPE:
        return []
    return [Failure("payload-type", f"payloadType is {payload_type!r}, expected {PAYLOAD_TYPE!r}")]


def _parse_statement(payload: bytes, result: Verification) -> dict[str, Any] | None:
    try:
        with _gc_paused():
            statement = msgspec.json.decode(payload)
    except msgspec.DecodeError as exc:
        result._record("statement", [Failure("statement", f"payload is not JSON: {exc}")])
        return None
    failures = [Failure("statement", str(p)) for p in schemas.problems(schemas.BUNDLE_STATEMENT, statement, limit=5)]
    if not failures:
        if statement.get("predicateType") != PREDICATE_TYPE:  # pragma: no cover - the schema pins it
            failures.append(Failure("statement", f"predicateType {statement.get('predicateType')!r} is not ours"))
        predicate = statement["predicate"]
        if statement["subject"][0]["name"] != predicate["service"]:
            failures.append(
                Failure(
                    "statement",
                    f"subject name {statement['subject'][0]['name']!r} is not the service {predicate['service']!r}",
                )
            )
        seen: set[str] = set()
        for entry in predicate["evidence"]:
            if entry["id"] in seen:
                failures.append(Failure("statement", "two evidence entries share this id", entry["id"]))
            seen.add(entry["id"])
            if entry["item"].get("id") != entry["id"]:
                failures.append(
                    Failure(
                        "statement", f"entry id differs from its item's id {entry['item'].get('id')!r}", entry["id"]
                    )
                )
    if not result._record("statement", failures):
        return None
    return statement


def _check_digests(entries: list[dict[str, Any]], result: Verification) -> set[str]:
    failures = []
    ok: set[str] = set()
    for entry in entries:
        if digest_matches(entry["item"], entry["digest"]["sha256"]):
            ok.add(entry["id"])
        else:
            failures.append(
                Failure(
                    "digests", "item content does not match its recorded sha256 (changed after bundling)", entry["id"]
                )
            )
    result._record("digests", failures)
    return ok


def _check_item_schemas(entries: list[dict[str, Any]], result: Verification) -> set[str]:
    failures = []
    ok: set[str] = set()
    for entry in entries:
        found = item_problems(entry["item"])
        if not found:
            ok.add(entry["id"])
            continue
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        failures.append(Failure("item-schemas", f"{found[0]}{more}", entry["id"]))
    result._record("item-schemas", failures)
    return ok


def _verified_item(entry: dict[str, Any], at: datetime) -> VerifiedItem:
    item = entry["item"]
    when = parse_time(item["observed"]["end"] if "observed" in item else item["collected_at"])
    return VerifiedItem(item["id"], item["kind"], item["schema"], entry["digest"]["sha256"], when, at - when)


def _check_required(items: list[VerifiedItem], require: tuple[str, ...]) -> list[Failure]:
    present = {i.kind for i in items}
    return [
        Failure(
            "required-kinds",
            f"required evidence kind {kind!r} is missing (present: {', '.join(sorted(present)) or 'none'})",
        )
        for kind in require
        if kind not in present
    ]


def _check_freshness(items: list[VerifiedItem], max_age: dict[str, timedelta], at: datetime) -> list[Failure]:
    failures = []
    for item in items:
        if item.evidence_time - at > CLOCK_SKEW:
            failures.append(
                Failure(
                    "freshness",
                    f"{item.kind} evidence is dated {format_time(item.evidence_time)}, in the future "
                    f"of the check time {format_time(at)}",
                    item.id,
                )
            )
            continue
        limit = max_age.get(item.kind)
        if limit is not None and item.age > limit:
            failures.append(
                Failure(
                    "freshness",
                    f"{item.kind} evidence is {format_duration(item.age)} old, maximum "
                    f"{format_duration(limit)} (evidence time {format_time(item.evidence_time)})",
                    item.id,
                )
            )
    return failures


def _check_subject(statement: dict[str, Any], expected_subject: dict[str, str]) -> list[Failure]:
    subject = statement["subject"][0]
    predicate = statement["predicate"]
    digest = subject["digest"]
    actual = {
        "service": subject["name"],
        "version": predicate.get("version"),
        "commit": digest.get("gitCommit"),
        "artifact_digest": f"sha256:{digest['sha256']}" if "sha256" in digest else None,
        "environment": predicate.get("environment"),
        "target_environment": predicate.get("target_environment"),
        "tier": predicate.get("tier"),
    }
    return [
        Failure("subject", f"{name} is {actual[name]!r}, expected {expected!r}")
        for name, expected in expected_subject.items()
        if actual.get(name) != expected
    ]
