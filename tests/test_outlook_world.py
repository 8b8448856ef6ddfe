"""The Outlook connectors end to end on a generated Outlook-flavoured world served by the local fake
Graph: a full sync, an incremental one after new mail, moves, read and flag changes and deletions, a
run with nothing changed, expired delta tokens and throttling; the database ends with exactly the
world's messages and events every time."""
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from connectors.demo import generate_world
from connectors.demo.outlook_graph import load_graph_mailbox
from connectors.ics import read_ics
from connectors.records import CalendarEvent
from tests.fake_graph import FakeGraph, graph_events

pytestmark = pytest.mark.slow  # a generated world through the fake Graph

UTC = dt.timezone.utc
END = dt.date(2026, 11, 23)
SYNCED = {"AAMkFolderInbox", "AAMkFolderSent", "AAMkFolderArchive", "AAMkFolderProjects"}


def config(tmp_path: Path, root: str, **outlook) -> Path:
    extra = "".join(f"{key} = {value!r}\n".replace("'", '"') for key, value in outlook.items())
    path = tmp_path / "tiekeeper.toml"
    path.write_text(f"""[owner]
name = "Owner"
emails = ["owner@example.com"]
timezone = "Europe/Berlin"

[sources.outlook]
api_endpoint = "{root}"
credentials = "anonymous"
requests_per_second = 100000  # the fake enforces no limit here: do not wait at Graph's pace
{extra}
[sources.outlook-calendar]
api_endpoint = "{root}"
credentials = "anonymous"
requests_per_second = 100000
""")
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    paths = generate_world(folder, people=50, seed=5, end=END, outlook=True)
    folders, messages = load_graph_mailbox(paths.outlook)
    now = dt.datetime.combine(END, dt.time(), tzinfo=UTC)
    occurrences = [e for e in read_ics(paths.ics, tz=ZoneInfo("Europe/Berlin"),
                                       window=(now - dt.timedelta(days=365), now + dt.timedelta(days=60)))
                   if isinstance(e, CalendarEvent)]
    return folders, messages, occurrences


def stored(db) -> tuple[set[str], set[str], set[str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        items = {i for (i,) in con.execute("select item_id from raw_outlook__messages").fetchall()}
        keys = {k for (k,) in con.execute("select message_key from stg_outlook__messages").fetchall()}
        events = {k for (k,) in con.execute("select event_key from stg_outlook__events").fetchall()}
    return items, keys, events


def expected(fake: FakeGraph, occurrences) -> tuple[set[str], set[str], set[str]]:
    mail = [m for m in fake.messages() if m["parentFolderId"] in SYNCED]
    keys = {m["internetMessageId"] for m in mail}

    def key(e):
        return e.uid + (f"@{e.recurrence_id:%Y%m%dT%H%M%SZ}" if e.recurrence_id else "")
    return {m["id"] for m in mail}, keys, {key(e) for e in occurrences}


def test_the_database_ends_with_exactly_the_worlds_outlook_mail_and_calendar(cli, tmp_path, world):
    folders, messages, occurrences = world
    split = len(messages) * 4 // 5
    events, masters = graph_events(occurrences)
    fake = FakeGraph(folders=folders, messages=messages[:split], events=events, masters=masters, max_page_size=300)
    db = tmp_path / "t.duckdb"
    with fake as root:
        conf = config(tmp_path, root)

        def sync():
            for source in ("outlook", "outlook-calendar"):
                result = cli("--db", db, "--config", conf, "ingest", source)
                assert result.code == 0, result.err
            items, keys, event_keys = stored(db)
            want_items, want_keys, want_events = expected(fake, occurrences)
            assert items == want_items
            assert {f"<{k[1:-1]}>" for k in want_keys} == keys
            assert event_keys == want_events

        sync()  # full

        for message in messages[split:]:  # new mail, and changes to what is stored: incremental
            fake.add_message(message)
        inbox = [m["id"] for m in fake.messages() if m["parentFolderId"] == "AAMkFolderInbox"]
        for item_id in inbox[:10]:
            fake.move_message(item_id, "AAMkFolderArchive")
        for item_id in inbox[10:20]:
            fake.change_message(item_id, isRead=False, flag={"flagStatus": "flagged"})
        for item_id in inbox[20:25]:
            fake.delete_message(item_id)
        fake.move_message(inbox[25], "AAMkFolderJunk")  # out of the synced folders
        sync()
        with duckdb.connect(str(db), read_only=True) as con:
            flagged = con.execute("select count(*) from raw_outlook__messages where flag_status = 'flagged' "
                                  "and item_id in (select unnest(?::varchar[]))", [inbox[10:20]]).fetchall()
            assert flagged == [(10,)]

        fake.reset_stats()  # nothing changed: at most one request per folder
        assert cli("--db", db, "--config", conf, "ingest", "outlook").code == 0
        assert fake.calls() <= len(SYNCED)

        fake.expire_delta_tokens()  # every token expires: full resyncs, by themselves
        sync()

        fake.throttle_next(3)  # Graph throttles: 429 with Retry-After, retried, nothing lost
        fake.expire_delta_tokens()
        sync()
        assert fake.throttled() == 3
