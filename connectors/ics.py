"""Read iCalendar (.ics) files, e.g. a Google Calendar or Takeout export, into `CalendarEvent`s.

One record per occurrence inside the window: recurring series are expanded with
`recurring_ical_events` (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides). Times are UTC; all-day
events start at midnight in the owner's zone.

Times without a zone are read in the calendar's X-WR-TIMEZONE (Google exports), else in the owner's
zone. So is a TZID that has no VTIMEZONE and is no known zone name (icalendar leaves such times
naive): a warning names it.

A record's `origin` is `<file name>:<line of BEGIN:VEVENT>` of the VEVENT that produced it: the
series master for the instances of a series, its own VEVENT for a moved or cancelled instance.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.timezone import tzp

from connectors import SourceError
from connectors.records import Address, Attendee, CalendarEvent, Rejected, Skipped, rejected

log = logging.getLogger(__name__)

# The properties a record is made of: if icalendar could not parse one of them, the VEVENT is rejected.
_READ_PROPERTIES = frozenset({
    "UID", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID",
    "SUMMARY", "STATUS", "ORGANIZER", "ATTENDEE", "SEQUENCE", "LAST-MODIFIED", "DTSTAMP",
})
_SINGLE_TIME_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID")
_RECURRENCE_PROPERTIES = ("RRULE", "RDATE", "RECURRENCE-ID")
_ONE_DAY = dt.timedelta(days=1)
_ADDRESS = re.compile(r'[^\s@:;,<>"]+@[^\s@:;,<>"]+')


def read_ics(paths: Iterable[Path], *, tz: zoneinfo.ZoneInfo, window: tuple[dt.datetime, dt.datetime],
             progress: Callable[[int], None] | None = None) -> Iterator[CalendarEvent | Rejected | Skipped]:
    """Yields the occurrences of the events in the .ics files at `paths` that overlap `window`.

    `tz` is the owner's zone; `window` is two aware datetimes, the start inclusive, the end
    exclusive. A VEVENT or series that cannot be read is yielded as `Rejected`; an event or series
    with no occurrence in the window as one `Skipped` ("outside window"). Cancelled events and
    instances are yielded with status CANCELLED. A path that is missing, a directory or not an
    iCalendar file raises `SourceError`.
    """
    if window[0].tzinfo is None or window[1].tzinfo is None:
        raise ValueError("window must be two timezone-aware datetimes")
    for path in map(Path, paths):
        data = _read_bytes(path)
        yield from _read_file(path, data, tz, window)
        if progress:
            progress(len(data))


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file; check the path") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory; pass the .ics files inside it") from None
    except OSError as error:
        raise SourceError(f"{path}: cannot be read ({error.strerror})") from None


def _read_file(path: Path, data: bytes, tz: zoneinfo.ZoneInfo,
               window: tuple[dt.datetime, dt.datetime]) -> Iterator[CalendarEvent | Rejected | Skipped]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("utf-8-sig", errors="replace")
        log.warning("%s: not valid UTF-8; undecodable bytes were replaced by U+FFFD", path)
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise SourceError(f"{path}: not an iCalendar file (no BEGIN:VCALENDAR); export the calendar as .ics")
    components = _top_level_components(text)
    blocks = _vevent_blocks(text, components)
    try:
        calendars = _parse(text)
    except ValueError:
        # A bad value inside a VEVENT's VALARM, a VTIMEZONE or a VTODO fails the whole parse: those
        # components alone are left out (a VEVENT rejected), and the rest is read.
        text, broken = _without_unreadable(text, components)
        calendars = _parse(text, path)
        for name, line, raw, reason in broken:
            if name == "VEVENT":
                yield rejected(f"{path.name}:{line}", f"cannot be read: {reason}", raw)
            else:
                log.warning("%s:%d: a %s that cannot be read (%s) is left out", path, line, name, reason)
        left_out = {line for _, line, _, _ in broken}
        blocks = [block for block in blocks if block[0] not in left_out]
    vevents = [[c for c in calendar.subcomponents if c.name == "VEVENT"] for calendar in calendars]
    parsed = sum(map(len, vevents))
    # icalendar returns nothing for a calendar that lacks its END line, so count to drop nothing silently.
    if parsed != len(blocks):
        raise SourceError(f"{path}: {len(blocks)} VEVENTs in the file but {parsed} could be parsed "
                          "(is the file truncated?); export the calendar again")
    blocks_left = iter(blocks)
    for calendar, components in zip(calendars, vevents):
        found = [(component, *next(blocks_left)) for component in components]
        yield from _read_calendar(calendar, found, path, tz, window)


def _parse(text: str, path: Path | None = None) -> list[icalendar.Calendar]:
    """The VCALENDARs in `text`; with `path`, a text that cannot be parsed is a SourceError, else a ValueError."""
    try:
        return [c for c in icalendar.Calendar.from_ical(text, multiple=True) if c.name == "VCALENDAR"]
    except ValueError as error:
        if path is None:
            raise
        raise SourceError(f"{path}: not a readable iCalendar file ({_one_line(error)}); "
                          "export the calendar again") from None


def _top_level_components(text: str) -> list[tuple[str, int, int]]:
    """(name, line of BEGIN, line of END) of each component directly inside a VCALENDAR, in file
    order; one without its END line runs to the end of the text."""
    lines = text.split("\n")
    found, depth = [], 0
    for number, line in enumerate(lines, 1):
        tag = line.rstrip().upper()  # not lstrip: a line starting with a blank continues the previous one
        if tag.startswith("BEGIN:"):
            depth += 1
            if depth == 2:
                found.append([tag[len("BEGIN:"):], number, len(lines)])
        elif tag.startswith("END:"):
            if depth == 2 and found:
                found[-1][2] = number
            depth -= 1
    return [(name, begin, end) for name, begin, end in found]


def _vevent_blocks(text: str, components: list[tuple[str, int, int]]) -> list[tuple[int, str]]:
    """(line number of BEGIN:VEVENT, text) of each VEVENT directly inside a VCALENDAR, in file order.

    icalendar keeps no line numbers, and its VEVENTs come in the same order.
    """
    lines = text.split("\n")
    return [(begin, "\n".join(line.rstrip("\r") for line in lines[begin - 1:end]))
            for name, begin, end in components if name == "VEVENT"]


def _without_unreadable(text: str, components: list[tuple[str, int, int]]
                        ) -> tuple[str, list[tuple[str, int, str, str]]]:
    """`text` without the components that cannot be parsed on their own, and those as (name, line
    of BEGIN, text, why)."""
    lines = text.split("\n")
    broken = []
    for name, begin, end in components:
        raw = "\n".join(line.rstrip("\r") for line in lines[begin - 1:end])
        try:
            icalendar.Component.from_ical(raw)
        except ValueError as error:
            broken.append((name, begin, end, raw, _one_line(error)))
    dropped = {number for _, begin, end, _, _ in broken for number in range(begin, end + 1)}
    kept = "\n".join(line for number, line in enumerate(lines, 1) if number not in dropped)
    return kept, [(name, begin, raw, why) for name, begin, _, raw, why in broken]


class _Vevent(NamedTuple):
    component: icalendar.Event  # its times without a zone given one
    origin: str
    raw: str
    timezone: str


def _read_calendar(calendar: icalendar.Calendar, found: list[tuple[icalendar.Event, int, str]], path: Path,
                   tz: zoneinfo.ZoneInfo, window: tuple[dt.datetime, dt.datetime]
                   ) -> Iterator[CalendarEvent | Rejected | Skipped]:
    calendar_name = str(calendar.get("X-WR-CALNAME") or path.stem)
    zone = _x_wr_timezone(calendar, path, tz)
    # Google writes single events in UTC but means the calendar's zone, as x_wr_timezone assumes;
    # without X-WR-TIMEZONE only times that have no zone are given the owner's.
    walker = x_wr_timezone.UTCChangingWalker(zone) if zone else _FloatingTimes(tz)
    unknown = sorted(tzid for tzid in calendar.get_missing_tzids() if tzp.timezone(tzid) is None)
    if unknown:
        log.warning("%s: TZID %s has no VTIMEZONE and is no known zone; its times are read in %s",
                    path, ", ".join(unknown), zone or tz)

    series: dict[str, list[_Vevent]] = {}
    for component, line, raw in found:
        origin = f"{path.name}:{line}"
        problem = _problem(component)
        if problem:
            yield rejected(origin, problem, raw)
            continue
        resolved = walker.walk_event(component)
        if _ends_before_it_starts(resolved, tz):
            yield rejected(origin, "ends before it starts", raw)
            continue
        vevent = _Vevent(resolved, origin, raw, _timezone_name(component, zone, tz))
        series.setdefault(str(component["UID"]), []).append(vevent)
    for members in series.values():
        yield from _occurrences(members, calendar_name, tz, window)


def _x_wr_timezone(calendar: icalendar.Calendar, path: Path, tz: zoneinfo.ZoneInfo) -> zoneinfo.ZoneInfo | None:
    name = calendar.get("X-WR-TIMEZONE")
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(str(name).strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        log.warning("%s: unknown X-WR-TIMEZONE %r; times without a zone are read in %s", path, str(name), tz)
        return None


class _FloatingTimes(x_wr_timezone.CalendarWalker):
    """Gives times that have no zone the owner's zone; UTC and zoned times stay as they are."""

    def __init__(self, zone: zoneinfo.ZoneInfo):
        self.zone = zone

    def walk_value_datetime(self, value: dt.datetime) -> dt.datetime:
        return value.replace(tzinfo=self.zone) if value.tzinfo is None else value


