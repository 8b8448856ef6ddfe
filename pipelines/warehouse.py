"""The DuckDB file: opening it (one writer or many readers) and laying out its schema.

The schema lives in `pipelines/sql/<layer>/<object>.sql`, one object per file, named for it:
`00_raw` (what ingest writes: the raw tables, whose columns are their records' fields, and its
bookkeeping), `05_state` (what the builds keep), `01_macros`, `10_staging`, `20_intermediate`,
`30_marts`. Each object is created after the objects its statement names, whatever the file names.
`load/` holds the statements that merge a batch of records into a raw table.

One writer at a time: every writer holds `<db>.lock` (a lock the operating system drops when its
process dies, even by SIGKILL) and a second one waits a bounded time for it. When a writer is done,
the file is copied to `<name>.snapshot.duckdb`, which readers open while a run is writing: DuckDB
admits one read-write process or many readers, never both.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import os
import re
import shutil
import threading
import time
import typing
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import NamedTuple, TypeVar

import duckdb

from connectors import command, records
from pipelines.config import WRITE_WAIT_SECONDS
from pipelines.errors import WarehouseError

# Users query the file with the DuckDB CLI from PyPI (`pip install duckdb-cli`), which lags the
# library: 1.5.x cannot read DuckDB 2.0's default storage format, so new files are written in the
# 1.5 format that both read.
STORAGE_VERSION = "v1.5.0"

SCHEMA_LAYERS = ("00_raw", "01_macros", "05_state", "10_staging", "20_intermediate", "30_marts")
READ_WAIT_SECONDS = 10.0  # how long a writer waits for readers of the file (queries are short)

log = logging.getLogger("tiekeeper.warehouse")
T = TypeVar("T")


@contextlib.contextmanager
def connect_writer(db_path: Path, *, timezone: str = "UTC",
                   wait: float = WRITE_WAIT_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
    """The database open for writing (created if needed, its schema brought up to date), while this
    process is its only writer; waits up to `wait` seconds for another writer to finish."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(db_path, wait=wait):
        created = not db_path.exists()
        con = _open_for_writing(db_path)
        if created:  # so that a database started by mistake (another folder, a typo) is noticed
            log.info("created a new database: %s", db_path.resolve())
        try:
            con.execute(f"set TimeZone = '{timezone}'")
            apply_schema(con)
            yield con
        finally:
            con.close()


