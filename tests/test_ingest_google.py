"""`tiekeeper ingest gmail|gcal` end to end against the local fake Google API: incremental runs,
dedup with Takeout exports, cancellations, resyncs, and a sync that fails half-way and resumes."""
import datetime as dt
import json
import mailbox
from pathlib import Path

import duckdb
import pytest

from pipelines import ingest as ingest_module
from tests.fake_google import FakeGoogle, make_event, make_message, message_from_mbox, synthetic_messages

UTC = dt.timezone.utc


def config(tmp_path: Path, url: str, calendars: tuple[str, ...] = ("primary",)) -> Path:
    path = tmp_path / "tiekeeper.toml"
    path.write_text(f"""[owner]
name = "Owner"
emails = ["owner@example.com"]
timezone = "Europe/Berlin"

[sources.gmail]
api_endpoint = "{url}"
credentials = "anonymous"
quota_units_per_second = 100000  # the fake has no quota here: do not wait for Google's

[sources.gcal]
api_endpoint = "{url}"
credentials = "anonymous"
calendars = {json.dumps(list(calendars))}
""")
    return path


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_gmail_first_run_loads_everything_then_only_what_changed(cli, tmp_path):
    db = tmp_path / "t.duckdb"
    with FakeGoogle(messages=synthetic_messages(60, seed=1), max_page_size=25) as url:
        first = cli("--db", db, "--config", config(tmp_path, url), "ingest", "gmail")
        assert first.code == 0, first.err
        assert first.out.startswith("gmail: 60 messages from 0 files read: 60 loaded")
        assert rows(db, "select count(*) from stg_gmail__messages") == [(60,)]
        (cursor,), = rows(db, "select \"cursor\" from ingest_runs where source = 'gmail'")
        assert cursor and cursor.isdigit()
        again = cli("--db", db, "--config", config(tmp_path, url), "ingest", "gmail")
        assert again.code == 0 and "0 loaded" in again.out


@pytest.mark.slow
def test_gmail_incremental_fetches_only_new_messages_in_at_most_three_calls(cli, tmp_path):
    db = tmp_path / "t.duckdb"
    fake = FakeGoogle(messages=synthetic_messages(30, seed=2))
    with fake as url:
        assert cli("--db", db, "--config", config(tmp_path, url), "ingest", "gmail").code == 0
        fake.reset_stats()
        assert cli("--db", db, "--config", config(tmp_path, url), "ingest", "gmail").code == 0
        assert fake.calls() <= 3
        fake.add_message(make_message("f00000000000000a", subject="New", date=dt.datetime(2026, 11, 20, tzinfo=UTC)))
        fake.reset_stats()
        result = cli("--db", db, "--config", config(tmp_path, url), "ingest", "gmail")
        assert "1 loaded" in result.out and fake.calls("messages.get") == 1


def takeout_and_api_copy(tmp_path: Path) -> tuple[Path, dict]:
    """A Takeout mbox of one message, and the same message as the API gives it."""
    mbox_path = tmp_path / "takeout.mbox"
    mbox_path.write_bytes(
        b"From 1823459434534554253@xxx Tue Mar 11 01:31:25 +0000 2025\nX-GM-THRID: 1823459434534554253\n"
        b"X-Gmail-Labels: Inbox\nMessage-ID: <same@example.org>\nDate: Tue, 11 Mar 2025 02:31:25 +0100\n"
        b"From: Anna Schmidt <anna.schmidt@example.org>\nTo: owner@example.com\nSubject: Hello\n\nbody\n")
    box = mailbox.mbox(mbox_path, create=False)
    api_copy = message_from_mbox(box[0])
    box.close()
    return mbox_path, api_copy


@pytest.mark.slow
def test_a_message_from_takeout_and_from_the_api_is_one_message(cli, tmp_path):
    mbox_path, api_copy = takeout_and_api_copy(tmp_path)
    db = tmp_path / "t.duckdb"
    with FakeGoogle(messages=[api_copy]) as url:
        assert cli("--db", db, "--config", config(tmp_path, url), "ingest", "mbox", mbox_path).code == 0
        result = cli("--db", db, "--config", config(tmp_path, url), "ingest", "gmail")
        assert result.code == 0, result.err
    assert rows(db, "select count(*) from int_mail_messages") == [(1,)]


