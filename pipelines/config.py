"""`tiekeeper.toml`: who the owner is, where the sources are, and the report's, run's and metrics'
settings. It is read and checked whole, once, before a command does anything: an unknown section or
key (with the nearest known one: "did you mean ...?"), a value of the wrong type, an impossible value,
each is one line naming the file and the key. `people.toml` beside it, the user's word on who is
who, is read and checked here too.

Every section is a dataclass below whose fields are the keys it accepts; a sub-table such as
[sources.gmail] is a field whose type is a dataclass. A new key is a new field; a new section is a
new dataclass named in `SECTIONS`. [sources] is derived from the registry of sources
(pipelines/sources.py), which holds each API source's settings dataclass; [metrics] from
`METRIC_DEFAULTS`.

Relative source paths are resolved against the config file's folder; `~` is expanded.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
import tomllib
import types
import typing
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from pipelines.errors import ConfigError
from pipelines.sources import FILE_SOURCES, SOURCES

DEFAULT_CONFIG = Path("tiekeeper.toml")
WRITE_WAIT_SECONDS = 300.0  # how long a writer waits for another one to finish before giving up
DEFAULT_DB = Path("data/tiekeeper.duckdb")  # beside the config file


def _check(test, message: str):
    """A field's value check: `message` (after the key's name) when `test(value)` is false."""
    return {"check": (test, message)}


def _is_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
        return True
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False


_AT_LEAST_ZERO = _check(lambda v: v >= 0, "must be a number >= 0")


# -- the sections ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Owner:
    """[owner]: who "me" is. `emails` and `timezone` are required by every command that writes."""
    name: str | None = None
    emails: tuple[str, ...] = field(default=(), metadata=_check(
        lambda v: all("@" in e for e in v), "must be a list of e-mail addresses"))
    timezone: str | None = field(default=None, metadata=_check(
        _is_zone, 'must be an IANA zone name such as "Europe/Berlin"'))

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The owner's zone (UTC for a command that reads without one)."""
        return zoneinfo.ZoneInfo(self.timezone or "UTC")


def _sources_section() -> type:
    """[sources]: one key per source of pipelines/sources.py. A file source's is a path or a list of
    paths (resolved into `Config.paths`); an API source's is its table, whose fields its `settings` are."""
    fields = []
    for source in SOURCES.values():
        if source.api:
            fields.append((source.attribute, source.settings | None,
                           field(default=None, metadata={"key": source.name})))
        else:
            fields.append((source.attribute, tuple[str, ...], field(default=(), metadata={
                "key": source.name, "type": "a path or a list of paths"})))
    sources = dataclasses.make_dataclass("Sources", fields, frozen=True)
    sources.__module__, sources.__doc__ = __name__, "[sources]: the exports to read and the APIs to sync."
    return sources


Sources = _sources_section()


@dataclass(frozen=True)
class Report:
    """[report]: where the weekly report goes (pipelines/deliveries.smtp_settings checks it is enough to send)."""
    to: tuple[str, ...] = ()
    sender: str | None = field(default=None, metadata={"key": "from"})
    smtp_host: str | None = None
    smtp_port: int | None = None
    security: str | None = None  # "starttls", "ssl" or "none"
    username: str | None = None
    password_env: str | None = None  # the NAME of the variable that holds the password
    tls_verify: bool = True
    timeout: float | None = None
    # Keys refused with a reason rather than "no setting": the password never lives in the file.
    forbidden: ClassVar[dict[str, str]] = dict.fromkeys(("password", "smtp_password"), (
        "must not be written in the config file; remove it and put the password in the environment "
        "variable named by password_env (default TIEKEEPER_SMTP_PASSWORD)"))


@dataclass(frozen=True)
class RunSettings:
    """`[run]` in tiekeeper.toml: when the weekly run happens and how patient it is."""
    schedule: str = "0 7 * * 1"  # cron, in the owner's timezone: Mondays at 07:00
    retries: int = field(default=3, metadata=_AT_LEAST_ZERO)  # of an API source whose failure is transient
    retry_delay_seconds: float = field(default=60.0, metadata=_AT_LEAST_ZERO)  # the first retry's; each doubles
    wait_seconds: float = field(default=WRITE_WAIT_SECONDS, metadata=_AT_LEAST_ZERO)  # for another run writing


