"""connectors.linkedin: a LinkedIn data export (zip or folder) read into records.

The fixtures under tests/fixtures/linkedin/ reproduce the byte-level shape of real exports
(docs/formats.md section 1) with made-up people. Naive times are read in Europe/Berlin.
"""
import csv
import datetime as dt
import shutil
import struct
import zipfile
from pathlib import Path
from textwrap import dedent
from zoneinfo import ZoneInfo

import pytest

from connectors import SourceError
from connectors.linkedin import read_export
from connectors.records import LinkedInConnection, LinkedInInvitation, LinkedInMessage, Rejected, Skipped

FIXTURES = Path(__file__).parent / "fixtures" / "linkedin"
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.timezone.utc
ME = "https://www.linkedin.com/in/alex-morgan-7f3e21"

PREAMBLE = (
    'Notes:\n"When exporting your connection data, you may notice that some of the email '
    "addresses are missing. You will only see email addresses for connections who have allowed "
    "their connections to see or download their email address using this setting "
    "https://www.linkedin.com/psettings/privacy/email. You can learn more here "
    'https://www.linkedin.com/help/linkedin/answer/261"\n\n'
)
MESSAGES_12 = ("CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
               "DATE,SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT,IS CONVERSATION DRAFT\n")

KWAME_CSV = ("First Name,Last Name,Email Address,Company,Position,Connected On\n"
             "Kwame,Mensah,,,,17 Nov 2021\n")
KWAME = LinkedInConnection(first_name="Kwame", last_name="Mensah", profile_url=None, email=None,
                           company=None, position=None, connected_on=dt.date(2021, 11, 17),
                           origin="Connections.csv:2")

# Records with every field at its empty value: expected records state only what they hold.
CONNECTION = LinkedInConnection(first_name="", last_name="", profile_url=None, email=None,
                                company=None, position=None, connected_on=None, origin="")
MESSAGE = LinkedInMessage(conversation_id=None, conversation_title=None, sender_name=None,
                          sender_url=None, recipient_names=None, recipient_urls=[], sent_at=None,
                          subject=None, folder=None, direction=None, is_draft=False, origin="")
INVITATION = LinkedInInvitation(sender_name=None, recipient_name=None, sent_at=None, direction="",
                                has_message=False, inviter_url=None, invitee_url=None, origin="")


def connection(**fields):
    return CONNECTION._replace(**fields)


def message(**fields):
    return MESSAGE._replace(**fields)


def invitation(**fields):
    return INVITATION._replace(**fields)


def read(path, progress=None):
    return list(read_export(path, tz=BERLIN, progress=progress))


def read_fixture(tmp_path, fixture):
    """Read one fixture file alone, as the only file of an export folder."""
    shutil.copy(FIXTURES / fixture, tmp_path)
    return read(tmp_path)


def export(folder, files):
    """`folder` as an export holding these files: {name: text or bytes}."""
    for name, content in files.items():
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    return folder


def zip_folder(folder, zip_path, prefix=""):
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, prefix + file.name)
    return zip_path


def source_error(path):
    with pytest.raises(SourceError) as raised:
        read(path)
    return str(raised.value)


# --- Connections.csv ---------------------------------------------------------------------------

def test_connections_2018_layout_has_no_preamble_and_us_dates(tmp_path):
    assert read_fixture(tmp_path, "export_2018/Connections.csv") == [
        connection(first_name="Priya", last_name="Raman", email="priya.raman@example.com",
                   company="Northwind Traders", position="Supply Chain Analyst",
                   connected_on=dt.date(2018, 10, 2), origin="Connections.csv:2"),
        connection(first_name="Tomasz", last_name="Wójcik", email="t.wojcik@example.org",
                   company="Contoso Ltd", position="Director, Platform Engineering",
                   connected_on=dt.date(2018, 3, 14), origin="Connections.csv:3"),
        # "urn:li:member:512340987" in the Email Address column is not an address.
        connection(first_name="Lena", last_name="Okafor", company="Fabrikam", position="Recruiter",
                   connected_on=dt.date(2018, 1, 8), origin="Connections.csv:4"),
    ]


def test_connections_2021_22_layout_has_a_preamble_and_no_url(tmp_path):
    assert read_fixture(tmp_path, "export_2022/Connections.csv") == [
        connection(first_name="Mateus", last_name="Silva", company="Adventure Works",
                   position="Data Engineer", connected_on=dt.date(2022, 9, 9),
                   origin="Connections.csv:5"),
        connection(connected_on=dt.date(2022, 8, 14), origin="Connections.csv:6"),
        connection(first_name="Hannah", last_name="Schulz", email="hannah.schulz@example.de",
                   company="Tailspin Toys", position="Head of Sales, DACH",
                   connected_on=dt.date(2022, 3, 2), origin="Connections.csv:7"),
        connection(first_name="Kwame", last_name="Mensah", connected_on=dt.date(2021, 11, 17),
                   origin="Connections.csv:8"),
    ]


