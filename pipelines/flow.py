"""The weekly run as a Prefect flow: every configured source, then people and metrics, then the
report and its delivery.

    tiekeeper run          # once, here and now, on Prefect's temporary server: nothing to start
    tiekeeper serve        # on this machine, every week at [run] schedule
    prefect deploy --all   # prefect.yaml's `weekly-report` on a Prefect server and a process work pool

Sources are independent: one that fails (an expired token, a missing file) is named with its
reason at the top of the report and in the run's summary, and the other sources, the metrics, the
report and its delivery go on. API sources are retried with exponential backoff when the failure is
transient; file sources are not (a missing file does not appear by waiting). The run holds the
database's writer lock from start to end, so a second run waits for it, a bounded time.

Everything here is a thin shell over plain functions (`pipelines.ingest`, `pipelines.people`,
`pipelines.metrics`, `reports.weekly`, `reports.smtp`), which know nothing of Prefect.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed
from prefect.tasks import exponential_backoff

from connectors import TransientSourceError
from pipelines.backtest import run_backtest
from pipelines.config import (
    DEFAULT_CONFIG,
    DEFAULT_DB,
    Config,
    ConfigError,
    RunSettings,
    load_config,
    parse_as_of,
    run_settings,
)
from pipelines.deliveries import last_delivery, record_delivery, report_addresses, report_folder, smtp_settings
from pipelines.derived import database_state, forget_run, record_run, run_inputs
from pipelines.errors import USER_ERRORS
from pipelines.ingest import SOURCES, IngestSummary, ingest
from pipelines.metrics import refresh_metrics
from pipelines.people import refresh_people
from pipelines.warehouse import connect_reader, connect_writer, set_as_of, writer_lock
from reports.smtp import send
from reports.weekly import TRACK_RECORD_DAYS, make_report

SUMMARY_ARTIFACT = "weekly-run-summary"


def configured_sources(config: Config) -> list[str]:
    """The sources this config turns on: file sources with paths, API sources with a section."""
    return [name for name, source in SOURCES.items()
            if (config.api_settings(name) is not None if source.api else config.source_paths(name))]


@dataclass
class SourceResult:
    source: str
    ok: bool
    line: str  # the ingest's summary line, or why it failed
    loaded: int = 0
    updated: int = 0
    rejected: int = 0
    seconds: float = 0.0


@dataclass
class RunSummary:
    """What a run did; `markdown()` is its Prefect artifact."""
    as_of: str
    sources: list[SourceResult] = field(default_factory=list)
    people: int | None = None
    follow_ups: int | None = None
    awaiting_reply: int | None = None
    report: str | None = None  # the HTML file
    delivery: str = "not sent"
    problems: list[str] = field(default_factory=list)  # each a line: what failed and why
    seconds: dict[str, float] = field(default_factory=dict)  # per stage

    @property
    def ok(self) -> bool:
        return not self.problems

    def timings(self) -> str:
        """Seconds per stage, e.g. "9.8 s in the flow: ingest linkedin 0.4 s, ..., report 2.1 s"."""
        stages = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in self.seconds.items() if stage != "total")
        return f"{self.seconds.get('total', 0):.1f} s in the flow: {stages}"

    def markdown(self) -> str:
        rows = "\n".join(
            f"| {r.source} | {'ok' if r.ok else '**failed**'} | {r.loaded:,} | {r.updated:,} | {r.rejected:,} | "
            f"{r.seconds:.1f} | {_cell(r.line)} |" for r in self.sources)
        problems = "\n".join(f"- {_cell(p)}" for p in self.problems) or "- none"
        figures = ("| people | to follow up | awaiting a reply |\n| ---: | ---: | ---: |\n"
                   f"| {self.people:,} | {self.follow_ups:,} | {self.awaiting_reply:,} |"
                   if self.people is not None else "People and metrics were not computed.")
        return (f"# Weekly run as of {self.as_of}\n\n## Problems\n{problems}\n\n## Sources\n"
                "| source | status | loaded | updated | rejected | seconds | detail |\n"
                f"| --- | --- | ---: | ---: | ---: | ---: | --- |\n{rows}\n\n## Relationships\n{figures}\n\n"
                f"## Report\n- file: `{self.report or 'not written'}`\n- delivery: {self.delivery}\n\n"
                f"## Timings\n{self.timings()}\n")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# -- tasks: each one opens the database for as long as it needs it -------------------------------

@task(name="ingest", cache_policy=NO_CACHE)
def ingest_source(source: str, db: Path, config: Config, as_of: dt.datetime | None = None) -> IngestSummary:
    with connect_writer(db, timezone=config.owner.timezone) as con:
        return ingest(con, source, [] if SOURCES[source].api else config.source_paths(source), config, now=as_of)


def _transient(task, task_run, state) -> bool:
    """Retry an API source only when waiting can help: not for a revoked token or a refused scope."""
    try:
        state.result()
    except TransientSourceError:
        return True
    except BaseException:  # noqa: BLE001 - any other failure is final
        return False
    return False


@task(name="people-and-metrics", cache_policy=NO_CACHE)
def refresh_relationships(db: Path, config: Config, as_of: dt.datetime | None) -> tuple[int, int, int]:
    with connect_writer(db, timezone=config.owner.timezone) as con:
        print(refresh_people(con, config).line(), flush=True)
        metrics = refresh_metrics(con, config, as_of=as_of)
        print(metrics.line(), flush=True)
        people = con.execute("select count(*) from people").fetchall()[0][0]
    return people, metrics.follow_ups, metrics.awaiting


@task(name="backtest", cache_policy=NO_CACHE)
def check_against_history(db: Path, config: Config, as_of: dt.datetime | None) -> int:
    """The backtest's cuts that are new since the last run (or whose data changed), for the report's
    sentence on how well tiekeeper predicted the owner's past year. Older cuts are left to
    `tiekeeper backtest`: on a first run over years of mail they were most of its time."""
    since = (as_of or dt.datetime.now(dt.timezone.utc)) - dt.timedelta(days=TRACK_RECORD_DAYS + 1)
    with connect_writer(db, timezone=config.owner.timezone) as con:
        return len(run_backtest(con, config, as_of=as_of, only_new=True, since=since).cuts)


@task(name="report", cache_policy=NO_CACHE)
def render_report(db: Path, config: Config, as_of: dt.datetime | None, out: Path | None, problems: list[str],
                  recipients: list[str] | None, sender: str | None):
    sender, recipients = report_addresses(config, sender, recipients)
    with connect_reader(db, timezone=config.owner.timezone) as con:
        set_as_of(con, as_of)
        return make_report(con, report_folder(db, out), owner_tz=config.owner.tz, sender=sender,
                           recipients=recipients, problems=problems)


@task(name="send", cache_policy=NO_CACHE)
def deliver(db: Path, config: Config, message, iso_week: str, resend: bool) -> str:
    settings = smtp_settings(config)
    recipients = list(settings.to)
    with connect_writer(db, timezone=config.owner.timezone) as con:
        sent_at = last_delivery(con, iso_week, recipients)
    if sent_at and not resend:
        return (f"not sent again: the {iso_week} report went to {', '.join(recipients)} on "
                f"{sent_at.astimezone(config.owner.tz):%a %-d %b %H:%M} (tiekeeper run --resend sends it anyway)")
    answer = send(message, settings)  # a failure here is a DeliveryError, with the server's answer
    with connect_writer(db, timezone=config.owner.timezone) as con:
        record_delivery(con, iso_week, recipients, message, answer)
    return f"sent to {', '.join(recipients)}: {answer}"


# -- the flow ------------------------------------------------------------------------------------

@flow(name="weekly-report",
      description="Every configured source, people and metrics, the weekly report, and its delivery.")
def weekly_report(config_path: str = str(DEFAULT_CONFIG), db_path: str = str(DEFAULT_DB),
                  as_of: str | None = None, send_report: bool = True, resend: bool = False,
                  out: str | None = None, wait_seconds: float | None = None):
    """`as_of`: a date or ISO time to compute the metrics and report as of (default now).
    `send_report`: e-mail the report when [report] has an smtp_host. `resend`: even if this week's
    report already went to the same recipients. `out`: the report's folder (default reports/ beside
    the database). `wait_seconds`: for another run holding the database (default [run] wait_seconds)."""
    config = load_config(Path(config_path).expanduser(), required=True)
    settings = run_settings(config)
    if wait_seconds is not None:
        settings = dataclasses.replace(settings, wait_seconds=wait_seconds)
    db = Path(db_path).expanduser()
    moment = parse_as_of(as_of, config.owner.tz)
    summary = RunSummary(as_of=(moment or dt.datetime.now(config.owner.tz)).isoformat(timespec="minutes"))
    started = time.monotonic()

    with writer_lock(db, wait=settings.wait_seconds):
        forget_run(db)
        inputs = run_inputs(config, as_of=as_of, send_report=send_report, out=out)
        for source in configured_sources(config):
            with _timed(summary, f"ingest {source}"):
                summary.sources.append(_run_source(source, db, config, settings, moment))
        summary.problems += [_prefixed(r.source, r.line) for r in summary.sources if not r.ok]

        with _timed(summary, "people and metrics"):
            state = refresh_relationships(db, config, moment, return_state=True)
            if state.is_completed():
                summary.people, summary.follow_ups, summary.awaiting_reply = state.result()
            else:
                summary.problems.append(f"people and metrics: {_reason(state)} (the report shows the last "
                                        "computed ones)")

        with _timed(summary, "backtest"):
            state = check_against_history(db, config, moment, return_state=True)
            if not state.is_completed():
                summary.problems.append(f"backtest: {_reason(state)} (the report's track record may be older)")

        delivery = _delivery_settings(config, send_report, summary)
        with _timed(summary, "report"):
            state = render_report(db, config, moment, Path(out) if out else None, list(summary.problems),
                                  list(delivery.to) if delivery else None, delivery.sender if delivery else None,
                                  return_state=True)
        if not state.is_completed():
            summary.problems.append(f"report: {_reason(state)}")
        else:
            files, message = state.result()
            summary.report = str(files.html)
            if delivery:
                with _timed(summary, "send"):
                    state = deliver(db, config, message, files.html.stem, resend, return_state=True)
                if state.is_completed():
                    summary.delivery = state.result()
                else:
                    summary.delivery = f"FAILED: {_reason(state)} (the report is kept in {files.html.parent})"
                    summary.problems.append(f"delivery: {_reason(state)}")
        left = database_state(db)  # every connection is closed by now
    summary.seconds["total"] = time.monotonic() - started
    if summary.ok:
        record_run(db, inputs, left, {"finished_at": dt.datetime.now(config.owner.tz).isoformat(timespec="seconds"),
                                      "report": summary.report, "delivery": summary.delivery})

    create_markdown_artifact(key=SUMMARY_ARTIFACT, markdown=summary.markdown(),
                             description="What the weekly run loaded, computed, rendered and sent")
    message = "; ".join(summary.problems) if summary.problems else "all sources loaded, report written"
    return Completed(name="Completed" if summary.ok else "Completed with problems", message=message, data=summary)


def _run_source(source: str, db: Path, config: Config, settings: RunSettings,
                as_of: dt.datetime | None) -> SourceResult:
    run = ingest_source.with_options(name=f"ingest-{source}", task_run_name=f"ingest-{source}")
    if SOURCES[source].api:
        run = run.with_options(retries=settings.retries, retry_condition_fn=_transient,
                               retry_delay_seconds=exponential_backoff(settings.retry_delay_seconds)(settings.retries)
                               if settings.retries else 0)
    state = run(source, db, config, as_of, return_state=True)
    if not state.is_completed():
        print(f"{source}: FAILED: {_reason(state)}", flush=True)
        return SourceResult(source, False, _reason(state))
    result: IngestSummary = state.result()
    print(result.line(), flush=True)
    return SourceResult(source, True, result.line(), result.loaded, result.updated, result.rejected, result.seconds)


def _delivery_settings(config: Config, send_report: bool, summary: RunSummary):
    """The SMTP settings when the report is to be sent; None (with the reason in the summary) when not."""
    if not send_report:
        summary.delivery = "not sent (asked not to)"
        return None
    if config.report is None or config.report.smtp_host is None:
        summary.delivery = "not sent: [report] has no smtp_host (see README, The weekly report)"
        return None
    try:
        return smtp_settings(config)
    except ConfigError as exc:
        summary.delivery = f"FAILED: {exc}"
        summary.problems.append(f"delivery: {exc}")
        return None


@contextlib.contextmanager
def _timed(summary: RunSummary, stage: str) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        summary.seconds[stage] = time.monotonic() - started


def _reason(state) -> str:
    """The one line a failed task's exception says: its own message for a user error, else its type too."""
    error = state.result(raise_on_failure=False)
    if isinstance(error, USER_ERRORS):
        return str(error)
    if isinstance(error, BaseException):
        return f"unexpected error: {type(error).__name__}: {' '.join(str(error).split())}"
    return state.message or state.name


def _prefixed(source: str, reason: str) -> str:
    """A file source's errors begin with a path, so the source is named first; an API source's name the API."""
    return reason if SOURCES[source].api or reason.startswith(f"{source}:") else f"{source}: {reason}"


def weekly_schedule(config: Config):
    """[run] schedule as a Prefect cron schedule in the owner's timezone."""
    from prefect.schedules import Cron
    cron = run_settings(config).schedule
    try:
        return Cron(cron, timezone=config.owner.timezone)
    except ValueError as exc:
        raise ConfigError(f"{config.path}: [run] schedule {cron!r} is not a cron expression such as "
                          f"\"0 7 * * 1\" (Mondays 07:00): {' '.join(str(exc).split())[:120]}") from None


def serve_weekly(config_path: Path, db_path: Path, schedule) -> None:
    """Runs until stopped, doing the weekly run on `schedule` (needs a Prefect server: see
    `pipelines.prefect_env.local_server`). Stopping it does not pause the schedule."""
    weekly_report.serve(name="weekly-report", schedules=[schedule], pause_on_shutdown=False,
                        parameters={"config_path": str(config_path), "db_path": str(db_path)},
                        print_starting_message=False)
