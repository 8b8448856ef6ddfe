"""Shared test helpers: run the CLI in-process, snapshot a database to prove it unchanged, and one
Prefect test server for the session."""
from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main

ROOT = Path(__file__).resolve().parents[1]

# Prefect reads its settings when first imported (test modules import it while being collected):
# offline, quiet, and with its state in a scratch folder, never in ~/.prefect.
_PREFECT_HOME = tempfile.mkdtemp(prefix="tiekeeper-test-prefect-")
atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)
os.environ.update(PREFECT_HOME=_PREFECT_HOME, PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
                  PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL="CRITICAL")
os.environ.pop("PREFECT_API_URL", None)
# As for a user who activated the virtualenv: `tiekeeper` is on PATH, so hints name it bare
# (tests/test_cli_hygiene.py checks the hints for a PATH without it).
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


@pytest.fixture(scope="session")
def prefect_harness():
    """Prefect's own test harness: a temporary server and database shared by the whole session
    (it takes some 10 s to start, more on a fresh machine's first migration)."""
    from prefect.testing.utilities import prefect_test_harness
    with prefect_test_harness(server_startup_timeout=180):
        yield


@dataclass
class Result:
    code: int
    out: str
    err: str


OWNER_CONFIG = '[owner]\nname = "Jane Doe"\nemails = ["jane@acme.com"]\ntimezone = "Europe/Berlin"\n'


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path):
    """Runs `tiekeeper ARGS...` in-process from a scratch working directory, which holds a
    tiekeeper.toml naming the owner (Jane Doe, jane@acme.com, Europe/Berlin) as a user's would."""
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "tiekeeper.toml"
    if not config.exists():
        config.write_text(OWNER_CONFIG, encoding="utf-8")
    monkeypatch.delenv("TIEKEEPER_DB", raising=False)
    monkeypatch.delenv("TIEKEEPER_CONFIG", raising=False)

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def run_tiekeeper(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Runs the installed console script in a child process (for kill and lock tests)."""
    return subprocess.run([str(Path(sys.executable).parent / "tiekeeper"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def snapshot(db: Path) -> dict[str, list]:
    """Every table's rows, sorted: equal snapshots mean the database did not change. Floats are
    compared to 10 significant digits: DuckDB adds them up in parallel, in no fixed order, so a
    recomputation from the same rows (a score, a fitted coefficient) may differ in the last bits."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() order by 1"
        ).fetchall()]
        return {t: sorted(repr(tuple(_rounded(v) for v in row))
                          for row in con.execute(f'select * from "{t}"').fetchall())
                for t in tables}


def _rounded(value):
    return float(f"{value:.10g}") if isinstance(value, float) else value
