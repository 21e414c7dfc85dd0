"""DS101-DS104 on the operator class paths of DAGs written in YAML (`operator: airflow.operators.
bash_operator.BashOperator`): the same verdict, destination and proof as the import of that path
in a Python DAG (analysis.from_import_finding), the fix a rewrite of the YAML scalar in place."""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

from dagshift.fixers.edits import replace_span
from dagshift.linter.diagnostics import SAFE, UNSAFE
from dagshift.linter.findings import Finding, once_per_file
from dagshift.linter.imports import ImportedName
from dagshift.rules.imports.analysis import describe, from_import_finding
from dagshift.rules.imports.tables import any_pinned_dist, tables
from dagshift.yaml_dags import Entry, Source, checked_edit, file_source


def yaml_source(ctx: Any) -> Optional[Source]:
    """The file's YAML DAG source (read once per file for every family)."""
    member = ctx.membership
    return file_source(ctx.text, ctx.relpath, member.role if member is not None else None, ctx.shared)


def analyse(ctx: Any) -> list[Finding]:
    return once_per_file(ctx, "import_moves_yaml", _analyse)


def _analyse(ctx: Any) -> list[Finding]:
    source = yaml_source(ctx)
    if source is None:
        return []
    t = tables(ctx.target)
    found: list[Finding] = []
    for block in source.tasks:
        entry = block.operator
        if entry is None or not str(entry.value.value).startswith("airflow."):
            continue  # the repository's own operator (gusty's `local.X`, a plugin's module)
        finding = _judge(ctx, t, source, entry)
        if finding is not None and not any(f.at == finding.at for f in found):  # (one anchored `operator:`)
            found.append(finding)
    return found


def _judge(ctx: Any, t: Any, source: Source, entry: Entry) -> Optional[Finding]:
    path = str(entry.value.value)
    module, _, name = path.rpartition(".")
    imported = ImportedName(name, path, module, name, 0, cst.ImportAlias(name=cst.Name(name)), None)  # type: ignore[arg-type]
    finding = from_import_finding(t, imported)
    if finding is None:
        dist = t.dist_of(module) or (any_pinned_dist(module) if module.startswith("airflow.providers.") else None)
        if dist:
            ctx.record("providers", dist)
        return None
    move = finding.detail
    start, end = source.span(entry.value)
    if entry.value.style in ("'", '"'):
        start, end = start + 1, end - 1
    finding.at = (start, end)
    finding.message = describe(move, ctx.target, finding.code)
    if move.dist:
        ctx.record("providers", move.dist)
    if move.new:
        name_in_file = ctx.relpath.rpartition("/")[2]
        if checked_edit(ctx.text, name_in_file, source.document, start, end, move.new, ("replace", entry.path, move.new)):
            finding.fix = replace_span(start, end, move.new, f"use `{move.new}`", SAFE if move.proven else UNSAFE)
    return finding