def test_connections_2024_layout_has_a_preamble_and_profile_urls(tmp_path):
    assert read_fixture(tmp_path, "export_2024/Connections.csv") == [
        connection(first_name="Bernadette", last_name="Okoye-Lindqvist",
                   profile_url="https://www.linkedin.com/in/bernadette-okoye-lindqvist",
                   company="Northwind Traders", position="Deputy Director, Futures and Concepts",
                   connected_on=dt.date(2024, 12, 16), origin="Connections.csv:5"),
        connection(first_name="Rafael", last_name="Quintero",
                   profile_url="https://www.linkedin.com/in/rafaelquintero",
                   email="rafael.quintero@example.com",
                   company='University of Campania "Luigi Vanvitelli"', position="Research Fellow",
                   connected_on=dt.date(2024, 12, 3), origin="Connections.csv:6"),
        connection(connected_on=dt.date(2024, 9, 14), origin="Connections.csv:7"),
        connection(first_name="Yusuf", last_name="Demir, Ph.D.",
                   profile_url="https://www.linkedin.com/in/yusuf-demir-phd", company="Contoso Ltd",
                   connected_on=dt.date(2024, 9, 2), origin="Connections.csv:8"),
        connection(first_name="Li", last_name="Wei (CSAA, IFQ)",
                   profile_url="https://www.linkedin.com/in/li-wei-csaa", company="Fabrikam",
                   position="Internal Auditor", connected_on=dt.date(2024, 7, 30),
                   origin="Connections.csv:9"),
        connection(first_name="𝓩𝓮𝓷", last_name="Kato",
                   profile_url="https://www.linkedin.com/in/%F0%9D%93%A9%F0%9D%93%AE%F0%9D%93%B7-kato",
                   connected_on=dt.date(2024, 1, 21), origin="Connections.csv:10"),
        connection(first_name=".", last_name=".",
                   profile_url="https://www.linkedin.com/in/ACoAAB1x2y3z",
                   connected_on=dt.date(2024, 1, 5), origin="Connections.csv:11"),
    ]


def test_blank_member_rows_are_kept_with_empty_names(tmp_path):
    folder = export(tmp_path, {"Connections.csv": PREAMBLE + dedent("""\
        First Name,Last Name,URL,Email Address,Company,Position,Connected On
        ,,,,,,14 Sep 2024
        ,,,,,,02 Sep 2024
        """)})
    assert read(folder) == [
        connection(connected_on=dt.date(2024, 9, 14), origin="Connections.csv:5"),
        connection(connected_on=dt.date(2024, 9, 2), origin="Connections.csv:6"),
    ]


def test_names_keep_quoted_commas_and_doubled_quotes_and_lose_outer_spaces(tmp_path):
    folder = export(tmp_path, {"Connections.csv": PREAMBLE + dedent('''\
        First Name,Last Name,URL,Email Address,Company,Position,Connected On
        Omar,"Saleh, Certified Executive Coach ",https://www.linkedin.com/in/omarsaleh,,,,01 Feb 2025
        "Anna ""Annie""", Berg ,https://www.linkedin.com/in/annaberg,,,,31 Jan 2025
        ''')})
    assert read(folder) == [
        connection(first_name="Omar", last_name="Saleh, Certified Executive Coach",
                   profile_url="https://www.linkedin.com/in/omarsaleh",
                   connected_on=dt.date(2025, 2, 1), origin="Connections.csv:5"),
        connection(first_name='Anna "Annie"', last_name="Berg",
                   profile_url="https://www.linkedin.com/in/annaberg",
                   connected_on=dt.date(2025, 1, 31), origin="Connections.csv:6"),
    ]


def test_excel_resave_with_bom_padded_preamble_and_mangled_dates(tmp_path):
    # Excel on Windows adds a BOM, pads every row to the widest one, writes CRLF and turns
    # "09 Sep 2022" into "9-Sep-22".
    paragraph = PREAMBLE.splitlines()[1]
    folder = export(tmp_path, {"Connections.csv": (
        "\ufeffNotes:,,,,,\r\n" + paragraph + ",,,,,\r\n,,,,,\r\n"
        "First Name,Last Name,Email Address,Company,Position,Connected On\r\n"
        "Mateus,Silva,,Adventure Works,Data Engineer,9-Sep-22\r\n"
        "Hannah,Schulz,,Tailspin Toys,\"Head of Sales, DACH\",2-Mar-22\r\n").encode()})
    assert read(folder) == [
        connection(first_name="Mateus", last_name="Silva", company="Adventure Works",
                   position="Data Engineer", connected_on=dt.date(2022, 9, 9),
                   origin="Connections.csv:5"),
        connection(first_name="Hannah", last_name="Schulz", company="Tailspin Toys",
                   position="Head of Sales, DACH", connected_on=dt.date(2022, 3, 2),
                   origin="Connections.csv:6"),
    ]


