"""People: one person per human across LinkedIn, e-mail and calendar.

The build reads every identity seen (`int_identity_sightings`), tells the owner's and automated
ones apart, scores candidate pairs in SQL (`sql/people/`), and joins identities into people here:
user overrides first, then automatic links from the most to the least certain, never putting two
LinkedIn profiles or two identities the user split into one person. It rewrites `identities` and
`identity_matches`; the `people` view reads them.
"""
from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from connectors import command
from pipelines.config import Config, ConfigError
from pipelines.warehouse import refresh_tables, transaction

# Log2 likelihood ratios of each way two identities can agree (Fellegi-Sunter weights, set by hand
# from how often each level occurs between one human's identities versus two humans', and checked
# on the generated worlds: see benchmarks/bench_people.py).
MATCH_WEIGHTS = {
    ("name", "same name"): 9.0,
    ("name", "same name (in the address)"): 9.0,
    ("name", "nickname"): 7.0,
    ("name", "initial"): 3.0,
    ("name", "initial (in the address)"): 3.0,
    ("name", "similar last name"): 3.0,
    ("name", "similar first name"): 3.0,
    ("name", "other first name"): -8.0,
    ("name", "other name"): -12.0,
    ("name", "unknown"): 0.0,
    ("address", "full name"): 5.0,
    ("address", "initial and last name"): 4.0,
    ("address", "first name and initial"): 4.0,
    ("address", "first name only"): 1.5,
    ("address", "same local part"): 4.0,
    ("address", "none"): 0.0,
    ("company", "domain is the company"): 5.0,
    ("company", "same domain"): 2.0,
    ("company", "personal address"): 0.0,
    ("company", "domain is not the company"): -1.0,  # people change jobs: a weak sign on its own
    ("company", "other domain"): -1.0,
    ("company", "unknown"): 0.0,
}
MERGE_SCORE = 12.0  # linked automatically from here on: precision matters more than recall
SUGGEST_SCORE = 5.0  # shown by `tiekeeper people suggest` from here on
PRIOR_LOG_ODDS = -8.0  # about 1 in 256 pairs in a block is one human: turns scores into probabilities
# DuckDB would take up to 80% of the machine for the million candidate pairs of a 50,000-people
# network (7.6 GB measured); capped, the build runs in the same time (benchmarks/bench_people.py).
BUILD_MEMORY_LIMIT = "2GB"


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

    Identities are written as e-mail addresses, LinkedIn profile URLs or identity keys.
    """

    path: Path | None = None
    merge: tuple[tuple[str, ...], ...] = ()
    split: tuple[tuple[str, str], ...] = ()
    ignore: tuple[str, ...] = ()
    close: tuple[str, ...] = ()


@dataclass
class PeopleSummary:
    identities: int = 0
    people: int = 0
    owner_identities: int = 0
    automated_identities: int = 0
    merged_automatically: int = 0
    suggestions: int = 0
    kept_apart: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        return (f"people: {self.people:,} from {self.identities:,} identities, {self.suggestions:,} "
                f"uncertain matches to review ({command()} people suggest)")


def overrides_path(config: Config) -> Path:
    """people.toml sits next to the config file (or in the working folder without one)."""
    return (config.path.parent if config.path else Path(".")) / "people.toml"


def load_overrides(path: Path) -> Overrides:
    """Reads people.toml (a missing file means no overrides); a mistake in it is one clear line."""
    if not path.exists():
        return Overrides(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - {"merge", "split", "ignore", "close"})
    if unknown:
        raise ConfigError(f"{path}: unknown section [[{unknown[0]}]] (expected merge, split, ignore or close)")

    def entries(section: str, field: str) -> list:
        tables = data.get(section, [])
        if not isinstance(tables, list) or not all(isinstance(t, dict) and field in t for t in tables):
            raise ConfigError(f"{path}: each [[{section}]] needs {field} = ...")
        return [t[field] for t in tables]

    def keys(values, section: str, count: int | None = None) -> tuple[str, ...]:
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values) or \
                (count is not None and len(values) != count) or len(values) < 2:
            raise ConfigError(f"{path}: [[{section}]] identities must list "
                              f"{'exactly two' if count else 'two or more'} identities")
        return tuple(identity_key(v, where=path) for v in values)

    def one(value, section: str) -> str:
        if not isinstance(value, str):
            raise ConfigError(f"{path}: [[{section}]] identity must be one e-mail address or LinkedIn URL")
        return identity_key(value, where=path)

    return Overrides(
        path,
        merge=tuple(keys(v, "merge") for v in entries("merge", "identities")),
        split=tuple(keys(v, "split", 2) for v in entries("split", "identities")),
        ignore=tuple(one(v, "ignore") for v in entries("ignore", "identity")),
        close=tuple(one(v, "close") for v in entries("close", "identity")),
    )


def append_pairs(path: Path, section: str, pairs: list[tuple[str, str, str]]) -> None:
    """Adds `[[merge]]` or `[[split]]` entries (left, right, note) to people.toml, keeping what the user wrote."""
    text = path.read_text(encoding="utf-8") if path.exists() else (
        "# Who is who, in your words: tiekeeper applies this on every run. See `tiekeeper people --help`.\n")
    for left, right, note in pairs:
        text += f'\n[[{section}]]  # {note}\nidentities = ["{left}", "{right}"]\n'
    path.write_text(text, encoding="utf-8")


def identity_key(text: str, *, where: Path | None = None) -> str:
    """An identity as the user writes it (address, profile URL or key) as its key, normalised the
    same way the SQL macros do."""
    text = text.strip()
    with duckdb.connect() as con:
        con.execute((_sql("01_macros") / "identity_keys.sql").read_text(encoding="utf-8"))
        kind, _, value = text.partition(":")
        if kind == "linkedin_name":
            key = con.execute("select fold_name(?)", [value]).fetchall()[0][0]
            return f"linkedin_name:{key}"
        if kind == "email":
            text = value
        if "linkedin.com/" in text.lower() or kind == "linkedin":
            slug = con.execute("select linkedin_slug(?)", [text if "/" in text else f"linkedin.com/in/{value}"]
                               ).fetchall()[0][0]
            if slug:
                return f"linkedin:{slug}"
        key = con.execute("select email_key(?)", [text]).fetchall()[0][0]
    if key is None:
        raise ConfigError(f"{str(where) + ': ' if where else ''}{text!r} is not an e-mail address, "
                          "a LinkedIn profile URL or an identity key")
    return f"email:{key}"


def build_people(con: duckdb.DuckDBPyConnection, config: Config, overrides: Overrides) -> PeopleSummary:
    """Rebuilds `identities` and `identity_matches` from everything ingested; call inside a transaction."""
    owner = config.owner
    con.execute("delete from owner_settings")
    con.execute("insert into owner_settings values (?, ?, ?)", [owner.name, list(owner.emails), owner.timezone])
    _temp_table(con, "ignored_identities", pa.table({"identity_key": pa.array(overrides.ignore, pa.string())}))
    _temp_table(con, "match_weights", pa.table({"feature": [f for f, _ in MATCH_WEIGHTS],
                                                "level": [level for _, level in MATCH_WEIGHTS],
                                                "weight": list(MATCH_WEIGHTS.values())}))
    _nickname_groups(con)
    con.execute(_statement("identity_profiles"))
    con.execute(_statement("identity_candidates"), {"merge_score": MERGE_SCORE})

    profiles = con.execute("select identity_key, kind, role from identity_profiles").fetchall()
    people = [key for key, _, role in profiles if role == "person"]
    kinds = {key: kind for key, kind, _ in profiles}
    candidates = con.execute("""select left_key, right_key, score, evidence, profiles_fitting from identity_candidates
                                where score >= ? order by score desc, left_key, right_key""",
                             [SUGGEST_SCORE]).fetchall()
    clusters = _Clusters(people, kinds, overrides)
    decisions = clusters.link(candidates)
    return _write(con, clusters, decisions, profiles, overrides.close)


class _Clusters:
    """Union-find over identities, refusing links that would break a rule."""

    def __init__(self, keys: list[str], kinds: dict[str, str], overrides: Overrides):
        self.parent = {key: key for key in keys}
        self.kinds = kinds
        self.profiles = {key: {key} if kinds[key] == "linkedin_url" else set() for key in keys}
        self.apart = {frozenset(pair) for pair in overrides.split}
        self.members = {key: {key} for key in keys}
        self.joined_by: dict[str, tuple[float, str]] = {}  # identity -> (probability, evidence) of its link
        self.forced = overrides.merge

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def is_split(self, a: str, b: str) -> bool:
        """Whether people.toml splits any identity of a's person from any of b's."""
        ra, rb = self.find(a), self.find(b)
        return any(frozenset((x, y)) in self.apart for x in self.members[ra] for y in self.members[rb])

    def why_apart(self, a: str, b: str) -> str | None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        if self.is_split(a, b):
            return "kept apart: split in people.toml"
        if self.profiles[ra] and self.profiles[rb]:
            return "kept apart: two LinkedIn profiles"
        return None

    def union(self, a: str, b: str) -> None:
        ra, rb = sorted((self.find(a), self.find(b)))
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        self.profiles[ra] |= self.profiles.pop(rb)

    def link(self, candidates: list[tuple[str, str, float, str, int]]) -> list[tuple[str, str, float, str, str]]:
        decisions = []
        for group in self.forced:
            known = [key for key in group if key in self.parent]
            for other in known[1:]:
                if self.find(known[0]) != self.find(other):
                    self.union(known[0], other)
                    self.joined_by.setdefault(other, (1.0, "merged in people.toml"))
                decisions.append((known[0], other, math.inf, "listed together in people.toml", "merged by override"))
        for left, right, score, evidence, profiles_fitting in candidates:
            if self.find(left) == self.find(right):
                decision = "merged" if score >= MERGE_SCORE else "already one person"
            elif score < MERGE_SCORE:  # a pair the user rejected is not suggested again
                decision = "kept apart: split in people.toml" if self.is_split(left, right) else "suggested"
            elif profiles_fitting > 1:
                decision = f"suggested: fits {profiles_fitting} LinkedIn profiles as well"
            else:
                decision = self.why_apart(left, right) or "merged"
                if decision == "merged":
                    self.union(left, right)
                    for key in (left, right):
                        self.joined_by.setdefault(key, (probability(score), evidence))
            decisions.append((left, right, score, evidence, decision))
        return decisions

    def person_ids(self) -> dict[str, str]:
        """A person's id is derived from the smallest identity key among theirs: stable while the
        evidence that formed the person does not change."""
        ids = {}
        for root, members in self.members.items():
            person_id = "p_" + hashlib.sha256(min(members).encode()).hexdigest()[:12]
            ids.update((member, person_id) for member in members)
        return ids


def probability(score: float) -> float:
    if math.isinf(score):
        return 1.0
    return 1 / (1 + 2 ** -(score + PRIOR_LOG_ODDS))


def _write(con, clusters: _Clusters, decisions, profiles, close: tuple[str, ...]) -> PeopleSummary:
    person_ids = clusters.person_ids()
    con.execute("delete from pinned_people")
    pinned = sorted({(person_ids[key], key) for key in close if key in person_ids})
    if pinned:
        con.executemany("insert into pinned_people values (?, ?)", pinned)
    sizes = {root: len(members) for root, members in clusters.members.items()}
    rows: dict[str, list] = {"identity_key": [], "person_id": [], "evidence": [], "confidence": []}
    for key, person_id in person_ids.items():
        root = clusters.find(key)
        linked = clusters.joined_by.get(key)
        rows["identity_key"].append(key)
        rows["person_id"].append(person_id)
        if linked:
            rows["evidence"].append(linked[1])
            rows["confidence"].append(linked[0])
        else:
            rows["evidence"].append("only identity of this person" if sizes[root] == 1 else "exact key")
            rows["confidence"].append(1.0)
    _temp_table(con, "resolved", pa.table(rows, schema=pa.schema([
        ("identity_key", pa.string()), ("person_id", pa.string()), ("evidence", pa.string()),
        ("confidence", pa.float64())])))
    con.execute("delete from identities")
    con.execute("""
        insert into identities
        select p.identity_key, p.kind, p.display_name, p.role, r.person_id,
               coalesce(r.evidence, p.role_evidence), coalesce(r.confidence, 1.0),
               p.sightings, p.first_seen_at, p.last_seen_at
        from identity_profiles as p left join resolved as r using (identity_key)
    """)
    _temp_table(con, "decisions", pa.table(
        [list(column) for column in zip(*decisions)] if decisions else [[]] * 5,
        schema=pa.schema([("left_key", pa.string()), ("right_key", pa.string()), ("score", pa.float64()),
                          ("evidence", pa.string()), ("decision", pa.string())])))
    con.execute("delete from identity_matches")
    con.execute("""
        insert into identity_matches
        select distinct on (match_id) 'm_' || left(sha256(left_key || ' ' || right_key), 12) as match_id,
               left_key, right_key, score, 1 / (1 + pow(2, -(score + ?))), evidence, decision
        from decisions order by match_id, score desc
    """, [PRIOR_LOG_ODDS])
    roles = dict(con.execute("select role, count(*) from identities group by role").fetchall())
    outcome = dict(con.execute("select decision, count(*) from identity_matches group by decision").fetchall())
    return PeopleSummary(
        identities=len(profiles), people=len(set(person_ids.values())), owner_identities=roles.get("owner", 0),
        automated_identities=roles.get("automated", 0), merged_automatically=outcome.get("merged", 0),
        suggestions=outcome.get("suggested", 0),
        kept_apart={k: v for k, v in outcome.items() if k.startswith("kept apart")})


def _temp_table(con, name: str, table: pa.Table) -> None:
    con.register(f"{name}_arrow", table)
    try:
        con.execute(f"create or replace temp table {name} as select * from {name}_arrow")
    finally:
        con.unregister(f"{name}_arrow")


def _nickname_groups(con) -> None:
    """(name, canonical) for every name in the `nicknames` package's table: two first names are
    equivalent when they share a canonical name."""
    names_csv = resources.files("nicknames") / "names.csv"
    with resources.as_file(names_csv) as path:
        con.execute("""
            create or replace temp table nickname_groups as
            select distinct name, canonical from (
                select lower(name1) as canonical, lower(name2) as name from read_csv(?, header = true, all_varchar = true)
                union all
                select lower(name1), lower(name1) from read_csv(?, header = true, all_varchar = true)
            )""", [str(path), str(path)])


def _statement(name: str) -> str:
    return (_sql("people") / f"{name}.sql").read_text(encoding="utf-8")


def _sql(folder: str):
    return resources.files("pipelines") / "sql" / folder


def refresh_people(con: duckdb.DuckDBPyConnection, config: Config) -> PeopleSummary:
    """Re-resolves people from everything ingested and people.toml, in one transaction."""
    overrides = load_overrides(overrides_path(config))
    with transaction(con, memory_limit=BUILD_MEMORY_LIMIT):
        summary = build_people(con, config, overrides)
        refresh_tables(con)  # interactions and threads, from the identities just built
        return summary
