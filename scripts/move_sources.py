"""What the import-moves generator reads from the wheels: the 1.10 public paths, the upgrade
check's renamed classes, and the public names of a provider version. Only zipfile and ast."""

from __future__ import annotations

import ast
from typing import Optional

from _paths import INDEXED
from wheelindex import Wheel, bindings, classes_and_functions, public_assignments, warns_at_import

# 1.10 packages whose public names DAGs and plugins import.
SCOPE = (
    "airflow.contrib.", "airflow.operators.", "airflow.hooks.", "airflow.sensors.", "airflow.secrets.",
    "airflow.utils.", "airflow.executors.", "airflow.jobs.", "airflow.macros.",
)
SKIP = (".example_dags", ".tests", "airflow.utils.log.logging_mixin")
PACKAGE_ALIASES = ("_operators", "_hooks", "_sensors")


def inventory(wheel: Wheel) -> dict[str, Optional[str]]:
    """1.10 public 'module.Name' paths -> the path they alias (package-level names), or None."""
    paths: dict[str, Optional[str]] = {}
    for module in wheel.modules("airflow/"):
        is_package = module + "." in SCOPE
        if not module.startswith(SCOPE) and not is_package:
            continue
        if any(s in module for s in SKIP):
            continue
        tree = wheel.tree(module)
        assert tree is not None
        for name in [*classes_and_functions(tree), *public_assignments(tree)]:
            paths[f"{module}.{name}"] = None
        if is_package:  # `from airflow.jobs import BaseJob`: a package re-exporting its own classes
            for name, origin in bindings(tree, module, True).items():
                if origin and origin[0].startswith(module + ".") and origin[1] and not name.startswith("_"):
                    paths.setdefault(f"{module}.{name}", f"{origin[0]}.{origin[1]}")
        for stmt in tree.body:  # 1.10 lazy package maps: `from airflow.operators import BashOperator`
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id in PACKAGE_ALIASES:
                try:
                    table = ast.literal_eval(stmt.value)
                except ValueError:
                    continue
                for sub, names in table.items():
                    for name in names:
                        paths.setdefault(f"{module}.{name}", f"{module}.{sub}.{name}")
    return paths


def renamed_classes(wheel: Wheel) -> dict[str, str]:
    tree = wheel.tree("airflow.upgrade.rules.renamed_classes")
    assert tree is not None
    table: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.List):
            for item in ast.literal_eval(stmt.value):
                new, old = item
                table.setdefault(old, new)
    return table


class ClassFinder:
    """Unique same-name class in a provider version (skipping its own deprecated shim modules)."""

    def __init__(self) -> None:
        self.cache: dict[str, dict[str, list[str]]] = {}

    def find(self, wheel: Wheel, name: str) -> Optional[str]:
        key = str(wheel.path)
        if key not in self.cache:
            index: dict[str, list[str]] = {}
            for module in wheel.modules("airflow/providers/"):
                if ".example_dags" in module or ".tests" in module:
                    continue
                tree = wheel.tree(module)
                if tree is None or warns_at_import(tree):
                    continue
                for stmt in tree.body:
                    if isinstance(stmt, ast.ClassDef) and not stmt.name.startswith("_"):
                        index.setdefault(stmt.name, []).append(module)
            self.cache[key] = index
        found = self.cache[key].get(name, [])
        return found[0] if len(found) == 1 else None


def provider_index(wheel: Wheel, destinations: set[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Public names of the provider's user-facing modules (and of every module a destination names),
    and, apart, which of those names a module only re-exports from another provider module."""
    index: dict[str, list[str]] = {}
    reexports: dict[str, list[str]] = {}
    for module in wheel.modules("airflow/providers/"):
        parts = module.split(".")
        wanted = any(p in INDEXED for p in parts) or module in destinations
        if ".example_dags" in module or ".tests" in module or not wanted:
            continue
        tree = wheel.tree(module)
        if tree is None:
            continue
        defined = set(classes_and_functions(tree)) | set(public_assignments(tree))
        names = sorted(
            n for n, origin in bindings(tree, module).items()
            if not n.startswith("_")
            and ((origin is None and n in defined) or (origin is not None and origin[0].startswith("airflow.") and origin[1]))
        )
        index[module] = names
        passed_on = sorted(
            n for n, origin in bindings(tree, module).items()
            if n in names and origin is not None and origin[0].startswith("airflow.")
        )
        if passed_on:
            reexports[module] = passed_on
    return index, reexports
