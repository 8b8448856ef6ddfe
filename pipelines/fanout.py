"""Many input files at once (a team's mailboxes): extraction fanned out, one loader writing DuckDB.

    input files --> extract_partition, one task per file, in parallel on a Dask cluster
                    (a file whose content the database already has is only hashed, not read;
                    an mbox that grew past a file loaded before is read from there on)
                    --> <partitions>/<raw table>/<sha256>.parquet, rejected_records/<sha256>.parquet,
                        manifests/<sha256>.json (written last: a partition without it is unfinished)
                --> load_partitions, in one process and one transaction --> the DuckDB file

Reading the files (parsing headers, expanding calendars) is the slow part and needs no database, so
it is what is spread over processes or machines. DuckDB admits one writing process per file, so
the merge stays in one process, through the statements `tiekeeper ingest` uses: the database ends
up as a plain ingest of the same files leaves it. docs/scaling.md says when this is worth it, and
what takes over when one writer is not enough.

`extract_partition` and `load_partitions` are plain functions; `fan_out_ingest` is the Prefect flow
that runs them (`pip install tiekeeper[scale]` for prefect-dask).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from prefect import flow, task, unmapped
from prefect.cache_policies import NO_CACHE

from connectors.records import Rejected, Skipped
from pipelines.batches import arrow_schema, to_arrow
from pipelines.config import DEFAULT_CONFIG, Config, load_config, parse_as_of, run_settings
from pipelines.ingest import (
    BATCH_ROWS,
    SOURCES,
    IngestSummary,
    file_run,
    fingerprint_and_prefixes,
    grown_from,
    input_files,
    loaded_by_size,
    merge_batch,
    record_rejects,
)
from pipelines.metrics import refresh_metrics
from pipelines.people import refresh_people
from pipelines.warehouse import connect_writer, writer_lock

REJECTED = "rejected_records"  # the folder of rejected items, named for the table they go to
MANIFESTS = "manifests"
TEMP_SUFFIX = ".tmp"  # a file still being written; never listed in a manifest


# -- extraction: one input file, any process --------------------------------------------------------

@dataclass(frozen=True)
class Partition:
    """One input file extracted: its content's fingerprint, the Parquet files of its records, and
    what the loader reports about it. Read from its manifest. A `known` partition is a file whose
    content was ingested before: fingerprinted only, it has no records."""

    manifest: Path
    source: str
    input: str  # the input file, as given to extract_partition
    content_sha256: str
    bytes: int
    records_read: int  # every record the connector yielded: rows, rejected and skipped
    rejected: int
    skipped_by_reason: dict[str, int]
    files: dict[str, Path]  # raw table (or rejected_records) -> its Parquet file
    worker_pid: int  # the process that extracted it
    known: bool = False
    grown_from: int = 0  # the byte it was read from: past a file loaded before that it begins with (0: whole)


def extract_partition(source_name: str, path: Path, out_dir: Path, config: Config, *,
                      now: dt.datetime | None = None, batch_rows: int = BATCH_ROWS,
                      known: Collection[str] = (), loaded: Mapping[int, Collection[str]] | None = None) -> Path:
    """Reads one input file with its source's connector and writes its records under `out_dir`:
    one Parquet file per raw table and one of rejected items, named by a hash of the file's content
    and path, `batch_rows` records at a time. Returns the manifest, written last; every file is written
    under a temporary name and renamed when whole, so a killed worker leaves no partition the
    loader would read. A file whose content hash is in `known` (ingested before) is not read: its
    manifest says so. A file that begins with the whole content of a file in `loaded` (the hashes of
    the files loaded before, by size: `ingest.loaded_by_size`) and goes on with a new record is read
    from there on, as `tiekeeper ingest` reads it. `now` places the calendar window (default: now)."""
    source = SOURCES[source_name]
    if source.api:
        raise ValueError(f"{source_name}: an API source has no files to extract")
    path, out_dir = Path(path), Path(out_dir)
    content_sha256, size, prefixes = fingerprint_and_prefixes(path, (loaded or {}) if source.continues_at else {})
    is_known = content_sha256 in known
    start = 0 if is_known else grown_from(source, path, prefixes)
    # Named by content and input: two inputs with the same content are two partitions, as in a plain ingest.
    name = hashlib.sha256(f"{content_sha256}\0{path}".encode()).hexdigest()
    writer = _PartitionWriter(out_dir, name, batch_rows)
    records_read, rejected, skipped = 0, 0, Counter()
    try:
        records = () if is_known else source.read([path], config, now or dt.datetime.now(dt.timezone.utc), None,
                                                  **({"starts": {path: start}} if start else {}))
        for record in records:
            records_read += 1
            if isinstance(record, Skipped):
                skipped[record.reason] += 1
            elif isinstance(record, Rejected):
                rejected += 1
                writer.add(REJECTED, record)
            else:
                writer.add(source.tables[type(record)], record)
        files = writer.commit()
    except BaseException:
        writer.abort()
        raise
    manifest = {"source": source_name, "input": str(path), "content_sha256": content_sha256, "bytes": size,
                "records_read": records_read, "rejected": rejected, "skipped_by_reason": dict(skipped),
                "files": files, "worker_pid": os.getpid(), "known": is_known, "grown_from": start}
    target = out_dir / MANIFESTS / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_name(target)
    temp.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.replace(temp, target)
    return target


class _PartitionWriter:
    """The Parquet files of one partition: one per table, each written in batches under a temporary
    name, and renamed to `<table>/<name>.parquet` by `commit`."""

    def __init__(self, out_dir: Path, name: str, batch_rows: int):
        self.out_dir, self.name, self.batch_rows = out_dir, name, batch_rows
        self.pending: dict[str, tuple[type, list]] = {}
        self.open: dict[str, tuple[pq.ParquetWriter, Path, Path]] = {}  # table -> (writer, temp, final)

    def add(self, table: str, record) -> None:
        rows = self.pending.setdefault(table, (type(record), []))[1]
        rows.append(record)
        if len(rows) >= self.batch_rows:
            self._flush(table)

    def _flush(self, table: str) -> None:
        record_type, rows = self.pending[table]
        if table not in self.open:
            final = self.out_dir / table / f"{self.name}.parquet"
            final.parent.mkdir(parents=True, exist_ok=True)
            temp = _temp_name(final)
            self.open[table] = (pq.ParquetWriter(temp, arrow_schema(record_type)), temp, final)
        self.open[table][0].write_table(to_arrow(record_type, rows))
        rows.clear()

    def commit(self) -> dict[str, str]:
        """Writes what is pending, renames every file into place; returns them by table, relative
        to the partitions folder."""
        for table, (_, rows) in self.pending.items():
            if rows:
                self._flush(table)
        for writer, temp, final in self.open.values():
            writer.close()
            os.replace(temp, final)
        return {table: final.relative_to(self.out_dir).as_posix() for table, (_, _, final) in self.open.items()}

    def abort(self) -> None:
        for writer, temp, _ in self.open.values():
            writer.close()
            temp.unlink(missing_ok=True)


def _temp_name(final: Path) -> Path:
    # Unique per writer: two workers extracting the same content never write the same file.
    return final.with_name(f"{final.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}{TEMP_SUFFIX}")


def read_partition(manifest: Path) -> Partition:
    """The partition a manifest describes; its files are relative to the manifest's partitions folder."""
    manifest = Path(manifest)
    data = json.loads(manifest.read_text(encoding="utf-8"))
    root = manifest.parent.parent
    return Partition(manifest=manifest, source=data["source"], input=data["input"],
                     content_sha256=data["content_sha256"], bytes=data["bytes"],
                     records_read=data["records_read"], rejected=data["rejected"],
                     skipped_by_reason=data["skipped_by_reason"],
                     files={table: root / name for table, name in data["files"].items()},
                     worker_pid=data["worker_pid"], known=data["known"], grown_from=data.get("grown_from", 0))


