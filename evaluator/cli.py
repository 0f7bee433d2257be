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


@main.command()
@click.option("--baseline", required=True, type=click.Path(path_type=Path), help="Baseline snapshot: file or folder.")
@click.option("--candidate", required=True, type=click.Path(path_type=Path), help="Candidate snapshot: file or folder.")
@click.option("--baseline-name", default="production", show_default=True, help="Name of the baseline environment.")
@click.option("--candidate-name", default="staging", show_default=True, help="Name of the candidate environment.")
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Allow-rules YAML.",
)
@click.option("--id", "item_id", metavar="ID", help="Item id (default: parity-<candidate name>).")
@click.option("--environment", metavar="ENV", help="Environment the evidence was gathered in.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the item here (default: stdout)."
)
def parity(
    baseline: Path,
    candidate: Path,
    baseline_name: str,
    candidate_name: str,
    rules_path: Path | None,
    item_id: str | None,
    environment: str | None,
    output: Path | None,
) -> None:
    """Compare two environment snapshots (files or folders) into one parity evidence item."""
    from evaluator.fileio import write_output
    from evaluator.parity.run import parity_item

    item = parity_item(
        baseline,
        candidate,
        baseline_name=baseline_name,
        candidate_name=candidate_name,
        rules_path=rules_path,
        item_id=item_id,
        environment=environment,
    )
    write_output(output, _dump(item.to_json_dict()))
    if output is not None:
        data = item.data
        allowed = sum(c["allowed"] for c in data["counts"])
        total = sum(c["total"] for c in data["counts"])
        click.echo(
            f"wrote {output}: parity item {item.id!r}: {data['keys_equal']}/{data['keys_compared']} keys equal "
            f"({data['parity_bp'] / 100:.2f}%), {total} difference(s), {allowed} allowed",
            err=True,
        )


@main.group()
def drill() -> None:
    """Run deployment drills and record them as evidence."""


def _print_phase(phase: Any) -> None:
    """One line per finished drill phase, on standard error."""
    if phase.outcome == "not_started":
        how = phase.error
    elif phase.exit_code is not None:
        how = f"exit {phase.exit_code}"
    else:
        how = f"signal {phase.signal}"
    tries = f", {phase.attempts} check(s)" if phase.name.startswith("health") else ""
    click.echo(f"{phase.name:<22} {phase.outcome:<11} {phase.duration_ms / 1000:8.3f} s  {how}{tries}", err=True)


