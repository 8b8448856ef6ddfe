"""`tiekeeper run` killed with SIGKILL at each stage leaves the database consistent, and the next run
completes as if nothing had happened; a second run meanwhile waits, then says why it gives up; ad-hoc
SQL meanwhile answers from the snapshot.

The run is a child process. A `sitecustomize` put on its PYTHONPATH wraps one public function where
it is defined (before the run imports it, so every caller gets the wrapper) and, once it has
returned, marks a file and sleeps, so the test kills it at a known point, mid-transaction."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from connectors.demo import generate_world
from pipelines.derived import record
from pipelines.ingest import merge_batch
from pipelines.people import build_people
from pipelines.prefect_env import stop_orphaned_servers
from reports.charts import growth_chart

# slow: child runs killed at each stage, on a generated world
pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]
TIEKEEPER = Path(sys.executable).parent / "tiekeeper"
END = dt.date(2026, 11, 23)  # the world's last day, and the day the runs compute as of
AS_OF = END.isoformat()
AS_OF_TIME = dt.datetime.combine(END, dt.time(), ZoneInfo("Europe/Berlin"))  # the world's owner's zone

PAUSE_HOOK = '''
import importlib, os, sys, time
module_name, name = os.environ["TIEKEEPER_TEST_PAUSE"].split(":")
original, calls = getattr(importlib.import_module(module_name), name), []

def paused(*args, **kwargs):
    result = original(*args, **kwargs)
    if os.environ.get("TIEKEEPER_TEST_PAUSE_MATCH", "") in repr(args):
        calls.append(1)
        if len(calls) == int(os.environ.get("TIEKEEPER_TEST_PAUSE_CALL", "1")):
            open(os.environ["TIEKEEPER_TEST_PAUSED"], "w").close()
            time.sleep(600)
    return result

for module in list(sys.modules.values()):  # its own module, and any imported with it that took the name
    if module is not sys.modules[__name__]:  # (this one's `original` stays the original)
        for attr, value in list(getattr(module, "__dict__", {}).items()):
            if value is original:
                setattr(module, attr, paused)
'''


def pause_point(function) -> str:
    """How the hook finds `function`: its module and name."""
    return f"{function.__module__}:{function.__qualname__}"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A world whose mailbox comes in two parts: the second is what arrives before the killed run."""
    folder = tmp_path_factory.mktemp("world")
    paths = generate_world(folder, people=60, seed=13, end=END)
    data = paths.mbox.read_bytes()
    cut = data.index(b"\nFrom ", len(data) * 4 // 5) + 1
    (folder / "first.mbox").write_bytes(data[:cut])
    (folder / "second.mbox").write_bytes(data[cut:])
    text = paths.config.read_text(encoding="utf-8")
    start = text.index("mbox = [")
    end = text.index("\n", start)
    for name, boxes in (("before", '["first.mbox"]'), ("after", '["first.mbox", "second.mbox"]')):
        (folder / f"{name}.toml").write_text(text[:start] + f"mbox = {boxes}" + text[end:], encoding="utf-8")
    hooks = folder / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(PAUSE_HOOK, encoding="utf-8")
    return folder


def child_env(**extra) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), **extra}  # the session's test server
    return {k: v for k, v in env.items() if v is not None}


def run(world: Path, config: str, db: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(TIEKEEPER), "--config", str(world / f"{config}.toml"), "--db", str(db),
                           "--as-of", AS_OF, *args, "run", "--no-send"],
                          capture_output=True, text=True, timeout=300, env=env or child_env())


