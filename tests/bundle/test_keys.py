"""Key generation and loading: algorithms, encryption, URIs, and the errors a user meets."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization

from evaluator.bundle.keys import generate, load_public_key, load_signer
from evaluator.errors import InputError, UsageError


@pytest.mark.parametrize(
    ("algorithm", "keytype", "scheme"),
    [
        ("ed25519", "ed25519", "ed25519"),
        ("ecdsa-p256", "ecdsa", "ecdsa-sha2-nistp256"),
        ("rsa", "rsa", "rsassa-pss-sha256"),
    ],
)
def test_generated_keys_load_and_sign(tmp_path, algorithm, keytype, scheme):
    pair = generate(algorithm)
    (tmp_path / "k.key").write_bytes(pair.private_pem)
    (tmp_path / "k.pub").write_bytes(pair.public_pem)
    signer = load_signer(str(tmp_path / "k.key"))
    public = load_public_key(tmp_path / "k.pub")
    assert (public.keytype, public.scheme) == (keytype, scheme)
    assert signer.public_key.keyid == public.keyid == pair.keyid
    from securesystemslib.signer import Signature

    signature = signer.sign(b"payload")
    public.verify_signature(Signature(public.keyid, signature.signature), b"payload")


def test_encrypted_key_needs_the_right_passphrase(tmp_path):
    pair = generate("ed25519", passphrase="s3cret")
    path = tmp_path / "k.key"
    path.write_bytes(pair.private_pem)
    assert b"ENCRYPTED" in pair.private_pem
    assert load_signer(str(path), lambda: "s3cret").public_key.keyid == pair.keyid
    with pytest.raises(InputError, match="wrong passphrase"):
        load_signer(str(path), lambda: "wrong")
    with pytest.raises(InputError, match="the key is encrypted"):
        load_signer(str(path), lambda: None)
    with pytest.raises(InputError, match="the key is encrypted"):
        load_signer(str(path))


def test_passphrase_is_not_asked_for_an_unencrypted_key(tmp_path):
    path = tmp_path / "k.key"
    path.write_bytes(generate("ed25519").private_pem)

    def never() -> str:
        raise AssertionError("asked for a passphrase")

    load_signer(str(path), never)


def test_file2_uri_and_a_matching_public_key(tmp_path):
    pair = generate("ecdsa-p256")
    (tmp_path / "k.key").write_bytes(pair.private_pem)
    (tmp_path / "k.pub").write_bytes(pair.public_pem)
    assert load_signer(f"file2:{tmp_path / 'k.key'}").public_key.keyid == pair.keyid
    assert load_signer(f"file2:{tmp_path / 'k.key'}", public_key=tmp_path / "k.pub").public_key.keyid == pair.keyid
    other = generate("ed25519")
    (tmp_path / "other.pub").write_bytes(other.public_pem)
    with pytest.raises(InputError, match="does not match"):
        load_signer(str(tmp_path / "k.key"), public_key=tmp_path / "other.pub")


def test_kms_uri_needs_a_public_key():
    with pytest.raises(UsageError, match="--public-key"):
        load_signer("gcpkms:projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1")


def test_keys_of_the_wrong_kind(tmp_path):
    pair = generate("ed25519")
    (tmp_path / "k.key").write_bytes(pair.private_pem)
    (tmp_path / "k.pub").write_bytes(pair.public_pem)
    (tmp_path / "junk").write_bytes(b"hello")
    with pytest.raises(InputError, match="public key; signing needs the private key"):
        load_signer(str(tmp_path / "k.pub"))
    with pytest.raises(InputError, match="private key; give the public key"):
        load_public_key(tmp_path / "k.key")
    with pytest.raises(InputError, match="not a PEM public key"):
        load_public_key(tmp_path / "junk")
    with pytest.raises(InputError, match="not a PEM private key"):
        load_signer(str(tmp_path / "junk"))


def test_small_rsa_keys_are_refused(tmp_path):
    from cryptography.hazmat.primitives.asymmetric import rsa

    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = small.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (tmp_path / "small.pub").write_bytes(pem)
    with pytest.raises(InputError, match="too small"):
        load_public_key(tmp_path / "small.pub")


def test_unknown_algorithm():
    with pytest.raises(UsageError, match="unknown algorithm"):
        generate("dsa")
