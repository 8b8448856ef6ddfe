"""Connectors: one module per source, each a plain generator of `connectors.records` records.

A connector knows its source's format and nothing of the warehouse: no DuckDB, no Prefect.
"""


class SourceError(Exception):
    """The input as a whole cannot be read. The message is one line for the user: what is wrong
    with which path, and what to do about it. Raised before or while records are yielded; the
    loader then rolls back, so nothing of that input is stored."""


class TransientSourceError(SourceError):
    """A source that may well answer later (a server down, a quota exhausted, a dropped
    connection): a scheduled run retries it after a while."""