def test_slash_dates_from_excel_are_read_only_when_day_and_month_cannot_be_swapped(tmp_path):
    folder = export(tmp_path, {"Connections.csv": dedent("""\
        First Name,Last Name,Email Address,Company,Position,Connected On
        Ana,Day,,,,13/09/2022
        Ben,Month,,,,09/13/2022
        Cem,Same,,,,09/09/2022
        Dov,Either,,,,03/04/2022
        """)})
    assert read(folder) == [
        connection(first_name="Ana", last_name="Day", connected_on=dt.date(2022, 9, 13),
                   origin="Connections.csv:2"),
        connection(first_name="Ben", last_name="Month", connected_on=dt.date(2022, 9, 13),
                   origin="Connections.csv:3"),
        connection(first_name="Cem", last_name="Same", connected_on=dt.date(2022, 9, 9),
                   origin="Connections.csv:4"),
        Rejected("Connections.csv:5",
                 "Connected On '03/04/2022': day/month order is ambiguous (re-saved by Excel?)",
                 "Dov,Either,,,,03/04/2022"),
    ]


def test_a_row_with_a_bad_date_is_rejected_with_its_line_and_the_others_load(tmp_path):
    folder = export(tmp_path, {"Connections.csv": PREAMBLE + dedent("""\
        First Name,Last Name,URL,Email Address,Company,Position,Connected On
        Mateus,Silva,https://www.linkedin.com/in/mateus-silva-4b1a2c,,,,09 Sep 2022
        "Hannah ""Hanni"" B.",Schulz,https://www.linkedin.com/in/hannahschulz,,,,31 Sept 2022
        Kwame,Mensah,https://www.linkedin.com/in/kwame-mensah-accra,,,,30 Feb 2022
        Yusuf,Demir,https://www.linkedin.com/in/yusuf-demir-phd,,,,02 Sep 2022
        """)})
    assert read(folder) == [
        connection(first_name="Mateus", last_name="Silva",
                   profile_url="https://www.linkedin.com/in/mateus-silva-4b1a2c",
                   connected_on=dt.date(2022, 9, 9), origin="Connections.csv:5"),
        Rejected("Connections.csv:6",
                 "Connected On '31 Sept 2022': not a date format of LinkedIn exports",
                 '"Hannah ""Hanni"" B.",Schulz,https://www.linkedin.com/in/hannahschulz,,,,31 Sept 2022'),
        Rejected("Connections.csv:7", "Connected On '30 Feb 2022': day is out of range for month",
                 "Kwame,Mensah,https://www.linkedin.com/in/kwame-mensah-accra,,,,30 Feb 2022"),
        connection(first_name="Yusuf", last_name="Demir",
                   profile_url="https://www.linkedin.com/in/yusuf-demir-phd",
                   connected_on=dt.date(2022, 9, 2), origin="Connections.csv:8"),
    ]


def test_a_connection_without_a_date_is_kept_without_one(tmp_path):
    folder = export(tmp_path, {"Connections.csv": dedent("""\
        First Name,Last Name,Email Address,Company,Position,Connected On
        Mateus,Silva,,,,
        """)})
    assert read(folder) == [connection(first_name="Mateus", last_name="Silva",
                                       origin="Connections.csv:2")]


def test_empty_rows_are_skipped_and_counted(tmp_path):
    folder = export(tmp_path, {"Connections.csv": dedent("""\
        First Name,Last Name,Email Address,Company,Position,Connected On
        Mateus,Silva,,,,09 Sep 2022

        ,,,,,
        """)})
    assert read(folder) == [
        connection(first_name="Mateus", last_name="Silva", connected_on=dt.date(2022, 9, 9),
                   origin="Connections.csv:2"),
        Skipped("Connections.csv:3", "empty row"),
        Skipped("Connections.csv:4", "empty row"),
    ]


# --- messages.csv ------------------------------------------------------------------------------

def test_messages_2018_layout_has_direction_and_local_times(tmp_path):
    assert read_fixture(tmp_path, "export_2018/Messages.csv") == [
        message(sender_name="Alex Morgan", recipient_names="Priya Raman",
                sent_at=dt.datetime(2018, 10, 16, 7, 2, tzinfo=UTC),
                subject="RE: Coffee next week?", folder="SENT", direction="OUTGOING",
                origin="Messages.csv:2"),
        message(sender_name="Priya Raman", recipient_names="Alex Morgan",
                sent_at=dt.datetime(2018, 10, 16, 6, 36, tzinfo=UTC), subject="Coffee next week?",
                folder="INBOX", direction="INCOMING", origin="Messages.csv:3"),
        message(sender_name="Lena Okafor", recipient_names="Alex Morgan",
                sent_at=dt.datetime(2018, 1, 8, 17, 20, tzinfo=UTC), folder="ARCHIVED",
                direction="INCOMING", origin="Messages.csv:4"),
    ]


