"""DS105's analysis: names Airflow 1.10's top-level `airflow` package exported and 2.x does not.

The facts are in data/airflow_toplevel.json (scripts/gen_airflow_toplevel.py)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from dagshift.linter.diagnostics import ERROR, SAFE, WARNING, Fix, ordered
from dagshift.linter.findings import Finding
from dagshift.linter.tables import load_table


@lru_cache(maxsize=16)  # one per target: a report's matrix asks for each in turn
def _dropped(target: str) -> frozenset[str]:
    return frozenset(name for name, entry in table()["targets"][target].items() if entry["status"] != "ok")


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return load_table("airflow_toplevel", "names", "targets")


def severity(status: dict[str, Any]) -> str:
    """A name the target's `airflow` package serves with a deprecation warning warns; one it no
    longer has fails the import."""
    return WARNING if status["status"] == "deprecated" else ERROR


def severities(target: str) -> tuple[str, ...]:
    """Every severity DS105 can have on the target (`dagshift rules --target-version`)."""
    return ordered(severity(status) for status in table()["targets"][target].values() if status["status"] != "ok")


def screen(text: str, target: str) -> bool:
    """Whether a `from airflow import ...` statement of the text names a dropped name (or needs a parse)."""
    from dagshift.rules.imports.tables import import_statements

    dropped = _dropped(target)
    for module, names in import_statements(text):
        if module != "airflow":
            continue
        if names is None or any(name in dropped for name in names):
            return True  # a dropped name, or a list only the parser can read
    return False


def analyse(ctx: Any) -> list[Finding]:
    from dagshift.fixers.imports import move_names
    from dagshift.fixers.lines import indent_at

    statuses = table()["targets"][ctx.target]
    by_statement: dict[int, list[tuple[Any, dict]]] = {}
    for imported in ctx.imports:
        if imported.level or imported.module != "airflow" or imported.name is None:
            continue
        status = statuses.get(imported.name)
        if status is None or status["status"] == "ok":
            continue
        if any(_works(alt, statuses) for alt in ctx.imports.alternatives(imported)):
            continue
        by_statement.setdefault(id(imported.statement), []).append((imported, status))

    findings = []
    for found in by_statement.values():
        statement = found[0][0].statement
        names = list(statement.names)
        moves = {
            names.index(imp.alias): tuple(status["destination"].rsplit(".", 1))
            for imp, status in found
            if "destination" in status
        }
        fix = None
        if moves:
            start, end = ctx.span(statement)
            edit = move_names(ctx.module, statement, (start, end), indent_at(ctx.index, start), moves)
            fix = Fix((edit,), SAFE, "import from the module that defines it")
        for imp, status in found:
            deprecated = severity(status) == WARNING
            destination = status.get("destination")
            if destination:
                module, _, name = destination.rpartition(".")
                hint = f"; import `{name}` from `{module}`"
            else:
                hint = "; it was removed with no replacement"
            problem = "is deprecated" if deprecated else "fails"
            findings.append(Finding(
                "DS105", imp.alias.name, f"`from airflow import {imp.name}` {problem} on Airflow {ctx.target}{hint}",
                severity(status), fix if destination else None,
            ))
    return findings


def _works(imported: Any, statuses: dict) -> bool:
    if imported.module != "airflow":
        return True
    status = statuses.get(imported.name or "")
    return status is None or status["status"] == "ok"
