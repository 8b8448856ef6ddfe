"""tiekeeper.toml (and people.toml): owner, sources and clear errors; every section and key checked
once, before anything runs."""
from pathlib import Path

import pytest

from pipelines.config import (
    Config,
    ConfigError,
    Metrics,
    Overrides,
    RunSettings,
    load_config,
    load_overrides_file,
    resolve_paths,
    run_settings,
)
from pipelines.sources import SOURCES
from tests.conftest import snapshot


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
    assert config.path is None and config.owner.timezone is None and config.mbox == ()
    assert str(config.owner.tz) == "UTC"  # what a command that only reads shows times in


def test_a_missing_config_that_was_asked_for_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "mine.toml", required=True)


@pytest.mark.parametrize("text, message", [
    ("[owner\nname = 1", "not valid TOML"),
    ('[owner]\ntimezone = "Mars/Olympus"', "must be an IANA zone name"),
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
    assert resolve_paths(None, "~/work/tiekeeper.toml")[:2] == (
        Path("~/work/data/tiekeeper.duckdb").expanduser(), Path("~/work/tiekeeper.toml").expanduser())
    monkeypatch.setenv("TIEKEEPER_CONFIG", "/env/c.toml")
    assert resolve_paths(None, None) == (Path("/env/data/tiekeeper.duckdb"), Path("/env/c.toml"), True)
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
    ("[run]\nschedul = '0 7 * * 1'", r"has no setting 'schedul' \(did you mean schedule\?\)"),
    ("[run]\nretries = -1", "retries must be a number >= 0, not -1"),
    ("[run]\nwait_seconds = 'long'", "wait_seconds must be a number, not 'long'"),
    ("[run]\nschedule = 7", "schedule must be a text, not 7"),
    ("[run]\nretries = true", "retries must be a whole number, not True"),
    ("run = 3", r"\[run\] must be a table"),
])
def test_bad_run_settings_get_one_line(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as error:
        load_config(write(tmp_path, text), required=True)
    assert "\n" not in str(error.value)


def test_a_schedule_that_is_not_cron_is_refused_before_anything_starts(cli, tmp_path):
    (tmp_path / "tiekeeper.toml").write_text('[owner]\nemails = ["jane@acme.com"]\ntimezone = "Europe/Berlin"\n'
                                             '[run]\nschedule = "mondays"\n')
    result = cli("serve")
    assert result.code == 1
    assert result.err.startswith("tiekeeper: tiekeeper.toml: [run] schedule 'mondays' is not a cron expression")
    assert result.err.count("\n") == 1
    assert not (tmp_path / "data" / "prefect" / "server.log").exists()


@pytest.mark.parametrize("command", [("run",), ("serve",), ("people", "build")])
def test_a_command_that_writes_without_a_config_says_how_to_make_one(cli, tmp_path, command):
    (tmp_path / "tiekeeper.toml").unlink()
    result = cli(*command)
    assert result.code == 1
    assert result.err == ("tiekeeper: tiekeeper.toml: no such config file (write one as the README shows, "
                          "or pass --config)\n")


@pytest.mark.parametrize("text, message", [
    ('[owner]\nemial = "jane@acme.com"', "[owner] has no setting 'emial' (did you mean emails?)"),
    ('emails = ["jane@acme.com"]\n[owner]\nname = "Jane"',
     "'emails' is outside every section (did you mean [owner] emails?)"),
    ('[ownr]\nname = "Jane"', "unknown section [ownr] (did you mean [owner]?)"),
    ('[sources]\ntimezone = "Europe/Berlin"', "[sources] has no setting 'timezone' (did you mean [owner] timezone?)"),
    ("[metrics]\nhalf_life = 45", "[metrics] has no setting 'half_life' (did you mean half_life_days?)"),
    ('[sources.gmail]\ncalendars = ["primary"]',
     "[sources.gmail] has no setting 'calendars' (did you mean [sources.gcal] calendars?)"),
    ("[metrics]\nhalf_life_days = -3", "[metrics] half_life_days must be a number >= 0, not -3"),
    ("[metrics]\nlearn = true", "[metrics] learn must be a number >= 0, not True"),
    ('[report]\nsmtp_port = "587"', "[report] smtp_port must be a whole number, not '587'"),
    ("[sources.gcal]\ncalendars = 3", "[sources.gcal] calendars must be a text or a list of texts, not 3"),
])
def test_an_unknown_or_mistyped_key_is_one_line_naming_the_file_the_key_and_the_likely_one(tmp_path, text, message):
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text), required=True)
    assert str(error.value) == f"{tmp_path / 'tiekeeper.toml'}: {message}"


def test_every_section_and_key_the_readme_shows_is_accepted(tmp_path):
    config = load_config(write(tmp_path, """
[owner]
name = "Jane Doe"
emails = ["jane@acme.com", "jane.doe@gmail.com"]
timezone = "Europe/Berlin"
[sources]
linkedin = "~/Downloads/Complete_LinkedInDataExport_11-20-2026.zip"
mbox = ["~/Takeout/Mail/All mail Including Spam and Trash.mbox"]
ics = ["~/Takeout/Calendar"]
[sources.gmail]
quota_units_per_second = 100
api_endpoint = "http://127.0.0.1:8765/"
credentials = "anonymous"
[sources.gcal]
calendars = ["primary", "team@group.calendar.google.com"]
[report]
to = ["jane@acme.com"]
from = "jane.doe@gmail.com"
smtp_host = "smtp.gmail.com"
smtp_port = 587
username = "jane.doe@gmail.com"
password_env = "TIEKEEPER_SMTP_PASSWORD"
[run]
schedule = "0 7 * * 1"
[metrics]
half_life_days = 60
follow_up_ratio = 2.5
"""), required=True)
    assert (config.sources.gmail.quota_units_per_second, config.sources.gcal.calendars) == (
        100.0, ("primary", "team@group.calendar.google.com"))
    assert (config.report.sender, config.report.smtp_port, config.metrics) == (
        "jane.doe@gmail.com", 587, Metrics(half_life_days=60, follow_up_ratio=2.5))