# Every constant of docs/metrics.md, by the name `[metrics]` in tiekeeper.toml overrides it with.
METRIC_DEFAULTS = {
    "learn": 1,  # 1: learn strength, follow-ups and replies owed from your history where it supports it; 0: never
    "half_life_days": 90.0,  # H of the published decayed sum
    "multiplexity_bonus": 0.1,  # per channel family beyond the first
    "tier_inner": 5, "tier_close": 15, "tier_active": 50, "tier_network": 150,  # Dunbar's layers, by rank ...
    # ... each with a floor: at least this many days of direct contact expected in the next 90
    "tier_inner_min_days": 6, "tier_close_min_days": 3, "tier_active_min_days": 1, "tier_network_min_days": 0.25,
    "prior_gap_inner": 7, "prior_gap_close": 30, "prior_gap_active": 90, "prior_gap_network": 365,
    "prior_gap_peripheral": 365,  # the tier's usual cadence in days, before the person's own gaps
    "prior_pseudo_gaps": 3,  # how many gaps the prior is worth
    "min_gap_days": 3, "max_gap_days": 365,
    "follow_up_ratio": 2, "fading_ratio": 4, "lapsed_ratio": 8,  # days since / usual gap (published rule)
    "follow_up_min_strength": 25,  # follow-ups only for ties at least this strong (or Active and closer)
    "trend_days": 28,
    "warming_trend": 10,  # strength points over trend_days
    "active_weight": 0.5,  # an "active day" or "active event" has an event of at least this weight
    "strong_tie_strength": 60,
    "history_weeks": 26,  # weeks of strength_history rebuilt on every run
    "awaiting_max_recipients": 4,  # To + Cc of a direct message
    "awaiting_on_me_business_days": 2, "awaiting_on_them_business_days": 3,  # before a thread counts as waiting
    "awaiting_max_days": 30,  # after this a thread is abandoned, not waiting
    "awaiting_min_known_replies": 5,  # from this many replies on, a person's own p90 pace counts
    "awaiting_max_meeting_headcount": 5,  # a meeting this small since your message ends the wait
    "reply_precision_goal": 0.8,  # replies owed: listed from the probability whose past flags were this often right
    "use_reciprocity": 1, "use_group_weighting": 1,  # 0 switches a part off (for ablations only)
}


def _metrics_section() -> type:
    """[metrics]: every constant of METRIC_DEFAULTS, each a number >= 0."""
    number = {"check": (lambda v: v >= 0, "must be a number >= 0"), "type": "a number >= 0"}
    metrics = dataclasses.make_dataclass("Metrics", [(name, float, field(default=value, metadata=number))
                                                     for name, value in METRIC_DEFAULTS.items()], frozen=True)
    metrics.__module__, metrics.__doc__ = __name__, "[metrics]: the constants of docs/metrics.md, overridden."
    return metrics


Metrics = _metrics_section()

SECTIONS = {"owner": Owner, "sources": Sources, "report": Report, "run": RunSettings, "metrics": Metrics}


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # None: no config file, defaults only
    owner: Owner = Owner()
    sources: Sources = Sources()
    # each file source's [sources] paths, resolved against the config file's folder
    paths: dict[str, tuple[Path, ...]] = field(default_factory=lambda: dict.fromkeys(FILE_SOURCES, ()))
    report: Report | None = None  # None: no [report] section
    run: RunSettings = RunSettings()
    metrics: Metrics = Metrics()

    def source_paths(self, source: str) -> tuple[Path, ...]:
        """A file source's paths from [sources] (none for a source that has none there)."""
        return self.paths.get(source, ())

    @property
    def where(self) -> str:
        """The config file as messages name it: its path, or tiekeeper.toml when none was read."""
        return str(self.path or DEFAULT_CONFIG)

    @property
    def people_path(self) -> Path:
        """people.toml sits next to the config file (or in the working folder without one)."""
        return (self.path.parent if self.path else Path(".")) / "people.toml"

    def api_settings(self, source: str):
        """An API source's [sources.<source>] table, or None when the config has none (the source is off)."""
        return getattr(self.sources, SOURCES[source].attribute)

    def __getattr__(self, name: str):
        # a file source's paths by its name, as `config.mbox`
        paths = self.__dict__.get("paths", {})
        if name in paths:
            return paths[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


# -- reading --------------------------------------------------------------------------------------

def resolve_paths(explicit_db: str | None, explicit_config: str | None) -> tuple[Path, Path, bool]:
    """The database and config paths from the command line, else the environment, else defaults:
    the config is tiekeeper.toml in the working folder, the database data/tiekeeper.duckdb beside the
    config file (wherever the command runs from). The flag says whether the config path was asked for
    (then it must exist)."""
    config = explicit_config or os.environ.get("TIEKEEPER_CONFIG")
    config_path = Path(config or DEFAULT_CONFIG).expanduser()
    db = explicit_db or os.environ.get("TIEKEEPER_DB")
    db_path = Path(db).expanduser() if db else config_path.parent / DEFAULT_DB
    return db_path, config_path, config is not None


def load_config(path: Path, *, required: bool) -> Config:
    """Reads and checks the whole config file. A missing file is an error only when `required`."""
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
    sections = {}
    for name, table in data.items():
        if name not in SECTIONS:
            raise ConfigError(f"{path}: {_unknown_section(name, table)}")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{name}] must be a table (a [{name}] header with keys under it)")
        sections[name] = _section(SECTIONS[name], table, f"[{name}]", path)
    owner = sections.get("owner", Owner())
    owner = dataclasses.replace(owner, emails=tuple(e.strip().lower() for e in owner.emails))
    sources = sections.get("sources", Sources())
    base = path.resolve().parent
    return Config(
        path=path, owner=owner, sources=sources, report=sections.get("report"),
        run=sections.get("run", RunSettings()), metrics=sections.get("metrics", Metrics()),
        paths={name: tuple(base / Path(p).expanduser() for p in getattr(sources, SOURCES[name].attribute))
               for name in FILE_SOURCES},
    )


