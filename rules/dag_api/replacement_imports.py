"""DS515 at the import of a replaced class (rules/dag_api/replacements.py reports its calls): where
the file uses the class otherwise than by calling it, or not at all; and the severity of both."""

from __future__ import annotations

from typing import Any, Optional

from dagshift.fixers.imports import remove_imported_name
from dagshift.fixers.lines import alone_on_its_lines
from dagshift.linter.diagnostics import ERROR, SAFE, WARNING, Fix
from dagshift.linter.findings import Finding
from dagshift.rules.dag_api.tables import GONE, Replaced, replaced


def severity(found: Replaced) -> str:
    return ERROR if found.status == GONE else WARNING


def replaced_imports(visitor: Any) -> None:
    """DS515 at the import of a replaced class the file uses otherwise than by calling it (a base
    class, an isinstance test, a name passed on) or not at all: the import rules leave it to DS515,
    and no call's fix can take the import away."""
    for imported in visitor.ctx.imports:
        if imported.name is None or imported.level:
            continue
        found = replaced(visitor.target, imported.qualified)
        if found is None:
            continue
        if any(replaced(visitor.target, alt.qualified) is None for alt in visitor.ctx.imports.alternatives(imported)):
            continue  # (a version fallback beside an import that works: the author's choice)
        sites = visitor.ctx.name_uses.rename_sites(imported.local)
        if sites and all(id(site) in visitor.replaced_sites for site in sites):
            continue  # (every use is a call DS515 reports and rewrites)
        state = (f"is gone from {found.entry['dist']} {found.version}, which Airflow {visitor.target} pins: "
                 "the import fails" if found.status == GONE else
                 f"is deprecated in {found.entry['dist']} {found.version} (Airflow {visitor.target}'s pin)")
        fix = _unused(visitor.ctx, imported) if sites == [] else None
        advice = (f"it is used here other than by a call: move that code to `{found.entry['successor']}` by hand"
                  if sites or sites is None else "nothing here uses it: delete the import")
        visitor.findings.append(Finding("DS515", imported.alias.name, f"`{imported.name}` {state}; {advice}",
                                        severity=severity(found), fix=fix))


def _unused(ctx: Any, imported: Any) -> Optional[Fix]:
    """A safe fix deleting the import of a replaced class nothing in the file uses (any more: the
    calls' own fixes leave the import to the last of them, and to this), unless a string names it
    (`__all__`, getattr) or the import is part of version logic."""
    if imported.enclosing or not alone_on_its_lines(ctx, imported.statement):
        return None
    if f'"{imported.local}"' in ctx.text or f"'{imported.local}'" in ctx.text:
        return None
    return Fix((remove_imported_name(ctx, imported),), SAFE, f"delete the unused import of `{imported.local}`")
