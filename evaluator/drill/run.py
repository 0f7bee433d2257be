"""Running a deployment + rollback drill (`readiness drill run`) into one `rollout` evidence item.

Commands. Without `--shell` a command string is split like a POSIX shell would split words (`shlex.split`)
and the argument list runs WITHOUT a shell, so `; rm -rf x` is three more arguments, not a second command.
With `--shell` the string is the script of `/bin/sh -c`. An empty command, unbalanced quotes or a NUL byte
is a UsageError and nothing runs. Each run gets no standard input, its stdout and stderr share one pipe,
and it leads a new session and process group (`start_new_session`), so a time-out can kill it and
everything it started: SIGTERM to the group, `KILL_GRACE_S` seconds for the group to go, then SIGKILL.
A run interrupted by an exception (KeyboardInterrupt) SIGKILLs its group before the exception goes on.

Output. The pipe is read as the command runs; only the last `MAX_OUTPUT_BYTES` bytes are kept and every
byte is counted (`output_bytes`). That window is decoded as UTF-8 with replacement, redacted, and its last
`MAX_TAIL_CHARS` characters become `output_tail` (redacting before cutting, so a cut never splits a secret
into an unrecognisable remainder). A deploy command may start a long-lived service that inherits the pipe:
once the command itself has exited the pipe is read for at most `DRAIN_S` seconds more (or to its end) and
then closed; the command's group is NOT killed after a normal exit (that would kill the deployed service).
A service that keeps writing to the inherited output afterwards gets EPIPE / SIGPIPE, so deploy scripts
should send a service's output to a log file, as daemons do anyway.

Phases, in order: deploy; health_after_deploy only when the deploy exited 0; rollback always (a failed
deploy is when a rollback matters); health_after_rollback only when the rollback exited 0. A health phase
runs its check again and again, each run bounded by what is left of the health time-out, waiting the
health interval between runs, until a run exits 0 (succeeded) or the time-out passes (failed, or
timed_out when the last run was killed); a check that cannot start ends the phase at once (not_started).
Another check starts only while the pause plus twice the slowest check so far still fits in the time-out,
so a phase of quick failing checks ends `failed` with the last check's exit code and output rather than
with a check killed only because the phase ran out of time; a check that hangs is killed (timed_out).
Phase start/end are wall-clock UTC; `duration_ms` comes from a monotonic clock and ends when the command
exited (draining its output is not counted). deploy_ms = deploy + health_after_deploy durations and
rollback_ms = rollback + health_after_rollback durations, each only when the health check passed.

The item: kind `rollout`, schema `rollout/v1`; source tool `readiness` (its version), format `drill-run`,
file "drill run: <deploy command> / <rollback command>" (redacted, cut to 1024 characters), and sha256 =
sha256 of the canonical JSON (keys sorted, no spaces, UTF-8) of {"deploy": [...], "health": [...],
"rollback": [...], "shell": bool, "target": str or null}: the argument lists as stored in the item (secrets
masked), so the digest names exactly the commands recorded and never depends on a secret. observed start /
end = start of the deploy / end of the last phase; collected_at = when the item was made.
Secrets: every stored argument, the target, error messages and output tails pass through
`evaluator.redact.redact`; an argument right after a secret-named flag (`--password VALUE`) is masked whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import selectors
import shlex
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from evaluator.errors import UsageError
from evaluator.evidence import EvidenceItem
from evaluator.evidence.build import own_item
from evaluator.evidence.model import check_item_options
from evaluator.evidence.rollout import MAX_LINE_CHARS, MAX_TAIL_CHARS, Outcome, Phase, PhaseName, PhaseOutcome, Rollout
from evaluator.redact import REDACTED, redact
from evaluator.timeutil import format_time

MAX_OUTPUT_BYTES = 64 * 1024
"""Bytes of a run's output kept in memory (its end); the rest is counted and dropped."""
KILL_GRACE_S = 5.0
"""Seconds a timed-out process group gets between SIGTERM and SIGKILL."""
DRAIN_S = 0.5
"""Seconds the output pipe is still read after the command exited (a service it started may hold the pipe)."""
SHELL = "/bin/sh"
"""The shell that runs --shell scripts."""
DEFAULT_TIMEOUT_S = 600
"""Default time-out of the deploy and the rollback command, in seconds."""
DEFAULT_HEALTH_TIMEOUT_S = 120
"""Default time-out of each health phase (all its checks together), in seconds."""
DEFAULT_HEALTH_INTERVAL_S = 2.0
"""Default pause between two health checks, in seconds."""

