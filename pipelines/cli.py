"""The `tiekeeper` command line. Every failure the user can fix ends in one line on stderr and a
non-zero exit code, never a traceback (`--debug` shows it)."""
from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import importlib
import json
import logging
import os
import shlex
import shutil
import signal
import sys
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

# Only light modules are imported here, so that `tiekeeper sql` answers at once: a command imports its
# heavy parts (Prefect, pyarrow and numpy, matplotlib, the connectors' API clients) in its handler.
from connectors import command
from pipelines.config import (
    WRITE_WAIT_SECONDS,
    Config,
    ConfigError,
    load_config,
    parse_as_of,
    require_owner,
    resolve_paths,
    run_settings,
)
from pipelines.deliveries import record_delivery, report_addresses, report_folder, smtp_settings
from pipelines.derived import unchanged_run
from pipelines.errors import USER_ERRORS
from pipelines.lookup import find, suggestions_query
from pipelines.prefect_env import local_server, use_local_prefect
from pipelines.progress import count_progress
from pipelines.sources import SOURCES
from pipelines.warehouse import WarehouseError, connect_reader, connect_writer, set_as_of, snapshot_path
from pipelines.why import explain
from reports import DeliveryError

DEMO_DIR = Path("data/demo")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    for option in ("db", "config", "debug", "as_of", "wait"):  # options shared by all commands: unset unless given
        setattr(args, option, getattr(args, option, None))
    _log_to_stderr()
    try:
        db, config_path, required = resolve_paths(args.db, args.config)
        config = load_config(config_path, required=required)  # all of it checked, before anything runs
        if getattr(args, "writes", False):
            require_owner(config)
        return args.run(args, db, config) or 0
    except USER_ERRORS as exc:
        return _fail(str(exc))
    except BrokenPipeError:
        return _reader_went_away()
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


