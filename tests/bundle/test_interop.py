"""Our envelopes verify with securesystemslib alone, and carry an in-toto Statement v1."""

from __future__ import annotations

import json

from cryptography.hazmat.primitives.serialization import load_pem_public_key
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

from tests.conftest import sign_statement


def test_envelope_verifies_with_securesystemslib_and_a_pem_public_key(keyring, statement):
    data = sign_statement(statement, keyring["ci"], keyring["ec"])
    envelope = Envelope.from_dict(json.loads(data))
    for name in ("ci", "ec"):
        key = SSlibKey.from_crypto(load_pem_public_key(keyring[name].public.read_bytes()))
        accepted = envelope.verify([key], 1)
        assert list(accepted) == [key.keyid]

    assert envelope.payload_type == "application/vnd.in-toto+json"
    payload = json.loads(envelope.payload)
    assert payload["_type"] == "https://in-toto.io/Statement/v1"
    assert isinstance(payload["predicateType"], str) and payload["predicateType"].startswith("https://")
    assert isinstance(payload["predicate"], dict)
    (subject,) = payload["subject"]
    assert subject["name"] == "checkout"
    assert subject["digest"] and all(isinstance(v, str) for v in subject["digest"].values())


def test_securesystemslib_rejects_a_tampered_payload(keyring, statement):
    import base64

    import pytest
    from securesystemslib.exceptions import VerificationError

    document = json.loads(sign_statement(statement, keyring["ci"]))
    payload = json.loads(base64.b64decode(document["payload"]))
    payload["predicate"]["version"] = "9.9.9"
    document["payload"] = base64.b64encode(json.dumps(payload).encode()).decode()
    key = SSlibKey.from_crypto(load_pem_public_key(keyring["ci"].public.read_bytes()))
    with pytest.raises(VerificationError):
        Envelope.from_dict(document).verify([key], 1)
