"""Judgement learned from the owner's own history (docs/metrics.md): the models, what they may read,
the views that use them, `why` in plain words, and views that mean the same in every time zone."""
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pytest

from connectors.demo import generate_world
from pipelines import learning
from pipelines.config import load_config
from pipelines.ingest import ingest
from pipelines.learning import (
    LAPSE,
    REPLY,
    REPLY_LATER,
    REPLY_PANEL,
    STRENGTH,
    WINDOW_MARGIN_DAYS,
    build_panels,
    first_exchange,
    grid_cuts,
    keep_rows,
    training_cuts,
)
from pipelines.metrics import fit_day, metric_settings, refresh_metrics
from pipelines.people import refresh_people
from pipelines.warehouse import connect_writer, schema_objects, set_as_of
from pipelines.why import explain

END = dt.date(2026, 11, 23)
AS_OF = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)
PUBLIC_VIEWS = ("people", "interactions", "relationship_strength", "cadence", "follow_ups", "awaiting_reply",
                "network_growth", "upcoming_meetings", "automated_mail", "interactions_excluded", "people_overview")


def build(folder: Path, *, people: int = 300, seed: int = 21, owner_type: str = "typical",
          as_of: dt.datetime = AS_OF, extra_config: str = "") -> tuple[Path, object]:
    """A generated world loaded and its models fitted as of `as_of`."""
    paths = generate_world(folder, people=people, seed=seed, end=END, owner_type=owner_type)
    if extra_config:
        paths.config.write_text(paths.config.read_text() + extra_config)
    config = load_config(paths.config, required=True)
    db = folder / "t.duckdb"
    with connect_writer(db, timezone=config.owner.timezone) as con:
        for source in ("linkedin", "mbox", "ics"):
            ingest(con, source, config.source_paths(source), config, now=as_of, show_progress=False)
        refresh_people(con, config)
        refresh_metrics(con, config, as_of=as_of)
    return db, config


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build(tmp_path_factory.mktemp("world"))


def read(db: Path, sql: str, as_of: dt.datetime = AS_OF, timezone: str | None = None, params=()) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        if timezone:
            con.execute(f"set TimeZone = '{timezone}'")
        con.execute("set variable as_of = ?::timestamptz", [as_of])
        return con.execute(sql, list(params)).fetchall()


# --- what is learned, and from what ---------------------------------------------------------------

@pytest.mark.slow
def test_three_years_of_history_are_enough_to_learn_every_model(world):
    db, config = world
    fits = read(db, "select model, method, fitted_as_of, training_cuts, reason from model_fits order by model")
    assert [(model, method) for model, method, *_ in fits] == [("lapse", "learned"), ("reply", "learned"),
                                                                ("strength", "learned")]
    assert all(fitted == fit_day(AS_OF, config.owner.tz) for _, _, fitted, _, _ in fits)  # the day's start
    assert all(cuts >= 20 and "learned from" in reason for *_, cuts, reason in fits)
    assert read(db, "select distinct method from relationship_strength") == [("learned",)]
    assert read(db, "select count(*) from awaiting_reply where waiting_on = 'me' and answer_probability is null") == [
        (0,)]


@pytest.mark.slow
def test_panels_kept_between_runs_are_what_a_fresh_build_gives_and_follow_a_changed_history(world, tmp_path):
    db, config = shutil.copy(world[0], tmp_path / "t.duckdb"), world[1]
    tz = ZoneInfo(config.owner.timezone)

    def panels(con):
        first = first_exchange(con)
        tie_cuts = sorted(set(training_cuts(STRENGTH, first, AS_OF, tz)) | set(training_cuts(LAPSE, first, AS_OF, tz)))
        built = build_panels(con, tie_cuts, training_cuts(REPLY, first, AS_OF, tz))
        return built.ties, built.replies

    def fresh(con):
        con.execute("drop table learning_panel_ties; drop table learning_panel_replies")
        return panels(con)

    with connect_writer(db, timezone=config.owner.timezone) as con:
        set_as_of(con, AS_OF)
        kept = panels(con)  # read back: the refresh built them
        assert_same_panels(kept, fresh(con))
        # the history changes before the cuts: the busiest person's mail of one month is someone else's
        con.execute("""update int_interactions set person_id = 'p_someone_else'
                       where person_id = (select person_id from int_interactions group by all order by count(*) desc,
                                          person_id limit 1)
                         and occurred_at >= timestamptz '2025-03-01' and occurred_at < timestamptz '2025-04-01'""")
        con.execute(next(o.sql for o in schema_objects() if o.name == "int_contact_days"))  # (the tie panel reads it)
        con.execute("""update int_reply_messages set labels = list_append(labels, 'Starred')
                       where sent_at >= timestamptz '2025-03-01' and sent_at < timestamptz '2025-04-01'""")
        changed = panels(con)
        assert_same_panels(changed, fresh(con))
    for panel in range(2):  # both changed
        with pytest.raises(AssertionError):
            assert_same_panels([kept[panel]], [changed[panel]])


