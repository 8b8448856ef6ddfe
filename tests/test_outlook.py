"""connectors.outlook and connectors.outlook_calendar against the local fake Graph: what is read and
how it becomes records; folders; changes-only items; removals; expired tokens; throttling; $batch."""
import datetime as dt
import json
import zoneinfo

import pytest

from connectors import SourceError
from connectors.api_calls import RateLimiter
from connectors.demo.outlook_graph import FOLDERS
from connectors.graph_api import GraphClient
from connectors.outlook import OutlookCursor, OutlookFolderGone, OutlookRemoved, sync_outlook
from connectors.outlook_calendar import (
    CalendarResync,
    OutlookCalendarCursor,
    OutlookEventRemoved,
    sync_outlook_calendar,
)
from connectors.records import Address, Attendee, CalendarEvent, OutlookMessage, OutlookMessageChange, Skipped
from tests.fake_graph import FakeGraph

UTC = dt.timezone.utc
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
FOLDER_LIST = [{"id": i, "displayName": d, "parentFolderId": p, "wellKnownName": w} for i, d, p, w in FOLDERS]
ME = {"emailAddress": {"name": "Jane Doe", "address": "Jane@Contoso.example"}}
ANNA = {"emailAddress": {"name": "Anna Schmidt", "address": "anna.schmidt@example.org"}}


def message(item_id: str, folder: str = "AAMkFolderInbox", **fields) -> dict:
    resource = {
        "id": item_id, "parentFolderId": folder, "internetMessageId": f"<{item_id}@example.org>",
        "conversationId": "AAQkADconv1", "subject": "Quarterly plan", "from": ANNA, "sender": ANNA,
        "toRecipients": [ME], "ccRecipients": [], "bccRecipients": [], "replyTo": [],
        "sentDateTime": "2025-03-11T08:31:25Z", "receivedDateTime": "2025-03-11T08:31:40Z", "importance": "normal",
        "isRead": True, "isDraft": False, "flag": {"flagStatus": "notFlagged"}, "categories": [],
        "inferenceClassification": "focused", "hasAttachments": False,
        "internetMessageHeaders": [{"name": "Message-ID", "value": f"<{item_id}@example.org>"}],
        "body": {"contentType": "html", "content": "<p>never stored</p>"}}
    resource.update(fields)
    return resource


def client(root: str, slept: list | None = None) -> GraphClient:
    return GraphClient(root, None, limiter=RateLimiter(100000), sleep=_sleep(slept))


def sync(root, cursor=None, slept=None, **kwargs) -> list:
    return list(sync_outlook(client(root, slept), cursor=cursor, sleep=_sleep(slept), **kwargs))


def _sleep(slept: list | None):
    """A sleep that only notes the seconds asked for in `slept` (if given)."""
    return slept.append if slept is not None else lambda seconds: None


def test_a_message_becomes_a_record_of_its_headers_and_outlook_state():
    reply = message("m1", importance="high", isRead=False, flag={"flagStatus": "flagged"}, categories=["Red category"],
                    inferenceClassification="other", hasAttachments=True,
                    ccRecipients=[{"emailAddress": {"name": "Ops", "address": "/O=EXCHANGELABS/OU=EXCHANGE/CN=OPS"}}],
                    internetMessageHeaders=[
                        {"name": "Message-ID", "value": "<m1@example.org>"},
                        {"name": "In-Reply-To", "value": "<m0@example.com>"},
                        {"name": "References", "value": "<root@example.com> <m0@example.com>"},
                        {"name": "List-Id", "value": "Team <team.example.org>"},
                        {"name": "Auto-Submitted", "value": "Auto-Replied"}])
    with FakeGraph(folders=FOLDER_LIST, messages=[reply]) as root:
        records = sync(root)
    record = records[0]
    assert record == OutlookMessage(
        message_id="m1@example.org", header_hash=record.header_hash, thread_id="AAQkADconv1",
        in_reply_to="m0@example.com", references=["root@example.com", "m0@example.com"],
        sent_at=dt.datetime(2025, 3, 11, 8, 31, 25, tzinfo=UTC),
        from_addr=Address("anna.schmidt@example.org", "Anna Schmidt"),
        reply_to=[], to=[Address("jane@contoso.example", "Jane Doe")], cc=[], bcc=[], subject="Quarterly plan",
        list_id="Team <team.example.org>", has_list_unsubscribe=False, precedence=None, auto_submitted="auto-replied",
        size_bytes=None, item_id="m1", folder_id="AAMkFolderInbox", folder="Inbox",
        received_at=dt.datetime(2025, 3, 11, 8, 31, 40, tzinfo=UTC), importance="high", is_read=False,
        flag_status="flagged", categories=["Red category"], inference_classification="other", has_attachments=True,
        origin="outlook:m1")
    assert len(record.header_hash) == 64
    assert isinstance(records[-1], OutlookCursor)


