"""connectors.gcal: Google Calendar events.list, full and incremental, to CalendarEvent records.

Offline: the real client library, built from the discovery document it ships, talking to an
HttpMockSequence that answers in order and records every request.
"""
import datetime as dt
import json
import zoneinfo
from urllib.parse import parse_qsl, urlsplit

import pytest
from googleapiclient.discovery import build
from googleapiclient.http import HttpMockSequence

from connectors import SourceError
from connectors.gcal import CancelledOccurrence, FullResync, SyncToken, sync_calendar
from connectors.google_api import RETRY_TRIES
from connectors.records import Address, Attendee, CalendarEvent, Rejected

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = dt.timezone.utc
YEAR_2024 = (dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2025, 1, 1, tzinfo=UTC))
SERIES_ID = "7cbh8rpc10lrc0ckih9tafss99"


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --- real-shaped API responses ---------------------------------------------------------------------

def page(*items, **fields) -> dict:
    """An events.list response page of the owner's primary calendar."""
    return {"kind": "calendar#events", "etag": '"p33g9fbuvmeoo80o"', "summary": "jane@acme.com",
            "description": "", "updated": "2024-03-21T08:02:11.183Z", "timeZone": "Europe/Berlin",
            "accessRole": "owner", "defaultReminders": [{"method": "popup", "minutes": 10}],
            "items": list(items), **fields}


def event_item(event_id: str, **fields) -> dict:
    return {"kind": "calendar#event", "etag": '"3420784536918000"', "id": event_id, "status": "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={event_id}",
            "created": "2024-02-20T09:14:03.000Z", "updated": "2024-02-21T16:37:48.459Z",
            "creator": {"email": "jane@acme.com", "self": True},
            "organizer": {"email": "jane@acme.com", "self": True},
            "iCalUID": f"{event_id}@google.com", "sequence": 0, "reminders": {"useDefault": True},
            "eventType": "default", **fields}


TIMED = event_item(
    "5n0ctm7ojv2b4pl8s3h2o1q2rk", summary="Quarterly planning", location="Room 4.12", sequence=2,
    organizer={"email": "Ana.Lima@Example.com", "displayName": "Ana Lima"},
    start={"dateTime": "2024-03-05T09:00:00-05:00", "timeZone": "America/New_York"},
    end={"dateTime": "2024-03-05T10:30:00-05:00", "timeZone": "America/New_York"},
    attendees=[
        {"email": "ana.lima@example.com", "displayName": "Ana Lima", "organizer": True, "responseStatus": "accepted"},
        {"email": "jane@acme.com", "self": True, "responseStatus": "needsAction"},
        {"email": "ben.okafor@example.org", "displayName": "Ben Okafor", "optional": True,
         "responseStatus": "declined"},
        {"email": "chris@example.net", "responseStatus": "tentative"},
        {"email": "c_1889ab4h3q@resource.calendar.google.com", "displayName": "Berlin-4-Room 4.12 (8)",
         "resource": True, "responseStatus": "accepted"},
    ],
    hangoutLink="https://meet.google.com/abc-defg-hij")

TIMED_EVENT = CalendarEvent(
    uid="5n0ctm7ojv2b4pl8s3h2o1q2rk@google.com", recurrence_id=None, calendar="jane@acme.com",
    summary="Quarterly planning", start_at=utc(2024, 3, 5, 14), end_at=utc(2024, 3, 5, 15, 30), is_all_day=False,
    timezone="America/New_York", status="CONFIRMED", organizer=Address("ana.lima@example.com", "Ana Lima"),
    attendees=[
        Attendee("ana.lima@example.com", "Ana Lima", "ACCEPTED", "REQ-PARTICIPANT", "INDIVIDUAL"),
        Attendee("jane@acme.com", None, "NEEDS-ACTION", "REQ-PARTICIPANT", "INDIVIDUAL"),
        Attendee("ben.okafor@example.org", "Ben Okafor", "DECLINED", "OPT-PARTICIPANT", "INDIVIDUAL"),
        Attendee("chris@example.net", None, "TENTATIVE", "REQ-PARTICIPANT", "INDIVIDUAL"),
        Attendee("c_1889ab4h3q@resource.calendar.google.com", "Berlin-4-Room 4.12 (8)", "ACCEPTED",
                 "REQ-PARTICIPANT", "RESOURCE"),
    ],
    sequence=2, last_modified=utc(2024, 2, 21, 16, 37, 48, 459000), origin="gcal:primary:5n0ctm7ojv2b4pl8s3h2o1q2rk")

