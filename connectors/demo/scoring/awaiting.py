"""How well `awaiting_reply` recovers a generated world's threads that wait on a reply.

The world (`connectors.demo`) knows which direct thread waits on whom at its "now": the last
message asks something (no "thanks!", no FYI) and is at most 30 days old, however fresh. Used to
measure the view on generated worlds; the pipeline itself never sees the truth.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from connectors.demo import load_truth
from connectors.demo.scoring.identities import truth_keys


@dataclass(frozen=True)
class AwaitingQuality:
    truth: int  # the world's waiting (thread, person, side) entries
    found: int  # rows of awaiting_reply
    correct: int  # rows that are a truth entry
    recalled: int  # truth entries that are a row

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.recalled / self.truth if self.truth else 1.0


def awaiting_reply_quality(con: duckdb.DuckDBPyConnection, truth_path: Path) -> AwaitingQuality:
    """Precision and recall of `awaiting_reply` as of the world's "now" (set as the `as_of`
    variable here). A row is correct when the world has an entry with the same thread (Gmail
    thread id or LinkedIn conversation id), the same side (`waiting_on`) and the same person: one
    of the world person's identities belongs to the row's `person_id`."""
    world = load_truth(truth_path)
    truth = pa.table({
        "thread_ref": [a.thread for a in world.awaiting_reply],
        "true_person": [a.person_id for a in world.awaiting_reply],
        "waiting_on": [a.waiting_on for a in world.awaiting_reply],
    })
    con.register("truth_awaiting", truth)
    previous_as_of = con.execute("select getvariable('as_of')").fetchall()[0][0]
    con.execute("set variable as_of = ?::timestamptz", [world.now])
    try:
        with truth_keys(con, world):
            found, correct, recalled = con.execute("""
                with persons as (  -- our person of each of the world's identities
                    select distinct t.true_person, i.person_id
                    from truth_keys as t join identities as i using (identity_key)
                    where i.role = 'person'
                ),
                matched as (
                    select a.thread_ref, a.waiting_on, a.person_id, t.true_person
                    from awaiting_reply as a
                    join truth_awaiting as t using (thread_ref, waiting_on)
                    join persons as p on p.true_person = t.true_person and p.person_id = a.person_id
                )
                select (select count(*) from awaiting_reply),
                       (select count(distinct (thread_ref, waiting_on, person_id)) from matched),
                       (select count(distinct (thread_ref, waiting_on, true_person)) from matched)
            """).fetchall()[0]
    finally:
        if previous_as_of is None:
            con.execute("reset variable as_of")
        else:
            con.execute("set variable as_of = ?", [previous_as_of])
        con.unregister("truth_awaiting")
    return AwaitingQuality(len(world.awaiting_reply), found, correct, recalled)
