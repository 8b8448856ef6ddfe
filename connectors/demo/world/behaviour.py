"""What every channel shares: working hours, reply delays, vacations, and the turns of an exchange
(with the threads it leaves waiting on a reply).
"""
from __future__ import annotations

import datetime as dt
import math
import random

from connectors.demo.world.people import Person
from connectors.demo.world.tables import AWAITING_WINDOW, OWNER_TZ, UTC, zone
from connectors.demo.world.truth import Awaiting


class Behaviour:
    """The `Simulation`'s common behaviour, used by every channel."""

    def _work_time(self, rng: random.Random, week: int, tz: str, day: int | None = None) -> dt.datetime:
        """A plausible sending moment in `week`, in working hours of `tz`, as UTC."""
        base = self.week_start(week)
        local_zone = zone(tz)
        for _ in range(4):
            d = rng.randrange(7) if day is None else day
            date = (base + dt.timedelta(days=d)).astimezone(local_zone).date()
            if date.weekday() < 5 or rng.random() < 0.1:
                break
        hour = rng.uniform(8, 18.5) if rng.random() < 0.9 else rng.uniform(19, 23)
        local = dt.datetime.combine(date, dt.time(int(hour), int(hour % 1 * 60), rng.randrange(60)),
                                    local_zone)
        return local.astimezone(UTC)

    def _business_shift(self, rng: random.Random, t: dt.datetime, tz: str) -> dt.datetime:
        """Move a reply out of the night, and mostly out of the weekend."""
        local = t.astimezone(zone(tz))
        if local.hour < 7 or local.hour >= 23:
            day = local.date() if local.hour < 7 else local.date() + dt.timedelta(days=1)
            local = dt.datetime.combine(day, dt.time(7 + rng.randrange(3), rng.randrange(60)),
                                        zone(tz))
        if local.weekday() >= 5 and rng.random() < 0.75:
            day = local.date() + dt.timedelta(days=7 - local.weekday())
            local = dt.datetime.combine(day, dt.time(8 + rng.randrange(3), rng.randrange(60)),
                                        zone(tz))
        return local.astimezone(UTC)

    def _reply_delay(self, rng: random.Random, strength: float, slow: float = 1.0) -> dt.timedelta:
        # Stronger ties answer faster: median about 40 minutes at 1.0, about a day near 0.
        median = 1440.0 * math.exp(-3.5 * strength) * slow
        minutes = median * math.exp(rng.gauss(0, 1.1))
        return dt.timedelta(minutes=max(1.0, min(minutes, 60 * 24 * 21)))

    def _away(self, weeks: frozenset, t: dt.datetime) -> bool:
        return (t - self.start) // dt.timedelta(weeks=1) in weeks

    def _back_from(self, weeks: frozenset, t: dt.datetime) -> dt.datetime:
        w = (t - self.start) // dt.timedelta(weeks=1)
        while w in weeks:
            w += 1
        return self.week_start(w) + dt.timedelta(days=1, hours=7)

    def _exchange(self, rng: random.Random, strength: float, owner_first: bool, t0: dt.datetime,
                  person: Person, slow: float = 1.0, max_len: int = 8,
                  first_asks: float = 0.8) -> list[tuple[str, dt.datetime, bool, bool]]:
        """The turns of a two-party conversation: (side "o"/"p", time, expects_reply, closing).

        Whether and how fast the other side answers depends on the tie's strength; a message that
        asks nothing ("thanks!") rarely gets an answer.
        """
        side = "o" if owner_first else "p"
        expects = rng.random() < first_asks
        turns = [(side, t0, expects, False)]
        t = t0
        habits = self.habits
        for depth in range(1, max_len):
            responder = "p" if side == "o" else "o"
            if responder == "o":
                p_reply = (habits.answers_questions + habits.answers_per_strength * strength if expects
                           else habits.answers_thanks)
            else:
                p_reply = 0.45 + 0.5 * strength if expects else 0.08
            if rng.random() >= p_reply:
                break
            tz = OWNER_TZ if responder == "o" else person.tz
            pace = slow * habits.reply_slowness if responder == "o" else slow
            t = self._business_shift(rng, t + self._reply_delay(rng, strength, pace), tz)
            t = t.replace(microsecond=0)
            away = self.owner_vacation if responder == "o" else person.vacation_weeks
            if self._away(away, t):
                t = self._back_from(away, t) + dt.timedelta(minutes=rng.randrange(600))
            closing = rng.random() < 0.2 + 0.12 * depth
            expects = not closing
            side = responder
            turns.append((side, t, expects, closing))
        return turns

    def _record_awaiting(self, turns: list, thread: str, person: Person, channel: str) -> None:
        visible = [turn for turn in turns if turn[1] < self.now]
        if not visible:
            return
        side, t, expects, _ = visible[-1]
        if expects and self.now - t <= AWAITING_WINDOW:
            self.awaiting.append(Awaiting(thread, person.person_id, "me" if side == "p" else "them",
                                          t.isoformat(), channel))