def test_messages_2019_layout_has_upper_case_columns_and_iso_local_times(tmp_path):
    folder = export(tmp_path, {"messages.csv": dedent("""\
        FROM,TO,DATE,SUBJECT,CONTENT,DIRECTION,FOLDER
        Hannah Schulz,Alex Morgan,2019-11-06T02:08:20,Berlin,Are you around in December?,INCOMING,INBOX
        """)})
    assert read(folder) == [
        message(sender_name="Hannah Schulz", recipient_names="Alex Morgan",
                sent_at=dt.datetime(2019, 11, 6, 1, 8, 20, tzinfo=UTC), subject="Berlin",
                folder="INBOX", direction="INCOMING", origin="messages.csv:2"),
    ]


def test_messages_9_column_layout_2022_has_utc_times(tmp_path):
    first = "2-NzU0ZmE2YjAtOWQ1Yy00ZjBhLWI3MmUtMzE2ZDk0YTgxYzQ2XzAxMA=="
    assert read_fixture(tmp_path, "export_2022/messages.csv") == [
        message(conversation_id=first, sender_name="Alex Morgan", sender_url=ME,
                recipient_names="Mateus Silva",
                sent_at=dt.datetime(2022, 9, 9, 7, 41, 55, tzinfo=UTC),
                folder="INBOX", origin="messages.csv:2"),
        message(conversation_id=first, sender_name="Mateus Silva",
                sender_url="https://www.linkedin.com/in/mateus-silva-4b1a2c",
                recipient_names="Alex Morgan",
                sent_at=dt.datetime(2022, 9, 8, 18, 8, 14, tzinfo=UTC),
                folder="INBOX", origin="messages.csv:3"),
        message(conversation_id="2-OGQ5YjJhMzEtYzJkNC00ZTFmLTk1NWQtNTk4YTAxYmM2ZDc3XzAxMA==",
                conversation_title="Quick question about the Berlin role",
                sender_name="Hannah Schulz", sender_url="https://www.linkedin.com/in/hannahschulz",
                recipient_names="Alex Morgan", sent_at=dt.datetime(2022, 3, 4, 10, 15, tzinfo=UTC),
                subject="Quick question about the Berlin role", folder="ARCHIVE",
                origin="messages.csv:4"),
    ]


def test_messages_12_column_layout_2024_has_recipient_urls_and_draft_flags(tmp_path):
    first = "2-ZTFhMmIzYzQtZDVlNi00Zjc4LTkwYWItY2RlZjAxMjM0NTY3XzAxMA=="
    bernadette = "https://www.linkedin.com/in/bernadette-okoye-lindqvist"
    assert read_fixture(tmp_path, "export_2024/messages.csv") == [
        message(conversation_id=first, sender_name="Alex Morgan", sender_url=ME,
                recipient_names="Bernadette Okoye-Lindqvist", recipient_urls=[bernadette],
                sent_at=dt.datetime(2024, 12, 17, 9, 30, 12, tzinfo=UTC), folder="INBOX",
                origin="messages.csv:2"),
        message(conversation_id=first, sender_name="Bernadette Okoye-Lindqvist",
                sender_url=bernadette, recipient_names="Alex Morgan", recipient_urls=[ME],
                sent_at=dt.datetime(2024, 12, 16, 20, 2, 47, tzinfo=UTC), folder="INBOX",
                origin="messages.csv:3"),
        message(conversation_id="2-MTIzNDU2NzgtOWFiYy00ZGVmLTAxMjMtNDU2Nzg5YWJjZGVmXzAxMA==",
                sender_name="Alex Morgan", sender_url=ME,
                recipient_names="Rafael Quintero, Yusuf Demir, Ph.D.",
                recipient_urls=["https://www.linkedin.com/in/rafaelquintero",
                                "https://www.linkedin.com/in/yusuf-demir-phd"],
                sent_at=dt.datetime(2024, 12, 5, 14, 0, tzinfo=UTC), folder="ARCHIVE",
                origin="messages.csv:4"),
        Skipped("messages.csv:5", "draft message"),
        Skipped("messages.csv:6", "sponsored message"),
        message(conversation_id="2-NWE0YjNjMmQtMWUwZi00YTliLThjN2QtNmU1ZjRhM2IyYzFkXzAxMA==",
                sender_name="LinkedIn Member", recipient_names="Alex Morgan", recipient_urls=[ME],
                sent_at=dt.datetime(2024, 10, 2, 11, 11, 11, tzinfo=UTC), folder="SPAM",
                origin="messages.csv:7"),
    ]


