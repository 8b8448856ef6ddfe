"""People: one person per human across LinkedIn, e-mail and calendar; the owner and automated
mail told apart; the user's overrides kept. Each test feeds real-shaped exports through the CLI."""
import re
import zipfile
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import duckdb
import pytest

from tests.conftest import snapshot

pytestmark = pytest.mark.slow  # each test loads an owner's export through the CLI

OWNER = ("Jane Doe", "jane@acme.com")
CONFIG = """[owner]
name = "Jane Doe"
emails = ["jane@acme.com", "jane.doe@gmail.com"]
timezone = "Europe/Berlin"
"""
CONNECTIONS_HEADER = ("Notes:\n\"When exporting your connection data, you may notice that some of the email "
                      "addresses are missing.\"\n\n"
                      "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n")


class Export:
    """Builds a small owner's export: mail, calendar, LinkedIn, then loads it with `tiekeeper ingest`."""

    def __init__(self, folder: Path, cli):
        self.folder, self.cli = folder, cli
        self.messages: list[str] = []
        self.events: list[str] = []
        self.connections: list[str] = []
        self.linkedin_messages: list[str] = []
        self.invitations: list[str] = []
        self.when = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)
        (folder / "tiekeeper.toml").write_text(CONFIG)

    def mail(self, sender: str, to: str, cc: str = "", labels: str = "Inbox", extra: str = "") -> "Export":
        self.when += timedelta(hours=3)
        n = len(self.messages)
        self.messages.append(
            f"From {1700000000000000 + n}@xxx Tue Mar 11 01:31:25 +0000 2025\nX-GM-THRID: {1700000000000000 + n}\n"
            f"X-Gmail-Labels: {labels}\nMessage-ID: <m{n}@example.com>\nDate: {format_datetime(self.when)}\n"
            f"From: {sender}\nTo: {to}\n" + (f"Cc: {cc}\n" if cc else "") + extra + f"Subject: note {n}\n\nHi\n\n")
        return self

    def meeting(self, *attendees: tuple[str, str]) -> "Export":
        self.when += timedelta(hours=3)
        n = len(self.events)
        lines = [f"ATTENDEE;CN={name};PARTSTAT=ACCEPTED:mailto:{email}" for name, email in attendees]
        self.events.append(
            f"BEGIN:VEVENT\r\nUID:e{n}@google.com\r\nDTSTART:{self.when:%Y%m%dT%H%M%SZ}\r\n"
            f"DTEND:{self.when + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\nDTSTAMP:20260101T000000Z\r\n"
            f"ORGANIZER;CN=Jane Doe:mailto:jane@acme.com\r\n" + "\r\n".join(lines)
            + "\r\nSUMMARY:Meeting\r\nEND:VEVENT\r\n")
        return self

    def connection(self, first: str, last: str, url: str, company: str, email: str = "") -> "Export":
        self.connections.append(f"{first},{last},{url},{email},{company},Engineer,16 Dec 2024\n")
        return self

    def linkedin_message(self, sender: str, url: str) -> "Export":
        self.linkedin_messages.append(
            f"2-abc{len(self.linkedin_messages)}==,,{sender},{url},Jane Doe,https://www.linkedin.com/in/janedoe,"
            f"2026-08-01 10:00:00 UTC,,Hello,INBOX,No,No\n")
        return self

    def invitation(self, direction: str, other: str, other_url: str) -> "Export":
        me, my_url = "Jane Doe", "https://www.linkedin.com/in/janedoe"
        parties = (me, other, my_url, other_url) if direction == "OUTGOING" else (other, me, other_url, my_url)
        self.invitations.append(f'{parties[0]},{parties[1]},"12/15/24, 7:47 AM",,{direction},'
                                f'{parties[2]},{parties[3]}\n')
        return self

    def load(self, db: Path) -> list[str]:
        """Writes the files and ingests each kind that has content; returns the CLI output lines."""
        out = []
        if self.messages:
            (self.folder / "mail.mbox").write_text("".join(self.messages))
            out += self._ingest(db, "mbox", self.folder / "mail.mbox")
        if self.events:
            (self.folder / "cal.ics").write_text(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + "".join(self.events) + "END:VCALENDAR\r\n", newline="")
            out += self._ingest(db, "ics", self.folder / "cal.ics")
        if self.connections or self.linkedin_messages or self.invitations:
            export = self.folder / "Complete_LinkedInDataExport_11-20-2026.zip"
            with zipfile.ZipFile(export, "w") as z:
                z.writestr("Connections.csv", CONNECTIONS_HEADER + "".join(self.connections))
                z.writestr("messages.csv", "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,"
                           "RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT,IS CONVERSATION DRAFT\n"
                           + "".join(self.linkedin_messages))
                z.writestr("Invitations.csv", "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"
                           + "".join(self.invitations))
            out += self._ingest(db, "linkedin", export)
        return out

    def _ingest(self, db: Path, source: str, path: Path) -> list[str]:
        result = self.cli("--db", db, "--config", self.folder / "tiekeeper.toml", "ingest", source, path)
        assert result.code == 0, result.err
        return result.out.splitlines()


@pytest.fixture
def export(cli, tmp_path):
    return Export(tmp_path, cli)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "t.duckdb"


def people(db: Path) -> list[tuple[str, list[str]]]:
    """(full name, sorted identity keys) of every person, sorted."""
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted((name, sorted(keys)) for name, keys in con.execute(
            "select full_name, identity_keys from people").fetchall())


