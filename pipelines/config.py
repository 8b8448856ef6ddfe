"""`tiekeeper.toml`: who the owner is, where the sources are, and the report's and metrics' settings.

Relative source paths are resolved against the config file's folder; `~` is expanded.
"""
from __future__ import annotations

import datetime as dt
import os
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONFIG = Path("tiekeeper.toml")
WRITE_WAIT_SECONDS = 300.0  # how long a writer waits for another one to finish before giving up
DEFAULT_DB = Path("data/tiekeeper.duckdb")


class ConfigError(Exception):
    """The configuration is missing or wrong; the message is one line for the user."""


@dataclass(frozen=True)
class Owner:
    name: str | None = None
    emails: tuple[str, ...] = ()
    timezone: str = "UTC"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # None: no config file, defaults only
    owner: Owner = Owner()
    linkedin: tuple[Path, ...] = ()
    mbox: tuple[Path, ...] = ()
    ics: tuple[Path, ...] = ()
    contacts: tuple[Path, ...] = ()  # address books: .vcf files, Google Contacts CSV, or folders of them
    sections: dict = field(default_factory=dict)  # the whole file, for the sections later stages read

    def source_paths(self, source: str) -> tuple[Path, ...]:
        return getattr(self, source)


def resolve_paths(explicit_db: str | None, explicit_config: str | None) -> tuple[Path, Path, bool]:
    """The database and config paths from the command line, else the environment, else defaults.
    The flag says whether the config path was asked for (then it must exist)."""
    db = explicit_db or os.environ.get("TIEKEEPER_DB") or DEFAULT_DB
    config = explicit_config or os.environ.get("TIEKEEPER_CONFIG")
    return Path(db).expanduser(), Path(config or DEFAULT_CONFIG).expanduser(), config is not None


def load_config(path: Path, *, required: bool) -> Config:
    """Reads and checks the config file. A missing file is an error only when `required`."""
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: no such config file")
        return Config()
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder, expected a tiekeeper.toml file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    base = path.resolve().parent
    return Config(
        path=path,
        owner=_owner(data.get("owner", {}), path),
        linkedin=_paths(data, "linkedin", base, path),
        mbox=_paths(data, "mbox", base, path),
        ics=_paths(data, "ics", base, path),
        contacts=_paths(data, "contacts", base, path),
        sections=data,
    )


def _owner(section: dict, path: Path) -> Owner:
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [owner] must be a table")
    emails = section.get("emails", [])
    if isinstance(emails, str):
        emails = [emails]
    if not all(isinstance(e, str) and "@" in e for e in emails):
        raise ConfigError(f"{path}: [owner] emails must be a list of e-mail addresses")
    timezone = section.get("timezone", "UTC")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(f"{path}: [owner] timezone {timezone!r} is not an IANA zone name "
                          f"such as \"Europe/Berlin\"") from None
    return Owner(name=section.get("name"), emails=tuple(e.strip().lower() for e in emails),
                 timezone=timezone)


def _paths(data: dict, source: str, base: Path, path: Path) -> tuple[Path, ...]:
    value = data.get("sources", {}).get(source, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: [sources] {source} must be a path or a list of paths")
    return tuple(base / Path(v).expanduser() for v in value)


def parse_as_of(text: str | None, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """`--as-of` as an aware time: a date means midnight at its start in the owner's timezone."""
    if not text:
        return None
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), tzinfo=tz)
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--as-of {text!r}: expected a date like 2026-11-02 or an ISO time") from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


@dataclass(frozen=True)
class RunSettings:
    """`[run]` in tiekeeper.toml: when the weekly run happens and how patient it is."""
    schedule: str = "0 7 * * 1"  # cron, in the owner's timezone: Mondays at 07:00
    retries: int = 3  # of an API source whose failure is transient
    retry_delay_seconds: float = 60.0  # the first retry's delay; each next one doubles it
    wait_seconds: float = WRITE_WAIT_SECONDS  # for another run holding the database


def run_settings(config: Config) -> RunSettings:
    section = config.sections.get("run", {})
    where = f"{config.path or 'tiekeeper.toml'}: [run]"
    if not isinstance(section, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = set(section) - set(RunSettings.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"{where} has no setting {sorted(unknown)[0]!r} "
                          f"(known: {', '.join(RunSettings.__dataclass_fields__)})")
    values = {}
    for name, default in RunSettings().__dict__.items():
        value = section.get(name, default)
        if isinstance(default, str) != isinstance(value, str) or isinstance(value, bool) or (
                not isinstance(value, str) and value < 0):
            raise ConfigError(f"{where} {name} must be {'a cron text' if isinstance(default, str) else 'a number >= 0'}")
        values[name] = type(default)(value)
    return RunSettings(**values)
