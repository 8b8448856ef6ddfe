"""`tiekeeper sql`: read-only ad-hoc queries in three formats, and one-line errors."""
import contextlib
import datetime as dt
import json
import subprocess
import sys

import duckdb
import pytest

from pipelines.warehouse import connect_writer, snapshot_path
from tests.conftest import snapshot


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "data" / "tiekeeper.duckdb"
    with connect_writer(path) as con:
        con.execute("""insert into rejected_records values
            ('mbox', 'a.mbox@0', 'no header lines', 'x', 1, timestamptz '2026-11-02 08:30:00+00'),
            ('ics', 'b.ics:12', 'ends before it starts', 'y, "z"', 2, timestamptz '2026-11-03 09:00:00+00')""")
    return path


def test_csv_output_quotes_like_a_spreadsheet(cli, db):
    result = cli("--db", db, "sql", "select source, location, raw from rejected_records order by 1", "--format", "csv")
    assert result.code == 0
    assert result.out.splitlines() == ["source,location,raw", "ics,b.ics:12,\"y, \"\"z\"\"\"", "mbox,a.mbox@0,x"]


def test_json_output_is_one_array_of_objects_with_iso_times(cli, db):
    result = cli("sql", "select source, rejected_at from rejected_records order by 1", "--format", "json", "--db", db)
    assert json.loads(result.out) == [{"source": "ics", "rejected_at": "2026-11-03T10:00:00+01:00"},
                                      {"source": "mbox", "rejected_at": "2026-11-02T09:30:00+01:00"}]


def test_times_are_shown_in_the_owners_timezone(cli, db, tmp_path):
    (tmp_path / "tiekeeper.toml").write_text('[owner]\ntimezone = "Europe/Berlin"\n')
    result = cli("--db", db, "sql", "select rejected_at from rejected_records where source = 'mbox'", "--format", "csv")
    assert result.out.splitlines()[1] == "2026-11-02 09:30:00+01:00"


def test_table_output_shows_the_rows(cli, db):
    result = cli("--db", db, "sql", "select count(*) as rejected from rejected_records")
    assert result.code == 0 and "rejected" in result.out and "2" in result.out


def test_the_connection_is_read_only(cli, db):
    before = snapshot(db)
    result = cli("--db", db, "sql", "delete from rejected_records")
    assert result.code == 1
    assert result.err.startswith("tiekeeper: query failed:") and "read-only" in result.err
    assert result.err.count("\n") == 1
    assert snapshot(db) == before


def test_a_bad_query_is_one_line_not_a_traceback(cli, db):
    result = cli("--db", db, "sql", "select nonsense from nowhere")
    assert result.code == 1
    assert result.err.startswith("tiekeeper: query failed:") and result.err.count("\n") == 1
    assert "Traceback" not in result.err


def test_a_missing_database_says_how_to_make_one(cli, tmp_path):
    result = cli("--db", tmp_path / "nothing.duckdb", "sql", "select 1")
    assert result.code == 1 and "no database yet" in result.err
    assert not (tmp_path / "nothing.duckdb").exists()


@contextlib.contextmanager
def writer_holding(db):
    """Another process with the database open for writing, having added a row since the snapshot."""
    holder = subprocess.Popen([sys.executable, "-c", f"""
import duckdb, time
con = duckdb.connect({str(db)!r})
con.execute("insert into rejected_records values ('ics', 'c.ics:1', 'new', 'z', 3, now())")
print("locked", flush=True)
time.sleep(60)
"""], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def test_while_a_run_writes_it_answers_from_the_last_snapshot_and_says_so(cli, db, caplog):
    with writer_holding(db) as holder:
        result = cli("--db", db, "sql", "select count(*) from rejected_records", "--format", "csv")
    assert result.code == 0
    assert result.out.splitlines() == ["count_star()", "2"]  # as the last finished writer left it
    assert f"process {holder.pid} is writing to it; answering from the snapshot taken" in caplog.text


def test_while_a_run_writes_and_there_is_no_snapshot_it_says_so_in_one_line(cli, db):
    snapshot_path(db).unlink()
    with writer_holding(db) as holder:
        result = cli("--db", db, "sql", "select 1")
    assert result.code == 1
    assert result.err.strip() == (f"tiekeeper: {db}: process {holder.pid} is writing to it and there is no snapshot "
                                  "of an earlier run yet; try again when it has finished")


def test_parquet_for_bi_tools_is_written_to_a_file_with_every_type_kept(cli, db, tmp_path):
    out = tmp_path / "exports" / "rejected.parquet"
    result = cli("--db", db, "sql", "select * from rejected_records order by source", "--format", "parquet",
                 "--out", out)
    assert (result.code, result.out) == (0, "")
    assert result.err == f"written to {out}\n"
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        assert con.execute("select source, location, run_id, rejected_at from read_parquet(?)", [str(out)]).fetchall() \
            == [("ics", "b.ics:12", 2, dt.datetime(2026, 11, 3, 9, tzinfo=dt.timezone.utc)),
                ("mbox", "a.mbox@0", 1, dt.datetime(2026, 11, 2, 8, 30, tzinfo=dt.timezone.utc))]


def test_csv_to_a_file_is_what_the_terminal_would_show(cli, db, tmp_path):
    query = "select source, location, raw from rejected_records order by 1"
    assert cli("--db", db, "sql", query, "--format", "csv", "--out", tmp_path / "r.csv").code == 0
    assert (tmp_path / "r.csv").read_text() == cli("--db", db, "sql", query, "--format", "csv").out


@pytest.mark.parametrize("args, message", [
    (["--format", "parquet"], "--format parquet writes a file: add --out FILE (e.g. --out result.parquet)"),
    (["--out", "r.txt"], "--out writes csv, json or parquet: add --format parquet (or csv, json)"),
])
def test_parquet_needs_a_file_and_a_file_needs_a_format(cli, db, args, message):
    result = cli("--db", db, "sql", "select 1", *args)
    assert (result.code, result.err) == (1, f"tiekeeper: {message}\n")


def test_a_failed_query_leaves_no_file(cli, db, tmp_path):
    out = tmp_path / "r.parquet"
    result = cli("--db", db, "sql", "select nonsense from nowhere", "--format", "parquet", "--out", out)
    assert result.code == 1 and not out.exists() and not list(tmp_path.glob(".r.parquet*"))
