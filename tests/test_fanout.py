"""pipelines.fanout at small scale: a team's four mailboxes extracted on a two-process local Dask
cluster and loaded by one writer give the database a plain ingest of the same files gives; a rerun
reads nothing; a malformed mailbox loses only its bad messages; a half-written partition of a killed
worker is never loaded, and the next run (here on a cluster already running) reads that mailbox again."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow
import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster

from connectors.demo import generate_world
from connectors.mbox import BODY_FROM_LINE
from pipelines.config import load_config, parse_as_of
from pipelines.fanout import TEMP_SUFFIX, default_partitions_dir, extract_partition, fan_out_ingest, load_partitions
from pipelines.ingest import fingerprint, ingest
from pipelines.metrics import refresh_metrics
from pipelines.people import refresh_people
from pipelines.warehouse import connect_writer
from tests.conftest import snapshot

# slow: a generated world fanned out on local Dask clusters
pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]

TEAM = ("ana", "ben", "chloe", "dev")
SHARED = 25  # messages each mailbox shares with the next one: a thread both were on
BAD_MESSAGE = (b"From MAILER-DAEMON Mon Mar 10 09:30:00 2025\n"
               b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff\xfe\n\n")
BODY_FROM_MESSAGE = (b"From dev@example.org Mon Mar 10 09:00:00 2025\nMessage-ID: <notes@example.org>\n"
                     b"Date: Mon, 10 Mar 2025 09:00:00 +0000\nFrom: Dev <dev@example.org>\nTo: ana@example.org\n"
                     b"Subject: Notes\n\nMy notes.\n\nFrom the offsite, only this.\n\n")
NO_HEADERS = 'no message headers after the "From " line'
END = dt.date(2026, 11, 23)  # the world's last day
AS_OF = END.isoformat()  # every run is as of it, so that nothing depends on the day the tests run


def messages(mbox: bytes) -> list[bytes]:
    """An mbox's messages, each from its From_ line up to the next one."""
    starts = [0] + [m.start() + 2 for m in re.finditer(rb"\n\nFrom ", mbox)]
    return [mbox[a:b] for a, b in zip(starts, starts[1:] + [len(mbox)])]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return generate_world(tmp_path_factory.mktemp("world"), people=60, seed=17, end=END)


@pytest.fixture(scope="module")
def config(world):
    return load_config(world.config, required=True)


@pytest.fixture(scope="module")
def mailboxes(world) -> list[Path]:
    """The world's mail as four team members' mailboxes, each sharing some messages with the next;
    the last one malformed: an unreadable message and an unescaped "From " body line in its middle."""
    mail = messages(world.mbox.read_bytes())
    size = len(mail) // len(TEAM)
    parts = [mail[i * size:(i + 1) * size + SHARED] for i in range(len(TEAM))]
    parts[-1] = parts[-1][:size // 2] + [BAD_MESSAGE, BODY_FROM_MESSAGE] + parts[-1][size // 2:]
    folder = world.mbox.parent
    paths = [folder / f"{name}.mbox" for name in TEAM]
    for path, part in zip(paths, parts):
        path.write_bytes(b"".join(part))
    return paths


def plain_ingest(db: Path, paths: list[Path], config):
    with connect_writer(db, timezone=config.owner.timezone) as con:
        as_of = parse_as_of(AS_OF, config.owner.tz)
        summary = ingest(con, "mbox", paths, config, now=as_of, show_progress=False)
        refresh_people(con, config)
        refresh_metrics(con, config, as_of=as_of)
    return summary


def contents(db: Path) -> dict[str, list]:
    """What an ingest decides: the messages, the rejected items, the files, and the people and
    interactions built from them (the runs' own ids and times left out)."""
    queries = {
        "messages": "select * exclude (_run_id, _loaded_at) from raw_mbox__messages order by message_key",
        "rejected": "select source, location, reason, raw from rejected_records order by all",
        "files": "select source, content_sha256, bytes from source_files order by all",
        "people": "select count(*) from people",
        "interactions": "select count(*) from interactions",
    }
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in queries.items()}


def without_seconds(line: str) -> str:
    return line.rsplit(" in ", 1)[0]


@pytest.fixture(scope="module")
def fanned_out(world, mailboxes, tmp_path_factory):
    """The four mailboxes fanned out over a two-worker local cluster: (database, result)."""
    db = tmp_path_factory.mktemp("fanned") / "tiekeeper.duckdb"
    result = fan_out_ingest("mbox", [str(p) for p in mailboxes], str(db), str(world.config), workers=2, as_of=AS_OF)
    return db, result