def _reader_went_away() -> int:
    """Whoever read our output stopped (`tiekeeper sql ... | head`): end quietly, as Unix tools do,
    with SIGPIPE's exit status; stdout goes nowhere, so that Python's final flush cannot complain."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # captured output (tests) has no file descriptor
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 128 + signal.SIGPIPE


def _parser() -> argparse.ArgumentParser:
    # Global options are accepted before or after the command.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--db", help="database file (default data/tiekeeper.duckdb beside the config file, env "
                                      "TIEKEEPER_DB)")
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
    parser.add_argument("--version", action=_Version, nargs=0, default=argparse.SUPPRESS,
                        help="show the installed version and exit")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    ingest_cmd = commands.add_parser("ingest", parents=[common], help="load a source into the database")
    ingest_cmd.add_argument("source", choices=sorted(SOURCES), help="which kind of input")
    ingest_cmd.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                            help="files or folders (default: the [sources] entry of the config); "
                                 "gmail, gcal, outlook and outlook-calendar take none: they sync from where the "
                                 "last run stopped")
    ingest_cmd.set_defaults(run=_ingest, writes=True)

    sql_cmd = commands.add_parser("sql", parents=[common], help="run a read-only SQL query")
    sql_cmd.add_argument("query")
    sql_cmd.add_argument("--format", choices=("table", "csv", "json", "parquet"), default="table")
    sql_cmd.add_argument("--max-rows", type=int, default=100, help="rows shown by the table format")
    sql_cmd.add_argument("--out", type=Path, metavar="FILE",
                         help="write the result to FILE instead of the terminal (needed for parquet)")
    sql_cmd.set_defaults(run=_sql)

    people_cmd = commands.add_parser(
        "people", parents=[common], help="who is who: review matches, look people up",
        description="People are resolved after every ingest from all identities and people.toml "
                    "(next to the config): [[merge]] identities = [...], [[split]] identities = [a, b], "
                    "[[ignore]] identity = ..., [[close]] identity = ...")
    people_commands = people_cmd.add_subparsers(title="people commands", required=True, metavar="COMMAND")
    build = people_commands.add_parser("build", parents=[common],
                                       help="resolve people and recompute the metrics, "
                                            "where anything they read changed")
    build.add_argument("--full", action="store_true",
                       help="resolve people again even if nothing changed since the last build")
    build.set_defaults(run=_people_build, writes=True)
    suggest = people_commands.add_parser("suggest", parents=[common], help="uncertain matches, with their evidence")
    suggest.add_argument("--limit", type=int, default=20)
    suggest.set_defaults(run=_people_suggest)
    accept = people_commands.add_parser("accept", parents=[common], help="accept suggestions into people.toml")
    accept.add_argument("match_ids", nargs="+", metavar="MATCH_ID")
    accept.set_defaults(run=_people_accept, writes=True)
    reject = people_commands.add_parser("reject", parents=[common],
                                        help="reject suggestions: [[split]] in people.toml, never suggested again")
    reject.add_argument("match_ids", nargs="+", metavar="MATCH_ID")
    reject.set_defaults(run=_people_reject, writes=True)
    show = people_commands.add_parser("show", parents=[common], help="one person with all their identities")
    show.add_argument("name", help="part of a name, an e-mail address or a LinkedIn URL")
    show.set_defaults(run=_people_show)

    auth_cmd = commands.add_parser("auth", parents=[common],
                                   help="authorize tiekeeper to read your Google or Microsoft (Outlook) data")
    auth_cmd.add_argument("provider", choices=["google", "microsoft"])
    auth_cmd.add_argument("--client-secrets", type=Path,
                          help="the OAuth client (a 'Desktop app' client_secret.json from Google Cloud; default: "
                               "client_secret.json in the token's folder)")
    auth_cmd.add_argument("--send", action="store_true", help="also allow sending the report through Gmail")
    auth_cmd.add_argument("--no-browser", action="store_true", help="print the URL instead of opening a browser")
    auth_cmd.add_argument("--device-code", action="store_true",
                          help="microsoft: sign in with a code typed on any device (the default without a browser)")
    auth_cmd.set_defaults(run=_auth)

    report_cmd = commands.add_parser("report", parents=[common],
                                     help="render the weekly report (.html with its charts, and the .eml)")
    report_cmd.add_argument("--out", type=Path, help="folder for the report (default: reports/ beside the database)")
    report_cmd.set_defaults(run=_report)
    send_cmd = commands.add_parser("send", parents=[common],
                                   help="render the weekly report and e-mail it to [report] to")
    send_cmd.add_argument("--out", type=Path, help="folder for the report (default: reports/ beside the database)")
    send_cmd.set_defaults(run=_send, writes=True)

    run_cmd = commands.add_parser("run", parents=[common],
                                  help="the weekly run, once: every configured source, people and metrics, the "
                                       "report, and sending it (a Prefect flow; nothing to start by hand)")
    run_cmd.add_argument("--no-send", action="store_true", help="write the report but do not e-mail it")
    run_cmd.add_argument("--resend", action="store_true",
                         help="e-mail it even if this week's report already went to the same recipients")
    run_cmd.add_argument("--out", type=Path, help="folder for the report (default: reports/ beside the database)")
    run_cmd.add_argument("--force", action="store_true",
                         help="run even if nothing changed since the last run (the same files, config and day)")
    run_cmd.add_argument("--verbose", action="store_true", help="show Prefect's own log lines too")
    run_cmd.set_defaults(run=_run, writes=True)
    serve_cmd = commands.add_parser("serve", parents=[common],
                                    help="stay running and do the weekly run on [run] schedule (default Mondays "
                                         "07:00 in your timezone), with a local Prefect server and its UI")
    serve_cmd.add_argument("--verbose", action="store_true", help="show Prefect's own log lines too")
    serve_cmd.set_defaults(run=_serve, writes=True)

    backtest_cmd = commands.add_parser(
        "backtest", parents=[common], help="how well tiekeeper predicted your own past, against naive baselines")
    backtest_cmd.set_defaults(run=_backtest, writes=True)

    why_cmd = commands.add_parser("why", parents=[common],
                                  help="what a person's strength is made of, and what changed lately")
    why_cmd.add_argument("name", help="part of a name, an e-mail address or a LinkedIn URL")
    why_cmd.set_defaults(run=_why)

    at_cmd = commands.add_parser("at", parents=[common], help="who you know at an organisation, and how well")
    at_cmd.add_argument("company", help="part of its name, or a mail domain such as acme.com")
    at_cmd.set_defaults(run=_at)

    demo_cmd = commands.add_parser("demo", parents=[common],
                                   help="generate a realistic demo world and load it (never touches your database)")
    demo_cmd.add_argument("--out", type=Path, default=DEMO_DIR, help=f"folder for the demo (default {DEMO_DIR})")
    demo_cmd.add_argument("--people", type=int, default=300)
    demo_cmd.add_argument("--seed", type=int, default=7)
    demo_cmd.set_defaults(run=_demo)
    _describe_commands(parser, command())  # looked up once: it searches PATH
    return parser


class _Version(argparse.Action):
    """--version, looked up only when asked for: importing importlib.metadata and reading the installed
    version would add some 25 ms to every command."""

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import version
        print(f"tiekeeper {version('tiekeeper')}")
        parser.exit()


# The description (beyond the one-line help) and the examples each command's --help shows; `{tk}`
# is the command as the user can type it. Every command has an entry (tests/test_cli_hygiene.py).
COMMAND_HELP: dict[str, tuple[str, tuple[str, ...]]] = {
    "ingest": ("Reads one source into the database in one transaction: a bad file changes nothing, bad items "
               "inside a good file are kept in rejected_records. Files whose content was read before are "
               "skipped; gmail, gcal, outlook and outlook-calendar continue where the last sync stopped.",
               ("{tk} ingest linkedin ~/Downloads/Complete_LinkedInDataExport_11-20-2026.zip",
                "{tk} ingest mbox          # the [sources] mbox files of tiekeeper.toml",
                "{tk} ingest ics ~/Takeout/Calendar",
                "{tk} ingest outlook       # [sources.outlook], after tiekeeper auth microsoft")),
    "sql": ("Runs a query on a read-only connection (the snapshot of the last finished run while one is "
            "writing) and prints a table, CSV or JSON, or writes Parquet for BI tools. The public views are "
            "listed in docs/schema.md.",
            ("{tk} sql \"select full_name, company from people order by last_interaction desc limit 20\"",
             "{tk} sql \"select * from companies\" --format csv > companies.csv",
             "{tk} sql \"select * from interactions\" --format parquet --out interactions.parquet")),
    "people": ("", ("{tk} people suggest", "{tk} people show \"Zoë Müller\"")),
    "people build": ("Resolves identities into people again, from everything ingested and people.toml, then "
                     "recomputes the metrics.", ("{tk} people build",)),
    "people suggest": ("Lists the pairs of identities the evidence could not decide, strongest first, with the "
                       "evidence and an id to accept or reject.", ("{tk} people suggest --limit 50",)),
    "people accept": ("Writes the suggestions as [[merge]] entries to people.toml (once: accepting again "
                      "changes nothing) and resolves people again.", ("{tk} people accept m_2353077cd129",)),
    "people reject": ("Writes the suggestions as [[split]] entries to people.toml, so that the two are never "
                      "one person and the pair is not suggested again, and resolves people again.",
                      ("{tk} people reject m_2353077cd129",)),
    "people show": ("Shows everyone matching a name (accents and case do not matter), an e-mail address or "
                    "a LinkedIn URL, with all their identities and why they belong.",
                    ("{tk} people show \"zoe muller\"", "{tk} people show jane@acme.com",
                     "{tk} people show https://www.linkedin.com/in/jane-doe")),
    "auth": ("Runs Google's or Microsoft's consent flow once and stores the token outside the repository, "
             "readable only by you (mode 0600).",
             ("{tk} auth google", "{tk} auth google --no-browser --send", "{tk} auth microsoft --device-code")),
    "report": ("Renders the weekly report as of now or --as-of: e-mail-safe HTML with its charts beside it, "
               "and the .eml to send.", ("{tk} report", "{tk} report --as-of 2026-11-02 --out /tmp/reports")),
    "send": ("Renders the weekly report and sends it by SMTP as [report] in tiekeeper.toml says; the password "
             "comes from the environment variable [report] password_env names.", ("{tk} send",)),
    "run": ("The weekly Prefect flow, once, here and now: every configured source, people and metrics, the "
            "report, sending it. A failing source does not stop the others. Run again with nothing new (the same "
            "files, config, database and day), it says so and stops.",
            ("{tk} run", "{tk} run --no-send --as-of 2026-11-02")),
    "serve": ("Stays running with a local Prefect server (its UI shows every run) and does the weekly run on "
              "[run] schedule; Ctrl-C or SIGTERM stops it.", ("{tk} serve",)),
    "why": ("Explains a person's strength and follow-up in plain words: what your own history says drives "
            "them, what holds the score up, and what changed in the last 4 weeks.",
            ("{tk} why \"zoe muller\"", "{tk} --as-of 2026-10-01 why jane@acme.com")),
    "backtest": ("At cuts every 8 weeks over your history, with only the data before each cut, fits the models, "
                 "evaluates follow-ups, replies owed and strength as they were then, and checks them against "
                 "what happened next, beside a naive baseline. The figures are kept in the backtests table; the "
                 "weekly report's last line sums up the past year's (the weekly run checks those cuts itself).",
                 ("{tk} backtest", "{tk} --as-of 2026-06-01 backtest")),
    "at": ("Lists the people you know at an organisation (LinkedIn companies and work mail domains "
           "reconciled), strongest tie first, with your last contact and how you know them.",
           ("{tk} at \"Acme\"", "{tk} at acme.com")),
    "demo": ("Generates a realistic owner's data (LinkedIn export, Takeout mbox, calendars) that ends just now, "
             "runs the weekly flow on it into its own database and prints where the report is.",
             ("{tk} demo", "{tk} demo --people 2000 --out /tmp/demo")),
}


def _describe_commands(parser: argparse.ArgumentParser, tk: str, prefix: str = "") -> None:
    """Gives every subcommand its description (the one-line help, and more from COMMAND_HELP) and its
    examples (shown after the options by --help), with `tk` for the command."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help for choice in action._choices_actions}
        for name, sub in action.choices.items():
            key = f"{prefix}{name}"
            more, examples = COMMAND_HELP[key]
            sub.formatter_class = argparse.RawDescriptionHelpFormatter  # the examples' lines as they are
            description = sub.description or f"{helps[name][:1].upper()}{helps[name][1:]}. {more}".strip()
            sub.description = textwrap.fill(description, width=100)
            sub.epilog = "examples:\n" + "\n".join(f"  {e.format(tk=tk)}" for e in examples)
            _describe_commands(sub, tk, f"{key} ")


