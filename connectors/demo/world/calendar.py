"""The owner's calendar: one-on-one and team series with their changed and cancelled instances,
single meetings, conferences and all-day events.
"""
from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from connectors.demo.world.events import Attendance, Meeting, Override
from connectors.demo.world.habits import _MEET_PREF, MAX_ONE_ON_ONES_PER_WEEK, MEETING_RATE
from connectors.demo.world.people import Person
from connectors.demo.world.tables import CALENDAR_AHEAD_DAYS, OWNER_TZ, UTC, _hexstr, _poisson, zone


class Calendar:
    """The `Simulation`'s meetings (`calendar()`)."""

    def calendar(self) -> list[Meeting]:
        """Every calendar entry: 1:1 series, team series, single meetings and all-day events."""
        if self._calendar is None:
            rng = self._rng("calendar")
            meetings: list[Meeting] = []
            covered = self._one_on_one_series(rng, meetings)
            self._team_series(rng, meetings)
            self._single_meetings(rng, meetings, covered)
            self._all_day_events(rng, meetings)
            self._calendar = meetings
        return self._calendar

    def _uid(self, rng: random.Random) -> str:
        return _hexstr(rng, 26, "0123456789abcdefghijklmnopqrstuv") + "@google.com"

    def _owner_att(self, partstat: str = "ACCEPTED") -> Attendance:
        return Attendance(self.owner.work_email, self.owner.full_name, partstat, "owner")

    def _person_att(self, rng: random.Random, p: Person, week: int, partstat: str | None = None) -> Attendance | None:
        address = p.work_address(week) or p.personal_email
        if address is None:
            return None
        if partstat is None:
            partstat = rng.choices(("ACCEPTED", "TENTATIVE", "NEEDS-ACTION", "DECLINED"),
                                   (80, 5, 10, 5))[0]
        return Attendance(address, p.full_name, partstat, p.person_id)

    def _local_slot(self, rng: random.Random, date: dt.date, minutes: int) -> tuple[dt.datetime, dt.datetime]:
        half_hours = rng.randrange(18, 34)  # 9:00 .. 16:30
        start = dt.datetime.combine(date, dt.time(half_hours // 2, 30 * (half_hours % 2)),
                                    zone(OWNER_TZ))
        return start, start + dt.timedelta(minutes=minutes)

    def _one_on_one_series(self, rng: random.Random, meetings: list[Meeting]) -> dict[str, list]:
        """Weekly or biweekly 1:1s while a close tie is strong; they end when it fades."""
        covered: dict[str, list] = {}
        horizon = self.now + dt.timedelta(days=CALENDAR_AHEAD_DAYS)
        running: list[tuple[int, int]] = []
        infinite_done = False
        candidates = [p for p in self.people if p.group in ("close", "collaborator")]
        for p in candidates:
            runs, on, first = [], False, 0
            for w, value in enumerate(p.latent):
                if not on and value >= 0.6:
                    on, first = True, w
                elif on and value < 0.4:
                    on = False
                    if w - first >= 6:
                        runs.append((first, w))
            if on and self.weeks - first >= 6:
                runs.append((first, self.weeks))
            for w0, w1 in runs:
                if p.group == "collaborator" and rng.random() < 0.6:
                    continue
                if sum(1 for a, b in running if a < w1 and w0 < b) >= 10:
                    continue  # the owner's week is full
                running.append((w0, w1))
                covered.setdefault(p.person_id, []).append((w0, w1))
                infinite = w1 == self.weeks and not infinite_done
                meetings.append(self._series(rng, p, w0, w1, horizon, infinite))
                infinite_done = infinite_done or infinite
        return covered

    def _series(self, rng: random.Random, p: Person, w0: int, w1: int, horizon: dt.datetime,
                infinite: bool) -> Meeting:
        weekday = rng.randrange(4)
        first_day = self.week_start(w0).astimezone(zone(OWNER_TZ)).date()
        first_day += dt.timedelta(days=(weekday - first_day.weekday()) % 7)
        start, end = self._local_slot(rng, first_day, rng.choice((30, 30, 45, 60)))
        interval = 1 if p.latent[w0] >= 0.7 or rng.random() < 0.5 else 2
        byday = ("MO", "TU", "WE", "TH")[weekday]
        rrule: dict = {"FREQ": "WEEKLY", "INTERVAL": interval, "BYDAY": byday}
        if w1 < self.weeks:
            rrule["UNTIL"] = self.week_start(w1)
            last = self.week_start(w1)
        elif infinite:
            last = horizon
        elif rng.random() < 0.5:
            rrule["UNTIL"] = self.now + dt.timedelta(days=rng.randint(90, 200))
            last = horizon
        else:
            done = (self.now - start) // dt.timedelta(weeks=interval) + 1
            rrule["COUNT"] = done + rng.randint(10, 30)
            last = horizon
        organizer_is_owner = rng.random() < 0.6
        person = self._person_att(rng, p, w0, "ACCEPTED")
        organizer = self._owner_att() if organizer_is_owner else person
        m = Meeting(uid=self._uid(rng), calendar="main",
                    summary=rng.choice((f"{self.owner.given} / {p.first}", f"1:1 {p.first} <> {self.owner.given}",
                                        f"{p.first} & {self.owner.given} weekly", "1:1")),
                    start=start, end=end, organizer=organizer,
                    attendees=[person, self._owner_att()] if organizer_is_owner else [self._owner_att(), person],
                    created=(start - dt.timedelta(days=rng.randint(1, 10))).astimezone(UTC),
                    rrule=rrule, description=rng.choice(("", "Agenda in the shared doc.")))
        self._instance_changes(rng, m, min(last, horizon), interval)
        return m

    def _instance_changes(self, rng: random.Random, m: Meeting, last: dt.datetime, interval: int,
                          forced: bool = False) -> None:
        """EXDATEs for the owner's holidays and a few deleted, moved or cancelled instances."""
        count = m.rrule.get("COUNT")
        occurrence, index = m.start, 0
        step = dt.timedelta(weeks=interval) if m.rrule["FREQ"] == "WEEKLY" else None
        duration = m.end - m.start
        while occurrence < last and (count is None or index < count):
            roll = rng.random()
            if forced and index in (3, 5, 7):  # the team series shows every kind of change
                roll = {3: 0.0, 5: 0.05, 7: 0.1}[index]
            elif self._away(self.owner_vacation, occurrence.astimezone(UTC)):
                roll = 0.0
            if roll < 0.03:
                m.exdates.append(occurrence)
            elif roll < 0.07:
                m.overrides.append(Override(occurrence, occurrence, occurrence + duration, True))
            elif roll < 0.12:
                shift = dt.timedelta(days=rng.choice((1, 1, 2)), hours=rng.choice((-2, 0, 1)))
                m.overrides.append(Override(occurrence, occurrence + shift,
                                            occurrence + shift + duration, False))
            index += 1
            occurrence = _local_add(occurrence, step) if step is not None else _nth_weekday_next_month(occurrence)

    def _team_series(self, rng: random.Random, meetings: list[Meeting]) -> None:
        department = [p for p in self.people if p.in_department]
        if not department:
            return
        lead, team = department[0], department[1:9]
        horizon = self.now + dt.timedelta(days=CALENDAR_AHEAD_DAYS)
        # Weekly team sync (never ends), organised by the department lead.
        day = self.week_start(7).astimezone(zone(OWNER_TZ)).date()
        day += dt.timedelta(days=(0 - day.weekday()) % 7)
        start = dt.datetime.combine(day, dt.time(10, 0), zone(OWNER_TZ))
        attendees = [self._person_att(rng, lead, 7, "ACCEPTED"), self._owner_att()]
        attendees += [a for a in (self._person_att(rng, p, 7) for p in team) if a]
        sync = Meeting(uid=self._uid(rng), calendar="team", summary="Team weekly sync", start=start,
                       end=start + dt.timedelta(minutes=45), organizer=attendees[0],
                       attendees=attendees, created=(start - dt.timedelta(days=6)).astimezone(UTC),
                       rrule={"FREQ": "WEEKLY", "INTERVAL": 1, "BYDAY": "MO"},
                       location="Berlin-3-Orion (8)", description="Standing agenda: wins, blockers, asks.")
        sync.attendees.append(self._room(rng, "Berlin-3-Orion (8)"))
        self._instance_changes(rng, sync, horizon, 1, forced=True)
        meetings.append(sync)
        # Monthly department all-hands: everybody, far more than ten people.
        day = self.week_start(30).astimezone(zone(OWNER_TZ)).date().replace(day=1)
        day += dt.timedelta(days=(3 - day.weekday()) % 7)  # first Thursday
        start = dt.datetime.combine(day, dt.time(16, 0), zone(OWNER_TZ))
        attendees = [self._person_att(rng, lead, 30, "ACCEPTED"), self._owner_att()]
        attendees += [a for a in (self._person_att(rng, p, 30) for p in department[1:]) if a]
        allhands = Meeting(uid=self._uid(rng), calendar="team", summary="Engineering all-hands",
                           start=start, end=start + dt.timedelta(hours=1), organizer=attendees[0],
                           attendees=attendees, created=(start - dt.timedelta(days=14)).astimezone(UTC),
                           rrule={"FREQ": "MONTHLY", "INTERVAL": 1, "BYDAY": "1TH", "COUNT": 30},
                           location="Berlin HQ, Atrium / Google Meet")
        self._instance_changes(rng, allhands, horizon, 1)
        meetings.append(allhands)

    def _room(self, rng: random.Random, name: str) -> Attendance:
        digest = sum(ord(c) * (i + 1) for i, c in enumerate(name))
        address = f"c_188{digest:06x}{self.seed % 997:03x}@resource.calendar.google.com"
        return Attendance(address, name, "ACCEPTED", "resource", cutype="RESOURCE")

    def _single_meetings(self, rng: random.Random, meetings: list[Meeting],
                         covered: dict[str, list]) -> None:
        """Ad-hoc 1:1s and 3-10 person meetings, drawn week by week from latent strength."""
        owner_zone = zone(OWNER_TZ)
        ahead_weeks = CALENDAR_AHEAD_DAYS // 7 + 1
        meet = [p for p in self.people if _MEET_PREF[p.group] > 0]
        groupish = [p for p in meet if p.group in ("close", "collaborator") or p.in_department]
        rooms = ("Berlin-3-Orion (8)", "Berlin-2-Vega (4)", "Berlin-4-Lyra (12)", "Phone booth 2 (1)")
        for w in range(self.weeks + ahead_weeks):
            hw = min(w, self.weeks - 1)
            week_start = self.week_start(w)
            days_ahead = (week_start - self.now).days
            scheduled = 1.0 if days_ahead < 0 else max(0.0, 1.0 - days_ahead / CALENDAR_AHEAD_DAYS)
            if self._away(self.owner_vacation, week_start + dt.timedelta(days=3)) or scheduled == 0:
                continue
            wanted = []
            for p in meet:
                value = p.latent[hw]
                if value < 0.02 or (p.person_id in covered and
                                    any(a <= hw < b for a, b in covered[p.person_id])):
                    continue
                rate = MEETING_RATE * value ** 1.5 * _MEET_PREF[p.group] * p.meet_habit * scheduled * \
                    self.habits.meeting_rate
                wanted += [p] * _poisson(rng, rate)
            if len(wanted) > MAX_ONE_ON_ONES_PER_WEEK:  # the owner's week is full: some never happen
                wanted = rng.sample(wanted, MAX_ONE_ON_ONES_PER_WEEK)
            for p in wanted:
                self._single(rng, meetings, w, [p], owner_zone, rooms)
            weights = [p.latent[hw] + (0.15 if p.group == "foci" else 0.0) for p in groupish]
            for _ in range(_poisson(rng, 2.5 * scheduled * self.habits.meeting_rate) if groupish else 0):
                anchor = rng.choices(groupish, weights)[0]
                size = rng.randint(2, 9)
                colleagues = [q for q in groupish if q.company is anchor.company and q is not anchor]
                pool = colleagues if colleagues and rng.random() < 0.7 else groupish
                others = {anchor.person_id: anchor}
                pool_weights = [q.latent[hw] + (0.15 if q.group == "foci" else 0.02) for q in pool]
                for q in rng.choices(pool, pool_weights, k=size * 2):
                    if len(others) >= size:
                        break
                    others.setdefault(q.person_id, q)
                self._single(rng, meetings, w, list(others.values()), owner_zone, rooms)

    def _single(self, rng: random.Random, meetings: list[Meeting], w: int, people: list[Person],
                owner_zone: ZoneInfo, rooms: tuple) -> None:
        hw = min(w, self.weeks - 1)
        date = (self.week_start(w) + dt.timedelta(days=rng.randrange(7))).astimezone(owner_zone).date()
        if date.weekday() >= 5:
            date -= dt.timedelta(days=date.weekday() - 4)
        start, end = self._local_slot(rng, date, rng.choice((30, 30, 45, 60, 60, 90)))
        internal = all(p.group == "foci" for p in people)
        attendees = [a for a in (self._person_att(rng, p, hw) for p in people) if a]
        if not attendees:
            return
        owner_organizes = rng.random() < (0.45 if len(people) == 1 else 0.3)
        if owner_organizes:
            organizer = self._owner_att()
            owner = organizer
        else:
            organizer = attendees[0]._replace(partstat="ACCEPTED")
            attendees[0] = organizer
            owner = self._owner_att("DECLINED" if rng.random() < 0.08 else
                                    rng.choices(("ACCEPTED", "TENTATIVE", "NEEDS-ACTION"), (85, 5, 10))[0])
        attendees.insert(rng.randrange(len(attendees) + 1), owner)
        if len(people) == 1:
            summary = rng.choice((f"{people[0].first} / {self.owner.given}", "Catch-up", "Coffee ☕",
                                  f"Sync with {people[0].first}", "Lunch"))
        else:
            summary = rng.choice(("Project sync", "Roadmap review", "Design review", "Pilot kickoff",
                                  "Quarterly planning", "Customer call prep", "Retro", "Budget, Q&A"))
        location = ""
        if internal and rng.random() < 0.5:
            room = rng.choice(rooms)
            attendees.append(self._room(rng, room))
            location = room
        elif not internal and rng.random() < 0.3:
            location = rng.choice(("Google Meet", "Café Einstein, Unter den Linden 42, Berlin", "Zoom"))
        created = (start - dt.timedelta(days=rng.uniform(0.2, 14))).astimezone(UTC)
        created = min(created, self.now - dt.timedelta(hours=rng.uniform(1, 48)))
        meetings.append(Meeting(
            uid=self._uid(rng), calendar="main", summary=summary, start=start.astimezone(UTC),
            end=end.astimezone(UTC), organizer=organizer, attendees=attendees, created=created,
            status="CANCELLED" if rng.random() < 0.02 else "CONFIRMED", location=location))

    def _all_day_events(self, rng: random.Random, meetings: list[Meeting]) -> None:
        owner_zone = zone(OWNER_TZ)
        first_week = self.week_start(0)

        def created(w: int) -> dt.datetime:  # entered some weeks ahead, never after the export
            return min(max(self.week_start(w), first_week), self.now - dt.timedelta(days=1))
        blocks, previous = [], None
        for w in sorted(self.owner_vacation):
            if previous is not None and w == previous + 1:
                blocks[-1][1] = w
            else:
                blocks.append([w, w])
            previous = w
        for w0, w1 in blocks:
            first = (self.week_start(w0) + dt.timedelta(days=1)).astimezone(owner_zone).date()
            last = (self.week_start(w1) + dt.timedelta(days=6)).astimezone(owner_zone).date()
            meetings.append(Meeting(uid=self._uid(rng), calendar="main", summary="Out of office",
                                    start=first, end=last + dt.timedelta(days=1), organizer=None,
                                    attendees=[], created=created(w0 - 4)))
        for w, name in self.conference_weeks:
            first = (self.week_start(w) + dt.timedelta(days=1)).astimezone(owner_zone).date()
            meetings.append(Meeting(uid=self._uid(rng), calendar="main", summary=name, start=first,
                                    end=first + dt.timedelta(days=rng.choice((1, 2, 3))), organizer=None,
                                    attendees=[], created=created(w - 8),
                                    transparent=True, location="Messe Berlin"))
        for p in [q for q in self.people if q.in_department][:10]:
            for w in sorted(p.vacation_weeks):
                first = (self.week_start(w) + dt.timedelta(days=1)).astimezone(owner_zone).date()
                meetings.append(Meeting(uid=self._uid(rng), calendar="team",
                                        summary=rng.choice((f"{p.first} OOO", f"{p.first} – Urlaub",
                                                            f"{p.first} on vacation")),
                                        start=first, end=first + dt.timedelta(days=5), organizer=None,
                                        attendees=[], created=created(w - 3),
                                        transparent=True))
        for year in range(self.start.year, (self.now + dt.timedelta(days=CALENDAR_AHEAD_DAYS)).year + 1):
            for month, day, name in ((10, 3, "Tag der Deutschen Einheit (office closed)"),
                                     (5, 1, "Tag der Arbeit (office closed)"),
                                     (12, 24, "Christmas Eve (office closed)")):
                date = dt.date(year, month, day)
                if self.start.date() <= date <= (self.now + dt.timedelta(days=CALENDAR_AHEAD_DAYS)).date():
                    meetings.append(Meeting(uid=self._uid(rng), calendar="team", summary=name,
                                            start=date, end=date + dt.timedelta(days=1),
                                            organizer=None, attendees=[],
                                            created=dt.datetime(year - 1, 12, 1, tzinfo=UTC),
                                            transparent=True))


def _local_add(t: dt.datetime, step: dt.timedelta) -> dt.datetime:
    """Wall-clock addition in the owner's zone (a 10:00 meeting stays at 10:00 across DST)."""
    naive = t.replace(tzinfo=None) + step
    return naive.replace(tzinfo=t.tzinfo)


def _nth_weekday_next_month(t: dt.datetime) -> dt.datetime:
    year, month = (t.year + 1, 1) if t.month == 12 else (t.year, t.month + 1)
    day = dt.date(year, month, 1)
    day += dt.timedelta(days=(t.weekday() - day.weekday()) % 7)
    return dt.datetime.combine(day, t.timetz())