ALL_DAY = event_item("1g4hq2v0a8jd3c6nt9rrbf2o5m", summary="Easter trip", transparency="transparent",
                     start={"date": "2024-03-29"}, end={"date": "2024-04-01"})

ALL_DAY_EVENT = CalendarEvent(
    uid="1g4hq2v0a8jd3c6nt9rrbf2o5m@google.com", recurrence_id=None, calendar="jane@acme.com",
    summary="Easter trip", start_at=utc(2024, 3, 28, 23), end_at=utc(2024, 3, 31, 22),  # CET, then CEST
    is_all_day=True, timezone="Europe/Berlin", status="CONFIRMED", organizer=Address("jane@acme.com", None),
    attendees=[], sequence=0, last_modified=utc(2024, 2, 21, 16, 37, 48, 459000),
    origin="gcal:primary:1g4hq2v0a8jd3c6nt9rrbf2o5m")

CANCELLED_INSTANCE = {"kind": "calendar#event", "etag": '"3421190441372000"', "id": f"{SERIES_ID}_20240319T090000Z",
                      "status": "cancelled", "recurringEventId": SERIES_ID,
                      "originalStartTime": {"dateTime": "2024-03-19T10:00:00+01:00", "timeZone": "Europe/Berlin"}}

DELETED = {"kind": "calendar#event", "etag": '"3421190441372000"', "id": "0qk3m2b5l1fj8ptd7u2kq0vh4c",
           "status": "cancelled"}


def ok(body: dict, **headers) -> tuple:
    return {"status": "200", "content-type": "application/json; charset=UTF-8", **headers}, json.dumps(body)


def failure(status: int, reason: str, message: str, domain: str = "global", **headers) -> tuple:
    body = {"error": {"errors": [{"domain": domain, "reason": reason, "message": message}],
                      "code": status, "message": message}}
    return {"status": str(status), "content-type": "application/json; charset=UTF-8", **headers}, json.dumps(body)


def calendar_service(*responses) -> tuple:
    http = HttpMockSequence(list(responses))
    return build("calendar", "v3", http=http, static_discovery=True), http


def query(http: HttpMockSequence, n: int) -> dict:
    """Path and query parameters of the n-th request made."""
    uri = urlsplit(http.request_sequence[n][0])
    return {"path": uri.path, **dict(parse_qsl(uri.query))}


def sync(service, *, sync_token=None, window=YEAR_2024, calendar_id="primary", sleeps=None, **kwargs) -> list:
    sleep = (sleeps if sleeps is not None else []).append
    return list(sync_calendar(service, calendar_id, sync_token=sync_token, tz=BERLIN, window=window,
                              sleep=sleep, **kwargs))


# --- requests ---------------------------------------------------------------------------------------

def test_a_full_sync_lists_single_events_2500_a_page_within_the_window():
    service, http = calendar_service(ok(page(nextSyncToken="CPDAlvWDx70CEPDAlvWDx70CGAU=")))

    sync(service, window=(dt.datetime(2024, 1, 1, tzinfo=BERLIN), utc(2025, 1, 1)))

    assert query(http, 0) == {"path": "/calendar/v3/calendars/primary/events", "singleEvents": "true",
                              "maxResults": "2500", "timeMin": "2023-12-31T23:00:00Z",
                              "timeMax": "2025-01-01T00:00:00Z", "alt": "json"}


