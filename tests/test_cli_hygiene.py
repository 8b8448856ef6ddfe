"""A CLI that never surprises: every command explains itself with examples that work, `--version`,
hints that can be run as written, the database beside the config and its path said when it is
created, a warning for an empty input, a quiet end when the reader of the output goes away, and
`people accept` / `people reject` that write people.toml once."""
import argparse
import os
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

import connectors
from pipelines.cli import COMMAND_HELP, _parser
from tests.conftest import OWNER_CONFIG, snapshot
from tests.test_people import CONNECTIONS_HEADER, Export

pytestmark = pytest.mark.slow  # most tests load exports or run the CLI in a child process

SCRIPT = Path(sys.executable).parent / "tiekeeper"
MBOX = (b"From 1@xxx Tue Mar 11 01:31:25 +0000 2025\nMessage-ID: <one@lee.org>\nDate: Tue, 11 Mar 2025 02:31:25 +0100\n"
        b"From: Ann Lee <ann@lee.org>\nTo: jane@acme.com\nSubject: Hello\n\nHi\n")


def subcommands(parser: argparse.ArgumentParser, prefix: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix}{name}", sub
                yield from subcommands(sub, f"{prefix}{name} ")


def test_every_command_has_a_description_and_examples_that_parse():
    commands = dict(subcommands(_parser()))
    assert sorted(commands) == sorted(COMMAND_HELP)
    for name, sub in commands.items():
        assert len(sub.description) > 40, name
        assert sub.epilog.startswith("examples:\n"), name
        examples = sub.epilog.splitlines()[1:]
        assert examples, name
        for example in examples:
            words = shlex.split(example.split(" > ")[0], comments=True)  # without the shell's redirection
            assert words[0] == connectors.command() and set(name.split()) <= set(words), example
            parsed = _parser().parse_args(words[1:])  # exits (fails the test) on a command that does not parse
            assert sub.get_default("run") in (None, parsed.run), example


