"""Key pairs for signing bundles: generation, PEM files, and loading signers and public keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from securesystemslib.signer import (
    ECDSA_SHA2_NISTP256,
    ECDSA_SHA2_NISTP384,
    ECDSA_SHA2_NISTP521,
    RSASSA_PSS_SHA256,
    SIGNER_FOR_URI_SCHEME,
    CryptoSigner,
    Signer,
    SSlibKey,
)

from evaluator.errors import InputError, UsageError
from evaluator.fileio import read_bytes

ALGORITHMS = ("ed25519", "ecdsa-p256", "rsa")
"""Algorithms `keygen` offers; Ed25519 is the default."""

RSA_BITS = 3072

PassphraseSource = Callable[[], str | None]
"""Called only when a key turns out to be encrypted; returns the passphrase or None."""


@dataclass(frozen=True)
class KeyPair:
    """A newly generated key pair as PEM bytes."""

    private_pem: bytes
    """PKCS#8 PEM, encrypted when a passphrase was given."""
    public_pem: bytes
    """SubjectPublicKeyInfo PEM."""
    keyid: str
    """securesystemslib key id of the public key (what signatures carry)."""


def generate(algorithm: str = "ed25519", passphrase: str | None = None) -> KeyPair:
    """A new key pair; the private half encrypted with `passphrase` when one is given."""
    private_key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if algorithm == "ed25519":
        private_key = ed25519.Ed25519PrivateKey.generate()
    elif algorithm == "ecdsa-p256":
        private_key = ec.generate_private_key(ec.SECP256R1())
    elif algorithm == "rsa":
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    else:
        raise UsageError(f"unknown algorithm {algorithm!r} (choose from {', '.join(ALGORITHMS)})")
    encryption: serialization.KeySerializationEncryption = serialization.NoEncryption()
    if passphrase:
        encryption = serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
    private_pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    public_pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(private_pem, public_pem, SSlibKey.from_crypto(private_key.public_key()).keyid)


def public_key_from_pem(pem: bytes, origin: str | Path, scheme: str | None = None) -> SSlibKey:
    """A securesystemslib public key from PEM bytes; InputError naming `origin` when it is not one."""
    if b"PRIVATE KEY" in pem:
        raise InputError(origin, "this is a private key; give the public key (.pub) here")
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InputError(origin, f"not a PEM public key ({_first_line(exc)})") from None
    return _sslib_key(key, origin, scheme)


def _sslib_key(key: object, origin: str | Path, scheme: str | None) -> SSlibKey:
    if isinstance(key, ec.EllipticCurvePublicKey):
        by_curve = {
            "secp256r1": ECDSA_SHA2_NISTP256,
            "secp384r1": ECDSA_SHA2_NISTP384,
            "secp521r1": ECDSA_SHA2_NISTP521,
        }
        if key.curve.name not in by_curve:
            raise InputError(origin, f"unsupported elliptic curve {key.curve.name}")
    elif not isinstance(key, ed25519.Ed25519PublicKey | rsa.RSAPublicKey):
        raise InputError(origin, f"unsupported key type {type(key).__name__} (use Ed25519, ECDSA or RSA)")
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < 2048:
        raise InputError(origin, f"RSA key of {key.key_size} bits is too small (2048 at least)")
    try:
        return SSlibKey.from_crypto(key, scheme=scheme)  # type: ignore[arg-type]
    except ValueError as exc:
        raise InputError(origin, f"unusable public key: {_first_line(exc)}") from None


def load_public_key(path: str | Path, scheme: str | None = None) -> SSlibKey:
    """Read a PEM public key file."""
    return public_key_from_pem(read_bytes(path, "public key"), path, scheme)


def _is_uri(reference: str) -> bool:
    scheme, sep, _ = reference.partition(":")
    return bool(sep) and scheme in SIGNER_FOR_URI_SCHEME and not Path(reference).exists()


def load_signer(
    reference: str,
    passphrase: PassphraseSource | None = None,
    public_key: str | Path | None = None,
) -> Signer:
    """A signer for a private key file (PEM, optionally encrypted) or any securesystemslib key URI.

    URIs other than file2: need the matching public key (`public_key`), as securesystemslib does.
    """
    if _is_uri(reference):
        scheme, _, rest = reference.partition(":")
        if scheme == CryptoSigner.SCHEME and public_key is None:
            return _signer_from_file(Path(rest), passphrase)
        if public_key is None:
            raise UsageError(f"signing with a {scheme}: key URI needs --public-key PUB.pem")
        pub = load_public_key(public_key)
        try:
            return Signer.from_priv_key_uri(reference, pub)
        except Exception as exc:  # signer back-ends raise their own types (network, KMS, HSM)
            raise InputError(reference, f"cannot load signer: {_first_line(exc)}") from None
    signer = _signer_from_file(Path(reference), passphrase)
    if public_key is not None and load_public_key(public_key).keyid != signer.public_key.keyid:
        raise InputError(public_key, f"does not match the private key {reference}")
    return signer


def _signer_from_file(path: Path, passphrase: PassphraseSource | None) -> CryptoSigner:
    pem = read_bytes(path, "private key")
    if b"PRIVATE KEY-----" not in pem:
        if b"PUBLIC KEY-----" in pem:
            raise InputError(path, "this is a public key; signing needs the private key (.key)")
        raise InputError(path, "not a PEM private key")
    secret: bytes | None = None
    if b"ENCRYPTED PRIVATE KEY" in pem or b"Proc-Type: 4,ENCRYPTED" in pem:
        given = passphrase() if passphrase is not None else None
        if not given:
            raise InputError(
                path, "the key is encrypted: give its passphrase with --passphrase-env VAR or --passphrase-prompt"
            )
        secret = given.encode("utf-8")
    try:
        private_key = serialization.load_pem_private_key(pem, secret)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        if secret is not None:
            raise InputError(path, "wrong passphrase, or the key file is corrupt") from None
        raise InputError(path, f"not a usable PEM private key ({_first_line(exc)})") from None
    public = _sslib_key(private_key.public_key(), path, None)
    try:
        return CryptoSigner(private_key, public)  # type: ignore[arg-type]
    except ValueError as exc:
        raise InputError(path, f"unusable private key: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


__all__ = ["ALGORITHMS", "RSASSA_PSS_SHA256", "KeyPair", "generate", "load_public_key", "load_signer"]