def _problem(component: icalendar.Event) -> str | None:
    """Why this VEVENT cannot be read, or None."""
    for name, message in component.errors:
        if name in _READ_PROPERTIES:
            return f"{name}: {_one_line(message)}"
    for name in ("UID", "DTSTART"):
        if name not in component:
            return f"no {name}"
    for name in _SINGLE_TIME_PROPERTIES:
        value = component.get(name)
        if value is not None and not isinstance(getattr(value, "dt", None), (dt.date, dt.timedelta)):
            return f"{name}: not one date, date-time or duration"
    rules = component.get("RRULE", [])
    for rule in rules if isinstance(rules, list) else [rules]:
        for part in ("INTERVAL", "COUNT"):  # INTERVAL=0 would expand forever
            if any(not isinstance(n, int) or n < 1 for n in rule.get(part, [])):
                return f"RRULE: {part} must be 1 or more"
    return None


def _ends_before_it_starts(component: icalendar.Event, tz: zoneinfo.ZoneInfo) -> bool:
    # recurring_ical_events silently swaps such times; real exports have them, so say so instead.
    start = _utc(component["DTSTART"].dt, tz)
    if "DTEND" in component:
        return _utc(component["DTEND"].dt, tz) < start
    if "DURATION" in component:
        return component["DURATION"].dt < dt.timedelta(0)
    return False


