"""What DS201-DS206 find in one file, with the fixes (imported on first use: needs libcst)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

import libcst as cst

from dagshift.fixers.imports import move_names, remove_imported_name
from dagshift.fixers.lines import alone_on_its_lines, delete_lines, delete_statement, indent_at
from dagshift.linter.diagnostics import SAFE, UNSAFE, WARNING, Fix
from dagshift.linter.findings import Finding, once_per_file
from dagshift.linter.imports import dotted_name
from dagshift.linter.walk import walk
from dagshift.rules.imports.tables import plugin_namespace, tables
from dagshift.rules.plugins.index import NAMESPACES

APPLY_DEFAULTS = {"airflow.utils.decorators.apply_defaults", "airflow.utils.apply_defaults"}


def _plugin_for(index: dict, kind: str, name: str) -> list[tuple[str, dict, Optional[str]]]:
    """(plugin name, plugin, defining module) of every plugin listing `name` under `kind`."""
    found = []
    for plugin_name, plugin in index["plugins"].items():
        listed = plugin["listed"].get(kind, {})
        if name in listed:
            found.append((plugin_name, plugin, listed[name]))
    return found


def analyse(ctx: Any) -> list[Finding]:
    """DS201-DS207 on one file, once however many of them are enabled."""
    return once_per_file(ctx, "plugins", _analyse)


def _analyse(ctx: Any) -> list[Finding]:
    index = ctx.facts.get("plugin_index", {"plugins": {}, "searched": []})
    return (namespace_findings(ctx, index) + plugin_class_findings(ctx) + apply_defaults_findings(ctx)
            + super_init_findings(ctx))


def namespace_findings(ctx: Any, index: dict) -> list[Finding]:
    """DS201 (operators, sensors, hooks) and DS205 (macros): imports through the 1.10 namespaces."""
    core = tables(ctx.target).core
    old_modules = tables(ctx.target).old_modules
    searched = ", ".join(sorted(set(index.get("searched", [])))) or "no plugins folder"
    findings: list[Finding] = []
    for imported in ctx.imports:
        if imported.level:
            continue
        module = imported.module
        parent, _, plugin_name = module.rpartition(".")
        kind = NAMESPACES.get(parent)
        # (a module some Airflow 2 core had is Airflow's own, gone on this target: DS101's, not a plugin)
        if kind is not None and module not in core and module not in old_modules and plugin_namespace(module):
            code = "DS205" if kind == "macros" else "DS201"
            if imported.name is None:
                findings.append(Finding(code, imported.alias.name, (
                    f"`import {module}`: Airflow has no `{parent}.<plugin>` modules since 2.0; import from the plugin's own module"
                )))
                continue
            findings.append(_namespaced(ctx, code, imported, index, kind, plugin_name, searched))
        elif module in NAMESPACES and imported.name is not None and NAMESPACES[module] != "macros":
            code, kind = "DS201", NAMESPACES[module]
            matches = _plugin_for(index, kind, imported.name)
            if f"{module}.{imported.name}" in tables(ctx.target).entries or f"{module}.{imported.name}" in old_modules:
                continue  # a 1.10 path of Airflow's own, or a 1.10 module imported as a name (DS101-DS103)
            if matches:
                plugin_name = matches[0][0]
                findings.append(_namespaced(ctx, code, imported, index, kind, plugin_name, searched, bare=True))
            elif imported.name not in core.get(module, ()) and f"{module}.{imported.name}" not in core:
                # (`from airflow.operators import bash`: a submodule the target has, imported as a name)
                findings.append(_unknown_bare_name(ctx, code, imported, searched))
    _attach_fixes(ctx, findings)
    return findings


def _unknown_bare_name(ctx: Any, code: str, imported: Any, searched: str) -> Finding:
    """`from airflow.operators import X` that neither the target nor a plugin of the repository has."""
    module, name = imported.module, imported.name
    homes = tables(ctx.target).homes(name)
    if len(homes) == 1:
        where, dist = homes[0]
        hint = f"`{name}` is in `{where}` (install {dist})"
    else:
        hint = "import it from the module that defines it, or add the plugin's code to the repository"
    return Finding(code, imported.alias.name, (
        f"`{module}.{name}` does not exist on Airflow {ctx.target}, and no plugin in this repository lists "
        f"`{name}` (searched {searched}): {hint}"
    ))


@dataclass
class _Move:
    """Where a namespaced import's name can go: its statement, its position there, the destination."""

    statement: Optional[cst.ImportFrom]
    index: int
    destination: Optional[str] = None


