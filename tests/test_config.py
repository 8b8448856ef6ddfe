"""tiekeeper.toml: owner, sources and clear errors."""
from pathlib import Path

import pytest

from pipelines.config import ConfigError, RunSettings, load_config, resolve_paths, run_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tiekeeper.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sources_resolve_relative_to_the_config_file(tmp_path):
    config = load_config(write(tmp_path, """
[owner]
name = "Jane Doe"
emails = ["Jane@Acme.com", "jane.doe@gmail.com"]
timezone = "Europe/Berlin"
[sources]
linkedin = "exports/Complete_LinkedInDataExport_11-20-2026.zip"
mbox = ["mail/a.mbox", "/abs/b.mbox"]
ics = "cal.ics"
"""), required=True)
    assert config.owner.name == "Jane Doe"
    assert config.owner.emails == ("jane@acme.com", "jane.doe@gmail.com")
    assert str(config.owner.tz) == "Europe/Berlin"
    assert config.linkedin == (tmp_path / "exports/Complete_LinkedInDataExport_11-20-2026.zip",)
    assert config.mbox == (tmp_path / "mail/a.mbox", Path("/abs/b.mbox"))
    assert config.ics == (tmp_path / "cal.ics",)


def test_a_missing_default_config_means_defaults(tmp_path):
    config = load_config(tmp_path / "tiekeeper.toml", required=False)
    assert config.path is None and config.owner.timezone == "UTC" and config.mbox == ()


def test_a_missing_config_that_was_asked_for_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "mine.toml", required=True)


@pytest.mark.parametrize("text, message", [
    ("[owner\nname = 1", "not valid TOML"),
    ('[owner]\ntimezone = "Mars/Olympus"', "not an IANA zone name"),
    ('[owner]\nemails = ["not-an-address"]', "emails must be a list of e-mail addresses"),
    ("[sources]\nmbox = 3", "mbox must be a path or a list of paths"),
])
def test_a_bad_config_gets_one_line_naming_the_problem(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as error:
        load_config(write(tmp_path, text), required=True)
    assert "\n" not in str(error.value)


def test_paths_come_from_options_then_environment_then_defaults(monkeypatch):
    monkeypatch.delenv("TIEKEEPER_DB", raising=False)
    monkeypatch.delenv("TIEKEEPER_CONFIG", raising=False)
    assert resolve_paths(None, None) == (Path("data/tiekeeper.duckdb"), Path("tiekeeper.toml"), False)
    monkeypatch.setenv("TIEKEEPER_DB", "/env/db.duckdb")
    monkeypatch.setenv("TIEKEEPER_CONFIG", "/env/c.toml")
    assert resolve_paths(None, None) == (Path("/env/db.duckdb"), Path("/env/c.toml"), True)
    assert resolve_paths("x.duckdb", "y.toml") == (Path("x.duckdb"), Path("y.toml"), True)


def test_run_settings_default_to_mondays_at_seven_and_can_be_changed(tmp_path):
    assert run_settings(load_config(write(tmp_path, ""), required=True)) == RunSettings()
    changed = run_settings(load_config(write(tmp_path, '[run]\nschedule = "0 6 * * 2"\nretries = 0\n'
                                                       'wait_seconds = 30\n'), required=True))
    assert (changed.schedule, changed.retries, changed.wait_seconds, changed.retry_delay_seconds) == (
        "0 6 * * 2", 0, 30.0, 60.0)


@pytest.mark.parametrize("text, message", [
    ("[run]\nschedul = '0 7 * * 1'", "has no setting 'schedul'"),
    ("[run]\nretries = -1", "retries must be a number >= 0"),
    ("[run]\nwait_seconds = 'long'", "wait_seconds must be a number >= 0"),
    ("[run]\nschedule = 7", "schedule must be a cron text"),
    ("[run]\nretries = true", "retries must be a number >= 0"),
    ("run = 3", r"\[run\] must be a table"),
])
def test_bad_run_settings_get_one_line(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as error:
        run_settings(load_config(write(tmp_path, text), required=True))
    assert "\n" not in str(error.value)


def test_a_schedule_that_is_not_cron_is_refused_before_anything_starts(cli, tmp_path):
    (tmp_path / "tiekeeper.toml").write_text('[owner]\ntimezone = "Europe/Berlin"\n[run]\nschedule = "mondays"\n')
    result = cli("serve")
    assert result.code == 1
    assert result.err.startswith("tiekeeper: tiekeeper.toml: [run] schedule 'mondays' is not a cron expression")
    assert result.err.count("\n") == 1
    assert not (tmp_path / "data" / "prefect" / "server.log").exists()


@pytest.mark.parametrize("command", ["run", "serve"])
def test_the_weekly_run_without_a_config_says_how_to_make_one(cli, command):
    result = cli(command)
    assert result.code == 1
    assert result.err == ("tiekeeper: tiekeeper.toml: no such config file (write one as the README shows, "
                          "or pass --config)\n")
