"""Judgement learned from each owner's own history (issue 12), checked on generated worlds of
several owner types, and what the learning costs a weekly run.

    .venv/bin/python benchmarks/bench_learning.py                  # 6 owner types x 2 seeds (about 30 minutes)
    .venv/bin/python benchmarks/bench_learning.py --owner-types typical --seeds 1
    .venv/bin/python benchmarks/bench_learning.py --mail-only      # the same worlds, mail only (as a real mailbox)
    .venv/bin/python benchmarks/bench_learning.py --speed          # 5,000 people, 5 years: learning's cost
    .venv/bin/python benchmarks/bench_learning.py --heldout --seeds 1 2 3 --people 1000
                                          # another generator's worlds (benchmarks/heldout_world.py): the backtest

Quality, per world, for tiekeeper as it is (learned where the history supports it) and with
learning switched off (`[metrics] learn = 0`: the published formula and rules, as before):
- the backtest (`pipelines.backtest`): follow-ups' lapse precision weighted and plain, against a
  fixed 30-day reminder listing as many ties; ties listed though contacted in the 7 days before;
  replies owed's precision and recall; strength's Spearman with the next 90 days' direct contact,
  against the raw 365-day count and recency;
- against the world's latent truth (`connectors.demo.scoring.metrics`): Spearman of strength with the
  latent tie strength over all people, real ties, faded and warmed ties, beside the raw count; and the
  fading-tie AUC of the follow-up score (lapse risk when learned, overdue ratio when published).

Speed: on one world of 5,000 people and 5 years of mail, the metrics refresh with learning against
the same refresh with learning switched off, side by side (best of 3, same database file), and a
weekly run's incremental backtest.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors.demo import generate_world
from connectors.demo.scoring.metrics import auc, correlations, person_scores, world_now
from pipelines.backtest import (
    FOLLOW_UP_PLAIN,
    FOLLOW_UP_RECENT,
    FOLLOW_UP_WEIGHTED,
    REPLY_PRECISION,
    REPLY_RECALL,
    STRENGTH_RECENCY,
    STRENGTH_SPEARMAN,
    run_backtest,
    summarise,
)
from pipelines.config import Config, load_config
from pipelines.ingest import ingest
from pipelines.metrics import refresh_metrics
from pipelines.people import refresh_people
from pipelines.warehouse import connect_writer

OUT = ROOT / "benchmarks" / "out"
END = dt.date(2026, 11, 23)
OWNER_TYPES = ("typical", "fast_replier", "slow_replier", "never_thanks", "heavy_meeter", "linkedin_networker")


def world(owner_type: str, seed: int, people: int, mail_only: bool, history_weeks: int = 157,
          mail_scale: float = 1.0) -> tuple[Path, Config, Path]:
    """A generated world loaded once into its own database (cached under benchmarks/out)."""
    name = f"learning-{owner_type}-{seed}-{people}-{history_weeks}" + ("-mail" if mail_only else "")
    folder = OUT / name
    db = folder / "tiekeeper.duckdb"
    if not (folder / ".loaded").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate_world(folder, people=people, seed=seed, end=END, owner_type=owner_type,
                       history_weeks=history_weeks, mail_scale=mail_scale)
        config = load_config(folder / "tiekeeper.toml", required=True)
        with connect_writer(db, timezone=config.owner.timezone) as con:
            for source in ("mbox",) if mail_only else ("linkedin", "mbox", "ics"):
                ingest(con, source, config.source_paths(source), config, now=world_now(folder / "truth.json"),
                       show_progress=False)
            refresh_people(con, config)
        (folder / ".loaded").write_text("")
    return db, load_config(folder / "tiekeeper.toml", required=True), folder / "truth.json"


def heldout_world(seed: int, people: int) -> tuple[Path, Config, Path]:
    """A world of the other generator (benchmarks/heldout_world.py, which needs faker), loaded once."""
    folder = OUT / f"learning-heldout-{seed}-{people}"
    db = folder / "tiekeeper.duckdb"
    if not (folder / ".loaded").exists():
        from heldout_world import generate
        shutil.rmtree(folder, ignore_errors=True)
        generate(folder, people=people, seed=seed, end=END.isoformat())
        config = load_config(folder / "tiekeeper.toml", required=True)
        with connect_writer(db, timezone=config.owner.timezone) as con:
            for source in ("linkedin", "mbox"):  # (it writes no calendar)
                ingest(con, source, config.source_paths(source), config, now=world_now(folder / "truth.json"),
                       show_progress=False)
            refresh_people(con, config)
        (folder / ".loaded").write_text("")
    return db, load_config(folder / "tiekeeper.toml", required=True), folder / "truth.json"


def heldout_quality(seeds, people: int) -> None:
    """The backtest only: that generator keeps no latent tie strength to score against."""
    rows = []
    for seed in seeds:
        db, config, truth = heldout_world(seed, people)
        tables = []
        for learn in (True, False):
            with connect_writer(db, timezone=config.owner.timezone) as con:
                settings, now = with_learning(config, learn), world_now(truth)
                refresh_metrics(con, settings, as_of=now)
                con.execute("delete from backtests")
                tables.append({s.measure: s for s in summarise(run_backtest(con, settings, as_of=now).rows)})
        with connect_writer(db, timezone=config.owner.timezone) as con:  # leave it as tiekeeper has it
            refresh_metrics(con, with_learning(config, True), as_of=world_now(truth))
        rows.append((f"heldout, {seed}", *tables))
    print(f"\n### Backtest on another generator's worlds ({people} people; as of {END}): learned / published\n")
    print("| world (seed) | follow-ups weighted lapse precision: ours / 30-day reminder | plain | "
          "listed though contacted in 7 days | replies owed precision / recall | "
          "strength Spearman: ours / raw count / recency |")
    print("| --- | --- | --- | ---: | --- | --- |")
    for name, learned, published in rows:
        print(f"| {name} | {_backtest_cells(learned, published)} |")


def with_learning(config: Config, learn: bool) -> Config:
    return dataclasses.replace(config, metrics=dataclasses.replace(config.metrics, learn=int(learn)))


def evaluate(db: Path, config: Config, truth: Path) -> dict:
    """The backtest's pooled figures and the latent-truth figures, as of the world's now."""
    now = world_now(truth)
    with connect_writer(db, timezone=config.owner.timezone) as con:
        refresh_metrics(con, config, as_of=now)
        scores = person_scores(con, truth)
        risk = dict(con.execute("select person_id, coalesce(lapse_risk, overdue_ratio) from cadence").fetchall())
        con.execute("delete from backtests")
        summaries = {s.measure: s for s in summarise(run_backtest(con, config, as_of=now).rows)}
        refresh_metrics(con, with_learning(config, True), as_of=now)  # leave the database as tiekeeper has it
    rated = [p for p in scores if p.is_real_tie and p.person_id in risk and risk[p.person_id] is not None]
    return {"backtest": summaries, "latent": {c.subset: c for c in correlations(scores)},
            "fading_auc": auc([risk[p.person_id] for p in rated], [p.faded for p in rated])}


def quality(owner_types, seeds, people: int, mail_only: bool) -> None:
    rows = []
    for owner_type in owner_types:
        for seed in seeds:
            db, config, truth = world(owner_type, seed, people, mail_only)
            started = time.monotonic()
            learned = evaluate(db, with_learning(config, True), truth)
            published = evaluate(db, with_learning(config, False), truth)
            rows.append((f"{owner_type}, {seed}", learned, published))
            print(f"{owner_type} seed {seed}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    label = "mail only" if mail_only else "mail, calendar and LinkedIn"
    print(f"\n### Backtest ({label}; {people} people; as of {END}): learned / published (learning off)\n")
    print("| world (owner, seed) | follow-ups weighted lapse precision: ours / 30-day reminder | plain | "
          "listed though contacted in 7 days | replies owed precision / recall | "
          "strength Spearman: ours / raw count / recency |")
    print("| --- | --- | --- | ---: | --- | --- |")
    for name, learned, published in rows:
        print(f"| {name} | {_backtest_cells(learned['backtest'], published['backtest'])} |")
    print(f"\n### Latent truth ({label}): Spearman of strength / raw count; fading AUC. Learned, then published\n")
    print("| world (owner, seed) | all people | real ties | faded | warmed | fading AUC |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, learned, published in rows:
        cells = []
        for subset in ("all", "real ties", "faded", "warmed"):
            a, b = learned["latent"][subset], published["latent"][subset]
            cells.append(f"{a.strength:.3f} / {a.raw_count:.3f} ({b.strength:.3f})")
        cells.append(f"{learned['fading_auc']:.3f} ({published['fading_auc']:.3f})")
        print(f"| {name} | " + " | ".join(cells) + " |")


def _backtest_cells(ours: dict, before: dict) -> str:
    def pair(summary, other) -> str:
        return f"{_f(summary.value)} / {_f(summary.baseline_value)} ({_f(other.value)} / {_f(other.baseline_value)})"

    return " | ".join([
        pair(ours[FOLLOW_UP_WEIGHTED], before[FOLLOW_UP_WEIGHTED]),
        pair(ours[FOLLOW_UP_PLAIN], before[FOLLOW_UP_PLAIN]),
        f"{_f(ours[FOLLOW_UP_RECENT].value, 1)} ({_f(before[FOLLOW_UP_RECENT].value, 1)})",
        f"{_f(ours[REPLY_PRECISION].value)} / {_f(ours[REPLY_RECALL].value)} "
        f"({_f(before[REPLY_PRECISION].value)} / {_f(before[REPLY_RECALL].value)})",
        f"{_f(ours[STRENGTH_SPEARMAN].value)} / {_f(ours[STRENGTH_SPEARMAN].baseline_value)} / "
        f"{_f(ours[STRENGTH_RECENCY].baseline_value)} ({_f(before[STRENGTH_SPEARMAN].value)})",
    ])


def _f(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def speed(people: int = 5000, years: int = 5) -> None:
    db, config, truth = world("typical", 1, people, False, history_weeks=52 * years + 1, mail_scale=1.3)
    now = world_now(truth)
    with connect_writer(db, timezone=config.owner.timezone) as con:
        counts = con.execute("select (select count(*) from stg_mbox__messages), (select count(*) from people), "
                             "(select count(*) from int_interactions)").fetchone()
    print(f"\n{people:,} people, {years} years: {counts[0]:,} messages, {counts[1]:,} people resolved, "
          f"{counts[2]:,} interactions\n")

    def refresh(learn: bool, moment: dt.datetime, fresh_panels: bool = False) -> float:
        with connect_writer(db, timezone=config.owner.timezone) as con:
            if fresh_panels:
                con.execute("drop table if exists learning_panel_ties; drop table if exists learning_panel_replies")
            started = time.monotonic()
            refresh_metrics(con, with_learning(config, learn), as_of=moment)
            return time.monotonic() - started

    # each pair side by side, as of the same moment: learning off (the baseline), then on
    first = (refresh(False, now), refresh(True, now, fresh_panels=True))  # every training row built
    kept = [(refresh(False, now), refresh(True, now)) for _ in range(3)]  # the same moment again
    weeks = [(refresh(False, moment), refresh(True, moment))  # each week: its new cuts built
             for moment in (now + dt.timedelta(days=7 * k) for k in (1, 2, 3))]
    print("| metrics refresh (fits, strength history), seconds | learning off (baseline) | learning on | "
          "what learning adds |")
    print("| --- | ---: | ---: | ---: |")
    for name, pairs in (("first run: every training row built", [first]),
                        ("the same moment again: training rows kept (best of 3)", kept),
                        ("a week later, three weeks in turn: new cuts built (median)", weeks)):
        off, on = sorted(p[0] for p in pairs), sorted(p[1] for p in pairs)
        added = sorted(b - a for a, b in pairs)
        pick = (lambda v: v[0]) if "best" in name else (lambda v: v[len(v) // 2])
        print(f"| {name} | {pick(off):.2f} | {pick(on):.2f} | **{pick(added):+.2f}** |")
    with connect_writer(db, timezone=config.owner.timezone) as con:
        con.execute("delete from backtests")
        started = time.monotonic()
        full = run_backtest(con, config, as_of=now)
        first = time.monotonic() - started
        started = time.monotonic()
        run_backtest(con, config, as_of=now + dt.timedelta(days=7), only_new=True)
        weekly = time.monotonic() - started
    print("\n| backtest | seconds |\n| --- | ---: |")
    print(f"| the whole backtest, first run ({len(full.cuts)} cuts) | {first:.2f} |")
    print(f"| the backtest a week later (only new cuts) | {weekly:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--owner-types", nargs="+", default=OWNER_TYPES, choices=OWNER_TYPES)
    parser.add_argument("--seeds", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--mail-only", action="store_true", help="load only the mbox, as from a real mailbox")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--heldout", action="store_true",
                        help="another generator's worlds (benchmarks/heldout_world.py; needs faker): the backtest")
    args = parser.parse_args()
    if args.speed:
        speed()
    elif args.heldout:
        heldout_quality(args.seeds, args.people)
    else:
        quality(args.owner_types, args.seeds, args.people, args.mail_only)


if __name__ == "__main__":
    main()
