"""Relationship metrics (docs/metrics.md): weights, strength, tiers, reciprocity, cadence, as-of, history.
Inputs are small real-shaped exports loaded through the CLI (tests.test_people.Export)."""
import math
from datetime import date, datetime, timedelta, timezone

import duckdb
import pytest

from tests.test_people import Export

NOW = datetime(2026, 11, 23, tzinfo=timezone.utc)  # --as-of for every test: a Monday


@pytest.fixture
def export(cli, tmp_path):
    e = Export(tmp_path, cli)
    e.when = NOW - timedelta(days=400)
    return e


@pytest.fixture
def db(tmp_path):
    return tmp_path / "t.duckdb"


def query(db, sql: str, as_of: datetime = NOW) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("set variable as_of = ?::timestamptz", [as_of])
        return con.execute(sql).fetchall()


def at(export: Export, when: datetime) -> Export:
    export.when = when - timedelta(hours=3)  # Export advances its clock by 3 hours per item
    return export


@pytest.mark.slow
def test_each_interaction_carries_the_weight_of_its_kind_and_says_why(export, db):
    at(export, NOW - timedelta(days=10)).mail("jane@acme.com", "Ann Lee <ann@lee.org>, Bo Ek <bo@ek.se>")
    at(export, NOW - timedelta(days=9)).mail("Ann Lee <ann@lee.org>", "jane@acme.com")
    at(export, NOW - timedelta(days=8)).mail("Ann Lee <ann@lee.org>", "x@y.com", cc="jane@acme.com")
    at(export, NOW - timedelta(days=7)).mail("jane@acme.com",
                                             ", ".join(f"p{i}@many.com" for i in range(6)) + ", ann@lee.org")
    at(export, NOW - timedelta(days=6)).meeting(("Ann Lee", "ann@lee.org"), ("Jane Doe", "jane@acme.com"))
    at(export, NOW - timedelta(days=5)).meeting(("Ann Lee", "ann@lee.org"), ("Bo Ek", "bo@ek.se"),
                                                ("Cy Po", "cy@po.com"), ("Jane Doe", "jane@acme.com"))
    export.load(db)
    rows = query(db, """select weight_reason, round(weight, 3) from interactions i join people p using (person_id)
                        where p.emails = ['ann@lee.org'] order by occurred_at""")
    assert rows == [("direct e-mail sent to 2 (1/m)", 0.5), ("direct e-mail received", 0.7), ("you were on Cc", 0.2),
                    ("group e-mail (7 recipients)", 0.2), ("1:1 meeting", 3.0), ("meeting of 4 (3/(n-1))", 1.0)]


@pytest.mark.slow
def test_declined_cancelled_future_and_automated_are_left_out_and_counted(export, db, tmp_path):
    at(export, NOW - timedelta(days=3)).meeting(("Ann Lee", "ann@lee.org"), ("Jane Doe", "jane@acme.com"))
    export.events[-1] = export.events[-1].replace("PARTSTAT=ACCEPTED:mailto:jane", "PARTSTAT=DECLINED:mailto:jane")
    at(export, NOW - timedelta(days=2)).meeting(("Ann Lee", "ann@lee.org"), ("Jane Doe", "jane@acme.com"))
    export.events[-1] = export.events[-1].replace("SUMMARY:", "STATUS:CANCELLED\r\nSUMMARY:")
    at(export, NOW + timedelta(days=2)).meeting(("Ann Lee", "ann@lee.org"), ("Jane Doe", "jane@acme.com"))
    at(export, NOW - timedelta(days=1)).mail("News <news@shop.example>", "jane@acme.com", extra="Precedence: bulk\n")
    export.load(db)
    assert query(db, "select count(*) from interactions where channel = 'meeting'") == [(0,)]
    assert sorted(query(db, "select kind, reason, items from interactions_excluded")) == [
        ("e-mail", "bulk mail (Precedence: bulk)", 1), ("meeting", "cancelled", 1), ("meeting", "declined by you", 1),
        ("meeting", "in the future", 1)]


@pytest.mark.slow
def test_only_one_interaction_per_person_channel_direction_and_day_counts(export, db):
    for _ in range(5):  # a reply storm on one day
        at(export, NOW - timedelta(days=3, hours=-_)).mail("Ann Lee <ann@lee.org>", "jane@acme.com")
    export.load(db)
    assert query(db, "select count(*), count(*) filter (where counts_toward_score) from interactions") == [(5, 1)]


@pytest.mark.slow
def test_a_weekly_one_to_one_for_a_year_scores_as_the_published_formula_says(export, db):
    for week in range(1, 53):
        at(export, NOW - timedelta(weeks=week)).meeting(("Ann Lee", "ann@lee.org"), ("Jane Doe", "jane@acme.com"))
    export.load(db)
    (strength, expected, reciprocity, channels, method), = query(
        db, "select strength, expected_contact_days, reciprocity, channels, method from relationship_strength")
    decayed = sum(3.0 * 2 ** (-7 * week / 90) for week in range(1, 53))  # 1:1s weigh 3, half-life 90 days
    # Too little history to learn from: the published score R (rho = 1, one channel), read as the
    # rate of a steady tie (S = w r H / ln 2), gives the contacts expected in 90 days, and these
    # fall on 90 (1 - e^(-contacts/90)) of its days.
    assert method == "published"
    assert expected == pytest.approx(90 * (1 - math.exp(-decayed * math.log(2) / 90)))
    assert strength == pytest.approx(100 * math.log(1 + expected) / math.log(91))
    assert (reciprocity, channels) == (1.0, 1)