@pytest.mark.slow
def test_an_old_message_answered_today_builds_again_only_the_reply_cuts_whose_window_reaches_today(world, tmp_path):
    """A weekly run's new mail changes old messages' rows (the owner's next word to the sender is now
    this week): a cut whose window ended before that reads none of it and is kept."""
    db, config = world
    db = shutil.copy(db, tmp_path / "t.duckdb")
    answered = AS_OF - dt.timedelta(days=1)
    with connect_writer(db, timezone=config.owner.timezone) as con:
        set_as_of(con, AS_OF)
        cuts = training_cuts(REPLY, first_exchange(con), AS_OF, ZoneInfo(config.owner.timezone))

        def kept() -> int:
            return len(keep_rows(con, "learning_panel_replies", cuts, "int_reply_messages", "sent_at",
                                 REPLY.horizon_days, lambda _: REPLY_PANEL, later=REPLY_LATER))

        assert kept() == 0
        changed = con.execute("""update int_reply_messages set owner_next_to_sender_at = $1
                                 where sent_at < timestamptz '2026-01-01' and sender_role = 'person'
                                   and coalesce(owner_next_to_sender_at > $1, true)""", [answered]).fetchall()[0][0]
        assert changed > 10
        reaching = [c for c in cuts if c + dt.timedelta(days=REPLY.horizon_days + WINDOW_MARGIN_DAYS) > answered]
        assert 0 < len(reaching) < 5 < len(cuts)
        assert kept() == len(reaching)
        read_back = build_panels(con, [], cuts).replies
        con.execute("drop table learning_panel_replies")
        assert_same_panels([read_back], [build_panels(con, [], cuts).replies])


@pytest.mark.slow
def test_a_model_whose_training_rows_did_not_change_is_its_last_fit_and_fitted_again_when_they_do(
        world, tmp_path, monkeypatch):
    db, config = world
    db = shutil.copy(db, tmp_path / "t.duckdb")
    tz, settings = ZoneInfo(config.owner.timezone), metric_settings(config)
    day, next_day = fit_day(AS_OF, tz), fit_day(AS_OF + dt.timedelta(days=1), tz)
    fitted = []
    regression = learning._regression
    monkeypatch.setattr(learning, "_regression",
                        lambda kind, x, *rest: fitted.append(kind) or regression(kind, x, *rest))

    def stored(con, moment) -> list[tuple]:
        return con.execute("""select f.* exclude (fitted_as_of),
                                     list((c.feature, c.mean, c.scale, c.coefficient) order by c.feature)
                              from model_fits as f left join model_coefficients as c using (model, fitted_as_of)
                              where fitted_as_of = ? group by all order by f.model""", [moment]).fetchall()

    with connect_writer(db, timezone=config.owner.timezone) as con:
        first = first_exchange(con)
        assert all(training_cuts(spec, first, next_day, tz) == training_cuts(spec, first, day, tz)
                   for spec in (STRENGTH, LAPSE, REPLY))  # (what the test needs of the day after)
        learning.learn(con, settings, next_day, tz)
        assert fitted == [] and stored(con, next_day) == stored(con, day)
        con.execute("delete from derived_builds where name like 'fit %'")
        learning.learn(con, settings, next_day, tz)  # fitted again: the same fits
        assert fitted and stored(con, next_day) == stored(con, day)
        # the busiest person's mail of a year is someone else's: the tie models learn again
        con.execute("""update int_interactions set person_id = 'p_someone_else'
                       where person_id = (select person_id from int_interactions group by all order by count(*) desc,
                                          person_id limit 1)
                         and occurred_at >= timestamptz '2025-01-01' and occurred_at < timestamptz '2026-01-01'""")
        con.execute(next(o.sql for o in schema_objects() if o.name == "int_contact_days"))  # (the models read it)
        fitted.clear()
        learning.learn(con, settings, next_day, tz)
        assert fitted and "poisson" in fitted  # strength (and lapse) again ...
        assert stored(con, next_day) != stored(con, day)
        reply = [row for row in stored(con, next_day) if row[0] == "reply"]
        assert reply == [row for row in stored(con, day) if row[0] == "reply"]  # ... the reply model kept


