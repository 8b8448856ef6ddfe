"""The `tiekeeper` command line. Every failure the user can fix ends in one line on stderr and a
non-zero exit code, never a traceback (`--debug` shows it)."""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import logging
import shutil
import sys
from pathlib import Path

import duckdb

from connectors import SourceError
from pipelines.config import Config, ConfigError, load_config, resolve_paths
from pipelines.ingest import SOURCES, ingest, input_files
from pipelines.warehouse import WarehouseError, connect_reader, connect_writer

USER_ERRORS = (SourceError, ConfigError, WarehouseError)
DEMO_DIR = Path("data/demo")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    for option in ("db", "config", "debug"):  # options shared by all commands: unset unless given
        setattr(args, option, getattr(args, option, None))
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("tiekeeper").setLevel(logging.INFO)
    try:
        db, config_path, required = resolve_paths(args.db, args.config)
        return args.run(args, db, load_config(config_path, required=required)) or 0
    except USER_ERRORS as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted: nothing from the unfinished run was saved", code=130)
    except Exception as exc:  # a bug, not a user error: still one line unless --debug
        if args.debug:
            raise
        return _fail(f"unexpected error: {type(exc).__name__}: {exc} (run again with --debug for details)")


def _fail(message: str, code: int = 1) -> int:
    print(f"tiekeeper: {message}", file=sys.stderr)
    return code


def _parser() -> argparse.ArgumentParser:
    # Global options are accepted before or after the command.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--db", help="database file (default data/tiekeeper.duckdb, env TIEKEEPER_DB)")
    common.add_argument("--config", help="config file (default tiekeeper.toml, env TIEKEEPER_CONFIG)")
    common.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")

    parser = argparse.ArgumentParser(prog="tiekeeper", parents=[common],
                                     description="Keeps your professional relationships healthy from the data "
                                                 "you already have.")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    ingest_cmd = commands.add_parser("ingest", parents=[common], help="load a source into the database")
    ingest_cmd.add_argument("source", choices=sorted(SOURCES), help="which kind of input")
    ingest_cmd.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                            help="files or folders (default: the [sources] entry of the config)")
    ingest_cmd.set_defaults(run=_ingest)

    sql_cmd = commands.add_parser("sql", parents=[common], help="run a read-only SQL query")
    sql_cmd.add_argument("query")
    sql_cmd.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sql_cmd.add_argument("--max-rows", type=int, default=100, help="rows shown by the table format")
    sql_cmd.set_defaults(run=_sql)

    demo_cmd = commands.add_parser("demo", parents=[common],
                                   help="generate a realistic demo world and load it (never touches your database)")
    demo_cmd.add_argument("--out", type=Path, default=DEMO_DIR, help=f"folder for the demo (default {DEMO_DIR})")
    demo_cmd.add_argument("--people", type=int, default=300)
    demo_cmd.add_argument("--seed", type=int, default=7)
    demo_cmd.set_defaults(run=_demo)
    return parser


def _ingest(args, db: Path, config: Config) -> int:
    # Inputs are checked before the database is opened, and a database this run created is
    # removed again if the run fails: bad input leaves no trace.
    paths = input_files(args.source, args.paths or config.source_paths(args.source), config)
    created = not db.exists()
    try:
        with connect_writer(db, timezone=config.owner.timezone) as con:
            print(ingest(con, args.source, paths, config).line())
    except BaseException:
        if created:
            for leftover in (db, db.with_suffix(db.suffix + ".wal")):
                leftover.unlink(missing_ok=True)
        raise
    return 0


def _sql(args, db: Path, config: Config) -> int:
    with connect_reader(db, timezone=config.owner.timezone) as con:
        try:
            if args.format == "table":
                relation = con.sql(args.query)  # None for a statement without a result
                if relation is not None:
                    relation.show(max_rows=args.max_rows, max_width=shutil.get_terminal_size((120, 24)).columns)
                return 0
            result = con.execute(args.query)
            columns = [column[0] for column in result.description or ()]
            if args.format == "csv":
                writer = csv.writer(sys.stdout, lineterminator="\n")
                writer.writerow(columns)
                while rows := result.fetchmany(10_000):
                    writer.writerows([_csv_value(v) for v in row] for row in rows)
            else:
                json.dump([dict(zip(columns, row)) for row in result.fetchall()], sys.stdout,
                          default=_json_value, ensure_ascii=False, indent=1)
                print()
        except duckdb.Error as exc:
            raise WarehouseError(f"query failed: {' '.join(str(exc).split())}") from None
    return 0


def _csv_value(value):
    if isinstance(value, bool):  # as SQL writes them, not Python's True/False
        return "true" if value else "false"
    return value


def _json_value(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _demo(args, db: Path, config: Config) -> int:
    from connectors.demo import generate_world

    out: Path = args.out
    today = dt.date.today()
    print(f"Generating a demo world of {args.people} people (seed {args.seed}) in {out} ...", flush=True)
    world = generate_world(out, people=args.people, seed=args.seed, end=today)
    demo_db = out / "tiekeeper.duckdb"
    for stale in (demo_db, demo_db.with_suffix(".duckdb.wal")):  # each demo starts from a fresh database
        stale.unlink(missing_ok=True)
    demo_config = load_config(world.config, required=True)
    with connect_writer(demo_db, timezone=demo_config.owner.timezone) as con:
        for source in ("linkedin", "mbox", "ics"):
            print(ingest(con, source, demo_config.source_paths(source), demo_config).line(), flush=True)
        counts = con.execute("""
            select (select count(*) from stg_linkedin__connections),
                   (select count(*) from stg_linkedin__messages),
                   (select count(*) from stg_mbox__messages),
                   (select count(*) from stg_ics__events),
                   (select count(*) from rejected_records)""").fetchone()
    print("\nThe demo database holds {:,} LinkedIn connections, {:,} LinkedIn messages, {:,} e-mails and "
          "{:,} calendar events ({:,} input items rejected, with reasons).".format(*counts))
    print(f"Database: {demo_db}\nTry:      tiekeeper --db {demo_db} sql "
          f"\"select source, location, reason from rejected_records\"")
    return 0


if __name__ == "__main__":
    sys.exit(main())
