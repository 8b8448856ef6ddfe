"""The Outlook calendar through Microsoft Graph (`calendarView/delta`) into `CalendarEvent`s, incrementally.

The first run reads every occurrence in the window (series come as their occurrences and
exceptions), later runs pass the stored `@odata.deltaLink` and get only what changed: new, changed
and cancelled events, and `@removed` ones. Records follow `connectors.ics`, so the same meeting
exported to .ics or read from Google Calendar is the same record: `uid` is the iCalendar UID (of the
series, for an occurrence: Graph's `iCalUId` differs per occurrence, so the series' `uid`, else its
master's `iCalUId`, is used), `recurrence_id` the occurrence's original start, all-day events start
at midnight in the owner's zone. A record's `origin` is `outlook-calendar:<event id>`.

A delta link keeps the window it was made with; once the window's end comes within
`WINDOW_REFRESH` of where it should be, or Graph says the token expired (410), the calendar is
synced fully again: `CalendarResync` first (the caller drops what it stored), then everything.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import urllib.parse
import zoneinfo
from collections.abc import Callable, Iterator
from typing import NamedTuple

from connectors import SourceError
from connectors.api_calls import retry_in_batches
from connectors.graph_api import (
    GRAPH_FAILURES,
    MAX_BATCH,
    GraphClient,
    GraphError,
    graph_address,
    graph_error,
    graph_instant,
)
from connectors.records import Attendee, CalendarEvent, Rejected, Skipped, rejected

log = logging.getLogger(__name__)

API = "Microsoft Graph (Outlook calendar)"
PAGE_SIZE = 200
HEADERS = {"Prefer": f'odata.maxpagesize={PAGE_SIZE}, outlook.timezone="UTC", IdType="ImmutableId"'}
WINDOW_REFRESH = dt.timedelta(days=30)
CALENDAR_NAME = "Calendar"  # the default calendar, which calendarView/delta reads
_PARTSTAT = {"accepted": "ACCEPTED", "organizer": "ACCEPTED", "declined": "DECLINED",
             "tentativelyAccepted": "TENTATIVE", "none": "NEEDS-ACTION", "notResponded": "NEEDS-ACTION"}
_FRACTION = re.compile(r"(\.\d{6})\d+")
UTC = dt.timezone.utc


class OutlookEventRemoved(NamedTuple):
    """An event gone from the calendar view (deleted, or moved out of the window)."""

    origin: str  # the `origin` of the record it removes


class CalendarResync(NamedTuple):
    """What follows is a full sync that replaces every stored event of the calendar."""

    reason: str


class OutlookCalendarCursor(NamedTuple):
    """The state for the next run (JSON: the delta link and its window); always the last item."""

    state: str


class _Broken(Exception):
    """Why an event cannot be read."""


def sync_outlook_calendar(client: GraphClient, *, cursor: str | None, tz: zoneinfo.ZoneInfo,
                          window: tuple[dt.datetime, dt.datetime], progress: Callable[[int], None] | None = None,
                          sleep: Callable[[float], None] = time.sleep
                          ) -> Iterator[CalendarEvent | OutlookEventRemoved | CalendarResync | Rejected | Skipped
                                        | OutlookCalendarCursor]:
    """Yields what changed in the default calendar since `cursor` (everything in `window` when None),
    then an `OutlookCalendarCursor`. `tz` is the owner's zone. Raises `SourceError` when Graph refuses."""
    state = json.loads(cursor) if cursor else {}
    start, end = (_iso(moment) for moment in window)
    try:
        if state.get("link") and dt.datetime.fromisoformat(state["window"][1]) >= window[1] - WINDOW_REFRESH:
            try:
                yield from _pages(client, state["link"], state["window"], tz, progress, sleep)
                return
            except GraphError as error:
                if error.status != 410:
                    raise
                yield CalendarResync("delta token expired")
        elif state.get("link"):
            yield CalendarResync("window moved on")
        initial = "/me/calendarView/delta?" + urllib.parse.urlencode({"startDateTime": start, "endDateTime": end})
        yield from _pages(client, initial, [start, end], tz, progress, sleep)
    except GRAPH_FAILURES as error:
        raise graph_error(API, error) from None


def _pages(client: GraphClient, url: str, window: list[str], tz, progress, sleep) -> Iterator:
    series: dict[str, str | None] = {}  # series master id -> its uid
    while True:
        page = client.get(url, HEADERS)
        items = page.get("value", [])
        masters = {item["seriesMasterId"] for item in items
                   if item.get("seriesMasterId") and not item.get("uid") and item["seriesMasterId"] not in series}
        series.update(_series_uids(client, sorted(masters), sleep))
        for item in items:
            yield _record(item, series, tz)
        if progress is not None:
            progress(len(items))
        if page.get("@odata.nextLink"):
            url = page["@odata.nextLink"]
            continue
        if not page.get("@odata.deltaLink"):
            raise SourceError(f"{API}: the last page carried no @odata.deltaLink")
        yield OutlookCalendarCursor(json.dumps({"link": page["@odata.deltaLink"], "window": window}, sort_keys=True))
        return


