"""`tiekeeper run` as a new user starts it, with no Prefect settings of their own: Prefect's state
goes beside the database, nothing leaves the machine, nothing is installed, and the terminal shows
tiekeeper's lines only.

The run is a child process. A `sitecustomize` on its PYTHONPATH (inherited by the temporary Prefect
server it starts) writes down every name looked up, every socket connected and every process
started, so that the test sees what the run did rather than what its settings say."""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from connectors.demo import generate_world

TIEKEEPER = Path(sys.executable).parent / "tiekeeper"
pytestmark = pytest.mark.slow  # a whole weekly run in a child process
END = dt.date(2026, 11, 23)  # the world's last day, and the day the run computes as of

WATCH_HOOK = '''
import json, os, socket, subprocess

def note(kind, what):
    with open(os.environ["TIEKEEPER_TEST_WATCHED"], "a", encoding="utf-8") as log:
        log.write(json.dumps([kind, what]) + "\\n")

_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
def connect(self, address):
    note("connect", [self.family.name, address if isinstance(address, str) else list(address)[:2]])
    return _connect(self, address)
def connect_ex(self, address):
    note("connect", [self.family.name, address if isinstance(address, str) else list(address)[:2]])
    return _connect_ex(self, address)
socket.socket.connect, socket.socket.connect_ex = connect, connect_ex

_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    note("resolve", host if isinstance(host, str) or host is None else host.decode())
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = getaddrinfo

_popen = subprocess.Popen.__init__
def popen(self, args, *rest, **kwargs):
    note("spawn", args if isinstance(args, str) else [os.fspath(a) for a in args])
    return _popen(self, args, *rest, **kwargs)
subprocess.Popen.__init__ = popen
'''

LOCAL_NAMES = {None, "localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


def is_local(family: str, address) -> bool:
    if family == "AF_UNIX":
        return True
    return address[0] in LOCAL_NAMES or ipaddress.ip_address(address[0]).is_loopback


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """The world's weekly run, in a new process whose environment has no Prefect or tracking setting."""
    folder = tmp_path_factory.mktemp("offline")
    world = generate_world(folder / "world", people=50, seed=5, end=END)
    hooks = folder / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(WATCH_HOOK, encoding="utf-8")
    watched = folder / "watched.jsonl"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFECT_", "TIEKEEPER_")) and k != "DO_NOT_TRACK"}
    env.update(PYTHONPATH=str(hooks), TIEKEEPER_TEST_WATCHED=str(watched), HOME=str(folder / "home"))
    db = folder / "data" / "tiekeeper.duckdb"
    result = subprocess.run([str(TIEKEEPER), "--config", str(world.config), "--db", str(db), "--as-of", END.isoformat(),
                             "run", "--no-send"],
                            capture_output=True, text=True, timeout=300, env=env, cwd=folder)
    events = [json.loads(line) for line in watched.read_text(encoding="utf-8").splitlines()]
    return folder, db, result, events


def test_prefect_keeps_its_state_beside_the_database_not_in_the_users_home(first_run):
    folder, db, result, _ = first_run
    assert result.returncode == 0, result.stdout + result.stderr
    assert (db.parent / "prefect" / "prefect.db").exists()
    assert not (folder / "home" / ".prefect").exists()


def test_nothing_leaves_the_machine_and_nothing_is_installed(first_run):
    _, _, result, events = first_run
    assert result.returncode == 0, result.stdout + result.stderr
    connects = [what for kind, what in events if kind == "connect"]
    assert connects, "the watch hook saw no connection at all: it is not watching"  # the temporary server's
    assert [c for c in connects if not is_local(*c)] == []
    assert [host for kind, host in events if kind == "resolve" and host not in LOCAL_NAMES] == []
    spawned = [args.split() if isinstance(args, str) else args for kind, args in events if kind == "spawn"]
    assert [args for args in spawned if {"pip", "uv", "ensurepip"} & {Path(word).name for word in args}] == []


def test_the_terminal_shows_tiekeepers_lines_and_no_prefect_log(first_run):
    _, db, result, _ = first_run
    assert result.returncode == 0, result.stdout + result.stderr
    # on stderr only the notice that the database was created, with its path (after the log time)
    assert [line.split(" ", 2)[2] for line in result.stderr.splitlines()] == [
        f"tiekeeper.warehouse: created a new database: {db}"]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("linkedin: ") and any(line.startswith("report: ") for line in lines)
    assert not [line for line in lines if "| INFO" in line or "prefect" in line.lower()]