def _namespaced(ctx: Any, code: str, imported: Any, index: dict, kind: str, plugin_name: str, searched: str,
                bare: bool = False) -> Finding:
    name = imported.name
    old = f"{imported.module}.{name}"
    plugin = index["plugins"].get(plugin_name)
    statement = imported.statement if isinstance(imported.statement, cst.ImportFrom) else None
    position = list(statement.names).index(imported.alias) if statement is not None and not isinstance(
        statement.names, cst.ImportStar) else -1
    what = "macros" if kind == "macros" else "plugin"
    if plugin is None:
        message = (
            f"`{old}` was a 1.10 {what} import; plugin `{plugin_name}` is not in this repository "
            f"(searched {searched}): import `{name}` from the plugin's own module"
        )
        return Finding(code, imported.alias.name, message, detail=_Move(statement, position))
    listed = plugin["listed"].get(kind, {})
    if name not in listed:
        message = f"`{old}` was a 1.10 {what} import; plugin `{plugin_name}` ({plugin['path']}) does not list `{name}` in `{kind}`"
        return Finding(code, imported.alias.name, message, detail=_Move(statement, position))
    where = listed[name]
    if where is None:
        message = (
            f"`{old}` was a 1.10 {what} import; cannot tell which module of plugin `{plugin_name}` "
            f"({plugin['path']}) defines `{name}`"
        )
        return Finding(code, imported.alias.name, message, detail=_Move(statement, position))
    via = "through the bare package" if bare else f"through `airflow.{kind}.{plugin_name}`"
    message = f"`{name}` is imported {via}, which Airflow has not provided since 2.0: import it from `{where}`"
    return Finding(code, imported.alias.name, message, detail=_Move(statement, position, where))


def _attach_fixes(ctx: Any, findings: list[Finding]) -> None:
    """One fix per statement, moving its names to their plugins' modules; a later statement whose
    names all go to a module an earlier one already imports from is folded into it (top level,
    alone on its lines, without comments), so two plugin imports make one line, not two."""
    by_statement: dict[int, list[Finding]] = {}
    for finding in findings:
        move = finding.detail
        if isinstance(move, _Move) and move.statement is not None and move.destination:
            by_statement.setdefault(id(move.statement), []).append(finding)
    groups = sorted(by_statement.values(), key=lambda g: ctx.span(g[0].detail.statement)[0])
    hosts: dict[str, list[Finding]] = {}  # destination -> the group whose new statement holds it
    extra: dict[int, dict[str, list[str]]] = {}  # host group -> names folded into it
    folded: dict[int, list[list[Finding]]] = {}  # host group -> the groups folded into it
    for group in groups:
        statement = group[0].detail.statement
        names = list(statement.names)
        dests = {f.detail.destination for f in group}
        host = hosts.get(next(iter(dests))) if len(dests) == 1 and len(group) == len(names) else None
        if host is not None and _foldable(ctx, statement):
            dest = next(iter(dests))
            extra.setdefault(id(host), {}).setdefault(dest, []).extend(
                ctx.module.code_for_node(names[f.detail.index]).strip(", ") for f in group)
            folded.setdefault(id(host), []).append(group)
            continue
        if _foldable(ctx, statement):
            for dest in dests:
                hosts.setdefault(dest or "", group)
    for group in groups:
        if any(group in folded_groups for folded_groups in folded.values()):
            continue
        statement = group[0].detail.statement
        names = list(statement.names)
        moves = {f.detail.index: (f.detail.destination or "", ctx.module.code_for_node(names[f.detail.index].name))
                 for f in group}
        span = ctx.span(statement)
        edits = [move_names(ctx.module, statement, span, indent_at(ctx.index, span[0]), moves, extra.get(id(group)))]
        members = list(group)
        for other in folded.get(id(group), []):
            edits.append(delete_lines(ctx.index, *ctx.span(other[0].detail.statement)))
            members += other
        fix = Fix(tuple(edits), SAFE, "import from the plugin's module")
        for finding in members:
            finding.fix = fix