def test_messages_11_column_layout_2026_quotes_every_field_and_spans_lines(tmp_path):
    conversation = "2-YjdlM2MxYTAtNmY0Mi00ZDFkLWE1YzMtOWI4ZTdmNjA1NDMyXzAxMA=="
    kwame = "https://www.linkedin.com/in/kwame-mensah-accra"
    assert read_fixture(tmp_path, "export_2026/messages.csv") == [
        message(conversation_id=conversation, sender_name="Kwame Mensah", sender_url=kwame,
                recipient_names="Alex Morgan", recipient_urls=[ME],
                sent_at=dt.datetime(2026, 4, 6, 16, 35, 35, tzinfo=UTC), folder="INBOX",
                origin="messages.csv:2"),
        # The CONTENT above spans lines 2 to 6.
        message(conversation_id=conversation, sender_name="Alex Morgan", sender_url=ME,
                recipient_names="Kwame Mensah", recipient_urls=[kwame],
                sent_at=dt.datetime(2026, 4, 6, 17, 2, 10, tzinfo=UTC), folder="INBOX",
                origin="messages.csv:7"),
        message(conversation_id="2-MGE5YjhjN2QtNmU1Zi00YTNiLTJjMWQtMGU5ZjhhN2I2YzVkXzAxMA==",
                sender_name="LinkedIn Member", recipient_names="Alex Morgan", recipient_urls=[ME],
                sent_at=dt.datetime(2026, 3, 30, 6, 58, 1, tzinfo=UTC), folder="INBOX",
                origin="messages.csv:8"),
    ]


def test_messages_13_column_layout_has_attachments_and_true_false_draft_flags(tmp_path):
    hannah = "https://www.linkedin.com/in/hannahschulz"
    assert read_fixture(tmp_path, "messages_13_columns/messages.csv") == [
        message(conversation_id="conv-001", sender_name="Hannah Schulz", sender_url=hannah,
                recipient_names="Alex Morgan", recipient_urls=[ME],
                sent_at=dt.datetime(2025, 6, 2, 8, 0, tzinfo=UTC), folder="INBOX",
                origin="messages.csv:2"),
        Skipped("messages.csv:3", "draft message"),
        message(conversation_id="conv-002", sender_name="Mateus Silva",
                sender_url="https://www.linkedin.com/in/mateus-silva-4b1a2c",
                recipient_names="Alex Morgan", recipient_urls=[ME],
                sent_at=dt.datetime(2025, 5, 28, 19, 45, 10, tzinfo=UTC), folder="INBOX",
                origin="messages.csv:4"),
    ]


def test_draft_messages_are_skipped(tmp_path):
    folder = export(tmp_path, {"messages.csv": MESSAGES_12 + dedent(f"""\
        2-AAA=,,Alex Morgan,{ME},Yusuf Demir,,2024-12-06 08:12:40 UTC,,Draft one,,Yes,Yes
        2-BBB=,,Alex Morgan,{ME},Li Wei,,2024-12-07 09:00:00 UTC,,Draft two,,true,false
        """)})
    assert read(folder) == [Skipped("messages.csv:2", "draft message"),
                            Skipped("messages.csv:3", "draft message")]


def test_sponsored_messages_are_skipped(tmp_path):
    folder = export(tmp_path, {"messages.csv": MESSAGES_12 + (
        f"2-CCC=,Sponsored Conversation,Tailspin Toys,,Alex Morgan,{ME},2024-11-20 16:45:00 UTC,,"
        "<p>Hi %FIRSTNAME%</p>,INBOX,No,No\n")})
    assert read(folder) == [Skipped("messages.csv:2", "sponsored message")]


def test_a_linkedin_member_sender_without_url_is_kept(tmp_path):
    folder = export(tmp_path, {"messages.csv": MESSAGES_12 + dedent(f"""\
        2-DDD=,,LinkedIn Member,,Alex Morgan,{ME},2024-10-02 11:11:11 UTC,,Hello,INBOX,No,No
        """)})
    assert read(folder) == [
        message(conversation_id="2-DDD=", sender_name="LinkedIn Member",
                recipient_names="Alex Morgan", recipient_urls=[ME],
                sent_at=dt.datetime(2024, 10, 2, 11, 11, 11, tzinfo=UTC), folder="INBOX",
                origin="messages.csv:2"),
    ]


def test_a_message_with_a_bad_date_is_rejected_without_its_content(tmp_path):
    folder = export(tmp_path, {"messages.csv": MESSAGES_12 + dedent(f"""\
        2-EEE=,,Hannah Schulz,,Alex Morgan,{ME},yesterday,,"Between us, the reorg is on Monday.",INBOX,No,No
        2-EEE=,,Hannah Schulz,,Alex Morgan,{ME},2024-10-02 11:11:11 UTC,,,INBOX,No,No
        """)})
    assert read(folder) == [
        Rejected("messages.csv:2",
                 "DATE 'yesterday': not a date and time format of LinkedIn exports",
                 f"2-EEE=,,Hannah Schulz,,Alex Morgan,{ME},yesterday,,[not stored],INBOX,No,No"),
        message(conversation_id="2-EEE=", sender_name="Hannah Schulz",
                recipient_names="Alex Morgan", recipient_urls=[ME],
                sent_at=dt.datetime(2024, 10, 2, 11, 11, 11, tzinfo=UTC), folder="INBOX",
                origin="messages.csv:3"),
    ]


