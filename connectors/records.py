"""The typed records every connector yields: the whole contract between a source and the warehouse.

Connectors are plain generators (no DuckDB, no Prefect). They yield these records, normalised at
the edge: text is `str` (never bytes), times are timezone-aware UTC `datetime`s, dates are `date`s,
e-mail addresses are lower-cased addr-specs. Besides data records a connector may yield:

- `Rejected`: an input item that could not be read (kept in `rejected_records` with the reason);
- `Skipped`: an input item deliberately left out (counted per reason in `ingest_runs`).

Every data record carries `origin`: where in the input it came from (file and line, byte offset
or component), so a user can find it again.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple


class Rejected(NamedTuple):
    location: str  # e.g. "Connections.csv:57", "All mail.mbox@1234567", "work.ics:VEVENT 12"
    reason: str  # one readable line: what is wrong with it
    raw: str  # the offending input, truncated to RAW_LIMIT characters


class Skipped(NamedTuple):
    location: str
    reason: str  # short and stable, it is a counter key: e.g. "draft message"


RAW_LIMIT = 2000


def rejected(location: str, reason: str, raw: str | bytes) -> Rejected:
    """A `Rejected` record with the raw input decoded and truncated."""
    if isinstance(raw, bytes):
        raw = raw[: RAW_LIMIT * 4].decode("utf-8", "replace")
    return Rejected(location, reason, raw[:RAW_LIMIT])


# --- e-mail and calendar parties ---------------------------------------------------------------

class Address(NamedTuple):
    email: str  # addr-spec as written, stripped and lower-cased; never empty
    name: str | None  # display name, RFC 2047-decoded; None when absent


class Attendee(NamedTuple):
    email: str  # lower-cased, without "mailto:"
    name: str | None  # CN
    partstat: str | None  # ACCEPTED, DECLINED, TENTATIVE, NEEDS-ACTION, DELEGATED (upper case)
    role: str | None  # REQ-PARTICIPANT, OPT-PARTICIPANT, CHAIR, NON-PARTICIPANT
    cutype: str | None  # INDIVIDUAL, GROUP, RESOURCE, ROOM


# --- LinkedIn export ---------------------------------------------------------------------------

class LinkedInConnection(NamedTuple):
    first_name: str  # '' for a blank (deleted or hidden) member row: such rows are kept
    last_name: str
    profile_url: str | None  # https://www.linkedin.com/in/<slug>, as exported
    email: str | None
    company: str | None
    position: str | None
    connected_on: dt.date | None
    origin: str


class LinkedInMessage(NamedTuple):
    conversation_id: str | None  # None in exports before 2020
    conversation_title: str | None
    sender_name: str | None
    sender_url: str | None
    recipient_names: str | None  # the TO field as exported (names may contain commas)
    recipient_urls: list[str]
    sent_at: dt.datetime  # UTC
    subject: str | None
    folder: str | None  # INBOX, SENT, ARCHIVE, SPAM, ...
    direction: str | None  # INCOMING / OUTGOING where the export says so (2018-2020 layouts)
    is_draft: bool
    origin: str
    # The message text (CONTENT) is deliberately not part of the record: it is never stored.


class LinkedInInvitation(NamedTuple):
    sender_name: str | None
    recipient_name: str | None
    sent_at: dt.datetime  # UTC (the export has no zone: read in the owner's timezone)
    direction: str  # INCOMING or OUTGOING
    has_message: bool  # whether a note was attached; the note itself is not stored
    inviter_url: str | None
    invitee_url: str | None
    origin: str


# --- e-mail (mbox now, the Gmail API later) ----------------------------------------------------

class MailMessage(NamedTuple):
    message_id: str | None  # Message-ID without angle brackets
    header_hash: str  # sha256 hex of the raw header block: the key when Message-ID is missing
    gmail_id: str | None  # Gmail's message id as decimal (Takeout From_ line; the API's hex id converted)
    thread_id: str | None  # Gmail thread id as decimal (X-GM-THRID), None outside Gmail
    in_reply_to: str | None  # first Message-ID in In-Reply-To, without angle brackets
    references: list[str]  # Message-IDs in References, oldest first, without angle brackets
    sent_at: dt.datetime | None  # UTC, from Date (a "-0000" zone is read as UTC); None if unusable
    from_addr: Address | None
    reply_to: list[Address]
    to: list[Address]
    cc: list[Address]
    bcc: list[Address]
    subject: str | None  # RFC 2047-decoded
    labels: list[str]  # X-Gmail-Labels (Takeout) or label ids (API)
    list_id: str | None
    has_list_unsubscribe: bool
    precedence: str | None  # lower-cased: bulk, list, junk, ...
    auto_submitted: str | None  # lower-cased: no, auto-generated, auto-replied, ...
    size_bytes: int | None  # the whole message as stored (mbox: From_ line to the next; Gmail's sizeEstimate)
    origin: str  # "<file name>@<byte offset of the From_ line>"


# --- calendar (.ics now, the Google Calendar API later) ----------------------------------------

class CalendarEvent(NamedTuple):
    """One occurrence of an event: recurring series are expanded into instances."""

    uid: str
    recurrence_id: dt.datetime | None  # UTC start of the original occurrence; None if not recurring
    calendar: str | None  # X-WR-CALNAME, else the file name
    summary: str | None
    start_at: dt.datetime  # UTC; all-day events start at midnight in the owner's timezone
    end_at: dt.datetime  # UTC, exclusive; never before start_at
    is_all_day: bool
    timezone: str | None  # the original TZID (or X-WR-TIMEZONE / owner's zone used for floating times)
    status: str | None  # CONFIRMED, TENTATIVE, CANCELLED (upper case)
    organizer: Address | None
    attendees: list[Attendee]
    sequence: int
    last_modified: dt.datetime | None  # UTC: LAST-MODIFIED, else DTSTAMP
    origin: str  # "<file name>:<line of BEGIN:VEVENT>"


# --- Outlook (Microsoft Graph) -----------------------------------------------------------------

# A message in an Outlook mailbox: the header fields of `MailMessage` (built from its annotations, so
# the two never drift apart; `thread_id` holds Outlook's conversationId) without the Gmail-only
# `gmail_id` and `labels`, plus where the item lives and Outlook's own state. The warehouse turns
# that state into `labels` in Takeout's vocabulary (pipelines/sql/10_staging/stg_outlook__messages.sql).
_MAIL_FIELDS = [(name, hint) for name, hint in MailMessage.__annotations__.items()
                if name not in ("gmail_id", "labels", "origin")]
OutlookMessage = NamedTuple("OutlookMessage", [
    *_MAIL_FIELDS,
    ("item_id", "str"),  # Graph's immutable id of the item (it survives moves between folders)
    ("folder_id", "str"),  # the folder holding it (parentFolderId)
    ("folder", "str | None"),  # that folder as a label: 'Inbox', 'Sent', 'Archive', or its display name
    ("received_at", "dt.datetime | None"),  # UTC
    ("importance", "str | None"),  # low, normal, high
    ("is_read", "bool | None"),
    ("flag_status", "str | None"),  # notFlagged, flagged, complete
    ("categories", "list[str] | None"),  # the user's Outlook categories, as named
    ("inference_classification", "str | None"),  # focused, other (the Focused Inbox)
    ("has_attachments", "bool | None"),
    ("origin", "str"),  # "outlook:<item id>"
])


class OutlookMessageChange(NamedTuple):
    """A change of a stored Outlook message's state: Graph's delta sends only what changed, so a
    None field is one that did not change (not one that was cleared)."""

    item_id: str
    folder_id: str | None
    importance: str | None
    is_read: bool | None
    flag_status: str | None
    categories: list[str] | None
    inference_classification: str | None
    origin: str


# --- address books (vCard, Google Contacts CSV) ------------------------------------------------

class ContactCard(NamedTuple):
    """One card of an address book. Photos, postal addresses, notes and birthdays are not read."""

    card_key: str  # uid:<UID> where the exporter writes one, else card:<hash of name, addresses, phones>
    full_name: str | None  # FN, else the N parts
    given_name: str | None
    family_name: str | None
    nickname: str | None
    organization: str | None  # ORG's first part (the organisation, not the department)
    title: str | None
    emails: list[str]  # lower-cased addr-specs, in the card's order, each once
    phones: list[str]
    linkedin_url: str | None  # a LinkedIn profile the card links to (URL, X-SOCIALPROFILE)
    format: str  # "vCard 2.1", "vCard 3.0", "vCard 4.0", "Google Contacts CSV", "Outlook CSV"
    origin: str  # "<file name>:<line of BEGIN:VCARD or of the CSV row>"