@pytest.mark.parametrize("text, message", [
    ("", "[owner] emails is missing; commands that write need your addresses and timezone, "
         'e.g. [owner] emails = ["jane@acme.com", "jane.doe@gmail.com"]'),
    ('[owner]\nemails = ["jane@acme.com"]\n', "[owner] timezone is missing; commands that write need your "
                                             'addresses and timezone, e.g. [owner] timezone = "Europe/Berlin"'),
])
def test_commands_that_write_need_the_owners_addresses_and_timezone(cli, tmp_path, text, message):
    write(tmp_path, text)
    mbox = tmp_path / "a.mbox"
    mbox.write_bytes(b"From x@y Tue Mar 11 01:31:25 +0000 2025\nFrom: ann@lee.org\nTo: jane@acme.com\n\nHi\n")
    result = cli("ingest", "mbox", mbox)
    assert (result.code, result.err) == (1, f"tiekeeper: tiekeeper.toml: {message}\n")
    assert not (tmp_path / "data").exists()


def test_people_build_with_a_bad_metric_setting_fails_before_writing_anything(cli, tmp_path):
    mbox = tmp_path / "a.mbox"
    mbox.write_bytes(b"From x@y Tue Mar 11 01:31:25 +0000 2025\nMessage-ID: <1@lee.org>\n"
                     b"Date: Tue, 11 Mar 2025 02:31:25 +0100\nFrom: Ann Lee <ann@lee.org>\nTo: jane@acme.com\n\nHi\n")
    assert cli("ingest", "mbox", mbox).code == 0
    db = tmp_path / "data" / "tiekeeper.duckdb"
    (tmp_path / "people.toml").write_text('[[ignore]]\nidentity = "ann@lee.org"\n')  # would change people
    config = tmp_path / "tiekeeper.toml"
    config.write_text(config.read_text() + "[metrics]\nhalf_life_dayz = 45\n")
    before = snapshot(db)
    result = cli("people", "build")
    assert result.code == 1 and "has no setting 'half_life_dayz' (did you mean half_life_days?)" in result.err
    assert snapshot(db) == before


def test_people_toml_is_read_as_written_with_each_section_a_list_of_tables(tmp_path):
    path = tmp_path / "people.toml"
    path.write_text('[[merge]]\nidentities = ["bob@acme.io", "https://www.linkedin.com/in/bob-smith"]\n'
                    '[[split]]\nidentities = ["john.smith@a.com", "john.smith@b.com"]\n'
                    '[[ignore]]\nidentity = "sales@acme.io"\n[[close]]\nidentity = "jane@example.com"\n')
    assert load_overrides_file(path) == Overrides(
        path, merge=(("bob@acme.io", "https://www.linkedin.com/in/bob-smith"),),
        split=(("john.smith@a.com", "john.smith@b.com"),), ignore=("sales@acme.io",), close=("jane@example.com",))
    assert load_overrides_file(tmp_path / "none.toml") == Overrides(tmp_path / "none.toml")


@pytest.mark.parametrize("text, message", [
    ('[[merge]]\nidentites = ["a@x.com", "b@y.com"]',
     "[[merge]] has no setting 'identites' (did you mean identities?)"),
    ('[[close]]\nidentity = "a@x.com"\nnote = "my sister"', "[[close]] has no setting 'note' (known: identity)"),
    ('[[ignore]]\nidentity = "a@x.com"\n[[ignore]]\nwho = "b@y.com"',
     "[[ignore]] has no setting 'who' (known: identity)"),
    ('[[mrege]]\nidentities = ["a@x.com", "b@y.com"]',
     "unknown section [[mrege]] (expected merge, split, ignore or close)"),
    ('[merge]\nidentities = ["a@x.com", "b@y.com"]', "each [[merge]] needs identities = ..."),
    ('[[split]]\nidentities = ["a@x.com"]', "[[split]] identities must list exactly two identities"),
])
def test_an_unknown_or_mistyped_key_in_people_toml_is_one_line_naming_the_file_and_the_key(tmp_path, text, message):
    path = tmp_path / "people.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_overrides_file(path)
    assert str(error.value) == f"{path}: {message}"


def test_sources_takes_each_registered_source_by_name_a_file_sources_paths_an_api_sources_table(tmp_path):
    files = [name for name, source in SOURCES.items() if not source.api]
    apis = [name for name, source in SOURCES.items() if source.api]
    config = load_config(write(tmp_path, "[sources]\n" + "".join(f'{name} = "{name}.in"\n' for name in files)
                               + "".join(f"[sources.{name}]\n" for name in apis)), required=True)
    assert {name: config.source_paths(name) for name in files} == {name: (tmp_path / f"{name}.in",) for name in files}
    assert {name: config.api_settings(name) for name in apis} == {name: SOURCES[name].settings() for name in apis}
    assert {name: Config().api_settings(name) for name in apis} == dict.fromkeys(apis)  # no table: off
