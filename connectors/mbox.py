"""mbox files (Google Takeout and others): one `MailMessage` per message, read from its headers only.

The file is streamed in large binary chunks. Of each message only the header block (up to the first
empty line) is kept; bodies and attachments are skipped over with `bytes.find` and never decoded,
so memory stays at about one chunk however large the file.

A message starts at a line beginning with `From ` at the start of the file or after an empty line
(mboxo/mboxrd). Such a line that is followed by no message headers is not a new message:
- if it reads like an envelope line (`From sender Tue Mar 11 01:31:25 2025`), the message is
  unreadable and yielded as `Rejected`;
- otherwise it is an unescaped body line of the previous message, yielded as `Skipped` so it is
  counted.

`header_hash` is the SHA-256 of the header lines as written (without the From_ line, with LF line
endings), so the same message hashes alike in a CRLF copy of the file.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from connectors import SourceError
from connectors.mail_headers import (
    decode_text,
    decode_words,
    first_message_id,
    header_addresses,
    header_text,
    message_ids,
    parse_date,
    received_date,
)
from connectors.records import MailMessage, Rejected, Skipped, rejected

CHUNK_SIZE = 16 * 1024 * 1024
# A header block (with its From_ line) longer than this is cut here: real ones are a few KiB,
# longer ones are a message without the empty line that ends its headers.
HEADER_LIMIT = 1024 * 1024

NOT_AN_MBOX = ('not an mbox file (it does not start with a "From " line; export mail as mbox, '
               'e.g. from Google Takeout)')
BODY_FROM_LINE = 'unescaped "From " line in a message body'

# A header field read from the header block (with a newline put before its first line), and its
# value with any continuation lines. Only the fields used are matched: the name alternatives are
# tried at each line start, so this is a single pass in C over the block.
_FIELD = re.compile(
    rb"\n(?i:(from|to|cc|bcc|reply-to|date|message-id|in-reply-to|references|subject|x-gm-thrid"
    rb"|x-gmail-labels|list-id|list-unsubscribe|precedence|auto-submitted))[ \t]*:[ \t]*(.*(?:\n[ \t].*)*)")
_RECEIVED = re.compile(rb"\n(?i:received)[ \t]*:(.*(?:\n[ \t].*)*)")
_NOT_SPACE = re.compile(rb"\S")
_LABEL = re.compile(r'"([^"]*)"?|([^,"]+)')
# Takeout: `From 1823459434534554253@xxx Tue Mar 11 01:31:25 +0000 2025` (the zone before the year).
_TAKEOUT_ID = re.compile(rb"From (\d+)@xxx\s")
# An envelope line has a sender and a time of day; a body sentence starting with "From " rarely does.
_ENVELOPE = re.compile(rb"From \S+\s.*\d:\d\d")


def read_mbox(paths: Iterable[Path], *, progress: Callable[[int], None] | None = None,
              starts: Mapping[Path, int] | None = None) -> Iterator[MailMessage | Rejected | Skipped]:
    """Yields the messages of the mbox files at `paths`, in file order, from their headers only.

    Each message becomes a `MailMessage` (origin `<file name>@<byte offset of its From_ line>`);
    a message whose header block has no readable header field becomes `Rejected`; an unescaped
    `From ` body line after an empty line becomes `Skipped`. Every path is checked before the first
    record: a missing path, a directory or a file that is not an mbox raises `SourceError`. An
    empty file has no messages. `progress` is called with the number of bytes read, chunk by chunk.
    `starts`: files to read from a byte offset on (where a message starts: `continues_at`), not from
    their beginning.
    """
    paths = [Path(p) for p in paths]
    for path in paths:
        _check(path)
    for path in paths:
        yield from _read_file(path, progress, (starts or {}).get(path, 0))


def continues_at(path: Path, offset: int) -> bool:
    """Whether the mbox file at `path` starts a message at `offset`, as a reader from its beginning
    would see it: only line breaks between `offset` and a `From ` line that follows an empty line.
    Then the file's bytes before `offset` are whole messages, and reading on from there gives the
    messages after them."""
    back = min(offset, 3)
    with path.open("rb") as file:
        file.seek(offset - back)
        head = file.read(back + 256)
    rest = head[back:]
    from_at = back + len(rest) - len(rest.lstrip(b"\r\n"))
    # the reader's separator: `\nFrom ` after `\n` (or `\n\r`), i.e. after an empty line
    return head.startswith(b"From ", from_at) and head[:from_at].endswith((b"\n\n", b"\n\r\n"))


def _check(path: Path) -> None:
    try:
        with path.open("rb") as file:
            head = file.read(64 * 1024)
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file (give the path of an .mbox file, "
                          f"e.g. Takeout/Mail/All mail Including Spam and Trash.mbox)") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory, not an mbox file (give the .mbox file in it)") from None
    except OSError as error:
        raise SourceError(f"{path}: cannot be read ({error.strerror})") from None
    head = head.lstrip()
    if head and not head.startswith(b"From "):
        raise SourceError(f"{path.name}: {NOT_AN_MBOX}")


def _read_file(path: Path, progress: Callable[[int], None] | None, start: int = 0
               ) -> Iterator[MailMessage | Rejected | Skipped]:
    name = path.name
    buf = bytearray(CHUNK_SIZE + HEADER_LIMIT)
    view = memoryview(buf)
    base = start  # file offset of buf[0]
    end = 0  # bytes of buf in use
    eof = False

    with open(path, "rb", buffering=0) as file:
        file.seek(start)
        def refill(keep: int) -> int:
            """Drops buf[:keep], fills the rest from the file; returns `keep` (how far positions move)."""
            nonlocal base, end, eof
            buf[:end - keep] = buf[keep:end]
            base += keep
            end -= keep
            while end < len(buf) and not eof:
                n = file.readinto(view[end:])
                if not n:
                    eof = True
                else:
                    end += n
                    if progress is not None:
                        progress(n)
            return keep

        refill(0)
        content = _NOT_SPACE.search(buf, 0, end)  # the first From_ line, after any leading blank lines
        pos = content.start() if content else end
        if pos == end:
            if not eof:
                raise SourceError(f"{name}: {NOT_AN_MBOX}")
            return
        if not buf.startswith(b"From ", pos):
            raise SourceError(f"{name}: {NOT_AN_MBOX}")
        at_file_start = start == 0
        while True:
            # `pos` is the start of a From_ line that begins a message: find its header block.
            limit = pos + HEADER_LIMIT
            if limit > end and not eof:
                pos -= refill(pos)
                limit = pos + HEADER_LIMIT
            stop = min(limit, end)
            eol = buf.find(b"\n", pos, stop)
            if eol < 0:
                eol = stop
            crlf = buf[eol - 1] == 13
            separator = b"\r\n\r\n" if crlf else b"\n\n"
            block_end = buf.find(separator, eol - 1, stop)
            if block_end < 0:
                separator = b"\n\n" if crlf else b"\r\n\r\n"  # a file mixing line endings
                block_end = buf.find(separator, eol - 1, stop)
            block_start = min(eol + 1, stop)
            if block_end < 0:
                block_end = scan = stop  # headers run to the end of the file, or are cut at the limit
            else:
                block_end += len(separator) // 2
                scan = block_end + len(separator) // 2 - 1  # the `\n` that may precede the next From_
            from_line = bytes(buf[pos:eol - crlf])
            start = base + pos  # file offset of this message's From_ line
            headers = bytes(buf[block_start:block_end])

            # Skip the body: the next message starts at `From ` after an empty line. Its offset
            # gives this message's size, the only thing of the body that is kept.
            while True:
                found = buf.find(b"\nFrom ", scan, end)
                if found < 0:
                    if eof:
                        yield _record(from_line, headers, name, start, base + end - start, at_file_start)
                        return
                    scan = max(scan, end - 5)  # a separator may straddle the chunk boundary
                    scan -= refill(max(scan - 2, 0))
                    continue
                before = buf[found - 1]
                if before == 10 or (before == 13 and buf[found - 2] == 10):
                    pos = found + 1
                    break
                scan = found + 1
            yield _record(from_line, headers, name, start, base + pos - start, at_file_start)
            at_file_start = False


def _record(from_line: bytes, block: bytes, name: str, offset: int, size: int, at_file_start: bool
            ) -> MailMessage | Rejected | Skipped:
    """The record for one candidate message of file `name`: its From_ line, its raw header block,
    where it starts and how many bytes it takes (From_ line, headers, body and attachments)."""
    origin = f"{name}@{offset}"
    if b"\r" in block:
        block = block.replace(b"\r\n", b"\n")
    lines = b"\n" + block
    fields: dict[bytes, list[str]] = {}
    for name, raw in _FIELD.findall(lines):
        key = name.lower()
        if key in fields:
            fields[key].append(_unfold(raw))
        else:
            fields[key] = [_unfold(raw)]
    if not fields:
        if at_file_start or _ENVELOPE.match(from_line):
            return rejected(origin, 'no message headers after the "From " line', from_line + b"\n" + block)
        return Skipped(origin, BODY_FROM_LINE)
    try:
        return _message(fields, lines, block, from_line, origin, size)
    except Exception as error:  # noqa: BLE001 - one unreadable message must not stop a whole mailbox
        return rejected(origin, f"cannot read the headers ({type(error).__name__}: {error})", block)


def _unfold(raw: bytes) -> str:
    """A raw header value as one line of text."""
    value = decode_text(raw)
    return value.replace("\n", "") if "\n" in value else value


def _message(fields: dict[bytes, list[str]], lines: bytes, block: bytes, from_line: bytes,
             origin: str, size: int) -> MailMessage:
    get = fields.get
    date = get(b"date")
    sent_at = parse_date(date[0]) if date else None
    if sent_at is None:
        received = _RECEIVED.search(lines)
        sent_at = received_date(_unfold(received.group(1))) if received else None
    takeout = _TAKEOUT_ID.match(from_line)
    senders = header_addresses(get(b"from"))
    references = get(b"references")
    labels = get(b"x-gmail-labels")
    return MailMessage(
        message_id=first_message_id(get(b"message-id")),
        header_hash=hashlib.sha256(block).hexdigest(),
        gmail_id=takeout.group(1).decode() if takeout else None,
        thread_id=header_text(get(b"x-gm-thrid")) or None,
        in_reply_to=first_message_id(get(b"in-reply-to")),
        references=message_ids(references[0]) if references else [],
        sent_at=sent_at,
        from_addr=senders[0] if senders else None,
        reply_to=header_addresses(get(b"reply-to")),
        to=header_addresses(get(b"to")),
        cc=header_addresses(get(b"cc")),
        bcc=header_addresses(get(b"bcc")),
        subject=header_text(get(b"subject")),
        labels=_labels(labels) if labels else [],
        list_id=header_text(get(b"list-id")) or None,
        has_list_unsubscribe=b"list-unsubscribe" in fields,
        precedence=(header_text(get(b"precedence")) or "").lower() or None,
        auto_submitted=(header_text(get(b"auto-submitted")) or "").lower() or None,
        size_bytes=size,
        origin=origin,
    )


def _labels(values: list[str]) -> list[str]:
    """Gmail labels: the value is decoded first (Takeout encodes the whole value as one run of
    encoded-words), then split at commas outside double quotes (a label with a comma is quoted)."""
    labels = []
    for value in values:
        for quoted, plain in _LABEL.findall(decode_words(value)):
            label = (quoted or plain).strip()
            if label:
                labels.append(label)
    return labels