def _series_uids(client: GraphClient, master_ids: list[str], sleep) -> dict[str, str | None]:
    """The iCalendar UID of each series master (its `uid`, else its `iCalUId`), in batches."""
    def send(chunk):
        return client.batch([(master_id, f"/me/events/{master_id}?$select=uid,iCalUId", HEADERS)
                             for master_id in chunk])
    found: dict[str, str | None] = {}
    for master_id, answer in retry_in_batches(master_ids, send, batch_size=MAX_BATCH, sleep=sleep):
        found[master_id] = (answer.body.get("uid") or answer.body.get("iCalUId")) if answer.status == 200 else None
    return found


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- items to records ------------------------------------------------------------------------------

def _record(item: dict, series: dict[str, str | None], tz: zoneinfo.ZoneInfo):
    origin = f"outlook-calendar:{item.get('id')}"
    try:
        if not item.get("id"):
            raise _Broken("no id")
        if "@removed" in item:
            return OutlookEventRemoved(origin)
        if item.get("type") == "seriesMaster":  # the calendar view lists its occurrences instead
            return Skipped(origin, "series master (its occurrences are read)")
        return _event(item, series, origin, tz)
    except _Broken as problem:
        return rejected(origin, str(problem), json.dumps(item, ensure_ascii=False))


def _event(item: dict, series: dict[str, str | None], origin: str, tz: zoneinfo.ZoneInfo) -> CalendarEvent:
    recurrence_id, uid = None, item.get("uid")
    if item.get("type") in ("occurrence", "exception"):
        if not item.get("originalStart"):
            raise _Broken(f"{item['type']} of a series without originalStart")
        recurrence_id = _moment(item["originalStart"], "originalStart")
        uid = uid or series.get(item.get("seriesMasterId") or "")
    uid = uid or item.get("iCalUId")
    if not uid:
        raise _Broken("no uid or iCalUId")
    is_all_day = bool(item.get("isAllDay"))
    start_at, end_at = _time(item.get("start"), "start", is_all_day, tz), _time(item.get("end"), "end", is_all_day, tz)
    if is_all_day and end_at <= start_at:
        end_at = start_at + dt.timedelta(days=1)
    if end_at < start_at:
        raise _Broken("ends before it starts")
    organizer = graph_address(item.get("organizer"))
    return CalendarEvent(
        uid=uid,
        recurrence_id=recurrence_id,
        calendar=CALENDAR_NAME,
        summary=item.get("subject"),
        start_at=start_at,
        end_at=end_at,
        is_all_day=is_all_day,
        timezone=str(tz) if is_all_day else (item.get("originalStartTimeZone") or "UTC"),
        status="CANCELLED" if item.get("isCancelled") else "CONFIRMED",
        organizer=organizer,
        attendees=[a for a in (_attendee(x) for x in item.get("attendees") or []) if a is not None],
        sequence=0,  # Graph has no SEQUENCE; lastModifiedDateTime orders versions
        last_modified=_moment(item["lastModifiedDateTime"], "lastModifiedDateTime")
        if item.get("lastModifiedDateTime") else None,
        origin=origin,
    )


def _time(value: dict | None, name: str, is_all_day: bool, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """A Graph dateTimeTimeZone as a UTC instant; an all-day date is midnight in the owner's zone."""
    value = value or {}
    text = _FRACTION.sub(r"\1", value.get("dateTime") or "")
    try:
        local = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _Broken(f"{name}: unreadable time {value.get('dateTime')!r}") from None
    if is_all_day:
        return dt.datetime.combine(local.date(), dt.time(), tzinfo=tz).astimezone(UTC)
    zone_name = value.get("timeZone") or "UTC"
    try:
        zone = UTC if zone_name.upper() == "UTC" else zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _Broken(f"{name}: time zone {zone_name!r} is not an IANA zone (the request asks for UTC)") from None
    return (local if local.tzinfo else local.replace(tzinfo=zone)).astimezone(UTC)


def _moment(text: str, name: str) -> dt.datetime:
    try:
        return graph_instant(text)
    except ValueError:
        raise _Broken(f"{name}: unreadable time {text!r}") from None


def _attendee(attendee: dict) -> Attendee | None:
    address = graph_address(attendee)
    if address is None:
        return None
    kind = attendee.get("type")
    response = (attendee.get("status") or {}).get("response")
    return Attendee(
        email=address.email,
        name=address.name,
        partstat=_PARTSTAT.get(response),
        role={"optional": "OPT-PARTICIPANT", "resource": "NON-PARTICIPANT"}.get(kind, "REQ-PARTICIPANT"),
        cutype="RESOURCE" if kind == "resource" else "INDIVIDUAL",
    )
