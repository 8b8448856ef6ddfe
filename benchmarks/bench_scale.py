"""A first run at scale, side by side with what it competes with, in one invocation (issue 16).

    .venv/bin/python benchmarks/bench_scale.py --shape 200k   # 5,000 people, 5 years, ~200,000 small messages
    .venv/bin/python benchmarks/bench_scale.py --shape 1m     # 20,000 people, 20 years, ~1,000,000 small messages
    .venv/bin/python benchmarks/bench_scale.py --shape small  # 300 people, 3 years: a quick look

The world comes from `connectors.demo` with plain bodies (small messages, no attachments), generated
once under benchmarks/out/scale-<shape>/; the generation's own time and peak RSS are printed then.
Each step below is a separate child process, timed on the wall clock from start to exit; its peak
RSS is that of the largest process in its tree (`os.wait4`). A step still running after --timeout
seconds is stopped, and one that fails is shown with its exit code; the steps after it still run.

- stdlib:            the baseline: `mailbox.mbox` reading From, To, Cc, Date and Message-ID of
                     every message (bench_mbox.py's workload)
- mbox-to-sqlite:    `mbox-to-sqlite mbox out.db PATH` (PyPI's mbox-to-sqlite, pip-installed into
                     this venv on first use), run in-process with the two changes to the headers
                     it reads that it needs to load this mailbox at all (see `_mbox_to_sqlite`)
- ingest mbox:       `tiekeeper ingest mbox` into a new database, people and metrics included
- ingest mbox again: the same, the file unchanged
- ingest linkedin, ingest ics, people build, report
- sql:               `tiekeeper sql "select count(*) from people"`
- duckdb CLI:        the same query in the DuckDB CLI (duckdb-cli, a dev dependency) on the same file
- run:               `tiekeeper run --no-send` into another new database: the whole first run
- run again:         the same, nothing changed
- run, a week before: a first run into a third database, as of a week before the world's end, with
                     the mailbox as it was then: the file's messages before the first of the last
                     week (a mail program appends; `week_before`)
- run, a week later: the weekly run after it, as of the world's end, with the whole file (at another
                     path, as a new export would be): the week's mail, people and metrics again

Every tiekeeper command runs as of the world's end. Machines are shared and noisy, so the figures
that count are the ratios within one run.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
BIN = Path(sys.executable).parent
END = dt.date(2026, 11, 23)
SHAPES = {  # arguments of generate_world, besides seed=1, end=END and plain_bodies=True
    # 199,843 messages, 162 MB: the 200k shape (199,621 messages, 166 MB)
    "200k": dict(people=5_000, history_weeks=261, mail_scale=1.63),
    # a 20-year owner with 20,000 correspondents: 1,004,269 messages, 801 MB
    "1m": dict(people=20_000, history_weeks=1043, mail_scale=0.87),
    "small": dict(people=300, history_weeks=157, mail_scale=1.0),
}
QUERY = "select count(*) from people"


class Step(NamedTuple):
    name: str
    seconds: float
    peak_rss_mb: float
    last_line: str  # what the command printed last
    outcome: str  # "" when it finished well, else "stopped" (after the timeout) or "failed (exit N)"


def run_step(name: str, command: list, timeout: float) -> Step:
    """Run `command` to its end, or stop it (and whatever it started) after `timeout` seconds."""
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        child = subprocess.Popen([str(part) for part in command], stdout=output, stderr=subprocess.STDOUT,
                                 cwd=ROOT, start_new_session=True)
        timer = threading.Timer(timeout, _stop, (child.pid,))
        timer.start()
        _, status, usage = os.wait4(child.pid, 0)  # the rusage of this child's tree alone
        seconds = time.perf_counter() - started
        timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", errors="replace").strip()
    outcome = ""
    if seconds >= timeout and child.returncode == -signal.SIGKILL:
        outcome = "stopped"
    elif child.returncode:
        outcome = f"failed (exit {child.returncode})"
        print(f"{name} failed: {' '.join(map(str, command))}\n{text[-3000:]}", file=sys.stderr, flush=True)
    return Step(name, seconds, usage.ru_maxrss / 1024, text.splitlines()[-1] if text else "", outcome)


def _stop(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def world(shape: str) -> Path:
    """The shape's world folder, generated (in a child process, measured) unless it is cached."""
    folder = OUT / f"scale-{shape}"
    if not (folder / ".complete").exists():
        print(f"generating the {shape} world in {folder} (once) ...", flush=True)
        step = run_step("generate", [sys.executable, __file__, "--generate", shape], timeout=3600)
        if step.outcome:
            sys.exit(f"generating the world: {step.outcome}")
        print(f"  generated in {step.seconds:.0f} s, peak RSS {step.peak_rss_mb:,.0f} MB", flush=True)
        (folder / ".complete").write_text("")
    return folder