def test_fan_out_over_worker_processes_gives_the_database_a_plain_ingest_gives(fanned_out, mailboxes, config,
                                                                                tmp_path):
    db, result = fanned_out
    plain_db = tmp_path / "plain.duckdb"
    plain = plain_ingest(plain_db, mailboxes, config)

    assert contents(db) == contents(plain_db)
    assert without_seconds(result.summary.line()) == without_seconds(plain.line())
    assert plain.duplicates == SHARED * (len(TEAM) - 1)  # the shared messages, loaded once
    workers = {partition.worker_pid for partition in result.extracted}
    assert len(result.extracted) == len(TEAM) and len(workers) == 2 and os.getpid() not in workers


def test_loaded_partitions_are_removed(fanned_out):
    db, result = fanned_out
    folder = default_partitions_dir(db)
    assert [p for p in folder.rglob("*") if p.is_file()] == []


def test_a_malformed_mailbox_loses_only_its_bad_messages(fanned_out, mailboxes):
    db, result = fanned_out
    dev = mailboxes[-1].read_bytes()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select source, location, reason from rejected_records").fetchall() == [
            ("mbox", f"dev.mbox@{dev.index(BAD_MESSAGE)}", NO_HEADERS)]
        assert con.execute("select skipped_by_reason, rejected from ingest_runs").fetchall() == [
            ({BODY_FROM_LINE: 1}, 1)]
        from_dev = con.execute("select count(*) from raw_mbox__messages where _origin like 'dev.mbox@%'").fetchall()
        notes = con.execute("select _origin from raw_mbox__messages where message_id = 'notes@example.org'").fetchall()
    # Every message of dev's but the unreadable one, the body line taken for one, and those chloe has too.
    assert from_dev == [(len(messages(dev)) - 2 - SHARED,)]
    assert notes == [(f"dev.mbox@{dev.index(BODY_FROM_MESSAGE)}",)]


def test_a_rerun_with_the_same_mailboxes_extracts_nothing_and_changes_nothing(fanned_out, world, mailboxes,
                                                                               tmp_path):
    db = tmp_path / "tiekeeper.duckdb"
    shutil.copy(fanned_out[0], db)
    before, history_before = snapshot(db), history(db)

    again = fan_out_ingest("mbox", [str(p) for p in mailboxes], str(db), str(world.config), workers=2, as_of=AS_OF)

    assert again.extracted == []
    assert (again.summary.files_read, again.summary.files_unchanged, again.summary.records_read) == (0, 4, 0)
    after, history_after = snapshot(db), history(db)
    assert len(after.pop("ingest_runs")) == len(before.pop("ingest_runs")) + 1  # the run itself, nothing loaded
    del after["strength_history"], before["strength_history"]
    assert after == before
    assert [row[:4] for row in history_after] == [row[:4] for row in history_before]
    assert [row[4:] for row in history_after] == [pytest.approx(row[4:], rel=1e-9) for row in history_before]


