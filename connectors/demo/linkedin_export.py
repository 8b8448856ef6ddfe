"""Writes the simulated LinkedIn data as a "Complete_LinkedInDataExport_MM-DD-YYYY.zip".

Byte-level shape of the 2024 exports: Connections.csv with its three-line `Notes:` preamble and
the URL column, `DD Mon YYYY` dates newest first, minimal quoting, blank member rows;
messages.csv in the 12-column layout, grouped by conversation, newest first; the 7-column
Invitations.csv with `M/D/YY, h:mm AM` times in the owner's zone; Profile.csv and a few files no
connector needs. UTF-8 without BOM; LF line endings except Reactions.csv (CRLF), as seen in
real exports.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from connectors.demo.world import UTC, LinkedInData, LiParty, Owner, zone

CONNECTIONS_PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are '
    "missing. You will only see email addresses for connections who have allowed their connections "
    "to see or download their email address using this setting "
    "https://www.linkedin.com/psettings/privacy/email. You can learn more here "
    'https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def export_name(end: dt.date) -> str:
    """The archive's file name for an export taken on `end`."""
    return f"Complete_LinkedInDataExport_{end:%m-%d-%Y}.zip"


def write_linkedin(out_dir: Path, data: LinkedInData, owner: Owner, end: dt.date,
                   note: Callable[[str, str, str], None]) -> tuple[Path, dict[str, int]]:
    """Write the export zip into `out_dir`; returns its path and counts of what it holds."""
    files = [  # (name, header, rows, lines before the header, line ending)
        ("Connections.csv",
         ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"],
         _connection_rows(data, note), CONNECTIONS_PREAMBLE, "\n"),
        ("messages.csv",
         ["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
          "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER", "IS MESSAGE DRAFT",
          "IS CONVERSATION DRAFT"], _message_rows(data, note), "", "\n"),
        ("Invitations.csv",
         ["From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl"],
         _invitation_rows(data, owner, note), "", "\n"),
        ("Profile.csv",
         ["First Name", "Last Name", "Maiden Name", "Address", "Birth Date", "Headline", "Summary",
          "Industry", "Zip Code", "Geo Location", "Twitter Handles", "Websites", "Instant Messengers"],
         [[owner.given, owner.family, "", "", "", f"Head of Data Products at {owner.company.name}",
           "I build data products, and the teams that build them.", "Software Development", "",
           "Berlin, Berlin, Germany", "", f"[COMPANY:https://{owner.company.domain}]", ""]], "", "\n"),
        ("Email Addresses.csv",
         ["Email Address", "Confirmed", "Primary", "Updated On"],
         [[owner.work_email, "Yes", "Yes", "3/14/21, 9:02 AM"],
          [owner.personal_email, "Yes", "No", "11/2/19, 6:40 PM"]], "", "\n"),
        ("Reactions.csv", ["Date", "Type", "Link"],
         ([f"{t:%Y-%m-%d %H:%M:%S}", kind, link] for t, kind, link in data.reactions), "", "\r\n"),
    ]
    path = out_dir / export_name(end)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, header, rows, preamble, lineterminator in files:
            info = zipfile.ZipInfo(name, date_time=(end.year, end.month, end.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            # Rows stream into the archive as they are made: a 20-year export's messages.csv held
            # as one string took half a GB.
            with io.TextIOWrapper(archive.open(info, "w"), encoding="utf-8", newline="") as text:
                text.write(preamble)
                writer = csv.writer(text, quoting=csv.QUOTE_MINIMAL, lineterminator=lineterminator)
                writer.writerow(header)
                writer.writerows(rows)
    conversations = {m.conversation_id for m in data.messages}
    counts = {
        "linkedin_connection_rows": len(data.connections),
        "linkedin_blank_member_rows": sum(1 for c in data.connections if not c.who),
        "linkedin_connection_emails": sum(1 for c in data.connections if c.email),
        "linkedin_messages": len(data.messages),
        "linkedin_conversations": len(conversations),
        "linkedin_drafts": sum(1 for m in data.messages if m.is_draft),
        "linkedin_invitations": len(data.invitations),
        "linkedin_invitations_pending": sum(1 for i in data.invitations if not i.accepted),
    }
    return path, counts


def _connection_rows(data: LinkedInData, note: Callable) -> Iterator[list[str]]:
    for c in data.connections:
        if c.who:
            note("linkedin_url", c.url, c.who)
            note("linkedin_name", f"{c.first} {c.last}", c.who)
            if c.email:
                note("email", c.email.lower(), c.who)
        d = c.connected_on
        yield [c.first, c.last, c.url, c.email, c.company, c.position,
               f"{d.day:02d} {_MONTHS[d.month - 1]} {d.year}"]


def _party(p: LiParty, note: Callable) -> None:
    if p.url and p.who:
        note("linkedin_url", p.url, p.who)


def _message_rows(data: LinkedInData, note: Callable) -> Iterator[list[str]]:
    by_conversation: dict[str, list] = {}
    for m in data.messages:
        by_conversation.setdefault(m.conversation_id, []).append(m)
    ordered = sorted(by_conversation.values(), key=lambda ms: max(m.sent_at for m in ms), reverse=True)
    for messages in ordered:
        for m in sorted(messages, key=lambda m: m.sent_at, reverse=True):
            _party(m.sender, note)
            for r in m.recipients:
                _party(r, note)
            yield [m.conversation_id, m.title, m.sender.name, m.sender.url,
                   ",".join(r.name for r in m.recipients), ",".join(r.url for r in m.recipients),
                   f"{m.sent_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC", m.subject, m.content,
                   m.folder, "Yes" if m.is_draft else "No", "No"]


def _invitation_rows(data: LinkedInData, owner: Owner, note: Callable) -> Iterator[list[str]]:
    for inv in data.invitations:
        _party(inv.sender, note)
        _party(inv.recipient, note)
        local = inv.sent_at.astimezone(zone(owner.tz))
        hour = local.hour % 12 or 12
        sent = f"{local.month}/{local.day}/{local:%y}, {hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
        yield [inv.sender.name, inv.recipient.name, sent, inv.message, inv.direction,
               inv.sender.url, inv.recipient.url]
