"""The weekly flow under Prefect's own test harness: a generated world end to end with the report
delivered to a real SMTP server on loopback, sources that fail, and a retry that succeeds."""
from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy
from pathlib import Path

import duckdb
import pytest
from aiosmtpd.controller import Controller

from connectors import google_api
from connectors.demo import generate_world
from pipelines.flow import SUMMARY_ARTIFACT, weekly_report
from tests.fake_google import FakeGoogle, synthetic_messages
from tests.test_delivery import Inbox, free_port

# slow: the weekly Prefect flow on a generated world
pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]
END = dt.date(2026, 11, 23)  # the world's last day, a Monday; the runs are as of it (its report is 2026-W48)
AS_OF = END.isoformat()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return generate_world(tmp_path_factory.mktemp("world"), people=60, seed=11, end=END)


@pytest.fixture
def smtp():
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def config(world, name: str, extra: str = "", *, port: int | None = None, sources: str | None = None) -> Path:
    """The world's config (its [sources] replaced by `sources` if given), plus a [report] that
    delivers to the loopback server on `port`, plus `extra`."""
    text = world.config.read_text(encoding="utf-8")
    if sources is not None:
        text = text[:text.index("[sources]")] + sources
    if port:
        text += (f'\n[report]\nto = ["sofia@example.test"]\nfrom = "Tiekeeper <tiekeeper@example.test>"\n'
                 f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\nsecurity = "none"\n')
    path = world.config.with_name(f"{name}.toml")
    path.write_text(text + extra, encoding="utf-8")
    return path


def gmail_at(url: str) -> str:
    """A Gmail source served by the fake Google at `url`, retried twice by Prefect without waiting."""
    return (f'[sources.gmail]\napi_endpoint = "{url}"\ncredentials = "anonymous"\n'
            '[run]\nretries = 2\nretry_delay_seconds = 0\n')


def task_run(name: str, flow_run_id=None):
    """The task run `name` of that flow run (default: the latest weekly run), from Prefect's server."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import FlowRunSort
    with get_client(sync_client=True) as client:
        if flow_run_id is None:
            (latest,) = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=1)
            flow_run_id = latest.id
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    (run,) = [r for r in runs if r.name == name]
    return run


def received(inbox: Inbox) -> list:
    return [message_from_bytes(raw, policy=policy.default) for _, _, raw in inbox.received]


def html_and_text(message) -> tuple[str, str]:
    return (message.get_body(("html",)).get_content(), message.get_body(("plain",)).get_content())


def test_the_whole_flow_loads_every_source_and_mails_the_report_once_a_week(cli, world, smtp, tmp_path):
    inbox, port = smtp
    path, db = config(world, "complete", port=port), tmp_path / "tiekeeper.duckdb"

    first = cli("--config", path, "--db", db, "--as-of", AS_OF, "run")
    assert first.code == 0, first.err
    assert [line.split(":")[0] for line in first.out.splitlines()[:3]] == ["linkedin", "mbox", "ics"]
    assert "delivery: sent to sofia@example.test" in first.out
    (message,) = received(inbox)
    week = END.isocalendar()
    assert message["Subject"] == f"Your network, {week.year}-W{week.week:02d}"
    html, text = html_and_text(message)
    assert "Replies you owe" in html and "incomplete" not in html and "INCOMPLETE" not in text
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from people").fetchall()[0][0] > 50
        assert con.execute("select recipients from report_deliveries").fetchall() == [(["sofia@example.test"],)]

    from prefect.artifacts import Artifact
    artifact = Artifact.get(SUMMARY_ARTIFACT)
    assert "| mbox | ok |" in artifact.data and "sent to sofia@example.test" in artifact.data

    again = cli("--config", path, "--db", db, "--as-of", AS_OF, "run")  # the same day, nothing new: no run
    assert again.code == 0, again.err
    assert again.out.startswith("nothing changed since the run of ")
    assert f"report: {first.out.split('report: ')[1].splitlines()[0]}\n" in again.out
    assert "delivery, in that run: sent to sofia@example.test" in again.out and len(inbox.received) == 1

    forced = cli("--config", path, "--db", db, "--as-of", AS_OF, "run", "--force")  # through the flow all the same
    assert forced.code == 0, forced.err
    assert "1 unchanged and skipped" in forced.out.splitlines()[1]
    assert "delivery: not sent again: the" in forced.out and len(inbox.received) == 1

    resent = cli("--config", path, "--db", db, "--as-of", AS_OF, "run", "--resend")
    assert resent.code == 0 and len(inbox.received) == 2


def test_failing_sources_are_named_at_the_top_of_the_report_and_the_rest_goes_on(cli, world, smtp, tmp_path):
    inbox, port = smtp
    sources = (f'[sources]\nlinkedin = "Complete_LinkedInDataExport_{END:%m-%d-%Y}.zip"\n'
               'mbox = ["Takeout/Mail/gone.mbox"]\nics = ["Takeout/Calendar"]\n')
    google = FakeGoogle(messages=synthetic_messages(30))
    with google as url:
        path = config(world, "failing", port=port, sources=sources + gmail_at(url))
        google.fail_next(1, status=401)  # an expired token: retrying cannot help
        result = cli("--config", path, "--db", tmp_path / "t.duckdb", "--as-of", AS_OF, "run")
    assert result.code == 1
    (line,) = result.err.splitlines()
    assert line.startswith("tiekeeper: the run finished with 2 problems: mbox: ")
    assert "gone.mbox: no such file or folder" in line and "; Gmail API: the Google authorization has expired" in line
    assert google.calls() == 1  # not retried
    mbox = task_run("ingest-mbox")
    assert mbox.state.is_failed() and mbox.run_count == 1  # a file source is not retried either
    (message,) = received(inbox)  # the report still went out, saying what is missing
    html, text = html_and_text(message)
    for part in (html, text):
        assert "incomplete" in part.lower()
        assert "gone.mbox: no such file or folder" in part and "authorization has expired" in part
    assert html.index("incomplete") < html.index("Replies you owe")
    with duckdb.connect(str(tmp_path / "t.duckdb"), read_only=True) as con:
        assert con.execute("select list(distinct source order by source) from ingest_runs").fetchall()[0][0] == [
            "ics", "linkedin"]


def test_a_transient_api_failure_is_retried_by_prefect_and_the_retry_succeeds(world, tmp_path, monkeypatch):
    monkeypatch.setattr(google_api, "RETRY_TRIES", 1)  # no waiting inside the connector: Prefect retries
    google = FakeGoogle(messages=synthetic_messages(40))
    with google as url:
        path = config(world, "retrying", sources=gmail_at(url))
        google.fail_next(1, status=503)
        state = weekly_report(config_path=str(path), db_path=str(tmp_path / "t.duckdb"), send_report=False,
                              as_of=AS_OF, return_state=True)
    summary = state.result()
    assert summary.ok, summary.problems
    (gmail,) = summary.sources
    assert gmail.ok and gmail.loaded == 40

    gmail = task_run("ingest-gmail", state.state_details.flow_run_id)
    assert gmail.run_count == 2 and gmail.state.is_completed()


def test_a_transient_failure_that_lasts_is_retried_then_reported(world, tmp_path, monkeypatch):
    monkeypatch.setattr(google_api, "RETRY_TRIES", 1)
    google = FakeGoogle(messages=synthetic_messages(5))
    with google as url:
        path = config(world, "down", sources=gmail_at(url))
        google.fail_next(100, status=503)
        summary = weekly_report(config_path=str(path), db_path=str(tmp_path / "t.duckdb"), send_report=False,
                                as_of=AS_OF)
    assert google.calls() == 3  # the first attempt and two retries, each failing at its first call
    assert summary.problems == ["Gmail API: request refused with HTTP 503: The service is currently unavailable. "
                                "(still failing after retries; run again later, it resumes where it stopped)"]
    assert summary.report and Path(summary.report).exists()