def test_crlf_line_endings_keep_line_numbers_right(tmp_path):
    folder = export(tmp_path, {"messages.csv": (
        b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,FOLDER\r\n"
        b'2-FFF=,,Kwame Mensah,,Alex Morgan,2022-09-08 18:08:14 UTC,,"Line one\r\nLine two",INBOX\r\n'
        b"2-FFF=,,Alex Morgan,,Kwame Mensah,2022-09-08 19:00:00 UTC,,Thanks,INBOX\r\n")})
    assert read(folder) == [
        message(conversation_id="2-FFF=", sender_name="Kwame Mensah", recipient_names="Alex Morgan",
                sent_at=dt.datetime(2022, 9, 8, 18, 8, 14, tzinfo=UTC), folder="INBOX",
                origin="messages.csv:2"),
        message(conversation_id="2-FFF=", sender_name="Alex Morgan", recipient_names="Kwame Mensah",
                sent_at=dt.datetime(2022, 9, 8, 19, 0, tzinfo=UTC), folder="INBOX",
                origin="messages.csv:4"),
    ]


def test_a_placeholder_or_empty_file_yields_nothing(tmp_path):
    folder = export(tmp_path, {"Connections.csv": KWAME_CSV,
                               "messages.csv": "No conversations found\n", "Invitations.csv": b""})
    assert read(folder) == [KWAME]


# --- Invitations.csv ---------------------------------------------------------------------------

def test_invitations_5_column_layout_has_local_times(tmp_path):
    assert read_fixture(tmp_path, "export_2018/Invitations.csv") == [
        invitation(sender_name="Alex Morgan", recipient_name="Jonas Berg",
                   sent_at=dt.datetime(2018, 9, 30, 17, 12, tzinfo=UTC), direction="OUTGOING",
                   origin="Invitations.csv:2"),
        invitation(sender_name="Dana Whitfield, MBA", recipient_name="Alex Morgan",
                   sent_at=dt.datetime(2018, 9, 28, 8, 3, tzinfo=UTC), direction="INCOMING",
                   has_message=True, origin="Invitations.csv:3"),
    ]


def test_invitations_7_column_layout_has_profile_urls(tmp_path):
    bernadette = "https://www.linkedin.com/in/bernadette-okoye-lindqvist"
    assert read_fixture(tmp_path, "export_2024/Invitations.csv") == [
        invitation(sender_name="Alex Morgan", recipient_name="Bernadette Okoye-Lindqvist",
                   sent_at=dt.datetime(2024, 12, 15, 6, 47, tzinfo=UTC), direction="OUTGOING",
                   has_message=True, inviter_url=ME, invitee_url=bernadette,
                   origin="Invitations.csv:2"),
        invitation(sender_name="Marisol Ortega, MBA, CFA", recipient_name="Alex Morgan",
                   sent_at=dt.datetime(2024, 11, 3, 22, 20, tzinfo=UTC), direction="INCOMING",
                   inviter_url="https://www.linkedin.com/in/marisol-ortega-cfa", invitee_url=ME,
                   origin="Invitations.csv:3"),
    ]


def test_invitation_time_may_have_a_narrow_no_break_space_before_pm(tmp_path):
    folder = export(tmp_path, {"Invitations.csv": dedent("""\
        From,To,Sent At,Message,Direction
        Li Wei,Alex Morgan,"7/30/24, 12:05\u202fPM",,INCOMING
        """)})
    assert read(folder) == [
        invitation(sender_name="Li Wei", recipient_name="Alex Morgan",
                   sent_at=dt.datetime(2024, 7, 30, 10, 5, tzinfo=UTC), direction="INCOMING",
                   origin="Invitations.csv:2"),
    ]


def test_twelve_am_is_just_after_midnight(tmp_path):
    folder = export(tmp_path, {"Invitations.csv": dedent("""\
        From,To,Sent At,Message,Direction
        Alex Morgan,Li Wei,"1/1/25, 12:10 AM",,OUTGOING
        """)})
    assert read(folder) == [
        invitation(sender_name="Alex Morgan", recipient_name="Li Wei",
                   sent_at=dt.datetime(2024, 12, 31, 23, 10, tzinfo=UTC), direction="OUTGOING",
                   origin="Invitations.csv:2"),
    ]


