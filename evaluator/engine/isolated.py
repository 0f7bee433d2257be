"""Running an engine in a forked child process, so a panic, a crash or a hang costs only an `error` verdict.

The parent never loads an engine itself: it forks, the child builds the engine, loads the modules
and data, evaluates each query and sends every outcome back over a pipe as soon as it has it. A
query that raises (a Rust panic included: it is a BaseException) becomes an error outcome; a child
that dies or runs out of time turns every query it did not answer into an error outcome.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evaluator.engine.interface import EngineError, Undefined
from evaluator.errors import InputError

DEFAULT_TIMEOUT = 300.0
"""Seconds an evaluation may take before its unanswered queries become errors."""


@dataclass(frozen=True)
class Outcome:
    """What one query gave: a value, undefined, or an error message."""

    query: str
    """The document evaluated, e.g. 'data.readiness.tests.deny'."""
    value: Any = None
    """Its JSON value, when it had one."""
    undefined: bool = False
    """True when the document was undefined."""
    error: str | None = None
    """Why it has no value (engine error, panic, crash, time-out)."""

    @property
    def ok(self) -> bool:
        """True when the query produced a value."""
        return self.error is None and not self.undefined


@dataclass(frozen=True)
class Run:
    """Outcomes of one isolated evaluation, plus coverage when asked for."""

    outcomes: dict[str, Outcome]
    """Per query."""
    load_error: EngineError | None = None
    """Set when the modules or data did not load: nothing was evaluated."""
    coverage: dict[str, tuple[set[int], set[int]]] | None = None
    """Per module: covered and not covered lines (only with coverage=True)."""

    def check_loaded(self, root: str, engine: str | None = None) -> None:
        """InputError naming the module (under `root`) and line when the policy did not load on `engine`."""
        if self.load_error is not None:
            error = self.load_error
            raise InputError(
                f"{root}/{error.file}" if error.file else root,
                f"policy does not load{f' on {engine}' if engine else ''}: {error.message}",
                error.line,
            )


def _child(
    connection: Any,
    engine_name: str,
    modules: Sequence[Any],
    data: dict[str, Any],
    input_document: dict[str, Any],
    queries: Sequence[str],
    coverage: bool,
) -> None:
    from evaluator.engine import get_engine

    try:
        engine = get_engine(engine_name)()
        engine.load(modules, data)
    except EngineError as exc:
        connection.send(("load-error", exc.message, exc.file, exc.line))
        return
    except BaseException as exc:
        connection.send(("load-error", f"{type(exc).__name__}: {exc}", None, None))
        return
    if coverage:
        engine.enable_coverage()
    for query in queries:
        try:
            connection.send(("value", query, engine.evaluate(query, input_document)))
        except Undefined as exc:
            connection.send(("undefined", query, str(exc)))
        except EngineError as exc:
            connection.send(("error", query, str(exc)))
        except BaseException as exc:
            connection.send(
                ("error", query, f"engine panic: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            )
    if coverage:
        connection.send(("coverage", engine.coverage()))
    connection.send(("done",))


def run_isolated(
    engine_name: str,
    modules: Sequence[Any],
    data: dict[str, Any],
    input_document: dict[str, Any],
    queries: Sequence[str],
    timeout: float = DEFAULT_TIMEOUT,
    coverage: bool = False,
) -> Run:
    """Evaluate `queries` in a forked child; every query gets an Outcome, whatever happens to the child."""
    # regorus keeps no threads, so a fork is safe and cheap. The OPA library starts Go runtime threads,
    # which do not survive a fork: if anything in this process ever loaded it, a forked child would
    # inherit a broken runtime and could answer wrongly without an error. So OPA always gets a fresh
    # interpreter.
    context = multiprocessing.get_context("spawn" if engine_name == "opa" else "fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(sender, engine_name, modules, data, input_document, queries, coverage), daemon=True
    )
    process.start()
    sender.close()
    outcomes: dict[str, Outcome] = {}
    load_error: EngineError | None = None
    covered: dict[str, tuple[set[int], set[int]]] | None = None
    deadline = time.monotonic() + timeout
    failure: str | None = None
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                failure = f"evaluation timed out after {timeout:g}s"
                break
            if not receiver.poll(min(remaining, 0.5)):
                if not process.is_alive() and not receiver.poll(0):
                    failure = f"engine process died (exit code {process.exitcode})"
                    break
                continue
            try:
                message = receiver.recv()
            except EOFError:
                process.join(1)
                failure = f"engine process died (exit code {process.exitcode})"
                break
            tag = message[0]
            if tag == "value":
                outcomes[message[1]] = Outcome(message[1], value=message[2])
            elif tag == "undefined":
                outcomes[message[1]] = Outcome(message[1], undefined=True, error=None)
            elif tag == "error":
                outcomes[message[1]] = Outcome(message[1], error=message[2])
            elif tag == "load-error":
                load_error = EngineError(message[1], message[2], message[3])
                break
            elif tag == "coverage":
                covered = message[1]
            elif tag == "done":
                break
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
        with contextlib.suppress(ValueError):  # still running after kill: leave it to the OS
            process.close()
    for query in queries:
        if query not in outcomes and load_error is None:
            outcomes[query] = Outcome(query, error=failure or "engine gave no answer")
    return Run(outcomes, load_error, covered)


__all__ = ["DEFAULT_TIMEOUT", "Outcome", "Run", "run_isolated"]
