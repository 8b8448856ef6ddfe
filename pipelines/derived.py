"""Derive only what changed: each derived build (people, metrics) is recorded with a fingerprint of
everything it read, and a run whose fingerprint is the one recorded skips the build. The
fingerprint covers the content of every raw table (a count and a sum of row hashes: an ingest that
loaded nothing, or loaded only duplicates, leaves it as it was), what the caller adds (people.toml,
the owner, the metric settings, the day) and tiekeeper's own code, so an upgrade builds again.

A weekly run as a whole is recorded the same way (`record_run`), beside the database: a rerun with
the same files, config, database and day finds its record (`unchanged_run`) and does not start."""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines.sources import FILE_SOURCES, SOURCES

if TYPE_CHECKING:
    from pipelines.config import Config


def raw_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """The content of every raw table, in one string."""
    tables = [name for (name,) in con.execute(
        "select table_name from duckdb_tables() where schema_name = 'main' and database_name = current_database() "
        "and table_name like 'raw\\_%' escape '\\' order by table_name").fetchall()]
    if not tables:
        return ""
    parts = " union all ".join(f"select '{t}', count(*), coalesce(sum(hash(r)), 0) from \"{t}\" as r" for t in tables)
    return ";".join(f"{t}:{n}:{h}" for t, n, h in con.execute(parts).fetchall())


@functools.cache
def code_fingerprint(packages: tuple[str, ...] = ("pipelines",)) -> str:
    """tiekeeper's own SQL and Python, so that a new version derives everything again."""
    digest = hashlib.sha256()
    for package in packages:
        for name, path in sorted(_code_files(resources.files(package), package)):
            digest.update(name.encode() + path.read_bytes())
    return digest.hexdigest()


def _code_files(folder, name: str):
    for entry in folder.iterdir():
        if entry.is_dir():
            yield from _code_files(entry, f"{name}/{entry.name}")
        elif entry.name.endswith((".py", ".sql", ".html", ".txt")):
            yield f"{name}/{entry.name}", entry


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(json.dumps([code_fingerprint(), *parts], default=str).encode()).hexdigest()


def recorded(con: duckdb.DuckDBPyConnection, name: str, fingerprint_: str) -> dict | None:
    """The summary of the last `name` build if it was made from inputs with this fingerprint."""
    rows = con.execute("select summary from derived_builds where name = ? and fingerprint = ?",
                       [name, fingerprint_]).fetchall()
    return json.loads(rows[0][0]) if rows else None


def record(con: duckdb.DuckDBPyConnection, name: str, fingerprint_: str, summary: dict) -> None:
    con.execute("insert or replace into derived_builds values (?, ?, now(), ?)",
                [name, fingerprint_, json.dumps(summary)])


# -- the weekly run as a whole ---------------------------------------------------------------------

def run_inputs(config: Config, *, as_of: str | None, send_report: bool, out: str | None) -> list | None:
    """What a weekly run reads besides its database, as it is now: tiekeeper's code (the report's too),
    the config and people.toml, each input file's size and modification time (as `make` does: a new
    export of the same mail is a new file, and its run finds nothing new), the day (or --as-of) and
    where the report goes. None when an API source is on: only asking it tells whether there is new
    mail."""
    if any(source.api and config.api_settings(name) is not None for name, source in SOURCES.items()):
        return None
    files = [[str(path), _stat(path)] for name in FILE_SOURCES for path in config.source_paths(name)]
    # (--as-of 2026-11-23 is that day's midnight; no --as-of is now, on some day)
    day = ["as of", as_of] if as_of else ["today", dt.datetime.now(config.owner.tz).date().isoformat()]
    return [code_fingerprint(("pipelines", "reports", "connectors")), _text(config.path), _text(config.people_path),
            files, day, send_report, str(Path(out).resolve()) if out else None]


def record_run(db: Path, inputs: list | None, left: list, summary: dict) -> None:
    """After a run without problems: these inputs made the database as the run `left` it (its state
    taken inside the run's lock, once closed), and what the run said. Written after the lock is
    released (and the snapshot refreshed: a run killed before that is not done), and only if no
    other writer changed the database since. `inputs` were taken when the run started: a file that
    changed during it is new to the next run."""
    if inputs is None or database_state(db) != left:
        return
    # written in place: a record cut short by a kill does not parse, and a run then goes through
    _run_record(db).write_text(json.dumps({"key": _run_key(inputs, left), "summary": summary}), encoding="utf-8")


def database_state(db: Path) -> list:
    """The database file's size and modification time, and its write-ahead log's."""
    return [_stat(db), _stat(db.with_name(db.name + ".wal"))]


def forget_run(db: Path) -> None:
    """A run has begun: until it ends well, no earlier run speaks for the database."""
    _run_record(db).unlink(missing_ok=True)


def unchanged_run(db: Path, config: Config, *, as_of: str | None, send_report: bool, out: str | None) -> dict | None:
    """The summary of the last run if a run now would read what it read and find what it left: the
    same code, config, people.toml, input files, database (as that run left it) and day."""
    inputs = run_inputs(config, as_of=as_of, send_report=send_report, out=out)
    try:
        record = json.loads(_run_record(db).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if inputs is None or record.get("key") != _run_key(inputs, database_state(db)):
        return None
    return record.get("summary")


def _run_key(inputs: list, database: list) -> str:
    return hashlib.sha256(json.dumps([inputs, database]).encode()).hexdigest()


def _run_record(db: Path) -> Path:
    return db.with_name(db.name + ".last-run.json")


def _stat(path: Path) -> list | None:
    """A file's (size, modification time), or a folder's of each file in it; None when missing."""
    try:
        if path.is_dir():
            return sorted([str(p.relative_to(path)), *_stat(p)] for p in path.rglob("*") if p.is_file())
        stat = path.stat()
    except (OSError, TypeError):  # (a file gone while the folder was read)
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _text(path: Path | None) -> str | None:
    try:
        return path.read_text(encoding="utf-8") if path else None
    except OSError:
        return None
