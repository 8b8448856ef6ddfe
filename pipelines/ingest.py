"""Loading a source into the warehouse: one connector run = one transaction.

The run streams the connector's records in Arrow batches into the raw tables through the merge
statements in `sql/load/`, keeps rejected items in `rejected_records`, counts skipped ones, and
records itself in `ingest_runs`. Input files whose exact content was ingested before are not read
again, and a file that grew at the end since (an mbox) is read only from where it grew. Any error
rolls the whole run back: the database is then exactly as before. How each source is read, and
which raw table takes each of its record types, is the registry's (pipelines/sources.py).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import duckdb
import pyarrow as pa

from connectors import SourceError
from connectors.records import Rejected, Skipped
from pipelines.batches import to_arrow, with_constants
from pipelines.config import Config
from pipelines.progress import byte_progress, count_progress
from pipelines.sources import SOURCES, Source
from pipelines.warehouse import load_statement, transaction

log = logging.getLogger("tiekeeper.ingest")

BATCH_ROWS = 20_000
CHECKPOINT_ROWS = 5_000  # an API source commits what it has every so often: an interrupted run resumes


@dataclass
class IngestSummary:
    source: str
    noun: str
    inputs: list[str]
    run_id: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    files_grown: int = 0  # of the files read, those read only past the part loaded before
    records_read: int = 0
    loaded: int = 0
    updated: int = 0
    duplicates: int = 0
    removed: int = 0  # API sources: rows removed because the source deleted them
    skipped_by_reason: Counter = field(default_factory=Counter)
    rejected: int = 0
    seconds: float = 0.0
    cursor: str | None = None  # API sources: where the next run starts

    @property
    def skipped(self) -> int:
        return sum(self.skipped_by_reason.values())

    def line(self) -> str:
        """The one summary line every ingest ends with."""
        files = f"{self.files_read} file{'s' * (self.files_read != 1)} read"
        if self.files_grown:
            files += f" ({self.files_grown} only where {'it' if self.files_grown == 1 else 'they'} grew)"
        if self.files_unchanged:
            files += f", {self.files_unchanged} unchanged and skipped"
        figures = [f"{self.loaded:,} loaded"]
        if self.updated:
            figures.append(f"{self.updated:,} updated")
        if self.removed:
            figures.append(f"{self.removed:,} removed")
        figures += [f"{self.duplicates:,} duplicates", f"{self.skipped:,} skipped", f"{self.rejected:,} rejected"]
        reasons = "; ".join(f"{n:,} {reason}" for reason, n in self.skipped_by_reason.most_common())
        return (f"{self.source}: {self.records_read:,} {self.noun} from {files}: {', '.join(figures)}"
                + (f" (skipped: {reasons})" if reasons else "") + f" in {self.seconds:.1f} s")


def ingest(con: duckdb.DuckDBPyConnection, source_name: str, paths: Iterable[Path], config: Config,
           *, now: dt.datetime | None = None, show_progress: bool = True) -> IngestSummary:
    """Ingests `paths` of one source in one transaction and returns what happened."""
    source = SOURCES[source_name]
    if source.api:
        return _ingest_api(con, source, config, now=now, show_progress=show_progress)
    paths = input_files(source_name, paths, config)
    # A file that begins with a file loaded before is read only from where it grew; which loaded
    # files it begins with is found in the same read as its fingerprint.
    loaded = loaded_by_size(con, source_name) if source.continues_at else {}
    prefixes: dict[Path, list[int]] = {}

    def fingerprint_of(path: Path) -> tuple[str, int]:
        content_sha256, size, prefixes[path] = fingerprint_and_prefixes(path, loaded)
        return content_sha256, size

    with file_run(con, source_name, paths, fingerprint_of) as run:
        if run.todo:
            starts = {path: start for path in run.todo if (start := grown_from(source, path, prefixes[path]))}
            run.summary.files_grown = len(starts)
            total = sum(run.fingerprints[p][1] - starts.get(p, 0) for p in run.todo)
            with byte_progress(source_name, total) if show_progress else nullcontext() as advance:
                records = source.read(run.todo, config, now or run.started_at, advance,
                                      **({"starts": starts} if source.continues_at else {}))
                _load(con, source, records, run.summary, run.started_at)
    _warn_if_empty(run)
    return run.summary


def _warn_if_empty(run: FileRun) -> None:
    """An input with nothing in it is more likely a wrong file or an unfinished export than a quiet
    week: say so rather than report a success."""
    summary = run.summary
    if run.todo and summary.records_read == 0:
        log.warning("%s: no %s in %s: nothing was loaded (is it the right file, or an empty export?)",
                    summary.source, summary.noun, ", ".join(str(p) for p in run.todo))
        return
    for path in run.todo:
        if run.fingerprints[path][1] == 0:
            log.warning("%s: %s is empty: nothing was loaded from it", summary.source, path)


class FileRun(NamedTuple):
    summary: IngestSummary  # run_id set; the block adds what it loaded
    todo: list[Path]  # the input files whose content was not ingested before: to be loaded
    fingerprints: dict[Path, tuple[str, int]]  # every input file's (sha256, bytes)
    started_at: dt.datetime  # also the loaded rows' `_loaded_at`


@contextlib.contextmanager
def file_run(con, source_name: str, paths: list[Path],
             fingerprint_of: Callable[[Path], tuple[str, int]]) -> Iterator[FileRun]:
    """One run of a file source over `paths`, in one transaction. The block loads `todo`; when it
    ends, those files and the run are recorded. An error in the block undoes the whole run.
    `fingerprint_of` gives a file's (sha256, bytes): `fingerprint` reads the file, a loader of files
    extracted elsewhere knows them already."""
    started_at, started = dt.datetime.now(dt.timezone.utc), time.monotonic()
    summary = IngestSummary(source_name, SOURCES[source_name].noun, [str(p) for p in paths])
    with transaction(con):
        summary.run_id = con.execute("select nextval('ingest_run_ids')").fetchall()[0][0]
        fingerprints = {path: fingerprint_of(path) for path in paths}
        unchanged = already_ingested(con, source_name, [h for h, _ in fingerprints.values()])
        todo = [p for p in paths if fingerprints[p][0] not in unchanged]
        summary.files_read, summary.files_unchanged = len(todo), len(paths) - len(todo)
        yield FileRun(summary, todo, fingerprints, started_at)
        _record_files(con, source_name, {p: fingerprints[p] for p in todo}, summary.run_id)
        summary.seconds = time.monotonic() - started
        _record_run(con, summary, started_at)


def _ingest_api(con, source: Source, config: Config, *, now: dt.datetime | None,
                show_progress: bool) -> IngestSummary:
    """An API source: resumes from the cursor of its last run, commits what it has every
    CHECKPOINT_ROWS rows (so an interrupted sync resumes without fetching it again), and stores the
    new cursor only in the last transaction, with the run."""
    started_at, started = dt.datetime.now(dt.timezone.utc), time.monotonic()
    summary = IngestSummary(source.name, source.noun, [f"{source.name} API"])
    cursor = next(iter(con.execute("select \"cursor\" from ingest_runs where source = ? and \"cursor\" is not null "
                                   "order by run_id desc limit 1", [source.name]).fetchall()), (None,))[0]

    known = _StoredGmailIds(con) if source.name == "gmail" else _stored_outlook_items(con)

    with transaction(con):
        summary.run_id = con.execute("select nextval('ingest_run_ids')").fetchall()[0][0]
        summary.cursor = cursor
        with count_progress(source.name, source.noun) if show_progress else nullcontext() as counts:
            advance = (counts.update if source.name == "gmail" else counts.advance) if counts else None
            records = source.read([], config, now or started_at, advance, cursor, known)
            _load(con, source, records, summary, started_at, checkpoint=True)
        summary.seconds = time.monotonic() - started
        _record_run(con, summary, started_at)
    return summary


class _StoredGmailIds:
    """What the Gmail connector asks of the database: `known(ids)`, the ids stored from the API or a
    Takeout export (not fetched again); `mirrored()`, every id stored from the API."""

    def __init__(self, con):
        self.con = con

    def __call__(self, ids: list[str]) -> set[str]:
        return {i for (i,) in self.con.execute("""
            select gmail_id from raw_gmail__messages where gmail_id in (select unnest(?::varchar[]))
            union select gmail_id from raw_mbox__messages where gmail_id in (select unnest(?::varchar[]))""",
                                               [ids, ids]).fetchall()}

    def mirrored(self) -> set[str]:
        return {i for (i,) in self.con.execute(
            "select gmail_id from raw_gmail__messages where gmail_id is not null").fetchall()}


def _stored_outlook_items(con) -> Callable[[list[str]], set[str]]:
    def stored(item_ids: list[str]) -> set[str]:
        return {i for (i,) in con.execute("select item_id from raw_outlook__messages where item_id in "
                                          "(select unnest(?::varchar[]))", [item_ids]).fetchall()}
    return stored


def _load(con, source: Source, records: Iterator, summary: IngestSummary, loaded_at: dt.datetime, *,
          checkpoint: bool = False) -> None:
    pending: dict[type, list] = {record_type: [] for record_type in source.tables}
    rejected: list[Rejected] = []
    changes: dict[type, list] = {}  # changes to stored rows, applied once the run's rows are in
    ordinal = 0
    markers = _api_markers() if source.api else ()

    # The cycle collector is paused for files only: an API source waits on the network, where the
    # collector costs next to nothing, and its client libraries may well make cycles. A batch merges
    # while the reader goes on, which is safe as file readers never touch the database; an API source
    # (which asks the database what it holds) commits each batch, and so waits for its merge at once.
    with nullcontext() if source.api else _cycle_collector_paused(), \
            _BackgroundMerges(con, summary, loaded_at) as merges:
        def flush(record_type: type) -> None:
            nonlocal ordinal
            rows = pending[record_type]
            merges.start(source.tables[record_type], to_arrow(record_type, rows), ordinal)
            ordinal += len(rows)
            rows.clear()

        def flush_all() -> None:
            for record_type, rows in pending.items():
                if rows:
                    flush(record_type)
            merges.wait()

        for record in records:
            if isinstance(record, markers):
                _api_marker(con, record, summary, changes, flush=flush_all)
                continue
            summary.records_read += 1
            if isinstance(record, Rejected):
                rejected.append(record)
            elif isinstance(record, Skipped):
                summary.skipped_by_reason[record.reason] += 1
            else:
                rows = pending[type(record)]
                rows.append(record)
                if len(rows) >= (CHECKPOINT_ROWS if checkpoint else BATCH_ROWS):
                    flush(type(record))
                    if checkpoint:  # keep what was fetched: an interrupted sync resumes after it
                        merges.wait()
                        con.commit()
                        con.begin()
        flush_all()
    summary.rejected = len(rejected)
    if rejected:
        record_rejects(con, source.name, to_arrow(Rejected, rejected), summary.run_id, loaded_at)
    for marker, apply in _change_appliers():
        if changes.get(marker):
            apply(con, changes[marker], summary, loaded_at)


class _BackgroundMerges:
    """Merges batches into the database on a second thread while the caller reads the next batch:
    DuckDB lets go of the GIL while it works, so on a machine with two cores or more the merging
    costs the load little beyond the reading. One batch merges at a time, in order; `wait` returns
    when it is done (and raises its error), and the connection is the caller's again."""

    def __init__(self, con, summary: IngestSummary, loaded_at: dt.datetime):
        self.con, self.summary, self.loaded_at = con, summary, loaded_at
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiekeeper-merge")
        self.running: Future | None = None

    def __enter__(self) -> _BackgroundMerges:
        return self

    def start(self, table: str, records: pa.Table, first_ordinal: int) -> None:
        """Merges `records` into `table` as `merge_batch` does, once the batch before is in."""
        self.wait()
        self.running = self.thread.submit(merge_batch, self.con, table, records, self.summary, self.loaded_at,
                                          first_ordinal)

    def wait(self) -> None:
        running, self.running = self.running, None
        if running is not None:
            running.result()

    def __exit__(self, *error) -> None:
        self.thread.shutdown(wait=True)  # on an error too: the transaction is rolled back only after


