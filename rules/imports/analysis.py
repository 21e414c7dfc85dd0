"""The analysis shared by DS101-DS104: every airflow import of a file checked against the
generated tables for the target version, with the fix for each statement.

Kept apart from the rule declarations (rules/imports/rules.py) so that listing rules never
imports libcst or loads the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import libcst as cst

from dagshift.fixers.imports import (
    alias_code,
    alias_comment,
    import_line,
    remove_imported_name,
    retarget,
    with_added,
    without,
)
from dagshift.fixers.lines import alone_on_its_lines, delete_lines, indent_at
from dagshift.linter.diagnostics import SAFE, UNSAFE, Edit, Fix
from dagshift.linter.findings import Finding, once_per_file
from dagshift.linter.imports import ImportedName, dotted_name
from dagshift.linter.names import NameUses
from dagshift.rules.dag_api.tables import owned
from dagshift.rules.imports.modules_as_names import ModulePlan, module_findings, module_fixes, module_plan
from dagshift.rules.imports.proofs import checked
from dagshift.rules.imports.tables import (
    TargetTables,
    any_pinned_dist,
    closed_world,
    guessed_dist,
    import_verdict,
    tables,
)
from dagshift.rules.imports.verdicts import (
    Move,
    closed_world_finding,
    import_finding,
    moved_finding,
    provider_finding,
)
from dagshift.rules.requirements.tables import installed_providers

# -- analysis --------------------------------------------------------------------------------


@dataclass
class Analysis:
    findings: list[Finding] = field(default_factory=list)


def analyse(ctx: Any) -> Analysis:
    return once_per_file(ctx, "import_moves", _analyse)


def _analyse(ctx: Any) -> Analysis:
    t = tables(ctx.target)
    result = Analysis()
    per_statement: dict[int, list[tuple[ImportedName, Finding]]] = {}
    module_bindings: list[tuple[ImportedName, str]] = []
    for imported in ctx.imports:
        if imported.level:
            continue
        if imported.name is None:  # import a.b.c [as m]
            if imported.module in t.old_modules:
                module_bindings.append((imported, imported.module))
            else:
                result.findings.extend(_plain_import(ctx, t, imported))
            continue
        path = imported.qualified
        if t.entries.get(path) is None and path in t.old_modules:
            module_bindings.append((imported, path))
            continue
        finding = from_import_finding(t, imported, ctx)
        if finding is not None:
            per_statement.setdefault(id(imported.statement), []).append((imported, finding))

    uses = ctx.name_uses if per_statement or module_bindings else None
    if per_statement:
        assert uses is not None
        _plan_fixes(ctx, per_statement, uses)
        _unused_failing(ctx, per_statement, uses)
    for found in per_statement.values():
        result.findings.extend(f for _, f in found)
    by_statement: dict[int, list[ModulePlan]] = {}
    for imported, module in module_bindings:
        assert uses is not None
        by_statement.setdefault(id(imported.statement), []).append(module_plan(t, imported, module, uses))
    for plans in by_statement.values():
        module_fixes(ctx, plans)
        result.findings.extend(f for plan in plans for f in module_findings(plan))
    for finding in result.findings:
        finding.message = describe(finding.detail, ctx.target, finding.code)
        if finding.detail.uses:
            finding.message += f"; {finding.detail.uses}"
        if finding.detail.dist:
            ctx.record("providers", finding.detail.dist)
    return result


def from_import_finding(t: TargetTables, imported: ImportedName, ctx: Any = None, prove: bool = True) -> Optional[Finding]:
    """The finding `from module import name` gets on the target (not a 1.10 module imported as a
    name: the caller sends those to _module_findings), its Move checked against the identity proofs.
    Without a file (`ctx` None: scripts/verify_identity.py enumerating every rewrite dagshift
    offers, `prove` False: the rewrites as the tables give them), there is no try/except fallback to
    consult and nothing to record."""
    check = checked if prove else (lambda _t, finding: finding)
    path = imported.qualified
    entry = t.entries.get(path)
    if entry is None and imported.module in t.old_modules and (imported.name or "").startswith("_"):
        # A private helper of a 1.10 module that moved: no shim passes it on (a star import
        # skips `_` names; 2.4+'s deprecated modules serve their listed classes only).
        return import_finding("DS101", imported.alias.name, Move(path, None, None, True, reason="private"))
    if entry is None:
        return check(t, _judged(ctx, t, imported))
    if ctx is not None and any(_works(t, alt) for alt in ctx.imports.alternatives(imported)):
        return None
    if entry["status"] == "removed" and "to" not in entry and entry.get("last_to") in OWNED_ELSEWHERE:
        return None  # (a 1.10 SubDagOperator path on Airflow 3: DS510 says what to do)
    if ctx is not None and owned(t.target, path):
        # (a class its provider replaced: DS515 rewrites its calls in a Python file, and the import
        # with them; a YAML DAG's `operator:` path, read without a file context, is judged here)
        return None
    return check(t, moved_finding(t, imported.alias.name, path, entry))


def _unused_failing(ctx: Any, per_statement: dict, uses: NameUses) -> None:
    """A name whose import fails on the target and that the file no longer uses (another rule's fix
    replaced its calls: `days_ago`, `apply_defaults`) is deleted from its import by a safe fix."""
    for found in per_statement.values():
        for imported, finding in found:
            if finding.fix is not None or finding.code != "DS101" or finding.detail.new is not None:
                continue
            if imported.enclosing or imported.alias.asname is not None and not isinstance(imported.alias.asname.name, cst.Name):
                continue
            if uses.rename_sites(imported.local) != [] or not alone_on_its_lines(ctx, imported.statement):
                continue
            if f'"{imported.local}"' in ctx.text or f"'{imported.local}'" in ctx.text:
                continue  # named in a string (`__all__`, getattr): a re-export, not dead code
            finding.fix = Fix((remove_imported_name(ctx, imported),), SAFE, f"delete the unused import of `{imported.local}`")


def _verdict(ctx: Any, t: TargetTables, imported: ImportedName) -> Optional[str]:
    """The closed world's verdict on an import no move table knows, less what other rules own and
    what a working try/except alternative makes moot."""
    verdict = import_verdict(t, imported.module, imported.name)
    if verdict is not None and (imported.qualified in OWNED_ELSEWHERE or ctx is not None and owned(t.target, imported.qualified)):
        return None
    if verdict is not None and ctx is not None and any(_works(t, alt) for alt in ctx.imports.alternatives(imported)):
        return None
    return verdict


def _plain_import(ctx: Any, t: TargetTables, imported: ImportedName) -> list[Finding]:
    """`import airflow.x.y [as m]` of a module no 1.10 table knows."""
    verdict = _verdict(ctx, t, imported)
    if verdict is None:
        _record_provider(ctx, t, imported.module)
        missing = _uninstallable(ctx, t, imported)
        return [missing] if missing is not None else []
    finding = checked(t, closed_world_finding(t, imported, verdict))
    return [finding] if finding is not None else []


def _judged(ctx: Any, t: TargetTables, imported: ImportedName) -> Optional[Finding]:
    """`from airflow.x import y` that no 1.10 table knows."""
    verdict = _verdict(ctx, t, imported)
    if verdict is None:
        _record_provider(ctx, t, imported.module)
        return _uninstallable(ctx, t, imported)
    if imported.module.startswith("airflow.providers.") and verdict != "warns":
        return provider_finding(ctx, t, imported)
    return closed_world_finding(t, imported, verdict)


# Deprecated or removed paths a rule of another family reports with its own advice and fix (one
# finding per import): DS503 (DummyOperator -> EmptyOperator), DS510 (SubDagOperator -> TaskGroup);
# and, where the target's provider deprecated or dropped it, every class DS515 replaces by another
# (`owned`: PostgresOperator -> SQLExecuteQueryOperator...).
OWNED_ELSEWHERE = frozenset({"airflow.operators.dummy.DummyOperator", "airflow.operators.subdag.SubDagOperator"})


def _uninstallable(ctx: Any, t: TargetTables, imported: ImportedName) -> Optional[Finding]:
    """An import of a provider the target's constraint file does not pin, in an environment with no
    requirements file to install it: nothing puts the module there, so the import fails (with a
    requirements file, DS305 says on that file whether it is required)."""
    module = imported.module
    if ctx is None or not module.startswith("airflow.providers.") or t.dist_of(module) is not None:
        return None
    if ctx.membership is None or ctx.environment_files("requirements"):
        return None
    dist = any_pinned_dist(module) or guessed_dist(module)
    if ctx.imports.alternatives(imported):
        return None  # (a try/except around it: the file copes without it)
    return import_finding("DS104", imported.alias.name, Move(imported.qualified, None, dist, True, reason=(
        f"it is in {dist}, which Airflow {t.target}'s constraint file does not pin and MWAA does not install, "
        "and this environment has no requirements file to install it")))


def _record_provider(ctx: Any, t: TargetTables, module: str) -> None:
    """The provider distribution an import needs (DS305 asks the requirements for it): a pinned
    one, or one the target does not pin (a distribution some target pins, else the name the module
    path gives), which only requirements.txt can bring."""
    if ctx is None:
        return
    dist = t.dist_of(module) or (any_pinned_dist(module) if module.startswith("airflow.providers.") else None)
    if dist:
        ctx.record("providers", dist)


def _works(t: TargetTables, imported: ImportedName) -> bool:
    return (imported.level > 0 or imported.qualified not in t.entries and imported.module not in t.old_modules
            and closed_world(t, imported.module, imported.name) in (None, "warns"))


@dataclass
class _Move:
    imported: ImportedName
    finding: Finding
    dest_module: str
    alias_text: str  # 'New', 'New as local' ...
    index: int  # position of the name in its statement
    new_name: Optional[str]  # the imported name when it changes ('New' or 'New as Old'), else None


def _plan_fixes(ctx: Any, per_statement: dict[int, list[tuple[ImportedName, Finding]]], uses: NameUses) -> None:
    """Give each finding with a destination a fix; names going to one module end up in one statement.

    A destination module the file already imports from (at top level) receives the names; otherwise
    the first top-level statement moving names there holds the new `from ... import ...` line, and
    later statements that become empty are deleted. Statements that carry comments, or that are
    not at top level, are rewritten in place, so no comment is ever dropped.
    """
    moves: list[_Move] = []
    renames: dict[int, list[Edit]] = {}
    unsafe: set[int] = set()
    for found in per_statement.values():
        statement = found[0][0].statement
        if not isinstance(statement, cst.ImportFrom) or isinstance(statement.names, cst.ImportStar):
            continue
        names = list(statement.names)
        for imported, finding in found:
            if finding.detail.new is None or _silenced(ctx, imported, finding.code):
                continue
            if not finding.detail.proven:
                unsafe.add(id(finding))  # (no proof that the new path is the same object: see `checked`)
            dest_module, _, dest_name = finding.detail.new.rpartition(".")
            old_name = imported.name or ""
            text = dest_name
            if dest_name != old_name and imported.alias.asname is None:
                sites = uses.rename_sites(imported.local)
                if sites is None:
                    # The file re-binds the name: keep it, import the new class under it.
                    text = f"{dest_name} as {old_name}"
                    unsafe.add(id(finding))
                else:
                    renames[id(finding)] = [Edit(*_span(ctx, node), dest_name) for node in sites]
            index = names.index(imported.alias)
            moves.append(_Move(
                imported, finding, dest_module, alias_code(ctx.module, imported.alias, text), index,
                text if text != old_name else None,
            ))

    moving = {id(m.imported.statement) for m in moves}
    existing = _existing_imports(ctx, {m.dest_module for m in moves}, moving)
    by_dest: dict[str, list[_Move]] = {}
    for move in moves:
        by_dest.setdefault(move.dest_module, []).append(move)
    for dest, group in by_dest.items():
        _group_fix(ctx, dest, group, existing.get(dest), renames, unsafe)


def _group_fix(
    ctx: Any, dest: str, group: list["_Move"], host: Optional[cst.ImportFrom],
    renames: dict[int, list[Edit]], unsafe: set[int],
) -> None:
    statements: dict[int, list[_Move]] = {}
    for move in group:
        statements.setdefault(id(move.imported.statement), []).append(move)
    ordered = sorted(statements.values(), key=lambda ms: ctx.span(ms[0].imported.statement)[0])
    mergeable = [ms for ms in ordered if _mergeable(ctx, ms[0].imported)]
    # Where the merged names go: the file's own import of `dest`; else a top-level mover that has to
    # stay anyway (it carries comments); else the first top-level mover.
    top = [ms for ms in ordered if not ms[0].imported.enclosing]
    staying = [ms for ms in top if not any(ms is m for m in mergeable)]
    candidates: list[Optional[list[_Move]]] = [*staying, *top, None]
    holder = candidates[0] if host is None else None
    merged = [ms for ms in mergeable if ms is not holder]
    edits: list[Edit] = []
    added = [m.alias_text for ms in merged for m in ms]
    newline = ctx.module.default_newline
    for ms in ordered:
        statement = ms[0].imported.statement
        assert isinstance(statement, cst.ImportFrom)  # only `from` statements are planned (_plan_fixes)
        span = ctx.span(statement)
        rest = without(ctx.module, statement, {m.index for m in ms})
        if any(ms is other for other in merged):
            edits.append(Edit(span[0], span[1], rest) if rest is not None else delete_lines(ctx.index, *span))
            continue
        extra = added if ms is holder else []
        if rest is None:
            # Every name goes here: change the module in place, so comments and layout stay.
            renamed = {m.index: m.new_name for m in ms if m.new_name}
            edits.append(Edit(span[0], span[1], retarget(ctx.module, statement, dest, renamed, extra)))
            continue
        line = import_line(dest, [m.alias_text for m in ms] + extra, indent_at(ctx.index, span[0]), newline)
        comments = [c for c in (alias_comment(m.imported.alias) for m in ms) if c]
        if comments:
            line += "  " + " ".join(comments)
        edits.append(Edit(span[0], span[1], (newline + indent_at(ctx.index, span[0])).join([rest, line])))
    if host is not None and added:
        edits.append(Edit(*_span(ctx, host), with_added(ctx.module, host, added)))
    for move in group:
        edits.extend(renames.get(id(move.finding), []))
    applicability = UNSAFE if any(id(m.finding) in unsafe for m in group) else SAFE
    fix = Fix(tuple(sorted(set(edits), key=lambda e: e.start)), applicability, f"import from `{dest}`")
    for move in group:
        move.finding.fix = fix


def _span(ctx: Any, node: cst.CSTNode) -> tuple[int, int]:
    return ctx.span(node)


def _existing_imports(ctx: Any, modules: set[str], moving: set[int]) -> dict[str, cst.ImportFrom]:
    """Top-level `from M import ...` statements, for M a destination, that no fix is rewriting."""
    found: dict[str, cst.ImportFrom] = {}
    for imported in ctx.imports:
        statement = imported.statement
        if id(statement) in moving:
            continue
        if (
            imported.level == 0 and imported.name is not None and not imported.enclosing
            and imported.module in modules and imported.module not in found
            and isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar)
            and "#" not in ctx.text[slice(*ctx.span(statement))]  # its code, without generating it
        ):
            found[imported.module] = statement
    return found


def _mergeable(ctx: Any, imported: ImportedName) -> bool:
    """Top level, alone on its line, and without comments: safe to fold into another statement."""
    return not imported.enclosing and alone_on_its_lines(ctx, imported.statement)


def _silenced(ctx: Any, imported: ImportedName, code: str) -> bool:
    """A name whose line says `# noqa` for this code keeps its import untouched."""
    from dagshift.linter.noqa import parse_line

    line = ctx.index.position(ctx.span(imported.alias.name)[0])[0]
    comment = parse_line(line, ctx.index.line_text(line))
    return comment is not None and comment.silences(code)


def describe(finding: Move, target: str, code: str) -> str:
    where = ""
    if finding.dist:  # the environment may have the provider already (MWAA's image, Airflow's own requirements)
        where = (f" (in {finding.dist}, which MWAA {target} installs)" if finding.dist in installed_providers(target)
                 else f" (install {finding.dist})")
    if code == "DS104":
        if finding.new:
            return f"`{finding.old}` does not exist in the provider version Airflow {target} pins; use `{finding.new}`{where}"
        if finding.reason.startswith("it is in "):  # a provider the target does not pin (_uninstallable)
            return f"`{finding.old}` cannot be imported on Airflow {target}: {finding.reason}"
        return f"`{finding.old}` does not exist in the provider version Airflow {target} pins: {finding.reason}"
    if not finding.removed and finding.new is None:
        return f"`{finding.old}` is deprecated on Airflow {target}: {finding.reason}"
    if finding.new is None and finding.reason == "private":
        return (f"`{finding.old}` does not exist on Airflow {target}: it was a private helper of Airflow 1.10's "
                f"`{finding.old.rpartition('.')[0]}`, which no shim passes on; copy what you need into your own code")
    if finding.new is None and finding.reason:
        return f"`{finding.old}` does not exist on Airflow {target}: {finding.reason}"
    if finding.new is None:
        return f"`{finding.old}` does not exist on Airflow {target} and has no replacement"
    if code == "DS103":
        state = "was removed" if finding.removed else "is deprecated"
        return f"`{finding.old}` {state} on Airflow {target}: renamed to `{finding.new}`{where}"
    if finding.removed:
        return f"`{finding.old}` does not exist on Airflow {target}: it moved to `{finding.new}`{where}"
    return f"`{finding.old}` is deprecated on Airflow {target}: it moved to `{finding.new}`{where}"


__all__ = ["analyse", "describe", "dotted_name"]
