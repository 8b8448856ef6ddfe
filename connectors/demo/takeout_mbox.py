"""Writes a simulated mailbox as a Google Takeout mbox, streaming.

Takeout's shape: a `From <decimal gmail id>@xxx <day> <mon> <dd> <hh:mm:ss> +0000 <year>` line,
then `X-GM-THRID` and `X-Gmail-Labels`, then the message as received. Body lines starting with
`From ` are escaped as `>From `, as Gmail does. Lines end in LF (RFC 4155).

The noise real mailboxes carry is added here, with its own random stream: RFC 2047 encoded display
names (B and Q), quoted "Last, First" names, legacy `addr (Name)` comments, `-0000` and broken
Date headers, a few messages without Message-ID, multipart/alternative bodies, quoted replies and,
when `attachment_kb` > 0, base64 attachments cut from one pre-generated random block (so a
1 GB mailbox costs no 1 GB of randomness). `attachment_kb` is the mean size of an attachment as
written, i.e. of its base64 text. With `plain_bodies`, every body is one text/plain part without
the quoted thread: the headers stay exactly those of the full mailbox, the file shrinks by a third.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import email.utils
import html
import random
import re
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

from connectors.demo.world import UTC, Addr, Mail, Owner, zone

ATTACHMENT_SHARE = 0.2  # fraction of human-written messages that carry an attachment
_BLOCK_BYTES = 3 * 2**18  # 768 KiB of random bytes -> 1 MiB of base64 text
_LINE = 76
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_HUMAN_KINDS = ("direct", "group", "internal", "announcement", "cold")
_GARBAGE_DATES = ("Mon, 32 Foo 2024 99:99:99 +0100", "not a date", "2024-03-11T09:31:25",
                  "Tue, 11 Mar 2025 02:31:25 +2500")
_ATTACHMENTS = (("Q3-report.pdf", "application/pdf"), ("notes.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                ("slides.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
                ("photo.jpg", "image/jpeg"), ("Übersicht Budget.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')
_FROM_LINE = re.compile(r"^From ", re.M)


def write_mbox(path: Path, mails: Iterable[Mail], owner: Owner, *, seed: int, attachment_kb: float,
               note: Callable[[str, str, str], None], plain_bodies: bool = False) -> dict[str, int]:
    """Stream `mails` into `path`; `note(kind, key, who)` is told every address written.

    Returns counts of what was written (messages, per kind, garbage dates, ...).
    """
    writer = _Writer(owner, seed, attachment_kb, note, plain_bodies)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb", buffering=1 << 20) as f:
        for mail in mails:
            f.write(writer.message(mail).encode("utf-8"))
    writer.counts["mbox_bytes"] = path.stat().st_size
    return writer.counts


class _Writer:
    def __init__(self, owner: Owner, seed: int, attachment_kb: float, note: Callable, plain_bodies: bool):
        self.owner = owner
        self.rng = random.Random(f"tiekeeper-demo/{seed}/mbox-format")
        self.att_rng = random.Random(f"tiekeeper-demo/{seed}/attachments")
        self.attachment_kb = attachment_kb
        self.plain_bodies = plain_bodies
        self.note = note
        self.owner_addresses = {a.lower() for a in owner.emails}
        self.counts: dict[str, int] = {"messages": 0, "garbage_dates": 0, "missing_date": 0,
                                       "missing_message_id": 0, "attachments": 0,
                                       "from_escaped_lines": 0}
        self.block = ""
        if attachment_kb > 0:
            raw = base64.b64encode(self.att_rng.randbytes(_BLOCK_BYTES)).decode()
            self.block = "\n".join(raw[i:i + _LINE] for i in range(0, len(raw), _LINE)) + "\n"

    # --- one message ----------------------------------------------------------------------------
    def message(self, m: Mail) -> str:
        rng = self.rng
        self.counts["messages"] += 1
        self.counts[f"kind_{m.kind}"] = self.counts.get(f"kind_{m.kind}", 0) + 1
        for addr in (m.sender, *m.to, *m.cc):
            self.note("email", addr.email.lower(), addr.who)
        head = [f"From {m.gmail_id}@xxx {_from_line_date(m.received_at)}",
                f"X-GM-THRID: {m.thread_id}",
                f"X-Gmail-Labels: {self._labels(m)}"]
        if m.direction == "in":
            delivered = next((a.email for a in (*m.to, *m.cc) if a.email.lower() in self.owner_addresses),
                             self.owner.personal_email if m.category in ("Category Social", "Spam")
                             else self.owner.work_email)
            head.append(f"Delivered-To: {delivered.lower()}")
            received = m.received_at.astimezone(zone("America/Los_Angeles"))
            head.append(f"Received: by 2002:a05:{rng.randrange(0x6000, 0x7fff):x}:{rng.randrange(0x1000, 0xffff):x} "
                        f"with SMTP id {_token(rng, 10)};\n        "
                        f"{email.utils.format_datetime(received)} ({received.tzname()})")
        head.append("MIME-Version: 1.0")
        date = self._date(m)
        if date is not None:
            head.append(f"Date: {date}")
        if m.human or m.kind not in ("notification", "newsletter", "spam", "bounce") or rng.random() >= 0.02:
            head.append(f"Message-ID: {m.message_id}")
        else:
            self.counts["missing_message_id"] += 1
        head.append(_fold("Subject: " + _encode_text(m.subject, rng)))
        head.append(_address_header("From", [m.sender], rng))
        if m.to:
            head.append(_address_header("To", m.to, rng))
        if m.cc:
            head.append(_address_header("Cc", m.cc, rng))
        if m.in_reply_to:
            head.append(f"In-Reply-To: {m.in_reply_to}")
        if m.references:
            head.append(_fold("References: " + " ".join(m.references)))
        for name, value in m.headers:
            if name == "Reply-To" and "<" in value:
                display, address = email.utils.parseaddr(value)
                value = _render(Addr(address, display, "name", ""), rng)
            head.append(_fold(f"{name}: {value}"))
        body_head, body = self._body(m)
        escaped = len(_FROM_LINE.findall(body))
        if escaped:
            self.counts["from_escaped_lines"] += escaped
            body = _FROM_LINE.sub(">From ", body)
        return "\n".join(head) + "\n" + body_head + "\n\n" + body + "\n\n"

    def _labels(self, m: Mail) -> str:
        rng = self.rng
        if m.direction == "self":
            return "Inbox,Sent,Opened"
        if m.direction == "out":
            return "Important,Sent" if rng.random() < 0.25 else "Sent"
        if m.category == "Spam":
            return "Spam,Unread" if rng.random() < 0.7 else "Spam,Opened"
        labels = ["Inbox" if rng.random() < 0.4 else "Archived"]
        if m.kind in ("direct", "cold", "bounce") or (m.kind == "group" and rng.random() < 0.5):
            labels.append("Important")
        if rng.random() < 0.03:
            labels.append("Starred")
        labels.append("Unread" if rng.random() < (0.06 if m.human else 0.3) else "Opened")
        labels.append(m.category or "Category Personal")
        return ",".join(labels)

    def _date(self, m: Mail) -> str | None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.0015:
            self.counts["garbage_dates"] += 1
            if rng.random() < 0.25:
                self.counts["missing_date"] += 1
                return None
            return rng.choice(_GARBAGE_DATES)
        if roll < 0.03:
            return email.utils.format_datetime(m.sent_at.replace(tzinfo=None))  # "-0000"
        local = m.sent_at.astimezone(zone(m.tz))
        text = email.utils.format_datetime(local)
        if roll < 0.08:
            text += f" ({local.tzname()})"
        return text

    # --- bodies -----------------------------------------------------------------------------------
    def _body(self, m: Mail) -> tuple[str, str]:
        """(Content-Type and encoding header lines, body text) for `m`."""
        rng = self.rng
        text = m.text
        if m.quote is not None and not self.plain_bodies:
            text += "\n\n" + self._quoted(m)
        alternative = m.human and rng.random() < 0.6
        if alternative:
            boundary = _boundary(rng)  # drawn for plain bodies too, so that the headers stay the same
        if alternative and not self.plain_bodies:
            plain_head, plain = _text_part(text, "plain")
            html_head, html_body = _text_part(_html(text), "html")
            part = (f'Content-Type: multipart/alternative; boundary="{boundary}"',
                    f"--{boundary}\n{plain_head}\n\n{plain}\n--{boundary}\n{html_head}\n\n{html_body}\n--{boundary}--")
        else:
            part = _text_part(text, "plain")
        if not (self.attachment_kb > 0 and m.human and self.att_rng.random() < ATTACHMENT_SHARE):
            return part
        self.counts["attachments"] += 1
        boundary = _boundary(rng)
        name, mime = self.att_rng.choice(_ATTACHMENTS)
        if name.isascii():
            params = f'name="{name}"', f'filename="{name}"'
        else:
            quoted = "".join(c if c.isascii() and c.isalnum() or c in "._-" else
                             "".join(f"%{b:02X}" for b in c.encode()) for c in name)
            params = f"name*=UTF-8''{quoted}", f"filename*=UTF-8''{quoted}"
        attachment_id = f"f_{_token(self.att_rng, 9).lower()}"
        content = self._attachment_text()
        body = (f"--{boundary}\n{part[0]}\n\n{part[1]}\n"
                f"--{boundary}\nContent-Type: {mime}; {params[0]}\nContent-Disposition: attachment; {params[1]}\n"
                f"Content-Transfer-Encoding: base64\nContent-ID: <{attachment_id}>\n"
                f"X-Attachment-Id: {attachment_id}\n\n"
                f"{content}--{boundary}--")
        return f'Content-Type: multipart/mixed; boundary="{boundary}"', body

    def _attachment_text(self) -> str:
        rng = self.att_rng
        size = self.attachment_kb * 1024 * rng.lognormvariate(-0.32, 0.8)  # mean 1.0
        lines = max(1, round(size / (_LINE + 1)))
        stride = _LINE + 1
        total_lines = len(self.block) // stride
        start = rng.randrange(total_lines)
        pieces = []
        while lines > 0:
            take = min(lines, total_lines - start)
            pieces.append(self.block[start * stride:(start + take) * stride])
            lines -= take
            start = 0
        return "".join(pieces)

    def _quoted(self, m: Mail) -> str:
        q = m.quote
        local = q.sent_at.astimezone(zone(q.tz))
        who = _plain_addr(q.addr)
        quoted = "\n".join(("> " + line) if line else ">" for line in q.text.split("\n"))
        if m.message_id.endswith("outlook.com>"):
            hour = f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
            return (f"From: {who}\nSent: {_WEEKDAYS[local.weekday()]}, {_MONTH_NAMES[local.month - 1]} "
                    f"{local.day}, {local.year} {hour}\nSubject: {m.subject}\n\n{q.text}")
        day = f"{_DAYS[local.weekday()]}, {local.day} {_MONTHS[local.month - 1]} {local.year}"
        return f"On {day} at {local:%H:%M}, {who} wrote:\n{quoted}"


# --- header helpers -----------------------------------------------------------------------------------
def _from_line_date(t: dt.datetime) -> str:
    t = t.astimezone(UTC)
    return f"{_DAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t.day:02d} {t:%H:%M:%S} +0000 {t.year}"


def _token(rng: random.Random, n: int) -> str:
    return base64.b32encode(rng.randbytes(n)).decode().rstrip("=")


def _boundary(rng: random.Random) -> str:
    return "000000000000" + rng.randbytes(8).hex()


def _encoded_words(text: str, rng: random.Random, mode: str | None = None) -> str:
    """RFC 2047 encoded words (B or Q), each at most ~75 characters, space-separated."""
    charset = "UTF-8" if rng.random() < 0.7 else "utf-8"
    mode = mode or ("B" if rng.random() < 0.6 else "Q")
    words, chunk = [], ""
    for ch in text:
        if len((chunk + ch).encode()) > 36:
            words.append(chunk)
            chunk = ""
        chunk += ch
    words.append(chunk)
    encoded = []
    for w in words:
        data = w.encode()
        if mode == "B":
            encoded.append(f"=?{charset}?B?{base64.b64encode(data).decode()}?=")
        else:
            q = "".join(chr(b) if (chr(b).isalnum() and b < 128) or chr(b) in "!*+-/" else
                        "_" if b == 32 else f"={b:02X}" for b in data)
            encoded.append(f"=?{charset}?Q?{q}?=")
    return " ".join(encoded)


def _encode_text(text: str, rng: random.Random) -> str:
    return text if text.isascii() else _encoded_words(text, rng)


def _plain_addr(a: Addr) -> str:
    if a.form == "bare" or not a.name:
        return a.email
    return f"{a.name} <{a.email}>"


def _render(a: Addr, rng: random.Random) -> str:
    """An address as a header shows it: encoded, quoted or in the legacy comment form."""
    if a.form == "bare" or not a.name:
        return a.email
    name = a.name
    if a.form == "comment":
        return f"{a.email} ({_encode_text(name, rng) if not name.isascii() else name})"
    if not name.isascii():
        # A per-address choice of B or Q: one sender's client encodes the same way every time.
        mode = "B" if zlib.crc32(a.email.lower().encode()) % 5 < 3 else "Q"
        return f"{_encoded_words(name, rng, mode)} <{a.email}>"
    if _SPECIALS.search(name) or rng.random() < 0.15:
        escaped = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}" <{a.email}>'
    return f"{name} <{a.email}>"


def _address_header(field: str, addrs: Iterable[Addr], rng: random.Random) -> str:
    lines, current = [], f"{field}: "
    first = True
    for a in addrs:
        item = _render(a, rng)
        if first:
            current += item
            first = False
        elif len(current) + len(item) + 2 > 78:
            lines.append(current + ",")
            current = " " + item
        else:
            current += ", " + item
    lines.append(current)
    return "\n".join(lines)


def _fold(line: str) -> str:
    """Fold a header line at spaces so that no line exceeds 78 characters where possible."""
    if len(line) <= 78:
        return line
    out, current = [], ""
    for word in line.split(" "):
        if current and len(current) + 1 + len(word) > 78:
            out.append(current)
            current = " " + word
        else:
            current = f"{current} {word}" if current else word
    out.append(current)
    return "\n".join(out)


def _text_part(text: str, subtype: str) -> tuple[str, str]:
    data = text.encode()
    if text.isascii() and max(map(len, text.split("\n"))) <= 76:
        return f'Content-Type: text/{subtype}; charset="UTF-8"', text
    encoded = binascii.b2a_qp(data, istext=True).decode("ascii")
    return (f'Content-Type: text/{subtype}; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable',
            encoded)


def _html(text: str) -> str:
    return '<div dir="ltr">' + "<br>".join(html.escape(line) for line in text.split("\n")) + "</div>"
