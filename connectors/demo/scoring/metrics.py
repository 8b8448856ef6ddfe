"""How well the relationship metrics recover a generated world's latent tie strengths
(`connectors.demo`), as docs/metrics.md "How the metrics are validated" asks.

Figures: Spearman's rank correlation of `strength` with the world's latent strength at its `now`,
beside the same for a baseline, the raw count of interactions in the 365 days before (every
`interactions` row of weight > 0: cc, group mail and big meetings count 1 like anything else;
blasts of more than 18 recipients do not), on every person, on real ties, on ties that faded and on
ties that warmed; and the AUC of `overdue_ratio` for telling the real ties that faded from the
other real ties. Used by `benchmarks/bench_metrics.py` (which prints them) and
`tests/test_metrics_quality.py` (which asserts the floors); the pipeline itself never sees the truth.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from connectors.demo import load_truth
from connectors.demo.scoring.identities import truth_keys


@dataclass(frozen=True)
class PersonScore:
    """One person of the world, as the warehouse scores them."""

    world_person: str
    latent: float  # the truth: tie strength at the world's `now`, 0..1
    is_real_tie: bool
    faded: bool
    warmed: bool
    person_id: str  # ours: of the persons resolution made of them, the one with most sightings
    persons: int  # how many of our persons they became (more than 1: resolution split them)
    strength: float  # 0 when nothing counts toward the score
    raw_count: int  # the baseline
    overdue_ratio: float | None  # None: no active day in the last 365 days, so no cadence


@dataclass(frozen=True)
class Correlations:
    subset: str
    people: int
    strength: float  # Spearman(strength, latent)
    raw_count: float  # Spearman(raw 365-day count, latent)

    @property
    def margin(self) -> float:
        return self.strength - self.raw_count


@dataclass(frozen=True)
class FadingAuc:
    """How well `overdue_ratio` ranks the real ties that faded above the real ties that did not.
    Real ties without a cadence (silent all year) are left out and counted in `silent`."""

    auc: float
    faded: int
    other: int
    silent: int
    silent_faded: int


SUBSETS: dict[str, Callable[[PersonScore], bool]] = {
    "all": lambda p: True,
    "real ties": lambda p: p.is_real_tie,
    "faded": lambda p: p.faded,
    "warmed": lambda p: p.warmed,
}


def world_now(truth_path: Path) -> dt.datetime:
    """The world's "now" (midnight UTC at the start of its `end` day): evaluate metrics as of it."""
    return dt.datetime.fromisoformat(load_truth(truth_path).now)


def person_scores(con: duckdb.DuckDBPyConnection, truth_path: Path) -> list[PersonScore]:
    """Every person of the world who is a person in the warehouse, with what the metrics say of them
    as of the connection's `as_of()` (set it to `world_now`). People are matched through their
    identity keys, as `identities.identity_quality` does."""
    world = load_truth(truth_path)
    with truth_keys(con, world):
        rows = con.execute("""
            with truth as (
                select identity_key, true_person as world_person from truth_keys
            ),

            candidates as (
                select t.world_person, i.person_id, sum(i.sightings) as sightings
                from truth as t
                join identities as i using (identity_key)
                where i.role = 'person'
                group by t.world_person, i.person_id
            ),

            mapped as (
                select world_person, arg_max(person_id, (sightings, person_id)) as person_id,
                       count(*) as persons
                from candidates
                group by world_person
            ),

            raw_counts as (
                select person_id, count(*) as raw_count
                from interactions
                where weight > 0 and occurred_at >= as_of() - interval 365 days
                group by person_id
            )

            select m.world_person, m.person_id, m.persons, coalesce(s.strength, 0.0),
                   coalesce(r.raw_count, 0), c.overdue_ratio
            from mapped as m
            left join relationship_strength as s using (person_id)
            left join raw_counts as r using (person_id)
            left join cadence as c using (person_id)
            order by m.world_person""").fetchall()
    truth = {p.person_id: p for p in world.people}
    return [PersonScore(w, truth[w].latent, truth[w].is_real_tie, truth[w].faded, truth[w].warmed,
                        person_id, persons, strength, raw_count, ratio)
            for w, person_id, persons, strength, raw_count, ratio in rows]


@contextlib.contextmanager
def metric_switches(con: duckdb.DuckDBPyConnection, **switches: float) -> Iterator[None]:
    """The warehouse's metric settings (`metric_settings`, as the last metrics build wrote them) with
    `switches` (e.g. `use_reciprocity=0`) for the block, and as they were again after it."""
    settings = dict(con.execute("select key, value from metric_settings").fetchall())
    unknown = sorted(set(switches) - set(settings))
    if unknown:
        raise ValueError(f"no metric setting {unknown[0]!r}")
    _set_metric_settings(con, switches)
    try:
        yield
    finally:
        _set_metric_settings(con, {key: settings[key] for key in switches})


def _set_metric_settings(con: duckdb.DuckDBPyConnection, values: dict[str, float]) -> None:
    con.execute("""update metric_settings set value = new.value
                   from (select unnest(?::varchar[]) as key, unnest(?::double[]) as value) as new
                   where metric_settings.key = new.key""", [list(values), [float(v) for v in values.values()]])


def correlations(scores: Sequence[PersonScore]) -> list[Correlations]:
    """Spearman of strength and of the raw count with latent strength, on each of SUBSETS."""
    result = []
    for name, keep in SUBSETS.items():
        chosen = [p for p in scores if keep(p)]
        latent = [p.latent for p in chosen]
        result.append(Correlations(name, len(chosen), spearman([p.strength for p in chosen], latent),
                                   spearman([p.raw_count for p in chosen], latent)))
    return result


def fading_auc(scores: Sequence[PersonScore]) -> FadingAuc:
    """The AUC of `overdue_ratio` for `faded` among real ties that have a cadence."""
    ties = [p for p in scores if p.is_real_tie]
    rated = [p for p in ties if p.overdue_ratio is not None]
    silent = [p for p in ties if p.overdue_ratio is None]
    faded = sum(p.faded for p in rated)
    return FadingAuc(auc([p.overdue_ratio for p in rated], [p.faded for p in rated]),
                     faded, len(rated) - faded, len(silent), sum(p.faded for p in silent))


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation: Pearson's on ranks, ties given their average rank (NaN when
    either side is constant or there are fewer than 2 values)."""
    return _pearson(average_ranks(xs), average_ranks(ys))


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Area under the ROC curve (Mann-Whitney U / (n1 n0), ties counting half); NaN without both
    classes."""
    positives = sum(labels)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum = sum(r for r, label in zip(average_ranks(scores), labels) if label)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the average of the ranks they span."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for i in order[start:end + 1]:
            ranks[i] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def _pearson(xs: list[float], ys: list[float]) -> float:
    n = len(xs)
    if n < 2:
        return float("nan")
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if not sxx or not syy:
        return float("nan")
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (sxx * syy) ** 0.5
