"""tiekeeper from Python and for analysts: `import tiekeeper` (a read-only connection with the views,
DataFrames of them, the snapshot while a run writes), the example notebook, and the README's
"Ad-hoc SQL" and "From Python" sections, each run as written on a generated world."""
import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

import tiekeeper
from connectors.demo import generate_world
from pipelines.config import load_config
from pipelines.ingest import ingest
from pipelines.metrics import refresh_metrics
from pipelines.people import refresh_people
from pipelines.warehouse import connect_writer
from tests.test_cli_sql import writer_holding

pytestmark = pytest.mark.slow  # a generated world loaded, and the notebook run

ROOT = Path(__file__).resolve().parents[1]
END = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A folder as a user's looks after loading their exports: tiekeeper.toml (a generated world of 80
    people, ending 2026-11-23), data/tiekeeper.duckdb beside it, and the project's .venv."""
    folder = tmp_path_factory.mktemp("project")
    world = generate_world(folder, people=80, seed=3, end=END)
    config = load_config(world.config, required=True)
    with connect_writer(folder / "data" / "tiekeeper.duckdb", timezone=config.owner.timezone) as con:
        for source in ("linkedin", "mbox", "ics"):
            ingest(con, source, config.source_paths(source), config, now=END, show_progress=False)
        refresh_people(con, config)
        refresh_metrics(con, config, as_of=END)
    (folder / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return folder


@pytest.fixture
def in_project(project, monkeypatch):
    monkeypatch.chdir(project)
    monkeypatch.delenv("TIEKEEPER_DB", raising=False)
    monkeypatch.delenv("TIEKEEPER_CONFIG", raising=False)
    return project


def test_connect_finds_the_database_beside_the_config_and_is_read_only(in_project):
    with tiekeeper.connect() as con:
        assert con.execute("select count(*) > 50 from people").fetchall() == [(True,)]
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("delete from identities")


def test_every_public_view_has_a_helper_returning_it_as_a_dataframe(in_project):
    with tiekeeper.connect(as_of="2026-11-23") as con:
        for name in tiekeeper.PUBLIC_VIEWS:
            frame = getattr(tiekeeper, name)(as_of="2026-11-23")
            expected = con.sql(f"select * from {name}").df()
            assert isinstance(frame, pd.DataFrame), name
            assert (frame.shape, list(frame.dtypes.items())) == (expected.shape, list(expected.dtypes.items())), name
        follow_ups = tiekeeper.follow_ups(as_of="2026-11-23").sort_values("person_id", ignore_index=True)
        pd.testing.assert_frame_equal(follow_ups, con.sql("select * from follow_ups order by person_id").df())
        assert len(follow_ups) > 0


def test_the_helpers_evaluate_the_views_as_of_the_date_asked(in_project):
    earlier = tiekeeper.network_growth(as_of=dt.date(2026, 6, 1))
    later = tiekeeper.network_growth(as_of="2026-11-23")
    assert earlier["week"].max() == pd.Timestamp(2026, 6, 1)  # the week of as-of
    assert later["week"].max() == pd.Timestamp(2026, 11, 23)


def test_times_come_in_the_owners_timezone(in_project):
    people = tiekeeper.people()
    assert str(people["last_interaction"].dt.tz) == "Europe/Berlin"


def test_an_unknown_view_is_a_clear_error(in_project):
    with pytest.raises(ValueError, match="'persons' is not a public view; they are: people, interactions"):
        tiekeeper.view("persons")


def test_while_a_run_writes_it_reads_the_snapshot(in_project, caplog):
    db = in_project / "data" / "tiekeeper.duckdb"
    with writer_holding(db) as holder, tiekeeper.connect() as con:
        assert con.execute("select count(*) from rejected_records").fetchall() == [(0,)]  # not the writer's row
    assert f"process {holder.pid} is writing to it; answering from the snapshot taken" in caplog.text


def test_the_example_notebook_runs_on_the_projects_python_and_draws_two_charts(project, monkeypatch):
    monkeypatch.setenv("TIEKEEPER_DB", str(project / "data" / "tiekeeper.duckdb"))
    monkeypatch.setenv("TIEKEEPER_CONFIG", str(project / "tiekeeper.toml"))
    notebook = nbformat.read(ROOT / "examples" / "tour.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.prefix)"))  # which Python ran it
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "examples")}})
    client.execute()  # raises on the first cell that fails
    assert notebook.cells[-1].outputs[0]["text"].strip() == sys.prefix
    images = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
              if "image/png" in output.get("data", {})]
    assert len(images) == 2


def readme_blocks(section: str) -> list[tuple[str, str]]:
    """(language, code) of the fenced blocks under the README heading `section`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = re.search(rf"^## {re.escape(section)}\n(.*?)(?=^## )", text, re.S | re.M).group(1)
    return re.findall(r"^```(\w+)\n(.*?)^```", body, re.S | re.M)


@pytest.mark.parametrize("section", ["Ad-hoc SQL", "From Python"])
def test_the_readme_section_runs_as_written(in_project, section):
    blocks = readme_blocks(section)
    assert {language for language, _ in blocks} == {"sh" if section == "Ad-hoc SQL" else "python"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIEKEEPER_")}
    for language, code in blocks:
        command = ["bash", "-euo", "pipefail", "-c", code] if language == "sh" else [".venv/bin/python", "-c", code]
        ran = subprocess.run(command, cwd=in_project, env=env, capture_output=True, text=True, timeout=300)
        assert ran.returncode == 0, f"{code}\n{ran.stderr}"
        assert "Traceback" not in ran.stderr and "error" not in ran.stderr.lower(), ran.stderr
