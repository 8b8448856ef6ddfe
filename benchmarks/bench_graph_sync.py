"""A full Outlook sync against the local fake Graph held to Outlook's per-mailbox limits.

    .venv/bin/python benchmarks/bench_graph_sync.py [--messages 100000] [--rate 16.67]

The fake (tests/fake_graph.py) enforces what Microsoft documents per app and mailbox: 10,000 requests
in 10 minutes (`--rate` requests per second, each batch part counting; 429 with Retry-After beyond it)
and 4 requests at once (429 beyond). tiekeeper's limiter is left at its default (16 requests/s), as a
user would. Then `tiekeeper ingest outlook` runs in full, again with nothing changed, and the full
sync again with the client believing in twice the rate (how it copes with 429s it brings on itself).
Target (issue 17): no 429 storm at the documented limits; an unchanged run makes at most one request
per folder.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.config import load_config
from pipelines.ingest import ingest
from pipelines.warehouse import connect_writer
from tests.fake_graph import FakeGraph, synthetic_mailbox


def run(folders, messages, rate: float, client_rate: float | None) -> tuple[float, int, int, int, int]:
    """(seconds, loaded, throttled, requests of the unchanged rerun, most requests in flight)."""
    fake = FakeGraph(folders=folders, messages=messages, requests_per_second=rate, burst=rate)
    with fake as root, tempfile.TemporaryDirectory() as scratch:
        config_path = Path(scratch) / "tiekeeper.toml"
        extra = f"requests_per_second = {client_rate}\n" if client_rate else ""
        config_path.write_text(f'[owner]\nemails = ["me@example.com"]\n\n[sources.outlook]\napi_endpoint = "{root}"\n'
                               f'credentials = "anonymous"\n{extra}')
        config = load_config(config_path, required=True)
        with connect_writer(Path(scratch) / "bench.duckdb") as con:
            started = time.perf_counter()
            first = ingest(con, "outlook", [], config, show_progress=False)
            seconds = time.perf_counter() - started
            throttled = fake.throttled()
            fake.reset_stats()
            ingest(con, "outlook", [], config, show_progress=False)
            return seconds, first.loaded, throttled, fake.calls(), fake.max_in_flight


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=10_000 / 600, help="requests per second the fake allows")
    args = parser.parse_args()
    folders, messages = synthetic_mailbox(args.messages, seed=1)
    print(f"| full sync of {args.messages:,} messages, fake at {args.rate:.2f} requests/s and 4 at once | "
          f"client at its default (16/s) | client at {2 * args.rate:.0f}/s |")
    print("| --- | ---: | ---: |")
    results = [run(folders, messages, args.rate, None), run(folders, messages, args.rate, 2 * args.rate)]
    rows = [("seconds", lambda r: f"{r[0]:.1f}"), ("messages loaded", lambda r: f"{r[1]:,}"),
            ("messages/s", lambda r: f"{r[1] / r[0]:,.0f}"), ("429 answers (retried)", lambda r: f"{r[2]}"),
            ("most requests in flight", lambda r: f"{r[4]}"),
            ("unchanged rerun: HTTP requests (4 folders)", lambda r: f"{r[3]}")]
    for name, cell in rows:
        print(f"| {name} | {cell(results[0])} | {cell(results[1])} |")


if __name__ == "__main__":
    main()
