"""Reading fast: `tiekeeper sql` beside the DuckDB CLI on the same file, and `tiekeeper report`, each
run in a process of its own, so that start-up, imports and peak memory count as a user meets them.

    .venv/bin/python benchmarks/bench_read.py [DB] [--config FILE] [--as-of DATE] [--runs 5]
    .venv/bin/python benchmarks/bench_read.py --people 5000 --years 5

Without DB, a generated world (by default 5,000 people over five years: some 160,000 messages) is
loaded once into its own database under benchmarks/out/ and reused, its report as of the world's
end. With DB, the config is --config, else a tiekeeper.toml beside the database or in the folder
above it (tiekeeper's own layout), else none. The DuckDB CLI is the `duckdb` that `pip install
duckdb-cli` installs (a dev dependency); without it the baseline is the duckdb Python package in a
new interpreter, and the table says so.

Prints one markdown table: for each command the best of --runs wall-clock times (the machine is
shared: the best run is the least disturbed), its CPU time, its peak RSS, and the ratio to the
baseline or to the target of issue 16 (first row under 0.5 s, the report under 3 s).
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "benchmarks" / "out"
END = dt.date(2026, 11, 23)  # the generated world's now
NOW = dt.datetime.combine(END, dt.time(), dt.timezone.utc)
TIEKEEPER = Path(sys.executable).parent / "tiekeeper"
QUERY = "select count(*) from people"
SQL_TARGET, REPORT_TARGET = 0.5, 3.0  # seconds (issue 16, "Read fast")


@dataclass(frozen=True)
class Run:
    seconds: float  # wall clock, the best run
    cpu: float  # user + system of that run
    peak_mb: float


def world(people: int, years: int, seed: int = 1) -> tuple[Path, Path]:
    """A generated world loaded once into its own database (cached under benchmarks/out)."""
    folder = OUT / f"read-{people}-{years}y-seed-{seed}"
    if not (folder / ".loaded").exists():
        print(f"Generating and loading a world of {people:,} people over {years} years in {folder} ...",
              file=sys.stderr, flush=True)
        # In a process of its own: the commands measured are started from this one, and a child
        # starts with its parent's memory counted in its peak RSS.
        loader = multiprocessing.get_context("spawn").Process(target=_load, args=(folder, people, years, seed))
        loader.start()
        loader.join()
        if loader.exitcode:
            raise SystemExit(f"loading the world into {folder} failed")
    return folder / "tiekeeper.duckdb", folder / "tiekeeper.toml"


def _load(folder: Path, people: int, years: int, seed: int) -> None:
    """Generates the world into `folder` and loads it: every file source ingested, people resolved,
    metrics computed as of the world's end."""
    from connectors.demo import generate_world
    from pipelines.config import load_config
    from pipelines.ingest import ingest
    from pipelines.metrics import refresh_metrics
    from pipelines.people import refresh_people
    from pipelines.warehouse import connect_writer

    shutil.rmtree(folder, ignore_errors=True)
    generate_world(folder, people=people, seed=seed, end=END, history_weeks=years * 52 + 1)
    config = load_config(folder / "tiekeeper.toml", required=True)
    with connect_writer(folder / "tiekeeper.duckdb", timezone=config.owner.timezone) as con:
        for source in ("linkedin", "mbox", "ics"):
            ingest(con, source, config.source_paths(source), config, now=NOW, show_progress=False)
        refresh_people(con, config)
        refresh_metrics(con, config, as_of=NOW)
    (folder / ".loaded").write_text("")


def timed(command: list[str], runs: int) -> Run:
    """The best of `runs` runs of `command`, each in a new process (its output discarded)."""
    best = None
    for _ in range(runs):
        with tempfile.TemporaryFile() as errors:
            started = time.perf_counter()
            child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
            _, status, usage = os.wait4(child.pid, 0)  # this child's own CPU time and peak RSS
            seconds = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode:
                errors.seek(0)
                raise SystemExit(f"{' '.join(command)} failed:\n{errors.read().decode()}")
        run = Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)
        best = run if best is None or run.seconds < best.seconds else best
    return best


def duckdb_cli() -> list[str] | None:
    """The DuckDB CLI's binary: the one duckdb-cli ships (its `duckdb` script only starts it), else
    a `duckdb` on PATH."""
    try:
        import duckdb_cli
        shipped = Path(duckdb_cli.__file__).parent / "duckdb"
        if shipped.is_file():
            return [str(shipped)]
    except ImportError:
        pass
    on_path = shutil.which("duckdb")
    return [on_path] if on_path else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", nargs="?", type=Path, help="a tiekeeper database (default: a generated world)")
    parser.add_argument("--config", type=Path, help="its config file")
    parser.add_argument("--as-of", dest="as_of", help="the report's as-of date (default: now; a generated "
                                                      "world's end)")
    parser.add_argument("--people", type=int, default=5000, help="the generated world's size")
    parser.add_argument("--years", type=int, default=5, help="the generated world's history")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command; the best counts")
    args = parser.parse_args()

    if args.db is None:
        db, config = world(args.people, args.years)
        as_of = args.as_of or END.isoformat()
    else:
        db, as_of = args.db.resolve(), args.as_of
        config = args.config or next((c for c in (db.parent / "tiekeeper.toml", db.parent.parent / "tiekeeper.toml")
                                      if c.exists()), None)
    options = ["--db", str(db)] + (["--config", str(config)] if config else [])

    cli = duckdb_cli()
    if cli:
        baseline_name = f"DuckDB CLI (`duckdb -readonly DB -c \"{QUERY}\"`)"
        baseline = cli + ["-readonly", str(db), "-c", QUERY]
    else:
        baseline_name = "no DuckDB CLI here: the duckdb Python package, in a new interpreter"
        baseline = [sys.executable, "-c", "import sys, duckdb; "
                    "print(duckdb.connect(sys.argv[1], read_only=True).sql(sys.argv[2]).fetchall())", str(db), QUERY]
    with tempfile.TemporaryDirectory() as scratch:
        first_row = timed(baseline, args.runs)
        sql = timed([str(TIEKEEPER), *options, "sql", QUERY], args.runs)
        report = timed([str(TIEKEEPER), *options, *(["--as-of", as_of] if as_of else []), "report", "--out", scratch],
                       args.runs)

    print(f"\n{db} ({'config ' + str(config) if config else 'no config'}), best of {args.runs} runs, "
          f"{dt.date.today()}:\n")
    print("| command | seconds | CPU seconds | peak RSS | vs. baseline | vs. target |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(_row(baseline_name + " (baseline)", first_row, first_row, None))
    print(_row(f"`tiekeeper sql \"{QUERY}\"`", sql, first_row, SQL_TARGET))
    print(_row("`tiekeeper report`", report, None, REPORT_TARGET))


def _row(name: str, run: Run, baseline: Run | None, target: float | None) -> str:
    versus = f"{run.seconds / baseline.seconds:.1f}x" if baseline else ""
    of_target = f"{run.seconds / target:.2f} of {target:g} s" if target else ""
    return f"| {name} | {run.seconds:.2f} | {run.cpu:.2f} | {run.peak_mb:,.0f} MB | {versus} | {of_target} |"


if __name__ == "__main__":
    main()