def test_a_full_sync_without_a_window_is_unbounded():
    service, http = calendar_service(ok(page(nextSyncToken="CPDAlvWDx70CEPDAlvWDx70CGAU=")))

    sync(service, window=None)

    assert query(http, 0) == {"path": "/calendar/v3/calendars/primary/events", "singleEvents": "true",
                              "maxResults": "2500", "alt": "json"}


def test_an_incremental_sync_sends_the_sync_token_and_no_time_bounds():
    service, http = calendar_service(ok(page(nextSyncToken="CPDAlvWDx70CEPDAlvWDx70CGAY=")))

    records = sync(service, sync_token="CPDAlvWDx70CEPDAlvWDx70CGAU=")

    assert query(http, 0) == {"path": "/calendar/v3/calendars/primary/events", "singleEvents": "true",
                              "maxResults": "2500", "syncToken": "CPDAlvWDx70CEPDAlvWDx70CGAU=", "alt": "json"}
    assert records == [SyncToken("primary", "CPDAlvWDx70CEPDAlvWDx70CGAY=")]


def test_the_calendar_id_is_quoted_in_the_path_and_named_in_origins():
    calendar_id = "c_a1b2c3@group.calendar.google.com"
    service, http = calendar_service(ok(page(ALL_DAY, summary="Team", nextSyncToken="T")))

    records = sync(service, calendar_id=calendar_id)

    assert query(http, 0)["path"] == "/calendar/v3/calendars/c_a1b2c3%40group.calendar.google.com/events"
    assert records == [ALL_DAY_EVENT._replace(calendar="Team", origin=f"gcal:{calendar_id}:1g4hq2v0a8jd3c6nt9rrbf2o5m"),
                       SyncToken(calendar_id, "T")]


# --- events to records ------------------------------------------------------------------------------

def test_a_timed_event_is_in_utc_with_its_zone_organizer_and_attendees():
    service, _ = calendar_service(ok(page(TIMED, nextSyncToken="T")))

    assert sync(service) == [TIMED_EVENT, SyncToken("primary", "T")]


def test_an_all_day_event_runs_from_midnight_in_the_owners_zone_to_its_exclusive_end_date():
    service, _ = calendar_service(ok(page(ALL_DAY, nextSyncToken="T")))

    assert sync(service) == [ALL_DAY_EVENT, SyncToken("primary", "T")]


def test_an_all_day_event_ending_on_its_start_date_lasts_that_day():
    item = {**ALL_DAY, "start": {"date": "2024-10-03"}, "end": {"date": "2024-10-03"}}
    service, _ = calendar_service(ok(page(item, nextSyncToken="T")))

    [event, _] = sync(service)

    assert (event.start_at, event.end_at) == (utc(2024, 10, 2, 22), utc(2024, 10, 3, 22))


def test_a_timed_event_without_a_zone_of_its_own_has_the_calendars_zone():
    item = event_item("2c9lh0ofe4dgl7m3b5b0r8ls1d", start={"dateTime": "2024-06-03T15:00:00+02:00"},
                      end={"dateTime": "2024-06-03T15:20:00+02:00"})
    service, _ = calendar_service(ok(page(item, timeZone="Europe/Paris", nextSyncToken="T")))

    [event, _] = sync(service)

    assert (event.start_at, event.end_at, event.timezone) == (utc(2024, 6, 3, 13), utc(2024, 6, 3, 13, 20),
                                                              "Europe/Paris")


def test_a_moved_instance_of_a_recurring_event_has_its_original_start_as_recurrence_id():
    item = event_item(f"{SERIES_ID}_20240312T090000Z", summary="Weekly 1:1", recurringEventId=SERIES_ID,
                      iCalUID=f"{SERIES_ID}@google.com",
                      originalStartTime={"dateTime": "2024-03-12T10:00:00+01:00", "timeZone": "Europe/Berlin"},
                      start={"dateTime": "2024-03-13T14:00:00+01:00", "timeZone": "Europe/Berlin"},
                      end={"dateTime": "2024-03-13T14:30:00+01:00", "timeZone": "Europe/Berlin"})
    service, _ = calendar_service(ok(page(item, nextSyncToken="T")))

    [event, _] = sync(service)

    assert event == CalendarEvent(
        uid=f"{SERIES_ID}@google.com", recurrence_id=utc(2024, 3, 12, 9), calendar="jane@acme.com",
        summary="Weekly 1:1", start_at=utc(2024, 3, 13, 13), end_at=utc(2024, 3, 13, 13, 30), is_all_day=False,
        timezone="Europe/Berlin", status="CONFIRMED", organizer=Address("jane@acme.com", None), attendees=[],
        sequence=0, last_modified=utc(2024, 2, 21, 16, 37, 48, 459000),
        origin=f"gcal:primary:{SERIES_ID}_20240312T090000Z")


