"""tests/fake_google.py, driven by the real connectors over loopback HTTP.

Every test runs google-api-python-client (services from its shipped discovery documents) against a
`FakeGoogle` on 127.0.0.1. Time is a `FakeClock` shared by the server's quota bucket, the
connector's `RateLimiter` and its backoff `sleep`, so waits cost nothing and results are exact.
"""
import datetime as dt
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest
from googleapiclient.errors import HttpError

from connectors.gcal import CancelledOccurrence, FullResync, SyncToken, sync_calendar
from connectors.gmail import HISTORY_EXPIRED, LABEL_NAMES, GmailCursor, LabelsChanged, MessageDeleted, sync_gmail
from connectors.google_api import RateLimiter, build_service, new_batch
from connectors.mail_headers import header_addresses, header_text
from connectors.records import CalendarEvent, MailMessage, Skipped
from tests.fake_google import (
    FakeGoogle,
    make_event,
    make_message,
    message_from_mbox,
    recurring_instances,
    synthetic_events,
    synthetic_messages,
)

ROOT = Path(__file__).resolve().parents[1]
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = dt.timezone.utc


class FakeClock:
    """A clock that only moves when slept on."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


def gmail(url):
    return build_service("gmail", "v1", credentials="anonymous", api_endpoint=url)


def calendar(url):
    return build_service("calendar", "v3", credentials="anonymous", api_endpoint=url)


def run_gmail(url, clock, cursor=None, *, rate=250.0):
    limiter = RateLimiter(rate, clock=clock, sleep=clock.sleep)
    return list(sync_gmail(gmail(url), cursor=cursor, limiter=limiter, sleep=clock.sleep))


def mail(records):
    return {r.gmail_id: r for r in records if isinstance(r, MailMessage)}


def header(message, name):
    return [h["value"] for h in message["payload"]["headers"] if h["name"].lower() == name.lower()]


def assert_same_mailbox(records, fake):
    got = mail(records)
    assert set(got) == {str(int(i, 16)) for i in fake.messages}
    for hex_id, message in fake.messages.items():
        record = got[str(int(hex_id, 16))]
        assert record.subject == header_text(header(message, "Subject"))
        assert record.from_addr == header_addresses(header(message, "From"))[0]
        assert record.thread_id == str(int(message["threadId"], 16))


# --- Gmail ---------------------------------------------------------------------------------------

def test_full_sync_equals_the_servers_mailbox(clock):
    fake = FakeGoogle(messages=synthetic_messages(120), clock=clock, max_page_size=50)
    with fake as url:
        records = run_gmail(url, clock)
    assert_same_mailbox(records, fake)
    assert records[-1] == GmailCursor(str(fake.history_id))
    assert not [r for r in records if isinstance(r, Skipped)]
    # 1 profile, 3 pages of 50, 3 batches (50, 50, 20): nothing fetched twice, q never sent
    assert (fake.calls("profile"), fake.calls("messages.list"), fake.calls("batch")) == (1, 3, 3)
    assert fake.calls("messages.get") == 120
    assert all("q=" not in entry["path"] for entry in fake.log)


def test_incremental_fetches_only_what_changed(clock):
    fake = FakeGoogle(messages=synthetic_messages(120), clock=clock)
    with fake as url:
        cursor = run_gmail(url, clock)[-1].history_id
        new = fake.add_message(subject="=?UTF-8?Q?Caf=C3=A9?= tomorrow", sender="Zoë Ito <zoe@example.org>")
        relabelled = next(iter(fake.messages))
        fake.change_labels(relabelled, add=["STARRED"], remove=["INBOX"])
        fake.reset_stats()
        records = run_gmail(url, clock, cursor)
    got = mail(records)
    assert set(got) == {str(int(new["id"], 16)), str(int(relabelled, 16))}
    assert got[str(int(new["id"], 16))].subject == "Café tomorrow"
    assert "Starred" in got[str(int(relabelled, 16))].labels
    assert records[-1] == GmailCursor(str(fake.history_id))
    assert fake.calls("history.list") == 1 and fake.calls("messages.get") == 2
    assert fake.calls("messages.list") == 0 and fake.calls("profile") == 0


def test_incremental_without_changes_makes_at_most_3_calls(clock):
    fake = FakeGoogle(messages=synthetic_messages(30), clock=clock)
    with fake as url:
        cursor = run_gmail(url, clock)[-1].history_id
        fake.reset_stats()
        records = run_gmail(url, clock, cursor)
    assert records == [GmailCursor(cursor)]
    assert fake.calls() <= 3


def test_expired_history_triggers_a_full_resync(clock):
    fake = FakeGoogle(messages=synthetic_messages(60), clock=clock)
    with fake as url:
        cursor = run_gmail(url, clock)[-1].history_id
        fake.add_message()
        fake.expire_history()
        fake.reset_stats()
        records = run_gmail(url, clock, cursor)
        assert Skipped("gmail:history", HISTORY_EXPIRED) in records
        assert_same_mailbox(records, fake)
        assert len(mail(records)) == 61
        assert fake.log[0]["endpoint"] == "history.list" and fake.log[0]["status"] == 404
        # the new cursor is valid: the next run is incremental again
        fake.reset_stats()
        assert run_gmail(url, clock, records[-1].history_id) == [records[-1]]


def test_quota_429_on_batch_parts_loses_no_message(clock):
    # the connector believes in 4x the server's quota: batch parts get 429 and are re-queued
    fake = FakeGoogle(messages=synthetic_messages(400), clock=clock, quota=250)
    with fake as url:
        records = run_gmail(url, clock, rate=1000)
    refused = [e for e in fake.log if e["status"] == 429]
    assert refused and all(e["in_batch"] or e["endpoint"] != "batch" for e in refused)
    assert any(e["in_batch"] for e in refused)
    assert_same_mailbox(records, fake)
    assert not [r for r in records if not isinstance(r, (MailMessage, GmailCursor))]


def test_quota_429_for_the_whole_batch_is_retried(clock):
    fake = FakeGoogle(messages=synthetic_messages(200), clock=clock, quota=250, quota_mode="whole",
                      retry_after=1)
    with fake as url:
        records = run_gmail(url, clock, rate=1000)
    assert [e for e in fake.log if e["endpoint"] == "batch" and e["status"] == 429]
    assert_same_mailbox(records, fake)


def test_within_the_quota_nothing_is_refused(clock):
    fake = FakeGoogle(messages=synthetic_messages(300), clock=clock, quota=250)
    with fake as url:
        records = run_gmail(url, clock, rate=250)
    assert not [e for e in fake.log if e["status"] == 429]
    assert_same_mailbox(records, fake)


def test_injected_server_errors_are_survived(clock):
    fake = FakeGoogle(messages=synthetic_messages(120), clock=clock)
    fake.fail_next(2, 503)  # the profile call, twice
    fake.fail_next(3, 500, endpoint="messages.get")  # three batch parts
    fake.fail_next(1, 503, endpoint="batch")  # one whole batch
    with fake as url:
        records = run_gmail(url, clock)
    statuses = [(e["endpoint"], e["status"]) for e in fake.log if e["status"] >= 500]
    assert statuses.count(("profile", 503)) == 2
    assert statuses.count(("messages.get", 500)) == 3
    assert statuses.count(("batch", 503)) == 1
    assert_same_mailbox(records, fake)


def test_message_added_and_deleted_between_runs_is_not_fetched(clock):
    fake = FakeGoogle(messages=synthetic_messages(20), clock=clock)
    with fake as url:
        cursor = run_gmail(url, clock)[-1].history_id
        gone = fake.add_message()
        fake.delete_message(gone["id"])
        fake.reset_stats()
        records = run_gmail(url, clock, cursor)
    # history reports the messageAdded and the messageDeleted: nothing to fetch, one deletion
    assert records == [MessageDeleted(str(int(gone["id"], 16))), GmailCursor(str(fake.history_id))]
    assert fake.calls("messages.get") == 0


def test_fake_gmail_protocol_details():
    message = make_message("abc123", subject="Hi", cc="Kim <kim@example.org>")
    fake = FakeGoogle(messages=[message])
    with fake as url:
        service = gmail(url)
        users = service.users()
        got = users.messages().get(userId="me", id="abc123", format="metadata",
                                   metadataHeaders=["subject", "Cc"]).execute()
        assert [h["name"] for h in got["payload"]["headers"]] == ["Cc", "Subject"]
        with pytest.raises(HttpError) as error:
            users.messages().get(userId="me", id="ffff", format="metadata").execute()
        assert error.value.resp.status == 404
        with pytest.raises(HttpError) as error:
            users.messages().get(userId="me", id="abc123", format="full").execute()
        assert error.value.resp.status == 403
        with pytest.raises(HttpError) as error:
            users.messages().list(userId="me", q="").execute()
        assert error.value.resp.status == 403
        assert error.value.error_details[0]["reason"] == "forbidden"
        assert "does not support 'q'" in error.value.reason
        assert "messages" not in users.messages().list(userId="me", labelIds=["SPAM"]).execute()
        start = users.getProfile(userId="me").execute()["historyId"]
        assert users.history().list(userId="me", startHistoryId=start).execute() == {"historyId": start}
        with pytest.raises(HttpError) as error:
            users.history().list(userId="me", startHistoryId=str(int(start) - 1)).execute()
        assert error.value.resp.status == 404
        fake.add_message(id="beef")
        fake.change_labels("beef", add=["IMPORTANT"])
        page = users.history().list(userId="me", startHistoryId=start, historyTypes=["labelAdded"]).execute()
        assert [list(e) for e in page["history"]] == [["id", "messages", "labelsAdded"]]
        assert page["history"][0]["labelsAdded"][0]["labelIds"] == ["IMPORTANT"]
        # batches: over 100 parts is refused whole, as Gmail does
        batch = new_batch(service, lambda *args: None)
        for n in range(101):
            batch.add(users.messages().get(userId="me", id="abc123"), request_id=str(n))
        with pytest.raises(HttpError) as error:
            batch.execute()
        assert error.value.resp.status == 400
    assert fake.calls("messages.get") == 3  # the refused batch ran none of its parts


def test_runs_from_the_command_line():
    child = subprocess.Popen([sys.executable, "-m", "tests.fake_google", "--port", "0", "--messages", "5",
                              "--events", "5"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        assert gmail(url).users().getProfile(userId="me").execute()["messagesTotal"] == 5
    finally:
        child.terminate()
        child.wait(10)


# --- Calendar ------------------------------------------------------------------------------------

WINDOW = (dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 1, tzinfo=UTC))


def run_gcal(url, clock, token=None, calendar_id="primary"):
    return list(sync_calendar(calendar(url), calendar_id, sync_token=token, tz=BERLIN, window=WINDOW,
                              sleep=clock.sleep))


def events(records):
    return {r.origin.rsplit(":", 1)[1]: r for r in records if isinstance(r, CalendarEvent)}


def test_calendar_full_then_incremental_then_410(clock):
    series = recurring_instances("weekly1", summary="Weekly 1:1",
                                 first_start=dt.datetime(2025, 3, 3, 10, tzinfo=BERLIN),
                                 duration=dt.timedelta(minutes=30), count=6, attendees=["bob@example.org"])
    seeded = synthetic_events(40) + series + [
        make_event("allday1", summary="Holiday", start=dt.date(2025, 5, 1)),
        make_event("old1", summary="Before the window", start=dt.datetime(2024, 6, 1, 9, tzinfo=UTC)),
    ]
    fake = FakeGoogle(calendars={"primary": seeded}, clock=clock, max_page_size=15)
    with fake as url:
        full = run_gcal(url, clock)
        got = events(full)
        assert set(got) == {e["id"] for e in seeded} - {"old1"}
        assert got["allday1"].is_all_day and got["allday1"].start_at == dt.datetime(2025, 4, 30, 22, tzinfo=UTC)
        instance = got[series[2]["id"]]
        assert instance.uid == "weekly1@google.com"
        assert instance.recurrence_id == dt.datetime(2025, 3, 17, 9, tzinfo=UTC)
        token = full[-1]
        assert isinstance(token, SyncToken) and token.token
        assert fake.calls("events.list") == 4  # 56 items in pages of 15; the token only on the last

        fake.cancel_event("primary", series[2]["id"])
        fake.add_event("primary", make_event("new1", summary="Coffee", start=dt.datetime(2025, 7, 1, 8, tzinfo=UTC)))
        fake.update_event("primary", "allday1", summary="Public holiday")
        fake.reset_stats()
        incremental = run_gcal(url, clock, token.token)
        cancelled = [r for r in incremental if isinstance(r, CancelledOccurrence)]
        assert cancelled == [CancelledOccurrence("weekly1", dt.datetime(2025, 3, 17, 9, tzinfo=UTC),
                                                 f"gcal:primary:{series[2]['id']}")]
        assert set(events(incremental)) == {"new1", "allday1"}
        assert events(incremental)["allday1"].summary == "Public holiday"
        assert fake.calls("events.list") == 1
        assert "syncToken=" in fake.log[0]["path"] and "timeMin" not in fake.log[0]["path"]

        # nothing changed: one call, nothing but the next token
        quiet = run_gcal(url, clock, incremental[-1].token)
        assert len(quiet) == 1 and isinstance(quiet[0], SyncToken)

        fake.expire_sync_tokens()
        resync = run_gcal(url, clock, quiet[0].token)
        assert resync[0] == FullResync("primary", "fullSyncRequired")
        assert set(events(resync)) == {e["id"] for e in fake.events("primary")} - {"old1"}
        assert series[2]["id"] not in events(resync)
        assert isinstance(resync[-1], SyncToken) and resync[-1].token


def test_calendar_faults(clock):
    fake = FakeGoogle(calendars={"primary": synthetic_events(10)}, clock=clock)
    fake.fail_next(2, 503, endpoint="events.list")
    fake.fail_next(1, 429)
    with fake as url:
        records = run_gcal(url, clock)
        assert len(events(records)) == 10
        with pytest.raises(HttpError) as error:
            calendar(url).events().list(calendarId="primary", syncToken="never-issued").execute()
        assert error.value.resp.status == 410
        assert error.value.error_details[0]["reason"] == "fullSyncRequired"
        with pytest.raises(HttpError) as error:
            calendar(url).events().list(calendarId="primary", syncToken=records[-1].token,
                                        timeMin="2025-01-01T00:00:00Z").execute()
        assert error.value.resp.status == 400
    assert [e["status"] for e in fake.log[:4]] == [503, 503, 429, 200]


def test_resync_after_expired_history_reconciles_labels_and_deletions_without_fetching(clock):
    fake = FakeGoogle(messages=synthetic_messages(20), clock=clock)
    with fake as url:
        first = run_gmail(url, clock)
        stored = set(mail(first))
        victim, gone = list(fake.messages)[:2]
        fake.change_labels(victim, add=["SPAM"], remove=["INBOX"])
        fake.delete_message(gone)
        fake.expire_history()
        fake.reset_stats()
        limiter = RateLimiter(250, clock=clock, sleep=clock.sleep)
        records = list(sync_gmail(gmail(url), cursor=first[-1].history_id, limiter=limiter, sleep=clock.sleep,
                                  known_ids=lambda ids: set(ids) & stored, mirrored_ids=lambda: stored))
    assert fake.calls("messages.get") == 0
    relabelled = {r.gmail_id: r.labels for r in records if isinstance(r, LabelsChanged)}
    assert set(relabelled) == stored - {str(int(gone, 16))}
    assert sorted(relabelled[str(int(victim, 16))]) == sorted(LABEL_NAMES[x] for x in fake.messages[victim]["labelIds"])
    assert "Spam" in relabelled[str(int(victim, 16))]
    assert MessageDeleted(str(int(gone, 16))) in records


def test_message_from_mbox(tmp_path):
    import mailbox
    raw = ("From 1520524314001511398@xxx Tue Mar 11 01:31:25 +0000 2025\n"
           "X-GM-THRID: 1520524314001511000\nX-Gmail-Labels: Inbox,Opened,Sent\n"
           "From: =?UTF-8?Q?J=C3=B6rg?= <j@example.org>\nTo: me@example.com\nSubject: Hi\n"
           "Date: Tue, 11 Mar 2025 01:31:25 +0000\nMessage-ID: <x@y>\n\nbody\n")
    (tmp_path / "all.mbox").write_text(raw, encoding="ascii")
    message = message_from_mbox(next(iter(mailbox.mbox(tmp_path / "all.mbox"))))
    assert message["id"] == "1519fcceb86793e6" and message["labelIds"] == ["INBOX", "SENT"]
    assert message["internalDate"] == "1741656685000"
    assert [h["name"] for h in message["payload"]["headers"]] == ["From", "To", "Subject", "Date", "Message-ID"]
    fake = FakeGoogle(messages=[message])
    with fake as url:
        got = gmail(url).users().messages().get(userId="me", id=message["id"], format="metadata",
                                                 metadataHeaders=["From"]).execute()
    assert got["payload"]["headers"] == [{"name": "From", "value": "=?UTF-8?Q?J=C3=B6rg?= <j@example.org>"}]
