"""The command line end to end, as a user runs it: exit codes, one-line errors, nothing partial written."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from evaluator import schemas
from tests.conftest import COMMIT, PYTEST_JUNIT


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `readiness ARGS` in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "evaluator.cli", *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )


def one_line_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """Assert exit 2 with a single error line containing every fragment and no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A folder with keys and an item, made through the CLI."""
    assert run("keygen", "--out", "ci", cwd=tmp_path).returncode == 0
    assert run("keygen", "--out", "qa", "--algorithm", "ecdsa-p256", cwd=tmp_path).returncode == 0
    proc = run(
        "collect", str(PYTEST_JUNIT), "--id", "tests-unit", "--environment", "staging", "-o", "item.json", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    return tmp_path


def bundle_and_sign(work: Path) -> None:
    proc = run(
        "bundle",
        "item.json",
        "--service",
        "checkout",
        "--version",
        "1.42.0",
        "--commit",
        COMMIT,
        "--tier",
        "critical",
        "-o",
        "statement.json",
        cwd=work,
    )
    assert proc.returncode == 0, proc.stderr
    assert run("sign", "statement.json", "--key", "ci.key", "-o", "envelope.json", cwd=work).returncode == 0


def test_pipeline_collect_bundle_sign_cosign_verify(work):
    bundle_and_sign(work)
    proc = run("sign", "envelope.json", "--key", "qa.key", "-o", "envelope.json", cwd=work)
    assert proc.returncode == 0, proc.stderr
    proc = run("verify", "envelope.json", "--key", "ci.pub", "--key", "qa.pub", "--commit", COMMIT, cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("verified: envelope.json: checkout 1.42.0")
    assert "signed by ci, qa (2 of 2 required)" in proc.stdout


def test_verify_failure_exits_3_with_one_line_per_failure(work):
    bundle_and_sign(work)
    proc = run("verify", "envelope.json", "--key", "ci.pub", "--commit", "0" * 40, cwd=work)
    assert proc.returncode == 3
    assert f"  FAIL subject: commit is '{COMMIT}', expected '{'0' * 40}'" in proc.stdout.splitlines()
    proc = run("verify", "envelope.json", "--key", "ci.pub", "--key", "qa.pub", cwd=work)
    assert proc.returncode == 3 and "FAIL signatures: 1 of 2" in proc.stdout


def test_verify_json_output(work):
    bundle_and_sign(work)
    for keys, code in ((["--key", "ci.pub"], 0), (["--key", "qa.pub"], 3)):
        proc = run("verify", "envelope.json", *keys, "--format", "json", cwd=work)
        assert proc.returncode == code
        result = json.loads(proc.stdout)
        assert schemas.problems(schemas.VERIFICATION_RESULT, result) == []
        assert result["verified"] is (code == 0)


def test_verify_with_a_trust_policy_file(work):
    bundle_and_sign(work)
    (work / "trust.yaml").write_text(
        "keys:\n  - name: ci-release\n    public_key: ci.pub\n    valid_from: 2020-01-01T00:00:00Z\n"
        "threshold: 1\nrequire: [tests, load]\nmax_age: {tests: 3650d}\nsubject: {service: checkout}\n"
    )
    proc = run("verify", "envelope.json", "--trust", "trust.yaml", cwd=work)
    assert proc.returncode == 3
    assert proc.stdout.splitlines()[1:] == [
        "  FAIL required-kinds: required evidence kind 'load' is missing (present: tests)"
    ]


def test_keygen_writes_private_key_0600_and_refuses_to_overwrite(tmp_path):
    proc = run("keygen", "--out", "k", "--algorithm", "rsa", cwd=tmp_path)
    assert proc.returncode == 0
    assert stat.S_IMODE((tmp_path / "k.key").stat().st_mode) == 0o600
    assert b"BEGIN PRIVATE KEY" in (tmp_path / "k.key").read_bytes()
    assert b"BEGIN PUBLIC KEY" in (tmp_path / "k.pub").read_bytes()
    before = (tmp_path / "k.key").read_bytes()
    one_line_error(run("keygen", "--out", "k", cwd=tmp_path), "k.key", "already exists")
    assert (tmp_path / "k.key").read_bytes() == before


def test_encrypted_key_passphrase_from_environment(work):
    env = {"RELEASE_KEY_PASS": "correct horse battery staple"}
    assert run("keygen", "--out", "enc", "--passphrase-env", "RELEASE_KEY_PASS", cwd=work, env=env).returncode == 0
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in (work / "enc.key").read_bytes()
    proc = run(
        "bundle",
        "item.json",
        "--service",
        "checkout",
        "--version",
        "1",
        "--commit",
        COMMIT,
        "-o",
        "statement.json",
        cwd=work,
    )
    assert proc.returncode == 0
    proc = run(
        "sign",
        "statement.json",
        "--key",
        "enc.key",
        "--passphrase-env",
        "RELEASE_KEY_PASS",
        "-o",
        "env.json",
        cwd=work,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert run("verify", "env.json", "--key", "enc.pub", cwd=work).returncode == 0


def test_wrong_passphrase_is_one_line_and_writes_nothing(work):
    env = {"P": "right"}
    assert run("keygen", "--out", "enc", "--passphrase-env", "P", cwd=work, env=env).returncode == 0
    run("bundle", "item.json", "--service", "checkout", "--version", "1", "--commit", COMMIT, "-o", "st.json", cwd=work)
    proc = run(
        "sign", "st.json", "--key", "enc.key", "--passphrase-env", "P", "-o", "env.json", cwd=work, env={"P": "wrong"}
    )
    one_line_error(proc, "enc.key", "wrong passphrase")
    assert not (work / "env.json").exists()
    proc = run("sign", "st.json", "--key", "enc.key", "-o", "env.json", cwd=work)
    one_line_error(proc, "enc.key", "encrypted", "--passphrase-env")
    proc = run("sign", "st.json", "--key", "enc.key", "--passphrase-env", "UNSET_VAR_X", cwd=work)
    one_line_error(proc, "UNSET_VAR_X", "not set")


def test_malformed_json_names_file_line_and_column_and_writes_nothing(work):
    (work / "broken.json").write_text('{\n  "id": "x",\n  "kind": tests\n}\n')
    proc = run(
        "bundle", "broken.json", "--service", "s", "--version", "1", "--commit", COMMIT, "-o", "out.json", cwd=work
    )
    one_line_error(proc, "broken.json:3:11: malformed JSON")
    assert not (work / "out.json").exists()
    assert [p.name for p in work.iterdir() if p.name.startswith(".out.json")] == []


def test_malformed_yaml_trust_policy_names_line(work):
    bundle_and_sign(work)
    (work / "trust.yaml").write_text("keys:\n  - name: ci\n    public_key: [unclosed\nthreshold: 1\n")
    one_line_error(run("verify", "envelope.json", "--trust", "trust.yaml", cwd=work), "trust.yaml:", "malformed YAML")
    (work / "trust.yaml").write_text("keys:\n  - name: ci\n    public_key: ci.pub\nthreshold: 3\n")
    one_line_error(run("verify", "envelope.json", "--trust", "trust.yaml", cwd=work), "trust.yaml", "threshold")
    (work / "trust.yaml").write_text("keys:\n  - name: ci\n    public_key: missing.pub\n")
    one_line_error(run("verify", "envelope.json", "--trust", "trust.yaml", cwd=work), "missing.pub", "not found")


def test_missing_files(work):
    one_line_error(run("verify", "nope.json", "--key", "ci.pub", cwd=work), "nope.json", "not found")
    one_line_error(run("collect", "nope.xml", cwd=work), "nope.xml", "not found")
    one_line_error(
        run("bundle", "nope.json", "--service", "s", "--version", "1", "--commit", COMMIT, cwd=work),
        "nope.json",
        "not found",
    )
    one_line_error(run("sign", "item.json", "--key", "nope.key", cwd=work), "nope.key", "not found")


def test_files_of_the_wrong_kind(work):
    bundle_and_sign(work)
    one_line_error(run("verify", "statement.json", "--key", "ci.pub", cwd=work), "statement.json", "unsigned statement")
    one_line_error(run("verify", "item.json", "--key", "ci.pub", cwd=work), "item.json", "evidence item")
    one_line_error(
        run("bundle", "envelope.json", "--service", "s", "--version", "1", "--commit", COMMIT, cwd=work),
        "envelope.json",
        "not an evidence item",
    )
    one_line_error(run("sign", "item.json", "--key", "ci.key", cwd=work), "item.json", "not an in-toto Statement")
    one_line_error(run("verify", "envelope.json", "--key", "ci.key", cwd=work), "ci.key", "private key")
    one_line_error(run("sign", "statement.json", "--key", "ci.pub", cwd=work), "ci.pub", "public key")
    one_line_error(run("collect", "ci.pub", cwd=work), "ci.pub", "format not recognised")


def test_usage_errors(work):
    bundle_and_sign(work)
    one_line_error(run("verify", "envelope.json", cwd=work), "--trust", "--key")
    one_line_error(run("bundle", "item.json", "--service", "s", "--version", "1", cwd=work), "--commit")
    one_line_error(
        run("bundle", "item.json", "item.json", "--service", "s", "--version", "1", "--commit", COMMIT, cwd=work),
        "share the id",
    )
    one_line_error(run("collect", str(PYTEST_JUNIT), "--format", "nope", cwd=work), "unknown format 'nope'")
    one_line_error(run("verify", "envelope.json", "--key", "ci.pub", "--at", "yesterday", cwd=work), "--at")


def test_collect_list_shows_formats(tmp_path):
    proc = run("collect", "--list", cwd=tmp_path)
    assert proc.returncode == 0
    assert any(line.startswith("junit-xml ") and "tests/v1" in line for line in proc.stdout.splitlines())
