"""The docs the code cites are in the repository: every `docs/...` path named in code, SQL, docs or
the notebook exists, and the metric specification and format notes are cited by their place there."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CITING = (".py", ".sql", ".md", ".toml", ".yaml", ".ipynb")


def citing_files() -> list[Path]:
    skip = {".venv", ".git", "data", "build", "__pycache__"}
    return sorted(p for p in ROOT.rglob("*") if p.is_file() and p.suffix in CITING
                  and not skip & set(p.relative_to(ROOT).parts))


def test_every_docs_path_the_repository_cites_exists():
    cited = {}
    for path in citing_files():
        for match in re.finditer(r"(?<![\w./])(?:\.\./)?docs/[\w./-]*\w", path.read_text(encoding="utf-8")):
            cited.setdefault(match.group().removeprefix("../"), []).append(path.relative_to(ROOT).as_posix())
    assert {"docs/metrics.md", "docs/formats.md", "docs/schema.md"} <= set(cited)
    missing = {doc: files for doc, files in cited.items() if not (ROOT / doc).exists()}
    assert missing == {}


def test_the_specification_and_format_notes_are_cited_where_they_are():
    bare = [f"{path.relative_to(ROOT)}: {line.strip()}" for path in citing_files() if path.parent != ROOT / "docs"
            for line in path.read_text(encoding="utf-8").splitlines()
            if re.search(r"(?<![\w/])(METRICS|FORMATS)\.md", line)]
    assert bare == []
