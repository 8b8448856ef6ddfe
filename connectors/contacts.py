"""Reads address books: vCard files (`.vcf`) and Google Contacts' CSV export.

vCards come from Apple Contacts (3.0, `item1.` groups, `X-SOCIALPROFILE`, photos), Google
Contacts' "vCard" export (3.0, `https\\://` escaped URLs), Outlook (2.1, quoted-printable in the
Windows code page, photos) and others (4.0). The file is cut into cards at `BEGIN:VCARD` lines and
each card is parsed on its own with `vobject`, so one broken card is rejected with its reason and
the rest of the file loads. Photos, addresses, notes and birthdays are never read into a record.

Google Contacts' CSV comes in two layouts (`First Name, ..., E-mail 1 - Label, E-mail 1 - Value`
since 2023; `Name, Given Name, ..., E-mail 1 - Type, E-mail 1 - Value` before); Outlook's CSV
(`E-mail Address`, `E-mail 2 Address`) is read too. Columns are mapped by name; a cell may hold
several values joined by " ::: ".
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import vobject

from connectors import SourceError
from connectors.records import ContactCard, Rejected, rejected

Record = ContactCard | Rejected

# An addr-spec as address books hold it: no display name, no spaces.
ADDRESS = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\"]+$")
LINKEDIN = re.compile(r"linkedin\.com/in/", re.IGNORECASE)
SEPARATOR = " ::: "  # Google's CSV joins several values of one field with it
NOT_CONTACTS = ("not an address book (expected vCard files, .vcf, or a Google Contacts CSV export "
                "with columns such as \"First Name\" and \"E-mail 1 - Value\")")


def read_contacts(paths: Iterable[Path], *,
                  progress: Callable[[int], None] | None = None) -> Iterator[Record]:
    """Yield every card of the address books at `paths`, in file order; a card that cannot be
    read is a `Rejected` record with its reason. A file that is not an address book at all raises
    `SourceError` before anything of it is yielded."""
    for path in paths:
        data = path.read_bytes()
        text = _decode(data)
        if path.suffix.lower() == ".csv" or not text.lstrip().upper().startswith("BEGIN:VCARD"):
            records = list(_read_csv(path, text)) if _looks_like_csv(text) else None
        else:
            records = list(_read_vcards(path, text))
        if records is None:
            raise SourceError(f"{path}: {NOT_CONTACTS}")
        yield from records
        if progress is not None:
            progress(len(data))


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM), as every current exporter writes; old Outlook files are in
    the Windows code page."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


# --- vCard -------------------------------------------------------------------------------------

def _cards(text: str) -> Iterator[tuple[int, str]]:
    """(line number of BEGIN:VCARD, the card's text) for each card. A folded line starts with a
    space or tab, so a card always begins at a line that starts with BEGIN:VCARD."""
    start, lines = None, []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.upper().startswith("BEGIN:VCARD"):
            if start is not None:  # the previous card never ended: let the parser say so
                yield start, "\r\n".join(lines) + "\r\n"
            start, lines = number, []
        if start is not None:
            lines.append(line)
            if line.strip().upper() == "END:VCARD":
                yield start, "\r\n".join(lines) + "\r\n"
                start, lines = None, []
    if start is not None:
        yield start, "\r\n".join(lines) + "\r\n"


def _join_soft_breaks(card_text: str) -> str:
    """vCard 2.1's quoted-printable values continue on the next line after a trailing "=" (a soft
    line break, as Outlook writes long values); vobject reads only folded lines, so join them."""
    lines, joined = card_text.split("\r\n"), []
    for line in lines:
        previous = joined[-1] if joined else ""
        if previous.endswith("=") and "QUOTED-PRINTABLE" in previous.split(":", 1)[0].upper():
            joined[-1] = previous[:-1] + line.lstrip()
        else:
            joined.append(line)
    return "\r\n".join(joined)


def _read_vcards(path: Path, text: str) -> Iterator[Record]:
    for line, card_text in _cards(text):
        location = f"{path.name}:{line}"
        try:
            card = vobject.readOne(_join_soft_breaks(card_text), ignoreUnreadable=False)
            record = _card_record(card, location)
        except (vobject.base.ParseError, ValueError, TypeError, AttributeError, UnicodeError) as exc:
            yield rejected(location, f"unreadable vCard: {' '.join(str(exc).split())}", _without_photo(card_text))
            continue
        if isinstance(record, str):
            yield rejected(location, record, _without_photo(card_text))
        else:
            yield record


def _card_record(card, location: str) -> ContactCard | str:
    """The card as a record, or the reason it cannot be one."""
    version = _text(card, "version") or "2.1"
    n = card.contents.get("n", [None])[0]
    given = family = None
    if n is not None and not isinstance(n.value, str):
        given = _join(n.value.given) or None
        family = _join(n.value.family) or None
    organization = None
    if "org" in card.contents:
        value = card.org.value
        organization = _join(value[:1] if isinstance(value, list) else [value]) or None
    full_name = _text(card, "fn") or " ".join(p for p in (given, family) if p) or None
    emails, bad = [], []
    for email in card.contents.get("email", []):
        value = _unescape(str(email.value)).strip().lower().removeprefix("mailto:")
        if value:
            (emails if ADDRESS.match(value) else bad).append(value)
    if bad:
        return f"EMAIL {bad[0]!r} is not an e-mail address"
    phones = [_unescape(str(t.value)).strip().removeprefix("tel:") for t in card.contents.get("tel", [])
              if str(t.value).strip()]
    urls = [_unescape(str(u.value)).strip() for key in ("url", "x-socialprofile") for u in card.contents.get(key, [])]
    if not (full_name or organization or emails or phones):
        return "a card with no name, organisation, e-mail address or phone number"
    uid = _text(card, "uid") or _text(card, "x-abuid")
    return ContactCard(
        card_key=_card_key(uid, full_name, emails, phones),
        full_name=full_name,
        given_name=given,
        family_name=family,
        nickname=_text(card, "nickname"),
        organization=organization,
        title=_text(card, "title"),
        emails=list(dict.fromkeys(emails)),
        phones=list(dict.fromkeys(phones)),
        linkedin_url=next((u for u in urls if LINKEDIN.search(u)), None),
        format=f"vCard {version}",
        origin=location,
    )


def _text(card, key: str) -> str | None:
    lines = card.contents.get(key)
    if not lines:
        return None
    value = lines[0].value
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    return _unescape(str(value)).strip() or None


def _join(parts) -> str:
    if isinstance(parts, str):
        return parts.strip()
    return " ".join(str(p).strip() for p in parts if str(p).strip())


def _unescape(value: str) -> str:
    # Google escapes the colon of URLs (https\://); vobject leaves it.
    return value.replace("\\:", ":")


def _without_photo(card_text: str) -> str:
    """A rejected card as kept in rejected_records: its photo (kilobytes of base64) left out."""
    kept, in_photo = [], False
    for line in card_text.splitlines():
        if line[:1] in (" ", "\t") and in_photo:
            continue
        in_photo = line.upper().split(":", 1)[0].split(";", 1)[0].rsplit(".", 1)[-1] in ("PHOTO", "LOGO")
        kept.append(line.split(":", 1)[0] + ":[photo not stored]" if in_photo else line)
    return "\n".join(kept)


def _card_key(uid: str | None, full_name: str | None, emails: list[str], phones: list[str]) -> str:
    """The card's natural key: its UID where the exporter writes one (Apple, vCard 4.0), else
    its name and addresses, so that exporting the same address book again changes nothing."""
    if uid:
        return f"uid:{uid}"
    content = "\n".join([(full_name or "").casefold(), *sorted(emails), *sorted(phones)])
    return "card:" + hashlib.sha256(content.encode()).hexdigest()[:24]


# --- Google (and Outlook) Contacts CSV -----------------------------------------------------------

def _looks_like_csv(text: str) -> bool:
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
    return bool(_email_columns(header)) and any(
        h in header for h in ("First Name", "Given Name", "Name", "Last Name", "Family Name"))


def _email_columns(header: list[str]) -> list[str]:
    return [h for h in header if re.fullmatch(r"E-mail \d+ - Value|E-mail( \d)? Address", h)]


def _read_csv(path: Path, text: str) -> Iterator[Record]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader)]
    email_columns = _email_columns(header)
    phone_columns = [h for h in header if re.fullmatch(r"Phone \d+ - Value|.*Phone( \d)?", h)]
    website_columns = [h for h in header if re.fullmatch(r"Website \d+ - Value|Web Page", h)]
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        location = f"{path.name}:{line}"
        if len(row) != len(header):
            yield rejected(location, f"{len(row)} fields where the header has {len(header)}", ",".join(row))
            continue
        cells = {h: c.strip() for h, c in zip(header, row)}

        def first(*names: str, cells: dict[str, str] = cells) -> str | None:
            return next((cells[n] for n in names if cells.get(n)), None)

        def values(columns: list[str], cells: dict[str, str] = cells) -> list[str]:
            return [v.strip() for c in columns for v in cells[c].split(SEPARATOR) if v.strip()]

        emails = [e.lower() for e in values(email_columns)]
        bad = [e for e in emails if not ADDRESS.match(e)]
        if bad:
            yield rejected(location, f"E-mail {bad[0]!r} is not an e-mail address", ",".join(row))
            continue
        given, family = first("First Name", "Given Name"), first("Last Name", "Family Name")
        middle = first("Middle Name", "Additional Name")
        full_name = first("Name") or " ".join(p for p in (given, middle, family) if p) or None
        organization = first("Organization Name", "Organization 1 - Name", "Company")
        phones = values(phone_columns)
        if not (full_name or organization or emails or phones):
            yield rejected(location, "a contact with no name, organisation, e-mail address or phone number",
                           ",".join(row))
            continue
        yield ContactCard(
            card_key=_card_key(None, full_name, emails, phones),
            full_name=full_name,
            given_name=given,
            family_name=family,
            nickname=first("Nickname"),
            organization=organization,
            title=first("Organization Title", "Organization 1 - Title", "Job Title"),
            emails=list(dict.fromkeys(emails)),
            phones=list(dict.fromkeys(phones)),
            linkedin_url=next((u for u in values(website_columns) if LINKEDIN.search(u)), None),
            format="Google Contacts CSV" if any(" - Value" in c for c in email_columns) else "Outlook CSV",
            origin=location,
        )
