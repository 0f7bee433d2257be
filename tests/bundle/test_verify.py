"""verify_envelope: each check, in order, on real items and generated keys."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from evaluator import schemas
from evaluator.bundle import build_statement, sign_document, verify_envelope
from evaluator.bundle.digest import item_digest
from evaluator.errors import InputError
from tests.conftest import (
    COMMIT,
    HOUR,
    envelope_payload,
    evidence_time,
    policy,
    raw_envelope,
    sign_statement,
)


def test_round_trip_verifies_and_returns_the_signed_statement(keyring, statement):
    data = sign_statement(statement, keyring["ci"])
    result = verify_envelope(data, policy(keyring["ci"].trusted()), "env.json")
    assert result.ok, result.failures
    assert result.statement == statement
    assert result.signers == ["ci"]
    assert [(i.id, i.kind) for i in result.items] == [("tests-unit", "tests")]
    assert set(result.status.values()) == {"pass"}


@pytest.mark.parametrize("name", ["ec", "rsa"])
def test_ecdsa_and_rsa_keys_sign_and_verify(keyring, statement, name):
    data = sign_statement(statement, keyring[name])
    assert verify_envelope(data, policy(keyring[name].trusted())).ok
    assert not verify_envelope(data, policy(keyring["ci"].trusted())).ok


def test_threshold_two_needs_two_distinct_trusted_signatures(keyring, statement):
    trust = policy(keyring["ci"].trusted(), keyring["qa"].trusted(), threshold=2)
    both = sign_statement(statement, keyring["ci"], keyring["qa"])
    result = verify_envelope(both, trust)
    assert result.ok and result.signers == ["ci", "qa"]

    one = sign_statement(statement, keyring["ci"])
    result = verify_envelope(one, trust)
    assert not result.ok
    assert [f.check for f in result.failures] == ["signatures"]
    assert "1 of 2 required trusted key(s) signed (counted: ci)" in result.failures[0].message
    assert result.statement is None, "the payload must not be read when signatures fail"
    assert result.status["statement"] == "not-run"


def test_a_signature_from_an_untrusted_key_does_not_count(keyring, statement):
    data = sign_statement(statement, keyring["rogue"])
    result = verify_envelope(data, policy(keyring["ci"].trusted()))
    assert not result.ok
    assert "0 of 1" in result.failures[0].message
    assert "is not from a trusted key" in result.failures[0].message


def test_an_untrusted_cosigner_neither_helps_nor_hurts(keyring, statement):
    data = sign_statement(statement, keyring["rogue"], keyring["ci"])
    assert verify_envelope(data, policy(keyring["ci"].trusted())).ok
    trust = policy(keyring["ci"].trusted(), keyring["qa"].trusted(), threshold=2)
    assert not verify_envelope(data, trust).ok


def test_key_outside_its_validity_window(keyring, statement):
    data = sign_statement(statement, keyring["ci"])
    at = evidence_time(statement["predicate"]["evidence"][0]["item"]) + HOUR
    expired = policy(keyring["ci"].trusted(valid_until=at - timedelta(days=1)))
    result = verify_envelope(data, expired, at=at)
    assert not result.ok
    assert "was trusted only until" in result.failures[0].message
    not_yet = policy(keyring["ci"].trusted(valid_from=at + timedelta(days=1)))
    assert "is trusted only from" in verify_envelope(data, not_yet, at=at).failures[0].message
    inside = policy(keyring["ci"].trusted(valid_from=at - timedelta(days=1), valid_until=at + timedelta(days=1)))
    assert verify_envelope(data, inside, at=at).ok


def test_every_single_byte_changed_fails(keyring, statement):
    data = sign_statement(statement, keyring["ci"])
    trust = policy(keyring["ci"].trusted())
    assert verify_envelope(data, trust).ok
    for index in range(len(data)):
        for flip in (0x01, 0x20):
            tampered = bytearray(data)
            tampered[index] ^= flip
            try:
                result = verify_envelope(bytes(tampered), trust)
            except InputError:
                continue  # no longer JSON, or no longer an envelope: refused as input
            assert not result.ok, f"byte {index} ^ {flip:#x} went unnoticed"


def test_removing_a_signature(keyring, statement):
    data = sign_statement(statement, keyring["ci"], keyring["qa"])
    document = json.loads(data)
    document["signatures"].pop()
    trust = policy(keyring["ci"].trusted(), keyring["qa"].trusted(), threshold=2)
    result = verify_envelope(json.dumps(document).encode(), trust)
    assert not result.ok and "1 of 2" in result.failures[0].message
    document["signatures"] = []
    result = verify_envelope(json.dumps(document).encode(), trust)
    assert [str(f) for f in result.failures] == ["envelope: the envelope carries no signature"]


def test_changed_payload_type_breaks_the_signature(keyring, statement):
    document = json.loads(sign_statement(statement, keyring["ci"]))
    document["payloadType"] = "application/json"
    result = verify_envelope(json.dumps(document).encode(), policy(keyring["ci"].trusted()))
    assert [f.check for f in result.failures] == ["signatures"]


def test_signed_but_wrong_payload_type_is_refused(keyring, statement):
    data = raw_envelope(json.dumps(statement).encode(), keyring["ci"], payload_type="application/json")
    result = verify_envelope(data, policy(keyring["ci"].trusted()))
    assert [f.check for f in result.failures] == ["payload-type"]
    assert "'application/json'" in result.failures[0].message


def test_item_changed_after_bundling_is_named(keyring, statement):
    statement["predicate"]["evidence"][0]["item"]["data"]["totals"]["failed"] = 0
    with pytest.raises(InputError, match=r"tests-unit.*changed after bundling"):
        sign_statement(statement, keyring["ci"])
    data = raw_envelope(json.dumps(statement).encode(), keyring["ci"])
    result = verify_envelope(data, policy(keyring["ci"].trusted()))
    assert not result.ok
    assert [(f.check, f.item) for f in result.failures] == [("digests", "tests-unit")]
    assert result.items == [], "an item failing its digest is not verified evidence"


def test_item_failing_its_schema_is_named(keyring, statement):
    entry = statement["predicate"]["evidence"][0]
    entry["item"]["data"]["totals"]["failed"] = -1
    entry["digest"]["sha256"] = item_digest(entry["item"])
    data = raw_envelope(json.dumps(statement).encode(), keyring["ci"])
    result = verify_envelope(data, policy(keyring["ci"].trusted(), require=("tests",)))
    checks = [(f.check, f.item) for f in result.failures]
    assert ("item-schemas", "tests-unit") in checks
    assert "/data/totals/failed" in result.failures[0].message
    assert ("required-kinds", None) in checks, "an invalid item must not satisfy a required kind"


def test_stale_evidence_names_kind_and_age(keyring, statement):
    data = sign_statement(statement, keyring["ci"])
    at = evidence_time(statement["predicate"]["evidence"][0]["item"]) + timedelta(hours=30)
    trust = policy(keyring["ci"].trusted(), max_age={"tests": timedelta(hours=24)})
    result = verify_envelope(data, trust, at=at)
    assert [(f.check, f.item) for f in result.failures] == [("freshness", "tests-unit")]
    assert "tests evidence is 1d6h old, maximum 1d" in result.failures[0].message
    fresh = policy(keyring["ci"].trusted(), max_age={"tests": timedelta(days=2)})
    assert verify_envelope(data, fresh, at=at).ok


def test_evidence_from_the_future_fails(keyring, statement):
    data = sign_statement(statement, keyring["ci"])
    at = evidence_time(statement["predicate"]["evidence"][0]["item"]) - HOUR
    result = verify_envelope(data, policy(keyring["ci"].trusted()), at=at)
    assert [f.check for f in result.failures] == ["freshness"]
    assert "in the future" in result.failures[0].message


def test_subject_mismatch(keyring, statement):
    data = sign_statement(statement, keyring["ci"])
    trust = policy(keyring["ci"].trusted()).with_subject(commit="0" * 40, service="checkout")
    result = verify_envelope(data, trust)
    assert [str(f) for f in result.failures] == [f"subject: commit is '{COMMIT}', expected '{'0' * 40}'"]
    assert verify_envelope(data, policy(keyring["ci"].trusted()).with_subject(commit=COMMIT)).ok


def test_missing_required_kind(keyring, statement):
    data = sign_statement(statement, keyring["ci"])
    result = verify_envelope(data, policy(keyring["ci"].trusted(), require=("tests", "load")))
    assert [str(f) for f in result.failures] == [
        "required-kinds: required evidence kind 'load' is missing (present: tests)"
    ]


def test_swapped_keyid_fails(keyring, statement):
    document = json.loads(sign_statement(statement, keyring["ci"]))
    document["signatures"][0]["keyid"] = keyring["qa"].signer.public_key.keyid
    trust = policy(keyring["ci"].trusted(), keyring["qa"].trusted())
    assert not verify_envelope(json.dumps(document).encode(), trust).ok


def test_signature_without_keyid_is_tried_against_every_trusted_key(keyring, statement):
    document = json.loads(sign_statement(statement, keyring["ci"]))
    del document["signatures"][0]["keyid"]
    assert verify_envelope(json.dumps(document).encode(), policy(keyring["qa"].trusted(), keyring["ci"].trusted())).ok


def test_non_canonical_base64_is_refused(keyring, statement):
    document = json.loads(sign_statement(statement, keyring["ci"]))
    sig = document["signatures"][0]["sig"]
    assert sig.endswith("=="), "an Ed25519 signature (64 bytes) leaves 4 unused bits in its last base64 character"
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    changed = sig[:-3] + alphabet[alphabet.index(sig[-3]) ^ 1] + "=="
    assert base64.b64decode(changed) == base64.b64decode(sig), "lenient decoders see the same signature"
    document["signatures"][0]["sig"] = changed
    result = verify_envelope(json.dumps(document).encode(), policy(keyring["ci"].trusted()))
    assert [str(f) for f in result.failures] == ["envelope: signature 1 is not canonical standard base64"]


def test_payload_that_is_not_a_statement(keyring):
    result = verify_envelope(raw_envelope(b"[1, 2", keyring["ci"]), policy(keyring["ci"].trusted()))
    assert [f.check for f in result.failures] == ["statement"] and "not JSON" in result.failures[0].message
    result = verify_envelope(raw_envelope(b'{"_type": "x"}', keyring["ci"]), policy(keyring["ci"].trusted()))
    assert result.failures and {f.check for f in result.failures} == {"statement"}


def test_duplicate_item_ids_in_a_signed_statement(keyring, item, release):
    statement = build_statement([item], release)
    statement["predicate"]["evidence"].append(statement["predicate"]["evidence"][0])
    result = verify_envelope(
        raw_envelope(json.dumps(statement).encode(), keyring["ci"]), policy(keyring["ci"].trusted())
    )
    assert ("statement", "tests-unit") in [(f.check, f.item) for f in result.failures]


def test_files_that_are_not_envelopes_are_input_errors(keyring, statement, item):
    trust = policy(keyring["ci"].trusted())
    with pytest.raises(InputError, match="unsigned statement"):
        verify_envelope(json.dumps(statement).encode(), trust, "st.json")
    with pytest.raises(InputError, match="evidence item"):
        verify_envelope(json.dumps(item).encode(), trust, "item.json")
    with pytest.raises(InputError, match=r"env.json:1:\d+: malformed JSON"):
        verify_envelope(b'{"payload": ', trust, "env.json")


def test_json_result_matches_its_schema(keyring, statement):
    data = sign_statement(statement, keyring["ci"])
    good = verify_envelope(data, policy(keyring["ci"].trusted())).to_json()
    bad = verify_envelope(data, policy(keyring["qa"].trusted())).to_json()
    assert schemas.problems(schemas.VERIFICATION_RESULT, good) == []
    assert schemas.problems(schemas.VERIFICATION_RESULT, bad) == []
    assert good["verified"] is True and good["evidence"][0]["id"] == "tests-unit"
    assert bad["verified"] is False and bad["failures"][0]["check"] == "signatures"
    assert "subject" not in bad, "nothing from an unverified payload is reported"


def test_cosigning_twice_with_the_same_key_is_refused(keyring, statement):
    data = sign_statement(statement, keyring["ci"])
    with pytest.raises(InputError, match="already signed by this key"):
        sign_document(data, keyring["ci"].signer, "env.json")


def test_cosigning_checks_the_content_it_vouches_for(keyring, statement):
    statement["predicate"]["evidence"][0]["item"]["data"]["totals"]["passed"] = 99
    data = raw_envelope(json.dumps(statement).encode(), keyring["ci"])
    with pytest.raises(InputError, match="changed after bundling"):
        sign_document(data, keyring["qa"].signer, "env.json")


def test_payload_is_the_statement_exactly(keyring, statement):
    assert envelope_payload(sign_statement(statement, keyring["ci"])) == statement
