"""A deliberately vulnerable module: test input for the SARIF collector (never run it)."""

import hashlib
import pickle
import subprocess

import yaml

PASSWORD = "hunter2"


def run(command: str) -> bytes:
    return subprocess.check_output(command, shell=True)


def load(blob: bytes) -> object:
    return pickle.loads(blob)


def parse(text: str) -> object:
    return yaml.load(text)


def digest(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def check(value: int) -> None:
    assert value > 0


def evaluate(expression: str) -> object:
    return eval(expression)  # nosec B307
