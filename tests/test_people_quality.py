"""Identity resolution measured on generated worlds (seeds never used to set the weights):
the issue's floors, pairwise over identity keys against the world's truth."""
import datetime as dt

import pytest

from connectors.demo import generate_world
from connectors.demo.scoring.identities import identity_quality
from pipelines.config import load_config
from pipelines.ingest import ingest
from pipelines.people import refresh_people
from pipelines.warehouse import connect_writer

pytestmark = pytest.mark.slow  # three 300-person worlds resolved

SEEDS = (11, 12, 13)


@pytest.fixture(scope="module", params=SEEDS)
def quality(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"world-{request.param}")
    end = dt.date(2026, 11, 23)
    paths = generate_world(folder, people=300, seed=request.param, end=end)
    config = load_config(paths.config, required=True)
    now = dt.datetime.combine(end, dt.time(), dt.timezone.utc)  # the calendar's window: the world's, not today's
    with connect_writer(folder / "t.duckdb", timezone=config.owner.timezone) as con:
        for source in ("linkedin", "mbox", "ics"):
            ingest(con, source, config.source_paths(source), config, now=now, show_progress=False)
        refresh_people(con, config)
        return identity_quality(con, paths.truth)


def test_merges_are_precise(quality):
    assert quality.found_pairs > 100
    assert quality.precision >= 0.98


def test_most_identities_of_one_human_are_found(quality):
    assert quality.recall >= 0.90


def test_no_automated_sender_is_a_person(quality):
    assert quality.automated_people == 0


def test_the_owner_is_never_a_person(quality):
    assert quality.owner_people == 0
