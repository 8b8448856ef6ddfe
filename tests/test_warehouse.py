"""The DuckDB file: readable by the users' CLI, schema, and one transaction per ingest."""
import datetime as dt
import gc
import shutil
import subprocess
import sys
import typing
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from connectors import SourceError, records
from connectors.records import Address, MailMessage, Skipped, rejected
from pipelines import ingest as ingest_module
from pipelines import warehouse
from pipelines.batches import arrow_schema
from pipelines.config import Config
from pipelines.warehouse import Resources, WarehouseError, connect_reader, connect_writer, duckdb_resources, transaction
from tests.conftest import snapshot
from tests.records import empty_record

UTC = dt.timezone.utc


def message(i: int) -> MailMessage:
    return empty_record(MailMessage, message_id=f"m{i}@example.com", header_hash=f"{i:064x}", thread_id="1",
                        sent_at=dt.datetime(2025, 1, 1, tzinfo=UTC), from_addr=Address("ann@example.com", "Ann"),
                        to=[Address("bob@example.com", None)], subject="hello", labels=["Inbox"],
                        size_bytes=100 + i, origin=f"x.mbox@{i}")


@pytest.fixture
def fake_mbox(monkeypatch, tmp_path):
    """Replaces the mbox connector: each input file made by `use(records)` yields `records()`."""
    inputs = {}

    def read(paths, config, now, progress):
        for path in paths:
            yield from inputs[path]()

    source = ingest_module.SOURCES["mbox"]
    monkeypatch.setitem(ingest_module.SOURCES, "mbox", ingest_module.Source(
        source.name, source.noun, read, source.tables, source.suffixes))

    def use(records):
        path = tmp_path / f"input-{len(inputs)}.mbox"
        path.write_bytes(path.name.encode())
        inputs[path] = records
        return path
    return use