def roles(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select identity_key, role from identities").fetchall())


def test_bob_and_robert_at_the_same_company_across_sources_are_one_person(export, db):
    export.mail("Bob Smith <rsmith@acme.io>", "jane@acme.com").mail("jane@acme.com", "Bob Smith <rsmith@acme.io>")
    export.meeting(("Robert Smith", "robert.smith@acme.io"), ("Jane Doe", "jane@acme.com"))
    export.connection("Robert J.", "Smith", "https://www.linkedin.com/in/rsmith-acme", "Acme Inc.")
    export.linkedin_message("Robert Smith", "https://www.linkedin.com/in/rsmith-acme")
    export.load(db)
    assert people(db) == [("Robert J. Smith", ["email:robert.smith@acme.io", "email:rsmith@acme.io",
                                                "linkedin:rsmith-acme"])]


def test_two_john_smiths_at_different_companies_stay_two_people(export, db):
    export.mail("John Smith <john.smith@acme.io>", "jane@acme.com")
    export.mail("John Smith <john.smith@globex.com>", "jane@acme.com")
    export.connection("John", "Smith", "https://www.linkedin.com/in/john-smith-1", "Acme")
    export.connection("John", "Smith", "https://www.linkedin.com/in/john-smith-2", "Globex Corporation")
    export.load(db)
    assert people(db) == [("John Smith", ["email:john.smith@acme.io", "linkedin:john-smith-1"]),
                          ("John Smith", ["email:john.smith@globex.com", "linkedin:john-smith-2"])]


def test_one_address_written_many_ways_is_one_identity(export, db):
    export.mail("Ann Lee <Ann.Lee+news@GMail.com>", "jane@acme.com")
    export.mail("Ann Lee <annlee@googlemail.com>", "jane@acme.com")
    export.mail("jane@acme.com", "ANN.LEE@gmail.com")
    export.load(db)
    assert people(db) == [("Ann Lee", ["email:annlee@gmail.com"])]


def test_a_shared_name_alone_does_not_merge_different_people(export, db):
    export.mail("Maria Garcia <maria@alpha.es>", "jane@acme.com")
    export.mail("Maria Garcia <mgarcia@beta.mx>", "jane@acme.com")
    export.connection("Maria", "Garcia", "https://www.linkedin.com/in/maria-garcia-1", "Gamma SL")
    export.connection("Maria", "Garcia", "https://www.linkedin.com/in/maria-garcia-2", "Delta SA")
    export.load(db)
    assert len(people(db)) == 4


def test_the_owner_and_the_aliases_the_data_proves_are_never_people(export, db):
    export.mail("Jane Doe <jane@acme.com>", "Ann Lee <ann@lee.org>", labels="Sent")
    export.mail("Jane Doe <JaneD@Old-Employer.com>", "Ann Lee <ann@lee.org>", labels="Sent")  # an alias
    export.mail("Jane Doe <jane.doe@gmail.com>", "jane@acme.com", labels="Sent,Inbox")  # only between herself
    export.invitation("OUTGOING", "Ann Lee", "https://www.linkedin.com/in/annlee")
    export.load(db)
    assert people(db) == [("Ann Lee", ["email:ann@lee.org", "linkedin:annlee"])]
    assert {k: v for k, v in roles(db).items() if v == "owner"} == {
        "email:jane@acme.com": "owner", "email:janedoe@gmail.com": "owner", "email:janed@old-employer.com": "owner",
        "linkedin:janedoe": "owner"}


def test_automated_mail_is_not_people_but_is_counted_by_reason(export, db):
    export.mail("Weekly Digest <digest@news.example>", "jane@acme.com", extra="List-Unsubscribe: <mailto:u@x>\n")
    export.mail("GitHub <noreply@github.com>", "jane@acme.com")
    export.mail("MAILER-DAEMON <mailer-daemon@googlemail.com>", "jane@acme.com")
    export.mail("Shop <deals@shop.example>", "jane@acme.com", extra="Precedence: bulk\n")
    export.mail("Away <ann@lee.org>", "jane@acme.com", extra="Auto-Submitted: auto-replied\n")
    export.mail("Ann Lee <ann@lee.org>", "jane@acme.com")
    export.load(db)
    assert people(db) == [("Ann Lee", ["email:ann@lee.org"])]
    with duckdb.connect(str(db), read_only=True) as con:
        assert sorted(con.execute("select reason, messages from automated_mail").fetchall()) == [
            ("automated sender", 2), ("automatic reply (Auto-Submitted)", 1),
            ("bulk mail (List-Unsubscribe)", 1), ("bulk mail (Precedence: bulk)", 1)]


def test_a_person_who_once_wrote_through_a_mailing_list_stays_a_person(export, db):
    export.mail("Ann Lee <ann@lee.org>", "team@lists.example", extra="List-Id: <team.lists.example>\n")
    export.mail("Ann Lee <ann@lee.org>", "jane@acme.com")
    export.mail("List Bot <bot@lists.example>", "jane@acme.com", extra="List-Id: <team.lists.example>\n")
    export.load(db)
    assert roles(db)["email:ann@lee.org"] == "person"
    assert roles(db)["email:bot@lists.example"] == "automated"


def test_a_distribution_list_that_never_writes_is_not_a_person(export, db):
    export.mail("Ann Lee <ann@acme.com>", "Engineering <engineering@acme.com>", cc="jane@acme.com")
    export.load(db)
    assert roles(db)["email:engineering@acme.com"] == "automated"
    assert people(db) == [("Ann Lee", ["email:ann@acme.com"])]


def test_person_ids_are_stable_across_rebuilds_and_unrelated_new_data(export, db, cli, tmp_path):
    export.mail("Ann Lee <ann@lee.org>", "jane@acme.com")
    export.connection("Ann", "Lee", "https://www.linkedin.com/in/al", "Lee")
    export.load(db)

    def ids():
        return sorted(duckdb.connect(str(db), read_only=True).execute("select person_id from people").fetchall())

    before = ids()
    assert cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "people", "build").code == 0
    assert ids() == before
    export.mail("Bo Ek <bo@ek.se>", "jane@acme.com").load(db)
    assert set(before) < set(ids())


def write_overrides(folder: Path, text: str) -> None:
    (folder / "people.toml").write_text(text)


def test_overrides_merge_split_ignore_and_pin_survive_rebuilds(export, db, cli, tmp_path):
    export.mail("Ann Lee <ann@lee.org>", "jane@acme.com").mail("A. L. <al.private@proton.me>", "jane@acme.com")
    export.mail("Bo Ek <bo@ek.se>", "jane@acme.com").mail("Bo Ek <bo.ek@gmail.com>", "jane@acme.com")
    export.mail("Sales <sales@vendor.com>", "jane@acme.com")
    export.load(db)
    assert ("Bo Ek", ["email:bo@ek.se", "email:boek@gmail.com"]) in people(db)
    write_overrides(tmp_path, """
[[merge]]
identities = ["ann@lee.org", "al.private@proton.me"]

[[split]]
identities = ["bo@ek.se", "bo.ek@gmail.com"]

[[ignore]]
identity = "sales@vendor.com"

[[close]]
identity = "Ann@Lee.org"
""")
    expected = [("Ann Lee", ["email:al.private@proton.me", "email:ann@lee.org"]),
                ("Bo Ek", ["email:bo@ek.se"]), ("Bo Ek", ["email:boek@gmail.com"])]
    assert cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "people", "build").code == 0
    assert people(db) == expected
    export.mail("Cy Po <cy@po.com>", "jane@acme.com").load(db)  # the build after an ingest applies them too
    assert people(db) == expected + [("Cy Po", ["email:cy@po.com"])]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select full_name from people where is_pinned_close").fetchall() == [("Ann Lee",)]
    assert roles(db)["email:sales@vendor.com"] == "ignored"


def test_a_broken_overrides_file_is_one_line_and_changes_nothing(export, db, cli, tmp_path):
    export.mail("Ann Lee <ann@lee.org>", "jane@acme.com").load(db)
    before = snapshot(db)
    write_overrides(tmp_path, '[[merge]]\nidentities = ["ann@lee.org", "not an address"]\n')
    result = cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "people", "build")
    assert result.code == 1 and result.err.count("\n") == 1
    assert "people.toml: 'not an address' is not an e-mail address" in result.err
    assert snapshot(db) == before