def connect_reader(db_path: Path, *, timezone: str | None = None) -> duckdb.DuckDBPyConnection:
    """Opens an existing database read-only, with times shown in `timezone` (None: the owner's, as the
    last build stored it). While a run is writing to it, the snapshot of the last finished run answers
    instead, with a warning saying so."""
    if not db_path.exists():
        raise WarehouseError(f"{db_path}: no database yet (ingest a source first, or run `{command()} demo` "
                             f"and pass --db data/demo/tiekeeper.duckdb)")
    try:
        con = _open(db_path, read_only=True)
    except _Locked as busy:
        snapshot = snapshot_path(db_path)
        if not snapshot.exists():
            raise WarehouseError(f"{db_path}: {busy.holder} is writing to it and there is no snapshot of an "
                                 f"earlier run yet; try again when it has finished") from None
        taken = dt.datetime.fromtimestamp(snapshot.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        log.warning("%s: %s is writing to it; answering from the snapshot taken %s", db_path, busy.holder, taken)
        con = _open(snapshot, read_only=True)
    con.execute(f"set TimeZone = '{timezone or _stored_timezone(con)}'")
    return con


def _stored_timezone(con: duckdb.DuckDBPyConnection) -> str:
    """The owner's timezone the last people build saw, else UTC."""
    try:
        rows = con.execute("select timezone from owner_settings limit 1").fetchall()
    except duckdb.CatalogException:  # not built yet
        return "UTC"
    return rows[0][0] if rows else "UTC"


def snapshot_path(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.stem}.snapshot{db_path.suffix}")


# -- one writer at a time -------------------------------------------------------------------------

_held: dict[Path, int] = {}  # lock files this process holds, with how deeply: a flow's tasks re-enter it
_held_guard = threading.Lock()


@contextlib.contextmanager
def writer_lock(db_path: Path, *, wait: float = WRITE_WAIT_SECONDS) -> Iterator[None]:
    """Holds `<db>.lock` for the block: other processes wait up to `wait` seconds, then fail with a
    one-line WarehouseError. Re-entrant within the process. When the outermost holder leaves, the
    snapshot readers fall back on is refreshed."""
    lock_path = db_path.with_name(db_path.name + ".lock").resolve()
    with _held_guard:
        if lock_path in _held:
            _held[lock_path] += 1
            outer = None
        else:
            outer = _acquire(lock_path, wait, db_path)
            _held[lock_path] = 1
    finished = False
    try:
        yield
        finished = True
    finally:
        with _held_guard:
            _held[lock_path] -= 1
            if outer is not None:
                del _held[lock_path]
                try:
                    if finished:  # a failed run changed nothing (or only what a resumed run keeps)
                        _refresh_snapshot(db_path)
                finally:
                    outer.close()  # closing the file releases the lock


def _acquire(lock_path: Path, wait: float, db_path: Path):
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+")  # noqa: SIM115 - the open handle holds the lock: returned, the caller closes it
    deadline = time.monotonic() + wait
    while not _try_lock(handle):
        if time.monotonic() >= deadline:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise WarehouseError(f"{db_path}: {holder} has been writing to it for longer than the {wait:g} s "
                                 f"this run waits; try again when it has finished (or pass a longer --wait)")
        time.sleep(min(0.2, wait))
    handle.seek(0)
    handle.truncate()
    handle.write(f"tiekeeper (process {os.getpid()}, since {dt.datetime.now():%H:%M:%S})")
    handle.flush()
    return handle


def _try_lock(handle) -> bool:
    try:
        if os.name == "nt":
            import msvcrt
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _refresh_snapshot(db_path: Path) -> None:
    """Copies the database (closed by now, so its file is whole) to the snapshot, atomically: a
    reader sees the previous snapshot or this one, and a kill half-way leaves only a temp file."""
    if not db_path.exists():
        return
    snapshot = snapshot_path(db_path)
    for stale in snapshot.parent.glob(snapshot.name + ".tmp-*"):
        stale.unlink(missing_ok=True)
    for source, target in ((db_path, snapshot), (_wal(db_path), _wal(snapshot))):
        if source.exists():
            temp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
            shutil.copyfile(source, temp)
            shutil.copymode(source, temp)
            os.replace(temp, target)
        else:
            target.unlink(missing_ok=True)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


class _Locked(Exception):
    def __init__(self, holder: str):
        super().__init__(holder)
        self.holder = holder


def _open_for_writing(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Readers hold the file only for a query: a writer waits a little for them to finish."""
    deadline = time.monotonic() + READ_WAIT_SECONDS
    while True:
        try:
            return _open(db_path, read_only=False)
        except _Locked as busy:
            if time.monotonic() >= deadline:
                raise WarehouseError(f"{db_path}: {busy.holder} has it open; try again when it has finished") from None
            time.sleep(0.2)


# -- what DuckDB may take of the machine ----------------------------------------------------------

MiB = 1024 * 1024
# Left to itself DuckDB takes up to 80% of the machine's memory and a thread per core, and keeps what
# it took until the run ends: a weekly run took 1.4 GB for a 160,000-message mailbox. A run shares a
# laptop with everything else on it, so DuckDB gets what the rest of the process leaves of
# RUN_MEMORY_BUDGET, on a machine with little memory no more than a quarter of it, and spills to disk
# beyond that. The budget is issue 16's bound of 1 GB at 200,000 messages, less what DuckDB takes
# beyond the limit it is given (what its buffer manager does not count, and what its allocator keeps):
# at 950 MiB a weekly run on that mailbox peaked at 960-980 MiB, at 920 MiB at 935-947 MiB (the
# models' training rows are built a few cuts at a time, as one query over every cut ran out of memory).
RUN_MEMORY_BUDGET = 920 * MiB
MACHINE_MEMORY_SHARE = 0.25
# The rest, measured on that mailbox: up to 250 MiB beside the people build (Python, its libraries,
# what the load before it left behind), 370 MiB while the metrics fit their models in Python. A
# command's DuckDB gets 550 MiB, the people build's 670 MiB: at 50,000 people the tables it rebuilds
# take 650 MiB (with 640 MiB it ran out of memory).
PYTHON_MEMORY = 370 * MiB
PYTHON_MEMORY_IN_BUILD = 250 * MiB
# A thread per core, as long as each has this much to work in (DuckDB's minimum, below which a
# thread cannot hold what it spills from).
THREAD_MEMORY = 128 * MiB


class Resources(NamedTuple):
    memory_limit: str  # every connection's, as DuckDB reads it: "550MiB"
    build_memory_limit: str  # the people build's
    threads: int


def duckdb_resources(memory: int | None, cpus: int | None) -> Resources:
    """What DuckDB may use on a machine with `memory` bytes of RAM and `cpus` cores for this process.
    Where the system does not say (None), DuckDB gets what the budget leaves, and one thread."""
    def limit(python: int) -> int:
        share = RUN_MEMORY_BUDGET - python
        if memory and memory > 0:
            share = min(share, int(memory * MACHINE_MEMORY_SHARE))
        return max(share, THREAD_MEMORY) // MiB

    memory_limit = limit(PYTHON_MEMORY)
    threads = max(1, min(cpus or 1, memory_limit * MiB // THREAD_MEMORY))
    return Resources(f"{memory_limit}MiB", f"{limit(PYTHON_MEMORY_IN_BUILD)}MiB", threads)


# The writing steps after a load (people, metrics, backtest) hold DuckDB to what the run budget
# leaves beside the rest of the process when they start: inside `tiekeeper run` Prefect holds some
# 230 MB more than a command does, which fixed limits put on top of the budget. Never to less than
# this floor, measured on the million-message world: its people build and its metrics ran out of
# memory at 300 MiB and ran at 400 MiB. In a run on the 200,000-message world the metrics and the
# backtest start with some 450 MiB beside DuckDB, so the floor is their limit: at 450 MiB the run
# peaked at 969-974 MiB, over the budget; at 400 MiB, 939-951 MiB.
STEP_MEMORY_FLOOR = 400 * MiB


def memory_left(con: duckdb.DuckDBPyConnection, *, floor: int, ceiling: str, beside: int = 0) -> str:
    """RUN_MEMORY_BUDGET less what this process holds beside DuckDB now (its resident memory less
    DuckDB's own) and the `beside` bytes it will take meanwhile, from `floor` bytes up to the limit
    `ceiling` ("670MiB"); `ceiling` where the system does not say what the process holds."""
    resident = resident_memory()
    if resident is None:
        return ceiling
    duckdb_holds = con.execute("select coalesce(sum(memory_usage_bytes), 0) from duckdb_memory()").fetchall()[0][0]
    left = RUN_MEMORY_BUDGET - (resident - duckdb_holds) - beside
    return f"{min(int(ceiling.removesuffix('MiB')), max(left, floor) // MiB)}MiB"


def within_budget(con: duckdb.DuckDBPyConnection, step: str, work: Callable[[], T], *,
                  ceiling: str | None = None, beside: int = 0) -> T:
    """`work()` in one transaction, DuckDB held to what the run budget leaves beside the process and
    the `beside` bytes `work` takes in Python (`memory_left`, at least STEP_MEMORY_FLOOR); where that
    was too little for this database (DuckDB ran out of memory), all of it once more with `ceiling`
    (the machine's limit)."""
    ceiling = ceiling or machine_resources().memory_limit
    limit = memory_left(con, floor=STEP_MEMORY_FLOOR, ceiling=ceiling, beside=beside)
    try:
        with transaction(con, memory_limit=limit):
            return work()
    except duckdb.OutOfMemoryException:
        if limit == ceiling:
            raise
        log.info("%s: the %s the run's memory budget left was too little; again with %s", step, limit, ceiling)
        with transaction(con, memory_limit=ceiling):
            return work()


# What DuckDB keeps while Python works in the same process (fitting the models): its cached pages go
# back to the system meanwhile, so that the two do not peak together.
LENT_MEMORY_LIMIT = "64MiB"


@contextlib.contextmanager
def memory_lent(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB held to LENT_MEMORY_LIMIT for the block (it evicts its cached pages, which it reads
    again afterwards as needed), then its limit again. On the 200k world the metrics step peaked while
    the models were fitted, with DuckDB's pages still held: 985,488 KiB in all, 619,172 KiB lent."""
    limit = con.execute("select current_setting('memory_limit')").fetchall()[0][0]
    try:
        con.execute(f"set memory_limit = '{LENT_MEMORY_LIMIT}'")
    except duckdb.Error:  # it holds more than that it cannot spill: keep it all, as before
        yield
        return
    try:
        yield
    finally:
        con.execute(f"set memory_limit = '{limit}'")


def resident_memory() -> int | None:
    """The bytes of memory this process holds now (Linux's /proc), None where the system does not say."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


@functools.cache
def machine_resources() -> Resources:
    """`duckdb_resources` of this machine's memory and of the cores this process may run on: every
    connection is opened with them."""
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows), or not these names
        memory = None
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return duckdb_resources(memory, cpus)


def _open(db_path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    if db_path.is_dir():
        raise WarehouseError(f"{db_path}: is a folder, expected a database file")
    resources = machine_resources()
    config = {"memory_limit": resources.memory_limit, "threads": resources.threads}
    if not read_only:
        config["storage_compatibility_version"] = STORAGE_VERSION
    try:
        return duckdb.connect(str(db_path), read_only=read_only, config=config)
    except duckdb.IOException as exc:
        holder = re.search(r"PID (\d+)", str(exc))
        if "lock" in str(exc).lower():
            raise _Locked(f"process {holder.group(1)}" if holder else "another process") from None
        raise WarehouseError(f"{db_path}: cannot open the database ({_first_line(exc)})") from None
    except duckdb.Error as exc:
        raise WarehouseError(f"{db_path}: not a tiekeeper database ({_first_line(exc)})") from None


def set_as_of(con: duckdb.DuckDBPyConnection, as_of: dt.datetime | None) -> None:
    """Evaluates every metric view on this connection as of `as_of` (None: now)."""
    if as_of is None:
        con.execute("reset variable as_of")
    else:
        con.execute("set variable as_of = ?::timestamptz", [as_of])


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection, *, memory_limit: str | None = None) -> Iterator[None]:
    """All or nothing: commits when the block ends, rolls back on any error or interrupt. With
    `memory_limit`, DuckDB is held to it meanwhile (spilling to disk where it can), and to the
    machine's limit again after."""
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
            # not `reset memory_limit`, which is DuckDB's default of 80% of the machine
            con.execute(f"set memory_limit = '{machine_resources().memory_limit}'")
            con.execute("reset preserve_insertion_order")


# An intermediate model written `create or replace table <name> as <query>` is materialised: a
# table every writing run rebuilds (refresh_tables) so that views read it instead of recomputing
# it from raw rows on every query.
_MATERIALISED = re.compile(r"^create or replace table (\w+) as\b(.*)", re.I | re.M | re.S)


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Creates missing tables (and the columns their records gained since), (re)creates macros and
    views, each after the objects it reads, atomically; the reference tables are brought up to date.
    A materialised model is built here only when it is missing or its columns changed."""
    from pipelines.derived import fingerprint, record, recorded
    from pipelines.reference import personal_mail_domains, write_reference_tables
    schema = fingerprint(duckdb.__version__, len(personal_mail_domains()), _record_shapes())
    if _has_table(con, "derived_builds") and recorded(con, "schema", schema) is not None:
        return  # laid out by this very code before: nothing to do (it takes a second)
    with transaction(con):
        for obj in schema_objects():
            materialised = _MATERIALISED.search(obj.sql)
            if materialised is None:
                con.execute(obj.sql)
                if obj.record is not None:
                    _add_missing_columns(con, obj.name, obj.record)
            elif not _has_table(con, obj.name) or _columns(con, obj.name) != _query_columns(con, materialised.group(2)):
                _drop_older_view(con, obj.name)
                con.execute(obj.sql)
        write_reference_tables(con)
        record(con, "schema", schema, {})


def _record_shapes() -> dict[str, str]:
    """The fields of every record type: the raw tables' columns follow them (connectors/records.py
    lies outside the code the fingerprint reads), so a new field lays the schema out again."""
    return {name: str(typing.get_type_hints(kind)) for name, kind in vars(records).items()
            if isinstance(kind, type) and issubclass(kind, tuple) and hasattr(kind, "_fields")}


def refresh_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuilds every materialised model from what is in the database now (call it after anything
    its inputs read changed: raw rows, identities), in the caller's transaction."""
    for obj in schema_objects():
        if _MATERIALISED.search(obj.sql):
            con.execute(obj.sql)


def create_macros(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    """Creates the named macros of the schema, and the macros they use, on `con` (a database without
    tiekeeper's schema, say an in-memory one)."""
    wanted = set(names)
    for obj in reversed(schema_objects()):  # readers before what they read
        if obj.name in wanted:
            wanted |= obj.reads
    for obj in schema_objects():
        if obj.name in wanted:
            con.execute(obj.sql)


def _has_table(con, table: str) -> bool:
    """Whether `table` is a table (not a view) in the database."""
    return bool(con.execute("select count(*) from duckdb_tables() where table_name = ? and schema_name = 'main' "
                            "and database_name = current_database()", [table]).fetchall()[0][0])


def _columns(con, table: str) -> list[tuple[str, str]]:
    return con.execute("select column_name, data_type from duckdb_columns() where table_name = ? "
                       "and schema_name = 'main' and database_name = current_database() order by column_index",
                       [table]).fetchall()


def _query_columns(con, query: str) -> list[tuple[str, str]]:
    return [(name, kind) for name, kind, *_ in con.execute(f"describe {query.strip().rstrip(';')}").fetchall()]


def _drop_older_view(con, name: str) -> None:
    """Databases from before a model was materialised hold it as a view of the same name."""
    if con.execute("select count(*) from duckdb_views() where view_name = ? and schema_name = 'main' "
                   "and database_name = current_database()", [name]).fetchone()[0]:
        con.execute(f"drop view {name}")


def _add_missing_columns(con, table: str, record_type: type) -> None:
    """A table made by an older tiekeeper gains the fields its record gained since (null in its
    older rows: `not null` cannot hold for them)."""
    from pipelines.batches import sql_columns  # pyarrow: only writing commands lay out the schema
    have = {name for name, _ in _columns(con, table)}
    for name, sql_type, _ in sql_columns(record_type):
        if name not in have:
            con.execute(f'alter table {table} add column "{name}" {sql_type}')


# -- the schema's objects, in the order they can be created ---------------------------------------

class SchemaObject(NamedTuple):
    name: str  # the table, view, macro or sequence the file creates, and the file's name
    layer: str
    sql: str  # its statement, `{{ columns_of('<Record>') }}` written out
    record: type | None  # the record type whose fields are the table's columns
    reads: frozenset[str]  # the other schema objects its statement names


_CREATES = re.compile(r"\bcreate\s+(?:or\s+replace\s+)?(?:table|view|macro|sequence)\s+(?:if\s+not\s+exists\s+)?(\w+)",
                      re.I)
# A raw table's columns are its record's fields (connectors/records.py): written once, there.
_COLUMNS_OF = re.compile(r"\{\{\s*columns_of\('(\w+)'\)\s*\}\}")
_COMMENT = re.compile(r"--[^\n]*")


@functools.cache
def schema_objects() -> tuple[SchemaObject, ...]:
    """Every object of tiekeeper's schema, in the order `apply_schema` creates them."""
    return in_dependency_order(resources.files("pipelines") / "sql")


def in_dependency_order(root) -> tuple[SchemaObject, ...]:
    """Every object of the schema's layers under `root` (one per `<layer>/<name>.sql` file), each
    after the objects it reads, whatever the layer or file name; otherwise by layer, then by name."""
    found: dict[str, SchemaObject] = {}
    for layer in SCHEMA_LAYERS:
        if not (root / layer).is_dir():
            continue
        for file in (root / layer).iterdir():
            if not file.name.endswith(".sql"):
                continue
            text = file.read_text(encoding="utf-8")
            created = [m.group(1).lower() for m in _CREATES.finditer(_COMMENT.sub("", text))]
            if created != [file.name[:-4]]:
                raise WarehouseError(f"{layer}/{file.name}: creates {', '.join(created) or 'nothing'}; a schema "
                                     f"file creates one object and is named for it")
            record_type = None
            if columns := _COLUMNS_OF.search(text):
                record_type = getattr(records, columns.group(1))
                text = _COLUMNS_OF.sub(_column_definitions(record_type), text)
            found[created[0]] = SchemaObject(created[0], layer, text, record_type, frozenset())
    words = {name: set(re.findall(r"\w+", _COMMENT.sub("", obj.sql).lower())) for name, obj in found.items()}
    found = {name: obj._replace(reads=frozenset((words[name] & found.keys()) - {name}))
             for name, obj in found.items()}
    ordered: list[SchemaObject] = []
    done: set[str] = set()
    waiting = sorted(found.values(), key=lambda o: (SCHEMA_LAYERS.index(o.layer), o.name))
    while waiting:
        ready = next((o for o in waiting if o.reads <= done), None)
        if ready is None:
            raise WarehouseError("schema objects read each other in a circle: "
                                 + ", ".join(f"{o.name} reads {', '.join(sorted(o.reads - done))}" for o in waiting))
        ordered.append(ready)
        done.add(ready.name)
        waiting.remove(ready)
    return tuple(ordered)


def _column_definitions(record_type: type) -> str:
    """The columns of a raw table holding `record_type`: its fields, then when which run loaded it."""
    from pipelines.batches import sql_columns
    columns = [*sql_columns(record_type), ("_run_id", "bigint", True), ("_loaded_at", "timestamptz", True)]
    return ",\n    ".join(f'"{name}" {sql_type}{" not null" if required else ""}'
                          for name, sql_type, required in columns)


def load_statement(table: str) -> str:
    """The statement in `sql/load/` that merges `batch`, an Arrow table of records, into `table`:
    the file `<table>.sql`, or the one whose first line says `-- loads <table>, ...` (tables of
    one shape loaded alike), with `{{ this }}` standing for the table."""
    return _load_statements()[table]


@functools.cache
def _load_statements() -> dict[str, str]:
    statements = {}
    for file in _sql_dir("load").iterdir():
        if file.name.endswith(".sql"):
            text = file.read_text(encoding="utf-8")
            shared = re.match(r"-- loads (\w+(?:, \w+)*)\b", text)
            for table in shared.group(1).split(", ") if shared else [file.name[:-4]]:
                statements[table] = text.replace("{{ this }}", table)
    return statements


def _sql_dir(layer: str):
    return resources.files("pipelines") / "sql" / layer


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
