"""Identity resolution: quality on generated worlds, and speed at the scale of a big network.

    .venv/bin/python benchmarks/bench_people.py            # quality on several seeds (a minute)
    .venv/bin/python benchmarks/bench_people.py --speed    # 50,000-people world (several minutes)

Quality: pairwise precision and recall over identity keys against the world's truth, automated
senders that became people, owner identities that became people. Speed: the people build on a
world of 50,000 people (about 30,000 LinkedIn connections against tens of thousands of e-mail
identities), beside the time DuckDB takes merely to count the candidate pairs' blocks, as a baseline.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors.demo import generate_world  # noqa: E402
from pipelines.config import load_config  # noqa: E402
from pipelines.ingest import ingest  # noqa: E402
from pipelines.people import Overrides, build_people, refresh_people  # noqa: E402
from pipelines.validation import identity_quality  # noqa: E402
from pipelines.warehouse import connect_writer  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
END = dt.date(2026, 11, 23)
SEEDS = (1, 2, 3, 4, 5)


_OPEN_WORLDS = contextlib.ExitStack()


def loaded_world(people: int, seed: int):
    """A generated world, ingested once into its own database (cached under benchmarks/out)."""
    folder = OUT / f"people-{people}-seed-{seed}"
    done = folder / ".loaded"
    paths = None
    if not done.exists():
        paths = generate_world(folder, people=people, seed=seed, end=END)
    config = load_config(folder / "tiekeeper.toml", required=True)
    # Kept open for the caller, who closes it; the writer lock is released when the benchmark exits.
    con = _OPEN_WORLDS.enter_context(connect_writer(folder / "tiekeeper.duckdb", timezone=config.owner.timezone))
    if paths is not None:
        for source in ("linkedin", "mbox", "ics"):
            ingest(con, source, config.source_paths(source), config, show_progress=False)
        done.write_text("")
    return con, config, folder / "truth.json"


def quality(people: int) -> None:
    print("| world (people, seed) | identities | true pairs | precision | recall | automated as people | owner as people |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for seed in SEEDS:
        con, config, truth = loaded_world(people, seed)
        con.begin()
        build_people(con, config, Overrides())
        con.commit()
        q = identity_quality(con, truth)
        print(f"| {people}, {seed} | {q.identities:,} | {q.true_pairs:,} | {q.precision:.3f} | {q.recall:.3f} | "
              f"{q.automated_people} | {q.owner_people} |", flush=True)
        con.close()


def speed() -> None:
    con, config, _ = loaded_world(50_000, 1)
    counts = con.execute("""select (select count(*) from stg_linkedin__connections),
                                   (select count(distinct email_key(party.email)) from (
                                       select unnest(list_concat([from_address], to_addresses, cc_addresses)) as party
                                       from stg_mbox__messages))""").fetchall()[0]
    started = time.perf_counter()
    con.execute("select count(*) from int_identity_sightings").fetchall()  # the baseline: one scan of everything
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    summary = refresh_people(con, config)
    seconds = time.perf_counter() - started
    print(f"{counts[0]:,} LinkedIn connections, {counts[1]:,} e-mail identities")
    print(f"scanning every sighting once: {baseline:.2f} s; the people build: {seconds:.2f} s "
          f"({seconds / baseline:.1f}x the scan)")
    peak = next(line.split()[1] for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmHWM:"))
    print(summary.line())
    print(f"peak RSS of the whole run: {int(peak) / 1024:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", action="store_true", help="time the build on a 50,000-people world")
    parser.add_argument("--people", type=int, default=300, help="world size for the quality table")
    args = parser.parse_args()
    speed() if args.speed else quality(args.people)


if __name__ == "__main__":
    main()