def _timezone_name(component: icalendar.Event, zone: zoneinfo.ZoneInfo | None, tz: zoneinfo.ZoneInfo) -> str:
    """The zone the event was written in: its TZID, else the zone its time was read in."""
    start = component["DTSTART"]
    if "TZID" in start.params:
        return str(start.params["TZID"])
    if not isinstance(start.dt, dt.datetime):
        return str(tz)
    if zone:
        return str(zone)
    return "UTC" if start.dt.tzinfo else str(tz)


class _Occurrence(recurring_ical_events.Occurrence):
    """An occurrence that knows the VEVENT (adapter) it came from and which instance it is."""

    def __init__(self, adapter, start, end, original_start):
        super().__init__(adapter, start, end)
        self.adapter = adapter
        self.original_start = original_start  # None for a RECURRENCE-ID VEVENT: that names the instance


class _Series(recurring_ical_events.Series):
    def occurrence(self, adapter, start=None, end=None):
        # Called with start=None for a RECURRENCE-ID VEVENT, else with the computed instance times.
        original_start = None if start is None else start - adapter.move_recurrences_by
        return _Occurrence(adapter, start, end, original_start)


def _occurrences(members: list[_Vevent], calendar_name: str, tz: zoneinfo.ZoneInfo,
                 window: tuple[dt.datetime, dt.datetime]) -> Iterator[CalendarEvent | Rejected | Skipped]:
    """The occurrences in `window` of the VEVENTs sharing one UID (a series, or a single event)."""
    adapters = {recurring_ical_events.EventAdapter(member.component): member for member in members}
    is_series = any(member.component.get(name) for member in members for name in _RECURRENCE_PROPERTIES)
    try:
        series = _Series(list(adapters))
        # Widened by a day as the library places all-day dates in the window's zone, not the owner's;
        # the records are trimmed to the window exactly below.
        occurrences = series.between(window[0] - _ONE_DAY, window[1] + _ONE_DAY)
        fields = {}
        events = []
        for occurrence in occurrences:
            vevent = adapters[occurrence.adapter]
            if vevent.origin not in fields:
                fields[vevent.origin] = _fields(vevent, calendar_name, tz)
            events.append(_event(occurrence, vevent, fields[vevent.origin], is_series, tz))
    except Exception as error:  # noqa: BLE001 - whatever the libraries fail on in one series must not stop the file
        raw = "\n".join(member.raw for member in members)
        yield rejected(members[0].origin, f"cannot expand the series: {_one_line(error)}", raw)
        return
    used = set(series.components)
    for adapter, vevent in adapters.items():
        if adapter not in used:
            yield Skipped(vevent.origin, "superseded by another version")
    events = sorted((event for event in events if _overlaps(event, window)), key=lambda event: event.start_at)
    if not events:
        yield Skipped(members[0].origin, "outside window")
    yield from events


