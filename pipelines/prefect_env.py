"""Prefect on the user's own machine: offline, quiet, and with its state (the temporary server's
SQLite database, logs, results) in the project's data folder instead of `~/.prefect`.

Prefect reads its settings when it is imported, so `use_local_prefect` runs before that. What the
user has set in the environment wins, e.g. a `PREFECT_API_URL` that sends runs to their own server.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path


class PrefectServerError(Exception):
    """The local Prefect server did not start; the message is one line for the user."""


def use_local_prefect(data_dir: Path, *, quiet: bool = True) -> Path:
    """Points Prefect at `<data_dir>/prefect` with telemetry off; returns that folder."""
    home = Path(os.environ.get("PREFECT_HOME") or (data_dir / "prefect")).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_HOME"] = str(home)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"  # the server's usage heartbeat
    os.environ["DO_NOT_TRACK"] = "1"  # the SDK's milestone events
    # The first start migrates a fresh SQLite database: on a slow disk that takes longer than the default 20 s.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if quiet:  # tiekeeper prints its own lines; Prefect's go to its database and UI, not the terminal
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    stop_orphaned_servers(home)
    return home


def stop_orphaned_servers(home: Path) -> list[int]:
    """Stops the temporary Prefect servers of `home` that a killed run left behind; returns their pids.

    Prefect's own temporary server, which runs used before they started theirs (`local_server`), is a
    child process that outlives a parent killed by SIGKILL (Prefect stops it only at a normal exit).
    Such an orphan, adopted by init (pid 1), serves nobody. Linux only."""
    stopped = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if b"prefect.server.api.server:create_app" not in (entry / "cmdline").read_bytes().split(b"\0"):
                continue
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            ours = f"PREFECT_HOME={home}".encode() in (entry / "environ").read_bytes().split(b"\0")
            if parent == 1 and ours:
                os.kill(int(entry.name), signal.SIGTERM)
                stopped.append(int(entry.name))
        except (OSError, ValueError, IndexError):  # gone meanwhile, or not ours to read
            continue
    return stopped


@contextlib.contextmanager
def local_server(home: Path, *, temporary: bool = False, meanwhile: Callable[[], object] = lambda: None,
                 startup_seconds: float = 180.0) -> Iterator[str]:
    """A Prefect server for as long as the block runs, on loopback, with its database in `home`;
    yields its API URL. `meanwhile` runs while the server starts (say, the flow's imports).
    Where Prefect's settings name a server (PREFECT_API_URL, a profile, prefect.toml, a test
    harness), that one is used and nothing is started.

    `temporary`: the API-only server Prefect itself would start for a flow run (no UI, no scheduler;
    what records the run's states). Started here instead, it starts beside our own imports, Prefect
    does not import its server code into this process first (2-3 s), and it dies with this process even
    on SIGKILL. Otherwise `prefect server start`, which schedules and serves the UI."""
    if configured := os.environ.get("PREFECT_API_URL") or ("prefect.settings" in sys.modules and _configured_url()):
        meanwhile()
        yield configured
        return
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    log_path = home / "server.log"
    # its console is server.log, which the user is sent to when it fails: not as quiet as ours
    env = {**os.environ, "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING"}
    if temporary:  # as prefect.server.api.server.SubprocessASGIServer starts it
        command = [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
                   "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"]
        env |= {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    else:
        command = [str(Path(sys.executable).parent / "prefect"), "server", "start", "--host", "127.0.0.1",
                   "--port", str(port)]
    with open(log_path, "ab") as server_log:
        server = subprocess.Popen(command, env=env, stdout=server_log, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL,
                                  preexec_fn=_stop_with_parent if sys.platform == "linux" else None)
    try:
        meanwhile()
        # (started before Prefect was imported: a profile or prefect.toml may name a server all the same)
        if configured := _configured_url():
            _stop(server)
            yield configured
            return
        _wait_until_healthy(url, server, startup_seconds, log_path)
        os.environ["PREFECT_API_URL"] = url
        from prefect.settings import PREFECT_API_URL, temporary_settings
        with temporary_settings(updates={PREFECT_API_URL: url}):
            try:
                yield url
            finally:
                _send_what_prefect_holds()
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        _stop(server)


def _configured_url() -> str | None:
    from prefect.settings import get_current_settings  # (imports Prefect: about a second)
    return get_current_settings().api.url


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _send_what_prefect_holds() -> None:
    """Prefect sends a run's logs and events from background queues; they reach the server before it
    stops (at exit, Prefect would send them to a server already gone)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    for queue in (APILogWorker, EventsWorker):
        queue.drain_all(timeout=5)


def _stop_with_parent() -> None:
    """In the server's process before it starts: Linux sends it SIGTERM when tiekeeper dies, even by SIGKILL."""
    import ctypes
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, server: subprocess.Popen, seconds: float, log_path: Path) -> None:
    import urllib.request  # here, not at the top: every command imports this module for PrefectServerError
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise PrefectServerError(f"the Prefect server stopped at start (exit {server.returncode}); see {log_path}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)  # (every tenth of a second it is not up delays the run)
    raise PrefectServerError(f"the Prefect server did not answer within {seconds:g} s; see {log_path}")