def require_owner(config: Config) -> None:
    """A command that writes needs to know who the owner is: their addresses decide the direction of
    every message (and that their own second address is not a contact), their zone every date."""
    if config.path is None:
        raise ConfigError(f"{DEFAULT_CONFIG}: no such config file (write one as the README shows, or pass --config)")
    examples = {"emails": 'emails = ["jane@acme.com", "jane.doe@gmail.com"]', "timezone": 'timezone = "Europe/Berlin"'}
    for key, value in (("emails", config.owner.emails), ("timezone", config.owner.timezone)):
        if not value:
            raise ConfigError(f"{config.path}: [owner] {key} is missing; commands that write need your addresses "
                              f"and timezone, e.g. [owner] {examples[key]}")


def run_settings(config: Config) -> RunSettings:
    """[run], checked when the config was read."""
    return config.run


def _section(cls: type, table: dict, where: str, path: Path):
    """`table` as a `cls`: every key known, every value of its field's type and passing its check."""
    fields = {f.metadata.get("key", f.name): f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    values = {}
    for key, value in table.items():
        if key in getattr(cls, "forbidden", {}):
            raise ConfigError(f"{path}: {where} {key} {cls.forbidden[key]}")
        if key not in fields:
            raise ConfigError(f"{path}: {where} has no setting {key!r}{_did_you_mean(key, fields, where)}")
        spec = fields[key]
        typed = _typed(value, hints[spec.name], f"{where[:-1]}.{key}]", path)
        if typed is _WRONG_TYPE:
            expected = spec.metadata.get("type") or _describe(hints[spec.name])
            raise ConfigError(f"{path}: {where} {key} must be {expected}, not {_shown(value)}")
        test, message = spec.metadata.get("check", (None, ""))
        if test and typed is not None and not test(typed):
            raise ConfigError(f"{path}: {where} {key} {message}, not {_shown(value)}")
        values[spec.name] = typed
    return cls(**values)


_WRONG_TYPE = object()


def _typed(value, hint, where: str, path: Path):
    """`value` as `hint` says (a single text where a list of texts is expected is that list), or _WRONG_TYPE."""
    if isinstance(hint, types.UnionType):  # X | None
        return _typed(value, next(h for h in typing.get_args(hint) if h is not type(None)), where, path)
    if dataclasses.is_dataclass(hint):
        return _section(hint, value, where, path) if isinstance(value, dict) else _WRONG_TYPE
    if typing.get_origin(hint) is tuple:
        items = [value] if isinstance(value, str) else value
        ok = isinstance(items, list) and all(isinstance(v, str) for v in items)
        return tuple(items) if ok else _WRONG_TYPE
    if hint is bool:
        return value if isinstance(value, bool) else _WRONG_TYPE
    if hint in (int, float):
        ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
              and (hint is float or isinstance(value, int)))
        return hint(value) if ok else _WRONG_TYPE
    return value if isinstance(value, hint) else _WRONG_TYPE


def _describe(hint) -> str:
    if isinstance(hint, types.UnionType):
        return _describe(next(h for h in typing.get_args(hint) if h is not type(None)))
    if typing.get_origin(hint) is tuple:
        return "a text or a list of texts"
    return {bool: "true or false", int: "a whole number", float: "a number", str: "a text"}.get(hint, "a table")


def _shown(value) -> str:
    return repr(value) if len(repr(value)) <= 40 else type(value).__name__


