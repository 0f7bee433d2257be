"""The `readiness` command line: parse arguments, call the library, map errors to exit codes."""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import msgspec

from evaluator import __version__
from evaluator.errors import InputError, ReadinessError, UsageError

EXIT_OK = 0
EXIT_NO_GO = 1
EXIT_INPUT = 2
EXIT_VERIFY = 3


def _dump(document: Any) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def _passphrase_source(env_var: str | None, prompt: bool, confirm: bool = False) -> Callable[[], str | None]:
    """Where a passphrase comes from: an environment variable, a prompt, or (on a terminal) a prompt on demand."""

    def source() -> str | None:
        if env_var:
            if env_var not in os.environ:
                raise UsageError(f"--passphrase-env: environment variable {env_var} is not set")
            if not os.environ[env_var]:
                raise UsageError(f"--passphrase-env: environment variable {env_var} is empty")
            return os.environ[env_var]
        if prompt or sys.stdin.isatty():
            return click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm, err=True)
        return None

    return source


def _parse_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    from evaluator.timeutil import parse_time

    try:
        return parse_time(value)
    except ValueError as exc:
        raise UsageError(f"--at: {exc}") from None


class _Group(click.Group):
    """Renders every ReadinessError as one line with its exit code; a traceback only with --debug."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReadinessError as exc:
            if ctx.meta.get("readiness.debug"):
                traceback.print_exc()
            click.echo(f"readiness: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if ctx.meta.get("readiness.debug"):
                traceback.print_exc()
            click.echo(f"readiness: internal error: {type(exc).__name__}: {exc} (rerun with --debug)", err=True)
            ctx.exit(EXIT_INPUT)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="readiness")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Turn release evidence into a signed bundle, verify it, and decide go / no-go."""
    ctx.meta["readiness.debug"] = debug


@main.command()
@click.option("--out", "prefix", required=True, help="Writes PREFIX.key (private, 0600) and PREFIX.pub.")
@click.option("--algorithm", type=click.Choice(["ed25519", "ecdsa-p256", "rsa"]), default="ed25519", show_default=True)
@click.option("--passphrase-env", metavar="VAR", help="Encrypt the private key with the passphrase in $VAR.")
@click.option("--passphrase-prompt", is_flag=True, help="Encrypt the private key with a passphrase typed at a prompt.")
@click.option("--force", is_flag=True, help="Overwrite existing key files.")
def keygen(prefix: str, algorithm: str, passphrase_env: str | None, passphrase_prompt: bool, force: bool) -> None:
    """Generate a signing key pair."""
    from evaluator.bundle.keys import generate
    from evaluator.fileio import write_atomic

    if passphrase_env and passphrase_prompt:
        raise UsageError("use --passphrase-env or --passphrase-prompt, not both")
    private_path, public_path = Path(f"{prefix}.key"), Path(f"{prefix}.pub")
    for path in (private_path, public_path):
        if path.exists() and not force:
            raise InputError(path, "already exists (use --force to overwrite)")
    passphrase = None
    if passphrase_env or passphrase_prompt:
        passphrase = _passphrase_source(passphrase_env, passphrase_prompt, confirm=True)()
    pair = generate(algorithm, passphrase)
    try:
        write_atomic(private_path, pair.private_pem, mode=0o600)
        write_atomic(public_path, pair.public_pem, mode=0o644)
    except OSError as exc:
        raise InputError(prefix, f"cannot write key files: {exc.strerror or exc}") from None
    state = "encrypted" if passphrase else "unencrypted"
    click.echo(f"wrote {private_path} ({algorithm}, {state}, mode 0600) and {public_path}")
    click.echo(f"keyid {pair.keyid}")


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "format_name", metavar="NAME", help="Source format; detected from the content when omitted.")
@click.option("--id", "item_id", metavar="ID", help="Item id (default: <kind>-<file name>).")
@click.option("--environment", metavar="ENV", help="Environment the evidence was gathered in.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the item here (default: stdout)."
)
@click.option("--list", "list_formats", is_flag=True, help="List the formats and exit.")
def collect(
    file: Path | None,
    format_name: str | None,
    item_id: str | None,
    environment: str | None,
    output: Path | None,
    list_formats: bool,
) -> None:
    """Read one tool output FILE into one evidence item."""
    from evaluator import collectors
    from evaluator.fileio import write_output

    if list_formats:
        width = max(len(c.format) for c in collectors.COLLECTORS)
        for collector in collectors.COLLECTORS:
            click.echo(f"{collector.format:<{width}}  {collector.schema:<10}  {collector.description}")
        return
    if file is None:
        raise UsageError("collect needs a FILE (or --list)")
    item = collectors.collect(file, format_name, item_id, environment)
    write_output(output, _dump(item.to_json_dict()))
    if output is not None:
        click.echo(f"wrote {output}: {item.kind} item {item.id!r} from {item.source.format}", err=True)


def _load_item(path: Path) -> dict[str, Any]:
    from evaluator.evidence import item_problems
    from evaluator.fileio import load_json

    document = load_json(path, "evidence item")
    if not isinstance(document, dict) or "kind" not in document or "data" not in document:
        raise InputError(path, "not an evidence item (make one with `readiness collect`)")
    found = item_problems(document)
    if found:
        raise InputError(path, f"invalid evidence item at {found[0]}")
    return document


