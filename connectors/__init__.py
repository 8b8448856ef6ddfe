"""Connectors: one module per source, each a plain generator of `connectors.records` records.

A connector knows its source's format and nothing of the warehouse: no DuckDB, no Prefect.
"""
import os
import shlex
import shutil
import sysconfig
from pathlib import Path


def command() -> str:
    """`tiekeeper` as the user can type it here, for the commands that messages and hints suggest:
    the bare name when it is on PATH, else the path of this environment's script (relative to the
    working folder when it is inside it, e.g. `.venv/bin/tiekeeper`)."""
    script = Path(sysconfig.get_path("scripts")) / ("tiekeeper.exe" if os.name == "nt" else "tiekeeper")
    on_path = shutil.which("tiekeeper")
    if not script.exists() or (on_path and Path(on_path).resolve() == script.resolve()):
        return "tiekeeper"
    try:
        shown = script.relative_to(Path.cwd())
    except ValueError:
        shown = script
    return shlex.quote(str(shown))


class SourceError(Exception):
    """The input as a whole cannot be read. The message is one line for the user: what is wrong
    with which path, and what to do about it. Raised before or while records are yielded; the
    loader then rolls back, so nothing of that input is stored."""


class TransientSourceError(SourceError):
    """A source that may well answer later (a server down, a quota exhausted, a dropped
    connection): a scheduled run retries it after a while."""
