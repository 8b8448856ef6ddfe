"""Address books: vCard files as Apple Contacts, Google Contacts and Outlook write them, Google
Contacts' CSV export; a broken card is rejected with its reason and the rest loads."""
import shutil
from pathlib import Path

import duckdb
import pytest

from connectors import SourceError
from connectors.contacts import read_contacts
from connectors.records import ContactCard, Rejected
from tests.conftest import snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "contacts"


def cards(name: str) -> list:
    return list(read_contacts([FIXTURES / name]))


def test_apple_contacts_card_keeps_names_addresses_phone_and_linkedin_and_skips_the_photo():
    andrew, front_desk, wei = cards("apple_contacts.vcf")
    assert andrew == ContactCard(
        card_key="uid:5C1D9A0E-8B7F-4F2C-9C1E-2F6A1B3C4D5E", full_name="Andrew Schäfer", given_name="Andrew",
        family_name="Schäfer", nickname="Andy", organization="Northwind Traders", title="Account Director",
        emails=["andrew.schaefer@northwind-traders.com", "aschafer@gmail.com"], phones=["+49 170 5550123"],
        linkedin_url="https://www.linkedin.com/in/andrewschaefer", format="vCard 3.0",
        origin="apple_contacts.vcf:1")
    assert (front_desk.full_name, front_desk.organization, front_desk.emails) == (
        "Contoso Front Desk", "Contoso Ltd.", ["frontdesk@contoso.com"])
    assert (wei.full_name, wei.given_name, wei.family_name, wei.origin) == (
        "王伟", "Wei", "Wang", "apple_contacts.vcf:43")


def test_google_vcard_export_unescapes_urls_and_reads_every_address():
    dan, rebecca = cards("google_contacts.vcf")
    assert dan.emails == ["dgirard@proton.me", "daniel.girard@fabrikam.com", "dan.girard@gmail.com"]
    assert (dan.nickname, dan.linkedin_url, dan.card_key.startswith("card:")) == (
        "Dan", "https://www.linkedin.com/in/danielgirard", True)
    assert (rebecca.full_name, rebecca.organization, rebecca.emails) == (
        "Rebecca Lopez", "Adventure Works", ["rebecca@adventure-works.com"])


def test_outlook_vcard_21_reads_quoted_printable_in_the_windows_code_page_with_soft_line_breaks():
    (juergen,) = cards("outlook.vcf")
    assert juergen == ContactCard(
        card_key=juergen.card_key, full_name="Jürgen Müller", given_name="Jürgen", family_name="Müller",
        nickname=None, organization="Contoso Ltd.", title="Einkäufer",
        emails=["juergen.mueller@contoso.com", "jmueller@web.de"], phones=["+49 30 5550100", "+49 171 5550199"],
        linkedin_url=None, format="vCard 2.1", origin="outlook.vcf:1")


def test_vcard_40_reads_uid_and_tel_uris():
    (zoe,) = cards("vcard4.vcf")
    assert (zoe.card_key, zoe.full_name, zoe.emails, zoe.phones, zoe.format) == (
        "uid:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1", "Zoë Müller",
        ["zoe.mueller@litware.de", "zoe.m@posteo.de"], ["+49-151-5550101"], "vCard 4.0")


def test_google_csv_reads_both_layouts_and_values_joined_with_colons():
    andrew, ana, bad = cards("google_contacts.csv")
    assert andrew.emails == ["andrew.schaefer@northwind-traders.com", "aschafer@gmail.com", "andy.schafer@gmail.com"]
    assert (andrew.full_name, andrew.linkedin_url, andrew.format) == (
        "Andrew Schäfer", "https://www.linkedin.com/in/andrewschaefer", "Google Contacts CSV")
    assert (ana.full_name, ana.organization, ana.title, ana.emails) == (
        "Ana López", "GDI", "Professor, Data Science", ["lopez@gdi.edu"])
    assert bad == Rejected("google_contacts.csv:4", "E-mail 'bad-at-example.com' is not an e-mail address",
                           "Bad,,Row,,,,,,,,,,,,,,* myContacts,Work,bad-at-example.com,,,,,,")
    (susan,) = cards("google_contacts_legacy.csv")  # the layout before 2023, with a BOM
    assert (susan.full_name, susan.organization, susan.title, susan.emails) == (
        "Susan Bauer", "Litware", "Counsel", ["susan.bauer71@gmail.com", "sbauer@gmail.com", "susan.bauer@litware.de"])


def test_broken_cards_are_rejected_with_their_reason_and_the_good_ones_kept():
    records = cards("broken.vcf")
    assert [(r.full_name, r.emails) for r in records if isinstance(r, ContactCard)] == [
        ("Susan Bauer", ["susan.bauer@litware.de"]), ("Friedrich Tanaka", ["f.tanaka@gdi.edu"])]
    assert [(r.location, r.reason) for r in records if isinstance(r, Rejected)] == [
        ("broken.vcf:7", "unreadable vCard: At line 5: Failed to parse line: FN Florian Richter"),
        ("broken.vcf:12", "EMAIL 'elif.smith at contoso.com' is not an e-mail address"),
        ("broken.vcf:17", "a card with no name, organisation, e-mail address or phone number"),
        ("broken.vcf:26", "unreadable vCard: At line 7: Component VCARD was never closed"),
    ]