@contextlib.contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Records hold no reference cycles, so reference counting frees them; but a batch of them waiting
    to be merged is some hundred thousand containers, which Python's cycle collector would walk again
    and again (a sixth of the time of a mailbox's load). It is off during the block and runs after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def merge_batch(con, table: str, records: pa.Table, summary: IngestSummary, loaded_at: dt.datetime,
                first_ordinal: int) -> None:
    """Merges `records` (a record type's columns, as `to_arrow` makes them) into the raw `table`
    through its load statement, as rows of `summary`'s run; counts in `summary` what was loaded,
    updated or found duplicate. `_ordinal` numbers the rows from `first_ordinal` (within a batch,
    the first of two copies wins)."""
    batch = with_constants(records, _run_id=summary.run_id, _loaded_at=loaded_at)
    batch = batch.append_column("_ordinal", pa.array(range(first_ordinal, first_ordinal + batch.num_rows), pa.int64()))
    # The statement reads the local `batch` (DuckDB finds an Arrow table a query names among the caller's
    # variables), not a registered one: DuckDB keeps what a transaction drops from its catalog until
    # the transaction ends, and with it every batch a run registered (550 MB at a million messages).
    actions = Counter(action for (action,) in con.execute(load_statement(table)).fetchall())
    summary.loaded += actions["INSERT"]
    summary.updated += actions["UPDATE"]
    summary.duplicates += batch.num_rows - actions["INSERT"] - actions["UPDATE"]


