"""Every source tiekeeper reads, in one registry: its name (on the command line and as its key in
[sources] of tiekeeper.toml), whether it is files or an API (and then the settings its
[sources.<name>] table takes), the raw tables its records go to, and how its connector is called.

The command line's choices, the config's [sources] section, the weekly flow's list of configured
sources and the loader all derive from `SOURCES`: a new source is one entry here (and its
connector, and its raw tables' SQL).

Importing this module imports no connector: each `read` imports its connector (and the Google or
Microsoft client) when it is called, so that a command which reads none pays for none.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from connectors.records import (
    CalendarEvent,
    ContactCard,
    LinkedInConnection,
    LinkedInInvitation,
    LinkedInMessage,
    MailMessage,
    OutlookMessage,
)
from pipelines.errors import ConfigError

if TYPE_CHECKING:
    from pipelines.config import Config

ICS_YEARS_BACK = 3  # recurring events are expanded from this far back ...
ICS_DAYS_AHEAD = 90  # ... to this far ahead of the run

# A settings field's check, as pipelines/config.py reads it: (test, what the key must be).
_ABOVE_ZERO = {"check": (lambda v: v > 0, "must be a number > 0")}


@dataclass(frozen=True)
class Source:
    """A source: how to read it, and which raw table takes each record type."""

    name: str
    noun: str  # what its records are, for the summary line
    read: Callable[..., Iterator]  # read(paths, config, now, progress[, cursor, known]) -> records
    tables: dict[type, str]
    suffixes: tuple[str, ...] = ()  # a folder given for this source means its files with these suffixes
    api: bool = False  # an API source: no files; a cursor from the last run; checkpoints as it goes
    settings: type | None = None  # an API source's [sources.<name>] table; a file source's key is its paths
    # A file source whose files grow at the end (an mbox that mail is appended to): whether a file
    # starts a record at a byte offset (path, offset) -> bool; `read` then takes `starts`, where each
    # file's new part begins, and the part before it, loaded before, is not read again.
    continues_at: Callable[[Path, int], bool] | None = None

    @property
    def attribute(self) -> str:
        """The source's name as a Python name: its attribute of `Config.sources`."""
        return self.name.replace("-", "_")


# -- the settings of the API sources: [sources.<name>], present = on --------------------------------

@dataclass(frozen=True)
class GmailSource:
    """[sources.gmail]: present = on."""
    api_endpoint: str | None = None  # a local emulator instead of Google ...
    credentials: str | None = None  # ... with "anonymous": no OAuth
    # Google's per-user limit is 15,000 units a minute
    quota_units_per_second: float = field(default=250.0, metadata=_ABOVE_ZERO)


@dataclass(frozen=True)
class GcalSource:
    """[sources.gcal]: present = on."""
    api_endpoint: str | None = None
    credentials: str | None = None
    calendars: tuple[str, ...] = ("primary",)


@dataclass(frozen=True)
class OutlookSource:
    """[sources.outlook] (mail from Microsoft 365 or Outlook.com): present = on."""
    client_id: str | None = None  # the Application (client) ID of your app registration
    tenant: str | None = None  # "common" (default: work, school and personal accounts), or your tenant
    skip_folders: tuple[str, ...] = ()  # besides Junk, Deleted Items and Drafts, never read
    requests_per_second: float = field(default=16.0, metadata=_ABOVE_ZERO)
    api_endpoint: str | None = None  # a local emulator instead of Microsoft (a base URL ending in /v1.0) ...
    credentials: str | None = None  # ... with "anonymous": no sign-in


@dataclass(frozen=True)
class OutlookCalendarSource:
    """[sources.outlook-calendar]: present = on."""
    client_id: str | None = None
    tenant: str | None = None
    requests_per_second: float = field(default=16.0, metadata=_ABOVE_ZERO)
    api_endpoint: str | None = None
    credentials: str | None = None


# -- reading each source ---------------------------------------------------------------------------

