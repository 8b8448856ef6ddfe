"""connectors.ics: .ics files (Google Calendar exports and others) to CalendarEvent records."""
import datetime as dt
import importlib.resources
import logging
import re
import warnings
import zoneinfo
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from connectors import SourceError
from connectors.ics import read_ics
from connectors.records import Address, Attendee, CalendarEvent, Rejected, Skipped

FIXTURES = Path(__file__).parent / "fixtures" / "ics"
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
UTC = dt.timezone.utc
YEAR_2024 = (dt.datetime(2024, 1, 1, tzinfo=UTC), dt.datetime(2025, 1, 1, tzinfo=UTC))

ANA = Attendee("ana.lima@example.com", "Ana Lima", "ACCEPTED", "REQ-PARTICIPANT", "INDIVIDUAL")
BEN = Attendee("ben.okafor@example.org", "Ben Okafor", "ACCEPTED", "REQ-PARTICIPANT", "INDIVIDUAL")


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def event(**fields) -> CalendarEvent:
    """A CalendarEvent; the fields a fixture leaves out default to what an absent property gives."""
    absent = dict(recurrence_id=None, summary=None, is_all_day=False, status=None, organizer=None, attendees=[],
                  sequence=0, last_modified=None)
    return CalendarEvent(**{**absent, **fields})


def read(name: str, *, tz=BERLIN, window=YEAR_2024) -> list:
    return list(read_ics([FIXTURES / name], tz=tz, window=window))