@drill.command("run")
@click.option("--deploy", required=True, metavar="CMD", help="Deploy command (split into arguments, no shell).")
@click.option("--health", required=True, metavar="CMD", help="Health check, repeated until it exits 0.")
@click.option("--rollback", required=True, metavar="CMD", help="Rollback command; runs even when the deploy failed.")
@click.option(
    "--timeout",
    "timeout_s",
    type=click.IntRange(min=1),
    default=600,
    show_default=True,
    help="Seconds the deploy and the rollback command may each take; then their process group is killed.",
)
@click.option(
    "--health-timeout",
    "health_timeout_s",
    type=click.IntRange(min=1),
    default=120,
    show_default=True,
    help="Seconds each health phase may take in all.",
)
@click.option(
    "--health-interval",
    "health_interval_s",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="Seconds between two health checks.",
)
@click.option("--shell", is_flag=True, help="Run each CMD as a /bin/sh -c script (pipes, &&, variables).")
@click.option("--target", metavar="TEXT", help="What is deployed: a version, an image, a release name.")
@click.option("--id", "item_id", metavar="ID", help="Item id (default: rollout-<target>, or rollout-drill).")
@click.option("--environment", metavar="ENV", help="Environment the drill ran in.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the item here (default: stdout)."
)
def drill_run(
    deploy: str,
    health: str,
    rollback: str,
    timeout_s: int,
    health_timeout_s: int,
    health_interval_s: float,
    shell: bool,
    target: str | None,
    item_id: str | None,
    environment: str | None,
    output: Path | None,
) -> None:
    """Deploy, check health, roll back, check health; one rollout item. Exit 0 when all passed, 1 when not."""
    import signal

    from evaluator.drill import rollout_item
    from evaluator.fileio import write_output

    if output is not None and str(output) != "-":
        folder = output.parent if str(output.parent) else Path(".")
        if not folder.is_dir():
            raise InputError(output, f"cannot write: folder {folder} does not exist")

    def interrupted(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # a cancelled CI job: the running command's process group is killed on the way out

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        item = rollout_item(
            deploy,
            health,
            rollback,
            shell=shell,
            timeout_s=timeout_s,
            health_timeout_s=health_timeout_s,
            health_interval_s=health_interval_s,
            target=target,
            item_id=item_id,
            environment=environment,
            on_phase=_print_phase,
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
    write_output(output, _dump(item.to_json_dict()))
    data = item.data
    spans = (("deploy", "deploy_ms"), ("rollback", "rollback_ms"))
    measured = ", ".join(f"{name} {data[key] / 1000:.3f} s" for name, key in spans if key in data)
    where = f"wrote {output}: " if output is not None and str(output) != "-" else ""
    click.echo(f"{where}rollout item {item.id!r}: {data['outcome']}" + (f" ({measured})" if measured else ""), err=True)
    sys.exit(EXIT_OK if data["outcome"] == "succeeded" else EXIT_NO_GO)


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


def _evaluation_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `evaluate` and `gate` share."""
    options = [
        click.argument("bundle", type=click.Path(path_type=Path, dir_okay=False)),
        click.option(
            "--policy",
            "policy_dir",
            required=True,
            type=click.Path(path_type=Path),
            help="Policy directory (Rego + data/*.yaml).",
        ),
        click.option("--trust", type=click.Path(path_type=Path, dir_okay=False), help="Trust policy YAML."),
        click.option(
            "--key",
            "keys",
            multiple=True,
            type=click.Path(path_type=Path, dir_okay=False),
            help="Trusted public key (repeatable), instead of --trust.",
        ),
        click.option("--threshold", type=click.IntRange(min=1), help="With --key: how many keys must have signed."),
        click.option(
            "--data",
            "data_files",
            multiple=True,
            type=click.Path(path_type=Path, dir_okay=False),
            help="Extra data file merged under data.readiness (repeatable; later files win).",
        ),
        click.option(
            "--waivers", "waivers_path", type=click.Path(path_type=Path, dir_okay=False), help="Waivers YAML."
        ),
        click.option(
            "--max-waiver-days",
            type=click.IntRange(min=1),
            default=90,
            show_default=True,
            help="Longest term a waiver may have.",
        ),
        click.option("--engine", type=click.Choice(["embedded", "opa"]), default="embedded", show_default=True),
        click.option(
            "--format",
            "formats",
            multiple=True,
            metavar="NAME[=PATH]",
            help="Report format, to stdout or PATH (repeatable): terminal, json, markdown, junit.",
        ),
        click.option(
            "--allow-unsigned",
            is_flag=True,
            help="Policy development only: evaluate without checking signatures (UNVERIFIED, always no-go).",
        ),
        click.option(
            "--blocking-severity",
            type=click.Choice(["critical", "high", "medium", "low", "info"]),
            default="high",
            show_default=True,
            help="Criteria at or above it block on fail/insufficient/error.",
        ),
        click.option("--at", "at", metavar="TIME", help="Evaluate as of this RFC 3339 time (audits)."),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1),
            default=300.0,
            show_default=True,
            help="Seconds before unanswered policy queries become errors.",
        ),
        click.option("--service", help="Expected service."),
        click.option("--commit", help="Expected git commit id."),
        click.option("--artifact-digest", help="Expected artifact digest, sha256:<hex>."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _parse_formats(formats: tuple[str, ...]) -> list[tuple[str, Path | None]]:
    from evaluator.report import get_format

    parsed: list[tuple[str, Path | None]] = []
    for text in formats or ("terminal",):
        name, _, target = text.partition("=")
        get_format(name)
        parsed.append((name, Path(target) if target and target != "-" else None))
    if sum(1 for _, target in parsed if target is None) > 1:
        raise UsageError("only one --format may go to standard output; give the others a =PATH")
    return parsed


def _run_evaluation(**options: Any) -> Any:
    """Verify (or, with --allow-unsigned, inspect) the bundle, evaluate it, write the reports; the Report."""
    from evaluator.bundle.verify import verify_envelope, verify_unsigned
    from evaluator.evaluate import Options, evaluate
    from evaluator.fileio import read_bytes, sha256_file, write_output
    from evaluator.policy.loader import load_policies
    from evaluator.report import get_format
    from evaluator.report.interface import InputDigest
    from evaluator.timeutil import utcnow
    from evaluator.waivers import load_waivers

    formats = _parse_formats(options["formats"])
    at = _parse_at(options["at"]) or utcnow()
    policy_set = load_policies(options["policy_dir"], tuple(options["data_files"]))
    bundle_path: Path = options["bundle"]
    data = read_bytes(bundle_path, "bundle")
    expected = {k: options[k] for k in ("service", "commit", "artifact_digest")}
    unsigned = options["allow_unsigned"]
    if unsigned:
        policy = None
        if options["trust"] or options["keys"]:
            policy = trust_policy_from_options(options["trust"], options["keys"], options["threshold"])
            policy = policy.with_subject(**expected)
        subject = policy.subject if policy else {k: v for k, v in expected.items() if v}
        verification = verify_unsigned(
            data, str(bundle_path), policy.require if policy else (), policy.max_age if policy else {}, subject, at
        )
    else:
        policy = trust_policy_from_options(options["trust"], options["keys"], options["threshold"])
        verification = verify_envelope(data, policy.with_subject(**expected), str(bundle_path), at)
    if verification.statement is None or verification.status["subject"] == "fail":
        _print_verification(verification)
        sys.exit(EXIT_VERIFY)
    waivers = waivers_digest = None
    if options["waivers_path"]:
        waivers = load_waivers(options["waivers_path"], at.date(), options["max_waiver_days"])
        waivers_digest = InputDigest(str(options["waivers_path"]), sha256_file(options["waivers_path"]))
    report = evaluate(
        verification,
        policy_set,
        InputDigest(str(bundle_path), verification.envelope_sha256),
        at,
        Options(options["engine"], options["blocking_severity"], options["timeout"]),
        waivers,
        waivers_digest,
        unsigned=unsigned,
    )
    for name, target in formats:
        color = target is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        rendered = get_format(name)().render(report, color=color)
        write_output(target, rendered)
        if target is not None:
            click.echo(f"wrote {name} report to {target}", err=True)
    return report


@main.command()
@_evaluation_options
def evaluate(**options: Any) -> None:
    """Verify a bundle and evaluate it with a policy directory; reports the decision (exit 0 once reported)."""
    _run_evaluation(**options)


@main.command()
@_evaluation_options
def gate(**options: Any) -> None:
    """Like evaluate, as a CI gate: exit 0 for go, 1 for no-go (3 when verification fails, 2 on bad input)."""
    report = _run_evaluation(**options)
    sys.exit(EXIT_OK if report.decision.go else EXIT_NO_GO)


@main.group()
def policy() -> None:
    """Work on policies: run their tests."""


@policy.command("test")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--engine", type=click.Choice(["embedded", "opa"]), default="embedded", show_default=True)
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    default=0.0,
    show_default=True,
    help="Fail when line coverage of the non-test policy files is below this percentage.",
)
@click.option(
    "--data",
    "data_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Extra data file merged under data.readiness.",
)
@click.option("-v", "--verbose", is_flag=True, help="List passing tests too.")
def policy_test(directory: Path, engine: str, min_coverage: float, data_files: tuple[Path, ...], verbose: bool) -> None:
    """Run the test_* rules of every *_test.rego file in DIRECTORY; exit 1 on a failure or low coverage."""
    from evaluator.policy.loader import load_policies
    from evaluator.policy.testing import run_policy_tests

    run = run_policy_tests(load_policies(directory, data_files), engine)
    for outcome in run.outcomes:
        if not outcome.passed:
            click.echo(f"FAIL {outcome.name} ({outcome.file}): {outcome.detail}")
        elif verbose:
            click.echo(f"PASS {outcome.name}")
    for path, lines in run.uncovered.items():
        click.echo(f"uncovered {path}: lines {_ranges(lines)}")
    passed = len(run.outcomes) - run.failed
    click.echo(
        f"policy tests: {passed} passed, {run.failed} failed; coverage {run.coverage:.1f}% "
        f"({run.covered_lines}/{run.total_lines} lines) on {engine}"
    )
    if run.coverage < min_coverage:
        click.echo(f"coverage {run.coverage:.1f}% is below --min-coverage {min_coverage:g}%")
    sys.exit(EXIT_NO_GO if run.failed or run.coverage < min_coverage else EXIT_OK)


def _ranges(lines: list[int]) -> str:
    spans: list[str] = []
    start = previous = lines[0]
    for line in [*lines[1:], None]:
        if line is not None and line == previous + 1:
            previous = line
            continue
        spans.append(f"{start}-{previous}" if previous != start else str(start))
        if line is not None:
            start = previous = line
    return ", ".join(spans)


if __name__ == "__main__":  # pragma: no cover
    main()
