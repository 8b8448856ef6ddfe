"""The weekly report: gathered from the public views of a generated world, rendered as e-mail-safe
HTML and text with CID charts, built into a MIME message and written to disk."""
import ast
import dataclasses
import datetime as dt
import email
import re
import struct
from email import policy
from pathlib import Path

import pytest

from connectors.demo import generate_world
from pipelines.config import load_config
from pipelines.ingest import ingest
from pipelines.metrics import refresh_metrics
from pipelines.people import refresh_people
from pipelines.warehouse import connect_reader, connect_writer, set_as_of
from reports import weekly
from reports.charts import growth_chart, sparkline
from reports.weekly import READ_ONCE, build_message, gather, make_report, render, write_report

AS_OF = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)  # a Monday: the report for 2026-W48
SECTIONS = ("Replies you owe", "Waiting on them", "Follow up this week", "Fading and warming ties",
            "Where you know people", "Your inner circle", "Network growth", "Coming up")
# an unclosed tag: what a name shows in brackets ("<script>...</script>", "(she/her)") is dropped from it
XSS_NAME = "Eve <svg onload=alert`1`"
XSS_SUBJECT = "<img src=x onerror=alert(2)> budget"


def _xss_thread(owner: str) -> str:
    """The owner asks x@y.com something, whose display name and the subject are hostile, and no
    answer comes: the thread waits on them (their display name comes from the owner's To)."""
    return (f"From 1@xxx Mon Oct 26 10:00:00 +0000 2026\n"
            f"X-GM-THRID: 1999000000000000001\nX-Gmail-Labels: Sent\nMIME-Version: 1.0\n"
            f"Date: Mon, 26 Oct 2026 10:00:00 +0000\nMessage-ID: <q1@brightwave.example>\n"
            f"Subject: {XSS_SUBJECT}\nFrom: <{owner}>\nTo: \"{XSS_NAME}\" <x@y.com>\n"
            f"Content-Type: text/plain\n\nCould you confirm?\n\n")


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    folder = tmp_path_factory.mktemp("world")
    paths = generate_world(folder, people=80, seed=3, end=dt.date(2026, 11, 23))
    config = load_config(paths.config, required=True)
    extra = folder / "xss.mbox"
    extra.write_text(_xss_thread(config.owner.emails[0]), encoding="utf-8")
    with connect_writer(folder / "t.duckdb", timezone=config.owner.timezone) as con:
        ingest(con, "linkedin", config.linkedin, config, show_progress=False)
        ingest(con, "mbox", [*config.mbox, extra], config, show_progress=False)
        ingest(con, "ics", config.ics, config, now=AS_OF, show_progress=False)
        refresh_people(con, config)
        refresh_metrics(con, config, as_of=AS_OF)
    return folder / "t.duckdb"


@pytest.fixture(scope="module")
def report(database):
    with connect_reader(database, timezone="Europe/Berlin") as con:
        set_as_of(con, AS_OF)
        return gather(con)


@pytest.fixture(scope="module")
def rendered(report):
    return render(report, "Europe/Berlin")


@pytest.fixture(scope="module")
def message(rendered):
    built = build_message(rendered, "tiekeeper <david@brightwave.example>", ["david@brightwave.example"],
                          dt.datetime(2026, 11, 23, 7, tzinfo=dt.timezone.utc), "brightwave.example")
    return email.message_from_bytes(built.as_bytes(), policy=policy.default)  # as a mail client gets it


def _html_of(message) -> str:
    return message.get_payload()[1].get_payload()[0].get_content()


def test_the_report_is_for_the_as_of_week_and_its_numbers_describe_the_last_complete_week(report, rendered):
    assert (report.iso_week, report.last_week) == ("2026-W48", "2026-W47")
    assert rendered.subject == "Your network, 2026-W48"
    assert [h.label for h in report.headlines] == ["strong ties", "active people", "new connections", "people met",
                                                   "replies owed"]
    assert report.headlines[-1].value == len(report.replies_owed)
    assert [w.iso_week for w in report.growth][-1] == "2026-W47" and len(report.growth) == 26


def test_threads_are_listed_oldest_then_strongest_first(report):
    for threads in (report.replies_owed, report.waiting_on_them):
        order = [(-t.days_waiting, -t.strength) for t in threads]
        assert order == sorted(order) and len(order) > 2


def test_the_inner_circle_is_inner_then_close_with_12_weeks_of_strength(report):
    assert {t.tier for t in report.inner_circle} == {"Inner", "Close"}
    assert [t.tier for t in report.inner_circle] == sorted((t.tier for t in report.inner_circle),
                                                           key=lambda tier: tier != "Inner")
    assert all(len(t.history) == 12 for t in report.inner_circle)


def test_every_section_heading_is_in_the_html_and_the_text(rendered):
    for heading in SECTIONS:
        assert f">{heading}</h2>" in rendered.html
        assert heading.upper() in rendered.text


