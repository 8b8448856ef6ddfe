"""Read a Google Calendar through the Calendar API (`events.list`) into `CalendarEvent`s, incrementally.

The first run lists every occurrence in the window (`singleEvents=true`: recurring series come as
their instances) and ends with the calendar's `nextSyncToken`; later runs pass that token and get
only what changed since, cancelled instances and deleted events included. Records follow
`connectors.ics`, so an event exported to .ics and read here is the same record: `uid` is the
iCalUID, an instance's `recurrence_id` is its original start, all-day events start at midnight in the
owner's zone. A record's `origin` is `gcal:<calendar id>:<event id>`.

Besides records the generator yields a `CancelledOccurrence` for each cancelled instance or deleted
event, a `FullResync` when Google rejected the stored sync token (the caller drops what it stored
for the calendar, this run's earlier records included) and, last, the new `SyncToken`.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import time
import zoneinfo
from collections.abc import Callable, Iterator
from typing import NamedTuple

from googleapiclient.errors import HttpError

from connectors import SourceError
from connectors.google_api import API_FAILURES, api_error, error_reasons, with_backoff
from connectors.records import Address, Attendee, CalendarEvent, Rejected, rejected

log = logging.getLogger(__name__)

PAGE_SIZE = 2500  # the API's maximum
# 410 reasons meaning "the sync token is no longer valid"; 410 `deleted` means something else.
RESYNC_REASONS = frozenset({"fullSyncRequired", "updatedMinTooLongAgo"})

_PARTSTAT = {"accepted": "ACCEPTED", "declined": "DECLINED", "tentative": "TENTATIVE", "needsAction": "NEEDS-ACTION"}
_ONE_DAY = dt.timedelta(days=1)
_UTC = dt.timezone.utc


class CancelledOccurrence(NamedTuple):
    """A cancelled instance of a recurring event, or a deleted event: remove it if stored.

    Google guarantees only `id`, plus `recurringEventId` and `originalStartTime` for an instance.
    """

    uid_or_event_id: str  # the iCalUID when given, else the series' event id (instance) or the event id
    recurrence_id: dt.datetime | None  # UTC original start of the instance; None for a whole event
    origin: str  # the `origin` of the record it removes: "gcal:<calendar id>:<event id>"


class FullResync(NamedTuple):
    """Google rejected the stored sync token: what follows is a full sync that replaces the calendar."""

    calendar_id: str
    reason: str  # the API's reason: fullSyncRequired or updatedMinTooLongAgo


class SyncToken(NamedTuple):
    """The cursor for the next run; always the last item. None: the API gave none, sync fully next time."""

    calendar_id: str
    token: str | None


class _Broken(Exception):
    """Why an event cannot be read."""


class _TokenRejected(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def sync_calendar(service, calendar_id: str, *, sync_token: str | None, tz: zoneinfo.ZoneInfo,
                  window: tuple[dt.datetime, dt.datetime] | None, progress: Callable[[int], None] | None = None,
                  sleep: Callable[[float], None] = time.sleep
                  ) -> Iterator[CalendarEvent | CancelledOccurrence | Rejected | FullResync | SyncToken]:
    """Yields what changed in calendar `calendar_id` since `sync_token`, or everything when it is None.

    `service` is a Calendar v3 service (`googleapiclient.discovery.build('calendar', 'v3', ...)`).
    `tz` is the owner's zone. `window` (two aware datetimes) bounds a full sync: occurrences that end
    after its start and start before its end; an incremental sync cannot be bounded, so it yields
    every change. An event that cannot be read is yielded as `Rejected`. `progress` is called with the
    number of items of each page. Calls are retried as `google_api.with_backoff` says (`sleep` waits);
    any other failure raises `SourceError`.
    """
    if window is not None and (window[0].tzinfo is None or window[1].tzinfo is None):
        raise ValueError("window must be two timezone-aware datetimes")
    if sync_token is not None:
        try:
            yield from _pages(service, calendar_id, {"syncToken": sync_token}, tz, progress, sleep)
            return
        except _TokenRejected as rejection:
            log.info("%s: sync token rejected (%s); syncing the calendar fully", calendar_id, rejection.reason)
            yield FullResync(calendar_id, rejection.reason)
    bounds = {} if window is None else {"timeMin": _rfc3339(window[0]), "timeMax": _rfc3339(window[1])}
    try:
        yield from _pages(service, calendar_id, bounds, tz, progress, sleep)
    except _TokenRejected as rejection:  # no token was sent, so there is nothing to fall back to
        raise SourceError(f"Google Calendar {calendar_id}: full sync refused (410 {rejection.reason}); "
                          "try again later") from None


def _pages(service, calendar_id: str, params: dict, tz: zoneinfo.ZoneInfo, progress, sleep
           ) -> Iterator[CalendarEvent | CancelledOccurrence | Rejected | SyncToken]:
    # showDeleted is left out, i.e. false: the API refuses an explicit false together with syncToken,
    # and the incremental requests must repeat the full sync's parameters.
    page_token, calendar_name = None, None
    while True:
        request = service.events().list(calendarId=calendar_id, singleEvents=True, maxResults=PAGE_SIZE,
                                        pageToken=page_token, **params)
        page = _execute(request, calendar_id, sleep)
        calendar_name = calendar_name or page.get("summary") or calendar_id
        items = page.get("items", [])
        for item in items:
            yield _record(item, calendar_id, calendar_name, page.get("timeZone"), tz)
        if progress is not None:
            progress(len(items))
        page_token = page.get("nextPageToken")  # a page may be empty and still have one
        if not page_token:
            break
    token = page.get("nextSyncToken")  # only on the last page
    if token is None:
        log.warning("%s: the API returned no nextSyncToken; the next run syncs fully again", calendar_id)
    yield SyncToken(calendar_id, token)


def _execute(request, calendar_id: str, sleep: Callable[[float], None]) -> dict:
    """The response of `request`, retried on 429, 5xx, 403 rate limits and dropped connections."""
    try:
        return with_backoff(request.execute, sleep=sleep)
    except HttpError as error:
        reasons = error_reasons(error)
        if error.resp.status == 410 and reasons & RESYNC_REASONS:
            raise _TokenRejected(min(reasons & RESYNC_REASONS)) from None
        if error.resp.status == 404:
            raise SourceError(f"Google Calendar {calendar_id}: no such calendar (HTTP 404); "
                              "check the ids in [sources.gcal] calendars") from None
        raise api_error(f"Google Calendar {calendar_id}", error) from None
    except API_FAILURES as error:
        raise api_error(f"Google Calendar {calendar_id}", error) from None


def _rfc3339(value: dt.datetime) -> str:
    return value.astimezone(_UTC).isoformat().replace("+00:00", "Z")


# --- items to records ------------------------------------------------------------------------------

def _record(item: dict, calendar_id: str, calendar_name: str, calendar_zone: str | None,
            tz: zoneinfo.ZoneInfo) -> CalendarEvent | CancelledOccurrence | Rejected:
    origin = f"gcal:{calendar_id}:{item.get('id')}"
    try:
        if not item.get("id"):
            raise _Broken("no id")
        if item.get("status") == "cancelled":
            return _cancelled(item, origin, tz)
        return _event(item, origin, calendar_name, calendar_zone, tz)
    except _Broken as problem:
        return rejected(origin, str(problem), json.dumps(item, ensure_ascii=False))


def _cancelled(item: dict, origin: str, tz: zoneinfo.ZoneInfo) -> CancelledOccurrence:
    original = item.get("originalStartTime")
    recurrence_id = _time(original, "originalStartTime", tz)[0] if original else None
    key = item.get("iCalUID") or item.get("recurringEventId") or item["id"]
    return CancelledOccurrence(key, recurrence_id, origin)


def _event(item: dict, origin: str, calendar_name: str, calendar_zone: str | None,
           tz: zoneinfo.ZoneInfo) -> CalendarEvent:
    if not item.get("iCalUID"):
        raise _Broken("no iCalUID")
    start_at, is_all_day = _time(item.get("start"), "start", tz)
    end_at = _time(item["end"], "end", tz)[0] if item.get("end") else start_at
    if is_all_day and end_at == start_at:  # as in .ics: an all-day event lasts at least its day
        end_at = _midnight(dt.date.fromisoformat(item["start"]["date"]) + _ONE_DAY, tz)
    if end_at < start_at:
        raise _Broken("ends before it starts")
    recurrence_id = None
    if item.get("recurringEventId"):
        if not item.get("originalStartTime"):
            raise _Broken("instance of a recurring event without originalStartTime")
        recurrence_id = _time(item["originalStartTime"], "originalStartTime", tz)[0]
    timezone = str(tz) if is_all_day else item["start"].get("timeZone") or calendar_zone or str(tz)
    return CalendarEvent(
        uid=item["iCalUID"],
        recurrence_id=recurrence_id,
        calendar=calendar_name,
        summary=item.get("summary"),
        start_at=start_at,
        end_at=end_at,
        is_all_day=is_all_day,
        timezone=timezone,
        status=item["status"].upper() if item.get("status") else None,
        organizer=_organizer(item.get("organizer")),
        attendees=[_attendee(attendee) for attendee in item.get("attendees", []) if attendee.get("email")],
        sequence=int(item.get("sequence", 0)),
        last_modified=_instant(item["updated"], "updated") if item.get("updated") else None,
        origin=origin,
    )


def _time(value: dict | None, name: str, tz: zoneinfo.ZoneInfo) -> tuple[dt.datetime, bool]:
    """(UTC instant, is a date) of an API time `{dateTime | date, timeZone}`; a date is midnight in `tz`."""
    value = value or {}
    if value.get("dateTime"):
        return _instant(value["dateTime"], name), False
    if value.get("date"):
        try:
            day = dt.date.fromisoformat(value["date"])
        except (TypeError, ValueError):
            raise _Broken(f"{name}: unreadable date {value['date']!r}") from None
        return _midnight(day, tz), True
    raise _Broken(f"{name}: neither date nor dateTime")


def _midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(_UTC)


def _instant(text: str, name: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise _Broken(f"{name}: unreadable time {text!r}") from None
    if value.tzinfo is None:
        raise _Broken(f"{name}: time without an offset {text!r}")
    return value.astimezone(_UTC)


def _organizer(organizer: dict | None) -> Address | None:
    if not organizer or not organizer.get("email"):
        return None
    return Address(organizer["email"].strip().lower(), organizer.get("displayName") or None)


def _attendee(attendee: dict) -> Attendee:
    # ROLE and CUTYPE as Google's own .ics export writes them.
    return Attendee(
        email=attendee["email"].strip().lower(),
        name=attendee.get("displayName") or None,
        partstat=_PARTSTAT.get(attendee.get("responseStatus")),
        role="OPT-PARTICIPANT" if attendee.get("optional") else "REQ-PARTICIPANT",
        cutype="RESOURCE" if attendee.get("resource") else "INDIVIDUAL",
    )
