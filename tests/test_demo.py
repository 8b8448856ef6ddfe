"""`tiekeeper demo`: a generated world, loaded end to end, ready for ad-hoc SQL."""
from pathlib import Path


def test_the_demo_loads_every_source_and_prints_where_the_database_is(cli, tmp_path):
    result = cli("demo", "--out", tmp_path / "demo", "--people", 60)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert [line.split(":")[0] for line in lines if line.startswith(("linkedin:", "mbox:", "ics:"))] == \
        ["linkedin", "mbox", "ics"]
    db = tmp_path / "demo" / "tiekeeper.duckdb"
    assert f"Database: {db}" in lines
    rejected = cli("--db", db, "sql", "select count(*) as n from rejected_records", "--format", "csv")
    assert rejected.code == 0 and rejected.out.splitlines()[0] == "n"
    loaded = cli("--db", db, "sql", "select (select count(*) from stg_mbox__messages) > 1000, "
                 "(select count(*) from stg_ics__events) > 100, (select count(*) from stg_linkedin__connections) > 30",
                 "--format", "csv")
    assert loaded.out.splitlines()[1] == "true,true,true"


def test_running_the_demo_again_starts_from_a_fresh_database(cli, tmp_path):
    out = tmp_path / "demo"
    first = cli("demo", "--out", out, "--people", 50)
    second = cli("demo", "--out", out, "--people", 50)
    assert first.code == second.code == 0
    count = "select count(*) from stg_mbox__messages"
    assert "0 loaded" not in second.out.splitlines()[2]
    assert cli("--db", out / "tiekeeper.duckdb", "sql", count, "--format", "csv").out.splitlines()[1] != "0"


def test_the_demo_never_touches_the_users_database(cli, tmp_path):
    mine = tmp_path / "data" / "tiekeeper.duckdb"
    result = cli("--db", mine, "demo", "--out", tmp_path / "demo", "--people", 50)
    assert result.code == 0
    assert not mine.exists()
