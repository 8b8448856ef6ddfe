"""tiekeeper.toml: owner, sources and clear errors."""
from pathlib import Path

import pytest

from pipelines.config import ConfigError, load_config, resolve_paths


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
