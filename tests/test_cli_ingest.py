"""`tiekeeper ingest`: bad input gets one clear line and loses nothing; bad items inside good
files are kept in rejected_records; re-runs change nothing; a killed run leaves no trace."""
import datetime as dt
import hashlib
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from tests.conftest import OWNER_CONFIG, snapshot

pytestmark = pytest.mark.slow  # most tests load several exports, one kills an ingest

CONNECTIONS = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Ada,Lovelace,https://www.linkedin.com/in/ada,,Analytical Engines,Programmer,16 Dec 2024\n"
    "Bob,Builder,https://www.linkedin.com/in/bob,,Builders,Foreman,31 Smarch 2024\n"
    ",,,,,,14 Sep 2024\n"
)
MBOX = (
    b"From 1823459434534554253@xxx Tue Mar 11 01:31:25 +0000 2025\n"
    b"X-GM-THRID: 1823459434534554253\nX-Gmail-Labels: Inbox,Opened\n"
    b"Message-ID: <one@example.com>\nDate: Tue, 11 Mar 2025 02:31:25 +0100\n"
    b"From: Ada Lovelace <ada@example.com>\nTo: jane@acme.com\nSubject: Engines\n\nHello\n\n"
    b"From 1823459434534554254@xxx Tue Mar 11 02:31:25 +0000 2025\n"
    b"\x00\x01\x02\x03 binary garbage without any header line\n\n"
    b"From 1823459434534554255@xxx Wed Mar 12 01:31:25 +0000 2025\n"
    b"Message-ID: <two@example.com>\nDate: Wed, 12 Mar 2025 02:31:25 +0100\n"
    b"From: jane@acme.com\nTo: Ada Lovelace <ada@example.com>\nSubject: Re: Engines\n\nThanks\n"
)
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
    "BEGIN:VEVENT\r\nUID:good@google.com\r\nDTSTART:20251103T100000Z\r\nDTEND:20251103T110000Z\r\n"
    "DTSTAMP:20251001T000000Z\r\nSUMMARY:Coffee\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:bad@google.com\r\nDTSTART:2025-13-45 noon\r\nDTSTAMP:20251001T000000Z\r\n"
    "SUMMARY:Broken\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def linkedin_zip(path: Path, connections: str = CONNECTIONS) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Connections.csv", connections)
        z.writestr("Invitations.csv", "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n")
    return path


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "mail.mbox").write_bytes(MBOX)
    (folder / "cal.ics").write_text(ICS, newline="")
    linkedin_zip(folder / "Complete_LinkedInDataExport_11-20-2026.zip")
    return folder


@pytest.fixture
def db(cli, inputs, tmp_path):
    """A database with one good mbox in it, to prove that failed runs leave it unchanged."""
    path = tmp_path / "data" / "tiekeeper.duckdb"
    assert cli("--db", path, "ingest", "mbox", inputs / "mail.mbox").code == 0
    return path


