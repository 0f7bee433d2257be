"""Loading trust policies: keys by path or inline, windows, thresholds, and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from evaluator.bundle.keys import generate
from evaluator.bundle.trust import load_trust_policy, policy_from_keys
from evaluator.errors import InputError, UsageError


@pytest.fixture
def keys(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.pub").write_bytes(generate("ed25519").public_pem)
    return tmp_path


def write(folder, text):
    path = folder / "trust.yaml"
    path.write_text(text)
    return path


def test_full_policy_with_inline_pem_and_relative_path(keys):
    inline = (keys / "b.pub").read_text().replace("\n", "\n      ")
    policy = load_trust_policy(
        write(
            keys,
            f"""
keys:
  - name: ci
    public_key: a.pub
    valid_from: 2026-01-01T00:00:00Z
    valid_until: 2027-01-01T00:00:00+01:00
  - name: qa
    public_key: |
      {inline}
threshold: 2
require: [tests, load]
max_age: {{tests: 7d, load: 12h}}
subject: {{service: checkout, commit: {"a" * 40}}}
""",
        )
    )
    assert [k.name for k in policy.keys] == ["ci", "qa"]
    assert policy.threshold == 2 and policy.require == ("tests", "load")
    assert policy.max_age == {"tests": timedelta(days=7), "load": timedelta(hours=12)}
    assert policy.keys[0].valid_until.isoformat() == "2026-12-31T23:00:00+00:00"
    assert policy.subject == {"service": "checkout", "commit": "a" * 40}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("keys: []\n", "invalid trust policy"),
        ("keys:\n  - name: ci\n    public_key: a.pub\nthreshold: 2\n", "threshold 2"),
        ("keys:\n  - name: ci\n    public_key: a.pub\n  - name: ci2\n    public_key: a.pub\n", "are the same key"),
        ("keys:\n  - name: ci\n    public_key: a.pub\n  - name: ci\n    public_key: b.pub\n", "named 'ci'"),
        ("keys:\n  - name: ci\n    public_key: a.pub\n    valid_from: 2026-01-01\n", "invalid trust policy"),
        (
            "keys:\n  - name: ci\n    public_key: a.pub\n    valid_from: 2027-01-01T00:00:00Z\n"
            "    valid_until: 2026-01-01T00:00:00Z\n",
            "not after valid_from",
        ),
        ("keys:\n  - name: ci\n    public_key: a.pub\nmax_age: {tests: 7 days}\n", "invalid trust policy"),
        ("keys:\n  - name: ci\n    public_key: a.pub\nsigners: 1\n", "invalid trust policy"),
        ("- just a list\n", "YAML mapping"),
        (
            "keys:\n  - name: ci\n    public_key: |\n      -----BEGIN PUBLIC KEY-----\n      junk\n",
            "not a PEM public key",
        ),
    ],
)
def test_bad_policies_are_one_clear_error(keys, text, message):
    with pytest.raises(InputError, match=message):
        load_trust_policy(write(keys, text))


def test_flags_add_to_the_subject_and_must_not_contradict_it(keys):
    policy = load_trust_policy(write(keys, "keys:\n  - {name: ci, public_key: a.pub}\nsubject: {service: checkout}\n"))
    assert policy.with_subject(commit="b" * 40, service="checkout").subject == {
        "service": "checkout",
        "commit": "b" * 40,
    }
    with pytest.raises(UsageError, match="contradicts"):
        policy.with_subject(service="billing")


def test_keys_from_the_command_line_all_must_sign_by_default(keys):
    policy = policy_from_keys([str(keys / "a.pub"), str(keys / "b.pub")])
    assert policy.threshold == 2 and [k.name for k in policy.keys] == ["a", "b"]
    assert policy_from_keys([str(keys / "a.pub"), str(keys / "b.pub")], threshold=1).threshold == 1
    with pytest.raises(UsageError, match="threshold 3"):
        policy_from_keys([str(keys / "a.pub")], threshold=3)
    with pytest.raises(InputError, match="same key"):
        policy_from_keys([str(keys / "a.pub"), str(keys / "a.pub")])
