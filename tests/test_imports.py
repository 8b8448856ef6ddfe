"""The layers lean one way: connectors know nothing of the pipeline or the report, reports read what
they are given and know nothing of the pipeline, and no module imports itself round a cycle. Read
statically from the source (imports inside functions included), so a late import cannot hide one;
imports under `if TYPE_CHECKING:` run for type checkers only and are left out."""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("connectors", "pipelines", "reports", "tiekeeper")
# A package on the left imports nothing from the packages on the right.
FORBIDDEN = {"connectors": ("pipelines", "reports", "tiekeeper"), "reports": ("pipelines", "tiekeeper")}


def modules(root: Path) -> dict[str, Path]:
    """Every module of PACKAGES under `root`, by dotted name (a package by its own name)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of `known` that the module `name` imports anywhere in its source. `from a import
    b` is an import of `a.b` when that is a module, else of `a`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in _nodes(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import a.b.c` of a name inside a module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of `tree` but those under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            yield from (n for child in node.orelse for n in [child, *_nodes(child)])
            continue
        yield node
        yield from _nodes(node)


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    known = modules(root)
    return {name: imports_of(name, path, set(known)) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of modules that import one another round a loop (Tarjan's strongly connected
    components of more than one module), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def wrong_way(graph: dict[str, set[str]]) -> list[str]:
    """`importer -> imported` for every import that FORBIDDEN rules out."""
    return sorted(f"{source} -> {target}" for source, targets in graph.items() for target in targets
                  if target.split(".")[0] in FORBIDDEN.get(source.split(".")[0], ()))


def test_no_module_imports_itself_round_a_cycle():
    assert cycles(import_graph()) == []


def test_connectors_and_reports_import_nothing_from_the_layers_above_them():
    assert wrong_way(import_graph()) == []


def test_the_graph_sees_imports_in_functions_relative_and_from_imports_but_not_type_checking_ones(tmp_path):
    for package, files in {
        "connectors": {"__init__.py": "", "mbox.py": "def read():\n    from pipelines import config\n"},
        "pipelines": {"__init__.py": "", "config.py": "from .ingest import SOURCES\n",
                      "flow.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pipelines.cli\n",
                      "cli.py": "from pipelines.flow import run\n",
                      "ingest.py": "import pipelines.config as c\nfrom connectors.mbox import read\n"},
        "reports": {"__init__.py": "", "weekly.py": "from pipelines.config import Config\n"},
        "tiekeeper": {"__init__.py": "import duckdb\n"},
    }.items():
        (tmp_path / package).mkdir()
        for name, text in files.items():
            (tmp_path / package / name).write_text(text, encoding="utf-8")
    graph = import_graph(tmp_path)
    assert graph == {"connectors": set(), "connectors.mbox": {"pipelines.config"},
                     "pipelines": set(), "pipelines.cli": {"pipelines.flow"}, "pipelines.config": {"pipelines.ingest"},
                     "pipelines.flow": set(),
                     "pipelines.ingest": {"pipelines.config", "connectors.mbox"},
                     "reports": set(), "reports.weekly": {"pipelines.config"}, "tiekeeper": set()}
    assert cycles(graph) == [["connectors.mbox", "pipelines.config", "pipelines.ingest"]]
    assert wrong_way(graph) == ["connectors.mbox -> pipelines.config", "reports.weekly -> pipelines.config"]
