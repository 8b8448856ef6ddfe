"""connectors.mbox: mbox files (Google Takeout and others) read from their headers only."""
import datetime as dt
import hashlib
import tracemalloc
from email.utils import getaddresses
from pathlib import Path

import pytest

from connectors import SourceError, mbox
from connectors.mail_headers import _simple_mailboxes
from connectors.mbox import BODY_FROM_LINE, read_mbox
from connectors.records import Address, MailMessage, Rejected, Skipped
from tests.records import mail

FIXTURES = Path(__file__).parent / "fixtures" / "mbox"
UTC = dt.timezone.utc


def write(tmp_path: Path, content: str | bytes, name: str = "test.mbox") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def read(*paths: Path, **kwargs) -> list:
    return list(read_mbox(paths, **kwargs))


def one_message(tmp_path: Path, headers: str) -> MailMessage:
    """The record of a one-message mbox with these header lines."""
    [record] = read(write(tmp_path, f"From x@example.org Mon Mar 10 09:00:00 2025\n{headers}\n\nBody.\n"))
    return record


# --- Google Takeout --------------------------------------------------------------------------

def test_takeout_messages_are_read_whole_from_their_headers():
    assert read(FIXTURES / "takeout.mbox") == [
        mail(message_id="CAJ1xYz4kPq8Rw@mail.gmail.com",
             gmail_id="1823459434534554253",
             thread_id="1823459434534554253",
             sent_at=dt.datetime(2025, 3, 11, 1, 31, 24, tzinfo=UTC),
             from_addr=Address("joerg.mueller@example.org", "Jörg Müller"),
             to=[Address("owner@example.com", "Owner")],
             cc=[Address("jane.doe@example.com", "Doe, Jane")],
             subject="Café on Friday?",
             labels=["Inbox", "Important", "Opened", "Category Personal"],
             origin="takeout.mbox@0"),
        mail(message_id="CAOwner7reply9@mail.gmail.com",
             gmail_id="1823461209881234567",
             thread_id="1823459434534554253",
             in_reply_to="CAJ1xYz4kPq8Rw@mail.gmail.com",
             references=["CAJ0aaa1first@mail.gmail.com", "CAJ1xYz4kPq8Rw@mail.gmail.com"],
             sent_at=dt.datetime(2025, 3, 11, 9, 2, 9, tzinfo=UTC),
             from_addr=Address("owner@example.com", "Owner"),
             to=[Address("joerg.mueller@example.org", "Jörg Müller")],
             subject="Re: Café on Friday?",
             labels=["Sent", "Opened"],
             origin="takeout.mbox@2411"),
        mail(message_id="20250312070002.1a2b3c@acme.example",
             gmail_id="1823470000000000001",
             thread_id="1823470000000000001",
             sent_at=dt.datetime(2025, 3, 12, 7, 0, 2, tzinfo=UTC),
             from_addr=Address("news@acme.example", "Acme Weekly"),
             reply_to=[Address("support@acme.example", "Acme Support")],
             to=[Address("owner@example.com", None)],
             subject="Your weekly digest",
             labels=["Inbox", "Category Updates"],
             list_id="Acme Wochenübersicht <weekly.acme.example>",
             has_list_unsubscribe=True,
             precedence="bulk",
             auto_submitted="auto-generated",
             origin="takeout.mbox@3058"),
    ]


def test_gmail_labels_are_decoded_then_split_outside_quotes():
    # The first value is a real French Takeout shape: the whole value one folded run of encoded-words,
    # with a quoted label that contains commas; the second encodes one label only.
    assert [record.labels for record in read(FIXTURES / "labels.mbox")] == [
        ["Messages archivés", "Ouvert", "Catégorie\xa0: E-mails personnels", "Culture, associations, événements"],
        ["Inbox", "Kunden/Übung", "Opened"],
    ]


# --- addresses -------------------------------------------------------------------------------

def test_encoded_display_names_are_decoded(tmp_path):
    record = one_message(tmp_path, "From: =?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <jorg@example.org>\n"
                                   "To: =?iso-8859-1?q?Ren=E9_Dupont?= <rene@example.fr>, "
                                   "=?utf-8?q?Zo=C3=AB?= =?utf-8?q?_Wang?= <zoe@example.com>")
    assert (record.from_addr, record.to) == (
        Address("jorg@example.org", "Jörg Müller"),
        [Address("rene@example.fr", "René Dupont"), Address("zoe@example.com", "Zoë Wang")])


