"""Identity resolution against Splink, the candidate dependency, on the same generated worlds.

    .venv/bin/pip install -e '.[compare]'         # splink and pandas, only for this comparison
    .venv/bin/python benchmarks/bench_splink.py

Both resolvers see the same identity profiles (tiekeeper's `identity_profiles`: folded first and
last names, address local part, domain and company, letters only). Splink gets the standard
comparisons for those columns, u estimated by random sampling and m by expectation maximisation, as
in its quick start; pairs above 0.95 are clustered. Both are scored pairwise over identity keys
against the world's truth, with the same code (`connectors.demo.scoring.identities`), and timed side by side.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyarrow as pa
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from benchmarks.bench_people import SEEDS, loaded_world
from connectors.demo.scoring.identities import identity_quality
from pipelines.people import Overrides, build_people


def splink_clusters(con) -> pa.Table:
    """(identity_key, person_id) for the person identities, as Splink clusters them."""
    profiles = con.execute("""
        select row_number() over (order by identity_key) as unique_id, identity_key, first_name,
               last_name as surname, nullif(local_letters, '') as local_part, nullif(domain_letters, '') as domain,
               nullif(coalesce(nullif(company_letters, ''), domain_letters), '') as organisation
        from identity_profiles where role = 'person'""").df()
    db_api = DuckDBAPI()
    records = db_api.register(profiles, dataset_display_name="identities")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("first_name", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("surname", [0.9, 0.7]),
            cl.ExactMatch("local_part"),
            cl.ExactMatch("organisation"),
        ],
        blocking_rules_to_generate_predictions=[block_on("surname"), block_on("local_part")],
    )
    linker = Linker(records, settings)
    linker.training.estimate_probability_two_random_records_match([block_on("first_name", "surname")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name"))
    predictions = linker.inference.predict(threshold_match_weight=-10)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.95)
    frame = clusters.as_pandas_dataframe()[["identity_key", "cluster_id"]]
    return pa.table({"identity_key": frame["identity_key"].astype(str),
                     "person_id": frame["cluster_id"].astype(str)})


def main() -> None:
    print("| world (people, seed) | resolver | precision | recall | seconds |")
    print("| --- | --- | ---: | ---: | ---: |")
    for seed in SEEDS:
        con, config, truth = loaded_world(300, seed)
        con.begin()
        started = time.perf_counter()
        build_people(con, config, Overrides())
        ours = time.perf_counter() - started
        con.commit()
        q = identity_quality(con, truth)
        print(f"| 300, {seed} | tiekeeper | {q.precision:.3f} | {q.recall:.3f} | {ours:.2f} |", flush=True)

        started = time.perf_counter()
        clusters = splink_clusters(con)
        theirs = time.perf_counter() - started
        con.begin()  # score Splink's clusters in place of ours, then put ours back
        con.register("splink_clusters", clusters)
        con.execute("update identities set person_id = s.person_id from splink_clusters as s "
                    "where identities.identity_key = s.identity_key")
        q = identity_quality(con, truth)
        con.rollback()
        print(f"| 300, {seed} | Splink 5 | {q.precision:.3f} | {q.recall:.3f} | {theirs:.2f} |", flush=True)
        con.close()


if __name__ == "__main__":
    main()