def bad_inputs(tmp_path: Path) -> dict[str, tuple[str, Path, str]]:
    pdf = tmp_path / "statement.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    whole = linkedin_zip(tmp_path / "whole.zip").read_bytes()
    truncated = tmp_path / "Complete_LinkedInDataExport_01-01-2026.zip"
    truncated.write_bytes(whole[: len(whole) // 2])
    other_csv = tmp_path / "export"
    other_csv.mkdir()
    (other_csv / "Connections.csv").write_text("id,amount,currency\n1,9.99,EUR\n")
    empty_folder = tmp_path / "empty"
    empty_folder.mkdir()
    return {
        "missing path": ("mbox", tmp_path / "nope.mbox", "no such file or folder"),
        "folder without mbox files": ("mbox", empty_folder, "no .mbox files"),
        "pdf as mbox": ("mbox", pdf, "not an mbox file"),
        "pdf as ics": ("ics", pdf, "not an iCalendar file"),
        "truncated zip": ("linkedin", truncated, "damaged or incomplete"),
        "csv that is not a linkedin export": ("linkedin", other_csv, "Connections.csv"),
    }


@pytest.mark.parametrize("case", ["missing path", "folder without mbox files", "pdf as mbox", "pdf as ics",
                                  "truncated zip", "csv that is not a linkedin export"])
def test_bad_input_is_one_line_and_leaves_the_database_unchanged(cli, db, tmp_path, case):
    source, path, message = bad_inputs(tmp_path)[case]
    before = snapshot(db)
    result = cli("--db", db, "ingest", source, path)
    assert result.code == 1
    assert result.err.startswith("tiekeeper: ") and result.err.count("\n") == 1, result.err
    assert message in result.err and "Traceback" not in result.err
    assert snapshot(db) == before


@pytest.mark.parametrize("case", ["missing path", "pdf as mbox", "truncated zip"])
def test_bad_input_does_not_leave_a_new_database_behind(cli, tmp_path, case):
    source, path, _ = bad_inputs(tmp_path)[case]
    result = cli("--db", tmp_path / "fresh.duckdb", "ingest", source, path)
    assert result.code == 1
    assert not (tmp_path / "fresh.duckdb").exists()


def test_bad_items_inside_good_files_are_rejected_with_location_and_the_rest_loads(cli, inputs, tmp_path):
    db = tmp_path / "t.duckdb"
    for source, path in [("linkedin", inputs / "Complete_LinkedInDataExport_11-20-2026.zip"),
                         ("mbox", inputs / "mail.mbox"), ("ics", inputs / "cal.ics")]:
        result = cli("--db", db, "ingest", source, path)
        assert result.code == 0, result.err
        assert "1 rejected" in result.out
    with duckdb.connect(str(db), read_only=True) as con:
        rejects = con.execute("select source, location from rejected_records order by source").fetchall()
        assert rejects[0][0] == "ics" and rejects[0][1].startswith("cal.ics:")
        assert rejects[1] == ("linkedin", "Connections.csv:6")
        assert rejects[2][0] == "mbox" and rejects[2][1].startswith("mail.mbox@")
        assert con.execute("select count(*) from stg_linkedin__connections").fetchone() == (2,)
        assert con.execute("select count(*) from stg_mbox__messages").fetchone() == (2,)
        assert con.execute("select summary from stg_ics__events").fetchall() == [("Coffee",)]


def test_every_ingest_ends_with_one_summary_line(cli, inputs, tmp_path):
    result = cli("--db", tmp_path / "t.duckdb", "ingest", "mbox", inputs / "mail.mbox")
    assert result.out.splitlines() == [result.out.strip()]
    assert result.out.startswith("mbox: 3 messages from 1 file read: 2 loaded, 0 duplicates, 0 skipped, 1 rejected")


def test_ingesting_the_same_inputs_again_changes_no_data(cli, inputs, tmp_path):
    db = tmp_path / "t.duckdb"
    export = inputs / "Complete_LinkedInDataExport_11-20-2026.zip"
    for source, path in [("linkedin", export), ("mbox", inputs / "mail.mbox"), ("ics", inputs / "cal.ics")]:
        assert cli("--db", db, "ingest", source, path).code == 0
    before = snapshot(db)
    for source, path in [("linkedin", export), ("mbox", inputs), ("ics", inputs)]:  # a folder: its files
        result = cli("--db", db, "ingest", source, path)
        assert result.code == 0 and "1 unchanged and skipped" in result.out
    after = snapshot(db)
    del before["ingest_runs"], after["ingest_runs"]  # the log of runs grows, nothing else
    assert after == before


def test_sources_default_to_the_config(cli, inputs, tmp_path):
    (tmp_path / "tiekeeper.toml").write_text(OWNER_CONFIG + f'[sources]\nmbox = ["{inputs / "mail.mbox"}"]\n')
    result = cli("ingest", "mbox")
    assert result.code == 0 and "2 loaded" in result.out
    assert (tmp_path / "data" / "tiekeeper.duckdb").exists()


def big_mbox(path: Path, messages: int) -> Path:
    header = (b"From 1@xxx Tue Mar 11 01:31:25 +0000 2025\nMessage-ID: <%d@example.com>\n"
              b"Date: Tue, 11 Mar 2025 02:31:25 +0100\nFrom: Ada <ada@example.com>\nTo: jane@acme.com\n"
              b"Subject: note %d\n\n" + b"body line\n" * 20 + b"\n")
    with path.open("wb") as f:
        for i in range(messages):
            f.write(header % (i, i))
    return path


def test_a_killed_ingest_leaves_the_database_as_it_was_and_the_next_run_completes(db, tmp_path):
    big = big_mbox(tmp_path / "big.mbox", 300_000)
    before = snapshot(db)
    command = [str(Path(sys.executable).parent / "tiekeeper"), "--db", str(db), "ingest", "mbox", str(big)]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)
    assert run.poll() is None, "the ingest finished before it could be killed: make the input bigger"
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert snapshot(db) == before
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "300,000 loaded" in again.stdout


def test_overlapping_mbox_exports_are_deduplicated_by_message_id_or_header_hash(cli, tmp_path):
    def message(n: int, message_id: bool) -> bytes:
        return (b"From 1@xxx Tue Mar 11 01:31:25 +0000 2025\n"
                + (b"Message-ID: <%d@example.com>\n" % n if message_id else b"")
                + b"Date: Tue, 11 Mar 2025 02:31:25 +0100\nFrom: Ada <ada@example.com>\nTo: jane@acme.com\n"
                + b"Subject: note %d\n\nbody\n\n" % n)
    # an older and a newer export: messages 3-5 are in both, 5 without a Message-ID
    (tmp_path / "old.mbox").write_bytes(b"".join(message(n, n != 5) for n in range(1, 6)))
    (tmp_path / "new.mbox").write_bytes(b"".join(message(n, n != 5) for n in range(3, 9)))
    db = tmp_path / "t.duckdb"
    assert "5 loaded, 0 duplicates" in cli("--db", db, "ingest", "mbox", tmp_path / "old.mbox").out
    assert "3 loaded, 3 duplicates" in cli("--db", db, "ingest", "mbox", tmp_path / "new.mbox").out
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*), count(message_id) from stg_mbox__messages").fetchall() == [(8, 7)]


