"""People: one person per human across LinkedIn, e-mail, calendar and address books.

The build reads every identity seen (`int_identity_sightings`), tells the owner's and automated
ones apart, scores candidate pairs in SQL (`sql/people/`: the log odds that two identities are one
person, a name weighed by how many others in this network are expected to bear it), and joins
identities into people here: the user's word first, then what a source says itself (one address-book
card, the address LinkedIn shows for a connection), then scored links from the most to the least
certain, never putting into one person two LinkedIn profiles, two identities the user split, two
addresses seen on one message or in one meeting, or two companies with nothing linking them. It
rewrites `identities` and `identity_matches`; the `people` view reads them.
"""
from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import unicodedata
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from connectors import command
from pipelines import namesakes
from pipelines.config import Config, ConfigError, Overrides, load_overrides_file
from pipelines.derived import fingerprint, raw_fingerprint, record, recorded
from pipelines.lookup import suggestions_query
from pipelines.warehouse import create_macros, machine_resources, refresh_tables, within_budget

# How often each way of agreeing occurs between one human's identities (the Fellegi-Sunter m
# probability), as log2. How often it occurs by chance between two humans (u) is not a constant: it
# is measured on the network itself (how common the name is here, smoothed towards a census table;
# how many identities share the domain), see sql/people/identity_candidates.sql.
MATCH_WEIGHTS = {
    ("name", "same name"): math.log2(0.85),
    ("name", "same name (in the address)"): math.log2(0.85),
    ("name", "same name, other order"): math.log2(0.05),  # Wang Wei and Wei Wang: a transliteration
    ("name", "nickname"): math.log2(0.05),
    ("name", "same name, one surname"): math.log2(0.05),  # José García for José García López
    ("name", "initial"): math.log2(0.03),
    ("name", "initial (in the address)"): math.log2(0.85),  # aschafer@ for Andrew Schäfer
    ("name", "first name and initial (in the address)"): math.log2(0.85),
    ("name", "first name only (in the address)"): math.log2(0.85),  # rebecca@ at her company
    ("name", "surname only (in the address)"): math.log2(0.85),  # lopez@ at his university
    ("name", "similar last name"): math.log2(0.02),
    ("name", "similar first name"): math.log2(0.02),
    ("name", "other first name"): math.log2(0.02),
    ("name", "other name"): math.log2(0.03),
    ("name", "unknown"): 0.0,
    ("address", "same local part"): math.log2(0.3),  # jdoe@work, jdoe@gmail
    ("company", "same domain"): math.log2(0.85),
    ("company", "domain is the company"): math.log2(0.8),
    ("company", "same company"): math.log2(0.8),  # a personal address its card puts at the company
    ("company", "personal address"): 0.0,
    ("company", "other domain"): math.log2(0.1),  # people change jobs, but rarely
    ("company", "domain is not the company"): math.log2(0.15),  # LinkedIn shows the new job, mail the old
    ("company", "unknown"): 0.0,
    ("mail", "wrote in one thread"): math.log2(0.3 / 0.01),
    ("mail", "one replaced the other"): math.log2(0.9 / 0.3),
    ("mail", "in use at the same time"): math.log2(0.1 / 0.7),
}
MERGE_PROBABILITY = 0.95  # linked automatically from here on (most links are far surer: precision stays higher)
SUGGEST_PROBABILITY = 0.2  # shown by `tiekeeper people suggest` from here on
MERGE_SCORE = math.log2(MERGE_PROBABILITY / (1 - MERGE_PROBABILITY))
SUGGEST_SCORE = math.log2(SUGGEST_PROBABILITY / (1 - SUGGEST_PROBABILITY))
# A name's share in the network is its count among the network's named identities plus this many
# identities drawn from the census table: the census speaks for small networks, the network for big.
NAME_PRIOR_WEIGHT = 100
RARE_NAME_SHARE = 1e-5  # a name the census does not list: about its rarest entries
# The frequencies' namesakes are scaled by how many the network's LinkedIn profiles show (names two
# profiles share) against how many they predict, both plus this many names: a small network that
# shows none keeps the frequencies.
NAMESAKE_PRIOR_NAMES = 3
# A domain's share is smoothed the same way, towards a typical organisation's share of a network.
DOMAIN_PRIOR_SHARE = 0.01
# A name fewer other people here are expected to bear than this is rare: at two companies it needs
# no other link (a job change), unless two work addresses were in use at once (CONCURRENT_DAYS).
RARE_NAME_NAMESAKES = 0.01
# An identity that fits two people is left to the user unless one fits this much better (log2 odds).
CLEAR_WINNER_BITS = 6.0
# Two work addresses at different companies in use for longer than this at once are two people.
CONCURRENT_DAYS = 90
# DuckDB would take up to 80% of the machine for the million candidate pairs of a 50,000-people
# network; capped, the build runs in about the same time (benchmarks/bench_people.py). The cap also
# holds the interactions and threads rebuilt in the same transaction, which need the most. It is
# what the run budget leaves beside the rest of the process (warehouse.within_budget), and where
# that is too little for this network, the machine's build limit (warehouse.duckdb_resources).
BUILD_MEMORY_LIMIT = machine_resources().build_memory_limit


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