def test_mailboxes_that_grew_are_read_from_where_they_grew_and_load_what_a_plain_ingest_loads(world, mailboxes,
                                                                                             config, tmp_path):
    # the team's mailboxes as a mail program keeps them: last week's, then the same files with mail appended
    folder = tmp_path / "team"
    folder.mkdir()
    mail = {folder / path.name: messages(path.read_bytes()) for path in mailboxes}
    kept = {path: len(messages_) * 4 // 5 for path, messages_ in mail.items()}
    db, plain, paths = tmp_path / "tiekeeper.duckdb", tmp_path / "plain.duckdb", list(mail)
    for week in ("last", "this"):
        for path, messages_ in mail.items():
            path.write_bytes(b"".join(messages_[:kept[path]] if week == "last" else messages_))
        result = fan_out_ingest("mbox", [str(p) for p in paths], str(db), str(world.config), workers=2, as_of=AS_OF)
        plain_ingest(plain, paths, config)

    # the workers read only what was appended ...
    assert [p.grown_from for p in result.extracted] == [len(b"".join(mail[p][:kept[p]])) for p in paths]
    assert result.summary.files_grown == 4
    assert result.summary.records_read == sum(len(messages_) - kept[path] for path, messages_ in mail.items())
    # ... and the database holds what `tiekeeper ingest` of the same files, week by week, gives
    assert contents(db) == contents(plain)


def history(db: Path) -> list[tuple]:
    """The weekly scores, their floats last: DuckDB adds them up in parallel, in no fixed order, so
    a recomputation from the same interactions may differ in the last bits of a float."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select week, person_id, tier, channels, strength, raw_score, decayed_sum, reciprocity "
                           "from strength_history order by week, person_id").fetchall()


KILLED_WORKER = """
import dataclasses, os, signal, sys
from pathlib import Path
from pipelines import fanout, ingest
from pipelines.config import load_config

mbox = ingest.SOURCES["mbox"]

def killed_midway(paths, config, now, progress):
    for n, record in enumerate(mbox.read(paths, config, now, progress)):
        if n == 250:  # two batches of 100 written, the third pending
            os.kill(os.getpid(), signal.SIGKILL)
        yield record

ingest.SOURCES["mbox"] = dataclasses.replace(mbox, read=killed_midway)
fanout.extract_partition("mbox", Path(sys.argv[1]), Path(sys.argv[2]), load_config(Path(sys.argv[3]), required=True),
                         batch_rows=100)
"""


def test_a_partition_a_killed_worker_left_half_written_is_never_loaded(world, mailboxes, config, tmp_path):
    out = tmp_path / "partitions"
    *finished, killed = mailboxes
    manifests = [extract_partition("mbox", path, out, config) for path in finished]
    child = subprocess.run([sys.executable, "-c", KILLED_WORKER, str(killed), str(out), str(world.config)],
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == -9, child.stderr
    (leftover,) = out.glob(f"raw_mbox__messages/*{TEMP_SUFFIX}")
    assert sorted(out.glob("manifests/*.json")) == sorted(manifests)  # none for the killed one
    assert len(list(out.glob("raw_mbox__messages/*.parquet"))) == len(finished)
    with pytest.raises(pyarrow.ArrowInvalid):  # no footer: half a Parquet file
        pq.ParquetFile(leftover)

    db = tmp_path / "tiekeeper.duckdb"
    with connect_writer(db, timezone=config.owner.timezone) as con:
        summary = load_partitions(con, "mbox", manifests)  # in mailbox order: of two copies, the first is kept
        origins = con.execute("select distinct split_part(_origin, '@', 1) from raw_mbox__messages "
                              "order by 1").fetchall()
    assert summary.files_read == 3 and origins == [("ana.mbox",), ("ben.mbox",), ("chloe.mbox",)]

    # The next run, here on a cluster that was already running, extracts that mailbox again and
    # clears what the killed worker left.
    with LocalCluster(n_workers=1, processes=True, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        (worker_pid,) = client.run(os.getpid).values()
        result = fan_out_ingest("mbox", [str(p) for p in mailboxes], str(db), str(world.config),
                                address=cluster.scheduler_address, partitions_dir=str(out), as_of=AS_OF)
    assert [(Path(p.input).name, p.worker_pid) for p in result.extracted] == [("dev.mbox", worker_pid)]
    assert (result.summary.files_read, result.summary.files_unchanged) == (1, 3)
    assert [p for p in out.rglob("*") if p.is_file()] == []
    plain_db = tmp_path / "plain.duckdb"
    plain_ingest(plain_db, mailboxes, config)
    assert contents(db) == contents(plain_db)


def test_two_mailboxes_with_the_same_content_load_as_a_plain_ingest_loads_them(mailboxes, config, tmp_path):
    copy = tmp_path / "ana-again.mbox"
    copy.write_bytes(mailboxes[0].read_bytes())
    paths = [mailboxes[0], copy, mailboxes[1]]
    out = tmp_path / "partitions"
    manifests = [extract_partition("mbox", path, out, config) for path in paths]
    db = tmp_path / "tiekeeper.duckdb"
    with connect_writer(db, timezone=config.owner.timezone) as con:
        summary = load_partitions(con, "mbox", manifests)
        refresh_people(con, config)
        refresh_metrics(con, config)
    plain_db = tmp_path / "plain.duckdb"
    plain = plain_ingest(plain_db, paths, config)
    assert len(set(manifests)) == 3 and summary.files_read == 3
    assert without_seconds(summary.line()) == without_seconds(plain.line())
    assert contents(db) == contents(plain_db)


def test_a_partition_extracted_as_known_is_refused_by_a_database_that_does_not_know_it(mailboxes, config,
                                                                                         tmp_path):
    out = tmp_path / "partitions"
    known = extract_partition("mbox", mailboxes[0], out, config, known={fingerprint(mailboxes[0])[0]})
    fresh = extract_partition("mbox", mailboxes[1], out, config)
    assert list(out.glob("raw_mbox__messages/*.parquet")) != [] and len(list(out.glob("manifests/*.json"))) == 2
    db = tmp_path / "tiekeeper.duckdb"
    with connect_writer(db, timezone=config.owner.timezone) as con:
        con.execute("select 1")  # the schema, before the failed load
    before = snapshot(db)
    with connect_writer(db, timezone=config.owner.timezone) as con, \
            pytest.raises(ValueError, match="ana.mbox: extracted as ingested before, but its content is not in"):
        load_partitions(con, "mbox", [known, fresh])
    assert snapshot(db) == before  # the good partition is not loaded either: one run, one transaction
