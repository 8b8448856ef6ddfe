"""The owner's address book as the apps export it, into `Contacts/`:

    Apple Contacts.vcf     vCard 3.0 as macOS Contacts exports it (PRODID, type=pref, X-SOCIALPROFILE, photos)
    contacts.vcf           vCard 3.0 as Google Contacts' "vCard" export writes it (https\\: escaped, CATEGORIES)
    Outlook Contacts.vcf   vCard 2.1 as Outlook saves it (quoted-printable, X-MS-OL-DEFAULT-POSTAL-ADDRESS, REV)
    contacts.csv           Google Contacts' CSV export (the layout since 2023, " ::: " joining several values)
"""
from __future__ import annotations

import base64
import csv
import io
import quopri
import random
from collections.abc import Callable
from pathlib import Path

from connectors.demo.world import Card

FOLDER = "Contacts"
GOOGLE_CSV_HEADER = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name", "Phonetic Last Name",
    "Name Prefix", "Name Suffix", "Nickname", "File As", "Organization Name", "Organization Title",
    "Organization Department", "Birthday", "Notes", "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value",
    "E-mail 2 - Label", "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Website 1 - Label",
    "Website 1 - Value"]


def write_address_books(out_dir: Path, cards: list[Card], seed: int, note: Callable) -> list[Path]:
    """Write `cards` into `out_dir/Contacts/`, one file per app; tell `note` every address and
    profile written. Returns the folder (the config's `contacts` source) as a one-item list."""
    folder = out_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"tiekeeper-demo/{seed}/address-book-files")
    for card in cards:
        for email in card.emails:
            note("email", email.lower(), card.who)
        if card.linkedin_url:
            note("linkedin_url", card.linkedin_url, card.who)
    by_app = {app: [c for c in cards if c.app == app] for app in ("apple", "google", "outlook", "google_csv")}
    (folder / "Apple Contacts.vcf").write_bytes("".join(_apple(c, rng) for c in by_app["apple"]).encode())
    (folder / "contacts.vcf").write_bytes("".join(_google(c) for c in by_app["google"]).encode())
    (folder / "Outlook Contacts.vcf").write_bytes("".join(_outlook(c) for c in by_app["outlook"]).encode("ascii"))
    (folder / "contacts.csv").write_bytes(_google_csv(by_app["google_csv"]).encode())
    return [folder]


def _lines(lines: list[str]) -> str:
    return "".join(_fold(line) + "\r\n" for line in lines if line is not None)


def _fold(line: str, width: int = 75) -> str:
    """RFC 6350 folding: at most 75 octets a line, continued after CRLF and a space."""
    data, parts = line.encode(), []
    while len(data) > width:
        cut = width if not parts else width - 1
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # never inside a UTF-8 sequence
            cut -= 1
        parts.append(data[:cut].decode())
        data = data[cut:]
    parts.append(data.decode())
    return "\r\n ".join(parts)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")


def _apple(c: Card, rng: random.Random) -> str:
    emails = [f"EMAIL;type=INTERNET;type={'HOME' if _personal(e) else 'WORK'}{';type=pref' if i == 0 else ''}:{e}"
              for i, e in enumerate(c.emails)]
    photo = None
    if rng.random() < 0.1:
        photo = "PHOTO;ENCODING=b;TYPE=JPEG:" + base64.b64encode(rng.randbytes(600)).decode()
    return _lines([
        "BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Apple Inc.//macOS 15.1//EN",
        f"N:{_escape(c.family)};{_escape(c.given)};;;", f"FN:{_escape(c.full_name)}",
        f"ORG:{_escape(c.organization)};" if c.organization else None,
        f"TITLE:{_escape(c.title)}" if c.title else None,
        *emails,
        f"TEL;type=CELL;type=VOICE;type=pref:{c.phone}" if c.phone else None,
        f"X-SOCIALPROFILE;type=linkedin:{c.linkedin_url}" if c.linkedin_url else None,
        photo,
        "X-ABShowAs:COMPANY" if c.who == "shared" else None,
        f"UID:{c.uid}", f"X-ABUID:{c.uid}:ABPerson", "END:VCARD"])


def _google(c: Card) -> str:
    return _lines([
        "BEGIN:VCARD", "VERSION:3.0", f"FN:{_escape(c.full_name)}", f"N:{_escape(c.family)};{_escape(c.given)};;;",
        *[f"EMAIL;TYPE=INTERNET;TYPE={'HOME' if _personal(e) else 'WORK'}:{e}" for e in c.emails],
        f"TEL;TYPE=CELL:{c.phone}" if c.phone else None,
        f"ORG:{_escape(c.organization)}" if c.organization else None,
        f"TITLE:{_escape(c.title)}" if c.title else None,
        *([f"item1.URL:{c.linkedin_url.replace(':', chr(92) + ':')}", "item1.X-ABLabel:LinkedIn"]
          if c.linkedin_url else []),
        "CATEGORIES:myContacts", "END:VCARD"])


def _qp(name: str, value: str) -> str:
    """A vCard 2.1 property: plain when ASCII, else UTF-8 quoted-printable, soft line breaks and all."""
    if value.isascii():
        return f"{name}:{value}"
    encoded = quopri.encodestring(value.encode(), quotetabs=True).decode().replace("\n", "\r\n")
    return f"{name};CHARSET=utf-8;ENCODING=QUOTED-PRINTABLE:{encoded}"


def _outlook(c: Card) -> str:
    emails = [f"EMAIL;{'PREF;' if i == 0 else ''}INTERNET:{e}" for i, e in enumerate(c.emails)]
    lines = ["BEGIN:VCARD", "VERSION:2.1", _qp("N", f"{c.family};{c.given}"), _qp("FN", c.full_name),
             _qp("ORG", c.organization) if c.organization else None, _qp("TITLE", c.title) if c.title else None,
             f"TEL;CELL;VOICE:{c.phone}" if c.phone else None, *emails,
             "X-MS-OL-DEFAULT-POSTAL-ADDRESS:0", "REV:20261102T091500Z", "END:VCARD"]
    return "".join(line + "\r\n" for line in lines if line is not None)  # Outlook does not fold


def _google_csv(cards: list[Card]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(GOOGLE_CSV_HEADER)
    for c in cards:
        work = [e for e in c.emails if not _personal(e)]
        home = [e for e in c.emails if _personal(e)]
        writer.writerow([c.given, "", c.family, "", "", "", "", "", "", "", c.organization or "", c.title or "", "",
                         "", "", "", "* myContacts", "Work" if work else "", " ::: ".join(work),
                         "Home" if home else "", " ::: ".join(home), "Mobile" if c.phone else "", c.phone or "",
                         "LinkedIn" if c.linkedin_url else "", c.linkedin_url or ""])
    return buffer.getvalue()


def _personal(email: str) -> bool:
    return email.split("@")[-1] in ("gmail.com", "googlemail.com", "proton.me", "outlook.com", "web.de")
