"""The weekly relationship report: gather it from the public views, render it as e-mail-safe HTML
plus a plain-text twin with PNG charts, build the MIME message, and write it to disk.

    report = gather(con)                      # as of the connection's as_of()
    rendered = render(report, config.owner.tz)
    message = build_message(rendered, sender, [to], date, domain)
    files = write_report(rendered, message, out_dir)

or all of it at once: `make_report(con, out_dir, owner_tz=..., sender=..., recipients=[...])`. The
caller opens the database (read-only, its `as_of` set) and says who the message is from and to:
this package reads the public views it is given and knows nothing of the pipeline or its config.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import email.utils
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import css_inline
import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined

from reports.charts import Chart, growth_chart, sparkline

GROWTH_WEEKS = 26
SPARK_WEEKS = 12
NEW_CONNECTION_DAYS = 28
NOT_SEEN_DAYS = 30  # "Coming up" lists the people of next week's meetings not seen for this long
COMPANY_MOVES = 3  # organisations shown as growing, and as fading, in "Where you know people"
CID_DOMAIN = "tiekeeper.report"  # Content-IDs need a domain; the images are ours, so one fixed name

_HTML = Environment(loader=PackageLoader("reports", "templates"), autoescape=True, undefined=StrictUndefined)
_TEXT = Environment(loader=PackageLoader("reports", "templates"), autoescape=False, undefined=StrictUndefined,
                    trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
# Rules are inlined into style attributes; only @media rules (phone width, dark mode) stay in <style>.
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


@dataclass(frozen=True)
class Person:
    person_id: str
    name: str
    company: str | None
    url: str | None  # a LinkedIn profile URL, only when it is one


@dataclass(frozen=True)
class Headline:
    label: str
    value: int | None
    previous: int | None

    @property
    def change(self) -> int | None:
        return None if self.value is None or self.previous is None else self.value - self.previous


@dataclass(frozen=True)
class Thread:
    person: Person
    subject: str | None
    channel: str
    since: dt.datetime
    days_waiting: int  # business days
    strength: float


@dataclass(frozen=True)
class FollowUp:
    person: Person
    days_since: float
    usual_gap_days: float
    reason: str
    strength: float
    lapse_risk: float | None  # the learned chance of no contact in the next 60 days; None: published rule


@dataclass(frozen=True)
class Trend:
    person: Person
    strength: float
    trend: float  # points over the last 4 weeks


@dataclass(frozen=True)
class CloseTie:
    person: Person
    tier: str
    strength: float
    history: tuple[float, ...]  # weekly strength, oldest first, 0 before the first interaction


@dataclass(frozen=True)
class GrowthWeek:
    week: dt.date
    iso_week: str
    new_connections: int
    active_people: int


@dataclass(frozen=True)
class Meeting:
    person: Person
    starts_at: dt.datetime
    summary: str | None
    headcount: int
    days_since: int | None  # since you last met or wrote; None: never


@dataclass(frozen=True)
class CompanyMotion:
    """An organisation where the owner's ties moved over the trend window."""
    company: str
    people_known: int
    trend: float  # the strength points its people gained or lost together
    movers: tuple[str, ...]  # who warmed (growing) or cooled (fading), strongest first


@dataclass(frozen=True)
class WeeklyReport:
    as_of: dt.datetime
    iso_week: str  # the week the report is for: as_of's ISO week
    last_week: str  # the last complete week, which the headline numbers describe
    headlines: tuple[Headline, ...]
    replies_owed: tuple[Thread, ...]
    waiting_on_them: tuple[Thread, ...]
    follow_ups: tuple[FollowUp, ...]
    fading: tuple[Trend, ...]
    warming: tuple[Trend, ...]
    inner_circle: tuple[CloseTie, ...]
    growth: tuple[GrowthWeek, ...]
    new_connection_companies: tuple[tuple[str, int], ...]  # company, connections in the last 4 weeks
    coming_up: tuple[Meeting, ...]  # next week's meetings with people not seen for NOT_SEEN_DAYS
    track_record: str  # one sentence: how well tiekeeper predicted this owner's own past year
    problems: tuple[str, ...] = ()  # what went wrong in the run that made the report: shown first
    companies_growing: tuple[CompanyMotion, ...] = ()  # "Where you know people"
    companies_fading: tuple[CompanyMotion, ...] = ()


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str  # CSS inlined, images as cid: references
    text: str
    images: dict[str, bytes]  # Content-ID (without <>) -> PNG
    iso_week: str


class ReportFiles(NamedTuple):
    html: Path
    eml: Path
    images: tuple[Path, ...]


