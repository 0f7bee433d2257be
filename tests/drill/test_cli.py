"""`readiness drill run` from the command line, as a user runs it: the item, the phase lines, the exit codes.

The deployed software is the small local service of tests/data/drill/service.py, started and stopped by the
drill itself; the conftest fixture kills whatever is left. Time-outs are small; no test asserts a duration.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evaluator.evidence import item_problems
from tests.drill.conftest import Service, alive, python, read_pids
from tests.drill.test_run import HANG
from tests.test_cli import one_line_error, run

FAST = ("--health-timeout", "5", "--health-interval", "0.05")
"""Health options for the tests: retry quickly, give up after a few seconds."""


def drill(*args: str, cwd: Path) -> tuple[int, str, str]:
    """Run `readiness drill run ARGS`; exit code, stdout, stderr."""
    proc = run("drill", "run", *args, cwd=cwd)
    return proc.returncode, proc.stdout, proc.stderr


def test_successful_drill_writes_the_item_and_exits_0(service: Service, tmp_path: Path) -> None:
    code, out, err = drill(
        "--deploy",
        service.deploy("1.42.0"),
        "--health",
        service.health(),
        "--rollback",
        service.rollback("1.41.0"),
        "--target",
        "checkout 1.42.0",
        "--id",
        "rollout-checkout",
        "--environment",
        "staging",
        *FAST,
        "-o",
        "rollout.json",
        cwd=tmp_path,
    )
    assert code == 0, err
    assert out == ""
    item = json.loads((tmp_path / "rollout.json").read_text())
    assert item_problems(item) == []
    assert (item["id"], item["kind"], item["environment"]) == ("rollout-checkout", "rollout", "staging")
    assert item["data"]["outcome"] == "succeeded"
    assert item["data"]["target"] == "checkout 1.42.0"
    lines = err.strip().splitlines()
    names = ["deploy", "health_after_deploy", "rollback", "health_after_rollback"]
    assert [line.split()[:2] for line in lines[:4]] == [[name, "succeeded"] for name in names]
    assert all("exit 0" in line for line in lines[:4])
    assert lines[4].startswith("wrote rollout.json: rollout item 'rollout-checkout': succeeded (deploy ")
    assert len(lines) == 5
    assert service.answer() == "1.41.0"


def test_failed_drill_still_writes_the_item_and_exits_1(service: Service, tmp_path: Path) -> None:
    code, _, err = drill(
        "--deploy",
        service.deploy("1.42.0", exit_code=3),
        "--health",
        service.health(),
        "--rollback",
        service.rollback("1.41.0"),
        *FAST,
        "-o",
        "rollout.json",
        cwd=tmp_path,
    )
    assert code == 1, err
    item = json.loads((tmp_path / "rollout.json").read_text())
    assert item_problems(item) == []
    assert item["id"] == "rollout-drill"
    assert item["data"]["outcome"] == "deploy_failed"
    assert [p["name"] for p in item["data"]["phases"]] == ["deploy", "rollback", "health_after_rollback"]
    assert err.splitlines()[0].split()[:2] == ["deploy", "failed"] and "exit 3" in err.splitlines()[0]
    assert "deploy_failed (rollback " in err


def test_item_goes_to_stdout_without_output(tmp_path: Path) -> None:
    code, out, err = drill("--deploy", "echo deployed", "--health", "true", "--rollback", "true", *FAST, cwd=tmp_path)
    assert code == 0, err
    item = json.loads(out)
    assert item_problems(item) == []
    assert item["data"]["phases"][0]["output_tail"] == "deployed\n"
    assert "rollout item 'rollout-drill': succeeded" in err


def test_hanging_deploy_times_out_and_its_processes_are_gone(service: Service, tmp_path: Path) -> None:
    pid_file = tmp_path / "hang.pids"
    service.pid_files.append(pid_file)
    code, _, err = drill(
        "--deploy",
        python("-c", HANG, str(pid_file), "plain"),
        "--health",
        "true",
        "--rollback",
        "true",
        "--timeout",
        "2",
        *FAST,
        "-o",
        "rollout.json",
        cwd=tmp_path,
    )
    assert code == 1, err
    deploy = json.loads((tmp_path / "rollout.json").read_text())["data"]["phases"][0]
    assert (deploy["outcome"], deploy["signal"], deploy["timeout_s"]) == ("timed_out", 15, 2)
    assert "exit_code" not in deploy
    assert "timed_out" in err.splitlines()[0] and "signal 15" in err.splitlines()[0]
    leader, grandchild = read_pids(pid_file)
    assert not alive(leader) and not alive(grandchild)


def test_cancelled_drill_kills_the_running_command_and_writes_nothing(service: Service, tmp_path: Path) -> None:
    """SIGTERM to readiness (a cancelled CI job) ends the running command's process group; no item is written."""
    pid_file = tmp_path / "hang.pids"
    service.pid_files.append(pid_file)
    deploy = python("-c", HANG, str(pid_file), "plain")
    args = ["drill", "run", "--deploy", deploy, "--health", "true", "--rollback", "true", "-o", "rollout.json"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "evaluator.cli", *args],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(600):  # wait (at most a minute) until the deploy has started its grandchild
            if pid_file.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert pid_file.exists(), proc.poll()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert "Traceback" not in err
    assert not (tmp_path / "rollout.json").exists()
    leader, grandchild = read_pids(pid_file)
    assert not alive(leader) and not alive(grandchild)
    assert not list(tmp_path.glob(".rollout.json.*"))