def write_calendar(path: Path, *vevents: str) -> Path:
    """A minimal non-Google calendar (CRLF) around VEVENTs given as their property lines."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example Corp.//CalDAV Client//EN"]
    for vevent in vevents:
        lines += ["BEGIN:VEVENT", *vevent.strip().splitlines(), "END:VEVENT"]
    path.write_bytes(("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode())
    return path


# --- time zones ----------------------------------------------------------------------------------

def test_a_tzid_without_vtimezone_is_read_in_the_owners_zone_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="connectors.ics"):
        records = read("missing_vtimezone.ics", tz=NEW_YORK)

    assert records == [event(
        uid="budget-review-2024@example.com", calendar="missing_vtimezone", summary="Budget review",
        start_at=utc(2024, 3, 5, 15), end_at=utc(2024, 3, 5, 16), timezone="Custom/Zone",
        last_modified=utc(2024, 3, 1, 12), origin="missing_vtimezone.ics:4",
    )]
    assert [r.getMessage() for r in caplog.records] == [
        f"{FIXTURES / 'missing_vtimezone.ics'}: TZID Custom/Zone has no VTIMEZONE and is no known zone; "
        "its times are read in America/New_York"]


def test_floating_times_are_read_in_the_calendars_x_wr_timezone_not_the_owners():
    assert read("x_wr_timezone_floating.ics", tz=NEW_YORK) == [event(
        uid="3b5c7d9e1f2a4b6c8d0e@google.com", calendar="Brussels office", summary="Call with the Montreal team",
        start_at=utc(2024, 9, 16, 19), end_at=utc(2024, 9, 16, 20), timezone="Europe/Brussels",
        status="CONFIRMED", last_modified=utc(2024, 9, 1, 8), origin="x_wr_timezone_floating.ics:8",
    )]


# --- recurrence ------------------------------------------------------------------------------------

def test_a_recurrence_id_override_moves_one_instance_of_a_series():
    series = dict(uid="4k2v0c9q8m1s7t6u5r4e3w2q1a@google.com", calendar="ana.lima@example.com",
                  timezone="Europe/Berlin", status="CONFIRMED",
                  organizer=Address("ana.lima@example.com", "Ana Lima"))
    master = dict(series, summary="Weekly sync", attendees=[ANA, BEN], last_modified=utc(2024, 3, 1, 12),
                  origin="moved_instance.ics:26")

    assert read("moved_instance.ics") == [
        event(**master, recurrence_id=utc(2024, 3, 4, 9), start_at=utc(2024, 3, 4, 9),
              end_at=utc(2024, 3, 4, 9, 30)),
        event(**series, recurrence_id=utc(2024, 3, 11, 9), summary="Weekly sync (moved to Tuesday)",
              start_at=utc(2024, 3, 12, 13), end_at=utc(2024, 3, 12, 13, 30),
              attendees=[ANA, BEN._replace(partstat="NEEDS-ACTION")], sequence=1,
              last_modified=utc(2024, 3, 8, 16, 10), origin="moved_instance.ics:52"),
        event(**master, recurrence_id=utc(2024, 3, 18, 9), start_at=utc(2024, 3, 18, 9),
              end_at=utc(2024, 3, 18, 9, 30)),
    ]


def test_an_exdate_removes_one_instance():
    def instance(day):
        return event(uid="0p9o8i7u6z5t4r3e2w1q0a9s8d@google.com", recurrence_id=utc(2024, 4, day, 13),
                     calendar="ana.lima@example.com", summary="Mentoring with Ben",
                     start_at=utc(2024, 4, day, 13), end_at=utc(2024, 4, day, 14), timezone="Europe/Berlin",
                     status="CONFIRMED", last_modified=utc(2024, 4, 5, 9, 30), origin="exdate.ics:26")

    assert read("exdate.ics") == [instance(2), instance(16), instance(23)]


def test_a_cancelled_instance_is_yielded_with_status_cancelled():
    def instance(day, **fields):
        return event(**{**dict(
            uid="1q2w3e4r5t6z7u8i9o0p1a2s3d@google.com", recurrence_id=utc(2024, 5, day, 14),
            calendar="ana.lima@example.com", summary="Reading group", start_at=utc(2024, 5, day, 14),
            end_at=utc(2024, 5, day, 15), timezone="Europe/Berlin", status="CONFIRMED",
            last_modified=utc(2024, 4, 20, 10, 15), origin="cancelled_instance.ics:26"), **fields})

    assert read("cancelled_instance.ics") == [
        instance(2),
        instance(9, status="CANCELLED", sequence=1, last_modified=utc(2024, 5, 7, 8, 45),
                 origin="cancelled_instance.ics:39"),
        instance(16),
    ]


def test_an_endless_rule_is_expanded_only_inside_the_window():
    june = (utc(2024, 6, 1), utc(2024, 7, 1))

    assert read("infinite_rrule.ics", window=june) == [
        event(uid="9z8u7i6o5p4a3s2d1f0g9h8j7k@google.com", recurrence_id=utc(2024, 6, day, 7, 30),
              calendar="ana.lima@example.com", summary="Team stand-up", start_at=utc(2024, 6, day, 7, 30),
              end_at=utc(2024, 6, day, 8), timezone="Europe/Berlin", status="CONFIRMED",
              last_modified=utc(2018, 12, 20, 10, 15), origin="infinite_rrule.ics:26")
        for day in (5, 12, 19, 26)
    ]


def test_a_series_entirely_outside_the_window_is_skipped_once(tmp_path):
    path = write_calendar(tmp_path / "old.ics", """
UID:retro@example.com
DTSTART:20190107T090000Z
DTEND:20190107T100000Z
RRULE:FREQ=WEEKLY;COUNT=50
SUMMARY:Retro
""")

    assert list(read_ics([path], tz=BERLIN, window=YEAR_2024)) == [Skipped("old.ics:4", "outside window")]


def test_a_single_event_outside_the_window_is_skipped(tmp_path):
    path = write_calendar(tmp_path / "old.ics", """
UID:kickoff@example.com
DTSTART:20191105T090000Z
DTEND:20191105T100000Z
SUMMARY:Kick-off
""")

    assert list(read_ics([path], tz=BERLIN, window=YEAR_2024)) == [Skipped("old.ics:4", "outside window")]


def test_an_older_version_of_the_same_event_is_skipped_as_superseded(tmp_path):
    path = write_calendar(tmp_path / "dup.ics", """
