"""The Google connectors end to end on a generated world served by the local fake API: a full sync,
an incremental one after new mail and meetings, expired positions, injected 429s and 500s; the
database ends with exactly the world's messages and events, every time."""
import datetime as dt
import hashlib
import mailbox
from zoneinfo import ZoneInfo

import duckdb
import pytest

from connectors.demo import generate_world
from connectors.gmail import LABEL_NAMES
from connectors.ics import read_ics
from connectors.records import CalendarEvent
from tests.fake_google import FakeGoogle, make_event, message_from_mbox
from tests.test_ingest_google import config

pytestmark = pytest.mark.slow  # a generated world through the fake Google

UTC = dt.timezone.utc
END = dt.date(2026, 11, 23)


def world_messages(mbox_path) -> list[dict]:
    box = mailbox.mbox(mbox_path, create=False)
    try:
        return [message_from_mbox(message) for message in box]
    finally:
        box.close()


def api_event(event: CalendarEvent) -> dict:
    """A Calendar API event for an occurrence the .ics connector read from the world's calendar."""
    series = "e" + hashlib.sha256(event.uid.encode()).hexdigest()[:20]
    instance = {}
    if event.recurrence_id is not None:
        instance = {"recurringEventId": series,
                    "originalStartTime": {"dateTime": event.recurrence_id.isoformat(), "timeZone": "UTC"}}
        series = f"{series}_{event.recurrence_id:%Y%m%dT%H%M%SZ}"
    attendees = [{"email": a.email, "displayName": a.name or "",
                  "responseStatus": {"ACCEPTED": "accepted", "DECLINED": "declined",
                                     "TENTATIVE": "tentative"}.get(a.partstat or "", "needsAction")}
                 for a in event.attendees]
    start, end = (event.start_at, event.end_at) if not event.is_all_day else (
        event.start_at.astimezone(ZoneInfo("Europe/Berlin")).date(),
        event.end_at.astimezone(ZoneInfo("Europe/Berlin")).date())
    return make_event(series, summary=event.summary or "", start=start, end=end, time_zone="UTC",
                      attendees=attendees, organizer=event.organizer.email if event.organizer else "me@example.com",
                      ical_uid=event.uid, sequence=event.sequence, **instance)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    paths = generate_world(folder, people=50, seed=5, end=END)
    messages = world_messages(paths.mbox)
    now = dt.datetime.combine(END, dt.time(), tzinfo=UTC)
    events = [api_event(e) for e in read_ics(paths.ics, tz=ZoneInfo("Europe/Berlin"),
                                             window=(now - dt.timedelta(days=365), now + dt.timedelta(days=60)))
              if isinstance(e, CalendarEvent) and e.status != "CANCELLED"]
    return messages, events


def stored(db) -> tuple[set[str], set[str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        mail = {i for (i,) in con.execute("select gmail_id from stg_gmail__messages").fetchall()}
        events = {k for (k,) in con.execute("select event_key from stg_gcal__events where not is_cancelled").fetchall()}
    return mail, events


def stored_labels(db) -> dict[str, list[str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select gmail_id, list_sort(labels) from stg_gmail__messages").fetchall())


def world_labels(fake: FakeGoogle) -> dict[str, list[str]]:
    return {str(int(hex_id, 16)): sorted(LABEL_NAMES.get(x, x) for x in message["labelIds"])
            for hex_id, message in fake.messages.items()}


def expected(messages: list[dict], events: list[dict]) -> tuple[set[str], set[str]]:
    def key(e):
        original = e.get("originalStartTime")
        if not original:
            return e["iCalUID"]
        moment = dt.datetime.fromisoformat(original["dateTime"]).astimezone(UTC)
        return f"{e['iCalUID']}@{moment:%Y%m%dT%H%M%SZ}"
    return {str(int(m["id"], 16)) for m in messages}, {key(e) for e in events}


def test_the_database_ends_with_exactly_the_worlds_messages_and_events(cli, tmp_path, world):
    messages, events = world
    split_m, split_e = len(messages) * 4 // 5, len(events) * 4 // 5
    fake = FakeGoogle(messages=messages[:split_m], calendars={"primary": events[:split_e]}, max_page_size=400)
    db = tmp_path / "t.duckdb"
    with fake as url:
        conf = config(tmp_path, url)

        def sync():
            for source in ("gmail", "gcal"):
                result = cli("--db", db, "--config", conf, "ingest", source)
                assert result.code == 0, result.err

        sync()  # full
        assert stored(db) == expected(messages[:split_m], events[:split_e])

        for message in messages[split_m:]:  # new mail and meetings: incremental
            fake.add_message(message)
        for event in events[split_e:]:
            fake.add_event("primary", event)
        sync()
        assert stored(db) == expected(messages, events)

        deleted, relabelled = messages[:5], messages[5:15]  # deletions and label changes: incremental
        for message in deleted:
            fake.delete_message(message["id"])
        for message in relabelled:
            fake.change_labels(message["id"], add=["STARRED"], remove=["INBOX", "UNREAD"])
        messages = messages[5:]
        sync()
        assert stored(db) == expected(messages, events)
        assert stored_labels(db) == world_labels(fake)

        fake.change_labels(messages[20]["id"], add=["IMPORTANT"])  # a change the expired history loses ...
        fake.delete_message(messages[21]["id"])
        messages = messages[:21] + messages[22:]
        fake.expire_history()  # both positions expire: full resyncs, by themselves
        fake.expire_sync_tokens()
        sync()
        assert stored(db) == expected(messages, events)
        assert stored_labels(db) == world_labels(fake)  # ... and the resync reconciles

        fake.fail_next(1, 500)  # faults on the next requests: retried, nothing lost
        fake.fail_next(1, 429, reason="rateLimitExceeded")
        fake.expire_history()
        fake.expire_sync_tokens()
        sync()
        assert stored(db) == expected(messages, events)
