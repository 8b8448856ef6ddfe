"""Writes the simulated calendar as Google Calendar exports: one .ics file per calendar.

Google's shape: `PRODID:-//Google Inc//Google Calendar 70.9054//EN`, X-WR-CALNAME and
X-WR-TIMEZONE, a VTIMEZONE with yearly RRULEs, single events in UTC, recurring series with
`DTSTART;TZID=`, EXDATE lines, moved and cancelled instances as extra VEVENTs with the same UID
and a RECURRENCE-ID, ATTENDEE lines with CUTYPE/ROLE/PARTSTAT/CN/X-NUM-GUESTS, rooms as
CUTYPE=RESOURCE, all-day events as VALUE=DATE. The icalendar library folds lines at 75 octets.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vRecur

from connectors.demo.world import OWNER_TZ, UTC, Attendance, Meeting, Owner

PRODID = "-//Google Inc//Google Calendar 70.9054//EN"


def calendar_files(owner: Owner) -> dict[str, str]:
    """Calendar key -> file name, as Takeout names them (the primary calendar by its address)."""
    return {"main": f"{owner.work_email}.ics", "team": "Team.ics"}


def write_ics(out_dir: Path, meetings: list[Meeting], owner: Owner, now: dt.datetime,
              note: Callable[[str, str, str], None]) -> tuple[list[Path], dict[str, int]]:
    """Write one .ics per calendar into `out_dir`; returns the paths and counts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names = calendar_files(owner)
    titles = {"main": owner.work_email, "team": "Team"}
    paths, counts = [], {"ics_vevents": 0, "ics_series": 0, "ics_overrides": 0, "ics_all_day": 0,
                         "ics_exdates": 0}
    for key, file_name in names.items():
        cal = Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", titles[key])
        cal.add("x-wr-timezone", OWNER_TZ)
        if key == "team":
            cal.add("x-wr-caldesc", "Team rituals, holidays and who is out")
        cal.add_component(_berlin())
        # Each event is written as it is made, between the calendar's head and its END line: the
        # same bytes as one `to_ical()` of the whole calendar, without holding every event's objects
        # (20 years of meetings would take hundreds of MB).
        end_line = b"END:VCALENDAR\r\n"
        path = out_dir / file_name
        with open(path, "wb", buffering=1 << 20) as f:
            f.write(cal.to_ical(sorted=False).removesuffix(end_line))
            for m in meetings:
                if m.calendar != key:
                    continue
                for event in _events(m, now, note):
                    f.write(event.to_ical(sorted=False))
                    counts["ics_vevents"] += 1
                counts["ics_series"] += m.rrule is not None
                counts["ics_overrides"] += len(m.overrides)
                counts["ics_exdates"] += len(m.exdates)
                counts["ics_all_day"] += m.all_day
            f.write(end_line)
        paths.append(path)
    return paths, counts


def _berlin() -> Timezone:
    """Europe/Berlin as Google writes it: two yearly rules, not a list of transitions."""
    tz = Timezone()
    tz.add("tzid", OWNER_TZ)
    tz.add("x-lic-location", OWNER_TZ)
    summer = TimezoneDaylight()
    summer.add("tzoffsetfrom", dt.timedelta(hours=1))
    summer.add("tzoffsetto", dt.timedelta(hours=2))
    summer.add("tzname", "CEST")
    summer.add("dtstart", dt.datetime(1970, 3, 29, 2, 0, 0))
    summer.add("rrule", {"FREQ": "YEARLY", "BYMONTH": 3, "BYDAY": "-1SU"})
    winter = TimezoneStandard()
    winter.add("tzoffsetfrom", dt.timedelta(hours=2))
    winter.add("tzoffsetto", dt.timedelta(hours=1))
    winter.add("tzname", "CET")
    winter.add("dtstart", dt.datetime(1970, 10, 25, 3, 0, 0))
    winter.add("rrule", {"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "-1SU"})
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def _address(a: Attendance, note: Callable) -> vCalAddress:
    note("email", a.email.lower(), a.who)
    return vCalAddress(f"mailto:{a.email}")


def _attendee(a: Attendance, note: Callable) -> vCalAddress:
    address = _address(a, note)
    address.params["CUTYPE"] = a.cutype
    address.params["ROLE"] = a.role
    address.params["PARTSTAT"] = a.partstat
    if a.partstat == "NEEDS-ACTION":
        address.params["RSVP"] = "TRUE"
    if a.name:
        address.params["CN"] = a.name
    address.params["X-NUM-GUESTS"] = "0"
    return address


def _events(m: Meeting, now: dt.datetime, note: Callable) -> list[Event]:
    events = [_event(m, m.start, m.end, now, note, status=m.status, series=True)]
    for o in m.overrides:
        events.append(_event(m, o.start, o.end, now, note, status="CANCELLED" if o.cancelled else "CONFIRMED",
                             recurrence_id=o.recurrence_id, sequence=1))
    return events


def _event(m: Meeting, start, end, now: dt.datetime, note: Callable, status: str,
           recurrence_id: dt.datetime | None = None, sequence: int = 0, series: bool = False) -> Event:
    e = Event()
    e.add("dtstart", start)
    e.add("dtend", end)
    if series and m.rrule:
        e.add("rrule", vRecur(dict(m.rrule)))
        for exdate in m.exdates:
            e.add("exdate", exdate)
    e.add("dtstamp", now)
    if m.organizer is not None:
        organizer = _address(m.organizer, note)
        if m.organizer.name:
            organizer.params["CN"] = m.organizer.name
        e.add("organizer", organizer)
    e.add("uid", m.uid)
    if recurrence_id is not None:
        e.add("recurrence-id", recurrence_id)
    for a in m.attendees:
        e.add("attendee", _attendee(a, note))
    created = m.created.astimezone(UTC)
    e.add("created", created)
    e.add("description", m.description)
    e.add("last-modified", max(created, min(now, created + dt.timedelta(days=sequence + 1))))
    e.add("location", m.location)
    e.add("sequence", sequence)
    e.add("status", status)
    e.add("summary", m.summary)
    e.add("transp", "TRANSPARENT" if m.transparent else "OPAQUE")
    return e
