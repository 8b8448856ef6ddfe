"""Derive only what changed (pipelines/derived.py): a run whose inputs did not change skips the people
build and the metrics, and runs that each add a little give exactly what one build from everything
gives (issue 16)."""
import dataclasses
import datetime as dt
import math
import re
from pathlib import Path

import duckdb
import pytest

from connectors.demo import generate_world
from pipelines import metrics
from pipelines.config import load_config
from pipelines.ingest import ingest
from pipelines.metrics import refresh_metrics
from pipelines.people import refresh_people
from pipelines.warehouse import connect_writer

pytestmark = pytest.mark.slow  # generated worlds built and rebuilt

END = dt.date(2026, 11, 23)
WEEKLY_RUNS = [dt.datetime(2026, 11, 9, 6, tzinfo=dt.timezone.utc),
               dt.datetime(2026, 11, 16, 6, tzinfo=dt.timezone.utc),
               dt.datetime(2026, 11, 23, 6, tzinfo=dt.timezone.utc)]
# What a build derives, compared whole
DERIVED = {
    "identities": "select * from identities",
    "identity_matches": "select * from identity_matches",
    "interactions": "select * from int_interactions",
    "threads": "select * from int_threads",
    "strength_history": "select * from strength_history",
    "relationship_strength": "select * from relationship_strength",
    "follow_ups": "select * from follow_ups",
    "awaiting_reply": "select * from awaiting_reply",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A world whose mail comes in two files: what had arrived by the first weekly run, and the rest."""
    folder = tmp_path_factory.mktemp("derived")
    paths = generate_world(folder, people=120, seed=5, end=END)
    early, late = folder / "early.mbox", folder / "late.mbox"
    messages = re.split(rb"(?m)^(?=From )", paths.mbox.read_bytes())[1:]
    split = int(len(messages) * 0.97)  # the last weeks: earlier weeks keep their history
    early.write_bytes(b"".join(messages[:split]))
    late.write_bytes(b"".join(messages[split:]))
    return paths, load_config(paths.config, required=True), early, late


def derived(db: Path, as_of: dt.datetime) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("set variable as_of = ?::timestamptz", [as_of])
        return {name: sorted(con.execute(query).fetchall(), key=_order) for name, query in DERIVED.items()}


def _order(row: tuple) -> tuple:
    return tuple(f"{v:.6g}" if isinstance(v, float) else repr(v) for v in row)


def assert_same_rows(left: list[tuple], right: list[tuple]) -> None:
    """Equal rows, floats to 1 part in 10^9: DuckDB sums in parallel, in no fixed order, so a model
    fitted from the same rows may differ in the last bits."""
    assert len(left) == len(right)
    for a, b in zip(left, right):
        assert len(a) == len(b) and all(
            math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) if isinstance(x, float) and isinstance(y, float) else x == y
            for x, y in zip(a, b)), [(i, x, y) for i, (x, y) in enumerate(zip(a, b)) if x != y]


def builds(db: Path) -> dict[str, dt.datetime]:
    with duckdb.connect(str(db), read_only=True) as con:
        return built(con)


def built(con) -> dict[str, dt.datetime]:
    return dict(con.execute("select name, built_at from derived_builds").fetchall())


def test_weekly_runs_that_each_add_data_equal_one_build_from_everything(world, tmp_path):
    paths, config, early, late = world
    weekly = tmp_path / "weekly.duckdb"
    arrivals = [[("linkedin", [paths.linkedin_zip]), ("mbox", [early])], [("ics", paths.ics)], [("mbox", [late])]]
    for moment, sources in zip(WEEKLY_RUNS, arrivals):
        with connect_writer(weekly, timezone=config.owner.timezone) as con:
            for source, files in sources:
                ingest(con, source, files, config, now=moment, show_progress=False)
            refresh_people(con, config)
            refresh_metrics(con, config, as_of=moment)

    whole = tmp_path / "whole.duckdb"
    with connect_writer(whole, timezone=config.owner.timezone) as con:
        for source, files in [("linkedin", [paths.linkedin_zip]), ("mbox", [early, late]), ("ics", paths.ics)]:
            ingest(con, source, files, config, now=WEEKLY_RUNS[1], show_progress=False)  # the .ics arrived then
        refresh_people(con, config)
        refresh_metrics(con, config, as_of=WEEKLY_RUNS[-1])

    incremental, full = derived(weekly, WEEKLY_RUNS[-1]), derived(whole, WEEKLY_RUNS[-1])
    assert all(full.values())
    for name in DERIVED:
        assert_same_rows(incremental[name], full[name])


def test_a_week_later_with_the_strength_model_kept_scores_only_the_new_week_and_equals_one_build(
        world, tmp_path, monkeypatch):
    """The strength model's training cuts and rows are those of the week before (its latest cut's
    window ended before either day): the history keeps 25 weeks and scores the new one."""
    paths, config, early, late = world
    weeks_scored = []
    score_weeks = metrics._score_weeks
    monkeypatch.setattr(metrics, "_score_weeks",
                        lambda con, kept, again: weeks_scored.append(len(again)) or score_weeks(con, kept, again))

    def build(db: Path, *moments: dt.datetime) -> None:
        with connect_writer(db, timezone=config.owner.timezone) as con:
            for source, files in [("linkedin", [paths.linkedin_zip]), ("mbox", [early, late]), ("ics", paths.ics)]:
                ingest(con, source, files, config, now=WEEKLY_RUNS[-1], show_progress=False)
            refresh_people(con, config)
            for moment in moments:
                refresh_metrics(con, config, as_of=moment)

    build(tmp_path / "weekly.duckdb", *WEEKLY_RUNS[1:])
    assert weeks_scored == [26, 1]
    build(tmp_path / "whole.duckdb", WEEKLY_RUNS[-1])
    weekly, whole = derived(tmp_path / "weekly.duckdb", WEEKLY_RUNS[-1]), derived(tmp_path / "whole.duckdb",
                                                                                    WEEKLY_RUNS[-1])
    for name in DERIVED:
        assert_same_rows(weekly[name], whole[name])


def test_a_run_with_nothing_new_rebuilds_neither_people_nor_metrics(world, tmp_path):
    paths, config, early, late = world
    db = tmp_path / "t.duckdb"

    def run(*files: Path):
        with connect_writer(db, timezone=config.owner.timezone) as con:
            ingest(con, "mbox", list(files), config, show_progress=False)
            return refresh_people(con, config), refresh_metrics(con, config, as_of=WEEKLY_RUNS[-1])

    first_people, first_metrics = run(early)
    first = builds(db)
    again_people, again_metrics = run(early)
    assert builds(db) == first  # neither rebuilt
    assert again_people == first_people
    assert (again_metrics.follow_ups, again_metrics.awaiting) == (first_metrics.follow_ups, first_metrics.awaiting)
    assert "unchanged since" in again_metrics.line() and "unchanged since" not in first_metrics.line()

    run(early, late)  # new mail: both built again
    assert all(builds(db)[name] > first[name] for name in ("people", "metrics"))


def test_what_the_user_changes_is_an_input_too(world, tmp_path):
    paths, config, early, late = world
    db = tmp_path / "t.duckdb"
    with connect_writer(db, timezone=config.owner.timezone) as con:
        ingest(con, "mbox", [early], config, show_progress=False)
        refresh_people(con, config)
        refresh_metrics(con, config, as_of=WEEKLY_RUNS[-1])
    first = builds(db)

    (paths.config.parent / "people.toml").write_text('[[ignore]]\nidentity = "nobody@example.com"\n')
    settings = dataclasses.replace(config, metrics=dataclasses.replace(config.metrics, half_life_days=60.0))
    try:
        with connect_writer(db, timezone=config.owner.timezone) as con:
            refresh_people(con, config)
            people_built = built(con)["people"]
            refresh_metrics(con, settings, as_of=WEEKLY_RUNS[-1])
    finally:
        (paths.config.parent / "people.toml").unlink()
    assert people_built > first["people"]
    assert builds(db)["metrics"] > first["metrics"]


def test_a_full_people_build_can_be_asked_for(world, tmp_path):
    paths, config, early, late = world
    db = tmp_path / "t.duckdb"
    with connect_writer(db, timezone=config.owner.timezone) as con:
        ingest(con, "mbox", [early], config, show_progress=False)
        first = refresh_people(con, config)
        before = built(con)["people"]
        assert refresh_people(con, config, full=True) == first
        assert built(con)["people"] > before


def test_the_command_line_says_when_nothing_was_built_again(cli, tmp_path):
    mbox = Path(__file__).parent / "fixtures" / "mbox" / "labels.mbox"
    db = tmp_path / "t.duckdb"
    first = cli("--db", db, "ingest", "mbox", mbox)
    again = cli("--db", db, "ingest", "mbox", mbox)
    assert first.code == again.code == 0
    assert "unchanged since" not in first.out
    assert "1 unchanged and skipped" in again.out
    build = cli("--db", db, "people", "build")
    assert "unchanged since" in build.out.splitlines()[-1]
    before = builds(db)["people"]
    assert cli("--db", db, "people", "build", "--full").code == 0
    assert builds(db)["people"] > before


def test_the_people_builds_copy_of_the_sightings_goes_with_it(world, tmp_path):
    # the build reads every sighting from a copy under the view's name (people.sightings_cached): a
    # copy left behind would hide what a later ingest on the same connection brings
    paths, config, early, late = world
    with connect_writer(tmp_path / "t.duckdb", timezone=config.owner.timezone) as con:
        ingest(con, "mbox", [early], config, show_progress=False)
        refresh_people(con, config)
        seen = con.execute("select count(*) from int_identity_sightings").fetchall()[0][0]
        assert not con.execute("select 1 from duckdb_tables() where temporary and table_name = 'int_identity_sightings'"
                               ).fetchall()
        ingest(con, "mbox", [early, late], config, show_progress=False)
        assert con.execute("select count(*) from int_identity_sightings").fetchall()[0][0] > seen
