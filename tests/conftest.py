"""Shared fixtures: real tool outputs, generated keys, items, statements and envelopes."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner

from evaluator.bundle import Release, build_statement, generate, load_signer, sign_document
from evaluator.bundle.trust import TrustedKey, TrustPolicy
from evaluator.collectors import collect
from evaluator.timeutil import parse_time

DATA = Path(__file__).parent / "data"
PYTEST_JUNIT = DATA / "bundle" / "pytest-junit.xml"
COMMIT = "3f786850e387550fdab836ed7e6dc881de23001b"
ARTIFACT = "sha256:" + "ab" * 32


@dataclass
class KeyFiles:
    """A generated key pair on disk and its signer."""

    name: str
    private: Path
    public: Path
    signer: CryptoSigner

    def trusted(self, **window: Any) -> TrustedKey:
        """This key as a trust-policy entry."""
        return TrustedKey(self.name, self.signer.public_key, window.get("valid_from"), window.get("valid_until"))


@pytest.fixture(scope="session")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> dict[str, KeyFiles]:
    """Key pairs of every algorithm, generated once per test session."""
    folder = tmp_path_factory.mktemp("keys")
    ring = {}
    for name, algorithm in (
        ("ci", "ed25519"),
        ("qa", "ed25519"),
        ("ec", "ecdsa-p256"),
        ("rsa", "rsa"),
        ("rogue", "ed25519"),
    ):
        pair = generate(algorithm)
        private, public = folder / f"{name}.key", folder / f"{name}.pub"
        private.write_bytes(pair.private_pem)
        private.chmod(0o600)
        public.write_bytes(pair.public_pem)
        ring[name] = KeyFiles(name, private, public, load_signer(str(private)))
    return ring


@pytest.fixture
def item() -> dict[str, Any]:
    """A tests item collected from a real pytest JUnit report."""
    return collect(PYTEST_JUNIT, item_id="tests-unit", environment="staging").to_json_dict()


@pytest.fixture
def release() -> Release:
    """The release the example bundles are about."""
    return Release("checkout", "1.42.0", COMMIT, ARTIFACT, "staging", "production", "critical")


@pytest.fixture
def statement(item: dict[str, Any], release: Release) -> dict[str, Any]:
    """An unsigned statement holding the item."""
    return build_statement([item], release)


def sign_statement(statement: dict[str, Any], *keys: KeyFiles) -> bytes:
    """Envelope bytes signed by each key in turn, through the library's sign path."""
    data = json.dumps(statement).encode()
    for key in keys:
        data, _ = sign_document(data, key.signer, "statement.json")
    return data


def raw_envelope(payload: bytes, key: KeyFiles, payload_type: str = "application/vnd.in-toto+json") -> bytes:
    """Envelope signed directly with securesystemslib, bypassing our statement checks (to forge bad content)."""
    envelope = Envelope(payload, payload_type, {})
    envelope.sign(key.signer)
    return json.dumps(envelope.to_dict()).encode()


def policy(*keys: TrustedKey, threshold: int = 1, **extra: Any) -> TrustPolicy:
    """A trust policy of the given keys."""
    return TrustPolicy(keys=tuple(keys), threshold=threshold, **extra)


def envelope_payload(data: bytes) -> dict[str, Any]:
    """The statement inside envelope bytes."""
    return json.loads(base64.b64decode(json.loads(data)["payload"]))


def evidence_time(item: dict[str, Any]) -> Any:
    """When freshness is measured from for an item."""
    return parse_time(item["observed"]["end"] if "observed" in item else item["collected_at"])


HOUR = timedelta(hours=1)
