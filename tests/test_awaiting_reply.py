"""Awaiting reply: threads whose last message leaves someone owing an answer, as of a moment.
Each test loads a small real-shaped mailbox (or LinkedIn export, or calendar) through the CLI and
reads the `awaiting_reply` view as of a fixed time; the owner is Jane Doe (Europe/Berlin)."""
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

import duckdb
import pytest

from tests.test_people import Export

JANE = "Jane Doe <jane@acme.com>"
ANN = "Ann Lee <ann@lee.org>"
ANN_URL = "https://www.linkedin.com/in/ann-lee"
AS_OF = datetime(2026, 11, 12, 12, 0, tzinfo=timezone.utc)  # a Thursday


def utc(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=timezone.utc)


class Conversations(Export):
    """An owner's export with threads: each message at its own time, in a Gmail thread or a
    LinkedIn conversation."""

    def message(self, sender: str, to: str, at: datetime, thread: int | None, cc: str = "") -> "Conversations":
        """thread: Gmail's thread id (None: a client that gives none, as most but Gmail)."""
        n = len(self.messages)
        labels = "Sent" if sender == JANE else "Inbox"
        self.messages.append(
            f"From {1800000000000000 + n}@xxx Mon Nov 02 10:00:00 +0000 2026\n"
            + ("" if thread is None else f"X-GM-THRID: {thread}\n")
            + f"X-Gmail-Labels: {labels}\nMessage-ID: <m{n}@example.com>\nDate: {format_datetime(at)}\n"
            f"From: {sender}\nTo: {to}\n" + (f"Cc: {cc}\n" if cc else "")
            + ("" if n == 0 else f"In-Reply-To: <m{n - 1}@example.com>\n") + "Subject: Budget\n\nHi\n\n")
        return self

    def linkedin(self, sender: str, sender_url: str, to: str, to_url: str, at: datetime) -> "Conversations":
        self.linkedin_messages.append(
            f"2-Y29udmVyc2F0aW9uLTE=,,{sender},{sender_url},{to},{to_url},{at:%Y-%m-%d %H:%M:%S} UTC,,Hi,INBOX,No,No\n")
        return self


@pytest.fixture
def export(cli, tmp_path):
    return Conversations(tmp_path, cli)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "t.duckdb"


def awaiting(db: Path, as_of: datetime = AS_OF) -> list[tuple]:
    """(name, channel, waiting on, since, business days waiting) of every row, as of `as_of`."""
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("set variable as_of = ?::timestamptz", [as_of])
        return con.execute("""
            select p.full_name, a.channel, a.waiting_on, a.since, a.days_waiting
            from awaiting_reply as a join people as p using (person_id)
            order by all""").fetchall()


def ann_asks(export: Conversations, to: str = JANE, cc: str = "", at: datetime | None = None) -> Conversations:
    """Jane wrote to Ann a week earlier; Ann answers with a question, by default on Monday 9 Nov."""
    return export.message(JANE, ANN, utc(11, 2), thread=1).message(ANN, to, at or utc(11, 9), thread=1, cc=cc)


@pytest.mark.slow
def test_a_direct_question_to_the_owner_waits_on_her(export, db):
    ann_asks(export).load(db)
    assert awaiting(db) == [("Ann Lee", "email", "me", utc(11, 9), 3)]


@pytest.mark.slow
def test_mail_without_gmail_thread_ids_is_one_thread_in_interactions_as_in_awaiting_reply(export, db):
    # threaded by its In-Reply-To chain: the interactions name the thread awaiting_reply names
    export.message(JANE, ANN, utc(11, 2), thread=None).message(ANN, JANE, utc(11, 9), thread=None).load(db)
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("set variable as_of = ?::timestamptz", [AS_OF])
        threads = con.execute("select distinct thread_ref from interactions").fetchall()
        waiting = con.execute("select thread_ref from awaiting_reply").fetchall()
    assert len(threads) == 1 and threads[0][0] is not None
    assert waiting == threads


@pytest.mark.slow
def test_a_question_the_owner_answered_waits_on_nobody(export, db):
    ann_asks(export).message(JANE, ANN, utc(11, 10), thread=1).load(db)  # her answer is 2 days old
    assert awaiting(db) == []


@pytest.mark.slow
def test_a_question_with_the_owner_only_on_cc_does_not_wait_on_her(export, db):
    ann_asks(export, to="Bo Ek <bo@ek.se>", cc=JANE).load(db)
    assert awaiting(db) == []


@pytest.mark.slow
def test_a_question_to_five_people_does_not_wait_on_the_owner(export, db):
    ann_asks(export, cc="bo@ek.se, cy@po.com, di@ra.de, ed@ok.fr").load(db)
    assert awaiting(db) == []


@pytest.mark.slow
def test_a_question_older_than_30_days_is_abandoned(export, db):
    export.message(JANE, ANN, utc(9, 1), thread=1).message(ANN, JANE, utc(10, 12), thread=1).load(db)
    assert awaiting(db, utc(11, 10, 9)) == [("Ann Lee", "email", "me", utc(10, 12), 20)]  # 29 days
    assert awaiting(db, utc(11, 12, 9)) == []  # 31 days


@pytest.mark.slow
def test_the_weekend_does_not_count_toward_two_business_days(export, db):
    ann_asks(export, at=utc(11, 6)).load(db)  # a Friday
    assert awaiting(db, utc(11, 9, 12)) == []  # Monday noon: three days, one business day
    assert awaiting(db, utc(11, 10, 12)) == [("Ann Lee", "email", "me", utc(11, 6), 2)]


def test_an_unanswered_question_from_the_owner_waits_on_the_person(export, db):
    export.message(JANE, ANN, utc(11, 2), thread=1).load(db)
    assert awaiting(db) == [("Ann Lee", "email", "them", utc(11, 2), 8)]


@pytest.mark.slow
def test_a_meeting_with_the_person_since_ends_the_wait(export, db):
    export.message(JANE, ANN, utc(11, 2), thread=1)
    export.when = utc(11, 5, 6)  # the meeting is three hours later
    export.meeting(("Ann Lee", "ann@lee.org"), ("Jane Doe", "jane@acme.com")).load(db)
    assert awaiting(db) == []


@pytest.mark.slow
def test_a_linkedin_conversation_waits_on_the_owner(export, db):
    export.linkedin("Jane Doe", "https://www.linkedin.com/in/janedoe", "Ann Lee", ANN_URL, utc(11, 2))
    export.linkedin("Ann Lee", ANN_URL, "Jane Doe", "https://www.linkedin.com/in/janedoe", utc(11, 9))
    export.load(db)
    assert awaiting(db) == [("Ann Lee", "linkedin", "me", utc(11, 9), 3)]


@pytest.mark.slow
def test_as_of_a_past_moment_shows_what_was_waiting_then(export, db):
    export.message(JANE, ANN, utc(10, 26), thread=1).message(ANN, JANE, utc(11, 2), thread=1)
    export.message(JANE, ANN, utc(11, 6), thread=1).load(db)
    assert awaiting(db, utc(11, 5, 12)) == [("Ann Lee", "email", "me", utc(11, 2), 3)]
    assert awaiting(db) == [("Ann Lee", "email", "them", utc(11, 6), 4)]
