"""The weekly run's speed: `tiekeeper run` on the demo world against the same stages as plain
function calls side by side, so that Prefect's own cost shows.

    .venv/bin/python benchmarks/bench_run.py [--people 300] [--seed 7]

Prints one table: per stage, the plain pipeline in-process (the baseline) and `tiekeeper run` as a
user starts it (a new process, Prefect's temporary server included): the very first run (Prefect
migrates its fresh database), a first run of a new database with Prefect's home already set up,
and a second run with unchanged sources. Times are wall-clock seconds on this machine; compare
ratios, not absolute figures.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors.demo import generate_world
from pipelines.config import load_config
from pipelines.deliveries import report_addresses
from pipelines.ingest import ingest
from pipelines.metrics import refresh_metrics
from pipelines.people import refresh_people
from pipelines.warehouse import connect_reader, connect_writer
from reports.weekly import make_report

TIEKEEPER = Path(sys.executable).parent / "tiekeeper"
STAGES = ("ingest linkedin", "ingest mbox", "ingest ics", "people and metrics", "report")


def plain(config, db: Path) -> dict[str, float]:
    """The same work as the flow, as plain calls in this process."""
    seconds = {}
    with connect_writer(db, timezone=config.owner.timezone) as con:
        for source in ("linkedin", "mbox", "ics"):
            started = time.perf_counter()
            ingest(con, source, config.source_paths(source), config, show_progress=False)
            seconds[f"ingest {source}"] = time.perf_counter() - started
        started = time.perf_counter()
        refresh_people(con, config)
        refresh_metrics(con, config)
        seconds["people and metrics"] = time.perf_counter() - started
    started = time.perf_counter()
    sender, recipients = report_addresses(config)
    with connect_reader(db, timezone=config.owner.timezone) as con:
        make_report(con, db.parent / "reports", owner_tz=config.owner.tz, sender=sender, recipients=recipients)
    seconds["report"] = time.perf_counter() - started
    seconds["total"] = sum(seconds.values())
    return seconds


def cli_run(config_path: Path, db: Path, prefect_home: Path) -> dict[str, float]:
    """`tiekeeper run` in a new process; its stage times from the line it ends with."""
    env = {**os.environ, "PREFECT_HOME": str(prefect_home)}
    env.pop("PREFECT_API_URL", None)
    started = time.perf_counter()
    result = subprocess.run([str(TIEKEEPER), "--config", str(config_path), "--db", str(db), "run", "--no-send"],
                            capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(result.stderr)
    line = result.stdout.strip().splitlines()[-1]
    seconds = {stage: float(s) for stage, s in re.findall(r"([a-z][a-z ]+?) (\d+\.\d) s", line.split(": ", 1)[1])}
    seconds["total"] = float(line.split(" s in the flow")[0])
    seconds["process"] = wall
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        world = generate_world(scratch / "world", people=args.people, seed=args.seed, end=dt.date.today())
        config = load_config(world.config, required=True)
        baseline = plain(config, scratch / "plain" / "tiekeeper.duckdb")
        home = scratch / "prefect"
        very_first = cli_run(world.config, scratch / "first" / "tiekeeper.duckdb", home)
        first = cli_run(world.config, scratch / "run" / "tiekeeper.duckdb", home)
        second = cli_run(world.config, scratch / "run" / "tiekeeper.duckdb", home)

    runs = (("plain calls (baseline)", baseline), ("`tiekeeper run`, Prefect's first ever", very_first),
            ("`tiekeeper run`, new database", first), ("`tiekeeper run`, unchanged sources", second))
    print(f"demo world: {args.people} people, seed {args.seed}\n")
    print("| stage | " + " | ".join(name for name, _ in runs) + " |")
    print("| --- |" + " ---: |" * len(runs))
    for stage in STAGES + ("total",):
        print(f"| {stage} | " + " | ".join(f"{r.get(stage, 0):.2f}" for _, r in runs) + " |")
    print("| whole process (imports, Prefect start-up, flow) | – | "
          + " | ".join(f"{r['process']:.2f}" for _, r in runs[1:]) + " |")
    ingest_first = sum(first[s] for s in STAGES[:3])
    ingest_second = sum(second[s] for s in STAGES[:3])
    print(f"\nflow overhead over plain calls (new database): {first['total'] - baseline['total']:+.2f} s "
          f"({first['total'] / baseline['total']:.2f}x)")
    print(f"start-up outside the flow (imports, temporary server): {first['process'] - first['total']:.2f} s, "
          f"first ever {very_first['process'] - very_first['total']:.2f} s")
    print(f"second run's ingest: {ingest_second:.2f} s = {ingest_second / ingest_first:.1%} of the first run's "
          f"{ingest_first:.2f} s")


if __name__ == "__main__":
    main()