@contextlib.contextmanager
def _registered(con, name: str, table: pa.Table) -> Iterator[None]:
    """`table` readable as `name` in the block. After an error the name is left to the rollback
    that follows, which drops it: unregistering it in the failed transaction would raise again and
    hide the error that matters."""
    con.register(name, table)
    yield
    con.unregister(name)


def _api_markers() -> tuple[type, ...]:
    """What an API source yields besides rows: cursors, resyncs and changes to stored rows."""
    from connectors.gcal import FullResync, SyncToken
    from connectors.gmail import GmailCursor
    from connectors.outlook import OutlookCursor, OutlookFolderGone
    from connectors.outlook_calendar import CalendarResync, OutlookCalendarCursor
    return (GmailCursor, SyncToken, FullResync, OutlookCursor, OutlookCalendarCursor, OutlookFolderGone,
            CalendarResync, *(marker for marker, _ in _change_appliers()))


def _change_appliers() -> tuple[tuple[type, Callable], ...]:
    """Changes to stored rows, by marker, in the order they are applied at the end of a run."""
    from connectors.gcal import CancelledOccurrence
    from connectors.gmail import LabelsChanged, MessageDeleted
    from connectors.outlook import OutlookRemoved
    from connectors.outlook_calendar import OutlookEventRemoved
    from connectors.records import OutlookMessageChange
    return ((CancelledOccurrence, _cancel_occurrences), (LabelsChanged, _relabel_gmail),
            (MessageDeleted, _delete_gmail), (OutlookMessageChange, _change_outlook),
            (OutlookRemoved, _remove_outlook), (OutlookEventRemoved, _remove_outlook_events))


