"""Finding people and organisations as the user types them: accents and case folded on both sides,
addresses and LinkedIn URLs too, and "and N more" wherever a list is cut (`why`, `people show`,
`at`); the `companies` view behind `at`."""
import duckdb
import pytest

from tests import test_people

pytestmark = pytest.mark.slow  # each test loads an owner's export through the CLI

db, export = test_people.db, test_people.export  # fixtures: a small owner's export, loaded through the CLI


@pytest.fixture
def zoe(export, db):
    export.mail('"Zoë Müller" <zoe@nordlicht-software.de>', "jane@acme.com")
    export.connection("Zoë", "Müller", "https://www.linkedin.com/in/zoemuller", "Nordlicht Software",
                      email="zoe@nordlicht-software.de")
    export.mail("Uwe Schmidt <uwe@otter.de>", "jane@acme.com")
    export.load(db)
    return db


@pytest.mark.parametrize("typed", ["zoe muller", "Zoë Müller", "ZOE MUELLER", "müller", "Muell",
                                   "ZOE@Nordlicht-Software.de", "https://www.linkedin.com/in/zoemuller/",
                                   "linkedin.com/in/ZoeMuller?trk=people"])
def test_a_person_is_found_however_the_name_is_typed_or_by_address_or_linkedin_url(cli, zoe, typed):
    shown = cli("--db", zoe, "people", "show", typed)
    assert shown.code == 0, shown.err
    assert [line.split("  (")[0] for line in shown.out.splitlines() if "  (p_" in line] == ["Zoë Müller"]
    why = cli("--db", zoe, "why", typed)
    assert why.code == 0 and why.out.startswith("Zoë Müller  (p_")


def test_nobody_matching_is_one_line(cli, zoe):
    result = cli("--db", zoe, "why", "zoey mueller")
    assert (result.code, result.err) == (1, "tiekeeper: nobody matches 'zoey mueller' (try part of a name, an "
                                            "e-mail address or a LinkedIn profile URL)\n")


def test_a_cut_list_says_how_many_more_there_are(cli, export, db):
    for n in range(12):
        export.mail(f"Ann Lee{chr(97 + n)} <ann{n}@lee.org>", "jane@acme.com")
    export.load(db)
    shown = cli("--db", db, "people", "show", "ann")
    assert shown.out.count("  (p_") == 10
    assert shown.out.splitlines()[-1] == ("... and 2 more people (to narrow it down, give part of a name, an e-mail "
                                          "address or a LinkedIn profile URL)")
    why = cli("--db", db, "why", "ann")
    assert why.out.count("  (p_") == 3 and "... and 9 more people" in why.out.splitlines()[-1]


@pytest.fixture
def initrode(export, db):
    """Initrode seen as LinkedIn names (two spellings) and as a mail domain; Globex only on LinkedIn, with
    a gmail.com address; a job change from initrode.com to Initech; someone known only by a gmail.com
    address; a colleague of the owner (jane@acme.com)."""
    export.connection("Ann", "Lee", "https://www.linkedin.com/in/annlee", "Initrode Corp",
                      email="ann.lee@initrode.com")
    export.connection("Cara", "Diaz", "https://www.linkedin.com/in/caradiaz", "INITRODE Corp.")
    export.connection("Gus", "Hill", "https://www.linkedin.com/in/gushill", "Initrode Corp")
    export.connection("Dan", "Eck", "https://www.linkedin.com/in/daneck", "Globex GmbH", email="dan.eck@gmail.com")
    export.connection("Finn", "Gray", "https://www.linkedin.com/in/finngray", "Initech",
                      email="finn.gray@initrode.com")
    for sender in ("Ann Lee <ann.lee@initrode.com>", "Bob Stone <bob@initrode.com>", "Dan Eck <dan.eck@gmail.com>",
                   "Eve Fox <eve.fox@gmail.com>", "Finn Gray <finn.gray@initrode.com>", "Kim Park <kim@acme.com>"):
        export.mail(sender, "jane@acme.com")
    export.mail("Jane Doe <jane@acme.com>", "Ann Lee <ann.lee@initrode.com>", labels="Sent")
    export.load(db)
    return db


def test_of_people_last_met_together_a_company_names_the_strongest_tie(export, initrode):
    for _ in range(4):  # Bob becomes the closer tie
        export.mail("Jane Doe <jane@acme.com>", "Bob Stone <bob@initrode.com>", labels="Sent")
        export.mail("Bob Stone <bob@initrode.com>", "Jane Doe <jane@acme.com>")
    export.mail("Jane Doe <jane@acme.com>", "Ann Lee <ann.lee@initrode.com>, Bob Stone <bob@initrode.com>",
                labels="Sent")  # the last contact, with both at once
    export.load(initrode)
    with duckdb.connect(str(initrode), read_only=True) as con:
        rows = con.execute("""select last_contact_full_name, strongest_full_name, last_contact_at = (
                                  select max(last_contact_at) from people_overview where full_name = 'Bob Stone')
                              from companies where company = 'Initrode Corp'""").fetchall()
    assert rows == [("Bob Stone", "Bob Stone", True)]  # not whichever of the two the query happened to meet first


def test_companies_reconcile_linkedin_names_and_mail_domains_without_personal_providers(initrode):
    with duckdb.connect(str(initrode), read_only=True) as con:
        rows = con.execute("""select company, domains, people_known, linkedin_connections, is_own_organisation,
                                     [p.full_name for p in people] from companies order by company""").fetchall()
    assert rows == [("Globex GmbH", [], 1, 1, False, ["Dan Eck"]),
                    ("Initech", [], 1, 1, False, ["Finn Gray"]),
                    ("Initrode Corp", ["initrode.com"], 4, 3, False, ["Ann Lee", "Bob Stone", "Cara Diaz", "Gus Hill"]),
                    ("acme.com", ["acme.com"], 1, 0, True, ["Kim Park"])]


def test_the_strongest_tie_and_the_last_contact_are_the_organisations(initrode):
    with duckdb.connect(str(initrode), read_only=True) as con:
        row = con.execute("""select strongest_full_name, last_contact_full_name, known_through
                             from companies where company = 'Initrode Corp'""").fetchall()
    assert row == [("Ann Lee", "Ann Lee", ["email", "linkedin_connection"])]


@pytest.mark.parametrize("typed", ["initrode", "INITRODE corp", "initrode.com", "@initrode.com",
                                   "someone@initrode.com"])
def test_at_lists_the_people_known_there_strongest_first(cli, initrode, typed):
    result = cli("--db", initrode, "--as-of", "2026-10-01", "at", typed)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Initrode Corp  [initrode.com]"
    assert lines[1] == ("  4 people known, 3 LinkedIn connections, 2 in touch in the last year; last contact "
                        "2026-09-02; through email, linkedin connection")
    assert [" ".join(line.split()[:2]) for line in lines[2:6]] == ["Ann Lee", "Bob Stone", "Cara Diaz", "Gus Hill"]


def test_at_an_unknown_organisation_is_one_line(cli, initrode):
    result = cli("--db", initrode, "at", "Umbrella")
    assert (result.code, result.err) == (1, "tiekeeper: no organisation matches 'Umbrella' (try part of its name "
                                            "or a mail domain such as acme.com)\n")