def numbered_messages(numbers, broken=()) -> bytes:
    """Messages `numbers`, each with its Message-ID; those in `broken` have no readable header."""
    return b"".join(
        b"From %d@xxx Tue Mar 11 01:31:25 +0000 2025\n" % n
        + (b"\x00\x01 no header here\n\n" if n in broken else
           b"Message-ID: <%d@example.com>\nDate: Tue, 11 Mar 2025 02:31:25 +0100\n"
           b"From: Ada <ada@example.com>\nTo: jane@acme.com\nSubject: note %d\n\nbody\n\n" % (n, n))
        for n in numbers)


def stored_mail(db: Path) -> dict[str, list]:
    """The loaded messages and rejects, without when and by which run they were loaded."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            "messages": con.execute("select * exclude (_run_id, _loaded_at) from raw_mbox__messages "
                                    "order by all").fetchall(),
            "rejects": con.execute("select source, location, reason, raw from rejected_records "
                                   "order by all").fetchall(),
        }


def test_one_read_gives_a_files_fingerprint_and_where_it_begins_with_files_loaded_before(tmp_path):
    from pipelines.ingest import fingerprint, fingerprint_and_prefixes
    data = bytes(range(256)) * 40_000  # 10 MB: several reads
    path = tmp_path / "grown"
    path.write_bytes(data)
    loaded = {size: {hashlib.sha256(data[:size]).hexdigest()} for size in (1, 4096, 1 << 20, 3_333_333)}
    loaded[5000] = {hashlib.sha256(b"other").hexdigest()}  # a loaded file of that size, not this one's start
    loaded[len(data)] = {hashlib.sha256(data).hexdigest()}  # the same content: nothing grew
    loaded[len(data) + 1] = {"longer"}
    assert fingerprint_and_prefixes(path, loaded) == (*fingerprint(path), [1, 4096, 1 << 20, 3_333_333])
    assert fingerprint_and_prefixes(path, {}) == (*fingerprint(path), [])
    assert fingerprint_and_prefixes(tmp_path, loaded) == (*fingerprint(tmp_path), [])  # a folder: no prefixes


def test_an_mbox_that_grew_is_read_from_where_it_grew_and_loads_what_a_whole_read_loads(cli, tmp_path):
    # a mailbox that a mail program appends to (Thunderbird, mutt), last week and this week
    inbox = tmp_path / "Inbox.mbox"
    inbox.write_bytes(numbered_messages(range(1, 6), broken={3}))
    db, whole = tmp_path / "t.duckdb", tmp_path / "whole.duckdb"
    assert "4 loaded, 0 duplicates, 0 skipped, 1 rejected" in cli("--db", db, "ingest", "mbox", inbox).out
    inbox.write_bytes(numbered_messages(range(1, 9), broken={3, 7}))
    grown = cli("--db", db, "ingest", "mbox", inbox)
    assert grown.out.startswith("mbox: 3 messages from 1 file read (1 only where it grew): "
                                "2 loaded, 0 duplicates, 0 skipped, 1 rejected"), grown.out
    assert cli("--db", whole, "ingest", "mbox", inbox).code == 0
    assert stored_mail(db) == stored_mail(whole)
    # and a new export the week after (another path), grown from the grown file
    (tmp_path / "week3.mbox").write_bytes(numbered_messages(range(1, 10), broken={3, 7}))
    assert "1 messages from 1 file read (1 only where it grew): 1 loaded" in cli(
        "--db", db, "ingest", "mbox", tmp_path / "week3.mbox").out


def test_an_mbox_changed_before_its_end_or_cut_inside_a_message_is_read_whole(cli, tmp_path):
    db = tmp_path / "t.duckdb"
    first = numbered_messages(range(1, 6))
    (tmp_path / "first.mbox").write_bytes(first)
    assert cli("--db", db, "ingest", "mbox", tmp_path / "first.mbox").code == 0
    # the same messages and more, but one of the first five relabelled: not the bytes loaded before
    (tmp_path / "changed.mbox").write_bytes(first.replace(b"note 2", b"note 2 (edited)") + numbered_messages([6]))
    changed = cli("--db", db, "ingest", "mbox", tmp_path / "changed.mbox").out
    assert changed.startswith("mbox: 6 messages from 1 file read: 1 loaded, 5 duplicates"), changed
    # a copy made while the mail program was still writing, cut in a message's body, then the whole:
    # read on from the end of the last whole message loaded before (the first file's)
    whole = numbered_messages(range(1, 9))
    (tmp_path / "cut.mbox").write_bytes(whole[:whole.index(b"body", whole.index(b"note 7"))])
    (tmp_path / "whole.mbox").write_bytes(whole)
    assert "2 messages from 1 file read (1 only where it grew): 1 loaded, 1 duplicates" in cli(
        "--db", db, "ingest", "mbox", tmp_path / "cut.mbox").out
    rest = cli("--db", db, "ingest", "mbox", tmp_path / "whole.mbox").out
    assert rest.startswith("mbox: 3 messages from 1 file read (1 only where it grew): 1 loaded, 2 duplicates"), rest
    # with no whole message loaded before it, the whole file
    other = tmp_path / "other.duckdb"
    assert cli("--db", other, "ingest", "mbox", tmp_path / "cut.mbox").code == 0
    rest = cli("--db", other, "ingest", "mbox", tmp_path / "whole.mbox").out
    assert rest.startswith("mbox: 8 messages from 1 file read: 1 loaded, 7 duplicates"), rest


def test_as_of_places_the_calendars_window_and_the_metrics_around_that_day(cli, tmp_path):
    db = tmp_path / "data" / "tiekeeper.duckdb"
    stand_up = Path(__file__).parent / "fixtures" / "ics" / "infinite_rrule.ics"  # every Wednesday since 2019

    assert cli("--db", db, "--as-of", "2020-06-01", "ingest", "ics", stand_up).code == 0

    con = duckdb.connect(str(db), read_only=True)
    try:
        first, last = con.execute("select min(start_at)::date, max(start_at)::date from raw_ics__events").fetchone()
        fitted = con.execute("select distinct epoch(fitted_as_of) from model_fits").fetchall()
    finally:
        con.close()
    assert (str(first), str(last)) == ("2019-01-02", "2020-08-26")  # up to 90 days after it, not after today
    # the models were fitted as of the start of that day in the owner's time zone, not of today
    assert len(fitted) == 1 and abs(fitted[0][0] - dt.datetime(2020, 6, 1, tzinfo=dt.timezone.utc).timestamp()) <= 86400