def remove_partition(partition: Partition) -> None:
    """Deletes a partition (once loaded, its records are in the database): manifest first, so it
    is never half there."""
    partition.manifest.unlink(missing_ok=True)
    for file in partition.files.values():
        file.unlink(missing_ok=True)


def clear_partitions(out_dir: Path) -> list[Path]:
    """Deletes every partition file under `out_dir` (manifests first) and every temporary file a
    killed worker left; returns them. Before a run, under the writer lock: whatever is there then
    is from a run that did not finish, and holds copies of personal data."""
    out_dir, name = Path(out_dir), "[0-9a-f]" * 64  # partition files are named by a sha256: nothing else goes
    files = [*out_dir.glob(f"{MANIFESTS}/{name}.json"), *out_dir.glob(f"*/{name}.parquet"),
             *out_dir.glob(f"*/{name}.*{TEMP_SUFFIX}")]
    for file in files:
        file.unlink(missing_ok=True)
    return files


# -- loading: one process, one transaction --------------------------------------------------------

def load_partitions(con: duckdb.DuckDBPyConnection, source_name: str, partitions: Iterable[Path]) -> IngestSummary:
    """Loads extracted partitions (their manifests) of one source in one ingest run, as
    `pipelines.ingest.ingest` would load their input files: the same merges, rejected items kept,
    skipped ones counted, the files and the run recorded. A partition whose content was ingested
    before is not loaded again, and is counted as unchanged."""
    extracted: dict[Path, Partition] = {}
    for manifest in partitions:
        partition = read_partition(manifest)
        if partition.source != source_name:
            raise ValueError(f"{manifest}: a {partition.source} partition, not {source_name}")
        extracted[Path(partition.input)] = partition
    fingerprints = {path: (p.content_sha256, p.bytes) for path, p in extracted.items()}
    with file_run(con, source_name, list(fingerprints), fingerprints.__getitem__) as run:
        ordinal = 0
        for path in run.todo:
            if extracted[path].known:
                raise ValueError(f"{path}: extracted as ingested before, but its content is not in this database "
                                 "(extract it again)")
            ordinal = _load_partition(con, extracted[path], run.summary, run.started_at, ordinal)
        run.summary.files_grown = sum(1 for path in run.todo if extracted[path].grown_from)
    return run.summary


