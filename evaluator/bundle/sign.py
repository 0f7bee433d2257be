"""Signing a statement into a DSSE envelope, or adding one more signature to an envelope."""

from __future__ import annotations

from typing import Any

import msgspec
from securesystemslib.dsse import Envelope
from securesystemslib.signer import Signer

from evaluator import schemas
from evaluator.bundle.digest import digest_matches
from evaluator.bundle.statement import PAYLOAD_TYPE, STATEMENT_TYPE
from evaluator.bundle.verify import _b64decode, parse_envelope
from evaluator.errors import InputError
from evaluator.evidence import item_problems
from evaluator.fileio import parse_json


def check_statement(statement: Any, origin: str) -> None:
    """Refuse to sign a statement that is malformed, has an invalid item or an item changed since bundling."""
    if not isinstance(statement, dict) or statement.get("_type") != STATEMENT_TYPE:
        raise InputError(origin, "not an in-toto Statement v1 made by `readiness bundle`")
    found = schemas.problems(schemas.BUNDLE_STATEMENT, statement)
    if found:
        raise InputError(origin, f"invalid evidence bundle statement at {found[0]}")
    for entry in statement["predicate"]["evidence"]:
        if entry["item"].get("id") != entry["id"]:
            raise InputError(origin, f"evidence entry {entry['id']!r} holds an item with another id")
        if not digest_matches(entry["item"], entry["digest"]["sha256"]):
            raise InputError(origin, f"evidence item {entry['id']!r} changed after bundling (digest mismatch)")
        problems = item_problems(entry["item"])
        if problems:
            raise InputError(origin, f"evidence item {entry['id']!r} is invalid at {problems[0]}")


def encode_envelope(envelope: Envelope) -> bytes:
    """Compact envelope JSON without insignificant bytes, so that any byte changed is a change that counts."""
    return msgspec.json.encode(envelope.to_dict())


def sign_document(data: bytes, signer: Signer, origin: str) -> tuple[bytes, str]:
    """Sign a statement (new envelope) or an envelope (one more signature); the envelope bytes and the keyid."""
    document = parse_json(data, origin)
    if isinstance(document, dict) and {"payload", "payloadType", "signatures"} <= document.keys():
        envelope = _existing_envelope(data, origin)
    else:
        check_statement(document, origin)
        # The payload is the statement re-encoded canonically (sorted keys, compact), not the file's bytes.
        envelope = Envelope(msgspec.json.encode(document, order="sorted"), PAYLOAD_TYPE, {})
    keyid = signer.public_key.keyid
    if keyid in envelope.signatures:
        raise InputError(origin, f"already signed by this key (keyid {keyid[:12]}…)")
    envelope.sign(signer)
    return encode_envelope(envelope), keyid


def _existing_envelope(data: bytes, origin: str) -> Envelope:
    document = parse_envelope(data, origin)
    if document.get("payloadType") != PAYLOAD_TYPE:
        raise InputError(origin, f"envelope payloadType is {document.get('payloadType')!r}, expected {PAYLOAD_TYPE!r}")
    try:
        payload = _b64decode(document["payload"])
        signatures = document["signatures"]
        for signature in signatures:
            _b64decode(signature["sig"])
        envelope = Envelope.from_dict(document)
    except Exception as exc:
        raise InputError(origin, f"malformed DSSE envelope: {exc}") from None
    # Co-signing vouches for the content: hold it to the same checks as a fresh statement.
    check_statement(parse_json(payload, f"{origin} (payload)"), f"{origin} (payload)")
    return envelope