def assert_same_panels(a, b) -> None:
    for panel_a, panel_b in zip(a, b):
        assert panel_a.keys() == panel_b.keys()
        for column in panel_a:
            np.testing.assert_equal(panel_a[column], panel_b[column], err_msg=column)


def test_a_fit_learns_only_from_cuts_whose_outcome_was_complete_before_it():
    tz = dt.timezone.utc
    first = dt.datetime(2024, 1, 10, 15, tzinfo=tz)
    for spec in (STRENGTH, LAPSE, REPLY):
        cuts = training_cuts(spec, first, AS_OF, tz)
        assert cuts and all(c + dt.timedelta(days=spec.horizon_days) <= AS_OF for c in cuts)
        assert all(c >= first + dt.timedelta(days=90) for c in cuts) and len(cuts) <= spec.max_cuts
        assert all((b - a).days == spec.step_days for a, b in zip(cuts, cuts[1:]))


def test_cuts_fall_on_the_owners_midnights_on_one_grid_whatever_the_range():
    berlin = ZoneInfo("Europe/Berlin")
    early = grid_cuts(dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc), AS_OF, 28, berlin)
    late = grid_cuts(dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc), AS_OF, 28, berlin)
    assert set(late) <= set(early)
    assert all(c.astimezone(berlin).time() == dt.time(0, 0) and c.astimezone(berlin).weekday() == 0 for c in early)


@pytest.mark.slow
def test_what_happened_after_the_fit_moment_changes_nothing_in_the_fit(world, tmp_path):
    """The same world fitted as of 120 days before its end, once as it is and once with four more
    months of mail from the same people after that moment: the same fits, to the digit."""
    db, config = world
    moment = AS_OF - dt.timedelta(days=120)
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(db.read_bytes())

    def fits(path: Path) -> list[tuple]:
        with connect_writer(path, timezone=config.owner.timezone) as con:
            refresh_metrics(con, config, as_of=moment)
            return con.execute("""select f.model, f.method, f.intercept, f.threshold, c.feature, c.coefficient
                                  from model_fits f left join model_coefficients c using (model, fitted_as_of)
                                  where fitted_as_of = ? order by all""", [fit_day(moment, config.owner.tz)]).fetchall()

    before = fits(copy)
    with duckdb.connect(str(copy)) as con:  # the future: every message after the moment sent twice as often
        con.execute("""insert into raw_mbox__messages
                       select * replace ('<copy-' || message_key || '>' as message_key,
                                         'copy-' || message_id as message_id, sent_at + interval 1 hour as sent_at)
                       from raw_mbox__messages where sent_at >= ?""", [moment])
    with connect_writer(copy, timezone=config.owner.timezone) as con:
        refresh_people(con, config)
        assert con.execute("select count(*) from int_interactions where occurred_at >= ?", [moment]).fetchone()[0] > 0
    assert fits(copy) == before


@pytest.mark.slow
def test_with_learning_switched_off_every_view_uses_the_published_method(tmp_path):
    db, _ = build(tmp_path, people=80, seed=5, extra_config="\n[metrics]\nlearn = 0\n")
    assert read(db, "select distinct method from model_fits") == [("published",)]
    assert read(db, "select distinct reason from model_fits") == [("learning is switched off ([metrics] learn = 0)",)]
    assert read(db, "select distinct method from relationship_strength") == [("published",)]
    assert read(db, "select count(*) from awaiting_reply where answer_probability is not null") == [(0,)]