def _api_marker(con, record, summary: IngestSummary, changes: dict[type, list], flush: Callable[[], object]) -> None:
    """Cursors and resyncs take effect at once; changes to stored rows are kept for the end of the run."""
    import json

    from connectors.gcal import FullResync, SyncToken
    from connectors.gmail import GmailCursor
    from connectors.outlook import OutlookCursor, OutlookFolderGone
    from connectors.outlook_calendar import CalendarResync, OutlookCalendarCursor
    if isinstance(record, GmailCursor):
        summary.cursor = record.history_id
    elif isinstance(record, (OutlookCursor, OutlookCalendarCursor)):
        summary.cursor = record.state
    elif isinstance(record, SyncToken):  # one token per calendar, kept together as a JSON object
        tokens = json.loads(summary.cursor) if summary.cursor else {}
        tokens[record.calendar_id] = record.token
        summary.cursor = json.dumps({k: v for k, v in tokens.items() if v}, sort_keys=True)
    elif isinstance(record, FullResync):  # the calendar is read again from scratch: what was stored goes
        flush()
        con.execute("delete from raw_gcal__events where _origin like ?", [f"gcal:{record.calendar_id}:%"])
        summary.skipped_by_reason[f"full resync of {record.calendar_id} ({record.reason})"] += 1
    elif isinstance(record, OutlookFolderGone):  # removed, skipped now, or read again from scratch
        flush()
        gone = con.execute("delete from raw_outlook__messages where folder_id = ? returning 1",
                           [record.folder_id]).fetchall()
        summary.removed += len(gone)
        summary.skipped_by_reason[f"Outlook folder: {record.reason}"] += 1
    elif isinstance(record, CalendarResync):
        flush()
        gone = con.execute("delete from raw_outlook__events returning 1").fetchall()
        summary.removed += len(gone)
        summary.skipped_by_reason[f"full resync of the Outlook calendar ({record.reason})"] += 1
    else:
        changes.setdefault(type(record), []).append(record)


