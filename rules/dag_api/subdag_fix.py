"""DS510's findings on SubDagOperator calls and SubDAG factories, with the TaskGroup rewrite.

The decisions are subdag.py's (the same functions as the project phase, on the file as it is now,
with the factories as the project phase saw them); this module turns them into findings and edits:

- the call `SubDagOperator(task_id="s", subdag=factory(..., "s", args), dag=dag)` becomes
  `factory(..., "s", args, parent_dag=dag)` (and `parent_group=<outer group>` inside a factory),
  which returns the group, so `a >> s >> b` keeps its edges;
- the factory gains `parent_dag, parent_group=None`; `d = DAG(...)` becomes
  `d = TaskGroup(group_id=<child>, default_args=..., dag=parent_dag, parent_group=parent_group)`
  (`with DAG(...) as d:` becomes `with parent_dag, TaskGroup(...) as d:`); each `dag=d` becomes
  `dag=parent_dag, task_group=d`; TaskGroup is imported.
"""

from __future__ import annotations

import ast
from typing import Any, Optional

import libcst as cst

from dagshift.fixers.imports import remove_imported_name
from dagshift.fixers.lines import line_start
from dagshift.linter.diagnostics import UNSAFE, Edit, Fix
from dagshift.linter.findings import Finding
from dagshift.rules.dag_api import severity
from dagshift.rules.dag_api.subdag import Source, operator_aliases, site_id, subdag_calls
from dagshift.rules.dag_api.subdag_factory import dag_statement
from dagshift.rules.dag_api.subdag_inline import site

HOMES = {True: "airflow.sdk", False: "airflow.utils.task_group"}
MODULES = frozenset({"airflow.operators.subdag", "airflow.operators.subdag_operator"})