def test_an_instance_of_an_all_day_series_has_midnight_in_the_owners_zone_as_recurrence_id():
    item = {**ALL_DAY, "id": f"{SERIES_ID}_20240704", "recurringEventId": SERIES_ID,
            "originalStartTime": {"date": "2024-07-04"}, "start": {"date": "2024-07-04"}, "end": {"date": "2024-07-05"}}
    service, _ = calendar_service(ok(page(item, nextSyncToken="T")))

    [event, _] = sync(service)

    assert (event.recurrence_id, event.start_at, event.end_at) == (utc(2024, 7, 3, 22), utc(2024, 7, 3, 22),
                                                                    utc(2024, 7, 4, 22))


def test_a_cancelled_instance_with_only_id_series_and_original_start_is_a_cancelled_occurrence():
    service, _ = calendar_service(ok(page(CANCELLED_INSTANCE, nextSyncToken="T2")))

    assert sync(service, sync_token="T1") == [
        CancelledOccurrence(SERIES_ID, utc(2024, 3, 19, 9), f"gcal:primary:{SERIES_ID}_20240319T090000Z"),
        SyncToken("primary", "T2")]


def test_a_cancelled_item_that_gives_its_ical_uid_is_keyed_by_it():
    item = {**CANCELLED_INSTANCE, "iCalUID": f"{SERIES_ID}@google.com"}
    service, _ = calendar_service(ok(page(item, nextSyncToken="T2")))

    [cancelled, _] = sync(service, sync_token="T1")

    assert cancelled.uid_or_event_id == f"{SERIES_ID}@google.com"


def test_a_deleted_event_with_only_an_id_is_a_cancelled_occurrence():
    service, _ = calendar_service(ok(page(DELETED, nextSyncToken="T2")))

    assert sync(service, sync_token="T1") == [
        CancelledOccurrence("0qk3m2b5l1fj8ptd7u2kq0vh4c", None, "gcal:primary:0qk3m2b5l1fj8ptd7u2kq0vh4c"),
        SyncToken("primary", "T2")]


def test_an_event_whose_start_has_neither_date_nor_datetime_is_rejected_and_the_rest_kept():
    broken = event_item("4f1u5b0m2n3o4p5q6r7s8t9u0v", summary="Broken", start={"timeZone": "Europe/Berlin"},
                        end={"dateTime": "2024-05-02T11:00:00+02:00"})
    service, _ = calendar_service(ok(page(broken, ALL_DAY, nextSyncToken="T")))

    assert sync(service) == [
        Rejected("gcal:primary:4f1u5b0m2n3o4p5q6r7s8t9u0v", "start: neither date nor dateTime", json.dumps(broken)),
        ALL_DAY_EVENT, SyncToken("primary", "T")]


def test_an_event_that_ends_before_it_starts_is_rejected():
    broken = {**TIMED, "end": {"dateTime": "2024-03-05T08:00:00-05:00"}}
    service, _ = calendar_service(ok(page(broken, nextSyncToken="T")))

    [record, _] = sync(service)

    assert record[:2] == ("gcal:primary:5n0ctm7ojv2b4pl8s3h2o1q2rk", "ends before it starts")


# --- paging -----------------------------------------------------------------------------------------

