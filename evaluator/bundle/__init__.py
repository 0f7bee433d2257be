"""Bundles: in-toto statements of evidence, DSSE signing, trust policies and verification."""

from evaluator.bundle.digest import canonical_json, digest_matches, item_digest
from evaluator.bundle.keys import ALGORITHMS, KeyPair, generate, load_public_key, load_signer
from evaluator.bundle.sign import check_statement, sign_document
from evaluator.bundle.statement import PAYLOAD_TYPE, PREDICATE_TYPE, STATEMENT_TYPE, Release, build_statement
from evaluator.bundle.trust import TrustedKey, TrustPolicy, load_trust_policy, policy_from_keys
from evaluator.bundle.verify import CHECKS, Failure, Verification, verify_envelope

__all__ = [
    "ALGORITHMS",
    "CHECKS",
    "PAYLOAD_TYPE",
    "PREDICATE_TYPE",
    "STATEMENT_TYPE",
    "Failure",
    "KeyPair",
    "Release",
    "TrustPolicy",
    "TrustedKey",
    "Verification",
    "build_statement",
    "canonical_json",
    "check_statement",
    "digest_matches",
    "generate",
    "item_digest",
    "load_public_key",
    "load_signer",
    "load_trust_policy",
    "policy_from_keys",
    "sign_document",
    "verify_envelope",
]