@main.command()
@click.argument("items", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--service", required=True, help="Service name (the in-toto subject).")
@click.option("--version", "release_version", required=True, help="Release version.")
@click.option("--commit", help="Full git commit id of the release.")
@click.option("--artifact-digest", help="Artifact digest, sha256:<hex>.")
@click.option("--environment", help="Environment the evidence was gathered in.")
@click.option("--target-environment", help="Environment the release is going to.")
@click.option("--tier", help="Service tier (selects thresholds).")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the statement here (default: stdout).",
)
def bundle(
    items: tuple[Path, ...],
    service: str,
    release_version: str,
    commit: str | None,
    artifact_digest: str | None,
    environment: str | None,
    target_environment: str | None,
    tier: str | None,
    output: Path | None,
) -> None:
    """Assemble evidence ITEMS into an in-toto Statement about one release."""
    from evaluator.bundle.statement import Release, build_statement
    from evaluator.fileio import write_output

    release = Release(service, release_version, commit, artifact_digest, environment, target_environment, tier)
    release.check()
    statement = build_statement([_load_item(p) for p in items], release)
    write_output(output, _dump(statement))
    if output is not None:
        click.echo(f"wrote {output}: {len(items)} item(s) about {service} {release_version}", err=True)


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--key", "key_ref", required=True, help="Private key file (PEM) or a securesystemslib key URI.")
@click.option("--public-key", type=click.Path(path_type=Path, dir_okay=False), help="Public key matching a key URI.")
@click.option("--passphrase-env", metavar="VAR", help="Read the key's passphrase from $VAR.")
@click.option("--passphrase-prompt", is_flag=True, help="Ask for the key's passphrase.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the envelope here (default: stdout)."
)
def sign(
    file: Path,
    key_ref: str,
    public_key: Path | None,
    passphrase_env: str | None,
    passphrase_prompt: bool,
    output: Path | None,
) -> None:
    """Sign a statement into a DSSE envelope, or add a signature to an envelope FILE."""
    from evaluator.bundle.keys import load_signer
    from evaluator.bundle.sign import sign_document
    from evaluator.fileio import read_bytes, write_output

    if passphrase_env and passphrase_prompt:
        raise UsageError("use --passphrase-env or --passphrase-prompt, not both")
    data = read_bytes(file, "statement or envelope")
    signer = load_signer(key_ref, _passphrase_source(passphrase_env, passphrase_prompt), public_key)
    envelope, keyid = sign_document(data, signer, str(file))
    write_output(output, envelope)
    if output is not None:
        click.echo(f"wrote {output}: signed with keyid {keyid}", err=True)


def trust_policy_from_options(trust: Path | None, keys: tuple[Path, ...], threshold: int | None) -> Any:
    """The trust policy named by --trust, or made of --key files; exactly one of the two."""
    from evaluator.bundle.trust import load_trust_policy, policy_from_keys

    if trust and keys:
        raise UsageError("use --trust or --key, not both")
    if not trust and not keys:
        raise UsageError("verification needs --trust TRUST.yaml or --key PUB.pem")
    if trust:
        if threshold is not None:
            raise UsageError("--threshold goes with --key; a trust policy file sets its own threshold")
        return load_trust_policy(trust)
    return policy_from_keys([str(k) for k in keys], threshold)


@main.command()
@click.argument("envelope", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--trust", type=click.Path(path_type=Path, dir_okay=False), help="Trust policy YAML.")
@click.option(
    "--key",
    "keys",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Trusted public key (repeatable); all must have signed unless --threshold says fewer.",
)
@click.option("--threshold", type=click.IntRange(min=1), help="With --key: how many of the keys must have signed.")
@click.option("--service", help="Expected service.")
@click.option("--commit", help="Expected git commit id.")
@click.option("--artifact-digest", help="Expected artifact digest, sha256:<hex>.")
@click.option("--at", "at", metavar="TIME", help="Judge key windows and freshness at this RFC 3339 time (audits).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify(
    envelope: Path,
    trust: Path | None,
    keys: tuple[Path, ...],
    threshold: int | None,
    service: str | None,
    commit: str | None,
    artifact_digest: str | None,
    at: str | None,
    output_format: str,
) -> None:
    """Verify a signed bundle: signatures, digests, schemas, freshness and subject. Exit 3 when it fails."""
    from evaluator.bundle.verify import verify_envelope
    from evaluator.fileio import read_bytes

    policy = trust_policy_from_options(trust, keys, threshold).with_subject(
        service=service, commit=commit, artifact_digest=artifact_digest
    )
    data = read_bytes(envelope, "envelope")
    result = verify_envelope(data, policy, str(envelope), _parse_at(at))
    if output_format == "json":
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(result.to_json()), indent=2) + b"\n")
    else:
        _print_verification(result)
    sys.exit(EXIT_OK if result.ok else EXIT_VERIFY)


def _print_verification(result: Any) -> None:
    from evaluator.timeutil import format_time

    if result.ok:
        statement = result.statement
        predicate = statement["predicate"]
        digest = statement["subject"][0]["digest"]
        bound = ", ".join(f"{k} {v[:12]}" for k, v in sorted(digest.items()))
        kinds = sorted({i.kind for i in result.items})
        click.echo(
            f"verified: {result.source}: {predicate['service']} {predicate['version']} ({bound}); "
            f"signed by {', '.join(result.signers)} ({len(result.signers)} of {result.threshold} required); "
            f"{len(result.items)} item(s): {', '.join(kinds)}; checked at {format_time(result.reference_time)}"
        )
        return
    click.echo(f"verification failed: {result.source}")
    for failure in result.failures:
        click.echo(f"  FAIL {failure}")
    skipped = [c for c, s in result.status.items() if s == "not-run"]
    if skipped:
        click.echo(f"  not run: {', '.join(skipped)}")


if __name__ == "__main__":  # pragma: no cover
    main()