# The views the report reads more than once, each computed once per report into a temporary table
# of this name: a view is computed again at every query that reads it, and each of these takes a
# second or more on a network of thousands.
READ_ONCE = {"report_strength": "relationship_strength", "report_awaiting": "awaiting_reply",
             "report_companies": "companies"}


def gather(con: duckdb.DuckDBPyConnection) -> WeeklyReport:
    """Reads the report's figures from the public views, as of the connection's `as_of()`."""
    with _read_once(con):
        return _gather(con)


@contextlib.contextmanager
def _read_once(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The READ_ONCE views as temporary tables while the block runs."""
    try:
        for table, view in READ_ONCE.items():
            con.execute(f"create or replace temp table {table} as select * from {view}")
        yield
    finally:
        for table in READ_ONCE:
            con.execute(f"drop table if exists temp.{table}")


def _gather(con: duckdb.DuckDBPyConnection) -> WeeklyReport:
    as_of: dt.datetime = con.execute("select as_of()").fetchone()[0]
    this_monday = as_of.date() - dt.timedelta(days=as_of.weekday())
    growth_rows = con.execute("""
        select week, iso_week, new_connections, new_people_met, active_people, strong_ties
        from network_growth where week < ? order by week desc limit ?""", [this_monday, GROWTH_WEEKS]).fetchall()
    last, previous = (growth_rows + [(None,) * 6] * 2)[:2]
    owed_now = con.execute("select count(*) from report_awaiting where waiting_on = 'me'").fetchone()[0]
    owed_before = _count_replies_owed(con, as_of - dt.timedelta(weeks=1))
    headlines = (Headline("strong ties", last[5], previous[5]), Headline("active people", last[4], previous[4]),
                 Headline("new connections", last[2], previous[2]), Headline("people met", last[3], previous[3]),
                 Headline("replies owed", owed_now, owed_before))
    threads = [(on, Thread(_person(row), *row[4:])) for on, *row in con.execute(f"""
        select a.waiting_on, {_PERSON_COLUMNS}, a.subject, a.channel, a.since, a.days_waiting,
               coalesce(s.strength, 0)
        from report_awaiting a join people p using (person_id) left join report_strength s using (person_id)
        order by a.days_waiting desc, coalesce(s.strength, 0) desc, p.full_name, a.since, a.thread_ref""").fetchall()]
    follow_ups = tuple(FollowUp(_person(row), *row[4:]) for row in con.execute(f"""
        select {_PERSON_COLUMNS}, f.days_since_contact, f.usual_gap_days, f.reason, f.strength, f.lapse_risk
        from follow_ups f join people p using (person_id)
        order by f.priority desc, p.full_name""").fetchall())
    trends = [(row[0], Trend(_person(row[1:]), *row[5:])) for row in con.execute(f"""
        select s.direction, {_PERSON_COLUMNS}, s.strength, s.trend
        from report_strength s join people p using (person_id)
        where s.direction is not null order by s.strength desc, p.full_name""").fetchall()]
    return WeeklyReport(
        as_of=as_of, iso_week=_iso_week(as_of.date()),
        last_week=last[1] or _iso_week(this_monday - dt.timedelta(weeks=1)),
        headlines=headlines,
        replies_owed=tuple(t for on, t in threads if on == "me"),
        waiting_on_them=tuple(t for on, t in threads if on == "them"),
        follow_ups=follow_ups,
        fading=tuple(t for d, t in trends if d == "cooling"),
        warming=tuple(t for d, t in trends if d == "warming"),
        inner_circle=_inner_circle(con, this_monday),
        growth=tuple(GrowthWeek(w, iso, conn, active) for w, iso, conn, _, active, _ in reversed(growth_rows)),
        new_connection_companies=tuple(con.execute("""
            select coalesce(company, 'company unknown') as company, count(*) as connections from people
            where connected_on >= ? and connected_on < ?
            group by all order by connections desc, company""",
            [as_of.date() - dt.timedelta(days=NEW_CONNECTION_DAYS), as_of.date()]).fetchall()),
        coming_up=tuple(Meeting(_person(row), *row[4:]) for row in con.execute(f"""
            select {_PERSON_COLUMNS}, u.start_at, u.summary, u.headcount, u.days_since_conversation
            from upcoming_meetings u join people p using (person_id)
            where u.days_since_conversation is null or u.days_since_conversation >= ?
            order by u.start_at, p.full_name""", [NOT_SEEN_DAYS]).fetchall()),
        track_record=track_record(con),
        **_where_you_know_people(con),
    )


def _where_you_know_people(con) -> dict[str, tuple[CompanyMotion, ...]]:
    """Other organisations where ties are growing (people warming, strength gained on the whole) or
    fading, the largest moves first, from the `companies` view (its copy in `report_companies`)."""
    moves = {}
    for name, direction, sign in (("companies_growing", "warming", 1), ("companies_fading", "cooling", -1)):
        rows = con.execute(f"""
            select company, people_known, strength_trend,
                   [p.full_name for p in people if p.direction = '{direction}']
            from report_companies
            where not is_own_organisation and people_{direction} > 0 and strength_trend * ? > 0
            order by strength_trend * ? desc, company
            limit ?""", [sign, sign, COMPANY_MOVES]).fetchall()
        moves[name] = tuple(CompanyMotion(company, known, trend, tuple(movers))
                            for company, known, trend, movers in rows)
    return moves


_PERSON_COLUMNS = "p.person_id, p.full_name, p.company, p.linkedin_url"


def _person(row: Sequence) -> Person:
    person_id, name, company, url = row[:4]
    return Person(person_id, name, company, url if _is_linkedin_profile(url) else None)


def _is_linkedin_profile(url: str | None) -> bool:
    """Only https links to LinkedIn become links: the URL comes from an export anyone could edit."""
    if not url:
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme in ("http", "https") and (host == "linkedin.com" or host.endswith(".linkedin.com"))


TRACK_RECORD_DAYS = 455  # the cuts whose 90 days of outcome ended in the last year


def track_record(con: duckdb.DuckDBPyConnection) -> str:
    """One plain sentence on how well tiekeeper predicted the owner's own past year, from the
    `backtests` table (`tiekeeper backtest`, and every weekly run): the cuts whose outcome was known
    by the connection's as_of(), their figures pooled."""
    figures = {measure: (value, baseline, listed) for measure, value, baseline, listed in con.execute("""
        select measure, sum(numerator) / nullif(sum(denominator), 0),
               sum(baseline_numerator) / nullif(sum(baseline_denominator), 0), sum(denominator)
        from backtests
        where days_after(cut_at, 90) <= as_of() and cut_at >= days_after(as_of(), -?)
          and measure in ('follow-ups: lapse precision', 'replies owed: precision (answered within 14 days)')
        group by measure""", [TRACK_RECORD_DAYS]).fetchall()}
    if not figures:
        return ("There is not enough history yet to check tiekeeper's suggestions against what you then did "
                "(it needs nine months of mail or meetings).")
    parts = []
    follow = figures.get("follow-ups: lapse precision")
    if follow and follow[2]:
        base = f" (a fixed 30-day reminder: {_in_ten(follow[1])} in 10)" if follow[1] is not None else ""
        parts.append(f"of the follow-ups it would have suggested, {_in_ten(follow[0])} in 10 were ties you then did "
                     f"not hear from for two months{base}")
    replies = figures.get("replies owed: precision (answered within 14 days)")
    if replies and replies[2]:
        parts.append(f"of the replies it said you owed, you answered {_in_ten(replies[0])} in 10 within two weeks")
    if not parts:
        return "Over the past year tiekeeper listed nothing it could check against what you then did."
    return "Checked against your own past year: " + ", and ".join(parts) + "."


def _in_ten(share: float) -> int:
    return int(round(share * 10))


def _count_replies_owed(con, moment: dt.datetime) -> int:
    """Threads waiting on the owner as of `moment`, leaving the connection's as_of as it was."""
    original = con.execute("select getvariable('as_of')::timestamptz").fetchone()[0]
    con.execute("set variable as_of = ?::timestamptz", [moment])
    try:
        return con.execute("select count(*) from awaiting_reply where waiting_on = 'me'").fetchone()[0]
    finally:
        if original is None:  # as of now, as a new connection is
            con.execute("reset variable as_of")
        else:
            con.execute("set variable as_of = ?::timestamptz", [original])


def _inner_circle(con, this_monday: dt.date) -> tuple[CloseTie, ...]:
    """The Inner and Close tiers (from `report_strength`) with their last weeks of strength."""
    weeks = [this_monday - dt.timedelta(weeks=back) for back in range(SPARK_WEEKS, 0, -1)]
    history: dict[str, dict[dt.date, float]] = {}
    for person_id, week, strength in con.execute("""
            select h.person_id, h.week, h.strength from strength_history h
            join report_strength s using (person_id)
            where s.tier in ('Inner', 'Close') and h.week >= ? and h.week < ?""", [weeks[0], this_monday]).fetchall():
        history.setdefault(person_id, {})[week] = strength
    rows = con.execute(f"""
        select {_PERSON_COLUMNS}, s.tier, s.strength from report_strength s join people p using (person_id)
        where s.tier in ('Inner', 'Close') order by s.rank""").fetchall()
    return tuple(CloseTie(_person(row), row[4], row[5],
                          tuple(history.get(row[0], {}).get(week, 0.0) for week in weeks)) for row in rows)


def _iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def make_report(con: duckdb.DuckDBPyConnection, out_dir: Path, *, owner_tz: dt.tzinfo | str, sender: str,
                recipients: Sequence[str], problems: Sequence[str] = ()) -> tuple[ReportFiles, EmailMessage]:
    """The week's report from `con`'s public views as of its `as_of()`, with `problems` at its top,
    as a message from `sender` to `recipients`, written to `out_dir`."""
    report = dataclasses.replace(gather(con), problems=tuple(problems))
    rendered = render(report, owner_tz)
    message = build_message(rendered, sender, list(recipients), dt.datetime.now(dt.timezone.utc), "tiekeeper.local")
    return write_report(rendered, message, out_dir), message


def render(report: WeeklyReport, owner_tz: dt.tzinfo | str) -> Rendered:
    """The report as inlined, e-mail-safe HTML and plain text, with its charts as PNGs by Content-ID."""
    tz = ZoneInfo(owner_tz) if isinstance(owner_tz, str) else owner_tz
    images: dict[str, bytes] = {}

    def embed(name: str, chart: Chart) -> dict:
        cid = f"{report.iso_week}-{name}@{CID_DOMAIN}"
        images[cid] = chart.png
        return {"cid": cid, "width": chart.width, "height": chart.height, "alt": chart.alt}

    growth = embed("growth", growth_chart([w.week for w in report.growth], [w.new_connections for w in report.growth],
                                          [w.active_people for w in report.growth])) if report.growth else None
    sparks = {tie.person.person_id: embed(f"strength-{tie.person.person_id}", sparkline(tie.history))
              for tie in report.inner_circle}
    context = {"r": report, "growth_chart": growth, "sparks": sparks, "subject": _subject(report),
               "day": lambda moment: moment.astimezone(tz).strftime("%a %-d %b"),
               "span": _span, "signed": _signed, "limit": 8}
    html = _INLINER.inline(_HTML.get_template("weekly.html").render(context))
    text = _TEXT.get_template("weekly.txt").render(context)
    return Rendered(_subject(report), html, text, images, report.iso_week)


def _subject(report: WeeklyReport) -> str:
    return f"Your network, {report.iso_week}"


def _span(days: float) -> str:
    """A duration as a person says it: "4 days", "3 weeks", "5 months"."""
    days = round(days)
    if days < 14:
        return f"{days} day{'s' * (days != 1)}"
    if days < 70:
        return f"{round(days / 7)} weeks"
    months = round(days / 30.4)
    return f"{months} months" if months < 24 else f"{round(days / 365)} years"


def _signed(change: int | float | None) -> str:
    if change is None:
        return "n/a"
    change = round(change)
    return "±0" if change == 0 else f"{change:+d}".replace("-", "−")


def build_message(rendered: Rendered, sender: str, recipients: Sequence[str], date: dt.datetime,
                  domain: str) -> EmailMessage:
    """multipart/alternative(text/plain, multipart/related(text/html, image/png...)), with Date and
    a Message-ID on `domain`."""
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = email.utils.format_datetime(date)
    message["Message-ID"] = email.utils.make_msgid(idstring=rendered.iso_week, domain=domain)
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    html_part = message.get_payload()[1]
    for cid, png in rendered.images.items():
        # No filename: with one, clients list the chart as an attachment.
        html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>", disposition="inline")
    return message


def write_report(rendered: Rendered, message: EmailMessage, out_dir: Path) -> ReportFiles:
    """Writes `YYYY-Www.html` (its images beside it, linked by file name for a browser), the PNGs,
    and `YYYY-Www.eml`, the message's exact bytes."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    html = rendered.html
    images = []
    for cid, png in rendered.images.items():
        path = out_dir / f"{cid.split('@')[0]}.png"
        path.write_bytes(png)
        images.append(path)
        html = html.replace(f"cid:{cid}", path.name)
    html_path = out_dir / f"{rendered.iso_week}.html"
    html_path.write_text(html, encoding="utf-8")
    eml_path = out_dir / f"{rendered.iso_week}.eml"
    eml_path.write_bytes(message.as_bytes())
    return ReportFiles(html_path, eml_path, tuple(images))
