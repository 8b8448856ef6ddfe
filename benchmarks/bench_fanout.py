"""Fanning out the mbox connector: extraction on 1 and 2 Dask worker processes, against a plain ingest.

    .venv/bin/python benchmarks/bench_fanout.py           # the big world's ~1 GB mbox as 8 mailboxes
    .venv/bin/python benchmarks/bench_fanout.py --small   # the small world's ~100 MB, for a quick look

The mbox of a `bench_mbox.py` world (generated once under benchmarks/out/) is cut into 8 mailboxes at
message boundaries, as a team's would be. Each figure is the best of --repeat runs, on a warm page
cache:

- plain ingest: `pipelines.ingest.ingest` of the 8 files into a new database (one process parses
  and merges);
- extract, Dask alone, N workers: `extract_partition` mapped over the mailboxes with a Dask client,
  on a running local cluster of N single-threaded worker processes: what Dask itself gives;
- extract, flow, N workers: the `extract-partitions` flow, one Prefect task per mailbox, on that
  cluster (its start-up, a few seconds once per run, left out; Prefect's server shares the machine);
- load: `load_partitions` of the 8 partitions into a new database: the single writer;
- a week later, 2 workers: the same mailboxes, each grown by its last 2% of messages since a run
  that loaded the rest, extracted from where they grew (`extract_partition`'s `loaded`), against
  reading them whole as before.

Machines are shared and noisy, so the figures that count are the ratios within one run.
"""
from __future__ import annotations

import argparse
import atexit
import datetime as dt
import hashlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_mbox import OUT, world_mbox

MAILBOXES = 8


def split_mbox(mbox: Path, parts: int, folder: Path) -> list[Path]:
    """`mbox` cut at message boundaries into `parts` files of about equal size (written once)."""
    paths = [folder / f"member-{i + 1}.mbox" for i in range(parts)]
    if all(path.exists() for path in paths):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    data = mbox.read_bytes()
    cuts = [0]
    for i in range(1, parts):
        cuts.append(data.index(b"\n\nFrom ", len(data) * i // parts) + 2)
    for path, start, end in zip(paths, cuts, cuts[1:] + [len(data)]):
        path.write_bytes(data[start:end])
    return paths


def best(repeat: int, run) -> float:
    """The fastest of `repeat` runs of `run(scratch folder)`, in seconds."""
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(dir=OUT) as scratch:
            started = time.perf_counter()
            run(Path(scratch))
            times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="the ~100 MB world instead of the ~1 GB one")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    size = "small" if args.small else "big"
    folder = OUT / f"fanout-{size}"
    mailboxes = split_mbox(world_mbox(size), MAILBOXES, folder)
    paths = [str(p) for p in mailboxes]

    from pipelines.prefect_env import use_local_prefect
    prefect_home = tempfile.mkdtemp(prefix="bench-fanout-")
    atexit.register(shutil.rmtree, prefect_home, ignore_errors=True)
    use_local_prefect(Path(prefect_home))  # before Prefect is imported
    from distributed import Client, LocalCluster

    from pipelines.config import load_config
    from pipelines.fanout import dask_task_runner, extract_partition, extract_partitions, load_partitions
    from pipelines.ingest import ingest
    from pipelines.warehouse import connect_writer

    config_file = folder / "tiekeeper.toml"
    config_file.write_text('[owner]\nemails = ["me@example.com"]\n', encoding="utf-8")
    config = load_config(config_file, required=True)
    now = dt.datetime.now(dt.timezone.utc)
    total_mb = sum(p.stat().st_size for p in mailboxes) / 1e6
    print(f"{MAILBOXES} mailboxes, {total_mb:,.0f} MB in all; best of {args.repeat}", flush=True)

    def plain(scratch: Path) -> None:
        with connect_writer(scratch / "plain.duckdb") as con:
            ingest(con, "mbox", mailboxes, config, show_progress=False)

    seconds = {"plain ingest": best(args.repeat, plain)}
    loaded = last_week(mailboxes)
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            def dask_alone(scratch: Path) -> None:  # the plain function, no Prefect: what Dask itself gives
                client.gather(client.map(extract_partition, ["mbox"] * len(paths), paths, [scratch] * len(paths),
                                         [config] * len(paths), pure=False))

            extract = extract_partitions.with_options(task_runner=dask_task_runner(workers, cluster.scheduler_address))

            def flow(scratch: Path, extract=extract) -> None:  # this iteration's task runner
                extract("mbox", paths, str(scratch), str(config_file), now)

            best(1, flow)  # warm up: Prefect's server, and the imports in every worker
            seconds[f"extract, Dask alone, {workers} worker{'s' * (workers > 1)}"] = best(args.repeat, dask_alone)
            seconds[f"extract, flow, {workers} worker{'s' * (workers > 1)}"] = best(args.repeat, flow)
            if workers == 2:  # a week later: the files grew
                def grown_only(scratch: Path) -> None:
                    client.gather(client.map(extract_partition, ["mbox"] * len(paths), paths, [scratch] * len(paths),
                                             [config] * len(paths), pure=False, loaded=loaded))

                seconds["a week later: from where they grew"] = best(args.repeat, grown_only)

    with tempfile.TemporaryDirectory(dir=OUT) as kept:  # the partitions to load, extracted once more
        manifests = [extract_partition("mbox", path, Path(kept), config, now=now) for path in mailboxes]

        def load(scratch: Path) -> None:
            with connect_writer(scratch / "fanout.duckdb") as con:
                load_partitions(con, "mbox", manifests)

        seconds["load (the single writer)"] = best(args.repeat, load)

    for name, value in seconds.items():
        print(f"{name:<34} {value:6.2f} s  {total_mb / value:6.0f} MB/s", flush=True)

    def ratio(slow: str, fast: str) -> str:
        return f"{seconds[slow] / seconds[fast]:.2f}x"

    print(f"2 workers vs 1, Dask alone: {ratio('extract, Dask alone, 1 worker', 'extract, Dask alone, 2 workers')}; "
          f"through the flow: {ratio('extract, flow, 1 worker', 'extract, flow, 2 workers')}")
    fanned = seconds["extract, flow, 2 workers"] + seconds["load (the single writer)"]
    print(f"plain ingest vs flow on 2 workers + load ({fanned:.2f} s): {seconds['plain ingest'] / fanned:.2f}x")
    print(f"a week later, 2 workers, Dask alone: read whole vs from where they grew: "
          f"{ratio('extract, Dask alone, 2 workers', 'a week later: from where they grew')}")


def last_week(mailboxes: list[Path]) -> dict[int, set[str]]:
    """What a run a week before loaded, as `ingest.loaded_by_size` gives it: each mailbox without
    its last 2% of messages."""
    loaded: dict[int, set[str]] = {}
    for path in mailboxes:
        data = path.read_bytes()
        cut = data.rindex(b"\n\nFrom ", 0, len(data) * 98 // 100) + 2
        loaded.setdefault(cut, set()).add(hashlib.sha256(data[:cut]).hexdigest())
    return loaded


if __name__ == "__main__":  # Dask starts its workers by importing this file again: not twice
    main()
