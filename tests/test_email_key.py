"""How an e-mail address is keyed as one mailbox (the `email_key` macro): every identity, sighting and
thread party goes through it, so its answers must not move when it is made faster."""
import duckdb
import pytest

from pipelines.warehouse import create_macros


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    create_macros(con, "email_key")
    yield con
    con.close()


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