def _ingest(args, db: Path, config: Config) -> int:
    from pipelines.ingest import ingest, input_files
    from pipelines.metrics import refresh_metrics
    from pipelines.people import refresh_people
    # Inputs are checked before the database is opened, and a database this run created is removed
    # again if the run fails having kept nothing: bad input leaves no trace. (An API sync that fails
    # half-way keeps what it committed, so that the next run resumes after it.)
    paths = [] if SOURCES[args.source].api else input_files(args.source, args.paths or config.source_paths(args.source),
                                                             config)
    created = not db.exists()
    as_of = _as_of(args, config)  # a calendar's window and the metrics are placed around it (default now)
    try:
        with _writer(args, db, config) as con:
            summary = ingest(con, args.source, paths, config, now=as_of)
            people = refresh_people(con, config)
            refresh_metrics(con, config, as_of=as_of)
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


def _reader(args, db: Path, config: Config) -> duckdb.DuckDBPyConnection:
    """The database open for reading, its views evaluated as of --as-of (default: now)."""
    as_of = _as_of(args, config)
    con = connect_reader(db, timezone=config.owner.timezone)
    if as_of is not None:  # a new connection is as of now already
        set_as_of(con, as_of)
    return con


def _holds_data(db: Path) -> bool:
    if not db.exists():
        return False
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables() where table_name like 'raw\\_%' "
                                            "escape '\\'").fetchall()]
        return any(con.execute(f'select count(*) from "{t}"').fetchall()[0][0] for t in tables)


