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
from collections.abc import Iterator
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

    Prefect starts its temporary server as a child process that outlives a parent killed by SIGKILL
    (it stops it only at a normal exit). Such an orphan, adopted by init (pid 1), serves nobody. Linux only."""
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
def local_server(home: Path, *, startup_seconds: float = 180.0) -> Iterator[str]:
    """A Prefect server for as long as the block runs, on loopback, with its database in `home`
    (the temporary server of `tiekeeper run` does not schedule; this one does). Yields its API URL.
    With PREFECT_API_URL already set, that server is used and nothing is started."""
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    log_path = home / "server.log"
    with open(log_path, "ab") as server_log:
        server = subprocess.Popen([str(Path(sys.executable).parent / "prefect"), "server", "start",
                                   "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=server_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  preexec_fn=_stop_with_parent if sys.platform == "linux" else None)
    try:
        _wait_until_healthy(url, server, startup_seconds, log_path)
        os.environ["PREFECT_API_URL"] = url
        from prefect.settings import PREFECT_API_URL, temporary_settings  # after the environment is set
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


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
        time.sleep(0.5)
    raise PrefectServerError(f"the Prefect server did not answer within {seconds:g} s; see {log_path}")
