"""Finding what the user names on the command line: people (`tiekeeper why`, `people show`) and
organisations (`tiekeeper at`), folded for accents and case on both sides, by address and LinkedIn
URL too. The queries are `sql/lookup/find_<what>.sql`."""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import duckdb

from pipelines.warehouse import WarehouseError

_NONE = {"people": "nobody matches", "companies": "no organisation matches"}
_HINT = {"people": "part of a name, an e-mail address or a LinkedIn profile URL",
         "companies": "part of its name or a mail domain such as acme.com"}
_NOUN = {"people": "people", "companies": "organisations"}


@dataclass(frozen=True)
class Found:
    """The first matches, best first, and how many there were in all."""
    what: str
    keys: list[str]
    total: int

    def more(self) -> str | None:
        """'... and 4 more people' when the list was cut, else None."""
        left = self.total - len(self.keys)
        if left <= 0:
            return None
        return f"... and {left} more {_NOUN[self.what]} (to narrow it down, give {_HINT[self.what]})"


def find(con: duckdb.DuckDBPyConnection, what: str, text: str, *, limit: int) -> Found:
    """The `what` ("people" or "companies") matching `text`, at most `limit` of them, best first;
    none is a one-line error."""
    if not text.strip():
        raise WarehouseError(f"nothing to look up: give {_HINT[what]}")
    query = (resources.files("pipelines") / "sql" / "lookup" / f"find_{what}.sql").read_text(encoding="utf-8")
    keys = [key for (key,) in con.execute(query, {"query": text}).fetchall()]
    if not keys:
        raise WarehouseError(f"{_NONE[what]} {text!r} (try {_HINT[what]})")
    return Found(what, keys[:limit], len(keys))


def suggestions_query() -> str:
    """`sql/lookup/suggestions.sql`: the uncertain matches to review, one per two people."""
    return (resources.files("pipelines") / "sql" / "lookup" / "suggestions.sql").read_text(encoding="utf-8")