def _sql(args, db: Path, config: Config) -> int:
    if args.out is None and args.format == "parquet":
        raise ConfigError("--format parquet writes a file: add --out FILE (e.g. --out result.parquet)")
    if args.out is not None and args.format == "table":
        raise ConfigError("--out writes csv, json or parquet: add --format parquet (or csv, json)")
    with _reader(args, db, config) as con:
        try:
            if args.format == "table":
                relation = con.sql(args.query)  # None for a statement without a result
                if relation is not None:
                    relation.show(max_rows=args.max_rows, max_width=shutil.get_terminal_size((120, 24)).columns)
                return 0
            with _output(args.out) as stream:
                if args.format == "parquet":
                    _write_parquet(con, args.query, stream.name)
                    return 0
                result = con.execute(args.query)
                columns = [column[0] for column in result.description or ()]
                if args.format == "csv":
                    writer = csv.writer(stream, lineterminator="\n")
                    writer.writerow(columns)
                    while rows := result.fetchmany(10_000):
                        writer.writerows([_csv_value(v) for v in row] for row in rows)
                else:
                    json.dump([dict(zip(columns, row)) for row in result.fetchall()], stream,
                              default=_json_value, ensure_ascii=False, indent=1)
                    print(file=stream)
        except duckdb.Error as exc:
            raise WarehouseError(f"query failed: {' '.join(str(exc).split())}") from None
    return 0