def test_junk_deleted_drafts_and_skipped_folders_are_not_read_nor_the_folders_inside_them():
    folders = FOLDER_LIST + [{"id": "AAMkNews", "displayName": "Newsletters", "parentFolderId": "AAMkFolderInbox"},
                             {"id": "AAMkNewsOld", "displayName": "2019", "parentFolderId": "AAMkNews"}]
    mail = [message(f"m-{f['id']}", f["id"]) for f in folders]
    with FakeGraph(folders=folders, messages=mail) as root:
        records = sync(root, skip_folders=("newsletters",))
    assert sorted((r.folder_id, r.folder) for r in records if isinstance(r, OutlookMessage)) == [
        ("AAMkFolderArchive", "Archive"), ("AAMkFolderInbox", "Inbox"), ("AAMkFolderProjects", "Projects"),
        ("AAMkFolderSent", "Sent")]


def test_an_unchanged_mailbox_costs_one_request_for_the_folders_and_one_batch():
    fake = FakeGraph(folders=FOLDER_LIST, messages=[message("m1")])
    with fake as root:
        cursor = sync(root)[-1].state
        fake.reset_stats()
        records = sync(root, cursor)
    assert [type(r) for r in records] == [OutlookCursor]
    assert fake.calls() == 2 and fake.counts["messages.delta"] == 4


def test_changes_come_as_changes_moves_as_new_items_and_deletions_as_removals():
    fake = FakeGraph(folders=FOLDER_LIST, messages=[message("m1"), message("m2"), message("m3")])
    with fake as root:
        cursor = sync(root)[-1].state
        fake.change_message("m1", isRead=False, flag={"flagStatus": "flagged"})
        fake.move_message("m2", "AAMkFolderArchive")
        fake.delete_message("m3")
        records = sync(root, cursor, stored_items=lambda ids: set(ids))
    changes = [r for r in records if isinstance(r, OutlookMessageChange)]
    assert changes == [OutlookMessageChange("m1", "AAMkFolderInbox", None, False, "flagged", None, None, "outlook:m1")]
    assert [(r.item_id, r.folder) for r in records if isinstance(r, OutlookMessage)] == [("m2", "Archive")]
    assert sorted(r for r in records if isinstance(r, OutlookRemoved)) == [
        OutlookRemoved("m2", "AAMkFolderInbox"), OutlookRemoved("m3", "AAMkFolderInbox")]


def test_a_changed_message_that_is_not_stored_is_fetched_whole():
    fake = FakeGraph(folders=FOLDER_LIST, messages=[message("m1")])
    with fake as root:
        cursor = sync(root)[-1].state
        fake.change_message("m1", isRead=False)
        records = sync(root, cursor, stored_items=lambda ids: set())
    assert [type(r).__name__ for r in records] == ["OutlookMessageChange", "OutlookMessage", "OutlookCursor"]
    assert fake.counts["messages.get"] == 1


def test_an_expired_delta_token_resyncs_its_folder_by_itself():
    fake = FakeGraph(folders=FOLDER_LIST, messages=[message("m1"), message("m2", "AAMkFolderSent")])
    with fake as root:
        cursor = sync(root)[-1].state
        fake.expire_delta_tokens()
        records = sync(root, cursor)
    gone = sorted(r.folder_id for r in records if isinstance(r, OutlookFolderGone))
    assert gone == ["AAMkFolderArchive", "AAMkFolderInbox", "AAMkFolderProjects", "AAMkFolderSent"]
    assert {r.reason for r in records if isinstance(r, OutlookFolderGone)} == {"delta token expired: folder resynced"}
    assert sorted(r.item_id for r in records if isinstance(r, OutlookMessage)) == ["m1", "m2"]
    assert isinstance(records[-1], OutlookCursor)


