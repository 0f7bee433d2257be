"""Credential masking: what must be masked, what must survive, and that masking is stable."""

import pytest

from evaluator.redact import REDACTED, redact

# Fake credentials of the real shapes (AWS's documented example key, made-up tokens).
AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
GITHUB_PAT = "github_pat_11ABCDEFG0abcdefghijkl_" + "x" * 59
GITLAB_TOKEN = "glpat-" + "Zx9yW8vU7tS6rQ5pO4nM"
SLACK_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi2cKa8ZTWxxGx4vYh0VfWkBbVw\n"
    "q7cO4Hk7Fb6N2zLyXYc0b8Q1d6c3xX9yYpS8dEL8M0wqzZ5g2v5W7n8KfJ3hU1rT\n"
    "-----END RSA PRIVATE KEY-----"
)


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        (f"deploy used key {AWS_KEY_ID} in us-east-1", AWS_KEY_ID, "deploy used key "),
        (f"clone failed with {GITHUB_TOKEN}", GITHUB_TOKEN, "clone failed with "),
        (f"token {GITHUB_PAT} rejected", GITHUB_PAT, " rejected"),
        (f"gitlab said 401 for {GITLAB_TOKEN}.", GITLAB_TOKEN, "gitlab said 401 for "),
        (f"slack post with {SLACK_TOKEN} failed", SLACK_TOKEN, " failed"),
        (f"cookie session={JWT}; Path=/", JWT, "; Path=/"),
        (f"got {JWT}", JWT, "got "),
        ("Authorization: Bearer abc123.def456-ghi789_jkl", "abc123.def456-ghi789_jkl", "Authorization: Bearer "),
        ("curl -H 'Authorization: Basic dXNlcjpodW50ZXIy'", "dXNlcjpodW50ZXIy", "Authorization: Basic "),
        ("sent bearer 0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef", "sent bearer "),
        ("password=hunter2 user=bob", "hunter2", "user=bob"),
        ("DB_PASSWORD: 'correct horse battery'", "correct horse battery", "DB_PASSWORD: '"),
        ('{"client_secret": "s3cr3t-value", "id": 7}', "s3cr3t-value", '"id": 7'),
        ('\\"api_key\\": \\"k-12345\\"', "k-12345", '\\"api_key\\": \\"'),
        ("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI", "AWS_SECRET_ACCESS_KEY="),
        ("token => abcdef next", "abcdef", "token => "),
        ("password=Tr0ub4dor&3;x,y user=bob", "Tr0ub4dor&3;x,y", " user=bob"),
        ("https://api.example/login?user=bob&password=p%40ss&next=/", "p%40ss", "?user=bob&password="),
        ("assert secret == 'topsecret'", "topsecret", "assert secret == '"),
        ("https://admin:hunter2@db.internal:5432/app", "hunter2", "https://admin:"),
        ("postgres://svc:p@ss:w0rd@db/app", "p@ss:w0rd", "@db/app"),
        ("webhook https://hooks.slack.com/services/T000/B000/XXXXXXXX", "T000/B000/XXXXXXXX", "hooks.slack.com"),
        (f"key file:\n{PEM}\nend of key", "MIIEpAIBAAKCAQEA", "end of key"),
    ],
)
def test_masks_credentials_and_keeps_context(text, secret, kept):
    masked = redact(text)
    assert secret not in masked
    assert REDACTED in masked
    assert kept in masked


def test_masks_a_private_key_cut_off_before_its_end_line():
    cut = PEM[:80]
    masked = redact(f"config was {cut}")
    assert masked == f"config was {REDACTED}"


def test_masks_every_occurrence():
    text = f"first {AWS_KEY_ID} then password=one and password=two"
    masked = redact(text)
    assert AWS_KEY_ID not in masked
    assert "one" not in masked.replace("done", "")
    assert masked.count(REDACTED) == 3


@pytest.mark.parametrize(
    "text",
    [
        "expected 3 entries, found 4",
        "AssertionError: assert {'status': 'ok'} == {'status': 'degraded'}",
        "voucher not applied ==> expected: <90> but was: <100>",
        "https://example.com:8443/health returned 503",
        "Bearer token missing",
        "tokenizer splits on whitespace",
        "the author is unknown",
        "AKIA is a prefix, not a key",
        "",
    ],
)
def test_leaves_ordinary_messages_alone(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        f"password=hunter2 {AWS_KEY_ID} {JWT} https://u:p@h/ Authorization: Bearer {GITHUB_TOKEN}",
        f'"token": "{GITHUB_TOKEN}" secret: x {PEM}',
        "password = [REDACTED] and token=[REDACTED]",
    ],
)
def test_is_idempotent(text):
    once = redact(text)
    assert redact(once) == once


def test_long_inputs_are_fast():
    # Bounded repetition in the patterns: a long run of key-like characters must not backtrack badly.
    import time

    text = "a" * 200_000 + " password" * 1000 + "_" * 100_000
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 2.0
