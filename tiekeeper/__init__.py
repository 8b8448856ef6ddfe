"""tiekeeper from Python: the database's public views, as a DuckDB connection or pandas DataFrames.

    import tiekeeper
    con = tiekeeper.connect()                 # read-only, with every public view
    con.sql("select * from follow_ups").df()
    tiekeeper.people()                        # the `people` view as a DataFrame
    tiekeeper.follow_ups(as_of="2026-11-02")  # as it looked then, from what was known then

The database and the config are found as the `tiekeeper` command finds them: `db=` and `config=`,
else the environment (TIEKEEPER_DB, TIEKEEPER_CONFIG), else tiekeeper.toml in the working folder and
data/tiekeeper.duckdb beside it. Times are shown in the owner's timezone. While a run is writing, the
snapshot of the last finished run answers (with a warning), as `tiekeeper sql` does. The views and
their columns are documented in docs/schema.md.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

import duckdb
import pandas as pd

from pipelines.config import ConfigError, load_config, parse_as_of, resolve_paths
from pipelines.warehouse import WarehouseError, connect_reader, set_as_of

__all__ = ["connect", "view", "PUBLIC_VIEWS", "ConfigError", "WarehouseError", "people", "interactions",
           "relationship_strength", "cadence", "follow_ups", "awaiting_reply", "network_growth",
           "strength_history", "companies", "people_overview", "automated_mail", "rejected_records", "ingest_runs"]

# The views (and tables) ad-hoc queries may rely on: docs/schema.md describes them column by column.
PUBLIC_VIEWS = ("people", "interactions", "relationship_strength", "cadence", "follow_ups", "awaiting_reply",
                "network_growth", "strength_history", "companies", "people_overview", "automated_mail",
                "rejected_records", "ingest_runs")

AsOf = str | dt.date | dt.datetime | None


def connect(db: str | os.PathLike | None = None, *, config: str | os.PathLike | None = None,
            as_of: AsOf = None) -> duckdb.DuckDBPyConnection:
    """A read-only DuckDB connection to the database, every metric view evaluated as of `as_of`
    (a date means midnight at its start in the owner's timezone; None: now). Close it when done
    (or use it in a `with` block): a run waits for readers before it writes."""
    db_path, config_path, required = resolve_paths(_text(db), _text(config))
    settings = load_config(config_path, required=required)
    con = connect_reader(db_path, timezone=settings.owner.timezone)
    try:
        set_as_of(con, _moment(as_of, settings.owner.tz))
    except BaseException:
        con.close()
        raise
    return con


def view(name: str, *, con: duckdb.DuckDBPyConnection | None = None, db: str | os.PathLike | None = None,
         config: str | os.PathLike | None = None, as_of: AsOf = None) -> pd.DataFrame:
    """A public view as a DataFrame: on `con` if given (and as of its as-of), else on a connection
    opened (and closed) for it as `connect` opens one."""
    if name not in PUBLIC_VIEWS:
        raise ValueError(f"{name!r} is not a public view; they are: {', '.join(PUBLIC_VIEWS)}")
    if con is not None:
        return con.sql(f"select * from {name}").df()
    with connect(db, config=config, as_of=as_of) as own:
        return own.sql(f"select * from {name}").df()


def _reader(name: str) -> Callable[..., pd.DataFrame]:
    def read(*, con: duckdb.DuckDBPyConnection | None = None, db: str | os.PathLike | None = None,
             config: str | os.PathLike | None = None, as_of: AsOf = None) -> pd.DataFrame:
        return view(name, con=con, db=db, config=config, as_of=as_of)
    read.__name__ = read.__qualname__ = name
    read.__doc__ = f"The `{name}` view as a pandas DataFrame (docs/schema.md); arguments as for `view`."
    return read


people = _reader("people")
interactions = _reader("interactions")
relationship_strength = _reader("relationship_strength")
cadence = _reader("cadence")
follow_ups = _reader("follow_ups")
awaiting_reply = _reader("awaiting_reply")
network_growth = _reader("network_growth")
strength_history = _reader("strength_history")
companies = _reader("companies")
people_overview = _reader("people_overview")
automated_mail = _reader("automated_mail")
rejected_records = _reader("rejected_records")
ingest_runs = _reader("ingest_runs")


def _text(path: str | os.PathLike | None) -> str | None:
    return None if path is None else os.fspath(path)


def _moment(as_of: AsOf, tz) -> dt.datetime | None:
    if as_of is None or isinstance(as_of, dt.datetime):
        return as_of if as_of is None or as_of.tzinfo else as_of.replace(tzinfo=tz)
    return parse_as_of(as_of if isinstance(as_of, str) else as_of.isoformat(), tz)