def _change_outlook(con, changed: list, summary: IngestSummary, loaded_at: dt.datetime) -> None:
    """Stored Outlook items take the properties a changes-only delta item gave (None: unchanged)."""
    from connectors.records import OutlookMessageChange
    latest = {change.item_id: change for change in changed}  # the last change of an item wins
    with _registered(con, "changed", to_arrow(OutlookMessageChange, list(latest.values()))):
        updated = con.execute("""
            update raw_outlook__messages as t set
                folder_id = coalesce(c.folder_id, t.folder_id),
                importance = coalesce(c.importance, t.importance),
                is_read = coalesce(c.is_read, t.is_read),
                flag_status = coalesce(c.flag_status, t.flag_status),
                categories = coalesce(c.categories, t.categories),
                inference_classification = coalesce(c.inference_classification, t.inference_classification),
                _run_id = ?, _loaded_at = ?
            from changed as c
            where t.item_id = c.item_id
              and (coalesce(c.folder_id, t.folder_id), coalesce(c.importance, t.importance),
                   coalesce(c.is_read, t.is_read), coalesce(c.flag_status, t.flag_status),
                   coalesce(c.categories, t.categories),
                   coalesce(c.inference_classification, t.inference_classification))
                  is distinct from (t.folder_id, t.importance, t.is_read, t.flag_status, t.categories,
                                    t.inference_classification)
            returning 1""", [summary.run_id, loaded_at]).fetchall()
    summary.updated += len(updated)


def _remove_outlook(con, removed: list, summary: IngestSummary, loaded_at: dt.datetime) -> None:
    """Items gone from a folder; an item since stored in another folder (it moved) stays."""
    table = pa.table({"item_id": [r.item_id for r in removed], "folder_id": [r.folder_id for r in removed]},
                     schema=pa.schema([("item_id", pa.string()), ("folder_id", pa.string())]))
    with _registered(con, "removed", table):
        gone = con.execute("""
            delete from raw_outlook__messages as t using removed as r
            where t.item_id = r.item_id and t.folder_id = r.folder_id
            returning 1""").fetchall()
    summary.removed += len(gone)


def _remove_outlook_events(con, removed: list, summary: IngestSummary, loaded_at: dt.datetime) -> None:
    table = pa.table({"origin": pa.array([r.origin for r in removed], pa.string())})
    with _registered(con, "removed", table):
        gone = con.execute("delete from raw_outlook__events where _origin in (select origin from removed) "
                           "returning 1").fetchall()
    summary.removed += len(gone)