def test_the_database_opens_in_the_duckdb_cli_users_install(tmp_path):
    cli = shutil.which("duckdb", path=str(Path(sys.executable).parent))
    assert cli, "duckdb-cli (a dev dependency) provides the duckdb command"
    db = tmp_path / "t.duckdb"
    with connect_writer(db) as con:
        con.execute("insert into rejected_records values ('mbox', 'x.mbox@0', 'bad', 'raw', 1, now())")
    result = subprocess.run([cli, "-csv", str(db), "-c", "select count(*) as n from stg_mbox__messages, "
                             "(select 1 from rejected_records)"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["n", "0"]


def test_reopening_keeps_data_and_schema(tmp_path):
    db = tmp_path / "t.duckdb"
    with connect_writer(db) as con:
        con.execute("insert into rejected_records values ('mbox', 'x.mbox@0', 'bad', 'raw', 1, now())")
    with connect_writer(db) as con:
        assert con.execute("select count(*) from rejected_records").fetchone() == (1,)


def test_a_database_from_before_message_sizes_gains_the_column_and_keeps_its_messages(tmp_path, fake_mbox):
    db = tmp_path / "t.duckdb"
    with connect_writer(db) as con:
        ingest_module.ingest(con, "mbox", [fake_mbox(lambda: iter([message(1)]))], Config())
        for table in ("raw_mbox__messages", "raw_gmail__messages"):
            con.execute(f"alter table {table} drop column size_bytes")  # as an older tiekeeper wrote it,
        con.execute("drop table derived_builds")  # which did not record the schema it laid out
    with connect_writer(db) as con:
        ingest_module.ingest(con, "mbox", [fake_mbox(lambda: iter([message(2)]))], Config())
        assert con.execute("select message_id, size_bytes from stg_mbox__messages order by 1").fetchall() == [
            ("m1@example.com", None), ("m2@example.com", 102)]


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("hello, I am a text file\n" * 100)
    with pytest.raises(WarehouseError, match="bogus.duckdb"), connect_writer(bogus):
        pass


def test_reading_a_database_that_does_not_exist_says_how_to_make_one(tmp_path):
    with pytest.raises(WarehouseError, match="no database yet"):
        connect_reader(tmp_path / "none.duckdb")
    assert not (tmp_path / "none.duckdb").exists()


def test_record_annotations_give_the_arrow_columns():
    schema = arrow_schema(MailMessage)
    address = pa.struct([("email", pa.string()), ("name", pa.string())])
    assert schema.field("sent_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("from_addr").type == address
    assert schema.field("to").type == pa.list_(address)
    assert schema.field("labels").type == pa.list_(pa.string())
    assert schema.names[-1] == "_origin"


def test_loads_merge_in_batches_and_count_duplicates(tmp_path, fake_mbox, monkeypatch):
    monkeypatch.setattr(ingest_module, "BATCH_ROWS", 7)
    first = fake_mbox(lambda: (message(i) for i in range(20)))
    overlapping = fake_mbox(lambda: (message(i) for i in range(15, 30)))
    with connect_writer(tmp_path / "t.duckdb") as con:
        one = ingest_module.ingest(con, "mbox", [first], Config(), show_progress=False)
        two = ingest_module.ingest(con, "mbox", [overlapping], Config(), show_progress=False)
        assert (one.loaded, one.duplicates) == (20, 0)
        assert (two.loaded, two.duplicates) == (10, 5)
        assert con.execute("select count(*), count(distinct message_key) "
                           "from raw_mbox__messages").fetchone() == (30, 30)


def test_of_two_copies_in_one_batch_the_first_is_kept_and_the_second_counted_a_duplicate(tmp_path, fake_mbox):
    first, second = message(1), message(1)._replace(subject="hello again", origin="x.mbox@900")
    path = fake_mbox(lambda: iter([message(0), first, message(2), second]))
    with connect_writer(tmp_path / "t.duckdb") as con:
        summary = ingest_module.ingest(con, "mbox", [path], Config(), show_progress=False)
        assert (summary.loaded, summary.duplicates) == (3, 1)
        assert con.execute("select message_id, subject, _origin from raw_mbox__messages "
                           "order by message_id").fetchall() == [
            ("m0@example.com", "hello", "x.mbox@0"), ("m1@example.com", "hello", "x.mbox@1"),
            ("m2@example.com", "hello", "x.mbox@2")]


def test_the_same_file_twice_is_recognised_and_not_read_again(tmp_path, fake_mbox):
    reads = []
    path = fake_mbox(lambda: reads.append(1) or iter([message(1)]))
    with connect_writer(tmp_path / "t.duckdb") as con:
        ingest_module.ingest(con, "mbox", [path], Config(), show_progress=False)
        again = ingest_module.ingest(con, "mbox", [path], Config(), show_progress=False)
    assert reads == [1]
    assert (again.files_read, again.files_unchanged, again.loaded) == (0, 1, 0)
    assert "1 unchanged and skipped" in again.line()


def test_rejected_and_skipped_items_are_kept_and_counted(tmp_path, fake_mbox):
    path = fake_mbox(lambda: iter([message(1), rejected("x.mbox@99", "no header lines", b"\x00garbage"),
                                   Skipped("x.mbox@120", "draft message"), Skipped("x.mbox@130", "draft message")]))
    db = tmp_path / "t.duckdb"
    with connect_writer(db) as con:
        summary = ingest_module.ingest(con, "mbox", [path], Config(), show_progress=False)
        assert con.execute("select source, location, reason, raw from rejected_records").fetchall() == [
            ("mbox", "x.mbox@99", "no header lines", "\x00garbage")]
        assert con.execute("select loaded, skipped, skipped_by_reason, rejected from ingest_runs").fetchall() == [
            (1, 2, {"draft message": 2}, 1)]
    assert summary.line().startswith("mbox: 4 messages from 1 file read: 1 loaded, 0 duplicates, 2 skipped, "
                                     "1 rejected (skipped: 2 draft message)")


def test_a_run_that_fails_half_way_leaves_the_database_as_it_was(tmp_path, fake_mbox, monkeypatch):
    monkeypatch.setattr(ingest_module, "BATCH_ROWS", 10)
    db = tmp_path / "t.duckdb"
    good = fake_mbox(lambda: (message(i) for i in range(5)))

    def fails_after_three_batches():
        yield from (message(i) for i in range(100, 130))
        yield rejected("x.mbox@1", "bad", "raw")
        raise SourceError("x.mbox: the disk went away")

    bad = fake_mbox(fails_after_three_batches)
    with connect_writer(db) as con:
        ingest_module.ingest(con, "mbox", [good], Config(), show_progress=False)
    before = snapshot(db)
    with connect_writer(db) as con, pytest.raises(SourceError):
        ingest_module.ingest(con, "mbox", [bad], Config(), show_progress=False)
    assert snapshot(db) == before


def test_a_batch_the_database_refuses_fails_the_run_and_leaves_the_database_as_it_was(tmp_path, fake_mbox,
                                                                                      monkeypatch):
    monkeypatch.setattr(ingest_module, "BATCH_ROWS", 10)
    db = tmp_path / "t.duckdb"
    with connect_writer(db) as con:
        ingest_module.ingest(con, "mbox", [fake_mbox(lambda: (message(i) for i in range(5)))], Config(),
                             show_progress=False)
    before = snapshot(db)
    statement = ingest_module.load_statement
    monkeypatch.setattr(ingest_module, "load_statement", lambda table: statement(table).replace(
        "from batch", "from batch where case when _ordinal < 20 then true else error('the disk is full') end"))
    bad = fake_mbox(lambda: (message(i) for i in range(100, 130)))  # its third batch is refused
    with connect_writer(db) as con, pytest.raises(duckdb.Error, match="the disk is full"):
        ingest_module.ingest(con, "mbox", [bad], Config(), show_progress=False)
    assert snapshot(db) == before
    assert gc.isenabled()  # paused while the records were loaded, running again


GiB = 1024 ** 3
MiB = 1024 ** 2


def test_on_a_laptop_duckdb_gets_what_python_leaves_of_the_run_budget_and_the_people_build_the_most():
    assert duckdb_resources(16 * GiB, 8) == Resources("550MiB", "670MiB", 4)


def test_a_machine_with_little_memory_gives_duckdb_a_quarter_of_it():
    assert duckdb_resources(2 * GiB, 8) == Resources("512MiB", "512MiB", 4)
    assert duckdb_resources(1 * GiB, 8) == Resources("256MiB", "256MiB", 2)


def test_a_machine_with_few_cores_gives_duckdb_a_thread_per_core():
    assert duckdb_resources(16 * GiB, 2) == Resources("550MiB", "670MiB", 2)


def test_duckdb_always_has_one_thread_and_the_memory_it_needs_to_run():
    assert duckdb_resources(256 * 1024 ** 2, 8) == Resources("128MiB", "128MiB", 1)


def test_a_machine_that_does_not_say_what_it_has_gives_duckdb_the_budget_and_one_thread():
    assert duckdb_resources(None, None) == Resources("550MiB", "670MiB", 1)
    assert duckdb_resources(-1, 0) == Resources("550MiB", "670MiB", 1)  # sysconf's "unknown"


def test_every_connection_is_held_to_the_machines_limits_also_after_a_transaction_with_its_own(tmp_path,
                                                                                                monkeypatch):
    monkeypatch.setattr(warehouse, "machine_resources", lambda: Resources("300MiB", "400MiB", 1))
    db = tmp_path / "t.duckdb"
    settings = "select current_setting('memory_limit'), current_setting('threads')"
    with connect_writer(db) as con:
        assert con.execute(settings).fetchall() == [("300.0 MiB", 1)]
        with transaction(con, memory_limit="400MiB"):
            assert con.execute(settings).fetchall() == [("400.0 MiB", 1)]
        assert con.execute(settings).fetchall() == [("300.0 MiB", 1)]
    with connect_reader(db) as con:
        assert con.execute(settings).fetchall() == [("300.0 MiB", 1)]


def test_a_field_added_to_a_record_reaches_an_existing_database_on_its_next_write(tmp_path, monkeypatch):
    db = tmp_path / "t.duckdb"
    with connect_writer(db):
        pass
    fields = typing.get_type_hints(MailMessage)
    grown_fields = list(fields.items())
    grown_fields.insert(-1, ("priority", str | None))  # before origin, as the recipe says
    grown = typing.NamedTuple("MailMessage", grown_fields)
    monkeypatch.setattr(records, "MailMessage", grown)
    warehouse.schema_objects.cache_clear()  # as a new process (a new tiekeeper version) would read them
    try:
        with connect_writer(db) as con:
            for relation in ("raw_mbox__messages", "raw_gmail__messages", "stg_mbox__messages", "int_mail_messages"):
                assert "priority" in [row[0] for row in con.execute(f"describe {relation}").fetchall()], relation
    finally:
        monkeypatch.undo()
        warehouse.schema_objects.cache_clear()


def test_a_step_gets_what_the_budget_leaves_beside_the_process_between_its_floor_and_the_machines_limit(
        tmp_path, monkeypatch):
    assert warehouse.resident_memory() > 10 * MiB  # this machine says (Linux)
    with connect_writer(tmp_path / "t.duckdb") as con:
        holds = con.execute("select coalesce(sum(memory_usage_bytes), 0) from duckdb_memory()").fetchall()[0][0]
        for beside_duckdb, limit in ((200 * MiB, "670MiB"),  # a command: the machine's limit
                                     (444.5 * MiB, "475MiB"),  # inside `tiekeeper run`, Prefect loaded
                                     (900 * MiB, "450MiB")):  # never below the floor
            monkeypatch.setattr(warehouse, "resident_memory", lambda b=beside_duckdb: holds + int(b))
            assert warehouse.memory_left(con, floor=450 * MiB, ceiling="670MiB") == limit
        monkeypatch.setattr(warehouse, "resident_memory", lambda: None)  # the system does not say
        assert warehouse.memory_left(con, floor=450 * MiB, ceiling="670MiB") == "670MiB"


def test_a_step_out_of_memory_at_the_machines_limit_fails_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse, "resident_memory", lambda: None)  # memory_left gives the ceiling
    tries = []

    def work():
        tries.append(con.execute("select current_setting('memory_limit')").fetchall()[0][0])
        con.execute("create table half_done (x int)")
        raise duckdb.OutOfMemoryException("Out of Memory Error: (test)")

    with connect_writer(tmp_path / "t.duckdb") as con:
        with pytest.raises(duckdb.OutOfMemoryException):
            warehouse.within_budget(con, "step", work, ceiling="300MiB")
        assert tries == ["300.0 MiB"]  # not tried again with the same limit
        assert con.execute("select count(*) from duckdb_tables() where table_name = 'half_done'").fetchall() == [(0,)]


def test_duckdb_lends_its_cached_pages_while_python_works_and_takes_its_limit_back(tmp_path):
    with duckdb.connect(str(tmp_path / "t.duckdb")) as con:
        con.execute("set memory_limit = '500MiB'")
        # a temp table: DuckDB holds it in memory while it may, and writes it to its temp folder beyond
        con.execute("create temp table big as select range as i, md5(range::varchar) || md5((range + 1)::varchar) as s "
                    "from range(3000000)")

        def held() -> int:
            return con.execute("select sum(memory_usage_bytes) from duckdb_memory()").fetchall()[0][0]

        assert held() > 100 * warehouse.MiB
        with warehouse.memory_lent(con):
            assert con.execute("select current_setting('memory_limit')").fetchall() == [("64.0 MiB",)]
            assert held() <= 64 * warehouse.MiB
        assert con.execute("select current_setting('memory_limit')").fetchall() == [("500.0 MiB",)]
        assert con.execute("select count(distinct s) from big").fetchall() == [(3_000_000,)]  # read back


def test_duckdb_that_cannot_give_its_memory_back_keeps_it_and_the_work_goes_on():
    with duckdb.connect() as con:  # in memory, and nowhere to spill: a temp table stays where it is
        con.execute("set temp_directory = ''")
        con.execute("set memory_limit = '500MiB'")
        con.execute("create temp table big as select range as i, repeat('x', 50) as s from range(2000000)")
        with warehouse.memory_lent(con):
            assert con.execute("select current_setting('memory_limit')").fetchall() == [("500.0 MiB",)]
            worked = con.execute("select count(*) from big").fetchall()
        assert worked == [(2_000_000,)]
        assert con.execute("select current_setting('memory_limit')").fetchall() == [("500.0 MiB",)]