def subdag_findings(visitor: Any, calls: list[cst.Call]) -> bool:
    """Report each SubDagOperator call and each factory to rewrite; True when every call moves
    (the SubDagOperator import can go)."""
    ctx = visitor.ctx
    factories = (ctx.facts.get("subdags") or {}).get("factories", {})
    mine = [k for k, f in factories.items() if k.startswith(ctx.relpath + "::") and not f.get("blocked") and not f.get("reason")]
    if not calls and not mine:
        return not calls
    try:
        tree = ast.parse(ctx.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    src = Source(ctx.file.entry.path.resolve(), ctx.relpath, tree, ctx.settings.root.resolve())
    found = subdag_calls(src)
    if len(found) != len(calls):
        return False  # (cannot pair the two readings: report nothing of the rewrite)
    decided = (ctx.facts.get("subdags") or {}).get("sites", {}).get(ctx.relpath, [])
    moved = True
    for call, node in zip(found, calls):
        key = site_id(call, src)
        decision = next((d for d in decided if d["id"] == key), None)
        if decision is None:  # (not the call the project phase decided on: its factory's fix may not match)
            decision = {**site(call, src, factories.get), "reason": "the call changed since dagshift read the repository"}
        moved &= _site(visitor, decision, node)
    for key in mine:
        _factory(visitor, src, factories[key])
    moved = moved and _only_calls(src, calls)
    _module_imports(visitor, src, moved)
    return moved


def _module_imports(visitor: Any, src: Source, moved: bool) -> None:
    """`import airflow.operators.subdag_operator as so`, used only as `so.SubDagOperator`: the
    import fails on Airflow 3 as the name does; it goes with the calls."""
    if not visitor.facts["subdag_removed"]:
        return
    for imported in visitor.ctx.imports:
        statement = imported.statement
        if (imported.enclosing or not isinstance(statement, cst.Import) or len(statement.names) != 1
                or imported.qualified not in MODULES or statement.names[0].asname is None):
            continue
        local = imported.local
        uses = [n for n in ast.walk(src.tree) if isinstance(n, ast.Name) and n.id == local and isinstance(n.ctx, ast.Load)]
        only = all(isinstance(a := src.parents.get(n), ast.Attribute) and a.attr == "SubDagOperator" for n in uses)
        fix = Fix((remove_imported_name(visitor.ctx, imported),), UNSAFE, "remove the import") if moved and only else None
        visitor.findings.append(Finding("DS510", imported.alias.name, (
            f"`{imported.qualified}` was removed in Airflow 3: the import fails on {visitor.target}; rewrite its "
            "SubDagOperator's sub-DAG as a TaskGroup (`airflow.sdk.TaskGroup`) in the parent DAG"
        ), severity=severity.subdag(visitor.facts), fix=fix))


def _only_calls(src: Source, calls: list[cst.Call]) -> bool:
    """Whether the SubDagOperator name is used by the calls only (so its import can go)."""
    names = operator_aliases(src.bindings) | {"SubDagOperator"}
    uses = [n for n in ast.walk(src.tree) if isinstance(n, (ast.Name, ast.Attribute))
            and (n.id if isinstance(n, ast.Name) else n.attr) in names and isinstance(n.ctx, ast.Load)]
    return len(uses) == len(calls)


def _site(visitor: Any, found: dict, node: cst.Call) -> bool:
    ctx, group = visitor.ctx, found["group"]
    if found["reason"]:
        visitor.findings.append(Finding("DS510", node.func, (
            f"SubDagOperator `{group}` is not rewritten as a TaskGroup: {found['reason']}"
        ), severity=severity.subdag(visitor.facts)))
        return False
    if found.get("inline"):
        return _inline(visitor, found, node)
    made = next(a.value for a in node.args if a.keyword is not None and a.keyword.value == "subdag")
    names = found["names"]  # (the factory's new parameters; inside a factory, its own DAG parameter)
    extra = f"{names[0]}={found['parent']}" if not found["outer"] else (
        f"{names[0]}={names[2]}, {names[1]}={found['parent']}")
    code = _nulled(ctx, made, found.get("nulled", []))  # (as written: libcst renders a node without its block's indent)
    start, end = ctx.span(node)
    text = _with_keywords(_dedented(code, _indent(ctx, ctx.span(made)[0]) - _indent(ctx, start)), extra,
                          ctx.module.default_newline)
    notes = _notes(found, node)
    for _, param, was in found.get("nulled", []):
        notes.append(f"`{param}` gets None instead of `{was}` (Airflow 3's DAG has no such attribute, and only the "
                     "sub-DAG's own arguments read it)")
    name = code.split("(", 1)[0]
    visitor.findings.append(Finding("DS510", node.func, (
        f"SubDagOperator `{group}` can become a TaskGroup built by `{name}(...)` "
        + ("inside its parent's group" if found["outer"] else "in the parent DAG") + ": at run time "
        + ", ".join(notes[:-1]) + " and " + notes[-1]
    ), severity=severity.subdag(visitor.facts), fix=Fix((Edit(start, end, text),), UNSAFE,
                                                          f"build `{group}` as a TaskGroup")))
    return True


def _notes(found: dict, node: cst.Call) -> list[str]:
    group = found["group"]
    literal = isinstance(node_task_id(node), cst.SimpleString)
    notes = [f"its tasks' ids gain the prefix `{group}.`" if literal else
             f"its tasks' ids gain the group id (the value of `{group}`) and a dot as a prefix",
             "they run in the parent DAG's run (no separate DagRun)"]
    if found.get("parent_defaults"):
        notes.append("the parent DAG's default_args now apply to them where the group's do not set a key")
    if found["dropped"]:
        notes.append("the SubDagOperator's own " + ", ".join(f"`{k}=`" for k in found["dropped"])
                     + (" are" if len(found["dropped"]) > 1 else " is") + " dropped")
    return notes


def _inline(visitor: Any, found: dict, node: cst.Call) -> bool:
    """The module-level sub-DAG `sub = DAG(...)` becomes `TaskGroup(...)` of the parent DAG, its
    tasks get `task_group=`, and the SubDagOperator call becomes `sub`: one fix, one file."""
    ctx, var, parent = visitor.ctx, found["inline"]["var"], found["parent"]
    dag_call = _module_dag_call(ctx.module, var, found["inline"]["form"])
    home = HOMES[bool(visitor.facts["subdag_removed"])]
    clash = "TaskGroup" in ctx.imports.by_local and ctx.imports.resolve("TaskGroup") not in {f"{h}.TaskGroup" for h in HOMES.values()}
    if dag_call is None or clash:
        return False
    task_id = node_task_id(node)
    arguments = [f"group_id={ctx.text[slice(*ctx.span(task_id))]}"] if task_id is not None else []
    default_args = next((a.value for a in dag_call.args if a.keyword is not None and a.keyword.value == "default_args"), None)
    if default_args is not None:
        arguments.append(f"default_args={ctx.text[slice(*ctx.span(default_args))]}")
    group = f"TaskGroup({', '.join(arguments + [f'dag={parent}'])})"
    shown = f"TaskGroup({arguments[0]})" if arguments else "TaskGroup(...)"
    start, end = ctx.span(dag_call)
    edits = [Edit(start, end, group if found["inline"]["form"] == "assign" else f"{parent}, {group}"),
             Edit(ctx.span(node)[0], ctx.span(node)[1], var)] + _task_edits(ctx, ctx.module, var, parent)
    if "TaskGroup" not in ctx.imports.by_local:
        edits.append(_import(visitor, f"from {home} import TaskGroup"))
    notes = _notes(found, node)
    visitor.findings.append(Finding("DS510", node.func, (
        f"SubDagOperator `{found['group']}` can become a TaskGroup: the fix builds `{var}` as "
        f"`{shown}` in the parent DAG `{parent}` instead of a DAG, and its tasks get `task_group=`: "
        "at run time " + ", ".join(notes[:-1]) + " and " + notes[-1]
    ), severity=severity.subdag(visitor.facts), fix=Fix(tuple(edits), UNSAFE, f"build `{found['group']}` as a TaskGroup")))
    return True


def _module_dag_call(module: cst.Module, var: str, form: str) -> Optional[cst.Call]:
    for stmt in module.body:
        if form == "assign" and isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Assign):
            assign = stmt.body[0]
            if (len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name)
                    and assign.targets[0].target.value == var and isinstance(assign.value, cst.Call)):
                return assign.value
        if form == "with" and isinstance(stmt, cst.With) and len(stmt.items) == 1 and stmt.items[0].asname is not None:
            name = stmt.items[0].asname.name
            if isinstance(name, cst.Name) and name.value == var and isinstance(stmt.items[0].item, cst.Call):
                return stmt.items[0].item
    return None