@pytest.mark.slow
def test_one_way_traffic_halves_the_score_through_reciprocity(export, db):
    for week in range(1, 30):
        at(export, NOW - timedelta(weeks=week)).mail("Ann Lee <ann@lee.org>", "jane@acme.com")  # never answered
        at(export, NOW - timedelta(weeks=week, days=1)).mail("Bo Ek <bo@ek.se>", "jane@acme.com")
        at(export, NOW - timedelta(weeks=week, days=2)).mail("jane@acme.com", "Bo Ek <bo@ek.se>")
    export.load(db)
    rows = dict(query(db, """select p.full_name, s.reciprocity
                             from relationship_strength s join people p using (person_id)"""))
    assert rows == {"Ann Lee": 0.5, "Bo Ek": 1.0}


@pytest.mark.slow
def test_tiers_follow_rank_and_a_pinned_person_is_at_least_close(export, db, cli, tmp_path):
    names = [f"{first} {last}" for first, last in zip(
        ["Ada", "Ben", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal", "Ida", "Jon",
         "Kim", "Lou", "Max", "Ned", "Oda", "Pia", "Quin", "Rex", "Sue", "Tom"],
        ["Aho", "Berg", "Cruz", "Dahl", "Egan", "Falk", "Graf", "Holm", "Ito", "Juhl",
         "Kerr", "Lund", "Moss", "Nash", "Ost", "Pohl", "Quast", "Roth", "Sand", "Thal"])]
    for i, name in enumerate(names):  # person i meets the owner weekly i+1 times: rank 1 is the last
        for k in range(i + 1):
            at(export, NOW - timedelta(days=7 * k + 1, hours=i)).meeting(
                (name, f"{name.split()[1].lower()}@x{i}.com"), ("Jane Doe", "jane@acme.com"))
    export.load(db)
    tiers = dict(query(db, "select p.full_name, s.tier from relationship_strength s join people p using (person_id)"))
    assert [tiers[names[i]] for i in (19, 15, 14, 5, 4, 0)] == ["Inner", "Inner", "Close", "Close", "Active", "Active"]
    (tmp_path / "people.toml").write_text('[[close]]\nidentity = "aho@x0.com"\n')
    assert cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "people", "build").code == 0
    assert dict(query(db, "select p.full_name, s.tier from relationship_strength s join people p using (person_id)"))[
        "Ada Aho"] == "Close"


@pytest.mark.slow
def test_a_tier_needs_contact_as_well_as_rank_so_a_stranger_is_not_active_in_a_small_network(export, db):
    for week in range(1, 30):
        at(export, NOW - timedelta(weeks=week)).meeting(("Ann Lee", "ann@lee.org"), ("Jane Doe", "jane@acme.com"))
    at(export, NOW - timedelta(days=300)).mail("Bo Ek <bo@ek.se>", "jane@acme.com")  # one mail, ten months ago
    export.load(db)
    rows = query(db, """select p.full_name, s.rank, s.tier, round(s.expected_contact_days, 2)
                        from relationship_strength s join people p using (person_id) order by s.rank""")
    assert [(name, rank, tier) for name, rank, tier, _ in rows] == [("Ann Lee", 1, "Inner"), ("Bo Ek", 2, "Peripheral")]
    assert rows[1][3] < 0.25  # under the Network floor: less than one day of contact a year expected


@pytest.mark.slow
def test_the_strongest_ties_stay_ordered_without_a_ceiling(export, db):
    for i, name in enumerate(("Ann Lee", "Bo Ek", "Cy Po")):
        for day in range(1, 200, 1 + i):  # daily, every other day, every third day
            at(export, NOW - timedelta(days=day, hours=i)).meeting((name, f"{name[:2].lower()}@x.com"),
                                                                   ("Jane Doe", "jane@acme.com"))
    export.load(db)
    strengths = [s for (s,) in query(db, "select strength from relationship_strength order by rank")]
    assert strengths == sorted(strengths, reverse=True) and len(set(strengths)) == 3
    assert all(s < 100 for s in strengths)


@pytest.mark.slow
def test_a_regular_contact_silent_for_five_times_their_gap_is_fading(export, db):
    for week in range(6, 40):  # weekly 1:1s until six weeks ago
        at(export, NOW - timedelta(weeks=week)).meeting(("Ann Lee", "ann@lee.org"), ("Jane Doe", "jane@acme.com"))
    export.load(db)
    (usual, since, ratio, reason, method), = query(
        db, "select usual_gap_days, days_since_contact, overdue_ratio, reason, method from follow_ups")
    assert usual == pytest.approx(7, abs=1) and since == pytest.approx(42, abs=1)
    assert (reason, method) == ("fading", "published") and ratio >= 4