def _foldable(ctx: Any, statement: Any) -> bool:
    """Top level, alone on its lines, no comment: its lines can go, its names join another statement."""
    if not any(isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 and line.body[0] is statement
               for line in ctx.module.body):
        return False
    return alone_on_its_lines(ctx, statement)


# -- plugin classes (DS202-DS204) ------------------------------------------------------------

CODES = {"operators": "DS202", "sensors": "DS202", "hooks": "DS202", "admin_views": "DS203",
         "menu_links": "DS203", "executors": "DS204"}


# The MWAA versions whose documentation says Flask-AppBuilder plugins do not load (MWAA User Guide,
# "Apache Airflow v3 on Amazon MWAA"; shared/reference/airflow-2to3.md).
MWAA_WITHOUT_FAB_PLUGINS = ("3.0.6",)
FAB_UI = {"appbuilder_views": "DS208", "appbuilder_menu_items": "DS208", "flask_blueprints": "DS208"}


@lru_cache(maxsize=16)  # one per target: a report's matrix asks for each in turn
def plugin_attributes(target: str) -> frozenset[str]:
    from dagshift.linter.tables import load_table

    return frozenset(load_table("plugin_api", "targets")["targets"][target]["attributes"])


def _fab_ui(target: str, node: Any, attr: str) -> Finding:
    has = plugin_attributes(target)
    successors = "`fastapi_apps`" + (" (or `external_views` / `react_apps`)" if {"external_views", "react_apps"} <= has else "")
    mwaa = f", and MWAA {target} does not load it" if target in MWAA_WITHOUT_FAB_PLUGINS else ""
    return Finding("DS208", node, (
        f"`{attr}` is Flask-AppBuilder UI: Airflow {target} loads it only through the FAB provider's deprecated "
        f"compatibility layer{mwaa}; rewrite it as {successors}"
    ))


def plugin_class_findings(ctx: Any) -> list[Finding]:
    """DS202-DS204: the lists of AirflowPlugin classes (and Flask-Admin imports), in one pass."""
    findings = []
    for imported in ctx.imports:
        if imported.module == "flask_admin" or imported.module.startswith("flask_admin."):
            findings.append(Finding("DS203", imported.alias.name, (
                f"`{imported.qualified}`: Flask-Admin is not installed since Airflow 2; "
                "write the view for Flask-AppBuilder (`appbuilder_views`)"
            )))
    for stmt in ctx.module.body:
        if not isinstance(stmt, cst.ClassDef) or not any(
            (dotted_name(b.value) or "").split(".")[-1] == "AirflowPlugin" for b in stmt.bases
        ):
            continue
        for line in stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else []:
            if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
                continue
            small = line.body[0]
            if not isinstance(small, cst.Assign) or len(small.targets) != 1:
                continue
            target = small.targets[0].target
            attr = target.value if isinstance(target, cst.Name) else ""
            code = CODES.get(attr) or (FAB_UI.get(attr) if "fastapi_apps" in plugin_attributes(ctx.target) else None)
            if code is None:
                continue
            if code == "DS208":
                if not (isinstance(small.value, (cst.List, cst.Tuple)) and not small.value.elements):
                    findings.append(_fab_ui(ctx.target, target, attr))
                continue
            if isinstance(small.value, (cst.List, cst.Tuple)) and not small.value.elements:
                # An empty list breaks nothing: say so, and offer to delete the line.
                findings.append(Finding(code, target, f"`{attr}` is empty, and Airflow ignores it since 2.0: delete it",
                                        WARNING, delete_statement(ctx, line, SAFE, f"delete the empty `{attr}`")))
                continue
            if code == "DS202":
                findings.append(Finding(code, target, f"`{attr}` on an AirflowPlugin is ignored since Airflow 2: DAGs import "
                                                "these classes from their modules", fix=delete_statement(ctx, line, UNSAFE, "delete the attribute")))
            elif code == "DS203":
                replacement = "appbuilder_views" if attr == "admin_views" else "appbuilder_menu_items"
                findings.append(Finding(code, target, f"`{attr}` (Flask-Admin) is ignored since Airflow 2: use `{replacement}`",
                                        WARNING))
            else:
                findings.append(Finding(code, target, "plugin `executors` are not selectable by plugin name since Airflow 2: "
                                                "set `[core] executor` to the executor's full import path"))
    return findings