def test_quoted_name_with_a_comma_is_one_address(tmp_path):
    record = one_message(tmp_path, 'To: "Doe, Jane" <jane@example.com>, "Smith, John" <john@example.com>')
    assert record.to == [Address("jane@example.com", "Doe, Jane"), Address("john@example.com", "Smith, John")]


def test_encoded_name_with_an_encoded_comma_is_split_before_decoding(tmp_path):
    record = one_message(tmp_path, "To: =?utf-8?q?Doe=2C_Jane?= <jane@example.com>, bob@example.com")
    assert record.to == [Address("jane@example.com", "Doe, Jane"), Address("bob@example.com", None)]


def test_legacy_comment_form_keeps_the_name(tmp_path):
    record = one_message(tmp_path, "From: danilo@gnome.org (Danilo =?utf-8?Q?=C5=A0egan?=)")
    assert record.from_addr == Address("danilo@gnome.org", "Danilo Šegan")


def test_groups_give_their_members_and_empty_groups_nothing(tmp_path):
    record = one_message(tmp_path, "To: Project team: ana@example.com, Raj Patel <raj@example.com>;\n"
                                   "Bcc: undisclosed-recipients:;")
    assert (record.to, record.bcc) == (
        [Address("ana@example.com", None), Address("raj@example.com", "Raj Patel")], [])


def test_addresses_are_lower_cased_and_unusable_ones_dropped(tmp_path):
    record = one_message(tmp_path, "To: Jane <Jane.Doe@EXAMPLE.com>, nobody, <@>, Owner <owner@>\n"
                                   "Cc: \nReply-To: ")
    assert (record.to, record.cc, record.reply_to) == ([Address("jane.doe@example.com", "Jane")], [], [])


def test_repeated_address_headers_are_all_read(tmp_path):
    record = one_message(tmp_path, "To: a@example.com\nCc: c@example.com\nTo: b@example.com")
    assert (record.to, record.cc) == ([Address("a@example.com", None), Address("b@example.com", None)],
                                      [Address("c@example.com", None)])


@pytest.mark.parametrize("value", [
    "Jane Doe <jane@example.com>",
    "Jane   Doe<jane@example.com>, bob@example.com,",
    '"Doe, Jane" <jane@example.com>,"O\'Brien, Pat" <pat@example.com>',
    "=?utf-8?q?Doe=2C_Jane?= <jane@example.com>",
    "J. R. R. Tolkien <jrr@example.com>",
    "<anon@example.com>",
])
def test_fast_address_path_reads_lists_as_getaddresses_does(value):
    assert _simple_mailboxes(value) == getaddresses([value])


# --- dates -----------------------------------------------------------------------------------

def test_dates_read_as_utc_falling_back_to_the_topmost_received_header():
    # -0000 ("zone unknown") is read as UTC; an unreadable Date falls back to the first Received.
    assert read(FIXTURES / "dates.mbox") == [
        mail(message_id="zone-unknown@example.org",
             sent_at=dt.datetime(2025, 3, 11, 1, 31, 25, tzinfo=UTC),
             from_addr=Address("jane@example.org", "Jane Doe"),
             to=[Address("owner@example.com", None)],
             subject="A date in -0000",
             origin="dates.mbox@0"),
        mail(message_id="garbage-date@example.net",
             sent_at=dt.datetime(2025, 3, 11, 1, 0, 0, tzinfo=UTC),
             from_addr=Address("mailer@example.net", None),
             to=[Address("owner@example.com", None)],
             subject="A date nobody can read",
             origin="dates.mbox@253"),
        mail(message_id="no-date@example.com",
             from_addr=Address("old@example.com", None),
             to=[Address("owner@example.com", None)],
             subject="No date at all",
             origin="dates.mbox@779"),
    ]


# --- identity --------------------------------------------------------------------------------

def test_message_without_message_id_is_keyed_by_the_hash_of_its_header_lines():
    path = FIXTURES / "no_message_id.mbox"
    header_lines = (path.read_bytes().split(b"\n\n")[0] + b"\n").split(b"\n", 1)[1]  # after the From_ line
    expected = mail(header_hash=hashlib.sha256(header_lines).hexdigest(),
                    sent_at=dt.datetime(2025, 3, 10, 8, 15, tzinfo=UTC),
                    from_addr=Address("printer@example.com", "Office Printer"),
                    to=[Address("owner@example.com", None)],
                    subject="Scan ready",
                    origin="no_message_id.mbox@0")
    assert read(path) == [expected]
    assert read(path)[0].header_hash == "e278506e2c9511fed0401e35382372ac822f919a3cec72ccd2a8d9b6754f7301"