def test_suggestions_show_their_evidence_and_accepting_one_merges_for_good(export, db, cli, tmp_path):
    export.mail("Tim Parker <tparker71@gmail.com>", "jane@acme.com")
    export.connection("Timothy", "Parker", "https://www.linkedin.com/in/timothy-parker", "Zephyr Studio")
    export.connection("Timothy", "Parker", "https://www.linkedin.com/in/timothy-parker-2", "Other Co")
    export.load(db)
    config = ("--db", db, "--config", tmp_path / "tiekeeper.toml")
    suggested = cli(*config, "people", "suggest")
    assert suggested.code == 0
    first = suggested.out.splitlines()[0]
    match_id = first.split()[0]
    assert "nickname" in suggested.out and "email:tparker71@gmail.com" in suggested.out
    assert "held back: fits 2 different people as well" in suggested.out
    assert "uncertain matches, the strongest first" not in suggested.out  # all of them are shown
    one = cli(*config, "people", "suggest", "--limit", "1")
    assert one.out.count("probability") == 1 and "1 of 2 uncertain matches, the strongest first" in one.out
    match = duckdb.connect(str(db), read_only=True).execute(
        "select left_key, right_key from identity_matches where match_id = ?", [match_id]).fetchall()[0]
    accepted = cli(*config, "people", "accept", match_id)
    assert accepted.code == 0, accepted.err
    assert "[[merge]]" in (tmp_path / "people.toml").read_text()
    assert sorted(match) in [keys for _, keys in people(db)]
    assert cli(*config, "people", "accept", "m_nope").err.startswith("tiekeeper: no match m_nope")


def test_two_people_are_suggested_once_by_their_strongest_pair(export, db, cli, tmp_path):
    # a personal address may be either Timothy Parker's; the one at Zephyr also writes from Zephyr
    export.mail("Timothy Parker <tparker71@gmail.com>", "jane@acme.com")
    export.mail("Timothy Parker <timothy.parker@zephyr.studio>", "jane@acme.com")
    export.connection("Timothy", "Parker", "https://www.linkedin.com/in/timothy-parker", "Zephyr Studio")
    export.connection("Timothy", "Parker", "https://www.linkedin.com/in/timothy-parker-2", "Other Co")
    export.load(db)
    assert ("Timothy Parker", ["email:timothy.parker@zephyr.studio", "linkedin:timothy-parker"]) in people(db)
    with duckdb.connect(str(db), read_only=True) as con:
        pairs = con.execute("select count(*) from identity_matches where decision like 'suggested%' "
                            "and (left_key = 'email:tparker71@gmail.com' or right_key = 'email:tparker71@gmail.com')"
                            ).fetchall()[0][0]
    suggested = cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "people", "suggest").out
    assert pairs == 3 and sum(line.startswith("m_") for line in suggested.splitlines()) == 2  # one per Timothy
    assert suggested.count("linkedin:timothy-parker ") + suggested.count("email:timothy.parker@zephyr.studio") == 1
    built = cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "people", "build")
    assert "2 uncertain matches to review" in built.out + built.err


def test_show_prints_a_person_with_every_identity_and_why(export, db, cli, tmp_path):
    export.mail("Bob Smith <rsmith@acme.io>", "jane@acme.com")
    export.connection("Robert", "Smith", "https://www.linkedin.com/in/rsmith-acme", "Acme Inc.")
    export.load(db)
    shown = cli("--db", db, "people", "show", "smith")
    assert shown.code == 0
    assert shown.out.startswith("Robert Smith  (p_")
    assert "email:rsmith@acme.io" in shown.out and "linkedin:rsmith-acme" in shown.out
    assert re.search(r"nickname \(that someone else here has it: about 1 in [\d,]+\); the address is at the company's "
                     r"domain \(with email:rsmith@acme.io\) \(probability 1.00\)", shown.out)
    assert cli("--db", db, "people", "show", "nobody").code == 1


def test_every_ingest_ends_by_resolving_people(export, db):
    lines = export.mail("Ann Lee <ann@lee.org>", "jane@acme.com").load(db)
    assert lines == [lines[0]] and "; people: 1 from 2 identities, 0 uncertain matches" in lines[0]


def test_two_namesakes_on_one_message_are_two_people(export, db):
    export.mail("Florian Richter <florian.richter@acme.com>", "jane@acme.com, Florian Richter <frichter@globex.com>")
    export.mail("Florian Richter <frichter@globex.com>", "jane@acme.com")
    export.mail("Florian Richter <florian.richter@gmail.com>", "jane@acme.com")
    export.load(db)
    assert [keys for _, keys in people(db)] != [sorted(["email:florian.richter@acme.com", "email:frichter@globex.com",
                                                        "email:florianrichter@gmail.com"])]
    assert not any({"email:florian.richter@acme.com", "email:frichter@globex.com"} <= set(keys)
                   for _, keys in people(db))


def test_one_name_at_two_companies_needs_a_link_and_an_address_book_card_is_one(export, db, cli, tmp_path):
    export.mail("Elif Smith <elif.smith@contoso.com>", "jane@acme.com")
    export.mail("jane@acme.com", "Elif Smith <elif.smith@fabrikam.com>")
    export.load(db)
    assert people(db) == [("Elif Smith", ["email:elif.smith@contoso.com"]),
                          ("Elif Smith", ["email:elif.smith@fabrikam.com"])]
    (tmp_path / "elif.vcf").write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Elif Smith\r\nN:Smith;Elif;;;\r\n"
                                       "EMAIL;TYPE=INTERNET:elif.smith@contoso.com\r\n"
                                       "EMAIL;TYPE=INTERNET:elif.smith@fabrikam.com\r\nEND:VCARD\r\n", newline="")
    assert cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "ingest", "contacts",
               tmp_path / "elif.vcf").code == 0
    assert people(db) == [("Elif Smith", ["email:elif.smith@contoso.com", "email:elif.smith@fabrikam.com"])]
    shown = cli("--db", db, "people", "show", "elif")
    assert "listed together on one address-book card (with email:elif.smith@contoso.com)" in shown.out


def test_a_rare_name_at_the_company_linkedin_shows_is_one_person_once_the_old_address_went_quiet(export, db, cli):
    export.mail("Elif Smith <elif.smith@contoso.com>", "jane@acme.com")
    export.connection("Elif", "Smith", "https://www.linkedin.com/in/elifsmith", "Fabrikam")
    export.when += timedelta(days=30)
    export.mail("Bob Stone <bob@initrode.com>", "jane@acme.com")
    export.load(db)
    # her Contoso address wrote a month ago: LinkedIn's Fabrikam may be a namesake's
    assert ["email:elif.smith@contoso.com"] in [keys for _, keys in people(db)]
    export.when += timedelta(days=90)
    export.mail("Bob Stone <bob@initrode.com>", "jane@acme.com")
    export.load(db)
    # four months of mail since, none from it: she left Contoso for Fabrikam
    assert ["email:elif.smith@contoso.com", "linkedin:elifsmith"] in [keys for _, keys in people(db)]
    assert "the address stopped writing in September 2026" in cli("--db", db, "people", "show", "elif").out


