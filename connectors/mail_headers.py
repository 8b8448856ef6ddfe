"""Decoding of raw RFC 5322 header values, shared by the mbox connector and the Gmail API connector.

Both sources hand over header values as written in the message: RFC 2047 encoded-words not
decoded, addresses not split. These functions turn such values into the typed fields of
`connectors.records.MailMessage`. They never raise on bad input: what cannot be read becomes
None or is left out.
"""
from __future__ import annotations

import binascii
import datetime as dt
import re
from collections.abc import Iterable
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache

from connectors.records import Address

UTC = dt.timezone.utc

# An RFC 2047 encoded-word, as loosely as the stdlib's email.header matches it (broken mailers put
# spaces in the encoded text); "*lang" after the charset is RFC 2231's language tag.
_ENCODED_WORD = re.compile(r"=\?([^?*]*)(?:\*[^?]*)?\?([qQbB])\?(.*?)\?=")

# A mailbox that email.utils.getaddresses would read the same way: `Name <a@b>`, `"Any, name" <a@b>`
# or a bare `a@b`, followed by a comma or the end. Lists made only of such mailboxes (nearly all
# real headers) are read with this regex, several times faster than getaddresses; anything else
# (comments, groups, escapes, routes, domain literals) goes to getaddresses.
_ATOM_ADDR = r'[^\s<>"(),:;@\\\[\]]+@[^\s<>"(),:;@\\\[\]]+'
_SIMPLE_MAILBOX = re.compile(
    rf'[ \t]*(?:(?:"([^"\\]*)"|([^"<>(),:;@\\\[\]]*?))[ \t]*<({_ATOM_ADDR})>|({_ATOM_ADDR}))[ \t]*(?:,[ \t,]*|\Z)')

_MESSAGE_ID = re.compile(r"<([^<>]*)>")


def decode_text(raw: bytes) -> str:
    """Header bytes as text: UTF-8, else (undeclared legacy 8-bit) cp1252, else Latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def decode_words(value: str) -> str:
    """`value` with its RFC 2047 encoded-words decoded.

    Whitespace between adjacent encoded-words is dropped, and adjacent words in the same charset are
    joined before decoding, so a character split across two words survives. A word that does not
    decode is kept as written; an unknown charset falls back to `decode_text`.
    """
    if "=?" not in value:
        return value
    parts: list[str | list] = []  # plain text, or [charset, bytes] of a run of encoded-words
    pos = 0
    for match in _ENCODED_WORD.finditer(value):
        payload = _decode_payload(match.group(2), match.group(3))
        if payload is None:
            continue  # not decodable: left in place, part of the plain text around it
        gap = value[pos:match.start()]
        charset = match.group(1).lower()
        previous = parts[-1] if parts else None
        if isinstance(previous, list) and (not gap or gap.isspace()):
            if previous[0] == charset:
                previous[1] += payload
            else:
                parts.append([charset, payload])
        else:
            if gap:
                parts.append(gap)
            parts.append([charset, payload])
        pos = match.end()
    parts.append(value[pos:])
    return "".join(part if isinstance(part, str) else _decode_charset(*part) for part in parts)


def _decode_payload(encoding: str, text: str) -> bytes | None:
    try:
        data = text.encode("ascii")
    except UnicodeEncodeError:
        return None
    if encoding in "qQ":
        return binascii.a2b_qp(data, header=True)
    try:
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
    except binascii.Error:
        return None


def _decode_charset(charset: str, payload: bytes) -> str:
    try:
        return payload.decode(charset, "replace")
    except (LookupError, UnicodeError, ValueError):  # unknown charset, or not a text codec
        return decode_text(payload)


def parse_addresses(values: Iterable[str]) -> list[Address]:
    """The mailboxes in raw address-list header values (all `To:` headers of a message, say).

    Names are decoded after the list is split (decoding first would split `=?utf-8?q?Doe=2C_Jane?=`
    at its comma). The legacy `jane@x.com (Jane Doe)` form keeps its name. Groups contribute their
    members; an empty group (`undisclosed-recipients:;`) and anything without a usable
    `local@domain` contribute nothing. Addresses are stripped and lower-cased.
    """
    return [address for value in values for address in _address_list(value)]


# A mailbox sees the same few hundred values again and again (the owner in To, frequent senders).
@lru_cache(maxsize=8192)
def _address_list(value: str) -> tuple[Address, ...]:
    pairs = _simple_mailboxes(value)
    if pairs is None:
        pairs = getaddresses([value])
    addresses = []
    for name, addr in pairs:
        email = addr.strip().lower()
        local, at, domain = email.rpartition("@")
        if not (local and at and domain):
            continue
        name = decode_words(name).strip() if name else ""
        addresses.append(Address(email, name or None))
    return tuple(addresses)


def _simple_mailboxes(value: str) -> list[tuple[str, str]] | None:
    """(name, addr) pairs as getaddresses gives them, or None when the value needs getaddresses."""
    pairs = []
    pos, end = 0, len(value)
    while pos < end:
        match = _SIMPLE_MAILBOX.match(value, pos)
        if match is None:
            return None
        quoted, phrase, addr, bare = match.groups()
        if bare:
            pairs.append(("", bare))
        else:
            pairs.append((quoted if quoted is not None else " ".join(phrase.split()), addr))
        pos = match.end()
    return pairs


def parse_date(value: str | None) -> dt.datetime | None:
    """A Date-style value as an aware UTC datetime; a zone of `-0000` (or none) is read as UTC.
    None when the value is missing or cannot be read."""
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:
            return when.replace(tzinfo=UTC)
        return when.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def received_date(value: str | None) -> dt.datetime | None:
    """The date stamped on a `Received:` header (after its last `;`), as `parse_date` reads it."""
    if not value or ";" not in value:
        return None
    return parse_date(value.rpartition(";")[2])


def message_ids(value: str | None) -> list[str]:
    """The Message-IDs in a Message-ID, In-Reply-To or References value, without angle brackets,
    in the order written. A value without angle brackets is read as whitespace-separated ids."""
    if not value:
        return []
    ids = [found.strip() for found in _MESSAGE_ID.findall(value)]
    if not ids:
        ids = value.replace("<", " ").replace(">", " ").split()
    return [i for i in ids if i]


def header_addresses(values: list[str] | None) -> list[Address]:
    """All addresses in the given values of one header (e.g. every To: line); [] when absent."""
    return parse_addresses(values) if values else []


def first_message_id(values: list[str] | None) -> str | None:
    """The first Message-ID in the first value of a header such as In-Reply-To."""
    ids = message_ids(values[0]) if values else None
    return ids[0] if ids else None


def header_text(values: list[str] | None) -> str | None:
    """The first value of a header, decoded and stripped; None when the header is absent."""
    return decode_words(values[0]).strip() if values else None