@contextlib.contextmanager
def _output(out: Path | None):
    """Where `sql` writes: stdout, or the file `out`, which appears whole when the query succeeded and
    not at all when it failed."""
    if out is None:
        yield sys.stdout
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as stream:
            yield stream
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    print(f"written to {out.resolve()}", file=sys.stderr)


def _write_parquet(con, query: str, path: str) -> None:
    relation = con.sql(query)
    if relation is None:
        raise WarehouseError("the statement returns no rows to write (--format parquet needs a query)")
    relation.to_parquet(path)


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


def _shell_path(path: Path) -> str:
    return shlex.quote(str(path))


def _demo(args, db: Path, config: Config) -> int:
    from connectors.demo import generate_world
    from connectors.demo.world import OWNER_TZ

    out: Path = args.out
    # The world ends just before the moment the demo runs (or --as-of), and the weekly run looks at it
    # from that moment: the first report shows a live week.
    as_of = parse_as_of(args.as_of, ZoneInfo(OWNER_TZ)) or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    print(f"Generating a demo world of {args.people} people (seed {args.seed}) up to "
          f"{as_of.astimezone(ZoneInfo(OWNER_TZ)):%Y-%m-%d %H:%M} in {out} ...", flush=True)
    world = generate_world(out, people=args.people, seed=args.seed, end=as_of)
    demo_db = out / "tiekeeper.duckdb"
    for stale in (demo_db, snapshot_path(demo_db)):  # each demo starts from a fresh database
        for path in (stale, stale.with_name(stale.name + ".wal")):
            path.unlink(missing_ok=True)
    demo_config = load_config(world.config, required=True)
    print("Running the weekly flow on it (tiekeeper run) ...", flush=True)
    summary = _weekly_run(demo_db, demo_config, as_of=as_of.isoformat(), send_report=True, resend=False,
                          out=out / "reports", wait_seconds=args.wait)
    with connect_reader(demo_db, timezone=demo_config.owner.timezone) as con:
        counts = con.execute("""
            select (select count(*) from people),
                   (select count(*) from stg_linkedin__connections),
                   (select count(*) from stg_mbox__messages),
                   (select count(*) from stg_ics__events),
                   (select count(*) from rejected_records)""").fetchall()[0]
    print("\nThe demo database knows {:,} people from {:,} LinkedIn connections, {:,} e-mails and {:,} "
          "calendar events ({:,} input items rejected, with reasons).".format(*counts))
    tk, db_option = command(), f"--db {_shell_path(demo_db)}"
    with_config = f"{db_option} --config {_shell_path(world.config)}"
    print(f"Database: {demo_db}\nTry:      {tk} {db_option} sql "
          f"\"select full_name, tier, strength, days_since_contact, next_step from people_overview limit 20\"\n"
          f"          {tk} {db_option} sql \"select full_name, reason, round(lapse_risk, 2) as risk from follow_ups "
          f"order by priority desc\"\n"
          f"          {tk} {with_config} backtest   # how well it would have judged this owner's past\n"
          f"          {tk} {with_config} why \"Müller\"\n"
          f"          {tk} {with_config} at \"Nimbus\"\n"
          f"          {tk} {with_config} people suggest\n"
          f"          {tk} {with_config} run      # the weekly run again: unchanged files are skipped")
    print(f"\nDelivery: {summary.delivery}\nThis week's report: {summary.report}")
    if summary.problems:
        return _fail("the demo run finished with problems: " + "; ".join(summary.problems))
    return 0


