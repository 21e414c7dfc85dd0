#!/usr/bin/env python3
"""Check that every airflow import of some Python files exists on a target, per the generated index.

    python scripts/verify_imports.py --target-version 2.5.1 PATH...

Reads rules/imports/data/provider_index.json only (what each core and pinned provider version binds), so
the answer is the one the committed data gives. Prints each import it cannot find; exit 1 if any.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _paths  # noqa: E402,F401  (puts the checkout on sys.path)


class Index:
    """The target's closed world as the linter reads it (rules/imports/tables.py)."""

    def __init__(self, target: str) -> None:
        from dagshift.rules.imports.tables import closed_world, tables

        self.tables = tables(target)
        self.verdict = closed_world

    def has_module(self, module: str) -> bool:
        return self.verdict(self.tables, module) != "module"

    def has(self, module: str, name: str) -> bool:
        if self.tables.entries.get(f"{module}.{name}", {}).get("status") == "removed":
            return False  # a 1.10 path the move tables know is gone
        return self.verdict(self.tables, module, name) not in ("module", "name")


def unresolved(source: str, index: Index) -> list[tuple[int, str]]:
    """(line, dotted path) of every airflow import the index does not know.

    Imports in `except` blocks (version fallbacks) and on `# noqa` lines are the author's choice
    and are not counted.
    """
    lines = source.splitlines()
    tree = ast.parse(source)
    fallback = {
        id(node) for handler in ast.walk(tree) if isinstance(handler, ast.ExceptHandler)
        for node in ast.walk(handler)
    }
    missing = []
    for node in ast.walk(tree):
        if id(node) in fallback or (
            isinstance(node, (ast.Import, ast.ImportFrom)) and "noqa" in lines[node.lineno - 1]
        ):
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "airflow":
            for alias in node.names:
                if alias.name != "*" and not index.has(node.module or "", alias.name):
                    missing.append((node.lineno, f"{node.module}.{alias.name}"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "airflow" and not index.has_module(alias.name):
                    missing.append((node.lineno, alias.name))
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-version", required=True)
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args()
    index = Index(args.target_version)
    files = [p for path in args.paths for p in ([path] if path.is_file() else sorted(path.rglob("*.py")))]
    imports = bad = 0
    for path in files:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        imports += sum(
            1 for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("airflow") and n.level == 0
            for _ in n.names
        ) + sum(1 for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names if a.name.startswith("airflow"))
        for line, dotted in unresolved(source, index):
            bad += 1
            print(f"{path}:{line}: {dotted} does not exist on Airflow {args.target_version}")
    print(f"{len(files)} files, {imports} airflow imports, {bad} not found on Airflow {args.target_version}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
