"""`tiekeeper backtest`: how well tiekeeper would have predicted the owner's own past.

At cuts spread over the history (every 8 weeks, each with a full 90 days of data after it), the
models are fitted from what came before the cut only, the public views are evaluated as of the cut,
and what they said is checked against what happened next, beside a naive baseline given the same
task (docs/metrics.md "How tiekeeper checks itself"):

- follow-ups: of the active ties listed, the share with no contact at all in the next 60 days
  ("lapse precision"), also weighted by each tie's contact days in the 180 days before; against a
  fixed reminder (30 days without contact, most active ties first) listing as many; and how many
  listed ties had contact in the 7 days before the cut;
- replies owed: of the threads listed as waiting on the owner, the share the owner answered (wrote
  in the thread, or to that person) within 14 days; and of the direct messages waiting 2+ business
  days that the owner then answered, the share listed; against listing every such message;
- strength: Spearman correlation with the days of direct contact in the next 90 days, against the
  raw count of interactions in the 365 days before and against recency.

Every cut's figures are stored in `backtests`; the fits made for a cut stay in `model_fits`, so that
`--as-of` a cut shows what tiekeeper would have said then.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from pipelines.config import Config
from pipelines.learning import (
    FITTING_MEMORY,
    LAPSE,
    REPLY,
    STRENGTH,
    build_panels,
    first_exchange,
    fit_models,
    grid_cuts,
    store_fits,
    training_cuts,
)
from pipelines.metrics import metric_settings, write_settings
from pipelines.warehouse import memory_lent, set_as_of, within_budget

STEP_DAYS = 56  # one cut every 8 weeks ...
HORIZON_DAYS = 90  # ... with this much data after it (the longest outcome window)
MIN_HISTORY_DAYS = 180  # ... and this much before it


@dataclass(frozen=True)
class Row:
    """One measure at one cut."""

    cut_at: dt.datetime
    measure: str
    value: float | None
    baseline: str | None
    baseline_value: float | None
    numerator: float | None
    denominator: float | None
    baseline_numerator: float | None
    baseline_denominator: float | None
    method: str


@dataclass(frozen=True)
class Summary:
    """One measure over all cuts: ratios pooled (their parts summed), correlations averaged."""

    measure: str
    value: float | None
    baseline: str | None
    baseline_value: float | None
    cuts: int
    count: float | None  # the pooled denominator (ties listed, threads flagged), where there is one


@dataclass(frozen=True)
class Backtest:
    cuts: list[dt.datetime]
    rows: list[Row]
    note: str | None = None  # why there is nothing to show

    def summaries(self) -> list[Summary]:
        return summarise(self.rows)


# Measures, in the order they are shown.
FOLLOW_UP_WEIGHTED = "follow-ups: lapse precision, weighted by contact"
FOLLOW_UP_PLAIN = "follow-ups: lapse precision"
FOLLOW_UP_RECENT = "follow-ups: listed though contacted in the 7 days before"
REPLY_PRECISION = "replies owed: precision (answered within 14 days)"
REPLY_RECALL = "replies owed: recall (of the messages answered later)"
STRENGTH_SPEARMAN = "strength: Spearman with direct-contact days in the next 90"
STRENGTH_RECENCY = "strength: the same, against recency"
MEASURES = (FOLLOW_UP_WEIGHTED, FOLLOW_UP_PLAIN, FOLLOW_UP_RECENT, REPLY_PRECISION, REPLY_RECALL,
            STRENGTH_SPEARMAN, STRENGTH_RECENCY)
RATIOS = (FOLLOW_UP_WEIGHTED, FOLLOW_UP_PLAIN, REPLY_PRECISION, REPLY_RECALL)


def backtest_cuts(first_contact: dt.datetime | None, as_of: dt.datetime, tz) -> list[dt.datetime]:
    """The cuts to check: every 8 weeks on the learning grid, with enough history before and the
    whole outcome window before `as_of`."""
    if first_contact is None:
        return []
    return grid_cuts(first_contact + dt.timedelta(days=MIN_HISTORY_DAYS), as_of - dt.timedelta(days=HORIZON_DAYS),
                     STEP_DAYS, tz)


def run_backtest(con: duckdb.DuckDBPyConnection, config: Config, *, as_of: dt.datetime | None = None,
                 only_new: bool = False, since: dt.datetime | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Backtest:
    """Checks every cut (or, `only_new`, the cuts without stored figures for the data as it is now;
    `since`, only the cuts from then on) and stores the figures in `backtests`, in one transaction
    within the run's memory budget (warehouse.within_budget).
    The connection is left as of `as_of`."""
    settings = metric_settings(config)
    tz = config.owner.tz
    moment = as_of or dt.datetime.now(dt.timezone.utc)

    def check() -> list[Row]:
        write_settings(con, settings)
        first = first_exchange(con)
        cuts = [c for c in backtest_cuts(first, moment, tz) if since is None or c >= since]
        if only_new:
            cuts = _cuts_to_check(con, cuts)
        if cuts:
            tie_cuts = sorted({c for t in cuts for spec in (STRENGTH, LAPSE)
                               for c in training_cuts(spec, first, t, tz)})
            reply_cuts = sorted({c for t in cuts for c in training_cuts(REPLY, first, t, tz)})
            panels = build_panels(con, tie_cuts, reply_cuts)
        rows: list[Row] = []
        for done, cut in enumerate(cuts):
            with memory_lent(con):
                fits = fit_models(panels, first, cut, tz, settings)
            store_fits(con, fits)
            set_as_of(con, cut)
            rows += _measure(con, cut, {f.model: f.method for f in fits})
            if progress:
                progress(done + 1, len(cuts))
        _store(con, cuts, rows)
        set_as_of(con, as_of)
        stored = stored_rows(con)
        return stored

    stored = within_budget(con, "backtest", check, beside=FITTING_MEMORY)
    note = None if stored else ("too little history to check: the first cut needs 6 months of data before it "
                                "and 3 months after")
    return Backtest(sorted({r.cut_at for r in stored}), stored, note)


def _cuts_to_check(con, cuts: list[dt.datetime]) -> list[dt.datetime]:
    """Cuts without stored figures, or whose data changed since (an older export loaded later)."""
    if not cuts:
        return []
    current = dict(con.execute("""
        select c.cut_at, count(e.occurred_at)
        from (select unnest($cuts::timestamptz[]) as cut_at) as c
        left join int_interactions as e on e.occurred_at < days_after(c.cut_at, 90)
        group by c.cut_at""", {"cuts": cuts}).fetchall())
    stored = dict(con.execute("select cut_at, any_value(events_seen) from backtests group by cut_at").fetchall())
    return [c for c in cuts if stored.get(c) != current.get(c)]


def _measure(con, cut: dt.datetime, methods: dict[str, str]) -> list[Row]:
    """The figures at one cut (the connection evaluated as of it): each view is read once, into a
    temp table the measures then read. The ties' features as of the cut, which the strength and
    follow-up views each compute, are computed once too: a temp table of the view's name, which
    DuckDB reads before the view of the database, for as long as the connection is at this cut."""
    try:
        con.execute("create or replace temp table int_tie_features_now as select * from main.int_tie_features_now")
        con.execute("create or replace temp table cut_features as "
                    "select * from int_tie_features_now where cut_at = as_of()")
        for view in ("follow_ups", "awaiting_reply", "relationship_strength"):
            con.execute(f"create or replace temp table cut_{view} as select * from {view}")
        return [*_follow_ups(con, cut, methods["lapse"]), *_replies(con, cut, methods["reply"]),
                *_strength(con, cut, methods["strength"])]
    finally:
        with contextlib.suppress(duckdb.Error):  # (an error DuckDB raised aborted the transaction: it took them)
            for table in ("int_tie_features_now", "cut_features", "cut_follow_ups", "cut_awaiting_reply",
                          "cut_relationship_strength"):
                con.execute(f"drop table if exists temp.{table}")


def _follow_ups(con, cut, method) -> list[Row]:
    (listed, lapsed, weight_listed, weight_lapsed, base_listed, base_lapsed, base_weight, base_weight_lapsed,
     recent) = con.execute("""
        with features as (
            select person_id, active_days_180, contact_days_180, days_since_contact from cut_features
        ),

        after as (
            select person_id, contacted_next_60 from tie_outcomes([as_of()])
        ),

        pool as (  -- ties active before the cut: 2+ days of direct contact or meetings in 180 days
            select f.*, not coalesce(a.contacted_next_60, false) as lapsed,
                   f.person_id in (select person_id from cut_follow_ups) as is_listed
            from features as f
            left join after as a using (person_id)
            where f.active_days_180 >= 2
        ),

        reminder as (  -- the fixed reminder: 30 days without contact, most active first, as many as listed
            select *, row_number() over (order by contact_days_180 desc, person_id) as position
            from pool where days_since_contact >= 30
        ),

        baseline as (
            select * from reminder where position <= (select count(*) from pool where is_listed)
        )

        select
            count(*) filter (where is_listed),
            count(*) filter (where is_listed and lapsed),
            coalesce(sum(contact_days_180) filter (where is_listed), 0),
            coalesce(sum(contact_days_180) filter (where is_listed and lapsed), 0),
            (select count(*) from baseline),
            (select count(*) filter (where lapsed) from baseline),
            (select coalesce(sum(contact_days_180), 0) from baseline),
            (select coalesce(sum(contact_days_180) filter (where lapsed), 0) from baseline),
            (select count(*) from cut_follow_ups where days_since_contact < 7)
        from pool""").fetchone()
    reminder = "a fixed 30-day reminder, as many ties"
    return [
        _ratio(cut, FOLLOW_UP_WEIGHTED, weight_lapsed, weight_listed, reminder, base_weight_lapsed, base_weight,
               method),
        _ratio(cut, FOLLOW_UP_PLAIN, lapsed, listed, reminder, base_lapsed, base_listed, method),
        Row(cut, FOLLOW_UP_RECENT, float(recent), None, None, float(recent), float(listed), None, None, method),
    ]


def _replies(con, cut, method) -> list[Row]:
    flagged, answered, pool, pool_answered, pool_answered_flagged = con.execute("""
        with flagged as (
            select distinct channel, thread_ref, person_id from cut_awaiting_reply where waiting_on = 'me'
        ),

        owner_after as (  -- what the owner wrote in the 14 days after the cut
            select channel, thread_ref, to_person_ids from int_reply_messages
            where is_from_owner and sent_at >= as_of() and sent_at < days_after(as_of(), 14)
        ),

        judged as (
            select f.*, exists (select 1 from owner_after as o
                                where (o.channel = f.channel and o.thread_ref = f.thread_ref)
                                   or list_contains(o.to_person_ids, f.person_id)) as answered
            from flagged as f
        ),

        pool as (  -- every direct message waiting 2+ business days at the cut
            select distinct channel, thread_ref, person_id, answered_next_14
            from reply_candidates([as_of()], messages := 'int_reply_messages')
        )

        select
            (select count(*) from judged),
            (select count(*) filter (where answered) from judged),
            (select count(*) from pool),
            (select count(*) filter (where answered_next_14) from pool),
            (select count(*) from pool as p join flagged as f using (channel, thread_ref, person_id)
             where p.answered_next_14)""").fetchone()
    return [
        _ratio(cut, REPLY_PRECISION, answered, flagged, "listing every direct message waiting 2+ business days",
               pool_answered, pool, method),
        _ratio(cut, REPLY_RECALL, pool_answered_flagged, pool_answered, None, None, None, method),
    ]


def _strength(con, cut, method) -> list[Row]:
    strength, future, raw, since = con.execute("""
        select s.strength, coalesce(o.direct_days_next_90, 0), coalesce(r.raw_count, 0), f.days_since_contact
        from cut_relationship_strength as s
        join cut_features as f using (person_id)
        left join tie_outcomes([as_of()]) as o using (person_id)
        left join (select person_id, count(*) as raw_count from interactions
                   where weight > 0 and occurred_at >= days_after(as_of(), -365) group by person_id) as r
            using (person_id)""").fetchnumpy().values()
    ours = _spearman(strength, future)
    return [
        Row(cut, STRENGTH_SPEARMAN, ours, "the raw 365-day count", _spearman(raw, future), None, None, None, None,
            method),
        Row(cut, STRENGTH_RECENCY, ours, "recency (days since the last contact)", _spearman(-since, future), None,
            None, None, None, method),
    ]


def _ratio(cut, measure, numerator, denominator, baseline, base_numerator, base_denominator, method) -> Row:
    def share(n, d):
        return float(n) / float(d) if d else None
    return Row(cut, measure, share(numerator, denominator), baseline,
               share(base_numerator, base_denominator) if baseline else None, float(numerator),
               float(denominator), None if base_numerator is None else float(base_numerator),
               None if base_denominator is None else float(base_denominator), method)


def _spearman(a, b) -> float | None:
    from scipy.stats import spearmanr
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) < 3 or np.all(a == a[0]) or np.all(b == b[0]):
        return None
    value = float(spearmanr(a, b).statistic)
    return None if math.isnan(value) else value


def _store(con, cuts: list[dt.datetime], rows: list[Row]) -> None:
    if not cuts:
        return
    con.execute("delete from backtests where cut_at in (select unnest($cuts::timestamptz[]))", {"cuts": cuts})
    seen = dict(con.execute("""
        select c.cut_at, count(e.occurred_at)
        from (select unnest($cuts::timestamptz[]) as cut_at) as c
        left join int_interactions as e on e.occurred_at < days_after(c.cut_at, 90)
        group by c.cut_at""", {"cuts": cuts}).fetchall())
    columns = {name: [getattr(r, name) for r in rows] for name in Row.__dataclass_fields__}
    table = pa.table({**columns, "cut_at": pa.array(columns["cut_at"], pa.timestamp("us", tz="UTC")),
                      "events_seen": [seen[r.cut_at] for r in rows]})
    con.register("backtest_arrow", table)
    try:
        con.execute("insert into backtests by name select *, now() as computed_at from backtest_arrow")
    finally:
        con.unregister("backtest_arrow")


def stored_rows(con) -> list[Row]:
    """Every stored backtest figure, by cut."""
    names = list(Row.__dataclass_fields__)
    return [Row(*row) for row in con.execute(f"select {', '.join(names)} from backtests order by cut_at, measure")
            .fetchall()]


def summarise(rows: list[Row]) -> list[Summary]:
    """Each measure over all cuts: ratios pooled, correlations and counts averaged over the cuts."""
    result = []
    for measure in MEASURES:
        chosen = [r for r in rows if r.measure == measure]
        if not chosen:
            continue
        baseline = next((r.baseline for r in chosen if r.baseline), None)
        if measure in RATIOS:
            numerator = sum(r.numerator or 0 for r in chosen)
            denominator = sum(r.denominator or 0 for r in chosen)
            base_num = sum(r.baseline_numerator or 0 for r in chosen)
            base_den = sum(r.baseline_denominator or 0 for r in chosen)
            result.append(Summary(measure, numerator / denominator if denominator else None, baseline,
                                  base_num / base_den if baseline and base_den else None, len(chosen), denominator))
        else:
            values = [r.value for r in chosen if r.value is not None]
            bases = [r.baseline_value for r in chosen if r.baseline_value is not None]
            result.append(Summary(measure, sum(values) / len(values) if values else None, baseline,
                                  sum(bases) / len(bases) if bases else None, len(chosen),
                                  sum(r.denominator or 0 for r in chosen) if measure == FOLLOW_UP_RECENT else None))
    return result


def table_lines(backtest: Backtest) -> list[str]:
    """The figures as a small table for the terminal."""
    if backtest.note:
        return [backtest.note]
    first, last = backtest.cuts[0], backtest.cuts[-1]
    lines = [f"{len(backtest.cuts)} cuts from {first:%Y-%m-%d} to {last:%Y-%m-%d}, each judged on what happened "
             f"in the 90 days after it:", ""]
    width = max(len(s.measure) for s in backtest.summaries())
    lines.append(f"{'measure':<{width}}  tiekeeper  baseline")
    for s in backtest.summaries():
        value = _format(s.value, s.measure)
        base = f"{_format(s.baseline_value, s.measure)}  {s.baseline}" if s.baseline else ""
        lines.append(f"{s.measure:<{width}}  {value:>9}  {base}")
    methods = {r.measure.split(":")[0]: r.method for r in backtest.rows if r.cut_at == last}
    lines += ["", "Methods at the latest cut: " + ", ".join(f"{k} {v}" for k, v in methods.items())]
    return lines


def _format(value: float | None, measure: str) -> str:
    if value is None:
        return "n/a"
    if measure == FOLLOW_UP_RECENT:
        return f"{value:.1f}/cut"
    return f"{value:.2f}"
