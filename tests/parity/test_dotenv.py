"""dotenv source: syntax, reordering, differences, secrets and every failure path with its message."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evaluator.errors import InputError
from evaluator.parity.compare import align_single_files, compare
from evaluator.parity.snapshot import Leaf, SecretHasher
from evaluator.parity.sources import detect_source, load_snapshot
from evaluator.parity.sources.dotenv import DotenvSource, is_dotenv_name, parse_dotenv

DATA = Path(__file__).parent.parent / "data" / "parity" / "dotenv"
CANARIES = ("CANARY-dotenv-prod-pass-41ab", "CANARY-dotenv-url-77aa", "CANARY-dotenv-staging-pass-90cd")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def read(path: Path, hasher: SecretHasher, relative: str = "app.env") -> dict[str, Leaf]:
    """The fields of one dotenv file read under the name `relative`."""
    objects = DotenvSource().read(path, relative, hasher)
    assert list(objects) == [relative]
    return objects[relative]


def test_production_file_values() -> None:
    hasher = SecretHasher()
    fields = read(DATA / "production.env", hasher)
    assert fields == {
        "LOG_LEVEL": Leaf("error", "config"),  # assigned twice: the last value wins
        "DATABASE_HOST": Leaf("db.prod.internal", "config"),
        "DATABASE_PASSWORD": Leaf(hasher.digest("CANARY-dotenv-prod-pass-41ab"), "secret"),
        "GREETING": Leaf('Hello\n"world"', "config"),
        "LITERAL": Leaf("single $HOME \\n stays", "config"),
        "FEATURE_FLAGS": Leaf("a,b,c", "config"),
        "EMPTY": Leaf("", "config"),
        "UPSTREAM_URL": Leaf(hasher.digest("https://cart:CANARY-dotenv-url-77aa@api.example/v1"), "secret"),
        "REPLICAS": Leaf("3", "config"),
        "CA_BUNDLE": Leaf(
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUexample\n-----END CERTIFICATE-----", "config"
        ),
    }


def test_reordered_keys_comments_and_quoting_give_the_same_snapshot() -> None:
    hasher = SecretHasher()
    assert read(DATA / "production-reordered.env", hasher) == read(DATA / "production.env", hasher)


def test_staging_differs_where_values_differ_and_secrets_stay_hidden() -> None:
    hasher = SecretHasher()
    prod = load_snapshot(DATA / "production.env", hasher)
    staging = load_snapshot(DATA / "staging.env", hasher)
    assert prod.source == staging.source == "dotenv"
    assert list(prod.objects) == ["production.env"]
    align_single_files(prod, staging)
    parity = compare(prod, staging, None, ("production", "staging"), NOW)
    found = {d.field: d for d in parity.differences}
    assert set(found) == {"LOG_LEVEL", "DATABASE_HOST", "DATABASE_PASSWORD", "FEATURE_FLAGS", "REPLICAS"}
    assert (found["LOG_LEVEL"].baseline, found["LOG_LEVEL"].candidate) == ("error", "debug")
    assert found["DATABASE_PASSWORD"].category == "secret"
    assert found["DATABASE_PASSWORD"].secret == "differs"
    assert found["REPLICAS"].category == "missing"
    text = json.dumps(parity.model_dump(mode="json")) + repr(prod) + repr(staging)
    for canary in CANARIES:
        assert canary not in text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (".env", True),
        ("production.env", True),
        (".env.staging", True),
        (".env.local.example", True),
        ("PROD.ENV", True),
        (".env.json", False),
        (".env.yaml", False),
        (".envrc", False),
        ("env", False),
        (".env-backup", False),
        ("environment.yaml", False),
    ],
)
def test_detect_by_name(name: str, expected: bool) -> None:
    assert is_dotenv_name(name) is expected
    assert DotenvSource.detect(Path(name), b"") is expected


def test_hidden_dotenv_file_given_directly(tmp_path: Path) -> None:
    path = tmp_path / ".env.staging"
    path.write_text("API_KEY=abc\nMODE=fast\n")
    hasher = SecretHasher()
    assert detect_source(path) is DotenvSource
    snapshot = load_snapshot(path, hasher)
    assert snapshot.objects == {".env.staging": {"API_KEY": hasher.leaf("abc"), "MODE": Leaf("fast", "config")}}


def test_dotenv_files_in_a_directory_are_read_though_hidden(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / ".env").write_text("MODE=fast\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.env").write_text("IGNORED=1\n")
    (tmp_path / ".hidden.yaml").write_text("ignored: true\n")
    snapshot = load_snapshot(tmp_path, SecretHasher())
    assert snapshot.objects == {"app/.env": {"MODE": Leaf("fast", "config")}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A=1\r\nB=2\r\n", {"A": "1", "B": "2"}),
        ("\ufeffA=1\n", {"A": "1"}),
        ("  export   A = spaced value  \n", {"A": "spaced value"}),
        ("A=x#not-a-comment\n", {"A": "x#not-a-comment"}),
        ("A='it''s'\n", None),
        ('A="tab\\there" # comment\n', {"A": "tab\there"}),
        ('A="keep \\q and \\$HOME"\n', {"A": "keep \\q and $HOME"}),
        ("A=${OTHER}/path\n", {"A": "${OTHER}/path"}),
        ("dotted.key-name=1\n", {"dotted.key-name": "1"}),
        ("   # indented comment\n\n\t\nA=1", {"A": "1"}),
        ("", {}),
    ],
)
def test_syntax(text: str, expected: dict[str, str] | None) -> None:
    if expected is None:
        with pytest.raises(InputError, match="unexpected text after the closing quote"):
            parse_dotenv(text, "x.env")
    else:
        assert parse_dotenv(text, "x.env") == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"A=1\n# c\nnot an assignment\n", "app.env:3:1: not a KEY=value assignment"),
        (b"A=1\n  KEY value\n", "app.env:2:3: not a KEY=value assignment"),
        (b"1KEY=x\n", "app.env:1:1: not a KEY=value assignment: invalid key '1KEY'"),
        (b"=x\n", "app.env:1:1: not a KEY=value assignment: no key"),
        (b'A=1\nB="open\nC=3\n', "app.env:2:3: unclosed double quote"),
        (b"A='open\n", "app.env:1:3: unclosed single quote"),
        (b"A='x' y\n", "app.env:1:6: unexpected text after the closing quote"),
        (b"A=1\nB=\xff\n", "app.env:2:3: not UTF-8 text"),
    ],
)
def test_failure_paths(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "app.env"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        load_snapshot(path, SecretHasher())
    assert str(caught.value).replace(str(path), "app.env") == message