# -- apply_defaults (DS206) ------------------------------------------------------------------


class _Decorators:
    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.found: list[cst.Decorator] = []

    def visit_Decorator(self, node: cst.Decorator) -> None:
        if (dotted_name(node.decorator) or "") in self.names:
            self.found.append(node)


def apply_defaults_findings(ctx: Any) -> list[Finding]:

    local_names: dict[str, Any] = {}
    for imported in ctx.imports:
        if imported.qualified in APPLY_DEFAULTS:
            local_names[imported.local] = imported
        elif imported.name is None and imported.module in ("airflow.utils", "airflow.utils.decorators"):
            for qualified in APPLY_DEFAULTS:
                if qualified.startswith(imported.module + "."):
                    local_names[imported.local + qualified[len(imported.module):]] = None
    if not local_names:
        return []
    visitor = _Decorators(set(local_names))
    walk(ctx.module, visitor)
    if not visitor.found:
        return []
    edits = []
    for decorator in visitor.found:
        edits.append(delete_lines(ctx.index, *ctx.span(decorator)))
    uses = ctx.name_uses
    for local, imported in local_names.items():
        if imported is None or "." in local:
            continue
        references = uses.rename_sites(local) or []
        decorators = [d for d in visitor.found if dotted_name(d.decorator) == local]
        if len(references) != len(decorators):
            continue  # the name is used elsewhere too: keep the import
        edits.append(remove_imported_name(ctx, imported))
    fix = Fix(tuple(edits), SAFE, "remove `@apply_defaults`")
    return [
        Finding("DS206", d.decorator, "`@apply_defaults` is not needed since Airflow 2: BaseOperator applies default_args itself",
                fix=fix)
        for d in visitor.found
    ]


# -- super().__init__ arguments (DS207) ------------------------------------------------------

BASES = {
    "airflow.models.BaseOperator": "BaseOperator",
    "airflow.models.baseoperator.BaseOperator": "BaseOperator",
    "airflow.sensors.base.BaseSensorOperator": "BaseSensorOperator",
    "airflow.sensors.base_sensor_operator.BaseSensorOperator": "BaseSensorOperator",
    "airflow.operators.sensors.BaseSensorOperator": "BaseSensorOperator",
}


def _operator_args() -> dict:
    from dagshift.linter.tables import load_table

    return load_table("operator_args", "targets")["targets"]


def super_init_findings(ctx: Any) -> list[Finding]:
    accepted_by_target = ctx.shared.get("operator_args")
    if accepted_by_target is None:
        accepted_by_target = ctx.shared["operator_args"] = _operator_args()
    accepted = accepted_by_target.get(ctx.target, {})
    findings: list[Finding] = []
    for stmt in _classes(ctx.module):
        base = next((BASES[q] for b in stmt.bases if (q := ctx.imports.resolve(dotted_name(b.value) or "")) in BASES), None)
        if base is None or base not in accepted:
            continue
        init = next((s for s in stmt.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
        if init is None:
            continue
        for call in _super_init_calls(init):
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value not in accepted[base]:
                    findings.append(Finding("DS207", arg.keyword, (
                        f"`{arg.keyword.value}` is not an argument of {base} on Airflow {ctx.target}: creating a "
                        f"`{stmt.name.value}` raises \"Invalid arguments were passed\""
                    )))
    return findings


def _classes(module: cst.Module) -> list[cst.ClassDef]:
    return [s for s in module.body if isinstance(s, cst.ClassDef) and isinstance(s.body, cst.IndentedBlock)]


class _SuperCalls:
    def __init__(self) -> None:
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (
            isinstance(func, cst.Attribute) and func.attr.value == "__init__"
            and isinstance(func.value, cst.Call) and isinstance(func.value.func, cst.Name)
            and func.value.func.value == "super"
        ):
            self.calls.append(node)


def _super_init_calls(init: cst.FunctionDef) -> list[cst.Call]:
    visitor = _SuperCalls()
    walk(init, visitor)
    return visitor.calls
