"""One writer at a time: a second one waits a bounded time, then says who holds the database; the
lock dies with its process; readers get the snapshot of the last finished writer."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import duckdb
import pytest

from pipelines.warehouse import WarehouseError, connect_writer, snapshot_path, writer_lock
from tests.conftest import snapshot


def hold_lock(db, seconds: float = 60) -> subprocess.Popen:
    """Another process holding the writer lock (as a running `tiekeeper run` does)."""
    holder = subprocess.Popen([sys.executable, "-c", f"""
import time
from pathlib import Path
from pipelines.warehouse import writer_lock
with writer_lock(Path({str(db)!r})):
    print("held", flush=True)
    time.sleep({seconds})
"""], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "data" / "tiekeeper.duckdb"
    with connect_writer(path) as con:
        con.execute("insert into rejected_records values ('mbox', 'a.mbox@0', 'bad', 'x', 1, now())")
    return path


@pytest.mark.slow
def test_a_second_writer_waits_then_says_who_holds_the_database_in_one_line(cli, db, tmp_path):
    mbox = tmp_path / "x.mbox"
    mbox.write_bytes(b"From a@b Mon Jan  1 00:00:00 2024\nMessage-ID: <1@b>\nFrom: a@b\n\nhi\n")
    before = snapshot(db)
    holder = hold_lock(db)
    try:
        started = time.monotonic()
        result = cli("--db", db, "--wait", "1.5", "ingest", "mbox", mbox)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert result.code == 1
    (line,) = result.err.splitlines()
    assert line.startswith(f"tiekeeper: {db}: tiekeeper (process {holder.pid}, since ")
    assert line.endswith("has been writing to it for longer than the 1.5 s this run waits; try again when it has "
                         "finished (or pass a longer --wait)")
    assert waited >= 1.5  # it did wait
    assert snapshot(db) == before


@pytest.mark.slow
def test_a_writer_that_waits_goes_ahead_as_soon_as_the_other_one_finishes(db):
    holder = hold_lock(db, seconds=1)
    try:
        with connect_writer(db, wait=60) as con:
            assert holder.poll() is not None  # it only got in after the holder let go
            con.execute("insert into rejected_records values ('mbox', 'b.mbox@0', 'bad', 'y', 2, now())")
    finally:
        holder.wait()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from rejected_records").fetchall() == [(2,)]


def test_the_lock_dies_with_its_process_even_by_sigkill(db):
    holder = hold_lock(db)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with writer_lock(db, wait=0):
        pass


def test_the_lock_is_reentrant_within_a_process_so_a_flows_tasks_can_open_the_database(db):
    with writer_lock(db, wait=0), connect_writer(db, wait=0) as con:
        assert con.execute("select count(*) from rejected_records").fetchall() == [(1,)]


def test_threads_of_one_process_share_the_lock_while_another_process_waits(db):
    opened = []
    with writer_lock(db, wait=0):
        worker = threading.Thread(target=lambda: opened.append(connect_writer(db, wait=0).__enter__().close()))
        worker.start()
        worker.join()
    assert opened == [None]


def test_each_finished_writer_refreshes_the_snapshot_and_a_failed_one_does_not(db):
    def rows(path):
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute("select location from rejected_records order by 1").fetchall()

    assert rows(snapshot_path(db)) == [("a.mbox@0",)]
    with pytest.raises(RuntimeError), connect_writer(db) as con:
        con.execute("insert into rejected_records values ('mbox', 'c.mbox@0', 'bad', 'z', 3, now())")
        raise RuntimeError("the run failed after writing")  # what it wrote outside a transaction stays ...
    assert rows(snapshot_path(db)) == [("a.mbox@0",)]  # ... but the snapshot waits for a run that finishes
    with connect_writer(db):
        pass
    assert rows(snapshot_path(db)) == [("a.mbox@0",), ("c.mbox@0",)]
    assert not list(db.parent.glob("*.tmp-*"))


def test_a_half_copied_snapshot_from_a_killed_writer_is_cleaned_up(db):
    leftover = db.parent / f"{snapshot_path(db).name}.tmp-99999"
    leftover.write_bytes(b"half a database")
    with connect_writer(db):
        pass
    assert not leftover.exists()


def test_writers_that_cannot_get_the_lock_leave_no_trace(tmp_path):
    db = tmp_path / "new.duckdb"
    holder = hold_lock(db)
    try:
        with pytest.raises(WarehouseError, match="has been writing to it"), connect_writer(db, wait=0):
            pass
    finally:
        holder.kill()
        holder.wait()
    assert not db.exists()