def _known_keys() -> dict[str, str]:
    """Every key of every section, as `[section] key` by key name (sub-tables included)."""
    known = {}

    def add(cls: type, where: str) -> None:
        hints = typing.get_type_hints(cls)
        for spec in dataclasses.fields(cls):
            key = spec.metadata.get("key", spec.name)
            inner = next((h for h in typing.get_args(hints[spec.name]) if dataclasses.is_dataclass(h)), None)
            if inner:
                add(inner, f"{where[:-1]}.{key}]")
            else:
                known.setdefault(key, where)

    for name, cls in SECTIONS.items():
        add(cls, f"[{name}]")
    return known


def _did_you_mean(key: str, here, where: str) -> str:
    """' (did you mean X?)': the nearest key of this section, else the nearest of another one."""
    near = difflib.get_close_matches(key, list(here), n=1, cutoff=0.6)
    if near:
        return f" (did you mean {near[0]}?)"
    elsewhere = _known_keys()
    near = difflib.get_close_matches(key, [k for k, w in elsewhere.items() if w != where], n=1, cutoff=0.75)
    if near:
        return f" (did you mean {elsewhere[near[0]]} {near[0]}?)"
    return f" (known: {', '.join(here)})"


def _unknown_section(name: str, value) -> str:
    """An unknown top-level name: a misspelt section, or a key written above every [section] header."""
    if isinstance(value, dict):
        near = difflib.get_close_matches(name, list(SECTIONS), n=1, cutoff=0.6)
        hint = f"did you mean [{near[0]}]?" if near else f"known: {', '.join(f'[{s}]' for s in SECTIONS)}"
        return f"unknown section [{name}] ({hint})"
    known = _known_keys()
    near = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    hint = f"did you mean {known[near[0]]} {near[0]}?" if near else "every key belongs under a [section] header"
    return f"{name!r} is outside every section ({hint})"


# -- people.toml ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Overrides:
    """The user's word on who is who, from `people.toml`; it survives every rebuild:

        [[merge]]                 # these identities are one person
        identities = ["bob@acme.io", "https://www.linkedin.com/in/bob-smith"]

        [[split]]                 # these two are never the same person
        identities = ["john.smith@a.com", "john.smith@b.com"]

        [[ignore]]                # not a person: a shared inbox, a bot the rules missed
        identity = "sales@acme.io"

        [[close]]                 # a close tie, whatever the metadata says
        identity = "jane@example.com"

    Identities are written as e-mail addresses, LinkedIn profile URLs or identity keys; read here as
    written, pipelines/people.py turns each into its key.
    """

    path: Path | None = None
    merge: tuple[tuple[str, ...], ...] = ()
    split: tuple[tuple[str, str], ...] = ()
    ignore: tuple[str, ...] = ()
    close: tuple[str, ...] = ()


# people.toml's sections, each a list of tables with this one key
_OVERRIDE_KEYS = {"merge": "identities", "split": "identities", "ignore": "identity", "close": "identity"}


def load_overrides_file(path: Path) -> Overrides:
    """Reads and checks people.toml (a missing file means no overrides); a mistake in it is one clear line."""
    if not path.exists():
        return Overrides(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - set(_OVERRIDE_KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown section [[{unknown[0]}]] (expected merge, split, ignore or close)")

    def entries(section: str) -> list:
        key, tables = _OVERRIDE_KEYS[section], data.get(section, [])
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise ConfigError(f"{path}: each [[{section}]] needs {key} = ...")
        for table in tables:
            for other in sorted(set(table) - {key}):
                hint = (f"did you mean {key}?" if difflib.get_close_matches(other, [key], cutoff=0.6)
                        else f"known: {key}")
                raise ConfigError(f"{path}: [[{section}]] has no setting {other!r} ({hint})")
            if key not in table:
                raise ConfigError(f"{path}: each [[{section}]] needs {key} = ...")
        return [t[key] for t in tables]

    def identities(values, section: str, count: int | None = None) -> tuple[str, ...]:
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values) or \
                (count is not None and len(values) != count) or len(values) < 2:
            raise ConfigError(f"{path}: [[{section}]] identities must list "
                              f"{'exactly two' if count else 'two or more'} identities")
        return tuple(values)

    def identity(value, section: str) -> str:
        if not isinstance(value, str):
            raise ConfigError(f"{path}: [[{section}]] identity must be one e-mail address or LinkedIn URL")
        return value

    return Overrides(
        path,
        merge=tuple(identities(v, "merge") for v in entries("merge")),
        split=tuple(identities(v, "split", 2) for v in entries("split")),
        ignore=tuple(identity(v, "ignore") for v in entries("ignore")),
        close=tuple(identity(v, "close") for v in entries("close")),
    )


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