def test_a_rare_names_address_that_took_over_from_the_other_is_a_job_change_one_used_between_is_not(export, db,
                                                                                                      cli):
    export.mail("Mehmet Yilmaz <mehmet.yilmaz@initech.com>", "jane@acme.com")
    export.mail("Ngozi Okafor <ngozi.okafor@contoso.com>", "jane@acme.com")
    export.when += timedelta(days=20)
    export.mail("Ngozi Okafor <ngozi.okafor@contoso.com>", "jane@acme.com")
    export.when += timedelta(days=10)
    export.mail("Ngozi Okafor <ngozi.okafor@fabrikam.com>", "jane@acme.com")
    export.mail("Mehmet Yilmaz <mehmet.yilmaz@globex.com>", "jane@acme.com")  # once, while Initech's writes
    export.when += timedelta(days=40)
    export.mail("Ngozi Okafor <ngozi.okafor@fabrikam.com>", "jane@acme.com")
    export.mail("Mehmet Yilmaz <mehmet.yilmaz@initech.com>", "jane@acme.com")
    export.load(db)
    found = people(db)
    # Contoso stopped and Fabrikam started: she changed jobs
    assert ("Ngozi Okafor", ["email:ngozi.okafor@contoso.com", "email:ngozi.okafor@fabrikam.com"]) in found
    assert "one address stopped when the other started" in cli("--db", db, "people", "show", "ngozi").out
    # Initech's address wrote before and after Globex's: Globex's did not take over from it
    assert ("Mehmet Yilmaz", ["email:mehmet.yilmaz@globex.com"]) in found
    assert ("Mehmet Yilmaz", ["email:mehmet.yilmaz@initech.com"]) in found


# names that the census tables and the network make rare (none of them shared by chance)
RARE_NAMES = [("Zaid", "Haddad"), ("Oluwaseun", "Adeyemi"), ("Thandiwe", "Mokoena"), ("Keanu", "Kahale"),
              ("Saoirse", "Ni Bhriain"), ("Tadeusz", "Wroblewski"), ("Ikaika", "Makoa"), ("Nkechi", "Eze"),
              ("Bolat", "Nurlanov"), ("Sione", "Tupou")]


@pytest.mark.parametrize("namesakes_abound", [False, True])
def test_where_profiles_share_rare_names_again_and_again_a_rare_names_job_change_needs_a_link(
        export, db, cli, namesakes_abound):
    # Ten rare names on LinkedIn; in one network four of them are borne by two profiles each (two
    # people: LinkedIn lists one profile per person), far more than chance would give such names
    for n, (first, last) in enumerate(RARE_NAMES):
        export.connection(first, last, f"https://www.linkedin.com/in/{first.lower()}-{n}", "Northwind")
        if namesakes_abound and n < 4:
            export.connection(first, last, f"https://www.linkedin.com/in/{first.lower()}-{n}-b", "Contoso")
    export.mail("Ngozi Okafor <ngozi.okafor@initech.com>", "jane@acme.com")
    export.when += timedelta(days=30)
    export.mail("Ngozi Okafor <ngozi.okafor@globex.com>", "jane@acme.com")
    export.when += timedelta(days=40)
    export.mail("Ngozi Okafor <ngozi.okafor@globex.com>", "jane@acme.com")
    export.load(db)
    addresses = ["email:ngozi.okafor@globex.com", "email:ngozi.okafor@initech.com"]
    if not namesakes_abound:  # a rare name: the address that took over from the other is hers
        assert ("Ngozi Okafor", addresses) in people(db)
        return
    # here a rare name may well be a namesake's: the pair waits for the user, and says why
    assert ("Ngozi Okafor", addresses[:1]) in people(db) and ("Ngozi Okafor", addresses[1:]) in people(db)
    suggested = cli("--db", db, "people", "suggest").out
    assert re.search(r"same name \(that someone else here has it: about 1 in \d, as your LinkedIn shows namesakes "
                     r"even for rare names\); work addresses at two companies; one address stopped when the other "
                     r"started", suggested)


@pytest.mark.parametrize("most_hold_both", [True, False])
def test_a_name_that_only_a_profile_and_an_address_bear_is_one_persons_where_people_here_hold_both(
        export, db, cli, most_hold_both):
    # Namesakes abound (four of ten rare names are borne by two profiles each). Where the others hold
    # a profile and an address each, a profile and a personal address that alone bear a name are
    # one person's; where people here hold one or the other, they may as well be two namesakes'.
    for n, (first, last) in enumerate(RARE_NAMES):
        export.connection(first, last, f"https://www.linkedin.com/in/{first.lower()}-{n}", "Northwind")
        if n < 4:
            export.connection(first, last, f"https://www.linkedin.com/in/{first.lower()}-{n}-b", "Contoso")
        elif most_hold_both:
            export.mail(f"{first} {last} <{first.lower()}.{last.lower().replace(' ', '')}@northwind.com>",
                        "jane@acme.com")
        else:
            export.mail(f"Tomasz Nowicki{n} <tnowicki{n}@fabrikam.com>", "jane@acme.com")
    export.mail("Ngozi Okafor <ngozi.okafor77@gmail.com>", "jane@acme.com")
    export.connection("Ngozi", "Okafor", "https://www.linkedin.com/in/ngozi-okafor", "Globex")
    export.load(db)
    both = ["email:ngoziokafor77@gmail.com", "linkedin:ngozi-okafor"]  # (Gmail ignores the dots)
    if most_hold_both:
        assert ("Ngozi Okafor", both) in people(db)
        # in words: the namesakes the name's group expects, and what the group makes of it
        assert re.search(r"same name \(that someone else here has it: about 1 in \d+, as your LinkedIn shows "
                         r"namesakes even for rare names\); the name's 2 identities here are most likely one "
                         r"person's; one is a personal address", cli("--db", db, "people", "show", "Ngozi").out)
        return
    assert ("Ngozi Okafor", both[:1]) in people(db) and ("Ngozi Okafor", both[1:]) in people(db)
    assert "email:ngoziokafor77@gmail.com" in cli("--db", db, "people", "suggest").out


def test_two_accounts_of_one_name_at_one_provider_are_two_people(export, db):
    """A provider gives a name once: minjunkim73@ is how a namesake of minjunkim@ got an account."""
    export.mail("Minjun Kim <minjunkim@gmail.com>", "jane@acme.com")
    export.mail("Minjun Kim <minjunkim73@gmail.com>", "jane@acme.com")
    export.mail("Minjun Kim <minjun.kim@outlook.com>", "jane@acme.com")
    export.load(db)
    with duckdb.connect(str(db), read_only=True) as con:
        decisions = dict(con.execute("select left_key || ' ' || right_key, decision from identity_matches").fetchall())
    assert decisions["email:minjunkim73@gmail.com email:minjunkim@gmail.com"] == (
        "kept apart: two addresses of the name at one domain, told apart by a number")
    # the third address is one of the two Minjun Kims, and nothing says which: the user decides
    assert len([name for name, _ in people(db) if name == "Minjun Kim"]) == 3
    for other in ("email:minjunkim73@gmail.com", "email:minjunkim@gmail.com"):
        assert decisions[f"email:minjun.kim@outlook.com {other}"].startswith("suggested")