def test_pages_are_followed_and_the_sync_token_of_the_last_page_comes_last():
    service, http = calendar_service(ok(page(TIMED, nextPageToken="EjYKKzVuMGN0bQ")),
                                     ok(page(ALL_DAY, nextSyncToken="CPDAlvWDx70CEPDAlvWDx70CGAU=")))

    records = sync(service)

    assert records == [TIMED_EVENT, ALL_DAY_EVENT, SyncToken("primary", "CPDAlvWDx70CEPDAlvWDx70CGAU=")]
    assert query(http, 1) == {**query(http, 0), "pageToken": "EjYKKzVuMGN0bQ"}


def test_an_empty_page_with_a_next_page_token_is_followed():
    service, http = calendar_service(ok(page(nextPageToken="p2")), ok(page(nextPageToken="p3")),
                                     ok(page(ALL_DAY, nextSyncToken="T")))
    progress = []

    records = sync(service, progress=progress.append)

    assert records == [ALL_DAY_EVENT, SyncToken("primary", "T")]
    assert [query(http, n).get("pageToken") for n in range(3)] == [None, "p2", "p3"]
    assert progress == [0, 0, 1]


def test_a_page_without_items_key_is_empty():
    body = page(nextSyncToken="T")
    del body["items"]
    service, _ = calendar_service(ok(body))

    assert sync(service) == [SyncToken("primary", "T")]


# --- expired sync tokens ------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", ["fullSyncRequired", "updatedMinTooLongAgo"])
def test_a_410_for_the_sync_token_gives_a_full_resync_within_the_window(reason):
    service, http = calendar_service(
        failure(410, reason, "Sync token is no longer valid, a full sync is required.", domain="calendar"),
        ok(page(ALL_DAY, nextSyncToken="fresh")))

    records = sync(service, sync_token="stale")

    assert records == [FullResync("primary", reason), ALL_DAY_EVENT, SyncToken("primary", "fresh")]
    assert query(http, 0)["syncToken"] == "stale"
    assert query(http, 1) == {"path": "/calendar/v3/calendars/primary/events", "singleEvents": "true",
                              "maxResults": "2500", "timeMin": "2024-01-01T00:00:00Z",
                              "timeMax": "2025-01-01T00:00:00Z", "alt": "json"}