def _generate(shape: str) -> None:
    from connectors.demo import generate_world

    generate_world(OUT / f"scale-{shape}", seed=1, end=END, plain_bodies=True, **SHAPES[shape])


def install_mbox_to_sqlite() -> None:
    """mbox-to-sqlite, installed into this venv from PyPI the first time."""
    if not (BIN / "mbox-to-sqlite").exists():
        print("installing mbox-to-sqlite into this venv (pip install mbox-to-sqlite) ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "mbox-to-sqlite"], check=True)


def _mbox_to_sqlite(db: str, mbox: str) -> None:
    """`mbox-to-sqlite mbox DB MBOX`, with two changes to the headers it reads, which it needs to
    load a real mailbox at all; what it does and costs is otherwise the same.

    As released it stops at "duplicate column name: List-Id" when GitHub writes `List-ID` and
    mailing lists `List-Id` (its columns are header names, which SQLite compares without case): each
    name is spelled here as it was first seen. And sqlite-utils 4 refuses to upsert a message
    without a Message-ID (its key): such a message gets a made-up one.
    """
    import itertools
    import mailbox

    from mbox_to_sqlite.cli import cli

    spelling: dict[str, str] = {}
    made_up = itertools.count(1)
    items = mailbox.mboxMessage.items

    def folded_items(message) -> list[tuple[str, str]]:
        pairs = [(spelling.setdefault(k.lower(), k), v) for k, v in items(message)]
        if message["Message-ID"] is None:
            pairs.append(("Message-ID", f"<no-message-id-{next(made_up)}@bench-scale>"))
        return pairs
    mailbox.mboxMessage.items = folded_items
    cli(["mbox", db, mbox])


def measure(folder: Path, timeout: float) -> list[Step]:
    mbox = next((folder / "Takeout" / "Mail").glob("*.mbox"))
    with open(mbox, "rb") as file:  # warm the page cache so that every reader sees the same
        while file.read(64 << 20):
            pass
    install_mbox_to_sqlite()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        scratch = Path(scratch)
        db, run_db = scratch / "tiekeeper.duckdb", scratch / "run" / "tiekeeper.duckdb"
        tk = [BIN / "tiekeeper", "--config", folder / "tiekeeper.toml", "--db", db]
        as_of = ["--as-of", END.isoformat()]
        run = [BIN / "tiekeeper", "--config", folder / "tiekeeper.toml", "--db", run_db, *as_of,
               "run", "--no-send", "--out", scratch / "run-report"]
        plan = [
            ("stdlib", [sys.executable, ROOT / "benchmarks" / "bench_mbox.py", "--child", "stdlib", mbox, os.devnull]),
            ("mbox-to-sqlite", [sys.executable, __file__, "--mbox-to-sqlite", scratch / "mbox.sqlite", mbox]),
            ("ingest mbox", [*tk, *as_of, "ingest", "mbox"]),
            ("ingest mbox again", [*tk, *as_of, "ingest", "mbox"]),
            ("ingest linkedin", [*tk, *as_of, "ingest", "linkedin"]),
            ("ingest ics", [*tk, *as_of, "ingest", "ics"]),
            ("people build", [*tk, *as_of, "people", "build"]),
            ("report", [*tk, *as_of, "report", "--out", scratch / "report"]),
            ("sql", [*tk, "sql", "--format", "csv", QUERY]),
            ("duckdb CLI", [BIN / "duckdb", "-readonly", "-csv", db, QUERY]),
            ("run", run),
            ("run again", run),
        ]
        before, later = week_before(folder, mbox, scratch)
        week_db = scratch / "week" / "tiekeeper.duckdb"
        plan += [
            ("run, a week before", [BIN / "tiekeeper", "--config", before, "--db", week_db, "--as-of",
                                    (END - dt.timedelta(days=7)).isoformat(), "run", "--no-send",
                                    "--out", scratch / "week-report"]),
            ("run, a week later", [BIN / "tiekeeper", "--config", later, "--db", week_db, *as_of, "run", "--no-send",
                                   "--out", scratch / "week-report"]),
        ]
        steps = []
        for name, command in plan:
            step = run_step(name, command, timeout)
            steps.append(step)
            print(f"  {name:<18} {_seconds(step):>10}  peak RSS {step.peak_rss_mb:7,.0f} MB  {step.last_line[:150]}",
                  flush=True)
    return steps


def week_before(folder: Path, mbox: Path, scratch: Path) -> tuple[Path, Path]:
    """Two configs of the world's owner and files: one whose mailbox is the file's messages before
    the first one of the world's last week (a copy in `scratch`), one with the whole file."""
    cut = dt.datetime.combine(END - dt.timedelta(days=7), dt.time(), dt.timezone.utc)
    early = scratch / "week-before.mbox"
    with mbox.open("rb") as whole, early.open("wb") as out:
        for line in whole:
            # Takeout's From_ line: `From 1717087016845413746@xxx Mon Nov 22 00:43:07 +0000 2021`
            if line.startswith(b"From ") and dt.datetime.strptime(
                    line.split(b" ", 2)[2].decode().strip(), "%a %b %d %H:%M:%S %z %Y") >= cut:
                break
            out.write(line)
    config = (folder / "tiekeeper.toml").read_text(encoding="utf-8")
    owner = config[:config.index("[sources]")]
    sources = tomllib.loads(config)["sources"]

    def written(name: str, mailbox: Path) -> Path:
        path = scratch / name
        paths = {"linkedin": folder / sources["linkedin"], "mbox": [mailbox],
                 "ics": [folder / ics for ics in sources["ics"]]}
        path.write_text(owner + "[sources]\n" + "".join(f"{key} = {json.dumps(value, default=str)}\n"
                                                         for key, value in paths.items()), encoding="utf-8")
        return path
    return written("week-before.toml", early), written("week-later.toml", mbox)


def _seconds(step: Step) -> str:
    if step.outcome == "stopped":
        return f"> {step.seconds:,.0f} s"
    return f"{step.seconds:,.1f} s" + (f", {step.outcome}" if step.outcome else "")


def ratios(steps: list[Step]) -> dict[str, str]:
    """The side-by-side figures: ingest against both baselines, reruns against first runs, sql against DuckDB."""
    by = {s.name: s for s in steps}

    def ratio(name: str, base: str, say) -> str:
        if by[name].outcome or by[base].outcome:
            return f"(no ratio to {base}: {by[name].outcome or by[base].outcome})"
        return say(by[name].seconds / by[base].seconds)
    return {
        "stdlib": "baseline",
        "mbox-to-sqlite": "baseline",
        "ingest mbox": ", ".join(ratio("ingest mbox", base, lambda r, base=base: f"{1 / r:.2f}x as fast as {base}")
                                 for base in ("stdlib", "mbox-to-sqlite")),
        "ingest mbox again": ratio("ingest mbox again", "ingest mbox", lambda r: f"{r:.1%} of the first"),
        "sql": ratio("sql", "duckdb CLI", lambda r: f"{r:.1f}x the DuckDB CLI's time"),
        "duckdb CLI": "baseline for sql",
        "run again": ratio("run again", "run", lambda r: f"{r:.1%} of the first"),
        "run, a week later": ratio("run, a week later", "run", lambda r: f"{r:.1%} of a first run"),
    }


def table(steps: list[Step]) -> str:
    notes = ratios(steps)
    lines = ["| step | seconds | peak RSS | ratio |", "| --- | ---: | ---: | --- |"]
    for s in steps:
        lines.append(f"| {s.name} | {_seconds(s)} | {s.peak_rss_mb:,.0f} MB | {notes.get(s.name, '')} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=SHAPES, default="200k")
    parser.add_argument("--timeout", type=float, default=900, help="seconds after which a step is stopped (900)")
    parser.add_argument("--generate", choices=SHAPES, help=argparse.SUPPRESS)
    parser.add_argument("--mbox-to-sqlite", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        _generate(args.generate)
        return
    if args.mbox_to_sqlite:
        _mbox_to_sqlite(*args.mbox_to_sqlite)
        return

    folder = world(args.shape)
    counts = json.loads((folder / "truth.json").read_text(encoding="utf-8"))["counts"]
    print(f"{folder}: {counts['messages']:,} messages, {counts['mbox_bytes'] / 1e6:,.0f} MB mbox, "
          f"{counts['people']:,} people, {SHAPES[args.shape]['history_weeks'] / 52.18:.0f} years", flush=True)
    steps = measure(folder, args.timeout)
    print()
    print(table(steps))


if __name__ == "__main__":
    main()