def test_where_you_know_people_lists_other_organisations_whose_ties_moved_most(database, report, rendered):
    with connect_reader(database, timezone="Europe/Berlin") as con:
        set_as_of(con, AS_OF)
        moved = con.execute("""
            select company, people_known, strength_trend,
                   [p.full_name for p in people if p.direction = 'warming'],
                   [p.full_name for p in people if p.direction = 'cooling']
            from companies where not is_own_organisation""").fetchall()
    growing = sorted(((t, c, k, w) for c, k, t, w, _ in moved if w and t > 0), reverse=True)[:3]
    fading = sorted((t, c, k, f) for c, k, t, _, f in moved if f and t < 0)[:3]
    assert growing  # so that the section is not tested empty
    assert [(m.company, m.people_known, m.trend, m.movers) for m in report.companies_growing] == [
        (c, k, t, tuple(w)) for t, c, k, w in growing]
    assert [(m.company, m.people_known, m.trend, m.movers) for m in report.companies_fading] == [
        (c, k, t, tuple(f)) for t, c, k, f in fading]
    first = report.companies_growing[0]
    known = f"{first.people_known} {'person' if first.people_known == 1 else 'people'} known"
    assert f"- {first.company} ({known})\n  growing · +{round(first.trend)} strength in " \
           f"4 weeks · {', '.join(first.movers)}" in rendered.text
    assert f"<strong>{first.company}</strong>" in rendered.html


def test_the_html_is_small_and_has_no_script_svg_data_uri_or_remote_image(rendered):
    html = rendered.html
    assert len(html.encode()) < 100_000
    assert "<script" not in html and "<svg" not in html.lower() and "data:" not in html
    sources = re.findall(r'<img[^>]* src="([^"]*)"', html)
    assert sources and all(s.startswith("cid:") for s in sources)


def test_css_is_inlined_and_only_phone_and_dark_mode_rules_stay_in_a_style_block(rendered):
    style, = re.findall(r"<style>(.*?)</style>", rendered.html, re.S)
    assert re.sub(r"@media \((max-width: 620px|prefers-color-scheme: dark)\) \{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "",
                  style).strip() == ""
    assert re.search(r'<h2 style="[^"]*font-size: ?17px', rendered.html)


def test_the_message_is_text_alternative_to_html_related_to_its_inline_images(message, rendered):
    assert message.get_content_type() == "multipart/alternative"
    text, related = message.get_payload()
    assert text.get_content_type() == "text/plain" and related.get_content_type() == "multipart/related"
    html, *images = related.get_payload()
    assert html.get_content_type() == "text/html"
    assert len(images) == len(rendered.images) and len(images) > 1
    assert all(i.get_content_type() == "image/png" and i.get_content_disposition() == "inline"
               and i.get_filename() is None for i in images)
    assert message["Subject"] == "Your network, 2026-W48"
    assert message["Date"].datetime == dt.datetime(2026, 11, 23, 7, tzinfo=dt.timezone.utc)
    assert re.fullmatch(r"<[^@<>]+@brightwave\.example>", message["Message-ID"].strip())


def test_every_cid_in_the_html_is_an_image_part_and_every_image_part_is_used(message):
    html = _html_of(message)
    used = set(re.findall(r'src="cid:([^"]+)"', html))
    parts = {p["Content-ID"].strip("<>"): p.get_content() for p in message.get_payload()[1].get_payload()[1:]}
    assert used == set(parts)
    assert all(png.startswith(b"\x89PNG") for png in parts.values())


def test_the_text_part_is_the_text_rendering(message, rendered):
    assert message.get_payload()[0].get_content().rstrip("\n") == rendered.text.rstrip("\n")


def test_a_hostile_display_name_and_subject_arrive_as_text(report, message):
    waiting, = [t for t in report.waiting_on_them if t.person.name == XSS_NAME]
    assert waiting.subject == XSS_SUBJECT
    html, text = _html_of(message), message.get_payload()[0].get_content()
    assert "<svg" not in html and "<img src=x" not in html
    assert "Eve &lt;svg onload=alert`1`" in html and "&lt;img src=x onerror=alert(2)&gt; budget" in html
    assert XSS_NAME in text and XSS_SUBJECT in text


def test_empty_sections_say_something_useful(report):
    empty = dataclasses.replace(report, replies_owed=(), waiting_on_them=(), follow_ups=(), fading=(), warming=(),
                                inner_circle=(), growth=(), new_connection_companies=(), coming_up=())
    out = render(empty, "Europe/Berlin")
    for friendly in ("No replies owed. Nice.", "Nobody owes you a reply.", "Nobody is overdue",
                     "No tie is clearly fading or warming this week.", "No Inner or Close ties yet",
                     "No weeks of history yet.", "No new connections in the last 4 weeks.",
                     "Nobody you have lost touch with in next week's meetings."):
        assert friendly in out.html and friendly in out.text
    assert out.images == {} and "cid:" not in out.html


def test_people_link_to_their_linkedin_profile_only(report, rendered):
    linked = [t.person for t in report.inner_circle if t.person.url]
    assert linked and f'href="{linked[0].url}"' in rendered.html
    assert all(href.startswith("https://www.linkedin.com/") for href in re.findall(r'href="([^"]+)"', rendered.html))


