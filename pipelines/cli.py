"""The `tiekeeper` command line. Every failure the user can fix ends in one line on stderr and a
non-zero exit code, never a traceback (`--debug` shows it)."""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import logging
import shutil
import signal
import sys
from pathlib import Path

import duckdb

from connectors import SourceError
from pipelines.config import (WRITE_WAIT_SECONDS, Config, ConfigError, load_config, parse_as_of, resolve_paths,
                              run_settings)
from pipelines.deliveries import record_delivery
from pipelines.ingest import SOURCES, ingest, input_files
from pipelines.metrics import refresh_metrics, set_as_of
from pipelines.prefect_env import PrefectServerError, local_server, use_local_prefect
from pipelines.people import append_merges, overrides_path, refresh_people
from pipelines.warehouse import WarehouseError, connect_reader, connect_writer, snapshot_path
from pipelines.why import explain
from reports.delivery import DeliveryError, send, smtp_settings
from reports.weekly import make_report

USER_ERRORS = (SourceError, ConfigError, WarehouseError, DeliveryError, PrefectServerError)
DEMO_DIR = Path("data/demo")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    for option in ("db", "config", "debug", "as_of", "wait"):  # options shared by all commands: unset unless given
        setattr(args, option, getattr(args, option, None))
    _log_to_stderr()
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


