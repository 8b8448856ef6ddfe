"""`tiekeeper backtest`: every view judged as of cuts over the owner's history against what happened
next, beside a naive baseline; stored, checked again only where the data changed; a short history
is said to be short."""
import datetime as dt
import shutil

import duckdb
import pytest

from pipelines import backtest
from pipelines.backtest import MEASURES, RATIOS, run_backtest, table_lines
from pipelines.warehouse import connect_reader, connect_writer, set_as_of
from tests.test_learning import AS_OF, build

pytestmark = pytest.mark.slow  # a generated world's history, backtested


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build(tmp_path_factory.mktemp("backtest-world"))


@pytest.fixture(scope="module")
def checked(world, tmp_path_factory):
    db = shutil.copy(world[0], tmp_path_factory.mktemp("backtest") / "t.duckdb")
    with connect_writer(db, timezone=world[1].owner.timezone) as con:
        return db, run_backtest(con, world[1], as_of=AS_OF)


def test_every_measure_is_figured_at_every_cut_with_only_the_past_before_it(checked):
    db, result = checked
    assert len(result.cuts) >= 10 and all(c + dt.timedelta(days=90) <= AS_OF for c in result.cuts)
    assert all((b - a).days == 56 for a, b in zip(result.cuts, result.cuts[1:]))
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("select cut_at, measure from backtests").fetchall()
        fits = con.execute("select count(distinct fitted_as_of) from model_fits where fitted_as_of < ?",
                           [AS_OF - dt.timedelta(days=1)]).fetchall()[0][0]
    assert sorted(stored) == sorted((c, m) for c in result.cuts for m in MEASURES)
    assert fits >= len(result.cuts)  # a fit at every cut, from the data before it


def test_figures_pool_their_parts_and_stand_beside_a_baseline(checked):
    _, result = checked
    summaries = {s.measure: s for s in result.summaries()}
    assert list(summaries) == list(MEASURES)
    for measure in RATIOS:
        parts = [r for r in result.rows if r.measure == measure and r.denominator]
        assert summaries[measure].value == pytest.approx(sum(r.numerator for r in parts) /
                                                         sum(r.denominator for r in parts))
    for measure in (MEASURES[0], MEASURES[1], MEASURES[3], MEASURES[5], MEASURES[6]):
        assert summaries[measure].baseline and summaries[measure].baseline_value is not None
    assert summaries[MEASURES[2]].value == 0  # nobody contacted in the 7 days before is listed
    lines = table_lines(result)
    assert lines[0].startswith(f"{len(result.cuts)} cuts from ") and any("a fixed 30-day reminder" in x for x in lines)


def test_a_weekly_run_checks_only_what_is_new(checked, world, tmp_path):
    db = shutil.copy(checked[0], tmp_path / "t.duckdb")
    with connect_writer(db, timezone=world[1].owner.timezone) as con:
        before = con.execute("select * from backtests order by all").fetchall()
        again = run_backtest(con, world[1], as_of=AS_OF + dt.timedelta(days=7), only_new=True)
        after = con.execute("select * from backtests order by all").fetchall()
    assert after == before and again.cuts == checked[1].cuts


def test_a_weekly_run_checks_the_year_the_report_reads_and_says_what_the_full_backtest_says(checked, world,
                                                                                            tmp_path):
    from pipelines.flow import check_against_history
    from reports.weekly import track_record
    db = shutil.copy(world[0], tmp_path / "t.duckdb")  # never backtested
    check_against_history.fn(db, world[1], AS_OF)  # the weekly run's task, without Prefect around it
    sentences = []
    for path in (db, checked[0]):
        with connect_reader(path, timezone=world[1].owner.timezone) as con:
            set_as_of(con, AS_OF)
            cuts = [c for (c,) in con.execute("select distinct cut_at from backtests order by 1").fetchall()]
            sentences.append((cuts, track_record(con)))
    (weekly_cuts, weekly_says), (all_cuts, full_says) = sentences
    assert 5 <= len(weekly_cuts) <= 8 < len(all_cuts) and weekly_cuts == all_cuts[-len(weekly_cuts):]
    assert weekly_says == full_says and weekly_says.startswith("Checked against your own past year")


def test_a_backtest_that_runs_out_of_memory_at_a_cut_tries_again_with_more(checked, world, tmp_path, monkeypatch):
    """DuckDB aborts the transaction when it runs out of memory; the cut's temp tables are then gone,
    and dropping them must not replace that error, which the run budget answers by trying again with
    the machine's limit (warehouse.within_budget)."""
    db = shutil.copy(world[0], tmp_path / "t.duckdb")
    follow_ups, calls = backtest._follow_ups, []

    def out_of_memory_once(con, *args):
        calls.append(args)
        if len(calls) == 1:
            con.execute("set memory_limit = '1MB'")
            con.execute("select count(distinct x) from (select range::varchar || 'x' as x from range(2000000))")
        return follow_ups(con, *args)

    monkeypatch.setattr(backtest, "_follow_ups", out_of_memory_once)
    with connect_writer(db, timezone=world[1].owner.timezone) as con:
        again = run_backtest(con, world[1], as_of=AS_OF)
    assert len(calls) == len(checked[1].cuts) + 1  # the first cut twice
    assert table_lines(again) == table_lines(checked[1])


def test_a_short_history_is_said_to_be_too_short(cli, tmp_path):
    from tests.test_people import Export
    export = Export(tmp_path, cli)
    export.mail("Ann Lee <ann@lee.org>", "jane@acme.com")
    db = tmp_path / "t.duckdb"
    export.load(db)
    result = cli("--db", db, "--config", tmp_path / "tiekeeper.toml", "backtest")
    assert result.code == 0, result.err
    assert result.out.startswith("too little history to check")