def _nulled(ctx: Any, made: cst.BaseExpression, nulled: list) -> str:
    """The factory call's text, with None for the arguments that read what Airflow 3's DAG lacks."""
    begin, end = ctx.span(made)
    code = ctx.text[begin:end]
    if not isinstance(made, cst.Call):
        return code
    spans = []
    for where, _, _ in nulled:
        arg = made.args[where] if isinstance(where, int) else next(
            a for a in made.args if a.keyword is not None and a.keyword.value == where)
        spans.append(ctx.span(arg.value))
    for a, b in sorted(spans, reverse=True):
        code = code[:a - begin] + "None" + code[b - begin:]
    return code


def _indent(ctx: Any, offset: int) -> int:
    line = ctx.text[ctx.text.rfind("\n", 0, offset) + 1:offset]
    return len(line) - len(line.lstrip())


def _dedented(code: str, by: int) -> str:
    """The call's continuation lines moved left as far as the SubDagOperator's arguments were
    indented beyond it (not when a string may span lines: its text would change)."""
    lines = code.split("\n")
    if by <= 0 or '"""' in code or "\'\'\'" in code or any(line[:by].strip() for line in lines[1:]):
        return code
    return "\n".join([lines[0]] + [line[by:] for line in lines[1:]])


def _with_keywords(code: str, extra: str, newline: str = "\n") -> str:
    """`f(a, b)` -> `f(a, b, extra)`; a call whose `)` stands on its own line gets a line for them."""
    inner = code[:-1].rstrip()
    closing = code.rfind("\n")
    if closing != -1 and not code[closing + 1:-1].strip() and inner.endswith(","):
        last = code[code.rfind("\n", 0, closing) + 1:]
        indent = last[:len(last) - len(last.lstrip())]
        return f"{code[:closing + 1]}{indent}{extra},{newline}{code[closing + 1:]}"
    return inner + ("" if inner.endswith("(") else " " if inner.endswith(",") else ", ") + extra + ")"