def test_an_address_book_card_naming_the_company_does_not_make_another_namesakes_profile_fit(export, db, cli,
                                                                                            tmp_path):
    export.mail("John Smith <john.smith@sjp-legal.co.uk>", "jane@acme.com")
    export.mail("John Smith <john.smith@blue-ventures.com.br>", "jane@acme.com")
    export.connection("John", "Smith", "https://www.linkedin.com/in/johnsmith", "SJP Legal")
    export.connection("John", "Smith", "https://www.linkedin.com/in/john-smith-2", "Blue Ventures")
    export.load(db)
    (tmp_path / "john.vcf").write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:John Smith\r\nN:Smith;John;;;\r\n"
                                       "ORG:SJP Legal\r\nEMAIL:john.smith@sjp-legal.co.uk\r\nEND:VCARD\r\n", newline="")
    assert cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "ingest", "contacts",
               tmp_path / "john.vcf").code == 0
    # the card puts the address at SJP Legal, as its domain does: the Blue Ventures profile still does not fit it
    assert ["email:john.smith@sjp-legal.co.uk", "linkedin:johnsmith"] in [keys for _, keys in people(db)]
    assert ["email:john.smith@blue-ventures.com.br", "linkedin:john-smith-2"] in [keys for _, keys in people(db)]


def test_a_card_naming_the_old_employer_does_not_keep_the_new_work_address_from_its_profile(export, db, cli,
                                                                                            tmp_path):
    export.mail("Joseph Taylor <taylor.joseph@summit-systems.de>", "jane@acme.com")
    export.mail("Joseph Taylor <joseph.taylor@summithealth.in>", "jane@acme.com")
    export.connection("Joseph", "Taylor", "https://www.linkedin.com/in/joseph-taylor", "Summit Health")
    (tmp_path / "joseph.vcf").write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Joseph Taylor\r\nN:Taylor;Joseph;;;\r\n"
                                         "ORG:Summit Systems\r\nEMAIL:taylor.joseph@summit-systems.de\r\n"
                                         "EMAIL:joseph.taylor@summithealth.in\r\nEND:VCARD\r\n", newline="")
    export.load(db)
    assert cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "ingest", "contacts",
               tmp_path / "joseph.vcf").code == 0
    # the card's Summit Systems put both of his addresses there, as two namesakes at one company
    assert people(db) == [("Joseph Taylor", ["email:joseph.taylor@summithealth.in",
                                             "email:taylor.joseph@summit-systems.de", "linkedin:joseph-taylor"])]


def test_addresses_without_a_display_name_are_matched_by_the_name_they_spell(export, db):
    export.mail("drew.fossum@enron.com", "jane@acme.com")  # no display name at all: the name is in the address
    export.connection("Drew", "Fossum", "https://www.linkedin.com/in/drewfossum", "Enron")
    export.mail("jane@acme.com", "rebecca@adventure-works.com")  # a first-name-only work address
    export.connection("Rebecca", "Lopez", "https://www.linkedin.com/in/rebecca-lopez-7", "Adventure Works")
    export.mail("jane@acme.com", "lopez@gdi.edu")  # a surname-only work address
    export.connection("Ana", "López", "https://www.linkedin.com/in/ana-lopez-gdi", "GDI")
    export.load(db)
    assert people(db) == [("Ana López", ["email:lopez@gdi.edu", "linkedin:ana-lopez-gdi"]),
                          ("Drew Fossum", ["email:drew.fossum@enron.com", "linkedin:drewfossum"]),
                          ("Rebecca Lopez", ["email:rebecca@adventure-works.com", "linkedin:rebecca-lopez-7"])]


def test_names_as_mail_programs_decorate_them_match_across_sources(export, db):
    export.mail("Priya Raman | Contoso <priya.raman@contoso.com>", "jane@acme.com")
    export.connection("Priya", "Raman (She/Her)", "https://www.linkedin.com/in/priya-raman-c", "Contoso")
    export.mail("jane@acme.com", '"Fossum, Drew (ENA Legal)" <drew.fossum@enron.com>')
    export.connection("Drew", "Fossum", "https://www.linkedin.com/in/drewfossum", "Enron")
    export.mail("Kay Mann/Corp/Enron <kay.mann@enron.com>", "jane@acme.com")  # a Lotus Notes name
    export.connection("Kay", "Mann", "https://www.linkedin.com/in/kaymann", "Enron")
    export.load(db)
    assert people(db) == [("Drew Fossum", ["email:drew.fossum@enron.com", "linkedin:drewfossum"]),
                          ("Kay Mann", ["email:kay.mann@enron.com", "linkedin:kaymann"]),
                          ("Priya Raman (She/Her)", ["email:priya.raman@contoso.com", "linkedin:priya-raman-c"])]


def test_names_of_three_words_match_the_addresses_that_join_them(export, db):
    export.mail("thihoa.le@lotus-tech.vn", "jane@acme.com")  # a given name of two words, joined
    export.connection("Thị Hoa", "Lê", "https://www.linkedin.com/in/thi-hoa-le", "Lotus Tech")
    export.mail("jan.vanderberg@rivierdata.nl", "jane@acme.com")  # a surname with its particles, joined
    export.connection("Jan", "van der Berg", "https://www.linkedin.com/in/janvanderberg", "Rivier Data")
    export.mail("jose.garcialopez@iberiatech.es", "jane@acme.com")  # two surnames, joined
    export.connection("José", "García López", "https://www.linkedin.com/in/jose-garcia-lopez", "Iberia Tech")
    export.mail("jane@acme.com", "Ana Lee <ana.lee@contoso.com>")  # a namesake's address is not theirs
    export.connection("Ana", "Lee Park", "https://www.linkedin.com/in/ana-lee-park", "Fabrikam")
    export.load(db)
    assert people(db) == [("Ana Lee", ["email:ana.lee@contoso.com"]), ("Ana Lee Park", ["linkedin:ana-lee-park"]),
                          ("Jan van der Berg", ["email:jan.vanderberg@rivierdata.nl", "linkedin:janvanderberg"]),
                          ("José García López", ["email:jose.garcialopez@iberiatech.es", "linkedin:jose-garcia-lopez"]),
                          ("Thị Hoa Lê", ["email:thihoa.le@lotus-tech.vn", "linkedin:thi-hoa-le"])]


def test_a_name_in_another_script_matches_its_transliteration(export, db):
    export.mail("王伟 <wei.wang@fabrikam.cn>", "jane@acme.com")
    export.connection("Wei", "Wang", "https://www.linkedin.com/in/wei-wang-fabrikam", "Fabrikam")
    export.mail("Иван Петров <ivan.petrov@litware.ru>", "jane@acme.com")
    export.connection("Ivan", "Petrov", "https://www.linkedin.com/in/ivanpetrov", "Litware")
    export.load(db)
    assert people(db) == [("Ivan Petrov", ["email:ivan.petrov@litware.ru", "linkedin:ivanpetrov"]),
                          ("Wei Wang", ["email:wei.wang@fabrikam.cn", "linkedin:wei-wang-fabrikam"])]


