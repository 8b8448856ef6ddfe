"""`tiekeeper ingest outlook|outlook-calendar` end to end against the local fake Graph: Outlook's
state read as labels, the same message or meeting from Outlook and from exports as one, changes and
removals reaching the database, and configuration errors in one line."""
from pathlib import Path

import duckdb
import pytest

from tests.fake_graph import FakeGraph
from tests.test_outlook import FOLDER_LIST, event, message
from tests.test_outlook_world import config

ROOT = Path(__file__).resolve().parent


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.slow
def test_outlooks_state_reads_as_gmails_labels_and_a_message_in_two_folders_is_one(cli, tmp_path):
    mail = [message("m1", importance="high", isRead=False, flag={"flagStatus": "flagged"}, categories=["Client A"],
                    inferenceClassification="other"),
            message("m2", "AAMkFolderProjects"),
            message("self-sent", "AAMkFolderSent", internetMessageId="<same@example.org>", isRead=True),
            message("self-received", "AAMkFolderInbox", internetMessageId="<same@example.org>", isRead=False)]
    db = tmp_path / "t.duckdb"
    with FakeGraph(folders=FOLDER_LIST, messages=mail) as root:
        result = cli("--db", db, "--config", config(tmp_path, root), "ingest", "outlook")
        assert result.code == 0, result.err
    assert rows(db, "select message_key, labels, has_sent_label from stg_outlook__messages order by message_key") == [
        ("<m1@example.org>", ["Category Updates", "Client A", "Important", "Inbox", "Starred", "Unread"], False),
        ("<m2@example.org>", ["Category Personal", "Projects"], False),
        ("<same@example.org>", ["Category Personal", "Inbox", "Sent", "Unread"], True)]
    assert rows(db, "select count(*), count(distinct source) from int_mail_messages") == [(3, 1)]


@pytest.mark.slow
def test_a_message_in_outlook_and_in_an_mbox_export_is_one_message(cli, tmp_path):
    mbox_path = tmp_path / "export.mbox"
    mbox_path.write_bytes(b"From MAILER-DAEMON Tue Mar 11 08:31:25 2025\nMessage-ID: <m1@example.org>\n"
                          b"Date: Tue, 11 Mar 2025 09:31:25 +0100\nFrom: Anna Schmidt <anna.schmidt@example.org>\n"
                          b"To: jane@contoso.example\nSubject: Quarterly plan\n\nbody\n")
    db = tmp_path / "t.duckdb"
    with FakeGraph(folders=FOLDER_LIST, messages=[message("m1")]) as root:
        conf = config(tmp_path, root)
        assert cli("--db", db, "--config", conf, "ingest", "mbox", mbox_path).code == 0
        assert cli("--db", db, "--config", conf, "ingest", "outlook").code == 0
    assert rows(db, "select source, labels from int_mail_messages") == [("outlook", ["Category Personal", "Inbox"])]


@pytest.mark.slow
def test_a_meeting_in_outlook_and_in_an_ics_export_is_one_event(cli, tmp_path):
    db = tmp_path / "t.duckdb"
    same = event("e1", iCalUId="5t6z7u8i9o0p1a2s3d4f5g6h7j@google.com", subject="Hiring panel (moved)",
                 start={"dateTime": "2024-06-20T08:00:00.0000000", "timeZone": "UTC"},
                 end={"dateTime": "2024-06-20T09:00:00.0000000", "timeZone": "UTC"},
                 lastModifiedDateTime="2024-06-15T10:00:00Z")
    with FakeGraph(events=[same]) as root:
        conf = config(tmp_path, root)
        assert cli("--db", db, "--config", conf, "ingest", "ics", ROOT / "fixtures/ics/attendees.ics").code == 0
        result = cli("--db", db, "--config", conf, "ingest", "outlook-calendar")
        assert result.code == 0, result.err
    assert rows(db, "select source, summary from int_calendar_events "
                    "where uid = '5t6z7u8i9o0p1a2s3d4f5g6h7j@google.com'") == [("outlook", "Hiring panel (moved)")]


@pytest.mark.slow
def test_read_flag_moves_and_deletions_reach_the_database_on_the_next_run(cli, tmp_path):
    db = tmp_path / "t.duckdb"
    fake = FakeGraph(folders=FOLDER_LIST, messages=[message("m1"), message("m2"), message("m3")],
                     events=[event("e1"), event("e2")])
    with fake as root:
        conf = config(tmp_path, root)
        for source in ("outlook", "outlook-calendar"):
            assert cli("--db", db, "--config", conf, "ingest", source).code == 0
        fake.change_message("m1", isRead=False, flag={"flagStatus": "flagged"})
        fake.move_message("m2", "AAMkFolderArchive")
        fake.delete_message("m3")
        fake.remove_event("e2")
        mail = cli("--db", db, "--config", conf, "ingest", "outlook")
        assert mail.code == 0, mail.err
        assert "1 removed" in mail.out
        assert cli("--db", db, "--config", conf, "ingest", "outlook-calendar").code == 0
    assert rows(db, "select item_id, folder, is_read, flag_status from raw_outlook__messages order by item_id") == [
        ("m1", "Inbox", False, "flagged"), ("m2", "Archive", True, "notFlagged")]
    assert rows(db, "select uid from stg_outlook__events") == [("e1@example.org",)]


def test_an_endpoint_that_is_no_graph_version_root_is_a_one_line_error(cli, tmp_path):
    conf = config(tmp_path, "http://127.0.0.1:9/graph")
    result = cli("--db", tmp_path / "t.duckdb", "--config", conf, "ingest", "outlook")
    assert (result.code, result.err.strip()) == (1, f"tiekeeper: {conf}: [sources.outlook] api_endpoint must be a URL "
                                                    "ending in /v1.0, such as \"http://127.0.0.1:8766/v1.0\"")
    assert not (tmp_path / "t.duckdb").exists()


def test_signing_in_without_a_client_id_says_where_to_put_it(cli, tmp_path):
    conf = tmp_path / "tiekeeper.toml"
    conf.write_text("[sources.outlook]\n")
    result = cli("--config", conf, "auth", "microsoft")
    assert result.code == 1
    assert result.err.strip() == (f"tiekeeper: {conf}: no client_id in [sources.outlook] (the Application (client) ID "
                                  "of your app registration; the README's Outlook section shows how to make one)")


@pytest.mark.slow
def test_a_sender_outlook_files_under_other_is_still_a_person(cli, tmp_path):
    # Focused Inbox puts a new correspondent's mail under Other: that says who one knows, not what it is
    mail = [message(f"m{n}", inferenceClassification="other", sentDateTime=f"2025-03-1{n}T08:31:25Z")
            for n in range(1, 4)]
    db = tmp_path / "t.duckdb"
    with FakeGraph(folders=FOLDER_LIST, messages=mail) as root:
        assert cli("--db", db, "--config", config(tmp_path, root), "ingest", "outlook").code == 0
    assert rows(db, "select count(*) from stg_outlook__messages where list_contains(labels, 'Category Updates')") == [
        (3,)]
    assert rows(db, "select role from identities where identity_key = 'email:anna.schmidt@example.org'") == [
        ("person",)]
