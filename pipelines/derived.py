"""Derive only what changed: each derived build (people, metrics) is recorded with a fingerprint of
everything it read, and a run whose fingerprint is the one recorded skips the build. The
fingerprint covers the content of every raw table (a count and a sum of row hashes: an ingest that
loaded nothing, or loaded only duplicates, leaves it as it was), what the caller adds (people.toml,
the owner, the metric settings, the day) and tiekeeper's own code, so an upgrade builds again."""
from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources

import duckdb


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
def code_fingerprint() -> str:
    """tiekeeper's own SQL and Python, so that a new version derives everything again."""
    digest = hashlib.sha256()
    for name, path in sorted(_code_files(resources.files("pipelines"), "pipelines")):
        digest.update(name.encode() + path.read_bytes())
    return digest.hexdigest()


def _code_files(folder, name: str):
    for entry in folder.iterdir():
        if entry.is_dir():
            yield from _code_files(entry, f"{name}/{entry.name}")
        elif entry.name.endswith((".py", ".sql")):
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
