"""1.10 modules imported as names (`import airflow.contrib.hooks.aws_hook as m`, `from
airflow.contrib.operators import gcs_to_bq, gcs_to_gcs`) and their `module.Name` uses: one finding
on the import for a module whose uses all go to one new module (with the fix that moves every module
of the statement to its new home and respells the uses), else one finding per use (each class's own
fate: a use with no single home keeps the old module, and no fix can move it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

import libcst as cst

from dagshift.fixers.lines import indent_at
from dagshift.linter.diagnostics import ERROR, SAFE, UNSAFE, Edit, Fix
from dagshift.linter.findings import Finding
from dagshift.linter.imports import ImportedName
from dagshift.rules.imports.proofs import checked
from dagshift.rules.imports.tables import TargetTables
from dagshift.rules.imports.verdicts import Move, import_finding, moved_finding

if TYPE_CHECKING:
    from dagshift.linter.names import NameUses


@dataclass
class ModulePlan:
    """A 1.10 module imported as a name (`import a.b.c as m`, `from a.b import c`), and its uses."""

    imported: ImportedName
    prefix: str  # how the uses spell the module: `m.C`, `c.C`, `a.b.c.C`
    findings: list[Finding]
    dest: Optional[str]  # the one module every use goes to (None: no single one, or a use stays)


def module_plan(t: TargetTables, imported: ImportedName, module: str, uses: "NameUses") -> ModulePlan:
    prefix = imported.local if (imported.alias.asname is not None or imported.name is not None) else module
    findings = []
    destinations: set[str] = set()
    unmapped = uses.other_uses(prefix)
    for node, dotted in uses.attribute_uses(prefix):
        name = dotted[len(prefix) + 1 :].split(".")[0]
        entry = t.entries.get(f"{module}.{name}")
        if entry is None:
            unmapped = True  # the old module is still needed for this name: no fix
            continue
        finding = checked(t, moved_finding(t, node, f"{module}.{name}", entry))
        assert finding is not None
        findings.append(finding)
        destinations.add(finding.detail.new.rpartition(".")[0] if finding.detail.new else "")
    single = not unmapped and len(destinations) == 1 and "" not in destinations and findings
    return ModulePlan(imported, prefix, findings, destinations.pop() if single else None)


def _use_edits(ctx: Any, plan: ModulePlan) -> list[Edit]:
    """Each use respelled for the new module: `a.b.c.C` whole; `m.Old` as `m.New` when renamed."""
    edits = []
    spelled_out = plan.imported.name is None and plan.imported.alias.asname is None
    for finding in plan.findings:
        new_name = finding.detail.new.rpartition(".")[2]
        if spelled_out:
            start, end = ctx.span(finding.at)
            edits.append(Edit(start, end, finding.detail.new))
        elif new_name != finding.detail.old.rpartition(".")[2]:
            start, end = ctx.span(finding.at)
            edits.append(Edit(start, end, f"{plan.prefix}.{new_name}"))
    return edits


def module_fixes(ctx: Any, plans: list[ModulePlan]) -> None:
    """Fixes for the 1.10 modules one statement imports as names: the statement rewritten to each
    module's new home, and every use respelled. Several modules in one `from` statement
    (`from airflow.contrib.operators import gcs_to_bq, gcs_to_gcs`) are rewritten together, one
    `from <package> import <module> [as <name>]` per new package; a statement that also imports
    something else, or a module one of whose uses has no single new home, gets no fix."""
    statement = plans[0].imported.statement
    if any(p.dest is None for p in plans):
        return
    edits: list[Edit] = []
    for plan in plans:
        edits.extend(_use_edits(ctx, plan))
    imported = plans[0].imported
    if imported.name is None:  # `import a.b.c [as m]`: one module per alias, renamed in place
        for plan in plans:
            assert plan.dest is not None
            start, end = ctx.span(plan.imported.alias.name)
            edits.append(Edit(start, end, plan.dest))
    else:
        assert isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar)
        if len(statement.names) != len(plans):
            return  # (the statement imports other names too: each needs its own decision)
        by_package: dict[str, list[str]] = {}
        for plan in plans:
            assert plan.dest is not None
            parent, _, last = plan.dest.rpartition(".")
            local = plan.imported.local
            by_package.setdefault(parent, []).append(last + (f" as {local}" if local != last else ""))
        span = ctx.span(statement)
        lines = [f"from {parent} import {', '.join(names)}" for parent, names in by_package.items()]
        edits.append(Edit(span[0], span[1], (ctx.module.default_newline + indent_at(ctx.index, span[0])).join(lines)))
    proven = all(f.detail.proven for plan in plans for f in plan.findings)
    fix = Fix(tuple(sorted(set(edits), key=lambda e: e.start)), SAFE if proven else UNSAFE,
              "import the modules' new locations" if len(plans) > 1 else "import the module's new location")
    for plan in plans:
        for finding in plan.findings:
            finding.fix = fix


def module_findings(plan: ModulePlan) -> list[Finding]:
    """The import's one finding when the module has a single new home, else each use's own."""
    if plan.dest is None or not plan.findings:
        return plan.findings
    moves = [f.detail for f in plan.findings]
    removed = any(m.removed for m in moves)
    module = moves[0].old.rpartition(".")[0]
    renamed = sorted({(m.old.rpartition(".")[2], m.new.rpartition(".")[2]) for m in moves
                      if m.new and m.new.rpartition(".")[2] != m.old.rpartition(".")[2]})
    uses = ("its uses are renamed: " + ", ".join(f"`{old}` -> `{new}`" for old, new in renamed)) if renamed else ""
    move = Move(module, plan.dest, moves[0].dist, removed, proven=all(m.proven for m in moves), uses=uses)
    finding = import_finding("DS101" if removed else "DS102", plan.imported.alias.name, move)
    finding.fix = plan.findings[0].fix
    if any(f.severity == ERROR for f in plan.findings):
        finding.severity = ERROR
    return [finding]
