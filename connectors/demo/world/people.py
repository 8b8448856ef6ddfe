"""The people of the world: companies, the owner and everyone they know, with their latent tie
strength per week.
"""
from __future__ import annotations

import datetime as dt
from array import array
from dataclasses import dataclass

from connectors.demo.world.tables import OWNER_TZ


@dataclass(eq=False)
class Company:
    name: str  # as LinkedIn shows it
    legal: str  # as a mail signature shows it
    domain: str
    country: str
    tz: str
    pattern: str  # local part of work addresses
    mail_client: str  # "gmail" (Google Workspace), "outlook" or "other": Message-ID and reply style
    umlauts: bool  # German-style address folding: Müller -> mueller


@dataclass(eq=False)
class Owner:
    given: str
    family: str
    company: Company
    work_email: str
    personal_email: str
    linkedin_url: str
    tz: str = OWNER_TZ

    @property
    def full_name(self) -> str:
        return f"{self.given} {self.family}"

    @property
    def emails(self) -> tuple[str, str]:
        return (self.work_email, self.personal_email)


@dataclass(eq=False)
class Person:
    person_id: str
    given: str
    family: str
    native: str | None  # name in native script (CJK, Arabic), shown by some mail clients
    nickname: str | None  # the name they go by, when it is not `given`
    group: str
    trajectory: str
    company: Company
    position: str
    latent: array  # one value per history week, oldest first; the last is the value at `end`
    change_week: int  # trajectory change point (week index); -1 if none
    level_before: float
    previous: Company | None = None  # employer before `job_week`
    job_week: int = -1
    work_email: str | None = None
    old_email: str | None = None  # at `previous`, used before `job_week`
    personal_email: str | None = None
    variant_email: str | None = None  # the same mailbox written differently (dots, +tag, case)
    personal_share: float = 0.0
    mail_name: str | None = None  # display name their own mail client writes
    second_surname: str | None = None  # of two surnames (García López), the second: some mail leaves it out
    mail_form: str = "name"  # "name" (Name <addr>), "bare" (addr) or "comment" (addr (Name))
    linkedin_url: str | None = None
    li_first: str = ""  # LinkedIn names as the export writes them (spaces, credentials kept)
    li_last: str = ""
    connected_on: dt.date | None = None
    contact_week: int = -1  # the single contact of a one-off
    conference: str = ""
    vacation_weeks: frozenset = frozenset()
    has_ooo: bool = False
    shared_inbox: str | None = None
    bare_addresses: frozenset = frozenset()  # addresses their mail never shows a display name for
    in_department: bool = False  # a foci co-worker in the owner's own department
    list_post_week: int = -1
    followup: str = "none"  # how a one-off contact follows up: "email", "linkedin" or "none"
    # Personal habits: how much of a tie shows in each channel (some friends meet, some only mail).
    email_habit: float = 1.0
    meet_habit: float = 1.0
    linkedin_habit: float = 1.0

    @property
    def full_name(self) -> str:
        return f"{self.given} {self.family}"

    @property
    def first(self) -> str:
        """The name they go by."""
        return self.nickname or self.given

    @property
    def tz(self) -> str:
        return self.company.tz

    def work_address(self, week: int) -> str | None:
        """The work address valid in `week` (the old employer's before a job change)."""
        if self.old_email and week < self.job_week:
            return self.old_email
        return self.work_email

    @property
    def linkedin_display(self) -> str:
        """The name LinkedIn shows in messages and invitations."""
        return f"{self.li_first.strip()} {self.li_last.strip()}".strip()


def _is_real_tie(p: Person) -> bool:
    """A tie the owner maintains, as opposed to foci, one-off and LinkedIn-only noise."""
    if p.group in ("close", "collaborator"):
        return True
    if p.group == "acquaintance":
        return p.trajectory != "dormant"
    return p.group == "foci" and p.trajectory == "warming"