def _load_partition(con, partition: Partition, summary: IngestSummary, loaded_at: dt.datetime,
                    ordinal: int) -> int:
    """Merges one partition's files batch by batch; returns the next row ordinal."""
    tables = set(SOURCES[partition.source].tables.values())
    for table, file in partition.files.items():
        if table == REJECTED:
            record_rejects(con, partition.source, pq.read_table(file), summary.run_id, loaded_at)
            continue
        if table not in tables:
            raise ValueError(f"{partition.manifest}: {table} is not a {partition.source} table")
        with pq.ParquetFile(file) as parquet:
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
                merge_batch(con, table, pa.Table.from_batches([batch]), summary, loaded_at, ordinal)
                ordinal += batch.num_rows
    summary.records_read += partition.records_read
    summary.rejected += partition.rejected
    summary.skipped_by_reason.update(partition.skipped_by_reason)
    return ordinal


def known_contents(con: duckdb.DuckDBPyConnection, source_name: str) -> set[str]:
    """The content hashes of every file ingested before as `source_name`: the workers skip those."""
    return {h for (h,) in con.execute("select content_sha256 from source_files where source = ?",
                                      [source_name]).fetchall()}


# -- the flow -------------------------------------------------------------------------------------

@dataclass
class FanOutResult:
    summary: IngestSummary
    extracted: list[Partition]  # the files this run read (and whose partitions it removed once loaded)


def default_partitions_dir(db: Path) -> Path:
    return db.with_name(f"{db.stem}.partitions")


def dask_task_runner(workers: int, address: str | None = None):
    """A Dask task runner: a local cluster of `workers` single-threaded processes (the connectors
    are CPU-bound Python), or the existing cluster whose scheduler is at `address`."""
    from prefect_dask import DaskTaskRunner
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "processes": True, "threads_per_worker": 1,
                                          "dashboard_address": None})


