"""Relationship metrics against generated worlds' latent tie strengths (docs/metrics.md, "How the
metrics are validated").

    .venv/bin/python benchmarks/bench_metrics.py              # seeds 1-5 of 300-people worlds (a minute)
    .venv/bin/python benchmarks/bench_metrics.py --people 1000 --seeds 1 2 3

Per seed, and pooled ("all seeds": every person of every world ranked together): Spearman of
strength with latent strength beside Spearman of the raw 365-day interaction count, on all people,
real ties, ties that faded and ties that warmed; the fading-tie AUC of `overdue_ratio` among real
ties; and the ablations, each part of the metric switched off in turn. A world person whom identity
resolution split into several persons is scored as the one with the most sightings.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_people import SEEDS, loaded_world

from connectors.demo.scoring.awaiting import awaiting_reply_quality
from connectors.demo.scoring.metrics import (
    SUBSETS,
    PersonScore,
    correlations,
    fading_auc,
    metric_switches,
    person_scores,
    world_now,
)
from pipelines.metrics import refresh_metrics
from pipelines.people import refresh_people

RUNS = {"full metric": {}, "without reciprocity": {"use_reciprocity": 0},
        "without group down-weighting": {"use_group_weighting": 0}}


def scored_worlds(people: int, seeds: tuple[int, ...], awaiting: dict) -> dict[str, dict[str, list[PersonScore]]]:
    """Per seed, then pooled under "all seeds": each run's person scores (and, into `awaiting`,
    the quality of awaiting_reply per seed)."""
    worlds: dict[str, dict[str, list[PersonScore]]] = {}
    for seed in seeds:
        con, config, truth = loaded_world(people, seed)
        refresh_people(con, config)
        refresh_metrics(con, config, as_of=world_now(truth))
        awaiting[seed] = awaiting_reply_quality(con, truth)
        runs = {}
        for name, switches in RUNS.items():
            with metric_switches(con, **switches):
                runs[name] = person_scores(con, truth)
        con.close()
        worlds[str(seed)] = runs
    pooled = {name: [p for runs in worlds.values() for p in runs[name]] for name in RUNS}
    worlds["all seeds"] = pooled
    return worlds


def correlation_table(worlds) -> None:
    print("Spearman with latent strength: strength / raw 365-day count (margin), n = people in the subset")
    print()
    print("| seed | " + " | ".join(SUBSETS) + " |")
    print("| --- |" + " ---: |" * len(SUBSETS))
    for seed, runs in worlds.items():
        cells = [f"{c.strength:.3f} / {c.raw_count:.3f} ({c.margin:+.3f}), n={c.people}"
                 for c in correlations(runs["full metric"])]
        print(f"| {seed} | " + " | ".join(cells) + " |")


def fading_table(worlds) -> None:
    print("Fading-tie AUC of overdue_ratio among real ties (real ties silent all year have no cadence: left out)")
    print()
    print("| seed | AUC | faded | not faded | silent (left out) | of them faded |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for seed, runs in worlds.items():
        f = fading_auc(runs["full metric"])
        print(f"| {seed} | {f.auc:.3f} | {f.faded} | {f.other} | {f.silent} | {f.silent_faded} |")


def ablation_table(worlds) -> None:
    print("Ablations: Spearman(strength, latent), all people / real ties")
    print()
    print("| seed | " + " | ".join(RUNS) + " |")
    print("| --- |" + " ---: |" * len(RUNS))
    for seed, runs in worlds.items():
        cells = []
        for scores in runs.values():
            by_subset = {c.subset: c for c in correlations(scores)}
            cells.append(f"{by_subset['all'].strength:.3f} / {by_subset['real ties'].strength:.3f}")
        print(f"| {seed} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300, help="world size")
    parser.add_argument("--seeds", type=int, nargs="+", default=SEEDS, help="world seeds")
    args = parser.parse_args()
    awaiting: dict = {}
    worlds = scored_worlds(args.people, tuple(args.seeds), awaiting)
    correlation_table(worlds)
    print()
    fading_table(worlds)
    print()
    ablation_table(worlds)
    print()
    print("awaiting_reply against the truth (thread, side and person)\n")
    print("| seed | truth | rows | precision | recall |\n| --- | ---: | ---: | ---: | ---: |")
    for seed, q in awaiting.items():
        print(f"| {seed} | {q.truth} | {q.found} | {q.precision:.2f} | {q.recall:.2f} |")
    split = sum(p.persons > 1 for p in worlds["all seeds"]["full metric"])
    print()
    print(f"{split} world people became several persons; each is scored as the one with the most sightings")


if __name__ == "__main__":
    main()
