"""DS510: a sub-DAG built at the top level of its parent's own file, with no factory (read with `ast`).

`sub = DAG("etl.clean", ...)` (or `with DAG("etl.clean", ...) as sub:`), tasks given `dag=sub` or
built in `with sub:`, and `SubDagOperator(task_id="clean", subdag=sub, dag=dag)`: `sub` can become
`TaskGroup(group_id="clean", dag=dag)` when the parent DAG is built before it, the dag_id is
`<parent's dag_id>.<task_id>` as literal strings, `sub` is bound once and only handed to tasks as
`dag=`, re-entered, or given to this one SubDagOperator, and its settings are the parent's. Every
other SubDagOperator call goes to subdag.site (a factory's).
"""

from __future__ import annotations

import ast
from typing import Any, Callable, Optional

from dagshift.rules.dag_api.subdag import RENAMED, Source, is_dag_call, keyword, own_arguments, parent_of
from dagshift.rules.dag_api.subdag import site as factory_site
from dagshift.rules.dag_api.subdag_settings import Parent, differences


def site(call: ast.Call, src: Source, factory: Callable[[str], Optional[dict]]) -> dict:
    made = keyword(call, "subdag")
    if not isinstance(made, ast.Name) or src.enclosing_function(call) is not None or keyword(call, "task_id") is None:
        return factory_site(call, src, factory)
    found = factory_site(call, src, factory)  # (its reason says where a factory was expected)
    reason = _module_site(call, src, made.id, factory, found)
    return {**found, "reason": reason} if reason else {**found, "reason": None}


def _module_site(call: ast.Call, src: Source, name: str, factory: Callable, found: dict) -> Optional[str]:
    """None when the module-level sub-DAG `name` can move (filling `found`), else the reason."""
    statement = _statement(src.tree, name)
    if statement is None:
        return f"its `subdag=` is `{name}`, which is not a DAG built once at the top level of this file"
    form, stmt, dag_call = statement
    dropped = own_arguments(call)
    if isinstance(dropped, str):
        return dropped
    parent = parent_of(call, src, factory)
    if isinstance(parent, str):
        return parent
    parent_name, _, settings, parent_call = parent
    if parent_name == name:  # (`subdag=dag`, the parent itself: no sub-DAG to move)
        return "its `subdag=` is not a call of a factory function with `task_id=` beside it"
    if parent_call is None or parent_call.lineno >= stmt.lineno:
        return f"the sub-DAG `{name}` is built before its parent DAG `{parent_name}`, which its TaskGroup needs"
    problem = _uses(src, name, call)
    if problem:
        return problem
    task_id = keyword(call, "task_id")
    mine, theirs = _string(_dag_id(dag_call), src), _string(_dag_id(parent_call), src)
    child = _string(task_id, src)
    if mine is None or theirs is None or child is None or mine != f"{theirs}.{child}":
        return f"the sub-DAG `{name}`'s dag_id is not its parent DAG's and the task_id joined by a dot, as literal strings"
    if any(k.arg is None for k in dag_call.keywords) or len(dag_call.args) > 1:
        return f"the sub-DAG `{name}`'s arguments are not all keywords dagshift can read"
    sub = {RENAMED.get(k.arg or "", k.arg): {"text": ast.unparse(k.value), "free": {}, "here": True}
           for k in dag_call.keywords if k.arg is not None}
    differ = differences(sub, Parent(parent_name, settings, src.bindings, src.values), {}, False)
    if differ:
        return differ
    parent_args = settings.get("default_args", {}).get("text")
    found.update(dropped=dropped, parent=parent_name, names=[parent_name], nulled=[],
                 inline={"var": name, "form": form, "line": stmt.lineno},
                 parent_defaults=bool(parent_args) and sub.get("default_args", {}).get("text") != parent_args)
    return None


def _statement(tree: ast.Module, name: str) -> Any:
    """("assign" | "with", the statement, its DAG call) where the top level builds the DAG `name`."""
    stores = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)]
    if len(stores) != 1:
        return None
    for stmt in tree.body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == name and is_dag_call(stmt.value)):
            return "assign", stmt, stmt.value
        if (isinstance(stmt, ast.With) and len(stmt.items) == 1 and is_dag_call(stmt.items[0].context_expr)
                and isinstance(stmt.items[0].optional_vars, ast.Name) and stmt.items[0].optional_vars.id == name):
            return "with", stmt, stmt.items[0].context_expr
    return None


def _uses(src: Source, name: str, call: ast.Call) -> Optional[str]:
    """The DAG may only be handed to tasks as `dag=` (none naming a `task_group=`), re-entered
    (`with sub:`) and given to this SubDagOperator as `subdag=`."""
    allowed = {id(keyword(call, "subdag"))}
    for node in ast.walk(src.tree):
        if isinstance(node, ast.With) and len(node.items) == 1 and node.items[0].optional_vars is None:
            allowed.add(id(node.items[0].context_expr))
        if isinstance(node, ast.Call) and node is not call and keyword(node, "task_group") is None:
            allowed.update(id(k.value) for k in node.keywords if k.arg == "dag")
    for node in ast.walk(src.tree):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load) and id(node) not in allowed:
            return f"the sub-DAG `{name}` is used as something other than a task's `dag=` (line {node.lineno})"
    return None


def _dag_id(dag_call: ast.Call) -> Optional[ast.expr]:
    return dag_call.args[0] if dag_call.args else keyword(dag_call, "dag_id")


def _string(node: Optional[ast.expr], src: Source) -> Optional[str]:
    """A string written as a literal, a module-level name holding one, an f-string or `+` of them."""
    if isinstance(node, ast.Name) and node.id in src.values:
        node = src.values[node.id]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _string(node.left, src), _string(node.right, src)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr):
        parts = [_string(v.value if isinstance(v, ast.FormattedValue) and v.conversion == -1 and v.format_spec is None
                         else v, src) for v in node.values]
        return "".join(p for p in parts if p is not None) if None not in parts else None
    return None