def _relabel_gmail(con, relabelled: list, summary: IngestSummary, loaded_at: dt.datetime) -> None:
    """Stored Gmail messages take their current labels (the last change of each wins)."""
    latest = {change.gmail_id: change.labels for change in relabelled}
    table = pa.table({"gmail_id": list(latest), "labels": list(latest.values())},
                     schema=pa.schema([("gmail_id", pa.string()), ("labels", pa.list_(pa.string()))]))
    with _registered(con, "relabelled", table):
        changed = con.execute("""
            update raw_gmail__messages as t set labels = r.labels, _run_id = ?, _loaded_at = ?
            from relabelled as r
            where t.gmail_id = r.gmail_id and list_sort(t.labels) is distinct from list_sort(r.labels)
            returning 1""", [summary.run_id, loaded_at]).fetchall()
    summary.updated += len(changed)


def _delete_gmail(con, deleted: list, summary: IngestSummary, loaded_at: dt.datetime) -> None:
    """Messages deleted in Gmail: their rows go, and a deletion record hides any Takeout copy."""
    table = pa.table({"gmail_id": pa.array(sorted({d.gmail_id for d in deleted}), pa.string())})
    with _registered(con, "deleted", table):
        removed = con.execute("delete from raw_gmail__messages where gmail_id in (select gmail_id from deleted) "
                              "returning 1").fetchall()
        con.execute("insert or ignore into raw_gmail__deletions select gmail_id, ?, ? from deleted",
                    [loaded_at, summary.run_id])
    summary.removed += len(removed)


def _cancel_occurrences(con, cancelled: list, summary: IngestSummary, loaded_at: dt.datetime) -> None:
    """Cancelled instances and deleted events are kept, marked CANCELLED: the same origin, or for a
    whole series every instance of it."""
    with _registered(con, "cancelled", pa.table({"origin": [c.origin for c in cancelled]})):
        changed = con.execute("""
            update raw_gcal__events set status = 'CANCELLED', _loaded_at = ?
            from cancelled as c
            where (raw_gcal__events._origin = c.origin or raw_gcal__events._origin like c.origin || '\\_%' escape '\\')
              and raw_gcal__events.status is distinct from 'CANCELLED'
            returning 1""", [loaded_at]).fetchall()
    summary.updated += len(changed)


def record_rejects(con, source_name: str, rejected: pa.Table, run_id: int, now: dt.datetime) -> None:
    """Keeps rejected items (`Rejected` records as `to_arrow` makes them); the same item rejected
    again (a re-read file) is kept once."""
    table = with_constants(rejected, source=source_name, run_id=run_id, rejected_at=now)
    with _registered(con, "rejects", table):
        con.execute("""
            insert into rejected_records by name
            select distinct on (source, location, reason, raw) * from rejects r
            where not exists (select 1 from rejected_records k
                              where k.source = r.source and k.location = r.location
                                and k.reason = r.reason and k.raw is not distinct from r.raw)
        """)


def input_files(source_name: str, paths: Iterable[Path], config: Config) -> list[Path]:
    """The files to read: each path must exist; a folder stands for its files of the source's kind."""
    source, files = SOURCES[source_name], []
    for path in (Path(p).expanduser() for p in paths):
        if not path.exists():
            raise SourceError(f"{path}: no such file or folder")
        if path.is_dir() and source.suffixes:
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in source.suffixes)
            if not found:
                raise SourceError(f"{path}: a folder with no {' or '.join(source.suffixes)} files in it")
            files += found
        else:
            files.append(path)
    if not files:
        raise SourceError(f"no {source_name} input given (pass a path, or set [sources] {source_name} "
                          f"in {config.where})")
    return files


