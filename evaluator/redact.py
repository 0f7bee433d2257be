"""Masking credentials in text copied from tool outputs, so secrets never enter evidence.

`redact` replaces what looks like a credential with `[REDACTED]` and keeps the words around it
(`password=[REDACTED]`, `https://admin:[REDACTED]@db/app`, `Bearer [REDACTED]`), so a failure message
still says what went wrong. It errs on the side of masking: a false positive costs a word of context,
a false negative leaks a secret into a signed, long-lived bundle.
"""

from __future__ import annotations

import re

REDACTED = "[REDACTED]"
"""What every masked credential becomes."""

# PEM private keys, including a block cut off before its END line (a truncated message).
_PEM_PRIVATE_KEY = re.compile(
    r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY((?: BLOCK)?)-----"
    r"(?:.*?-----END \1PRIVATE KEY\2-----|.*\Z)",
    re.DOTALL,
)

# scheme://user:password@host: keep the user, mask the password (which may itself contain '@').
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{0,31}://[^\s:/?#@\"'<>]{1,256}:)[^\s/?#\"'<>]{1,512}(@)")

# Tokens recognisable by their shape alone.
_TOKENS = re.compile(
    r"\b(?:"
    r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}"  # AWS access key id
    r"|gh[pousr]_[A-Za-z0-9]{36,255}"  # GitHub classic tokens
    r"|github_pat_[A-Za-z0-9_]{22,255}"  # GitHub fine-grained tokens
    r"|gl(?:pat|dt|rt|ptt|cbt|ft|imt|oas|soat)-[A-Za-z0-9_-]{20,255}"  # GitLab tokens
    r"|xox[abposre]-[A-Za-z0-9-]{10,255}"  # Slack tokens
    r"|eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"  # JWT (JWS compact form)
    r")(?![A-Za-z0-9_-])"
)
_SLACK_WEBHOOK = re.compile(r"(?i)(https://hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_-]+")

# Authorization schemes: the credential follows the scheme name.
_AUTH_HEADER = re.compile(r"(?i)\b(authorization\s*[:=]\s*(?:basic|bearer|digest|token|negotiate)?\s*)[^\s,;\"'<>]+")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/-]{16,}=*")

# key = value, key: value, "key": "value", key => value, key == value (assertion output), where the key
# names a secret. Quoted values are masked up to the closing quote, bare ones up to the next space or
# quote (a password may hold `&`, `,` or `;`, so those do not end it). The match starts at the secret
# word (a prefix such as `db_` stays as it is), which keeps the scan linear.
_SECRET_KEY = (
    r"(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)"
    r"[A-Za-z0-9_.-]{0,40}"
)
_ASSIGNMENT = re.compile(
    r"(?i)(" + _SECRET_KEY + r"\\?[\"']?[ \t]*(?::=|=>|==|=|:)[ \t]*)"
    r"(?:(\\?[\"'])(.{1,512}?)\2|([^\s\"'<>\\]{1,512}))"
)


def _mask_assignment(match: re.Match[str]) -> str:
    key, quote, quoted, bare = match.group(1), match.group(2), match.group(3), match.group(4)
    value = quoted if quote else bare
    if value == REDACTED:
        return match.group(0)
    return f"{key}{quote}{REDACTED}{quote}" if quote else f"{key}{REDACTED}"


def redact(text: str) -> str:
    """`text` with credential-looking substrings replaced by `[REDACTED]`; idempotent."""
    if not text:
        return text
    text = _PEM_PRIVATE_KEY.sub(REDACTED, text)
    text = _URL_CREDENTIALS.sub(rf"\1{REDACTED}\2", text)
    text = _SLACK_WEBHOOK.sub(rf"\1{REDACTED}", text)
    text = _TOKENS.sub(REDACTED, text)
    text = _AUTH_HEADER.sub(lambda m: m.group(0) if m.group(0).endswith(REDACTED) else m.group(1) + REDACTED, text)
    text = _BEARER.sub(rf"\1{REDACTED}", text)
    return _ASSIGNMENT.sub(_mask_assignment, text)
