"""Loading a source into the warehouse: one connector run = one transaction.

The run streams the connector's records in Arrow batches into the raw tables through the merge
statements in `sql/load/`, keeps rejected items in `rejected_records`, counts skipped ones, and
records itself in `ingest_runs`. Input files whose exact content was ingested before are not read
again. Any error rolls the whole run back: the database is then exactly as before.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import Counter
from contextlib import nullcontext
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from connectors import SourceError
from connectors.records import (CalendarEvent, LinkedInConnection, LinkedInInvitation, LinkedInMessage,
                                MailMessage, Rejected, Skipped)
from pipelines.batches import to_arrow
from pipelines.config import Config
from pipelines.progress import byte_progress
from pipelines.warehouse import load_statement, transaction

BATCH_ROWS = 20_000
# A run is one transaction, which DuckDB holds in memory until it can spill: capped so that a
# multi-GB mailbox ingests within a few hundred MB (measured in benchmarks/bench_mbox.py).
INGEST_MEMORY_LIMIT = "256MB"
ICS_YEARS_BACK = 3  # recurring events are expanded from this far back ...
ICS_DAYS_AHEAD = 90  # ... to this far ahead of the run


@dataclass(frozen=True)
class Source:
    """A file source: how to read it, and which raw table takes each record type."""

    name: str
    noun: str  # what its records are, for the summary line
    read: Callable[..., Iterator]  # read(paths, config, now, progress) -> records
    tables: dict[type, str]
    suffix: str | None = None  # a folder given for this source means its files with this suffix


def _read_linkedin(paths, config: Config, now, progress):
    from connectors.linkedin import read_export
    for path in paths:
        yield from read_export(path, tz=config.owner.tz, progress=progress)


def _read_mbox(paths, config: Config, now, progress):
    from connectors.mbox import read_mbox
    return read_mbox(paths, progress=progress)


def _read_ics(paths, config: Config, now, progress):
    from connectors.ics import read_ics
    window = (now - dt.timedelta(days=365 * ICS_YEARS_BACK), now + dt.timedelta(days=ICS_DAYS_AHEAD))
    return read_ics(paths, tz=config.owner.tz, window=window, progress=progress)


SOURCES = {
    source.name: source for source in (
        Source("linkedin", "records", _read_linkedin, {
            LinkedInConnection: "raw_linkedin__connections",
            LinkedInMessage: "raw_linkedin__messages",
            LinkedInInvitation: "raw_linkedin__invitations",
        }),
        Source("mbox", "messages", _read_mbox, {MailMessage: "raw_mbox__messages"}, suffix=".mbox"),
        Source("ics", "events", _read_ics, {CalendarEvent: "raw_ics__events"}, suffix=".ics"),
    )
}


@dataclass
class IngestSummary:
    source: str
    noun: str
    inputs: list[str]
    run_id: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    records_read: int = 0
    loaded: int = 0
    updated: int = 0
    duplicates: int = 0
    skipped_by_reason: Counter = field(default_factory=Counter)
    rejected: int = 0
    seconds: float = 0.0

    @property
    def skipped(self) -> int:
        return sum(self.skipped_by_reason.values())

    def line(self) -> str:
        """The one summary line every ingest ends with."""
        files = f"{self.files_read} file{'s' * (self.files_read != 1)} read"
        if self.files_unchanged:
            files += f", {self.files_unchanged} unchanged and skipped"
        figures = [f"{self.loaded:,} loaded"]
        if self.updated:
            figures.append(f"{self.updated:,} updated")
        figures += [f"{self.duplicates:,} duplicates", f"{self.skipped:,} skipped", f"{self.rejected:,} rejected"]
        reasons = "; ".join(f"{n:,} {reason}" for reason, n in self.skipped_by_reason.most_common())
        return (f"{self.source}: {self.records_read:,} {self.noun} from {files}: {', '.join(figures)}"
                + (f" (skipped: {reasons})" if reasons else "") + f" in {self.seconds:.1f} s")


def ingest(con: duckdb.DuckDBPyConnection, source_name: str, paths: Iterable[Path], config: Config,
           *, now: dt.datetime | None = None, show_progress: bool = True) -> IngestSummary:
    """Ingests `paths` of one source in one transaction and returns what happened."""
    source = SOURCES[source_name]
    paths = input_files(source_name, paths, config)
    started_at, started = dt.datetime.now(dt.timezone.utc), time.monotonic()
    now = now or started_at
    summary = IngestSummary(source_name, source.noun, [str(p) for p in paths])

    with transaction(con, memory_limit=INGEST_MEMORY_LIMIT):
        summary.run_id = con.execute("select nextval('ingest_run_ids')").fetchall()[0][0]
        fingerprints = {path: _fingerprint(path) for path in paths}
        unchanged = _already_ingested(con, source_name, fingerprints.values())
        todo = [p for p in paths if fingerprints[p][0] not in unchanged]
        summary.files_read, summary.files_unchanged = len(todo), len(paths) - len(todo)
        if todo:
            total = sum(fingerprints[p][1] for p in todo)
            with byte_progress(source_name, total) if show_progress else nullcontext() as advance:
                _load(con, source, source.read(todo, config, now, advance), summary, started_at)
        _record_files(con, source_name, {p: fingerprints[p] for p in todo}, summary.run_id)
        summary.seconds = time.monotonic() - started
        _record_run(con, summary, started_at)
    return summary


def _load(con, source: Source, records: Iterator, summary: IngestSummary, loaded_at: dt.datetime) -> None:
    pending: dict[type, list] = {record_type: [] for record_type in source.tables}
    rejected: list[Rejected] = []
    ordinal = 0

    def flush(record_type: type) -> None:
        nonlocal ordinal
        rows = pending[record_type]
        batch = to_arrow(record_type, rows, _run_id=summary.run_id, _loaded_at=loaded_at)
        batch = batch.append_column("_ordinal", pa.array(range(ordinal, ordinal + len(rows)), pa.int64()))
        ordinal += len(rows)
        con.register("batch", batch)
        try:
            actions = Counter(action for (action,) in con.execute(load_statement(source.tables[record_type])).fetchall())
        finally:
            con.unregister("batch")
        summary.loaded += actions["INSERT"]
        summary.updated += actions["UPDATE"]
        summary.duplicates += len(rows) - actions["INSERT"] - actions["UPDATE"]
        rows.clear()

    for record in records:
        summary.records_read += 1
        if isinstance(record, Rejected):
            rejected.append(record)
        elif isinstance(record, Skipped):
            summary.skipped_by_reason[record.reason] += 1
        else:
            rows = pending[type(record)]
            rows.append(record)
            if len(rows) >= BATCH_ROWS:
                flush(type(record))
    for record_type, rows in pending.items():
        if rows:
            flush(record_type)
    summary.rejected = len(rejected)
    if rejected:
        _record_rejects(con, source.name, rejected, summary.run_id, loaded_at)


def _record_rejects(con, source_name: str, rejected: list[Rejected], run_id: int, now: dt.datetime) -> None:
    """Keeps rejected items; the same item rejected again (a re-read file) is kept once."""
    table = to_arrow(Rejected, rejected, source=source_name, run_id=run_id, rejected_at=now)
    con.register("rejects", table)
    try:
        con.execute("""
            insert into rejected_records by name
            select distinct on (source, location, reason, raw) * from rejects r
            where not exists (select 1 from rejected_records k
                              where k.source = r.source and k.location = r.location
                                and k.reason = r.reason and k.raw is not distinct from r.raw)
        """)
    finally:
        con.unregister("rejects")


def input_files(source_name: str, paths: Iterable[Path], config: Config) -> list[Path]:
    """The files to read: each path must exist; a folder stands for its files of the source's kind."""
    source, files = SOURCES[source_name], []
    for path in (Path(p).expanduser() for p in paths):
        if not path.exists():
            raise SourceError(f"{path}: no such file or folder")
        if path.is_dir() and source.suffix:
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == source.suffix)
            if not found:
                raise SourceError(f"{path}: a folder with no {source.suffix} files in it")
            files += found
        else:
            files.append(path)
    if not files:
        raise SourceError(f"no {source_name} input given (pass a path, or set [sources] {source_name} "
                          f"in {config.path or 'tiekeeper.toml'})")
    return files


def _fingerprint(path: Path) -> tuple[str, int]:
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


def _already_ingested(con, source_name: str, fingerprints) -> set[str]:
    hashes = [h for h, _ in fingerprints]
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
    con.register("files", table)
    try:
        con.execute("insert or ignore into source_files by name select * from files")
    finally:
        con.unregister("files")


def _record_run(con, s: IngestSummary, started_at: dt.datetime) -> None:
    reasons = sorted(s.skipped_by_reason.items())
    con.execute(
        """insert into ingest_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                                           map(?::varchar[], ?::bigint[]), ?, null)""",
        [s.run_id, s.source, s.inputs, started_at, started_at + dt.timedelta(seconds=s.seconds), s.seconds,
         s.files_read, s.files_unchanged, s.records_read, s.loaded, s.updated, s.duplicates, s.skipped,
         [r for r, _ in reasons], [n for _, n in reasons], s.rejected])