_POLL_S = 0.05
_READ_CHUNK = 65536
_MAX_ARGS = 1000
_MAX_FILE = 1024
_MAX_ERROR = 1000
_MAX_TARGET = 512
_SECRET_FLAG_WORD = (
    r"--?[A-Za-z0-9_.-]*"
    r"(?:password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)"
    r"[A-Za-z0-9_.-]*"
)
_SECRET_FLAG = re.compile(rf"(?i){_SECRET_FLAG_WORD}")
# curl/wget-style user:password arguments (`-u admin:pw`, `--user=admin:pw`, `--proxy-user admin:pw`): the
# password after the first colon is masked, the user name kept.
_USER_FLAG = re.compile(r"-u|-U|--user|--proxy-user|--http-user")
_USER_PASSWORD = re.compile(r"(?<!\S)((?:-u|-U|--user|--proxy-user|--http-user)(?:=|[ \t]+)['\"]?[^\s:'\"]*:)[^\s'\"]+")
_SECRET_FLAG_IN_SCRIPT = re.compile(rf"(?i)(?<!\S)({_SECRET_FLAG_WORD}[ \t]+)(?:(['\"])(?:(?!\2).)*\2|[^\s'\"-]\S*)")


@dataclass(frozen=True)
class Command:
    """One command of a drill: the argument list to run and the argument list to store (secrets masked)."""

    argv: tuple[str, ...]
    """What is executed."""
    shown: tuple[str, ...]
    """What the item records: `argv` with secrets masked."""
    shell: bool
    """True when `argv` is `/bin/sh -c SCRIPT`."""


def _mask_argv(argv: list[str]) -> tuple[str, ...]:
    shown: list[str] = []
    for index, arg in enumerate(argv):
        after_secret_flag = index > 0 and _SECRET_FLAG.fullmatch(argv[index - 1]) is not None
        after_user_flag = index > 0 and _USER_FLAG.fullmatch(argv[index - 1]) is not None and ":" in arg
        if after_user_flag:
            arg = arg.split(":", 1)[0] + ":" + REDACTED
        shown.append(REDACTED if after_secret_flag and arg else redact(_USER_PASSWORD.sub(rf"\1{REDACTED}", arg)))
    return tuple(shown)


def _mask_script(script: str) -> str:
    script = _USER_PASSWORD.sub(lambda m: m.group(1) + REDACTED, script)
    return redact(_SECRET_FLAG_IN_SCRIPT.sub(lambda m: m.group(1) + REDACTED, script))


def parse_command(option: str, text: str, shell: bool = False) -> Command:
    """The Command a --deploy/--health/--rollback string stands for; UsageError when it is empty or malformed."""
    if "\0" in text:
        raise UsageError(f"{option}: the command contains a NUL byte")
    if not text.strip():
        raise UsageError(f"{option}: the command is empty")
    if shell:
        return Command((SHELL, "-c", text), (SHELL, "-c", _mask_script(text)), True)
    try:
        argv = shlex.split(text)
    except ValueError as exc:
        raise UsageError(f"{option}: cannot split the command into arguments: {exc} (check the quotes)") from None
    if not argv:
        raise UsageError(f"{option}: the command is empty")
    if len(argv) > _MAX_ARGS:
        raise UsageError(f"{option}: the command has {len(argv)} arguments, at most {_MAX_ARGS} are supported")
    return Command(tuple(argv), _mask_argv(argv), False)


@dataclass(frozen=True)
class _Run:
    """What one run of a command did."""

    outcome: PhaseOutcome
    start: datetime
    end: datetime
    duration_ms: int
    exit_code: int | None = None
    signal: int | None = None
    error: str | None = None
    tail: bytes = b""
    total: int = 0
    ended: float = 0.0


class _Output:
    """The read end of a command's output pipe: keeps the last MAX_OUTPUT_BYTES bytes and counts them all."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.tail = bytearray()
        self.total = 0
        self.eof = False

    def read(self) -> None:
        """Read one chunk (the pipe is readable); notes the end of the output."""
        try:
            data = os.read(self.fd, _READ_CHUNK)
        except OSError:
            data = b""
        if not data:
            self.eof = True
            return
        self.total += len(data)
        self.tail += data
        if len(self.tail) > MAX_OUTPUT_BYTES:
            del self.tail[:-MAX_OUTPUT_BYTES]


def _now() -> datetime:
    return datetime.now(UTC)


def _ms(seconds: float) -> int:
    return max(0, int(seconds * 1000))


def _one_line(text: str) -> str:
    line = " ".join(redact(text).split())
    return line if len(line) <= _MAX_ERROR else line[: _MAX_ERROR - 1] + "…"


def _start_error(command: Command, exc: OSError) -> str:
    program = command.shown[0]
    reason = exc.strerror or str(exc) or type(exc).__name__
    if isinstance(exc, FileNotFoundError):
        reason = "command not found" if os.sep not in command.argv[0] else "no such file"
    elif isinstance(exc, PermissionError):
        reason = "not executable (permission denied)"
    return _one_line(f"cannot start {program}: {reason}")


def _group_alive(pgid: int) -> bool:
    """True while some process of the group is still running (zombies waiting to be reaped do not count)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) >= 3 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _pidfd(pid: int) -> int | None:
    """A descriptor that becomes readable when the process exits (Linux), or None where there is none."""
    opener = getattr(os, "pidfd_open", None)
    if opener is None:
        return None
    try:
        return int(opener(pid))
    except OSError:
        return None


