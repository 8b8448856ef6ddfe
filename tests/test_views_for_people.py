"""Views for people, not ids (issue 14): every per-person view names the person as `people` does,
views for reading round their figures, one column name means one thing in every view, and
`people_overview` answers the common question in one row per person. The owner is Jane Doe
(Europe/Berlin); the small export is loaded through the CLI and read as of Monday 23 November 2026."""
from datetime import timedelta

import duckdb
import pytest

from pipelines.cli import main
from tests.conftest import Result
from tests.test_metrics import NOW, at, query
from tests.test_people import Export

pytestmark = pytest.mark.slow  # a year of weekly meetings loaded through the CLI

JANE = ("Jane Doe", "jane@acme.com")
ANN, BO, CY, DI, ED = (("Ann Lee", "ann@lee.org"), ("Bo Ek", "bo@ek.se"), ("Cy Po", "cy@po.com"),
                       ("Di Ma", "di@ma.net"), ("Ed Wu", "ed@wu.org"))
# Views with a row per person, and views with rows per person and thread or meeting
ONE_ROW_PER_PERSON = ("people", "relationship_strength", "cadence", "people_overview")
PER_PERSON = ONE_ROW_PER_PERSON + ("follow_ups", "awaiting_reply", "upcoming_meetings")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """Ann owes a reply (and is on LinkedIn at Lee Labs); Bo, once met weekly, has gone quiet; Cy
    and Ed are met this week (Ed quiet too, like Bo); Di wrote once, long ago. Built once: the
    tests only read it."""
    tmp_path = tmp_path_factory.mktemp("views_for_people")
    export = Export(tmp_path, lambda *args: Result(main([str(a) for a in args]), "", ""))
    for week in range(6, 40):  # weekly 1:1s until six weeks ago, with Bo and with Ed
        at(export, NOW - timedelta(weeks=week)).meeting(BO, JANE)
        at(export, NOW - timedelta(weeks=week, days=1)).meeting(ED, JANE)
    at(export, NOW - timedelta(days=20)).mail("Jane Doe <jane@acme.com>", "Ann Lee <ann@lee.org>")
    at(export, NOW - timedelta(days=5)).mail("Ann Lee <ann@lee.org>", "Jane Doe <jane@acme.com>")  # note 1
    # a newsletter-size mail from Jane to Ann and 19 others: contact for `people`, weight 0 for scores
    at(export, NOW - timedelta(days=1)).mail(
        "Jane Doe <jane@acme.com>", ", ".join(["ann@lee.org"] + [f"p{i}@many.com" for i in range(19)]))
    export.connection("Ann", "Lee", "https://www.linkedin.com/in/ann-lee", "Lee Labs", "ann@lee.org")
    at(export, NOW - timedelta(days=30)).meeting(CY, JANE)
    at(export, NOW + timedelta(days=2, hours=9)).meeting(CY, JANE)  # Wednesday 25 November
    at(export, NOW + timedelta(days=3, hours=9)).meeting(ED, JANE)  # Thursday 26 November
    at(export, NOW - timedelta(days=100)).mail("Di Ma <di@ma.net>", "Jane Doe <jane@acme.com>")
    path = tmp_path / "t.duckdb"
    export.load(path)
    return path


def columns(db, view: str) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [name for name, *_ in con.execute(f"describe {view}").fetchall()]


def test_every_per_person_view_names_the_person_as_people_does(db):
    people = {row[0]: row for row in query(db, "select person_id, full_name, company, primary_email from people")}
    assert {p[1:] for p in people.values()} >= {("Ann Lee", "Lee Labs", "ann@lee.org"), ("Bo Ek", "ek.se", "bo@ek.se")}
    for view in PER_PERSON:
        assert columns(db, view)[:4] == ["person_id", "full_name", "company", "primary_email"], view
        rows = query(db, f"select person_id, full_name, company, primary_email from {view}")
        assert rows, f"{view} has rows in this export"
        assert all(row == people[row[0]] for row in rows), view


def test_views_for_reading_round_their_figures_and_the_others_keep_full_precision(db):
    exact = dict(query(db, "select person_id, strength from relationship_strength"))
    trends = dict(query(db, "select person_id, trend from relationship_strength"))
    assert any(value != round(value, 1) for value in exact.values())  # computed from: kept exact
    overview = query(db, "select person_id, strength, trend from people_overview where strength is not null")
    assert sorted(p for p, *_ in overview) == sorted(exact)
    assert all(rounded(strength, exact[p]) and rounded(trend, trends[p]) for p, strength, trend in overview)
    listed = query(db, "select f.strength, c.strength from follow_ups f join cadence c using (person_id)")
    assert listed and all(rounded(shown, full) for shown, full in listed)
    assert query(db, "select count(*) from cadence where strength <> round(strength, 1)") != [(0,)]


def rounded(shown: float, exact: float) -> bool:
    """`shown` is `exact` rounded to 0.1."""
    return shown == round(shown, 1) and abs(shown - exact) <= 0.05 + 1e-9


def test_one_column_name_means_one_thing_across_the_views_about_people(db):
    named = {view: set(columns(db, view)) for view in PER_PERSON}
    assert [view for view in PER_PERSON if "last_interaction" in named[view]] == ["people"]
    # Wherever two views with a row per person share a column, they say the same of each person
    # (views for reading round: to 0.1)
    for i, left in enumerate(ONE_ROW_PER_PERSON):
        for right in ONE_ROW_PER_PERSON[i + 1:]:
            for column in sorted(named[left] & named[right] - {"person_id"}):
                pairs = query(db, f"select l.{column}, r.{column} from {left} l join {right} r using (person_id)")
                assert all(a == b or (isinstance(a, float) and b == pytest.approx(a, abs=0.05)) for a, b in pairs), \
                    (left, right, column)
    # Ann: the last contact that counts was her mail 5 days ago; Jane's mail to 20 people since is
    # contact for `people` only, and a join shows both without a collision
    (last_interaction, last_contact_at, days), = query(db, """
        select p.last_interaction, c.last_contact_at, c.days_since_contact
        from people p join cadence c using (person_id) where p.full_name = 'Ann Lee'""")
    assert (NOW - last_interaction).days == 1 and (NOW - last_contact_at).days == 5 and days == pytest.approx(5, abs=1)
    (conversation, since), = query(db, """
        select last_conversation_at, days_since_conversation from upcoming_meetings where full_name = 'Cy Po'""")
    assert (NOW - conversation).days == 30 and since == 30


def test_people_overview_has_everyone_once_with_the_next_step_strongest_first(db):
    rows = query(db, "select person_id, full_name, strength, next_step from people_overview")
    assert sorted(r[0] for r in rows) == sorted(p for (p,) in query(db, "select person_id from people"))
    assert {name: step for _, name, _, step in rows if "@many.com" not in name} == {
        "Ann Lee": "reply: note 1",  # a reply owed first
        "Bo Ek": "fading",  # silent for six times the usual week
        "Cy Po": "meeting 2026-11-25",
        "Ed Wu": "meeting 2026-11-26",  # fading as Bo, but met this week: the follow-up is moot
        "Di Ma": None,
    }
    strengths = [strength for *_, strength, _ in rows]
    scored = strengths[:len([s for s in strengths if s is not None])]
    assert scored == sorted(scored, reverse=True) and set(strengths[len(scored):]) <= {None}
    assert query(db, "select reason from follow_ups where full_name = 'Ed Wu'") == [("fading",)]