# --- message boundaries ----------------------------------------------------------------------

def test_each_message_knows_its_size_in_bytes_from_its_from_line_to_the_next(tmp_path):
    first = "From a@example.org Mon Mar 10 09:00:00 2025\nSubject: one\n\nShort.\n\n"
    second = ("From b@example.org Mon Mar 10 10:00:00 2025\nSubject: two\n\n"
              + "A longer body, with an attachment.\n" * 1000 + "\n")
    third = "From c@example.org Mon Mar 10 11:00:00 2025\nSubject: three\n\nNo newline at the end"
    records = read(write(tmp_path, first + second + third))
    assert [(r.subject, r.size_bytes) for r in records] == [
        ("one", len(first)), ("two", len(second)), ("three", len(third))]
    assert [r.origin for r in records] == [
        "test.mbox@0", f"test.mbox@{len(first)}", f"test.mbox@{len(first) + len(second)}"]


def test_sizes_hold_across_chunk_boundaries(tmp_path, monkeypatch):
    monkeypatch.setattr(mbox, "CHUNK_SIZE", 64)
    monkeypatch.setattr(mbox, "HEADER_LIMIT", 256)
    messages = [f"From x@example.org Mon Mar 10 09:00:00 2025\nSubject: m{i}\n\n" + "body line\n" * (i * 7) + "\n"
                for i in range(12)]
    records = read(write(tmp_path, "".join(messages)))
    assert [r.size_bytes for r in records] == [len(m) for m in messages]


def test_from_line_after_a_blank_line_without_headers_is_counted_as_body():
    # "From the third session, only this:" follows an empty line but no header follows it.
    assert read(FIXTURES / "unescaped_from.mbox") == [
        mail(message_id="notes-1@example.org",
             sent_at=dt.datetime(2025, 3, 10, 9, 0, tzinfo=UTC),
             from_addr=Address("jane@example.org", "Jane Doe"),
             to=[Address("owner@example.com", None)],
             subject="Notes from the offsite",
             origin="unescaped_from.mbox@0"),
        Skipped("unescaped_from.mbox@228", BODY_FROM_LINE),
        mail(message_id="notes-2@example.com",
             in_reply_to="notes-1@example.org",
             sent_at=dt.datetime(2025, 3, 10, 10, 0, tzinfo=UTC),
             from_addr=Address("owner@example.com", "Owner"),
             to=[Address("jane@example.org", "Jane Doe")],
             subject="Re: Notes from the offsite",
             origin="unescaped_from.mbox@296"),
    ]


def test_from_line_in_a_body_without_a_blank_line_before_is_not_a_boundary(tmp_path):
    content = ("From a@example.org Mon Mar 10 09:00:00 2025\nMessage-ID: <1@example.org>\n\n"
               "My notes.\nFrom the first session: we agreed.\n"
               "From b@example.org Mon Mar 10 09:30:00 2025\nMessage-ID: <not-a-message@example.org>\n\n"
               "From c@example.org Mon Mar 10 10:00:00 2025\nMessage-ID: <2@example.org>\n\nBye.\n")
    assert [(r.message_id, r.origin) for r in read(write(tmp_path, content))] == [
        ("1@example.org", "test.mbox@0"), ("2@example.org", f"test.mbox@{content.index('From c@')}")]


def test_escaped_from_line_is_body(tmp_path):
    content = ("From a@example.org Mon Mar 10 09:00:00 2025\nMessage-ID: <1@example.org>\n\n"
               "Hello.\n\n>From the archive: nothing.\n\n"
               "From b@example.org Mon Mar 10 10:00:00 2025\nMessage-ID: <2@example.org>\n\nBye.\n")
    assert [(r.message_id, r.origin) for r in read(write(tmp_path, content))] == [
        ("1@example.org", "test.mbox@0"), ("2@example.org", f"test.mbox@{content.index('From b@')}")]


