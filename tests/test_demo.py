"""`tiekeeper demo`: a generated world, loaded end to end, ready for ad-hoc SQL."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# The demo runs the weekly flow (slow: its world and flow, several times)
pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]

PUBLIC = ("people", "identities", "identity_matches", "automated_mail", "interactions", "interactions_excluded",
          "relationship_strength", "cadence", "follow_ups", "awaiting_reply", "network_growth", "strength_history",
          "people_overview", "ingest_runs")


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
    assert " 0 loaded" not in second.out.splitlines()[2]  # (" 280 loaded" is fine)
    assert cli("--db", out / "tiekeeper.duckdb", "sql", count, "--format", "csv").out.splitlines()[1] != "0"


def test_the_demo_never_touches_the_users_database(cli, tmp_path):
    mine = tmp_path / "data" / "tiekeeper.duckdb"
    result = cli("--db", mine, "demo", "--out", tmp_path / "demo", "--people", 50)
    assert result.code == 0
    assert not mine.exists()


def test_every_public_view_answers_in_the_duckdb_cli_users_install(cli, tmp_path):
    # A fixed as-of: a world of 60 people owes only a few follow-ups, and on some days none
    assert cli("demo", "--out", tmp_path / "demo", "--people", 60, "--as-of", "2026-12-06T09:00").code == 0
    duckdb_cli = shutil.which("duckdb", path=str(Path(sys.executable).parent))
    script = "".join(f"select '{view}' as view, count(*) > 0 as has_rows from {view};\n" for view in PUBLIC)
    script += "select 'rejected_records', count(*) >= 0 from rejected_records;\n"  # the demo world has none
    result = subprocess.run([duckdb_cli, "-csv", "-noheader", str(tmp_path / "demo" / "tiekeeper.duckdb")],
                            input=script, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [f"{view},true" for view in PUBLIC + ("rejected_records",)]


def test_the_demo_world_ends_just_before_its_as_of_and_the_report_is_that_weeks(cli, tmp_path):
    result = cli("demo", "--out", tmp_path / "demo", "--people", 60, "--as-of", "2026-11-25T18:30")
    assert result.code == 0, result.err
    assert result.out.startswith("Generating a demo world of 60 people (seed 7) up to 2026-11-25 18:30 in ")
    assert result.out.splitlines()[-1] == f"This week's report: {tmp_path / 'demo' / 'reports' / '2026-W48.html'}"
    hours = cli("--db", tmp_path / "demo" / "tiekeeper.duckdb", "sql", "--format", "csv",
                "select date_diff('minute', max(sent_at), timestamptz '2026-11-25 18:30+01') / 60 "
                "from int_mail_messages")
    assert 0 < float(hours.out.splitlines()[1]) < 24  # the last mail came hours, not days, before