def test_a_rejected_card_keeps_its_text_without_the_photo(tmp_path):
    text = (FIXTURES / "apple_contacts.vcf").read_text().replace("FN:Andrew Schäfer", "FN Andrew Schäfer")
    (tmp_path / "a.vcf").write_text(text, newline="")
    rejected = next(r for r in read_contacts([tmp_path / "a.vcf"]) if isinstance(r, Rejected))
    assert "PHOTO;ENCODING=b;TYPE=JPEG:[photo not stored]" in rejected.raw and "/9j" not in rejected.raw
    assert len(rejected.raw) < 1000


@pytest.mark.parametrize("content", [b"%PDF-1.7\n...", b"Name,Phone\nJane,123\n", b""])
def test_a_file_that_is_not_an_address_book_is_one_clear_error(tmp_path, content):
    path = tmp_path / "contacts.vcf"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=r"contacts.vcf: not an address book \(expected vCard files"):
        list(read_contacts([path]))


# --- through the command line ------------------------------------------------------------------

CONFIG = '[owner]\nname = "Jane Doe"\nemails = ["jane@acme.com"]\ntimezone = "Europe/Berlin"\n'


@pytest.fixture
def books(tmp_path):
    folder = tmp_path / "books"
    shutil.copytree(FIXTURES, folder)
    (tmp_path / "tiekeeper.toml").write_text(CONFIG + '\n[sources]\ncontacts = ["books"]\n')
    return folder


def test_ingest_contacts_loads_a_folder_of_address_books_and_keeps_the_broken_cards(cli, books, tmp_path):
    db = tmp_path / "t.duckdb"
    result = cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "ingest", "contacts")
    assert result.code == 0, result.err
    assert result.out.startswith("contacts: 17 cards from 7 files read: 12 loaded, 0 duplicates, 0 skipped, 5 rejected")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*), count(distinct format) from stg_contacts__cards").fetchall() == [(12, 4)]
        assert con.execute("select location, reason from rejected_records where source = 'contacts' "
                           "order by location").fetchall()[0] == (
            "broken.vcf:12", "EMAIL 'elif.smith at contoso.com' is not an e-mail address")


@pytest.mark.slow
def test_ingesting_the_same_address_books_again_changes_nothing(cli, books, tmp_path):
    db = tmp_path / "t.duckdb"
    args = ("--db", db, "--config", tmp_path / "tiekeeper.toml", "ingest", "contacts")
    assert cli(*args).code == 0
    before = snapshot(db)
    again = cli(*args)
    assert again.code == 0 and "0 files read, 7 unchanged and skipped" in again.out
    (books / "google_contacts.vcf").write_text((books / "google_contacts.vcf").read_text() + "\r\n", newline="")
    changed = cli(*args)  # the same cards in a changed file: nothing new
    assert "2 cards from 1 file read, 6 unchanged and skipped: 0 loaded, 2 duplicates" in changed.out
    after = snapshot(db)
    assert {t: rows for t, rows in after.items() if t.startswith("raw_") or t == "rejected_records"} == \
        {t: rows for t, rows in before.items() if t.startswith("raw_") or t == "rejected_records"}


@pytest.mark.slow
def test_a_card_that_lists_several_addresses_makes_them_one_person(cli, books, tmp_path):
    db = tmp_path / "t.duckdb"
    assert cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "ingest", "contacts").code == 0
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("select full_name, company, list_sort(emails) from people "
                           "where full_name in ('Daniel Girard', 'Jürgen Müller')").fetchall()
    assert sorted(rows) == [
        ("Daniel Girard", "Fabrikam", ["dangirard@gmail.com", "daniel.girard@fabrikam.com", "dgirard@proton.me"]),
        ("Jürgen Müller", "Contoso Ltd.", ["jmueller@web.de", "juergen.mueller@contoso.com"]),
    ]


@pytest.mark.slow
def test_a_missing_address_book_is_one_line_and_the_database_is_unchanged(cli, books, tmp_path):
    db = tmp_path / "t.duckdb"
    config = ("--db", db, "--config", tmp_path / "tiekeeper.toml")
    assert cli(*config, "ingest", "contacts").code == 0
    before = snapshot(db)
    result = cli(*config, "ingest", "contacts", tmp_path / "nope.vcf")
    assert result.code == 1 and result.err.count("\n") == 1 and "nope.vcf: no such file or folder" in result.err
    (tmp_path / "scan.vcf").write_bytes(b"%PDF-1.7 not a card")
    result = cli(*config, "ingest", "contacts", tmp_path / "scan.vcf")
    assert result.code == 1 and "scan.vcf: not an address book" in result.err
    assert snapshot(db) == before