def node_task_id(node: cst.Call) -> Optional[cst.BaseExpression]:
    return next((a.value for a in node.args if a.keyword is not None and a.keyword.value == "task_id"), None)


def _factory(visitor: Any, src: Source, facts: dict) -> None:
    ctx = visitor.ctx
    fn_ast = src.functions.get(facts["name"])
    fn = next((s for s in ctx.module.body if isinstance(s, cst.FunctionDef) and s.name.value == facts["name"]), None)
    found = dag_statement(fn_ast) if fn_ast is not None else "gone"
    if fn is None or isinstance(found, str):
        return  # (already rewritten, or no longer what the project phase saw)
    form, var, _ = found
    home = HOMES[bool(visitor.facts["subdag_removed"])]
    if "TaskGroup" in ctx.imports.by_local and ctx.imports.resolve("TaskGroup") not in {f"{h}.TaskGroup" for h in HOMES.values()}:
        return  # (`TaskGroup` means something else here)
    dag, parent_group = facts["names"]
    edits = [_parameters(ctx, fn, bool(facts["defaults"]) or bool(facts.get("forward") or facts.get("star")), dag, parent_group)]
    dag_call = _dag_call(fn)
    if dag_call is None:
        return
    arguments = [f"group_id={facts['group']}"]
    default_args = next((a.value for a in dag_call.args if a.keyword is not None and a.keyword.value == "default_args"), None)
    if default_args is not None:
        arguments.append(f"default_args={ctx.text[slice(*ctx.span(default_args))]}")
    elif facts.get("forward"):  # (the call site's `default_args=`, if it gives one, reaches the DAG through it)
        # `or {}`: a call that passes none gave Airflow 2's DAG None, which it read as {}; Airflow 3's
        # TaskGroup keeps None and fails at its first task ("'NoneType' object is not iterable").
        arguments.append(f"default_args={facts['forward']}.get(\"default_args\") or {{}}")
    arguments += [f"dag={dag}", f"parent_group={parent_group}"]
    group = f"TaskGroup({', '.join(arguments)})"
    start, end = ctx.span(dag_call)
    edits.append(Edit(start, end, group if form == "assign" else f"{dag}, {group}"))
    edits += _task_edits(ctx, fn, var, dag)
    if "TaskGroup" not in ctx.imports.by_local:
        edits.append(_import(visitor, f"from {home} import TaskGroup"))
    sites = facts.get("sites", [])
    many = "s" if len(sites) > 1 else ""
    visitor.findings.append(Finding("DS510", fn.name, (
        f"`{facts['name']}` builds the sub-DAG{many} of the SubDagOperator{many} at {', '.join(sites)}: the fix makes it build "
        f"`TaskGroup(group_id={facts['group']})` in the parent DAG instead (new parameters `{dag}` and "
        f"`{parent_group}`; its tasks get `task_group=`)"
    ), severity=severity.subdag(visitor.facts), fix=Fix(tuple(edits), UNSAFE, f"make `{facts['name']}` build a TaskGroup")))


def _import(visitor: Any, line: str) -> Edit:
    """The import above the file's first top-level Airflow import (else where the family puts one)."""
    ctx = visitor.ctx
    first = next((i for i in ctx.imports if not i.enclosing and (i.module or "").split(".")[0] == "airflow"), None)
    if first is None:
        return visitor._import_line(line)
    at = line_start(ctx.index, ctx.span(first.statement)[0])
    return Edit(at, at, line + ctx.module.default_newline)