def test_a_name_in_another_script_that_transliteration_misreads_is_read_from_its_address(export, db):
    # anyascii spells 김민준 "gim min jun" and 佐藤健 "zuo teng jian"; the addresses spell the names
    export.mail("김민준 <minjunkim@gmail.com>", "jane@acme.com")
    export.connection("Minjun", "Kim", "https://www.linkedin.com/in/minjun-kim-3a", "Fabrikam")
    export.mail("佐藤健 <satoken@gmail.com>", "jane@acme.com")
    export.connection("Ken", "Sato", "https://www.linkedin.com/in/ken-sato-7", "Litware")
    export.load(db)
    assert people(db) == [("Ken Sato", ["email:satoken@gmail.com", "linkedin:ken-sato-7"]),
                          ("Minjun Kim", ["email:minjunkim@gmail.com", "linkedin:minjun-kim-3a"])]


def test_a_shared_role_address_is_nobodys_own(export, db, cli, tmp_path):
    export.mail("Nordlicht Sales <sales@nordlicht.de>", "jane@acme.com")
    export.mail("Nordlicht Sales <sales@nordlicht.de>", "jane@acme.com")
    export.mail("Anna Berg <anna.berg@nordlicht.de>", "jane@acme.com")
    export.connection("Anna", "Berg", "https://www.linkedin.com/in/annaberg", "Nordlicht")
    export.load(db)
    assert ("Nordlicht Sales", ["email:sales@nordlicht.de"]) in people(db)


def test_a_personal_address_that_fits_two_namesakes_is_held_back_with_the_reason(export, db, cli, tmp_path):
    export.mail("Susan Bauer <susan.bauer@litware.de>", "jane@acme.com")
    export.mail("Susan Bauer <sbauer@contoso-law.com>", "jane@acme.com")
    export.mail("Susan Bauer <susanbauer71@gmail.com>", "jane@acme.com")
    export.connection("Susan", "Bauer", "https://www.linkedin.com/in/susanbauer", "Litware")
    export.connection("Susan", "Bauer", "https://www.linkedin.com/in/susan-bauer-law", "Contoso Law")
    export.load(db)
    assert ("Susan Bauer", ["email:susanbauer71@gmail.com"]) in people(db)
    suggested = cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "people", "suggest")
    assert "email:susanbauer71@gmail.com" in suggested.out and "others here may have it" in suggested.out
    # one Susan Bauer or the other, as likely: LinkedIn shows two, and each has her work address
    assert "the name's 5 identities here are most likely 2 people's" in suggested.out
    assert "held back: not sure enough (probability 0.50, merged from 0.95)" in suggested.out


def test_a_name_the_census_does_not_list_is_as_common_as_such_names_are_here(export, db, cli, tmp_path):
    # The US census tables know no Elif, Emre, Burak or Ayşe: in a network where such names come
    # again and again, one more of them is not a rare name that a personal address may take alone
    for first, last in [("Elif", "Yilmaz"), ("Elif", "Kaya"), ("Elif", "Demir"), ("Emre", "Yilmaz"),
                        ("Emre", "Kaya"), ("Emre", "Sahin"), ("Burak", "Yilmaz"), ("Burak", "Demir"),
                        ("Burak", "Sahin"), ("Zeynep", "Kaya"), ("Zeynep", "Sahin")]:
        export.mail(f"{first} {last} <{first.lower()}.{last.lower()}@fabrikam.com.tr>", "jane@acme.com")
    export.mail("Ayşe Kaya <aysekaya@gmail.com>", "jane@acme.com")
    export.connection("Ayşe", "Kaya", "https://www.linkedin.com/in/ayse-kaya", "Northwind Traders")
    export.load(db)
    shown = cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "people", "show", "Ayşe Kaya")
    assert shown.code == 0, shown.err
    assert "same name" in shown.out and "a rare name" not in shown.out
    assert re.search(r"that someone else here has it: about 1 in \d+\)", shown.out)


def test_names_are_nicknames_of_each_other_not_through_a_third(export, db):
    # The nickname table has Bill for William and for Robert, and Alex for Alexander and Alexandra:
    # that makes Bill one with each, but neither William and Robert nor Alexander and Alexandra one
    export.mail("Robert Harris <robert.harris@contoso.com>", "jane@acme.com")
    export.mail("Alexandra Berg <alexandra.berg@contoso.com>", "jane@acme.com")
    export.mail("Bob Okafor <bob.okafor@fabrikam.com>", "jane@acme.com")
    export.connection("William", "Harris", "https://www.linkedin.com/in/william-harris", "Contoso")
    export.connection("Alexander", "Berg", "https://www.linkedin.com/in/alexander-berg", "Contoso")
    export.connection("Robert", "Okafor", "https://www.linkedin.com/in/robert-okafor", "Fabrikam")
    export.load(db)
    assert people(db) == [
        ("Alexander Berg", ["linkedin:alexander-berg"]), ("Alexandra Berg", ["email:alexandra.berg@contoso.com"]),
        ("Robert Harris", ["email:robert.harris@contoso.com"]), ("Robert Okafor", [
            "email:bob.okafor@fabrikam.com", "linkedin:robert-okafor"]),
        ("William Harris", ["linkedin:william-harris"])]


def test_a_surname_only_address_where_several_bear_the_surname_is_nobody_in_particular(export, db):
    export.mail("Lea Müller <lea.muller@copper-media.io>", "jane@acme.com")
    export.mail("Jürgen Müller <jurgen.muller@copper-media.io>", "jane@acme.com")
    export.mail("muller@copper-media.io", "jane@acme.com")
    export.connection("Priya", "Müller", "https://www.linkedin.com/in/priya-muller", "Copper Media")
    export.load(db)
    # (it joined all four: a bare address fit each of them, and each of them it)
    assert sorted(keys for _, keys in people(db)) == [
        ["email:jurgen.muller@copper-media.io"], ["email:lea.muller@copper-media.io"],
        ["email:muller@copper-media.io"], ["linkedin:priya-muller"]]


def test_a_matchs_probability_is_the_one_its_score_gives_in_python_and_in_the_database(export, db):
    from pipelines.people import MERGE_PROBABILITY, MERGE_SCORE, SUGGEST_PROBABILITY, SUGGEST_SCORE, probability
    export.mail("Tim Parker <tparker71@gmail.com>", "jane@acme.com").mail("Bob Smith <rsmith@acme.io>", "jane@acme.com")
    export.connection("Timothy", "Parker", "https://www.linkedin.com/in/timothy-parker", "Zephyr Studio")
    export.connection("Robert", "Smith", "https://www.linkedin.com/in/rsmith-acme", "Acme Inc.")
    export.load(db)
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("select score, probability from identity_matches order by match_id").fetchall()
    assert len(stored) >= 2
    assert stored == [(score, probability(score)) for score, _ in stored]
    assert (probability(MERGE_SCORE), probability(SUGGEST_SCORE), probability(float("inf"))) == pytest.approx(
        (MERGE_PROBABILITY, SUGGEST_PROBABILITY, 1.0))


