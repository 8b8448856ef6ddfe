"""Ingesting a big mbox, against merely iterating it with the stdlib, side by side in one run.

    .venv/bin/python benchmarks/bench_mbox.py             # ~100,000 messages, ~1 GB (generated once)
    .venv/bin/python benchmarks/bench_mbox.py --small     # ~12,000 messages, for a quick look
    .venv/bin/python benchmarks/bench_mbox.py --mbox PATH # an mbox of your own

The input is a world from `connectors.demo` (Takeout-shaped mail with bodies and attachments),
written under benchmarks/out/ and reused. Each measurement runs in its own subprocess, so that its
peak RSS (VmHWM) is its own, on a warm page cache:

- stdlib:     `for m in mailbox.mbox(path): m["From"], m["To"], m["Cc"], m["Date"], m["Message-ID"]`
- read_mbox:  the connector alone (parse headers, build records)
- ingest:     `tiekeeper ingest mbox` into a new database (parse, load, commit)
- re-ingest:  the same command again on that database (the file is recognised and skipped)

Machines are shared and noisy, so the figures that count are the ratios within one run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
WORLDS = {  # arguments of generate_world; the big one is the 100,000 messages / ~1 GB
    "big": dict(people=5000, seed=1, mail_scale=1.35, attachment_kb=50),
    "small": dict(people=300, seed=1, mail_scale=1.0, attachment_kb=50),
}
END = dt.date(2026, 11, 23)


def world_mbox(size: str) -> Path:
    from connectors.demo import generate_world

    folder = OUT / f"world-{size}"
    done = folder / ".complete"
    if not done.exists():
        print(f"generating the {size} world in {folder} (once) ...", flush=True)
        started = time.perf_counter()
        generate_world(folder, end=END, **WORLDS[size])
        done.write_text("")
        print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    return next((folder / "Takeout" / "Mail").glob("*.mbox"))


# --- the measured workloads, each run in a child process --------------------------------------

def stdlib(path: Path, db: Path) -> int:
    import mailbox

    count = 0
    box = mailbox.mbox(path, create=False)
    try:
        for message in box:
            message["From"], message["To"], message["Cc"], message["Date"], message["Message-ID"]
            count += 1
    finally:
        box.close()
    return count


def read_mbox(path: Path, db: Path) -> int:
    from connectors.mbox import read_mbox as read
    from connectors.records import MailMessage

    return sum(1 for record in read([path]) if type(record) is MailMessage)


def ingest(path: Path, db: Path) -> int:
    from pipelines.config import Config
    from pipelines.ingest import ingest as run
    from pipelines.warehouse import connect_writer

    with connect_writer(db) as con:
        summary = run(con, "mbox", [path], Config(), show_progress=False)
    return summary.loaded + summary.duplicates


WORKLOADS = {"stdlib": stdlib, "read_mbox": read_mbox, "ingest": ingest, "re-ingest": ingest}


def _child(workload: str, path: Path, db: Path) -> None:
    started = time.perf_counter()
    count = WORKLOADS[workload](path, db)
    seconds = time.perf_counter() - started
    peak = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": seconds, "messages": count, "peak_rss_mb": peak / 1024}))


def measure(workload: str, path: Path, db: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", workload, str(path), str(db)],
                          check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mbox", type=Path, help="an existing mbox (default: a generated world's)")
    parser.add_argument("--small", action="store_true", help="a ~12,000-message world instead of ~100,000")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return

    path = args.mbox or world_mbox("small" if args.small else "big")
    with open(path, "rb") as file:  # warm the page cache so that every reader sees the same
        while file.read(64 << 20):
            pass
    print(f"{path}: {path.stat().st_size / 1e6:,.0f} MB", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "bench.duckdb"
        results = {}
        for workload in WORKLOADS:
            results[workload] = r = measure(workload, path, db)
            print(f"  {workload:<10} {r['seconds']:7.2f} s  {r['messages']:>9,} messages  "
                  f"{r['messages'] / r['seconds']:>9,.0f} msg/s  peak RSS {r['peak_rss_mb']:6.0f} MB", flush=True)
    base = results["stdlib"]["seconds"]
    print(f"  read_mbox is {base / results['read_mbox']['seconds']:.1f}x the stdlib baseline")
    print(f"  ingest    is {base / results['ingest']['seconds']:.1f}x the stdlib baseline")
    print(f"  re-ingest takes {results['re-ingest']['seconds'] / results['ingest']['seconds']:.1%} "
          f"of the first ingest")


if __name__ == "__main__":
    main()