def _people_build(args, db: Path, config: Config) -> int:
    from pipelines.metrics import refresh_metrics
    from pipelines.people import refresh_people
    with _writer(args, db, config) as con:
        print(refresh_people(con, config, full=args.full).line())
        print(refresh_metrics(con, config, as_of=_as_of(args, config)).line())
    return 0


def _people_suggest(args, db: Path, config: Config) -> int:
    with connect_reader(db, timezone=config.owner.timezone) as con:
        con.execute(f"create temp table suggestions as {suggestions_query()}")
        rows = con.execute("from suggestions order by score desc, match_id limit ?", [args.limit]).fetchall()
        total = con.execute("select count(*) from suggestions").fetchall()[0][0]
    if not rows:
        print("No uncertain matches to review.")
        return 0
    for match_id, _score, p, evidence, decision, lkey, lname, lseen, rkey, rname, rseen in rows:
        print(f"{match_id}  probability {p:.2f}")
        for key, name, seen in ((lkey, lname, lseen), (rkey, rname, rseen)):
            print(f"    {key:<48} {name or '':<28} seen {seen:,} times")
        print(f"    evidence: {evidence}\n    held back: {decision.removeprefix('suggested: ')}")
    if total > len(rows):
        print(f"\n{len(rows):,} of {total:,} uncertain matches, the strongest first (--limit N shows more).")
    print(f"\nAccept one into {config.people_path}: {command()} people accept MATCH_ID ... "
          f"(or reject it: {command()} people reject MATCH_ID ...)")
    return 0


def _people_accept(args, db: Path, config: Config) -> int:
    return _decide_matches(args, db, config, "merge")


def _people_reject(args, db: Path, config: Config) -> int:
    return _decide_matches(args, db, config, "split")


def _decide_matches(args, db: Path, config: Config, section: str) -> int:
    """Writes the suggestions `args.match_ids` to people.toml as [[merge]] (accept) or [[split]]
    (reject) entries, each once, and resolves people again when anything changed."""
    from pipelines.metrics import refresh_metrics
    from pipelines.people import append_pairs, load_overrides, refresh_people
    path, verb = config.people_path, {"merge": "accepted", "split": "rejected"}[section]
    overrides = load_overrides(path)
    decided = {frozenset(pair): "split" for pair in overrides.split}
    decided.update({frozenset((a, b)): "merge" for group in overrides.merge for a in group for b in group if a != b})
    with _writer(args, db, config) as con:
        found = {row[0]: row for row in con.execute(
            "select match_id, left_key, right_key, evidence from identity_matches where match_id in "
            "(select unnest(?::varchar[]))", [args.match_ids]).fetchall()}
        missing = [m for m in args.match_ids if m not in found]
        if missing:
            raise WarehouseError(f"no match {missing[0]} (see `{command()} people suggest` for the ids)")
        new, already = [], []
        for match_id in dict.fromkeys(args.match_ids):
            _, left, right, evidence = found[match_id]
            earlier = decided.get(frozenset((left, right)))
            if earlier == section:
                already.append(match_id)
            elif earlier:
                raise ConfigError(f"{path}: {match_id} was {'rejected' if verb == 'accepted' else 'accepted'} "
                                  f"before (a [[{earlier}]] entry for {left} and {right}); remove it to decide again")
            else:
                new.append((left, right, f"{verb} {match_id}: {evidence}"))
        if already:
            print(f"Already {verb} in {path}: {', '.join(already)}")
        if new:
            append_pairs(path, section, new)
            print(f"Added {len(new)} {section}{'s' * (len(new) != 1)} to {path}")
            print(refresh_people(con, config).line())
            refresh_metrics(con, config)
    return 0