def test_a_removed_folder_and_its_messages_go():
    fake = FakeGraph(folders=FOLDER_LIST, messages=[message("m1", "AAMkFolderProjects")])
    with fake as root:
        cursor = sync(root)[-1].state
        fake.remove_folder("AAMkFolderProjects")
        records = sync(root, cursor)
    assert OutlookFolderGone("AAMkFolderProjects", "folder removed") in records


class Clock(list):
    """A clock that moves only when slept on; what was slept is kept."""

    now = 1000.0

    def __call__(self) -> float:
        return self.now

    def append(self, seconds: float) -> None:
        super().append(seconds)
        self.now += seconds


def test_429_with_retry_after_is_honoured_and_the_part_goes_into_the_next_batch():
    slept = Clock()
    fake = FakeGraph(folders=FOLDER_LIST, messages=[message(f"m{i}") for i in range(3)], requests_per_second=2,
                     burst=14, retry_after=3, clock=slept)
    with fake as root:
        records = sync(root, slept=slept)
    assert fake.throttled() > 0
    assert slept and min(slept) >= 3  # never sooner than the server said
    assert sorted(r.item_id for r in records if isinstance(r, OutlookMessage)) == ["m0", "m1", "m2"]


def test_batch_parts_run_at_most_four_at_once():
    folders = FOLDER_LIST + [{"id": f"AAMkUser{i}", "displayName": f"Client {i}", "parentFolderId": "AAMkFolderInbox"}
                             for i in range(16)]
    fake = FakeGraph(folders=folders, messages=[message(f"m{i}", f"AAMkUser{i}") for i in range(16)])
    with fake as root:
        records = sync(root)
    assert fake.throttled() == 0  # the fake refuses a fifth unchained part with 429
    assert fake.counts["batch"] >= 1 and fake.counts["messages.delta"] == 20
    assert len([r for r in records if isinstance(r, OutlookMessage)]) == 16


def test_a_refused_permission_stops_the_run_with_one_line_naming_the_command():
    fake = FakeGraph(folders=FOLDER_LIST)
    with fake as root:
        graph = client(root)
        graph.token = lambda: "expired"
        fake.call = lambda *args, **kwargs: (401, {"error": {"code": "InvalidAuthenticationToken",
                                                             "message": "Access token has expired."}}, {})
        with pytest.raises(SourceError, match=r"expired or was revoked \(run `tiekeeper auth microsoft` again\)$"):
            list(sync_outlook(graph, cursor=None))


# --- calendar --------------------------------------------------------------------------------------

WINDOW = (dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2025, 12, 31, tzinfo=UTC))


def event(event_id: str, **fields) -> dict:
    resource = {"id": event_id, "type": "singleInstance", "iCalUID": f"{event_id}@example.org",
                "iCalUId": f"{event_id}@example.org", "subject": "Design review", "isAllDay": False,
                "isCancelled": False, "start": {"dateTime": "2025-03-11T09:00:00.0000000", "timeZone": "UTC"},
                "end": {"dateTime": "2025-03-11T10:00:00.0000000", "timeZone": "UTC"},
                "originalStartTimeZone": "W. Europe Standard Time",
                "lastModifiedDateTime": "2025-03-01T10:00:00.1234567Z", "organizer": ME,
                "attendees": [{"type": "required", "status": {"response": "accepted"}, **ANNA},
                              {"type": "optional", "status": {"response": "tentativelyAccepted"},
                               "emailAddress": {"name": "Kim", "address": "kim@example.org"}},
                              {"type": "resource", "status": {"response": "none"},
                               "emailAddress": {"name": "Room 1", "address": "room1@contoso.example"}}]}
    resource.update(fields)
    return resource


def calendar(root, cursor=None, window=WINDOW) -> list:
    return list(sync_outlook_calendar(client(root), cursor=cursor, tz=BERLIN, window=window, sleep=lambda s: None))