def test_no_shell_unless_asked(tmp_path: Path) -> None:
    deploy = python("-c", "pass") + " ; touch INJECTED"
    code, _, err = drill(
        "--deploy", deploy, "--health", "true", "--rollback", "true", *FAST, "-o", "a.json", cwd=tmp_path
    )
    assert code == 0, err
    assert not (tmp_path / "INJECTED").exists()
    args = ("--deploy", deploy, "--health", "true", "--rollback", "true", "--shell", *FAST, "-o", "b.json")
    code, _, err = drill(*args, cwd=tmp_path)
    assert code == 0, err
    assert (tmp_path / "INJECTED").exists()
    assert json.loads((tmp_path / "b.json").read_text())["data"]["phases"][0]["shell"] is True


def test_command_not_found_is_recorded_and_exits_1(tmp_path: Path) -> None:
    args = ("--deploy", "no-such-deployer-8d2a", "--health", "true", "--rollback", "true", *FAST, "-o", "r.json")
    code, _, err = drill(*args, cwd=tmp_path)
    assert code == 1
    deploy = json.loads((tmp_path / "r.json").read_text())["data"]["phases"][0]
    assert (deploy["outcome"], deploy["attempts"]) == ("not_started", 0)
    assert deploy["error"] == "cannot start no-such-deployer-8d2a: command not found"
    assert "Traceback" not in err
    assert err.splitlines()[0].split()[:2] == ["deploy", "not_started"]


def test_secrets_never_reach_the_item_or_the_terminal(tmp_path: Path) -> None:
    deploy = python("-c", "print('db password=' + 'hunter2' + 'hunter2'); print('AKIA' + 'IOSFODNN7EXAMPLE')")
    args = ("--deploy", deploy, "--health", "true", "--rollback", "true", "--target", "v1 token=s3cr3t-t0ken-value")
    code, _, err = drill(*args, *FAST, "-o", "r.json", cwd=tmp_path)
    assert code == 0, err
    text = (tmp_path / "r.json").read_text()
    for secret in ("hunter2hunter2", "AKIAIOSFODNN7EXAMPLE", "s3cr3t-t0ken-value"):
        assert secret not in text and secret not in err
    assert "password=[REDACTED]" in text


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("--deploy", "", "--health", "true", "--rollback", "true"), ["--deploy: the command is empty"]),
        (("--deploy", "touch ran", "--health", "true", "--rollback", "echo 'oops"), ["--rollback: cannot split"]),
        (("--deploy", "touch ran", "--health", "true", "--rollback", "true", "--id", "no spaces"), ["--id"]),
        (("--deploy", "touch ran", "--health", "true", "--rollback", "true", "--target", ""), ["--target must be"]),
        (
            ("--deploy", "touch ran", "--health", "true", "--rollback", "true", "--health-interval", "nan"),
            ["--health-interval must be"],
        ),
    ],
)
def test_usage_errors_exit_2_run_nothing_and_write_nothing(
    args: tuple[str, ...], fragments: list[str], tmp_path: Path
) -> None:
    one_line_error(run("drill", "run", *args, "-o", "r.json", cwd=tmp_path), *fragments)
    assert not (tmp_path / "r.json").exists()
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("--deploy", "touch ran", "--health", "true", "--rollback", "true", "--timeout", "0"),
        ("--deploy", "touch ran", "--health", "true", "--rollback", "true", "--health-timeout", "1.5"),
        ("--deploy", "touch ran", "--health", "true"),
    ],
)
def test_bad_options_exit_2_before_running(args: tuple[str, ...], tmp_path: Path) -> None:
    proc = run("drill", "run", *args, "-o", "r.json", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "r.json").exists()
    assert not (tmp_path / "ran").exists()


def test_missing_output_folder_is_an_error_before_the_drill_runs(tmp_path: Path) -> None:
    args = ("--deploy", "touch ran", "--health", "true", "--rollback", "true", "-o", "missing/r.json")
    one_line_error(run("drill", "run", *args, cwd=tmp_path), "missing/r.json", "does not exist")
    assert not (tmp_path / "ran").exists()