def _window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The span a calendar is read for: recurring events are expanded over it."""
    return now - dt.timedelta(days=365 * ICS_YEARS_BACK), now + dt.timedelta(days=ICS_DAYS_AHEAD)


def _read_linkedin(paths, config: Config, now, progress):
    from connectors.linkedin import read_export
    for path in paths:
        yield from read_export(path, tz=config.owner.tz, progress=progress)


def _read_mbox(paths, config: Config, now, progress, starts=None):
    from connectors.mbox import read_mbox
    return read_mbox(paths, progress=progress, starts=starts)


def _mbox_continues_at(path: Path, offset: int) -> bool:
    from connectors.mbox import continues_at
    return continues_at(path, offset)


def _read_ics(paths, config: Config, now, progress):
    from connectors.ics import read_ics
    return read_ics(paths, tz=config.owner.tz, window=_window(now), progress=progress)


def _read_contacts(paths, config: Config, now, progress):
    from connectors.contacts import read_contacts
    return read_contacts(paths, progress=progress)


def _settings(config: Config, source: str):
    """[sources.<source>] of an API source as read, or its defaults when the config has no such table."""
    return config.api_settings(source) or SOURCES[source].settings()


def _google_service(config: Config, source: str, api: str, version: str):
    """A Google API service as [sources.<source>] says: Google with the user's token, or a local
    emulator (`api_endpoint`, `credentials = "anonymous"`)."""
    from connectors.google_api import ANONYMOUS, build_service
    section = _settings(config, source)
    if section.credentials == ANONYMOUS:
        credentials = ANONYMOUS
    else:
        from connectors.google_auth import load_credentials
        credentials = load_credentials()
    return build_service(api, version, credentials=credentials, api_endpoint=section.api_endpoint), section


def _read_gmail(paths, config: Config, now, progress, cursor, known):
    from connectors.gmail import sync_gmail
    from connectors.google_api import RateLimiter
    service, section = _google_service(config, "gmail", "gmail", "v1")
    limiter = RateLimiter(section.quota_units_per_second)
    return sync_gmail(service, cursor=cursor, limiter=limiter, progress=progress, known_ids=known,
                      mirrored_ids=getattr(known, "mirrored", None))


def _read_gcal(paths, config: Config, now, progress, cursor, known):
    import json

    from connectors.gcal import sync_calendar
    service, section = _google_service(config, "gcal", "calendar", "v3")
    tokens = json.loads(cursor) if cursor else {}
    for calendar_id in section.calendars:
        yield from sync_calendar(service, calendar_id, sync_token=tokens.get(calendar_id), tz=config.owner.tz,
                                 window=_window(now), progress=progress)


def _graph_client(config: Config, source: str):
    """A Graph client as [sources.<source>] says: Microsoft with the user's token (the app
    registration's `client_id`), or a local emulator (`api_endpoint`, `credentials = "anonymous"`)."""
    from connectors.api_calls import RateLimiter
    from connectors.google_api import ANONYMOUS
    from connectors.graph_api import GRAPH_ROOT, GraphClient
    section = _settings(config, source)
    endpoint = section.api_endpoint
    if endpoint is not None and not endpoint.rstrip("/").endswith("/v1.0"):
        raise ConfigError(f"{config.where}: [sources.{source}] api_endpoint must be a URL ending "
                          f"in /v1.0, such as \"http://127.0.0.1:8766/v1.0\"")
    token = None
    if section.credentials != ANONYMOUS:
        from connectors.microsoft_auth import token_provider
        client_id, tenant = microsoft_client(config)
        token = token_provider(client_id, tenant=tenant)
    return GraphClient(endpoint or GRAPH_ROOT, token, limiter=RateLimiter(section.requests_per_second)), section


def microsoft_client(config: Config) -> tuple[str, str]:
    """(client id, tenant) of the user's app registration: `client_id` and `tenant` of the first
    Microsoft source's table ([sources.outlook], then [sources.outlook-calendar]) that has a client id."""
    from connectors.microsoft_auth import DEFAULT_TENANT
    for source in SOURCES:
        section = config.api_settings(source)
        if getattr(section, "client_id", None):
            return section.client_id.strip(), DEFAULT_TENANT if section.tenant is None else section.tenant
    raise ConfigError(f"{config.where}: no client_id in [sources.outlook] (the Application (client) "
                      f"ID of your app registration; the README's Outlook section shows how to make one)")


def _read_outlook(paths, config: Config, now, progress, cursor, known):
    from connectors.outlook import sync_outlook
    client, section = _graph_client(config, "outlook")
    return sync_outlook(client, cursor=cursor, skip_folders=section.skip_folders, stored_items=known,
                        progress=progress)


def _read_outlook_calendar(paths, config: Config, now, progress, cursor, known):
    from connectors.outlook_calendar import sync_outlook_calendar
    client, _ = _graph_client(config, "outlook-calendar")
    return sync_outlook_calendar(client, cursor=cursor, tz=config.owner.tz, window=_window(now), progress=progress)


SOURCES = {
    source.name: source for source in (
        Source("linkedin", "records", _read_linkedin, {
            LinkedInConnection: "raw_linkedin__connections",
            LinkedInMessage: "raw_linkedin__messages",
            LinkedInInvitation: "raw_linkedin__invitations",
        }),
        Source("mbox", "messages", _read_mbox, {MailMessage: "raw_mbox__messages"}, suffixes=(".mbox",),
               continues_at=_mbox_continues_at),
        Source("ics", "events", _read_ics, {CalendarEvent: "raw_ics__events"}, suffixes=(".ics",)),
        Source("contacts", "cards", _read_contacts, {ContactCard: "raw_contacts__cards"},
               suffixes=(".vcf", ".csv")),
        Source("gmail", "messages", _read_gmail, {MailMessage: "raw_gmail__messages"}, api=True,
               settings=GmailSource),
        Source("gcal", "events", _read_gcal, {CalendarEvent: "raw_gcal__events"}, api=True, settings=GcalSource),
        Source("outlook", "messages", _read_outlook, {OutlookMessage: "raw_outlook__messages"}, api=True,
               settings=OutlookSource),
        Source("outlook-calendar", "events", _read_outlook_calendar, {CalendarEvent: "raw_outlook__events"},
               api=True, settings=OutlookCalendarSource),
    )
}
FILE_SOURCES = tuple(name for name, source in SOURCES.items() if not source.api)