def _people_show(args, db: Path, config: Config) -> int:
    with connect_reader(db, timezone=config.owner.timezone) as con:
        found = find(con, "people", args.name, limit=10)
        for person_id in found.keys:
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
        if found.more():
            print(found.more())
    return 0


def _report(args, db: Path, config: Config) -> int:
    from reports.weekly import make_report
    sender, recipients = report_addresses(config)
    with _reader(args, db, config) as con:
        files, _ = make_report(con, report_folder(db, args.out), owner_tz=config.owner.tz, sender=sender,
                               recipients=recipients)
    print(files.html)
    return 0


def _send(args, db: Path, config: Config) -> int:
    from reports.smtp import send
    from reports.weekly import make_report
    settings = smtp_settings(config)  # checked before anything is rendered
    with _reader(args, db, config) as con:
        files, message = make_report(con, report_folder(db, args.out), owner_tz=config.owner.tz,
                                     sender=settings.sender, recipients=list(settings.to))
    try:
        answer = send(message, settings)
    except DeliveryError as exc:
        raise DeliveryError(f"{exc} (the report is kept in {files.html.parent})") from None
    with _writer(args, db, config) as con:
        record_delivery(con, files.html.stem, list(settings.to), message, answer)
    print(f"sent {files.eml.name} to {', '.join(settings.to)}: {answer}")
    return 0


def _run(args, db: Path, config: Config) -> int:
    last = None if args.force or args.resend else unchanged_run(
        db, config, as_of=args.as_of, send_report=not args.no_send, out=str(args.out) if args.out else None)
    if last:  # before Prefect starts: that alone takes longer than a whole run with nothing to do
        finished = dt.datetime.fromisoformat(last["finished_at"])
        print(f"nothing changed since the run of {finished:%a %-d %b %H:%M}: the same input files, config, database "
              f"and day (`tiekeeper run --force` runs it again anyway)\nreport: {last['report']}\n"
              f"delivery, in that run: {last['delivery']}")
        return 0
    summary = _weekly_run(db, config, as_of=args.as_of, send_report=not args.no_send, resend=args.resend,
                          out=args.out, wait_seconds=args.wait, verbose=args.verbose)
    print(f"report: {summary.report or 'not written'}\ndelivery: {summary.delivery}\n{summary.timings()}")
    if summary.problems:
        return _fail(f"the run finished with {len(summary.problems)} problem{'s' * (len(summary.problems) != 1)}: "
                     + "; ".join(summary.problems))
    return 0


def _weekly_run(db: Path, config: Config, *, out: Path | None, verbose: bool = False, **parameters):
    """The weekly flow, once, in this process: on a temporary Prefect server that starts while the flow's
    modules are imported, unless Prefect's settings name one (PREFECT_API_URL, a profile). Prefect's
    state lives in `prefect/` beside the database."""
    home = use_local_prefect(db.parent, quiet=not verbose)
    with local_server(home, temporary=True, meanwhile=lambda: importlib.import_module("pipelines.flow")):
        from pipelines.flow import weekly_report
        _log_to_stderr()
        return weekly_report(config_path=str(config.path), db_path=str(db), out=str(out) if out else None,
                             **parameters)


