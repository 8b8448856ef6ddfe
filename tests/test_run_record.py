"""A weekly run with nothing new does not start (pipelines/derived.py: `record_run`, `unchanged_run`):
the run's record beside the database speaks for it only while the code, config, people.toml, input
files, database and day are the ones that run had (issue 16)."""
import datetime as dt
import os
from types import SimpleNamespace

import pytest

from pipelines import cli
from pipelines.config import load_config
from pipelines.derived import database_state, forget_run, record_run, run_inputs, unchanged_run

CONFIG = ('[owner]\nname = "Jane Doe"\nemails = ["jane@acme.com"]\ntimezone = "Europe/Berlin"\n'
          '[sources]\nmbox = ["mail.mbox"]\nics = ["calendars"]\n')
SUMMARY = {"finished_at": "2026-11-23T07:02:11+01:00", "report": "data/reports/2026-W48.html",
           "delivery": "sent to jane@acme.com: 250 OK"}


@pytest.fixture
def setup(tmp_path):
    """A config with an mbox and a calendar folder, a database file, and a run recorded on them."""
    (tmp_path / "mail.mbox").write_bytes(b"From a@b Mon Jan  1 00:00:00 2024\nSubject: hi\n\nbody\n")
    (tmp_path / "calendars").mkdir()
    (tmp_path / "calendars" / "work.ics").write_text("BEGIN:VCALENDAR\nEND:VCALENDAR\n")
    (tmp_path / "tiekeeper.toml").write_text(CONFIG, encoding="utf-8")
    db = tmp_path / "tiekeeper.duckdb"
    db.write_bytes(b"a database")
    config = load_config(tmp_path / "tiekeeper.toml", required=True)
    record_run(db, run_inputs(config, as_of="2026-11-23", send_report=True, out=None), database_state(db), SUMMARY)
    return tmp_path, db, config


def unchanged(db, config, **changed):
    return unchanged_run(db, config, **({"as_of": "2026-11-23", "send_report": True, "out": None} | changed))


def touch(path):
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_rerun_with_the_same_inputs_finds_the_last_runs_summary(setup):
    _, db, config = setup
    assert unchanged(db, config) == SUMMARY


@pytest.mark.parametrize("change", ["mbox written", "calendar added", "database written", "database gone",
                                    "people.toml written", "config written", "input gone"])
def test_anything_a_run_reads_that_changed_makes_it_run(setup, change):
    folder, db, config = setup
    match change:
        case "mbox written":
            touch(folder / "mail.mbox")  # the same size: the modification time tells
        case "calendar added":
            (folder / "calendars" / "home.ics").write_text("BEGIN:VCALENDAR\nEND:VCALENDAR\n")
        case "database written":
            touch(db)
        case "database gone":
            db.unlink()
        case "people.toml written":
            (folder / "people.toml").write_text('[[same_person]]\nidentities = ["a@b.com", "c@d.com"]\n')
        case "config written":
            (folder / "tiekeeper.toml").write_text(CONFIG + "\n# a comment\n", encoding="utf-8")
            config = load_config(folder / "tiekeeper.toml", required=True)
        case "input gone":
            (folder / "mail.mbox").unlink()
    assert unchanged(db, config) is None


def test_another_day_or_report_folder_or_sending_is_another_run(setup):
    folder, db, config = setup
    assert unchanged(db, config, as_of="2026-11-24") is None
    assert unchanged(db, config, out=str(folder / "elsewhere")) is None
    assert unchanged(db, config, send_report=False) is None


def test_without_as_of_the_day_is_todays_in_the_owners_timezone(setup):
    _, db, config = setup
    record_run(db, run_inputs(config, as_of=None, send_report=True, out=None), database_state(db), SUMMARY)
    assert unchanged(db, config, as_of=None) == SUMMARY
    today = dt.datetime.now(config.owner.tz).date().isoformat()
    assert unchanged(db, config, as_of=today) is None  # an explicit --as-of is its own run


def test_an_api_source_is_always_asked(setup):
    folder, db, _ = setup
    (folder / "tiekeeper.toml").write_text(CONFIG + '[sources.gmail]\ncredentials = "anonymous"\n', encoding="utf-8")
    config = load_config(folder / "tiekeeper.toml", required=True)
    assert run_inputs(config, as_of="2026-11-23", send_report=True, out=None) is None
    record_run(db, None, database_state(db), SUMMARY)
    assert unchanged(db, config) is None


def test_no_record_when_another_writer_changed_the_database_after_the_run(setup):
    folder, db, config = setup
    forget_run(db)
    left = database_state(db)
    touch(db)  # between the run's end and its record: another command wrote
    record_run(db, run_inputs(config, as_of="2026-11-23", send_report=True, out=None), left, SUMMARY)
    assert not (folder / "tiekeeper.duckdb.last-run.json").exists()
    assert unchanged(db, config) is None


def test_a_run_that_began_forgets_the_last_one_and_a_broken_record_is_no_record(setup):
    _, db, config = setup
    forget_run(db)
    assert unchanged(db, config) is None
    db.with_name(db.name + ".last-run.json").write_text("{not json", encoding="utf-8")
    assert unchanged(db, config) is None


def test_the_command_says_nothing_changed_and_does_not_start_prefect(setup, capsys, monkeypatch):
    folder, db, _ = setup
    monkeypatch.chdir(folder)
    monkeypatch.setattr(cli, "_weekly_run", lambda *a, **k: pytest.fail("the flow started"))
    code = cli.main(["--db", str(db), "--as-of", "2026-11-23", "run"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines() == [
        "nothing changed since the run of Mon 23 Nov 07:02: the same input files, config, database and day "
        "(`tiekeeper run --force` runs it again anyway)",
        "report: data/reports/2026-W48.html",
        "delivery, in that run: sent to jane@acme.com: 250 OK"]


@pytest.mark.parametrize("flag", ["--force", "--resend"])
def test_force_and_resend_run_anyway(setup, capsys, monkeypatch, flag):
    folder, db, _ = setup
    monkeypatch.chdir(folder)
    ran = SimpleNamespace(report="r.html", delivery="sent again", problems=[], timings=lambda: "1.0 s in the flow")
    monkeypatch.setattr(cli, "_weekly_run", lambda *a, **k: ran)
    assert cli.main(["--db", str(db), "--as-of", "2026-11-23", "run", flag]) == 0
    assert capsys.readouterr().out.splitlines() == ["report: r.html", "delivery: sent again", "1.0 s in the flow"]