UID:offsite@example.com
SEQUENCE:0
DTSTART:20240912T090000Z
DTEND:20240912T170000Z
SUMMARY:Offsite
""", """
UID:offsite@example.com
SEQUENCE:1
DTSTART:20240919T090000Z
DTEND:20240919T170000Z
SUMMARY:Offsite (new date)
""")

    assert list(read_ics([path], tz=BERLIN, window=YEAR_2024)) == [
        Skipped("dup.ics:4", "superseded by another version"),
        event(uid="offsite@example.com", calendar="dup", summary="Offsite (new date)",
              start_at=utc(2024, 9, 19, 9), end_at=utc(2024, 9, 19, 17), timezone="UTC", sequence=1,
              origin="dup.ics:11"),
    ]


# --- all-day and open-ended events ---------------------------------------------------------------

def test_an_all_day_event_ending_on_its_start_date_lasts_that_day():
    assert read("all_day_dtend_equals_dtstart.ics") == [event(
        uid="65a3c1f2b7e4d1704966130@calendarlabs.com", calendar="Germany Holidays", summary="Labour Day",
        start_at=utc(2024, 4, 30, 22), end_at=utc(2024, 5, 1, 22), is_all_day=True, timezone="Europe/Berlin",
        status="CONFIRMED", last_modified=utc(2024, 1, 1, 9), origin="all_day_dtend_equals_dtstart.ics:7",
    )]


def test_an_all_day_event_without_dtend_lasts_one_day():
    assert read("all_day_no_dtend.ics") == [event(
        uid="7h6g5f4d3s2a1q0w9e8r7t6z5u@google.com", calendar="ana.lima@example.com", summary="Day off",
        start_at=utc(2024, 10, 2, 22), end_at=utc(2024, 10, 3, 22), is_all_day=True, timezone="Europe/Berlin",
        status="CONFIRMED", last_modified=utc(2024, 8, 15, 10, 15), origin="all_day_no_dtend.ics:8",
    )]


def test_a_timed_event_without_dtend_ends_when_it_starts():
    assert read("timed_no_dtend.ics") == [event(
        uid="deadline-q2@example.com", calendar="timed_no_dtend", summary="Grant report deadline",
        start_at=utc(2024, 6, 10, 8), end_at=utc(2024, 6, 10, 8), timezone="UTC",
        last_modified=utc(2024, 6, 1, 12), origin="timed_no_dtend.ics:4",
    )]


# --- file structure ------------------------------------------------------------------------------

def test_a_file_starting_with_a_byte_order_mark_is_read():
    assert read("bom.ics") == [event(
        uid="040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5", calendar="bom", summary="Lunch with Chris",
        start_at=utc(2024, 4, 15, 12), end_at=utc(2024, 4, 15, 13), timezone="UTC",
        last_modified=utc(2024, 4, 10, 7), origin="bom.ics:4",
    )]


def test_each_vcalendar_in_one_file_keeps_its_own_name():
    assert read("two_calendars.ics") == [
        event(uid="a1b2c3d4e5f6@google.com", calendar="Work", summary="Quarterly planning",
              start_at=utc(2024, 2, 5, 9), end_at=utc(2024, 2, 5, 10), timezone="Europe/Berlin",
              last_modified=utc(2024, 2, 1, 8), origin="two_calendars.ics:6"),
        event(uid="f6e5d4c3b2a1@google.com", calendar="Family", summary="Birthday party",
              start_at=utc(2024, 2, 10, 15), end_at=utc(2024, 2, 10, 17), timezone="Europe/Berlin",
              last_modified=utc(2024, 2, 1, 8), origin="two_calendars.ics:19"),
    ]


def test_an_empty_calendar_yields_nothing(tmp_path):
    assert list(read_ics([write_calendar(tmp_path / "empty.ics")], tz=BERLIN, window=YEAR_2024)) == []


def test_origin_is_the_line_of_begin_vevent_and_instances_point_to_their_master():
    origins = [(r.origin, r.start_at.date()) for r in read("moved_instance.ics")]

    assert origins == [("moved_instance.ics:26", dt.date(2024, 3, 4)), ("moved_instance.ics:52", dt.date(2024, 3, 12)),
                       ("moved_instance.ics:26", dt.date(2024, 3, 18))]
    lines = (FIXTURES / "moved_instance.ics").read_text().splitlines()
    assert lines[26 - 1] == lines[52 - 1] == "BEGIN:VEVENT"


def test_progress_is_told_the_size_of_each_file():
    told = []
    paths = [FIXTURES / "bom.ics", FIXTURES / "two_calendars.ics"]

    list(read_ics(paths, tz=BERLIN, window=YEAR_2024, progress=told.append))

    assert told == [path.stat().st_size for path in paths]


# --- people --------------------------------------------------------------------------------------

def test_attendees_keep_partstat_role_cutype_and_name_and_addresses_are_normalised():
    # The file folds `X-NUM-GUE|STS=0` and `CN="Doe,| Jane"` at 75 octets, writes `MAILTO:` in
    # upper case, a lower-case PARTSTAT, and a room without an address, which is not kept.
    assert read("attendees.ics") == [event(
        uid="5t6z7u8i9o0p1a2s3d4f5g6h7j@google.com", calendar="ana.lima@example.com", summary="Hiring panel",
        start_at=utc(2024, 6, 20, 8), end_at=utc(2024, 6, 20, 9), timezone="Europe/Berlin", status="CONFIRMED",
        organizer=Address("ana.lima@example.com", "Ana Lima"),
        attendees=[
            Attendee("team-berlin@example.com", None, "ACCEPTED", "REQ-PARTICIPANT", "INDIVIDUAL"),
            Attendee("jane.doe@example.com", "Doe, Jane", "TENTATIVE", "REQ-PARTICIPANT", "INDIVIDUAL"),
            Attendee("c_1888a0b1c2d3e4f5@resource.calendar.google.com", "Berlin-3-Kiez (8)", "ACCEPTED",
                     "REQ-PARTICIPANT", "RESOURCE"),
            ANA,
        ],
        last_modified=utc(2024, 6, 12, 13, 30), origin="attendees.ics:8",
    )]


def test_an_attendee_without_mailto_is_addressed_by_the_email_parameter(tmp_path):
    path = write_calendar(tmp_path / "caldav.ics", """