def _dag_call(fn: cst.FunctionDef) -> Optional[cst.Call]:
    body = fn.body.body if isinstance(fn.body, cst.IndentedBlock) else ()
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Assign):
            value = stmt.body[0].value
            if isinstance(value, cst.Call) and _last(value.func) == "DAG":
                return value
        if isinstance(stmt, cst.With) and isinstance(stmt.items[0].item, cst.Call) and _last(stmt.items[0].item.func) == "DAG":
            return stmt.items[0].item
    return None


def _last(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _parameters(ctx: Any, fn: cst.FunctionDef, defaults: bool, dag: str, group: str) -> Edit:
    params = list(fn.params.params)
    added = f"{dag}=None, {group}=None" if defaults else f"{dag}, {group}=None"
    star_kwarg, star_arg = fn.params.star_kwarg, fn.params.star_arg
    if isinstance(star_kwarg, cst.Param):  # before `**kwargs` (after `*args`: keyword-only there)
        at = ctx.text.rindex("**", 0, ctx.span(star_kwarg.name)[0])
        return Edit(at, at, added + ", ")
    if isinstance(star_arg, cst.Param):
        end = ctx.span(star_arg.name)[1]
        return Edit(end, end, ", " + added)
    if not params:
        at = ctx.text.index("(", ctx.span(fn.name)[1]) + 1
        return Edit(at, at, added)
    last = params[-1]
    end = max(ctx.span(n)[1] for n in (last, last.name, last.annotation, last.default) if n is not None)
    trailing = isinstance(last.comma, cst.Comma)
    if trailing:
        end = ctx.text.index(",", end - 1 if ctx.text[end - 1] == "," else end) + 1
        return Edit(end, end, " " + added + ",")
    return Edit(end, end, ", " + added)


def _handed(ctx: Any, arg: cst.Arg, var: str, dag: str) -> list[Edit]:
    """`dag=<var>` -> `dag=parent_dag, task_group=<var>`; on a line of its own, the new argument
    gets a line of its own below it."""
    start, end = ctx.span(arg.value)
    begin = ctx.text.rfind("\n", 0, start) + 1
    indent = ctx.text[begin:ctx.span(arg)[0]]
    eol = ctx.text.find("\n", end)
    eol = eol - 1 if eol > 0 and ctx.text[eol - 1] == "\r" else eol  # (before a CRLF's CR)
    rest = ctx.text[end:eol if eol >= 0 else len(ctx.text)]
    if indent.strip() or not isinstance(arg.comma, cst.Comma) or rest.strip() != ",":
        return [Edit(start, end, f"{dag}, task_group={var}")]
    return [Edit(start, end, dag), Edit(eol, eol, f"{ctx.module.default_newline}{indent}task_group={var},")]


def _task_edits(ctx: Any, fn: cst.CSTNode, var: str, dag: str) -> list[Edit]:
    """`dag=<var>` -> `dag=parent_dag, task_group=<var>` in every call of the body but the
    SubDagOperator calls (their own rewrite replaces them whole)."""
    edits: list[Edit] = []

    class Calls(cst.CSTVisitor):
        def visit_With(self, node: cst.With) -> Optional[bool]:
            item = node.items[0].item
            if (len(node.items) == 1 and node.items[0].asname is None and isinstance(item, cst.Name)
                    and item.value == var):
                start, end = ctx.span(item)  # `with sub:` -> `with parent_dag, sub:` (both contexts)
                edits.append(Edit(start, end, f"{dag}, {var}"))
            return True

        def visit_Call(self, node: cst.Call) -> Optional[bool]:
            if _last(node.func) == "SubDagOperator":
                return False
            for arg in node.args:
                if (arg.keyword is not None and arg.keyword.value == "dag" and isinstance(arg.value, cst.Name)
                        and arg.value.value == var):
                    edits.extend(_handed(ctx, arg, var, dag))
            return True

    fn.visit(Calls())
    return edits