@pytest.mark.slow
def test_a_gmail_sync_that_fails_half_way_keeps_what_it_fetched_and_resumes(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "CHECKPOINT_ROWS", 10)
    read = ingest_module.SOURCES["gmail"].read

    def interrupted(*args):  # the connection drops after 25 messages, as a Ctrl-C would
        for n, record in enumerate(read(*args)):
            if n == 25:
                raise KeyboardInterrupt
            yield record

    gmail = ingest_module.SOURCES["gmail"]
    monkeypatch.setitem(ingest_module.SOURCES, "gmail", ingest_module.Source(
        gmail.name, gmail.noun, interrupted, gmail.tables, api=True))
    db = tmp_path / "t.duckdb"
    fake = FakeGoogle(messages=synthetic_messages(60, seed=3))
    with fake as url:
        assert cli("--db", db, "--config", config(tmp_path, url), "ingest", "gmail").code == 130
        kept = rows(db, "select count(*) from raw_gmail__messages")[0][0]
        assert kept == 20  # two checkpoints of 10; the cursor was not stored
        assert rows(db, "select count(*) from ingest_runs") == [(0,)]
        monkeypatch.setitem(ingest_module.SOURCES, "gmail", gmail)
        fake.reset_stats()
        resumed = cli("--db", db, "--config", config(tmp_path, url), "ingest", "gmail")
        assert resumed.code == 0, resumed.err
        assert fake.calls("messages.get") == 60 - kept  # nothing fetched twice
    assert rows(db, "select count(*) from raw_gmail__messages") == [(60,)]


def meetings() -> list[dict]:
    start = dt.datetime(2026, 11, 2, 9, tzinfo=UTC)
    return [make_event(f"evt{i}", summary=f"Meeting {i}", start=start + dt.timedelta(days=i),
                       attendees=["anna.schmidt@example.org", "owner@example.com"]) for i in range(5)]


@pytest.mark.slow
def test_calendar_sync_then_a_cancellation_and_a_full_resync(cli, tmp_path):
    db = tmp_path / "t.duckdb"
    fake = FakeGoogle(calendars={"primary": meetings()})
    with fake as url:
        first = cli("--db", db, "--config", config(tmp_path, url), "ingest", "gcal")
        assert first.code == 0, first.err
        assert "5 loaded" in first.out
        (cursor,), = rows(db, "select \"cursor\" from ingest_runs where source = 'gcal'")
        assert "primary" in json.loads(cursor)
        fake.cancel_event("primary", "evt1")
        assert cli("--db", db, "--config", config(tmp_path, url), "ingest", "gcal").code == 0
        assert rows(db, "select summary from stg_gcal__events where is_cancelled") == [("Meeting 1",)]
        fake.expire_sync_tokens()
        resync = cli("--db", db, "--config", config(tmp_path, url), "ingest", "gcal")
        assert resync.code == 0 and "full resync of primary" in resync.out
    assert rows(db, "select count(*) from stg_gcal__events") == [(4,)]  # the cancelled one is gone after the resync


@pytest.mark.slow
def test_a_gmail_deletion_and_a_label_change_reach_the_database_on_the_next_run(cli, tmp_path):
    db = tmp_path / "t.duckdb"
    fake = FakeGoogle(messages=synthetic_messages(30, seed=4))
    gone, relabelled = list(fake.messages)[:2]
    with fake as url:
        assert cli("--db", db, "--config", config(tmp_path, url), "ingest", "gmail").code == 0
        fake.delete_message(gone)
        fake.change_labels(relabelled, add=["STARRED", "IMPORTANT"], remove=["INBOX"])
        fake.reset_stats()
        result = cli("--db", db, "--config", config(tmp_path, url), "ingest", "gmail")
        assert result.code == 0, result.err
        assert "1 updated" in result.out and "1 removed" in result.out
        assert fake.calls("messages.get") == 0  # the history carries the new labels
    decimal = {hex_id: str(int(hex_id, 16)) for hex_id in (gone, relabelled)}
    assert rows(db, f"select count(*) from int_mail_messages where gmail_id = '{decimal[gone]}'") == [(0,)]
    assert rows(db, "select count(*) from stg_gmail__messages") == [(29,)]
    (labels,), = rows(db, f"select list_sort(labels) from stg_gmail__messages where gmail_id = '{decimal[relabelled]}'")
    assert "Starred" in labels and "Important" in labels and "Inbox" not in labels
    assert rows(db, "select removed from ingest_runs order by run_id desc limit 1") == [(1,)]


@pytest.mark.slow
def test_a_message_deleted_in_gmail_is_gone_from_its_takeout_copy_too(cli, tmp_path):
    mbox_path, api_copy = takeout_and_api_copy(tmp_path)
    db = tmp_path / "t.duckdb"
    fake = FakeGoogle(messages=[api_copy])
    with fake as url:
        assert cli("--db", db, "--config", config(tmp_path, url), "ingest", "mbox", mbox_path).code == 0
        assert cli("--db", db, "--config", config(tmp_path, url), "ingest", "gmail").code == 0
        fake.delete_message(api_copy["id"])
        assert cli("--db", db, "--config", config(tmp_path, url), "ingest", "gmail").code == 0
    assert rows(db, "select count(*) from int_mail_messages") == [(0,)]
    assert rows(db, "select count(*) from raw_mbox__messages") == [(1,)]  # the export itself is kept