@pytest.mark.slow
def test_a_short_history_keeps_the_published_method_and_says_why(cli, tmp_path):
    from tests.test_people import Export
    export = Export(tmp_path, cli)
    export.when = AS_OF - dt.timedelta(days=100)
    for _ in range(30):  # a message every three days for three months
        export.mail("Ann Lee <ann@lee.org>", "jane@acme.com")
        export.when += dt.timedelta(days=3)
    db = tmp_path / "t.duckdb"
    export.load(db)
    assert cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "--as-of", "2026-11-23",
               "people", "build").code == 0
    fits = read(db, "select model, method, reason from current_fits() order by model")
    assert [(m, method) for m, method, _ in fits] == [("lapse", "published"), ("reply", "published"),
                                                      ("strength", "published")]
    assert all(reason.startswith("too little history") for *_, reason in fits)


# --- the views that use them ----------------------------------------------------------------------

@pytest.mark.slow
def test_nobody_contacted_in_the_last_7_days_is_listed_and_every_listed_tie_is_active(world):
    db, _ = world
    rows = read(db, "select days_since_contact, active_days_180, lapse_risk, method from follow_ups")
    assert rows and all(since >= 7 and active >= 2 for since, active, *_ in rows)
    assert all(method == "learned" and risk >= 0.5 for *_, risk, method in rows)


@pytest.mark.slow
def test_replies_owed_are_the_messages_the_model_says_the_owner_answers(world):
    db, _ = world
    (threshold,), = read(db, "select threshold from model_fits where model = 'reply'")
    rows = read(db, "select answer_probability, days_waiting from awaiting_reply where waiting_on = 'me'")
    assert rows and all(p >= threshold and waited >= 2 for p, waited in rows)
    assert 0.5 <= threshold < 1


@pytest.mark.slow
def test_views_give_the_same_rows_in_any_session_timezone(world):
    db, _ = world
    for view in PUBLIC_VIEWS:
        results = [sorted(map(repr, [tuple(v.astimezone(dt.timezone.utc) if isinstance(v, dt.datetime) else
                                           round(v, 6) if isinstance(v, float) else v for v in row)
                                     for row in read(db, f"select * from {view}", timezone=tz)]))
                   for tz in ("Asia/Tokyo", "Europe/Berlin", "America/Los_Angeles")]
        assert results[0] == results[1] == results[2], view


@pytest.mark.slow
def test_python_processes_in_tokyo_and_berlin_see_the_same_follow_ups(world):
    db, _ = world
    script = ("import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
              "con.execute(\"set variable as_of = timestamptz '2026-11-23 00:00:00+00'\"); "
              "print(sorted(con.execute('select person_id, reason, round(lapse_risk, 6) from follow_ups').fetchall()))")
    seen = [subprocess.run([sys.executable, "-c", script, str(db)], env={**os.environ, "TZ": tz},
                           capture_output=True, text=True, check=True).stdout for tz in ("Asia/Tokyo", "Europe/Berlin")]
    assert seen[0] == seen[1] and seen[0].startswith("[('p_")


@pytest.mark.slow
def test_a_past_as_of_uses_the_fit_made_then_or_the_published_method(world):
    db, _ = world
    earlier = AS_OF - dt.timedelta(days=30)
    assert read(db, "select distinct method from relationship_strength", as_of=earlier) == [("published",)]
    assert read(db, "select distinct method from relationship_strength") == [("learned",)]


# --- why, in plain words --------------------------------------------------------------------------

@pytest.mark.slow
def test_why_says_what_drives_a_learned_score_and_why_a_tie_is_listed(world):
    db, _ = world
    with duckdb.connect(str(db), read_only=True) as con:
        set_as_of(con, AS_OF)
        top = con.execute("select person_id from relationship_strength order by rank limit 1").fetchone()[0]
        listed = con.execute("select person_id from follow_ups order by priority desc limit 1").fetchone()[0]
        strong = "\n".join(explain(con, top))
        follow = "\n".join(explain(con, listed))
    assert "Learned from your own history" in strong and "holds it up: " in strong
    assert "days of direct contact expected in the next 90 days" in strong
    assert "Chance of no contact at all in the next 60 days" in follow and "listed to follow up" in follow
    assert "raises the risk: " in follow
    assert "x_" not in strong + follow and "ln(" not in strong + follow