@pytest.mark.slow
def test_a_group_meeting_is_contact_and_nobody_contacted_this_week_is_listed(export, db):
    for week in range(6, 40):  # 1:1s every week until six weeks ago ...
        at(export, NOW - timedelta(weeks=week)).meeting(("Ann Lee", "ann@lee.org"), ("Jane Doe", "jane@acme.com"))
    team = [(f"Member {i}", f"m{i}@acme.com") for i in range(6)]
    for week in range(1, 40):  # ... and the weekly team meeting of 8, last Monday too
        at(export, NOW - timedelta(weeks=week, days=-1)).meeting(("Ann Lee", "ann@lee.org"), *team,
                                                                 ("Jane Doe", "jane@acme.com"))
    export.load(db)
    (since, listed), = query(db, """select c.days_since_contact, c.person_id in (select person_id from follow_ups)
                                    from cadence c join people p using (person_id) where p.full_name = 'Ann Lee'""")
    assert since < 7 and not listed  # seen in the team meeting this week: not "6 weeks silent"
    assert query(db, "select count(*) from follow_ups where days_since_contact < 7") == [(0,)]


@pytest.mark.slow
def test_metrics_as_of_a_past_date_use_only_what_came_before(export, db):
    at(export, NOW - timedelta(days=60)).mail("Ann Lee <ann@lee.org>", "jane@acme.com")
    at(export, NOW - timedelta(days=10)).meeting(("Ann Lee", "ann@lee.org"), ("Jane Doe", "jane@acme.com"))
    export.load(db)
    before = NOW - timedelta(days=30)
    assert query(db, "select count(*) from interactions", as_of=before) == [(1,)]
    (then,), = query(db, "select strength from relationship_strength", as_of=before)
    (now,), = query(db, "select strength from relationship_strength")
    assert then < now


@pytest.mark.slow
def test_history_keeps_each_weeks_scores_and_why_explains_a_score(export, db, cli, tmp_path):
    for week in range(1, 20):
        at(export, NOW - timedelta(weeks=week)).meeting(("Ann Lee", "ann@lee.org"), ("Jane Doe", "jane@acme.com"))
    export.load(db)
    assert cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "--as-of", "2026-11-23",
               "people", "build").code == 0
    assert query(db, "select count(distinct week), min(week), max(week) from strength_history") == [
        (19, date(2026, 7, 13), date(2026, 11, 16))]  # from the first meeting's week to the last full week
    shown = cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "--as-of", "2026-11-23", "why", "ann")
    assert shown.code == 0, shown.err
    assert "1:1 meeting (meeting)" in shown.out and "Weekly strength:" in shown.out
    assert "In the last 28 days:" in shown.out


def test_metric_constants_come_from_the_config(export, db, cli, tmp_path):
    at(export, NOW - timedelta(days=90)).meeting(("Ann Lee", "ann@lee.org"), ("Jane Doe", "jane@acme.com"))
    export.load(db)
    (default,), = query(db, "select decayed_sum from relationship_strength")
    assert default == pytest.approx(1.5, abs=0.01)  # 3.0 halved after one half-life of 90 days
    config = tmp_path / "tiekeeper.toml"
    config.write_text(config.read_text() + "\n[metrics]\nhalf_life_days = 45\n")
    assert cli("--db", db, "--config", config, "people", "build").code == 0
    (shorter,), = query(db, "select decayed_sum from relationship_strength")
    assert shorter == pytest.approx(0.75, abs=0.01)


@pytest.mark.slow
def test_an_unknown_metric_setting_is_one_line_and_changes_nothing(export, db, cli, tmp_path):
    export.mail("Ann Lee <ann@lee.org>", "jane@acme.com").load(db)
    config = tmp_path / "tiekeeper.toml"
    config.write_text(config.read_text() + "\n[metrics]\nhalf_life = 45\n")
    result = cli("--db", db, "--config", config, "people", "build")
    assert result.code == 1 and result.err.count("\n") == 1 and "has no setting 'half_life'" in result.err


@pytest.mark.slow
def test_invitations_are_recorded_without_weight_and_meetings_keep_their_length(export, db):
    export.invitation("INCOMING", "Ann Lee", "https://www.linkedin.com/in/annlee")
    export.connection("Ann", "Lee", "https://www.linkedin.com/in/annlee", "Lee")
    at(export, NOW - timedelta(days=2)).meeting(("Bo Ek", "bo@ek.se"), ("Jane Doe", "jane@acme.com"))
    export.load(db)
    rows = query(db, "select channel, direction, weight, weight_reason, duration_minutes from interactions")
    assert sorted(rows) == [
        ("linkedin_connection", "both", 0.5, "LinkedIn connection made", None),
        ("linkedin_invitation", "in", 0.0, "LinkedIn invitation received (the connection counts once accepted)", None),
        ("meeting", "both", 3.0, "1:1 meeting", 60)]