def test_a_build_the_memory_left_cannot_hold_runs_again_with_the_machines_build_limit(export, db, cli, tmp_path,
                                                                                       monkeypatch, caplog):
    from pipelines import people as people_module
    from pipelines import warehouse
    export.mail("Bob Smith <rsmith@acme.io>", "jane@acme.com")
    export.connection("Robert J.", "Smith", "https://www.linkedin.com/in/rsmith-acme", "Acme Inc.")
    export.load(db)
    built = people(db)
    # the process holds far more than the budget: the build starts with the floor, here 1 MiB
    monkeypatch.setattr(warehouse, "STEP_MEMORY_FLOOR", 1024 * 1024)
    monkeypatch.setattr(warehouse, "resident_memory", lambda: 10 * warehouse.RUN_MEMORY_BUDGET)
    caplog.set_level("INFO", logger="tiekeeper.warehouse")
    result = cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "people", "build", "--full")
    assert result.code == 0, result.err
    again = people_module.BUILD_MEMORY_LIMIT
    assert f"people: the 1MiB the run's memory budget left was too little; again with {again}" in caplog.text
    assert people(db) == built


def test_an_address_that_spells_the_name_as_written_elsewhere_outweighs_its_nickname(export, db):
    # Katie is not in the nickname table, but her address spells the name her profile gives
    export.mail("Katie Howard <katherine.howard@outlook.com>", "jane@acme.com")
    export.connection("Katherine", "Howard", "https://www.linkedin.com/in/katherinehoward", "Contoso")
    export.mail("Kim Howard <kim.howard@outlook.com>", "jane@acme.com")  # an address of her own name: not her
    export.load(db)
    assert people(db) == [("Katherine Howard", ["email:katherine.howard@outlook.com", "linkedin:katherinehoward"]),
                          ("Kim Howard", ["email:kim.howard@outlook.com"])]


def test_a_nicknamed_address_that_spells_a_name_two_profiles_bear_is_nobody_in_particular(export, db, cli, tmp_path):
    # richarddavis@ spells Richard Davis, whom two profiles bear: "Rick" makes it no rarer a name
    export.mail("Rick Davis <richarddavis@gmail.com>", "jane@acme.com")
    export.connection("Richard", "Davis", "https://www.linkedin.com/in/richarddavis", "Pixel Finance")
    export.connection("Richard", "Davis", "https://www.linkedin.com/in/richarddavis-736", "Juniper Insights")
    export.load(db)
    assert ("Rick Davis", ["email:richarddavis@gmail.com"]) in people(db)
    suggested = cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "people", "suggest").out
    assert "a rare name" not in suggested
    assert suggested.count("same name (in the address) (a common name: about 1.0 others here may have it)") == 2


def test_a_numbered_address_at_the_company_bears_the_name_it_spells_whatever_name_it_shows(export, db, cli, tmp_path):
    # Brightwave has two James Browns: james.brown@ and james.brown43@, who signs as Jim; the profile
    # at Brightwave is one of the two, and nothing says which
    export.mail("James Brown <james.brown@brightwave.io>", "jane@acme.com")
    export.mail("Jim Brown <james.brown43@brightwave.io>", "jane@acme.com")
    export.connection("James", "Brown", "https://www.linkedin.com/in/james-brown-gz5j38y9", "Brightwave")
    export.load(db)
    assert ("James Brown", ["linkedin:james-brown-gz5j38y9"]) in people(db)
    suggested = cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "people", "suggest").out
    assert suggested.count("(and 1 other of the name at the company); the address is at the company's domain") == 2


def test_two_addresses_of_one_name_at_one_company_are_not_namesakes_of_each_other(export, db, cli, tmp_path):
    # Daniel writes as danny@ and as dnalewajek@ at his studio: the second address is the question, not a
    # namesake already seen there
    for _ in range(2):
        export.mail("Daniel Nalewajek <danny@studiosoeding.de>", "jane@acme.com")
        export.mail("Daniel Nalewajek <dnalewajek@studiosoeding.de>", "jane@acme.com")
        export.when += timedelta(days=30)
    export.load(db)
    assert people(db) == [("Daniel Nalewajek", ["email:danny@studiosoeding.de", "email:dnalewajek@studiosoeding.de"])]
    assert "other of the name at the company" not in cli("--db", db, "people", "show", "nalewajek").out


def test_a_person_goes_by_their_whole_name_though_others_address_them_by_their_first(export, db, cli):
    # Jane's mail program writes "Ramona" in To; Ramona signs her own mail with her whole name, the one
    # her other addresses and her profile are matched by
    for _ in range(3):
        export.mail("jane@acme.com", "Ramona <ramonahafliger@gmx.ch>", labels="Sent")
    export.mail("Ramona Häfliger <ramonahafliger@gmx.ch>", "jane@acme.com")
    for name in ("Brightleaf", "Brightleaf", "Eesha Minhas | Brightleaf"):  # a role address keeps its own name
        export.mail(f"{name} <info@brightleaf.de>", "jane@acme.com")
    export.load(db)
    assert ("Ramona Häfliger", ["email:ramonahafliger@gmx.ch"]) in people(db)
    assert "Brightleaf" in cli("--db", db, "sql",
                               "select display_name from identities where identity_key like '%info@%'").out


def test_a_first_name_alone_that_the_address_goes_on_from_is_the_addresss_name(export, db, cli):
    # Plinio signs with his first name; his address and his profile give the rest
    export.mail("Plinio <plinio.royo@polarline.de>", "jane@acme.com")
    export.connection("Plinio", "Royo Acosta", "https://www.linkedin.com/in/plinio-royo-acosta", "Polarline")
    export.mail("Olaf <olaf@brightwind.de>", "jane@acme.com")  # nothing to go on from: Olaf
    export.load(db)
    assert ("Plinio Royo Acosta", ["email:plinio.royo@polarline.de", "linkedin:plinio-royo-acosta"]) in people(db)
    assert ("Olaf", ["email:olaf@brightwind.de"]) in people(db)