def test_a_410_on_a_later_page_of_an_incremental_sync_restarts_with_a_full_sync():
    service, _ = calendar_service(
        ok(page(CANCELLED_INSTANCE, nextPageToken="p2")),
        failure(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required."),
        ok(page(ALL_DAY, nextSyncToken="fresh")))

    records = sync(service, sync_token="stale")

    assert [type(record).__name__ for record in records] == [
        "CancelledOccurrence", "FullResync", "CalendarEvent", "SyncToken"]


def test_a_410_on_a_full_sync_is_an_error_not_a_loop():
    service, http = calendar_service(failure(410, "fullSyncRequired", "A full sync is required."),
                                     ok(page(nextSyncToken="fresh")))

    with pytest.raises(SourceError) as raised:
        sync(service)

    assert str(raised.value) == "Google Calendar primary: full sync refused (410 fullSyncRequired); try again later"
    assert len(http.request_sequence) == 1


def test_a_410_deleted_is_not_a_resync():
    service, http = calendar_service(failure(410, "deleted", "Resource has been deleted"),
                                     ok(page(ALL_DAY, nextSyncToken="fresh")))

    with pytest.raises(SourceError) as raised:
        sync(service, sync_token="stale")

    assert str(raised.value) == "Google Calendar primary: request refused with HTTP 410: Resource has been deleted"
    assert len(http.request_sequence) == 1


# --- errors and retries -------------------------------------------------------------------------------

@pytest.mark.parametrize("response", [
    failure(429, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits"),
    failure(403, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits"),
    failure(403, "userRateLimitExceeded", "User Rate Limit Exceeded", domain="usageLimits"),
    failure(500, "backendError", "Backend Error"),
    failure(503, "backendError", "The service is currently unavailable."),
], ids=["429", "403 rateLimitExceeded", "403 userRateLimitExceeded", "500", "503"])
def test_a_rate_limit_or_server_error_is_retried_after_a_backoff(response):
    service, http = calendar_service(response, ok(page(ALL_DAY, nextSyncToken="T")))
    sleeps = []

    records = sync(service, sleeps=sleeps)

    assert records == [ALL_DAY_EVENT, SyncToken("primary", "T")]
    assert http.request_sequence[0][0] == http.request_sequence[1][0]
    assert len(sleeps) == 1 and 1 <= sleeps[0] <= 2


def test_the_backoff_grows_exponentially():
    service, _ = calendar_service(*[failure(503, "backendError", "Backend Error")] * 4,
                                  ok(page(nextSyncToken="T")))
    sleeps = []

    sync(service, sleeps=sleeps)

    assert [(2 ** n <= delay <= 2 ** n + 1) for n, delay in enumerate(sleeps)] == [True] * 4


def test_a_retry_after_header_is_obeyed():
    service, _ = calendar_service(failure(429, "rateLimitExceeded", "Rate Limit Exceeded", **{"retry-after": "7"}),
                                  ok(page(nextSyncToken="T")))
    sleeps = []

    sync(service, sleeps=sleeps)

    assert sleeps == [7.0]


def test_retries_stop_with_a_source_error_naming_the_calendar():
    service, http = calendar_service(*[failure(503, "backendError", "Backend Error")] * RETRY_TRIES)
    sleeps = []

    with pytest.raises(SourceError) as raised:
        sync(service, sleeps=sleeps)

    assert str(raised.value) == ("Google Calendar primary: request refused with HTTP 503: Backend Error "
                                 "(still failing after retries; run again later, it resumes where it stopped)")
    assert (len(http.request_sequence), len(sleeps)) == (RETRY_TRIES, RETRY_TRIES - 1)


def test_a_lost_connection_is_retried():
    class Flaky(HttpMockSequence):
        def request(self, *args, **kwargs):
            if not self.request_sequence and not getattr(self, "failed", False):
                self.failed = True
                raise ConnectionResetError(104, "Connection reset by peer")
            return super().request(*args, **kwargs)

    http = Flaky([ok(page(ALL_DAY, nextSyncToken="T"))])
    service = build("calendar", "v3", http=http, static_discovery=True)
    sleeps = []

    assert sync(service, sleeps=sleeps) == [ALL_DAY_EVENT, SyncToken("primary", "T")]
    assert len(sleeps) == 1


def test_a_403_forbidden_is_not_retried():
    service, http = calendar_service(failure(403, "forbidden", "Forbidden"), ok(page(nextSyncToken="T")))
    sleeps = []

    with pytest.raises(SourceError) as raised:
        sync(service, calendar_id="c_a1b2c3@group.calendar.google.com", sleeps=sleeps)

    assert str(raised.value) == ("Google Calendar c_a1b2c3@group.calendar.google.com: request refused with HTTP 403: "
                                 "Forbidden (check the scopes granted: run `tiekeeper auth google` again)")
    assert (len(http.request_sequence), sleeps) == (1, [])


def test_an_unknown_calendar_says_to_check_the_configured_ids():
    service, _ = calendar_service(failure(404, "notFound", "Not Found"))

    with pytest.raises(SourceError) as raised:
        sync(service, calendar_id="nobody@example.com")

    assert str(raised.value) == ("Google Calendar nobody@example.com: no such calendar (HTTP 404); "
                                 "check the ids in [sources.gcal] calendars")


def test_refused_credentials_say_to_authorise_again():
    service, _ = calendar_service(failure(401, "authError", "Invalid Credentials", domain="global"))

    with pytest.raises(SourceError) as raised:
        sync(service)

    assert str(raised.value) == ("Google Calendar primary: the Google authorization has expired or was revoked "
                                 "(run `tiekeeper auth google` again)")


def test_a_window_must_be_timezone_aware():
    service, _ = calendar_service()

    with pytest.raises(ValueError):
        sync(service, window=(dt.datetime(2024, 1, 1), dt.datetime(2025, 1, 1)))