def test_help_shows_the_description_and_the_examples(capsys):
    with pytest.raises(SystemExit) as exit_:
        _parser().parse_args(["people", "reject", "--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    assert "Reject suggestions: [[split]] in people.toml" in out
    assert out.rstrip().endswith(f"examples:\n  {connectors.command()} people reject m_2353077cd129")


def test_version_prints_the_installed_version(capsys):
    from importlib.metadata import version
    with pytest.raises(SystemExit) as exit_:
        _parser().parse_args(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out == f"tiekeeper {version('tiekeeper')}\n"


def test_ingest_offers_every_source_there_is():
    from pipelines.ingest import SOURCES
    ingest = dict(subcommands(_parser()))["ingest"]
    assert sorted(next(a.choices for a in ingest._actions if a.dest == "source")) == sorted(SOURCES)


def test_hints_name_the_command_as_it_can_be_typed(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                               if Path(p).resolve() != SCRIPT.parent.resolve()))
    monkeypatch.chdir(SCRIPT.parent.parent.parent)  # the project folder, holding .venv
    assert connectors.command() == str(SCRIPT.relative_to(SCRIPT.parent.parent.parent))
    monkeypatch.chdir(tmp_path)
    assert connectors.command() == str(SCRIPT)
    monkeypatch.setenv("PATH", f"{SCRIPT.parent}{os.pathsep}{os.environ['PATH']}")
    assert connectors.command() == "tiekeeper"


def test_a_hint_printed_without_tiekeeper_on_path_runs_as_written(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                               if Path(p).resolve() != SCRIPT.parent.resolve()))
    (tmp_path / "a.mbox").write_bytes(MBOX)
    result = cli("ingest", "mbox", tmp_path / "a.mbox")
    hint = result.out.strip().rsplit("(", 1)[1].rstrip(")")
    assert hint == f"{SCRIPT} people suggest"
    ran = subprocess.run(shlex.split(hint), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0 and ran.stdout.startswith("No uncertain matches"), ran.stderr


def test_the_database_defaults_beside_the_config_file_and_its_creation_is_said(cli, tmp_path, monkeypatch, caplog):
    home = tmp_path / "home"
    home.mkdir()
    (home / "tiekeeper.toml").write_text(OWNER_CONFIG)
    (tmp_path / "a.mbox").write_bytes(MBOX)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    caplog.set_level("INFO", logger="tiekeeper")
    assert cli("--config", home / "tiekeeper.toml", "ingest", "mbox", tmp_path / "a.mbox").code == 0
    db = home / "data" / "tiekeeper.duckdb"
    assert db.exists() and not (elsewhere / "data").exists()
    assert f"created a new database: {db}" in caplog.messages
    caplog.clear()
    assert cli("--config", home / "tiekeeper.toml", "ingest", "mbox", tmp_path / "a.mbox").code == 0
    assert not [m for m in caplog.messages if m.startswith("created")]


@pytest.mark.parametrize("name, content, source, warning", [
    ("empty.mbox", b"", "mbox", "mbox: no messages in {path}: nothing was loaded (is it the right file, or an "
                                "empty export?)"),
    ("empty.ics", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "ics",
     "ics: no events in {path}: nothing was loaded (is it the right file, or an empty export?)"),
])
def test_an_empty_input_is_a_warning_not_a_quiet_success(cli, tmp_path, caplog, name, content, source, warning):
    path = tmp_path / name
    path.write_bytes(content)
    result = cli("ingest", source, path)
    assert result.code == 0
    assert warning.format(path=path) in caplog.messages


def test_an_export_with_no_rows_is_a_warning(cli, tmp_path, caplog):
    export = tmp_path / "Complete_LinkedInDataExport_11-20-2026.zip"
    with zipfile.ZipFile(export, "w") as z:
        z.writestr("Connections.csv", CONNECTIONS_HEADER)
    assert cli("ingest", "linkedin", export).code == 0
    assert f"linkedin: no records in {export}: nothing was loaded (is it the right file, or an empty export?)" \
        in caplog.messages


# Libraries that the commands which only read never need, each slower to import than such a command
# takes to answer: the weekly flow's, the report's, the API connectors', the bulk loads'.
HEAVY_LIBRARIES = {"prefect", "matplotlib", "jinja2", "css_inline", "googleapiclient", "msal", "pyarrow", "numpy"}
# A fresh interpreter runs one command, then names the top-level modules it has imported.
IMPORTS_OF_ONE_COMMAND = """
import sys
from pipelines.cli import main
try:
    main(sys.argv[1:])
except SystemExit:  # --help, --version
    pass
print("imported:", *sorted({name.split(".")[0] for name in sys.modules}))
"""


def test_commands_that_only_read_import_none_of_the_heavy_libraries(cli, tmp_path):
    export = Export(tmp_path, cli)
    export.mail("Ann Lee <ann@lee.org>", "jane@acme.com").mail("jane@acme.com", "Ann Lee <ann@lee.org>")
    export.load(tmp_path / "t.duckdb")
    with (tmp_path / "tiekeeper.toml").open("a") as config:  # every section is read, none imports its user
        config.write("[metrics]\nhalf_life_days = 90\n[run]\nretries = 2\n[sources.gmail]\n[sources.outlook]\n")
    commands = (["sql", "select count(*) from people"], ["people", "show", "ann"], ["why", "ann"], ["at", "lee.org"],
                ["--help"], ["--version"])
    heavy = {}
    for command in commands:
        child = subprocess.run([sys.executable, "-c", IMPORTS_OF_ONE_COMMAND, "--db", str(tmp_path / "t.duckdb"),
                                *command], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert "Traceback" not in child.stderr and "tiekeeper:" not in child.stderr, child.stderr
        imported = child.stdout.splitlines()[-1].removeprefix("imported: ").split()
        heavy[" ".join(command)] = HEAVY_LIBRARIES.intersection(imported)
    assert heavy == {" ".join(command): set() for command in commands}


def test_a_reader_that_goes_away_ends_the_output_quietly(cli, tmp_path):
    (tmp_path / "a.mbox").write_bytes(MBOX)
    assert cli("ingest", "mbox", tmp_path / "a.mbox").code == 0
    for fmt in ("csv", "table", "json"):
        piped = subprocess.run(
            ["bash", "-c", f'"$0" sql "select range as n from range(100000)" --format {fmt} --max-rows 100000 '
                           f'| head -n 2; echo "exit ${{PIPESTATUS[0]}}"', str(SCRIPT)],
            cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert piped.stderr == "", (fmt, piped.stderr)
        assert piped.stdout.splitlines()[-1] == "exit 141", fmt


class TestAcceptAndReject:
    @pytest.fixture
    def suggested(self, cli, tmp_path):
        """A database with uncertain matches (Tim Parker's gmail address and two Timothy Parkers on LinkedIn)."""
        export = Export(tmp_path, cli)
        export.mail("Tim Parker <tparker71@gmail.com>", "jane@acme.com")
        export.connection("Timothy", "Parker", "https://www.linkedin.com/in/timothy-parker", "Zephyr Studio")
        export.connection("Timothy", "Parker", "https://www.linkedin.com/in/timothy-parker-2", "Other Co")
        db = tmp_path / "t.duckdb"
        export.load(db)
        match_id = cli("--db", db, "people", "suggest").out.split()[0]
        return db, match_id

    def test_rejecting_writes_a_split_and_the_pair_is_not_suggested_again(self, cli, tmp_path, suggested):
        db, match_id = suggested
        with duckdb.connect(str(db), read_only=True) as con:
            left, right = con.execute("select left_key, right_key from identity_matches where match_id = ?",
                                      [match_id]).fetchall()[0]
        result = cli("--db", db, "people", "reject", match_id)
        assert result.code == 0, result.err
        assert result.out.splitlines()[0] == "Added 1 split to people.toml"
        assert f'[[split]]  # rejected {match_id}: ' in (tmp_path / "people.toml").read_text()
        assert f'identities = ["{left}", "{right}"]' in (tmp_path / "people.toml").read_text()
        assert match_id not in cli("--db", db, "people", "suggest").out
        with duckdb.connect(str(db), read_only=True) as con:
            assert con.execute("select decision from identity_matches where match_id = ?", [match_id]).fetchall() == [
                ("kept apart: split in people.toml",)]

    @pytest.mark.parametrize("command", ["accept", "reject"])
    def test_deciding_twice_writes_once_and_changes_nothing(self, cli, tmp_path, suggested, command):
        db, match_id = suggested
        assert cli("--db", db, "people", command, match_id).code == 0
        written, before = (tmp_path / "people.toml").read_text(), snapshot(db)
        again = cli("--db", db, "people", command, match_id, match_id)
        assert (again.code, again.out) == (0, f"Already {command}ed in people.toml: {match_id}\n")
        assert (tmp_path / "people.toml").read_text() == written
        assert snapshot(db) == before

    def test_rejecting_what_was_accepted_says_where_to_undo_it(self, cli, tmp_path, suggested):
        db, match_id = suggested
        assert cli("--db", db, "people", "accept", match_id).code == 0
        result = cli("--db", db, "people", "reject", match_id)
        assert result.code == 1
        assert result.err.startswith(f"tiekeeper: people.toml: {match_id} was accepted before "
                                     f"(a [[merge]] entry for ")