def test_two_numbered_addresses_of_one_name_at_one_company_are_two_people(export, db):
    """An employer gives a name once too: francois31@ is how a second François got an address there.
    (In a network this big, two such addresses at one small company would otherwise be one person.)"""
    letters = "bcdfghjklmnpqrstvwxz"
    for i in range(900):
        given, family = letters[i % 20] + "ane" + letters[i // 20 % 20], "mo" + letters[i // 45 % 20] + letters[i % 19]
        export.mail(f"{given.title()} {family.title()} <{given}.{family}@org{i}.example>", "jane@acme.com")
    export.mail("francois@apexsearch.co.uk", "jane@acme.com")
    export.mail("francois31@apexsearch.co.uk", "jane@acme.com")
    export.load(db)
    with duckdb.connect(str(db), read_only=True) as con:
        decisions = dict(con.execute("select left_key || ' ' || right_key, decision from identity_matches").fetchall())
    assert decisions["email:francois31@apexsearch.co.uk email:francois@apexsearch.co.uk"] == (
        "kept apart: two addresses of the name at one domain, told apart by a number")
    assert ("francois31@apexsearch.co.uk", ["email:francois31@apexsearch.co.uk"]) in people(db)


def test_a_name_shown_without_its_second_surname_is_the_same_name(export, db):
    # José García López writes as José García, as much Spanish and Portuguese mail does
    export.mail("José García <jose.garcia@iberiatech.es>", "jane@acme.com")
    export.connection("José", "García López", "https://www.linkedin.com/in/jose-garcia-lopez", "Iberia Tech")
    export.mail("María García <maria.garcia@iberiatech.es>", "jane@acme.com")  # another García there
    export.load(db)
    assert people(db) == [("José García López", ["email:jose.garcia@iberiatech.es", "linkedin:jose-garcia-lopez"]),
                          ("María García", ["email:maria.garcia@iberiatech.es"])]


def test_one_organisations_domains_are_one_company(export, db, cli):
    # Northsense writes from .com and .de (a subsidiary, a university's department: cs.uni-x.de) for months at once
    for _ in range(2):
        export.mail("Christian McFarland <christianmcfarland@northsense.com>", "jane@acme.com")
        export.mail("Christian McFarland <christianmcfarland@northsense.de>", "jane@acme.com")
        export.mail("Lea Brandt <lea.brandt@cs.uni-x.de>", "jane@acme.com")
        export.mail("Lea Brandt <lea.brandt@uni-x.de>", "jane@acme.com")
        export.when += timedelta(days=120)
    export.connection("Christian", "McFarland", "https://www.linkedin.com/in/christian-mcfarland-34ff27",
                      "Northsense")
    export.load(db)
    assert people(db) == [
        ("Christian McFarland", ["email:christianmcfarland@northsense.com", "email:christianmcfarland@northsense.de",
                                 "linkedin:christian-mcfarland-34ff27"]),
        ("Lea Brandt", ["email:lea.brandt@cs.uni-x.de", "email:lea.brandt@uni-x.de"])]
    assert "both at cs.uni-x.de and uni-x.de" in cli("--db", db, "people", "show", "brandt").out


def test_a_sender_nobody_writes_to_whose_mail_is_all_filed_away_is_automated(export, db, cli, tmp_path):
    for _ in range(3):  # a marketing persona, under Promotions; never written to
        export.mail("Tatiana from CloudVendor <tatiana@mail.cloudvendor.io>", "jane@acme.com",
                    labels="Category Promotions")
        export.mail("Ann Lee <ann@lee.org>", "jane@acme.com", labels="Category Updates")  # Jane answers her
    export.mail("jane@acme.com", "Ann Lee <ann@lee.org>", labels="Sent")
    for _ in range(2):  # twice is not yet a habit
        export.mail("Bo Chen <bo@chen.org>", "jane@acme.com", labels="Category Updates")
    export.load(db)
    # a vendor's card in the address book is no writing to it
    (tmp_path / "vendor.vcf").write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:CloudVendor\r\nORG:CloudVendor\r\n"
                                         "EMAIL:tatiana@mail.cloudvendor.io\r\nEND:VCARD\r\n", newline="")
    assert cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "ingest", "contacts",
               tmp_path / "vendor.vcf").code == 0
    assert roles(db)["email:tatiana@mail.cloudvendor.io"] == "automated"
    assert roles(db)["email:ann@lee.org"] == roles(db)["email:bo@chen.org"] == "person"
    assert "all its mail filed under Updates, Promotions, Social or Forums" in cli(
        "--db", db, "sql", "select evidence from identities where identity_key like '%tatiana%'").out


def test_a_sender_nobody_writes_to_that_writes_as_several_people_is_automated(export, db, cli):
    # a notification service writes as whoever it notifies about; its mail carries no bulk header here
    for name in ("Theresa Heinrich", "Jusuf Stauffer", "Ann Lee", "Ann Lee"):
        export.mail(f"{name} (Jira) <jira@acme.atlassian.net>", "jane@acme.com")
        export.mail(f"{name} <sales@globex.com>", "jane@acme.com")  # a team's address ...
    export.mail("jane@acme.com", "Sales <sales@globex.com>", labels="Sent")  # ... that Jane writes to
    for name in ("Bo Chen", "Chen, Bo", "Bo Chen | Initech", "Bo"):  # one person, written four ways
        export.mail(f"{name} <bo@initech.com>", "jane@acme.com")
    export.load(db)
    assert roles(db)["email:jira@acme.atlassian.net"] == "automated"
    assert roles(db)["email:sales@globex.com"] == roles(db)["email:bo@initech.com"] == "person"
    assert "it writes as several people (a notification service)" in cli(
        "--db", db, "sql", "select evidence from identities where identity_key like '%jira%'").out


def test_a_households_address_is_nobodys_own(export, db):
    export.mail("Paola Luciani <paola.luciani@initech.com>", "jane@acme.com")
    export.mail("Paola & Jennifer Luciani <paolaandjennifer@gmx.de>", "jane@acme.com")
    export.mail("Familie Cuevas <familiecuevas@gmail.com>", "jane@acme.com")
    export.mail("Ana Cuevas <ana.cuevas@globex.com>", "jane@acme.com")
    export.connection("Paola", "Luciani", "https://www.linkedin.com/in/paola-luciani", "Initech")
    export.load(db)
    found = [keys for _, keys in people(db)]
    assert ["email:paola.luciani@initech.com", "linkedin:paola-luciani"] in found
    assert ["email:paolaandjennifer@gmx.de"] in found and ["email:familiecuevas@gmail.com"] in found


def test_a_person_is_shown_by_their_bare_name_and_a_personal_provider_is_no_company(export, db):
    export.mail("Lambert Adolph | Silverloop Energy <lambert.adolph@silverloop.de>", "jane@acme.com")
    export.mail("Matilda Einaudi <matilda.einaudi@libero.it>", "jane@acme.com")  # Italy's Gmail
    export.mail("Dylano <dylano@kpnmail.nl>", "jane@acme.com")
    export.load(db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert sorted(con.execute("select full_name, company from people").fetchall()) == [
            ("Dylano", None), ("Lambert Adolph", "silverloop.de"), ("Matilda Einaudi", None)]


def test_a_company_name_with_umlauts_matches_the_domain_that_spells_them_out(export, db):
    export.mail("Miguel Santos <miguel.santos@hoerlecaspar.de>", "jane@acme.com")
    export.mail("Lena Vogt <lena.vogt@jaekel.de>", "jane@acme.com")
    export.connection("Miguel", "Santos", "https://www.linkedin.com/in/miguel-santos-77", "HÖRLE CASPAR")
    export.connection("Lena", "Vogt", "https://www.linkedin.com/in/lena-vogt-3", "Jäkel GbR")
    export.load(db)
    assert people(db) == [("Lena Vogt", ["email:lena.vogt@jaekel.de", "linkedin:lena-vogt-3"]),
                          ("Miguel Santos", ["email:miguel.santos@hoerlecaspar.de", "linkedin:miguel-santos-77"])]