def load_overrides(path: Path) -> Overrides:
    """people.toml (read and checked by pipelines/config.py) with every identity as its key."""
    written = load_overrides_file(path)

    def keys(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(identity_key(v, where=path) for v in values)

    return dataclasses.replace(written, merge=tuple(keys(v) for v in written.merge),
                               split=tuple(keys(v) for v in written.split), ignore=keys(written.ignore),
                               close=keys(written.close))


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
        create_macros(con, "email_key", "fold_name", "linkedin_slug")
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


def record_owner(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    """The owner's name, addresses and time zone, as the sightings and the views read them."""
    owner = config.owner
    con.execute("delete from owner_settings")
    con.execute("insert into owner_settings values (?, ?, ?)", [owner.name, list(owner.emails), owner.timezone])


@contextmanager
def sightings_cached(con: duckdb.DuckDBPyConnection):
    """Within it, `int_identity_sightings` is a copy of itself: a temp table of that name, which DuckDB
    reads before the view of the database. The view unnests every message's parties, and the build
    and the profiles rebuilt after it read it several times. Inside a transaction, where nothing else
    writes, after `record_owner` (a sighting's day is the owner's); a copy already there is used as
    it is, and dropped by whoever made it."""
    if con.execute("select 1 from duckdb_tables() where temporary and table_name = 'int_identity_sightings'"
                   ).fetchall():
        yield
        return
    con.execute("create temp table int_identity_sightings as select * from main.int_identity_sightings")
    try:
        yield
    finally:
        with suppress(duckdb.Error):  # (a failed transaction took the copy with it)
            con.execute("drop table if exists temp.int_identity_sightings")


def build_people(con: duckdb.DuckDBPyConnection, config: Config, overrides: Overrides) -> PeopleSummary:
    """Rebuilds `identities` and `identity_matches` from everything ingested; call inside a transaction."""
    record_owner(con, config)
    _temp_table(con, "ignored_identities", pa.table({"identity_key": pa.array(overrides.ignore, pa.string())}))
    _temp_table(con, "match_weights", pa.table({"feature": [f for f, _ in MATCH_WEIGHTS],
                                                "level": [level for _, level in MATCH_WEIGHTS],
                                                "weight": list(MATCH_WEIGHTS.values())}))
    for name, value in (("name_prior_weight", NAME_PRIOR_WEIGHT), ("rare_name_share", RARE_NAME_SHARE),
                        ("domain_prior_share", DOMAIN_PRIOR_SHARE), ("rare_name_namesakes", RARE_NAME_NAMESAKES),
                        ("namesake_prior_names", NAMESAKE_PRIOR_NAMES),
                        ("suggest_score", SUGGEST_SCORE), ("merge_score", MERGE_SCORE)):
        con.execute(f"set variable {name} = {float(value)!r}")
    _nickname_groups(con)
    _census_names(con)
    with sightings_cached(con):
        _transliterations(con)
        con.execute(_statement("identity_profiles"))
        con.execute(_statement("identity_links"))
        con.execute(_statement("identity_candidates"))
        reweigh_names(con)

    # a work address's company is its domain's organisation: acme.com and acme.de are one company
    profiles = con.execute("""select identity_key, kind, role,
                                     if(kind = 'email' and not is_free_mail,
                                        if(length(domain_letters) >= 3, domain_letters, domain), null),
                                     mail_first_at, mail_last_at from identity_profiles""").fetchall()
    links = con.execute("select left_key, right_key, evidence from identity_links order by all").fetchall()
    candidates = con.execute("""select left_key, right_key, score, evidence, is_role_address,
                                       needs_link and not has_link, has_link or is_rare_name,
                                       company_level in ('personal address', 'unknown')
                                from identity_candidates where score >= getvariable('suggest_score')
                                order by score desc, left_key, right_key""").fetchall()
    conflicts = con.execute("select left_key, right_key from identity_conflicts").fetchall()
    accounts = con.execute("select left_key, right_key from identity_numbered_accounts").fetchall()
    # a common name at two companies that nothing links (a rare name's is a job change), where each may
    # be merged with something and one by an identity that names no company: only then can they meet
    unlinked = con.execute("""
        with strong as (select left_key, right_key, company_level in ('personal address', 'unknown') as bridge
                        from identity_candidates where score >= $merge),
        mergeable as (select left_key as identity_key from strong union select right_key from strong
                      union select left_key from identity_links union select right_key from identity_links
                      union select unnest($forced::varchar[])),
        bridged as (select unnest([left_key, right_key]) as identity_key from strong where bridge)
        select left_key, right_key from identity_candidates
        where needs_link and not has_link and not is_rare_name
          and left_key in (from mergeable) and right_key in (from mergeable)
          and (left_key in (from bridged) or right_key in (from bridged))""",
        {"merge": MERGE_SCORE, "forced": [key for group in overrides.merge for key in group]}).fetchall()
    clusters = _Clusters(profiles, overrides, conflicts, unlinked, accounts)
    decisions = clusters.link(links, candidates)
    return _write(con, clusters, decisions, profiles, overrides.close)


class _Clusters:
    """Union-find over identities, refusing links that would put two people into one: two LinkedIn
    profiles, two identities the user split, two addresses seen together on one message or in one
    meeting, two addresses of one name at one domain told apart by a number, two work addresses at
    different companies in use at the same time, and, through an identity that names no company (a
    personal address), two at different companies that nothing links."""

    def __init__(self, profiles: list[tuple], overrides: Overrides, conflicts: list[tuple[str, str]],
                 unlinked: list[tuple[str, str]], accounts: list[tuple[str, str]]):
        people = [key for key, _, role, *_ in profiles if role == "person"]
        self.kinds = {key: kind for key, kind, *_ in profiles}
        # a work address and when it was in use: (domain, first, last)
        self.work = {key: (domain, first, last) for key, _, role, domain, first, last in profiles
                     if role == "person" and domain and first}
        work_domains = {key: domain for key, _, role, domain, *_ in profiles if role == "person" and domain}
        self.parent = {key: key for key in people}
        self.profiles = {key: {key} if self.kinds[key] == "linkedin_url" else set() for key in people}
        self.members = {key: {key} for key in people}
        self.domains = {key: {work_domains[key]} if key in work_domains else set() for key in people}
        self.apart: dict[str, set[str]] = {}  # identity -> identities it cannot be one person with
        for a, b in [*overrides.split, *conflicts]:
            self.apart.setdefault(a, set()).add(b)
            self.apart.setdefault(b, set()).add(a)
        self.split = {frozenset(pair) for pair in overrides.split}
        self.accounts = {frozenset(pair) for pair in accounts}  # minjunkim@ and minjunkim73@gmail.com
        # identity -> identities at another company (a work address, a LinkedIn profile's employer)
        # that nothing links it to: a personal address of the name matching both does not make them one
        self.unlinked: dict[str, set[str]] = {}
        for a, b in unlinked:
            self.unlinked.setdefault(a, set()).add(b)
            self.unlinked.setdefault(b, set()).add(a)
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
        return any(frozenset((x, y)) in self.split for x in self.members[ra] for y in self.members[rb])

    def why_apart(self, a: str, b: str, linked: bool = False, bridge: bool = False) -> str | None:
        """Why the people of `a` and `b` cannot be one; `linked`: a source or a shared thread links
        the two (then two companies are a job change, not two people); `bridge`: the two agree on no
        company (a personal address), so they cannot join two companies that nothing links."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        pairs = [(x, y) for x in self.members[ra] for y in self.members[rb]]
        if any(frozenset(pair) in self.split for pair in pairs):
            return "kept apart: split in people.toml"
        if self.profiles[ra] and self.profiles[rb]:
            return "kept apart: two LinkedIn profiles"
        if any(y in self.apart.get(x, ()) for x, y in pairs):
            return "kept apart: both on one message or in one meeting"
        if any(frozenset(pair) in self.accounts for pair in pairs):
            return "kept apart: two addresses of the name at one domain, told apart by a number"
        if any(self._concurrent(x, y) for x, y in pairs):
            return "kept apart: work addresses at two companies in use at the same time"
        if not linked and (self.domains[ra] and self.domains[rb] and not self.domains[ra] & self.domains[rb]
                           or bridge and any(y in self.unlinked.get(x, ()) for x, y in pairs)):
            return "kept apart: at two different companies, and nothing links the two"
        return None

    def _concurrent(self, a: str, b: str) -> bool:
        if a not in self.work or b not in self.work:
            return False
        (domain_a, first_a, last_a), (domain_b, first_b, last_b) = self.work[a], self.work[b]
        return domain_a != domain_b and (min(last_a, last_b) - max(first_a, first_b)).days > CONCURRENT_DAYS

    def union(self, a: str, b: str) -> None:
        ra, rb = sorted((self.find(a), self.find(b)))
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        self.profiles[ra] |= self.profiles.pop(rb)
        self.domains[ra] |= self.domains.pop(rb)

    def _join(self, left: str, right: str, probability_: float, evidence: str) -> None:
        self.union(left, right)
        self.joined_by.setdefault(right, (probability_, f"{evidence} (with {left})"))
        self.joined_by.setdefault(left, (probability_, f"{evidence} (with {right})"))

    def _ambiguous(self, candidates: list[tuple], linked: set[frozenset]) -> dict[str, int]:
        """Identities that fit two people equally (a personal address with the name of two
        namesakes at different companies): how many they fit. Left for the user to decide."""
        strong: dict[str, dict[str, float]] = {}
        for left, right, score, _, is_role, needs_link, *_ in candidates:
            if score >= MERGE_SCORE and not is_role and not needs_link:
                strong.setdefault(left, {})[right] = score
                strong.setdefault(right, {})[left] = score
        fits = {}
        for key, partners in strong.items():
            others = sorted(partners, key=lambda other: (-partners[other], other))
            best = partners[others[0]]
            rivals = {y for i, x in enumerate(others) for y in others[i + 1:]
                      if partners[y] > best - CLEAR_WINNER_BITS and y not in strong.get(x, {})
                      and frozenset((x, y)) not in linked and self._distinct(x, y)}
            if rivals:
                fits[key] = len(rivals) + 1
        return fits

    def _distinct(self, a: str, b: str) -> bool:
        """Whether two identities are surely two people, on their own."""
        return (self.kinds.get(a) == self.kinds.get(b) == "linkedin_url" or b in self.apart.get(a, ())
                or frozenset((a, b)) in self.accounts or self._concurrent(a, b))

    def link(self, links: list[tuple[str, str, str]],
             candidates: list[tuple]) -> list[tuple[str, str, float, str, str]]:
        decisions = []
        for group in self.forced:
            known = [key for key in group if key in self.parent]
            for other in known[1:]:
                if self.find(known[0]) != self.find(other):
                    self.union(known[0], other)
                    self.joined_by.setdefault(other, (1.0, "merged in people.toml"))
                decisions.append((known[0], other, math.inf, "listed together in people.toml", "merged by override"))
        for left, right, evidence in links:  # a source's own word: only the user's split or two profiles stop it
            if left not in self.parent or right not in self.parent:
                continue
            apart = self.why_apart(left, right, linked=True)
            if apart in ("kept apart: split in people.toml", "kept apart: two LinkedIn profiles"):
                decisions.append((left, right, math.inf, evidence, apart))
            else:
                if self.find(left) != self.find(right):
                    self._join(left, right, 1.0, evidence)
                decisions.append((left, right, math.inf, evidence, "merged"))
        fits = self._ambiguous(candidates, {frozenset((a, b)) for a, b, _ in links})
        for left, right, score, evidence, is_role, needs_link, linked, bridge in candidates:
            if self.find(left) == self.find(right):
                decision = "merged" if score >= MERGE_SCORE else "already one person"
            elif self.is_split(left, right):  # a pair the user rejected is not suggested again
                decision = "kept apart: split in people.toml"
            elif score < MERGE_SCORE:
                decision = (f"suggested: not sure enough (probability {probability(score):.2f}, "
                            f"merged from {MERGE_PROBABILITY:.2f})")
            elif is_role:
                decision = "suggested: a shared role address (sales@, team@) is nobody's own"
            elif needs_link:
                decision = "suggested: at two different companies, and nothing links the two"
            elif max(fits.get(left, 0), fits.get(right, 0)) > 1:
                decision = f"suggested: fits {max(fits.get(left, 0), fits.get(right, 0))} different people as well"
            else:
                decision = self.why_apart(left, right, linked=linked, bridge=bridge) or "merged"
                if decision == "merged":
                    self._join(left, right, probability(score), evidence)
            decisions.append((left, right, score, evidence, decision))
        return decisions

    def person_ids(self) -> dict[str, str]:
        """A person's id is derived from the smallest identity key among theirs: stable while the
        evidence that formed the person does not change."""
        ids = {}
        for _root, members in self.members.items():
            person_id = "p_" + hashlib.sha256(min(members).encode()).hexdigest()[:12]
            ids.update((member, person_id) for member in members)
        return ids


NAME_GROUP_FIT = pa.schema([("left_key", pa.string()), ("right_key", pa.string()), ("together", pa.float64()),
                            ("identities", pa.int64()), ("people", pa.float64()), ("namesakes", pa.float64())])


def reweigh_names(con: duckdb.DuckDBPyConnection) -> None:
    """Scores again the pairs that agree on their whole name alone, with every identity of the name
    (pipelines/namesakes.py): how many people hold them is fitted on how this network is made."""
    con.execute(_statement("name_groups"))
    evidence: dict[tuple[str, str], tuple[set, set]] = {}
    for left, right, is_together, first, last in con.execute("select * from name_group_evidence").fetchall():
        evidence.setdefault((first, last), (set(), set()))[0 if is_together else 1].add((left, right))
    groups = [namesakes.Group(tuple(keys), tuple(is_profile), by_frequency,
                              *(frozenset(pairs) for pairs in evidence.get((first, last), ((), ()))), excess)
              for first, last, keys, is_profile, by_frequency, excess
              in con.execute("select * from name_groups").fetchall()]
    columns = list(zip(*namesakes.fit(groups).pairs)) or [[]] * len(NAME_GROUP_FIT)
    _temp_table(con, "name_group_fit", pa.table(
        [pa.array(column, kind) for column, kind in zip(columns, NAME_GROUP_FIT.types)], schema=NAME_GROUP_FIT))
    con.execute(_statement("name_group_scores"))
    for table in ("name_groups", "name_group_evidence", "name_group_fit"):  # (the build's peak comes later)
        con.execute(f"drop table {table}")


def probability(score: float) -> float:
    """The probability that two identities are one person, from the score (log2 odds)."""
    if math.isinf(score):
        return 1.0
    return 1 / (1 + 2 ** -score)


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
    # The probability is `probability()`'s, the one definition of it, stored beside its score.
    _temp_table(con, "decisions", pa.table(
        [list(column) for column in zip(*[(*d[:3], probability(d[2]), *d[3:]) for d in decisions])]
        if decisions else [[]] * 6,
        schema=pa.schema([("left_key", pa.string()), ("right_key", pa.string()), ("score", pa.float64()),
                          ("probability", pa.float64()), ("evidence", pa.string()), ("decision", pa.string())])))
    con.execute("delete from identity_matches")
    con.execute("""
        insert into identity_matches
        select distinct on (match_id) 'm_' || left(sha256(left_key || ' ' || right_key), 12) as match_id,
               left_key, right_key, score, probability, evidence, decision
        from decisions order by match_id, score desc
    """)
    roles = dict(con.execute("select role, count(*) from identities group by role").fetchall())
    outcome = dict(con.execute("select decision, count(*) from identity_matches group by decision").fetchall())
    suggestions = con.execute(f"select count(*) from ({suggestions_query()})").fetchall()[0][0]
    return PeopleSummary(
        identities=len(profiles), people=len(set(person_ids.values())), owner_identities=roles.get("owner", 0),
        automated_identities=roles.get("automated", 0), merged_automatically=outcome.get("merged", 0),
        suggestions=suggestions,
        kept_apart={k: v for k, v in outcome.items() if k.startswith("kept apart")})


def _temp_table(con, name: str, table: pa.Table) -> None:
    con.register(f"{name}_arrow", table)
    try:
        con.execute(f"create or replace temp table {name} as select * from {name}_arrow")
    finally:
        con.unregister(f"{name}_arrow")


def _nickname_groups(con) -> None:
    """(name, canonical) from the `nicknames` package's table: two first names are equivalent when
    they share a canonical name. A group is a name and the names it is related to that are no longer
    than it (the table lists some pairs both ways): Bill is in William's group and in Robert's, Bob
    and Rob are one through Robert, but William and Robert are not one name through Bill, nor
    Alexander and Alexandra through Alex."""
    names_csv = resources.files("nicknames") / "names.csv"
    with resources.as_file(names_csv) as path:
        con.execute("""
            create or replace temp table nickname_groups as
            with listed as (select lower(name1) as a, lower(name2) as b
                            from read_csv(?, header = true, all_varchar = true)),
            related as (select a, b from listed union select b, a from listed)
            select a as canonical, b as name from related where length(a) >= length(b) and a <> b
            union
            select a, a from related""", [str(path)])


def _census_names(con) -> None:
    """(kind, name, share) of first and last names in the US Census tables the `names` package
    ships (1990: 88,799 surnames, 5,494 first names): how common a name is, before this network
    says so itself."""
    folder = resources.files("names")
    with resources.as_file(folder / "dist.all.last") as last, resources.as_file(folder / "dist.male.first") as male, \
            resources.as_file(folder / "dist.female.first") as female:
        con.execute("""
            create or replace temp table census_names as
            with lines as (
                select kind, regexp_split_to_array(trim(line), '\\s+') as cells
                from (select 'last' as kind, column0 as line
                      from read_csv(?, header = false, sep = '\t', columns = {'column0': 'varchar'})
                      union all select 'first', column0
                      from read_csv(?, header = false, sep = '\t', columns = {'column0': 'varchar'})
                      union all select 'first', column0
                      from read_csv(?, header = false, sep = '\t', columns = {'column0': 'varchar'}))
            )
            select kind, fold_name(cells[1]) as name,
                   -- percent of people; first names per sex, so half of it among everyone
                   sum(cells[2]::double / 100 * if(kind = 'first', 0.5, 1)) as share
            from lines where len(cells) >= 2 and fold_name(cells[1]) is not null
            group by all""", [str(last), str(male), str(female)])


NON_LATIN = r"[^\x{0000}-\x{024F}\x{1E00}-\x{1EFF}]"  # a character beyond Latin's blocks (or an emoji)


def _transliterations(con) -> None:
    """(name, latin) for the display names in other scripts (王伟, Иван Петров), spelled in Latin
    letters by `anyascii`; syllables it writes as one word are split (WangWei: Wang Wei)."""
    from anyascii import anyascii
    names = [name for (name,) in con.execute(
        "select distinct display_name from int_identity_sightings where display_name is not null "
        "and regexp_matches(display_name, ?)", [NON_LATIN]).fetchall()]
    names = [name for name in names if any(c.isalpha() and not unicodedata.name(c, "").startswith("LATIN")
                                           for c in name)]  # letters of another script, not just an emoji
    # symbols (an emoji after the name) are dropped rather than spelled out (":seedling:")
    latin = [re.sub(r"(?<=[a-z])(?=[A-Z])", " ", anyascii("".join(
        c for c in name if not unicodedata.category(c).startswith("S")))).strip() for name in names]
    _temp_table(con, "transliterations", pa.table({"name": pa.array(names, pa.string()),
                                                   "latin": pa.array(latin, pa.string())}))


def _statement(name: str) -> str:
    return (_sql("people") / f"{name}.sql").read_text(encoding="utf-8")


def _sql(folder: str):
    return resources.files("pipelines") / "sql" / folder


def refresh_people(con: duckdb.DuckDBPyConnection, config: Config, *, full: bool = False) -> PeopleSummary:
    """Re-resolves people from everything ingested and people.toml, in one transaction; skipped when
    none of it changed since the last build (`full`: build anyway)."""
    path = config.people_path
    overrides = load_overrides(path)
    owner = config.owner
    inputs = fingerprint(raw_fingerprint(con), path.read_text(encoding="utf-8") if path.exists() else "",
                         owner.name, sorted(owner.emails), owner.timezone)
    if not full and (kept := recorded(con, "people", inputs)) is not None:
        return PeopleSummary(**kept)

    def build() -> PeopleSummary:
        record_owner(con, config)  # first: the sightings' days are the owner's
        with sightings_cached(con):  # read by the build and by the person profiles
            summary = build_people(con, config, overrides)
            refresh_tables(con)  # interactions and threads, from the identities just built
        record(con, "people", inputs, asdict(summary))
        return summary

    return within_budget(con, "people", build, ceiling=BUILD_MEMORY_LIMIT)
