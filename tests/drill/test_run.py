"""The drill library: phases and outcomes against a real local service, time-outs, output bounds, secrets, no shell.

The service is tests/data/drill/service.py (see tests/data/drill/SOURCES.md); the failure cases are small inline
commands. Time-outs are kept small so the file runs quickly; no test asserts how long anything took.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from evaluator.drill import rollout_item, run_drill
from evaluator.drill import run as drill_run
from evaluator.drill.run import parse_command
from evaluator.errors import UsageError
from evaluator.evidence import item_problems
from evaluator.evidence.rollout import MAX_LINE_CHARS, MAX_TAIL_CHARS, Rollout
from evaluator.redact import REDACTED
from tests.drill.conftest import PYTHON, SERVICE, Service, alive, python, read_pids

FAST = {"health_timeout_s": 5, "health_interval_s": 0.05}
"""Health options for the tests: retry quickly, give up after a few seconds."""

HANG = (
    "import os, signal, subprocess, sys, time\n"
    "if sys.argv[2] == 'ignore-term':\n"
    "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "child = subprocess.Popen(['sleep', '60'])\n"
    "tmp = sys.argv[1] + '.tmp'\n"
    "open(tmp, 'w').write(f'{os.getpid()}\\n{child.pid}\\n')\n"
    "os.replace(tmp, sys.argv[1])\n"
    "print('deploying, then hanging', flush=True)\n"
    "time.sleep(60)\n"
)
"""A deploy that starts a grandchild (sleep 60), records both pids, and hangs."""


def phases(rollout: Rollout) -> dict[str, Any]:
    """The rollout's phases by name."""
    return {p.name: p for p in rollout.phases}


