"""Names as mail and LinkedIn write them, read into the first and last name that identity resolution
compares (the `name_tokens` and `bare_name` macros), addresses keyed as the mailbox they deliver to
(`email_key`), and company names keyed without their legal form (`company_letters`, `organisation_key`)."""
import duckdb
import pytest

from pipelines.warehouse import create_macros


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    create_macros(con, "name_tokens", "email_key", "organisation_key")
    yield con
    con.close()


@pytest.mark.parametrize(("written", "tokens"), [
    ("Jane Doe", ["jane", "doe"]),
    ("Doe, Jane", ["jane", "doe"]),  # Outlook's "Last, First"
    ("Jane Doe, PhD", ["jane", "doe"]),  # a credential after the comma
    ("James Henderson, LL.M.", ["james", "henderson"]),  # ... dotted, as LinkedIn names carry them
    ("Müller, Dipl.-Ing.", ["muller"]),
    ("Smith, Robert J.", ["robert", "j", "smith"]),  # a name turned round, with an initial
    ("Saleh, Certified Executive Coach", ["saleh"]),
    ("Dr. Jane M. Doe", ["jane", "m", "doe"]),
    ("Müller, Zoë", ["zoe", "muller"]),
    # what mail programs and people add around a name
    ("Jane Doe (she/her)", ["jane", "doe"]),
    ("Doe, Jane [EXT]", ["jane", "doe"]),
    ("Doe, Jane (Contractor)", ["jane", "doe"]),
    ("Jane Doe (Acme Corp)", ["jane", "doe"]),
    ("Jane Doe | Acme Corp", ["jane", "doe"]),
    ("Jane Doe - Sales Director", ["jane", "doe"]),
    ("Jane Doe – Acme", ["jane", "doe"]),
    ("'Jane Doe' via Team", ["jane", "doe"]),  # Google Groups rewriting the sender
    ("Drew Fossum/ET&S/Enron", ["drew", "fossum"]),  # a Lotus Notes name
    ("Jane Doe <jane@acme.com>", ["jane", "doe"]),
    ('"Jane Doe"', ["jane", "doe"]),
    # ... but a hyphen inside a name is the name's
    ("Jean-Pierre Dupont", ["jeanpierre", "dupont"]),
    ("Anna Schmidt-Weber", ["anna", "schmidtweber"]),
    ("(Jane Doe)", ["jane", "doe"]),  # all in brackets: the name is what there is
])
def test_a_written_name_gives_the_name_it_holds(con, written, tokens):
    assert con.execute("select name_tokens(?)", [written]).fetchall()[0][0] == tokens


def test_no_name_gives_no_tokens(con):
    assert con.execute("select name_tokens(null), name_tokens('')").fetchall()[0] == ([], [])


# Every identity, sighting and thread party is keyed by `email_key`: its answers must not move when
# it is made faster.
@pytest.mark.parametrize(("address", "key"), [
    ("jane@acme.com", "jane@acme.com"),
    ("  Jane.Doe@ACME.com ", "jane.doe@acme.com"),  # case and spaces are not the mailbox's
    ("jane+newsletters@acme.com", "jane@acme.com"),  # a +tag delivers to the same mailbox
    ("a+b+c@d.com", "a@d.com"),
    ("John.Doe+tag@GMail.com", "johndoe@gmail.com"),  # Gmail ignores dots ...
    ("j.o.h.n.doe@googlemail.com", "johndoe@gmail.com"),  # ... and has two domains
    ("john.doe@gmail.com.au", "john.doe@gmail.com.au"),  # not Gmail's
    ("john.doe@notgmail.com", "john.doe@notgmail.com"),
    ('"odd@local"@example.com', '"odd@example.com'),  # the first and the last part, as before
    ("@example.com", "@example.com"),
    ("nodomain@", "nodomain@"),
    ("no at sign", None),
    ("", None),
    (None, None),
])
def test_an_address_is_keyed_as_its_mailbox(con, address, key):
    assert con.execute("select email_key(?)", [address]).fetchall() == [(key,)]


# The resolver compares a company with a mail domain by `company_letters`, and the companies view keys
# organisations by `organisation_key`, which reads it: one list of legal forms for both.
@pytest.mark.parametrize(("company", "key"), [
    ("Brightwave Analytics GmbH", "brightwaveanalytics"),
    ("Otter Games Ltd.", "ottergames"),
    ("Iberia Consultores S.L.", "iberiaconsultores"),  # a form with its dots
    ("Noordzee Logistiek B.V.", "noordzeelogistiek"),
    ("Ferrari Ricambi S.p.A.", "ferrariricambi"),
    ("Koala Pty Ltd", "koala"),
    ("Sertanejo Ltda.", "sertanejo"),
    ("Hansen & Partner PartG mbB", "hansenpartner"),
    ("The Acme Group", "acme"),
    ("Ltd.", None),  # nothing but a form is no organisation
    (None, None),
])
def test_a_company_is_keyed_without_its_legal_form(con, company, key):
    assert con.execute("select organisation_key(?), coalesce(company_letters(?), '')",
                       [company, company]).fetchall() == [(key, key or "")]