def test_an_invitation_with_a_bad_time_or_direction_is_rejected_without_its_note(tmp_path):
    folder = export(tmp_path, {"Invitations.csv": dedent("""\
        From,To,Sent At,Message,Direction
        Li Wei,Alex Morgan,"7/30/24, 13:05 PM","Hi Alex, let's connect",INCOMING
        Li Wei,Alex Morgan,"7/30/24, 1:05 PM","Hi Alex, let's connect",PENDING
        """)})
    assert read(folder) == [
        Rejected("Invitations.csv:2",
                 "Sent At '7/30/24, 13:05 PM': hour out of range for a 12-hour clock",
                 'Li Wei,Alex Morgan,"7/30/24, 13:05 PM",[not stored],INCOMING'),
        Rejected("Invitations.csv:3", "Direction 'PENDING': expected INCOMING or OUTGOING",
                 'Li Wei,Alex Morgan,"7/30/24, 1:05 PM",[not stored],PENDING'),
    ]


# --- the export as a whole ---------------------------------------------------------------------

def test_records_come_as_connections_then_messages_then_invitations_in_file_order():
    assert [(type(r).__name__, r.location if isinstance(r, Skipped) else r.origin)
            for r in read(FIXTURES / "export_2024")] == [
        ("LinkedInConnection", f"Connections.csv:{line}") for line in range(5, 12)] + [
        ("LinkedInMessage", "messages.csv:2"), ("LinkedInMessage", "messages.csv:3"),
        ("LinkedInMessage", "messages.csv:4"), ("Skipped", "messages.csv:5"),
        ("Skipped", "messages.csv:6"), ("LinkedInMessage", "messages.csv:7"),
        ("LinkedInInvitation", "Invitations.csv:2"), ("LinkedInInvitation", "Invitations.csv:3"),
    ]


def test_ai_chat_files_are_not_read_as_messages(tmp_path):
    chat = (FIXTURES / "export_2024" / "coach_messages.csv").read_text()
    folder = export(tmp_path, {"Connections.csv": KWAME_CSV, "coach_messages.csv": chat,
                               "guide_messages.csv": chat, "learning_coach_messages.csv": chat})
    assert read(folder) == [KWAME]


def test_the_zip_and_its_unzipped_folder_give_identical_records(tmp_path):
    folder = FIXTURES / "export_2024"
    archive = zip_folder(folder, tmp_path / "Complete_LinkedInDataExport_12-20-2024.zip")
    assert read(archive) == read(folder)


def test_files_in_a_subfolder_of_the_zip_are_found(tmp_path):
    folder = FIXTURES / "export_2022"
    archive = zip_folder(folder, tmp_path / "Basic_LinkedInDataExport_09-12-2022.zip",
                         prefix="Basic_LinkedInDataExport_09-12-2022/")
    assert read(archive) == read(folder)