def _run(command: Command, timeout_s: float, env: Mapping[str, str] | None) -> _Run:
    """Run a command once, bounded by `timeout_s`; at the time-out its process group is terminated, then killed."""
    start, t0 = _now(), time.monotonic()
    try:
        proc = subprocess.Popen(
            list(command.argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=dict(env) if env is not None else None,
            bufsize=0,
        )
    except OSError as exc:
        t1 = time.monotonic()
        return _Run("not_started", start, _now(), _ms(t1 - t0), error=_start_error(command, exc), ended=t1)
    assert proc.stdout is not None
    output = _Output(proc.stdout.fileno())
    selector = selectors.DefaultSelector()
    selector.register(output.fd, selectors.EVENT_READ, "output")
    pidfd = _pidfd(proc.pid)
    if pidfd is not None:
        selector.register(pidfd, selectors.EVENT_READ, "exit")
    sent: int | None = None
    deadline = t0 + timeout_s
    try:
        while proc.poll() is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if pidfd is not None:
                    selector.unregister(pidfd)
                    os.close(pidfd)
                    pidfd = None
                sent = _stop_group(proc, selector, output)
                break
            _pump(selector, output, remaining if pidfd is not None else min(_POLL_S, remaining))
        t1, end = time.monotonic(), _now()
        if pidfd is not None:
            selector.unregister(pidfd)
            os.close(pidfd)
            pidfd = None
        drain_end = time.monotonic() + DRAIN_S
        while not output.eof and (left := drain_end - time.monotonic()) > 0:
            _pump(selector, output, left)
    finally:
        if proc.poll() is None:  # interrupted (Ctrl-C): leave nothing of this run behind
            _signal_group(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=KILL_GRACE_S)
        selector.close()
        if pidfd is not None:
            os.close(pidfd)
        proc.stdout.close()
    code = proc.returncode
    died_of = -code if code is not None and code < 0 else None
    outcome: PhaseOutcome
    if sent is not None:
        outcome, exit_code, sig = "timed_out", None, died_of or sent
    elif died_of is not None:
        outcome, exit_code, sig = "failed", None, died_of
    else:
        outcome, exit_code, sig = ("succeeded" if code == 0 else "failed"), code, None
    return _Run(outcome, start, end, _ms(t1 - t0), exit_code, sig, None, bytes(output.tail), output.total, t1)


def _pump(selector: selectors.BaseSelector, output: _Output, wait: float) -> None:
    """Wait up to `wait` seconds for output or the command's exit, reading what arrives."""
    if not selector.get_map():
        time.sleep(max(0.0, wait))
        return
    for key, _ in selector.select(max(0.0, wait)):
        if key.data == "output":
            output.read()
            if output.eof:
                selector.unregister(output.fd)


def _stop_group(proc: subprocess.Popen[bytes], selector: selectors.BaseSelector, output: _Output) -> int:
    """SIGTERM the process group, give it KILL_GRACE_S seconds, then SIGKILL it; the last signal sent."""
    _signal_group(proc.pid, signal.SIGTERM)
    sent = int(signal.SIGTERM)
    grace_end = time.monotonic() + KILL_GRACE_S
    while time.monotonic() < grace_end:
        proc.poll()
        if not _group_alive(proc.pid):
            break
        _pump(selector, output, min(_POLL_S, grace_end - time.monotonic()))
    else:
        _signal_group(proc.pid, signal.SIGKILL)
        sent = int(signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=KILL_GRACE_S)
    return sent


def _tail(run: _Run) -> str:
    text = redact(run.tail.decode("utf-8", errors="replace"))
    return text[-MAX_TAIL_CHARS:]


def _cut(text: str) -> str:
    """`text` on one line, cut to MAX_LINE_CHARS characters ("…" marks a cut)."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 1] + "…"


def _last_line(tail: str) -> str | None:
    """The last non-blank line of an output tail, cut for messages; None when there is none."""
    lines = [line for line in tail.splitlines() if line.strip()]
    return _cut(lines[-1]) if lines else None


def _phase(
    name: PhaseName,
    command: Command,
    run: _Run,
    outcome: PhaseOutcome,
    timeout_s: int,
    attempts: int,
    span: tuple[datetime, datetime, int] | None = None,
) -> Phase:
    """The Phase record of a command's (last) run; `span` = (start, end, duration_ms) when the phase spans several."""
    start, end, duration_ms = span or (run.start, run.end, run.duration_ms)
    tail = _tail(run)
    return Phase(
        name=name,
        command=list(command.shown),
        command_line=_cut(command.shown[2] if command.shell else shlex.join(command.shown)),
        shell=command.shell,
        outcome=outcome,
        start=format_time(start),
        end=format_time(end),
        duration_ms=duration_ms,
        timeout_s=timeout_s,
        attempts=attempts,
        exit_code=run.exit_code,
        signal=run.signal,
        error=run.error,
        output_tail=tail,
        output_bytes=run.total,
        last_line=_last_line(tail),
    )


def _command_phase(
    name: PhaseName, command: Command, timeout_s: int, env: Mapping[str, str] | None
) -> tuple[Phase, datetime, datetime]:
    run = _run(command, timeout_s, env)
    attempts = 0 if run.outcome == "not_started" else 1
    return _phase(name, command, run, run.outcome, timeout_s, attempts), run.start, run.end


def _health_phase(
    name: PhaseName, command: Command, timeout_s: int, interval_s: float, env: Mapping[str, str] | None
) -> tuple[Phase, datetime, datetime]:
    start, t0 = _now(), time.monotonic()
    deadline = t0 + timeout_s
    attempts, slowest = 0, 0.0
    run = _run(command, timeout_s, env)
    while True:
        if run.outcome == "not_started":
            break
        attempts += 1
        slowest = max(slowest, run.duration_ms / 1000, _POLL_S)
        # another check only when it can finish: the pause plus twice the slowest check so far must fit
        if run.outcome == "succeeded" or time.monotonic() + interval_s + 2 * slowest >= deadline:
            break
        time.sleep(interval_s)
        run = _run(command, deadline - time.monotonic(), env)
    phase = _phase(name, command, run, run.outcome, timeout_s, attempts, (start, run.end, _ms(run.ended - t0)))
    return phase, start, run.end


def _check_timeouts(timeout_s: int, health_timeout_s: int, health_interval_s: float) -> None:
    for option, value in (("--timeout", timeout_s), ("--health-timeout", health_timeout_s)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UsageError(f"{option} must be a whole number of seconds, at least 1, got {value!r}")
    if not isinstance(health_interval_s, int | float) or not math.isfinite(health_interval_s) or health_interval_s < 0:
        raise UsageError(f"--health-interval must be a number of seconds, 0 or more, got {health_interval_s!r}")


def _check_target(target: str | None) -> str | None:
    if target is None:
        return None
    if not target.strip() or len(target) > _MAX_TARGET or "\0" in target:
        raise UsageError(f"--target must be 1 to {_MAX_TARGET} characters")
    return redact(target)


def _commands(deploy: str, health: str, rollback: str, shell: bool) -> tuple[Command, Command, Command]:
    return (
        parse_command("--deploy", deploy, shell),
        parse_command("--health", health, shell),
        parse_command("--rollback", rollback, shell),
    )


def run_drill(
    deploy: str,
    health: str,
    rollback: str,
    *,
    shell: bool = False,
    timeout_s: int = DEFAULT_TIMEOUT_S,
    health_timeout_s: int = DEFAULT_HEALTH_TIMEOUT_S,
    health_interval_s: float = DEFAULT_HEALTH_INTERVAL_S,
    target: str | None = None,
    env: Mapping[str, str] | None = None,
    on_phase: Callable[[Phase], None] | None = None,
) -> Rollout:
    """Run deploy, health check, rollback, health check (module docstring) and return what happened."""
    commands = _commands(deploy, health, rollback, shell)
    _check_timeouts(timeout_s, health_timeout_s, health_interval_s)
    return _drill(commands, _check_target(target), timeout_s, health_timeout_s, health_interval_s, env, on_phase)


def _drill(
    commands: tuple[Command, Command, Command],
    shown_target: str | None,
    timeout_s: int,
    health_timeout_s: int,
    health_interval_s: float,
    env: Mapping[str, str] | None,
    on_phase: Callable[[Phase], None] | None,
) -> Rollout:
    """The drill of already checked commands and options."""
    deploy_cmd, health_cmd, rollback_cmd = commands
    phases: list[Phase] = []

    def record(phase: Phase) -> Phase:
        phases.append(phase)
        if on_phase is not None:
            on_phase(phase)
        return phase

    deployed, start, end = _command_phase("deploy", deploy_cmd, timeout_s, env)
    record(deployed)
    healthy_after_deploy = False
    if deployed.outcome == "succeeded":
        checked, _, end = _health_phase("health_after_deploy", health_cmd, health_timeout_s, health_interval_s, env)
        healthy_after_deploy = record(checked).outcome == "succeeded"
    rolled_back, _, end = _command_phase("rollback", rollback_cmd, timeout_s, env)
    record(rolled_back)
    healthy_after_rollback = False
    if rolled_back.outcome == "succeeded":
        checked, _, end = _health_phase("health_after_rollback", health_cmd, health_timeout_s, health_interval_s, env)
        healthy_after_rollback = record(checked).outcome == "succeeded"
    by_name = {p.name: p for p in phases}
    outcome: Outcome = "succeeded"
    if deployed.outcome != "succeeded":
        outcome = "deploy_failed"
    elif not healthy_after_deploy:
        outcome = "unhealthy_after_deploy"
    elif rolled_back.outcome != "succeeded":
        outcome = "rollback_failed"
    elif not healthy_after_rollback:
        outcome = "unhealthy_after_rollback"
    deploy_ms = deployed.duration_ms + by_name["health_after_deploy"].duration_ms if healthy_after_deploy else None
    rollback_ms = (
        rolled_back.duration_ms + by_name["health_after_rollback"].duration_ms if healthy_after_rollback else None
    )
    return Rollout(
        target=shown_target,
        outcome=outcome,
        start=format_time(start),
        end=format_time(end),
        deploy_ms=deploy_ms,
        rollback_ms=rollback_ms,
        healthy_after_deploy=healthy_after_deploy,
        healthy_after_rollback=healthy_after_rollback,
        phases=phases,
    )


def drill_digest(deploy: Command, health: Command, rollback: Command, target: str | None) -> str:
    """sha256 of the canonical JSON of the stored (masked) commands, the shell flag and the target."""
    description = {
        "deploy": list(deploy.shown),
        "health": list(health.shown),
        "rollback": list(rollback.shown),
        "shell": deploy.shell,
        "target": target,
    }
    canonical = json.dumps(description, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _describe(deploy: Command, rollback: Command) -> str:
    def text(command: Command) -> str:
        return command.shown[2] if command.shell else shlex.join(command.shown)

    description = redact(f"drill run: {text(deploy)} / {text(rollback)}")
    return description if len(description) <= _MAX_FILE else description[: _MAX_FILE - 1] + "…"


def _default_id(target: str | None) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", target or "").strip("-._")
    return f"rollout-{stem}"[:128] if stem else "rollout-drill"


def rollout_item(
    deploy: str,
    health: str,
    rollback: str,
    *,
    shell: bool = False,
    timeout_s: int = DEFAULT_TIMEOUT_S,
    health_timeout_s: int = DEFAULT_HEALTH_TIMEOUT_S,
    health_interval_s: float = DEFAULT_HEALTH_INTERVAL_S,
    target: str | None = None,
    env: Mapping[str, str] | None = None,
    item_id: str | None = None,
    environment: str | None = None,
    now: datetime | None = None,
    on_phase: Callable[[Phase], None] | None = None,
) -> EvidenceItem:
    """Run a drill (every option checked before anything runs) into one schema-checked `rollout` evidence item."""
    check_item_options(item_id, environment)
    commands = _commands(deploy, health, rollback, shell)
    _check_timeouts(timeout_s, health_timeout_s, health_interval_s)
    shown_target = _check_target(target)
    rollout = _drill(commands, shown_target, timeout_s, health_timeout_s, health_interval_s, env, on_phase)
    file_text = _describe(commands[0], commands[2])
    start = datetime.fromisoformat(rollout.start)
    end = datetime.fromisoformat(rollout.end)
    return own_item(
        item_id=item_id or _default_id(shown_target),
        kind="rollout",
        environment=environment,
        collected_at=now or max(_now(), end),
        observed=(start, max(start, end)),
        source_format="drill-run",
        file_text=file_text,
        sha256=drill_digest(*commands, shown_target),
        collector="drill",
        data=rollout,
    )