def _log_to_stderr() -> None:
    """Our warnings and progress lines on stderr. Called again after Prefect is imported, whose
    logging setup replaces the root logger's handlers with its own."""
    root = logging.getLogger()
    # As logging.basicConfig: only where nobody else (a test's log capture, say) handles logs already.
    if all(type(h).__name__ == "PrefectConsoleHandler" for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
        handler.addFilter(_ours_or_warnings)
        root.addHandler(handler)
    logging.getLogger("tiekeeper").setLevel(logging.INFO)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (it is replaced when output is captured)."""

    stream = property(lambda self: sys.stderr, lambda self, value: None)


def _ours_or_warnings(record: logging.LogRecord) -> bool:
    """tiekeeper's progress and warnings, and other libraries' warnings; Prefect's own lines are
    shown by its handler (`--verbose`) and kept in its database."""
    if record.name == "prefect" or record.name.startswith("prefect."):
        return False
    return record.name.startswith("tiekeeper") or record.levelno >= logging.WARNING


def _fail(message: str, code: int = 1) -> int:
    print(f"tiekeeper: {message}", file=sys.stderr)
    return code


def _parser() -> argparse.ArgumentParser:
    # Global options are accepted before or after the command.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--db", help="database file (default data/tiekeeper.duckdb, env TIEKEEPER_DB)")
    common.add_argument("--config", help="config file (default tiekeeper.toml, env TIEKEEPER_CONFIG)")
    common.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    common.add_argument("--wait", type=float, metavar="SECONDS",
                        help="how long a command that writes waits for another one writing to the database "
                             f"(default [run] wait_seconds, else {WRITE_WAIT_SECONDS:g})")
    common.add_argument("--as-of", dest="as_of", metavar="DATE",
                        help="compute metrics as of this date (YYYY-MM-DD, midnight in your timezone) or "
                             "ISO time, using only data before it")

    parser = argparse.ArgumentParser(prog="tiekeeper", parents=[common],
                                     description="Keeps your professional relationships healthy from the data "
                                                 "you already have.")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    ingest_cmd = commands.add_parser("ingest", parents=[common], help="load a source into the database")
    ingest_cmd.add_argument("source", choices=sorted(SOURCES), help="which kind of input")
    ingest_cmd.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                            help="files or folders (default: the [sources] entry of the config); "
                                 "gmail and gcal take none: they sync from where the last run stopped")
    ingest_cmd.set_defaults(run=_ingest)

    sql_cmd = commands.add_parser("sql", parents=[common], help="run a read-only SQL query")
    sql_cmd.add_argument("query")
    sql_cmd.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sql_cmd.add_argument("--max-rows", type=int, default=100, help="rows shown by the table format")
    sql_cmd.set_defaults(run=_sql)

    people_cmd = commands.add_parser(
        "people", parents=[common], help="who is who: review matches, look people up",
        description="People are resolved after every ingest from all identities and people.toml "
                    "(next to the config): [[merge]] identities = [...], [[split]] identities = [a, b], "
                    "[[ignore]] identity = ..., [[close]] identity = ...")
    people_commands = people_cmd.add_subparsers(title="people commands", required=True, metavar="COMMAND")
    people_commands.add_parser("build", parents=[common],
                               help="resolve people again (after editing people.toml) and recompute the metrics"
                               ).set_defaults(run=_people_build)
    suggest = people_commands.add_parser("suggest", parents=[common], help="uncertain matches, with their evidence")
    suggest.add_argument("--limit", type=int, default=20)
    suggest.set_defaults(run=_people_suggest)
    accept = people_commands.add_parser("accept", parents=[common], help="accept suggestions into people.toml")
    accept.add_argument("match_ids", nargs="+", metavar="MATCH_ID")
    accept.set_defaults(run=_people_accept)
    show = people_commands.add_parser("show", parents=[common], help="one person with all their identities")
    show.add_argument("name", help="part of a name, an e-mail address or a LinkedIn URL")
    show.set_defaults(run=_people_show)

    auth_cmd = commands.add_parser("auth", parents=[common], help="authorize tiekeeper to read your Google data")
    auth_cmd.add_argument("provider", choices=["google"])
    auth_cmd.add_argument("--client-secrets", type=Path,
                          help="the OAuth client (a 'Desktop app' client_secret.json from Google Cloud; default: "
                               "client_secret.json in the token's folder)")
    auth_cmd.add_argument("--send", action="store_true", help="also allow sending the report through Gmail")
    auth_cmd.add_argument("--no-browser", action="store_true", help="print the URL instead of opening a browser")
    auth_cmd.set_defaults(run=_auth)

    report_cmd = commands.add_parser("report", parents=[common],
                                     help="render the weekly report (.html with its charts, and the .eml)")
    report_cmd.add_argument("--out", type=Path, help="folder for the report (default: reports/ beside the database)")
    report_cmd.set_defaults(run=_report)
    send_cmd = commands.add_parser("send", parents=[common], help="render the weekly report and e-mail it to [report] to")
    send_cmd.add_argument("--out", type=Path, help="folder for the report (default: reports/ beside the database)")
    send_cmd.set_defaults(run=_send)

    run_cmd = commands.add_parser("run", parents=[common],
                                  help="the weekly run, once: every configured source, people and metrics, the "
                                       "report, and sending it (a Prefect flow; nothing to start by hand)")
    run_cmd.add_argument("--no-send", action="store_true", help="write the report but do not e-mail it")
    run_cmd.add_argument("--resend", action="store_true",
                         help="e-mail it even if this week's report already went to the same recipients")
    run_cmd.add_argument("--out", type=Path, help="folder for the report (default: reports/ beside the database)")
    run_cmd.add_argument("--verbose", action="store_true", help="show Prefect's own log lines too")
    run_cmd.set_defaults(run=_run)
    serve_cmd = commands.add_parser("serve", parents=[common],
                                    help="stay running and do the weekly run on [run] schedule (default Mondays "
                                         "07:00 in your timezone), with a local Prefect server and its UI")
    serve_cmd.add_argument("--verbose", action="store_true", help="show Prefect's own log lines too")
    serve_cmd.set_defaults(run=_serve)

    why_cmd = commands.add_parser("why", parents=[common],
                                  help="what a person's strength is made of, and what changed lately")
    why_cmd.add_argument("name", help="part of a name, an e-mail address or a LinkedIn URL")
    why_cmd.set_defaults(run=_why)

    demo_cmd = commands.add_parser("demo", parents=[common],
                                   help="generate a realistic demo world and load it (never touches your database)")
    demo_cmd.add_argument("--out", type=Path, default=DEMO_DIR, help=f"folder for the demo (default {DEMO_DIR})")
    demo_cmd.add_argument("--people", type=int, default=300)
    demo_cmd.add_argument("--seed", type=int, default=7)
    demo_cmd.set_defaults(run=_demo)
    return parser


def _ingest(args, db: Path, config: Config) -> int:
    # Inputs are checked before the database is opened, and a database this run created is removed
    # again if the run fails having kept nothing: bad input leaves no trace. (An API sync that fails
    # half-way keeps what it committed, so that the next run resumes after it.)
    paths = [] if SOURCES[args.source].api else input_files(args.source, args.paths or config.source_paths(args.source),
                                                             config)
    created = not db.exists()
    try:
        with _writer(args, db, config) as con:
            summary = ingest(con, args.source, paths, config)
            people = refresh_people(con, config)
            refresh_metrics(con, config)
            print(f"{summary.line()}; {people.line()}")
    except BaseException:
        if created and not _holds_data(db):
            for leftover in (db, db.with_suffix(db.suffix + ".wal")):
                leftover.unlink(missing_ok=True)
        raise
    return 0


def _writer(args, db: Path, config: Config):
    wait = args.wait if args.wait is not None else run_settings(config).wait_seconds
    return connect_writer(db, timezone=config.owner.timezone, wait=wait)


def _holds_data(db: Path) -> bool:
    if not db.exists():
        return False
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables() where table_name like 'raw\\_%' "
                                            "escape '\\'").fetchall()]
        return any(con.execute(f'select count(*) from "{t}"').fetchall()[0][0] for t in tables)


def _sql(args, db: Path, config: Config) -> int:
    with connect_reader(db, timezone=config.owner.timezone) as con:
        set_as_of(con, _as_of(args, config))
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


def _as_of(args, config: Config) -> dt.datetime | None:
    return parse_as_of(args.as_of, config.owner.tz)


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
    for stale in (demo_db, snapshot_path(demo_db)):  # each demo starts from a fresh database
        for path in (stale, stale.with_name(stale.name + ".wal")):
            path.unlink(missing_ok=True)
    demo_config = load_config(world.config, required=True)
    print("Running the weekly flow on it (tiekeeper run) ...", flush=True)
    summary = _weekly_run(demo_db, demo_config, as_of=None, send_report=True, resend=False, out=out / "reports",
                          wait_seconds=args.wait)
    with connect_reader(demo_db, timezone=demo_config.owner.timezone) as con:
        counts = con.execute("""
            select (select count(*) from people),
                   (select count(*) from stg_linkedin__connections),
                   (select count(*) from stg_mbox__messages),
                   (select count(*) from stg_ics__events),
                   (select count(*) from rejected_records)""").fetchall()[0]
    print("\nThe demo database knows {:,} people from {:,} LinkedIn connections, {:,} e-mails and {:,} "
          "calendar events ({:,} input items rejected, with reasons).".format(*counts))
    print(f"Database: {demo_db}\nTry:      tiekeeper --db {demo_db} sql "
          f"\"select full_name, emails, company from people order by last_interaction desc limit 20\"\n"
          f"          tiekeeper --db {demo_db} sql \"select * from follow_ups order by overdue_days desc limit 10\"\n"
          f"          tiekeeper --db {demo_db} --config {world.config} why \"Müller\"\n"
          f"          tiekeeper --db {demo_db} --config {world.config} people suggest\n"
          f"          tiekeeper --db {demo_db} --config {world.config} run      # the weekly run again: "
          f"unchanged files are skipped")
    print(f"\nDelivery: {summary.delivery}\nThis week's report: {summary.report}")
    if summary.problems:
        return _fail("the demo run finished with problems: " + "; ".join(summary.problems))
    return 0


def _people_build(args, db: Path, config: Config) -> int:
    with _writer(args, db, config) as con:
        print(refresh_people(con, config).line())
        print(refresh_metrics(con, config, as_of=_as_of(args, config)).line())
    return 0


def _people_suggest(args, db: Path, config: Config) -> int:
    with connect_reader(db, timezone=config.owner.timezone) as con:
        rows = con.execute("""
            select m.match_id, m.score, m.probability, m.evidence, m.decision,
                   l.identity_key, l.display_name, l.sightings, r.identity_key, r.display_name, r.sightings
            from identity_matches as m
            join identities as l on l.identity_key = m.left_key
            join identities as r on r.identity_key = m.right_key
            where m.decision like 'suggested%'
            order by m.score desc, m.match_id
            limit ?""", [args.limit]).fetchall()
    if not rows:
        print("No uncertain matches to review.")
        return 0
    for match_id, score, p, evidence, decision, lkey, lname, lseen, rkey, rname, rseen in rows:
        print(f"{match_id}  probability {p:.2f}")
        for key, name, seen in ((lkey, lname, lseen), (rkey, rname, rseen)):
            print(f"    {key:<48} {name or '':<28} seen {seen:,} times")
        print(f"    evidence: {evidence}\n    held back: {decision.removeprefix('suggested: ')}")
    print(f"\nAccept one into {overrides_path(config)}: tiekeeper people accept MATCH_ID ...")
    return 0


def _people_accept(args, db: Path, config: Config) -> int:
    with _writer(args, db, config) as con:
        found = {row[0]: row for row in con.execute(
            "select match_id, left_key, right_key, score, evidence from identity_matches where match_id in "
            "(select unnest(?::varchar[]))", [args.match_ids]).fetchall()}
        missing = [m for m in args.match_ids if m not in found]
        if missing:
            raise WarehouseError(f"no match {missing[0]} (see `tiekeeper people suggest` for the ids)")
        append_merges(overrides_path(config), [
            (left, right, f"accepted {match_id}: {evidence}") for match_id, left, right, _, evidence
            in (found[m] for m in args.match_ids)])
        print(f"Added {len(args.match_ids)} merge{'s' * (len(args.match_ids) != 1)} to {overrides_path(config)}")
        print(refresh_people(con, config).line())
        refresh_metrics(con, config)
    return 0


def _matching_people(con, text: str) -> list[str]:
    """person_ids whose name or any identity contains `text`, most recently seen first."""
    found = [person_id for (person_id,) in con.execute("""
        select person_id from people
        where full_name ilike '%' || ? || '%'
           or person_id in (select person_id from identities where identity_key ilike '%' || ? || '%')
        order by last_interaction desc nulls last
        limit 10""", [text, text.lower()]).fetchall()]
    if not found:
        raise WarehouseError(f"nobody matches {text!r} (try part of a name or an e-mail address)")
    return found


def _people_show(args, db: Path, config: Config) -> int:
    with connect_reader(db, timezone=config.owner.timezone) as con:
        for person_id in _matching_people(con, args.name):
            name, company, position, url, connected, first, last, pinned = con.execute("""
                select full_name, company, position, linkedin_url, connected_on, first_interaction,
                       last_interaction, is_pinned_close
                from people where person_id = ?""", [person_id]).fetchall()[0]
            print(f"{name}  ({person_id}){'  pinned as close' if pinned else ''}")
            for label, value in (("works", ", ".join(v for v in (position, company) if v)), ("LinkedIn", url),
                                 ("connected", connected), ("first contact", first), ("last contact", last)):
                if value:
                    print(f"  {label + ':':<15}{value}")
            print("  identities, and why each belongs:")
            for key, shown, seen, evidence, confidence in con.execute("""
                    select identity_key, display_name, sightings, evidence, confidence from identities
                    where person_id = ? order by sightings desc, identity_key""", [person_id]).fetchall():
                print(f"    {key:<48} {shown or '':<26} {seen:>6,} seen")
                print(f"        {evidence} (probability {confidence:.2f})")
            print()
    return 0


def _report(args, db: Path, config: Config) -> int:
    files, _ = make_report(db, config, _as_of(args, config), args.out)
    print(files.html)
    return 0


def _send(args, db: Path, config: Config) -> int:
    settings = smtp_settings(config)  # checked before anything is rendered
    files, message = make_report(db, config, _as_of(args, config), args.out, sender=settings.sender,
                                 recipients=list(settings.to))
    try:
        answer = send(message, settings)
    except DeliveryError as exc:
        raise DeliveryError(f"{exc} (the report is kept in {files.html.parent})") from None
    with _writer(args, db, config) as con:
        record_delivery(con, files.html.stem, list(settings.to), message, answer)
    print(f"sent {files.eml.name} to {', '.join(settings.to)}: {answer}")
    return 0


def _run(args, db: Path, config: Config) -> int:
    _require_config_file(config)
    summary = _weekly_run(db, config, as_of=args.as_of, send_report=not args.no_send, resend=args.resend,
                          out=args.out, wait_seconds=args.wait, verbose=args.verbose)
    print(f"report: {summary.report or 'not written'}\ndelivery: {summary.delivery}\n{summary.timings()}")
    if summary.problems:
        return _fail(f"the run finished with {len(summary.problems)} problem{'s' * (len(summary.problems) != 1)}: "
                     + "; ".join(summary.problems))
    return 0


def _require_config_file(config: Config) -> None:
    """The weekly commands run from a config file (a flow's parameters are its path)."""
    if config.path is None:
        raise ConfigError("tiekeeper.toml: no such config file (write one as the README shows, or pass --config)")


def _weekly_run(db: Path, config: Config, *, out: Path | None, verbose: bool = False, **parameters):
    """The weekly flow, once, in this process: Prefect's temporary server unless PREFECT_API_URL
    names one. Prefect's state lives in `prefect/` beside the database."""
    use_local_prefect(db.parent, quiet=not verbose)
    from pipelines.flow import weekly_report
    _log_to_stderr()
    return weekly_report(config_path=str(config.path), db_path=str(db), out=str(out) if out else None, **parameters)


def _serve(args, db: Path, config: Config) -> int:
    _require_config_file(config)
    home = use_local_prefect(db.parent, quiet=not args.verbose)
    from pipelines.flow import serve_weekly, weekly_schedule
    schedule = weekly_schedule(config)  # a bad cron is an error before anything starts
    signal.signal(signal.SIGTERM, _stop)  # `kill`, systemd: stop as Ctrl-C does, stopping the server too
    with local_server(home) as api_url:
        _log_to_stderr()
        print(f"Prefect server: {api_url.removesuffix('/api')} (its UI shows every run)\n"
              f"The weekly run is scheduled at \"{schedule.cron}\" ({schedule.timezone}); Ctrl-C stops it.",
              flush=True)
        try:
            serve_weekly(config.path.resolve(), db.resolve(), schedule)
        except KeyboardInterrupt:
            pass
    print("Stopped: no weekly runs until `tiekeeper serve` runs again.", flush=True)
    return 0


def _stop(signum, frame):
    raise KeyboardInterrupt


def _auth(args, db: Path, config: Config) -> int:
    from connectors.google_auth import authorize, token_path
    secrets = args.client_secrets or token_path().parent / "client_secret.json"
    path = authorize(secrets, send=args.send, open_browser=not args.no_browser)
    print(f"Google authorization stored in {path} (readable only by you)")
    return 0


def _why(args, db: Path, config: Config) -> int:
    with connect_reader(db, timezone=config.owner.timezone) as con:
        set_as_of(con, _as_of(args, config))
        for person_id in _matching_people(con, args.name)[:3]:
            print("\n".join(explain(con, person_id)), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