def test_successful_drill_runs_all_four_phases_against_the_service(service: Service) -> None:
    item = rollout_item(
        service.deploy("1.42.0"),
        service.health(),
        service.rollback("1.41.0"),
        target="checkout 1.42.0",
        item_id="rollout-checkout",
        environment="staging",
        **FAST,
    )
    document = item.to_json_dict()
    assert item_problems(document) == []
    rollout = Rollout.model_validate(document["data"])
    assert rollout.outcome == "succeeded"
    assert [p.name for p in rollout.phases] == ["deploy", "health_after_deploy", "rollback", "health_after_rollback"]
    assert all(p.outcome == "succeeded" and p.exit_code == 0 and p.signal is None for p in rollout.phases)
    by_name = phases(rollout)
    assert by_name["deploy"].attempts == 1 and by_name["rollback"].attempts == 1
    assert by_name["health_after_deploy"].attempts >= 1
    assert "started 1.42.0" in by_name["deploy"].output_tail
    assert by_name["deploy"].output_bytes == len(by_name["deploy"].output_tail.encode())
    assert "answered '1.42.0'" in by_name["health_after_deploy"].output_tail
    assert "started 1.41.0" in by_name["rollback"].output_tail
    assert "answered '1.41.0'" in by_name["health_after_rollback"].output_tail
    assert rollout.healthy_after_deploy and rollout.healthy_after_rollback
    assert rollout.deploy_ms == by_name["deploy"].duration_ms + by_name["health_after_deploy"].duration_ms
    assert rollout.rollback_ms == by_name["rollback"].duration_ms + by_name["health_after_rollback"].duration_ms
    assert rollout.start == by_name["deploy"].start and rollout.end == by_name["health_after_rollback"].end
    assert by_name["deploy"].timeout_s == 600 and by_name["health_after_deploy"].timeout_s == 5
    # the service really was rolled back: the previous version answers now
    assert service.answer() == "1.41.0"
    assert rollout.target == "checkout 1.42.0"
    assert document["id"] == "rollout-checkout" and document["environment"] == "staging"
    assert document["kind"] == "rollout" and document["schema"] == "rollout/v1"
    assert document["observed"] == {"start": rollout.start, "end": rollout.end}
    source = document["source"]
    assert (source["tool"], source["format"]) == ("readiness", "drill-run")
    assert source["file"].startswith("drill run: ") and "start 1.42.0" in source["file"]
    canonical = {
        "deploy": by_name["deploy"].command,
        "health": by_name["health_after_deploy"].command,
        "rollback": by_name["rollback"].command,
        "shell": False,
        "target": "checkout 1.42.0",
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert source["sha256"] == hashlib.sha256(text.encode()).hexdigest()


def test_commands_are_recorded_as_argument_lists(service: Service) -> None:
    rollout = run_drill(service.deploy("2.0"), service.health(), service.rollback("1.0"), **FAST)
    deploy = phases(rollout)["deploy"]
    assert deploy.shell is False
    assert deploy.command == [PYTHON, str(SERVICE), "start", "2.0", "--exit-code", "0", "--state", str(service.state)]


def test_failed_deploy_still_rolls_back(service: Service) -> None:
    rollout = run_drill(service.deploy("1.42.0", exit_code=3), service.health(), service.rollback("1.41.0"), **FAST)
    assert rollout.outcome == "deploy_failed"
    assert [p.name for p in rollout.phases] == ["deploy", "rollback", "health_after_rollback"]
    deploy = phases(rollout)["deploy"]
    assert (deploy.outcome, deploy.exit_code, deploy.signal) == ("failed", 3, None)
    assert phases(rollout)["rollback"].outcome == "succeeded"
    assert not rollout.healthy_after_deploy and rollout.healthy_after_rollback
    assert rollout.deploy_ms is None and rollout.rollback_ms is not None
    assert service.answer() == "1.41.0"


def test_health_that_never_passes_is_retried_then_fails(service: Service) -> None:
    rollout = run_drill(
        service.deploy("1.42.0"),
        service.health("9.9.9"),
        service.rollback("1.41.0"),
        health_timeout_s=1,
        health_interval_s=0.05,
    )
    assert rollout.outcome == "unhealthy_after_deploy"
    check = phases(rollout)["health_after_deploy"]
    assert check.outcome == "failed" and check.exit_code == 1
    assert check.attempts > 1
    assert "expected '9.9.9'" in check.output_tail
    assert check.timeout_s == 1
    # the rollback still ran; its health check (the same command) fails too
    assert phases(rollout)["rollback"].outcome == "succeeded"
    assert phases(rollout)["health_after_rollback"].outcome == "failed"
    assert rollout.deploy_ms is None and rollout.rollback_ms is None
    assert not rollout.healthy_after_deploy and not rollout.healthy_after_rollback


def test_failed_rollback(service: Service) -> None:
    broken = python("-c", "import sys; print('rollback broke'); sys.exit(4)")
    rollout = run_drill(service.deploy("1.42.0"), service.health(), broken, **FAST)
    assert rollout.outcome == "rollback_failed"
    assert [p.name for p in rollout.phases] == ["deploy", "health_after_deploy", "rollback"]
    rollback = phases(rollout)["rollback"]
    assert (rollback.outcome, rollback.exit_code) == ("failed", 4)
    assert rollback.output_tail == "rollback broke\n"
    assert rollout.healthy_after_deploy and not rollout.healthy_after_rollback
    assert rollout.deploy_ms is not None and rollout.rollback_ms is None


def test_unhealthy_after_rollback(service: Service) -> None:
    rollout = run_drill(
        service.deploy("1.42.0"),
        service.health(),
        service.command("stop"),
        health_timeout_s=1,
        health_interval_s=0.05,
    )
    assert rollout.outcome == "unhealthy_after_rollback"
    assert phases(rollout)["health_after_rollback"].outcome == "failed"
    assert rollout.healthy_after_deploy and not rollout.healthy_after_rollback
    assert rollout.deploy_ms is not None and rollout.rollback_ms is None


def test_health_check_that_hangs_is_killed_at_the_health_timeout(service: Service) -> None:
    rollout = run_drill(
        service.deploy("1.42.0"),
        python("-c", "import time; time.sleep(60)"),
        service.rollback("1.41.0"),
        health_timeout_s=1,
        health_interval_s=0.05,
    )
    check = phases(rollout)["health_after_deploy"]
    assert (check.outcome, check.attempts, check.exit_code, check.signal) == ("timed_out", 1, None, signal.SIGTERM)
    assert rollout.outcome == "unhealthy_after_deploy"


def test_hanging_deploy_is_killed_with_its_grandchild(service: Service, tmp_path: Path) -> None:
    pid_file = tmp_path / "hang.pids"
    service.pid_files.append(pid_file)
    rollout = run_drill(
        python("-c", HANG, str(pid_file), "plain"), service.health(), service.rollback("1.41.0"), timeout_s=2, **FAST
    )
    deploy = phases(rollout)["deploy"]
    assert (deploy.outcome, deploy.exit_code, deploy.signal) == ("timed_out", None, signal.SIGTERM)
    assert deploy.timeout_s == 2
    assert deploy.output_tail == "deploying, then hanging\n"
    leader, grandchild = read_pids(pid_file)
    assert not alive(leader)
    assert not alive(grandchild)
    assert rollout.outcome == "deploy_failed"
    assert phases(rollout)["rollback"].outcome == "succeeded"


def test_group_that_ignores_sigterm_is_killed(service: Service, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(drill_run, "KILL_GRACE_S", 0.5)
    pid_file = tmp_path / "stubborn.pids"
    service.pid_files.append(pid_file)
    rollout = run_drill(
        python("-c", HANG, str(pid_file), "ignore-term"),
        service.health(),
        service.rollback("1.41.0"),
        timeout_s=1,
        **FAST,
    )
    deploy = phases(rollout)["deploy"]
    assert (deploy.outcome, deploy.exit_code, deploy.signal) == ("timed_out", None, signal.SIGKILL)
    leader, grandchild = read_pids(pid_file)
    assert not alive(leader) and not alive(grandchild)


def test_service_left_running_by_the_deploy_is_not_killed(service: Service, tmp_path: Path) -> None:
    """A deploy whose background process keeps the output pipe open: the drill goes on and the process lives."""
    pid_file = tmp_path / "daemon.pid"
    service.pid_files.append(pid_file)
    deploy = f"sleep 60 & echo $! > {pid_file}; echo deployed"
    rollout = run_drill(deploy, "true", "true", shell=True, timeout_s=30, **FAST)
    assert rollout.outcome == "succeeded"
    step = phases(rollout)["deploy"]
    assert (step.outcome, step.exit_code) == ("succeeded", 0)
    assert step.output_tail == "deployed\n"
    (daemon,) = read_pids(pid_file)
    assert alive(daemon)
    os.kill(daemon, signal.SIGKILL)


def test_large_output_keeps_a_bounded_tail_and_counts_every_byte() -> None:
    loud = python("-c", "import sys; sys.stdout.write('x' * 1_000_000 + 'END\\n')")
    rollout = run_drill(loud, "true", "true", **FAST)
    deploy = phases(rollout)["deploy"]
    assert deploy.output_bytes == 1_000_004
    assert len(deploy.output_tail) == MAX_TAIL_CHARS
    assert deploy.output_tail.endswith("xxxEND\n")


def test_command_line_and_last_line_are_one_short_line_each() -> None:
    noisy = python("-c", "print('first'); print('error: ' + 'y' * 500); print(' ')", "--flag", "two words")
    deploy = phases(run_drill(noisy, "true", "true", **FAST))["deploy"]
    assert deploy.last_line == "error: " + "y" * (MAX_LINE_CHARS - 8) + "…"
    assert len(deploy.last_line) == MAX_LINE_CHARS
    assert deploy.command_line == (noisy if len(noisy) <= MAX_LINE_CHARS else noisy[: MAX_LINE_CHARS - 1] + "…")
    assert deploy.command_line.startswith(PYTHON)
    long = phases(run_drill(python("-c", "pass", "x" * 300), "true", "true", **FAST))["deploy"]
    assert len(long.command_line) == MAX_LINE_CHARS and long.command_line.endswith("x…")
    quiet = phases(run_drill("true", "true", "true", **FAST))
    assert quiet["deploy"].last_line is None and quiet["deploy"].command_line == "true"
    scripted = phases(run_drill("echo one; echo two", "true", "true", shell=True, **FAST))["deploy"]
    assert scripted.command_line == "echo one; echo two" and scripted.last_line == "two"


def test_tail_of_multibyte_output_is_decoded_whole() -> None:
    accents = python("-c", "import sys; sys.stdout.write('é' * 600_000)")
    deploy = phases(run_drill(accents, "true", "true", **FAST))["deploy"]
    assert deploy.output_bytes == 1_200_000
    assert deploy.output_tail == "é" * MAX_TAIL_CHARS


def test_invalid_utf8_output_is_replaced() -> None:
    raw = python("-c", "import sys; sys.stdout.buffer.write(b'ok \\xff\\xfe done')")
    deploy = phases(run_drill(raw, "true", "true", **FAST))["deploy"]
    assert deploy.output_tail == "ok \ufffd\ufffd done"
    assert deploy.output_bytes == 10


SECRETS = ("hunter2hunter2", "AKIAIOSFODNN7EXAMPLE", "s3cr3t-t0ken-value", "abcdef123456ghijkl", "db-pass-9f8e")


def test_secrets_in_output_and_arguments_stay_out_of_the_item(service: Service) -> None:
    env = {**os.environ, "DEPLOY_PASSWORD": "hunter2hunter2", "DEPLOY_KEY": "AKIAIOSFODNN7EXAMPLE"}
    script = (
        "import os, sys\n"
        "print('connecting with password=' + os.environ['DEPLOY_PASSWORD'])\n"
        "print('aws key', os.environ['DEPLOY_KEY'], file=sys.stderr)\n"
        "sys.exit(1)\n"
    )
    deploy = python("-c", script, "--token", "s3cr3t-t0ken-value", "--api-key=abcdef123456ghijkl")
    rollback = python("-c", script, "--db-password", "db-pass-9f8e")
    item = rollout_item(deploy, "true", rollback, env=env, target="release password=hunter2hunter2", **FAST)
    text = json.dumps(item.to_json_dict())
    for secret in SECRETS:
        assert secret not in text
    rollout = Rollout.model_validate(item.data)
    step = phases(rollout)["deploy"]
    assert "password=[REDACTED]" in step.output_tail and f"aws key {REDACTED}" in step.output_tail
    assert step.command[-3:] == ["--token", REDACTED, f"--api-key={REDACTED}"]
    assert phases(rollout)["rollback"].command[-2:] == ["--db-password", REDACTED]
    assert rollout.target == f"release password={REDACTED}"


def test_secrets_in_a_shell_script_stay_out_of_the_item() -> None:
    env = {**os.environ, "DEPLOY_PASSWORD": "hunter2hunter2"}
    deploy = 'echo "password=$DEPLOY_PASSWORD"; deploy-tool --token s3cr3t-t0ken-value || true'
    item = rollout_item(deploy, "true", "echo AKIAIOSFODNN7EXAMPLE", shell=True, env=env, **FAST)
    text = json.dumps(item.to_json_dict())
    for secret in SECRETS:
        assert secret not in text
    rollout = Rollout.model_validate(item.data)
    assert phases(rollout)["deploy"].command[:2] == ["/bin/sh", "-c"]
    assert "--token [REDACTED]" in phases(rollout)["deploy"].command[2]


def test_no_shell_injection_without_shell(tmp_path: Path) -> None:
    marker = tmp_path / "INJECTED"
    rollout = run_drill(f"{python('-c', 'pass')} ; touch {marker}", "true", "true", **FAST)
    assert phases(rollout)["deploy"].command[-3:] == [";", "touch", str(marker)]
    assert rollout.outcome == "succeeded"
    assert not marker.exists()


def test_shell_runs_the_script_through_sh(tmp_path: Path) -> None:
    marker = tmp_path / "INJECTED"
    rollout = run_drill(f"{python('-c', 'pass')} ; touch {marker}", "true", "true", shell=True, **FAST)
    assert phases(rollout)["deploy"].command[:2] == ["/bin/sh", "-c"]
    assert all(p.shell for p in rollout.phases)
    assert marker.exists()


def test_command_not_found_is_not_started(tmp_path: Path) -> None:
    rollout = run_drill("no-such-command-4c1e --deploy", "true", "true", **FAST)
    deploy = phases(rollout)["deploy"]
    assert (deploy.outcome, deploy.attempts, deploy.exit_code, deploy.signal) == ("not_started", 0, None, None)
    assert deploy.error == "cannot start no-such-command-4c1e: command not found"
    assert (deploy.output_tail, deploy.output_bytes) == ("", 0)
    assert rollout.outcome == "deploy_failed"
    assert phases(rollout)["rollback"].outcome == "succeeded"


def test_command_that_is_not_executable_is_not_started(tmp_path: Path) -> None:
    script = tmp_path / "deploy.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o644)
    rollout = run_drill("true", f"{script} --check", "true", **FAST)
    check = phases(rollout)["health_after_deploy"]
    assert (check.outcome, check.attempts) == ("not_started", 0)
    assert check.error is not None and "not executable" in check.error and "\n" not in check.error
    assert rollout.outcome == "unhealthy_after_deploy"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"deploy": ""}, "--deploy: the command is empty"),
        ({"health": "   "}, "--health: the command is empty"),
        ({"rollback": "echo 'unbalanced"}, "--rollback: cannot split the command"),
        ({"deploy": "echo a\0b"}, "NUL byte"),
        ({"timeout_s": 0}, "--timeout must be"),
        ({"health_timeout_s": 1.5}, "--health-timeout must be"),
        ({"health_interval_s": -1}, "--health-interval must be"),
        ({"health_interval_s": float("nan")}, "--health-interval must be"),
        ({"target": ""}, "--target must be"),
        ({"target": "x" * 513}, "--target must be"),
        ({"item_id": "bad id"}, "--id"),
        ({"environment": "no/slash"}, "--environment"),
    ],
)
def test_bad_options_are_usage_errors_and_nothing_runs(options: dict[str, Any], message: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    arguments: dict[str, Any] = {"deploy": f"touch {marker}", "health": "true", "rollback": f"touch {marker}"}
    arguments.update(options)
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        rollout_item(arguments.pop("deploy"), arguments.pop("health"), arguments.pop("rollback"), **arguments)
    assert not marker.exists()


def test_parse_command_splits_like_a_shell_and_masks_secret_flag_values() -> None:
    command = parse_command("--deploy", "kubectl apply -f 'my file.yaml' --password p4ss --token=t0k --user bob")
    assert command.argv == (
        "kubectl",
        "apply",
        "-f",
        "my file.yaml",
        "--password",
        "p4ss",
        "--token=t0k",
        "--user",
        "bob",
    )
    assert command.shown == (
        "kubectl",
        "apply",
        "-f",
        "my file.yaml",
        "--password",
        REDACTED,
        f"--token={REDACTED}",
        "--user",
        "bob",
    )
    assert not command.shell


def test_parse_command_with_shell_masks_the_script() -> None:
    command = parse_command(
        "--deploy", "helm upgrade app . --set-string api-key=k3y --password 'p 4ss' && echo ok", True
    )
    assert command.argv[:2] == ("/bin/sh", "-c") and command.argv[2].endswith("&& echo ok")
    assert command.shown[2] == f"helm upgrade app . --set-string api-key={REDACTED} --password {REDACTED} && echo ok"
    assert command.shell


def test_user_password_arguments_keep_the_user_and_mask_the_password() -> None:
    argv = parse_command(
        "--health", "curl -fsS -u admin:hunter2 --user=ops:s3cr3t --proxy-user p:pw9 http://127.0.0.1/"
    )
    assert argv.argv[3] == "admin:hunter2"  # what runs is untouched
    assert argv.shown == (
        "curl", "-fsS", "-u", f"admin:{REDACTED}", f"--user=ops:{REDACTED}", "--proxy-user", f"p:{REDACTED}",
        "http://127.0.0.1/",
    )  # fmt: skip
    script = parse_command("--health", "curl -u admin:hunter2 http://x && wget --http-user=a:pw9 http://y", shell=True)
    assert script.shown[2] == f"curl -u admin:{REDACTED} http://x && wget --http-user=a:{REDACTED} http://y"
    assert parse_command("--rollback", "kubectl rollout undo deploy/checkout -u").shown[-1] == "-u"