def test_the_written_report_has_browser_html_with_local_pngs_and_the_exact_eml(rendered, tmp_path):
    built = build_message(rendered, "a@b.example", ["a@b.example"], AS_OF, "b.example")
    files = write_report(rendered, built, tmp_path)
    assert (files.html.name, files.eml.name) == ("2026-W48.html", "2026-W48.eml")
    assert files.eml.read_bytes() == built.as_bytes()
    page = files.html.read_text(encoding="utf-8")
    assert "cid:" not in page
    assert sorted(re.findall(r'src="([^"]+)"', page)) == sorted(p.name for p in files.images)
    assert all(p.parent == tmp_path and p.read_bytes() in rendered.images.values() for p in files.images)


def _png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def test_charts_are_pngs_at_twice_their_display_size():
    weeks = [dt.date(2026, 5, 25) + dt.timedelta(weeks=i) for i in range(26)]
    growth = growth_chart(weeks, [i % 3 for i in range(26)], [10 + i % 5 for i in range(26)])
    spark = sparkline([40.0 + i for i in range(12)])
    assert _png_size(growth.png) == (2 * growth.width, 2 * growth.height)
    assert _png_size(spark.png) == (2 * spark.width, 2 * spark.height)
    assert growth.alt == "Over 26 weeks: 25 new connections; active people went from 10 to 10"


def test_coming_up_lists_next_weeks_meetings_with_people_not_seen_for_a_month(database, report):
    with connect_reader(database) as con:
        set_as_of(con, AS_OF)
        upcoming = con.execute("select person_id, start_at, days_since_conversation from upcoming_meetings").fetchall()
    assert upcoming, "the generated world has meetings in the week after its end"
    assert all(AS_OF <= start < AS_OF + dt.timedelta(days=7) for _, start, _ in upcoming)
    assert sorted((m.person.person_id, m.starts_at) for m in report.coming_up) == sorted(
        (person, start) for person, start, days in upcoming if days is None or days >= 30)


def test_a_follow_up_says_its_risk_when_learned_and_its_cadence_when_published(report):
    """A learned follow-up is listed for its risk, not for a cadence it may not have overrun: "usually
    every 6 months, last 4 weeks ago" beside a risk would contradict itself."""
    assert report.follow_ups
    first = report.follow_ups[0]
    learned = dataclasses.replace(first, days_since=30.0, usual_gap_days=180.0, lapse_risk=0.62)
    published = dataclasses.replace(first, days_since=100.0, usual_gap_days=40.0, lapse_risk=None)
    for follow_up, said, unsaid in ((learned, "last in touch 4 weeks ago, 62% likely to go quiet for two months",
                                     "usually every"),
                                    (published, "usually every 6 weeks, last 3 months ago", "likely to go quiet")):
        text = render(dataclasses.replace(report, follow_ups=(follow_up,)), "Europe/Berlin").text
        section = text.split("FOLLOW UP THIS WEEK", 1)[1].split("\n\n", 1)[0]
        assert said in section and unsaid not in section, section


def test_the_report_reads_only_views_and_tables_documented_as_public():
    root = Path(__file__).resolve().parents[1]
    documented = {name for heading in re.findall(r"^### (.*)$", (root / "docs/schema.md").read_text(encoding="utf-8"),
                                                  re.MULTILINE) for name in re.findall(r"`(\w+)`", heading)}
    strings = [node.value if isinstance(node, ast.Constant) else  # f-strings with {} for what they fill in
               "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)
               for node in ast.walk(ast.parse(Path(weekly.__file__).read_text(encoding="utf-8")))
               if isinstance(node, ast.JoinedStr) or isinstance(node, ast.Constant) and isinstance(node.value, str)]
    sql = [text for text in strings if "select " in text]
    named = {name for text in sql for name in re.findall(r"\b(?:from|join)\s+([a-z_]\w*)", text)}
    read = (named - set(READ_ONCE)) | set(READ_ONCE.values())  # the temporary copies are of public views
    assert read == {"awaiting_reply", "backtests", "companies", "follow_ups", "network_growth", "people",
                    "relationship_strength", "strength_history", "upcoming_meetings"}
    assert read <= documented


def test_make_report_writes_the_week_from_the_connection_it_is_given(database, tmp_path):
    with connect_reader(database, timezone="Europe/Berlin") as con:
        set_as_of(con, AS_OF)
        files, message = make_report(con, tmp_path, owner_tz="Europe/Berlin", sender="me@brightwave.example",
                                     recipients=["a@brightwave.example", "b@brightwave.example"],
                                     problems=["mbox: file missing"])
    assert (files.html.name, files.eml.name) == ("2026-W48.html", "2026-W48.eml")
    assert (message["From"], message["To"], message["Subject"]) == (
        "me@brightwave.example", "a@brightwave.example, b@brightwave.example", "Your network, 2026-W48")
    assert "mbox: file missing" in files.html.read_text(encoding="utf-8")
    assert files.eml.read_bytes() == message.as_bytes()