def _event(occurrence: _Occurrence, vevent: _Vevent, fields: dict, is_series: bool,
           tz: zoneinfo.ZoneInfo) -> CalendarEvent:
    start_at, end_at = _utc(occurrence.start, tz), _utc(occurrence.end, tz)
    is_all_day = not isinstance(occurrence.start, dt.datetime)
    if is_all_day and end_at == start_at:  # DTEND == DTSTART (Google's holiday calendars) means that day
        end_at = _utc(occurrence.start + _ONE_DAY, tz)
    if not is_series:
        recurrence_id = None
    elif occurrence.original_start is None:
        recurrence_id = _utc(vevent.component["RECURRENCE-ID"].dt, tz)
    else:
        recurrence_id = _utc(occurrence.original_start, tz)
    return CalendarEvent(recurrence_id=recurrence_id, start_at=start_at, end_at=end_at,
                         is_all_day=is_all_day, **fields)


def _fields(vevent: _Vevent, calendar_name: str, tz: zoneinfo.ZoneInfo) -> dict:
    """The fields all occurrences produced by one VEVENT share."""
    component = vevent.component
    status = component.get("STATUS")
    last_modified = component.get("LAST-MODIFIED")
    if last_modified is None:
        last_modified = component.get("DTSTAMP")
    return dict(
        uid=str(component["UID"]),
        calendar=calendar_name,
        summary=str(component["SUMMARY"]) if "SUMMARY" in component else None,
        timezone=vevent.timezone,
        status=str(status).upper() if status else None,
        organizer=_organizer(component),
        attendees=_attendees(component),
        sequence=int(component.get("SEQUENCE", 0)),
        last_modified=_utc(last_modified.dt, tz) if last_modified is not None else None,
        origin=vevent.origin,
    )


def _organizer(component: icalendar.Event) -> Address | None:
    organizer = component.get("ORGANIZER")
    if isinstance(organizer, list):
        organizer = organizer[0]
    email = _email(organizer) if organizer is not None else None
    return Address(email, organizer.params.get("CN") or None) if email else None


def _attendees(component: icalendar.Event) -> list[Attendee]:
    attendees = component.get("ATTENDEE", [])
    result = []
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        email = _email(attendee)
        if email is None:  # e.g. `ATTENDEE;CN=Room:invalid:nomail`: nobody to relate to, so not kept
            continue
        params = attendee.params
        result.append(Attendee(email, params.get("CN") or None, _upper(params.get("PARTSTAT")),
                               _upper(params.get("ROLE")), _upper(params.get("CUTYPE"))))
    return result


def _email(address: icalendar.vCalAddress) -> str | None:
    """The e-mail address of a calendar user: the mailto: value, else the EMAIL parameter (RFC 7986)."""
    value = str(address)
    # After the last "mailto:", as Confluence writes its parameters into the value: `X-KEY=..;CN=..:mailto:..`
    start = value.lower().rfind("mailto:")
    for candidate in (value[start + len("mailto:"):] if start >= 0 else value, address.params.get("EMAIL") or ""):
        candidate = candidate.strip().lower()
        if _ADDRESS.fullmatch(candidate):
            return candidate
    return None


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


def _utc(value: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """A date as midnight in `tz`, a time without a zone as in `tz`, either in UTC."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), tzinfo=tz)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(dt.timezone.utc)


def _overlaps(event: CalendarEvent, window: tuple[dt.datetime, dt.datetime]) -> bool:
    start, end = window
    # A zero-length event counts when it starts inside the window.
    return event.start_at < end and (start < event.end_at or start <= event.start_at)


def _one_line(error: object) -> str:
    return " ".join(str(error).split())[:300]