def start_paused(world: Path, db: Path, pause, *, call: int = 1, match: str = "", env: dict | None = None):
    """`tiekeeper run` on the grown world, stopped right after the `call`th call of the function `pause`
    whose arguments' repr contains `match`."""
    marker = db.parent / "paused"
    marker.unlink(missing_ok=True)
    env = {**(env or child_env()), "PYTHONPATH": str(world / "hooks"), "TIEKEEPER_TEST_PAUSE": pause_point(pause),
           "TIEKEEPER_TEST_PAUSE_CALL": str(call), "TIEKEEPER_TEST_PAUSE_MATCH": match,
           "TIEKEEPER_TEST_PAUSED": str(marker)}
    # Output to a file, not a pipe: a server the run started may hold a pipe open after the kill.
    with open(db.parent / "paused-run.log", "w") as log:
        child = subprocess.Popen([str(TIEKEEPER), "--config", str(world / "after.toml"), "--db", str(db),
                                  "--as-of", AS_OF, "run", "--no-send"], env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 240
    while not marker.exists():
        if child.poll() is not None:
            raise AssertionError(f"the run ended before pausing: {(db.parent / 'paused-run.log').read_text()}")
        assert time.monotonic() < deadline, "the run never reached the pause point"
        time.sleep(0.1)
    return child


def kill(child: subprocess.Popen) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL


def facts(db: Path) -> dict[str, list]:
    """What the run derives: comparable between databases made by different runs."""
    queries = {
        "messages": "select message_key from raw_mbox__messages order by 1",
        "files": "select content_sha256 from source_files order by 1",
        "identities": "select identity_key, person_id, role from identities order by 1",
        "people": "select person_id, full_name, last_interaction from people order by 1",
        "strength": "select person_id, round(strength, 9), tier from relationship_strength order by 1",
        "history": "select week, person_id, round(strength, 9) from strength_history order by 1, 2",
        "follow_ups": "select person_id, reason from follow_ups order by 1",
    }
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("set variable as_of = ?::timestamptz", [AS_OF_TIME])  # as the runs' --as-of
        return {name: con.execute(sql).fetchall() for name, sql in queries.items()}


@pytest.fixture(scope="module")
def databases(world, tmp_path_factory):
    """The database after a complete run on the first part (where each test starts), and after a
    complete run on both parts (what the run after a kill must end with)."""
    folder = tmp_path_factory.mktemp("databases")
    before = folder / "before" / "tiekeeper.duckdb"
    assert run(world, "before", before).returncode == 0
    control = folder / "control" / "tiekeeper.duckdb"
    shutil.copytree(before.parent, control.parent, ignore=shutil.ignore_patterns("*.lock", "prefect"))
    result = run(world, "after", control)
    assert result.returncode == 0, result.stderr
    return before, facts(before), facts(control)


@pytest.fixture
def db(databases, tmp_path) -> Path:
    """A copy of the database as a complete run on the first part left it."""
    before, _, _ = databases
    shutil.copytree(before.parent, tmp_path / "data", ignore=shutil.ignore_patterns("*.lock", "prefect", "reports"))
    return tmp_path / "data" / "tiekeeper.duckdb"


STAGES = {  # stage: (function that pauses, which call, text its arguments contain, what is still as before)
    "ingest": (merge_batch, 1, "'raw_mbox__messages'", ("messages", "files")),  # the new mail merged, not committed
    "people": (build_people, 1, "", ("identities",)),
    "metrics": (record, 1, ", 'metrics', ", ("history",)),  # the history rebuilt, the build recorded, not committed
    "render": (growth_chart, 1, "", ()),
    "snapshot": (shutil.copyfile, 1, ".snapshot.duckdb.tmp-", ()),
}


@pytest.mark.parametrize("stage", STAGES)
def test_a_run_killed_at_any_stage_leaves_the_database_consistent_and_the_next_run_completes(
        stage, world, databases, db):
    pause, call, match, unchanged = STAGES[stage]
    _, before, control = databases
    kill(start_paused(world, db, pause, call=call, match=match))

    after_kill = facts(db)  # the file opens, every view answers, and what was in flight left no trace
    for name in unchanged:
        assert after_kill[name] == before[name], name
    if stage == "snapshot":  # the half-made copy never replaced the last good snapshot
        assert list(db.parent.glob("*.snapshot.duckdb.tmp-*"))
        facts(db.with_name("tiekeeper.snapshot.duckdb"))

    result = run(world, "after", db)
    assert result.returncode == 0, result.stderr
    assert facts(db) == control
    assert not list(db.parent.glob("*.tmp-*"))
    (report,) = [line.removeprefix("report: ") for line in result.stdout.splitlines() if line.startswith("report: ")]
    assert Path(report).exists()


def test_a_second_run_waits_a_bounded_time_and_queries_answer_from_the_snapshot_meanwhile(world, databases, db):
    _, before, _ = databases
    child = start_paused(world, db, record, match=", 'metrics', ")
    try:
        second = subprocess.run([str(TIEKEEPER), "--config", str(world / "after.toml"), "--db", str(db), "--wait", "2",
                                 "run", "--no-send"], capture_output=True, text=True, timeout=120, env=child_env())
        query = subprocess.run([str(TIEKEEPER), "--db", str(db), "sql", "select count(*) from raw_mbox__messages",
                                "--format", "csv"], capture_output=True, text=True, timeout=120, env=child_env())
    finally:
        kill(child)
    assert second.returncode == 1
    (line,) = second.stderr.splitlines()
    assert f"tiekeeper (process {child.pid}, since " in line and "longer than the 2 s this run waits" in line
    assert query.returncode == 0, query.stderr
    assert query.stdout.splitlines() == ["count_star()", str(len(before["messages"]))]
    assert "answering from the snapshot taken" in query.stderr


def test_a_killed_run_takes_its_prefect_server_with_it(world, db, tmp_path):
    home = tmp_path / "prefect-home"  # the temporary server, as a user without a server of their own has it
    env = child_env(PREFECT_API_URL=None, PREFECT_HOME=str(home))
    child = start_paused(world, db, merge_batch, match="'raw_mbox__messages'", env=env)
    servers = _servers_of(home)
    assert len(servers) == 1, "the run should have started one temporary server"
    kill(child)
    _wait_until_gone(servers, "the killed run's server kept running")
    result = run(world, "after", db, env=env)
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr  # e.g. Prefect sending logs to a server already stopped
    assert _servers_of(home) == []  # a run stops its own server


def test_a_prefect_server_that_cannot_start_is_one_line_naming_its_log_and_the_database_is_untouched(world, db,
                                                                                                      tmp_path):
    home = tmp_path / "prefect-home"
    home.mkdir()
    (home / "prefect.db").write_text("not a database")  # Prefect's own state, damaged
    before = facts(db)
    result = run(world, "after", db, env=child_env(PREFECT_API_URL=None, PREFECT_HOME=str(home)))
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("tiekeeper: the Prefect server stopped at start (exit ")
    assert line.endswith(f"); see {home.resolve() / 'server.log'}")
    assert "file is not a database" in (home / "server.log").read_text()  # the log says why
    assert facts(db) == before
    assert _servers_of(home) == []


def test_a_prefect_server_left_behind_by_an_earlier_version_is_stopped(tmp_path):
    """Before tiekeeper started its own, Prefect's temporary server outlived a run killed by SIGKILL."""
    home = (tmp_path / "prefect").resolve()
    home.mkdir()
    env = {**os.environ, "PREFECT_HOME": str(home)}
    orphan_code = ("import os, subprocess, sys; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)',"
                   " 'prefect.server.api.server:create_app'], start_new_session=True); os._exit(0)")
    subprocess.run([sys.executable, "-c", orphan_code], env=env, check=True)  # its parent exits: init adopts it
    deadline = time.monotonic() + 10
    while not (orphans := _servers_of(home)):
        assert time.monotonic() < deadline, "the orphan did not start"
        time.sleep(0.05)
    elsewhere = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)",
                                  "prefect.server.api.server:create_app"], env={**env, "PREFECT_HOME": str(tmp_path)})
    try:
        assert stop_orphaned_servers(home) == orphans  # as every command's use_local_prefect does
        _wait_until_gone(orphans, "the orphan was not stopped")
        assert elsewhere.poll() is None  # not an orphan, and another home's: left alone
    finally:
        elsewhere.kill()
        elsewhere.wait()


def _servers_of(home: Path) -> list[int]:
    return [pid for pid in _servers() if _environ(pid).get("PREFECT_HOME") == str(home) and _state(pid) != "Z"]


def _wait_until_gone(pids: list[int], message: str) -> None:
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() and _state(pid) != "Z" for pid in pids):
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


def _servers() -> list[int]:
    return [int(p.name) for p in Path("/proc").glob("[0-9]*")
            if b"prefect.server.api.server:create_app" in _read(p / "cmdline").split(b"\0")]


def _environ(pid: int) -> dict[str, str]:
    pairs = (item.decode(errors="replace").partition("=") for item in _read(Path(f"/proc/{pid}/environ")).split(b"\0"))
    return {k: v for k, _, v in pairs if k}


def _state(pid: int) -> str:
    text = _read(Path(f"/proc/{pid}/stat")).decode()
    return text.rsplit(")", 1)[1].split()[0] if text else "Z"


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