def fingerprint(path: Path) -> tuple[str, int]:
    """(sha256 of the content, size in bytes). A folder's content is its files' names and contents."""
    if path.is_file():
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest(), path.stat().st_size
    digest, size = hashlib.sha256(), 0
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        with file.open("rb") as f:
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
            digest.update(hashlib.file_digest(f, "sha256").digest())
        size += file.stat().st_size
    return digest.hexdigest(), size


def loaded_by_size(con, source_name: str) -> dict[int, frozenset[str]]:
    """The content hashes of the (non-empty) files of a source loaded before, by their size in bytes:
    what `fingerprint_and_prefixes` looks for at the start of a file."""
    loaded: dict[int, set[str]] = {}
    for sha256, size in con.execute("select content_sha256, bytes from source_files where source = ? and bytes > 0",
                                    [source_name]).fetchall():
        loaded.setdefault(size, set()).add(sha256)
    return {size: frozenset(hashes) for size, hashes in loaded.items()}


def fingerprint_and_prefixes(path: Path, loaded: Mapping[int, Collection[str]]) -> tuple[str, int, list[int]]:
    """`fingerprint(path)`, and in the same read, at which of the `loaded` sizes (`loaded_by_size`)
    the file's first bytes are the whole content of a file loaded before (ascending). Needs no
    database: a worker of a fanned-out ingest calls it with what the writer passed it."""
    if not path.is_file():
        return *fingerprint(path), []
    size = path.stat().st_size
    sizes = sorted(s for s in loaded if s < size)
    if not sizes:
        return *fingerprint(path), []
    digest, done, found = hashlib.sha256(), 0, []
    with path.open("rb") as file:
        for end in [*sizes, None]:
            while end is None or done < end:
                chunk = file.read(1 << 20 if end is None else min(1 << 20, end - done))
                if not chunk:
                    break
                digest.update(chunk)
                done += len(chunk)
            if end is not None and done == end and digest.copy().hexdigest() in loaded[end]:
                found.append(end)
    return digest.hexdigest(), done, found


def grown_from(source: Source, path: Path, prefixes: list[int]) -> int:
    """Where `path` goes on with a new record past the whole content of a file loaded before
    (`prefixes`, from `fingerprint_and_prefixes`), the latest such point; 0 when it does not (it is
    read whole)."""
    if not source.continues_at:
        return 0
    return max((size for size in prefixes if source.continues_at(path, size)), default=0)


def already_ingested(con, source_name: str, hashes: list[str]) -> set[str]:
    """Which of these content hashes were ingested before as `source_name`."""
    rows = con.execute("select content_sha256 from source_files where source = ? and content_sha256 in "
                       "(select unnest(?::varchar[]))", [source_name, hashes]).fetchall()
    return {h for (h,) in rows}


def _record_files(con, source_name: str, fingerprints: dict[Path, tuple[str, int]], run_id: int) -> None:
    if not fingerprints:
        return
    table = pa.table({
        "source": [source_name] * len(fingerprints),
        "content_sha256": [h for h, _ in fingerprints.values()],
        "path": [str(p.resolve()) for p in fingerprints],
        "bytes": [size for _, size in fingerprints.values()],
        "run_id": [run_id] * len(fingerprints),
    })
    with _registered(con, "files", table):
        con.execute("insert or ignore into source_files by name select * from files")


def _record_run(con, s: IngestSummary, started_at: dt.datetime) -> None:
    reasons = sorted(s.skipped_by_reason.items())
    con.execute(
        """insert into ingest_runs (run_id, source, inputs, started_at, finished_at, seconds, files_read,
                                    files_unchanged, records_read, loaded, updated, duplicates, skipped,
                                    skipped_by_reason, rejected, "cursor", removed)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, map(?::varchar[], ?::bigint[]), ?, ?, ?)""",
        [s.run_id, s.source, s.inputs, started_at, started_at + dt.timedelta(seconds=s.seconds), s.seconds,
         s.files_read, s.files_unchanged, s.records_read, s.loaded, s.updated, s.duplicates, s.skipped,
         [r for r, _ in reasons], [n for _, n in reasons], s.rejected, s.cursor, s.removed])