def test_unreadable_message_is_rejected_at_its_offset_and_its_neighbours_kept(tmp_path):
    content = (b"From a@example.org Mon Mar 10 09:00:00 2025\nMessage-ID: <1@example.org>\n\nHi.\n\n"
               b"From MAILER-DAEMON Mon Mar 10 09:30:00 2025\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff\xfe\n\n"
               b"From b@example.org Mon Mar 10 10:00:00 2025\nMessage-ID: <2@example.org>\n\nBye.\n")
    assert read(write(tmp_path, content)) == [
        mail(message_id="1@example.org", origin="test.mbox@0"),
        Rejected(f"test.mbox@{content.index(b'From MAILER')}", 'no message headers after the "From " line',
                 "From MAILER-DAEMON Mon Mar 10 09:30:00 2025\n\ufffdPNG\n\x1a\n\x00\x00\x00\rIHDR\x00\ufffd\ufffd\n"),
        mail(message_id="2@example.org", origin=f"test.mbox@{content.index(b'From b@')}"),
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_file_read_on_from_where_it_continues_gives_what_a_whole_read_gives_there(tmp_path, monkeypatch, newline):
    """An mbox that grew is read from where its part loaded before ended (pipelines/ingest.py:
    `grown_from`), but only where a whole read would start a message: then the records from there
    are exactly those of a whole read, sizes, rejects and counted body lines included."""
    monkeypatch.setattr(mbox, "CHUNK_SIZE", 64)
    monkeypatch.setattr(mbox, "HEADER_LIMIT", 256)
    content = ("From a@example.org Mon Mar 10 09:00:00 2025\nMessage-ID: <1@example.org>\n\n"
               "My notes.\nFrom the first session: we agreed.\n\n"
               "From the third session, only this.\n\n"
               "From MAILER-DAEMON Mon Mar 10 09:30:00 2025\n\x01\x02 no headers\n\n"
               "From b@example.org Mon Mar 10 10:00:00 2025\nMessage-ID: <2@example.org>\n\n"
               + "A longer body.\n" * 12 + "\n\n"
               "From c@example.org Mon Mar 10 11:00:00 2025\nMessage-ID: <3@example.org>\n\nNo newline at the end"
               ).replace("\n", newline).encode()
    path = write(tmp_path, content)
    whole = read(path)
    assert [type(r).__name__ for r in whole] == ["MailMessage", "Skipped", "Rejected", "MailMessage", "MailMessage"]

    def offset(record) -> int:
        return int((record.origin if isinstance(record, MailMessage) else record.location).rsplit("@", 1)[1])

    starts = {offset(r) for r in whole}
    continues = [at for at in range(1, len(content) + 1) if mbox.continues_at(path, at)]
    for at in continues:
        assert read(path, starts={path: at}) == [r for r in whole if offset(r) >= at]
    # where every record but the first starts, or the line breaks before it begin (the part loaded
    # before ended on them); nowhere else: not at a "From " line in a body without an empty line
    # before it, nor at the end of the file
    expected = set()
    for start in starts - {0}:
        at = start
        while content[at - 1:at] in (b"\r", b"\n"):
            at -= 1
        expected |= set(range(at, start + 1))
    assert set(continues) == expected


def test_crlf_file_reads_like_the_lf_file(tmp_path):
    # The same records, header hashes included; only the byte offsets and sizes differ.
    lf = FIXTURES / "takeout.mbox"
    content = lf.read_bytes()
    crlf = write(tmp_path, content.replace(b"\n", b"\r\n"), "takeout.mbox")
    expected = []
    for record in read(lf):
        offset = int(record.origin.rpartition("@")[2])
        lines_before = content[:offset].count(b"\n")
        lines_within = content[offset:offset + record.size_bytes].count(b"\n")
        expected.append(record._replace(origin=f"takeout.mbox@{offset + lines_before}",
                                        size_bytes=record.size_bytes + lines_within))
    assert read(crlf) == expected


def test_non_ascii_bytes_in_the_from_line_are_no_problem(tmp_path):
    path = write(tmp_path, "From “Jörg” <jorg@example.org> Tue Mar 11 01:31:25 2025\n".encode("cp1252", "replace")
                 + b"Message-ID: <quotes@example.org>\n\nHallo.\n")
    assert read(path) == [mail(message_id="quotes@example.org", origin="test.mbox@0")]


def test_undeclared_8bit_headers_are_read_as_utf8_or_else_windows_1252(tmp_path):
    path = write(tmp_path, b"From x@example.org Tue Mar 11 01:31:25 2025\n"
                 + "From: René Dupont <rene@example.fr>\n".encode("latin-1")
                 + "Subject: Grüße aus Köln\n".encode() + b"Message-ID: <8bit@example.org>\n\nHallo.\n")
    assert read(path) == [mail(message_id="8bit@example.org",
                               from_addr=Address("rene@example.fr", "René Dupont"),
                               subject="Grüße aus Köln",
                               origin="test.mbox@0")]


def test_separators_straddling_chunk_boundaries_are_found(tmp_path):
    # The second message's blank line and From_ line fall across the end of the first read,
    # at every offset around it.
    read_size = mbox.CHUNK_SIZE + mbox.HEADER_LIMIT
    second = b"From b@example.org Mon Mar 10 10:00:00 2025\nMessage-ID: <2@example.org>\n\nBye.\n"
    for shift in [-40, -9, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1]:
        head = b"From a@example.org Mon Mar 10 09:00:00 2025\nMessage-ID: <1@example.org>\n\n"
        body = (b"x" * 75 + b"\n") * ((read_size + shift - len(head)) // 76)
        body += b"y" * (read_size + shift - len(head) - len(body) - 1) + b"\n\n"
        path = write(tmp_path, head + body + second)
        assert [(r.message_id, r.origin) for r in read(path)] == [
            ("1@example.org", "test.mbox@0"), ("2@example.org", f"test.mbox@{read_size + shift + 1}")], shift


def test_huge_message_is_streamed_in_bounded_memory(tmp_path):
    body = (b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" * 2 + b"\n") * 680_000  # 48 MB of base64
    path = write(tmp_path, b"From a@example.org Mon Mar 10 09:00:00 2025\nMessage-ID: <big@example.org>\n"
                 b"Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n" + body
                 + b"\nFrom b@example.org Mon Mar 10 10:00:00 2025\nMessage-ID: <after@example.org>\n\nBye.\n")
    tracemalloc.start()
    try:
        ids = [r.message_id for r in read(path)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ids == ["big@example.org", "after@example.org"]
    assert peak < mbox.CHUNK_SIZE + mbox.HEADER_LIMIT + 2**20


def test_message_whose_headers_never_end_is_read_and_the_next_one_found(tmp_path):
    # No empty line after the headers: the base64 runs on for twice the limit.
    content = (b"From a@example.org Mon Mar 10 09:00:00 2025\nMessage-ID: <endless@example.org>\n"
               + (b"QUJD" * 19 + b"\n") * (2 * mbox.HEADER_LIMIT // 77) + b"\n"
               + b"From b@example.org Mon Mar 10 10:00:00 2025\nMessage-ID: <next@example.org>\n\nBye.\n")
    assert [(r.message_id, r.origin) for r in read(write(tmp_path, content))] == [
        ("endless@example.org", "test.mbox@0"), ("next@example.org", f"test.mbox@{content.index(b'From b@')}")]


# --- files -----------------------------------------------------------------------------------

def test_files_are_read_in_order_with_progress_in_bytes():
    paths = [FIXTURES / "no_message_id.mbox", FIXTURES / "unescaped_from.mbox"]
    progress = []
    origins = [r.origin if isinstance(r, MailMessage) else r.location
               for r in read(*paths, progress=progress.append)]
    assert origins == ["no_message_id.mbox@0", "unescaped_from.mbox@0", "unescaped_from.mbox@228",
                       "unescaped_from.mbox@296"]
    assert sum(progress) == sum(p.stat().st_size for p in paths)


def test_empty_file_has_no_messages(tmp_path):
    assert read(write(tmp_path, b"")) == []


def test_pdf_is_not_an_mbox(tmp_path):
    path = write(tmp_path, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "x.pdf")
    with pytest.raises(SourceError) as error:
        read(path)
    assert str(error.value) == ('x.pdf: not an mbox file (it does not start with a "From " line; '
                                'export mail as mbox, e.g. from Google Takeout)')


def test_missing_path_is_an_error_and_no_file_is_created(tmp_path):
    path = tmp_path / "All mail.mbox"
    with pytest.raises(SourceError, match=r"All mail\.mbox: no such file"):
        read(path)
    assert not path.exists()


def test_directory_is_an_error(tmp_path):
    with pytest.raises(SourceError, match="is a directory"):
        read(tmp_path)


def test_every_path_is_checked_before_the_first_record(tmp_path):
    records = read_mbox([FIXTURES / "takeout.mbox", tmp_path / "missing.mbox"])
    with pytest.raises(SourceError, match="missing.mbox: no such file"):
        next(records)
