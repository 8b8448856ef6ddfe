"""`Simulation`: a seeded world, built once, then asked for its calendar, LinkedIn data, mail
stream and ground truth. Its parts live beside it: `population`, `behaviour`, `calendar`,
`linkedin`, `mail`.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from connectors.demo.world.behaviour import Behaviour
from connectors.demo.world.calendar import Calendar
from connectors.demo.world.events import LinkedInData, Mail, Meeting
from connectors.demo.world.habits import OWNER_TYPES
from connectors.demo.world.linkedin import LinkedIn
from connectors.demo.world.mail import _MailStream
from connectors.demo.world.people import _is_real_tie
from connectors.demo.world.population import Population
from connectors.demo.world.tables import HISTORY_WEEKS, MAX_PEOPLE, MIN_PEOPLE, TRUTH_WEEKS, UTC, IdentityKnobs
from connectors.demo.world.truth import AutomatedSender, Awaiting, Identity, OwnerTruth, PersonTruth, World


class Simulation(Population, Behaviour, Calendar, LinkedIn):
    """A seeded world: build it once, then ask for its calendar, LinkedIn data and mail stream.

    Call order matters only for mail: `mail()` needs `calendar()` and `linkedin()` (it sends their
    notification mails), and awaiting-reply truth is complete once the one `mail()` stream is
    exhausted.
    """

    def __init__(self, people: int, seed: int, end: dt.date | dt.datetime, mail_scale: float = 1.0,
                 owner_type: str = "typical", history_weeks: int = HISTORY_WEEKS,
                 identity: IdentityKnobs = IdentityKnobs()):  # noqa: B008 - frozen dataclass: one shared default is safe
        if not MIN_PEOPLE <= people <= MAX_PEOPLE:
            raise ValueError(f"people must be between {MIN_PEOPLE} and {MAX_PEOPLE}, got {people}")
        if mail_scale <= 0:
            raise ValueError(f"mail_scale must be positive, got {mail_scale}")
        if not 104 <= history_weeks <= 1100:
            raise ValueError(f"history_weeks must be between 104 and 1100, got {history_weeks}")
        if owner_type not in OWNER_TYPES:
            raise ValueError(f"owner_type must be one of {', '.join(OWNER_TYPES)}, got {owner_type!r}")
        self.seed = seed
        self.owner_type = owner_type
        self.habits = OWNER_TYPES[owner_type]
        # `end` is the world's "now": a moment, or a date meaning midnight UTC at its start
        self.now = end.astimezone(UTC) if isinstance(end, dt.datetime) else dt.datetime.combine(end, dt.time(), UTC)
        self.end = self.now.date()
        self.mail_scale = mail_scale
        self.identity = identity
        self.weeks = history_weeks
        self.start = self.now - dt.timedelta(weeks=self.weeks)
        self.awaiting: list[Awaiting] = []
        self._calendar: list[Meeting] | None = None
        self._linkedin: LinkedInData | None = None
        rng = self._rng("people")
        self.companies = self._make_companies(rng, people)
        self.owner = self._make_owner(rng)
        self.conference_weeks = self._make_conferences(rng)
        self.people = self._make_people(rng, people)
        self.by_id = {p.person_id: p for p in self.people}
        self.owner_vacation = self._vacations(rng, blocks_per_year=3, ahead=True)
        self.shared_inboxes = self._shared_inboxes()

    def _rng(self, stream: str) -> random.Random:
        return random.Random(f"tiekeeper-demo/{self.seed}/{stream}")

    def week_of(self, t: dt.datetime) -> int:
        """History week index of `t` (clamped to the history)."""
        w = (t - self.start) // dt.timedelta(weeks=1)
        return min(max(w, 0), self.weeks - 1)

    def week_start(self, w: int) -> dt.datetime:
        return self.start + dt.timedelta(weeks=w)

    # --- mail -------------------------------------------------------------------------------------
    def mail(self) -> Iterator[Mail]:
        """Every message of the owner's mailbox, in time order, generated lazily week by week."""
        return _MailStream(self).run()

    # --- truth ------------------------------------------------------------------------------------
    def truth(self, identities: list[Identity], automated: list[AutomatedSender], resources: list[str],
              counts: dict[str, int]) -> World:
        """The ground truth, given what the writers actually wrote."""
        W = self.weeks
        people = []
        for p in self.people:
            end_value = p.latent[W - 1]
            people.append(PersonTruth(
                person_id=p.person_id, full_name=p.full_name, company=p.company.name, group=p.group,
                trajectory=p.trajectory, latent=round(end_value, 4),
                latent_28d_ago=round(p.latent[W - 5], 4),
                latent_weekly=tuple(round(v, 4) for v in p.latent[W - TRUTH_WEEKS:]),
                is_real_tie=_is_real_tie(p),
                faded=(p.trajectory == "fading" and p.change_week >= W - 52
                       and end_value <= 0.5 * p.level_before),
                warmed=(p.trajectory == "warming" and p.change_week >= W - 52 and end_value >= 0.2),
            ))
        o = self.owner
        awaiting = sorted(self.awaiting, key=lambda a: (a.since, a.thread))
        return World(
            seed=self.seed, end=self.end.isoformat(), now=self.now.isoformat(),
            owner=OwnerTruth(o.full_name, o.emails, o.linkedin_url, o.tz, self.owner_type),
            people=tuple(people), identities=tuple(identities), automated_senders=tuple(automated),
            shared_inboxes=tuple(self.shared_inboxes), resources=tuple(resources),
            awaiting_reply=tuple(awaiting), counts=dict(sorted(counts.items())))
