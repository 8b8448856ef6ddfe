"""Scheduling: prefect.yaml's deployment accepted by `prefect deploy --all` against a real `prefect
server start` and run by a process worker; `tiekeeper serve` scheduling from the config and running."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from connectors.demo import generate_world
from pipelines.prefect_env import local_server

pytestmark = pytest.mark.slow  # a real Prefect server, deployment and worker

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# The world's last day. The runs themselves are the deployment's, as its schedule starts them: as of
# the moment they run, with no --as-of; what they are checked for (completed, people found) does not
# depend on the day.
END = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return generate_world(tmp_path_factory.mktemp("world"), people=50, seed=17, end=END)


def prefect(*args: str, env: dict, timeout: float = 180) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / "prefect"), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"prefect {' '.join(args)}: {result.stdout}\n{result.stderr}"
    return result


def wait_for_run(client, deployment_id, seconds: float = 240):
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        runs = client.read_flow_runs(deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])))
        finished = [r for r in runs if r.state and r.state.is_final()]
        if finished:
            return finished
        time.sleep(1)
    raise AssertionError("no run of the deployment finished")


def people_in(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select count(*) from people").fetchall()[0][0]


def test_prefect_deploy_all_accepts_the_project_and_a_process_worker_runs_it(world, tmp_path):
    home = tmp_path / "prefect"
    home.mkdir()
    env = {**os.environ, "PREFECT_HOME": str(home), "TIEKEEPER_TIMEZONE": "Europe/Berlin"}
    db = tmp_path / "data" / "tiekeeper.duckdb"
    with local_server(home) as url:  # `prefect server start`, on loopback
        env["PREFECT_API_URL"] = url
        prefect("work-pool", "create", "tiekeeper", "--type", "process", env=env)
        prefect("--no-prompt", "deploy", "--all", env=env)

        from prefect.client.orchestration import get_client
        with get_client(sync_client=True) as client:
            deployment = client.read_deployment_by_name("weekly-report/weekly-report")
            (schedule,) = deployment.schedules
            assert (schedule.schedule.cron, schedule.schedule.timezone, schedule.active) == (
                "0 7 * * 1", "Europe/Berlin", True)
            assert deployment.parameters == {"config_path": "tiekeeper.toml", "db_path": "data/tiekeeper.duckdb"}
            assert deployment.work_pool_name == "tiekeeper"
            assert deployment.entrypoint == "pipelines/flow.py:weekly_report"

            prefect("deployment", "run", "weekly-report/weekly-report", "--param", f"config_path={world.config}",
                    "--param", f"db_path={db}", "--param", "send_report=false", env=env)
            prefect("worker", "start", "--pool", "tiekeeper", "--run-once", env=env, timeout=300)
            (run,) = wait_for_run(client, deployment.id, seconds=30)
    assert run.state.is_completed(), run.state
    assert people_in(db) > 30


def test_tiekeeper_serve_schedules_from_the_config_runs_and_stops_cleanly(world, tmp_path):
    config = tmp_path / "tiekeeper.toml"
    text = world.config.read_text(encoding="utf-8").replace('= "Complete_', f'= "{world.config.parent}/Complete_')
    text = text.replace('"Takeout/', f'"{world.config.parent}/Takeout/')
    config.write_text(text + '\n[run]\nschedule = "30 6 * * 2"\n', encoding="utf-8")
    db = tmp_path / "data" / "tiekeeper.duckdb"
    env = {**os.environ, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}  # pick the run up at once, not within 10 s
    env.pop("PREFECT_HOME", None)  # as a user has it: Prefect's home goes beside the database
    env.pop("PREFECT_API_URL", None)
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        serve = subprocess.Popen([str(BIN / "tiekeeper"), "--config", str(config), "--db", str(db), "serve"],
                                 env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 240
        while "Prefect server: " not in log.read_text():
            assert serve.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        url = log.read_text().split("Prefect server: ")[1].split()[0] + "/api"
        assert (tmp_path / "data" / "prefect" / "prefect.db").exists()

        from prefect.client.orchestration import get_client
        from prefect.exceptions import ObjectNotFound
        from prefect.settings import PREFECT_API_URL, temporary_settings
        with temporary_settings(updates={PREFECT_API_URL: url}), get_client(sync_client=True) as client:
            deadline = time.monotonic() + 120
            while True:  # serve registers the deployment once it has started
                try:
                    deployment = client.read_deployment_by_name("weekly-report/weekly-report")
                    break
                except ObjectNotFound:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.5)
            (schedule,) = deployment.schedules
            assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 6 * * 2", "Europe/Berlin")
            assert deployment.parameters == {"config_path": str(config), "db_path": str(db)}
            client.create_flow_run_from_deployment(deployment.id, parameters={"send_report": False})
            (run,) = wait_for_run(client, deployment.id)
        assert run.state.is_completed(), log.read_text()
        assert people_in(db) > 30
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
    assert serve.returncode == 0, log.read_text()
    assert "Stopped: no weekly runs" in log.read_text()
    with pytest.raises(OSError):  # the server went with it
        import urllib.request
        urllib.request.urlopen(f"{url}/health", timeout=2)
