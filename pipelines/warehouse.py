"""The DuckDB file: opening it (one writer or many readers) and laying out its schema.

The schema lives in `pipelines/sql/` as layered `.sql` files run in order: `00_raw` (tables,
created if missing) then `10_staging` (views, replaced). `load/` holds the statements that merge a
batch of records into a raw table.
"""
from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb

# Users query the file with the DuckDB CLI from PyPI (`pip install duckdb-cli`), which lags the
# library: 1.5.x cannot read DuckDB 2.0's default storage format, so new files are written in the
# 1.5 format that both read.
STORAGE_VERSION = "v1.5.0"

SCHEMA_LAYERS = ("00_raw", "01_macros", "10_staging", "20_intermediate", "30_marts")


class WarehouseError(Exception):
    """The database cannot be used as asked; the message is one line for the user."""


def connect_writer(db_path: Path, *, timezone: str = "UTC") -> duckdb.DuckDBPyConnection:
    """Opens (creating if needed) the database for writing and brings its schema up to date."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(db_path, read_only=False)
    con.execute(f"set TimeZone = '{timezone}'")
    apply_schema(con)
    return con


def connect_reader(db_path: Path, *, timezone: str = "UTC") -> duckdb.DuckDBPyConnection:
    """Opens an existing database read-only, with times shown in `timezone`."""
    if not db_path.exists():
        raise WarehouseError(f"{db_path}: no database yet (ingest a source first, "
                             f"or run `tiekeeper demo` and pass --db data/demo/tiekeeper.duckdb)")
    con = _open(db_path, read_only=True)
    con.execute(f"set TimeZone = '{timezone}'")
    return con


def _open(db_path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    if db_path.is_dir():
        raise WarehouseError(f"{db_path}: is a folder, expected a database file")
    config = {} if read_only else {"storage_compatibility_version": STORAGE_VERSION}
    try:
        return duckdb.connect(str(db_path), read_only=read_only, config=config)
    except duckdb.IOException as exc:
        holder = re.search(r"PID (\d+)", str(exc))
        if "lock" in str(exc).lower():
            who = f"process {holder.group(1)}" if holder else "another process"
            raise WarehouseError(f"{db_path}: in use by {who} (a tiekeeper run writing to it); "
                                 f"try again when it has finished") from None
        raise WarehouseError(f"{db_path}: cannot open the database ({_first_line(exc)})") from None
    except duckdb.Error as exc:
        raise WarehouseError(f"{db_path}: not a tiekeeper database ({_first_line(exc)})") from None


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection, *, memory_limit: str | None = None) -> Iterator[None]:
    """All or nothing: commits when the block ends, rolls back on any error or interrupt. With
    `memory_limit`, DuckDB is held to it meanwhile (spilling to disk where it can)."""
    if memory_limit:
        con.execute(f"set memory_limit = '{memory_limit}'")
        con.execute("set preserve_insertion_order = false")  # lets big joins and sorts spill
    con.begin()
    try:
        yield
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        if memory_limit:
            con.execute("reset memory_limit")
            con.execute("reset preserve_insertion_order")


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Creates missing raw tables and (re)creates macros and views, layer by layer, atomically."""
    with transaction(con):
        for layer in SCHEMA_LAYERS:
            for sql_text in _in_dependency_order(_sql_dir(layer)):
                con.execute(sql_text)


def _in_dependency_order(folder) -> list[str]:
    """The texts of a layer's `<name>.sql` files, each after the files whose names it mentions,
    so that a view is created after the views of its own layer that it reads."""
    texts = {f.name[:-4]: f.read_text(encoding="utf-8") for f in folder.iterdir() if f.name.endswith(".sql")}
    ordered: list[str] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in ordered or name in path:
            return
        for other in sorted(texts):
            if other != name and re.search(rf"\b{other}\b", texts[name]):
                visit(other, path + (name,))
        ordered.append(name)

    for name in sorted(texts):
        visit(name)
    return [texts[name] for name in ordered]


def load_statement(table: str) -> str:
    """The statement in `sql/load/<table>.sql` that merges the registered `batch` into `table`."""
    return (_sql_dir("load") / f"{table}.sql").read_text(encoding="utf-8")


def _sql_dir(layer: str):
    return resources.files("pipelines") / "sql" / layer


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
