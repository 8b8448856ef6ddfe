"""What happens in the world, as pure data: mail, LinkedIn messages, connections and invitations,
meetings and who attends them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple


class Addr(NamedTuple):
    """One mail party: the address as written, the display name the writing client used."""

    email: str
    name: str | None
    form: str  # "name", "bare" or "comment"
    who: str  # "owner", a person_id, "auto:<kind>" or "shared"


class Quote(NamedTuple):
    sent_at: dt.datetime
    tz: str
    addr: Addr
    text: str


class Mail(NamedTuple):
    gmail_id: int
    thread_id: int
    sent_at: dt.datetime  # UTC
    received_at: dt.datetime  # UTC; Gmail's internal date
    tz: str  # sender's zone, for the Date header
    sender: Addr
    to: tuple
    cc: tuple
    subject: str
    message_id: str
    in_reply_to: str | None
    references: tuple
    kind: str  # direct, group, internal, announcement, self, cold, newsletter, notification,
    #            calendar, bounce, auto_reply, list, list_post, spam
    direction: str  # "in", "out" or "self"
    text: str
    quote: Quote | None = None
    headers: tuple = ()  # extra (name, value) headers: List-Id, Precedence, Auto-Submitted, ...
    human: bool = True  # written by a person (may carry an attachment)
    category: str = ""  # Gmail's tab ("Category Updates", ...), "" for personal mail; "Spam"


class LiParty(NamedTuple):
    name: str
    url: str
    who: str  # "owner", a person_id, "auto:sponsored" or "" (a deleted member)


class LiMessage(NamedTuple):
    conversation_id: str
    title: str
    sender: LiParty
    recipients: tuple
    sent_at: dt.datetime
    subject: str
    content: str
    folder: str
    is_draft: bool


class LiConnection(NamedTuple):
    first: str
    last: str
    url: str
    email: str
    company: str
    position: str
    connected_on: dt.date
    who: str  # person_id, "" for a blank member row


class LiInvitation(NamedTuple):
    sender: LiParty
    recipient: LiParty
    sent_at: dt.datetime  # UTC
    message: str
    direction: str  # INCOMING or OUTGOING
    accepted: bool


class LinkedInData(NamedTuple):
    connections: list
    messages: list  # LiMessage, in no particular order
    invitations: list
    reactions: list  # (datetime UTC, type, link)


class Attendance(NamedTuple):
    email: str
    name: str | None
    partstat: str
    who: str  # "owner", person_id, "resource"
    cutype: str = "INDIVIDUAL"
    role: str = "REQ-PARTICIPANT"


class Override(NamedTuple):
    """A changed instance of a series: moved (new start/end) or cancelled."""

    recurrence_id: dt.datetime
    start: dt.datetime
    end: dt.datetime
    cancelled: bool


@dataclass(eq=False)
class Meeting:
    uid: str
    calendar: str  # "main" or "team"
    summary: str
    start: dt.datetime | dt.date  # date for all-day events; owner's zone for series, UTC otherwise
    end: dt.datetime | dt.date  # exclusive
    organizer: Attendance | None
    attendees: list
    created: dt.datetime
    status: str = "CONFIRMED"
    rrule: dict | None = None  # FREQ, INTERVAL, BYDAY, UNTIL, COUNT
    exdates: list = field(default_factory=list)
    overrides: list = field(default_factory=list)
    location: str = ""
    description: str = ""
    transparent: bool = False

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)