def _serve(args, db: Path, config: Config) -> int:
    home = use_local_prefect(db.parent, quiet=not args.verbose)
    from pipelines.flow import serve_weekly, weekly_schedule
    schedule = weekly_schedule(config)  # a bad cron is an error before anything starts
    signal.signal(signal.SIGTERM, _stop)  # `kill`, systemd: stop as Ctrl-C does, stopping the server too
    with local_server(home) as api_url:
        _log_to_stderr()
        print(f"Prefect server: {api_url.removesuffix('/api')} (its UI shows every run)\n"
              f"The weekly run is scheduled at \"{schedule.cron}\" ({schedule.timezone}); Ctrl-C stops it.",
              flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            serve_weekly(config.path.resolve(), db.resolve(), schedule)
    print("Stopped: no weekly runs until `tiekeeper serve` runs again.", flush=True)
    return 0


def _stop(signum, frame):
    raise KeyboardInterrupt


def _auth(args, db: Path, config: Config) -> int:
    if args.provider == "microsoft":
        return _auth_microsoft(args, config)
    from connectors.google_auth import authorize, token_path
    secrets = args.client_secrets or token_path().parent / "client_secret.json"
    path = authorize(secrets, send=args.send, open_browser=not args.no_browser)
    print(f"Google authorization stored in {path} (readable only by you)")
    return 0


def _auth_microsoft(args, config: Config) -> int:
    from connectors.microsoft_auth import authorize, token_path
    from pipelines.sources import microsoft_client
    client_id, tenant = microsoft_client(config)
    account = authorize(client_id, tenant=tenant, device_code=args.device_code, open_browser=not args.no_browser)
    print(f"Microsoft authorization for {account} stored in {token_path()} (readable only by you)")
    return 0


def _backtest(args, db: Path, config: Config) -> int:
    from pipelines.backtest import run_backtest, table_lines
    from reports.weekly import track_record
    with _writer(args, db, config) as con, count_progress("backtest", "cuts") as progress:
        result = run_backtest(con, config, as_of=_as_of(args, config), progress=progress.update)
        print("\n".join(table_lines(result)))
        if not result.note:
            print("\n" + track_record(con))
    return 0


def _why(args, db: Path, config: Config) -> int:
    with _reader(args, db, config) as con:
        found = find(con, "people", args.name, limit=3)
        for person_id in found.keys:
            print("\n".join(explain(con, person_id)), end="\n\n")
        if found.more():
            print(found.more())
    return 0


AT_PEOPLE = 20  # people listed per organisation by `tiekeeper at`


def _at(args, db: Path, config: Config) -> int:
    with _reader(args, db, config) as con:
        found = find(con, "companies", args.company, limit=3)
        for key in found.keys:
            print("\n".join(_company_lines(con, key, config.owner.tz)), end="\n\n")
        if found.more():
            print(found.more())
    return 0


def _company_lines(con, organisation_key: str, tz) -> list[str]:
    """One organisation as `tiekeeper at` shows it: a summary line, then its people, strongest first."""
    (company, domains, known, connections, in_touch, last, through, own, people), = con.execute("""
        select company, domains, people_known, linkedin_connections, people_in_touch_last_year, last_contact_at,
               known_through, is_own_organisation, people
        from companies where organisation_key = ?""", [organisation_key]).fetchall()
    lines = [f"{company}{'  (your own organisation)' if own else ''}"
             + (f"  [{', '.join(domains)}]" if domains else ""),
             f"  {known} {'person' if known == 1 else 'people'} known, {connections} LinkedIn connection"
             f"{'s' * (connections != 1)}, {in_touch} in touch in the last year"
             + (f"; last contact {last.astimezone(tz):%Y-%m-%d}" if last else "")
             + (f"; through {', '.join(c.replace('_', ' ') for c in through)}" if through else "")]
    for person in people[:AT_PEOPLE]:
        strength = "no score" if person["strength"] is None else f"strength {person['strength']:.0f} ({person['tier']})"
        last_contact = person["last_contact_at"]
        lines.append(f"    {person['full_name']:<32} {(person['position'] or ''):<28.28} {strength:<24} "
                     + (f"last {last_contact.astimezone(tz):%Y-%m-%d}" if last_contact else "never in touch"))
    if len(people) > AT_PEOPLE:
        lines.append(f"    ... and {len(people) - AT_PEOPLE} more (all of them: {command()} sql "
                     f"\"select unnest(people, recursive := true) from companies "
                     f"where organisation_key = '{organisation_key}'\")")
    return lines


if __name__ == "__main__":
    sys.exit(main())