@task(name="extract-partition", task_run_name="extract {path}", cache_policy=NO_CACHE)
def extract_task(source: str, path: str, out_dir: str, config_path: str, now: dt.datetime,
                 known: frozenset[str], loaded: dict[int, frozenset[str]]) -> str:
    # Only plain values cross to the worker: it reads the config and the file itself.
    config = load_config(Path(config_path), required=True)
    return str(extract_partition(source, Path(path), Path(out_dir), config, now=now, known=known, loaded=loaded))


@flow(name="extract-partitions", description="One extraction task per input file, on the flow's task runner.")
def extract_partitions(source: str, paths: list[str], out_dir: str, config_path: str, now: dt.datetime,
                       known: frozenset[str] = frozenset(),
                       loaded: dict[int, frozenset[str]] | None = None) -> list[str]:
    futures = extract_task.map(unmapped(source), paths, unmapped(out_dir), unmapped(config_path), unmapped(now),
                               unmapped(known), unmapped(loaded or {}))
    return [future.result() for future in futures]  # in input order; the first failure is raised


@task(name="load-partitions", cache_policy=NO_CACHE)
def load_task(source: str, manifests: list[str], db: Path, config: Config,
              as_of: dt.datetime | None = None) -> IngestSummary:
    with connect_writer(db, timezone=config.owner.timezone) as con:
        summary = load_partitions(con, source, map(Path, manifests))
        print(summary.line(), flush=True)
        print(refresh_people(con, config).line(), flush=True)
        print(refresh_metrics(con, config, as_of=as_of).line(), flush=True)
    return summary


@flow(name="fan-out-ingest", description="A file source's many files extracted in parallel, loaded by one writer.")
def fan_out_ingest(source: str, paths: list[str], db_path: str, config_path: str = str(DEFAULT_CONFIG),
                   workers: int = 2, address: str | None = None, partitions_dir: str | None = None,
                   as_of: str | None = None) -> FanOutResult:
    """Ingests `paths` of a file source (linkedin, mbox, ics; folders stand for their files):
    the files are extracted into Parquet partitions on a Dask cluster (a local one of `workers`
    processes, or the one at `address`; a file whose content was ingested before is only hashed
    there, not read, and an mbox that grew past one is read from there on), then loaded by this
    process in one transaction, and people and metrics are refreshed. The partitions go to
    `partitions_dir` (default `<db>.partitions` beside the database; with remote workers, a folder
    every machine sees at the same path) and are removed once loaded. The run holds the database's writer lock
    from start to end. `as_of` (a date or ISO time, default now) places the calendars' window and
    the metrics, as `tiekeeper --as-of` does."""
    if source not in SOURCES or SOURCES[source].api:
        raise ValueError(f"{source}: not a file source (linkedin, mbox or ics files are fanned out)")
    config_file = Path(config_path).expanduser().resolve()
    config = load_config(config_file, required=True)
    db = Path(db_path).expanduser()
    out_dir = Path(partitions_dir).expanduser().resolve() if partitions_dir else default_partitions_dir(db).resolve()
    files = [p.resolve() for p in input_files(source, paths, config)]  # workers may run elsewhere
    moment = parse_as_of(as_of, config.owner.tz)
    now = moment or dt.datetime.now(dt.timezone.utc)  # one calendar window for every file

    with writer_lock(db, wait=run_settings(config).wait_seconds):
        with connect_writer(db, timezone=config.owner.timezone) as con:
            known = frozenset(known_contents(con, source))
            loaded = loaded_by_size(con, source)
        clear_partitions(out_dir)
        manifests = []
        if files:
            extract = extract_partitions.with_options(task_runner=dask_task_runner(workers, address))
            manifests = extract(source, [str(p) for p in files], str(out_dir), str(config_file), now, known, loaded)
        summary = load_task(source, manifests, db, config, moment)
        partitions = [read_partition(Path(m)) for m in manifests]
        for partition in partitions:
            remove_partition(partition)
    return FanOutResult(summary, [p for p in partitions if not p.known])
