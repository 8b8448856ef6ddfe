"""Reads a LinkedIn "Get a copy of your data" export: Connections, messages and Invitations.

The export is a zip (`Basic_...` or `Complete_LinkedInDataExport_MM-DD-YYYY.zip`) or its unzipped
folder. Its layout has changed over the years (see docs/formats.md section 1), so files are found by
name, header rows are searched for, and columns are mapped by name. Message text and invitation
notes are never read into a record, not even into a `Rejected` one.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, NamedTuple
from zoneinfo import ZoneInfo

from connectors import SourceError
from connectors.records import LinkedInConnection, LinkedInInvitation, LinkedInMessage, Rejected, Skipped, rejected

Record = LinkedInConnection | LinkedInMessage | LinkedInInvitation | Rejected | Skipped
Rows = Iterator[tuple[int, list[str]]]

# The files read, in the order their records are yielded. Names are matched exactly (ignoring
# case), so coach_messages.csv and the other AI-chat logs that share the messages schema are not.
CONNECTIONS, MESSAGES, INVITATIONS = "connections.csv", "messages.csv", "invitations.csv"
MEMBERS = (CONNECTIONS, MESSAGES, INVITATIONS)

HEADER_LINES = 20  # the header starts within this many lines (Connections has a 3-line preamble)
# What LinkedIn writes instead of a header into a file with nothing in it.
PLACEHOLDER = re.compile(r"No .+ found\.?", re.IGNORECASE)
OMITTED = "[not stored]"  # stands in for message text and invitation notes in `Rejected.raw`
YES = {"yes", "true"}  # IS MESSAGE DRAFT: "Yes"/"No" in real exports, "true"/"false" in others

DAMAGED = "the zip file is damaged or incomplete (download the export again)"
NOT_A_ZIP = (
    "not a zip file (expected the LinkedIn export .zip as downloaded, or its unzipped folder)"
)
NOT_FOUND = (
    "no Connections.csv, messages.csv or Invitations.csv found (is this a LinkedIn data export?)"
)
NOT_UTF8 = "not UTF-8 text (download the export again, or save it from Excel as \"CSV UTF-8\")"

MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}

# "16 Dec 2024" (2021 onwards) and "9-Sep-22" (the same date after an Excel re-save).
DAY_MONTH_YEAR = re.compile(r"(\d{1,2})([ -])([A-Za-z]{3})\2(\d{4}|\d{2})")
# "1/8/18, 6:14 PM" (2018 Connections and Messages, every Invitations.csv). Newer tools put a
# U+202F narrow no-break space before AM/PM, which \s matches.
US_DATE_TIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2}),?\s+(\d{1,2}):(\d{2})\s*([AaPp][Mm])")
# "2022-09-08 18:08:14 UTC" (messages since 2022), "2019-11-06T02:08:20" (~2019, no zone).
ISO_DATE_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})( UTC)?")
# "09/09/2022": an Excel re-save in a locale of unknown day/month order.
SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def read_export(
    path: Path,
    *,
    tz: ZoneInfo,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Record]:
    """Yield the records of a LinkedIn data export: connections, then messages, then invitations,
    each in file order.

    `path` is the export `.zip` as downloaded or its unzipped folder. The three files are found by
    name, ignoring case, at the top or one folder down (the shallowest wins); every other file is
    ignored. Timestamps without a zone are read in `tz`; every datetime yielded is UTC. Rows that
    cannot be read are yielded as `Rejected`, draft and sponsored messages and empty rows as
    `Skipped`. `progress` is called once per file read with its size on disk (the compressed size
    inside a zip). Raises `SourceError`, while iterating, when the export as a whole is unreadable.
    """
    path = Path(path)
    if path.is_dir():
        yield from _read_members(_pick(path, _folder_files(path)), tz, progress)
    elif path.is_file():
        with _open_zip(path) as archive:
            try:
                yield from _read_members(_pick(path, _zip_files(archive)), tz, progress)
            except (zipfile.BadZipFile, EOFError, zlib.error) as err:
                # A cut-off or corrupted member only shows when it is read (CRC, inflate errors).
                raise SourceError(f"{path}: {DAMAGED}") from err
    else:
        raise SourceError(f"{path}: no such file or folder")


# --- finding the files -------------------------------------------------------------------------

class _Member(NamedTuple):
    name: str  # the file name as exported, e.g. "Messages.csv": the prefix of every location
    path: str  # inside the zip or folder, "/"-separated
    size: int  # bytes on disk: the compressed size inside a zip
    open: Callable[[], IO[bytes]]


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        with path.open("rb") as file:
            head = file.read(2)
        # A zip starts with "PK": an empty or cut-off download is incomplete, the rest not a zip.
        raise SourceError(f"{path}: {DAMAGED if head in (b'', b'PK') else NOT_A_ZIP}") from err
    except OSError as err:
        raise SourceError(f"{path}: cannot be read ({err.strerror})") from err


def _zip_files(archive: zipfile.ZipFile) -> Iterator[_Member]:
    for info in archive.infolist():
        parts = info.filename.replace("\\", "/").split("/")
        if len(parts) <= 2 and parts[-1].casefold() in MEMBERS and not info.is_dir():
            yield _Member(parts[-1], "/".join(parts), info.compress_size,
                          functools.partial(archive.open, info))


def _folder_files(folder: Path) -> Iterator[_Member]:
    for file in (*folder.glob("*"), *folder.glob("*/*")):
        if file.name.casefold() in MEMBERS and file.is_file():
            yield _Member(file.name, file.relative_to(folder).as_posix(), file.stat().st_size,
                          functools.partial(file.open, "rb"))


def _pick(path: Path, found: Iterable[_Member]) -> list[_Member]:
    """One member per wanted name: the shallowest, then the first by path (an export unzipped into
    its own folder, or a user's re-saved copy next to the original, stays predictable)."""
    chosen: dict[str, _Member] = {}
    for member in sorted(found, key=lambda m: (m.path.count("/"), m.path)):
        chosen.setdefault(member.name.casefold(), member)
    if not chosen:
        raise SourceError(f"{path}: {NOT_FOUND}")
    return [chosen[name] for name in MEMBERS if name in chosen]


def _read_members(
    members: list[_Member], tz: ZoneInfo, progress: Callable[[int], None] | None
) -> Iterator[Record]:
    readers = {CONNECTIONS: _connections, MESSAGES: _messages, INVITATIONS: _invitations}
    for member in members:
        try:
            raw = member.open()
        except OSError as err:
            raise SourceError(f"{member.name}: cannot be read ({err.strerror})") from err
        # utf-8-sig: an Excel re-save adds a BOM. newline='': csv handles CRLF and quoted newlines.
        with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
            yield from readers[member.name.casefold()](member.name, _rows(member.name, text), tz)
        if progress is not None:
            progress(member.size)


# --- CSV rows and headers ----------------------------------------------------------------------

def _rows(name: str, text: IO[str]) -> Rows:
    """(physical line where the row starts, whitespace-stripped cells) for every CSV row."""
    reader = csv.reader(text)
    line = 1
    try:
        for row in reader:
            yield line, [cell.strip() for cell in row]
            line = reader.line_num + 1
    except UnicodeDecodeError as err:
        raise SourceError(f"{name}: {NOT_UTF8}") from err
    except csv.Error as err:
        raise SourceError(f"{name}:{line}: not readable as CSV ({err})") from err


def _header(name: str, rows: Rows, required: tuple[str, ...]) -> dict[str, int] | None:
    """Column name (case-folded) -> index, from the first row within HEADER_LINES lines that has
    all `required` columns (in any case). None for a file with no table at all: empty, or only
    LinkedIn's placeholder line such as "No conversations found"."""
    wanted = {column.casefold() for column in required}
    content: list[list[str]] = []
    for line, cells in rows:
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            columns.setdefault(cell.casefold(), index)
        if columns.keys() >= wanted:
            return columns
        if any(cells):
            content.append(cells)
        if line >= HEADER_LINES:
            break
    else:
        if not content or (len(content) == 1 and len(content[0]) == 1
                            and PLACEHOLDER.fullmatch(content[0][0])):
            return None
    raise SourceError(f"{name}: no header row with the columns {', '.join(required)} in the first "
                      f"{HEADER_LINES} lines (is this a LinkedIn export?)")


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _raw(cells: list[str], private: int | None = None) -> str:
    """The row as CSV again, for `Rejected.raw`, with the `private` column's text left out."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(
        OMITTED if index == private and cell else cell for index, cell in enumerate(cells))
    return out.getvalue()


# --- the three files ---------------------------------------------------------------------------

def _connections(name: str, rows: Rows, tz: ZoneInfo) -> Iterator[Record]:
    columns = _header(name, rows, ("First Name", "Last Name", "Connected On"))
    if columns is None:
        return
    first, last, url, email, company, position, connected = (columns.get(c) for c in (
        "first name", "last name", "url", "email address", "company", "position", "connected on"))
    for line, cells in rows:
        location = f"{name}:{line}"
        if not any(cells):
            yield Skipped(location, "empty row")
            continue
        value = _cell(cells, connected)
        try:
            connected_on = _parse_date(value) if value else None
        except ValueError as err:
            yield rejected(location, f"Connected On {value!r}: {err}", _raw(cells))
            continue
        address = _cell(cells, email).lower()
        yield LinkedInConnection(
            first_name=_cell(cells, first),
            last_name=_cell(cells, last),
            profile_url=_cell(cells, url) or None,
            # 2018 exports put "urn:li:member:<id>" here for some members: not an address.
            email=address if "@" in address else None,
            company=_cell(cells, company) or None,
            position=_cell(cells, position) or None,
            connected_on=connected_on,
            origin=location,
        )


def _messages(name: str, rows: Rows, tz: ZoneInfo) -> Iterator[Record]:
    columns = _header(name, rows, ("FROM", "TO", "DATE"))
    if columns is None:
        return
    (conversation, title, sender, sender_url, to, recipient_urls, date, subject, content, folder,
     direction, draft) = (columns.get(c) for c in (
        "conversation id", "conversation title", "from", "sender profile url", "to",
        "recipient profile urls", "date", "subject", "content", "folder", "direction",
        "is message draft"))
    for line, cells in rows:
        location = f"{name}:{line}"
        if not any(cells):
            yield Skipped(location, "empty row")
            continue
        if _cell(cells, draft).casefold() in YES:
            yield Skipped(location, "draft message")
            continue
        if _cell(cells, title).casefold() == "sponsored conversation":
            yield Skipped(location, "sponsored message")
            continue
        value = _cell(cells, date)
        try:
            sent_at = _parse_datetime(value, tz)
        except ValueError as err:
            yield rejected(location, f"DATE {value!r}: {err}", _raw(cells, private=content))
            continue
        yield LinkedInMessage(
            conversation_id=_cell(cells, conversation) or None,
            conversation_title=_cell(cells, title) or None,
            sender_name=_cell(cells, sender) or None,
            sender_url=_cell(cells, sender_url) or None,
            recipient_names=_cell(cells, to) or None,
            # Several recipients: their URLs comma-joined in one field.
            recipient_urls=[url.strip() for url in _cell(cells, recipient_urls).split(",")
                            if url.strip()],
            sent_at=sent_at,
            subject=_cell(cells, subject) or None,
            folder=_cell(cells, folder) or None,
            direction=_cell(cells, direction).upper() or None,
            is_draft=False,  # drafts are skipped above
            origin=location,
        )


def _invitations(name: str, rows: Rows, tz: ZoneInfo) -> Iterator[Record]:
    columns = _header(name, rows, ("From", "To", "Sent At", "Direction"))
    if columns is None:
        return
    sender, recipient, sent, message, direction, inviter, invitee = (columns.get(c) for c in (
        "from", "to", "sent at", "message", "direction", "inviterprofileurl", "inviteeprofileurl"))
    for line, cells in rows:
        location = f"{name}:{line}"
        if not any(cells):
            yield Skipped(location, "empty row")
            continue
        value = _cell(cells, sent)
        try:
            sent_at = _parse_datetime(value, tz)
        except ValueError as err:
            yield rejected(location, f"Sent At {value!r}: {err}", _raw(cells, private=message))
            continue
        way = _cell(cells, direction).upper()
        if way not in ("INCOMING", "OUTGOING"):
            yield rejected(location, f"Direction {way!r}: expected INCOMING or OUTGOING",
                           _raw(cells, private=message))
            continue
        yield LinkedInInvitation(
            sender_name=_cell(cells, sender) or None,
            recipient_name=_cell(cells, recipient) or None,
            sent_at=sent_at,
            direction=way,
            has_message=bool(_cell(cells, message)),
            inviter_url=_cell(cells, inviter) or None,
            invitee_url=_cell(cells, invitee) or None,
            origin=location,
        )


# --- dates -------------------------------------------------------------------------------------
# Parsed with regular expressions and an English month map: strptime's %b and %p follow the locale.

def _parse_date(text: str) -> dt.date:
    """A `Connected On` value as a date; ValueError saying why not."""
    if match := DAY_MONTH_YEAR.fullmatch(text):
        day, _, month_name, year = match.groups()
        month = MONTHS.get(month_name.casefold())
        if month is None:
            raise ValueError("unknown month name")
        return dt.date(_year(year), month, int(day))
    if match := US_DATE_TIME.fullmatch(text):
        month, day, year = match.group(1, 2, 3)
        return dt.date(_year(year), int(month), int(day))
    if match := SLASH_DATE.fullmatch(text):
        first, second, year = (int(n) for n in match.groups())
        # Read only when the order cannot matter: one part above 12, or both equal.
        if first <= 12 and second <= 12 and first != second:
            raise ValueError("day/month order is ambiguous (re-saved by Excel?)")
        day, month = (first, second) if first > 12 else (second, first)
        return dt.date(year, month, day)
    raise ValueError("not a date format of LinkedIn exports")


def _parse_datetime(text: str, tz: ZoneInfo) -> dt.datetime:
    """A message or invitation time as an aware UTC datetime; naive times are read in `tz`."""
    if match := ISO_DATE_TIME.fullmatch(text):
        *parts, zone = match.groups()
        local = dt.datetime(*(int(p) for p in parts), tzinfo=dt.timezone.utc if zone else tz)
    elif match := US_DATE_TIME.fullmatch(text):
        month, day, year, hour, minute, half = match.groups()
        if not 1 <= int(hour) <= 12:
            raise ValueError("hour out of range for a 12-hour clock")
        hour24 = int(hour) % 12 + (12 if half.upper() == "PM" else 0)
        local = dt.datetime(_year(year), int(month), int(day), hour24, int(minute), tzinfo=tz)
    else:
        raise ValueError("not a date and time format of LinkedIn exports")
    return local.astimezone(dt.timezone.utc)


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)
