"""The layout's rules, checked on the source: which room may import which, no import cycles, one
import name for the installed distribution, and the size limits that keep modules readable."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT

PACKAGES = {"dagshift": ROOT / "dagshift", "linter": ROOT / "linter", "rules": ROOT / "rules", "fixers": ROOT / "fixers",
            "environments": ROOT / "environments", "yaml_dags": ROOT / "yaml_dags"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[0] != "dagshift":
        parts.insert(0, "dagshift")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the dagshift modules it imports, lazily or not (a lazy import still makes a cycle)."""
    files = {module_name(p): p for folder in PACKAGES.values() for p in folder.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("dagshift"):
                module = node.module or ""
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names if alias.name.startswith("dagshift"))
        graph[name] = {m for m in found if m in files and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_each_room_imports_only_what_it_may():
    """linter/ is rule-blind (the CLI asks `dagshift.rules` for the registry, never a family);
    environments/ reads the repository and knows nothing else of dagshift; yaml_dags/ reads DAGs
    written in YAML and knows nothing else of dagshift either (the rules read it); fixers/ know no rule; a family reads another family's tables, never its rules or analysis."""
    wrong = []
    for module, imported in import_graph().items():
        room = module.split(".")[1] if "." in module else ""
        for other in imported:
            parts = other.split(".")
            if room in ("linter", "fixers") and parts[1] == "rules" and len(parts) > 2:
                wrong.append(f"{module} -> {other}")
            if room == "linter" and parts[1] == "fixers":
                wrong.append(f"{module} -> {other}")
            if room == "environments" and parts[1] != "environments":
                wrong.append(f"{module} -> {other}")
            if room == "yaml_dags" and parts[1] != "yaml_dags":
                wrong.append(f"{module} -> {other}")
            if room in ("linter", "fixers", "environments") and parts[1] == "yaml_dags":
                wrong.append(f"{module} -> {other}")
            if room == "rules" and len(parts) > 3 and parts[1] == "rules" and module.split(".")[2:3] != parts[2:3]:
                if parts[3] != "tables":
                    wrong.append(f"{module} -> {other}")
    assert wrong == []


def test_size_limits():
    """No module over 420 lines, no function over 60 (ARCHITECTURE.md): a reader sees a whole job at once."""
    long_modules, long_functions = [], []
    for folder in (*PACKAGES.values(), ROOT / "scripts"):
        for path in folder.rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if text.count("\n") > 420:
                long_modules.append(str(path.relative_to(ROOT)))
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 60:
                    long_functions.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert long_modules == [] and long_functions == []


def test_table_names_are_unique_and_each_table_lives_beside_its_family():
    from dagshift.linter.tables import load_table, table_names

    seen: dict[str, Path] = {}
    for folder in [ROOT / "linter" / "data", *sorted((ROOT / "rules").glob("*/data"))]:
        for path in folder.glob("*.json"):
            assert path.stem not in seen, f"{path} and {seen[path.stem]} share a table name"
            seen[path.stem] = path
    assert {name: path.resolve() for name, path in table_names().items()} == {n: p.resolve() for n, p in seen.items()}
    for name in seen:
        assert "generator" in load_table(name)["_provenance"] or "source" in load_table(name)["_provenance"], name


def test_the_wheel_installs_one_import_name(tmp_path):
    """`rules` is django-rules' import name and `linter` is generic: the wheel claims `dagshift` only."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    wheel = next(tmp_path.glob("dagshift-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"dagshift"}
    assert "dagshift/rules/imports/data/import_moves.json" in names
    assert "dagshift/rules/requirements/data/constraints/constraints-2.5.1-3.10.txt" in names
    assert "dagshift/linter/data/mwaa_versions.json" in names
