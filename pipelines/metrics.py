"""Relationship metrics: the constants of docs/metrics.md (`METRIC_DEFAULTS` in pipelines/config.py,
overridable in `[metrics]`), the models learned from the owner's history (pipelines/learning.py), and
the weekly `strength_history` the trend views and "why did this drop" read. The metrics themselves
are SQL views in `sql/30_marts/`, evaluated as of `as_of()` (now, or `--as-of`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import duckdb
import pyarrow as pa

from pipelines.config import METRIC_DEFAULTS, Config  # noqa: F401 - METRIC_DEFAULTS is imported from here too
from pipelines.derived import fingerprint, raw_fingerprint, record, recorded
from pipelines.learning import FITTING_MEMORY, keep_rows, learn, tie_cuts_per_query
from pipelines.warehouse import set_as_of, within_budget


def metric_settings(config: Config) -> dict[str, float]:
    """Every metric setting by name: the defaults with `[metrics]` applied (checked when the config was read)."""
    return asdict(config.metrics)


@dataclass
class MetricsSummary:
    people_scored: int
    weeks: int
    follow_ups: int
    awaiting: int
    methods: dict[str, str] = field(default_factory=dict)  # model -> learned | published
    unchanged_since: str | None = None  # the build was skipped: nothing it reads changed since then

    def line(self) -> str:
        methods = ", ".join(f"{model} {method}" for model, method in self.methods.items())
        return (f"metrics: {self.people_scored:,} people scored, {self.follow_ups:,} follow-ups due, "
                f"{self.awaiting:,} threads awaiting a reply, {self.weeks} weeks of history"
                + (f" ({methods})" if methods else "")
                + (f"; unchanged since {self.unchanged_since}" if self.unchanged_since else ""))


def write_settings(con: duckdb.DuckDBPyConnection, settings: dict[str, float]) -> None:
    con.execute("delete from metric_settings")
    con.register("settings_arrow", pa.table({"key": list(settings), "value": [float(v) for v in settings.values()]}))
    try:
        con.execute("insert into metric_settings select * from settings_arrow")
    finally:
        con.unregister("settings_arrow")


def refresh_metrics(con: duckdb.DuckDBPyConnection, config: Config, *,
                    as_of: dt.datetime | None = None) -> MetricsSummary:
    """Writes the metric settings, fits the models as of the start of `as_of`'s day (now when None)
    from the history before it, and rebuilds `strength_history`, in one transaction within the run's
    memory budget (warehouse.within_budget); skipped when nothing it reads (people, raw rows,
    settings, the day) changed since it last ran."""
    settings = metric_settings(config)
    moment = as_of or dt.datetime.now(dt.timezone.utc)
    day = fit_day(moment, config.owner.tz)
    people = con.execute("select any_value(fingerprint) from derived_builds where name = 'people'").fetchall()[0][0]
    inputs = fingerprint(people, raw_fingerprint(con), settings, config.owner.timezone, day, as_of)
    if (kept := recorded(con, "metrics", inputs)) is not None:
        set_as_of(con, as_of)
        return MetricsSummary(**kept)

    def build() -> MetricsSummary:
        write_settings(con, settings)
        fits = learn(con, settings, day, config.owner.tz)
        set_as_of(con, as_of)
        weeks = _rebuild_history(con, int(settings["history_weeks"]), moment, config.owner.tz)
        counts = con.execute("""select (select count(*) from relationship_strength),
                                       (select count(*) from follow_ups),
                                       (select count(*) from awaiting_reply)""").fetchall()[0]
        summary = MetricsSummary(counts[0], weeks, counts[1], counts[2], {fit.model: fit.method for fit in fits})
        built_at = dt.datetime.now(config.owner.tz).strftime("%Y-%m-%d %H:%M")
        record(con, "metrics", inputs, asdict(summary) | {"unchanged_since": built_at})
        return summary

    return within_budget(con, "metrics", build, beside=FITTING_MEMORY)


def fit_day(moment: dt.datetime, tz) -> dt.datetime:
    """The moment models are fitted as of for a run at `moment`: the start of its day in the owner's
    timezone, so that every run of a day makes the same fit from the same data (and replaces it)."""
    return dt.datetime.combine(moment.astimezone(tz).date(), dt.time(), tz).astimezone(dt.timezone.utc)


def _rebuild_history(con, weeks: int, now: dt.datetime, tz) -> int:
    """Scores as of the end of each of the last `weeks` ISO weeks (weeks end at Monday 00:00 in the
    owner's timezone), all with the models current as of `now`, so that the series shows how the
    ties moved and not how the models did. The features of each week are kept between runs
    (`strength_history_features`, fingerprinted by the interactions before the week's end): a weekly
    run computes those of the new week, and those of a week whose history changed. Scored with what
    scored the kept weeks (the same strength fit, settings and pinned people), only those weeks are
    scored: the new week is appended; else all are scored again."""
    local = now.astimezone(tz)
    this_monday = dt.datetime.combine(local.date() - dt.timedelta(days=local.weekday()), dt.time(), tzinfo=tz)
    week_ends = [(this_monday - dt.timedelta(weeks=back)).astimezone(dt.timezone.utc)
                 for back in range(weeks - 1, -1, -1)]
    built = keep_rows(con, "strength_history_features", week_ends, "int_interactions", "occurred_at", 0,
                      lambda cuts: "select * from tie_features($cuts::timestamptz[])",
                      prune=True, cuts_per_query=tie_cuts_per_query(con))
    scoring = fingerprint(*con.execute("""
        select (select string_agg(f::varchar, ';' order by f::varchar)
                from (select * exclude (fitted_as_of) from current_fits() where model = 'strength') as f),
               (select string_agg(c::varchar, ';' order by c::varchar)
                from (select c.* exclude (model, fitted_as_of) from model_coefficients as c
                      join current_fits() using (model, fitted_as_of) where model = 'strength') as c),
               (select string_agg(s::varchar, ';' order by s::varchar) from metric_settings as s),
               (select string_agg(distinct person_id, ';' order by person_id) from pinned_people),
               owner_tz()""").fetchall()[0])
    monday = {c: c.astimezone(tz).date() - dt.timedelta(days=7) for c in week_ends}  # the week's first day
    scored = {week for (week,) in con.execute("select distinct week from strength_history").fetchall()}
    if recorded(con, "strength history", scoring) is None:
        built = week_ends
    again = sorted(set(built) | {c for c in week_ends if monday[c] not in scored})
    _score_weeks(con, [monday[c] for c in week_ends if c not in again], again)
    record(con, "strength history", scoring, {})
    return weeks


def _score_weeks(con, kept: list[dt.date], again: list[dt.datetime]) -> None:
    """`strength_history` keeps the `kept` weeks (their Mondays) and scores the weeks ending at each
    of `again` from their kept features."""
    con.execute("delete from strength_history where not week = any($kept::date[])", {"kept": kept})
    con.execute("create or replace temp table history_features as select * exclude (fingerprint) "
                "from strength_history_features where cut_at = any($ends::timestamptz[])", {"ends": again})
    con.execute("""
        insert into strength_history by name
        select local_day(cut_at) - 7 as week, person_id, strength, tier, published_score as raw_score, decayed_sum,
               reciprocity, greatest(channels, 1) as channels, expected_contact_days
        from tie_scores(features := 'history_features')""")
    con.execute("drop table history_features")