UID:design-review@example.com
DTSTART:20240402T120000Z
DTEND:20240402T130000Z
ORGANIZER;CN=Chris Ng;EMAIL=chris.ng@example.net:urn:uuid:3f1c0c7e-7d1b-4c5e-9b8a-2d8c1e0f4a11
ATTENDEE;CN=Chris Ng;PARTSTAT=ACCEPTED;EMAIL=Chris.Ng@example.net:urn:uuid:3f1c0c7e-7d1b-4c5e-9b8a-2d8c1e0f4a11
""")

    assert list(read_ics([path], tz=BERLIN, window=YEAR_2024)) == [event(
        uid="design-review@example.com", calendar="caldav", start_at=utc(2024, 4, 2, 12),
        end_at=utc(2024, 4, 2, 13), timezone="UTC", organizer=Address("chris.ng@example.net", "Chris Ng"),
        attendees=[Attendee("chris.ng@example.net", "Chris Ng", "ACCEPTED", None, None)],
        origin="caldav.ics:4",
    )]


def test_an_invitation_the_owner_declined_is_kept_with_their_partstat():
    assert read("declined.ics") == [event(
        uid="8i9o0p1a2s3d4f5g6h7j8k9l0y@google.com", calendar="ana.lima@example.com", summary="Vendor demo",
        start_at=utc(2024, 7, 11, 14), end_at=utc(2024, 7, 11, 15), timezone="Europe/Berlin", status="CONFIRMED",
        organizer=Address("ben.okafor@example.org", "Ben Okafor"),
        attendees=[BEN, ANA._replace(partstat="DECLINED")],
        last_modified=utc(2024, 7, 9, 7, 15), origin="declined.ics:8",
    )]


# --- bad input -----------------------------------------------------------------------------------

def test_a_broken_vevent_is_rejected_and_the_rest_of_the_file_loads():
    def good(n, day, summary, line):
        return event(uid=f"good-{n}@google.com", calendar="ana.lima@example.com", summary=summary,
                     start_at=utc(2024, 8, day, 8), end_at=utc(2024, 8, day, 9), timezone="Europe/Berlin",
                     last_modified=utc(2024, 9, 1, 8), origin=f"broken_vevent.ics:{line}")

    assert read("broken_vevent.ics") == [
        Rejected("broken_vevent.ics:33", "DTSTART: Expected datetime, date, or time. Got: '2024013T100000'",
                 "BEGIN:VEVENT\nDTSTART:2024013T100000\nDTEND:20240806T090000Z\nDTSTAMP:20240901T080000Z\n"
                 "UID:bad-dtstart@google.com\nSUMMARY:Broken start\nEND:VEVENT"),
        Rejected("broken_vevent.ics:40", "RRULE: Expected weekday abbreviation, got: XX",
                 "BEGIN:VEVENT\nDTSTART;TZID=Europe/Berlin:20240807T100000\nDTEND;TZID=Europe/Berlin:20240807T110000\n"
                 "RRULE:FREQ=WEEKLY;BYDAY=XX\nDTSTAMP:20240901T080000Z\nUID:bad-rrule@google.com\n"
                 "SUMMARY:Broken rule\nEND:VEVENT"),
        good(1, 5, "Before the broken ones", 26),
        good(2, 8, "After the broken ones", 48),
    ]


def test_a_series_that_cannot_be_expanded_is_rejected_whole_and_the_rest_loads():
    assert read("broken_series.ics") == [
        Rejected("broken_series.ics:26",
                 "cannot expand the series: UNTIL parameter is missing: FREQ=WEEKLY;BYDAY=TH;WKST=SU;UNTL=20241023",
                 "BEGIN:VEVENT\nDTSTART;TZID=Europe/Berlin:20240801T140000\nDTEND;TZID=Europe/Berlin:20240801T150000\n"
                 "RRULE:FREQ=WEEKLY;BYDAY=TH;WKST=SU;UNTL=20241023\nDTSTAMP:20240901T080000Z\n"
                 "UID:typo-in-rule@google.com\nSUMMARY:Office hours\nEND:VEVENT\n"
                 "BEGIN:VEVENT\nDTSTART;TZID=Europe/Berlin:20240815T160000\nDTEND;TZID=Europe/Berlin:20240815T170000\n"
                 "RECURRENCE-ID;TZID=Europe/Berlin:20240815T140000\nDTSTAMP:20240901T080000Z\n"
                 "UID:typo-in-rule@google.com\nSUMMARY:Office hours (late)\nEND:VEVENT"),
        event(uid="fine@google.com", calendar="ana.lima@example.com", summary="Unaffected",
              start_at=utc(2024, 8, 20, 8), end_at=utc(2024, 8, 20, 9), timezone="Europe/Berlin",
              last_modified=utc(2024, 9, 1, 8), origin="broken_series.ics:42"),
    ]


def test_a_bad_value_in_an_events_alarm_rejects_that_event_only(tmp_path):
    path = write_calendar(
        tmp_path / "alarm.ics",
        "UID:fine@example.com\nDTSTART:20240305T100000Z\nDTEND:20240305T110000Z\nSUMMARY:Fine",
        "UID:alarm@example.com\nDTSTART:20240306T100000Z\nDTEND:20240306T110000Z\nSUMMARY:Bad alarm\n"
        "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:ten minutes before\nEND:VALARM")
    assert list(read_ics([path], tz=BERLIN, window=YEAR_2024)) == [
        Rejected("alarm.ics:10", "cannot be read: Expected datetime, date, or time. Got: 'ten minutes before'",
                 "BEGIN:VEVENT\nUID:alarm@example.com\nDTSTART:20240306T100000Z\nDTEND:20240306T110000Z\n"
                 "SUMMARY:Bad alarm\nBEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:ten minutes before\nEND:VALARM\nEND:VEVENT"),
        event(uid="fine@example.com", calendar="alarm", summary="Fine", start_at=utc(2024, 3, 5, 10),
              end_at=utc(2024, 3, 5, 11), timezone="UTC", origin="alarm.ics:4"),
    ]


def test_a_vtimezone_with_a_bad_date_is_left_out_with_a_warning_and_its_events_load(tmp_path, caplog):
    path = tmp_path / "zone.ics"
    path.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTIMEZONE\r\nTZID:Office\r\n"
                      b"BEGIN:STANDARD\r\nDTSTART:1970-10-25\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
                      b"END:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:a@example.com\r\n"
                      b"DTSTART;TZID=Office:20240305T100000\r\nDTEND;TZID=Office:20240305T110000\r\n"
                      b"SUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    with caplog.at_level(logging.WARNING, logger="connectors.ics"):
        records = list(read_ics([path], tz=BERLIN, window=YEAR_2024))
    assert records == [event(uid="a@example.com", calendar="zone", summary="Standup", start_at=utc(2024, 3, 5, 9),
                             end_at=utc(2024, 3, 5, 10), timezone="Office", origin="zone.ics:12")]
    assert caplog.messages == [
        f"{path}:4: a VTIMEZONE that cannot be read (Expected datetime, date, or time. Got: '1970-10-25') is left out",
        f"{path}: TZID Office has no VTIMEZONE and is no known zone; its times are read in Europe/Berlin"]


def test_a_rule_that_would_repeat_forever_at_once_is_rejected_not_expanded(tmp_path):
    path = write_calendar(tmp_path / "rule.ics",
                          "UID:zero@example.com\nDTSTART:20240305T100000Z\nRRULE:FREQ=WEEKLY;INTERVAL=0\nSUMMARY:x")
    assert [(r.location, r.reason) for r in read_ics([path], tz=BERLIN, window=YEAR_2024)] == [
        ("rule.ics:4", "RRULE: INTERVAL must be 1 or more")]


def test_an_event_that_ends_before_it_starts_is_rejected():
    assert read("swapped_start_end.ics") == [
        Rejected("swapped_start_end.ics:4", "ends before it starts",
                 "BEGIN:VEVENT\nUID:swapped@example.com\nDTSTAMP:20240301T120000Z\nDTSTART:20240304T110000Z\n"
                 "DTEND:20240304T100000Z\nSUMMARY:Ends before it starts\nEND:VEVENT"),
        event(uid="fine@example.com", calendar="swapped_start_end", summary="Fine",
              start_at=utc(2024, 3, 5, 10), end_at=utc(2024, 3, 5, 11), timezone="UTC",
              last_modified=utc(2024, 3, 1, 12), origin="swapped_start_end.ics:11"),
    ]


@pytest.mark.parametrize("content", [
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    b"Subject,Start Date,Start Time,End Date,End Time\nWeekly sync,03/04/2024,10:00 AM,03/04/2024,10:30 AM\n",
], ids=["pdf", "csv"])
def test_a_file_that_is_not_icalendar_is_a_source_error(tmp_path, content):
    path = tmp_path / "calendar.ics"
    path.write_bytes(content)

    with pytest.raises(SourceError) as error:
        list(read_ics([path], tz=BERLIN, window=YEAR_2024))

    assert str(error.value) == f"{path}: not an iCalendar file (no BEGIN:VCALENDAR); export the calendar as .ics"


def test_a_truncated_file_is_a_source_error(tmp_path):
    path = tmp_path / "cut.ics"
    path.write_bytes((FIXTURES / "two_calendars.ics").read_bytes()[:-60])

    with pytest.raises(SourceError) as error:
        list(read_ics([path], tz=BERLIN, window=YEAR_2024))

    assert str(error.value) == (f"{path}: 2 VEVENTs in the file but 1 could be parsed (is the file truncated?); "
                                "export the calendar again")


def test_a_missing_path_is_a_source_error(tmp_path):
    with pytest.raises(SourceError) as error:
        list(read_ics([tmp_path / "nope.ics"], tz=BERLIN, window=YEAR_2024))

    assert str(error.value) == f"{tmp_path / 'nope.ics'}: no such file; check the path"


def test_a_directory_is_a_source_error(tmp_path):
    with pytest.raises(SourceError) as error:
        list(read_ics([tmp_path], tz=BERLIN, window=YEAR_2024))

    assert str(error.value) == f"{tmp_path}: is a directory; pass the .ics files inside it"


def test_a_window_without_time_zone_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        list(read_ics([FIXTURES / "bom.ics"], tz=BERLIN, window=(dt.datetime(2024, 1, 1), dt.datetime(2025, 1, 1))))


# --- real calendars shipped with icalendar and recurring_ical_events -----------------------------

REAL = Path(str(importlib.resources.files("recurring_ical_events") / "test" / "calendars"))
REAL_FILES = sorted(REAL.glob("*.ics")) + sorted(
    Path(str(importlib.resources.files("icalendar") / "tests" / "calendars")).glob("*.ics"))
DECADE = (utc(2015, 1, 1), utc(2027, 1, 1))


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda path: f"{path.parent.parent.name}/{path.name}")
def test_every_real_calendar_gives_sound_records_or_a_source_error(path):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # icalendar warns about guessed TZIDs
            records = list(read_ics([path], tz=BERLIN, window=DECADE))
    except SourceError as error:
        assert str(error).startswith(f"{path}: ") and "\n" not in str(error)
        return

    lines = path.read_text(encoding="utf-8-sig", errors="replace").split("\n")
    for record in records:
        location = record.origin if isinstance(record, CalendarEvent) else record.location
        name, line = location.split(":")
        assert name == path.name and lines[int(line) - 1].strip().upper() == "BEGIN:VEVENT"
        if isinstance(record, CalendarEvent):
            assert record.start_at.tzinfo == UTC and record.start_at <= record.end_at
            assert DECADE[0] <= record.end_at and record.start_at < DECADE[1]
            for person in [*record.attendees, *filter(None, [record.organizer])]:
                assert re.fullmatch(r"[^A-Z:\s]+@[^A-Z\s]+", person.email), person


@pytest.mark.parametrize("name, window, count", [
    ("machbar_16_feb_2019.ics", (utc(2016, 1, 1), utc(2020, 1, 1)), 572),
    ("issue_173_only_modifications_error.ics", (utc(2017, 1, 1), utc(2027, 1, 1)), 1384),
])
def test_real_google_exports_give_the_occurrences_recurring_ical_events_finds(name, window, count):
    path = REAL / name
    oracle = recurring_ical_events.of(icalendar.Calendar.from_ical(path.read_bytes())).between(*window)

    # In UTC an all-day date starts where recurring_ical_events puts it, so both must agree exactly.
    records = list(read_ics([path], tz=zoneinfo.ZoneInfo("UTC"), window=window))

    events = [r for r in records if isinstance(r, CalendarEvent)]
    assert not [r for r in records if isinstance(r, Rejected)]
    assert len(events) == len(oracle) == count
    assert ({(e.uid, e.start_at) for e in events}
            == {(str(c["UID"]), _utc(c["DTSTART"].dt)) for c in oracle})


def _utc(value) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), tzinfo=UTC)
    return value.astimezone(UTC)
