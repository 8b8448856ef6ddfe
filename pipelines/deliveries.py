"""Which weekly reports were sent to whom: so that a re-run in the same week does not mail it again."""
from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import duckdb


def last_delivery(con: duckdb.DuckDBPyConnection, iso_week: str, recipients: list[str]) -> dt.datetime | None:
    """When the week's report last went to exactly these recipients, if it did."""
    row = con.execute("""select max(sent_at) from report_deliveries
                         where iso_week = ? and list_sort(recipients) = list_sort(?::varchar[])""",
                      [iso_week, recipients]).fetchall()
    return row[0][0]


def record_delivery(con: duckdb.DuckDBPyConnection, iso_week: str, recipients: list[str], message: EmailMessage,
                    answer: str) -> None:
    con.execute("insert into report_deliveries values (?, ?, ?, now(), ?)",
                [iso_week, recipients, message["Message-ID"], answer])
