"""How fast the metric views recompute over 5 million interactions of 20,000 people.

    .venv/bin/python benchmarks/bench_metrics_speed.py [--interactions 5000000] [--people 20000]

A database with the real schema, whose `int_interactions` (the view every metric reads) is replaced
by a table of synthetic interactions: per person a tie strength drawn from a long-tailed
distribution decides how many interactions they get over three years; channels, directions and
weights follow docs/metrics.md's table. Then, side by side on the same data:

- baseline: the equivalent plain aggregate, one decayed sum per person;
- every metric view (relationship_strength with its 28-day trend, cadence and follow_ups,
  network_growth), fully fetched;
- the weekly strength_history rebuild (26 weeks).

Target (issue 4): every metric under 5 s on 2 cores; DuckDB does the equivalent aggregate in under 1 s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.config import Config
from pipelines.metrics import METRIC_DEFAULTS, _rebuild_history, write_settings
from pipelines.warehouse import connect_writer, set_as_of

AS_OF = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)


def synthetic_interactions(con, interactions: int, people: int) -> None:
    con.execute(f"""
        create or replace table ties as
        select 'p_' || i as person_id, pow(random(), 3) as pull  -- few strong ties, many weak ones
        from range({people}) as r(i);

        drop view if exists int_interactions;
        create table int_interactions as
        with drawn as (
            select t.person_id, random() as u, random() as v
            from (select person_id, pull, pull / sum(pull) over () as share from ties) as t,
                 range(greatest(1, round(t.share * {interactions})::bigint)) as r(k)
        ),
        typed as (
            select
                person_id,
                timestamptz '{AS_OF.isoformat()}' - to_seconds((pow(u, 0.7) * 3 * 365 * 86400)::bigint) as occurred_at,
                case when v < 0.55 then 'email' when v < 0.8 then 'meeting' when v < 0.95 then 'linkedin_message'
                     else 'linkedin_connection' end as channel,
                v
            from drawn
        )
        select
            person_id, occurred_at, channel,
            case when channel = 'meeting' or channel = 'linkedin_connection' then 'both'
                 when v * 1000 % 2 < 1 then 'out' else 'in' end as direction,
            'bench' as source, 'ref' as source_ref, null::varchar as thread_ref,
            case when channel = 'meeting' then 2 + (v * 1000 % 12)::int else 1 end as group_size,
            'to' as role,
            channel in ('email', 'linkedin_message') as is_direct,
            case channel when 'meeting' then 3.0 / greatest(1, (v * 1000 % 12)::int) when 'linkedin_connection' then 0.5
                         else 0.7 end as weight,
            'synthetic' as weight_reason,
            1.0 as undiscounted_weight,
            true as counts_toward_score
        from typed;
    """)


def timed(con, sql: str) -> tuple[float, int]:
    started = time.perf_counter()
    rows = con.execute(sql).fetchall()
    return time.perf_counter() - started, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=5_000_000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--no-history", action="store_true", help="skip the (slow) history rebuild")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, connect_writer(Path(scratch) / "bench.duckdb") as con:
        write_settings(con, dict(METRIC_DEFAULTS))
        synthetic_interactions(con, args.interactions, args.people)
        count, people = con.execute("select count(*), count(distinct person_id) from int_interactions").fetchall()[0]
        set_as_of(con, AS_OF)
        history_started = time.perf_counter()
        if not args.no_history:
            _rebuild_history(con, int(METRIC_DEFAULTS["history_weeks"]), AS_OF, Config().owner.tz)
        history = time.perf_counter() - history_started
        print(f"{count:,} interactions of {people:,} people\n")
        print("| query | seconds | rows |\n| --- | ---: | ---: |")
        baseline, _ = timed(con, """select person_id, sum(weight * pow(2, -date_diff('second', occurred_at, as_of())
                                                            / 86400.0 / 90)) from int_interactions group by all""")
        print(f"| baseline: one decayed sum per person | {baseline:.2f} | |")
        total = 0.0
        for view in ("relationship_strength", "cadence", "follow_ups", "network_growth"):
            seconds, rows = timed(con, f"select * from {view}")
            total += seconds
            print(f"| `{view}` | {seconds:.2f} | {rows:,} |")
        print(f"| every metric view | {total:.2f} ({total / baseline:.1f}x the baseline) | |")
        print(f"| strength_history rebuild, {int(METRIC_DEFAULTS['history_weeks'])} weeks | {history:.2f} | |")


if __name__ == "__main__":
    main()
