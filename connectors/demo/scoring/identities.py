"""How well people resolution recovers a generated world's persons, and `truth_keys`, the world's
identities keyed as the warehouse keys them, that every score here matches through."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from connectors.demo import World, load_truth


@contextlib.contextmanager
def truth_keys(con: duckdb.DuckDBPyConnection, world: World) -> Iterator[None]:
    """Registers `truth_keys(identity_key, true_person)`: each identity the world wrote, keyed the
    way the warehouse keys it, with the world person it belongs to."""
    con.register("truth_identities", pa.table({
        "kind": [i.kind for i in world.identities],
        "value": [i.key for i in world.identities],
        "true_person": [i.person_id for i in world.identities],
    }))
    try:
        con.execute("""
            create or replace temp table truth_keys as
            select distinct
                case kind when 'email' then 'email:' || email_key(value)
                          when 'linkedin_url' then 'linkedin:' || linkedin_slug(value)
                          else 'linkedin_name:' || fold_name(value) end as identity_key,
                true_person
            from truth_identities""")
        yield
    finally:
        con.unregister("truth_identities")
        con.execute("drop table if exists truth_keys")


@dataclass(frozen=True)
class IdentityQuality:
    identities: int  # identities of people in both the truth and the warehouse
    true_pairs: int  # pairs of those that are one human
    found_pairs: int  # pairs the warehouse made one person
    correct_pairs: int
    automated_people: int  # automated senders that became people (must be 0)
    owner_people: int  # owner identities that became people (must be 0)

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.found_pairs if self.found_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0


def identity_quality(con: duckdb.DuckDBPyConnection, truth_path: Path) -> IdentityQuality:
    """Pairwise precision and recall over identity keys, as in the record-linkage literature:
    a pair of identities is "found" when the warehouse gives both the same person."""
    world = load_truth(truth_path)
    with truth_keys(con, world):
        cells = con.execute("""
            with both_sides as (
                select i.identity_key, i.person_id, t.true_person
                from identities as i join truth_keys as t using (identity_key)
                where i.role = 'person'
            )
            select
                count(*) as identities,
                (select sum(n * (n - 1) // 2) from (select count(*) as n from both_sides group by true_person)),
                (select sum(n * (n - 1) // 2) from (select count(*) as n from both_sides group by person_id)),
                (select sum(n * (n - 1) // 2)
                 from (select count(*) as n from both_sides group by person_id, true_person))
            from both_sides""").fetchall()[0]
    automated = [a.address for a in world.automated_senders]
    automated_people = con.execute(
        "select count(*) from identities where role = 'person' and identity_key in "
        "(select 'email:' || email_key(unnest(?::varchar[])))", [automated]).fetchall()[0][0]
    owner_people = con.execute(
        """select count(*) from identities where role = 'person' and (identity_key in
           (select 'email:' || email_key(unnest(?::varchar[])))
           or identity_key = 'linkedin:' || linkedin_slug(?))""",
        [list(world.owner.emails), world.owner.linkedin_url]).fetchall()[0][0]
    return IdentityQuality(cells[0], int(cells[1] or 0), int(cells[2] or 0), int(cells[3] or 0),
                           automated_people, owner_people)