def test_an_event_becomes_the_record_an_ics_export_gives():
    with FakeGraph(events=[event("e1")]) as root:
        records = calendar(root)
    assert records[0] == CalendarEvent(
        uid="e1@example.org", recurrence_id=None, calendar="Calendar", summary="Design review",
        start_at=dt.datetime(2025, 3, 11, 9, tzinfo=UTC), end_at=dt.datetime(2025, 3, 11, 10, tzinfo=UTC),
        is_all_day=False, timezone="W. Europe Standard Time", status="CONFIRMED",
        organizer=Address("jane@contoso.example", "Jane Doe"),
        attendees=[Attendee("anna.schmidt@example.org", "Anna Schmidt", "ACCEPTED", "REQ-PARTICIPANT", "INDIVIDUAL"),
                   Attendee("kim@example.org", "Kim", "TENTATIVE", "OPT-PARTICIPANT", "INDIVIDUAL"),
                   Attendee("room1@contoso.example", "Room 1", "NEEDS-ACTION", "NON-PARTICIPANT", "RESOURCE")],
        sequence=0, last_modified=dt.datetime(2025, 3, 1, 10, 0, 0, 123456, tzinfo=UTC), origin="outlook-calendar:e1")
    assert isinstance(records[-1], OutlookCalendarCursor)


def test_occurrences_take_the_series_uid_and_their_original_start():
    occurrence = event("o1", type="occurrence", seriesMasterId="s1", iCalUId="040000008200E00074C5B7101A82E008-o1",
                       originalStart="2025-03-11T09:00:00Z")
    moved = event("o2", type="exception", seriesMasterId="s1", iCalUId="040000008200E00074C5B7101A82E008-o2",
                  originalStart="2025-03-18T09:00:00Z",
                  start={"dateTime": "2025-03-19T09:00:00.0000000", "timeZone": "UTC"},
                  end={"dateTime": "2025-03-19T10:00:00.0000000", "timeZone": "UTC"})
    fake = FakeGraph(events=[occurrence, moved], masters={"s1": {"id": "s1", "iCalUId": "weekly@example.org"}})
    with fake as root:
        records = calendar(root)
    assert [(r.uid, r.recurrence_id, r.start_at.day) for r in records[:2]] == [
        ("weekly@example.org", dt.datetime(2025, 3, 11, 9, tzinfo=UTC), 11),
        ("weekly@example.org", dt.datetime(2025, 3, 18, 9, tzinfo=UTC), 19)]
    assert fake.counts["events.get"] == 1  # one master, looked up once


def test_all_day_events_start_at_midnight_in_the_owners_zone_and_cancelled_ones_are_marked():
    all_day = event("a1", isAllDay=True, start={"dateTime": "2025-05-01T00:00:00.0000000", "timeZone": "UTC"},
                    end={"dateTime": "2025-05-02T00:00:00.0000000", "timeZone": "UTC"})
    with FakeGraph(events=[all_day, event("c1", isCancelled=True)]) as root:
        records = calendar(root)
    assert (records[0].start_at, records[0].end_at, records[0].is_all_day, records[0].timezone) == (
        dt.datetime(2025, 4, 30, 22, tzinfo=UTC), dt.datetime(2025, 5, 1, 22, tzinfo=UTC), True, "Europe/Berlin")
    assert records[1].status == "CANCELLED"


def test_calendar_changes_removals_expiry_and_a_window_that_moved_on():
    fake = FakeGraph(events=[event("e1"), event("e2")])
    with fake as root:
        cursor = calendar(root)[-1].state
        fake.remove_event("e2")
        fake.put_event(event("e3"))
        records = calendar(root, cursor)
        assert [type(r).__name__ for r in records] == ["CalendarEvent", "OutlookEventRemoved", "OutlookCalendarCursor"]
        assert records[1] == OutlookEventRemoved("outlook-calendar:e2")
        fake.expire_delta_tokens()
        expired = calendar(root, records[-1].state)
        assert expired[0] == CalendarResync("delta token expired")
        later = (WINDOW[0] + dt.timedelta(days=60), WINDOW[1] + dt.timedelta(days=60))
        moved = calendar(root, expired[-1].state, window=later)
        assert moved[0] == CalendarResync("window moved on")
        assert json.loads(moved[-1].state)["window"] == ["2025-03-02T00:00:00Z", "2026-03-01T00:00:00Z"]


def test_a_series_master_in_the_view_is_skipped_with_a_reason():
    with FakeGraph(events=[event("s1", type="seriesMaster")]) as root:
        assert calendar(root)[0] == Skipped("outlook-calendar:s1", "series master (its occurrences are read)")
