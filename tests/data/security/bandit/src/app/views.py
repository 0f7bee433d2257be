"""A deliberately vulnerable module for scanner tests: do not use."""

import hashlib
import subprocess

import requests
import yaml

DB_PASSWORD = "hunter2-Zq9vX7"


def run(cmd):
    return subprocess.call(cmd, shell=True)


def calc(expr):
    return eval(expr)


def calc_constant():
    return eval("1 + 1")  # nosec


def load(text):
    return yaml.load(text)


def digest(data):
    return hashlib.md5(data).hexdigest()


def fetch(url):
    return requests.get(url, verify=False, timeout=5)


def fetch_trusted(url):
    return requests.get(url, verify=False, timeout=5)  # nosec B501 internal mirror with self-signed cert


def connect(user, password="s3cr3t-Pa55w0rd"):
    return (user, password)


def ping(host):
    return subprocess.call("ping -c 1 " + host, shell=True)  # nosemgrep: python-subprocess-shell-true