def test_file_names_match_whatever_their_case(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(FIXTURES / "export_2018" / "Messages.csv", "MESSAGES.CSV")
        zipped.write(FIXTURES / "export_2018" / "Invitations.csv", "invitations.csv")
    assert [r.origin for r in read(archive)] == [
        "MESSAGES.CSV:2", "MESSAGES.CSV:3", "MESSAGES.CSV:4",
        "invitations.csv:2", "invitations.csv:3",
    ]


def test_the_shallowest_copy_of_a_file_is_read(tmp_path):
    (tmp_path / "Complete_LinkedInDataExport_09-12-2022").mkdir()
    shutil.copy(FIXTURES / "export_2022" / "Connections.csv",
                tmp_path / "Complete_LinkedInDataExport_09-12-2022")
    export(tmp_path, {"Connections.csv": dedent("""\
        First Name,Last Name,Email Address,Company,Position,Connected On
        Kwame,Mensah,,,,17-Nov-21
        """)})
    assert read(tmp_path) == [KWAME]


def test_progress_reports_each_file_size_in_a_folder():
    folder = FIXTURES / "export_2024"
    reported = []
    read(folder, progress=reported.append)
    assert reported == [(folder / name).stat().st_size
                        for name in ("Connections.csv", "messages.csv", "Invitations.csv")]


def test_progress_reports_each_compressed_size_in_a_zip(tmp_path):
    archive = zip_folder(FIXTURES / "export_2024", tmp_path / "export.zip")
    reported = []
    read(archive, progress=reported.append)
    with zipfile.ZipFile(archive) as zipped:
        assert reported == [zipped.getinfo(name).compress_size
                            for name in ("Connections.csv", "messages.csv", "Invitations.csv")]


def test_message_text_and_invitation_notes_never_reach_a_record(tmp_path):
    bad_rows = export(tmp_path, {"messages.csv": MESSAGES_12 + dedent(f"""\
        2-GGG=,,Hannah Schulz,,Alex Morgan,{ME},soon,,"Between us, the reorg is on Monday.",INBOX,No,No
        """), "Invitations.csv": dedent("""\
        From,To,Sent At,Message,Direction
        Li Wei,Alex Morgan,someday,"Hi Alex, I found you through the reorg thread",INCOMING
        """)})
    folders = [*sorted(p for p in FIXTURES.iterdir() if p.is_dir()), bad_rows]
    private = set()
    for file in (file for folder in folders for file in folder.iterdir()):
        if file.name.lower() in ("messages.csv", "invitations.csv"):
            with file.open(newline="", encoding="utf-8") as text:
                private.update(value for row in csv.DictReader(text)
                               for column, value in row.items()
                               if column.lower() in ("content", "message") and value)
    records = [record for folder in folders for record in read(folder)]
    # Guard against a vacuous pass: there is private text, and rows rejected with their raw input.
    assert len(private) == 22 and sum(isinstance(r, Rejected) for r in records) == 2
    values = [str(value) for record in records for value in record]
    assert [(text, value) for text in private for value in values if text in value] == []


# --- inputs that cannot be read at all ---------------------------------------------------------

def test_a_missing_path_is_a_source_error(tmp_path):
    path = tmp_path / "Complete_LinkedInDataExport_11-20-2026.zip"
    assert source_error(path) == f"{path}: no such file or folder"


def test_a_pdf_renamed_to_zip_is_a_source_error(tmp_path):
    path = tmp_path / "Complete_LinkedInDataExport_11-20-2026.zip"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    assert source_error(path) == (f"{path}: not a zip file (expected the LinkedIn export .zip as "
                                  "downloaded, or its unzipped folder)")


def test_a_truncated_zip_is_a_source_error(tmp_path):
    archive = zip_folder(FIXTURES / "export_2024", tmp_path / "export.zip")
    archive.write_bytes(archive.read_bytes()[:1500])  # of 2,928 bytes: a download cut short
    assert source_error(archive) == (
        f"{archive}: the zip file is damaged or incomplete (download the export again)")


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_zip_with_a_damaged_file_is_a_source_error(tmp_path, compression):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", compression) as zipped:
        zipped.write(FIXTURES / "export_2024" / "messages.csv", "messages.csv")
        info = zipped.getinfo("messages.csv")
    # Flip one byte in the middle of the file's data: the zip's directory stays intact.
    data = bytearray(archive.read_bytes())
    header = info.header_offset
    name_length, extra_length = struct.unpack("<HH", data[header + 26:header + 30])
    data[header + 30 + name_length + extra_length + info.compress_size // 2] ^= 0xFF
    archive.write_bytes(data)
    assert source_error(archive) == (
        f"{archive}: the zip file is damaged or incomplete (download the export again)")


def test_another_csv_named_connections_is_a_source_error(tmp_path):
    folder = export(tmp_path, {"Connections.csv": dedent("""\
        First Name,Middle Name,Last Name,Phonetic First Name,E-mail 1 - Value,Organization Name
        Kwame,,Mensah,,kwame@example.com,Fabrikam
        """)})
    assert source_error(folder) == ("Connections.csv: no header row with the columns First Name, "
                                    "Last Name, Connected On in the first 20 lines "
                                    "(is this a LinkedIn export?)")


def test_a_header_is_not_searched_for_past_line_20(tmp_path):
    folder = export(tmp_path, {"Connections.csv": "Notes:\n" * 20 + dedent("""\
        First Name,Last Name,Email Address,Company,Position,Connected On
        Kwame,Mensah,,,,17 Nov 2021
        """)})
    assert source_error(folder) == ("Connections.csv: no header row with the columns First Name, "
                                    "Last Name, Connected On in the first 20 lines "
                                    "(is this a LinkedIn export?)")


def test_a_csv_broken_beyond_reading_is_a_source_error_naming_the_line(tmp_path):
    # An unclosed quote swallows the rest of the file into one field, past csv's field limit.
    folder = export(tmp_path, {"Invitations.csv": "From,To,Sent At,Message,Direction\n"
                                                  'Li Wei,Alex Morgan,"7/30/24, 1:05 PM","Hi'
                                                  + " and more" * 20_000})
    assert source_error(folder) == ("Invitations.csv:2: not readable as CSV "
                                    "(field larger than field limit (131072))")


def test_a_file_that_is_not_utf8_is_a_source_error(tmp_path):
    folder = export(tmp_path, {"Connections.csv": (
        "First Name,Last Name,Email Address,Company,Position,Connected On\r\n"
        "Søren,Jørgensen,,,,01 Feb 2025\r\n").encode("cp1252")})
    assert source_error(folder) == ('Connections.csv: not UTF-8 text (download the export again, '
                                    'or save it from Excel as "CSV UTF-8")')


def test_an_empty_folder_is_a_source_error(tmp_path):
    assert source_error(tmp_path) == (f"{tmp_path}: no Connections.csv, messages.csv or "
                                      "Invitations.csv found (is this a LinkedIn data export?)")


def test_a_zip_without_the_export_files_is_a_source_error(tmp_path):
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("Profile.csv", "First Name,Last Name\nAlex,Morgan\n")
    assert source_error(archive) == (f"{archive}: no Connections.csv, messages.csv or "
                                     "Invitations.csv found (is this a LinkedIn data export?)")
